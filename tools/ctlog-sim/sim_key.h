/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_key.h -- the simulated log's signing key (ECDSA P-256 from a seed).
 *
 * The private scalar is SHA-256(seed) reduced modulo the P-256 group order
 * (1 if that gives 0), so the demo configuration can carry the public key
 * for a fixed seed. The key signs TLS DigitallySigned structs (RFC 5246
 * section 4.7, RFC 6962 section 3.5): the STH today, SCTs when add-chain
 * arrives. ECDSA signatures are randomised; only the key is deterministic.
 *
 * A key is read-only after sim_key_new() and may sign from several threads.
 */
#ifndef SIM_KEY_H
#define SIM_KEY_H

#include <stddef.h>
#include <stdint.h>

/* 2 algorithm bytes, 2 length bytes, and a DER ECDSA P-256 signature. */
#define SIM_KEY_SIG_MAX (4 + 72)

struct sim_key;

/*
 * Derive the log key from the seed.
 * @param seed: any text (NUL-terminated).
 * @return: the key, caller frees with sim_key_free(); NULL on failure.
 */
struct sim_key *sim_key_new(const char *seed);

/*
 * Release a key; NULL is a no-op.
 * @param key: the key.
 */
void sim_key_free(struct sim_key *key);

/*
 * The public key as DER SubjectPublicKeyInfo (what log lists publish).
 * @param key: the key.
 * @param len_out: set to the length.
 * @return: borrowed; valid until sim_key_free().
 */
const uint8_t *sim_key_spki(const struct sim_key *key, size_t *len_out);

/*
 * Sign msg as a DigitallySigned struct: hash 4 (sha256), signature 3
 * (ecdsa), uint16 length, DER ECDSA-Sig-Value.
 * @param key: the key.
 * @param msg: the bytes to sign (for instance a TreeHeadSignature).
 * @param msg_len: their length.
 * @param out: room for SIM_KEY_SIG_MAX bytes.
 * @param out_len: set to the bytes written.
 * @return: 0; -1 when OpenSSL fails.
 */
int sim_key_sign(const struct sim_key *key, const uint8_t *msg,
    size_t msg_len, uint8_t *out, size_t *out_len);

#endif /* SIM_KEY_H */
