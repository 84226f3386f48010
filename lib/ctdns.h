/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctdns.h -- libctdns: prove a certificate's SCTs over CT-over-DNS.
 *
 * For a TLS client (a browser, curl, a mail server, an auditor's script)
 * that holds a certificate with Signed Certificate Timestamps and wants
 * to know, privately, that each log really included it. For every SCT the
 * library
 *  1. finds the log in a known-log list (Chrome's log_list.json v3, plus a
 *     DNS zone per log),
 *  2. checks the SCT's signature (OpenSSL's SCT_validate() with a
 *     CTLOG_STORE built from the list, and the library's own check over
 *     the MerkleTreeLeaf it computed, which must be the signed bytes),
 *  3. computes the RFC 6962 MerkleTreeLeaf (precert_entry for embedded
 *     SCTs: issuer key hash and the TBSCertificate without the SCT list;
 *     x509_entry for SCTs from the TLS extension or OCSP),
 *  4. asks the log's zone, through the client's resolver, for the STH
 *     (sth.<zone>, signature checked with the log's key), the leaf index
 *     (<base32 leaf hash>.hash.<zone>) and the audit path
 *     (<start>.<index>.<size>.tree.<zone>), and verifies the inclusion in
 *     the STH's tree. An SCT that carries its leaf index (the C2SP
 *     static-ct-api leaf_index extension, which tiled logs add to every
 *     SCT) is proven at that index: the hash question is not asked.
 *
 * Two ways to run it: ctdns_verify() blocks (ldns' stub resolver), and
 * ctdns_verify_start() runs on the caller's libuv loop (queries built and
 * parsed with ldns, sent with libuv UDP, TCP when truncated); both give
 * the same report. All SCTs of one request are checked independently.
 *
 * Ownership: every _new()/_load() result is freed with its _free();
 * _free(NULL) is a no-op. Objects are not thread-safe; use one client per
 * thread. A loglist may be shared by clients of one thread.
 *
 * Errors: functions that can fail return 0 or a negative code, described
 * by ctdns_strerror(). The outcome of each SCT is not an error: it is in
 * the report.
 *
 * Link with `pkg-config --libs ctdns` (a static library; it needs ldns,
 * libuv, libcrypto and jansson). Internal symbols are prefixed ctdns__.
 */
#ifndef CTDNS_H
#define CTDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTDNS_VERSION "0.1.0"
#define CTDNS_LOG_ID_LEN 32

struct uv_loop_s;

/* ---------------------------------------------------------------------- */
/* Known logs                                                              */

/* A log's state in the log list (Chrome's log_list.json v3). */
enum ctdns_log_state {
	CTDNS_STATE_NONE = 0,	/* no state given */
	CTDNS_STATE_PENDING,
	CTDNS_STATE_QUALIFIED,
	CTDNS_STATE_USABLE,
	CTDNS_STATE_READONLY,
	CTDNS_STATE_RETIRED,
	CTDNS_STATE_REJECTED,
};

struct ctdns_loglist;

/* One known log, as ctdns_loglist_get() describes it. */
struct ctdns_log_info {
	uint8_t log_id[CTDNS_LOG_ID_LEN];	/* SHA-256 of the key's DER */
	char log_id_b64[48];		/* base64, as the list gives it */
	const char *description;	/* borrowed: valid while the list */
	const char *url;		/* borrowed; "" when absent; a tiled
					 * log's submission_url */
	const char *zone;		/* borrowed; NULL: no DNS zone known */
	uint64_t mmd_ms;		/* maximum merge delay */
	enum ctdns_log_state state;
	uint64_t state_time_ms;		/* when it entered state; 0 unknown */
	bool tiled;			/* listed in tiled_logs */
	const char *monitoring_url;	/* borrowed; a tiled log's
					 * monitoring_url, else "" */
};

