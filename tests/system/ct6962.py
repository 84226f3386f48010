# SPDX-License-Identifier: BSD-3-Clause
"""ct6962.py -- an independent RFC 6962 checker for the system tests.

Standard library only (runs under Debian's /usr/bin/python3), plus the
openssl command for ECDSA. This is the third Merkle implementation of the
project (after src/merkle.c and tools/ctlog-sim/sim_tree.c), written from
the RFC text: MTH straight from RFC 6962 section 2.1, and the proof
verifiers of RFC 9162 sections 2.1.3.2 and 2.1.4.2. `selftest` checks it
against the published 8-leaf reference tree before it is trusted.

Usage: python3 ct6962.py COMMAND ARGS...; exit 0 when the check holds,
1 when it does not (the reason on stderr), 2 on a usage error. Commands:
  selftest VECTORS.json
  sth-verify KEY_B64 [--tamper]  (get-sth JSON on stdin)
  root URL SIZE                  MTH (hex) of the first SIZE leaves, from
                                 get-entries
  leaves-check URL START END CA_B64  MerkleTreeLeaf and extra_data format
  inclusion URL ROOT_HEX SIZE IDX... get-proof-by-hash + get-entry-and-proof
  inclusion-fails URL ROOT_HEX SIZE IDX  (the proof must NOT verify)
  consistency URL FIRST SECOND ROOT1_HEX ROOT2_HEX  (verify get-sth-consistency)
  consistency-fails URL FIRST SECOND ROOT1_HEX ROOT2_HEX
  roots URL SIZE...              MTH (hex) of each SIZE, one line each
  leaf-hash URL IDX              hex leaf hash of get-entries leaf IDX
  leaf-der URL IDX FILE          write the certificate of leaf IDX to FILE
  json-field PATH                print a field of the JSON on stdin; PATH
                                 is dotted, numbers index arrays
  json-len PATH                  print the length of an array or string
  json-hex PATH                  print a base64 field as hex
  not-json                       succeed only if stdin is not valid JSON
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

ENTRIES_TIME0 = 1700000000000


class CheckFailed(Exception):
    pass


def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes):
    """RFC 6962 section 2.1 MTH over a list of leaf hashes."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def verify_inclusion(idx, size, lhash, path, root):
    """RFC 9162 section 2.1.3.2."""
    if idx >= size:
        return False
    fn, sn, r = idx, size - 1, lhash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, root1, root2, proof):
    """RFC 9162 section 2.1.4.2 (first == second: empty proof, equal roots)."""
    if first == 0 or first > second:
        return False
    if first == second:
        return not proof and root1 == root2
    if not proof:
        return False
    proof = list(proof)
    if first & (first - 1) == 0:
        proof.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def selftest(path):
    with open(path) as f:
        vec = json.load(f)
    h = bytes.fromhex
    leaves = [leaf_hash(h(l["input"])) for l in vec["leaves"]]
    for l, lh in zip(vec["leaves"], leaves):
        if lh != h(l["leaf_hash"]):
            raise CheckFailed("leaf hash %d" % l["index"])
    for r in vec["roots"]:
        if mth(leaves[: r["tree_size"]]) != h(r["root"]):
            raise CheckFailed("root of size %d" % r["tree_size"])
    incl = (vec["derived_all_inclusion_proofs"]["proofs"]
            + vec["inclusion_proofs"])
    for p in incl:
        proof = [h(x) for x in p["proof"]]
        i, n, root = p["leaf_index"], p["tree_size"], h(p["root"])
        if not verify_inclusion(i, n, leaves[i], proof, root):
            raise CheckFailed("inclusion %d/%d" % (i, n))
        # Hostile variants must fail: a flipped bit, a wrong index, a
        # dropped or an extra node.
        if proof:
            bad = bytearray(proof[0])
            bad[0] ^= 1
            if verify_inclusion(i, n, leaves[i], [bytes(bad)] + proof[1:], root):
                raise CheckFailed("flipped inclusion %d/%d verified" % (i, n))
            if verify_inclusion(i, n, leaves[i], proof[:-1], root):
                raise CheckFailed("short inclusion %d/%d verified" % (i, n))
        if verify_inclusion(i, n, leaves[i], proof + [root], root):
            raise CheckFailed("long inclusion %d/%d verified" % (i, n))
        if n > 1 and verify_inclusion((i + 1) % n, n, leaves[i], proof, root):
            raise CheckFailed("wrong index %d/%d verified" % (i, n))
    cons = (vec["derived_all_consistency_proofs"]["proofs"]
            + vec["consistency_proofs"])
    for p in cons:
        proof = [h(x) for x in p["proof"]]
        m, n = p["size1"], p["size2"]
        r1, r2 = h(p["root1"]), h(p["root2"])
        if not verify_consistency(m, n, r1, r2, proof):
            raise CheckFailed("consistency %d->%d" % (m, n))
        if proof:
            bad = bytearray(proof[-1])
            bad[31] ^= 0x80
            if verify_consistency(m, n, r1, r2, proof[:-1] + [bytes(bad)]):
                raise CheckFailed("flipped consistency %d->%d verified" % (m, n))
        if m < n and verify_consistency(m, n, r2, r1, proof):
            raise CheckFailed("swapped roots %d->%d verified" % (m, n))
    print("selftest: %d inclusion and %d consistency proofs"
          % (len(incl), len(cons)))


