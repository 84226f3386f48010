/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.c -- the LMDB store of verified CT data: opening, log handles and
 * the read side (see store.h for the layout and the LMDB caveats; the
 * write side is store_write.c).
 *
 * LMDB return codes are translated once, in err_from_mdb() (store_int.h);
 * nothing above the store sees an MDB_* code. Every value read is
 * size-checked before it is copied out, so a corrupt record is
 * CTD_ESTORE, never a crash or a short read. The store does not log:
 * its callers know which log and which query a failure belongs to.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"
#include "merkle.h"
#include "store.h"
#include "store_int.h"

static const char format_key[] = "format";

static void
hex16(const uint8_t id[32], char out[HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < HEX_LEN / 2; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 0xf];
	}
	out[HEX_LEN] = '\0';
}

/* Create or check the meta database and its format record. */
static int
check_format(MDB_txn *txn, MDB_dbi *meta)
{
	MDB_val key = { sizeof format_key - 1, (void *)format_key };
	MDB_val val;
	uint8_t want[4] = { 0, 0, 0, STORE_FORMAT };
	int rc = mdb_dbi_open(txn, "meta", 0, meta);

	if (rc == MDB_NOTFOUND) {
		/* New store, or an LMDB environment of someone else's. */
		MDB_dbi main_dbi;
		MDB_stat st;
		if ((rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) != 0 ||
		    (rc = mdb_stat(txn, main_dbi, &st)) != 0) {
			return err_from_mdb(rc);
		}
		if (st.ms_entries != 0) {
			return CTD_ECONF;
		}
		if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, meta)) != 0) {
			return err_from_mdb(rc);
		}
		val = (MDB_val){ sizeof want, want };
		return err_from_mdb(mdb_put(txn, *meta, &key, &val, 0));
	}
	if (rc == MDB_INCOMPATIBLE) {
		return CTD_ECONF;
	}
	if (rc != 0) {
		return err_from_mdb(rc);
	}
	rc = mdb_get(txn, *meta, &key, &val);
	if (rc == MDB_NOTFOUND) {
		return CTD_ECONF;
	}
	if (rc != 0) {
		return err_from_mdb(rc);
	}
	if (val.mv_size != sizeof want) {
		return CTD_ECONF;
	}
	/* Another version's layout: refused, never read as ours. */
	return memcmp(val.mv_data, want, sizeof want) != 0 ? CTD_EFORMAT :
	    CTD_OK;
}

/* Make the directory unless it exists (as a directory or not: LMDB's
 * open reports a file in the way). */
static int
make_dir(const char *dir)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return -errno;
	}
	return CTD_OK;
}

int
store_open(const char *dir, uint64_t map_size, struct store **out)
{
	struct store *s = NULL;
	MDB_txn *txn = NULL;
	int dead;
	int rc;

	*out = NULL;
	if ((rc = make_dir(dir)) != CTD_OK) {
		return rc;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		return CTD_ENOMEM;
	}
	if ((rc = err_from_mdb(mdb_env_create(&s->env))) != CTD_OK) {
		s->env = NULL;
		goto out;
	}
	if (map_size == 0) {
		map_size = STORE_MAP_SIZE_DEFAULT;
	}
	if ((rc = err_from_mdb(mdb_env_set_mapsize(s->env,
	    (size_t)map_size))) != CTD_OK ||
	    (rc = err_from_mdb(mdb_env_set_maxdbs(s->env,
	    1 + 4 * STORE_MAX_LOGS))) != CTD_OK) {
		goto out;
	}
	if ((rc = err_from_mdb(mdb_env_open(s->env, dir, MDB_NOTLS,
	    0600))) != CTD_OK) {
		goto out;
	}
	/* Free reader slots left by processes that died holding them. */
	(void)mdb_reader_check(s->env, &dead);
	if ((rc = err_from_mdb(mdb_txn_begin(s->env, NULL, 0, &txn))) !=
	    CTD_OK) {
		goto out;
	}
	if ((rc = check_format(txn, &s->meta)) != CTD_OK) {
		goto out;
	}
	rc = err_from_mdb(mdb_txn_commit(txn));
	txn = NULL;
out:
	if (txn != NULL) {
		mdb_txn_abort(txn);
	}
	if (rc != CTD_OK) {
		store_close(s);
		return rc;
	}
	*out = s;
	return CTD_OK;
}

