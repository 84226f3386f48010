/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer.c -- the store's one writer: a thread, a bounded queue of proved
 * sets, one LMDB transaction per group, results handed back to the loop
 * (see writer.h).
 *
 * An item (one submitted set) moves: the loop thread queues it; the
 * writer thread takes it into a group, writes it, frees its set and puts
 * it on the done list; the loop thread pops it, runs its callback and
 * frees it. Who owns what:
 *  - under mu: the queue, the done list, groups_done and stopping;
 *  - the loop thread alone: outstanding (sets whose callback has not
 *    run, the bound of WRITER_MAX_QUEUED), closing and stats;
 *  - the writer thread alone: the group it is writing.
 *
 * One group: wait for a queued set; begin the write transaction, which
 * may wait for LMDB's write lock; only then take what is queued (up to
 * GROUP_MAX sets), so that sets queued while the lock was busy ride the
 * same commit. Each set is written in a nested transaction (a failing one
 * is dropped alone; a set alone in its group needs none), then one
 * commit, one fdatasync. The group goes to
 * the done list and uv_async_send() (the one thread-safe libuv call)
 * wakes the loop. A set's status is final only after the group's commit,
 * so no callback can run before its data is durable and visible. A group
 * of relaxed sets only (proved.h: a mirror's bulk sync) is committed
 * without the meta page's sync: visible, consistent after any crash, and
 * durable with the next normal commit.
 *
 * The writer thread never logs: every failure travels as a status to the
 * callback, whose caller knows the log and the query.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "err.h"
#include "proved.h"
#include "store.h"
#include "writer.h"
#include "writer_defer.h"

/* Most sets written in one transaction: bounds one commit's size. */
#define GROUP_MAX 1024

struct writer_item {
	struct writer_item *next;
	struct store_log *slog;
	struct proved set;
	writer_cb cb;
	void *arg;
	int status;
	/* Its index keys are kept back (writer_defer.h). */
	bool deferred;
};

struct item_list {
	struct writer_item *head;
	struct writer_item **tail;
};

struct writer {
	struct store *store;
	uv_async_t async;		/* data = the writer */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;		/* signalled on a queued set or stop */
	/* Under mu. */
	struct item_list queue;
	struct item_list done;
	uint64_t groups_done;		/* committed, not yet in stats */
	bool stopping;
	/* The writer thread's: index keys kept back. */
	struct writer_defer defer;
	/* The loop thread's. */
	size_t outstanding;
	bool closing;
	struct writer_stats stats;
};

static void
list_init(struct item_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void
list_push(struct item_list *l, struct writer_item *it)
{
	it->next = NULL;
	*l->tail = it;
	l->tail = &it->next;
}

static struct writer_item *
list_pop(struct item_list *l)
{
	struct writer_item *it = l->head;

	if (it != NULL) {
		l->head = it->next;
		if (l->head == NULL) {
			l->tail = &l->head;
		}
		it->next = NULL;
	}
	return it;
}

/* Append all of src to dst; src is left empty. */
static void
list_splice(struct item_list *dst, struct item_list *src)
{
	if (src->head == NULL) {
		return;
	}
	*dst->tail = src->head;
	dst->tail = src->tail;
	list_init(src);
}

/* ---- the writer thread ------------------------------------------------ */

/* Write one set in a nested transaction of t; its status until the
 * group's commit. A set alone in its group goes straight into t: there
 * is no other set to keep when it fails (t is then aborted), and a
 * large set (a mirror's batch) is spared the child's copies of every
 * page it touches and their merge into t. */
static int
write_set(struct store_txn *t, struct writer_item *it, bool alone)
{
	struct store_txn child;

	if (alone) {
		store_put_proved(t, it->slog, &it->set);
		return t->err;
	}
	store_txn_begin_nested(t, &child);
	store_put_proved(&child, it->slog, &it->set);
	return store_txn_commit(&child);
}

/*
 * Which sets of the group keep their index keys back (writer_defer.h),
 * and whether the keys kept so far must be written first: before a set
 * that is not kept back and raises the marker (the marker of the kept
 * ones must be raised before its own), before any normal commit (a
 * tree head, a fill), and once the oldest was kept DEFER_MAX_MS ago.
 */
static bool
plan_defer(struct writer *w, struct item_list *group)
{
	bool flush = false;

	for (struct writer_item *it = group->head; it != NULL;
	    it = it->next) {
		struct proved *p = &it->set;

		it->deferred = writer_defer_wants(&w->defer, p) &&
		    writer_defer_reserve(&w->defer, it->slog, p) == CTD_OK;
		if (it->deferred) {
			/* Its marker is raised with its keys. */
			p->index_later = true;
			p->has_contiguous = false;
		} else {
			flush = flush || !p->relaxed || p->has_contiguous;
		}
	}
	return (flush || writer_defer_due(&w->defer)) && w->defer.leaves > 0;
}

/* After the group's commit (rc): what was written is forgotten, the sets
 * kept back are kept, and their memory goes back. */
static void
end_defer(struct writer *w, struct item_list *group, bool flushed, int rc)
{
	if (flushed && rc == CTD_OK) {
		writer_defer_clear(&w->defer);
	}
	for (struct writer_item *it = group->head; it != NULL;
	    it = it->next) {
		if (!it->deferred) {
			continue;
		}
		if (it->status == CTD_OK) {
			writer_defer_keep(&w->defer, it->slog, &it->set);
		}
		proved_free(&it->set);
	}
	writer_defer_unreserve(&w->defer);
}

static void
write_group(struct writer *w)
{
	struct item_list group;
	struct store_txn t;
	size_t written = 0;
	int rc;

	store_txn_begin(w->store, &t);
	list_init(&group);
	pthread_mutex_lock(&w->mu);
	for (size_t n = 0; n < GROUP_MAX && w->queue.head != NULL; n++) {
		list_push(&group, list_pop(&w->queue));
	}
	pthread_mutex_unlock(&w->mu);
	bool flush = plan_defer(w, &group);
	/* A failed write of the kept keys leaves them kept; the sets that
	 * needed their marker raise none (store_put_contiguous's from). */
	bool flushed = flush && writer_defer_write(&w->defer, &t) == CTD_OK;
	bool alone = group.head != NULL && group.head->next == NULL;
	bool relaxed = true;
	for (struct writer_item *it = group.head; it != NULL; it = it->next) {
		relaxed = relaxed && it->set.relaxed;
		it->status = write_set(&t, it, alone);
		written += it->status == CTD_OK;
		/* The memory goes back now, not when the loop gets to it
		 * (a set kept back: once its keys are copied). */
		if (!it->deferred) {
			proved_free(&it->set);
		}
	}
	if (written == 0 && !flushed) {
		/* Nothing to make durable: no fdatasync. */
		store_txn_abort(&t);
		rc = CTD_ECANCELED;
	} else {
		/* A group is relaxed only when every set in it is. */
		(void)store_set_relaxed(w->store, relaxed);
		rc = store_txn_commit(&t);
	}
	for (struct writer_item *it = group.head; it != NULL; it = it->next) {
		if (it->status == CTD_OK) {
			it->status = rc;
		}
	}
	end_defer(w, &group, flushed, rc);
	pthread_mutex_lock(&w->mu);
	list_splice(&w->done, &group);
	if (rc == CTD_OK) {
		w->groups_done++;
	}
	pthread_mutex_unlock(&w->mu);
	uv_async_send(&w->async);
}

/* At the end: the index keys still kept back, in a normal commit. */
static void
write_kept(struct writer *w)
{
	struct store_txn t;

	if (w->defer.leaves == 0) {
		return;
	}
	store_txn_begin(w->store, &t);
	if (writer_defer_write(&w->defer, &t) != CTD_OK) {
		store_txn_abort(&t);
		return;
	}
	(void)store_set_relaxed(w->store, false);
	if (store_txn_commit(&t) == CTD_OK) {
		writer_defer_clear(&w->defer);
	}
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	bool idle;

	/* Named for ps -L and top -H, like the workers. */
	pthread_setname_np(pthread_self(), "ctdnsd-store");
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->queue.head == NULL && !w->stopping) {
			pthread_cond_wait(&w->cond, &w->mu);
		}
		/* Stopping still writes everything queued first. */
		idle = w->queue.head == NULL;
		pthread_mutex_unlock(&w->mu);
		if (idle) {
			break;
		}
		write_group(w);
	}
	write_kept(w);
	return NULL;
}

