/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill.c -- fill the store from the log: one verified upstream request per
 * missing item, shared by every query that waits for it (see fill.h).
 */
#include "config.h"

#include <uv.h>

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctlog.h"
#include "err.h"
#include "fetch.h"
#include "fill.h"
#include "log.h"
#include "merkle.h"
#include "store.h"
#include "tlog.h"

/* Waiters one request may gather: a popular miss under a flood must not
 * grow without bound; the rest get SERVFAIL and retry. */
#define FILL_MAX_WAITERS 1024

/* Leaf hashes the log said it does not hold, remembered so that a flood of
 * queries for unknown (random) hashes cannot become a flood upstream. A
 * direct-mapped table: a collision only forgets an entry early. */
#define FILL_NEGATIVE_SLOTS 4096

struct negative {
	uint8_t hash[MERKLE_HASH_LEN];
	uint64_t tree_size;	/* valid only while this tree is served */
	uint64_t expires_ms;	/* loop time */
};

struct fill_waiter {
	fill_cb cb;
	void *arg;
};

struct fill_job {
	struct fill *fill;
	struct fill_job *next;
	struct fill_need need;
	char url[CTLOG_URL_MAX];
	const char *label;	/* the endpoint of url, for fetch's counters */
	/* The verified root the answer must lead to, captured at start. */
	uint64_t anchor_size;
	uint8_t anchor_root[MERKLE_HASH_LEN];
	/* For consistency proofs: the first tree's root, when known. */
	bool has_first_root;
	uint8_t first_root[MERKLE_HASH_LEN];
	struct fill_waiter *waiters;
	size_t waiter_count, waiter_cap;
};

struct fill {
	struct tlog *log;
	struct fill_job *jobs;
	unsigned active;
	struct store_reader reader;
	struct negative negative[FILL_NEGATIVE_SLOTS];
};

static struct negative *
negative_slot(struct fill *f, const uint8_t hash[MERKLE_HASH_LEN])
{
	/* Leaf hashes are SHA-256 outputs: their bytes are already uniform.
	 * An attacker choosing hashes only evicts its own entries. */
	size_t i = ((size_t)hash[0] << 8 | hash[1]) % FILL_NEGATIVE_SLOTS;
	return &f->negative[i];
}

static uint64_t
loop_now(struct fill *f)
{
	return uv_now(f->log->poll_timer.loop);
}

static void
negative_add(struct fill *f, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t tree_size)
{
	struct negative *n = negative_slot(f, hash);
	memcpy(n->hash, hash, MERKLE_HASH_LEN);
	n->tree_size = tree_size;
	n->expires_ms = loop_now(f) +
	    (uint64_t)f->log->conf->negative_ttl * 1000u;
}

/* Known absent from the tree served now (a larger tree may hold it). */
static bool
negative_has(struct fill *f, const uint8_t hash[MERKLE_HASH_LEN])
{
	const struct negative *n = negative_slot(f, hash);
	return n->expires_ms > loop_now(f) &&
	    n->tree_size == f->log->sth.tree_size &&
	    memcmp(n->hash, hash, MERKLE_HASH_LEN) == 0;
}

struct fill *
fill_new(struct tlog *log)
{
	struct fill *f = calloc(1, sizeof *f);
	if (f == NULL) {
		return NULL;
	}
	f->log = log;
	if (store_reader_init(log->store, &f->reader) != CTD_OK) {
		free(f);
		return NULL;
	}
	return f;
}

static void
job_free(struct fill_job *job)
{
	free(job->waiters);
	free(job);
}

static void
job_unlink(struct fill_job *job)
{
	struct fill *f = job->fill;
	for (struct fill_job **p = &f->jobs; *p != NULL; p = &(*p)->next) {
		if (*p == job) {
			*p = job->next;
			f->active--;
			return;
		}
	}
}

