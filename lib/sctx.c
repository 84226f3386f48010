/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sctx.c -- SCTs in, OpenSSL validation, MerkleTreeLeaf out.
 *
 * OpenSSL does the CT parsing and the SCT signature check: o2i_SCT_LIST()
 * and the X.509v3 SCT extension parser give SCT objects, SCT_set_source()
 * decides their entry type, SCT_validate() checks them against the CTLOG
 * store with a CT_POLICY_EVAL_CTX (cert, issuer, time). What OpenSSL does
 * not give out is the MerkleTreeLeaf, which the inclusion proof needs:
 * sctx_leaf() builds it, with OpenSSL's help for the certificate parts
 * (X509_delete_ext() on a copy, i2d_re_X509_tbs(), i2d_X509_PUBKEY()).
 * The SCT's signature covers exactly these bytes (see internal.h), so
 * sctx_validate() also verifies the signature over them with the log key:
 * a leaf that passes is, byte for byte, the one the log promised to merge.
 * The SCT's extensions are part of those bytes; sctx_leaf_index() reads
 * the one extension defined so far (static-ct-api's leaf_index) with
 * tile.c's parser.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "internal.h"
#include "logkey.h"
#include "tile.h"

/* Append a stack's SCTs, each with its source. Takes the stack. */
static int
append_scts(struct ctdns_request *req, STACK_OF(SCT) *list,
    enum ctdns_sct_source source)
{
	static const sct_source_t ossl_source[] = {
		[CTDNS_SCT_EMBEDDED] = SCT_SOURCE_X509V3_EXTENSION,
		[CTDNS_SCT_TLS] = SCT_SOURCE_TLS_EXTENSION,
		[CTDNS_SCT_OCSP] = SCT_SOURCE_OCSP_STAPLED_RESPONSE,
	};
	int n = sk_SCT_num(list), rc = CTD_OK;

	if (n > 0) {
		struct req_sct *more = realloc(req->scts,
		    (req->count + (size_t)n) * sizeof *more);
		if (more == NULL) {
			SCT_LIST_free(list);
			return CTD_ENOMEM;
		}
		req->scts = more;
	}
	while (sk_SCT_num(list) > 0) {
		SCT *sct = sk_SCT_shift(list);
		if (SCT_set_source(sct, ossl_source[source]) != 1) {
			SCT_free(sct);
			rc = CTD_EMALF;
			continue;
		}
		req->scts[req->count].sct = sct;
		req->scts[req->count].source = source;
		req->count++;
	}
	SCT_LIST_free(list);
	return rc;
}

int
sctx_add_list(struct ctdns_request *req, const uint8_t *list, size_t len,
    enum ctdns_sct_source source)
{
	const unsigned char *p = list;

	if ((unsigned)source > CTDNS_SCT_OCSP || len < 2 || len > 65537) {
		return CTD_EMALF;
	}
	STACK_OF(SCT) *scts = o2i_SCT_LIST(NULL, &p, len);
	if (scts == NULL) {
		return CTD_EMALF;
	}
	if (p != list + len) {
		SCT_LIST_free(scts);
		return CTD_EMALF;
	}
	return append_scts(req, scts, source);
}

/* The embedded SCT list of the request's certificate, if any. */
int
sctx_add_embedded(struct ctdns_request *req)
{
	int crit = 0;
	STACK_OF(SCT) *scts = X509_get_ext_d2i(req->cert, NID_ct_precert_scts,
	    &crit, NULL);

	if (scts == NULL) {
		/* -1: no such extension; anything else: it does not parse
		 * or occurs twice. */
		return crit == -1 ? CTD_OK : CTD_EMALF;
	}
	return append_scts(req, scts, CTDNS_SCT_EMBEDDED);
}

/* Remove every extension with this NID from x. */
static void
drop_ext(X509 *x, int nid)
{
	int loc;

	while ((loc = X509_get_ext_by_NID(x, nid, -1)) >= 0) {
		X509_EXTENSION_free(X509_delete_ext(x, loc));
	}
}

/*
 * precert_entry's body: issuer_key_hash[32], then uint24 length and the
 * TBSCertificate without the SCT list and poison extensions.
 */
static int
precert_body(X509 *cert, X509 *issuer, uint8_t **out, size_t *out_len)
{
	unsigned char *spki = NULL, *tbs = NULL, *p;
	uint8_t *buf = NULL;
	unsigned int hlen = 0;
	X509 *dup = NULL;
	int rc = CTD_EMALF;

	int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
	if (spki_len <= 0 || (dup = X509_dup(cert)) == NULL) {
		goto out;
	}
	drop_ext(dup, NID_ct_precert_scts);
	drop_ext(dup, NID_ct_precert_poison);
	int tbs_len = i2d_re_X509_tbs(dup, &tbs);
	if (tbs_len <= 0 || tbs_len >= (1 << 24)) {
		goto out;
	}
	if ((buf = OPENSSL_malloc(32 + 3 + (size_t)tbs_len)) == NULL) {
		rc = CTD_ENOMEM;
		goto out;
	}
	if (EVP_Digest(spki, (size_t)spki_len, buf, &hlen, EVP_sha256(),
	    NULL) != 1 || hlen != 32) {
		goto out;
	}
	p = buf + 32;
	p[0] = (uint8_t)(tbs_len >> 16);
	p[1] = (uint8_t)(tbs_len >> 8);
	p[2] = (uint8_t)tbs_len;
	memcpy(p + 3, tbs, (size_t)tbs_len);
	*out = buf;
	*out_len = 32 + 3 + (size_t)tbs_len;
	buf = NULL;
	rc = CTD_OK;
out:
	OPENSSL_free(buf);
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	X509_free(dup);
	return rc;
}

/* x509_entry's body: uint24 length and the certificate's DER. */
static int
x509_body(X509 *cert, uint8_t **out, size_t *out_len)
{
	unsigned char *der = NULL;
	int der_len = i2d_X509(cert, &der);

	if (der_len <= 0 || der_len >= (1 << 24)) {
		OPENSSL_free(der);
		return CTD_EMALF;
	}
	uint8_t *buf = OPENSSL_malloc(3 + (size_t)der_len);
	if (buf == NULL) {
		OPENSSL_free(der);
		return CTD_ENOMEM;
	}
	buf[0] = (uint8_t)(der_len >> 16);
	buf[1] = (uint8_t)(der_len >> 8);
	buf[2] = (uint8_t)der_len;
	memcpy(buf + 3, der, (size_t)der_len);
	OPENSSL_free(der);
	*out = buf;
	*out_len = 3 + (size_t)der_len;
	return CTD_OK;
}

int
sctx_leaf(const SCT *sct, X509 *cert, X509 *issuer, uint8_t **out,
    size_t *out_len)
{
	ct_log_entry_type_t type = SCT_get_log_entry_type(sct);
	unsigned char *ext = NULL;
	uint8_t *body = NULL, *leaf;
	size_t body_len = 0;
	int rc;

	if (type == CT_LOG_ENTRY_TYPE_PRECERT) {
		if (issuer == NULL) {
			return CTD_EINVAL;
		}
		rc = precert_body(cert, issuer, &body, &body_len);
	} else if (type == CT_LOG_ENTRY_TYPE_X509) {
		rc = x509_body(cert, &body, &body_len);
	} else {
		rc = CTD_EMALF;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	size_t ext_len = SCT_get0_extensions(sct, &ext);
	if (ext_len > 65535) {
		OPENSSL_free(body);
		return CTD_EMALF;
	}
	/* version, leaf_type, timestamp, entry_type, body, extensions */
	size_t len = 1 + 1 + 8 + 2 + body_len + 2 + ext_len;
	if ((leaf = OPENSSL_malloc(len)) == NULL) {
		OPENSSL_free(body);
		return CTD_ENOMEM;
	}
	uint64_t ts = SCT_get_timestamp(sct);
	uint8_t *p = leaf;
	*p++ = 0;	/* v1 */
	*p++ = 0;	/* timestamped_entry */
	for (int i = 7; i >= 0; i--) {
		*p++ = (uint8_t)(ts >> (8 * i));
	}
	*p++ = 0;
	*p++ = type == CT_LOG_ENTRY_TYPE_PRECERT ? 1 : 0;
	memcpy(p, body, body_len);
	p += body_len;
	*p++ = (uint8_t)(ext_len >> 8);
	*p++ = (uint8_t)ext_len;
	if (ext_len > 0) {
		memcpy(p, ext, ext_len);
	}
	OPENSSL_free(body);
	*out = leaf;
	*out_len = len;
	return CTD_OK;
}

/* The SCT's signature as a TLS DigitallySigned, for logkey_verify(). */
static int
digitally_signed(const SCT *sct, uint8_t *out, size_t cap, size_t *out_len)
{
	unsigned char *sig = NULL;
	size_t sig_len = SCT_get0_signature(sct, &sig);
	uint8_t alg;

	switch (SCT_get_signature_nid(sct)) {
	case NID_ecdsa_with_SHA256:
		alg = 3;
		break;
	case NID_sha256WithRSAEncryption:
		alg = 1;
		break;
	default:
		return CTD_EMALF;
	}
	if (sig_len == 0 || sig_len > 65535 || sig_len + 4 > cap) {
		return CTD_EMALF;
	}
	out[0] = 4;	/* sha256 */
	out[1] = alg;
	out[2] = (uint8_t)(sig_len >> 8);
	out[3] = (uint8_t)sig_len;
	memcpy(out + 4, sig, sig_len);
	*out_len = sig_len + 4;
	return CTD_OK;
}

/* OpenSSL's verdict on the SCT; CTD_OK when valid. */
static int
openssl_validate(const struct ctdns_loglist *list, const SCT *sct,
    X509 *cert, X509 *issuer, uint64_t now_ms, char *detail,
    size_t detail_len)
{
	CT_POLICY_EVAL_CTX *ctx = CT_POLICY_EVAL_CTX_new();
	SCT *copy = NULL;
	int rc = CTD_ENOMEM;

	if (ctx == NULL) {
		return CTD_ENOMEM;
	}
	/* SCT_validate() records its verdict in the SCT: use a copy so the
	 * request stays const and reusable. */
	unsigned char *der = NULL;
	int der_len = i2o_SCT(sct, &der);
	const unsigned char *p = der;
	if (der_len <= 0 || (copy = o2i_SCT(NULL, &p, (size_t)der_len)) ==
	    NULL || SCT_set_source(copy, SCT_get_source(sct)) != 1) {
		OPENSSL_free(der);
		goto out;
	}
	OPENSSL_free(der);
	if (CT_POLICY_EVAL_CTX_set1_cert(ctx, cert) != 1 ||
	    (issuer != NULL &&
	    CT_POLICY_EVAL_CTX_set1_issuer(ctx, issuer) != 1)) {
		goto out;
	}
	CT_POLICY_EVAL_CTX_set_shared_CTLOG_STORE(ctx, list->store);
	CT_POLICY_EVAL_CTX_set_time(ctx, now_ms);
	(void)SCT_validate(copy, ctx);
	switch (SCT_get_validation_status(copy)) {
	case SCT_VALIDATION_STATUS_VALID:
		rc = CTD_OK;
		break;
	case SCT_VALIDATION_STATUS_UNKNOWN_LOG:
		snprintf(detail, detail_len, "the log is not in the log list");
		rc = CTD_ENOTFOUND;
		break;
	case SCT_VALIDATION_STATUS_UNVERIFIED:
		snprintf(detail, detail_len, "an embedded SCT needs the "
		    "issuer certificate to be checked (--issuer)");
		rc = CTD_EINVAL;
		break;
	case SCT_VALIDATION_STATUS_UNKNOWN_VERSION:
		snprintf(detail, detail_len, "unsupported SCT version");
		rc = CTD_EVERIFY;
		break;
	default:
		snprintf(detail, detail_len, "OpenSSL: the signature does not "
		    "verify or the timestamp is in the future");
		rc = CTD_EVERIFY;
		break;
	}
out:
	SCT_free(copy);
	CT_POLICY_EVAL_CTX_free(ctx);
	return rc;
}

int
sctx_validate(const struct ctdns_loglist *list, const SCT *sct, X509 *cert,
    X509 *issuer, const struct ll_log *log, const uint8_t *leaf,
    size_t leaf_len, uint64_t now_ms, char *detail, size_t detail_len)
{
	uint8_t dsig[4 + 1024];
	size_t dsig_len;

	if (SCT_get_version(sct) != SCT_VERSION_V1) {
		snprintf(detail, detail_len, "unsupported SCT version");
		return CTD_EVERIFY;
	}
	int rc = openssl_validate(list, sct, cert, issuer, now_ms, detail,
	    detail_len);
	if (rc != CTD_OK) {
		return rc;
	}
	if (digitally_signed(sct, dsig, sizeof dsig, &dsig_len) != CTD_OK ||
	    logkey_verify(log->key, leaf, leaf_len, dsig, dsig_len) !=
	    CTD_OK) {
		snprintf(detail, detail_len, "the signature does not cover "
		    "the MerkleTreeLeaf built for the certificate");
		return CTD_EVERIFY;
	}
	return CTD_OK;
}

int
sctx_leaf_index(const SCT *sct, uint64_t *index)
{
	unsigned char *ext = NULL;
	size_t len = SCT_get0_extensions(sct, &ext);

	if (len == 0) {
		return CTD_ENOTFOUND;
	}
	return tile_leaf_index(ext, len, index);
}
