/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill.h -- fill the store from the log: one verified upstream request per
 * missing item, shared by every query that waits for it.
 *
 * answer.c finds a proof node missing and names what it needs (a "need");
 * fill turns the need into one RFC 6962 request, verifies the answer
 * against a verified root, writes the proof's nodes to the store as the
 * Merkle ranges they are, and wakes the waiters, which look again.
 *
 * Needs, with S the log's current verified STH when the request starts:
 *   FILL_HASH(hash)          get-proof-by-hash(hash, S): leaf index + path
 *   FILL_PATH(index, size)   get-entry-and-proof(index, size); the root of
 *                            `size` must already be in the store
 *   FILL_ROOT(size)          the root of a tree size that is not an STH:
 *                            size not a power of two: get-sth-consistency
 *                            (size, S) gives it; a power of two: it is a
 *                            node of the audit path of leaf `size` in S
 *   FILL_CONSISTENCY(first, second)  get-sth-consistency; the roots it
 *                            is checked against must be in the store
 * Nothing reaches the store unverified: each answer is checked against
 * the root captured when its request started.
 *
 * Identical needs in flight share one request (and the fetch pool shares
 * identical URLs once more). Leaf hashes the log does not hold are
 * remembered for negative-ttl seconds, while the same tree is served. Waiters per request and requests per log are
 * bounded by the fetch pool's caps; beyond them fill_start() refuses.
 */
#ifndef CTD_FILL_H
#define CTD_FILL_H

#include <stdbool.h>
#include <stdint.h>

#include "merkle.h"

struct tlog;
struct fill;

enum fill_kind { FILL_HASH, FILL_PATH, FILL_ROOT, FILL_CONSISTENCY };

struct fill_need {
	enum fill_kind kind;
	uint64_t a, b;				/* index/size, size, first/second */
	uint8_t hash[MERKLE_HASH_LEN];		/* FILL_HASH */
};

/*
 * Called once when the need is filled or failed.
 * @param status: CTD_OK (look again in the store), CTD_ENOTFOUND (the log
 *	does not hold that leaf hash), CTD_EBUSY, CTD_ETIMEOUT, CTD_EUPSTREAM,
 *	CTD_ENET, CTD_EVERIFY (the log answered something false),
 *	CTD_ECANCELED (shutting down).
 */
typedef void (*fill_cb)(void *arg, int status);

/* The fill state of one log. Caller frees with fill_free(). */
struct fill *fill_new(struct tlog *log);

/* Cancel every waiter with CTD_ECANCELED and free. NULL is a no-op. */
void fill_free(struct fill *f);

/*
 * Start filling a need, or join the request already filling it.
 * @return: CTD_OK, and cb(arg, status) will be called exactly once, later;
 *	CTD_ENOTFOUND at once for a leaf hash the log said, within the
 *	negative TTL and for the tree served now, it does not hold;
 *	CTD_EBUSY when the log's caps are reached or it has no verified STH
 *	yet. cb is not called when the return is not CTD_OK.
 */
int fill_start(struct fill *f, const struct fill_need *need, fill_cb cb,
    void *arg);

/* Requests in flight (for tests and metrics). */
unsigned fill_active(const struct fill *f);

#endif /* CTD_FILL_H */