/* Wake every waiter of a finished job, then free it. */
static void
job_finish(struct fill_job *job, int status)
{
	job_unlink(job);
	if (status == CTD_OK) {
		job->fill->log->stats.fills_ok++;
	} else if (status != CTD_ENOTFOUND && status != CTD_ECANCELED) {
		job->fill->log->stats.fills_failed++;
	}
	for (size_t i = 0; i < job->waiter_count; i++) {
		job->waiters[i].cb(job->waiters[i].arg, status);
	}
	job_free(job);
}

void
fill_free(struct fill *f)
{
	if (f == NULL) {
		return;
	}
	/* Jobs still listed belong to transfers the fetcher cancels (their
	 * callbacks run with CTD_ECANCELED before this point when the fetcher
	 * was closed first); anything left is woken here. */
	while (f->jobs != NULL) {
		job_finish(f->jobs, CTD_ECANCELED);
	}
	store_reader_deinit(&f->reader);
	free(f);
}

unsigned
fill_active(const struct fill *f)
{
	return f->active;
}

static bool
need_equal(const struct fill_need *x, const struct fill_need *y)
{
	if (x->kind != y->kind || x->a != y->a || x->b != y->b) {
		return false;
	}
	return x->kind != FILL_HASH ||
	    memcmp(x->hash, y->hash, MERKLE_HASH_LEN) == 0;
}

static int
add_waiter(struct fill_job *job, fill_cb cb, void *arg)
{
	if (job->waiter_count == job->waiter_cap) {
		if (job->waiter_cap >= FILL_MAX_WAITERS) {
			return CTD_EBUSY;
		}
		size_t cap = job->waiter_cap ? job->waiter_cap * 2 : 4;
		struct fill_waiter *w = realloc(job->waiters, cap * sizeof *w);
		if (w == NULL) {
			return CTD_ENOMEM;
		}
		job->waiters = w;
		job->waiter_cap = cap;
	}
	job->waiters[job->waiter_count++] = (struct fill_waiter){ cb, arg };
	return CTD_OK;
}

/* The verified root of tree `size`: the range [0, size) in the store. */
static int
known_root(struct fill *f, uint64_t size, uint8_t out[MERKLE_HASH_LEN])
{
	int rc = store_read_begin(&f->reader);
	if (rc == CTD_OK) {
		rc = store_get_range(&f->reader, f->log->slog, 0, size, out);
		store_read_end(&f->reader);
	}
	return rc;
}

/* Choose the request for a need and the root its answer must lead to. */
static int
plan(struct fill *f, struct fill_job *job)
{
	const struct fill_need *n = &job->need;
	const struct sth *cur = &f->log->sth;
	const char *base = f->log->conf->url;
	char *url = job->url;
	size_t cap = sizeof job->url;

	job->anchor_size = cur->tree_size;
	memcpy(job->anchor_root, cur->root, MERKLE_HASH_LEN);
	switch (n->kind) {
	case FILL_HASH:
		job->label = "get-proof-by-hash";
		return ctlog_url_proof_by_hash(base, n->hash, cur->tree_size,
		    url, cap);
	case FILL_PATH:
		job->anchor_size = n->b;
		if (known_root(f, n->b, job->anchor_root) != CTD_OK) {
			return CTD_ENOTFOUND;
		}
		job->label = "get-entry-and-proof";
		return ctlog_url_entry_and_proof(base, n->a, n->b, url, cap);
	case FILL_ROOT:
		if (n->a == 0 || n->a >= cur->tree_size) {
			return CTD_ERANGE;
		}
		if (merkle_is_pow2(n->a)) {
			/* [0, a) is a node of the path of leaf a in S. */
			job->label = "get-entry-and-proof";
			return ctlog_url_entry_and_proof(base, n->a,
			    cur->tree_size, url, cap);
		}
		job->label = "get-sth-consistency";
		return ctlog_url_consistency(base, n->a, cur->tree_size, url,
		    cap);
	case FILL_CONSISTENCY:
		job->anchor_size = n->b;
		if (known_root(f, n->b, job->anchor_root) != CTD_OK) {
			return CTD_ENOTFOUND;
		}
		job->has_first_root =
		    known_root(f, n->a, job->first_root) == CTD_OK;
		if (merkle_is_pow2(n->a) && !job->has_first_root) {
			return CTD_ENOTFOUND;
		}
		job->label = "get-sth-consistency";
		return ctlog_url_consistency(base, n->a, n->b, url, cap);
	}
	return CTD_EINVAL;
}

