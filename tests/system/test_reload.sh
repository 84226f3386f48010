#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_reload.sh -- SIGHUP reloads the whole configuration.
#
# Run once with `workers: 1` and once with `workers: 2`, against two
# simulated logs (different --seed, so different keys and trees):
#   - changed sth-ttl and negative-ttl: the new TTLs are served;
#   - a second log added: its zone answers, its STH verifies (ctdns -k);
#   - that log removed: its zone is REFUSED, and a query that waited for
#     its (slow) upstream is answered at once (SERVFAIL or REFUSED);
#   - an invalid configuration (unknown key, plus a log to add): nothing
#     of it is applied and the daemon log names file:line;
#   - a changed listen address: a warning that a restart is needed, still
#     served on the old address, and the other changes applied;
# and during every reload a background loop queries the log that does not
# change (STHs, hits, and audit paths that miss and are filled upstream):
# not one of those queries may fail.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# LIB_KEEP_TMP=1 keeps the temporary directory.

. "${top_srcdir:-.}/tests/system/ctlib.sh"

ct_init reload
tap_plan 36

ZONE2=two.ct.example

# ---- the second log: a simulated log and a zone file --------------------

ct_start_sim 1000
ct_start_sim2 500 reload-two

cat > "$LIB_TMP/two.zone" <<EOF
\$ORIGIN $ZONE2.
\$TTL 3600
@	IN	SOA	ns1.$ZONE2. hostmaster.$ZONE2. (
			1 7200 3600 1209600 60 )
	IN	NS	ns1.$ZONE2.
ns1	IN	A	127.0.0.1
EOF

# ---- configuration --------------------------------------------------------

# write_conf WORKERS STH_TTL NEG_TTL LOG2(yes|no) [EXTRA-SERVER-LINE]
write_conf() {
	{
		echo "server:"
		echo "    listen: 127.0.0.1@${LISTEN_PORT:-$DNS_PORT}"
		echo "    database: $DB"
		echo "    database-size: 64M"
		echo "    verbosity: 2"
		echo "    workers: $1"
		[ -z "${5:-}" ] || echo "    $5"
		echo "log:"
		echo "    name: demo"
		echo "    zone: $ZONE."
		echo "    zonefile: $top_srcdir/zones/demo.ct.example.zone"
		echo "    url: $SIM_URL"
		echo "    key: $SIM_KEY"
		echo "    sth-refresh: 1"
		echo "    sth-ttl: $2"
		echo "    negative-ttl: $3"
		if [ "$4" = yes ]; then
			echo "log:"
			echo "    name: two"
			echo "    zone: $ZONE2."
			echo "    zonefile: $LIB_TMP/two.zone"
			echo "    url: $SIM2_URL"
			echo "    key: $SIM2_KEY"
			echo "    sth-refresh: 1"
			echo "    upstream-timeout: 30"
		fi
	} > "$CONF"
}

# The TTL of the first record of a section (answer or authority).
ttl_of() {
	ct_dig "+noall" "+$1" "$2" "$3" | awk 'NR == 1 { print $2 }'
}

# ---- the background loop on the log that does not change ----------------

bg_start() {
	: > "$LIB_TMP/bg.fail"
	: > "$LIB_TMP/bg.ok"
	rm -f "$LIB_TMP/bg.stop"
	(
		i=$BG_FIRST
		while [ ! -e "$LIB_TMP/bg.stop" ]; do
			for q in "sth.$ZONE" "0.$i.1000.tree.$ZONE"; do
				r=$(ct_dig +short TXT "$q" 2>&1)
				case $r in
				\"*) echo "$q" >> "$LIB_TMP/bg.ok" ;;
				*) echo "$q: $r" >> "$LIB_TMP/bg.fail" ;;
				esac
			done
			i=$((i + 1))
		done
		echo "$i" > "$LIB_TMP/bg.next"
	) &
	BG_PID=$!
	bg_wait_ok 2
}

# bg_wait_ok N: until the loop has N more answers than now (at most 30 s),
# so that it queries before and after each reload.
bg_wait_ok() {
	bg_want=$(( $(wc -l < "$LIB_TMP/bg.ok") + $1 ))
	bg_left=300
	while [ "$(wc -l < "$LIB_TMP/bg.ok")" -lt "$bg_want" ] &&
	    [ "$bg_left" -gt 0 ] && [ ! -s "$LIB_TMP/bg.fail" ]; do
		bg_left=$((bg_left - 1))
		sleep 0.1
	done
}

# bg_stop DESC: stop the loop; no query may have failed.
bg_stop() {
	bg_wait_ok 2
	touch "$LIB_TMP/bg.stop"
	wait "$BG_PID"
	BG_FIRST=$(cat "$LIB_TMP/bg.next")
	bg_n=$(wc -l < "$LIB_TMP/bg.ok")
	if [ -s "$LIB_TMP/bg.fail" ] || [ "$bg_n" -lt 4 ]; then
		sed 's/^/# failed: /' "$LIB_TMP/bg.fail" | head -5
		tap_ok 1 "$1: no query to the unchanged log failed ($bg_n ok)"
	else
		tap_ok 0 "$1: no query to the unchanged log failed ($bg_n ok)"
	fi
}

