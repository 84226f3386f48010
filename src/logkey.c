/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logkey.c -- a CT log's public key and its TLS DigitallySigned check.
 *
 * A key is accepted only in the forms RFC 6962 section 2.1.4 allows a log to
 * sign with: ECDSA over NIST P-256 (named curve) or RSA with at least 2048
 * bits. RSA is also capped at 4096 bits, because struct sth holds at most
 * STH_SIG_MAX signature bytes (4 + 512): a larger key could never have its
 * STHs stored, and no log in use has one.
 *
 * The DER must be exactly one canonical SubjectPublicKeyInfo: no trailing
 * bytes, and OpenSSL must re-encode it to the same bytes. The log ID is the
 * SHA-256 of those bytes, so two spellings of one key would otherwise give
 * two IDs.
 *
 * A struct logkey is immutable after creation; OpenSSL 3 allows concurrent
 * verifications with one EVP_PKEY, so a key may be shared between threads.
 * Failed OpenSSL calls leave entries on the thread's error queue; they are
 * cleared here so they never surface in an unrelated later call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64.h"
#include "err.h"
#include "logkey.h"
#include "merkle.h"

/* Larger than the DER of any key we accept (RSA-4096 is 550 bytes). */
#define KEY_DER_MAX 2048

/* RFC 5246 section 7.4.1.4.1: HashAlgorithm and SignatureAlgorithm. */
#define TLS_HASH_SHA256 4
#define TLS_SIG_RSA 1
#define TLS_SIG_ECDSA 3

struct logkey {
	EVP_PKEY *pkey;
	enum logkey_type type;
	uint8_t id[MERKLE_HASH_LEN];
};

/* CTD_OK when pkey is ECDSA P-256 or RSA 2048..4096, else CTD_ERANGE. */
static int
check_algorithm(EVP_PKEY *pkey, enum logkey_type *type)
{
	char group[64], encoding[32];
	size_t group_len = 0, encoding_len = 0;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		/* RFC 5480 section 2.1.1: a named curve, not explicit
		 * parameters (OpenSSL names a curve given explicitly too). */
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &group_len) != 1 || strcmp(group, SN_X9_62_prime256v1)
		    != 0 || EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof(encoding),
		    &encoding_len) != 1 ||
		    strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
			return CTD_ERANGE;
		}
		*type = LOGKEY_ECDSA_P256;
		return CTD_OK;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pkey) < 2048 ||
		    EVP_PKEY_get_bits(pkey) > 4096) {
			return CTD_ERANGE;
		}
		*type = LOGKEY_RSA;
		return CTD_OK;
	default:
		return CTD_ERANGE;
	}
}

/* CTD_OK when OpenSSL encodes pkey back to exactly der[0..len). */
static int
check_canonical(EVP_PKEY *pkey, const uint8_t *der, size_t len)
{
	unsigned char *again = NULL;
	int again_len = i2d_PUBKEY(pkey, &again);
	if (again_len < 0) {
		return CTD_EMALF;
	}
	int rc = (size_t)again_len == len && memcmp(again, der, len) == 0 ?
	    CTD_OK : CTD_EMALF;
	OPENSSL_free(again);
	return rc;
}

int
logkey_from_der(const uint8_t *der, size_t len, struct logkey **out)
{
	int rc;
	struct logkey *key = NULL;
	const unsigned char *p = der;
	enum logkey_type type;

	if (len == 0 || len > KEY_DER_MAX) {
		return CTD_EMALF;
	}
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey == NULL || p != der + len) {
		rc = CTD_EMALF;
		goto out;
	}
	if ((rc = check_canonical(pkey, der, len)) != CTD_OK) {
		goto out;
	}
	if ((rc = check_algorithm(pkey, &type)) != CTD_OK) {
		goto out;
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		rc = CTD_ENOMEM;
		goto out;
	}
	if (EVP_Digest(der, len, key->id, NULL, EVP_sha256(), NULL) != 1) {
		rc = CTD_ENOMEM;
		goto out;
	}
	key->type = type;
	key->pkey = pkey;
	pkey = NULL;
	*out = key;
	key = NULL;
	rc = CTD_OK;
out:
	free(key);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

