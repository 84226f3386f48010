/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch_curl.c -- libcurl multi bound to a libuv loop: the sockets and
 * the timer libcurl asks for, easy handles and their options, the one
 * translation of CURLcode (see fetch_int.h; the pool policy is fetch.c).
 *
 * Starting a transfer means an easy handle added to the fetcher's multi
 * handle. libcurl then drives it through two callbacks: curl_sock_cb
 * (watch this socket for these events: a uv_poll_t per socket) and
 * curl_timer_cb (call me back in N ms: one uv_timer_t). When the poll or
 * timer fires, we call curl_multi_socket_action() and then read finished
 * transfers with curl_multi_info_read(); each is completed by the
 * scheduler (fetch_xfer_complete()), whose pool is then pumped.
 *
 * Invariants.
 *   - Waiter callbacks never run from inside a libcurl callback, only
 *     from the loop's poll and timer callbacks (and fetcher_close()).
 *     They may call fetch_get() and fetcher_close(); after each one we
 *     check f->closing and touch nothing of libcurl's when it is set.
 *   - Memory: the fetcher, its pools and the per-socket contexts are freed
 *     only in libuv close callbacks; the fetcher itself when the last of
 *     its handles (curl timer, rate timers, polls) has closed.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <uv.h>

#include "err.h"
#include "fetch.h"
#include "fetch_int.h"
#include "log.h"

static const char user_agent[] = "ctdnsd/" PACKAGE_VERSION;

/* Translate a libcurl result, the one place CURLcode is looked at. */
static int
err_from_curl(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return CTD_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return CTD_ETIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return CTD_ERANGE;
	case CURLE_OUT_OF_MEMORY:
		return CTD_ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
		return CTD_EINVAL;
	case CURLE_ABORTED_BY_CALLBACK:
		return CTD_ECANCELED;
	default:
		/* DNS, connect, TLS, send/receive, broken HTTP, bad gzip. */
		return CTD_ENET;
	}
}

bool
fetch_curl_url_ok(const char *url)
{
	size_t len = strnlen(url, FETCH_URL_MAX + 1);
	if (len == 0 || len > FETCH_URL_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f) {
			return false;
		}
	}
	size_t skip;
	if (strncasecmp(url, "http://", 7) == 0) {
		skip = 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		skip = 8;
	} else {
		return false;
	}
	/* libcurl would read "http:///x" as host x; we want a host. */
	if (url[skip] == '/' || url[skip] == '\0') {
		return false;
	}
	CURLU *u = curl_url();
	if (u == NULL) {
		return false;
	}
	bool good = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK;
	char *host = NULL;
	if (good && (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host == NULL || host[0] == '\0')) {
		good = false;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return good;
}

/* ---- handles and their close callbacks ---------------------------------- */

static void
fetcher_free(struct fetcher *f)
{
	struct fetch_pool *p = f->pools;
	while (p != NULL) {
		struct fetch_pool *next = p->next;
		fetch_pool_free(p);
		p = next;
	}
	free(f->source);
	free(f);
}

/* One of the fetcher's libuv handles has closed; free all after the last. */
void
fetch_handle_gone(struct fetcher *f)
{
	f->open_handles--;
	if (f->closing && f->open_handles == 0) {
		fetcher_free(f);
	}
}

static void
timer_closed(uv_handle_t *h)
{
	fetch_handle_gone(CONTAINER_OF(h, struct fetcher, timer));
}

static void
sock_closed(uv_handle_t *h)
{
	struct sock *s = CONTAINER_OF(h, struct sock, poll);
	struct fetcher *f = s->f;
	free(s);
	fetch_handle_gone(f);
}

/* Stop watching a socket and free its context (in the close callback). */
static void
sock_release(struct sock *s)
{
	struct fetcher *f = s->f;
	if (s->prev != NULL) {
		s->prev->next = s->next;
	} else {
		f->socks = s->next;
	}
	if (s->next != NULL) {
		s->next->prev = s->prev;
	}
	uv_close((uv_handle_t *)&s->poll, sock_closed);
}

/* ---- transfers ---------------------------------------------------------- */

/* libcurl's write callback: append to the body, abort past max_body. */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;
	size_t max = x->pool->lim.max_body;
	if (n > max - x->body_len) {
		x->too_big = true;
		return 0;
	}
	if (x->body_len + n + 1 > x->body_cap) {
		size_t cap = x->body_cap != 0 ? x->body_cap : 4096;
		while (cap < x->body_len + n + 1) {
			cap *= 2;
		}
		if (cap > max + 1) {
			cap = max + 1;
		}
		uint8_t *b = realloc(x->body, cap);
		if (b == NULL) {
			x->nomem = true;
			return 0;
		}
		x->body = b;
		x->body_cap = cap;
	}
	memcpy(x->body + x->body_len, data, n);
	x->body_len += n;
	x->body[x->body_len] = '\0';
	return n;
}

