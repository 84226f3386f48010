#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_cache.sh -- the proof cache (answer-cache-size) through the real
# daemon, across a reload that changes the order of its logs.
#
# Two simulated logs of the same size but other trees, one zone each. The
# same proof (leaf 5 in the tree of 1000) and a leaf's index are asked in
# both zones: filled from each log, then asked again and answered from the
# cache (ctdnsd_answer_cache_hits_total), byte for byte the same. The
# cache keys a log by its place in the configuration, so a reload that
# lists the logs the other way round must not answer one zone with the
# other's cached nodes: after it, each zone still gets its own log's
# proof, checked against the log's own get-proof-by-hash by ctdns. With
# answer-cache-size: 0 nothing is counted and the answers are the same.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# CTDNSD_WRAPPER, a command prefix for ctdnsd; LIB_KEEP_TMP=1 keeps the
# temporary directory.

. "${top_srcdir:-.}/tests/system/ctlib.sh"

ct_init cache
ZONE2=two.ct.example
PROOF="0.5.1000.tree"

ct_start_sim 1000
ct_start_sim2 1000 cache-two
sed "s/demo\.ct\.example/$ZONE2/g" "$top_srcdir/zones/demo.ct.example.zone" \
	>"$LIB_TMP/two.zone"

DNS_PORT=$(lib_free_port)
MPORT=$(lib_free_port)

# log_block NAME ZONE ZONEFILE URL KEY
log_block() {
	echo "log:"
	echo "    name: $1"
	echo "    zone: $2."
	echo "    zonefile: $3"
	echo "    url: $4"
	echo "    key: $5"
	echo "    sth-refresh: 1"
}

# write_conf ORDER(demo-first|two-first) CACHE-SIZE
write_conf() {
	{
		echo "server:"
		echo "    listen: 127.0.0.1@$DNS_PORT"
		echo "    metrics-listen: 127.0.0.1@$MPORT"
		echo "    database: $DB"
		echo "    database-size: 64M"
		echo "    verbosity: 2"
		echo "    answer-cache-size: $2"
		demo=$(log_block demo "$ZONE" \
		    "$top_srcdir/zones/demo.ct.example.zone" "$SIM_URL" \
		    "$SIM_KEY")
		two=$(log_block two "$ZONE2" "$LIB_TMP/two.zone" "$SIM2_URL" \
		    "$SIM2_KEY")
		if [ "$1" = demo-first ]; then
			printf '%s\n%s\n' "$demo" "$two"
		else
			printf '%s\n%s\n' "$two" "$demo"
		fi
	} >"$CONF"
}

cache_hits() {
	curl -sf "http://127.0.0.1:$MPORT/metrics" |
	    awk '$1 == "ctdnsd_answer_cache_hits_total" { print $2 }'
}

# answer ZONE NAME: the TXT strings of NAME.ZONE, one line.
answer() {
	ct_dig +short TXT "$2.$1" | tr -d '\n'
}

# leaf_hex URL I: the hash of leaf I of the log at URL, in hex.
leaf_hex() {
	curl -sf "${1%/}/sim/leaf?index=$2" | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["leaf_hash"])'
}

# b32 HEX: the hash as a query label.
b32() {
	"$PY" -c 'import base64, sys
print(base64.b32encode(bytes.fromhex(sys.argv[1])).decode().rstrip("="))' "$1"
}

# wait_sth ZONE: until it serves a tree head.
wait_sth() {
	n=0
	until ct_dig +short TXT "sth.$1" | grep -q '"' || [ $n -ge 600 ]; do
		n=$((n + 1))
		sleep 0.1
	done
}

# verified ZONE KEY HEX: ctdns checks the proof of leaf 5, of hash HEX,
# through the daemon (the tree of the served head).
verified() {
	"$CTDNS" -s "127.0.0.1@$DNS_PORT" -k "$2" proof "$1" "$3" --index 5 \
		>"$LIB_TMP/ctdns.out" 2>&1
}

