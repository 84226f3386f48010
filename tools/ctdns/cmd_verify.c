/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_verify.c -- `ctdns verify`: prove a certificate's SCTs over DNS.
 *
 * Uses libctdns' public API (ctdns.h) only, as an HTTPS client would:
 * load the log list, map logs to zones, build a request from the
 * certificate, its issuer and any SCT list, verify (blocking, or with
 * --async on a libuv loop), print one line per SCT (or JSON).
 *
 * CERT.pem may hold the issuer after the certificate; --issuer wins. An
 * SCT list file holds a TLS-encoded SignedCertificateTimestampList, raw
 * or in base64.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <uv.h>

#include "base64.h"
#include "ctdns.h"
#include "ctdns_tool.h"
#include "err.h"
#include "num.h"

#define EXIT_FAIL 1
#define EXIT_TROUBLE 2
#define ZONES_MAX 64
#define WITNESS_ARGS_MAX 256
/* A base64 log ID: 44 characters, the last one "=". */
#define LOG_ID_B64_LEN 44
/* Largest SCT list file read (the list itself is at most 64 KiB). */
#define SCT_FILE_MAX (256 * 1024)

struct vopts {
	const char *cert;
	const char *issuer;
	const char *sct_list;
	enum ctdns_sct_source sct_source;
	const char *log_list;
	const char *zones[ZONES_MAX];
	size_t nzones;
	/* --log-witness and --log-quorum, "LOGID=..." each. */
	const char *witnesses[WITNESS_ARGS_MAX];
	size_t nwitnesses;
	const char *quorums[ZONES_MAX];
	size_t nquorums;
	const char *server;
	uint64_t now_ms;
	bool tcp;
	bool json;
	bool async;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ctdns verify CERT.pem [--issuer ISSUER.pem] "
	    "[--sct-list FILE]\n"
	    "         [--sct-source tls|ocsp] --log-list FILE "
	    "[--log-zone LOGID=ZONE]...\n"
	    "         [--log-witness LOGID=VKEY]... [--log-quorum LOGID=K]"
	    "...\n"
	    "         [-s ADDR[@PORT]] [-T] [--json] [--async]\n"
	    "  --issuer FILE      the issuer (default: the 2nd certificate "
	    "of CERT.pem)\n"
	    "  --sct-list FILE    SignedCertificateTimestampList (TLS "
	    "extension or OCSP),\n"
	    "                     raw or base64\n"
	    "  --sct-source S     tls (default) or ocsp: where the list "
	    "came from\n"
	    "  --log-list FILE    known logs, Chrome log_list.json v3 "
	    "(\"dns\": zone per log)\n"
	    "  --log-zone ID=ZONE the DNS zone of a log (base64 log ID)\n"
	    "  --log-witness ID=VKEY  a witness of the log (cosignature/v1 "
	    "verifier key):\n"
	    "                     its heads come from checkpoint.ZONE\n"
	    "  --log-quorum ID=K  cosignatures of its witnesses needed "
	    "(default: all)\n"
	    "  -s ADDR[@PORT]     resolver (default: /etc/resolv.conf)\n"
	    "  -T                 TCP only\n"
	    "  --json             JSON on stdout\n"
	    "  --async            use the library's libuv driver\n"
	    "exit: 0 every provable SCT verified, 1 an SCT invalid, a proof "
	    "failed or no\n"
	    "      witness quorum (or no SCT at all), 2 usage, files or "
	    "network errors\n");
}

