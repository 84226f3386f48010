/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_submit.c -- add-chain and add-pre-chain for the simulated log.
 * See sim_submit.h for what is and is not checked.
 *
 * Independent of libctdns on purpose, like the rest of the simulator:
 * the client library builds the same MerkleTreeLeaf from the other side
 * (from the final certificate with its SCT list), and the tests prove the
 * two agree byte for byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sim_submit.h"
#include "sim_util.h"

/* Most certificates in a submitted chain. */
#define CHAIN_MAX 10
/* The EKU of a Precertificate Signing Certificate (RFC 6962 3.1). */
#define PRECERT_SIGNING_EKU "1.3.6.1.4.1.11129.2.4.4"

struct body {
	char *data;
	size_t len, cap;
	bool overflow;
};

bool
sim_submit_collect(void **con_cls, const char *data, size_t *size)
{
	struct body *b = *con_cls;

	if (b == NULL) {
		/* The first call carries only the headers. */
		*con_cls = calloc(1, sizeof *b);
		return false;
	}
	if (*size == 0) {
		return true;
	}
	if (!b->overflow && b->len + *size > SIM_SUBMIT_BODY_MAX) {
		b->overflow = true;
	}
	if (!b->overflow) {
		if (b->len + *size > b->cap) {
			size_t cap = b->cap == 0 ? 8192 : b->cap;
			while (cap < b->len + *size) {
				cap *= 2;
			}
			char *more = realloc(b->data, cap);
			if (more == NULL) {
				b->overflow = true;
			} else {
				b->data = more;
				b->cap = cap;
			}
		}
		if (!b->overflow) {
			memcpy(b->data + b->len, data, *size);
			b->len += *size;
		}
	}
	*size = 0;
	return false;
}

