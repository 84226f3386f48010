/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uvq.c -- one CT-over-DNS question on a libuv loop.
 *
 * ldns builds the query (random ID, RD, EDNS(0) with 1232 bytes) and
 * parses the answer; libuv carries it. UDP first, from a fresh socket
 * (a random source port per question), 3 s per try and 2 tries; an answer
 * with TC=1 is asked again over TCP (RFC 7766, two-byte length prefix).
 * Over UDP a datagram is taken only when it comes from the server's
 * address and port, parses, has QR=1, our ID and our question (name
 * compared case-insensitively, TXT, IN); anything else is ignored, so a
 * spoofed or stray datagram cannot end the question. The answer itself is
 * checked by dnsq_answer_from_pkt(), exactly as on the blocking path.
 *
 * Lifetime: struct uvq owns its handles (timer, and UDP and/or TCP); the
 * callback runs once, then every handle is closed and the struct is freed
 * in the last close callback (libuv rule: free only after close).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <uv.h>

#include "err.h"
#include "internal.h"

#define TRY_TIMEOUT_MS 3000
#define TRIES 2
#define EDNS_UDP_SIZE 1232
/* Most bytes a TCP answer may have (the DNS maximum). */
#define TCP_MAX 65535

struct uvq {
	uv_loop_t *loop;
	uv_timer_t timer;
	uv_udp_t udp;
	uv_tcp_t tcp;
	uv_udp_send_t send_req;
	uv_connect_t connect_req;
	uv_write_t write_req;
	int handles;		/* initialised, not yet closed */
	bool udp_on, tcp_on;
	bool done;		/* the callback has run (or must not) */
	struct sockaddr_storage server;
	socklen_t server_len;
	ldns_rdf *qname;
	char name[DNSQ_NAME_BUF];
	const char *what;
	size_t cap;
	uint16_t id;
	uint8_t *wire;
	size_t wire_len;
	uint8_t len_prefix[2];
	uint8_t *rbuf;		/* TCP: bytes read so far */
	size_t rlen;
	uint8_t ubuf[65536];	/* UDP receive buffer */
	int tries;
	uvq_cb *cb;
	void *arg;
	struct dnsq_answer ans;
};

static void
on_close(uv_handle_t *h)
{
	struct uvq *q = h->data;

	if (--q->handles == 0) {
		ldns_rdf_deep_free(q->qname);
		free(q->wire);
		free(q->rbuf);
		free(q);
	}
}

/* Close every handle; the struct goes with the last one. */
static void
teardown(struct uvq *q)
{
	uv_timer_stop(&q->timer);
	uv_close((uv_handle_t *)&q->timer, on_close);
	if (q->udp_on) {
		q->udp_on = false;
		uv_close((uv_handle_t *)&q->udp, on_close);
	}
	if (q->tcp_on) {
		q->tcp_on = false;
		uv_close((uv_handle_t *)&q->tcp, on_close);
	}
}

/* Deliver q->ans once, then tear down. */
static void
finish(struct uvq *q)
{
	if (q->done) {
		return;
	}
	q->done = true;
	q->cb(&q->ans, q->arg);
	teardown(q);
}

__attribute__((format(printf, 3, 4)))
static void
fail(struct uvq *q, int rc, const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	q->ans.rc = rc;
	snprintf(q->ans.err, sizeof q->ans.err, "%s query %s: %s", q->what,
	    q->name, msg);
	finish(q);
}

/* Is pkt the answer to our question? */
static bool
matches(const struct uvq *q, const ldns_pkt *pkt)
{
	const ldns_rr_list *qd = ldns_pkt_question(pkt);

	if (!ldns_pkt_qr(pkt) || ldns_pkt_id(pkt) != q->id ||
	    ldns_rr_list_rr_count(qd) != 1) {
		return false;
	}
	const ldns_rr *rr = ldns_rr_list_rr(qd, 0);
	return ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
	    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	    ldns_dname_compare(ldns_rr_owner(rr), q->qname) == 0;
}

static void start_tcp(struct uvq *q);

