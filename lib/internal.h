/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * internal.h -- libctdns' private types, shared by its modules.
 *
 *   loglist.c	the known logs (JSON), their keys, an OpenSSL CTLOG_STORE
 *   sctx.c	SCTs in, OpenSSL validation, MerkleTreeLeaf out
 *   vstate.c	one SCT's proof as a state machine: question, answer, ...
 *   verify.c	the public API: requests, reports, blocking driver
 *   uvq.c	one DNS question on a libuv loop (UDP, then TCP if truncated)
 *   dnsq.c	the blocking ldns transport and the answer checks
 *
 * vstate never does I/O and never reads the clock (the caller gives
 * now_ms): the blocking driver (ldns) and the libuv driver run the same
 * machine, and the unit tests feed it answers by hand.
 */
#ifndef CTDNS_INTERNAL_H
#define CTDNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ct.h>

#include "ctdns.h"
#include "dnsq.h"
#include "merkle.h"
#include "sth.h"

struct logkey;
struct cpverify_policy;

/* One log of the list: operators[].logs[] or operators[].tiled_logs[]. */
struct ll_log {
	uint8_t id[CTDNS_LOG_ID_LEN];
	char id_b64[48];
	char *description;
	char *url;		/* tiled: the submission_url */
	char *monitoring_url;	/* tiled only; "" for an RFC 6962 log */
	bool tiled;		/* from tiled_logs (C2SP static-ct-api) */
	char *zone;		/* NULL: none known */
	char *key_b64;
	struct logkey *key;
	uint64_t mmd_ms;
	enum ctdns_log_state state;
	uint64_t state_time_ms;
	/* ctdns_loglist_set_witnesses(): NULL, or heads come from
	 * checkpoint.<zone> with this quorum, for this origin. */
	struct cpverify_policy *policy;
	char *origin;
};

struct ctdns_loglist {
	struct ll_log *logs;
	size_t count;
	CTLOG_STORE *store;	/* the same logs, for SCT_validate() */
};

/*
 * The log with this ID, or NULL.
 * @return: borrowed; valid while the list lives.
 */
const struct ll_log *loglist_find(const struct ctdns_loglist *list,
    const uint8_t id[CTDNS_LOG_ID_LEN]);

struct req_sct {
	SCT *sct;			/* owned */
	enum ctdns_sct_source source;
};

struct ctdns_request {
	X509 *cert;
	X509 *issuer;			/* may be NULL */
	struct req_sct *scts;
	size_t count;
};

struct ctdns_client {
	const struct ctdns_loglist *logs;
	struct dnsq dq;			/* blocking transport */
	struct sockaddr_storage addr;	/* async transport's server */
	socklen_t addr_len;
	bool tcp;
	uint64_t now_ms;		/* 0: the system clock */
};

struct ctdns_report {
	size_t count;
	struct ctdns_sct_result *res;
};

/* The client's clock, ms since the epoch. */
uint64_t client_now(const struct ctdns_client *c);

/* --- sctx.c ------------------------------------------------------------ */

/* The longest MerkleTreeLeaf this library builds (a 64 KiB TBS fits). */
#define SCTX_LEAF_MAX (1u << 20)

/*
 * Append the SCTs of the certificate's SCT list extension, if any.
 * @return: CTD_OK (also without the extension); CTD_EMALF when the
 *	extension does not parse or occurs twice; CTD_ENOMEM.
 */
int sctx_add_embedded(struct ctdns_request *req);

/*
 * Parse an SCT list and append its SCTs to the request.
 * @return: CTD_OK; CTD_EMALF when it does not parse; CTD_ENOMEM.
 */
int sctx_add_list(struct ctdns_request *req, const uint8_t *list,
    size_t len, enum ctdns_sct_source source);

/*
 * The RFC 6962 section 3.4 MerkleTreeLeaf of an SCT for the certificate:
 * version v1, timestamped_entry, the SCT's timestamp, x509_entry (the
 * certificate's DER) or precert_entry (SHA-256 of the issuer's
 * SubjectPublicKeyInfo, then the TBSCertificate re-encoded without the
 * SCT list and poison extensions), and the SCT's extensions.
 * It is also, byte for byte, what the SCT signs after its first two
 * bytes (RFC 6962 section 3.2: sct_version v1 = 0, certificate_timestamp
 * = 0 in place of version v1 = 0, timestamped_entry = 0).
 * @param issuer: needed for precert_entry; may be NULL otherwise.
 * @param out: set to the bytes; caller frees with OPENSSL_free().
 * @return: CTD_OK; CTD_EINVAL for precert_entry without an issuer;
 *	CTD_EMALF when the certificate does not re-encode; CTD_ENOMEM.
 */
