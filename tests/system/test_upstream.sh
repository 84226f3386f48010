#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_upstream.sh -- DNS traffic never becomes a flood upstream: identical
# misses in flight share one request, each log has a concurrency cap and a
# bounded queue, and beyond them queries get SERVFAIL at once. Counted
# from the simulated log's request counters.
#
# Every burst leaves one socket in one go (dnsprobe.py burst) while the
# simulated log holds every request (mode hold) until the burst has been
# taken in, so the counts depend on the caps, not on the scheduler.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init upstream
PROBE=$top_srcdir/tests/system/dnsprobe.py
ct_start_sim 1000
# One STH poll at start and no more: the pool holds only the fills counted.
CT_STH_REFRESH=3600
ct_conf "upstream-concurrency: 2" "upstream-queue: 4" "upstream-timeout: 30"
ct_start_daemon
RELEASE=${SIM_URL}sim/mode?set=normal

# burst EARLY NAME... [-- LATER...]: hold the log, send the burst, release
# the log after EARLY answers (and the LATER names' answers); one line per
# query in $LIB_TMP/rcodes: "RCODE early|late" or "lost".
burst() {
	ct_sim "/sim/mode?set=hold" >/dev/null
	b_early=$1
	shift
	"$PY" "$PROBE" burst 127.0.0.1 "$DNS_PORT" "$b_early" "$RELEASE" "$@" \
	    > "$LIB_TMP/rcodes"
	tap_diag "$(sort "$LIB_TMP/rcodes" | uniq -c)"
}

# nlines TEXT: how many lines of $LIB_TMP/rcodes are TEXT.
nlines() {
	grep -c -x -- "$1" "$LIB_TMP/rcodes"
}

# Identical misses: the log holds the one request until a store hit sent
# after them is answered, so all of them are in the daemon together.
before=$(ct_sim_count get-entry-and-proof)
names=""
for i in $(seq 20); do names="$names 0.500.1000.tree.$ZONE."; done
# shellcheck disable=SC2086
burst 0 $names -- "sth.$ZONE."
tap_is "$(( $(ct_sim_count get-entry-and-proof) - before ))" 1 \
	"20 identical concurrent misses cost 1 upstream request"
tap_is "$(nlines "NOERROR late")" 20 \
	"and all 20 are answered, once the log answers"

before=$(ct_sim_count get-proof-by-hash)
h=$("$PY" -c 'import base64, sys
print(base64.b32encode(bytes.fromhex(sys.argv[1])).decode().rstrip("="))' "$(ct_leaf 321)")
names=""
for i in $(seq 10); do names="$names $h.hash.$ZONE."; done
# shellcheck disable=SC2086
burst 0 $names -- "sth.$ZONE."
tap_is "$(( $(ct_sim_count get-proof-by-hash) - before ))" 1 \
	"10 identical concurrent hash misses cost 1 upstream request"
tap_is "$(nlines "NOERROR late")" 10 "and all 10 are answered"

# 30 distinct misses against a cap of 2 active + 4 queued: the log holds
# the 2 until the other 24 are answered; then one further miss.
before=$(ct_sim_count get-entry-and-proof)
names=""
for i in $(seq 600 629); do names="$names 0.$i.1000.tree.$ZONE."; done
# shellcheck disable=SC2086
burst 24 $names -- "0.799.1000.tree.$ZONE."
reqs=$(( $(ct_sim_count get-entry-and-proof) - before ))
tap_is "$reqs" 6 "30 distinct misses: 2 + 4 upstream requests, no more"
tap_is "$(head -30 "$LIB_TMP/rcodes" | grep -c -x "NOERROR late")" 6 \
	"as many answered as were fetched, once the log answers"
tap_is "$(head -30 "$LIB_TMP/rcodes" | grep -c -x "SERVFAIL early")" 24 \
	"the rest: SERVFAIL at once, while the log still holds the first"
tap_is "$(tail -1 "$LIB_TMP/rcodes")" "SERVFAIL early" \
	"with the pool full, a further miss gets SERVFAIL at once"

# The same unknown leaf hash asked again and again: one upstream request.
before=$(ct_sim_count get-proof-by-hash)
unknown=$("$PY" -c 'import base64, os
print(base64.b32encode(os.urandom(32)).decode().rstrip("="))')
nx=0
for i in $(seq 20); do
	[ "$(ct_rcode TXT "$unknown.hash.$ZONE")" = NXDOMAIN ] && nx=$((nx + 1))
done
tap_is $nx 20 "an unknown leaf hash is NXDOMAIN, 20 times"
tap_is "$(( $(ct_sim_count get-proof-by-hash) - before ))" 1 \
	"and costs the log one request (negative caching)"

# A flood of random leaf hashes against upstream-rate: 5 per second.
lib_stop ctdnsd
ct_conf "upstream-concurrency: 2" "upstream-queue: 4" "upstream-rate: 5"
ct_start_daemon
before=$(ct_sim_count get-proof-by-hash)
flood=$("$PY" - "$DNS_PORT" "$ZONE" <<'PY'
import base64, os, socket, sys, time
import dns.message, dns.rcode
port, zone = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.01)
counts, sent, t0 = {}, 0, time.monotonic()
# 300 random (cache-busting) hashes over 3 seconds (longer if this process
# is slowed down), then every answer, for at most 30 s more.
while sum(counts.values()) < 300 and time.monotonic() - t0 < 33.0:
    if sent < 300 and time.monotonic() - t0 > sent / 100.0:
        h = base64.b32encode(os.urandom(32)).decode().rstrip("=")
        q = dns.message.make_query("%s.hash.%s." % (h, zone), "TXT")
        s.sendto(q.to_wire(), ("127.0.0.1", port))
        sent += 1
    try:
        r = dns.message.from_wire(s.recv(4096))
        k = dns.rcode.to_text(r.rcode())
        counts[k] = counts.get(k, 0) + 1
    except socket.timeout:
        pass
print("%.1f %d %d %d" % (time.monotonic() - t0, sum(counts.values()),
      counts.get("NXDOMAIN", 0), counts.get("SERVFAIL", 0)))
PY
)
set -- $flood
secs=$1; answered=$2; nxd=$3; sf=$4
reqs=$(( $(ct_sim_count get-proof-by-hash) - before ))
# Every request starts within the flood's seconds (from the first query
# to the last answer), one token per 1/5 s; 2 s of slack, and the queue.
limit=$(( (${secs%.*} + 2) * 5 + 4 ))
[ "$reqs" -le "$limit" ]
tap_ok $? "300 random hashes in 3 s reach the log at most 5/s: $reqs requests in ${secs} s (limit $limit)"
tap_is "$answered" 300 "every query is answered ($nxd NXDOMAIN, $sf SERVFAIL)"
[ "$sf" -ge $((300 - limit)) ] && [ $((nxd + sf)) -eq 300 ]
tap_ok $? "beyond the rate: SERVFAIL ($sf, at least 300 - $limit)"

lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
