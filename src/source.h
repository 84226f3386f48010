/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source.h -- the upstream seam: one interface for every kind of log.
 *
 * A source knows one kind of log's protocol (RFC 6962 today, static-ct-api
 * tiles next) and nothing of its callers. The generic machinery in fill.c
 * (needs shared by their waiters, caps, the negative cache, the store
 * writer) knows no protocol. They meet in a task, in the spirit of Knot's
 * requestor layers (begin, produce, consume, finish):
 *
 *   fill.c                                  source (ops)
 *   ------                                  ------------
 *   task = need + anchors  ---- begin ---->  plans the first round:
 *                                            t->reqs[] (URL + label)
 *   fetches every request of the round
 *   (in parallel), collects the replies
 *                          --- consume --->  verifies the replies against
 *                                            the anchors; adds what they
 *                                            prove to t->proved, or plans
 *                                            another round (CTD_EAGAIN)
 *   hands t->proved to the store writer;
 *   wakes the waiters once committed
 *                          --- finish ---->  frees its per-task state
 *
 * The anchors are roots fill.c has verified already (the served tree
 * head, and roots of other sizes from the store): a source adds nothing to
 * t->proved that does not lead to one of them. Nothing a log says is
 * trusted before that.
 *
 * Needs (S is the served tree head when the task begins):
 *   FILL_HEAD               the log's latest tree head, signature checked
 *                           with the log's key (t->head); proves nothing
 *   FILL_HEAD_PROOF(a, b)   the tree of size a (anchor first) is a prefix
 *                           of the candidate head of size b (anchor second,
 *                           not yet served); proved: the proof's ranges
 *   FILL_HASH(hash)         the leaf's index and audit path in S
 *   FILL_PATH(i, n)         the audit path of leaf i in tree n (anchor
 *                           second: the root of n)
 *   FILL_ROOT(n)            the root of a tree size n < S that no head
 *                           names, proved against S
 *   FILL_CONSISTENCY(a, b)  the consistency proof between two sizes
 *                           (anchor second, and first when known)
 *   FILL_ENTRIES(a, b)      a mirror's batch: every leaf of [a, b) and
 *                           the tree's nodes that end in it, the tree
 *                           recomputed from the entries and checked
 *                           against the anchor second (a head of size
 *                           >= b); what ends before a is in the store
 */
#ifndef CTD_SOURCE_H
#define CTD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fill_work.h"
#include "merkle.h"
#include "proved.h"
#include "sth.h"

/* Requests one round of a task may send at once. */
#define SOURCE_MAX_REQS 160
/* Most entries one FILL_ENTRIES batch may span. */
#define SOURCE_MAX_ENTRIES 16384
/* Longest URL a source builds. */
#define SOURCE_URL_MAX 512

enum fill_kind {
	FILL_HASH, FILL_PATH, FILL_ROOT, FILL_CONSISTENCY,
	FILL_HEAD, FILL_HEAD_PROOF, FILL_ENTRIES
};

/* What a query (or the poller) misses. Two equal needs share one task. */
struct fill_need {
	enum fill_kind kind;
	uint64_t a, b;				/* index/size, size, first/second */
	uint8_t hash[MERKLE_HASH_LEN];		/* FILL_HASH */
};

/* A verified root an answer must lead to. */
struct source_anchor {
	bool known;
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
};

/* One upstream request. The label names its kind for the operator's
 * counters ("get-sth", "tile", ...): a string with static lifetime. */
struct source_req {
	char url[SOURCE_URL_MAX];
	const char *label;
};

/* The answer to one request, as fetch.h gives it. */
struct source_reply {
	int status;		/* CTD_OK: HTTP 2xx; CTD_EUPSTREAM, ... */
	long http_code;
	const uint8_t *body;	/* NUL-terminated; NULL unless a body came */
	size_t len;
	bool taken;		/* the source took it as it came (ops->take) */
};

