/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * negcache.c -- the negative cache of leaf hashes (see negcache.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "negcache.h"

static size_t
slot_of(const uint8_t hash[MERKLE_HASH_LEN])
{
	return ((size_t)hash[0] << 8 | hash[1]) % NEGCACHE_SLOTS;
}

void
negcache_add(struct negcache *c, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t tree_size, uint64_t expires_ms)
{
	size_t i = slot_of(hash);
	memcpy(c->slot[i].hash, hash, MERKLE_HASH_LEN);
	c->slot[i].tree_size = tree_size;
	c->slot[i].expires_ms = expires_ms;
}

bool
negcache_has(const struct negcache *c, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t tree_size, uint64_t now_ms)
{
	size_t i = slot_of(hash);
	return c->slot[i].expires_ms > now_ms &&
	    c->slot[i].tree_size == tree_size &&
	    memcmp(c->slot[i].hash, hash, MERKLE_HASH_LEN) == 0;
}
