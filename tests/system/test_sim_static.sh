#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_sim_static.sh -- system test of ctlog-sim --static, the simulated
# C2SP static-ct-api ("tiled") log.
#
# Checks everything the tiled read path serves with tests/system/ctstatic.py,
# an independent checker that first proves itself on a real checkpoint
# (vector 08): the checkpoint (RFC6962NoteSignature under the log key, the
# witness's Ed25519 cosignature, grease, shuffled lines), hash tiles at
# every level recomputed into the root, partial tiles (only for widths a
# checkpoint named), gzip data tiles against level 0, issuers, SCTs with
# the leaf_index extension, the request counters, that the checker
# catches every misbehaviour mode, mode no-partial (partial tiles whose
# full tile exists are gone), and mode split: the --split-client
# address gets the split view's checkpoint and tiles, everyone else the
# real tree's.
#
# Environment: top_builddir, top_srcdir (make check sets both);
# SIM_WRAPPER, a command prefix for the simulator; LIB_KEEP_TMP=1 keeps
# the temporary directory.

. "${top_srcdir:-.}/tests/system/lib.sh"

# Skipped only when curl, Debian's python or its cryptography is missing.
PY=/usr/bin/python3
[ -x "$PY" ] || lib_skip_all "$PY not found"
"$PY" -c 'import cryptography' 2>/dev/null ||
    lib_skip_all "python3-cryptography not installed"
lib_need curl
lib_init simstatic

SIM=$top_builddir/tools/ctlog-sim/ctlog-sim
TESTCA=$top_builddir/tests/system/testca
CS=$top_srcdir/tests/system/ctstatic.py
VECTOR=$top_srcdir/tests/data/08_static_ct_checkpoint.json

