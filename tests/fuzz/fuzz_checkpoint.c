/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_checkpoint.c -- fuzz target: a checkpoint answer as the client
 * judges it (cpverify.c: the log's signature, then witness cosignatures).
 *
 * Input: the answer's text (its character-strings joined). It is opened
 * under the Sycamore 2026h2 key and origin
 * (tests/data/08_static_ct_checkpoint.json) with a policy of two witness
 * keys made from fixed seeds ("w1.example", seed 0x11 x 32; "w2.example",
 * seed 0x22 x 32), quorum 2. tests/fuzz/mkcpcorpus.py writes the seeds
 * (the Sycamore head cosigned by both, by one, tampered, reordered), with
 * its own Ed25519 (Python cryptography).
 *
 * Properties: only the documented codes; on success the STH verifies on
 * its own and the checkpoint points into the input with the expected
 * origin; the count equals the witnesses reported valid, each of which
 * verifies again with note_cosig_verify; the quorum follows the count.
 */
#include "config.h"

#include <string.h>

#include "cpverify.h"
#include "err.h"
#include "fuzz.h"
#include "logkey.h"
#include "note.h"
#include "sth.h"

static const char sycamore_b64[] = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwR1F"
    "tiiMbpvxR+sIeiZ5JSCIDIdTAPh7OrpdchcrCcyNVDvNUq358pqJx2qdyrOI+EjGxZ7Ui"
    "PcN3bL3Q99FqA==";
static const char origin[] = "log.sycamore.ct.letsencrypt.org/2026h2";

/* Immutable after initialisation: no state survives an input. */
static struct logkey *sycamore;
static struct cpverify_policy policy;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = { "w1.example", "w2.example" };
	(void)argc;
	(void)argv;
	if (logkey_from_b64(sycamore_b64, &sycamore) != CTD_OK) {
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		uint8_t seed[NOTE_ED25519_LEN];
		char text[NOTE_VKEY_MAX];
		struct note_vkey k;
		memset(seed, 0x11 * (i + 1), sizeof seed);
		if (note_vkey_from_seed(names[i], strlen(names[i]),
		    NOTE_TYPE_COSIG_V1, seed, &k) != CTD_OK ||
		    note_vkey_format(&k, text, sizeof text) != CTD_OK ||
		    cpverify_policy_add(&policy, text, strlen(text)) !=
		    CTD_OK) {
			return 1;
		}
	}
	policy.quorum = 2;
	return 0;
}

static void
check_opened(const char *buf, size_t len, const struct cpverify_result *r)
{
	struct note n;
	unsigned valid = 0;

	FUZZ_CHECK(sth_verify(&r->sth, sycamore) == CTD_OK);
	FUZZ_CHECK(r->cp.origin >= buf && r->cp.origin + r->cp.origin_len <=
	    buf + len);
	FUZZ_CHECK(r->cp.origin_len == strlen(origin) &&
	    memcmp(r->cp.origin, origin, r->cp.origin_len) == 0);
	FUZZ_CHECK(r->cp.tree_size == r->sth.tree_size &&
	    memcmp(r->cp.root, r->sth.root, MERKLE_HASH_LEN) == 0);
	FUZZ_CHECK(note_parse(buf, len, &n) == CTD_OK);
	for (size_t i = 0; i < policy.count; i++) {
		if (r->witness[i] == CPVERIFY_VALID) {
			valid++;
			FUZZ_CHECK(note_cosig_verify(&n, &policy.keys[i], NULL)
			    == CTD_OK);
		}
	}
	FUZZ_CHECK(valid == r->cosigned && valid <= policy.count);
	FUZZ_CHECK(cpverify_quorum_met(&policy, r) == (valid >= 2));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct cpverify_result r;
	int rc = cpverify_open(buf, size, origin, sycamore, &policy, &r);

	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF || rc == CTD_EVERIFY ||
	    rc == CTD_ENOTFOUND);
	if (rc == CTD_OK) {
		check_opened(buf, size, &r);
	}
	return 0;
}
