/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_writer.c -- the store's one writer and what it writes with:
 * store_put_proved round trips, the contiguous marker, nested
 * transactions; then the writer thread: group commit, a failing set
 * dropped alone, the queue bound, callbacks on the loop thread after the
 * data is visible, log handles opened while it runs, writer_close
 * draining, and a loop that closes with no handle left.
 *
 * Determinism without sleeps: to make sets wait for one group, the test
 * holds LMDB's write lock (a write transaction of its own on the main
 * thread); the writer thread takes its group only once it holds the lock
 * itself, so every set submitted meanwhile lands in that one group. The
 * loop is run until each expected callback has come.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "err.h"
#include "proved.h"
#include "store.h"
#include "writer.h"
#include "../tap.h"
#include "../storetmp.h"

static char base[256];
static struct store *st;
static struct store_log *la;
static uv_loop_t loop;
static pthread_t main_thread;
static uint8_t id_a[32], id_b[32], id_c[32];

/* One submitted set and what its callback saw. */
struct job {
	struct store_log *log;
	struct proved set;
	uint64_t begin, end;		/* the range the set carries */
	uint8_t hash[32];
	int calls;
	int status;
	bool on_loop;		/* the callback ran on the loop thread */
	int seen;		/* a fresh reader's lookup of the range */
};

/* Look up one range in a fresh snapshot of its own. */
static int
read_range(struct store_log *l, uint64_t b, uint64_t e, uint8_t out[32])
{
	struct store_reader r;
	int rc = store_reader_init(st, &r);

	if (rc != CTD_OK) {
		return rc;
	}
	if ((rc = store_read_begin(&r)) == CTD_OK) {
		rc = store_get_range(&r, l, b, e, out);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return rc;
}

static int
read_leaf(struct store_log *l, const uint8_t h[32], uint64_t *index)
{
	struct store_reader r;
	int rc = store_reader_init(st, &r);

	if (rc != CTD_OK) {
		return rc;
	}
	if ((rc = store_read_begin(&r)) == CTD_OK) {
		rc = store_get_leaf(&r, l, h, index);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return rc;
}

/* The contiguous marker, or -1 when it cannot be read. */
static int64_t
read_contiguous(struct store_log *l)
{
	struct store_reader r;
	uint64_t n = 0;
	int rc = store_reader_init(st, &r);

	if (rc != CTD_OK) {
		return -1;
	}
	if ((rc = store_read_begin(&r)) == CTD_OK) {
		rc = store_get_contiguous(&r, l, &n);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return rc == CTD_OK ? (int64_t)n : -1;
}

/* True when [b, e) is stored with hash h. */
static bool
has_range(struct store_log *l, uint64_t b, uint64_t e, const uint8_t h[32])
{
	uint8_t got[32];

	return read_range(l, b, e, got) == CTD_OK &&
	    memcmp(got, h, sizeof got) == 0;
}

/* A job carrying the one range [b, e) with a hash from seed. */
static void
job_init(struct job *j, struct store_log *l, uint64_t b, uint64_t e,
    uint32_t seed)
{
	memset(j, 0, sizeof *j);
	j->log = l;
	j->begin = b;
	j->end = e;
	storetmp_fill(j->hash, sizeof j->hash, seed);
	proved_init(&j->set);
	if (proved_add_range(&j->set, b, e, j->hash) != CTD_OK) {
		diag("proved_add_range failed");
	}
}

static void
on_done(void *arg, int status)
{
	struct job *j = arg;
	uint8_t got[32];

	j->calls++;
	j->status = status;
	j->on_loop = pthread_equal(pthread_self(), main_thread) != 0;
	j->seen = read_range(j->log, j->begin, j->end, got);
	if (j->seen == CTD_OK && memcmp(got, j->hash, sizeof got) != 0) {
		j->seen = CTD_EINCONSISTENT;
	}
}

/* Run the loop until every job's callback came. */
static void
run_until_done(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (jobs[i].calls == 0) {
			uv_run(&loop, UV_RUN_ONCE);
		}
	}
}

static int
submit_all(struct writer *w, struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = writer_submit(w, jobs[i].log, &jobs[i].set, on_done,
		    &jobs[i]);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return CTD_OK;
}

/* Every job committed once, on the loop thread, visible in its callback. */
static bool
all_committed(const struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].calls != 1 || jobs[i].status != CTD_OK ||
		    !jobs[i].on_loop || jobs[i].seen != CTD_OK) {
			diag("job %zu: calls %d status %d on_loop %d seen %d",
			    i, jobs[i].calls, jobs[i].status, jobs[i].on_loop,
			    jobs[i].seen);
			return false;
		}
	}
	return true;
}

