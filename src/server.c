/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.c -- the daemon's event loop: UDP and TCP listeners, queries that
 * wait for the log, signals, and a clean shutdown (see server.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "answer.h"
#include "conf.h"
#include "err.h"
#include "fetch.h"
#include "fill.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "tlog.h"
#include "zone.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define TCP_BACKLOG 256
#define TCP_BUF_INITIAL 4096
#define TCP_BUF_MAX (2 + 65535)

struct listener {
	struct server *srv;
	uv_udp_t udp;
	uv_tcp_t tcp;
	bool udp_init, tcp_init;
	const char *text;	/* "addr@port", borrowed from the conf */
};

struct conn {
	struct server *srv;
	struct conn *prev, *next;
	uv_tcp_t tcp;
	uv_timer_t idle;
	uint8_t *buf;
	size_t len, cap;
	unsigned inflight;	/* pending queries and unfinished writes */
	unsigned refs;		/* pending queries that point here */
	unsigned handles;	/* open handles (tcp, idle) */
	bool closing, reading;
	bool processing;	/* inside process_frames(): no re-entry */
};

/* A query waiting for its fill: a copy of the packet and its way back. */
struct pending {
	struct server *srv;
	unsigned round;
	bool tcp;
	struct conn *conn;
	struct listener *lst;
	struct sockaddr_storage peer;
	size_t len;
	uint8_t pkt[];
};

struct tcp_write {
	uv_write_t req;
	struct conn *conn;
	uint8_t data[];
};

struct udp_send {
	uv_udp_send_t req;
	uint8_t data[];
};

struct server {
	uv_loop_t loop;
	struct conf *conf;
	struct store *store;
	struct fetcher *fetcher;
	struct tlog **logs;
	size_t log_count;
	bool ax_init;
	struct answer_ctx ax;
	struct listener *listeners;
	size_t listener_count;
	uv_signal_t sig_term, sig_int, sig_hup;
	bool signals_init;
	struct conn *conns;
	unsigned conn_count;
	unsigned pending_count;
	struct server_stats stats;
	bool stopping;
	uint8_t udp_buf[65536];
	uint8_t out[65535];
};

static void process_frames(struct conn *c);
static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void conn_close(struct conn *c);
static void start_fill(struct pending *p, const struct answer_result *res);

/* ---- sending -------------------------------------------------------- */

static void
on_udp_sent(uv_udp_send_t *req, int status)
{
	free(container_of(req, struct udp_send, req));
}

static void
udp_send(struct listener *lst, const struct sockaddr *peer,
    const uint8_t *data, size_t len)
{
	uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
	if (uv_udp_try_send(&lst->udp, &buf, 1, peer) >= 0) {
		return;
	}
	/* The socket buffer is full: queue a copy. */
	struct udp_send *s = malloc(sizeof *s + len);
	if (s == NULL) {
		return;
	}
	memcpy(s->data, data, len);
	buf = uv_buf_init((char *)s->data, (unsigned)len);
	if (uv_udp_send(&s->req, &lst->udp, &buf, 1, peer, on_udp_sent) != 0) {
		free(s);
	}
}

static void
conn_release_inflight(struct conn *c)
{
	c->inflight--;
	if (!c->closing && !c->reading && !c->processing &&
	    c->inflight < SERVER_TCP_MAX_INFLIGHT) {
		process_frames(c);
	}
}

static void
on_tcp_written(uv_write_t *req, int status)
{
	struct tcp_write *w = container_of(req, struct tcp_write, req);
	struct conn *c = w->conn;
	free(w);
	if (status != 0) {
		conn_close(c);
	}
	conn_release_inflight(c);
}

static void
tcp_send(struct conn *c, const uint8_t *data, size_t len)
{
	struct tcp_write *w = malloc(sizeof *w + 2 + len);
	if (w == NULL) {
		conn_close(c);
		return;
	}
	w->conn = c;
	w->data[0] = (uint8_t)(len >> 8);
	w->data[1] = (uint8_t)len;
	memcpy(w->data + 2, data, len);
	uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)(len + 2));
	c->inflight++;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1,
		on_tcp_written) != 0) {
		free(w);
		c->inflight--;
		conn_close(c);
	}
}

