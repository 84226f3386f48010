#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkcpcorpus.py -- seeds of tests/fuzz/fuzz_checkpoint.in/.

The Sycamore 2026h2 checkpoint of tests/data/08_static_ct_checkpoint.json
with cosignature/v1 lines of the target's two witnesses (w1.example, seed
0x11 x 32; w2.example, seed 0x22 x 32), signed here with Python's
cryptography (an Ed25519 of its own, not the project's): both, one, none,
reordered, a tampered line, a line over another size, an unknown witness.
File names are the SHA-1 of the content, like the other corpora.

    /usr/bin/python3 tests/fuzz/mkcpcorpus.py [TOP_SRCDIR]
"""
import base64
import hashlib
import json
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import \
    Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (Encoding,
                                                          PublicFormat)

top = sys.argv[1] if len(sys.argv) > 1 else "."
vec = json.load(open(os.path.join(top, "tests/data",
                                  "08_static_ct_checkpoint.json")))
cp = vec["checkpoint"]
text, sigs = cp.split("\n\n", 1)
text += "\n"
log_line = [l for l in sigs.splitlines() if l.split(" ")[2][:8] ==
            "ruYkEwAA"][0] + "\n"


def cosign(name, seed, body, t):
    key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    msg = ("cosignature/v1\ntime %d\n" % t).encode() + body.encode()
    sig = kid + struct.pack(">Q", t) + key.sign(msg)
    return "\u2014 %s %s\n" % (name, base64.b64encode(sig).decode())


w1 = cosign("w1.example", 0x11, text, 1780000000)
w2 = cosign("w2.example", 0x22, text, 1780000001)
w3 = cosign("w3.example", 0x33, text, 1780000002)
other = cosign("w2.example", 0x22, text.replace("\n966490541\n",
                                                "\n966490542\n"), 1)
bad = w1[:-6] + ("A" if w1[-6] != "A" else "B") + w1[-5:]
seeds = [
    text + "\n" + log_line + w1 + w2,
    text + "\n" + w2 + log_line + w1,
    text + "\n" + log_line + w1,
    text + "\n" + log_line,
    text + "\n" + log_line + bad + w2,
    text + "\n" + log_line + w1 + other,
    text + "\n" + log_line + w3 + w1 + w2 + w2,
    cp + w1 + w2,
]
out = os.path.join(top, "tests/fuzz/fuzz_checkpoint.in")
os.makedirs(out, exist_ok=True)
for s in seeds:
    b = s.encode()
    with open(os.path.join(out, hashlib.sha1(b).hexdigest()), "wb") as f:
        f.write(b)
