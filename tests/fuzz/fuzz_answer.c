/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_answer.c -- fuzz target: the whole query path, bytes in, answer out.
 *
 * The input is one DNS message. It goes through answer_query() over one
 * served log's view set up once, by hand, as tlog.c keeps it: the zone file
 * zones/demo.ct.example.zone, an ECDSA P-256 log key, a signed tree head of
 * FUZZ_TREE_SIZE leaves (made by mksth.py 100; its signature is verified at
 * start-up) and a store in a temporary LMDB directory holding part of that
 * tree: every proof node of the tree sizes not divisible by 3, and the
 * leaf index of the even leaves (plus one leaf at an index beyond the
 * tree). So some queries are answered from the store and others name a
 * need, as in a daemon whose store is filling.
 *
 * Each input is asked over UDP and over TCP; a need is answered with a
 * fill status chosen from the input's hash, round after round, as the
 * server does (the store does not change, so the query must end within
 * ANSWER_MAX_ROUNDS).
 *
 * Properties: an answer is sent unless the message is not a query; it
 * fits the transport's limit; ldns parses it; its ID and question are the
 * query's; a need lies within the served tree and belongs to the log; a
 * complete TXT answer holds exactly the right data: the STH text, the
 * leaf's index, or the hashes of the true tree's proof nodes.
 *
 * The store's directory is unlinked as soon as the store is filled (LMDB
 * keeps its file descriptors), so nothing is left behind, even after a
 * crash.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "answer.h"
#include "ctq.h"
#include "err.h"
#include "fuzz.h"
#include "log.h"
#include "logkey.h"
#include "logview.h"
#include "merkle.h"
#include "sth.h"
#include "store.h"
#include "wire.h"
#include "zone.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

/* From tests/fuzz/mksth.py (the tree: leaf i is "fuzz leaf <i>"). */
#define FUZZ_TREE_SIZE 100
#define FUZZ_TIMESTAMP UINT64_C(1767225600000)
static const char fuzz_key_b64[] =
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8JGm+cqj7QPEaBE1Xt4yBgz6"
	"K+r/IXhRXRrCV9Dl+yCYVVfkd78Jz1EjKwGTZbYdwiKtFV6wO6cOiCOxQYUC"
	"eQ==";
static const uint8_t fuzz_root[] = {
	0x2a, 0xa4, 0x92, 0xc0, 0x27, 0x86, 0x64, 0xba, 0xa0, 0x25, 0xf2, 0xd6,
	0x57, 0x67, 0xa3, 0x44, 0xfc, 0x63, 0x21, 0xd9, 0x77, 0xfb, 0x6a, 0x23,
	0xb9, 0x79, 0x7e, 0xab, 0x67, 0xa8, 0x46, 0x6b,
};
static const uint8_t fuzz_sig[] = {
	0x04, 0x03, 0x00, 0x46, 0x30, 0x44, 0x02, 0x20, 0x20, 0xb1, 0x45, 0x66,
	0xb0, 0xfc, 0x44, 0xc3, 0xbe, 0x3f, 0xb6, 0xbf, 0x33, 0x09, 0x85, 0x76,
	0x04, 0xda, 0x87, 0xe3, 0x29, 0x03, 0x26, 0x8e, 0x75, 0xdf, 0xb1, 0xa9,
	0xc2, 0x1f, 0x9e, 0x2d, 0x02, 0x20, 0x72, 0x9a, 0xd5, 0xf3, 0x87, 0x48,
	0x27, 0x85, 0x06, 0xe6, 0x88, 0x41, 0x5c, 0x3f, 0x3b, 0xc5, 0x4d, 0x4c,
	0x93, 0xba, 0xba, 0x42, 0xf9, 0x5a, 0xf6, 0x21, 0x7e, 0xb6, 0xaf, 0xc2,
	0xe0, 0x65,
};

/* A leaf stored at an index the served tree does not reach yet. */
#define BEYOND_INDEX (FUZZ_TREE_SIZE + 3)
#define ZONE_NAME "demo.ct.example."
#define OUT_CAP 65535

static struct {
	struct logview log;		/* what answers read of the log */
	struct logview *logs[1];
	struct logkey *key;
	struct store *store;
	struct answer_ctx ax;
	uint8_t leaves[BEYOND_INDEX + 1][MERKLE_HASH_LEN];
	uint8_t *out;
} fx;

