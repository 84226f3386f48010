/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_log_query.c -- the simulated log's read queries: the served STH,
 * consistency and audit proofs, entries and tiles, per view (sim_log.h).
 * Each takes the read lock for its tree work only; certificate bytes are
 * built unlocked (sim_log_entry_leaf()).
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim_entries.h"
#include "sim_log.h"
#include "sim_log_int.h"
#include "sim_sizes.h"
#include "sim_split.h"
#include "sim_static_tile.h"
#include "sim_tree.h"

void
sim_log_sth(struct sim_log *log, enum sim_view view, struct sim_sth *out)
{
	pthread_rwlock_rdlock(&log->lock);
	*out = *sim_log_served(log, view).sth;
	if (log->mode == SIM_MODE_BAD_SIG) {
		/* The tail of the DER signature is the tail of s: the
		 * signature still parses but no longer verifies. */
		out->sig[out->sig_len - 1] ^= 0x01;
	}
	pthread_rwlock_unlock(&log->lock);
}

/* bad-proof: flip one bit of a non-empty proof. Lock held. */
static void
spoil_proof(const struct sim_log *log, struct sim_proof *p)
{
	if (log->mode == SIM_MODE_BAD_PROOF && p->len > 0) {
		p->node[0][0] ^= 0x01;
	}
}

int
sim_log_consistency(struct sim_log *log, enum sim_view view, uint64_t first,
    uint64_t second, struct sim_proof *out)
{
	int rc = SIM_EINVAL;

	pthread_rwlock_rdlock(&log->lock);
	struct served sv = sim_log_served(log, view);
	if (first > 0 && first <= second && second <= sv.sth->tree_size &&
	    sim_tree_consistency(sv.tree, first, second, sv.leaf0,
	    out) == 0) {
		spoil_proof(log, out);
		rc = SIM_OK;
	}
	pthread_rwlock_unlock(&log->lock);
	return rc;
}

/* Index of hash in the served tree; lock held. */
static bool
served_find(const struct served *sv, const uint8_t *hash, uint64_t *idx)
{
	const uint8_t *leaf0 = sv->leaf0;

	if (leaf0 != NULL && memcmp(hash, leaf0, SIM_HASH_LEN) == 0) {
		*idx = 0;
		return true;
	}
	/* In the fork the real leaf 0 is gone. */
	return sim_tree_find(sv->tree, hash, idx) &&
	    !(leaf0 != NULL && *idx == 0);
}

int
sim_log_proof_by_hash(struct sim_log *log, enum sim_view view,
    const uint8_t hash[SIM_HASH_LEN], uint64_t tree_size, uint64_t *idx_out,
    struct sim_proof *out)
{
	uint64_t idx;
	int rc = SIM_EINVAL;

	pthread_rwlock_rdlock(&log->lock);
	struct served sv = sim_log_served(log, view);
	if (tree_size == 0 || tree_size > sv.sth->tree_size) {
		goto out;
	}
	rc = SIM_ENOTFOUND;
	if (!served_find(&sv, hash, &idx) || idx >= tree_size) {
		goto out;
	}
	rc = SIM_EFAIL;
	if (sim_tree_path(sv.tree, idx, tree_size, sv.leaf0, out) != 0) {
		goto out;
	}
	spoil_proof(log, out);
	*idx_out = idx;
	rc = SIM_OK;
out:
	pthread_rwlock_unlock(&log->lock);
	return rc;
}


/* Whether tile (level, n, width) of a view is served; lock held. See
 * sim_log.h. Written so that no shift overflows, whatever the level. */
static bool
tile_served(const struct served *sv, unsigned level, uint64_t n,
    unsigned width)
{
	unsigned shift = 8 * level;
	/* Hashes of the level the served STH covers completely. */
	uint64_t covered = sv->sth->tree_size >> shift, last;

	if (level > SIM_TILE_LEVEL_MAX || width == 0 || width > 256 ||
	    n > covered / 256) {
		return false;
	}
	/* The tile's last hash covers leaves up to last << shift. */
	last = n * 256 + width;
	if (last > covered) {
		return false;
	}
	if (width == 256) {
		return true;
	}
	/* A checkpoint of this view named exactly `width` hashes here. */
	return sim_sizes_any(sv->published, last << shift,
	    (last + 1) << shift);
}

