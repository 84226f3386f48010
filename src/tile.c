/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tile.c -- tlog-tiles paths and arithmetic, hash tiles and data tiles.
 *
 * Arithmetic: the entries of level L count complete subtrees of 256^L =
 * 2^(8L) leaves, so "which entry" is a shift and "which tile" another. A
 * complete subtree of height h lies at level h / 8 as 2^(h % 8) adjacent
 * entries of one tile. A tree of size S holds all of them that end at or
 * before S, in full tiles or in the one partial tile of each level. All
 * arithmetic stays within [0, S], so sizes up to 2^64 - 1 are safe.
 *
 * Data tiles are read with the sticky-error cursor of wire.h: a read past
 * the end sets the error once and later reads return 0, so each TileLeaf is
 * checked once after it is read. Leaf hashes use the stack SHA256_CTX, as
 * merkle.c does, so hashing a tile neither allocates nor can fail.
 */
#include "config.h"

#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "err.h"
#include "tile.h"
#include "wire.h"

/* The TLS length limits of RFC 6962 section 3.1 and static-ct-api. */
#define U24_MAX 0xffffff
#define FINGERPRINT_LEN 32
/* CtExtensions type of the leaf_index extension and its data length. */
#define EXT_LEAF_INDEX 0
#define LEAF_INDEX_LEN 5

/* --- paths ---------------------------------------------------------------- */

