#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_ctdns.sh -- the ctdns client against fake_ctdns.py (no ctdnsd needed):
# good proofs verify, every kind of bad answer is rejected with the right
# exit status. TAP output; exits 77 (skip) without dnspython/cryptography.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CTDNS=${CTDNS:-$top_builddir/tools/ctdns/ctdns}
PY=/usr/bin/python3
FAKE=$top_srcdir/tests/system/fake_ctdns.py
ICARUS=$top_srcdir/tests/data/ctdns_icarus.json
ZONE=demo.ct.example.

if ! $PY -c 'import dns.message, cryptography' 2>/dev/null; then
	echo "1..0 # SKIP dnspython or cryptography missing for $PY"
	exit 0
fi
if [ ! -x "$CTDNS" ]; then
	echo "Bail out! no $CTDNS"
	exit 1
fi

tmp=$(mktemp -d)
n=0
failed=0
pid=

stop_server() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# start_server ZONE SIZE|canned:FILE [FAULT ...]: sets PORT, KEY, LEAF_<i>
start_server() {
	stop_server
	z=$1 size=$2
	shift 2
	tries=0
	while [ $tries -lt 5 ]; do
		# Below the ephemeral range (32768-): no outgoing connection
		# holds it; a listener that does makes this try fail.
		PORT=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom) % 22000 ))
		rm -f "$tmp/out" "$tmp/key"
		$PY "$FAKE" "$PORT" "$z" "$size" "$tmp/key" "$@" > "$tmp/out" 2>&1 &
		pid=$!
		i=0
		while [ $i -lt 300 ] && ! grep -q ready "$tmp/out" 2>/dev/null \
		    && kill -0 "$pid" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		if grep -q ready "$tmp/out"; then
			KEY=$(head -n 1 "$tmp/key")
			LEAF_0=$(awk '$1 == 0 { print $2 }' "$tmp/key")
			LEAF_5=$(awk '$1 == 5 { print $2 }' "$tmp/key")
			LEAF_LAST=$(tail -n 1 "$tmp/key" | cut -d' ' -f2)
			return 0
		fi
		stop_server
		tries=$((tries + 1))
	done
	echo "Bail out! fake server does not start: $(cat "$tmp/out")"
	exit 1
}

# t STATUS PATTERN DESCRIPTION -- CTDNS-ARGS...: run ctdns against the
# fake server, expect the exit status and PATTERN (grep -E) in its output.
t() {
	want=$1 pattern=$2 desc=$3
	shift 4
	n=$((n + 1))
	"$CTDNS" -s "127.0.0.1@$PORT" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
	got=$?
	# The fake server is Python: on a loaded machine (the sanitizer
	# pass) it can miss the client's timeout. Where a verdict was
	# expected, a network error is retried, at most 3 times and said; a
	# verdict is never retried.
	tries=0
	while [ "$got" -eq 2 ] && [ "$want" -ne 2 ] && [ $tries -lt 3 ] &&
	    grep -q "Could not send or receive" "$tmp/stderr"; do
		tries=$((tries + 1))
		echo "# $desc: network timeout against the fake server; again"
		sleep 1
		"$CTDNS" -s "127.0.0.1@$PORT" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
		got=$?
	done
	if [ "$got" -eq "$want" ] &&
	    cat "$tmp/stdout" "$tmp/stderr" | grep -Eq -- "$pattern"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (status $got, want $want)"
		sed 's/^/# /' "$tmp/stdout" "$tmp/stderr"
		failed=$((failed + 1))
	fi
}

# --- a good log of 1000 leaves, ECDSA -------------------------------------
start_server $ZONE 1000
k="-k $KEY"
t 0 'signature verified' "sth with the key" -- $k sth $ZONE
t 0 'signature NOT checked' "sth without a key" -- sth $ZONE
{
	echo "-----BEGIN PUBLIC KEY-----"
	echo "$KEY" | fold -w 64
	echo "-----END PUBLIC KEY-----"
} > "$tmp/key.pem"
t 0 'signature verified' "sth with a PEM key file" -- -K "$tmp/key.pem" sth $ZONE
t 2 'cannot load' "a PEM key file that does not exist" \
    -- -K "$tmp/nonexistent.pem" sth $ZONE
t 0 'tree_size=1000 .*root=[0-9a-f]{64} ' "sth prints size and root" \
    -- $k sth demo.ct.example
t 0 'verified 10 nodes against the root of tree 1000' "proof of leaf 5" \
    -- $k proof $ZONE "$LEAF_5"
