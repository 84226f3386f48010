/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * apexes.c -- the apex names of the served zones, for finding the zone a
 * query name falls in (see apexes.h).
 *
 * The hash of a name is FNV-1a over its bytes taken from the last to the
 * first: so one pass from the end of a query name yields the hash of every
 * suffix, and each label boundary's hash is read off on the way.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apexes.h"
#include "err.h"

#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u

/* Label boundaries a name of APEXES_NAME_MAX bytes may have: labels of
 * one byte and their length, then the root label. */
#define MAX_BOUNDARIES (APEXES_NAME_MAX / 2 + 1)

static uint32_t
hash_step(uint32_t h, uint8_t byte)
{
	return (h ^ byte) * FNV_PRIME;
}

static uint32_t
hash_name(const uint8_t *name, size_t len)
{
	uint32_t h = FNV_BASIS;
	while (len > 0) {
		h = hash_step(h, name[--len]);
	}
	return h;
}

static bool
has_len(const struct apexes *t, size_t len)
{
	return (t->lens[len / 64] >> (len % 64)) & 1u;
}

int
apexes_init(struct apexes *t, size_t cap)
{
	size_t n = 2;
	memset(t, 0, sizeof *t);
	if (cap == 0) {
		return CTD_OK;
	}
	while (n < 2 * cap) {
		if (n > SIZE_MAX / 2 / sizeof *t->slots) {
			return CTD_ENOMEM;
		}
		n *= 2;
	}
	t->slots = calloc(n, sizeof *t->slots);
	if (t->slots == NULL) {
		return CTD_ENOMEM;
	}
	t->mask = n - 1;
	t->cap = cap;
	return CTD_OK;
}

void
apexes_deinit(struct apexes *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

void
apexes_clear(struct apexes *t)
{
	if (t->slots != NULL) {
		memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
	}
	memset(t->lens, 0, sizeof t->lens);
	t->count = 0;
}

/* The slot holding the name, or the empty slot where it would go. */
static struct apex_slot *
probe(const struct apexes *t, const uint8_t *name, size_t len, uint32_t h)
{
	size_t i = h & t->mask;
	for (;;) {
		struct apex_slot *s = &t->slots[i];
		if (s->name == NULL || (s->hash == h && s->len == len &&
		    memcmp(s->name, name, len) == 0)) {
			return s;
		}
		i = (i + 1) & t->mask;
	}
}

int
apexes_add(struct apexes *t, const uint8_t *name_lc, size_t len,
    size_t value)
{
	if (len == 0 || len > APEXES_NAME_MAX) {
		return CTD_EINVAL;
	}
	if (t->count >= t->cap) {
		return CTD_ESPACE;
	}
	uint32_t h = hash_name(name_lc, len);
	struct apex_slot *s = probe(t, name_lc, len, h);
	if (s->name != NULL) {
		return CTD_ERANGE;
	}
	*s = (struct apex_slot){ .name = name_lc, .value = value, .hash = h,
		.len = (uint16_t)len };
	t->lens[len / 64] |= (uint64_t)1 << (len % 64);
	t->count++;
	return CTD_OK;
}

bool
apexes_find(const struct apexes *t, const uint8_t *name_lc, size_t len,
    size_t *off, size_t *value)
{
	size_t offs[MAX_BOUNDARIES];
	uint32_t hashes[MAX_BOUNDARIES];
	size_t n = 0, first = MAX_BOUNDARIES;
	if (t->count == 0 || len > APEXES_NAME_MAX) {
		return false;
	}
	/* The label boundaries, longest suffix first; the first whose
	 * suffix has the length of some apex. */
	size_t o = 0;
	while (o < len && n < MAX_BOUNDARIES) {
		if (first == MAX_BOUNDARIES && has_len(t, len - o)) {
			first = n;
		}
		offs[n++] = o;
		if (name_lc[o] == 0) {
			break;
		}
		o += 1u + name_lc[o];
	}
	if (first == MAX_BOUNDARIES) {
		return false;
	}
	/* One pass from the end, down to that boundary only: the suffix
	 * hash of each boundary on the way. */
	uint32_t h = FNV_BASIS;
	size_t k = n;
	for (size_t i = len; i-- > offs[first];) {
		h = hash_step(h, name_lc[i]);
		if (i == offs[k - 1]) {
			hashes[--k] = h;
		}
	}
	for (k = first; k < n; k++) {
		size_t slen = len - offs[k];
		if (!has_len(t, slen)) {
			continue;
		}
		const struct apex_slot *s = probe(t, name_lc + offs[k], slen,
		    hashes[k]);
		if (s->name != NULL) {
			*off = offs[k];
			*value = s->value;
			return true;
		}
	}
	return false;
}

void
apexes_swap(struct apexes *a, struct apexes *b)
{
	struct apexes tmp = *a;
	*a = *b;
	*b = tmp;
}
