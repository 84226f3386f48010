#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# fake_ctdns.py -- a tiny CT-over-DNS server over a tree computed here, for
# testing the ctdns client without ctdnsd. Its own Merkle code (RFC 6962
# section 2.1, written from the RFC): a bug must not hide in both.
#
# usage: fake_ctdns.py PORT ZONE TREE_SIZE|canned:FILE KEYFILE [FAULT ...]
#   Serves UDP and TCP on 127.0.0.1:PORT. Leaf i is b"leaf %d" % i.
#   canned:FILE serves the TXT answers listed in a JSON file instead
#   (tests/data/ctdns_icarus.json: real Icarus data), NXDOMAIN elsewhere.
#   KEYFILE: written with the base64 DER public key (ECDSA P-256, or RSA
#   2048 with the fault "rsa"), the first line, then one line per leaf
#   index 0, 1, 2, 5 and TREE_SIZE-1: "<index> <leafhash hex>".
#   Prints "ready" on stdout once it listens.
# FAULTS: rsa, badsig, flip-tree, flip-cons, short (3 nodes per answer),
#   long (one node too many), servfail-tree, nx-tree, empty-tree, split
#   (tree answers as two strings), tc (UDP answers always truncated),
#   upper (answer owner names in upper case), wrong-owner, two-txt,
#   nodata-sth, hash-padded (index with a leading zero).
import base64
import hashlib
import socket
import socketserver
import struct
import sys
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def h_leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def h_node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    def __init__(self, size):
        self.leaves = [h_leaf(b"leaf %d" % i) for i in range(size)]
        self.memo = {}

    def mth(self, a, b):
        if (a, b) in self.memo:
            return self.memo[(a, b)]
        if b - a == 0:
            r = hashlib.sha256(b"").digest()
        elif b - a == 1:
            r = self.leaves[a]
        else:
            k = split_point(b - a)
            r = h_node(self.mth(a, a + k), self.mth(a + k, b))
        self.memo[(a, b)] = r
        return r

    def path(self, m, a, b):
        """RFC 6962 PATH(m, D[a:b])."""
        n = b - a
        if n <= 1:
            return []
        k = split_point(n)
        if m < k:
            return self.path(m, a, a + k) + [self.mth(a + k, b)]
        return self.path(m - k, a + k, b) + [self.mth(a, a + k)]

    def subproof(self, m, a, b, whole):
        """RFC 6962 SUBPROOF(m, D[a:b], b)."""
        n = b - a
        if m == n:
            return [] if whole else [self.mth(a, b)]
        k = split_point(n)
        if m <= k:
            return self.subproof(m, a, a + k, whole) + [self.mth(a + k, b)]
        return self.subproof(m - k, a + k, b, False) + [self.mth(a, a + k)]


def canon(s):
    return s.isdigit() and (s == "0" or s[0] != "0")


