/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.h -- one DNS worker: a loop's UDP and TCP listeners, its TCP
 * connections, its store reader and the queries it has waiting for the log.
 *
 * The server (server.c) runs either one worker on its main loop (workers:
 * 1, no thread, no lock, no queue: the worker calls the fill machinery
 * directly) or N threaded workers, each with its own libuv loop, its own
 * sockets bound with SO_REUSEPORT to every listen address (the kernel
 * spreads the queries), and its own struct answer_ctx. Only the main loop
 * may touch fills, the fetcher and the STH pollers, so a threaded worker
 * hands a query that missed to the main loop through the server's queue
 * (worker_env.fill); the main loop fills it and hands it back with
 * worker_job_done(), and the worker answers it.
 *
 * What a threaded worker reads of a log (its zone and current STH) lives
 * in the worker's own replica of the log (see worker.c), updated only by
 * messages from the main loop (worker_post_sth(), worker_post_logs()) that
 * travel in the same FIFO queue as the filled queries: a worker never
 * reads memory another thread writes, and it sees a new STH before any
 * query filled against it.
 *
 * Threads: worker_new(), worker_start(), worker_stop(), worker_join(),
 * worker_free() and the posts are called on the main thread. A job is
 * owned by the worker that made it, lent to the main loop between
 * worker_env.fill() and worker_job_done().
 */
#ifndef CTD_WORKER_H
#define CTD_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "fill.h"

struct conf;
struct rrl;
struct server_stats;
struct store;
struct logview;
struct worker;
struct zone;

/* ---- messages and queues between threads ----------------------------- */

enum worker_msg_kind { WORKER_MSG_JOB, WORKER_MSG_STH, WORKER_MSG_LOGS };

struct worker_msg {
	struct worker_msg *next;
	enum worker_msg_kind kind;
	/* The log's id (struct tlog.id; 0: none): never an index or a
	 * pointer, so a message that crosses a reload cannot reach the
	 * wrong log or a freed one. */
	uint64_t log;
};

/* A query that missed the store: what to fill, and the fill's outcome. */
struct worker_job {
	struct worker_msg m;	/* kind WORKER_MSG_JOB */
	struct worker *w;	/* the worker that answers it */
	struct fill_need need;
	int status;		/* set by worker_job_done() */
};

/*
 * A mutex-protected FIFO of messages that wakes its consumer's loop
 * through a uv_async_t. Bounded: beyond cap (0: no bound) or once closed,
 * a bounded push is refused.
 */
struct worker_queue {
	pthread_mutex_t mu;
	struct worker_msg *head, *tail;
	unsigned count, cap;
	bool open;		/* false: bounded pushes are refused */
	uv_async_t *async;	/* woken on push; NULL once closed */
};

void worker_queue_init(struct worker_queue *q, unsigned cap,
    uv_async_t *async);
void worker_queue_deinit(struct worker_queue *q);

/*
 * Append a message and wake the consumer.
 * @param bounded: refuse when the queue is full or closed.
 * @return: true when queued (the consumer owns m), false when refused.
 */
bool worker_queue_push(struct worker_queue *q, struct worker_msg *m,
    bool bounded);

/* Take every message, oldest first (NULL when none). */
struct worker_msg *worker_queue_take(struct worker_queue *q);

/* Stop waking the consumer and refuse bounded pushes; the async handle
 * may be closed afterwards. Returns what was still queued. */
struct worker_msg *worker_queue_close(struct worker_queue *q);

/* A zone shared by the threaded workers, freed by the last to let go. */
struct worker_zone {
	struct zone *zone;	/* owned */
	unsigned refs;		/* atomic */
};

/* Wrap a zone (takes ownership) with refs references; NULL: no memory
 * (the zone is then freed). The last worker_zone_release() frees it. */
struct worker_zone *worker_zone_new(struct zone *zone, unsigned refs);
void worker_zone_release(struct worker_zone *z);

/* ---- workers ---------------------------------------------------------- */