# ---- one run --------------------------------------------------------------

scenario() {
	w=$1
	DB=$LIB_TMP/db$w
	DNS_PORT=$(lib_free_port)
	LISTEN_PORT=
	BG_FIRST=$((w * 300))
	: > "$LIB_TMP/ctdnsd.err"
	write_conf "$w" 123 45 no
	ct_start_daemon
	tap_is "$(ttl_of answer TXT "sth.$ZONE")" 123 "w$w: sth-ttl at start"

	# TTLs.
	bg_start
	write_conf "$w" 77 33 no
	ct_hup
	tap_ok $? "w$w: reload with new TTLs ends"
	bg_stop "w$w: new TTLs"
	tap_is "$(ttl_of answer TXT "sth.$ZONE")" 77 "w$w: new sth-ttl served"
	tap_is "$(ttl_of authority TXT "x.y.$ZONE")" 33 \
		"w$w: new negative-ttl served"

	# Add the second log.
	bg_start
	write_conf "$w" 77 33 yes
	ct_hup
	bg_stop "w$w: log added"
	n=0
	until ct_dig +short TXT "sth.$ZONE2" | grep -q '"' || [ $n -ge 300 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	"$CTDNS" -s "127.0.0.1@$DNS_PORT" -k "$SIM2_KEY" sth "$ZONE2" \
		> "$LIB_TMP/ctdns.out" 2>&1
	tap_ok $? "w$w: the added log answers; its STH verifies (ctdns -k)"

	# Remove it, while one of its queries waits for an upstream that
	# holds it (until the log's mode changes; upstream-timeout is 30 s):
	# the fill is canceled and the query answered at once, not dropped.
	# An answer while the log still holds the request is the cancel's.
	curl -sf "${SIM2_URL%/}/sim/mode?set=hold" > /dev/null
	sim2_asked=$(SIM_URL=$SIM2_URL ct_sim_count get-entry-and-proof)
	ct_rcode +time=25 +tries=1 TXT "0.$((7 + w)).500.tree.$ZONE2" \
		> "$LIB_TMP/slow.rcode" &
	slow_pid=$!
	# Until the fill's request is held at the log.
	SIM_URL=$SIM2_URL ct_wait_count get-entry-and-proof $((sim2_asked + 1))
	bg_start
	write_conf "$w" 77 33 no
	ct_hup
	bg_stop "w$w: log removed"
	wait "$slow_pid"
	held=$(curl -sf "${SIM2_URL%/}/sim/mode" | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["mode"])')
	curl -sf "${SIM2_URL%/}/sim/mode?set=normal" > /dev/null
	case $held/$(cat "$LIB_TMP/slow.rcode") in
	hold/SERVFAIL | hold/REFUSED) st=0 ;;
	*) st=1 ;;
	esac
	tap_ok $st "w$w: a query waiting on the removed log is answered $(
		cat "$LIB_TMP/slow.rcode") at once, the log still holding it"
	tap_is "$(ct_rcode TXT "sth.$ZONE2")" REFUSED \
		"w$w: the removed log's zone is REFUSED"

	# An invalid configuration: the unknown key is on line 7.
	write_conf "$w" 99 33 yes "no-such-key: 1"
	ct_hup
	ct_log_has "reload: $CONF:7: .*keeping the running configuration"
	tap_ok $? "w$w: invalid configuration: the log names $CONF:7"
	tap_is "$(ttl_of answer TXT "sth.$ZONE")" 77 \
		"w$w: and the running configuration is kept (sth-ttl)"
	tap_is "$(ct_rcode TXT "sth.$ZONE2")" REFUSED \
		"w$w: and nothing of it is applied (no log added)"

	# A new listen address (and a new TTL, which is applied).
	LISTEN_PORT=$(lib_free_port)
	write_conf "$w" 55 33 no
	ct_hup
	ct_log_has "reload: listen changed: a restart is needed"
	tap_ok $? "w$w: changed listen address: restart warning"
	tap_is "$(ttl_of answer TXT "sth.$ZONE")" 55 \
		"w$w: still served on the old address, new sth-ttl applied"
	dig +norec +time=1 +tries=1 -p "$LISTEN_PORT" @127.0.0.1 TXT \
		"sth.$ZONE" > /dev/null 2>&1
	tap_ok $((!$?)) "w$w: nothing listens on the new address"

	lib_stop ctdnsd
	tap_is $? 0 "w$w: clean stop after the reloads"
	grep -q "handles left open" "$LIB_TMP/ctdnsd.err"
	tap_ok $((!$?)) "w$w: no handle left open at exit"
	cp "$LIB_TMP/ctdnsd.err" "$LIB_TMP/ctdnsd-w$w.err"
}

scenario 1
scenario 2
tap_done
