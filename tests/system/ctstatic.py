# SPDX-License-Identifier: BSD-3-Clause
"""ctstatic.py -- an independent C2SP static-ct-api checker for the tests.

Written from the C2SP texts (static-ct-api, tlog-tiles, tlog-checkpoint,
signed-note, tlog-cosignature); Merkle hashing comes from ct6962.py (RFC
6962 section 2.1, self-tested there). Runs under Debian's /usr/bin/python3
with its cryptography package (ECDSA, Ed25519).

Usage: python3 ctstatic.py [--from ADDR] COMMAND ARGS...; exit 0 when the
check holds, 1 when it does not, 2 on a usage error. A failure prints one line
"FAIL <kind>: <why>" on stderr, so a test can tell which check caught a
misbehaviour (kinds: fetch, format, no-log-signature, log-signature,
cosignature, tile-root, level0-root, tile-levels, gzip, data-mismatch,
data-root, issuer, inconsistent, sct). --from ADDR connects from that
local address (a log may show one address another view). Commands:
  vector FILE                  verify the real checkpoint of vector 08
  checkpoint URL KEY_B64 VKEY ORIGIN
                               fetch URL/checkpoint, verify the RFC 6962
                               line with KEY and the cosignature with
                               VKEY; print "SIZE ROOT_HEX TIMESTAMP"
  tree URL SIZE ROOT_HEX       the tiles of tree SIZE: root from the
                               rightmost (partial) tile of each level,
                               from all level-0 tiles, every upper tile
                               against the tiles below, and the data tiles
                               against level 0 (gzip), issuers included
  consistency URL OLD OLD_ROOT_HEX NEW NEW_ROOT_HEX
                               the level-0 tiles of NEW hash to NEW_ROOT
                               and their first OLD leaves to OLD_ROOT
  sct URL KEY_B64 SIZE CHAIN_JSON SCT_JSON
                               an add-[pre-]chain answer: leaf_index
                               extension, the entry at that index in the
                               data tiles, the SCT signature over it
"""

import base64
import gzip
import hashlib
import http.client
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ct6962 import leaf_hash, mth, node_hash  # noqa: E402

from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402

EM_DASH = "\u2014 "
WIDTH = 256


class CheckFailed(Exception):
    def __init__(self, kind, why):
        super().__init__("%s: %s" % (kind, why))
        self.kind = kind


def fail(kind, why):
    raise CheckFailed(kind, why)


class Fetcher:
    """GETs over one keep-alive connection; gzip bodies decompressed."""

    source = None   # (address, 0) to connect from, set by --from

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.prefix = u.path.rstrip("/")
        self.conn = None
        self.cache = {}

    def get(self, path, want=200):
        if path in self.cache:
            return self.cache[path]
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=30,
                        source_address=Fetcher.source)
                self.conn.request("GET", self.prefix + "/" + path, headers={
                    "Accept-Encoding": "gzip, identity"})
                resp = self.conn.getresponse()
                body = resp.read()
                break
            except (OSError, http.client.HTTPException) as e:
                self.conn = None
                if attempt == 1:
                    fail("fetch", "%s: %s" % (path, e or type(e).__name__))
        if resp.status != want:
            fail("fetch", "%s: HTTP %d" % (path, resp.status))
        if resp.getheader("Content-Encoding", "") == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as e:
                fail("gzip", "%s: %s" % (path, e))
        self.cache[path] = body
        return body


def tile_path(level, n, width=WIDTH):
    """tlog-tiles: 3-digit groups, all but the last with an x."""
    groups = []
    while True:
        groups.append("%03d" % (n % 1000))
        n //= 1000
        if n == 0:
            break
    s = "/".join(["x" + g for g in reversed(groups[1:])] + [groups[0]])
    s = "tile/%s/%s" % (level, s)
    return s if width == WIDTH else "%s.p/%d" % (s, width)


def b64(s, what):
    try:
        return base64.b64decode(s, validate=True)
    except ValueError:
        fail("format", "%s is not base64" % what)


