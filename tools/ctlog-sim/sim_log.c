/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_log.c -- the simulated log's state: entries, tree, published STH and
 * the misbehaviour mode. See sim_log.h for the modes and threading rules.
 *
 * Lock order: grow_lock, then lock. `lock` (rwlock) guards tree, sth, mode,
 * slow_ms, fork_leaf0, rollback_size, last_ts, subs, published and split
 * (whose pointer changes only with grow_lock held too, so a grower may read
 * it under grow_lock alone).
 * entries and key are read-only after sim_log_new() and used without a lock.
 * The read queries (get-sth, proofs, entries, tiles) are in
 * sim_log_query.c; the state both share is in sim_log_int.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "num.h"
#include "sim_entries.h"
#include "sim_key.h"
#include "sim_log.h"
#include "sim_log_int.h"
#include "sim_sizes.h"
#include "sim_split.h"
#include "sim_tree.h"
#include "sim_util.h"

/* Leaves built per batch before they are appended under the lock. */
#define BATCH 65536
/* How often a held request looks at the mode again. */
#define HOLD_POLL_MS 2u


static const char *const mode_names[] = {
	[SIM_MODE_NORMAL] = "normal",
	[SIM_MODE_BAD_SIG] = "bad-sig",
	[SIM_MODE_FORK] = "fork",
	[SIM_MODE_BAD_PROOF] = "bad-proof",
	[SIM_MODE_ERROR] = "error",
	[SIM_MODE_BAD_JSON] = "bad-json",
	[SIM_MODE_ROLLBACK] = "rollback",
	[SIM_MODE_SLOW] = "slow",
	[SIM_MODE_DOWN] = "down",
	[SIM_MODE_BAD_KEYID] = "bad-keyid",
	[SIM_MODE_BAD_TILE] = "bad-tile",
	[SIM_MODE_BAD_DATA] = "bad-data",
	[SIM_MODE_GARBAGE] = "garbage",
	[SIM_MODE_BAD_GZIP] = "bad-gzip",
	[SIM_MODE_HOLD] = "hold",
	[SIM_MODE_EXT_LINE] = "ext-line",
	[SIM_MODE_SPLIT] = "split",
	[SIM_MODE_NO_PARTIAL] = "no-partial",
};

const char *
sim_log_mode_name(enum sim_mode mode)
{
	if ((size_t)mode >= sizeof(mode_names) / sizeof(mode_names[0])) {
		return "unknown";
	}
	return mode_names[mode];
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	}
}

/* The leaf-0 replacement of the served tree, or NULL. Lock held. */
static const uint8_t *
served_leaf0(const struct sim_log *log)
{
	return log->mode == SIM_MODE_FORK ? log->fork_leaf0 : NULL;
}

struct served
sim_log_served(const struct sim_log *log, enum sim_view view)
{
	if (view == SIM_VIEW_SPLIT && log->split != NULL) {
		return (struct served){ .tree = &log->split->tree,
		    .sth = &log->split->sth,
		    .published = &log->split->published,
		    .fork_from = log->split->at };
	}
	return (struct served){ .tree = &log->tree, .leaf0 =
	    served_leaf0(log), .sth = &log->sth,
	    .published = &log->published, .fork_from = UINT64_MAX };
}

/*
 * Compute sth->root over tree (size and timestamp set) and sign it.
 * @return: 0; -1 on failure.
 */
static int
sign_sth(struct sim_log *log, const struct sim_tree *tree,
    const uint8_t *leaf0, struct sim_sth *sth)
{
	uint8_t tbs[2 + 8 + 8 + SIM_HASH_LEN];

	if (sim_tree_root(tree, sth->tree_size, leaf0, sth->root) != 0) {
		return -1;
	}
	/* RFC 6962 section 3.5 TreeHeadSignature: v1, tree_hash. */
	tbs[0] = 0;
	tbs[1] = 1;
	put_u64(tbs + 2, sth->timestamp);
	put_u64(tbs + 10, sth->tree_size);
	memcpy(tbs + 18, sth->root, SIM_HASH_LEN);
	return sim_key_sign(log->key, tbs, sizeof(tbs), sth->sig,
	    &sth->sig_len) == 0 ? 0 : -1;
}

