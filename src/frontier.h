/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frontier.h -- the compact range of a tree prefix: the hashes of the
 * complete subtrees, one per set bit of n, that [0, n) splits into.
 *
 * A mirror's next batch [n, m) is hashed onto exactly these subtrees (see
 * batch.h: the only stored subtrees it reads). A fill keeps the frontier
 * of the last batch it verified in memory, so that the next batch can be
 * verified while the writer still commits the last one. Every hash in it
 * comes from a batch checked against a signed root. Pure: no I/O.
 */
#ifndef CTD_FRONTIER_H
#define CTD_FRONTIER_H

#include <stdbool.h>
#include <stdint.h>

#include "merkle.h"
#include "proved.h"

/* The frontier of [0, size): node h, when present, is the subtree of
 * 2^h leaves that bit h of size stands for. */
struct frontier {
	uint64_t size;
	uint64_t present;		/* bit h: hash[h] is set */
	uint8_t hash[64][MERKLE_HASH_LEN];
};

/* Forget everything (size 0, no node). */
void frontier_clear(struct frontier *fr);

/*
 * Move the frontier to [0, b): keep the nodes the old one shares with the
 * new one, take the others from p (its ranges, and its leaves for a node
 * of one leaf). A node found in neither is left absent.
 * @param p: borrowed; the verified set of a batch that ends at b.
 */
void frontier_advance(struct frontier *fr, uint64_t b, const struct proved *p);

/*
 * The hash of the subtree [begin, end) when it is a node of the frontier
 * that is present.
 * @return: CTD_OK with out set; CTD_ENOTFOUND otherwise.
 */
int frontier_get(const struct frontier *fr, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN]);

#endif /* CTD_FRONTIER_H */
