/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_note.c -- signed notes, checkpoints, RFC 6962 note signatures,
 * Ed25519 verifier keys and cosignature/v1.
 *
 * Data: tests/data/08_static_ct_checkpoint.json (a real Let's Encrypt
 * Sycamore 2026h2 checkpoint with the log's key: grease, an Ed25519-sized
 * and an ML-DSA-44 line beside the RFC 6962 one); the PeterNeumann key,
 * note and signature of golang.org/x/mod/sumdb/note (note_test.go), an
 * independent implementation's known answer; tests/data/note/cosig.txt, a
 * cosignature/v1 known answer derived with Python cryptography.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../tap.h"
#include "base64.h"
#include "err.h"
#include "logkey.h"
#include "note.h"
#include "sth.h"

int main(void);

#define TESTDATA_DIR "."
#define MAX_FIELDS 8
#include "../testdata.h"

/* golang.org/x/mod/sumdb/note note_test.go. */
static const char peter_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char peter_skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+"
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_text[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
static const char peter_sig[] = "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n";

static char note_buf[NOTE_MAX * 2];

/* peter_text, a blank line, then the lines given. */
static size_t
peter_note(const char *lines)
{
	return (size_t)snprintf(note_buf, sizeof(note_buf), "%s\n%s",
	    peter_text, lines);
}

static int
parse_str(const char *s, struct note *n)
{
	return note_parse(s, strlen(s), n);
}

/* --- the Sycamore checkpoint ---------------------------------------------- */

static json_t *vec;
static struct logkey *sycamore;
static const char *cp_text, *origin;

static int
open_str(const char *s, const char *want_origin, struct sth *sth)
{
	return note_open_rfc6962(s, strlen(s), want_origin, sycamore, sth,
	    NULL);
}

/* A copy of the checkpoint with the first `from` replaced by `to`. */
static const char *
edited(const char *from, const char *to)
{
	const char *at = strstr(cp_text, from);
	if (at == NULL) {
		return "";
	}
	snprintf(note_buf, sizeof(note_buf), "%.*s%s%s", (int)(at - cp_text),
	    cp_text, to, at + strlen(from));
	return note_buf;
}

static void
test_sycamore_lines(void)
{
	struct note n;
	json_t *lines = json_object_get(json_object_get(vec, "expected"),
	    "signature_lines");

	is_int(parse_str(cp_text, &n), CTD_OK, "Sycamore note parses");
	is_int(n.nsigs, json_array_size(lines), "all 4 signature lines kept");
	is_int(n.skipped, 0, "no line skipped");
	bool same = n.nsigs == json_array_size(lines);
	for (size_t i = 0; same && i < n.nsigs; i++) {
		json_t *l = json_array_get(lines, i);
		const char *name = json_string_value(json_object_get(l,
		    "key_name"));
		unsigned long id = strtoul(json_string_value(
		    json_object_get(l, "key_id_hex")), NULL, 16);
		same = n.sigs[i].key_id == id &&
		    n.sigs[i].name_len == strlen(name) &&
		    memcmp(n.sigs[i].name, name, strlen(name)) == 0;
	}
	ok(same, "each line's key name and key ID as expected");
	uint8_t sig[NOTE_SIG_MAX];
	size_t len = 0;
	ok(n.nsigs == 4 && note_sig_decode(&n.sigs[2], sig, sizeof(sig),
	    &len) == CTD_OK && len == 8 + 2420,
	    "ML-DSA-44 line decodes (timestamp || 2420-byte signature)");

	struct checkpoint cp;
	uint8_t root[32];
	size_t rlen;
	const char *root_b64 = "T8UCcekDJFN60lxnizK5FomQPQR6m9iMvRaoxgIwaxc=";
	base64_decode(root_b64, strlen(root_b64), root, sizeof(root), &rlen);
	is_int(note_parse_checkpoint(n.text, n.text_len, &cp), CTD_OK,
	    "checkpoint body parses");
	ok(cp.origin_len == strlen(origin) &&
	    memcmp(cp.origin, origin, cp.origin_len) == 0, "origin");
	is_int(cp.tree_size, 966490541, "tree size");
	is_mem(cp.root, root, 32, "root");
	is_int(cp.nextensions, 0, "no extension lines");
	unsigned long want = strtoul(json_string_value(json_object_get(
	    json_object_get(vec, "expected"), "rfc6962_key_id_hex")), NULL, 16);
	is_int(note_key_id(origin, strlen(origin), NOTE_TYPE_RFC6962,
	    logkey_id(sycamore), 32), want, "RFC 6962 key ID aee62413");
}

static void
test_sycamore_open(void)
{
	struct sth sth;
	struct checkpoint cp;
	json_t *exp = json_object_get(vec, "expected");
	json_t *want = json_object_get(exp, "sth");
	char txt[STH_TXT_MAX];
	size_t len;

	is_int(note_open_rfc6962(cp_text, strlen(cp_text), origin, sycamore,
	    &sth, &cp), CTD_OK, "Sycamore checkpoint opens with its key");
	is_int(sth.tree_size, json_integer_value(json_object_get(want,
	    "tree_size")), "STH tree size");
	is_int(sth.timestamp, json_integer_value(json_object_get(want,
	    "timestamp")), "STH timestamp");
	is_int(sth_verify(&sth, sycamore), CTD_OK, "sth_verify accepts it");
	ok(sth_to_txt(&sth, txt, sizeof(txt), &len) == CTD_OK &&
	    strcmp(txt, json_string_value(json_object_get(exp, "sth_txt")))
	    == 0, "its TXT text is the expected one");
	is_int(cp.tree_size, sth.tree_size, "checkpoint out matches");
	is_int(open_str(cp_text, NULL, &sth), CTD_OK,
	    "opens with the checkpoint's own origin");
	is_int(open_str(cp_text, "log.sycamore.ct.letsencrypt.org/2026h1",
	    &sth), CTD_EVERIFY, "another expected origin fails");

	ok(open_str(edited("T8UCcekD", "T8UCcekE"), origin, &sth) ==
	    CTD_EVERIFY, "tampered root fails");
	ok(open_str(edited("\n966490541\n", "\n966490542\n"), origin, &sth) ==
	    CTD_EVERIFY, "tampered size fails");
	ok(open_str(edited("ruYkEwAAAaDXv2Q3", "ruYkEwAAAaDXv2Q4"), origin,
	    &sth) == CTD_EVERIFY, "tampered timestamp fails");
	ok(open_str(edited("CIQD/i5FXcZiNZ", "CIQD/i5FXcZiNa"), origin,
	    &sth) == CTD_EVERIFY, "tampered signature byte fails");
	ok(open_str(edited("BAMASDBG", "BAMATDBG"), origin, &sth) ==
	    CTD_EMALF, "DigitallySigned with a wrong length is malformed");
	const char *moved = edited("org/2026h2\n966", "org/2026h3\n966");
	is_int(open_str(moved, NULL, &sth), CTD_ENOTFOUND,
	    "tampered origin: no line of the log's key");
	is_int(open_str(moved, origin, &sth), CTD_EVERIFY,
	    "tampered origin vs the expected one fails");
	is_int(open_str(edited("xgIwaxc=\n", "xgIwaxc=\next\n"), origin, &sth),
	    CTD_EMALF, "an extension line is refused");
	is_int(open_str(edited("\xe2\x80\x94 log.sycamore.ct.letsencrypt.org/"
	    "2026h2 ruYk", "\xe2\x80\x94 grease.invalid ruYk"), origin, &sth),
	    CTD_ENOTFOUND, "without the log's line: not found");
}

/* A note built from the verified Sycamore STH (note_build.c). */
static void
test_sycamore_build(void)
{
	struct sth sth, again;
	char text[NOTE_CHECKPOINT_TEXT_MAX], line[NOTE_RFC6962_LINE_MAX];
	size_t text_len = 0, line_len = 0, olen = strlen(origin);

	if (!ok(open_str(cp_text, origin, &sth) == CTD_OK, "STH to build from")) {
		return;
	}
	is_int(note_checkpoint_text(origin, olen, sth.tree_size, sth.root,
	    text, sizeof(text), &text_len), CTD_OK, "checkpoint text built");
	ok(text_len < strlen(cp_text) && memcmp(text, cp_text, text_len) == 0 &&
	    cp_text[text_len] == '\n', "it is the log's own checkpoint text");
	is_int(note_rfc6962_line(origin, olen, logkey_id(sycamore), &sth, line,
	    sizeof(line), &line_len), CTD_OK, "RFC6962NoteSignature line built");
	ok(line_len == strlen(line) && line_len > 0 &&
	    strstr(cp_text, line) != NULL, "it is the log's own line, byte "
	    "for byte");
	snprintf(note_buf, sizeof(note_buf), "%s\n%s", text, line);
	is_int(open_str(note_buf, origin, &again), CTD_OK,
	    "the built note opens with the log's key");
	ok(again.tree_size == sth.tree_size && again.timestamp ==
	    sth.timestamp && again.sig_len == sth.sig_len &&
	    memcmp(again.root, sth.root, 32) == 0 &&
	    memcmp(again.sig, sth.sig, sth.sig_len) == 0, "to the same STH");

	/* Built for another origin: the RFC 6962 signature does not cover
	 * the origin, so only the expected origin catches it. */
	note_checkpoint_text("example.org/x", 13, sth.tree_size, sth.root,
	    text, sizeof(text), &text_len);
	note_rfc6962_line("example.org/x", 13, logkey_id(sycamore), &sth,
	    line, sizeof(line), &line_len);
	snprintf(note_buf, sizeof(note_buf), "%s\n%s", text, line);
	is_int(open_str(note_buf, NULL, &again), CTD_OK,
	    "another origin opens when none is expected");
	is_int(open_str(note_buf, origin, &again), CTD_EVERIFY,
	    "and fails against the expected origin");

	is_int(note_checkpoint_text("", 0, 1, sth.root, text, sizeof(text),
	    &text_len), CTD_EINVAL, "empty origin refused");
	is_int(note_checkpoint_text("a b", 3, 1, sth.root, text, sizeof(text),
	    &text_len), CTD_EINVAL, "origin with a space refused");
	is_int(note_checkpoint_text("a\nb", 3, 1, sth.root, text, sizeof(text),
	    &text_len), CTD_EINVAL, "origin with a newline refused");
	is_int(note_checkpoint_text(origin, olen, sth.tree_size, sth.root,
	    text, olen + 10, &text_len), CTD_ESPACE, "short buffer: ESPACE");
	is_int(note_rfc6962_line(origin, olen, logkey_id(sycamore), &sth, line,
	    line_len, &line_len), CTD_ESPACE, "line without room for its NUL");
	sth.sig_len = STH_SIG_MAX + 1;
	is_int(note_rfc6962_line(origin, olen, logkey_id(sycamore), &sth, line,
	    sizeof(line), &line_len), CTD_EINVAL, "oversized signature refused");
}

static void
test_sycamore(void)
{
	json_error_t jerr;
	vec = json_load_file(testdata_path("08_static_ct_checkpoint.json"), 0,
	    &jerr);
	if (!ok(vec != NULL, "load 08_static_ct_checkpoint.json")) {
		diag("%s", jerr.text);
		return;
	}
	cp_text = json_string_value(json_object_get(vec, "checkpoint"));
	origin = json_string_value(json_object_get(json_object_get(vec,
	    "expected"), "origin"));
	is_int(logkey_from_b64(json_string_value(json_object_get(
	    json_object_get(vec, "log"), "key")), &sycamore), CTD_OK,
	    "Sycamore key loads");
	if (sycamore == NULL || cp_text == NULL || origin == NULL) {
		return;
	}
	test_sycamore_lines();
	test_sycamore_open();
	test_sycamore_build();
}

/* --- Ed25519 notes: the golang.org/x/mod/sumdb/note known answer ---------- */

static void
test_peter(void)
{
	struct note_vkey v, from_skey;
	struct note n;
	uint8_t seed[32];
	char text[NOTE_VKEY_MAX], line[NOTE_LINE_MAX];
	size_t len;

	is_int(note_vkey_parse(peter_vkey, strlen(peter_vkey), &v), CTD_OK,
	    "PeterNeumann vkey parses");
	ok(v.type == NOTE_TYPE_ED25519 && v.key_id == 0xc74f20a3 &&
	    strcmp(v.name, "PeterNeumann") == 0, "its name, type and ID");
	ok(note_vkey_format(&v, text, sizeof(text)) == CTD_OK &&
	    strcmp(text, peter_vkey) == 0, "formats back to the same text");
	is_int(note_skey_parse(peter_skey, strlen(peter_skey), seed,
	    &from_skey), CTD_OK, "PeterNeumann signer key parses");
	ok(memcmp(&from_skey.pub, v.pub, 32) == 0 &&
	    from_skey.key_id == v.key_id, "its public half is the vkey");
	is_int(note_sign_ed25519(&v, seed, peter_text, strlen(peter_text),
	    line, sizeof(line), &len), CTD_OK, "signing works");
	ok(strcmp(line, peter_sig) == 0 && len == strlen(peter_sig),
	    "the signature line is Go's, byte for byte");
	peter_note(peter_sig);
	is_int(parse_str(note_buf, &n), CTD_OK, "Peter's note parses");
	is_int(note_verify_ed25519(&n, &v), CTD_OK, "and verifies");
	note_buf[3] ^= 0x20;
	ok(parse_str(note_buf, &n) == CTD_OK &&
	    note_verify_ed25519(&n, &v) == CTD_EVERIFY, "edited text fails");

	/* Every one-character change of the vkey is refused (as Go's). */
	char bad[sizeof(peter_vkey)];
	int accepted = 0;
	for (size_t i = 0; i < strlen(peter_vkey); i++) {
		memcpy(bad, peter_vkey, sizeof(bad));
		bad[i]++;
		accepted += note_vkey_parse(bad, strlen(bad), &v) == CTD_OK;
		accepted += note_vkey_parse(peter_vkey, i, &v) == CTD_OK;
	}
	is_int(accepted, 0, "no mangled or cut vkey parses");
	is_int(note_vkey_parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBf"
	    "sVkmqq/LDE4izWy10TW", 66, &v), CTD_EMALF, "upper-case hex refused");
	is_int(note_vkey_parse("a+00000000+Ag==", 15, &v), CTD_ERANGE,
	    "another key type is out of range");
}

