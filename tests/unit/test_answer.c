/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_answer.c -- the one table from errors to rcodes, and every answer
 * path that reports an error going through it.
 *
 * First answer_rcode() against the "Outcomes and rcodes" table of
 * docs/design.md, code by code. Then answer_query() over one log (the
 * demo zone, an empty store in a temporary directory, a tree head of
 * TREE_SIZE set by hand, no network): a message that does not parse, a
 * name that fits no form, names beyond the tree, a miss, and the second
 * round of a miss after each kind of fill outcome; each checks the rcode,
 * whether the zone's SOA comes along, and the rcode counter.
 *
 * Then the checkpoint form: the Sycamore STH of
 * tests/data/08_static_ct_checkpoint.json served under its log ID, with
 * cosignatures signed here and held in the store; the answer must open
 * with the log's key and carry every held line, whole over TCP and
 * truncated over UDP when it does not fit.
 *
 * Last the proof cache: a tree answer and a leaf index from the store are
 * answered again from the cache, byte for byte the same; an index beyond
 * the served tree is never cached; switching the logs empties it.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../tap.h"
#define TESTDATA_DIR "."
#define MAX_FIELDS 8
#include "../testdata.h"
#include "answer.h"
#include "base32.h"
#include "logkey.h"
#include "note.h"
#include "err.h"
#include "log.h"
#include "logview.h"
#include "store.h"
#include "zone.h"

int main(void);

#define ZONE_NAME "demo.ct.example."
#define TREE_SIZE 10
#define OUT_CAP 65535

enum {
	NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4,
	REFUSED = 5,
};

static void
test_table(void)
{
	static const struct {
		int err;
		int rcode;
		const char *why;
	} rows[] = {
		{ CTD_OK, NOERROR, "no error" },
		{ CTD_EMALF, FORMERR, "the message does not parse" },
		{ CTD_ENOTFOUND, NXDOMAIN, "no such name or leaf" },
		{ CTD_ERANGE, NXDOMAIN, "beyond the tree" },
		{ CTD_ETIMEOUT, SERVFAIL, "the log timed out" },
		{ CTD_EUPSTREAM, SERVFAIL, "the log answered an HTTP error" },
		{ CTD_ENET, SERVFAIL, "the log is unreachable" },
		{ CTD_EBUSY, SERVFAIL, "over the log's caps" },
		{ CTD_EVERIFY, SERVFAIL, "the log answered something false" },
		{ CTD_EINCONSISTENT, SERVFAIL, "the log contradicts itself" },
		{ CTD_ESTORE, SERVFAIL, "the store failed" },
		{ CTD_ENOMEM, SERVFAIL, "out of memory" },
		{ CTD_ECANCELED, SERVFAIL, "shut down" },
		{ CTD_EIO, SERVFAIL, "I/O" },
		{ CTD_EINVAL, SERVFAIL, "a bad argument is the server's" },
		{ CTD_ESPACE, SERVFAIL, "no room" },
		{ -1234567, SERVFAIL, "a code no one knows" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		is_int(answer_rcode(rows[i].err), rows[i].rcode,
		    "table: %s (%s)", ctd_strerror(rows[i].err), rows[i].why);
	}
}

static struct {
	struct logview log;
	struct logview *logs[1];
	struct store *store;
	struct answer_ctx ax;
	char dir[PATH_MAX];
	uint8_t out[OUT_CAP];
} fx;

static bool
setup(void)
{
	const char *top = getenv("top_srcdir");
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX], err[256] = "";
	snprintf(path, sizeof path, "%s/zones/demo.ct.example.zone",
	    top != NULL ? top : ".");
	fx.log = (struct logview){ .id = 1, .sth_ttl = 300,
		.proof_ttl = 86400, .negative_ttl = 30 };
	if (zone_load(path, ZONE_NAME, &fx.log.zone, err, sizeof err) !=
	    CTD_OK) {
		diag("zone: %s (set top_srcdir)", err);
		return false;
	}
	snprintf(fx.dir, sizeof fx.dir, "%s/test_answer.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	static const uint8_t id[32] = { 1 };
	if (mkdtemp(fx.dir) == NULL ||
	    store_open(fx.dir, 16u << 20, &fx.store) != CTD_OK ||
	    store_log_open(fx.store, id, &fx.log.slog) != CTD_OK) {
		return false;
	}
	/* The answer path reads the size and the text; nothing here
	 * checks the signature, so a tree head set by hand will do. */
	fx.log.has_sth = true;
	fx.log.sth.tree_size = TREE_SIZE;
	fx.log.sth_txt_len = (size_t)snprintf(fx.log.sth_txt,
	    sizeof fx.log.sth_txt, "%d.1.root.sig", TREE_SIZE);
	fx.logs[0] = &fx.log;
	return answer_ctx_init(&fx.ax, fx.store, fx.logs, 1, 64u << 10) ==
	    CTD_OK;
}

static void
teardown(void)
{
	char file[PATH_MAX + 16];
	answer_ctx_deinit(&fx.ax);
	store_close(fx.store);
	zone_free(fx.log.zone);
	static const char *const names[] = { "data.mdb", "lock.mdb" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(file, sizeof file, "%s/%s", fx.dir, names[i]);
		unlink(file);
	}
	rmdir(fx.dir);
}

/* A query for name (dotted, absolute), type TXT, class IN. */
static size_t
make_query(const char *name, uint16_t qdcount, uint8_t *q, size_t cap)
{
	size_t n = 0;
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00 };
	memcpy(q, hdr, sizeof hdr);
	q[5] = (uint8_t)qdcount;
	n = sizeof hdr;
	while (*name != '\0' && n + 70 < cap) {
		const char *dot = strchr(name, '.');
		size_t len = (size_t)(dot - name);
		q[n++] = (uint8_t)len;
		memcpy(q + n, name, len);
		n += len;
		name = dot + 1;
	}
	q[n++] = 0;
	static const uint8_t tail[4] = { 0, 16, 0, 1 };
	memcpy(q + n, tail, sizeof tail);
	return n + sizeof tail;
}

