/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c -- Prometheus text exposition of the daemon's counters over HTTP
 * (see metrics.h for the threading design).
 *
 * The text is written into a growable buffer with a sticky out-of-memory
 * flag, checked once at the end. Families are written one at a time, each
 * with its samples for every log, because the format wants the samples of
 * a family together under one HELP and one TYPE line.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "conf.h"
#include "err.h"
#include "metrics.h"

/* ---- the text buffer ------------------------------------------------ */

struct mbuf {
	char *p;
	size_t len, cap;
	bool oom;	/* sticky: every later write is skipped */
};

static void
mbuf_printf(struct mbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	if (b->oom) {
		return;
	}
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = b->cap - b->len;
		int n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, room,
		    fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap != 0 ? b->cap * 2 : 4096;
		while (cap - b->len <= (size_t)n) {
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* A label value, escaped as the format requires: \\, \" and \n. */
static void
mbuf_label(struct mbuf *b, const char *value)
{
	for (const char *s = value; *s != '\0'; s++) {
		if (*s == '\\') {
			mbuf_printf(b, "\\\\");
		} else if (*s == '"') {
			mbuf_printf(b, "\\\"");
		} else if (*s == '\n') {
			mbuf_printf(b, "\\n");
		} else {
			mbuf_printf(b, "%c", *s);
		}
	}
}

static void
family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mbuf_printf(b, "# HELP ctdnsd_%s %s\n# TYPE ctdnsd_%s %s\n", name,
	    help, name, type);
}

/* name{log="..."} value */
static void
log_sample(struct mbuf *b, const char *name, const char *log, uint64_t v)
{
	mbuf_printf(b, "ctdnsd_%s{log=\"", name);
	mbuf_label(b, log);
	mbuf_printf(b, "\"} %llu\n", (unsigned long long)v);
}

/* Milliseconds as seconds with three decimals, exact. */
static void
log_sample_ms(struct mbuf *b, const char *name, const char *log, uint64_t ms)
{
	mbuf_printf(b, "ctdnsd_%s{log=\"", name);
	mbuf_label(b, log);
	mbuf_printf(b, "\"} %llu.%03u\n", (unsigned long long)(ms / 1000),
	    (unsigned)(ms % 1000));
}

/* ---- the families --------------------------------------------------- */

static const char *const form_names[ANSWER_FORM_COUNT] = {
	[ANSWER_FORM_STH] = "sth",
	[ANSWER_FORM_HASH] = "hash",
	[ANSWER_FORM_TREE] = "tree",
	[ANSWER_FORM_CONSISTENCY] = "sth-consistency",
	[ANSWER_FORM_CHECKPOINT] = "checkpoint",
	[ANSWER_FORM_APEX] = "apex",
	[ANSWER_FORM_OTHER] = "other",
};

/* RFC 1035 section 4.1.1, RFC 6891 section 9 (BADVERS). */
static const char *const rcode_names[24] = {
	[0] = "NOERROR", [1] = "FORMERR", [2] = "SERVFAIL", [3] = "NXDOMAIN",
	[4] = "NOTIMP", [5] = "REFUSED", [16] = "BADVERS",
};

static void
server_families(struct mbuf *b, const struct metrics_input *in)
{
	const struct server_stats *s = &in->server;
	const struct answer_stats *a = &s->answers;

	family(b, "build_info", "gauge", "Version of the running ctdnsd.");
	mbuf_printf(b, "ctdnsd_build_info{version=\"");
	mbuf_label(b, in->version);
	mbuf_printf(b, "\"} 1\n");

	family(b, "queries_total", "counter",
	    "DNS queries received, by transport.");
	mbuf_printf(b, "ctdnsd_queries_total{transport=\"udp\"} %llu\n"
		       "ctdnsd_queries_total{transport=\"tcp\"} %llu\n",
	    (unsigned long long)s->udp_queries,
	    (unsigned long long)s->tcp_queries);

	family(b, "queries_by_form_total", "counter",
	    "Queries for a name of a served zone, by the CT-over-DNS form of "
	    "the name.");
	for (int i = 0; i < ANSWER_FORM_COUNT; i++) {
		mbuf_printf(b, "ctdnsd_queries_by_form_total{form=\"%s\"} "
			       "%llu\n",
		    form_names[i], (unsigned long long)a->by_form[i]);
	}

	family(b, "responses_total", "counter", "Answers sent, by rcode.");
	for (int i = 0; i < 24; i++) {
		if (rcode_names[i] != NULL) {
			mbuf_printf(b, "ctdnsd_responses_total{rcode=\"%s\"} "
				       "%llu\n",
			    rcode_names[i], (unsigned long long)a->by_rcode[i]);
		} else if (a->by_rcode[i] != 0) {
			mbuf_printf(b, "ctdnsd_responses_total{rcode=\"%d\"} "
				       "%llu\n",
			    i, (unsigned long long)a->by_rcode[i]);
		}
	}

	family(b, "store_hits_total", "counter",
	    "Lookups answered from the local store.");
	mbuf_printf(b, "ctdnsd_store_hits_total %llu\n",
	    (unsigned long long)a->hits);
	family(b, "answer_cache_hits_total", "counter",
	    "Of the store hits, those answered from the proof cache.");
	mbuf_printf(b, "ctdnsd_answer_cache_hits_total %llu\n",
	    (unsigned long long)a->cache_hits);
	family(b, "store_misses_total", "counter",
	    "Lookups that needed data from the log (a fill).");
	mbuf_printf(b, "ctdnsd_store_misses_total %llu\n",
	    (unsigned long long)a->misses);

	family(b, "tcp_connections_total", "counter",
	    "TCP connections accepted.");
	mbuf_printf(b, "ctdnsd_tcp_connections_total %llu\n",
	    (unsigned long long)s->tcp_connections);
	family(b, "tcp_refused_total", "counter",
	    "TCP connections closed at once: over tcp-max-connections.");
	mbuf_printf(b, "ctdnsd_tcp_refused_total %llu\n",
	    (unsigned long long)s->tcp_refused);
	family(b, "pending_refused_total", "counter",
	    "Queries answered SERVFAIL because too many already waited for "
	    "a log.");
	mbuf_printf(b, "ctdnsd_pending_refused_total %llu\n",
	    (unsigned long long)s->pending_refused);
	family(b, "rrl_dropped_total", "counter",
	    "Answers dropped by response rate limiting.");
	mbuf_printf(b, "ctdnsd_rrl_dropped_total %llu\n",
	    (unsigned long long)s->rrl_dropped);
	family(b, "rrl_slipped_total", "counter",
	    "Answers sent truncated (TC=1) by response rate limiting.");
	mbuf_printf(b, "ctdnsd_rrl_slipped_total %llu\n",
	    (unsigned long long)s->rrl_slipped);
}

/* The STH of each log: size, timestamp, age, last good poll, alarm. */
static void
sth_families(struct mbuf *b, const struct metrics_input *in)
{
	family(b, "log_has_sth", "gauge",
	    "1 when the log has a verified tree head to serve.");
	for (size_t i = 0; i < in->log_count; i++) {
		log_sample(b, "log_has_sth", in->logs[i].name,
		    in->logs[i].has_sth);
	}
	family(b, "tree_size", "gauge", "Tree size of the served STH.");
	for (size_t i = 0; i < in->log_count; i++) {
		if (in->logs[i].has_sth) {
			log_sample(b, "tree_size", in->logs[i].name,
			    in->logs[i].tree_size);
		}
	}
	family(b, "sth_timestamp_seconds", "gauge",
	    "Timestamp of the served STH, in seconds since the epoch.");
	for (size_t i = 0; i < in->log_count; i++) {
		if (in->logs[i].has_sth) {
			log_sample_ms(b, "sth_timestamp_seconds",
			    in->logs[i].name, in->logs[i].sth_timestamp_ms);
		}
	}
	family(b, "sth_age_seconds", "gauge",
	    "Age of the served STH (now minus its timestamp).");
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		if (l->has_sth) {
			uint64_t ts = l->sth_timestamp_ms;
			log_sample_ms(b, "sth_age_seconds", l->name,
			    in->now_ms > ts ? in->now_ms - ts : 0);
		}
	}
	family(b, "last_poll_success_timestamp_seconds", "gauge",
	    "When get-sth last returned a tree head with a valid signature.");
	for (size_t i = 0; i < in->log_count; i++) {
		if (in->logs[i].last_poll_ok_ms != 0) {
			log_sample_ms(b, "last_poll_success_timestamp_seconds",
			    in->logs[i].name, in->logs[i].last_poll_ok_ms);
		}
	}
	family(b, "log_alarm", "gauge",
	    "1 once the log signed something invalid or inconsistent (bad "
	    "signature, rollback, fork, failed consistency proof); cleared "
	    "only by a restart.");
	for (size_t i = 0; i < in->log_count; i++) {
		log_sample(b, "log_alarm", in->logs[i].name,
		    in->logs[i].alarm);
	}
}

