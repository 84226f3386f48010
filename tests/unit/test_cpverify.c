/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cpverify.c -- a checkpoint answer against a witness policy
 * (lib/cpverify.c): the log's signature for the expected origin, then a
 * quorum of distinct cosignature/v1 witnesses.
 *
 * The log is real: the Sycamore STH of
 * tests/data/08_static_ct_checkpoint.json, rebuilt as a note with
 * note_build.c. The witnesses are keys made here from fixed seeds, their
 * cosignatures signed here with note_cosig_sign(); an unknown witness, a
 * tampered line, a cosignature of another head and a repeated line show
 * what does not count. Then the same through libctdns' per-SCT state
 * machine (vstate.c) with a policy on the log: the head is asked at
 * checkpoint.<zone>, and without its quorum no leaf question follows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../tap.h"
#define TESTDATA_DIR "."
#define MAX_FIELDS 8
#include "../testdata.h"
#include "cpverify.h"
#include "ctdns.h"
#include "err.h"
#include "internal.h"
#include "logkey.h"
#include "note.h"

int main(void);

#define NKEYS 4		/* 0..2 configured, 3 unknown */

static struct logkey *log_key;
static char origin[NOTE_ORIGIN_MAX + 1];
static struct sth head;
static char text[NOTE_CHECKPOINT_TEXT_MAX];
static size_t text_len;
static struct note_vkey keys[NKEYS];
static uint8_t seeds[NKEYS][32];
static char vkeys[NKEYS][NOTE_VKEY_MAX];
static char buf[NOTE_MAX];

static bool
load(void)
{
	json_error_t jerr;
	json_t *v = json_load_file(testdata_path(
	    "08_static_ct_checkpoint.json"), 0, &jerr);
	const char *cp, *o;
	bool good = false;

	if (v == NULL) {
		return false;
	}
	cp = json_string_value(json_object_get(v, "checkpoint"));
	o = json_string_value(json_object_get(json_object_get(v, "expected"),
	    "origin"));
	if (cp != NULL && o != NULL && strlen(o) < sizeof origin &&
	    logkey_from_b64(json_string_value(json_object_get(
	    json_object_get(v, "log"), "key")), &log_key) == CTD_OK &&
	    note_open_rfc6962(cp, strlen(cp), o, log_key, &head, NULL) ==
	    CTD_OK) {
		snprintf(origin, sizeof origin, "%s", o);
		good = note_checkpoint_text(origin, strlen(origin),
		    head.tree_size, head.root, text, sizeof text, &text_len) ==
		    CTD_OK;
	}
	json_decref(v);
	for (int i = 0; good && i < NKEYS; i++) {
		char name[32];
		snprintf(name, sizeof name, "witness-%c.example", 'a' + i);
		memset(seeds[i], 0x40 + i, 32);
		good = note_vkey_from_seed(name, strlen(name),
		    NOTE_TYPE_COSIG_V1, seeds[i], &keys[i]) == CTD_OK &&
		    note_vkey_format(&keys[i], vkeys[i], sizeof vkeys[i]) ==
		    CTD_OK;
	}
	return good;
}

/* The note: text, the log's line, then cosignatures of the witnesses in
 * `who` (a string of indices, 'x' for a line over another head). */
static size_t
build(const char *who)
{
	char line[NOTE_RFC6962_LINE_MAX], other[NOTE_CHECKPOINT_TEXT_MAX];
	size_t at, n, olen;

	memcpy(buf, text, text_len);
	at = text_len;
	buf[at++] = '\n';
	note_rfc6962_line(origin, strlen(origin), logkey_id(log_key), &head,
	    line, sizeof line, &n);
	memcpy(buf + at, line, n);
	at += n;
	note_checkpoint_text(origin, strlen(origin), head.tree_size + 1,
	    head.root, other, sizeof other, &olen);
	for (const char *p = who; *p != '\0'; p++) {
		bool over_other = p[1] == 'x';
		int i = *p - '0';
		note_cosig_sign(&keys[i], seeds[i], over_other ? other : text,
		    over_other ? olen : text_len, 1780000000u + (unsigned)i,
		    buf + at, sizeof buf - at, &n);
		at += n;
		p += over_other;
	}
	buf[at] = '\0';
	return at;
}

static struct cpverify_policy policy;

static void
test_policy(void)
{
	struct cpverify_policy p;
	struct note_vkey ed;
	char edtext[NOTE_VKEY_MAX];

	memset(&p, 0, sizeof p);
	is_int(cpverify_policy_add(&p, vkeys[0], strlen(vkeys[0])), CTD_OK,
	    "a cosignature/v1 key is added");
	is_int(cpverify_policy_add(&p, vkeys[0], strlen(vkeys[0])), CTD_EINVAL,
	    "the same key twice is refused: a quorum counts distinct keys");
	note_vkey_from_seed("ed.example", 10, NOTE_TYPE_ED25519, seeds[1], &ed);
	note_vkey_format(&ed, edtext, sizeof edtext);
	is_int(cpverify_policy_add(&p, edtext, strlen(edtext)), CTD_ERANGE,
	    "an Ed25519 (0x01) note key is not a witness key");
	is_int(cpverify_policy_add(&p, "junk", 4), CTD_EMALF, "junk refused");
	for (int i = 0; i < 3; i++) {
		cpverify_policy_add(&policy, vkeys[i], strlen(vkeys[i]));
	}
	policy.quorum = 2;
	is_int(policy.count, 3, "policy of three witnesses, quorum 2");
}

