/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logkey.h -- a CT log's public key (ECDSA P-256 or RSA >= 2048) and log ID.
 *
 * Wraps an OpenSSL EVP_PKEY. Pure apart from logkey_from_pem_file().
 */
#ifndef CTD_LOGKEY_H
#define CTD_LOGKEY_H

#include <stddef.h>
#include <stdint.h>

struct logkey;

enum logkey_type { LOGKEY_ECDSA_P256, LOGKEY_RSA };

/*
 * A key from DER SubjectPublicKeyInfo bytes.
 * @return: CTD_OK with *out set (caller frees with logkey_free());
 *	CTD_EMALF when it does not parse; CTD_ERANGE for another curve, an RSA
 *	key below 2048 bits or another algorithm; CTD_ENOMEM.
 */
int logkey_from_der(const uint8_t *der, size_t len, struct logkey **out);

/* Same, from the base64 text of the DER, as log lists give it. */
int logkey_from_b64(const char *b64, struct logkey **out);

/* Same, from a PEM file ("PUBLIC KEY"). CTD_EIO when it cannot be read. */
int logkey_from_pem_file(const char *path, struct logkey **out);

/* logkey_free(NULL) is a no-op. */
void logkey_free(struct logkey *key);

/*
 * Another handle on the same key (the OpenSSL key is shared, reference
 * counted), for a module that must outlive the key's first owner.
 * @return: the copy (caller frees with logkey_free()), or NULL when out of
 *	memory.
 */
struct logkey *logkey_dup(const struct logkey *key);

/* The log ID: SHA-256 of the DER SubjectPublicKeyInfo (32 bytes, borrowed;
 * valid while the key lives). */
const uint8_t *logkey_id(const struct logkey *key);

enum logkey_type logkey_type(const struct logkey *key);

/*
 * Verify a TLS DigitallySigned (hash alg, sig alg, uint16 len, signature)
 * over data. Requires hash sha256 (4) and the signature algorithm of the
 * key (3 ecdsa, 1 rsa).
 * @return: CTD_OK, CTD_EMALF (does not parse, wrong algorithms, trailing
 *	bytes), CTD_EVERIFY.
 */
int logkey_verify(const struct logkey *key, const uint8_t *data,
    size_t data_len, const uint8_t *dsig, size_t dsig_len);

#endif /* CTD_LOGKEY_H */
