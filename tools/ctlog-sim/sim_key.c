/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_key.c -- the simulated log's signing key (ECDSA P-256 from a seed).
 *
 * Built with the OpenSSL 3 provider API (OSSL_PARAM + EVP_PKEY_fromdata),
 * since EC_KEY is deprecated there. The public point is computed with
 * EC_POINT_mul so the key pair is complete and i2d_PUBKEY works.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "sim_key.h"

struct sim_key {
	EVP_PKEY *pkey;
	uint8_t *spki;
	size_t spki_len;
};

/* The scalar SHA-256(seed) mod n, never 0. Caller frees with BN_free(). */
static BIGNUM *
scalar_from_seed(const EC_GROUP *group, const char *seed, BN_CTX *bn)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	BIGNUM *d = NULL, *priv = BN_new();

	SHA256((const uint8_t *)seed, strlen(seed), digest);
	if (priv == NULL ||
	    (d = BN_bin2bn(digest, sizeof(digest), NULL)) == NULL ||
	    !BN_nnmod(priv, d, EC_GROUP_get0_order(group), bn) ||
	    (BN_is_zero(priv) && !BN_one(priv))) {
		BN_free(priv);
		priv = NULL;
	}
	BN_free(d);
	return priv;
}

/* The EVP key pair for scalar priv on P-256. */
static EVP_PKEY *
pkey_from_scalar(const EC_GROUP *group, const BIGNUM *priv, BN_CTX *bn)
{
	EC_POINT *pub = EC_POINT_new(group);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t point[65];
	size_t point_len = 0;

	if (pub == NULL || bld == NULL ||
	    !EC_POINT_mul(group, pub, priv, NULL, NULL, bn)) {
		goto out;
	}
	point_len = EC_POINT_point2oct(group, pub,
	    POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point), bn);
	if (point_len == 0 ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, point_len) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pub);
	return pkey;
}

struct sim_key *
sim_key_new(const char *seed)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *priv = NULL;
	struct sim_key *key = calloc(1, sizeof(*key));
	uint8_t *p;
	int len;

	if (key == NULL || group == NULL || bn == NULL ||
	    (priv = scalar_from_seed(group, seed, bn)) == NULL ||
	    (key->pkey = pkey_from_scalar(group, priv, bn)) == NULL ||
	    (len = i2d_PUBKEY(key->pkey, NULL)) <= 0 ||
	    (key->spki = malloc((size_t)len)) == NULL) {
		sim_key_free(key);
		key = NULL;
		goto out;
	}
	p = key->spki;
	key->spki_len = (size_t)i2d_PUBKEY(key->pkey, &p);
out:
	BN_clear_free(priv);
	BN_CTX_free(bn);
	EC_GROUP_free(group);
	return key;
}

void
sim_key_free(struct sim_key *key)
{
	if (key == NULL) {
		return;
	}
	EVP_PKEY_free(key->pkey);
	free(key->spki);
	free(key);
}

const uint8_t *
sim_key_spki(const struct sim_key *key, size_t *len_out)
{
	*len_out = key->spki_len;
	return key->spki;
}

int
sim_key_sign(const struct sim_key *key, const uint8_t *msg, size_t msg_len,
    uint8_t *out, size_t *out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t sig_len = SIM_KEY_SIG_MAX - 4;
	int rc = -1;

	if (ctx == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    key->pkey) != 1 ||
	    EVP_DigestSign(ctx, out + 4, &sig_len, msg, msg_len) != 1) {
		goto out;
	}
	out[0] = 4;	/* HashAlgorithm sha256 */
	out[1] = 3;	/* SignatureAlgorithm ecdsa */
	out[2] = (uint8_t)(sig_len >> 8);
	out[3] = (uint8_t)sig_len;
	*out_len = 4 + sig_len;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}
