#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_sim.sh -- system test of tools/ctlog-sim, the simulated RFC 6962 log.
#
# Starts the simulator on ephemeral ports and checks everything it serves
# with tests/system/ct6962.py, an independent Python RFC 6962 checker that
# first proves itself on the RFC reference tree: STH signatures (openssl),
# roots recomputed from the served leaves, audit paths and consistency
# proofs, the leaf and certificate format, strict parameter checking,
# request counters, growth, and every misbehaviour mode.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# SIM_WRAPPER, a command prefix for the simulator (for instance
# "valgrind --leak-check=full --error-exitcode=1"); LIB_KEEP_TMP=1 keeps
# the temporary directory.

. "${top_srcdir:-.}/tests/system/lib.sh"

# Skipped (TAP "1..0 # SKIP") only when curl or Debian's python is missing.
PY=/usr/bin/python3
[ -x "$PY" ] || lib_skip_all "$PY not found"
lib_need curl
lib_init sim

SIM=$top_builddir/tools/ctlog-sim/ctlog-sim
CT=$top_srcdir/tests/system/ct6962.py
VECTORS=$top_srcdir/tests/data/01_merkle_reference_tree.json
HAVE_OPENSSL=no
command -v openssl >/dev/null 2>&1 && HAVE_OPENSSL=yes

ct() {
	"$PY" "$CT" "$@"
}

# check DESC CMD...: one test; CMD's output becomes diagnostics on failure.
check() {
	check_desc=$1
	shift
	"$@" >"$LIB_TMP/check.out" 2>&1
	check_st=$?
	tap_ok "$check_st" "$check_desc"
	if [ "$check_st" -ne 0 ]; then
		tap_diag "$(cat "$LIB_TMP/check.out")"
	fi
}

fails() {
	! "$@"
}

# fetch PATH [CURL-OPTIONS]: body into $LIB_TMP/body, print the status.
fetch() {
	fetch_path=$1
	shift
	curl -s -o "$LIB_TMP/body" -w '%{http_code}' "$@" "$BASE$fetch_path"
}

field() {
	ct json-field "$1" <"$LIB_TMP/body"
}

