/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch.c -- upstream HTTP(S) GETs to CT logs on a libuv loop (libcurl multi).
 *
 * Data flow. fetch_get() finds or creates a struct xfer (one URL, one
 * transfer, many waiters) in its pool. A new xfer starts at once when the
 * pool has a free slot, an empty queue and a rate token; otherwise it
 * waits in the pool's FIFO queue. Starting means an easy handle added to
 * the fetcher's multi handle. libcurl then drives the transfer through two
 * callbacks: sock_cb (watch this socket for these events: a uv_poll_t per
 * socket) and timer_cb (call me back in N ms: one uv_timer_t). When the
 * poll or timer fires, we call curl_multi_socket_action() and then read
 * finished transfers with curl_multi_info_read(). A finished xfer is taken
 * out of its pool, its waiters are called, it is freed, and the pool's
 * queue is pumped: queued xfers start while slots and tokens allow; when
 * only a token is missing, the pool's rate timer wakes us when it is due.
 *
 * Invariants.
 *   - An xfer is in exactly one of its pool's two lists, active (easy
 *     handle in the multi) or queued (no easy handle yet), until it
 *     completes; it is unlinked before any of its waiters is called, so a
 *     waiter that asks again for the same URL gets a new transfer.
 *   - Waiter callbacks run only from loop callbacks (poll, timer, rate
 *     timer) or from fetcher_close(), never from fetch_get() and never
 *     from inside a libcurl callback. They may call fetch_get() and
 *     fetcher_close(); after each one we check f->closing and touch
 *     nothing of libcurl's when it is set.
 *   - Memory: the fetcher, its pools and the per-socket contexts are freed
 *     only in libuv close callbacks; the fetcher itself when the last of
 *     its handles (curl timer, rate timers, polls) has closed.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <uv.h>

#include "err.h"
#include "fetch.h"
#include "log.h"

#define CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

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
	uint8_t *body;		/* body_len bytes + a NUL */
	size_t body_len, body_cap;
	bool too_big;		/* the write callback saw more than max_body */
	bool nomem;		/* the write callback could not grow body */
	struct fetch_label_stats *row;	/* the pool's counters of its label */
	uint64_t start_ns;	/* uv_hrtime() when handed to libcurl */
	char errbuf[CURL_ERROR_SIZE];
};

struct xlist {
	struct xfer *head, *tail;
	unsigned n;
};

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

struct fetcher {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;	/* libcurl's timeout */
	struct fetch_pool *pools;
	struct sock *socks;
	unsigned open_handles;	/* libuv handles not yet closed */
	bool closing;
};

static const char user_agent[] = "ctdnsd/" PACKAGE_VERSION;
static const uint8_t empty_body[1];
static const uint64_t latency_bounds_ms[FETCH_LATENCY_BUCKETS] =
    FETCH_LATENCY_BOUNDS_MS;
/* ---- small helpers ------------------------------------------------------ */

/* FNV-1a, enough to tell URLs apart before comparing them. */
static uint32_t
url_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 16777619u;
	}
	return h;
}

static void
xlist_push(struct xlist *l, struct xfer *x)
{
	x->next = NULL;
	x->prev = l->tail;
	if (l->tail != NULL) {
		l->tail->next = x;
	} else {
		l->head = x;
	}
	l->tail = x;
	l->n++;
}

static void
xlist_unlink(struct xlist *l, struct xfer *x)
{
	if (x->prev != NULL) {
		x->prev->next = x->next;
	} else {
		l->head = x->next;
	}
	if (x->next != NULL) {
		x->next->prev = x->prev;
	} else {
		l->tail = x->prev;
	}
	x->prev = x->next = NULL;
	l->n--;
}

static struct xfer *
xlist_find(const struct xlist *l, const char *url, uint32_t hash)
{
	for (struct xfer *x = l->head; x != NULL; x = x->next) {
		if (x->hash == hash && strcmp(x->url, url) == 0) {
			return x;
		}
	}
	return NULL;
}