void
sim_submit_free(void *body)
{
	struct body *b = body;

	if (b != NULL) {
		free(b->data);
		free(b);
	}
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static json_t *
error_body(const char *msg)
{
	return json_pack("{s:s}", "error", msg);
}

/* One chain element: canonical base64 of one whole DER certificate. */
static X509 *
decode_cert(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = s != NULL ? strlen(s) : 0;
	unsigned char *der;
	X509 *x = NULL;

	if (len == 0 || len % 4 != 0 || len > SIM_SUBMIT_BODY_MAX) {
		return NULL;
	}
	if ((der = malloc(len / 4 * 3)) == NULL) {
		return NULL;
	}
	int n = EVP_DecodeBlock(der, (const unsigned char *)s, (int)len);
	if (n > 0) {
		/* EVP_DecodeBlock counts the padding as bytes. */
		n -= (s[len - 1] == '=') + (s[len - 2] == '=');
		const unsigned char *p = der;
		x = d2i_X509(NULL, &p, n);
		if (x != NULL && p != der + n) {
			X509_free(x);
			x = NULL;
		}
	}
	free(der);
	return x;
}

/* A growing byte buffer with a sticky error. */
struct buf {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static void
put(struct buf *b, const void *data, size_t len)
{
	if (b->err) {
		return;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;
		while (cap < b->len + len) {
			cap *= 2;
		}
		uint8_t *more = realloc(b->p, cap);
		if (more == NULL) {
			b->err = true;
			return;
		}
		b->p = more;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
put_uint(struct buf *b, uint64_t v, int bytes)
{
	uint8_t tmp[8];

	for (int i = 0; i < bytes; i++) {
		tmp[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	}
	put(b, tmp, (size_t)bytes);
}

/* uint24 length and DER of x (the TLS ASN.1Cert). */
static void
put_cert(struct buf *b, X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);

	if (len <= 0 || len >= (1 << 24)) {
		b->err = true;
	} else {
		put_uint(b, (uint64_t)len, 3);
		put(b, der, (size_t)len);
	}
	OPENSSL_free(der);
}

/* certificate_chain<0..2^24-1>: chain[1..]. */
static void
put_chain(struct buf *b, X509 **chain, size_t n)
{
	struct buf inner = { 0 };

	for (size_t i = 1; i < n; i++) {
		put_cert(&inner, chain[i]);
	}
	if (inner.err || inner.len >= (1 << 24)) {
		b->err = true;
	} else {
		put_uint(b, inner.len, 3);
		put(b, inner.p, inner.len);
	}
	free(inner.p);
}

/* precert_entry: issuer_key_hash, then the TBS without the poison. */
static const char *
put_precert(struct buf *b, X509 *pre, X509 *issuer)
{
	unsigned char *spki = NULL, *tbs = NULL;
	uint8_t hash[32];
	unsigned int hlen = 0;
	X509 *dup = X509_dup(pre);
	const char *why = NULL;
	int loc;

	int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
	if (dup == NULL || spki_len <= 0 || EVP_Digest(spki,
	    (size_t)spki_len, hash, &hlen, EVP_sha256(), NULL) != 1) {
		why = "internal error";
		goto out;
	}
	while ((loc = X509_get_ext_by_NID(dup, NID_ct_precert_poison,
	    -1)) >= 0) {
		X509_EXTENSION_free(X509_delete_ext(dup, loc));
	}
	int tbs_len = i2d_re_X509_tbs(dup, &tbs);
	if (tbs_len <= 0 || tbs_len >= (1 << 24)) {
		why = "the precertificate's TBSCertificate does not encode";
		goto out;
	}
	put(b, hash, sizeof hash);
	put_uint(b, (uint64_t)tbs_len, 3);
	put(b, tbs, (size_t)tbs_len);
out:
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	X509_free(dup);
	return why;
}

static bool
has_precert_signing_eku(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage,
	    NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(PRECERT_SIGNING_EKU, 1);
	bool found = false;

	for (int i = 0; eku != NULL && want != NULL &&
	    i < sk_ASN1_OBJECT_num(eku); i++) {
		if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0) {
			found = true;
		}
	}
	ASN1_OBJECT_free(want);
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

/* Check the chain for the endpoint; NULL when fine, else why not. */
static const char *
check_chain(bool precert, X509 **chain, size_t n)
{
	int crit = -1;
	ASN1_NULL *poison = X509_get_ext_d2i(chain[0], NID_ct_precert_poison,
	    &crit, NULL);
	bool poisoned = X509_get_ext_by_NID(chain[0], NID_ct_precert_poison,
	    -1) >= 0;

	ASN1_NULL_free(poison);
	if (precert && (!poisoned || crit != 1)) {
		return "add-pre-chain: chain[0] has no critical poison "
		    "extension";
	}
	if (!precert && poisoned) {
		return "add-chain: chain[0] is a precertificate (use "
		    "add-pre-chain)";
	}
	if (precert && n < 2) {
		return "add-pre-chain: the issuer (chain[1]) is missing";
	}
	if (precert && has_precert_signing_eku(chain[1])) {
		return "precertificate signing certificates are not "
		    "supported by the simulator";
	}
	for (size_t i = 0; i + 1 < n; i++) {
		EVP_PKEY *k = X509_get0_pubkey(chain[i + 1]);
		if (k == NULL || X509_verify(chain[i], k) != 1) {
			return "a certificate of the chain is not signed by "
			    "the next one";
		}
	}
	return NULL;
}

/*
 * The MerkleTreeLeaf and extra_data of the submission. With idx_off
 * non-NULL the extensions hold one static-ct-api leaf_index extension
 * (type 0, 5 bytes, zero until appended) and *idx_off is set to the
 * offset of those 5 bytes in the leaf.
 */
static const char *
build_entry(bool precert, X509 **chain, size_t n, uint64_t ts,
    struct buf *leaf, struct buf *extra, size_t *idx_off)
{
	const char *why = NULL;

	put_uint(leaf, 0, 1);		/* v1 */
	put_uint(leaf, 0, 1);		/* timestamped_entry */
	put_uint(leaf, ts, 8);
	put_uint(leaf, precert ? 1 : 0, 2);
	if (precert) {
		why = put_precert(leaf, chain[0], chain[1]);
		put_cert(extra, chain[0]);	/* PrecertChainEntry */
	} else {
		put_cert(leaf, chain[0]);
	}
	if (idx_off != NULL) {
		put_uint(leaf, SIM_SUBMIT_EXT_LEN, 2);	/* CtExtensions */
		put_uint(leaf, 0, 1);		/* leaf_index */
		put_uint(leaf, 5, 2);
		*idx_off = leaf->len;
		put_uint(leaf, 0, 5);
	} else {
		put_uint(leaf, 0, 2);		/* no CtExtensions */
	}
	put_chain(extra, chain, n);
	if (why == NULL && (leaf->err || extra->err)) {
		why = "internal error";
	}
	return why;
}

/* The SCT answer for an appended entry. */
static json_t *
sct_json(struct sim_log *log, const struct buf *leaf, uint64_t ts,
    size_t idx_off)
{
	uint8_t sig[SIM_KEY_SIG_MAX], id[32];
	size_t sig_len, spki_len;
	unsigned int id_len = 0;
	const uint8_t *spki = sim_log_spki(log, &spki_len);
	/* The SCT's extensions are the leaf's, after its index was set. */
	const uint8_t *ext = idx_off != SIZE_MAX ?
	    leaf->p + idx_off + 5 - SIM_SUBMIT_EXT_LEN : NULL;

	if (sim_log_sign(log, leaf->p, leaf->len, sig, &sig_len) != SIM_OK ||
	    EVP_Digest(spki, spki_len, id, &id_len, EVP_sha256(), NULL) !=
	    1) {
		return NULL;
	}
	return json_pack("{s:i, s:o, s:I, s:o, s:o}", "sct_version", 0,
	    "id", sim_json_b64(id, sizeof id), "timestamp", (json_int_t)ts,
	    "extensions", ext != NULL ? sim_json_b64(ext, SIM_SUBMIT_EXT_LEN) :
	    json_string(""), "signature", sim_json_b64(sig, sig_len));
}

unsigned
sim_submit_run(struct sim_log *log, bool precert, bool leaf_index,
    void *body, json_t **out)
{
	size_t idx_off = SIZE_MAX;
	struct body *b = body;
	X509 *chain[CHAIN_MAX] = { NULL };
	struct buf leaf = { 0 }, extra = { 0 };
	size_t n = 0;
	unsigned status = MHD_HTTP_BAD_REQUEST;
	const char *why = "the body is not {\"chain\": [base64 DER, ...]}";
	json_t *root = NULL, *list;
	uint64_t idx;

	*out = NULL;
	if (b->overflow) {
		*out = error_body("request body too large");
		return 413;
	}
	root = json_loadb(b->data != NULL ? b->data : "", b->len, 0, NULL);
	list = json_object_get(root, "chain");
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > CHAIN_MAX) {
		goto out;
	}
	for (n = 0; n < json_array_size(list); n++) {
		if ((chain[n] = decode_cert(json_array_get(list, n))) ==
		    NULL) {
			why = "a chain element is not base64 of a DER "
			    "certificate";
			goto out;
		}
	}
	if ((why = check_chain(precert, chain, n)) != NULL) {
		goto out;
	}
	uint64_t ts = now_ms();
	if ((why = build_entry(precert, chain, n, ts, &leaf, &extra,
	    leaf_index ? &idx_off : NULL)) != NULL) {
		goto out;
	}
	status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	why = "cannot append the entry";
	if (sim_log_append_leaf(log, leaf.p, leaf.len, idx_off, extra.p,
	    extra.len, &idx) != SIM_OK ||
	    (*out = sct_json(log, &leaf, ts, idx_off)) == NULL) {
		goto out;
	}
	status = MHD_HTTP_OK;
	why = NULL;
out:
	if (why != NULL) {
		*out = error_body(why);
	}
	for (size_t i = 0; i < CHAIN_MAX; i++) {
		X509_free(chain[i]);
	}
	free(leaf.p);
	free(extra.p);
	json_decref(root);
	return status;
}