static void
close_writer(struct writer *w)
{
	writer_close(w);
	uv_run(&loop, UV_RUN_DEFAULT);
}

/* ---- the store's side ------------------------------------------------- */

static void
test_put_proved(void)
{
	struct proved p;
	struct store_txn t;
	struct store_reader r;
	struct sth sth, got;
	uint8_t h1[32], h2[32], l5[32], l6[32];
	uint64_t idx = 0;

	proved_init(&p);
	storetmp_fill(h1, 32, 11);
	storetmp_fill(h2, 32, 12);
	storetmp_fill(l5, 32, 15);
	storetmp_fill(l6, 32, 16);
	memset(&sth, 0, sizeof sth);
	sth.tree_size = 8;
	sth.timestamp = 1234;
	storetmp_fill(sth.root, 32, 18);
	sth.sig_len = 9;
	storetmp_fill(sth.sig, 9, 19);
	proved_add_range(&p, 0, 4, h1);
	proved_add_range(&p, 4, 8, h2);
	proved_add_leaf(&p, l5, 5);
	proved_add_leaf(&p, l6, 6);
	proved_set_sth(&p, &sth);
	proved_set_contiguous(&p, 7);
	store_txn_begin(st, &t);
	store_put_proved(&t, la, &p);
	is_int(store_txn_commit(&t), CTD_OK, "store_put_proved commits");
	ok(has_range(la, 0, 4, h1) && has_range(la, 4, 8, h2),
	    "its ranges read back");
	ok(has_range(la, 5, 6, l5) && has_range(la, 6, 7, l6),
	    "each leaf's level-0 range reads back as the leaf hash");
	ok(read_leaf(la, l6, &idx) == CTD_OK && idx == 6,
	    "the leaf index reads back");
	ok(has_range(la, 0, 8, sth.root), "the STH root is the range [0, 8)");
	memset(&got, 0, sizeof got);
	if (store_reader_init(st, &r) == CTD_OK &&
	    store_read_begin(&r) == CTD_OK) {
		ok(store_latest_sth(&r, la, &got) == CTD_OK &&
		    got.tree_size == 8 && got.timestamp == 1234 &&
		    memcmp(got.root, sth.root, 32) == 0 && got.sig_len == 9 &&
		    memcmp(got.sig, sth.sig, 9) == 0,
		    "store_latest_sth gives the STH back");
		store_read_end(&r);
	} else {
		ok(false, "store_latest_sth gives the STH back (no reader)");
	}
	store_reader_deinit(&r);
	is_int(read_contiguous(la), 7, "the contiguous marker reads back");

	/* The same set again is a no-op; a contradicting STH is not. */
	store_txn_begin(st, &t);
	store_put_proved(&t, la, &p);
	is_int(store_txn_commit(&t), CTD_OK, "the same set again commits");
	storetmp_fill(p.sth.root, 32, 99);
	store_txn_begin(st, &t);
	store_put_proved(&t, la, &p);
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "another root for a stored tree size: CTD_EINCONSISTENT");
	proved_free(&p);
}