/*
 * Load a log list in Chrome's log_list.json v3 format: operators[].logs[]
 * with description, log_id, key, url, mmd (seconds) and state ({"usable":
 * {"timestamp": "2024-01-01T00:00:00Z"}}, or qualified, readonly,
 * retired, rejected, pending), and operators[].tiled_logs[] (C2SP
 * static-ct-api logs), the same but with submission_url and
 * monitoring_url (both required) in place of url. An optional "dns"
 * string in either kind of entry names the log's CT-over-DNS zone. Both
 * arrays are optional; the logs are counted logs first, then tiled_logs,
 * operator by operator. A log whose log_id is not the SHA-256 of its key
 * is an error; so is a log_id listed twice (in either array), a key that
 * is not ECDSA P-256 or RSA >= 2048, and any missing or mistyped field.
 * @param path: the file.
 * @param out: set to the list; caller frees with ctdns_loglist_free().
 * @param err: receives why it failed (may be NULL).
 * @param err_len: size of err.
 * @return: 0; CTDNS_E* codes: -EIO unreadable, malformed JSON or fields.
 */
int ctdns_loglist_load(const char *path, struct ctdns_loglist **out,
    char *err, size_t err_len);

/* Same, from a JSON text of len bytes (need not be NUL-terminated). */
int ctdns_loglist_parse(const char *json, size_t len,
    struct ctdns_loglist **out, char *err, size_t err_len);

/*
 * Map a log to its DNS zone (overrides the list's "dns" field).
 * @param log_id_b64: the log ID in base64 (44 characters).
 * @param zone: the zone apex; a final dot is added when missing.
 * @return: 0; a negative code when the ID is malformed or not in the
 *	list, or the zone is not a valid name.
 */
int ctdns_loglist_set_zone(struct ctdns_loglist *list,
    const char *log_id_b64, const char *zone);

/* Number of logs in the list. */
size_t ctdns_loglist_count(const struct ctdns_loglist *list);

/*
 * Describe log i (0 <= i < count).
 * @param out: filled in; its strings are borrowed from the list.
 * @return: 0, or a negative code when i is out of range.
 */
int ctdns_loglist_get(const struct ctdns_loglist *list, size_t i,
    struct ctdns_log_info *out);

void ctdns_loglist_free(struct ctdns_loglist *list);

/* Most witnesses in one log's policy. */
#define CTDNS_WITNESS_MAX 32

/*
 * Require a quorum of witness cosignatures for a log's tree heads
 * (c2sp.org/tlog-witness, tlog-cosignature; docs/client-library.md).
 * From then on every proof for this log is checked against the head of
 * checkpoint.<zone> (the log's head as a signed note, with the
 * cosignatures the server holds for it) instead of sth.<zone>: the log's
 * RFC6962NoteSignature must verify with its key for the log's origin
 * (its url, or a tiled log's submission_url, without scheme and trailing
 * slash), and at least quorum of the given witnesses must have a valid
 * cosignature/v1 line, or the SCT's outcome is CTDNS_NO_QUORUM and no
 * inclusion is claimed. A witness key counts once, whatever its lines.
 * quorum 0 still takes the head from the checkpoint (the log's signature
 * alone). Calling it again replaces the policy.
 * @param log_id_b64: the log ID in base64 (44 characters).
 * @param vkeys: count verifier keys "<name>+<hex key ID>+<base64(0x04 ||
 *	Ed25519 public key)>" (NUL-terminated; copied).
 * @param count: 0 to CTDNS_WITNESS_MAX.
 * @param quorum: valid cosignatures needed, at most count.
 * @return: 0; a negative code when the ID is malformed or not in the
 *	list, a key does not parse, is not a cosignature/v1 key or is given
 *	twice, quorum exceeds count, the log's URL gives no origin, or
 *	memory runs out. The previous policy stays on error.
 */
int ctdns_loglist_set_witnesses(struct ctdns_loglist *list,
    const char *log_id_b64, const char *const *vkeys, size_t count,
    unsigned quorum);

/* The list's name of a state ("usable", "retired", ...). */
const char *ctdns_log_state_name(enum ctdns_log_state state);