HEX1=$(leaf_hex "$SIM_URL" 5)
HEX2=$(leaf_hex "$SIM2_URL" 5)
LEAF1=$(b32 "$HEX1")
LEAF2=$(b32 "$HEX2")
tap_ok "$([ -n "$LEAF1" ] && [ -n "$LEAF2" ] && [ "$LEAF1" != "$LEAF2" ];
    echo $?)" "two logs with other leaves"

write_conf demo-first 1m
lib_start ctdnsd ${CTDNSD_WRAPPER:-} "$CTDNSD" -c "$CONF" -d
wait_sth "$ZONE"
wait_sth "$ZONE2"
tap_ok "$(ct_dig +short TXT "sth.$ZONE2" | grep -q '"'; echo $?)" \
	"both logs serve a tree head"

# Filled from each log, then asked again: from the cache.
A1=$(answer "$ZONE" "$PROOF")
A2=$(answer "$ZONE2" "$PROOF")
H1=$(answer "$ZONE" "$LEAF1.hash")
H2=$(answer "$ZONE2" "$LEAF2.hash")
tap_ok "$([ -n "$A1" ] && [ -n "$A2" ] && [ "$A1" != "$A2" ]; echo $?)" \
	"the same proof in both zones: each log's own nodes"
tap_ok "$([ "$H1" = '"5"' ] && [ "$H2" = '"5"' ]; echo $?)" \
	"each zone finds its leaf at index 5"
hits0=$(cache_hits)
B1=$(answer "$ZONE" "$PROOF")
B2=$(answer "$ZONE2" "$PROOF")
G1=$(answer "$ZONE" "$LEAF1.hash")
G2=$(answer "$ZONE2" "$LEAF2.hash")
tap_is "$(($(cache_hits) - hits0))" 4 \
	"asked again: four answers from the proof cache"
tap_ok "$([ "$A1" = "$B1" ] && [ "$A2" = "$B2" ] && [ "$H1" = "$G1" ] &&
    [ "$H2" = "$G2" ]; echo $?)" "the cached answers equal the first ones"
tap_is "$(answer "$ZONE2" "$LEAF1.hash" | wc -c)" 0 \
	"one log's leaf is not found in the other zone (no TXT)"

# The logs the other way round: the cache must not answer one zone with
# the other's nodes.
write_conf two-first 1m
ct_hup
tap_ok $? "reload with the logs the other way round"
hits0=$(cache_hits)
C1=$(answer "$ZONE" "$PROOF")
C2=$(answer "$ZONE2" "$PROOF")
tap_ok "$([ "$C1" = "$A1" ] && [ "$C2" = "$A2" ]; echo $?)" \
	"after the reload each zone still answers its own log's proof"
tap_is "$(($(cache_hits) - hits0))" 0 \
	"the reload emptied the cache: both from the store"
verified "$ZONE" "$SIM_KEY" "$HEX1"
tap_ok $? "ctdns verifies the first log's proof with its key"
verified "$ZONE2" "$SIM2_KEY" "$HEX2"
tap_ok $? "ctdns verifies the second log's proof with its key"
lib_stop ctdnsd 20
tap_is "$?" 0 "SIGTERM stops it with status 0"

# Off: nothing counted, the same answers.
write_conf demo-first 0
lib_start ctdnsd ${CTDNSD_WRAPPER:-} "$CTDNSD" -c "$CONF" -d
wait_sth "$ZONE2"
# Each asked twice: a cache would have answered the second.
for i in 1 2; do
	D1=$(answer "$ZONE" "$PROOF")
	D2=$(answer "$ZONE2" "$PROOF")
done
tap_ok "$([ "$D1" = "$A1" ] && [ "$D2" = "$A2" ]; echo $?)" \
	"answer-cache-size: 0 answers the same"
tap_is "$(cache_hits)" 0 "answer-cache-size: 0 counts no cache hit"
lib_stop ctdnsd 20
tap_is "$?" 0 "SIGTERM stops it with status 0"

tap_end
