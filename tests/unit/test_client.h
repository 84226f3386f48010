/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_client.h -- the fixture libctdns' unit tests share
 * (test_client_fix.c): the test CA's keys and certificates and the
 * helpers that build log lists, leaves and SCT lists.
 */
#ifndef TEST_CLIENT_H
#define TEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ctdns.h"
#include "test_client_ca.h"

#define SCT_TS UINT64_C(1750000000000)

extern EVP_PKEY *log_key, *ca_key, *leaf_key, *log2_key;
extern X509 *ca;		/* the test CA (key ca_key) */
extern X509 *pre;		/* a precertificate it issued */
extern X509 *plain;		/* a certificate it issued */
extern uint8_t log_id[32];
extern char log_id_b64[48], key_b64[200];	/* the test log */
extern char log2_id_b64[48], key2_b64[200];	/* a second log */

/*
 * Make the keys and certificates above.
 * @return: false when OpenSSL fails (bail out).
 */
bool tcl_setup(void);

/* Free what tcl_setup() made. */
void tcl_teardown(void);

/*
 * Parse a log list.
 * @return: the list (caller frees with ctdns_loglist_free()), or NULL
 *	with the reason as a TAP diagnostic.
 */
struct ctdns_loglist *tcl_load(const char *json);

/*
 * The test's own MerkleTreeLeaf of pre (precert_entry) at timestamp ts,
 * with these extensions (a CtExtensions list's contents; NULL, 0: none).
 * @param out: appended to; caller frees out->p.
 * @return: false when OpenSSL fails.
 */
bool tcl_leaf(uint64_t ts, const uint8_t *ext, size_t ext_len,
    struct tca_buf *out);

/*
 * An SCT list of one SCT of the test log (log_key) over leaf, carrying
 * these extensions.
 * @param list: appended to; caller frees list->p.
 */
bool tcl_sct_list(const struct tca_buf *leaf, uint64_t ts,
    const uint8_t *ext, size_t ext_len, struct tca_buf *list);

#endif /* TEST_CLIENT_H */
