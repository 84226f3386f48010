/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * witness.c -- the cosigner: one Ed25519 key, the trusted logs, and the
 * add-checkpoint check-and-persist of c2sp.org/tlog-witness (witness.h).
 *
 * witness_add_checkpoint() is a sequence of steps, each turning one rule
 * of the spec into a status: parse, find the origin, verify the log's
 * signature, then, inside one write transaction, compare with the stored
 * state, check the proof, cosign and write. The transaction commits
 * before the reply says 200; any other reply aborts it, so a refused
 * request leaves nothing behind.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "logkey.h"
#include "note.h"
#include "sth.h"
#include "store.h"
#include "witness.h"

struct trusted {
	char *origin;
	struct logkey *key;	/* owned copy */
};

struct witness {
	struct store *store;
	struct note_vkey vkey;
	uint8_t seed[NOTE_ED25519_LEN];
	pthread_mutex_t lock;	/* the table and every add-checkpoint */
	struct trusted *logs;
	size_t count;
	uint64_t requests[WITNESS_CODE_COUNT];	/* atomic */
};

const unsigned witness_codes[WITNESS_CODE_COUNT] = {
	200, 400, 403, 404, 405, 409, 413, 422, 500, 503,
};

/* RFC 6962 §2.1: the root of the empty tree, SHA-256(""). */
static const uint8_t empty_root[MERKLE_HASH_LEN] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
	0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
	0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

static const char type_text[] = "text/plain; charset=utf-8";
static const char type_size[] = "text/x.tlog.size";

void
witness_origin_hex(const char *origin, size_t origin_len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t h[MERKLE_HASH_LEN];
	unsigned n = 0;
	if (EVP_Digest(origin, origin_len, h, &n, EVP_sha256(), NULL) != 1) {
		memset(h, 0, sizeof h);
	}
	for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
		hex[2 * i] = digits[h[i] >> 4];
		hex[2 * i + 1] = digits[h[i] & 0xf];
	}
	hex[64] = '\0';
}

int
witness_new(struct store *s, const char *name,
    const uint8_t seed[NOTE_ED25519_LEN], struct witness **out)
{
	struct witness *w = calloc(1, sizeof *w);
	if (w == NULL) {
		return CTD_ENOMEM;
	}
	int rc = note_vkey_from_seed(name, strlen(name), NOTE_TYPE_COSIG_V1,
	    seed, &w->vkey);
	if (rc != CTD_OK) {
		free(w);
		return rc;
	}
	w->store = s;
	memcpy(w->seed, seed, NOTE_ED25519_LEN);
	pthread_mutex_init(&w->lock, NULL);
	*out = w;
	return CTD_OK;
}

void
witness_free(struct witness *w)
{
	if (w == NULL) {
		return;
	}
	for (size_t i = 0; i < w->count; i++) {
		free(w->logs[i].origin);
		logkey_free(w->logs[i].key);
	}
	free(w->logs);
	pthread_mutex_destroy(&w->lock);
	OPENSSL_cleanse(w->seed, sizeof w->seed);
	free(w);
}

const struct note_vkey *
witness_vkey(const struct witness *w)
{
	return &w->vkey;
}

/* The entry of an origin, or NULL. Under lock. */
static struct trusted *
find(struct witness *w, const char *origin, size_t len)
{
	for (size_t i = 0; i < w->count; i++) {
		if (strlen(w->logs[i].origin) == len &&
		    memcmp(w->logs[i].origin, origin, len) == 0) {
			return &w->logs[i];
		}
	}
	return NULL;
}

int
witness_trust(struct witness *w, const char *origin,
    const struct logkey *key)
{
	if (origin == NULL || origin[0] == '\0' || key == NULL) {
		return CTD_EINVAL;
	}
	struct logkey *copy = logkey_dup(key);
	if (copy == NULL) {
		return CTD_ENOMEM;
	}
	int rc = CTD_OK;
	pthread_mutex_lock(&w->lock);
	struct trusted *t = find(w, origin, strlen(origin));
	if (t != NULL) {
		logkey_free(t->key);
		t->key = copy;
		goto out;
	}
	struct trusted *n = realloc(w->logs, (w->count + 1) * sizeof *n);
	char *o = strdup(origin);
	if (n != NULL) {
		w->logs = n;
	}
	if (n == NULL || o == NULL) {
		free(o);
		logkey_free(copy);
		rc = CTD_ENOMEM;
		goto out;
	}
	w->logs[w->count++] = (struct trusted){ .origin = o, .key = copy };
out:
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void
witness_untrust(struct witness *w, const char *origin)
{
	pthread_mutex_lock(&w->lock);
	struct trusted *t = find(w, origin, strlen(origin));
	if (t != NULL) {
		free(t->origin);
		logkey_free(t->key);
		*t = w->logs[--w->count];
	}
	pthread_mutex_unlock(&w->lock);
}

void
witness_untrust_log(struct witness *w, const uint8_t log_id[32])
{
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->count;) {
		struct trusted *t = &w->logs[i];
		if (memcmp(logkey_id(t->key), log_id, MERKLE_HASH_LEN) != 0) {
			i++;
			continue;
		}
		free(t->origin);
		logkey_free(t->key);
		*t = w->logs[--w->count];
	}
	pthread_mutex_unlock(&w->lock);
}

