/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tile.c -- tile paths, tile arithmetic, hash tiles and data tiles.
 *
 * The arithmetic is checked against a tree of 70,000 leaves (the example
 * of c2sp.org/tlog-tiles) hashed here the plain RFC 6962 way, without
 * tiles: for many tree sizes, every node of audit paths and consistency
 * proofs is computed from tile entries alone, through only the tiles that
 * tile_for_ranges() lists, and must equal the plain hash; the proofs must
 * then verify with merkle.c. Roots of the 8-leaf reference tree
 * (tests/data/merkle/reference_tree.txt) and the leaf hashes of real
 * MerkleTreeLeaf vectors (tests/data/tile/leaves.txt) are known answers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "err.h"
#include "merkle.h"
#include "tile.h"

int main(void);

#define TESTDATA_DIR "."
#define MAX_FIELDS 6
#include "../testdata.h"

/* --- paths ---------------------------------------------------------------- */

static void
path_is(uint8_t level, uint64_t index, uint16_t width, bool data,
    const char *want)
{
	struct tile t = { .level = level, .index = index, .width = width };
	char out[TILE_PATH_MAX];
	int rc = data ? tile_data_path(&t, out, sizeof(out)) :
	    tile_path(&t, out, sizeof(out));
	ok(rc == CTD_OK && strcmp(out, want) == 0, "path %s", want);
	if (rc == CTD_OK && strcmp(out, want) != 0) {
		diag("got %s", out);
	}
}

static void
test_paths(void)
{
	struct tile t = { .level = 0, .index = 0, .width = 256 };
	char out[TILE_PATH_MAX];

	path_is(0, 0, 256, false, "tile/0/000");
	path_is(0, 1234067, 256, false, "tile/0/x001/x234/067");
	path_is(1, 1234, 17, false, "tile/1/x001/234.p/17");
	path_is(2, 1000, 1, false, "tile/2/x001/000.p/1");
	path_is(0, 999, 255, false, "tile/0/999.p/255");
	path_is(5, UINT64_MAX, 1, false,
	    "tile/5/x018/x446/x744/x073/x709/x551/615.p/1");
	path_is(0, 5, 256, true, "tile/data/005");
	path_is(0, 273, 112, true, "tile/data/273.p/112");
	t.width = 0;
	is_int(tile_path(&t, out, sizeof(out)), CTD_EINVAL, "width 0");
	t.width = 257;
	is_int(tile_path(&t, out, sizeof(out)), CTD_EINVAL, "width 257");
	t.width = 256;
	t.level = 8;
	is_int(tile_path(&t, out, sizeof(out)), CTD_EINVAL, "level 8");
	t.level = 1;
	is_int(tile_data_path(&t, out, sizeof(out)), CTD_EINVAL,
	    "data tile above level 0");
	t.level = 0;
	t.index = 1234067;
	is_int(tile_path(&t, out, 20), CTD_ESPACE, "too small a buffer");
}

/* --- widths --------------------------------------------------------------- */

