/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_http.c -- the simulated log's HTTP front end (libmicrohttpd).
 *
 * RFC 6962 section 4 read API, GET only, JSON answers, binary values in
 * standard base64:
 *   /ct/v1/get-sth
 *   /ct/v1/get-sth-consistency?first=&second=
 *   /ct/v1/get-proof-by-hash?hash=&tree_size=
 *   /ct/v1/get-entries?start=&end=        (at most ENTRIES_MAX per answer)
 *   /ct/v1/get-entry-and-proof?leaf_index=&tree_size=
 *   /ct/v1/get-roots
 * and, POST, the submissions of sim_submit.c:
 *   /ct/v1/add-chain, /ct/v1/add-pre-chain   {"chain": [base64 DER...]}
 * A missing or malformed parameter, or one out of range (including a
 * tree_size beyond the published STH), gives 400; a leaf hash the tree of
 * that size does not hold gives 404; errors carry {"error": "..."}.
 * Numbers are canonical decimal: digits only, no sign, no leading zero.
 *
 * Test control (not counted in the statistics):
 *   /sim/grow?n=K          append K entries, publish a new STH
 *   /sim/mode[?set=MODE]   read or switch the misbehaviour mode
 *   /sim/stats             /ct/v1 requests per endpoint and in total
 *   /sim/reset-stats       zero the counters
 *   /sim/leaf?index=I      leaf hash (hex, base64) and leaf input of the
 *                          real tree
 *   /sim/sth?tree_size=N[&view=split]  root hash of the real (or the
 *                          split view's) tree of size N
 *
 * Mode split (sim_log.h) shows the split view to the --split-client
 * address (sim_http_start()) and the real one to everyone else, on the
 * RFC 6962 API and (--static) the tiled read path alike; /sim/stats
 * counts the requests answered from the split view apart too ("split").
 *
 * HTTP-level modes apply to /ct/v1/ only: error answers 500 before any
 * work, bad-json cuts every body in half, slow=<ms> sleeps first, hold
 * waits until the mode changes (sim_log_delay()).
 *
 * With a struct sim_static (ctlog-sim --static) the static-ct-api read
 * path (checkpoint, tile/, issuer/) is served too, by sim_static.c, and
 * SCTs carry the leaf_index extension. Mode down drops /ct/v1/ GETs.
 *
 * add-chain / add-pre-chain collect their body over several calls of
 * on_request (con_cls holds it, on_completed frees it if the client goes
 * away); the HTTP-level modes apply to them too.
 *
 * A GET (or HEAD) is answered in the second call of on_request, not the
 * first, which carries only the headers: libmicrohttpd 0.9.75 closes the
 * connection after an answer queued in the first call ("Connection:
 * close"), so a client such as a mirror fetching thousands of tiles
 * would connect (and the sim start a thread) once per request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>

#include "err.h"
#include "num.h"
#include "sim_http.h"
#include "sim_http_int.h"
#include "sim_log.h"
#include "sim_static.h"
#include "sim_submit.h"
#include "sim_tree.h"
#include "sim_util.h"

/* get-entries answers at most this many entries, like real logs. */
#define ENTRIES_MAX 256
/* An idle keep-alive connection holds a thread; let it go after this. */
#define IDLE_TIMEOUT_S 30
#define CONNECTIONS_MAX 512

/* con_cls of a GET whose headers were seen (answered in the next call). */
static char headers_seen;


/* --- replies ----------------------------------------------------------- */

void
sim_http_reply_json(struct reply *rep, unsigned status, json_t *body)
{
	json_decref(rep->body);
	rep->status = status;
	rep->body = body;
	if (body == NULL) {
		rep->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

void
sim_http_reply_error(struct reply *rep, unsigned status, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_http_reply_json(rep, status, json_pack("{s:s}", "error", msg));
}

/* Report a sim_log failure with the status it maps to. */
void
sim_http_reply_status(struct reply *rep, int rc, const char *what)
{
	switch (rc) {
	case SIM_EINVAL:
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "%s: out of range",
		    what);
		break;
	case SIM_ENOTFOUND:
		sim_http_reply_error(rep, MHD_HTTP_NOT_FOUND, "%s: not found",
		    what);
		break;
	default:
		sim_http_reply_error(rep, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "%s: internal error", what);
		break;
	}
}

/* --- parameters -------------------------------------------------------- */

/*
 * The query parameter name as a canonical decimal in [min, max]. On
 * failure the reply says why and false is returned.
 */
bool
sim_http_arg_u64(struct MHD_Connection *conn, struct reply *rep,
    const char *name, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = MHD_lookup_connection_value(conn,
	    MHD_GET_ARGUMENT_KIND, name);
	uint64_t v = 0;

	if (s == NULL) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "missing parameter %s",
		    name);
		return false;
	}
	if (num_parse_u64_str(s, 0, &v) != CTD_OK) {
		goto bad;
	}
	if (v < min || v > max) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "parameter %s out of range", name);
		return false;
	}
	*out = v;
	return true;
