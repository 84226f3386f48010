/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_tile.c -- the store's tiles: a complete aligned tile of 256
 * leaves kept as one value (its leaf hashes and the nodes above them),
 * and the leaf index keyed by a hash prefix.
 *
 * Why tiles: a store of one record per Merkle node and one per leaf hash
 * took about 290 bytes per leaf (two 56-byte range records and a 48-byte
 * index record, in B-trees 60 to 70 % full), and its random-key inserts
 * were the mirror's bound. A tile value is 383 hashes in exactly three
 * overflow pages (48 bytes per leaf, no B-tree slack), written once, and
 * serves every node of height 0 to 8 inside it with one lookup (height 1
 * costs one SHA-256 of two leaf hashes: the 128 nodes that would not fit
 * the third page).
 *
 * Invariants (store.h, "Layout"): a tile is written only when all its 256
 * leaf hashes are verified (from one proved set, or a set and the level-0
 * ranges stored before); it is never rewritten; when it is written, the
 * ranges of "r/" that are nodes inside it are compared with it and
 * deleted, so a node inside a stored tile lives in the tile alone. Ranges
 * inside a tile that are not nodes of it (the right edge of an older tree
 * size) stay in "r/".
 *
 * The leaf index key is the first 8 bytes of the leaf hash and the index;
 * its value is empty. A lookup reads every key with the hash's prefix, in
 * index order, and takes the first whose level-0 hash (in its tile or in
 * "r/") is the whole hash, so two leaves sharing a prefix, or one entry
 * logged twice, are both kept and the smallest index wins.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "leafkey.h"
#include "merkle.h"
#include "proved.h"
#include "store.h"
#include "store_int.h"

/* The first hash of height h >= 2 in a tile value: 256 level-0 hashes,
 * then 64 of height 2, 32 of height 3, and so on. */
static size_t
height_offset(unsigned h)
{
	return 3 * STORE_TILE_LEAVES / 2 - (2 * STORE_TILE_LEAVES >> h);
}

bool
store__tile_node(uint64_t begin, uint64_t end, uint64_t *tile,
    unsigned *height, unsigned *pos)
{
	if (begin >= end) {
		return false;
	}
	uint64_t n = end - begin;
	if (n > STORE_TILE_LEAVES || (n & (n - 1)) != 0 ||
	    (begin & (n - 1)) != 0) {
		return false;
	}
	*height = (unsigned)__builtin_ctzll(n);
	*tile = begin >> STORE_TILE_HEIGHT;
	*pos = (unsigned)((begin & (STORE_TILE_LEAVES - 1)) >> *height);
	return true;
}

void
store__tile_hash(const uint8_t *val, unsigned height, unsigned pos,
    uint8_t out[MERKLE_HASH_LEN])
{
	if (height == 1) {
		merkle_node_hash(val + 2 * pos * MERKLE_HASH_LEN,
		    val + (2 * pos + 1) * MERKLE_HASH_LEN, out);
		return;
	}
	size_t at = height == 0 ? pos : height_offset(height) + pos;
	memcpy(out, val + at * MERKLE_HASH_LEN, MERKLE_HASH_LEN);
}

int
store__tile_get(MDB_txn *txn, const struct store_log *l, uint64_t tile,
    MDB_val *val)
{
	uint8_t k[8];
	MDB_val key = { sizeof k, k };

	put_be64(k, tile);
	int rc = mdb_get(txn, l->tiles, &key, val);
	if (rc != 0) {
		return err_from_mdb(rc);
	}
	return val->mv_size == STORE_TILE_LEN ? CTD_OK : CTD_ESTORE;
}

