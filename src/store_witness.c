/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_witness.c -- the witness state per origin in the store's "meta"
 * database: the latest checkpoint the witness cosigned for it.
 *
 * Key "w/<hex SHA-256(origin)>" (64 lowercase hex digits), value
 * size(8, big-endian) || root(32) || the checkpoint note as cosigned (the
 * log's signature line and the witness's cosignature). The hash keeps the
 * key short and fixed whatever the origin, and is what the tlog-witness
 * monitoring URL names. The size only ever grows: a put that would lower
 * it, or change the root at the same size, is refused here as well as in
 * witness.c.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "store_int.h"

/* "w/" + 64 hex + NUL. */
#define WITNESS_KEY_LEN (2 + STORE_WITNESS_HEX + 1)
#define WITNESS_HEAD_LEN (8 + MERKLE_HASH_LEN)

/* The meta key of an origin; false when hex is not 64 lowercase digits. */
static bool
witness_key(const char *hex, char name[WITNESS_KEY_LEN], MDB_val *key)
{
	for (size_t i = 0; i < STORE_WITNESS_HEX; i++) {
		char c = hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	if (hex[STORE_WITNESS_HEX] != '\0') {
		return false;
	}
	snprintf(name, WITNESS_KEY_LEN, "w/%s", hex);
	key->mv_data = name;
	key->mv_size = WITNESS_KEY_LEN - 1;
	return true;
}

/* Decode the head of a record. */
static int
decode(const MDB_val *val, uint64_t *size, uint8_t root[32])
{
	if (val->mv_size <= WITNESS_HEAD_LEN) {
		return CTD_ESTORE;
	}
	const uint8_t *p = val->mv_data;
	*size = get_be64(p);
	memcpy(root, p + 8, MERKLE_HASH_LEN);
	return CTD_OK;
}

int
store_txn_get_witness(struct store_txn *t, const char *hex, uint64_t *size,
    uint8_t root[32])
{
	char name[WITNESS_KEY_LEN];
	MDB_val key, val;
	if (t->err != CTD_OK) {
		return t->err;
	}
	if (!witness_key(hex, name, &key)) {
		return CTD_EINVAL;
	}
	int rc = err_from_mdb(mdb_get(t->txn, t->store->meta, &key, &val));
	if (rc == CTD_OK) {
		return decode(&val, size, root);
	}
	if (rc != CTD_ENOTFOUND) {
		t->err = rc;
	}
	return rc;
}

void
store_put_witness(struct store_txn *t, const char *hex, uint64_t size,
    const uint8_t root[32], const char *note, size_t note_len)
{
	char name[WITNESS_KEY_LEN];
	MDB_val key, val;
	uint64_t old_size;
	uint8_t old_root[MERKLE_HASH_LEN];
	if (t->err != CTD_OK) {
		return;
	}
	if (!witness_key(hex, name, &key) || note_len == 0) {
		t->err = CTD_EINVAL;
		return;
	}
	int rc = store_txn_get_witness(t, hex, &old_size, old_root);
	if (rc == CTD_OK && (old_size > size || (old_size == size &&
	    memcmp(old_root, root, MERKLE_HASH_LEN) != 0))) {
		t->err = CTD_EINCONSISTENT;
		return;
	}
	if (rc != CTD_OK && rc != CTD_ENOTFOUND) {
		t->err = rc;
		return;
	}
	val.mv_size = WITNESS_HEAD_LEN + note_len;
	val.mv_data = NULL;
	/* MDB_RESERVE: LMDB hands out the room; fill it before any other
	 * write in this transaction. */
	rc = err_from_mdb(mdb_put(t->txn, t->store->meta, &key, &val,
	    MDB_RESERVE));
	if (rc != CTD_OK) {
		t->err = rc;
		return;
	}
	uint8_t *p = val.mv_data;
	put_be64(p, size);
	memcpy(p + 8, root, MERKLE_HASH_LEN);
	memcpy(p + WITNESS_HEAD_LEN, note, note_len);
}

int
store_get_witness(struct store *s, const char *hex, uint64_t *size,
    uint8_t root[32], char *note, size_t cap, size_t *note_len)
{
	char name[WITNESS_KEY_LEN];
	MDB_val key, val;
	MDB_txn *txn = NULL;
	if (!witness_key(hex, name, &key)) {
		return CTD_ENOTFOUND;
	}
	int rc = err_from_mdb(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn));
	if (rc != CTD_OK) {
		return rc == CTD_EBUSY ? rc : CTD_ESTORE;
	}
	rc = err_from_mdb(mdb_get(txn, s->meta, &key, &val));
	if (rc == CTD_OK) {
		rc = decode(&val, size, root);
	} else if (rc != CTD_ENOTFOUND) {
		rc = CTD_ESTORE;
	}
	if (rc == CTD_OK && note != NULL) {
		size_t len = val.mv_size - WITNESS_HEAD_LEN;
		if (len > cap) {
			rc = CTD_ESPACE;
		} else {
			memcpy(note, (const uint8_t *)val.mv_data +
			    WITNESS_HEAD_LEN, len);
			*note_len = len;
		}
	}
	mdb_txn_abort(txn);
	return rc;
}
