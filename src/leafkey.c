/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * leafkey.c -- leaf index keys as two integers, and their sort (see
 * leafkey.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "leafkey.h"

/* A bucket this small is sorted by insertion. */
#define INSERTION_MAX 24
/* Most bits of the bucket pass (2^20 counters, 4 MiB). */
#define BUCKET_BITS_MAX 20

static uint64_t
be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

struct leafkey
leafkey_of(const uint8_t hash[32], uint64_t index)
{
	return (struct leafkey){ be64(hash), index };
}

void
leafkey_bytes(uint8_t out[16], const struct leafkey *k)
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(k->prefix >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(k->index >> (56 - 8 * i));
	}
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

/* Bits of the bucket pass for n keys: about four keys a bucket. */
static unsigned
bucket_bits(size_t n)
{
	unsigned bits = 0;

	while (bits < BUCKET_BITS_MAX && ((size_t)4 << bits) < n) {
		bits++;
	}
	return bits;
}

int
leafkey_sort(struct leafkey *keys, size_t n)
{
	unsigned bits = bucket_bits(n);
	size_t buckets = (size_t)1 << bits;
	struct leafkey *tmp;
	size_t *start;

	if (n <= INSERTION_MAX * 4 || bits == 0) {
		sort_small(keys, n);
		return CTD_OK;
	}
	tmp = malloc(n * sizeof *tmp);
	start = calloc(buckets + 1, sizeof *start);
	if (tmp == NULL || start == NULL) {
		free(tmp);
		free(start);
		return CTD_ENOMEM;
	}
	/* Count each bucket, then turn the counts into where each ends
	 * (start[b + 1]), and scatter the keys behind those ends. */
	for (size_t i = 0; i < n; i++) {
		start[(keys[i].prefix >> (64 - bits)) + 1]++;
	}
	for (size_t b = 0; b < buckets; b++) {
		start[b + 1] += start[b];
	}
	for (size_t i = 0; i < n; i++) {
		tmp[start[keys[i].prefix >> (64 - bits)]++] = keys[i];
	}
	/* Now start[b] is where bucket b ends (and bucket b + 1 begins). */
	for (size_t b = 0, from = 0; b < buckets; b++) {
		sort_small(tmp + from, start[b] - from);
		from = start[b];
	}
	memcpy(keys, tmp, n * sizeof *keys);
	free(start);
	free(tmp);
	return CTD_OK;
}