/* The pool's row of counters for a label, taken on first use; past the
 * table, and for "other" itself, the "other" row. */
static struct fetch_label_stats *
label_row(struct fetch_pool *p, const char *label)
{
	struct fetch_stats *st = &p->stats;
	if (strcmp(label, FETCH_LABEL_OTHER) == 0) {
		return &st->by_label_other;
	}
	for (size_t i = 0; i < st->label_count; i++) {
		if (strcmp(st->by_label[i].label, label) == 0) {
			return &st->by_label[i];
		}
	}
	if (st->label_count == FETCH_MAX_LABELS) {
		return &st->by_label_other;
	}
	struct fetch_label_stats *row = &st->by_label[st->label_count++];
	row->label = label;
	return row;
}

/* Translate a libcurl result, the one place CURLcode is looked at. */
static int
err_from_curl(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return CTD_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return CTD_ETIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return CTD_ERANGE;
	case CURLE_OUT_OF_MEMORY:
		return CTD_ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
		return CTD_EINVAL;
	case CURLE_ABORTED_BY_CALLBACK:
		return CTD_ECANCELED;
	default:
		/* DNS, connect, TLS, send/receive, broken HTTP, bad gzip. */
		return CTD_ENET;
	}
}

/* Whether url is one we are willing to send: http(s), parsable by
 * libcurl, printable ASCII without spaces, not too long. */
static bool
url_acceptable(const char *url)
{
	size_t len = strnlen(url, FETCH_URL_MAX + 1);
	if (len == 0 || len > FETCH_URL_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f) {
			return false;
		}
	}
	size_t skip;
	if (strncasecmp(url, "http://", 7) == 0) {
		skip = 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		skip = 8;
	} else {
		return false;
	}
	/* libcurl would read "http:///x" as host x; we want a host. */
	if (url[skip] == '/' || url[skip] == '\0') {
		return false;
	}
	CURLU *u = curl_url();
	if (u == NULL) {
		return false;
	}
	bool good = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK;
	char *host = NULL;
	if (good && (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host == NULL || host[0] == '\0')) {
		good = false;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return good;
}

/* ---- handles and their close callbacks ---------------------------------- */

static void
fetcher_free(struct fetcher *f)
{
	struct fetch_pool *p = f->pools;
	while (p != NULL) {
		struct fetch_pool *next = p->next;
		free(p->name);
		free(p);
		p = next;
	}
	free(f);
}

/* One of the fetcher's libuv handles has closed; free all after the last. */
static void
handle_gone(struct fetcher *f)
{
	f->open_handles--;
	if (f->closing && f->open_handles == 0) {
		fetcher_free(f);
	}
}

static void
timer_closed(uv_handle_t *h)
{
	handle_gone(CONTAINER_OF(h, struct fetcher, timer));
}

static void
rate_timer_closed(uv_handle_t *h)
{
	handle_gone(CONTAINER_OF(h, struct fetch_pool, rate_timer)->f);
}

static void
sock_closed(uv_handle_t *h)
{
	struct sock *s = CONTAINER_OF(h, struct sock, poll);
	struct fetcher *f = s->f;
	free(s);
	handle_gone(f);
}

/* Stop watching a socket and free its context (in the close callback). */
static void
sock_release(struct sock *s)
{
	struct fetcher *f = s->f;
	if (s->prev != NULL) {
		s->prev->next = s->next;
	} else {
		f->socks = s->next;
	}
	if (s->next != NULL) {
		s->next->prev = s->prev;
	}
	uv_close((uv_handle_t *)&s->poll, sock_closed);
}

/* ---- completion --------------------------------------------------------- */

static void
xfer_free(struct xfer *x)
{
	if (x->easy != NULL) {
		curl_easy_cleanup(x->easy);
	}
	free(x->body);
	free(x->waiters);
	free(x->url);
	free(x);
}