/* The headers of a POST: its Content-Type, and no "Expect: 100-continue"
 * (a round trip for nothing with bodies this small). NULL: no memory. */
static struct curl_slist *
post_headers(const char *content_type)
{
	char line[128];
	int n = snprintf(line, sizeof line, "Content-Type: %s", content_type);
	if (n < 0 || (size_t)n >= sizeof line) {
		return NULL;
	}
	struct curl_slist *h = curl_slist_append(NULL, line);
	struct curl_slist *h2 = h != NULL ? curl_slist_append(h, "Expect:") :
	    NULL;
	if (h2 == NULL) {
		curl_slist_free_all(h);
	}
	return h2;
}

/* Set every option of a transfer; any failure is reported once. */
static int
easy_setup(struct xfer *x)
{
	const struct fetch_limits *lim = &x->pool->lim;
	long connect_ms = lim->timeout_ms < FETCH_CONNECT_TIMEOUT_MS ?
	    (long)lim->timeout_ms : FETCH_CONNECT_TIMEOUT_MS;
	CURL *e = x->easy;
	CURLcode c = CURLE_OK;
#define SET(opt, val) \
	do { \
		if (c == CURLE_OK) { \
			c = curl_easy_setopt(e, opt, val); \
		} \
	} while (0)
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	/* Before 7.85 the same limit was a bit mask. */
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROXY, "");
	if (x->is_post) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, (const char *)x->post);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->post_len);
		SET(CURLOPT_HTTPHEADER, x->headers);
	} else {
		SET(CURLOPT_HTTPGET, 1L);
	}
	SET(CURLOPT_TIMEOUT_MS, (long)lim->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_USERAGENT, user_agent);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_body);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, x);
	if (x->pool->f->source != NULL) {
		SET(CURLOPT_INTERFACE, x->pool->f->source);
	}
#undef SET
	return err_from_curl(c);
}

int
fetch_curl_add(struct xfer *x)
{
	struct fetch_pool *p = x->pool;
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		return CTD_ENOMEM;
	}
	if (x->is_post && x->headers == NULL &&
	    (x->headers = post_headers(x->content_type)) == NULL) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		return CTD_ENOMEM;
	}
	int rc = easy_setup(x);
	if (rc == CTD_OK &&
	    curl_multi_add_handle(p->f->multi, x->easy) != CURLM_OK) {
		rc = CTD_EIO;
	}
	if (rc != CTD_OK) {
		log_warn("fetch %s: cannot start %s: %s", p->name, x->url,
		    ctd_strerror(rc));
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	return rc;
}

void
fetch_curl_detach(struct xfer *x)
{
	struct fetcher *f = x->pool->f;
	if (f->multi != NULL) {
		curl_multi_remove_handle(f->multi, x->easy);
	}
}

