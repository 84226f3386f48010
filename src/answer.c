/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * answer.c -- the query state machine: a DNS query in, an answer out, or the
 * name of the data that must first be fetched from the log (see answer.h).
 *
 * The decisions, in order (docs/design.md has the table):
 *   not a query (short, QR=1)         drop
 *   header fine, rest malformed       FORMERR
 *   opcode other than QUERY           NOTIMP
 *   EDNS version other than 0         BADVERS
 *   class other than IN, or no zone   REFUSED
 *   zone transfer                     REFUSED
 *   a name of the zone file           its records, or NODATA
 *   a name that fits no CT form       NXDOMAIN
 *   no verified STH yet               SERVFAIL
 *   beyond the tree (index, size...)  NXDOMAIN
 *   an empty non-terminal, other type NODATA
 *   data in the store                 TXT
 *   data missing                      fill it, then look again
 *   the log does not hold the leaf    NXDOMAIN (short TTL)
 *   the log failed, lied, or is busy  SERVFAIL
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "ctq.h"
#include "err.h"
#include "log.h"
#include "logview.h"
#include "merkle.h"
#include "note.h"
#include "wire.h"
#include "zone.h"

enum {
	RCODE_NOERROR = 0, RCODE_FORMERR = 1, RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3, RCODE_NOTIMP = 4, RCODE_REFUSED = 5,
	RCODE_BADVERS = 16,
};
enum {
	TYPE_NS = 2, TYPE_SOA = 6, TYPE_TXT = 16, TYPE_IXFR = 251,
	TYPE_AXFR = 252, TYPE_ANY = 255,
};
enum { CLASS_IN = 1 };

/* Nodes in one proof answer: 7 * 32 = 224 bytes fit one TXT string. */
#define NODES_PER_ANSWER 7
/* Records one zone-file name may answer with. */
#define MAX_STATIC_RRS 32

/* One query being answered. */
struct qstate {
	struct answer_ctx *ax;
	struct wire_query q;
	struct logview *log;
	size_t log_idx;		/* its place in ax->logs (cache keys) */
	size_t apex_off;	/* where the zone apex starts in q.qname */
	size_t max_len;
	uint8_t *out;
	size_t cap;
	struct answer_result *res;
	int fill_status;
	unsigned round;
};

int
answer_ctx_init(struct answer_ctx *ax, struct store *store,
    struct logview **logs, size_t log_count, size_t cache_bytes)
{
	memset(ax, 0, sizeof *ax);
	ax->logs = logs;
	ax->log_count = log_count;
	int rc = apexes_init(&ax->apexes, log_count);
	if (rc == CTD_OK) {
		rc = answer_apexes_build(&ax->apexes, logs, log_count);
	}
	if (rc == CTD_OK) {
		rc = proofcache_init(&ax->cache, cache_bytes);
	}
	if (rc == CTD_OK) {
		rc = store_reader_init(store, &ax->reader);
	}
	if (rc != CTD_OK) {
		proofcache_deinit(&ax->cache);
		apexes_deinit(&ax->apexes);
	}
	return rc;
}

void
answer_ctx_deinit(struct answer_ctx *ax)
{
	store_reader_deinit(&ax->reader);
	proofcache_deinit(&ax->cache);
	apexes_deinit(&ax->apexes);
}

int
answer_apexes_build(struct apexes *t, struct logview *const *logs,
    size_t count)
{
	apexes_clear(t);
	for (size_t i = 0; i < count; i++) {
		size_t len;
		const uint8_t *apex = zone_apex(logs[i]->zone, &len);
		int rc = apexes_add(t, apex, len, i);
		if (rc == CTD_ESPACE || rc == CTD_EINVAL) {
			return rc;
		}
		/* CTD_ERANGE: the same apex twice (the configuration
		 * forbids it); the first log keeps it, as a scan would. */
	}
	return CTD_OK;
}