cs() {
	"$PY" "$CS" "$@"
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

# caught KIND DESC CMD...: CMD must fail, and for the reason KIND (so a
# broken connection does not pass for a detected bad signature).
caught() {
	caught_kind=$1
	caught_desc=$2
	shift 2
	"$@" >"$LIB_TMP/caught.out" 2>&1
	caught_st=$?
	if [ "$caught_st" -eq 1 ] &&
	    grep -q "^FAIL $caught_kind:" "$LIB_TMP/caught.out"; then
		tap_ok 0 "$caught_desc"
	else
		tap_ok 1 "$caught_desc"
		tap_diag "status $caught_st, want 1 and FAIL $caught_kind:"
		tap_diag "$(cat "$LIB_TMP/caught.out")"
	fi
}

# status PATH [CURL-OPTIONS]: body into $LIB_TMP/body, print the status.
status() {
	status_path=$1
	shift
	curl -s -o "$LIB_TMP/body" -w '%{http_code}' "$@" "$BASE/$status_path"
}

field() {
	"$PY" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1" <"$LIB_TMP/body"
}

mode() {
	status "sim/mode?set=$1" >/dev/null
}

start_sim() {
	sim_name=$1
	shift
	# shellcheck disable=SC2086
	lib_start "$sim_name" ${SIM_WRAPPER:-} "$SIM" -a 127.0.0.1 -p 0 \
	    --ready-file "$LIB_TMP/$sim_name.port" "$@"
	lib_wait_file "$LIB_TMP/$sim_name.port" 120
}

# use NAME: point BASE, ORIGIN at a started instance.
use() {
	PORT=$(cat "$LIB_TMP/$1.port")
	BASE=http://127.0.0.1:$PORT
	ORIGIN=127.0.0.1:$PORT
}

# cp_fetch: verify the checkpoint; SIZE, ROOT, TS set from it.
cp_fetch() {
	cs checkpoint "$BASE" "$KEY" "$VKEY" "$ORIGIN" >"$LIB_TMP/cp" ||
	    return 1
	read -r SIZE ROOT TS <"$LIB_TMP/cp"
}

# --- the checker and the keys -------------------------------------------
check "the checker verifies a real static-ct-api checkpoint (vector 08)" \
    cs vector "$VECTOR"
KEY=$("$SIM" --print-key)
VKEY=$("$SIM" --print-witness-vkey)
tap_is "$("$SIM" --print-witness-vkey)" "$VKEY" \
    "--print-witness-vkey is deterministic"
check "the witness vkey is name+keyid+base64(0x04 || Ed25519 key)" \
    sh -c 'echo "$1" | grep -Eq "^witness\.sim\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$" &&
    test "$1" != "$2"' sh "$VKEY" "$("$SIM" --print-witness-vkey --seed o)"
"$SIM" --origin example.com/log >/dev/null 2>&1
tap_is "$?" 2 "--origin without --static is a usage error"

# --- a tree of 70000: the static-ct-api example -----------------------------
start_sim big -n 70000 --static
tap_ok $? "ctlog-sim --static starts with 70000 entries"
use big
lib_wait_line big '^witness: ' 10
check "it prints the witness vkey" grep -qx "witness: $VKEY" \
    "$LIB_TMP/big.out"
check "the checkpoint verifies: RFC 6962 line, cosignature, origin" \
    cp_fetch
tap_is "$SIZE" 70000 "the checkpoint covers the 70000 entries"
status ct/v1/get-sth >/dev/null
tap_is "$(field sha256_root_hash | "$PY" -c 'import base64, sys
print(base64.b64decode(sys.stdin.read()).hex())')/$(field timestamp)" \
    "$ROOT/$TS" "the checkpoint is get-sth's STH"
: >"$LIB_TMP/first-lines"
# 40 draws of the first line: all three names turn up but for 3 * (2/3)^40.
for i in $(seq 40); do
	curl -s "$BASE/checkpoint" | sed -n 5p | cut -d' ' -f2 | cut -c1-8 \
	    >>"$LIB_TMP/first-lines"
done
tap_is "$(sort -u "$LIB_TMP/first-lines" | wc -l | tr -d ' ')" 3 \
    "the signature lines come in shuffled order"
check "a grease line is there" sh -c \
    'curl -s "$1/checkpoint" | grep -q "^— grease\.invalid"' sh "$BASE"
curl -s -D "$LIB_TMP/hdr" -o /dev/null "$BASE/checkpoint"
check "checkpoint: text/plain; charset=utf-8" \
    grep -qi '^content-type: text/plain; charset=utf-8' "$LIB_TMP/hdr"
check "tiles of 70000 hash to the checkpoint (every level, data, issuers)" \
    cs tree "$BASE" "$SIZE" "$ROOT"
curl -s -D "$LIB_TMP/hdr" -o "$LIB_TMP/data.gz" "$BASE/tile/data/000"
check "a data tile comes gzip-encoded, unasked" \
    grep -qi '^content-encoding: gzip' "$LIB_TMP/hdr"
check "and is a gzip stream" gzip -t "$LIB_TMP/data.gz"
curl -s -D "$LIB_TMP/hdr" -o /dev/null "$BASE/tile/0/000"
check "a hash tile: application/octet-stream, not encoded" sh -c \
    'grep -qi "^content-type: application/octet-stream" "$1" &&
    ! grep -qi "^content-encoding" "$1"' sh "$LIB_TMP/hdr"
# One connection for several GETs (a mirror asks for thousands of tiles):
# curl's num_connects is 0 for a transfer that reused the connection.
tap_is "$(curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
    -w '%{num_connects}' "$BASE/tile/0/000" "$BASE/tile/0/001" \
    "$BASE/checkpoint" "$BASE/ct/v1/get-sth")" 1000 \
    "GETs of tiles, checkpoint and get-sth keep the connection"

# Tiles of 70000: 273 full + 1 partial of 112 at level 0, 1 full + 1
# partial of 17 at level 1, 1 partial of 1 at level 2.
while read -r want path; do
	tap_is "$(status "$path")" "$want" "$path"