void
witness_count(struct witness *w, unsigned status)
{
	size_t k = 8;	/* 500 */
	for (size_t i = 0; i < WITNESS_CODE_COUNT; i++) {
		if (witness_codes[i] == status) {
			k = i;
		}
	}
	__atomic_fetch_add(&w->requests[k], 1, __ATOMIC_RELAXED);
}

void
witness_counts(const struct witness *w, uint64_t out[WITNESS_CODE_COUNT])
{
	for (size_t i = 0; i < WITNESS_CODE_COUNT; i++) {
		out[i] = __atomic_load_n(&w->requests[i], __ATOMIC_RELAXED);
	}
}

bool
witness_trusted(struct witness *w, const char *origin)
{
	pthread_mutex_lock(&w->lock);
	bool found = find(w, origin, strlen(origin)) != NULL;
	pthread_mutex_unlock(&w->lock);
	return found;
}

/* Set a reply with a text body. */
static void
reply(struct witness_reply *out, unsigned status, const char *type,
    const char *body)
{
	out->status = status;
	out->content_type = type;
	out->body_len = (size_t)snprintf(out->body, sizeof out->body, "%s",
	    body);
}

/*
 * The note as it is kept: the text, the blank line, the log's own
 * signature lines (those with its name and key ID) and the cosignature.
 * @return: the length, or 0 when it does not fit.
 */
static size_t
cosigned_note(const struct witness_req *req, const struct trusted *t,
    const char *line, size_t line_len, char *out, size_t cap)
{
	uint32_t id = note_key_id(t->origin, strlen(t->origin),
	    NOTE_TYPE_RFC6962, logkey_id(t->key), MERKLE_HASH_LEN);
	size_t n = req->parsed.text_len;
	if (n + 1 > cap) {
		return 0;
	}
	memcpy(out, req->parsed.text, n);
	out[n++] = '\n';
	for (size_t i = 0; i < req->parsed.nsigs; i++) {
		const struct note_sig *s = &req->parsed.sigs[i];
		if (s->key_id != id || s->name_len != strlen(t->origin) ||
		    memcmp(s->name, t->origin, s->name_len) != 0) {
			continue;
		}
		int k = snprintf(out + n, cap - n, "\xe2\x80\x94 %.*s %.*s\n",
		    (int)s->name_len, s->name, (int)s->b64_len, s->b64);
		if (k < 0 || (size_t)k >= cap - n) {
			return 0;
		}
		n += (size_t)k;
	}
	if (line_len > cap - n) {
		return 0;
	}
	memcpy(out + n, line, line_len);
	return n + line_len;
}

/* The 422 rules but the empty root's (checked before the signature):
 * the proof from the stored state (old_root at old). */
static bool
consistent(const struct witness_req *req, const uint8_t old_root[32])
{
	uint64_t size = req->cp.tree_size;
	if (req->old_size == 0) {
		return req->proof_count == 0;
	}
	if (req->old_size == size) {
		return req->proof_count == 0 &&
		    memcmp(old_root, req->cp.root, MERKLE_HASH_LEN) == 0;
	}
	return merkle_verify_consistency(req->old_size, size, old_root,
	    req->cp.root, req->proof, req->proof_count) == CTD_OK;
}