class Log:
    def __init__(self, zone, size, faults):
        self.zone = dns.name.from_text(zone)
        self.size = size
        self.faults = set(faults)
        self.tree = Tree(size)
        self.index = {h: i for i, h in enumerate(self.tree.leaves)}
        if "rsa" in self.faults:
            self.key = rsa.generate_private_key(65537, 2048)
        else:
            self.key = ec.generate_private_key(ec.SECP256R1())
        self.sth = self.make_sth()

    def pub_b64(self):
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode()

    def make_sth(self):
        ts = int(time.time() * 1000)
        root = self.tree.mth(0, self.size)
        signed = struct.pack(">BBQQ", 0, 1, ts, self.size) + root
        if "rsa" in self.faults:
            sig = self.key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
            ds = struct.pack(">BBH", 4, 1, len(sig)) + sig
        else:
            sig = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
            ds = struct.pack(">BBH", 4, 3, len(sig)) + sig
        if "badsig" in self.faults:
            ts += 1
        return "%d.%d.%s.%s" % (self.size, ts, base64.b64encode(root).decode(),
                                base64.b64encode(ds).decode())

    def nodes(self, kind, start, a, b):
        if kind == "tree":
            if a >= b or b > self.size:
                return None
            proof = self.tree.path(a, 0, b)
        else:
            if a == 0 or a >= b or b > self.size:
                return None
            proof = self.tree.subproof(a, 0, b, True)
        if start >= len(proof):
            return None
        per = 3 if "short" in self.faults else 7
        chunk = proof[start:start + per]
        if "long" in self.faults and start + per >= len(proof):
            chunk = chunk + [b"\x00" * 32]
        flip = "flip-tree" if kind == "tree" else "flip-cons"
        if flip in self.faults:
            chunk = [bytes([chunk[0][0] ^ 1]) + chunk[0][1:]] + chunk[1:]
        return b"".join(chunk)

    def answer(self, qname):
        """(rcode, list of TXT character-string lists) for a TXT query."""
        if not qname.is_subdomain(self.zone):
            return dns.rcode.REFUSED, []
        labels = [l.decode().lower()
                  for l in qname.relativize(self.zone).labels]
        if labels == ["sth"]:
            if "nodata-sth" in self.faults:
                return dns.rcode.NOERROR, []
            t = self.sth.encode()
            return dns.rcode.NOERROR, [[t[i:i + 255]
                                        for i in range(0, len(t), 255)]]
        if len(labels) == 2 and labels[1] == "hash":
            try:
                h = base64.b32decode(labels[0].upper() + "====")
            except Exception:
                return dns.rcode.NXDOMAIN, []
            if h not in self.index:
                return dns.rcode.NXDOMAIN, []
            txt = str(self.index[h])
            if "hash-padded" in self.faults:
                txt = "0" + txt
            return dns.rcode.NOERROR, [[txt.encode()]]
        if len(labels) == 4 and labels[3] in ("tree", "sth-consistency"):
            if not all(canon(x) for x in labels[:3]):
                return dns.rcode.NXDOMAIN, []
            kind = labels[3]
            if kind == "tree" and "servfail-tree" in self.faults:
                return dns.rcode.SERVFAIL, []
            if kind == "tree" and "nx-tree" in self.faults:
                return dns.rcode.NXDOMAIN, []
            if kind == "tree" and "empty-tree" in self.faults:
                return dns.rcode.NOERROR, [[b""]]
            data = self.nodes(kind, *(int(x) for x in labels[:3]))
            if data is None:
                return dns.rcode.NXDOMAIN, []
            if kind == "tree" and "split" in self.faults and len(data) > 32:
                return dns.rcode.NOERROR, [[data[:32], data[32:]]]
            if "two-txt" in self.faults:
                return dns.rcode.NOERROR, [[data], [data[:32]]]
            return dns.rcode.NOERROR, [[data]]
        return dns.rcode.NXDOMAIN, []

    def respond(self, wire, tcp):
        q = dns.message.from_wire(wire)
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        question = q.question[0]
        rcode, texts = self.answer(question.name)
        r.set_rcode(rcode)
        owner = question.name
        if "upper" in self.faults:
            # The question too: name compression would fold the owner
            # into the question's spelling otherwise.
            owner = dns.name.from_text(owner.to_text().upper())
            r.question = [dns.rrset.RRset(owner, question.rdclass,
                                          question.rdtype)]
        if "wrong-owner" in self.faults:
            owner = dns.name.from_text("other", self.zone)
        if question.rdtype == dns.rdatatype.TXT and texts:
            rrset = r.find_rrset(r.answer, owner, dns.rdataclass.IN,
                                 dns.rdatatype.TXT, create=True)
            for strings in texts:
                rrset.add(dns.rdata.from_wire(
                    dns.rdataclass.IN, dns.rdatatype.TXT,
                    b"".join(bytes([len(s)]) + s for s in strings), 0,
                    sum(1 + len(s) for s in strings)), ttl=60)
        if not tcp and "tc" in self.faults:
            r.answer = []
            r.flags |= dns.flags.TC
        return r.to_wire()


class CannedLog(Log):
    def __init__(self, zone, path, faults):
        import json
        with open(path) as f:
            self.data = json.load(f)
        self.data["txt"] = {k.lower(): v for k, v in self.data["txt"].items()}
        self.zone = dns.name.from_text(zone)
        self.faults = set(faults)

    def pub_b64(self):
        return self.data["log_key_der_b64"]

    def answer(self, qname):
        if not qname.is_subdomain(self.zone):
            return dns.rcode.REFUSED, []
        strings = self.data["txt"].get(qname.to_text().lower())
        if strings is None:
            return dns.rcode.NXDOMAIN, []
        return dns.rcode.NOERROR, [[bytes.fromhex(x) for x in strings]]


def main():
    port, zone, size, keyfile = sys.argv[1:5]
    if size.startswith("canned:"):
        log = CannedLog(zone, size[len("canned:"):], sys.argv[5:])
        with open(keyfile, "w") as f:
            f.write(log.pub_b64() + "\n")
    else:
        log = Log(zone, int(size), sys.argv[5:])
        with open(keyfile, "w") as f:
            f.write(log.pub_b64() + "\n")
            for i in sorted({0, 1, 2, 5, int(size) - 1}):
                if 0 <= i < int(size):
                    f.write("%d %s\n" % (i, log.tree.leaves[i].hex()))

    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            sock.sendto(log.respond(data, False), self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self):
            while True:
                hdr = self.request.recv(2)
                if len(hdr) < 2:
                    return
                n = struct.unpack(">H", hdr)[0]
                data = b""
                while len(data) < n:
                    more = self.request.recv(n - len(data))
                    if not more:
                        return
                    data += more
                out = log.respond(data, True)
                self.request.sendall(struct.pack(">H", len(out)) + out)

    # Not for UDP: on Linux SO_REUSEADDR lets a second UDP socket bind the
    # same port and take its datagrams; a collision must fail the bind
    # (the test then picks another port).
    socketserver.ThreadingUDPServer.allow_reuse_address = False
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    udp = socketserver.ThreadingUDPServer(("127.0.0.1", int(port)), Udp)
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", int(port)), Tcp)
    for s in (udp, tcp):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
