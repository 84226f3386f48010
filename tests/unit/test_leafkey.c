/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_leafkey.c -- leaf index keys as integers, and their sort.
 *
 * A key's 16 bytes are the hash's first 8 then the big-endian index, and
 * leafkey_sort() puts keys in the order of those bytes (memcmp): checked
 * against qsort of the bytes for sizes on both sides of the insertion
 * and bucket thresholds, for random keys, keys repeated, keys whose
 * prefixes share their top bits (one bucket: the qsort fallback) or
 * differ only in their lowest, and indices that differ under one prefix.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "err.h"
#include "leafkey.h"

int main(void);

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
bytes_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

enum shape { RANDOM, REPEATS, ONE_BUCKET, LOW_BITS, ONE_PREFIX };

static struct leafkey
make(enum shape s, size_t i)
{
	uint64_t r = next();

	switch (s) {
	case REPEATS:
		return (struct leafkey){ r % 7 << 60, r % 3 };
	case ONE_BUCKET:
		return (struct leafkey){ 0xabcdef0000000000u | (r & 0xffffff),
			i };
	case LOW_BITS:
		return (struct leafkey){ r & 0xff, next() };
	case ONE_PREFIX:
		return (struct leafkey){ 42, r };
	default:
		return (struct leafkey){ r, next() };
	}
}

/* Sort n keys of a shape; whether their bytes come out as qsort puts
 * them. */
static bool
sorts_like_bytes(enum shape s, size_t n)
{
	struct leafkey *k = malloc((n + 1) * sizeof *k);
	uint8_t *want = malloc((n + 1) * 16), got[16];
	bool same = k != NULL && want != NULL;

	for (size_t i = 0; same && i < n; i++) {
		k[i] = make(s, i);
		leafkey_bytes(want + 16 * i, &k[i]);
	}
	if (same) {
		qsort(want, n, 16, bytes_cmp);
		same = leafkey_sort(k, n) == CTD_OK;
	}
	for (size_t i = 0; same && i < n; i++) {
		leafkey_bytes(got, &k[i]);
		same = memcmp(got, want + 16 * i, 16) == 0;
	}
	free(k);
	free(want);
	return same;
}

int
main(void)
{
	uint8_t hash[32], bytes[16];
	static const size_t sizes[] = { 0, 1, 2, 24, 25, 96, 97, 1000, 65537,
		300000 };
	static const char *names[] = { "random", "repeated", "one bucket",
		"low bits only", "one prefix" };

	for (int i = 0; i < 32; i++) {
		hash[i] = (uint8_t)(0xf0 + i);
	}
	struct leafkey k = leafkey_of(hash, UINT64_C(0x0102030405060708));
	leafkey_bytes(bytes, &k);
	ok(memcmp(bytes, hash, 8) == 0 && memcmp(bytes + 8,
	    "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0,
	    "a key's bytes: the hash's first 8, then the index big-endian");
	ok(k.prefix == UINT64_C(0xf0f1f2f3f4f5f6f7),
	    "the prefix is the hash's first 8 bytes read big-endian");

	for (int s = RANDOM; s <= ONE_PREFIX; s++) {
		for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
			ok(sorts_like_bytes(s, sizes[i]), "%s keys, %zu: "
			    "in the order of their bytes", names[s],
			    sizes[i]);
		}
	}
	return done_testing();
}
