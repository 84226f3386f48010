#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_split.sh -- a log that shows one front end another tree (ctlog-sim
# mode split), two ctdnsd instances on one host told apart by
# outgoing-interface, and ctdns audit-sth finding the split.
#
# Instance a fetches from 127.0.0.1, instance b (outgoing-interface:
# 127.0.0.2) from the sim's --split-client address. After the split both
# adopt heads beyond the split point, each consistent with its own past
# (their own checks and ctdns verify that), with different roots for the
# same size; the sim's counters show which view served whom. An STH of
# b's, handed to a client of a, is reported as a split view.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init split
# --static: the checkpoint form of audit-sth is read from /checkpoint
# (from 127.0.0.1: the real view; the split client would get the split
# view's checkpoint).
ct_start_sim 100 --split-client 127.0.0.2 --static
SIM=${SIM_URL%/}
# 127.0.0.2 is a loopback address on Linux; elsewhere it may be missing.
if ! curl -sf -o /dev/null --interface 127.0.0.2 --max-time 10 \
    "$SIM/sim/stats"; then
	lib_skip_all "cannot reach the sim from 127.0.0.2"
fi

ct_start_named a
A_PORT=$DNS_PORT
ct_start_named b "outgoing-interface: 127.0.0.2"
B_PORT=$DNS_PORT

# on PORT CMD...: run CMD with DNS_PORT set to PORT.
on() {
	DNS_PORT=$1
	shift
	"$@"
}

# sth_field PORT N: field N of the STH TXT the instance on PORT serves.
sth_field() {
	dig +norec +time=5 +tries=2 -p "$1" @127.0.0.1 +short TXT \
	    "sth.$ZONE" 2>/dev/null | tr -d '"' | cut -d. -f"$2"
}

# json KEY...: the value at KEY (then KEY...) of the JSON on stdin.
json() {
	"$PY" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}

on "$A_PORT" ct_wait_sth 100
tap_ok $? "a serves the 100 entries"
on "$B_PORT" ct_wait_sth 100
tap_ok $? "b serves the 100 entries"
tap_is "$(sth_field "$A_PORT" 3)" "$(sth_field "$B_PORT" 3)" \
    "before the split both serve one root"
tap_is "$(ct_sim /sim/stats | json split total)" 0 \
    "before the split no request is answered from the split view"

# --- the split ------------------------------------------------------------
ct_sim "/sim/mode?set=split" > "$LIB_TMP/mode.json"
tap_is "$(json split split_at < "$LIB_TMP/mode.json")" 100 \
    "mode split starts at the current size"
ct_sim "/sim/grow?n=20" > /dev/null
on "$A_PORT" ct_wait_sth 120 60
tap_ok $? "a moves past the split point (120)"
on "$B_PORT" ct_wait_sth 120 60
tap_ok $? "b moves past the split point (120)"
A_ROOT=$(sth_field "$A_PORT" 3)
B_ROOT=$(sth_field "$B_PORT" 3)
[ -n "$A_ROOT" ] && [ "$A_ROOT" != "$B_ROOT" ]
tap_ok $? "same size, different roots"
tap_is "$A_ROOT" "$(ct_sim '/sim/sth?tree_size=120' | json sha256_root_hash)" \
    "a serves the real tree"
tap_is "$B_ROOT" \
    "$(ct_sim '/sim/sth?tree_size=120&view=split' | json sha256_root_hash)" \
    "b serves the split view's tree"
stats=$(ct_sim /sim/stats)
[ "$(echo "$stats" | json split get-sth)" -gt 0 ] &&
    [ "$(echo "$stats" | json split get-sth-consistency)" -gt 0 ] &&
    [ "$(echo "$stats" | json get-sth)" -gt \
    "$(echo "$stats" | json split get-sth)" ]
tap_ok $? "the sim counts b's requests in the split view, a's outside it"

# Each view verifies on its own: signature, and consistency across the
# split point within the view.
on "$A_PORT" ct_ok "a's STH verifies with the log key" ct_client sth "$ZONE"
on "$B_PORT" ct_ok "b's STH verifies with the log key" ct_client sth "$ZONE"
on "$A_PORT" ct_ok "a proves 100 -> 120 consistent" \
    ct_client consistency "$ZONE" 100 120
on "$B_PORT" ct_ok "b proves 100 -> 120 consistent" \
    ct_client consistency "$ZONE" 100 120

# --- audit-sth --------------------------------------------------------------
# audit FILE PORT: ctdns audit-sth against the instance on PORT; prints
# the exit status, output in $LIB_TMP/audit.out.
audit() {
	"$CTDNS" -s "127.0.0.1@$2" -k "$SIM_KEY" audit-sth "$ZONE" "$1" \
	    > "$LIB_TMP/audit.out" 2>&1
	echo $?
}
# audit_says PATTERN DESC: the last audit's output matches PATTERN (shown
# when it does not).
audit_says() {
	grep -q -- "$1" "$LIB_TMP/audit.out"
	says=$?
	tap_ok $says "$2"
	[ $says -eq 0 ] || tap_diag "$(cat "$LIB_TMP/audit.out")"
}
dig +norec -p "$B_PORT" @127.0.0.1 +short TXT "sth.$ZONE" > "$LIB_TMP/b120"
dig +norec -p "$A_PORT" @127.0.0.1 +short TXT "sth.$ZONE" > "$LIB_TMP/a120"

