/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sthpoll.h -- the tree-head policy: switch only to a head that is signed
 * by the log's key and consistent with the one served.
 *
 * On each poll (the owner's timer, every sth-refresh seconds): ask for the
 * log's head (signature checked by the source); judge it against the
 * served one (sthpoll_judge); when the tree grew, have its consistency
 * with the served tree proved and the head stored; then tell the owner to
 * serve it. A log that signs something invalid, rolls back, forks or
 * proves an inconsistency is reported loudly (log_err with "ALARM") and
 * its head is never served; the last good head stays served.
 *
 * The poller does no I/O and reads no clock of its own: its owner gives it
 * both (struct sthpoll_io), so a test drives it over any sequence of heads.
 */
#ifndef CTD_STHPOLL_H
#define CTD_STHPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct sth;

/* An STH is not accepted with a timestamp further than this in the future. */
#define STHPOLL_MAX_CLOCK_SKEW_MS (60u * 60u * 1000u)

enum sthpoll_verdict {
	STHPOLL_FIRST,		/* no STH served yet: take it */
	STHPOLL_SAME,		/* the one served: nothing to do */
	STHPOLL_REFRESH,	/* same tree, later timestamp: take it */
	STHPOLL_GROWN,		/* larger tree: take it once consistent */
	STHPOLL_ROLLBACK,	/* smaller tree than served: misbehaviour */
	STHPOLL_FORK,		/* same size, other root: misbehaviour */
	STHPOLL_TIME_BACKWARDS,	/* larger tree, older timestamp */
	STHPOLL_FUTURE,		/* timestamp too far ahead of our clock */
	STHPOLL_STALE,		/* same tree, older timestamp: ignore */
};

/*
 * Judge a signature-verified candidate STH against the one served. Pure.
 * @param cur: the STH served, or NULL when there is none.
 * @param now_ms: the wall clock, milliseconds since the epoch.
 */
enum sthpoll_verdict sthpoll_judge(const struct sth *cur,
    const struct sth *cand, uint64_t now_ms);

/* A short description of a verdict, for the log. */
const char *sthpoll_verdict_str(enum sthpoll_verdict v);

/* What the poller asks of its owner: the I/O (through the log's source
 * and the store writer: fill.h), the wall clock, and what to do with a
 * head it adopts. Every callback is called on the loop's thread. */
typedef void (*sthpoll_head_cb)(void *arg, int status,
    const struct sth *head);
typedef void (*sthpoll_done_cb)(void *arg, int status);

struct sthpoll_io {
	/* Ask the log for its latest head, signature verified (CTD_EVERIFY:
	 * it does not verify); cb once, later, when CTD_OK is returned. */
	int (*get_head)(void *arg, sthpoll_head_cb cb, void *cb_arg);
	/* Prove cand consistent with cur (NULL: none served) and store it;
	 * cb(CTD_OK) once it is committed, CTD_EVERIFY when the log's proof
	 * is false. */
	int (*adopt)(void *arg, const struct sth *cur, const struct sth *cand,
	    sthpoll_done_cb cb, void *cb_arg);
	/* The wall clock, milliseconds since the epoch. */
	uint64_t (*wall_ms)(void *arg);
	/* A head is committed: serve it from now on. */
	void (*on_switch)(void *arg, const struct sth *sth);
	/* The log signed or proved something false (after the ALARM line). */
	void (*on_alarm)(void *arg);
	void *arg;
};

/* Counters for the operator and the tests. */
struct sthpoll_stats {
	uint64_t polls;		/* polls started */
	uint64_t accepted;	/* heads adopted */
	uint64_t rejected;	/* heads refused: signature, rollback, fork */
	uint64_t inconsistent;	/* consistency proofs that failed */
	/* Wall clock (ms) of the last head whose signature verified. */
	uint64_t last_ok_ms;
};

struct sthpoll;

/*
 * A poller for one log.
 * @param name: the log's name, for messages; copied.
 * @param io: copied.
 * @return: the poller (free with sthpoll_free()), NULL without memory.
 */
struct sthpoll *sthpoll_new(const char *name, const struct sthpoll_io *io);

/* Free. Every I/O it started must have called back (the owner frees its
 * fill first, which cancels them). NULL is a no-op. */
void sthpoll_free(struct sthpoll *p);

/* The head served now (restored from the store at start); copied. */
void sthpoll_set_served(struct sthpoll *p, const struct sth *sth);

/* Poll once, unless a poll is still in flight or the poller is stopped. */
void sthpoll_poll(struct sthpoll *p);

/* Ignore every result from now on (a poll in flight completes unused). */
void sthpoll_stop(struct sthpoll *p);

/* Read the counters. */
void sthpoll_get_stats(const struct sthpoll *p, struct sthpoll_stats *out);

#endif /* CTD_STHPOLL_H */
