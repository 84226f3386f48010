/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch.c -- upstream HTTP(S) GETs to CT logs: the pool scheduler
 * (coalescing, caps, queue, token bucket, counters). libcurl on the
 * libuv loop is fetch_curl.c; what they share is fetch_int.h.
 *
 * Data flow. fetch_get() finds or creates a struct xfer (one URL, one
 * transfer, many waiters) in its pool. A new xfer starts at once when the
 * pool has a free slot, an empty queue and a rate token; otherwise it
 * waits in the pool's FIFO queue. Starting means handing it to libcurl
 * (fetch_curl_add()), which runs it on the loop. A finished xfer is taken
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
 *     from inside a libcurl callback.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "err.h"
#include "fetch.h"
#include "fetch_int.h"

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

/* ---- completion --------------------------------------------------------- */

static void
xfer_free(struct xfer *x)
{
	fetch_curl_cleanup(x);
	free(x->post);
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

/* Waiters may re-enter fetch_get() and fetcher_close(); x is no longer
 * reachable from the pool by then, so they cannot touch it. */
void
fetch_xfer_complete(struct xfer *x, int status, long http_code)
{
	struct fetch_pool *p = x->pool;
	bool ran = x->easy != NULL;
	if (ran) {
		xlist_unlink(&p->active, x);
		fetch_curl_detach(x);
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

/* ---- starting transfers and the rate bucket ----------------------------- */

/* Hand a queued or new xfer (in no list) to libcurl; on success it is in
 * the active list. On failure it is in no list and the caller decides. */
static int
xfer_start(struct xfer *x)
{
	struct fetch_pool *p = x->pool;
	int rc = fetch_curl_add(x);
	if (rc != CTD_OK) {
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

/* May call waiters (of transfers that cannot start). */
void
fetch_pool_pump(struct fetch_pool *p)
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
			fetch_xfer_complete(x, rc, 0);
		}
	}
}

static void
rate_timer_cb(uv_timer_t *t)
{
	fetch_pool_pump(CONTAINER_OF(t, struct fetch_pool, rate_timer));
}

/* ---- pools --------------------------------------------------------------- */

void
fetch_pool_cancel(struct fetch_pool *p)
{
	struct xfer *x;
	while ((x = p->active.head) != NULL || (x = p->queued.head) != NULL) {
		fetch_xfer_complete(x, CTD_ECANCELED, 0);
	}
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

void
fetch_pool_free(struct fetch_pool *p)
{
	free(p->name);
	free(p);
}

/* The rate timer of a pool closed alone (fetch_pool_close()). */
static void
pool_closed(uv_handle_t *h)
{
	struct fetch_pool *p = CONTAINER_OF(h, struct fetch_pool, rate_timer);
	struct fetcher *f = p->f;
	fetch_pool_free(p);
	fetch_handle_gone(f);
}

/* The rate timer of a pool closed with its fetcher (which frees it). */
static void
rate_timer_closed(uv_handle_t *h)
{
	fetch_handle_gone(CONTAINER_OF(h, struct fetch_pool, rate_timer)->f);
}

void
fetch_pool_close_timer(struct fetch_pool *p)
{
	uv_close((uv_handle_t *)&p->rate_timer, rate_timer_closed);
}

void
fetch_pool_close(struct fetch_pool *p)
{
	struct fetcher *f = p->f;
	if (f->closing) {
		return;
	}
	fetch_pool_cancel(p);
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

/* ---- requests ------------------------------------------------------------ */

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

/* A POST's body and type, or none (a GET). */
struct post_body {
	const uint8_t *data;
	size_t len;
	const char *content_type;
};

/* A new transfer of url with its first waiter (and a copy of the POST
 * body); NULL when out of memory. */
static struct xfer *
xfer_new(struct fetch_pool *p, const char *url, uint32_t hash,
    const char *label, const struct post_body *post, fetch_cb cb, void *arg)
{
	struct xfer *x = calloc(1, sizeof *x);
	if (x == NULL) {
		return NULL;
	}
	x->pool = p;
	x->hash = hash;
	if ((x->url = strdup(url)) == NULL ||
	    xfer_add_waiter(x, cb, arg) != CTD_OK) {
		xfer_free(x);
		return NULL;
	}
	if (post != NULL) {
		x->is_post = true;
		x->content_type = post->content_type;
		x->post_len = post->len;
		/* One byte more so that an empty body still allocates. */
		if ((x->post = malloc(post->len + 1)) == NULL) {
			xfer_free(x);
			return NULL;
		}
		memcpy(x->post, post->data, post->len);
	}
	x->row = label_row(p, label);
	return x;
}

/* A fetch_get() or fetch_post(); along: a later request of an admitted
 * task, started at once past the caps (see fetch_get_along()). A POST
 * never joins another transfer: its answer depends on its body. */
static int
get(struct fetch_pool *p, const char *url, const char *label, bool along,
    const struct post_body *post, fetch_cb cb, void *arg)
{
	if (p == NULL || url == NULL || label == NULL || cb == NULL) {
		return CTD_EINVAL;
	}
	if (p->f->closing) {
		return CTD_ECANCELED;
	}
	if (!fetch_curl_url_ok(url)) {
		return CTD_EINVAL;
	}
	uint32_t hash = url_hash(url);
	int rc = post != NULL ? CTD_ENOTFOUND :
	    pool_join(p, url, hash, cb, arg);
	if (rc != CTD_ENOTFOUND) {
		goto out;
	}
	bool start_now = along || (p->active.n < p->lim.max_active &&
	    p->queued.head == NULL);
	if (!start_now && p->queued.n >= p->lim.max_queued) {
		rc = CTD_EBUSY;
		goto out;
	}
	/* Only now is the token spent: a refused request must not use one. */
	if (start_now && !along && !token_take(p)) {
		if (p->queued.n >= p->lim.max_queued) {
			rc = CTD_EBUSY;
			goto out;
		}
		start_now = false;
	}
	struct xfer *x = xfer_new(p, url, hash, label, post, cb, arg);
	if (x == NULL) {
		rc = CTD_ENOMEM;
		goto out;
	}
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

int
fetch_get(struct fetch_pool *p, const char *url, const char *label,
    fetch_cb cb, void *arg)
{
	return get(p, url, label, false, NULL, cb, arg);
}

int
fetch_get_along(struct fetch_pool *p, const char *url, const char *label,
    fetch_cb cb, void *arg)
{
	return get(p, url, label, true, NULL, cb, arg);
}

int
fetch_post(struct fetch_pool *p, const char *url, const char *label,
    const uint8_t *body, size_t body_len, const char *content_type,
    fetch_cb cb, void *arg)
{
	if ((body == NULL && body_len != 0) || content_type == NULL ||
	    body_len > FETCH_POST_MAX) {
		return CTD_EINVAL;
	}
	const struct post_body post = { body, body_len, content_type };
	return get(p, url, label, false, &post, cb, arg);
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
