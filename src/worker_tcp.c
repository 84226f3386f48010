/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_tcp.c -- a worker's TCP connections (RFC 7766): accept under a
 * cap shared by every worker, read length-prefixed messages, answer up
 * to WORKER_TCP_MAX_INFLIGHT of them at once, close on idle (see
 * worker_int.h).
 *
 * An answer is written with uv_try_write() and copied only when the
 * kernel does not take it whole. A connection is freed when its handles
 * are closed and no pending query (worker_pending.c) points to it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "conf.h"
#include "worker_int.h"

#define TCP_BUF_INITIAL 4096
#define TCP_BUF_MAX (2 + 65535)

struct tcp_write {
	uv_write_t req;
	struct conn *conn;
	uint8_t data[];
};

static void process_frames(struct conn *c);
static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);

void
worker_tcp_release(struct conn *c)
{
	c->inflight--;
	if (!c->closing && !c->reading && !c->processing &&
	    c->inflight < WORKER_TCP_MAX_INFLIGHT) {
		process_frames(c);
	}
}

static void
on_tcp_written(uv_write_t *req, int status)
{
	struct tcp_write *wr = container_of(req, struct tcp_write, req);
	struct conn *c = wr->conn;
	free(wr);
	if (status != 0) {
		worker_tcp_close(c);
	}
	worker_tcp_release(c);
}

void
worker_tcp_send(struct conn *c, const uint8_t *data, size_t len)
{
	uint8_t prefix[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	uv_buf_t bufs[2] = { uv_buf_init((char *)prefix, 2),
		uv_buf_init((char *)data, (unsigned)len) };
	/* Straight to the kernel when nothing is queued before it. */
	int n = uv_try_write((uv_stream_t *)&c->tcp, bufs, 2);
	if (n < 0 && n != UV_EAGAIN) {
		worker_tcp_close(c);
		return;
	}
	size_t done = n > 0 ? (size_t)n : 0;
	if (done == len + 2) {
		return;
	}
	size_t rest = len + 2 - done;
	struct tcp_write *wr = malloc(sizeof *wr + rest);
	if (wr == NULL) {
		worker_tcp_close(c);
		return;
	}
	wr->conn = c;
	if (done < 2) {
		memcpy(wr->data, prefix + done, 2 - done);
		memcpy(wr->data + 2 - done, data, len);
	} else {
		memcpy(wr->data, data + (done - 2), rest);
	}
	uv_buf_t buf = uv_buf_init((char *)wr->data, (unsigned)rest);
	c->inflight++;
	if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &buf, 1,
	    on_tcp_written) != 0) {
		free(wr);
		c->inflight--;
		worker_tcp_close(c);
	}
}

void
worker_tcp_maybe_free(struct conn *c)
{
	if (c->closing && c->handles == 0 && c->refs == 0) {
		free(c->buf);
		free(c);
	}
}

static void
on_conn_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	c->handles--;
	worker_tcp_maybe_free(c);
}

void
worker_tcp_close(struct conn *c)
{
	if (c->closing) {
		return;
	}
	c->closing = true;
	struct worker *w = c->w;
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		w->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	if (c->counted) {
		__atomic_sub_fetch(w->env->tcp_conns, 1, __ATOMIC_RELAXED);
	}
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->idle, on_conn_handle_closed);
}

static void
tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = h->data;
	(void)suggested;
	if (c->len == c->cap && c->cap < TCP_BUF_MAX) {
		size_t cap = c->cap * 2 < TCP_BUF_MAX ? c->cap * 2 :
		    TCP_BUF_MAX;
		uint8_t *b = realloc(c->buf, cap);
		if (b != NULL) {
			c->buf = b;
			c->cap = cap;
		}
	}
	*buf = uv_buf_init((char *)c->buf + c->len,
	    (unsigned)(c->cap - c->len));
}

/* Answer one message from a connection. */
static void
tcp_query(struct conn *c, const uint8_t *msg, size_t len)
{
	struct worker *w = c->w;
	struct answer_result res;
	COUNT(w->stats.tcp_queries);
	answer_query(&w->ax, msg, len, true, CTD_OK, 0, w->out,
	    sizeof w->out, &res);
	if (res.action == ANSWER_SEND) {
		worker_tcp_send(c, w->out, res.len);
	} else if (res.action == ANSWER_FILL) {
		worker_pending_start(w, msg, len, NULL, NULL, c, &res);
	}
}

/* Handle every complete message in the buffer, as long as the connection
 * may have more queries in flight; read more when it may. */
static void
process_frames(struct conn *c)
{
	size_t off = 0;
	c->processing = true;
	while (!c->closing && c->len - off >= 2 &&
	    c->inflight < WORKER_TCP_MAX_INFLIGHT) {
		size_t mlen = (size_t)c->buf[off] << 8 | c->buf[off + 1];
		if (c->len - off < 2 + mlen) {
			break;
		}
		tcp_query(c, c->buf + off + 2, mlen);
		off += 2 + mlen;
	}
	c->processing = false;
	if (c->closing) {
		return;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	bool want = c->inflight < WORKER_TCP_MAX_INFLIGHT;
	if (want && !c->reading) {
		uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, on_tcp_read);
		c->reading = true;
	} else if (!want && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = false;
	}
}

static void
on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	(void)buf;
	if (nread < 0) {
		worker_tcp_close(c);
		return;
	}
	c->len += (size_t)nread;
	uv_timer_again(&c->idle);
	process_frames(c);
}

static void
on_idle(uv_timer_t *t)
{
	struct conn *c = t->data;
	/* A slow client cannot hold a connection: idle means no complete
	 * query for the timeout, whatever it has sent in part. */
	if (c->inflight == 0) {
		worker_tcp_close(c);
	}
}

void
worker_tcp_accept(uv_stream_t *server, int status)
{
	struct listener *lst = server->data;
	struct worker *w = lst->w;
	const struct conf *conf = w->env->conf;
	if (status != 0 || w->stopping) {
		return;
	}
	struct conn *c = calloc(1, sizeof *c);
	uint8_t *buf = malloc(TCP_BUF_INITIAL);
	if (c == NULL || buf == NULL) {
		free(c);
		free(buf);
		return;
	}
	c->w = w;
	c->buf = buf;
	c->cap = TCP_BUF_INITIAL;
	uv_tcp_init(w->loop, &c->tcp);
	uv_timer_init(w->loop, &c->idle);
	c->tcp.data = c->idle.data = c;
	c->handles = 2;
	c->next = w->conns;
	if (c->next != NULL) {
		c->next->prev = c;
	}
	w->conns = c;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		worker_tcp_close(c);
		return;
	}
	c->counted = true;
	/* The cap counts the connections of every worker. */
	if (__atomic_add_fetch(w->env->tcp_conns, 1, __ATOMIC_RELAXED) >
	    conf->tcp_max_connections) {
		COUNT(w->stats.tcp_refused);
		worker_tcp_close(c);
		return;
	}
	COUNT(w->stats.tcp_connections);
	uint64_t idle = (uint64_t)conf->tcp_idle_timeout * 1000u;
	uv_timer_start(&c->idle, on_idle, idle, idle);
	uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, on_tcp_read);
	c->reading = true;
}
