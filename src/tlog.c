/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlog.c -- one served transparency log: its zone, key, store and upstream.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "conf.h"
#include "err.h"
#include "fetch.h"
#include "fill.h"
#include "log.h"
#include "logkey.h"
#include "mirror.h"
#include "rfc6962.h"
#include "source_rfc6962.h"
#include "source_tiled.h"
#include "sthpoll.h"
#include "store.h"
#include "tile.h"
#include "tlog.h"
#include "tlog_int.h"
#include "zone.h"


/* The view's copy of what answers read of the settings and the zone. */
static void
view_refresh(struct tlog *log)
{
	struct logview *v = &log->view;
	v->id = log->id;
	v->zone = log->zone;
	v->slog = log->slog;
	v->sth_ttl = log->conf->sth_ttl;
	v->proof_ttl = log->conf->proof_ttl;
	v->negative_ttl = log->conf->negative_ttl;
}

/* Restore the latest STH from the store, re-checking its signature so a
 * store written for another key is never served. */
static int
restore_sth(struct tlog *log)
{
	struct store_reader r;
	struct sth sth;
	int rc = store_reader_init(log->store, &r);
	if (rc != CTD_OK) {
		return rc;
	}
	rc = store_read_begin(&r);
	if (rc == CTD_OK) {
		rc = store_latest_sth(&r, log->slog, &sth);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	if (rc == CTD_ENOTFOUND) {
		return CTD_OK;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (sth_verify(&sth, log->key) != CTD_OK) {
		log_err("log %s: the stored tree head does not verify with the "
			"configured key; not serving it",
		    log->name);
		return CTD_OK;
	}
	tlog_serve(log, &sth);
	sthpoll_set_served(log->poller, &sth);
	log_notice("log %s: serving stored tree head, tree_size %llu",
	    log->name, (unsigned long long)sth.tree_size);
	return CTD_OK;
}

static char *
dup_or_null(const char *s, bool *failed)
{
	char *d = s != NULL ? strdup(s) : NULL;
	if (s != NULL && d == NULL) {
		*failed = true;
	}
	return d;
}

int
tlog_settings_dup(struct conf_log *dst, const struct conf_log *src)
{
	bool failed = false;
	*dst = *src;
	dst->name = dup_or_null(src->name, &failed);
	dst->zone = dup_or_null(src->zone, &failed);
	dst->zonefile = dup_or_null(src->zonefile, &failed);
	dst->url = dup_or_null(src->url, &failed);
	dst->monitoring_url = dup_or_null(src->monitoring_url, &failed);
	dst->submission_url = dup_or_null(src->submission_url, &failed);
	dst->file = dup_or_null(src->file, &failed);
	dst->key_der = src->key_der_len > 0 ? malloc(src->key_der_len) : NULL;
	if (dst->key_der != NULL) {
		memcpy(dst->key_der, src->key_der, src->key_der_len);
	} else if (src->key_der_len > 0) {
		failed = true;
	}
	if (conf_witness_dup(dst, src) != CTD_OK) {
		failed = true;
	}
	if (failed) {
		tlog_settings_free(dst);
		return CTD_ENOMEM;
	}
	return CTD_OK;
}

void
tlog_settings_free(struct conf_log *s)
{
	free(s->name);
	free(s->zone);
	free(s->zonefile);
	free(s->url);
	free(s->monitoring_url);
	free(s->submission_url);
	free(s->file);
	free(s->key_der);
	conf_witness_free(s);
	memset(s, 0, sizeof *s);
}

static struct fetch_limits
upstream_limits(const struct conf_log *conf)
{
	return (struct fetch_limits){
		.max_active = conf->upstream_concurrency,
		.max_queued = conf->upstream_queue,
		.timeout_ms = conf->upstream_timeout * 1000u,
		.max_body = conf->monitoring_url != NULL ? TILE_DATA_MAX :
		    RFC6962_BODY_MAX,
		.rate = conf->upstream_rate,
	};
}

/* ---- mirror mode: the background sync ----------------------------------- */

static void mirror_follow(struct tlog *log);

static void
on_mirror_synced(void *arg, int status)
{
	struct tlog *log = arg;
	if (status == CTD_OK && !log->closing) {
		mirror_follow(log);	/* the served head may have moved on */
	}
}

/* A mirror behind the served head reads on toward it. Called after every
 * switch and every poll; a sync that failed is retried at the next. */
static void
mirror_follow(struct tlog *log)
{
	if (log->mirror == NULL || log->closing || !log->view.has_sth ||
	    mirror_busy(log->mirror) ||
	    mirror_contiguous(log->mirror) >= log->view.sth.tree_size) {
		return;
	}
	(void)mirror_sync(log->mirror, &log->view.sth, false,
	    on_mirror_synced, log);
}

/* ---- the poller's io: heads and adoptions through the fill ---------- */

static int
io_get_head(void *arg, sthpoll_head_cb cb, void *cb_arg)
{
	struct tlog *log = arg;
	return fill_get_head(log->fill, cb, cb_arg);
}

static int
io_adopt(void *arg, const struct sth *cur, const struct sth *cand,
    sthpoll_done_cb cb, void *cb_arg)
{
	struct tlog *log = arg;
	if (log->mirror != NULL && cur != NULL &&
	    mirror_contiguous(log->mirror) >= cur->tree_size) {
		/* The mirror holds the served tree: a new head is served only
		 * once its root is recomputed from its entries. */
		int rc = mirror_sync(log->mirror, cand, true, cb, cb_arg);
		if (rc != CTD_ENOTFOUND) {
			return rc;
		}
	}
	/* A proxy; or a mirror that does not hold the served tree yet (the
	 * first head, on its signature, as a proxy takes it): its sync goes
	 * on in the background (mirror_follow), and queries are answered
	 * meanwhile from what is stored and, for the rest, from the log. */
	return fill_adopt_head(log->fill, cur, cand, cb, cb_arg);
}

static uint64_t
io_wall_ms(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
io_on_switch(void *arg, const struct sth *sth)
{
	tlog_cosign_adopted(arg, sth);
}

void
tlog_on_served(struct tlog *log)
{
	mirror_follow(log);
}

static void
on_alarm(void *arg)
{
	struct tlog *log = arg;
	log->alarm = true;
}

/* ---- the fill's env: the pool and the loop's clock ---------------------- */

static int
env_fetch(void *arg, const char *url, const char *label, bool along,
    fetch_cb cb, void *cb_arg)
{
	struct tlog *log = arg;
	if (log->pool == NULL) {
		return CTD_ECANCELED;
	}
	return along ? fetch_get_along(log->pool, url, label, cb, cb_arg) :
	    fetch_get(log->pool, url, label, cb, cb_arg);
}

static uint64_t
env_now_ms(void *arg)
{
	struct tlog *log = arg;
	return uv_now(log->poll_timer.loop);
}

/* The source of the log's kind: RFC 6962 (url:) or tiled
 * (monitoring-url:, with the origin from submission-url: when given). */
static int
open_source(struct tlog *log)
{
	const struct conf_log *c = log->conf;
	char origin[512];
	if (c->monitoring_url == NULL) {
		return source_rfc6962_new(c->url, log->key, &log->source);
	}
	if (c->submission_url != NULL) {
		int rc = source_tiled_origin(c->submission_url, origin,
		    sizeof origin);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return source_tiled_new(c->monitoring_url,
	    c->submission_url != NULL ? origin : NULL, log->key,
	    c->mirror_entries, &log->source);
}

/* The source, the fill and the poller, wired together. */
static int
open_upstream(struct tlog *log, struct writer *writer)
{
	int rc = open_source(log);
	if (rc != CTD_OK) {
		return rc;
	}
	struct fill_env env = {
		.name = log->name, .source = log->source, .store = log->store,
		.slog = log->slog, .writer = writer,
		.fetch = env_fetch, .fetch_arg = log,
		.now_ms = env_now_ms, .clock_arg = log,
		.on_alarm = on_alarm, .alarm_arg = log,
	};
	if ((log->fill = fill_new(&env)) == NULL) {
		return CTD_ENOMEM;
	}
	fill_set_negative_ttl(log->fill, log->conf->negative_ttl);
	struct sthpoll_io io = {
		.get_head = io_get_head, .adopt = io_adopt,
		.wall_ms = io_wall_ms, .on_switch = io_on_switch,
		.on_alarm = on_alarm, .arg = log,
	};
	if ((log->poller = sthpoll_new(log->name, &io)) == NULL) {
		return CTD_ENOMEM;
	}
	if (log->conf->mirror) {
		struct mirror_env menv = {
			.name = log->name, .fill = log->fill,
			.store = log->store, .slog = log->slog,
			.loop = log->poll_timer.loop,
			.batch = MIRROR_BATCH,
		};
		if ((log->mirror = mirror_new(&menv)) == NULL) {
			return CTD_ENOMEM;
		}
	}
	return CTD_OK;
}

/* The key and the store handle, the pool, the upstream, the stored head. */
static int
open_parts(struct tlog *log, struct writer *writer, struct fetcher *fetcher,
    char *err, size_t err_len)
{
	const struct conf_log *conf = log->conf;
	struct fetch_limits lim = upstream_limits(conf);
	int rc = logkey_from_der(conf->key_der, conf->key_der_len, &log->key);
	if (rc != CTD_OK) {
		snprintf(err, err_len, "%s:%u: log %s: key: %s", conf->file,
		    conf->line, conf->name, ctd_strerror(rc));
		return rc;
	}
	rc = store_log_open(log->store, logkey_id(log->key), &log->slog);
	view_refresh(log);
	if (rc == CTD_OK) {
		rc = fetch_pool_new(fetcher, &lim, conf->name, &log->pool);
	}
	if (rc == CTD_OK) {
		rc = open_upstream(log, writer);
	}
	if (rc == CTD_OK) {
		rc = restore_sth(log);
	}
	if (rc != CTD_OK) {
		snprintf(err, err_len, "log %s: %s", conf->name,
		    ctd_strerror(rc));
	}
	return rc;
}

int
tlog_new(const struct conf_log *conf, struct zone *zone, uv_loop_t *loop,
    struct store *store, struct writer *writer, struct fetcher *fetcher,
    struct tlog **out, char *err, size_t err_len)
{
	struct tlog *log = calloc(1, sizeof *log);
	int rc = CTD_ENOMEM;
	*out = NULL;
	if (log == NULL) {
		zone_free(zone);
		return CTD_ENOMEM;
	}
	log->zone = zone;
	log->conf = &log->settings;
	log->store = store;
	log->fetcher = fetcher;
	log->writer = writer;
	if ((log->name = strdup(conf->name)) == NULL ||
	    tlog_settings_dup(&log->settings, conf) != CTD_OK) {
		goto fail;
	}
	if (log->zone == NULL) {
		rc = zone_load(conf->zonefile, conf->zone, &log->zone, err,
		    err_len);
		if (rc != CTD_OK) {
			goto fail;
		}
	}
	/* The fill reads the timer's loop clock; a log that fails has a
	 * timer that was never started, closed by hand below. */
	uv_timer_init(loop, &log->poll_timer);
	log->poll_timer.data = log;
	rc = open_parts(log, writer, fetcher, err, err_len);
	if (rc != CTD_OK) {
		goto fail_timer;
	}
	*out = log;
	return CTD_OK;
fail_timer:
	tlog_retire(log);
	return rc;
fail:
	tlog_free(log);
	return rc;
}

static void
on_poll_timer(uv_timer_t *timer)
{
	struct tlog *log = timer->data;
	if (!log->closing) {
		sthpoll_poll(log->poller);
		mirror_follow(log);
		tlog_cosign_poll(log);
	}
}

/* Poll now, then every sth-refresh seconds. */
static void
poll_timer_start(struct tlog *log)
{
	uint64_t every = (uint64_t)log->conf->sth_refresh * 1000u;
	uv_timer_start(&log->poll_timer, on_poll_timer, 0, every);
}

void
tlog_start(struct tlog *log)
{
	int rc = tlog_cosign_start(log);
	if (rc != CTD_OK) {
		log_err("log %s: cannot ask witnesses: %s", log->name,
		    ctd_strerror(rc));
	}
	poll_timer_start(log);
}

void
tlog_close(struct tlog *log)
{
	if (log == NULL || log->closing) {
		return;
	}
	log->closing = true;
	sthpoll_stop(log->poller);
	fill_close(log->fill);
	tlog_cosign_close(log);
	uv_timer_stop(&log->poll_timer);
	uv_close((uv_handle_t *)&log->poll_timer, NULL);
}

void
tlog_free(struct tlog *log)
{
	if (log == NULL) {
		return;
	}
	/* The fill first: it cancels what the poller waits for. */
	fill_free(log->fill);
	tlog_cosign_free(log);
	mirror_free(log->mirror);
	sthpoll_free(log->poller);
	source_free(log->source);
	zone_free(log->zone);
	logkey_free(log->key);
	tlog_settings_free(&log->settings);
	free(log->name);
	free(log);
}

static void
on_retired(uv_handle_t *h)
{
	tlog_free(h->data);
}

void
tlog_retire(struct tlog *log)
{
	log->closing = true;
	if (log->poller != NULL) {
		sthpoll_stop(log->poller);
	}
	if (log->fill != NULL) {
		fill_close(log->fill);	/* fill_start() refuses from now on */
	}
	uv_timer_stop(&log->poll_timer);
	tlog_cosign_close(log);
	if (log->pool != NULL) {
		/* Wakes every fill's waiters (and the poller) at once. */
		fetch_pool_close(log->pool);
		log->pool = NULL;
	}
	log->poll_timer.data = log;
	uv_close((uv_handle_t *)&log->poll_timer, on_retired);
}

void
tlog_set_id(struct tlog *log, uint64_t id)
{
	log->id = id;
	log->view.id = id;
}

/* The served head's origin: url: for an RFC 6962 log, the tiled source's
 * (configured or learned from its first checkpoint) otherwise. */
static void
view_origin(struct tlog *log)
{
	struct logview *v = &log->view;
	const char *o = tlog_origin(log);
	v->origin_len = o != NULL ? strlen(o) : 0;
	memcpy(v->origin, o != NULL ? o : "", v->origin_len);
}

const char *
tlog_origin(struct tlog *log)
{
	const char *o = NULL;
	if (log->conf->monitoring_url == NULL) {
		o = source_tiled_origin(log->conf->url, log->origin,
		    sizeof log->origin) == CTD_OK ? log->origin : NULL;
	} else if (log->source != NULL) {
		o = source_tiled_get_origin(log->source);
	}
	return o != NULL && strlen(o) <= LOGVIEW_ORIGIN_MAX ? o : NULL;
}

void
tlog_serve(struct tlog *log, const struct sth *sth)
{
	struct logview *v = &log->view;
	view_origin(log);
	v->sth = *sth;
	v->has_sth = true;
	sth_to_txt(sth, v->sth_txt, sizeof v->sth_txt, &v->sth_txt_len);
	if (log->fill != NULL) {
		fill_set_served(log->fill, sth);
	}
	if (log->on_sth != NULL) {
		log->on_sth(log, log->on_sth_arg);
	}
}

struct tlog_stats
tlog_get_stats(const struct tlog *log)
{
	struct tlog_stats out = { 0 };
	struct sthpoll_stats ps;
	struct fill_stats fs;
	if (log->poller != NULL) {
		sthpoll_get_stats(log->poller, &ps);
		out.sth_polls = ps.polls;
		out.sth_accepted = ps.accepted;
		out.sth_rejected = ps.rejected;
		out.inconsistent = ps.inconsistent;
		out.last_poll_ok_ms = ps.last_ok_ms;
	}
	if (log->fill != NULL) {
		fill_get_stats(log->fill, &fs);
		out.fills_ok = fs.ok;
		out.fills_failed = fs.failed;
	}
	if (log->mirror != NULL) {
		struct mirror_stats ms;
		mirror_get_stats(log->mirror, &ms);
		out.mirror = true;
		out.mirror_entries = ms.contiguous;
		out.mirror_target = ms.target;
		out.mirror_batches = ms.batches;
	}
	out.witness = log->wstats;
	return out;
}

void
tlog_update(struct tlog *log, struct conf_log *settings, struct zone *zone)
{
	bool repoll = settings->sth_refresh != log->settings.sth_refresh;
	struct fetch_limits lim = upstream_limits(settings);
	const struct conf_log *was = &log->settings;
	bool limits = settings->upstream_concurrency !=
	    was->upstream_concurrency ||
	    settings->upstream_queue != was->upstream_queue ||
	    settings->upstream_timeout != was->upstream_timeout ||
	    settings->upstream_rate != was->upstream_rate;

	/* The witness client borrows the witnesses' keys and URLs: it goes
	 * with the old settings, and the next poll asks anew. */
	tlog_cosign_reset(log);
	tlog_settings_free(&log->settings);
	log->settings = *settings;
	memset(settings, 0, sizeof *settings);
	zone_free(log->zone);
	log->zone = zone;
	view_refresh(log);
	if (limits && log->pool != NULL) {
		/* Checked by conf_load(): cannot be refused. */
		(void)fetch_pool_set_limits(log->pool, &lim);
	}
	if (log->fill != NULL) {
		fill_set_negative_ttl(log->fill, log->settings.negative_ttl);
	}
	if (repoll && !log->closing) {
		poll_timer_start(log);
	}
}
