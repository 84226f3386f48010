/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctq.c -- every accepted and refused CT-over-DNS query name, and
 * which parsed names exist in logs of various tree sizes.
 *
 * Names are written here as dotted text (no escapes) and turned into the
 * wire form ctq_parse() takes; every accepted name is also tried in random
 * letter case, as a resolver using 0x20 would send it.
 */
#include "config.h"

#include <stdlib.h>

#include "../tap.h"
#include "ctq.h"
#include "err.h"
#include "merkle.h"

int main(void);

#define B32 "D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACA"
static const uint8_t b32_hash[32] = {
	0x1f, 0x25, 0xe1, 0xca, 0xba, 0x4f, 0xf9, 0xb8, 0x27, 0x24, 0x83,
	0x0f, 0xca, 0x60, 0xe4, 0xc2, 0xbe, 0xa8, 0xc3, 0xa9, 0x44, 0x1c,
	0x27, 0xb0, 0xb4, 0x3e, 0x6a, 0x96, 0x94, 0xc7, 0xb8, 0x04,
};

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Dotted text to wire labels (no root). Returns the length. */
static size_t
to_wire(const char *text, uint8_t *out)
{
	size_t n = 0;
	const char *p = text;

	if (*p == '\0') {
		return 0;
	}
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		out[n++] = (uint8_t)len;
		memcpy(out + n, p, len);
		n += len;
		if (dot == NULL) {
			break;
		}
		p = dot + 1;
	}
	return n;
}

/* Flip the case of letters at random, leaving length bytes alone. */
static void
random_case(uint8_t *w, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		size_t l = w[pos];
		for (size_t i = pos + 1; i <= pos + l && i < len; i++) {
			uint8_t c = w[i];
			bool alpha = (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z');
			if (alpha && (rng() & 1)) {
				w[i] = (uint8_t)(c ^ 0x20);
			}
		}
		pos += l + 1;
	}
}

/* Parse from an exact-size heap copy, so valgrind sees any over-read. */
static int
parse_exact(const uint8_t *w, size_t len, struct ctq *q)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		abort();
	}
	if (len > 0) {
		memcpy(copy, w, len);
	}
	int rc = ctq_parse(len ? copy : NULL, len, q);
	free(copy);
	return rc;
}

static int
parse_text(const char *text, struct ctq *q)
{
	uint8_t w[512];
	return parse_exact(w, to_wire(text, w), q);
}

/*
 * An accepted name: check kind, depth and numbers, then 16 random-case
 * versions parse to the identical struct.
 */
static void
accept(const char *text, enum ctq_kind kind, unsigned depth, uint64_t start,
    uint64_t index, uint64_t size, uint64_t first, uint64_t second)
{
	struct ctq q, q2;
	uint8_t w[512], w2[512];
	size_t len = to_wire(text, w);

	memset(&q, 0xa5, sizeof q);
	int rc = parse_exact(w, len, &q);
	bool good = rc == CTD_OK && q.kind == kind && q.depth == depth &&
	    q.start == start && q.index == index && q.size == size &&
	    q.first == first && q.second == second;
	if (kind != CTQ_HASH) {
		static const uint8_t zero[32];
		good = good && memcmp(q.hash, zero, 32) == 0;
	}
	ok(good, "accept \"%s\"", text);
	if (!good) {
		diag("rc %d kind %d depth %u start %" PRIu64 " index %" PRIu64
		    " size %" PRIu64 " first %" PRIu64 " second %" PRIu64,
		    rc, q.kind, q.depth, q.start, q.index, q.size, q.first,
		    q.second);
	}
	int bad = 0;
	for (int i = 0; i < 16; i++) {
		memcpy(w2, w, len);
		random_case(w2, len);
		memset(&q2, 0x5a, sizeof q2);
		if (parse_exact(w2, len, &q2) != CTD_OK ||
		    memcmp(&q, &q2, sizeof q) != 0) {
			bad++;
		}
	}
	is_int(bad, 0, "  ... and in 16 random-case versions");
}

/* A refused name, also in 4 random-case versions. */
static void
reject(const char *text)
{
	struct ctq q;
	uint8_t w[512];
	size_t len = to_wire(text, w);
	int bad = 0;

	for (int i = 0; i < 5; i++) {
		if (i > 0) {
			random_case(w, len);
		}
		memset(&q, 0xa5, sizeof q);
		if (parse_exact(w, len, &q) != CTD_ENOTFOUND) {
			bad++;
		}
	}
	/* Keep the TAP output ASCII: show other bytes as \xNN. */
	char shown[600];
	size_t o = 0;
	for (const char *c = text; *c != '\0' && o + 5 < sizeof shown; c++) {
		unsigned char u = (unsigned char)*c;
		if (u >= 0x20 && u < 0x7f) {
			shown[o++] = (char)u;
		} else {
			o += (size_t)snprintf(shown + o, sizeof shown - o,
			    "\\x%02x", u);
		}
	}
	shown[o] = '\0';
	ok(bad == 0, "reject \"%s\"", shown);
}