done <<EOF
200 tile/0/272
200 tile/0/273.p/112
404 tile/0/273.p/111
404 tile/0/273.p/113
404 tile/0/273
404 tile/0/274.p/1
200 tile/1/000
200 tile/1/001.p/17
404 tile/1/001
200 tile/2/000.p/1
404 tile/3/000.p/1
200 tile/data/273.p/112
404 tile/data/273.p/111
404 tile/0/x000/273.p/112
404 tile/0/273.p/0112
404 tile/0/273.p/256
404 tile/0/273.p/0
404 tile/00/000
404 tile/6/000
404 tile/0/1234
404 tile/0/12
404 tile/data/x1/000
404 issuer/00
404 tile/0/273.p/112/
EOF
status tile/0/273.p/112 >/dev/null
tap_is "$(wc -c <"$LIB_TMP/body" | tr -d ' ')" 3584 \
    "the partial tile holds 112 hashes"
cp "$LIB_TMP/body" "$LIB_TMP/p112"
tap_is "$(status tile/0/273 -X POST)" 405 "POST is refused"

# --- growth: old partial tiles stay, new ones appear ------------------------
OLD_SIZE=$SIZE OLD_ROOT=$ROOT
status "sim/grow?n=100" >/dev/null
cp_fetch
tap_is "$SIZE" 70100 "after growing by 100 the checkpoint covers 70100"
tap_is "$(status tile/0/273.p/212)" 200 "the new partial tile of 212 is served"
check "the old partial tile is a prefix of the new one" \
    cmp -n 3584 "$LIB_TMP/p112" "$LIB_TMP/body"
tap_is "$(status tile/0/273.p/112)" 200 \
    "the partial tile of 112 a checkpoint named is still served"
tap_is "$(status tile/0/273.p/150)" 404 \
    "a width no checkpoint named is not"
check "70000 is a prefix of 70100 (level-0 tiles)" \
    cs consistency "$BASE" "$OLD_SIZE" "$OLD_ROOT" "$SIZE" "$ROOT"
caught inconsistent "the checker refuses a wrong old root" \
    cs consistency "$BASE" "$OLD_SIZE" "$ROOT" "$SIZE" "$ROOT"

# --- counters ---------------------------------------------------------------
status sim/reset-stats >/dev/null
cp_fetch
for p in tile/0/000 tile/0/001 tile/1/000 tile/2/000.p/1 tile/data/000 \
    tile/0/999 nothing/at/all; do
	status "$p" >/dev/null
done
status ct/v1/get-roots >/dev/null
field certificates.0 | "$PY" -c 'import base64, sys
sys.stdout.buffer.write(base64.b64decode(sys.stdin.read()))' >"$LIB_TMP/ca.der"
status "issuer/$(sha256sum "$LIB_TMP/ca.der" | cut -d' ' -f1)" >/dev/null
check "issuer/<sha256> serves the CA of get-roots" \
    cmp "$LIB_TMP/ca.der" "$LIB_TMP/body"
status sim/stats >/dev/null
STATS=
for f in checkpoint tile-0 tile-1 tile-2 tile-3 tile-data issuer \
    static-other get-roots total; do
	STATS="$STATS/$(field "$f")"
done
tap_is "$STATS" /1/3/1/1/0/1/1/0/1/9 \
    "/sim/stats counts checkpoint, tiles per level, data tiles, issuers"
lib_stop big 30
tap_is $? 0 "the big instance exits cleanly"