/* A whole message arrived; false when it is not ours (keep waiting). */
static bool
take(struct uvq *q, const uint8_t *buf, size_t len, bool tcp)
{
	ldns_pkt *pkt = NULL;

	if (ldns_wire2pkt(&pkt, buf, len) != LDNS_STATUS_OK) {
		if (tcp) {
			fail(q, CTD_EMALF, "answer does not parse");
		}
		return tcp;
	}
	if (!matches(q, pkt)) {
		ldns_pkt_free(pkt);
		if (tcp) {
			fail(q, CTD_EMALF, "answer to another question");
		}
		return tcp;
	}
	if (!tcp && ldns_pkt_tc(pkt)) {
		ldns_pkt_free(pkt);
		start_tcp(q);
		return true;
	}
	dnsq_answer_from_pkt(pkt, q->qname, q->what, q->name, q->cap, &q->ans);
	ldns_pkt_free(pkt);
	finish(q);
	return true;
}

static bool
same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family) {
		return false;
	}
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a;
	const struct sockaddr_in6 *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

static void
udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct uvq *q = h->data;

	*buf = uv_buf_init((char *)q->ubuf, sizeof q->ubuf);
}

static void
on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *addr, unsigned flags)
{
	struct uvq *q = h->data;

	if (q->done || !q->udp_on || nread <= 0 || addr == NULL ||
	    (flags & UV_UDP_PARTIAL) || !same_addr(addr, &q->server)) {
		return;
	}
	(void)take(q, (const uint8_t *)buf->base, (size_t)nread, false);
}

static void
on_udp_sent(uv_udp_send_t *req, int status)
{
	struct uvq *q = req->handle->data;

	if (status < 0 && status != UV_ECANCELED && !q->done) {
		fail(q, CTD_ENET, "no answer: %s", uv_strerror(status));
	}
}

static int
udp_send(struct uvq *q)
{
	uv_buf_t b = uv_buf_init((char *)q->wire, (unsigned)q->wire_len);

	return uv_udp_send(&q->send_req, &q->udp, &b, 1,
	    (const struct sockaddr *)&q->server, on_udp_sent);
}

static void
on_timeout(uv_timer_t *t)
{
	struct uvq *q = t->data;

	if (q->done) {
		return;
	}
	if (q->udp_on && ++q->tries < TRIES && udp_send(q) == 0) {
		uv_timer_start(&q->timer, on_timeout, TRY_TIMEOUT_MS, 0);
		return;
	}
	fail(q, CTD_ENET, "no answer: timed out");
}

static void
tcp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct uvq *q = h->data;

	/* 2 + 65535 bytes at most, read straight into rbuf. */
	*buf = uv_buf_init((char *)q->rbuf + q->rlen,
	    (unsigned)(2 + TCP_MAX - q->rlen));
}

static void
on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct uvq *q = s->data;

	if (q->done) {
		return;
	}
	if (nread < 0) {
		fail(q, CTD_ENET, "TCP: %s", uv_strerror((int)nread));
		return;
	}
	q->rlen += (size_t)nread;
	if (q->rlen < 2) {
		return;
	}
	size_t need = (size_t)q->rbuf[0] << 8 | q->rbuf[1];
	if (q->rlen >= 2 + need) {
		(void)take(q, q->rbuf + 2, need, true);
	} else if (q->rlen == 2 + TCP_MAX) {
		fail(q, CTD_EMALF, "TCP answer too long");
	}
}

static void
on_tcp_written(uv_write_t *req, int status)
{
	struct uvq *q = req->handle->data;

	if (status < 0 && !q->done) {
		fail(q, CTD_ENET, "TCP write: %s", uv_strerror(status));
	}
}

static void
on_connect(uv_connect_t *req, int status)
{
	struct uvq *q = req->handle->data;
	uv_buf_t b[2];

	if (q->done) {
		return;
	}
	if (status < 0) {
		fail(q, CTD_ENET, "TCP connect: %s", uv_strerror(status));
		return;
	}
	q->len_prefix[0] = (uint8_t)(q->wire_len >> 8);
	q->len_prefix[1] = (uint8_t)q->wire_len;
	b[0] = uv_buf_init((char *)q->len_prefix, 2);
	b[1] = uv_buf_init((char *)q->wire, (unsigned)q->wire_len);
	int rc = uv_write(&q->write_req, (uv_stream_t *)&q->tcp, b, 2,
	    on_tcp_written);
	if (rc == 0) {
		rc = uv_read_start((uv_stream_t *)&q->tcp, tcp_alloc,
		    on_tcp_read);
	}
	if (rc != 0) {
		fail(q, CTD_ENET, "TCP: %s", uv_strerror(rc));
	}
}

