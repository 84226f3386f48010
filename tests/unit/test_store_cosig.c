/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store_cosig.c -- signature lines held for a head (store_cosig.c):
 * merge by signer, the root check, the bounds, malformed lines, and a
 * put that fails leaving the record as it was.
 *
 * The lines are well-formed but not real signatures: the store checks
 * form only (its callers verify). One store under a mkdtemp() directory,
 * removed at the end.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "store.h"
#include "../tap.h"
#include "../storetmp.h"

int main(void);

static char base[256];
static struct store *st;
static struct store_log *log_a, *log_b;
static struct store_reader rd;

/* "— <name> base64(key ID || 64 bytes of fill)\n" into out. */
static size_t
line(char *out, const char *name, uint32_t key_id, uint8_t fill)
{
	uint8_t sig[4 + 64];
	char b64[128];
	size_t n;

	sig[0] = (uint8_t)(key_id >> 24);
	sig[1] = (uint8_t)(key_id >> 16);
	sig[2] = (uint8_t)(key_id >> 8);
	sig[3] = (uint8_t)key_id;
	memset(sig + 4, fill, 64);
	base64_encode(sig, sizeof(sig), b64, sizeof(b64), &n);
	return (size_t)sprintf(out, "\xe2\x80\x94 %s %s\n", name, b64);
}

/* One put in its own transaction. @return: the commit's code. */
static int
put(struct store_log *l, uint64_t size, const uint8_t root[32],
    const char *lines, size_t len)
{
	struct store_txn t;

	store_txn_begin(st, &t);
	store_put_cosigs(&t, l, size, root, lines, len);
	return store_txn_commit(&t);
}

static int
get(struct store_log *l, uint64_t size, const uint8_t root[32], char *out,
    size_t cap, size_t *len)
{
	int rc;

	if (store_read_begin(&rd) != CTD_OK) {
		return CTD_ESTORE;
	}
	rc = store_get_cosigs(&rd, l, size, root, out, cap, len);
	store_read_end(&rd);
	return rc;
}

static void
test_merge(void)
{
	uint8_t root[32], other[32];
	char a1[200], a2[200], b1[200], c1[200], want[1000], got[2000];
	size_t la1, la2, lb1, lc1, len = 0;

	memset(root, 0x11, 32);
	memset(other, 0x22, 32);
	la1 = line(a1, "alice", 0x01020304, 1);
	la2 = line(a2, "alice", 0x01020304, 2);
	lb1 = line(b1, "bob", 0x0a0b0c0d, 3);
	lc1 = line(c1, "alice", 0x99999999, 4);	/* alice, another key */

	is_int(get(log_a, 7, root, got, sizeof(got), &len), CTD_ENOTFOUND,
	    "nothing held: not found");
	is_int(put(log_a, 7, root, a1, la1), CTD_OK, "first line kept");
	ok(get(log_a, 7, root, got, sizeof(got), &len) == CTD_OK &&
	    len == la1 && memcmp(got, a1, la1) == 0, "and read back");
	snprintf(want, sizeof(want), "%s%s", b1, c1);
	is_int(put(log_a, 7, root, want, lb1 + lc1), CTD_OK,
	    "two lines of other signers added");
	snprintf(want, sizeof(want), "%s%s%s", a1, b1, c1);
	ok(get(log_a, 7, root, got, sizeof(got), &len) == CTD_OK &&
	    len == strlen(want) && memcmp(got, want, len) == 0,
	    "appended in order");
	is_int(put(log_a, 7, root, a2, la2), CTD_OK, "a newer line of alice");
	snprintf(want, sizeof(want), "%s%s%s", a2, b1, c1);
	ok(get(log_a, 7, root, got, sizeof(got), &len) == CTD_OK &&
	    len == strlen(want) && memcmp(got, want, len) == 0,
	    "replaces hers in place; the same name with another key ID stays");
	is_int(get(log_a, 7, other, got, sizeof(got), &len), CTD_ENOTFOUND,
	    "another root of the same size: not found");
	is_int(get(log_a, 8, root, got, sizeof(got), &len), CTD_ENOTFOUND,
	    "another size: not found");
	is_int(get(log_b, 7, root, got, sizeof(got), &len), CTD_ENOTFOUND,
	    "another log: not found");
	is_int(get(log_a, 7, root, got, 10, &len), CTD_ESPACE,
	    "short buffer: ESPACE");
	is_int(put(log_a, 7, other, b1, lb1), CTD_EINCONSISTENT,
	    "lines for another root of a held size: EINCONSISTENT");
	ok(get(log_a, 7, root, got, sizeof(got), &len) == CTD_OK &&
	    len == strlen(want), "and the held record is unchanged");
	is_int(put(log_a, 7, other, "", 0), CTD_OK, "no lines: no write");
}

