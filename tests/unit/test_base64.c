/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_base64.c -- strict base64: RFC 4648 vectors, strictness, bounds,
 * round trips.
 */
#include "config.h"

#include <string.h>

#include "../tap.h"
#include "base64.h"
#include "err.h"

int main(void);

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 section 10. */
static const struct {
	const char *plain;
	const char *b64;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_vectors(void)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *plain = rfc4648[i].plain;
		const char *b64 = rfc4648[i].b64;
		char enc[16];
		uint8_t dec[16];
		size_t n = 99;

		int rc = base64_encode((const uint8_t *)plain, strlen(plain),
		    enc, sizeof(enc), &n);
		ok(rc == CTD_OK && n == strlen(b64) && strcmp(enc, b64) == 0,
		    "encode \"%s\" = \"%s\"", plain, b64);
		n = 99;
		rc = base64_decode(b64, strlen(b64), dec, sizeof(dec), &n);
		ok(rc == CTD_OK && n == strlen(plain) &&
		    memcmp(dec, plain, n) == 0, "decode \"%s\" exactly", b64);
	}
	is_int(base64_encoded_len(0), 0, "encoded_len(0)");
	is_int(base64_encoded_len(1), 4, "encoded_len(1)");
	is_int(base64_encoded_len(3), 4, "encoded_len(3)");
	is_int(base64_encoded_len(4), 8, "encoded_len(4)");
	is_int(base64_encoded_len(32), 44, "encoded_len(32), a hash");
}

/* A printable copy of s for a test description (static buffer). */
static const char *
printable(const char *s)
{
	static char buf[64];
	size_t o = 0;
	for (; *s != '\0' && o + 5 < sizeof(buf); s++) {
		if (*s >= 0x21 && *s <= 0x7e) {
			buf[o++] = *s;
		} else {
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "\\x%02x", (unsigned char)*s);
		}
	}
	buf[o] = '\0';
	return buf;
}

static void
test_rejects(void)
{
	static const char *bad[] = {
		"Zg=", "Zg", "Z", "Zm9vY", "Zm9v=",	/* length */
		"Zh==", "Zm9=", "Zm8B",		/* bits; Zm8B is fine */
		"Z===", "====", "=Zg=", "Zg=a", "Z=g=",	/* padding */
		"Zg==Zg==", "Zm8=Zm9v",			/* padding inside */
		"Zm9v\n", " Zm9", "Zm9 ", "Zm 9v",	/* whitespace */
		"Zm9v\r\nZm9v", "Zm\t9",
		"Zm-v", "Zm_v", "Zm.v", "Zm9v%3D",	/* alphabet */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[32];
		size_t n;
		int want = strcmp(bad[i], "Zm8B") == 0 ? CTD_OK : CTD_EMALF;
		is_int(base64_decode(bad[i], strlen(bad[i]), out, sizeof(out),
		    &n), want, "decode \"%s\" -> %s", printable(bad[i]),
		    want == CTD_OK ? "ok" : "EMALF");
	}
	/* Bytes the string functions would stop at or mangle. */
	static const char nul[] = "Zm\0v";
	static const char high[] = "Zm\xffv";
	uint8_t out[8];
	size_t n;
	is_int(base64_decode(nul, 4, out, sizeof(out), &n), CTD_EMALF,
	    "a NUL inside the text is rejected");
	is_int(base64_decode(high, 4, out, sizeof(out), &n), CTD_EMALF,
	    "a byte above 0x7f is rejected");
	/* The decoder reads only len bytes: a valid prefix of a longer
	 * buffer decodes. */
	is_int(base64_decode("Zm9vgarbage", 4, out, sizeof(out), &n), CTD_OK,
	    "only len characters are read");
}

/*
 * RFC 4648 section 3.5: of the 64 possible last characters before "=",
 * exactly 16 leave zero unused bits; before "==", exactly 4.
 */
static void
test_canonical_bits(void)
{
	int ok1 = 0, ok2 = 0;
	bool right1 = true, right2 = true;
	for (int i = 0; i < 64; i++) {
		char t1[5] = { 'Z', 'm', alphabet[i], '=', '\0' };
		char t2[5] = { 'Z', alphabet[i], '=', '=', '\0' };
		uint8_t out[3];
		size_t n;
		bool a = base64_decode(t1, 4, out, sizeof(out), &n) == CTD_OK;
		bool b = base64_decode(t2, 4, out, sizeof(out), &n) == CTD_OK;
		ok1 += a;
		ok2 += b;
		right1 = right1 && a == ((i & 0x03) == 0);
		right2 = right2 && b == ((i & 0x0f) == 0);
	}
	ok(ok1 == 16 && right1, "one pad: only the 16 canonical endings pass");
	ok(ok2 == 4 && right2, "two pads: only the 4 canonical endings pass");
}

