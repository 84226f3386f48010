#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_tiled_verify.sh -- the client's tiled-log path, end to end:
#
#   testca --add-pre-chain/add-chain--> ctlog-sim --static
#   ctdns verify --> dnsrelay.py --> ctdnsd --(RFC 6962 read API)--> ctlog-sim
#
# ctlog-sim --static is a C2SP static-ct-api log: its SCTs carry the
# leaf_index extension. It also keeps the RFC 6962 read API (get-sth,
# get-proof-by-hash, get-entry-and-proof) on the same tree, so ctdnsd
# (which cannot read tiles yet) fronts it with "url:". The log list names
# the log in tiled_logs. `ctdns verify` must prove every certificate at
# the index its SCT carries without a single hash query: dnsrelay.py
# writes one line per query ctdnsd receives, and that log is the counter.
# The counter is shown to work by a `ctdns proof` without --index, whose
# hash query must appear (and find the SCT's index). A wrong index, given
# to `ctdns proof --index` or written into an SCT, must not prove.
#
# Skips only when dig, curl or Debian's python with dnspython is missing.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/system/ctlib.sh"

TESTCA=$top_builddir/tests/system/testca
RELAY=$top_srcdir/tests/system/dnsrelay.py
N=3	# certificates of each kind: precertificate, certificate
BASE=100

ct_init tiledverify
T=$LIB_TMP
for b in "$CTDNS" "$CTLOG_SIM" "$CTDNSD" "$TESTCA"; do
	if [ ! -x "$b" ]; then
		echo "Bail out! $b is not built (make check builds it)"
		exit 1
	fi
done

# --- the tiled log and its submissions --------------------------------------
ct_start_sim "$BASE" --static
LOGID=$(printf '%s' "$SIM_KEY" | "$PY" -c 'import base64, hashlib, sys
k = base64.b64decode(sys.stdin.read())
print(base64.b64encode(hashlib.sha256(k).digest()).decode())')

submit() {
	curl -sf -X POST -H 'Content-Type: application/json' \
	    --data-binary "@$2" "${SIM_URL}ct/v1/$1" >"$3"
}

# sct_index FILE: the SCT's leaf_index extension (JSON answer), or "none".
sct_index() {
	"$PY" -c 'import base64, json, sys
e = base64.b64decode(json.load(open(sys.argv[1]))["extensions"])
ok = len(e) == 8 and e[0] == 0 and e[1:3] == b"\x00\x05"
print(int.from_bytes(e[3:], "big") if ok else "none")' "$1"
}

"$TESTCA" ca "$T" || { echo "Bail out! testca ca"; exit 1; }
issued=0
indices=
i=1
while [ "$i" -le "$N" ]; do
	"$TESTCA" precert "$T" "pre$i" $((1000 + i)) &&
	    "$TESTCA" chain "$T" "$T/pre$i.pre.pem" >"$T/pre$i.req" &&
	    submit add-pre-chain "$T/pre$i.req" "$T/pre$i.sct" &&
	    "$TESTCA" final "$T" "pre$i" "$T/pre$i.sct" &&
	    "$TESTCA" cert "$T" "plain$i" $((2000 + i)) &&
	    "$TESTCA" chain "$T" "$T/plain$i.pem" >"$T/plain$i.req" &&
	    submit add-chain "$T/plain$i.req" "$T/plain$i.sct" &&
	    "$TESTCA" sctlist "$T/plain$i.scts" "$T/plain$i.sct" &&
	    issued=$((issued + 1))
	indices="$indices $(sct_index "$T/pre$i.sct") $(sct_index "$T/plain$i.sct")"
	i=$((i + 1))
done
SIZE=$((BASE + 2 * N))
tap_is "$issued" "$N" "$N precertificates and $N certificates issued"
want=$(seq "$BASE" $((SIZE - 1)) | tr '\n' ' ')
tap_is "$(echo $indices)" "$(echo $want)" \
    "every SCT carries a leaf_index extension: $BASE to $((SIZE - 1))"
ct_ok "ctlog-sim --static keeps the RFC 6962 read API: get-sth" \
    sh -c "curl -sf '${SIM_URL}ct/v1/get-sth' | grep -q '\"tree_size\": *$SIZE'"

# --- ctdnsd on the read API, the counting relay ------------------------------
ct_conf
ct_start_daemon
ct_ok "ctdnsd serves the STH of the grown tree ($SIZE)" ct_wait_sth "$SIZE" 30
RPORT=$(lib_free_port)
lib_start relay "$PY" "$RELAY" "$RPORT" "$DNS_PORT" "$T/relay.log" \
    "$T/relay.port"
lib_wait_file "$T/relay.port" 20 || { echo "Bail out! relay"; exit 1; }

# list FILE ARRAY: a log list naming the log in logs or tiled_logs.
list() {
	if [ "$2" = tiled_logs ]; then
		urls="\"submission_url\": \"$SIM_URL\", \"monitoring_url\": \"$SIM_URL\""
	else
		urls="\"url\": \"$SIM_URL\""
	fi
	cat >"$1" <<EOF
{"version": "1.0", "operators": [{"name": "ctdns tests", "email": [],
  "$2": [{"description": "ctlog-sim static", "log_id": "$LOGID",
   "key": "$SIM_KEY", $urls, "mmd": 60, "dns": "$ZONE",
   "state": {"usable": {"timestamp": "2025-01-01T00:00:00Z"}}}]}]}
EOF
}
list "$T/tiled.json" tiled_logs
list "$T/rfc6962.json" logs
VERIFY="$CTDNS -s 127.0.0.1@$RPORT verify"

# count RE: queries ctdnsd received whose name matches RE (lower case).
count() {
	tr 'A-Z' 'a-z' <"$T/relay.log" | grep -c -- "$1"
}

# --- every certificate proven at its SCT's index --------------------------------
ok_pre=0
ok_plain=0
i=1
while [ "$i" -le "$N" ]; do
	mode=
	[ $((i % 2)) -eq 0 ] && mode=--async
	$VERIFY $mode --log-list "$T/tiled.json" "$T/pre$i.pem" \
	    --issuer "$T/ca.pem" >"$T/v.out" 2>&1 &&
	    grep -q "(embedded) log \"ctlog-sim static\", usable .*: included in tree $SIZE at index $(sct_index "$T/pre$i.sct") (the SCT's leaf_index), verified" \
	    "$T/v.out" && ok_pre=$((ok_pre + 1)) || tap_diag "pre$i: $(cat "$T/v.out")"
	$VERIFY $mode --log-list "$T/tiled.json" "$T/plain$i.pem" \
	    --sct-list "$T/plain$i.scts" >"$T/v.out" 2>&1 &&
	    grep -q "(tls) log .*: included in tree $SIZE at index $(sct_index "$T/plain$i.sct") (the SCT's leaf_index), verified" \
	    "$T/v.out" && ok_plain=$((ok_plain + 1)) || tap_diag "plain$i: $(cat "$T/v.out")"
	i=$((i + 1))
done
tap_is "$ok_pre" "$N" "ctdns verify: every embedded SCT proven at its leaf_index"
tap_is "$ok_plain" "$N" "ctdns verify: every SCT list's SCT proven at its leaf_index"
tap_ok "$([ "$(count "\.tree\.$ZONE\. txt")" -ge $((2 * N)) ] &&
    [ "$(count "^[a-z]* sth\.$ZONE\. txt")" -ge $((2 * N)) ]; echo $?)" \
    "ctdnsd was asked for STHs and audit paths"
