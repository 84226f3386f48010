/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sth.c -- log keys, signed tree heads and their CT-over-DNS text.
 *
 * Data (tests/data/sth/, see its README): every STH of the shared vectors
 * (production Pilot, Icarus, Argon logs, the CT and Chromium test logs, the
 * derived negatives, the bad empty STH), two RSA STHs signed for these
 * tests, real SCT signatures (ECDSA and RSA logs) and keys we must refuse.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "base64.h"
#include "err.h"
#include "logkey.h"
#include "sth.h"

int main(void);

#define TESTDATA_DIR "sth"
#define MAX_FIELDS 12
#include "../testdata.h"
#define MAX_KEYS 32

/* --- keys.txt: name type log_id_hex der_b64 --------------------------- */

static struct {
	char name[64];
	struct logkey *key;
} keys[MAX_KEYS];
static int nkeys;

static struct logkey *
key_named(const char *name)
{
	for (int i = 0; i < nkeys; i++) {
		if (strcmp(keys[i].name, name) == 0) {
			return keys[i].key;
		}
	}
	return NULL;
}

static void
load_key(char **f, int n)
{
	uint8_t id[32], der[2048];
	size_t der_len;
	struct logkey *key = NULL, *again = NULL;

	if (n != 4 || nkeys == MAX_KEYS) {
		ok(0, "keys.txt line has 4 fields");
		return;
	}
	is_int(logkey_from_b64(f[3], &key), CTD_OK, "key %s loads", f[0]);
	if (key == NULL) {
		return;
	}
	enum logkey_type want = strcmp(f[1], "RSA") == 0 ? LOGKEY_RSA :
	    LOGKEY_ECDSA_P256;
	is_int(logkey_type(key), want, "key %s is %s", f[0], f[1]);
	ok(testdata_unhex(f[2], id, sizeof(id)) == 32 &&
	    memcmp(logkey_id(key), id, 32) == 0,
	    "key %s: log ID is SHA-256 of the DER", f[0]);
	/* The same key through the DER entry point. */
	ok(base64_decode(f[3], strlen(f[3]), der, sizeof(der), &der_len) ==
	    CTD_OK && logkey_from_der(der, der_len, &again) == CTD_OK &&
	    memcmp(logkey_id(again), id, 32) == 0,
	    "key %s: from DER gives the same ID", f[0]);
	logkey_free(again);
	snprintf(keys[nkeys].name, sizeof(keys[nkeys].name), "%s", f[0]);
	keys[nkeys++].key = key;
}

/* --- sths.txt ------------------------------------------------------------
 * id key tree_size timestamp root_hex dsig_hex signed_data_hex sig_valid
 * sth_valid */

static int sths_seen, rsa_sths_seen;

static bool
sth_equal(const struct sth *a, const struct sth *b)
{
	return a->tree_size == b->tree_size && a->timestamp == b->timestamp &&
	    memcmp(a->root, b->root, 32) == 0 && a->sig_len == b->sig_len &&
	    memcmp(a->sig, b->sig, a->sig_len) == 0;
}