static void
test_bounds(void)
{
	uint8_t buf[8];
	char txt[16];
	size_t n;

	/* EVP_DecodeBlock writes the padding as zero bytes; we must not. */
	memset(buf, 0xaa, sizeof(buf));
	ok(base64_decode("Zg==", 4, buf, 1, &n) == CTD_OK && n == 1 &&
	    buf[0] == 'f' && buf[1] == 0xaa && buf[2] == 0xaa,
	    "\"Zg==\" into a 1-byte buffer writes 1 byte");
	memset(buf, 0xaa, sizeof(buf));
	ok(base64_decode("Zm9vYmE=", 8, buf, 5, &n) == CTD_OK && n == 5 &&
	    memcmp(buf, "fooba", 5) == 0 && buf[5] == 0xaa,
	    "\"Zm9vYmE=\" into a 5-byte buffer writes 5 bytes");
	is_int(base64_decode("Zm9vYmE=", 8, buf, 4, &n), CTD_ESPACE,
	    "decode into one byte too few: ESPACE");
	is_int(base64_decode("Zm9v", 4, buf, 2, &n), CTD_ESPACE,
	    "decode a full block into 2 bytes: ESPACE");
	n = 7;
	ok(base64_decode("", 0, NULL, 0, &n) == CTD_OK && n == 0,
	    "empty text decodes to 0 bytes");

	memset(txt, 'x', sizeof(txt));
	ok(base64_encode((const uint8_t *)"foo", 3, txt, 5, &n) == CTD_OK &&
	    n == 4 && strcmp(txt, "Zm9v") == 0,
	    "encode into exactly len + 1 bytes");
	memset(txt, 'x', sizeof(txt));
	ok(base64_encode((const uint8_t *)"foo", 3, txt, 4, &n) ==
	    CTD_ESPACE && txt[0] == 'x',
	    "encode without room for the NUL: ESPACE, buffer untouched");
	ok(base64_encode(NULL, 0, txt, 1, &n) == CTD_OK && n == 0 &&
	    txt[0] == '\0', "encode nothing into a 1-byte buffer");
	is_int(base64_encode(NULL, 0, txt, 0, &n), CTD_ESPACE,
	    "encode nothing into no buffer: ESPACE");
}

/* xorshift64: a fixed sequence, so failures reproduce. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint8_t
next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

/* Reference encoder, written independently of OpenSSL, for the check. */
static void
ref_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len) {
			v |= (uint32_t)in[i + 1] << 8;
		}
		if (i + 2 < len) {
			v |= in[i + 2];
		}
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

static void
test_round_trips(void)
{
	bool all_ok = true;
	for (size_t len = 0; len <= 100; len++) {
		for (int rep = 0; rep < 5; rep++) {
			uint8_t in[100], out[100];
			char txt[140], ref[140];
			size_t tlen, olen;
			for (size_t i = 0; i < len; i++) {
				in[i] = next_byte();
			}
			ref_encode(in, len, ref);
			size_t need = base64_encoded_len(len);
			bool good = base64_encode(in, len, txt, need + 1,
			    &tlen) == CTD_OK && tlen == need &&
			    strcmp(txt, ref) == 0 &&
			    base64_decode(txt, tlen, out, len, &olen) ==
			    CTD_OK && olen == len &&
			    memcmp(in, out, len) == 0;
			if (len > 0) {
				/* One byte less room than needed. */
				good = good && base64_decode(txt, tlen, out,
				    len - 1, &olen) == CTD_ESPACE;
			}
			if (!good) {
				diag("round trip failed at length %zu", len);
				all_ok = false;
			}
		}
	}
	ok(all_ok, "505 random round trips, lengths 0..100, match a "
	    "reference encoder and decode exactly");
}

int
main(void)
{
	test_vectors();
	test_rejects();
	test_canonical_bits();
	test_bounds();
	test_round_trips();
	return exit_status();
}
