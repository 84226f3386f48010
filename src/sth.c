/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sth.c -- RFC 6962 signed tree heads: signed bytes, signature check, text.
 *
 * The text form is the CT-over-DNS answer to "sth.<log>":
 * "<tree_size>.<timestamp>.<root b64>.<sig b64>". Numbers are canonical
 * unsigned decimal (no sign, no leading zero, no overflow) and both binary
 * fields are strict base64, so one STH has exactly one text and a parsed
 * text turns back into the same bytes. '.' never occurs in base64, so the
 * four fields split unambiguously.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "be64.h"
#include "err.h"
#include "logkey.h"
#include "num.h"
#include "sth.h"

/* RFC 6962 section 3.5: Version v1, SignatureType tree_hash. */
#define STH_VERSION_V1 0
#define STH_SIGNATURE_TYPE_TREE_HASH 1

/* The 4-byte head of a TLS DigitallySigned: hash, sig, uint16 length. */
#define DSIG_HEAD_LEN 4

/* SHA-256 of the empty string: the root of the empty tree (RFC 6962 2.1). */
static const uint8_t empty_root[MERKLE_HASH_LEN] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
	0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

void
sth_signed_data(const struct sth *sth, uint8_t out[STH_SIGNED_LEN])
{
	out[0] = STH_VERSION_V1;
	out[1] = STH_SIGNATURE_TYPE_TREE_HASH;
	put_be64(out + 2, sth->timestamp);
	put_be64(out + 10, sth->tree_size);
	memcpy(out + 18, sth->root, MERKLE_HASH_LEN);
}

int
sth_verify(const struct sth *sth, const struct logkey *key)
{
	uint8_t data[STH_SIGNED_LEN];

	if (sth->sig_len > STH_SIG_MAX) {
		return CTD_EMALF;
	}
	/* A log may sign anything; an empty tree has only one root. */
	if (sth->tree_size == 0 &&
	    memcmp(sth->root, empty_root, MERKLE_HASH_LEN) != 0) {
		return CTD_EVERIFY;
	}
	sth_signed_data(sth, data);
	return logkey_verify(key, data, sizeof(data), sth->sig, sth->sig_len);
}

int
sth_to_txt(const struct sth *sth, char *out, size_t cap, size_t *out_len)
{
	size_t n;
	int rc;

	if (sth->sig_len > STH_SIG_MAX) {
		return CTD_EMALF;
	}
	int head = snprintf(out, cap, "%" PRIu64 ".%" PRIu64 ".",
	    sth->tree_size, sth->timestamp);
	if (head < 0 || (size_t)head >= cap) {
		return CTD_ESPACE;
	}
	size_t used = (size_t)head;
	rc = base64_encode(sth->root, MERKLE_HASH_LEN, out + used, cap - used,
	    &n);
	if (rc != CTD_OK) {
		return rc;
	}
	used += n;
	if (cap - used < 2) {
		return CTD_ESPACE;
	}
	out[used++] = '.';
	rc = base64_encode(sth->sig, sth->sig_len, out + used, cap - used, &n);
	if (rc != CTD_OK) {
		return rc;
	}
	used += n;
	if (out_len != NULL) {
		*out_len = used;
	}
	return CTD_OK;
}

/*
 * The next '.'-separated field of [*p, end): sets *field and *field_len and
 * moves *p past the field and its dot.
 * @return: true when a dot ended the field, false when the text did.
 */
static bool
next_field(const char **p, const char *end, const char **field,
    size_t *field_len)
{
	const char *dot = memchr(*p, '.', (size_t)(end - *p));
	const char *stop = dot != NULL ? dot : end;
	*field = *p;
	*field_len = (size_t)(stop - *p);
	*p = dot != NULL ? dot + 1 : end;
	return dot != NULL;
}

int
sth_from_txt(const char *txt, size_t len, struct sth *out)
{
	struct sth s;
	const char *f[4];
	size_t flen[4];
	const char *p = txt;
	const char *end = txt + len;
	size_t n;

	if (len >= STH_TXT_MAX) {
		return CTD_EMALF;
	}
	/* Exactly four fields: three dots, none after the fourth field. */
	for (int i = 0; i < 4; i++) {
		bool dot = next_field(&p, end, &f[i], &flen[i]);
		if (dot != (i < 3)) {
			return CTD_EMALF;
		}
	}
	memset(&s, 0, sizeof(s));
	if (num_parse_u64(f[0], flen[0], 0, &s.tree_size) != CTD_OK ||
	    num_parse_u64(f[1], flen[1], 0, &s.timestamp) != CTD_OK) {
		return CTD_EMALF;
	}
	if (base64_decode(f[2], flen[2], s.root, sizeof(s.root), &n) !=
	    CTD_OK || n != MERKLE_HASH_LEN) {
		return CTD_EMALF;
	}
	if (base64_decode(f[3], flen[3], s.sig, sizeof(s.sig), &n) != CTD_OK ||
	    n < DSIG_HEAD_LEN) {
		return CTD_EMALF;
	}
	s.sig_len = (uint16_t)n;
	memcpy(out, &s, sizeof(s));
	return CTD_OK;
}
