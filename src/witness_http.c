/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * witness_http.c -- the tlog-witness HTTP endpoint (witness_http.h): route,
 * bound, rate-limit, then hand the body to witness_add_checkpoint() or
 * the state to witness_checkpoint().
 *
 * MHD calls on_request() once with the headers (*con_cls NULL: every
 * refusal is made there, so a refused body is never read), then once per
 * piece of the body, then once more with nothing: the request is whole.
 * The body is gathered into an upload freed by on_completed().
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "conf.h"
#include "err.h"
#include "witness.h"
#include "witness_http.h"

struct witness_http {
	struct witness *w;
	struct MHD_Daemon *mhd;
	struct witness_bucket bucket;	/* the MHD thread's alone */
};

/* One add-checkpoint body being read. */
struct upload {
	size_t len;
	char buf[WITNESS_REQUEST_MAX];
};

static const char text_plain[] = "text/plain; charset=utf-8";

void
witness_bucket_init(struct witness_bucket *b, uint64_t rate, uint64_t burst,
    uint64_t now_ms)
{
	*b = (struct witness_bucket){ .rate = rate, .burst = burst,
		.milli = burst * 1000, .last_ms = now_ms };
}

bool
witness_bucket_take(struct witness_bucket *b, uint64_t now_ms)
{
	if (now_ms > b->last_ms) {
		uint64_t add = (now_ms - b->last_ms) * b->rate;
		b->milli = add > b->burst * 1000 - b->milli ? b->burst * 1000 :
		    b->milli + add;
		b->last_ms = now_ms;
	}
	if (b->milli < 1000) {
		return false;
	}
	b->milli -= 1000;
	return true;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Queue a response (body copied) and count it. */
static enum MHD_Result
reply(struct witness_http *h, struct MHD_Connection *c, unsigned code,
    const char *type, const char *body, size_t len)
{
	witness_count(h->w, code);
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL) {
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (code == MHD_HTTP_SERVICE_UNAVAILABLE) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	}
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply_text(struct witness_http *h, struct MHD_Connection *c, unsigned code,
    const char *msg)
{
	return reply(h, c, code, text_plain, msg, strlen(msg));
}

/* A 405 that names the methods the path takes. */
static enum MHD_Result
reply_method(struct witness_http *h, struct MHD_Connection *c,
    const char *allow)
{
	static const char msg[] = "method not allowed\n";
	witness_count(h->w, MHD_HTTP_METHOD_NOT_ALLOWED);
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, text_plain);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	enum MHD_Result ret = MHD_queue_response(c,
	    MHD_HTTP_METHOD_NOT_ALLOWED, r);
	MHD_destroy_response(r);
	return ret;
}

/* The origin hash of "/<64 hex>/checkpoint", or false. */
static bool
checkpoint_path(const char *url, char hex[65])
{
	static const char tail[] = "/checkpoint";
	if (url[0] != '/' || strlen(url) != 1 + 64 + sizeof tail - 1 ||
	    strcmp(url + 65, tail) != 0) {
		return false;
	}
	memcpy(hex, url + 1, 64);
	hex[64] = '\0';
	return true;
}

static enum MHD_Result
serve_checkpoint(struct witness_http *h, struct MHD_Connection *c,
    const char *hex)
{
	char *buf = malloc(WITNESS_CHECKPOINT_MAX);
	size_t len = 0;
	if (buf == NULL) {
		return reply_text(h, c, 500, "out of memory\n");
	}
	int rc = witness_checkpoint(h->w, hex, buf, WITNESS_CHECKPOINT_MAX,
	    &len);
	enum MHD_Result ret;
	if (rc == CTD_OK) {
		ret = reply(h, c, MHD_HTTP_OK, text_plain, buf, len);
	} else if (rc == CTD_ENOTFOUND) {
		ret = reply_text(h, c, MHD_HTTP_NOT_FOUND,
		    "no cosigned checkpoint for this origin\n");
	} else {
		ret = reply_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "witness state unavailable\n");
	}
	free(buf);
	return ret;
}

/* First call of a POST /add-checkpoint: refuse what is too big, or
 * start an upload. */
static enum MHD_Result
begin_upload(struct witness_http *h, struct MHD_Connection *c,
    void **con_cls)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > WITNESS_REQUEST_MAX) {
		return reply_text(h, c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "request body too large\n");
	}
	struct upload *u = malloc(sizeof *u);
	if (u == NULL) {
		return reply_text(h, c, 500, "out of memory\n");
	}
	u->len = 0;
	*con_cls = u;
	return MHD_YES;
}

/* A piece of the body, or (size 0) the end of it. */
static enum MHD_Result
continue_upload(struct witness_http *h, struct MHD_Connection *c,
    struct upload *u, const char *data, size_t *size)
{
	if (*size != 0) {
		if (*size > sizeof u->buf - u->len) {
			/* No Content-Length, and too big: MHD cannot answer
			 * in the middle of a body; close the connection. */
			witness_count(h->w, MHD_HTTP_CONTENT_TOO_LARGE);
			return MHD_NO;
		}
		memcpy(u->buf + u->len, data, *size);
		u->len += *size;
		*size = 0;
		return MHD_YES;
	}
	struct witness_reply *rep = malloc(sizeof *rep);
	if (rep == NULL) {
		return reply_text(h, c, 500, "out of memory\n");
	}
	witness_add_checkpoint(h->w, u->buf, u->len, (uint64_t)time(NULL),
	    rep);
	enum MHD_Result ret = reply(h, c, rep->status, rep->content_type,
	    rep->body, rep->body_len);
	free(rep);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct witness_http *h = cls;
	char hex[65];
	(void)version;
	if (*con_cls != NULL) {
		return continue_upload(h, c, *con_cls, upload_data,
		    upload_data_size);
	}
	if (!witness_bucket_take(&h->bucket, mono_ms())) {
		return reply_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "too many requests; retry later\n");
	}
	if (strcmp(url, "/add-checkpoint") == 0) {
		if (strcmp(method, "POST") != 0) {
			return reply_method(h, c, "POST");
		}
		return begin_upload(h, c, con_cls);
	}
	if (checkpoint_path(url, hex)) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
			return reply_method(h, c, "GET, HEAD");
		}
		return serve_checkpoint(h, c, hex);
	}
	return reply_text(h, c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

int
witness_http_start(struct witness *w, const struct conf_listen *at,
    struct witness_http **out, char *err, size_t err_len)
{
	struct witness_http *h = calloc(1, sizeof *h);
	if (h == NULL) {
		return CTD_ENOMEM;
	}
	h->w = w;
	witness_bucket_init(&h->bucket, WITNESS_HTTP_RATE, WITNESS_HTTP_BURST,
	    mono_ms());
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	if (at->addr.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	errno = 0;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&at->addr,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)WITNESS_HTTP_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)WITNESS_HTTP_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WITNESS_HTTP_IDLE_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, err_len, "witness-listen %s: cannot listen%s%s",
		    at->text, errno != 0 ? ": " : "",
		    errno != 0 ? strerror(errno) : "");
		free(h);
		return CTD_EIO;
	}
	*out = h;
	return CTD_OK;
}

unsigned
witness_http_port(const struct witness_http *h)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd,
	    MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : 0;
}

void
witness_http_close(struct witness_http *h)
{
	if (h == NULL) {
		return;
	}
	MHD_stop_daemon(h->mhd);
	free(h);
}
