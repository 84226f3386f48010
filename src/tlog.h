/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlog.h -- one served transparency log: its zone, key, store and upstream.
 *
 * A tlog is created from one `log:` section of the configuration. It owns
 * the zone's apex records, the log's public key, its handle in the store,
 * and its upstream: the fetch pool, the source (the log's protocol,
 * source.h), the fill machinery (fill.h) and the tree-head poller
 * (sthpoll.h), which it wires together and drives with its timer. It
 * holds the current verified tree head, which is what `sth.<zone>`
 * answers and what bounds every other query.
 *
 * Who calls whom: the timer calls sthpoll_poll(); the poller asks for
 * heads and adoptions through its io table, which this file implements
 * with fill_get_head() and fill_adopt_head(); fill.c runs the source's
 * requests on the pool and hands what they prove to the store writer;
 * the poller's on_switch callback makes the head served here. Nothing
 * calls back into tlog.c but through those callbacks.
 *
 * Threading: a tlog lives on the server's main loop. Its current STH is
 * written only there; threaded workers read copies (worker.h), which
 * on_sth lets the server keep up to date.
 */
#ifndef CTD_TLOG_H
#define CTD_TLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "conf.h"
#include "logview.h"
#include "sth.h"

struct fetch_pool;
struct fetcher;
struct fill;
struct logkey;
struct mirror;
struct source;
struct sthpoll;
struct store;
struct store_log;
struct writer;
struct tlog_keeps;
struct wclient;
struct witness;
struct zone;

/* What the witnesses said, for the operator (and the tests). */
struct tlog_witness_stats {
	uint64_t cosignatures;	/* verified and kept */
	uint64_t refusals;	/* 4xx answers of witnesses */
	uint64_t split_views;	/* refusals proved by a conflicting head */
	uint64_t served_quorum;	/* heads served with their quorum */
};

/* Counters a log keeps for the operator (and the tests). */
struct tlog_stats {
	uint64_t sth_polls;	     /* get-sth attempts */
	uint64_t sth_accepted;	     /* STHs verified and switched to */
	uint64_t sth_rejected;	     /* STHs refused: signature, rollback */
	uint64_t inconsistent;	     /* consistency proofs that failed */
	uint64_t fills_ok, fills_failed; /* store misses filled, or not */
	/* Wall clock (ms since the epoch) of the last poll answered with a
	 * tree head whose signature verifies; 0 before the first. */
	uint64_t last_poll_ok_ms;
	/* Mirror mode: every leaf of [0, mirror_entries) is stored; the
	 * size a sync is reading toward (0: none running); batches stored. */
	bool mirror;
	uint64_t mirror_entries, mirror_target, mirror_batches;
	struct tlog_witness_stats witness;
};

struct tlog {
	char *name;			/* from the configuration */
	/* A number no other log of this process had or will have: jobs and
	 * messages between threads name a log by it, never by pointer. */
	uint64_t id;
	/* The log's settings: its own copy (settings), which a reload
	 * replaces in place; conf always points to it. A copy rather than a
	 * pointer into the server's struct conf, so that a reload can free
	 * the configuration it read while the worker threads' replicas
	 * (which copy the numbers, not the strings) go on answering. */
	const struct conf_log *conf;
	struct conf_log settings;	/* strings owned */
	struct zone *zone;
	struct logkey *key;
	struct store *store;		/* borrowed from the server */
	struct store_log *slog;		/* owned by the store */
	struct fetch_pool *pool;	/* owned by the fetcher */
	struct source *source;		/* the log's protocol */
	struct fill *fill;
	struct sthpoll *poller;
	struct mirror *mirror;		/* mirror: yes; else NULL */
	uv_timer_t poll_timer;		/* the poller's clock */
	bool closing;

	/* What the answer path reads: the zone, the TTLs and the current
	 * verified tree head with its TXT text (logview.h). */
	struct logview view;

	/* Set when the log signed something invalid or inconsistent; cleared
	 * only by a restart, so the operator sees it. */
	bool alarm;