int sctx_leaf(const SCT *sct, X509 *cert, X509 *issuer, uint8_t **out,
    size_t *out_len);

/*
 * Check the SCT's signature twice: OpenSSL's SCT_validate() (with the
 * list's CTLOG_STORE), and the log key over the leaf bytes (proving the
 * leaf built here is what the log signed).
 * @param detail: receives why it failed.
 * @return: CTD_OK; CTD_EVERIFY (bad signature, future timestamp,
 *	unsupported version); CTD_EINVAL (no issuer for an embedded SCT);
 *	CTD_ENOTFOUND (unknown log).
 */
int sctx_validate(const struct ctdns_loglist *list, const SCT *sct,
    X509 *cert, X509 *issuer, const struct ll_log *log, const uint8_t *leaf,
    size_t leaf_len, uint64_t now_ms, char *detail, size_t detail_len);

/*
 * The leaf index an SCT carries in its extensions: the C2SP static-ct-api
 * leaf_index extension (type 0, a 5-byte big-endian index), found with
 * tile_leaf_index(). The SCT's signature covers its extensions, so once
 * sctx_validate() accepted the SCT the index is the log's word.
 * @return: CTD_OK with *index set; CTD_ENOTFOUND when the SCT has no
 *	leaf_index extension (its extensions may be empty or of other
 *	types); CTD_EMALF when the extensions do not parse as a CtExtensions
 *	list, a type occurs twice, or the leaf_index data is not 5 bytes.
 */
int sctx_leaf_index(const SCT *sct, uint64_t *index);

/* --- vstate.c ---------------------------------------------------------- */

enum vstate_phase {
	VSTATE_STH,
	VSTATE_HASH,
	VSTATE_PATH,
	VSTATE_DONE,
};

/* One SCT's walk: sth, hash, tree ... Fills res as it goes. */
struct vstate {
	enum vstate_phase phase;
	const struct ll_log *log;
	uint64_t now_ms;
	uint64_t sct_ts;
	uint8_t leaf_hash[MERKLE_HASH_LEN];
	struct sth sth;
	uint32_t sth_ttl;
	uint64_t index;
	bool index_known;	/* from the SCT: no hash question */
	size_t path_len;	/* nodes the audit path has */
	size_t have;		/* nodes received so far */
	uint8_t path[MERKLE_MAX_PATH * MERKLE_HASH_LEN];
	struct ctdns_sct_result *res;	/* borrowed */
};

/* A question the machine asks: "<label>.<zone>" TXT. */
struct vstate_question {
	const char *what;	/* "sth", "hash", "tree" */
	char label[128];
	size_t cap;		/* most text bytes the answer may hold */
};

/*
 * Start the walk for an SCT whose signature verified.
 * @param log: its log (with a zone and a key); borrowed.
 * @param res: the result to fill; borrowed until VSTATE_DONE.
 */
void vstate_init(struct vstate *vs, const struct ll_log *log,
    uint64_t sct_ts, const uint8_t leaf_hash[MERKLE_HASH_LEN],
    uint64_t now_ms, struct ctdns_sct_result *res);

/*
 * Prove inclusion at this leaf index (the SCT's leaf_index extension)
 * instead of asking <hash>.hash.<zone> for it: after the STH, the walk
 * goes straight to the audit path, which must lead from the leaf hash at
 * this index to the signed root. Call after vstate_init(), before the
 * first vstate_next().
 */
void vstate_set_index(struct vstate *vs, uint64_t index);

/*
 * The next question, or false when the walk is done (res complete).
 */
bool vstate_next(const struct vstate *vs, struct vstate_question *q);

/*
 * Take the answer to the question vstate_next() gave.
 * @param a: the checked answer (a->rc: CTD_OK, CTD_ENOTFOUND for
 *	NXDOMAIN, another code for a network or protocol error).
 */
void vstate_feed(struct vstate *vs, const struct dnsq_answer *a);

/* --- uvq.c ------------------------------------------------------------- */

typedef void uvq_cb(struct dnsq_answer *a, void *arg);

/*
 * Ask "name" TXT of the server on the loop; cb gets the checked answer
 * (borrowed for the call) exactly once, on the loop, never from within.
 * @param name: absolute query name; what: kind for messages.
 * @return: CTD_OK; CTD_EINVAL for a bad name; CTD_ENOMEM; a libuv
 *	failure as CTD_EIO (cb will not be called).
 */
int uvq_start(struct uv_loop_s *loop, const struct sockaddr *server,
    socklen_t server_len, bool tcp, const char *what, const char *name,
    size_t cap, uvq_cb *cb, void *arg);

#endif /* CTDNS_INTERNAL_H */
