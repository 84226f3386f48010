/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wclient.c -- the witness client's rounds against fake witnesses:
 * 200 with a valid or a forged cosignature, 409 and the proof it calls
 * for, 422 and its evidence, 403, a new head while an answer is out, and
 * a wclient freed with a request out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "note.h"
#include "wclient.h"
#include "../tap.h"

#define ORIGIN "log.example/test"

/* ---- fakes: requests wait here until the test answers them ---------- */

struct pending {
	bool used;
	bool is_get;
	char url[256];
	char body[8192];
	size_t len;
	fetch_cb cb;
	void *arg;
};

static struct pending pend[8];
static unsigned proofs_asked;
static uint64_t proof_m, proof_n;

static struct pending *
slot(void)
{
	for (size_t i = 0; i < 8; i++) {
		if (!pend[i].used) {
			memset(&pend[i], 0, sizeof pend[i]);
			pend[i].used = true;
			return &pend[i];
		}
	}
	return NULL;
}

static int
fake_post(void *arg, const char *url, const uint8_t *body, size_t len,
    fetch_cb cb, void *cb_arg)
{
	(void)arg;
	struct pending *p = slot();
	snprintf(p->url, sizeof p->url, "%s", url);
	memcpy(p->body, body, len < sizeof p->body ? len : sizeof p->body);
	p->len = len;
	p->cb = cb;
	p->arg = cb_arg;
	return CTD_OK;
}

static int
fake_get(void *arg, const char *url, fetch_cb cb, void *cb_arg)
{
	(void)arg;
	struct pending *p = slot();
	p->is_get = true;
	snprintf(p->url, sizeof p->url, "%s", url);
	p->cb = cb;
	p->arg = cb_arg;
	return CTD_OK;
}

static const uint8_t proof_hashes[2][MERKLE_HASH_LEN] = { { 1 }, { 2 } };

static int
fake_prove(void *arg, uint64_t m, uint64_t n, wclient_proof_cb cb,
    void *cb_arg)
{
	(void)arg;
	proofs_asked++;
	proof_m = m;
	proof_n = n;
	cb(cb_arg, CTD_OK, proof_hashes, 2);
	return CTD_OK;
}

/* Answer the oldest pending request. */
static void
answer(struct pending *p, int status, long code, const char *body)
{
	p->used = false;
	p->cb(p->arg, status, code, (const uint8_t *)body,
	    body != NULL ? strlen(body) : 0);
}

static struct pending *
first_pending(bool is_get)
{
	for (size_t i = 0; i < 8; i++) {
		if (pend[i].used && pend[i].is_get == is_get) {
			return &pend[i];
		}
	}
	return NULL;
}

/* ---- what the wclient reports ------------------------------------------- */

static uint8_t seed1[NOTE_ED25519_LEN] = { 1 };
static struct note_vkey key1;

static unsigned cosigs, refusals;
static char last_line[WCLIENT_KEEP_MAX];
static unsigned last_status;
static char last_evidence[512];
static uint64_t last_size;

static void
on_cosig(void *arg, const struct note_vkey *key, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], const char *line, size_t len)
{
	(void)arg;
	ok(key == &key1, "the cosigner's key is named");
	(void)root;
	cosigs++;
	last_size = size;
	snprintf(last_line, sizeof last_line, "%.*s", (int)len, line);
}

static void
on_refused(void *arg, const char *witness, uint64_t size, unsigned status,
    const char *evidence, size_t len)
{
	(void)arg;
	(void)witness;
	refusals++;
	last_size = size;
	last_status = status;
	snprintf(last_evidence, sizeof last_evidence, "%.*s",
	    evidence != NULL ? (int)len : 0, evidence != NULL ? evidence : "");
}

/* ---- keys and notes ------------------------------------------------------ */


/* A checkpoint note of size with a (fake) log signature line. */
static size_t
make_note(uint64_t size, char *out, size_t cap)
{
	return (size_t)snprintf(out, cap, "%s\n%llu\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
	    "\xe2\x80\x94 %s AAAAAAAAAAAA\n", ORIGIN,
	    (unsigned long long)size, ORIGIN);
}

/* The cosignature line key1 gives the checkpoint text of note. */
static void
cosign(const char *note, const struct note_vkey *key, const uint8_t *seed,
    char *line, size_t cap)
{
	const char *blank = strstr(note, "\n\n");
	size_t len = 0;
	note_cosig_sign(key, seed, note, (size_t)(blank - note) + 1, 1700000000,
	    line, cap, &len);
}

