/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill_work.h -- one upstream reply digested on libuv's thread pool.
 *
 * A copy of the body goes to a pure function on a pool thread (a mirror's
 * page of entries, parsed and hashed while the loop goes on with the
 * other replies); its result comes back on the loop's thread. The work
 * item owns the copy and the result; a detached item (its job gone)
 * frees both once the pool is done with it, so a job never waits for the
 * pool to be freed.
 */
#ifndef CTD_FILL_WORK_H
#define CTD_FILL_WORK_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct fill_work;

/*
 * The digest of one body; runs on a pool thread, so it touches nothing
 * but its arguments.
 * @param out: receives a result allocated with malloc (NULL allowed) on
 *	CTD_OK; the caller frees it.
 * @return: CTD_OK, or an error (CTD_EMALF: the body does not parse).
 */
typedef int (*fill_digest_fn)(const uint8_t *body, size_t len, void **out,
    size_t *out_len);

/* The result, on the loop's thread; `out` is the callee's to free. rc is
 * CTD_ECANCELED when the loop canceled the work before it ran. */
typedef void (*fill_work_cb)(void *arg, int rc, void *out, size_t out_len);

/*
 * Digest a copy of body on the loop's thread pool.
 * @param body: copied.
 * @return: CTD_OK with *out set (cb called once, later, unless detached);
 *	CTD_ENOMEM; CTD_EIO when uv_queue_work refuses (cb not called).
 */
int fill_work_start(uv_loop_t *loop, fill_digest_fn fn, const uint8_t *body,
    size_t len, fill_work_cb cb, void *arg, struct fill_work **out);

/* Never call the callback: the item frees itself when done. */
void fill_work_detach(struct fill_work *w);

#endif /* CTD_FILL_WORK_H */