/* ---- pending queries ------------------------------------------------ */

static void
conn_maybe_free(struct conn *c)
{
	if (c->closing && c->handles == 0 && c->refs == 0) {
		free(c->buf);
		free(c);
	}
}

static void
pending_free(struct pending *p)
{
	struct conn *c = p->conn;
	p->srv->pending_count--;
	free(p);
	if (c != NULL) {
		c->refs--;
		conn_release_inflight(c);
		conn_maybe_free(c);
	}
}

static void
pending_deliver(struct pending *p, const struct answer_result *res)
{
	struct server *srv = p->srv;
	if (res->action == ANSWER_FILL) {
		start_fill(p, res);
		return;
	}
	if (res->action == ANSWER_SEND) {
		if (p->tcp && !p->conn->closing) {
			tcp_send(p->conn, srv->out, res->len);
		} else if (!p->tcp) {
			udp_send(p->lst, (struct sockaddr *)&p->peer, srv->out,
			    res->len);
		}
	}
	pending_free(p);
}

static void
on_filled(void *arg, int status)
{
	struct pending *p = arg;
	struct server *srv = p->srv;
	struct answer_result res;
	if (status == CTD_ECANCELED || srv->stopping) {
		pending_free(p);
		return;
	}
	p->round++;
	answer_query(&srv->ax, p->pkt, p->len, p->tcp, status, p->round,
	    srv->out, sizeof srv->out, &res);
	pending_deliver(p, &res);
}

static void
start_fill(struct pending *p, const struct answer_result *res)
{
	struct server *srv = p->srv;
	int rc = fill_start(res->log->fill, &res->need, on_filled, p);
	if (rc == CTD_OK) {
		return;
	}
	/* Refused at once (caps, no STH): SERVFAIL now, not a pile-up. */
	struct answer_result fail;
	answer_query(&srv->ax, p->pkt, p->len, p->tcp, rc, p->round + 1,
	    srv->out, sizeof srv->out, &fail);
	if (fail.action == ANSWER_FILL) {
		fail.action = ANSWER_DROP;
	}
	pending_deliver(p, &fail);
}

/* A query missed the store: keep it until its fill ends. */
static void
pending_start(struct server *srv, const uint8_t *pkt, size_t len,
    struct listener *lst, const struct sockaddr *peer, struct conn *c,
    const struct answer_result *res)
{
	struct pending *p = NULL;
	if (srv->pending_count < SERVER_MAX_PENDING) {
		p = malloc(sizeof *p + len);
	}
	if (p == NULL) {
		struct answer_result fail;
		srv->stats.pending_refused++;
		answer_query(&srv->ax, pkt, len, c != NULL, CTD_EBUSY, 1,
		    srv->out, sizeof srv->out, &fail);
		if (fail.action != ANSWER_SEND) {
			return;
		}
		if (c != NULL) {
			tcp_send(c, srv->out, fail.len);
		} else {
			udp_send(lst, peer, srv->out, fail.len);
		}
		return;
	}
	*p = (struct pending){ .srv = srv, .tcp = c != NULL, .conn = c,
		.lst = lst, .len = len };
	memcpy(p->pkt, pkt, len);
	if (peer != NULL) {
		memcpy(&p->peer, peer, peer->sa_family == AF_INET6 ?
			sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	}
	if (c != NULL) {
		c->refs++;
		c->inflight++;
	}
	srv->pending_count++;
	start_fill(p, res);
}

/* ---- UDP ------------------------------------------------------------ */

static void
udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct listener *lst = h->data;
	/* One loop, one receive at a time: a single buffer serves them all. */
	*buf = uv_buf_init((char *)lst->srv->udp_buf,
	    sizeof lst->srv->udp_buf);
}

