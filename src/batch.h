/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * batch.h -- a mirror's batch of consecutive leaves, hashed into the tree
 * above a prefix the store already holds.
 *
 * Given the leaf hashes of [a, b) and a lookup of the complete subtrees
 * that end at or before a (stored by the batches before), compute every
 * complete subtree that ends in (a, b] and the root of [0, b): the tree
 * recomputed from the entries, the way an auditor does. Pure: no I/O, no
 * clock; the work is linear in b - a plus the tree's height.
 */
#ifndef CTD_BATCH_H
#define CTD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "proved.h"

/* A stored complete subtree [begin, end): CTD_OK or CTD_ENOTFOUND. */
typedef int (*batch_known_fn)(void *arg, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN]);

/*
 * Hash a batch into the tree.
 * @param a, b: the batch [a, b), a < b.
 * @param leaves: (b - a) leaf hashes.
 * @param known: the stored prefix; consulted only for subtrees ending at
 *	or before a.
 * @param p: receives the leaves (hash -> index) and every complete
 *	subtree ending in (a, b]; NULL to compute the root only.
 * @param root: receives MTH(D[0:b]).
 * @return: CTD_OK; CTD_ENOTFOUND when a subtree of the prefix is not
 *	stored; CTD_ENOMEM; CTD_EINVAL; what adding to p returns.
 */
int batch_hash(uint64_t a, uint64_t b, const uint8_t *leaves,
    batch_known_fn known, void *arg, struct proved *p,
    uint8_t root[MERKLE_HASH_LEN]);

#endif /* CTD_BATCH_H */