/* ---------------------------------------------------------------------- */
/* What to verify                                                         */

/* Where an SCT came from; decides the entry type of its leaf. */
enum ctdns_sct_source {
	CTDNS_SCT_EMBEDDED,	/* X.509v3 extension: precert_entry */
	CTDNS_SCT_TLS,		/* TLS extension: x509_entry */
	CTDNS_SCT_OCSP,		/* stapled OCSP response: x509_entry */
};

struct ctdns_request;

/*
 * A certificate to verify. Its embedded SCTs (extension
 * 1.3.6.1.4.1.11129.2.4.2) are taken at once.
 * @param cert: the certificate; up-referenced (the caller keeps its own).
 * @param issuer: its issuer (needed for embedded SCTs); up-referenced;
 *	may be NULL.
 * @param out: set to the request; caller frees with ctdns_request_free().
 * @return: 0; a negative code when the embedded SCT list does not parse
 *	or memory runs out.
 */
int ctdns_request_new(X509 *cert, X509 *issuer, struct ctdns_request **out);

/*
 * Add the SCTs of an RFC 6962 SignedCertificateTimestampList (the TLS
 * extension's or the OCSP extension's content: uint16 length, then
 * uint16-prefixed SCTs).
 * @param list: the bytes; copied.
 * @param source: CTDNS_SCT_TLS or CTDNS_SCT_OCSP (or EMBEDDED).
 * @return: 0; a negative code when the list does not parse.
 */
int ctdns_request_add_sct_list(struct ctdns_request *req,
    const uint8_t *list, size_t len, enum ctdns_sct_source source);

/* Number of SCTs the request holds. */
size_t ctdns_request_sct_count(const struct ctdns_request *req);

void ctdns_request_free(struct ctdns_request *req);

/* ---------------------------------------------------------------------- */
/* The client                                                             */

struct ctdns_client;

/* Flags for ctdns_client_new(). */
#define CTDNS_CLIENT_TCP	0x1	/* every query over TCP */

/*
 * A client: the known logs and a resolver.
 * @param logs: borrowed; must outlive the client.
 * @param server: NULL for the system resolver (the first nameserver of
 *	/etc/resolv.conf), else "ADDR" or "ADDR@PORT" (IPv4 or IPv6).
 * @param flags: CTDNS_CLIENT_* or 0.
 * @param out: set to the client; caller frees with ctdns_client_free().
 * @return: 0; a negative code for a bad server or unusable resolv.conf.
 */
int ctdns_client_new(const struct ctdns_loglist *logs, const char *server,
    unsigned flags, struct ctdns_client **out);

/*
 * The clock the client judges SCT ages by (milliseconds since the epoch);
 * 0 (the default) reads the system clock. For tests.
 */
void ctdns_client_set_time(struct ctdns_client *c, uint64_t now_ms);

/* Free the client. No ctdns_verify_start() may be in flight. */
void ctdns_client_free(struct ctdns_client *c);

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */

enum ctdns_outcome {
	/* The log's tree of tree_size leaves holds the SCT's leaf at
	 * leaf_index: audit path verified against its signed root. */
	CTDNS_INCLUDED = 0,
	/* The SCT's signature does not verify, it is malformed (its
	 * extensions included) or from the future. */
	CTDNS_SCT_INVALID,
	/* No proof can exist yet: the SCT is younger than the log's MMD
	 * and not merged, or the STH is older than the SCT. Try after
	 * retry_after_ms. Not a failure. */
	CTDNS_NOT_YET,
	/* The log (or the DNS path) contradicts the SCT: a bad STH
	 * signature, an audit path that does not lead to the root, the
	 * leaf missing after the MMD. */
	CTDNS_PROOF_FAILED,
	/* The SCT's log is not in the list. */
	CTDNS_LOG_UNKNOWN,
	/* The log's state is "rejected": its SCTs are not checked. */
	CTDNS_LOG_REJECTED,
	/* The log has no DNS zone (no "dns" field, no set_zone()). */
	CTDNS_NO_ZONE,
	/* It could not be checked: no DNS answer, SERVFAIL, no issuer
	 * for an embedded SCT. */
	CTDNS_ERROR,
	/* The log has a witness policy (ctdns_loglist_set_witnesses()) and
	 * the served checkpoint lacks its quorum of valid cosignatures: no
	 * proof is checked against a head the witnesses did not confirm. */
	CTDNS_NO_QUORUM,
};