struct got {
	enum answer_action action;
	int rcode;
	unsigned nscount;	/* the SOA of a negative answer */
	uint64_t counted;	/* by_rcode[rcode] went up by this */
};

static struct got
ask(const char *name, uint16_t qdcount, int fill_status, unsigned round)
{
	uint8_t q[512];
	struct answer_result res;
	struct got g = { 0 };
	size_t len = make_query(name, qdcount, q, sizeof q);
	struct answer_stats before = fx.ax.stats;
	answer_query(&fx.ax, q, len, false, fill_status, round, fx.out,
	    sizeof fx.out, &res);
	g.action = res.action;
	if (res.action == ANSWER_SEND && res.len >= 12) {
		g.rcode = fx.out[3] & 0x0f;
		g.nscount = (unsigned)fx.out[8] << 8 | fx.out[9];
		g.counted = fx.ax.stats.by_rcode[g.rcode] -
		    before.by_rcode[g.rcode];
	}
	return g;
}

static void
check(const char *what, struct got g, int rcode, bool soa)
{
	is_int(g.action, ANSWER_SEND, "%s: answered", what);
	is_int(g.rcode, rcode, "%s: rcode %d", what, rcode);
	is_int(g.nscount, soa ? 1 : 0, "%s: %s", what,
	    soa ? "the zone's SOA" : "no authority");
	is_int(g.counted, 1, "%s: counted once", what);
}

/* A leaf hash in the 52-character base32 form. */
#define B32_HASH "D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACA"

