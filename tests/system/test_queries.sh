#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_queries.sh -- every CT-over-DNS query form against the real ctdnsd
# fronting the real ctlog-sim: answers verified by ctdns against the signed
# STH, compared byte for byte with the log's own HTTP answers, and every
# negative answer, DNS edge case and transport a resolver relies on.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init queries
lib_need kdig drill
ct_start_sim 300
ct_conf
ct_start_daemon
nx() { tap_is "$(ct_rcode TXT "$1.$ZONE")" NXDOMAIN "NXDOMAIN: $1"; }

# --- the STH ---------------------------------------------------------------
tap_is "$(ct_sth_size)" 300 "sth answers the log's tree size"
ct_client sth "$ZONE" > "$LIB_TMP/out" 2>&1
tap_ok $? "ctdns verifies the STH's signature with the log key"
grep -q "signature verified" "$LIB_TMP/out"
tap_ok $? "ctdns says the signature was verified"
ct_check sth
tap_ok $? "sth text equals the log's get-sth, AA set, sth-ttl, 0x20 case kept"
flags=$(ct_dig TXT "sth.$ZONE" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p')
tap_is "$flags" "qr aa" "sth answer: QR and AA, no RA"

# --- the checkpoint: the same head as a signed note ---------------------------
# kdig over TCP; the note is checked against the log's own get-sth and key
# here, in Python, with nothing of ctdnsd's code: origin (the url without
# scheme and slash), size, root, and the RFC6962NoteSignature line's key ID,
# timestamp and TreeHeadSignature.
kdig +norec +tcp +time=5 -p "$DNS_PORT" @127.0.0.1 TXT "checkpoint.$ZONE" \
    > "$LIB_TMP/cp.kdig" 2>&1
ct_sim /ct/v1/get-sth > "$LIB_TMP/cp.sth"
cp=$("$PY" - "$LIB_TMP/cp.kdig" "$LIB_TMP/cp.sth" "$SIM_URL" "$SIM_KEY" <<'PY'
import base64, hashlib, json, re, struct, sys
text = open(sys.argv[1]).read()
sth = json.load(open(sys.argv[2]))
url, key = sys.argv[3], base64.b64decode(sys.argv[4])
rr = [l for l in text.splitlines() if "\tTXT\t" in l or " TXT " in l]
if len(rr) != 1 or "status: NOERROR" not in text:
    print("no single TXT answer:", text); sys.exit()
def unescape(s):
    return re.sub(rb"\\(\d{3}|.)", lambda m: bytes([int(m.group(1))])
                  if len(m.group(1)) == 3 else m.group(1), s)
strings = [unescape(m.encode()) for m in re.findall(r'"((?:[^"\\]|\\.)*)"', rr[0])]
if any(len(s) > 255 for s in strings):
    print("a string over 255 bytes"); sys.exit()
note = b"".join(strings).decode()
body, sigs = note.split("\n\n")
origin = re.sub(r"^[a-z]+://", "", url).rstrip("/")
lines = body.split("\n")
want = [origin, str(sth["tree_size"]), sth["sha256_root_hash"]]
if lines != want:
    print("body", lines, "want", want); sys.exit()
sig_lines = sigs.rstrip("\n").split("\n")
name, b64 = sig_lines[0][2:].split(" ")
raw = base64.b64decode(b64)
kid = hashlib.sha256(origin.encode() + b"\n\x05" + hashlib.sha256(key).digest()).digest()[:4]
ts = struct.unpack(">Q", raw[4:12])[0]
ok = (sig_lines[0][:2] == "\u2014 " and name == origin and raw[:4] == kid and
      ts == sth["timestamp"] and raw[12:] == base64.b64decode(sth["tree_head_signature"]))
print("ok %d lines" % len(sig_lines) if ok else "bad line %r" % sig_lines[0])
PY
)
tap_is "$cp" "ok 1 lines" "checkpoint over TCP (kdig): the log's STH as a note, its RFC6962NoteSignature"
tap_is "$(drill -t -p "$DNS_PORT" @127.0.0.1 TXT "checkpoint.$ZONE" | \
    sed -n 's/.*rcode: \([A-Z]*\).*/\1/p')" NOERROR "drill gets the checkpoint over TCP"
ttl=$(ct_dig TXT "checkpoint.$ZONE" | grep -v '^;' | grep TXT | awk '{print $2}')
tap_is "$ttl" "$STH_TTL" "checkpoint TTL is sth-ttl"
nx x.checkpoint
tap_is "$(ct_dig A "checkpoint.$ZONE" | grep -c 'ANSWER: 0, AUTHORITY: 1')" 1 \
    "NODATA with SOA: A checkpoint"

# --- inclusion proofs: many leaves, the current tree ------------------------
fails=0
for i in 0 1 2 3 7 8 15 16 42 100 127 128 200 255 256 298 299; do
	ct_client proof "$ZONE" "$(ct_leaf $i)" > "$LIB_TMP/out" 2>&1 || {
		fails=$((fails + 1)); tap_diag "leaf $i:"; tap_diag "$(cat "$LIB_TMP/out")"; }
done
tap_is $fails 0 "ctdns proves inclusion of 17 leaves in tree 300"

# --- inclusion in older tree sizes (roots via consistency or a path) --------
fails=0
for p in 0:1 0:2 1:2 2:3 5:7 31:32 63:64 64:65 100:255 200:256 255:256 10:299; do
	i=${p%:*}; s=${p#*:}
	ct_client proof "$ZONE" "$(ct_leaf $i)" "$s" > "$LIB_TMP/out" 2>&1 || {
		fails=$((fails + 1)); tap_diag "leaf $i in $s:"; tap_diag "$(cat "$LIB_TMP/out")"; }
done
tap_is $fails 0 "ctdns proves inclusion in 12 older tree sizes"

# --- consistency proofs ------------------------------------------------------
fails=0
for p in 1:2 1:300 2:300 3:5 7:8 8:300 64:256 100:299 128:300 299:300; do
	ct_client consistency "$ZONE" "${p%:*}" "${p#*:}" > "$LIB_TMP/out" 2>&1 || {
		fails=$((fails + 1)); tap_diag "consistency $p:"; tap_diag "$(cat "$LIB_TMP/out")"; }
done
tap_is $fails 0 "ctdns verifies 10 consistency proofs"

# --- byte-for-byte against the log -------------------------------------------
ct_check tree 0:300 17:300 299:300 0:2 2:3 63:64 64:65 150:256 299:300 33:201
tap_ok $? "audit paths equal the log's get-entry-and-proof, every chunk"
ct_check consistency 1:2 3:300 64:256 100:299 255:256 17:18
tap_ok $? "consistency proofs equal the log's get-sth-consistency"
ct_check hash 0 5 42 299
tap_ok $? "leaf indices equal the log's"
ct_check --tcp tree 77:300
tap_ok $? "the same over TCP"

# --- the spec's sizes: 7 nodes per answer, the last one shorter ---------------
len=$("$PY" - "$DNS_PORT" "0.0.300.tree.$ZONE." <<'PY'
import sys
import dns.message, dns.query
r = dns.query.udp(dns.message.make_query(sys.argv[2], "TXT"), "127.0.0.1",
                  port=int(sys.argv[1]), timeout=10)
strings = r.answer[0][0].strings
print("%d strings %d bytes" % (len(strings), len(strings[0])))
PY
)
tap_is "$len" "1 strings 224 bytes" "a full chunk holds 7 nodes (224 bytes) in one string"

# --- negative answers ----------------------------------------------------------
nx 0.300.300.tree          # index >= size
nx 0.5.301.tree            # size beyond the tree
nx 00.5.10.tree            # leading zero
nx 0.05.10.tree
nx 9.5.10.tree             # start >= proof length (4)
nx 0.0.10.sth-consistency  # first = 0
nx 0.10.10.sth-consistency # first = second
nx 0.11.10.sth-consistency
nx 0.5.301.sth-consistency
nx 0.-1.10.tree
nx 0.18446744073709551616.10.tree
nx x.sth
nx foo
nx 1.2.3.4.tree
nx AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.hash
unknown=$("$PY" -c 'import base64, os
print(base64.b32encode(os.urandom(32)).decode().rstrip("="))')
nx "$unknown.hash"
nodata() {
	out=$(ct_dig "$2" "$1.$ZONE")
	echo "$out" | grep -q "status: NOERROR" &&
	    echo "$out" | grep -q "ANSWER: 0, AUTHORITY: 1"
	tap_ok $? "NODATA with SOA: $2 $1"
}
nodata hash TXT
nodata tree TXT
nodata 5.tree TXT
nodata 4.5.tree TXT
nodata sth-consistency TXT
nodata 300.sth-consistency TXT
nodata 7.300.sth-consistency TXT
nodata sth A
nodata 0.0.300.tree AAAA
auth=$(ct_dig TXT "$unknown.hash.$ZONE" | grep -A1 'AUTHORITY SECTION' | tail -1)
echo "$auth" | grep -Eq "^$ZONE\.[[:space:]]+$NEG_TTL[[:space:]]+IN[[:space:]]+SOA"
tap_ok $? "NXDOMAIN carries the SOA with the negative TTL ($NEG_TTL)"
tap_is "$(ct_rcode TXT sth.example.org)" REFUSED "REFUSED outside our zones"
tap_is "$(ct_rcode -c CH TXT "sth.$ZONE")" REFUSED "REFUSED for class CH"
tap_is "$(ct_dig +opcode=status TXT "sth.$ZONE" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" \
	NOTIMP "NOTIMP for opcode STATUS"
tap_is "$(ct_rcode +edns=1 +noednsneg TXT "sth.$ZONE")" BADVERS "BADVERS for EDNS version 1"
axfr=$("$PY" - "$DNS_PORT" "$ZONE." <<'PY'
import sys
import dns.message, dns.query, dns.rcode
q = dns.message.make_query(sys.argv[2], "AXFR")
r = dns.query.tcp(q, "127.0.0.1", port=int(sys.argv[1]), timeout=10)
print(dns.rcode.to_text(r.rcode()))
PY
)
tap_is "$axfr" REFUSED "zone transfers refused"

# Malformed packets: FORMERR when the header parses, silence when not.
malformed=$("$PY" - "$DNS_PORT" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(20.0)
q = b"\x03sth\x04demo\x02ct\x07example\x00\x00\x10\x00\x01"
hdr = lambda id, flags, qd: struct.pack(">HHHHHH", id, flags, qd, 0, 0, 0)
# Each packet is followed by a good query (id 1000 + n): one socket is
# served in order, so what comes before that query's answer is the
# packet's answer, and none means it was dropped. No timing involved.
def ask(pkt, n=[0]):
    n[0] += 1
    s.sendto(pkt, ("127.0.0.1", port))
    s.sendto(hdr(1000 + n[0], 0, 1) + q, ("127.0.0.1", port))
    got = None
    while True:
        r = s.recv(2048)
        if r[:2] == struct.pack(">H", 1000 + n[0]):
            return got
        got = r
def rcode(r):
    return "none" if r is None else str(r[3] & 0xF)
print(rcode(ask(hdr(7, 0, 2) + q + q)),       # QDCOUNT 2
      rcode(ask(hdr(8, 0, 1) + q[:9])),       # truncated question
      rcode(ask(hdr(9, 0, 0))),               # no question
      rcode(ask(b"\x00\x0a\x00")),            # not even a header
      rcode(ask(hdr(11, 0x8000, 1) + q)))     # a response (QR=1)
PY
)
tap_is "$malformed" "1 1 1 none none" \
	"FORMERR for QDCOUNT 2, a cut question, no question; short and QR=1 dropped"

# --- transports and clients ---------------------------------------------------
tap_is "$(ct_rcode +tcp TXT "0.42.300.tree.$ZONE")" NOERROR "a tree query over TCP"
kdig +norec +time=5 -p "$DNS_PORT" @127.0.0.1 TXT "sth.$ZONE" | grep -q 'status: NOERROR'
tap_ok $? "kdig gets the STH"
drill -p "$DNS_PORT" @127.0.0.1 TXT "0.7.300.tree.$ZONE" | grep -q 'rcode: NOERROR'
tap_ok $? "drill gets a tree answer"
pipelined=$("$PY" - "$DNS_PORT" "$ZONE" <<'PY'
import socket, struct, sys
import dns.message
port, zone = int(sys.argv[1]), sys.argv[2]
names = ["sth", "0.1.300.tree", "7.0.300.sth-consistency" if False else "0.100.300.sth-consistency", "nope"]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
wire = b""
for i, n in enumerate(names):
    q = dns.message.make_query("%s.%s." % (n, zone), "TXT", id=100 + i)
    w = q.to_wire()
    wire += struct.pack(">H", len(w)) + w
s.sendall(wire)
got = {}
buf = b""
while len(got) < len(names):
    chunk = s.recv(65535)
    if not chunk:
        break
    buf += chunk
    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
        n = struct.unpack(">H", buf[:2])[0]
        m = dns.message.from_wire(buf[2:2 + n])
        got[m.id] = m.rcode()
        buf = buf[2 + n:]
print(" ".join(str(got.get(100 + i)) for i in range(len(names))))
PY
)
tap_is "$pipelined" "0 0 0 3" "four queries pipelined on one TCP connection, all answered"

# --- case: the owner repeats the question byte for byte ------------------------
owner=$(ct_dig TXT "StH.DeMo.Ct.ExAmPlE" | grep -v '^;' | grep TXT | awk '{print $1}')
tap_is "$owner" "StH.DeMo.Ct.ExAmPlE." "0x20: the answer repeats the question's case"
b32=$("$PY" -c 'import base64, sys
print(base64.b32encode(bytes.fromhex(sys.argv[1])).decode().rstrip("=").lower())' "$(ct_leaf 9)")
tap_is "$(ct_dig +short TXT "$b32.hash.$ZONE")" '"9"' "a lower-case base32 label finds the leaf"

# --- the apex -------------------------------------------------------------------
soa=$(ct_dig SOA "$ZONE" | grep -v "^;" | grep -c "IN[[:space:]]*SOA")
tap_is "$soa" 1 "the apex answers its SOA"
glue=$(ct_dig NS "$ZONE" | grep -A1 "ADDITIONAL SECTION" | grep -c "IN[[:space:]]*A[[:space:]]")
tap_is "$glue" 1 "the apex answers NS with glue"

# --- nothing about the client in the log at the default verbosity ---------------
! grep -q "127\.0\.0\.1" "$LIB_TMP/ctdnsd.err"
tap_ok $? "no client address in the daemon's log"

lib_stop ctdnsd
tap_is $? 0 "SIGTERM stops ctdnsd cleanly (exit 0)"
tap_end
