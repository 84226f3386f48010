/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill.c -- fill the store from the log: the generic machinery of the
 * upstream seam (see fill.h and source.h).
 *
 * A job is one task of the source with its waiters. Its life:
 *   begin (the source plans a round) -> every request of the round out ->
 *   every reply in -> consume (verify; maybe another round) ->
 *   the proved set to the writer -> committed -> waiters woken -> freed.
 * A job waiting for the writer belongs to the writer's callback: if the
 * fill is freed meanwhile, the job is detached (fill = NULL) and freed
 * there.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fill.h"
#include "fill_int.h"
#include "frontier.h"
#include "log.h"
#include "merkle.h"
#include "negcache.h"
#include "prove_local.h"
#include "store.h"
#include "writer.h"

/* ---- the negative cache ---------------------------------------------- */

static void
negative_add(struct fill *f, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t tree_size)
{
	negcache_add(&f->negative, hash, tree_size,
	    f->env.now_ms(f->env.clock_arg) +
	    (uint64_t)f->negative_ttl * 1000u);
}

/* Known absent from the tree served now (a larger tree may hold it). */
static bool
negative_has(struct fill *f, const uint8_t hash[MERKLE_HASH_LEN])
{
	return f->has_served && negcache_has(&f->negative, hash,
	    f->served.tree_size, f->env.now_ms(f->env.clock_arg));
}

/* ---- the fill -------------------------------------------------------- */

struct fill *
fill_new(const struct fill_env *env)
{
	struct fill *f = calloc(1, sizeof *f);
	if (f == NULL) {
		return NULL;
	}
	f->env = *env;
	if (store_reader_init(env->store, &f->reader) != CTD_OK) {
		free(f);
		return NULL;
	}
	return f;
}

void
fill_set_served(struct fill *f, const struct sth *served)
{
	f->has_served = served != NULL;
	if (served != NULL) {
		f->served = *served;
	}
}

void
fill_set_negative_ttl(struct fill *f, uint32_t seconds)
{
	f->negative_ttl = seconds;
}

void
fill_close(struct fill *f)
{
	f->closed = true;
}

unsigned
fill_active(const struct fill *f)
{
	return f->active;
}

void
fill_get_stats(const struct fill *f, struct fill_stats *out)
{
	*out = f->stats;
}

/* ---- jobs -------------------------------------------------------------- */

static void
job_free(struct fill_job *job)
{
	for (size_t i = 0; i < SOURCE_MAX_REQS; i++) {
		free(job->slots[i].body);
		if (job->slots[i].work != NULL) {
			fill_work_detach(job->slots[i].work);
		}
	}
	source_task_deinit(&job->task);
	free(job->waiters);
	free(job);
}

static void
job_unlink(struct fill_job *job)
{
	struct fill *f = job->fill;
	for (struct fill_job **p = &f->jobs; *p != NULL; p = &(*p)->next) {
		if (*p == job) {
			*p = job->next;
			f->active--;
			return;
		}
	}
}

/* A need a query asked for (the poller's and the mirror's are not). */
static bool
is_query_need(enum fill_kind k)
{
	return k != FILL_HEAD && k != FILL_HEAD_PROOF && k != FILL_ENTRIES;
}

static void
count_result(struct fill *f, const struct fill_job *job, int status)
{
	if (!is_query_need(job->task.need.kind)) {
		return;
	}
	if (status == CTD_OK) {
		f->stats.ok++;
	} else if (status != CTD_ENOTFOUND && status != CTD_ECANCELED) {
		f->stats.failed++;
	}
}

/* Call every waiter once with the job's result; none is left. */
static void
wake_waiters(struct fill_job *job, int status)
{
	const struct sth *head = status == CTD_OK && job->task.has_head ?
	    &job->task.head : NULL;
	for (size_t i = 0; i < job->waiter_count; i++) {
		const struct fill_waiter *w = &job->waiters[i];
		if (w->head_cb != NULL) {
			w->head_cb(w->arg, status, head);
		} else {
			w->cb(w->arg, status);
		}
	}
	job->waiter_count = 0;
}

