/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fetch.c -- the upstream fetcher against an in-process HTTP server.
 *
 * libmicrohttpd serves on 127.0.0.1 (ephemeral port, a thread per
 * connection) and counts what it receives with atomics; the fetcher runs
 * on a real libuv loop in the main thread. Every limit is asserted from
 * the server's side (requests seen, concurrency, arrival times), every
 * result from the callbacks, and every test ends with uv_loop_close() == 0.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <uv.h>

#include "err.h"
#include "fetch.h"
#include "../tap.h"

int main(void);

/* gzip of "hello, compressed world\n" x 8, and of 100000 zero bytes. */
static const char gz_plain_line[] = "hello, compressed world\n";
static const unsigned char gz_hello[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48,
	0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x48, 0xce, 0xcf, 0x2d, 0x28, 0x4a, 0x2d,
	0x2e, 0x4e, 0x4d, 0x51, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0xe1, 0xca, 0x18,
	0x22, 0xe2, 0x00, 0x28, 0xef, 0x6a, 0xe5, 0xc0, 0x00, 0x00, 0x00
};
static const unsigned char gz_bomb[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xed, 0xc1,
	0x31, 0x01, 0x00, 0x00, 0x00, 0xc2, 0xa0, 0xf5, 0x4f, 0x6d, 0x0d, 0x0f,
	0xa0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x80, 0x57, 0x03, 0x7d, 0x95, 0x11, 0xd4, 0xa0, 0x86, 0x01, 0x00
};

/* ---- the server --------------------------------------------------------- */

enum { P_OK, P_SLOW, P_STATUS, P_BIG, P_RATE, P_REDIRECT, P_GZ, P_BOMB,
	P_OTHER, P_COUNT };
static atomic_uint hits[P_COUNT];
static atomic_int slow_inflight, slow_max_inflight;
static atomic_bool server_stopping;
static atomic_uint gzip_offered;	/* requests accepting gzip */
static atomic_uint bad_headers;	/* requests with a header we never send */
static atomic_uint bad_method;	/* requests other than GET */
#define RATE_MAX 64
static uint64_t rate_ms[RATE_MAX];
static atomic_uint rate_n;
static pthread_mutex_t ua_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_ua[128];

static uint64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned long
arg_ul(struct MHD_Connection *c, const char *key, unsigned long dflt)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    key);
	return v != NULL ? strtoul(v, NULL, 10) : dflt;
}

/* Only these request headers may ever reach a log. */
static enum MHD_Result
header_check(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	static const char *const allowed[] = { "Host", "User-Agent", "Accept",
		"Accept-Encoding" };
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		if (strcasecmp(key, allowed[i]) == 0) {
			return MHD_YES;
		}
	}
	diag("unexpected request header %s: %s", key, value);
	atomic_fetch_add(&bad_headers, 1);
	return MHD_YES;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned code, const void *body, size_t len,
    const char *hname, const char *hval)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL) {
		return MHD_NO;
	}
	if (hname != NULL) {
		MHD_add_response_header(r, hname, hval);
	}
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
serve_slow(struct MHD_Connection *c)
{
	int now = atomic_fetch_add(&slow_inflight, 1) + 1;
	int max = atomic_load(&slow_max_inflight);
	while (now > max &&
	    !atomic_compare_exchange_weak(&slow_max_inflight, &max, now)) {
	}
	uint64_t until = mono_ms() + arg_ul(c, "ms", 100);
	while (mono_ms() < until && !atomic_load(&server_stopping)) {
		usleep(5000);
	}
	atomic_fetch_sub(&slow_inflight, 1);
	return reply(c, 200, "slept", 5, NULL, NULL);
}

static enum MHD_Result
serve_big(struct MHD_Connection *c)
{
	size_t n = arg_ul(c, "n", 0);
	char *b = malloc(n + 1);
	if (b == NULL) {
		return MHD_NO;
	}
	memset(b, 'x', n);
	enum MHD_Result ret = reply(c, 200, b, n, NULL, NULL);
	free(b);
	return ret;
}

static enum MHD_Result
serve_gz(struct MHD_Connection *c, const void *gz, size_t gz_len)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Accept-Encoding");
	if (ae == NULL || strstr(ae, "gzip") == NULL) {
		return reply(c, 406, "no gzip", 7, NULL, NULL);
	}
	return reply(c, 200, gz, gz_len, "Content-Encoding", "gzip");
}

/* One POST body being received by /echo. */
struct upload {
	char data[4096];
	size_t len;
	bool overflow;
};

static atomic_uint posts;	/* POSTs /echo answered */

/* POST /echo: answer 409 with "<type> <bytes> <body>" (a non-2xx status
 * whose body the client must still see). */
