/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_rfc6962.c -- an RFC 6962 log as a source (see source_rfc6962.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "err.h"
#include "logkey.h"
#include "merkle.h"
#include "rfc6962.h"
#include "source_rfc6962.h"
#include "sth.h"

struct source_rfc6962 {
	struct source base;		/* first: a struct source * is one */
	char *url;
	const struct logkey *key;
	/* The most entries one get-entries answer held: the log's page
	 * size as far as we know (0: not yet). A hint for planning only. */
	uint64_t page;
};

static struct source_rfc6962 *
from_base(struct source *src)
{
	return (struct source_rfc6962 *)src;
}

/* The one request a need takes, by its kind. */
static int
plan_request(const struct source_rfc6962 *s, struct source_task *t)
{
	const struct fill_need *n = &t->need;
	uint64_t S = t->served.size;
	struct source_req *r;

	switch (n->kind) {
	case FILL_HEAD:
		r = source_task_req(t, "get-sth");
		return rfc6962_url_sth(s->url, r->url, sizeof r->url);
	case FILL_HASH:
		r = source_task_req(t, "get-proof-by-hash");
		return rfc6962_url_proof_by_hash(s->url, n->hash, S, r->url,
		    sizeof r->url);
	case FILL_PATH:
		r = source_task_req(t, "get-entry-and-proof");
		return rfc6962_url_entry_and_proof(s->url, n->a, n->b, r->url,
		    sizeof r->url);
	case FILL_ROOT:
		if (n->a == 0 || n->a >= S) {
			return CTD_ERANGE;
		}
		if (merkle_is_pow2(n->a)) {
			r = source_task_req(t, "get-entry-and-proof");
			return rfc6962_url_entry_and_proof(s->url, n->a, S,
			    r->url, sizeof r->url);
		}
		r = source_task_req(t, "get-sth-consistency");
		return rfc6962_url_consistency(s->url, n->a, S, r->url,
		    sizeof r->url);
	case FILL_CONSISTENCY:
	case FILL_HEAD_PROOF:
		r = source_task_req(t, "get-sth-consistency");
		return rfc6962_url_consistency(s->url, n->a, n->b, r->url,
		    sizeof r->url);
	case FILL_ENTRIES:
		break;
	}
	return CTD_EINVAL;
}

/* A mirror's batch: the entries come in as many get-entries answers as
 * the log needs (logs answer at most their own page size), then the
 * recomputed tree is checked against the anchor. The first batch asks
 * for all of it in one request and learns the log's page size from the
 * answer; from then on every round asks for each missing page at once
 * (up to SOURCE_MAX_REQS requests), each answer put where its request
 * began. Answers shorter than asked leave gaps for the next round. The
 * consistency proof from b to the anchor rides the first round: it does
 * not depend on the entries, and is checked once they are all in. */
struct entries_state {
	uint64_t got;			/* leaves of [a, b) in */
	uint8_t root[MERKLE_HASH_LEN];	/* MTH(D[0:b]), recomputed */
	size_t proof_req;		/* the round's proof request, or
					 * SIZE_MAX */
	bool has_proof;			/* proof[] holds the log's answer */
	size_t proof_count;
	uint8_t proof[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	uint64_t from[SOURCE_MAX_REQS];	/* this round's requests: */
	uint64_t to[SOURCE_MAX_REQS];	/* the leaves [from, to) */
	uint8_t *have;			/* (b - a) flags: leaf a + i is in */
	uint8_t hashes[];		/* (b - a) leaf hashes, then have */
};

/* One request for [from, to) of the batch. */
static int
ask_range(const struct source_rfc6962 *s, struct source_task *t,
    uint64_t from, uint64_t to)
{
	struct entries_state *st = t->state;
	struct source_req *r = source_task_req(t, "get-entries");
	if (r == NULL) {
		return CTD_ERANGE;
	}
	st->from[t->req_count - 1] = from;
	st->to[t->req_count - 1] = to;
	return rfc6962_url_entries(s->url, from, to - 1, r->url,
	    sizeof r->url);
}

/* Plan a round: every missing run of leaves, cut at multiples of the
 * log's page size once it is known. */
static int
ask_entries(const struct source_rfc6962 *s, struct source_task *t)
{
	struct entries_state *st = t->state;
	const struct fill_need *n = &t->need;
	uint64_t len = n->b - n->a;
	int rc = CTD_OK;
	for (uint64_t i = 0; rc == CTD_OK && i < len &&
	    t->req_count < SOURCE_MAX_REQS;) {
		if (st->have[i]) {
			i++;
			continue;
		}
		uint64_t end = len;
		if (s->page > 0) {
			uint64_t x = n->a + i;
			end = (x / s->page + 1) * s->page - n->a;
			end = end < len ? end : len;
		}
		uint64_t j = i + 1;
		while (j < end && !st->have[j]) {
			j++;
		}
		rc = ask_range(s, t, n->a + i, n->a + j);
		i = j;
	}
	return rc;
}

static int
begin_entries(const struct source_rfc6962 *s, struct source_task *t)
{
	const struct fill_need *n = &t->need;
	if (n->b - n->a > SOURCE_MAX_ENTRIES || n->b > t->second.size) {
		return CTD_ERANGE;
	}
	size_t len = (size_t)(n->b - n->a);
	struct entries_state *st = calloc(1, sizeof *st +
	    len * (MERKLE_HASH_LEN + 1));
	if (st == NULL) {
		return CTD_ENOMEM;
	}
	st->have = st->hashes + len * MERKLE_HASH_LEN;
	st->proof_req = SIZE_MAX;
	t->state = st;
	if (n->b < t->second.size) {
		struct source_req *r = source_task_req(t,
		    "get-sth-consistency");
		st->proof_req = 0;
		int rc = rfc6962_url_consistency(s->url, n->b, t->second.size,
		    r->url, sizeof r->url);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return ask_entries(s, t);
}

static int
rfc6962_begin(struct source *src, struct source_task *t)
{
	struct source_rfc6962 *s = from_base(src);
	if (t->need.kind == FILL_HASH && t->contiguous >= t->served.size) {
		/* The index holds every leaf of the tree: not there. */
		return CTD_ENOTFOUND;
	}
	if (t->need.kind == FILL_ENTRIES) {
		return begin_entries(s, t);
	}
	return plan_request(s, t);
}

/* Add a verified audit path: its nodes' ranges, the leaf and its index. */
static int
prove_path(struct proved *p, uint64_t index, uint64_t size,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], const uint8_t *nodes,
    size_t count)
{
	struct merkle_range r[MERKLE_MAX_PATH];
	size_t n = merkle_path_ranges(index, size, r);
	int rc = CTD_OK;
	for (size_t i = 0; rc == CTD_OK && i < n && i < count; i++) {
		rc = proved_add_range(p, r[i].begin, r[i].end,
		    nodes + i * MERKLE_HASH_LEN);
	}
	return rc == CTD_OK ? proved_add_leaf(p, leaf_hash, index) : rc;
}

/* An answer holding an audit path (and its leaf), checked against the
 * anchor it must lead to. */
static int
take_path(struct source_task *t, const struct source_anchor *anchor,
    const uint8_t *body, size_t len)
{
	const struct fill_need *n = &t->need;
	uint8_t nodes[MERKLE_MAX_PATH * MERKLE_HASH_LEN];
	uint8_t leaf_hash[MERKLE_HASH_LEN];
	uint64_t index;
	size_t count;
	int rc;

	if (n->kind == FILL_HASH) {
		memcpy(leaf_hash, n->hash, MERKLE_HASH_LEN);
		rc = rfc6962_parse_proof_by_hash(body, len, &index, nodes,
		    MERKLE_MAX_PATH, &count);
	} else {
		index = n->a;
		rc = rfc6962_parse_entry_and_proof(body, len, leaf_hash, nodes,
		    MERKLE_MAX_PATH, &count);
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (index >= anchor->size ||
	    merkle_verify_inclusion(index, anchor->size, leaf_hash, nodes,
		count, anchor->root) != CTD_OK) {
		return CTD_EVERIFY;
	}
	return prove_path(&t->proved, index, anchor->size, leaf_hash, nodes,
	    count);
}

/* A consistency proof from `first` to the anchor `second`, checked
 * against both roots when the first is known; the first root it yields
 * is proved too. */
static int
take_consistency(struct source_task *t, uint64_t first,
    const struct source_anchor *second, const uint8_t *body, size_t len)
{
	const struct source_anchor *fa = &t->first;
	uint8_t nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	size_t count;

	int rc = rfc6962_parse_consistency(body, len, nodes,
	    MERKLE_MAX_CONSISTENCY, &count);
	if (rc != CTD_OK) {
		return rc;
	}
	if (merkle_consistency_roots(first, second->size,
		fa->known ? fa->root : NULL, nodes, count, fr, sr) != CTD_OK ||
	    memcmp(sr, second->root, MERKLE_HASH_LEN) != 0 ||
	    (fa->known && memcmp(fr, fa->root, MERKLE_HASH_LEN) != 0)) {
		return CTD_EVERIFY;
	}
	size_t n = merkle_consistency_ranges(first, second->size, r);
	for (size_t i = 0; rc == CTD_OK && i < n && i < count; i++) {
		rc = proved_add_range(&t->proved, r[i].begin, r[i].end,
		    nodes + i * MERKLE_HASH_LEN);
	}
	return rc == CTD_OK ? proved_add_range(&t->proved, 0, first, fr) : rc;
}

static int
take_head(const struct source_rfc6962 *s, struct source_task *t,
    const uint8_t *body, size_t len)
{
	int rc = rfc6962_parse_sth(body, len, &t->head);
	if (rc != CTD_OK) {
		return rc;
	}
	if (sth_verify(&t->head, s->key) != CTD_OK) {
		return CTD_EVERIFY;
	}
	t->has_head = true;
	return CTD_OK;
}

/* A failed request: RFC 6962 logs answer an unknown leaf hash with 4xx. */
static int
failed_request(const struct source_task *t, const struct source_reply *r)
{
	if (r->status == CTD_EUPSTREAM && t->need.kind == FILL_HASH &&
	    r->http_code >= 400 && r->http_code < 500 &&
	    r->http_code != 429) {
		return CTD_ENOTFOUND;
	}
	return r->status;
}

/* The recomputed root of b must lead to the anchor: equal to it, or
 * proved consistent with it by the log's proof (taken before). */
static int
check_entries_root(struct source_task *t)
{
	struct entries_state *st = t->state;
	const struct fill_need *n = &t->need;
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	if (n->b == t->second.size) {
		return memcmp(st->root, t->second.root, MERKLE_HASH_LEN) == 0 ?
		    CTD_OK : CTD_EVERIFY;
	}
	if (!st->has_proof) {
		return CTD_EINVAL;
	}
	if (merkle_verify_consistency(n->b, t->second.size, st->root,
	    t->second.root, st->proof, st->proof_count) != CTD_OK) {
		return CTD_EVERIFY;
	}
	size_t k = merkle_consistency_ranges(n->b, t->second.size, r);
	int rc = CTD_OK;
	for (size_t i = 0; rc == CTD_OK && i < k && i < st->proof_count;
	    i++) {
		rc = proved_add_range(&t->proved, r[i].begin, r[i].end,
		    st->proof + i * MERKLE_HASH_LEN);
	}
	return rc;
}

/* Count leaves [from, from + got) of request i in (on the loop). */
static void
mark_page(struct source_rfc6962 *s, struct source_task *t, size_t i,
    size_t got)
{
	struct entries_state *st = t->state;
	uint64_t off = st->from[i] - t->need.a;
	for (size_t k = 0; k < got; k++) {
		st->got += !st->have[off + k];
		st->have[off + k] = 1;
	}
	if (got > s->page) {
		s->page = got;
	}
}

/* One get-entries answer, put where its request began. */
static int
take_page(struct source_rfc6962 *s, struct source_task *t, size_t i,
    const struct source_reply *reply)
{
	struct entries_state *st = t->state;
	uint64_t off = st->from[i] - t->need.a;
	size_t got;
	int rc = rfc6962_parse_entries(reply->body, reply->len,
	    st->hashes + off * MERKLE_HASH_LEN,
	    (size_t)(st->to[i] - st->from[i]), &got);
	if (rc == CTD_OK) {
		mark_page(s, t, i, got);
	}
	return rc;
}

/* Every answer of the round in its place; once all entries are in, the
 * batch's tree recomputed and checked against the anchor. */
static int
take_entries(struct source_rfc6962 *s, struct source_task *t,
    const struct source_reply *replies, size_t count)
{
	struct entries_state *st = t->state;
	const struct fill_need *n = &t->need;
	int rc = CTD_OK;
	for (size_t i = 0; rc == CTD_OK && i < count; i++) {
		if (replies[i].taken) {
			continue;	/* take_page ran as it came */
		}
		if (i == st->proof_req) {
			rc = rfc6962_parse_consistency(replies[i].body,
			    replies[i].len, st->proof, MERKLE_MAX_CONSISTENCY,
			    &st->proof_count);
			st->has_proof = rc == CTD_OK;
		} else {
			rc = take_page(s, t, i, &replies[i]);
		}
	}
	st->proof_req = SIZE_MAX;
	if (rc != CTD_OK) {
		return rc;
	}
	if (st->got < n->b - n->a) {
		t->req_count = 0;
		rc = ask_entries(s, t);
		return rc == CTD_OK ? CTD_EAGAIN : rc;
	}
	rc = batch_hash(n->a, n->b, st->hashes, t->known, t->known_arg,
	    &t->proved, st->root);
	if (rc == CTD_ENOTFOUND) {
		return CTD_EINVAL;	/* the batches before are not stored */
	}
	if (rc == CTD_OK) {
		rc = proved_add_range(&t->proved, 0, n->b, st->root);
		proved_set_contiguous(&t->proved, n->b);
	}
	return rc == CTD_OK ? check_entries_root(t) : rc;
}

/* A mirror's page of entries, parsed and hashed as soon as it comes, so
 * that parsing overlaps the log's sending of the other pages. */
static int
rfc6962_take(struct source *src, struct source_task *t, size_t i,
    const uint8_t *body, size_t len)
{
	struct entries_state *st = t->state;
	if (t->need.kind != FILL_ENTRIES || st == NULL ||
	    i >= t->req_count || i == st->proof_req) {
		return CTD_EINVAL;	/* not taken: consume parses it */
	}
	struct source_reply r = { .status = CTD_OK, .body = body,
		.len = len };
	return take_page(from_base(src), t, i, &r);
}

/* A page's leaf hashes, on a pool thread (fill_work.h): pure. An entry
 * takes more than 32 bytes of JSON, which bounds the count. */
static int
digest_page(const uint8_t *body, size_t len, void **out, size_t *out_len)
{
	size_t max = len / 32 + 1;
	uint8_t *h = malloc(max * MERKLE_HASH_LEN);
	if (h == NULL) {
		return CTD_ENOMEM;
	}
	int rc = rfc6962_parse_entries(body, len, h, max, out_len);
	if (rc != CTD_OK) {
		free(h);
		return rc;
	}
	*out = h;
	return CTD_OK;
}

/* The get-entries pages of a mirror's batch go to the pool. */
static fill_digest_fn
rfc6962_digester(struct source *src, const struct source_task *t, size_t i)
{
	const struct entries_state *st = t->state;
	(void)src;
	return t->need.kind == FILL_ENTRIES && st != NULL &&
	    i < t->req_count && i != st->proof_req ? digest_page : NULL;
}

static int
rfc6962_take_digest(struct source *src, struct source_task *t, size_t i,
    const void *digest, size_t count)
{
	struct entries_state *st = t->state;
	if (rfc6962_digester(src, t, i) == NULL) {
		return CTD_EINVAL;
	}
	if (count == 0 || count > st->to[i] - st->from[i]) {
		return CTD_EMALF;	/* as rfc6962_parse_entries says */
	}
	memcpy(st->hashes + (st->from[i] - t->need.a) * MERKLE_HASH_LEN,
	    digest, count * MERKLE_HASH_LEN);
	mark_page(from_base(src), t, i, count);
	return CTD_OK;
}

static int
rfc6962_consume(struct source *src, struct source_task *t,
    const struct source_reply *replies, size_t count)
{
	struct source_rfc6962 *s = from_base(src);
	const struct fill_need *n = &t->need;
	if (count == 0 || count != t->req_count) {
		return CTD_EINVAL;
	}
	for (size_t i = 0; i < count; i++) {
		if (replies[i].status != CTD_OK) {
			return failed_request(t, &replies[i]);
		}
	}
	if (n->kind == FILL_ENTRIES) {
		return take_entries(s, t, replies, count);
	}
	if (count != 1) {
		return CTD_EINVAL;
	}
	const uint8_t *body = replies[0].body;
	size_t len = replies[0].len;
	switch (n->kind) {
	case FILL_HEAD:
		return take_head(s, t, body, len);
	case FILL_HASH:
		return take_path(t, &t->served, body, len);
	case FILL_PATH:
		return take_path(t, &t->second, body, len);
	case FILL_ROOT:
		if (merkle_is_pow2(n->a)) {
			return take_path(t, &t->served, body, len);
		}
		return take_consistency(t, n->a, &t->served, body, len);
	case FILL_CONSISTENCY:
	case FILL_HEAD_PROOF:
		return take_consistency(t, n->a, &t->second, body, len);
	case FILL_ENTRIES:
		break;
	}
	return CTD_EINVAL;
}

static void
rfc6962_finish(struct source *src, struct source_task *t)
{
	(void)src;
	free(t->state);
	t->state = NULL;
}

static void
rfc6962_free(struct source *src)
{
	struct source_rfc6962 *s = from_base(src);
	free(s->url);
	free(s);
}

static const struct source_ops rfc6962_ops = {
	.kind = "rfc6962",
	.begin = rfc6962_begin,
	.consume = rfc6962_consume,
	.take = rfc6962_take,
	.digester = rfc6962_digester,
	.take_digest = rfc6962_take_digest,
	.finish = rfc6962_finish,
	.free = rfc6962_free,
};

int
source_rfc6962_new(const char *url, const struct logkey *key,
    struct source **out)
{
	size_t len = url != NULL ? strlen(url) : 0;
	if (len == 0 || url[len - 1] != '/') {
		return CTD_EINVAL;
	}
	struct source_rfc6962 *s = calloc(1, sizeof *s);
	if (s == NULL || (s->url = strdup(url)) == NULL) {
		free(s);
		return CTD_ENOMEM;
	}
	s->base.ops = &rfc6962_ops;
	s->key = key;
	*out = &s->base;
	return CTD_OK;
}
