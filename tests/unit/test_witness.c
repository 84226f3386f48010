/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_witness.c -- the tlog-witness add-checkpoint logic (witness.h):
 * every status code, the 63/64 proof-line bound, nothing persisted on a
 * refusal, the state across a store reopen, cosignatures that verify, and
 * a size never lowered. Checkpoints are signed here with a fresh P-256 log
 * key (RFC6962NoteSignature lines, static-ct-api), over a reference tree.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../tap.h"
#include "base64.h"
#include "err.h"
#include "logkey.h"
#include "merkle.h"
#include "note.h"
#include "proved.h"
#include "sth.h"
#include "store.h"
#include "witness.h"
#include "witness_http.h"

#include "../refmerkle.h"
#include "../storetmp.h"

#define ORIGIN "log.example/2026"
#define LEAVES 200
#define NOW 1767225600

static uint8_t leaves[LEAVES][MERKLE_HASH_LEN];
static EVP_PKEY *log_pkey;
static struct logkey *log_key;
static const uint8_t seed[NOTE_ED25519_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* DigitallySigned(ecdsa, sha256) of the STH into sth->sig. */
static void
sign_sth(struct sth *sth)
{
	uint8_t data[STH_SIGNED_LEN], der[128];
	size_t der_len = sizeof der;
	sth_signed_data(sth, data);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, log_pkey) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, data, sizeof data) != 1) {
		diag("signing failed");
		exit(99);
	}
	EVP_MD_CTX_free(ctx);
	sth->sig[0] = 4;
	sth->sig[1] = 3;
	sth->sig[2] = (uint8_t)(der_len >> 8);
	sth->sig[3] = (uint8_t)der_len;
	memcpy(sth->sig + 4, der, der_len);
	sth->sig_len = (uint16_t)(4 + der_len);
}

/* A checkpoint of origin at size (the reference tree's root, or root
 * when not NULL), signed by the log; corrupt flips a signature bit. */
static size_t
checkpoint(const char *origin, uint64_t size, const uint8_t *root,
    bool corrupt, char *out, size_t cap)
{
	struct sth sth = { .tree_size = size, .timestamp = 1767225600000 };
	if (root != NULL) {
		memcpy(sth.root, root, MERKLE_HASH_LEN);
	} else if (size == 0) {
		EVP_Digest("", 0, sth.root, NULL, EVP_sha256(), NULL);
	} else {
		ref_mth((const uint8_t(*)[MERKLE_HASH_LEN])leaves, 0, size,
		    sth.root);
	}
	sign_sth(&sth);
	uint8_t blob[4 + 8 + STH_SIG_MAX];
	uint32_t id = note_key_id(ORIGIN, strlen(ORIGIN), NOTE_TYPE_RFC6962,
	    logkey_id(log_key), MERKLE_HASH_LEN);
	for (int i = 0; i < 4; i++) {
		blob[i] = (uint8_t)(id >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++) {
		blob[4 + i] = (uint8_t)(sth.timestamp >> (56 - 8 * i));
	}
	memcpy(blob + 12, sth.sig, sth.sig_len);
	if (corrupt) {
		blob[12 + sth.sig_len - 1] ^= 1;
	}
	char rb64[48], sb64[800];
	base64_encode(sth.root, MERKLE_HASH_LEN, rb64, sizeof rb64, NULL);
	base64_encode(blob, 12 + sth.sig_len, sb64, sizeof sb64, NULL);
	return (size_t)snprintf(out, cap, "%s\n%" PRIu64 "\n%s\n\n"
	    "\xe2\x80\x94 %s %s\n", origin, size, rb64, ORIGIN, sb64);
}

/* "old <old>\n", the consistency proof old -> size (nproof lines when
 * nproof >= 0, else the real proof; bad flips a bit), "\n", the note. */
static size_t
request(uint64_t old, int nproof, bool bad, const char *note, char *out,
    size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "old %" PRIu64 "\n", old);
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	uint64_t size = strtoull(strchr(note, '\n') + 1, NULL, 10);
	size_t count = merkle_consistency_ranges(old, size, r);
	for (int i = 0; i < (nproof >= 0 ? nproof : (int)count); i++) {
		uint8_t h[MERKLE_HASH_LEN] = { 0 };
		if (nproof < 0) {
			ref_mth((const uint8_t(*)[MERKLE_HASH_LEN])leaves,
			    r[i].begin, r[i].end, h);
		}
		if (bad && i == 0) {
			h[0] ^= 1;
		}
		base64_encode(h, sizeof h, out + n, cap - n, NULL);
		n += 44;
		out[n++] = '\n';
	}
	out[n++] = '\n';
	n += (size_t)snprintf(out + n, cap - n, "%s", note);
	return n;
}