static enum MHD_Result
serve_echo(struct MHD_Connection *c, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct upload *u = *con_cls;
	if (u == NULL) {
		if ((u = calloc(1, sizeof *u)) == NULL) {
			return MHD_NO;
		}
		*con_cls = u;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (u->len + *upload_data_size > sizeof u->data) {
			u->overflow = true;
		} else {
			memcpy(u->data + u->len, upload_data,
			    *upload_data_size);
			u->len += *upload_data_size;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Content-Type");
	const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Expect");
	char body[4200];
	int n = snprintf(body, sizeof body, "%s %zu%s %.*s",
	    type != NULL ? type : "-", u->len, expect != NULL ? " expect" : "",
	    (int)u->len, u->data);
	free(u);
	*con_cls = NULL;
	atomic_fetch_add(&posts, 1);
	return reply(c, 409, body, (size_t)n, "Content-Type",
	    "text/x.tlog.size");
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	if (strcmp(method, "POST") == 0 && strcmp(url, "/echo") == 0) {
		return serve_echo(c, upload_data, upload_data_size, con_cls);
	}
	MHD_get_connection_values(c, MHD_HEADER_KIND, header_check, NULL);
	MHD_get_connection_values(c, MHD_COOKIE_KIND, header_check, NULL);
	if (strcmp(method, "GET") != 0) {
		atomic_fetch_add(&bad_method, 1);
	}
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Accept-Encoding");
	if (ae != NULL && strstr(ae, "gzip") != NULL) {
		atomic_fetch_add(&gzip_offered, 1);
	}
	const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "User-Agent");
	pthread_mutex_lock(&ua_lock);
	snprintf(seen_ua, sizeof seen_ua, "%s", ua != NULL ? ua : "");
	pthread_mutex_unlock(&ua_lock);

	if (strcmp(url, "/ok") == 0) {
		atomic_fetch_add(&hits[P_OK], 1);
		return reply(c, 200, "hello", 5, NULL, NULL);
	}
	if (strcmp(url, "/slow") == 0) {
		atomic_fetch_add(&hits[P_SLOW], 1);
		return serve_slow(c);
	}
	if (strcmp(url, "/status") == 0) {
		atomic_fetch_add(&hits[P_STATUS], 1);
		unsigned code = (unsigned)arg_ul(c, "code", 500);
		char body[32];
		int n = snprintf(body, sizeof body, "status %u", code);
		return reply(c, code, body, (size_t)n, NULL, NULL);
	}
	if (strcmp(url, "/big") == 0) {
		atomic_fetch_add(&hits[P_BIG], 1);
		return serve_big(c);
	}
	if (strcmp(url, "/rate") == 0) {
		unsigned i = atomic_fetch_add(&hits[P_RATE], 1);
		if (i < RATE_MAX) {
			rate_ms[i] = mono_ms();
			atomic_fetch_add(&rate_n, 1);
		}
		return reply(c, 200, "tick", 4, NULL, NULL);
	}
	if (strcmp(url, "/redirect") == 0) {
		atomic_fetch_add(&hits[P_REDIRECT], 1);
		return reply(c, 302, "moved", 5, "Location", "/ok");
	}
	if (strcmp(url, "/gz") == 0) {
		atomic_fetch_add(&hits[P_GZ], 1);
		return serve_gz(c, gz_hello, sizeof gz_hello);
	}
	if (strcmp(url, "/bomb") == 0) {
		atomic_fetch_add(&hits[P_BOMB], 1);
		return serve_gz(c, gz_bomb, sizeof gz_bomb);
	}
	atomic_fetch_add(&hits[P_OTHER], 1);
	return reply(c, 404, "no such path", 12, NULL, NULL);
}

static struct MHD_Daemon *
server_start(unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
	    0, NULL, NULL, handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_END);
	if (d == NULL) {
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d,
	    MHD_DAEMON_INFO_BIND_PORT);
	*port = info != NULL ? info->port : 0;
	return d;
}

/* ---- the client side ---------------------------------------------------- */

static unsigned port;
static char base[64];		/* http://127.0.0.1:PORT */
static bool in_fetch_get;	/* set around every fetch_get() call */
static unsigned cb_inside_get;	/* callbacks run from inside fetch_get() */

struct res {
	int called;
	int status;
	long code;
	size_t len;
	bool body_null;
	bool nul_terminated;
	char body[64];
	uint64_t at_ms;
};

static unsigned total_done;

static void
record_cb(void *arg, int status, long code, const uint8_t *body, size_t len)
{
	struct res *r = arg;
	if (in_fetch_get) {
		cb_inside_get++;
	}
	r->called++;
	r->status = status;
	r->code = code;
	r->len = len;
	r->body_null = body == NULL;
	r->nul_terminated = body != NULL && body[len] == '\0';
	size_t n = len < sizeof r->body - 1 ? len : sizeof r->body - 1;
	if (body != NULL) {
		memcpy(r->body, body, n);
	}
	r->body[n] = '\0';
	r->at_ms = mono_ms();
	total_done++;
}

static int
get_as(struct fetch_pool *p, const char *path, const char *label,
    struct res *r)
{
	char url[256];
	snprintf(url, sizeof url, "%s%s", base, path);
	in_fetch_get = true;
	int rc = fetch_get(p, url, label, record_cb, r);
	in_fetch_get = false;
	return rc;
}

static int
get(struct fetch_pool *p, const char *path, struct res *r)
{
	return get_as(p, path, "test", r);
}

struct env {
	uv_loop_t loop;
	struct fetcher *f;
	struct fetch_pool *p;
};

static const struct fetch_limits default_limits = {
	.max_active = 8, .max_queued = 64, .timeout_ms = 5000,
	.max_body = 65536, .rate = 0,
};

static bool
env_open(struct env *e, const struct fetch_limits *lim)
{
	memset(e, 0, sizeof *e);
	total_done = 0;
	if (uv_loop_init(&e->loop) != 0) {
		return false;
	}
	if (fetcher_new(&e->loop, &e->f) != CTD_OK) {
		return false;
	}
	return fetch_pool_new(e->f, lim != NULL ? lim : &default_limits,
	    "testlog", &e->p) == CTD_OK;
}

/* Run the loop until n callbacks have run or limit_ms passed. */
static void
run_until(struct env *e, unsigned n, uint64_t limit_ms)
{
	uint64_t end = mono_ms() + limit_ms;
	while (total_done < n && mono_ms() < end) {
		uv_run(&e->loop, UV_RUN_ONCE);
	}
}

