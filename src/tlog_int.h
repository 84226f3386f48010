/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlog_int.h -- what tlog.c and tlog_cosign.c (the log's cosigning) share.
 * Private to the tlog module; main loop only.
 */
#ifndef CTD_TLOG_INT_H
#define CTD_TLOG_INT_H

#include "sth.h"

struct tlog;

/* ---- tlog.c ----------------------------------------------------------- */

/* The log's checkpoint origin (docs/witness.md), or NULL while unknown
 * (a tiled log without submission-url before its first checkpoint). */
const char *tlog_origin(struct tlog *log);

/* A head was just served: what follows it (a mirror reads on). */
void tlog_on_served(struct tlog *log);

/* ---- tlog_cosign.c ---------------------------------------------------- */

/* Open the witnesses' pool, and with a quorum, serve the newest stored
 * head that has it (the restored one may not). At tlog_start().
 * @return: CTD_OK, CTD_ENOMEM, CTD_ECANCELED. */
int tlog_cosign_start(struct tlog *log);

/* The poller adopted a head: serve it now (no quorum asked) or once it
 * has its quorum, and ask the cosigners for it. */
void tlog_cosign_adopted(struct tlog *log, const struct sth *sth);

/* At each poll: ask again the cosigners that did not answer. */
void tlog_cosign_poll(struct tlog *log);

/* Cancel the witnesses' transfers (tlog_close, tlog_retire). */
void tlog_cosign_close(struct tlog *log);

/* Drop the witness client (a reload changes the witnesses): the next
 * poll makes a new one and asks every cosigner for the head again. */
void tlog_cosign_reset(struct tlog *log);

/* Free the witness client (tlog_free, after the fill). */
void tlog_cosign_free(struct tlog *log);

#endif /* CTD_TLOG_INT_H */