/* The source's state of a begun job is no longer needed. */
static void
job_end_source(struct fill *f, struct fill_job *job)
{
	if (job->begun) {
		f->env.source->ops->finish(f->env.source, &job->task);
		job->begun = false;
	}
}

/* Wake every waiter of a finished job, then free it. */
static void
job_finish(struct fill_job *job, int status)
{
	struct fill *f = job->fill;
	job_end_source(f, job);
	job_unlink(job);
	count_result(f, job, status);
	wake_waiters(job, status);
	job_free(job);
}

void
fill_free(struct fill *f)
{
	if (f == NULL) {
		return;
	}
	/* Jobs waiting on a fetch are canceled by the fetcher before this
	 * point when it was closed first; anything left is woken here. A job
	 * in the writer's queue is detached: its callback frees it. */
	while (f->jobs != NULL) {
		struct fill_job *job = f->jobs;
		if (job->in_writer) {
			job_unlink(job);
			wake_waiters(job, CTD_ECANCELED);
			job_end_source(f, job);
			job->fill = NULL;
		} else {
			job_finish(job, CTD_ECANCELED);
		}
	}
	store_reader_deinit(&f->reader);
	free(f);
}

static int
add_waiter(struct fill_job *job, fill_cb cb, fill_head_cb head_cb, void *arg)
{
	if (job->waiter_count == job->waiter_cap) {
		if (job->waiter_cap >= FILL_MAX_WAITERS) {
			return CTD_EBUSY;
		}
		size_t cap = job->waiter_cap ? job->waiter_cap * 2 : 4;
		struct fill_waiter *w = realloc(job->waiters, cap * sizeof *w);
		if (w == NULL) {
			return CTD_ENOMEM;
		}
		job->waiters = w;
		job->waiter_cap = cap;
	}
	job->waiters[job->waiter_count++] =
	    (struct fill_waiter){ cb, head_cb, arg };
	return CTD_OK;
}

/* List a job that is under way. */
static void
job_link(struct fill *f, struct fill_job *job)
{
	job->next = f->jobs;
	f->jobs = job;
	f->active++;
}

static bool
need_equal(const struct fill_need *x, const struct fill_need *y)
{
	if (x->kind != y->kind || x->a != y->a || x->b != y->b) {
		return false;
	}
	return x->kind != FILL_HASH ||
	    memcmp(x->hash, y->hash, MERKLE_HASH_LEN) == 0;
}

/* ---- anchors: the verified roots answers must lead to ------------------- */

/* A verified range, for a source that can use what the store holds. */
static int
store_known(void *arg, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct fill *f = arg;
	int rc = store_read_begin(&f->reader);
	if (rc == CTD_OK) {
		rc = store_get_range(&f->reader, f->env.slog, begin, end, out);
		store_read_end(&f->reader);
	}
	return rc;
}

/* The verified root of tree `size`: the range [0, size) in the store. */
static int
known_root(struct fill *f, uint64_t size, struct source_anchor *a)
{
	int rc = store_known(f, 0, size, a->root);
	a->known = rc == CTD_OK;
	a->size = size;
	return rc;
}

/* A mirror's batch: the frontier of the batch verified before it (which
 * the writer may not have committed yet), then the store. */
static int
entries_known(void *arg, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct fill *f = arg;
	if (frontier_get(&f->frontier, begin, end, out) == CTD_OK) {
		return CTD_OK;
	}
	return store_known(arg, begin, end, out);
}

/* What every task gets from the store: its lookup and the extent of the
 * leaf index. */
static void
set_store_view(struct fill *f, struct source_task *t)
{
	t->known = t->need.kind == FILL_ENTRIES ? entries_known : store_known;
	t->known_arg = f;
	if (store_read_begin(&f->reader) == CTD_OK) {
		if (store_get_contiguous(&f->reader, f->env.slog,
			&t->contiguous) != CTD_OK) {
			t->contiguous = 0;
		}
		store_read_end(&f->reader);
	}
}

/* Set the anchors of a query's need; a root the need is checked against
 * must be stored already (answer.c asks for it first). */