static int
parse_vopts(int argc, char **argv, const struct options *o,
    struct vopts *v)
{
	enum { OPT_ISSUER = 256, OPT_SCTS, OPT_SOURCE, OPT_LOGS, OPT_ZONE, OPT_JSON,
	    OPT_ASYNC, OPT_NOW, OPT_WITNESS, OPT_QUORUM };
	static const struct option longopts[] = {
		{ "issuer", required_argument, NULL, OPT_ISSUER },
		{ "sct-list", required_argument, NULL, OPT_SCTS },
		{ "sct-source", required_argument, NULL, OPT_SOURCE },
		{ "log-list", required_argument, NULL, OPT_LOGS },
		{ "log-zone", required_argument, NULL, OPT_ZONE },
		{ "log-witness", required_argument, NULL, OPT_WITNESS },
		{ "log-quorum", required_argument, NULL, OPT_QUORUM },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "async", no_argument, NULL, OPT_ASYNC },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*v = (struct vopts){ .server = o->server, .tcp = o->tcp,
	    .sct_source = CTDNS_SCT_TLS };
	/* 0: glibc starts afresh (the global options were parsed). */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:Th", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ISSUER: v->issuer = optarg; break;
		case OPT_SCTS: v->sct_list = optarg; break;
		case OPT_LOGS: v->log_list = optarg; break;
		case OPT_JSON: v->json = true; break;
		case OPT_ASYNC: v->async = true; break;
		case 's': v->server = optarg; break;
		case 'T': v->tcp = true; break;
		case OPT_SOURCE:
			if (strcmp(optarg, "tls") == 0) {
				v->sct_source = CTDNS_SCT_TLS;
			} else if (strcmp(optarg, "ocsp") == 0) {
				v->sct_source = CTDNS_SCT_OCSP;
			} else {
				fprintf(stderr, "ctdns: --sct-source is tls or "
				    "ocsp\n");
				return -1;
			}
			break;
		case OPT_ZONE:
			if (v->nzones == ZONES_MAX ||
			    strchr(optarg, '=') == NULL) {
				fprintf(stderr, "ctdns: --log-zone LOGID=ZONE "
				    "(at most %d)\n", ZONES_MAX);
				return -1;
			}
			v->zones[v->nzones++] = optarg;
			break;
		case OPT_WITNESS:
		case OPT_QUORUM:
			if (strlen(optarg) <= LOG_ID_B64_LEN ||
			    optarg[LOG_ID_B64_LEN] != '=' ||
			    (ch == OPT_WITNESS ? v->nwitnesses ==
			    WITNESS_ARGS_MAX : v->nquorums == ZONES_MAX)) {
				fprintf(stderr, "ctdns: --log-witness and "
				    "--log-quorum take LOGID=VALUE\n");
				return -1;
			}
			if (ch == OPT_WITNESS) {
				v->witnesses[v->nwitnesses++] = optarg;
			} else {
				v->quorums[v->nquorums++] = optarg;
			}
			break;
		case OPT_NOW:
			if (num_parse_u64_str(optarg, 0, &v->now_ms) != CTD_OK ||
			    v->now_ms == 0) {
				fprintf(stderr, "ctdns: --now wants ms since "
				    "the epoch\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind + 1 != argc || v->log_list == NULL) {
		usage(stderr);
		return -1;
	}
	v->cert = argv[optind];
	return 0;
}

/* The first certificate of a PEM file, and the second when wanted. */
static int
read_pem(const char *path, X509 **first, X509 **second)
{
	FILE *f = fopen(path, "r");

	*first = NULL;
	if (second != NULL) {
		*second = NULL;
	}
	if (f == NULL) {
		fprintf(stderr, "ctdns: %s: cannot open\n", path);
		return -1;
	}
	*first = PEM_read_X509(f, NULL, NULL, NULL);
	if (*first != NULL && second != NULL) {
		*second = PEM_read_X509(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (*first == NULL) {
		fprintf(stderr, "ctdns: %s: no PEM certificate\n", path);
		return -1;
	}
	return 0;
}

/* An SCT list file: raw bytes, or base64 of them. */
static int
read_sct_list(const char *path, uint8_t **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(SCT_FILE_MAX + 1);
	size_t len = 0;
	int rc = -1;

	if (f == NULL || buf == NULL) {
		fprintf(stderr, "ctdns: %s: cannot read\n", path);
		goto out;
	}
	len = fread(buf, 1, SCT_FILE_MAX + 1, f);
	if (len == 0 || len > SCT_FILE_MAX) {
		fprintf(stderr, "ctdns: %s: empty or too large\n", path);
		goto out;
	}
	size_t tlen = len;
	while (tlen > 0 && (buf[tlen - 1] == '\n' || buf[tlen - 1] == '\r')) {
		tlen--;
	}
	uint8_t *dec = malloc(tlen);
	size_t dec_len;
	if (dec != NULL && base64_decode((const char *)buf, tlen, dec, tlen,
	    &dec_len) == 0 && dec_len > 0) {
		free(buf);
		buf = dec;
		len = dec_len;
	} else {
		free(dec);
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != NULL) {
		fclose(f);
	}
	return rc;
}

/* ISO 8601 UTC of ms since the epoch. */
static void
fmt_time(uint64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(out, cap, "%" PRIu64 " ms", ms);
	}
}

static const char *
source_name(enum ctdns_sct_source s)
{
	return s == CTDNS_SCT_EMBEDDED ? "embedded" :
	    s == CTDNS_SCT_TLS ? "tls" : "ocsp";
}

static void
print_line(size_t i, size_t n, const struct ctdns_sct_result *r)
{
	char when[40], state[80] = "";

	if (r->log_state == CTDNS_STATE_RETIRED ||
	    r->log_state == CTDNS_STATE_REJECTED) {
		fmt_time(r->log_state_time_ms, when, sizeof when);
		snprintf(state, sizeof state, ", %s since %s",
		    ctdns_log_state_name(r->log_state), when);
	} else if (r->log_state != CTDNS_STATE_NONE) {
		snprintf(state, sizeof state, ", %s",
		    ctdns_log_state_name(r->log_state));
	}
	printf("SCT %zu/%zu (%s) log \"%s\"%s [%s]: ", i + 1, n,
	    source_name(r->source), r->log_description[0] != '\0' ?
	    r->log_description : "?", state, r->log_id_b64);
	switch (r->outcome) {
	case CTDNS_INCLUDED:
		printf("included in tree %" PRIu64 " at index %" PRIu64
		    "%s, verified\n", r->tree_size, r->leaf_index,
		    r->index_from_sct ? " (the SCT's leaf_index)" : "");
		return;
	case CTDNS_NOT_YET:
		fmt_time(r->retry_after_ms, when, sizeof when);
		printf("not yet provable, try after %s (%s)\n", when,
		    r->detail);
		return;
	default:
		printf("%s (%s)\n", ctdns_outcome_name(r->outcome), r->detail);
		return;
	}
}

static json_t *
json_result(size_t i, const struct ctdns_sct_result *r)
{
	char hex[65] = "";

	if (r->leaf_hash_set) {
		for (size_t k = 0; k < 32; k++) {
			snprintf(hex + 2 * k, 3, "%02x", r->leaf_hash[k]);
		}
	}
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
	    "s:s}", "index", (json_int_t)i, "source", source_name(r->source),
	    "log_id", r->log_id_b64, "log_description", r->log_description,
	    "log_state", ctdns_log_state_name(r->log_state),
	    "outcome", ctdns_outcome_name(r->outcome),
	    "sct_timestamp", (json_int_t)r->sct_timestamp_ms,
	    "leaf_hash", hex, "detail", r->detail);
	if (o == NULL) {
		return NULL;
	}
	if (r->log_state_time_ms != 0) {
		json_object_set_new(o, "log_state_timestamp",
		    json_integer((json_int_t)r->log_state_time_ms));
	}
	if (r->tree_size != 0 || r->sth_timestamp_ms != 0) {
		json_object_set_new(o, "tree_size",
		    json_integer((json_int_t)r->tree_size));
		json_object_set_new(o, "sth_timestamp",
		    json_integer((json_int_t)r->sth_timestamp_ms));
	}
	if (r->outcome == CTDNS_INCLUDED || r->index_from_sct) {
		json_object_set_new(o, "leaf_index",
		    json_integer((json_int_t)r->leaf_index));
	}
	json_object_set_new(o, "index_from_sct",
	    json_boolean(r->index_from_sct));
	if (r->outcome == CTDNS_NOT_YET) {
		json_object_set_new(o, "retry_after",
		    json_integer((json_int_t)r->retry_after_ms));
	}
	json_object_set_new(o, "failure",
	    json_boolean(ctdns_outcome_is_failure(r->outcome)));
	return o;
}

/* Print the report; return the exit status. */
static int
output(const struct vopts *v, const struct ctdns_report *rep)
{
	size_t n = ctdns_report_count(rep);
	bool invalid = false, trouble = false;
	json_t *list = v->json ? json_array() : NULL;

	for (size_t i = 0; i < n; i++) {
		const struct ctdns_sct_result *r = ctdns_report_get(rep, i);
		if (v->json) {
			json_array_append_new(list, json_result(i, r));
		} else {
			print_line(i, n, r);
		}
		invalid |= r->outcome == CTDNS_SCT_INVALID ||
		    r->outcome == CTDNS_PROOF_FAILED ||
		    r->outcome == CTDNS_NO_QUORUM;
		trouble |= r->outcome == CTDNS_ERROR;
	}
	int status = n == 0 || invalid ? EXIT_FAIL : trouble ? EXIT_TROUBLE :
	    0;
	if (v->json) {
		json_t *doc = json_pack("{s:s, s:o, s:b, s:i}", "certificate",
		    v->cert, "scts", list, "ok", status == 0, "exit", status);
		char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) :
		    NULL;
		printf("%s\n", text != NULL ? text : "{}");
		free(text);
		json_decref(doc);
	} else if (n == 0) {
		printf("no SCT: the certificate has no embedded SCT list and "
		    "no --sct-list was given\n");
	}
	return status;
}

