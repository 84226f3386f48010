/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlog.h -- one served transparency log: its zone, key, store and upstream.
 *
 * A tlog is created from one `log:` section of the configuration. It owns
 * the zone's apex records, the log's public key, its handles in the store,
 * its upstream fetch pool, the STH poller and the current verified STH,
 * which is what `sth.<zone>` answers and what bounds every other query.
 *
 * Threading: a tlog lives on the server's main loop. Its current STH is
 * written only by the poller on that loop; threaded workers read copies
 * (worker.h), which on_sth lets the server keep up to date.
 */
#ifndef CTD_TLOG_H
#define CTD_TLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "sth.h"

struct conf_log;
struct fetch_pool;
struct fetcher;
struct logkey;
struct store;
struct store_log;
struct zone;
struct fill;

/* Counters a log keeps for the operator (and the tests). */
struct tlog_stats {
	uint64_t sth_polls;	     /* get-sth attempts */
	uint64_t sth_accepted;	     /* STHs verified and switched to */
	uint64_t sth_rejected;	     /* STHs refused: signature, rollback */
	uint64_t inconsistent;	     /* consistency proofs that failed */
	uint64_t fills_ok, fills_failed; /* store misses filled, or not */
};

struct tlog {
	char *name;			/* from the configuration */
	const struct conf_log *conf;	/* borrowed from the server's conf */
	struct zone *zone;
	struct logkey *key;
	struct store *store;		/* borrowed from the server */
	struct store_log *slog;		/* owned by the store */
	struct fetch_pool *pool;	/* owned by the fetcher */
	struct fill *fill;
	uv_timer_t poll_timer;		/* the STH poller's clock */
	bool poll_busy;			/* a poll is in flight */
	struct sth candidate;		/* a larger STH awaiting its proof */
	bool closing;

	/* The current verified STH and its pre-formatted TXT text. */
	bool has_sth;
	struct sth sth;
	char sth_txt[STH_TXT_MAX];
	size_t sth_txt_len;

	/* Set when the log signed something invalid or inconsistent; cleared
	 * only by a restart, so the operator sees it. */
	bool alarm;
	/* Wall clock (ms since the epoch) of the last get-sth answered with
	 * a tree head whose signature verifies; 0 before the first. */
	uint64_t last_poll_ok_ms;
	struct tlog_stats stats;

	/* Told on the main loop after each switch to a new STH (the server
	 * passes it on to its worker threads); NULL when nobody listens. */
	void (*on_sth)(struct tlog *log, void *arg);
	void *on_sth_arg;
};

/*
 * Build a log from its configuration: load the zone file, the key and the
 * store handles, create the fetch pool and restore the latest verified STH
 * from the store (re-verifying its signature).
 * @param err: receives a message naming the file and what is wrong.
 * @return: CTD_OK with *out set (caller frees with tlog_free()); CTD_ECONF,
 *	CTD_ESTORE, CTD_ENOMEM.
 */
int tlog_new(const struct conf_log *conf, uv_loop_t *loop, struct store *store,
    struct fetcher *fetcher, struct tlog **out, char *err, size_t err_len);

/* Start polling get-sth: at once, then every sth-refresh seconds. */
void tlog_start(struct tlog *log);

/* Stop the poller and close the timer; the loop must run for the close
 * callbacks before tlog_free(). */
void tlog_close(struct tlog *log);

/* Free a closed log. tlog_free(NULL) is a no-op. */
void tlog_free(struct tlog *log);

/*
 * Switch to a verified STH: store it, its root as the range [0, size) and
 * the consistency proof from the served STH, then serve it. The caller
 * has verified the signature and the proof.
 * @param proof: count nodes of the consistency proof from the served STH
 *	to sth (NULL, 0 when there is none: first STH, same tree).
 * @return: CTD_OK or a store error (the STH is then not served).
 */
int tlog_set_sth(struct tlog *log, const struct sth *sth,
    const uint8_t *proof, size_t count);

/* Replace the zone (SIGHUP). Takes ownership of zone; frees the old one. */
void tlog_replace_zone(struct tlog *log, struct zone *zone);

#endif /* CTD_TLOG_H */
