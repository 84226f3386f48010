/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store_tiles.c -- the store's tiles and prefix-keyed leaf index
 * (store_tile.c): a complete tile becomes one record that serves every
 * node of heights 0 to 8, a tile completed across two sets moves its
 * nodes out of "r/", contradictions are refused, leaves sharing a hash
 * prefix are told apart.
 *
 * Checked against the reference tree of refmerkle.h, computed from
 * scratch. Everything happens under one mkdtemp() directory, removed at
 * the end.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merkle.h"
#include "proved.h"
#include "store.h"
#include "../tap.h"
#include "../refmerkle.h"
#include "../storetmp.h"

#define NLEAVES 1024

static char base[256];
static uint8_t leaves[NLEAVES][MERKLE_HASH_LEN];

/* A proved set of the leaves [a, b) and every aligned node inside it
 * (what a mirror's batch holds). */
static void
make_set(struct proved *p, uint64_t a, uint64_t b)
{
	uint8_t h[MERKLE_HASH_LEN];

	proved_init(p);
	for (uint64_t i = a; i < b; i++) {
		proved_add_leaf(p, leaves[i], i);
	}
	for (uint64_t n = 2; n <= b - a; n *= 2) {
		for (uint64_t x = (a + n - 1) / n * n; x + n <= b; x += n) {
			ref_mth(leaves, x, x + n, h);
			proved_add_range(p, x, x + n, h);
		}
	}
}

static int
put_set(struct store *s, struct store_log *l, const struct proved *p)
{
	struct store_txn t;

	store_txn_begin(s, &t);
	store_put_proved(&t, l, p);
	return store_txn_commit(&t);
}

static uint64_t
range_count(struct store *s, struct store_log *l)
{
	uint64_t n = 0;
	store_stats(s, l, &n, NULL, NULL);
	return n;
}

/* Every aligned node of heights 0 to 8 in [a, b) reads back as the
 * reference, one lookup each and all at once per leaf path. */
static bool
nodes_match(struct store *s, struct store_log *l, uint64_t a, uint64_t b)
{
	struct store_reader r;
	uint8_t got[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];
	bool all = store_reader_init(s, &r) == CTD_OK &&
	    store_read_begin(&r) == CTD_OK;

	for (uint64_t n = 1; all && n <= 256; n *= 2) {
		for (uint64_t x = a; all && x + n <= b; x += n) {
			ref_mth(leaves, x, x + n, want);
			all = store_get_range(&r, l, x, x + n, got) ==
			    CTD_OK && memcmp(got, want, sizeof got) == 0;
		}
	}
	for (uint64_t i = a; all && i < b; i += 37) {
		struct merkle_range rg[64];
		uint8_t out[64 * MERKLE_HASH_LEN];
		size_t c = merkle_path_ranges(i - a, b - a, rg);
		for (size_t k = 0; k < c; k++) {
			rg[k].begin += a;
			rg[k].end += a;
		}
		all = store_get_ranges(&r, l, rg, c, out) == CTD_OK;
		for (size_t k = 0; all && k < c; k++) {
			ref_mth(leaves, rg[k].begin, rg[k].end, want);
			all = memcmp(out + k * MERKLE_HASH_LEN, want,
			    MERKLE_HASH_LEN) == 0;
		}
	}
	store_read_end(&r);
	store_reader_deinit(&r);
	return all;
}

