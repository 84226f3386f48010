/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_client_tiled.c -- libctdns and tiled logs, without a network
 * (the fixture: test_client_fix.c).
 *
 * Log lists with operators[].tiled_logs[] beside logs[]: fields, the URL
 * pair, states, and refusals (missing URLs, a log_id in both arrays).
 * SCTs with the static-ct-api leaf_index extension, each signed over a
 * leaf with exactly those extensions, so that an "SCT invalid" verdict
 * comes from the extension check alone: a well-formed index is taken
 * (index_from_sct), a malformed list, a wrong length or a repeated type
 * makes the SCT invalid. The walks that start from the index are in
 * test_client.c, beside the other walks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "internal.h"
#include "../tap.h"
#include "test_client.h"

/*
 * One log entry: the test log (or the second one), RFC 6962 or tiled,
 * with more members (", \"dns\": ...") appended.
 */
static const char *
log_entry(bool second, bool tiled, const char *more)
{
	static char buf[4][1024];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof buf[0], "{\"description\": \"%s\", \"log_id\": "
	    "\"%s\", \"key\": \"%s\", %s, \"mmd\": 60%s}",
	    tiled ? "tiled" : "rfc6962", second ? log2_id_b64 : log_id_b64,
	    second ? key2_b64 : key_b64, tiled ? "\"submission_url\": "
	    "\"https://sub.example/\", \"monitoring_url\": "
	    "\"https://mon.example/\"" : "\"url\": \"https://log.example/\"",
	    more);
	return b;
}

static void
test_tiled_list(void)
{
	char json[4096], err[200];
	struct ctdns_log_info a, b;

	snprintf(json, sizeof json, "{\"operators\": [{\"name\": \"o\", "
	    "\"logs\": [%s], \"tiled_logs\": [%s]}]}",
	    log_entry(false, false, ""), log_entry(true, true, ", \"dns\": "
	    "\"t.example\", \"state\": {\"retired\": {\"timestamp\": "
	    "\"2025-01-02T03:04:05Z\"}}"));
	struct ctdns_loglist *l = tcl_load(json);
	ok(l != NULL && ctdns_loglist_count(l) == 2 &&
	    ctdns_loglist_get(l, 0, &a) == 0 &&
	    ctdns_loglist_get(l, 1, &b) == 0, "logs and tiled_logs of one "
	    "operator: two logs");
	ok(l != NULL && !a.tiled && strcmp(a.url, "https://log.example/") ==
	    0 && strcmp(a.monitoring_url, "") == 0 && a.zone == NULL,
	    "the RFC 6962 log: url, no monitoring_url");
	ok(l != NULL && b.tiled && strcmp(b.log_id_b64, log2_id_b64) == 0 &&
	    strcmp(b.url, "https://sub.example/") == 0 &&
	    strcmp(b.monitoring_url, "https://mon.example/") == 0 &&
	    strcmp(b.zone, "t.example.") == 0 && b.mmd_ms == 60000 &&
	    b.state == CTDNS_STATE_RETIRED &&
	    b.state_time_ms == UINT64_C(1735787045000),
	    "the tiled log: submission_url as url, monitoring_url, dns, mmd, "
	    "retired state and its time");
	ok(l != NULL && ctdns_loglist_set_zone(l, log2_id_b64, "u.example")
	    == 0 && ctdns_loglist_get(l, 1, &b) == 0 &&
	    strcmp(b.zone, "u.example.") == 0, "set_zone finds a tiled log");
	ctdns_loglist_free(l);
	snprintf(json, sizeof json, "{\"operators\": [{\"tiled_logs\": [%s]}, "
	    "{\"logs\": [%s], \"tiled_logs\": []}]}",
	    log_entry(false, true, ""), log_entry(true, false, ""));
	l = tcl_load(json);
	ok(l != NULL && ctdns_loglist_count(l) == 2 &&
	    ctdns_loglist_get(l, 0, &a) == 0 && a.tiled &&
	    ctdns_loglist_get(l, 1, &b) == 0 && !b.tiled,
	    "tiled_logs alone, and logs in another operator");
	ctdns_loglist_free(l);

	/* Not an array, not objects; then a tiled log needs both URLs,
	 * as strings, and url does not stand in. */
	static const char *const bad_list[] = {
		"{\"operators\": [{\"tiled_logs\": {}}]}",
		"{\"operators\": [{\"tiled_logs\": [5]}]}",
	};
	static const char *const bad_urls[] = {
		"\"url\": \"https://x/\"",
		"\"submission_url\": \"https://x/\"",
		"\"monitoring_url\": \"https://x/\"",
		"\"submission_url\": \"https://x/\", \"monitoring_url\": 7",
	};
	for (size_t i = 0; i < 2 + sizeof bad_urls / sizeof bad_urls[0];
	    i++) {
		struct ctdns_loglist *x = NULL;
		if (i < 2) {
			snprintf(json, sizeof json, "%s", bad_list[i]);
		} else {
			snprintf(json, sizeof json, "{\"operators\": [{"
			    "\"tiled_logs\": [{\"log_id\": \"%s\", \"key\": "
			    "\"%s\", %s}]}]}", log_id_b64, key_b64,
			    bad_urls[i - 2]);
		}
		ok(ctdns_loglist_parse(json, strlen(json), &x, err,
		    sizeof err) == CTD_EMALF && x == NULL,
		    "malformed tiled_logs %zu refused (%s)", i, err);
	}
	snprintf(json, sizeof json, "{\"operators\": [{\"logs\": [%s]}, "
	    "{\"tiled_logs\": [%s]}]}", log_entry(false, false, ""),
	    log_entry(false, true, ""));
	ok(ctdns_loglist_parse(json, strlen(json), &l, err, sizeof err) != 0 &&
	    strstr(err, "listed twice") != NULL, "one log_id in logs and in "
	    "tiled_logs is refused (%s)", err);
	snprintf(json, sizeof json, "{\"operators\": [{\"tiled_logs\": [%s]}]}",
	    log_entry(false, true, ", \"state\": {\"sleeping\": {}}"));
	ok(tcl_load(json) == NULL, "a tiled log's unknown state is refused");
}

