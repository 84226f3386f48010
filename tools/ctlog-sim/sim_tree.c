/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_tree.c -- the simulated log's own RFC 6962 Merkle tree.
 *
 * MTH, PATH and PROOF follow the recursive definitions of RFC 6962
 * section 2.1 literally, over absolute leaf ranges [begin, end). Every
 * range those recursions visit that is a perfect subtree (size a power of
 * two, begin a multiple of it) is read from the stored levels, so a root or
 * a proof costs O(log n) stored reads plus O(log n) hashes for the ragged
 * right edge. See sim_tree.h for the storage layout and the fork view.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "sim_tree.h"

void
sim_tree_init(struct sim_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void
sim_tree_deinit(struct sim_tree *t)
{
	for (size_t k = 0; k < SIM_TREE_LEVELS; k++) {
		free(t->level[k]);
	}
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

uint64_t
sim_tree_size(const struct sim_tree *t)
{
	return t->count[0];
}

int
sim_tree_leaf_hash(const uint8_t *leaf, size_t leaf_len,
    uint8_t out[SIM_HASH_LEN])
{
	static const uint8_t prefix = 0x00;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = SIM_HASH_LEN;
	int rc = -ENOMEM;

	if (ctx != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ctx, &prefix, 1) &&
	    EVP_DigestUpdate(ctx, leaf, leaf_len) &&
	    EVP_DigestFinal_ex(ctx, out, &len)) {
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * SHA-256(0x01 || left || right), RFC 6962 section 2.1. The one-shot
 * SHA256() fails only when the default provider cannot load, and then
 * sim_tree_leaf_hash() has failed before any node is built.
 */
static void
node_hash(const uint8_t *left, const uint8_t *right, uint8_t *out)
{
	uint8_t buf[1 + 2 * SIM_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, SIM_HASH_LEN);
	memcpy(buf + 1 + SIM_HASH_LEN, right, SIM_HASH_LEN);
	SHA256(buf, sizeof(buf), out);
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static uint64_t
slot_of(const uint8_t *hash, uint64_t nslots)
{
	uint64_t h;

	memcpy(&h, hash, sizeof(h));
	return h & (nslots - 1);
}

/* Put leaf idx into a table of nslots (a power of two, never full). */
static void
index_put(uint32_t *slots, uint64_t nslots, const uint8_t *hash, uint64_t idx)
{
	uint64_t s = slot_of(hash, nslots);

	while (slots[s] != 0) {
		s = (s + 1) & (nslots - 1);
	}
	slots[s] = (uint32_t)(idx + 1);
}

/* Keep the index at most half full so probes stay short. */
static int
index_reserve(struct sim_tree *t, uint64_t size)
{
	uint64_t want = t->nslots != 0 ? t->nslots : 1024;
	uint32_t *slots;

	while (want < 2 * size) {
		want *= 2;
	}
	if (want == t->nslots) {
		return 0;
	}
	slots = calloc(want, sizeof(*slots));
	if (slots == NULL) {
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < t->count[0]; i++) {
		index_put(slots, want, t->level[0] + i * SIM_HASH_LEN, i);
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = want;
	return 0;
}

/* Room for one more node on level k. */
static int
level_reserve(struct sim_tree *t, size_t k)
{
	uint64_t cap = t->cap[k] != 0 ? t->cap[k] * 2 : 64;
	uint8_t *p;

	if (t->count[k] < t->cap[k]) {
		return 0;
	}
	p = realloc(t->level[k], cap * SIM_HASH_LEN);
	if (p == NULL) {
		return -ENOMEM;
	}
	t->level[k] = p;
	t->cap[k] = cap;
	return 0;
}

int
sim_tree_append(struct sim_tree *t, const uint8_t leaf_hash[SIM_HASH_LEN])
{
	uint64_t n = t->count[0] + 1;
	size_t k;
	int rc;

	if (t->count[0] >= SIM_TREE_MAX_SIZE) {
		return -ERANGE;
	}
	/* Reserve everything first so a failure leaves the tree intact. */
	if ((rc = index_reserve(t, n)) != 0) {
		return rc;
	}
	for (k = 0; k < SIM_TREE_LEVELS && (n & (((uint64_t)1 << k) - 1)) == 0;
	    k++) {
		if ((rc = level_reserve(t, k)) != 0) {
			return rc;
		}
	}
	memcpy(t->level[0] + t->count[0] * SIM_HASH_LEN, leaf_hash,
	    SIM_HASH_LEN);
	t->count[0]++;
	index_put(t->slots, t->nslots, leaf_hash, n - 1);
	/* Leaf n-1 closes the subtree of 2^k leaves for every 2^k | n. */
	for (k = 1; k < SIM_TREE_LEVELS && (n & (((uint64_t)1 << k) - 1)) == 0;
	    k++) {
		const uint8_t *l = t->level[k - 1] +
		    (t->count[k - 1] - 2) * SIM_HASH_LEN;

		node_hash(l, l + SIM_HASH_LEN,
		    t->level[k] + t->count[k] * SIM_HASH_LEN);
		t->count[k]++;
	}
	return 0;
}

const uint8_t *
sim_tree_leaf(const struct sim_tree *t, uint64_t idx)
{
	if (idx >= t->count[0]) {
		return NULL;
	}
	return t->level[0] + idx * SIM_HASH_LEN;
}

bool
sim_tree_find(const struct sim_tree *t, const uint8_t leaf_hash[SIM_HASH_LEN],
    uint64_t *idx_out)
{
	uint64_t s;

	if (t->nslots == 0) {
		return false;
	}
	for (s = slot_of(leaf_hash, t->nslots); t->slots[s] != 0;
	    s = (s + 1) & (t->nslots - 1)) {
		uint64_t idx = t->slots[s] - 1;

		if (memcmp(t->level[0] + idx * SIM_HASH_LEN, leaf_hash,
		    SIM_HASH_LEN) == 0) {
			*idx_out = idx;
			return true;
		}
	}
	return false;
}

/*
 * Stored node j of level k, seen through the fork view: node 0 of every
 * level covers leaf 0, so with leaf0 set it is recomputed from leaf0 and
 * the stored right siblings down the left spine.
 */
static void
node_get(const struct sim_tree *t, size_t k, uint64_t j, const uint8_t *leaf0,
    uint8_t out[SIM_HASH_LEN])
{
	uint8_t left[SIM_HASH_LEN];

	if (leaf0 == NULL || j != 0) {
		memcpy(out, t->level[k] + j * SIM_HASH_LEN, SIM_HASH_LEN);
		return;
	}
	if (k == 0) {
		memcpy(out, leaf0, SIM_HASH_LEN);
		return;
	}
	node_get(t, k - 1, 0, leaf0, left);
	node_hash(left, t->level[k - 1] + SIM_HASH_LEN, out);
}

int
sim_tree_node(const struct sim_tree *t, size_t k, uint64_t j,
    const uint8_t *leaf0, uint8_t out[SIM_HASH_LEN])
{
	if (k >= SIM_TREE_LEVELS || j >= t->count[k]) {
		return -ERANGE;
	}
	node_get(t, k, j, leaf0, out);
	return 0;
}

/* MTH(D[begin:end]), begin < end <= size. */
static void
range_hash(const struct sim_tree *t, uint64_t begin, uint64_t end,
    const uint8_t *leaf0, uint8_t out[SIM_HASH_LEN])
{
	uint64_t n = end - begin;
	uint8_t left[SIM_HASH_LEN], right[SIM_HASH_LEN];
	uint64_t k;

	if ((n & (n - 1)) == 0 && begin % n == 0) {
		node_get(t, (size_t)__builtin_ctzll(n), begin / n, leaf0, out);
		return;
	}
	k = split_point(n);
	range_hash(t, begin, begin + k, leaf0, left);
	range_hash(t, begin + k, end, leaf0, right);
	node_hash(left, right, out);
}

int
sim_tree_root(const struct sim_tree *t, uint64_t size, const uint8_t *leaf0,
    uint8_t out[SIM_HASH_LEN])
{
	if (size > t->count[0]) {
		return -ERANGE;
	}
	if (size == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return 0;
	}
	range_hash(t, 0, size, leaf0, out);
	return 0;
}

static void
proof_add(struct sim_proof *p, const struct sim_tree *t, uint64_t begin,
    uint64_t end, const uint8_t *leaf0)
{
	/* Sizes below 2^32 bound both recursions to 64 nodes. */
	if (p->len < SIM_PROOF_MAX) {
		range_hash(t, begin, end, leaf0, p->node[p->len]);
		p->len++;
	}
}

/* PATH(idx, D[begin:end]), RFC 6962 section 2.1.1: deepest node first. */
static void
path(const struct sim_tree *t, uint64_t idx, uint64_t begin, uint64_t end,
    const uint8_t *leaf0, struct sim_proof *p)
{
	uint64_t k;

	if (end - begin <= 1) {
		return;
	}
	k = split_point(end - begin);
	if (idx < begin + k) {
		path(t, idx, begin, begin + k, leaf0, p);
		proof_add(p, t, begin + k, end, leaf0);
	} else {
		path(t, idx, begin + k, end, leaf0, p);
		proof_add(p, t, begin, begin + k, leaf0);
	}
}

int
sim_tree_path(const struct sim_tree *t, uint64_t idx, uint64_t size,
    const uint8_t *leaf0, struct sim_proof *out)
{
	out->len = 0;
	if (idx >= size || size > t->count[0]) {
		return -ERANGE;
	}
	path(t, idx, 0, size, leaf0, out);
	return 0;
}

/*
 * SUBPROOF(m, D[begin:end], complete), RFC 6962 section 2.1.2, where m
 * counts leaves from begin.
 */
static void
subproof(const struct sim_tree *t, uint64_t m, uint64_t begin, uint64_t end,
    bool complete, const uint8_t *leaf0, struct sim_proof *p)
{
	uint64_t n = end - begin;
	uint64_t k;

	if (m == n) {
		if (!complete) {
			proof_add(p, t, begin, end, leaf0);
		}
		return;
	}
	k = split_point(n);
	if (m <= k) {
		subproof(t, m, begin, begin + k, complete, leaf0, p);
		proof_add(p, t, begin + k, end, leaf0);
	} else {
		subproof(t, m - k, begin + k, end, false, leaf0, p);
		proof_add(p, t, begin, begin + k, leaf0);
	}
}

int
sim_tree_consistency(const struct sim_tree *t, uint64_t first,
    uint64_t second, const uint8_t *leaf0, struct sim_proof *out)
{
	out->len = 0;
	if (first == 0 || first > second || second > t->count[0]) {
		return -ERANGE;
	}
	subproof(t, first, 0, second, true, leaf0, out);
	return 0;
}