/* Close the fetcher, run the loop out, report whether it closes clean. */
static void
env_close(struct env *e, const char *what)
{
	fetcher_close(e->f);
	uv_run(&e->loop, UV_RUN_DEFAULT);
	is_int(uv_loop_close(&e->loop), 0, "%s: uv_loop_close() == 0", what);
}

/* ---- the tests ---------------------------------------------------------- */

static void
test_simple(void)
{
	struct env e;
	ok(env_open(&e, NULL), "simple: fetcher and pool");
	struct res r = { 0 };
	is_int(get(e.p, "/ok", &r), CTD_OK, "simple: fetch_get accepted");
	is_int(r.called, 0, "simple: callback not run inside fetch_get");
	run_until(&e, 1, 5000);
	is_int(r.called, 1, "simple: callback ran once");
	is_int(r.status, CTD_OK, "simple: status CTD_OK");
	is_int(r.code, 200, "simple: HTTP 200");
	is_int(r.len, 5, "simple: body length");
	ok(strcmp(r.body, "hello") == 0, "simple: body \"hello\"");
	ok(r.nul_terminated, "simple: body NUL-terminated");
	pthread_mutex_lock(&ua_lock);
	ok(strcmp(seen_ua, "ctdnsd/" PACKAGE_VERSION) == 0,
	    "simple: User-Agent ctdnsd/%s (got %s)", PACKAGE_VERSION, seen_ua);
	pthread_mutex_unlock(&ua_lock);
	ok(atomic_load(&gzip_offered) >= 1, "simple: gzip offered");

	struct res g = { 0 };
	is_int(get(e.p, "/gz", &g), CTD_OK, "gzip: accepted");
	run_until(&e, 2, 5000);
	char want[256] = "";
	for (int i = 0; i < 8; i++) {
		strcat(want, gz_plain_line);
	}
	is_int(g.status, CTD_OK, "gzip: status CTD_OK");
	is_int(g.len, strlen(want), "gzip: decoded length");
	ok(strncmp(g.body, want, sizeof g.body - 1) == 0, "gzip: decoded body");

	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.started, 2, "simple: stats started");
	is_int(st.ok, 2, "simple: stats ok");
	is_int(st.failed + st.coalesced + st.refused, 0, "simple: no others");
	ok(strcmp(fetch_pool_name(e.p), "testlog") == 0, "simple: pool name");
	env_close(&e, "simple");
}

/* fetch_post(): the body and type reach the server, a non-2xx answer
 * comes back with its body, and two identical POSTs are two transfers. */
static void
test_post(void)
{
	struct env e;
	ok(env_open(&e, NULL), "post: fetcher and pool");
	char url[256];
	snprintf(url, sizeof url, "%s/echo", base);
	static const char msg[] = "old 0\n\nexample.com/log\n";
	struct res r1 = { 0 }, r2 = { 0 };
	in_fetch_get = true;
	is_int(fetch_post(e.p, url, "add-checkpoint", (const uint8_t *)msg,
	    strlen(msg), "text/plain", record_cb, &r1), CTD_OK,
	    "post: accepted");
	is_int(fetch_post(e.p, url, "add-checkpoint", (const uint8_t *)msg,
	    strlen(msg), "text/plain", record_cb, &r2), CTD_OK,
	    "post: the same POST again accepted");
	in_fetch_get = false;
	run_until(&e, 2, 5000);
	is_int(r1.called + r2.called, 2, "post: both callbacks ran");
	is_int(r1.status, CTD_EUPSTREAM, "post: a 409 is CTD_EUPSTREAM");
	is_int(r1.code, 409, "post: HTTP 409 reported");
	char want[64];
	snprintf(want, sizeof want, "text/plain %zu old 0", strlen(msg));
	ok(strncmp(r1.body, want, strlen(want)) == 0,
	    "post: type and body reached the server, no Expect (got %s)",
	    r1.body);
	is_int(atomic_load(&posts), 2, "post: two POSTs, never joined");
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.coalesced, 0, "post: nothing coalesced");
	static uint8_t big[FETCH_POST_MAX + 1];
	is_int(fetch_post(e.p, url, "add-checkpoint", big, sizeof big,
	    "text/plain", record_cb, &r1), CTD_EINVAL,
	    "post: a body over FETCH_POST_MAX refused");
	env_close(&e, "post");
}

