/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store_hold.c -- a held reader (store_read_hold/store_read_release):
 * it keeps its snapshot while nothing is committed, takes a fresh one at
 * the first begin after a commit, drops it on release, and an unheld
 * reader renews its snapshot at every begin as before.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "../tap.h"
#include "../storetmp.h"

/* One committed single-range transaction. */
static int
put_range(struct store *s, struct store_log *l, uint64_t b, uint32_t seed)
{
	struct store_txn t;
	uint8_t h[32];

	storetmp_fill(h, sizeof h, seed);
	store_txn_begin(s, &t);
	store_put_range(&t, l, b, b + 1, h);
	return store_txn_commit(&t);
}

/* Is [b, b+1) seen in a begin/end pair of r? */
static int
seen(struct store_reader *r, struct store_log *l, uint64_t b)
{
	uint8_t got[32];
	int rc = store_read_begin(r);

	if (rc == CTD_OK) {
		rc = store_get_range(r, l, b, b + 1, got);
	}
	store_read_end(r);
	return rc;
}

static void
test_hold(struct store *s, struct store_log *l)
{
	struct store_reader r, u;

	is_int(store_reader_init(s, &r), CTD_OK, "reader init");
	is_int(put_range(s, l, 10, 1), CTD_OK, "commit range 10");
	store_read_hold(&r);
	is_int(seen(&r, l, 10), CTD_OK, "held: the first begin sees range 10");
	ok(r.begun, "held: the snapshot is kept after store_read_end");
	uint64_t gen = r.gen;
	is_int(seen(&r, l, 10), CTD_OK, "held: range 10 read again");
	ok(r.gen == gen, "held, nothing committed: the snapshot is reused");
	is_int(put_range(s, l, 11, 2), CTD_OK, "commit range 11");
	is_int(seen(&r, l, 11), CTD_OK,
	    "held: a begin after a commit sees it (a fresh snapshot)");
	ok(r.gen == gen + 1, "and took exactly one new snapshot");

	/* A snapshot begun, then a commit, within one begin/end pair: the
	 * pair keeps its snapshot, the next begin moves on. */
	uint8_t got[32];
	is_int(store_read_begin(&r), CTD_OK, "held begin");
	is_int(put_range(s, l, 12, 3), CTD_OK, "commit range 12 meanwhile");
	is_int(store_get_range(&r, l, 12, 13, got), CTD_ENOTFOUND,
	    "a begun snapshot does not change under the reader");
	store_read_end(&r);
	is_int(seen(&r, l, 12), CTD_OK, "the next begin sees range 12");

	store_read_release(&r);
	ok(!r.begun, "release drops the kept snapshot");
	store_read_release(&r);
	ok(!r.begun, "a second release is a no-op");
	is_int(seen(&r, l, 12), CTD_OK, "still held: the next begin reads");
	ok(r.begun, "and keeps its new snapshot");
	store_reader_deinit(&r);

	/* Not held: every begin takes a fresh snapshot, as before. */
	is_int(store_reader_init(s, &u), CTD_OK, "second reader init");
	is_int(seen(&u, l, 12), CTD_OK, "unheld: range 12 read");
	ok(!u.begun, "unheld: store_read_end ends the snapshot");
	is_int(store_read_begin(&u), CTD_OK, "unheld begin");
	is_int(store_read_begin(&u), CTD_EINVAL,
	    "unheld: begin twice is still CTD_EINVAL");
	store_read_end(&u);
	store_reader_deinit(&u);
}

int
main(void)
{
	char base[256], p[PATH_MAX];
	struct store *s = NULL;
	struct store_log *l = NULL;
	uint8_t id[32];

	plan(22);
	if (!storetmp_make(base, sizeof base, "test_store_hold")) {
		return 1;
	}
	storetmp_fill(id, sizeof id, 42);
	snprintf(p, sizeof p, "%s/db", base);
	if (store_open(p, 0, &s) != CTD_OK ||
	    store_log_open(s, id, &l) != CTD_OK) {
		diag("cannot open the store");
		storetmp_remove(base);
		return 1;
	}
	test_hold(s, l);
	store_close(s);
	storetmp_remove(base);
	return exit_status();
}
