/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fill.c -- the fill machinery with a fake source, a fake fetch, a
 * temporary LMDB store with the real writer thread, and an injected clock.
 *
 * The fake fetch answers nothing by itself: it records each request, and
 * the test answers them one by one, so what is shared, what goes out and
 * what is stored are all visible. The fake source proves what the test's
 * answer bodies say:
 *   "ok"          the need's natural range (PATH i: [i, i+1) and the leaf;
 *                 ROOT n: [0, n); CONSISTENCY a b: [a, b); HASH: leaf 7)
 *   "conflict"    PATH i: [i, i+1) with a hash that contradicts the store
 *   "lie"         CTD_EVERIFY (the log's answer does not verify)
 *   "more"        another round of requests (then "ok")
 *   "head N"      FILL_HEAD: a head of size N
 * A request answered with an HTTP 404 is an unknown leaf for FILL_HASH.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "../tap.h"

#include "err.h"
#include "fill.h"
#include "log.h"
#include "source.h"
#include "store.h"
#include "writer.h"

/* ---- the fake source ------------------------------------------------------ */

struct fake_source {
	struct source base;
	size_t reqs_per_round;
	int begun, finished;
	struct source_task last;	/* anchors of the last task begun */
};

static struct fake_source fsrc;

static void
range_hash(uint64_t b, uint64_t e, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		out[i] = (uint8_t)(b * 31u + e * 7u + (uint64_t)i);
	}
}

static int
plan_round(struct source_task *t)
{
	for (size_t k = 0; k < fsrc.reqs_per_round; k++) {
		struct source_req *r = source_task_req(t, "fake");
		if (r == NULL) {
			return CTD_ERANGE;
		}
		snprintf(r->url, sizeof r->url, "fake:/%d/%" PRIu64 "/%" PRIu64
		    "/%02x/r%u/%zu", (int)t->need.kind, t->need.a, t->need.b,
		    t->need.hash[0], t->round, k);
	}
	return CTD_OK;
}

static int
fake_begin(struct source *src, struct source_task *t)
{
	(void)src;
	fsrc.begun++;
	fsrc.last = *t;
	return plan_round(t);
}

static int
prove_ok(struct source_task *t)
{
	const struct fill_need *n = &t->need;
	uint8_t h[32];
	switch (n->kind) {
	case FILL_PATH:
		range_hash(n->a, n->a + 1, h);
		return proved_add_leaf(&t->proved, h, n->a);
	case FILL_HASH:
		return proved_add_leaf(&t->proved, n->hash, 7);
	case FILL_ROOT:
		range_hash(0, n->a, h);
		return proved_add_range(&t->proved, 0, n->a, h);
	case FILL_CONSISTENCY:
		range_hash(n->a, n->b, h);
		return proved_add_range(&t->proved, n->a, n->b, h);
	default:
		return CTD_OK;
	}
}

static int
fake_consume(struct source *src, struct source_task *t,
    const struct source_reply *r, size_t count)
{
	(void)src;
	if (count != t->req_count) {
		return CTD_EINVAL;
	}
	for (size_t i = 0; i < count; i++) {
		if (r[i].status != CTD_OK) {
			return r[i].http_code == 404 && t->need.kind == FILL_HASH ?
			    CTD_ENOTFOUND : r[i].status;
		}
	}
	const char *body = (const char *)r[0].body;
	if (strcmp(body, "lie") == 0) {
		return CTD_EVERIFY;
	}
	if (strcmp(body, "more") == 0) {
		t->req_count = 0;
		t->round++;
		int rc = plan_round(t);
		t->round--;	/* fill.c counts the rounds */
		return rc == CTD_OK ? CTD_EAGAIN : rc;
	}
	if (strcmp(body, "conflict") == 0) {
		uint8_t h[32];
		memset(h, 0xee, sizeof h);
		return proved_add_range(&t->proved, t->need.a, t->need.a + 1, h);
	}
	unsigned long long size;
	if (sscanf(body, "head %llu", &size) == 1) {
		memset(&t->head, 0, sizeof t->head);
		t->head.tree_size = size;
		t->head.timestamp = 1000 + size;
		range_hash(0, size, t->head.root);
		t->head.sig_len = 4;
		t->has_head = true;
		return CTD_OK;
	}
	return strcmp(body, "ok") == 0 ? prove_ok(t) : CTD_EMALF;
}

