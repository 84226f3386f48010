/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_client.c -- libctdns without a network: the log list, SCT parsing
 * and validation, the MerkleTreeLeaf, the report of SCTs that need no
 * DNS, and the per-SCT state machine fed with answers by hand (good,
 * early, late, hostile).
 *
 * A test CA (test_client_ca.c) issues a precertificate; the test plays the
 * log: it builds the MerkleTreeLeaf itself, from the precertificate (issuer
 * key hash, TBS without the poison), signs it as the SCT, and embeds the
 * SCT in the final certificate. The library must rebuild the same leaf
 * from the final certificate alone.
 *
 * Tiled logs: test_client_tiled.c (log lists with tiled_logs, SCTs with
 * the leaf_index extension); here, walks that start from that index
 * instead of asking for the leaf hash.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "base32.h"
#include "base64.h"
#include "err.h"
#include "internal.h"
#include "logkey.h"
#include "sth.h"
#include "../tap.h"
#include "test_client.h"
#include "test_client_ca.h"

#define MMD_MS UINT64_C(86400000)

static X509 *final;

/* A log list with the test log (and its zone) in the given state. */
static char *
list_json(const char *state, const char *dns)
{
	static char buf[2048];

	snprintf(buf, sizeof buf, "{\"operators\": [{\"name\": \"t\", "
	    "\"logs\": [{\"description\": \"test log\", \"log_id\": \"%s\", "
	    "\"key\": \"%s\", \"url\": \"https://log.example/\", \"mmd\": "
	    "86400, \"state\": {\"%s\": {\"timestamp\": "
	    "\"2024-05-06T07:08:09.5Z\"}}%s%s%s}]}]}", log_id_b64, key_b64,
	    state, dns != NULL ? ", \"dns\": \"" : "", dns != NULL ? dns : "",
	    dns != NULL ? "\"" : "");
	return buf;
}

static void
test_loglist(void)
{
	struct ctdns_loglist *l = tcl_load(list_json("usable",
	    "log.ct.example"));
	struct ctdns_log_info info;
	char err[200];

	ok(l != NULL && ctdns_loglist_count(l) == 1, "a v3 log list loads");
	ok(l != NULL && ctdns_loglist_get(l, 0, &info) == 0 &&
	    memcmp(info.log_id, log_id, 32) == 0 &&
	    strcmp(info.zone, "log.ct.example.") == 0 &&
	    info.mmd_ms == MMD_MS && info.state == CTDNS_STATE_USABLE &&
	    info.state_time_ms == UINT64_C(1714979289500) &&
	    strcmp(info.description, "test log") == 0,
	    "id, zone (final dot added), mmd, state and its time");
	ok(l != NULL && ctdns_loglist_get(l, 1, &info) != 0,
	    "log 1 of 1 is out of range");
	ok(l != NULL && ctdns_loglist_set_zone(l, log_id_b64, "other.example")
	    == 0 && ctdns_loglist_get(l, 0, &info) == 0 &&
	    strcmp(info.zone, "other.example.") == 0,
	    "set_zone overrides the dns field");
	ok(l != NULL && ctdns_loglist_set_zone(l,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "x.example") ==
	    CTD_ENOTFOUND, "set_zone of a log not in the list fails");
	ok(l != NULL && ctdns_loglist_set_zone(l, "nope", "x.example") ==
	    CTD_EMALF, "set_zone with a malformed log ID fails");
	ok(l != NULL && ctdns_loglist_set_zone(l, log_id_b64, "a..b") != 0,
	    "set_zone with a bad zone name fails");
	ctdns_loglist_free(l);

	/* Hostile and malformed lists. */
	static const char *const bad[] = {
		"", "[]", "{\"operators\": 5}", "{\"operators\": [1]}",
		"{\"operators\": [{\"logs\": [{}]}]}",
		"{\"operators\": [{\"logs\": [{\"log_id\": 1, \"key\": \"a\"}]}]}",
		"{\"operators\": [{\"logs\": [{\"log_id\": \"AAAA\", "
		    "\"key\": \"AAAA\"}]}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ctdns_loglist *b = NULL;
		int rc = ctdns_loglist_parse(bad[i], strlen(bad[i]), &b, err,
		    sizeof err);
		ok(rc != 0 && b == NULL && err[0] != '\0',
		    "malformed list %zu rejected (%s)", i, err);
	}
	char wrong[2048];
	snprintf(wrong, sizeof wrong, "%s", list_json("usable", NULL));
	/* Another log's ID for this key: the list would lie. */
	char *p = strstr(wrong, log_id_b64);
	p[0] = p[0] == 'A' ? 'B' : 'A';
	ok(tcl_load(wrong) == NULL, "a log_id that is not SHA-256(key) is "
	    "refused");
	ok(tcl_load(list_json("sleeping", NULL)) == NULL, "an unknown state is "
	    "refused");
	snprintf(wrong, sizeof wrong, "%s", list_json("usable", NULL));
	p = strstr(wrong, "2024-05-06T07");
	memcpy(p, "2024-13", 7);
	ok(tcl_load(wrong) == NULL, "a bad state timestamp is refused");
	char two[4096];
	const char *one = list_json("usable", NULL);
	const char *obj = strstr(one, "{\"description");
	int obj_len = (int)(strlen(obj) - strlen("]}]}"));
	snprintf(two, sizeof two, "{\"operators\": [{\"logs\": [%.*s, %.*s]}]}",
	    obj_len, obj, obj_len, obj);
	struct ctdns_loglist *dup = NULL;
	ok(ctdns_loglist_parse(two, strlen(two), &dup, err, sizeof err) != 0 &&
	    strstr(err, "listed twice") != NULL, "a log listed twice is "
	    "refused (%s)", err);
	ok(ctdns_loglist_load("/nonexistent/list.json", &l, err, sizeof err) ==
	    CTD_EIO && l == NULL, "a missing file is CTD_EIO");
}

