/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.c -- read a new configuration for SIGHUP and check all of it
 * against the running one before anything is applied (see reload.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "logkey.h"
#include "reload.h"
#include "tlog.h"
#include "zone.h"

static bool
str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return a != b;
	}
	return strcmp(a, b) != 0;
}

static bool
listens_differ(const struct conf *a, const struct conf *b)
{
	if (a->listen_count != b->listen_count) {
		return true;
	}
	for (size_t i = 0; i < a->listen_count; i++) {
		if (strcmp(a->listens[i].text, b->listens[i].text) != 0) {
			return true;
		}
	}
	return false;
}

static bool
metrics_differ(const struct conf *a, const struct conf *b)
{
	return a->has_metrics != b->has_metrics || (a->has_metrics &&
	    strcmp(a->metrics.text, b->metrics.text) != 0);
}

size_t
reload_restart_keys(const struct conf *a, const struct conf *b,
    const char **keys, size_t cap)
{
	const struct {
		const char *key;
		bool differ;
	} k[] = {
		{ "listen", listens_differ(a, b) },
		{ "database", str_differ(a->database, b->database) },
		{ "database-size", a->database_size != b->database_size },
		{ "workers", a->workers != b->workers },
		{ "username", str_differ(a->username, b->username) },
		{ "chroot", str_differ(a->chroot_dir, b->chroot_dir) },
		{ "metrics-listen", metrics_differ(a, b) },
		{ "witness-listen", a->has_witness != b->has_witness ||
		    (a->has_witness &&
		    strcmp(a->witness.text, b->witness.text) != 0) },
		{ "cosigner-name", str_differ(a->cosigner_name,
		    b->cosigner_name) },
		{ "cosigner-key", a->has_cosigner != b->has_cosigner ||
		    memcmp(a->cosigner_seed, b->cosigner_seed, 32) != 0 },
		{ "pidfile", str_differ(a->pidfile, b->pidfile) },
		{ "outgoing-interface", str_differ(a->outgoing_interface,
		    b->outgoing_interface) },
		{ "tcp-max-connections",
		    a->tcp_max_connections != b->tcp_max_connections },
		{ "tcp-idle-timeout",
		    a->tcp_idle_timeout != b->tcp_idle_timeout },
		{ "rrl-rate", a->rrl_rate != b->rrl_rate },
		{ "rrl-slip", a->rrl_slip != b->rrl_slip },
		{ "rrl-ipv4-prefix", a->rrl_ipv4_prefix != b->rrl_ipv4_prefix },
		{ "rrl-ipv6-prefix", a->rrl_ipv6_prefix != b->rrl_ipv6_prefix },
		{ "rrl-size", a->rrl_size != b->rrl_size },
		{ "answer-cache-size",
		    a->answer_cache_size != b->answer_cache_size },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (k[i].differ) {
			if (n < cap) {
				keys[n] = k[i].key;
			}
			n++;
		}
	}
	return n;
}

/* Take the chroot prefix off a path that has it, in place. */
static void
strip_root(char *path, const char *root)
{
	size_t n = root != NULL ? strlen(root) : 0;
	while (n > 0 && root[n - 1] == '/') {
		n--;
	}
	if (n == 0 || path == NULL || strncmp(path, root, n) != 0 ||
	    path[n] != '/') {
		return;
	}
	memmove(path, path + n, strlen(path + n) + 1);
}

static bool
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The same log upstream, read the same way. */
static bool
same_upstream(const struct conf_log *a, const struct conf_log *b)
{
	return same_string(a->url, b->url) &&
	    same_string(a->monitoring_url, b->monitoring_url) &&
	    same_string(a->submission_url, b->submission_url) &&
	    a->mirror == b->mirror && a->mirror_entries == b->mirror_entries;
}

/* The running log the new one continues: same name, upstream and key. */
static size_t
match(const struct conf_log *cl, struct tlog *const *logs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct conf_log *old = logs[i]->conf;
		if (strcmp(old->name, cl->name) != 0) {
			continue;
		}
		if (same_upstream(old, cl) &&
		    old->key_der_len == cl->key_der_len &&
		    memcmp(old->key_der, cl->key_der, cl->key_der_len) == 0) {
			return i;
		}
		return RELOAD_NEW;
	}
	return RELOAD_NEW;
}

