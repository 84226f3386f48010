/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill_round.c -- one round of a fill job's requests: sent at once, and
 * each reply taken as it comes (see fill_int.h).
 *
 * A reply is copied for the source's consume; or taken by the source at
 * once (source.h: take), which parses it while the log still sends the
 * others; or, for a mirror's batch with a thread pool, digested on a
 * pool thread (fill_work.h) and taken when that is done. The round ends,
 * and the source judges it, when the last reply is in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fill_int.h"

static void on_reply(void *arg, int status, long http_code,
    const uint8_t *body, size_t len);

size_t
fill__send_round(struct fill_job *job)
{
	struct fill *f = job->fill;
	struct source_task *t = &job->task;
	size_t sent = 0;
	job->round_err = CTD_OK;
	for (size_t i = 0; i < t->req_count; i++) {
		free(job->slots[i].body);
		job->slots[i] = (struct fill_slot){ .job = job };
		job->replies[i] = (struct source_reply){ .status = CTD_ECANCELED };
	}
	job->outstanding = t->req_count;
	for (size_t i = 0; i < t->req_count; i++) {
		int rc = f->env.fetch(f->env.fetch_arg, t->reqs[i].url,
		    t->reqs[i].label, i > 0, on_reply, &job->slots[i]);
		if (rc != CTD_OK) {
			/* Not sent: nothing will answer the rest either. */
			job->round_err = rc;
			job->outstanding = sent;
			break;
		}
		sent++;
	}
	return sent;
}

/* One reply of the round is in; the last one ends the round. */
static void
reply_in(struct fill_job *job, int status)
{
	if (--job->outstanding == 0) {
		if (status == CTD_ECANCELED && job->round_err == CTD_OK) {
			job->round_err = CTD_ECANCELED;
		}
		fill__round_done(job);
	}
}

static void
on_digested(void *arg, int rc, void *out, size_t out_len)
{
	struct fill_slot *slot = arg;
	struct fill_job *job = slot->job;
	size_t i = (size_t)(slot - job->slots);
	struct source *src = job->fill->env.source;
	slot->work = NULL;
	if (rc == CTD_OK) {
		rc = src->ops->take_digest(src, &job->task, i, out, out_len);
	}
	free(out);
	job->replies[i].taken = rc == CTD_OK;
	job->replies[i].status = rc;
	reply_in(job, CTD_OK);
}

/* A reply the source digests on the pool: counted in once digested. */
static bool
to_pool(struct fill_job *job, size_t i, const uint8_t *body, size_t len)
{
	struct source *src = job->fill->env.source;
	fill_digest_fn fn = job->batch.loop == NULL ||
	    src->ops->digester == NULL ? NULL :
	    src->ops->digester(src, &job->task, i);
	return fn != NULL && fill_work_start(job->batch.loop, fn, body, len,
	    on_digested, &job->slots[i], &job->slots[i].work) == CTD_OK;
}

static void
on_reply(void *arg, int status, long http_code, const uint8_t *body,
    size_t len)
{
	struct fill_slot *slot = arg;
	struct fill_job *job = slot->job;
	size_t i = (size_t)(slot - job->slots);
	struct source_reply *r = &job->replies[i];

	r->status = status;
	r->http_code = http_code;
	if (status == CTD_OK && body != NULL && to_pool(job, i, body, len)) {
		return;
	}
	const struct source_ops *ops = job->fill->env.source->ops;
	if (status == CTD_OK && body != NULL && ops->take != NULL &&
	    ops->take(job->fill->env.source, &job->task, i, body, len) ==
	    CTD_OK) {
		r->taken = true;	/* nothing to copy */
	} else if (body != NULL &&
	    (slot->body = malloc(len + 1)) != NULL) {
		memcpy(slot->body, body, len);
		slot->body[len] = '\0';
		r->body = slot->body;
		r->len = len;
	} else if (body != NULL) {
		r->status = CTD_ENOMEM;
	}
	reply_in(job, status);
}