/* The result for one SCT. */
struct ctdns_sct_result {
	enum ctdns_outcome outcome;
	enum ctdns_sct_source source;
	uint8_t log_id[CTDNS_LOG_ID_LEN];
	char log_id_b64[48];
	char log_description[128];	/* "" when the log is unknown */
	enum ctdns_log_state log_state;
	uint64_t log_state_time_ms;
	uint64_t sct_timestamp_ms;
	uint8_t leaf_hash[32];		/* valid when leaf_hash_set */
	bool leaf_hash_set;
	uint64_t tree_size;		/* of the STH used, when fetched */
	uint64_t sth_timestamp_ms;
	uint64_t leaf_index;		/* CTDNS_INCLUDED, or index_from_sct */
	uint64_t retry_after_ms;	/* CTDNS_NOT_YET */
	char detail[256];		/* one line: why */
	/* The SCT carried its leaf index (static-ct-api leaf_index
	 * extension): leaf_index is that index, proven there without a
	 * hash question. */
	bool index_from_sct;
	/* With a witness policy: the valid cosignatures of the head used. */
	unsigned witnesses_cosigned;
};

struct ctdns_report;

/* Number of SCT results (one per SCT of the request, in order). */
size_t ctdns_report_count(const struct ctdns_report *rep);

/* Result i; borrowed, valid until ctdns_report_free(). */
const struct ctdns_sct_result *ctdns_report_get(
    const struct ctdns_report *rep, size_t i);

void ctdns_report_free(struct ctdns_report *rep);

/* "included", "SCT invalid", "not yet provable", "proof failed",
 * "log unknown", "log rejected", "no DNS zone", "error", "no witness
 * quorum". */
const char *ctdns_outcome_name(enum ctdns_outcome outcome);

/*
 * true when the outcome means the SCT should have been provable and was
 * not: CTDNS_SCT_INVALID, CTDNS_PROOF_FAILED, CTDNS_ERROR,
 * CTDNS_NO_QUORUM.
 */
bool ctdns_outcome_is_failure(enum ctdns_outcome outcome);

/* ---------------------------------------------------------------------- */
/* Verifying                                                              */

/*
 * Verify every SCT of the request, blocking.
 * @param out: set to the report; caller frees with ctdns_report_free().
 * @return: 0 (then see the report); -ENOMEM.
 */
int ctdns_verify(struct ctdns_client *c, const struct ctdns_request *req,
    struct ctdns_report **out);

/*
 * Called once when every SCT of an asynchronous verification is done.
 * @param rep: the report; the callee owns it (ctdns_report_free()).
 * @param arg: the caller's pointer.
 */
typedef void ctdns_verify_cb(struct ctdns_report *rep, void *arg);

/*
 * Verify every SCT of the request on a libuv loop; the SCTs are checked
 * in parallel, each with its own sequence of DNS queries (UDP, TCP when
 * truncated; 3 s per try, 2 tries). cb runs on the loop's thread, never
 * from within this call. The request may be freed as soon as this
 * returns; the client must outlive the callback.
 * @param loop: the caller's loop.
 * @return: 0; -ENOMEM (cb will not be called).
 */
int ctdns_verify_start(struct ctdns_client *c, struct uv_loop_s *loop,
    const struct ctdns_request *req, ctdns_verify_cb *cb, void *arg);

/* Describe an error code. @return: a static string. */
const char *ctdns_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* CTDNS_H */
