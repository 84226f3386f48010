/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sthpoll.h -- poll a log's get-sth, verify, and switch only to a tree head
 * that is signed by the log's key and consistent with the one served.
 *
 * Every sth-refresh seconds: get-sth; check the signature; judge the new
 * STH against the current one (sthpoll_judge); when the tree grew, fetch
 * get-sth-consistency from the served size and verify it between the two
 * signed roots; then store the new STH and serve it. A log that signs
 * something invalid, rolls back, forks or proves an inconsistency is
 * reported loudly (log_err with "ALARM") and its STH is never served; the
 * last good STH stays served.
 */
#ifndef CTD_STHPOLL_H
#define CTD_STHPOLL_H

#include <stdint.h>

struct sth;
struct tlog;

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

/* Poll now and then every sth-refresh seconds (the timer is the tlog's). */
void sthpoll_start(struct tlog *log);

/* Stop polling (a poll in flight completes and is ignored). */
void sthpoll_stop(struct tlog *log);

#endif /* CTD_STHPOLL_H */
