/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_merkle.c -- Merkle proof shapes and verification against a naive
 * RFC 6962 reference and against real CT vectors.
 *
 * Part 1 compares src/merkle.c with a recursive reference written straight
 * from RFC 6962 (MTH, PATH, PROOF/SUBPROOF), for every tree size 1..70, every
 * leaf index and every first < second, and mutates each accepted proof.
 * Part 2 checks the draft's lengths and range invariants at 64-bit sizes.
 * Part 3 replays the .txt files of tests/data/merkle (convert.py made them
 * from the shared JSON vectors): the 8-leaf reference tree, the 196
 * transparency-dev probes and recorded production proofs (Icarus, Pilot,
 * Argon2027h1).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "err.h"
#include "merkle.h"
#include "../tap.h"

#define HL MERKLE_HASH_LEN
#define MAXN 70
/* Sizes up to this get every bit of every node flipped; larger, 32 bits. */
#define FLIP_ALL_MAXN 16
/* Room for a consistency proof plus extra nodes for "extended" probes. */
#define PROOF_ROOM (MERKLE_MAX_CONSISTENCY + 4)
#define MAX_DIAG 5

int main(void);

/* ---- the naive reference, as RFC 6962 section 2.1 writes it ---------- */

static void
ref_leaf(const uint8_t *data, size_t len, uint8_t out[HL])
{
	uint8_t buf[1 + 64];

	buf[0] = 0x00;
	memcpy(buf + 1, data, len);
	SHA256(buf, 1 + len, out);
}

static void
ref_node(const uint8_t *left, const uint8_t *right, uint8_t out[HL])
{
	uint8_t buf[1 + 2 * HL];

	buf[0] = 0x01;
	memcpy(buf + 1, left, HL);
	memcpy(buf + 1 + HL, right, HL);
	SHA256(buf, sizeof buf, out);
}

/* The largest power of two smaller than n, n >= 2 (RFC: k < n <= 2k). */
static uint64_t
ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k) {
		k *= 2;
	}
	return k;
}

/* MTH(D[lo:hi]) over leaf hashes d, hi > lo. */
static void
ref_mth(const uint8_t (*d)[HL], uint64_t lo, uint64_t hi, uint8_t out[HL])
{
	if (hi - lo == 1) {
		memcpy(out, d[lo], HL);
		return;
	}
	uint64_t k = ref_split(hi - lo);
	uint8_t l[HL], r[HL];

	ref_mth(d, lo, lo + k, l);
	ref_mth(d, lo + k, hi, r);
	ref_node(l, r, out);
}

struct ref_proof {
	size_t count;
	struct merkle_range range[PROOF_ROOM];
	uint8_t node[PROOF_ROOM][HL];
};

/* Append MTH(D[lo:hi]) and its range. */
static void
ref_add(struct ref_proof *p, const uint8_t (*d)[HL], uint64_t lo,
    uint64_t hi)
{
	p->range[p->count].begin = lo;
	p->range[p->count].end = hi;
	ref_mth(d, lo, hi, p->node[p->count]);
	p->count++;
}

/* PATH(m, D[lo:lo+n]) = PATH(m, D[0:k]) : MTH(D[k:n]) or
 * PATH(m - k, D[k:n]) : MTH(D[0:k]). */
static void
ref_path(struct ref_proof *p, const uint8_t (*d)[HL], uint64_t m,
    uint64_t lo, uint64_t n)
{
	if (n <= 1) {
		return;
	}
	uint64_t k = ref_split(n);
	if (m < k) {
		ref_path(p, d, m, lo, k);
		ref_add(p, d, lo + k, lo + n);
	} else {
		ref_path(p, d, m - k, lo + k, n - k);
		ref_add(p, d, lo, lo + k);
	}
}

/* SUBPROOF(m, D[lo:lo+n], b); PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
static void
ref_subproof(struct ref_proof *p, const uint8_t (*d)[HL], uint64_t m,
    uint64_t lo, uint64_t n, bool b)
{
	if (m == n) {
		if (!b) {
			ref_add(p, d, lo, lo + n);
		}
		return;
	}
	uint64_t k = ref_split(n);
	if (m <= k) {
		ref_subproof(p, d, m, lo, k, b);
		ref_add(p, d, lo + k, lo + n);
	} else {
		ref_subproof(p, d, m - k, lo + k, n - k, false);
		ref_add(p, d, lo, lo + k);
	}
}

/* ---- shape invariants, usable at any size ------------------------------ */

/* A node of an RFC 6962 tree of size leaves: complete and aligned, or the
 * right edge. */
static bool
is_tree_node(struct merkle_range r, uint64_t size)
{
	if (!(r.begin < r.end && r.end <= size)) {
		return false;
	}
	uint64_t len = r.end - r.begin;
	return r.end == size || (merkle_is_pow2(len) && r.begin % len == 0);
}

/* Each node is adjacent to what the leaf and the nodes before it cover, so
 * together they partition [0, size) minus the leaf, nearest first. */
static bool
path_shape_ok(uint64_t index, uint64_t size, const struct merkle_range *r,
    size_t count)
{
	uint64_t lo = index, hi = index + 1;

	for (size_t i = 0; i < count; i++) {
		if (!is_tree_node(r[i], size)) {
			return false;
		}
		if (r[i].end == lo) {
			lo = r[i].begin;
		} else if (r[i].begin == hi) {
			hi = r[i].end;
		} else {
			return false;
		}
	}
	return lo == 0 && hi == size;
}

/* Starting from the old tree's last subtree [x, first) (the implicit
 * [0, first) when first is a power of two), each node extends the covered
 * interval until it is [0, second). */
static bool
consistency_shape_ok(uint64_t first, uint64_t second,
    const struct merkle_range *r, size_t count)
{
	uint64_t lo = 0, hi = first;
	size_t i = 0;

	if (!merkle_is_pow2(first)) {
		if (count == 0 || !is_tree_node(r[0], second) ||
		    r[0].end != first) {
			return false;
		}
		lo = r[0].begin;
		i = 1;
	}
	for (; i < count; i++) {
		if (!is_tree_node(r[i], second)) {
			return false;
		}
		if (r[i].end == lo) {
			lo = r[i].begin;
		} else if (r[i].begin == hi) {
			hi = r[i].end;
		} else {
			return false;
		}
	}
	return lo == 0 && hi == second;
}

/* ---- part 1: exhaustive comparison with the reference ------------------ */

static uint8_t leaves[MAXN][HL];
static uint8_t roots[MAXN + 1][HL];

struct tally {
	size_t checks;
	size_t bad;
};