# --- submissions: SCTs with leaf_index, entries in the data tiles -----------
start_sim sub -n 300 --static
use sub
T=$LIB_TMP/ca
mkdir -p "$T"
submit() {
	curl -sf -X POST -H 'Content-Type: application/json' \
	    --data-binary "@$2" "$BASE/ct/v1/$1" >"$3"
}
if [ -x "$TESTCA" ] && "$TESTCA" ca "$T" >/dev/null 2>&1; then
	"$TESTCA" cert "$T" plain 7 && "$TESTCA" chain "$T" "$T/plain.pem" \
	    >"$T/plain.req" && submit add-chain "$T/plain.req" "$T/plain.sct"
	tap_ok $? "add-chain is answered"
	"$TESTCA" precert "$T" pre 8 && "$TESTCA" chain "$T" \
	    "$T/pre.pre.pem" >"$T/pre.req" &&
	    submit add-pre-chain "$T/pre.req" "$T/pre.sct"
	tap_ok $? "add-pre-chain is answered"
	cp_fetch
	tap_is "$SIZE" 302 "both entries are merged at once"
	tap_is "$(cs sct "$BASE" "$KEY" "$SIZE" "$T/plain.req" \
	    "$T/plain.sct" 2>&1)" 300 \
	    "add-chain SCT: leaf_index 300, the entry and its signature match"
	tap_is "$(cs sct "$BASE" "$KEY" "$SIZE" "$T/pre.req" "$T/pre.sct" \
	    2>&1)" 301 \
	    "add-pre-chain SCT: leaf_index 301, pre_certificate, issuer"
	check "the tiles of 302 hash to the checkpoint, test CA issuer too" \
	    cs tree "$BASE" "$SIZE" "$ROOT"
else
	for d in "add-chain is answered" "add-pre-chain is answered" \
	    "both entries are merged at once" "add-chain SCT" \
	    "add-pre-chain SCT" "the tiles of 302 hash to the checkpoint"; do
		tap_skip "$d" "tests/system/testca not built"
	done
fi
lib_stop sub

# --- misbehaviour: each one caught, and for its reason ----------------------
start_sim bad -n 1000 --static
use bad
cp_fetch
GOOD_SIZE=$SIZE GOOD_ROOT=$ROOT
check "normal: tiles of 1000 verify" cs tree "$BASE" "$SIZE" "$ROOT"

mode bad-sig
caught log-signature "bad-sig: the RFC 6962 line does not verify" cp_fetch
mode bad-keyid
caught no-log-signature "bad-keyid: no line carries the log's key ID" \
    cp_fetch
mode fork
check "fork: the forked checkpoint is validly signed and cosigned" cp_fetch
tap_ok "$([ "$SIZE" = "$GOOD_SIZE" ] && [ "$ROOT" != "$GOOD_ROOT" ]
    echo $?)" "fork: same size, another root"
check "fork: the tiles follow the fork" cs tree "$BASE" "$SIZE" "$ROOT"
caught inconsistent "fork: the earlier tree is not a prefix of the tiles" \
    cs consistency "$BASE" "$GOOD_SIZE" "$GOOD_ROOT" "$SIZE" "$ROOT"
mode bad-tile
caught tile-root "bad-tile: the tiles do not hash to the root" \
    cs tree "$BASE" "$GOOD_SIZE" "$GOOD_ROOT"
mode bad-data
caught data-mismatch "bad-data: a data tile does not match level 0" \
    cs tree "$BASE" "$GOOD_SIZE" "$GOOD_ROOT"
mode bad-gzip
caught gzip "bad-gzip: a truncated gzip data tile is caught" \
    cs tree "$BASE" "$GOOD_SIZE" "$GOOD_ROOT"
mode garbage
caught format "garbage: the checkpoint does not parse" cp_fetch
caught format "garbage: the tiles do not parse" \
    cs tree "$BASE" "$GOOD_SIZE" "$GOOD_ROOT"
mode error
caught fetch "error: HTTP 500 is caught" cp_fetch
tap_is "$(status tile/0/000)" 500 "error: tiles answer 500"
mode down
caught fetch "down: a dropped connection is caught" cp_fetch
curl -s -o /dev/null "$BASE/tile/0/000"
tap_is $? 52 "down: the connection closes with no answer"
tap_is "$(status sim/stats)" 200 "down: /sim still answers"
mode rollback
check "rollback: the smaller checkpoint is validly signed" cp_fetch
tap_ok "$([ "$SIZE" -lt "$GOOD_SIZE" ]; echo $?)" \
    "rollback: the checkpoint shrinks (to $SIZE)"
mode slow=700
curl -s -o /dev/null -w '%{time_total}\n' "$BASE/checkpoint" \
    >"$LIB_TMP/slow" &