/* The tile value of 256 leaf hashes (val: STORE_TILE_LEN bytes). */
static void
tile_build(const uint8_t *leaves, uint8_t *val)
{
	uint8_t h1[STORE_TILE_LEAVES / 2 * MERKLE_HASH_LEN];
	const uint8_t *below = h1;

	memcpy(val, leaves, (size_t)STORE_TILE_LEAVES * MERKLE_HASH_LEN);
	for (unsigned i = 0; i < STORE_TILE_LEAVES / 2; i++) {
		merkle_node_hash(leaves + 2 * i * MERKLE_HASH_LEN,
		    leaves + (2 * i + 1) * MERKLE_HASH_LEN,
		    h1 + i * MERKLE_HASH_LEN);
	}
	for (unsigned h = 2; h <= STORE_TILE_HEIGHT; h++) {
		uint8_t *dst = val + height_offset(h) * MERKLE_HASH_LEN;
		for (unsigned i = 0; i < STORE_TILE_LEAVES >> h; i++) {
			merkle_node_hash(below + 2 * i * MERKLE_HASH_LEN,
			    below + (2 * i + 1) * MERKLE_HASH_LEN,
			    dst + i * MERKLE_HASH_LEN);
		}
		below = dst;
	}
}

/* ---- write side ---------------------------------------------------- */

struct lref {
	uint64_t index;
	const uint8_t *hash;
};

/* The 256 level-0 hashes of one tile being assembled. */
struct tile_work {
	uint64_t tile;
	unsigned have;
	bool got[STORE_TILE_LEAVES];
	uint8_t leaves[STORE_TILE_LEAVES * MERKLE_HASH_LEN];
	uint8_t val[STORE_TILE_LEN];
};