/* One counter family with one sample per log. */
#define PER_LOG(b_, in_, fam_, help_, expr_) \
	do { \
		family(b_, fam_, "counter", help_); \
		for (size_t i_ = 0; i_ < (in_)->log_count; i_++) { \
			const struct metrics_log *l = &(in_)->logs[i_]; \
			log_sample(b_, fam_, l->name, (expr_)); \
		} \
	} while (0)

/* What the witnesses said of each log's heads (docs/witness.md). */
static void
witness_families(struct mbuf *b, const struct metrics_input *in)
{
	PER_LOG(b, in, "witness_cosignatures_total",
	    "Cosignatures of the log's heads verified and kept.",
	    l->log.witness.cosignatures);
	PER_LOG(b, in, "witness_refusals_total",
	    "Witnesses' refusals (4xx) of the log's heads.",
	    l->log.witness.refusals);
	PER_LOG(b, in, "witness_split_views_total",
	    "Refusals proved by a head the log signed that conflicts with ours "
	    "(the log's alarm is raised).", l->log.witness.split_views);
	PER_LOG(b, in, "witness_quorum_heads_total",
	    "Heads served once their quorum of cosignatures was reached.",
	    l->log.witness.served_quorum);
}

/* Mirror mode's progress, for the logs that mirror. */
static void
mirror_families(struct mbuf *b, const struct metrics_input *in)
{
	family(b, "mirror_entries", "gauge",
	    "Mirror: every leaf below this index is stored and verified.");
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		if (l->log.mirror) {
			log_sample(b, "mirror_entries", l->name,
			    l->log.mirror_entries);
		}
	}
	family(b, "mirror_target_entries", "gauge",
	    "Mirror: the tree size a running sync reads toward (0: idle).");
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		if (l->log.mirror) {
			log_sample(b, "mirror_target_entries", l->name,
			    l->log.mirror_target);
		}
	}
	family(b, "mirror_batches_total", "counter",
	    "Mirror: batches of entries verified and stored.");
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		if (l->log.mirror) {
			log_sample(b, "mirror_batches_total", l->name,
			    l->log.mirror_batches);
		}
	}
}