static void
expect(struct tally *t, bool pass, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
expect(struct tally *t, bool pass, const char *fmt, ...)
{
	t->checks++;
	if (pass) {
		return;
	}
	if (t->bad++ < MAX_DIAG) {
		va_list ap;
		va_start(ap, fmt);
		printf("# ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

static bool
flip_this(uint64_t n, size_t node, size_t bit)
{
	return n <= FLIP_ALL_MAXN || bit % 8 == (bit / 8 + node) % 8;
}

/* Expected code for a proof of count nodes checked as (index, size). */
static int
incl_code(uint64_t index, uint64_t size, size_t count)
{
	if (index >= size || count != merkle_path_len(index, size)) {
		return CTD_EMALF;
	}
	return CTD_EVERIFY;
}

static int
cons_code(uint64_t first, uint64_t second, size_t count)
{
	if (first == 0 || first > second) {
		return CTD_EMALF;
	}
	if (first == second) {
		return count == 0 ? CTD_EVERIFY : CTD_EMALF;
	}
	return count == merkle_consistency_len(first, second) ?
	    CTD_EVERIFY : CTD_EMALF;
}

static void
inclusion_one(uint64_t m, uint64_t n, struct tally *shape, struct tally *acc,
    struct tally *rej)
{
	struct ref_proof ref = { 0 };
	struct merkle_range got[MERKLE_MAX_PATH + 1];
	uint8_t proof[PROOF_ROOM * HL];
	uint8_t out[HL], bad[HL];
	int rc;

	ref_path(&ref, (const uint8_t (*)[HL])leaves, m, 0, n);
	memset(got, 0xa5, sizeof got);
	size_t cnt = merkle_path_ranges(m, n, got);

	/* Shapes. */
	expect(shape, cnt == ref.count, "path(%" PRIu64 ",%" PRIu64
	    "): %zu ranges, reference %zu", m, n, cnt, ref.count);
	expect(shape, merkle_path_len(m, n) == ref.count, "path_len(%" PRIu64
	    ",%" PRIu64 ") = %zu, reference %zu", m, n,
	    merkle_path_len(m, n), ref.count);
	expect(shape, got[MERKLE_MAX_PATH].begin == 0xa5a5a5a5a5a5a5a5u,
	    "path(%" PRIu64 ",%" PRIu64 ") wrote past its room", m, n);
	if (cnt != ref.count) {
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		expect(shape, got[i].begin == ref.range[i].begin &&
		    got[i].end == ref.range[i].end, "path(%" PRIu64 ",%" PRIu64
		    ") node %zu: [%" PRIu64 ",%" PRIu64 "), reference [%"
		    PRIu64 ",%" PRIu64 ")", m, n, i, got[i].begin, got[i].end,
		    ref.range[i].begin, ref.range[i].end);
		ref_mth((const uint8_t (*)[HL])leaves, got[i].begin,
		    got[i].end, out);
		expect(shape, memcmp(out, ref.node[i], HL) == 0,
		    "path(%" PRIu64 ",%" PRIu64 ") node %zu: MTH differs", m, n,
		    i);
	}
	expect(shape, path_shape_ok(m, n, got, cnt), "path(%" PRIu64 ",%"
	    PRIu64 "): ranges do not partition the tree", m, n);

	/* Acceptance. */
	memcpy(proof, ref.node, cnt * HL);
	rc = merkle_path_root(m, n, leaves[m], proof, cnt, out);
	expect(acc, rc == CTD_OK && memcmp(out, roots[n], HL) == 0,
	    "path_root(%" PRIu64 ",%" PRIu64 "): rc %d", m, n, rc);
	rc = merkle_verify_inclusion(m, n, leaves[m], proof, cnt, roots[n]);
	expect(acc, rc == CTD_OK, "verify_inclusion(%" PRIu64 ",%" PRIu64
	    "): rc %d", m, n, rc);

	/* Each flipped bit of each node, of the leaf hash, of the root. */
	for (size_t j = 0; j < cnt; j++) {
		for (size_t bit = 0; bit < 8 * HL; bit++) {
			if (!flip_this(n, j, bit)) {
				continue;
			}
			proof[j * HL + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = merkle_verify_inclusion(m, n, leaves[m], proof,
			    cnt, roots[n]);
			proof[j * HL + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			expect(rej, rc == CTD_EVERIFY, "inclusion(%" PRIu64
			    ",%" PRIu64 ") node %zu bit %zu flipped: rc %d", m,
			    n, j, bit, rc);
		}
	}
	for (size_t bit = 0; bit < 8 * HL; bit++) {
		if (!flip_this(n, 0, bit)) {
			continue;
		}
		memcpy(bad, leaves[m], HL);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = merkle_verify_inclusion(m, n, bad, proof, cnt, roots[n]);
		expect(rej, rc == CTD_EVERIFY, "inclusion(%" PRIu64 ",%"
		    PRIu64 ") leaf bit %zu: rc %d", m, n, bit, rc);
		memcpy(bad, roots[n], HL);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = merkle_verify_inclusion(m, n, leaves[m], proof, cnt, bad);
		expect(rej, rc == CTD_EVERIFY, "inclusion(%" PRIu64 ",%"
		    PRIu64 ") root bit %zu: rc %d", m, n, bit, rc);
	}

	/* Every other index of the same tree, and indices out of range. */
	for (uint64_t w = 0; w <= n; w++) {
		if (w == m) {
			continue;
		}
		rc = merkle_verify_inclusion(w, n, leaves[m], proof, cnt,
		    roots[n]);
		expect(rej, rc == incl_code(w, n, cnt), "inclusion(%" PRIu64
		    ",%" PRIu64 ") as index %" PRIu64 ": rc %d", m, n, w, rc);
	}
	rc = merkle_verify_inclusion(UINT64_MAX, n, leaves[m], proof, cnt,
	    roots[n]);
	expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
	    ") as index 2^64-1: rc %d", m, n, rc);

	/* Every other tree size, against that size's own root. */
	for (uint64_t s = 1; s <= MAXN; s++) {
		if (s == n) {
			continue;
		}
		rc = merkle_verify_inclusion(m, s, leaves[m], proof, cnt,
		    roots[s]);
		expect(rej, rc == incl_code(m, s, cnt), "inclusion(%" PRIu64
		    ",%" PRIu64 ") as size %" PRIu64 ": rc %d", m, n, s, rc);
	}
	rc = merkle_verify_inclusion(m, 0, leaves[m], proof, cnt, roots[n]);
	expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
	    ") as size 0: rc %d", m, n, rc);
	rc = merkle_verify_inclusion(m, UINT64_MAX, leaves[m], proof, cnt,
	    roots[n]);
	expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
	    ") as size 2^64-1: rc %d", m, n, rc);

	/* Truncated at either end, extended at either end. */
	if (cnt > 0) {
		rc = merkle_verify_inclusion(m, n, leaves[m], proof, cnt - 1,
		    roots[n]);
		expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
		    ") without its last node: rc %d", m, n, rc);
		rc = merkle_verify_inclusion(m, n, leaves[m], proof + HL,
		    cnt - 1, roots[n]);
		expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
		    ") without its first node: rc %d", m, n, rc);
	}
	memcpy(proof + cnt * HL, roots[n], HL);
	rc = merkle_verify_inclusion(m, n, leaves[m], proof, cnt + 1,
	    roots[n]);
	expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
	    ") with the root appended: rc %d", m, n, rc);
	memmove(proof + HL, proof, cnt * HL);
	memcpy(proof, leaves[m], HL);
	rc = merkle_verify_inclusion(m, n, leaves[m], proof, cnt + 1,
	    roots[n]);
	expect(rej, rc == CTD_EMALF, "inclusion(%" PRIu64 ",%" PRIu64
	    ") with the leaf prepended: rc %d", m, n, rc);
}

