/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c -- one DNS worker: listeners, TCP connections, the answer path
 * and the queries waiting for the log (see worker.h).
 *
 * The hot path. UDP queries are read with recvmmsg (libuv's
 * UV_UDP_RECVMMSG: up to UDP_BATCH datagrams per system call into one
 * buffer of UDP_BATCH * 64 KiB that the worker owns), each is answered
 * into the worker's output buffer and copied into the worker's send batch,
 * and the batch goes out with one sendmmsg when libuv ends the receive
 * batch (UV_UDP_MMSG_FREE): a store hit allocates nothing and costs a
 * share of two system calls (the store's read transaction is renewed, not
 * opened; the rate limiter reads the loop's cached clock). Only a full
 * socket buffer makes a send copy its answer (a queued uv_udp_send). A
 * TCP answer is written with uv_try_write() and copied only when the
 * kernel does not take it whole.
 *
 * Replicas (threaded workers). answer.c reads a log's zone, configuration,
 * store handle and current STH through struct tlog. A threaded worker
 * gives its answer_ctx its own struct tlog per log, a replica holding
 * only those fields (zone from a shared struct worker_zone, the settings'
 * numbers and the STH copied, slog borrowed from the store); the rest of
 * the replica (poller, fill, pool) is zero and never used. The main loop
 * changes a replica only by message: a new STH (worker_post_sth), or a
 * whole new set of replicas after a reload (worker_post_logs), which the
 * worker swaps in between two queries and whose old set it frees itself.
 * A worker never holds a pointer to a main-loop log: its replicas carry
 * the log's id, and a query that misses names its log by that id, which
 * the main loop looks up when it starts the fill (a log removed by a
 * reload is then simply not found). So the main loop may free a removed
 * log as soon as its own fills and poller are done, whatever the workers
 * are doing.
 * Why messages and not a rwlock or an RCU-style pointer swap: the hot
 * path then takes no lock and touches no cache line another thread
 * writes (a shared rwlock costs two atomic read-modify-writes on one line
 * per query, which bounces between cores); and because the messages share
 * the queue of filled queries, FIFO order guarantees a worker applies a
 * new STH before it re-answers a query the main loop filled against it.
 * The price: a worker may serve the previous STH for the microseconds its
 * message takes, which DNS caching makes invisible anyway.
 *
 * Counters have one writer (this worker's thread) and are read by the
 * main thread for metrics: relaxed atomic loads and stores (ANSWER_COUNT),
 * plain moves on the machine, and no data race.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "answer.h"
#include "conf.h"
#include "err.h"
#include "log.h"
#include "rrl.h"
#include "server.h"
#include "sth.h"
#include "store.h"
#include "tlog.h"
#include "wire.h"
#include "worker.h"
#include "zone.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define TCP_BACKLOG 256
#define TCP_BUF_INITIAL 4096
#define TCP_BUF_MAX (2 + 65535)
/* Datagrams per recvmmsg: libuv reads at most 20, each into 64 KiB. */
#define UDP_BATCH 20
#define UDP_CHUNK (64 * 1024)
/* Socket buffers for bursts: best effort (capped by net.core.*mem_max). */
#define UDP_SOCKBUF (1 << 20)

#define COUNT(c) ANSWER_COUNT(c)

struct listener {
	struct worker *w;
	uv_udp_t udp;
	uv_tcp_t tcp;
	bool udp_init, tcp_init;
};

struct conn {
	struct worker *w;
	struct conn *prev, *next;
	uv_tcp_t tcp;
	uv_timer_t idle;
	uint8_t *buf;
	size_t len, cap;
	unsigned inflight;	/* pending queries and unfinished writes */
	unsigned refs;		/* pending queries that point here */
	unsigned handles;	/* open handles (tcp, idle) */
	bool counted;		/* in env->tcp_conns */
	bool closing, reading;
	bool processing;	/* inside process_frames(): no re-entry */
};

/* A query waiting for its fill: a copy of the packet and its way back. */
struct pending {
	struct worker_job job;
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

struct sth_msg {
	struct worker_msg m;
	bool has_sth;
	struct sth sth;
	char txt[STH_TXT_MAX];
	size_t txt_len;
};

struct worker_logset {
	struct worker_msg m;		/* WORKER_MSG_LOGS */
	size_t count;
	struct tlog **logs;		/* what the answer path reads */
	struct tlog *replicas;		/* threaded: one per log */
	struct worker_zone **zones;	/* threaded: the replicas' zones */
};

struct worker {
	const struct worker_env *env;
	uv_loop_t *loop;
	bool threaded, started, stopping;
	int stop_requested;	/* atomic: set by the main thread */
	pthread_t thread;
	unsigned id;
	int loop_status;
	uv_loop_t own_loop;
	bool own_loop_init;
	uv_async_t async;
	bool async_init;
	struct worker_queue inbox;
	struct worker_logset *set;	/* the logs it answers for */
	bool ax_init;
	struct answer_ctx ax;
	struct listener *listeners;
	size_t listener_count;
	struct conn *conns;
	unsigned pending_count;
	struct server_stats stats;	/* .answers unused: see ax.stats */
	uint8_t *udp_buf;		/* UDP_BATCH * UDP_CHUNK */
	/* UDP answers waiting for the end of the receive batch. */
	struct listener *batch_lst;
	unsigned batch_n;
	struct mmsghdr batch_msg[UDP_BATCH];
	struct iovec batch_iov[UDP_BATCH];
	struct sockaddr_storage batch_peer[UDP_BATCH];
	uint8_t batch_out[UDP_BATCH][WIRE_EDNS_UDP_SIZE];
	uint8_t out[65535];
};

static void process_frames(struct conn *c);
static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void conn_close(struct conn *c);
static void pending_fill(struct pending *p, const struct answer_result *res);

/* ---- sending ---------------------------------------------------------- */

static void
on_udp_sent(uv_udp_send_t *req, int status)
{
	(void)status;
	free(container_of(req, struct udp_send, req));
}

static void
udp_send(struct listener *lst, const struct sockaddr *peer,
    const uint8_t *data, size_t len)
{
	if (uv_is_closing((uv_handle_t *)&lst->udp)) {
		return;
	}
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

/* The zone number of a log for the rate limiter: its index + 1, 0 none. */
static size_t
log_index(const struct worker *w, const struct tlog *log)
{
	for (size_t i = 0; i < w->set->count; i++) {
		if (w->set->logs[i] == log) {
			return i;
		}
	}
	return SIZE_MAX;
}

static socklen_t
addr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/* Send the batched answers with one sendmmsg; what the kernel does not
 * take now goes through libuv's queue. */
static void
batch_flush(struct worker *w)
{
	struct listener *lst = w->batch_lst;
	unsigned n = w->batch_n, done = 0;
	uv_os_fd_t fd;
	w->batch_n = 0;
	w->batch_lst = NULL;
	if (n == 0 || uv_is_closing((uv_handle_t *)&lst->udp) ||
	    uv_fileno((uv_handle_t *)&lst->udp, &fd) != 0) {
		return;
	}
	while (done < n) {
		int r = sendmmsg(fd, &w->batch_msg[done], n - done, 0);
		if (r > 0) {
			done += (unsigned)r;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS) {
			break;
		} else if (errno != EINTR) {
			done++;		/* this one cannot go; the rest can */
		}
	}
	for (; done < n; done++) {
		udp_send(lst, (struct sockaddr *)&w->batch_peer[done],
		    w->batch_out[done], w->batch_iov[done].iov_len);
	}
}

static void
batch_add(struct worker *w, struct listener *lst,
    const struct sockaddr *peer, const uint8_t *data, size_t len)
{
	if (w->batch_lst != lst || w->batch_n == UDP_BATCH) {
		batch_flush(w);
		w->batch_lst = lst;
	}
	unsigned i = w->batch_n++;
	memcpy(w->batch_out[i], data, len);
	memcpy(&w->batch_peer[i], peer, addr_len(peer));
	w->batch_iov[i] = (struct iovec){ .iov_base = w->batch_out[i],
		.iov_len = len };
	w->batch_msg[i] = (struct mmsghdr){ .msg_hdr = {
		.msg_name = &w->batch_peer[i], .msg_namelen = addr_len(peer),
		.msg_iov = &w->batch_iov[i], .msg_iovlen = 1 } };
}

/*
 * Send the answer in w->out over UDP, unless the rate limiter says no.
 * @param batch: inside a recvmmsg batch: join the send batch.
 */
static void
udp_answer(struct worker *w, struct listener *lst,
    const struct sockaddr *peer, const struct answer_result *res,
    bool batch)
{
	size_t len = res->len;
	if (w->env->rrl != NULL) {
		uint32_t zone = (uint32_t)(log_index(w, res->log) + 1);
		switch (rrl_check(w->env->rrl, peer, zone,
		    rrl_class_of(w->out, len), uv_now(w->loop))) {
		case RRL_SEND:
			break;
		case RRL_SLIP:
			COUNT(w->stats.rrl_slipped);
			len = rrl_slip_answer(w->out, len);
			break;
		case RRL_DROP:
			COUNT(w->stats.rrl_dropped);
			return;
		}
	}
	if (len > 0 && batch && len <= WIRE_EDNS_UDP_SIZE) {
		batch_add(w, lst, peer, w->out, len);
	} else if (len > 0) {
		udp_send(lst, peer, w->out, len);
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
	struct tcp_write *wr = container_of(req, struct tcp_write, req);
	struct conn *c = wr->conn;
	free(wr);
	if (status != 0) {
		conn_close(c);
	}
	conn_release_inflight(c);
}

static void
tcp_send(struct conn *c, const uint8_t *data, size_t len)
{
	uint8_t prefix[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	uv_buf_t bufs[2] = { uv_buf_init((char *)prefix, 2),
		uv_buf_init((char *)data, (unsigned)len) };
	/* Straight to the kernel when nothing is queued before it. */
	int n = uv_try_write((uv_stream_t *)&c->tcp, bufs, 2);
	if (n < 0 && n != UV_EAGAIN) {
		conn_close(c);
		return;
	}
	size_t done = n > 0 ? (size_t)n : 0;
	if (done == len + 2) {
		return;
	}
	size_t rest = len + 2 - done;
	struct tcp_write *wr = malloc(sizeof *wr + rest);
	if (wr == NULL) {
		conn_close(c);
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
		conn_close(c);
	}
}

/* ---- queries waiting for the log ------------------------------------ */

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
	p->job.w->pending_count--;
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
	struct worker *w = p->job.w;
	if (res->action == ANSWER_FILL) {
		pending_fill(p, res);
		return;
	}
	if (res->action == ANSWER_SEND) {
		if (p->tcp && !p->conn->closing) {
			tcp_send(p->conn, w->out, res->len);
		} else if (!p->tcp) {
			udp_answer(w, p->lst, (struct sockaddr *)&p->peer, res,
			    false);
		}
	}
	pending_free(p);
}

/* A job came back: look again with the fill's status. */
static void
job_finish(struct pending *p)
{
	struct worker *w = p->job.w;
	struct answer_result res;
	/* Shutting down: drop it. A fill canceled otherwise (its log was
	 * removed by a reload) answers SERVFAIL, or REFUSED once the worker
	 * no longer serves the zone. */
	if (w->stopping) {
		pending_free(p);
		return;
	}
	p->round++;
	answer_query(&w->ax, p->pkt, p->len, p->tcp, p->job.status, p->round,
	    w->out, sizeof w->out, &res);
	pending_deliver(p, &res);
}

static void
pending_fill(struct pending *p, const struct answer_result *res)
{
	struct worker *w = p->job.w;
	p->job.m.kind = WORKER_MSG_JOB;
	p->job.m.log = res->log != NULL ? res->log->id : 0;
	p->job.need = res->need;
	int rc = p->job.m.log == 0 ? CTD_EINVAL :
	    w->env->fill(w->env->fill_arg, &p->job);
	if (rc == CTD_OK) {
		return;
	}
	/* Refused at once (caps, no STH): SERVFAIL now, not a pile-up. */
	struct answer_result fail;
	answer_query(&w->ax, p->pkt, p->len, p->tcp, rc, p->round + 1,
	    w->out, sizeof w->out, &fail);
	if (fail.action == ANSWER_FILL) {
		fail.action = ANSWER_DROP;
	}
	pending_deliver(p, &fail);
}

/* A query missed the store: keep it until its fill ends. */
static void
pending_start(struct worker *w, const uint8_t *pkt, size_t len,
    struct listener *lst, const struct sockaddr *peer, struct conn *c,
    const struct answer_result *res)
{
	struct pending *p = NULL;
	if (w->pending_count < w->env->max_pending) {
		p = malloc(sizeof *p + len);
	}
	if (p == NULL) {
		struct answer_result fail;
		COUNT(w->stats.pending_refused);
		answer_query(&w->ax, pkt, len, c != NULL, CTD_EBUSY, 1,
		    w->out, sizeof w->out, &fail);
		if (fail.action != ANSWER_SEND) {
			return;
		}
		if (c != NULL) {
			tcp_send(c, w->out, fail.len);
		} else {
			udp_answer(w, lst, peer, &fail, false);
		}
		return;
	}
	*p = (struct pending){ .job.w = w, .tcp = c != NULL, .conn = c,
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
	w->pending_count++;
	pending_fill(p, res);
}

void
worker_job_done(struct worker_job *job, int status)
{
	struct worker *w = job->w;
	job->status = status;
	if (!w->threaded) {
		job_finish(container_of(job, struct pending, job));
		return;
	}
	worker_queue_push(&w->inbox, &job->m, false);
}

/* ---- UDP -------------------------------------------------------------- */

static void
udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct listener *lst = h->data;
	(void)suggested;
	/* One loop, one receive at a time: one batch buffer serves all the
	 * worker's sockets. */
	*buf = uv_buf_init((char *)lst->w->udp_buf, UDP_BATCH * UDP_CHUNK);
}

static void
on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *peer, unsigned flags)
{
	struct listener *lst = h->data;
	struct worker *w = lst->w;
	struct answer_result res;
	/* UV_UDP_MMSG_FREE ends a batch (the receive buffer is ours, there
	 * is nothing to free): send the answers. */
	if (flags & UV_UDP_MMSG_FREE) {
		batch_flush(w);
		return;
	}
	if (nread <= 0 || peer == NULL || (flags & UV_UDP_PARTIAL)) {
		return;
	}
	COUNT(w->stats.udp_queries);
	answer_query(&w->ax, (const uint8_t *)buf->base, (size_t)nread,
	    false, CTD_OK, 0, w->out, sizeof w->out, &res);
	if (res.action == ANSWER_SEND) {
		udp_answer(w, lst, peer, &res,
		    (flags & UV_UDP_MMSG_CHUNK) != 0);
	} else if (res.action == ANSWER_FILL) {
		pending_start(w, (const uint8_t *)buf->base, (size_t)nread,
		    lst, peer, NULL, &res);
	}
}

/* ---- TCP -------------------------------------------------------------- */

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
		tcp_send(c, w->out, res.len);
	} else if (res.action == ANSWER_FILL) {
		pending_start(w, msg, len, NULL, NULL, c, &res);
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
	(void)buf;
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
		conn_close(c);
		return;
	}
	c->counted = true;
	/* The cap counts the connections of every worker. */
	if (__atomic_add_fetch(w->env->tcp_conns, 1, __ATOMIC_RELAXED) >
	    conf->tcp_max_connections) {
		COUNT(w->stats.tcp_refused);
		conn_close(c);
		return;
	}
	COUNT(w->stats.tcp_connections);
	uint64_t idle = (uint64_t)conf->tcp_idle_timeout * 1000u;
	uv_timer_start(&c->idle, on_idle, idle, idle);
	uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, on_tcp_read);
	c->reading = true;
}

/* ---- listeners -------------------------------------------------------- */

/* A bound socket of the given type; SO_REUSEPORT when several workers
 * share the address. Returns the descriptor or a negative errno. */
static int
open_socket(const struct conf_listen *cl, int type, bool reuseport)
{
	int family = cl->addr.ss_family;
	int one = 1, size = UDP_SOCKBUF;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if ((type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR,
	    &one, sizeof one) != 0) ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof one) != 0) ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &one, sizeof one) != 0) ||
	    bind(fd, (const struct sockaddr *)&cl->addr, cl->addr_len) != 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (type == SOCK_DGRAM) {
		/* Best effort: a burst waits in the kernel, not on the wire. */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	}
	return fd;
}

