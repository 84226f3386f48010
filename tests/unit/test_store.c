/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store.c -- the LMDB store: layout, overwrite rules, sticky errors,
 * reader reuse, persistence, map full, format and corrupt records.
 *
 * Everything happens under one mkdtemp() directory, removed at the end.
 * Corrupt and foreign data is written with raw LMDB calls while the store
 * is closed (LMDB forbids opening one environment twice in a process).
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "err.h"
#include "merkle.h"
#include "store.h"
#include "../tap.h"
#include "../storetmp.h"

static char base[256];

/* Log IDs: A and B differ in the first byte; C shares A's first 8 bytes. */
static uint8_t id_a[32], id_b[32], id_c[32];

static void
path_of(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", base, name);
}

static void
make_sth(struct sth *s, uint64_t size, uint64_t ts, uint32_t root_seed,
    uint16_t sig_len)
{
	memset(s, 0, sizeof *s);
	s->tree_size = size;
	s->timestamp = ts;
	storetmp_fill(s->root, sizeof s->root, root_seed);
	s->sig_len = sig_len;
	storetmp_fill(s->sig, sig_len, root_seed + 7777);
}

static bool
sth_equal(const struct sth *a, const struct sth *b)
{
	return a->tree_size == b->tree_size && a->timestamp == b->timestamp &&
	    memcmp(a->root, b->root, sizeof a->root) == 0 &&
	    a->sig_len == b->sig_len &&
	    memcmp(a->sig, b->sig, a->sig_len) == 0;
}

static void
be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void
db_name(char *out, char kind, const uint8_t id[32])
{
	int n = sprintf(out, "%c/", kind);
	for (int i = 0; i < 8; i++) {
		n += sprintf(out + n, "%02x", id[i]);
	}
}

/* One committed single-range transaction. */
static int
put_one_range(struct store *s, struct store_log *l, uint64_t b, uint64_t e,
    uint32_t seed)
{
	struct store_txn t;
	uint8_t h[32];

	storetmp_fill(h, sizeof h, seed);
	store_txn_begin(s, &t);
	store_put_range(&t, l, b, e, h);
	return store_txn_commit(&t);
}

static int
put_one_sth(struct store *s, struct store_log *l, const struct sth *sth)
{
	struct store_txn t;

	store_txn_begin(s, &t);
	store_put_sth(&t, l, sth);
	return store_txn_commit(&t);
}

/* Read one range in its own snapshot. */
static int
get_one_range(struct store *s, struct store_log *l, uint64_t b, uint64_t e,
    uint8_t out[32])
{
	struct store_reader r;
	int rc = store_reader_init(s, &r);

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

static void
test_open(void)
{
	char p[PATH_MAX];
	struct store *s;
	struct stat st;
	FILE *f;

	path_of(p, "main");
	is_int(store_open(p, 0, &s), CTD_OK, "open creates a new store");
	ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700, "store directory is created 0700");
	store_close(s);
	is_int(store_open(p, 0, &s), CTD_OK, "an existing store opens again");
	store_close(s);
	store_close(NULL);

	path_of(p, "missing/parent");
	s = (struct store *)&st;
	is_int(store_open(p, 0, &s), -ENOENT, "missing parent gives -ENOENT");
	ok(s == NULL, "out is NULL on failure");

	path_of(p, "plainfile");
	f = fopen(p, "w");
	fclose(f);
	is_int(store_open(p, 0, &s), -ENOTDIR, "a file in the way: -ENOTDIR");
}