/* --- note format ---------------------------------------------------------- */

static void
test_format(void)
{
	struct note n;
	struct note_vkey v;
	char lines[NOTE_MAX];
	size_t off = 0;

	note_vkey_parse(peter_vkey, strlen(peter_vkey), &v);
	/* 15 unknown lines then Peter's: 16 accepted. */
	for (int i = 0; i < 15; i++) {
		off += (size_t)snprintf(lines + off, sizeof(lines) - off,
		    "\xe2\x80\x94 grease%d.invalid AAAAAAAA\n", i);
	}
	snprintf(lines + off, sizeof(lines) - off, "%s", peter_sig);
	peter_note(lines);
	ok(parse_str(note_buf, &n) == CTD_OK && n.nsigs == 16 &&
	    note_verify_ed25519(&n, &v) == CTD_OK, "16 signatures accepted");
	for (int i = 15; i < NOTE_MAX_SIGS - 1; i++) {
		off += (size_t)snprintf(lines + off, sizeof(lines) - off,
		    "\xe2\x80\x94 grease%d.invalid AAAAAAAA\n", i);
	}
	snprintf(lines + off, sizeof(lines) - off, "%s", peter_sig);
	peter_note(lines);
	ok(parse_str(note_buf, &n) == CTD_OK && n.nsigs == NOTE_MAX_SIGS,
	    "NOTE_MAX_SIGS signatures accepted");
	snprintf(lines + off, sizeof(lines) - off, "junk\n%s", peter_sig);
	peter_note(lines);
	is_int(parse_str(note_buf, &n), CTD_EMALF, "one more is refused");

	peter_note("junk line\n\xe2\x80\x94 a+b AAAAAAAA\n\xe2\x80\x94 x "
	    "AAAAAA==\n\xe2\x80\x94 y AAAAAAAA=\n\xe2\x80\x94  AAAAAAAA\n"
	    "\xe2\x80\x94 z AAAA AAAA\n-- z AAAAAAAA\n");
	strcat(note_buf, peter_sig);
	ok(parse_str(note_buf, &n) == CTD_OK && n.skipped == 7 &&
	    n.nsigs == 1 && note_verify_ed25519(&n, &v) == CTD_OK,
	    "malformed signature lines skipped, not fatal");
	peter_note("\xe2\x80\x94 PeterNeumann x08go/ZJ\n");
	strcat(note_buf, peter_sig);
	ok(parse_str(note_buf, &n) == CTD_OK && n.nsigs == 2 &&
	    note_verify_ed25519(&n, &v) == CTD_EMALF,
	    "a short signature of a known key fails the note");
	peter_note("\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupL"
	    "Lr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAA=\n");
	strcat(note_buf, peter_sig);
	ok(parse_str(note_buf, &n) == CTD_OK &&
	    note_verify_ed25519(&n, &v) == CTD_EVERIFY,
	    "a bad line of a known key fails the note");

	size_t len = peter_note(peter_sig);
	is_int(note_parse(note_buf, len - 1, &n), CTD_EMALF,
	    "no final newline");
	is_int(parse_str(peter_sig, &n), CTD_EMALF, "no text");
	is_int(parse_str(peter_text, &n), CTD_EMALF, "no blank line");
	is_int(parse_str("a\n\n", &n), CTD_EMALF, "no signature line");
	is_int(parse_str("\n\n\xe2\x80\x94 a AAAAAAAA\n", &n), CTD_EMALF,
	    "empty text");
	ok(parse_str("a\n\nb\n\n\xe2\x80\x94 a AAAAAAAA\n", &n) == CTD_OK &&
	    n.text_len == 5, "text split at the last blank line");
	is_int(parse_str("a\tb\n\n\xe2\x80\x94 a AAAAAAAA\n", &n), CTD_EMALF,
	    "control character");
	is_int(parse_str("a\xff\n\n\xe2\x80\x94 a AAAAAAAA\n", &n), CTD_EMALF,
	    "invalid UTF-8");
	is_int(parse_str("a\xc0\xaf\n\n\xe2\x80\x94 a AAAAAAAA\n", &n),
	    CTD_EMALF, "overlong UTF-8");
	is_int(parse_str("a\xed\xa0\x80\n\n\xe2\x80\x94 a AAAAAAAA\n", &n),
	    CTD_EMALF, "UTF-8 surrogate");
	memset(note_buf, 'a', NOTE_MAX + 1);
	memcpy(note_buf + NOTE_MAX + 1 - 17, "\n\n\xe2\x80\x94 a AAAAAAAA\n",
	    17);
	ok(note_parse(note_buf, NOTE_MAX + 1, &n) == CTD_EMALF &&
	    note_parse(note_buf + 1, NOTE_MAX, &n) == CTD_OK,
	    "NOTE_MAX bytes accepted, one more refused");

	ok(note_name_valid("example.com/log", 15), "plain name valid");
	ok(note_name_valid("caf\xc3\xa9", 5), "non-ASCII name valid");
	ok(!note_name_valid("", 0), "empty name invalid");
	ok(!note_name_valid("a+b", 3), "'+' invalid");
	ok(!note_name_valid("a b", 3), "space invalid");
	ok(!note_name_valid("a\xc2\xa0" "b", 4), "U+00A0 invalid");
	ok(!note_name_valid("a\xe2\x80\x83" "b", 5), "U+2003 invalid");
	ok(!note_name_valid("a\xe3\x80\x80", 4), "U+3000 invalid");
}

