/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_write.c -- the write side of the LMDB store: sticky-error write
 * transactions (nested ones too), the put rules of store.h, and a proved
 * set written in one piece.
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

static void
txn_fail(struct store_txn *t, int err)
{
	if (t->err == CTD_OK) {
		t->err = err;
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
	txn_fail(t, rc);
	return rc;
}

static void
replace(struct store_txn *t, MDB_dbi dbi, MDB_val *key, MDB_val *val)
{
	txn_fail(t, err_from_mdb(mdb_put(t->txn, dbi, key, val, 0)));
}

void
store_put_range(struct store_txn *t, struct store_log *l, uint64_t begin,
    uint64_t end, const uint8_t hash[32])
{
	uint8_t k[16];
	MDB_val key = { sizeof k, k };
	MDB_val val = { MERKLE_HASH_LEN, (void *)hash };
	MDB_val old;

	if (t->err != CTD_OK) {
		return;
	}
	if (begin >= end) {
		txn_fail(t, CTD_EINVAL);
		return;
	}
	put_be64(k, begin);
	put_be64(k + 8, end);
	if (insert(t, l->ranges, &key, &val, &old) != CTD_EINCONSISTENT) {
		return;
	}
	if (old.mv_size != MERKLE_HASH_LEN) {
		txn_fail(t, CTD_ESTORE);
	} else if (memcmp(old.mv_data, hash, MERKLE_HASH_LEN) != 0) {
		txn_fail(t, CTD_EINCONSISTENT);
	}
}

void
store_put_leaf(struct store_txn *t, struct store_log *l,
    const uint8_t hash[32], uint64_t index)
{
	uint8_t v[8];
	MDB_val key = { MERKLE_HASH_LEN, (void *)hash };
	MDB_val val = { sizeof v, v };
	MDB_val old;

	if (t->err != CTD_OK) {
		return;
	}
	put_be64(v, index);
	if (insert(t, l->leaves, &key, &val, &old) != CTD_EINCONSISTENT) {
		return;
	}
	if (old.mv_size != sizeof v) {
		txn_fail(t, CTD_ESTORE);
	} else if (index < get_be64(old.mv_data)) {
		/* The same entry twice in the log: keep the smaller index,
		 * so every instance gives the same answer. */
		replace(t, l->leaves, &key, &val);
	}
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
		txn_fail(t, CTD_EINVAL);
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
		txn_fail(t, rc);
	} else if (memcmp(prev.root, sth->root, MERKLE_HASH_LEN) != 0) {
		/* Two signed roots for one tree size: a forked log. */
		txn_fail(t, CTD_EINCONSISTENT);
	} else if (sth->timestamp > prev.timestamp) {
		replace(t, l->sths, &key, &val);
	}
}

void
store_put_contiguous(struct store_txn *t, struct store_log *l, uint64_t n)
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
	if (insert(t, t->store->meta, &key, &val, &old) !=
	    CTD_EINCONSISTENT) {
		return;
	}
	if (old.mv_size != sizeof v) {
		txn_fail(t, CTD_ESTORE);
	} else if (n > get_be64(old.mv_data)) {
		/* Only ever raised: a set that knows less changes nothing. */
		replace(t, t->store->meta, &key, &val);
	}
}

void
store_put_proved(struct store_txn *t, struct store_log *l,
    const struct proved *p)
{
	for (size_t i = 0; i < p->range_count && t->err == CTD_OK; i++) {
		const struct proved_range *r = &p->ranges[i];
		store_put_range(t, l, r->begin, r->end, r->hash);
	}
	for (size_t i = 0; i < p->leaf_count && t->err == CTD_OK; i++) {
		const struct proved_leaf *lf = &p->leaves[i];
		store_put_leaf(t, l, lf->hash, lf->index);
		/* MTH of one leaf is its leaf hash (RFC 6962 section 2.1);
		 * an index of UINT64_MAX has no such range: CTD_EINVAL. */
		store_put_range(t, l, lf->index, lf->index + 1, lf->hash);
	}
	if (p->has_sth) {
		store_put_sth(t, l, &p->sth);
		if (p->sth.tree_size > 0) {
			store_put_range(t, l, 0, p->sth.tree_size, p->sth.root);
		}
	}
	if (p->has_contiguous) {
		store_put_contiguous(t, l, p->contiguous);
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
		txn_fail(t->parent, rc);
	}
	return rc;
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