/* MTH(D[begin:end]) of the fixture's leaves (RFC 6962 section 2.1). */
static void
tree_hash(uint64_t begin, uint64_t end, uint8_t out[MERKLE_HASH_LEN])
{
	if (end - begin == 1) {
		memcpy(out, fx.leaves[begin], MERKLE_HASH_LEN);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < end - begin) {
		k *= 2;
	}
	uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
	tree_hash(begin, begin + k, left);
	tree_hash(begin + k, end, right);
	merkle_node_hash(left, right, out);
}

static void
put_ranges(struct store_txn *t, const struct merkle_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t h[MERKLE_HASH_LEN];
		tree_hash(r[i].begin, r[i].end, h);
		store_put_range(t, fx.log.slog, r[i].begin, r[i].end, h);
	}
}

static bool
stored_size(uint64_t s)
{
	return s % 3 != 0;
}

static void
fill_store(void)
{
	struct store_txn t;
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	store_txn_begin(fx.store, &t);
	for (uint64_t s = 1; s <= FUZZ_TREE_SIZE; s++) {
		if (!stored_size(s)) {
			continue;
		}
		struct merkle_range root = { 0, s };
		put_ranges(&t, &root, 1);
		for (uint64_t i = 0; i < s; i++) {
			put_ranges(&t, r, merkle_path_ranges(i, s, r));
		}
		for (uint64_t f = 1; f < s; f++) {
			if (stored_size(f)) {
				put_ranges(&t, r,
				    merkle_consistency_ranges(f, s, r));
			}
		}
	}
	for (uint64_t i = 0; i < FUZZ_TREE_SIZE; i += 2) {
		store_put_leaf(&t, fx.log.slog, fx.leaves[i], i);
	}
	store_put_leaf(&t, fx.log.slog, fx.leaves[BEYOND_INDEX], BEYOND_INDEX);
	FUZZ_CHECK(store_txn_commit(&t) == CTD_OK);
}

/* A store in a fresh directory that is gone again once opened. */
static void
open_store(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], file[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/fuzz_answer.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	FUZZ_CHECK(store_open(dir, 16u << 20, &fx.store) == CTD_OK);
	FUZZ_CHECK(store_log_open(fx.store, logkey_id(fx.key),
	    &fx.log.slog) == CTD_OK);
	static const char *const names[] = { "data.mdb", "lock.mdb" };
	for (size_t i = 0; i < 2; i++) {
		int n = snprintf(file, sizeof file, "%s/%s", dir, names[i]);
		FUZZ_CHECK(n > 0 && (size_t)n < sizeof file);
		unlink(file);
	}
	FUZZ_CHECK(rmdir(dir) == 0);
}

static void
teardown(void)
{
	answer_ctx_deinit(&fx.ax);
	store_close(fx.store);
	zone_free(fx.log.zone);
	logkey_free(fx.key);
	free(fx.out);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX], err[256];
	log_set_verbosity(0);
	snprintf(path, sizeof path, "%s/zones/demo.ct.example.zone",
	    top != NULL ? top : FUZZ_SRCDIR);

	fx.log = (struct logview){ .id = 1, .sth_ttl = 300,
		.proof_ttl = 86400, .negative_ttl = 30 };
	if (zone_load(path, ZONE_NAME, &fx.log.zone, err, sizeof err) !=
	    CTD_OK) {
		fprintf(stderr, "fuzz_answer: %s (set top_srcdir)\n", err);
		return 1;
	}
	FUZZ_CHECK(logkey_from_b64(fuzz_key_b64, &fx.key) == CTD_OK);

	for (unsigned i = 0; i <= BEYOND_INDEX; i++) {
		char leaf[32];
		int n = snprintf(leaf, sizeof leaf, "fuzz leaf %u", i);
		merkle_leaf_hash((const uint8_t *)leaf, (size_t)n,
		    fx.leaves[i]);
	}
	struct sth sth = {
		.tree_size = FUZZ_TREE_SIZE, .timestamp = FUZZ_TIMESTAMP,
		.sig_len = sizeof fuzz_sig,
	};
	tree_hash(0, FUZZ_TREE_SIZE, sth.root);
	FUZZ_CHECK(memcmp(sth.root, fuzz_root, MERKLE_HASH_LEN) == 0);
	memcpy(sth.sig, fuzz_sig, sizeof fuzz_sig);
	FUZZ_CHECK(sth_verify(&sth, fx.key) == CTD_OK);

	open_store();
	fx.log.sth = sth;
	fx.log.has_sth = true;
	sth_to_txt(&sth, fx.log.sth_txt, sizeof fx.log.sth_txt,
	    &fx.log.sth_txt_len);
	fill_store();
	fx.logs[0] = &fx.log;
	FUZZ_CHECK(answer_ctx_init(&fx.ax, fx.store, fx.logs, 1, 16u << 10) ==
	    CTD_OK);
	FUZZ_CHECK((fx.out = malloc(OUT_CAP)) != NULL);
	atexit(teardown);
	return 0;
}

