/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * negcache.h -- leaf hashes a log said it does not hold, remembered for a
 * while and for one tree size, so that a flood of queries for unknown
 * (random) hashes cannot become a flood upstream.
 *
 * A direct-mapped table on caller memory: a collision only forgets an
 * entry early. Leaf hashes are SHA-256 outputs, their bytes already
 * uniform; an attacker choosing hashes only evicts its own entries. Pure:
 * the caller gives the clock.
 */
#ifndef CTD_NEGCACHE_H
#define CTD_NEGCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "merkle.h"

#define NEGCACHE_SLOTS 4096

struct negcache {
	struct {
		uint8_t hash[MERKLE_HASH_LEN];
		uint64_t tree_size;	/* valid only for this tree */
		uint64_t expires_ms;
	} slot[NEGCACHE_SLOTS];
};

/* Remember that the tree of tree_size does not hold hash, until
 * expires_ms. */
void negcache_add(struct negcache *c, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t tree_size, uint64_t expires_ms);

/* True when hash was said absent from the tree of tree_size and that is
 * not expired at now_ms (a larger tree may hold it). */
bool negcache_has(const struct negcache *c,
    const uint8_t hash[MERKLE_HASH_LEN], uint64_t tree_size, uint64_t now_ms);

#endif /* CTD_NEGCACHE_H */
