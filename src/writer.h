/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer.h -- the store's one writer: a thread of its own that commits
 * every queued proved set in one LMDB transaction (group commit), so that
 * no DNS loop ever waits on the disk.
 *
 * The main loop submits a proved set for a log with a callback; the
 * writer thread takes everything queued, writes each set in a nested
 * transaction of one write transaction (a set that fails, for instance a
 * range that contradicts the store, is dropped alone), commits once
 * (one fdatasync for the whole group), then hands every result back to
 * the loop, where the callbacks run. A callback with CTD_OK means the
 * set is committed: a reader that begins after it sees all of it, so a
 * query woken by it never reads a write that is not on disk.
 *
 * Bounded: at most WRITER_MAX_QUEUED sets wait; beyond that
 * writer_submit() refuses with CTD_EBUSY and the caller answers SERVFAIL
 * (a fill) or retries at its next poll (a tree head).
 *
 * Threading: writer_new(), writer_submit() and writer_close() are called
 * on the loop's thread; callbacks run there. The store's write side is
 * used by the writer thread alone once the writer runs.
 */
#ifndef CTD_WRITER_H
#define CTD_WRITER_H

#include <uv.h>

#include "proved.h"

struct store;
struct store_log;
struct writer;

/* Most proved sets waiting for the writer thread. */
#define WRITER_MAX_QUEUED 4096

/*
 * The result of one submitted set, on the loop's thread.
 * @param status: CTD_OK (committed); CTD_EINCONSISTENT (contradicts what
 *	is stored: nothing of the set was written); CTD_ESPACE (the map is
 *	full); CTD_ESTORE; CTD_ECANCELED (the writer closed first).
 */
typedef void (*writer_cb)(void *arg, int status);

/*
 * Start the writer thread on a store.
 * @param loop: the loop the callbacks run on; borrowed.
 * @return: CTD_OK with *out set (close with writer_close()); CTD_ENOMEM;
 *	CTD_EIO when the thread or the async handle cannot be created.
 */
int writer_new(struct store *store, uv_loop_t *loop, struct writer **out);

/*
 * Queue a proved set for one log. *p is moved into the writer (left empty)
 * on CTD_OK and left untouched otherwise.
 * @param cb: called exactly once, later, on the loop thread, when the
 *	return is CTD_OK; may be NULL.
 * @return: CTD_OK; CTD_EBUSY when WRITER_MAX_QUEUED sets wait;
 *	CTD_ECANCELED when the writer is closing; CTD_ENOMEM.
 */
int writer_submit(struct writer *w, struct store_log *slog, struct proved *p,
    writer_cb cb, void *arg);

/*
 * Write what is queued, stop the thread and join it, call every callback
 * still owed (CTD_OK for what was committed), then close the async handle;
 * the writer is freed in its close callback, so run the loop afterwards.
 * NULL or a second call does nothing.
 * The calling thread must not hold a store write transaction (the writer
 * thread would wait for its lock forever). A callback may call it.
 */
void writer_close(struct writer *w);

/* Sets committed, groups committed (transactions), sets refused: for
 * metrics and tests. Counted as results reach the loop (a group counts
 * when its results are handed over, before its callbacks run). */
struct writer_stats {
	uint64_t sets_ok, sets_failed, groups;
};
void writer_get_stats(const struct writer *w, struct writer_stats *out);

#endif /* CTD_WRITER_H */