/*
 * Sign and publish an STH for the served tree: size and root follow the
 * mode, the timestamp is now but always above the previous one. Write lock
 * held. On failure the previous STH stays published.
 */
static int
publish(struct sim_log *log)
{
	struct sim_sth sth, split_sth;
	uint64_t now = now_ms();

	sth.tree_size = log->mode == SIM_MODE_ROLLBACK ?
	    log->rollback_size : sim_tree_size(&log->tree);
	sth.timestamp = now > log->last_ts ? now : log->last_ts + 1;
	if (sign_sth(log, &log->tree, served_leaf0(log), &sth) != 0 ||
	    sim_sizes_add(&log->published, sth.tree_size) != 0) {
		return SIM_EFAIL;
	}
	if (log->split != NULL) {
		/* Same key, same timestamp, another tree. */
		split_sth.tree_size = sim_tree_size(&log->split->tree);
		split_sth.timestamp = sth.timestamp;
		if (sign_sth(log, &log->split->tree, NULL, &split_sth) != 0 ||
		    sim_sizes_add(&log->split->published,
		    split_sth.tree_size) != 0) {
			return SIM_EFAIL;
		}
		log->split->sth = split_sth;
	}
	log->sth = sth;
	log->last_ts = sth.timestamp;
	return SIM_OK;
}

struct sim_log *
sim_log_new(const char *seed)
{
	struct sim_log *log = calloc(1, sizeof(*log));

	if (log == NULL) {
		return NULL;
	}
	pthread_rwlock_init(&log->lock, NULL);
	pthread_mutex_init(&log->grow_lock, NULL);
	sim_tree_init(&log->tree);
	sim_sizes_init(&log->published);
	if ((log->entries = sim_entries_new(seed)) == NULL ||
	    (log->key = sim_key_new(seed)) == NULL ||
	    publish(log) != SIM_OK) {
		sim_log_free(log);
		return NULL;
	}
	return log;
}

int
sim_log_cache_entries(struct sim_log *log, uint64_t n, bool eager_json)
{
	return sim_entries_cache(log->entries, n, eager_json) == 0 ? SIM_OK :
	    SIM_EFAIL;
}

void
sim_log_free(struct sim_log *log)
{
	if (log == NULL) {
		return;
	}
	sim_tree_deinit(&log->tree);
	for (size_t i = 0; i < log->nsubs; i++) {
		free(log->subs[i].leaf);
		free(log->subs[i].extra);
	}
	free(log->subs);
	sim_sizes_deinit(&log->published);
	sim_split_free(log->split);
	sim_key_free(log->key);
	sim_entries_free(log->entries);
	pthread_mutex_destroy(&log->grow_lock);
	pthread_rwlock_destroy(&log->lock);
	free(log);
}

