/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rfc6962.c -- RFC 6962 (v1) log API: request URLs and strict JSON parsing.
 *
 * Every body is parsed with json_loadb() and its length, so a body without
 * a NUL is fine and nothing past len is read. Trailing bytes after the one
 * top-level value are an error (jansson's default EOF check), duplicate keys
 * too (JSON_REJECT_DUPLICATES), and jansson refuses integers that overflow
 * its 64-bit signed json_int_t, so every number accepted here fits in a
 * uint64_t once checked non-negative. Field helpers decode straight into the
 * caller's buffers; the one allocation is the leaf of get-entry-and-proof,
 * whose size only the body bounds.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "base64.h"
#include "rfc6962.h"
#include "err.h"

/* The 4-byte head of a TLS DigitallySigned: hash, sig, uint16 length. */
#define DSIG_HEAD_LEN 4

/* --- URLs ------------------------------------------------------------ */

/* A base URL is non-empty and ends in '/'. */
static int
check_base(const char *base)
{
	size_t n = strlen(base);
	return n > 0 && base[n - 1] == '/' ? CTD_OK : CTD_EINVAL;
}

/* snprintf's result as a ctd_err: CTD_ESPACE when it did not fit. */
static int
fitted(int n, size_t cap)
{
	return n >= 0 && (size_t)n < cap ? CTD_OK : CTD_ESPACE;
}

int
rfc6962_url_sth(const char *base, char *out, size_t cap)
{
	if (check_base(base) != CTD_OK) {
		return CTD_EINVAL;
	}
	return fitted(snprintf(out, cap, "%sct/v1/get-sth", base), cap);
}

int
rfc6962_url_consistency(const char *base, uint64_t first, uint64_t second,
    char *out, size_t cap)
{
	if (check_base(base) != CTD_OK || first == 0 || first >= second) {
		return CTD_EINVAL;
	}
	return fitted(snprintf(out, cap, "%sct/v1/get-sth-consistency?first=%"
	    PRIu64 "&second=%" PRIu64, base, first, second), cap);
}

int
rfc6962_url_proof_by_hash(const char *base,
    const uint8_t hash[MERKLE_HASH_LEN], uint64_t tree_size, char *out,
    size_t cap)
{
	char b64[64];
	char escaped[3 * sizeof(b64)];
	size_t n = 0;

	if (check_base(base) != CTD_OK || tree_size == 0) {
		return CTD_EINVAL;
	}
	if (base64_encode(hash, MERKLE_HASH_LEN, b64, sizeof(b64), NULL) !=
	    CTD_OK) {
		return CTD_ESPACE;
	}
	/* RFC 3986 section 2.2: '+', '/' and '=' are reserved in a query. */
	for (const char *p = b64; *p != '\0'; p++) {
		const char *esc = *p == '+' ? "%2B" : *p == '/' ? "%2F" :
		    *p == '=' ? "%3D" : NULL;
		if (esc != NULL) {
			memcpy(escaped + n, esc, 3);
			n += 3;
		} else {
			escaped[n++] = *p;
		}
	}
	escaped[n] = '\0';
	return fitted(snprintf(out, cap, "%sct/v1/get-proof-by-hash?hash=%s"
	    "&tree_size=%" PRIu64, base, escaped, tree_size), cap);
}

int
rfc6962_url_entry_and_proof(const char *base, uint64_t index,
    uint64_t tree_size, char *out, size_t cap)
{
	if (check_base(base) != CTD_OK || index >= tree_size) {
		return CTD_EINVAL;
	}
	return fitted(snprintf(out, cap, "%sct/v1/get-entry-and-proof?"
	    "leaf_index=%" PRIu64 "&tree_size=%" PRIu64, base, index,
	    tree_size), cap);
}

int
rfc6962_url_entries(const char *base, uint64_t start, uint64_t end,
    char *out, size_t cap)
{
	if (check_base(base) != CTD_OK || start > end) {
		return CTD_EINVAL;
	}
	return fitted(snprintf(out, cap, "%sct/v1/get-entries?start=%" PRIu64
	    "&end=%" PRIu64, base, start, end), cap);
}

/* --- JSON fields ------------------------------------------------------- */

/* The body as one JSON object, or NULL. Caller frees with json_decref(). */
static json_t *
load_object(const uint8_t *body, size_t len)
{
	json_error_t error;

	if (len == 0 || len > RFC6962_BODY_MAX) {
		return NULL;
	}
	json_t *root = json_loadb((const char *)body, len,
	    JSON_REJECT_DUPLICATES, &error);
	if (root != NULL && !json_is_object(root)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* A non-negative JSON integer field. */
static int
get_u64(const json_t *obj, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		return CTD_EMALF;
	}
	*out = (uint64_t)json_integer_value(v);
	return CTD_OK;
}

/* A base64 string field decoded into out (room for cap bytes). */
static int
get_b64(const json_t *obj, const char *key, uint8_t *out, size_t cap,
    size_t *out_len)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v)) {
		return CTD_EMALF;
	}
	if (base64_decode(json_string_value(v), json_string_length(v), out,
	    cap, out_len) != CTD_OK) {
		return CTD_EMALF;
	}
	return CTD_OK;
}