/* "<N>" in 3-digit groups, all but the last prefixed 'x', into out. */
static int
put_index(uint64_t n, char *out, size_t cap, size_t *used)
{
	unsigned groups[7];	/* UINT64_MAX has 20 digits */
	int count = 0;

	do {
		groups[count++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n > 0);
	for (int i = count - 1; i >= 0; i--) {
		int w = snprintf(out + *used, cap - *used, "%s%03u%s",
		    i > 0 ? "x" : "", groups[i], i > 0 ? "/" : "");
		if (w < 0 || (size_t)w >= cap - *used) {
			return CTD_ESPACE;
		}
		*used += (size_t)w;
	}
	return CTD_OK;
}

/* "<head><N>[.p/<W>]". */
static int
build_path(const char *head, const struct tile *t, char *out, size_t cap)
{
	size_t used;
	int rc;

	if (t->level > TILE_MAX_LEVEL || t->width == 0 ||
	    t->width > TILE_WIDTH) {
		return CTD_EINVAL;
	}
	int w = snprintf(out, cap, "%s", head);
	if (w < 0 || (size_t)w >= cap) {
		return CTD_ESPACE;
	}
	used = (size_t)w;
	if ((rc = put_index(t->index, out, cap, &used)) != CTD_OK) {
		return rc;
	}
	if (t->width < TILE_WIDTH) {
		w = snprintf(out + used, cap - used, ".p/%u",
		    (unsigned)t->width);
		if (w < 0 || (size_t)w >= cap - used) {
			return CTD_ESPACE;
		}
	}
	return CTD_OK;
}

int
tile_path(const struct tile *t, char *out, size_t cap)
{
	char head[16];
	snprintf(head, sizeof(head), "tile/%u/", (unsigned)t->level);
	return build_path(head, t, out, cap);
}

int
tile_data_path(const struct tile *t, char *out, size_t cap)
{
	if (t->level != 0) {
		return CTD_EINVAL;
	}
	return build_path("tile/data/", t, out, cap);
}

/* --- tile arithmetic ------------------------------------------------------ */

unsigned
tile_width(uint64_t size, unsigned level, uint64_t index)
{
	if (level > TILE_MAX_LEVEL) {
		return 0;
	}
	uint64_t entries = size >> (TILE_HEIGHT * level);
	uint64_t full = entries >> TILE_HEIGHT;
	if (index < full) {
		return TILE_WIDTH;
	}
	if (index == full) {
		return (unsigned)(entries % TILE_WIDTH);
	}
	return 0;
}

size_t
tile_partials(uint64_t size, struct tile *out)
{
	size_t n = 0;
	for (unsigned level = 0; level <= TILE_MAX_LEVEL; level++) {
		uint64_t entries = size >> (TILE_HEIGHT * level);
		if (entries % TILE_WIDTH != 0) {
			out[n].level = (uint8_t)level;
			out[n].index = entries >> TILE_HEIGHT;
			out[n].width = (uint16_t)(entries % TILE_WIDTH);
			n++;
		}
	}
	return n;
}

/* floor(log2(n)) for n > 0. */
static unsigned
log2_floor(uint64_t n)
{
	unsigned h = 0;
	while (n >>= 1) {
		h++;
	}
	return h;
}

int
tile_for_subtree(uint64_t begin, uint64_t end, uint64_t size,
    struct tile *t, unsigned *first, unsigned *count)
{
	if (begin >= end || end > size || !merkle_is_pow2(end - begin) ||
	    begin % (end - begin) != 0) {
		return CTD_EINVAL;
	}
	unsigned h = log2_floor(end - begin);
	unsigned level = h / TILE_HEIGHT;
	uint64_t entry = begin >> (TILE_HEIGHT * level);
	t->level = (uint8_t)level;
	t->index = entry >> TILE_HEIGHT;
	t->width = (uint16_t)tile_width(size, level, t->index);
	*first = (unsigned)(entry % TILE_WIDTH);
	*count = 1u << (h % TILE_HEIGHT);
	return CTD_OK;
}

/* CTD_OK when [begin, end) is a node of a tree of size leaves. */
static int
check_range(uint64_t begin, uint64_t end, uint64_t size)
{
	if (begin >= end || end > size) {
		return CTD_EINVAL;
	}
	uint64_t n = end - begin;
	if (n > UINT64_C(1) << 63) {
		/* The covering power of two is 2^64: only 0 is aligned. */
		return begin == 0 ? CTD_OK : CTD_EINVAL;
	}
	uint64_t p = merkle_is_pow2(n) ? n : UINT64_C(2) << log2_floor(n);
	return begin % p == 0 ? CTD_OK : CTD_EINVAL;
}

/*
 * Split a node range into its complete subtrees, left to right (the RFC
 * 6962 recursion unrolled: each step peels off the largest power of two).
 * @param out: room for 64 ranges.
 * @return: the number of pieces.
 */
static size_t
split_range(uint64_t begin, uint64_t end, struct merkle_range *out)
{
	size_t n = 0;
	while (!merkle_is_pow2(end - begin)) {
		uint64_t k = UINT64_C(1) << log2_floor(end - begin - 1);
		out[n].begin = begin;
		out[n].end = begin + k;
		n++;
		begin += k;
	}
	out[n].begin = begin;
	out[n].end = end;
	return n + 1;
}

int
tile_range_hash(uint64_t begin, uint64_t end, uint64_t size,
    tile_subtree_fn fn, void *arg, uint8_t out[MERKLE_HASH_LEN])
{
	struct merkle_range piece[64];
	uint8_t hash[64][MERKLE_HASH_LEN];
	int rc;

	if ((rc = check_range(begin, end, size)) != CTD_OK) {
		return rc;
	}
	size_t n = split_range(begin, end, piece);
	for (size_t i = 0; i < n; i++) {
		if ((rc = fn(arg, piece[i].begin, piece[i].end, hash[i])) !=
		    CTD_OK) {
			return rc;
		}
	}
	/* MTH(left || rest) = node(left, MTH(rest)), from the right. */
	for (size_t i = n - 1; i > 0; i--) {
		merkle_node_hash(hash[i - 1], hash[i], hash[i - 1]);
	}
	memcpy(out, hash[0], MERKLE_HASH_LEN);
	return CTD_OK;
}

static int
tile_cmp(const struct tile *a, const struct tile *b)
{
	if (a->level != b->level) {
		return a->level < b->level ? -1 : 1;
	}
	if (a->index != b->index) {
		return a->index < b->index ? -1 : 1;
	}
	return 0;
}

/* Insert t into the sorted set out[0..*count) unless there. */
static int
add_tile(const struct tile *t, struct tile *out, size_t cap, size_t *count)
{
	size_t i = 0;
	while (i < *count && tile_cmp(&out[i], t) < 0) {
		i++;
	}
	if (i < *count && tile_cmp(&out[i], t) == 0) {
		return CTD_OK;
	}
	if (*count == cap) {
		return CTD_ESPACE;
	}
	memmove(&out[i + 1], &out[i], (*count - i) * sizeof(*out));
	out[i] = *t;
	(*count)++;
	return CTD_OK;
}

int
tile_for_ranges(const struct merkle_range *ranges, size_t n, uint64_t size,
    struct tile *out, size_t cap, size_t *count)
{
	struct merkle_range piece[64];
	int rc;

	*count = 0;
	for (size_t r = 0; r < n; r++) {
		if ((rc = check_range(ranges[r].begin, ranges[r].end, size)) !=
		    CTD_OK) {
			return rc;
		}
		size_t np = split_range(ranges[r].begin, ranges[r].end, piece);
		for (size_t i = 0; i < np; i++) {
			struct tile t;
			unsigned first, entries;
			rc = tile_for_subtree(piece[i].begin, piece[i].end,
			    size, &t, &first, &entries);
			if (rc == CTD_OK) {
				rc = add_tile(&t, out, cap, count);
			}
			if (rc != CTD_OK) {
				return rc;
			}
		}
	}
	return CTD_OK;
}

int
tile_subtree_hash(const uint8_t *hashes, unsigned width, unsigned first,
    unsigned count, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t level[TILE_WIDTH / 2][MERKLE_HASH_LEN];

	if (count == 0 || count > TILE_WIDTH || !merkle_is_pow2(count) ||
	    first % count != 0 || width > TILE_WIDTH ||
	    first + count > width) {
		return CTD_EINVAL;
	}
	const uint8_t *h = hashes + (size_t)first * MERKLE_HASH_LEN;
	if (count == 1) {
		memcpy(out, h, MERKLE_HASH_LEN);
		return CTD_OK;
	}
	/* First pass from the tile, then in place. */
	for (unsigned i = 0; i < count / 2; i++) {
		merkle_node_hash(h + 2 * i * MERKLE_HASH_LEN,
		    h + (2 * i + 1) * MERKLE_HASH_LEN, level[i]);
	}
	for (unsigned n = count / 2; n > 1; n /= 2) {
		for (unsigned i = 0; i < n / 2; i++) {
			merkle_node_hash(level[2 * i], level[2 * i + 1],
			    level[i]);
		}
	}
	memcpy(out, level[0], MERKLE_HASH_LEN);
	return CTD_OK;
}

int
tile_parse_hashes(const struct tile *t, const uint8_t *body, size_t len)
{
	(void)body;
	if (t->width == 0 || t->width > TILE_WIDTH ||
	    len != (size_t)t->width * MERKLE_HASH_LEN) {
		return CTD_EMALF;
	}
	return CTD_OK;
}

/* --- data tiles ----------------------------------------------------------- */

static uint32_t
rd_u24(struct wbuf *r)
{
	uint32_t hi = wbuf_u8(r);
	return hi << 16 | wbuf_u16(r);
}

static uint64_t
rd_u64(struct wbuf *r)
{
	uint64_t hi = wbuf_u32(r);
	return hi << 32 | wbuf_u32(r);
}

/* The next n bytes in place, or NULL (error set) when fewer are left. */
static const uint8_t *
rd_span(struct wbuf *r, size_t n)
{
	const uint8_t *p = r->data + r->pos;
	return wbuf_skip(r, n) == n ? p : NULL;
}

int
tile_leaf_index(const uint8_t *ext, size_t len, uint64_t *index)
{
	struct wbuf r;
	bool seen[256] = { false };
	bool found = false;

	wbuf_init_ro(&r, ext, len);
	while (wbuf_left(&r) > 0) {
		uint8_t type = wbuf_u8(&r);
		uint16_t n = wbuf_u16(&r);
		const uint8_t *data = rd_span(&r, n);
		if (r.err != CTD_OK || seen[type]) {
			return CTD_EMALF;
		}
		seen[type] = true;
		if (type != EXT_LEAF_INDEX) {
			continue;
		}
		if (n != LEAF_INDEX_LEN) {
			return CTD_EMALF;
		}
		uint64_t v = 0;
		for (int i = 0; i < LEAF_INDEX_LEN; i++) {
			v = v << 8 | data[i];
		}
		*index = v;
		found = true;
	}
	return found ? CTD_OK : CTD_ENOTFOUND;
}

/* SHA-256(0x00 || MerkleTreeLeaf), MerkleTreeLeaf = 0 || 0 || entry. */
static void
leaf_hash(const uint8_t *entry, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	static const uint8_t prefix[3] = { 0x00, 0x00, 0x00 };
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, prefix, sizeof(prefix));
	SHA256_Update(&c, entry, len);
	SHA256_Final(out, &c);
}

