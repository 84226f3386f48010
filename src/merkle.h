/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * merkle.h -- RFC 6962 Merkle tree arithmetic: proof shapes and verification.
 *
 * Pure: no I/O, no allocation, no logging, no clock.
 *
 * The one idea (docs/design.md): every node of an RFC 6962 proof is the
 * Merkle tree hash of a contiguous range of leaves, MTH(D[begin:end]). Which
 * ranges an audit path (index, size) or a consistency proof (first, second)
 * holds is arithmetic, and a range's hash never changes once the log holds
 * its leaves. The store keeps range hashes; proofs are assembled from them.
 *
 * Node order is that of RFC 6962 section 2.1.1 (PATH) and 2.1.2 (PROOF):
 * the node nearest the leaf (or the smallest subtree) first.
 */
#ifndef CTD_MERKLE_H
#define CTD_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN 32
/* An audit path has at most 64 nodes (tree sizes are 64-bit). */
#define MERKLE_MAX_PATH 64
/* A consistency proof has at most 2 * 64 nodes. */
#define MERKLE_MAX_CONSISTENCY 128

/* The leaves [begin, end) of the log, begin < end. */
struct merkle_range {
	uint64_t begin;
	uint64_t end;
};

/*
 * Number of nodes in the audit path of leaf index in a tree of size leaves.
 * @return: the length, 0 when index >= size or size <= 1.
 */
size_t merkle_path_len(uint64_t index, uint64_t size);

/*
 * Number of nodes in the consistency proof from tree size first to second.
 * @return: the length, 0 unless 0 < first < second.
 */
size_t merkle_consistency_len(uint64_t first, uint64_t second);

/*
 * The leaf ranges of the audit path nodes, in proof order.
 * @param out: room for MERKLE_MAX_PATH ranges.
 * @return: the number of ranges written (= merkle_path_len()).
 */
size_t merkle_path_ranges(uint64_t index, uint64_t size,
    struct merkle_range *out);

/*
 * The leaf ranges of the consistency proof nodes, in proof order.
 * @param out: room for MERKLE_MAX_CONSISTENCY ranges.
 * @return: the number of ranges written (= merkle_consistency_len()).
 */
size_t merkle_consistency_ranges(uint64_t first, uint64_t second,
    struct merkle_range *out);

/* true when n is a power of two (n > 0). */
bool merkle_is_pow2(uint64_t n);

/* SHA-256(0x00 || leaf): RFC 6962 section 2.1 leaf hash. */
void merkle_leaf_hash(const uint8_t *leaf, size_t leaf_len,
    uint8_t out[MERKLE_HASH_LEN]);

/* SHA-256(0x01 || left || right): RFC 6962 section 2.1 interior node. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN]);

/*
 * Root implied by an audit path (RFC 9162 section 2.1.3.2).
 * @param path: count concatenated 32-byte nodes.
 * @return: CTD_OK with root_out set; CTD_EMALF when index >= size or count
 *	is not merkle_path_len(index, size).
 */
int merkle_path_root(uint64_t index, uint64_t size,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], const uint8_t *path,
    size_t count, uint8_t root_out[MERKLE_HASH_LEN]);

/*
 * Verify an audit path against a root.
 * @return: CTD_OK, CTD_EVERIFY when the root differs, CTD_EMALF as above.
 */
int merkle_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], const uint8_t *path,
    size_t count, const uint8_t root[MERKLE_HASH_LEN]);

/*
 * Both roots implied by a consistency proof (RFC 9162 section 2.1.4.2),
 * for 0 < first < second.
 * @param first_root: the root of the first tree; needed only when first is
 *	a power of two (the proof then omits it), else ignored and may be NULL.
 * @param proof: count concatenated 32-byte nodes.
 * @return: CTD_OK with both outputs set; CTD_EMALF when the sizes are not
 *	0 < first < second, count is not merkle_consistency_len(), or first
 *	is a power of two and first_root is NULL.
 */
int merkle_consistency_roots(uint64_t first, uint64_t second,
    const uint8_t *first_root, const uint8_t *proof, size_t count,
    uint8_t first_root_out[MERKLE_HASH_LEN],
    uint8_t second_root_out[MERKLE_HASH_LEN]);

/*
 * Verify a consistency proof between two known roots. first == second
 * verifies with an empty proof when the roots are equal.
 * @return: CTD_OK, CTD_EVERIFY, or CTD_EMALF as for merkle_consistency_roots.
 */
int merkle_verify_consistency(uint64_t first, uint64_t second,
    const uint8_t first_root[MERKLE_HASH_LEN],
    const uint8_t second_root[MERKLE_HASH_LEN], const uint8_t *proof,
    size_t count);

#endif /* CTD_MERKLE_H */
