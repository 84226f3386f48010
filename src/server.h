/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.h -- the daemon's event loop: UDP and TCP listeners, queries that
 * wait for the log, signals, and a clean shutdown.
 *
 * With `workers: 1` one libuv loop runs everything: listeners, the answer
 * path, the fetcher and each log's STH poller. With `workers: N` (N > 1)
 * the main loop keeps the fetcher, the pollers and every fill, and N
 * worker threads (worker.h) each run a loop with their own SO_REUSEPORT
 * sockets on every listen address and their own store reader; a query
 * that misses travels to the main loop and back through bounded queues.
 *
 * A query that hits the store is answered in its receive callback with no
 * allocation; one that misses becomes a pending query (a copy of the
 * packet and its return path) that waits for its fill, bounded in number
 * (SERVER_MAX_PENDING, shared out among the workers).
 *
 * UDP answers pass the response rate limiter (rrl.h) when `rrl-rate` is
 * set; TCP answers never do.
 *
 * TCP follows RFC 7766: length-prefixed messages, several per connection
 * (answers may come out of order), an idle timeout, a cap on connections
 * (over all workers) and on the queries in flight per connection.
 *
 * Shutdown (SIGTERM, SIGINT) closes listeners, connections, pollers and
 * the fetcher (which cancels every fill), stops and joins the workers,
 * runs every loop until each handle is closed, then frees all:
 * uv_loop_close() returns 0 on every loop.
 */
#ifndef CTD_SERVER_H
#define CTD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "server_stats.h"

struct conf;
struct server;
struct tlog;

/* Queries waiting for the log at once, across all logs. */
#define SERVER_MAX_PENDING 4096

/*
 * Build the server: open the store, the logs and their zones, bind every
 * listen address (UDP and TCP).
 * @param conf: takes ownership (freed by server_free()).
 * @param err: receives what went wrong, naming the file or address.
 * @return: CTD_OK with *out set; an error otherwise (*out NULL).
 */
int server_new(struct conf *conf, struct server **out, char *err,
    size_t err_len);

/* Start polling the logs and serve until SIGTERM or SIGINT. */
int server_run(struct server *srv);

/* Ask the server to stop, as SIGTERM does (from the loop's thread). */
void server_stop(struct server *srv);

/*
 * Reload the configuration, as SIGHUP does: read the file given to
 * server_set_conf_path(), load every zone file and key, and only when
 * all of it is valid apply it: new settings and zones for the logs that
 * continue (same name, url and key: their store, pool, STH and fills in
 * flight are kept), logs added (started at once) and removed (their
 * waiting queries are answered at once: REFUSED, since each worker has
 * switched to the new set of logs before the fills are canceled). The workers switch between two queries
 * without dropping any. Server-level keys that only a restart applies
 * (reload.h) are reported with a warning and keep their running value.
 * Anything invalid is logged (file:line) and changes nothing.
 */
void server_reload(struct server *srv);

/*
 * Tell the server which configuration file SIGHUP reads.
 * @param path: the file, as reachable from the daemon's root (copied);
 *	NULL when it is out of reach (outside the chroot): SIGHUP then
 *	reloads the zone files only.
 * @param root: the chroot the daemon runs in (zone file paths that start
 *	with it are read without it), or NULL (copied).
 * @return: CTD_OK or CTD_ENOMEM.
 */
int server_set_conf_path(struct server *srv, const char *path,
    const char *root);

/* Sum the counters of every worker. Call on the main loop's thread; the
 * workers' counters are read with relaxed atomic loads (each is exact,
 * the sum a snapshot taken while they run). */
void server_stats(struct server *srv, struct server_stats *out);

/* The served logs (for metrics): borrowed, valid until server_free(). */
size_t server_log_count(const struct server *srv);
struct tlog *server_log(const struct server *srv, size_t i);

struct witness;

/*
 * The cosigner and witness (witness.h), when `cosigner-key:` is given.
 * @return: borrowed, valid until server_free(); NULL without a cosigner.
 */
struct witness *server_witness(struct server *srv);

/*
 * Make the witness trust a log under an origin (a tiled log that learned
 * its origin from its first verified checkpoint). A no-op without a
 * cosigner; the origin is dropped when a reload removes the log. Call on
 * the main loop's thread.
 * @param origin: NUL-terminated; copied.
 * @return: CTD_OK, or CTD_ENOMEM / CTD_EINVAL (logged).
 */
int server_trust_origin(struct server *srv, const struct tlog *log,
    const char *origin);

/* The main loop, for modules that attach to it (metrics). */
struct uv_loop_s *server_loop(struct server *srv);

/* Free everything. NULL is a no-op. */
void server_free(struct server *srv);

#endif /* CTD_SERVER_H */