bad:
	sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
	    "parameter %s is not a decimal number", name);
	return false;
}

/*
 * The query parameter name as the canonical base64 of a 32-byte hash.
 * A '+' sent unescaped arrives as ' ' (form decoding); take it back.
 */
static bool
arg_hash(struct MHD_Connection *conn, struct reply *rep, const char *name,
    uint8_t out[SIM_HASH_LEN])
{
	const char *s = MHD_lookup_connection_value(conn,
	    MHD_GET_ARGUMENT_KIND, name);
	char text[45], again[45];
	uint8_t raw[33];

	if (s == NULL) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "missing parameter %s",
		    name);
		return false;
	}
	if (strlen(s) != 44) {
		goto bad;
	}
	for (size_t i = 0; i <= 44; i++) {
		text[i] = s[i] == ' ' ? '+' : s[i];
	}
	/* EVP_DecodeBlock skips blanks and keeps pad bytes; re-encoding
	 * and comparing rejects everything but the one canonical form. */
	if (EVP_DecodeBlock(raw, (const unsigned char *)text, 44) != 33) {
		goto bad;
	}
	EVP_EncodeBlock((unsigned char *)again, raw, SIM_HASH_LEN);
	if (memcmp(again, text, 45) != 0) {
		goto bad;
	}
	memcpy(out, raw, SIM_HASH_LEN);
	return true;
bad:
	sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
	    "parameter %s is not a base64 SHA-256 hash", name);
	return false;
}

/* --- /ct/v1/ ----------------------------------------------------------- */

static void
ct_get_sth(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	struct sim_sth sth;

	sim_log_sth(http->log, view, &sth);
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:I, s:I, s:o, s:o}",
	    "tree_size", (json_int_t)sth.tree_size,
	    "timestamp", (json_int_t)sth.timestamp,
	    "sha256_root_hash", sim_json_b64(sth.root, SIM_HASH_LEN),
	    "tree_head_signature", sim_json_b64(sth.sig, sth.sig_len)));
}

static void
ct_get_sth_consistency(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	struct sim_proof proof;
	uint64_t first, second;
	int rc;

	if (!sim_http_arg_u64(conn, rep, "first", 1, SIM_TREE_MAX_SIZE,
	    &first) ||
	    !sim_http_arg_u64(conn, rep, "second", 1, SIM_TREE_MAX_SIZE,
	    &second)) {
		return;
	}
	if (first > second) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "first > second");
		return;
	}
	if ((rc = sim_log_consistency(http->log, view, first, second,
	    &proof)) != SIM_OK) {
		sim_http_reply_status(rep, rc, "second");
		return;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:o}", "consistency",
	    sim_json_proof(&proof)));
}

static void
ct_get_proof_by_hash(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	uint8_t hash[SIM_HASH_LEN];
	struct sim_proof proof;
	uint64_t size, idx;
	int rc;

	if (!arg_hash(conn, rep, "hash", hash) ||
	    !sim_http_arg_u64(conn, rep, "tree_size", 1, SIM_TREE_MAX_SIZE,
	    &size)) {
		return;
	}
	if ((rc = sim_log_proof_by_hash(http->log, view, hash, size, &idx,
	    &proof)) != SIM_OK) {
		sim_http_reply_status(rep, rc, rc == SIM_ENOTFOUND ? "hash" :
		    "tree_size");
		return;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:I, s:o}",
	    "leaf_index", (json_int_t)idx,
	    "audit_path", sim_json_proof(&proof)));
}

