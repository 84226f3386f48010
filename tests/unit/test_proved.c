/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_proved.c -- the proved set: adding, the PROVED_MAX_ITEMS bound,
 * invalid items, the tree head, the contiguous marker only rising,
 * clear, move and free.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "err.h"
#include "proved.h"
#include "../tap.h"
#include "../storetmp.h"

static void
test_add(void)
{
	struct proved p;
	uint8_t h[32], h2[32];
	bool all = true;

	proved_init(&p);
	ok(proved_empty(&p), "a new set is empty");
	storetmp_fill(h, sizeof h, 1);
	storetmp_fill(h2, sizeof h2, 2);
	is_int(proved_add_range(&p, 5, 5, h), CTD_EINVAL,
	    "an empty range is CTD_EINVAL");
	is_int(proved_add_range(&p, 6, 5, h), CTD_EINVAL,
	    "a reversed range is CTD_EINVAL");
	ok(proved_empty(&p), "refused ranges leave the set empty");
	is_int(proved_add_range(&p, 0, 8, h), CTD_OK, "add range [0, 8)");
	ok(!proved_empty(&p), "a set with a range is not empty");
	is_int(proved_add_leaf(&p, h2, 3), CTD_OK, "add leaf at 3");
	is_int(proved_add_leaf(&p, h2, UINT64_MAX), CTD_ERANGE,
	    "a leaf at UINT64_MAX (no level-0 range) is CTD_ERANGE");
	/* Grow through several doublings and keep every item. */
	for (uint64_t i = 1; i < 100; i++) {
		storetmp_fill(h, sizeof h, (uint32_t)i);
		all &= proved_add_range(&p, i, i + 1, h) == CTD_OK;
	}
	ok(all, "99 more ranges added");
	is_int(p.range_count, 100, "100 ranges held");
	is_int(p.leaf_count, 1, "1 leaf held");
	storetmp_fill(h, sizeof h, 57);
	ok(p.ranges[57].begin == 57 && p.ranges[57].end == 58 &&
	    memcmp(p.ranges[57].hash, h, 32) == 0, "range 57 kept intact");
	ok(p.leaves[0].index == 3 && memcmp(p.leaves[0].hash, h2, 32) == 0,
	    "the leaf kept intact");
	proved_free(&p);
	ok(proved_empty(&p) && p.ranges == NULL && p.leaves == NULL,
	    "free leaves an empty set with no memory");
	proved_free(&p);
	proved_free(NULL);
	ok(true, "free twice and free(NULL) are no-ops");
}

static void
test_bound(void)
{
	struct proved p;
	uint8_t h[32];
	bool all = true;

	proved_init(&p);
	storetmp_fill(h, sizeof h, 3);
	for (uint64_t i = 0; i < PROVED_MAX_ITEMS; i++) {
		all &= proved_add_range(&p, i, i + 1, h) == CTD_OK;
	}
	ok(all, "PROVED_MAX_ITEMS ranges fit");
	is_int(proved_add_range(&p, 0, 1, h), CTD_ERANGE,
	    "one range more is CTD_ERANGE");
	is_int(p.range_count, PROVED_MAX_ITEMS, "the count stays at the bound");
	ok(p.range_cap <= PROVED_MAX_ITEMS, "the capacity never passes it");
	is_int(proved_add_leaf(&p, h, 0), CTD_OK,
	    "leaves are bounded on their own");
	proved_free(&p);

	all = true;
	for (uint64_t i = 0; i < PROVED_MAX_ITEMS; i++) {
		all &= proved_add_leaf(&p, h, i) == CTD_OK;
	}
	ok(all, "PROVED_MAX_ITEMS leaves fit");
	is_int(proved_add_leaf(&p, h, 7), CTD_ERANGE,
	    "one leaf more is CTD_ERANGE");
	is_int(p.leaf_count, PROVED_MAX_ITEMS, "the leaf count stays");
	proved_free(&p);
}

static void
test_sth_contiguous(void)
{
	struct proved p;
	struct sth s;

	proved_init(&p);
	memset(&s, 0, sizeof s);
	s.tree_size = 10;
	s.sig_len = STH_SIG_MAX + 1;
	is_int(proved_set_sth(&p, &s), CTD_EINVAL,
	    "an oversized signature is CTD_EINVAL");
	ok(!p.has_sth && proved_empty(&p), "and records nothing");
	s.sig_len = 4;
	is_int(proved_set_sth(&p, &s), CTD_OK, "set an STH");
	ok(p.has_sth && p.sth.tree_size == 10 && !proved_empty(&p),
	    "the STH is held");
	s.tree_size = 11;
	proved_set_sth(&p, &s);
	is_int(p.sth.tree_size, 11, "a second STH replaces the first");
	proved_clear(&p);

	proved_set_contiguous(&p, 0);
	ok(p.has_contiguous && p.contiguous == 0 && !proved_empty(&p),
	    "a marker of 0 is held");
	proved_set_contiguous(&p, 50);
	proved_set_contiguous(&p, 20);
	is_int(p.contiguous, 50, "the marker only rises");
	proved_set_contiguous(&p, 70);
	is_int(p.contiguous, 70, "and rises to 70");
	proved_free(&p);
}

static void
test_clear_move(void)
{
	struct proved a, b;
	uint8_t h[32];

	proved_init(&a);
	proved_init(&b);
	storetmp_fill(h, sizeof h, 9);
	proved_add_range(&a, 0, 2, h);
	proved_add_leaf(&a, h, 1);
	proved_set_contiguous(&a, 2);
	void *ranges = a.ranges;
	size_t cap = a.range_cap;
	proved_clear(&a);
	ok(proved_empty(&a), "clear empties the set");
	ok(a.ranges == ranges && a.range_cap == cap, "clear keeps the memory");
	proved_add_range(&a, 4, 6, h);
	proved_add_leaf(&a, h, 5);
	proved_move(&b, &a);
	ok(proved_empty(&a) && a.ranges == NULL && a.leaves == NULL,
	    "move leaves src empty with no memory");
	ok(b.range_count == 1 && b.ranges == ranges && b.ranges[0].begin == 4 &&
	    b.leaf_count == 1 && b.leaves[0].index == 5,
	    "dst has the contents");
	proved_free(&a);
	proved_free(&b);
}

/* A cosignature line kept with a head: owned, moved, freed. */
static void
test_cosig(void)
{
	struct proved p, q;
	uint8_t root[32] = { 7 };
	proved_init(&p);
	proved_init(&q);
	is_int(proved_set_cosig(&p, 10, root, "", 0), CTD_EINVAL,
	    "cosig: an empty line refused");
	is_int(proved_set_cosig(&p, 10, root, "line\n", 5), CTD_OK,
	    "cosig: set");
	ok(!proved_empty(&p), "cosig: the set is not empty");
	is_int(proved_set_cosig(&p, 10, root, "two\n", 4), CTD_EINVAL,
	    "cosig: one line per set");
	proved_move(&q, &p);
	ok(p.cosig == NULL && q.cosig != NULL && q.cosig->size == 10 &&
	    q.cosig->len == 5 && memcmp(q.cosig->line, "line\n", 5) == 0 &&
	    q.cosig->root[0] == 7, "cosig: moved whole");
	proved_clear(&q);
	ok(q.cosig == NULL && proved_empty(&q), "cosig: cleared");
	proved_free(&p);
	proved_free(&q);
}

int
main(void)
{
	plan(41);
	test_add();
	test_bound();
	test_sth_contiguous();
	test_clear_move();
	test_cosig();
	return exit_status();
}