static void
test_checkpoint(void)
{
	static const char *bad[] = {
		"", "o\n1\n", "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n18446744073709551616\n"
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\nx\n",
	};
	struct checkpoint cp;
	int refused = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = note_parse_checkpoint(bad[i], strlen(bad[i]), &cp);
		if (rc == CTD_EMALF) {
			refused++;
		} else {
			diag("accepted: bad checkpoint %zu", i);
		}
	}
	is_int(refused, sizeof(bad) / sizeof(bad[0]), "bad checkpoints refused");
	const char *ext = "o\n18446744073709551615\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nx\ny z\n";
	ok(note_parse_checkpoint(ext, strlen(ext), &cp) == CTD_OK &&
	    cp.tree_size == UINT64_MAX && cp.nextensions == 2 &&
	    cp.extensions_len == 6 && memcmp(cp.extensions, "x\ny z\n", 6) == 0,
	    "extension lines reported, largest size accepted");
}

/* --- cosignature/v1 ------------------------------------------------------- */

static struct note_vkey cosig_key;
static uint8_t cosig_seed[32];
static unsigned long long cosig_time;
static char cosig_b64[256];

static void
load_cosig(char **f, int n)
{
	if (n != 5) {
		ok(0, "cosig.txt line has 5 fields");
		return;
	}
	is_int(note_vkey_parse(f[1], strlen(f[1]), &cosig_key), CTD_OK,
	    "cosigner vkey parses");
	ok(cosig_key.type == NOTE_TYPE_COSIG_V1 &&
	    strcmp(cosig_key.name, f[0]) == 0, "type 0x04, its name");
	testdata_unhex(f[2], cosig_seed, sizeof(cosig_seed));
	cosig_time = strtoull(f[3], NULL, 10);
	snprintf(cosig_b64, sizeof(cosig_b64), "%s", f[4]);
}

