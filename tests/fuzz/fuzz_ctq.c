/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ctq.c -- fuzz target: the CT-over-DNS query-name grammar.
 *
 * Input: 8 bytes of tree size (big-endian; missing bytes are 0), then the
 * labels below the zone apex in DNS wire form, as ctq_parse() takes them.
 *
 * Properties: ctq_parse() accepts or returns CTD_ENOTFOUND with an all-zero
 * result; an accepted name is canonical, so writing the parsed fields back
 * out gives the input again (case aside); ctq_exists() agrees with an
 * independent statement of the rules in terms of merkle_path_len() and
 * merkle_consistency_len() for the input's tree size and its neighbours,
 * and never turns false as the tree grows.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base32.h"
#include "ctq.h"
#include "err.h"
#include "fuzz.h"
#include "merkle.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

struct name {
	uint8_t wire[512];
	size_t len;
};

static void
put_label(struct name *n, const char *text)
{
	size_t len = strlen(text);
	FUZZ_CHECK(len <= 63 && n->len + 1 + len <= sizeof n->wire);
	n->wire[n->len++] = (uint8_t)len;
	memcpy(n->wire + n->len, text, len);
	n->len += len;
}

static void
put_number(struct name *n, uint64_t v)
{
	char text[24];
	snprintf(text, sizeof text, "%" PRIu64, v);
	put_label(n, text);
}

/* The name a parsed query stands for, in its canonical lower-case form. */
static void
render(const struct ctq *q, struct name *n)
{
	char b32[BASE32_HASH_LEN + 1];
	n->len = 0;
	switch (q->kind) {
	case CTQ_APEX:
		return;
	case CTQ_STH:
		put_label(n, "sth");
		return;
	case CTQ_HASH:
		base32_encode_hash(q->hash, b32);
		put_label(n, b32);
		/* FALLTHROUGH */
	case CTQ_HASH_ENT:
		put_label(n, "hash");
		return;
	case CTQ_TREE:
	case CTQ_TREE_ENT:
		if (q->depth >= 3) {
			put_number(n, q->start);
		}
		if (q->depth >= 2) {
			put_number(n, q->index);
		}
		if (q->depth >= 1) {
			put_number(n, q->size);
		}
		put_label(n, "tree");
		return;
	case CTQ_CONSISTENCY:
	case CTQ_CONSISTENCY_ENT:
		if (q->depth >= 3) {
			put_number(n, q->start);
		}
		if (q->depth >= 2) {
			put_number(n, q->first);
		}
		if (q->depth >= 1) {
			put_number(n, q->second);
		}
		put_label(n, "sth-consistency");
		return;
	}
	FUZZ_CHECK(!"unknown kind");
}

/* The rules of ctq.h, restated without looking at ctq.c. */
static bool
oracle_exists(const struct ctq *q, uint64_t t)
{
	switch (q->kind) {
	case CTQ_APEX:
	case CTQ_STH:
	case CTQ_HASH:
		return true;
	case CTQ_HASH_ENT:
		return t >= 1;
	case CTQ_TREE:
		return q->index < q->size && q->size <= t &&
		    q->start < merkle_path_len(q->index, q->size);
	case CTQ_TREE_ENT:
		if (q->depth == 0) {
			return t >= 2;
		}
		if (q->depth == 1) {
			return q->size >= 2 && q->size <= t;
		}
		return q->size <= t && merkle_path_len(q->index, q->size) > 0;
	case CTQ_CONSISTENCY:
		return q->first > 0 && q->first < q->second &&
		    q->second <= t &&
		    q->start < merkle_consistency_len(q->first, q->second);
	case CTQ_CONSISTENCY_ENT:
		if (q->depth == 0) {
			return t >= 2;
		}
		if (q->depth == 1) {
			return q->second >= 2 && q->second <= t;
		}
		return q->second <= t &&
		    merkle_consistency_len(q->first, q->second) > 0;
	}
	return false;
}

static void
check_exists(const struct ctq *q, uint64_t t)
{
	bool e = ctq_exists(q, t);
	FUZZ_CHECK(e == oracle_exists(q, t));
	if (e && t < UINT64_MAX) {
		FUZZ_CHECK(ctq_exists(q, t + 1));
		FUZZ_CHECK(ctq_exists(q, UINT64_MAX));
	}
	if (!e && t > 0) {
		FUZZ_CHECK(!ctq_exists(q, t - 1));
		FUZZ_CHECK(!ctq_exists(q, 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t tree_size = 0;
	size_t head = size < 8 ? size : 8;
	for (size_t i = 0; i < 8; i++) {
		tree_size = tree_size << 8 | (i < head ? data[i] : 0);
	}
	const uint8_t *rel = data + head;
	size_t rel_len = size - head;

	/* An exact-size copy: a read past rel_len is an ASan error. */
	uint8_t *copy = malloc(rel_len > 0 ? rel_len : 1);
	FUZZ_CHECK(copy != NULL);
	if (rel_len > 0) {
		memcpy(copy, rel, rel_len);
	}
	struct ctq q;
	memset(&q, 0xa5, sizeof q);
	int rc = ctq_parse(copy, rel_len, &q);
	if (rc != CTD_OK) {
		static const uint8_t zero[32];
		FUZZ_CHECK(rc == CTD_ENOTFOUND);
		FUZZ_CHECK(q.kind == CTQ_APEX && q.depth == 0 &&
		    q.start == 0 && q.index == 0 && q.size == 0 &&
		    q.first == 0 && q.second == 0 &&
		    memcmp(q.hash, zero, sizeof zero) == 0);
		free(copy);
		return 0;
	}

	/* Canonical: the parsed fields give back the input. */
	struct name n;
	render(&q, &n);
	FUZZ_CHECK(n.len == rel_len);
	for (size_t i = 0; i < rel_len; i++) {
		uint8_t a = copy[i], b = n.wire[i];
		if (a >= 'A' && a <= 'Z') {
			a = (uint8_t)(a + 'a' - 'A');
		}
		if (b >= 'A' && b <= 'Z') {
			b = (uint8_t)(b + 'a' - 'A');
		}
		FUZZ_CHECK(a == b);
	}
	FUZZ_CHECK(q.depth <= 3);
	FUZZ_CHECK((q.kind == CTQ_TREE || q.kind == CTQ_CONSISTENCY) ==
	    (q.depth == 3));

	/* Existence: the input's tree size, its neighbours and the sizes
	 * the name itself mentions (where the answers change). */
	check_exists(&q, tree_size);
	check_exists(&q, 0);
	check_exists(&q, UINT64_MAX);
	const uint64_t marks[] = { q.size, q.second, q.index, q.first };
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		check_exists(&q, marks[i]);
		if (marks[i] > 0) {
			check_exists(&q, marks[i] - 1);
		}
	}
	free(copy);
	return 0;
}
