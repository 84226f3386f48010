/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vstate.c -- one SCT's inclusion proof over DNS, as a state machine.
 *
 *   STH   sth.<zone>: parse, check the signature with the log's key.
 *         With a witness policy (ctdns_loglist_set_witnesses()),
 *         checkpoint.<zone> instead: the log's signature for its origin,
 *         then the policy's quorum of cosignatures, or CTDNS_NO_QUORUM
 *         before any leaf question (cpverify.h).
 *         STH older than the SCT: not yet provable (no question asked
 *         about the leaf, so no NXDOMAIN is cached for it).
 *   HASH  <base32 leaf hash>.hash.<zone>: the leaf index.
 *         NXDOMAIN: not yet provable while the STH is younger than
 *         SCT + MMD; after that the log broke its promise: proof failed.
 *         An index beyond the STH's tree: the STH we hold is older than
 *         the tree that merged the leaf: not yet provable.
 *         Skipped when the SCT carries its index (the static-ct-api
 *         leaf_index extension, vstate_set_index()): the log signed it,
 *         so no server is asked. An index beyond the STH's tree is then
 *         judged like NXDOMAIN above: not yet provable before SCT + MMD,
 *         a broken promise after (the signed STH does not hold the leaf
 *         the signed SCT placed there).
 *   PATH  <start>.<index>.<size>.tree.<zone>, start advanced by the nodes
 *         each answer held, until merkle_path_len(index, size) nodes;
 *         then the path must lead from the leaf hash to the STH's root.
 *
 * "Try after" times: SCT timestamp + MMD while that lies ahead (RFC 6962
 * section 3: the log merges within its MMD); once it has passed, now +
 * the TTL of the STH answer (a resolver may hold an older STH that long).
 *
 * Pure: no I/O, no clock (now_ms comes in), no logging.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base32.h"
#include "cpverify.h"
#include "err.h"
#include "internal.h"
#include "logkey.h"

__attribute__((format(printf, 3, 4)))
static void
finish(struct vstate *vs, enum ctdns_outcome outcome, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vs->res->detail, sizeof vs->res->detail, fmt, ap);
	va_end(ap);
	vs->res->outcome = outcome;
	vs->phase = VSTATE_DONE;
}

void
vstate_init(struct vstate *vs, const struct ll_log *log, uint64_t sct_ts,
    const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t now_ms,
    struct ctdns_sct_result *res)
{
	memset(vs, 0, sizeof *vs);
	vs->phase = VSTATE_STH;
	vs->log = log;
	vs->sct_ts = sct_ts;
	vs->now_ms = now_ms;
	memcpy(vs->leaf_hash, leaf_hash, MERKLE_HASH_LEN);
	vs->res = res;
}

void
vstate_set_index(struct vstate *vs, uint64_t index)
{
	vs->index = index;
	vs->index_known = true;
}

bool
vstate_next(const struct vstate *vs, struct vstate_question *q)
{
	char b32[BASE32_HASH_LEN + 1];

	switch (vs->phase) {
	case VSTATE_STH:
		if (vs->log->policy != NULL) {
			q->what = "checkpoint";
			snprintf(q->label, sizeof q->label, "checkpoint");
			q->cap = DNSQ_TXT_MAX;
			return true;
		}
		q->what = "sth";
		snprintf(q->label, sizeof q->label, "sth");
		q->cap = STH_TXT_MAX;
		return true;
	case VSTATE_HASH:
		q->what = "hash";
		base32_encode_hash(vs->leaf_hash, b32);
		snprintf(q->label, sizeof q->label, "%s.hash", b32);
		q->cap = DNSQ_STRING_MAX;
		return true;
	case VSTATE_PATH:
		q->what = "tree";
		snprintf(q->label, sizeof q->label, "%zu.%" PRIu64 ".%" PRIu64
		    ".tree", vs->have, vs->index, vs->sth.tree_size);
		q->cap = DNSQ_STRING_MAX;
		return true;
	default:
		return false;
	}
}

/* When a proof may exist: the MMD deadline, or a fresh STH. */
static uint64_t
retry_after(const struct vstate *vs)
{
	uint64_t deadline = vs->sct_ts + vs->log->mmd_ms;
	uint32_t ttl = vs->sth_ttl > 0 ? vs->sth_ttl : 1;

	return deadline > vs->now_ms ? deadline :
	    vs->now_ms + (uint64_t)ttl * 1000;
}

