/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_queue.c -- what the main loop and the worker threads pass each
 * other: a bounded, mutex-protected message queue that wakes its consumer
 * through a uv_async_t, and reference-counted zones shared by the
 * workers (see worker.h for the threading rules).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "worker.h"
#include "zone.h"

void
worker_queue_init(struct worker_queue *q, unsigned cap, uv_async_t *async)
{
	memset(q, 0, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	q->cap = cap;
	q->open = true;
	q->async = async;
}

void
worker_queue_deinit(struct worker_queue *q)
{
	pthread_mutex_destroy(&q->mu);
}

bool
worker_queue_push(struct worker_queue *q, struct worker_msg *m, bool bounded)
{
	bool ok;
	m->next = NULL;
	pthread_mutex_lock(&q->mu);
	ok = !bounded || (q->open && (q->cap == 0 || q->count < q->cap));
	if (ok) {
		if (q->tail != NULL) {
			q->tail->next = m;
		} else {
			q->head = m;
		}
		q->tail = m;
		q->count++;
		/* Under the lock: the consumer cannot close the handle
		 * between this check and the send. */
		if (q->async != NULL) {
			uv_async_send(q->async);
		}
	}
	pthread_mutex_unlock(&q->mu);
	return ok;
}

struct worker_msg *
worker_queue_take(struct worker_queue *q)
{
	pthread_mutex_lock(&q->mu);
	struct worker_msg *m = q->head;
	q->head = q->tail = NULL;
	q->count = 0;
	pthread_mutex_unlock(&q->mu);
	return m;
}

struct worker_msg *
worker_queue_close(struct worker_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->open = false;
	q->async = NULL;
	struct worker_msg *m = q->head;
	q->head = q->tail = NULL;
	q->count = 0;
	pthread_mutex_unlock(&q->mu);
	return m;
}

struct worker_zone *
worker_zone_new(struct zone *zone, unsigned refs)
{
	struct worker_zone *z = malloc(sizeof *z);
	if (z == NULL) {
		zone_free(zone);
		return NULL;
	}
	z->zone = zone;
	z->refs = refs;
	return z;
}

void
worker_zone_release(struct worker_zone *z)
{
	if (z != NULL &&
	    __atomic_sub_fetch(&z->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		zone_free(z->zone);
		free(z);
	}
}