urlquote() {
	"$PY" -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# A signature check needs the openssl command; skip it otherwise.
check_sig() {
	if [ "$HAVE_OPENSSL" = yes ]; then
		check "$@"
	else
		tap_skip "$1" "openssl not found"
	fi
}

# Record every STH timestamp served, to check they never go back.
sth_fetch() {
	curl -s "$BASE/ct/v1/get-sth" >"$LIB_TMP/sth.json" &&
	    ct json-field timestamp <"$LIB_TMP/sth.json" >>"$LIB_TMP/ts"
}

sth_field() {
	ct json-field "$1" <"$LIB_TMP/sth.json"
}

sth_verifies() {
	ct sth-verify "$1" <"$LIB_TMP/sth.json"
}

start_sim() {
	sim_name=$1
	shift
	# shellcheck disable=SC2086
	lib_start "$sim_name" ${SIM_WRAPPER:-} "$SIM" -a 127.0.0.1 -p 0 \
	    --ready-file "$LIB_TMP/$sim_name.port" "$@"
	lib_wait_file "$LIB_TMP/$sim_name.port" 120
}

# --- the key ------------------------------------------------------------
KEY=$("$SIM" --print-key)
tap_is "$("$SIM" --print-key)" "$KEY" "--print-key is deterministic"
OTHER_KEY=$("$SIM" --print-key --seed other)
tap_ok "$([ -n "$OTHER_KEY" ] && [ "$OTHER_KEY" != "$KEY" ]; echo $?)" \
    "another seed gives another key"
if [ "$HAVE_OPENSSL" = yes ]; then
	printf -- '-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n' \
	    "$KEY" >"$LIB_TMP/key.pem"
	check "the key is an ECDSA P-256 SubjectPublicKeyInfo" \
	    sh -c 'openssl pkey -pubin -in "$1" -noout -text |
	    grep -q "ASN1 OID: prime256v1"' sh "$LIB_TMP/key.pem"
else
	tap_skip "the key is an ECDSA P-256 SubjectPublicKeyInfo" \
	    "openssl not found"
fi
"$SIM" -n abc >/dev/null 2>&1
tap_is "$?" 2 "a malformed -n is a usage error"
"$SIM" --grow 5 >/dev/null 2>&1
tap_is "$?" 2 "--grow without --interval is a usage error"

check "the Python checker passes the RFC 6962 reference vectors" \
    ct selftest "$VECTORS"

# --- start --------------------------------------------------------------
start_sim sim -n 300
tap_ok $? "ctlog-sim starts and writes its port to --ready-file"
PORT=$(cat "$LIB_TMP/sim.port")
BASE=http://127.0.0.1:$PORT
lib_wait_line sim '^key: ' 10
check "it announces address and size" grep -qx \
    "ctlog-sim: listening on http://127.0.0.1:$PORT/ with 300 entries" \
    "$LIB_TMP/sim.out"
check "it prints the same key" grep -qx "key: $KEY" "$LIB_TMP/sim.out"

# --- get-sth ------------------------------------------------------------
sth_fetch
tap_is "$(sth_field tree_size)" 300 "get-sth covers the 300 entries"
ROOT300=$(ct json-hex sha256_root_hash <"$LIB_TMP/sth.json")
TS0=$(sth_field timestamp)
check_sig "the STH signature verifies (openssl, RFC 6962 3.5)" \
    sth_verifies "$KEY"
check_sig "an STH with one root bit changed does not verify" \
    fails ct sth-verify "$KEY" --tamper <"$LIB_TMP/sth.json"
check_sig "the STH does not verify under another seed's key" \
    fails sth_verifies "$OTHER_KEY"

# --- the tree, recomputed from the leaves ---------------------------------
ct roots "$BASE" 1 2 100 128 150 256 257 299 300 >"$LIB_TMP/roots"
set -- $(cat "$LIB_TMP/roots")
R1=$1 R2=$2 R100=$3 R128=$4 R150=$5 R256=$6 R257=$7 R299=$8
tap_is "$9" "$ROOT300" "the root recomputed from get-entries equals the STH"
fetch "/sim/sth?tree_size=100" >/dev/null
tap_is "$(field root_hash)" "$R100" "/sim/sth gives the root of size 100"
fetch "/sim/sth?tree_size=0" >/dev/null
tap_is "$(field root_hash)" \
    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 \
    "/sim/sth of size 0 is SHA-256 of nothing"

# --- entries ------------------------------------------------------------
fetch /ct/v1/get-roots >/dev/null
CA=$(field certificates.0)
check "leaves 0..255 are x509_entry MerkleTreeLeafs with [CA] as chain" \
    ct leaves-check "$BASE" 0 255 "$CA"
check "leaves 256..299 too" ct leaves-check "$BASE" 256 299 "$CA"
fetch "/ct/v1/get-entries?start=0&end=299" >/dev/null
tap_is "$(ct json-len entries <"$LIB_TMP/body")" 256 \
    "get-entries answers at most 256 entries"
fetch "/ct/v1/get-entries?start=290&end=100000" >/dev/null
tap_is "$(ct json-len entries <"$LIB_TMP/body")" 10 \
    "get-entries stops at the tree size"
fetch "/sim/leaf?index=5" >/dev/null
tap_is "$(field leaf_hash)" "$(ct leaf-hash "$BASE" 5)" \
    "/sim/leaf gives the hash of the served leaf"
if [ "$HAVE_OPENSSL" = yes ]; then
	ct leaf-der "$BASE" 5 "$LIB_TMP/leaf5.der"
	printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' \
	    "$CA" | fold -w 64 >"$LIB_TMP/ca.pem"
	openssl x509 -inform der -in "$LIB_TMP/leaf5.der" \
	    -out "$LIB_TMP/leaf5.pem" 2>/dev/null
	tap_is "$(openssl x509 -in "$LIB_TMP/leaf5.pem" -noout -subject \
	    -serial 2>&1 | tr '\n' ' ')" \
	    "subject=CN = leaf-5.sim.example serial=05 " \
	    "leaf 5 is the certificate of leaf-5.sim.example, serial 5"
	check "leaf 5 is signed by the root from get-roots" \
	    openssl verify -no_check_time -CAfile "$LIB_TMP/ca.pem" \
	    "$LIB_TMP/leaf5.pem"
else
	tap_skip "leaf 5 is the certificate of leaf-5.sim.example" "no openssl"
	tap_skip "leaf 5 is signed by the root from get-roots" "no openssl"
fi

# --- proofs -------------------------------------------------------------
check "audit paths in the tree of 300 verify" \
    ct inclusion "$BASE" "$ROOT300" 300 0 1 2 127 128 150 255 256 298 299
check "audit paths in smaller trees verify" sh -c '
    "$1" "$2" inclusion "$3" "$4" 100 0 50 99 &&
    "$1" "$2" inclusion "$3" "$5" 1 0 &&
    "$1" "$2" inclusion "$3" "$6" 257 0 255 256 &&
    "$1" "$2" inclusion "$3" "$7" 128 64 127' sh \
    "$PY" "$CT" "$BASE" "$R100" "$R1" "$R257" "$R128"
check "consistency proofs verify" sh -c '
    "$1" "$2" consistency "$3" 1 300 "$4" "$5" &&
    "$1" "$2" consistency "$3" 2 300 "$6" "$5" &&
    "$1" "$2" consistency "$3" 100 300 "$7" "$5" &&
    "$1" "$2" consistency "$3" 128 300 "$8" "$5" &&
    "$1" "$2" consistency "$3" 150 300 "$9" "$5" &&
    "$1" "$2" consistency "$3" 256 257 "${10}" "${11}" &&
    "$1" "$2" consistency "$3" 299 300 "${12}" "$5" &&
    "$1" "$2" consistency "$3" 100 257 "$7" "${11}" &&
    "$1" "$2" consistency "$3" 300 300 "$5" "$5"' sh \
    "$PY" "$CT" "$BASE" "$R1" "$ROOT300" "$R2" "$R100" "$R128" "$R150" \
    "$R256" "$R257" "$R299"
check "a consistency proof does not link wrong roots" \
    ct consistency-fails "$BASE" 100 300 "$R128" "$ROOT300"

# --- bad requests -----------------------------------------------------------
NOPE=$(urlquote "$("$PY" -c 'import base64, hashlib
print(base64.b64encode(hashlib.sha256(b"nope").digest()).decode())')")
fetch "/sim/leaf?index=200" >/dev/null
LEAF200=$(urlquote "$(field leaf_hash_b64)")
fetch "/sim/leaf?index=0" >/dev/null
LEAF0=$(urlquote "$(field leaf_hash_b64)")
while read -r want path; do
	got=$(fetch "$path")
	if [ "$got" != 200 ] && ! field error >/dev/null 2>&1; then
		got="$got without a JSON error"
	fi
	tap_is "$got" "$want" "$path"
done <<EOF
400 /ct/v1/get-sth-consistency?first=1
400 /ct/v1/get-sth-consistency?second=10
400 /ct/v1/get-sth-consistency?first=0&second=10
400 /ct/v1/get-sth-consistency?first=11&second=10
400 /ct/v1/get-sth-consistency?first=1&second=301
400 /ct/v1/get-sth-consistency?first=01&second=10
400 /ct/v1/get-sth-consistency?first=%2B1&second=10
400 /ct/v1/get-sth-consistency?first=-1&second=10
400 /ct/v1/get-sth-consistency?first=%201&second=10
400 /ct/v1/get-sth-consistency?first=1&second=10x
400 /ct/v1/get-sth-consistency?first=1&second=
400 /ct/v1/get-sth-consistency?first=1&second=18446744073709551616
400 /ct/v1/get-sth-consistency?first=1&second=0x10
400 /ct/v1/get-proof-by-hash?tree_size=300
400 /ct/v1/get-proof-by-hash?hash=$LEAF0
400 /ct/v1/get-proof-by-hash?hash=AAAA&tree_size=300
400 /ct/v1/get-proof-by-hash?hash=!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=&tree_size=300
400 /ct/v1/get-proof-by-hash?hash=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB%3D&tree_size=300
400 /ct/v1/get-proof-by-hash?hash=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D&tree_size=300
400 /ct/v1/get-proof-by-hash?hash=$LEAF0&tree_size=0
400 /ct/v1/get-proof-by-hash?hash=$LEAF0&tree_size=301
400 /ct/v1/get-entries?start=300&end=300
400 /ct/v1/get-entries?start=5&end=4
400 /ct/v1/get-entries?start=5
400 /ct/v1/get-entries?end=5
400 /ct/v1/get-entry-and-proof?leaf_index=300&tree_size=300
400 /ct/v1/get-entry-and-proof?leaf_index=0&tree_size=301
400 /ct/v1/get-entry-and-proof?leaf_index=0&tree_size=0
400 /ct/v1/get-entry-and-proof?tree_size=10
404 /ct/v1/get-proof-by-hash?hash=$NOPE&tree_size=300
404 /ct/v1/get-proof-by-hash?hash=$LEAF200&tree_size=200
200 /ct/v1/get-proof-by-hash?hash=$LEAF200&tree_size=201
404 /ct/v1/no-such-endpoint
404 /nothing
400 /sim/grow?n=0
400 /sim/grow?n=x
400 /sim/mode?set=bogus
400 /sim/mode?set=slow=
400 /sim/mode?set=slow=60001
400 /sim/mode?set=split
400 /sim/leaf?index=300
400 /sim/sth?tree_size=301
400 /sim/sth?tree_size=10&view=other
404 /sim/sth?tree_size=10&view=split
EOF
fetch "/ct/v1/get-sth-consistency?first=10&second=10" >/dev/null
tap_is "$(ct json-len consistency <"$LIB_TMP/body")" 0 \
    "consistency of a size with itself is empty"
tap_is "$(fetch /ct/v1/get-sth -X POST)" 405 "POST is refused"
# An unescaped '+' in the hash arrives as a space; the log takes it back.
PLUS=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	fetch "/sim/leaf?index=$i" >/dev/null
	case $(field leaf_hash_b64) in
	*+*) PLUS=$i; PLUS_HASH=$(field leaf_hash_b64); break ;;
	esac
done
if [ -n "$PLUS" ]; then
	fetch "/ct/v1/get-proof-by-hash?hash=$PLUS_HASH&tree_size=300" \
	    >/dev/null
	tap_is "$(field leaf_index)" "$PLUS" \
	    "a hash with an unescaped + is found"
else
	tap_skip "a hash with an unescaped + is found" "no such leaf"
fi

# --- statistics -----------------------------------------------------------
fetch /sim/reset-stats >/dev/null
fetch /sim/stats >/dev/null
tap_is "$(field total)" 0 "reset-stats zeroes the counters"
for p in get-sth get-sth get-sth "get-entries?start=0&end=0" \
    "get-entries?start=1&end=1" "get-sth-consistency?first=1" \
    "get-proof-by-hash?hash=$NOPE&tree_size=300" get-roots \
    "get-entry-and-proof?leaf_index=0&tree_size=1" no-such; do
	fetch "/ct/v1/$p" >/dev/null
done
fetch "/sim/leaf?index=1" >/dev/null
fetch /sim/stats >/dev/null
STATS=
for f in get-sth get-entries get-sth-consistency get-proof-by-hash \
    get-roots get-entry-and-proof other total; do
	STATS="$STATS/$(field "$f")"
done
tap_is "$STATS" /3/2/1/1/1/1/1/10 \
    "/sim/stats counts /ct/v1 requests per endpoint, bad ones too"

# --- growth -------------------------------------------------------------
fetch "/sim/grow?n=50" >/dev/null
tap_is "$(field tree_size)/$(field entries)" 350/350 "/sim/grow?n=50 appends"
sth_fetch
tap_is "$(sth_field tree_size)" 350 "get-sth covers the grown tree"
ROOT350=$(ct json-hex sha256_root_hash <"$LIB_TMP/sth.json")
check_sig "the new STH verifies" sth_verifies "$KEY"
tap_is "$(ct root "$BASE" 350)" "$ROOT350" \
    "the grown root recomputed from the leaves equals the STH"
check "consistency 300 -> 350 links the old and the new STH" \
    ct consistency "$BASE" 300 350 "$ROOT300" "$ROOT350"
check "audit paths in the grown tree verify" \
    ct inclusion "$BASE" "$ROOT350" 350 0 299 300 349

# --- a second and a third instance: --grow/--interval, determinism ----------
start_sim sim2 -n 10 --grow 5 --interval 0.2
tap_ok $? "a second instance starts with --grow 5 --interval 0.2"
BASE1=$BASE
BASE=http://127.0.0.1:$(cat "$LIB_TMP/sim2.port")
fetch "/sim/leaf?index=5" >/dev/null
L5=$(field leaf_hash)
fetch "/sim/sth?tree_size=10" >/dev/null
R10=$(field root_hash)
# Until it has grown twice (at most 30 s: a loaded machine is slow).
n=300
until sth_fetch && [ "$(sth_field tree_size)" -ge 20 ] || [ $n -le 0 ]; do
	n=$((n - 1))
	sleep 0.1
done
SIZE2=$(sth_field tree_size)
tap_ok "$([ "$SIZE2" -ge 15 ] && [ $(((SIZE2 - 10) % 5)) -eq 0 ]; echo $?)" \
    "it grew by steps of 5 (now $SIZE2)"
check_sig "its STH verifies" sth_verifies "$KEY"
tap_is "$(ct root "$BASE" "$SIZE2")" \
    "$(ct json-hex sha256_root_hash <"$LIB_TMP/sth.json")" \
    "its root recomputed from the leaves equals its STH"
BASE=$BASE1
fetch "/sim/leaf?index=5" >/dev/null
tap_is "$(field leaf_hash)" "$L5" "the same seed gives the same leaf 5"
fetch "/sim/sth?tree_size=10" >/dev/null
tap_is "$(field root_hash)" "$R10" "the same seed gives the same tree"
lib_stop sim2
tap_is $? 0 "the second instance exits cleanly on SIGTERM"
start_sim sim3 -n 10 --seed other
BASE=http://127.0.0.1:$(cat "$LIB_TMP/sim3.port")
fetch "/sim/leaf?index=5" >/dev/null
tap_ok "$([ -n "$(field leaf_hash)" ] && [ "$(field leaf_hash)" != "$L5" ]
    echo $?)" "another seed gives another leaf 5"