static int
lref_cmp(const void *a, const void *b)
{
	const struct lref *x = a, *y = b;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Put one level-0 hash into the work; a different hash for a slot that
 * has one is a contradiction. */
static int
work_add(struct tile_work *w, uint64_t index, const uint8_t *hash)
{
	unsigned slot = (unsigned)(index & (STORE_TILE_LEAVES - 1));
	uint8_t *at = w->leaves + slot * MERKLE_HASH_LEN;

	if (w->got[slot]) {
		return memcmp(at, hash, MERKLE_HASH_LEN) == 0 ? CTD_OK :
		    CTD_EINCONSISTENT;
	}
	memcpy(at, hash, MERKLE_HASH_LEN);
	w->got[slot] = true;
	w->have++;
	return CTD_OK;
}

/* Position c on the first range of "r/" that begins in tile w->tile. */
static int
ranges_seek(MDB_cursor *c, uint64_t tile, MDB_val *key, MDB_val *val)
{
	uint8_t k[16];

	put_be64(k, tile << STORE_TILE_HEIGHT);
	put_be64(k + 8, 0);
	*key = (MDB_val){ sizeof k, k };
	return mdb_cursor_get(c, key, val, MDB_SET_RANGE);
}

/* What walk_ranges() calls for each range [b, e) of "r/" that begins
 * in the tile, with c standing on it: CTD_OK goes on to the next range,
 * anything else stops the walk and is returned. */
typedef int (*range_visit_fn)(MDB_cursor *c, uint64_t b, uint64_t e,
    const uint8_t *hash, struct tile_work *w);

/* Visit the ranges of "r/" that begin in tile w->tile, in key order. */
static int
walk_ranges(MDB_txn *txn, struct store_log *l, struct tile_work *w,
    range_visit_fn visit)
{
	uint64_t end = (w->tile + 1) << STORE_TILE_HEIGHT;
	MDB_cursor *c;
	MDB_val key, val;
	int ret = CTD_OK;
	int mrc = mdb_cursor_open(txn, l->ranges, &c);

	if (mrc != 0) {
		return err_from_mdb(mrc);
	}
	for (mrc = ranges_seek(c, w->tile, &key, &val); mrc == 0;
	    mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (key.mv_size != 16 || val.mv_size != MERKLE_HASH_LEN) {
			ret = CTD_ESTORE;
			break;
		}
		uint64_t b = get_be64(key.mv_data);
		if (b >= end) {
			break;
		}
		ret = visit(c, b, get_be64((uint8_t *)key.mv_data + 8),
		    val.mv_data, w);
		if (ret != CTD_OK) {
			break;
		}
	}
	mdb_cursor_close(c);
	if (ret == CTD_OK && mrc != 0 && mrc != MDB_NOTFOUND) {
		ret = err_from_mdb(mrc);
	}
	return ret;
}

/* Add a level-0 range of "r/" to w (a walk_ranges visit). */
static int
gather_one(MDB_cursor *c, uint64_t b, uint64_t e, const uint8_t *hash,
    struct tile_work *w)
{
	(void)c;
	return e == b + 1 ? work_add(w, b, hash) : CTD_OK;
}

/* Delete a range of "r/" that is a node inside the tile just written,
 * checked against it first (a walk_ranges visit). */
static int
purge_one(MDB_cursor *c, uint64_t b, uint64_t e, const uint8_t *hash,
    struct tile_work *w)
{
	uint64_t tile;
	unsigned h, pos;
	uint8_t mine[MERKLE_HASH_LEN];

	if (e > (w->tile + 1) << STORE_TILE_HEIGHT ||
	    !store__tile_node(b, e, &tile, &h, &pos)) {
		return CTD_OK;
	}
	store__tile_hash(w->val, h, pos, mine);
	if (memcmp(mine, hash, MERKLE_HASH_LEN) != 0) {
		return CTD_EINCONSISTENT;
	}
	/* After a delete the cursor stands on the next record: the walk's
	 * MDB_NEXT then returns that one (LMDB's C_DEL rule). */
	int mrc = mdb_cursor_del(c, 0);
	return mrc == 0 ? CTD_OK : err_from_mdb(mrc);
}

/* Write w's tile (complete) and move the nodes of "r/" inside it there. */
static int
write_tile(struct store_txn *t, struct store_log *l, struct tile_work *w)
{
	uint8_t k[8];
	MDB_val key = { sizeof k, k };
	MDB_val val = { STORE_TILE_LEN, w->val };

	tile_build(w->leaves, w->val);
	put_be64(k, w->tile);
	int rc = err_from_mdb(mdb_put(t->txn, l->tiles, &key, &val,
	    MDB_NOOVERWRITE));
	return rc == CTD_OK ? walk_ranges(t->txn, l, w, purge_one) : rc;
}

/* The leaves g[0..count) of one tile, sorted by index. */
static int
put_group(struct store_txn *t, struct store_log *l, struct tile_work *w,
    const struct lref *g, size_t count)
{
	MDB_val v;
	int rc = store__tile_get(t->txn, l, w->tile, &v);

	if (rc == CTD_OK) {
		for (size_t i = 0; i < count; i++) {
			unsigned slot = (unsigned)(g[i].index &
			    (STORE_TILE_LEAVES - 1));
			if (memcmp((uint8_t *)v.mv_data + slot *
			    MERKLE_HASH_LEN, g[i].hash, MERKLE_HASH_LEN) != 0) {
				return CTD_EINCONSISTENT;
			}
		}
		return CTD_OK;
	}
	if (rc != CTD_ENOTFOUND) {
		return rc;
	}
	w->have = 0;
	memset(w->got, 0, sizeof w->got);
	for (size_t i = 0; i < count; i++) {
		if ((rc = work_add(w, g[i].index, g[i].hash)) != CTD_OK) {
			return rc;
		}
	}
	if (w->have < STORE_TILE_LEAVES &&
	    (rc = walk_ranges(t->txn, l, w, gather_one)) != CTD_OK) {
		return rc;
	}
	if (w->have == STORE_TILE_LEAVES) {
		return write_tile(t, l, w);
	}
	for (size_t i = 0; i < count && t->err == CTD_OK; i++) {
		store_put_range(t, l, g[i].index, g[i].index + 1, g[i].hash);
	}
	return t->err;
}

void
store__put_index(struct store_txn *t, struct store_log *l,
    const uint8_t hash[32], uint64_t index)
{
	uint8_t k[LEAF_KEY_LEN];
	MDB_val key = { sizeof k, k };
	MDB_val val = { 0, NULL };

	if (t->err != CTD_OK) {
		return;
	}
	leaf_key(k, hash, index);
	int rc = mdb_put(t->txn, l->leaves, &key, &val, MDB_NOOVERWRITE);
	/* The same leaf at the same index again: nothing to do. */
	store__fail(t, rc == MDB_KEYEXIST ? CTD_OK : err_from_mdb(rc));
}

/* Whether key sorts after the last key of c's table (or it is empty). */
static bool
all_after_last(MDB_cursor *c, const MDB_val *key)
{
	MDB_val last, none;

	if (mdb_cursor_get(c, &last, &none, MDB_LAST) != MDB_SUCCESS) {
		return true;
	}
	size_t len = last.mv_size < key->mv_size ? last.mv_size :
	    key->mv_size;
	int cmp = memcmp(last.mv_data, key->mv_data, len);
	return cmp < 0 || (cmp == 0 && last.mv_size < key->mv_size);
}

/*
 * The index keys (sorted here, in key order: leafkey.h), through one
 * cursor: leaf hashes are uniformly random, so in index order each put
 * descends the B-tree from its root to a page far from the last; in key
 * order the cursor's next key is mostly on the page it is on or the
 * next, and LMDB skips the descent.
 */
void
store_put_index(struct store_txn *t, struct store_log *l,
    struct leafkey *keys, size_t n)
{
	uint8_t k[LEAF_KEY_LEN];
	MDB_val key = { sizeof k, k }, val = { 0, NULL };
	MDB_cursor *c;
	unsigned flags = MDB_NOOVERWRITE;
	int rc;

	if (t->err != CTD_OK || n == 0) {
		return;
	}
	if ((rc = leafkey_sort(keys, n)) != CTD_OK) {
		store__fail(t, rc);
		return;
	}
	if ((rc = mdb_cursor_open(t->txn, l->leaves, &c)) != MDB_SUCCESS) {
		store__fail(t, err_from_mdb(rc));
		return;
	}
	leafkey_bytes(k, &keys[0]);
	if (all_after_last(c, &key)) {
		/* Past the table's last key (a fresh index): appended, its
		 * pages filled whole instead of split in halves. */
		flags = MDB_APPEND;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && keys[i].prefix == keys[i - 1].prefix &&
		    keys[i].index == keys[i - 1].index) {
			continue;	/* MDB_APPEND takes no duplicate */
		}
		leafkey_bytes(k, &keys[i]);
		rc = mdb_cursor_put(c, &key, &val, flags);
		/* The same leaf at the same index again: nothing to do. */
		if (rc != MDB_SUCCESS && rc != MDB_KEYEXIST) {
			store__fail(t, err_from_mdb(rc));
			break;
		}
	}
	mdb_cursor_close(c);
}

