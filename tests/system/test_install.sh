#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_install.sh -- install into a temporary DESTDIR, run the installed
# daemon (as a real daemon, not -d) from the installed example
# configuration in front of ctlog-sim, and operate it: scrape /metrics and
# see the counters move with queries, reload a changed zone with SIGHUP,
# keep the old zone when the new one is broken, see the alarm gauge turn
# on when the log signs garbage, stop it, uninstall.
#
# As root it also runs the daemon with "username: nobody" and a chroot:
# a store owned by root is refused with a clear message, the daemon then
# runs as nobody, and SIGHUP still finds the zone inside the chroot.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/system/lib.sh"

lib_need curl dig make sed awk /usr/bin/python3
lib_init install
PREFIX=/usr/local
DEST=$LIB_TMP/dest
ROOT=$DEST$PREFIX
ZONE=argon2027h1.ct.example.com
ZONEFILE=$ZONE.zone
DPID=

# The daemon is not a child of this shell: stop it by its pidfile's pid.
daemon_stop() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID"
		i=0
		while kill -0 "$DPID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 "$DPID" 2>/dev/null && kill -KILL "$DPID"
	fi
	DPID=
}
trap 'daemon_stop; lib_cleanup' EXIT

# wait_for SECS CMD...: retry CMD every 0.2 s until it succeeds.
wait_for() {
	w_left=$(( $1 * 5 ))
	shift
	until "$@"; do
		w_left=$((w_left - 1))
		[ "$w_left" -gt 0 ] || return 1
		sleep 0.2
	done
}

scrape() {
	curl -sf "http://127.0.0.1:$MPORT/metrics" >"$LIB_TMP/metrics"
}

# metric SERIES: its value in the last scrape ("" when absent).
metric() {
	awk -v s="$1" '$1 == s { print $2 }' "$LIB_TMP/metrics"
}

# metric_is SERIES VALUE: scrape until SERIES has VALUE.
metric_is() {
	scrape && [ "$(metric "$1")" = "$2" ]
}

q() {
	dig +norec +tries=1 +time=10 -p "$DNSPORT" @127.0.0.1 "$@"
}

soa_serial() {
	q +short SOA "$ZONE." | awk '{ print $3 }'
}

# --- install -------------------------------------------------------------
make -C "$top_builddir" install DESTDIR="$DEST" prefix="$PREFIX" \
    >"$LIB_TMP/install.log" 2>&1
st=$?
tap_ok $st "make install DESTDIR=... prefix=$PREFIX"
if [ $st -ne 0 ]; then
	tail -n 20 "$LIB_TMP/install.log" | sed 's/^/# /'
	echo "Bail out! make install failed"
	exit 1
fi
for f in sbin/ctdnsd bin/ctdns bin/ctlog-sim \
    share/man/man8/ctdnsd.8 share/man/man5/ctdnsd.conf.5 \
    share/man/man1/ctdns.1 lib/systemd/system/ctdnsd.service \
    etc/ctdnsd/ctdnsd.conf "etc/ctdnsd/$ZONEFILE" \
    share/doc/ctdns/operations.md share/doc/ctdns/examples/ctdnsd.conf \
    "share/doc/ctdns/examples/$ZONEFILE"; do
	tap_ok "$([ -s "$ROOT/$f" ]; echo $?)" "installed $PREFIX/$f"
done
tap_is "$("$ROOT/sbin/ctdnsd" -V)" "ctdnsd $(sed -n \
    's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$top_builddir/config.h")" \
    "the installed ctdnsd runs"
UNIT=$ROOT/lib/systemd/system/ctdnsd.service
tap_ok "$(grep -qx "ExecStart=$PREFIX/sbin/ctdnsd -d -c $PREFIX/etc/ctdnsd/ctdnsd.conf" \
    "$UNIT"; echo $?)" "the unit starts the installed binary in the foreground"