static void
test_paths(void)
{
	const char *tree = "0.1.8.tree." ZONE_NAME;
	const char *hash = B32_HASH ".hash." ZONE_NAME;
	check("two questions", ask(tree, 2, CTD_OK, 0), FORMERR, false);
	check("a name of no form", ask("x.y.z." ZONE_NAME, 1, CTD_OK, 0),
	    NXDOMAIN, true);
	check("a leaf index at the size", ask("0.8.8.tree." ZONE_NAME, 1,
	    CTD_OK, 0), NXDOMAIN, true);
	check("a size beyond the tree", ask("0.1.11.tree." ZONE_NAME, 1,
	    CTD_OK, 0), NXDOMAIN, true);
	is_int(ask(tree, 1, CTD_OK, 0).action, ANSWER_FILL,
	    "a miss asks for a fill");
	is_int(ask(hash, 1, CTD_OK, 0).action, ANSWER_FILL,
	    "a hash miss asks for a fill");
	/* The second round, after the fill. */
	check("leaf not in the log", ask(hash, 1, CTD_ENOTFOUND, 1),
	    NXDOMAIN, true);
	check("hash fill timed out", ask(hash, 1, CTD_ETIMEOUT, 1), SERVFAIL,
	    false);
	check("tree fill: no root to plan from", ask(tree, 1, CTD_ENOTFOUND,
	    1), SERVFAIL, false);
	check("tree fill refused: out of range", ask(tree, 1, CTD_ERANGE, 1),
	    SERVFAIL, false);
	check("tree fill over the caps", ask(tree, 1, CTD_EBUSY, 1),
	    SERVFAIL, false);
	check("tree fill: false answer", ask(tree, 1, CTD_EVERIFY, 1),
	    SERVFAIL, false);
	check("still missing after the last round", ask(tree, 1, CTD_OK,
	    ANSWER_MAX_ROUNDS), SERVFAIL, false);
	is_int(ask(tree, 1, CTD_OK, 1).action, ANSWER_FILL,
	    "still missing before the last round: fill again");
	fx.log.has_sth = false;
	check("no verified tree head", ask(tree, 1, CTD_OK, 0), SERVFAIL,
	    false);
	fx.log.has_sth = true;
	check("outside every zone", ask("0.1.8.tree.example.org.", 1,
	    CTD_OK, 0), REFUSED, false);
}

/* ---- the checkpoint form ------------------------------------------- */

/* A query for name with a type, over UDP with EDNS size edns (0: none)
 * or over TCP; the TXT strings of the first answer record, joined, go to
 * txt (NUL-terminated). */
static struct got
ask_cp(const char *name, uint16_t qtype, uint16_t edns, bool tcp, char *txt,
    size_t cap, bool *tc)
{
	uint8_t q[512];
	struct answer_result res;
	struct got g = { 0 };
	size_t len = make_query(name, 1, q, sizeof q), at = 0;

	q[len - 3] = (uint8_t)qtype;
	q[len - 4] = (uint8_t)(qtype >> 8);
	if (edns > 0) {
		static const uint8_t opt[11] = { 0, 0, 41, 0, 0, 0, 0, 0, 0,
		    0, 0 };
		memcpy(q + len, opt, sizeof opt);
		q[len + 3] = (uint8_t)(edns >> 8);
		q[len + 4] = (uint8_t)edns;
		len += sizeof opt;
		q[11] = 1;
	}
	txt[0] = '\0';
	answer_query(&fx.ax, q, len, tcp, CTD_OK, 0, fx.out, sizeof fx.out,
	    &res);
	g.action = res.action;
	if (res.action != ANSWER_SEND || res.len < 12) {
		return g;
	}
	g.rcode = fx.out[3] & 0x0f;
	g.nscount = (unsigned)fx.out[8] << 8 | fx.out[9];
	*tc = (fx.out[2] & 0x02) != 0;
	if (fx.out[7] == 0) {
		return g;
	}
	/* Question: the query's name and 4 bytes; then pointer(2) type(2)
	 * class(2) ttl(4) rdlength(2): 12. */
	size_t p = 12;
	while (fx.out[p] != 0) {
		p += 1 + fx.out[p];
	}
	p += 1 + 4 + 12;
	size_t rdlen = (size_t)fx.out[p - 2] << 8 | fx.out[p - 1];
	for (size_t end = p + rdlen; p < end && p < res.len;) {
		size_t n = fx.out[p++];
		if (at + n < cap && p + n <= res.len) {
			memcpy(txt + at, fx.out + p, n);
			at += n;
		}
		p += n;
	}
	txt[at] = '\0';
	return g;
}