static void
test_contiguous(void)
{
	struct store_log *lb = NULL;
	struct store_txn t;

	if (store_log_open(st, id_b, &lb) != CTD_OK) {
		diag("cannot open log B");
		return;
	}
	is_int(read_contiguous(lb), 0, "no marker reads as 0");
	store_txn_begin(st, &t);
	store_put_contiguous(&t, la, 0, 3);
	is_int(store_txn_commit(&t), CTD_OK, "a lower marker commits");
	is_int(read_contiguous(la), 7, "and changes nothing");
	store_txn_begin(st, &t);
	store_put_contiguous(&t, la, 0, 9);
	store_put_contiguous(&t, lb, 0, 2);
	is_int(store_txn_commit(&t), CTD_OK, "a higher marker commits");
	is_int(read_contiguous(la), 9, "the marker rose to 9");
	is_int(read_contiguous(lb), 2, "each log has its own marker");

	/* A batch [from, n) raises it only on a whole prefix [0, from). */
	store_txn_begin(st, &t);
	store_put_contiguous(&t, la, 12, 20);
	store_put_contiguous(&t, lb, 3, 5);
	is_int(store_txn_commit(&t), CTD_OK, "a marker past a gap commits");
	is_int(read_contiguous(la), 9, "but leaves the marker where it was");
	is_int(read_contiguous(lb), 2, "for either log");
	store_txn_begin(st, &t);
	store_put_contiguous(&t, la, 9, 12);
	store_put_contiguous(&t, la, 12, 20);
	is_int(store_txn_commit(&t), CTD_OK, "two batches in order commit");
	is_int(read_contiguous(la), 20, "and the marker rose past both");
	struct store_log *lc = NULL;
	if (store_log_open(st, id_c, &lc) == CTD_OK) {
		store_txn_begin(st, &t);
		store_put_contiguous(&t, lc, 4, 8);
		is_int(store_txn_commit(&t), CTD_OK, "a log with no marker");
		is_int(read_contiguous(lc), 0, "keeps none for a batch from 4");
	} else {
		ok(false, "a log with no marker (cannot open log C)");
		ok(false, "keeps none for a batch from 4");
	}
}

static void
test_nested(void)
{
	struct store_txn t, c;
	uint8_t h[32], bad[32], leaf[32];
	uint64_t idx;

	storetmp_fill(h, 32, 40);
	storetmp_fill(bad, 32, 41);
	storetmp_fill(leaf, 32, 42);
	store_txn_begin(st, &t);
	store_txn_begin_nested(&t, &c);
	store_put_range(&c, la, 100, 101, h);
	is_int(store_txn_commit(&c), CTD_OK, "a nested transaction merges");
	store_txn_begin_nested(&t, &c);
	store_put_leaf(&c, la, leaf, 200);
	store_put_range(&c, la, 0, 4, bad);
	is_int(store_txn_commit(&c), CTD_EINCONSISTENT,
	    "a contradicting nested transaction fails");
	is_int(t.err, CTD_OK, "and leaves its parent without error");
	store_txn_begin_nested(&t, &c);
	store_put_range(&c, la, 300, 301, h);
	store_txn_abort(&c);
	is_int(store_txn_commit(&t), CTD_OK, "the parent commits");
	ok(has_range(la, 100, 101, h), "the merged child is stored");
	is_int(read_leaf(la, leaf, &idx), CTD_ENOTFOUND,
	    "the failed child's leaf is not");
	ok(read_range(la, 300, 301, h) == CTD_ENOTFOUND,
	    "the aborted child's range is not");

	store_txn_begin(st, &t);
	store_put_range(&t, la, 5, 5, h);
	store_txn_begin_nested(&t, &c);
	is_int(c.err, CTD_EINVAL, "a failed parent gives a failed child");
	is_int(store_txn_commit(&c), CTD_EINVAL, "whose commit fails");
	is_int(store_txn_commit(&t), CTD_EINVAL, "and the parent's too");
}

/* ---- the writer thread ------------------------------------------------ */

#define GROUP_SETS 64

static void
test_group(void)
{
	struct job jobs[GROUP_SETS];
	struct writer_stats ws;
	struct writer *w = NULL;
	struct store_txn hold;
	bool early = false;

	if (writer_new(st, &loop, &w) != CTD_OK) {
		diag("writer_new failed");
		return;
	}
	for (size_t i = 0; i < GROUP_SETS; i++) {
		job_init(&jobs[i], la, 1000 + 2 * i, 1001 + 2 * i,
		    (uint32_t)(1000 + i));
	}
	/* Hold LMDB's write lock: nothing can commit meanwhile. */
	store_txn_begin(st, &hold);
	is_int(submit_all(w, jobs, GROUP_SETS), CTD_OK, "64 sets submitted");
	ok(proved_empty(&jobs[0].set), "a submitted set is moved out");
	for (int i = 0; i < 10; i++) {
		uv_run(&loop, UV_RUN_NOWAIT);
	}
	for (size_t i = 0; i < GROUP_SETS; i++) {
		early |= jobs[i].calls != 0;
	}
	ok(!early, "no callback before the commit");
	store_txn_abort(&hold);
	run_until_done(jobs, GROUP_SETS);
	ok(all_committed(jobs, GROUP_SETS),
	    "every callback: CTD_OK, on the loop, data visible to a fresh "
	    "reader");
	writer_get_stats(w, &ws);
	is_int(ws.groups, 1, "the 64 sets were one group (one commit)");
	ok(ws.groups < ws.sets_ok, "groups < sets");
	is_int(ws.sets_ok, GROUP_SETS, "64 sets ok");
	is_int(ws.sets_failed, 0, "none failed");
	close_writer(w);
}