void
store_close(struct store *s)
{
	if (s == NULL) {
		return;
	}
	if (s->env != NULL) {
		mdb_env_close(s->env);
	}
	free(s);
}

/* Record the full log ID under its short name, or check the one there. */
static int
claim_name(MDB_txn *txn, MDB_dbi meta, const struct store_log *l)
{
	char name[NAME_LEN];
	int n = snprintf(name, sizeof name, "log/%s", l->hex);
	MDB_val key = { (size_t)n, name };
	MDB_val val = { sizeof l->id, (void *)l->id };
	int rc = mdb_put(txn, meta, &key, &val, MDB_NOOVERWRITE);

	if (rc == MDB_KEYEXIST) {
		if (val.mv_size != sizeof l->id ||
		    memcmp(val.mv_data, l->id, sizeof l->id) != 0) {
			return CTD_ECONF;
		}
		return CTD_OK;
	}
	return err_from_mdb(rc);
}

static int
open_db(MDB_txn *txn, char kind, const char *hex, MDB_dbi *dbi)
{
	char name[NAME_LEN];

	snprintf(name, sizeof name, "%c/%s", kind, hex);
	return err_from_mdb(mdb_dbi_open(txn, name, MDB_CREATE, dbi));
}

int
store_log_open(struct store *s, const uint8_t log_id[32],
    struct store_log **out)
{
	struct store_log l;
	MDB_txn *txn = NULL;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < s->nlogs; i++) {
		if (memcmp(s->logs[i].id, log_id, sizeof l.id) == 0) {
			*out = &s->logs[i];
			return CTD_OK;
		}
	}
	if (s->nlogs == STORE_MAX_LOGS) {
		return CTD_EBUSY;
	}
	memset(&l, 0, sizeof l);
	memcpy(l.id, log_id, sizeof l.id);
	hex16(log_id, l.hex);
	if ((rc = err_from_mdb(mdb_txn_begin(s->env, NULL, 0, &txn))) !=
	    CTD_OK) {
		return rc;
	}
	if ((rc = claim_name(txn, s->meta, &l)) != CTD_OK ||
	    (rc = open_db(txn, 'r', l.hex, &l.ranges)) != CTD_OK ||
	    (rc = open_db(txn, 'l', l.hex, &l.leaves)) != CTD_OK ||
	    (rc = open_db(txn, 's', l.hex, &l.sths)) != CTD_OK ||
	    (rc = open_db(txn, 't', l.hex, &l.tiles)) != CTD_OK) {
		/* Aborting closes the handles this transaction opened. */
		mdb_txn_abort(txn);
		return rc;
	}
	if ((rc = err_from_mdb(mdb_txn_commit(txn))) != CTD_OK) {
		return rc;
	}
	s->logs[s->nlogs] = l;
	*out = &s->logs[s->nlogs++];
	return CTD_OK;
}

const uint8_t *
store_log_id(const struct store_log *l)
{
	return l->id;
}

int
store_stats(struct store *s, struct store_log *l, uint64_t *ranges,
    uint64_t *leaves, uint64_t *sths)
{
	MDB_txn *txn;
	MDB_stat st[4];
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);

	if (rc != 0) {
		return err_from_mdb(rc);
	}
	if ((rc = mdb_stat(txn, l->ranges, &st[0])) == 0 &&
	    (rc = mdb_stat(txn, l->leaves, &st[1])) == 0 &&
	    (rc = mdb_stat(txn, l->sths, &st[2])) == 0) {
		rc = mdb_stat(txn, l->tiles, &st[3]);
	}
	mdb_txn_abort(txn);
	if (rc != 0) {
		return err_from_mdb(rc);
	}
	if (ranges != NULL) {
		/* Every node of height 0 to 8 of a tile is one it serves. */
		*ranges = st[0].ms_entries + st[3].ms_entries *
		    (2 * STORE_TILE_LEAVES - 1);
	}
	if (leaves != NULL) {
		*leaves = st[1].ms_entries;
	}
	if (sths != NULL) {
		*sths = st[2].ms_entries;
	}
	return CTD_OK;
}

/* ---- read side ----------------------------------------------------- */