SLOW_PID=$!
FAST=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/sim/stats")
wait "$SLOW_PID"
tap_ok "$("$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) >= 0.7)' \
    "$(cat "$LIB_TMP/slow")"; echo $?)" \
    "slow: the checkpoint took $(cat "$LIB_TMP/slow") s"
tap_ok "$("$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) < 0.4)' \
    "$FAST"; echo $?)" "slow: /sim is not held up ($FAST s)"
mode normal
cp_fetch
tap_is "$SIZE/$ROOT" "$GOOD_SIZE/$GOOD_ROOT" "normal: the real tree is back"
check "normal: the tiles verify again" cs tree "$BASE" "$SIZE" "$ROOT"
lib_stop bad 30
tap_is $? 0 "ctlog-sim --static exits cleanly on SIGTERM"

# --- mode no-partial: a log that deletes partial tiles once full -----------
# A tree of 300, grown to 70000: level-0 tile 1 and level-1 tile 0, partial
# at 300 (widths 44 and 1), are full now; the right edge of 70000 is not.
start_sim gone -n 300 --static
use gone
cp_fetch
OLD_SIZE=$SIZE OLD_ROOT=$ROOT
tap_is "$(status tile/0/001.p/44)/$(status tile/1/000.p/1)/$(status \
    tile/data/001.p/44)" 200/200/200 "the partial tiles of 300 are served"
status "sim/grow?n=69700" >/dev/null
tap_is "$(status tile/0/001.p/44)" 200 \
    "normal: a partial tile a checkpoint named stays after its tile fills"
mode no-partial
tap_is "$(field mode)" no-partial "mode no-partial is set"
status sim/reset-stats >/dev/null
while read -r want path; do
	tap_is "$(status "$path")" "$want" "no-partial: $path"
done <<EOF
404 tile/0/001.p/44
404 tile/1/000.p/1
404 tile/data/001.p/44
200 tile/0/001
200 tile/1/000
200 tile/data/001
200 tile/0/273.p/112
200 tile/1/001.p/17
200 tile/2/000.p/1
200 tile/data/273.p/112
EOF
status sim/stats >/dev/null
STATS=
for f in partial-gone.tile-0 partial-gone.tile-1 partial-gone.tile-2 \
    partial-gone.tile-data full.tile-0 full.tile-1 full.tile-data tile-0 \
    tile-1 tile-data total; do
	STATS="$STATS/$(field "$f")"
done
tap_is "$STATS" /1/1/0/1/1/1/1/3/3/3/10 \
    "no-partial: /sim/stats counts the partial tiles gone and the full ones"
cp_fetch
check "no-partial: the tiles of 70000 still hash to the checkpoint" \
    cs tree "$BASE" "$SIZE" "$ROOT"
check "no-partial: 300 is a prefix of 70000 (level-0 tiles)" \
    cs consistency "$BASE" "$OLD_SIZE" "$OLD_ROOT" "$SIZE" "$ROOT"
caught fetch "no-partial: the tiles of 300, partial ones asked, are gone" \
    cs tree "$BASE" "$OLD_SIZE" "$OLD_ROOT"
mode normal
tap_is "$(status tile/0/001.p/44)" 200 "normal again: the partial is back"
lib_stop gone

# --- mode split: the split client gets its own checkpoint and tiles ---------
# cp_from ADDR: cp_fetch from that local address.
cp_from() {
	cs --from "$1" checkpoint "$BASE" "$KEY" "$VKEY" "$ORIGIN" \
	    >"$LIB_TMP/cp" || return 1
	read -r SIZE ROOT TS <"$LIB_TMP/cp"
}
# root_hex SIZE [VIEW]: the sim's own root of that tree, in hex.
root_hex() {
	status "sim/sth?tree_size=$1${2:+&view=$2}" >/dev/null
	field sha256_root_hash | "$PY" -c 'import base64, sys
print(base64.b64decode(sys.stdin.read()).hex())'
}
start_sim split -n 1000 --static --split-client 127.0.0.2
use split
SPLIT_TESTS=15
# 127.0.0.2 is a loopback address on Linux; elsewhere it may be missing.
if ! curl -sf -o /dev/null --interface 127.0.0.2 --max-time 10 \
    "$BASE/sim/stats"; then
	for i in $(seq "$SPLIT_TESTS"); do
		tap_skip "split view $i" "cannot reach the sim from 127.0.0.2"
	done