	/* Cosigning (tlog_cosign.c): ctdnsd's own cosigner (borrowed from
	 * the server, or NULL), the witnesses' pool and client, and the
	 * latest adopted head, whose cosignatures are being gathered; it is
	 * served once it has its quorum (witness-quorum). */
	struct witness *cosigner;
	char origin[LOGVIEW_ORIGIN_MAX + 1];	/* tlog_origin()'s buffer */
	struct fetcher *fetcher;	/* borrowed: for the witness pool */
	struct writer *writer;		/* borrowed: to keep cosignatures */
	struct fetch_pool *wpool;
	struct wclient *wclient;
	struct tlog_keeps *keeps;	/* what writer callbacks point to */
	bool has_head;
	struct sth head;
	/* Keys (targets' indices) that cosigned head, kept in the store;
	 * whether the log's own checkpoint of head was searched for its
	 * witnesses' cosignatures (a tiled log). */
	uint32_t head_cosigned;
	bool head_log_cosigs;
	struct tlog_witness_stats wstats;

	/* Told on the main loop after each switch to a new STH (the server
	 * passes it on to its worker threads); NULL when nobody listens. */
	void (*on_sth)(struct tlog *log, void *arg);
	void *on_sth_arg;
};

/*
 * Build a log from its configuration: load the zone file (unless given),
 * the key and the store handle, create the fetch pool, the source, the
 * fill and the poller, and restore the latest verified STH from the store
 * (re-verifying its signature).
 * @param writer: the store's writer; borrowed, must outlive the log.
 * @param conf: copied (the log keeps its own settings).
 * @param zone: the zone, already loaded (taken over, freed on failure
 *	too), or NULL to load conf->zonefile.
 * @param err: receives a message naming the file and what is wrong.
 * @return: CTD_OK with *out set (caller frees with tlog_free() after
 *	tlog_close(), or disposes of it with tlog_retire()); CTD_ECONF,
 *	CTD_ESTORE, CTD_ENOMEM.
 */
int tlog_new(const struct conf_log *conf, struct zone *zone, uv_loop_t *loop,
    struct store *store, struct writer *writer, struct fetcher *fetcher,
    struct tlog **out, char *err, size_t err_len);

/*
 * Copy a log's settings, strings included.
 * @return: CTD_OK, or CTD_ENOMEM (dst then holds nothing to free).
 */
int tlog_settings_dup(struct conf_log *dst, const struct conf_log *src);

/* Free the strings of a copy made by tlog_settings_dup(). */
void tlog_settings_free(struct conf_log *s);

/*
 * Apply a reload to a running log whose url and key did not change: new
 * settings (TTLs, sth-refresh, upstream limits, zone name and file) and a
 * new zone. Fills in flight, the store handles, the pool and the STH are
 * kept. Cannot fail.
 * @param settings: from tlog_settings_dup(); its strings are taken over
 *	(*settings is zeroed).
 * @param zone: taken over.
 */
void tlog_update(struct tlog *log, struct conf_log *settings,
    struct zone *zone);

/*
 * Dispose of a log that a reload removed (or that was built and not
 * used): stop its poller, cancel every transfer of its pool (the fills'
 * waiters are called with CTD_ECANCELED before this returns), then free
 * the log in its timer's close callback. Nothing may refer to the log
 * afterwards.
 */
void tlog_retire(struct tlog *log);

/* Start polling get-sth: at once, then every sth-refresh seconds. */
void tlog_start(struct tlog *log);

/* Stop the poller and close the timer; the loop must run for the close
 * callbacks before tlog_free(). */
void tlog_close(struct tlog *log);

/* Free a closed log. tlog_free(NULL) is a no-op. */
void tlog_free(struct tlog *log);

/* Name the log by a number no other log of this process has (the server
 * gives it, once, before the log is started). */
void tlog_set_id(struct tlog *log, uint64_t id);

/*
 * Serve a tree head from now on: the poller adopted it (it is committed)
 * or it was restored from the store. Tells on_sth.
 */
void tlog_serve(struct tlog *log, const struct sth *sth);

/*
 * Give the log ctdnsd's own cosigner (witness.h); before tlog_start().
 * @param w: borrowed; must outlive the log; NULL for none.
 */
void tlog_set_cosigner(struct tlog *log, struct witness *w);

/* The log's counters: the poller's and the fill's together. */
struct tlog_stats tlog_get_stats(const struct tlog *log);

#endif /* CTD_TLOG_H */
