/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_static.c -- ctlog-sim --static: the static-ct-api read path over
 * HTTP. See sim_static.h for the endpoints, modes and counters; the
 * resources themselves come from sim_note.c (checkpoint) and
 * sim_static_tile.c (tiles, issuers, gzip).
 *
 * Each request is one pass: read the mode once, pick the view (the split
 * view for the --split-client address in mode split), count, apply the
 * HTTP-level modes (down, slow, error), build the body from the view's
 * tree (or, in mode no-partial, refuse a partial tile whose full tile
 * exists), spoil it as the mode says, queue it. Bodies are built per
 * request: nothing is cached, so a mode switch takes effect at once.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_note.h"
#include "sim_static.h"
#include "sim_static_tile.h"
#include "sim_tree.h"
#include "sim_util.h"

#define ORIGIN_MAX 256

enum stat_idx {
	STAT_CHECKPOINT,
	STAT_TILE0,	/* tile-0 .. tile-5 follow */
	STAT_DATA = STAT_TILE0 + SIM_TILE_LEVEL_MAX + 1,
	STAT_ISSUER,
	STAT_OTHER,
	STAT_COUNT,
};

static const char *const stat_names[STAT_COUNT] = {
	"checkpoint", "tile-0", "tile-1", "tile-2", "tile-3", "tile-4",
	"tile-5", "tile-data", "issuer", "static-other",
};

struct sim_static {
	struct sim_log *log;
	struct sim_witness *witness;
	pthread_mutex_t lock;	/* origin, stats, totals */
	char origin[ORIGIN_MAX];
	uint64_t stats[STAT_COUNT];
	uint64_t total;
	/* Of those, the requests answered from the split view. */
	uint64_t split_stats[STAT_COUNT];
	uint64_t split_total;
	/* Of the tile requests (STAT_TILE0 .. STAT_DATA), every view: those
	 * for a full tile, and the partial ones mode no-partial refused. */
	uint64_t full[STAT_COUNT];
	uint64_t gone[STAT_COUNT];
};

/* An answer under construction: status, body (owned) and headers. */
struct answer {
	unsigned status;
	uint8_t *body;
	size_t len;
	const char *type;
	const char *cache;
	bool gzip;
};

static const char garbage[] =
    "<html><body><h1>502 Bad Gateway</h1>not a log</body></html>\n";

struct sim_static *
sim_static_new(struct sim_log *log, const char *seed, const char *origin)
{
	struct sim_static *st;

	if (origin != NULL && strlen(origin) >= ORIGIN_MAX) {
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		return NULL;
	}
	st->log = log;
	pthread_mutex_init(&st->lock, NULL);
	if (origin != NULL) {
		strcpy(st->origin, origin);
	}
	if ((st->witness = sim_witness_new(seed)) == NULL) {
		sim_static_free(st);
		return NULL;
	}
	return st;
}

void
sim_static_free(struct sim_static *st)
{
	if (st == NULL) {
		return;
	}
	sim_witness_free(st->witness);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

void
sim_static_default_origin(struct sim_static *st, const char *addr,
    uint16_t port)
{
	pthread_mutex_lock(&st->lock);
	if (st->origin[0] == '\0') {
		snprintf(st->origin, sizeof(st->origin),
		    strchr(addr, ':') != NULL ? "[%s]:%u" : "%s:%u", addr,
		    (unsigned)port);
	}
	pthread_mutex_unlock(&st->lock);
}

bool
sim_static_owns(const char *url)
{
	return strcmp(url, "/checkpoint") == 0 ||
	    strncmp(url, "/tile/", 6) == 0 || strncmp(url, "/issuer/", 8) == 0;
}

/* The counter a request falls under; *full is set for a full tile. */
static enum stat_idx
stat_of(const char *url, bool *full)
{
	struct sim_tile t;

	*full = false;
	if (strcmp(url, "/checkpoint") == 0) {
		return STAT_CHECKPOINT;
	}
	if (strncmp(url, "/issuer/", 8) == 0) {
		return STAT_ISSUER;
	}
	if (strncmp(url, "/tile/", 6) == 0 && sim_tile_parse(url + 6, &t)) {
		*full = t.width == SIM_TILE_WIDTH;
		return t.data ? STAT_DATA : STAT_TILE0 + t.level;
	}
	return STAT_OTHER;
}

static void
count(struct sim_static *st, const char *url, enum sim_view view)
{
	bool full;
	enum stat_idx stat = stat_of(url, &full);

	pthread_mutex_lock(&st->lock);
	st->stats[stat]++;
	st->total++;
	if (full) {
		st->full[stat]++;
	}
	if (view == SIM_VIEW_SPLIT) {
		st->split_stats[stat]++;
		st->split_total++;
	}
	pthread_mutex_unlock(&st->lock);
}

/* A JSON object of the tile counters of arr (tile-0 .. tile-data). */
static json_t *
tile_counts(const uint64_t *arr)
{
	json_t *o = json_object();

	for (size_t i = STAT_TILE0; o != NULL && i <= STAT_DATA; i++) {
		json_object_set_new(o, stat_names[i],
		    json_integer((json_int_t)arr[i]));
	}
	return o;
}

uint64_t
sim_static_stats(struct sim_static *st, json_t *obj, json_t *split,
    uint64_t *split_total)
{
	uint64_t total;

	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < STAT_COUNT; i++) {
		json_object_set_new(obj, stat_names[i],
		    json_integer((json_int_t)st->stats[i]));
		json_object_set_new(split, stat_names[i],
		    json_integer((json_int_t)st->split_stats[i]));
	}
	json_object_set_new(obj, "full", tile_counts(st->full));
	json_object_set_new(obj, "partial-gone", tile_counts(st->gone));
	total = st->total;
	*split_total = st->split_total;
	pthread_mutex_unlock(&st->lock);
	return total;
}

