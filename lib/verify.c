/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify.c -- libctdns' public API: requests, clients, reports, and the
 * two drivers of the per-SCT state machine (vstate.c).
 *
 * Each SCT is first prepared without any network traffic: its log looked
 * up, its MerkleTreeLeaf built, its signature checked (sctx.c), its
 * extensions read (a static-ct-api leaf_index spares the hash question,
 * whatever list, logs or tiled_logs, names the log). Only an
 * SCT that passes, from a log that is not rejected and has a DNS zone,
 * goes on to the DNS walk. The blocking driver asks with ldns' stub
 * resolver, one SCT after another; the libuv driver runs every SCT's walk
 * at once, each its own sequence of questions (uvq.c). Both feed the same
 * machine, so their reports agree.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <uv.h>

#include "base64.h"
#include "err.h"
#include "internal.h"

/* --- names ------------------------------------------------------------- */

const char *
ctdns_outcome_name(enum ctdns_outcome outcome)
{
	switch (outcome) {
	case CTDNS_INCLUDED: return "included";
	case CTDNS_SCT_INVALID: return "SCT invalid";
	case CTDNS_NOT_YET: return "not yet provable";
	case CTDNS_PROOF_FAILED: return "proof failed";
	case CTDNS_LOG_UNKNOWN: return "log unknown";
	case CTDNS_LOG_REJECTED: return "log rejected";
	case CTDNS_NO_ZONE: return "no DNS zone";
	case CTDNS_ERROR: return "error";
	case CTDNS_NO_QUORUM: return "no witness quorum";
	}
	return "unknown outcome";
}

bool
ctdns_outcome_is_failure(enum ctdns_outcome outcome)
{
	return outcome == CTDNS_SCT_INVALID ||
	    outcome == CTDNS_PROOF_FAILED || outcome == CTDNS_ERROR ||
	    outcome == CTDNS_NO_QUORUM;
}

const char *
ctdns_strerror(int err)
{
	return ctd_strerror(err);
}

/* --- requests ---------------------------------------------------------- */

int
ctdns_request_new(X509 *cert, X509 *issuer, struct ctdns_request **out)
{
	struct ctdns_request *req;
	int rc;

	*out = NULL;
	if (cert == NULL) {
		return CTD_EINVAL;
	}
	if ((req = calloc(1, sizeof *req)) == NULL) {
		return CTD_ENOMEM;
	}
	X509_up_ref(cert);
	req->cert = cert;
	if (issuer != NULL) {
		X509_up_ref(issuer);
		req->issuer = issuer;
	}
	if ((rc = sctx_add_embedded(req)) != CTD_OK) {
		ctdns_request_free(req);
		return rc;
	}
	*out = req;
	return CTD_OK;
}

int
ctdns_request_add_sct_list(struct ctdns_request *req, const uint8_t *list,
    size_t len, enum ctdns_sct_source source)
{
	return sctx_add_list(req, list, len, source);
}

size_t
ctdns_request_sct_count(const struct ctdns_request *req)
{
	return req->count;
}

void
ctdns_request_free(struct ctdns_request *req)
{
	if (req == NULL) {
		return;
	}
	for (size_t i = 0; i < req->count; i++) {
		SCT_free(req->scts[i].sct);
	}
	free(req->scts);
	X509_free(req->cert);
	X509_free(req->issuer);
	free(req);
}

/* --- clients ----------------------------------------------------------- */

int
ctdns_client_new(const struct ctdns_loglist *logs, const char *server,
    unsigned flags, struct ctdns_client **out)
{
	struct ctdns_client *c = calloc(1, sizeof *c);
	int rc;

	*out = NULL;
	if (c == NULL) {
		return CTD_ENOMEM;
	}
	c->logs = logs;
	c->tcp = (flags & CTDNS_CLIENT_TCP) != 0;
	/* The zone is set per SCT; "invalid." only fills the slot. */
	rc = dnsq_init(&c->dq, "invalid.", server, c->tcp, false, NULL);
	if (rc == CTD_OK) {
		rc = dnsq_server_addr(&c->dq, &c->addr, &c->addr_len);
	}
	if (rc != CTD_OK) {
		dnsq_deinit(&c->dq);
		free(c);
		return rc;
	}
	*out = c;
	return CTD_OK;
}

