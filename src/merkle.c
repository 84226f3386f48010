/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * merkle.c -- RFC 6962 Merkle tree arithmetic: proof shapes and verification.
 *
 * Design: a proof node is MTH(D[begin:end]) for a range that depends only on
 * (index, size) or (first, second). The range functions walk the RFC 6962
 * recursion (PATH, SUBPROOF) from the root down, without recursion: each step
 * splits the current range [lo, hi) at lo + k, k the largest power of two
 * below hi - lo, keeps the half that holds the leaf (or the old tree's edge)
 * and records the other half. Walking top-down yields the nodes farthest
 * from the leaf first, so the list is reversed at the end to get the RFC's
 * order. All arithmetic stays within [0, size], so sizes up to 2^64 - 1 are
 * safe.
 *
 * Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2, after an exact
 * node count check (a proof with too few or too many nodes is malformed, not
 * merely unverified). The RFC's own sn checks inside the loops repeat that
 * check; they stay as a second guard.
 *
 * Hashing uses OpenSSL's SHA256_CTX: a stack context, so hashing neither
 * allocates nor can fail. OpenSSL 3.0 marks these functions deprecated in
 * favour of EVP, whose contexts live on the heap; we opt out of the warning
 * here on purpose.
 */
#include "config.h"

#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <string.h>

#include <openssl/sha.h>

#include "err.h"
#include "merkle.h"

/* The audit path length algorithm of the CT-over-DNS draft. */
size_t
merkle_path_len(uint64_t index, uint64_t size)
{
	if (index >= size) {
		return 0;
	}
	size_t len = 0;
	for (uint64_t ln = size - 1, li = index; ln != 0; li >>= 1, ln >>= 1) {
		if ((li & 1) || li < ln) {
			len++;
		}
	}
	return len;
}

/* Largest power of two strictly below n, for n >= 2. */
static uint64_t
split_point(uint64_t n)
{
	/* n - 1 >= 1; its highest set bit is the largest power of 2 < n. */
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/* The consistency proof length algorithm of the CT-over-DNS draft. */
size_t
merkle_consistency_len(uint64_t first, uint64_t second)
{
	if (first == 0 || first >= second) {
		return 0;
	}
	uint64_t m = first, n = second;
	size_t len = 0;
	int b = 0;
	while (m != n) {
		len++;
		uint64_t k = split_point(n);
		if (m <= k) {
			n = k;
		} else {
			m -= k;
			n -= k;
			b = 1;
		}
	}
	return len + b;
}

/* Reverse out[0..count) in place. */
static void
reverse_ranges(struct merkle_range *out, size_t count)
{
	for (size_t i = 0, j = count; i + 1 < j; i++, j--) {
		struct merkle_range t = out[i];
		out[i] = out[j - 1];
		out[j - 1] = t;
	}
}

size_t
merkle_path_ranges(uint64_t index, uint64_t size, struct merkle_range *out)
{
	if (index >= size) {
		return 0;
	}
	/* PATH(m, D[lo:hi]) with m = index - lo; the leaf stays in [lo, hi). */
	uint64_t lo = 0, hi = size;
	size_t count = 0;
	while (hi - lo > 1) {
		uint64_t mid = lo + split_point(hi - lo);
		if (index < mid) {
			out[count].begin = mid;
			out[count].end = hi;
			hi = mid;
		} else {
			out[count].begin = lo;
			out[count].end = mid;
			lo = mid;
		}
		count++;
	}
	reverse_ranges(out, count);
	return count;
}

size_t
merkle_consistency_ranges(uint64_t first, uint64_t second,
    struct merkle_range *out)
{
	if (first == 0 || first >= second) {
		return 0;
	}
	/*
	 * SUBPROOF(m, D[lo:hi], b) with m = first - lo: the old tree's edge
	 * at first stays in (lo, hi]. b (known) stays true while lo == 0;
	 * if the walk ends so, [0, first) is the old tree itself, whose root
	 * the verifier has, and the RFC leaves it out of the proof.
	 */
	uint64_t lo = 0, hi = second;
	bool known = true;
	size_t count = 0;
	while (first != hi) {
		uint64_t mid = lo + split_point(hi - lo);
		if (first <= mid) {
			out[count].begin = mid;
			out[count].end = hi;
			hi = mid;
		} else {
			out[count].begin = lo;
			out[count].end = mid;
			lo = mid;
			known = false;
		}
		count++;
	}
	if (!known) {
		/* The deepest node of all: MTH(D[lo:first]). */
		out[count].begin = lo;
		out[count].end = hi;
		count++;
	}
	reverse_ranges(out, count);
	return count;
}

bool
merkle_is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

void
merkle_leaf_hash(const uint8_t *leaf, size_t leaf_len,
    uint8_t out[MERKLE_HASH_LEN])
{
	static const uint8_t prefix = 0x00;
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, &prefix, 1);
	if (leaf_len > 0) {
		SHA256_Update(&c, leaf, leaf_len);
	}
	SHA256_Final(out, &c);
}

void
merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	static const uint8_t prefix = 0x01;
	SHA256_CTX c;

	/* out may alias left or right: both are read before Final writes. */
	SHA256_Init(&c);
	SHA256_Update(&c, &prefix, 1);
	SHA256_Update(&c, left, MERKLE_HASH_LEN);
	SHA256_Update(&c, right, MERKLE_HASH_LEN);
	SHA256_Final(out, &c);
}