static void
poll_families(struct mbuf *b, const struct metrics_input *in)
{
	PER_LOG(b, in, "sth_polls_total", "get-sth polls started.",
	    l->log.sth_polls);
	PER_LOG(b, in, "sth_accepted_total",
	    "Tree heads verified and switched to.", l->log.sth_accepted);
	PER_LOG(b, in, "sth_rejected_total",
	    "Tree heads refused (signature, rollback, fork, time).",
	    l->log.sth_rejected);
	PER_LOG(b, in, "consistency_failures_total",
	    "Consistency proofs between served and new STH that failed.",
	    l->log.inconsistent);
	family(b, "fills_total", "counter",
	    "Store misses filled from the log, by result.");
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		mbuf_printf(b, "ctdnsd_fills_total{log=\"");
		mbuf_label(b, l->name);
		mbuf_printf(b, "\",result=\"ok\"} %llu\n"
			       "ctdnsd_fills_total{log=\"",
		    (unsigned long long)l->log.fills_ok);
		mbuf_label(b, l->name);
		mbuf_printf(b, "\",result=\"failed\"} %llu\n",
		    (unsigned long long)l->log.fills_failed);
	}
	mirror_families(b, in);
	witness_families(b, in);
}

/* The RFC 6962 endpoints (section 4) exported for every log, at 0 when
 * never asked, so that a dashboard always finds their series. */
