/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rfc6962.c -- RFC 6962 log API: URL building and strict answer parsing.
 *
 * Real answers of the Icarus, Pilot, Argon2017 and Argon2027h1 logs
 * (tests/data/rfc6962/expected.txt says what each must parse to) and hostile
 * ones (tests/data/rfc6962/cases.txt: parser, file, OK or EMALF). Every body
 * is handed over in a heap buffer of exactly its size, without a NUL, so
 * valgrind or ASan catch any read past the end.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "rfc6962.h"
#include "err.h"
#include "logkey.h"
#include "sth.h"

int main(void);

#define TESTDATA_DIR "rfc6962"
#define MAX_FIELDS 8
#include "../testdata.h"

/* The whole file in a heap buffer of exactly its size (no NUL). */
static uint8_t *
slurp(const char *name, size_t *len)
{
	FILE *f = fopen(testdata_path(name), "rb");
	if (f == NULL) {
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Run one parser over a body; the output details are not kept. */
static int
parse_kind(const char *kind, const uint8_t *body, size_t len)
{
	static uint8_t nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	uint8_t leaf_hash[MERKLE_HASH_LEN];
	struct sth sth;
	uint64_t index;
	size_t count;

	if (strcmp(kind, "sth") == 0) {
		return rfc6962_parse_sth(body, len, &sth);
	}
	if (strcmp(kind, "consistency") == 0) {
		return rfc6962_parse_consistency(body, len, nodes,
		    MERKLE_MAX_CONSISTENCY, &count);
	}
	if (strcmp(kind, "proof") == 0) {
		return rfc6962_parse_proof_by_hash(body, len, &index, nodes,
		    MERKLE_MAX_PATH, &count);
	}
	if (strcmp(kind, "entry") == 0) {
		return rfc6962_parse_entry_and_proof(body, len, leaf_hash, nodes,
		    MERKLE_MAX_PATH, &count);
	}
	return CTD_EINVAL;
}

/*
 * Every proper prefix of a real answer (trailing whitespace trimmed) is
 * malformed, and none may crash or read past its end.
 */
static void
check_prefixes(const char *kind, const char *file, const uint8_t *body,
    size_t len)
{
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == ' ')) {
		len--;
	}
	size_t bad = 0;
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut > 0 ? cut : 1);
		memcpy(copy, body, cut);
		if (parse_kind(kind, copy, cut) != CTD_EMALF) {
			diag("%s: prefix of %zu bytes not refused", file, cut);
			bad++;
		}
		free(copy);
	}
	ok(bad == 0, "%s: all %zu truncations refused", file, len);
}

/* --- expected.txt --------------------------------------------------------
 * sth FILE SIZE TIMESTAMP ROOT_HEX DSIG_HEX KEY_B64
 * consistency FILE COUNT NODES_HEX
 * proof FILE LEAF_INDEX COUNT NODES_HEX
 * entry FILE LEAF_HASH_HEX COUNT NODES_HEX */

static uint8_t want_nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
static uint8_t got_nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];

static void
check_sth(char **f, const uint8_t *body, size_t len)
{
	struct sth s;
	uint8_t root[32], sig[STH_SIG_MAX];
	struct logkey *key = NULL;

	long sig_len = testdata_unhex(f[5], sig, sizeof(sig));
	is_int(rfc6962_parse_sth(body, len, &s), CTD_OK, "%s parses", f[1]);
	ok(s.tree_size == strtoull(f[2], NULL, 10) &&
	    s.timestamp == strtoull(f[3], NULL, 10) &&
	    testdata_unhex(f[4], root, 32) == 32 && memcmp(s.root, root, 32) == 0 &&
	    s.sig_len == sig_len && memcmp(s.sig, sig, s.sig_len) == 0,
	    "%s: size %s, timestamp, root and signature as recorded", f[1],
	    f[2]);
	ok(logkey_from_b64(f[6], &key) == CTD_OK &&
	    sth_verify(&s, key) == CTD_OK,
	    "%s: parsed STH verifies with the log's key", f[1]);
	logkey_free(key);
}

