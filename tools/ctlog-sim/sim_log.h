/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_log.h -- the simulated log's state: entries, tree, published STH and
 * the misbehaviour mode.
 *
 * The log holds T entries (leaf hashes in a sim_tree; certificate bytes are
 * regenerated on demand by sim_entries) and one published STH. In normal
 * mode the STH covers all T entries. Queries are answered against the
 * published tree size: a tree_size beyond it is a bad request, as at a real
 * log.
 *
 * Modes change what is served, never the stored tree:
 * - bad-sig: the served STH signature has its last byte altered.
 * - fork: the STH and every proof and entry are computed over a tree whose
 *   leaf 0 is replaced by the fork variant of entry 0; the real leaf 0 is
 *   then unknown to get-proof-by-hash.
 * - bad-proof: the first node of every non-empty proof has one bit flipped.
 * - rollback: the STH covers only half the entries (size T / 2).
 * - error, bad-json, slow=<ms>, hold: HTTP-level; sim_http.c applies them
 *   (sim_log_delay() does the waiting: hold keeps every /ct/v1/ request
 *   until the mode is changed, so a test decides when the log answers).
 * - down: every log GET (not /sim/, not add-chain) is dropped unanswered.
 * - split: the log keeps a second tree (sim_split.h) that shares the
 *   first S leaves (S = the size when the split started) and then holds
 *   the fork variants of the entries; both trees grow together and both
 *   STHs are signed. Queries name their view (enum sim_view): the split
 *   view is served from the second tree, the real view from the real one
 *   (sim_http.c picks the split view for the --split-client address).
 *   Leaving mode split drops the second tree; entering it again starts a
 *   new split at the then current size. The static-ct-api path splits
 *   too: the split client gets the split view's checkpoint and tiles.
 * - bad-keyid, bad-tile, bad-data, garbage, bad-gzip, ext-line (the
 *   checkpoint gains an extension line, which its RFC 6962 signature does
 *   not cover), no-partial (a partial tile whose full tile exists is gone,
 *   404, as at a log that deletes them): the static-ct-api
 *   read path only (sim_static.c says what each does); the RFC 6962 API
 *   answers normally in these modes.
 * Every mode change publishes a fresh STH (timestamps strictly increase),
 * so switching back to normal republishes the real tree.
 *
 * Threading: every function may be called from any thread. Queries take a
 * read lock for O(log n) work and build certificate bytes outside it;
 * growth builds leaves outside the lock (on all CPUs) and appends under the
 * write lock; concurrent growers are serialised.
 *
 * Reads the clock (STH timestamps). Submitted entries (add-chain and
 * add-pre-chain, sim_submit.c) are appended with sim_log_append_leaf():
 * their bytes are kept per entry (synthetic ones are regenerated), they
 * are merged at once and a new STH is published, so the SCT's timestamp
 * is never later than the STH that covers it.
 *
 * Every tree size an STH was published for is remembered, per view (the
 * split view's list starts with the real sizes up to the split point), so
 * the tiled read path (sim_static.c) serves a view's partial tile only for
 * widths some checkpoint of that view named (C2SP tlog-tiles, "Partial
 * Tiles").
 */
#ifndef SIM_LOG_H
#define SIM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_key.h"
#include "sim_tree.h"

/* Results of the query functions; sim_http.c maps them to HTTP status. */
enum sim_status {
	SIM_OK = 0,
	SIM_EINVAL = -1,	/* bad parameter or out of range: 400 */
	SIM_ENOTFOUND = -2,	/* no such leaf hash in that tree: 404 */
	SIM_EFAIL = -3,		/* out of memory or OpenSSL failure: 500 */
};

enum sim_mode {
	SIM_MODE_NORMAL = 0,
	SIM_MODE_BAD_SIG,
	SIM_MODE_FORK,
	SIM_MODE_BAD_PROOF,
	SIM_MODE_ERROR,
	SIM_MODE_BAD_JSON,
	SIM_MODE_ROLLBACK,
	SIM_MODE_SLOW,
	SIM_MODE_DOWN,
	SIM_MODE_BAD_KEYID,
	SIM_MODE_BAD_TILE,
	SIM_MODE_BAD_DATA,
	SIM_MODE_GARBAGE,
	SIM_MODE_BAD_GZIP,
	SIM_MODE_HOLD,
	SIM_MODE_EXT_LINE,
	SIM_MODE_SPLIT,
	SIM_MODE_NO_PARTIAL,
};

/* Which tree a query is answered from; SIM_VIEW_SPLIT outside mode split
 * is the real view. */
enum sim_view {
	SIM_VIEW_REAL = 0,
	SIM_VIEW_SPLIT,
};

/* Most entries one sim_log_grow() call appends. */
#define SIM_LOG_GROW_MAX UINT64_C(10000000)
/* Longest slow=<ms> delay, and longest hold. */
#define SIM_LOG_SLOW_MAX 60000u

struct sim_sth {
	uint64_t tree_size;
	uint64_t timestamp;	/* ms since the epoch */
	uint8_t root[SIM_HASH_LEN];
	uint8_t sig[SIM_KEY_SIG_MAX];	/* DigitallySigned */
	size_t sig_len;
};

struct sim_log;

/*
 * Create an empty log for the seed and publish the empty tree's STH.
 * @param seed: key and certificate seed (NUL-terminated).
 * @return: the log, caller frees with sim_log_free(); NULL on failure.
 */
struct sim_log *sim_log_new(const char *seed);

/*
 * Keep the bytes of entries [0, n) once built (sim_entries_cache()): for
 * benchmarks. Call before sim_log_grow().
 * @param eager_json: also build their get-entries text as they are
 *	generated (a log serving RFC 6962 readers); else on first use.
 * @return: SIM_OK; SIM_EFAIL when out of memory.
 */
int sim_log_cache_entries(struct sim_log *log, uint64_t n, bool eager_json);

/*
 * Release the log; NULL is a no-op. No other thread may use it any more.
 * @param log: the log.
 */
void sim_log_free(struct sim_log *log);

/*
 * Append n entries and publish a new STH.
 * @param log: the log.
 * @param n: 1 .. SIM_LOG_GROW_MAX.
 * @return: SIM_OK; SIM_EINVAL when n is out of range or the tree would
 *	exceed SIM_TREE_MAX_SIZE; SIM_EFAIL (some entries may be appended).
 */
int sim_log_grow(struct sim_log *log, uint64_t n);

/*
 * Switch mode and publish a new STH.
 * @param log: the log.
 * @param spec: "normal", "bad-sig", "fork", "bad-proof", "error",
 *	"bad-json", "rollback", "hold", "down", "bad-keyid", "bad-tile",
 *	"bad-data", "garbage", "bad-gzip", "ext-line", "split",
 *	"no-partial" or "slow=<ms>" (decimal, <= SIM_LOG_SLOW_MAX).
 * @return: SIM_OK; SIM_EINVAL for an unknown spec, or fork on an empty
 *	log; SIM_EFAIL when signing fails (mode unchanged).
 */
int sim_log_set_mode(struct sim_log *log, const char *spec);

/*
 * The current mode.
 * @param log: the log.
 * @param slow_ms: set to the delay of slow mode (0 otherwise); may be NULL.
 * @return: the mode.
 */
enum sim_mode sim_log_mode(struct sim_log *log, unsigned *slow_ms);

/*
 * Delay a request as the mode it read says: slow=<ms> sleeps ms; hold
 * waits until the mode is no longer hold (polled every few ms), at most
 * SIM_LOG_SLOW_MAX ms; any other mode returns at once.
 * @param log: the log.
 * @param mode: the mode the request read (sim_log_mode()).
 * @param slow_ms: the delay of slow mode.
 */
void sim_log_delay(struct sim_log *log, enum sim_mode mode, unsigned slow_ms);

/*
 * The mode's name as sim_log_set_mode() takes it (without "=<ms>").
 * @param mode: the mode.
 * @return: a static string.
 */
const char *sim_log_mode_name(enum sim_mode mode);

/*
 * Number of entries held (the real tree size, whatever is published).
 * @param log: the log.
 * @return: the count.
 */
uint64_t sim_log_size(struct sim_log *log);

/*
 * The published STH as get-sth serves it (bad-sig applied).
 * @param log: the log.
 * @param view: the view.
 * @param out: the STH.
 */
void sim_log_sth(struct sim_log *log, enum sim_view view,
    struct sim_sth *out);

/*
 * Whether a split runs, and where it started.
 * @param log: the log.
 * @param at_out: set to the split point (real tree size at the split) when
 *	a split runs; may be NULL.
 * @return: true in mode split.
 */
bool sim_log_split_at(struct sim_log *log, uint64_t *at_out);

/*
 * get-sth-consistency: PROOF(first, second) over the served tree.
 * @param log: the log.
 * @param view: the view.
 * @param first: 0 < first <= second.
 * @param second: <= the published tree size.
 * @param out: the proof (empty when first == second).
 * @return: SIM_OK; SIM_EINVAL when the sizes are out of range.
 */
int sim_log_consistency(struct sim_log *log, enum sim_view view,
    uint64_t first, uint64_t second, struct sim_proof *out);

/*
 * get-proof-by-hash: leaf index and audit path of a leaf hash.
 * @param log: the log.
 * @param view: the view.
 * @param hash: the leaf hash.
 * @param tree_size: 1 .. the published tree size.
 * @param idx_out: set to the leaf index.
 * @param out: the audit path.
 * @return: SIM_OK; SIM_EINVAL for a bad tree_size; SIM_ENOTFOUND when the
 *	served tree of that size does not hold the hash.
 */
int sim_log_proof_by_hash(struct sim_log *log, enum sim_view view,
    const uint8_t hash[SIM_HASH_LEN], uint64_t tree_size, uint64_t *idx_out,
    struct sim_proof *out);

/*
 * get-entry-and-proof: the leaf and its audit path.
 * @param log: the log.
 * @param view: the view.
 * @param idx: leaf index, < tree_size.
 * @param tree_size: <= the published tree size.
 * @param leaf_out: set to the MerkleTreeLeaf; caller frees with free().
 * @param leaf_len: set to its length.
 * @param out: the audit path.
 * @return: SIM_OK; SIM_EINVAL when out of range; SIM_EFAIL.
 */
int sim_log_entry_and_proof(struct sim_log *log, enum sim_view view,
    uint64_t idx,
    uint64_t tree_size, uint8_t **leaf_out, size_t *leaf_len,
    struct sim_proof *out);

/*
 * get-entries' whole body, {"entries":[...]}, for the same range as
 * sim_log_entries(), from the entries kept by --cache-entries
 * (sim_log_cache_entries): a copy of each entry's text, no signature and
 * no JSON tree (the sim must not bound a mirror's benchmark).
 * @param body: set to the text (not NUL-terminated); caller frees.
 * @param body_len: set to its length.
 * @return: SIM_OK; SIM_ENOTFOUND when an entry of the range is not kept
 *	(beyond the cache, or a fork variant): build it with
 *	sim_log_entries(); SIM_EINVAL when out of range; SIM_EFAIL.
 */
int sim_log_entries_json(struct sim_log *log, enum sim_view view,
    uint64_t start, uint64_t end, size_t max, char **body, size_t *body_len);

/*
 * get-entries: the leaves start .. end (inclusive), at most max of them
 * and none beyond the published tree.
 * @param log: the log.
 * @param view: the view.
 * @param start: first index, < the published tree size.
 * @param end: last index wanted, >= start.
 * @param max: most leaves to return (>= 1).
 * @param leaves: room for max pointers; each set to a MerkleTreeLeaf the
 *	caller frees with free().
 * @param lens: room for max lengths.
 * @param count: set to the number of leaves returned (>= 1 on SIM_OK).
 * @return: SIM_OK; SIM_EINVAL when out of range; SIM_EFAIL (nothing to
 *	free).
 */
int sim_log_entries(struct sim_log *log, enum sim_view view,
    uint64_t start, uint64_t end, size_t max, uint8_t **leaves,
    size_t *lens, size_t *count);

/*
 * A leaf of the real tree (test control: /sim/leaf), whatever the mode.
 * @param log: the log.
 * @param idx: < sim_log_size().
 * @param hash_out: the leaf hash.
 * @param leaf_out: set to the MerkleTreeLeaf; caller frees with free().
 * @param leaf_len: set to its length.
 * @return: SIM_OK; SIM_EINVAL when out of range; SIM_EFAIL.
 */
int sim_log_real_leaf(struct sim_log *log, uint64_t idx,
    uint8_t hash_out[SIM_HASH_LEN], uint8_t **leaf_out, size_t *leaf_len);

/*
 * The root of the real tree of any size (test control: /sim/sth).
 * @param log: the log.
 * @param size: <= sim_log_size().
 * @param out: the root.
 * @return: SIM_OK; SIM_EINVAL when size is beyond the tree.
 */
int sim_log_real_root(struct sim_log *log, uint64_t size,
    uint8_t out[SIM_HASH_LEN]);

/*
 * The root of the split view's tree of any size (test control: /sim/sth
 * with view=split).
 * @param log: the log.
 * @param size: <= sim_log_size().
 * @param out: the root.
 * @return: SIM_OK; SIM_EINVAL when size is beyond the tree;
 *	SIM_ENOTFOUND when no split runs.
 */
int sim_log_split_root(struct sim_log *log, uint64_t size,
    uint8_t out[SIM_HASH_LEN]);

/*
 * Append a submitted entry, merge it and publish a new STH.
 * @param log: the log.
 * @param leaf: its MerkleTreeLeaf (RFC 6962 section 3.4); copied.
 * @param idx_off: SIZE_MAX, or the offset in leaf of a 5-byte big-endian
 *	field that is set to the entry's index (the static-ct-api leaf_index
 *	extension) before the leaf is hashed and stored; the caller's leaf is
 *	updated too, so it can sign what was appended.
 * @param extra: its extra_data for get-entries (section 4.6); copied.
 * @param idx_out: set to its leaf index.
 * @return: SIM_OK; SIM_EFAIL (out of memory, tree full, signing).
 */
int sim_log_append_leaf(struct sim_log *log, uint8_t *leaf,
    size_t leaf_len, size_t idx_off, const uint8_t *extra, size_t extra_len,
    uint64_t *idx_out);

/*
 * extra_data of entry idx in a view: a submitted entry's own, else (and
 * for the fork variants of the split view) the synthetic entries' chain.
 * @param log: the log.
 * @param view: the view.
 * @param idx: the entry.
 * @param out: set to a copy; caller frees with free().
 * @param out_len: set to its length.
 * @return: SIM_OK; SIM_EFAIL.
 */
int sim_log_extra(struct sim_log *log, enum sim_view view, uint64_t idx,
    uint8_t **out, size_t *out_len);

/*
 * The index of the k-th submitted entry (add-chain, add-pre-chain).
 * @param log: the log.
 * @param k: 0 for the first submission.
 * @param idx_out: set to its leaf index.
 * @return: true; false when there are not that many submissions.
 */
bool sim_log_sub_idx(struct sim_log *log, size_t k, uint64_t *idx_out);

/*
 * Whether a tile of a view's served tree may be served, and its hashes:
 * the full tile (width 256) once the view's served STH covers it; a
 * partial tile only when some STH the view published had exactly that
 * many hashes on that level in that tile, and the served STH still covers
 * them.
 * @param log: the log.
 * @param view: the view.
 * @param level: tile level 0 .. 5 (hashes are subtrees of 256^level
 *	leaves; levels 4 and 5 never complete below SIM_TREE_MAX_SIZE).
 * @param n: tile index on that level.
 * @param width: 1 .. 256.
 * @param out: room for width hashes (fork view applied), or NULL to only
 *	check.
 * @return: SIM_OK; SIM_ENOTFOUND when no such tile is served.
 */
int sim_log_tile(struct sim_log *log, enum sim_view view, unsigned level,
    uint64_t n, unsigned width, uint8_t *out);

/*
 * Sign msg with the log key as a DigitallySigned (sim_key_sign()).
 * @param out: room for SIM_KEY_SIG_MAX bytes.
 * @return: SIM_OK; SIM_EFAIL.
 */
int sim_log_sign(struct sim_log *log, const uint8_t *msg, size_t msg_len,
    uint8_t *out, size_t *out_len);

/*
 * The log's public key, DER SubjectPublicKeyInfo.
 * @return: borrowed; valid until sim_log_free().
 */
const uint8_t *sim_log_spki(struct sim_log *log, size_t *len_out);

/*
 * extra_data of every entry (TLS certificate_chain).
 * @return: borrowed; valid until sim_log_free().
 */
const uint8_t *sim_log_chain(struct sim_log *log, size_t *len_out);

/*
 * The DER root certificate served by get-roots.
 * @return: borrowed; valid until sim_log_free().
 */
const uint8_t *sim_log_root_cert(struct sim_log *log, size_t *len_out);

#endif /* SIM_LOG_H */
