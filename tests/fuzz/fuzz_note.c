/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_note.c -- fuzz target: signed notes, checkpoints, verifier keys.
 *
 * Input: one selector byte, then the text. The selector's value modulo 4
 * picks: 0 note_parse and note_parse_checkpoint of its text, 1
 * note_vkey_parse, 2 note_open_rfc6962 under the Sycamore 2026h2 key
 * (tests/data/08_static_ct_checkpoint.json), 3 note_cosig_verify and
 * note_verify_ed25519 under fixed keys.
 *
 * Properties: only the documented codes; everything returned points into
 * the input; a parsed note's lines are within the limits and decode; a
 * checkpoint without extensions is canonical (rebuilt byte for byte from
 * its fields); a parsed vkey formats back to the same text; an opened
 * checkpoint's STH verifies on its own.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "fuzz.h"
#include "logkey.h"
#include "note.h"
#include "sth.h"

enum { SEL_NOTE, SEL_VKEY, SEL_RFC6962, SEL_ED25519, SEL_COUNT };

static const char sycamore_b64[] = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwR1F"
    "tiiMbpvxR+sIeiZ5JSCIDIdTAPh7OrpdchcrCcyNVDvNUq358pqJx2qdyrOI+EjGxZ7Ui"
    "PcN3bL3Q99FqA==";
static const char cosig_vkey[] = "witness.ctdns.test/w1+083498f8+"
    "BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char peter_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

/* Immutable after initialisation: no state survives an input. */
static struct logkey *sycamore;
static struct note_vkey cosigner, peter;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (logkey_from_b64(sycamore_b64, &sycamore) != CTD_OK ||
	    note_vkey_parse(cosig_vkey, strlen(cosig_vkey), &cosigner) !=
	    CTD_OK || note_vkey_parse(peter_vkey, strlen(peter_vkey), &peter)
	    != CTD_OK) {
		return 1;
	}
	return 0;
}

static bool
inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static void
check_checkpoint(const char *text, size_t len)
{
	struct checkpoint cp;
	char root[64], again[NOTE_MAX];
	int rc = note_parse_checkpoint(text, len, &cp);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
	if (rc != CTD_OK) {
		return;
	}
	FUZZ_CHECK(inside(cp.origin, cp.origin_len, text, len));
	FUZZ_CHECK(inside(cp.extensions, cp.extensions_len, text, len));
	if (cp.nextensions > 0) {
		return;
	}
	FUZZ_CHECK(base64_encode(cp.root, 32, root, sizeof(root), NULL) ==
	    CTD_OK);
	int n = snprintf(again, sizeof(again), "%.*s\n%" PRIu64 "\n%s\n",
	    (int)cp.origin_len, cp.origin, cp.tree_size, root);
	FUZZ_CHECK(n > 0 && (size_t)n == len && memcmp(again, text, len) == 0);
}

static void
check_note(const char *buf, size_t len)
{
	static struct note n;
	uint8_t sig[NOTE_SIG_MAX];
	size_t sig_len;
	int rc = note_parse(buf, len, &n);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
	if (rc != CTD_OK) {
		return;
	}
	FUZZ_CHECK(n.text == buf && n.text_len > 0 && n.text_len < len);
	FUZZ_CHECK(buf[n.text_len - 1] == '\n' && buf[n.text_len] == '\n');
	FUZZ_CHECK(n.nsigs + n.skipped >= 1 &&
	    n.nsigs + n.skipped <= NOTE_MAX_SIGS);
	for (size_t i = 0; i < n.nsigs; i++) {
		FUZZ_CHECK(inside(n.sigs[i].name, n.sigs[i].name_len, buf,
		    len));
		FUZZ_CHECK(inside(n.sigs[i].b64, n.sigs[i].b64_len, buf, len));
		FUZZ_CHECK(note_name_valid(n.sigs[i].name,
		    n.sigs[i].name_len));
		FUZZ_CHECK(note_sig_decode(&n.sigs[i], sig, sizeof(sig),
		    &sig_len) == CTD_OK && sig_len > 0);
	}
	check_checkpoint(n.text, n.text_len);
}

static void
check_vkey(const char *buf, size_t len)
{
	struct note_vkey v;
	char again[NOTE_VKEY_MAX];
	int rc = note_vkey_parse(buf, len, &v);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF || rc == CTD_ERANGE);
	if (rc == CTD_OK) {
		FUZZ_CHECK(note_vkey_format(&v, again, sizeof(again)) ==
		    CTD_OK);
		FUZZ_CHECK(strlen(again) == len && memcmp(again, buf, len) ==
		    0);
	}
}

static void
check_rfc6962(const char *buf, size_t len)
{
	struct sth sth;
	int rc = note_open_rfc6962(buf, len, NULL, sycamore, &sth, NULL);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF || rc == CTD_EVERIFY ||
	    rc == CTD_ENOTFOUND);
	if (rc == CTD_OK) {
		FUZZ_CHECK(sth_verify(&sth, sycamore) == CTD_OK);
	}
}

static void
check_ed25519(const char *buf, size_t len)
{
	static struct note n;
	uint64_t t = UINT64_MAX;
	if (note_parse(buf, len, &n) != CTD_OK) {
		return;
	}
	int rc = note_cosig_verify(&n, &cosigner, &t);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF || rc == CTD_EVERIFY ||
	    rc == CTD_ENOTFOUND);
	FUZZ_CHECK(rc != CTD_OK || t <= INT64_MAX);
	rc = note_verify_ed25519(&n, &peter);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF || rc == CTD_EVERIFY ||
	    rc == CTD_ENOTFOUND);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) {
		return 0;
	}
	size_t len = size - 1;
	char *buf = malloc(len > 0 ? len : 1);
	FUZZ_CHECK(buf != NULL);
	if (len > 0) {
		memcpy(buf, data + 1, len);
	}
	switch (data[0] % SEL_COUNT) {
	case SEL_NOTE:
		check_note(buf, len);
		break;
	case SEL_VKEY:
		check_vkey(buf, len);
		break;
	case SEL_RFC6962:
		check_rfc6962(buf, len);
		break;
	default:
		check_ed25519(buf, len);
		break;
	}
	free(buf);
	return 0;
}
