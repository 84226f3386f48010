#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# mksth.py -- make the signed tree head fuzz_answer.c serves, as C constants.
#
# The tree: FUZZ_TREE_SIZE leaves, leaf i = the bytes "fuzz leaf <i>", hashed
# as RFC 6962 says (SHA-256(0x00 || leaf), nodes SHA-256(0x01 || l || r)).
# A fresh ECDSA P-256 key signs the RFC 6962 section 3.5 TreeHeadSignature.
# Run once and paste the output into fuzz_answer.c; the target checks the
# root and the signature again at start-up, so a stale paste fails loudly.
# Needs python3-cryptography.
import base64
import hashlib
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 100
TIMESTAMP = 1767225600000  # 2026-01-01T00:00:00Z in ms


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


leaves = [hashlib.sha256(b"\x00" + b"fuzz leaf %d" % i).digest()
          for i in range(SIZE)]
root = mth(leaves)
key = ec.generate_private_key(ec.SECP256R1())
spki = key.public_key().public_bytes(
    serialization.Encoding.DER,
    serialization.PublicFormat.SubjectPublicKeyInfo)
signed = b"\x00\x01" + struct.pack(">QQ", TIMESTAMP, SIZE) + root
der = key.sign(signed, ec.ECDSA(hashes.SHA256()))
dsig = b"\x04\x03" + struct.pack(">H", len(der)) + der


def carray(name, data):
    out = "static const uint8_t %s[] = {\n" % name
    for i in range(0, len(data), 12):
        out += "\t" + ", ".join("0x%02x" % b for b in data[i:i + 12]) + ",\n"
    return out + "};\n"


print("#define FUZZ_TREE_SIZE %d" % SIZE)
print("#define FUZZ_TIMESTAMP UINT64_C(%d)" % TIMESTAMP)
print('static const char fuzz_key_b64[] =')
b64 = base64.b64encode(spki).decode()
for i in range(0, len(b64), 60):
    print('\t"%s"' % b64[i:i + 60])
print(";")
print(carray("fuzz_root", root), end="")
print(carray("fuzz_sig", dsig), end="")
