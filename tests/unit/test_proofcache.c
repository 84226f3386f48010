/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_proofcache.c -- the proof cache: what is put is got back, byte for
 * byte; keys that differ in any field (log, form, a number, the first
 * node, a hash byte) never answer for each other; a set of two ways keeps
 * the two newest and pushes out the oldest; a key put again is replaced
 * in place; clearing forgets everything; a table of 0 bytes is off; and
 * a table with room to spare keeps nearly all of a thousand entries.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "proofcache.h"
#include "../tap.h"

/* The data of entry i: i's bytes, repeated, 32 * (i % 7 + 1) long. */
static size_t
data_of(unsigned i, uint8_t *out)
{
	size_t len = 32 * (i % 7 + 1);
	for (size_t j = 0; j < len; j++) {
		out[j] = (uint8_t)(i * 31 + j);
	}
	return len;
}

/* Is entry i, put under k, there with its own data? */
static bool
has(const struct proofcache *c, const struct proofcache_key *k, unsigned i)
{
	uint8_t want[PROOFCACHE_DATA_MAX];
	size_t want_len = data_of(i, want), len = 0;
	const uint8_t *got = proofcache_get(c, k, &len);
	return got != NULL && len == want_len &&
	    memcmp(got, want, len) == 0;
}

static void
put(struct proofcache *c, const struct proofcache_key *k, unsigned i)
{
	uint8_t d[PROOFCACHE_DATA_MAX];
	proofcache_put(c, k, d, data_of(i, d));
}

static void
test_off(void)
{
	struct proofcache c;
	struct proofcache_key k;
	size_t len;
	is_int(proofcache_init(&c, 0), CTD_OK, "0 bytes: initialised");
	proofcache_key_args(&k, 0, PROOFCACHE_TREE, 1, 8, 0);
	put(&c, &k, 1);
	ok(proofcache_get(&c, &k, &len) == NULL, "0 bytes: nothing kept");
	proofcache_clear(&c);
	proofcache_deinit(&c);
	is_int(proofcache_init(&c, 2 * sizeof(struct proofcache_slot) - 1),
	    CTD_OK, "less than one set: initialised");
	put(&c, &k, 1);
	ok(proofcache_get(&c, &k, &len) == NULL, "less than a set: off");
	proofcache_deinit(&c);
}

/* One set of two ways: every key falls in it. */
static void
test_one_set(void)
{
	struct proofcache c;
	struct proofcache_key a, b, d;
	uint8_t big[PROOFCACHE_DATA_MAX + 1] = { 0 };
	size_t len;
	is_int(proofcache_init(&c, 2 * sizeof(struct proofcache_slot)),
	    CTD_OK, "one set");
	proofcache_key_args(&a, 0, PROOFCACHE_TREE, 5, 100, 0);
	proofcache_key_args(&b, 0, PROOFCACHE_TREE, 5, 100, 7);
	proofcache_key_args(&d, 0, PROOFCACHE_TREE, 6, 100, 0);
	ok(proofcache_get(&c, &a, &len) == NULL, "empty: a miss");
	put(&c, &a, 1);
	put(&c, &b, 2);
	ok(has(&c, &a, 1) && has(&c, &b, 2), "two ways hold two entries");
	put(&c, &d, 3);
	ok(proofcache_get(&c, &a, &len) == NULL,
	    "a third pushes out the oldest");
	ok(has(&c, &b, 2) && has(&c, &d, 3), "and keeps the two newest");
	put(&c, &b, 4);
	ok(has(&c, &b, 4) && has(&c, &d, 3),
	    "a key put again is replaced in place, its neighbour kept");
	proofcache_put(&c, &a, big, sizeof big);
	ok(proofcache_get(&c, &a, &len) == NULL && has(&c, &d, 3),
	    "more than %d bytes: not kept, nothing pushed out",
	    PROOFCACHE_DATA_MAX);
	proofcache_clear(&c);
	ok(proofcache_get(&c, &b, &len) == NULL &&
	    proofcache_get(&c, &d, &len) == NULL, "clear forgets all");
	put(&c, &a, 5);
	ok(has(&c, &a, 5), "kept again after a clear");
	proofcache_deinit(&c);
}

/* Keys that differ in one field each, all in one big table. */
static void
test_keys_apart(void)
{
	struct proofcache c;
	struct proofcache_key k[9];
	uint8_t h[32];
	memset(h, 0xab, sizeof h);
	proofcache_key_args(&k[0], 0, PROOFCACHE_TREE, 5, 100, 7);
	proofcache_key_args(&k[1], 1, PROOFCACHE_TREE, 5, 100, 7);
	proofcache_key_args(&k[2], 0, PROOFCACHE_CONSISTENCY, 5, 100, 7);
	proofcache_key_args(&k[3], 0, PROOFCACHE_TREE, 6, 100, 7);
	proofcache_key_args(&k[4], 0, PROOFCACHE_TREE, 5, 101, 7);
	proofcache_key_args(&k[5], 0, PROOFCACHE_TREE, 5, 100, 0);
	proofcache_key_hash(&k[6], 0, h);
	h[31] ^= 1;
	proofcache_key_hash(&k[7], 0, h);
	h[31] ^= 1;
	proofcache_key_hash(&k[8], 1, h);
	/* In a table of one set, a key that answered for another would
	 * replace it: each pair must stay two entries. */
	is_int(proofcache_init(&c, 2 * sizeof(struct proofcache_slot)),
	    CTD_OK, "one set");
	unsigned apart = 0, pairs = 0;
	for (unsigned i = 0; i < 9; i++) {
		for (unsigned j = i + 1; j < 9; j++) {
			proofcache_clear(&c);
			put(&c, &k[i], i);
			put(&c, &k[j], j);
			apart += has(&c, &k[i], i) && has(&c, &k[j], j);
			pairs++;
		}
	}
	is_int(apart, pairs, "keys one field apart answer for themselves "
	    "only (log, form, numbers, first node, a hash bit)");
	proofcache_deinit(&c);
}

static void
test_many(void)
{
	struct proofcache c;
	struct proofcache_key k;
	enum { N = 1000 };
	/* 4 096 sets of two for 1 000 keys. */
	is_int(proofcache_init(&c, 4096 * 2 * sizeof(struct proofcache_slot)),
	    CTD_OK, "4 096 sets");
	for (unsigned i = 0; i < N; i++) {
		proofcache_key_args(&k, i % 3, PROOFCACHE_TREE, i, 1000000, 0);
		put(&c, &k, i);
	}
	unsigned kept = 0;
	for (unsigned i = 0; i < N; i++) {
		proofcache_key_args(&k, i % 3, PROOFCACHE_TREE, i, 1000000, 0);
		kept += has(&c, &k, i);
	}
	/* About 10 sets get three or more of the keys: ~10 lost. */
	ok(kept >= N * 95 / 100, "a roomy table keeps nearly all: %u of %d",
	    kept, N);
	proofcache_deinit(&c);
}

int
main(void)
{
	test_off();
	test_one_set();
	test_keys_apart();
	test_many();
	return done_testing();
}