void
sim_static_reset_stats(struct sim_static *st)
{
	pthread_mutex_lock(&st->lock);
	memset(st->stats, 0, sizeof(st->stats));
	st->total = 0;
	memset(st->split_stats, 0, sizeof(st->split_stats));
	st->split_total = 0;
	memset(st->full, 0, sizeof(st->full));
	memset(st->gone, 0, sizeof(st->gone));
	pthread_mutex_unlock(&st->lock);
}

/* A text answer from a static string (copied). */
static void
answer_text(struct answer *a, unsigned status, const char *text)
{
	free(a->body);
	a->len = strlen(text);
	a->body = malloc(a->len + 1);
	a->status = a->body != NULL ? status : MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (a->body != NULL) {
		memcpy(a->body, text, a->len);
	} else {
		a->len = 0;
	}
	a->type = "text/plain; charset=utf-8";
	a->cache = "no-store";
	a->gzip = false;
}

/* Map a sim_log status to an answer. */
static void
answer_status(struct answer *a, int rc)
{
	if (rc == SIM_ENOTFOUND || rc == SIM_EINVAL) {
		answer_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
	} else {
		answer_text(a, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error\n");
	}
}

/* The checkpoint with an extension line after its root line: the RFC
 * 6962 signature (over size, timestamp and root) still verifies, which is
 * why a static-ct-api client must refuse extension lines itself. Takes
 * the note over; NULL without memory. */
static char *
with_extension_line(char *note)
{
	static const char ext[] = "an extension line\n";
	char *p = note;
	for (int i = 0; i < 3 && p != NULL; i++) {
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	size_t len = strlen(note);
	char *out = p != NULL ? malloc(len + sizeof ext) : NULL;
	if (out != NULL) {
		size_t head = (size_t)(p - note);
		memcpy(out, note, head);
		memcpy(out + head, ext, sizeof ext - 1);
		memcpy(out + head + sizeof ext - 1, p, len - head + 1);
	}
	free(note);
	return out;
}

static void
serve_checkpoint(struct sim_static *st, enum sim_view view,
    enum sim_mode mode, struct answer *a)
{
	char origin[ORIGIN_MAX];
	struct sim_sth sth;
	const uint8_t *spki;
	size_t spki_len;
	char *note;

	pthread_mutex_lock(&st->lock);
	memcpy(origin, st->origin, sizeof(origin));
	pthread_mutex_unlock(&st->lock);
	if (origin[0] == '\0') {
		answer_text(a, MHD_HTTP_SERVICE_UNAVAILABLE, "no origin yet\n");
		return;
	}
	/* The split view's STH is signed by the same key: same note. */
	sim_log_sth(st->log, view, &sth);
	spki = sim_log_spki(st->log, &spki_len);
	note = sim_note_checkpoint(origin, &sth, spki, spki_len, st->witness,
	    mode == SIM_MODE_BAD_KEYID);
	if (note == NULL) {
		answer_status(a, SIM_EFAIL);
		return;
	}
	if (mode == SIM_MODE_EXT_LINE) {
		note = with_extension_line(note);
		if (note == NULL) {
			answer_status(a, SIM_EFAIL);
			return;
		}
	}
	answer_text(a, MHD_HTTP_OK, note);
	free(note);
	/* Mutable: tlog-tiles asks for no caching beyond a few seconds. */
	a->cache = "no-cache";
}

static void
serve_hash_tile(struct sim_static *st, enum sim_view view,
    const struct sim_tile *t, enum sim_mode mode, struct answer *a)
{
	size_t len = (size_t)t->width * SIM_HASH_LEN;
	uint8_t *body = malloc(len);
	int rc;

	if (body == NULL) {
		answer_status(a, SIM_EFAIL);
		return;
	}
	if ((rc = sim_log_tile(st->log, view, t->level, t->n, t->width,
	    body)) != SIM_OK) {
		free(body);
		answer_status(a, rc);
		return;
	}
	if (mode == SIM_MODE_BAD_TILE) {
		body[len - 1] ^= 0x01;
	}
	free(a->body);
	*a = (struct answer){ .status = MHD_HTTP_OK, .body = body,
	    .len = len, .type = "application/octet-stream",
	    .cache = "public, max-age=604800, immutable" };
}

static void
serve_data_tile(struct sim_static *st, enum sim_view view,
    const struct sim_tile *t, enum sim_mode mode, struct answer *a)
{
	uint8_t *raw, *gz;
	size_t raw_len, gz_len;
	int rc;

	if ((rc = sim_tile_data(st->log, view, t, mode == SIM_MODE_BAD_DATA,
	    &raw, &raw_len)) != SIM_OK) {
		answer_status(a, rc);
		return;
	}
	rc = sim_tile_gzip(raw, raw_len, &gz, &gz_len);
	free(raw);
	if (rc != SIM_OK) {
		answer_status(a, rc);
		return;
	}
	if (mode == SIM_MODE_BAD_GZIP) {
		gz_len /= 2;
	}
	free(a->body);
	*a = (struct answer){ .status = MHD_HTTP_OK, .body = gz,
	    .len = gz_len, .type = "application/octet-stream",
	    .cache = "public, max-age=604800, immutable", .gzip = true };
}

static void
serve_issuer(struct sim_static *st, const char *hex, struct answer *a)
{
	uint8_t *der;
	size_t len;
	int rc;

	if ((rc = sim_tile_issuer(st->log, hex, &der, &len)) != SIM_OK) {
		answer_status(a, rc);
		return;
	}
	free(a->body);
	*a = (struct answer){ .status = MHD_HTTP_OK, .body = der, .len = len,
	    .type = "application/pkix-cert",
	    .cache = "public, max-age=604800, immutable" };
}

/*
 * Mode no-partial: whether t is a partial tile whose full tile the view's
 * served tree holds. A log may delete such a partial tile (C2SP
 * tlog-tiles, "Partial Tiles"); a partial tile on the right edge has no
 * full tile yet and stays. Counts the refusal.
 */
static bool
partial_gone(struct sim_static *st, enum sim_view view,
    const struct sim_tile *t)
{
	if (t->width == SIM_TILE_WIDTH ||
	    sim_log_tile(st->log, view, t->data ? 0 : t->level, t->n,
	    SIM_TILE_WIDTH, NULL) != SIM_OK) {
		return false;
	}
	pthread_mutex_lock(&st->lock);
	st->gone[t->data ? STAT_DATA : STAT_TILE0 + t->level]++;
	pthread_mutex_unlock(&st->lock);
	return true;
}

/* Build the answer for a GET of url from view in mode. */
static void
route(struct sim_static *st, const char *url, enum sim_view view,
    enum sim_mode mode, struct answer *a)
{
	struct sim_tile t;

	if (strcmp(url, "/checkpoint") == 0) {
		serve_checkpoint(st, view, mode, a);
	} else if (strncmp(url, "/issuer/", 8) == 0) {
		serve_issuer(st, url + 8, a);
	} else if (strncmp(url, "/tile/", 6) == 0 &&
	    sim_tile_parse(url + 6, &t)) {
		if (mode == SIM_MODE_NO_PARTIAL && partial_gone(st, view, &t)) {
			answer_text(a, MHD_HTTP_NOT_FOUND,
			    "partial tile deleted: ask for the full tile\n");
		} else if (t.data) {
			serve_data_tile(st, view, &t, mode, a);
		} else {
			serve_hash_tile(st, view, &t, mode, a);
		}
	} else {
		answer_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
	}
}

/* Queue a; the body passes to libmicrohttpd. */
static enum MHD_Result
send_answer(struct MHD_Connection *conn, struct answer *a)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(a->len,
	    a->body != NULL ? (void *)a->body : (void *)"",
	    a->body != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(a->body);
		return MHD_NO;
	}
	a->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    a->cache);
	if (a->gzip) {
		MHD_add_response_header(resp,
		    MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	}
	ret = MHD_queue_response(conn, a->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
sim_static_serve(struct sim_static *st, struct MHD_Connection *conn,
    const char *url, const char *method, bool split_client)
{
	struct answer a = { 0 };
	unsigned slow_ms = 0;
	enum sim_mode mode = sim_log_mode(st->log, &slow_ms);
	enum sim_view view = mode == SIM_MODE_SPLIT && split_client ?
	    SIM_VIEW_SPLIT : SIM_VIEW_REAL;

	count(st, url, view);
	if (mode == SIM_MODE_DOWN) {
		return MHD_NO;
	}
	if (mode == SIM_MODE_SLOW) {
		sim_sleep_ms(slow_ms);
	}
	if (mode == SIM_MODE_ERROR) {
		answer_text(&a, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "simulated server error\n");
	} else if (strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
		answer_text(&a, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET is served\n");
	} else {
		route(st, url, view, mode, &a);
	}
	if (mode == SIM_MODE_GARBAGE && a.status == MHD_HTTP_OK) {
		answer_text(&a, MHD_HTTP_OK, garbage);
		a.type = "text/html";
	}
	return send_answer(conn, &a);
}