/* Count how a transfer ended; ran: it was handed to libcurl. */
static void
stats_count(struct fetch_pool *p, const struct xfer *x, bool ran, int status)
{
	if (status == CTD_ECANCELED) {
		return;
	}
	if (status == CTD_OK) {
		p->stats.ok++;
	} else {
		p->stats.failed++;
		x->row->failed++;
		if (status == CTD_ETIMEOUT) {
			p->stats.timeouts++;
		}
	}
	if (!ran) {
		return;
	}
	uint64_t ns = uv_hrtime() - x->start_ns;
	p->stats.latency_count++;
	p->stats.latency_sum_us += ns / 1000u;
	for (size_t i = 0; i < FETCH_LATENCY_BUCKETS; i++) {
		if (ns <= latency_bounds_ms[i] * 1000000u) {
			p->stats.latency_le[i]++;
			break;
		}
	}
}

/*
 * Take x out of its pool and libcurl, tell every waiter, free x. Waiters
 * may re-enter fetch_get() and fetcher_close(); x is no longer reachable
 * from the pool by then, so they cannot touch it.
 */
static void
xfer_complete(struct xfer *x, int status, long http_code)
{
	struct fetch_pool *p = x->pool;
	struct fetcher *f = p->f;
	bool ran = x->easy != NULL;
	if (x->easy != NULL) {
		xlist_unlink(&p->active, x);
		if (f->multi != NULL) {
			curl_multi_remove_handle(f->multi, x->easy);
		}
	} else {
		xlist_unlink(&p->queued, x);
	}
	stats_count(p, x, ran, status);
	const uint8_t *body = NULL;
	size_t body_len = 0;
	if (status == CTD_OK || status == CTD_EUPSTREAM) {
		body = x->body != NULL ? x->body : empty_body;
		body_len = x->body_len;
	}
	for (unsigned i = 0; i < x->n_waiters; i++) {
		x->waiters[i].cb(x->waiters[i].arg, status, http_code, body,
		    body_len);
	}
	xfer_free(x);
}

/* Decide what a finished transfer means and complete it. */
static void
xfer_done(struct xfer *x, CURLcode res)
{
	struct fetch_pool *p = x->pool;
	long code = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	int status = err_from_curl(res);
	if (x->too_big) {
		status = CTD_ERANGE;
	} else if (x->nomem) {
		status = CTD_ENOMEM;
	} else if (status == CTD_OK && (code < 200 || code > 299)) {
		status = CTD_EUPSTREAM;
	}
	if (status != CTD_OK) {
		log_debug("fetch %s: %s: %s (HTTP %ld%s%s)", p->name, x->url,
		    ctd_strerror(status), code, x->errbuf[0] ? ", " : "",
		    x->errbuf);
	}
	xfer_complete(x, status, code);
}

/* ---- starting transfers and the rate bucket ----------------------------- */

/* libcurl's write callback: append to the body, abort past max_body. */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;
	size_t max = x->pool->lim.max_body;
	if (n > max - x->body_len) {
		x->too_big = true;
		return 0;
	}
	if (x->body_len + n + 1 > x->body_cap) {
		size_t cap = x->body_cap != 0 ? x->body_cap : 4096;
		while (cap < x->body_len + n + 1) {
			cap *= 2;
		}
		if (cap > max + 1) {
			cap = max + 1;
		}
		uint8_t *b = realloc(x->body, cap);
		if (b == NULL) {
			x->nomem = true;
			return 0;
		}
		x->body = b;
		x->body_cap = cap;
	}
	memcpy(x->body + x->body_len, data, n);
	x->body_len += n;
	x->body[x->body_len] = '\0';
	return n;
}

