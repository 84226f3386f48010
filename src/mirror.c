/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mirror.c -- mirror mode: sync a log's every entry into the store, in
 * verified batches (see mirror.h).
 *
 * At most MIRROR_IN_FLIGHT batches are in flight: one being read and
 * verified, the one before it waiting for (or in) the writer's commit.
 * Their results come back in order (the writer keeps the order of what it
 * is given); the marker moves only on a batch that begins where it is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "mirror.h"
#include "store.h"

/* One batch in flight: the callback argument of its fill. */
struct mirror_batch {
	struct mirror *m;
	uint64_t a, b;
	bool used;
	bool verified;		/* queued for the writer */
};

struct mirror {
	struct mirror_env env;
	char *name;
	bool busy;
	bool adopt;
	struct sth head;		/* the head synced to */
	fill_cb cb;
	void *cb_arg;
	uint64_t contiguous;		/* committed */
	uint64_t next;			/* where the next batch begins */
	unsigned in_flight;		/* batches begun, not yet committed */
	bool verifying;			/* one of them is not verified yet */
	int status;			/* the first failure of this sync */
	struct mirror_batch batches[MIRROR_IN_FLIGHT];
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

static int pump(struct mirror *m);

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

/* A batch failed, or the next could not begin: the sync ends once
 * nothing is in flight. */
static void
fail(struct mirror *m, int status)
{
	if (m->status == CTD_OK) {
		m->status = status;
	}
	if (m->in_flight == 0) {
		finish(m, m->status);
	}
}

static void
on_verified(void *arg, int status)
{
	struct mirror_batch *mb = arg;
	struct mirror *m = mb->m;
	(void)status;
	mb->verified = true;
	m->verifying = false;
	int rc = pump(m);
	if (rc != CTD_OK) {
		fail(m, rc);
	}
}

/* A batch is committed (in order: the writer keeps the order it was
 * given), or failed. */
static void
on_batch(void *arg, int status)
{
	struct mirror_batch *mb = arg;
	struct mirror *m = mb->m;
	if (!mb->verified) {
		m->verifying = false;
	}
	mb->used = false;
	m->in_flight--;
	if (status != CTD_OK) {
		m->stats.failures++;
		if (status != CTD_ECANCELED && status != CTD_EVERIFY) {
			log_warn("log %s: mirror: batch from %llu: %s", m->name,
			    (unsigned long long)mb->a, ctd_strerror(status));
		}
		fail(m, status);
		return;
	}
	m->stats.batches++;
	if (mb->a == m->contiguous) {
		m->contiguous = mb->b;
		m->stats.contiguous = m->contiguous;
	}
	if (m->status != CTD_OK) {
		fail(m, m->status);
	} else if (m->contiguous >= m->head.tree_size) {
		finish(m, CTD_OK);
	} else {
		report(m, false);
		int rc = pump(m);
		if (rc != CTD_OK) {
			fail(m, rc);
		}
	}
}

/* Where the batch from a ends: the next multiple of the batch size (so
 * batches stay aligned after a resume), or the head. */
static uint64_t
batch_end(const struct mirror *m, uint64_t a)
{
	uint64_t b = a + m->env.batch;
	b -= b % m->env.batch;
	return b < m->head.tree_size ? b : m->head.tree_size;
}

/*
 * Begin the next batch once the one before is verified, while fewer than
 * MIRROR_IN_FLIGHT are uncommitted: batch k + 1 is read and verified
 * while the writer commits batch k. Every batch but the last is committed
 * relaxed (no meta page sync); the last waits for the others and commits
 * normally, which makes them all durable, with the head it may adopt.
 */
static int
pump(struct mirror *m)
{
	if (m->verifying || m->status != CTD_OK ||
	    m->next >= m->head.tree_size || m->in_flight >= MIRROR_IN_FLIGHT) {
		return CTD_OK;
	}
	uint64_t a = m->next, b = batch_end(m, a);
	bool last = b == m->head.tree_size;
	if (last && m->in_flight > 0) {
		return CTD_OK;
	}
	/* A free slot: fewer than MIRROR_IN_FLIGHT are used. */
	struct mirror_batch *mb = m->batches;
	while (mb->used) {
		mb++;
	}
	*mb = (struct mirror_batch){ .m = m, .a = a, .b = b, .used = true };
	const struct sth *adopt = m->adopt && last ? &m->head : NULL;
	struct fill_batch how = { .verified = on_verified, .relaxed = !last,
		.loop = m->env.loop };
	int rc = fill_entries(m->env.fill, a, b, &m->head, adopt, &how,
	    on_batch, mb);
	if (rc != CTD_OK) {
		mb->used = false;
		m->stats.failures++;
		log_warn("log %s: mirror: cannot read entries from %llu: %s",
		    m->name, (unsigned long long)a, ctd_strerror(rc));
		return rc;
	}
	m->in_flight++;
	m->verifying = true;
	m->next = b;
	return CTD_OK;
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
	m->next = m->contiguous;
	m->status = CTD_OK;
	m->stats.target = head->tree_size;
	m->started_ms = m->report_ms = now_ms(m);
	m->started_from = m->report_from = m->contiguous;
	if (head->tree_size == m->contiguous) {
		/* Nothing to read (an empty tree, a refresh). */
		m->busy = false;
		return CTD_ENOTFOUND;
	}
	int rc = pump(m);
	m->busy = rc == CTD_OK;
	return rc;
}