static void
fake_finish(struct source *src, struct source_task *t)
{
	(void)src;
	(void)t;
	fsrc.finished++;
}

static void
fake_free(struct source *src)
{
	(void)src;
}

static const struct source_ops fake_ops = {
	.kind = "fake", .begin = fake_begin, .consume = fake_consume,
	.finish = fake_finish, .free = fake_free,
};

/* ---- the fake fetch and clock -------------------------------------------- */

#define MAX_OUT 64

struct request {
	char url[SOURCE_URL_MAX];
	const char *label;
	fetch_cb cb;
	void *arg;
};

static struct request out[MAX_OUT];
static size_t out_count;	/* requests waiting for an answer */
static size_t sent_total;	/* requests ever sent */
static size_t fetch_cap = MAX_OUT;
static uint64_t now_ms = 1000;
static int alarms;

static int
fake_fetch(void *arg, const char *url, const char *label, bool along,
    fetch_cb cb, void *cb_arg)
{
	(void)arg;
	if (!along && out_count >= fetch_cap) {
		return CTD_EBUSY;
	}
	struct request *r = &out[out_count++];
	snprintf(r->url, sizeof r->url, "%s", url);
	r->label = label;
	r->cb = cb;
	r->arg = cb_arg;
	sent_total++;
	return CTD_OK;
}

static uint64_t
fake_now(void *arg)
{
	(void)arg;
	return now_ms;
}

static void
fake_alarm(void *arg)
{
	(void)arg;
	alarms++;
}

/* Answer the oldest waiting request. */
static void
answer(int status, long code, const char *body)
{
	if (out_count == 0) {
		ok(false, "a request to answer");
		return;
	}
	struct request r = out[0];
	memmove(out, out + 1, (out_count - 1) * sizeof *out);
	out_count--;
	r.cb(r.arg, status, code, (const uint8_t *)body,
	    body != NULL ? strlen(body) : 0);
}

/* ---- the loop, the store, the waiters ------------------------------------- */

static uv_loop_t loop;
static struct store *store;
static struct store_log *slog;
static struct writer *writer;
static char dir[] = "/tmp/test_fill.XXXXXX";

struct waiter {
	int calls;
	int status;
	struct sth head;
};

static void
on_done(void *arg, int status)
{
	struct waiter *w = arg;
	w->calls++;
	w->status = status;
}

static void
on_head(void *arg, int status, const struct sth *head)
{
	struct waiter *w = arg;
	w->calls++;
	w->status = status;
	if (head != NULL) {
		w->head = *head;
	}
}

/* Run the loop until the waiter was called (the writer thread commits
 * and wakes the loop); bounded, so a bug fails instead of hanging. */
static bool
wait_for(const struct waiter *w)
{
	for (int i = 0; i < 20000 && w->calls == 0; i++) {
		uv_run(&loop, UV_RUN_NOWAIT);
		if (w->calls == 0) {
			usleep(500);
		}
	}
	return w->calls > 0;
}