/* Set every option of a transfer; any failure is reported once. */
static int
easy_setup(struct xfer *x)
{
	const struct fetch_limits *lim = &x->pool->lim;
	long connect_ms = lim->timeout_ms < FETCH_CONNECT_TIMEOUT_MS ?
	    (long)lim->timeout_ms : FETCH_CONNECT_TIMEOUT_MS;
	CURL *e = x->easy;
	CURLcode c = CURLE_OK;
#define SET(opt, val) \
	do { \
		if (c == CURLE_OK) { \
			c = curl_easy_setopt(e, opt, val); \
		} \
	} while (0)
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	/* Before 7.85 the same limit was a bit mask. */
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_HTTPGET, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)lim->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_USERAGENT, user_agent);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_body);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, x);
#undef SET
	return err_from_curl(c);
}

/* Hand a queued or new xfer (in no list) to libcurl; on success it is in
 * the active list. On failure it is in no list and the caller decides. */
static int
xfer_start(struct xfer *x)
{
	struct fetch_pool *p = x->pool;
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		return CTD_ENOMEM;
	}
	int rc = easy_setup(x);
	if (rc == CTD_OK &&
	    curl_multi_add_handle(p->f->multi, x->easy) != CURLM_OK) {
		rc = CTD_EIO;
	}
	if (rc != CTD_OK) {
		log_warn("fetch %s: cannot start %s: %s", p->name, x->url,
		    ctd_strerror(rc));
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		return rc;
	}
	xlist_push(&p->active, x);
	x->start_ns = uv_hrtime();
	p->stats.started++;
	x->row->started++;
	return CTD_OK;
}

static uint64_t
loop_now_us(struct fetch_pool *p)
{
	/* fetch_get() may run long after the loop last read the clock. */
	uv_update_time(p->f->loop);
	return uv_now(p->f->loop) * 1000;
}

/* Take a token if one is due. The bucket is one token deep, so starts are
 * never closer than interval_us: no burst after a quiet spell. */
static bool
token_take(struct fetch_pool *p)
{
	if (p->interval_us == 0) {
		return true;
	}
	uint64_t now = loop_now_us(p);
	if (now < p->next_token_us) {
		return false;
	}
	p->next_token_us = now + p->interval_us;
	return true;
}

static void rate_timer_cb(uv_timer_t *t);

/* Wake the pool when the next token is due. */
static void
rate_timer_arm(struct fetch_pool *p)
{
	uint64_t now = loop_now_us(p);
	uint64_t wait_us = p->next_token_us > now ? p->next_token_us - now : 0;
	uv_timer_start(&p->rate_timer, rate_timer_cb, (wait_us + 999) / 1000,
	    0);
}

/* Start queued transfers while slots and tokens allow. May call waiters
 * (of transfers that cannot start), so it never runs inside fetch_get(). */
static void
pool_pump(struct fetch_pool *p)
{
	struct fetcher *f = p->f;
	while (!f->closing && p->queued.head != NULL &&
	    p->active.n < p->lim.max_active) {
		if (!token_take(p)) {
			rate_timer_arm(p);
			return;
		}
		struct xfer *x = p->queued.head;
		xlist_unlink(&p->queued, x);
		int rc = xfer_start(x);
		if (rc != CTD_OK) {
			xlist_push(&p->queued, x); /* complete unlinks it */
			xfer_complete(x, rc, 0);
		}
	}
}

static void
rate_timer_cb(uv_timer_t *t)
{
	pool_pump(CONTAINER_OF(t, struct fetch_pool, rate_timer));
}

/* ---- libcurl <-> libuv -------------------------------------------------- */

/* Complete every transfer libcurl has finished. */
static void
multi_drain(struct fetcher *f)
{
	CURLMsg *msg;
	int left;
	while (!f->closing &&
	    (msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE) {
			continue;
		}
		struct xfer *x = NULL;
		CURLcode res = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		struct fetch_pool *p = x->pool;
		xfer_done(x, res);
		pool_pump(p);
	}
}

