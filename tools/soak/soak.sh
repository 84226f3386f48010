#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# soak.sh -- a soak test, run by hand: sustained load near capacity on a
# warm store, with the log growing underneath. Memory must not grow, no
# answer may be lost or wrong.
#
#   tools/soak/soak.sh [MINUTES] [LEAVES]      (defaults: 3, 20000)
#
# It builds nothing: run `make` first. It needs dnsperf and Debian's
# /usr/bin/python3 with dnspython. Everything runs on 127.0.0.1.
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
. "$top_srcdir/tests/system/ctlib.sh"

minutes=${1:-3}
leaves=${2:-20000}
ct_init soak
lib_need dnsperf
ct_start_sim "$leaves" --grow 10 --interval 5
CT_VERBOSITY=1 ct_conf "upstream-concurrency: 8" "upstream-queue: 1024"
ct_start_daemon
size=$(ct_sth_size)

echo "# warming the store: $leaves leaves in tree $size"
"$PY" - "$DNS_PORT" "$ZONE" "$size" "$LIB_TMP/queries" <<'PY'
import random, socket, sys, time
import dns.message
port, zone, size, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
names = ["0.%d.%d.tree.%s." % (i, size, zone) for i in range(size)]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
todo, pending = list(names), {}
while todo or pending:
    while todo and len(pending) < 200:
        q = dns.message.make_query(todo.pop(), "TXT")
        pending[q.id] = q
        s.sendto(q.to_wire(), ("127.0.0.1", port))
    try:
        r = dns.message.from_wire(s.recv(4096))
        if r.id in pending and r.rcode() == 0:
            del pending[r.id]
        elif r.id in pending:
            todo.append(pending.pop(r.id).question[0].name.to_text())
    except socket.timeout:
        todo.extend(q.question[0].name.to_text() for q in pending.values())
        pending.clear()
with open(out, "w") as f:
    for n in random.sample(names, min(len(names), 50000)):
        f.write("%s TXT\n" % n)
    f.write("sth.%s. TXT\n" % zone)
PY

pid=$(lib_pid ctdnsd)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
# Capacity first (unthrottled, 10 s), then hold 80 % of it.
dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$LIB_TMP/queries" -c 4 -q 500 \
	-l 10 > "$LIB_TMP/capacity.out" 2>&1
cap=$(sed -n 's/.*Queries per second: *\([0-9]*\).*/\1/p' "$LIB_TMP/capacity.out")
rate=$(( ${cap:-10000} * 8 / 10 ))
echo "# capacity ${cap} qps; load at $rate qps for $minutes minute(s); RSS (KiB) every 15 s"
rss0=$(rss)
dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$LIB_TMP/queries" -c 4 -q 500 \
	-Q "$rate" -l $((minutes * 60)) -S 15 > "$LIB_TMP/dnsperf.out" 2>&1 &
perf=$!
samples="$rss0"
while kill -0 $perf 2>/dev/null; do
	sleep 15
	samples="$samples $(rss)"
done
wait $perf
echo "# RSS samples: $samples"
grep -E "Queries (sent|completed|lost)|Queries per second|Response codes" "$LIB_TMP/dnsperf.out" | sed 's/^/# /'

tap_ok 0 "soak ran $minutes minute(s)"
lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$LIB_TMP/dnsperf.out")
tap_is "${lost:-x}" 0 "no query lost"
grep -q "Response codes: *NOERROR [0-9]* (100.00%)" "$LIB_TMP/dnsperf.out"
tap_ok $? "every answer NOERROR"
last=${samples##* }
second=$(echo "$samples" | awk '{print $2}')
# After the first minute the working set is in; later growth is a leak.
[ "$last" -le $((second + second / 10)) ]
tap_ok $? "RSS does not grow (second sample $second KiB, last $last KiB)"
sample=$(shuf -n 20 "$LIB_TMP/queries" | awk '{print $1}' |
	sed -n 's/^0\.\([0-9]*\)\.\([0-9]*\)\.tree\..*/\1:\2/p')
# shellcheck disable=SC2086
ct_check tree $sample
tap_ok $? "sampled answers equal the log's"
lib_stop ctdnsd
tap_is $? 0 "clean stop after the soak"
tap_end
