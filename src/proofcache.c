/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proofcache.c -- the proof data of recent answers (see proofcache.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "proofcache.h"

#define WAYS 2

/* A 64-bit finaliser (the murmur3 constants): every input bit moves
 * every output bit, so keys that differ in one number spread. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static uint64_t
key_hash(const struct proofcache *c, const struct proofcache_key *k)
{
	uint64_t h = mix(c->seed[0] ^ ((uint64_t)k->log << 32 | k->form));
	for (size_t i = 0; i < 4; i++) {
		h = mix(h ^ k->u.args[i] ^ c->seed[1]);
	}
	return h;
}

/* The first way of k's set: the hash's top 32 bits scaled to the set
 * count (no power of two needed). */
static struct proofcache_slot *
set_of(const struct proofcache *c, const struct proofcache_key *k)
{
	uint64_t set = (key_hash(c, k) >> 32) * (uint64_t)c->sets >> 32;
	return &c->slots[set * WAYS];
}

int
proofcache_init(struct proofcache *c, size_t bytes)
{
	memset(c, 0, sizeof *c);
	c->sets = bytes / (WAYS * sizeof *c->slots);
	if (c->sets > UINT32_MAX) {
		c->sets = UINT32_MAX;
	}
	if (c->sets == 0) {
		return CTD_OK;
	}
	c->slots = calloc(c->sets * WAYS, sizeof *c->slots);
	if (c->slots == NULL) {
		c->sets = 0;
		return CTD_ENOMEM;
	}
	if (getrandom(c->seed, sizeof c->seed, 0) != sizeof c->seed) {
		/* No entropy yet: weaker against aimed collisions, which
		 * only evict. */
		c->seed[0] = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
		c->seed[1] = mix((uint64_t)(uintptr_t)c);
	}
	c->epoch = 1;	/* calloc's zero epochs are empty */
	return CTD_OK;
}

void
proofcache_deinit(struct proofcache *c)
{
	free(c->slots);
	memset(c, 0, sizeof *c);
}

void
proofcache_clear(struct proofcache *c)
{
	if (c->slots == NULL) {
		return;
	}
	if (++c->epoch == 0) {
		/* Wrapped after 2^32 clears: old epochs could match again. */
		memset(c->slots, 0, c->sets * WAYS * sizeof *c->slots);
		c->epoch = 1;
	}
}

void
proofcache_key_args(struct proofcache_key *k, uint32_t log,
    enum proofcache_form form, uint64_t a, uint64_t b, uint64_t first_node)
{
	memset(k, 0, sizeof *k);
	k->log = log;
	k->form = form;
	k->u.args[0] = a;
	k->u.args[1] = b;
	k->u.args[2] = first_node;
}

void
proofcache_key_hash(struct proofcache_key *k, uint32_t log,
    const uint8_t hash[32])
{
	memset(k, 0, sizeof *k);
	k->log = log;
	k->form = PROOFCACHE_HASH;
	memcpy(k->u.hash, hash, sizeof k->u.hash);
}

static bool
holds(const struct proofcache *c, const struct proofcache_slot *s,
    const struct proofcache_key *k)
{
	return s->epoch == c->epoch && memcmp(&s->key, k, sizeof *k) == 0;
}

const uint8_t *
proofcache_get(const struct proofcache *c, const struct proofcache_key *k,
    size_t *len)
{
	if (c->slots == NULL) {
		return NULL;
	}
	const struct proofcache_slot *s = set_of(c, k);
	for (size_t w = 0; w < WAYS; w++) {
		if (holds(c, &s[w], k)) {
			*len = s[w].len;
			return s[w].data;
		}
	}
	return NULL;
}

void
proofcache_put(struct proofcache *c, const struct proofcache_key *k,
    const uint8_t *data, size_t len)
{
	if (c->slots == NULL || len > PROOFCACHE_DATA_MAX) {
		return;
	}
	struct proofcache_slot *s = set_of(c, k);
	struct proofcache_slot *dst = &s[0];
	if (holds(c, &s[1], k)) {
		dst = &s[1];
	} else if (!holds(c, &s[0], k) && s[0].epoch == c->epoch) {
		/* A newcomer goes first: way 0 moves down, pushing out way
		 * 1, the older of the two (first in, first out). */
		s[1] = s[0];
	}
	dst->key = *k;
	dst->epoch = c->epoch;
	dst->len = (uint32_t)len;
	memcpy(dst->data, data, len);
}
