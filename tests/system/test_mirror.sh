#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_mirror.sh -- mirror mode (`mirror: yes`) in front of the real
# ctlog-sim, both kinds of log: the daemon reads every entry, recomputes
# the tree, and afterwards answers every query form with no request to the
# log (the log counts them); a grown tree is served once recomputed; a
# fork and entries that do not match raise an ALARM and are never served;
# a SIGKILL in mid-sync resumes where the store's marker says.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init mirror

alarms() { grep -c "ALARM" "$LIB_TMP/ctdnsd.err"; }
mode() { ct_sim "/sim/mode?set=$1" >/dev/null; }
# Requests a DNS query could cause: everything but the tree head polls.
query_time() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(sum(v for k, v in s.items()
          if isinstance(v, int) and
          k not in ("get-sth", "checkpoint", "total", "add-chain",
                    "add-pre-chain", "other", "static-other")))'
}
# Wait until the daemon's log has N lines matching RE.
wait_log() {
	wl_left=600
	until [ "$(grep -c -- "$1" "$LIB_TMP/ctdnsd.err")" -ge "$2" ]; do
		wl_left=$((wl_left - 1))
		[ "$wl_left" -gt 0 ] || return 1
		sleep 0.1
	done
}
wait_alarm() {
	wa_left=300
	until [ "$(alarms)" -gt "$1" ]; do
		wa_left=$((wa_left - 1))
		[ "$wa_left" -gt 0 ] || return 1
		sleep 0.1
	done
}
# Every query form, verified by ctdns; no request may reach the log.
queries_need_no_log() {
	qn_before=$(query_time)
	qn_fails=0
	for i in 0 7 1000 $(($1 - 1)); do
		ct_client proof "$ZONE" "$(ct_leaf $i)" > "$LIB_TMP/out" 2>&1 ||
			qn_fails=$((qn_fails + 1))
		ct_client proof "$ZONE" "$(ct_leaf $i)" $(($1 - 1)) \
		    > "$LIB_TMP/out" 2>&1 || [ "$i" = $(($1 - 1)) ] ||
			qn_fails=$((qn_fails + 1))
	done
	for p in 1:$1 3:5 333:$(($1 - 7)) 1024:$1; do
		ct_client consistency "$ZONE" "${p%:*}" "${p#*:}" \
		    > "$LIB_TMP/out" 2>&1 || qn_fails=$((qn_fails + 1))
	done
	tap_is $qn_fails 0 "$2: every proof verifies (tree $1 and older sizes)"
	tap_is "$(ct_rcode TXT "$(printf 'a%.0s' $(seq 52)).hash.$ZONE")" \
	    NXDOMAIN "$2: an unknown hash is NXDOMAIN: the index covers the tree"
	qn_after=$(query_time)
	case $qn_before$qn_after in
	'' | *[!0-9]*) qn_after="unreadable: '$qn_before' '$qn_after'" ;;
	esac
	tap_is "$qn_after" "$qn_before" \
	    "$2: not one request reached the log for these queries"
}

# ---- an RFC 6962 log ----------------------------------------------------------
ct_start_sim 5000
ct_conf "mirror: yes"
ct_start_daemon
wait_log "tree 5000 recomputed" 1
tap_ok $? "rfc6962: the mirror reads all 5000 entries and recomputes the tree"
queries_need_no_log 5000 rfc6962

a=$(alarms)
ct_sim "/sim/grow?n=700" >/dev/null
ct_wait_sth 5700 30
tap_ok $? "rfc6962: a grown tree is served once recomputed from its entries"
ct_log_has "tree 5700 recomputed"
tap_ok $? "rfc6962: the daemon says it recomputed tree 5700"
tap_is "$(alarms)" "$a" "rfc6962: no ALARM for an honest growth"
queries_need_no_log 5700 "rfc6962 grown"

a=$(alarms)
mode fork
ct_sim "/sim/grow?n=100" >/dev/null
wait_alarm "$a"
tap_ok $? "rfc6962: a forked log raises an ALARM"
tap_is "$(ct_sth_size)" 5700 "rfc6962: the forked tree is never served"
mode normal
ct_wait_sth 5800 30
tap_ok $? "rfc6962: normal again, the real tree is recomputed and served"
lib_stop ctdnsd
lib_stop sim

# ---- SIGKILL in mid-sync --------------------------------------------------------
rm -rf "$DB"
ct_start_sim 60000
mode slow=1000
ct_conf "mirror: yes"
ct_start_daemon
wait_log "mirror: [0-9]* of 60000 entries" 1
tap_ok $? "kill: the sync of 60000 entries is under way"
# The marker in the store, read with LMDB's own mdb_dump while ctdnsd
# runs (readers may share the store): the writer raises it with the leaf
# index keys it keeps back for up to 2 s (src/writer_defer.h).
stored_marker() {
	mdb_dump -s meta "$DB" 2>/dev/null | "$PY" -c 'import sys
lines = [l.strip() for l in sys.stdin]
body = lines[lines.index("HEADER=END") + 1:]
n = 0
for k, v in zip(body[0::2], body[1::2]):
    if bytes.fromhex(k).startswith(b"c/"):
        n = int(v, 16)
print(n)'
}
marker_raised() {
	[ "$(stored_marker)" -gt 0 ]
}
lib_wait_until 60 marker_raised
tap_ok $? "kill: the store's marker is raised in mid-sync ($(stored_marker))"
kill -9 "$(lib_pid ctdnsd)"
mode normal
cat "$LIB_TMP/ctdnsd.err" > "$LIB_TMP/killed.err"
ct_start_daemon
wait_log "entries stored, resuming there" 1
tap_ok $? "kill: after SIGKILL the mirror resumes from its stored marker"
resumed=$(sed -n 's/.*mirror: \([0-9]*\) entries stored, resuming.*/\1/p' \
    "$LIB_TMP/ctdnsd.err" | head -1)
[ "${resumed:-0}" -gt 0 ] && [ "${resumed:-0}" -lt 60000 ]
tap_ok $? "kill: it resumes in mid-log ($resumed), not from 0"
wait_log "tree 60000 recomputed" 1
tap_ok $? "kill: the sync completes and tree 60000 is recomputed"
queries_need_no_log 60000 "resumed"
lib_stop ctdnsd
lib_stop sim

# ---- a tiled log, with its data tiles -----------------------------------------
rm -rf "$DB"
ct_start_sim 5000 --static
CT_URL_KEY=monitoring-url
ct_conf "mirror: yes" "mirror-entries: yes"
ct_start_daemon
wait_log "tree 5000 recomputed" 1
tap_ok $? "tiled: the mirror reads every level-0 and data tile"
tap_is "$(ct_sim_count tile-data)" 20 "tiled: all 20 data tiles were read"
queries_need_no_log 5000 tiled

a=$(alarms)
mode bad-data
ct_sim "/sim/grow?n=600" >/dev/null
wait_alarm "$a"
tap_ok $? "tiled: a data tile that does not match level 0 raises an ALARM"
tap_is "$(ct_sth_size)" 5000 "tiled: that tree is not served"
mode normal
ct_wait_sth 5600 30
tap_ok $? "tiled: normal again, tree 5600 is recomputed and served"

lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