static bool
expected_leaf(uint64_t ts, struct tca_buf *out)
{
	return tcl_leaf(ts, NULL, 0, out);
}

/* An SCT list of one SCT over leaf, signed with key. */
static bool
sct_list_for(const struct tca_buf *leaf, uint64_t ts, bool spoil,
    struct tca_buf *list)
{
	uint8_t sig[100];
	size_t sig_len;
	struct tca_buf sct = { 0 };

	bool okk = tca_sign(log_key, leaf->p, leaf->len, sig, &sig_len);
	if (spoil) {
		sig[sig_len - 1] ^= 1;
	}
	okk = okk && tca_sct(&sct, log_id, ts, sig, sig_len) &&
	    tca_sct_list(list, &sct, 1);
	free(sct.p);
	return okk;
}

static struct tca_buf leaf_bytes;
static uint8_t leaf_hash[32];

static void
test_sct(void)
{
	struct tca_buf list = { 0 }, bad = { 0 };
	struct ctdns_request *req = NULL;
	uint8_t *leaf = NULL;
	size_t leaf_len = 0;
	char detail[256];

	ok(expected_leaf(SCT_TS, &leaf_bytes), "the test builds the leaf");
	merkle_leaf_hash(leaf_bytes.p, leaf_bytes.len, leaf_hash);
	ok(sct_list_for(&leaf_bytes, SCT_TS, false, &list) &&
	    (final = tca_finalize(pre, ca_key, list.p, list.len)) != NULL,
	    "the final certificate embeds the SCT");
	ok(ctdns_request_new(final, ca, &req) == 0 &&
	    ctdns_request_sct_count(req) == 1,
	    "ctdns_request_new finds the embedded SCT");
	struct ctdns_loglist *l = tcl_load(list_json("usable", NULL));
	ok(req != NULL && sctx_leaf(req->scts[0].sct, final, ca, &leaf,
	    &leaf_len) == 0 && leaf_len == leaf_bytes.len,
	    "the library rebuilds the leaf from the final certificate");
	is_mem(leaf, leaf_bytes.p, leaf_bytes.len < leaf_len ?
	    leaf_bytes.len : leaf_len, "... byte for byte the log's leaf");
	const struct ll_log *lg = l != NULL ? &l->logs[0] : NULL;
	ok(lg != NULL && sctx_validate(l, req->scts[0].sct, final, ca, lg,
	    leaf, leaf_len, SCT_TS + 1000, detail, sizeof detail) == 0,
	    "OpenSSL and the log key both accept the SCT");
	ok(lg != NULL && sctx_validate(l, req->scts[0].sct, final, ca, lg,
	    leaf, leaf_len, SCT_TS - 1000, detail, sizeof detail) ==
	    CTD_EVERIFY, "an SCT from the future is invalid (%s)", detail);
	OPENSSL_free(leaf);
	leaf = NULL;
	X509 *wrong = tca_ca(leaf_key, "wrong CA");
	ok(req != NULL && sctx_leaf(req->scts[0].sct, final, wrong, &leaf,
	    &leaf_len) == 0 && sctx_validate(l, req->scts[0].sct, final,
	    wrong, lg, leaf, leaf_len, SCT_TS + 1000, detail, sizeof detail)
	    == CTD_EVERIFY, "with the wrong issuer the SCT does not verify");
	OPENSSL_free(leaf);
	ok(req != NULL && sctx_leaf(req->scts[0].sct, final, NULL, &leaf,
	    &leaf_len) == CTD_EINVAL, "an embedded SCT needs the issuer");
	X509_free(wrong);
	ctdns_request_free(req);

	/* A spoilt signature, through the public API (no DNS needed). */
	struct ctdns_client *c = NULL;
	struct ctdns_report *rep = NULL;
	ok(sct_list_for(&leaf_bytes, SCT_TS, true, &bad) &&
	    ctdns_request_new(plain, NULL, &req) == 0 &&
	    ctdns_request_add_sct_list(req, bad.p, bad.len, CTDNS_SCT_TLS) ==
	    0 && ctdns_client_new(l, "127.0.0.1@9", 0, &c) == 0 &&
	    ctdns_verify(c, req, &rep) == 0 && ctdns_report_count(rep) == 1 &&
	    ctdns_report_get(rep, 0)->outcome == CTDNS_SCT_INVALID &&
	    ctdns_outcome_is_failure(CTDNS_SCT_INVALID),
	    "a bad signature: SCT invalid, a failure");
	ctdns_report_free(rep);
	rep = NULL;
	ctdns_client_free(c);
	c = NULL;
	/* The embedded SCT again, in logs that need no DNS. */
	ctdns_request_free(req);
	req = NULL;
	struct {
		const char *state, *dns;
		bool have_issuer;
		enum ctdns_outcome want;
	} cases[] = {
		{ "usable", NULL, true, CTDNS_NO_ZONE },
		{ "rejected", "z.example", true, CTDNS_LOG_REJECTED },
		{ "usable", "z.example", false, CTDNS_ERROR },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ctdns_loglist *l2 = tcl_load(list_json(cases[i].state,
		    cases[i].dns));
		struct ctdns_client *c2 = NULL;
		ok(l2 != NULL && ctdns_request_new(final, cases[i].have_issuer ?
		    ca : NULL, &req) == 0 && ctdns_client_new(l2, "127.0.0.1@9",
		    0, &c2) == 0 && ctdns_verify(c2, req, &rep) == 0 &&
		    ctdns_report_get(rep, 0)->outcome == cases[i].want,
		    "%s log, dns %s, issuer %s: %s", cases[i].state,
		    cases[i].dns != NULL ? cases[i].dns : "none",
		    cases[i].have_issuer ? "yes" : "no",
		    ctdns_outcome_name(cases[i].want));
		ctdns_report_free(rep);
		rep = NULL;
		ctdns_request_free(req);
		req = NULL;
		ctdns_client_free(c2);
		ctdns_loglist_free(l2);
	}
	struct ctdns_loglist *other = NULL;
	ok(ctdns_request_new(final, ca, &req) == 0 &&
	    ctdns_client_new(l, "127.0.0.1@9", 0, &c) == 0, "setup");
	/* An empty list: the log is unknown. */
	other = tcl_load("{\"operators\": []}");
	struct ctdns_client *c3 = NULL;
	ok(other != NULL && ctdns_client_new(other, "127.0.0.1@9", 0, &c3) ==
	    0 && ctdns_verify(c3, req, &rep) == 0 &&
	    ctdns_report_get(rep, 0)->outcome == CTDNS_LOG_UNKNOWN &&
	    !ctdns_outcome_is_failure(CTDNS_LOG_UNKNOWN),
	    "a log not in the list: log unknown, not a failure");
	ctdns_report_free(rep);
	ctdns_client_free(c3);
	ctdns_loglist_free(other);
	ctdns_request_free(req);
	ctdns_client_free(c);

	/* Hostile SCT lists. */
	req = NULL;
	ok(ctdns_request_new(plain, NULL, &req) == 0 &&
	    ctdns_request_sct_count(req) == 0, "a plain certificate has no "
	    "SCT");
	ok(ctdns_request_add_sct_list(req, list.p, list.len - 1,
	    CTDNS_SCT_TLS) != 0, "a truncated SCT list is refused");
	uint8_t *longer = malloc(list.len + 1);
	memcpy(longer, list.p, list.len);
	longer[list.len] = 0;
	ok(ctdns_request_add_sct_list(req, longer, list.len + 1,
	    CTDNS_SCT_OCSP) != 0, "trailing bytes after an SCT list are "
	    "refused");
	longer[1] ^= 1;
	ok(ctdns_request_add_sct_list(req, longer, list.len, CTDNS_SCT_TLS) !=
	    0, "a wrong list length is refused");
	ok(ctdns_request_add_sct_list(req, (const uint8_t *)"", 0,
	    CTDNS_SCT_TLS) != 0 && ctdns_request_sct_count(req) == 0,
	    "an empty input is refused, and nothing was added");
	free(longer);
	ctdns_request_free(req);
	ctdns_loglist_free(l);
	free(list.p);
	free(bad.p);
}