/* The index keys of p's leaves. */
static void
put_leaf_keys(struct store_txn *t, struct store_log *l, const struct proved *p)
{
	struct leafkey *keys;

	if ((keys = malloc(p->leaf_count * sizeof *keys)) == NULL) {
		store__fail(t, CTD_ENOMEM);
		return;
	}
	for (size_t i = 0; i < p->leaf_count; i++) {
		keys[i] = leafkey_of(p->leaves[i].hash, p->leaves[i].index);
	}
	store_put_index(t, l, keys, p->leaf_count);
	free(keys);
}

void
store__put_leaves(struct store_txn *t, struct store_log *l,
    const struct proved *p)
{
	size_t n = p->leaf_count;
	struct lref *refs = NULL;
	struct tile_work *w = NULL;

	if (n == 0 || t->err != CTD_OK) {
		return;
	}
	if ((refs = malloc(n * sizeof *refs)) == NULL ||
	    (w = malloc(sizeof *w)) == NULL) {
		store__fail(t, CTD_ENOMEM);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		refs[i] = (struct lref){ p->leaves[i].index,
			p->leaves[i].hash };
	}
	qsort(refs, n, sizeof *refs, lref_cmp);
	for (size_t i = 0, j; i < n && t->err == CTD_OK; i = j) {
		w->tile = refs[i].index >> STORE_TILE_HEIGHT;
		for (j = i; j < n && refs[j].index >> STORE_TILE_HEIGHT ==
		    w->tile; j++) {
		}
		store__fail(t, put_group(t, l, w, refs + i, j - i));
	}
	if (!p->index_later) {
		put_leaf_keys(t, l, p);
	}
out:
	free(w);
	free(refs);
}