/* Store proof nodes as the ranges they are. */
static void
put_ranges(struct store_txn *t, struct store_log *slog,
    const struct merkle_range *r, size_t n, const uint8_t *nodes,
    size_t count)
{
	for (size_t i = 0; i < n && i < count; i++) {
		store_put_range(t, slog, r[i].begin, r[i].end,
		    nodes + i * MERKLE_HASH_LEN);
	}
}

/* Store a verified audit path, its leaf and the leaf's index. */
static void
put_path(struct store_txn *t, struct store_log *slog, uint64_t index,
    uint64_t size, const uint8_t leaf_hash[MERKLE_HASH_LEN],
    const uint8_t *nodes, size_t count)
{
	struct merkle_range r[MERKLE_MAX_PATH];
	size_t n = merkle_path_ranges(index, size, r);
	put_ranges(t, slog, r, n, nodes, count);
	store_put_range(t, slog, index, index + 1, leaf_hash);
	store_put_leaf(t, slog, leaf_hash, index);
}

void
fill_put_consistency(struct store_txn *t, struct store_log *slog,
    uint64_t first, uint64_t second, const uint8_t *nodes, size_t count)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	size_t n = merkle_consistency_ranges(first, second, r);
	put_ranges(t, slog, r, n, nodes, count);
}

/* Verify an answer holding an audit path (and its leaf), then store it. */
static int
take_path(struct fill_job *job, struct store_txn *t, const uint8_t *body,
    size_t len)
{
	const struct fill_need *n = &job->need;
	uint8_t nodes[MERKLE_MAX_PATH * MERKLE_HASH_LEN];
	uint8_t leaf_hash[MERKLE_HASH_LEN];
	uint64_t index;
	size_t count;
	int rc;

	if (n->kind == FILL_HASH) {
		memcpy(leaf_hash, n->hash, MERKLE_HASH_LEN);
		rc = ctlog_parse_proof_by_hash(body, len, &index, nodes,
		    MERKLE_MAX_PATH, &count);
	} else {
		index = n->a;
		rc = ctlog_parse_entry_and_proof(body, len, leaf_hash, nodes,
		    MERKLE_MAX_PATH, &count);
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (index >= job->anchor_size) {
		return CTD_EVERIFY;
	}
	rc = merkle_verify_inclusion(index, job->anchor_size, leaf_hash, nodes,
	    count, job->anchor_root);
	if (rc != CTD_OK) {
		return CTD_EVERIFY;
	}
	put_path(t, job->fill->log->slog, index, job->anchor_size, leaf_hash,
	    nodes, count);
	return CTD_OK;
}

/* Verify a consistency proof against the anchor (and the first root when
 * known), then store it. */
static int
take_consistency(struct fill_job *job, struct store_txn *t,
    const uint8_t *body, size_t len)
{
	const struct fill_need *n = &job->need;
	uint64_t first = n->a;
	uint64_t second = n->kind == FILL_ROOT ? job->anchor_size : n->b;
	uint8_t nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	size_t count;

	int rc = ctlog_parse_consistency(body, len, nodes,
	    MERKLE_MAX_CONSISTENCY, &count);
	if (rc != CTD_OK) {
		return rc;
	}
	rc = merkle_consistency_roots(first, second,
	    job->has_first_root ? job->first_root : NULL, nodes, count, fr,
	    sr);
	if (rc != CTD_OK) {
		return CTD_EVERIFY;
	}
	if (memcmp(sr, job->anchor_root, MERKLE_HASH_LEN) != 0 ||
	    (job->has_first_root &&
		memcmp(fr, job->first_root, MERKLE_HASH_LEN) != 0)) {
		return CTD_EVERIFY;
	}
	fill_put_consistency(t, job->fill->log->slog, first, second, nodes,
	    count);
	store_put_range(t, job->fill->log->slog, 0, first, fr);
	return CTD_OK;
}

/* Check the log's answer and write what it proves, in one transaction. */
static int
take_answer(struct fill_job *job, const uint8_t *body, size_t len)
{
	struct store_txn t;
	bool is_path = job->need.kind == FILL_HASH ||
	    job->need.kind == FILL_PATH ||
	    (job->need.kind == FILL_ROOT && merkle_is_pow2(job->need.a));

	store_txn_begin(job->fill->log->store, &t);
	int rc = is_path ? take_path(job, &t, body, len) :
			   take_consistency(job, &t, body, len);
	if (rc != CTD_OK) {
		store_txn_abort(&t);
		return rc;
	}
	return store_txn_commit(&t);
}

static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "/ct/v1/");
	return p != NULL ? p : url;
}