/* --- the state machine ---------------------------------------------------- */

static struct ctdns_loglist *vlist;
static uint8_t node01[32], root3[32], two_nodes[64];

/* A signed STH for the 3-leaf tree [L0, L1, leaf] (or as given). */
static void
sth_answer(struct dnsq_answer *a, uint64_t size, uint64_t ts,
    const uint8_t *root, bool spoil)
{
	struct sth s = { .tree_size = size, .timestamp = ts };
	uint8_t tbs[STH_SIGNED_LEN];
	size_t sig_len, len;

	memcpy(s.root, root, 32);
	sth_signed_data(&s, tbs);
	tca_sign(log_key, tbs, sizeof tbs, s.sig, &sig_len);
	s.sig_len = (uint16_t)sig_len;
	if (spoil) {
		s.sig[sig_len - 1] ^= 1;
	}
	memset(a, 0, sizeof *a);
	sth_to_txt(&s, (char *)a->txt, sizeof a->txt, &len);
	a->len = len;
	a->strings = 1;
	a->ttl = 5;
}

static void
text_answer(struct dnsq_answer *a, int rc, const void *txt, size_t len,
    size_t strings)
{
	memset(a, 0, sizeof *a);
	a->rc = rc;
	memcpy(a->txt, txt, len);
	a->len = len;
	a->strings = strings;
	if (rc != 0 && rc != CTD_ENOTFOUND) {
		snprintf(a->err, sizeof a->err, "sth query: SERVFAIL");
	}
}