static void
test_widths(void)
{
	struct tile p[TILE_MAX_LEVEL + 1];

	/* c2sp.org/tlog-tiles: 70,000 is 273 full level-0 tiles, one of
	 * width 112, one full level-1 tile, one of width 17, one level-2
	 * tile of width 1. */
	is_int(tile_width(70000, 0, 272), 256, "70000: level 0 tile 272 full");
	is_int(tile_width(70000, 0, 273), 112, "70000: tile 273 of width 112");
	is_int(tile_width(70000, 0, 274), 0, "70000: no tile 274");
	is_int(tile_width(70000, 1, 0), 256, "70000: level 1 tile 0 full");
	is_int(tile_width(70000, 1, 1), 17, "70000: level 1 tile 1 width 17");
	is_int(tile_width(70000, 2, 0), 1, "70000: level 2 tile 0 width 1");
	is_int(tile_width(70000, 3, 0), 0, "70000: nothing at level 3");
	ok(tile_partials(70000, p) == 3 && p[0].level == 0 &&
	    p[0].index == 273 && p[0].width == 112 && p[1].level == 1 &&
	    p[1].index == 1 && p[1].width == 17 && p[2].level == 2 &&
	    p[2].index == 0 && p[2].width == 1, "70000: its partial tiles");
	ok(tile_partials(256, p) == 1 && p[0].level == 1 && p[0].index == 0 &&
	    p[0].width == 1 && tile_width(256, 0, 0) == 256,
	    "256: a full level-0 tile and a level-1 tile of width 1");
	is_int(tile_partials(0, p), 0, "0: no tiles");
	is_int(tile_partials(UINT64_MAX, p), 8, "2^64 - 1: 8 partial tiles");
	is_int(tile_width(UINT64_MAX, 7, 0), 255, "2^64 - 1: level 7 width");
	is_int(tile_width(UINT64_MAX, 8, 0), 0, "no level 8");
}

/* --- the 70,000-leaf tree ------------------------------------------------- */

#define TREE 70000
static uint8_t (*leaves)[MERKLE_HASH_LEN];
/* Entries of levels 0..2 (level 0 is the leaves). */
static uint8_t (*entries[3])[MERKLE_HASH_LEN];

/* MTH(D[b:e)), plainly (RFC 6962 section 2.1). */
static void
mth(uint64_t b, uint64_t e, uint8_t out[MERKLE_HASH_LEN])
{
	if (e - b == 1) {
		memcpy(out, leaves[b], MERKLE_HASH_LEN);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < e - b) {
		k *= 2;
	}
	uint8_t l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
	mth(b, b + k, l);
	mth(b + k, e, r);
	merkle_node_hash(l, r, out);
}

static void
build_tree(void)
{
	leaves = calloc(TREE, MERKLE_HASH_LEN);
	entries[1] = calloc(TREE / 256, MERKLE_HASH_LEN);
	entries[2] = calloc(1, MERKLE_HASH_LEN);
	for (uint64_t i = 0; i < TREE; i++) {
		char in[32];
		int n = snprintf(in, sizeof(in), "leaf %llu",
		    (unsigned long long)i);
		merkle_leaf_hash((const uint8_t *)in, (size_t)n, leaves[i]);
	}
	entries[0] = leaves;
	for (uint64_t j = 0; j < TREE / 256; j++) {
		mth(j * 256, j * 256 + 256, entries[1][j]);
	}
	mth(0, 65536, entries[2][0]);
}

/* What the callback may use: the tree size and the listed tiles. */
struct ctx {
	uint64_t size;
	struct tile tiles[256];
	size_t ntiles;
	int bad;	/* subtrees asked for outside the listed tiles */
};

static int
from_tiles(void *arg, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct ctx *c = arg;
	struct tile t;
	unsigned first, count;
	int rc = tile_for_subtree(begin, end, c->size, &t, &first, &count);
	if (rc != CTD_OK) {
		return rc;
	}
	bool listed = false;
	for (size_t i = 0; i < c->ntiles; i++) {
		listed |= c->tiles[i].level == t.level &&
		    c->tiles[i].index == t.index &&
		    c->tiles[i].width == t.width;
	}
	/* The width, worked out here apart from tile.c. */
	uint64_t left = (c->size >> (8 * t.level)) - t.index * 256;
	unsigned width = left > 256 ? 256 : (unsigned)left;
	if (!listed || t.level > 2 || t.width != width) {
		c->bad++;
		return CTD_ENOTFOUND;
	}
	return tile_subtree_hash(entries[t.level][t.index * 256], t.width,
	    first, count, out);
}