static void
test_put_get(struct store *s, struct store_log *a)
{
	struct store_reader r;
	struct store_txn t;
	uint8_t h[32], got[32], leaf[32];
	struct sth sth, out;
	uint64_t idx = 0;

	storetmp_fill(h, sizeof h, 1);
	storetmp_fill(leaf, sizeof leaf, 2);
	make_sth(&sth, 1000, 1700000000123ull, 3, 72);
	store_txn_begin(s, &t);
	store_put_range(&t, a, 0, 1, h);
	store_put_leaf(&t, a, leaf, 1);
	store_put_sth(&t, a, &sth);
	is_int(store_txn_commit(&t), CTD_OK, "commit of a range, leaf, STH");

	is_int(store_reader_init(s, &r), CTD_OK, "reader init");
	is_int(store_read_begin(&r), CTD_OK, "read begin");
	is_int(store_read_begin(&r), CTD_EINVAL, "begin twice is CTD_EINVAL");
	is_int(store_get_range(&r, a, 0, 1, got), CTD_OK, "range found");
	is_mem(got, h, 32, "range hash round-trips");
	is_int(store_get_range(&r, a, 0, 2, got), CTD_ENOTFOUND,
	    "other range: not found");
	is_int(store_get_range(&r, a, 1, 1, got), CTD_EINVAL,
	    "empty range lookup: CTD_EINVAL");
	is_int(store_get_range(&r, a, 5, 3, got), CTD_EINVAL,
	    "reversed range lookup: CTD_EINVAL");
	is_int(store_get_leaf(&r, a, leaf, &idx), CTD_OK, "leaf found");
	is_int(idx, 1, "leaf index 1 round-trips");
	is_int(store_get_range(&r, a, 1, 2, got), CTD_OK,
	    "a leaf's level-0 range is stored with it");
	is_mem(got, leaf, 32, "and is the leaf hash");
	is_int(store_get_leaf(&r, a, h, &idx), CTD_ENOTFOUND,
	    "unknown leaf: not found");
	memset(&out, 0xee, sizeof out);
	is_int(store_get_sth(&r, a, 1000, &out), CTD_OK, "STH found");
	ok(sth_equal(&out, &sth), "STH round-trips (size, time, root, sig)");
	is_int(store_get_sth(&r, a, 999, &out), CTD_ENOTFOUND,
	    "other tree size: not found");
	is_int(r.err, CTD_OK, "misses are not reader errors");
	store_read_end(&r);
	store_read_end(&r);
	store_reader_deinit(&r);
	store_reader_deinit(&r);

	/* Empty signature and the largest one. */
	make_sth(&sth, 1001, 1, 4, 0);
	is_int(put_one_sth(s, a, &sth), CTD_OK, "STH with no signature");
	make_sth(&sth, 1002, 2, 5, STH_SIG_MAX);
	is_int(put_one_sth(s, a, &sth), CTD_OK, "STH of STH_SIG_MAX bytes");
	store_reader_init(s, &r);
	store_read_begin(&r);
	is_int(store_get_sth(&r, a, 1002, &out), CTD_OK, "big STH found");
	ok(sth_equal(&out, &sth), "big STH round-trips");
	store_read_end(&r);
	store_reader_deinit(&r);
	make_sth(&sth, 1003, 2, 5, STH_SIG_MAX + 1);
	is_int(put_one_sth(s, a, &sth), CTD_EINVAL,
	    "sig_len beyond STH_SIG_MAX is refused");
	is_int(put_one_range(s, a, 7, 7, 1), CTD_EINVAL,
	    "put of an empty range is refused");
}

static void
test_overwrite(struct store *s, struct store_log *a)
{
	struct store_reader r;
	struct store_txn t;
	uint8_t h[32], other[32], got[32], leaf[32];
	struct sth sth, newer, older, forked, out;
	uint64_t idx = 0;

	storetmp_fill(h, sizeof h, 1);
	storetmp_fill(other, sizeof other, 99);
	is_int(put_one_range(s, a, 0, 1, 1), CTD_OK,
	    "identical range rewrite is fine");
	is_int(put_one_range(s, a, 0, 1, 99), CTD_EINCONSISTENT,
	    "conflicting range hash: CTD_EINCONSISTENT");
	is_int(get_one_range(s, a, 0, 1, got), CTD_OK, "range still there");
	is_mem(got, h, 32, "the first hash is kept");

	/* Leaf at a second index: keep the smaller, no error. */
	storetmp_fill(leaf, sizeof leaf, 50);
	store_txn_begin(s, &t);
	store_put_leaf(&t, a, leaf, 10);
	store_put_leaf(&t, a, leaf, 10);
	store_put_leaf(&t, a, leaf, 20);
	is_int(store_txn_commit(&t), CTD_OK,
	    "leaf rewrites (same, larger index) commit");
	store_reader_init(s, &r);
	store_read_begin(&r);
	store_get_leaf(&r, a, leaf, &idx);
	is_int(idx, 10, "larger index does not replace");
	store_read_end(&r);
	store_txn_begin(s, &t);
	store_put_leaf(&t, a, leaf, 5);
	is_int(store_txn_commit(&t), CTD_OK, "smaller index commits");
	store_read_begin(&r);
	store_get_leaf(&r, a, leaf, &idx);
	is_int(idx, 5, "smaller index replaces");
	store_read_end(&r);

	/* STH for a known size: same root keeps the newer timestamp. */
	make_sth(&sth, 5000, 1000, 60, 70);
	make_sth(&newer, 5000, 2000, 60, 71);
	storetmp_fill(newer.sig, newer.sig_len, 61);
	make_sth(&older, 5000, 500, 60, 72);
	make_sth(&forked, 5000, 3000, 62, 70);
	is_int(put_one_sth(s, a, &sth), CTD_OK, "STH 5000 stored");
	is_int(put_one_sth(s, a, &sth), CTD_OK, "identical STH rewrite");
	is_int(put_one_sth(s, a, &newer), CTD_OK, "re-signed STH stored");
	store_read_begin(&r);
	store_get_sth(&r, a, 5000, &out);
	ok(sth_equal(&out, &newer), "newer timestamp and its sig replace");
	store_read_end(&r);
	is_int(put_one_sth(s, a, &older), CTD_OK, "older re-signed STH: ok");
	is_int(put_one_sth(s, a, &forked), CTD_EINCONSISTENT,
	    "another root for a stored size: CTD_EINCONSISTENT");
	store_read_begin(&r);
	store_get_sth(&r, a, 5000, &out);
	ok(sth_equal(&out, &newer), "older and forked STHs do not replace");
	store_read_end(&r);
	store_reader_deinit(&r);
}