static struct wclient *
make(bool local, void (*local_fn)(void *, const char *, size_t,
    struct wclient_reply *))
{
	static const struct note_vkey *keys[1] = { &key1 };
	static const char *urls[1] = { "http://w1.example/" };
	struct wclient_env env = {
		.name = "test", .origin = ORIGIN, .prove = fake_prove,
		.post = fake_post, .get = fake_get, .on_cosig = on_cosig,
		.on_refused = on_refused,
	};
	if (local) {
		env.local = local_fn;
		env.local_vkey = &key1;
		return wclient_new(&env, NULL, NULL, 0);
	}
	return wclient_new(&env, keys, urls, 1);
}

/* ---- the cases ----------------------------------------------------------- */

static char note10[512], note20[512];

static void
test_http_round(void)
{
	struct wclient *wc = make(false, NULL);
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	cosigs = refusals = proofs_asked = 0;
	ok(wc != NULL, "http: a wclient");
	is_int(wclient_cosign(wc, 10, root, note10, strlen(note10)), CTD_OK,
	    "http: round for size 10");
	struct pending *p = first_pending(false);
	ok(p != NULL && strcmp(p->url, "http://w1.example/add-checkpoint") ==
	    0, "http: POST to the add-checkpoint URL");
	ok(p != NULL && strncmp(p->body, "old 0\n\n", 7) == 0 &&
	    strstr(p->body, note10) != NULL,
	    "http: body 'old 0', no proof, blank line, the note");
	answer(p, CTD_EUPSTREAM, 409, "4\n");
	is_int(proofs_asked, 1, "http: a 409 asks for a proof");
	ok(proof_m == 4 && proof_n == 10, "http: from its size 4 to 10");
	p = first_pending(false);
	/* "old 4", base64 of {1, 0...} and of {2, 0...}, a blank line. */
	ok(p != NULL && strncmp(p->body, "old 4\nAQAA", 10) == 0 &&
	    strncmp(p->body + 6 + 45, "AgAA", 4) == 0 &&
	    strncmp(p->body + 6 + 90, "\n", 1) == 0,
	    "http: resent with old 4 and two proof lines");
	char line[NOTE_LINE_MAX];
	cosign(note10, &key1, seed1, line, sizeof line);
	answer(p, CTD_OK, 200, line);
	is_int(cosigs, 1, "http: the cosignature is reported");
	ok(strcmp(last_line, line) == 0, "http: the very line");
	is_int(last_size, 10, "http: for size 10");
	/* The same head again: nothing new is sent. */
	wclient_cosign(wc, 10, root, note10, strlen(note10));
	ok(first_pending(false) == NULL, "http: a cosigned head is not resent");

	/* A next head: old is what it cosigned; a forged line is refused. */
	wclient_cosign(wc, 20, root, note20, strlen(note20));
	ok(proof_m == 10 && proof_n == 20, "http: next round proves 10 -> 20");
	p = first_pending(false);
	char forged[NOTE_LINE_MAX];
	cosign(note10, &key1, seed1, forged, sizeof forged);
	answer(p, CTD_OK, 200, forged);
	is_int(cosigs, 1, "http: a cosignature of another head is refused");
	struct wclient_stats st;
	wclient_get_stats(wc, &st);
	is_int(st.bad_cosigs, 1, "http: counted as bad");
	wclient_cosign(wc, 20, root, note20, strlen(note20));
	p = first_pending(false);
	ok(p != NULL, "http: asked again at the next call");
	answer(p, CTD_OK, 403, "forbidden");
	is_int(refusals, 1, "http: a 403 is reported");
	is_int(last_status, 403, "http: with its status");
	wclient_cosign(wc, 20, root, note20, strlen(note20));
	ok(first_pending(false) == NULL, "http: a refused head is not resent");
	wclient_free(wc);
}

