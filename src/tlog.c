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

static int
open_upstream(struct tlog *log, const struct conf_log *conf,
    struct fetcher *fetcher)
{
	struct fetch_limits lim = {
		.max_active = conf->upstream_concurrency,
		.max_queued = conf->upstream_queue,
		.timeout_ms = conf->upstream_timeout * 1000u,
		.max_body = CTLOG_BODY_MAX,
		.rate = conf->upstream_rate,
	};
	return fetch_pool_new(fetcher, &lim, conf->name, &log->pool);
}

int
tlog_new(const struct conf_log *conf, uv_loop_t *loop, struct store *store,
    struct fetcher *fetcher, struct tlog **out, char *err, size_t err_len)
{
	struct tlog *log = calloc(1, sizeof *log);
	int rc = CTD_ENOMEM;
	if (log == NULL || (log->name = strdup(conf->name)) == NULL) {
		goto fail;
	}
	log->conf = conf;
	log->store = store;
	rc = zone_load(conf->zonefile, conf->zone, &log->zone, err, err_len);
	if (rc != CTD_OK) {
		goto fail;
	}
	rc = logkey_from_der(conf->key_der, conf->key_der_len, &log->key);
	if (rc != CTD_OK) {
		snprintf(err, err_len, "%s:%u: log %s: key: %s", conf->file,
		    conf->line, conf->name, ctd_strerror(rc));
		goto fail;
	}
	rc = store_log_open(store, logkey_id(log->key), &log->slog);
	if (rc == CTD_OK) {
		rc = open_upstream(log, conf, fetcher);
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
		goto fail;
	}
	/* The timer comes last: a log that failed has no handle to close. */
	uv_timer_init(loop, &log->poll_timer);
	log->poll_timer.data = log;
	*out = log;
	return CTD_OK;
fail:
	tlog_free(log);
	*out = NULL;
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
	free(log->name);
	free(log);
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
tlog_replace_zone(struct tlog *log, struct zone *zone)
{
	zone_free(log->zone);
	log->zone = zone;
}
