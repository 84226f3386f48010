/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prove_local.h -- a query's need answered from what the store holds,
 * with no request to the log.
 *
 * Every proof node is the hash of a range; a range that is not stored
 * itself (the right edge of a tree size no head named) is still known
 * when the complete subtrees it splits into are. A mirror stores every
 * complete subtree, so its queries never need the log; a proxy gains the
 * same whenever its store happens to hold the pieces. What is computed
 * here is checked against the task's anchors like any answer.
 */
#ifndef CTD_PROVE_LOCAL_H
#define CTD_PROVE_LOCAL_H

#include "source.h"

/*
 * Prove a query's need (FILL_PATH, FILL_ROOT, FILL_CONSISTENCY) from
 * t->known alone, into t->proved.
 * @return: CTD_OK; CTD_ENOTFOUND when a piece is not stored (or the need
 *	is of another kind); CTD_EVERIFY when the stored pieces disagree
 *	with an anchor (a store written by another log); CTD_ENOMEM.
 */
int prove_local(struct source_task *t);

#endif /* CTD_PROVE_LOCAL_H */
