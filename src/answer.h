/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * answer.h -- the query state machine: a DNS query in, an answer out, or the
 * name of the data that must first be fetched from the log.
 *
 * answer.c is the one file that knows the grammar (ctq), the store and the
 * upstream (fill); it owns the single table from outcomes to DNS rcodes
 * (docs/design.md). It does no I/O itself: the server sends what it builds
 * and starts the fills it asks for. A store hit allocates nothing.
 *
 * A query that misses is answered in rounds: answer_query() returns
 * ANSWER_FILL with a need; the server fills it (fill.h) and calls
 * answer_query() again on the same packet with the fill's status and the
 * round number, until it returns ANSWER_SEND. Rounds are bounded.
 */
#ifndef CTD_ANSWER_H
#define CTD_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apexes.h"
#include "fill.h"
#include "proofcache.h"
#include "store.h"

struct logview;

/* Most rounds one query may take: root, path and a spare for an STH
 * switch in between. */
#define ANSWER_MAX_ROUNDS 4

enum answer_action {
	ANSWER_SEND,	/* out holds len bytes to send */
	ANSWER_DROP,	/* send nothing (not a query) */
	ANSWER_FILL,	/* fill res.need for res.log, then ask again */
};

struct answer_result {
	enum answer_action action;
	size_t len;
	/* The log whose zone the question fell in (NULL: none); for
	 * ANSWER_FILL, the log to fill. */
	struct logview *log;
	size_t log_idx;		/* log's place in the context's logs */
	struct fill_need need;
};

/* Counters by outcome, for the operator and the tests. */
enum answer_form {
	ANSWER_FORM_STH, ANSWER_FORM_HASH, ANSWER_FORM_TREE,
	ANSWER_FORM_CONSISTENCY, ANSWER_FORM_CHECKPOINT, ANSWER_FORM_APEX,
	ANSWER_FORM_OTHER,
	ANSWER_FORM_COUNT
};

struct answer_stats {
	uint64_t by_form[ANSWER_FORM_COUNT];
	uint64_t by_rcode[24];
	uint64_t hits, misses;
	uint64_t cache_hits;	/* of hits: from the proof cache */
};

/*
 * Count one more. Counters have one writer (the thread that owns the
 * context) and are read by the main thread for metrics: a relaxed atomic
 * load and store, plain moves on the machine, and no data race.
 */
#define ANSWER_COUNT(c) \
	__atomic_store_n(&(c), __atomic_load_n(&(c), __ATOMIC_RELAXED) + 1, \
	    __ATOMIC_RELAXED)

/* One per thread that answers: holds that thread's store reader. */
struct answer_ctx {
	struct logview **logs;	/* borrowed from the server */
	size_t log_count;
	/* The logs' zone apexes, value: the index in logs (owned; names
	 * borrowed from the logs' zones). */
	struct apexes apexes;
	struct store_reader reader;
	/* What the hottest answers are made of (proofcache.h): a warm
	 * query reads no B-tree. */
	struct proofcache cache;
	struct answer_stats stats;
};

/*
 * Prepare a context over the served logs.
 * @param logs: borrowed; valid until answer_ctx_set_logs() or
 *	answer_ctx_deinit(), and so are their zones.
 * @param cache_bytes: the proof cache's memory (answer-cache-size:), 0
 *	for none.
 * @return: CTD_OK, CTD_ENOMEM, or a store error.
 */
int answer_ctx_init(struct answer_ctx *ax, struct store *store,
    struct logview **logs, size_t log_count, size_t cache_bytes);
void answer_ctx_deinit(struct answer_ctx *ax);

/*
 * Build the table of the logs' zone apexes that a context finds zones
 * with. Never allocates: t comes from apexes_init() with room for count.
 * Where two logs have the same apex, the first one is found.
 * @param t: cleared, then filled (names borrowed from the logs' zones).
 * @param logs: the logs, as they will be given to the context.
 * @return: CTD_OK, or CTD_ESPACE when t has no room for count names.
 */
int answer_apexes_build(struct apexes *t, struct logview *const *logs,
    size_t count);

/*
 * Switch the context to another set of logs, between two queries; cannot
 * fail and does not allocate. The proof cache is emptied: its entries are
 * keyed by the logs' places in the set.
 * @param logs: borrowed, as for answer_ctx_init().
 * @param apexes: built over logs with answer_apexes_build(); exchanged
 *	with the context's own table: on return it holds the previous
 *	table's memory, cleared, which the caller frees with
 *	apexes_deinit() (or builds the next set in).
 */
void answer_ctx_set_logs(struct answer_ctx *ax, struct logview **logs,
    size_t log_count, struct apexes *apexes);

/*
 * Answer one DNS message.
 * @param pkt, len: the message as received (without the TCP length).
 * @param tcp: true over TCP (no truncation below 65535 bytes).
 * @param fill_status: CTD_OK on the first round; then the status the last
 *	fill ended with (an error answers SERVFAIL, CTD_ENOTFOUND for a leaf
 *	hash answers NXDOMAIN).
 * @param round: 0 on the first round, then 1, 2, ...
 * @param out: the answer is built here; cap >= 65535 is always enough.
 * @param res: what to do next.
 */
void answer_query(struct answer_ctx *ax, const uint8_t *pkt, size_t len,
    bool tcp, int fill_status, unsigned round, uint8_t *out, size_t cap,
    struct answer_result *res);

/*
 * The rcode that answers a query which came to err: the one table of
 * docs/design.md ("Outcomes and rcodes"), used by every answer that
 * reports an error.
 * @param err: CTD_OK (NOERROR); CTD_EMALF, the message does not parse
 *	(FORMERR); CTD_ENOTFOUND, the name fits no CT form or the log does
 *	not hold the leaf (NXDOMAIN); CTD_ERANGE, the name is beyond the
 *	tree (NXDOMAIN); any other code is a failure of the log or of the
 *	server (timeout, caps, a false answer, the store): SERVFAIL.
 * @return: the rcode (0 to 15).
 */
int answer_rcode(int err);

#endif /* CTD_ANSWER_H */
