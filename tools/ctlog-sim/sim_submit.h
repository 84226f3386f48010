/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_submit.h -- the simulated log's submissions: add-chain and
 * add-pre-chain (RFC 6962 sections 4.1 and 4.2).
 *
 * POST /ct/v1/add-chain      {"chain": [base64 DER, ...]}: chain[0] is
 *                            the certificate, the rest its chain
 * POST /ct/v1/add-pre-chain  same, chain[0] a precertificate (critical
 *                            poison extension) and chain[1] its issuer
 * answer 200 {"sct_version": 0, "id", "timestamp", "extensions": "",
 *             "signature"}: an SCT signed with the log key.
 *
 * The entry is built as RFC 6962 section 3.2 says: x509_entry (the
 * certificate's DER) or precert_entry (SHA-256 of the issuer's
 * SubjectPublicKeyInfo, and the TBSCertificate without the poison
 * extension), timestamped now, and appended at once: the STH published
 * with it covers it (no merge delay). The SCT's signed data is that very
 * MerkleTreeLeaf with its first two bytes read as sct_version and
 * signature_type (both 0).
 *
 * What a real log does and the simulator does not: the chain need not end
 * at an accepted root (any issuer is taken, but chain[0] must verify with
 * chain[1]'s key when chain[1] is given); a resubmission is a new entry
 * with a new SCT; precertificates signed by a Precertificate Signing
 * Certificate (EKU 1.3.6.1.4.1.11129.2.4.4) are refused (400).
 *
 * A static-ct-api log (ctlog-sim --static) adds the leaf_index extension
 * (static-ct-api "SCT Extension": type 0, a 5-byte big-endian index) to
 * the entry's CtExtensions and so to the SCT's extensions; the index is
 * set when the entry is appended (null merge delay).
 */
#ifndef SIM_SUBMIT_H
#define SIM_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "sim_log.h"

/* Length of CtExtensions holding only a leaf_index extension. */
#define SIM_SUBMIT_EXT_LEN 8

/* Largest request body taken (a long chain of big certificates). */
#define SIM_SUBMIT_BODY_MAX (1u << 20)

/*
 * Collect a POST body across libmicrohttpd's calls.
 * @param con_cls: the connection's slot; holds the body (see below).
 * @param data, size: this call's upload data; *size is set to 0.
 * @return: true when the body is complete (the last call).
 *	false: return MHD_YES and wait for the next call; also false when
 *	out of memory (*con_cls stays NULL: the caller answers 500).
 */
bool sim_submit_collect(void **con_cls, const char *data, size_t *size);

/*
 * Free what sim_submit_collect() holds; NULL is a no-op.
 * @param body: *con_cls.
 */
void sim_submit_free(void *body);

/*
 * Handle a complete add-chain or add-pre-chain body.
 * @param log: the log to append to.
 * @param precert: true for add-pre-chain.
 * @param leaf_index: true to add the static-ct-api leaf_index extension.
 * @param body: *con_cls from sim_submit_collect().
 * @param out: set to the answer body (caller owns; NULL when out of
 *	memory).
 * @return: the HTTP status: 200, 400 (bad JSON, base64, certificate,
 *	chain or poison), 413 (body too large), 500.
 */
unsigned sim_submit_run(struct sim_log *log, bool precert, bool leaf_index,
    void *body, json_t **out);

#endif /* SIM_SUBMIT_H */
