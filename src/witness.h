/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * witness.h -- ctdnsd as a transparency log witness (c2sp.org/tlog-witness)
 * and cosigner (c2sp.org/tlog-cosignature, cosignature/v1): one Ed25519
 * key and one persisted state per origin.
 *
 * A witness cosigns a checkpoint of a log it trusts only when it is
 * consistent with the latest checkpoint it cosigned for that origin, and
 * then records it: a cosignature/v1 line states the largest consistent
 * head its signer saw, so the witness never cosigns a size below the one
 * it holds, nor another root at the same size. Both of ctdnsd's paths go
 * through witness_add_checkpoint(): the POST /add-checkpoint of other
 * parties (witness_http.h) and the cosigning of ctdnsd's own adopted
 * heads. There is no second state to keep in step.
 *
 * The trusted logs: origin -> the log's key (a copy, logkey_dup()). A
 * checkpoint is verified with note_open_rfc6962(): the log's
 * RFC6962NoteSignature line (static-ct-api; an RFC 6962 log's STH is
 * turned into such a note, see docs/witness.md).
 *
 * Atomicity (the race of tlog-witness, "add-checkpoint"): the check and
 * the write happen in one LMDB write transaction, begun on the calling
 * thread, that reads the origin's state, checks the request, signs, writes
 * and commits before the reply is made. LMDB's write lock orders it with
 * the store's writer thread and any other writer: the call may block for
 * one group commit of the writer. The witness's mutex is held for the
 * whole call, so the HTTP thread and the main loop never interleave.
 *
 * Threading: every function may be called from any thread, except
 * witness_new() and witness_free(). Never logs: the caller logs (never a
 * client address).
 */
#ifndef CTD_WITNESS_H
#define CTD_WITNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "note.h"

struct logkey;
struct store;
struct witness;

/* Consistency proof lines a request may carry (tlog-witness). */
#define WITNESS_MAX_PROOF 63
/* Room for a reply body: one cosignature line, or a short message. */
#define WITNESS_REPLY_MAX (NOTE_LINE_MAX + 64)
/* Room for an add-checkpoint body: the old size line, the proof, the
 * blank line and the largest note. A larger body is refused unread. */
#define WITNESS_REQUEST_MAX (NOTE_MAX + 32 + WITNESS_MAX_PROOF * 45 + 1)
/* Room for a stored cosigned checkpoint (the note and one more line). */
#define WITNESS_CHECKPOINT_MAX (NOTE_MAX + NOTE_LINE_MAX)

/* A parsed add-checkpoint body; pointers into the request. */
struct witness_req {
	uint64_t old_size;
	size_t proof_count;
	uint8_t proof[WITNESS_MAX_PROOF * MERKLE_HASH_LEN];
	const char *note;	/* the checkpoint note (borrowed) */
	size_t note_len;
	struct note parsed;	/* note_parse() of it */
	struct checkpoint cp;	/* note_parse_checkpoint() of its text */
};

/* The HTTP answer to one request. */
struct witness_reply {
	unsigned status;		/* 200, 400, 403, 404, 409, 422, 500 */
	const char *content_type;	/* static string */
	char body[WITNESS_REPLY_MAX];
	size_t body_len;
};

/*
 * Parse an add-checkpoint request body: "old <size>\n" (canonical
 * decimal), at most WITNESS_MAX_PROOF lines of canonical base64 of 32
 * bytes, an empty line, then a checkpoint note. Pure.
 * @param req: len bytes, not NUL-terminated.
 * @param out: filled; points into req.
 * @return: CTD_OK; CTD_EMALF for anything malformed (the note or its
 *	checkpoint included); CTD_ERANGE for more than WITNESS_MAX_PROOF
 *	proof lines.
 */
int witness_req_parse(const char *req, size_t len, struct witness_req *out);

/*
 * The origin hash of the monitoring URL: lowercase hex SHA-256(origin).
 * @param hex: receives 64 digits and a NUL.
 */
void witness_origin_hex(const char *origin, size_t origin_len,
    char hex[65]);

