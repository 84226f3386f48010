#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# mknotecorpus.py -- (re)make the seed corpora of fuzz_note and fuzz_tile.
#
#   tests/fuzz/mknotecorpus.py [TOPSRCDIR]
#
# fuzz_note seeds: the real Sycamore 2026h2 checkpoint (and edited copies),
# the same note cosigned (tests/data/note/cosig.txt), the PeterNeumann note
# and key of golang.org/x/mod/sumdb/note, behind each selector byte.
# fuzz_tile seeds: a data tile of the real MerkleTreeLeaf vectors of
# tests/data/tile/leaves.txt plus a leaf with a leaf_index extension, hash
# tiles of a few widths, tree sizes and indices. Seeds are named by content
# (SHA-1), as libFuzzer names what it adds.
import hashlib
import json
import os
import struct
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
fuzz = os.path.join(top, "tests", "fuzz")
data = os.path.join(top, "tests", "data")


def save(name, blob):
    d = os.path.join(fuzz, name + ".in")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


def note_seeds():
    cp = json.load(open(os.path.join(data, "08_static_ct_checkpoint.json")))
    note = cp["checkpoint"].encode()
    with open(os.path.join(data, "note", "cosig.txt")) as f:
        name, vkey, _, _, sig = [l for l in f if not l.startswith("#")][0].split()
    cosigned = note + ("\u2014 %s %s\n" % (name, sig)).encode()
    peter_vkey = b"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    peter = ((b"If you think cryptography is the answer to your problem,\n"
              b"then you don't know what your problem is.\n\n") +
             "\u2014 PeterNeumann ".encode() +
             b"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
    ext = note.replace(b"xgIwaxc=\n", b"xgIwaxc=\nextension\n", 1)
    tampered = note.replace(b"T8UCcekD", b"T8UCcekE", 1)
    for sel, blob in [(0, note), (0, cosigned), (0, peter), (0, ext),
                      (1, peter_vkey), (1, vkey.encode()), (1, b"a+00000000+Ag=="),
                      (2, note), (2, tampered), (2, ext),
                      (3, cosigned), (3, peter)]:
        save("fuzz_note", bytes([sel]) + blob)


def tile_seeds():
    body = b""
    n = 0
    with open(os.path.join(data, "tile", "leaves.txt")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            _, typ, mtl, _ = line.split()
            body += bytes.fromhex(mtl)[2:]
            if typ == "1":
                body += struct.pack(">I", 7)[1:] + b"PRECERT"
            body += struct.pack(">H", 64) + b"\xab" * 64
            n += 1
    indexed = (struct.pack(">QH", 400 << 24, 0) + b"\x00\x00\x03\x30\x01\x00"
               + struct.pack(">H", 8) + b"\x00\x00\x05" + (258).to_bytes(5, "big")
               + struct.pack(">H", 0))
    save("fuzz_tile", bytes([(n + 1 - 1) * 3]) + body + indexed)
    save("fuzz_tile", bytes([0]) + indexed)
    # A full tile (selector 255, width byte 255 + 1): 256 small X.509 leaves,
    # the last one with its leaf_index.
    tiny = struct.pack(">QH", 400 << 24, 0) + b"\x00\x00\x01\x30"
    save("fuzz_tile", bytes([255, 255]) + (tiny + b"\x00\x00" * 2) * 255
         + indexed)
    h = b""
    x = b"tile"
    for i in range(256):
        x = hashlib.sha256(x).digest()
        h += x
    for w in (1, 3, 8, 256):
        save("fuzz_tile", bytes([1]) + h[:32 * w])
    for size, index in ((70000, 0), (256, 255), (2**64 - 1, 12345), (1, 0),
                        (65537, 65536), (966490541, 123456789)):
        save("fuzz_tile", bytes([2]) + struct.pack(">QQ", size, index))


note_seeds()
tile_seeds()