/* The leaf is not in the STH's tree: too early, or a broken promise. */
static void
not_merged(struct vstate *vs, const char *why)
{
	uint64_t deadline = vs->sct_ts + vs->log->mmd_ms;

	if (vs->sth.timestamp >= deadline) {
		finish(vs, CTDNS_PROOF_FAILED, "%s, and the STH (tree %" PRIu64
		    ", timestamp %" PRIu64 ") is past the SCT's timestamp + "
		    "MMD (%" PRIu64 "): the log did not merge it in time", why,
		    vs->sth.tree_size, vs->sth.timestamp, deadline);
		return;
	}
	vs->res->retry_after_ms = retry_after(vs);
	finish(vs, CTDNS_NOT_YET, "%s; the STH (tree %" PRIu64 ") is younger "
	    "than the SCT's timestamp + MMD", why, vs->sth.tree_size);
}

/* All nodes are in: check the path against the signed root. */
static void
conclude(struct vstate *vs)
{
	int rc = merkle_verify_inclusion(vs->index, vs->sth.tree_size,
	    vs->leaf_hash, vs->path, vs->path_len, vs->sth.root);

	if (rc != CTD_OK) {
		finish(vs, CTDNS_PROOF_FAILED, "the audit path of leaf %" PRIu64
		    "%s (%zu nodes) does not lead to the signed root of tree %"
		    PRIu64, vs->index, vs->index_known ? " (the SCT's "
		    "leaf_index)" : "", vs->path_len, vs->sth.tree_size);
		return;
	}
	vs->res->leaf_index = vs->index;
	finish(vs, CTDNS_INCLUDED, "audit path of %zu nodes verified against "
	    "the signed root of tree %" PRIu64, vs->path_len,
	    vs->sth.tree_size);
}

/* The index lies inside the STH's tree: ask for its audit path. */
static void
start_path(struct vstate *vs)
{
	vs->path_len = merkle_path_len(vs->index, vs->sth.tree_size);
	vs->have = 0;
	if (vs->path_len == 0) {
		conclude(vs);
		return;
	}
	vs->phase = VSTATE_PATH;
}

/* The index came from the SCT: is the leaf in the STH's tree yet? */
static void
at_index(struct vstate *vs)
{
	if (vs->index >= vs->sth.tree_size) {
		char why[128];
		snprintf(why, sizeof why, "the SCT's leaf index %" PRIu64
		    " is beyond the STH's tree of %" PRIu64 " leaves",
		    vs->index, vs->sth.tree_size);
		not_merged(vs, why);
		return;
	}
	start_path(vs);
}

/*
 * The head from checkpoint.<zone>: the log's signature for its origin,
 * then the policy's quorum. @return: true when vs->sth holds the head.
 */
static bool
open_checkpoint(struct vstate *vs, const struct dnsq_answer *a)
{
	const struct ll_log *l = vs->log;
	struct cpverify_result r;
	int rc = cpverify_open((const char *)a->txt, a->len, l->origin,
	    l->key, l->policy, &r);

	if (rc != CTD_OK) {
		finish(vs, CTDNS_PROOF_FAILED, "checkpoint.%s: %s", l->zone,
		    rc == CTD_EMALF ? "the TXT answer is not a checkpoint" :
		    "the log's signature does not verify with its key, or "
		    "the origin is not the log's");
		return false;
	}
	vs->res->witnesses_cosigned = r.cosigned;
	if (!cpverify_quorum_met(l->policy, &r)) {
		vs->res->tree_size = r.sth.tree_size;
		vs->res->sth_timestamp_ms = r.sth.timestamp;
		finish(vs, CTDNS_NO_QUORUM, "checkpoint.%s: tree %" PRIu64
		    " has %u valid witness cosignatures, the policy needs %u",
		    l->zone, r.sth.tree_size, r.cosigned, l->policy->quorum);
		return false;
	}
	vs->sth = r.sth;
	return true;
}

/* The head from sth.<zone>. @return: true when vs->sth holds it. */
static bool
open_sth(struct vstate *vs, const struct dnsq_answer *a)
{
	if (dnsq_parse_sth(a, &vs->sth) != CTD_OK) {
		finish(vs, CTDNS_PROOF_FAILED, "sth.%s: the TXT answer is not "
		    "an STH", vs->log->zone);
		return false;
	}
	if (sth_verify(&vs->sth, vs->log->key) != CTD_OK) {
		finish(vs, CTDNS_PROOF_FAILED, "sth.%s: the STH signature does "
		    "not verify with the log's key", vs->log->zone);
		return false;
	}
	return true;
}