t 0 'leaf index: 999' "proof of the last leaf" -- $k proof $ZONE "$LEAF_LAST"
b64=$($PY -c "import base64,sys; print(base64.b64encode(bytes.fromhex('$LEAF_5')).decode())")
t 0 '^OK$' "proof with a base64 leaf hash" -- $k proof $ZONE "$b64"
t 0 '^OK$' "proof over TCP" -- -T $k proof $ZONE "$LEAF_5"
t 1 'leaf hash not found in the log' "unknown leaf hash" \
    -- $k proof $ZONE 0000000000000000000000000000000000000000000000000000000000000000
for size in 6 500 512 999 1000; do
	t 0 '^OK$' "proof of leaf 5 in tree $size" -- $k proof $ZONE "$LEAF_5" $size
done
t 0 'consistent with the STH' "proof of leaf 0 in tree 1 (empty path)" \
    -- $k proof $ZONE "$LEAF_0" 1
t 1 'not in the tree of size 5' "leaf 5 is not in tree 5" \
    -- $k proof $ZONE "$LEAF_5" 5
t 2 'beyond the log' "tree size beyond the STH" -- $k proof $ZONE "$LEAF_5" 1001
# --index N: the index is given (a tiled log's SCT carries it), no hash
# query is sent (-v names every query), and a wrong index fails.
t 0 'given with --index' "proof of leaf 5 at --index 5" \
    -- $k proof $ZONE "$LEAF_5" --index 5
t 0 'tree\.demo' "... -v shows the tree queries" \
    -- -v $k proof $ZONE "$LEAF_5" --index 5
n=$((n + 1))
if grep -q 'tree\.demo' "$tmp/stderr" && ! grep -qi '\.hash\.' "$tmp/stderr"; then
	echo "ok $n - ... and no hash query"
else
	echo "not ok $n - ... and no hash query"
	sed 's/^/# /' "$tmp/stderr"
	failed=$((failed + 1))
fi
t 0 '^OK$' "--index before TREE_SIZE, older tree" \
    -- $k proof $ZONE --index 5 "$LEAF_5" 500
t 1 'leaf 4 \(--index\) .*does not lead to the root' "a wrong --index fails" \
    -- $k proof $ZONE "$LEAF_5" --index 4
t 1 'does not lead to the root' "a wrong --index fails in an older tree" \
    -- $k proof $ZONE "$LEAF_5" 500 --index 6
t 1 'not in the tree of size 1000' "--index beyond the tree" \
    -- $k proof $ZONE "$LEAF_5" --index 1000
t 2 'not a decimal' "--index that is not a number" \
    -- $k proof $ZONE "$LEAF_5" --index 05
t 2 'usage' "--index twice" -- $k proof $ZONE "$LEAF_5" --index 5 --index 5
for pair in "432 900" "432 1000" "512 1000" "1 1000" "1 2" "2 3" "4 7" \
    "999 1000" "256 512" "7 8"; do
	t 0 '^OK$' "consistency $pair" -- $k consistency $ZONE $pair
done
t 0 'power of two' "consistency from a power of two says so" \
    -- $k consistency $ZONE 512 900
t 2 'beyond the log' "consistency beyond the STH" -- $k consistency $ZONE 5 1001
t 2 '0 < FIRST < SECOND' "consistency 5 5" -- $k consistency $ZONE 5 5
t 2 '0 < FIRST < SECOND' "consistency 0 5" -- $k consistency $ZONE 0 5
t 2 'not a decimal' "consistency 05 9" -- $k consistency $ZONE 05 9
t 2 'neither 64 hex' "bad leaf hash" -- $k proof $ZONE abcd
t 2 'bad server' "-s that is not an address" -- -s dns.example sth $ZONE
t 2 'usage' "unknown command" -- $k frob $ZONE
t 2 'REFUSED' "zone the server does not serve" -- $k sth other.example.
# The CT project's test log key (vectors: 07_log_keys.json), not this log's.
other=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmXg8sUUzwBYaWrRb+V0IopzQ6o3UyEJ04r5Z
other=${other}rRXGdpYM8K+hB0pXrGRLI0eeWz+3skXrS0IO83AhA3GpRL6s6w==
t 1 'does not verify' "STH with another log's key" -- -k $other sth $ZONE
t 2 'cannot load' "a key that is not a key" -- -k bm90IGEga2V5 sth $ZONE

