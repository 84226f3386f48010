#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_witness.sh -- ctdnsd as a tlog-witness (witness-listen): the real
# daemon in front of ctlog-sim --static, whose checkpoints are POSTed to
# /add-checkpoint with curl. A good request is cosigned (the line verified
# by cosigcheck.py, independently of ctdnsd's code); a replay with old 0
# gets 409 and the size (ctdnsd's own cosigning of the head it adopted
# goes through the same state); growth with the log's own consistency proof is
# cosigned; a bad proof (422), a bad signature (403), an unknown origin
# (404), 64 proof lines, garbage (400), an oversized body (413), another
# method (405) and path (404) change nothing stored; GET <hash>/checkpoint
# serves the cosigned checkpoint; a reload that drops submission-url
# trusts the origin the log's checkpoint gives, one that gives it back
# finds its state; a restarted daemon keeps its size.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init witness
lib_need openssl
"$PY" -c 'import cryptography' 2>/dev/null ||
	lib_skip_all "/usr/bin/python3 with cryptography is needed"
ORIGIN=witness.test/log
ct_start_sim 100 --static --origin "$ORIGIN"
openssl genpkey -algorithm ed25519 -out "$LIB_TMP/cosigner.pem" 2>/dev/null
WPORT=$(lib_free_port)
MPORT=$(lib_free_port)
DNS_PORT=$(lib_free_port)
CT_URL_KEY=monitoring-url
# ctdnsd adopts the first head only: the heads this test cosigns are its.
CT_STH_REFRESH=3600
# write_conf [LOG-LINES...]: the configuration, with these log lines.
write_conf() {
	ct_write_conf "$CONF" "$top_srcdir/zones/demo.ct.example.zone" "$DB" \
	    "cosigner-name: witness.test/w1" \
	    "cosigner-key: $LIB_TMP/cosigner.pem" \
	    "witness-listen: 127.0.0.1@$WPORT" \
	    "metrics-listen: 127.0.0.1@$MPORT" -- "$@"
}
write_conf "submission-url: https://$ORIGIN/"
ct_start_daemon
W=http://127.0.0.1:$WPORT
VKEY=$("$CTDNSD" -c "$CONF" --print-cosigner-vkey)
T=$LIB_TMP

# post FILE: POST it; prints the status; the body goes to $T/body.
post() {
	curl -s --max-time 30 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    --data-binary "@$1" "$W/add-checkpoint"
}
# req OLD PROOF CHECKPOINT OUT: an add-checkpoint body.
req() {
	{ echo "old $1"; cat "$2"; echo; cat "$3"; } > "$4"
}
# checkpoint OUT: the log's checkpoint now.
checkpoint() { ct_sim /checkpoint > "$1"; }
# proof A B OUT: the log's consistency proof from A to B, one per line.
proof() {
	ct_sim "/ct/v1/get-sth-consistency?first=$1&second=$2" | "$PY" -c '
import json, sys
for h in json.load(sys.stdin)["consistency"]:
    print(h)' > "$3"
}
# tamper IN OUT WHAT: a checkpoint with its origin (origin) or its log
# signature (sig) changed.
tamper() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import base64, sys
data = open(sys.argv[1]).read()
text, _, sigs = data.rpartition("\n\n")
if sys.argv[3] == "origin":
    text = "other.test/log" + text[text.index("\n"):]
else:
    out = []
    for line in sigs.splitlines():
        name, b64 = line[2:].split(" ")
        blob = bytearray(base64.b64decode(b64))
        blob[-1] ^= 1
        out.append(line[:2] + name + " " + base64.b64encode(blob).decode())
    sigs = "\n".join(out) + "\n"
open(sys.argv[2], "w").write(text + "\n\n" + sigs)
PYEOF
}
# stored: the size the witness holds (its 409 answer to old 0).
stored() {
	req 0 /dev/null "$T/cp_now" "$T/probe"
	[ "$(post "$T/probe")" = 409 ] && cat "$T/body"
}

: > "$T/empty"
checkpoint "$T/cp100"
cp "$T/cp100" "$T/cp_now"
req 0 "$T/empty" "$T/cp100" "$T/r1"
# ctdnsd cosigns the head it adopts itself (docs/witness.md), through the
# same state: whichever came first, the other sees 409 and the size 100.
code=$(post "$T/r1")
tap_ok "$( { [ "$code" = 200 ] ||
    { [ "$code" = 409 ] && [ "$(cat "$T/body")" = 100 ]; }; } &&
    echo 0 || echo 1)" \
    "a first checkpoint (old 0): 200, or 409 and 100 if ctdnsd cosigned its own head first"
req 100 "$T/empty" "$T/cp100" "$T/r2"
tap_is "$(post "$T/r2")" 200 "the same checkpoint with old 100: 200"
cp "$T/body" "$T/cosig100"
ct_ok "its cosignature/v1 line verifies (cosigcheck.py)" \
    "$PY" "$top_srcdir/tests/system/cosigcheck.py" "$VKEY" "$T/cp100" \
    "$T/cosig100"
tap_is "$(grep -c . "$T/cosig100")" 1 "the reply is one signature line"
tap_is "$(post "$T/r1")" 409 "the same again with old 0: 409"
tap_is "$(cat "$T/body")" 100 "the 409 body is the cosigned size"
grep -qi '^content-type: text/x.tlog.size' "$T/headers"
tap_ok $? "the 409 is text/x.tlog.size"

