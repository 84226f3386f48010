/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prove_local.h -- a need proved from hashes already trusted, with no
 * request to the log.
 *
 * Every proof node is the hash of a range; a range that is not stored
 * itself (the right edge of a tree size no head named) is still known
 * when the complete subtrees it splits into are. prove_ranges() computes
 * a need's ranges from such subtrees, given by a lookup, checks the proof
 * they make against the task's anchors, and adds them to the proved set.
 * fill.c uses it with the store as the lookup before it asks the log (a
 * mirror's store holds every complete subtree, so its queries never need
 * the log); the tiled source uses it with tiles it has authenticated.
 */
#ifndef CTD_PROVE_LOCAL_H
#define CTD_PROVE_LOCAL_H

#include "source.h"
#include "tile.h"

/*
 * The ranges a need's proof is made of: FILL_PATH (the audit path, then
 * the leaf), FILL_ROOT (the root), FILL_CONSISTENCY and FILL_HEAD_PROOF
 * (the proof, then the first tree's root).
 * @param r: room for MERKLE_MAX_CONSISTENCY + 1 ranges.
 * @param size: set to the tree size the ranges lie in.
 * @return: the number of ranges; 0 for another kind of need.
 */
size_t prove_ranges_of(const struct fill_need *n, struct merkle_range *r,
    uint64_t *size);

/*
 * Compute the need's ranges from complete subtrees given by fn, check
 * them against the anchors (the path against the root of its tree, the
 * consistency proof against the second root and the first when known),
 * and add them to t->proved.
 * @return: CTD_OK; CTD_ENOTFOUND when fn lacks a piece (or the need is of
 *	another kind); CTD_EVERIFY when the pieces disagree with an anchor;
 *	CTD_ENOMEM, CTD_ERANGE from the proved set.
 */
int prove_ranges(struct source_task *t, tile_subtree_fn fn, void *arg);

/* prove_ranges() over what the store holds (t->known). */
int prove_local(struct source_task *t);

#endif /* CTD_PROVE_LOCAL_H */