/* {"leaf_input": ..., "extra_data": ...} for leaf idx of a view. */
static json_t *
json_entry(struct sim_http *http, enum sim_view view, uint64_t idx,
    const uint8_t *leaf, size_t leaf_len)
{
	uint8_t *extra;
	size_t extra_len;
	json_t *o;

	if (sim_log_extra(http->log, view, idx, &extra, &extra_len) !=
	    SIM_OK) {
		return NULL;
	}
	o = json_pack("{s:o, s:o}", "leaf_input", sim_json_b64(leaf, leaf_len),
	    "extra_data", sim_json_b64(extra, extra_len));
	free(extra);
	return o;
}

static void
ct_get_entries(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	uint8_t *leaves[ENTRIES_MAX];
	size_t lens[ENTRIES_MAX], count = 0;
	uint64_t start, end;
	json_t *list;
	int rc;

	if (!sim_http_arg_u64(conn, rep, "start", 0, SIM_TREE_MAX_SIZE,
	    &start) ||
	    !sim_http_arg_u64(conn, rep, "end", 0, UINT64_MAX, &end)) {
		return;
	}
	if (start > end) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST, "start > end");
		return;
	}
	if (sim_log_entries_json(http->log, view, start, end, ENTRIES_MAX,
	    &rep->raw, &rep->raw_len) == SIM_OK) {
		rep->status = MHD_HTTP_OK;
		return;
	}
	if ((rc = sim_log_entries(http->log, view, start, end, ENTRIES_MAX,
	    leaves, lens, &count)) != SIM_OK) {
		sim_http_reply_status(rep, rc, "start");
		return;
	}
	list = json_array();
	for (size_t i = 0; i < count; i++) {
		if (list != NULL && json_array_append_new(list,
		    json_entry(http, view, start + i, leaves[i],
		    lens[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
		free(leaves[i]);
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:o}", "entries",
	    list));
}

static void
ct_get_entry_and_proof(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	struct sim_proof proof;
	uint64_t idx, size;
	size_t leaf_len;
	uint8_t *leaf;
	json_t *entry;
	int rc;

	if (!sim_http_arg_u64(conn, rep, "leaf_index", 0, SIM_TREE_MAX_SIZE,
	    &idx) ||
	    !sim_http_arg_u64(conn, rep, "tree_size", 1, SIM_TREE_MAX_SIZE,
	    &size)) {
		return;
	}
	if ((rc = sim_log_entry_and_proof(http->log, view, idx, size, &leaf,
	    &leaf_len, &proof)) != SIM_OK) {
		sim_http_reply_status(rep, rc, "leaf_index/tree_size");
		return;
	}
	entry = json_entry(http, view, idx, leaf, leaf_len);
	if (entry != NULL && json_object_set_new(entry, "audit_path",
	    sim_json_proof(&proof)) != 0) {
		json_decref(entry);
		entry = NULL;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, entry);
	free(leaf);
}

static void
ct_get_roots(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	size_t len;
	const uint8_t *der = sim_log_root_cert(http->log, &len);

	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:[o]}",
	    "certificates",
	    sim_json_b64(der, len)));
}

static const struct route routes[] = {
	{ "/ct/v1/get-sth", STAT_GET_STH, ct_get_sth },
	{ "/ct/v1/get-sth-consistency", STAT_GET_STH_CONSISTENCY,
	    ct_get_sth_consistency },
	{ "/ct/v1/get-proof-by-hash", STAT_GET_PROOF_BY_HASH,
	    ct_get_proof_by_hash },
	{ "/ct/v1/get-entries", STAT_GET_ENTRIES, ct_get_entries },
	{ "/ct/v1/get-entry-and-proof", STAT_GET_ENTRY_AND_PROOF,
	    ct_get_entry_and_proof },
	{ "/ct/v1/get-roots", STAT_GET_ROOTS, ct_get_roots },
	{ "/sim/grow", STAT_NONE, sim_ctl_grow },
	{ "/sim/mode", STAT_NONE, sim_ctl_mode },
	{ "/sim/stats", STAT_NONE, sim_ctl_stats },
	{ "/sim/reset-stats", STAT_NONE, sim_ctl_reset_stats },
	{ "/sim/leaf", STAT_NONE, sim_ctl_leaf },
	{ "/sim/sth", STAT_NONE, sim_ctl_sth },
};

/* --- dispatch ---------------------------------------------------------- */

