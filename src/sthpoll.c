/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sthpoll.c -- poll a log's get-sth, verify, and switch only to a tree head
 * that is signed by the log's key and consistent with the one served.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "conf.h"
#include "ctlog.h"
#include "err.h"
#include "fetch.h"
#include "log.h"
#include "logkey.h"
#include "merkle.h"
#include "sth.h"
#include "sthpoll.h"
#include "store.h"
#include "tlog.h"

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

static uint64_t
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
alarm_raise(struct tlog *log, const char *what, const struct sth *cand)
{
	log->alarm = true;
	log_err("log %s: ALARM: %s (tree_size %llu, timestamp %llu); still "
		"serving tree_size %llu",
	    log->name, what, (unsigned long long)cand->tree_size,
	    (unsigned long long)cand->timestamp,
	    (unsigned long long)log->sth.tree_size);
}

/* Verify the proof that the served tree is a prefix of the candidate's,
 * store its nodes, then switch. */
static void
on_consistency(void *arg, int status, long http_code, const uint8_t *body,
    size_t len)
{
	struct tlog *log = arg;
	log->poll_busy = false;
	if (status == CTD_ECANCELED || log->closing) {
		return;
	}
	if (status != CTD_OK) {
		log_warn("log %s: get-sth-consistency: %s (HTTP %ld)",
		    log->name, ctd_strerror(status), http_code);
		return;
	}
	const struct sth *cur = &log->sth, *cand = &log->candidate;
	uint8_t nodes[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	size_t count;
	int rc = ctlog_parse_consistency(body, len, nodes,
	    MERKLE_MAX_CONSISTENCY, &count);
	if (rc != CTD_OK) {
		log_warn("log %s: get-sth-consistency: answer does not parse",
		    log->name);
		return;
	}
	rc = merkle_verify_consistency(cur->tree_size, cand->tree_size,
	    cur->root, cand->root, nodes, count);
	if (rc != CTD_OK) {
		log->stats.inconsistent++;
		alarm_raise(log, "the log's consistency proof from the served "
				 "tree does not verify",
		    cand);
		return;
	}
	if (tlog_set_sth(log, cand, nodes, count) == CTD_OK) {
		log->stats.sth_accepted++;
	}
}

static void
fetch_consistency(struct tlog *log)
{
	char url[CTLOG_URL_MAX];
	int rc = ctlog_url_consistency(log->conf->url, log->sth.tree_size,
	    log->candidate.tree_size, url, sizeof url);
	if (rc == CTD_OK) {
		rc = fetch_get(log->pool, url, "get-sth-consistency",
		    on_consistency, log);
	}
	if (rc == CTD_OK) {
		log->poll_busy = true;
	} else {
		log_warn("log %s: cannot ask for consistency: %s", log->name,
		    ctd_strerror(rc));
	}
}

/* Act on a signature-verified candidate. */
static void
consider(struct tlog *log, const struct sth *cand)
{
	enum sthpoll_verdict v = sthpoll_judge(log->has_sth ? &log->sth : NULL,
	    cand, wall_ms());
	switch (v) {
	case STHPOLL_SAME:
	case STHPOLL_STALE:
		return;
	case STHPOLL_FIRST:
	case STHPOLL_REFRESH:
		if (tlog_set_sth(log, cand, NULL, 0) == CTD_OK) {
			log->stats.sth_accepted++;
		}
		return;
	case STHPOLL_GROWN:
		log->candidate = *cand;
		if (log->sth.tree_size == 0) {
			/* Every tree extends the empty one. */
			if (tlog_set_sth(log, cand, NULL, 0) == CTD_OK) {
				log->stats.sth_accepted++;
			}
			return;
		}
		fetch_consistency(log);
		return;
	case STHPOLL_FUTURE:
		log->stats.sth_rejected++;
		log_warn("log %s: get-sth: %s; check this host's clock",
		    log->name, sthpoll_verdict_str(v));
		return;
	case STHPOLL_ROLLBACK:
	case STHPOLL_FORK:
	case STHPOLL_TIME_BACKWARDS:
		log->stats.sth_rejected++;
		alarm_raise(log, sthpoll_verdict_str(v), cand);
		return;
	}
}

static void
on_sth(void *arg, int status, long http_code, const uint8_t *body,
    size_t len)
{
	struct tlog *log = arg;
	struct sth cand;

	log->poll_busy = false;
	if (status == CTD_ECANCELED || log->closing) {
		return;
	}
	if (status != CTD_OK) {
		log_warn("log %s: get-sth: %s (HTTP %ld)", log->name,
		    ctd_strerror(status), http_code);
		return;
	}
	if (ctlog_parse_sth(body, len, &cand) != CTD_OK) {
		log_warn("log %s: get-sth: answer does not parse", log->name);
		return;
	}
	int rc = sth_verify(&cand, log->key);
	if (rc != CTD_OK) {
		log->stats.sth_rejected++;
		alarm_raise(log, "get-sth: the tree head's signature does not "
				 "verify with the configured key",
		    &cand);
		return;
	}
	log->last_poll_ok_ms = wall_ms();
	consider(log, &cand);
}

static void
on_poll_timer(uv_timer_t *timer)
{
	struct tlog *log = timer->data;
	char url[CTLOG_URL_MAX];

	if (log->poll_busy || log->closing) {
		return;
	}
	log->stats.sth_polls++;
	int rc = ctlog_url_sth(log->conf->url, url, sizeof url);
	if (rc == CTD_OK) {
		rc = fetch_get(log->pool, url, "get-sth", on_sth, log);
	}
	if (rc == CTD_OK) {
		log->poll_busy = true;
	} else {
		log_warn("log %s: cannot poll get-sth: %s", log->name,
		    ctd_strerror(rc));
	}
}

void
sthpoll_start(struct tlog *log)
{
	uint64_t every = (uint64_t)log->conf->sth_refresh * 1000u;
	log->poll_timer.data = log;
	uv_timer_start(&log->poll_timer, on_poll_timer, 0, every);
}

void
sthpoll_stop(struct tlog *log)
{
	uv_timer_stop(&log->poll_timer);
}