tap_ok "$(grep -q '^ProtectSystem=strict' "$UNIT" &&
    grep -q '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$UNIT" &&
    grep -q '^ReadWritePaths=-/usr/local/var/lib/ctdnsd$' "$UNIT"; echo $?)" \
    "the unit is hardened and may write only the store"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Unknown keys and bad values are what matter here; the binary
	# and the man pages are not where the unit says (DESTDIR).
	systemd-analyze verify "$UNIT" 2>&1 |
	    grep -v 'is not executable\|man ctdnsd\|Failed to\|cannot access' \
	    >"$LIB_TMP/verify.out"
	tap_ok "$([ ! -s "$LIB_TMP/verify.out" ]; echo $?)" \
	    "systemd-analyze verify finds nothing wrong with the unit"
	sed 's/^/# /' "$LIB_TMP/verify.out"
else
	tap_skip "systemd-analyze verify" "systemd-analyze not found"
fi
if command -v groff >/dev/null 2>&1; then
	for m in man8/ctdnsd.8 man5/ctdnsd.conf.5 man1/ctdns.1; do
		groff -man -Tutf8 -ww -z "$ROOT/share/man/$m" \
		    >"$LIB_TMP/groff.out" 2>&1
		tap_ok "$([ ! -s "$LIB_TMP/groff.out" ]; echo $?)" \
		    "$m renders without a groff warning"
		sed 's/^/# /' "$LIB_TMP/groff.out"
	done
else
	for m in ctdnsd.8 ctdnsd.conf.5 ctdns.1; do
		tap_skip "$m renders" "groff not found"
	done
fi
tap_ok "$(grep -q "^	zonefile: $PREFIX/etc/ctdnsd/$ZONEFILE\$" \
    "$ROOT/etc/ctdnsd/ctdnsd.conf"; echo $?)" \
    "the installed configuration names the installed zone file"
# Its files are under DESTDIR here: follow them there.
sed "s|$PREFIX/etc/|$ROOT/etc/|" "$ROOT/etc/ctdnsd/ctdnsd.conf" \
    >"$LIB_TMP/installed.conf"
"$ROOT/sbin/ctdnsd" -c "$LIB_TMP/installed.conf" --check \
    >"$LIB_TMP/check.out" 2>&1
tap_ok $? "the example configuration as installed passes --check"
sed 's/^/# /' "$LIB_TMP/check.out"

# --- the log -------------------------------------------------------------
SIM=$ROOT/bin/ctlog-sim
KEY=$("$SIM" --print-key)
lib_start sim "$SIM" -a 127.0.0.1 -p 0 -n 1000 \
    --ready-file "$LIB_TMP/sim.port"
lib_wait_file "$LIB_TMP/sim.port" 60
SIMURL=http://127.0.0.1:$(cat "$LIB_TMP/sim.port")

# --- the configuration: the example, pointed at the test's world -------
DNSPORT=$(lib_free_port)
MPORT=$(lib_free_port)
while [ "$MPORT" = "$DNSPORT" ]; do
	MPORT=$(lib_free_port)
done
RUN=$LIB_TMP/run
mkdir -p "$RUN"
cp "$ROOT/etc/ctdnsd/$ZONEFILE" "$RUN/$ZONEFILE"
CONF=$LIB_TMP/ctdnsd.conf
if [ "$(id -u)" = 0 ]; then
	AS_ROOT=yes
	USER_LINE="	username: nobody"
	CHROOT_LINE="	chroot: $RUN"
	# nobody must reach the zone file inside the chroot.
	chmod 755 "$LIB_TMP" "$RUN"
else
	AS_ROOT=no
	USER_LINE=""
	CHROOT_LINE=""