/* The query name below the apex, when the query is for our zone. */
static bool
relative_name(const struct wire_query *q, size_t *rel_len)
{
	size_t apex_len;
	const uint8_t *apex = zone_apex(fx.log.zone, &apex_len);
	if (q->qname_len < apex_len) {
		return false;
	}
	size_t off = 0;
	while (off < q->qname_len - apex_len && q->qname_lc[off] != 0) {
		off += 1u + q->qname_lc[off];
	}
	*rel_len = off;
	return off == q->qname_len - apex_len &&
	    memcmp(q->qname_lc + off, apex, apex_len) == 0;
}

/* The TXT rdata of the only answer record, concatenated. */
static size_t
answer_text(ldns_pkt *pkt, uint8_t *text, size_t cap)
{
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(pkt), 0);
	size_t len = 0;
	FUZZ_CHECK(ldns_pkt_ancount(pkt) == 1);
	FUZZ_CHECK(ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		size_t n = ldns_rdf_size(f) - 1;
		FUZZ_CHECK(len + n <= cap);
		memcpy(text + len, ldns_rdf_data(f) + 1, n);
		len += n;
	}
	return len;
}

/* A TXT answer of proof nodes holds the true tree's hashes. */
static void
check_nodes(const uint8_t *text, size_t len, const struct merkle_range *r,
    size_t total, uint64_t start)
{
	size_t n = total - start < 7 ? total - start : 7;
	FUZZ_CHECK(start < total && len == n * MERKLE_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		uint8_t h[MERKLE_HASH_LEN];
		tree_hash(r[start + i].begin, r[start + i].end, h);
		FUZZ_CHECK(memcmp(text + i * MERKLE_HASH_LEN, h,
		    MERKLE_HASH_LEN) == 0);
	}
}

static void
check_txt(const struct wire_query *q, ldns_pkt *pkt)
{
	uint8_t text[1024];
	size_t rel_len, len;
	struct ctq cq;
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];

	FUZZ_CHECK(relative_name(q, &rel_len));
	len = answer_text(pkt, text, sizeof text);
	if (zone_has_name(fx.log.zone, q->qname_lc, q->qname_len)) {
		return;	/* a TXT record of the zone file (none today) */
	}
	FUZZ_CHECK(ctq_parse(q->qname_lc, rel_len, &cq) == CTD_OK);
	switch (cq.kind) {
	case CTQ_STH:
		FUZZ_CHECK(len == fx.log.sth_txt_len &&
		    memcmp(text, fx.log.sth_txt, len) == 0);
		break;
	case CTQ_HASH: {
		uint64_t i;
		for (i = 0; i < FUZZ_TREE_SIZE; i += 2) {
			if (memcmp(cq.hash, fx.leaves[i], MERKLE_HASH_LEN) ==
			    0) {
				break;
			}
		}
		char want[24];
		int n = snprintf(want, sizeof want, "%" PRIu64, i);
		FUZZ_CHECK(i < FUZZ_TREE_SIZE);
		FUZZ_CHECK(len == (size_t)n && memcmp(text, want, len) == 0);
		break;
	}
	case CTQ_TREE:
		check_nodes(text, len, r,
		    merkle_path_ranges(cq.index, cq.size, r), cq.start);
		break;
	case CTQ_CONSISTENCY:
		check_nodes(text, len, r,
		    merkle_consistency_ranges(cq.first, cq.second, r),
		    cq.start);
		break;
	default:
		FUZZ_CHECK(!"TXT data at an empty non-terminal");
	}
}