static void
test_conflict(void)
{
	struct job jobs[3];
	struct writer_stats ws;
	struct writer *w = NULL;
	struct store_txn t, hold;
	uint8_t stored[32], leaf[32];
	uint64_t idx;

	if (writer_new(st, &loop, &w) != CTD_OK) {
		diag("writer_new failed");
		return;
	}
	storetmp_fill(stored, 32, 500);
	store_txn_begin(st, &t);
	store_put_range(&t, la, 5000, 5001, stored);
	if (store_txn_commit(&t) != CTD_OK) {
		diag("cannot store [5000, 5001)");
	}
	job_init(&jobs[0], la, 6000, 6001, 600);
	job_init(&jobs[1], la, 7000, 7002, 700);
	job_init(&jobs[2], la, 6002, 6003, 602);
	/* Set 1: a good range, then a leaf whose level-0 range [5000, 5001)
	 * contradicts the stored one. */
	storetmp_fill(leaf, 32, 501);
	proved_add_leaf(&jobs[1].set, leaf, 5000);
	store_txn_begin(st, &hold);
	is_int(submit_all(w, jobs, 3), CTD_OK, "three sets submitted");
	store_txn_abort(&hold);
	run_until_done(jobs, 3);
	ok(jobs[0].status == CTD_OK && jobs[0].seen == CTD_OK &&
	    jobs[2].status == CTD_OK && jobs[2].seen == CTD_OK,
	    "the good sets of the group commit");
	is_int(jobs[1].status, CTD_EINCONSISTENT,
	    "the contradicting set fails with CTD_EINCONSISTENT");
	ok(jobs[1].calls == 1 && jobs[1].on_loop, "on the loop, once");
	is_int(jobs[1].seen, CTD_ENOTFOUND,
	    "none of it is written: its good range is absent");
	is_int(read_leaf(la, leaf, &idx), CTD_ENOTFOUND,
	    "its leaf is absent");
	ok(has_range(la, 5000, 5001, stored), "the stored range is kept");
	writer_get_stats(w, &ws);
	ok(ws.groups == 1 && ws.sets_ok == 2 && ws.sets_failed == 1,
	    "one group, 2 ok, 1 failed");
	close_writer(w);
}

static void
test_busy(void)
{
	struct job *jobs = calloc(WRITER_MAX_QUEUED + 1, sizeof *jobs);
	struct job *extra;
	struct writer *w = NULL;

	if (jobs == NULL || writer_new(st, &loop, &w) != CTD_OK) {
		diag("no memory or no writer");
		free(jobs);
		return;
	}
	for (size_t i = 0; i <= WRITER_MAX_QUEUED; i++) {
		job_init(&jobs[i], la, 100000 + i, 100001 + i,
		    (uint32_t)(100000 + i));
	}
	extra = &jobs[WRITER_MAX_QUEUED];
	/* No loop run: no callback, so all stay owed. */
	is_int(submit_all(w, jobs, WRITER_MAX_QUEUED), CTD_OK,
	    "WRITER_MAX_QUEUED sets are taken");
	is_int(writer_submit(w, la, &extra->set, on_done, extra), CTD_EBUSY,
	    "one more is CTD_EBUSY");
	ok(extra->set.range_count == 1, "the refused set is left untouched");
	run_until_done(jobs, WRITER_MAX_QUEUED);
	ok(all_committed(jobs, WRITER_MAX_QUEUED), "all of them commit");
	is_int(writer_submit(w, la, &extra->set, on_done, extra), CTD_OK,
	    "once they are done, a set is taken again");
	run_until_done(extra, 1);
	ok(all_committed(extra, 1), "and commits");
	close_writer(w);
	for (size_t i = 0; i <= WRITER_MAX_QUEUED; i++) {
		proved_free(&jobs[i].set);
	}
	free(jobs);
}

