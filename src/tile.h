/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tile.h -- C2SP tlog-tiles and static-ct-api tiles: paths, tile
 * arithmetic, hash tiles and data tiles.
 *
 * Pure: no I/O, no allocation, no logging, no clock.
 *
 * A tiled log serves its Merkle tree as tiles of 256 hashes
 * (c2sp.org/tlog-tiles): entry k of tile N at level L is the hash of the
 * leaves [(N * 256 + k) * 256^L, (N * 256 + k + 1) * 256^L). A tree of size
 * S has, at each level L, floor(S / 256^(L+1)) full tiles and, when
 * w = floor(S / 256^L) mod 256 is not 0, one partial tile of width w. Only
 * complete subtrees of 256^L leaves are in tiles, so every node of a proof
 * (a Merkle range, merkle.h) either is a run of 2^r entries of one tile
 * (hashed together as the subtree above them), or, at the right edge of a
 * tree that is not a power of two, splits (RFC 6962 section 2.1) into
 * such runs. tile_range_hash() does that split; a callback supplies the
 * complete subtrees, usually through tile_for_subtree() and
 * tile_subtree_hash().
 *
 * Levels: 256^8 = 2^64 leaves exceeds any 64-bit tree size, so levels
 * 0..TILE_MAX_LEVEL (7) are the only ones that can have a tile; the
 * static-ct-api allows 0..5 in paths, tlog-tiles 0..63.
 *
 * Data tiles (c2sp.org/static-ct-api "Log entries") hold one TileLeaf per
 * entry of the matching level-0 tile: a TimestampedEntry (RFC 6962
 * section 3.4) then, for a precertificate, the pre_certificate, then the
 * SHA-256 fingerprints of the chain. The leaf hash is SHA-256(0x00 ||
 * MerkleTreeLeaf) with MerkleTreeLeaf = version 0 || leaf type 0 ||
 * TimestampedEntry. Everything parsed points into the caller's buffer
 * (borrowed; valid while the buffer is).
 */
#ifndef CTD_TILE_H
#define CTD_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

#define TILE_WIDTH 256
#define TILE_HEIGHT 8		/* log2(TILE_WIDTH) */
#define TILE_MAX_LEVEL 7
/* Room for any tile path built here: "tile/data/" + 7 groups + ".p/255". */
#define TILE_PATH_MAX 64
/* Largest data tile accepted (after decompression). */
#define TILE_DATA_MAX (16 * 1024 * 1024)
/* Most fingerprints in one TileLeaf's chain (a uint16 length / 32). */
#define TILE_CHAIN_MAX (65535 / 32)

/* RFC 6962 section 3.1 LogEntryType. */
enum tile_entry_type { TILE_X509 = 0, TILE_PRECERT = 1 };

struct tile {
	uint8_t level;		/* 0..TILE_MAX_LEVEL */
	uint64_t index;		/* N */
	uint16_t width;		/* 1..256; 256 is a full tile */
};

/* One entry of a data tile; pointers borrowed from the tile body. */
struct tile_leaf {
	const uint8_t *entry;	/* the TimestampedEntry bytes */
	size_t entry_len;
	uint64_t timestamp;	/* milliseconds since the epoch */
	uint16_t entry_type;	/* enum tile_entry_type */
	const uint8_t *issuer_key_hash;	/* 32 bytes; precert only */
	const uint8_t *cert;	/* x509: the certificate; precert: TBS */
	size_t cert_len;
	const uint8_t *extensions;	/* CtExtensions contents */
	size_t extensions_len;
	const uint8_t *precert;	/* pre_certificate; precert only */
	size_t precert_len;
	const uint8_t *chain;	/* chain_count fingerprints of 32 bytes */
	size_t chain_count;
	bool has_leaf_index;	/* the leaf_index extension was present */
	uint64_t leaf_index;
	uint8_t leaf_hash[MERKLE_HASH_LEN];
};

/*
 * Yield MTH(D[begin:end)) of a complete subtree: end - begin a power of
 * two and begin a multiple of it.
 * @return: CTD_OK with out set, or an error that is passed up.
 */
typedef int (*tile_subtree_fn)(void *arg, uint64_t begin, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN]);

/*
 * The path of a hash tile: "tile/<L>/<N>[.p/<W>]", N in 3-digit groups,
 * all but the last prefixed with 'x' (1234067: "x001/x234/067").
 * @param out: room for cap bytes (TILE_PATH_MAX suffices), NUL-terminated.
 * @return: CTD_OK; CTD_EINVAL for a level above TILE_MAX_LEVEL or a width
 *	outside 1..256; CTD_ESPACE.
 */
