#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# cosigcheck.py -- verify a cosignature/v1 line (c2sp.org/tlog-cosignature)
# on a checkpoint, independently of ctdnsd's code (python3-cryptography).
#
#   cosigcheck.py VKEY NOTE [LINES]
#
# NOTE is a signed note (a checkpoint with its signature lines); LINES, if
# given, holds more signature lines (an add-checkpoint reply) appended to
# it. Exit 0 when a line of VKEY's name and key ID verifies (printing its
# time and the tree size), 1 otherwise.
import base64
import hashlib
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import \
    Ed25519PublicKey

DASH = "\u2014 "


def main():
    name, hexid, b64 = sys.argv[1].split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if raw[0] != 0x04 or len(raw) != 33:
        sys.exit("not a cosignature/v1 key")
    kid = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if kid.hex() != hexid:
        sys.exit("key ID does not match")
    data = open(sys.argv[2], "rb").read().decode()
    if len(sys.argv) > 3:
        data += open(sys.argv[3], "rb").read().decode()
    text, _, sigs = data.rpartition("\n\n")
    text += "\n"
    pub = Ed25519PublicKey.from_public_key_bytes(raw[1:]) \
        if hasattr(Ed25519PublicKey, "from_public_key_bytes") \
        else Ed25519PublicKey.from_public_bytes(raw[1:])
    for line in sigs.splitlines():
        if not line.startswith(DASH):
            continue
        lname, lb64 = line[len(DASH):].split(" ")
        blob = base64.b64decode(lb64, validate=True)
        if lname != name or blob[:4] != kid or len(blob) != 4 + 8 + 64:
            continue
        (t,) = struct.unpack(">Q", blob[4:12])
        msg = ("cosignature/v1\ntime %d\n" % t).encode() + text.encode()
        pub.verify(blob[12:], msg)  # raises on a bad signature
        if t == 0:
            sys.exit("time 0")
        print("verified time %d size %s" % (t, text.split("\n")[1]))
        return
    sys.exit("no line of the key")


main()