static void
reject_wire(const uint8_t *w, size_t len, const char *what)
{
	struct ctq q;
	is_int(parse_exact(w, len, &q), CTD_ENOTFOUND, "reject wire: %s", what);
}

static void
test_accept(void)
{
	accept("", CTQ_APEX, 0, 0, 0, 0, 0, 0);
	accept("sth", CTQ_STH, 0, 0, 0, 0, 0, 0);
	accept("checkpoint", CTQ_CHECKPOINT, 0, 0, 0, 0, 0, 0);
	accept("CheckPoint", CTQ_CHECKPOINT, 0, 0, 0, 0, 0, 0);
	reject("x.checkpoint");
	reject("1.checkpoint");
	reject("checkpoint.sth");
	reject("checkpoints");
	reject("checkpoin");
	accept("hash", CTQ_HASH_ENT, 0, 0, 0, 0, 0, 0);
	accept(B32 ".hash", CTQ_HASH, 1, 0, 0, 0, 0, 0);
	accept("tree", CTQ_TREE_ENT, 0, 0, 0, 0, 0, 0);
	accept("5.tree", CTQ_TREE_ENT, 1, 0, 0, 5, 0, 0);
	accept("3.5.tree", CTQ_TREE_ENT, 2, 0, 3, 5, 0, 0);
	accept("7.3.5.tree", CTQ_TREE, 3, 7, 3, 5, 0, 0);
	accept("0.0.0.tree", CTQ_TREE, 3, 0, 0, 0, 0, 0);
	accept("14.123456.999999.tree", CTQ_TREE, 3, 14, 123456, 999999, 0, 0);
	accept("sth-consistency", CTQ_CONSISTENCY_ENT, 0, 0, 0, 0, 0, 0);
	accept("9.sth-consistency", CTQ_CONSISTENCY_ENT, 1, 0, 0, 0, 0, 9);
	accept("4.9.sth-consistency", CTQ_CONSISTENCY_ENT, 2, 0, 0, 0, 4, 9);
	accept("2.4.9.sth-consistency", CTQ_CONSISTENCY, 3, 2, 0, 0, 4, 9);
	accept("18446744073709551615.18446744073709551615."
	    "18446744073709551615.tree", CTQ_TREE, 3, UINT64_MAX, UINT64_MAX,
	    UINT64_MAX, 0, 0);
	accept("18446744073709551615.18446744073709551615."
	    "18446744073709551615.sth-consistency", CTQ_CONSISTENCY, 3,
	    UINT64_MAX, 0, 0, UINT64_MAX, UINT64_MAX);
	accept("10000000000000000000.tree", CTQ_TREE_ENT, 1, 0, 0,
	    10000000000000000000ULL, 0, 0);
	accept("18446744073709551609.sth-consistency", CTQ_CONSISTENCY_ENT, 1,
	    0, 0, 0, 0, 18446744073709551609ULL);

	struct ctq q;
	memset(&q, 0, sizeof q);
	is_int(parse_text(B32 ".hash", &q), CTD_OK, "hash name parses");
	is_mem(q.hash, b32_hash, 32, "hash name carries the leaf hash");
	is_int(parse_text("d4s6dsv2j743qjzeqmh4uyheyk7krq5jiqocpmfuhzvjnfghxaca"
	    ".HASH", &q), CTD_OK, "lower-case hash, upper-case keyword");
	is_mem(q.hash, b32_hash, 32, "  ... carries the same hash");
	is_int(parse_exact(NULL, 0, &q), CTD_OK, "NULL rel with length 0");
	is_int(q.kind, CTQ_APEX, "  ... is the apex");
}

static void
test_numbers(void)
{
	/* Leading zeros, signs, junk, overflow, too many digits. */
	reject("00.tree");
	reject("01.tree");
	reject("007.1.2.tree");
	reject("0.05.tree");
	reject("0.1.02.tree");
	reject("00.1.2.sth-consistency");
	reject("01.2.sth-consistency");
	reject("-1.tree");
	reject("+1.tree");
	reject("-0.tree");
	reject("1-.tree");
	reject(" 1.tree");
	reject("1 .tree");
	reject("1a.tree");
	reject("0x10.tree");
	reject("1e3.tree");
	reject("1,000.tree");
	reject("18446744073709551616.tree");
	reject("18446744073709551616.2.sth-consistency");
	reject("0.0.18446744073709551616.tree");
	reject("18446744073709551620.tree");
	reject("99999999999999999999.tree");
	reject("100000000000000000000.tree");
	reject("000000000000000000001.tree");
	reject("00000000000000000000.tree");
	reject("184467440737095516150.tree");
}

