#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# convert.py -- turn the shared JSON Merkle vectors into line-oriented text
# files that tests/unit/test_merkle.c reads without a JSON parser.
#
# Usage: python3 convert.py /work/shared/vectors [outdir]
# The line format is described in README in this directory.
import base64
import hashlib
import json
import os
import sys


def hx(s):
    """A hex field: lower-case hex, '-' for the empty byte string."""
    s = s.lower()
    bytes.fromhex(s)  # validate
    return s if s else "-"


def proof_fields(nodes):
    return [str(len(nodes))] + [hx(n) for n in nodes]


def incl(index, size, leaf_hash, root, want, nodes, desc):
    return " ".join(["I", str(index), str(size), hx(leaf_hash), hx(root),
                     want] + proof_fields(nodes) + ["#", desc])


def cons(first, second, root1, root2, want, nodes, desc):
    return " ".join(["C", str(first), str(second), hx(root1), hx(root2),
                     want] + proof_fields(nodes) + ["#", desc])


def oneline(s):
    return " ".join(s.split())


def reference_tree(d):
    out = ["# 01_merkle_reference_tree.json: the 8-leaf RFC 6962 tree"]
    for lf in d["leaves"]:
        out.append("L %d %s %s # leaf %d" % (lf["index"], hx(lf["input"]),
                                             hx(lf["leaf_hash"]), lf["index"]))
    for level, hashes in enumerate(d["node_hashes_by_level"]):
        for i, h in enumerate(hashes):
            out.append("N %d %d %s # level %d node %d" %
                       (level, i, hx(h), level, i))
    for r in d["roots"]:
        out.append("R %d %s # root of size %d" %
                   (r["tree_size"], hx(r["root"]), r["tree_size"]))
    for v in d["hasher_vectors"]["leaf"]:
        out.append("L -1 %s %s # hasher vector" %
                   (hx(v["input"]), hx(v["leaf_hash"])))
    for v in d["hasher_vectors"]["node"]:
        out.append("H %s %s %s # hasher vector" %
                   (hx(v["left"]), hx(v["right"]), hx(v["node_hash"])))
    for p in d["inclusion_proofs"]:
        out.append(incl(p["leaf_index"], p["tree_size"], p["leaf_hash"],
                        p["root"], "ok", p["proof"],
                        "stated: " + "; ".join(p["from"])))
    for p in d["consistency_proofs"]:
        out.append(cons(p["size1"], p["size2"], p["root1"], p["root2"], "ok",
                        p["proof"], "stated: " + "; ".join(p["from"])))
    leaf_hash = {lf["index"]: lf["leaf_hash"] for lf in d["leaves"]}
    for p in d["derived_all_inclusion_proofs"]["proofs"]:
        out.append(incl(p["leaf_index"], p["tree_size"],
                        leaf_hash[p["leaf_index"]], p["root"], "ok",
                        p["proof"], "derived"))
    for p in d["derived_all_consistency_proofs"]["proofs"]:
        out.append(cons(p["size1"], p["size2"], p["root1"], p["root2"], "ok",
                        p["proof"], "derived"))
    return out


def probes(d):
    out = ["# 02_merkle_probes_transparency_dev.json: want ok / err / policy",
           "# policy: upstream wants an error, a second verifier accepts;",
           "# size1 == 0, which ctdns rejects as malformed."]
    for p in d["inclusion"]:
        assert "policy_note" not in p
        out.append(incl(p["leaf_index"], p["tree_size"], p["leaf_hash"],
                        p["root"], "err" if p["want_err"] else "ok",
                        p["proof"], oneline(p["file"] + " " + p["desc"])))
    for p in d["consistency"]:
        want = "err" if p["want_err"] else "ok"
        if "policy_note" in p:
            assert p["size1"] == 0 and p["want_err"]
            want = "policy"
        out.append(cons(p["size1"], p["size2"], p["root1"], p["root2"], want,
                        p["proof"], oneline(p["file"] + " " + p["desc"])))
    return out


def sth_root(sth):
    j = json.loads(sth["json"])
    return j["tree_size"], base64.b64decode(j["sha256_root_hash"]).hex()


def production(d):
    out = ["# 05_production_log_data.json: recorded production log answers"]
    ic = d["logs"]["icarus"]
    size1, root1 = sth_root(ic["sth1"])
    size2, root2 = sth_root(ic["sth2"])
    gc = ic["get_sth_consistency"]
    assert (gc["first"], gc["second"]) == (size1, size2)
    assert (gc["first_root_hex"], gc["second_root_hex"]) == (root1, root2)
    out.append(cons(size1, size2, root1, root2, "ok", gc["proof_hex"],
                    "Icarus get-sth-consistency against both signed STHs"))
    ge = ic["get_entry_and_proof"]
    leaf = base64.b64decode(ge["leaf_input_b64"])
    assert hashlib.sha256(b"\0" + leaf).hexdigest() == ge["leaf_hash_hex"]
    assert ge["tree_size"] == size2 and ge["root_hex"] == root2
    out.append("L %d %s %s # Icarus leaf %d" % (
        ge["leaf_index"], leaf.hex(), ge["leaf_hash_hex"], ge["leaf_index"]))
    out.append(incl(ge["leaf_index"], ge["tree_size"], ge["leaf_hash_hex"],
                    root2, "ok", ge["audit_path_hex"],
                    "Icarus get-entry-and-proof against the signed STH"))
    pi = d["logs"]["pilot_inclusion"]
    out.append("L %d %s %s # Pilot leaf %d" % (
        pi["leaf_index"], hx(pi["leaf_input_hex"]), hx(pi["leaf_hash_hex"]),
        pi["leaf_index"]))
    out.append(incl(pi["leaf_index"], pi["tree_size"], pi["leaf_hash_hex"],
                    pi["root_hex"], "ok", pi["audit_path_hex"],
                    "Pilot inclusion (stated root, no STH)"))
    ar = d["logs"]["argon2027h1"]
    size1, root1 = sth_root(ar["sth1"])
    size2, root2 = sth_root(ar["sth2"])
    gc = ar["get_sth_consistency"]
    assert (gc["first"], gc["second"]) == (size1, size2)
    assert (gc["first_root_hex"], gc["second_root_hex"]) == (root1, root2)
    out.append(cons(size1, size2, root1, root2, "ok", gc["proof_hex"],
                    "Argon2027h1 consistency against both signed STHs"))
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/vectors"
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(
        os.path.abspath(__file__))
    jobs = [("01_merkle_reference_tree.json", "reference_tree.txt",
             reference_tree),
            ("02_merkle_probes_transparency_dev.json", "probes.txt", probes),
            ("05_production_log_data.json", "production.txt", production)]
    for name, outname, fn in jobs:
        with open(os.path.join(src, name)) as f:
            lines = fn(json.load(f))
        with open(os.path.join(dst, outname), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("%s: %d lines" % (outname, len(lines)))


if __name__ == "__main__":
    main()