static void
on_done(struct ctdns_report *rep, void *arg)
{
	*(struct ctdns_report **)arg = rep;
}

/* The library's libuv driver on a private loop. */
static int
verify_async(struct ctdns_client *c, const struct ctdns_request *req,
    struct ctdns_report **rep)
{
	uv_loop_t loop;
	int rc;

	*rep = NULL;
	if (uv_loop_init(&loop) != 0) {
		return -1;
	}
	rc = ctdns_verify_start(c, &loop, req, on_done, rep);
	if (rc == 0) {
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	if (uv_loop_close(&loop) != 0) {
		fprintf(stderr, "ctdns: internal error: handles left on the "
		    "loop\n");
		rc = -1;
	}
	return rc == 0 && *rep != NULL ? 0 : -1;
}

/* The value of the last "LOGID=VALUE" of args for this log, or NULL. */
static const char *
value_for(const char *const *args, size_t n, const char *id)
{
	const char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(args[i], id, LOG_ID_B64_LEN) == 0) {
			found = args[i] + LOG_ID_B64_LEN + 1;
		}
	}
	return found;
}

/* One log's witness policy from --log-witness and --log-quorum. */
static int
set_policy(const struct vopts *v, struct ctdns_loglist *logs,
    const char *arg)
{
	const char *keys[CTDNS_WITNESS_MAX];
	char id[LOG_ID_B64_LEN + 1];
	const char *q;
	uint64_t quorum;
	size_t n = 0;
	int rc;

	memcpy(id, arg, LOG_ID_B64_LEN);
	id[LOG_ID_B64_LEN] = '\0';
	for (size_t i = 0; i < v->nwitnesses; i++) {
		if (strncmp(v->witnesses[i], id, LOG_ID_B64_LEN) == 0) {
			if (n == CTDNS_WITNESS_MAX) {
				fprintf(stderr, "ctdns: more than %d witnesses "
				    "for log %s\n", CTDNS_WITNESS_MAX, id);
				return -1;
			}
			keys[n++] = v->witnesses[i] + LOG_ID_B64_LEN + 1;
		}
	}
	quorum = n;
	q = value_for(v->quorums, v->nquorums, id);
	if (q != NULL && num_parse_u64_str(q, 0, &quorum) != CTD_OK) {
		fprintf(stderr, "ctdns: --log-quorum %s=%s: not a number\n",
		    id, q);
		return -1;
	}
	rc = quorum > CTDNS_WITNESS_MAX ? CTD_EINVAL :
	    ctdns_loglist_set_witnesses(logs, id, keys, n, (unsigned)quorum);
	if (rc != 0) {
		fprintf(stderr, "ctdns: witness policy of log %s (%zu keys, "
		    "quorum %" PRIu64 "): %s\n", id, n, quorum,
		    ctdns_strerror(rc));
		return -1;
	}
	return 0;
}