void
fetch_curl_cleanup(struct xfer *x)
{
	if (x->easy != NULL) {
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
}

/* Decide what a finished transfer means and complete it. */
static void
xfer_done(struct xfer *x, CURLcode res)
{
	struct fetch_pool *p = x->pool;
	long code = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	int status = err_from_curl(res);
	if (x->too_big) {
		status = CTD_ERANGE;
	} else if (x->nomem) {
		status = CTD_ENOMEM;
	} else if (status == CTD_OK && (code < 200 || code > 299)) {
		status = CTD_EUPSTREAM;
	}
	if (status != CTD_OK) {
		log_debug("fetch %s: %s: %s (HTTP %ld%s%s)", p->name, x->url,
		    ctd_strerror(status), code, x->errbuf[0] ? ", " : "",
		    x->errbuf);
	}
	fetch_xfer_complete(x, status, code);
}

/* ---- libcurl <-> libuv -------------------------------------------------- */

/* Complete every transfer libcurl has finished. */
static void
multi_drain(struct fetcher *f)
{
	CURLMsg *msg;
	int left;
	while (!f->closing &&
	    (msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE) {
			continue;
		}
		struct xfer *x = NULL;
		CURLcode res = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		struct fetch_pool *p = x->pool;
		xfer_done(x, res);
		fetch_pool_pump(p);
	}
}

static void
multi_action(struct fetcher *f, curl_socket_t fd, int events)
{
	if (f->closing) {
		return;
	}
	int running;
	CURLMcode mc = curl_multi_socket_action(f->multi, fd, events,
	    &running);
	if (mc != CURLM_OK) {
		log_err("fetch: curl_multi_socket_action: %s",
		    curl_multi_strerror(mc));
	}
	multi_drain(f);
}

static void
poll_cb(uv_poll_t *h, int status, int events)
{
	struct sock *s = CONTAINER_OF(h, struct sock, poll);
	int flags = 0;
	if (status < 0) {
		flags = CURL_CSELECT_ERR;
	} else {
		if (events & UV_READABLE) {
			flags |= CURL_CSELECT_IN;
		}
		if (events & UV_WRITABLE) {
			flags |= CURL_CSELECT_OUT;
		}
	}
	multi_action(s->f, s->fd, flags);
}

static void
timer_cb(uv_timer_t *t)
{
	multi_action(CONTAINER_OF(t, struct fetcher, timer),
	    CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: libcurl wants to be called in timeout_ms. */
static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetcher *f = userp;
	if (timeout_ms < 0) {
		uv_timer_stop(&f->timer);
	} else {
		/* Zero fires on the next loop turn: libcurl must not be
		 * re-entered from inside this callback. */
		uv_timer_start(&f->timer, timer_cb, (uint64_t)timeout_ms, 0);
	}
	return 0;
}

/* A new socket to watch: a poll handle, known to libcurl by sockp. */
static struct sock *
sock_new(struct fetcher *f, curl_socket_t fd)
{
	struct sock *s = calloc(1, sizeof *s);
	if (s == NULL) {
		return NULL;
	}
	int r = uv_poll_init_socket(f->loop, &s->poll, fd);
	if (r != 0) {
		log_err("fetch: uv_poll_init_socket: %s", uv_strerror(r));
		free(s);
		return NULL;
	}
	s->f = f;
	s->fd = fd;
	s->next = f->socks;
	if (f->socks != NULL) {
		f->socks->prev = s;
	}
	f->socks = s;
	f->open_handles++;
	curl_multi_assign(f->multi, fd, s);
	return s;
}

/* CURLMOPT_SOCKETFUNCTION: watch fd for what, or stop watching it. */
static int
curl_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct fetcher *f = userp;
	struct sock *s = sockp;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(f->multi, fd, NULL);
			sock_release(s);
		}
		return 0;
	}
	if (s == NULL && (s = sock_new(f, fd)) == NULL) {
		return -1;
	}
	int events = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) {
		events |= UV_READABLE;
	}
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) {
		events |= UV_WRITABLE;
	}
	int r = uv_poll_start(&s->poll, events, poll_cb);
	if (r != 0) {
		log_err("fetch: uv_poll_start: %s", uv_strerror(r));
		return -1;
	}
	return 0;
}

/* ---- public API --------------------------------------------------------- */

int
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ?
	    CTD_OK : CTD_ENOMEM;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

int
fetcher_set_source(struct fetcher *f, const char *addr)
{
	char *source = NULL;

	if (addr != NULL) {
		size_t len = strlen(addr);

		/* "host!": an address, never an interface name. */
		if ((source = malloc(len + 6)) == NULL) {
			return CTD_ENOMEM;
		}
		memcpy(source, "host!", 5);
		memcpy(source + 5, addr, len + 1);
	}
	free(f->source);
	f->source = source;
	return CTD_OK;
}

int
fetcher_new(uv_loop_t *loop, struct fetcher **out)
{
	if (loop == NULL || out == NULL) {
		return CTD_EINVAL;
	}
	struct fetcher *f = calloc(1, sizeof *f);
	if (f == NULL) {
		return CTD_ENOMEM;
	}
	f->loop = loop;
	f->multi = curl_multi_init();
	if (f->multi == NULL) {
		free(f);
		return CTD_ENOMEM;
	}
	CURLMcode mc = CURLM_OK;
	mc = curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	if (mc == CURLM_OK) {
		mc = curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	}
	if (mc == CURLM_OK) {
		mc = curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION,
		    curl_timer_cb);
	}
	if (mc == CURLM_OK) {
		mc = curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	}
	if (mc != CURLM_OK || uv_timer_init(loop, &f->timer) != 0) {
		curl_multi_cleanup(f->multi);
		free(f);
		return CTD_EIO;
	}
	f->open_handles = 1;
	*out = f;
	return CTD_OK;
}

void
fetcher_close(struct fetcher *f)
{
	if (f == NULL || f->closing) {
		return;
	}
	f->closing = true;
	/* Waiters first, while libcurl can still take handles out. */
	for (struct fetch_pool *p = f->pools; p != NULL; p = p->next) {
		fetch_pool_cancel(p);
	}
	/* Our polls go before libcurl closes their sockets; libcurl must
	 * not call back into a fetcher that is going away. */
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, NULL);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, NULL);
	while (f->socks != NULL) {
		struct sock *s = f->socks;
		curl_multi_assign(f->multi, s->fd, NULL);
		sock_release(s);
	}
	curl_multi_cleanup(f->multi);
	f->multi = NULL;
	for (struct fetch_pool *p = f->pools; p != NULL; p = p->next) {
		fetch_pool_close_timer(p);
	}
	uv_close((uv_handle_t *)&f->timer, timer_closed);
}
