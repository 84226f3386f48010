/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch.h -- upstream HTTP(S) GETs to CT logs on a libuv loop (libcurl multi).
 *
 * A fetcher binds one libcurl multi handle to one libuv loop: a uv_poll_t
 * per socket libcurl asks to watch and one uv_timer_t for libcurl's
 * timeouts. It is single-threaded: every function here must be called on
 * the loop's thread, and every callback runs on it.
 *
 * A pool is the fetcher's view of one CT log and protects that log:
 *   - identical URLs active or queued in the pool share one transfer (one
 *     HTTP request, many waiters, all given the same result);
 *   - at most max_active transfers run at once, at most max_queued wait;
 *   - with a rate, a token bucket (one token deep, refilled from the loop
 *     clock) spaces transfer starts at least 1/rate seconds apart, so no
 *     one-second window holds more than rate starts;
 *   - beyond these limits fetch_get() refuses at once with CTD_EBUSY: the
 *     caller answers SERVFAIL rather than letting work pile up.
 *
 * What goes on the wire: a GET of the URL (or, with fetch_post(), a POST
 * of the caller's body with its Content-Type) and nothing else the caller
 * controls. No cookies, no credentials, no .netrc, no proxy (environment
 * proxy variables are ignored), no redirects, only http and https,
 * "User-Agent: ctdnsd/VERSION", "Accept-Encoding" with what libcurl can
 * decode (gzip). TLS peers are verified (libcurl's default CA bundle).
 * Connections are reused between transfers of the same fetcher.
 *
 * Caveats:
 *   - fetch_global_init() must run once at start, before any thread is
 *     created (libcurl's curl_global_init is not thread-safe).
 *   - fetcher_close() completes every request at once, but memory is freed
 *     in libuv close callbacks: run the loop until it ends afterwards.
 *   - A pool looks up in-flight URLs by linear search over its active and
 *     queued transfers; keep max_active + max_queued in the hundreds.
 */
#ifndef CTD_FETCH_H
#define CTD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct fetcher;
struct fetch_pool;

/* Most waiters one transfer takes; more identical requests get CTD_EBUSY. */
#define FETCH_MAX_WAITERS 1024
/* Longest URL fetch_get() accepts, in bytes. */
#define FETCH_URL_MAX 4096
/* Connect phase limit; a transfer's own timeout_ms applies if shorter. */
#define FETCH_CONNECT_TIMEOUT_MS 10000

/* Limits of one pool (one CT log). */
struct fetch_limits {
	/* transfers at once, >= 1 */
	unsigned max_active;
	/* distinct transfers waiting for a slot or a token, may be 0 */
	unsigned max_queued;
	/* whole transfer, connect included, from its start, >= 1 */
	unsigned timeout_ms;
	/* largest body accepted (after decoding), in bytes, >= 1 */
	size_t max_body;
	/* new transfers per second (token bucket), 0 = unlimited */
	unsigned rate;
};

/*
 * Rows of a pool's counters by label: the kind of request the caller names
 * in fetch_get() ("get-sth", "get-proof-by-hash", "checkpoint", "tile"...).
 * The first FETCH_MAX_LABELS distinct labels get a row each, in order of
 * first use; the label FETCH_LABEL_OTHER and any label past the table
 * count in one more row, by_label_other.
 */
#define FETCH_MAX_LABELS 16
#define FETCH_LABEL_OTHER "other"

/* Transfers of one label. */
struct fetch_label_stats {
	/* the label as given to fetch_get() (static lifetime); NULL in a
	 * row not used yet */
	const char *label;
	/* transfers handed to libcurl */
	uint64_t started;
	/* transfers that ended other than HTTP 2xx, not canceled */
	uint64_t failed;
};

/* Buckets of the latency histogram: upper bounds, in milliseconds. */
#define FETCH_LATENCY_BUCKETS 11
#define FETCH_LATENCY_BOUNDS_MS \
	{ 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 }

/* Counters of one pool since it was created. Transfers, not waiters,
 * except coalesced and refused, which count fetch_get() calls. */
struct fetch_stats {
	/* transfers handed to libcurl */
	uint64_t started;
	/* fetch_get() calls that joined a transfer already in the pool */
	uint64_t coalesced;
	/* fetch_get() calls refused with CTD_EBUSY */
	uint64_t refused;
	/* transfers that ended with HTTP 2xx */
	uint64_t ok;
	/* transfers that ended otherwise (timeouts included), not canceled */
	uint64_t failed;
	/* transfers that ended with CTD_ETIMEOUT (also counted in failed) */
	uint64_t timeouts;
	/* started and failed again, by label: by_label[0, label_count) in
	 * order of first use, the rest in by_label_other (see above) */
	struct fetch_label_stats by_label[FETCH_MAX_LABELS];
	size_t label_count;
	struct fetch_label_stats by_label_other;
	/*
	 * Latency of the transfers that ran and ended (ok or failed, not
	 * canceled), from the start of the transfer to its end (time spent
	 * queued is not counted): latency_le[i] counts those that took at
	 * most FETCH_LATENCY_BOUNDS_MS[i] ms (not cumulative: each transfer
	 * is in one bucket, or in none when slower than the last bound).
	 */
	uint64_t latency_le[FETCH_LATENCY_BUCKETS];
	uint64_t latency_count;
	uint64_t latency_sum_us;	/* microseconds */
};

/*
 * The result of one request; called once per successful fetch_get().
 * @param arg: the caller's pointer given to fetch_get().
 * @param status: CTD_OK (HTTP 2xx), CTD_EUPSTREAM (any other HTTP status,
 *	redirects included: they are not followed), CTD_ETIMEOUT (timeout_ms
 *	passed), CTD_ENET (DNS, connect, TLS, reset, broken HTTP),
 *	CTD_ERANGE (the body passed max_body; the transfer was aborted),
 *	CTD_ENOMEM, CTD_ECANCELED (fetcher_close() came first).
 * @param http_code: the HTTP status, or 0 when none was received.
 * @param body: with CTD_OK and CTD_EUPSTREAM the response body, NUL
 *	terminated after body_len bytes (never NULL); otherwise NULL.
 *	Borrowed; valid until the callback returns.
 * @param body_len: bytes in body, at most max_body.
 * The callback may call fetch_get() (even for the same URL: that starts a
 * new transfer) and fetcher_close().
 */
typedef void (*fetch_cb)(void *arg, int status, long http_code,
    const uint8_t *body, size_t body_len);

/*
 * Initialise libcurl for the process. Call once at start, before any
 * thread exists and before fetcher_new().
 * @return: CTD_OK, or CTD_ENOMEM when libcurl cannot initialise.
 */
int fetch_global_init(void);

/*
 * Release what fetch_global_init() set up. Call once at exit, after the
 * last fetcher is closed and its loop has run to the end.
 */
void fetch_global_cleanup(void);

/*
 * Create a fetcher on a loop.
 * @param loop: the libuv loop; borrowed, must outlive the fetcher.
 * @param out: receives the fetcher; caller closes it with fetcher_close().
 * @return: CTD_OK, CTD_ENOMEM, or CTD_EIO when libcurl or libuv refuse.
 */
int fetcher_new(uv_loop_t *loop, struct fetcher **out);

/*
 * Cancel every request and start closing all handles. Every pending
 * callback runs with CTD_ECANCELED before this returns; later fetch_get()
 * calls return CTD_ECANCELED. The fetcher and its pools are freed in libuv
 * close callbacks, so the caller then runs the loop until it ends, after
 * which uv_loop_close() returns 0 (if nothing else holds the loop).
 * A second call, or a call with NULL, does nothing.
 * @param f: the fetcher; invalid once the loop has run its close callbacks.
 */
void fetcher_close(struct fetcher *f);

/*
 * Bind every later transfer of the fetcher to a source address
 * (outgoing-interface:), so the upstream sees the requests come from it.
 * A transfer fails when the address is not local or of another family
 * than the upstream's.
 * @param f: the fetcher.
 * @param addr: a numeric IPv4 or IPv6 address (copied), or NULL for the
 *	system's choice.
 * @return: CTD_OK; CTD_ENOMEM.
 */
int fetcher_set_source(struct fetcher *f, const char *addr);

/*
 * Create a pool (the limits for one CT log) in a fetcher.
 * @param f: the fetcher.
 * @param lim: the limits, copied.
 * @param name: the log's name for stats and logs, copied.
 * @param out: receives the pool; owned by the fetcher, freed by
 *	fetcher_close() (after the loop ends).
 * @return: CTD_OK, CTD_EINVAL (a limit out of range, a NULL argument),
 *	CTD_ENOMEM, CTD_ECANCELED (the fetcher is closing).
 */
int fetch_pool_new(struct fetcher *f, const struct fetch_limits *lim,
    const char *name, struct fetch_pool **out);

/*
 * Change a pool's limits (a reload). Transfers already running keep the
 * timeout they started with; the caps and the rate apply from now on.
 * @param p: the pool.
 * @param lim: the limits, copied.
 * @return: CTD_OK, CTD_EINVAL (a limit out of range; nothing changed).
 */
int fetch_pool_set_limits(struct fetch_pool *p, const struct fetch_limits *lim);

/*
 * Close one pool while the fetcher goes on (a log removed by a reload):
 * every transfer of the pool completes now with CTD_ECANCELED (its waiters
 * are called before this returns), and the pool is freed in a libuv close
 * callback. Once the fetcher is closing this does nothing (fetcher_close()
 * frees the pool).
 * @param p: the pool; invalid after the call.
 */
void fetch_pool_close(struct fetch_pool *p);

/*
 * Ask for a URL. An identical URL already active or queued in this pool is
 * joined (coalesced): one transfer, every waiter gets its result.
 * @param p: the pool.
 * @param url: an absolute http:// or https:// URL of at most FETCH_URL_MAX
 *	bytes, no spaces or control characters; copied.
 * @param label: the kind of request, for the counters only ("get-sth",
 *	"tile" ...): a string of static lifetime, kept by pointer. A
 *	joined transfer keeps the label of the request that created it.
 * @param cb: called exactly once, later, never from inside fetch_get(),
 *	when the return is CTD_OK; never called otherwise.
 * @param arg: passed to cb; borrowed.
 * @return: CTD_OK; CTD_EBUSY when the pool has max_active transfers
 *	running (or the rate bucket is empty) and max_queued waiting, or the
 *	transfer to join has FETCH_MAX_WAITERS; CTD_EINVAL for a NULL
 *	argument (label included) or a URL that is malformed, too long or
 *	not http(s);
 *	CTD_ENOMEM; CTD_EIO when libcurl refuses the transfer;
 *	CTD_ECANCELED once fetcher_close() was called.
 */
int fetch_get(struct fetch_pool *p, const char *url, const char *label,
    fetch_cb cb, void *arg);

/*
 * Ask for a URL as a later request of a task whose first request went
 * through fetch_get() (a tiled log's need takes several tiles at once):
 * it starts at once, past the concurrency cap, the queue and the rate,
 * so that a task counts once against them. It still occupies an active
 * slot while it runs (later fetch_get() calls wait for it), and joins an
 * identical transfer like fetch_get().
 * @return: as fetch_get(), never CTD_EBUSY for the caps (only for a
 *	transfer with FETCH_MAX_WAITERS).
 */
int fetch_get_along(struct fetch_pool *p, const char *url, const char *label,
    fetch_cb cb, void *arg);

/* Largest POST body fetch_post() sends, in bytes. */
#define FETCH_POST_MAX (256 * 1024)

/*
 * POST a body to a URL (a witness's add-checkpoint). Same caps, queue,
 * rate, timeout, body limit and callback contract as fetch_get(), but a
 * POST is never joined to another transfer, and the callback gets the
 * response of any HTTP status (CTD_EUPSTREAM with http_code and body for
 * a non-2xx answer such as 409).
 * @param body: body_len bytes, copied; at most FETCH_POST_MAX.
 * @param content_type: the Content-Type, of static lifetime.
 * @return: as fetch_get(); CTD_EINVAL also for a body too large.
 */
int fetch_post(struct fetch_pool *p, const char *url, const char *label,
    const uint8_t *body, size_t body_len, const char *content_type,
    fetch_cb cb, void *arg);

/*
 * Read a pool's counters.
 * @param p: the pool.
 * @param out: receives a copy of the counters.
 */
void fetch_pool_stats(const struct fetch_pool *p, struct fetch_stats *out);

/*
 * Find the counters of a label in a copy of a pool's counters.
 * @param st: the counters, from fetch_pool_stats().
 * @param label: the label, compared as a string; FETCH_LABEL_OTHER gives
 *	the row of labels past the table.
 * @return: the row, borrowed from st; NULL when no transfer with that
 *	label was asked for (or it counted in the "other" row).
 */
const struct fetch_label_stats *fetch_stats_label(const struct fetch_stats *st,
    const char *label);

/*
 * The pool's name as given to fetch_pool_new().
 * @param p: the pool.
 * @return: borrowed; valid as long as the pool.
 */
const char *fetch_pool_name(const struct fetch_pool *p);

#endif /* CTD_FETCH_H */
