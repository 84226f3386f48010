/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * audit.c -- check a tree head from elsewhere against the front end's
 * view. See audit.h.
 */
#include "config.h"

#include <string.h>

#include "audit.h"
#include "dnsq.h"
#include "err.h"
#include "merkle.h"
#include "sth.h"

int
audit_judge(const struct sth *held, const struct sth *served,
    const uint8_t *proof, size_t count, struct audit_result *res)
{
	uint64_t m = held->tree_size, n = served->tree_size;

	res->check = AUDIT_CHECK_NONE;
	res->proof_len = 0;
	if (m > n) {
		res->verdict = AUDIT_NOT_YET;
		return CTD_OK;
	}
	if (m == 0) {
		/* sth_verify() checked that its root is SHA-256(""): the
		 * empty tree is a prefix of every tree. */
		res->verdict = AUDIT_CONSISTENT;
		return CTD_OK;
	}
	if (m == n) {
		res->check = AUDIT_CHECK_SAME_SIZE;
		res->verdict = memcmp(held->root, served->root,
		    MERKLE_HASH_LEN) == 0 ? AUDIT_CONSISTENT : AUDIT_SPLIT;
		return CTD_OK;
	}
	if (count != merkle_consistency_len(m, n)) {
		return CTD_EMALF;
	}
	res->check = AUDIT_CHECK_CONSISTENCY;
	res->proof_len = count;
	/* RFC 9162 section 2.1.4.2: with the held root known, a proof from
	 * a power of two verifies too (it omits that root). */
	int rc = merkle_verify_consistency(m, n, held->root, served->root,
	    proof, count);
	if (rc != CTD_OK && rc != CTD_EVERIFY) {
		return rc;
	}
	res->verdict = rc == CTD_OK ? AUDIT_CONSISTENT : AUDIT_SPLIT;
	return CTD_OK;
}

int
audit_sth(struct dnsq *dq, const struct logkey *key, const struct sth *held,
    struct audit_result *res)
{
	uint8_t proof[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	size_t count = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = dnsq_sth(dq, &res->served)) != CTD_OK) {
		return rc;
	}
	if ((rc = sth_verify(&res->served, key)) != CTD_OK) {
		return rc == CTD_EVERIFY ? rc : CTD_EMALF;
	}
	if (held->tree_size > 0 &&
	    held->tree_size < res->served.tree_size) {
		count = merkle_consistency_len(held->tree_size,
		    res->served.tree_size);
		rc = dnsq_proof(dq, DNSQ_CONSISTENCY, held->tree_size,
		    res->served.tree_size, count, 0, count, proof);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	return audit_judge(held, &res->served, proof, count, res);
}