static void
multi_action(struct fetcher *f, curl_socket_t fd, int events)
{
	if (f->closing) {
		return;
	}
	int running;
	CURLMcode mc = curl_multi_socket_action(f->multi, fd, events,
	    &running);
	if (mc != CURLM_OK) {
		log_err("fetch: curl_multi_socket_action: %s",
		    curl_multi_strerror(mc));
	}
	multi_drain(f);
}

static void
poll_cb(uv_poll_t *h, int status, int events)
{
	struct sock *s = CONTAINER_OF(h, struct sock, poll);
	int flags = 0;
	if (status < 0) {
		flags = CURL_CSELECT_ERR;
	} else {
		if (events & UV_READABLE) {
			flags |= CURL_CSELECT_IN;
		}
		if (events & UV_WRITABLE) {
			flags |= CURL_CSELECT_OUT;
		}
	}
	multi_action(s->f, s->fd, flags);
}

static void
timer_cb(uv_timer_t *t)
{
	multi_action(CONTAINER_OF(t, struct fetcher, timer),
	    CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: libcurl wants to be called in timeout_ms. */
static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetcher *f = userp;
	if (timeout_ms < 0) {
		uv_timer_stop(&f->timer);
	} else {
		/* Zero fires on the next loop turn: libcurl must not be
		 * re-entered from inside this callback. */
		uv_timer_start(&f->timer, timer_cb, (uint64_t)timeout_ms, 0);
	}
	return 0;
}

/* A new socket to watch: a poll handle, known to libcurl by sockp. */
static struct sock *
sock_new(struct fetcher *f, curl_socket_t fd)
{
	struct sock *s = calloc(1, sizeof *s);
	if (s == NULL) {
		return NULL;
	}
	int r = uv_poll_init_socket(f->loop, &s->poll, fd);
	if (r != 0) {
		log_err("fetch: uv_poll_init_socket: %s", uv_strerror(r));
		free(s);
		return NULL;
	}
	s->f = f;
	s->fd = fd;
	s->next = f->socks;
	if (f->socks != NULL) {
		f->socks->prev = s;
	}
	f->socks = s;
	f->open_handles++;
	curl_multi_assign(f->multi, fd, s);
	return s;
}

/* CURLMOPT_SOCKETFUNCTION: watch fd for what, or stop watching it. */
static int
curl_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct fetcher *f = userp;
	struct sock *s = sockp;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(f->multi, fd, NULL);
			sock_release(s);
		}
		return 0;
	}
	if (s == NULL && (s = sock_new(f, fd)) == NULL) {
		return -1;
	}
	int events = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) {
		events |= UV_READABLE;
	}
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) {
		events |= UV_WRITABLE;
	}
	int r = uv_poll_start(&s->poll, events, poll_cb);
	if (r != 0) {
		log_err("fetch: uv_poll_start: %s", uv_strerror(r));
		return -1;
	}
	return 0;
}

/* ---- public API --------------------------------------------------------- */

int
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ?
	    CTD_OK : CTD_ENOMEM;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

int
fetcher_new(uv_loop_t *loop, struct fetcher **out)
{
	if (loop == NULL || out == NULL) {
		return CTD_EINVAL;
	}
	struct fetcher *f = calloc(1, sizeof *f);
	if (f == NULL) {
		return CTD_ENOMEM;
	}
	f->loop = loop;
	f->multi = curl_multi_init();
	if (f->multi == NULL) {
		free(f);
		return CTD_ENOMEM;
	}
	CURLMcode mc = CURLM_OK;
	mc = curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	if (mc == CURLM_OK) {
		mc = curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	}
	if (mc == CURLM_OK) {
		mc = curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION,
		    curl_timer_cb);
	}
	if (mc == CURLM_OK) {
		mc = curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	}
	if (mc != CURLM_OK || uv_timer_init(loop, &f->timer) != 0) {
		curl_multi_cleanup(f->multi);
		free(f);
		return CTD_EIO;
	}
	f->open_handles = 1;
	*out = f;
	return CTD_OK;
}

