/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer_defer.h -- the leaf index keys of a mirror's bulk batches, kept
 * by the writer thread and written later, many batches at once, in key
 * order.
 *
 * Why: leaf hashes are uniformly random, so the index keys of one batch
 * land on pages all over the index, and each commit copies and writes
 * most of the index's pages again (at a million leaves the index has
 * about 9 300 pages, and a batch holds 16 384 keys). Written once per
 * DEFER_MAX_LEAVES leaves
 * instead, a page is written once for up to 64 batches, and a fresh
 * index is appended (its pages filled whole).
 *
 * What stays true: the contiguous marker (store.h, "c/") says every leaf
 * of [0, N) is indexed, so a deferred set's marker is kept with its keys
 * and raised only in the transaction that writes them. Until then a
 * lookup of such a leaf finds nothing and the marker is below the tree:
 * the answer is SERVFAIL, never NXDOMAIN, never wrong. A crash loses the
 * kept keys and the marker with them: the mirror resumes from the stored
 * marker and reads those batches again (their tiles are rewritten with
 * the same bytes, a no-op).
 *
 * The writer thread alone uses this, within one group (writer.c): before
 * it writes the group's sets, writer_defer_wants() and
 * writer_defer_reserve() for each, then writer_defer_write() when the
 * group needs the kept keys written; after the commit,
 * writer_defer_clear() if that commit wrote them, writer_defer_keep() for
 * each set kept back, and writer_defer_unreserve().
 */
#ifndef CTD_WRITER_DEFER_H
#define CTD_WRITER_DEFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leafkey.h"
#include "proved.h"
#include "store.h"

/* Most index keys kept, all logs together (16 bytes each: 16 MiB). */
#define DEFER_MAX_LEAVES ((size_t)1 << 20)
/* Most time a key stays kept once a group comes (milliseconds): bounds
 * what a crash in a slow sync sets the mirror back. */
#define DEFER_MAX_MS 2000

/* A kept set's marker: [from, to) raised once its keys are written. */
struct defer_mark {
	uint64_t from, to;
};

/* What is kept for one log. */
struct defer_log {
	struct store_log *slog;
	struct leafkey *keys;	/* in the order kept; sorted when written */
	size_t count, cap;
	struct defer_mark *marks;
	size_t nmarks, marks_cap;
};

struct writer_defer {
	struct defer_log logs[STORE_MAX_LOGS];
	size_t nlogs;
	size_t leaves;		/* kept, all logs */
	uint64_t first_ms;	/* when the oldest kept key was kept */
	/* Promised to sets of the group being written: leaves and sets. */
	size_t reserved, reserved_sets;
};

/*
 * Whether a set may be kept back: a mirror's bulk batch (relaxed, with
 * leaves and a marker) for which there is room.
 */
bool writer_defer_wants(const struct writer_defer *d, const struct proved *p);

/* Whether the kept keys must be written now: kept since DEFER_MAX_MS. */
bool writer_defer_due(const struct writer_defer *d);

/*
 * Make room for a set's keys and marker before it is written, so that
 * writer_defer_keep() cannot fail after the commit.
 * @return: CTD_OK; CTD_ENOMEM (write the set whole instead).
 */
int writer_defer_reserve(struct writer_defer *d, struct store_log *slog,
    const struct proved *p);

/*
 * After the commit that wrote the set's tiles: keep its keys and marker
 * (reserved). p's contiguous and contiguous_from are read (has_contiguous
 * was cleared for the write); p is not kept.
 */
void writer_defer_keep(struct writer_defer *d, struct store_log *slog,
    const struct proved *p);

/* Give back what writer_defer_reserve() promised to a group that failed. */
void writer_defer_unreserve(struct writer_defer *d);

/*
 * Write every kept key and raise every kept marker, in order, in a
 * nested transaction of t: when it fails, t goes on without them (they
 * stay kept) and the status says why.
 * @return: CTD_OK (nothing kept, or all written); a store error.
 */
int writer_defer_write(struct writer_defer *d, struct store_txn *t);

/* Forget what is kept: its commit succeeded. */
void writer_defer_clear(struct writer_defer *d);

/* Free the memory; what is kept is lost (the marker was never raised). */
void writer_defer_free(struct writer_defer *d);

#endif /* CTD_WRITER_DEFER_H */