int
store_reader_init(struct store *s, struct store_reader *r)
{
	int rc;

	memset(r, 0, sizeof *r);
	r->store = s;
	r->err = CTD_OK;
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &r->txn);
	if (rc != 0) {
		r->txn = NULL;
		return err_from_mdb(rc);
	}
	/* Park it: keeps the transaction and reader slot, drops the
	 * snapshot until store_read_begin(). */
	mdb_txn_reset(r->txn);
	return CTD_OK;
}

void
store_reader_deinit(struct store_reader *r)
{
	for (size_t i = 0; i < STORE_MAX_LOGS; i++) {
		if (r->cursors[i] != NULL) {
			mdb_cursor_close(r->cursors[i]);
			r->cursors[i] = NULL;
		}
		if (r->leaf_cursors[i] != NULL) {
			mdb_cursor_close(r->leaf_cursors[i]);
			r->leaf_cursors[i] = NULL;
		}
	}
	if (r->txn != NULL) {
		mdb_txn_abort(r->txn);
		r->txn = NULL;
	}
}

/* Is the reader's snapshot the last commit? (No commit finished since.) */
static bool
snapshot_current(struct store_reader *r)
{
	MDB_envinfo info;
	return mdb_env_info(r->store->env, &info) == 0 &&
	    info.me_last_txnid == mdb_txn_id(r->txn);
}

int
store_read_begin(struct store_reader *r)
{
	if (r->txn == NULL) {
		return CTD_EINVAL;
	}
	r->err = CTD_OK;
	if (r->held && r->begun) {
		if (snapshot_current(r)) {
			return CTD_OK;	/* nothing newer: keep it, cursors too */
		}
		mdb_txn_reset(r->txn);
		r->begun = false;
	}
	r->gen++;
	/* mdb_txn_renew() returns EINVAL on a transaction not reset. */
	int rc = err_from_mdb(mdb_txn_renew(r->txn));
	r->begun = rc == CTD_OK;
	return rc;
}

void
store_read_end(struct store_reader *r)
{
	if (r->txn != NULL && !r->held) {
		mdb_txn_reset(r->txn);
		r->begun = false;
	}
}

void
store_read_hold(struct store_reader *r)
{
	r->held = true;
}

void
store_read_release(struct store_reader *r)
{
	if (r->txn != NULL && r->begun) {
		mdb_txn_reset(r->txn);
		r->begun = false;
	}
}

/* Remember the first hard error of a read; pass the code through. */
static int
read_result(struct store_reader *r, int rc)
{
	if (rc != CTD_OK && rc != CTD_ENOTFOUND && r->err == CTD_OK) {
		r->err = rc;
	}
	return rc;
}

/* A tile-internal node from its tile: CTD_OK, or CTD_ENOTFOUND when the
 * tile is not stored (the node may then be in "r/"). */
static int
tile_lookup(struct store_reader *r, struct store_log *l, uint64_t tile,
    unsigned height, unsigned pos, uint8_t out[32])
{
	MDB_val v;
	int rc = store__tile_get(r->txn, l, tile, &v);

	if (rc == CTD_OK) {
		store__tile_hash(v.mv_data, height, pos, out);
	}
	return rc;
}

int
store_get_range(struct store_reader *r, struct store_log *l,
    uint64_t begin, uint64_t end, uint8_t out[32])
{
	uint8_t k[16];
	MDB_val key = { sizeof k, k };
	MDB_val val;
	uint64_t tile;
	unsigned height, pos;
	int rc;

	if (begin >= end) {
		return CTD_EINVAL;
	}
	if (store__tile_node(begin, end, &tile, &height, &pos) &&
	    (rc = tile_lookup(r, l, tile, height, pos, out)) !=
	    CTD_ENOTFOUND) {
		return read_result(r, rc);
	}
	put_be64(k, begin);
	put_be64(k + 8, end);
	if ((rc = mdb_get(r->txn, l->ranges, &key, &val)) != 0) {
		return read_result(r, err_from_mdb(rc));
	}
	if (val.mv_size != MERKLE_HASH_LEN) {
		return read_result(r, CTD_ESTORE);
	}
	memcpy(out, val.mv_data, MERKLE_HASH_LEN);
	return CTD_OK;
}

/* One of the reader's per-log cursors (cursors on dbi), opened or
 * renewed for this snapshot; NULL on failure (recorded in r->err). */