static void
on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *peer, unsigned flags)
{
	struct listener *lst = h->data;
	struct server *srv = lst->srv;
	struct answer_result res;
	if (nread <= 0 || peer == NULL || (flags & UV_UDP_PARTIAL)) {
		return;
	}
	srv->stats.udp_queries++;
	answer_query(&srv->ax, (const uint8_t *)buf->base, (size_t)nread,
	    false, CTD_OK, 0, srv->out, sizeof srv->out, &res);
	if (res.action == ANSWER_SEND) {
		udp_send(lst, peer, srv->out, res.len);
	} else if (res.action == ANSWER_FILL) {
		pending_start(srv, (const uint8_t *)buf->base, (size_t)nread,
		    lst, peer, NULL, &res);
	}
}

/* ---- TCP ------------------------------------------------------------ */

static void
on_conn_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	c->handles--;
	conn_maybe_free(c);
}

static void
conn_close(struct conn *c)
{
	if (c->closing) {
		return;
	}
	c->closing = true;
	struct server *srv = c->srv;
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		srv->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	srv->conn_count--;
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->idle, on_conn_handle_closed);
}

static void
tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = h->data;
	if (c->len == c->cap && c->cap < TCP_BUF_MAX) {
		size_t cap = c->cap * 2 < TCP_BUF_MAX ? c->cap * 2 : TCP_BUF_MAX;
		uint8_t *b = realloc(c->buf, cap);
		if (b != NULL) {
			c->buf = b;
			c->cap = cap;
		}
	}
	*buf = uv_buf_init((char *)c->buf + c->len, (unsigned)(c->cap - c->len));
}

/* Answer one message from a connection. */
static void
tcp_query(struct conn *c, const uint8_t *msg, size_t len)
{
	struct server *srv = c->srv;
	struct answer_result res;
	srv->stats.tcp_queries++;
	answer_query(&srv->ax, msg, len, true, CTD_OK, 0, srv->out,
	    sizeof srv->out, &res);
	if (res.action == ANSWER_SEND) {
		tcp_send(c, srv->out, res.len);
	} else if (res.action == ANSWER_FILL) {
		pending_start(srv, msg, len, NULL, NULL, c, &res);
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
	    c->inflight < SERVER_TCP_MAX_INFLIGHT) {
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
	bool want = c->inflight < SERVER_TCP_MAX_INFLIGHT;
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
	if (nread < 0) {
		conn_close(c);
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
		conn_close(c);
	}
}

static void
on_tcp_connection(uv_stream_t *server, int status)
{
	struct listener *lst = server->data;
	struct server *srv = lst->srv;
	if (status != 0) {
		return;
	}
	struct conn *c = calloc(1, sizeof *c);
	uint8_t *buf = malloc(TCP_BUF_INITIAL);
	if (c == NULL || buf == NULL) {
		free(c);
		free(buf);
		return;
	}
	c->srv = srv;
	c->buf = buf;
	c->cap = TCP_BUF_INITIAL;
	uv_tcp_init(&srv->loop, &c->tcp);
	uv_timer_init(&srv->loop, &c->idle);
	c->tcp.data = c->idle.data = c;
	c->handles = 2;
	c->next = srv->conns;
	if (c->next != NULL) {
		c->next->prev = c;
	}
	srv->conns = c;
	srv->conn_count++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	if (srv->conn_count > srv->conf->tcp_max_connections) {
		srv->stats.tcp_refused++;
		conn_close(c);
		return;
	}
	srv->stats.tcp_connections++;
	uint64_t idle = (uint64_t)srv->conf->tcp_idle_timeout * 1000u;
	uv_timer_start(&c->idle, on_idle, idle, idle);
	uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, on_tcp_read);
	c->reading = true;
}