/* Cosign and write in t; the reply on success. */
static int
cosign(struct witness *w, const struct witness_req *req,
    const struct trusted *tr, const char *hex, uint64_t now_s,
    struct store_txn *t, struct witness_reply *out)
{
	char line[NOTE_LINE_MAX];
	size_t line_len = 0;
	int rc = note_cosig_sign(&w->vkey, w->seed, req->parsed.text,
	    req->parsed.text_len, now_s, line, sizeof line, &line_len);
	if (rc != CTD_OK) {
		return rc;
	}
	char *note = malloc(WITNESS_CHECKPOINT_MAX);
	if (note == NULL) {
		return CTD_ENOMEM;
	}
	size_t len = cosigned_note(req, tr, line, line_len, note,
	    WITNESS_CHECKPOINT_MAX);
	if (len == 0) {
		free(note);
		return CTD_ESPACE;
	}
	store_put_witness(t, hex, req->cp.tree_size, req->cp.root, note, len);
	free(note);
	if ((rc = store_txn_commit(t)) != CTD_OK) {
		return rc;
	}
	out->status = 200;
	out->content_type = type_text;
	memcpy(out->body, line, line_len);
	out->body_len = line_len;
	return CTD_OK;
}

/* The steps inside the transaction: stored state, 409, 422, cosign. */
static void
check_and_persist(struct witness *w, const struct witness_req *req,
    const struct trusted *tr, uint64_t now_s, struct witness_reply *out)
{
	char hex[65];
	struct store_txn t;
	uint64_t stored = 0;
	uint8_t root[MERKLE_HASH_LEN] = { 0 };
	witness_origin_hex(tr->origin, strlen(tr->origin), hex);
	store_txn_begin(w->store, &t);
	int rc = store_txn_get_witness(&t, hex, &stored, root);
	if (rc != CTD_OK && rc != CTD_ENOTFOUND) {
		reply(out, 500, type_text, "witness state unavailable\n");
	} else if (req->old_size != stored) {
		out->status = 409;
		out->content_type = type_size;
		out->body_len = (size_t)snprintf(out->body, sizeof out->body,
		    "%" PRIu64 "\n", stored);
	} else if (!consistent(req, root)) {
		reply(out, 422, type_text, "not consistent with the "
		    "latest cosigned checkpoint\n");
	} else if (cosign(w, req, tr, hex, now_s, &t, out) != CTD_OK) {
		reply(out, 500, type_text, "cannot cosign or persist\n");
	}
	/* After a commit this is a no-op; otherwise nothing is kept. */
	store_txn_abort(&t);
}

void
witness_add_checkpoint(struct witness *w, const char *req, size_t len,
    uint64_t now_s, struct witness_reply *out)
{
	struct witness_req *r = malloc(sizeof *r);
	struct sth sth;
	if (r == NULL || now_s == 0) {
		reply(out, 500, type_text, "internal error\n");
		free(r);
		return;
	}
	if (witness_req_parse(req, len, r) != CTD_OK) {
		reply(out, 400, type_text, "malformed request\n");
		free(r);
		return;
	}
	pthread_mutex_lock(&w->lock);
	struct trusted *tr = find(w, r->cp.origin, r->cp.origin_len);
	int rc = tr == NULL ? CTD_ENOTFOUND : note_open_rfc6962(r->note,
	    r->note_len, tr->origin, tr->key, &sth, NULL);
	if (tr == NULL) {
		reply(out, 404, type_text, "unknown origin\n");
	} else if (r->cp.tree_size == 0 &&
	    memcmp(r->cp.root, empty_root, MERKLE_HASH_LEN) != 0) {
		/* No signature can make it valid (sth_verify() refuses it
		 * too): the spec's 422, before the 403 it would get. */
		reply(out, 422, type_text, "size 0 needs the empty root\n");
	} else if (rc == CTD_ENOMEM) {
		reply(out, 500, type_text, "internal error\n");
	} else if (rc != CTD_OK) {
		reply(out, 403, type_text, "no valid signature of the log\n");
	} else if (r->old_size > r->cp.tree_size) {
		reply(out, 400, type_text, "old size above checkpoint size\n");
	} else {
		check_and_persist(w, r, tr, now_s, out);
	}
	pthread_mutex_unlock(&w->lock);
	free(r);
}

int
witness_latest(struct witness *w, const char *origin, uint64_t *size,
    uint8_t root[MERKLE_HASH_LEN])
{
	char hex[65];
	witness_origin_hex(origin, strlen(origin), hex);
	return store_get_witness(w->store, hex, size, root, NULL, 0, NULL);
}

int
witness_checkpoint(struct witness *w, const char *origin_hash_hex,
    char *out, size_t cap, size_t *len)
{
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	return store_get_witness(w->store, origin_hash_hex, &size, root, out,
	    cap, len);
}