lib_stop sim3

# --cache-entries serves get-entries from each entry's text, built once:
# the same entries as the sim that builds its JSON anew, and fork variants
# still built anew.
start_sim sim4 -n 300 --cache-entries
BASE=http://127.0.0.1:$(cat "$LIB_TMP/sim4.port")
same_entries() {
	for range in "start=0&end=299" "start=250&end=260" "start=299&end=299"
	do
		curl -s "$BASE/ct/v1/get-entries?$range" >"$LIB_TMP/cached" &&
		curl -s "$BASE1/ct/v1/get-entries?$range" >"$LIB_TMP/built" &&
		"$PY" -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sys.exit(not (a == b and len(a["entries"]) > 0))' \
		    "$LIB_TMP/cached" "$LIB_TMP/built" || return 1
	done
	# Twice: the second answer comes from the kept text.
	curl -s "$BASE/ct/v1/get-entries?start=0&end=9" >"$LIB_TMP/again" &&
	curl -s "$BASE1/ct/v1/get-entries?start=0&end=9" >"$LIB_TMP/built" &&
	cmp -s "$LIB_TMP/again" "$LIB_TMP/built"
}
check "--cache-entries: get-entries gives the same entries, byte for byte" \
    same_entries
set -- $(ct roots "$BASE" 300)
tap_is "$1" "$ROOT300" "--cache-entries: the entries hash to the real root"
fetch "/sim/mode?set=fork" >/dev/null
set -- $(ct roots "$BASE" 300)
tap_ok "$([ -n "$1" ] && [ "$1" != "$ROOT300" ]; echo $?)" \
    "--cache-entries, fork: the served entries are the fork's"