/* Hash every range from tiles; count those that differ from plain. */
static int
ranges_from_tiles(struct ctx *c, const struct merkle_range *r, size_t n,
    uint8_t *nodes)
{
	int wrong = 0;
	if (tile_for_ranges(r, n, c->size, c->tiles, 256, &c->ntiles) !=
	    CTD_OK) {
		return 1000;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t want[MERKLE_HASH_LEN];
		uint8_t *got = nodes + i * MERKLE_HASH_LEN;
		mth(r[i].begin, r[i].end, want);
		if (tile_range_hash(r[i].begin, r[i].end, c->size, from_tiles,
		    c, got) != CTD_OK || memcmp(got, want, 32) != 0) {
			wrong++;
		}
	}
	return wrong + c->bad;
}

static void
test_size(uint64_t size)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	uint8_t nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	uint8_t root[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	struct ctx c = { .size = size };
	int wrong = 0, failed = 0;

	mth(0, size, root);
	struct merkle_range all = { 0, size };
	wrong += ranges_from_tiles(&c, &all, 1, got);
	failed += memcmp(got, root, 32) != 0;
	uint64_t idx[] = { 0, size / 2, size - 1 };
	for (int i = 0; i < 3; i++) {
		size_t n = merkle_path_ranges(idx[i], size, r);
		wrong += ranges_from_tiles(&c, r, n, nodes);
		failed += merkle_verify_inclusion(idx[i], size, leaves[idx[i]],
		    nodes, n, root) != CTD_OK;
		if (idx[i] == 0) {
			continue;
		}
		uint8_t old[MERKLE_HASH_LEN];
		mth(0, idx[i], old);
		n = merkle_consistency_ranges(idx[i], size, r);
		wrong += ranges_from_tiles(&c, r, n, nodes);
		failed += merkle_verify_consistency(idx[i], size, old, root,
		    nodes, n) != CTD_OK;
	}
	ok(wrong == 0 && failed == 0,
	    "size %llu: proof nodes from listed tiles, proofs verify",
	    (unsigned long long)size);
	if (wrong || failed) {
		diag("%d nodes wrong, %d proofs failed", wrong, failed);
	}
}

static void
test_tree(void)
{
	static const uint64_t sizes[] = { 1, 2, 3, 255, 256, 257, 511, 512,
	    4097, 65535, 65536, 65537, 66000, 69888, 70000 };

	build_tree();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		test_size(sizes[i]);
	}
	/* The tiles of one audit path, by hand: leaf 0 of 70,000. */
	struct merkle_range r[MERKLE_MAX_PATH];
	struct tile t[16];
	size_t n = merkle_path_ranges(0, 70000, r), count;
	ok(tile_for_ranges(r, n, 70000, t, 16, &count) == CTD_OK &&
	    count == 4 && t[0].level == 0 && t[0].index == 0 &&
	    t[1].level == 0 && t[1].index == 273 && t[1].width == 112 &&
	    t[2].level == 1 && t[2].index == 0 && t[2].width == 256 &&
	    t[3].level == 1 && t[3].index == 1 && t[3].width == 17,
	    "leaf 0 of 70000: tiles 0/0, 0/273.p/112, 1/0, 1/1.p/17");
	is_int(tile_for_ranges(r, n, 70000, t, 3, &count), CTD_ESPACE,
	    "too little room for the tiles");
	struct merkle_range odd = { 1, 3 };
	is_int(tile_for_ranges(&odd, 1, 70000, t, 16, &count), CTD_EINVAL,
	    "an unaligned range is refused");
	struct merkle_range past = { 0, 70001 };
	is_int(tile_for_ranges(&past, 1, 70000, t, 16, &count), CTD_EINVAL,
	    "a range past the tree is refused");
	uint8_t h[32];
	is_int(tile_subtree_hash(entries[0][0], 256, 2, 4, h), CTD_EINVAL,
	    "unaligned tile entries refused");
	is_int(tile_subtree_hash(entries[0][0], 3, 2, 2, h), CTD_EINVAL,
	    "entries past the width refused");
	free(entries[1]);
	free(entries[2]);
	free(leaves);
}