struct run {
	uint64_t sth_size, sth_ts;
	bool spoil_sth;
	int hash_rc;
	const char *index;
	const void *path;
	size_t path_len, path_strings;
	int sth_rc;
	bool use_index;		/* vstate_set_index(at): no hash question */
	uint64_t at;
};

/* A question walk() did not expect: an error result that says so. */
static struct ctdns_sct_result
unexpected(const struct vstate_question *q)
{
	struct ctdns_sct_result res = { .outcome = CTDNS_ERROR };

	snprintf(res.detail, sizeof res.detail, "unexpected %s question %s",
	    q->what, q->label);
	diag("%s", res.detail);
	return res;
}

/* Walk one SCT through canned answers; the questions are checked. */
static struct ctdns_sct_result
walk(const struct run *r, uint64_t now, int *questions)
{
	struct ctdns_sct_result res;
	struct vstate vs;
	struct vstate_question q;
	struct dnsq_answer a;
	char b32[BASE32_HASH_LEN + 1];

	memset(&res, 0, sizeof res);
	base32_encode_hash(leaf_hash, b32);
	vstate_init(&vs, &vlist->logs[0], SCT_TS, leaf_hash, now, &res);
	if (r->use_index) {
		vstate_set_index(&vs, r->at);
	}
	*questions = 0;
	while (vstate_next(&vs, &q) && *questions < 10) {
		char want[128];
		(*questions)++;
		if (strcmp(q.what, "sth") == 0) {
			if (r->sth_rc != 0) {
				text_answer(&a, r->sth_rc, "", 0, 0);
			} else {
				sth_answer(&a, r->sth_size, r->sth_ts, root3,
				    r->spoil_sth);
			}
		} else if (strcmp(q.what, "hash") == 0) {
			snprintf(want, sizeof want, "%s.hash", b32);
			if (strcmp(q.label, want) != 0 || r->use_index) {
				return unexpected(&q);
			}
			text_answer(&a, r->hash_rc, r->index, strlen(r->index),
			    1);
		} else {
			snprintf(want, sizeof want, "0.%" PRIu64 ".%" PRIu64
			    ".tree", r->use_index ? r->at : 2, r->sth_size);
			if (strcmp(q.label, want) != 0) {
				return unexpected(&q);
			}
			text_answer(&a, 0, r->path, r->path_len,
			    r->path_strings);
		}
		vstate_feed(&vs, &a);
	}
	return res;
}