void
answer_ctx_set_logs(struct answer_ctx *ax, struct logview **logs,
    size_t log_count, struct apexes *apexes)
{
	ax->logs = logs;
	ax->log_count = log_count;
	apexes_swap(&ax->apexes, apexes);
	apexes_clear(apexes);
	proofcache_clear(&ax->cache);
}

/*
 * The one table from what a query came to to its rcode (docs/design.md,
 * "Outcomes and rcodes"). Every answer that reports an error goes through
 * answer_rcode(); any code not listed is a failure of the log or of the
 * server, SERVFAIL. The protocol refusals (NOTIMP, BADVERS, REFUSED), a
 * log without a verified STH (SERVFAIL) and NODATA are states, not
 * errors, and are answered where they are decided.
 */
static const struct {
	int err;
	int rcode;
} rcode_table[] = {
	{ CTD_OK, RCODE_NOERROR },
	{ CTD_EMALF, RCODE_FORMERR },	/* the message does not parse */
	{ CTD_ENOTFOUND, RCODE_NXDOMAIN }, /* no such name, or no such leaf */
	{ CTD_ERANGE, RCODE_NXDOMAIN },	/* beyond the tree */
};

int
answer_rcode(int err)
{
	for (size_t i = 0; i < sizeof rcode_table / sizeof rcode_table[0];
	    i++) {
		if (rcode_table[i].err == err) {
			return rcode_table[i].rcode;
		}
	}
	return RCODE_SERVFAIL;
}

/* ---- building answers ---------------------------------------------- */

static void
count_rcode(struct qstate *s, int rcode)
{
	if (rcode >= 0 && rcode < 24) {
		ANSWER_COUNT(s->ax->stats.by_rcode[rcode]);
	}
}

static void
finish(struct qstate *s, struct wire_resp *r)
{
	s->res->len = wire_resp_end(r, &s->q, s->max_len);
	s->res->action = s->res->len > 0 ? ANSWER_SEND : ANSWER_DROP;
}

/* An answer with no records: errors, REFUSED, NOTIMP. */
static void
respond_bare(struct qstate *s, int rcode)
{
	struct wire_resp r;
	count_rcode(s, rcode);
	wire_resp_begin(&r, s->out, s->cap, &s->q, rcode, false);
	finish(s, &r);
}

static uint32_t
negative_ttl(const struct logview *log)
{
	const struct zone_rr *soa = zone_soa(log->zone);
	uint32_t ttl = log->negative_ttl;
	if (soa->ttl < ttl) {
		ttl = soa->ttl;
	}
	if (zone_soa_minimum(log->zone) < ttl) {
		ttl = zone_soa_minimum(log->zone);
	}
	return ttl;
}

/* NXDOMAIN or NODATA: the zone's SOA in the authority section, with the
 * negative TTL (RFC 2308). */
static void
respond_negative(struct qstate *s, int rcode)
{
	const struct zone_rr *soa = zone_soa(s->log->zone);
	struct wire_resp r;
	count_rcode(s, rcode);
	wire_resp_begin(&r, s->out, s->cap, &s->q, rcode, true);
	wire_resp_rr(&r, WIRE_AUTHORITY, s->apex_off, TYPE_SOA,
	    negative_ttl(s->log), soa->rdata, soa->rdlen);
	finish(s, &r);
}

/* Answer an error through the table: NXDOMAIN with the zone's SOA. */
static void
respond_error(struct qstate *s, int err)
{
	int rcode = answer_rcode(err);
	if (rcode == RCODE_NXDOMAIN && s->log != NULL) {
		respond_negative(s, rcode);
	} else {
		respond_bare(s, rcode);
	}
}

static void
respond_txt(struct qstate *s, uint32_t ttl, const uint8_t *text, size_t len)
{
	struct wire_resp r;
	count_rcode(s, RCODE_NOERROR);
	wire_resp_begin(&r, s->out, s->cap, &s->q, RCODE_NOERROR, true);
	wire_resp_txt(&r, ttl, text, len);
	finish(s, &r);
}