/* --- the 8-leaf reference tree -------------------------------------------- */

static uint8_t ref_leaf[8][32];
static int ref_roots_ok, ref_roots;

static int
ref_subtree(void *arg, uint64_t b, uint64_t e, uint8_t out[32])
{
	(void)arg;
	if (e - b == 1) {
		memcpy(out, ref_leaf[b], 32);
		return CTD_OK;
	}
	/* Complete subtrees of the 8 leaves, as one level-0 tile. */
	return tile_subtree_hash(ref_leaf[0], 8, (unsigned)b,
	    (unsigned)(e - b), out);
}

static void
ref_line(char **f, int n)
{
	uint8_t want[32], got[32];
	/* "L -1" lines are hasher vectors, not leaves of the tree. */
	if (n >= 4 && strcmp(f[0], "L") == 0 && atoi(f[1]) >= 0 &&
	    atoi(f[1]) < 8) {
		testdata_unhex(f[3], ref_leaf[atoi(f[1])], 32);
	} else if (n >= 3 && strcmp(f[0], "R") == 0 && atoi(f[1]) > 0) {
		testdata_unhex(f[2], want, 32);
		ref_roots++;
		ref_roots_ok += tile_range_hash(0, (uint64_t)atoi(f[1]),
		    8, ref_subtree, NULL, got) == CTD_OK &&
		    memcmp(got, want, 32) == 0;
	}
}

static void
test_reference(void)
{
	testdata_each_line("merkle/reference_tree.txt", ref_line);
	ok(ref_roots == 8 && ref_roots_ok == 8,
	    "reference tree: roots of sizes 1..8 from tile entries");
}

/* --- data tiles ----------------------------------------------------------- */

#define MAX_LEAVES 8
static uint8_t tile_body[64 * 1024];
static size_t tile_len;
static uint8_t want_hash[MAX_LEAVES][32];
static int want_type[MAX_LEAVES];
static int nleaves;

static void
put(const void *p, size_t n)
{
	memcpy(tile_body + tile_len, p, n);
	tile_len += n;
}

/* The rest of a TileLeaf after its TimestampedEntry: pre_certificate
 * for a precert, then two chain fingerprints. */
static void
put_tail(int type)
{
	static const uint8_t precert[] = { 0x00, 0x00, 0x07, 'P', 'R', 'E',
	    'C', 'E', 'R', 'T' };
	uint8_t chain[2 + 64];
	if (type == 1) {
		put(precert, sizeof(precert));
	}
	chain[0] = 0;
	chain[1] = 64;
	memset(chain + 2, 0xab, 64);
	put(chain, sizeof(chain));
}

static void
leaf_line(char **f, int n)
{
	uint8_t leaf[4096];
	long len;
	if (n != 4 || nleaves == MAX_LEAVES ||
	    (len = testdata_unhex(f[2], leaf, sizeof(leaf))) < 2) {
		ok(0, "leaves.txt line");
		return;
	}
	want_type[nleaves] = atoi(f[1]);
	testdata_unhex(f[3], want_hash[nleaves], 32);
	nleaves++;
	/* MerkleTreeLeaf = version, leaf type, TimestampedEntry. */
	put(leaf + 2, (size_t)len - 2);
	put_tail(atoi(f[1]));
}

/* A synthetic x509 entry with a leaf_index extension of 258 (and an
 * unknown extension type 7 before it). */
static const uint8_t indexed[] = {
	0, 0, 0x01, 0x90, 0, 0, 0, 0,	/* timestamp */
	0, 0,				/* x509_entry */
	0, 0, 3, 0x30, 0x01, 0x00,	/* "certificate" */
	0, 12, 7, 0, 1, 0xee, 0, 0, 5, 0, 0, 0, 1, 2,	/* extensions */
};