static void
test_structure(void)
{
	/* Extra and misplaced labels. */
	reject("x.sth");
	reject("1.sth");
	reject("sth.sth");
	reject("sth.x");
	reject("1.2.3.4.tree");
	reject("x.1.2.3.tree");
	reject("1.2.3.4.sth-consistency");
	reject("1.hash");
	reject("x." B32 ".hash");
	reject(B32 "." B32 ".hash");
	reject(B32 ".hash.x");
	reject(B32);
	reject("tree.sth");
	reject("sth.tree");
	reject("hash.tree");
	reject("1.2.3");
	reject("1");
	reject("a.b.c.d.e.f");
	/* Wrong keywords. */
	reject("trees");
	reject("tre");
	reject("treee");
	reject("sth2");
	reject("st");
	reject("sth-");
	reject("hashes");
	reject("hash2");
	reject("sth-consistenc");
	reject("sth-consistencyy");
	reject("sth_consistency");
	reject("consistency");
	reject("1.2.3.consistency");
	reject("0.1.2.sth-consistency-proof");
	reject("x");
	reject("www");
	reject("1.2.3.tree\xc0");
	reject("s\xd4h");
}

static void
test_hash_labels(void)
{
	char name[200];

	/* Length: 51, 53, 56 padded, 48 + "====". */
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXAC.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACAA.hash");
	reject(B32 "====.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGH====.hash");
	/* Bad characters: digits outside 2-7, '=', '-'. */
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXAC1.hash");
	reject("04S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACA.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEY8K7KRQ5JIQOCPMFUHZVJNFGHXAC.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXAC=.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFG-HXAC.hash");
	/* Non-canonical trailing bits: the last 4 bits must be zero. */
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACB.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACP.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACR.hash");
	reject("D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXAC7.hash");
	/* The one other canonical last character: Q sets the last bit. */
	struct ctq q;
	snprintf(name, sizeof name, "%.51sQ.hash", B32);
	is_int(parse_text(name, &q), CTD_OK, "last character Q is canonical");
	ok(q.hash[31] == (b32_hash[31] | 1) &&
	    memcmp(q.hash, b32_hash, 31) == 0, "  ... and sets the last bit");
}

static void
test_wire_shape(void)
{
	/* An empty label in the middle or at the end. */
	reject_wire((const uint8_t *)"\x00\x04tree", 6, "leading empty label");
	reject_wire((const uint8_t *)"\x01" "1\x00\x04tree", 8,
	    "empty label inside");
	reject_wire((const uint8_t *)"\x03sth\x00", 5, "trailing root label");
	/* Label lengths overrunning rel_len. */
	reject_wire((const uint8_t *)"\x04sth", 4, "label overruns by one");
	reject_wire((const uint8_t *)"\x03sth", 3, "rel_len cuts the label");
	reject_wire((const uint8_t *)"\x03", 1, "length byte only");
	reject_wire((const uint8_t *)"\xff" "sth", 4, "length 255");
	reject_wire((const uint8_t *)"\xc0\x0c", 2, "compression pointer");
	/* A 64-byte label, even when rel_len covers it. */
	uint8_t w[70];
	w[0] = 64;
	memset(w + 1, '1', 64);
	reject_wire(w, 65, "label of 64 bytes");
	/* 63 is allowed by the wire but is no form. */
	w[0] = 63;
	reject_wire(w, 64, "label of 63 digits");
	/* A valid name with rel_len one short or one long. */
	uint8_t s[8] = { 3, 's', 't', 'h', 0x03, 'x', 'y', 'z' };
	reject_wire(s, 3, "sth cut short");
	reject_wire(s, 5, "sth plus a stray byte");
}

/* Parse text that must parse, then ask ctq_exists. */
static bool
exists(const char *text, uint64_t tree_size)
{
	struct ctq q;
	if (parse_text(text, &q) != CTD_OK) {
		diag("\"%s\" did not parse", text);
		return false;
	}
	return ctq_exists(&q, tree_size);
}

#define EXISTS(text, ts) ok(exists(text, ts), "exists \"%s\" in %" PRIu64, \
	text, (uint64_t)(ts))
#define ABSENT(text, ts) ok(!exists(text, ts), "absent \"%s\" in %" PRIu64, \
	text, (uint64_t)(ts))

