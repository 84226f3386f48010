/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.c -- the daemon's event loop: workers, the fills they ask for,
 * signals, reloads, and a clean shutdown (see server.h).
 *
 * The main loop owns the fetcher, the STH pollers and every fill (fill.c
 * and fetch.c are single-threaded); the store is written by the writer
 * thread alone (writer.h), whose results come back to the main loop. With
 * one worker, the worker shares the main loop and calls fill_start()
 * itself. With several, a worker's miss is pushed on the main loop's
 * inbox (bounded by SERVER_MAX_PENDING; full means SERVFAIL at once) and
 * woken with a uv_async_t; the main loop starts the fill, and its
 * callback hands the job back to the worker's own inbox.
 *
 * What workers read of a log is kept in their replicas (worker.h): each
 * new STH (tlog's on_sth) and, after a reload, each new set of logs is
 * posted to every worker; zones are shared by reference count, freed by
 * the last worker that lets go. Jobs and messages name a log by its id.
 *
 * SIGHUP: reload.c reads and checks the new configuration; this file
 * stages and commits it (see reload_commit() for the order).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "answer.h"
#include "conf.h"
#include "err.h"
#include "fetch.h"
#include "fill.h"
#include "log.h"
#include "note.h"
#include "reload.h"
#include "logkey.h"
#include "rrl.h"
#include "server.h"
#include "store.h"
#include "tlog.h"
#include "witness.h"
#include "worker.h"
#include "writer.h"
#include "zone.h"

/* A worker keeps at least this many queries waiting for the log. */
#define MIN_PENDING_PER_WORKER 64

struct server {
	uv_loop_t loop;
	struct conf *conf;
	struct store *store;
	struct fetcher *fetcher;
	struct writer *writer;		/* the store's one writer thread */
	struct witness *witness;	/* cosigner-key given; else NULL */
	struct tlog **logs;
	struct logview **views;		/* &logs[i]->view: what workers read */
	size_t log_count;
	uint64_t last_log_id;		/* ids are never reused */
	char *conf_path;		/* what SIGHUP reads */
	char *root;			/* the chroot, or NULL */
	struct rrl *rrl;
	unsigned tcp_conns;		/* atomic, over all workers */
	struct worker_env env;
	struct worker **workers;
	size_t worker_count;
	bool threaded;
	/* Threaded: the queries the workers hand to the main loop. */
	uv_async_t inbox_async;
	bool inbox_init;
	struct worker_queue inbox;
	uv_signal_t sig_term, sig_int, sig_hup;
	bool signals_init;
	bool stopping;
};

/* ---- fills ------------------------------------------------------------ */

static void
on_job_filled(void *arg, int status)
{
	worker_job_done(arg, status);
}

/* The log with this id, NULL when a reload removed it. */
static struct tlog *
find_log(const struct server *srv, uint64_t id)
{
	for (size_t i = 0; i < srv->log_count; i++) {
		if (srv->logs[i]->id == id) {
			return srv->logs[i];
		}
	}
	return NULL;
}

/* Start the fill of a job; on the main loop. */
static int
fill_direct(void *arg, struct worker_job *job)
{
	struct server *srv = arg;
	struct tlog *log = find_log(srv, job->m.log);
	if (log == NULL) {
		return CTD_ECANCELED;	/* removed: SERVFAIL */
	}
	return fill_start(log->fill, &job->need, on_job_filled, job);
}

/* A threaded worker's miss: to the main loop. On the worker's thread. */
static int
fill_via_main(void *arg, struct worker_job *job)
{
	struct server *srv = arg;
	return worker_queue_push(&srv->inbox, &job->m, true) ? CTD_OK :
	    CTD_EBUSY;
}

static void
on_inbox(uv_async_t *h)
{
	struct server *srv = h->data;
	struct worker_msg *m = worker_queue_take(&srv->inbox);
	while (m != NULL) {
		struct worker_msg *next = m->next;
		struct worker_job *job = (struct worker_job *)m;
		int rc = srv->stopping ? CTD_ECANCELED : fill_direct(srv, job);
		if (rc != CTD_OK) {
			worker_job_done(job, rc);
		}
		m = next;
	}
}

/* A log switched to a new STH: tell every worker. */
static void
on_sth(struct tlog *log, void *arg)
{
	struct server *srv = arg;
	for (size_t k = 0; k < srv->worker_count; k++) {
		worker_post_sth(srv->workers[k], &log->view);
	}
}

/* A log was created: name it and hook it up to the workers. */
static void
log_adopt(struct server *srv, struct tlog *log)
{
	tlog_set_id(log, ++srv->last_log_id);
	if (srv->threaded) {
		log->on_sth = on_sth;
		log->on_sth_arg = srv;
	}
}

/* ---- the witness -------------------------------------------------------- */

/* Trust a log's origin when the configuration gives it: an RFC 6962
 * log's url:, a tiled log's submission-url:, without scheme and trailing
 * slash (docs/witness.md). A tiled log without submission-url: is trusted
 * once it learns its origin (tlog_cosign.c). */
static void
witness_adopt(struct server *srv, struct tlog *log)
{
	char origin[NOTE_ORIGIN_MAX + 1];
	/* The same cosigner cosigns the log's own heads (tlog_cosign.c). */
	tlog_set_cosigner(log, srv->witness);
	const char *url = log->conf->url != NULL ? log->conf->url :
	    log->conf->submission_url;
	if (srv->witness == NULL || url == NULL ||
	    note_url_origin(url, origin, sizeof origin) != CTD_OK) {
		return;
	}
	server_trust_origin(srv, log, origin);
}

/* A continuing log whose configured origin (submission-url:) changes. */
static bool
origin_changed(const struct tlog *log, const struct conf_log *next)
{
	const char *a = log->conf->submission_url;
	const char *b = next->submission_url;
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

int
server_trust_origin(struct server *srv, const struct tlog *log,
    const char *origin)
{
	if (srv->witness == NULL) {
		return CTD_OK;
	}
	int rc = witness_trust(srv->witness, origin, log->key);
	if (rc != CTD_OK) {
		log_err("log %s: witness cannot trust origin %s: %s",
		    log->name, origin, ctd_strerror(rc));
	} else {
		log_info("log %s: witnessed as origin %s", log->name, origin);
	}
	return rc;
}

struct witness *
server_witness(struct server *srv)
{
	return srv->witness;
}

/* ---- signals ---------------------------------------------------------- */

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

/* ---- life cycle ------------------------------------------------------- */

static int
open_logs(struct server *srv, char *err, size_t err_len)
{
	srv->logs = calloc(srv->conf->log_count, sizeof *srv->logs);
	if (srv->logs == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < srv->conf->log_count; i++) {
		int rc = tlog_new(&srv->conf->logs[i], NULL, &srv->loop,
		    srv->store, srv->writer, srv->fetcher, &srv->logs[i], err,
		    err_len);
		if (rc != CTD_OK) {
			return rc;
		}
		log_adopt(srv, srv->logs[i]);
		witness_adopt(srv, srv->logs[i]);
		srv->log_count++;
	}
	srv->views = calloc(srv->log_count + 1, sizeof *srv->views);
	if (srv->views == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < srv->log_count; i++) {
		srv->views[i] = &srv->logs[i]->view;
	}
	return CTD_OK;
}

static int
open_rrl(struct server *srv)
{
	const struct conf *c = srv->conf;
	struct rrl_config rc = {
		.rate = c->rrl_rate, .slip = c->rrl_slip,
		.ipv4_prefix = c->rrl_ipv4_prefix,
		.ipv6_prefix = c->rrl_ipv6_prefix, .size = c->rrl_size,
		.shared = c->workers > 1,
	};
	if (c->rrl_rate == 0) {
		return CTD_OK;
	}
	if (getrandom(&rc.seed, sizeof rc.seed, 0) != sizeof rc.seed) {
		rc.seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^
		    (uint64_t)(uintptr_t)srv;
	}
	return rrl_new(&rc, &srv->rrl);
}

/* Threaded: one more copy of each zone, shared by the workers. */
static int
load_worker_zones(struct server *srv, struct worker_zone **zones, char *err,
    size_t err_len)
{
	for (size_t i = 0; i < srv->log_count; i++) {
		const struct conf_log *cl = srv->logs[i]->conf;
		struct zone *z;
		int rc = zone_load(cl->zonefile, cl->zone, &z, err, err_len);
		if (rc != CTD_OK) {
			return rc;
		}
		if ((zones[i] = worker_zone_new(z, 1)) == NULL) {
			return CTD_ENOMEM;
		}
	}
	return CTD_OK;
}

static int
open_workers(struct server *srv, char *err, size_t err_len)
{
	unsigned n = srv->threaded ? srv->conf->workers : 1;
	struct worker_zone **zones = NULL;
	int rc = CTD_ENOMEM;

	srv->workers = calloc(n, sizeof *srv->workers);
	if (srv->workers == NULL) {
		return CTD_ENOMEM;
	}
	if (srv->threaded) {
		zones = calloc(srv->log_count, sizeof *zones);
		if (zones == NULL) {
			return CTD_ENOMEM;
		}
		rc = load_worker_zones(srv, zones, err, err_len);
		if (rc != CTD_OK) {
			goto out;
		}
	}
	rc = CTD_OK;
	for (unsigned i = 0; rc == CTD_OK && i < n; i++) {
		rc = worker_new(&srv->env, srv->threaded ? NULL : &srv->loop,
		    zones, &srv->workers[i], err, err_len);
		if (srv->workers[i] != NULL) {
			srv->worker_count++;
		}
	}
out:
	for (size_t i = 0; zones != NULL && i < srv->log_count; i++) {
		worker_zone_release(zones[i]);
	}
	free(zones);
	return rc;
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
	srv->threaded = conf->workers > 1;
	uv_loop_init(&srv->loop);
	rc = store_open(conf->database, conf->database_size, &srv->store);
	if (rc != CTD_OK) {
		snprintf(err, err_len, "database %s: %s", conf->database,
		    ctd_strerror(rc));
		goto fail;
	}
	rc = writer_new(srv->store, &srv->loop, &srv->writer);
	if (rc == CTD_OK && conf->has_cosigner) {
		rc = witness_new(srv->store, conf->cosigner_name,
		    conf->cosigner_seed, &srv->witness);
		char vkey[NOTE_VKEY_MAX];
		if (rc == CTD_OK && note_vkey_format(witness_vkey(srv->witness),
		    vkey, sizeof vkey) == CTD_OK) {
			log_notice("cosigner %s", vkey);
		}
	}
	if (rc == CTD_OK) {
		rc = fetcher_new(&srv->loop, &srv->fetcher);
	}
	if (rc == CTD_OK) {
		rc = fetcher_set_source(srv->fetcher,
		    conf->outgoing_interface);
	}
	if (rc == CTD_OK) {
		rc = open_logs(srv, err, err_len);
	}
	if (rc == CTD_OK) {
		rc = open_rrl(srv);
	}
	if (rc == CTD_OK && srv->threaded) {
		uv_async_init(&srv->loop, &srv->inbox_async, on_inbox);
		srv->inbox_async.data = srv;
		srv->inbox_init = true;
		worker_queue_init(&srv->inbox, SERVER_MAX_PENDING,
		    &srv->inbox_async);
	}
	if (rc == CTD_OK) {
		unsigned per = SERVER_MAX_PENDING / conf->workers;
		srv->env = (struct worker_env){
			.conf = conf, .store = srv->store, .views = srv->views,
			.log_count = srv->log_count, .rrl = srv->rrl,
			.tcp_conns = &srv->tcp_conns,
			.max_pending = per > MIN_PENDING_PER_WORKER ? per :
			    MIN_PENDING_PER_WORKER,
			.fill = srv->threaded ? fill_via_main : fill_direct,
			.fill_arg = srv,
		};
		rc = open_workers(srv, err, err_len);
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
	int rc = CTD_OK;
	for (size_t i = 0; i < srv->log_count; i++) {
		tlog_start(srv->logs[i]);
	}
	for (size_t i = 0; rc == CTD_OK && i < srv->worker_count; i++) {
		rc = worker_start(srv->workers[i], (unsigned)i);
	}
	if (rc != CTD_OK) {
		log_err("cannot start a worker thread: %s", ctd_strerror(rc));
		server_stop(srv);
	} else {
		log_notice("ctdnsd %s ready: %zu log(s), %zu listen "
			"address(es), %zu worker(s)", PACKAGE_VERSION,
		    srv->log_count, (size_t)srv->conf->listen_count,
		    srv->worker_count);
	}
	uv_run(&srv->loop, UV_RUN_DEFAULT);
	return rc;
}

void
server_stop(struct server *srv)
{
	if (srv->stopping) {
		return;
	}
	srv->stopping = true;
	if (srv->inbox_init) {
		/* No more misses from the workers; those queued go back. */
		struct worker_msg *m = worker_queue_close(&srv->inbox);
		while (m != NULL) {
			struct worker_msg *next = m->next;
			worker_job_done((struct worker_job *)m, CTD_ECANCELED);
			m = next;
		}
		uv_close((uv_handle_t *)&srv->inbox_async, NULL);
	}
	/* Listeners and connections first, so a canceled fill cannot make
	 * a connection read its next query. */
	for (size_t i = 0; i < srv->worker_count; i++) {
		worker_stop(srv->workers[i]);
	}
	for (size_t i = 0; i < srv->log_count; i++) {
		tlog_close(srv->logs[i]);
	}
	if (srv->fetcher != NULL) {
		/* Cancels every fill: their jobs go back to the workers. */
		fetcher_close(srv->fetcher);
	}
	/* What is queued is written and its waiters woken, then the thread
	 * ends: nothing committed is lost, nothing waits on a dead thread. */
	writer_close(srv->writer);
	if (srv->signals_init) {
		uv_close((uv_handle_t *)&srv->sig_term, NULL);
		uv_close((uv_handle_t *)&srv->sig_int, NULL);
		uv_close((uv_handle_t *)&srv->sig_hup, NULL);
	}
}

/* ---- reload ------------------------------------------------------------ */

/* What a reload builds before it commits; none of it is visible yet. */
struct reload_stage {
	struct tlog **next;		/* the logs to serve, plan order */
	struct logview **views;		/* their views, filled at commit */
	struct worker_zone **zones;	/* threaded: one per log */
	struct worker_logset **sets;	/* one per worker */
};

/* The new logs array: running logs that continue, and new logs created
 * (not started, and reachable from nowhere until the commit). */
static int
stage_logs(struct server *srv, struct reload_plan *plan,
    struct reload_stage *st, char *err, size_t err_len)
{
	st->next = calloc(plan->count + 1, sizeof *st->next);
	st->views = calloc(plan->count + 1, sizeof *st->views);
	if (st->next == NULL || st->views == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < plan->count; i++) {
		struct reload_log *rl = &plan->logs[i];
		struct zone *z = rl->zone;
		if (rl->running != RELOAD_NEW) {
			st->next[i] = srv->logs[rl->running];
			continue;
		}
		rl->zone = NULL;	/* tlog_new() takes it */
		int rc = tlog_new(&rl->settings, z, &srv->loop, srv->store,
		    srv->writer, srv->fetcher, &st->next[i], err, err_len);
		if (rc != CTD_OK) {
			return rc;
		}
		log_adopt(srv, st->next[i]);
	}
	return CTD_OK;
}

/* The workers' shared zones and one set of logs per worker. */
static int
stage_workers(struct server *srv, struct reload_plan *plan,
    struct reload_stage *st)
{
	st->sets = calloc(srv->worker_count + 1, sizeof *st->sets);
	if (st->sets == NULL) {
		return CTD_ENOMEM;
	}
	if (srv->threaded) {
		st->zones = calloc(plan->count + 1, sizeof *st->zones);
		if (st->zones == NULL) {
			return CTD_ENOMEM;
		}
		for (size_t i = 0; i < plan->count; i++) {
			struct zone *z = plan->logs[i].worker_zone;
			plan->logs[i].worker_zone = NULL;
			if ((st->zones[i] = worker_zone_new(z, 1)) == NULL) {
				return CTD_ENOMEM;
			}
		}
	}
	for (size_t k = 0; k < srv->worker_count; k++) {
		st->sets[k] = worker_logset_new(plan->count, st->zones);
		if (st->sets[k] == NULL) {
			return CTD_ENOMEM;
		}
	}
	return CTD_OK;
}

/* Free what is left of a stage; undo it when it was not committed (its
 * new logs never ran: retiring them frees them). */
static void
stage_free(struct server *srv, struct reload_plan *plan,
    struct reload_stage *st)
{
	for (size_t i = 0; st->next != NULL && i < plan->count; i++) {
		if (plan->logs[i].running == RELOAD_NEW &&
		    st->next[i] != NULL) {
			tlog_retire(st->next[i]);
		}
	}
	for (size_t k = 0; st->sets != NULL && k < srv->worker_count; k++) {
		worker_logset_free(st->sets[k]);
	}
	for (size_t i = 0; st->zones != NULL && i < plan->count; i++) {
		worker_zone_release(st->zones[i]);
	}
	free(st->next);
	free(st->views);
	free(st->sets);
	free(st->zones);
}

/*
 * Apply a staged reload; nothing here can fail. Order: the running logs
 * that continue take their new settings and zones; the server switches to
 * the new array (fills now find only its logs, by id); every worker is
 * posted its new set (a single-loop worker switches at once, a threaded
 * one after what is already in its FIFO); then removed logs are retired:
 * their fills are canceled (each query is answered again by its worker,
 * which has switched already: REFUSED) and each is freed in its timer's
 * close callback. No worker holds a pointer to a main-loop log (replicas are
 * copies, jobs carry ids), so freeing one never races with a worker.
 */
static void
reload_commit(struct server *srv, struct reload_plan *plan,
    struct reload_stage *st)
{
	struct tlog **old = srv->logs;
	struct logview **old_views = srv->views;
	size_t old_count = srv->log_count;
	for (size_t i = 0; i < plan->count; i++) {
		struct reload_log *rl = &plan->logs[i];
		if (rl->running != RELOAD_NEW) {
			bool reorigin = origin_changed(st->next[i],
			    &rl->settings);
			tlog_update(st->next[i], &rl->settings, rl->zone);
			rl->zone = NULL;
			if (reorigin && srv->witness != NULL) {
				witness_untrust_log(srv->witness,
				    logkey_id(st->next[i]->key));
				witness_adopt(srv, st->next[i]);
			}
		}
	}
	srv->logs = st->next;
	srv->views = st->views;
	srv->log_count = plan->count;
	for (size_t i = 0; i < srv->log_count; i++) {
		srv->views[i] = &srv->logs[i]->view;
	}
	srv->env.views = srv->views;
	srv->env.log_count = srv->log_count;
	st->next = NULL;
	st->views = NULL;
	for (size_t k = 0; k < srv->worker_count; k++) {
		worker_post_logs(srv->workers[k], st->sets[k], srv->views);
		st->sets[k] = NULL;
	}
	for (size_t i = 0; i < old_count; i++) {
		if (plan->removed[i]) {
			log_notice("reload: log %s removed", old[i]->name);
			if (srv->witness != NULL) {
				witness_untrust_log(srv->witness,
				    logkey_id(old[i]->key));
			}
			tlog_retire(old[i]);
		}
	}
	free(old);
	free(old_views);
	for (size_t i = 0; i < plan->count; i++) {
		bool added = plan->logs[i].running == RELOAD_NEW;
		log_notice("reload: log %s %s (zone %s)", srv->logs[i]->name,
		    added ? "added" : "updated", srv->logs[i]->conf->zone);
		if (added) {
			witness_adopt(srv, srv->logs[i]);
			tlog_start(srv->logs[i]);
		}
	}
	if (plan->conf != NULL) {
		log_set_verbosity(plan->conf->verbosity);
	}
}

static int
reload_apply(struct server *srv, struct reload_plan *plan, char *err,
    size_t err_len)
{
	struct reload_stage st = { 0 };
	err[0] = '\0';
	int rc = stage_logs(srv, plan, &st, err, err_len);
	if (rc == CTD_OK) {
		rc = stage_workers(srv, plan, &st);
	}
	if (rc == CTD_OK) {
		reload_commit(srv, plan, &st);
		log_notice("reload: serving %zu log(s)", srv->log_count);
	} else if (err[0] == '\0') {
		snprintf(err, err_len, "%s", ctd_strerror(rc));
	}
	stage_free(srv, plan, &st);
	return rc;
}

void
server_reload(struct server *srv)
{
	char err[1024];
	struct reload_plan *plan;
	if (srv->stopping) {
		return;
	}
	if (srv->conf_path != NULL) {
		log_notice("reload: reading %s", srv->conf_path);
	} else {
		log_notice("reload: the configuration file is out of reach; "
			   "reloading the zone files only");
	}
	if (reload_prepare(srv->conf_path, srv->root, srv->conf, srv->logs,
	    srv->log_count, srv->threaded, &plan, err, sizeof err) !=
	    CTD_OK) {
		log_err("reload: %s; keeping the running configuration", err);
		return;
	}
	for (size_t i = 0; i < plan->restart_count; i++) {
		log_warn("reload: %s changed: a restart is needed to apply it; "
			 "keeping the running value", plan->restart[i]);
	}
	if (reload_apply(srv, plan, err, sizeof err) != CTD_OK) {
		log_err("reload: %s; keeping the running configuration", err);
	}
	reload_plan_free(plan);
}

int
server_set_conf_path(struct server *srv, const char *path, const char *root)
{
	char *p = path != NULL ? strdup(path) : NULL;
	char *r = root != NULL ? strdup(root) : NULL;
	if ((path != NULL && p == NULL) || (root != NULL && r == NULL)) {
		free(p);
		free(r);
		return CTD_ENOMEM;
	}
	free(srv->conf_path);
	free(srv->root);
	srv->conf_path = p;
	srv->root = r;
	return CTD_OK;
}

void
server_stats(struct server *srv, struct server_stats *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < srv->worker_count; i++) {
		worker_stats_add(srv->workers[i], out);
	}
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
	for (size_t i = 0; i < srv->worker_count; i++) {
		worker_join(srv->workers[i]);
		if (worker_loop_status(srv->workers[i]) != 0) {
			log_err("shutdown: handles left open on worker %zu's "
				"loop", i);
		}
	}
	/* Logs before workers: a fill still waiting hands its job back. */
	for (size_t i = 0; i < srv->log_count; i++) {
		tlog_free(srv->logs[i]);
	}
	for (size_t i = 0; i < srv->worker_count; i++) {
		worker_free(srv->workers[i]);
	}
	free(srv->workers);
	free(srv->logs);
	free(srv->views);
	rrl_free(srv->rrl);
	if (srv->inbox_init) {
		worker_queue_deinit(&srv->inbox);
	}
	witness_free(srv->witness);
	store_close(srv->store);
	if (uv_loop_close(&srv->loop) != 0) {
		log_err("shutdown: handles left open on the loop");
	}
	conf_free(srv->conf);
	free(srv->conf_path);
	free(srv->root);
	free(srv);
}