static int
set_anchors(struct fill *f, struct source_task *t)
{
	const struct fill_need *n = &t->need;
	t->served = (struct source_anchor){ .known = true,
		.size = f->served.tree_size };
	memcpy(t->served.root, f->served.root, MERKLE_HASH_LEN);
	switch (n->kind) {
	case FILL_PATH:
		return known_root(f, n->b, &t->second);
	case FILL_CONSISTENCY:
		if (known_root(f, n->b, &t->second) != CTD_OK) {
			return CTD_ENOTFOUND;
		}
		(void)known_root(f, n->a, &t->first);
		if (merkle_is_pow2(n->a) && !t->first.known) {
			/* The proof omits this root: it must be known. */
			return CTD_ENOTFOUND;
		}
		return CTD_OK;
	default:
		return CTD_OK;
	}
}

static void
anchor_of(struct source_anchor *a, const struct sth *sth)
{
	a->known = true;
	a->size = sth->tree_size;
	memcpy(a->root, sth->root, MERKLE_HASH_LEN);
}

/* ---- running a job ------------------------------------------------------ */

static void run_round(struct fill_job *job);

static void
on_written(void *arg, int status)
{
	struct fill_job *job = arg;
	if (job->fill == NULL) {
		job_free(job);		/* detached: nobody waits */
		return;
	}
	job->in_writer = false;
	if (status != CTD_OK && job->task.need.kind == FILL_ENTRIES) {
		/* Not committed: the next batch must not build on it. */
		frontier_clear(&job->fill->frontier);
	}
	if (status == CTD_EINCONSISTENT &&
	    job->task.need.kind != FILL_HEAD_PROOF) {
		/* The poller raises its own alarm for a head. */
		log_err("log %s: ALARM: the log proved a range that contradicts "
			"the store (a fork); nothing of it is served",
		    job->fill->env.name);
		if (job->fill->env.on_alarm != NULL) {
			job->fill->env.on_alarm(job->fill->env.alarm_arg);
		}
	} else if (status != CTD_OK && status != CTD_ECANCELED) {
		log_err("log %s: store write failed: %s", job->fill->env.name,
		    ctd_strerror(status));
	}
	job_finish(job, status);
}

/* Hand a task's proved set to the writer; on_written finishes it. */
static int
submit_proved(struct fill *f, struct fill_job *job)
{
	int rc = writer_submit(f->env.writer, f->env.slog, &job->task.proved,
	    on_written, job);
	if (rc == CTD_OK) {
		job->in_writer = true;
	}
	return rc;
}

/* The source verified the answers: write what they prove, or finish at
 * once when they prove nothing (a head). */
static void
write_proved(struct fill_job *job)
{
	struct fill *f = job->fill;
	struct source_task *t = &job->task;
	if (t->need.kind == FILL_HEAD_PROOF ||
	    (t->need.kind == FILL_ENTRIES && t->has_head)) {
		t->has_head = false;	/* stored, not handed back */
		int rc = proved_set_sth(&t->proved, &t->head);
		if (rc != CTD_OK) {
			job_finish(job, rc);
			return;
		}
	}
	if (proved_empty(&t->proved)) {
		job_finish(job, CTD_OK);
		return;
	}
	if (t->need.kind == FILL_ENTRIES) {
		t->proved.contiguous_from = t->need.a;
		t->proved.relaxed = job->batch.relaxed;
		frontier_advance(&f->frontier, t->need.b, &t->proved);
	}
	int rc = submit_proved(f, job);
	if (rc != CTD_OK) {
		job_finish(job, rc);
	} else if (job->batch.verified != NULL) {
		/* The batch's own waiter, told last: it may start the next. */
		job->batch.verified(job->waiters[0].arg, CTD_OK);
	}
}