static json_t *vec;
static struct logkey *sycamore;

static bool
cp_setup(struct store_log **slog, struct sth *sth)
{
	json_error_t jerr;
	const char *cp, *origin;

	vec = json_load_file(testdata_path("08_static_ct_checkpoint.json"), 0,
	    &jerr);
	if (vec == NULL) {
		return false;
	}
	cp = json_string_value(json_object_get(vec, "checkpoint"));
	origin = json_string_value(json_object_get(json_object_get(vec,
	    "expected"), "origin"));
	if (cp == NULL || origin == NULL || logkey_from_b64(
	    json_string_value(json_object_get(json_object_get(vec, "log"),
	    "key")), &sycamore) != CTD_OK ||
	    note_open_rfc6962(cp, strlen(cp), origin, sycamore, sth,
	    NULL) != CTD_OK ||
	    store_log_open(fx.store, logkey_id(sycamore), slog) != CTD_OK) {
		return false;
	}
	fx.log.sth = *sth;
	fx.log.slog = *slog;
	fx.log.origin_len = strlen(origin);
	memcpy(fx.log.origin, origin, fx.log.origin_len);
	return true;
}

/* n witnesses' cosignatures of the served head, held in the store. */
static bool
cp_cosign(struct note_vkey *keys, int n)
{
	char text[NOTE_CHECKPOINT_TEXT_MAX], lines[64 * NOTE_LINE_MAX];
	size_t tlen, at = 0, len;
	uint8_t seed[32];
	struct store_txn t;
	int rc = note_checkpoint_text(fx.log.origin, fx.log.origin_len,
	    fx.log.sth.tree_size, fx.log.sth.root, text, sizeof text, &tlen);

	for (int i = 0; rc == CTD_OK && i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "witness%d.example", i);
		memset(seed, i + 1, sizeof seed);
		rc = note_vkey_from_seed(name, strlen(name), NOTE_TYPE_COSIG_V1,
		    seed, &keys[i]);
		if (rc == CTD_OK) {
			rc = note_cosig_sign(&keys[i], seed, text, tlen,
			    1780000000u + (unsigned)i, lines + at,
			    sizeof lines - at, &len);
			at += len;
		}
	}
	if (rc != CTD_OK) {
		return false;
	}
	store_txn_begin(fx.store, &t);
	store_put_cosigs(&t, fx.log.slog, fx.log.sth.tree_size,
	    fx.log.sth.root, lines, at);
	return store_txn_commit(&t) == CTD_OK;
}

