#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_tiled_partial.sh -- ctdnsd in front of a static-ct-api log that
# deletes its partial tiles once the full tile exists (C2SP tlog-tiles
# allows it; ctlog-sim mode no-partial): proofs at an older tree size,
# whose right edge was partial tiles, are computed from the full tiles.
#
# The log starts at 300 (level-0 tile 1 holds 44 hashes, level-1 tile 0
# one) and the daemon adopts that head. Its sth-refresh is a day, so it
# does not poll again until the test says so. The log grows to 70000,
# which fills both tiles, and deletes the partial ones. Queries at 300
# (still the served head) then need the right edge of 300: the partial
# tiles answer 404, and the daemon must ask for the full tiles. Then a
# reload makes the daemon poll: it adopts 70000, and proofs between the
# two sizes and at both equal the log's own. The log's counters show the
# partial tiles refused and the full ones fetched; the daemon's log has no
# ALARM (a deleted partial tile is no lie).
#
# Why the queries at 300 come before the poll: the daemon proves a new
# head consistent from the tiles of the new tree, where the old right edge
# lies in full tiles, and keeps every node of them. Had it polled first,
# no later proof at 300 would ask a tile of 300 at all, and the fallback
# would go untested (checked: with it disabled in source_tiled.c, the
# checks at 300 fail and those after the poll still pass).
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init tiledpartial
ct_start_sim 300 --static
CT_URL_KEY=monitoring-url
CT_STH_REFRESH=86400
ct_conf "upstream-timeout: 2"
ct_start_daemon

mode() { ct_sim "/sim/mode?set=$1" >/dev/null; }
alarms() { grep -c "ALARM" "$LIB_TMP/ctdnsd.err"; }
# stat KEY: a number of /sim/stats; KEY may name a nested one (a.b).
stat() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}
tiles() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(sum(v for k, v in s.items() if k.startswith("tile-")))'
}

# --- the head of 300 --------------------------------------------------------
ct_wait_sth 300 20
tap_ok $? "the daemon serves the log's first head (300)"
tap_is "$(tiles)" 0 \
    "adopting the first head asked no tile (the tiles of 300 come later)"

# --- the log grows to 70000 and deletes the partial tiles of 300 -----------
ct_sim "/sim/grow?n=69700" >/dev/null
mode no-partial
tap_is "$(ct_sim /sim/mode | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print("%s/%d" % (s["mode"], s["tree_size"]))')" no-partial/70000 \
    "the log is at 70000, its partial tiles of full tiles gone"
ct_sim /sim/reset-stats >/dev/null

# --- proofs at 300, the served head: the right edge from full tiles ---------
tap_is "$(ct_sth_size)" 300 "the daemon still serves 300 (no poll yet)"
ct_check tree 290:300 299:300 256:300 5:300 0:300
tap_ok $? "audit paths in the tree of 300 equal the log's (its edge's partial tiles gone)"
ct_check consistency 100:300 256:300 299:300
tap_ok $? "consistency proofs to 300 equal the log's"
gone0=$(stat partial-gone.tile-0) gone1=$(stat partial-gone.tile-1)
full0=$(stat full.tile-0) full1=$(stat full.tile-1)
tap_ok "$([ "$gone0" -ge 1 ] && [ "$gone1" -ge 1 ]; echo $?)" \
    "the log refused partial tiles at levels 0 and 1 ($gone0, $gone1)"
tap_ok "$([ "$full0" -ge 1 ] && [ "$full1" -ge 1 ]; echo $?)" \
    "and the daemon fetched full tiles at levels 0 and 1 ($full0, $full1)"

# --- the daemon polls: 70000 is proved consistent with 300 from tiles -------
CT_STH_REFRESH=1
ct_conf "upstream-timeout: 2"
ct_hup
ct_log_has "reload: serving"
tap_ok $? "a reload with sth-refresh 1 is applied"
ct_wait_sth 70000 60
tap_ok $? "the new head (70000) is served after its consistency with 300 is proved"
ct_check sth
tap_ok $? "sth text equals the log's own tree head"
ct_check consistency 300:70000 100:70000 299:70000 1000:70000
tap_ok $? "consistency proofs from the old size (300) to 70000 equal the log's"
ct_check tree 290:300 299:300 290:70000 69999:70000 65535:70000
tap_ok $? "audit paths at the old size and the new equal the log's"
ct_ok "ctdns verifies the consistency proof 300 -> 70000" \
    ct_client consistency "$ZONE" 300 70000
tap_is "$(alarms)" 0 "no ALARM: a deleted partial tile is not a lie"

lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