static void
ask_fill(struct qstate *s, enum fill_kind kind, uint64_t a, uint64_t b,
    const uint8_t *hash)
{
	if (s->round == 0) {
		ANSWER_COUNT(s->ax->stats.misses);
	}
	s->res->action = ANSWER_FILL;
	s->res->log = s->log;
	s->res->need = (struct fill_need){ .kind = kind, .a = a, .b = b };
	if (hash != NULL) {
		memcpy(s->res->need.hash, hash, MERKLE_HASH_LEN);
	}
}

/* After a fill that did not succeed, or too many rounds: the final word. */
static bool
fill_failed(struct qstate *s, bool leaf_query)
{
	if (s->round == 0) {
		return false;
	}
	int st = s->fill_status;
	if (leaf_query && st == CTD_ENOTFOUND) {
		/* The log does not hold the leaf. */
		respond_error(s, CTD_ENOTFOUND);
		return true;
	}
	if (st != CTD_OK || s->round >= ANSWER_MAX_ROUNDS) {
		/* Any other status is about the request to the log, never
		 * about the query (a fill's CTD_ERANGE is not "beyond the
		 * tree"): the log or the server failed. */
		respond_error(s, st != CTD_OK &&
		    answer_rcode(st) == RCODE_SERVFAIL ? st : CTD_EUPSTREAM);
		return true;
	}
	return false;
}

/* ---- names from the zone file --------------------------------------- */

static void
answer_static(struct qstate *s)
{
	const struct zone_rr *rrs[MAX_STATIC_RRS];
	const struct zone_rr *glue[MAX_STATIC_RRS];
	size_t n = zone_find(s->log->zone, s->q.qname_lc, s->q.qname_len,
	    s->q.qtype, rrs, MAX_STATIC_RRS);
	if (n == 0) {
		respond_negative(s, RCODE_NOERROR);
		return;
	}
	struct wire_resp r;
	count_rcode(s, RCODE_NOERROR);
	wire_resp_begin(&r, s->out, s->cap, &s->q, RCODE_NOERROR, true);
	for (size_t i = 0; i < n; i++) {
		wire_resp_rr(&r, WIRE_ANSWER, 0, rrs[i]->type, rrs[i]->ttl,
		    rrs[i]->rdata, rrs[i]->rdlen);
	}
	for (size_t i = 0; i < n; i++) {
		if (rrs[i]->type != TYPE_NS) {
			continue;
		}
		size_t g = zone_glue(s->log->zone, rrs[i], glue,
		    MAX_STATIC_RRS);
		for (size_t j = 0; j < g; j++) {
			wire_resp_rr_named(&r, WIRE_ADDITIONAL, glue[j]->owner,
			    glue[j]->owner_len, glue[j]->type, glue[j]->ttl,
			    glue[j]->rdata, glue[j]->rdlen);
		}
	}
	finish(s, &r);
}

/* ---- CT data from the store ----------------------------------------- */

/* Look up ranges in one read transaction; CTD_ENOTFOUND on the first miss. */
static int
get_ranges(struct qstate *s, const struct merkle_range *r, size_t n,
    uint8_t *out)
{
	struct store_reader *rd = &s->ax->reader;
	int rc = store_read_begin(rd);
	if (rc == CTD_OK) {
		rc = store_get_ranges(rd, s->log->slog, r, n, out);
	}
	store_read_end(rd);
	return rc;
}

static bool
have_root(struct qstate *s, uint64_t size)
{
	uint8_t root[MERKLE_HASH_LEN];
	struct merkle_range r = { 0, size };
	return get_ranges(s, &r, 1, root) == CTD_OK;
}

/* Answer from the proof cache when it holds k: true when answered. */
static bool
answer_cached(struct qstate *s, const struct proofcache_key *k)
{
	size_t len;
	const uint8_t *data = proofcache_get(&s->ax->cache, k, &len);
	if (data == NULL) {
		return false;
	}
	ANSWER_COUNT(s->ax->stats.hits);
	ANSWER_COUNT(s->ax->stats.cache_hits);
	respond_txt(s, s->log->proof_ttl, data, len);
	return true;
}