static void
test_checkpoint(void)
{
	const char *name = "checkpoint." ZONE_NAME;
	static char txt[OUT_CAP];
	struct store_log *slog0 = fx.log.slog, *slog;
	struct sth sth0 = fx.log.sth, sth, got;
	struct note_vkey keys[20];
	struct note n;
	uint64_t t;
	bool tc = false;

	if (!ok(cp_setup(&slog, &sth), "checkpoint fixture: the Sycamore "
	    "STH served")) {
		return;
	}
	const char *origin = json_string_value(json_object_get(
	    json_object_get(vec, "expected"), "origin"));
	struct got g = ask_cp(name, 16, 1232, false, txt, sizeof txt, &tc);
	is_int(g.rcode, NOERROR, "checkpoint: NOERROR");
	is_int(note_open_rfc6962(txt, strlen(txt), origin, sycamore, &got,
	    NULL), CTD_OK, "the answer opens with the log's key and origin");
	ok(got.tree_size == sth.tree_size && got.timestamp == sth.timestamp &&
	    memcmp(got.root, sth.root, 32) == 0, "to the served STH");
	ok(note_parse(txt, strlen(txt), &n) == CTD_OK && n.nsigs == 1,
	    "one signature line while no cosignature is held");

	ok(cp_cosign(keys, 3), "three cosignatures held");
	g = ask_cp(name, 16, 1232, false, txt, sizeof txt, &tc);
	ok(g.rcode == NOERROR && !tc && note_parse(txt, strlen(txt), &n) ==
	    CTD_OK && n.nsigs == 4, "the answer carries them");
	int valid = 0;
	for (int i = 0; i < 3; i++) {
		valid += note_cosig_verify(&n, &keys[i], &t) == CTD_OK &&
		    t == 1780000000u + (unsigned)i;
	}
	is_int(valid, 3, "each verifies with its witness key and time");
	is_int(note_open_rfc6962(txt, strlen(txt), origin, sycamore, &got,
	    NULL), CTD_OK, "and the log's line still opens");

	ok(cp_cosign(keys, 20), "twenty cosignatures held");
	g = ask_cp(name, 16, 1232, false, txt, sizeof txt, &tc);
	ok(g.rcode == NOERROR && tc && txt[0] == '\0',
	    "over UDP (EDNS 1232) the big answer is truncated, TC=1");
	g = ask_cp(name, 16, 0, false, txt, sizeof txt, &tc);
	ok(g.rcode == NOERROR && tc, "and without EDNS too");
	g = ask_cp(name, 16, 0, true, txt, sizeof txt, &tc);
	ok(g.rcode == NOERROR && !tc && strlen(txt) > 2000 &&
	    note_parse(txt, strlen(txt), &n) == CTD_OK && n.nsigs == 21,
	    "over TCP it is whole: %zu bytes, 21 lines", strlen(txt));
	valid = 0;
	for (int i = 0; i < 20; i++) {
		valid += note_cosig_verify(&n, &keys[i], NULL) == CTD_OK;
	}
	is_int(valid, 20, "every cosignature verifies");

	g = ask_cp(name, 1, 1232, false, txt, sizeof txt, &tc);
	ok(g.rcode == NOERROR && g.nscount == 1 && txt[0] == '\0',
	    "type A: NODATA with the SOA");
	g = ask_cp("x.checkpoint." ZONE_NAME, 16, 1232, false, txt, sizeof txt,
	    &tc);
	ok(g.rcode == NXDOMAIN && g.nscount == 1, "a name below: NXDOMAIN");
	fx.log.origin_len = 0;
	g = ask_cp(name, 16, 1232, false, txt, sizeof txt, &tc);
	is_int(g.rcode, SERVFAIL, "origin unknown: SERVFAIL");
	fx.log.origin_len = strlen(origin);
	fx.log.has_sth = false;
	g = ask_cp(name, 16, 1232, false, txt, sizeof txt, &tc);
	is_int(g.rcode, SERVFAIL, "no verified head: SERVFAIL");
	fx.log.has_sth = true;
	fx.log.sth.root[0] ^= 1;
	g = ask_cp(name, 16, 0, true, txt, sizeof txt, &tc);
	ok(g.rcode == NOERROR && note_parse(txt, strlen(txt), &n) == CTD_OK &&
	    n.nsigs == 1, "lines held for another root are not served");

	fx.log.slog = slog0;
	fx.log.sth = sth0;
	fx.log.origin_len = 0;
	logkey_free(sycamore);
	json_decref(vec);
}

/* ---- the proof cache ----------------------------------------------- */

/* Answer name; out and *len get the answer, the result how many more
 * cache hits and store hits were counted. */