/* One leaf_index case: extensions, and what the SCT must come to. */
struct ext_case {
	const char *name;
	const uint8_t *ext;
	size_t len;
	enum ctdns_outcome want;
	bool has_index;
	uint64_t index;
};

/* An embedded SCT with these (signed) extensions, through the API. */
static void
ext_case_run(const struct ext_case *k, const struct ctdns_loglist *l)
{
	struct tca_buf leaf = { 0 }, list = { 0 };
	struct ctdns_request *req = NULL;
	struct ctdns_client *c = NULL;
	struct ctdns_report *rep = NULL;
	uint8_t want_hash[32];
	X509 *cert = NULL;

	bool okk = tcl_leaf(SCT_TS, k->ext, k->len, &leaf) &&
	    tcl_sct_list(&leaf, SCT_TS, k->ext, k->len, &list) &&
	    (cert = tca_finalize(pre, ca_key, list.p, list.len)) != NULL &&
	    ctdns_request_new(cert, ca, &req) == 0 &&
	    ctdns_client_new(l, "127.0.0.1@9", 0, &c) == 0 &&
	    ctdns_verify(c, req, &rep) == 0;
	const struct ctdns_sct_result *r = okk ? ctdns_report_get(rep, 0) :
	    NULL;
	merkle_leaf_hash(leaf.p, leaf.len, want_hash);
	ok(r != NULL && r->outcome == k->want &&
	    r->index_from_sct == k->has_index &&
	    (!k->has_index || r->leaf_index == k->index) &&
	    (k->want != CTDNS_SCT_INVALID ||
	    strstr(r->detail, "extensions") != NULL) &&
	    (k->want != CTDNS_NO_ZONE ||
	    memcmp(r->leaf_hash, want_hash, 32) == 0),
	    "%s: %s (%s)", k->name, ctdns_outcome_name(k->want),
	    r != NULL ? r->detail : "setup failed");
	ctdns_report_free(rep);
	ctdns_client_free(c);
	ctdns_request_free(req);
	X509_free(cert);
	free(leaf.p);
	free(list.p);
}

