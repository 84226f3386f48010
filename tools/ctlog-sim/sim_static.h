/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_static.h -- ctlog-sim --static: the C2SP static-ct-api read path
 * ("tiled" log) served beside the RFC 6962 API by the same HTTP server.
 *
 * Under the base URL (monitoring prefix = submission prefix):
 *   GET checkpoint                 the signed note of sim_note.h
 *   GET tile/<L>/<N>[.p/<W>]       hash tiles, levels 0..5 of the tree
 *                                  (4 and 5 never fill below 2^32 leaves)
 *   GET tile/data/<N>[.p/<W>]      data tiles (TileLeaf), always sent with
 *                                  Content-Encoding: gzip, unasked
 *   GET issuer/<sha256 hex>        DER issuers named by data tiles
 * Full tiles are served once the published STH covers them; a partial
 * tile only for a width some STH of that view published named
 * (sim_log_tile()). A path that is not one of these, or a tile not
 * served, gives 404.
 *
 * Mode split (sim_log.h): the --split-client address gets the split
 * view's checkpoint (its STH, signed by the same key, in the same note
 * layout: grease line, witness cosignature, RFC6962NoteSignature), hash
 * tiles and data tiles; everyone else the real tree's. Issuers are
 * shared.
 *
 * Misbehaviour modes (sim_log_set_mode()) on this path:
 *   bad-sig    the RFC 6962 signature line does not verify
 *   bad-keyid  that line carries a wrong key ID (a client finds no
 *              signature by the log)
 *   fork       checkpoint and tiles of the forked tree (leaf 0 replaced)
 *   rollback   the checkpoint shrinks to half the tree
 *   bad-tile   the last hash of every hash tile has a bit flipped, so
 *              the tiles do not hash to the checkpoint's root
 *   bad-data   the first entry of every data tile is altered, so it no
 *              longer matches the level-0 tile
 *   bad-gzip   data tiles are cut to half their compressed length
 *   no-partial a partial tile (hash or data) whose full tile the served
 *              tree holds is gone: 404, as at a log that deletes partial
 *              tiles once the full tile exists (C2SP tlog-tiles allows
 *              it); the right edge's partial tiles are still served
 *   garbage    every answer is 200 with a body of HTML noise
 *   error      500; slow=<ms> sleeps first; down drops the connection
 * The other modes leave this path alone.
 *
 * Counters (merged into /sim/stats): checkpoint, tile-0 .. tile-5,
 * tile-data, issuer, static-other; every request counts, bad ones too.
 * Those answered from the split view count again under "split". Two
 * objects break the tile counters down further, for every view: "full"
 * (tile-0 .. tile-data: requests for a full tile) and "partial-gone"
 * (partial tiles answered 404 in mode no-partial); they are parts of the
 * counts above, not further requests.
 *
 * Threading: sim_static_serve() runs on libmicrohttpd's connection
 * threads, concurrently; the origin and counters take a mutex.
 */
#ifndef SIM_STATIC_H
#define SIM_STATIC_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sim_log.h"

struct sim_static;

/*
 * Create the tiled read path for a log.
 * @param log: borrowed; must outlive sim_static_free().
 * @param seed: the seed of the witness key (sim_note.h).
 * @param origin: the checkpoint origin, or NULL to set it later with
 *	sim_static_set_origin() (copied).
 * @return: caller frees with sim_static_free(); NULL on failure (out of
 *	memory, OpenSSL, origin longer than 255 bytes).
 */
struct sim_static *sim_static_new(struct sim_log *log, const char *seed,
    const char *origin);

/*
 * Release it; NULL is a no-op. No request may be in progress.
 * @param st: the read path.
 */
void sim_static_free(struct sim_static *st);

/*
 * Set the origin unless one is set: "host:port" of the listening
 * address ("[v6]:port" for IPv6). Until then checkpoint answers 503.
 * @param st: the read path.
 * @param addr: numeric address.
 * @param port: the port.
 */
void sim_static_default_origin(struct sim_static *st, const char *addr,
    uint16_t port);

/*
 * Whether url belongs to this read path (checkpoint, tile/, issuer/).
 * @param url: the request path.
 * @return: true when sim_static_serve() should answer it.
 */
bool sim_static_owns(const char *url);

/*
 * Answer one request, modes applied.
 * @param st: the read path.
 * @param conn: the connection.
 * @param url: the request path (sim_static_owns() is true).
 * @param method: the HTTP method.
 * @param split_client: true when the connection comes from the
 *	--split-client address (shown the split view in mode split).
 * @return: what libmicrohttpd's handler returns (MHD_NO drops the
 *	connection: mode down, or out of memory).
 */
enum MHD_Result sim_static_serve(struct sim_static *st,
    struct MHD_Connection *conn, const char *url, const char *method,
    bool split_client);

/*
 * Add the counters to a /sim/stats object and its "split" object.
 * @param st: the read path.
 * @param obj: the JSON object: every request.
 * @param split: the JSON object: those answered from the split view.
 * @param split_total: set to the number of those since the last reset.
 * @return: the number of requests counted since the last reset.
 */
uint64_t sim_static_stats(struct sim_static *st, json_t *obj, json_t *split,
    uint64_t *split_total);

/*
 * Zero the counters.
 * @param st: the read path.
 */
void sim_static_reset_stats(struct sim_static *st);

#endif /* SIM_STATIC_H */
