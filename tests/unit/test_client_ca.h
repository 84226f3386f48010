/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_client_ca.h -- a test CA for the client library's tests (OpenSSL).
 *
 * Used by tests/unit/test_client.c and by the tests/system/testca tool
 * that test_unbound.sh drives. Issues precertificates (critical poison
 * extension), turns them into final certificates (poison removed, the
 * SCT list extension put in its place, signed again: the TBS without the
 * SCT list is then the precertificate's TBS without the poison, as RFC
 * 6962 section 3.1 requires), issues plain certificates, and encodes SCTs
 * and SCT lists. Every certificate: EC P-256, fixed validity, extensions
 * basicConstraints, subjectAltName, then poison or SCT list.
 */
#ifndef TEST_CLIENT_CA_H
#define TEST_CLIENT_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* A growing byte buffer; free(p) releases it. */
struct tca_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

/* Append bytes; false when out of memory. */
bool tca_put(struct tca_buf *b, const void *data, size_t len);

/* A fresh EC P-256 key; NULL on failure. */
EVP_PKEY *tca_key(void);

/* A self-signed CA certificate for key; NULL on failure. */
X509 *tca_ca(EVP_PKEY *key, const char *cn);

/*
 * A certificate for cn (also its DNS subjectAltName) with the subject
 * key, issued by ca/ca_key; with a critical poison extension when
 * precert. NULL on failure.
 */
X509 *tca_issue(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *subject_key,
    const char *cn, long serial, bool precert);

/*
 * The final certificate of a precertificate: the poison replaced, in
 * place, by the SCT list extension holding list (TLS-encoded
 * SignedCertificateTimestampList), signed with ca_key. NULL on failure.
 */
X509 *tca_finalize(X509 *pre, EVP_PKEY *ca_key, const uint8_t *list,
    size_t list_len);

/*
 * One TLS-encoded SCT v1: version, log id, timestamp, extensions,
 * DigitallySigned.
 */
bool tca_sct(struct tca_buf *out, const uint8_t id[32], uint64_t ts,
    const uint8_t *dsig, size_t dsig_len);

/* The same with extensions (a CtExtensions list's contents; copied). */
bool tca_sct_ext(struct tca_buf *out, const uint8_t id[32], uint64_t ts,
    const uint8_t *ext, size_t ext_len, const uint8_t *dsig,
    size_t dsig_len);

/*
 * An SCT from an add-chain answer (JSON text), extensions kept (a
 * static-ct-api log's leaf_index); false when malformed.
 */
bool tca_sct_from_json(struct tca_buf *out, const char *json);

/* A SignedCertificateTimestampList of n SCTs (each a tca_sct()). */
bool tca_sct_list(struct tca_buf *out, const struct tca_buf *scts,
    size_t n);

/*
 * Sign data as a CT log: DigitallySigned (sha256, ecdsa) with key.
 * @param out: room for 4 + 80 bytes.
 */
bool tca_sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *out,
    size_t *out_len);

/* SHA-256 of the key's DER SubjectPublicKeyInfo (a log ID). */
bool tca_key_id(EVP_PKEY *key, uint8_t out[32]);

#endif /* TEST_CLIENT_CA_H */
