/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_sizes.h -- the tree sizes a view of the simulated log published an
 * STH (checkpoint) for: a sorted set without duplicates.
 *
 * The tiled read path serves a partial tile only for a width some
 * published checkpoint named (C2SP tlog-tiles, "Partial Tiles"), so each
 * view (the real tree, the split view of sim_split.h) keeps its own set.
 * Pure data: no locking (the owner's lock guards it), no clock.
 */
#ifndef SIM_SIZES_H
#define SIM_SIZES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_sizes {
	uint64_t *v;	/* sorted, unique */
	size_t n, cap;
};

/*
 * Start an empty set on caller memory.
 * @param s: the set.
 */
void sim_sizes_init(struct sim_sizes *s);

/*
 * Release what the set holds (not s itself).
 * @param s: the set.
 */
void sim_sizes_deinit(struct sim_sizes *s);

/*
 * Add a size; a size already there is not added again.
 * @param s: the set.
 * @param size: the tree size.
 * @return: 0; -1 when out of memory (set unchanged).
 */
int sim_sizes_add(struct sim_sizes *s, uint64_t size);

/*
 * Add every size of src up to max (inclusive).
 * @param dst: the set added to.
 * @param src: the set read.
 * @param max: the largest size copied.
 * @return: 0; -1 when out of memory (some may have been added).
 */
int sim_sizes_add_upto(struct sim_sizes *dst, const struct sim_sizes *src,
    uint64_t max);

/*
 * Whether the set holds a size in [lo, hi).
 * @param s: the set.
 * @param lo: the smallest size looked for.
 * @param hi: one past the largest.
 * @return: true when there is one.
 */
bool sim_sizes_any(const struct sim_sizes *s, uint64_t lo, uint64_t hi);

#endif /* SIM_SIZES_H */