static void
test_cosig(void)
{
	struct note_vkey v, other;
	struct note n;
	char line[NOTE_LINE_MAX], want[NOTE_LINE_MAX + 256];
	uint64_t t = 0;
	size_t len;

	if (testdata_each_line("note/cosig.txt", load_cosig) != 1 ||
	    cp_text == NULL) {
		ok(0, "cosig.txt has one vector and the checkpoint loaded");
		return;
	}
	ok(note_vkey_from_seed(cosig_key.name, cosig_key.name_len,
	    NOTE_TYPE_COSIG_V1, cosig_seed, &v) == CTD_OK &&
	    strcmp(v.name, cosig_key.name) == 0 &&
	    v.key_id == cosig_key.key_id && v.type == cosig_key.type &&
	    memcmp(v.pub, cosig_key.pub, 32) == 0,
	    "vkey from the seed is the parsed one");
	size_t text_len = strstr(cp_text, "\n\n") + 1 - cp_text;
	is_int(note_cosig_sign(&v, cosig_seed, cp_text, text_len, cosig_time,
	    line, sizeof(line), &len), CTD_OK, "cosigning works");
	snprintf(want, sizeof(want), "\xe2\x80\x94 %s %s\n", v.name, cosig_b64);
	ok(strcmp(line, want) == 0, "the line is the known answer");

	/* The Sycamore note with the cosignature appended. */
	snprintf(note_buf, sizeof(note_buf), "%s%s", cp_text, line);
	is_int(parse_str(note_buf, &n), CTD_OK, "cosigned note parses");
	ok(note_cosig_verify(&n, &v, &t) == CTD_OK && t == cosig_time,
	    "cosignature verifies, with its time");
	struct sth sth;
	is_int(open_str(note_buf, origin, &sth), CTD_OK,
	    "the log's signature still verifies beside it");
	is_int(note_verify_ed25519(&n, &v), CTD_EINVAL,
	    "a cosigner key is not an Ed25519 note key");

	uint8_t seed2[32];
	memset(seed2, 0x42, sizeof(seed2));
	note_vkey_from_seed("w2.example", 10, NOTE_TYPE_COSIG_V1, seed2,
	    &other);
	is_int(note_cosig_verify(&n, &other, NULL), CTD_ENOTFOUND,
	    "another cosigner: not found");
	is_int(note_cosig_sign(&other, cosig_seed, cp_text, text_len, 1, line,
	    sizeof(line), NULL), CTD_EINVAL, "a seed not of the key refused");
	is_int(note_cosig_sign(&other, seed2, cp_text, text_len,
	    (uint64_t)INT64_MAX + 1, line, sizeof(line), NULL), CTD_EINVAL,
	    "a time past 2^63 - 1 refused");
	ok(note_cosig_sign(&other, seed2, cp_text, text_len, 0, line,
	    sizeof(line), NULL) == CTD_OK, "time 0 signs");
	snprintf(note_buf, sizeof(note_buf), "%s%s", cp_text, line);
	ok(parse_str(note_buf, &n) == CTD_OK &&
	    note_cosig_verify(&n, &other, &t) == CTD_OK && t == 0,
	    "round trip of another key");
	/* Same lines under a changed body: the message covers it. */
	const char *at = strstr(note_buf, "966490541");
	note_buf[at - note_buf + 8] = '2';
	ok(parse_str(note_buf, &n) == CTD_OK &&
	    note_cosig_verify(&n, &other, NULL) == CTD_EVERIFY,
	    "a changed checkpoint fails the cosignature");

	uint8_t msg[128];
	ok(note_cosig_message("o\n", 2, 1679315147, msg, sizeof(msg), &len) ==
	    CTD_OK && len == 33 && memcmp(msg, "cosignature/v1\ntime "
	    "1679315147\no\n", 33) == 0, "signed message layout");
}

int
main(void)
{
	test_sycamore();
	test_peter();
	test_format();
	test_checkpoint();
	test_cosig();
	logkey_free(sycamore);
	json_decref(vec);
	return done_testing();
}