static const struct route *
route_find(const char *url)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(url, routes[i].path) == 0) {
			return &routes[i];
		}
	}
	return NULL;
}

static void
stats_count(struct sim_http *http, enum stat_idx stat, enum sim_view view)
{
	pthread_mutex_lock(&http->stats_lock);
	http->stats[stat]++;
	http->total++;
	if (view == SIM_VIEW_SPLIT) {
		http->split_stats[stat]++;
		http->split_total++;
	}
	pthread_mutex_unlock(&http->stats_lock);
}

/* Whether the connection comes from the --split-client address. */
static bool
is_split_client(const struct sim_http *http, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	const struct sockaddr_storage *want = &http->split_client;

	if (!http->has_split_client || sa == NULL ||
	    sa->sa_family != want->ss_family) {
		return false;
	}
	if (sa->sa_family == AF_INET) {
		return memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
		    &((const struct sockaddr_in *)want)->sin_addr,
		    sizeof(struct in_addr)) == 0;
	}
	return sa->sa_family == AF_INET6 &&
	    memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
	    &((const struct sockaddr_in6 *)want)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

/* The view this request is answered from: split for the split client
 * while mode split runs. */
static enum sim_view
request_view(const struct sim_http *http, struct MHD_Connection *conn,
    enum sim_mode mode)
{
	return mode == SIM_MODE_SPLIT && is_split_client(http, conn) ?
	    SIM_VIEW_SPLIT : SIM_VIEW_REAL;
}

/* Serialise rep and queue it; bad-json cuts the body in half. */
static enum MHD_Result
send_reply(struct MHD_Connection *conn, struct reply *rep, bool truncate)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len;

	if (rep->raw != NULL) {
		resp = MHD_create_response_from_buffer(truncate ?
		    rep->raw_len / 2 : rep->raw_len, rep->raw,
		    MHD_RESPMEM_MUST_FREE);
		text = rep->raw;
		rep->raw = NULL;
	} else if (rep->body == NULL || (text = json_dumps(rep->body,
	    JSON_COMPACT)) == NULL) {
		/* Out of memory: answer 500 with no body. */
		resp = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
		rep->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else {
		len = strlen(text);
		if (truncate) {
			len /= 2;
		}
		resp = MHD_create_response_from_buffer(len, text,
		    MHD_RESPMEM_MUST_FREE);
	}
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	ret = MHD_queue_response(conn, rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answer one /ct/v1/ request with the HTTP-level modes applied. */
static void
serve_ct(struct sim_http *http, struct MHD_Connection *conn,
    const struct route *r, enum sim_mode mode, unsigned slow_ms,
    struct reply *rep)
{
	enum sim_view view = request_view(http, conn, mode);

	stats_count(http, r != NULL ? r->stat : STAT_OTHER, view);
	sim_log_delay(http->log, mode, slow_ms);
	if (mode == SIM_MODE_ERROR) {
		sim_http_reply_error(rep, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "simulated server error");
	} else if (r == NULL) {
		sim_http_reply_error(rep, MHD_HTTP_NOT_FOUND,
		    "no such endpoint");
	} else {
		r->fn(http, conn, view, rep);
	}
}

/* A complete add-chain / add-pre-chain body: append, answer the SCT. */
static enum MHD_Result
serve_submit(struct sim_http *http, struct MHD_Connection *conn, bool pre,
    void **con_cls)
{
	struct reply rep = { 0 };
	unsigned slow_ms = 0;
	enum sim_mode mode = sim_log_mode(http->log, &slow_ms);
	enum MHD_Result ret;
	json_t *body = NULL;

	/* Submissions go to the real log, whoever sends them. */
	stats_count(http, pre ? STAT_ADD_PRE_CHAIN : STAT_ADD_CHAIN,
	    SIM_VIEW_REAL);
	sim_log_delay(http->log, mode, slow_ms);
	if (mode == SIM_MODE_ERROR) {
		sim_http_reply_error(&rep, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "simulated server error");
	} else {
		unsigned status = sim_submit_run(http->log, pre,
		    http->st != NULL, *con_cls, &body);
		sim_http_reply_json(&rep, status, body);
	}
	sim_submit_free(*con_cls);
	*con_cls = NULL;
	ret = send_reply(conn, &rep, mode == SIM_MODE_BAD_JSON);
	json_decref(rep.body);
	return ret;
}

/* A request ends (answered or aborted): drop a half-collected body. */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	if (*con_cls != &headers_seen) {
		sim_submit_free(*con_cls);
	}
	*con_cls = NULL;
}

/* Whether the first call of a request without a body is to return at
 * once (the answer then comes in the second: see the top comment). */
static bool
first_call_of_get(const char *method, void **con_cls)
{
	if (*con_cls != NULL || (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)) {
		return false;
	}
	*con_cls = &headers_seen;
	return true;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct sim_http *http = cls;
	const struct route *r = route_find(url);
	bool ct = strncmp(url, "/ct/", 4) == 0;
	struct reply rep = { 0 };
	enum sim_mode mode = SIM_MODE_NORMAL;
	unsigned slow_ms = 0;
	enum MHD_Result ret;

	bool add_chain = strcmp(url, "/ct/v1/add-chain") == 0;
	bool add_pre = strcmp(url, "/ct/v1/add-pre-chain") == 0;

	if (first_call_of_get(method, con_cls)) {
		return MHD_YES;
	}
	if (http->st != NULL && sim_static_owns(url)) {
		return sim_static_serve(http->st, conn, url, method,
		    is_split_client(http, conn));
	}
	if ((add_chain || add_pre) &&
	    strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
		if (!sim_submit_collect(con_cls, upload_data,
		    upload_data_size)) {
			return *con_cls != NULL ? MHD_YES : MHD_NO;
		}
		return serve_submit(http, conn, add_pre, con_cls);
	}
	/* One read of the mode per request, so its parts agree. */
	if (ct) {
		mode = sim_log_mode(http->log, &slow_ms);
	}
	if (ct && mode == SIM_MODE_DOWN) {
		stats_count(http, r != NULL ? r->stat : STAT_OTHER,
		    SIM_VIEW_REAL);
		return MHD_NO;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
		if (ct) {
			stats_count(http, r != NULL ? r->stat : STAT_OTHER,
			    request_view(http, conn, mode));
		}
		sim_http_reply_error(&rep, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET is served");
	} else if (ct) {
		serve_ct(http, conn, r, mode, slow_ms, &rep);
	} else if (r != NULL) {
		r->fn(http, conn, SIM_VIEW_REAL, &rep);
	} else {
		sim_http_reply_error(&rep, MHD_HTTP_NOT_FOUND,
		    "no such endpoint");
	}
	ret = send_reply(conn, &rep, mode == SIM_MODE_BAD_JSON);
	json_decref(rep.body);
	return ret;
}

/* --- start and stop ---------------------------------------------------- */

/* Parse a numeric address into ss; false when it is none. */
static bool
parse_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return true;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return true;
	}
	return false;
}