static MDB_cursor *
reader_cursor(struct store_reader *r, struct store_log *l, MDB_dbi dbi,
    MDB_cursor **cursors, uint64_t *gens)
{
	size_t i = (size_t)(l - r->store->logs);
	int rc = 0;
	if (cursors[i] == NULL) {
		rc = mdb_cursor_open(r->txn, dbi, &cursors[i]);
	} else if (gens[i] != r->gen) {
		rc = mdb_cursor_renew(r->txn, cursors[i]);
	}
	if (rc != 0) {
		read_result(r, err_from_mdb(rc));
		return NULL;
	}
	gens[i] = r->gen;
	return cursors[i];
}

/* The tile of a store_get_ranges() call last looked up. */
struct tile_memo {
	uint64_t tile;
	int rc;			/* CTD_OK with val, or its lookup's error */
	MDB_val val;
};

/* One range of store_get_ranges(): from its tile when it is a node of
 * a stored tile, else through the "r/" cursor c. */
static int
ranges_one(struct store_reader *r, struct store_log *l, MDB_cursor *c,
    struct tile_memo *m, const struct merkle_range *rg, uint8_t *out)
{
	uint8_t kb[16];
	MDB_val key = { sizeof kb, kb }, val;
	uint64_t tile;
	unsigned height, pos;

	if (store__tile_node(rg->begin, rg->end, &tile, &height, &pos)) {
		if (m->rc == CTD_EAGAIN || m->tile != tile) {
			m->tile = tile;
			m->rc = store__tile_get(r->txn, l, tile, &m->val);
		}
		if (m->rc == CTD_OK) {
			store__tile_hash(m->val.mv_data, height, pos, out);
			return CTD_OK;
		}
		if (m->rc != CTD_ENOTFOUND) {
			return read_result(r, m->rc);
		}
	}
	put_be64(kb, rg->begin);
	put_be64(kb + 8, rg->end);
	int rc = mdb_cursor_get(c, &key, &val, MDB_SET);
	if (rc != 0) {
		return read_result(r, err_from_mdb(rc));
	}
	if (val.mv_size != MERKLE_HASH_LEN) {
		return read_result(r, CTD_ESTORE);
	}
	memcpy(out, val.mv_data, MERKLE_HASH_LEN);
	return CTD_OK;
}

