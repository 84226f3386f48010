/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proofcache.h -- the proof data of recent answers, one table per
 * answering thread, so that a warm query costs no B-tree descent.
 *
 * Why: a store hit reads LMDB's pages, several B-tree descents per proof
 * (docs/performance.md, "50 logs against one"). Which pages, and so how
 * many cache misses, depends on how the logs are laid out in the store:
 * fifty small logs spread the same hot set over two hundred trees. This
 * table holds what the hottest answers are made of, in one flat array:
 * a warm answer costs one hashed probe, whatever the store's shape.
 *
 * What it may hold: only what never changes once stored (the store only
 * ever adds verified data, docs/design.md). The nodes of a proof for a
 * given tree size, and the index of a leaf hash, are fixed for ever; the
 * tree head, checkpoints (cosignatures arrive) and every negative answer
 * are not, and never enter. The caller keys entries by its own number for
 * the log and clears the table when that numbering changes (a reload).
 *
 * A leaf hash that a log holds twice (possible, never seen) has two
 * indices; the store answers the smaller one it knows, so an index cached
 * before the smaller was stored stays served until evicted: both are the
 * leaf's, each proves inclusion.
 *
 * Two-way set associative, on a keyed hash: a new entry takes the first
 * way and pushes the set's other one out of the second, so the older of
 * the two goes. A collision, chosen or not, only evicts: the query then
 * reads the store, as without the table. The hash key is
 * random per table, so queries cannot aim at one set. Memory is
 * allocated once (calloc: pages become resident as sets fill); clearing
 * is a counter, not a pass over the memory. One thread, no locks.
 */
#ifndef CTD_PROOFCACHE_H
#define CTD_PROOFCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most one entry holds: the seven 32-byte nodes of one answer. */
#define PROOFCACHE_DATA_MAX 224

enum proofcache_form {
	/* args: index, size, first node of the answer */
	PROOFCACHE_TREE = 1,
	/* args: first, second, first node of the answer */
	PROOFCACHE_CONSISTENCY,
	/* hash: a leaf hash */
	PROOFCACHE_HASH,
};

/* What an entry answers. Build it with proofcache_key_args() or
 * proofcache_key_hash(): every byte counts in the comparison. */
struct proofcache_key {
	uint32_t log;		/* the caller's number for the log */
	uint32_t form;		/* enum proofcache_form */
	union {
		uint64_t args[4];
		uint8_t hash[32];
	} u;
};

struct proofcache_slot {
	struct proofcache_key key;
	uint32_t epoch;		/* valid while equal to the table's */
	uint32_t len;
	uint8_t data[PROOFCACHE_DATA_MAX];
};

struct proofcache {
	struct proofcache_slot *slots;	/* sets * 2; NULL: off */
	size_t sets;
	uint32_t epoch;
	uint64_t seed[2];
};

/*
 * Make a table of at most bytes of memory.
 * @param bytes: 0, or too little for one set: no table (every get
 *	misses, every put is ignored).
 * @return: CTD_OK or CTD_ENOMEM.
 */
int proofcache_init(struct proofcache *c, size_t bytes);
void proofcache_deinit(struct proofcache *c);

/* Forget every entry, in constant time. */
void proofcache_clear(struct proofcache *c);

/* The key of a proof answer: tree (index, size) or consistency (first,
 * second), from the node first_node on. */
void proofcache_key_args(struct proofcache_key *k, uint32_t log,
    enum proofcache_form form, uint64_t a, uint64_t b, uint64_t first_node);

/* The key of a leaf hash's index. */
void proofcache_key_hash(struct proofcache_key *k, uint32_t log,
    const uint8_t hash[32]);

/*
 * Look an answer up.
 * @param len: set to the entry's length on a hit.
 * @return: the entry's bytes, valid until the next put or clear; NULL on
 *	a miss.
 */
const uint8_t *proofcache_get(const struct proofcache *c,
    const struct proofcache_key *k, size_t *len);

/* Remember data (len <= PROOFCACHE_DATA_MAX, else ignored) for k. */
void proofcache_put(struct proofcache *c, const struct proofcache_key *k,
    const uint8_t *data, size_t len);

#endif /* CTD_PROOFCACHE_H */