static const char *const rfc6962_endpoints[] = {
	"get-sth", "get-sth-consistency", "get-proof-by-hash", "get-entries",
	"get-entry-and-proof", "get-roots",
};
#define RFC6962_ENDPOINTS \
	(sizeof rfc6962_endpoints / sizeof rfc6962_endpoints[0])

static bool
is_rfc6962_endpoint(const char *label)
{
	for (size_t k = 0; k < RFC6962_ENDPOINTS; k++) {
		if (strcmp(rfc6962_endpoints[k], label) == 0) {
			return true;
		}
	}
	return false;
}

static void
endpoint_line(struct mbuf *b, const char *name, const char *log,
    const char *label, const struct fetch_label_stats *e, bool failed)
{
	uint64_t v = e == NULL ? 0 : failed ? e->failed : e->started;
	mbuf_printf(b, "ctdnsd_%s{log=\"", name);
	mbuf_label(b, log);
	mbuf_printf(b, "\",endpoint=\"");
	mbuf_label(b, label);
	mbuf_printf(b, "\"} %llu\n", (unsigned long long)v);
}

/* name{log="...",endpoint="..."}: the RFC 6962 endpoints, then any other
 * label the log's requests were counted under, then "other". */
static void
endpoint_family(struct mbuf *b, const struct metrics_input *in,
    const char *name, const char *help, bool failed)
{
	family(b, name, "counter", help);
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		const struct fetch_stats *st = &l->fetch;
		for (size_t k = 0; k < RFC6962_ENDPOINTS; k++) {
			endpoint_line(b, name, l->name, rfc6962_endpoints[k],
			    fetch_stats_label(st, rfc6962_endpoints[k]),
			    failed);
		}
		for (size_t k = 0; k < st->label_count &&
		    k < FETCH_MAX_LABELS; k++) {
			const struct fetch_label_stats *e = &st->by_label[k];
			if (!is_rfc6962_endpoint(e->label)) {
				endpoint_line(b, name, l->name, e->label, e,
				    failed);
			}
		}
		endpoint_line(b, name, l->name, FETCH_LABEL_OTHER,
		    &st->by_label_other, failed);
	}
}

static void
latency_family(struct mbuf *b, const struct metrics_input *in)
{
	static const uint64_t bounds[] = FETCH_LATENCY_BOUNDS_MS;
	const char *name = "upstream_request_duration_seconds";
	family(b, name, "histogram",
	    "Time from the start of an upstream request to its end.");
	for (size_t i = 0; i < in->log_count; i++) {
		const struct metrics_log *l = &in->logs[i];
		uint64_t cum = 0;
		for (int k = 0; k < FETCH_LATENCY_BUCKETS; k++) {
			cum += l->fetch.latency_le[k];
			mbuf_printf(b, "ctdnsd_%s_bucket{log=\"", name);
			mbuf_label(b, l->name);
			mbuf_printf(b, "\",le=\"%llu.%03u\"} %llu\n",
			    (unsigned long long)(bounds[k] / 1000),
			    (unsigned)(bounds[k] % 1000),
			    (unsigned long long)cum);
		}
		mbuf_printf(b, "ctdnsd_%s_bucket{log=\"", name);
		mbuf_label(b, l->name);
		mbuf_printf(b, "\",le=\"+Inf\"} %llu\n",
		    (unsigned long long)l->fetch.latency_count);
		uint64_t us = l->fetch.latency_sum_us;
		mbuf_printf(b, "ctdnsd_%s_sum{log=\"", name);
		mbuf_label(b, l->name);
		mbuf_printf(b, "\"} %llu.%06u\n", (unsigned long long)(us /
		    1000000), (unsigned)(us % 1000000));
		log_sample(b, "upstream_request_duration_seconds_count",
		    l->name, l->fetch.latency_count);
	}
}