static void
on_fetched(void *arg, int status, long http_code, const uint8_t *body,
    size_t len)
{
	struct fill_job *job = arg;
	struct tlog *log = job->fill->log;

	if (status == CTD_OK) {
		status = take_answer(job, body, len);
		if (status == CTD_EMALF) {
			log_warn("log %s: %s: answer does not parse", log->name,
			    url_path(job->url));
			status = CTD_EUPSTREAM;
		} else if (status == CTD_EVERIFY ||
		    status == CTD_EINCONSISTENT) {
			log_err("log %s: ALARM: %s: the log answered a proof "
				"that does not verify against its signed tree "
				"head of size %llu; nothing of it is served",
			    log->name, url_path(job->url),
			    (unsigned long long)job->anchor_size);
			log->alarm = true;
			status = CTD_EVERIFY;
		} else if (status != CTD_OK) {
			log_err("log %s: store write failed: %s", log->name,
			    ctd_strerror(status));
		}
	} else if (status == CTD_EUPSTREAM && job->need.kind == FILL_HASH &&
	    http_code >= 400 && http_code < 500 && http_code != 429) {
		/* RFC 6962 logs answer an unknown leaf hash with 4xx. */
		status = CTD_ENOTFOUND;
		negative_add(job->fill, job->need.hash, job->anchor_size);
	} else if (status != CTD_ECANCELED) {
		log_warn("log %s: %s: %s (HTTP %ld)", log->name,
		    url_path(job->url), ctd_strerror(status), http_code);
	}
	job_finish(job, status);
}

int
fill_start(struct fill *f, const struct fill_need *need, fill_cb cb,
    void *arg)
{
	if (!f->log->has_sth || f->log->closing) {
		return CTD_EBUSY;
	}
	if (need->kind == FILL_HASH && negative_has(f, need->hash)) {
		return CTD_ENOTFOUND;
	}
	for (struct fill_job *j = f->jobs; j != NULL; j = j->next) {
		if (need_equal(&j->need, need)) {
			return add_waiter(j, cb, arg);
		}
	}
	struct fill_job *job = calloc(1, sizeof *job);
	if (job == NULL) {
		return CTD_ENOMEM;
	}
	job->fill = f;
	job->need = *need;
	int rc = plan(f, job);
	if (rc == CTD_OK) {
		rc = add_waiter(job, cb, arg);
	}
	if (rc == CTD_OK) {
		rc = fetch_get(f->log->pool, job->url, job->label, on_fetched,
		    job);
	}
	if (rc != CTD_OK) {
		job_free(job);
		return rc;
	}
	job->next = f->jobs;
	f->jobs = job;
	f->active++;
	return CTD_OK;
}