ct_sim "/sim/grow?n=20" >/dev/null
checkpoint "$T/cp120"
tap_is "$(sed -n 2p "$T/cp120")" 120 "the log grew to 120"
proof 100 120 "$T/p"
sed '1s/^./\//; 1s/^\/\//A\//' "$T/p" > "$T/pbad"
cmp -s "$T/p" "$T/pbad"
tap_ok $((! $?)) "a proof with its first hash changed"
req 100 "$T/pbad" "$T/cp120" "$T/r3"
tap_is "$(post "$T/r3")" 422 "a bad consistency proof: 422"
tap_is "$(stored)" 100 "nothing stored on 422"
tamper "$T/cp120" "$T/cpsig" sig
req 100 "$T/p" "$T/cpsig" "$T/r4"
tap_is "$(post "$T/r4")" 403 "a bad log signature: 403"
tamper "$T/cp120" "$T/cporigin" origin
req 100 "$T/p" "$T/cporigin" "$T/r5"
tap_is "$(post "$T/r5")" 404 "an unknown origin: 404"
"$PY" -c 'print("\n".join(["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="] * 64))' \
    > "$T/p64"
req 100 "$T/p64" "$T/cp120" "$T/r6"
tap_is "$(post "$T/r6")" 400 "64 proof lines: 400"
printf 'this is not a request\n' > "$T/garbage"
tap_is "$(post "$T/garbage")" 400 "garbage: 400"
head -c 100000 /dev/zero | tr '\0' 'A' > "$T/big"
tap_is "$(post "$T/big")" 413 "a 100 kB body: 413"
req 130 "$T/p" "$T/cp120" "$T/r7"
tap_is "$(post "$T/r7")" 400 "old size above the checkpoint's: 400"
tap_is "$(stored)" 100 "nothing stored by any refused request"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' "$W/add-checkpoint")" 405 \
    "GET /add-checkpoint: 405"
tap_is "$(curl -s -o /dev/null -w '%{http_code}' "$W/metrics")" 404 \
    "another path: 404"

req 100 "$T/p" "$T/cp120" "$T/r8"
tap_is "$(post "$T/r8")" 200 "100 -> 120 with the log's proof: 200"
cp "$T/body" "$T/cosig120"
ct_ok "its cosignature verifies" "$PY" \
    "$top_srcdir/tests/system/cosigcheck.py" "$VKEY" "$T/cp120" \
    "$T/cosig120"
cp "$T/cp120" "$T/cp_now"
tap_is "$(stored)" 120 "the witness holds 120"
tap_is "$(post "$T/r1")" 409 "a smaller size (100, old 0): 409"

HASH=$(printf '%s' "$ORIGIN" | sha256sum | cut -d' ' -f1)
tap_is "$(curl -s -o "$T/got" -w '%{http_code}' "$W/$HASH/checkpoint")" 200 \
    "GET <sha256(origin)>/checkpoint: 200"
ct_ok "it carries the witness's cosignature on size 120" \
    "$PY" "$top_srcdir/tests/system/cosigcheck.py" "$VKEY" "$T/got"
tap_is "$(sed -n 2p "$T/got")" 120 "of the latest size"
grep -q "^— $ORIGIN " "$T/got"
tap_ok $? "and the log's own signature line"
OTHER=$(printf 'other' | sha256sum | cut -d' ' -f1)
tap_is "$(curl -s -o /dev/null -w '%{http_code}' "$W/$OTHER/checkpoint")" \
    404 "GET for an origin never cosigned: 404"

curl -s "http://127.0.0.1:$MPORT/metrics" > "$T/metrics"
grep -q '^ctdnsd_witness_requests_total{code="409"} [1-9]' "$T/metrics"
tap_ok $? "metrics count the 409s"
grep -q '^ctdnsd_witness_requests_total{code="413"} 1$' "$T/metrics"
tap_ok $? "metrics count the 413"
if grep -q '127\.0\.0\.1:[0-9]* \|from 127' "$T/ctdnsd.err"; then
	tap_ok 1 "no client address in the log"
else
	tap_ok 0 "no client address in the log"
fi

# hup: SIGHUP, and wait until the daemon says the reload ended.
hup() {
	hup_before=$(grep -c "reload: serving" "$T/ctdnsd.err")
	kill -HUP "$(lib_pid ctdnsd)"
	hup_left=100
	while [ "$(grep -c "reload: serving" "$T/ctdnsd.err")" -le \
	    "$hup_before" ]; do
		hup_left=$((hup_left - 1))
		[ "$hup_left" -gt 0 ] || return 1
		sleep 0.1
	done
}
write_conf
hup
tap_ok $? "reload without submission-url"
# The log learns its origin from its checkpoint again: from then on it is
# trusted under it, with its state.
left=100
until [ "$(stored)" = 120 ] || [ "$left" -le 0 ]; do
	left=$((left - 1))
	sleep 0.2
done
tap_is "$(stored)" 120 "the origin learned from the checkpoint is trusted, with its state"
write_conf "submission-url: https://$ORIGIN/"
hup
tap_ok $? "reload with submission-url again"
tap_is "$(stored)" 120 "trusted again, with its state: 409 and 120"

ct_restart_daemon
tap_is "$(stored)" 120 "after a restart the witness still holds 120"
tap_is "$(post "$T/r8")" 409 "and refuses 100 -> 120 again: 409"
tap_end