static void
check_sth(char **f, int n)
{
	struct sth s, back;
	uint8_t want_signed[STH_SIGNED_LEN], got_signed[STH_SIGNED_LEN];
	char txt[STH_TXT_MAX];
	size_t txt_len;
	long len;

	struct logkey *key = n == 9 ? key_named(f[1]) : NULL;
	if (key == NULL) {
		ok(0, "sths.txt line with a known key");
		return;
	}
	memset(&s, 0, sizeof(s));
	s.tree_size = strtoull(f[2], NULL, 10);
	s.timestamp = strtoull(f[3], NULL, 10);
	len = testdata_unhex(f[5], s.sig, sizeof(s.sig));
	if (testdata_unhex(f[4], s.root, 32) != 32 || len < 0 ||
	    testdata_unhex(f[6], want_signed, sizeof(want_signed)) != STH_SIGNED_LEN) {
		ok(0, "%s: data parses", f[0]);
		return;
	}
	s.sig_len = (uint16_t)len;
	bool sig_valid = f[7][0] == '1', sth_valid = f[8][0] == '1';
	sths_seen++;
	rsa_sths_seen += logkey_type(key) == LOGKEY_RSA;

	sth_signed_data(&s, got_signed);
	is_mem(got_signed, want_signed, STH_SIGNED_LEN,
	    "%s: signed bytes equal the vector", f[0]);
	is_int(logkey_verify(key, got_signed, STH_SIGNED_LEN, s.sig,
	    s.sig_len), sig_valid ? CTD_OK : CTD_EVERIFY,
	    "%s: signature %s", f[0], sig_valid ? "verifies" : "fails");
	is_int(sth_verify(&s, key), sth_valid ? CTD_OK : CTD_EVERIFY,
	    "%s: STH %s", f[0], sth_valid ? "valid" : "rejected");

	txt_len = 0;
	int rc = sth_to_txt(&s, txt, sizeof(txt), &txt_len);
	ok(rc == CTD_OK && txt_len == strlen(txt), "%s: to text (%zu bytes)",
	    f[0], txt_len);
	memset(&back, 0, sizeof(back));
	ok(sth_from_txt(txt, txt_len, &back) == CTD_OK &&
	    sth_equal(&s, &back), "%s: text round trip", f[0]);
}

/* --- sigs.txt: id key data_hex dsig_hex, all valid ------------------------ */

static void
check_sig(char **f, int n)
{
	static uint8_t data[8192], dsig[600];
	struct logkey *key = n == 4 ? key_named(f[1]) : NULL;
	long dlen = testdata_unhex(f[2], data, sizeof(data));
	long slen = testdata_unhex(f[3], dsig, sizeof(dsig));
	if (key == NULL || dlen <= 0 || slen <= 0) {
		ok(0, "sigs.txt line parses");
		return;
	}
	is_int(logkey_verify(key, data, (size_t)dlen, dsig, (size_t)slen),
	    CTD_OK, "SCT %s (%s) verifies", f[0],
	    logkey_type(key) == LOGKEY_RSA ? "RSA" : "ECDSA");
	data[dlen / 2] ^= 0x01;
	is_int(logkey_verify(key, data, (size_t)dlen, dsig, (size_t)slen),
	    CTD_EVERIFY, "SCT %s with one data bit flipped fails", f[0]);
}

/* --- bad_keys.txt: name expected der_b64 --------------------------------- */

static void
check_bad_key(char **f, int n)
{
	struct logkey *key = NULL;
	int want = n == 3 && strcmp(f[1], "ERANGE") == 0 ? CTD_ERANGE :
	    CTD_EMALF;
	int rc = n == 3 ? logkey_from_b64(f[2], &key) : CTD_OK;
	ok(rc == want && key == NULL, "key %s refused with %s", f[0],
	    n == 3 ? f[1] : "?");
	logkey_free(key);
}

static void
test_pem(void)
{
	struct logkey *rsa = NULL, *ec = NULL, *bad = NULL;

	is_int(logkey_from_pem_file(testdata_path("ct-test-log-rsa.pem"), &rsa),
	    CTD_OK, "RSA key from PEM file");
	ok(rsa != NULL && logkey_type(rsa) == LOGKEY_RSA &&
	    key_named("ct-test-log-rsa") != NULL &&
	    memcmp(logkey_id(rsa), logkey_id(key_named("ct-test-log-rsa")),
	    32) == 0, "RSA key round trip: PEM and base64 DER give one ID");
	is_int(logkey_from_pem_file(testdata_path("ct-test-log-ecdsa.pem"), &ec),
	    CTD_OK, "ECDSA key from PEM file");
	ok(ec != NULL && key_named("ct-test-log-ecdsa") != NULL &&
	    memcmp(logkey_id(ec), logkey_id(key_named("ct-test-log-ecdsa")),
	    32) == 0, "ECDSA key round trip: PEM and base64 DER give one ID");
	is_int(logkey_from_pem_file(testdata_path("wrong-label.pem"), &bad),
	    CTD_EMALF, "PEM labelled CERTIFICATE refused");
	is_int(logkey_from_pem_file(testdata_path("sths.txt"), &bad), CTD_EMALF,
	    "a file without PEM refused");
	is_int(logkey_from_pem_file(testdata_path("no-such-file.pem"), &bad),
	    CTD_EIO, "missing PEM file: EIO");
	ok(bad == NULL, "no key returned on failure");
	logkey_free(rsa);
	logkey_free(ec);
	logkey_free(NULL);
}

