/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_split.c -- the second tree of a split view. See sim_split.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim_entries.h"
#include "sim_sizes.h"
#include "sim_split.h"
#include "sim_tree.h"

struct sim_split *
sim_split_new(const struct sim_tree *real,
    const struct sim_sizes *real_published, uint64_t at)
{
	struct sim_split *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->at = at;
	sim_tree_init(&s->tree);
	sim_sizes_init(&s->published);
	if (sim_sizes_add_upto(&s->published, real_published, at) != 0) {
		sim_split_free(s);
		return NULL;
	}
	/* Copying the leaves rebuilds the inner nodes: O(at) hashes, done
	 * once per split. */
	for (uint64_t i = 0; i < at; i++) {
		const uint8_t *leaf = sim_tree_leaf(real, i);

		if (leaf == NULL || sim_tree_append(&s->tree, leaf) != 0) {
			sim_split_free(s);
			return NULL;
		}
	}
	return s;
}

void
sim_split_free(struct sim_split *s)
{
	if (s == NULL) {
		return;
	}
	sim_tree_deinit(&s->tree);
	sim_sizes_deinit(&s->published);
	free(s);
}

int
sim_split_hashes(const struct sim_entries *e, uint64_t first, size_t n,
    uint8_t *hashes)
{
	for (size_t i = 0; i < n; i++) {
		if (sim_entries_leaf_hash(e, first + i, true,
		    hashes + i * SIM_HASH_LEN) != 0) {
			return -1;
		}
	}
	return 0;
}

int
sim_split_append(struct sim_split *s, const uint8_t *hashes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (sim_tree_append(&s->tree, hashes + i * SIM_HASH_LEN) !=
		    0) {
			return -1;
		}
	}
	return 0;
}
