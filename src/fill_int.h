/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fill_int.h -- what fill.c (jobs, anchors, the writer) and fill_round.c
 * (a round's requests and replies) share: the fill's and a job's state.
 *
 * Internal to the fill: nothing outside fill*.c includes this. Everything
 * runs on the fill's loop thread.
 */
#ifndef CTD_FILL_INT_H
#define CTD_FILL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fill.h"
#include "fill_work.h"
#include "frontier.h"
#include "negcache.h"
#include "source.h"
#include "store.h"

struct fill_waiter {
	fill_cb cb;
	fill_head_cb head_cb;
	void *arg;
};

struct fill_job;

/* The callback argument of one request of a round. */
struct fill_slot {
	struct fill_job *job;
	uint8_t *body;		/* a copy, freed after consume */
	struct fill_work *work;	/* digesting on the pool */
};

struct fill_job {
	struct fill *fill;	/* NULL once detached (fill freed) */
	struct fill_job *next;
	struct source_task task;
	bool begun;		/* the source's finish is owed */
	bool shared;		/* identical needs may join it */
	bool in_writer;
	struct fill_batch batch;	/* a mirror's batch: how */
	size_t outstanding;	/* requests of the round not answered */
	int round_err;		/* a request of the round that did not go */
	struct fill_slot slots[SOURCE_MAX_REQS];
	struct source_reply replies[SOURCE_MAX_REQS];
	struct fill_waiter *waiters;
	size_t waiter_count, waiter_cap;
};

struct fill {
	struct fill_env env;
	struct fill_job *jobs;
	unsigned active;
	bool closed;
	bool has_served;
	struct sth served;
	uint32_t negative_ttl;
	struct fill_stats stats;
	struct store_reader reader;
	/* Of the last mirror batch verified: what the next one reads. */
	struct frontier frontier;
	struct negcache negative;
};

/* Send every request of the round; a refusal fails the round once the
 * requests already out have come back. @return: requests sent. */
size_t fill__send_round(struct fill_job *job);

/* Every reply of the round is in: let the source judge them, then run
 * the next round, write what is proved, or finish the job. */
void fill__round_done(struct fill_job *job);

#endif /* CTD_FILL_INT_H */
