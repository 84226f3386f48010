#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_rrl.sh -- response rate limiting on UDP, from loopback.
#
# ctdnsd with rrl-rate 10 and rrl-slip 2 (two workers sharing the table):
# a flood of 200 queries from one source gets about the burst of 10 full
# answers, about half of the rest truncated (TC=1, no records) and the
# other half dropped; a TCP query still gets its answer at once; NXDOMAIN
# answers have a bucket of their own, and so does a second zone (another
# log) asked by the same client. Without rrl-rate, the same flood is
# answered in full.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# CTDNSD_WRAPPER, a command prefix for ctdnsd; LIB_KEEP_TMP=1 keeps the
# temporary directory.

. "${top_srcdir:-.}/tests/system/ctlib.sh"

ct_init rrl
PROBE=$top_srcdir/tests/system/dnsprobe.py
H=127.0.0.1
STH_TTL=300

# The shared helpers under this test's names.
start_sim() { ct_start_sim "$@"; }
start_ctdnsd() { ct_start_named "$@"; }
check() { ct_ok "$@"; }
dnscheck() { ct_check "$@"; }
probe() { "$PY" "$PROBE" "$@"; }

# field NAME: the number after NAME in $LIB_TMP/flood.out.
field() {
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' \
	    "$LIB_TMP/flood.out"
}

# within LO X HI: status 0 when LO <= X <= HI.
within() {
	[ "$1" -le "$2" ] && [ "$2" -le "$3" ]
}

start_sim 100
# The second zone: its own simulated log.
ZONE2=two.ct.example
ct_start_sim2 100 rrl-two
sed "s/demo\.ct\.example/$ZONE2/g" "$top_srcdir/zones/demo.ct.example.zone" \
	>"$LIB_TMP/two.zone"
CT_MORE_LOGS="log:
    name: two
    zone: $ZONE2.
    zonefile: $LIB_TMP/two.zone
    url: $SIM2_URL
    key: $SIM2_KEY
    sth-refresh: 1"
start_ctdnsd rrl "workers: 2" "rrl-rate: 10" "rrl-slip: 2"
CT_MORE_LOGS=
n=0
until dig +short +time=2 +tries=1 -p "$PORT" @$H TXT "sth.$ZONE2" |
    grep -q '"' || [ $n -ge 300 ]; do
	n=$((n + 1))
	sleep 0.1
done

"$PY" "$PROBE" flood $H "$PORT" "sth.$ZONE." 200 >"$LIB_TMP/flood.out"
tap_ok $? "a flood of 200 UDP queries from one address"
tap_diag "$(cat "$LIB_TMP/flood.out")"
full=$(field full)
tc=$(field tc)
lost=$(field lost)
other=$(field other)
# The flood lasted secs (longer on a loaded machine): 10 more per second.
secs=$(field secs)
hi=$((30 + 10 * ${secs%.*}))
within 5 "$full" "$hi"
tap_ok $? "about the burst of 10 full answers, and no more ($full, at most $hi)"
rest=$((200 - full))
within $((rest / 3)) "$tc" $((rest * 2 / 3))
tap_ok $? "about half of the rest truncated, TC=1 without records ($tc)"
within $((rest / 3)) "$lost" $((rest * 2 / 3))
tap_ok $? "the other half dropped ($lost)"
tap_is "$other" 0 "no other answer"

dnscheck --tcp sth >"$LIB_TMP/tcp.out" 2>&1
tap_ok $? "over TCP the same client is answered at once"
dig +time=5 +tries=1 -p "$PORT" @$H TXT "nosuch.$ZONE" >"$LIB_TMP/nx.out"
grep -q "status: NXDOMAIN" "$LIB_TMP/nx.out" &&
    ! grep -q "flags:.* tc" "$LIB_TMP/nx.out"
tap_ok $? "an NXDOMAIN answer has its own bucket: sent in full"
# Right after a flood for one zone, the same client asks the other.
"$PY" "$PROBE" flood $H "$PORT" "sth.$ZONE." 100 - "sth.$ZONE2." \
    >"$LIB_TMP/flood.out"
tap_diag "$(cat "$LIB_TMP/flood.out")"
tap_is "$(field then)" full \
    "the other zone's answers have their own bucket: sent in full at once"
lib_stop rrl 20
tap_is "$?" 0 "SIGTERM stops it with status 0"

start_ctdnsd norrl "workers: 1"
"$PY" "$PROBE" flood $H "$PORT" "sth.$ZONE." 200 >"$LIB_TMP/flood.out"
tap_diag "$(cat "$LIB_TMP/flood.out")"
tap_is "$(field full)" 200 "without rrl-rate all 200 are answered in full"
lib_stop norrl 20
tap_is "$?" 0 "SIGTERM stops it with status 0"

tap_end
