/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_static_tile.h -- the resources of the static-ct-api read path,
 * without HTTP: tile path grammar, data tiles (TileLeaf), issuers, gzip.
 * sim_static.c serves them.
 *
 * Tile paths (C2SP tlog-tiles, static-ct-api "Merkle Tree"): after
 * "tile/", a level (decimal 0..5, no leading zero) or "data", then the
 * index in 3-digit groups, every group but the last prefixed with "x",
 * the first group non-zero when there are several (so each index has one
 * spelling), and for a partial tile ".p/<W>" with W in 1..255 (no leading
 * zero). Anything else is not a tile.
 *
 * Pure except for reading the log (which locks itself).
 */
#ifndef SIM_STATIC_TILE_H
#define SIM_STATIC_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_log.h"

/* Highest tile level the grammar takes (static-ct-api: 0 to 5). */
#define SIM_TILE_LEVEL_MAX 5
/* Hashes in a full tile. */
#define SIM_TILE_WIDTH 256

struct sim_tile {
	bool data;		/* tile/data/...: a data tile */
	unsigned level;		/* hash tiles: 0 .. SIM_TILE_LEVEL_MAX */
	uint64_t n;		/* tile index */
	unsigned width;		/* 1 .. 255 for a partial tile, else 256 */
};

/*
 * Parse a tile path.
 * @param path: the part of the URL after "tile/" (NUL-terminated).
 * @param out: the tile.
 * @return: true when path is a tile path as above.
 */
bool sim_tile_parse(const char *path, struct sim_tile *out);

/*
 * The contents of a data tile: one static-ct-api TileLeaf per entry,
 * from a view's served tree (fork mode applied).
 * @param log: the log.
 * @param view: the view (sim_log.h).
 * @param t: the tile (t->data set).
 * @param spoil: true to alter the first entry's timestamp (bad-data).
 * @param out: set to the bytes; caller frees with free().
 * @param out_len: set to their length.
 * @return: SIM_OK; SIM_ENOTFOUND when the tile is not served;
 *	SIM_EFAIL.
 */
int sim_tile_data(struct sim_log *log, enum sim_view view,
    const struct sim_tile *t, bool spoil, uint8_t **out, size_t *out_len);

/*
 * The DER of the issuer whose SHA-256 is hex: the simulator's CA, or any
 * certificate of a submitted chain past chain[0].
 * @param log: the log.
 * @param hex: 64 lowercase hex digits.
 * @param out: set to a copy; caller frees with free().
 * @param out_len: set to its length.
 * @return: SIM_OK; SIM_ENOTFOUND; SIM_EFAIL.
 */
int sim_tile_issuer(struct sim_log *log, const char *hex, uint8_t **out,
    size_t *out_len);

/*
 * Compress with gzip (RFC 1952) for Content-Encoding: gzip.
 * @param in: the bytes.
 * @param in_len: their length.
 * @param out: set to the compressed bytes; caller frees with free().
 * @param out_len: set to their length.
 * @return: SIM_OK; SIM_EFAIL.
 */
int sim_tile_gzip(const uint8_t *in, size_t in_len, uint8_t **out,
    size_t *out_len);

#endif /* SIM_STATIC_TILE_H */
