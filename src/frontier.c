/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frontier.c -- the compact range of a tree prefix (see frontier.h).
 *
 * Bit h of the size n stands for the subtree that begins at n with bits
 * 0 to h cleared and spans 2^h leaves: the nodes, left to right, are the
 * set bits from the highest down.
 */
#include "config.h"

#include <string.h>

#include "err.h"
#include "frontier.h"

/* The first leaf of node h of the frontier of n (bit h of n set). */
static uint64_t
node_begin(uint64_t n, int h)
{
	return h >= 63 ? 0 : (n >> (h + 1)) << (h + 1);
}

/* Node h of [0, n) when [begin, end) is one; -1 otherwise. */
static int
node_height(uint64_t n, uint64_t begin, uint64_t end)
{
	if (end <= begin || !merkle_is_pow2(end - begin)) {
		return -1;
	}
	int h = __builtin_ctzll(end - begin);
	if ((n >> h & 1) == 0 || node_begin(n, h) != begin) {
		return -1;
	}
	return h;
}

void
frontier_clear(struct frontier *fr)
{
	fr->size = 0;
	fr->present = 0;
}

void
frontier_advance(struct frontier *fr, uint64_t b, const struct proved *p)
{
	uint64_t present = 0;
	for (int h = 0; h < 64; h++) {
		uint64_t bit = (uint64_t)1 << h;
		/* The same node in both prefixes: the old hash stands. */
		if ((b & bit) != 0 && (fr->present & bit) != 0 &&
		    node_begin(b, h) == node_begin(fr->size, h)) {
			present |= bit;
		}
	}
	for (size_t i = 0; i < p->range_count; i++) {
		const struct proved_range *r = &p->ranges[i];
		int h = node_height(b, r->begin, r->end);
		if (h >= 0) {
			memcpy(fr->hash[h], r->hash, MERKLE_HASH_LEN);
			present |= (uint64_t)1 << h;
		}
	}
	for (size_t i = 0; (b & 1) != 0 && i < p->leaf_count; i++) {
		if (p->leaves[i].index == b - 1) {
			memcpy(fr->hash[0], p->leaves[i].hash,
			    MERKLE_HASH_LEN);
			present |= 1;
		}
	}
	fr->size = b;
	fr->present = present;
}

int
frontier_get(const struct frontier *fr, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN])
{
	int h = node_height(fr->size, begin, end);
	if (h < 0 || (fr->present >> h & 1) == 0) {
		return CTD_ENOTFOUND;
	}
	memcpy(out, fr->hash[h], MERKLE_HASH_LEN);
	return CTD_OK;
}
