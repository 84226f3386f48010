/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_note.h -- the static-ct-api checkpoint of the simulated log: a
 * C2SP signed note (c2sp.org/signed-note) over a C2SP checkpoint
 * (c2sp.org/tlog-checkpoint), and the simulator's own witness key.
 *
 * The note text is three lines: origin, tree size, base64 root. It
 * carries three signature lines, in an order shuffled on every call:
 * - the log's RFC6962NoteSignature (static-ct-api "Checkpoints"): key
 *   name = origin, key ID = SHA-256(origin || 0x0A || 0x05 || LogID)[:4],
 *   signature = timestamp (uint64) || the STH's TreeHeadSignature
 *   DigitallySigned, exactly as get-sth serves it;
 * - a grease line: random key name, key ID and signature, which a client
 *   must ignore;
 * - an Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature) by the
 *   simulator's witness key: key ID = SHA-256(name || 0x0A || 0x04 ||
 *   public key)[:4], signature = time (uint64 seconds, the STH timestamp
 *   rounded down) || Ed25519("cosignature/v1\ntime <time>\n" || text).
 *
 * The witness key is Ed25519 from SHA-256(seed || "\n" || "witness"), so
 * tests can pin it (--print-witness-vkey). Reads no clock; uses OpenSSL's
 * RAND only for the grease line and the order.
 */
#ifndef SIM_NOTE_H
#define SIM_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_log.h"

/* The witness's key name. */
#define SIM_NOTE_WITNESS_NAME "witness.sim.example"

struct sim_witness;

/*
 * Derive the witness key from the seed.
 * @param seed: the simulator's seed (NUL-terminated).
 * @return: the key, caller frees with sim_witness_free(); NULL on failure.
 */
struct sim_witness *sim_witness_new(const char *seed);

/*
 * Release a witness key; NULL is a no-op.
 * @param w: the key.
 */
void sim_witness_free(struct sim_witness *w);

/*
 * The witness's verifier key in signed-note vkey form:
 * name "+" key ID (8 lowercase hex digits) "+" base64(0x04 || public key).
 * @param w: the key.
 * @return: caller frees with free(); NULL when out of memory.
 */
char *sim_witness_vkey(const struct sim_witness *w);

/*
 * The checkpoint for an STH.
 * @param origin: the origin line (no newline).
 * @param sth: the STH to encode (its signature is used as is).
 * @param spki: the log's public key, DER SubjectPublicKeyInfo (its
 *	SHA-256 is the LogID).
 * @param spki_len: its length.
 * @param w: the witness that cosigns.
 * @param bad_keyid: true to spoil the RFC 6962 line's key ID (test mode).
 * @return: the note, NUL-terminated; caller frees with free(); NULL on
 *	failure (out of memory, OpenSSL).
 */
char *sim_note_checkpoint(const char *origin, const struct sim_sth *sth,
    const uint8_t *spki, size_t spki_len, const struct sim_witness *w,
    bool bad_keyid);

#endif /* SIM_NOTE_H */