/* ---- listeners ------------------------------------------------------ */

static int
listener_open(struct server *srv, struct listener *lst,
    const struct conf_listen *cl, char *err, size_t err_len)
{
	const struct sockaddr *sa = (const struct sockaddr *)&cl->addr;
	bool v6 = sa->sa_family == AF_INET6;
	int rc;

	lst->srv = srv;
	lst->text = cl->text;
	uv_udp_init(&srv->loop, &lst->udp);
	lst->udp_init = true;
	lst->udp.data = lst;
	rc = uv_udp_bind(&lst->udp, sa, v6 ? UV_UDP_IPV6ONLY : 0);
	if (rc == 0) {
		rc = uv_udp_recv_start(&lst->udp, udp_alloc, on_udp_recv);
	}
	if (rc == 0) {
		uv_tcp_init(&srv->loop, &lst->tcp);
		lst->tcp_init = true;
		lst->tcp.data = lst;
		rc = uv_tcp_bind(&lst->tcp, sa, v6 ? UV_TCP_IPV6ONLY : 0);
	}
	if (rc == 0) {
		rc = uv_listen((uv_stream_t *)&lst->tcp, TCP_BACKLOG,
		    on_tcp_connection);
	}
	if (rc != 0) {
		snprintf(err, err_len, "listen %s: %s", cl->text,
		    uv_strerror(rc));
		return CTD_EIO;
	}
	return CTD_OK;
}

static void
listener_close(struct listener *lst)
{
	if (lst->udp_init && !uv_is_closing((uv_handle_t *)&lst->udp)) {
		uv_close((uv_handle_t *)&lst->udp, NULL);
	}
	if (lst->tcp_init && !uv_is_closing((uv_handle_t *)&lst->tcp)) {
		uv_close((uv_handle_t *)&lst->tcp, NULL);
	}
}

/* ---- signals -------------------------------------------------------- */

static void
on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	if (signum == SIGHUP) {
		server_reload(srv);
		return;
	}
	log_notice("signal %d: shutting down", signum);
	server_stop(srv);
}

static void
signals_open(struct server *srv)
{
	uv_signal_t *sigs[] = { &srv->sig_term, &srv->sig_int, &srv->sig_hup };
	int nums[] = { SIGTERM, SIGINT, SIGHUP };
	for (size_t i = 0; i < 3; i++) {
		uv_signal_init(&srv->loop, sigs[i]);
		sigs[i]->data = srv;
		uv_signal_start(sigs[i], on_signal, nums[i]);
	}
	srv->signals_init = true;
}

/* ---- life cycle ----------------------------------------------------- */

static int
open_logs(struct server *srv, char *err, size_t err_len)
{
	srv->logs = calloc(srv->conf->log_count, sizeof *srv->logs);
	if (srv->logs == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < srv->conf->log_count; i++) {
		int rc = tlog_new(&srv->conf->logs[i], &srv->loop, srv->store,
		    srv->fetcher, &srv->logs[i], err, err_len);
		if (rc != CTD_OK) {
			return rc;
		}
		srv->log_count++;
	}
	return CTD_OK;
}

