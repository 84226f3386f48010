/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_int.h -- what the files of one DNS worker share, and nothing
 * else includes: struct worker, its listeners and TCP connections, and
 * the calls between the worker's parts. The public API is worker.h.
 *
 *   worker.c          life cycle, listeners, the thread, messages from
 *                     the main loop (replicas of the logs)
 *   worker_udp.c      UDP: recvmmsg batches in, sendmmsg batches out
 *   worker_tcp.c      TCP: RFC 7766 connections, framing, writes
 *   worker_pending.c  queries waiting for the log: the fill hand-off and
 *                     the re-answer
 *   worker_queue.c    the queue between threads, shared zones
 *
 * Everything here runs on the worker's own thread (or the main loop for
 * the single-loop worker); see worker.h for what crosses threads.
 */
#ifndef CTD_WORKER_INT_H
#define CTD_WORKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <uv.h>

#include "answer.h"
#include "server_stats.h"
#include "wire.h"
#include "worker.h"

/* Queries in flight on one TCP connection before it stops reading. */
#define WORKER_TCP_MAX_INFLIGHT 32

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Datagrams per recvmmsg: libuv reads at most 20, each into 64 KiB. */
#define UDP_BATCH 20
/* The answer reader keeps its snapshot between queries while nothing is
 * committed (store_read_hold); it is dropped this often, so a snapshot
 * pins the pages of later commits for at most this long. */
#define WORKER_SNAPSHOT_MS 100
#define UDP_CHUNK (64 * 1024)

#define COUNT(c) ANSWER_COUNT(c)

/* One listen address: its UDP socket and its TCP listening socket. */
struct listener {
	struct worker *w;
	uv_udp_t udp;
	uv_tcp_t tcp;
	bool udp_init, tcp_init;
};

/* One TCP connection (RFC 7766): its buffer of unanswered bytes, and
 * what keeps it alive (handles, pending queries, unfinished writes). */
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

struct worker_logset {
	struct worker_msg m;		/* WORKER_MSG_LOGS */
	size_t count;
	struct logview **logs;		/* what the answer path reads */
	struct logview *replicas;	/* threaded: one per log */
	struct worker_zone **zones;	/* threaded: the replicas' zones */
	/* The logs' apexes, built with the set (answer_apexes_build());
	 * after the switch, the previous table's memory. */
	struct apexes apexes;
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
	/* Drops ax.reader's kept snapshot every WORKER_SNAPSHOT_MS. */
	uv_timer_t snap_timer;
	bool snap_timer_init;
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


/* ---- worker_udp.c ----------------------------------------------------- */

/*
 * Send the answer in w->out over UDP, unless the rate limiter says no.
 * @param lst: the listener the query came in on.
 * @param peer: the client; borrowed.
 * @param res: the answer's result (its length and log).
 * @param batch: inside a recvmmsg batch: join the send batch.
 */
void worker_udp_answer(struct worker *w, struct listener *lst,
    const struct sockaddr *peer, const struct answer_result *res,
    bool batch);

/* libuv's alloc and receive callbacks of a listener's UDP socket. */
void worker_udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
void worker_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *peer, unsigned flags);

/* ---- worker_tcp.c ----------------------------------------------------- */

/* libuv's connection callback of a listener's TCP socket. */
void worker_tcp_accept(uv_stream_t *server, int status);

/*
 * Send one DNS message on a connection, with its two-byte length
 * (RFC 7766 §8); data is copied when the kernel does not take it whole.
 * A write error closes the connection.
 */
void worker_tcp_send(struct conn *c, const uint8_t *data, size_t len);

/* Start closing a connection (a second call does nothing); it is freed
 * once its handles are closed and no pending query points to it. */
void worker_tcp_close(struct conn *c);

/* One of the connection's queries or writes is over: read on if it may. */
void worker_tcp_release(struct conn *c);

/* Free a closing connection once nothing holds it. */
void worker_tcp_maybe_free(struct conn *c);

/* ---- worker_pending.c ------------------------------------------------- */

/*
 * A query missed the store: keep a copy until its fill ends, or answer
 * SERVFAIL now when the worker keeps too many (or the fill is refused).
 * @param pkt, len: the query; copied.
 * @param lst, peer: UDP: where to answer; NULL for TCP.
 * @param c: TCP: the connection (held until the query ends); NULL for UDP.
 * @param res: answer_query()'s result, action ANSWER_FILL.
 */
void worker_pending_start(struct worker *w, const uint8_t *pkt, size_t len,
    struct listener *lst, const struct sockaddr *peer, struct conn *c,
    const struct answer_result *res);

/* A job is back from the main loop (or the fill): answer its query
 * again with the fill's status, or drop it when the worker is stopping. */
void worker_pending_finish(struct worker_job *job);

#endif /* CTD_WORKER_INT_H */
