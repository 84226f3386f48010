#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_rrl.sh -- response rate limiting on UDP, from loopback.
#
# ctdnsd with rrl-rate 10 and rrl-slip 2 (two workers sharing the table):
# a flood of 200 queries from one source gets about the burst of 10 full
# answers, about half of the rest truncated (TC=1, no records) and the
# other half dropped; a TCP query still gets its answer at once; NXDOMAIN
# answers have a bucket of their own. Without rrl-rate, the same flood is
# answered in full.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# CTDNSD_WRAPPER, a command prefix for ctdnsd; LIB_KEEP_TMP=1 keeps the
# temporary directory.

. "${top_srcdir:-.}/tests/system/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || lib_skip_all "$PY not found"
"$PY" -c 'import dns.message' 2>/dev/null || lib_skip_all "no dnspython"
lib_need curl dig
lib_init rrl

SIM=$top_builddir/tools/ctlog-sim/ctlog-sim
CTDNSD=$top_builddir/src/ctdnsd
DNSCHECK=$top_srcdir/tests/system/dnscheck.py
PROBE=$top_srcdir/tests/system/dnsprobe.py
ZONE=demo.ct.example
H=127.0.0.1

# ---- local helpers (start the simulated log and ctdnsd) ------------------

# start_sim ENTRIES: sets SIM_URL.
start_sim() {
	lib_start sim "$SIM" -p 0 -n "$1" --ready-file "$LIB_TMP/sim.port"
	lib_wait_file "$LIB_TMP/sim.port" 60 || {
		echo "Bail out! ctlog-sim does not start"
		exit 1
	}
	SIM_URL=http://127.0.0.1:$(cat "$LIB_TMP/sim.port")/
	SIM_KEY=$("$SIM" --print-key)
}

# start_ctdnsd NAME [SERVER-KEY-LINES...]: sets PORT; waits for an STH.
start_ctdnsd() {
	name=$1
	shift
	PORT=$(lib_free_port)
	cp "$top_srcdir/zones/demo.ct.example.zone" "$LIB_TMP/$name.zone"
	{
		echo "server:"
		echo "	listen: $H@$PORT"
		echo "	database: $LIB_TMP/$name.db"
		echo "	database-size: 64M"
		echo "	verbosity: 2"
		for l in "$@"; do
			echo "	$l"
		done
		echo "log:"
		echo "	name: demo"
		echo "	zone: $ZONE."
		echo "	zonefile: $LIB_TMP/$name.zone"
		echo "	url: $SIM_URL"
		echo "	key: $SIM_KEY"
		echo "	sth-refresh: 1"
		echo "	proof-ttl: 86400"
		echo "	sth-ttl: 300"
	} >"$LIB_TMP/$name.conf"
	lib_start "$name" ${CTDNSD_WRAPPER:-} "$CTDNSD" -c "$LIB_TMP/$name.conf" -d
	i=0
	until dig +short +time=1 +tries=1 -p "$PORT" @$H TXT "sth.$ZONE" \
	    2>/dev/null | grep -q '"'; do
		i=$((i + 1))
		if [ $i -gt 60 ] || ! kill -0 "$(lib_pid "$name")" 2>/dev/null
		then
			echo "Bail out! ctdnsd $name does not serve"
			sed 's/^/# /' "$LIB_TMP/$name.err"
			exit 1
		fi
		sleep 0.5
	done
}

# check DESC CMD...: one test; CMD's output becomes diagnostics on failure.
check() {
	check_desc=$1
	shift
	"$@" >"$LIB_TMP/check.out" 2>&1
	check_st=$?
	tap_ok "$check_st" "$check_desc"
	if [ "$check_st" -ne 0 ]; then
		tap_diag "$(cat "$LIB_TMP/check.out")"
	fi
}

dnscheck() {
	"$PY" "$DNSCHECK" $H "$PORT" $ZONE "$SIM_URL" --proof-ttl 86400 \
	    --sth-ttl 300 "$@"
}

probe() {
	"$PY" "$PROBE" "$@"
}

dnscheck() {
	"$PY" "$DNSCHECK" $H "$PORT" $ZONE "$SIM_URL" "$@"
}

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
start_ctdnsd rrl "workers: 2" "rrl-rate: 10" "rrl-slip: 2"

"$PY" "$PROBE" flood $H "$PORT" "sth.$ZONE." 200 >"$LIB_TMP/flood.out"
tap_ok $? "a flood of 200 UDP queries from one address"
tap_diag "$(cat "$LIB_TMP/flood.out")"
full=$(field full)
tc=$(field tc)
lost=$(field lost)
other=$(field other)
within 5 "$full" 30
tap_ok $? "about the burst of 10 full answers, and no more ($full)"
within 60 "$tc" 120
tap_ok $? "about half of the rest truncated, TC=1 without records ($tc)"
within 60 "$lost" 120
tap_ok $? "the other half dropped ($lost)"
tap_is "$other" 0 "no other answer"

dnscheck --tcp sth >"$LIB_TMP/tcp.out" 2>&1
tap_ok $? "over TCP the same client is answered at once"
dig +time=2 +tries=1 -p "$PORT" @$H TXT "nosuch.$ZONE" >"$LIB_TMP/nx.out"
grep -q "status: NXDOMAIN" "$LIB_TMP/nx.out" &&
    ! grep -q "flags:.* tc" "$LIB_TMP/nx.out"
tap_ok $? "an NXDOMAIN answer has its own bucket: sent in full"
lib_stop rrl 20
tap_is "$?" 0 "SIGTERM stops it with status 0"

start_ctdnsd norrl "workers: 1"
"$PY" "$PROBE" flood $H "$PORT" "sth.$ZONE." 200 >"$LIB_TMP/flood.out"
tap_diag "$(cat "$LIB_TMP/flood.out")"
tap_is "$(field full)" 200 "without rrl-rate all 200 are answered in full"
lib_stop norrl 20
tap_is "$?" 0 "SIGTERM stops it with status 0"

tap_end
