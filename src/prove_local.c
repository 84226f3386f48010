/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prove_local.c -- a need proved from hashes already trusted (see
 * prove_local.h).
 */
#include "config.h"

#include <string.h>

#include "err.h"
#include "merkle.h"
#include "prove_local.h"

size_t
prove_ranges_of(const struct fill_need *n, struct merkle_range *r,
    uint64_t *size)
{
	size_t k;
	switch (n->kind) {
	case FILL_PATH:
		*size = n->b;
		k = merkle_path_ranges(n->a, n->b, r);
		r[k++] = (struct merkle_range){ n->a, n->a + 1 };
		return k;
	case FILL_ROOT:
		*size = n->a;
		r[0] = (struct merkle_range){ 0, n->a };
		return 1;
	case FILL_CONSISTENCY:
	case FILL_HEAD_PROOF:
		*size = n->b;
		k = merkle_consistency_ranges(n->a, n->b, r);
		r[k++] = (struct merkle_range){ 0, n->a };
		return k;
	default:
		return 0;
	}
}

/* The proof the nodes make, against the anchors; the last node is the
 * leaf of a path or the first root of a consistency proof. */
static int
check(const struct source_task *t, const uint8_t *nodes, size_t count)
{
	const struct fill_need *n = &t->need;
	const uint8_t *last = nodes + (count - 1) * MERKLE_HASH_LEN;
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	switch (n->kind) {
	case FILL_PATH:
		return merkle_verify_inclusion(n->a, n->b, last, nodes,
		    count - 1, t->second.root) == CTD_OK ? CTD_OK : CTD_EVERIFY;
	case FILL_CONSISTENCY:
	case FILL_HEAD_PROOF:
		if (merkle_consistency_roots(n->a, n->b, last, nodes, count - 1,
		    fr, sr) != CTD_OK ||
		    memcmp(sr, t->second.root, MERKLE_HASH_LEN) != 0 ||
		    memcmp(fr, last, MERKLE_HASH_LEN) != 0 ||
		    (t->first.known &&
			memcmp(fr, t->first.root, MERKLE_HASH_LEN) != 0)) {
			return CTD_EVERIFY;
		}
		return CTD_OK;
	default:
		return CTD_OK;
	}
}

int
prove_ranges(struct source_task *t, tile_subtree_fn fn, void *arg)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY + 1];
	uint8_t nodes[(MERKLE_MAX_CONSISTENCY + 1) * MERKLE_HASH_LEN];
	uint64_t size = 0;
	size_t count = prove_ranges_of(&t->need, r, &size);
	if (count == 0) {
		return CTD_ENOTFOUND;
	}
	for (size_t i = 0; i < count; i++) {
		if (tile_range_hash(r[i].begin, r[i].end, size, fn, arg,
		    nodes + i * MERKLE_HASH_LEN) != CTD_OK) {
			return CTD_ENOTFOUND;
		}
	}
	int rc = check(t, nodes, count);
	for (size_t i = 0; rc == CTD_OK && i < count; i++) {
		rc = proved_add_range(&t->proved, r[i].begin, r[i].end,
		    nodes + i * MERKLE_HASH_LEN);
	}
	return rc;
}

static int
known(void *arg, uint64_t b, uint64_t e, uint8_t out[MERKLE_HASH_LEN])
{
	struct source_task *t = arg;
	return t->known(t->known_arg, b, e, out);
}

int
prove_local(struct source_task *t)
{
	if (t->known == NULL || t->need.kind == FILL_HEAD_PROOF) {
		return CTD_ENOTFOUND;
	}
	return prove_ranges(t, known, t);
}