# --- hostile or broken servers ----------------------------------------------
# bad FAULT STATUS PATTERN DESCRIPTION -- ARGS: a fresh server with FAULT.
bad() {
	f=$1 want=$2 pattern=$3 desc=$4
	shift 5
	start_server $ZONE 1000 $f
	t "$want" "$pattern" "$desc" -- -k "$KEY" "$@"
}
bad badsig 1 'does not verify' "bad STH signature" -- sth $ZONE
bad rsa 0 'signature verified' "RSA log: STH split over strings" -- sth $ZONE
bad flip-tree 1 'does not lead to the root' "corrupt audit path" \
    -- proof $ZONE "$LEAF_5"
t 1 'does not lead to the root' "corrupt audit path, older tree" \
    -- -k "$KEY" proof $ZONE "$LEAF_5" 500
t 0 '^OK$' "a corrupt audit path does not matter to consistency 432" \
    -- -k "$KEY" consistency $ZONE 432 1000
t 1 'root taken from an audit path' "corrupt power-of-two root node" \
    -- -k "$KEY" consistency $ZONE 512 1000
bad flip-cons 1 'does not lead to the root' "corrupt consistency proof" \
    -- consistency $ZONE 432 1000
t 1 'does not lead to the root' "corrupt consistency, power of two" \
    -- -k "$KEY" consistency $ZONE 512 1000
t 1 'does not lead to the root' "corrupt consistency under a proof" \
    -- -k "$KEY" proof $ZONE "$LEAF_5" 500
bad short 0 '^OK$' "3 nodes per answer still verifies" -- proof $ZONE "$LEAF_5"
t 0 '^OK$' "3 nodes per answer, consistency" \
    -- -k "$KEY" consistency $ZONE 432 900
bad long 1 'only [0-9]+ remain' "one node too many" -- proof $ZONE "$LEAF_5"
bad servfail-tree 2 'tree query 0\.5\.1000\.tree\.demo\.ct\.example\.: SERVFAIL' \
    "SERVFAIL is named" -- proof $ZONE "$LEAF_5"
bad nx-tree 1 'NXDOMAIN for a proof' "NXDOMAIN for a tree query" \
    -- proof $ZONE "$LEAF_5"
bad empty-tree 1 'whole 32-byte nodes' "empty tree answer" \
    -- proof $ZONE "$LEAF_5"
bad split 1 'whole 32-byte nodes' "tree answer in two strings" \
    -- proof $ZONE "$LEAF_5"
bad two-txt 1 'more than one TXT' "two TXT records" -- proof $ZONE "$LEAF_5"
bad wrong-owner 1 'no TXT record' "TXT owned by another name" -- sth $ZONE
bad nodata-sth 1 'no TXT record' "NOERROR without data" -- sth $ZONE
bad hash-padded 1 'not one decimal' "leaf index with a leading zero" \
    -- proof $ZONE "$LEAF_5"
bad upper 0 '^OK$' "owner names in another case" -- proof $ZONE "$LEAF_5"
bad tc 0 '^OK$' "truncated UDP answers: TCP fallback" -- proof $ZONE "$LEAF_5"

# --- a tree of one leaf -----------------------------------------------------
start_server $ZONE 1
t 0 'verified 0 nodes against the root of tree 1' "tree of one leaf" \
    -- -k "$KEY" proof $ZONE "$LEAF_0"

# --- real data: Google Icarus, 2017 ------------------------------------------
start_server icarus.ct.googleapis.com. "canned:$ICARUS"
IZ=icarus.ct.googleapis.com.
t 0 'timestamp=1508216080417 \(2017-10-17T04:54:40\.417Z\)' \
    "Icarus STH time" -- -k "$KEY" sth $IZ
t 0 'signature verified with log key KTxRllTIOWW6qlD8WAfUt2\+/WHopctykwwz05UVH9Hg=' \
    "Icarus STH signature, named by log ID" -- -k "$KEY" sth $IZ
t 0 'verified 27 nodes against the root of tree 129721434' \
    "Icarus inclusion of leaf 120000000" \
    -- -k "$KEY" proof $IZ adc858cba52654ee52ddebc996eb49654c7fcad7457c7c4a7682785c0c31dfdc
t 0 'root of tree 129596132: ab226ffd339b85e6ad697f2e163009b11f9d26d2603657e3cd37b9097f048f6b' \
    "Icarus consistency gives the signed older root" \
    -- -k "$KEY" consistency $IZ 129596132 129721434
stop_server

# --- no server at all ----------------------------------------------------------
t 2 'no answer' "nothing listens" -- -k "$KEY" sth $ZONE

echo "1..$n"
[ "$failed" -eq 0 ]