/*
 * Create the cosigner.
 * @param s: the store holding the state; borrowed, must outlive it.
 * @param name: the key name (note_name_valid()); copied.
 * @param seed: the Ed25519 private key (RFC 8032 seed); copied.
 * @param out: set on CTD_OK; caller frees with witness_free().
 * @return: CTD_OK; CTD_EINVAL for a bad name; CTD_ENOMEM.
 */
int witness_new(struct store *s, const char *name,
    const uint8_t seed[NOTE_ED25519_LEN], struct witness **out);

/* Free the witness, its key copy and table. NULL is a no-op. No other
 * thread may use it any more. */
void witness_free(struct witness *w);

/*
 * The cosigner's verifier key (type NOTE_TYPE_COSIG_V1).
 * @return: borrowed; valid until witness_free().
 */
const struct note_vkey *witness_vkey(const struct witness *w);

/*
 * Trust a log: its checkpoints with this origin are verified with key.
 * Replaces the key of an origin already trusted.
 * @param origin: NUL-terminated, non-empty; copied.
 * @param key: copied (logkey_dup()); the caller keeps its own.
 * @return: CTD_OK; CTD_EINVAL for an empty origin; CTD_ENOMEM.
 */
int witness_trust(struct witness *w, const char *origin,
    const struct logkey *key);

/* Stop trusting an origin (its stored state is kept). Unknown: no-op. */
void witness_untrust(struct witness *w, const char *origin);

/* Stop trusting every origin of the log with this ID (a log removed by a
 * reload, whatever origins it had). */
void witness_untrust_log(struct witness *w, const uint8_t log_id[32]);

/* true when origin is trusted. */
bool witness_trusted(struct witness *w, const char *origin);

/*
 * The whole tlog-witness add-checkpoint logic: parse (400), origin
 * trusted (404), log signature (403), old size <= checkpoint size (400),
 * old size = stored size (409, body "<stored size>\n" of type
 * text/x.tlog.size), size 0 with the empty root, an empty proof from
 * size 0, a proof that verifies, the same root at the same size (422);
 * then cosign at now_s, persist and reply 200 with the cosignature line.
 * Nothing is persisted unless the reply is 200. A store failure is 500.
 * May block for one group commit of the store's writer (see above).
 * @param req: len bytes, the request body; borrowed.
 * @param now_s: the signing time, seconds since the epoch; 0 is refused
 *	(500), a cosignature never carries time 0.
 * @param out: the reply.
 */
void witness_add_checkpoint(struct witness *w, const char *req, size_t len,
    uint64_t now_s, struct witness_reply *out);

/*
 * The latest size and root cosigned for an origin.
 * @return: CTD_OK; CTD_ENOTFOUND when never cosigned; CTD_EBUSY,
 *	CTD_ESTORE as store_get_witness().
 */
int witness_latest(struct witness *w, const char *origin, uint64_t *size,
    uint8_t root[MERKLE_HASH_LEN]);

/*
 * The latest cosigned checkpoint of an origin, as the monitoring
 * endpoint serves it: the note with the log's signature and this
 * witness's cosignature.
 * @param origin_hash_hex: 64 lowercase hex digits, NUL-terminated (from
 *	the URL: anything else is CTD_ENOTFOUND).
 * @param out: room for cap bytes (WITNESS_CHECKPOINT_MAX suffices); not
 *	NUL-terminated.
 * @return: CTD_OK with *len set; CTD_ENOTFOUND; CTD_ESPACE; CTD_EBUSY;
 *	CTD_ESTORE.
 */
int witness_checkpoint(struct witness *w, const char *origin_hash_hex,
    char *out, size_t cap, size_t *len);

/* The HTTP statuses counted for ctdnsd_witness_requests_total (metrics). */
#define WITNESS_CODE_COUNT 10
extern const unsigned witness_codes[WITNESS_CODE_COUNT];

/*
 * Count one HTTP request answered with status (witness_http.c); a status
 * not in witness_codes is counted as 500. Lock-free (relaxed atomics).
 */
void witness_count(struct witness *w, unsigned status);

/* Read the counters, in the order of witness_codes (relaxed atomics:
 * each exact, the set a snapshot). */
void witness_counts(const struct witness *w,
    uint64_t out[WITNESS_CODE_COUNT]);

#endif /* CTD_WITNESS_H */
