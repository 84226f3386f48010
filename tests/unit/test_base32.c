/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_base32.c -- the strict 52-character base32 form of a leaf hash.
 *
 * Checks the CT-over-DNS vector, a bit-by-bit reference encoder written
 * here, and every way the decoder must refuse a name: wrong length,
 * padding, characters outside the alphabet, non-zero trailing bits.
 */
#include "config.h"

#include <stdlib.h>

#include "../tap.h"
#include "base32.h"
#include "err.h"

int main(void);

static const char vector_b32[] =
    "D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACA";
static const uint8_t vector_hash[32] = {
	0x1f, 0x25, 0xe1, 0xca, 0xba, 0x4f, 0xf9, 0xb8, 0x27, 0x24, 0x83,
	0x0f, 0xca, 0x60, 0xe4, 0xc2, 0xbe, 0xa8, 0xc3, 0xa9, 0x44, 0x1c,
	0x27, 0xb0, 0xb4, 0x3e, 0x6a, 0x96, 0x94, 0xc7, 0xb8, 0x04,
};

/* A slow reference encoder: one output character per 5 input bits. */
static void
ref_encode(const uint8_t in[32], char out[53])
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	for (size_t c = 0; c < 52; c++) {
		unsigned v = 0;
		for (size_t b = 0; b < 5; b++) {
			size_t bit = c * 5 + b;
			unsigned x = 0;
			if (bit < 256) {
				x = (in[bit / 8] >> (7 - bit % 8)) & 1;
			}
			v = (v << 1) | x;
		}
		out[c] = alpha[v];
	}
	out[52] = '\0';
}

/* Deterministic xorshift, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint8_t
rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

/* Decode from an exact-size heap copy, so valgrind sees any over-read. */
static int
decode_exact(const char *s, size_t len, uint8_t out[32])
{
	char *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		abort();
	}
	memcpy(copy, s, len);
	int rc = base32_decode_hash(copy, len, out);
	free(copy);
	return rc;
}

static void
test_vector(void)
{
	char enc[BASE32_HASH_LEN + 1];
	uint8_t dec[32];

	memset(enc, 'x', sizeof enc);
	base32_encode_hash(vector_hash, enc);
	ok(strcmp(enc, vector_b32) == 0, "vector encodes to %s", enc);
	is_int(strlen(enc), 52, "encoding is 52 characters, NUL-terminated");

	is_int(decode_exact(vector_b32, 52, dec), CTD_OK, "vector decodes");
	is_mem(dec, vector_hash, 32, "vector decodes to the leaf hash");

	char lower[53];
	for (size_t i = 0; i < 53; i++) {
		char c = vector_b32[i];
		lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	memset(dec, 0, sizeof dec);
	is_int(decode_exact(lower, 52, dec), CTD_OK, "lower case decodes");
	is_mem(dec, vector_hash, 32, "lower case gives the same hash");

	char mixed[53];
	memcpy(mixed, vector_b32, 53);
	for (size_t i = 0; i < 52; i += 3) {
		if (mixed[i] >= 'A' && mixed[i] <= 'Z') {
			mixed[i] = (char)(mixed[i] + 32);
		}
	}
	memset(dec, 0, sizeof dec);
	is_int(decode_exact(mixed, 52, dec), CTD_OK, "0x20 mixed case decodes");
	is_mem(dec, vector_hash, 32, "mixed case gives the same hash");
}

static void
test_lengths(void)
{
	uint8_t dec[32];
	char buf[64];

	is_int(decode_exact(vector_b32, 51, dec), CTD_EMALF, "51 chars");
	is_int(decode_exact("", 0, dec), CTD_EMALF, "empty");
	memcpy(buf, vector_b32, 52);
	buf[52] = 'A';
	is_int(decode_exact(buf, 53, dec), CTD_EMALF, "53 chars");
	memcpy(buf + 52, "====", 4);
	is_int(decode_exact(buf, 56, dec), CTD_EMALF, "padded to 56 chars");
	/* Padding squeezed into the 52: the last 4 characters as '='. */
	memcpy(buf, vector_b32, 48);
	memcpy(buf + 48, "====", 4);
	is_int(decode_exact(buf, 52, dec), CTD_EMALF, "'=' inside 52 chars");
	/* A 52-character prefix of a longer NUL-free buffer is fine. */
	memcpy(buf, vector_b32, 52);
	memcpy(buf + 52, ".hash", 5);
	is_int(base32_decode_hash(buf, 52, dec), CTD_OK,
	    "reads only len bytes (label followed by more name)");
	is_mem(dec, vector_hash, 32, "... and decodes the hash");
	/* NUL inside: ldns would stop there; we must refuse. */
	memcpy(buf, vector_b32, 52);
	buf[20] = '\0';
	is_int(decode_exact(buf, 52, dec), CTD_EMALF, "NUL inside");
}

static void
test_bad_chars(void)
{
	/* Characters outside A-Z a-z 2-7, in several positions. */
	static const char bad[] = "0189=+/ -._\t\n\x80\xff@[`{";
	size_t pos[] = { 0, 7, 8, 25, 51 };
	int fails = 0, runs = 0;
	uint8_t dec[32];

	for (size_t b = 0; b < sizeof bad - 1; b++) {
		for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++) {
			char s[53];
			memcpy(s, vector_b32, 53);
			s[pos[p]] = bad[b];
			runs++;
			if (decode_exact(s, 52, dec) != CTD_EMALF) {
				fails++;
				diag("accepted 0x%02x at %zu",
				    (unsigned char)bad[b], pos[p]);
			}
		}
	}
	ok(fails == 0 && runs == 95, "every bad character refused (%d)",
	    runs);
}