static void
test_sticky(struct store *s, struct store_log *a)
{
	struct store_reader r;
	struct store_txn t;
	uint8_t h[32], got[32], leaf[32];
	struct sth sth, out;
	uint64_t n0[3], n1[3], idx;

	store_stats(s, a, &n0[0], &n0[1], &n0[2]);
	storetmp_fill(h, sizeof h, 70);
	storetmp_fill(leaf, sizeof leaf, 71);
	make_sth(&sth, 6000, 1, 72, 10);
	store_txn_begin(s, &t);
	store_put_range(&t, a, 100, 101, h);
	store_put_leaf(&t, a, leaf, 100);
	store_put_sth(&t, a, &sth);
	storetmp_fill(h, sizeof h, 99);
	store_put_range(&t, a, 0, 1, h); /* conflicts */
	is_int(t.err, CTD_EINCONSISTENT, "conflict sets t->err at once");
	store_put_range(&t, a, 102, 103, h);
	store_put_range(&t, a, 9, 9, h); /* would be CTD_EINVAL */
	is_int(t.err, CTD_EINCONSISTENT, "the first error sticks");
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "commit returns the first error");
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "a second commit repeats it");

	store_stats(s, a, &n1[0], &n1[1], &n1[2]);
	ok(n0[0] == n1[0] && n0[1] == n1[1] && n0[2] == n1[2],
	    "counts unchanged after the failed transaction");
	store_reader_init(s, &r);
	store_read_begin(&r);
	is_int(store_get_range(&r, a, 100, 101, got), CTD_ENOTFOUND,
	    "range put before the error is not visible");
	is_int(store_get_range(&r, a, 102, 103, got), CTD_ENOTFOUND,
	    "range put after the error is not visible");
	is_int(store_get_leaf(&r, a, leaf, &idx), CTD_ENOTFOUND,
	    "leaf of the failed transaction is not visible");
	is_int(store_get_sth(&r, a, 6000, &out), CTD_ENOTFOUND,
	    "STH of the failed transaction is not visible");
	store_read_end(&r);
	store_reader_deinit(&r);

	/* An explicit abort drops everything; commit then says canceled. */
	store_txn_begin(s, &t);
	store_put_range(&t, a, 200, 201, h);
	store_txn_abort(&t);
	store_txn_abort(&t);
	is_int(store_txn_commit(&t), CTD_ECANCELED,
	    "commit after abort: CTD_ECANCELED");
	is_int(get_one_range(s, a, 200, 201, got), CTD_ENOTFOUND,
	    "aborted range not visible");
	is_int(put_one_range(s, a, 100, 101, 70), CTD_OK,
	    "the store takes writes after a failed transaction");
}

static void
test_latest(struct store *s, struct store_log *a, struct store_log *b)
{
	const uint64_t sizes[] = {
		256, 255, 1, (1ull << 32) + 1, 65536, 0, (1ull << 32) - 1,
		65535, 257,
	};
	struct store_reader r;
	struct sth sth, out;
	bool all = true;

	store_reader_init(s, &r);
	store_read_begin(&r);
	is_int(store_latest_sth(&r, b, &out), CTD_ENOTFOUND,
	    "latest of an empty log: not found");
	store_read_end(&r);

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		make_sth(&sth, sizes[i], 100 + i, (uint32_t)i + 200, 64);
		all &= put_one_sth(s, b, &sth) == CTD_OK;
		if (sizes[i] == 255) {
			store_read_begin(&r);
			all &= store_latest_sth(&r, b, &out) == CTD_OK &&
			    out.tree_size == 256;
			store_read_end(&r);
		}
	}
	ok(all, "STHs stored in scrambled order; 256 beats 255 at once");
	store_read_begin(&r);
	is_int(store_latest_sth(&r, b, &out), CTD_OK, "latest found");
	is_int(out.tree_size, (1ull << 32) + 1, "latest is 2^32+1");
	is_int(out.timestamp, 103, "latest carries its own record");
	is_int(store_get_sth(&r, b, 255, &out), CTD_OK, "255 found");
	is_int(out.timestamp, 101, "255 is its own record");
	is_int(store_get_sth(&r, b, 256, &out), CTD_OK, "256 found");
	is_int(out.timestamp, 100, "256 is its own record");
	is_int(store_get_sth(&r, b, 0, &out), CTD_OK, "size 0 found");
	is_int(store_sth_below(&r, b, 65535, &out), CTD_OK, "below 65535");
	is_int(out.tree_size, 257, "below 65535 is 257");
	store_sth_below(&r, b, 65536, &out);
	is_int(out.tree_size, 65535, "below 65536 is 65535 (adjacent)");
	store_sth_below(&r, b, 1ull << 40, &out);
	is_int(out.tree_size, (1ull << 32) + 1, "below 2^40: the latest");
	store_sth_below(&r, b, 1, &out);
	is_int(out.tree_size, 0, "below 1 is the empty tree");
	is_int(store_sth_below(&r, b, 0, &out), CTD_ENOTFOUND,
	    "nothing below 0");
	store_read_end(&r);

	make_sth(&sth, 1ull << 32, 1, 300, 64);
	put_one_sth(s, b, &sth);
	store_read_begin(&r);
	store_latest_sth(&r, b, &out);
	is_int(out.tree_size, (1ull << 32) + 1,
	    "adding 2^32 leaves 2^32+1 the latest");
	store_read_end(&r);
	make_sth(&sth, UINT64_MAX, 1, 301, 64);
	put_one_sth(s, b, &sth);
	store_read_begin(&r);
	store_latest_sth(&r, b, &out);
	ok(out.tree_size == UINT64_MAX, "UINT64_MAX becomes the latest");
	is_int(store_latest_sth(&r, a, &out), CTD_OK, "log A has its own");
	is_int(out.tree_size, 5000, "log A's latest is its own STH");
	store_read_end(&r);
	store_reader_deinit(&r);
}