# --- checkpoints ------------------------------------------------------------

def parse_note(text):
    """(body lines text, [(name, key_id, sig)]) of a signed note."""
    if "\n\n" not in text or not text.endswith("\n"):
        fail("format", "not a signed note")
    cut = text.rindex("\n\n")
    body, sigs = text[:cut + 1], []
    for line in text[cut + 2:-1].split("\n"):
        if not line.startswith(EM_DASH) or line.count(" ") != 2:
            fail("format", "bad signature line %r" % line[:60])
        _, name, sig = line.split(" ")
        raw = b64(sig, "a signature")
        if len(raw) < 5:
            fail("format", "short signature")
        sigs.append((name, raw[:4], raw[4:]))
    return body, sigs


def parse_checkpoint(body):
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not lines[1].isdigit() or \
            (lines[1] != "0" and lines[1][0] == "0"):
        fail("format", "not a checkpoint body")
    root = b64(lines[2], "the root")
    if len(root) != 32:
        fail("format", "root of %d bytes" % len(root))
    return lines[0], int(lines[1]), root, lines[3:]


def rfc6962_key_id(origin, spki):
    log_id = hashlib.sha256(spki).digest()
    return hashlib.sha256(origin.encode() + b"\n\x05" + log_id).digest()[:4]


def verify_sth(spki, size, root, sig):
    """RFC6962NoteSignature: timestamp || DigitallySigned(TreeHeadSig)."""
    if len(sig) < 12:
        fail("log-signature", "too short")
    ts = int.from_bytes(sig[:8], "big")
    ds = sig[8:]
    if ds[:2] != b"\x04\x03" or int.from_bytes(ds[2:4], "big") != \
            len(ds) - 4:
        fail("log-signature", "not an ECDSA-SHA256 DigitallySigned")
    tbs = b"\x00\x01" + ts.to_bytes(8, "big") + size.to_bytes(8, "big") + \
        root
    key = serialization.load_der_public_key(spki)
    try:
        key.verify(ds[4:], tbs, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        fail("log-signature", "the STH signature does not verify")
    return ts


def parse_vkey(vkey):
    name, kid, material = vkey.split("+")
    raw = base64.b64decode(material)
    if raw[0] != 4 or len(raw) != 33:
        fail("format", "not a cosignature/v1 Ed25519 vkey")
    if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() != kid:
        fail("format", "the vkey's key ID does not match its key")
    return name, bytes.fromhex(kid), raw[1:]


def verify_cosignature(vkey, body, sigs):
    name, kid, pub = parse_vkey(vkey)
    mine = [s for n, k, s in sigs if n == name and k == kid]
    if len(mine) != 1:
        fail("cosignature", "%d lines by the witness" % len(mine))
    sig = mine[0]
    if len(sig) != 72:
        fail("cosignature", "not timestamp || Ed25519 signature")
    t = int.from_bytes(sig[:8], "big")
    msg = ("cosignature/v1\ntime %d\n" % t).encode() + body.encode()
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(pub).verify(sig[8:], msg)
    except InvalidSignature:
        fail("cosignature", "the witness's signature does not verify")
    return t


def check_note(text, spki, origin, vkey):
    body, sigs = parse_note(text)
    got_origin, size, root, ext = parse_checkpoint(body)
    if got_origin != origin:
        fail("format", "origin %r, want %r" % (got_origin, origin))
    if ext:
        fail("format", "extension lines in an RFC 6962 checkpoint")
    kid = rfc6962_key_id(origin, spki)
    mine = [s for n, k, s in sigs if n == origin and k == kid]
    if len(mine) != 1:
        fail("no-log-signature", "%d lines by the log's key" % len(mine))
    ts = verify_sth(spki, size, root, mine[0])
    if vkey is not None:
        t = verify_cosignature(vkey, body, sigs)
        if t != ts // 1000:
            fail("cosignature", "time %d for an STH of %d ms" % (t, ts))
    return size, root, ts


def vector_cmd(path):
    with open(path) as f:
        vec = json.load(f)
    exp = vec["expected"]
    spki = base64.b64decode(vec["log"]["key"])
    if rfc6962_key_id(exp["origin"], spki).hex() != exp["rfc6962_key_id_hex"]:
        fail("format", "key ID differs from the vector's")
    size, root, ts = check_note(vec["checkpoint"], spki, exp["origin"], None)
    sth = exp["sth"]
    if (size, base64.b64encode(root).decode(), ts) != \
            (sth["tree_size"], sth["sha256_root_hash"], sth["timestamp"]):
        fail("format", "the checkpoint is not the vector's STH")


# --- tiles ------------------------------------------------------------------

def hash_tile(f, level, n, width):
    body = f.get(tile_path(level, n, width))
    if len(body) != 32 * width:
        fail("format", "tile %d/%d: %d bytes for width %d" %
             (level, n, len(body), width))
    return [body[i:i + 32] for i in range(0, len(body), 32)]


def root_from_edges(f, size):
    """The root from the rightmost tile of each level, as a client does."""
    segments, level = [], 0
    while size >> (8 * level):
        level += 1
    for l in reversed(range(level)):
        w = (size >> (8 * l)) % WIDTH
        if w == 0:
            continue
        hs = hash_tile(f, l, size >> (8 * (l + 1)), w)
        at = 0
        for b in reversed(range(8)):
            if w >> b & 1:
                segments.append(mth(hs[at:at + (1 << b)]))
                at += 1 << b
    r = segments[-1]
    for s in reversed(segments[:-1]):
        r = node_hash(s, r)
    return r


def level_hashes(f, level, count):
    """The first count hashes of a level, from full and partial tiles."""
    out = []
    for n in range((count + WIDTH - 1) // WIDTH):
        out += hash_tile(f, level, n, min(WIDTH, count - n * WIDTH))
    return out


def check_levels(f, size, leaves):
    below = leaves
    level = 1
    while size >> (8 * level):
        hs = level_hashes(f, level, size >> (8 * level))
        for i, h in enumerate(hs):
            if mth(below[i * WIDTH:(i + 1) * WIDTH]) != h:
                fail("tile-levels", "tile %d hash %d is not the MTH of the "
                     "tile below" % (level, i))
        below = hs
        level += 1


def parse_tile_leaf(b, at):
    """(end, TimestampedEntry, pre_certificate, fingerprints)."""
    def take(n):
        nonlocal at
        if at + n > len(b):
            fail("format", "truncated TileLeaf")
        at += n
        return b[at - n:at]

    def u(n):
        return int.from_bytes(take(n), "big")
    start = at
    take(8)
    etype = u(2)
    if etype == 0:
        take(u(3))
    elif etype == 1:
        take(32)
        take(u(3))
    else:
        fail("format", "entry_type %d" % etype)
    take(u(2))
    entry = b[start:at]
    pre = take(u(3)) if etype == 1 else None
    fps = take(u(2))
    if len(fps) % 32:
        fail("format", "fingerprints of %d bytes" % len(fps))
    return at, entry, pre, [fps[i:i + 32] for i in range(0, len(fps), 32)]


def data_entries(f, size):
    out = []
    for n in range((size + WIDTH - 1) // WIDTH):
        w = min(WIDTH, size - n * WIDTH)
        p = tile_path(0, n, w).replace("tile/0/", "tile/data/", 1)
        body, at = f.get(p), 0
        while at < len(body):
            at, entry, pre, fps = parse_tile_leaf(body, at)
            out.append((entry, pre, fps))
        if len(out) != n * WIDTH + w:
            fail("format", "data tile %d holds %d entries" % (n, len(out)))
    return out


def check_issuers(f, entries):
    for fp in sorted({fp for _, _, fps in entries for fp in fps}):
        try:
            der = f.get("issuer/" + fp.hex())
        except CheckFailed as e:
            fail("issuer", str(e))
        if hashlib.sha256(der).digest() != fp:
            fail("issuer", "issuer/%s does not hash to its name" % fp.hex())


def tree_cmd(base, size, root):
    f = Fetcher(base)
    if root_from_edges(f, size) != root:
        fail("tile-root", "the rightmost tiles do not hash to the root")
    leaves = level_hashes(f, 0, size)
    if mth(leaves) != root:
        fail("level0-root", "the level-0 tiles do not hash to the root")
    check_levels(f, size, leaves)
    entries = data_entries(f, size)
    hs = [leaf_hash(b"\x00\x00" + e) for e, _, _ in entries]
    for i, (h, l) in enumerate(zip(hs, leaves)):
        if h != l:
            fail("data-mismatch", "entry %d does not match level 0" % i)
    if mth(hs) != root:
        fail("data-root", "the data tiles do not hash to the root")
    check_issuers(f, entries)


def consistency_cmd(base, old, old_root, new, new_root):
    f = Fetcher(base)
    leaves = level_hashes(f, 0, new)
    if mth(leaves) != new_root:
        fail("level0-root", "the level-0 tiles do not hash to the root")
    if mth(leaves[:old]) != old_root:
        fail("inconsistent", "tree %d is not a prefix of tree %d" %
             (old, new))


def sct_cmd(base, key_b64, size, chain_path, sct_path):
    with open(chain_path) as fh:
        chain = [base64.b64decode(c) for c in json.load(fh)["chain"]]
    with open(sct_path) as fh:
        sct = json.load(fh)
    ext = base64.b64decode(sct["extensions"])
    if len(ext) != 8 or ext[:3] != b"\x00\x00\x05":
        fail("sct", "extensions are not one leaf_index: %s" % ext.hex())
    idx = int.from_bytes(ext[3:], "big")
    if idx >= size:
        fail("sct", "leaf_index %d beyond tree %d" % (idx, size))
    f = Fetcher(base)
    entry, pre, fps = data_entries(f, size)[idx]
    if int.from_bytes(entry[:8], "big") != sct["timestamp"] or \
            entry[-10:] != b"\x00\x08" + ext:
        fail("sct", "entry %d has another timestamp or extensions" % idx)
    if (pre if pre is not None else entry[13:-10]) != chain[0]:
        fail("sct", "entry %d holds another certificate" % idx)
    if fps != [hashlib.sha256(c).digest() for c in chain[1:]]:
        fail("sct", "entry %d names other issuers" % idx)
    ds = base64.b64decode(sct["signature"])
    key = serialization.load_der_public_key(base64.b64decode(key_b64))
    try:
        key.verify(ds[4:], b"\x00\x00" + entry, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        fail("sct", "the SCT does not verify over entry %d" % idx)
    check_issuers(f, [(entry, pre, fps)])
    print(idx)


def main(argv):
    cmds = {
        "vector": (1, lambda a: vector_cmd(a[0])),
        "checkpoint": (4, lambda a: print("%d %s %d" % (lambda s, r, t: (
            s, r.hex(), t))(*check_note(Fetcher(a[0]).get("checkpoint")
                                       .decode("utf-8", "replace"),
                                       base64.b64decode(a[1]), a[3], a[2])))),
        "tree": (3, lambda a: tree_cmd(a[0], int(a[1]), bytes.fromhex(a[2]))),
        "consistency": (5, lambda a: consistency_cmd(
            a[0], int(a[1]), bytes.fromhex(a[2]), int(a[3]),
            bytes.fromhex(a[4]))),
        "sct": (5, lambda a: sct_cmd(a[0], a[1], int(a[2]), a[3], a[4])),
    }
    if len(argv) > 3 and argv[1] == "--from":
        Fetcher.source = (argv[2], 0)
        argv = argv[:1] + argv[3:]
    if len(argv) < 2 or argv[1] not in cmds or \
            len(argv) - 2 != cmds[argv[1]][0]:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        cmds[argv[1]][1](argv[2:])
    except CheckFailed as e:
        print("FAIL %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