/* Answer nodes [start, start + 7) of a proof whose ranges are given,
 * and keep them in the proof cache under k. */
static int
answer_nodes(struct qstate *s, const struct proofcache_key *k,
    const struct merkle_range *ranges, size_t total, uint64_t start)
{
	uint8_t nodes[NODES_PER_ANSWER * MERKLE_HASH_LEN];
	size_t n = total - start;
	if (n > NODES_PER_ANSWER) {
		n = NODES_PER_ANSWER;
	}
	int rc = get_ranges(s, ranges + start, n, nodes);
	if (rc == CTD_OK) {
		ANSWER_COUNT(s->ax->stats.hits);
		proofcache_put(&s->ax->cache, k, nodes, n * MERKLE_HASH_LEN);
		respond_txt(s, s->log->proof_ttl, nodes,
		    n * MERKLE_HASH_LEN);
	}
	return rc;
}

static void
answer_tree(struct qstate *s, const struct ctq *cq)
{
	struct proofcache_key k;
	proofcache_key_args(&k, (uint32_t)s->log_idx, PROOFCACHE_TREE,
	    cq->index, cq->size, cq->start);
	if (answer_cached(s, &k)) {
		return;
	}
	struct merkle_range ranges[MERKLE_MAX_PATH];
	size_t total = merkle_path_ranges(cq->index, cq->size, ranges);
	int rc = answer_nodes(s, &k, ranges, total, cq->start);
	if (rc == CTD_OK || fill_failed(s, false)) {
		return;
	}
	if (rc != CTD_ENOTFOUND) {
		respond_error(s, CTD_ESTORE);
	} else if (have_root(s, cq->size)) {
		ask_fill(s, FILL_PATH, cq->index, cq->size, NULL);
	} else {
		ask_fill(s, FILL_ROOT, cq->size, 0, NULL);
	}
}

static void
answer_consistency(struct qstate *s, const struct ctq *cq)
{
	struct proofcache_key k;
	proofcache_key_args(&k, (uint32_t)s->log_idx, PROOFCACHE_CONSISTENCY,
	    cq->first, cq->second, cq->start);
	if (answer_cached(s, &k)) {
		return;
	}
	struct merkle_range ranges[MERKLE_MAX_CONSISTENCY];
	size_t total = merkle_consistency_ranges(cq->first, cq->second,
	    ranges);
	int rc = answer_nodes(s, &k, ranges, total, cq->start);
	if (rc == CTD_OK || fill_failed(s, false)) {
		return;
	}
	if (rc != CTD_ENOTFOUND) {
		respond_error(s, CTD_ESTORE);
	} else if (!have_root(s, cq->second)) {
		ask_fill(s, FILL_ROOT, cq->second, 0, NULL);
	} else if (merkle_is_pow2(cq->first) && !have_root(s, cq->first)) {
		/* The proof omits this root; it must be known to check it. */
		ask_fill(s, FILL_ROOT, cq->first, 0, NULL);
	} else {
		ask_fill(s, FILL_CONSISTENCY, cq->first, cq->second, NULL);
	}
}

/* A leaf's index in the served tree, from the proof cache or the store
 * (which then fills the cache); CTD_ENOTFOUND for an index the served
 * tree does not reach yet (a mirror indexes ahead of its head). */
static int
leaf_index(struct qstate *s, const struct ctq *cq, uint64_t *index)
{
	struct proofcache_key k;
	size_t len;
	proofcache_key_hash(&k, (uint32_t)s->log_idx, cq->hash);
	const uint8_t *data = proofcache_get(&s->ax->cache, &k, &len);
	if (data != NULL && len == sizeof *index) {
		memcpy(index, data, sizeof *index);
		ANSWER_COUNT(s->ax->stats.cache_hits);
		return CTD_OK;	/* cached only below the served size */
	}
	struct store_reader *rd = &s->ax->reader;
	int rc = store_read_begin(rd);
	if (rc == CTD_OK) {
		rc = store_get_leaf(rd, s->log->slog, cq->hash, index);
	}
	store_read_end(rd);
	if (rc == CTD_OK && *index >= s->log->sth.tree_size) {
		return CTD_ENOTFOUND;
	}
	if (rc == CTD_OK) {
		proofcache_put(&s->ax->cache, &k, (const uint8_t *)index,
		    sizeof *index);
	}
	return rc;
}