def sth_tbs(sth):
    """RFC 6962 section 3.5 TreeHeadSignature: v1, tree_hash, ts, size, root."""
    root = base64.b64decode(sth["sha256_root_hash"], validate=True)
    if len(root) != 32:
        raise CheckFailed("root is not 32 bytes")
    return (bytes([0, 1]) + sth["timestamp"].to_bytes(8, "big")
            + sth["tree_size"].to_bytes(8, "big") + root)


def openssl_verify(key_b64, data, der_sig):
    pem = "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % key_b64
    with tempfile.TemporaryDirectory() as d:
        files = {"key.pem": pem.encode(), "data": data, "sig": der_sig}
        for name, content in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(content)
        res = subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "key.pem"),
             "-signature", os.path.join(d, "sig"), os.path.join(d, "data")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return res.returncode == 0 and b"Verified OK" in res.stdout


def sth_verify(key_b64, tamper):
    sth = json.load(sys.stdin)
    for field, kind in (("tree_size", int), ("timestamp", int),
                        ("sha256_root_hash", str), ("tree_head_signature", str)):
        if not isinstance(sth.get(field), kind):
            raise CheckFailed("get-sth field %s missing or mistyped" % field)
    ds = base64.b64decode(sth["tree_head_signature"], validate=True)
    # DigitallySigned: hash sha256 (4), signature ecdsa (3), uint16 length.
    if len(ds) < 4 or ds[0] != 4 or ds[1] != 3:
        raise CheckFailed("not a SHA-256/ECDSA DigitallySigned")
    if int.from_bytes(ds[2:4], "big") != len(ds) - 4:
        raise CheckFailed("DigitallySigned length mismatch")
    tbs = sth_tbs(sth)
    if tamper:
        tbs = tbs[:-1] + bytes([tbs[-1] ^ 1])
    if not openssl_verify(key_b64, tbs, ds[4:]):
        raise CheckFailed("STH signature does not verify")
    print("sth %d verified" % sth["tree_size"])


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as resp:
        if resp.status != 200:
            raise CheckFailed("%s: HTTP %d" % (url, resp.status))
        return json.load(resp)


def fetch_leaves(base, start, end):
    """Leaf inputs start..end (inclusive), following short answers."""
    out = []
    while start + len(out) <= end:
        got = get_json("%s/ct/v1/get-entries?start=%d&end=%d"
                       % (base, start + len(out), end))["entries"]
        if not got:
            raise CheckFailed("get-entries returned nothing")
        out += [base64.b64decode(e["leaf_input"], validate=True) for e in got]
    return out


def roots_cmd(base, sizes):
    top = max(sizes)
    hashes = [leaf_hash(l) for l in fetch_leaves(base, 0, top - 1)] if top else []
    for size in sizes:
        print(mth(hashes[:size]).hex())


def json_path(obj, path):
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def parse_leaf(leaf):
    """MerkleTreeLeaf with an x509_entry and no extensions; returns (ts, der)."""
    if len(leaf) < 17 or leaf[0] != 0 or leaf[1] != 0:
        raise CheckFailed("not a v1 timestamped_entry")
    ts = int.from_bytes(leaf[2:10], "big")
    if leaf[10:12] != b"\x00\x00":
        raise CheckFailed("entry_type is not x509_entry")
    n = int.from_bytes(leaf[12:15], "big")
    if len(leaf) != 15 + n + 2 or leaf[15 + n:] != b"\x00\x00":
        raise CheckFailed("bad certificate length or extensions")
    return ts, leaf[15:15 + n]


