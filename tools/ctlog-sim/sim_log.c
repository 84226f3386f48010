/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_log.c -- the simulated log's state: entries, tree, published STH and
 * the misbehaviour mode. See sim_log.h for the modes and threading rules.
 *
 * Lock order: grow_lock, then lock. `lock` (rwlock) guards tree, sth, mode,
 * slow_ms, fork_leaf0, rollback_size, last_ts, subs and published.
 * entries and key are read-only after sim_log_new() and used without a lock.
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
#include "sim_tree.h"
#include "sim_util.h"

/* Leaves built per batch before they are appended under the lock. */
#define BATCH 65536
/* How often a held request looks at the mode again. */
#define HOLD_POLL_MS 2u

/* A submitted entry (add-chain, add-pre-chain): its bytes are kept, as
 * they cannot be regenerated from the index. */
struct sim_sub {
	uint64_t idx;
	uint8_t *leaf;
	size_t leaf_len;
	uint8_t *extra;
	size_t extra_len;
};

struct sim_log {
	pthread_rwlock_t lock;
	pthread_mutex_t grow_lock;
	struct sim_entries *entries;
	struct sim_key *key;
	struct sim_tree tree;
	struct sim_sth sth;
	enum sim_mode mode;
	unsigned slow_ms;
	uint8_t fork_leaf0[SIM_HASH_LEN];
	uint64_t rollback_size;
	uint64_t last_ts;
	/* Submitted entries by increasing idx; guarded by lock. */
	struct sim_sub *subs;
	size_t nsubs, subs_cap;
	/* Every tree size an STH was published for, sorted, unique. */
	uint64_t *published;
	size_t npublished, published_cap;
};

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

/* First position in published[] holding a size >= size. Lock held. */
static size_t
published_pos(const struct sim_log *log, uint64_t size)
{
	size_t lo = 0, hi = log->npublished;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log->published[mid] < size) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* Remember that an STH of this size was published. Write lock held. */
static int
published_add(struct sim_log *log, uint64_t size)
{
	size_t pos = published_pos(log, size);

	if (pos < log->npublished && log->published[pos] == size) {
		return 0;
	}
	if (log->npublished == log->published_cap) {
		size_t cap = log->published_cap == 0 ? 64 :
		    2 * log->published_cap;
		uint64_t *more = realloc(log->published, cap * sizeof(*more));

		if (more == NULL) {
			return -1;
		}
		log->published = more;
		log->published_cap = cap;
	}
	memmove(log->published + pos + 1, log->published + pos,
	    (log->npublished - pos) * sizeof(*log->published));
	log->published[pos] = size;
	log->npublished++;
	return 0;
}

/*
 * Sign and publish an STH for the served tree: size and root follow the
 * mode, the timestamp is now but always above the previous one. Write lock
 * held. On failure the previous STH stays published.
 */