int
sim_log_tile(struct sim_log *log, enum sim_view view, unsigned level,
    uint64_t n, unsigned width, uint8_t *out)
{
	int rc = SIM_ENOTFOUND;

	pthread_rwlock_rdlock(&log->lock);
	struct served sv = sim_log_served(log, view);
	if (tile_served(&sv, level, n, width)) {
		rc = SIM_OK;
		for (unsigned i = 0; out != NULL && i < width; i++) {
			if (sim_tree_node(sv.tree, 8 * level, n * 256 + i,
			    sv.leaf0, out + i * SIM_HASH_LEN) != 0) {
				rc = SIM_EFAIL;
				break;
			}
		}
	}
	pthread_rwlock_unlock(&log->lock);
	return rc;
}


int
sim_log_entry_and_proof(struct sim_log *log, enum sim_view view,
    uint64_t idx, uint64_t tree_size, uint8_t **leaf_out, size_t *leaf_len,
    struct sim_proof *out)
{
	bool fork = false;
	int rc = SIM_EINVAL;

	pthread_rwlock_rdlock(&log->lock);
	struct served sv = sim_log_served(log, view);
	if (idx < tree_size && tree_size <= sv.sth->tree_size &&
	    sim_tree_path(sv.tree, idx, tree_size, sv.leaf0, out) == 0) {
		spoil_proof(log, out);
		fork = (idx == 0 && sv.leaf0 != NULL) || idx >= sv.fork_from;
		rc = SIM_OK;
	}
	pthread_rwlock_unlock(&log->lock);
	if (rc == SIM_OK && sim_log_entry_leaf(log, idx, fork, leaf_out,
	    leaf_len) != 0) {
		rc = SIM_EFAIL;
	}
	return rc;
}

/* What get-entries [start, end] serves of a view: n entries (at most
 * max, none beyond the tree), and where its fork variants are. */
struct entries_span {
	size_t n;
	bool fork;		/* entry 0 is the fork's */
	uint64_t fork_from;	/* fork variants from here on */
};

static int
entries_span(struct sim_log *log, enum sim_view view, uint64_t start,
    uint64_t end, size_t max, struct entries_span *out)
{
	uint64_t last, size;

	pthread_rwlock_rdlock(&log->lock);
	struct served sv = sim_log_served(log, view);
	size = sv.sth->tree_size;
	out->fork = sv.leaf0 != NULL;
	out->fork_from = sv.fork_from;
	pthread_rwlock_unlock(&log->lock);
	if (max == 0 || start > end || start >= size) {
		return SIM_EINVAL;
	}
	last = end < size - 1 ? end : size - 1;
	out->n = last - start + 1 < max ? (size_t)(last - start + 1) : max;
	return SIM_OK;
}

int
sim_log_entries(struct sim_log *log, enum sim_view view, uint64_t start,
    uint64_t end, size_t max, uint8_t **leaves, size_t *lens, size_t *count)
{
	struct entries_span sp;
	uint64_t fork_from;
	bool fork;
	size_t i, n;

	if (entries_span(log, view, start, end, max, &sp) != SIM_OK) {
		return SIM_EINVAL;
	}
	n = sp.n;
	fork = sp.fork;
	fork_from = sp.fork_from;
	/* The bytes are a pure function of the index: build them unlocked. */
	for (i = 0; i < n; i++) {
		uint64_t idx = start + i;

		if (sim_log_entry_leaf(log, idx, (fork && idx == 0) ||
		    idx >= fork_from, &leaves[i], &lens[i]) != 0) {
			while (i > 0) {
				free(leaves[--i]);
			}
			return SIM_EFAIL;
		}
	}
	*count = n;
	return SIM_OK;
}

