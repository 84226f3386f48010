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

#include <stdint.h>
#include <stdio.h>

#include <lmdb.h>

#include "err.h"
#include "merkle.h"
#include "store.h"


/* "r/" + 16 hex digits + NUL; "log/" + 16 hex + NUL for meta. */
#define NAME_LEN 24
#define HEX_LEN 16
/* timestamp(8) root(32) sig_len(2), then the signature. */
#define STH_HEAD_LEN (8 + MERKLE_HASH_LEN + 2)
#define STH_VAL_MAX (STH_HEAD_LEN + STH_SIG_MAX)

struct store_log {
	uint8_t id[32];
	char hex[HEX_LEN + 1];
	MDB_dbi ranges;
	MDB_dbi leaves;
	MDB_dbi sths;
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

static inline void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

/* The meta key of a log's contiguous-entries marker, "c/<hex16>".
 * @return: its length (no NUL). */
static inline size_t
contiguous_key(const struct store_log *l, char name[NAME_LEN])
{
	return (size_t)snprintf(name, NAME_LEN, "c/%s", l->hex);
}

/*
 * Decode an STH record (key tree_size, value timestamp root sig_len sig).
 * @return: CTD_OK with *out filled; CTD_ESTORE when any length does not
 *	add up.
 */
int store__sth_decode(const MDB_val *key, const MDB_val *val,
    struct sth *out);

#endif /* CTD_STORE_INT_H */
