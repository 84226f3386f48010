/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill.h -- fill the store from the log: verified upstream answers for
 * what queries miss, shared by every query that waits for the same thing.
 *
 * The generic machinery of the upstream seam (source.h). It knows no
 * protocol and builds no URL: a source plans the requests of a need and
 * verifies their answers; fill.c runs them. For each need it
 *   - shares one task among every waiter of an identical need in flight
 *     (the fetcher shares identical URLs once more),
 *   - sets the task's anchors: the served tree head, and the roots of
 *     other tree sizes the store holds, which the answers must lead to,
 *   - sends each round's requests at once and waits for all of them,
 *   - hands what the source proved to the store writer (writer.h) and
 *     wakes the waiters only once it is committed, so a woken query that
 *     looks again finds it,
 *   - remembers leaf hashes the log does not hold (the negative cache), for
 *     negative-ttl seconds and while the same tree is served,
 *   - refuses beyond its caps (waiters per task; the fetch pool's caps for
 *     requests) instead of letting work pile up.
 *
 * The tree-head poller uses the same machinery for the head
 * (fill_get_head) and for adopting a new head (fill_adopt_head: its
 * consistency with the served head proved and stored with it).
 *
 * Everything here runs on one loop's thread (the main loop).
 */
#ifndef CTD_FILL_H
#define CTD_FILL_H

#include <stdbool.h>
#include <stdint.h>

#include "fetch.h"
#include "source.h"

struct fill;
struct store;
struct store_log;
struct writer;

/* Waiters one task may gather: a popular miss under a flood must not grow
 * without bound; the rest get SERVFAIL and retry. */
#define FILL_MAX_WAITERS 1024

/* What a fill works with; every pointer borrowed. */
struct fill_env {
	const char *name;		/* the log's name, for messages */
	struct source *source;
	struct store *store;
	struct store_log *slog;
	struct writer *writer;
	/* How a request goes out: fetch_get() on the log's pool in the
	 * daemon (fetch_get_along() when `along`: a later request of a
	 * round, so that a task counts once against the caps), a fake in the
	 * tests. Same contract as fetch_get(). */
	int (*fetch)(void *arg, const char *url, const char *label,
	    bool along, fetch_cb cb, void *cb_arg);
	void *fetch_arg;
	/* A monotonic clock in milliseconds (the loop's, in the daemon). */
	uint64_t (*now_ms)(void *arg);
	void *clock_arg;
	/* Told when the log answered a query's need with something false
	 * (after the ALARM line); NULL: nobody listens. */
	void (*on_alarm)(void *arg);
	void *alarm_arg;
};

/* Counters for the operator and the tests. */
struct fill_stats {
	uint64_t ok;		/* query needs filled */
	uint64_t failed;	/* query needs that failed (not canceled,
				 * not an unknown leaf hash) */
};

/*
 * Called once when a need is filled or failed.
 * @param status: CTD_OK (committed: look again in the store),
 *	CTD_ENOTFOUND (the log does not hold that leaf hash), CTD_EBUSY,
 *	CTD_ETIMEOUT, CTD_EUPSTREAM, CTD_ENET, CTD_EVERIFY (the log answered
 *	something false), CTD_EINCONSISTENT (it contradicts the store),
 *	CTD_ESPACE, CTD_ESTORE, CTD_ECANCELED (shutting down).
 */
typedef void (*fill_cb)(void *arg, int status);

/* How a mirror's batch (fill_entries) reports and is committed. */
struct fill_batch {
	/* NULL, or called once with CTD_OK when the batch is verified and
	 * queued for the writer, before cb (which then says whether it is
	 * committed); not called when the batch fails before that. The next
	 * batch may begin from this call on. */
	fill_cb verified;
	/* Commit without the meta page's sync (proved.h: relaxed). */
	bool relaxed;
	/* NULL, or the fill's loop: replies the source can digest on its
	 * thread pool go there (source.h: digester). */
	uv_loop_t *loop;
};

