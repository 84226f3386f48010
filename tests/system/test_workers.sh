#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_workers.sh -- ctdnsd with worker threads, and its TCP rules.
#
# With `workers: 2`: both worker threads run and answer; every query form
# (sth, tree, consistency, hash; hits and misses filled through the main
# loop) checked against the simulated log with dnscheck.py over UDP and
# TCP; a new STH and a reloaded zone (SIGHUP) reach every worker; SIGTERM
# stops everything cleanly. TCP (RFC 7766): pipelined queries on one
# connection all get answers, an idle connection is closed after
# tcp-idle-timeout, and connections beyond tcp-max-connections are closed.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# CTDNSD_WRAPPER, a command prefix for ctdnsd (valgrind, ...);
# LIB_KEEP_TMP=1 keeps the temporary directory.

. "${top_srcdir:-.}/tests/system/ctlib.sh"

ct_init workers
PROBE=$top_srcdir/tests/system/dnsprobe.py
H=127.0.0.1
STH_TTL=300

# The shared helpers under this test's names.
start_sim() { ct_start_sim "$@"; }
start_ctdnsd() { ct_start_named "$@"; }
check() { ct_ok "$@"; }
dnscheck() { ct_check "$@"; }
probe() { "$PY" "$PROBE" "$@"; }


# The voluntary context switches of the thread named NAME of process PID.
thread_switches() {
	for t in /proc/"$1"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
			awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status"
			return
		fi
	done
	echo 0
}

# stop_clean NAME: SIGTERM; exit status 0, every loop closed.
stop_clean() {
	lib_stop "$1" 20
	tap_is "$?" 0 "$1: SIGTERM stops it with status 0"
	if grep -q "handles left open" "$LIB_TMP/$1.err"; then
		tap_ok 1 "$1: every loop closes with no handle left"
		tap_diag "$(grep "left open" "$LIB_TMP/$1.err")"
	else
		tap_ok 0 "$1: every loop closes with no handle left"
	fi
}

# wait_answer TYPE NAME WANT: until dig answers WANT (at most 30 s).
wait_answer() {
	wa_left=300
	until dig +short -p "$PORT" @$H "$1" "$2" | grep -qx "$3"; do
		wa_left=$((wa_left - 1))
		[ $wa_left -gt 0 ] || return 1
		sleep 0.1
	done
}

# ---- two workers, every query form ----------------------------------------

start_sim 1000
start_ctdnsd w2 "workers: 2" "tcp-max-connections: 4" "tcp-idle-timeout: 2"
pid=$(lib_pid w2)

grep -q "ready: 1 log(s), 1 listen address(es), 2 worker(s)" \
    "$LIB_TMP/w2.err"
