/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wclient.h -- ask witnesses to cosign a log's heads (c2sp.org/tlog-witness
 * add-checkpoint, the client side).
 *
 * One wclient per served log. For each head the log adopts, the caller
 * gives the head's checkpoint (the signed note, log signature included);
 * the wclient sends add-checkpoint to every target with the old size it
 * believes that witness cosigned last and a consistency proof from there,
 * and reports each cosignature it verified. A target is a witness of the
 * log's "witness:" lines (reached by HTTP POST) or ctdnsd's own cosigner
 * (reached by a function call to the very same add-checkpoint logic, so
 * that both obey one state: witness.h).
 *
 * The answers (tlog-witness):
 *   200  cosignature lines: the target's cosignature/v1 line is checked
 *        with its key against the checkpoint before it is reported
 *        (on_cosig), with the other lines under the target's name that
 *        cannot be checked here (ML-DSA-44), relayed untouched; lines of
 *        other names are ignored.
 *   409  the witness cosigned another size: learn it and send again with
 *        a proof from that size (at most WCLIENT_MAX_TRIES times a round);
 *        a size above the head means the witness is ahead of us (it saw a
 *        larger head of this log): reported, not retried.
 *   422  the witness holds a head our checkpoint is not consistent with:
 *        its latest checkpoint is fetched from its monitoring endpoint
 *        (GET <url><hex SHA-256(origin)>/checkpoint) and handed over as
 *        evidence (on_refused), for the caller to check and raise the
 *        alarm.
 *   403, 404, 400, others: reported (on_refused), not retried this round.
 *   timeouts, network errors, 5xx: retried by the next wclient_cosign()
 *        call for the same head (the caller calls it at each poll while
 *        the head lacks its quorum).
 *
 * Everything runs on one loop's thread (the main loop). The requests go
 * through the injected post/get functions: the log's witness fetch pool
 * in the daemon (its caps and bounded queue), a fake in the tests.
 */
#ifndef CTD_WCLIENT_H
#define CTD_WCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "merkle.h"
#include "note.h"

struct wclient;

/* 409 answers followed in one round, per target. */
#define WCLIENT_MAX_TRIES 3
/* Most targets of one log: its witnesses and ctdnsd's own cosigner. */
#define WCLIENT_MAX_TARGETS 17
/* Most bytes of one witness's lines kept per head: its cosignature/v1
 * line and, relayed untouched, two ML-DSA-44 lines (3.3 KB each). */
#define WCLIENT_KEEP_MAX 8192
/* Largest add-checkpoint body built: the note and 63 proof lines. */
#define WCLIENT_BODY_MAX (NOTE_MAX + 64 * 46)

/* A consistency proof's result: the hashes, count of them; borrowed. */
typedef void (*wclient_proof_cb)(void *arg, int status,
    const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t count);

/* The answer of ctdnsd's own cosigner: an HTTP status and its body. */
struct wclient_reply {
	unsigned status;
	char body[4096];
	size_t body_len;
};

struct wclient_env {
	const char *name;		/* the log's name, for messages */
	const char *origin;		/* the checkpoint origin */
	/* The consistency proof from size m to n of the log's verified
	 * tree: cb called once, maybe from inside the call. */
	int (*prove)(void *arg, uint64_t m, uint64_t n, wclient_proof_cb cb,
	    void *cb_arg);
	/* Requests to witnesses: fetch_post() and fetch_get() on the log's
	 * witness pool; the same contracts. */
	int (*post)(void *arg, const char *url, const uint8_t *body,
	    size_t len, fetch_cb cb, void *cb_arg);
	int (*get)(void *arg, const char *url, fetch_cb cb, void *cb_arg);
	void *io_arg;
	/* ctdnsd's own cosigner (witness_add_checkpoint), or NULL. */
	void (*local)(void *arg, const char *req, size_t len,
	    struct wclient_reply *out);
	void *local_arg;
	const struct note_vkey *local_vkey;	/* its key, with local */
	/* A verified cosignature line ("— name base64\n") by key (one of
	 * the keys given, or local_vkey) for the head of that size and
	 * root, first in lines, then the key's relayed lines, if any. */
	void (*on_cosig)(void *arg, const struct note_vkey *key, uint64_t size,
	    const uint8_t root[MERKLE_HASH_LEN], const char *lines, size_t len);
	/* A witness refused the head of that size: its HTTP status (0 when
	 * none came), and with 422 (or a 409 from a witness ahead) its
	 * latest checkpoint note when it could be fetched (NULL otherwise). */
	void (*on_refused)(void *arg, const char *witness, uint64_t size,
	    unsigned status, const char *evidence, size_t evidence_len);
	void *cb_arg;
};

/* The counters of one wclient. */
struct wclient_stats {
	uint64_t requests;	/* add-checkpoint sent (or called) */
	uint64_t cosigned;	/* cosignatures verified and reported */
	uint64_t bad_cosigs;	/* 200 answers without a valid line */
	uint64_t conflicts;	/* 409 retries */
	uint64_t refused;	/* 4xx answers other than 409 */
	uint64_t failed;	/* timeouts, network errors, 5xx */
};

/*
 * A wclient for one log and its targets.
 * @param env: copied; what it points to is borrowed.
 * @param witnesses: count keys with their submission prefixes (ending
 *	in '/'), borrowed for the wclient's life.
 * @return: the wclient, or NULL (no memory, too many targets).
 */
struct wclient *wclient_new(const struct wclient_env *env,
    const struct note_vkey *const *keys, const char *const *urls,
    size_t count);

/* Drop every round (late answers are ignored) and free. NULL: no-op.
 * The witness pool must be closed first (its callbacks then ran). */
void wclient_free(struct wclient *wc);

/*
 * Ask every target that has not cosigned this head, and is not waiting
 * for an answer or refused it, to cosign it. A new head (another size or
 * root) starts a new round; answers for an older one are then ignored.
 * @param note: the head's checkpoint, log signature included; copied.
 * @return: CTD_OK, CTD_EINVAL (a note too large), CTD_ENOMEM.
 */
int wclient_cosign(struct wclient *wc, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], const char *note, size_t len);

/*
 * The lines of a note to keep for a witness: its cosignature/v1 line,
 * which must verify, then the other lines under its name that cannot be
 * checked here (ML-DSA-44 cosignatures need OpenSSL 3.5), relayed
 * untouched as far as room allows (served, never counted toward a
 * quorum).
 * @param out: room for cap bytes (WCLIENT_KEEP_MAX); the lines, no NUL.
 * @return: false when no line of the key verifies.
 */
bool wclient_lines_to_keep(const struct note *n, const struct note_vkey *key,
    char *out, size_t cap, size_t *len);

/* The counters. */
void wclient_get_stats(const struct wclient *wc, struct wclient_stats *out);

#endif /* CTD_WCLIENT_H */
