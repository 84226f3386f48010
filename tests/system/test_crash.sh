#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_crash.sh -- crash safety: ctdnsd is killed with SIGKILL while it is
# filling its store under load. After a restart, with the log down, every
# answer it gave before the kill is given again, byte for byte (nothing
# committed is lost: an answer is only sent after its data is committed),
# and with the log back every answer still equals the log's.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init crash
# A port outside the ephemeral range: no outgoing connection takes it
# while the log is down, so the log comes back on it.
SIM_PORT=$(lib_free_port)
ct_start_sim 2000
ct_conf "upstream-concurrency: 8" "upstream-queue: 256"
ct_start_daemon

# Load: distinct misses as fast as they are answered; each answer that
# arrives is recorded (name and bytes) until the file STOP appears (the
# daemon has been killed) or 120 s pass.
: > "$LIB_TMP/answered"
"$PY" - "$DNS_PORT" "$ZONE" "$LIB_TMP/answered" "$LIB_TMP/stop" <<'PY' &
import os, random, socket, sys, time
import dns.message, dns.rcode
port, zone, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
random.seed(7)
leaves = random.sample(range(2000), 600)
names = []
for i in leaves:
    names.append("0.%d.2000.tree.%s." % (i, zone))
    names.append("7.%d.2000.tree.%s." % (i, zone))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
pending, done = {}, open(out, "w")
next_id = 0     # unique IDs: random ones collide among 64 in flight
t0 = time.monotonic()
while (names or pending) and not os.path.exists(stop) and \
        time.monotonic() - t0 < 120:
    while names and len(pending) < 64:
        n = names.pop()
        q = dns.message.make_query(n, "TXT", id=next_id)
        next_id += 1
        pending[q.id] = n
        s.sendto(q.to_wire(), ("127.0.0.1", port))
    try:
        r = dns.message.from_wire(s.recv(4096))
    except (socket.timeout, ConnectionRefusedError):
        continue
    n = pending.pop(r.id, None)
    if n and r.rcode() == dns.rcode.NOERROR and r.answer:
        done.write("%s %s\n" % (n, b"".join(r.answer[0][0].strings).hex()))
        done.flush()
PY
loader=$!
# Kill it in the middle of the load: once 50 answers have come (at most
# 60 s), with 1150 more to fill.
n=600
while [ "$(wc -l < "$LIB_TMP/answered")" -le 50 ] && [ $n -gt 0 ] &&
    kill -0 $loader 2>/dev/null; do
	n=$((n - 1))
	sleep 0.1
done
kill -KILL "$(lib_pid ctdnsd)"
touch "$LIB_TMP/stop"
wait $loader
rm -f "$LIB_TMP/ctdnsd.pid"
got=$(wc -l < "$LIB_TMP/answered")
[ "$got" -gt 50 ] && [ "$got" -lt 1200 ]
tap_ok $? "the daemon answered under load before SIGKILL ($got answers of 1200)"

# Restart with the log down: everything answered before is still there.
lib_stop sim
ct_start_daemon
"$PY" - "$DNS_PORT" "$LIB_TMP/answered" <<'PY'
import sys
import dns.message, dns.query, dns.rcode
port, path = int(sys.argv[1]), sys.argv[2]
bad = 0
for line in open(path):
    name, want = line.split()
    r = dns.query.udp(dns.message.make_query(name, "TXT"), "127.0.0.1",
                      port=port, timeout=10)
    got = b"".join(r.answer[0][0].strings).hex() if r.answer else ""
    if r.rcode() != dns.rcode.NOERROR or got != want:
        bad += 1
        print("# lost or changed: %s: rcode %s, %d answer bytes" % (name, dns.rcode.to_text(r.rcode()), len(got) // 2))
sys.exit(1 if bad else 0)
PY
tap_ok $? "after SIGKILL and restart, with the log down, every answer given before is given again"
tap_is "$(ct_sth_size)" 2000 "the stored STH is served"

# The log is back (same seed, same port): answers equal the log's.
rm -f "$LIB_TMP/sim.port"
lib_start sim "$CTLOG_SIM" -a 127.0.0.1 -p "$SIM_PORT" -n 2000 \
	--ready-file "$LIB_TMP/sim.port"
if ! lib_wait_file "$LIB_TMP/sim.port" 60; then
	echo "Bail out! ctlog-sim did not start again on port $SIM_PORT"
	exit 99
fi
sample=$(head -40 "$LIB_TMP/answered" | awk '{print $1}' |
	sed -n 's/^[0-9]*\.\([0-9]*\)\.\([0-9]*\)\.tree\..*/\1:\2/p' | sort -u | head -20)
# shellcheck disable=SC2086
ct_check tree $sample
tap_ok $? "with the log back, stored and new answers equal the log's"
lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