else
	cp_fetch
	PRE_SIZE=$SIZE PRE_ROOT=$ROOT
	status tile/0/003.p/232 >/dev/null
	cp "$LIB_TMP/body" "$LIB_TMP/pre232"
	mode split
	status "sim/grow?n=300" >/dev/null
	check "split: the real checkpoint verifies" cp_fetch
	REAL_SIZE=$SIZE REAL_ROOT=$ROOT
	check "split: the split client's checkpoint verifies (key, witness)" \
	    cp_from 127.0.0.2
	tap_ok "$([ "$SIZE" = 1300 ] && [ "$REAL_SIZE" = 1300 ] &&
	    [ "$ROOT" != "$REAL_ROOT" ]; echo $?)" \
	    "split: both views at 1300, with different roots"
	tap_is "$ROOT" "$(root_hex 1300 split)" \
	    "split: the split client's root is the split view's"
	tap_is "$REAL_ROOT" "$(root_hex 1300)" \
	    "split: everyone else's is the real tree's"
	SPLIT_ROOT=$ROOT
	check "split: the split client's tiles (every level, data) hash to its root" \
	    cs --from 127.0.0.2 tree "$BASE" 1300 "$SPLIT_ROOT"
	check "split: its tiles extend the tree of 1000 it saw before the split" \
	    cs --from 127.0.0.2 consistency "$BASE" "$PRE_SIZE" "$PRE_ROOT" \
	    1300 "$SPLIT_ROOT"
	check "split: the real view's tiles hash to the real root" \
	    cs tree "$BASE" 1300 "$REAL_ROOT"
	caught tile-root "split: the real view's tiles are not the split tree" \
	    cs tree "$BASE" 1300 "$SPLIT_ROOT"
	status tile/0/003.p/232 --interface 127.0.0.2 >/dev/null
	check "split: the partial tile of 1000 (pre-split) is the same to both" \
	    cmp "$LIB_TMP/pre232" "$LIB_TMP/body"
	status tile/0/005.p/20 >/dev/null
	cp "$LIB_TMP/body" "$LIB_TMP/real20"
	tap_is "$(status tile/0/005.p/20 --interface 127.0.0.2)" 200 \
	    "split: the split view's partial tile of 1300 is served"
	check "split: and holds other hashes than the real one" \
	    sh -c '! cmp -s "$1" "$2"' sh "$LIB_TMP/real20" "$LIB_TMP/body"
	tap_is "$(status tile/0/005.p/19 --interface 127.0.0.2)" 404 \
	    "split: a width no checkpoint of the split view named is not"
	status sim/reset-stats >/dev/null
	status checkpoint --interface 127.0.0.2 >/dev/null
	status tile/0/000 --interface 127.0.0.2 >/dev/null
	status tile/data/000 --interface 127.0.0.2 >/dev/null
	status checkpoint >/dev/null
	status ct/v1/get-sth --interface 127.0.0.2 >/dev/null
	status sim/stats >/dev/null
	STATS=
	for f in checkpoint tile-0 tile-data total split.checkpoint \
	    split.tile-0 split.tile-data split.get-sth split.total; do
		STATS="$STATS/$(field "$f")"
	done
	tap_is "$STATS" /2/1/1/5/1/1/1/1/4 \
	    "split: /sim/stats counts the static requests of the split view"
	mode normal
	cp_from 127.0.0.2
	tap_is "$SIZE/$ROOT" "$REAL_SIZE/$REAL_ROOT" \
	    "normal: the split client gets the real checkpoint again"
fi
lib_stop split

# --- without --static nothing tiled is served ---------------------------------
start_sim plain -n 10
use plain
tap_is "$(status checkpoint)/$(status tile/0/000.p/10)" 404/404 \
    "without --static: no checkpoint, no tiles"
lib_stop plain

tap_end