fi
# The first listen line becomes the test's port; other listen lines go.
sed -e "0,/^[[:space:]]*listen:.*/s||	listen: 127.0.0.1@$DNSPORT|" \
    -e '/^[[:space:]]*listen: [0-9:.]*@53$/d' \
    -e "s|^[[:space:]]*database:.*|	database: $RUN/db|" \
    -e "s|^[[:space:]]*database-size:.*|	database-size: 64M|" \
    -e "s|^[[:space:]]*username:.*|$USER_LINE|" \
    -e "s|^[[:space:]]*#chroot:.*|$CHROOT_LINE|" \
    -e "s|^[[:space:]]*#pidfile:.*|	pidfile: $LIB_TMP/ctdnsd.pid|" \
    -e "s|^[[:space:]]*metrics-listen:.*|	metrics-listen: 127.0.0.1@$MPORT|" \
    -e "s|^[[:space:]]*zonefile:.*|	zonefile: $RUN/$ZONEFILE|" \
    -e "s|^[[:space:]]*url:.*|	url: $SIMURL/|" \
    -e "s|^[[:space:]]*key:.*|	key: $KEY|" \
    -e "s|^[[:space:]]*sth-refresh:.*|	sth-refresh: 1|" \
    "$ROOT/etc/ctdnsd/ctdnsd.conf" >"$CONF"
tap_is "$(grep -c "@$DNSPORT\$\|$RUN/db\$\|$SIMURL/\$\|$MPORT\$\|$LIB_TMP/ctdnsd.pid" \
    "$CONF")" 5 "the example configuration rewritten for the test"
"$ROOT/sbin/ctdnsd" -c "$CONF" --check >"$LIB_TMP/check.out" 2>&1
tap_ok $? "the rewritten configuration passes --check"
sed 's/^/# /' "$LIB_TMP/check.out"

# --- privileges: a store that is not the user's is refused ---------------
if [ "$AS_ROOT" = yes ]; then
	mkdir -m 700 "$RUN/db"
	"$ROOT/sbin/ctdnsd" -c "$CONF" >"$LIB_TMP/refused.out" 2>&1
	tap_is $? 1 "a store owned by root is refused (exit status 1)"
	tap_ok "$(grep -q "database $RUN/db is owned by root, not nobody: chown it" \
	    "$LIB_TMP/refused.out"; echo $?)" \
	    "... and the daemon says so on the terminal"
	sed 's/^/# /' "$LIB_TMP/refused.out"
	tap_ok "$([ ! -e "$LIB_TMP/ctdnsd.pid" ]; echo $?)" \
	    "... and leaves no pidfile"
	chown nobody "$RUN/db"
else
	tap_skip "a store owned by root is refused" "not root"
	tap_skip "... and the daemon says so" "not root"
	tap_skip "... and leaves no pidfile" "not root"
fi

# --- start as a daemon ---------------------------------------------------
"$ROOT/sbin/ctdnsd" -c "$CONF" >"$LIB_TMP/start.out" 2>&1
tap_ok $? "the installed ctdnsd starts as a daemon (no -d)"
sed 's/^/# /' "$LIB_TMP/start.out"
DPID=$(cat "$LIB_TMP/ctdnsd.pid" 2>/dev/null)
tap_ok "$([ -n "$DPID" ] && kill -0 "$DPID"; echo $?)" \
    "its pidfile names the running daemon"
tap_ok "$([ "$(awk '/^PPid:/ { print $2 }' "/proc/$DPID/status" \
    2>/dev/null)" != "$$" ]; echo $?)" "it is detached from this shell"
if [ "$AS_ROOT" = yes ]; then
	tap_is "$(awk '/^Uid:/ { print $2 "," $3 "," $4 }' "/proc/$DPID/status")" \
	    "65534,65534,65534" "it runs as nobody (real, effective, saved)"
	tap_is "$(awk '/^Groups:/ { print $2 }' "/proc/$DPID/status")" \
	    "65534" "its only group is nobody's"
	tap_is "$(readlink "/proc/$DPID/root")" "$RUN" "it is chrooted"
	tap_is "$(stat -c %U "$RUN/db/data.mdb")" nobody \
	    "the store files it created belong to nobody"