static bool
stored_range(uint64_t b, uint64_t e, uint8_t out_hash[32])
{
	struct store_reader r;
	uint8_t h[32];
	bool found = false;
	if (store_reader_init(store, &r) == CTD_OK &&
	    store_read_begin(&r) == CTD_OK) {
		found = store_get_range(&r, slog, b, e, h) == CTD_OK;
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	if (found && out_hash != NULL) {
		memcpy(out_hash, h, 32);
	}
	return found;
}

static struct sth
served_sth(uint64_t size)
{
	struct sth s = { .tree_size = size, .timestamp = 1000 + size,
		.sig_len = 4 };
	range_hash(0, size, s.root);
	return s;
}

/* The store starts with the served head's root and the root of 64. */
static void
seed_store(void)
{
	struct store_txn t;
	uint8_t h[32];
	struct sth s = served_sth(100);
	store_txn_begin(store, &t);
	store_put_sth(&t, slog, &s);
	store_put_range(&t, slog, 0, 100, s.root);
	range_hash(0, 64, h);
	store_put_range(&t, slog, 0, 64, h);
	ok(store_txn_commit(&t) == CTD_OK, "seed the store");
}

static struct fill *
new_fill(void)
{
	struct fill_env env = {
		.name = "test", .source = &fsrc.base, .store = store,
		.slog = slog, .writer = writer, .fetch = fake_fetch,
		.now_ms = fake_now, .on_alarm = fake_alarm,
	};
	struct fill *f = fill_new(&env);
	fill_set_negative_ttl(f, 30);
	return f;
}

/* ---- the tests ------------------------------------------------------------ */

static void
test_needs_a_head(struct fill *f)
{
	struct waiter w = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 5, .b = 100 };
	is_int(fill_start(f, &n, on_done, &w), CTD_EBUSY,
	    "no head served yet: refused at once");
	is_int(sent_total, 0, "nothing sent");
}

static void
test_path(struct fill *f)
{
	struct waiter w = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 5, .b = 100 };
	uint8_t h[32], want[32];
	is_int(fill_start(f, &n, on_done, &w), CTD_OK, "path: started");
	is_int(out_count, 1, "path: one request");
	ok(strcmp(out[0].label, "fake") == 0, "path: the source's label");
	ok(fsrc.last.second.known && fsrc.last.second.size == 100,
	    "path: anchored on the stored root of 100");
	ok(fsrc.last.served.known && fsrc.last.served.size == 100,
	    "path: the served head is the anchor S");
	answer(CTD_OK, 200, "ok");
	is_int(w.calls, 0, "path: nobody woken before the commit");
	ok(wait_for(&w), "path: woken");
	is_int(w.status, CTD_OK, "path: filled");
	range_hash(5, 6, want);
	ok(stored_range(5, 6, h) && memcmp(h, want, 32) == 0,
	    "path: the proved range is committed when the waiter wakes");
	is_int(fill_active(f), 0, "path: no task left");
	is_int(fsrc.finished, fsrc.begun, "path: the source's finish ran");
}

static void
test_coalescing(struct fill *f)
{
	struct waiter a = { 0 }, b = { 0 }, c = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 6, .b = 100 };
	struct fill_need other = { .kind = FILL_PATH, .a = 9, .b = 100 };
	size_t before = sent_total;
	is_int(fill_start(f, &n, on_done, &a), CTD_OK, "coalesce: first");
	is_int(fill_start(f, &n, on_done, &b), CTD_OK, "coalesce: second");
	is_int(fill_start(f, &other, on_done, &c), CTD_OK, "coalesce: other");
	is_int(sent_total - before, 2, "coalesce: two needs, two requests");
	is_int(fill_active(f), 2, "coalesce: two tasks");
	answer(CTD_OK, 200, "ok");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&a) && wait_for(&b) && wait_for(&c), "coalesce: woken");
	ok(a.calls == 1 && b.calls == 1 && c.calls == 1,
	    "coalesce: each waiter called once");
	ok(a.status == CTD_OK && b.status == CTD_OK, "coalesce: both filled");
}

static void
test_verify_failure(struct fill *f)
{
	struct waiter w = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 7, .b = 100 };
	int alarms_before = alarms;
	fill_start(f, &n, on_done, &w);
	answer(CTD_OK, 200, "lie");
	is_int(w.calls, 1, "lie: woken at once (nothing to write)");
	is_int(w.status, CTD_EVERIFY, "lie: CTD_EVERIFY");
	is_int(alarms, alarms_before + 1, "lie: the alarm is raised");
	ok(!stored_range(7, 8, NULL), "lie: nothing stored");
}