static void
test_leaf_index_ext(void)
{
	static const uint8_t idx300[] = { 0, 0, 5, 0, 0, 0, 1, 0x2c };
	static const uint8_t other_then[] = { 7, 0, 1, 0xaa,
	    0, 0, 5, 0, 0, 0, 0, 9 };
	static const uint8_t max[] = { 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t other[] = { 7, 0, 0 };
	static const uint8_t four[] = { 0, 0, 4, 0, 0, 1, 0x2c };
	static const uint8_t six[] = { 0, 0, 6, 0, 0, 0, 0, 1, 0x2c };
	static const uint8_t twice[] = { 0, 0, 5, 0, 0, 0, 1, 0x2c,
	    0, 0, 5, 0, 0, 0, 1, 0x2c };
	static const uint8_t other_twice[] = { 7, 0, 0, 7, 0, 0 };
	static const uint8_t cut[] = { 0, 0, 5, 0, 0, 0 };
	static const uint8_t lone[] = { 0 };
	const enum ctdns_outcome inv = CTDNS_SCT_INVALID, nz = CTDNS_NO_ZONE;
	const struct ext_case cases[] = {
		{ "leaf_index 300", idx300, sizeof idx300, nz, true, 300 },
		{ "another type, then leaf_index 9", other_then,
		    sizeof other_then, nz, true, 9 },
		{ "leaf_index 2^40 - 1", max, sizeof max, nz, true,
		    (UINT64_C(1) << 40) - 1 },
		{ "another type only: no index", other, sizeof other, nz,
		    false, 0 },
		{ "a 4-byte leaf_index", four, sizeof four, inv, false, 0 },
		{ "a 6-byte leaf_index", six, sizeof six, inv, false, 0 },
		{ "leaf_index twice", twice, sizeof twice, inv, false, 0 },
		{ "another type twice", other_twice, sizeof other_twice, inv,
		    false, 0 },
		{ "a truncated extension", cut, sizeof cut, inv, false, 0 },
		{ "a lone type byte", lone, sizeof lone, inv, false, 0 },
	};
	char json[2048];

	/* The log is a tiled one, without a zone: valid SCTs stop at "no
	 * DNS zone", after the signature and the extensions were checked. */
	snprintf(json, sizeof json, "{\"operators\": [{\"tiled_logs\": [%s]}]}",
	    log_entry(false, true, ""));
	struct ctdns_loglist *l = tcl_load(json);
	for (size_t i = 0; l != NULL && i < sizeof cases / sizeof cases[0];
	    i++) {
		ext_case_run(&cases[i], l);
	}
	ctdns_loglist_free(l);
	snprintf(json, sizeof json, "{\"operators\": [{\"tiled_logs\": [%s]}]}",
	    log_entry(false, true, ", \"dns\": \"t.example\", \"state\": "
	    "{\"rejected\": {}}"));
	l = tcl_load(json);
	const struct ext_case rejected = { "a rejected tiled log", idx300,
	    sizeof idx300, CTDNS_LOG_REJECTED, false, 0 };
	if (l != NULL) {
		ext_case_run(&rejected, l);
	}
	ctdns_loglist_free(l);
}

int
main(void)
{
	if (!tcl_setup()) {
		printf("Bail out! cannot make the test CA\n");
		return 1;
	}
	test_tiled_list();
	test_leaf_index_ext();
	tcl_teardown();
	return done_testing();
}