static char buf[WITNESS_REQUEST_MAX], note[8192];

/* POST a request; the status. */
static unsigned
post(struct witness *w, uint64_t old, int nproof, bool bad, size_t size,
    struct witness_reply *rep)
{
	checkpoint(ORIGIN, size, NULL, false, note, sizeof note);
	size_t n = request(old, nproof, bad, note, buf, sizeof buf);
	witness_add_checkpoint(w, buf, n, NOW, rep);
	return rep->status;
}

static uint64_t
latest(struct witness *w)
{
	uint64_t size = UINT64_MAX;
	uint8_t root[MERKLE_HASH_LEN];
	if (witness_latest(w, ORIGIN, &size, root) == CTD_ENOTFOUND) {
		return 0;
	}
	return size;
}

/* The cosignature of a 200 reply verifies on the note it answered. */
static bool
cosig_verifies(struct witness *w, const struct witness_reply *rep)
{
	char all[8192];
	struct note n;
	uint64_t t = 0;
	int len = snprintf(all, sizeof all, "%s%.*s", note,
	    (int)rep->body_len, rep->body);
	return note_parse(all, (size_t)len, &n) == CTD_OK &&
	    note_cosig_verify(&n, witness_vkey(w), &t) == CTD_OK && t == NOW;
}

static void
test_codes(struct witness *w)
{
	struct witness_reply rep;
	is_int(post(w, 0, -1, false, 10, &rep), 200, "first checkpoint: 200");
	ok(cosig_verifies(w, &rep), "its cosignature/v1 line verifies");
	is_int(latest(w), 10, "state: size 10");
	is_int(post(w, 0, -1, false, 20, &rep), 409, "old 0 again: 409");
	ok(rep.body_len == 3 && memcmp(rep.body, "10\n", 3) == 0 &&
	    strcmp(rep.content_type, "text/x.tlog.size") == 0,
	    "409 body \"10\\n\", text/x.tlog.size");
	is_int(post(w, 10, -1, true, 20, &rep), 422, "bad proof: 422");
	is_int(latest(w), 10, "nothing persisted on 422");
	is_int(post(w, 10, -1, false, 20, &rep), 200, "10 -> 20: 200");
	ok(cosig_verifies(w, &rep), "cosignature verifies");
	is_int(post(w, 20, 0, false, 20, &rep), 200, "same size, same root");
	uint8_t other[MERKLE_HASH_LEN] = { 9 };
	checkpoint(ORIGIN, 20, other, false, note, sizeof note);
	size_t n = request(20, 0, false, note, buf, sizeof buf);
	witness_add_checkpoint(w, buf, n, NOW, &rep);
	is_int(rep.status, 422, "same size, another root: 422");
	is_int(post(w, 30, -1, false, 20, &rep), 400, "old above size: 400");
	is_int(post(w, 10, -1, false, 30, &rep), 409,
	    "old below the stored size: 409 (never a smaller base)");
	is_int(post(w, 0, -1, false, 15, &rep), 409, "a smaller size: 409");
	is_int(latest(w), 20, "state still 20");
	checkpoint(ORIGIN, 30, NULL, true, note, sizeof note);
	n = request(20, -1, false, note, buf, sizeof buf);
	witness_add_checkpoint(w, buf, n, NOW, &rep);
	is_int(rep.status, 403, "bad log signature: 403");
	checkpoint("other.example/log", 30, NULL, false, note, sizeof note);
	n = request(20, -1, false, note, buf, sizeof buf);
	witness_add_checkpoint(w, buf, n, NOW, &rep);
	is_int(rep.status, 404, "unknown origin: 404");
	witness_add_checkpoint(w, "garbage", 7, NOW, &rep);
	is_int(rep.status, 400, "garbage: 400");
	is_int(post(w, 20, -1, false, 30, &rep), 200, "20 -> 30: 200");
	witness_add_checkpoint(w, buf, n, 0, &rep);
	is_int(rep.status, 500, "time 0 is never signed: 500");
	is_int(latest(w), 30, "state 30");
}