static void
test_conflict(struct fill *f)
{
	struct waiter w = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 5, .b = 100 };
	uint8_t h[32], want[32];
	int alarms_before = alarms;
	/* [5, 6) is stored already: the range 5 was taken out of the store
	 * by no one, so the need is forced with a direct start. */
	fill_start(f, &n, on_done, &w);
	answer(CTD_OK, 200, "conflict");
	ok(wait_for(&w), "conflict: woken");
	is_int(w.status, CTD_EINCONSISTENT, "conflict: CTD_EINCONSISTENT");
	is_int(alarms, alarms_before + 1, "conflict: the alarm is raised");
	range_hash(5, 6, want);
	ok(stored_range(5, 6, h) && memcmp(h, want, 32) == 0,
	    "conflict: the stored range is unchanged");
}

static void
test_missing_anchor(struct fill *f)
{
	struct waiter w = { 0 };
	struct fill_need path = { .kind = FILL_PATH, .a = 3, .b = 50 };
	struct fill_need pow2 = { .kind = FILL_CONSISTENCY, .a = 32, .b = 100 };
	size_t before = sent_total;
	is_int(fill_start(f, &path, on_done, &w), CTD_ENOTFOUND,
	    "anchor: a path in a tree whose root is not stored");
	is_int(fill_start(f, &pow2, on_done, &w), CTD_ENOTFOUND,
	    "anchor: a proof from a power of two whose root is not stored");
	is_int(sent_total, before, "anchor: nothing sent");
	is_int(w.calls, 0, "anchor: no callback");
}

static void
test_every_kind(struct fill *f)
{
	struct waiter w[3] = { { 0 } };
	struct fill_need root = { .kind = FILL_ROOT, .a = 50 };
	struct fill_need cons = { .kind = FILL_CONSISTENCY, .a = 50, .b = 100 };
	struct fill_need cons64 = { .kind = FILL_CONSISTENCY, .a = 64, .b = 100 };

	is_int(fill_start(f, &root, on_done, &w[0]), CTD_OK, "root: started");
	ok(fsrc.last.served.size == 100 && !fsrc.last.second.known,
	    "root: anchored on S only");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&w[0]) && w[0].status == CTD_OK, "root: filled");
	ok(stored_range(0, 50, NULL), "root: [0, 50) stored");

	is_int(fill_start(f, &cons, on_done, &w[1]), CTD_OK,
	    "consistency: started");
	ok(fsrc.last.second.known && fsrc.last.second.size == 100 &&
	    fsrc.last.first.known, "consistency: both roots as anchors");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&w[1]) && w[1].status == CTD_OK, "consistency: filled");
	ok(stored_range(50, 100, NULL), "consistency: [50, 100) stored");

	is_int(fill_start(f, &cons64, on_done, &w[2]), CTD_OK,
	    "consistency from 64: started");
	ok(fsrc.last.first.known && fsrc.last.first.size == 64,
	    "consistency from 64: the first root is an anchor");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&w[2]) && w[2].status == CTD_OK,
	    "consistency from 64: filled");
}

static void
test_negative_cache(struct fill *f)
{
	struct waiter a = { 0 }, b = { 0 }, c = { 0 };
	struct fill_need n = { .kind = FILL_HASH };
	memset(n.hash, 0xab, sizeof n.hash);
	struct sth s100 = served_sth(100), s101 = served_sth(101);

	fill_start(f, &n, on_done, &a);
	answer(CTD_EUPSTREAM, 404, "unknown leaf");
	is_int(a.status, CTD_ENOTFOUND, "negative: the log does not hold it");
	size_t before = sent_total;
	is_int(fill_start(f, &n, on_done, &b), CTD_ENOTFOUND,
	    "negative: remembered, answered at once");
	is_int(sent_total, before, "negative: nothing sent");
	now_ms += 31 * 1000;
	is_int(fill_start(f, &n, on_done, &c), CTD_OK,
	    "negative: forgotten after negative-ttl");
	answer(CTD_EUPSTREAM, 404, "unknown leaf");
	is_int(c.status, CTD_ENOTFOUND, "negative: still unknown");
	fill_set_served(f, &s101);
	struct waiter d = { 0 };
	is_int(fill_start(f, &n, on_done, &d), CTD_OK,
	    "negative: a larger tree may hold it");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&d) && d.status == CTD_OK, "negative: found in the new tree");
	fill_set_served(f, &s100);
}

