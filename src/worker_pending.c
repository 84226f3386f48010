/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_pending.c -- the queries a worker keeps while the log fills the
 * store for them (see worker_int.h).
 *
 * A query that missed the store is copied into a struct pending and its
 * job handed to worker_env.fill (the main loop's fill machinery). When
 * the job comes back (worker_job_done(): directly on the single loop,
 * through the worker's inbox when threaded) the query is answered again
 * with the fill's status; answer_query() may ask for another fill (a
 * further round). A TCP query holds its connection until it ends. At
 * most worker_env.max_pending wait; beyond that, or when the fill is
 * refused at once, the query gets SERVFAIL now rather than piling up.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "answer.h"
#include "err.h"
#include "logview.h"
#include "worker_int.h"

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

static void pending_fill(struct pending *p, const struct answer_result *res);

static void
pending_free(struct pending *p)
{
	struct conn *c = p->conn;
	p->job.w->pending_count--;
	free(p);
	if (c != NULL) {
		c->refs--;
		worker_tcp_release(c);
		worker_tcp_maybe_free(c);
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
			worker_tcp_send(p->conn, w->out, res->len);
		} else if (!p->tcp) {
			worker_udp_answer(w, p->lst,
			    (struct sockaddr *)&p->peer, res, false);
		}
	}
	pending_free(p);
}

/* A job came back: look again with the fill's status. */
void
worker_pending_finish(struct worker_job *job)
{
	struct pending *p = container_of(job, struct pending, job);
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
void
worker_pending_start(struct worker *w, const uint8_t *pkt, size_t len,
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
			worker_tcp_send(c, w->out, fail.len);
		} else {
			worker_udp_answer(w, lst, peer, &fail, false);
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
		worker_pending_finish(job);
		return;
	}
	worker_queue_push(&w->inbox, &job->m, false);
}