static void
consistency_one(uint64_t m, uint64_t n, struct tally *shape,
    struct tally *acc, struct tally *rej)
{
	struct ref_proof ref = { 0 };
	struct merkle_range got[MERKLE_MAX_CONSISTENCY + 1];
	uint8_t proof[PROOF_ROOM * HL];
	uint8_t fr[HL], sr[HL], bad[HL];
	int rc;

	ref_subproof(&ref, (const uint8_t (*)[HL])leaves, m, 0, n, true);
	memset(got, 0xa5, sizeof got);
	size_t cnt = merkle_consistency_ranges(m, n, got);

	expect(shape, cnt == ref.count, "consistency(%" PRIu64 ",%" PRIu64
	    "): %zu ranges, reference %zu", m, n, cnt, ref.count);
	expect(shape, merkle_consistency_len(m, n) == ref.count,
	    "consistency_len(%" PRIu64 ",%" PRIu64 ") = %zu, reference %zu",
	    m, n, merkle_consistency_len(m, n), ref.count);
	expect(shape, got[MERKLE_MAX_CONSISTENCY].begin == 0xa5a5a5a5a5a5a5a5u,
	    "consistency(%" PRIu64 ",%" PRIu64 ") wrote past its room", m, n);
	if (cnt != ref.count) {
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		expect(shape, got[i].begin == ref.range[i].begin &&
		    got[i].end == ref.range[i].end, "consistency(%" PRIu64
		    ",%" PRIu64 ") node %zu: [%" PRIu64 ",%" PRIu64
		    "), reference [%" PRIu64 ",%" PRIu64 ")", m, n, i,
		    got[i].begin, got[i].end, ref.range[i].begin,
		    ref.range[i].end);
		ref_mth((const uint8_t (*)[HL])leaves, got[i].begin,
		    got[i].end, fr);
		expect(shape, memcmp(fr, ref.node[i], HL) == 0,
		    "consistency(%" PRIu64 ",%" PRIu64 ") node %zu: MTH "
		    "differs", m, n, i);
	}
	expect(shape, consistency_shape_ok(m, n, got, cnt), "consistency(%"
	    PRIu64 ",%" PRIu64 "): ranges do not build the new tree", m, n);

	/* Acceptance: both roots, with and without the first root given. */
	memcpy(proof, ref.node, cnt * HL);
	rc = merkle_consistency_roots(m, n, roots[m], proof, cnt, fr, sr);
	expect(acc, rc == CTD_OK && memcmp(fr, roots[m], HL) == 0 &&
	    memcmp(sr, roots[n], HL) == 0, "consistency_roots(%" PRIu64 ",%"
	    PRIu64 "): rc %d", m, n, rc);
	rc = merkle_consistency_roots(m, n, NULL, proof, cnt, fr, sr);
	if (merkle_is_pow2(m)) {
		expect(acc, rc == CTD_EMALF, "consistency_roots(%" PRIu64 ",%"
		    PRIu64 ") without the first root: rc %d", m, n, rc);
	} else {
		expect(acc, rc == CTD_OK && memcmp(fr, roots[m], HL) == 0 &&
		    memcmp(sr, roots[n], HL) == 0, "consistency_roots(%"
		    PRIu64 ",%" PRIu64 ") without the first root: rc %d", m,
		    n, rc);
	}
	rc = merkle_verify_consistency(m, n, roots[m], roots[n], proof, cnt);
	expect(acc, rc == CTD_OK, "verify_consistency(%" PRIu64 ",%" PRIu64
	    "): rc %d", m, n, rc);