/* A set too big for the map fails alone with CTD_ESPACE: LMDB's child
 * transaction is dropped and its parent goes on. */
static void
test_map_full(void)
{
	struct store *big_st = st;
	struct store_log *small_log = NULL;
	struct writer *w = NULL;
	struct store_txn hold;
	struct job jobs[3];
	char p[PATH_MAX];
	uint8_t h[32];
	bool added = true;

	snprintf(p, sizeof p, "%s/small", base);
	if (store_open(p, 256 * 1024, &st) != CTD_OK ||
	    store_log_open(st, id_a, &small_log) != CTD_OK ||
	    writer_new(st, &loop, &w) != CTD_OK) {
		diag("cannot open the small store or its writer");
		store_close(st == big_st ? NULL : st);
		st = big_st;
		return;
	}
	job_init(&jobs[0], small_log, 0, 1, 1);
	job_init(&jobs[1], small_log, 1, 2, 2);
	job_init(&jobs[2], small_log, 2, 3, 3);
	storetmp_fill(h, 32, 4);
	for (uint64_t i = 10; i < 20000 && added; i++) {
		added = proved_add_range(&jobs[1].set, i, i + 1, h) == CTD_OK;
	}
	store_txn_begin(st, &hold);
	is_int(submit_all(w, jobs, 3), CTD_OK, "a small, a huge, a small set");
	store_txn_abort(&hold);
	run_until_done(jobs, 3);
	is_int(jobs[1].status, CTD_ESPACE, "the huge set fails: CTD_ESPACE");
	is_int(jobs[1].seen, CTD_ENOTFOUND, "nothing of it is stored");
	ok(jobs[0].status == CTD_OK && jobs[0].seen == CTD_OK &&
	    jobs[2].status == CTD_OK && jobs[2].seen == CTD_OK,
	    "the small sets of its group commit");
	close_writer(w);
	store_close(st);
	st = big_st;
}

/* Log handles opened on the main thread while the writer writes. */
static void
test_log_open(void)
{
	struct job jobs[11];
	struct store_log *lc = NULL;
	struct writer *w = NULL;
	uint8_t id_c[32];

	if (writer_new(st, &loop, &w) != CTD_OK) {
		diag("writer_new failed");
		return;
	}
	storetmp_fill(id_c, 32, 3000);
	for (size_t i = 0; i < 10; i++) {
		job_init(&jobs[i], la, 20000 + i, 20001 + i,
		    (uint32_t)(20000 + i));
	}
	is_int(submit_all(w, jobs, 10), CTD_OK, "10 sets for log A");
	is_int(store_log_open(st, id_c, &lc), CTD_OK,
	    "log C opens on the main thread while the writer writes");
	job_init(&jobs[10], lc, 0, 1, 21000);
	is_int(submit_all(w, &jobs[10], 1), CTD_OK, "a set for log C");
	run_until_done(jobs, 11);
	ok(all_committed(jobs, 11), "all commit, log C's too");
	close_writer(w);
}

static void
test_close(void)
{
	struct job jobs[50], late;
	struct writer *w = NULL;
	bool none = true;

	if (writer_new(st, &loop, &w) != CTD_OK) {
		diag("writer_new failed");
		return;
	}
	for (size_t i = 0; i < 50; i++) {
		job_init(&jobs[i], la, 30000 + i, 30001 + i,
		    (uint32_t)(30000 + i));
	}
	is_int(submit_all(w, jobs, 50), CTD_OK, "50 sets submitted");
	for (size_t i = 0; i < 50; i++) {
		none &= jobs[i].calls == 0;
	}
	ok(none, "no callback before the loop runs or the writer closes");
	writer_close(w);
	ok(all_committed(jobs, 50),
	    "writer_close writes all and runs every callback");
	job_init(&late, la, 40000, 40001, 40000);
	is_int(writer_submit(w, la, &late.set, on_done, &late), CTD_ECANCELED,
	    "a set after writer_close is CTD_ECANCELED");
	writer_close(w);
	ok(true, "a second writer_close does nothing");
	uv_run(&loop, UV_RUN_DEFAULT);
	is_int(late.calls, 0, "the refused set gets no callback");
	proved_free(&late.set);
	writer_close(NULL);
}