static void
test_key_text(void)
{
	struct logkey *key = NULL;
	static const char ec[] = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmXg8sUUz"
	    "wBYaWrRb+V0IopzQ6o3UyEJ04r5ZrRXGdpYM8K+hB0pXrGRLI0eeWz+3skXrS0IO8"
	    "3AhA3GpRL6s6w==";
	char buf[256];

	is_int(logkey_from_b64(ec, &key), CTD_OK, "test log key from base64");
	logkey_free(key);
	key = NULL;
	snprintf(buf, sizeof(buf), "%.40s\n%s", ec, ec + 40);
	is_int(logkey_from_b64(buf, &key), CTD_EMALF,
	    "key base64 with a line break refused");
	is_int(logkey_from_b64("", &key), CTD_EMALF, "empty key refused");
	memset(buf, 'A', 200);
	buf[200] = '\0';
	is_int(logkey_from_b64(buf, &key), CTD_EMALF, "zero bytes refused");
	char *huge = malloc(8001);
	memset(huge, 'A', 8000);
	huge[8000] = '\0';
	is_int(logkey_from_b64(huge, &key), CTD_ERANGE,
	    "6000-byte key refused as out of range");
	free(huge);
	uint8_t der[91];
	size_t der_len;
	base64_decode(ec, strlen(ec), der, sizeof(der), &der_len);
	is_int(logkey_from_der(der, 0, &key), CTD_EMALF, "0-byte DER refused");
	ok(key == NULL, "no key returned on failure");
}

/* A copy of an STH's DigitallySigned to damage. */
static void
dsig_of(const char *hex, struct sth *s)
{
	memset(s, 0, sizeof(*s));
	long n = testdata_unhex(hex, s->sig, sizeof(s->sig));
	s->sig_len = n > 0 ? (uint16_t)n : 0;
}

