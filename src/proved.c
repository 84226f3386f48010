/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proved.c -- a proved set: growable arrays of verified ranges and leaves,
 * an optional tree head and a contiguous-entries marker (see proved.h).
 *
 * Both arrays start small and double, never past PROVED_MAX_ITEMS
 * entries, so what one upstream answer can make us hold is bounded. The
 * set checks only what it can check alone (empty ranges, an index with no
 * level-0 range, an oversized signature); whether the contents agree with
 * the store is the store's decision, at store_put_proved().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "proved.h"

/* The first allocation of either array, in items. */
#define PROVED_FIRST_CAP 16

void
proved_init(struct proved *p)
{
	memset(p, 0, sizeof *p);
}

void
proved_free(struct proved *p)
{
	if (p == NULL) {
		return;
	}
	free(p->ranges);
	free(p->leaves);
	free(p->cosig);
	proved_init(p);
}

void
proved_clear(struct proved *p)
{
	p->range_count = 0;
	p->leaf_count = 0;
	p->has_sth = false;
	p->has_contiguous = false;
	p->contiguous = 0;
	p->contiguous_from = 0;
	p->relaxed = false;
	free(p->cosig);
	p->cosig = NULL;
}

void
proved_move(struct proved *dst, struct proved *src)
{
	/* dst is documented empty; freeing what it may hold keeps a misuse
	 * from leaking. */
	proved_free(dst);
	*dst = *src;
	proved_init(src);
}

bool
proved_empty(const struct proved *p)
{
	return p->range_count == 0 && p->leaf_count == 0 && !p->has_sth &&
	    !p->has_contiguous && p->cosig == NULL;
}

/*
 * Make room for one more item of size item_len in *items (count used,
 * *cap allocated).
 * @return: CTD_OK, CTD_ERANGE at PROVED_MAX_ITEMS, CTD_ENOMEM.
 */
static int
grow(void **items, size_t count, size_t *cap, size_t item_len)
{
	size_t want;
	void *n;

	if (count < *cap) {
		return CTD_OK;
	}
	if (count >= PROVED_MAX_ITEMS) {
		return CTD_ERANGE;
	}
	want = *cap == 0 ? PROVED_FIRST_CAP : *cap * 2;
	if (want > PROVED_MAX_ITEMS) {
		want = PROVED_MAX_ITEMS;
	}
	if ((n = realloc(*items, want * item_len)) == NULL) {
		return CTD_ENOMEM;
	}
	*items = n;
	*cap = want;
	return CTD_OK;
}

int
proved_add_range(struct proved *p, uint64_t begin, uint64_t end,
    const uint8_t hash[32])
{
	void *items = p->ranges;
	int rc;

	if (begin >= end) {
		return CTD_EINVAL;
	}
	rc = grow(&items, p->range_count, &p->range_cap, sizeof *p->ranges);
	p->ranges = items;
	if (rc != CTD_OK) {
		return rc;
	}
	struct proved_range *r = &p->ranges[p->range_count++];
	r->begin = begin;
	r->end = end;
	memcpy(r->hash, hash, sizeof r->hash);
	return CTD_OK;
}

int
proved_add_leaf(struct proved *p, const uint8_t hash[32], uint64_t index)
{
	void *items = p->leaves;
	int rc;

	/* Its level-0 range [index, index + 1) must exist. */
	if (index == UINT64_MAX) {
		return CTD_ERANGE;
	}
	rc = grow(&items, p->leaf_count, &p->leaf_cap, sizeof *p->leaves);
	p->leaves = items;
	if (rc != CTD_OK) {
		return rc;
	}
	struct proved_leaf *l = &p->leaves[p->leaf_count++];
	memcpy(l->hash, hash, sizeof l->hash);
	l->index = index;
	return CTD_OK;
}

int
proved_set_sth(struct proved *p, const struct sth *sth)
{
	if (sth->sig_len > STH_SIG_MAX) {
		return CTD_EINVAL;
	}
	p->sth = *sth;
	p->has_sth = true;
	return CTD_OK;
}

void
proved_set_contiguous(struct proved *p, uint64_t n)
{
	if (!p->has_contiguous || n > p->contiguous) {
		p->contiguous = n;
		p->has_contiguous = true;
	}
}

int
proved_set_cosig(struct proved *p, uint64_t size, const uint8_t root[32],
    const char *line, size_t len)
{
	if (p->cosig != NULL || len == 0) {
		return CTD_EINVAL;
	}
	struct proved_cosig *c = malloc(sizeof *c + len);
	if (c == NULL) {
		return CTD_ENOMEM;
	}
	c->size = size;
	memcpy(c->root, root, 32);
	c->len = len;
	memcpy(c->line, line, len);
	p->cosig = c;
	return CTD_OK;
}