/* One range in its own snapshot. */
static int
get_one(struct store *s, struct store_log *l, uint64_t b, uint64_t e,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct store_reader r;
	int rc = store_reader_init(s, &r);

	if (rc == CTD_OK && (rc = store_read_begin(&r)) == CTD_OK) {
		rc = store_get_range(&r, l, b, e, out);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return rc;
}

static int
get_leaf(struct store *s, struct store_log *l, const uint8_t *h,
    uint64_t *idx)
{
	struct store_reader r;
	int rc = store_reader_init(s, &r);

	if (rc == CTD_OK && (rc = store_read_begin(&r)) == CTD_OK) {
		rc = store_get_leaf(&r, l, h, idx);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return rc;
}

static bool
leaves_found(struct store *s, struct store_log *l, uint64_t a, uint64_t b)
{
	bool all = true;
	for (uint64_t i = a; all && i < b; i++) {
		uint64_t idx = UINT64_MAX;
		all = get_leaf(s, l, leaves[i], &idx) == CTD_OK && idx == i;
	}
	return all;
}

static void
test_whole_tile(struct store *s, struct store_log *l)
{
	struct proved p;

	make_set(&p, 0, 256);
	is_int(put_set(s, l, &p), CTD_OK, "a set of one whole tile commits");
	is_int(range_count(s, l), 511,
	    "it is one tile: 511 nodes, nothing in r/");
	ok(nodes_match(s, l, 0, 256),
	    "every node of heights 0 to 8 reads back (height 1 computed)");
	ok(leaves_found(s, l, 0, 256), "every leaf is indexed at its index");
	is_int(put_set(s, l, &p), CTD_OK, "the same set again commits");
	is_int(range_count(s, l), 511, "and adds nothing");
	proved_free(&p);
}

static void
test_completed_later(struct store *s, struct store_log *l)
{
	struct proved p;
	uint8_t h[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	uint64_t n;

	make_set(&p, 256, 300);
	/* The right edge of a tree of size 300, no aligned subtree. */
	ref_mth(leaves, 256, 300, h);
	proved_add_range(&p, 256, 300, h);
	is_int(put_set(s, l, &p), CTD_OK, "part of tile 1 commits");
	proved_free(&p);
	n = range_count(s, l);
	ok(n > 511 + 44, "its nodes are ranges of r/ (%" PRIu64 ")", n);
	ok(nodes_match(s, l, 256, 288), "and read back");
	ok(leaves_found(s, l, 256, 300), "its leaves are indexed");

	make_set(&p, 300, 512);
	is_int(put_set(s, l, &p), CTD_OK, "the rest of tile 1 commits");
	proved_free(&p);
	is_int(range_count(s, l), 2 * 511 + 1,
	    "two tiles, and in r/ only the range that is no node");
	ok(nodes_match(s, l, 0, 512), "every node of both tiles reads back");
	ok(leaves_found(s, l, 256, 512), "every leaf of tile 1 is indexed");
	is_int(get_one(s, l, 256, 300, got), CTD_OK,
	    "the right-edge range [256, 300) is kept");
	is_mem(got, h, sizeof h, "with its hash");
}

static void
test_contradictions(struct store *s, struct store_log *l)
{
	struct proved p;
	struct store_txn t;
	uint8_t bad[MERKLE_HASH_LEN];
	uint64_t before = range_count(s, l);

	storetmp_fill(bad, sizeof bad, 4242);
	store_txn_begin(s, &t);
	store_put_leaf(&t, l, bad, 3);
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "another hash for a leaf of a stored tile: CTD_EINCONSISTENT");
	store_txn_begin(s, &t);
	store_put_range(&t, l, 8, 16, bad);
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "another hash for a node of a stored tile: CTD_EINCONSISTENT");
	store_txn_begin(s, &t);
	store_put_range(&t, l, 4, 6, bad);
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "and for a node of height 1 (computed): CTD_EINCONSISTENT");

	/* Tile 2: a stored level-0 range that the completing set denies. */
	store_txn_begin(s, &t);
	store_put_range(&t, l, 600, 601, bad);
	is_int(store_txn_commit(&t), CTD_OK, "a level-0 range in tile 2");
	make_set(&p, 512, 768);
	is_int(put_set(s, l, &p), CTD_EINCONSISTENT,
	    "a set completing tile 2 against it: CTD_EINCONSISTENT");
	is_int(range_count(s, l), before + 1, "nothing of the set is stored");
	proved_free(&p);

	/* Tile 3: a set holding two hashes for one leaf. */
	make_set(&p, 768, 1024);
	proved_add_leaf(&p, bad, 800);
	is_int(put_set(s, l, &p), CTD_EINCONSISTENT,
	    "two hashes for one leaf in a set: CTD_EINCONSISTENT");
	proved_free(&p);
}

static void
test_prefix(struct store *s, struct store_log *l)
{
	struct store_txn t;
	uint8_t a[MERKLE_HASH_LEN], b[MERKLE_HASH_LEN], c[MERKLE_HASH_LEN];
	uint64_t idx = 0;

	/* Three hashes with one 8-byte prefix (a real log would need 2^32
	 * work to make two; a test just writes them). */
	storetmp_fill(a, sizeof a, 1);
	memcpy(b, a, sizeof b);
	b[31] ^= 1;
	memcpy(c, a, sizeof c);
	c[8] ^= 0x80;
	store_txn_begin(s, &t);
	store_put_leaf(&t, l, b, 5000);
	store_put_leaf(&t, l, a, 7000);
	store_put_leaf(&t, l, a, 9000);
	is_int(store_txn_commit(&t), CTD_OK,
	    "leaves sharing a prefix, one of them twice");
	int rc = get_leaf(s, l, a, &idx);
	ok(rc == CTD_OK && idx == 7000,
	    "the first leaf: its smaller index, past the other's (%" PRIu64
	    ")", idx);
	rc = get_leaf(s, l, b, &idx);
	ok(rc == CTD_OK && idx == 5000, "the second leaf: its own index");
	is_int(get_leaf(s, l, c, &idx), CTD_ENOTFOUND,
	    "a hash with the prefix but not stored: CTD_ENOTFOUND");
}

int
main(void)
{
	struct store *s = NULL;
	struct store_log *l = NULL;
	uint8_t id[32];

	plan(27);
	if (!storetmp_make(base, sizeof base, "test_store_tiles")) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	for (uint32_t i = 0; i < NLEAVES; i++) {
		storetmp_fill(leaves[i], MERKLE_HASH_LEN, 100 + i);
	}
	storetmp_fill(id, sizeof id, 7);
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/db", base);
	if (store_open(dir, 0, &s) != CTD_OK ||
	    store_log_open(s, id, &l) != CTD_OK) {
		printf("Bail out! store_open\n");
		return 1;
	}
	test_whole_tile(s, l);
	test_completed_later(s, l);
	test_contradictions(s, l);
	test_prefix(s, l);
	store_close(s);
	storetmp_remove(base);
	return exit_status();
}