/* The DigitallySigned framing and signature form checks. */
static void
test_dsig_form(void)
{
	/* chromium-sample-sth-21, ct-test-log-ecdsa. */
	static const char sig21[] = "0403004730450220365a91a2a88f2b9332f41d89"
	    "59fa7086da7e6d634b7b089bc9da0664266c7a20022100e38464f3c0fd066257"
	    "b982074f7ac87655e0c8f714768a050b4be9a7b441cbd3";
	static const char root21[] = "726467216167397babca293dca398e4ce6b621b1"
	    "8b9bc42f30c900d1f92ac1e4";
	struct logkey *ec = key_named("ct-test-log-ecdsa");
	struct logkey *rsa = key_named("ct-test-log-rsa");
	uint8_t data[STH_SIGNED_LEN], buf[STH_SIG_MAX + 8];
	struct sth s;

	if (ec == NULL || rsa == NULL) {
		ok(0, "test keys loaded");
		return;
	}
	dsig_of(sig21, &s);
	s.tree_size = 21;
	s.timestamp = 1396877277237ULL;
	testdata_unhex(root21, s.root, 32);
	sth_signed_data(&s, data);
	is_int(sth_verify(&s, ec), CTD_OK, "sample STH 21 verifies");

	memcpy(buf, s.sig, s.sig_len);
	buf[0] = 2;	/* sha1 */
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len),
	    CTD_EMALF, "hash algorithm sha1 refused");
	buf[0] = 4;
	buf[1] = 1;	/* rsa on an EC key */
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len),
	    CTD_EMALF, "signature algorithm rsa on an ECDSA key refused");
	buf[1] = 3;
	is_int(logkey_verify(rsa, data, sizeof(data), buf, s.sig_len),
	    CTD_EMALF, "an ECDSA DigitallySigned checked with an RSA key");
	buf[3]++;
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len),
	    CTD_EMALF, "length field one too long refused");
	buf[3] -= 2;
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len),
	    CTD_EMALF, "length field one too short refused");
	buf[3]++;
	buf[s.sig_len] = 0;
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len + 1u),
	    CTD_EMALF, "a trailing byte refused");
	for (size_t n = 0; n < 4; n++) {
		is_int(logkey_verify(ec, data, sizeof(data), buf, n),
		    CTD_EMALF, "a %zu-byte DigitallySigned refused", n);
	}
	static const uint8_t empty_sig[] = { 4, 3, 0, 0 };
	is_int(logkey_verify(ec, data, sizeof(data), empty_sig, 4), CTD_EMALF,
	    "an empty signature refused");

	/* The ECDSA-Sig-Value must be canonical DER. Byte 4 is the SEQUENCE
	 * tag, byte 5 its length (0x45). */
	buf[4] = 0x31;
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len),
	    CTD_EMALF, "ECDSA signature that is a SET refused");
	buf[4] = 0x30;
	/* Long-form length 0x81 0x45: BER, not DER. */
	uint8_t ber[STH_SIG_MAX];
	memcpy(ber, buf, 5);
	ber[5] = 0x81;
	memcpy(ber + 6, buf + 5, s.sig_len - 5u);
	ber[3]++;
	is_int(logkey_verify(ec, data, sizeof(data), ber, s.sig_len + 1u),
	    CTD_EMALF, "ECDSA signature with a long-form length refused");
	/* r = 0x365a...: flip a bit of it. A well-formed wrong signature. */
	buf[12] ^= 0x40;
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len),
	    CTD_EVERIFY, "ECDSA signature with r changed fails to verify");
	buf[12] ^= 0x40;
	is_int(logkey_verify(ec, data, sizeof(data), buf, s.sig_len), CTD_OK,
	    "and verifies again once restored");

	/* RSA: the signature is exactly the modulus length (256 bytes). */
	uint8_t rsa_dsig[4 + 257];
	memset(rsa_dsig, 0x5a, sizeof(rsa_dsig));
	rsa_dsig[0] = 4;
	rsa_dsig[1] = 1;
	rsa_dsig[2] = 0x01;
	rsa_dsig[3] = 0x01;	/* 257 bytes */
	is_int(logkey_verify(rsa, data, sizeof(data), rsa_dsig, 4 + 257),
	    CTD_EMALF, "RSA-2048 signature of 257 bytes refused");
	rsa_dsig[3] = 0x00;	/* 256 bytes of junk */
	is_int(logkey_verify(rsa, data, sizeof(data), rsa_dsig, 4 + 256),
	    CTD_EVERIFY, "RSA-2048 signature of 256 junk bytes fails");
	rsa_dsig[2] = 0x00;
	rsa_dsig[3] = 0xff;
	is_int(logkey_verify(rsa, data, sizeof(data), rsa_dsig, 4 + 255),
	    CTD_EMALF, "RSA-2048 signature of 255 bytes refused");

	s.sig_len = STH_SIG_MAX + 1;
	is_int(sth_verify(&s, ec), CTD_EMALF, "sig_len above STH_SIG_MAX");
	char txt[STH_TXT_MAX];
	is_int(sth_to_txt(&s, txt, sizeof(txt), NULL), CTD_EMALF,
	    "sig_len above STH_SIG_MAX has no text");
}

