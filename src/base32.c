/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * base32.c -- the 52-character base32 form of a leaf hash in a query name.
 *
 * ldns' decoder reads one byte past src_sz when the input does not end on
 * an 8-character boundary and then insists on '=' padding, so the input is
 * validated here and handed to ldns padded, from a local buffer.
 */
#include "config.h"

#include <string.h>

#include <ldns/ldns.h>

#include "base32.h"
#include "err.h"

/* ldns' padded form: 32 bytes -> 7 groups of 8 characters. */
#define PADDED_LEN 56

/* The 5-bit value of a base32 character, or -1. */
static int
b32_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a';
	}
	if (c >= '2' && c <= '7') {
		return c - '2' + 26;
	}
	return -1;
}

void
base32_encode_hash(const uint8_t in[32], char out[BASE32_HASH_LEN + 1])
{
	char padded[PADDED_LEN + 1];

	/* Cannot fail: the buffer is exactly the size ldns asks for. */
	(void)ldns_b32_ntop(in, 32, padded, sizeof padded);
	for (size_t i = 0; i < BASE32_HASH_LEN; i++) {
		char c = padded[i];
		if (c >= 'a' && c <= 'z') {
			c = (char)(c - 'a' + 'A');
		}
		out[i] = c;
	}
	out[BASE32_HASH_LEN] = '\0';
}

int
base32_decode_hash(const char *in, size_t len, uint8_t out[32])
{
	char padded[PADDED_LEN + 1];
	int v = 0;

	if (len != BASE32_HASH_LEN) {
		return CTD_EMALF;
	}
	for (size_t i = 0; i < BASE32_HASH_LEN; i++) {
		v = b32_value((unsigned char)in[i]);
		if (v < 0) {
			return CTD_EMALF;
		}
	}
	/*
	 * 52 characters carry 260 bits; the last character holds the final
	 * bit of the hash and 4 bits that must be zero (RFC 4648 section
	 * 3.5: canonical encoding), else two names would mean one hash.
	 */
	if ((v & 0x0f) != 0) {
		return CTD_EMALF;
	}
	memcpy(padded, in, BASE32_HASH_LEN);
	memset(padded + BASE32_HASH_LEN, '=', PADDED_LEN - BASE32_HASH_LEN);
	padded[PADDED_LEN] = '\0';
	if (ldns_b32_pton(padded, PADDED_LEN, out, 32) != 32) {
		return CTD_EMALF;
	}
	return CTD_OK;
}