static struct answer_result
ask_raw(const char *name, uint8_t *out, uint64_t *cache_hits,
    uint64_t *hits)
{
	uint8_t q[512];
	struct answer_result res;
	size_t len = make_query(name, 1, q, sizeof q);
	struct answer_stats before = fx.ax.stats;
	answer_query(&fx.ax, q, len, false, CTD_OK, 0, fx.out, sizeof fx.out,
	    &res);
	if (res.action == ANSWER_SEND) {
		memcpy(out, fx.out, res.len);
	}
	*cache_hits = fx.ax.stats.cache_hits - before.cache_hits;
	*hits = fx.ax.stats.hits - before.hits;
	return res;
}

/* Asked twice: first from the store, then the same bytes from the cache. */
static void
check_cached(const char *what, const char *name)
{
	static uint8_t first[OUT_CAP], again[OUT_CAP];
	uint64_t ch, h;
	struct answer_result r1 = ask_raw(name, first, &ch, &h);
	ok(r1.action == ANSWER_SEND && (first[3] & 0x0f) == NOERROR &&
	    h == 1 && ch == 0, "%s: answered from the store", what);
	struct answer_result r2 = ask_raw(name, again, &ch, &h);
	ok(r2.action == ANSWER_SEND && h == 1 && ch == 1,
	    "%s: asked again, answered from the cache", what);
	ok(r1.len == r2.len && memcmp(first, again, r1.len) == 0,
	    "%s: the same %zu bytes", what, r1.len);
}

static bool
cache_fill_store(void)
{
	struct store_txn t;
	uint8_t h[32], leaf[32];
	/* The audit path of leaf 1 in the tree of 8: [0,1) [2,4) [4,8). */
	static const uint64_t path[3][2] = { { 0, 1 }, { 2, 4 }, { 4, 8 } };
	store_txn_begin(fx.store, &t);
	for (size_t i = 0; i < 3; i++) {
		memset(h, (int)(0x10 + i), sizeof h);
		store_put_range(&t, fx.log.slog, path[i][0], path[i][1], h);
	}
	if (base32_decode_hash(B32_HASH, strlen(B32_HASH), leaf) != CTD_OK) {
		return false;
	}
	store_put_leaf(&t, fx.log.slog, leaf, 3);
	leaf[0] ^= 1;
	store_put_leaf(&t, fx.log.slog, leaf, TREE_SIZE + 2);
	return store_txn_commit(&t) == CTD_OK;
}

static void
test_cache(void)
{
	static uint8_t out[OUT_CAP];
	uint64_t ch, h;
	if (!ok(cache_fill_store(), "cache: proof nodes and leaves stored")) {
		return;
	}
	const char *tree = "0.1.8.tree." ZONE_NAME;
	check_cached("tree proof", tree);
	check_cached("leaf index", B32_HASH ".hash." ZONE_NAME);
	/* The second leaf is indexed at TREE_SIZE + 2: beyond the tree. */
	char beyond[128];
	uint8_t leaf[32];
	base32_decode_hash(B32_HASH, strlen(B32_HASH), leaf);
	leaf[0] ^= 1;
	base32_encode_hash(leaf, beyond);
	strcat(beyond, ".hash." ZONE_NAME);
	struct answer_result r1 = ask_raw(beyond, out, &ch, &h);
	struct answer_result r2 = ask_raw(beyond, out, &ch, &h);
	ok(r1.action == ANSWER_FILL && r2.action == ANSWER_FILL && ch == 0,
	    "an index beyond the served tree is a miss, never cached");

	struct apexes t;
	if (!ok(apexes_init(&t, 1) == CTD_OK &&
	    answer_apexes_build(&t, fx.logs, 1) == CTD_OK,
	    "a new set of logs")) {
		return;
	}
	answer_ctx_set_logs(&fx.ax, fx.logs, 1, &t);
	apexes_deinit(&t);
	check_cached("after switching the logs, tree proof", tree);
}

int
main(void)
{
	log_set_verbosity(0);
	test_table();
	if (!ok(setup(), "fixture: zone, store, tree head")) {
		return exit_status();
	}
	test_paths();
	test_checkpoint();
	test_cache();
	teardown();
	return done_testing();
}
