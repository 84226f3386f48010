/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_write.c -- the write side of the LMDB store: sticky-error write
 * transactions (nested ones too), the put rules of store.h, and a proved
 * set written in one piece (its leaves and tiles: store_tile.c).
 *
 * A nested transaction (LMDB's child of a write transaction; the
 * environment is not MDB_WRITEMAP, which would forbid them) lets the
 * writer thread (writer.c) put many proved sets in one transaction and
 * still drop a set that fails, alone: the child is aborted, the parent
 * and the other sets go on, and one commit makes them all durable.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "proved.h"
#include "store.h"
#include "store_int.h"

void
store_txn_begin(struct store *s, struct store_txn *t)
{
	t->store = s;
	t->parent = NULL;
	t->txn = NULL;
	t->err = err_from_mdb(mdb_txn_begin(s->env, NULL, 0, &t->txn));
	if (t->err != CTD_OK) {
		t->txn = NULL;
	}
}

void
store_txn_begin_nested(struct store_txn *parent, struct store_txn *child)
{
	child->store = parent->store;
	child->parent = parent;
	child->txn = NULL;
	child->err = parent->err;
	if (child->err == CTD_OK && parent->txn == NULL) {
		child->err = CTD_EINVAL;
	}
	if (child->err != CTD_OK) {
		return;
	}
	child->err = err_from_mdb(mdb_txn_begin(parent->store->env,
	    parent->txn, 0, &child->txn));
	if (child->err != CTD_OK) {
		child->txn = NULL;
	}
}

/*
 * Insert key -> val unless the key exists. On MDB_KEYEXIST, *old is set to
 * the stored value (borrowed; valid until the next write in t) and
 * CTD_EINCONSISTENT is returned so the caller can decide; errors go to
 * t->err.
 */
static int
insert(struct store_txn *t, MDB_dbi dbi, MDB_val *key, MDB_val *val,
    MDB_val *old)
{
	*old = *val;
	int rc = mdb_put(t->txn, dbi, key, old, MDB_NOOVERWRITE);

	if (rc == MDB_KEYEXIST) {
		return CTD_EINCONSISTENT;
	}
	rc = err_from_mdb(rc);
	store__fail(t, rc);
	return rc;
}

static void
replace(struct store_txn *t, MDB_dbi dbi, MDB_val *key, MDB_val *val)
{
	store__fail(t, err_from_mdb(mdb_put(t->txn, dbi, key, val, 0)));
}

/* Check a node inside a stored tile against it; CTD_ENOTFOUND when its
 * tile is not stored. */
static int
check_tile_node(struct store_txn *t, struct store_log *l, uint64_t tile,
    unsigned height, unsigned pos, const uint8_t hash[32])
{
	uint8_t mine[MERKLE_HASH_LEN];
	MDB_val v;
	int rc = store__tile_get(t->txn, l, tile, &v);

	if (rc != CTD_OK) {
		return rc;
	}
	store__tile_hash(v.mv_data, height, pos, mine);
	return memcmp(mine, hash, MERKLE_HASH_LEN) == 0 ? CTD_OK :
	    CTD_EINCONSISTENT;
}

void
store_put_range(struct store_txn *t, struct store_log *l, uint64_t begin,
    uint64_t end, const uint8_t hash[32])
{
	uint8_t k[16];
	MDB_val key = { sizeof k, k };
	MDB_val val = { MERKLE_HASH_LEN, (void *)hash };
	MDB_val old;
	uint64_t tile;
	unsigned height, pos;

	if (t->err != CTD_OK) {
		return;
	}
	if (begin >= end) {
		store__fail(t, CTD_EINVAL);
		return;
	}
	if (store__tile_node(begin, end, &tile, &height, &pos)) {
		/* A node of a stored tile lives there alone. */
		int rc = check_tile_node(t, l, tile, height, pos, hash);
		if (rc != CTD_ENOTFOUND) {
			store__fail(t, rc);
			return;
		}
	}
	put_be64(k, begin);
	put_be64(k + 8, end);
	if (insert(t, l->ranges, &key, &val, &old) != CTD_EINCONSISTENT) {
		return;
	}
	if (old.mv_size != MERKLE_HASH_LEN) {
		store__fail(t, CTD_ESTORE);
	} else if (memcmp(old.mv_data, hash, MERKLE_HASH_LEN) != 0) {
		store__fail(t, CTD_EINCONSISTENT);
	}
}

void
store_put_leaf(struct store_txn *t, struct store_log *l,
    const uint8_t hash[32], uint64_t index)
{
	/* The level-0 range first: the index record is only ever read
	 * together with it (store_get_leaf checks the whole hash there). */
	store_put_range(t, l, index, index + 1, hash);
	store__put_index(t, l, hash, index);
}