static void
feed_sth(struct vstate *vs, const struct dnsq_answer *a)
{
	const char *form = vs->log->policy != NULL ? "checkpoint" : "sth";

	if (a->rc == CTD_ENOTFOUND) {
		finish(vs, CTDNS_ERROR, "%s.%s: NXDOMAIN: no CT-over-DNS log "
		    "at this zone", form, vs->log->zone);
		return;
	}
	if (a->rc != CTD_OK) {
		finish(vs, CTDNS_ERROR, "%s", a->err);
		return;
	}
	if (!(vs->log->policy != NULL ? open_checkpoint(vs, a) :
	    open_sth(vs, a))) {
		return;
	}
	vs->sth_ttl = a->ttl;
	vs->res->tree_size = vs->sth.tree_size;
	vs->res->sth_timestamp_ms = vs->sth.timestamp;
	if (vs->sth.timestamp < vs->sct_ts) {
		vs->res->retry_after_ms = retry_after(vs);
		finish(vs, CTDNS_NOT_YET, "the STH (tree %" PRIu64 ", timestamp "
		    "%" PRIu64 ") is older than the SCT", vs->sth.tree_size,
		    vs->sth.timestamp);
		return;
	}
	if (vs->sth.tree_size == 0) {
		not_merged(vs, "the log's tree is empty");
		return;
	}
	if (vs->index_known) {
		at_index(vs);
		return;
	}
	vs->phase = VSTATE_HASH;
}

static void
feed_hash(struct vstate *vs, const struct dnsq_answer *a)
{
	if (a->rc == CTD_ENOTFOUND) {
		not_merged(vs, "the leaf hash is not in the log (NXDOMAIN)");
		return;
	}
	if (a->rc != CTD_OK) {
		finish(vs, CTDNS_ERROR, "%s", a->err);
		return;
	}
	if (dnsq_parse_index(a, &vs->index) != CTD_OK) {
		finish(vs, CTDNS_PROOF_FAILED, "the hash answer is not one "
		    "decimal leaf index");
		return;
	}
	if (vs->index >= vs->sth.tree_size) {
		/* Merged into a tree newer than the STH we were served. */
		vs->res->retry_after_ms = vs->now_ms +
		    (uint64_t)(vs->sth_ttl > 0 ? vs->sth_ttl : 1) * 1000;
		finish(vs, CTDNS_NOT_YET, "leaf index %" PRIu64 " is beyond "
		    "the STH's tree of %" PRIu64 " leaves (an older STH)",
		    vs->index, vs->sth.tree_size);
		return;
	}
	start_path(vs);
}

static void
feed_path(struct vstate *vs, const struct dnsq_answer *a)
{
	size_t nodes;

	if (a->rc == CTD_ENOTFOUND) {
		finish(vs, CTDNS_PROOF_FAILED, "NXDOMAIN for node %zu of the "
		    "audit path of leaf %" PRIu64 " in tree %" PRIu64 ", which "
		    "the signed tree must hold", vs->have, vs->index,
		    vs->sth.tree_size);
		return;
	}
	if (a->rc != CTD_OK) {
		finish(vs, CTDNS_ERROR, "%s", a->err);
		return;
	}
	if (dnsq_parse_chunk(a, vs->path_len - vs->have, &nodes) != CTD_OK) {
		finish(vs, CTDNS_PROOF_FAILED, "tree answer for node %zu is "
		    "not one string of 1..%zu whole 32-byte nodes (%zu strings,"
		    " %zu bytes)", vs->have, vs->path_len - vs->have,
		    a->strings, a->len);
		return;
	}
	memcpy(vs->path + vs->have * MERKLE_HASH_LEN, a->txt,
	    nodes * MERKLE_HASH_LEN);
	vs->have += nodes;
	if (vs->have == vs->path_len) {
		conclude(vs);
	}
}

void
vstate_feed(struct vstate *vs, const struct dnsq_answer *a)
{
	switch (vs->phase) {
	case VSTATE_STH:
		feed_sth(vs, a);
		break;
	case VSTATE_HASH:
		feed_hash(vs, a);
		break;
	case VSTATE_PATH:
		feed_path(vs, a);
		break;
	default:
		break;
	}
}
