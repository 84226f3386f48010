/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_client_fix.c -- the fixture of libctdns' unit tests (test_client,
 * test_client_tiled): a test CA and its precertificate, two log keys and
 * their IDs, and the helpers that play the log: the MerkleTreeLeaf of the
 * precertificate, built here independently of the library, and an SCT
 * list signed over it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "base64.h"
#include "err.h"
#include "../tap.h"
#include "test_client.h"

EVP_PKEY *log_key, *ca_key, *leaf_key, *log2_key;
X509 *ca, *pre, *plain;
uint8_t log_id[32];
char log_id_b64[48], key_b64[200];
char log2_id_b64[48], key2_b64[200];

/* The base64 of key's SubjectPublicKeyInfo and of its log ID. */
static bool
key_strings(EVP_PKEY *key, uint8_t id[32], char *key_out, size_t key_cap,
    char *id_out, size_t id_cap)
{
	unsigned char *der = NULL;
	int der_len = key != NULL ? i2d_PUBKEY(key, &der) : -1;
	bool okk = der_len > 0 && tca_key_id(key, id) &&
	    base64_encode(der, (size_t)der_len, key_out, key_cap, NULL) ==
	    CTD_OK && base64_encode(id, 32, id_out, id_cap, NULL) == CTD_OK;

	OPENSSL_free(der);
	return okk;
}

bool
tcl_setup(void)
{
	uint8_t id2[32];

	log_key = tca_key();
	ca_key = tca_key();
	leaf_key = tca_key();
	log2_key = tca_key();
	ca = tca_ca(ca_key, "test CA");
	pre = tca_issue(ca, ca_key, leaf_key, "a.test.example", 7, true);
	plain = tca_issue(ca, ca_key, leaf_key, "b.test.example", 8, false);
	return ca != NULL && pre != NULL && plain != NULL &&
	    key_strings(log_key, log_id, key_b64, sizeof key_b64, log_id_b64,
	    sizeof log_id_b64) &&
	    key_strings(log2_key, id2, key2_b64, sizeof key2_b64, log2_id_b64,
	    sizeof log2_id_b64);
}

void
tcl_teardown(void)
{
	X509_free(plain);
	X509_free(pre);
	X509_free(ca);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(log_key);
	EVP_PKEY_free(log2_key);
}

struct ctdns_loglist *
tcl_load(const char *json)
{
	struct ctdns_loglist *l = NULL;
	char err[200];

	if (ctdns_loglist_parse(json, strlen(json), &l, err, sizeof err) !=
	    0) {
		diag("parse: %s", err);
	}
	return l;
}

bool
tcl_leaf(uint64_t ts, const uint8_t *ext, size_t ext_len,
    struct tca_buf *out)
{
	unsigned char *spki = NULL, *tbs = NULL;
	uint8_t ikh[32], hdr[12] = { 0 };
	unsigned int len;
	X509 *dup = X509_dup(pre);

	X509_EXTENSION_free(X509_delete_ext(dup, X509_get_ext_by_NID(dup,
	    NID_ct_precert_poison, -1)));
	int tbs_len = i2d_re_X509_tbs(dup, &tbs);
	int spki_len = i2d_PUBKEY(ca_key, &spki);
	bool okk = tbs_len > 0 && spki_len > 0 && EVP_Digest(spki,
	    (size_t)spki_len, ikh, &len, EVP_sha256(), NULL) == 1;
	for (int i = 0; i < 8; i++) {
		hdr[2 + i] = (uint8_t)(ts >> (56 - 8 * i));
	}
	hdr[11] = 1;	/* precert_entry */
	uint8_t l24[3] = { (uint8_t)(tbs_len >> 16), (uint8_t)(tbs_len >> 8),
	    (uint8_t)tbs_len };
	uint8_t l16[2] = { (uint8_t)(ext_len >> 8), (uint8_t)ext_len };
	okk = okk && tca_put(out, hdr, sizeof hdr) && tca_put(out, ikh, 32) &&
	    tca_put(out, l24, 3) && tca_put(out, tbs, (size_t)tbs_len) &&
	    tca_put(out, l16, 2) && (ext_len == 0 ||
	    tca_put(out, ext, ext_len));
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	X509_free(dup);
	return okk;
}

bool
tcl_sct_list(const struct tca_buf *leaf, uint64_t ts, const uint8_t *ext,
    size_t ext_len, struct tca_buf *list)
{
	uint8_t sig[100];
	size_t sig_len;
	struct tca_buf sct = { 0 };

	bool okk = tca_sign(log_key, leaf->p, leaf->len, sig, &sig_len) &&
	    tca_sct_ext(&sct, log_id, ts, ext, ext_len, sig, sig_len) &&
	    tca_sct_list(list, &sct, 1);
	free(sct.p);
	return okk;
}
