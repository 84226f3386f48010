#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# mkcorpus.py -- (re)make the seed corpora of tests/fuzz/*.in/.
#
#   tests/fuzz/mkcorpus.py [TOPSRCDIR]
#
# DNS seeds (fuzz_wire, fuzz_answer) are real queries: dig, kdig and drill
# send them to a UDP socket here, which keeps the bytes and answers REFUSED
# so the tool returns at once. They cover every CT-over-DNS form of the
# demo zone (with leaf hashes of fuzz_answer's tree), the zone's own names,
# other zones, classes and types, EDNS variants (versions, sizes, DO, NSID,
# cookies, client subnet, padding), other opcodes and 0x20 mixed case; a few
# are cut short or edited (QDCOUNT, QR) to seed the error paths.
# fuzz_ctq seeds are the names of those queries below the apex, each after
# an 8-byte tree size. fuzz_rfc6962 seeds are the JSON bodies of
# tests/data/rfc6962/ behind their parser's selector byte, and STH TXT texts.
# Seeds are named by content (SHA-1), as libFuzzer names what it adds.
# Needs dig (bind9-dnsutils), kdig (knot-dnsutils) and drill (ldnsutils).
import base64
import glob
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import threading

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
fuzz = os.path.join(top, "tests", "fuzz")
ZONE = "demo.ct.example"


def leaf_b32(i):
    h = hashlib.sha256(b"\x00" + b"fuzz leaf %d" % i).digest()
    return base64.b32encode(h).decode().rstrip("=")


NAMES = [
    ("", "SOA"), ("", "NS"), ("", "ANY"), ("", "TXT"), ("ns1", "A"),
    ("ns1", "AAAA"), ("sth", "TXT"), ("sth", "A"), ("StH", "TXT"),
    ("hash", "TXT"), ("tree", "TXT"), ("sth-consistency", "TXT"),
    (leaf_b32(4) + ".hash", "TXT"), (leaf_b32(7) + ".hash", "TXT"),
    (leaf_b32(103) + ".hash", "TXT"), (leaf_b32(2).lower() + ".hash", "TXT"),
    ("0.5.100.tree", "TXT"), ("0.77.100.tree", "TXT"),
    ("6.3.100.tree", "TXT"), ("0.99.100.tree", "TXT"),
    ("0.5.37.tree", "TXT"), ("0.36.37.tree", "TXT"), ("1.12.20.tree", "TXT"),
    ("0.3.9.tree", "TXT"), ("0.0.1.tree", "TXT"), ("5.0.37.tree", "TXT"),
    ("0.8.16.tree", "ANY"), ("0.1.2.tree", "TXT"), ("0.100.1000.tree", "TXT"),
    ("7.20.tree", "TXT"), ("20.tree", "TXT"), ("01.2.3.tree", "TXT"),
    ("0.1.18446744073709551615.tree", "TXT"),
    ("0.5.100.sth-consistency", "TXT"), ("7.5.100.sth-consistency", "TXT"),
    ("0.64.100.sth-consistency", "TXT"), ("0.99.100.sth-consistency", "TXT"),
    ("0.4.37.sth-consistency", "TXT"), ("0.8.37.sth-consistency", "TXT"),
    ("0.6.9.sth-consistency", "TXT"), ("1.5.35.sth-consistency", "TXT"),
    ("0.0.37.sth-consistency", "TXT"), ("0.37.37.sth-consistency", "TXT"),
    ("4.37.sth-consistency", "TXT"), ("37.sth-consistency", "TXT"),
    ("0.5.37.TrEe", "TXT"), ("x.sth", "TXT"), ("other", "TXT"),
]
FLAVOURS = [
    ("dig", []), ("dig", ["+noedns"]), ("dig", ["+dnssec", "+bufsize=4096"]),
    ("dig", ["+nsid", "+bufsize=512"]), ("dig", ["+edns=1"]),
    ("dig", ["+subnet=192.0.2.0/24", "+nocookie"]),
    ("kdig", []), ("kdig", ["+padding=468"]), ("kdig", ["+cookie"]),
    ("drill", []), ("drill", ["-D"]),
]


