/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fill_work.c -- a reply digested on libuv's thread pool: the result
 * comes back once, on the loop's thread, from a copy of the body; a
 * failed digest gives its error and no result; a detached item never
 * calls back; the loop then closes with nothing left.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "err.h"
#include "fill_work.h"
#include "../tap.h"

static pthread_t main_thread;
static bool digest_off_loop;

/* The body reversed; "bad" does not parse. */
static int
reverse(const uint8_t *body, size_t len, void **out, size_t *out_len)
{
	if (len == 4 && memcmp(body, "page", 4) == 0) {
		/* One writer; read after the loop has taken the result. */
		digest_off_loop = !pthread_equal(pthread_self(), main_thread);
	}
	if (len == 3 && memcmp(body, "bad", 3) == 0) {
		return CTD_EMALF;
	}
	uint8_t *r = malloc(len);
	if (r == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		r[i] = body[len - 1 - i];
	}
	*out = r;
	*out_len = len;
	return CTD_OK;
}

struct result {
	int calls;
	int rc;
	bool on_loop;
	char text[16];
};

static void
done(void *arg, int rc, void *out, size_t out_len)
{
	struct result *res = arg;
	res->calls++;
	res->rc = rc;
	res->on_loop = pthread_equal(pthread_self(), main_thread);
	if (out != NULL && out_len < sizeof res->text) {
		memcpy(res->text, out, out_len);
		res->text[out_len] = '\0';
	}
	free(out);
}

int
main(void)
{
	uv_loop_t loop;
	struct fill_work *w;
	struct result good = { 0 }, bad = { 0 }, gone = { 0 };
	uint8_t body[] = "page";

	main_thread = pthread_self();
	plan(10);
	uv_loop_init(&loop);
	is_int(fill_work_start(&loop, reverse, body, 4, done, &good, &w),
	    CTD_OK, "a digest is queued");
	memcpy(body, "XXXX", 4);	/* the item has its own copy */
	is_int(fill_work_start(&loop, reverse, (const uint8_t *)"bad", 3,
	    done, &bad, &w), CTD_OK, "a digest that fails is queued");
	is_int(fill_work_start(&loop, reverse, (const uint8_t *)"gone", 4,
	    done, &gone, &w), CTD_OK, "a digest to detach is queued");
	fill_work_detach(w);
	is_int(good.calls + bad.calls, 0, "no callback before the loop runs");
	uv_run(&loop, UV_RUN_DEFAULT);
	ok(good.calls == 1 && good.rc == CTD_OK &&
	    strcmp(good.text, "egap") == 0,
	    "the result comes back once, from the copy of the body");
	ok(good.on_loop, "on the loop's thread");
	ok(digest_off_loop, "the digest ran on a pool thread");
	ok(bad.calls == 1 && bad.rc == CTD_EMALF && bad.text[0] == '\0',
	    "a failed digest gives its error and no result");
	is_int(gone.calls, 0, "a detached item never calls back");
	is_int(uv_loop_close(&loop), 0, "the loop closes with nothing left");
	return done_testing();
}