static void
test_bad_input(void)
{
	struct env e;
	ok(env_open(&e, NULL), "bad input: fetcher and pool");
	struct res r = { 0 };
	char longurl[FETCH_URL_MAX + 64];
	int n = snprintf(longurl, sizeof longurl, "%s/ok?", base);
	memset(longurl + n, 'a', sizeof longurl - (size_t)n - 1);
	longurl[FETCH_URL_MAX + 1] = '\0';
	char ctl[128], space[128], high[128], crlf[128];
	snprintf(ctl, sizeof ctl, "%s/ok\tx", base);
	snprintf(space, sizeof space, "%s/o k", base);
	snprintf(high, sizeof high, "%s/\xc3\xa9", base);
	snprintf(crlf, sizeof crlf, "%s/ok\r\nCookie: a=b", base);
	const char *bad[] = {
		"", "ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://h/",
		"dict://127.0.0.1:1/x", "scp://h/x", "http://", "https:///x",
		"//127.0.0.1/ok", "/ok", "127.0.0.1/ok", "http:/127.0.0.1/ok",
		"javascript:alert(1)", ctl, space, high, crlf, longurl,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in_fetch_get = true;
		int rc = fetch_get(e.p, bad[i], "test", record_cb, &r);
		in_fetch_get = false;
		char shown[48];
		size_t k = 0;
		for (; k < sizeof shown - 1 && bad[i][k] != '\0'; k++) {
			unsigned char ch = (unsigned char)bad[i][k];
			shown[k] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		shown[k] = '\0';
		is_int(rc, CTD_EINVAL, "bad input: refused url #%zu (%s)", i,
		    shown);
	}
	is_int(fetch_get(e.p, NULL, "test", record_cb, &r), CTD_EINVAL,
	    "bad input: NULL url");
	char url[128];
	snprintf(url, sizeof url, "%s/ok", base);
	is_int(fetch_get(e.p, url, "test", NULL, &r), CTD_EINVAL,
	    "bad input: NULL cb");
	is_int(fetch_get(e.p, url, NULL, record_cb, &r), CTD_EINVAL,
	    "bad input: NULL label");
	is_int(fetch_get(NULL, url, "test", record_cb, &r), CTD_EINVAL,
	    "bad input: NULL pool");

	struct fetch_pool *p2;
	struct fetch_limits lim = default_limits;
	lim.max_active = 0;
	is_int(fetch_pool_new(e.f, &lim, "x", &p2), CTD_EINVAL,
	    "bad input: max_active 0");
	lim = default_limits;
	lim.timeout_ms = 0;
	is_int(fetch_pool_new(e.f, &lim, "x", &p2), CTD_EINVAL,
	    "bad input: timeout_ms 0");
	lim = default_limits;
	lim.max_body = 0;
	is_int(fetch_pool_new(e.f, &lim, "x", &p2), CTD_EINVAL,
	    "bad input: max_body 0");
	is_int(fetch_pool_new(e.f, &default_limits, NULL, &p2), CTD_EINVAL,
	    "bad input: NULL name");

	/* An upper-case scheme is still http; nothing refused reached the
	 * server. */
	unsigned before = atomic_load(&hits[P_OK]);
	struct res up = { 0 };
	snprintf(url, sizeof url, "HTTP://127.0.0.1:%u/ok", port);
	in_fetch_get = true;
	is_int(fetch_get(e.p, url, "test", record_cb, &up), CTD_OK,
	    "bad input: HTTP:// in upper case accepted");
	in_fetch_get = false;
	run_until(&e, 1, 5000);
	is_int(up.status, CTD_OK, "bad input: upper case scheme fetched");
	is_int(r.called, 0, "bad input: no callback for a refused request");
	is_int(atomic_load(&hits[P_OK]) - before, 1,
	    "bad input: /ok asked once");
	is_int(atomic_load(&hits[P_OTHER]), 0,
	    "bad input: no stray request reached the server");
	env_close(&e, "bad input");
}

static void
test_coalesce(void)
{
	struct env e;
	ok(env_open(&e, NULL), "coalesce: fetcher and pool");
	static struct res r[50];
	memset(r, 0, sizeof r);
	unsigned before = atomic_load(&hits[P_SLOW]);
	int accepted = 0;
	for (int i = 0; i < 50; i++) {
		accepted += get(e.p, "/slow?ms=300", &r[i]) == CTD_OK;
	}
	is_int(accepted, 50, "coalesce: 50 identical GETs accepted");
	run_until(&e, 50, 10000);
	int good = 0, once = 0;
	for (int i = 0; i < 50; i++) {
		once += r[i].called == 1;
		good += r[i].status == CTD_OK &&
		    strcmp(r[i].body, "slept") == 0;
	}
	is_int(once, 50, "coalesce: every callback ran exactly once");
	is_int(good, 50, "coalesce: every waiter got the body");
	is_int(atomic_load(&hits[P_SLOW]) - before, 1,
	    "coalesce: the server saw exactly one request");
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.started, 1, "coalesce: one transfer started");
	is_int(st.coalesced, 49, "coalesce: 49 coalesced");
	is_int(st.ok, 1, "coalesce: one transfer ok");

	/* The waiter cap. */
	static struct res w[FETCH_MAX_WAITERS + 1];
	memset(w, 0, sizeof w);
	total_done = 0;
	before = atomic_load(&hits[P_SLOW]);
	accepted = 0;
	for (int i = 0; i < FETCH_MAX_WAITERS; i++) {
		accepted += get(e.p, "/slow?ms=100", &w[i]) == CTD_OK;
	}
	is_int(accepted, FETCH_MAX_WAITERS, "waiter cap: %d accepted",
	    FETCH_MAX_WAITERS);
	is_int(get(e.p, "/slow?ms=100", &w[FETCH_MAX_WAITERS]), CTD_EBUSY,
	    "waiter cap: one more is CTD_EBUSY");
	run_until(&e, FETCH_MAX_WAITERS, 10000);
	once = 0;
	for (int i = 0; i < FETCH_MAX_WAITERS; i++) {
		once += w[i].called == 1 && w[i].status == CTD_OK;
	}
	is_int(once, FETCH_MAX_WAITERS, "waiter cap: all completed once");
	is_int(w[FETCH_MAX_WAITERS].called, 0,
	    "waiter cap: the refused one is never called");
	is_int(atomic_load(&hits[P_SLOW]) - before, 1,
	    "waiter cap: one request upstream");
	env_close(&e, "coalesce");
}