/* Walks that start from the SCT's leaf index: sth, then tree. */
static void
test_vstate_index(const uint8_t l0[32])
{
	uint64_t now = SCT_TS + 60000, late = SCT_TS + MMD_MS + 1;
	uint8_t path1[64];
	int n;

	struct run good = { .sth_size = 3, .sth_ts = SCT_TS + 10,
	    .path = node01, .path_len = 32, .path_strings = 1,
	    .use_index = true, .at = 2 };
	struct ctdns_sct_result res = walk(&good, now, &n);
	ok(res.outcome == CTDNS_INCLUDED && res.leaf_index == 2 && n == 2,
	    "index from the SCT: sth and tree, no hash question (%s)",
	    res.detail);
	/* Index 1's real audit path, [L0, MTH of leaf 2]: it does not
	 * lead from our leaf at index 1 to the root. */
	struct run r = good;
	memcpy(path1, l0, 32);
	memcpy(path1 + 32, leaf_hash, 32);
	r.at = 1;
	r.path = path1;
	r.path_len = 64;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED && n == 2 &&
	    strstr(res.detail, "leaf_index") != NULL,
	    "a wrong index does not prove (%s)", res.detail);
	r = good;
	r.at = 0;
	r.path = two_nodes;
	r.path_len = 64;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "index 0 with any path: "
	    "proof failed");
	r = good;
	r.at = 3;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_NOT_YET && n == 1 &&
	    res.retry_after_ms == SCT_TS + MMD_MS,
	    "an index beyond the STH's tree before SCT + MMD: not yet "
	    "provable, nothing more asked");
	r.sth_ts = SCT_TS + MMD_MS;
	res = walk(&r, late, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED && n == 1,
	    "... in an STH past SCT + MMD: proof failed (%s)", res.detail);
	r = good;
	r.sth_ts = SCT_TS - 1;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_NOT_YET && n == 1, "an STH older than the "
	    "SCT: not yet provable");
	uint8_t saved[32];
	memcpy(saved, root3, 32);
	memcpy(root3, leaf_hash, 32);
	r = good;
	r.sth_size = 1;
	r.at = 0;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_INCLUDED && n == 1, "a tree of one leaf at "
	    "index 0: included after the STH alone");
	memcpy(root3, saved, 32);
}