/* Complete every transfer of a pool with CTD_ECANCELED. */
static void
pool_cancel(struct fetch_pool *p)
{
	struct xfer *x;
	while ((x = p->active.head) != NULL || (x = p->queued.head) != NULL) {
		xfer_complete(x, CTD_ECANCELED, 0);
	}
}

void
fetcher_close(struct fetcher *f)
{
	if (f == NULL || f->closing) {
		return;
	}
	f->closing = true;
	/* Waiters first, while libcurl can still take handles out. */
	for (struct fetch_pool *p = f->pools; p != NULL; p = p->next) {
		pool_cancel(p);
	}
	/* Our polls go before libcurl closes their sockets; libcurl must
	 * not call back into a fetcher that is going away. */
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, NULL);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, NULL);
	while (f->socks != NULL) {
		struct sock *s = f->socks;
		curl_multi_assign(f->multi, s->fd, NULL);
		sock_release(s);
	}
	curl_multi_cleanup(f->multi);
	f->multi = NULL;
	for (struct fetch_pool *p = f->pools; p != NULL; p = p->next) {
		uv_close((uv_handle_t *)&p->rate_timer, rate_timer_closed);
	}
	uv_close((uv_handle_t *)&f->timer, timer_closed);
}

static bool
limits_ok(const struct fetch_limits *lim)
{
	return lim->max_active != 0 && lim->timeout_ms != 0 &&
	    lim->max_body != 0 && lim->max_body < SIZE_MAX / 2 &&
	    lim->timeout_ms <= INT_MAX;
}

static void
pool_limits(struct fetch_pool *p, const struct fetch_limits *lim)
{
	p->lim = *lim;
	p->interval_us = lim->rate != 0 ? 1000000u / lim->rate : 0;
	if (lim->rate != 0 && p->interval_us == 0) {
		p->interval_us = 1;
	}
}

int
fetch_pool_set_limits(struct fetch_pool *p, const struct fetch_limits *lim)
{
	if (p == NULL || lim == NULL || !limits_ok(lim)) {
		return CTD_EINVAL;
	}
	pool_limits(p, lim);
	return CTD_OK;
}

static void
pool_closed(uv_handle_t *h)
{
	struct fetch_pool *p = CONTAINER_OF(h, struct fetch_pool, rate_timer);
	struct fetcher *f = p->f;
	free(p->name);
	free(p);
	handle_gone(f);
}

void
fetch_pool_close(struct fetch_pool *p)
{
	struct fetcher *f = p->f;
	if (f->closing) {
		return;
	}
	pool_cancel(p);
	for (struct fetch_pool **q = &f->pools; *q != NULL; q = &(*q)->next) {
		if (*q == p) {
			*q = p->next;
			break;
		}
	}
	uv_close((uv_handle_t *)&p->rate_timer, pool_closed);
}

int
fetch_pool_new(struct fetcher *f, const struct fetch_limits *lim,
    const char *name, struct fetch_pool **out)
{
	if (f == NULL || lim == NULL || name == NULL || out == NULL) {
		return CTD_EINVAL;
	}
	if (f->closing) {
		return CTD_ECANCELED;
	}
	if (!limits_ok(lim)) {
		return CTD_EINVAL;
	}
	struct fetch_pool *p = calloc(1, sizeof *p);
	if (p == NULL) {
		return CTD_ENOMEM;
	}
	p->name = strdup(name);
	if (p->name == NULL || uv_timer_init(f->loop, &p->rate_timer) != 0) {
		free(p->name);
		free(p);
		return CTD_ENOMEM;
	}
	p->f = f;
	p->stats.by_label_other.label = FETCH_LABEL_OTHER;
	pool_limits(p, lim);
	p->next = f->pools;
	f->pools = p;
	f->open_handles++;
	*out = p;
	return CTD_OK;
}

