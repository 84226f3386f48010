/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rfc6962.h -- the RFC 6962 (v1) log API: request URLs and answer parsing.
 *
 * Pure: bytes in, structs out. No I/O, no logging, no clock; fetch.c does
 * the HTTP and hands the bodies here. A log is named by its base URL as log
 * lists give it, ending in '/' ("https://ct.googleapis.com/logs/us1/
 * argon2025h2/"); endpoints are "<base>ct/v1/<name>" (RFC 6962 section 4).
 *
 * Parsing is strict, because everything parsed here comes from the network:
 * a body that is not one JSON object, a missing field, a field of the wrong
 * JSON type, a number that is negative, fractional or written as a real
 * ("1.0", "1e3"), a value out of range, base64 that is not canonical, a hash
 * that is not 32 bytes, more proof nodes than the caller allows, or a body
 * larger than RFC6962_BODY_MAX all give CTD_EMALF. Unknown extra fields are
 * ignored (logs may add fields), duplicate keys are rejected. Bodies are not
 * NUL-terminated: every parser takes a length and never reads past it.
 * Nothing parsed here is verified yet: an STH still needs sth_verify(), and
 * proof nodes still need the merkle.h checks against a verified root.
 *
 * On error the outputs may hold partial results and must not be used.
 */
#ifndef CTD_RFC6962_H
#define CTD_RFC6962_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "sth.h"

/* Room for any URL built here from a base URL of sane length. */
#define RFC6962_URL_MAX 512
/* Largest answer body accepted (get-entry-and-proof carries certificate
 * chains; everything else is a few kilobytes at most). */
#define RFC6962_BODY_MAX (1024 * 1024)

/*
 * The get-sth URL: "<base>ct/v1/get-sth".
 * @param base: the log's base URL, NUL-terminated, ending in '/'.
 * @param out: room for cap bytes; receives the NUL-terminated URL.
 * @param cap: size of out (RFC6962_URL_MAX suffices for a base of up to
 *	about 400 bytes).
 * @return: CTD_OK; CTD_EINVAL when base is empty or does not end in '/';
 *	CTD_ESPACE when the URL does not fit.
 */
int rfc6962_url_sth(const char *base, char *out, size_t cap);

/*
 * The get-sth-consistency URL:
 * "<base>ct/v1/get-sth-consistency?first=<first>&second=<second>".
 * @param base, out, cap: as for rfc6962_url_sth().
 * @param first: the older tree size, 0 < first.
 * @param second: the newer tree size, first < second.
 * @return: CTD_OK; CTD_EINVAL for a bad base or unless 0 < first < second;
 *	CTD_ESPACE.
 */
int rfc6962_url_consistency(const char *base, uint64_t first, uint64_t second,
    char *out, size_t cap);

/*
 * The get-proof-by-hash URL:
 * "<base>ct/v1/get-proof-by-hash?hash=<b64>&tree_size=<tree_size>", the
 * base64 leaf hash URL-escaped ('+' "%2B", '/' "%2F", '=' "%3D").
 * @param base, out, cap: as for rfc6962_url_sth().
 * @param hash: the RFC 6962 leaf hash, SHA-256(0x00 || MerkleTreeLeaf).
 * @param tree_size: the tree to prove inclusion in, at least 1.
 * @return: CTD_OK; CTD_EINVAL for a bad base or tree_size 0; CTD_ESPACE.
 */
int rfc6962_url_proof_by_hash(const char *base,
    const uint8_t hash[MERKLE_HASH_LEN], uint64_t tree_size, char *out,
    size_t cap);

/*
 * The get-entry-and-proof URL:
 * "<base>ct/v1/get-entry-and-proof?leaf_index=<index>&tree_size=<size>".
 * @param base, out, cap: as for rfc6962_url_sth().
 * @param index: 0-based leaf index, index < tree_size.
 * @param tree_size: the tree to prove inclusion in.
 * @return: CTD_OK; CTD_EINVAL for a bad base or index >= tree_size;
 *	CTD_ESPACE.
 */
int rfc6962_url_entry_and_proof(const char *base, uint64_t index,
    uint64_t tree_size, char *out, size_t cap);

/*
 * The get-entries URL: "<base>ct/v1/get-entries?start=<start>&end=<end>".
 * Both bounds are 0-based and inclusive; a log may return fewer entries.
 * @param base, out, cap: as for rfc6962_url_sth().
 * @return: CTD_OK; CTD_EINVAL for a bad base or start > end; CTD_ESPACE.
 */
int rfc6962_url_entries(const char *base, uint64_t start, uint64_t end,
    char *out, size_t cap);

/*
 * Parse a get-sth answer: tree_size, timestamp (non-negative JSON
 * integers), sha256_root_hash (base64, 32 bytes), tree_head_signature
 * (base64 DigitallySigned, 4 to STH_SIG_MAX bytes).
 * @param body: len bytes, not NUL-terminated; borrowed for the call only.
 * @param out: filled on success. The signature is not checked here.
 * @return: CTD_OK or CTD_EMALF.
 */
int rfc6962_parse_sth(const uint8_t *body, size_t len, struct sth *out);

/*
 * Parse a get-sth-consistency answer: "consistency", an array of base64
 * 32-byte hashes (possibly empty).
 * @param body: len bytes, not NUL-terminated.
 * @param nodes: room for max_nodes * MERKLE_HASH_LEN bytes; receives the
 *	nodes concatenated, in the answer's order.
 * @param max_nodes: the most nodes accepted (MERKLE_MAX_CONSISTENCY).
 * @param count: set to the number of nodes.
 * @return: CTD_OK or CTD_EMALF (also for more than max_nodes nodes).
 */
int rfc6962_parse_consistency(const uint8_t *body, size_t len, uint8_t *nodes,
    size_t max_nodes, size_t *count);

/*
 * Parse a get-proof-by-hash answer: "leaf_index" (non-negative integer) and
 * "audit_path" (array of base64 32-byte hashes, possibly empty).
 * @param body: len bytes, not NUL-terminated.
 * @param leaf_index: set to the leaf's 0-based index.
 * @param nodes: room for max_nodes * MERKLE_HASH_LEN bytes.
 * @param max_nodes: the most nodes accepted (MERKLE_MAX_PATH).
 * @param count: set to the number of nodes.
 * @return: CTD_OK or CTD_EMALF.
 */
int rfc6962_parse_proof_by_hash(const uint8_t *body, size_t len,
    uint64_t *leaf_index, uint8_t *nodes, size_t max_nodes, size_t *count);

/*
 * Parse a get-entry-and-proof answer: "leaf_input" (base64 MerkleTreeLeaf,
 * not empty), "extra_data" (base64, may be empty; checked, not returned)
 * and "audit_path" (as for get-proof-by-hash).
 * @param body: len bytes, not NUL-terminated.
 * @param leaf_hash: set to SHA-256(0x00 || leaf_input), the RFC 6962
 *	section 2.1 leaf hash.
 * @param nodes: room for max_nodes * MERKLE_HASH_LEN bytes.
 * @param max_nodes: the most nodes accepted (MERKLE_MAX_PATH).
 * @param count: set to the number of nodes.
 * @return: CTD_OK; CTD_EMALF; CTD_ENOMEM (the leaf is decoded into a
 *	temporary buffer).
 */
int rfc6962_parse_entry_and_proof(const uint8_t *body, size_t len,
    uint8_t leaf_hash[MERKLE_HASH_LEN], uint8_t *nodes, size_t max_nodes,
    size_t *count);

/*
 * Parse a get-entries answer: "entries", a non-empty array of objects with
 * "leaf_input" (base64 MerkleTreeLeaf, not empty) and "extra_data" (a
 * string, not returned). Logs may answer fewer entries than asked for.
 * @param body: len bytes, not NUL-terminated.
 * @param hashes: room for max_entries * MERKLE_HASH_LEN bytes; receives
 *	each entry's leaf hash SHA-256(0x00 || leaf_input), in order.
 * @param count: set to the number of entries.
 * @return: CTD_OK; CTD_EMALF (also for an empty array or more than
 *	max_entries); CTD_ENOMEM.
 */
int rfc6962_parse_entries(const uint8_t *body, size_t len, uint8_t *hashes,
    size_t max_entries, size_t *count);

#endif /* CTD_RFC6962_H */
