/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_http_int.h -- what sim_http.c (dispatch, /ct/v1/) and sim_http_ctl.c
 * (/sim/ control) share: the server state, replies, parameters, and the
 * control handlers.
 */
#ifndef SIM_HTTP_INT_H
#define SIM_HTTP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sim_log.h"
#include "sim_static.h"

enum stat_idx {
	STAT_GET_STH,
	STAT_GET_STH_CONSISTENCY,
	STAT_GET_PROOF_BY_HASH,
	STAT_GET_ENTRIES,
	STAT_GET_ENTRY_AND_PROOF,
	STAT_GET_ROOTS,
	STAT_ADD_CHAIN,
	STAT_ADD_PRE_CHAIN,
	STAT_OTHER,
	STAT_COUNT,
	STAT_NONE = -1,	/* control endpoints are not counted */
};

struct sim_http {
	struct MHD_Daemon *daemon;
	struct sim_log *log;
	struct sim_static *st;	/* NULL unless --static */
	uint16_t port;
	/* --split-client: the address shown the split view in mode split. */
	bool has_split_client;
	struct sockaddr_storage split_client;
	pthread_mutex_t stats_lock;
	uint64_t stats[STAT_COUNT];
	uint64_t total;
	/* Of those, the requests answered from the split view. */
	uint64_t split_stats[STAT_COUNT];
	uint64_t split_total;
};

/* What a handler produces: a status and a JSON body (owned), or the
 * body's text already serialised (raw, owned; body NULL). */
struct reply {
	unsigned status;
	json_t *body;
	char *raw;
	size_t raw_len;
};

/* A handler answers from the view the client is shown (sim_log.h). */
typedef void handler_fn(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep);

struct route {
	const char *path;
	enum stat_idx stat;
	handler_fn *fn;
};

/*
 * Set the reply (replacing any body); a NULL body becomes a 500.
 * @param body: takes ownership.
 */
void sim_http_reply_json(struct reply *rep, unsigned status, json_t *body);

/* Set an {"error": ...} reply. */
__attribute__((format(printf, 3, 4)))
void sim_http_reply_error(struct reply *rep, unsigned status,
    const char *fmt, ...);

/* Report a sim_log failure (SIM_E*) with the status it maps to. */
void sim_http_reply_status(struct reply *rep, int rc, const char *what);

/*
 * The query parameter name as a canonical decimal in [min, max].
 * @return: true; false with the reply set to a 400 saying why.
 */
bool sim_http_arg_u64(struct MHD_Connection *conn, struct reply *rep,
    const char *name, uint64_t min, uint64_t max, uint64_t *out);

/* The /sim/ handlers (sim_http_ctl.c); view is ignored. */
handler_fn sim_ctl_grow, sim_ctl_mode, sim_ctl_stats, sim_ctl_reset_stats,
    sim_ctl_leaf, sim_ctl_sth;

#endif /* SIM_HTTP_INT_H */