tap_ok $? "the ready line names 2 workers"
nthreads=0
for t in /proc/"$pid"/task/*; do
	case $(cat "$t/comm" 2>/dev/null) in
	ctdnsd-w0|ctdnsd-w1) nthreads=$((nthreads + 1)) ;;
	esac
done
tap_is "$nthreads" 2 "threads ctdnsd-w0 and ctdnsd-w1 run"

# Queries from many source ports: SO_REUSEPORT spreads them; each worker
# thread must wake up to answer (its context switches grow).
a0=$(thread_switches "$pid" ctdnsd-w0)
a1=$(thread_switches "$pid" ctdnsd-w1)
check "200 UDP queries from 200 source ports are all answered" \
    probe spread $H "$PORT" "sth.$ZONE" 200
b0=$(thread_switches "$pid" ctdnsd-w0)
b1=$(thread_switches "$pid" ctdnsd-w1)
tap_ok "$([ $((b0 - a0)) -ge 10 ] && echo 0 || echo 1)" \
    "worker 0 answered some of them ($((b0 - a0)) wake-ups)"
tap_ok "$([ $((b1 - a1)) -ge 10 ] && echo 0 || echo 1)" \
    "worker 1 answered some of them ($((b1 - a1)) wake-ups)"

# The store is cold: the first of these are misses that travel to the
# main loop for their fill and back to the worker that received them.
check "sth over UDP" dnscheck sth
check "sth over TCP" dnscheck --tcp sth
check "audit paths (misses, then hits) over UDP" \
    dnscheck tree 0:1000 5:1000 999:1000 512:1000 7:8 0:1 100:513 5:1000
check "audit paths over TCP" \
    dnscheck --tcp tree 1:1000 6:1000 998:1000 300:999 5:1000
check "consistency proofs over UDP" \
    dnscheck consistency 1:1000 432:1000 512:1000 999:1000 7:8 256:512
check "consistency proofs over TCP" \
    dnscheck --tcp consistency 2:1000 433:900 432:1000
check "leaf hashes over UDP" dnscheck hash 0 5 999 123 5
check "leaf hashes over TCP" dnscheck --tcp hash 1 6 998
# Every worker, every form: repeat from many source ports.
i=0
st=0
while [ $i -lt 6 ]; do
	dnscheck tree $((i * 37)):1000 >/dev/null 2>&1 || st=1
	dnscheck hash $((i * 41 + 3)) >/dev/null 2>&1 || st=1
	dnscheck consistency $((i + 10)):1000 >/dev/null 2>&1 || st=1
	i=$((i + 1))
done
tap_ok $st "misses from many source ports (both workers) all verify"

# ---- TCP: pipelining, idle timeout, connection cap -------------------------

names=""
for q in sth 0.5.1000.tree 0.600.1000.tree 0.5.1000.tree 1.5.1000.tree \
    0.601.999.tree 0.5.997.sth-consistency 0.1.1000.sth-consistency \
    0.602.1000.tree sth 0.603.1000.tree 7.603.1000.tree; do
	names="$names $q.$ZONE."
done
check "12 pipelined queries on one connection (hits and misses) all answered" \
    probe pipeline $H "$PORT" $names
idle=$(probe idle $H "$PORT")
tap_ok "$(echo "$idle" | awk '{ exit !($1 >= 1.5 && $1 <= 15) }'; echo $?)" \
    "a silent connection is closed after tcp-idle-timeout 2 s ($idle s)"
check "tcp-max-connections 4: a 5th connection is closed, the 4 answer" \
    probe cap $H "$PORT" 4 "sth.$ZONE."
check "after the cap test, TCP serves again" dnscheck --tcp sth

# ---- a new STH and a reloaded zone reach every worker ----------------------

curl -s "${SIM_URL}sim/grow?n=24" >/dev/null
i=0
while [ $i -lt 120 ]; do
	if dig +short -p "$PORT" @$H TXT "sth.$ZONE" | grep -q '^"1024\.'; then
		break
	fi
	sleep 0.25
	i=$((i + 1))
done
st=0
n=0
while [ $n -lt 30 ]; do
	# dig uses a new source port each time: both workers are asked.
	dig +short -p "$PORT" @$H TXT "sth.$ZONE" | grep -q '^"1024\.' || st=1
	n=$((n + 1))
done
tap_ok $st "the grown tree (1024) is served by every worker"
check "proofs in the grown tree" dnscheck tree 1000:1024 5:1024
check "consistency into the grown tree" dnscheck consistency 1000:1024

sed 's/^ns1	IN	A	127.0.0.1/ns1	IN	A	192.0.2.53/' \
    "$LIB_TMP/w2.zone" >"$LIB_TMP/w2.zone.new"
mv "$LIB_TMP/w2.zone.new" "$LIB_TMP/w2.zone"
ct_hup w2
tap_ok $? "SIGHUP: the reload ends"
wait_answer A "ns1.$ZONE" 192.0.2.53
st=0
n=0
while [ $n -lt 30 ]; do
	dig +short -p "$PORT" @$H A "ns1.$ZONE" | grep -qx '192.0.2.53' || st=1
	n=$((n + 1))
done
tap_ok $st "SIGHUP: the reloaded zone is served by every worker"
printf 'bad\tIN\tA\t999.1.1.1\n' >>"$LIB_TMP/w2.zone"
ct_hup w2
grep -q "keeping the running configuration" "$LIB_TMP/w2.err"
tap_ok $? "SIGHUP with a broken zone file logs why"
st=0
n=0
while [ $n -lt 10 ]; do
	dig +short -p "$PORT" @$H A "ns1.$ZONE" | grep -qx '192.0.2.53' || st=1
	n=$((n + 1))
done
tap_ok $st "and every worker keeps serving the loaded zone"
kill -0 "$pid"
tap_ok $? "ctdnsd is still running"
stop_clean w2

# ---- one worker: the same answers on the single loop ---------------------

start_ctdnsd w1 "workers: 1"
nthreads=$(ls /proc/"$(lib_pid w1)"/task | wc -l)
tap_is "$(grep -c ctdnsd-w /proc/"$(lib_pid w1)"/task/*/comm | \
    awk -F: '{ s += $2 } END { print s }')" 0 \
    "workers: 1 starts no worker thread ($nthreads threads)"
check "workers 1: proofs" dnscheck tree 5:1024 1023:1024
check "workers 1: pipelined queries" probe pipeline $H "$PORT" $names
stop_clean w1

tap_end
