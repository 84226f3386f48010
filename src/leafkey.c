/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * leafkey.c -- leaf index keys as two integers, and their sort (see
 * leafkey.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "be64.h"
#include "err.h"
#include "leafkey.h"

/* A bucket this small is sorted by insertion. */
#define INSERTION_MAX 24
/* The first pass's buckets (the prefix's top 8 bits), and the most bits
 * of the second (within a bucket of the first; its counters stay in the
 * cache, as do the keys it scatters). */
#define PASS1_BUCKETS 256
#define PASS2_BITS_MAX 12

struct leafkey
leafkey_of(const uint8_t hash[32], uint64_t index)
{
	return (struct leafkey){ get_be64(hash), index };
}

void
leafkey_bytes(uint8_t out[16], const struct leafkey *k)
{
	put_be64(out, k->prefix);
	put_be64(out + 8, k->index);
}

static inline int
key_cmp(const struct leafkey *x, const struct leafkey *y)
{
	if (x->prefix != y->prefix) {
		return x->prefix < y->prefix ? -1 : 1;
	}
	return x->index < y->index ? -1 : x->index > y->index;
}

static int
key_qcmp(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static void
insertion_sort(struct leafkey *k, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct leafkey v = k[i];
		size_t j = i;

		for (; j > 0 && key_cmp(&v, &k[j - 1]) < 0; j--) {
			k[j] = k[j - 1];
		}
		k[j] = v;
	}
}

static void
sort_small(struct leafkey *k, size_t n)
{
	if (n <= INSERTION_MAX) {
		insertion_sort(k, n);
	} else {
		qsort(k, n, sizeof *k, key_qcmp);
	}
}

/* Bits of the second pass for n keys: about four keys a bucket. */
static unsigned
bucket_bits(size_t n)
{
	unsigned bits = 0;

	while (bits < PASS2_BITS_MAX && ((size_t)4 << bits) < n) {
		bits++;
	}
	return bits;
}

/*
 * The n keys of src, which share the prefix bits above shift, into dst
 * in key order: a counting pass on the next bits, then each bucket
 * sorted in place.
 */
static void
sort_bucket(const struct leafkey *src, struct leafkey *dst, size_t n,
    unsigned shift)
{
	unsigned bits = bucket_bits(n);
	size_t end[((size_t)1 << PASS2_BITS_MAX) + 1];
	size_t buckets = (size_t)1 << bits;
	uint64_t mask = buckets - 1;

	if (bits == 0) {
		memcpy(dst, src, n * sizeof *dst);
		sort_small(dst, n);
		return;
	}
	memset(end, 0, (buckets + 1) * sizeof *end);
	for (size_t i = 0; i < n; i++) {
		end[(src[i].prefix >> (shift - bits) & mask) + 1]++;
	}
	for (size_t b = 0; b < buckets; b++) {
		end[b + 1] += end[b];
	}
	for (size_t i = 0; i < n; i++) {
		dst[end[src[i].prefix >> (shift - bits) & mask]++] = src[i];
	}
	/* Now end[b] is where bucket b ends. */
	for (size_t b = 0, from = 0; b < buckets; b++) {
		sort_small(dst + from, end[b] - from);
		from = end[b];
	}
}

/*
 * The first pass, in place: keys by their top 8 bits, each key swapped
 * straight to the next free place of its bucket (no second array:
 * fresh memory costs a page fault per 4 KiB). end[b] is set to where
 * bucket b ends.
 */
static void
partition_top(struct leafkey *keys, size_t n, size_t end[PASS1_BUCKETS])
{
	size_t next[PASS1_BUCKETS], count[PASS1_BUCKETS] = { 0 };

	for (size_t i = 0; i < n; i++) {
		count[keys[i].prefix >> 56]++;
	}
	for (size_t b = 0, at = 0; b < PASS1_BUCKETS; b++) {
		next[b] = at;
		at += count[b];
		end[b] = at;
	}
	for (size_t b = 0; b < PASS1_BUCKETS; b++) {
		while (next[b] < end[b]) {
			struct leafkey k = keys[next[b]];
			size_t d = k.prefix >> 56;

			/* Carry k to its bucket, taking what was there, until
			 * a key of bucket b comes back. */
			while (d != b) {
				struct leafkey t = keys[next[d]];

				keys[next[d]++] = k;
				k = t;
				d = k.prefix >> 56;
			}
			keys[next[b]++] = k;
		}
	}
}

int
leafkey_sort(struct leafkey *keys, size_t n)
{
	size_t end[PASS1_BUCKETS], most = 0;
	struct leafkey *tmp;

	if (n <= INSERTION_MAX * 4) {
		sort_small(keys, n);
		return CTD_OK;
	}
	partition_top(keys, n, end);
	for (size_t b = 0, from = 0; b < PASS1_BUCKETS; from = end[b++]) {
		most = end[b] - from > most ? end[b] - from : most;
	}
	/* The second pass: each bucket copied out, then back in order. */
	if ((tmp = malloc(most * sizeof *tmp)) == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t b = 0, from = 0; b < PASS1_BUCKETS; from = end[b++]) {
		memcpy(tmp, keys + from, (end[b] - from) * sizeof *tmp);
		sort_bucket(tmp, keys + from, end[b] - from, 56);
	}
	free(tmp);
	return CTD_OK;
}
