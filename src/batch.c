/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * batch.c -- a mirror's batch of leaves hashed into the tree above a
 * stored prefix (see batch.h).
 *
 * Per height h the batch holds the aligned subtrees of 2^h leaves that lie
 * wholly inside [a, b), computed from the height below, and at most one
 * "straddler": the subtree that starts before a and ends inside the batch,
 * whose left part comes from the store (or the straddler below).
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "err.h"

#define MAX_HEIGHT 64

struct level {
	uint64_t first;		/* index (x / 2^h) of the first inside */
	uint64_t count;		/* inside subtrees at this height */
	uint8_t *hashes;	/* count hashes */
	bool has_straddler;
	uint8_t straddler[MERKLE_HASH_LEN];
};

struct batch {
	uint64_t a, b;
	batch_known_fn known;
	void *arg;
	struct level lv[MAX_HEIGHT];
	int heights;		/* levels computed */
};

/* A complete subtree [x, x + 2^h) of [0, b). */
static int
subtree(struct batch *t, uint64_t x, int h, uint8_t out[MERKLE_HASH_LEN])
{
	uint64_t n = (uint64_t)1 << h;
	if (x + n <= t->a) {
		return t->known(t->arg, x, x + n, out);
	}
	if (h >= t->heights) {
		return CTD_EINVAL;
	}
	const struct level *l = &t->lv[h];
	if (x >= t->a) {
		uint64_t j = x >> h;
		if (j < l->first || j - l->first >= l->count) {
			return CTD_EINVAL;
		}
		memcpy(out, l->hashes + (j - l->first) * MERKLE_HASH_LEN,
		    MERKLE_HASH_LEN);
		return CTD_OK;
	}
	if (!l->has_straddler) {
		return CTD_EINVAL;
	}
	memcpy(out, l->straddler, MERKLE_HASH_LEN);
	return CTD_OK;
}

static int
node(struct batch *t, uint64_t x, int h, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
	uint64_t half = (uint64_t)1 << (h - 1);
	int rc = subtree(t, x, h - 1, left);
	if (rc == CTD_OK) {
		rc = subtree(t, x + half, h - 1, right);
	}
	if (rc == CTD_OK) {
		merkle_node_hash(left, right, out);
	}
	return rc;
}

/* Height h from height h - 1 (already computed). */
static int
build_level(struct batch *t, int h, uint8_t *buf)
{
	struct level *l = &t->lv[h];
	uint64_t n = (uint64_t)1 << h;
	l->first = (t->a + n - 1) >> h;
	uint64_t end = t->b >> h;
	l->count = end > l->first ? end - l->first : 0;
	l->hashes = buf;
	t->heights = h + 1;
	int rc = CTD_OK;
	for (uint64_t j = 0; rc == CTD_OK && j < l->count; j++) {
		rc = node(t, (l->first + j) << h, h,
		    l->hashes + j * MERKLE_HASH_LEN);
	}
	uint64_t x = (t->a >> h) << h;
	l->has_straddler = false;
	if (rc == CTD_OK && x < t->a && x + n <= t->b) {
		rc = node(t, x, h, l->straddler);
		l->has_straddler = rc == CTD_OK;
	}
	return rc;
}

/* Every subtree of heights >= 1 that ends in (a, b], into p. */
static int
prove_levels(const struct batch *t, struct proved *p)
{
	int rc = CTD_OK;
	for (int h = 1; rc == CTD_OK && h < t->heights; h++) {
		const struct level *l = &t->lv[h];
		uint64_t n = (uint64_t)1 << h;
		for (uint64_t j = 0; rc == CTD_OK && j < l->count; j++) {
			uint64_t x = (l->first + j) << h;
			rc = proved_add_range(p, x, x + n,
			    l->hashes + j * MERKLE_HASH_LEN);
		}
		if (rc == CTD_OK && l->has_straddler) {
			uint64_t x = (t->a >> h) << h;
			rc = proved_add_range(p, x, x + n, l->straddler);
		}
	}
	return rc;
}

/* MTH(D[lo:hi]) of [0, b), split as RFC 6962 does. */
static int
range_hash(struct batch *t, uint64_t lo, uint64_t hi,
    uint8_t out[MERKLE_HASH_LEN])
{
	uint64_t len = hi - lo;
	int h = 0;
	while (((uint64_t)1 << (h + 1)) <= len) {
		h++;
	}
	if (((uint64_t)1 << h) == len) {
		return subtree(t, lo, h, out);
	}
	uint64_t k = (uint64_t)1 << h;	/* largest power of two < len */
	uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
	int rc = subtree(t, lo, h, left);
	if (rc == CTD_OK) {
		rc = range_hash(t, lo + k, hi, right);
	}
	if (rc == CTD_OK) {
		merkle_node_hash(left, right, out);
	}
	return rc;
}

int
batch_hash(uint64_t a, uint64_t b, const uint8_t *leaves,
    batch_known_fn known, void *arg, struct proved *p,
    uint8_t root[MERKLE_HASH_LEN])
{
	if (a >= b || leaves == NULL || known == NULL) {
		return CTD_EINVAL;
	}
	struct batch t = { .a = a, .b = b, .known = known, .arg = arg };
	/* Every height holds at most half the one below: 2 (b - a) in all,
	 * plus the leaves' level, which points at the caller's array. */
	uint8_t *buf = malloc((size_t)(b - a) * MERKLE_HASH_LEN + 1);
	if (buf == NULL) {
		return CTD_ENOMEM;
	}
	t.lv[0] = (struct level){ .first = a, .count = b - a,
		.hashes = (uint8_t *)(uintptr_t)leaves };
	t.heights = 1;
	int rc = CTD_OK;
	uint8_t *next = buf;
	for (int h = 1; rc == CTD_OK && h < MAX_HEIGHT &&
	    ((uint64_t)1 << h) <= b; h++) {
		rc = build_level(&t, h, next);
		next += t.lv[h].count * MERKLE_HASH_LEN;
	}
	for (uint64_t i = 0; rc == CTD_OK && p != NULL && i < b - a; i++) {
		rc = proved_add_leaf(p, leaves + i * MERKLE_HASH_LEN, a + i);
	}
	if (rc == CTD_OK && p != NULL) {
		rc = prove_levels(&t, p);
	}
	if (rc == CTD_OK) {
		rc = range_hash(&t, 0, b, root);
	}
	free(buf);
	return rc;
}
