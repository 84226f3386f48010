/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_tree.h -- the simulated log's own RFC 6962 Merkle tree.
 *
 * This code is deliberately independent of src/merkle.c: the simulator is
 * the reference the daemon is tested against, so one mistake must not hide
 * in both. Pure: no I/O, no clock, no logging, no locking (sim_log.c holds
 * the lock).
 *
 * Storage: level[k][j] is the hash of the perfect subtree over the leaves
 * [j * 2^k, (j + 1) * 2^k); level 0 holds the leaf hashes. Only complete
 * subtrees are stored, so appending never rewrites a stored hash. MTH of
 * any prefix, and of every range an audit path or a consistency proof
 * needs, is assembled from at most O(log n) stored nodes. Memory: about 64
 * bytes per leaf for the levels plus 8 for the leaf-hash index.
 *
 * The leaf-hash index (leaf hash -> leaf index) is an open-addressed table
 * of 32-bit slots, so a tree holds at most SIM_TREE_MAX_SIZE leaves.
 *
 * Fork view: every query takes leaf0, the hash of a replacement for leaf 0,
 * or NULL for the real tree. Only the left spine (node 0 of each level)
 * depends on leaf 0, so a forked view costs no storage: its spine nodes are
 * recomputed on demand from leaf0 and the stored right siblings.
 */
#ifndef SIM_TREE_H
#define SIM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_HASH_LEN 32
/* Tree sizes are below 2^32, so proofs have at most 2 * 32 nodes. */
#define SIM_PROOF_MAX 64
#define SIM_TREE_LEVELS 33
#define SIM_TREE_MAX_SIZE ((uint64_t)UINT32_MAX - 1)

struct sim_tree {
	/* level[k]: count[k] complete subtree hashes of 2^k leaves each. */
	uint8_t *level[SIM_TREE_LEVELS];
	uint64_t count[SIM_TREE_LEVELS];
	uint64_t cap[SIM_TREE_LEVELS];
	/* Leaf-hash index: slot holds leaf index + 1, 0 = empty. */
	uint32_t *slots;
	uint64_t nslots;
};

/* A proof: len nodes of SIM_HASH_LEN bytes, RFC 6962 section 2.1 order. */
struct sim_proof {
	size_t len;
	uint8_t node[SIM_PROOF_MAX][SIM_HASH_LEN];
};

/*
 * Initialise an empty tree on caller memory.
 * @param t: the tree; release with sim_tree_deinit().
 */
void sim_tree_init(struct sim_tree *t);

/*
 * Release everything the tree holds; t is empty afterwards.
 * @param t: the tree (initialised).
 */
void sim_tree_deinit(struct sim_tree *t);

/*
 * Number of leaves.
 * @param t: the tree.
 * @return: the tree size.
 */
uint64_t sim_tree_size(const struct sim_tree *t);

/*
 * Append one leaf and complete every subtree it closes.
 * @param t: the tree.
 * @param leaf_hash: the RFC 6962 leaf hash (see sim_tree_leaf_hash()).
 * @return: 0; -ENOMEM (tree unchanged); -ERANGE at SIM_TREE_MAX_SIZE.
 */
int sim_tree_append(struct sim_tree *t, const uint8_t leaf_hash[SIM_HASH_LEN]);

/*
 * The stored hash of leaf idx.
 * @param t: the tree.
 * @param idx: leaf index, < sim_tree_size().
 * @return: borrowed; valid until the next sim_tree_append(). NULL when idx
 *	is out of range.
 */
const uint8_t *sim_tree_leaf(const struct sim_tree *t, uint64_t idx);

/*
 * Look a leaf hash up in the real tree (the fork view is the caller's).
 * @param t: the tree.
 * @param leaf_hash: the hash to find.
 * @param idx_out: set to the leaf index when found.
 * @return: true when found.
 */
bool sim_tree_find(const struct sim_tree *t,
    const uint8_t leaf_hash[SIM_HASH_LEN], uint64_t *idx_out);

/*
 * MTH(D[0:size]) (RFC 6962 section 2.1); SHA-256("") for size 0.
 * @param t: the tree.
 * @param size: tree size, <= sim_tree_size().
 * @param leaf0: replacement hash of leaf 0 (fork view) or NULL.
 * @param out: the root.
 * @return: 0; -ERANGE when size is beyond the tree.
 */
int sim_tree_root(const struct sim_tree *t, uint64_t size,
    const uint8_t *leaf0, uint8_t out[SIM_HASH_LEN]);

/*
 * The audit path PATH(idx, D[0:size]) (RFC 6962 section 2.1.1).
 * @param t: the tree.
 * @param idx: leaf index, < size.
 * @param size: tree size, <= sim_tree_size().
 * @param leaf0: replacement hash of leaf 0 (fork view) or NULL.
 * @param out: the path.
 * @return: 0; -ERANGE when idx >= size or size is beyond the tree.
 */
int sim_tree_path(const struct sim_tree *t, uint64_t idx, uint64_t size,
    const uint8_t *leaf0, struct sim_proof *out);

/*
 * The consistency proof PROOF(first, D[0:second]) (RFC 6962 section 2.1.2);
 * empty when first == second.
 * @param t: the tree.
 * @param first: the older size, 0 < first <= second.
 * @param second: the newer size, <= sim_tree_size().
 * @param leaf0: replacement hash of leaf 0 (fork view) or NULL.
 * @param out: the proof.
 * @return: 0; -ERANGE when the sizes are not as above.
 */
int sim_tree_consistency(const struct sim_tree *t, uint64_t first,
    uint64_t second, const uint8_t *leaf0, struct sim_proof *out);

/*
 * Node j of level k: MTH(D[j * 2^k : (j + 1) * 2^k]), a stored perfect
 * subtree (static-ct-api tiles are made of these, k = 8 * tile level).
 * @param t: the tree.
 * @param k: the level, < SIM_TREE_LEVELS.
 * @param j: the node index on that level.
 * @param leaf0: replacement hash of leaf 0 (fork view) or NULL.
 * @param out: the hash.
 * @return: 0; -ERANGE when that subtree is not complete in the tree.
 */
int sim_tree_node(const struct sim_tree *t, size_t k, uint64_t j,
    const uint8_t *leaf0, uint8_t out[SIM_HASH_LEN]);

/*
 * SHA-256(0x00 || leaf): the RFC 6962 section 2.1 leaf hash.
 * @param leaf: the MerkleTreeLeaf bytes.
 * @param leaf_len: their length.
 * @param out: the hash.
 * @return: 0; -ENOMEM when OpenSSL cannot allocate its context.
 */
int sim_tree_leaf_hash(const uint8_t *leaf, size_t leaf_len,
    uint8_t out[SIM_HASH_LEN]);

#endif /* SIM_TREE_H */
