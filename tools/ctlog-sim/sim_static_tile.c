/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_static_tile.c -- tile paths, data tiles, issuers and gzip for the
 * static-ct-api read path. See sim_static_tile.h.
 *
 * A data tile is built from the entries as get-entries serves them: the
 * MerkleTreeLeaf minus its version and leaf_type bytes is the
 * TimestampedEntry; extra_data gives the precertificate (precert entries)
 * and the chain, of which only SHA-256 fingerprints go in the TileLeaf
 * (the certificates themselves are served under issuer/).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>
#include <zlib.h>

#include "err.h"
#include "num.h"
#include "sim_static_tile.h"
#include "sim_tree.h"
#include "sim_util.h"

/* Index groups a path may have: 256^6 > any tile index of the tree. */
#define GROUPS_MAX 6
/* Certificates of one chain that get a fingerprint. */
#define CHAIN_MAX 16
/* Offset of entry_type in a MerkleTreeLeaf (version, type, timestamp). */
#define ENTRY_TYPE_OFF 10

/* Three decimal digits at s. */
static bool
three_digits(const char *s, uint64_t *out)
{
	for (int i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	*out = (uint64_t)(s[0] - '0') * 100 + (uint64_t)(s[1] - '0') * 10 +
	    (uint64_t)(s[2] - '0');
	return true;
}

/* "x001/x234/067" then optionally ".p/<W>", to the end of s. */
static bool
parse_index(const char *s, struct sim_tile *t)
{
	uint64_t n = 0, group, w;
	int groups = 0;

	while (*s == 'x') {
		if (!three_digits(s + 1, &group) || s[4] != '/' ||
		    (groups == 0 && group == 0) || ++groups >= GROUPS_MAX) {
			return false;
		}
		n = n * 1000 + group;
		s += 5;
	}
	if (!three_digits(s, &group)) {
		return false;
	}
	t->n = n * 1000 + group;
	t->width = SIM_TILE_WIDTH;
	s += 3;
	if (*s == '\0') {
		return true;
	}
	if (strncmp(s, ".p/", 3) != 0 ||
	    num_parse_u64(s + 3, strlen(s + 3), 0, &w) != CTD_OK || w == 0 ||
	    w >= SIM_TILE_WIDTH) {
		return false;
	}
	t->width = (unsigned)w;
	return true;
}

bool
sim_tile_parse(const char *path, struct sim_tile *out)
{
	const char *slash = strchr(path, '/');
	uint64_t level;

	if (slash == NULL) {
		return false;
	}
	memset(out, 0, sizeof(*out));
	if ((size_t)(slash - path) == 4 && strncmp(path, "data", 4) == 0) {
		out->data = true;
	} else if (num_parse_u64(path, (size_t)(slash - path), 0, &level) !=
	    CTD_OK ||
	    level > SIM_TILE_LEVEL_MAX) {
		return false;
	} else {
		out->level = (unsigned)level;
	}
	return parse_index(slash + 1, out);
}

/* A bounded reader of TLS vectors with a sticky error. */
struct rd {
	const uint8_t *p;
	size_t left;
	bool err;
};

static uint64_t
rd_uint(struct rd *r, size_t bytes)
{
	uint64_t v = 0;

	if (r->err || r->left < bytes) {
		r->err = true;
		return 0;
	}
	for (size_t i = 0; i < bytes; i++) {
		v = v << 8 | r->p[i];
	}
	r->p += bytes;
	r->left -= bytes;
	return v;
}

/* A uint24-prefixed opaque (an ASN.1Cert); NULL on error. */
static const uint8_t *
rd_cert(struct rd *r, size_t *len)
{
	const uint8_t *p;

	*len = (size_t)rd_uint(r, 3);
	if (r->err || r->left < *len) {
		r->err = true;
		return NULL;
	}
	p = r->p;
	r->p += *len;
	r->left -= *len;
	return p;
}

/*
 * Split extra_data: the precertificate (precert entries, else NULL) and
 * the chain's certificates (at most CHAIN_MAX).
 */
static bool
split_extra(const uint8_t *extra, size_t len, bool precert,
    struct rd *pre, struct rd *chain, size_t *pre_len)
{
	struct rd r = { .p = extra, .left = len };
	size_t chain_len;

	pre->p = precert ? rd_cert(&r, pre_len) : NULL;
	chain->p = rd_cert(&r, &chain_len);
	chain->left = chain_len;
	chain->err = false;
	return !r.err && r.left == 0;
}

/* A growing buffer with a sticky error. */
struct out {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static void
out_put(struct out *o, const void *data, size_t len)
{
	if (o->err) {
		return;
	}
	if (o->len + len > o->cap) {
		size_t cap = o->cap == 0 ? 65536 : o->cap;
		uint8_t *more;

		while (cap < o->len + len) {
			cap *= 2;
		}
		if ((more = realloc(o->p, cap)) == NULL) {
			o->err = true;
			return;
		}
		o->p = more;
		o->cap = cap;
	}
	memcpy(o->p + o->len, data, len);
	o->len += len;
}

static void
out_uint(struct out *o, uint64_t v, size_t bytes)
{
	uint8_t b[8];

	for (size_t i = 0; i < bytes; i++) {
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	}
	out_put(o, b, bytes);
}

/* One TileLeaf (static-ct-api "Log entries") from leaf and extra. */
static bool
put_tile_leaf(struct out *o, const uint8_t *leaf, size_t leaf_len,
    const uint8_t *extra, size_t extra_len)
{
	struct rd pre = { 0 }, chain = { 0 };
	uint8_t fp[CHAIN_MAX][SHA256_DIGEST_LENGTH];
	size_t pre_len = 0, nfp = 0, cert_len;
	const uint8_t *cert;
	bool precert;

	if (leaf_len < ENTRY_TYPE_OFF + 2) {
		return false;
	}
	precert = leaf[ENTRY_TYPE_OFF] == 0 && leaf[ENTRY_TYPE_OFF + 1] == 1;
	if (!split_extra(extra, extra_len, precert, &pre, &chain, &pre_len)) {
		return false;
	}
	while (chain.left > 0 && nfp < CHAIN_MAX &&
	    (cert = rd_cert(&chain, &cert_len)) != NULL) {
		SHA256(cert, cert_len, fp[nfp++]);
	}
	if (chain.err || chain.left > 0) {
		return false;
	}
	out_put(o, leaf + 2, leaf_len - 2);	/* TimestampedEntry */
	if (precert) {
		out_uint(o, pre_len, 3);
		out_put(o, pre.p, pre_len);
	}
	out_uint(o, nfp * SHA256_DIGEST_LENGTH, 2);
	out_put(o, fp, nfp * SHA256_DIGEST_LENGTH);
	return !o->err;
}

int
sim_tile_data(struct sim_log *log, enum sim_view view,
    const struct sim_tile *t, bool spoil, uint8_t **out, size_t *out_len)
{
	uint8_t *leaves[SIM_TILE_WIDTH], *extra;
	size_t lens[SIM_TILE_WIDTH], count = 0, extra_len;
	uint64_t first = t->n * SIM_TILE_WIDTH;
	struct out o = { 0 };
	int rc;

	if ((rc = sim_log_tile(log, view, 0, t->n, t->width, NULL)) !=
	    SIM_OK) {
		return rc;
	}
	if (sim_log_entries(log, view, first, first + t->width - 1,
	    t->width, leaves, lens, &count) != SIM_OK) {
		return SIM_EFAIL;
	}
	rc = count == t->width ? SIM_OK : SIM_EFAIL;
	for (size_t i = 0; i < count; i++) {
		extra = NULL;
		if (rc == SIM_OK && (sim_log_extra(log, view, first + i,
		    &extra, &extra_len) != SIM_OK || !put_tile_leaf(&o,
		    leaves[i], lens[i], extra, extra_len))) {
			rc = SIM_EFAIL;
		}
		free(extra);
		free(leaves[i]);
	}
	if (rc != SIM_OK || o.err) {
		free(o.p);
		return SIM_EFAIL;
	}
	if (spoil) {
		/* The last byte of the first entry's timestamp. */
		o.p[7] ^= 0x01;
	}
	*out = o.p;
	*out_len = o.len;
	return SIM_OK;
}

/* Copy cert into *out when its SHA-256 is want. */
static bool
match_cert(const uint8_t *cert, size_t len, const uint8_t *want,
    uint8_t **out, size_t *out_len)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];

	SHA256(cert, len, digest);
	if (memcmp(digest, want, sizeof(digest)) != 0 ||
	    (*out = malloc(len > 0 ? len : 1)) == NULL) {
		return false;
	}
	memcpy(*out, cert, len);
	*out_len = len;
	return true;
}