int
sim_log_grow(struct sim_log *log, uint64_t n)
{
	uint8_t *hashes = NULL, *fork_hashes = NULL;
	uint64_t size, done = 0;
	int rc = SIM_OK;
	size_t nbuf = n < BATCH ? (size_t)n : BATCH;

	if (n == 0 || n > SIM_LOG_GROW_MAX) {
		return SIM_EINVAL;
	}
	pthread_mutex_lock(&log->grow_lock);
	/* Only growers change the size, and they hold grow_lock. */
	size = sim_log_size(log);
	if (size + n > SIM_TREE_MAX_SIZE) {
		rc = SIM_EINVAL;
		goto out;
	}
	if ((hashes = malloc(nbuf * SIM_HASH_LEN)) == NULL ||
	    (log->split != NULL &&
	    (fork_hashes = malloc(nbuf * SIM_HASH_LEN)) == NULL)) {
		rc = SIM_EFAIL;
		goto out;
	}
	while (done < n && rc == SIM_OK) {
		size_t batch = n - done < BATCH ? (size_t)(n - done) : BATCH;

		if (sim_entries_leaf_hashes(log->entries, size + done, batch,
		    hashes) != 0 || (fork_hashes != NULL &&
		    sim_split_hashes(log->entries, size + done, batch,
		    fork_hashes) != 0)) {
			rc = SIM_EFAIL;
			break;
		}
		pthread_rwlock_wrlock(&log->lock);
		for (size_t i = 0; i < batch && rc == SIM_OK; i++) {
			if (sim_tree_append(&log->tree,
			    hashes + i * SIM_HASH_LEN) != 0) {
				rc = SIM_EFAIL;
			}
		}
		/* Both views grow leaf for leaf. */
		if (rc == SIM_OK && fork_hashes != NULL &&
		    sim_split_append(log->split, fork_hashes, batch) != 0) {
			rc = SIM_EFAIL;
		}
		pthread_rwlock_unlock(&log->lock);
		done += batch;
	}
	pthread_rwlock_wrlock(&log->lock);
	/* Publish what was appended, even after a failure. */
	if (publish(log) != SIM_OK) {
		rc = SIM_EFAIL;
	}
	pthread_rwlock_unlock(&log->lock);
out:
	free(fork_hashes);
	free(hashes);
	pthread_mutex_unlock(&log->grow_lock);
	return rc;
}

/* Parse "slow=<ms>"; strict decimal. */
static bool
parse_slow(const char *spec, unsigned *ms)
{
	uint64_t v;

	if (strncmp(spec, "slow=", 5) != 0 ||
	    num_parse_u64_str(spec + 5, 0, &v) != CTD_OK ||
	    v > SIM_LOG_SLOW_MAX) {
		return false;
	}
	*ms = (unsigned)v;
	return true;
}

/* Map spec to a mode (and delay); false when it names none. */
static bool
parse_mode(const char *spec, enum sim_mode *mode, unsigned *ms)
{
	*ms = 0;
	if (parse_slow(spec, ms)) {
		*mode = SIM_MODE_SLOW;
		return true;
	}
	for (size_t m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]);
	    m++) {
		if (m != SIM_MODE_SLOW && strcmp(spec, mode_names[m]) == 0) {
			*mode = (enum sim_mode)m;
			return true;
		}
	}
	return false;
}

int
sim_log_set_mode(struct sim_log *log, const char *spec)
{
	enum sim_mode mode, old_mode;
	unsigned ms, old_ms;
	uint8_t fork_leaf0[SIM_HASH_LEN];
	struct sim_split *split = NULL, *old_split;
	uint64_t size;
	int rc;

	if (!parse_mode(spec, &mode, &ms)) {
		return SIM_EINVAL;
	}
	/* grow_lock keeps the size fixed while the fork leaf is built. */
	pthread_mutex_lock(&log->grow_lock);
	size = sim_log_size(log);
	if (mode == SIM_MODE_FORK &&
	    (size == 0 || sim_entries_leaf_hash(log->entries, 0, true,
	    fork_leaf0) != 0)) {
		pthread_mutex_unlock(&log->grow_lock);
		return size == 0 ? SIM_EINVAL : SIM_EFAIL;
	}
	/* A new split copies the real tree: growers are held off by
	 * grow_lock, readers only read. A running split goes on. */
	if (mode == SIM_MODE_SPLIT && log->split == NULL &&
	    (split = sim_split_new(&log->tree, &log->published, size)) ==
	    NULL) {
		pthread_mutex_unlock(&log->grow_lock);
		return SIM_EFAIL;
	}
	pthread_rwlock_wrlock(&log->lock);
	old_mode = log->mode;
	old_ms = log->slow_ms;
	old_split = log->split;
	log->mode = mode;
	log->slow_ms = ms;
	if (split != NULL) {
		log->split = split;
	} else if (mode != SIM_MODE_SPLIT) {
		log->split = NULL;
	}
	if (mode == SIM_MODE_FORK) {
		memcpy(log->fork_leaf0, fork_leaf0, SIM_HASH_LEN);
	}
	if (mode == SIM_MODE_ROLLBACK) {
		log->rollback_size = log->sth.tree_size / 2;
	}
	if ((rc = publish(log)) != SIM_OK) {
		log->mode = old_mode;
		log->slow_ms = old_ms;
		log->split = old_split;
		old_split = split;	/* the new one is dropped */
	}
	pthread_rwlock_unlock(&log->lock);
	pthread_mutex_unlock(&log->grow_lock);
	if (old_split != log->split) {
		sim_split_free(old_split);
	}
	return rc;
}