lib_stop sim4
BASE=$BASE1

# --- misbehaviour modes ---------------------------------------------------
fetch "/sim/mode?set=bad-sig" >/dev/null
tap_is "$(field mode)" bad-sig "mode bad-sig is set"
sth_fetch
tap_is "$(sth_field tree_size)" 350 "bad-sig keeps the tree"
check_sig "bad-sig: the STH signature does not verify" \
    fails sth_verifies "$KEY"

fetch "/sim/mode?set=bad-proof" >/dev/null
check "bad-proof: audit paths do not verify" \
    ct inclusion-fails "$BASE" "$ROOT350" 350 5
check "bad-proof: consistency proofs do not verify" \
    ct consistency-fails "$BASE" 300 350 "$ROOT300" "$ROOT350"

fetch "/sim/mode?set=fork" >/dev/null
sth_fetch
FORK350=$(ct json-hex sha256_root_hash <"$LIB_TMP/sth.json")
check_sig "fork: the forked STH is validly signed" sth_verifies "$KEY"
tap_ok "$([ "$(sth_field tree_size)" = 350 ] && [ "$FORK350" != "$ROOT350" ]
    echo $?)" "fork: same size, another root"
check "fork: no consistency proof links the real 300 to the fork" \
    ct consistency-fails "$BASE" 300 350 "$ROOT300" "$FORK350"