/* A mirror's batch [a, b): leaf hashes from seed + index, the marker
 * from a, relaxed as a bulk batch or not (the last). */
static void
batch_init(struct job *j, struct store_log *l, uint64_t a, uint64_t b,
    bool relaxed)
{
	uint8_t h[32];

	memset(j, 0, sizeof *j);
	j->log = l;
	j->begin = a;
	j->end = a + 1;
	proved_init(&j->set);
	for (uint64_t i = a; i < b; i++) {
		storetmp_fill(h, sizeof h, (uint32_t)(50000 + i));
		if (i == a) {
			memcpy(j->hash, h, sizeof h);
		}
		if (proved_add_leaf(&j->set, h, i) != CTD_OK) {
			diag("proved_add_leaf failed");
		}
	}
	proved_set_contiguous(&j->set, b);
	j->set.contiguous_from = a;
	j->set.relaxed = relaxed;
}

/* Whether leaf i of batch_init's hashes is found at i. */
static bool
leaf_found(struct store_log *l, uint64_t i)
{
	uint8_t h[32];
	uint64_t idx;

	storetmp_fill(h, sizeof h, (uint32_t)(50000 + i));
	return read_leaf(l, h, &idx) == CTD_OK && idx == i;
}

/* A mirror's bulk batches keep their index keys and marker back
 * (writer_defer.h) until a normal commit or the writer's close. */
static void
test_defer(void)
{
	struct job jobs[4];
	struct store_log *ld = NULL;
	struct writer *w = NULL;
	uint8_t id_d[32];

	storetmp_fill(id_d, 32, 4000);
	if (store_log_open(st, id_d, &ld) != CTD_OK ||
	    writer_new(st, &loop, &w) != CTD_OK) {
		diag("cannot open log D or the writer");
		return;
	}
	batch_init(&jobs[0], ld, 0, 256, true);
	batch_init(&jobs[1], ld, 256, 512, true);
	is_int(submit_all(w, jobs, 2), CTD_OK, "two bulk batches");
	run_until_done(jobs, 2);
	ok(all_committed(jobs, 2), "they commit, level-0 hashes readable");
	ok(!leaf_found(ld, 5) && !leaf_found(ld, 300),
	    "their index keys are kept back");
	is_int((int)read_contiguous(ld), 0, "and the marker is not raised");
	batch_init(&jobs[2], ld, 512, 768, false);
	is_int(submit_all(w, &jobs[2], 1), CTD_OK, "the last batch, normal");
	run_until_done(&jobs[2], 1);
	ok(all_committed(&jobs[2], 1), "it commits");
	ok(leaf_found(ld, 0) && leaf_found(ld, 5) && leaf_found(ld, 300) &&
	    leaf_found(ld, 511) && leaf_found(ld, 600),
	    "every key is written with it");
	is_int((int)read_contiguous(ld), 768, "the marker covers all three");
	batch_init(&jobs[3], ld, 768, 1024, true);
	is_int(submit_all(w, &jobs[3], 1), CTD_OK, "one more bulk batch");
	run_until_done(&jobs[3], 1);
	ok(!leaf_found(ld, 800), "its keys are kept back");
	close_writer(w);
	ok(leaf_found(ld, 800) && read_contiguous(ld) == 1024,
	    "writer_close writes them and raises the marker");
}

int
main(void)
{
	char p[PATH_MAX];
	int rc = 1;

	plan(80);
	main_thread = pthread_self();
	if (!storetmp_make(base, sizeof base, "test_writer")) {
		return 1;
	}
	storetmp_fill(id_a, 32, 1000);
	storetmp_fill(id_b, 32, 2000);
	storetmp_fill(id_c, 32, 3000);
	snprintf(p, sizeof p, "%s/store", base);
	if (uv_loop_init(&loop) != 0 || store_open(p, 0, &st) != CTD_OK ||
	    store_log_open(st, id_a, &la) != CTD_OK) {
		diag("cannot set up the loop or the store");
		goto out;
	}
	test_put_proved();
	test_contiguous();
	test_nested();
	test_group();
	test_conflict();
	test_busy();
	test_map_full();
	test_log_open();
	test_close();
	test_defer();
	is_int(uv_loop_close(&loop), 0, "the loop closes with no handle left");
	rc = exit_status();
out:
	store_close(st);
	storetmp_remove(base);
	return rc;
}