else
	for t in "runs as the user" "only group" "chrooted" "store files"; do
		tap_skip "$t" "not root"
	done
fi

wait_for 60 sh -c "dig +short +tries=1 +time=1 -p $DNSPORT @127.0.0.1 \
    TXT sth.$ZONE | grep -q '\"'"
tap_ok $? "it serves the log's STH over DNS"

# --- metrics move with queries ------------------------------------------
scrape
tap_ok $? "GET /metrics answers"
tap_ok "$(grep -q '^# TYPE ctdnsd_queries_total counter$' "$LIB_TMP/metrics"; \
    echo $?)" "Prometheus text format"
L="{log=\"argon2027h1\"}"
tap_is "$(metric "ctdnsd_tree_size$L")" 1000 "tree size 1000"
tap_is "$(metric "ctdnsd_log_alarm$L")" 0 "no alarm"
tap_is "$(metric "ctdnsd_log_has_sth$L")" 1 "has an STH"
tap_ok "$([ "$(metric "ctdnsd_upstream_requests_total{log=\"argon2027h1\",endpoint=\"get-sth\"}")" -ge 1 ]; echo $?)" \
    "get-sth requests counted"
tap_ok "$([ "$(metric "ctdnsd_upstream_request_duration_seconds_count$L")" -ge 1 ]; echo $?)" \
    "upstream latency observed"
tap_ok "$(metric "ctdnsd_last_poll_success_timestamp_seconds$L" |
    awk -v now="$(date +%s)" '{ exit !($1 > now - 60 && $1 < now + 60) }'; echo $?)" \
    "last successful poll is recent"
UDP0=$(metric 'ctdnsd_queries_total{transport="udp"}')
HITS0=$(metric ctdnsd_store_hits_total)
MISS0=$(metric ctdnsd_store_misses_total)
HASH0=$(metric 'ctdnsd_queries_by_form_total{form="hash"}')
NX0=$(metric 'ctdnsd_responses_total{rcode="NXDOMAIN"}')

LEAF=$(curl -sf "$SIMURL/sim/leaf?index=5" |
    sed -n 's/.*"leaf_hash" *: *"\([0-9a-f]*\)".*/\1/p')
B32=$(/usr/bin/python3 -c 'import base64, sys
print(base64.b32encode(bytes.fromhex(sys.argv[1])).decode().rstrip("="))' "$LEAF")
q +short TXT "sth.$ZONE" >/dev/null
q +short TXT "$B32.hash.$ZONE" >"$LIB_TMP/hash.out"
tap_is "$(tr -d '"' <"$LIB_TMP/hash.out")" 5 "hash query: leaf 5"
q +short TXT "0.5.1000.tree.$ZONE" >"$LIB_TMP/tree.out"
q TXT "nosuchname.$ZONE" >/dev/null
q TXT "sth.$ZONE" >/dev/null
scrape
tap_is "$(($(metric 'ctdnsd_queries_total{transport="udp"}') - UDP0))" 5 \
    "five UDP queries counted"
tap_ok "$([ "$(metric ctdnsd_store_hits_total)" -ge $((HITS0 + 2)) ]; echo $?)" \
    "store hits counted"
tap_ok "$([ "$(metric ctdnsd_store_misses_total)" -gt "$MISS0" ]; echo $?)" \
    "store misses counted (hash and tree filled from the log)"
tap_ok "$([ "$(metric 'ctdnsd_queries_by_form_total{form="hash"}')" -gt "$HASH0" ]; echo $?)" \
    "queries by form counted"
tap_is "$(($(metric 'ctdnsd_responses_total{rcode="NXDOMAIN"}') - NX0))" 1 \
    "responses by rcode counted"
tap_ok "$([ "$(metric "ctdnsd_upstream_requests_total{log=\"argon2027h1\",endpoint=\"get-proof-by-hash\"}")" -ge 1 ]; echo $?)" \
    "upstream get-proof-by-hash counted"
# Asked again, the proof and the index come from the proof cache, the
# same answers.
CACHE0=$(metric ctdnsd_answer_cache_hits_total)
q +short TXT "$B32.hash.$ZONE" >"$LIB_TMP/hash.again"
q +short TXT "0.5.1000.tree.$ZONE" >"$LIB_TMP/tree.again"
scrape
tap_is "$(($(metric ctdnsd_answer_cache_hits_total) - CACHE0))" 2 \
    "asked again: two answers from the proof cache"
tap_ok "$(cmp -s "$LIB_TMP/hash.out" "$LIB_TMP/hash.again" &&
    cmp -s "$LIB_TMP/tree.out" "$LIB_TMP/tree.again" &&
    [ -s "$LIB_TMP/tree.out" ]; echo $?)" \
    "the cached answers equal the first ones"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$MPORT/other")" 404 "other HTTP paths: 404"