static void
test_vstate(void)
{
	uint8_t l0[32] = { 1 }, l1[32] = { 2 }, two[64], junk[32] = { 9 };
	uint64_t now = SCT_TS + 60000, late = SCT_TS + MMD_MS + 1;
	int n;

	vlist = tcl_load(list_json("usable", "z.example"));
	merkle_node_hash(l0, l1, node01);
	merkle_node_hash(node01, leaf_hash, root3);
	memcpy(two, node01, 32);
	memcpy(two + 32, node01, 32);

	struct run good = { .sth_size = 3, .sth_ts = SCT_TS + 10,
	    .hash_rc = 0, .index = "2", .path = node01, .path_len = 32,
	    .path_strings = 1 };
	struct ctdns_sct_result res = walk(&good, now, &n);
	ok(res.outcome == CTDNS_INCLUDED && res.tree_size == 3 &&
	    res.leaf_index == 2 && n == 3,
	    "sth, hash, tree: included in tree 3 at index 2 (%s)", res.detail);

	struct run r = good;
	r.path = junk;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "a wrong audit path: proof "
	    "failed");
	r = good;
	r.spoil_sth = true;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED && n == 1,
	    "a bad STH signature: proof failed, nothing more asked");
	r = good;
	r.sth_ts = SCT_TS - 1;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_NOT_YET && n == 1 &&
	    res.retry_after_ms == SCT_TS + MMD_MS,
	    "an STH older than the SCT: not yet provable, try after SCT + MMD,"
	    " and the leaf hash is not asked");
	res = walk(&r, late, &n);
	ok(res.outcome == CTDNS_NOT_YET && res.retry_after_ms == late + 5000,
	    "... past the MMD: try again after the STH's TTL");
	r = good;
	r.hash_rc = CTD_ENOTFOUND;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_NOT_YET && !ctdns_outcome_is_failure(
	    res.outcome), "leaf not found before the MMD: not yet provable");
	r.sth_ts = SCT_TS + MMD_MS;
	res = walk(&r, late, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "leaf not found in an STH past "
	    "the MMD: proof failed (%s)", res.detail);
	r = good;
	r.index = "3";
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_NOT_YET, "an index beyond the STH's tree: not "
	    "yet provable (an older STH)");
	r.index = "02";
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "a non-canonical index: proof "
	    "failed");
	r = good;
	r.path = two;
	r.path_len = 64;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "more nodes than the path has: "
	    "proof failed");
	r.path_len = 31;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "a partial node: proof failed");
	r = good;
	r.path_strings = 2;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_PROOF_FAILED, "a proof split in two strings: "
	    "proof failed");
	r = good;
	r.sth_rc = CTD_ENET;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_ERROR && ctdns_outcome_is_failure(res.outcome)
	    && strstr(res.detail, "SERVFAIL") != NULL,
	    "no usable STH answer: error, with the reason");
	r.sth_rc = CTD_ENOTFOUND;
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_ERROR, "NXDOMAIN for sth: error (no log at "
	    "that zone)");
	/* A tree of one leaf: the leaf hash is the root, no tree query. */
	uint8_t saved[32];
	memcpy(saved, root3, 32);
	memcpy(root3, leaf_hash, 32);
	r = good;
	r.sth_size = 1;
	r.index = "0";
	res = walk(&r, now, &n);
	ok(res.outcome == CTDNS_INCLUDED && n == 2, "a tree of one leaf: "
	    "included without a tree query");
	memcpy(root3, saved, 32);
	memcpy(two_nodes, two, 64);
	test_vstate_index(l0);
	ctdns_loglist_free(vlist);
}

int
main(void)
{
	if (!tcl_setup()) {
		printf("Bail out! cannot make the test CA\n");
		return 1;
	}
	test_loglist();
	test_sct();
	test_vstate();

	free(leaf_bytes.p);
	X509_free(final);
	tcl_teardown();
	return done_testing();
}