static int
publish(struct sim_log *log)
{
	struct sim_sth sth;
	uint8_t tbs[2 + 8 + 8 + SIM_HASH_LEN];
	uint64_t now = now_ms();

	sth.tree_size = log->mode == SIM_MODE_ROLLBACK ?
	    log->rollback_size : sim_tree_size(&log->tree);
	sth.timestamp = now > log->last_ts ? now : log->last_ts + 1;
	if (sim_tree_root(&log->tree, sth.tree_size, served_leaf0(log),
	    sth.root) != 0) {
		return SIM_EFAIL;
	}
	/* RFC 6962 section 3.5 TreeHeadSignature: v1, tree_hash. */
	tbs[0] = 0;
	tbs[1] = 1;
	put_u64(tbs + 2, sth.timestamp);
	put_u64(tbs + 10, sth.tree_size);
	memcpy(tbs + 18, sth.root, SIM_HASH_LEN);
	if (sim_key_sign(log->key, tbs, sizeof(tbs), sth.sig,
	    &sth.sig_len) != 0 || published_add(log, sth.tree_size) != 0) {
		return SIM_EFAIL;
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
	if ((log->entries = sim_entries_new(seed)) == NULL ||
	    (log->key = sim_key_new(seed)) == NULL ||
	    publish(log) != SIM_OK) {
		sim_log_free(log);
		return NULL;
	}
	return log;
}

int
sim_log_cache_entries(struct sim_log *log, uint64_t n)
{
	return sim_entries_cache(log->entries, n) == 0 ? SIM_OK : SIM_EFAIL;
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
	free(log->published);
	sim_key_free(log->key);
	sim_entries_free(log->entries);
	pthread_mutex_destroy(&log->grow_lock);
	pthread_rwlock_destroy(&log->lock);
	free(log);
}

int
sim_log_grow(struct sim_log *log, uint64_t n)
{
	uint8_t *hashes = NULL;
	uint64_t size, done = 0;
	int rc = SIM_OK;

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
	if ((hashes = malloc((n < BATCH ? n : BATCH) * SIM_HASH_LEN)) ==
	    NULL) {
		rc = SIM_EFAIL;
		goto out;
	}
	while (done < n && rc == SIM_OK) {
		size_t batch = n - done < BATCH ? (size_t)(n - done) : BATCH;

		if (sim_entries_leaf_hashes(log->entries, size + done, batch,
		    hashes) != 0) {
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
	pthread_rwlock_wrlock(&log->lock);
	old_mode = log->mode;
	old_ms = log->slow_ms;
	log->mode = mode;
	log->slow_ms = ms;
	if (mode == SIM_MODE_FORK) {
		memcpy(log->fork_leaf0, fork_leaf0, SIM_HASH_LEN);
	}
	if (mode == SIM_MODE_ROLLBACK) {
		log->rollback_size = log->sth.tree_size / 2;
	}
	if ((rc = publish(log)) != SIM_OK) {
		log->mode = old_mode;
		log->slow_ms = old_ms;
	}
	pthread_rwlock_unlock(&log->lock);
	pthread_mutex_unlock(&log->grow_lock);
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

void
sim_log_sth(struct sim_log *log, struct sim_sth *out)
{
	pthread_rwlock_rdlock(&log->lock);
	*out = log->sth;
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
sim_log_consistency(struct sim_log *log, uint64_t first, uint64_t second,
    struct sim_proof *out)
{
	int rc = SIM_EINVAL;

	pthread_rwlock_rdlock(&log->lock);
	if (first > 0 && first <= second && second <= log->sth.tree_size &&
	    sim_tree_consistency(&log->tree, first, second,
	    served_leaf0(log), out) == 0) {
		spoil_proof(log, out);
		rc = SIM_OK;
	}
	pthread_rwlock_unlock(&log->lock);
	return rc;
}

/* Index of hash in the served tree; lock held. */
static bool
served_find(const struct sim_log *log, const uint8_t *hash, uint64_t *idx)
{
	const uint8_t *leaf0 = served_leaf0(log);

	if (leaf0 != NULL && memcmp(hash, leaf0, SIM_HASH_LEN) == 0) {
		*idx = 0;
		return true;
	}
	/* In the fork the real leaf 0 is gone. */
	return sim_tree_find(&log->tree, hash, idx) &&
	    !(leaf0 != NULL && *idx == 0);
}

int
sim_log_proof_by_hash(struct sim_log *log, const uint8_t hash[SIM_HASH_LEN],
    uint64_t tree_size, uint64_t *idx_out, struct sim_proof *out)
{
	uint64_t idx;
	int rc = SIM_EINVAL;

	pthread_rwlock_rdlock(&log->lock);
	if (tree_size == 0 || tree_size > log->sth.tree_size) {
		goto out;
	}
	rc = SIM_ENOTFOUND;
	if (!served_find(log, hash, &idx) || idx >= tree_size) {
		goto out;
	}
	rc = SIM_EFAIL;
	if (sim_tree_path(&log->tree, idx, tree_size, served_leaf0(log),
	    out) != 0) {
		goto out;
	}
	spoil_proof(log, out);
	*idx_out = idx;
	rc = SIM_OK;
out:
	pthread_rwlock_unlock(&log->lock);
	return rc;
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

/*
 * The MerkleTreeLeaf of entry idx: a submitted one's stored bytes, or
 * the synthetic entry's. Takes the read lock itself: call unlocked.
 */
static int
entry_leaf(struct sim_log *log, uint64_t idx, bool fork, uint8_t **out,
    size_t *out_len)
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
sim_log_extra(struct sim_log *log, uint64_t idx, uint8_t **out,
    size_t *out_len)
{
	const struct sim_sub *sub;
	size_t len;
	int rc;

	pthread_rwlock_rdlock(&log->lock);
	if ((sub = sub_find(log, idx)) != NULL) {
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

/* Whether tile (level, n, width) is served; lock held. See sim_log.h. */
static bool
tile_served(const struct sim_log *log, unsigned level, uint64_t n,
    unsigned width)
{
	unsigned shift = 8 * level;
	uint64_t first = n * 256 + width, pos;

	/* The tile's last hash covers leaves up to first << shift. */
	if (level > 3 || width == 0 || width > 256 || n > (UINT64_C(1) <<
	    (32 - shift)) || (first << shift) > log->sth.tree_size) {
		return false;
	}
	if (width == 256) {
		return true;
	}
	pos = published_pos(log, first << shift);
	return pos < log->npublished &&
	    log->published[pos] < ((first + 1) << shift);
}

int
sim_log_tile(struct sim_log *log, unsigned level, uint64_t n,
    unsigned width, uint8_t *out)
{
	int rc = SIM_ENOTFOUND;

	pthread_rwlock_rdlock(&log->lock);
	if (tile_served(log, level, n, width)) {
		rc = SIM_OK;
		for (unsigned i = 0; out != NULL && i < width; i++) {
			if (sim_tree_node(&log->tree, 8 * level, n * 256 + i,
			    served_leaf0(log), out + i * SIM_HASH_LEN) != 0) {
				rc = SIM_EFAIL;
				break;
			}
		}
	}
	pthread_rwlock_unlock(&log->lock);
	return rc;
}

int
sim_log_sign(struct sim_log *log, const uint8_t *msg, size_t msg_len,
    uint8_t *out, size_t *out_len)
{
	return sim_key_sign(log->key, msg, msg_len, out, out_len) == 0 ?
	    SIM_OK : SIM_EFAIL;
}

int
sim_log_entry_and_proof(struct sim_log *log, uint64_t idx,
    uint64_t tree_size, uint8_t **leaf_out, size_t *leaf_len,
    struct sim_proof *out)
{
	bool fork = false;
	int rc = SIM_EINVAL;

	pthread_rwlock_rdlock(&log->lock);
	if (idx < tree_size && tree_size <= log->sth.tree_size &&
	    sim_tree_path(&log->tree, idx, tree_size, served_leaf0(log),
	    out) == 0) {
		spoil_proof(log, out);
		fork = idx == 0 && served_leaf0(log) != NULL;
		rc = SIM_OK;
	}
	pthread_rwlock_unlock(&log->lock);
	if (rc == SIM_OK && entry_leaf(log, idx, fork, leaf_out,
	    leaf_len) != 0) {
		rc = SIM_EFAIL;
	}
	return rc;
}

int
sim_log_entries(struct sim_log *log, uint64_t start, uint64_t end,
    size_t max, uint8_t **leaves, size_t *lens, size_t *count)
{
	uint64_t last;
	bool fork;
	size_t i, n;

	pthread_rwlock_rdlock(&log->lock);
	if (max == 0 || start > end || start >= log->sth.tree_size) {
		pthread_rwlock_unlock(&log->lock);
		return SIM_EINVAL;
	}
	last = end < log->sth.tree_size - 1 ? end : log->sth.tree_size - 1;
	fork = served_leaf0(log) != NULL;
	pthread_rwlock_unlock(&log->lock);
	n = last - start + 1 < max ? (size_t)(last - start + 1) : max;
	/* The bytes are a pure function of the index: build them unlocked. */
	for (i = 0; i < n; i++) {
		uint64_t idx = start + i;

		if (entry_leaf(log, idx, fork && idx == 0, &leaves[i],
		    &lens[i]) != 0) {
			while (i > 0) {
				free(leaves[--i]);
			}
			return SIM_EFAIL;
		}
	}
	*count = n;
	return SIM_OK;
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
	if (entry_leaf(log, idx, false, leaf_out, leaf_len) != 0) {
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
