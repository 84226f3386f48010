/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlog.c -- one served transparency log: its zone, key, store and upstream.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctlog.h"
#include "err.h"
#include "fetch.h"
#include "fill.h"
#include "log.h"
#include "logkey.h"
#include "merkle.h"
#include "sthpoll.h"
#include "store.h"
#include "tlog.h"
#include "zone.h"


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
	log->sth = sth;
	log->has_sth = true;
	sth_to_txt(&sth, log->sth_txt, sizeof log->sth_txt, &log->sth_txt_len);
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
	dst->file = dup_or_null(src->file, &failed);
	dst->key_der = src->key_der_len > 0 ? malloc(src->key_der_len) : NULL;
	if (dst->key_der != NULL) {
		memcpy(dst->key_der, src->key_der, src->key_der_len);
	} else if (src->key_der_len > 0) {
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
	free(s->file);
	free(s->key_der);
	memset(s, 0, sizeof *s);
}

static struct fetch_limits
upstream_limits(const struct conf_log *conf)
{
	return (struct fetch_limits){
		.max_active = conf->upstream_concurrency,
		.max_queued = conf->upstream_queue,
		.timeout_ms = conf->upstream_timeout * 1000u,
		.max_body = CTLOG_BODY_MAX,
		.rate = conf->upstream_rate,
	};
}

/* The key and the store handles, the pool and the fill state. */
static int
open_parts(struct tlog *log, struct fetcher *fetcher, char *err,
    size_t err_len)
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
	if (rc == CTD_OK) {
		rc = fetch_pool_new(fetcher, &lim, conf->name, &log->pool);
	}
	if (rc == CTD_OK && (log->fill = fill_new(log)) == NULL) {
		rc = CTD_ENOMEM;
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
    struct store *store, struct fetcher *fetcher, struct tlog **out,
    char *err, size_t err_len)
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
	rc = open_parts(log, fetcher, err, err_len);
	if (rc != CTD_OK) {
		goto fail;
	}
	/* The timer comes last: a log that failed has no handle to close. */
	uv_timer_init(loop, &log->poll_timer);
	log->poll_timer.data = log;
	*out = log;
	return CTD_OK;
fail:
	if (log->pool != NULL) {
		fetch_pool_close(log->pool);
	}
	tlog_free(log);
	return rc;
}

void
tlog_start(struct tlog *log)
{
	sthpoll_start(log);
}

void
tlog_close(struct tlog *log)
{
	if (log == NULL || log->closing) {
		return;
	}
	log->closing = true;
	sthpoll_stop(log);
	uv_close((uv_handle_t *)&log->poll_timer, NULL);
}

void
tlog_free(struct tlog *log)
{
	if (log == NULL) {
		return;
	}
	fill_free(log->fill);
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
	log->closing = true;	/* fill_start() refuses from now on */
	sthpoll_stop(log);
	if (log->pool != NULL) {
		/* Wakes every fill's waiters (and the poller) at once. */
		fetch_pool_close(log->pool);
		log->pool = NULL;
	}
	log->poll_timer.data = log;
	uv_close((uv_handle_t *)&log->poll_timer, on_retired);
}

int
tlog_set_sth(struct tlog *log, const struct sth *sth, const uint8_t *proof,
    size_t count)
{
	struct store_txn t;
	store_txn_begin(log->store, &t);
	store_put_sth(&t, log->slog, sth);
	if (sth->tree_size > 0) {
		store_put_range(&t, log->slog, 0, sth->tree_size, sth->root);
	}
	if (proof != NULL && log->has_sth) {
		fill_put_consistency(&t, log->slog, log->sth.tree_size,
		    sth->tree_size, proof, count);
	}
	int rc = store_txn_commit(&t);
	if (rc != CTD_OK) {
		log_err("log %s: cannot store tree head %llu: %s", log->name,
		    (unsigned long long)sth->tree_size, ctd_strerror(rc));
		return rc;
	}
	bool grew = !log->has_sth || sth->tree_size != log->sth.tree_size;
	log->sth = *sth;
	log->has_sth = true;
	sth_to_txt(sth, log->sth_txt, sizeof log->sth_txt, &log->sth_txt_len);
	if (grew) {
		log_notice("log %s: serving verified tree head, tree_size %llu",
		    log->name, (unsigned long long)sth->tree_size);
	}
	if (log->on_sth != NULL) {
		log->on_sth(log, log->on_sth_arg);
	}
	return CTD_OK;
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

	tlog_settings_free(&log->settings);
	log->settings = *settings;
	memset(settings, 0, sizeof *settings);
	zone_free(log->zone);
	log->zone = zone;
	if (limits && log->pool != NULL) {
		/* Checked by conf_load(): cannot be refused. */
		(void)fetch_pool_set_limits(log->pool, &lim);
	}
	if (repoll && !log->closing) {
		sthpoll_start(log);
	}
}