	/* Flipped bits in the nodes and in either root; swapped roots. */
	for (size_t j = 0; j < cnt; j++) {
		for (size_t bit = 0; bit < 8 * HL; bit++) {
			if (!flip_this(n, j, bit)) {
				continue;
			}
			proof[j * HL + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = merkle_verify_consistency(m, n, roots[m],
			    roots[n], proof, cnt);
			proof[j * HL + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			expect(rej, rc == CTD_EVERIFY, "consistency(%" PRIu64
			    ",%" PRIu64 ") node %zu bit %zu flipped: rc %d", m,
			    n, j, bit, rc);
		}
	}
	for (size_t bit = 0; bit < 8 * HL; bit++) {
		if (!flip_this(n, 0, bit)) {
			continue;
		}
		memcpy(bad, roots[m], HL);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = merkle_verify_consistency(m, n, bad, roots[n], proof, cnt);
		expect(rej, rc == CTD_EVERIFY, "consistency(%" PRIu64 ",%"
		    PRIu64 ") first root bit %zu: rc %d", m, n, bit, rc);
		memcpy(bad, roots[n], HL);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = merkle_verify_consistency(m, n, roots[m], bad, proof, cnt);
		expect(rej, rc == CTD_EVERIFY, "consistency(%" PRIu64 ",%"
		    PRIu64 ") second root bit %zu: rc %d", m, n, bit, rc);
	}
	rc = merkle_verify_consistency(m, n, roots[n], roots[m], proof, cnt);
	expect(rej, rc == CTD_EVERIFY, "consistency(%" PRIu64 ",%" PRIu64
	    ") with swapped roots: rc %d", m, n, rc);

	/* Every other first size and second size, with their own roots. */
	for (uint64_t s = 0; s <= MAXN; s++) {
		if (s != m) {
			rc = merkle_verify_consistency(s, n, roots[s], roots[n],
			    proof, cnt);
			expect(rej, rc == cons_code(s, n, cnt), "consistency(%"
			    PRIu64 ",%" PRIu64 ") as first %" PRIu64 ": rc %d",
			    m, n, s, rc);
		}
		if (s != n) {
			rc = merkle_verify_consistency(m, s, roots[m], roots[s],
			    proof, cnt);
			expect(rej, rc == cons_code(m, s, cnt), "consistency(%"
			    PRIu64 ",%" PRIu64 ") as second %" PRIu64
			    ": rc %d", m, n, s, rc);
		}
	}
	rc = merkle_verify_consistency(m, UINT64_MAX, roots[m], roots[n],
	    proof, cnt);
	expect(rej, rc == CTD_EMALF, "consistency(%" PRIu64 ",%" PRIu64
	    ") as second 2^64-1: rc %d", m, n, rc);

	/* Truncated and extended. */
	rc = merkle_verify_consistency(m, n, roots[m], roots[n], proof,
	    cnt - 1);
	expect(rej, rc == CTD_EMALF, "consistency(%" PRIu64 ",%" PRIu64
	    ") without its last node: rc %d", m, n, rc);
	rc = merkle_verify_consistency(m, n, roots[m], roots[n], proof + HL,
	    cnt - 1);
	expect(rej, rc == CTD_EMALF, "consistency(%" PRIu64 ",%" PRIu64
	    ") without its first node: rc %d", m, n, rc);
	memcpy(proof + cnt * HL, roots[n], HL);
	rc = merkle_verify_consistency(m, n, roots[m], roots[n], proof,
	    cnt + 1);
	expect(rej, rc == CTD_EMALF, "consistency(%" PRIu64 ",%" PRIu64
	    ") with the second root appended: rc %d", m, n, rc);
	memmove(proof + HL, proof, cnt * HL);
	memcpy(proof, roots[m], HL);
	rc = merkle_verify_consistency(m, n, roots[m], roots[n], proof,
	    cnt + 1);
	expect(rej, rc == CTD_EMALF, "consistency(%" PRIu64 ",%" PRIu64
	    ") with the first root prepended: rc %d", m, n, rc);
	rc = merkle_consistency_roots(m, n, roots[m], proof, cnt + 1, fr, sr);
	expect(rej, rc == CTD_EMALF, "consistency_roots(%" PRIu64 ",%" PRIu64
	    ") with a node too many: rc %d", m, n, rc);
}

static void
test_exhaustive(void)
{
	uint8_t out[HL];
	bool hashes_ok = true;

	for (uint32_t i = 0; i < MAXN; i++) {
		uint8_t data[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16),
		    (uint8_t)(i >> 8), (uint8_t)i };
		ref_leaf(data, sizeof data, leaves[i]);
		merkle_leaf_hash(data, sizeof data, out);
		hashes_ok = hashes_ok && memcmp(out, leaves[i], HL) == 0;
	}
	ok(hashes_ok, "merkle_leaf_hash = SHA-256(0x00 || leaf) for %d leaves",
	    MAXN);
	for (uint64_t n = 1; n <= MAXN; n++) {
		ref_mth((const uint8_t (*)[HL])leaves, 0, n, roots[n]);
	}
	memset(roots[0], 0, HL); /* no tree; size 0 is always refused */
	merkle_node_hash(leaves[0], leaves[1], out);
	is_mem(out, roots[2], HL, "merkle_node_hash = SHA-256(0x01||l||r)");
	memcpy(out, leaves[0], HL);
	merkle_node_hash(out, leaves[1], out);
	is_mem(out, roots[2], HL, "merkle_node_hash with out == left");

	for (uint64_t n = 1; n <= MAXN; n++) {
		struct tally shape = { 0 }, acc = { 0 }, rej = { 0 };
		for (uint64_t m = 0; m < n; m++) {
			inclusion_one(m, n, &shape, &acc, &rej);
		}
		ok(shape.bad == 0 && shape.checks > 0, "size %" PRIu64
		    ": audit path ranges, lengths and MTHs match RFC 6962 "
		    "PATH for all %" PRIu64 " indices (%zu checks)", n, n,
		    shape.checks);
		ok(acc.bad == 0 && acc.checks == 2 * n, "size %" PRIu64
		    ": every reference audit path verifies (%zu checks)", n,
		    acc.checks);
		ok(rej.bad == 0 && rej.checks > n, "size %" PRIu64
		    ": every mutated audit path is rejected (%zu checks)", n,
		    rej.checks);
	}
	for (uint64_t n = 2; n <= MAXN; n++) {
		struct tally shape = { 0 }, acc = { 0 }, rej = { 0 };
		for (uint64_t m = 1; m < n; m++) {
			consistency_one(m, n, &shape, &acc, &rej);
		}
		ok(shape.bad == 0 && shape.checks > 0, "second %" PRIu64
		    ": consistency ranges, lengths and MTHs match RFC 6962 "
		    "PROOF for every first (%zu checks)", n, shape.checks);
		ok(acc.bad == 0 && acc.checks == 3 * (n - 1), "second %"
		    PRIu64 ": every reference consistency proof verifies "
		    "(%zu checks)", n, acc.checks);
		ok(rej.bad == 0 && rej.checks > n, "second %" PRIu64
		    ": every mutated consistency proof is rejected "
		    "(%zu checks)", n, rej.checks);
	}
}

/* first == second, size 0, and sizes in the wrong order. */
static void
test_edges(void)
{
	uint8_t out[HL], fr[HL], sr[HL];
	uint8_t node[HL] = { 0 };

	is_int(merkle_verify_consistency(5, 5, roots[5], roots[5], NULL, 0),
	    CTD_OK, "first == second, equal roots, empty proof: OK");
	is_int(merkle_verify_consistency(5, 5, roots[5], roots[6], NULL, 0),
	    CTD_EVERIFY, "first == second, different roots: EVERIFY");
	is_int(merkle_verify_consistency(5, 5, roots[5], roots[5], node, 1),
	    CTD_EMALF, "first == second with a node: EMALF");
	is_int(merkle_verify_consistency(0, 0, roots[0], roots[0], NULL, 0),
	    CTD_EMALF, "first == second == 0: EMALF (policy)");
	is_int(merkle_verify_consistency(0, 5, roots[0], roots[5], NULL, 0),
	    CTD_EMALF, "first == 0, empty proof: EMALF (policy)");
	is_int(merkle_verify_consistency(6, 5, roots[6], roots[5], node, 1),
	    CTD_EMALF, "first > second: EMALF");
	is_int(merkle_consistency_roots(5, 5, roots[5], NULL, 0, fr, sr),
	    CTD_EMALF, "consistency_roots wants first < second");
	is_int(merkle_consistency_roots(0, 5, roots[5], node, 1, fr, sr),
	    CTD_EMALF, "consistency_roots refuses first == 0");
	is_int(merkle_path_root(0, 0, leaves[0], NULL, 0, out), CTD_EMALF,
	    "path_root in an empty tree: EMALF");
	is_int(merkle_path_root(0, 1, leaves[0], NULL, 0, out), CTD_OK,
	    "path_root of the only leaf: OK");
	is_mem(out, leaves[0], HL, "a one-leaf tree's root is the leaf hash");
	is_int(merkle_verify_inclusion(0, 1, leaves[0], node, 1, leaves[0]),
	    CTD_EMALF, "one-leaf tree with a node: EMALF");
	is_int(merkle_path_len(0, 0), 0, "path_len(0, 0) = 0");
	is_int(merkle_path_len(7, 7), 0, "path_len(7, 7) = 0");
	is_int(merkle_path_len(0, 1), 0, "path_len(0, 1) = 0");
	is_int(merkle_consistency_len(0, 7), 0, "consistency_len(0, 7) = 0");
	is_int(merkle_consistency_len(7, 7), 0, "consistency_len(7, 7) = 0");
	is_int(merkle_consistency_len(8, 7), 0, "consistency_len(8, 7) = 0");

	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	is_int(merkle_path_ranges(3, 3, r), 0, "no ranges for index == size");
	is_int(merkle_path_ranges(0, 1, r), 0, "no ranges in a one-leaf tree");
	is_int(merkle_consistency_ranges(0, 3, r), 0, "no ranges from 0");
	is_int(merkle_consistency_ranges(3, 3, r), 0, "no ranges for 3 -> 3");
	is_int(merkle_consistency_ranges(4, 3, r), 0, "no ranges for 4 -> 3");

	bool pow2_ok = true;
	for (uint64_t n = 0; n < 4096; n++) {
		bool want = false;
		for (uint64_t p = 1; p != 0 && p <= n; p <<= 1) {
			want = want || p == n;
		}
		pow2_ok = pow2_ok && merkle_is_pow2(n) == want;
	}
	ok(pow2_ok, "merkle_is_pow2 for 0..4095");
	ok(merkle_is_pow2(UINT64_C(1) << 63) && !merkle_is_pow2(UINT64_MAX) &&
	    !merkle_is_pow2((UINT64_C(1) << 63) + 1) &&
	    !merkle_is_pow2((UINT64_C(1) << 63) - 1),
	    "merkle_is_pow2 near 2^64");
}

/* ---- part 2: the draft's lengths and 64-bit sizes ---------------------- */

/* A fixed pseudo-random sequence (splitmix64), for reproducible sampling. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static bool
large_path(uint64_t index, uint64_t size, struct tally *t)
{
	struct merkle_range r[MERKLE_MAX_PATH + 1];
	uint8_t nodes[(MERKLE_MAX_PATH + 1) * HL];
	uint8_t out[HL];

	memset(r, 0xa5, sizeof r);
	memset(nodes, 0x5a, sizeof nodes);
	size_t cnt = merkle_path_ranges(index, size, r);
	expect(t, cnt == merkle_path_len(index, size) && cnt <= MERKLE_MAX_PATH
	    && r[MERKLE_MAX_PATH].begin == 0xa5a5a5a5a5a5a5a5u, "path(%"
	    PRIu64 ",%" PRIu64 "): %zu ranges, path_len %zu", index, size,
	    cnt, merkle_path_len(index, size));
	expect(t, path_shape_ok(index, size, r, cnt), "path(%" PRIu64 ",%"
	    PRIu64 "): ranges out of bounds or not a partition", index, size);
	expect(t, merkle_path_root(index, size, leaves[0], nodes, cnt, out) ==
	    CTD_OK, "path_root(%" PRIu64 ",%" PRIu64 ") with %zu nodes",
	    index, size, cnt);
	expect(t, merkle_path_root(index, size, leaves[0], nodes, cnt + 1,
	    out) == CTD_EMALF, "path_root(%" PRIu64 ",%" PRIu64 ") with a "
	    "node too many", index, size);
	return cnt == MERKLE_MAX_PATH;
}

static size_t
large_consistency(uint64_t first, uint64_t second, struct tally *t)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY + 1];
	uint8_t nodes[(MERKLE_MAX_CONSISTENCY + 1) * HL];
	uint8_t fr[HL], sr[HL];

	memset(r, 0xa5, sizeof r);
	memset(nodes, 0x5a, sizeof nodes);
	size_t cnt = merkle_consistency_ranges(first, second, r);
	expect(t, cnt == merkle_consistency_len(first, second) &&
	    cnt <= MERKLE_MAX_CONSISTENCY &&
	    r[MERKLE_MAX_CONSISTENCY].begin == 0xa5a5a5a5a5a5a5a5u,
	    "consistency(%" PRIu64 ",%" PRIu64 "): %zu ranges, len %zu",
	    first, second, cnt, merkle_consistency_len(first, second));
	expect(t, consistency_shape_ok(first, second, r, cnt),
	    "consistency(%" PRIu64 ",%" PRIu64 "): ranges out of bounds or "
	    "misplaced", first, second);
	expect(t, merkle_consistency_roots(first, second, leaves[0], nodes,
	    cnt, fr, sr) == CTD_OK, "consistency_roots(%" PRIu64 ",%" PRIu64
	    ") with %zu nodes", first, second, cnt);
	expect(t, merkle_consistency_roots(first, second, leaves[0], nodes,
	    cnt - 1, fr, sr) == CTD_EMALF, "consistency_roots(%" PRIu64 ",%"
	    PRIu64 ") with a node too few", first, second);
	return cnt;
}

static void
test_large(void)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	const uint64_t p63 = UINT64_C(1) << 63, max = UINT64_MAX;

	is_int(merkle_path_len(123456, 999999), 20,
	    "draft: audit path of 123456 in 999999 has 20 nodes");
	is_int(merkle_path_ranges(123456, 999999, r), 20,
	    "draft: and 20 ranges");
	ok(path_shape_ok(123456, 999999, r, 20), "draft: ranges partition");
	is_int(merkle_consistency_len(432, 254352), 15,
	    "draft: consistency 432 -> 254352 has 15 nodes");
	is_int(merkle_consistency_ranges(432, 254352, r), 15,
	    "draft: and 15 ranges");
	ok(consistency_shape_ok(432, 254352, r, 15), "draft: ranges fit");

	/* Edge sizes by hand. */
	const uint64_t sizes[] = { max, max - 1, p63 + 1, p63, p63 - 1,
	    max - (UINT64_C(1) << 32), (p63 >> 1) + 3, 999999 };
	struct tally t = { 0 };
	bool saw64 = false;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint64_t s = sizes[i];
		const uint64_t idx[] = { 0, 1, s / 2, s / 2 + 1, p63 - 1, p63,
		    s - 2, s - 1 };
		for (size_t j = 0; j < sizeof idx / sizeof idx[0]; j++) {
			if (idx[j] < s) {
				saw64 = large_path(idx[j], s, &t) || saw64;
			}
		}
	}
	ok(t.bad == 0 && t.checks > 100, "audit path ranges near 2^63 and "
	    "2^64-1 stay in bounds and partition the tree (%zu checks)",
	    t.checks);
	ok(saw64, "some path near 2^64 has the full %d nodes",
	    MERKLE_MAX_PATH);
	is_int(merkle_path_len(0, max), 64, "path_len(0, 2^64-1) = 64");
	is_int(merkle_path_ranges(max - 1, max, r), 63,
	    "the last leaf of 2^64-1 has a 63-node path");
	ok(r[0].begin == max - 3 && r[0].end == max - 1 && r[62].begin == 0 &&
	    r[62].end == p63, "from [2^64-4, 2^64-2) up to [0, 2^63)");
	is_int(merkle_path_ranges(p63, p63 + 1, r), 1,
	    "leaf 2^63 of 2^63+1 has one node");
	ok(r[0].begin == 0 && r[0].end == p63, "and it is [0, 2^63)");
	is_int(merkle_consistency_ranges(p63, p63 + 1, r), 1,
	    "2^63 -> 2^63+1 takes one node");
	ok(r[0].begin == p63 && r[0].end == p63 + 1,
	    "and it is [2^63, 2^63+1)");
	is_int(merkle_consistency_ranges(max - 1, max, r), 64,
	    "2^64-2 -> 2^64-1 takes 64 nodes");
	ok(r[0].begin == max - 3 && r[0].end == max - 1 &&
	    r[1].begin == max - 1 && r[1].end == max && r[63].begin == 0 &&
	    r[63].end == p63, "from [2^64-4, 2^64-2), [2^64-2, 2^64-1) up to "
	    "[0, 2^63)");

	t = (struct tally){ 0 };
	size_t longest = 0;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint64_t s = sizes[i];
		const uint64_t firsts[] = { 1, 2, 3, s / 2, s / 2 + 1, p63 - 1,
		    p63, p63 + 1, s - 2, s - 1 };
		for (size_t j = 0; j < sizeof firsts / sizeof firsts[0]; j++) {
			if (firsts[j] > 0 && firsts[j] < s) {
				size_t c = large_consistency(firsts[j], s, &t);
				longest = c > longest ? c : longest;
			}
		}
	}
	ok(t.bad == 0 && t.checks > 100, "consistency ranges near 2^63 and "
	    "2^64-1 stay within [0, second) (%zu checks)", t.checks);
	diag("longest consistency proof seen near 2^64: %zu nodes", longest);

	/* Random pairs: sizes drawn from every bit length up to 64. */
	uint64_t seed = 6962;
	t = (struct tally){ 0 };
	for (int i = 0; i < 20000; i++) {
		uint64_t a = next_random(&seed) >> (next_random(&seed) % 64);
		uint64_t b = next_random(&seed) >> (next_random(&seed) % 64);
		uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
		if (lo == hi) {
			continue;
		}
		large_path(lo, hi, &t);
		if (lo > 0) {
			size_t c = large_consistency(lo, hi, &t);
			longest = c > longest ? c : longest;
		}
	}
	ok(t.bad == 0 && t.checks > 100000, "random 64-bit pairs: path and "
	    "consistency shapes hold (%zu checks)", t.checks);
	ok(longest <= MERKLE_MAX_CONSISTENCY, "no consistency proof exceeds "
	    "MERKLE_MAX_CONSISTENCY (longest %zu)", longest);
}