/* The sample STH's root in base64, and with its padding missing. */
#define R21 "cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkqweQ="
#define R21_NOPAD "cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkqweQ"

/* The exact text of Chromium's sample STH, from the vectors' base64. */
static const char txt21[] = "21.1396877277237."
    "cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkqweQ=."
    "BAMARzBFAiA2WpGiqI8rkzL0HYlZ+nCG2n5tY0t7CJvJ2gZkJmx6IAIhAOOEZPPA/QZi"
    "V7mCB096yHZV4Mj3FHaKBQtL6ae0QcvT";

static void
test_txt(void)
{
	struct sth s, orig;
	char txt[STH_TXT_MAX];
	size_t len;

	is_int(sth_from_txt(txt21, strlen(txt21), &s), CTD_OK,
	    "sample STH text parses");
	ok(s.tree_size == 21 && s.timestamp == 1396877277237ULL &&
	    s.root[0] == 0x72 && s.root[31] == 0xe4 && s.sig_len == 75 &&
	    s.sig[0] == 4 && s.sig[1] == 3 && s.sig[74] == 0xd3,
	    "sample STH text: fields as in the vector");
	ok(sth_to_txt(&s, txt, sizeof(txt), &len) == CTD_OK &&
	    len == strlen(txt21) && strcmp(txt, txt21) == 0,
	    "sample STH prints back to the same text");
	is_int(sth_verify(&s, key_named("ct-test-log-ecdsa")), CTD_OK,
	    "STH parsed from text verifies");

	/* Exactly the room needed, then one byte less, and every smaller
	 * size, each in a heap buffer of exactly that size. */
	bool all_espace = true;
	for (size_t cap = 0; cap <= len; cap++) {
		char *b = malloc(cap > 0 ? cap : 1);
		all_espace = all_espace &&
		    sth_to_txt(&s, b, cap, NULL) == CTD_ESPACE;
		free(b);
	}
	ok(all_espace, "to text with cap 0..%zu: ESPACE, no overflow", len);
	char *exact = malloc(len + 1);
	ok(sth_to_txt(&s, exact, len + 1, NULL) == CTD_OK &&
	    strcmp(exact, txt21) == 0, "to text with cap len + 1 fits");
	free(exact);

	/* The parser reads only len bytes: an unterminated heap copy. */
	char *raw = malloc(strlen(txt21));
	memcpy(raw, txt21, strlen(txt21));
	is_int(sth_from_txt(raw, strlen(txt21), &s), CTD_OK,
	    "unterminated text parses within len");
	is_int(sth_from_txt(raw, strlen(txt21) - 1, &s), CTD_EMALF,
	    "text cut by one character refused");
	free(raw);

	/* Largest numbers. */
	static const char maxed[] = "18446744073709551615.18446744073709551615"
	    ".cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkqweQ=.BAMAAA==";
	ok(sth_from_txt(maxed, strlen(maxed), &s) == CTD_OK &&
	    s.tree_size == UINT64_MAX && s.timestamp == UINT64_MAX &&
	    s.sig_len == 4, "UINT64_MAX size and timestamp parse");
	ok(sth_to_txt(&s, txt, sizeof(txt), &len) == CTD_OK &&
	    strcmp(txt, maxed) == 0, "and print back");
	static const char zero[] = "0.0."
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=.BAMAAA==";
	ok(sth_from_txt(zero, strlen(zero), &s) == CTD_OK &&
	    s.tree_size == 0 && s.timestamp == 0, "\"0\" parses as zero");

	static const char *bad[] = {
		"",
		".",
		"...",
		"21.1396877277237",
		"21.1396877277237." R21,
		"21.1396877277237." R21 ".",
		"021.1396877277237." R21 ".BAMAAA==",
		"00.1396877277237." R21 ".BAMAAA==",
		"+21.1396877277237." R21 ".BAMAAA==",
		"-21.1396877277237." R21 ".BAMAAA==",
		" 21.1396877277237." R21 ".BAMAAA==",
		"21 .1396877277237." R21 ".BAMAAA==",
		"0x15.1396877277237." R21 ".BAMAAA==",
		"18446744073709551616.1." R21 ".BAMAAA==",
		"99999999999999999999.1." R21 ".BAMAAA==",
		"21.01396877277237." R21 ".BAMAAA==",
		"21.." R21 ".BAMAAA==",
		".1." R21 ".BAMAAA==",
		"21.1." R21_NOPAD ".BAMAAA==",
		"21.1.cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkqweR=.BAMAAA==",
		"21.1.cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkq.BAMAAA==",
		"21.1." R21_NOPAD "AAA==.BAMAAA==",
		"21.1." R21 ".",
		"21.1." R21 ".BAMA",
		"21.1." R21 ".BAMAAA",
		"21.1." R21 ".BAMA AA==",
		"21.1." R21 ".BAMAAA==.",
		"21.1." R21 ".BAMAAA==.x",
		"21.1." R21 ".BAMAAA==\n",
		"21.1." R21 ".BAMAAA==\"",
		"21.1." R21 ".BAMA-A==",
		"21.1." R21 ".BAMAAB==",
	};
	memset(&orig, 0x5c, sizeof(orig));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(&s, &orig, sizeof(s));
		int rc = sth_from_txt(bad[i], strlen(bad[i]), &s);
		ok(rc == CTD_EMALF && memcmp(&s, &orig, sizeof(s)) == 0,
		    "malformed text %zu refused, output untouched", i);
	}

	/* A NUL inside the given length. */
	char withnul[sizeof(txt21)];
	memcpy(withnul, txt21, sizeof(txt21));
	withnul[1] = '\0';
	is_int(sth_from_txt(withnul, strlen(txt21), &s), CTD_EMALF,
	    "a NUL inside the text refused");

	/* A signature one byte over STH_SIG_MAX, and one at it. */
	uint8_t sig[STH_SIG_MAX + 1];
	memset(sig, 0x11, sizeof(sig));
	char *big = malloc(STH_TXT_MAX + 200);
	int head = snprintf(big, 100, "1.2.%s.",
	    "cmRnIWFnOXuryik9yjmOTOa2IbGLm8QvMMkA0fkqweQ=");
	size_t n;
	base64_encode(sig, STH_SIG_MAX, big + head, 800, &n);
	int rc = sth_from_txt(big, (size_t)head + n, &s);
	ok(rc == CTD_OK && s.sig_len == STH_SIG_MAX &&
	    (size_t)head + n < STH_TXT_MAX,
	    "a %d-byte signature parses (%zu-byte text)", STH_SIG_MAX,
	    (size_t)head + n);
	base64_encode(sig, STH_SIG_MAX + 1, big + head, 800, &n);
	is_int(sth_from_txt(big, (size_t)head + n, &s), CTD_EMALF,
	    "a %d-byte signature refused", STH_SIG_MAX + 1);
	free(big);
}

int
main(void)
{
	int n;

	n = testdata_each_line("keys.txt", load_key);
	ok(n >= 12, "%d keys loaded from keys.txt", n);
	n = testdata_each_line("sths.txt", check_sth);
	ok(n >= 17 && sths_seen == n, "%d STHs checked", n);
	ok(rsa_sths_seen >= 2, "%d RSA STHs among them", rsa_sths_seen);
	n = testdata_each_line("sigs.txt", check_sig);
	ok(n >= 10, "%d SCT signatures checked", n);
	n = testdata_each_line("bad_keys.txt", check_bad_key);
	ok(n >= 12, "%d unacceptable keys checked", n);
	test_pem();
	test_key_text();
	test_dsig_form();
	test_txt();
	for (int i = 0; i < nkeys; i++) {
		logkey_free(keys[i].key);
	}
	return exit_status();
}