static void
test_two_logs(struct store *s, struct store_log *a, struct store_log *b)
{
	struct store_log *again, *c;
	uint8_t h[32], got[32], leaf[32];
	uint64_t ra, la, sa, rb, lb, sb, idx;
	struct store_reader r;
	struct store_txn t;

	is_int(store_log_open(s, id_a, &again), CTD_OK, "log A opens again");
	ok(again == a, "the same handle comes back");
	is_mem(store_log_id(a), id_a, 32, "store_log_id gives the ID");

	is_int(put_one_range(s, b, 0, 1, 555), CTD_OK,
	    "log B takes range [0,1) with another hash");
	storetmp_fill(h, sizeof h, 555);
	is_int(get_one_range(s, b, 0, 1, got), CTD_OK, "B's range found");
	is_mem(got, h, 32, "B's range is B's hash");
	storetmp_fill(h, sizeof h, 1);
	get_one_range(s, a, 0, 1, got);
	is_mem(got, h, 32, "A's range is untouched");

	storetmp_fill(leaf, sizeof leaf, 2);
	store_reader_init(s, &r);
	store_read_begin(&r);
	is_int(store_get_leaf(&r, b, leaf, &idx), CTD_ENOTFOUND,
	    "A's leaf is not in B");
	store_read_end(&r);
	store_reader_deinit(&r);

	is_int(store_stats(s, a, &ra, &la, &sa), CTD_OK, "stats of A");
	is_int(store_stats(s, b, &rb, &lb, &sb), CTD_OK, "stats of B");
	ok(ra == 6 && la == 4 && sa == 4,
	    "A counts 6 ranges, 4 leaves, 4 STHs (%" PRIu64 " %" PRIu64
	    " %" PRIu64 ")", ra, la, sa);
	ok(rb == 1 && lb == 0 && sb == 11,
	    "B counts 1 range, 0 leaves, 11 STHs (%" PRIu64 " %" PRIu64
	    " %" PRIu64 ")", rb, lb, sb);
	is_int(store_stats(s, a, NULL, NULL, &sa), CTD_OK,
	    "stats takes NULL counters");

	c = (struct store_log *)&t;
	is_int(store_log_open(s, id_c, &c), CTD_ECONF,
	    "a log ID sharing A's first 64 bits is refused");
	ok(c == NULL, "no handle for the refused log");
}

static void
test_reader_reuse(struct store *s, struct store_log *a)
{
	struct store_reader r;
	uint8_t h[32], got[32];
	bool all = true;
	int i;

	store_reader_init(s, &r);
	for (i = 0; i < 1000 && all; i++) {
		uint64_t b = 1000000 + (uint64_t)i;
		all &= put_one_range(s, a, b, b + 1, (uint32_t)i) == CTD_OK;
		all &= store_read_begin(&r) == CTD_OK;
		storetmp_fill(h, sizeof h, (uint32_t)i);
		all &= store_get_range(&r, a, b, b + 1, got) == CTD_OK &&
		    memcmp(got, h, 32) == 0;
		all &= store_get_range(&r, a, b + 1, b + 2, got) ==
		    CTD_ENOTFOUND;
		store_read_end(&r);
	}
	ok(all, "1000 begin/end cycles each see the commit before them");
	is_int(i, 1000, "all cycles ran");

	/* A begun reader keeps its snapshot. */
	store_read_begin(&r);
	put_one_range(s, a, 5000000, 5000001, 1);
	is_int(store_get_range(&r, a, 5000000, 5000001, got), CTD_ENOTFOUND,
	    "a commit during a snapshot is not seen");
	store_read_end(&r);
	store_read_begin(&r);
	is_int(store_get_range(&r, a, 5000000, 5000001, got), CTD_OK,
	    "the next snapshot sees it");
	store_read_end(&r);
	store_reader_deinit(&r);
	is_int(store_read_begin(&r), CTD_EINVAL,
	    "begin on a deinitialized reader: CTD_EINVAL");
}

