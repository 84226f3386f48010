/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.h -- the LMDB store of verified CT data: range hashes, leaf index,
 * STH history.
 *
 * The store never holds proofs (docs/design.md, "the one idea"). It holds
 * what proofs are made of: the Merkle tree hash of leaf ranges [begin, end),
 * the index of each known leaf hash, and every verified STH. Only verified
 * data is written; the answer path reads and never verifies.
 *
 * Layout (STORE_FORMAT 2). One LMDB environment (dir/data.mdb,
 * dir/lock.mdb). Per log, named by the first 16 hex digits of its 32-byte
 * log ID (the SHA-256 of its key), four named databases:
 *   tiles   "t/<hex16>"  key tile number(8)   value 383 hashes (12256 B)
 *   ranges  "r/<hex16>"  key begin(8) end(8)  value hash(32)
 *   leaves  "l/<hex16>"  key leaf hash's first 8 bytes, index(8)
 *                                              value empty
 *   STHs    "s/<hex16>"  key tree_size(8)     value timestamp(8) root(32)
 *                                                   sig_len(2) sig
 * A tile is the complete aligned run of 256 leaves [256 t, 256 t + 256)
 * with every node above them up to its root (heights 0 to 8) but those
 * of height 1: 256 leaf hashes, then 64 of height 2, 32, ..., 1 (in 3
 * LMDB overflow pages; a height-1 node is one SHA-256 of two leaves). It
 * is written, by store_put_proved(), once all its 256 leaf hashes are
 * verified, and a node inside a stored tile is read from it and lives
 * nowhere else. "r/" holds every other verified range: nodes above
 * height 8, nodes of tiles not complete or not stored, and ranges that
 * are no aligned subtree (the right edge of a tree). The leaf index has
 * one key per (leaf, index) and no value: a lookup takes the keys with
 * the hash's prefix in index order and answers the first whose level-0
 * hash (stored with it, in its tile or in "r/") is the whole hash.
 * About 48 bytes per leaf for the tiles and 32 to 50 for the index, where
 * format 1 (one record per node and a 32-byte-key index) took about 290.
 * All integers are big-endian, so LMDB's byte order is numeric order: the
 * latest STH is the last key of "s/". A "meta" database holds "format"
 * (uint32 BE, STORE_FORMAT; a store of another format is refused with
 * CTD_EFORMAT, to be moved away and rebuilt from the logs) and, per log,
 * "log/<hex16>" = the full log ID, so two logs whose IDs share 64 bits are
 * refused rather than mixed, and "c/<hex16>" = N (uint64 BE): every leaf
 * of [0, N) is in the leaf index and its level-0 hash is stored (a
 * mirror's progress; only ever raised, absent means 0). Per origin a
 * witness cosigned (witness.h), "w/<hex SHA-256(origin)>" (64 lowercase
 * hex digits) = size(8) root(32) then the checkpoint note as cosigned
 * (store_witness.c).
 *
 * Overwrites. Verified data never changes, so rewriting a record with the
 * same value is a no-op. A range with a different hash means a forked log
 * or a bug: the transaction fails with CTD_EINCONSISTENT (a node inside
 * a stored tile is compared with the tile). A leaf hash seen at a second
 * index is not a contradiction (a log may hold the same entry twice, and
 * both indices verified); both are kept and a lookup gives the smaller
 * one, so that every instance converges on the same answer. An STH for a
 * known tree size with another root is CTD_EINCONSISTENT; with the same
 * root, the one with the newer timestamp is kept (logs re-sign the same
 * tree).
 *
 * LMDB caveats that apply (read these before using the store):
 *  - Do not fork with the environment open, and do not open the same store
 *    twice in one process: LMDB's locks are per process and would be lost.
 *    Daemonize first, then store_open().
 *  - The environment is opened with MDB_NOTLS: a read transaction belongs to
 *    its struct store_reader, not to a thread. Each worker thread keeps one
 *    reader and reuses it with store_read_begin()/store_read_end()
 *    (mdb_txn_renew/mdb_txn_reset). A reader must never be used by two
 *    threads at once. Each reader holds one slot of LMDB's reader table
 *    (126 by default) for its whole life, until store_reader_deinit().
 *  - Keep read snapshots short: begin, look up, copy out, end, all within
 *    one query. Never hold a snapshot across a libuv callback; an open
 *    snapshot pins old pages and makes the file grow. The one exception,
 *    bounded in time: a worker's held answer reader (store_read_hold).
 *  - Writes: one write transaction at a time, begun, filled and committed
 *    on one thread (LMDB's writer lock belongs to that thread), and kept
 *    short: it blocks every other writer, never a reader. The daemon's
 *    writes go through the writer thread (writer.h), which groups many
 *    proved sets into one transaction, one nested transaction per set.
 *    A write transaction begun on another thread meanwhile (store_log_open
 *    at startup or reload) simply waits for LMDB's write lock.
 *  - Map size policy: the map size is fixed at store_open() (from the
 *    configuration). When it is full, the write fails with CTD_ESPACE, the
 *    whole transaction is dropped, and the daemon reports it and goes on
 *    serving what is stored; the operator raises the map size and restarts.
 *    The store never grows the map by itself (that needs every transaction
 *    of the process to be closed).
 *  - Copy values out before the transaction ends. Every getter here copies
 *    into caller memory; no pointer into the map ever leaves store.c.
 *  - store_log_open() opens LMDB database handles in a write transaction of
 *    its own and commits it before it returns. Call it from one thread
 *    only (the main loop's), while the writer thread runs or not: LMDB's
 *    write lock orders it with the writer's groups, and every transaction
 *    begun after it returns (the writer's next group, a reader's next
 *    snapshot) has the new handles. A reader must not use the log's handle
 *    in a snapshot begun before store_log_open() returned, and the handle
 *    reaches another thread only through a lock (the writer's queue, the
 *    workers' messages). It may block the caller for one group commit.
 *
 * The store does not log; callers log once, with the log's name.
 */
#ifndef CTD_STORE_H
#define CTD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <lmdb.h>

#include "sth.h"

/* On-disk format version kept in meta "format". */
#define STORE_FORMAT 2
/* How many logs one store can hold (four databases each). */
#define STORE_MAX_LOGS 64
/* Map size used when store_open() is given 0. */
#define STORE_MAP_SIZE_DEFAULT ((uint64_t)1 << 30)

struct store;
struct store_log;

/*
 * A reusable read transaction, one per worker thread (MDB_NOTLS).
 * txn: the LMDB read transaction, reset between uses.
 * err: the first hard error (not CTD_ENOTFOUND) since store_read_begin().
 */
struct store_reader {
	MDB_txn *txn;
	struct store *store;
	int err;
	/* One cursor per log's ranges, opened once and renewed with each
	 * snapshot (store_get_ranges); gen tells which are current. */
	uint64_t gen;
	MDB_cursor *cursors[STORE_MAX_LOGS];
	uint64_t cursor_gen[STORE_MAX_LOGS];
	/* The same for each log's leaf index (store_get_leaf). */
	MDB_cursor *leaf_cursors[STORE_MAX_LOGS];
	uint64_t leaf_cursor_gen[STORE_MAX_LOGS];
	/* begun: a snapshot is taken; held: store_read_hold() is in force,
	 * so store_read_end() keeps the snapshot for the next begin. */
	bool begun, held;
};

/*
 * A write transaction with a sticky error (the Knot knot_lmdb_txn idea):
 * the first failure is kept in err, later puts do nothing, and commit turns
 * into abort. Check once, at store_txn_commit().
 * parent: the enclosing transaction of a nested one
 *	(store_txn_begin_nested), NULL otherwise.
 */
struct store_txn {
	MDB_txn *txn;
	struct store *store;
	struct store_txn *parent;
	int err;
};

/*
 * Open (or create) the store in a directory.
 * @param dir: the directory; created with mode 0700 when missing (its
 *	parent must exist). Borrowed; not kept.
 * @param map_size: the LMDB map size in bytes, the most the store may hold;
 *	0 for STORE_MAP_SIZE_DEFAULT. A store that already holds more
 *	opens with a map just big enough for what it holds (LMDB's rule), so
 *	its next writes may be CTD_ESPACE.
 * @param out: set to the store on success; caller frees with store_close().
 * @return: CTD_OK; -errno for system errors (CTD_EIO, -EACCES, -ENOENT,
 *	-ENOTDIR, CTD_ENOMEM, ...); CTD_EFORMAT when dir holds a store of
 *	another STORE_FORMAT; CTD_ECONF when it holds an LMDB environment
 *	that is not a ctdns store (or a malformed format record);
 *	CTD_ESTORE when LMDB fails otherwise (corrupt file, version mismatch).
 *	The caller logs.
 */
int store_open(const char *dir, uint64_t map_size, struct store **out);

/*
 * Close the store and free it, with every struct store_log it handed out.
 * All readers must be deinitialized and all write transactions ended.
 * @param s: the store, or NULL (no-op).
 */
void store_close(struct store *s);

/*
 * Open (or create) one log's databases. Opening the same log ID again
 * returns the same handle. Call from the main thread, even while the
 * writer thread runs (see the caveats above), before readers use the log.
 * @param s: the store.
 * @param log_id: the log's 32-byte ID (SHA-256 of its DER public key).
 * @param out: set to the handle; borrowed, valid until store_close().
 * @return: CTD_OK; CTD_EBUSY when STORE_MAX_LOGS logs are open already;
 *	CTD_ECONF when another log ID with the same first 64 bits is stored;
 *	CTD_ESPACE when the map is full; CTD_ESTORE or -errno otherwise.
 */
int store_log_open(struct store *s, const uint8_t log_id[32],
    struct store_log **out);

/*
 * The log ID a handle was opened with.
 * @return: 32 bytes, borrowed; valid until store_close().
 */
const uint8_t *store_log_id(const struct store_log *l);

/*
 * Count the records of one log, each from a fresh snapshot (mdb_stat).
 * Takes a reader slot for the duration; not for the per-query path.
 * @param ranges, leaves, sths: set to the counts; each may be NULL.
 *	ranges counts the records of "r/" and 511 per stored tile (the
 *	nodes it serves); leaves counts (hash, index) pairs.
 * @return: CTD_OK; CTD_EBUSY when the reader table is full; CTD_ESTORE.
 */
int store_stats(struct store *s, struct store_log *l, uint64_t *ranges,
    uint64_t *leaves, uint64_t *sths);

/* ---- read side: the hot path ---------------------------------------- */

/*
 * Set up a reader on caller memory (allocates the LMDB transaction once
 * and takes a reader table slot). The reader starts ended.
 * @param s: the store; must outlive the reader.
 * @param r: caller memory; release with store_reader_deinit().
 * @return: CTD_OK; CTD_EBUSY when LMDB's reader table is full; CTD_ENOMEM;
 *	CTD_ESTORE.
 */
int store_reader_init(struct store *s, struct store_reader *r);

/*
 * Release a reader (ended or not). A zeroed or deinitialized reader is a
 * no-op.
 */
void store_reader_deinit(struct store_reader *r);

/*
 * Take a fresh snapshot: every commit finished before this call is seen,
 * nothing committed later is. No allocation.
 * @return: CTD_OK; CTD_EINVAL when the reader is already begun or not
 *	initialized; CTD_ESTORE.
 */
int store_read_begin(struct store_reader *r);

/* Release the snapshot; the reader can be begun again. Idempotent.
 * A held reader (store_read_hold) keeps it instead. */
void store_read_end(struct store_reader *r);

/*
 * Keep the snapshot between reads while it is still the newest: until
 * store_read_release(), store_read_end() keeps the snapshot, and
 * store_read_begin() reuses it (and its cursors) when no commit has
 * finished since it was taken, else takes a fresh one, so a begin still
 * sees every commit finished before it. Renewing a snapshot costs LMDB a
 * pass over every open database (four per log: about 0.5 us a query
 * with 50 logs, docs/performance.md), and each database's first use in a
 * snapshot a search by name; a kept snapshot pays these once. A kept
 * snapshot pins the pages of later commits until the next begin or the
 * release: whoever holds a reader must release it at a bounded interval
 * (a worker does every WORKER_SNAPSHOT_MS) and before idling for long.
 * @param r: an initialized reader.
 */
void store_read_hold(struct store_reader *r);

/*
 * Drop a held reader's kept snapshot now (if one was taken); the hold
 * stays in force, so the next begin takes a fresh one. Idempotent.
 */
void store_read_release(struct store_reader *r);

/*
 * Look up the hash of the leaf range [begin, end). The reader must be begun.
 * @param out: set to the 32-byte hash (copied) on CTD_OK.
 * @return: CTD_OK; CTD_ENOTFOUND; CTD_EINVAL when begin >= end;
 *	CTD_ESTORE when the record is corrupt or LMDB fails.
 */
int store_get_range(struct store_reader *r, struct store_log *l,
    uint64_t begin, uint64_t end, uint8_t out[32]);

struct merkle_range;

/*
 * Look up several ranges in one snapshot, the way a proof answer needs
 * them. They are visited in key order through one cursor, so that ranges
 * on the same B-tree page (a path's lower nodes) cost no new descent.
 * @param ranges: count ranges, in any order.
 * @param out: count * 32 bytes, filled in the order of ranges.
 * @return: CTD_OK, CTD_ENOTFOUND when any is missing, CTD_ESTORE,
 *	CTD_EINVAL (count over 64, or an empty range).
 */
int store_get_ranges(struct store_reader *r, struct store_log *l,
    const struct merkle_range *ranges, size_t count, uint8_t *out);

/*
 * Look up the index of a leaf hash. The reader must be begun.
 * Uses the reader's cursor on the log's index and looks up level-0
 * hashes (store_get_range) to tell leaves sharing a prefix apart.
 * @param index: set on CTD_OK (the smallest index the log holds it at,
 *	among those stored).
 * @return: CTD_OK; CTD_ENOTFOUND; CTD_ESTORE (a corrupt record).
 */
int store_get_leaf(struct store_reader *r, struct store_log *l,
    const uint8_t hash[32], uint64_t *index);

/*
 * Look up the verified STH of one tree size. The reader must be begun.
 * @param out: filled (copied) on CTD_OK.
 * @return: CTD_OK; CTD_ENOTFOUND; CTD_ESTORE when the record is corrupt
 *	(bad length, sig_len beyond STH_SIG_MAX or the value) or LMDB fails.
 */
int store_get_sth(struct store_reader *r, struct store_log *l,
    uint64_t tree_size, struct sth *out);

/*
 * The contiguous-entries marker of a log: every leaf of [0, *n) is in the
 * leaf index and its level-0 range is stored. The reader must be begun.
 * @param n: set on CTD_OK; 0 when no marker is stored.
 * @return: CTD_OK; CTD_ESTORE when the record is corrupt or LMDB fails.
 */
int store_get_contiguous(struct store_reader *r, struct store_log *l,
    uint64_t *n);

/*
 * The verified STH with the largest tree size below a size (the heads a
 * log served before, newest first). The reader must be begun.
 * @param below: only heads of a smaller tree size are considered.
 * @param out: filled (copied) on CTD_OK.
 * @return: CTD_OK; CTD_ENOTFOUND when none is stored; CTD_ESTORE;
 *	CTD_ENOMEM.
 */
int store_sth_below(struct store_reader *r, struct store_log *l,
    uint64_t below, struct sth *out);

/*
 * The verified STH with the largest tree size. The reader must be begun.
 * Opens and closes an LMDB cursor (one allocation): keep the current STH
 * in memory and call this at startup or after a poll, not per query.
 * @param out: filled (copied) on CTD_OK.
 * @return: CTD_OK; CTD_ENOTFOUND when no STH is stored; CTD_ESTORE when
 *	the record is corrupt; CTD_ENOMEM.
 */
int store_latest_sth(struct store_reader *r, struct store_log *l,
    struct sth *out);

/* ---- write side ---------------------------------------------------- */

/*
 * Begin a write transaction. Failure is recorded in t->err and reported by
 * store_txn_commit(); the puts do nothing meanwhile.
 * @param t: caller memory; end with store_txn_commit() or store_txn_abort().
 */
void store_txn_begin(struct store *s, struct store_txn *t);

/*
 * Begin a transaction nested in parent (an LMDB child transaction): what
 * is put in child reaches parent only when store_txn_commit(child)
 * succeeds, and store_txn_abort(child) or a failed commit drops child
 * alone, parent going on. While child is open, parent must not be used;
 * end child before parent. A parent with an error gives a child with
 * that error (its puts do nothing).
 * @param parent: a write transaction begun and not ended.
 * @param child: caller memory; end with store_txn_commit() or
 *	store_txn_abort(). When the child's own commit fails in LMDB (not
 *	one of its puts), parent gets that error too: it cannot commit.
 */
void store_txn_begin_nested(struct store_txn *parent,
    struct store_txn *child);

/*
 * Store the verified hash of the leaf range [begin, end).
 * Sets t->err (when still 0) to CTD_EINVAL when begin >= end,
 * CTD_EINCONSISTENT when the range is stored with another hash,
 * CTD_ESPACE when the map is full, CTD_ESTORE otherwise.
 */
void store_put_range(struct store_txn *t, struct store_log *l,
    uint64_t begin, uint64_t end, const uint8_t hash[32]);

/*
 * Store a verified leaf hash -> index, and its level-0 range [index,
 * index + 1) (whose hash is the leaf hash; store_put_range's rules).
 * A hash stored at another index too is found at the smaller (no error).
 * Tiles are built by store_put_proved() only.
 * Sets t->err to CTD_EINVAL for index UINT64_MAX, CTD_EINCONSISTENT when
 * the level-0 range is stored with another hash, CTD_ESPACE or
 * CTD_ESTORE.
 */
void store_put_leaf(struct store_txn *t, struct store_log *l,
    const uint8_t hash[32], uint64_t index);

struct proved;
struct leafkey;

/*
 * Store n index keys (leafkey.h: hash prefix -> index) of leaves whose
 * level-0 hashes are stored (a proved set written with index_later,
 * proved.h), in key order through one cursor; appended when they all
 * sort after the table's last key. A key already stored is no error.
 * Does not raise the contiguous marker.
 * Sets t->err to CTD_ENOMEM, CTD_ESPACE or CTD_ESTORE.
 * @param keys: borrowed, sorted in place (leafkey_sort); not kept.
 */
void store_put_index(struct store_txn *t, struct store_log *l,
    struct leafkey *keys, size_t n);

/*
 * Store a verified STH. For a tree size already stored, the same root
 * keeps the newer timestamp (and its signature); another root sets
 * CTD_EINCONSISTENT. sig_len above STH_SIG_MAX sets CTD_EINVAL.
 * @param sth: copied.
 */
void store_put_sth(struct store_txn *t, struct store_log *l,
    const struct sth *sth);

/*
 * Raise a log's contiguous-entries marker (meta "c/<hex16>") to n, when
 * the stored marker (0 when none) is at least `from`: the leaves [from, n)
 * are written with it, so [0, n) is whole only if [0, from) was already.
 * Otherwise, and for a stored marker at n or above, nothing changes (no
 * error); n = 0 writes nothing.
 * Sets t->err to CTD_ESTORE when the stored marker is corrupt, CTD_ESPACE
 * when the map is full.
 */
void store_put_contiguous(struct store_txn *t, struct store_log *l,
    uint64_t from, uint64_t n);

/*
 * Write a proved set (proved.h) with the rules above: each leaf's hash ->
 * index (not with index_later: store_put_index later) and its level-0
 * range [index, index + 1) (whose hash is the leaf hash), as a tile for
 * every tile the set's leaves complete (with the level-0 ranges stored
 * before; the tile's nodes then leave "r/"); each range; the STH if any,
 * and its root as the range [0, tree_size) when tree_size > 0; the
 * contiguous marker if any (from its contiguous_from). The
 * first failure stops the set and sets t->err like the puts above (a
 * range or STH that contradicts the store: CTD_EINCONSISTENT). Write a
 * set in a nested transaction to drop it alone on failure.
 * @param p: borrowed; not kept.
 */
void store_put_proved(struct store_txn *t, struct store_log *l,
    const struct proved *p);

/*
 * Commit, or abort when t->err is set. The transaction is over either way.
 * A nested transaction's commit merges it into its parent (durable only
 * with the parent's commit).
 * @return: CTD_OK, or the first error (t->err, or the commit's own:
 *	CTD_ESPACE when the map is full, CTD_ESTORE, -errno). Nothing of a
 *	failed transaction is stored.
 */
int store_txn_commit(struct store_txn *t);

/*
 * Whether the commits that follow may skip the meta page's sync
 * (MDB_NOMETASYNC). LMDB keeps the store consistent either way: a system
 * crash may undo the last relaxed commit, whole, never half of it (a
 * process crash undoes nothing). The next normal commit makes every
 * earlier one durable. Call it only on the thread that writes, between
 * write transactions (LMDB: flags set by two threads at once are
 * undefined; readers never look at this flag).
 * @return: CTD_OK; CTD_EINVAL from LMDB.
 */
int store_set_relaxed(struct store *s, bool relaxed);

/* Drop the transaction and everything put in it. Idempotent; a later
 * store_txn_commit() returns t->err, CTD_ECANCELED when it was 0. */
void store_txn_abort(struct store_txn *t);

/* ---- cosignatures of a head (store_cosig.c) ---------------------------- */

/* Most signature lines held for one head, and their total bytes. */
#define STORE_COSIG_MAX_LINES 32
#define STORE_COSIG_MAX_BYTES (16 * 1024)

/*
 * Keep signature lines for a log's head of one tree size: ctdnsd's own
 * cosignature and its witnesses', each verified by the caller (the store
 * checks their form only). Meta key "k/<hex16>/" || size (8, BE), value
 * root (32) || lines. Merged with what is held: a line with the key name
 * and key ID of a held one replaces it (a newer cosignature by the same
 * key), the others are appended in order.
 * Sets t->err (when still 0) to CTD_EMALF when lines is not a sequence of
 * "— <name> <base64>\n" lines (the base64 holding a key ID and more);
 * CTD_EINCONSISTENT when lines are held for this size with another root;
 * CTD_ERANGE when lines or the merge would pass STORE_COSIG_MAX_LINES or
 * STORE_COSIG_MAX_BYTES (then nothing changes: write in a nested
 * transaction to drop this put alone); CTD_ESTORE for a corrupt record;
 * CTD_ESPACE when the map is full. len = 0 writes nothing.
 * @param root: the head's root hash.
 * @param lines: len bytes, borrowed; not kept.
 */
void store_put_cosigs(struct store_txn *t, struct store_log *l,
    uint64_t size, const uint8_t root[32], const char *lines, size_t len);

/*
 * The signature lines held for a log's head. The reader must be begun.
 * @param root: the head's root: lines held for another root are not its.
 * @param out: room for cap bytes; receives the lines (not NUL-terminated;
 *	STORE_COSIG_MAX_BYTES suffices).
 * @param len: set to their length on CTD_OK.
 * @return: CTD_OK; CTD_ENOTFOUND when none are held for this size, or
 *	they are for another root; CTD_ESPACE when cap is too small;
 *	CTD_ESTORE when the record is corrupt or LMDB fails.
 */
int store_get_cosigs(struct store_reader *r, struct store_log *l,
    uint64_t size, const uint8_t root[32], char *out, size_t cap,
    size_t *len);

/* ---- the witness state (store_witness.c) ---------------------------- */

/* Hex digits of an origin hash in a witness key. */
#define STORE_WITNESS_HEX 64

/*
 * Read the witness state of an origin inside a write transaction (the
 * check-and-persist of witness.c reads and writes in one transaction).
 * @param hex: the lowercase hex SHA-256 of the origin, STORE_WITNESS_HEX
 *	digits and a NUL.
 * @param size, root: set on CTD_OK (copied).
 * @return: CTD_OK; CTD_ENOTFOUND when the origin was never cosigned;
 *	CTD_ESTORE when the record is corrupt; t->err when it is set; any
 *	LMDB failure (also recorded in t->err).
 */
int store_txn_get_witness(struct store_txn *t, const char *hex,
    uint64_t *size, uint8_t root[32]);

/*
 * Record the latest checkpoint cosigned for an origin. A stored state of
 * a larger size, or of the same size with another root, is never
 * replaced: t->err becomes CTD_EINCONSISTENT (the witness checks this
 * before; the store refuses it again so no path can roll a witness back).
 * @param note: the checkpoint note as cosigned (note_len bytes, copied).
 * Sets t->err to CTD_EINVAL for a bad hex or an empty note, CTD_ESPACE,
 * CTD_ESTORE.
 */
void store_put_witness(struct store_txn *t, const char *hex, uint64_t size,
    const uint8_t root[32], const char *note, size_t note_len);

/*
 * Read the witness state of an origin in a read transaction of its own
 * (for the HTTP thread: takes a slot of LMDB's reader table for the
 * call).
 * @param note: room for cap bytes; receives the cosigned note (not
 *	NUL-terminated); NULL to read the size and root alone.
 * @param note_len: set to the note's length on CTD_OK (unless note is
 *	NULL; may then be NULL).
 * @return: CTD_OK; CTD_ENOTFOUND; CTD_ESPACE when the note exceeds cap;
 *	CTD_EBUSY when the reader table is full; CTD_ESTORE.
 */
int store_get_witness(struct store *s, const char *hex, uint64_t *size,
    uint8_t root[32], char *note, size_t cap, size_t *note_len);

#endif /* CTD_STORE_H */