struct source_task {
	struct fill_need need;
	struct source_anchor served;	/* S, the served head */
	struct source_anchor first;	/* the root of need.a, when known */
	struct source_anchor second;	/* the root of need.b, when needed */
	unsigned round;			/* 0 for the first */
	/* The requests of this round, set by begin and consume. */
	struct source_req reqs[SOURCE_MAX_REQS];
	size_t req_count;
	/* What the verified answers prove (consume adds to it). */
	struct proved proved;
	/* FILL_HEAD: the head the log gave, its signature verified. */
	bool has_head;
	struct sth head;
	/* The source's own state for this task (finish frees it). */
	void *state;
	/* What the store holds already (set by fill.c): look up a verified
	 * range, CTD_OK or CTD_ENOTFOUND; NULL when there is no store. */
	int (*known)(void *arg, uint64_t begin, uint64_t end,
	    uint8_t out[MERKLE_HASH_LEN]);
	void *known_arg;
	/* Every leaf of [0, contiguous) is in the store's index. */
	uint64_t contiguous;
};

struct source;

struct source_ops {
	/* The kind of log, for messages: "rfc6962", "static-ct". */
	const char *kind;
	/*
	 * Plan the first round of requests for t->need.
	 * @return: CTD_OK with t->req_count >= 1, or with t->req_count == 0
	 *	and t->proved filled when what the store holds proves the need
	 *	already (a range computed from stored ranges); CTD_ENOTFOUND when this
	 *	source cannot serve the need (the answer is then negative or
	 *	SERVFAIL, the caller decides); CTD_ERANGE, CTD_EINVAL.
	 */
	int (*begin)(struct source *src, struct source_task *t);
	/*
	 * Every request of the round has its reply (replies[i] answers
	 * t->reqs[i]). Verify and add to t->proved (and t->head).
	 * @return: CTD_OK (done); CTD_EAGAIN (t->reqs holds the next round);
	 *	CTD_ENOTFOUND (the log does not hold the leaf hash);
	 *	CTD_EVERIFY (the log answered something false: an alarm);
	 *	CTD_EMALF (an answer does not parse); CTD_EUPSTREAM,
	 *	CTD_ETIMEOUT, CTD_ENET (a request failed: passed on).
	 */
	int (*consume)(struct source *src, struct source_task *t,
	    const struct source_reply *replies, size_t count);
	/*
	 * Optional (NULL: none). One reply of the round, as it arrives and
	 * before the others: a source may take what it needs of it now (a
	 * mirror's page of entries, parsed while the log still sends the
	 * rest), so that consume sees it with `taken` set and no body.
	 * @param body: borrowed for the call.
	 * @return: CTD_OK (taken); anything else: not taken, consume gets
	 *	the body as usual (and judges it).
	 */
	int (*take)(struct source *src, struct source_task *t, size_t i,
	    const uint8_t *body, size_t len);
	/*
	 * Optional (NULL: none), for a mirror's batch whose fill has a
	 * thread pool (fill_batch.loop): the pure function that digests
	 * reply i on a pool thread (fill_work.h), or NULL to take it as
	 * above. The digest then goes to take_digest on the loop's thread.
	 */
	fill_digest_fn (*digester)(struct source *src,
	    const struct source_task *t, size_t i);
	/*
	 * Reply i's digest (borrowed for the call), in place of its body.
	 * @return: CTD_OK (taken); an error: the reply failed with it
	 *	(CTD_EMALF: it does not fit the request).
	 */
	int (*take_digest)(struct source *src, struct source_task *t, size_t i,
	    const void *digest, size_t len);
	/* Free t->state (may be NULL). Called once per begun task. */
	void (*finish)(struct source *src, struct source_task *t);
	/* Free the source. */
	void (*free)(struct source *src);
};

/* Every source starts with this; ops never NULL (but ops->take may be). */
struct source {
	const struct source_ops *ops;
};

/* A task on caller memory, for a need: zeroed, proved set empty. */
void source_task_init(struct source_task *t, const struct fill_need *need);

/* Free what a task holds (its proved set), after finish. */
void source_task_deinit(struct source_task *t);

/* The next request slot of t (counted in t->req_count), for the source
 * to write its URL into; NULL when SOURCE_MAX_REQS are planned. */
struct source_req *source_task_req(struct source_task *t, const char *label);

/* Free a source. NULL is a no-op. */
void source_free(struct source *src);

#endif /* CTD_SOURCE_H */