/* ---- the loop thread -------------------------------------------------- */

/* Run the callbacks owed, one item at a time, so that a callback may
 * submit again or close the writer. */
static void
deliver(struct writer *w)
{
	struct writer_item *it;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		w->stats.groups += w->groups_done;
		w->groups_done = 0;
		it = list_pop(&w->done);
		pthread_mutex_unlock(&w->mu);
		if (it == NULL) {
			break;
		}
		w->outstanding--;
		if (it->status == CTD_OK) {
			w->stats.sets_ok++;
		} else {
			w->stats.sets_failed++;
		}
		if (it->cb != NULL) {
			it->cb(it->arg, it->status);
		}
		free(it);
	}
}

static void
on_async(uv_async_t *h)
{
	deliver(h->data);
}

static void
writer_free(struct writer *w)
{
	writer_defer_free(&w->defer);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

static void
on_closed(uv_handle_t *h)
{
	writer_free(h->data);
}

int
writer_new(struct store *store, uv_loop_t *loop, struct writer **out)
{
	struct writer *w = calloc(1, sizeof *w);

	*out = NULL;
	if (w == NULL) {
		return CTD_ENOMEM;
	}
	w->store = store;
	list_init(&w->queue);
	list_init(&w->done);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cond, NULL);
	/* The thread first: it touches the async handle only for a set,
	 * and none can be queued before this returns. */
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		writer_free(w);
		return CTD_EIO;
	}
	if (uv_async_init(loop, &w->async, on_async) != 0) {
		pthread_mutex_lock(&w->mu);
		w->stopping = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		writer_free(w);
		return CTD_EIO;
	}
	w->async.data = w;
	*out = w;
	return CTD_OK;
}

int
writer_submit(struct writer *w, struct store_log *slog, struct proved *p,
    writer_cb cb, void *arg)
{
	struct writer_item *it;

	if (w->closing) {
		return CTD_ECANCELED;
	}
	if (w->outstanding >= WRITER_MAX_QUEUED) {
		return CTD_EBUSY;
	}
	if ((it = calloc(1, sizeof *it)) == NULL) {
		return CTD_ENOMEM;
	}
	it->slog = slog;
	it->cb = cb;
	it->arg = arg;
	proved_init(&it->set);
	proved_move(&it->set, p);
	pthread_mutex_lock(&w->mu);
	list_push(&w->queue, it);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	w->outstanding++;
	return CTD_OK;
}

void
writer_close(struct writer *w)
{
	if (w == NULL || w->closing) {
		return;
	}
	w->closing = true;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	/* The thread writes what is queued, then ends: after the join no
	 * uv_async_send() can come, and every result is on the done list. */
	pthread_join(w->thread, NULL);
	deliver(w);
	uv_close((uv_handle_t *)&w->async, on_closed);
}

void
writer_get_stats(const struct writer *w, struct writer_stats *out)
{
	*out = w->stats;
}