static int
listener_open(struct worker *w, struct listener *lst,
    const struct conf_listen *cl, char *err, size_t err_len)
{
	int fd, rc;
	lst->w = w;
	fd = open_socket(cl, SOCK_DGRAM, w->threaded);
	rc = fd < 0 ? fd : 0;
	if (rc == 0) {
		uv_udp_init_ex(w->loop, &lst->udp, AF_UNSPEC | UV_UDP_RECVMMSG);
		lst->udp_init = true;
		lst->udp.data = lst;
		rc = uv_udp_open(&lst->udp, fd);
		if (rc != 0) {
			close(fd);
		}
	}
	if (rc == 0) {
		rc = uv_udp_recv_start(&lst->udp, udp_alloc, on_udp_recv);
	}
	if (rc == 0) {
		fd = open_socket(cl, SOCK_STREAM, w->threaded);
		rc = fd < 0 ? fd : 0;
	}
	if (rc == 0) {
		uv_tcp_init(w->loop, &lst->tcp);
		lst->tcp_init = true;
		lst->tcp.data = lst;
		rc = uv_tcp_open(&lst->tcp, fd);
		if (rc != 0) {
			close(fd);
		}
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

/* ---- messages from the main loop ------------------------------------ */

/* The replica of the log with this id, NULL when no longer served. */
static struct tlog *
replica_find(struct worker *w, uint64_t id)
{
	for (size_t i = 0; i < w->set->count; i++) {
		if (w->set->replicas[i].id == id) {
			return &w->set->replicas[i];
		}
	}
	return NULL;
}

static void
apply_sth(struct worker *w, const struct sth_msg *s)
{
	struct tlog *r = replica_find(w, s->m.log);
	if (r == NULL) {
		return;
	}
	r->has_sth = s->has_sth;
	r->sth = s->sth;
	memcpy(r->sth_txt, s->txt, s->txt_len);
	r->sth_txt_len = s->txt_len;
}

/* Switch the answer path to a new set of logs; free the old one. */
static void
apply_logs(struct worker *w, struct worker_logset *set)
{
	struct worker_logset *old = w->set;
	w->set = set;
	w->ax.logs = set->logs;
	w->ax.log_count = set->count;
	worker_logset_free(old);
}

static void
handle_msgs(struct worker *w, struct worker_msg *m)
{
	while (m != NULL) {
		struct worker_msg *next = m->next;
		switch (m->kind) {
		case WORKER_MSG_JOB:
			job_finish(container_of(m, struct pending, job.m));
			break;
		case WORKER_MSG_STH:
			apply_sth(w, (struct sth_msg *)m);
			free(m);
			break;
		case WORKER_MSG_LOGS:
			apply_logs(w, (struct worker_logset *)m);
			break;
		}
		m = next;
	}
}

void
worker_post_sth(struct worker *w, const struct tlog *log)
{
	struct sth_msg *s = malloc(sizeof *s);
	if (s == NULL) {
		log_err("log %s: out of memory telling a worker of the new "
			"tree head", log->name);
		return;
	}
	s->m.kind = WORKER_MSG_STH;
	s->m.log = log->id;
	s->has_sth = log->has_sth;
	s->sth = log->sth;
	memcpy(s->txt, log->sth_txt, log->sth_txt_len);
	s->txt_len = log->sth_txt_len;
	worker_queue_push(&w->inbox, &s->m, false);
}

/* A replica: what the answer path reads of a log, owned by the worker.
 * The settings' strings are not copied (the answer path reads numbers
 * only); NULL, so that a use would fail loudly, not read freed memory. */
static void
replica_init(struct tlog *r, const struct tlog *src, struct zone *zone)
{
	r->id = src->id;
	r->settings = src->settings;
	r->settings.name = r->settings.zone = r->settings.zonefile = NULL;
	r->settings.url = r->settings.file = NULL;
	r->settings.key_der = NULL;
	r->settings.key_der_len = 0;
	r->conf = &r->settings;
	r->store = src->store;
	r->slog = src->slog;	/* owned by the store, which outlives us */
	r->has_sth = src->has_sth;
	r->sth = src->sth;
	memcpy(r->sth_txt, src->sth_txt, src->sth_txt_len);
	r->sth_txt_len = src->sth_txt_len;
	r->zone = zone;
}

struct worker_logset *
worker_logset_new(size_t count, struct worker_zone **zones)
{
	struct worker_logset *set = calloc(1, sizeof *set);
	if (set == NULL) {
		return NULL;
	}
	set->m.kind = WORKER_MSG_LOGS;
	set->logs = calloc(count + 1, sizeof *set->logs);
	if (zones != NULL) {
		set->zones = calloc(count + 1, sizeof *set->zones);
		set->replicas = calloc(count + 1, sizeof *set->replicas);
	}
	if (set->logs == NULL || (zones != NULL && (set->zones == NULL ||
	    set->replicas == NULL))) {
		worker_logset_free(set);
		return NULL;
	}
	set->count = count;
	for (size_t i = 0; zones != NULL && i < count; i++) {
		__atomic_add_fetch(&zones[i]->refs, 1, __ATOMIC_RELAXED);
		set->zones[i] = zones[i];
	}
	return set;
}

/* Read the main loop's logs into the set (on the main thread). */
static void
logset_fill(struct worker_logset *set, struct tlog *const *logs)
{
	for (size_t i = 0; i < set->count; i++) {
		set->logs[i] = logs[i];
		if (set->replicas != NULL) {
			replica_init(&set->replicas[i], logs[i],
			    set->zones[i]->zone);
			set->logs[i] = &set->replicas[i];
		}
	}
}

void
worker_logset_free(struct worker_logset *set)
{
	if (set == NULL) {
		return;
	}
	for (size_t i = 0; set->zones != NULL && i < set->count; i++) {
		worker_zone_release(set->zones[i]);
	}
	free(set->zones);
	free(set->replicas);
	free(set->logs);
	free(set);
}

void
worker_post_logs(struct worker *w, struct worker_logset *set,
    struct tlog *const *logs)
{
	logset_fill(set, logs);
	if (w->threaded) {
		worker_queue_push(&w->inbox, &set->m, false);
	} else {
		apply_logs(w, set);
	}
}

/* ---- life cycle ------------------------------------------------------- */

/* Close listeners, connections and (threaded) the inbox's handle. */
static void
close_all(struct worker *w)
{
	if (w->stopping) {
		return;
	}
	w->stopping = true;
	for (size_t i = 0; i < w->listener_count; i++) {
		listener_close(&w->listeners[i]);
	}
	while (w->conns != NULL) {
		conn_close(w->conns);
	}
	if (w->async_init) {
		/* Jobs still queued are freed (stopping); later ones wait
		 * for worker_join(). */
		handle_msgs(w, worker_queue_close(&w->inbox));
		uv_close((uv_handle_t *)&w->async, NULL);
	}
}

static void
on_inbox(uv_async_t *h)
{
	struct worker *w = h->data;
	handle_msgs(w, worker_queue_take(&w->inbox));
	if (__atomic_load_n(&w->stop_requested, __ATOMIC_ACQUIRE)) {
		close_all(w);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	/* Named for ps -L, top -H and the tests: "ctdnsd-w0". */
	snprintf(name, sizeof name, "ctdnsd-w%u", w->id % 1000u);
	pthread_setname_np(pthread_self(), name);
	uv_run(w->loop, UV_RUN_DEFAULT);
	w->loop_status = uv_loop_close(w->loop);
	return NULL;
}

int
worker_new(const struct worker_env *env, uv_loop_t *loop,
    struct worker_zone **zones, struct worker **out, char *err,
    size_t err_len)
{
	struct worker *w = calloc(1, sizeof *w);
	int rc = CTD_ENOMEM;
	*out = NULL;
	if (w == NULL) {
		return CTD_ENOMEM;
	}
	*out = w;
	w->env = env;
	w->threaded = loop == NULL;
	w->loop = loop;
	w->udp_buf = malloc(UDP_BATCH * UDP_CHUNK);
	w->set = worker_logset_new(env->log_count, loop == NULL ? zones :
	    NULL);
	if (w->set != NULL) {
		logset_fill(w->set, env->logs);
	}
	w->listeners = calloc(env->conf->listen_count, sizeof *w->listeners);
	if (w->threaded) {
		uv_loop_init(&w->own_loop);
		w->own_loop_init = true;
		w->loop = &w->own_loop;
		uv_async_init(w->loop, &w->async, on_inbox);
		w->async.data = w;
		w->async_init = true;
		worker_queue_init(&w->inbox, 0, &w->async);
	}
	if (w->udp_buf != NULL && w->set != NULL && w->listeners != NULL) {
		rc = CTD_OK;
	}
	if (rc == CTD_OK) {
		rc = answer_ctx_init(&w->ax, env->store, w->set->logs,
		    w->set->count);
		w->ax_init = rc == CTD_OK;
	}
	for (size_t i = 0; rc == CTD_OK && i < env->conf->listen_count; i++) {
		w->listener_count++;
		rc = listener_open(w, &w->listeners[i], &env->conf->listens[i],
		    err, err_len);
	}
	if (rc != CTD_OK && err[0] == '\0') {
		snprintf(err, err_len, "worker: %s", ctd_strerror(rc));
	}
	return rc;
}

int
worker_start(struct worker *w, unsigned id)
{
	if (!w->threaded) {
		return CTD_OK;
	}
	w->id = id;
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		return -rc;
	}
	w->started = true;
	return CTD_OK;
}

void
worker_stop(struct worker *w)
{
	if (!w->threaded) {
		close_all(w);
		return;
	}
	__atomic_store_n(&w->stop_requested, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&w->inbox.mu);
	if (w->inbox.async != NULL) {
		uv_async_send(w->inbox.async);
	}
	pthread_mutex_unlock(&w->inbox.mu);
}

void
worker_join(struct worker *w)
{
	if (!w->threaded) {
		return;
	}
	if (w->started) {
		pthread_join(w->thread, NULL);
		w->started = false;
	} else if (w->own_loop_init) {
		/* The thread never ran: close its loop here. */
		close_all(w);
		uv_run(w->loop, UV_RUN_DEFAULT);
		w->loop_status = uv_loop_close(w->loop);
	}
	w->own_loop_init = false;
	/* Jobs the main loop handed back after the worker closed. */
	handle_msgs(w, worker_queue_take(&w->inbox));
}

void
worker_free(struct worker *w)
{
	if (w == NULL) {
		return;
	}
	if (w->threaded) {
		handle_msgs(w, worker_queue_take(&w->inbox));
	}
	if (w->ax_init) {
		answer_ctx_deinit(&w->ax);
	}
	worker_logset_free(w->set);
	if (w->threaded) {
		worker_queue_deinit(&w->inbox);
	}
	free(w->listeners);
	free(w->udp_buf);
	free(w);
}

int
worker_loop_status(const struct worker *w)
{
	return w->threaded ? w->loop_status : 0;
}

/* Sum n counters, each read with a relaxed atomic load. */
static void
add_counters(uint64_t *sum, const uint64_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sum[i] += __atomic_load_n(&c[i], __ATOMIC_RELAXED);
	}
}

void
worker_stats_add(const struct worker *w, struct server_stats *sum)
{
	/* Both structs are made of uint64_t counters only. */
	_Static_assert(sizeof(struct server_stats) % sizeof(uint64_t) == 0,
	    "server_stats holds uint64_t counters only");
	_Static_assert(sizeof(struct answer_stats) % sizeof(uint64_t) == 0,
	    "answer_stats holds uint64_t counters only");
	struct server_stats own = { 0 };
	add_counters((uint64_t *)&own, (const uint64_t *)&w->stats,
	    offsetof(struct server_stats, answers) / sizeof(uint64_t));
	add_counters((uint64_t *)&own.answers, (const uint64_t *)&w->ax.stats,
	    sizeof(struct answer_stats) / sizeof(uint64_t));
	add_counters((uint64_t *)sum, (const uint64_t *)&own,
	    sizeof own / sizeof(uint64_t));
}