static void
check_send(const struct wire_query *q, int parse_rc, bool tcp,
    const struct answer_result *res)
{
	ldns_pkt *pkt = NULL;
	FUZZ_CHECK(res->len >= WIRE_HEADER_LEN);
	FUZZ_CHECK(res->len <= (tcp ? 65535 : wire_udp_max(q)));
	FUZZ_CHECK(ldns_wire2pkt(&pkt, fx.out, res->len) == LDNS_STATUS_OK);
	FUZZ_CHECK(ldns_pkt_id(pkt) == q->id && ldns_pkt_qr(pkt));
	if (parse_rc == CTD_EMALF && !wire_query_badvers(q)) {
		FUZZ_CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_FORMERR);
	}
	if (ldns_pkt_qdcount(pkt) == 1) {
		ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
		const ldns_rdf *owner = ldns_rr_owner(qr);
		FUZZ_CHECK(ldns_rdf_size(owner) == q->qname_len &&
		    memcmp(ldns_rdf_data(owner), q->qname, q->qname_len) == 0);
	}
	if (ldns_pkt_tc(pkt)) {
		FUZZ_CHECK(!tcp && ldns_pkt_ancount(pkt) == 0);
	} else if (ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR &&
	    ldns_pkt_ancount(pkt) > 0) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(pkt), 0);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT) {
			check_txt(q, pkt);
		}
	}
	ldns_pkt_free(pkt);
}

static void
check_need(const struct wire_query *q, const struct answer_result *res)
{
	const struct fill_need *n = &res->need;
	size_t rel_len;
	struct ctq cq;
	FUZZ_CHECK(res->log == &fx.log);
	FUZZ_CHECK(relative_name(q, &rel_len));
	FUZZ_CHECK(ctq_parse(q->qname_lc, rel_len, &cq) == CTD_OK);
	switch (n->kind) {
	case FILL_HASH:
		FUZZ_CHECK(cq.kind == CTQ_HASH);
		FUZZ_CHECK(memcmp(n->hash, cq.hash, MERKLE_HASH_LEN) == 0);
		break;
	case FILL_PATH:
		FUZZ_CHECK(cq.kind == CTQ_TREE);
		FUZZ_CHECK(n->a < n->b && n->b <= FUZZ_TREE_SIZE);
		FUZZ_CHECK(n->a == cq.index && n->b == cq.size);
		break;
	case FILL_ROOT:
		FUZZ_CHECK(cq.kind == CTQ_TREE || cq.kind == CTQ_CONSISTENCY);
		FUZZ_CHECK(n->a >= 1 && n->a <= FUZZ_TREE_SIZE);
		FUZZ_CHECK(!stored_size(n->a));
		break;
	case FILL_CONSISTENCY:
		FUZZ_CHECK(cq.kind == CTQ_CONSISTENCY);
		FUZZ_CHECK(n->a > 0 && n->a < n->b && n->b <= FUZZ_TREE_SIZE);
		FUZZ_CHECK(n->a == cq.first && n->b == cq.second);
		break;
	default:
		FUZZ_CHECK(!"unknown need");
	}
}

static void
ask(const uint8_t *data, size_t size, bool tcp, uint64_t h)
{
	static const int statuses[] = {
		CTD_OK, CTD_ENOTFOUND, CTD_ETIMEOUT, CTD_EBUSY, CTD_EVERIFY,
		CTD_EUPSTREAM, CTD_ECANCELED,
	};
	struct wire_query q;
	struct answer_result res;
	int parse_rc = wire_parse_query(data, size, &q);
	int status = CTD_OK;
	unsigned round;

	for (round = 0; round <= ANSWER_MAX_ROUNDS; round++) {
		answer_query(&fx.ax, data, size, tcp, status, round, fx.out,
		    OUT_CAP, &res);
		if (res.action != ANSWER_FILL) {
			break;
		}
		check_need(&q, &res);
		status = statuses[(h >> (round * 3)) % 7];
	}
	switch (res.action) {
	case ANSWER_DROP:
		FUZZ_CHECK(parse_rc == CTD_EINVAL);
		break;
	case ANSWER_SEND:
		FUZZ_CHECK(parse_rc != CTD_EINVAL);
		check_send(&q, parse_rc, tcp, &res);
		break;
	default:
		FUZZ_CHECK(!"still asking for data after the last round");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fuzz_hash(data, size);
	ask(data, size, false, h);
	ask(data, size, true, h);
	return 0;
}
