#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_config.sh -- ctdnsd --check and start-up errors: a bad configuration
# or zone file names the file and the line and exits 1; a good one exits 0.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init config
SIM_URL=http://127.0.0.1:9/
SIM_KEY=$("$CTLOG_SIM" --print-key)
ct_conf
"$CTDNSD" -c "$CONF" --check > "$LIB_TMP/out" 2>&1
tap_ok $? "--check accepts a good configuration"
grep -q ": ok" "$LIB_TMP/out"
tap_ok $? "and says so"

sed 's/sth-refresh: 1/sth-refrsh: 1/' "$CONF" > "$LIB_TMP/bad.conf"
"$CTDNSD" -c "$LIB_TMP/bad.conf" --check > "$LIB_TMP/out" 2>&1
tap_is $? 1 "--check exits 1 on an unknown key"
line=$(grep -n "sth-refrsh" "$LIB_TMP/bad.conf" | cut -d: -f1)
grep -q "bad.conf:$line:.*sth-refrsh" "$LIB_TMP/out"
tap_ok $? "the error names the file, line $line and the key"
"$CTDNSD" -c "$LIB_TMP/bad.conf" -d > "$LIB_TMP/out" 2>&1
tap_is $? 1 "starting with it fails too, with exit 1"

sed 's/database-size: 64M/database-size: 64Q/' "$CONF" > "$LIB_TMP/bad.conf"
"$CTDNSD" -c "$LIB_TMP/bad.conf" --check > "$LIB_TMP/out" 2>&1
tap_is $? 1 "--check exits 1 on a bad size"
grep -q "bad.conf:4:" "$LIB_TMP/out"
tap_ok $? "and names line 4"

cp "$top_srcdir/zones/demo.ct.example.zone" "$LIB_TMP/bad.zone"
echo "sth IN TXT \"not ours\"" >> "$LIB_TMP/bad.zone"
zline=$(wc -l < "$LIB_TMP/bad.zone")
sed "s#zonefile: .*#zonefile: $LIB_TMP/bad.zone#" "$CONF" > "$LIB_TMP/bad.conf"
"$CTDNSD" -c "$LIB_TMP/bad.conf" --check > "$LIB_TMP/out" 2>&1
tap_is $? 1 "--check exits 1 on a zone file with records at a CT name"
grep -q "bad.zone:$zline:" "$LIB_TMP/out"
tap_ok $? "the error names the zone file and line $zline"

DNS_PORT=$(lib_free_port)
ct_write_conf "$CONF" "$top_srcdir/zones/demo.ct.example.zone" "$DB" \
	"pidfile: $LIB_TMP/ctdnsd.pidfile" --
# Hold the port until killed; say so once it is bound.
"$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write("bound\n")
time.sleep(120)' "$DNS_PORT" "$LIB_TMP/holder.ready" &
holder=$!
if ! lib_wait_file "$LIB_TMP/holder.ready" 60; then
	echo "Bail out! cannot hold port $DNS_PORT"
	exit 99
fi
"$CTDNSD" -c "$CONF" -d > "$LIB_TMP/out" 2>&1
tap_is $? 1 "a listen address in use: exit 1"
grep -q "listen 127.0.0.1@$DNS_PORT" "$LIB_TMP/out"
tap_ok $? "the error names the address"
kill $holder 2>/dev/null
wait $holder 2>/dev/null
"$CTDNSD" -c "$CONF" > "$LIB_TMP/out" 2>&1
rc=$?
tap_is "$rc" 0 "without -d it daemonizes; the parent exits 0 once serving"
# Stop the daemon and wait until it is gone (at most 20 s, then SIGKILL).
if lib_wait_file "$LIB_TMP/ctdnsd.pidfile" 20; then
	echo "$(cat "$LIB_TMP/ctdnsd.pidfile")" > "$LIB_TMP/bg.pid"
	LIB_NAMES="$LIB_NAMES bg"
	lib_stop bg 20
fi
tap_end
