/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proved.h -- a proved set: what one verified upstream answer proves, in
 * the store's own terms.
 *
 * A source (source.h) turns a log's answers into a proved set only after
 * checking them against a verified root: the hashes of leaf ranges
 * [begin, end), leaf hash -> index pairs, and possibly a tree head whose
 * signature (and consistency with the served head) was verified. The
 * store writes a proved set in one piece (store_put_proved); nobody but
 * the store decides how it is laid out.
 *
 * A proved set grows on the heap up to PROVED_MAX_ITEMS ranges and as
 * many leaves (a mirror's batch of tiles is the largest user); adding
 * past that fails with CTD_ERANGE, so a hostile log cannot make one grow
 * without bound. It is owned by one thread at a time; handing it to the
 * writer moves it (proved_move).
 */
#ifndef CTD_PROVED_H
#define CTD_PROVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sth.h"

/* A set that holds every leaf of an aligned run of PROVED_TILE_LEAVES
 * needs no range inside that run: the store keeps the run as a tile and
 * hashes every subtree in it from its leaves (store.h). */
#define PROVED_TILE_LEAVES 256u

/* Most ranges (and most leaves) one proved set may hold. */
#define PROVED_MAX_ITEMS (1u << 20)

struct proved_range {
	uint64_t begin, end;		/* the leaves [begin, end) */
	uint8_t hash[32];		/* MTH(D[begin:end]) */
};

struct proved_leaf {
	uint8_t hash[32];		/* the leaf hash */
	uint64_t index;			/* where the log holds it */
};

struct proved {
	struct proved_range *ranges;
	size_t range_count, range_cap;
	struct proved_leaf *leaves;
	size_t leaf_count, leaf_cap;
	/* A verified tree head to record (its root is also a range). */
	bool has_sth;
	struct sth sth;
	/* Every leaf of [0, contiguous) is indexed and its level-0 range is
	 * stored (a mirror's progress marker; only ever raised). */
	bool has_contiguous;
	uint64_t contiguous;
	/* The marker is raised only where the store's marker is at least
	 * this already (0: anywhere): a mirror's batch [a, b) says b only
	 * once every batch before a is committed, even when the writer
	 * dropped one of them. */
	uint64_t contiguous_from;
	/* Its commit may skip the meta page's sync (MDB_NOMETASYNC): a
	 * system crash may then undo the last such commit, whole, never half
	 * of it. For a mirror's bulk sync; the next normal commit makes it
	 * durable. */
	bool relaxed;
	/* Write the leaves' level-0 hashes, not their index keys: the
	 * writer keeps those to write later, sorted, with those of other
	 * sets (writer.c; store_put_index), and has_contiguous is then
	 * false: the marker is raised with them. */
	bool index_later;
	/* A verified cosignature line of a tree head to keep with it
	 * (store_put_cosigs), or NULL. Owned. */
	struct proved_cosig *cosig;
};

/* A cosignature line for the head of tree size `size` and root `root`. */
struct proved_cosig {
	uint64_t size;
	uint8_t root[32];
	size_t len;
	char line[];		/* len bytes, "— name base64\n" */
};

/* An empty set on caller memory (no allocation). */
void proved_init(struct proved *p);

/* Free what the set holds and leave it empty. NULL is a no-op. */
void proved_free(struct proved *p);

/* Forget the contents, keep the memory. */
void proved_clear(struct proved *p);

/* Move src's contents to dst (dst must be empty: whatever it holds is
 * freed); src is left empty. */
void proved_move(struct proved *dst, struct proved *src);

/* True when the set holds nothing to write. */
bool proved_empty(const struct proved *p);

/*
 * Add a verified range hash.
 * @return: CTD_OK; CTD_EINVAL when begin >= end; CTD_ERANGE past
 *	PROVED_MAX_ITEMS; CTD_ENOMEM.
 */
int proved_add_range(struct proved *p, uint64_t begin, uint64_t end,
    const uint8_t hash[32]);

/*
 * Add a verified leaf: its hash -> index, and its level-0 range
 * [index, index + 1) (store_put_proved writes both; the leaf counts once
 * against PROVED_MAX_ITEMS).
 * @return: CTD_OK; CTD_ERANGE past PROVED_MAX_ITEMS, or for index
 *	UINT64_MAX (no range [index, index + 1) exists); CTD_ENOMEM.
 */
int proved_add_leaf(struct proved *p, const uint8_t hash[32],
    uint64_t index);

/*
 * Record a verified tree head (and its root as the range [0, size), which
 * store_put_proved writes when size > 0). A second call replaces the first.
 * @param sth: copied.
 * @return: CTD_OK; CTD_EINVAL when sig_len is above STH_SIG_MAX.
 */
int proved_set_sth(struct proved *p, const struct sth *sth);

/* Raise the contiguous-entries marker to n (a lower n than the set holds
 * changes nothing). */
void proved_set_contiguous(struct proved *p, uint64_t n);

/*
 * Keep a verified cosignature line with the head it signs (one per set).
 * @param line: len bytes, copied.
 * @return: CTD_OK, CTD_EINVAL (a line already set, or empty), CTD_ENOMEM.
 */
int proved_set_cosig(struct proved *p, uint64_t size, const uint8_t root[32],
    const char *line, size_t len);

#endif /* CTD_PROVED_H */
