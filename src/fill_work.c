/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill_work.c -- one upstream reply digested on libuv's thread pool (see
 * fill_work.h).
 *
 * The pool thread reads body, fn and len and writes rc, out and out_len;
 * the loop's thread touches none of them until the after-work callback,
 * which libuv runs on the loop once the work is over. cb is read and
 * cleared (detach) on the loop's thread only.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fill_work.h"

struct fill_work {
	uv_work_t req;			/* req.data = the item */
	fill_digest_fn fn;
	uint8_t *body;
	size_t len;
	int rc;
	void *out;
	size_t out_len;
	fill_work_cb cb;		/* NULL once detached */
	void *arg;
};

static void
work_run(uv_work_t *req)
{
	struct fill_work *w = req->data;
	w->rc = w->fn(w->body, w->len, &w->out, &w->out_len);
	if (w->rc != CTD_OK) {
		free(w->out);
		w->out = NULL;
	}
}

static void
work_done(uv_work_t *req, int status)
{
	struct fill_work *w = req->data;
	free(w->body);
	if (status != 0) {
		w->rc = CTD_ECANCELED;	/* never ran: out is still NULL */
	}
	if (w->cb != NULL) {
		w->cb(w->arg, w->rc, w->out, w->out_len);
	} else {
		free(w->out);
	}
	free(w);
}

int
fill_work_start(uv_loop_t *loop, fill_digest_fn fn, const uint8_t *body,
    size_t len, fill_work_cb cb, void *arg, struct fill_work **out)
{
	struct fill_work *w = calloc(1, sizeof *w);
	if (w == NULL || (w->body = malloc(len + 1)) == NULL) {
		free(w);
		return CTD_ENOMEM;
	}
	memcpy(w->body, body, len);
	w->body[len] = '\0';
	w->len = len;
	w->fn = fn;
	w->cb = cb;
	w->arg = arg;
	w->req.data = w;
	if (uv_queue_work(loop, &w->req, work_run, work_done) != 0) {
		free(w->body);
		free(w);
		return CTD_EIO;
	}
	*out = w;
	return CTD_OK;
}

void
fill_work_detach(struct fill_work *w)
{
	w->cb = NULL;
}