/* Look for want among the chain of submitted entry idx. */
static bool
find_in_entry(struct sim_log *log, uint64_t idx, const uint8_t *want,
    uint8_t **out, size_t *out_len)
{
	uint8_t hash[SIM_HASH_LEN], *leaf = NULL, *extra = NULL;
	size_t leaf_len = 0, extra_len = 0, pre_len, cert_len;
	struct rd pre, chain;
	const uint8_t *cert;
	bool found = false;

	if (sim_log_real_leaf(log, idx, hash, &leaf, &leaf_len) == SIM_OK &&
	    sim_log_extra(log, SIM_VIEW_REAL, idx, &extra, &extra_len) ==
	    SIM_OK &&
	    leaf_len >= ENTRY_TYPE_OFF + 2 &&
	    split_extra(extra, extra_len, leaf[ENTRY_TYPE_OFF + 1] == 1, &pre,
	    &chain, &pre_len)) {
		while (!found && chain.left > 0 &&
		    (cert = rd_cert(&chain, &cert_len)) != NULL) {
			found = match_cert(cert, cert_len, want, out, out_len);
		}
	}
	free(leaf);
	free(extra);
	return found;
}

int
sim_tile_issuer(struct sim_log *log, const char *hex, uint8_t **out,
    size_t *out_len)
{
	uint8_t want[SHA256_DIGEST_LENGTH] = { 0 };
	const uint8_t *ca;
	size_t ca_len;
	uint64_t idx;

	if (strlen(hex) != 2 * sizeof(want)) {
		return SIM_ENOTFOUND;
	}
	for (size_t i = 0; i < 2 * sizeof(want); i++) {
		const char *digits = "0123456789abcdef";
		const char *d = hex[i] != '\0' ? strchr(digits, hex[i]) : NULL;

		if (d == NULL) {
			return SIM_ENOTFOUND;
		}
		want[i / 2] = (uint8_t)(want[i / 2] << 4 | (d - digits));
	}
	ca = sim_log_root_cert(log, &ca_len);
	if (match_cert(ca, ca_len, want, out, out_len)) {
		return SIM_OK;
	}
	for (size_t k = 0; sim_log_sub_idx(log, k, &idx); k++) {
		if (find_in_entry(log, idx, want, out, out_len)) {
			return SIM_OK;
		}
	}
	return SIM_ENOTFOUND;
}

int
sim_tile_gzip(const uint8_t *in, size_t in_len, uint8_t **out,
    size_t *out_len)
{
	z_stream zs = { 0 };
	uLong bound;
	int zrc;

	/* windowBits 15 + 16: a gzip header and trailer, not zlib's. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		return SIM_EFAIL;
	}
	bound = deflateBound(&zs, (uLong)in_len) + 32;
	if ((*out = malloc(bound)) == NULL) {
		deflateEnd(&zs);
		return SIM_EFAIL;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	zs.next_out = *out;
	zs.avail_out = (uInt)bound;
	zrc = deflate(&zs, Z_FINISH);
	*out_len = bound - zs.avail_out;
	deflateEnd(&zs);
	if (zrc != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return SIM_EFAIL;
	}
	return SIM_OK;
}