/* ---- part 3: vector files ---------------------------------------------- */

#define MAX_TOKENS (16 + PROOF_ROOM)
#define TESTDATA_DIR "merkle"
#define MAX_FIELDS MAX_TOKENS
#include "../testdata.h"

/* How many vector values were not 32 bytes long. */
static size_t widened;

struct vline {
	char *tok[MAX_TOKENS];
	size_t ntok;
	const char *desc;
};

/* Decode hex ('-' is empty) into out; returns the length or -1. */
static long
unhex(const char *s, uint8_t *out, size_t room)
{
	return strcmp(s, "-") == 0 ? 0 : testdata_unhex(s, out, room);
}

/*
 * A hash-sized field in a given role ("leaf", "root", "node"). The API
 * takes 32-byte hashes only, and a caller refuses other lengths before it
 * gets here. Some transparency-dev probes carry garbage or truncated
 * hashes; to still run them through the verifier, such a value becomes
 * SHA-256("ctdns-widen-" role || value): 32 bytes that equal no real hash
 * and no stand-in of another role (an empty leaf hash is not an empty
 * root), while two equal values of one role stay equal.
 */
static bool
field_hash(const char *s, const char *role, uint8_t out[HL])
{
	uint8_t buf[32 + 3 * HL];
	size_t plen = (size_t)snprintf((char *)buf, 32, "ctdns-widen-%s", role);
	long n = unhex(s, buf + plen, 3 * HL);

	if (n < 0) {
		return false;
	}
	if (n == HL) {
		memcpy(out, buf + plen, HL);
	} else {
		widened++;
		SHA256(buf, plen + (size_t)n, out);
	}
	return true;
}

