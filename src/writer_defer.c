/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer_defer.c -- the leaf index keys of a mirror's bulk batches, kept
 * by the writer thread and written later (see writer_defer.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "writer_defer.h"

bool
writer_defer_wants(const struct writer_defer *d, const struct proved *p)
{
	return p->relaxed && p->has_contiguous && p->leaf_count > 0 &&
	    p->leaf_count <= DEFER_MAX_LEAVES - d->leaves - d->reserved;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
writer_defer_due(const struct writer_defer *d)
{
	return d->leaves > 0 && now_ms() - d->first_ms >= DEFER_MAX_MS;
}

/* The log's entry, added when new; NULL when the table is full. */
static struct defer_log *
log_of(struct writer_defer *d, struct store_log *slog)
{
	for (size_t i = 0; i < d->nlogs; i++) {
		if (d->logs[i].slog == slog) {
			return &d->logs[i];
		}
	}
	if (d->nlogs == STORE_MAX_LOGS) {
		return NULL;
	}
	d->logs[d->nlogs] = (struct defer_log){ .slog = slog };
	return &d->logs[d->nlogs++];
}

/* Grow *arr (of *cap elements of size) to hold want; false without
 * memory. */
static bool
grow(void **arr, size_t *cap, size_t want, size_t size)
{
	size_t n = *cap != 0 ? *cap : 16;
	void *p;

	if (want <= *cap) {
		return true;
	}
	while (n < want) {
		n *= 2;
	}
	if ((p = realloc(*arr, n * size)) == NULL) {
		return false;
	}
	*arr = p;
	*cap = n;
	return true;
}

int
writer_defer_reserve(struct writer_defer *d, struct store_log *slog,
    const struct proved *p)
{
	struct defer_log *dl = log_of(d, slog);

	/* Room for this set and every set reserved in the group so far
	 * (for any log: an upper bound for this one). */
	if (dl == NULL ||
	    !grow((void **)&dl->keys, &dl->cap, dl->count + d->reserved +
	    p->leaf_count, sizeof *dl->keys) ||
	    !grow((void **)&dl->marks, &dl->marks_cap, dl->nmarks +
	    d->reserved_sets + 1, sizeof *dl->marks)) {
		return CTD_ENOMEM;
	}
	d->reserved += p->leaf_count;
	d->reserved_sets++;
	return CTD_OK;
}

void
writer_defer_keep(struct writer_defer *d, struct store_log *slog,
    const struct proved *p)
{
	struct defer_log *dl = log_of(d, slog);

	if (d->leaves == 0) {
		d->first_ms = now_ms();
	}
	/* Reserved: dl exists and has room (writer_defer_reserve). */
	for (size_t i = 0; i < p->leaf_count; i++) {
		dl->keys[dl->count + i] = leafkey_of(p->leaves[i].hash,
		    p->leaves[i].index);
	}
	dl->count += p->leaf_count;
	dl->marks[dl->nmarks++] = (struct defer_mark){ p->contiguous_from,
		p->contiguous };
	d->leaves += p->leaf_count;
	d->reserved -= p->leaf_count;
	d->reserved_sets--;
}

void
writer_defer_unreserve(struct writer_defer *d)
{
	d->reserved = 0;
	d->reserved_sets = 0;
}

int
writer_defer_write(struct writer_defer *d, struct store_txn *t)
{
	struct store_txn child;

	if (d->leaves == 0) {
		return CTD_OK;
	}
	store_txn_begin_nested(t, &child);
	for (size_t i = 0; i < d->nlogs; i++) {
		struct defer_log *dl = &d->logs[i];

		store_put_index(&child, dl->slog, dl->keys, dl->count);
		for (size_t j = 0; j < dl->nmarks; j++) {
			store_put_contiguous(&child, dl->slog,
			    dl->marks[j].from, dl->marks[j].to);
		}
	}
	return store_txn_commit(&child);
}

void
writer_defer_clear(struct writer_defer *d)
{
	for (size_t i = 0; i < d->nlogs; i++) {
		d->logs[i].count = 0;
		d->logs[i].nmarks = 0;
	}
	d->leaves = 0;
}

void
writer_defer_free(struct writer_defer *d)
{
	for (size_t i = 0; i < d->nlogs; i++) {
		free(d->logs[i].keys);
		free(d->logs[i].marks);
	}
	memset(d, 0, sizeof *d);
}
