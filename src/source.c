/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source.c -- what every source shares: tasks and their requests
 * (see source.h).
 */
#include "config.h"

#include <string.h>

#include "err.h"
#include "source.h"

void
source_task_init(struct source_task *t, const struct fill_need *need)
{
	memset(t, 0, sizeof *t);
	t->need = *need;
	proved_init(&t->proved);
}

void
source_task_deinit(struct source_task *t)
{
	proved_free(&t->proved);
}

struct source_req *
source_task_req(struct source_task *t, const char *label)
{
	if (t->req_count >= SOURCE_MAX_REQS) {
		return NULL;
	}
	struct source_req *r = &t->reqs[t->req_count++];
	r->url[0] = '\0';
	r->label = label;
	return r;
}

void
source_free(struct source *src)
{
	if (src != NULL) {
		src->ops->free(src);
	}
}
