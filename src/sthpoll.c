/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sthpoll.c -- the tree-head policy: switch only to a head that is signed
 * by the log's key and consistent with the one served (see sthpoll.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "merkle.h"
#include "sth.h"
#include "sthpoll.h"

enum sthpoll_verdict
sthpoll_judge(const struct sth *cur, const struct sth *cand, uint64_t now_ms)
{
	if (cand->timestamp > now_ms + STHPOLL_MAX_CLOCK_SKEW_MS) {
		return STHPOLL_FUTURE;
	}
	if (cur == NULL) {
		return STHPOLL_FIRST;
	}
	if (cand->tree_size < cur->tree_size) {
		return STHPOLL_ROLLBACK;
	}
	if (cand->tree_size == cur->tree_size) {
		if (memcmp(cand->root, cur->root, MERKLE_HASH_LEN) != 0) {
			return STHPOLL_FORK;
		}
		if (cand->timestamp > cur->timestamp) {
			return STHPOLL_REFRESH;
		}
		return cand->timestamp == cur->timestamp ? STHPOLL_SAME :
							   STHPOLL_STALE;
	}
	if (cand->timestamp <= cur->timestamp) {
		return STHPOLL_TIME_BACKWARDS;
	}
	return STHPOLL_GROWN;
}

const char *
sthpoll_verdict_str(enum sthpoll_verdict v)
{
	switch (v) {
	case STHPOLL_FIRST: return "first tree head";
	case STHPOLL_SAME: return "unchanged";
	case STHPOLL_REFRESH: return "same tree, newer timestamp";
	case STHPOLL_GROWN: return "tree grew";
	case STHPOLL_ROLLBACK: return "tree size went backwards";
	case STHPOLL_FORK: return "same tree size with another root (fork)";
	case STHPOLL_TIME_BACKWARDS: return "larger tree with an older timestamp";
	case STHPOLL_FUTURE: return "timestamp too far in the future";
	case STHPOLL_STALE: return "older timestamp for the same tree";
	}
	return "?";
}

struct sthpoll {
	char *name;
	struct sthpoll_io io;
	bool busy;		/* a poll (head, then adoption) in flight */
	bool stopped;
	bool has_served;
	struct sth served;
	struct sth candidate;	/* the head being adopted */
	struct sthpoll_stats stats;
};

struct sthpoll *
sthpoll_new(const char *name, const struct sthpoll_io *io)
{
	struct sthpoll *p = calloc(1, sizeof *p);
	if (p == NULL || (p->name = strdup(name)) == NULL) {
		free(p);
		return NULL;
	}
	p->io = *io;
	return p;
}

void
sthpoll_free(struct sthpoll *p)
{
	if (p != NULL) {
		free(p->name);
		free(p);
	}
}

void
sthpoll_set_served(struct sthpoll *p, const struct sth *sth)
{
	p->served = *sth;
	p->has_served = true;
}

void
sthpoll_stop(struct sthpoll *p)
{
	p->stopped = true;
}

void
sthpoll_get_stats(const struct sthpoll *p, struct sthpoll_stats *out)
{
	*out = p->stats;
}

static void
alarm_raise(struct sthpoll *p, const char *what, const struct sth *cand)
{
	log_err("log %s: ALARM: %s (tree_size %llu, timestamp %llu); still "
		"serving tree_size %llu",
	    p->name, what, (unsigned long long)cand->tree_size,
	    (unsigned long long)cand->timestamp,
	    (unsigned long long)(p->has_served ? p->served.tree_size : 0));
	if (p->io.on_alarm != NULL) {
		p->io.on_alarm(p->io.arg);
	}
}

/* The candidate is proved (when it had to be) and committed: serve it. */
static void
on_adopted(void *arg, int status)
{
	struct sthpoll *p = arg;
	p->busy = false;
	if (status == CTD_ECANCELED || p->stopped) {
		return;
	}
	if (status == CTD_EVERIFY || status == CTD_EINCONSISTENT) {
		p->stats.inconsistent++;
		alarm_raise(p, status == CTD_EVERIFY ?
		    "the log's consistency proof from the served tree does "
		    "not verify" :
		    "the new tree head contradicts what the store holds",
		    &p->candidate);
		return;
	}
	if (status != CTD_OK) {
		log_warn("log %s: cannot adopt tree head %llu: %s", p->name,
		    (unsigned long long)p->candidate.tree_size,
		    ctd_strerror(status));
		return;
	}
	p->stats.accepted++;
	p->served = p->candidate;
	p->has_served = true;
	p->io.on_switch(p->io.arg, &p->served);
}

static void
adopt(struct sthpoll *p, const struct sth *cand)
{
	p->candidate = *cand;
	int rc = p->io.adopt(p->io.arg, p->has_served ? &p->served : NULL,
	    cand, on_adopted, p);
	if (rc == CTD_OK) {
		p->busy = true;
	} else {
		log_warn("log %s: cannot adopt tree head %llu: %s", p->name,
		    (unsigned long long)cand->tree_size, ctd_strerror(rc));
	}
}

/* Act on a signature-verified candidate. */
static void
consider(struct sthpoll *p, const struct sth *cand)
{
	enum sthpoll_verdict v = sthpoll_judge(p->has_served ? &p->served :
	    NULL, cand, p->io.wall_ms(p->io.arg));
	switch (v) {
	case STHPOLL_SAME:
	case STHPOLL_STALE:
		return;
	case STHPOLL_FIRST:
	case STHPOLL_REFRESH:
	case STHPOLL_GROWN:
		adopt(p, cand);
		return;
	case STHPOLL_FUTURE:
		p->stats.rejected++;
		log_warn("log %s: tree head: %s; check this host's clock",
		    p->name, sthpoll_verdict_str(v));
		return;
	case STHPOLL_ROLLBACK:
	case STHPOLL_FORK:
	case STHPOLL_TIME_BACKWARDS:
		p->stats.rejected++;
		alarm_raise(p, sthpoll_verdict_str(v), cand);
		return;
	}
}

static void
on_head(void *arg, int status, const struct sth *head)
{
	struct sthpoll *p = arg;
	p->busy = false;
	if (status == CTD_ECANCELED || p->stopped) {
		return;
	}
	if (status == CTD_EVERIFY) {
		p->stats.rejected++;
		log_err("log %s: ALARM: the tree head's signature does not "
			"verify with the configured key (or its checkpoint is "
			"one the log may not serve); still serving "
			"tree_size %llu",
		    p->name, (unsigned long long)(p->has_served ?
			p->served.tree_size : 0));
		if (p->io.on_alarm != NULL) {
			p->io.on_alarm(p->io.arg);
		}
		return;
	}
	if (status != CTD_OK) {
		/* fill.c has said why, with the request. */
		return;
	}
	p->stats.last_ok_ms = p->io.wall_ms(p->io.arg);
	consider(p, head);
}

void
sthpoll_poll(struct sthpoll *p)
{
	if (p->busy || p->stopped) {
		return;
	}
	p->stats.polls++;
	int rc = p->io.get_head(p->io.arg, on_head, p);
	if (rc == CTD_OK) {
		p->busy = true;
	} else {
		log_warn("log %s: cannot poll the tree head: %s", p->name,
		    ctd_strerror(rc));
	}
}