static void
answer_hash(struct qstate *s, const struct ctq *cq)
{
	uint64_t index;
	int rc = leaf_index(s, cq, &index);
	if (rc == CTD_OK) {
		char text[24];
		int n = snprintf(text, sizeof text, "%" PRIu64, index);
		ANSWER_COUNT(s->ax->stats.hits);
		respond_txt(s, s->log->proof_ttl, (const uint8_t *)text,
		    (size_t)n);
		return;
	}
	if (fill_failed(s, true)) {
		return;
	}
	if (rc != CTD_OK && rc != CTD_ENOTFOUND) {
		respond_error(s, CTD_ESTORE);
		return;
	}
	ask_fill(s, FILL_HASH, 0, 0, cq->hash);
}

/* The longest checkpoint answer: text, blank line, the log's line and the
 * cosignature lines held for the head. */
#define CHECKPOINT_MAX (NOTE_RFC6962_NOTE_MAX + STORE_COSIG_MAX_BYTES)

/*
 * The served head as a checkpoint (c2sp.org/tlog-checkpoint): its text,
 * the log's RFC6962NoteSignature line, then every signature line the
 * store holds for this size and root (store_cosig.c), built at query
 * time so a cosignature added later is served at once. No origin yet (a
 * tiled log before its first checkpoint) is the log's failure: SERVFAIL.
 */
static void
answer_checkpoint(struct qstate *s)
{
	const struct logview *log = s->log;
	struct store_reader *rd = &s->ax->reader;
	char note[CHECKPOINT_MAX];
	size_t len = 0, n = 0;
	int rc = CTD_EINVAL;

	if (log->origin_len > 0) {
		rc = note_rfc6962_note(log->origin, log->origin_len,
		    store_log_id(log->slog), &log->sth, note, sizeof note,
		    &len);
	}
	if (rc == CTD_OK && (rc = store_read_begin(rd)) == CTD_OK) {
		rc = store_get_cosigs(rd, log->slog, log->sth.tree_size,
		    log->sth.root, note + len, sizeof note - len, &n);
		store_read_end(rd);
		len += rc == CTD_OK ? n : 0;
		rc = rc == CTD_ENOTFOUND ? CTD_OK : rc;
	}
	if (rc != CTD_OK) {
		respond_error(s, rc == CTD_EINVAL ? CTD_EUPSTREAM : CTD_ESTORE);
		return;
	}
	ANSWER_COUNT(s->ax->stats.hits);
	respond_txt(s, log->sth_ttl, (const uint8_t *)note, len);
}

static enum answer_form
form_of(const struct ctq *cq)
{
	switch (cq->kind) {
	case CTQ_STH: return ANSWER_FORM_STH;
	case CTQ_CHECKPOINT: return ANSWER_FORM_CHECKPOINT;
	case CTQ_HASH: case CTQ_HASH_ENT: return ANSWER_FORM_HASH;
	case CTQ_TREE: case CTQ_TREE_ENT: return ANSWER_FORM_TREE;
	case CTQ_CONSISTENCY: case CTQ_CONSISTENCY_ENT:
		return ANSWER_FORM_CONSISTENCY;
	case CTQ_APEX: return ANSWER_FORM_APEX;
	}
	return ANSWER_FORM_OTHER;
}