/* A base64 field that decodes to exactly one 32-byte hash. */
static int
get_hash(const json_t *obj, const char *key, uint8_t out[MERKLE_HASH_LEN])
{
	size_t n;
	if (get_b64(obj, key, out, MERKLE_HASH_LEN, &n) != CTD_OK ||
	    n != MERKLE_HASH_LEN) {
		return CTD_EMALF;
	}
	return CTD_OK;
}

/* An array of base64 32-byte hashes, at most max_nodes of them. */
static int
get_nodes(const json_t *obj, const char *key, uint8_t *nodes,
    size_t max_nodes, size_t *count)
{
	const json_t *arr = json_object_get(obj, key);
	if (!json_is_array(arr) || json_array_size(arr) > max_nodes) {
		return CTD_EMALF;
	}
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		size_t n;
		if (!json_is_string(v) ||
		    base64_decode(json_string_value(v), json_string_length(v),
		    nodes + i * MERKLE_HASH_LEN, MERKLE_HASH_LEN, &n) !=
		    CTD_OK || n != MERKLE_HASH_LEN) {
			return CTD_EMALF;
		}
	}
	*count = json_array_size(arr);
	return CTD_OK;
}

/* --- answers ----------------------------------------------------------- */

int
rfc6962_parse_sth(const uint8_t *body, size_t len, struct sth *out)
{
	struct sth s;
	size_t sig_len;
	int rc = CTD_EMALF;

	json_t *root = load_object(body, len);
	if (root == NULL) {
		return CTD_EMALF;
	}
	memset(&s, 0, sizeof(s));
	if (get_u64(root, "tree_size", &s.tree_size) != CTD_OK ||
	    get_u64(root, "timestamp", &s.timestamp) != CTD_OK ||
	    get_hash(root, "sha256_root_hash", s.root) != CTD_OK ||
	    get_b64(root, "tree_head_signature", s.sig, sizeof(s.sig),
	    &sig_len) != CTD_OK || sig_len < DSIG_HEAD_LEN) {
		goto out;
	}
	s.sig_len = (uint16_t)sig_len;
	memcpy(out, &s, sizeof(s));
	rc = CTD_OK;
out:
	json_decref(root);
	return rc;
}

int
rfc6962_parse_consistency(const uint8_t *body, size_t len, uint8_t *nodes,
    size_t max_nodes, size_t *count)
{
	json_t *root = load_object(body, len);
	if (root == NULL) {
		return CTD_EMALF;
	}
	int rc = get_nodes(root, "consistency", nodes, max_nodes, count);
	json_decref(root);
	return rc;
}

int
rfc6962_parse_proof_by_hash(const uint8_t *body, size_t len,
    uint64_t *leaf_index, uint8_t *nodes, size_t max_nodes, size_t *count)
{
	json_t *root = load_object(body, len);
	if (root == NULL) {
		return CTD_EMALF;
	}
	int rc = get_u64(root, "leaf_index", leaf_index);
	if (rc == CTD_OK) {
		rc = get_nodes(root, "audit_path", nodes, max_nodes, count);
	}
	json_decref(root);
	return rc;
}

