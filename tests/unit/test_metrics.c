/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_metrics.c -- the Prometheus exposition and its HTTP listener.
 *
 * metrics_format() is checked against hand-filled numbers: every line is
 * parsed back with a strict reader of the text format (names, labels and
 * their escapes, values, HELP/TYPE before samples, families contiguous,
 * no series twice), then the values a dashboard relies on are compared.
 * The listener runs on a real libuv loop in the main thread while a
 * client thread scrapes it with libcurl: the collect callback must run on
 * the loop's thread, every scrape must be fresh, and the loop must close
 * with no handle left.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <uv.h>

#include "conf.h"
#include "err.h"
#include "fetch.h"
#include "metrics.h"
#include "../tap.h"

int main(void);

/* ---- a strict reader of the text format ------------------------------- */

#define MAX_FAMILIES 128
#define MAX_SERIES 1024

struct parsed {
	char families[MAX_FAMILIES][96];
	char types[MAX_FAMILIES][16];
	bool helped[MAX_FAMILIES];
	size_t n_families;
	char *series[MAX_SERIES];	/* "name{labels}" as written */
	size_t n_series;
	char why[200];			/* the first problem */
};

static bool
name_ok(const char *s, size_t len)
{
	if (len == 0 || !(s[0] == '_' || s[0] == ':' ||
	    (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
		return false;
	}
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (!(c == '_' || c == ':' || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
			return false;
		}
	}
	return true;
}

/* {k="v",...}: the end of the labels, or NULL when malformed. */
static const char *
labels_end(const char *p)
{
	if (*p != '{') {
		return p;
	}
	p++;
	while (*p != '}') {
		const char *k = p;
		while (*p != '=' && *p != '\0' && *p != '\n') {
			p++;
		}
		if (*p != '=' || !name_ok(k, (size_t)(p - k)) || p[1] != '"') {
			return NULL;
		}
		p += 2;
		while (*p != '"') {
			if (*p == '\0' || *p == '\n') {
				return NULL;
			}
			if (*p == '\\') {
				p++;
				if (*p != '\\' && *p != '"' && *p != 'n') {
					return NULL;
				}
			}
			p++;
		}
		p++;
		if (*p == ',') {
			p++;
		} else if (*p != '}') {
			return NULL;
		}
	}
	return p + 1;
}

static int
family_find(struct parsed *ps, const char *name)
{
	for (size_t i = 0; i < ps->n_families; i++) {
		if (strcmp(ps->families[i], name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static bool
comment_line(struct parsed *ps, const char *line)
{
	char kind[8], name[96], rest[16];
	if (sscanf(line, "# %7s %95s %15s", kind, name, rest) != 3) {
		snprintf(ps->why, sizeof ps->why, "bad comment: %s", line);
		return false;
	}
	int f = family_find(ps, name);
	if (strcmp(kind, "HELP") == 0) {
		if (f >= 0) {
			snprintf(ps->why, sizeof ps->why, "HELP twice or after "
			    "TYPE: %s", name);
			return false;
		}
		if (ps->n_families == MAX_FAMILIES) {
			return false;
		}
		f = (int)ps->n_families++;
		snprintf(ps->families[f], sizeof ps->families[f], "%s", name);
		ps->helped[f] = true;
		ps->types[f][0] = '\0';
		return true;
	}
	if (strcmp(kind, "TYPE") != 0 || f != (int)ps->n_families - 1 ||
	    ps->types[f][0] != '\0') {
		snprintf(ps->why, sizeof ps->why, "TYPE without its HELP just "
		    "before, or twice: %s", line);
		return false;
	}
	if (strcmp(rest, "counter") != 0 && strcmp(rest, "gauge") != 0 &&
	    strcmp(rest, "histogram") != 0) {
		snprintf(ps->why, sizeof ps->why, "bad type: %s", line);
		return false;
	}
	snprintf(ps->types[f], sizeof ps->types[f], "%s", rest);
	return true;
}

/* The family a sample name belongs to, given the current family. */
static bool
sample_in_family(const char *name, size_t len, const char *fam,
    const char *type)
{
	size_t fl = strlen(fam);
	if (len == fl && strncmp(name, fam, len) == 0) {
		return strcmp(type, "histogram") != 0;
	}
	if (strcmp(type, "histogram") != 0 || len <= fl ||
	    strncmp(name, fam, fl) != 0) {
		return false;
	}
	const char *suf = name + fl;
	size_t sl = len - fl;
	return (sl == 7 && strncmp(suf, "_bucket", 7) == 0) ||
	    (sl == 4 && strncmp(suf, "_sum", 4) == 0) ||
	    (sl == 6 && strncmp(suf, "_count", 6) == 0);
}

static bool
sample_line(struct parsed *ps, const char *line)
{
	const char *p = line;
	while (*p != '{' && *p != ' ' && *p != '\0') {
		p++;
	}
	size_t nlen = (size_t)(p - line);
	const char *end = labels_end(p);
	if (!name_ok(line, nlen) || strncmp(line, "ctdnsd_", 7) != 0 ||
	    end == NULL || *end != ' ') {
		snprintf(ps->why, sizeof ps->why, "bad sample: %s", line);
		return false;
	}
	if (ps->n_families == 0 ||
	    !sample_in_family(line, nlen, ps->families[ps->n_families - 1],
	    ps->types[ps->n_families - 1])) {
		snprintf(ps->why, sizeof ps->why, "sample outside its family "
		    "(or before TYPE): %s", line);
		return false;
	}
	char *num_end;
	strtod(end + 1, &num_end);
	if (num_end == end + 1 || *num_end != '\0') {
		snprintf(ps->why, sizeof ps->why, "bad value: %s", line);
		return false;
	}
	size_t slen = (size_t)(end - line);
	for (size_t i = 0; i < ps->n_series; i++) {
		if (strlen(ps->series[i]) == slen &&
		    strncmp(ps->series[i], line, slen) == 0) {
			snprintf(ps->why, sizeof ps->why, "series twice: %s",
			    line);
			return false;
		}
	}
	if (ps->n_series == MAX_SERIES) {
		return false;
	}
	ps->series[ps->n_series++] = strndup(line, slen);
	return true;
}

/* Parse a whole exposition; false with ps->why on the first problem. */
static bool
parse_exposition(const char *text, struct parsed *ps)
{
	memset(ps, 0, sizeof *ps);
	size_t len = strlen(text);
	if (len == 0 || text[len - 1] != '\n') {
		snprintf(ps->why, sizeof ps->why, "no final newline");
		return false;
	}
	const char *p = text;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		char *line = strndup(p, (size_t)(nl - p));
		bool good = line[0] == '#' ? comment_line(ps, line) :
					     sample_line(ps, line);
		free(line);
		if (!good) {
			return false;
		}
		p = nl + 1;
	}
	for (size_t i = 0; i < ps->n_families; i++) {
		size_t fl = strlen(ps->families[i]);
		if (strcmp(ps->types[i], "counter") == 0 &&
		    (fl < 6 ||
		    strcmp(ps->families[i] + fl - 6, "_total") != 0)) {
			snprintf(ps->why, sizeof ps->why, "counter without "
			    "_total: %s", ps->families[i]);
			return false;
		}
	}
	return true;
}

static void
parsed_free(struct parsed *ps)
{
	for (size_t i = 0; i < ps->n_series; i++) {
		free(ps->series[i]);
	}
}

/* The value of one series ("name{labels}" exactly), or "" when absent. */
static const char *
value_of(const char *text, const char *series)
{
	static char v[64];
	size_t n = strlen(series);
	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ') {
			size_t k = strcspn(p + n + 1, "\n");
			snprintf(v, sizeof v, "%.*s", (int)k, p + n + 1);
			return v;
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return "";
}

#define is_str(got, want, ...) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		if (!ok(strcmp(g_, w_) == 0, __VA_ARGS__)) { \
			diag("  got '%s', want '%s'", g_, w_); \
		} \
	} while (0)

/* ---- the exposition --------------------------------------------------- */

static void
fill_input(struct metrics_input *in, struct metrics_log logs[2])
{
	memset(in, 0, sizeof *in);
	memset(logs, 0, 2 * sizeof logs[0]);
	in->version = "1.2.3";
	in->now_ms = 1700000100250u;
	in->server.udp_queries = 7;
	in->server.tcp_queries = 3;
	in->server.tcp_connections = 2;
	in->server.answers.by_form[ANSWER_FORM_STH] = 4;
	in->server.answers.by_form[ANSWER_FORM_CONSISTENCY] = 1;
	in->server.answers.by_rcode[0] = 8;
	in->server.answers.by_rcode[3] = 2;
	in->server.answers.by_rcode[9] = 1;	/* NOTAUTH: no name given */
	in->server.answers.hits = 11;
	in->server.answers.misses = 5;

	logs[0].name = "argon";
	logs[0].has_sth = true;
	logs[0].tree_size = 123456789012u;
	logs[0].sth_timestamp_ms = 1700000000000u;
	logs[0].last_poll_ok_ms = 1700000099007u;
	logs[0].log.fills_ok = 4;
	logs[0].log.fills_failed = 1;
	logs[0].log.mirror = true;
	logs[0].log.mirror_entries = 1234567;
	logs[0].log.mirror_target = 2000000;
	logs[0].log.mirror_batches = 42;
	logs[0].log.witness = (struct tlog_witness_stats){ .cosignatures = 7,
		.refusals = 3, .split_views = 1, .served_quorum = 5 };
	logs[0].fetch.by_label[0] = (struct fetch_label_stats){
		.label = "get-sth", .started = 9, .failed = 2 };
	logs[0].fetch.by_label[1] = (struct fetch_label_stats){
		.label = "get-proof-by-hash", .started = 3 };
	logs[0].fetch.by_label[2] = (struct fetch_label_stats){
		.label = "checkpoint", .started = 5, .failed = 1 };
	logs[0].fetch.label_count = 3;
	logs[0].fetch.by_label_other = (struct fetch_label_stats){
		.label = FETCH_LABEL_OTHER, .started = 4 };
	logs[0].fetch.coalesced = 6;
	logs[0].fetch.refused = 1;
	logs[0].fetch.latency_le[0] = 2;	/* <= 5 ms */
	logs[0].fetch.latency_le[5] = 3;	/* <= 250 ms */
	logs[0].fetch.latency_count = 6;	/* one slower than 10 s */
	logs[0].fetch.latency_sum_us = 10300123;

	/* Names are [A-Za-z0-9_-] in a configuration; escaping must hold
	 * anyway. */
	logs[1].name = "we\"ird\\lo\ng";
	logs[1].alarm = true;
	in->logs = logs;
	in->log_count = 2;
}

static void
test_format(void)
{
	struct metrics_input in;
	struct metrics_log logs[2];
	fill_input(&in, logs);
	size_t len = 0;
	char *text = metrics_format(&in, &len);
	if (!ok(text != NULL, "format: built")) {
		return;
	}
	is_int(len, strlen(text), "format: length matches the text");
	struct parsed ps;
	if (!ok(parse_exposition(text, &ps), "format: valid text format")) {
		diag("%s", ps.why);
	}
	ok(ps.n_families >= 25, "format: %zu families", ps.n_families);
	parsed_free(&ps);

	is_str(value_of(text, "ctdnsd_build_info{version=\"1.2.3\"}"), "1",
	    "build_info");
	is_str(value_of(text, "ctdnsd_queries_total{transport=\"udp\"}"), "7",
	    "queries udp");
	is_str(value_of(text, "ctdnsd_queries_total{transport=\"tcp\"}"), "3",
	    "queries tcp");
	is_str(value_of(text, "ctdnsd_queries_by_form_total{form=\"sth\"}"),
	    "4", "form sth");
	is_str(value_of(text,
	    "ctdnsd_queries_by_form_total{form=\"sth-consistency\"}"), "1",
	    "form sth-consistency");
	is_str(value_of(text, "ctdnsd_queries_by_form_total{form=\"apex\"}"),
	    "0", "form apex shown at 0");
	is_str(value_of(text, "ctdnsd_responses_total{rcode=\"NOERROR\"}"),
	    "8", "rcode NOERROR");
	is_str(value_of(text, "ctdnsd_responses_total{rcode=\"NXDOMAIN\"}"),
	    "2", "rcode NXDOMAIN");
	is_str(value_of(text, "ctdnsd_responses_total{rcode=\"SERVFAIL\"}"),
	    "0", "rcode SERVFAIL shown at 0");
	is_str(value_of(text, "ctdnsd_responses_total{rcode=\"9\"}"), "1",
	    "an rcode without a name, by number, when not 0");
	is_str(value_of(text, "ctdnsd_responses_total{rcode=\"10\"}"), "",
	    "... and absent when 0");
	is_str(value_of(text, "ctdnsd_store_hits_total"), "11", "hits");
	is_str(value_of(text, "ctdnsd_store_misses_total"), "5", "misses");

	is_str(value_of(text, "ctdnsd_tree_size{log=\"argon\"}"),
	    "123456789012", "tree size, 64-bit");
	is_str(value_of(text, "ctdnsd_sth_timestamp_seconds{log=\"argon\"}"),
	    "1700000000.000", "STH timestamp in seconds");
	is_str(value_of(text, "ctdnsd_sth_age_seconds{log=\"argon\"}"),
	    "100.250", "STH age = now - timestamp");
	is_str(value_of(text,
	    "ctdnsd_last_poll_success_timestamp_seconds{log=\"argon\"}"),
	    "1700000099.007", "last good poll, milliseconds kept");
	is_str(value_of(text, "ctdnsd_log_alarm{log=\"argon\"}"), "0",
	    "alarm off");
	is_str(value_of(text, "ctdnsd_log_has_sth{log=\"argon\"}"), "1",
	    "has_sth");
	is_str(value_of(text, "ctdnsd_fills_total{log=\"argon\","
	    "result=\"failed\"}"), "1", "fills failed");
	is_str(value_of(text, "ctdnsd_mirror_entries{log=\"argon\"}"),
	    "1234567", "mirror: entries stored");
	is_str(value_of(text, "ctdnsd_mirror_target_entries{log=\"argon\"}"),
	    "2000000", "mirror: the size being synced to");
	is_str(value_of(text, "ctdnsd_mirror_batches_total{log=\"argon\"}"),
	    "42", "mirror: batches");
	is_str(value_of(text,
	    "ctdnsd_witness_cosignatures_total{log=\"argon\"}"), "7",
	    "witness: cosignatures kept");
	is_str(value_of(text, "ctdnsd_witness_refusals_total{log=\"argon\"}"),
	    "3", "witness: refusals");
	is_str(value_of(text,
	    "ctdnsd_witness_split_views_total{log=\"argon\"}"), "1",
	    "witness: split views proved");
	is_str(value_of(text,
	    "ctdnsd_witness_quorum_heads_total{log=\"argon\"}"), "5",
	    "witness: heads served with their quorum");

	const char *weird = "{log=\"we\\\"ird\\\\lo\\ng\"}";
	char series[128];
	snprintf(series, sizeof series, "ctdnsd_log_alarm%s", weird);
	is_str(value_of(text, series), "1", "alarm on, label escaped");
	snprintf(series, sizeof series, "ctdnsd_log_has_sth%s", weird);
	is_str(value_of(text, series), "0", "no STH yet");
	snprintf(series, sizeof series, "ctdnsd_tree_size%s", weird);
	is_str(value_of(text, series), "", "no tree_size without an STH");
	snprintf(series, sizeof series, "ctdnsd_sth_age_seconds%s", weird);
	is_str(value_of(text, series), "", "no STH age without an STH");
	snprintf(series, sizeof series,
	    "ctdnsd_last_poll_success_timestamp_seconds%s", weird);
	is_str(value_of(text, series), "", "no last poll before the first");
	ok(strstr(text, "lo\ng") == NULL, "no raw newline in a label");

	is_str(value_of(text, "ctdnsd_upstream_requests_total{log=\"argon\","
	    "endpoint=\"get-sth\"}"), "9", "upstream get-sth requests");
	is_str(value_of(text, "ctdnsd_upstream_errors_total{log=\"argon\","
	    "endpoint=\"get-sth\"}"), "2", "upstream get-sth errors");
	is_str(value_of(text, "ctdnsd_upstream_requests_total{log=\"argon\","
	    "endpoint=\"get-proof-by-hash\"}"), "3",
	    "upstream get-proof-by-hash");
	is_str(value_of(text, "ctdnsd_upstream_requests_total{log=\"argon\","
	    "endpoint=\"get-entries\"}"), "0", "upstream endpoint at 0");
	is_str(value_of(text, "ctdnsd_upstream_requests_total{log=\"argon\","
	    "endpoint=\"checkpoint\"}"), "5", "upstream: a label of its own");
	is_str(value_of(text, "ctdnsd_upstream_errors_total{log=\"argon\","
	    "endpoint=\"checkpoint\"}"), "1", "upstream: its errors");
	is_str(value_of(text, "ctdnsd_upstream_requests_total{log=\"argon\","
	    "endpoint=\"other\"}"), "4", "upstream: the other row");
	{
		/* Every log has the RFC 6962 endpoints, then its own
		 * labels, then other: the series of the earlier releases. */
		static const char *const order[] = {
			"get-sth", "get-sth-consistency", "get-proof-by-hash",
			"get-entries", "get-entry-and-proof", "get-roots",
			"checkpoint", "other",
		};
		const char *at = strstr(text,
		    "ctdnsd_upstream_requests_total{log=\"argon\"");
		bool in_order = at != NULL;
		for (size_t k = 0; in_order && k < 8; k++) {
			char want[128];
			snprintf(want, sizeof want,
			    "ctdnsd_upstream_requests_total{log=\"argon\","
			    "endpoint=\"%s\"}", order[k]);
			in_order = strncmp(at, want, strlen(want)) == 0;
			at = in_order ? strchr(at, '\n') + 1 : at;
		}
		ok(in_order, "upstream: endpoint series in the known order");
		ok(strstr(text, "ctdnsd_upstream_requests_total{log=\"we") !=
		    NULL, "upstream: a log with no request has its series");
	}
	is_str(value_of(text, "ctdnsd_upstream_coalesced_total"
	    "{log=\"argon\"}"), "6", "coalesced");
	is_str(value_of(text, "ctdnsd_upstream_refused_total"
	    "{log=\"argon\"}"), "1", "refused by the caps");

	const char *h = "ctdnsd_upstream_request_duration_seconds";
	snprintf(series, sizeof series, "%s_bucket{log=\"argon\","
	    "le=\"0.005\"}", h);
	is_str(value_of(text, series), "2", "histogram: first bucket");
	snprintf(series, sizeof series, "%s_bucket{log=\"argon\","
	    "le=\"0.100\"}", h);
	is_str(value_of(text, series), "2", "histogram: cumulative before");
	snprintf(series, sizeof series, "%s_bucket{log=\"argon\","
	    "le=\"0.250\"}", h);
	is_str(value_of(text, series), "5", "histogram: cumulative at 250ms");
	snprintf(series, sizeof series, "%s_bucket{log=\"argon\","
	    "le=\"10.000\"}", h);
	is_str(value_of(text, series), "5", "histogram: last bound");
	snprintf(series, sizeof series, "%s_bucket{log=\"argon\","
	    "le=\"+Inf\"}", h);
	is_str(value_of(text, series), "6", "histogram: +Inf is the count");
	snprintf(series, sizeof series, "%s_count{log=\"argon\"}", h);
	is_str(value_of(text, series), "6", "histogram: count");
	snprintf(series, sizeof series, "%s_sum{log=\"argon\"}", h);
	is_str(value_of(text, series), "10.300123", "histogram: sum");
	free(text);

	/* Zero logs, all zero: still a valid exposition. */
	struct metrics_input empty = { .version = "x" };
	text = metrics_format(&empty, &len);
	ok(text != NULL && parse_exposition(text, &ps),
	    "format: an empty server is valid too");
	parsed_free(&ps);
	free(text);
}

/* ---- the listener ----------------------------------------------------- */

struct scrape {
	long code;
	char type[128];
	char allow[64];
	char body[4096];
	size_t len;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct scrape *s = arg;
	size_t n = size * nmemb;
	size_t room = sizeof s->body - 1 - s->len;
	size_t k = n < room ? n : room;
	memcpy(s->body + s->len, data, k);
	s->len += k;
	s->body[s->len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct scrape *s = arg;
	size_t n = size * nmemb;
	if (n > 14 && strncasecmp(data, "Content-Type: ", 14) == 0) {
		snprintf(s->type, sizeof s->type, "%.*s", (int)(n - 16),
		    data + 14);
	}
	if (n > 7 && strncasecmp(data, "Allow: ", 7) == 0) {
		snprintf(s->allow, sizeof s->allow, "%.*s", (int)(n - 9),
		    data + 7);
	}
	return n;
}

static void
scrape(unsigned port, const char *method, const char *path, struct scrape *s)
{
	char url[128];
	memset(s, 0, sizeof *s);
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
	}
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s->code);
	}
	curl_easy_cleanup(c);
}

struct listen_test {
	uv_loop_t loop;
	uv_async_t done;	/* the client thread has finished */
	struct metrics *m;
	unsigned port;
	uv_thread_t loop_thread;
	atomic_uint collects, off_thread;
	atomic_bool fail_next;	/* collect returns NULL once */
	struct scrape s[8];
};

static char *
test_collect(void *arg, size_t *len)
{
	struct listen_test *t = arg;
	uv_thread_t self = uv_thread_self();
	if (!uv_thread_equal(&self, &t->loop_thread)) {
		atomic_fetch_add(&t->off_thread, 1);
	}
	unsigned n = atomic_fetch_add(&t->collects, 1) + 1;
	if (atomic_exchange(&t->fail_next, false)) {
		return NULL;
	}
	char *text = malloc(64);
	if (text != NULL) {
		*len = (size_t)snprintf(text, 64, "ctdnsd_test_scrapes %u\n",
		    n);
	}
	return text;
}

static void
client(void *arg)
{
	struct listen_test *t = arg;
	scrape(t->port, "GET", "/metrics", &t->s[0]);
	scrape(t->port, "GET", "/metrics", &t->s[1]);
	scrape(t->port, "HEAD", "/metrics", &t->s[2]);
	scrape(t->port, "GET", "/", &t->s[3]);
	scrape(t->port, "GET", "/metrics/../etc/passwd", &t->s[4]);
	scrape(t->port, "POST", "/metrics", &t->s[5]);
	atomic_store(&t->fail_next, true);
	scrape(t->port, "GET", "/metrics", &t->s[6]);
	scrape(t->port, "GET", "/metrics", &t->s[7]);
	uv_async_send(&t->done);
}

static void
on_done(uv_async_t *h)
{
	struct listen_test *t = h->data;
	metrics_close(t->m);
	uv_close((uv_handle_t *)h, NULL);
}

static void
loopback(struct conf_listen *at, unsigned port)
{
	memset(at, 0, sizeof *at);
	struct sockaddr_in *sin = (struct sockaddr_in *)&at->addr;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	at->addr_len = sizeof *sin;
	snprintf(at->text, sizeof at->text, "127.0.0.1@%u", port);
}

static void
test_listener(void)
{
	static struct listen_test t;
	struct conf_listen at;
	char err[256] = "";
	loopback(&at, 0);
	uv_loop_init(&t.loop);
	t.loop_thread = uv_thread_self();
	int rc = metrics_start(&t.loop, &at, test_collect, &t, &t.m, err,
	    sizeof err);
	if (!is_int(rc, CTD_OK, "listener: started (%s)", err)) {
		return;
	}
	t.port = metrics_port(t.m);
	ok(t.port != 0, "listener: bound port %u", t.port);

	/* A second listener on the same port fails and says where. */
	struct conf_listen busy;
	struct metrics *m2 = NULL;
	loopback(&busy, t.port);
	rc = metrics_start(&t.loop, &busy, test_collect, &t, &m2, err,
	    sizeof err);
	is_int(rc, CTD_EIO, "listener: a port in use is refused");
	ok(m2 == NULL && strstr(err, busy.text) != NULL,
	    "listener: the error names the address (%s)", err);
	is_int(metrics_start(NULL, &at, test_collect, &t, &m2, err,
	    sizeof err), CTD_EINVAL, "listener: NULL loop refused");

	uv_async_init(&t.loop, &t.done, on_done);
	t.done.data = &t;
	uv_thread_t th;
	uv_thread_create(&th, client, &t);
	uv_run(&t.loop, UV_RUN_DEFAULT);
	uv_thread_join(&th);
	is_int(uv_loop_close(&t.loop), 0, "listener: uv_loop_close() == 0");

	is_int(t.s[0].code, 200, "GET /metrics: 200");
	is_str(t.s[0].type, "text/plain; version=0.0.4; charset=utf-8",
	    "GET /metrics: Prometheus content type");
	is_str(t.s[0].body, "ctdnsd_test_scrapes 1\n",
	    "GET /metrics: the collected text");
	is_str(t.s[1].body, "ctdnsd_test_scrapes 2\n",
	    "second GET: collected afresh");
	is_int(t.s[2].code, 200, "HEAD /metrics: 200");
	is_int(t.s[2].len, 0, "HEAD /metrics: no body");
	is_int(t.s[3].code, 404, "GET /: 404");
	is_int(t.s[4].code, 404, "GET /metrics/../etc/passwd: 404");
	is_int(t.s[5].code, 405, "POST: 405");
	is_str(t.s[5].allow, "GET, HEAD", "POST: Allow header");
	is_int(t.s[6].code, 503, "collect failed: 503");
	is_int(t.s[7].code, 200, "then fine again: 200");
	is_str(t.s[7].body, "ctdnsd_test_scrapes 5\n",
	    "every GET and HEAD of /metrics ran one collect");
	is_int(atomic_load(&t.collects), 5, "collect ran 5 times");
	is_int(atomic_load(&t.off_thread), 0,
	    "collect always ran on the loop's thread");
}

/* Closing at once, with nobody scraping, and the loop ending alone: the
 * unreferenced handle must not hold the loop. */
static void
test_close_idle(void)
{
	uv_loop_t loop;
	struct conf_listen at;
	struct metrics *m = NULL;
	char err[256] = "";
	uv_loop_init(&loop);
	loopback(&at, 0);
	int rc = metrics_start(&loop, &at, test_collect, NULL, &m, err,
	    sizeof err);
	is_int(rc, CTD_OK, "idle: started");
	is_int(uv_run(&loop, UV_RUN_NOWAIT), 0,
	    "idle: the listener alone does not keep the loop alive");
	metrics_close(m);
	metrics_close(NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	is_int(uv_loop_close(&loop), 0, "idle: uv_loop_close() == 0");
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_format();
	test_listener();
	test_close_idle();
	curl_global_cleanup();
	return exit_status();
}