static void
test_bad_lines(void)
{
	uint8_t root[32];
	char good[200], buf[400];
	size_t n = line(good, "carol", 0x05060708, 9), len;
	static const char *bad[] = {
		"- carol AQIDBAUG\n",			/* no em dash */
		"\xe2\x80\x94 carol AQIDBAUG",		/* no newline */
		"\xe2\x80\x94 carol AQIDBAUG=\n",	/* bad padding */
		"\xe2\x80\x94 carolAQIDBAUG\n",		/* no space */
		"\xe2\x80\x94 carol AQID\n",		/* key ID only */
		"\xe2\x80\x94 carol AQIDBAU!\n",	/* not base64 */
		"\xe2\x80\x94 ca+rol AQIDBAUG\n",	/* bad key name */
		"\n",
	};

	memset(root, 0x33, 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = (size_t)snprintf(buf, sizeof(buf), "%s%s", good, bad[i]);
		is_int(put(log_a, 9, root, buf, len), CTD_EMALF,
		    "malformed line %zu refused", i);
	}
	is_int(get(log_a, 9, root, buf, sizeof(buf), &len), CTD_ENOTFOUND,
	    "nothing of a refused put is held");
	static const char shortest[] = "\xe2\x80\x94 carol AQIDBAU=\n";
	is_int(put(log_a, 9, root, shortest, strlen(shortest)), CTD_OK,
	    "the shortest line (key ID and one byte) is kept");
	is_int(put(log_a, 9, root, good, n), CTD_OK, "then a longer one");
}

static void
test_bounds(void)
{
	uint8_t root[32];
	static char buf[STORE_COSIG_MAX_BYTES * 2], got[STORE_COSIG_MAX_BYTES];
	char name[32];
	size_t at = 0, len = 0;

	memset(root, 0x44, 32);
	for (uint32_t i = 0; i < STORE_COSIG_MAX_LINES; i++) {
		snprintf(name, sizeof(name), "w%u", i);
		at += line(buf + at, name, i, (uint8_t)i);
	}
	is_int(put(log_b, 3, root, buf, at), CTD_OK,
	    "%d signers kept", STORE_COSIG_MAX_LINES);
	ok(get(log_b, 3, root, got, sizeof(got), &len) == CTD_OK && len == at,
	    "all of them read back");
	size_t one = line(buf + at, "w0", 0, 0xee);
	is_int(put(log_b, 3, root, buf + at, one), CTD_OK,
	    "at the bound, a signer's newer line still replaces its own");
	one = line(buf + at, "extra", 77, 1);
	is_int(put(log_b, 3, root, buf + at, one), CTD_ERANGE,
	    "one signer more: ERANGE");
	at += line(buf + at, "w33", 33, 1);
	is_int(put(log_b, 4, root, buf, at), CTD_ERANGE,
	    "more lines than the bound in one put: ERANGE");

	/* Bytes: long lines (ML-DSA-44 size) hit the byte bound first. */
	uint8_t big[2420];
	char *b64 = malloc(4000);
	size_t blen;
	memset(big, 7, sizeof(big));
	base64_encode(big, sizeof(big), b64, 4000, &blen);
	at = 0;
	for (int i = 0; i < 7; i++) {
		at += (size_t)sprintf(buf + at, "\xe2\x80\x94 big%d %s\n", i,
		    b64);
	}
	is_int(put(log_b, 5, root, buf, at), CTD_ERANGE,
	    "%zu bytes of lines: ERANGE", at);
	is_int(get(log_b, 5, root, got, sizeof(got), &len), CTD_ENOTFOUND,
	    "and nothing held");
	free(b64);
}

int
main(void)
{
	uint8_t id_a[32], id_b[32];

	if (!storetmp_make(base, sizeof(base), "test_store_cosig")) {
		return 1;
	}
	memset(id_a, 0xa0, 32);
	memset(id_b, 0xb0, 32);
	if (!ok(store_open(base, 0, &st) == CTD_OK &&
	    store_log_open(st, id_a, &log_a) == CTD_OK &&
	    store_log_open(st, id_b, &log_b) == CTD_OK &&
	    store_reader_init(st, &rd) == CTD_OK, "store opens")) {
		return exit_status();
	}
	test_merge();
	test_bad_lines();
	test_bounds();
	store_reader_deinit(&rd);
	store_close(st);
	storetmp_remove(base);
	return done_testing();
}
