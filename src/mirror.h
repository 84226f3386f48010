/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mirror.h -- mirror mode: read every entry of a log, recompute its tree,
 * and keep the store holding all of it, so that no DNS query ever needs
 * the log.
 *
 * A mirror syncs toward a verified head in batches, in order
 * (fill_entries(): get-entries for RFC 6962 logs, level-0 tiles and
 * optionally data tiles for tiled logs), the next one read and verified
 * while the writer commits the one before. Each batch is recomputed from
 * its entries and checked against the head before anything of it is
 * stored, with the store's marker "every leaf of [0, N) is stored" in the
 * same commit, raised only over a whole prefix; so a restart, even after
 * SIGKILL, resumes at N. Batches but the last are committed without the
 * meta page's sync (a system crash may undo the last of them, whole; the
 * marker goes back with it); the last one, committed normally once the
 * others are, makes them durable. When the sync adopts a head, its last
 * batch stores the head too: the head is served only once its root was
 * recomputed from the entries.
 *
 * Progress is logged every MIRROR_REPORT_MS (entries, rate, ETA) and
 * counted for the metrics. Everything runs on the main loop.
 */
#ifndef CTD_MIRROR_H
#define CTD_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "fill.h"

struct mirror;
struct store;
struct store_log;

/* Entries per batch for both kinds of log: the most a task may span
 * (SOURCE_MAX_ENTRIES). Fewer, larger batches mean fewer round trips,
 * consistency proofs and commits per entry; measured in
 * docs/performance.md (ctdns-bench --mirror). */
#define MIRROR_BATCH 16384u

/* Batches in flight at most: one read and verified while the one before
 * is committed. Bounds the memory a sync holds. */
#define MIRROR_IN_FLIGHT 2u

/* How often a running sync says how far it is. */
#define MIRROR_REPORT_MS 5000u

struct mirror_env {
	const char *name;		/* the log's name; borrowed */
	struct fill *fill;		/* borrowed */
	struct store *store;		/* to read where a sync resumes */
	struct store_log *slog;
	uv_loop_t *loop;		/* its clock, for the progress lines */
	uint64_t batch;			/* entries per batch, a multiple of 256 */
};

/* Counters for the operator. */
struct mirror_stats {
	uint64_t contiguous;	/* every leaf of [0, contiguous) is stored */
	uint64_t target;	/* the size being synced to (0: none) */
	uint64_t batches;	/* batches stored */
	uint64_t failures;	/* batches that failed */
};

/*
 * A mirror for one log; reads the store's marker to resume.
 * @return: the mirror (free with mirror_free()), NULL without memory.
 */
struct mirror *mirror_new(const struct mirror_env *env);

/* Free. A sync still running must have been canceled (its fill freed).
 * NULL is a no-op. */
void mirror_free(struct mirror *m);

/*
 * Sync toward a head whose signature (and consistency with the served
 * head, or recomputation) is verified.
 * @param adopt: store the head with the last batch, so that cb(CTD_OK)
 *	means it may be served.
 * @param cb: called once when the sync reaches head or fails (CTD_EVERIFY:
 *	the entries do not hash to the head's root); may be NULL.
 * @return: CTD_OK; CTD_ENOTFOUND when the store holds the head's tree
 *	already (nothing to read; cb is not called); CTD_EBUSY while another
 *	sync runs; CTD_EINVAL for a head smaller than what is stored; what
 *	fill_entries() refuses with.
 */
int mirror_sync(struct mirror *m, const struct sth *head, bool adopt,
    fill_cb cb, void *arg);

/* Every leaf of [0, mirror_contiguous()) is stored. */
uint64_t mirror_contiguous(const struct mirror *m);

/* A sync is running. */
bool mirror_busy(const struct mirror *m);

void mirror_get_stats(const struct mirror *m, struct mirror_stats *out);

#endif /* CTD_MIRROR_H */