set -- $(ct roots "$BASE" 300 350)
tap_is "$2" "$FORK350" "fork: the served leaves hash to the forked root"
check "fork: proofs are computed over the forked tree" sh -c '
    "$1" "$2" consistency "$3" 300 350 "$4" "$5" &&
    "$1" "$2" inclusion "$3" "$5" 350 0 5 349' sh \
    "$PY" "$CT" "$BASE" "$1" "$FORK350"
tap_is "$(fetch "/ct/v1/get-proof-by-hash?hash=$LEAF0&tree_size=350")" 404 \
    "fork: the real leaf 0 is gone"

fetch "/sim/mode?set=error" >/dev/null
tap_is "$(fetch /ct/v1/get-sth)/$(fetch "/ct/v1/get-entries?start=0&end=0")" \
    500/500 "error: /ct/v1 answers 500"
tap_is "$(fetch /sim/stats)" 200 "error: /sim still answers"

fetch "/sim/mode?set=bad-json" >/dev/null
tap_is "$(fetch /ct/v1/get-sth)" 200 "bad-json: get-sth answers 200"
check "bad-json: the get-sth body does not parse" \
    ct not-json <"$LIB_TMP/body"
fetch "/ct/v1/get-sth-consistency?first=1&second=350" >/dev/null
check "bad-json: a proof body does not parse" ct not-json <"$LIB_TMP/body"