/* Ask again over TCP (or first, with the TCP flag). */
static void
start_tcp(struct uvq *q)
{
	int rc;

	if (q->udp_on) {
		q->udp_on = false;
		uv_close((uv_handle_t *)&q->udp, on_close);
	}
	if (q->rbuf == NULL && (q->rbuf = malloc(2 + TCP_MAX)) == NULL) {
		fail(q, CTD_ENOMEM, "out of memory");
		return;
	}
	if ((rc = uv_tcp_init(q->loop, &q->tcp)) != 0) {
		fail(q, CTD_ENET, "TCP: %s", uv_strerror(rc));
		return;
	}
	q->tcp.data = q;
	q->tcp_on = true;
	q->handles++;
	rc = uv_tcp_connect(&q->connect_req, &q->tcp,
	    (const struct sockaddr *)&q->server, on_connect);
	if (rc != 0) {
		fail(q, CTD_ENET, "TCP connect: %s", uv_strerror(rc));
		return;
	}
	uv_timer_start(&q->timer, on_timeout, TRY_TIMEOUT_MS, 0);
}

/* The query's wire form; CTD_OK or CTD_ENOMEM. */
static int
build_query(struct uvq *q)
{
	ldns_rdf *owner = ldns_rdf_clone(q->qname);
	ldns_pkt *pkt = owner != NULL ? ldns_pkt_query_new(owner,
	    LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, LDNS_RD) : NULL;
	int rc = CTD_ENOMEM;

	if (pkt == NULL) {
		ldns_rdf_deep_free(owner);
		return CTD_ENOMEM;
	}
	ldns_pkt_set_random_id(pkt);
	ldns_pkt_set_edns_udp_size(pkt, EDNS_UDP_SIZE);
	q->id = ldns_pkt_id(pkt);
	if (ldns_pkt2wire(&q->wire, pkt, &q->wire_len) == LDNS_STATUS_OK) {
		rc = CTD_OK;
	}
	ldns_pkt_free(pkt);
	return rc;
}

/* Bind a UDP socket of the server's family and send the first try. */
static int
start_udp(struct uvq *q)
{
	struct sockaddr_storage any = { .ss_family = q->server.ss_family };
	int rc;

	if ((rc = uv_udp_init(q->loop, &q->udp)) != 0) {
		return rc;
	}
	q->udp.data = q;
	q->udp_on = true;
	q->handles++;
	if ((rc = uv_udp_bind(&q->udp, (const struct sockaddr *)&any, 0)) !=
	    0 || (rc = uv_udp_recv_start(&q->udp, udp_alloc,
	    on_udp_recv)) != 0 || (rc = udp_send(q)) != 0) {
		return rc;
	}
	return uv_timer_start(&q->timer, on_timeout, TRY_TIMEOUT_MS, 0);
}

/* Connecting is asynchronous, so TCP-first starts from the loop. */
static void
on_tcp_first(uv_timer_t *t)
{
	start_tcp(t->data);
}

int
uvq_start(struct uv_loop_s *loop, const struct sockaddr *server,
    socklen_t server_len, bool tcp, const char *what, const char *name,
    size_t cap, uvq_cb *cb, void *arg)
{
	struct uvq *q;
	int rc;

	if (server_len > sizeof q->server || (server->sa_family != AF_INET &&
	    server->sa_family != AF_INET6)) {
		return CTD_EINVAL;
	}
	if ((q = calloc(1, sizeof *q)) == NULL) {
		return CTD_ENOMEM;
	}
	q->loop = loop;
	memcpy(&q->server, server, server_len);
	q->server_len = server_len;
	q->what = what;
	q->cap = cap;
	q->cb = cb;
	q->arg = arg;
	snprintf(q->name, sizeof q->name, "%s", name);
	if (strlen(name) >= sizeof q->name ||
	    (q->qname = ldns_dname_new_frm_str(name)) == NULL) {
		free(q);
		return CTD_EINVAL;
	}
	if (build_query(q) != CTD_OK) {
		ldns_rdf_deep_free(q->qname);
		free(q);
		return CTD_ENOMEM;
	}
	if (uv_timer_init(loop, &q->timer) != 0) {
		ldns_rdf_deep_free(q->qname);
		free(q->wire);
		free(q);
		return CTD_EIO;
	}
	q->timer.data = q;
	q->handles = 1;
	rc = tcp ? uv_timer_start(&q->timer, on_tcp_first, 0, 0) :
	    start_udp(q);
	if (rc != 0) {
		/* Nothing reached the callback: close quietly. */
		q->done = true;
		teardown(q);
		return CTD_EIO;
	}
	return CTD_OK;
}