static void
test_conflict_evidence(void)
{
	struct wclient *wc = make(false, NULL);
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	refusals = 0;
	wclient_cosign(wc, 10, root, note10, strlen(note10));
	answer(first_pending(false), CTD_EUPSTREAM, 422, "inconsistent");
	struct pending *g = first_pending(true);
	ok(g != NULL && strncmp(g->url, "http://w1.example/", 18) == 0 &&
	    strlen(g->url) == 18 + 64 + 11 &&
	    strcmp(g->url + 18 + 64, "/checkpoint") == 0,
	    "422: the witness's checkpoint is fetched (%s)", g ? g->url : "");
	answer(g, CTD_OK, 200, "their checkpoint");
	is_int(refusals, 1, "422: reported once");
	is_int(last_status, 422, "422: with its status");
	ok(strcmp(last_evidence, "their checkpoint") == 0,
	    "422: with the evidence");

	/* A 409 with a size above the head: the witness is ahead. */
	wclient_cosign(wc, 20, root, note20, strlen(note20));
	answer(first_pending(false), CTD_EUPSTREAM, 409, "30\n");
	g = first_pending(true);
	ok(g != NULL, "409 ahead: the evidence is fetched");
	answer(g, CTD_ENET, 0, NULL);
	is_int(refusals, 2, "409 ahead: reported");
	is_int(last_status, 409, "409 ahead: status 409");
	ok(last_evidence[0] == '\0', "409 ahead: no evidence when the GET "
	    "failed");
	wclient_free(wc);
}

static void
test_stale_and_free(void)
{
	struct wclient *wc = make(false, NULL);
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	cosigs = refusals = 0;
	wclient_cosign(wc, 10, root, note10, strlen(note10));
	struct pending *old = first_pending(false);
	wclient_cosign(wc, 20, root, note20, strlen(note20));
	char line[NOTE_LINE_MAX];
	cosign(note10, &key1, seed1, line, sizeof line);
	answer(old, CTD_OK, 200, line);
	is_int(cosigs, 0, "stale: an answer of an older round is dropped");
	struct pending *cur = first_pending(false);
	ok(cur != NULL, "stale: the new round's request is out");
	wclient_free(wc);
	answer(cur, CTD_ECANCELED, 0, NULL);
	is_int(cosigs + refusals, 0,
	    "free: a late callback after wclient_free() reports nothing");
}

/* An ML-DSA-44 line under the witness's name is relayed after the
 * verified one; a line of another name is not. */
static void
test_relay(void)
{
	struct wclient *wc = make(false, NULL);
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	static uint8_t blob[4 + 2420];
	static char body[8192], b64[4000];
	char line[NOTE_LINE_MAX];
	size_t n = 0;
	memset(blob, 0x5a, sizeof blob);
	base64_encode(blob, sizeof blob, b64, sizeof b64, &n);
	cosign(note10, &key1, seed1, line, sizeof line);
	snprintf(body, sizeof body, "%s\xe2\x80\x94 w1.example %s\n"
	    "\xe2\x80\x94 other.example %s\n", line, b64, b64);
	cosigs = 0;
	wclient_cosign(wc, 10, root, note10, strlen(note10));
	answer(first_pending(false), CTD_OK, 200, body);
	is_int(cosigs, 1, "relay: the cosignature is reported");
	ok(strncmp(last_line, line, strlen(line)) == 0,
	    "relay: the verified line first");
	ok(strstr(last_line, b64) != NULL &&
	    strstr(last_line, "other.example") == NULL,
	    "relay: the witness's unverifiable line relayed, another's not");
	wclient_free(wc);
}

static unsigned local_calls;

static void
local_witness(void *arg, const char *req, size_t len,
    struct wclient_reply *out)
{
	(void)arg;
	local_calls++;
	const char *blank = strstr(req, "\n\n");
	const char *cp = blank + 2;
	char line[NOTE_LINE_MAX];
	(void)len;
	cosign(cp, &key1, seed1, line, sizeof line);
	out->status = 200;
	out->body_len = strlen(line);
	memcpy(out->body, line, out->body_len);
}

static void
test_local(void)
{
	struct wclient *wc = make(true, local_witness);
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	cosigs = 0;
	wclient_cosign(wc, 10, root, note10, strlen(note10));
	is_int(local_calls, 1, "local: the own cosigner is called");
	is_int(cosigs, 1, "local: its cosignature is verified and reported");
	ok(first_pending(false) == NULL, "local: nothing goes on the wire");
	wclient_free(wc);
}

int
main(void)
{
	note_vkey_from_seed("w1.example", 10, NOTE_TYPE_COSIG_V1, seed1,
	    &key1);
	make_note(10, note10, sizeof note10);
	make_note(20, note20, sizeof note20);
	test_http_round();
	test_conflict_evidence();
	test_stale_and_free();
	test_local();
	test_relay();
	return done_testing();
}