void
ctdns_client_set_time(struct ctdns_client *c, uint64_t now_ms)
{
	c->now_ms = now_ms;
}

void
ctdns_client_free(struct ctdns_client *c)
{
	if (c == NULL) {
		return;
	}
	dnsq_deinit(&c->dq);
	free(c);
}

uint64_t
client_now(const struct ctdns_client *c)
{
	struct timespec ts;

	if (c->now_ms != 0) {
		return c->now_ms;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- reports ----------------------------------------------------------- */

size_t
ctdns_report_count(const struct ctdns_report *rep)
{
	return rep->count;
}

const struct ctdns_sct_result *
ctdns_report_get(const struct ctdns_report *rep, size_t i)
{
	return i < rep->count ? &rep->res[i] : NULL;
}

void
ctdns_report_free(struct ctdns_report *rep)
{
	if (rep == NULL) {
		return;
	}
	free(rep->res);
	free(rep);
}

static struct ctdns_report *
report_new(size_t count)
{
	struct ctdns_report *rep = calloc(1, sizeof *rep);

	if (rep == NULL) {
		return NULL;
	}
	rep->count = count;
	if (count > 0 && (rep->res = calloc(count, sizeof *rep->res)) ==
	    NULL) {
		free(rep);
		return NULL;
	}
	return rep;
}

/* --- preparing one SCT --------------------------------------------------- */

/* The SCT's log, or NULL with res telling why. */
static const struct ll_log *
find_log(const struct ctdns_client *c, const SCT *sct,
    struct ctdns_sct_result *res)
{
	unsigned char *id = NULL;
	size_t id_len = SCT_get0_log_id(sct, &id);
	const struct ll_log *log;

	if (id_len != CTDNS_LOG_ID_LEN) {
		res->outcome = CTDNS_SCT_INVALID;
		snprintf(res->detail, sizeof res->detail, "the log ID is not "
		    "32 bytes");
		return NULL;
	}
	memcpy(res->log_id, id, CTDNS_LOG_ID_LEN);
	(void)base64_encode(id, CTDNS_LOG_ID_LEN, res->log_id_b64,
	    sizeof res->log_id_b64, NULL);
	if ((log = loglist_find(c->logs, res->log_id)) == NULL) {
		res->outcome = CTDNS_LOG_UNKNOWN;
		snprintf(res->detail, sizeof res->detail, "log %s is not in "
		    "the log list", res->log_id_b64);
		return NULL;
	}
	snprintf(res->log_description, sizeof res->log_description, "%s",
	    log->description);
	res->log_state = log->state;
	res->log_state_time_ms = log->state_time_ms;
	return log;
}

/*
 * The SCT's extensions, once its signature verified (they are signed): a
 * leaf_index extension gives the index to prove at (res->leaf_index,
 * index_from_sct). false with res final when they are malformed.
 */
static bool
check_extensions(const SCT *sct, struct ctdns_sct_result *res)
{
	uint64_t index;
	int rc = sctx_leaf_index(sct, &index);

	if (rc == CTD_ENOTFOUND) {
		return true;
	}
	if (rc != CTD_OK) {
		res->outcome = CTDNS_SCT_INVALID;
		snprintf(res->detail, sizeof res->detail, "the SCT's "
		    "extensions are malformed (not a CtExtensions list, a "
		    "repeated type, or a leaf_index that is not 5 bytes)");
		return false;
	}
	res->leaf_index = index;
	res->index_from_sct = true;
	return true;
}

/* Leaf, leaf hash and signature; false with res final when not valid. */
static bool
check_sct(const struct ctdns_client *c, const struct ctdns_request *req,
    const SCT *sct, const struct ll_log *log, uint64_t now,
    struct ctdns_sct_result *res)
{
	uint8_t *leaf = NULL;
	size_t leaf_len = 0;

	int rc = sctx_leaf(sct, req->cert, req->issuer, &leaf, &leaf_len);
	if (rc == CTD_EINVAL) {
		res->outcome = CTDNS_ERROR;
		snprintf(res->detail, sizeof res->detail, "an embedded SCT "
		    "needs the issuer certificate to be checked (--issuer)");
		return false;
	}
	if (rc != CTD_OK) {
		res->outcome = rc == CTD_ENOMEM ? CTDNS_ERROR :
		    CTDNS_SCT_INVALID;
		snprintf(res->detail, sizeof res->detail, "cannot build the "
		    "MerkleTreeLeaf: %s", ctd_strerror(rc));
		return false;
	}
	merkle_leaf_hash(leaf, leaf_len, res->leaf_hash);
	res->leaf_hash_set = true;
	rc = sctx_validate(c->logs, sct, req->cert, req->issuer, log, leaf,
	    leaf_len, now, res->detail, sizeof res->detail);
	OPENSSL_free(leaf);
	if (rc != CTD_OK) {
		res->outcome = rc == CTD_ENOTFOUND ? CTDNS_LOG_UNKNOWN :
		    rc == CTD_EINVAL ? CTDNS_ERROR : CTDNS_SCT_INVALID;
		return false;
	}
	return check_extensions(sct, res);
}

/*
 * Everything before DNS. true when the SCT needs the DNS walk (vs set);
 * false when res is final.
 */
static bool
prepare(const struct ctdns_client *c, const struct ctdns_request *req,
    size_t i, uint64_t now, struct ctdns_sct_result *res, struct vstate *vs)
{
	const SCT *sct = req->scts[i].sct;

	memset(res, 0, sizeof *res);
	res->source = req->scts[i].source;
	res->sct_timestamp_ms = SCT_get_timestamp(sct);
	const struct ll_log *log = find_log(c, sct, res);
	if (log == NULL) {
		return false;
	}
	if (log->state == CTDNS_STATE_REJECTED) {
		res->outcome = CTDNS_LOG_REJECTED;
		snprintf(res->detail, sizeof res->detail, "the log list "
		    "marks the log rejected: its SCTs are not checked");
		return false;
	}
	if (!check_sct(c, req, sct, log, now, res)) {
		return false;
	}
	if (log->zone == NULL) {
		res->outcome = CTDNS_NO_ZONE;
		snprintf(res->detail, sizeof res->detail, "SCT signature "
		    "verified, but no DNS zone is known for the log (a \"dns\" "
		    "field, or --log-zone)");
		return false;
	}
	vstate_init(vs, log, res->sct_timestamp_ms, res->leaf_hash, now, res);
	if (res->index_from_sct) {
		vstate_set_index(vs, res->leaf_index);
	}
	return true;
}

/* --- the blocking driver ------------------------------------------------ */

int
ctdns_verify(struct ctdns_client *c, const struct ctdns_request *req,
    struct ctdns_report **out)
{
	struct ctdns_report *rep = report_new(req->count);
	struct vstate *vs = malloc(sizeof *vs);
	struct dnsq_answer *a = malloc(sizeof *a);
	uint64_t now = client_now(c);
	int rc = CTD_ENOMEM;

	*out = NULL;
	if (rep == NULL || vs == NULL || a == NULL) {
		goto out;
	}
	for (size_t i = 0; i < req->count; i++) {
		struct vstate_question q;

		if (!prepare(c, req, i, now, &rep->res[i], vs)) {
			continue;
		}
		if (dnsq_set_zone(&c->dq, vs->log->zone) != CTD_OK) {
			rep->res[i].outcome = CTDNS_ERROR;
			snprintf(rep->res[i].detail, sizeof rep->res[i].detail,
			    "bad zone %s", vs->log->zone);
			continue;
		}
		while (vstate_next(vs, &q)) {
			(void)dnsq_txt(&c->dq, q.what, q.label, q.cap, a);
			vstate_feed(vs, a);
		}
	}
	*out = rep;
	rep = NULL;
	rc = CTD_OK;
out:
	free(a);
	free(vs);
	ctdns_report_free(rep);
	return rc;
}

/* --- the libuv driver -------------------------------------------------- */

struct ajob;

/* One SCT's walk on the loop. */
struct awalk {
	struct ajob *job;
	struct vstate vs;
};

/* One ctdns_verify_start(). */
struct ajob {
	struct ctdns_client *c;
	uv_loop_t *loop;
	uv_timer_t later;	/* defers the callback when nothing is asked */
	struct ctdns_report *rep;
	struct awalk *walks;
	size_t pending;		/* walks running, + 1 while starting */
	ctdns_verify_cb *cb;
	void *arg;
};

static void
ajob_free(uv_handle_t *h)
{
	struct ajob *job = h->data;

	free(job->walks);
	free(job);
}

static void
ajob_deliver(struct ajob *job)
{
	struct ctdns_report *rep = job->rep;

	job->rep = NULL;
	job->cb(rep, job->arg);
	uv_close((uv_handle_t *)&job->later, ajob_free);
}

static void
on_later(uv_timer_t *t)
{
	ajob_deliver(t->data);
}

static void
ajob_walk_done(struct ajob *job)
{
	if (--job->pending == 0) {
		ajob_deliver(job);
	}
}

static void awalk_advance(struct awalk *w);

static void
on_answer(struct dnsq_answer *a, void *arg)
{
	struct awalk *w = arg;

	vstate_feed(&w->vs, a);
	awalk_advance(w);
}

/* Ask the next question, or finish the walk. */
static void
awalk_advance(struct awalk *w)
{
	struct ctdns_client *c = w->job->c;
	struct vstate_question q;
	char name[DNSQ_NAME_BUF + 128];

	while (vstate_next(&w->vs, &q)) {
		snprintf(name, sizeof name, "%s.%s", q.label, w->vs.log->zone);
		int rc = uvq_start(w->job->loop,
		    (const struct sockaddr *)&c->addr, c->addr_len, c->tcp,
		    q.what, name, q.cap, on_answer, w);
		if (rc == CTD_OK) {
			return;
		}
		struct dnsq_answer *a = calloc(1, sizeof *a);
		if (a == NULL) {
			w->vs.res->outcome = CTDNS_ERROR;
			snprintf(w->vs.res->detail, sizeof w->vs.res->detail,
			    "out of memory");
			break;
		}
		a->rc = CTD_ENET;
		snprintf(a->err, sizeof a->err, "%s query %s: cannot send: %s",
		    q.what, name, ctd_strerror(rc));
		vstate_feed(&w->vs, a);
		free(a);
	}
	ajob_walk_done(w->job);
}

int
ctdns_verify_start(struct ctdns_client *c, struct uv_loop_s *loop,
    const struct ctdns_request *req, ctdns_verify_cb *cb, void *arg)
{
	struct ajob *job = calloc(1, sizeof *job);
	uint64_t now = client_now(c);

	if (job == NULL || (job->rep = report_new(req->count)) == NULL ||
	    (req->count > 0 && (job->walks = calloc(req->count,
	    sizeof *job->walks)) == NULL) ||
	    uv_timer_init(loop, &job->later) != 0) {
		if (job != NULL) {
			ctdns_report_free(job->rep);
			free(job->walks);
		}
		free(job);
		return CTD_ENOMEM;
	}
	job->later.data = job;
	job->c = c;
	job->loop = loop;
	job->cb = cb;
	job->arg = arg;
	job->pending = 1;
	for (size_t i = 0; i < req->count; i++) {
		struct awalk *w = &job->walks[i];

		w->job = job;
		if (prepare(c, req, i, now, &job->rep->res[i], &w->vs)) {
			job->pending++;
			awalk_advance(w);
		}
	}
	/* The callback never runs from within this call. */
	if (--job->pending == 0) {
		uv_timer_start(&job->later, on_later, 0, 0);
	}
	return CTD_OK;
}