static void
test_caps(void)
{
	struct fetch_limits lim = default_limits;
	lim.max_active = 2;
	lim.max_queued = 3;
	struct env e;
	ok(env_open(&e, &lim), "caps: fetcher and pool");
	atomic_store(&slow_max_inflight, 0);
	unsigned before = atomic_load(&hits[P_SLOW]);
	struct res r[7];
	memset(r, 0, sizeof r);
	char path[64];
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "/slow?ms=200&i=%d", i + 1);
		is_int(get(e.p, path, &r[i]), CTD_OK, "caps: url %d accepted",
		    i + 1);
	}
	is_int(get(e.p, "/slow?ms=200&i=6", &r[5]), CTD_EBUSY,
	    "caps: 6th distinct url refused with CTD_EBUSY");
	is_int(get(e.p, "/slow?ms=200&i=5", &r[6]), CTD_OK,
	    "caps: a queued url can still be joined when full");
	run_until(&e, 6, 10000);
	int good = 0;
	for (int i = 0; i < 5; i++) {
		good += r[i].called == 1 && r[i].status == CTD_OK;
	}
	is_int(good, 5, "caps: all 5 completed");
	is_int(r[6].called == 1 && r[6].status == CTD_OK, 1,
	    "caps: the joiner completed");
	is_int(r[5].called, 0, "caps: the refused one is never called");
	is_int(atomic_load(&hits[P_SLOW]) - before, 5,
	    "caps: the server saw 5 requests");
	ok(atomic_load(&slow_max_inflight) <= 2,
	    "caps: at most 2 at once in the server (saw %d)",
	    atomic_load(&slow_max_inflight));
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.refused, 1, "caps: stats refused");
	is_int(st.started, 5, "caps: stats started");
	is_int(st.coalesced, 1, "caps: stats coalesced");
	env_close(&e, "caps");

	/* A full queue with the rate bucket empty refuses at once. */
	lim = default_limits;
	lim.rate = 1;
	lim.max_queued = 1;
	ok(env_open(&e, &lim), "rate+queue: fetcher and pool");
	memset(r, 0, sizeof r);
	is_int(get(e.p, "/ok?a", &r[0]), CTD_OK, "rate+queue: first starts");
	is_int(get(e.p, "/ok?b", &r[1]), CTD_OK, "rate+queue: second queued");
	is_int(get(e.p, "/ok?c", &r[2]), CTD_EBUSY,
	    "rate+queue: third refused (no token, queue full)");
	fetch_pool_stats(e.p, &st);
	is_int(st.started, 1, "rate+queue: only one started so far");
	uint64_t t0 = mono_ms();
	run_until(&e, 2, 5000);
	ok(r[0].status == CTD_OK && r[1].status == CTD_OK,
	    "rate+queue: both complete");
	ok(r[1].at_ms - t0 >= 800, "rate+queue: second waited for its token "
	    "(%" PRIu64 " ms)", r[1].at_ms - t0);
	env_close(&e, "rate+queue");
}

/* The tiles of one need ride along with its first request: past the
 * caps, the queue and the rate, so that a need counts once. */
static void
test_along(void)
{
	struct fetch_limits lim = default_limits;
	lim.max_active = 1;
	lim.max_queued = 0;
	lim.rate = 1;
	struct env e;
	ok(env_open(&e, &lim), "along: fetcher and pool");
	struct res r[5];
	memset(r, 0, sizeof r);
	char url[256];
	is_int(get(e.p, "/slow?ms=100&along=0", &r[0]), CTD_OK,
	    "along: the need's first request takes the one slot");
	is_int(get(e.p, "/ok?along=x", &r[4]), CTD_EBUSY,
	    "along: another need is refused (no slot, no queue)");
	int along_ok = 0;
	for (int i = 1; i <= 3; i++) {
		snprintf(url, sizeof url, "%s/slow?ms=100&along=%d", base, i);
		along_ok += fetch_get_along(e.p, url, "tile", record_cb,
		    &r[i]) == CTD_OK;
	}
	is_int(along_ok, 3, "along: its three more requests start anyway");
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.started, 4, "along: four transfers started at once");
	run_until(&e, 4, 10000);
	int good = 0;
	for (int i = 0; i < 4; i++) {
		good += r[i].called == 1 && r[i].status == CTD_OK;
	}
	is_int(good, 4, "along: all four completed");
	is_int(r[4].called, 0, "along: the refused one is never called");
	env_close(&e, "along");
}