static void
upstream_families(struct mbuf *b, const struct metrics_input *in)
{
	endpoint_family(b, in, "upstream_requests_total",
	    "Requests sent to the log, by RFC 6962 endpoint.", false);
	endpoint_family(b, in, "upstream_errors_total",
	    "Requests to the log that failed (HTTP status other than 2xx, "
	    "network, timeout), by endpoint.", true);
	PER_LOG(b, in, "upstream_timeouts_total",
	    "Requests to the log that timed out (also counted as errors).",
	    l->fetch.timeouts);
	PER_LOG(b, in, "upstream_coalesced_total",
	    "Requests that joined an identical one already in flight.",
	    l->fetch.coalesced);
	PER_LOG(b, in, "upstream_refused_total",
	    "Requests refused at once by upstream-concurrency, "
	    "upstream-queue or upstream-rate.",
	    l->fetch.refused);
	latency_family(b, in);
}

static void
witness_family(struct mbuf *b, const struct metrics_input *in)
{
	if (!in->has_witness) {
		return;
	}
	family(b, "witness_requests_total", "counter",
	    "Requests to the witness endpoint (witness-listen), by HTTP "
	    "status.");
	for (size_t i = 0; i < WITNESS_CODE_COUNT; i++) {
		mbuf_printf(b, "ctdnsd_witness_requests_total{code=\"%u\"} "
			       "%llu\n", witness_codes[i],
		    (unsigned long long)in->witness_requests[i]);
	}
}

char *
metrics_format(const struct metrics_input *in, size_t *len)
{
	struct mbuf b = { 0 };
	server_families(&b, in);
	witness_family(&b, in);
	sth_families(&b, in);
	poll_families(&b, in);
	upstream_families(&b, in);
	if (b.oom || b.p == NULL) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

char *
metrics_collect_server(struct server *srv, uint64_t now_ms, size_t *len)
{
	size_t n = server_log_count(srv);
	struct metrics_log *logs = calloc(n != 0 ? n : 1, sizeof *logs);
	char *text = NULL;
	if (logs == NULL) {
		return NULL;
	}
	struct metrics_input in = {
		.version = PACKAGE_VERSION,
		.now_ms = now_ms,
		.logs = logs,
		.log_count = n,
	};
	for (size_t i = 0; i < n; i++) {
		const struct tlog *t = server_log(srv, i);
		/* Once closing, the pools may already be freed. */
		if (t->closing) {
			goto out;
		}
		logs[i] = (struct metrics_log){
			.name = t->name,
			.has_sth = t->view.has_sth,
			.tree_size = t->view.sth.tree_size,
			.sth_timestamp_ms = t->view.sth.timestamp,
			.alarm = t->alarm,
			.log = tlog_get_stats(t),
		};
		logs[i].last_poll_ok_ms = logs[i].log.last_poll_ok_ms;
		fetch_pool_stats(t->pool, &logs[i].fetch);
	}
	server_stats(srv, &in.server);
	/* Shown once there is a cosigner (witness-listen needs one). */
	if (server_witness(srv) != NULL) {
		in.has_witness = true;
		witness_counts(server_witness(srv), in.witness_requests);
	}
	text = metrics_format(&in, len);
out:
	free(logs);
	return text;
}

/* ---- the HTTP side -------------------------------------------------- */

struct metrics {
	uv_loop_t *loop;
	uv_async_t async;
	metrics_collect_fn collect;
	void *arg;
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* signalled when answered moves */
	/* Under lock: scrapes asked for, expositions made, the latest. */
	uint64_t asked, answered;
	char *text;
	size_t len;
	bool closing;
};

/* Loop thread: make the exposition the HTTP thread waits for. */
static void
on_async(uv_async_t *h)
{
	struct metrics *m = h->data;
	pthread_mutex_lock(&m->lock);
	uint64_t want = m->asked;
	bool needed = want > m->answered && !m->closing;
	pthread_mutex_unlock(&m->lock);
	if (!needed) {
		return;
	}
	size_t len = 0;
	char *text = m->collect(m->arg, &len);
	pthread_mutex_lock(&m->lock);
	free(m->text);
	m->text = text;
	m->len = len;
	m->answered = want;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

/* HTTP thread: ask the loop and wait; the text or NULL (503). */
static char *
ask_loop(struct metrics *m, size_t *len)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += METRICS_WAIT_MS / 1000;
	until.tv_nsec += (long)(METRICS_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	char *text = NULL;
	pthread_mutex_lock(&m->lock);
	uint64_t gen = ++m->asked;
	if (!m->closing) {
		uv_async_send(&m->async);
	}
	int rc = 0;
	while (m->answered < gen && !m->closing && rc != ETIMEDOUT) {
		rc = pthread_cond_timedwait(&m->cond, &m->lock, &until);
	}
	if (m->answered >= gen && !m->closing) {
		/* One handler runs at a time: this answer is ours. */
		text = m->text;
		*len = m->len;
		m->text = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	return text;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned code, char *body, size_t len,
    bool owned, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
	    owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		if (owned) {
			free(body);
		}
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	}
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static char text_plain[] = "text/plain; charset=utf-8";
static char msg_not_found[] = "not found: try /metrics\n";
static char msg_method[] = "method not allowed\n";
static char msg_unavailable[] = "metrics unavailable (shutting down, or "
				"the server loop is busy)\n";

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct metrics *m = cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		/* A body is never read: the connection is closed after. */
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, msg_method,
		    strlen(msg_method), false, text_plain);
	}
	if (strcmp(url, "/metrics") != 0) {
		return reply(c, MHD_HTTP_NOT_FOUND, msg_not_found,
		    strlen(msg_not_found), false, text_plain);
	}
	size_t len = 0;
	char *text = ask_loop(m, &len);
	if (text == NULL) {
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg_unavailable,
		    strlen(msg_unavailable), false, text_plain);
	}
	return reply(c, MHD_HTTP_OK, text, len, true,
	    "text/plain; version=0.0.4; charset=utf-8");
}