/* Each worker owns a reader made on the main thread (MDB_NOTLS). */
struct worker {
	pthread_t tid;
	struct store_reader r;
	struct store_log *l;
	int bad;
	int reads;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t got[32], want[32];

	for (int i = 0; i < 300; i++) {
		if (store_read_begin(&w->r) != CTD_OK) {
			w->bad++;
			continue;
		}
		int rc = store_get_range(&w->r, w->l, 0, 1, got);
		storetmp_fill(want, sizeof want, 1);
		if (rc != CTD_OK || memcmp(got, want, 32) != 0) {
			w->bad++;
		}
		/* Ranges of the writer appear in order: a later one
		 * present means every earlier one is too. */
		uint64_t hi = 0;
		for (uint64_t b = 7000000; b < 7000200; b++) {
			if (store_get_range(&w->r, w->l, b, b + 1, got) ==
			    CTD_OK) {
				hi = b + 1 - 7000000;
			} else if (hi != 0) {
				break;
			}
		}
		for (uint64_t b = 7000000; b < 7000000 + hi; b++) {
			if (store_get_range(&w->r, w->l, b, b + 1, got) !=
			    CTD_OK) {
				w->bad++;
			}
		}
		w->reads++;
		store_read_end(&w->r);
	}
	return NULL;
}

/* store_get_ranges: the same hashes as one lookup each, in the caller's
 * order whatever the key order; a miss anywhere is CTD_ENOTFOUND; the
 * cursor follows each new snapshot. */
static void
test_get_ranges(struct store *s, struct store_log *a)
{
	struct merkle_range r[7] = {
		{ 900, 901 }, { 902, 904 }, { 896, 900 }, { 904, 912 },
		{ 880, 896 }, { 912, 944 }, { 0, 1024 },
	};
	uint8_t want[7][32], got[7 * 32], one[32];
	struct store_txn t;
	struct store_reader rd;
	bool all = true, same = true;

	store_txn_begin(s, &t);
	for (size_t i = 0; i < 7; i++) {
		storetmp_fill(want[i], 32, 7000 + (unsigned)i);
		store_put_range(&t, a, r[i].begin, r[i].end, want[i]);
	}
	is_int(store_txn_commit(&t), CTD_OK, "get_ranges: 7 ranges stored");
	store_reader_init(s, &rd);
	store_read_begin(&rd);
	is_int(store_get_ranges(&rd, a, r, 7, got), CTD_OK,
	    "get_ranges: 7 ranges out of key order found");
	for (size_t i = 0; i < 7; i++) {
		all = all && memcmp(got + i * 32, want[i], 32) == 0;
		same = same && store_get_range(&rd, a, r[i].begin, r[i].end,
		    one) == CTD_OK && memcmp(one, want[i], 32) == 0;
	}
	ok(all, "get_ranges: each hash lands in the caller's order");
	ok(same, "get_ranges: the same as one lookup each");
	struct merkle_range miss[3] = { r[0], { 901, 902 }, r[6] };
	is_int(store_get_ranges(&rd, a, miss, 3, got), CTD_ENOTFOUND,
	    "get_ranges: one missing range is CTD_ENOTFOUND");
	struct merkle_range empty = { 5, 5 };
	is_int(store_get_ranges(&rd, a, &empty, 1, got), CTD_EINVAL,
	    "get_ranges: an empty range is CTD_EINVAL");
	store_read_end(&rd);

	/* A later commit is seen through the renewed cursor. */
	uint8_t h[32];
	storetmp_fill(h, 32, 7100);
	store_txn_begin(s, &t);
	store_put_range(&t, a, 901, 902, h);
	store_txn_commit(&t);
	bool renewed = true;
	for (int k = 0; k < 100; k++) {
		store_read_begin(&rd);
		renewed = renewed &&
		    store_get_ranges(&rd, a, miss, 3, got) == CTD_OK &&
		    memcmp(got + 32, h, 32) == 0;
		store_read_end(&rd);
	}
	ok(renewed, "get_ranges: 100 snapshots see the later commit");
	store_reader_deinit(&rd);
}

