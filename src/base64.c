/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * base64.c -- strict standard base64 over OpenSSL's EVP block codec.
 *
 * EVP_DecodeBlock is lenient in ways we must not be: it skips leading and
 * trailing whitespace, decodes '=' anywhere as a zero sextet, and returns
 * 3 * (len / 4) bytes, the padding counted as zero bytes. So the text is
 * checked here first (alphabet, padding only at the end, canonical unused
 * bits), the full blocks are decoded straight into the caller's buffer and
 * the last block into a scratch block, from which only the real bytes are
 * copied. That keeps the output exact and never writes past cap.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"
#include "err.h"

/* The sextet value of a standard-alphabet character, or -1. */
static int
sextet(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return -1;
}

size_t
base64_encoded_len(size_t n)
{
	return (n / 3 + (n % 3 != 0)) * 4;
}

int
base64_encode(const uint8_t *in, size_t len, char *out, size_t cap,
    size_t *out_len)
{
	/* EVP_EncodeBlock takes and returns int. */
	if (len > (size_t)INT_MAX / 4 * 3) {
		return CTD_ERANGE;
	}
	size_t need = base64_encoded_len(len);
	if (cap < need + 1) {
		return CTD_ESPACE;
	}
	if (len == 0) {
		out[0] = '\0';
	} else {
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	}
	if (out_len != NULL) {
		*out_len = need;
	}
	return CTD_OK;
}

/*
 * Check the text is canonical base64 and count its padding.
 * @return: CTD_OK with *pad set to 0, 1 or 2, or CTD_EMALF.
 */
static int
check_text(const char *in, size_t len, size_t *pad)
{
	if (len % 4 != 0 || len > (size_t)INT_MAX) {
		return CTD_EMALF;
	}
	*pad = 0;
	if (len == 0) {
		return CTD_OK;
	}
	if (in[len - 1] == '=') {
		*pad = in[len - 2] == '=' ? 2 : 1;
	}
	for (size_t i = 0; i < len - *pad; i++) {
		if (sextet(in[i]) < 0) {
			return CTD_EMALF;
		}
	}
	/* RFC 4648 section 3.5: the bits after the last byte are zero. */
	int last = sextet(in[len - *pad - 1]);
	if ((*pad == 1 && (last & 0x03) != 0) ||
	    (*pad == 2 && (last & 0x0f) != 0)) {
		return CTD_EMALF;
	}
	return CTD_OK;
}

int
base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *out_len)
{
	size_t pad;
	int rc = check_text(in, len, &pad);
	if (rc != CTD_OK) {
		return rc;
	}
	if (len == 0) {
		*out_len = 0;
		return CTD_OK;
	}
	size_t n = len / 4 * 3 - pad;
	if (cap < n) {
		return CTD_ESPACE;
	}
	size_t head = len - 4;	/* all blocks but the last */
	if (head > 0 &&
	    EVP_DecodeBlock(out, (const unsigned char *)in, (int)head) < 0) {
		return CTD_EMALF;
	}
	unsigned char last[3];
	if (EVP_DecodeBlock(last, (const unsigned char *)in + head, 4) != 3) {
		return CTD_EMALF;
	}
	memcpy(out + head / 4 * 3, last, 3 - pad);
	*out_len = n;
	return CTD_OK;
}