static void
on_closed(uv_handle_t *h)
{
	struct metrics *m = h->data;
	free(m->text);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int
metrics_start(uv_loop_t *loop, const struct conf_listen *at,
    metrics_collect_fn collect, void *arg, struct metrics **out, char *err,
    size_t err_len)
{
	if (loop == NULL || at == NULL || collect == NULL || out == NULL) {
		return CTD_EINVAL;
	}
	*out = NULL;
	struct metrics *m = calloc(1, sizeof *m);
	if (m == NULL) {
		return CTD_ENOMEM;
	}
	m->loop = loop;
	m->collect = collect;
	m->arg = arg;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&m->lock, NULL);
	if (uv_async_init(loop, &m->async, on_async) != 0) {
		pthread_cond_destroy(&m->cond);
		pthread_mutex_destroy(&m->lock);
		free(m);
		snprintf(err, err_len, "metrics-listen %s: uv_async_init",
		    at->text);
		return CTD_EIO;
	}
	m->async.data = m;
	/* Scrapes must not keep the loop running at shutdown. */
	uv_unref((uv_handle_t *)&m->async);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	if (at->addr.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	errno = 0;
	m->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&at->addr,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)METRICS_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_IDLE_TIMEOUT,
	    MHD_OPTION_END);
	if (m->mhd == NULL) {
		snprintf(err, err_len, "metrics-listen %s: cannot listen%s%s",
		    at->text, errno != 0 ? ": " : "",
		    errno != 0 ? strerror(errno) : "");
		uv_close((uv_handle_t *)&m->async, on_closed);
		return CTD_EIO;
	}
	*out = m;
	return CTD_OK;
}

unsigned
metrics_port(const struct metrics *m)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->mhd,
	    MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : 0;
}

void
metrics_close(struct metrics *m)
{
	if (m == NULL) {
		return;
	}
	pthread_mutex_lock(&m->lock);
	m->closing = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	/* Joins the HTTP thread: no uv_async_send() after this. */
	MHD_stop_daemon(m->mhd);
	m->mhd = NULL;
	uv_close((uv_handle_t *)&m->async, on_closed);
}