fetch "/sim/mode?set=rollback" >/dev/null
sth_fetch
ROLLBACK=$(sth_field tree_size)
tap_ok "$([ "$ROLLBACK" -lt 350 ]; echo $?)" \
    "rollback: the STH shrinks (to $ROLLBACK)"
check_sig "rollback: the smaller STH is validly signed" sth_verifies "$KEY"
fetch "/sim/sth?tree_size=$ROLLBACK" >/dev/null
tap_is "$(ct json-hex sha256_root_hash <"$LIB_TMP/sth.json")" \
    "$(field root_hash)" "rollback: the root is the real one of that size"
tap_is "$(fetch "/ct/v1/get-entry-and-proof?leaf_index=0&tree_size=350")" 400 \
    "rollback: tree_size 350 is beyond the STH now"

fetch "/sim/mode?set=slow=700" >/dev/null
tap_is "$(field mode)/$(field slow_ms)" slow/700 "mode slow=700 is set"
SLOW=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/ct/v1/get-sth")
tap_ok "$("$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) >= 0.7)' \
    "$SLOW"; echo $?)" "slow: get-sth took $SLOW s"

# hold: a request waits until the mode changes; /sim/ is never held.
held() { fetch /sim/stats >/dev/null && field get-sth; }
fetch "/sim/mode?set=hold" >/dev/null
tap_is "$(field mode)" hold "mode hold is set"
n0=$(held)
curl -s -o "$LIB_TMP/held.body" -w '%{http_code}' "$BASE/ct/v1/get-sth" \
    >"$LIB_TMP/held" &
HELD_PID=$!
n=300
until [ "$(held)" -gt "$n0" ] || [ $n -le 0 ]; do
	n=$((n - 1))
	sleep 0.1
done
kill -0 "$HELD_PID" 2>/dev/null
tap_ok $? "hold: a get-sth that reached the log is held (its count rose to $(held))"
tap_is "$(fetch /sim/stats)" 200 "hold: /sim/ still answers meanwhile"
fetch "/sim/mode?set=normal" >/dev/null
wait "$HELD_PID"
tap_is "$(cat "$LIB_TMP/held")" 200 "hold: released by the mode change, it answers 200"

fetch "/sim/mode?set=normal" >/dev/null
sth_fetch
tap_is "$(sth_field tree_size)/$(ct json-hex sha256_root_hash \
    <"$LIB_TMP/sth.json")" "350/$ROOT350" "normal: the real tree is back"
check_sig "normal: the STH verifies" sth_verifies "$KEY"
check "normal: proofs verify again" \
    ct consistency "$BASE" 300 350 "$ROOT300" "$ROOT350"
check "STH timestamps never went back" "$PY" -c 'import sys
ts = [int(l) for l in open(sys.argv[1])]
sys.exit(not (len(ts) > 5 and ts == sorted(ts) and ts[-1] > ts[0]))' \
    "$LIB_TMP/ts"

# --- shutdown -------------------------------------------------------------
lib_stop sim 30
tap_is $? 0 "ctlog-sim exits cleanly on SIGTERM"

tap_end