/* The head the log gave (signature verified) when status is CTD_OK;
 * NULL otherwise. Borrowed for the call. */
typedef void (*fill_head_cb)(void *arg, int status, const struct sth *head);

/*
 * The fill state of one log.
 * @param env: copied; what it points to is borrowed.
 * @return: the fill (free with fill_free()), or NULL (no memory, or the
 *	store has no reader slot left).
 */
struct fill *fill_new(const struct fill_env *env);

/*
 * Wake every waiter with CTD_ECANCELED and free. Tasks still waiting for
 * the writer are left to it (their result is then dropped). NULL: no-op.
 */
void fill_free(struct fill *f);

/* The tree head served now (bounds the anchors and the negative cache);
 * NULL while there is none. Copied. */
void fill_set_served(struct fill *f, const struct sth *served);

/* How long an unknown leaf hash is remembered, in seconds. */
void fill_set_negative_ttl(struct fill *f, uint32_t seconds);

/* Refuse every new need from now on (the log is going away). */
void fill_close(struct fill *f);

/*
 * Start filling a query's need (FILL_HASH, FILL_PATH, FILL_ROOT,
 * FILL_CONSISTENCY), or join the task already filling it.
 * @return: CTD_OK, and cb(arg, status) will be called exactly once,
 *	later; CTD_ENOTFOUND at once for a leaf hash the log said, within
 *	the negative TTL and for the tree served now, it does not hold, or a
 *	root the need is checked against that is not stored; CTD_EBUSY when
 *	a cap is reached, no head is served yet or the fill is closed.
 *	cb is not called when the return is not CTD_OK.
 */
int fill_start(struct fill *f, const struct fill_need *need, fill_cb cb,
    void *arg);

/*
 * Ask the log for its latest tree head; cb gets it with its signature
 * verified, or an error (CTD_EVERIFY: a bad signature).
 * @return: CTD_OK (cb called once, later) or an error (cb not called).
 */
int fill_get_head(struct fill *f, fill_head_cb cb, void *arg);

/*
 * Adopt a tree head whose signature is verified: prove that the tree of
 * `cur` is a prefix of it (not needed when cur is NULL, empty, or of the
 * same size), then store the head with the proof's ranges in one commit.
 * cb(arg, CTD_OK) means the head is committed and may be served;
 * CTD_EVERIFY that the log's consistency proof is false.
 * @param cur, cand: copied.
 * @return: CTD_OK (cb called once, later) or an error (cb not called).
 */
int fill_adopt_head(struct fill *f, const struct sth *cur,
    const struct sth *cand, fill_cb cb, void *arg);

/*
 * A mirror's batch: read the entries [a, b) of the log, recompute the
 * tree over them and check it against `anchor` (a head of size >= b whose
 * signature is verified), then store the leaves, their index and the
 * nodes that end in [a, b), with the marker "every leaf of [0, b) is
 * stored" (raised only where the store's marker is at least a). Batches
 * must come in order: what ends before a is stored, or was verified by
 * the batch before (whose frontier the fill keeps in memory, so that a
 * batch can be verified while the writer commits the one before).
 * @param adopt: when b is its size, a head stored in the same commit (it
 *	is then served: its root was recomputed from the entries); or NULL.
 * @param how: NULL for the defaults (no verified callback, a normal
 *	commit); copied.
 * @return: CTD_OK (cb called once, later) or an error (cb not called).
 */
int fill_entries(struct fill *f, uint64_t a, uint64_t b,
    const struct sth *anchor, const struct sth *adopt,
    const struct fill_batch *how, fill_cb cb, void *arg);

/* Tasks in flight (for tests and metrics). */
unsigned fill_active(const struct fill *f);

/* Read the counters. */
void fill_get_stats(const struct fill *f, struct fill_stats *out);

#endif /* CTD_FILL_H */
