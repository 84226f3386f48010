/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tile.c -- fuzz target: data tiles, hash tiles and tile arithmetic.
 *
 * Input: one selector byte, then the body. The selector's value modulo 3
 * picks: 0 tile_parse_data, of width selector / 3 + 1 (1..85), except that
 * selector 255 takes the width from the next byte + 1 (1..256, the full
 * tiles of a real log among them) and the body after it; 1 a hash tile,
 * its width from the body's length; 2 the arithmetic: a tree size and a
 * leaf index from the first 16 bytes.
 *
 * Properties: only the documented codes; every leaf's spans lie inside the
 * body and its leaf hash is SHA-256(0 || 0 || 0 || entry); the tiles listed
 * for an audit path and a consistency proof exist in the tree with the
 * width tile_width() gives, have paths, and are exactly those the range
 * hashing asks for.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "merkle.h"
#include "tile.h"

enum { SEL_DATA, SEL_HASHES, SEL_MATH, SEL_COUNT };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static bool
inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return n == 0 || (p >= buf && n <= len && (size_t)(p - buf) <= len - n);
}

static void
check_data(const uint8_t *body, size_t len, unsigned width)
{
	static struct tile_leaf out[TILE_WIDTH];
	uint8_t h[MERKLE_HASH_LEN];
	int rc = tile_parse_data(body, len, width, out);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
	if (rc != CTD_OK) {
		return;
	}
	for (unsigned i = 0; i < width; i++) {
		const struct tile_leaf *l = &out[i];
		FUZZ_CHECK(inside(l->entry, l->entry_len, body, len));
		FUZZ_CHECK(inside(l->cert, l->cert_len, body, len));
		FUZZ_CHECK(inside(l->extensions, l->extensions_len, body,
		    len));
		FUZZ_CHECK(inside(l->chain, l->chain_count * 32, body, len));
		FUZZ_CHECK(l->entry_type == TILE_X509 ||
		    l->entry_type == TILE_PRECERT);
		FUZZ_CHECK((l->precert != NULL) ==
		    (l->entry_type == TILE_PRECERT));
		uint8_t *mtl = malloc(l->entry_len + 2);
		FUZZ_CHECK(mtl != NULL);
		mtl[0] = mtl[1] = 0;
		memcpy(mtl + 2, l->entry, l->entry_len);
		merkle_leaf_hash(mtl, l->entry_len + 2, h);
		free(mtl);
		FUZZ_CHECK(memcmp(h, l->leaf_hash, sizeof(h)) == 0);
	}
}

static void
check_hashes(const uint8_t *body, size_t len)
{
	struct tile t = { .level = 0, .index = 0 };
	uint8_t h[MERKLE_HASH_LEN];
	t.width = (uint16_t)(len / MERKLE_HASH_LEN > TILE_WIDTH ? TILE_WIDTH :
	    len / MERKLE_HASH_LEN);
	int rc = tile_parse_hashes(&t, body, len);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
	FUZZ_CHECK((rc == CTD_OK) == (t.width > 0 &&
	    len == (size_t)t.width * MERKLE_HASH_LEN));
	if (rc != CTD_OK) {
		return;
	}
	/* Every aligned run that fits hashes; the others are refused. */
	for (unsigned count = 1; count <= TILE_WIDTH; count *= 2) {
		for (unsigned first = 0; first < t.width; first += count) {
			rc = tile_subtree_hash(body, t.width, first, count, h);
			FUZZ_CHECK((rc == CTD_OK) ==
			    (first + count <= t.width));
		}
	}
}

struct ctx {
	uint64_t size;
	const struct tile *tiles;
	size_t ntiles;
};

static int
subtree(void *arg, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN])
{
	const struct ctx *c = arg;
	struct tile t;
	unsigned first, count;
	FUZZ_CHECK(tile_for_subtree(begin, end, c->size, &t, &first, &count)
	    == CTD_OK);
	bool listed = false;
	for (size_t i = 0; i < c->ntiles; i++) {
		listed |= c->tiles[i].level == t.level &&
		    c->tiles[i].index == t.index;
	}
	FUZZ_CHECK(listed && first + count <= t.width);
	memset(out, 0, MERKLE_HASH_LEN);
	return CTD_OK;
}

static void
check_ranges(uint64_t size, const struct merkle_range *r, size_t n)
{
	struct tile tiles[2 * 64 * 8];
	size_t count;
	char path[TILE_PATH_MAX];
	uint8_t h[MERKLE_HASH_LEN];
	int rc = tile_for_ranges(r, n, size, tiles, 2 * 64 * 8, &count);
	FUZZ_CHECK(rc == CTD_OK);
	for (size_t i = 0; i < count; i++) {
		FUZZ_CHECK(tiles[i].width != 0 && tiles[i].width ==
		    tile_width(size, tiles[i].level, tiles[i].index));
		FUZZ_CHECK(tile_path(&tiles[i], path, sizeof(path)) == CTD_OK);
	}
	struct ctx c = { .size = size, .tiles = tiles, .ntiles = count };
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(tile_range_hash(r[i].begin, r[i].end, size, subtree,
		    &c, h) == CTD_OK);
	}
}

static void
check_math(const uint8_t *body, size_t len)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	uint64_t size = 0, index = 0;
	for (size_t i = 0; i < 8 && i < len; i++) {
		size = size << 8 | body[i];
	}
	for (size_t i = 8; i < 16 && i < len; i++) {
		index = index << 8 | body[i];
	}
	if (size == 0) {
		return;
	}
	index %= size;
	struct merkle_range all = { 0, size };
	check_ranges(size, &all, 1);
	check_ranges(size, r, merkle_path_ranges(index, size, r));
	if (index > 0) {
		check_ranges(size, r, merkle_consistency_ranges(index, size,
		    r));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) {
		return 0;
	}
	size_t len = size - 1;
	uint8_t *body = malloc(len > 0 ? len : 1);
	FUZZ_CHECK(body != NULL);
	if (len > 0) {
		memcpy(body, data + 1, len);
	}
	switch (data[0] % SEL_COUNT) {
	case SEL_DATA:
		if (data[0] != UINT8_MAX) {
			check_data(body, len,
			    (unsigned)(data[0] / SEL_COUNT) + 1);
		} else if (len > 0) {
			check_data(body + 1, len - 1, (unsigned)body[0] + 1);
		}
		break;
	case SEL_HASHES:
		check_hashes(body, len);
		break;
	default:
		check_math(body, len);
		break;
	}
	free(body);
	return 0;
}