static void
check_nodes(const char *file, size_t count, const char *want_count,
    const char *hex)
{
	long n = testdata_unhex(hex, want_nodes, sizeof(want_nodes));
	ok((size_t)strtoul(want_count, NULL, 10) == count &&
	    n == (long)(count * MERKLE_HASH_LEN) &&
	    memcmp(got_nodes, want_nodes, (size_t)n) == 0,
	    "%s: %zu nodes as recorded", file, count);
}

static void
check_expected(char **f, int n)
{
	size_t len, count = 0;
	uint64_t index = 0;
	uint8_t leaf_hash[32], want_hash[32];

	uint8_t *body = n >= 4 ? slurp(f[1], &len) : NULL;
	if (body == NULL) {
		ok(0, "expected.txt line and its file");
		return;
	}
	if (strcmp(f[0], "sth") == 0 && n == 7) {
		check_sth(f, body, len);
	} else if (strcmp(f[0], "consistency") == 0 && n == 4) {
		is_int(rfc6962_parse_consistency(body, len, got_nodes,
		    MERKLE_MAX_CONSISTENCY, &count), CTD_OK, "%s parses",
		    f[1]);
		check_nodes(f[1], count, f[2], f[3]);
		/* A caller that allows one node fewer than sent. */
		ok(count > 0 && rfc6962_parse_consistency(body, len, got_nodes,
		    count - 1, &count) == CTD_EMALF,
		    "%s with max_nodes one short: EMALF", f[1]);
	} else if (strcmp(f[0], "proof") == 0 && n == 5) {
		is_int(rfc6962_parse_proof_by_hash(body, len, &index, got_nodes,
		    MERKLE_MAX_PATH, &count), CTD_OK, "%s parses", f[1]);
		ok(index == strtoull(f[2], NULL, 10), "%s: leaf index %s",
		    f[1], f[2]);
		check_nodes(f[1], count, f[3], f[4]);
	} else if (strcmp(f[0], "entry") == 0 && n == 5) {
		is_int(rfc6962_parse_entry_and_proof(body, len, leaf_hash,
		    got_nodes, MERKLE_MAX_PATH, &count), CTD_OK, "%s parses",
		    f[1]);
		ok(testdata_unhex(f[2], want_hash, 32) == 32 &&
		    memcmp(leaf_hash, want_hash, 32) == 0,
		    "%s: leaf hash = SHA-256(0x00 || leaf_input)", f[1]);
		check_nodes(f[1], count, f[3], f[4]);
	} else {
		ok(0, "expected.txt: unknown line %s", f[0]);
	}
	check_prefixes(f[0], f[1], body, len);
	free(body);
}

/* --- cases.txt: parser file OK|EMALF ------------------------------------ */

static void
check_case(char **f, int n)
{
	size_t len;
	uint8_t *body = n == 3 ? slurp(f[1], &len) : NULL;
	if (body == NULL) {
		ok(0, "cases.txt line and its file");
		return;
	}
	int want = strcmp(f[2], "OK") == 0 ? CTD_OK : CTD_EMALF;
	int rc = parse_kind(f[0], body, len);
	ok(rc == want, "%s: %s", f[1], f[2]);
	if (rc != want) {
		diag("  got %s", ctd_strerror(rc));
	}
	free(body);
}