int
logkey_from_b64(const char *b64, struct logkey **out)
{
	uint8_t der[KEY_DER_MAX];
	size_t der_len;

	int rc = base64_decode(b64, strlen(b64), der, sizeof(der), &der_len);
	if (rc == CTD_ESPACE) {
		/* Longer than any key we accept could be. */
		return CTD_ERANGE;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	return logkey_from_der(der, der_len, out);
}

int
logkey_from_pem_file(const char *path, struct logkey **out)
{
	int rc;
	char *name = NULL;
	char *header = NULL;
	unsigned char *data = NULL;
	long data_len = 0;

	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return CTD_EIO;
	}
	if (PEM_read(f, &name, &header, &data, &data_len) != 1) {
		rc = CTD_EMALF;
		goto out;
	}
	/* PEM_read decodes the first block only; that must be the key. */
	if (strcmp(name, PEM_STRING_PUBLIC) != 0 || header[0] != '\0' ||
	    data_len <= 0) {
		rc = CTD_EMALF;
		goto out;
	}
	rc = logkey_from_der(data, (size_t)data_len, out);
out:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	fclose(f);
	ERR_clear_error();
	return rc;
}

void
logkey_free(struct logkey *key)
{
	if (key == NULL) {
		return;
	}
	EVP_PKEY_free(key->pkey);
	free(key);
}

struct logkey *
logkey_dup(const struct logkey *key)
{
	struct logkey *copy = malloc(sizeof *copy);
	if (copy == NULL) {
		return NULL;
	}
	*copy = *key;
	if (EVP_PKEY_up_ref(copy->pkey) != 1) {
		free(copy);
		return NULL;
	}
	return copy;
}

const uint8_t *
logkey_id(const struct logkey *key)
{
	return key->id;
}

enum logkey_type
logkey_type(const struct logkey *key)
{
	return key->type;
}

/*
 * Check the signature's shape before OpenSSL sees it: an ECDSA signature is
 * one canonical DER ECDSA-Sig-Value, an RSA signature is exactly as long as
 * the modulus.
 */
static int
check_signature_form(const struct logkey *key, const uint8_t *sig,
    size_t sig_len)
{
	if (key->type == LOGKEY_RSA) {
		return (int)sig_len == EVP_PKEY_get_size(key->pkey) ?
		    CTD_OK : CTD_EMALF;
	}
	const unsigned char *p = sig;
	ECDSA_SIG *esig = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
	if (esig == NULL) {
		return CTD_EMALF;
	}
	int rc = CTD_EMALF;
	unsigned char *again = NULL;
	int again_len;
	if (p == sig + sig_len &&
	    (again_len = i2d_ECDSA_SIG(esig, &again)) >= 0 &&
	    (size_t)again_len == sig_len && memcmp(again, sig, sig_len) == 0) {
		rc = CTD_OK;
	}
	OPENSSL_free(again);
	ECDSA_SIG_free(esig);
	return rc;
}

int
logkey_verify(const struct logkey *key, const uint8_t *data,
    size_t data_len, const uint8_t *dsig, size_t dsig_len)
{
	int rc;

	/* RFC 5246 section 4.7: hash, signature, opaque<0..2^16-1>. */
	if (dsig_len < 4) {
		return CTD_EMALF;
	}
	uint8_t want_sig = key->type == LOGKEY_RSA ? TLS_SIG_RSA :
	    TLS_SIG_ECDSA;
	size_t sig_len = (size_t)dsig[2] << 8 | dsig[3];
	if (dsig[0] != TLS_HASH_SHA256 || dsig[1] != want_sig ||
	    sig_len == 0 || 4 + sig_len != dsig_len) {
		return CTD_EMALF;
	}
	const uint8_t *sig = dsig + 4;
	if ((rc = check_signature_form(key, sig, sig_len)) != CTD_OK) {
		goto out;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		rc = CTD_ENOMEM;
		goto out;
	}
	/* RSA keys default to PKCS#1 v1.5 padding, as RFC 6962 requires. */
	if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey)
	    != 1) {
		rc = CTD_ENOMEM;
	} else if (EVP_DigestVerify(ctx, sig, sig_len, data, data_len) == 1) {
		rc = CTD_OK;
	} else {
		rc = CTD_EVERIFY;
	}
	EVP_MD_CTX_free(ctx);
out:
	ERR_clear_error();
	return rc;
}