static void
test_errors(void)
{
	struct fetch_limits lim = default_limits;
	lim.max_body = 1000;
	struct env e;
	ok(env_open(&e, &lim), "errors: fetcher and pool");
	struct res nf = { 0 }, se = { 0 }, rd = { 0 }, eq = { 0 }, bg = { 0 },
		   bomb = { 0 }, refused = { 0 }, tls = { 0 };
	unsigned ok_before = atomic_load(&hits[P_OK]);
	is_int(get(e.p, "/status?code=404", &nf), CTD_OK, "404: accepted");
	is_int(get(e.p, "/status?code=500", &se), CTD_OK, "500: accepted");
	is_int(get(e.p, "/redirect", &rd), CTD_OK, "302: accepted");
	is_int(get(e.p, "/big?n=1000", &eq), CTD_OK, "big: accepted");
	is_int(get(e.p, "/big?n=1001", &bg), CTD_OK, "big+1: accepted");
	is_int(get(e.p, "/bomb", &bomb), CTD_OK, "gzip bomb: accepted");

	/* A port bound but not listening refuses connections. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sin;
	bind(s, (struct sockaddr *)&sin, sizeof sin);
	getsockname(s, (struct sockaddr *)&sin, &sl);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/ok",
	    ntohs(sin.sin_port));
	in_fetch_get = true;
	is_int(fetch_get(e.p, url, "test", record_cb, &refused), CTD_OK,
	    "refused port: accepted");
	/* TLS to a plain HTTP server fails the handshake. */
	snprintf(url, sizeof url, "https://127.0.0.1:%u/ok", port);
	is_int(fetch_get(e.p, url, "test", record_cb, &tls), CTD_OK,
	    "tls to plain http: accepted");
	in_fetch_get = false;
	run_until(&e, 8, 10000);
	close(s);

	is_int(nf.status, CTD_EUPSTREAM, "404: CTD_EUPSTREAM");
	is_int(nf.code, 404, "404: http_code 404");
	ok(strcmp(nf.body, "status 404") == 0 && !nf.body_null,
	    "404: body given");
	is_int(se.status, CTD_EUPSTREAM, "500: CTD_EUPSTREAM");
	is_int(se.code, 500, "500: http_code 500");
	is_int(rd.status, CTD_EUPSTREAM, "302: CTD_EUPSTREAM, not followed");
	is_int(rd.code, 302, "302: http_code 302");
	is_int(atomic_load(&hits[P_OK]) - ok_before, 0,
	    "302: the redirect target was never asked");
	is_int(eq.status, CTD_OK, "big: exactly max_body is fine");
	is_int(eq.len, 1000, "big: all of it");
	is_int(bg.status, CTD_ERANGE, "big+1: CTD_ERANGE");
	ok(bg.body_null && bg.len == 0, "big+1: no body");
	is_int(bomb.status, CTD_ERANGE,
	    "gzip bomb: CTD_ERANGE (decoded size counts)");
	is_int(refused.status, CTD_ENET, "refused port: CTD_ENET");
	is_int(refused.code, 0, "refused port: http_code 0");
	is_int(tls.status, CTD_ENET, "tls to plain http: CTD_ENET");
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.ok, 1, "errors: stats ok");
	is_int(st.failed, 7, "errors: stats failed");
	env_close(&e, "errors");

	/* Timeout. */
	lim = default_limits;
	lim.timeout_ms = 200;
	ok(env_open(&e, &lim), "timeout: fetcher and pool");
	struct res t = { 0 };
	uint64_t t0 = mono_ms();
	is_int(get(e.p, "/slow?ms=2000", &t), CTD_OK, "timeout: accepted");
	run_until(&e, 1, 5000);
	is_int(t.status, CTD_ETIMEOUT, "timeout: CTD_ETIMEOUT");
	ok(t.at_ms - t0 < 1500, "timeout: given up early (%" PRIu64 " ms)",
	    t.at_ms - t0);
	fetch_pool_stats(e.p, &st);
	is_int(st.timeouts, 1, "timeout: stats timeouts");
	is_int(st.failed, 1, "timeout: stats failed");
	env_close(&e, "timeout");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void
test_rate(void)
{
	/* Server arrival times jitter a little around the client's starts;
	 * this much is forgiven when checking the one-second windows. */
	const uint64_t slack_ms = 50;
	struct fetch_limits lim = default_limits;
	lim.rate = 5;
	lim.max_active = 16;
	lim.max_queued = 16;
	struct env e;
	ok(env_open(&e, &lim), "rate: fetcher and pool");
	atomic_store(&rate_n, 0);
	atomic_store(&hits[P_RATE], 0);
	struct res r[15];
	memset(r, 0, sizeof r);
	int accepted = 0;
	for (int i = 0; i < 15; i++) {
		char path[32];
		snprintf(path, sizeof path, "/rate?i=%d", i);
		accepted += get(e.p, path, &r[i]) == CTD_OK;
	}
	is_int(accepted, 15, "rate: 15 distinct urls accepted");
	run_until(&e, 15, 15000);
	int good = 0;
	for (int i = 0; i < 15; i++) {
		good += r[i].called == 1 && r[i].status == CTD_OK;
	}
	is_int(good, 15, "rate: all 15 completed");
	unsigned n = atomic_load(&rate_n);
	is_int(n, 15, "rate: the server saw 15 requests");
	if (n > 15) {
		n = 15;
	}
	uint64_t ts[15];
	memcpy(ts, rate_ms, n * sizeof ts[0]);
	qsort(ts, n, sizeof ts[0], cmp_u64);
	uint64_t span = n > 0 ? ts[n - 1] - ts[0] : 0;
	ok(n == 15 && span >= 2000 - slack_ms,
	    "rate: took >= ~2 s (%" PRIu64 " ms)", span);
	unsigned worst = 0;
	uint64_t min_gap6 = UINT64_MAX;
	for (unsigned i = 0; i < n; i++) {
		unsigned in = 0;
		for (unsigned j = i; j < n && ts[j] - ts[i] < 1000 - slack_ms;
		    j++) {
			in++;
		}
		worst = in > worst ? in : worst;
		if (i + 5 < n && ts[i + 5] - ts[i] < min_gap6) {
			min_gap6 = ts[i + 5] - ts[i];
		}
	}
	diag("rate: shortest span of 6 starts %" PRIu64 " ms", min_gap6);
	ok(n == 15 && worst <= 5,
	    "rate: never more than 5 starts in a 1 s window (max %u)", worst);
	env_close(&e, "rate");
}

/* A waiter that asks for its own URL again, from inside its callback. */
struct again {
	struct fetch_pool *p;
	struct res first, second;
	int rc;
};

static void
again_cb(void *arg, int status, long code, const uint8_t *body, size_t len)
{
	struct again *a = arg;
	record_cb(&a->first, status, code, body, len);
	char url[128];
	snprintf(url, sizeof url, "%s/ok?again", base);
	a->rc = fetch_get(a->p, url, "test", record_cb, &a->second);
}

