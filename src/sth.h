/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sth.h -- RFC 6962 signed tree heads: signed bytes, signature check, text.
 *
 * Pure: no I/O, no logging, no clock. The signature itself is checked with
 * OpenSSL through logkey.h.
 */
#ifndef CTD_STH_H
#define CTD_STH_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

/* TLS DigitallySigned: hash alg, sig alg, uint16 length, signature.
 * 4 + 512 covers RSA-4096, the largest log key in use. */
#define STH_SIG_MAX 516
/* RFC 6962 section 3.5 TreeHeadSignature: 1 + 1 + 8 + 8 + 32 bytes. */
#define STH_SIGNED_LEN 50
/* "<size>.<timestamp>.<root b64>.<sig b64>": 20 + 1 + 20 + 1 + 44 + 1 +
 * base64 of STH_SIG_MAX (688) + NUL. */
#define STH_TXT_MAX 800

struct sth {
	uint64_t tree_size;
	uint64_t timestamp;		/* milliseconds since the epoch */
	uint8_t root[MERKLE_HASH_LEN];	/* sha256_root_hash */
	uint16_t sig_len;		/* bytes used in sig */
	uint8_t sig[STH_SIG_MAX];	/* tree_head_signature, DigitallySigned */
};

struct logkey;

/*
 * The RFC 6962 section 3.5 TreeHeadSignature bytes the log signs.
 * @param out: STH_SIGNED_LEN bytes.
 */
void sth_signed_data(const struct sth *sth, uint8_t out[STH_SIGNED_LEN]);

/*
 * Verify the STH's signature with the log's key. Also rejects a tree of
 * size 0 whose root is not SHA-256("").
 * @return: CTD_OK; CTD_EMALF when the DigitallySigned does not parse or its
 *	algorithms do not match the key; CTD_EVERIFY when the signature fails.
 */
int sth_verify(const struct sth *sth, const struct logkey *key);

/*
 * The CT-over-DNS TXT text of an STH: "<size>.<timestamp>.<root>.<sig>",
 * both in standard base64 with padding. NUL-terminated.
 * @param out: room for cap bytes (STH_TXT_MAX suffices).
 * @param out_len: set to the text length (without the NUL).
 * @return: CTD_OK or CTD_ESPACE.
 */
int sth_to_txt(const struct sth *sth, char *out, size_t cap, size_t *out_len);

/*
 * Parse the CT-over-DNS TXT text of an STH (the client side).
 * @return: CTD_OK or CTD_EMALF (non-canonical numbers, bad base64, a root
 *	that is not 32 bytes, a signature longer than STH_SIG_MAX).
 */
int sth_from_txt(const char *txt, size_t len, struct sth *out);

#endif /* CTD_STH_H */
