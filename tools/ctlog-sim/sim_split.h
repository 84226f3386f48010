/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_split.h -- the second tree of a split view (ctlog-sim mode "split").
 *
 * From the moment the split starts (at real tree size `at`), one chosen
 * client sees this tree instead of the real one: leaves [0, at) are the
 * real tree's, every later leaf i is the fork variant of synthetic entry i
 * (sim_entries.h), whatever the real log holds there. The split tree grows
 * with the real one, leaf for leaf, and its STH is signed by the same key,
 * so both views are valid and internally consistent on their own, and
 * inconsistent with each other beyond `at`. It keeps the sizes it
 * published (those the real tree published up to `at`, then its own), so
 * the tiled read path serves its partial tiles as it does the real tree's.
 *
 * Pure data: no locking (sim_log.c holds its lock), no clock; building the
 * fork leaf hashes (sim_split_hashes()) regenerates certificates and runs
 * unlocked.
 */
#ifndef SIM_SPLIT_H
#define SIM_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "sim_entries.h"
#include "sim_log.h"
#include "sim_sizes.h"
#include "sim_tree.h"

struct sim_split {
	uint64_t at;		/* real tree size when the split started */
	struct sim_tree tree;	/* the split view's leaves */
	struct sim_sth sth;	/* its published STH */
	struct sim_sizes published;	/* sizes it published STHs for */
};

/*
 * Start a split view over the first `at` leaves of the real tree.
 * @param real: the real tree (read only; the caller holds its lock).
 * @param real_published: the sizes the real tree published; those up to
 *	`at` are the split view's past too (copied).
 * @param at: the split point, <= sim_tree_size(real).
 * @return: the split, caller frees with sim_split_free(); NULL when out of
 *	memory. Its sth is zeroed: the caller publishes (and adds the size
 *	to published).
 */
struct sim_split *sim_split_new(const struct sim_tree *real,
    const struct sim_sizes *real_published, uint64_t at);

/*
 * Release a split; NULL is a no-op.
 * @param s: the split.
 */
void sim_split_free(struct sim_split *s);

/*
 * The leaf hashes the split view appends for entries [first, first + n):
 * the fork variants. Slow (a signature per entry): call unlocked.
 * @param e: the entry generator.
 * @param first: the first index.
 * @param n: how many.
 * @param hashes: room for n * SIM_HASH_LEN bytes.
 * @return: 0; -1 when OpenSSL or malloc fails.
 */
int sim_split_hashes(const struct sim_entries *e, uint64_t first, size_t n,
    uint8_t *hashes);

/*
 * Append leaf hashes to the split view.
 * @param s: the split.
 * @param hashes: n * SIM_HASH_LEN bytes (sim_split_hashes()).
 * @param n: how many.
 * @return: 0; -1 when out of memory or the tree is full (some may have
 *	been appended).
 */
int sim_split_append(struct sim_split *s, const uint8_t *hashes, size_t n);

#endif /* SIM_SPLIT_H */