static void
test_reenter(void)
{
	struct env e;
	ok(env_open(&e, NULL), "reenter: fetcher and pool");
	struct again a = { .p = e.p };
	unsigned before = atomic_load(&hits[P_OK]);
	char url[128];
	snprintf(url, sizeof url, "%s/ok?again", base);
	is_int(fetch_get(e.p, url, "test", again_cb, &a), CTD_OK,
	    "reenter: accepted");
	run_until(&e, 2, 5000);
	is_int(a.rc, CTD_OK, "reenter: fetch_get from a callback accepted");
	is_int(a.first.status, CTD_OK, "reenter: first ok");
	is_int(a.second.called, 1, "reenter: second completed once");
	is_int(a.second.status, CTD_OK, "reenter: second ok");
	is_int(atomic_load(&hits[P_OK]) - before, 2,
	    "reenter: a finished transfer is not joined: two requests");
	env_close(&e, "reenter");
}

struct closer {
	struct env *e;
	struct res *r;
	int n;
	int called_before_return;
	int rc_after;
};

static void
close_timer_cb(uv_timer_t *t)
{
	struct closer *c = t->data;
	uv_close((uv_handle_t *)t, NULL);
	fetcher_close(c->e->f);
	for (int i = 0; i < c->n; i++) {
		c->called_before_return += c->r[i].called == 1 &&
		    c->r[i].status == CTD_ECANCELED;
	}
	c->rc_after = get(c->e->p, "/ok", &c->r[c->n]);
}

static void
test_close(void)
{
	struct fetch_limits lim = default_limits;
	lim.max_active = 2;
	lim.max_queued = 8;
	lim.rate = 50;
	struct env e;
	ok(env_open(&e, &lim), "close: fetcher and pool");
	enum { N = 8 };
	struct res r[N + 1];
	memset(r, 0, sizeof r);
	int accepted = 0;
	for (int i = 0; i < N; i++) {
		char path[64];
		/* Pairs of identical URLs: active, queued and coalesced. */
		snprintf(path, sizeof path, "/slow?ms=3000&c=%d", i / 2);
		accepted += get(e.p, path, &r[i]) == CTD_OK;
	}
	is_int(accepted, N, "close: %d requests in flight", N);
	uv_timer_t t;
	struct closer c = { .e = &e, .r = r, .n = N };
	uv_timer_init(&e.loop, &t);
	t.data = &c;
	uv_timer_start(&t, close_timer_cb, 300, 0);
	uint64_t t0 = mono_ms();
	uv_run(&e.loop, UV_RUN_DEFAULT);
	is_int(c.called_before_return, N,
	    "close: every callback ran once with CTD_ECANCELED before "
	    "fetcher_close returned");
	int once = 0;
	for (int i = 0; i < N; i++) {
		once += r[i].called == 1;
	}
	is_int(once, N, "close: and never again");
	is_int(c.rc_after, CTD_ECANCELED, "close: fetch_get after close");
	is_int(r[N].called, 0, "close: ... and its callback never runs");
	ok(mono_ms() - t0 < 2500, "close: the loop ended without waiting for "
	    "the transfers");
	is_int(uv_loop_close(&e.loop), 0, "close: uv_loop_close() == 0");
}

/* fetcher_close() from inside a completion callback. */
struct inner {
	struct env *e;
	struct res ok_res;
};

static void
close_inside_cb(void *arg, int status, long code, const uint8_t *body,
    size_t len)
{
	struct inner *in = arg;
	record_cb(&in->ok_res, status, code, body, len);
	fetcher_close(in->e->f);
	fetcher_close(in->e->f);	/* twice is harmless */
}

static void
test_close_inside(void)
{
	struct env e;
	ok(env_open(&e, NULL), "close inside: fetcher and pool");
	struct inner in = { .e = &e };
	struct res slow = { 0 }, slow2 = { 0 };
	char url[128];
	snprintf(url, sizeof url, "%s/ok?inner", base);
	is_int(get(e.p, "/slow?ms=3000&inner", &slow), CTD_OK,
	    "close inside: slow accepted");
	is_int(fetch_get(e.p, url, "test", close_inside_cb, &in), CTD_OK,
	    "close inside: closer accepted");
	is_int(get(e.p, "/ok?inner", &slow2), CTD_OK,
	    "close inside: a waiter after the closer on the same transfer");
	uv_run(&e.loop, UV_RUN_DEFAULT);
	is_int(in.ok_res.status, CTD_OK, "close inside: closer got its result");
	is_int(slow2.called, 1, "close inside: its co-waiter called once");
	is_int(slow2.status, CTD_OK,
	    "close inside: co-waiter has the same (finished) result");
	is_int(slow.called, 1, "close inside: the slow one called once");
	is_int(slow.status, CTD_ECANCELED, "close inside: ... canceled");
	is_int(uv_loop_close(&e.loop), 0, "close inside: uv_loop_close() == 0");
}

