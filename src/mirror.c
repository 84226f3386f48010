/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mirror.c -- mirror mode: sync a log's every entry into the store, in
 * verified batches (see mirror.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "mirror.h"
#include "store.h"

struct mirror {
	struct mirror_env env;
	char *name;
	bool busy;
	bool adopt;
	struct sth head;		/* the head synced to */
	fill_cb cb;
	void *cb_arg;
	uint64_t contiguous;
	/* Progress: where and when the current report period began. */
	uint64_t report_ms, report_from, started_ms, started_from;
	struct mirror_stats stats;
};

static uint64_t
now_ms(const struct mirror *m)
{
	return uv_now(m->env.loop);
}

static uint64_t
stored_contiguous(const struct mirror_env *env)
{
	struct store_reader r;
	uint64_t n = 0;
	if (store_reader_init(env->store, &r) == CTD_OK) {
		if (store_read_begin(&r) == CTD_OK) {
			if (store_get_contiguous(&r, env->slog, &n) != CTD_OK) {
				n = 0;
			}
			store_read_end(&r);
		}
		store_reader_deinit(&r);
	}
	return n;
}

struct mirror *
mirror_new(const struct mirror_env *env)
{
	struct mirror *m = calloc(1, sizeof *m);
	if (m == NULL || (m->name = strdup(env->name)) == NULL) {
		free(m);
		return NULL;
	}
	m->env = *env;
	m->env.name = m->name;
	if (m->env.batch == 0 || m->env.batch % 256 != 0) {
		m->env.batch = MIRROR_BATCH;
	}
	m->contiguous = stored_contiguous(env);
	m->stats.contiguous = m->contiguous;
	if (m->contiguous > 0) {
		log_notice("log %s: mirror: %llu entries stored, resuming there",
		    m->name, (unsigned long long)m->contiguous);
	}
	return m;
}

void
mirror_free(struct mirror *m)
{
	if (m != NULL) {
		free(m->name);
		free(m);
	}
}

uint64_t
mirror_contiguous(const struct mirror *m)
{
	return m->contiguous;
}

bool
mirror_busy(const struct mirror *m)
{
	return m->busy;
}

void
mirror_get_stats(const struct mirror *m, struct mirror_stats *out)
{
	*out = m->stats;
}

/* A line every MIRROR_REPORT_MS: how far, how fast, how long to go. */
static void
report(struct mirror *m, bool done)
{
	uint64_t now = now_ms(m);
	if (!done && now - m->report_ms < MIRROR_REPORT_MS) {
		return;
	}
	uint64_t ms = now - m->started_ms;
	uint64_t n = m->contiguous - m->started_from;
	double rate = ms > 0 ? (double)n * 1000.0 / (double)ms : 0.0;
	uint64_t left = m->head.tree_size - m->contiguous;
	if (done) {
		log_notice("log %s: mirror: %llu entries stored, tree %llu "
			"recomputed (%llu new in %.1f s, %.0f entries/s)",
		    m->name, (unsigned long long)m->contiguous,
		    (unsigned long long)m->head.tree_size,
		    (unsigned long long)n, (double)ms / 1000.0, rate);
	} else {
		log_notice("log %s: mirror: %llu of %llu entries (%.0f "
			"entries/s, about %.0f s to go)",
		    m->name, (unsigned long long)m->contiguous,
		    (unsigned long long)m->head.tree_size, rate,
		    rate > 0 ? (double)left / rate : 0.0);
	}
	m->report_ms = now;
	m->report_from = m->contiguous;
}

static int next_batch(struct mirror *m);

static void
finish(struct mirror *m, int status)
{
	m->busy = false;
	m->stats.target = 0;
	if (status == CTD_OK && m->contiguous > m->started_from) {
		report(m, true);
	}
	if (m->cb != NULL) {
		m->cb(m->cb_arg, status);
	}
}

static void
on_batch(void *arg, int status)
{
	struct mirror *m = arg;
	if (status != CTD_OK) {
		m->stats.failures++;
		if (status != CTD_ECANCELED && status != CTD_EVERIFY) {
			log_warn("log %s: mirror: batch from %llu: %s", m->name,
			    (unsigned long long)m->contiguous,
			    ctd_strerror(status));
		}
		finish(m, status);
		return;
	}
	m->stats.batches++;
	uint64_t b = m->contiguous + m->env.batch;
	b -= b % m->env.batch;
	m->contiguous = b < m->head.tree_size ? b : m->head.tree_size;
	m->stats.contiguous = m->contiguous;
	if (m->contiguous >= m->head.tree_size) {
		finish(m, CTD_OK);
		return;
	}
	report(m, false);
	int rc = next_batch(m);
	if (rc != CTD_OK) {
		finish(m, rc);
	}
}

/* The next batch: from the marker to the next multiple of the batch size
 * (so batches stay aligned after a resume), or to the head. */
static int
next_batch(struct mirror *m)
{
	uint64_t a = m->contiguous;
	uint64_t b = a + m->env.batch;
	b -= b % m->env.batch;
	if (b > m->head.tree_size) {
		b = m->head.tree_size;
	}
	const struct sth *adopt = m->adopt && b == m->head.tree_size ?
	    &m->head : NULL;
	int rc = fill_entries(m->env.fill, a, b, &m->head, adopt, on_batch,
	    m);
	if (rc != CTD_OK) {
		m->stats.failures++;
		log_warn("log %s: mirror: cannot read entries from %llu: %s",
		    m->name, (unsigned long long)a, ctd_strerror(rc));
	}
	return rc;
}

int
mirror_sync(struct mirror *m, const struct sth *head, bool adopt, fill_cb cb,
    void *arg)
{
	if (m->busy) {
		return CTD_EBUSY;
	}
	if (head->tree_size < m->contiguous) {
		return CTD_EINVAL;
	}
	m->head = *head;
	m->adopt = adopt;
	m->cb = cb;
	m->cb_arg = arg;
	m->busy = true;
	m->stats.target = head->tree_size;
	m->started_ms = m->report_ms = now_ms(m);
	m->started_from = m->report_from = m->contiguous;
	if (head->tree_size == m->contiguous) {
		/* Nothing to read (an empty tree, a refresh). */
		m->busy = false;
		return CTD_ENOTFOUND;
	}
	int rc = next_batch(m);
	m->busy = rc == CTD_OK;
	return rc;
}