static int
parse_edited(size_t at, uint8_t value, unsigned width)
{
	static struct tile_leaf out[MAX_LEAVES + 1];
	uint8_t saved = tile_body[at];
	tile_body[at] = value;
	int rc = tile_parse_data(tile_body, tile_len, width, out);
	tile_body[at] = saved;
	return rc;
}

static void
test_data(void)
{
	static struct tile_leaf out[MAX_LEAVES + 1];
	uint8_t h[32];

	testdata_each_line("tile/leaves.txt", leaf_line);
	size_t indexed_at = tile_len;
	put(indexed, sizeof(indexed));
	put_tail(0);
	unsigned width = (unsigned)nleaves + 1;
	is_int(tile_parse_data(tile_body, tile_len, width, out), CTD_OK,
	    "data tile of %u entries parses", width);
	int same = 0;
	for (int i = 0; i < nleaves; i++) {
		same += memcmp(out[i].leaf_hash, want_hash[i], 32) == 0 &&
		    out[i].entry_type == want_type[i] &&
		    out[i].chain_count == 2 && !out[i].has_leaf_index &&
		    (want_type[i] == 0 ? out[i].precert == NULL :
		    out[i].precert_len == 7 && out[i].issuer_key_hash != NULL);
	}
	ok(nleaves == 4 && same == nleaves,
	    "real leaves: leaf hashes, types, precerts and chains");
	uint8_t mtl[2 + sizeof(indexed)] = { 0, 0 };
	memcpy(mtl + 2, indexed, sizeof(indexed));
	merkle_leaf_hash(mtl, sizeof(mtl), h);
	struct tile_leaf *x = &out[nleaves];
	ok(x->has_leaf_index && x->leaf_index == 258 && x->cert_len == 3 &&
	    x->extensions_len == 12 && memcmp(x->leaf_hash, h, 32) == 0 &&
	    x->entry_len == sizeof(indexed), "leaf_index extension read");

	is_int(tile_parse_data(tile_body, tile_len, width - 1, out), CTD_EMALF,
	    "an entry more than the width");
	is_int(tile_parse_data(tile_body, tile_len, width + 1, out), CTD_EMALF,
	    "an entry less than the width");
	is_int(tile_parse_data(tile_body, tile_len - 1, width, out), CTD_EMALF,
	    "cut short");
	is_int(tile_parse_data(tile_body, tile_len, 0, out), CTD_EINVAL,
	    "width 0");
	is_int(parse_edited(indexed_at + 9, 2, width), CTD_EMALF,
	    "unknown entry type");
	is_int(parse_edited(indexed_at + 22, 7, width), CTD_EMALF,
	    "duplicate extension type");
	is_int(parse_edited(indexed_at + 24, 4, width), CTD_EMALF,
	    "leaf_index of 4 bytes");
	is_int(parse_edited(indexed_at + 12, 0, width), CTD_EMALF,
	    "empty certificate");
	is_int(parse_edited(tile_len - 65, 63, width), CTD_EMALF,
	    "chain not whole fingerprints");

	uint64_t idx;
	static const uint8_t other[] = { 3, 0, 1, 9 };
	is_int(tile_leaf_index(other, sizeof(other), &idx), CTD_ENOTFOUND,
	    "no leaf_index extension");
	is_int(tile_leaf_index(other, 3, &idx), CTD_EMALF, "cut extension");
	static const uint8_t big[] = { 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff };
	ok(tile_leaf_index(big, sizeof(big), &idx) == CTD_OK &&
	    idx == 0xffffffffff, "40-bit leaf_index");

	struct tile t = { .level = 0, .index = 0, .width = 3 };
	ok(tile_parse_hashes(&t, tile_body, 96) == CTD_OK &&
	    tile_parse_hashes(&t, tile_body, 95) == CTD_EMALF &&
	    tile_parse_hashes(&t, tile_body, 128) == CTD_EMALF,
	    "hash tile length is width * 32");
}

int
main(void)
{
	test_paths();
	test_widths();
	test_tree();
	test_reference();
	test_data();
	return done_testing();
}