struct sim_http *
sim_http_start(struct sim_log *log, struct sim_static *st, const char *addr,
    uint16_t port, const char *split_client)
{
	struct sim_http *http;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (!parse_addr(addr, port, &ss)) {
		fprintf(stderr, "ctlog-sim: %s: not a numeric address\n",
		    addr);
		return NULL;
	}
	if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	if ((http = calloc(1, sizeof(*http))) == NULL) {
		return NULL;
	}
	if (split_client != NULL) {
		if (!parse_addr(split_client, 0, &http->split_client)) {
			fprintf(stderr, "ctlog-sim: %s: not a numeric "
			    "address\n", split_client);
			free(http);
			return NULL;
		}
		http->has_split_client = true;
	}
	http->log = log;
	http->st = st;
	pthread_mutex_init(&http->stats_lock, NULL);
	http->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request,
	    http, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTIONS_MAX,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (http->daemon == NULL ||
	    (info = MHD_get_daemon_info(http->daemon,
	    MHD_DAEMON_INFO_BIND_PORT)) == NULL) {
		sim_http_stop(http);
		return NULL;
	}
	http->port = info->port;
	if (st != NULL) {
		sim_static_default_origin(st, addr, http->port);
	}
	return http;
}

uint16_t
sim_http_port(const struct sim_http *http)
{
	return http->port;
}

void
sim_http_stop(struct sim_http *http)
{
	if (http == NULL) {
		return;
	}
	if (http->daemon != NULL) {
		MHD_stop_daemon(http->daemon);
	}
	pthread_mutex_destroy(&http->stats_lock);
	free(http);
}