static void
test_caps(struct fill *f)
{
	struct waiter w[3] = { { 0 } };
	struct fill_need n[3];
	for (int i = 0; i < 3; i++) {
		n[i] = (struct fill_need){ .kind = FILL_PATH, .a = 20 + i,
			.b = 100 };
	}
	fetch_cap = 2;
	is_int(fill_start(f, &n[0], on_done, &w[0]), CTD_OK, "caps: first");
	is_int(fill_start(f, &n[1], on_done, &w[1]), CTD_OK, "caps: second");
	is_int(fill_start(f, &n[2], on_done, &w[2]), CTD_EBUSY,
	    "caps: third refused at once");
	is_int(w[2].calls, 0, "caps: no callback for the refused");
	is_int(fill_active(f), 2, "caps: two tasks");
	answer(CTD_OK, 200, "ok");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&w[0]) && wait_for(&w[1]), "caps: the two are filled");
	fetch_cap = MAX_OUT;

	/* Waiters per task are capped too. */
	static struct waiter many[FILL_MAX_WAITERS + 1];
	struct fill_need m = { .kind = FILL_PATH, .a = 30, .b = 100 };
	int refused = 0;
	for (int i = 0; i <= FILL_MAX_WAITERS; i++) {
		if (fill_start(f, &m, on_done, &many[i]) == CTD_EBUSY) {
			refused++;
		}
	}
	is_int(refused, 1, "caps: the waiter past FILL_MAX_WAITERS refused");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&many[FILL_MAX_WAITERS - 1]), "caps: the waiters woken");
	is_int(many[FILL_MAX_WAITERS].calls, 0, "caps: the refused not woken");
}

static void
test_rounds(struct fill *f)
{
	struct waiter w = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 40, .b = 100 };
	fsrc.reqs_per_round = 3;
	fill_start(f, &n, on_done, &w);
	is_int(out_count, 3, "rounds: three requests out at once");
	answer(CTD_OK, 200, "more");
	answer(CTD_OK, 200, "x");
	is_int(out_count, 1, "rounds: the round waits for every reply");
	answer(CTD_OK, 200, "x");
	is_int(out_count, 3, "rounds: the second round's requests");
	ok(strstr(out[0].url, "/r1/") != NULL, "rounds: numbered 1");
	answer(CTD_OK, 200, "ok");
	answer(CTD_OK, 200, "ok");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&w) && w.status == CTD_OK, "rounds: filled");
	ok(stored_range(40, 41, NULL), "rounds: stored");

	/* One reply failing fails the task once all are in. */
	struct waiter e = { 0 };
	struct fill_need m = { .kind = FILL_PATH, .a = 41, .b = 100 };
	fill_start(f, &m, on_done, &e);
	answer(CTD_OK, 200, "ok");
	answer(CTD_ETIMEOUT, 0, NULL);
	is_int(e.calls, 0, "rounds: still one reply out");
	answer(CTD_OK, 200, "ok");
	is_int(e.status, CTD_ETIMEOUT, "rounds: the failure is the result");
	ok(!stored_range(41, 42, NULL), "rounds: nothing stored");
	fsrc.reqs_per_round = 1;
}

