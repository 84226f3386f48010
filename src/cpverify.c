/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpverify.c -- a checkpoint answer judged against a witness policy
 * (cpverify.h): the log's signature, then one count per witness.
 */
#include "config.h"

#include <string.h>

#include "cpverify.h"
#include "err.h"
#include "note.h"

int
cpverify_policy_add(struct cpverify_policy *p, const char *vkey, size_t len)
{
	struct note_vkey k;
	int rc = note_vkey_parse(vkey, len, &k);

	if (rc != CTD_OK) {
		return rc;
	}
	if (k.type != NOTE_TYPE_COSIG_V1) {
		return CTD_ERANGE;
	}
	for (size_t i = 0; i < p->count; i++) {
		if (p->keys[i].key_id == k.key_id &&
		    memcmp(p->keys[i].pub, k.pub, sizeof k.pub) == 0) {
			return CTD_EINVAL;
		}
	}
	if (p->count == CPVERIFY_WITNESS_MAX) {
		return CTD_ESPACE;
	}
	p->keys[p->count++] = k;
	return CTD_OK;
}

int
cpverify_open(const char *buf, size_t len, const char *origin,
    const struct logkey *key, const struct cpverify_policy *p,
    struct cpverify_result *out)
{
	struct note n;
	int rc;

	memset(out, 0, sizeof *out);
	rc = note_open_rfc6962(buf, len, origin, key, &out->sth, &out->cp);
	if (rc != CTD_OK || p == NULL) {
		return rc;
	}
	/* note_open_rfc6962() parsed the same bytes: this cannot fail. */
	if ((rc = note_parse(buf, len, &n)) != CTD_OK) {
		return rc;
	}
	for (size_t i = 0; i < p->count; i++) {
		rc = note_cosig_verify(&n, &p->keys[i], &out->time[i]);
		if (rc == CTD_OK) {
			out->witness[i] = CPVERIFY_VALID;
			out->cosigned++;
		} else if (rc != CTD_ENOTFOUND) {
			out->witness[i] = CPVERIFY_BAD;
		}
	}
	return CTD_OK;
}

bool
cpverify_quorum_met(const struct cpverify_policy *p,
    const struct cpverify_result *r)
{
	return r->cosigned >= (p != NULL ? p->quorum : 0);
}