static void
answer_ct(struct qstate *s, const struct ctq *cq)
{
	struct logview *log = s->log;
	if (!log->has_sth) {
		/* Without a verified tree nothing below the apex is known. */
		respond_bare(s, RCODE_SERVFAIL);
		return;
	}
	if (!ctq_exists(cq, log->sth.tree_size)) {
		respond_error(s, CTD_ERANGE);
		return;
	}
	bool full = cq->kind == CTQ_STH || cq->kind == CTQ_CHECKPOINT ||
	    cq->kind == CTQ_HASH ||
	    cq->kind == CTQ_TREE || cq->kind == CTQ_CONSISTENCY;
	if (!full || (s->q.qtype != TYPE_TXT && s->q.qtype != TYPE_ANY)) {
		respond_negative(s, RCODE_NOERROR);
		return;
	}
	switch (cq->kind) {
	case CTQ_STH:
		respond_txt(s, log->sth_ttl, (const uint8_t *)log->sth_txt,
		    log->sth_txt_len);
		return;
	case CTQ_CHECKPOINT:
		answer_checkpoint(s);
		return;
	case CTQ_HASH:
		answer_hash(s, cq);
		return;
	case CTQ_TREE:
		answer_tree(s, cq);
		return;
	default:
		answer_consistency(s, cq);
		return;
	}
}

/* ---- finding the zone ----------------------------------------------- */

/* The served log whose apex is the longest label-aligned suffix of the
 * qname: one hash probe per label (apexes.h), whatever the number of logs. */
static struct logview *
find_log(struct answer_ctx *ax, const struct wire_query *q, size_t *apex_off,
    size_t *log_idx)
{
	if (!apexes_find(&ax->apexes, q->qname_lc, q->qname_len, apex_off,
	    log_idx) || *log_idx >= ax->log_count) {
		return NULL;
	}
	return ax->logs[*log_idx];
}

/* Count a query by its form once, on its first round. */
static void
count_form(struct qstate *s, enum answer_form form)
{
	if (s->round == 0) {
		ANSWER_COUNT(s->ax->stats.by_form[form]);
	}
}

static void
answer_in_zone(struct qstate *s)
{
	struct ctq cq;
	if (zone_has_name(s->log->zone, s->q.qname_lc, s->q.qname_len)) {
		count_form(s, s->apex_off == 0 ? ANSWER_FORM_APEX :
						 ANSWER_FORM_OTHER);
		answer_static(s);
		return;
	}
	int rc = ctq_parse(s->q.qname_lc, s->apex_off, &cq);
	if (rc != CTD_OK) {
		count_form(s, ANSWER_FORM_OTHER);
		respond_error(s, rc);
		return;
	}
	count_form(s, form_of(&cq));
	answer_ct(s, &cq);
}

void
answer_query(struct answer_ctx *ax, const uint8_t *pkt, size_t len,
    bool tcp, int fill_status, unsigned round, uint8_t *out, size_t cap,
    struct answer_result *res)
{
	struct qstate s = { .ax = ax, .out = out, .cap = cap, .res = res,
		.fill_status = fill_status, .round = round };
	memset(res, 0, sizeof *res);
	int rc = wire_parse_query(pkt, len, &s.q);
	s.max_len = tcp ? 65535 : wire_udp_max(&s.q);
	if (rc == CTD_EINVAL) {
		res->action = ANSWER_DROP;
		return;
	}
	if (rc != CTD_OK) {
		respond_error(&s, rc);
		return;
	}
	if (s.q.opcode != 0) {
		respond_bare(&s, RCODE_NOTIMP);
		return;
	}
	if (s.q.has_edns && s.q.edns_version != 0) {
		respond_bare(&s, RCODE_BADVERS);
		return;
	}
	s.log = s.q.qclass == CLASS_IN ?
	    find_log(ax, &s.q, &s.apex_off, &s.log_idx) : NULL;
	res->log = s.log;
	res->log_idx = s.log_idx;
	if (s.log == NULL || s.q.qtype == TYPE_AXFR ||
	    s.q.qtype == TYPE_IXFR) {
		respond_bare(&s, RCODE_REFUSED);
		return;
	}
	answer_in_zone(&s);
}
