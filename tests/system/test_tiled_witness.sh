#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_tiled_witness.sh -- a tiled log's own checkpoint carries its
# witnesses' cosignatures (ctlog-sim --static signs one with its witness
# key): ctdnsd counts those of its `witness:` keys toward the quorum, as
# if the witness had answered it, keeps them and serves them in
# checkpoint.<zone>. The witness itself cannot be reached (its URL points
# at a closed port), so only the log's checkpoint can give the quorum. A
# key the checkpoint does not carry gives none: that head is never served.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init tiled_witness
lib_need openssl
"$PY" -c 'import cryptography' 2>/dev/null ||
	lib_skip_all "python3-cryptography is missing"
ct_start_sim 100 --static
CT_URL_KEY=monitoring-url
SIM=${SIM_URL%/}
T=$LIB_TMP
VKEY=$("$CTLOG_SIM" --static --print-witness-vkey)
CLOSED=http://127.0.0.1:$(lib_free_port)/
ORIGIN=$(ct_sim /checkpoint | head -n 1)

# --- the sim's witness: its cosignature in the log's checkpoint counts --
ct_start_named good -- "witness: witness.sim.example $VKEY $CLOSED" \
    "witness-quorum: 1"
tap_is "$(ct_sth_size)" 100 \
    "the head is served: the log's checkpoint carries the witness's cosignature"
"$CTDNS" -s "127.0.0.1@$DNS_PORT" -k "$SIM_KEY" checkpoint "$ZONE." \
    --origin "$ORIGIN" --witness "$VKEY" --quorum 1 >"$T/cp.out" 2>&1
tap_ok $? "ctdns checkpoint: the witness's cosignature verifies in ctdnsd's answer"
grep -q "witness witness.sim.example: cosigned" "$T/cp.out"
tap_ok $? "the line is the sim witness's"
grep -q "refused\|cannot" "$T/good.err"
tap_ok $((! $?)) "nothing refused or lost"

lib_stop good

# --- a key the checkpoint does not carry --------------------------------
openssl genpkey -algorithm ed25519 -out "$T/other.pem" 2>/dev/null
OTHER=$(ct_vkey other.example "$T/other.pem")
DNS_PORT=$(lib_free_port)
cp "$top_srcdir/zones/demo.ct.example.zone" "$T/bad.zone"
ct_write_conf "$T/bad.conf" "$T/bad.zone" "$T/bad.db" -- \
    "witness: other.example $OTHER $CLOSED" "witness-quorum: 1"
lib_start bad "$CTDNSD" -c "$T/bad.conf" -d
# Let it read the checkpoint several times: two more than now.
ct_wait_count checkpoint $(( $(ct_sim_count checkpoint) + 2 )) 30
tap_ok $? "the second instance reads the log's checkpoint"
tap_is "$(ct_rcode TXT "sth.$ZONE")" SERVFAIL \
    "without a cosignature of its witness the head is never served"
tap_is "$(ct_rcode TXT "checkpoint.$ZONE")" SERVFAIL \
    "nor its checkpoint"
lib_stop bad
tap_end