curl -sf "$SIMURL/sim/grow?n=24" >/dev/null
wait_for 60 metric_is "ctdnsd_tree_size$L" 1024
tap_ok $? "the tree grows to 1024: the gauge follows"

# --- SIGHUP: a new zone file ---------------------------------------------
tap_is "$(soa_serial)" 2026010101 "the example zone's SOA serial"
sed 's/2026010101/2026010102/' "$RUN/$ZONEFILE" >"$RUN/$ZONEFILE.new" &&
    mv "$RUN/$ZONEFILE.new" "$RUN/$ZONEFILE"
chmod 644 "$RUN/$ZONEFILE"
kill -HUP "$DPID"
wait_for 30 sh -c "[ \"\$(dig +short +norec -p $DNSPORT @127.0.0.1 SOA $ZONE. |
    awk '{ print \$3 }')\" = 2026010102 ]"
tap_ok $? "SIGHUP: the new SOA serial is served"
echo 'this is not a zone file' >"$RUN/$ZONEFILE"
kill -HUP "$DPID"
sleep 1
tap_ok "$(kill -0 "$DPID"; echo $?)" "SIGHUP with a broken zone: still running"
tap_is "$(soa_serial)" 2026010102 "... and still serving the loaded zone"

# --- the alarm -----------------------------------------------------------
tap_is "$(metric "ctdnsd_log_alarm$L")" 0 "no alarm before"
curl -sf "$SIMURL/sim/mode?set=bad-sig" >/dev/null &&
    curl -sf "$SIMURL/sim/grow?n=10" >/dev/null
wait_for 60 metric_is "ctdnsd_log_alarm$L" 1
tap_ok $? "bad signatures: ctdnsd_log_alarm turns 1"
tap_ok "$([ "$(metric "ctdnsd_sth_rejected_total$L")" -ge 1 ]; echo $?)" \
    "... the rejected STH is counted"
tap_is "$(metric "ctdnsd_tree_size$L")" 1024 "... and the last good tree is served"

# --- stop, uninstall -------------------------------------------------------
kill -TERM "$DPID"
wait_for 30 sh -c "! kill -0 $DPID 2>/dev/null"
tap_ok $? "SIGTERM stops the daemon"
DPID=
if [ "$AS_ROOT" = no ]; then
	tap_ok "$([ ! -e "$LIB_TMP/ctdnsd.pid" ]; echo $?)" \
	    "its pidfile is removed"
else
	tap_skip "its pidfile is removed" \
	    "nobody may not remove a pidfile in a root-owned directory"
fi
lib_stop sim
make -C "$top_builddir" uninstall DESTDIR="$DEST" prefix="$PREFIX" \
    >"$LIB_TMP/uninstall.log" 2>&1
tap_ok $? "make uninstall"
find "$DEST" -type f >"$LIB_TMP/left"
tap_ok "$([ ! -s "$LIB_TMP/left" ]; echo $?)" "uninstall leaves no file"
sed 's/^/# left: /' "$LIB_TMP/left"
tap_end
