#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_upstream.sh -- DNS traffic never becomes a flood upstream: identical
# misses in flight share one request, each log has a concurrency cap and a
# bounded queue, and beyond them queries get SERVFAIL at once. Counted
# from the simulated log's request counters.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init upstream
ct_start_sim 1000
ct_conf "upstream-concurrency: 2" "upstream-queue: 4" "upstream-timeout: 5"
ct_start_daemon

# Query in parallel: print one rcode per line.
parallel() {
	pids=""
	for q in "$@"; do
		ct_rcode +time=6 TXT "$q" &
		pids="$pids $!"
	done
	# Not a bare wait: the log and the daemon are children too.
	# shellcheck disable=SC2086
	wait $pids
}

ct_sim "/sim/mode?set=slow=1000" >/dev/null
sleep 1.5   # let the poller's get-sth in slow mode finish
before=$(ct_sim_count get-entry-and-proof)
names=""
for i in $(seq 20); do names="$names 0.500.1000.tree.$ZONE"; done
# shellcheck disable=SC2086
parallel $names > "$LIB_TMP/rcodes"
after=$(ct_sim_count get-entry-and-proof)
tap_is "$((after - before))" 1 "20 identical concurrent misses cost 1 upstream request"
tap_is "$(grep -c NOERROR "$LIB_TMP/rcodes")" 20 "and all 20 are answered"

before=$(ct_sim_count get-proof-by-hash)
h=$("$PY" -c 'import base64, sys
print(base64.b32encode(bytes.fromhex(sys.argv[1])).decode().rstrip("="))' "$(ct_leaf 321)")
names=""
for i in $(seq 10); do names="$names $h.hash.$ZONE"; done
# shellcheck disable=SC2086
parallel $names > "$LIB_TMP/rcodes"
tap_is "$(( $(ct_sim_count get-proof-by-hash) - before ))" 1 \
	"10 identical concurrent hash misses cost 1 upstream request"
tap_is "$(grep -c NOERROR "$LIB_TMP/rcodes")" 10 "and all 10 are answered"

# 30 distinct misses against a cap of 2 active + 4 queued.
before=$(ct_sim_count get-entry-and-proof)
names=""
for i in $(seq 600 629); do names="$names 0.$i.1000.tree.$ZONE"; done
start=$(date +%s%N)
# shellcheck disable=SC2086
parallel $names > "$LIB_TMP/rcodes"
reqs=$(( $(ct_sim_count get-entry-and-proof) - before ))
[ "$reqs" -le 6 ]
tap_ok $? "30 distinct misses: at most 2 + 4 upstream requests ($reqs)"
tap_is "$(grep -c NOERROR "$LIB_TMP/rcodes")" "$reqs" "as many answered as were fetched"
tap_is "$(grep -c SERVFAIL "$LIB_TMP/rcodes")" "$((30 - reqs))" "the rest: SERVFAIL"
# Fill the pool for 4 s, then ask for one more.
ct_sim "/sim/mode?set=slow=4000" >/dev/null
fast=$("$PY" - "$DNS_PORT" "$ZONE" <<'PY'
import socket, sys, time
import dns.message, dns.rcode
port, zone = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Ten distinct misses at once: the pool (2 + 4) fills, the rest overflow.
for i in range(700, 710):
    q = dns.message.make_query("0.%d.1000.tree.%s." % (i, zone), "TXT")
    s.sendto(q.to_wire(), ("127.0.0.1", port))
time.sleep(0.5)
probe = dns.message.make_query("0.799.1000.tree.%s." % zone, "TXT")
t = time.monotonic()
s.sendto(probe.to_wire(), ("127.0.0.1", port))
s.settimeout(3.0)
try:
    while True:
        r = dns.message.from_wire(s.recv(4096))
        if r.id == probe.id:
            break
    print(dns.rcode.to_text(r.rcode()), int((time.monotonic() - t) * 1000))
except socket.timeout:
    print("timeout", int((time.monotonic() - t) * 1000))
PY
)
rc=${fast% *}; ms=${fast#* }
tap_is "$rc" SERVFAIL "with the pool full, a further miss gets SERVFAIL"
[ "$ms" -lt 1500 ]
tap_ok $? "at once (${ms} ms), while the log takes 4 s"

ct_sim "/sim/mode?set=normal" >/dev/null
sleep 5     # the slow requests still in flight drain

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
sleep 1
before=$(ct_sim_count get-proof-by-hash)
flood=$("$PY" - "$DNS_PORT" "$ZONE" <<'PY'
import base64, os, socket, sys, time
import dns.message, dns.rcode
port, zone = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.01)
counts, sent, t0 = {}, 0, time.monotonic()
# 300 random (cache-busting) hashes over 3 seconds.
while sent < 300 or time.monotonic() - t0 < 4.0:
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
limit=$(( (${secs%.*} + 2) * 5 + 4 ))
[ "$reqs" -le "$limit" ]
tap_ok $? "300 random hashes in 3 s reach the log at most 5/s: $reqs requests in ${secs} s (limit $limit)"
tap_is "$answered" 300 "every query is answered ($nxd NXDOMAIN, $sf SERVFAIL)"
[ "$sf" -ge 250 ]
tap_ok $? "beyond the rate: SERVFAIL at once ($sf)"

lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