int
merkle_path_root(uint64_t index, uint64_t size,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], const uint8_t *path,
    size_t count, uint8_t root_out[MERKLE_HASH_LEN])
{
	if (index >= size || count != merkle_path_len(index, size)) {
		return CTD_EMALF;
	}
	uint64_t fn = index, sn = size - 1;
	uint8_t r[MERKLE_HASH_LEN];

	memcpy(r, leaf_hash, MERKLE_HASH_LEN);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *p = path + i * MERKLE_HASH_LEN;
		if (sn == 0) {
			return CTD_EMALF; /* too many nodes */
		}
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(p, r, r);
			/* Skip the levels where this subtree has no sibling. */
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, p, r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		return CTD_EMALF; /* too few nodes */
	}
	memcpy(root_out, r, MERKLE_HASH_LEN);
	return CTD_OK;
}

int
merkle_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], const uint8_t *path,
    size_t count, const uint8_t root[MERKLE_HASH_LEN])
{
	uint8_t got[MERKLE_HASH_LEN];
	int rc = merkle_path_root(index, size, leaf_hash, path, count, got);

	if (rc != CTD_OK) {
		return rc;
	}
	return memcmp(got, root, MERKLE_HASH_LEN) == 0 ? CTD_OK : CTD_EVERIFY;
}

int
merkle_consistency_roots(uint64_t first, uint64_t second,
    const uint8_t *first_root, const uint8_t *proof, size_t count,
    uint8_t first_root_out[MERKLE_HASH_LEN],
    uint8_t second_root_out[MERKLE_HASH_LEN])
{
	if (first == 0 || first >= second ||
	    count != merkle_consistency_len(first, second)) {
		return CTD_EMALF;
	}
	/*
	 * RFC 9162 prepends first_root to the proof when first is a power of
	 * two; instead, seed from it and read the proof from its start.
	 */
	const uint8_t *seed;
	size_t i;
	if (merkle_is_pow2(first)) {
		if (first_root == NULL) {
			return CTD_EMALF;
		}
		seed = first_root;
		i = 0;
	} else {
		seed = proof;
		i = 1;
	}
	uint64_t fn = first - 1, sn = second - 1;
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];

	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, seed, MERKLE_HASH_LEN);
	memcpy(sr, seed, MERKLE_HASH_LEN);
	for (; i < count; i++) {
		const uint8_t *c = proof + i * MERKLE_HASH_LEN;
		if (sn == 0) {
			return CTD_EMALF; /* too many nodes */
		}
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(c, fr, fr);
			merkle_node_hash(c, sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, c, sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		return CTD_EMALF; /* too few nodes */
	}
	memcpy(first_root_out, fr, MERKLE_HASH_LEN);
	memcpy(second_root_out, sr, MERKLE_HASH_LEN);
	return CTD_OK;
}

int
merkle_verify_consistency(uint64_t first, uint64_t second,
    const uint8_t first_root[MERKLE_HASH_LEN],
    const uint8_t second_root[MERKLE_HASH_LEN], const uint8_t *proof,
    size_t count)
{
	if (first == 0 || first > second) {
		return CTD_EMALF;
	}
	if (first == second) {
		if (count != 0) {
			return CTD_EMALF;
		}
		return memcmp(first_root, second_root, MERKLE_HASH_LEN) == 0 ?
		    CTD_OK : CTD_EVERIFY;
	}
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	int rc = merkle_consistency_roots(first, second, first_root, proof,
	    count, fr, sr);
	if (rc != CTD_OK) {
		return rc;
	}
	if (memcmp(fr, first_root, MERKLE_HASH_LEN) != 0 ||
	    memcmp(sr, second_root, MERKLE_HASH_LEN) != 0) {
		return CTD_EVERIFY;
	}
	return CTD_OK;
}
