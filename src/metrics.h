/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.h -- Prometheus text exposition of the daemon's counters over HTTP
 * (`metrics-listen:`), GET /metrics.
 *
 * Two parts:
 *   - metrics_format() turns plain numbers (struct metrics_input) into the
 *     Prometheus text format 0.0.4: one HELP and one TYPE line per family,
 *     then its samples, names prefixed "ctdnsd_", label values escaped.
 *     It is pure: no clock, no I/O, no logging. metrics_collect_server()
 *     fills the input from a running server and formats it.
 *   - metrics_start() serves that text with libmicrohttpd in a thread of
 *     its own (MHD's internal polling thread, which runs one request
 *     handler at a time).
 *
 * Threading: the counters live on the server's main loop and are written
 * there without locks, so they are read only there. A request in the MHD
 * thread asks the loop for a fresh exposition through a uv_async_t and
 * waits on a condition variable (at most METRICS_WAIT_MS); the loop's
 * async callback runs the collect function and hands the finished string
 * back under the mutex. The MHD thread never touches server state, and
 * the loop never blocks on the MHD thread. This was chosen over a snapshot
 * refreshed by a timer because every scrape then sees the numbers of that
 * moment (a test or an operator sees a query counted at once), and an
 * idle daemon that nobody scrapes does no work at all. If the loop does
 * not answer in time (it is stopping, or stuck), the scrape gets 503.
 *
 * Lifetime: the async handle is unreferenced, so it does not keep the loop
 * alive: server_run() returns as usual after SIGTERM. Then
 * metrics_close() stops the HTTP thread and closes the handle; the loop
 * must run once more (server_free() does) to free the rest.
 */
#ifndef CTD_METRICS_H
#define CTD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "fetch.h"
#include "server.h"
#include "tlog.h"
#include "witness.h"

struct conf_listen;
struct metrics;

/* How long a scrape waits for the main loop, in milliseconds. */
#define METRICS_WAIT_MS 5000
/* HTTP connections served at once, and per client address. */
#define METRICS_MAX_CONNECTIONS 16
#define METRICS_MAX_PER_IP 4
/* An idle HTTP connection is closed after this many seconds. */
#define METRICS_IDLE_TIMEOUT 10

/* What one served log shows. */
struct metrics_log {
	const char *name;		/* borrowed */
	bool has_sth;			/* the next three are valid */
	uint64_t tree_size;
	uint64_t sth_timestamp_ms;	/* of the served STH */
	uint64_t last_poll_ok_ms;	/* 0: not yet */
	bool alarm;
	struct tlog_stats log;
	struct fetch_stats fetch;
};

/* Everything an exposition shows. */
struct metrics_input {
	const char *version;		/* build_info; borrowed */
	uint64_t now_ms;		/* wall clock, for the STH ages */
	struct server_stats server;
	const struct metrics_log *logs;	/* borrowed */
	size_t log_count;
	/* witness-listen: answers by HTTP status, in witness_codes order. */
	bool has_witness;
	uint64_t witness_requests[WITNESS_CODE_COUNT];
};

/*
 * Build the Prometheus text exposition.
 * @param in: the numbers.
 * @param len: receives the length of the text (without the final NUL).
 * @return: the text, NUL-terminated; caller frees with free(). NULL when
 *	out of memory.
 */
char *metrics_format(const struct metrics_input *in, size_t *len);

/*
 * Read every counter of a running server and format them. Call on the
 * server's main loop thread.
 * @param srv: the server; borrowed.
 * @param now_ms: the wall clock in milliseconds since the epoch.
 * @param len: receives the length of the text.
 * @return: the text (caller frees with free()); NULL when out of memory
 *	or when the server is shutting down (its logs are closing).
 */
char *metrics_collect_server(struct server *srv, uint64_t now_ms,
    size_t *len);

/*
 * Produce an exposition on the loop thread.
 * @param arg: the pointer given to metrics_start().
 * @param len: receives the length of the text.
 * @return: the text (the metrics module frees it with free()), or NULL:
 *	the scrape then gets 503.
 */
typedef char *(*metrics_collect_fn)(void *arg, size_t *len);

/*
 * Bind the HTTP listener and start its thread.
 * @param loop: the loop whose thread runs collect; borrowed, must outlive
 *	the metrics (until the loop has run after metrics_close()).
 * @param at: the address to listen on (TCP); copied.
 * @param collect: builds the text, always on the loop's thread.
 * @param arg: passed to collect; borrowed.
 * @param out: receives the listener; caller closes it with
 *	metrics_close().
 * @param err: receives a message naming the address on failure.
 * @param err_len: size of err.
 * @return: CTD_OK; CTD_EIO when the address cannot be bound or the thread
 *	not started; CTD_ENOMEM; CTD_EINVAL for a NULL argument. After
 *	CTD_EIO, memory is freed when the loop next runs.
 */
int metrics_start(uv_loop_t *loop, const struct conf_listen *at,
    metrics_collect_fn collect, void *arg, struct metrics **out, char *err,
    size_t err_len);

/*
 * The TCP port the listener is bound to: for tests that bind port 0
 * (the configuration itself never allows port 0).
 * @param m: from metrics_start().
 * @return: the port, or 0 when unknown.
 */
unsigned metrics_port(const struct metrics *m);

/*
 * Stop serving: wake a scrape that waits, stop and join the HTTP thread,
 * close the async handle. The memory is freed in the handle's close
 * callback: run the loop afterwards. Call on the loop's thread.
 * metrics_close(NULL) is a no-op.
 * @param m: from metrics_start(); invalid once the loop has run.
 */
void metrics_close(struct metrics *m);

#endif /* CTD_METRICS_H */