void
store_put_sth(struct store_txn *t, struct store_log *l,
    const struct sth *sth)
{
	uint8_t k[8], v[STH_VAL_MAX];
	MDB_val key = { sizeof k, k };
	MDB_val val, old;
	struct sth prev;
	int rc;

	if (t->err != CTD_OK) {
		return;
	}
	if (sth->sig_len > STH_SIG_MAX) {
		store__fail(t, CTD_EINVAL);
		return;
	}
	put_be64(k, sth->tree_size);
	put_be64(v, sth->timestamp);
	memcpy(v + 8, sth->root, MERKLE_HASH_LEN);
	v[40] = (uint8_t)(sth->sig_len >> 8);
	v[41] = (uint8_t)sth->sig_len;
	memcpy(v + STH_HEAD_LEN, sth->sig, sth->sig_len);
	val = (MDB_val){ STH_HEAD_LEN + (size_t)sth->sig_len, v };
	if (insert(t, l->sths, &key, &val, &old) != CTD_EINCONSISTENT) {
		return;
	}
	if ((rc = store__sth_decode(&key, &old, &prev)) != CTD_OK) {
		store__fail(t, rc);
	} else if (memcmp(prev.root, sth->root, MERKLE_HASH_LEN) != 0) {
		/* Two signed roots for one tree size: a forked log. */
		store__fail(t, CTD_EINCONSISTENT);
	} else if (sth->timestamp > prev.timestamp) {
		replace(t, l->sths, &key, &val);
	}
}

void
store_put_contiguous(struct store_txn *t, struct store_log *l, uint64_t from,
    uint64_t n)
{
	char name[NAME_LEN];
	uint8_t v[8];
	MDB_val key = { contiguous_key(l, name), name };
	MDB_val val = { sizeof v, v };
	MDB_val old;

	if (t->err != CTD_OK || n == 0) {
		return;
	}
	put_be64(v, n);
	if (from > 0) {
		/* No stored marker is a marker of 0: below from. */
		int rc = err_from_mdb(mdb_get(t->txn, t->store->meta, &key,
		    &old));
		if (rc != CTD_OK && rc != CTD_ENOTFOUND) {
			store__fail(t, rc);
			return;
		}
		if (rc == CTD_ENOTFOUND || old.mv_size != sizeof v ||
		    get_be64(old.mv_data) < from) {
			return;
		}
	}
	if (insert(t, t->store->meta, &key, &val, &old) !=
	    CTD_EINCONSISTENT) {
		return;
	}
	if (old.mv_size != sizeof v) {
		store__fail(t, CTD_ESTORE);
	} else if (n > get_be64(old.mv_data)) {
		/* Only ever raised: a set that knows less changes nothing. */
		replace(t, t->store->meta, &key, &val);
	}
}

void
store_put_proved(struct store_txn *t, struct store_log *l,
    const struct proved *p)
{
	/* Leaves first: a set that completes a tile writes the tile, and
	 * its ranges inside that tile are then only checked against it. */
	store__put_leaves(t, l, p);
	for (size_t i = 0; i < p->range_count && t->err == CTD_OK; i++) {
		const struct proved_range *r = &p->ranges[i];
		store_put_range(t, l, r->begin, r->end, r->hash);
	}
	if (p->has_sth) {
		store_put_sth(t, l, &p->sth);
		if (p->sth.tree_size > 0) {
			store_put_range(t, l, 0, p->sth.tree_size, p->sth.root);
		}
	}
	if (p->has_contiguous) {
		store_put_contiguous(t, l, p->contiguous_from,
		    p->contiguous);
	}
	if (p->cosig != NULL && t->err == CTD_OK) {
		store_put_cosigs(t, l, p->cosig->size, p->cosig->root,
		    p->cosig->line, p->cosig->len);
	}
}

int
store_txn_commit(struct store_txn *t)
{
	int rc;

	if (t->txn == NULL) {
		return t->err;
	}
	if (t->err != CTD_OK) {
		mdb_txn_abort(t->txn);
		t->txn = NULL;
		return t->err;
	}
	rc = err_from_mdb(mdb_txn_commit(t->txn));
	t->txn = NULL;
	t->err = rc;
	if (rc != CTD_OK && t->parent != NULL) {
		/* A child that fails to merge may have left its parent half
		 * updated: the parent must not commit either. */
		store__fail(t->parent, rc);
	}
	return rc;
}

int
store_set_relaxed(struct store *s, bool relaxed)
{
	return err_from_mdb(mdb_env_set_flags(s->env, MDB_NOMETASYNC,
	    relaxed ? 1 : 0));
}

void
store_txn_abort(struct store_txn *t)
{
	if (t->txn != NULL) {
		mdb_txn_abort(t->txn);
		t->txn = NULL;
	}
	/* A commit after an abort must not report success. */
	if (t->err == CTD_OK) {
		t->err = CTD_ECANCELED;
	}
}

