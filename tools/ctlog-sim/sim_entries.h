/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_entries.h -- the simulated log's synthetic certificates and leaves.
 *
 * Entry i is an X.509 v3 certificate for leaf-<i>.sim.example (serial i,
 * fixed validity, one fixed Ed25519 subject key), issued by a self-signed
 * Ed25519 "ctlog-sim CA". Both keys derive from the seed, and Ed25519
 * signatures are deterministic, so index i yields the same bytes for the
 * same seed on every run and every machine. Nothing is stored per entry:
 * callers keep the leaf hashes and regenerate bytes on demand (about 30
 * microseconds per entry).
 *
 * The RFC 6962 section 3.4 MerkleTreeLeaf wraps the certificate as an
 * x509_entry: version 0, leaf_type 0 (timestamped_entry), timestamp
 * SIM_ENTRIES_TIME0 + i (milliseconds), entry_type 0, uint24 length + DER,
 * no extensions. extra_data (RFC 6962 section 4.6) is the TLS-encoded
 * certificate_chain holding the CA certificate.
 *
 * The "fork" variant of entry i has subject fork-<i>.sim.example: a leaf
 * the real log never holds, used to publish a forked tree.
 *
 * Read-only after sim_entries_new() and sim_entries_cache() (but for the
 * cache's slots, each set once, atomically); every other function may run
 * concurrently.
 */
#ifndef SIM_ENTRIES_H
#define SIM_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Leaf timestamps: 2023-11-14T22:13:20Z plus the leaf index in ms. */
#define SIM_ENTRIES_TIME0 UINT64_C(1700000000000)

struct sim_entries;

/*
 * Derive the CA and subject keys from the seed and issue the CA cert.
 * @param seed: any text (NUL-terminated).
 * @return: the generator, caller frees with sim_entries_free(); NULL on
 *	failure.
 */
struct sim_entries *sim_entries_new(const char *seed);

/*
 * Keep the bytes of entries [0, n) once built (not the fork variants), so
 * that serving them again costs a copy, not a signature: for benchmarks
 * of a reader (a mirror), where the sim must not be the bound. About 400
 * bytes an entry, and about 900 more for each entry served by get-entries
 * (sim_entries_json). Call once, before any other use of e.
 * @param e: the generator.
 * @param n: entries to keep.
 * @param eager_json: build each entry's get-entries text when its leaf
 *	hash is first computed (sim_entries_leaf_hashes), so that serving
 *	it is a copy from the first time; else on first use.
 * @return: 0; -1 when out of memory.
 */
int sim_entries_cache(struct sim_entries *e, uint64_t n, bool eager_json);

/*
 * Entry idx's get-entries object, {"leaf_input":"...","extra_data":"..."}
 * with the CA chain as extra_data (RFC 6962 section 4.6), built once and
 * kept, so that a page of cached entries is served by copying.
 * @param e: the generator, with sim_entries_cache().
 * @param idx: the leaf index (the real entry, never the fork variant).
 * @return: NUL-terminated text valid until sim_entries_free(); NULL when
 *	idx is not below sim_entries_cache()'s n, or memory is short.
 */
const char *sim_entries_json(const struct sim_entries *e, uint64_t idx);

/*
 * Release the generator; NULL is a no-op.
 * @param e: the generator.
 */
void sim_entries_free(struct sim_entries *e);

/*
 * The MerkleTreeLeaf of entry idx.
 * @param e: the generator.
 * @param idx: the leaf index.
 * @param fork: true for the fork variant.
 * @param out: set to the bytes; caller frees with free().
 * @param out_len: set to their length.
 * @return: 0; -1 when OpenSSL or malloc fails.
 */
int sim_entries_leaf(const struct sim_entries *e, uint64_t idx, bool fork,
    uint8_t **out, size_t *out_len);

/*
 * The RFC 6962 leaf hash of entry idx (sim_entries_leaf() then hash).
 * @param e: the generator.
 * @param idx: the leaf index.
 * @param fork: true for the fork variant.
 * @param out: the 32-byte hash.
 * @return: 0; -1 when OpenSSL or malloc fails.
 */
int sim_entries_leaf_hash(const struct sim_entries *e, uint64_t idx,
    bool fork, uint8_t out[32]);

/*
 * The leaf hashes of entries [first, first + n), built on up to all CPUs
 * (one thread each, at most 16).
 * @param e: the generator.
 * @param first: the first index.
 * @param n: how many.
 * @param hashes: room for n * 32 bytes.
 * @return: 0; -1 when OpenSSL or malloc fails.
 */
int sim_entries_leaf_hashes(const struct sim_entries *e, uint64_t first,
    size_t n, uint8_t *hashes);

/*
 * The extra_data of every entry: certificate_chain = [CA certificate].
 * @param e: the generator.
 * @param len_out: set to the length.
 * @return: borrowed; valid until sim_entries_free().
 */
const uint8_t *sim_entries_chain(const struct sim_entries *e,
    size_t *len_out);

/*
 * The DER CA certificate (the log's only accepted root, get-roots).
 * @param e: the generator.
 * @param len_out: set to the length.
 * @return: borrowed; valid until sim_entries_free().
 */
const uint8_t *sim_entries_root(const struct sim_entries *e,
    size_t *len_out);

#endif /* SIM_ENTRIES_H */