def leaves_check(base, start, end, ca_b64):
    ca = base64.b64decode(ca_b64, validate=True)
    chain = (len(ca) + 3).to_bytes(3, "big") + len(ca).to_bytes(3, "big") + ca
    got = get_json("%s/ct/v1/get-entries?start=%d&end=%d" % (base, start, end))
    for i, e in enumerate(got["entries"]):
        ts, der = parse_leaf(base64.b64decode(e["leaf_input"], validate=True))
        if ts != ENTRIES_TIME0 + start + i:
            raise CheckFailed("leaf %d timestamp %d" % (start + i, ts))
        if der[0] != 0x30:
            raise CheckFailed("leaf %d is not DER" % (start + i))
        if base64.b64decode(e["extra_data"], validate=True) != chain:
            raise CheckFailed("leaf %d extra_data is not [CA]" % (start + i))
    print("%d leaves well formed" % len(got["entries"]))


def b64list(values):
    return [base64.b64decode(v, validate=True) for v in values]


def inclusion(base, root, size, idx, must_fail=False):
    leaf = fetch_leaves(base, idx, idx)[0]
    lh = leaf_hash(leaf)
    q = urllib.parse.urlencode({"hash": base64.b64encode(lh).decode(),
                                "tree_size": size})
    byhash = get_json("%s/ct/v1/get-proof-by-hash?%s" % (base, q))
    ep = get_json("%s/ct/v1/get-entry-and-proof?leaf_index=%d&tree_size=%d"
                  % (base, idx, size))
    if byhash["leaf_index"] != idx:
        raise CheckFailed("get-proof-by-hash says index %d, not %d"
                          % (byhash["leaf_index"], idx))
    if base64.b64decode(ep["leaf_input"]) != leaf:
        raise CheckFailed("get-entry-and-proof leaf differs from get-entries")
    for name, path in (("get-proof-by-hash", byhash["audit_path"]),
                       ("get-entry-and-proof", ep["audit_path"])):
        ok = verify_inclusion(idx, size, lh, b64list(path), root)
        if ok == must_fail:
            raise CheckFailed("%s %d/%d %s" % (name, idx, size,
                              "verified" if ok else "does not verify"))


def consistency(base, first, second, root1, root2, must_fail=False):
    proof = get_json("%s/ct/v1/get-sth-consistency?first=%d&second=%d"
                     % (base, first, second))["consistency"]
    ok = verify_consistency(first, second, root1, root2, b64list(proof))
    if ok == must_fail:
        raise CheckFailed("consistency %d->%d %s" % (
            first, second, "verified" if ok else "does not verify"))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "selftest":
            selftest(args[0])
        elif cmd == "sth-verify":
            sth_verify(args[0], "--tamper" in args[1:])
        elif cmd == "root":
            roots_cmd(args[0], [int(args[1])])
        elif cmd == "roots":
            roots_cmd(args[0], [int(a) for a in args[1:]])
        elif cmd == "leaf-hash":
            leaf = fetch_leaves(args[0], int(args[1]), int(args[1]))[0]
            print(leaf_hash(leaf).hex())
        elif cmd == "leaf-der":
            leaf = fetch_leaves(args[0], int(args[1]), int(args[1]))[0]
            with open(args[2], "wb") as f:
                f.write(parse_leaf(leaf)[1])
        elif cmd == "leaves-check":
            leaves_check(args[0], int(args[1]), int(args[2]), args[3])
        elif cmd in ("inclusion", "inclusion-fails"):
            for idx in args[3:]:
                inclusion(args[0], bytes.fromhex(args[1]), int(args[2]),
                          int(idx), cmd == "inclusion-fails")
        elif cmd in ("consistency", "consistency-fails"):
            consistency(args[0], int(args[1]), int(args[2]),
                        bytes.fromhex(args[3]), bytes.fromhex(args[4]),
                        cmd == "consistency-fails")
        elif cmd == "json-field":
            print(json_path(json.load(sys.stdin), args[0]))
        elif cmd == "json-len":
            print(len(json_path(json.load(sys.stdin), args[0])))
        elif cmd == "json-hex":
            print(base64.b64decode(json_path(json.load(sys.stdin), args[0]),
                                   validate=True).hex())
        elif cmd == "not-json":
            try:
                json.loads(sys.stdin.read())
            except ValueError:
                return 0
            raise CheckFailed("the body parses as JSON")
        else:
            print("unknown command %s" % cmd, file=sys.stderr)
            return 2
    except (CheckFailed, urllib.error.URLError, KeyError, IndexError,
            ValueError, OSError) as e:
        print("%s: %s" % (cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