static void
test_trailing_bits(void)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	int accepted = 0;
	uint8_t dec[32];
	char s[53];

	memcpy(s, vector_b32, 53);
	for (size_t v = 0; v < 32; v++) {
		s[51] = alpha[v];
		int rc = decode_exact(s, 52, dec);
		if ((v & 0x0f) == 0) {
			ok(rc == CTD_OK, "last char %c (trailing bits 0) ok",
			    alpha[v]);
		} else if (rc == CTD_OK) {
			accepted++;
			diag("accepted non-canonical last char %c", alpha[v]);
		}
	}
	is_int(accepted, 0, "30 last characters with trailing bits refused");
	s[51] = 'b';
	is_int(decode_exact(s, 52, dec), CTD_EMALF,
	    "lower-case non-canonical last char refused");
	s[51] = 'q';
	is_int(decode_exact(s, 52, dec), CTD_OK, "lower-case 'q' ok");
	ok(dec[31] == (vector_hash[31] | 1), "'Q' sets the last hash bit");
}

static void
test_roundtrip(void)
{
	uint8_t h[32], dec[32];
	char enc[BASE32_HASH_LEN + 1], ref[53];
	int bad = 0;

	for (int n = 0; n < 2000; n++) {
		for (size_t i = 0; i < 32; i++) {
			h[i] = n == 0 ? 0 : n == 1 ? 0xff : rng_byte();
		}
		base32_encode_hash(h, enc);
		ref_encode(h, ref);
		if (strcmp(enc, ref) != 0 ||
		    decode_exact(enc, 52, dec) != CTD_OK ||
		    memcmp(dec, h, 32) != 0) {
			bad++;
		}
	}
	is_int(bad, 0, "2000 hashes: encoding matches reference, round trips");
	memset(h, 0, 32);
	base32_encode_hash(h, enc);
	ok(strcmp(enc, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	    == 0, "all-zero hash is 52 A");
	memset(h, 0xff, 32);
	base32_encode_hash(h, enc);
	ok(strcmp(enc, "777777777777777777777777777777777777777777777777777Q")
	    == 0, "all-ones hash ends in Q");
}

int
main(void)
{
	test_vector();
	test_lengths();
	test_bad_chars();
	test_trailing_bits();
	test_roundtrip();
	return exit_status();
}