/* What every worker shares, borrowed from the server. */
struct worker_env {
	const struct conf *conf;
	struct store *store;
	/* What the answer path reads of the main loop's logs; a threaded
	 * worker copies them. */
	struct logview *const *views;
	size_t log_count;
	struct rrl *rrl;	/* NULL: no response rate limiting */
	unsigned *tcp_conns;	/* open TCP connections, all workers; atomic */
	unsigned max_pending;	/* queries one worker keeps waiting */
	/*
	 * Fill job->need for the log whose id is job->m.log (a log removed
	 * meanwhile: an error). Called on the worker's thread.
	 * @return: CTD_OK: the job is lent until worker_job_done(job,
	 *	status) is called on the worker's thread (single loop) or on
	 *	the main thread (threaded); else an error (CTD_EBUSY, ...) and
	 *	the job stays with the worker.
	 */
	int (*fill)(void *arg, struct worker_job *job);
	void *fill_arg;
};

/*
 * Build a worker and bind its sockets to every listen address.
 * @param env: borrowed; must outlive the worker.
 * @param loop: the main loop for the single-loop worker; NULL for a
 *	threaded worker (it gets its own loop and SO_REUSEPORT sockets).
 * @param zones: threaded only: one shared zone per log; the worker takes
 *	a reference of its own of each (and lets go of it when replaced or
 *	in worker_free()); the caller keeps its own.
 * @param err: receives what went wrong, naming the address.
 * @return: CTD_OK with *out set; CTD_EIO (bind, listen), CTD_ENOMEM, a
 *	store error. Whatever the result, when *out is set the caller
 *	disposes of it as of a working worker: worker_stop(), run the loop
 *	(single loop), worker_join(), worker_free().
 */
int worker_new(const struct worker_env *env, uv_loop_t *loop,
    struct worker_zone **zones, struct worker **out, char *err,
    size_t err_len);

/* Threaded: start the worker's thread, named "ctdnsd-w<id>". Single
 * loop: nothing to do. */
int worker_start(struct worker *w, unsigned id);

/* Ask the worker to close its listeners and connections. Threaded: from
 * the main thread, returns at once; the thread ends when all is closed. */
void worker_stop(struct worker *w);

/* Threaded: wait for the thread (or, never started, close its loop) and
 * drop what is left in its queue. Single loop: nothing to do. */
void worker_join(struct worker *w);

/* Free a stopped (and joined) worker. NULL is a no-op. */
void worker_free(struct worker *w);

/* Hand a job back with the fill's status (see worker_env.fill). */
void worker_job_done(struct worker_job *job, int status);

/* Threaded: tell the worker about the current STH of a log (copied now,
 * from the main loop's log; found in the worker by its id, ignored when
 * the worker no longer serves it). */
void worker_post_sth(struct worker *w, const struct logview *view);

/*
 * The set of logs one worker answers for, built on the main thread (a
 * reload) and handed to the worker whole by worker_post_logs().
 */
struct worker_logset;

/*
 * Make room for a worker's set of logs and the table of their zone
 * apexes (before a reload commits, so that nothing can fail afterwards:
 * the worker switches to the set without allocating).
 * @param count: how many logs the set will hold.
 * @param zones: threaded: one shared zone per log (the set takes a
 *	reference of each); NULL for the single-loop worker.
 * @return: the set (given to worker_post_logs(), or freed with
 *	worker_logset_free()), or NULL when out of memory.
 */
struct worker_logset *worker_logset_new(size_t count,
    struct worker_zone **zones);
void worker_logset_free(struct worker_logset *set);

/*
 * Make the worker answer for a new set of logs. The main loop's logs are
 * read now (on the main thread): threaded, each is copied into a replica
 * the worker owns (id, the settings' numbers, store handles, current
 * STH), so the worker never reads a main-loop log; single loop, the
 * pointers themselves are used. Threaded: the set travels as a message in
 * the worker's FIFO, applied after every message posted before it (STHs,
 * filled queries); single loop: applied at once. The worker frees its
 * previous set. Cannot fail.
 * @param set: from worker_logset_new() with as many logs; taken over.
 * @param logs: the main loop's logs, in the order served.
 */
void worker_post_logs(struct worker *w, struct worker_logset *set,
    struct logview *const *views);

/* Add the worker's counters to *sum (any thread: relaxed atomic reads). */
void worker_stats_add(const struct worker *w, struct server_stats *sum);

/* Threaded: what uv_loop_close() returned for the worker's loop (0 when
 * every handle was closed); single loop: 0. Valid after worker_join(). */
int worker_loop_status(const struct worker *w);

#endif /* CTD_WORKER_H */
