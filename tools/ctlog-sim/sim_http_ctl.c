/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_http_ctl.c -- the simulated log's test control endpoints under /sim/
 * (grow, mode, stats, reset-stats, leaf, sth); see sim_http.c for the
 * list. They act on the real log whoever asks, and are not counted.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sim_http_int.h"
#include "sim_log.h"
#include "sim_static.h"
#include "sim_tree.h"
#include "sim_util.h"

static const char *const stat_names[STAT_COUNT] = {
	"get-sth", "get-sth-consistency", "get-proof-by-hash", "get-entries",
	"get-entry-and-proof", "get-roots", "add-chain", "add-pre-chain",
	"other",
};

/* The published STH in brief, for control answers. */
static json_t *
json_state(struct sim_http *http)
{
	struct sim_sth sth;
	unsigned slow_ms;
	enum sim_mode mode = sim_log_mode(http->log, &slow_ms);
	uint64_t at;
	json_t *o;

	sim_log_sth(http->log, SIM_VIEW_REAL, &sth);
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}",
	    "mode", sim_log_mode_name(mode),
	    "slow_ms", (json_int_t)slow_ms,
	    "entries", (json_int_t)sim_log_size(http->log),
	    "tree_size", (json_int_t)sth.tree_size,
	    "timestamp", (json_int_t)sth.timestamp,
	    "sha256_root_hash", sim_json_b64(sth.root, SIM_HASH_LEN));
	if (o != NULL && sim_log_split_at(http->log, &at)) {
		/* The split view's STH, as the split client gets it. */
		sim_log_sth(http->log, SIM_VIEW_SPLIT, &sth);
		json_object_set_new(o, "split", json_pack("{s:I, s:I, s:I, "
		    "s:o}", "split_at", (json_int_t)at,
		    "tree_size", (json_int_t)sth.tree_size,
		    "timestamp", (json_int_t)sth.timestamp,
		    "sha256_root_hash", sim_json_b64(sth.root,
		    SIM_HASH_LEN)));
	}
	return o;
}

void
sim_ctl_grow(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	uint64_t n;
	int rc;

	if (!sim_http_arg_u64(conn, rep, "n", 1, SIM_LOG_GROW_MAX, &n)) {
		return;
	}
	if ((rc = sim_log_grow(http->log, n)) != SIM_OK) {
		sim_http_reply_status(rep, rc, "n");
		return;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_state(http));
}

void
sim_ctl_mode(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	const char *spec = MHD_lookup_connection_value(conn,
	    MHD_GET_ARGUMENT_KIND, "set");
	int rc;

	if (spec != NULL && strcmp(spec, "split") == 0 &&
	    !http->has_split_client) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "mode split needs --split-client");
		return;
	}
	if (spec != NULL &&
	    (rc = sim_log_set_mode(http->log, spec)) != SIM_OK) {
		if (rc == SIM_EINVAL) {
			sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
			    "unknown or impossible mode");
		} else {
			sim_http_reply_status(rep, rc, "set");
		}
		return;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_state(http));
}

void
sim_ctl_stats(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	json_t *obj = json_object(), *split = json_object();

	pthread_mutex_lock(&http->stats_lock);
	for (size_t i = 0; obj != NULL && split != NULL && i < STAT_COUNT;
	    i++) {
		json_object_set_new(obj, stat_names[i],
		    json_integer((json_int_t)http->stats[i]));
		json_object_set_new(split, stat_names[i],
		    json_integer((json_int_t)http->split_stats[i]));
	}
	uint64_t total = http->total, split_total = http->split_total;
	pthread_mutex_unlock(&http->stats_lock);
	if (obj != NULL && split != NULL && http->st != NULL) {
		uint64_t static_split;

		total += sim_static_stats(http->st, obj, split, &static_split);
		split_total += static_split;
	}
	/* "split": the part of the counts served from the split view. */
	if (obj != NULL && split != NULL) {
		json_object_set_new(split, "total",
		    json_integer((json_int_t)split_total));
		json_object_set_new(obj, "split", split);
	} else {
		json_decref(split);
	}
	if (obj != NULL) {
		json_object_set_new(obj, "total",
		    json_integer((json_int_t)total));
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, obj);
}

void
sim_ctl_reset_stats(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	pthread_mutex_lock(&http->stats_lock);
	memset(http->stats, 0, sizeof(http->stats));
	http->total = 0;
	memset(http->split_stats, 0, sizeof(http->split_stats));
	http->split_total = 0;
	pthread_mutex_unlock(&http->stats_lock);
	if (http->st != NULL) {
		sim_static_reset_stats(http->st);
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:b}", "reset", 1));
}

void
sim_ctl_leaf(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	uint8_t hash[SIM_HASH_LEN], *leaf;
	size_t leaf_len;
	uint64_t idx;
	int rc;

	if (!sim_http_arg_u64(conn, rep, "index", 0, SIM_TREE_MAX_SIZE, &idx)) {
		return;
	}
	if ((rc = sim_log_real_leaf(http->log, idx, hash, &leaf,
	    &leaf_len)) != SIM_OK) {
		sim_http_reply_status(rep, rc, "index");
		return;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:I, s:o, s:o, s:o}",
	    "leaf_index", (json_int_t)idx,
	    "leaf_hash", sim_json_hex(hash, SIM_HASH_LEN),
	    "leaf_hash_b64", sim_json_b64(hash, SIM_HASH_LEN),
	    "leaf_input_b64", sim_json_b64(leaf, leaf_len)));
	free(leaf);
}

void
sim_ctl_sth(struct sim_http *http, struct MHD_Connection *conn,
    enum sim_view view, struct reply *rep)
{
	uint8_t root[SIM_HASH_LEN];
	uint64_t size;
	int rc;

	const char *want = MHD_lookup_connection_value(conn,
	    MHD_GET_ARGUMENT_KIND, "view");

	if (!sim_http_arg_u64(conn, rep, "tree_size", 0, SIM_TREE_MAX_SIZE,
	    &size)) {
		return;
	}
	if (want != NULL && strcmp(want, "split") != 0 &&
	    strcmp(want, "real") != 0) {
		sim_http_reply_error(rep, MHD_HTTP_BAD_REQUEST,
		    "view: real or split");
		return;
	}
	/* view=split: that tree, whoever asks; 404 when no split runs. */
	rc = want != NULL && strcmp(want, "split") == 0 ?
	    sim_log_split_root(http->log, size, root) :
	    sim_log_real_root(http->log, size, root);
	if (rc != SIM_OK) {
		sim_http_reply_status(rep, rc, "tree_size");
		return;
	}
	sim_http_reply_json(rep, MHD_HTTP_OK, json_pack("{s:I, s:o, s:o}",
	    "tree_size", (json_int_t)size,
	    "root_hash", sim_json_hex(root, SIM_HASH_LEN),
	    "sha256_root_hash", sim_json_b64(root, SIM_HASH_LEN)));
}