static void
test_heads(struct fill *f)
{
	struct waiter h = { 0 }, a = { 0 };
	struct sth cur = served_sth(100);
	struct store_reader r;
	struct sth latest;

	is_int(fill_get_head(f, on_head, &h), CTD_OK, "head: asked");
	answer(CTD_OK, 200, "head 120");
	is_int(h.status, CTD_OK, "head: given");
	is_int(h.head.tree_size, 120, "head: its size");

	is_int(fill_adopt_head(f, &cur, &h.head, on_done, &a), CTD_OK,
	    "adopt: started");
	ok(fsrc.last.first.size == 100 && fsrc.last.second.size == 120 &&
	    fsrc.last.first.known && fsrc.last.second.known,
	    "adopt: anchored on both heads");
	answer(CTD_OK, 200, "ok");
	ok(wait_for(&a) && a.status == CTD_OK, "adopt: committed");
	ok(store_reader_init(store, &r) == CTD_OK &&
	    store_read_begin(&r) == CTD_OK &&
	    store_latest_sth(&r, slog, &latest) == CTD_OK &&
	    latest.tree_size == 120, "adopt: the head is stored");
	store_read_end(&r);
	store_reader_deinit(&r);
	ok(stored_range(0, 120, NULL), "adopt: its root is stored");

	/* A refresh of the same tree needs no request. */
	struct waiter b = { 0 };
	struct sth again = h.head;
	again.timestamp++;
	size_t before = sent_total;
	is_int(fill_adopt_head(f, &h.head, &again, on_done, &b), CTD_OK,
	    "refresh: started");
	is_int(sent_total, before, "refresh: nothing sent");
	ok(wait_for(&b) && b.status == CTD_OK, "refresh: committed");

	/* A false consistency proof. */
	struct waiter c = { 0 };
	struct sth bigger = served_sth(130);
	fill_adopt_head(f, &h.head, &bigger, on_done, &c);
	answer(CTD_OK, 200, "lie");
	is_int(c.status, CTD_EVERIFY, "adopt: a false proof is refused");
	ok(!stored_range(0, 130, NULL), "adopt: nothing of it stored");
}

static void
test_free_cancels(void)
{
	struct fill *f = new_fill();
	struct sth s = served_sth(100);
	struct waiter w = { 0 };
	struct fill_need n = { .kind = FILL_PATH, .a = 50, .b = 100 };
	fill_set_served(f, &s);
	fill_start(f, &n, on_done, &w);
	out_count = 0;		/* the transfer is dropped unanswered */
	fill_free(f);
	is_int(w.calls, 1, "free: the waiter is woken");
	is_int(w.status, CTD_ECANCELED, "free: with CTD_ECANCELED");
}

int
main(void)
{
	log_set_verbosity(0);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	uint8_t id[32];
	memset(id, 7, sizeof id);
	uv_loop_init(&loop);
	ok(store_open(dir, 1 << 24, &store) == CTD_OK, "store opened");
	ok(store_log_open(store, id, &slog) == CTD_OK, "log opened");
	seed_store();
	ok(writer_new(store, &loop, &writer) == CTD_OK, "writer started");
	fsrc.base.ops = &fake_ops;
	fsrc.reqs_per_round = 1;

	struct fill *f = new_fill();
	ok(f != NULL, "fill created");
	struct sth s = served_sth(100);
	test_needs_a_head(f);
	fill_set_served(f, &s);
	test_path(f);
	test_coalescing(f);
	test_verify_failure(f);
	test_conflict(f);
	test_missing_anchor(f);
	test_every_kind(f);
	test_negative_cache(f);
	test_caps(f);
	test_rounds(f);
	test_heads(f);
	struct fill_stats st;
	fill_get_stats(f, &st);
	ok(st.ok > 0 && st.failed > 0, "stats: fills counted");
	fill_free(f);
	test_free_cancels();

	writer_close(writer);
	uv_run(&loop, UV_RUN_DEFAULT);
	is_int(uv_loop_close(&loop), 0, "the loop closes with no handle left");
	store_close(store);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0) {
		diag("cannot remove %s", dir);
	}
	return done_testing();
}
