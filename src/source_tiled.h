/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_tiled.h -- a C2SP static-ct-api ("tiled") log as a source
 * (source.h).
 *
 * A tiled log publishes a signed checkpoint and static tiles of hashes;
 * it serves no proofs and no lookup by hash. This source computes every
 * proof node from hash tiles and checks the tiles against a verified root
 * before anything of them is proved:
 *
 *   FILL_HEAD             GET <prefix>checkpoint; the RFC6962NoteSignature
 *                         line (key name = origin, key ID from the log ID)
 *                         is verified with the log's key, every other line
 *                         ignored; extension lines are refused
 *   FILL_HEAD_PROOF(a,b)  the consistency proof from a to the candidate b,
 *                         from the tiles of b, checked against both roots
 *   FILL_PATH, FILL_ROOT, FILL_CONSISTENCY
 *                         the proof's nodes from the tiles of the served
 *                         tree S, checked against the anchors
 *   FILL_ENTRIES(a, b)    a mirror's batch: the level-0 tiles of [a, b)
 *                         (and, with check_entries, the data tiles, each
 *                         entry hashed and compared with its leaf)
 *   FILL_HASH             no request: the log has no lookup by hash. The
 *                         leaf is unknown (CTD_ENOTFOUND) when the store's
 *                         index covers the whole served tree, else the
 *                         answer is not known (CTD_EUPSTREAM)
 *
 * How tiles are trusted: the tiles of the right edge of S (the partial
 * tiles and the top one) must hash to S's signed root; a full tile must
 * hash to its entry in its parent tile, or to the range the store already
 * holds for it. Only then is it proved: every entry as the range it is,
 * the subtrees above its entries inside the tile, and level-0 entries as
 * leaves of the index too; so neighbouring proofs cost no new fetch. A partial tile that is gone (404) is fetched
 * again as the full tile, of which the first entries are used. A tile
 * that is missing is an upstream error; one that disagrees is an alarm.
 */
#ifndef CTD_SOURCE_TILED_H
#define CTD_SOURCE_TILED_H

#include <stdbool.h>

#include "source.h"

struct logkey;

/*
 * A source for the tiled log under a monitoring prefix.
 * @param prefix: the monitoring URL, ending in '/'; copied.
 * @param origin: the checkpoint origin, or NULL to take the origin of the
 *	first checkpoint that verifies and hold it; copied.
 * @param key: the log's key; borrowed, must outlive the source.
 * @param check_entries: a mirror's batches (FILL_ENTRIES) also read the
 *	data tiles and check every entry against its leaf hash.
 * @return: CTD_OK with *out set (free with source_free()); CTD_ENOMEM;
 *	CTD_EINVAL when the prefix is empty or does not end in '/'.
 */
int source_tiled_new(const char *prefix, const char *origin,
    const struct logkey *key, bool check_entries, struct source **out);

/*
 * The checkpoint origin of a log from its submission URL: the URL without
 * its scheme and trailing slash ("https://log.example/2026h2/" ->
 * "log.example/2026h2").
 * @return: CTD_OK; CTD_ESPACE when it does not fit; CTD_EINVAL when the
 *	URL has no "://".
 */
int source_tiled_origin(const char *url, char *out, size_t cap);

/*
 * The origin a tiled source checks checkpoints against.
 * @param src: a source made by source_tiled_new().
 * @return: the origin, NUL-terminated, borrowed (valid until
 *	source_free()); NULL when none was configured and no checkpoint has
 *	verified yet.
 */
const char *source_tiled_get_origin(const struct source *src);

/*
 * The log's own checkpoint of a head, as the source last verified it
 * (its log signature), with every other line it carries: the log's
 * witnesses' cosignatures among them, for the caller to check with the
 * keys it trusts.
 * @param len: set to the note's length when found.
 * @return: the note, borrowed until the next head the source reads; NULL
 *	when the last checkpoint read is of another head.
 */
const char *source_tiled_note(const struct source *src, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], size_t *len);

#endif /* CTD_SOURCE_TILED_H */