tap_is "$(audit "$LIB_TMP/b120" "$B_PORT")" 0 \
    "audit-sth: b's own head against b is consistent"
tap_is "$(audit "$LIB_TMP/b120" "$A_PORT")" 3 \
    "audit-sth: b's head against a is a split view (exit 3)"
grep -q "SPLIT VIEW.*same size and different roots" "$LIB_TMP/audit.out" &&
    grep -q "^evidence held: 120\." "$LIB_TMP/audit.out" &&
    grep -q "^evidence served: 120\." "$LIB_TMP/audit.out"
st=$?
tap_ok $st "with both signed heads and the check that failed"
[ $st -eq 0 ] || tap_diag "$(cat "$LIB_TMP/audit.out")"

# Both views grow; an older head of b against a's newer one is caught by
# the consistency proof.
ct_sim "/sim/grow?n=10" > /dev/null
on "$A_PORT" ct_wait_sth 130 60
tap_ok $? "a moves on to 130"
on "$B_PORT" ct_wait_sth 130 60
tap_ok $? "b moves on to 130"
tap_is "$(audit "$LIB_TMP/a120" "$A_PORT")" 0 \
    "audit-sth: a's 120 against a's 130 is consistent"
audit_says "consistency: tree 120 -> tree 130 verified" \
    "by a consistency proof"
tap_is "$(audit "$LIB_TMP/b120" "$A_PORT")" 3 \
    "audit-sth: b's 120 against a's 130 is a split view"
audit_says "consistency proof from the held head" \
    "found by the consistency proof"
tap_is "$(audit "$LIB_TMP/a120" "$B_PORT")" 3 \
    "audit-sth: a's 120 against b's 130 is a split view too"

# The get-sth JSON form, straight from the log as each address sees it.
curl -sf --interface 127.0.0.2 "$SIM/ct/v1/get-sth" > "$LIB_TMP/split.json"
curl -sf "$SIM/ct/v1/get-sth" > "$LIB_TMP/real.json"
tap_is "$(audit "$LIB_TMP/split.json" "$A_PORT")" 3 \
    "audit-sth: the split view's get-sth JSON against a: split view"
tap_is "$(audit "$LIB_TMP/real.json" "$A_PORT")" 0 \
    "audit-sth: the real get-sth JSON against a: consistent"
sed 's/"tree_size":130/"tree_size":129/' "$LIB_TMP/real.json" \
    > "$LIB_TMP/forged.json"
tap_is "$(audit "$LIB_TMP/forged.json" "$A_PORT")" 1 \
    "audit-sth: an STH whose signature fails is refused (exit 1)"
tap_is "$(audit "$LIB_TMP/missing" "$A_PORT")" 2 \
    "audit-sth: a missing file is exit 2"
curl -sf "$SIM/checkpoint" > "$LIB_TMP/real.checkpoint"
tap_is "$(audit "$LIB_TMP/real.checkpoint" "$A_PORT")" 0 \
    "audit-sth: the log's checkpoint against a: consistent"
audit_says "checkpoint, signature verified" "read as a checkpoint"
tap_is "$(audit "$LIB_TMP/real.checkpoint" "$B_PORT")" 3 \
    "audit-sth: the log's checkpoint against b: split view"

# The log ends the split: b, which holds the split view's 130, cannot
# follow the real tree (no consistency), while a does. The real head is
# then beyond what b serves: not yet verifiable there.
ct_sim "/sim/mode?set=normal" > /dev/null
ct_sim "/sim/grow?n=10" > /dev/null
on "$A_PORT" ct_wait_sth 140 60
tap_ok $? "a moves on to 140"
curl -sf "$SIM/ct/v1/get-sth" > "$LIB_TMP/real140.json"
# b has judged the real 140 once its log says so (at most 60 s).
left=600
until grep -q "ALARM: .*consistency proof .*(tree_size 140" \
    "$LIB_TMP/b.err" 2>/dev/null; do
	left=$((left - 1))
	[ "$left" -gt 0 ] || break
	sleep 0.1
done
[ "$left" -gt 0 ]
tap_ok $? "b raises its ALARM on the real 140"
tap_is "$(sth_field "$B_PORT" 1)" 130 \
    "b keeps its 130: the real tree is not consistent with it"
tap_is "$(audit "$LIB_TMP/real140.json" "$B_PORT")" 4 \
    "audit-sth: the real 140 against b's 130: not yet verifiable (exit 4)"
audit_says "^not yet verifiable" "and says so"
tap_is "$(audit "$LIB_TMP/real140.json" "$A_PORT")" 0 \
    "audit-sth: the real 140 against a: consistent"

lib_stop a
tap_is $? 0 "a stops cleanly"
lib_stop b
tap_is $? 0 "b stops cleanly"
tap_end