static void
test_empty_and_bounds(struct witness *w)
{
	struct witness_reply rep;
	witness_untrust(w, ORIGIN);
	is_int(post(w, 30, -1, false, 40, &rep), 404, "untrusted: 404");
	witness_trust(w, ORIGIN, log_key);
	is_int(post(w, 30, 63, false, 40, &rep), 422,
	    "63 proof lines (wrong ones): parsed, 422");
	is_int(post(w, 30, 64, false, 40, &rep), 400, "64 proof lines: 400");
	struct witness_req *r = malloc(sizeof *r);
	checkpoint(ORIGIN, 40, NULL, false, note, sizeof note);
	size_t n = request(30, 63, false, note, buf, sizeof buf);
	is_int(witness_req_parse(buf, n, r), CTD_OK, "parse: 63 lines");
	n = request(30, 64, false, note, buf, sizeof buf);
	is_int(witness_req_parse(buf, n, r), CTD_ERANGE, "parse: 64 lines");
	static const char *bad[] = { "old 01\n\n", "old -1\n\n", "old 1",
		"old 1\nAAAA\n\n", "Old 1\n\n", "old  1\n\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = (size_t)snprintf(buf, sizeof buf, "%s%s", bad[i], note);
		is_int(witness_req_parse(buf, n, r), CTD_EMALF,
		    "malformed request %zu", i);
	}
	free(r);
	/* The empty tree: a size-0 checkpoint must have SHA-256(""). */
	uint8_t zero[MERKLE_HASH_LEN] = { 0 };
	checkpoint(ORIGIN, 0, zero, false, note, sizeof note);
	n = request(0, 0, false, note, buf, sizeof buf);
	witness_add_checkpoint(w, buf, n, NOW, &rep);
	is_int(rep.status, 422, "size 0 with another root: 422 (no log "
	    "can sign it), whatever the state");
	is_int(latest(w), 30, "state still 30");
}

/* A fresh store: size 0 rules, then a non-empty proof from 0. */
static void
test_fresh(struct store *s)
{
	struct witness *w = NULL;
	struct witness_reply rep;
	static const char name[] = "fresh.example/w";
	witness_new(s, name, seed, &w);
	witness_trust(w, ORIGIN, log_key);
	uint8_t zero[MERKLE_HASH_LEN] = { 0 };
	checkpoint(ORIGIN, 0, zero, false, note, sizeof note);
	size_t n = request(0, 0, false, note, buf, sizeof buf);
	witness_add_checkpoint(w, buf, n, NOW, &rep);
	is_int(rep.status, 422, "size 0 with a root other than "
	    "SHA-256(\"\"): 422");
	is_int(post(w, 0, 0, false, 0, &rep), 200, "the empty tree: 200");
	is_int(post(w, 0, 1, false, 5, &rep), 422,
	    "a non-empty proof from size 0: 422");
	is_int(post(w, 0, 0, false, 5, &rep), 200, "0 -> 5, no proof: 200");
	/* The store itself refuses a rollback, whoever asks. */
	char hex[65];
	struct store_txn t;
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	witness_origin_hex(ORIGIN, strlen(ORIGIN), hex);
	store_txn_begin(s, &t);
	store_put_witness(&t, hex, 4, root, "x", 1);
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "store: a smaller size is refused");
	store_txn_begin(s, &t);
	store_put_witness(&t, hex, 5, root, "x", 1);
	is_int(store_txn_commit(&t), CTD_EINCONSISTENT,
	    "store: another root at the same size is refused");
	uint64_t size = 0;
	is_int(witness_latest(w, ORIGIN, &size, root), CTD_OK, "latest");
	is_int(size, 5, "still 5");
	witness_free(w);
}