static bool
field_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && end != s && s[0] != '-';
}

/* Split a line into tokens up to " # ", the rest is the description. */
static bool
split_line(char *line, struct vline *v)
{
	char *save = NULL, *t;

	v->ntok = 0;
	v->desc = "";
	char *hash = strstr(line, " # ");
	if (hash != NULL) {
		*hash = '\0';
		v->desc = hash + 3;
	}
	for (t = strtok_r(line, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save)) {
		if (v->ntok == MAX_TOKENS) {
			return false;
		}
		v->tok[v->ntok++] = t;
	}
	return v->ntok > 0;
}

/* What a file holds, and what the proofs it states must do. */
struct vfile {
	const char *name;
	uint8_t leaf[8][HL];	/* reference tree leaves (L with index) */
	bool have_leaf[8];
	uint8_t root[9][HL];	/* reference tree roots (R) */
	bool have_root[9];
	size_t lines, n_leaf, n_node, n_root, n_hasher, n_incl, n_cons;
	size_t n_policy, n_ok, n_err, n_neg;
	bool bad_format;
	struct tally t;		/* mutations of accepted proofs */
};

/* Nodes of a proof from tokens tok[first .. first + count). */
static bool
field_proof(struct vline *v, size_t first, size_t *count, uint8_t *proof)
{
	uint64_t n;

	if (first >= v->ntok || !field_u64(v->tok[first], &n) ||
	    n > PROOF_ROOM - 2 || v->ntok != first + 1 + n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *t = v->tok[first + 1 + i];
		if (!field_hash(t, "node", proof + i * HL)) {
			return false;
		}
	}
	*count = (size_t)n;
	return true;
}

/* When the file has the reference tree, the proof must be the nodes of our
 * ranges over it, byte for byte. */
static bool
nodes_match_ranges(struct vfile *f, const struct merkle_range *r,
    size_t count, const uint8_t *proof, uint64_t size)
{
	uint8_t h[HL];

	for (uint64_t i = 0; i < size; i++) {
		if (i >= 8 || !f->have_leaf[i]) {
			return false;
		}
	}
	for (size_t i = 0; i < count; i++) {
		ref_mth((const uint8_t (*)[HL])f->leaf, r[i].begin, r[i].end,
		    h);
		if (memcmp(h, proof + i * HL, HL) != 0) {
			return false;
		}
	}
	return true;
}