int
store_get_ranges(struct store_reader *r, struct store_log *l,
    const struct merkle_range *ranges, size_t count, uint8_t *out)
{
	size_t order[64];
	if (count > 64) {
		return CTD_EINVAL;
	}
	/* Insertion sort of indices by (begin, end): the key order. */
	for (size_t i = 0; i < count; i++) {
		size_t j = i;
		while (j > 0 && (ranges[order[j - 1]].begin > ranges[i].begin ||
		    (ranges[order[j - 1]].begin == ranges[i].begin &&
			ranges[order[j - 1]].end > ranges[i].end))) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	MDB_cursor *c = count > 0 ? reader_cursor(r, l, l->ranges,
	    r->cursors, r->cursor_gen) : NULL;
	if (count > 0 && c == NULL) {
		return r->err != CTD_OK ? r->err : CTD_ESTORE;
	}
	struct tile_memo m = { .rc = CTD_EAGAIN };
	for (size_t k = 0; k < count; k++) {
		const struct merkle_range *rg = &ranges[order[k]];
		if (rg->begin >= rg->end) {
			return CTD_EINVAL;
		}
		int rc = ranges_one(r, l, c, &m, rg,
		    out + order[k] * MERKLE_HASH_LEN);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return CTD_OK;
}

int
store_get_leaf(struct store_reader *r, struct store_log *l,
    const uint8_t hash[32], uint64_t *index)
{
	uint8_t k[LEAF_KEY_LEN], level0[MERKLE_HASH_LEN];
	MDB_val key = { sizeof k, k }, val;
	MDB_cursor *c = reader_cursor(r, l, l->leaves, r->leaf_cursors,
	    r->leaf_cursor_gen);
	int rc;

	if (c == NULL) {
		return r->err != CTD_OK ? r->err : CTD_ESTORE;
	}
	leaf_key(k, hash, 0);
	/* Every leaf with this hash prefix, smallest index first; the one
	 * whose level-0 hash is the whole hash is the answer. */
	for (rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (key.mv_size != LEAF_KEY_LEN || val.mv_size != 0) {
			return read_result(r, CTD_ESTORE);
		}
		if (memcmp(key.mv_data, hash, LEAF_PREFIX_LEN) != 0) {
			break;
		}
		uint64_t i = get_be64((uint8_t *)key.mv_data +
		    LEAF_PREFIX_LEN);
		int got = i == UINT64_MAX ? CTD_ESTORE :
		    store_get_range(r, l, i, i + 1, level0);
		if (got == CTD_OK &&
		    memcmp(level0, hash, MERKLE_HASH_LEN) == 0) {
			*index = i;
			return CTD_OK;
		}
		if (got != CTD_OK && got != CTD_ENOTFOUND) {
			return read_result(r, got);
		}
	}
	return rc == 0 || rc == MDB_NOTFOUND ? CTD_ENOTFOUND :
	    read_result(r, err_from_mdb(rc));
}

int
store__sth_decode(const MDB_val *key, const MDB_val *val,
    struct sth *out)
{
	const uint8_t *p = val->mv_data;
	uint16_t sig_len;

	if (key->mv_size != 8 || val->mv_size < STH_HEAD_LEN) {
		return CTD_ESTORE;
	}
	sig_len = (uint16_t)(p[40] << 8 | p[41]);
	if (sig_len > STH_SIG_MAX || val->mv_size != STH_HEAD_LEN +
	    (size_t)sig_len) {
		return CTD_ESTORE;
	}
	memset(out, 0, sizeof *out);
	out->tree_size = get_be64(key->mv_data);
	out->timestamp = get_be64(p);
	memcpy(out->root, p + 8, MERKLE_HASH_LEN);
	out->sig_len = sig_len;
	memcpy(out->sig, p + STH_HEAD_LEN, sig_len);
	return CTD_OK;
}

int
store_get_sth(struct store_reader *r, struct store_log *l,
    uint64_t tree_size, struct sth *out)
{
	uint8_t k[8];
	MDB_val key = { sizeof k, k };
	MDB_val val;
	int rc;

	put_be64(k, tree_size);
	if ((rc = mdb_get(r->txn, l->sths, &key, &val)) != 0) {
		return read_result(r, err_from_mdb(rc));
	}
	return read_result(r, store__sth_decode(&key, &val, out));
}

int
store_latest_sth(struct store_reader *r, struct store_log *l,
    struct sth *out)
{
	MDB_cursor *c;
	MDB_val key, val;
	int rc;

	if ((rc = mdb_cursor_open(r->txn, l->sths, &c)) != 0) {
		return read_result(r, err_from_mdb(rc));
	}
	rc = mdb_cursor_get(c, &key, &val, MDB_LAST);
	if (rc == 0) {
		rc = store__sth_decode(&key, &val, out);
	} else {
		rc = err_from_mdb(rc);
	}
	mdb_cursor_close(c);
	return read_result(r, rc);
}

int
store_sth_below(struct store_reader *r, struct store_log *l, uint64_t below,
    struct sth *out)
{
	MDB_cursor *c;
	uint8_t k[8];
	put_be64(k, below);
	MDB_val key = { sizeof k, k }, val;
	int rc;

	if ((rc = mdb_cursor_open(r->txn, l->sths, &c)) != 0) {
		return read_result(r, err_from_mdb(rc));
	}
	/* The first key >= below, then the one before it; none >= below:
	 * the last. */
	rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
	rc = rc == 0 ? mdb_cursor_get(c, &key, &val, MDB_PREV) :
	    rc == MDB_NOTFOUND ? mdb_cursor_get(c, &key, &val, MDB_LAST) : rc;
	rc = rc == 0 ? store__sth_decode(&key, &val, out) : err_from_mdb(rc);
	mdb_cursor_close(c);
	return read_result(r, rc);
}

int
store_get_contiguous(struct store_reader *r, struct store_log *l,
    uint64_t *n)
{
	char name[NAME_LEN];
	MDB_val key = { contiguous_key(l, name), name };
	MDB_val val;
	int rc = mdb_get(r->txn, r->store->meta, &key, &val);

	if (rc == MDB_NOTFOUND) {
		*n = 0;
		return CTD_OK;
	}
	if (rc != 0) {
		return read_result(r, err_from_mdb(rc));
	}
	if (val.mv_size != 8) {
		return read_result(r, CTD_ESTORE);
	}
	*n = get_be64(val.mv_data);
	return CTD_OK;
}
