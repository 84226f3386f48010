#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_tiled.sh -- ctdnsd fronting a static-ct-api ("tiled") log: the real
# daemon, configured with monitoring-url:, in front of ctlog-sim --static.
# Every query form is answered from checkpoints and hash tiles alone (the
# log's RFC 6962 endpoints are counted, and must stay unused), the answers
# equal the log's own data byte for byte, neighbouring proofs cost no new
# tile, the tree grows with consistency computed from tiles, and every way
# the log can lie about a checkpoint (a bad signature, a wrong key ID, an
# extension line its signature does not cover) or a tile raises an ALARM
# and serves nothing of it.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init tiled
ct_start_sim 1000 --static
CT_URL_KEY=monitoring-url
ct_conf "upstream-timeout: 2"
ct_start_daemon

mode() { ct_sim "/sim/mode?set=$1" >/dev/null; }
alarms() { grep -c "ALARM" "$LIB_TMP/ctdnsd.err"; }
sth_text() { ct_dig +short TXT "sth.$ZONE"; }
tiles() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(sum(v for k, v in s.items() if k.startswith("tile-")))'
}
# The RFC 6962 read endpoints: a tiled log has none, so none may be used.
rfc6962_reads() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(sum(s[k] for k in ("get-sth", "get-sth-consistency",
    "get-proof-by-hash", "get-entries", "get-entry-and-proof")))'
}
wait_alarm() {
	wa_left=300
	until [ "$(alarms)" -gt "$1" ]; do
		wa_left=$((wa_left - 1))
		[ "$wa_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

# --- phase 1: only the daemon talks to the log (the checks below ask the
# log itself for the truth, through its RFC 6962 endpoints) ------------------
tap_is "$(ct_sth_size)" 1000 "sth answers the checkpoint's tree size"
ct_ok "ctdns verifies the STH built from the checkpoint with the log key" \
    ct_client sth "$ZONE"
fails=0
for i in 0 5 255 256 700 999; do
	tap_quiet=$(ct_rcode TXT "0.$i.1000.tree.$ZONE")
	[ "$tap_quiet" = NOERROR ] || fails=$((fails + 1))
done
tap_is $fails 0 "audit paths from tiles: NOERROR for 6 leaves"
fails=0
for i in 0 5 255 700 999; do
	ct_client proof "$ZONE" "$(ct_leaf $i)" > "$LIB_TMP/out" 2>&1 || {
		fails=$((fails + 1)); tap_diag "leaf $i:"; tap_diag "$(cat "$LIB_TMP/out")"; }
done
tap_is $fails 0 "ctdns proves 5 leaves by hash (the index built from level-0 tiles)"
fails=0
for p in 1:1000 3:5 7:8 8:1000 300:999 500:1000 999:1000; do
	ct_client consistency "$ZONE" "${p%:*}" "${p#*:}" > "$LIB_TMP/out" 2>&1 || {
		fails=$((fails + 1)); tap_diag "consistency $p:"; tap_diag "$(cat "$LIB_TMP/out")"; }
done
tap_is $fails 0 "ctdns verifies 7 consistency proofs computed from tiles"
tap_is "$(ct_rcode TXT "$(printf 'a%.0s' $(seq 52)).hash.$ZONE")" \
    SERVFAIL "an unknown hash: SERVFAIL while the index does not cover the tree"
tap_is "$(rfc6962_reads)" 0 "not one RFC 6962 read request reached the log"

# --- neighbouring proofs cost no new tile ------------------------------------
before=$(tiles)
fails=0
for i in 1 4 6 7 250 254 998; do
	[ "$(ct_rcode TXT "0.$i.1000.tree.$ZONE")" = NOERROR ] ||
		fails=$((fails + 1))
done
tap_is $fails 0 "neighbouring audit paths: NOERROR"
tap_is "$(tiles)" "$before" "neighbours of fetched leaves cost no new tile"

# --- growth: the new head is adopted once tiles prove it consistent ---------
a=$(alarms)
ct_sim "/sim/grow?n=300" >/dev/null
ct_wait_sth 1300 20
tap_ok $? "the grown tree (1300) is served after its consistency is proved"
tap_is "$(alarms)" "$a" "no ALARM for an honest growth"
tap_is "$(ct_rcode TXT "0.1299.1300.tree.$ZONE")" NOERROR \
    "an audit path in the grown tree"
ct_ok "ctdns proves leaf 1299 by hash in the grown tree" \
    ct_client proof "$ZONE" "$(ct_leaf 1299)"
tap_is "$(rfc6962_reads)" 0 "still no RFC 6962 read request"

# --- phase 2: byte for byte against the log's own answers -------------------
ct_check sth
tap_ok $? "sth text equals the log's own tree head (the checkpoint's RFC 6962 signature)"
ct_check tree 0:1000 5:1000 255:1000 256:1000 511:1000 999:1000 0:2 2:3 \
    63:64 64:65 150:256 299:300 33:201 700:999 1299:1300 17:1300
tap_ok $? "audit paths computed from tiles equal the log's, every chunk"
ct_check consistency 1:2 3:1000 64:256 100:999 255:256 17:18 3:5 300:999 \
    999:1000 1000:1300
tap_ok $? "consistency proofs computed from tiles equal the log's"
ct_check hash 0 5 255 999
tap_ok $? "leaf indices equal the log's"
# --- lies about the checkpoint ------------------------------------------------
good=$(sth_text)
for m in bad-sig bad-keyid ext-line; do
	a=$(alarms)
	mode "$m"
	ct_sim "/sim/grow?n=10" >/dev/null
	wait_alarm "$a"
	tap_ok $? "$m: the checkpoint raises an ALARM"
	tap_is "$(sth_text)" "$good" "$m: the last good head stays served"
	mode normal
	ct_wait_sth "$(( $(echo "$good" | tr -d '"' | cut -d. -f1) + 10 ))" 20
	tap_ok $? "$m: normal again, the real grown tree is served"
	good=$(sth_text)
done

a=$(alarms)
size=$(ct_sth_size)
mode fork
ct_sim "/sim/grow?n=10" >/dev/null
wait_alarm "$a"
tap_ok $? "fork: a forked tree raises an ALARM"
tap_is "$(ct_sth_size)" "$size" "fork: the forked tree is never served"
mode normal
ct_wait_sth "$((size + 10))" 20
tap_ok $? "normal again: the real tree, consistent with the served one"

# --- lies about tiles ----------------------------------------------------------
size=$(ct_sth_size)
a=$(alarms)
mode bad-tile
tap_is "$(ct_rcode TXT "0.1100.$size.tree.$ZONE")" SERVFAIL \
    "bad-tile: SERVFAIL for a path from tiles that do not hash to the root"
wait_alarm "$a"
tap_ok $? "bad-tile: an ALARM"
mode normal
ct_check tree "1100:$size"
tap_ok $? "normal again: the real path is served (nothing of the bad tiles was stored)"

# --- the log down: what is stored is still served -----------------------------
size=$(ct_sth_size)
ct_sim "/sim/grow?n=600" >/dev/null
ct_wait_sth "$((size + 600))" 20
tap_ok $? "the tree grows by 600 (level-0 tile 6, [1536, 1792), is new)"
size=$((size + 600))
mode down
fails=0
for i in 0 5 999; do
	ct_client proof "$ZONE" "$(ct_leaf $i)" 1000 > "$LIB_TMP/out" 2>&1 || {
		fails=$((fails + 1)); tap_diag "leaf $i:"; tap_diag "$(cat "$LIB_TMP/out")"; }
done
tap_is $fails 0 "log down: stored proofs are still served and verify"
tap_is "$(ct_rcode TXT "0.1600.$size.tree.$ZONE")" SERVFAIL \
    "log down: SERVFAIL for a path whose tile was never fetched"
mode normal

# --- the daemon's log ------------------------------------------------------------
ct_log_has "serving verified tree head"
tap_ok $? "the daemon says which head it serves"
lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