static void
vector_inclusion(struct vfile *f, struct vline *v)
{
	uint64_t index, size;
	uint8_t leaf[HL], root[HL], out[HL];
	uint8_t proof[PROOF_ROOM * HL];
	size_t count;

	if (v->ntok < 7 || !field_u64(v->tok[1], &index) ||
	    !field_u64(v->tok[2], &size) ||
	    !field_hash(v->tok[3], "leaf", leaf) ||
	    !field_hash(v->tok[4], "root", root) ||
	    !field_proof(v, 6, &count, proof)) {
		f->bad_format = true;
		return;
	}
	f->n_incl++;
	const char *want = v->tok[5];
	int rc = merkle_verify_inclusion(index, size, leaf, proof, count, root);
	if (strcmp(want, "err") == 0) {
		f->n_err++;
		ok(rc != CTD_OK, "%s: rejects inclusion %" PRIu64 "/%" PRIu64
		    " (rc %d): %s", f->name, index, size, rc, v->desc);
		return;
	}
	if (strcmp(want, "ok") != 0) {
		f->bad_format = true;
		return;
	}
	f->n_ok++;
	int rc2 = merkle_path_root(index, size, leaf, proof, count, out);
	ok(rc == CTD_OK && rc2 == CTD_OK && memcmp(out, root, HL) == 0,
	    "%s: accepts inclusion %" PRIu64 "/%" PRIu64 ", %zu nodes "
	    "(rc %d): %s", f->name, index, size, count, rc, v->desc);
	if (f->n_leaf > 0 && size <= 8) {
		struct merkle_range r[MERKLE_MAX_PATH];
		size_t n = merkle_path_ranges(index, size, r);
		ok(n == count && nodes_match_ranges(f, r, n, proof, size) &&
		    (!f->have_root[size] ||
		    memcmp(f->root[size], root, HL) == 0),
		    "%s: inclusion %" PRIu64 "/%" PRIu64 " nodes are the "
		    "MTHs of our ranges", f->name, index, size);
	}
	/* Negative variants of every accepted proof. */
	for (size_t j = 0; j < count; j++) {
		proof[j * HL + j % HL] ^= 0x10;
		rc = merkle_verify_inclusion(index, size, leaf, proof, count,
		    root);
		proof[j * HL + j % HL] ^= 0x10;
		expect(&f->t, rc == CTD_EVERIFY, "%s: inclusion %" PRIu64
		    "/%" PRIu64 " node %zu flipped: rc %d", f->name, index,
		    size, j, rc);
	}
	if (size > 1) {
		uint64_t w = index + 1 < size ? index + 1 : index - 1;
		rc = merkle_verify_inclusion(w, size, leaf, proof, count, root);
		expect(&f->t, rc == incl_code(w, size, count), "%s: inclusion %"
		    PRIu64 "/%" PRIu64 " as index %" PRIu64 ": rc %d", f->name,
		    index, size, w, rc);
		rc = merkle_verify_inclusion(index, size, leaf, proof,
		    count - 1, root);
		expect(&f->t, rc == CTD_EMALF, "%s: inclusion %" PRIu64 "/%"
		    PRIu64 " truncated: rc %d", f->name, index, size, rc);
	}
	memcpy(proof + count * HL, root, HL);
	rc = merkle_verify_inclusion(index, size, leaf, proof, count + 1, root);
	expect(&f->t, rc == CTD_EMALF, "%s: inclusion %" PRIu64 "/%" PRIu64
	    " extended: rc %d", f->name, index, size, rc);
	f->n_neg++;
}

static void
vector_consistency(struct vfile *f, struct vline *v)
{
	uint64_t first, second;
	uint8_t r1[HL], r2[HL], fr[HL], sr[HL];
	uint8_t proof[PROOF_ROOM * HL];
	size_t count;

	if (v->ntok < 7 || !field_u64(v->tok[1], &first) ||
	    !field_u64(v->tok[2], &second) ||
	    !field_hash(v->tok[3], "root", r1) ||
	    !field_hash(v->tok[4], "root", r2) ||
	    !field_proof(v, 6, &count, proof)) {
		f->bad_format = true;
		return;
	}
	f->n_cons++;
	const char *want = v->tok[5];
	int rc = merkle_verify_consistency(first, second, r1, r2, proof, count);
	if (strcmp(want, "err") == 0) {
		f->n_err++;
		ok(rc != CTD_OK, "%s: rejects consistency %" PRIu64 "->%" PRIu64
		    " (rc %d): %s", f->name, first, second, rc, v->desc);
		return;
	}
	if (strcmp(want, "policy") == 0) {
		f->n_policy++;
		ok(first == 0 && rc == CTD_EMALF, "%s: policy: size1 == 0 is "
		    "malformed for us, consistency %" PRIu64 "->%" PRIu64
		    " (rc %d): %s", f->name, first, second, rc, v->desc);
		return;
	}
	if (strcmp(want, "ok") != 0) {
		f->bad_format = true;
		return;
	}
	f->n_ok++;
	if (first == second) {
		ok(rc == CTD_OK && count == 0, "%s: accepts consistency %"
		    PRIu64 "->%" PRIu64 " (rc %d): %s", f->name, first,
		    second, rc, v->desc);
		return;
	}
	int rc2 = merkle_consistency_roots(first, second, r1, proof, count,
	    fr, sr);
	ok(rc == CTD_OK && rc2 == CTD_OK && memcmp(fr, r1, HL) == 0 &&
	    memcmp(sr, r2, HL) == 0, "%s: accepts consistency %" PRIu64 "->%"
	    PRIu64 ", %zu nodes (rc %d): %s", f->name, first, second, count,
	    rc, v->desc);
	if (f->n_leaf > 0 && second <= 8) {
		struct merkle_range r[MERKLE_MAX_CONSISTENCY];
		size_t n = merkle_consistency_ranges(first, second, r);
		ok(n == count && nodes_match_ranges(f, r, n, proof, second) &&
		    (!f->have_root[first] ||
		    memcmp(f->root[first], r1, HL) == 0) &&
		    (!f->have_root[second] ||
		    memcmp(f->root[second], r2, HL) == 0),
		    "%s: consistency %" PRIu64 "->%" PRIu64 " nodes are the "
		    "MTHs of our ranges", f->name, first, second);
	}
	for (size_t j = 0; j < count; j++) {
		proof[j * HL + j % HL] ^= 0x10;
		rc = merkle_verify_consistency(first, second, r1, r2, proof,
		    count);
		proof[j * HL + j % HL] ^= 0x10;
		expect(&f->t, rc == CTD_EVERIFY, "%s: consistency %" PRIu64
		    "->%" PRIu64 " node %zu flipped: rc %d", f->name, first,
		    second, j, rc);
	}
	rc = merkle_verify_consistency(first, second, r2, r1, proof, count);
	expect(&f->t, rc == CTD_EVERIFY, "%s: consistency %" PRIu64 "->%"
	    PRIu64 " swapped roots: rc %d", f->name, first, second, rc);
	rc = merkle_verify_consistency(first, second, r1, r2, proof,
	    count - 1);
	expect(&f->t, rc == CTD_EMALF, "%s: consistency %" PRIu64 "->%" PRIu64
	    " truncated: rc %d", f->name, first, second, rc);
	memcpy(proof + count * HL, r2, HL);
	rc = merkle_verify_consistency(first, second, r1, r2, proof,
	    count + 1);
	expect(&f->t, rc == CTD_EMALF, "%s: consistency %" PRIu64 "->%" PRIu64
	    " extended: rc %d", f->name, first, second, rc);
	f->n_neg++;
}