static void
test_threads(struct store *s, struct store_log *a)
{
	struct worker w[4];
	struct store_reader r1, r2;
	uint8_t got[32];
	int bad = 0, reads = 0, started = 0;

	/* Two readers begun at once on one thread need MDB_NOTLS. */
	is_int(store_reader_init(s, &r1), CTD_OK, "first reader");
	is_int(store_reader_init(s, &r2), CTD_OK, "second reader");
	is_int(store_read_begin(&r1), CTD_OK, "first begun");
	put_one_range(s, a, 6000000, 6000001, 3);
	is_int(store_read_begin(&r2), CTD_OK,
	    "second begun on the same thread");
	is_int(store_get_range(&r1, a, 6000000, 6000001, got), CTD_ENOTFOUND,
	    "first keeps the older snapshot");
	is_int(store_get_range(&r2, a, 6000000, 6000001, got), CTD_OK,
	    "second sees the newer one");
	store_read_end(&r1);
	store_read_end(&r2);
	store_reader_deinit(&r1);
	store_reader_deinit(&r2);

	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].l = a;
		if (store_reader_init(s, &w[i].r) == CTD_OK &&
		    pthread_create(&w[i].tid, NULL, worker_run, &w[i]) == 0) {
			started++;
		}
	}
	is_int(started, 4, "four worker threads with their own readers");
	for (uint64_t b = 7000000; b < 7000200; b++) {
		bad += put_one_range(s, a, b, b + 1, 9) != CTD_OK;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		store_reader_deinit(&w[i].r);
		bad += w[i].bad;
		reads += w[i].reads;
	}
	is_int(bad, 0, "readers on threads see whole commits, no errors");
	is_int(reads, 4 * 300, "every worker cycle completed");
}

static void
test_persist(struct store **sp, struct store_log **ap,
    struct store_log **bp)
{
	char p[PATH_MAX];
	struct store_reader r;
	uint8_t h[32], got[32], leaf[32];
	struct sth out;
	uint64_t idx = 0, n = 0;

	store_close(*sp);
	path_of(p, "main");
	is_int(store_open(p, 0, sp), CTD_OK, "reopen after close");
	is_int(store_log_open(*sp, id_b, bp), CTD_OK, "B reopens (first)");
	is_int(store_log_open(*sp, id_a, ap), CTD_OK, "A reopens (second)");
	store_reader_init(*sp, &r);
	store_read_begin(&r);
	storetmp_fill(h, sizeof h, 1);
	is_int(store_get_range(&r, *ap, 0, 1, got), CTD_OK,
	    "A's range persisted");
	is_mem(got, h, 32, "with its hash");
	storetmp_fill(leaf, sizeof leaf, 50);
	store_get_leaf(&r, *ap, leaf, &idx);
	is_int(idx, 5, "A's leaf index persisted");
	is_int(store_latest_sth(&r, *bp, &out), CTD_OK, "B's STHs persisted");
	ok(out.tree_size == UINT64_MAX, "B's latest persisted");
	store_read_end(&r);
	store_reader_deinit(&r);
	store_stats(*sp, *ap, &n, NULL, NULL);
	/* 1208 from the tests before, 8 from test_get_ranges. */
	is_int(n, 1216, "A's 1216 ranges persisted");
}

static void
test_max_logs(struct store *s)
{
	struct store_log *l;
	uint8_t id[32];
	int rc = CTD_OK;
	int i;

	/* A and B are open; fill up to STORE_MAX_LOGS. */
	for (i = 2; i < STORE_MAX_LOGS && rc == CTD_OK; i++) {
		storetmp_fill(id, sizeof id, 10000 + (uint32_t)i);
		rc = store_log_open(s, id, &l);
	}
	is_int(rc, CTD_OK, "%d logs open in one store", STORE_MAX_LOGS);
	storetmp_fill(id, sizeof id, 20000);
	is_int(store_log_open(s, id, &l), CTD_EBUSY,
	    "log %d: CTD_EBUSY", STORE_MAX_LOGS + 1);
	is_int(store_log_open(s, id_a, &l), CTD_OK,
	    "an open log still opens when full");
}

static void
test_map_full(void)
{
	char p[PATH_MAX];
	struct store *s;
	struct store_log *l;
	struct store_txn t;
	uint8_t h[32], got[32];
	int rc;

	path_of(p, "tiny");
	is_int(store_open(p, 64 * 1024, &s), CTD_OK, "open with a 64 KiB map");
	is_int(store_log_open(s, id_a, &l), CTD_OK, "log opens in a tiny map");
	is_int(put_one_range(s, l, 0, 1, 1), CTD_OK, "a small write fits");
	store_txn_begin(s, &t);
	for (uint64_t i = 0; i < 20000 && t.err == CTD_OK; i++) {
		storetmp_fill(h, sizeof h, (uint32_t)i);
		store_put_range(&t, l, 10 + i, 11 + i, h);
	}
	rc = store_txn_commit(&t);
	is_int(rc, CTD_ESPACE, "a big write: CTD_ESPACE");
	is_int(get_one_range(s, l, 0, 1, got), CTD_OK,
	    "reads work after map full");
	storetmp_fill(h, sizeof h, 1);
	is_mem(got, h, 32, "and see the earlier data");
	is_int(get_one_range(s, l, 10, 11, got), CTD_ENOTFOUND,
	    "nothing of the failed write is stored");
	is_int(put_one_range(s, l, 1, 2, 2), CTD_OK,
	    "a small write still fits afterwards");
	store_close(s);

	/* The operator's remedy: a larger map. */
	is_int(store_open(p, 0, &s), CTD_OK, "reopen with the default map");
	store_log_open(s, id_a, &l);
	store_txn_begin(s, &t);
	for (uint64_t i = 0; i < 20000; i++) {
		storetmp_fill(h, sizeof h, (uint32_t)i);
		store_put_range(&t, l, 10 + i, 11 + i, h);
	}
	is_int(store_txn_commit(&t), CTD_OK, "the big write fits now");
	is_int(get_one_range(s, l, 0, 1, got), CTD_OK, "old data kept");
	store_close(s);
}

