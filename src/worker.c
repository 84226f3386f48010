/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c -- one DNS worker: its life cycle, thread and listeners, and
 * the messages the main loop sends it (see worker.h; the UDP, TCP and
 * waiting-query parts are in worker_udp.c, worker_tcp.c and
 * worker_pending.c, sharing worker_int.h).
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
#include "logview.h"
#include "sth.h"
#include "worker.h"
#include "worker_int.h"
#include "zone.h"

#define TCP_BACKLOG 256
/* Socket buffers for bursts: best effort (capped by net.core.*mem_max). */
#define UDP_SOCKBUF (1 << 20)

/* A log's new tree head, for the worker's replica of the log. */
struct sth_msg {
	struct worker_msg m;
	bool has_sth;
	struct sth sth;
	char txt[STH_TXT_MAX];
	size_t txt_len;
	char origin[LOGVIEW_ORIGIN_MAX];
	size_t origin_len;
};

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
		rc = uv_udp_recv_start(&lst->udp, worker_udp_alloc,
		    worker_udp_recv);
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
		    worker_tcp_accept);
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
static struct logview *
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
	struct logview *r = replica_find(w, s->m.log);
	if (r == NULL) {
		return;
	}
	r->has_sth = s->has_sth;
	r->sth = s->sth;
	memcpy(r->sth_txt, s->txt, s->txt_len);
	r->sth_txt_len = s->txt_len;
	memcpy(r->origin, s->origin, s->origin_len);
	r->origin_len = s->origin_len;
}

/* Switch the answer path to a new set of logs; free the old one. */
static void
apply_logs(struct worker *w, struct worker_logset *set)
{
	struct worker_logset *old = w->set;
	w->set = set;
	answer_ctx_set_logs(&w->ax, set->logs, set->count, &set->apexes);
	worker_logset_free(old);
}

static void
handle_msgs(struct worker *w, struct worker_msg *m)
{
	while (m != NULL) {
		struct worker_msg *next = m->next;
		switch (m->kind) {
		case WORKER_MSG_JOB:
			worker_pending_finish(container_of(m,
			    struct worker_job, m));
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
worker_post_sth(struct worker *w, const struct logview *view)
{
	struct sth_msg *s = malloc(sizeof *s);
	if (s == NULL) {
		log_err("out of memory telling a worker of a new tree head");
		return;
	}
	s->m.kind = WORKER_MSG_STH;
	s->m.log = view->id;
	s->has_sth = view->has_sth;
	s->sth = view->sth;
	memcpy(s->txt, view->sth_txt, view->sth_txt_len);
	s->txt_len = view->sth_txt_len;
	memcpy(s->origin, view->origin, view->origin_len);
	s->origin_len = view->origin_len;
	worker_queue_push(&w->inbox, &s->m, false);
}

/* A replica: a copy of the main loop's view of a log, owned by the worker,
 * with the worker's own reference to the zone. */
static void
replica_init(struct logview *r, const struct logview *src, struct zone *zone)
{
	*r = *src;
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
	/* The table's memory now, on the main thread: switching to the
	 * set in the worker then cannot fail. */
	if (apexes_init(&set->apexes, count) != CTD_OK) {
		free(set);
		return NULL;
	}
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
logset_fill(struct worker_logset *set, struct logview *const *views)
{
	for (size_t i = 0; i < set->count; i++) {
		set->logs[i] = views[i];
		if (set->replicas != NULL) {
			replica_init(&set->replicas[i], views[i],
			    set->zones[i]->zone);
			set->logs[i] = &set->replicas[i];
		}
	}
	/* Sized for count by worker_logset_new(): cannot fail. */
	(void)answer_apexes_build(&set->apexes, set->logs, set->count);
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
	apexes_deinit(&set->apexes);
	free(set->zones);
	free(set->replicas);
	free(set->logs);
	free(set);
}

void
worker_post_logs(struct worker *w, struct worker_logset *set,
    struct logview *const *views)
{
	logset_fill(set, views);
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
		worker_tcp_close(w->conns);
	}
	if (w->snap_timer_init) {
		uv_close((uv_handle_t *)&w->snap_timer, NULL);
		store_read_release(&w->ax.reader);
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

/* A kept snapshot is dropped at least every WORKER_SNAPSHOT_MS. */
static void
on_snap_timer(uv_timer_t *h)
{
	struct worker *w = h->data;
	store_read_release(&w->ax.reader);
}

/* Hold the answer reader (store_read_hold) and start the timer that
 * bounds how long a kept snapshot lives; unreferenced, so it keeps no
 * loop alive. */
static void
snap_timer_start(struct worker *w)
{
	store_read_hold(&w->ax.reader);
	uv_timer_init(w->loop, &w->snap_timer);
	w->snap_timer.data = w;
	uv_timer_start(&w->snap_timer, on_snap_timer, WORKER_SNAPSHOT_MS,
	    WORKER_SNAPSHOT_MS);
	uv_unref((uv_handle_t *)&w->snap_timer);
	w->snap_timer_init = true;
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
		logset_fill(w->set, env->views);
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
		    w->set->count, (size_t)env->conf->answer_cache_size);
		w->ax_init = rc == CTD_OK;
	}
	if (rc == CTD_OK) {
		snap_timer_start(w);
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
