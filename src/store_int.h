/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_int.h -- what store.c (open, logs, read side) and store_write.c
 * (write side) share: the in-memory handles, the record layout constants,
 * the one LMDB error translation and the big-endian helpers.
 *
 * Internal to the store: nothing outside store*.c includes this.
 */
#ifndef CTD_STORE_INT_H
#define CTD_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "be64.h"
#include "err.h"
#include "leafkey.h"
#include "merkle.h"
#include "proved.h"
#include "store.h"

struct proved;


/* "r/" + 16 hex digits + NUL; "log/" + 16 hex + NUL for meta. */
#define NAME_LEN 24
#define HEX_LEN 16
/* timestamp(8) root(32) sig_len(2), then the signature. */
#define STH_HEAD_LEN (8 + MERKLE_HASH_LEN + 2)
#define STH_VAL_MAX (STH_HEAD_LEN + STH_SIG_MAX)

/*
 * Tiles (store.h, "Layout"): the leaves of a complete aligned tile of
 * STORE_TILE_LEAVES, with every node above them inside the tile but
 * those of height 1, one value of STORE_TILE_LEN bytes: level 0 (256
 * hashes), then heights 2 to 8 (64, 32, ..., 1). 383 hashes plus LMDB's
 * page header fill exactly 3 overflow pages of 4096 bytes; a height-1
 * node is one SHA-256 of two level-0 hashes.
 */
#define STORE_TILE_HEIGHT 8
#define STORE_TILE_LEAVES (1u << STORE_TILE_HEIGHT)
_Static_assert(STORE_TILE_LEAVES == PROVED_TILE_LEAVES,
    "a store tile is the run proved.h promises to keep whole");
#define STORE_TILE_HASHES 383
#define STORE_TILE_LEN (STORE_TILE_HASHES * MERKLE_HASH_LEN)
/* Leaf index key: the first bytes of the leaf hash, then index (BE). */
#define LEAF_PREFIX_LEN 8
#define LEAF_KEY_LEN (LEAF_PREFIX_LEN + 8)
_Static_assert(LEAF_KEY_LEN == 16 && LEAF_PREFIX_LEN == 8,
    "a leaf key is leafkey.h's: an 8-byte hash prefix, an 8-byte index");

struct store_log {
	uint8_t id[32];
	char hex[HEX_LEN + 1];
	MDB_dbi ranges;
	MDB_dbi leaves;
	MDB_dbi sths;
	MDB_dbi tiles;
};

struct store {
	MDB_env *env;
	MDB_dbi meta;
	size_t nlogs;
	/* Embedded, so handles stay put for the store's life. */
	struct store_log logs[STORE_MAX_LOGS];
};

/* The one translation of LMDB codes into enum ctd_err. */
static inline int
err_from_mdb(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return CTD_OK;
	case MDB_NOTFOUND:
		return CTD_ENOTFOUND;
	case MDB_MAP_FULL:
		return CTD_ESPACE;
	case MDB_READERS_FULL:
	case MDB_DBS_FULL:
		return CTD_EBUSY;
	case MDB_BAD_TXN:
	case MDB_BAD_VALSIZE:
	case MDB_BAD_DBI:
		return CTD_EINVAL;
	default:
		break;
	}
	if (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE) {
		return CTD_ESTORE;
	}
	if (rc > 0) {
		/* LMDB passes system errors through as errno values. */
		return -rc;
	}
	return CTD_ESTORE;
}

/* Keep the first error of a write transaction. */
static inline void
store__fail(struct store_txn *t, int err)
{
	if (t->err == CTD_OK) {
		t->err = err;
	}
}

/* The meta key of a log's contiguous-entries marker, "c/<hex16>".
 * @return: its length (no NUL). */
static inline size_t
contiguous_key(const struct store_log *l, char name[NAME_LEN])
{
	return (size_t)snprintf(name, NAME_LEN, "c/%s", l->hex);
}

/* The leaf index key of hash at index. */
static inline void
leaf_key(uint8_t k[LEAF_KEY_LEN], const uint8_t hash[32], uint64_t index)
{
	struct leafkey lk = leafkey_of(hash, index);
	leafkey_bytes(k, &lk);
}

/*
 * Where the range [begin, end) sits in a tile, if it is a node inside one:
 * an aligned subtree of at most STORE_TILE_LEAVES leaves.
 * @param tile: set to the tile's number (begin / STORE_TILE_LEAVES).
 * @param height: set to the node's height in the tile (0 for a leaf).
 * @param pos: set to the node's position among those of its height.
 * @return: true when the range is such a node.
 */
bool store__tile_node(uint64_t begin, uint64_t end, uint64_t *tile,
    unsigned *height, unsigned *pos);

/*
 * Copy (or, for height 1, compute) a node out of a tile value.
 * @param val: STORE_TILE_LEN bytes.
 */
void store__tile_hash(const uint8_t *val, unsigned height, unsigned pos,
    uint8_t out[MERKLE_HASH_LEN]);

/*
 * Look up a tile value in a transaction (read or write).
 * @param val: set on CTD_OK; borrowed, valid until the transaction ends
 *	or (in a write transaction) until its next write.
 * @return: CTD_OK; CTD_ENOTFOUND; CTD_ESTORE when the value is not
 *	STORE_TILE_LEN bytes, or LMDB fails.
 */
int store__tile_get(MDB_txn *txn, const struct store_log *l, uint64_t tile,
    MDB_val *val);

/*
 * Write the leaves of a proved set (store_put_proved): each leaf's index
 * record; its level-0 hash into its tile when the tile is stored or when
 * the set and the stored level-0 ranges complete it (the tile is then
 * written and the ranges inside it deleted from "r/"), into "r/"
 * otherwise. Failures go to t->err.
 */
void store__put_leaves(struct store_txn *t, struct store_log *l,
    const struct proved *p);

/*
 * Write the index record of a leaf (no level-0 hash). Failures go to
 * t->err.
 */
void store__put_index(struct store_txn *t, struct store_log *l,
    const uint8_t hash[32], uint64_t index);

/*
 * Decode an STH record (key tree_size, value timestamp root sig_len sig).
 * @return: CTD_OK with *out filled; CTD_ESTORE when any length does not
 *	add up.
 */
int store__sth_decode(const MDB_val *key, const MDB_val *val,
    struct sth *out);

#endif /* CTD_STORE_INT_H */