/* Counters by the caller's label and the latency histogram. */
static void
test_labels(void)
{
	struct env e;
	ok(env_open(&e, NULL), "labels: fetcher and pool");
	struct res r[6];
	memset(r, 0, sizeof r);
	/* The label is the caller's word, whatever the URL says. The test
	 * server answers the /ct/v1/ paths 404: failed transfers. */
	is_int(get_as(e.p, "/log/ct/v1/get-sth", "get-sth", &r[0]), CTD_OK,
	    "labels: get-sth accepted");
	is_int(get_as(e.p, "/ct/v1/get-proof-by-hash?hash=a%2Fb&tree_size=9",
	    "get-proof-by-hash", &r[1]), CTD_OK,
	    "labels: get-proof-by-hash accepted");
	is_int(get_as(e.p, "/ok?get-sth", "tile", &r[2]), CTD_OK,
	    "labels: a URL naming another endpoint counts as its label");
	/* A label equal as a string, from another pointer, is the same. */
	char same[] = "get-sth";
	is_int(get_as(e.p, "/ct/v1/get-sth?again", same, &r[3]), CTD_OK,
	    "labels: the same label from another buffer accepted");
	is_int(get_as(e.p, "/slow?ms=300&ep", "checkpoint", &r[4]), CTD_OK,
	    "labels: a slow request accepted");
	is_int(get_as(e.p, "/ok?other", FETCH_LABEL_OTHER, &r[5]), CTD_OK,
	    "labels: \"other\" accepted");
	run_until(&e, 6, 5000);
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.label_count, 4, "labels: four rows taken, \"other\" apart");
	const struct fetch_label_stats *sth = fetch_stats_label(&st,
	    "get-sth");
	ok(sth != NULL && sth->started == 2 && sth->failed == 2,
	    "labels: get-sth started twice, failed twice");
	ok(sth != NULL && sth == &st.by_label[0],
	    "labels: rows in order of first use");
	const struct fetch_label_stats *tile = fetch_stats_label(&st, "tile");
	ok(tile != NULL && tile->started == 1 && tile->failed == 0,
	    "labels: tile started once, ok");
	const struct fetch_label_stats *pbh = fetch_stats_label(&st,
	    "get-proof-by-hash");
	ok(pbh != NULL && pbh->started == 1 && pbh->failed == 1,
	    "labels: get-proof-by-hash started and failed once");
	ok(fetch_stats_label(&st, "get-entries") == NULL,
	    "labels: no row for a label never asked");
	const struct fetch_label_stats *other = fetch_stats_label(&st,
	    FETCH_LABEL_OTHER);
	ok(other == &st.by_label_other && other->started == 1 &&
	    strcmp(other->label, "other") == 0,
	    "labels: \"other\" counts in the other row");
	uint64_t sum_started = st.by_label_other.started;
	uint64_t sum_failed = st.by_label_other.failed;
	for (size_t i = 0; i < st.label_count; i++) {
		sum_started += st.by_label[i].started;
		sum_failed += st.by_label[i].failed;
	}
	is_int(sum_started, st.started, "labels: add up to started");
	is_int(sum_failed, st.failed, "labels: add up to failed");
	is_int(st.latency_count, 6, "latency: six transfers observed");
	static const uint64_t bounds[] = FETCH_LATENCY_BOUNDS_MS;
	uint64_t in_buckets = 0, slow_bucket = 0;
	for (int i = 0; i < FETCH_LATENCY_BUCKETS; i++) {
		in_buckets += st.latency_le[i];
		if (bounds[i] >= 300 && slow_bucket == 0 &&
		    st.latency_le[i] != 0) {
			slow_bucket = bounds[i];
		}
	}
	is_int(in_buckets, 6, "latency: each transfer in one bucket");
	ok(slow_bucket >= 300 && slow_bucket <= 2500,
	    "latency: the 300 ms transfer in a bucket >= 300 ms (%llu)",
	    (unsigned long long)slow_bucket);
	ok(st.latency_sum_us >= 300000 && st.latency_sum_us < 5000000,
	    "latency: sum %llu us covers the slow transfer",
	    (unsigned long long)st.latency_sum_us);
	env_close(&e, "labels");
}

/* Past FETCH_MAX_LABELS distinct labels, requests count as "other". */
static void
test_label_overflow(void)
{
	static const char *const names[FETCH_MAX_LABELS + 2] = {
		"l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9",
		"l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17",
	};
	struct env e;
	ok(env_open(&e, NULL), "overflow: fetcher and pool");
	struct res r[FETCH_MAX_LABELS + 2];
	memset(r, 0, sizeof r);
	unsigned accepted = 0;
	for (int i = 0; i < FETCH_MAX_LABELS + 2; i++) {
		char path[32];
		snprintf(path, sizeof path, "/ok?n=%d", i);
		accepted += get_as(e.p, path, names[i], &r[i]) == CTD_OK;
	}
	is_int(accepted, FETCH_MAX_LABELS + 2, "overflow: all accepted");
	run_until(&e, FETCH_MAX_LABELS + 2, 5000);
	struct fetch_stats st;
	fetch_pool_stats(e.p, &st);
	is_int(st.label_count, FETCH_MAX_LABELS, "overflow: the table is full");
	const struct fetch_label_stats *last = fetch_stats_label(&st, "l15");
	ok(last != NULL && last->started == 1, "overflow: l15 has its row");
	ok(fetch_stats_label(&st, "l16") == NULL &&
	    fetch_stats_label(&st, "l17") == NULL,
	    "overflow: l16 and l17 have none");
	is_int(st.by_label_other.started, 2,
	    "overflow: l16 and l17 counted as other");
	env_close(&e, "overflow");
}

int
main(void)
{
	if (fetch_global_init() != CTD_OK) {
		ok(0, "fetch_global_init");
		return exit_status();
	}
	struct MHD_Daemon *d = server_start(&port);
	if (d == NULL || port == 0) {
		ok(0, "start the test HTTP server");
		return exit_status();
	}
	snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
	diag("test server at %s", base);

	test_simple();
	test_post();
	test_bad_input();
	test_coalesce();
	test_caps();
	test_along();
	test_errors();
	test_rate();
	test_reenter();
	test_close();
	test_close_inside();
	test_labels();
	test_label_overflow();

	is_int(cb_inside_get, 0, "no callback ever ran inside fetch_get");
	is_int(atomic_load(&bad_headers), 0,
	    "no header beyond Host, User-Agent, Accept, Accept-Encoding");
	is_int(atomic_load(&bad_method), 0,
	    "only GET was ever sent but by fetch_post");

	atomic_store(&server_stopping, true);
	MHD_stop_daemon(d);
	fetch_global_cleanup();
	return exit_status();
}