static void
vector_leaf(struct vfile *f, struct vline *v)
{
	uint8_t want[HL], got[HL];
	char *end;

	if (v->ntok != 4 || !field_hash(v->tok[3], "leaf", want)) {
		f->bad_format = true;
		return;
	}
	long long index = strtoll(v->tok[1], &end, 10);
	size_t hexlen = strlen(v->tok[2]);
	uint8_t *data = malloc(hexlen / 2 + 1);
	long n = data == NULL ? -1 : unhex(v->tok[2], data, hexlen / 2);
	if (*end != '\0' || n < 0) {
		f->bad_format = true;
		free(data);
		return;
	}
	merkle_leaf_hash(data, (size_t)n, got);
	free(data);
	f->n_leaf++;
	ok(memcmp(got, want, HL) == 0, "%s: leaf hash of %ld bytes: %s",
	    f->name, n, v->desc);
	if (index >= 0 && index < 8) {
		memcpy(f->leaf[index], want, HL);
		f->have_leaf[index] = true;
	}
}

static void
vector_line(struct vfile *f, struct vline *v)
{
	uint8_t a[HL], b[HL], c[HL], got[HL];
	uint64_t x, y;
	const char *kind = v->tok[0];

	if (strcmp(kind, "I") == 0) {
		vector_inclusion(f, v);
	} else if (strcmp(kind, "C") == 0) {
		vector_consistency(f, v);
	} else if (strcmp(kind, "L") == 0) {
		vector_leaf(f, v);
	} else if (strcmp(kind, "H") == 0 && v->ntok == 4 &&
	    field_hash(v->tok[1], "node", a) &&
	    field_hash(v->tok[2], "node", b) &&
	    field_hash(v->tok[3], "node", c)) {
		merkle_node_hash(a, b, got);
		f->n_hasher++;
		is_mem(got, c, HL, "%s: node hash: %s", f->name, v->desc);
	} else if (strcmp(kind, "N") == 0 && v->ntok == 4 &&
	    field_u64(v->tok[1], &x) && field_u64(v->tok[2], &y) &&
	    field_hash(v->tok[3], "node", c) && x < 4 && (y + 1) << x <= 8) {
		ref_mth((const uint8_t (*)[HL])f->leaf, y << x, (y + 1) << x,
		    got);
		f->n_node++;
		is_mem(got, c, HL, "%s: MTH of leaves [%" PRIu64 ",%" PRIu64
		    ")", f->name, y << x, (y + 1) << x);
	} else if (strcmp(kind, "R") == 0 && v->ntok == 3 &&
	    field_u64(v->tok[1], &x) && field_hash(v->tok[2], "root", c) &&
	    x <= 8) {
		if (x == 0) {
			SHA256((const uint8_t *)"", 0, got);
		} else {
			ref_mth((const uint8_t (*)[HL])f->leaf, 0, x, got);
		}
		f->n_root++;
		memcpy(f->root[x], c, HL);
		f->have_root[x] = true;
		is_mem(got, c, HL, "%s: root of size %" PRIu64, f->name, x);
	} else {
		f->bad_format = true;
	}
}

static void
read_vectors(struct vfile *f, const char *name)
{
	const char *path = testdata_path(name);
	char *line = NULL;
	size_t cap = 0;

	memset(f, 0, sizeof *f);
	f->name = name;
	FILE *fp = fopen(path, "r");
	if (!ok(fp != NULL, "open %s", path)) {
		return;
	}
	while (getline(&line, &cap, fp) != -1) {
		struct vline v;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0') {
			continue;
		}
		f->lines++;
		if (!split_line(line, &v)) {
			f->bad_format = true;
			continue;
		}
		vector_line(f, &v);
	}
	free(line);
	fclose(fp);
	ok(!f->bad_format, "%s: every line parses", name);
	ok(f->t.bad == 0 && f->t.checks > 0, "%s: bit flips, other indices, "
	    "swapped roots, truncation and extension of the %zu accepted "
	    "proofs are rejected (%zu checks)", name, f->n_neg, f->t.checks);
}

static void
test_vectors(void)
{
	struct vfile f;

	read_vectors(&f, "reference_tree.txt");
	ok(f.n_leaf == 10 && f.n_node == 15 && f.n_root == 9 &&
	    f.n_hasher == 1, "reference tree: 8 leaves + 2 hasher leaves, "
	    "15 nodes, 9 roots, 1 node vector");
	ok(f.n_incl == 41 && f.n_cons == 41 && f.n_ok == 82 && f.n_err == 0,
	    "reference tree: 5 + 36 inclusion and 5 + 36 consistency proofs "
	    "accepted (%zu, %zu)", f.n_incl, f.n_cons);

	widened = 0;
	read_vectors(&f, "probes.txt");
	diag("probes: %zu values were not 32 bytes and were widened", widened);
	ok(f.n_incl == 98 && f.n_cons == 98, "probes: 98 inclusion and 98 "
	    "consistency (%zu, %zu)", f.n_incl, f.n_cons);
	ok(f.n_policy == 3 && f.n_ok + f.n_err + f.n_policy == 196 &&
	    f.n_ok >= 10, "probes: 3 policy cases, %zu accepted, %zu rejected",
	    f.n_ok, f.n_err);

	read_vectors(&f, "production.txt");
	ok(f.n_leaf == 2 && f.n_incl == 2 && f.n_cons == 2 && f.n_ok == 4,
	    "production: Icarus and Pilot leaves, 2 inclusion, 2 "
	    "consistency proofs");
	is_int(merkle_path_len(120000000, 129721434), 27,
	    "Icarus: leaf 120000000 of 129721434 has a 27-node path");
	is_int(merkle_path_len(848049, 3630887), 22,
	    "Pilot: leaf 848049 of 3630887 has a 22-node path");
	is_int(merkle_consistency_len(129596132, 129721434), 24,
	    "Icarus: 129596132 -> 129721434 takes 24 nodes");
	is_int(merkle_consistency_len(384065451, 384071894), 23,
	    "Argon2027h1: 384065451 -> 384071894 takes 23 nodes");
}

int
main(void)
{
	test_exhaustive();
	test_edges();
	test_large();
	test_vectors();
	return done_testing();
}