/* Add a waiter to x, growing the array; CTD_EBUSY at the cap. */
static int
xfer_add_waiter(struct xfer *x, fetch_cb cb, void *arg)
{
	if (x->n_waiters == FETCH_MAX_WAITERS) {
		return CTD_EBUSY;
	}
	if (x->n_waiters == x->cap_waiters) {
		unsigned cap = x->cap_waiters != 0 ? x->cap_waiters * 2 : 4;
		if (cap > FETCH_MAX_WAITERS) {
			cap = FETCH_MAX_WAITERS;
		}
		struct waiter *w = realloc(x->waiters, cap * sizeof *w);
		if (w == NULL) {
			return CTD_ENOMEM;
		}
		x->waiters = w;
		x->cap_waiters = cap;
	}
	x->waiters[x->n_waiters++] = (struct waiter){ .cb = cb, .arg = arg };
	return CTD_OK;
}

/* Join the transfer already in the pool for url, if there is one.
 * @return: CTD_OK joined, CTD_ENOTFOUND none, else an error. */
static int
pool_join(struct fetch_pool *p, const char *url, uint32_t hash, fetch_cb cb,
    void *arg)
{
	struct xfer *x = xlist_find(&p->active, url, hash);
	if (x == NULL) {
		x = xlist_find(&p->queued, url, hash);
	}
	if (x == NULL) {
		return CTD_ENOTFOUND;
	}
	int rc = xfer_add_waiter(x, cb, arg);
	if (rc == CTD_OK) {
		p->stats.coalesced++;
	}
	return rc;
}

int
fetch_get(struct fetch_pool *p, const char *url, const char *label,
    fetch_cb cb, void *arg)
{
	if (p == NULL || url == NULL || label == NULL || cb == NULL) {
		return CTD_EINVAL;
	}
	if (p->f->closing) {
		return CTD_ECANCELED;
	}
	if (!url_acceptable(url)) {
		return CTD_EINVAL;
	}
	uint32_t hash = url_hash(url);
	int rc = pool_join(p, url, hash, cb, arg);
	if (rc != CTD_ENOTFOUND) {
		goto out;
	}
	bool start_now = p->active.n < p->lim.max_active &&
	    p->queued.head == NULL;
	if (!start_now && p->queued.n >= p->lim.max_queued) {
		rc = CTD_EBUSY;
		goto out;
	}
	/* Only now is the token spent: a refused request must not use one. */
	if (start_now && !token_take(p)) {
		if (p->queued.n >= p->lim.max_queued) {
			rc = CTD_EBUSY;
			goto out;
		}
		start_now = false;
	}
	struct xfer *x = calloc(1, sizeof *x);
	if (x == NULL || (x->url = strdup(url)) == NULL ||
	    xfer_add_waiter(x, cb, arg) != CTD_OK) {
		if (x != NULL) {
			xfer_free(x);
		}
		rc = CTD_ENOMEM;
		goto out;
	}
	x->pool = p;
	x->hash = hash;
	x->row = label_row(p, label);
	if (start_now) {
		rc = xfer_start(x);
		if (rc != CTD_OK) {
			xfer_free(x);
		}
	} else {
		xlist_push(&p->queued, x);
		if (p->active.n < p->lim.max_active) {
			rate_timer_arm(p);
		}
		rc = CTD_OK;
	}
out:
	if (rc == CTD_EBUSY) {
		p->stats.refused++;
	}
	return rc;
}

void
fetch_pool_stats(const struct fetch_pool *p, struct fetch_stats *out)
{
	*out = p->stats;
}

const struct fetch_label_stats *
fetch_stats_label(const struct fetch_stats *st, const char *label)
{
	if (strcmp(label, FETCH_LABEL_OTHER) == 0) {
		return &st->by_label_other;
	}
	for (size_t i = 0; i < st->label_count && i < FETCH_MAX_LABELS; i++) {
		if (strcmp(st->by_label[i].label, label) == 0) {
			return &st->by_label[i];
		}
	}
	return NULL;
}

const char *
fetch_pool_name(const struct fetch_pool *p)
{
	return p->name;
}