int tile_path(const struct tile *t, char *out, size_t cap);

/*
 * The path of the data tile of a level-0 tile: "tile/data/<N>[.p/<W>]".
 * @return: as tile_path(); CTD_EINVAL also when t is not level 0.
 */
int tile_data_path(const struct tile *t, char *out, size_t cap);

/*
 * Width of the tile (level, index) in a tree of size leaves.
 * @return: 256 for a full tile, 1..255 for the partial one, 0 when the tree
 *	has no such tile (or level > TILE_MAX_LEVEL).
 */
unsigned tile_width(uint64_t size, unsigned level, uint64_t index);

/*
 * The partial tiles of a tree, lowest level first: what a client must
 * fetch besides full tiles to hash the whole tree.
 * @param out: room for TILE_MAX_LEVEL + 1 tiles.
 * @return: the number written.
 */
size_t tile_partials(uint64_t size, struct tile *out);

/*
 * The tile holding a complete subtree [begin, end) of a tree of size
 * leaves, and which of its entries hash to it.
 * @param t: the tile, with its width in that tree.
 * @param first, count: the entries; count is a power of two <= 256.
 * @return: CTD_OK; CTD_EINVAL when [begin, end) is not a complete subtree
 *	(aligned power of two) or end > size.
 */
int tile_for_subtree(uint64_t begin, uint64_t end, uint64_t size,
    struct tile *t, unsigned *first, unsigned *count);

/*
 * The hash tiles needed to compute Merkle ranges (say, the nodes of a
 * proof from merkle_path_ranges()) in a tree of size leaves: each range is
 * split as tile_range_hash() does and each piece's tile listed once.
 * @param ranges: n ranges, each as tile_range_hash() accepts.
 * @param out: room for cap tiles; receives them sorted by level, index.
 * @param count: set to the number of tiles.
 * @return: CTD_OK; CTD_EINVAL for a range tile_range_hash() refuses;
 *	CTD_ESPACE when more than cap tiles are needed.
 */
int tile_for_ranges(const struct merkle_range *ranges, size_t n,
    uint64_t size, struct tile *out, size_t cap, size_t *count);

/*
 * MTH(D[begin:end)) from complete subtrees (RFC 6962 section 2.1: split at
 * the largest power of two below the range's size). The range must be a
 * node of the tree of size leaves: begin < end <= size, and begin a
 * multiple of the smallest power of two >= end - begin (the ranges of
 * merkle.h proofs all are).
 * @return: CTD_OK; CTD_EINVAL for another range; or fn's error.
 */
int tile_range_hash(uint64_t begin, uint64_t end, uint64_t size,
    tile_subtree_fn fn, void *arg, uint8_t out[MERKLE_HASH_LEN]);

/*
 * Hash count entries of a hash tile as the subtree above them.
 * @param hashes: the tile's entries (width * 32 bytes).
 * @param first, count: as from tile_for_subtree(); first + count <= width.
 * @return: CTD_OK; CTD_EINVAL when count is not a power of two, first is
 *	not a multiple of it or the entries pass width.
 */
int tile_subtree_hash(const uint8_t *hashes, unsigned width, unsigned first,
    unsigned count, uint8_t out[MERKLE_HASH_LEN]);

/*
 * Check a hash tile body against the tile it was fetched as.
 * @return: CTD_OK when len is exactly t->width * 32; CTD_EMALF otherwise.
 */
int tile_parse_hashes(const struct tile *t, const uint8_t *body, size_t len);

/*
 * Parse a data tile of width entries and hash each.
 * @param out: room for width leaves.
 * @param width: the width of the level-0 tile it matches (1..256).
 * @return: CTD_OK; CTD_EMALF when the body is larger than TILE_DATA_MAX,
 *	an entry does not parse (unknown entry type, lengths past the end,
 *	empty certificate, extensions that are not a CtExtensions list, a
 *	chain that is not whole fingerprints), or there are more or fewer
 *	than width entries; CTD_EINVAL for a width outside 1..256.
 */
int tile_parse_data(const uint8_t *body, size_t len, unsigned width,
    struct tile_leaf *out);

/*
 * Find the leaf_index extension (type 0, 5 bytes big-endian) in a
 * CtExtensions list (c2sp.org/static-ct-api "SCT Extension").
 * @param ext: the list's contents (without its uint16 length).
 * @return: CTD_OK with *index set; CTD_ENOTFOUND when absent; CTD_EMALF
 *	when the list does not parse, a type repeats or the leaf_index data
 *	is not 5 bytes.
 */
int tile_leaf_index(const uint8_t *ext, size_t len, uint64_t *index);

#endif /* CTD_TILE_H */