static int
open_listeners(struct server *srv, char *err, size_t err_len)
{
	srv->listeners = calloc(srv->conf->listen_count,
	    sizeof *srv->listeners);
	if (srv->listeners == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < srv->conf->listen_count; i++) {
		srv->listener_count++;
		int rc = listener_open(srv, &srv->listeners[i],
		    &srv->conf->listens[i], err, err_len);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return CTD_OK;
}

int
server_new(struct conf *conf, struct server **out, char *err, size_t err_len)
{
	struct server *srv = calloc(1, sizeof *srv);
	int rc;
	*out = NULL;
	if (srv == NULL) {
		conf_free(conf);
		return CTD_ENOMEM;
	}
	srv->conf = conf;
	uv_loop_init(&srv->loop);
	rc = store_open(conf->database, conf->database_size, &srv->store);
	if (rc != CTD_OK) {
		snprintf(err, err_len, "database %s: %s", conf->database,
		    ctd_strerror(rc));
		goto fail;
	}
	rc = fetcher_new(&srv->loop, &srv->fetcher);
	if (rc == CTD_OK) {
		rc = open_logs(srv, err, err_len);
	}
	if (rc == CTD_OK) {
		rc = answer_ctx_init(&srv->ax, srv->store, srv->logs,
		    srv->log_count);
		srv->ax_init = rc == CTD_OK;
	}
	if (rc == CTD_OK) {
		rc = open_listeners(srv, err, err_len);
	}
	if (rc != CTD_OK) {
		if (err[0] == '\0') {
			snprintf(err, err_len, "%s", ctd_strerror(rc));
		}
		goto fail;
	}
	signals_open(srv);
	*out = srv;
	return CTD_OK;
fail:
	server_free(srv);
	return rc;
}

int
server_run(struct server *srv)
{
	for (size_t i = 0; i < srv->log_count; i++) {
		tlog_start(srv->logs[i]);
	}
	log_notice("ctdnsd %s ready: %zu log(s), %zu listen address(es)",
	    PACKAGE_VERSION, srv->log_count, srv->listener_count);
	uv_run(&srv->loop, UV_RUN_DEFAULT);
	return CTD_OK;
}

void
server_stop(struct server *srv)
{
	if (srv->stopping) {
		return;
	}
	srv->stopping = true;
	for (size_t i = 0; i < srv->listener_count; i++) {
		listener_close(&srv->listeners[i]);
	}
	while (srv->conns != NULL) {
		conn_close(srv->conns);
	}
	for (size_t i = 0; i < srv->log_count; i++) {
		tlog_close(srv->logs[i]);
	}
	if (srv->fetcher != NULL) {
		/* Cancels every fill: pending queries are freed now. */
		fetcher_close(srv->fetcher);
	}
	if (srv->signals_init) {
		uv_close((uv_handle_t *)&srv->sig_term, NULL);
		uv_close((uv_handle_t *)&srv->sig_int, NULL);
		uv_close((uv_handle_t *)&srv->sig_hup, NULL);
	}
}

void
server_reload(struct server *srv)
{
	char err[512];
	for (size_t i = 0; i < srv->log_count; i++) {
		struct tlog *log = srv->logs[i];
		struct zone *z;
		err[0] = '\0';
		if (zone_load(log->conf->zonefile, log->conf->zone, &z, err,
			sizeof err) != CTD_OK) {
			log_err("reload: %s; keeping the loaded zone", err);
			continue;
		}
		tlog_replace_zone(log, z);
		log_notice("reload: log %s: zone %s reloaded", log->name,
		    log->conf->zone);
	}
}

void
server_stats(struct server *srv, struct server_stats *out)
{
	*out = srv->stats;
	out->answers = srv->ax.stats;
}

size_t
server_log_count(const struct server *srv)
{
	return srv->log_count;
}

struct tlog *
server_log(const struct server *srv, size_t i)
{
	return i < srv->log_count ? srv->logs[i] : NULL;
}

struct uv_loop_s *
server_loop(struct server *srv)
{
	return &srv->loop;
}

void
server_free(struct server *srv)
{
	if (srv == NULL) {
		return;
	}
	server_stop(srv);
	uv_run(&srv->loop, UV_RUN_DEFAULT);
	for (size_t i = 0; i < srv->log_count; i++) {
		tlog_free(srv->logs[i]);
	}
	free(srv->logs);
	free(srv->listeners);
	if (srv->ax_init) {
		answer_ctx_deinit(&srv->ax);
	}
	store_close(srv->store);
	if (uv_loop_close(&srv->loop) != 0) {
		log_err("shutdown: handles left open on the loop");
	}
	conf_free(srv->conf);
	free(srv);
}