/* The cached objects of [start, start + n) joined into a page body. */
static int
join_json(const struct sim_entries *e, uint64_t start, size_t n,
    char **body, size_t *body_len)
{
	static const char head[] = "{\"entries\":[", tail[] = "]}";
	const char **objs = malloc(n * sizeof *objs);
	size_t *lens = malloc(n * sizeof *lens);
	size_t total = sizeof head - 1 + n + sizeof tail - 1, at;
	int rc = SIM_EFAIL;

	if (objs == NULL || lens == NULL) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((objs[i] = sim_entries_json(e, start + i)) == NULL) {
			goto out;
		}
		lens[i] = strlen(objs[i]);
		total += lens[i];
	}
	if ((*body = malloc(total)) == NULL) {
		goto out;
	}
	memcpy(*body, head, sizeof head - 1);
	at = sizeof head - 1;
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			(*body)[at++] = ',';
		}
		memcpy(*body + at, objs[i], lens[i]);
		at += lens[i];
	}
	memcpy(*body + at, tail, sizeof tail - 1);
	*body_len = at + sizeof tail - 1;
	rc = SIM_OK;
out:
	free(objs);
	free(lens);
	return rc;
}

int
sim_log_entries_json(struct sim_log *log, enum sim_view view,
    uint64_t start, uint64_t end, size_t max, char **body, size_t *body_len)
{
	struct entries_span sp;

	if (entries_span(log, view, start, end, max, &sp) != SIM_OK) {
		return SIM_EINVAL;
	}
	/* Fork variants are built anew; so is the split view's tree. */
	if ((sp.fork && start == 0) || start + sp.n > sp.fork_from ||
	    view != SIM_VIEW_REAL ||
	    sim_entries_json(log->entries, start + sp.n - 1) == NULL) {
		return SIM_ENOTFOUND;
	}
	return join_json(log->entries, start, sp.n, body, body_len);
}

int
sim_log_real_leaf(struct sim_log *log, uint64_t idx,
    uint8_t hash_out[SIM_HASH_LEN], uint8_t **leaf_out, size_t *leaf_len)
{
	const uint8_t *hash;

	pthread_rwlock_rdlock(&log->lock);
	if ((hash = sim_tree_leaf(&log->tree, idx)) != NULL) {
		memcpy(hash_out, hash, SIM_HASH_LEN);
	}
	pthread_rwlock_unlock(&log->lock);
	if (hash == NULL) {
		return SIM_EINVAL;
	}
	if (sim_log_entry_leaf(log, idx, false, leaf_out, leaf_len) != 0) {
		return SIM_EFAIL;
	}
	return SIM_OK;
}

int
sim_log_real_root(struct sim_log *log, uint64_t size,
    uint8_t out[SIM_HASH_LEN])
{
	int rc;

	pthread_rwlock_rdlock(&log->lock);
	rc = sim_tree_root(&log->tree, size, NULL, out) == 0 ? SIM_OK :
	    SIM_EINVAL;
	pthread_rwlock_unlock(&log->lock);
	return rc;
}

int
sim_log_split_root(struct sim_log *log, uint64_t size,
    uint8_t out[SIM_HASH_LEN])
{
	int rc = SIM_ENOTFOUND;

	pthread_rwlock_rdlock(&log->lock);
	if (log->split != NULL) {
		rc = sim_tree_root(&log->split->tree, size, NULL, out) == 0 ?
		    SIM_OK : SIM_EINVAL;
	}
	pthread_rwlock_unlock(&log->lock);
	return rc;
}

bool
sim_log_split_at(struct sim_log *log, uint64_t *at_out)
{
	bool on;

	pthread_rwlock_rdlock(&log->lock);
	if ((on = log->split != NULL) && at_out != NULL) {
		*at_out = log->split->at;
	}
	pthread_rwlock_unlock(&log->lock);
	return on;
}