class Catcher:
    """A UDP socket that keeps each query and answers REFUSED."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got = []
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            data, peer = self.sock.recvfrom(65535)
            self.got.append(data)
            if len(data) >= 12:
                flags = struct.unpack(">H", data[2:4])[0]
                hdr = data[:2] + struct.pack(">H", flags | 0x8005) + \
                    b"\x00" * 8
                self.sock.sendto(hdr, peer)


def ask(c, tool, extra, name, qtype, qclass="IN"):
    n = len(c.got)
    if tool == "drill":
        cmd = ["drill", "-p", str(c.port)] + extra + [name, qtype, qclass,
                                                      "@127.0.0.1"]
    elif tool == "kdig":
        cmd = ["kdig", "-p", str(c.port), "@127.0.0.1", "+retry=0",
               "+timeout=1"] + extra + ["-c", qclass, "-t", qtype, name]
    else:
        cmd = ["dig", "-p", str(c.port), "@127.0.0.1", "+tries=1",
               "+time=1"] + extra + ["-c", qclass, "-t", qtype, name]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=10)
    return c.got[n] if len(c.got) > n else None


def save(dirname, data):
    d = os.path.join(fuzz, dirname)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def qname_rel(pkt):
    """The labels of the question below the demo apex, or None."""
    off, labels = 12, []
    while off < len(pkt) and pkt[off] != 0:
        n = pkt[off]
        labels.append(pkt[off:off + 1 + n])
        off += 1 + n
    apex = [b"\x04demo", b"\x02ct", b"\x07example"]
    if [l.lower() for l in labels[-3:]] != apex:
        return None
    return b"".join(labels[:-3])


def dns_seeds():
    c = Catcher()
    queries = []
    for i, (rel, qtype) in enumerate(NAMES):
        name = (rel + "." if rel else "") + ZONE + "."
        tool, extra = FLAVOURS[i % len(FLAVOURS)]
        queries.append(ask(c, tool, extra, name, qtype))
    for tool, extra in FLAVOURS:
        queries.append(ask(c, tool, extra, "0.5.37.tree." + ZONE + ".",
                           "TXT"))
    queries.append(ask(c, "dig", ["+opcode=notify"], ZONE + ".", "SOA"))
    queries.append(ask(c, "dig", ["+opcode=update"], ZONE + ".", "SOA"))
    queries.append(ask(c, "dig", [], "sth." + ZONE + ".", "TXT", "CH"))
    queries.append(ask(c, "dig", [], "sth.other.example.", "TXT"))
    queries.append(ask(c, "dig", [], ".", "NS"))
    queries.append(ask(c, "kdig", ["+bufsize=1232", "+dnssec"],
                       "sth." + ZONE.upper() + ".", "TXT"))
    queries = [q for q in queries if q]
    edited = []
    base = queries[len(NAMES)]  # a dig query with EDNS for a tree proof
    edited.append(base[:11])                      # shorter than a header
    edited.append(base[:20])                      # question cut short
    edited.append(base[:-3])                      # OPT cut short
    edited.append(base[:5] + b"\x02" + base[6:])  # QDCOUNT 2
    edited.append(base[:2] + bytes([base[2] | 0x80]) + base[3:])  # QR=1
    edited.append(base + b"\x00")                 # trailing byte
    # Zone transfers go over TCP; over UDP they are the same query with
    # another type (the question's type is 4 bytes before its end).
    soa = queries[0]
    end = 12 + len(qname_rel(soa) or b"") + len(ZONE) + 2
    for qtype in (252, 251):
        edited.append(soa[:end] + struct.pack(">H", qtype) + soa[end + 2:])
    for q in queries + edited:
        save("fuzz_wire.in", q)
        save("fuzz_answer.in", q)
    sizes = [0, 1, 2, 37, 100, 1000, 1 << 63, (1 << 64) - 1]
    for i, q in enumerate(queries):
        rel = qname_rel(q)
        if rel is not None:
            save("fuzz_ctq.in", struct.pack(">Q", sizes[i % len(sizes)]) +
                 rel)
    return len(queries) + len(edited)


def rfc6962_seeds():
    sel = {"sth": 0, "consistency": 1, "proof": 2, "entry": 3,
           "get-sth-": 0, "get-sth-consistency": 1, "get-proof": 2,
           "get-entry": 3}
    n = 0
    data = os.path.join(top, "tests", "data", "rfc6962")
    files = sorted(glob.glob(os.path.join(data, "*.json")) +
                   glob.glob(os.path.join(data, "cases", "*.json")))
    for path in files:
        base = os.path.basename(path)
        key = max((k for k in sel if base.startswith(k)), key=len,
                  default=None)
        if key is None:
            continue
        body = open(path, "rb").read()
        save("fuzz_rfc6962.in", bytes([sel[key]]) + body)
        n += 1
        if key == "get-sth-":
            j = json.loads(body)
            txt = "%d.%d.%s.%s" % (j["tree_size"], j["timestamp"],
                                   j["sha256_root_hash"],
                                   j["tree_head_signature"])
            save("fuzz_rfc6962.in", b"\x04" + txt.encode())
            save("fuzz_rfc6962.in", b"\x04" + txt.encode()[:-1])
            n += 2
    return n


if __name__ == "__main__":
    print("dns seeds: %d, rfc6962 seeds: %d" % (dns_seeds(), rfc6962_seeds()))