/* Log list, zones, client. */
static int
setup(const struct vopts *v, struct ctdns_loglist **logs,
    struct ctdns_client **c)
{
	char err[300];
	int rc;

	if ((rc = ctdns_loglist_load(v->log_list, logs, err,
	    sizeof err)) != 0) {
		fprintf(stderr, "ctdns: log list %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < v->nzones; i++) {
		char id[64];
		/* The last "=": a base64 log ID ends with "=". */
		const char *eq = strrchr(v->zones[i], '=');
		size_t id_len = (size_t)(eq - v->zones[i]);
		if (id_len >= sizeof id) {
			fprintf(stderr, "ctdns: --log-zone %s: bad log ID\n",
			    v->zones[i]);
			return -1;
		}
		memcpy(id, v->zones[i], id_len);
		id[id_len] = '\0';
		if ((rc = ctdns_loglist_set_zone(*logs, id, eq + 1)) != 0) {
			fprintf(stderr, "ctdns: --log-zone %s: %s\n",
			    v->zones[i], ctdns_strerror(rc));
			return -1;
		}
	}
	for (size_t i = 0; i < v->nwitnesses + v->nquorums; i++) {
		const char *arg = i < v->nwitnesses ? v->witnesses[i] :
		    v->quorums[i - v->nwitnesses];
		if (set_policy(v, *logs, arg) != 0) {
			return -1;
		}
	}
	if ((rc = ctdns_client_new(*logs, v->server,
	    v->tcp ? CTDNS_CLIENT_TCP : 0, c)) != 0) {
		fprintf(stderr, "ctdns: resolver %s: %s\n",
		    v->server != NULL ? v->server : "(resolv.conf)",
		    ctdns_strerror(rc));
		return -1;
	}
	if (v->now_ms != 0) {
		ctdns_client_set_time(*c, v->now_ms);
	}
	return 0;
}

/* The request: certificate, issuer, SCT list. */
static int
make_request(const struct vopts *v, struct ctdns_request **req)
{
	X509 *cert = NULL, *issuer = NULL, *extra = NULL;
	uint8_t *list = NULL;
	size_t list_len = 0;
	int rc = -1;

	if (read_pem(v->cert, &cert, &extra) != 0) {
		goto out;
	}
	if (v->issuer != NULL && read_pem(v->issuer, &issuer, NULL) != 0) {
		goto out;
	}
	if ((rc = ctdns_request_new(cert, issuer != NULL ? issuer : extra,
	    req)) != 0) {
		fprintf(stderr, "ctdns: %s: the embedded SCT list: %s\n",
		    v->cert, ctdns_strerror(rc));
		goto out;
	}
	if (v->sct_list != NULL) {
		rc = read_sct_list(v->sct_list, &list, &list_len);
		if (rc == 0 && (rc = ctdns_request_add_sct_list(*req, list,
		    list_len, v->sct_source)) != 0) {
			fprintf(stderr, "ctdns: %s: not an SCT list: %s\n",
			    v->sct_list, ctdns_strerror(rc));
		}
	}
out:
	free(list);
	X509_free(cert);
	X509_free(issuer);
	X509_free(extra);
	return rc == 0 ? 0 : -1;
}

int
cmd_verify(int argc, char **argv, const struct options *o)
{
	struct ctdns_loglist *logs = NULL;
	struct ctdns_client *c = NULL;
	struct ctdns_request *req = NULL;
	struct ctdns_report *rep = NULL;
	struct vopts v;
	int status = EXIT_TROUBLE;

	if (parse_vopts(argc, argv, o, &v) != 0 ||
	    setup(&v, &logs, &c) != 0 || make_request(&v, &req) != 0) {
		goto out;
	}
	int rc = v.async ? verify_async(c, req, &rep) :
	    ctdns_verify(c, req, &rep);
	if (rc != 0) {
		fprintf(stderr, "ctdns: verify: %s\n", ctdns_strerror(rc));
		goto out;
	}
	status = output(&v, rep);
out:
	ctdns_report_free(rep);
	ctdns_request_free(req);
	ctdns_client_free(c);
	ctdns_loglist_free(logs);
	fflush(stdout);
	return status;
}
