/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch_int.h -- what the two halves of the fetcher share, and nothing
 * else includes (the API is fetch.h):
 *
 *   fetch.c       the pool scheduler: transfers and their waiters,
 *                 coalescing, caps, the FIFO queue, the token bucket,
 *                 the counters; knows no libcurl call
 *   fetch_curl.c  libcurl multi on the libuv loop: a uv_poll_t per
 *                 socket, one uv_timer_t, easy handles and their options,
 *                 the translation of CURLcode; knows no pool policy
 *
 * Single-threaded: everything runs on the fetcher's loop thread.
 */
#ifndef CTD_FETCH_INT_H
#define CTD_FETCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <uv.h>

#include "fetch.h"

#define CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* One caller waiting for a transfer. */
struct waiter {
	fetch_cb cb;
	void *arg;
};

/* One distinct URL in a pool: one HTTP transfer, its waiters, its body. */
struct xfer {
	struct xfer *prev, *next;
	struct fetch_pool *pool;
	char *url;
	uint32_t hash;		/* of url, to skip most strcmp()s */
	CURL *easy;		/* NULL while queued */
	struct waiter *waiters;
	unsigned n_waiters, cap_waiters;
	/* A POST: its body (owned) and Content-Type (static lifetime); the
	 * header list libcurl sends it with. A GET has is_post false. */
	bool is_post;
	uint8_t *post;
	size_t post_len;
	const char *content_type;
	struct curl_slist *headers;
	uint8_t *body;		/* body_len bytes + a NUL */
	size_t body_len, body_cap;
	bool too_big;		/* the write callback saw more than max_body */
	bool nomem;		/* the write callback could not grow body */
	struct fetch_label_stats *row;	/* its label's counters */
	uint64_t start_ns;	/* uv_hrtime() when handed to libcurl */
	char errbuf[CURL_ERROR_SIZE];
};

/* A pool's list of transfers, in the order they were made. */
struct xlist {
	struct xfer *head, *tail;
	unsigned n;
};

/* The limits and transfers of one CT log. */
struct fetch_pool {
	struct fetch_pool *next;
	struct fetcher *f;
	struct fetch_limits lim;
	char *name;
	struct xlist active, queued;
	uv_timer_t rate_timer;
	uint64_t interval_us;	/* 1e6 / rate; 0 without a rate */
	uint64_t next_token_us;	/* loop time the next token is due */
	struct fetch_stats stats;
};

/* One socket libcurl asked us to watch. */
struct sock {
	struct sock *prev, *next;
	struct fetcher *f;
	curl_socket_t fd;
	uv_poll_t poll;
};

/* One libcurl multi handle on one libuv loop, and its pools. */
struct fetcher {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;	/* libcurl's timeout */
	struct fetch_pool *pools;
	struct sock *socks;
	unsigned open_handles;	/* libuv handles not yet closed */
	bool closing;
	/* CURLOPT_INTERFACE of every transfer ("host!ADDR"), or NULL. */
	char *source;
};

/* ---- fetch.c: the scheduler ------------------------------------------- */

/*
 * Take x out of its pool (and libcurl), count how it ended, call every
 * waiter, free x. Waiters may re-enter fetch_get() and fetcher_close().
 * @param status: a CTD_* code (see fetch_cb).
 * @param http_code: the HTTP status, 0 when none.
 */
void fetch_xfer_complete(struct xfer *x, int status, long http_code);

/* Start queued transfers while slots and tokens allow. May call waiters,
 * so never from inside fetch_get(). */
void fetch_pool_pump(struct fetch_pool *p);

/* Complete every transfer of a pool with CTD_ECANCELED. */
void fetch_pool_cancel(struct fetch_pool *p);

/* Close the pool's rate timer while the fetcher closes; the pool itself
 * is freed with the fetcher. */
void fetch_pool_close_timer(struct fetch_pool *p);

/* Free a pool's memory (its handles are closed). */
void fetch_pool_free(struct fetch_pool *p);

/* ---- fetch_curl.c: libcurl on the loop -------------------------------- */

/* Whether url is one we are willing to send: http(s), parsable by
 * libcurl, with a host, printable ASCII without spaces, not too long. */
bool fetch_curl_url_ok(const char *url);

/*
 * Give x an easy handle with every option set and add it to the
 * fetcher's multi handle; logs a failure once.
 * @return: CTD_OK (x->easy set), or CTD_ENOMEM, CTD_EINVAL, CTD_EIO
 *	(x->easy NULL again).
 */
int fetch_curl_add(struct xfer *x);

/* Take a running x out of the multi handle (a no-op once the multi
 * handle is gone); its easy handle stays until fetch_curl_cleanup(). */
void fetch_curl_detach(struct xfer *x);

/* Free x's easy handle, if it has one. */
void fetch_curl_cleanup(struct xfer *x);

/* One of the fetcher's libuv handles has closed; once closing and the
 * last is closed, the fetcher and its pools are freed. */
void fetch_handle_gone(struct fetcher *f);

#endif /* CTD_FETCH_INT_H */
