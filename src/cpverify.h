/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpverify.h -- a checkpoint answer (checkpoint.<zone>) judged against a
 * witness policy (pure; the client side: libctdns and ctdns).
 *
 * A policy is a set of witness verifier keys (cosignature/v1, type 0x04)
 * and a quorum K. A checkpoint meets it when the log's own signature
 * (RFC6962NoteSignature) verifies with the log's key for the expected
 * origin, and at least K of the policy's witnesses have a cosignature/v1
 * line that verifies. Keys are distinct (cpverify_policy_add() refuses a
 * key held already, by key ID and public key), so K counts K different
 * signers, never one signer's lines twice. Lines of unknown signers,
 * grease and other algorithms (ML-DSA) are ignored (c2sp.org/signed-note).
 * A witness's line that is present but does not verify does not count and
 * is reported as bad: a lying server cannot make it count, and a client
 * sees that a witness key and a server disagree.
 *
 * Pure: no I/O, no clock, no logging.
 */
#ifndef CTD_CPVERIFY_H
#define CTD_CPVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "note.h"
#include "sth.h"

/* Most witnesses in one policy. */
#define CPVERIFY_WITNESS_MAX 32

struct logkey;

struct cpverify_policy {
	struct note_vkey keys[CPVERIFY_WITNESS_MAX];
	size_t count;
	unsigned quorum;
};

/* What a witness's line came to. */
enum cpverify_witness {
	CPVERIFY_ABSENT = 0,	/* no line of its name and key ID */
	CPVERIFY_VALID,		/* a cosignature/v1 line that verifies */
	CPVERIFY_BAD,		/* a line that does not verify or parse */
};

struct cpverify_result {
	struct sth sth;			/* the log's STH, verified */
	struct checkpoint cp;		/* borrowed from the answer */
	unsigned cosigned;		/* witnesses with a valid line */
	enum cpverify_witness witness[CPVERIFY_WITNESS_MAX];
	uint64_t time[CPVERIFY_WITNESS_MAX];	/* of each valid line */
};

/*
 * Add a witness verifier key to a policy (zeroed first by the caller).
 * @param vkey: "<name>+<hex key ID>+<base64(0x04 || key)>", len bytes.
 * @return: CTD_OK; CTD_EMALF when it does not parse; CTD_ERANGE when it
 *	is not a cosignature/v1 (type 0x04) Ed25519 key; CTD_EINVAL when the
 *	policy holds this key already; CTD_ESPACE when it is full.
 */
int cpverify_policy_add(struct cpverify_policy *p, const char *vkey,
    size_t len);

/*
 * Open a checkpoint answer and count its witnesses.
 * @param buf, len: the answer's text (its strings joined).
 * @param origin: the expected origin (NUL-terminated): the RFC 6962
 *	signature does not cover it, so it must come from the caller.
 * @param key: the log's key.
 * @param p: the policy; may be NULL (no witness counted).
 * @param out: filled; out->cp points into buf.
 * @return: CTD_OK when the log's signature verifies (the quorum is
 *	cpverify_quorum_met()'s to judge); else note_open_rfc6962()'s code
 *	(CTD_EMALF, CTD_EVERIFY for a bad signature or another origin,
 *	CTD_ENOTFOUND without the log's line).
 */
int cpverify_open(const char *buf, size_t len, const char *origin,
    const struct logkey *key, const struct cpverify_policy *p,
    struct cpverify_result *out);

/* true when the opened checkpoint has the policy's quorum. */
bool cpverify_quorum_met(const struct cpverify_policy *p,
    const struct cpverify_result *r);

#endif /* CTD_CPVERIFY_H */