tap_is "$(count '\.hash\.')" 0 "... and not one hash query"

$VERIFY --json --log-list "$T/tiled.json" "$T/plain1.pem" \
    --sct-list "$T/plain1.scts" >"$T/v.json"
tap_is "$?" 0 "ctdns verify --json exits 0"
ct_ok "--json: included, index_from_sct, the SCT's index" "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))["scts"][0]
assert s["outcome"] == "included" and s["index_from_sct"], s
assert s["leaf_index"] == int(sys.argv[2]), s' "$T/v.json" \
    "$(sct_index "$T/plain1.sct")"
HASH=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["scts"][0]["leaf_hash"])' "$T/v.json")
INDEX=$(sct_index "$T/plain1.sct")

# The extension counts wherever the list puts the log.
$VERIFY --log-list "$T/rfc6962.json" "$T/pre1.pem" --issuer "$T/ca.pem" \
    >"$T/v.out" 2>&1
ct_ok "a log listed in logs: its leaf_index is used too" \
    grep -q "included in tree $SIZE at index .* (the SCT's leaf_index)" \
    "$T/v.out"
tap_is "$(count '\.hash\.')" 0 "... still no hash query"

# --- a wrong index does not prove ------------------------------------------------
PROOF="$CTDNS -s 127.0.0.1@$RPORT -k $SIM_KEY proof $ZONE $HASH"
$PROOF --index "$INDEX" >"$T/p.out" 2>&1
tap_is "$?" 0 "ctdns proof --index with the SCT's index verifies"
for wrong in $((INDEX - 1)) $((INDEX + 1)) 0; do
	$PROOF --index "$wrong" >"$T/p.out" 2>&1
	st=$?
	tap_ok "$([ "$st" -eq 1 ] && grep -q 'does not lead to the root' \
	    "$T/p.out"; echo $?)" "ctdns proof --index $wrong (wrong) fails: status 1"
	[ "$st" -eq 1 ] || tap_diag "status $st: $(cat "$T/p.out")"
done
tap_is "$(count '\.hash\.')" 0 "--index sent no hash query either"

# An SCT whose leaf_index was changed: its signature no longer verifies.
# Offset 50: list length (2), SCT length (2), version (1), log ID (32),
# timestamp (8), extensions length (2), type (1), data length (2).
"$PY" -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
assert b[47:50] == b"\x00\x00\x05", b[47:50]
b[54] ^= 1
open(sys.argv[2], "wb").write(b)' "$T/plain2.scts" "$T/moved.scts"
$VERIFY --log-list "$T/tiled.json" "$T/plain2.pem" --sct-list \
    "$T/moved.scts" >"$T/v.out" 2>&1
tap_is "$?" 1 "an SCT with a changed leaf_index exits 1"
ct_ok "... reported as SCT invalid" grep -q ": SCT invalid (" "$T/v.out"

# --- the counter counts: the hash form asks, and agrees -------------------------
B32=$("$PY" -c 'import base64, sys
print(base64.b32encode(bytes.fromhex(sys.argv[1])).decode().rstrip("=").lower())' "$HASH")
$PROOF >"$T/p.out" 2>&1
tap_is "$?" 0 "ctdns proof without --index verifies (hash form)"
ct_ok "... the hash query finds the SCT's index $INDEX" \
    grep -qx "leaf index: $INDEX" "$T/p.out"
tap_is "$(count "^[a-z]* $B32\.hash\.$ZONE\. txt")" 1 \
    "... and the relay counted its one hash query"

tap_end