/* Copy the settings of one log, then load and check its zone and key. */
static int
prepare_log(struct reload_log *rl, const struct conf_log *cl,
    const char *root, bool worker_zones, char *err, size_t err_len)
{
	const struct conf_log *s = &rl->settings;
	struct logkey *key = NULL;
	rl->conf = cl;
	if (tlog_settings_dup(&rl->settings, cl) != CTD_OK) {
		snprintf(err, err_len, "out of memory");
		return CTD_ENOMEM;
	}
	strip_root(rl->settings.zonefile, root);
	int rc = logkey_from_der(s->key_der, s->key_der_len, &key);
	logkey_free(key);
	if (rc != CTD_OK) {
		snprintf(err, err_len, "%s:%u: log %s: key: %s", s->file,
		    s->line, s->name, ctd_strerror(rc));
		return rc;
	}
	rc = zone_load(s->zonefile, s->zone, &rl->zone, err, err_len);
	if (rc == CTD_OK && worker_zones) {
		rc = zone_load(s->zonefile, s->zone, &rl->worker_zone, err,
		    err_len);
	}
	return rc;
}

/* No configuration file to read: every running log continues with its
 * settings and its zone file read again. */
static int
prepare_zones_only(struct reload_plan *p, const char *root,
    struct tlog *const *logs, bool worker_zones, char *err, size_t err_len)
{
	for (size_t i = 0; i < p->running_count; i++) {
		p->count++;
		p->logs[i].running = i;
		int rc = prepare_log(&p->logs[i], logs[i]->conf, root,
		    worker_zones, err, err_len);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return CTD_OK;
}

/* Match every new log and load its zone and key. */
static int
prepare_logs(struct reload_plan *p, const char *root,
    struct tlog *const *logs, size_t count, bool worker_zones, char *err,
    size_t err_len)
{
	for (size_t i = 0; i < p->running_count; i++) {
		p->removed[i] = true;
	}
	for (size_t i = 0; i < p->conf->log_count; i++) {
		const struct conf_log *cl = &p->conf->logs[i];
		struct reload_log *rl = &p->logs[i];
		p->count++;
		int rc = prepare_log(rl, cl, root, worker_zones, err,
		    err_len);
		if (rc != CTD_OK) {
			return rc;
		}
		rl->running = match(cl, logs, count);
		if (rl->running != RELOAD_NEW) {
			p->removed[rl->running] = false;
		}
	}
	return CTD_OK;
}

int
reload_prepare(const char *path, const char *root,
    const struct conf *running, struct tlog *const *logs, size_t count,
    bool worker_zones, struct reload_plan **out, char *err, size_t err_len)
{
	struct reload_plan *p = calloc(1, sizeof *p);
	int rc = CTD_ENOMEM;
	*out = NULL;
	err[0] = '\0';
	if (p == NULL) {
		goto fail;
	}
	rc = path != NULL ? conf_load(path, &p->conf, err, err_len) : CTD_OK;
	if (rc != CTD_OK) {
		goto fail;
	}
	rc = CTD_ENOMEM;
	p->running_count = count;
	p->logs = calloc((p->conf ? p->conf->log_count : count) + 1,
	    sizeof *p->logs);
	p->removed = calloc(count + 1, sizeof *p->removed);
	if (p->logs == NULL || p->removed == NULL) {
		goto fail;
	}
	rc = p->conf != NULL ? prepare_logs(p, root, logs, count,
	    worker_zones, err, err_len) : prepare_zones_only(p, root, logs,
	    worker_zones, err, err_len);
	if (rc != CTD_OK) {
		goto fail;
	}
	if (p->conf != NULL) {
		p->restart_count = reload_restart_keys(running, p->conf,
		    p->restart, RELOAD_MAX_KEYS);
	}
	*out = p;
	return CTD_OK;
fail:
	if (err[0] == '\0') {
		snprintf(err, err_len, "%s: %s", path ? path : "reload",
		    ctd_strerror(rc));
	}
	reload_plan_free(p);
	return rc;
}

void
reload_plan_free(struct reload_plan *p)
{
	if (p == NULL) {
		return;
	}
	for (size_t i = 0; i < p->count; i++) {
		zone_free(p->logs[i].zone);
		zone_free(p->logs[i].worker_zone);
		tlog_settings_free(&p->logs[i].settings);
	}
	free(p->logs);
	free(p->removed);
	conf_free(p->conf);
	free(p);
}