/* The TimestampedEntry (RFC 6962 section 3.4) at the cursor. */
static int
read_entry(struct wbuf *r, struct tile_leaf *leaf)
{
	const uint8_t *start = r->data + r->pos;
	size_t pos = r->pos;

	leaf->timestamp = rd_u64(r);
	leaf->entry_type = wbuf_u16(r);
	leaf->issuer_key_hash = NULL;
	if (leaf->entry_type == TILE_PRECERT) {
		leaf->issuer_key_hash = rd_span(r, MERKLE_HASH_LEN);
	} else if (leaf->entry_type != TILE_X509) {
		return CTD_EMALF;
	}
	leaf->cert_len = rd_u24(r);
	leaf->cert = rd_span(r, leaf->cert_len);
	leaf->extensions_len = wbuf_u16(r);
	leaf->extensions = rd_span(r, leaf->extensions_len);
	if (r->err != CTD_OK || leaf->cert_len == 0) {
		return CTD_EMALF;
	}
	leaf->entry = start;
	leaf->entry_len = r->pos - pos;
	return CTD_OK;
}

/* One TileLeaf at the cursor. */
static int
read_leaf(struct wbuf *r, struct tile_leaf *leaf)
{
	int rc = read_entry(r, leaf);
	if (rc != CTD_OK) {
		return rc;
	}
	leaf->precert = NULL;
	leaf->precert_len = 0;
	if (leaf->entry_type == TILE_PRECERT) {
		leaf->precert_len = rd_u24(r);
		leaf->precert = rd_span(r, leaf->precert_len);
		if (r->err == CTD_OK && leaf->precert_len == 0) {
			return CTD_EMALF;
		}
	}
	size_t chain_len = wbuf_u16(r);
	leaf->chain = rd_span(r, chain_len);
	leaf->chain_count = chain_len / FINGERPRINT_LEN;
	if (r->err != CTD_OK || chain_len % FINGERPRINT_LEN != 0) {
		return CTD_EMALF;
	}
	rc = tile_leaf_index(leaf->extensions, leaf->extensions_len,
	    &leaf->leaf_index);
	if (rc != CTD_OK && rc != CTD_ENOTFOUND) {
		return rc;
	}
	leaf->has_leaf_index = rc == CTD_OK;
	if (!leaf->has_leaf_index) {
		leaf->leaf_index = 0;
	}
	leaf_hash(leaf->entry, leaf->entry_len, leaf->leaf_hash);
	return CTD_OK;
}

int
tile_parse_data(const uint8_t *body, size_t len, unsigned width,
    struct tile_leaf *out)
{
	struct wbuf r;

	if (width == 0 || width > TILE_WIDTH) {
		return CTD_EINVAL;
	}
	if (len > TILE_DATA_MAX) {
		return CTD_EMALF;
	}
	wbuf_init_ro(&r, body, len);
	for (unsigned i = 0; i < width; i++) {
		int rc = read_leaf(&r, &out[i]);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return wbuf_left(&r) == 0 ? CTD_OK : CTD_EMALF;
}
