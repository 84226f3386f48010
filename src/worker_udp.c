/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_udp.c -- a worker's UDP queries: read in recvmmsg batches,
 * answered, sent in sendmmsg batches (see worker_int.h).
 *
 * The hot path. UDP queries are read with recvmmsg (libuv's
 * UV_UDP_RECVMMSG: up to UDP_BATCH datagrams per system call into one
 * buffer of UDP_BATCH * 64 KiB that the worker owns), each is answered
 * into the worker's output buffer and copied into the worker's send batch,
 * and the batch goes out with one sendmmsg when libuv ends the receive
 * batch (UV_UDP_MMSG_FREE): a store hit allocates nothing and costs a
 * share of two system calls and no new store snapshot while nothing was
 * committed (the worker's reader is held: worker.c; the rate limiter
 * reads the loop's cached clock). Only a full
 * socket buffer makes a send copy its answer (a queued uv_udp_send).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "answer.h"
#include "logview.h"
#include "rrl.h"
#include "wire.h"
#include "worker_int.h"

struct udp_send {
	uv_udp_send_t req;
	uint8_t data[];
};

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

/* Send the answer in w->out over UDP (see worker_int.h). */
void
worker_udp_answer(struct worker *w, struct listener *lst,
    const struct sockaddr *peer, const struct answer_result *res,
    bool batch)
{
	size_t len = res->len;
	if (w->env->rrl != NULL) {
		/* The zone for the rate limiter: the log's place + 1, 0
		 * for none. */
		uint32_t zone = res->log != NULL ?
		    (uint32_t)(res->log_idx + 1) : 0;
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

void
worker_udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct listener *lst = h->data;
	(void)suggested;
	/* One loop, one receive at a time: one batch buffer serves all the
	 * worker's sockets. */
	*buf = uv_buf_init((char *)lst->w->udp_buf, UDP_BATCH * UDP_CHUNK);
}

void
worker_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
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
		worker_udp_answer(w, lst, peer, &res,
		    (flags & UV_UDP_MMSG_CHUNK) != 0);
	} else if (res.action == ANSWER_FILL) {
		worker_pending_start(w, (const uint8_t *)buf->base,
		    (size_t)nread, lst, peer, NULL, &res);
	}
}