static void
test_exists_small(void)
{
	/* Tree size 0: only the apex, sth and hash names. */
	EXISTS("", 0);
	EXISTS("sth", 0);
	EXISTS("checkpoint", 0);
	EXISTS(B32 ".hash", 0);
	ABSENT("hash", 0);
	ABSENT("tree", 0);
	ABSENT("sth-consistency", 0);
	ABSENT("0.tree", 0);
	ABSENT("0.0.0.tree", 0);
	/* Tree size 1: a leaf exists but no proof does. */
	EXISTS("hash", 1);
	ABSENT("tree", 1);
	ABSENT("1.tree", 1);
	ABSENT("0.1.tree", 1);
	ABSENT("0.0.1.tree", 1);
	ABSENT("sth-consistency", 1);
	ABSENT("1.sth-consistency", 1);
	/* Tree size 2: the smallest proofs. */
	EXISTS("tree", 2);
	EXISTS("2.tree", 2);
	ABSENT("1.tree", 2);
	ABSENT("0.tree", 2);
	ABSENT("3.tree", 2);
	EXISTS("0.2.tree", 2);
	EXISTS("1.2.tree", 2);
	ABSENT("2.2.tree", 2);
	ABSENT("0.1.tree", 2);
	EXISTS("0.0.2.tree", 2);
	EXISTS("0.1.2.tree", 2);
	ABSENT("1.0.2.tree", 2);
	ABSENT("1.1.2.tree", 2);
	ABSENT("0.2.2.tree", 2);
	ABSENT("0.0.3.tree", 2);
	EXISTS("sth-consistency", 2);
	EXISTS("2.sth-consistency", 2);
	ABSENT("1.sth-consistency", 2);
	ABSENT("0.sth-consistency", 2);
	ABSENT("3.sth-consistency", 2);
	EXISTS("1.2.sth-consistency", 2);
	ABSENT("0.2.sth-consistency", 2);
	ABSENT("2.2.sth-consistency", 2);
	ABSENT("3.2.sth-consistency", 2);
	ABSENT("1.3.sth-consistency", 2);
	EXISTS("0.1.2.sth-consistency", 2);
	ABSENT("1.1.2.sth-consistency", 2);
	ABSENT("0.0.2.sth-consistency", 2);
}

static void
test_exists_large(void)
{
	/* The protocol notes' vectors: path 20, consistency 15. */
	is_int(merkle_path_len(123456, 999999), 20, "path length vector");
	is_int(merkle_consistency_len(432, 254352), 15,
	    "consistency length vector");
	EXISTS("0.123456.999999.tree", 999999);
	EXISTS("14.123456.999999.tree", 999999);
	EXISTS("19.123456.999999.tree", 999999);
	ABSENT("20.123456.999999.tree", 999999);
	ABSENT("18446744073709551615.123456.999999.tree", 999999);
	EXISTS("0.999998.999999.tree", 999999);
	ABSENT("0.999999.999999.tree", 999999);
	ABSENT("0.1000000.999999.tree", 999999);
	EXISTS("999998.999999.tree", 999999);
	ABSENT("999999.999999.tree", 999999);
	EXISTS("999999.tree", 999999);
	ABSENT("1000000.tree", 999999);
	EXISTS("0.123456.999999.tree", 1000000);
	ABSENT("0.123456.1000000.tree", 999999);
	EXISTS("14.432.254352.sth-consistency", 254352);
	ABSENT("15.432.254352.sth-consistency", 254352);
	ABSENT("14.432.254352.sth-consistency", 254351);
	EXISTS("432.254352.sth-consistency", 254352);
	ABSENT("432.254352.sth-consistency", 254351);
	ABSENT("0.254352.sth-consistency", 254352);
	ABSENT("254352.254352.sth-consistency", 254352);
	ABSENT("254353.254352.sth-consistency", 254352);
	EXISTS("254352.sth-consistency", 254352);
	ABSENT("254353.sth-consistency", 254352);
	ABSENT("0.0.254352.sth-consistency", 254352);
	/* A power-of-two first size: the proof omits the first root. */
	size_t l = merkle_consistency_len(4, 8);
	is_int(l, 1, "consistency 4 -> 8 has one node");
	EXISTS("0.4.8.sth-consistency", 8);
	ABSENT("1.4.8.sth-consistency", 8);
	/* The largest tree sizes. */
	EXISTS("18446744073709551615.tree", UINT64_MAX);
	EXISTS("18446744073709551614.18446744073709551615.tree", UINT64_MAX);
	ABSENT("18446744073709551615.18446744073709551615.tree", UINT64_MAX);
	EXISTS("63.0.18446744073709551615.tree", UINT64_MAX);
	ABSENT("64.0.18446744073709551615.tree", UINT64_MAX);
	ABSENT("18446744073709551615.tree", UINT64_MAX - 1);
	EXISTS("1.18446744073709551615.sth-consistency", UINT64_MAX);
	/* Hash names exist whatever the size; the store decides later. */
	EXISTS(B32 ".hash", UINT64_MAX);
	EXISTS("hash", UINT64_MAX);
}

int
main(void)
{
	test_accept();
	test_numbers();
	test_structure();
	test_hash_labels();
	test_wire_shape();
	test_exists_small();
	test_exists_large();
	return exit_status();
}
