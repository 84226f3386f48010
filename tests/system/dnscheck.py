# SPDX-License-Identifier: BSD-3-Clause
"""dnscheck.py -- differential checks of ctdnsd against the log it fronts.

Asks ctdnsd over DNS (dnspython, Debian's /usr/bin/python3) and compares
every answer byte for byte with what the log itself serves over HTTP
(the RFC 6962 API of ctlog-sim). Every query name is sent in random letter
case (as resolvers do with 0x20), and the answer must repeat it exactly,
with AA set and the configured TTL.

Usage: python3 dnscheck.py SERVER PORT ZONE LOG_URL [--proof-ttl N]
           [--sth-ttl N] [--tcp] COMMAND ARGS...
  sth                      the sth text equals get-sth's fields
  tree I:S [I:S ...]       audit path of leaf I in tree S: all chunks
  consistency F:S [...]    consistency proof F -> S: all chunks
  hash I [I ...]           leaf index of leaf I's hash
Exit 0 when every check holds, 1 otherwise (the reason on stderr).
"""

import base64
import json
import random
import sys
import urllib.request

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

NODES_PER_ANSWER = 7


class Check(Exception):
    pass


def http_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def random_case(text):
    return "".join(c.upper() if random.random() < 0.5 else c.lower()
                   for c in text)


def b32_nopad(raw):
    return base64.b32encode(raw).decode().rstrip("=")


def path_len(index, size):
    n, ln, li = 0, size - 1, index
    while ln != 0:
        if (li & 1) or li < ln:
            n += 1
        li >>= 1
        ln >>= 1
    return n


def consistency_len(m, n):
    length, b = 0, 0
    while m != n:
        length += 1
        k = 1
        while k * 2 < n:
            k *= 2
        if m <= k:
            n = k
        else:
            m -= k
            n -= k
            b = 1
    return length + b


class Checker:
    def __init__(self, server, port, zone, url, proof_ttl, sth_ttl, tcp):
        self.server, self.port, self.zone = server, port, zone.rstrip(".")
        self.url = url.rstrip("/") + "/ct/v1/"
        self.proof_ttl, self.sth_ttl, self.tcp = proof_ttl, sth_ttl, tcp

    def txt(self, label, ttl):
        """One TXT answer: its strings joined, after checking the header,
        the owner's exact case and the TTL."""
        qname = random_case(label + "." + self.zone + ".")
        q = dns.message.make_query(qname, "TXT")
        q.flags &= ~dns.flags.RD
        ask = dns.query.tcp if self.tcp else dns.query.udp
        r = ask(q, self.server, port=self.port, timeout=15)
        if r.rcode() != dns.rcode.NOERROR:
            raise Check("%s: rcode %s" % (qname, dns.rcode.to_text(r.rcode())))
        if not r.flags & dns.flags.AA:
            raise Check("%s: AA not set" % qname)
        if len(r.answer) != 1 or len(r.answer[0]) != 1:
            raise Check("%s: expected one TXT record" % qname)
        rrset = r.answer[0]
        if rrset.name.to_text() != qname:
            raise Check("%s: owner %s does not repeat the question" %
                        (qname, rrset.name.to_text()))
        if ttl is not None and rrset.ttl != ttl:
            raise Check("%s: TTL %d, want %d" % (qname, rrset.ttl, ttl))
        return b"".join(rrset[0].strings)

    def nodes(self, prefix, total):
        got, start = b"", 0
        while start < total:
            chunk = self.txt("%d.%s" % (start, prefix), self.proof_ttl)
            want = min(NODES_PER_ANSWER, total - start)
            if len(chunk) != 32 * want:
                raise Check("%d.%s: %d bytes, want %d nodes" %
                            (start, prefix, len(chunk), want))
            got += chunk
            start += want
        return got

    def sth(self):
        text = self.txt("sth", self.sth_ttl).decode()
        j = http_json(self.url + "get-sth")
        want = "%d.%d.%s.%s" % (j["tree_size"], j["timestamp"],
                                j["sha256_root_hash"], j["tree_head_signature"])
        if text != want:
            raise Check("sth: %s, the log serves %s" % (text, want))

    def tree(self, index, size):
        j = http_json(self.url + "get-entry-and-proof?leaf_index=%d&tree_size=%d"
                      % (index, size))
        want = b"".join(base64.b64decode(x) for x in j["audit_path"])
        got = self.nodes("%d.%d.tree" % (index, size), path_len(index, size))
        if got != want:
            raise Check("tree %d %d: path differs from the log's" % (index, size))

    def consistency(self, first, second):
        j = http_json(self.url + "get-sth-consistency?first=%d&second=%d"
                      % (first, second))
        want = b"".join(base64.b64decode(x) for x in j["consistency"])
        got = self.nodes("%d.%d.sth-consistency" % (first, second),
                         consistency_len(first, second))
        if got != want:
            raise Check("consistency %d %d: proof differs from the log's"
                        % (first, second))

    def leaf_hash(self, index):
        j = http_json(self.url.replace("/ct/v1/", "/sim/") +
                      "leaf?index=%d" % index)
        return bytes.fromhex(j["leaf_hash"])

    def hash(self, index):
        h = self.leaf_hash(index)
        got = self.txt(b32_nopad(h) + ".hash", self.proof_ttl).decode()
        if got != str(index):
            raise Check("hash of leaf %d: answered %s" % (index, got))


def pairs(args):
    return [tuple(int(x) for x in a.split(":")) for a in args]


def main(argv):
    opts = {"--proof-ttl": None, "--sth-ttl": None}
    tcp = False
    args = []
    it = iter(argv[1:])
    for a in it:
        if a in opts:
            opts[a] = int(next(it))
        elif a == "--tcp":
            tcp = True
        else:
            args.append(a)
    if len(args) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    server, port, zone, url, cmd = args[:5]
    c = Checker(server, int(port), zone, url, opts["--proof-ttl"],
                opts["--sth-ttl"], tcp)
    try:
        if cmd == "sth":
            c.sth()
        elif cmd == "tree":
            for i, s in pairs(args[5:]):
                c.tree(i, s)
        elif cmd == "consistency":
            for f, s in pairs(args[5:]):
                c.consistency(f, s)
        elif cmd == "hash":
            for i in args[5:]:
                c.hash(int(i))
        else:
            print("unknown command " + cmd, file=sys.stderr)
            return 2
    except (Check, OSError, KeyError, ValueError, dns.exception.DNSException) as e:
        print("dnscheck: " + str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    import dns.exception
    sys.exit(main(sys.argv))