enum sim_mode
sim_log_mode(struct sim_log *log, unsigned *slow_ms)
{
	enum sim_mode mode;

	pthread_rwlock_rdlock(&log->lock);
	mode = log->mode;
	if (slow_ms != NULL) {
		*slow_ms = log->slow_ms;
	}
	pthread_rwlock_unlock(&log->lock);
	return mode;
}

void
sim_log_delay(struct sim_log *log, enum sim_mode mode, unsigned slow_ms)
{
	if (mode == SIM_MODE_SLOW) {
		sim_sleep_ms(slow_ms);
		return;
	}
	for (unsigned waited = 0; mode == SIM_MODE_HOLD &&
	    waited < SIM_LOG_SLOW_MAX; waited += HOLD_POLL_MS) {
		sim_sleep_ms(HOLD_POLL_MS);
		mode = sim_log_mode(log, NULL);
	}
}

uint64_t
sim_log_size(struct sim_log *log)
{
	uint64_t size;

	pthread_rwlock_rdlock(&log->lock);
	size = sim_tree_size(&log->tree);
	pthread_rwlock_unlock(&log->lock);
	return size;
}

/* The submitted entry idx, or NULL. Lock held. */
static const struct sim_sub *
sub_find(const struct sim_log *log, uint64_t idx)
{
	size_t lo = 0, hi = log->nsubs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (log->subs[mid].idx == idx) {
			return &log->subs[mid];
		}
		if (log->subs[mid].idx < idx) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

static int
copy_bytes(const uint8_t *src, size_t len, uint8_t **out, size_t *out_len)
{
	if ((*out = malloc(len > 0 ? len : 1)) == NULL) {
		return -1;
	}
	memcpy(*out, src, len);
	*out_len = len;
	return 0;
}

int
sim_log_entry_leaf(struct sim_log *log, uint64_t idx, bool fork,
    uint8_t **out, size_t *out_len)
{
	const struct sim_sub *sub;
	int rc = 1;

	if (!fork) {
		pthread_rwlock_rdlock(&log->lock);
		if ((sub = sub_find(log, idx)) != NULL) {
			rc = copy_bytes(sub->leaf, sub->leaf_len, out, out_len);
		}
		pthread_rwlock_unlock(&log->lock);
	}
	if (rc != 1) {
		return rc;
	}
	return sim_entries_leaf(log->entries, idx, fork, out, out_len);
}

int
sim_log_extra(struct sim_log *log, enum sim_view view, uint64_t idx,
    uint8_t **out, size_t *out_len)
{
	const struct sim_sub *sub;
	size_t len;
	int rc;

	pthread_rwlock_rdlock(&log->lock);
	/* A fork variant is synthetic, whatever the real log holds there. */
	if (idx < sim_log_served(log, view).fork_from &&
	    (sub = sub_find(log, idx)) != NULL) {
		rc = copy_bytes(sub->extra, sub->extra_len, out, out_len);
	} else {
		const uint8_t *chain = sim_entries_chain(log->entries, &len);
		rc = copy_bytes(chain, len, out, out_len);
	}
	pthread_rwlock_unlock(&log->lock);
	return rc == 0 ? SIM_OK : SIM_EFAIL;
}

int
sim_log_append_leaf(struct sim_log *log, uint8_t *leaf, size_t leaf_len,
    size_t idx_off, const uint8_t *extra, size_t extra_len,
    uint64_t *idx_out)
{
	uint8_t hash[SIM_HASH_LEN];
	struct sim_sub sub = { 0 };
	int rc = SIM_EFAIL;

	if ((idx_off != SIZE_MAX && (idx_off > leaf_len ||
	    leaf_len - idx_off < 5)) ||
	    copy_bytes(extra, extra_len, &sub.extra, &sub.extra_len) != 0) {
		free(sub.extra);
		return SIM_EFAIL;
	}
	pthread_mutex_lock(&log->grow_lock);
	pthread_rwlock_wrlock(&log->lock);
	if (log->nsubs == log->subs_cap) {
		size_t cap = log->subs_cap == 0 ? 64 : 2 * log->subs_cap;
		struct sim_sub *more = realloc(log->subs, cap * sizeof *more);
		if (more == NULL) {
			goto out;
		}
		log->subs = more;
		log->subs_cap = cap;
	}
	sub.idx = sim_tree_size(&log->tree);
	/* The index is known only now, under the lock: fill it in, then
	 * hash and keep the very bytes that are appended. */
	for (int i = 0; idx_off != SIZE_MAX && i < 5; i++) {
		leaf[idx_off + (size_t)i] = (uint8_t)(sub.idx >> (32 - 8 * i));
	}
	if (sub.idx >= SIM_TREE_MAX_SIZE ||
	    sim_tree_leaf_hash(leaf, leaf_len, hash) != 0 ||
	    copy_bytes(leaf, leaf_len, &sub.leaf, &sub.leaf_len) != 0 ||
	    sim_tree_append(&log->tree, hash) != 0) {
		goto out;
	}
	/* The split view gets the fork variant of the synthetic entry: one
	 * signature under the lock, for a test-only mode. */
	if (log->split != NULL && (sim_split_hashes(log->entries, sub.idx, 1,
	    hash) != 0 || sim_split_append(log->split, hash, 1) != 0)) {
		goto out;
	}
	log->subs[log->nsubs++] = sub;
	*idx_out = sub.idx;
	sub.leaf = sub.extra = NULL;
	/* Merged at once: the next STH, published now, covers it. */
	rc = publish(log);
out:
	pthread_rwlock_unlock(&log->lock);
	pthread_mutex_unlock(&log->grow_lock);
	free(sub.leaf);
	free(sub.extra);
	return rc;
}

bool
sim_log_sub_idx(struct sim_log *log, size_t k, uint64_t *idx_out)
{
	bool found;

	pthread_rwlock_rdlock(&log->lock);
	if ((found = k < log->nsubs)) {
		*idx_out = log->subs[k].idx;
	}
	pthread_rwlock_unlock(&log->lock);
	return found;
}

int
sim_log_sign(struct sim_log *log, const uint8_t *msg, size_t msg_len,
    uint8_t *out, size_t *out_len)
{
	return sim_key_sign(log->key, msg, msg_len, out, out_len) == 0 ?
	    SIM_OK : SIM_EFAIL;
}

const uint8_t *
sim_log_chain(struct sim_log *log, size_t *len_out)
{
	return sim_entries_chain(log->entries, len_out);
}

const uint8_t *
sim_log_root_cert(struct sim_log *log, size_t *len_out)
{
	return sim_entries_root(log->entries, len_out);
}

const uint8_t *
sim_log_spki(struct sim_log *log, size_t *len_out)
{
	return sim_key_spki(log->key, len_out);
}