/* The HTTP endpoint's token bucket, on a clock moved by hand. */
static void
test_bucket(void)
{
	struct witness_bucket b;
	witness_bucket_init(&b, 2, 3, 1000);
	int n = 0;
	while (n < 10 && witness_bucket_take(&b, 1000)) {
		n++;
	}
	is_int(n, 3, "a full bucket gives its burst at once");
	ok(!witness_bucket_take(&b, 1499), "no token 499 ms later (2/s)");
	ok(witness_bucket_take(&b, 1500), "one token 500 ms later");
	ok(!witness_bucket_take(&b, 1500), "and only one");
	n = 0;
	while (n < 10 && witness_bucket_take(&b, 100000)) {
		n++;
	}
	is_int(n, 3, "a long pause saves no more than the burst");
}

int
main(void)
{
	char dir[256], dir2[256];
	for (unsigned i = 0; i < LEAVES; i++) {
		uint8_t b = (uint8_t)i;
		merkle_leaf_hash(&b, 1, leaves[i]);
	}
	log_pkey = EVP_EC_gen("P-256");
	uint8_t *der = NULL;
	int der_len = i2d_PUBKEY(log_pkey, &der);
	if (!storetmp_make(dir, sizeof dir, "test_witness") || der_len <= 0 ||
	    logkey_from_der(der, (size_t)der_len, &log_key) != CTD_OK) {
		diag("setup failed");
		return 99;
	}
	OPENSSL_free(der);
	struct store *s = NULL;
	struct witness *w = NULL;
	is_int(store_open(dir, 0, &s), CTD_OK, "store opened");
	is_int(witness_new(s, "bad+name", seed, &w), CTD_EINVAL,
	    "a key name with '+': refused");
	is_int(witness_new(s, "witness.example/w1", seed, &w), CTD_OK,
	    "witness created");
	is_int(witness_trust(w, ORIGIN, log_key), CTD_OK, "log trusted");
	is_int(witness_trust(w, ORIGIN, log_key), CTD_OK, "trusted again");
	ok(witness_trusted(w, ORIGIN), "origin trusted");
	test_codes(w);
	test_empty_and_bounds(w);

	char hex[65], cp[WITNESS_CHECKPOINT_MAX];
	size_t cp_len = 0;
	witness_origin_hex(ORIGIN, strlen(ORIGIN), hex);
	is_int(witness_checkpoint(w, hex, cp, sizeof cp, &cp_len), CTD_OK,
	    "GET checkpoint: found");
	struct note n;
	ok(note_parse(cp, cp_len, &n) == CTD_OK && n.nsigs == 2 &&
	    note_cosig_verify(&n, witness_vkey(w), NULL) == CTD_OK,
	    "it holds the log's line and a cosignature that verifies");
	struct sth sth;
	is_int(note_open_rfc6962(cp, cp_len, ORIGIN, log_key, &sth, NULL),
	    CTD_OK, "and the log's signature verifies");
	is_int(sth.tree_size, 30, "of size 30");
	hex[0] = hex[0] == 'a' ? 'b' : 'a';
	is_int(witness_checkpoint(w, hex, cp, sizeof cp, &cp_len),
	    CTD_ENOTFOUND, "another origin hash: not found");
	is_int(witness_checkpoint(w, "zz", cp, sizeof cp, &cp_len),
	    CTD_ENOTFOUND, "not a hash: not found");
	witness_free(w);
	store_close(s);

	/* Restart: the state is read back from the store. */
	s = NULL;
	w = NULL;
	is_int(store_open(dir, 0, &s), CTD_OK, "store reopened");
	witness_new(s, "witness.example/w1", seed, &w);
	witness_trust(w, ORIGIN, log_key);
	struct witness_reply rep;
	is_int(post(w, 0, -1, false, 40, &rep), 409, "after reopen: 409");
	ok(rep.body_len == 3 && memcmp(rep.body, "30\n", 3) == 0,
	    "and the size kept is 30");
	is_int(post(w, 30, -1, false, 40, &rep), 200, "30 -> 40: 200");
	witness_free(w);
	store_close(s);
	storetmp_remove(dir);

	s = NULL;
	if (ok(storetmp_make(dir2, sizeof dir2, "test_witness"),
	    "a second directory made")) {
		if (is_int(store_open(dir2, 0, &s), CTD_OK,
		    "a fresh store opened")) {
			test_fresh(s);
			store_close(s);
		}
		storetmp_remove(dir2);
	}
	test_bucket();
	logkey_free(log_key);
	EVP_PKEY_free(log_pkey);
	return done_testing();
}
