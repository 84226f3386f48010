/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_sizes.c -- the published tree sizes of a view. See sim_sizes.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim_sizes.h"

void
sim_sizes_init(struct sim_sizes *s)
{
	memset(s, 0, sizeof(*s));
}

void
sim_sizes_deinit(struct sim_sizes *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* First position holding a size >= size (n when there is none). */
static size_t
lower_bound(const struct sim_sizes *s, uint64_t size)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < size) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

int
sim_sizes_add(struct sim_sizes *s, uint64_t size)
{
	size_t pos = lower_bound(s, size);

	if (pos < s->n && s->v[pos] == size) {
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap == 0 ? 64 : 2 * s->cap;
		uint64_t *more = realloc(s->v, cap * sizeof(*more));

		if (more == NULL) {
			return -1;
		}
		s->v = more;
		s->cap = cap;
	}
	memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
	s->v[pos] = size;
	s->n++;
	return 0;
}

int
sim_sizes_add_upto(struct sim_sizes *dst, const struct sim_sizes *src,
    uint64_t max)
{
	for (size_t i = 0; i < src->n && src->v[i] <= max; i++) {
		if (sim_sizes_add(dst, src->v[i]) != 0) {
			return -1;
		}
	}
	return 0;
}

bool
sim_sizes_any(const struct sim_sizes *s, uint64_t lo, uint64_t hi)
{
	size_t pos = lower_bound(s, lo);

	return lo < hi && pos < s->n && s->v[pos] < hi;
}