/*
 * Decode a base64 string field into a fresh buffer with `skip` bytes free in
 * front. Caller frees *out with free().
 */
static int
get_b64_alloc(const json_t *obj, const char *key, size_t skip, uint8_t **out,
    size_t *out_len)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v)) {
		return CTD_EMALF;
	}
	/* Decoded bytes never outnumber the characters, which the body
	 * bounds (RFC6962_BODY_MAX), so this cannot overflow. */
	size_t cap = json_string_length(v) / 4 * 3;
	uint8_t *buf = malloc(skip + cap + 1);
	if (buf == NULL) {
		return CTD_ENOMEM;
	}
	if (base64_decode(json_string_value(v), json_string_length(v),
	    buf + skip, cap, out_len) != CTD_OK) {
		free(buf);
		return CTD_EMALF;
	}
	*out = buf;
	return CTD_OK;
}

int
rfc6962_parse_entry_and_proof(const uint8_t *body, size_t len,
    uint8_t leaf_hash[MERKLE_HASH_LEN], uint8_t *nodes, size_t max_nodes,
    size_t *count)
{
	uint8_t *leaf = NULL;
	uint8_t *extra = NULL;
	size_t leaf_len, extra_len;
	int rc;

	json_t *root = load_object(body, len);
	if (root == NULL) {
		return CTD_EMALF;
	}
	/* One byte in front of the leaf for the RFC 6962 leaf prefix 0x00. */
	if ((rc = get_b64_alloc(root, "leaf_input", 1, &leaf, &leaf_len)) !=
	    CTD_OK) {
		goto out;
	}
	if (leaf_len == 0) {
		rc = CTD_EMALF;
		goto out;
	}
	if ((rc = get_b64_alloc(root, "extra_data", 0, &extra, &extra_len)) !=
	    CTD_OK) {
		goto out;
	}
	if ((rc = get_nodes(root, "audit_path", nodes, max_nodes, count)) !=
	    CTD_OK) {
		goto out;
	}
	leaf[0] = 0x00;
	if (EVP_Digest(leaf, leaf_len + 1, leaf_hash, NULL, EVP_sha256(),
	    NULL) != 1) {
		rc = CTD_ENOMEM;
		goto out;
	}
	rc = CTD_OK;
out:
	free(extra);
	free(leaf);
	json_decref(root);
	return rc;
}

/* One get-entries element: leaf_input hashed as an RFC 6962 leaf. */
static int
entry_leaf_hash(const json_t *e, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t *leaf = NULL;
	size_t leaf_len;
	if (!json_is_object(e) || !json_is_string(json_object_get(e,
	    "extra_data"))) {
		return CTD_EMALF;
	}
	int rc = get_b64_alloc(e, "leaf_input", 1, &leaf, &leaf_len);
	if (rc == CTD_OK && leaf_len == 0) {
		rc = CTD_EMALF;
	}
	if (rc == CTD_OK) {
		leaf[0] = 0x00;
		if (EVP_Digest(leaf, leaf_len + 1, out, NULL, EVP_sha256(),
		    NULL) != 1) {
			rc = CTD_ENOMEM;
		}
	}
	free(leaf);
	return rc;
}

int
rfc6962_parse_entries(const uint8_t *body, size_t len, uint8_t *hashes,
    size_t max_entries, size_t *count)
{
	json_t *root = load_object(body, len);
	if (root == NULL) {
		return CTD_EMALF;
	}
	const json_t *arr = json_object_get(root, "entries");
	int rc = CTD_OK;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > max_entries) {
		rc = CTD_EMALF;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(arr, i, e) {
		if (rc != CTD_OK) {
			break;
		}
		rc = entry_leaf_hash(e, hashes + i * MERKLE_HASH_LEN);
	}
	if (rc == CTD_OK) {
		*count = json_array_size(arr);
	}
	json_decref(root);
	return rc;
}
