/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_log_int.h -- the simulated log's state, shared by sim_log.c (growth,
 * modes, submissions, publishing) and sim_log_query.c (the read queries).
 * Not for the front ends: they use sim_log.h. Locking rules: sim_log.c.
 */
#ifndef SIM_LOG_INT_H
#define SIM_LOG_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_log.h"
#include "sim_sizes.h"
#include "sim_split.h"
#include "sim_tree.h"

/* A submitted entry (add-chain, add-pre-chain): its bytes are kept, as
 * they cannot be regenerated from the index. */
struct sim_sub {
	uint64_t idx;
	uint8_t *leaf;
	size_t leaf_len;
	uint8_t *extra;
	size_t extra_len;
};

struct sim_log {
	pthread_rwlock_t lock;
	pthread_mutex_t grow_lock;
	struct sim_entries *entries;
	struct sim_key *key;
	struct sim_tree tree;
	struct sim_sth sth;
	enum sim_mode mode;
	unsigned slow_ms;
	uint8_t fork_leaf0[SIM_HASH_LEN];
	uint64_t rollback_size;
	uint64_t last_ts;
	/* Submitted entries by increasing idx; guarded by lock. */
	struct sim_sub *subs;
	size_t nsubs, subs_cap;
	/* Every tree size an STH of the real view was published for. */
	struct sim_sizes published;
	/* The second tree of mode split, else NULL. */
	struct sim_split *split;
};

/* The tree a query is answered from. */
struct served {
	const struct sim_tree *tree;
	const uint8_t *leaf0;		/* fork mode's leaf 0, or NULL */
	const struct sim_sth *sth;
	const struct sim_sizes *published;	/* sizes the view published */
	/* Entries from here on are fork variants (UINT64_MAX: none). */
	uint64_t fork_from;
};

/*
 * The tree a view is answered from: the split tree for SIM_VIEW_SPLIT in
 * mode split, else the real tree with the mode's fork leaf. Lock held.
 * @param log: the log.
 * @param view: the view.
 * @return: pointers borrowed from log; valid while the lock is held.
 */
struct served sim_log_served(const struct sim_log *log, enum sim_view view);

/*
 * The MerkleTreeLeaf of entry idx: a submitted one's stored bytes, or
 * the synthetic entry's (its fork variant when fork). Takes the read lock
 * itself: call unlocked.
 * @param out: set to the bytes; caller frees with free().
 * @return: 0; -1 when out of memory or OpenSSL fails.
 */
int sim_log_entry_leaf(struct sim_log *log, uint64_t idx, bool fork,
    uint8_t **out, size_t *out_len);

#endif /* SIM_LOG_INT_H */