/* Open a raw LMDB environment for the test's own writes. */
static MDB_env *
raw_open(const char *dir)
{
	MDB_env *env;

	mdb_env_create(&env);
	mdb_env_set_maxdbs(env, 256);
	if (mdb_env_open(env, dir, 0, 0600) != 0) {
		mdb_env_close(env);
		return NULL;
	}
	return env;
}

static int
raw_put(MDB_env *env, const char *db, const void *k, size_t klen,
    const void *v, size_t vlen)
{
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	int rc;

	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
		return rc;
	}
	if ((rc = mdb_dbi_open(txn, db, MDB_CREATE, &dbi)) != 0 ||
	    (rc = mdb_put(txn, dbi, &key, &val, 0)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

static void
test_format(void)
{
	char p[PATH_MAX], f[PATH_MAX + 16];
	const uint8_t v1[4] = { 0, 0, 0, 1 }, v1long[5] = { 0, 0, 0, 1, 0 };
	struct store *s;
	MDB_env *env;
	FILE *fp;
	uint8_t junk[8192];

	path_of(p, "fmt");
	is_int(store_open(p, 0, &s), CTD_OK, "a store to be tampered with");
	store_close(s);
	env = raw_open(p);
	ok(raw_put(env, "meta", "format", 6, v1, 4) == 0,
	    "raw: format set to 1");
	mdb_env_close(env);
	s = (struct store *)junk;
	is_int(store_open(p, 0, &s), CTD_EFORMAT,
	    "format 1 (one record per node) is refused: CTD_EFORMAT");
	ok(s == NULL, "no store on refusal");
	env = raw_open(p);
	raw_put(env, "meta", "format", 6, v1long, 5);
	mdb_env_close(env);
	is_int(store_open(p, 0, &s), CTD_ECONF,
	    "a format record of the wrong size is refused");

	path_of(p, "foreign");
	mkdir(p, 0700);
	env = raw_open(p);
	raw_put(env, NULL, "hello", 5, "world", 5);
	mdb_env_close(env);
	is_int(store_open(p, 0, &s), CTD_ECONF,
	    "an LMDB environment of someone else is refused");

	path_of(p, "junk");
	mkdir(p, 0700);
	snprintf(f, sizeof f, "%s/data.mdb", p);
	fp = fopen(f, "w");
	storetmp_fill(junk, sizeof junk, 4242);
	fwrite(junk, 1, sizeof junk, fp);
	fclose(fp);
	is_int(store_open(p, 0, &s), CTD_ESTORE,
	    "a data.mdb of random bytes: CTD_ESTORE");
}

static void
test_corrupt(struct store **sp, struct store_log **ap)
{
	char p[PATH_MAX], rname[32], lname[32], sname[32];
	uint8_t k[16], v[STH_SIG_MAX + 100], got[32], leaf[32], leaf2[32];
	struct store_reader r;
	struct store_txn t;
	struct sth out, sth;
	uint64_t idx;
	MDB_env *env;
	bool raw_ok = true;

	store_close(*sp);
	*sp = NULL;
	path_of(p, "main");
	db_name(rname, 'r', id_a);
	db_name(lname, 'l', id_a);
	db_name(sname, 's', id_a);
	env = raw_open(p);
	memset(v, 0, sizeof v);
	/* A 31-byte range hash at (7, 8), big-endian key. */
	be64(k, 7);
	be64(k + 8, 8);
	raw_ok &= raw_put(env, rname, k, 16, v, 31) == 0;
	/* A leaf index key of 17 bytes, after the leaf's prefix. */
	storetmp_fill(leaf, sizeof leaf, 777);
	memcpy(k, leaf, 8);
	be64(k + 8, 0);
	memcpy(v, k, 16);
	v[16] = 0;
	raw_ok &= raw_put(env, lname, v, 17, NULL, 0) == 0;
	memset(v, 0, sizeof v);
	/* A leaf index record with a value. */
	storetmp_fill(leaf2, sizeof leaf2, 778);
	memcpy(k, leaf2, 8);
	be64(k + 8, 3);
	raw_ok &= raw_put(env, lname, k, 16, v, 8) == 0;
	/* STH 100: shorter than its fixed part. */
	be64(k, 100);
	raw_ok &= raw_put(env, sname, k, 8, v, 10) == 0;
	/* STH 200: sig_len 100 but 50 signature bytes. */
	be64(k, 200);
	v[40] = 0;
	v[41] = 100;
	raw_ok &= raw_put(env, sname, k, 8, v, 42 + 50) == 0;
	/* STH 300: sig_len beyond STH_SIG_MAX, and the bytes to match. */
	be64(k, 300);
	v[40] = (STH_SIG_MAX + 1) >> 8;
	v[41] = (STH_SIG_MAX + 1) & 0xff;
	raw_ok &= raw_put(env, sname, k, 8, v, 42 + STH_SIG_MAX + 1) == 0;
	/* STH 400: one byte too many. */
	be64(k, 400);
	v[40] = 0;
	v[41] = 4;
	raw_ok &= raw_put(env, sname, k, 8, v, 42 + 5) == 0;
	ok(raw_ok, "raw: corrupt records written");
	mdb_env_close(env);

	is_int(store_open(p, 0, sp), CTD_OK, "store with garbage opens");
	store_log_open(*sp, id_a, ap);
	store_reader_init(*sp, &r);
	store_read_begin(&r);
	is_int(store_get_range(&r, *ap, 7, 8, got), CTD_ESTORE,
	    "31-byte range hash: CTD_ESTORE");
	is_int(r.err, CTD_ESTORE, "the reader records the error");
	is_int(store_get_leaf(&r, *ap, leaf, &idx), CTD_ESTORE,
	    "17-byte leaf index key: CTD_ESTORE");
	is_int(store_get_leaf(&r, *ap, leaf2, &idx), CTD_ESTORE,
	    "leaf index record with a value: CTD_ESTORE");
	is_int(store_get_sth(&r, *ap, 100, &out), CTD_ESTORE,
	    "truncated STH: CTD_ESTORE");
	is_int(store_get_sth(&r, *ap, 200, &out), CTD_ESTORE,
	    "STH sig_len past the value: CTD_ESTORE");
	is_int(store_get_sth(&r, *ap, 300, &out), CTD_ESTORE,
	    "STH sig_len beyond STH_SIG_MAX: CTD_ESTORE");
	is_int(store_get_sth(&r, *ap, 400, &out), CTD_ESTORE,
	    "STH with trailing bytes: CTD_ESTORE");
	is_int(store_get_sth(&r, *ap, 5000, &out), CTD_OK,
	    "a good STH beside them still reads");
	store_read_end(&r);
	is_int(store_read_begin(&r), CTD_OK, "begin again");
	is_int(r.err, CTD_OK, "begin clears the reader error");
	store_read_end(&r);

	store_txn_begin(*sp, &t);
	store_put_range(&t, *ap, 7, 8, got);
	is_int(store_txn_commit(&t), CTD_ESTORE,
	    "put over a corrupt range: CTD_ESTORE");
	make_sth(&sth, 200, 1, 1, 10);
	is_int(put_one_sth(*sp, *ap, &sth), CTD_ESTORE,
	    "put over a corrupt STH: CTD_ESTORE");

	/* A key of the wrong size that sorts last. */
	store_reader_deinit(&r);
	store_close(*sp);
	*sp = NULL;
	env = raw_open(p);
	memset(k, 0xff, 9);
	ok(raw_put(env, sname, k, 9, v, 42) == 0, "raw: 9-byte STH key");
	mdb_env_close(env);
	is_int(store_open(p, 0, sp), CTD_OK, "reopen");
	store_log_open(*sp, id_a, ap);
	store_reader_init(*sp, &r);
	store_read_begin(&r);
	is_int(store_latest_sth(&r, *ap, &out), CTD_ESTORE,
	    "latest STH with a bad key: CTD_ESTORE");
	store_read_end(&r);
	store_reader_deinit(&r);
}

int
main(void)
{
	struct store *s = NULL;
	struct store_log *a = NULL, *b = NULL;
	char p[PATH_MAX];

	plan(161);
	if (!storetmp_make(base, sizeof base, "test_store")) {
		return 1;
	}
	storetmp_fill(id_a, 32, 1000);
	storetmp_fill(id_b, 32, 2000);
	id_b[0] = (uint8_t)(id_a[0] + 1);
	memcpy(id_c, id_a, 32);
	id_c[31] ^= 1;

	test_open();
	path_of(p, "main");
	if (store_open(p, 0, &s) != CTD_OK ||
	    store_log_open(s, id_a, &a) != CTD_OK ||
	    store_log_open(s, id_b, &b) != CTD_OK) {
		diag("cannot open the main store");
		return 1;
	}
	test_put_get(s, a);
	test_overwrite(s, a);
	test_sticky(s, a);
	test_latest(s, a, b);
	test_two_logs(s, a, b);
	test_reader_reuse(s, a);
	test_get_ranges(s, a);
	test_threads(s, a);
	test_persist(&s, &a, &b);
	test_max_logs(s);
	test_map_full();
	test_format();
	test_corrupt(&s, &a);
	store_close(s);

	storetmp_remove(base);
	return exit_status();
}