static void
expect(const char *who, int rc, unsigned cosigned, bool met,
    const char *what)
{
	struct cpverify_result r;
	size_t len = build(who);
	int got = cpverify_open(buf, len, origin, log_key, &policy, &r);

	ok(got == rc && (rc != CTD_OK || (r.cosigned == cosigned &&
	    cpverify_quorum_met(&policy, &r) == met)), "%s", what);
	if (got != rc || r.cosigned != cosigned) {
		diag("rc %d cosigned %u", got, r.cosigned);
	}
}

static void
test_quorum(void)
{
	struct cpverify_result r;
	size_t len;

	expect("", CTD_OK, 0, false, "no cosignature: log signature only, "
	    "no quorum");
	expect("0", CTD_OK, 1, false, "one of three: no quorum");
	expect("01", CTD_OK, 2, true, "two of three: quorum");
	expect("210", CTD_OK, 3, true, "three, any order: quorum");
	expect("00", CTD_OK, 1, false, "one witness's line twice counts once");
	expect("03", CTD_OK, 1, false, "an unknown witness does not count");
	expect("01x", CTD_OK, 1, false, "a cosignature of another head does "
	    "not count");
	len = build("01x2");
	ok(cpverify_open(buf, len, origin, log_key, &policy, &r) == CTD_OK &&
	    r.witness[0] == CPVERIFY_VALID && r.witness[1] == CPVERIFY_BAD &&
	    r.witness[2] == CPVERIFY_VALID && r.cosigned == 2 &&
	    r.time[2] == 1780000002u, "each witness reported: valid, bad, "
	    "valid (with its time)");
	len = build("01");
	buf[len - 10] = buf[len - 10] == 'A' ? 'B' : 'A';
	ok(cpverify_open(buf, len, origin, log_key, &policy, &r) == CTD_OK &&
	    r.cosigned == 1 && r.witness[1] == CPVERIFY_BAD,
	    "a tampered cosignature is bad, not counted");
	len = build("012");
	is_int(cpverify_open(buf, len, "another.example/log", log_key, &policy,
	    &r), CTD_EVERIFY, "another origin than expected: EVERIFY, even "
	    "with every cosignature");
	is_int(cpverify_open(buf, len, origin, log_key, NULL, &r), CTD_OK,
	    "no policy: the log's signature alone");
	ok(r.cosigned == 0 && cpverify_quorum_met(NULL, &r),
	    "  and nothing counted");
	len = build("01");
	/* The root's first base64 character (44 characters and a newline
	 * end the text). */
	buf[text_len - 45] = buf[text_len - 45] == 'A' ? 'B' : 'A';
	is_int(cpverify_open(buf, len, origin, log_key, &policy, &r),
	    CTD_EVERIFY, "another root: the log's signature fails");
}

/* A vstate for a log with the policy, fed a checkpoint of witnesses who. */
static void
walk(struct ll_log *l, const char *who, enum ctdns_outcome want_outcome,
    bool want_hash, const char *what)
{
	static struct dnsq_answer a;
	static struct vstate vs;
	struct ctdns_sct_result res;
	struct vstate_question q;
	uint8_t leaf[32] = { 0 };

	memset(&res, 0, sizeof res);
	vstate_init(&vs, l, head.timestamp - 1000, leaf, head.timestamp,
	    &res);
	if (!ok(vstate_next(&vs, &q) && strcmp(q.label, l->policy != NULL ?
	    "checkpoint" : "sth") == 0, "%s: asks %s", what, q.label)) {
		return;
	}
	memset(&a, 0, sizeof a);
	a.len = build(who);
	memcpy(a.txt, buf, a.len);
	a.ttl = 60;
	vstate_feed(&vs, &a);
	if (want_hash) {
		ok(vstate_next(&vs, &q) && strcmp(q.what, "hash") == 0 &&
		    res.witnesses_cosigned == strlen(who),
		    "%s: then the leaf's hash (%u cosigned)", what,
		    res.witnesses_cosigned);
		return;
	}
	ok(!vstate_next(&vs, &q) && res.outcome == want_outcome,
	    "%s: %s (%s)", what, ctdns_outcome_name(want_outcome), res.detail);
}

static void
test_vstate(void)
{
	struct ll_log l = { .key = log_key, .zone = "cp.example.",
	    .mmd_ms = 86400000, .origin = origin, .policy = &policy };

	walk(&l, "01", CTDNS_INCLUDED, true, "quorum 2 of 3");
	walk(&l, "2", CTDNS_NO_QUORUM, false, "one cosignature");
	ok(ctdns_outcome_is_failure(CTDNS_NO_QUORUM),
	    "no quorum is a failure");
	l.origin = "other.example/log";
	walk(&l, "012", CTDNS_PROOF_FAILED, false, "another origin");
	l.origin = origin;
	policy.quorum = 0;
	walk(&l, "", CTDNS_INCLUDED, true, "quorum 0: the log's signature");
	policy.quorum = 2;
}

int
main(void)
{
	if (!ok(load(), "Sycamore head and witness keys")) {
		return exit_status();
	}
	test_policy();
	test_quorum();
	test_vstate();
	logkey_free(log_key);
	return done_testing();
}
