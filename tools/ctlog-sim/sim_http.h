/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_http.h -- the simulated log's HTTP front end (libmicrohttpd).
 *
 * Serves the RFC 6962 section 4 read API under /ct/v1/ and the test
 * control endpoints under /sim/ (see sim_http.c for the list), with one
 * thread per connection so a slow answer never delays another client.
 * Counts /ct/v1/ requests per endpoint for /sim/stats. With --static it
 * also serves the static-ct-api read path (sim_static.h).
 */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <stdint.h>

#include "sim_log.h"
#include "sim_static.h"

struct sim_http;

/*
 * Listen on addr:port and serve log from background threads.
 * @param log: borrowed; must outlive sim_http_stop().
 * @param st: the static-ct-api read path, or NULL for an RFC 6962 log
 *	only; borrowed; must outlive sim_http_stop(). Its origin defaults to
 *	addr:port (sim_static_default_origin()).
 * @param addr: numeric IPv4 or IPv6 address.
 * @param port: TCP port; 0 picks a free one (see sim_http_port()).
 * @param split_client: numeric address shown the split view in mode
 *	split, or NULL (mode split is then refused).
 * @return: the server, caller stops and frees it with sim_http_stop();
 *	NULL when the address does not parse or the daemon cannot start
 *	(libmicrohttpd has written why to stderr).
 */
struct sim_http *sim_http_start(struct sim_log *log, struct sim_static *st,
    const char *addr, uint16_t port, const char *split_client);

/*
 * The port the server listens on.
 * @param http: the server.
 * @return: the port.
 */
uint16_t sim_http_port(const struct sim_http *http);

/*
 * Stop serving (waits for the connection threads) and free the server.
 * NULL is a no-op.
 * @param http: the server.
 */
void sim_http_stop(struct sim_http *http);

#endif /* SIM_HTTP_H */
