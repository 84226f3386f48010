/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_client_ca.c -- a test CA for the client library's tests (OpenSSL).
 * See test_client_ca.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "test_client_ca.h"

/* 2024-01-01T00:00:00Z .. 2034-01-01T00:00:00Z */
#define NOT_BEFORE 1704067200
#define NOT_AFTER 2019686400

bool
tca_put(struct tca_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap == 0 ? 256 : b->cap;
		while (cap < b->len + len) {
			cap *= 2;
		}
		uint8_t *more = realloc(b->p, cap);
		if (more == NULL) {
			return false;
		}
		b->p = more;
		b->cap = cap;
	}
	if (len > 0) {
		memcpy(b->p + b->len, data, len);
	}
	b->len += len;
	return true;
}

static bool
put_uint(struct tca_buf *b, uint64_t v, int bytes)
{
	uint8_t tmp[8];

	for (int i = 0; i < bytes; i++) {
		tmp[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	}
	return tca_put(b, tmp, (size_t)bytes);
}

EVP_PKEY *
tca_key(void)
{
	return EVP_EC_gen("P-256");
}

static bool
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL) {
		return false;
	}
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1;
}

static X509 *
skeleton(const char *cn, long serial, EVP_PKEY *key, X509 *issuer)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	if (x == NULL || name == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0,
	    &(time_t){ NOT_BEFORE }) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 0, 0,
	    &(time_t){ NOT_AFTER }) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) != 1 ||
	    X509_set_pubkey(x, key) != 1) {
		X509_NAME_free(name);
		X509_free(x);
		return NULL;
	}
	X509_NAME_free(name);
	return x;
}

X509 *
tca_ca(EVP_PKEY *key, const char *cn)
{
	X509 *x = skeleton(cn, 1, key, NULL);

	if (x == NULL || !add_ext(x, x, NID_basic_constraints,
	    "critical,CA:TRUE") || !add_ext(x, x, NID_key_usage,
	    "critical,keyCertSign,cRLSign") ||
	    X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

X509 *
tca_issue(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *subject_key, const char *cn,
    long serial, bool precert)
{
	char san[300];
	X509 *x = skeleton(cn, serial, subject_key, ca);

	snprintf(san, sizeof san, "DNS:%s", cn);
	if (x == NULL || !add_ext(x, ca, NID_basic_constraints, "CA:FALSE") ||
	    !add_ext(x, ca, NID_subject_alt_name, san) ||
	    (precert && !add_ext(x, ca, NID_ct_precert_poison,
	    "critical,DER:05:00")) || X509_sign(x, ca_key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

X509 *
tca_finalize(X509 *pre, EVP_PKEY *ca_key, const uint8_t *list,
    size_t list_len)
{
	X509 *x = X509_dup(pre);
	ASN1_OCTET_STRING *inner = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
	unsigned char *der = NULL;
	X509_EXTENSION *ext = NULL;
	int loc = x != NULL ? X509_get_ext_by_NID(x, NID_ct_precert_poison,
	    -1) : -1;
	X509 *ret = NULL;

	/* extnValue is an OCTET STRING holding the DER of an OCTET STRING
	 * whose content is the TLS-encoded list (RFC 6962 3.3). */
	if (loc < 0 || inner == NULL || value == NULL ||
	    ASN1_OCTET_STRING_set(inner, list, (int)list_len) != 1) {
		goto out;
	}
	int der_len = i2d_ASN1_OCTET_STRING(inner, &der);
	if (der_len <= 0 || ASN1_OCTET_STRING_set(value, der, der_len) != 1 ||
	    (ext = X509_EXTENSION_create_by_NID(NULL, NID_ct_precert_scts, 0,
	    value)) == NULL) {
		goto out;
	}
	X509_EXTENSION_free(X509_delete_ext(x, loc));
	if (X509_add_ext(x, ext, loc) != 1 ||
	    X509_sign(x, ca_key, EVP_sha256()) == 0) {
		goto out;
	}
	ret = x;
	x = NULL;
out:
	X509_EXTENSION_free(ext);
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(inner);
	ASN1_OCTET_STRING_free(value);
	X509_free(x);
	return ret;
}

bool
tca_sct(struct tca_buf *out, const uint8_t id[32], uint64_t ts,
    const uint8_t *dsig, size_t dsig_len)
{
	return tca_sct_ext(out, id, ts, NULL, 0, dsig, dsig_len);
}

bool
tca_sct_ext(struct tca_buf *out, const uint8_t id[32], uint64_t ts,
    const uint8_t *ext, size_t ext_len, const uint8_t *dsig,
    size_t dsig_len)
{
	return ext_len <= 65535 && put_uint(out, 0, 1) &&
	    tca_put(out, id, 32) && put_uint(out, ts, 8) &&
	    put_uint(out, ext_len, 2) &&
	    (ext_len == 0 || tca_put(out, ext, ext_len)) &&
	    tca_put(out, dsig, dsig_len);
}

/* Canonical base64 of a JSON member into buf. */
static bool
b64_member(const json_t *o, const char *name, uint8_t *buf, size_t cap,
    size_t *len)
{
	const char *s = json_string_value(json_object_get(o, name));
	size_t slen = s != NULL ? strlen(s) : 0;

	if (s == NULL || slen % 4 != 0 || slen / 4 * 3 > cap) {
		return false;
	}
	int n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)slen);
	if (n < 0) {
		return false;
	}
	if (slen > 0) {
		n -= (s[slen - 1] == '=') + (s[slen - 2] == '=');
	}
	*len = (size_t)n;
	return true;
}

bool
tca_sct_from_json(struct tca_buf *out, const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	uint8_t id[48], sig[600], ext[600];
	size_t id_len, sig_len, ext_len;
	bool ok = false;

	json_t *ts = json_object_get(o, "timestamp");
	json_t *ver = json_object_get(o, "sct_version");
	if (json_is_integer(ts) && json_is_integer(ver) &&
	    json_integer_value(ver) == 0 &&
	    b64_member(o, "id", id, sizeof id, &id_len) && id_len == 32 &&
	    b64_member(o, "extensions", ext, sizeof ext, &ext_len) &&
	    b64_member(o, "signature", sig, sizeof sig, &sig_len)) {
		ok = tca_sct_ext(out, id, (uint64_t)json_integer_value(ts),
		    ext, ext_len, sig, sig_len);
	}
	json_decref(o);
	return ok;
}

bool
tca_sct_list(struct tca_buf *out, const struct tca_buf *scts, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		total += 2 + scts[i].len;
	}
	if (total > 65535 || !put_uint(out, total, 2)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!put_uint(out, scts[i].len, 2) ||
		    !tca_put(out, scts[i].p, scts[i].len)) {
			return false;
		}
	}
	return true;
}

bool
tca_sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *out,
    size_t *out_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t sig_len = 80;
	bool ok = md != NULL &&
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, out + 4, &sig_len, data, len) == 1;

	EVP_MD_CTX_free(md);
	if (!ok) {
		return false;
	}
	out[0] = 4;
	out[1] = 3;
	out[2] = (uint8_t)(sig_len >> 8);
	out[3] = (uint8_t)sig_len;
	*out_len = sig_len + 4;
	return true;
}

bool
tca_key_id(EVP_PKEY *key, uint8_t out[32])
{
	unsigned char *der = NULL;
	unsigned int len = 0;
	int der_len = i2d_PUBKEY(key, &der);
	bool ok = der_len > 0 && EVP_Digest(der, (size_t)der_len, out, &len,
	    EVP_sha256(), NULL) == 1;

	OPENSSL_free(der);
	return ok;
}