/* Say what went wrong, once, with the log's name and the request kind. */
static int
report(struct fill_job *job, int status)
{
	struct fill *f = job->fill;
	const struct source_task *t = &job->task;
	const char *what = t->req_count > 0 ? t->reqs[0].label : "request";
	if (status == CTD_EMALF) {
		log_warn("log %s: %s: answer does not parse", f->env.name,
		    what);
		return CTD_EUPSTREAM;
	}
	if (status == CTD_EVERIFY && t->need.kind == FILL_ENTRIES) {
		log_err("log %s: ALARM: %s: the log's entries [%llu, %llu) do "
			"not hash to its signed tree head of size %llu; nothing "
			"of them is served",
		    f->env.name, what, (unsigned long long)t->need.a,
		    (unsigned long long)t->need.b,
		    (unsigned long long)t->second.size);
		if (f->env.on_alarm != NULL) {
			f->env.on_alarm(f->env.alarm_arg);
		}
	} else if (status == CTD_EVERIFY && is_query_need(t->need.kind)) {
		log_err("log %s: ALARM: %s: the log answered a proof that "
			"does not verify against its signed tree head of size "
			"%llu; nothing of it is served",
		    f->env.name, what, (unsigned long long)t->served.size);
		if (f->env.on_alarm != NULL) {
			f->env.on_alarm(f->env.alarm_arg);
		}
	} else if (status == CTD_ENOTFOUND && t->need.kind == FILL_HASH) {
		negative_add(f, t->need.hash, t->served.size);
	} else if (status != CTD_ECANCELED && status != CTD_EVERIFY &&
	    status != CTD_OK) {
		long code = t->req_count > 0 ? job->replies[0].http_code : 0;
		log_warn("log %s: %s: %s (HTTP %ld)", f->env.name, what,
		    ctd_strerror(status), code);
	}
	return status;
}

/* Every reply of the round is in: let the source judge them. */
void
fill__round_done(struct fill_job *job)
{
	struct fill *f = job->fill;
	struct source_task *t = &job->task;
	int rc = job->round_err;
	if (rc == CTD_OK) {
		rc = f->env.source->ops->consume(f->env.source, t,
		    job->replies, t->req_count);
	}
	if (rc == CTD_EAGAIN) {
		t->round++;
		run_round(job);
		return;
	}
	if (rc != CTD_OK) {
		job_finish(job, report(job, rc));
		return;
	}
	write_proved(job);
}

static void
run_round(struct fill_job *job)
{
	if (fill__send_round(job) == 0) {
		job_finish(job, report(job, job->round_err != CTD_OK ?
			job->round_err : CTD_EINVAL));
	}
}

/* Create a job, let the source plan it and send its first round.
 * @return: CTD_OK with the job listed, or an error (nothing is left). */
static int
job_start(struct fill *f, struct fill_job *job, bool shared)
{
	struct source *src = f->env.source;
	job->fill = f;
	job->shared = shared;
	set_store_view(f, &job->task);
	int rc;
	if (is_query_need(job->task.need.kind) &&
	    prove_local(&job->task) == CTD_OK) {
		/* The store holds the pieces: no request at all. */
		rc = submit_proved(f, job);
	} else {
		proved_clear(&job->task.proved);
		rc = src->ops->begin(src, &job->task);
		job->begun = true;
		if (rc == CTD_OK && job->task.req_count == 0) {
			/* Proved by the source from what is stored: only
			 * the write is left (its callback comes later). */
			rc = proved_empty(&job->task.proved) ? CTD_EINVAL :
			    submit_proved(f, job);
		} else if (rc == CTD_OK && fill__send_round(job) == 0) {
			rc = job->round_err != CTD_OK ? job->round_err :
			    CTD_EINVAL;
		}
	}
	if (rc != CTD_OK) {
		log_debug("log %s: cannot start %s need (%llu, %llu): %s",
		    f->env.name, src->ops->kind,
		    (unsigned long long)job->task.need.a,
		    (unsigned long long)job->task.need.b, ctd_strerror(rc));
		job_end_source(f, job);
		job_free(job);
		return rc;
	}
	job_link(f, job);
	return CTD_OK;
}

static struct fill_job *
job_new(const struct fill_need *need)
{
	struct fill_job *job = calloc(1, sizeof *job);
	if (job != NULL) {
		source_task_init(&job->task, need);
	}
	return job;
}

