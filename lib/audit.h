/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * audit.h -- check a tree head from elsewhere against the front end's view.
 *
 * An STH handed over by a TLS server or another client (the CT gossip
 * drafts' "STH pollination") is worth something only if it belongs to the
 * same tree the client's own front end serves. audit_sth() asks
 * sth.<zone>, checks that STH's signature, and compares:
 *   - same size: the roots must be equal;
 *   - the held tree is smaller: the consistency proof from it to the
 *     served head (<first>.<second>.sth-consistency.<zone>) must lead
 *     from the held root to the served root;
 *   - the held tree is larger: the front end serves proofs up to its own
 *     head only, so nothing can be checked through DNS yet.
 * Two STHs signed by the log's key that fail the first two checks are the
 * evidence of a split view: the log signed two trees no single history
 * holds.
 *
 * audit_judge() is the pure decision, for tests; audit_sth() blocks on
 * DNS (dnsq.h). The held STH's signature is the caller's to check.
 */
#ifndef CTDNS_AUDIT_H
#define CTDNS_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "dnsq.h"
#include "sth.h"

struct logkey;

enum audit_verdict {
	AUDIT_CONSISTENT = 0,	/* one history holds both heads */
	AUDIT_SPLIT,		/* no history does: a split view */
	AUDIT_NOT_YET,		/* the held head is beyond the served one */
};

/* Which comparison decided. */
enum audit_check {
	AUDIT_CHECK_NONE = 0,		/* nothing to compare (empty tree,
					 * or AUDIT_NOT_YET) */
	AUDIT_CHECK_SAME_SIZE,		/* equal sizes, roots compared */
	AUDIT_CHECK_CONSISTENCY,	/* held < served, proof verified */
};

struct audit_result {
	enum audit_verdict verdict;
	enum audit_check check;
	struct sth served;	/* the front end's STH, signature verified */
	size_t proof_len;	/* nodes of the consistency proof checked */
};

/*
 * Judge a held STH against a served one (both signatures verified by the
 * caller). Pure.
 * @param held: the STH from elsewhere.
 * @param served: the front end's STH.
 * @param proof: merkle_consistency_len(held size, served size) nodes of
 *	32 bytes when held is smaller and not empty; else ignored (NULL ok).
 * @param count: the number of nodes in proof.
 * @param res: verdict, check and proof_len set (served is not touched).
 * @return: CTD_OK (the verdict says what was found); CTD_EMALF when count
 *	is not the proof length the sizes imply.
 */
int audit_judge(const struct sth *held, const struct sth *served,
    const uint8_t *proof, size_t count, struct audit_result *res);

/*
 * Fetch the front end's STH, verify its signature, fetch the consistency
 * proof when the held tree is smaller, and judge (audit_judge()).
 * @param dq: the DNS client, set to the log's zone.
 * @param key: the log's key.
 * @param held: the STH from elsewhere, its signature already verified.
 * @param res: the outcome; res->served is set once fetched and verified.
 * @return: CTD_OK (see res->verdict); CTD_EVERIFY or CTD_EMALF when the
 *	served STH does not verify or parse; CTD_EINCONSISTENT when the front
 *	end denies a proof its own tree implies; CTD_ENET, CTD_ECONF as
 *	dnsq_sth() and dnsq_proof().
 */
int audit_sth(struct dnsq *dq, const struct logkey *key,
    const struct sth *held, struct audit_result *res);

#endif /* CTDNS_AUDIT_H */