/* Bodies too large to keep as files. */
static void
test_oversized(void)
{
	static const char sth[] = "{\"tree_size\":0,\"timestamp\":1,"
	    "\"sha256_root_hash\":\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu"
	    "FU=\",\"tree_head_signature\":\"BAMAAA==\"}";
	struct sth s;
	size_t n = sizeof(sth) - 1;

	is_int(rfc6962_parse_sth((const uint8_t *)sth, n, &s), CTD_OK,
	    "a minimal get-sth answer parses");
	/* Pad with whitespace to exactly RFC6962_BODY_MAX, then one more. */
	uint8_t *big = malloc(RFC6962_BODY_MAX + 1);
	memcpy(big, sth, n);
	memset(big + n, ' ', RFC6962_BODY_MAX + 1 - n);
	is_int(rfc6962_parse_sth(big, RFC6962_BODY_MAX, &s), CTD_OK,
	    "a body of exactly RFC6962_BODY_MAX bytes parses");
	is_int(rfc6962_parse_sth(big, RFC6962_BODY_MAX + 1, &s), CTD_EMALF,
	    "a body of RFC6962_BODY_MAX + 1 bytes is refused");
	free(big);

	/* 100000 nodes: far past any limit, refused without decoding. */
	size_t count = 100000;
	size_t cap = 20 + count * 47;
	char *many = malloc(cap);
	size_t o = (size_t)snprintf(many, cap, "{\"consistency\":[");
	for (size_t i = 0; i < count; i++) {
		o += (size_t)snprintf(many + o, cap - o, "%s\"%s\"",
		    i ? "," : "",
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	}
	o += (size_t)snprintf(many + o, cap - o, "]}");
	uint8_t nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	is_int(rfc6962_parse_consistency((const uint8_t *)many, o, nodes,
	    MERKLE_MAX_CONSISTENCY, &count), CTD_EMALF,
	    "100000 consistency nodes refused");
	free(many);

	/* A large but acceptable get-entry-and-proof: 600 kB of extra_data
	 * (800000 base64 characters). */
	size_t extra = 800000;
	char *entry = malloc(extra + 200);
	o = (size_t)snprintf(entry, 200, "{\"leaf_input\":\"AAAA\","
	    "\"audit_path\":[],\"extra_data\":\"");
	memset(entry + o, 'A', extra);
	o += extra;
	o += (size_t)snprintf(entry + o, 200, "\"}");
	uint8_t leaf_hash[32];
	is_int(rfc6962_parse_entry_and_proof((const uint8_t *)entry, o,
	    leaf_hash, nodes, MERKLE_MAX_PATH, &count), CTD_OK,
	    "get-entry-and-proof with 600 kB of extra_data parses");
	/* SHA-256(00 00 00 00) */
	static const uint8_t want[32] = {
		0xdf, 0x3f, 0x61, 0x98, 0x04, 0xa9, 0x2f, 0xdb,
		0x40, 0x57, 0x19, 0x2d, 0xc4, 0x3d, 0xd7, 0x48,
		0xea, 0x77, 0x8a, 0xdc, 0x52, 0xbc, 0x49, 0x8c,
		0xe8, 0x05, 0x24, 0xc0, 0x14, 0xb8, 0x11, 0x19,
	};
	is_mem(leaf_hash, want, 32, "leaf hash of leaf 00 00 00");
	free(entry);

	is_int(rfc6962_parse_sth(NULL, 0, &s), CTD_EMALF,
	    "an empty body (NULL, 0) is refused");
	is_int(rfc6962_parse_consistency((const uint8_t *)"{\"consistency\":[]}",
	    18, NULL, 0, &count), CTD_OK,
	    "an empty proof with max_nodes 0 and no buffer parses");
	ok(count == 0, "and has 0 nodes");
}

static void
test_urls(void)
{
	static const char base[] = "https://ct.googleapis.com/logs/us1/"
	    "argon2027h1/";
	char url[RFC6962_URL_MAX];
	uint8_t hash[32];

	ok(rfc6962_url_sth(base, url, sizeof(url)) == CTD_OK &&
	    strcmp(url, "https://ct.googleapis.com/logs/us1/argon2027h1/"
	    "ct/v1/get-sth") == 0, "get-sth URL");
	ok(rfc6962_url_consistency("https://ct.googleapis.com/icarus/",
	    129596132, 129721434, url, sizeof(url)) == CTD_OK &&
	    strcmp(url, "https://ct.googleapis.com/icarus/ct/v1/"
	    "get-sth-consistency?first=129596132&second=129721434") == 0,
	    "get-sth-consistency URL equals the recorded Icarus request");
	ok(rfc6962_url_entry_and_proof("https://ct.googleapis.com/icarus/",
	    120000000, 129721434, url, sizeof(url)) == CTD_OK &&
	    strcmp(url, "https://ct.googleapis.com/icarus/ct/v1/"
	    "get-entry-and-proof?leaf_index=120000000&tree_size=129721434")
	    == 0, "get-entry-and-proof URL equals the recorded Icarus request");
	ok(rfc6962_url_entries(base, 0, 255, url, sizeof(url)) == CTD_OK &&
	    strcmp(url, "https://ct.googleapis.com/logs/us1/argon2027h1/"
	    "ct/v1/get-entries?start=0&end=255") == 0, "get-entries URL");
	ok(rfc6962_url_entries(base, 7, 7, url, sizeof(url)) == CTD_OK,
	    "get-entries of one entry");
	ok(rfc6962_url_entries(base, UINT64_MAX, UINT64_MAX, url, sizeof(url))
	    == CTD_OK && strstr(url, "start=18446744073709551615&end="
	    "18446744073709551615") != NULL, "get-entries at UINT64_MAX");

	/* Icarus leaf 120000000: rchYy6UmVO5S3evJlutJZUx/ytdFfHxKdoJ4XAwx39w=,
	 * with '/' and '='. */
	testdata_unhex("adc858cba52654ee52ddebc996eb4965"
	    "4c7fcad7457c7c4a7682785c0c31dfdc", hash, 32);
	ok(rfc6962_url_proof_by_hash("https://ct.googleapis.com/icarus/", hash,
	    129721434, url, sizeof(url)) == CTD_OK &&
	    strcmp(url, "https://ct.googleapis.com/icarus/ct/v1/"
	    "get-proof-by-hash?hash=rchYy6UmVO5S3evJlutJZUx%2FytdFfHxKdoJ4XAwx"
	    "39w%3D&tree_size=129721434") == 0,
	    "get-proof-by-hash escapes '/' and '='");
	/* 32 x 0xfb: "+/v7+/v7...+/s=". */
	memset(hash, 0xfb, 32);
	ok(rfc6962_url_proof_by_hash(base, hash, 1, url, sizeof(url)) ==
	    CTD_OK && strstr(url, "hash=%2B%2Fv7%2B%2Fv7") != NULL &&
	    strstr(url, "%3D&tree_size=1") != NULL &&
	    strchr(strchr(url, '?'), '+') == NULL &&
	    strchr(strchr(url, '?'), '/') == NULL,
	    "get-proof-by-hash escapes '+'; no raw '+' or '/' in the query");

	/* Bad arguments. */
	is_int(rfc6962_url_sth("https://ct.example/log", url, sizeof(url)),
	    CTD_EINVAL, "base without trailing '/': EINVAL");
	is_int(rfc6962_url_sth("", url, sizeof(url)), CTD_EINVAL,
	    "empty base: EINVAL");
	is_int(rfc6962_url_consistency(base, 0, 10, url, sizeof(url)),
	    CTD_EINVAL, "consistency from 0: EINVAL");
	is_int(rfc6962_url_consistency(base, 10, 10, url, sizeof(url)),
	    CTD_EINVAL, "consistency first == second: EINVAL");
	is_int(rfc6962_url_consistency(base, 11, 10, url, sizeof(url)),
	    CTD_EINVAL, "consistency first > second: EINVAL");
	is_int(rfc6962_url_entry_and_proof(base, 10, 10, url, sizeof(url)),
	    CTD_EINVAL, "entry-and-proof index == size: EINVAL");
	is_int(rfc6962_url_proof_by_hash(base, hash, 0, url, sizeof(url)),
	    CTD_EINVAL, "proof-by-hash in an empty tree: EINVAL");
	is_int(rfc6962_url_entries(base, 5, 4, url, sizeof(url)), CTD_EINVAL,
	    "entries start > end: EINVAL");

	/* Space: every cap below the length (exact heap buffers). */
	size_t need = strlen("https://ct.googleapis.com/icarus/ct/v1/"
	    "get-proof-by-hash?hash=%2B%2Fv7%2B%2Fv7%2B%2Fv7%2B%2Fv7%2B%2Fv7"
	    "%2B%2Fv7%2B%2Fv7%2B%2Fv7%2B%2Fv7%2B%2Fv7%2B%2Fs%3D&tree_size=1");
	bool espace = true;
	for (size_t cap = 0; cap <= need; cap++) {
		char *b = malloc(cap > 0 ? cap : 1);
		espace = espace && rfc6962_url_proof_by_hash(
		    "https://ct.googleapis.com/icarus/", hash, 1, b, cap) ==
		    CTD_ESPACE;
		free(b);
	}
	ok(espace, "proof-by-hash URL with cap 0..%zu: ESPACE", need);
	char *b = malloc(need + 1);
	ok(rfc6962_url_proof_by_hash("https://ct.googleapis.com/icarus/", hash,
	    1, b, need + 1) == CTD_OK && strlen(b) == need,
	    "and fits in %zu bytes", need + 1);
	free(b);
	char longbase[RFC6962_URL_MAX + 10];
	memset(longbase, 'a', sizeof(longbase) - 2);
	longbase[sizeof(longbase) - 2] = '/';
	longbase[sizeof(longbase) - 1] = '\0';
	is_int(rfc6962_url_sth(longbase, url, sizeof(url)), CTD_ESPACE,
	    "a base longer than RFC6962_URL_MAX: ESPACE");
}

/* get-entries: each entry's leaf hash, and the bounds of the array. */
static void
test_entries(void)
{
	static const char body[] =
	    "{\"entries\":[{\"leaf_input\":\"AAE=\",\"extra_data\":\"\"},"
	    "{\"leaf_input\":\"AgM=\",\"extra_data\":\"AA==\"}]}";
	static const uint8_t leaf0[] = { 0x00, 0x01 }, leaf1[] = { 0x02, 0x03 };
	uint8_t hashes[2 * MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];
	size_t count = 0;
	is_int(rfc6962_parse_entries((const uint8_t *)body, strlen(body),
	    hashes, 2, &count), CTD_OK, "get-entries: two entries parse");
	is_int(count, 2, "get-entries: count");
	merkle_leaf_hash(leaf0, sizeof leaf0, want);
	ok(memcmp(hashes, want, sizeof want) == 0,
	    "get-entries: the leaf hash is SHA-256(0x00 || leaf_input)");
	merkle_leaf_hash(leaf1, sizeof leaf1, want);
	ok(memcmp(hashes + MERKLE_HASH_LEN, want, sizeof want) == 0,
	    "get-entries: the second, in order");
	is_int(rfc6962_parse_entries((const uint8_t *)body, strlen(body),
	    hashes, 1, &count), CTD_EMALF, "get-entries: more than asked for");
	static const char *const bad[] = {
		"{\"entries\":[]}",
		"{\"entries\":[{\"leaf_input\":\"\",\"extra_data\":\"\"}]}",
		"{\"entries\":[{\"leaf_input\":\"AAE=\"}]}",
		"{\"entries\":[{\"leaf_input\":\"AAE\",\"extra_data\":\"\"}]}",
		"{\"entries\":{}}", "[]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		is_int(rfc6962_parse_entries((const uint8_t *)bad[i],
		    strlen(bad[i]), hashes, 2, &count), CTD_EMALF,
		    "get-entries refused: %s", bad[i]);
	}
}

int
main(void)
{
	test_entries();
	int n = testdata_each_line("expected.txt", check_expected);
	ok(n >= 10, "%d real answers checked", n);
	n = testdata_each_line("cases.txt", check_case);
	ok(n >= 90, "%d hand-made answers checked", n);
	test_oversized();
	test_urls();
	return exit_status();
}