int
fill_start(struct fill *f, const struct fill_need *need, fill_cb cb,
    void *arg)
{
	if (!f->has_served || f->closed || !is_query_need(need->kind)) {
		return CTD_EBUSY;
	}
	if (need->kind == FILL_HASH && negative_has(f, need->hash)) {
		return CTD_ENOTFOUND;
	}
	for (struct fill_job *j = f->jobs; j != NULL; j = j->next) {
		if (j->shared && need_equal(&j->task.need, need)) {
			return add_waiter(j, cb, NULL, arg);
		}
	}
	struct fill_job *job = job_new(need);
	if (job == NULL) {
		return CTD_ENOMEM;
	}
	int rc = set_anchors(f, &job->task);
	if (rc == CTD_OK) {
		rc = add_waiter(job, cb, NULL, arg);
	}
	if (rc != CTD_OK) {
		job_free(job);
		return rc;
	}
	return job_start(f, job, true);
}

int
fill_get_head(struct fill *f, fill_head_cb cb, void *arg)
{
	if (f->closed) {
		return CTD_EBUSY;
	}
	struct fill_need need = { .kind = FILL_HEAD };
	struct fill_job *job = job_new(&need);
	if (job == NULL) {
		return CTD_ENOMEM;
	}
	int rc = add_waiter(job, NULL, cb, arg);
	if (rc != CTD_OK) {
		job_free(job);
		return rc;
	}
	return job_start(f, job, false);
}

/* A head that needs no proof: stored as it is. */
static int
adopt_unproved(struct fill *f, struct fill_job *job)
{
	job->fill = f;
	int rc = proved_set_sth(&job->task.proved, &job->task.head);
	if (rc == CTD_OK) {
		rc = submit_proved(f, job);
	}
	if (rc != CTD_OK) {
		job_free(job);
		return rc;
	}
	job_link(f, job);
	return CTD_OK;
}

int
fill_adopt_head(struct fill *f, const struct sth *cur, const struct sth *cand,
    fill_cb cb, void *arg)
{
	if (f->closed) {
		return CTD_EBUSY;
	}
	struct fill_need need = { .kind = FILL_HEAD_PROOF,
		.a = cur != NULL ? cur->tree_size : 0, .b = cand->tree_size };
	struct fill_job *job = job_new(&need);
	if (job == NULL) {
		return CTD_ENOMEM;
	}
	job->task.head = *cand;
	job->task.has_head = false;	/* nothing to hand back */
	anchor_of(&job->task.second, cand);
	if (cur != NULL) {
		anchor_of(&job->task.first, cur);
		job->task.served = job->task.first;
	}
	int rc = add_waiter(job, cb, NULL, arg);
	if (rc != CTD_OK) {
		job_free(job);
		return rc;
	}
	if (need.a == 0 || need.a == need.b) {
		/* Every tree extends the empty one; a refresh of the same
		 * tree (same root, checked by the poller) proves itself. */
		return adopt_unproved(f, job);
	}
	return job_start(f, job, false);
}

int
fill_entries(struct fill *f, uint64_t a, uint64_t b, const struct sth *anchor,
    const struct sth *adopt, const struct fill_batch *how, fill_cb cb,
    void *arg)
{
	if (f->closed) {
		return CTD_EBUSY;
	}
	if (a >= b || b > anchor->tree_size ||
	    (adopt != NULL && adopt->tree_size != b)) {
		return CTD_EINVAL;
	}
	struct fill_need need = { .kind = FILL_ENTRIES, .a = a, .b = b };
	struct fill_job *job = job_new(&need);
	if (job == NULL) {
		return CTD_ENOMEM;
	}
	anchor_of(&job->task.second, anchor);
	job->task.served = job->task.second;
	job->batch = how != NULL ? *how : (struct fill_batch){ 0 };
	if (adopt != NULL) {
		job->task.head = *adopt;
		job->task.has_head = true;
	}
	int rc = add_waiter(job, cb, NULL, arg);
	if (rc != CTD_OK) {
		job_free(job);
		return rc;
	}
	return job_start(f, job, false);
}
