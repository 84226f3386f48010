/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wclient.c -- ask witnesses to cosign a log's heads (see wclient.h).
 *
 * Each target runs a small state machine per round (one round per head):
 * IDLE -> PROVING (a consistency proof from the size it last cosigned) ->
 * SENT -> DONE (cosigned), REFUSED (a 4xx: not asked again this round) or
 * FAILED (no answer: asked again at the next wclient_cosign() call). A
 * request carries the round's number; an answer for an older round is
 * dropped. The wclient is freed only once no request is out, so a late
 * callback never touches freed memory.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "log.h"
#include "num.h"
#include "wclient.h"
#include "witness.h"

enum target_state {
	T_IDLE, T_PROVING, T_SENT, T_DONE, T_REFUSED, T_FAILED
};

struct target {
	struct wclient *wc;
	const struct note_vkey *key;
	const char *url;		/* NULL: ctdnsd's own cosigner */
	bool known;			/* known_size is what it cosigned */
	uint64_t known_size;
	enum target_state st;
	unsigned tries;			/* 409s followed this round */
	uint64_t old;			/* old size of the request out */
};

/* One request out: a proof, a POST or an evidence GET. */
struct wreq {
	struct target *t;
	uint64_t round;
	unsigned status;		/* evidence GET: the refusal's */
};

struct wclient {
	struct wclient_env env;
	struct target targets[WCLIENT_MAX_TARGETS];
	size_t ntargets;
	/* The head of the current round. */
	uint64_t round;
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	char *note;
	size_t note_len;
	unsigned out;			/* requests not yet answered */
	bool closing;
	struct wclient_stats stats;
};

static void target_send(struct target *t);

static void
wclient_release(struct wclient *wc)
{
	free(wc->note);
	free(wc);
}

static struct wreq *
req_new(struct target *t, unsigned status)
{
	struct wreq *r = malloc(sizeof *r);
	if (r != NULL) {
		*r = (struct wreq){ t, t->wc->round, status };
		t->wc->out++;
	}
	return r;
}

/* Free a request; whether its answer still matters (its round is the
 * current one and the wclient lives). May free the wclient. */
static bool
req_end(struct wreq *r)
{
	struct wclient *wc = r->t->wc;
	bool live = !wc->closing && r->round == wc->round;
	free(r);
	if (--wc->out == 0 && wc->closing) {
		wclient_release(wc);
	}
	return live;
}

static const char *
target_name(const struct target *t)
{
	return t->key->name;
}

/* ---- the answers ---------------------------------------------------------- */

/* The line of key in a note that verifies, rebuilt; false if none. */
/* Append a note's signature line i to out; false when it does not fit. */
static bool
append_line(const struct note_sig *s, char *out, size_t cap, size_t *len)
{
	int w = snprintf(out + *len, cap - *len, "\xe2\x80\x94 %.*s %.*s\n",
	    (int)s->name_len, s->name, (int)s->b64_len, s->b64);
	if (w < 0 || (size_t)w >= cap - *len) {
		out[*len] = '\0';
		return false;
	}
	*len += (size_t)w;
	return true;
}

bool
wclient_lines_to_keep(const struct note *n, const struct note_vkey *key,
    char *out, size_t cap, size_t *len)
{
	*len = 0;
	if (note_cosig_verify(n, key, NULL) != CTD_OK) {
		return false;
	}
	bool found = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n->nsigs; i++) {
			const struct note_sig *s = &n->sigs[i];
			bool mine = s->name_len == key->name_len &&
			    memcmp(s->name, key->name, s->name_len) == 0;
			bool verified = mine && s->key_id == key->key_id;
			if (pass == 0 && verified && !found) {
				found = append_line(s, out, cap, len);
			} else if (pass == 1 && mine && !verified) {
				(void)append_line(s, out, cap, len);
			}
		}
	}
	return found;
}

/* A 200: the checkpoint with the returned lines must verify by the
 * target's key. */
static void
on_cosigned(struct target *t, const char *body, size_t len)
{
	struct wclient *wc = t->wc;
	char *joined = malloc(wc->note_len + len);
	struct note *n = malloc(sizeof *n);
	char *lines = malloc(WCLIENT_KEEP_MAX);
	size_t lines_len = 0;
	bool good = false;
	if (joined != NULL && n != NULL && lines != NULL) {
		memcpy(joined, wc->note, wc->note_len);
		memcpy(joined + wc->note_len, body, len);
		good = note_parse(joined, wc->note_len + len, n) == CTD_OK &&
		    wclient_lines_to_keep(n, t->key, lines,
		    WCLIENT_KEEP_MAX, &lines_len);
	}
	free(n);
	free(joined);
	if (!good) {
		free(lines);
		wc->stats.bad_cosigs++;
		t->st = T_FAILED;
		log_warn("log %s: witness %s answered add-checkpoint for size "
		    "%" PRIu64 " without a valid cosignature", wc->env.name,
		    target_name(t), wc->size);
		return;
	}
	t->st = T_DONE;
	t->known = true;
	t->known_size = wc->size;
	wc->stats.cosigned++;
	wc->env.on_cosig(wc->env.cb_arg, t->key, wc->size, wc->root, lines,
	    lines_len);
	free(lines);
}

/* Ask a witness for its latest checkpoint, the evidence of a refusal. */
static void fetch_evidence(struct target *t, unsigned status);

/* A 409: the size the witness last cosigned. */
static void
on_conflict(struct target *t, const char *body, size_t len)
{
	struct wclient *wc = t->wc;
	uint64_t theirs = 0;
	size_t digits = len > 0 && body[len - 1] == '\n' ? len - 1 : len;
	wc->stats.conflicts++;
	if (num_parse_u64(body, digits, 0, &theirs) != CTD_OK) {
		t->st = T_REFUSED;
		log_warn("log %s: witness %s answered 409 without a size",
		    wc->env.name, target_name(t));
		return;
	}
	if (theirs > wc->size) {
		/* It cosigned a larger head of this log than ours. */
		t->st = T_REFUSED;
		t->known = true;
		t->known_size = theirs;
		fetch_evidence(t, 409);
		return;
	}
	if (++t->tries > WCLIENT_MAX_TRIES || (t->known &&
	    t->known_size == theirs && t->old == theirs)) {
		t->st = T_REFUSED;
		log_warn("log %s: witness %s keeps answering 409 (size %"
		    PRIu64 ")", wc->env.name, target_name(t), theirs);
		return;
	}
	t->known = true;
	t->known_size = theirs;
	t->st = T_IDLE;
	target_send(t);
}

static void
handle_answer(struct target *t, int status, unsigned code, const char *body,
    size_t len)
{
	struct wclient *wc = t->wc;
	if (status == CTD_OK && code == 200) {
		on_cosigned(t, body, len);
	} else if (code == 409) {
		on_conflict(t, body != NULL ? body : "", len);
	} else if (code >= 400 && code < 500) {
		wc->stats.refused++;
		t->st = T_REFUSED;
		if (code == 422) {
			fetch_evidence(t, code);
		} else {
			wc->env.on_refused(wc->env.cb_arg, target_name(t),
			    wc->size, code, NULL, 0);
		}
	} else {
		wc->stats.failed++;
		t->st = T_FAILED;
		log_info("log %s: witness %s: add-checkpoint for size %" PRIu64
		    " failed (%s, HTTP %u); asked again at the next poll",
		    wc->env.name, target_name(t), wc->size,
		    ctd_strerror(status), code);
	}
}

static void
on_post_done(void *arg, int status, long http_code, const uint8_t *body,
    size_t body_len)
{
	struct wreq *r = arg;
	struct target *t = r->t;
	if (!req_end(r)) {
		return;
	}
	handle_answer(t, status, (unsigned)http_code, (const char *)body,
	    body != NULL ? body_len : 0);
}

static void
on_evidence(void *arg, int status, long http_code, const uint8_t *body,
    size_t body_len)
{
	struct wreq *r = arg;
	struct target *t = r->t;
	unsigned refusal = r->status;
	if (!req_end(r)) {
		return;
	}
	(void)http_code;
	struct wclient *wc = t->wc;
	bool have = status == CTD_OK && body != NULL;
	wc->env.on_refused(wc->env.cb_arg, target_name(t), wc->size, refusal,
	    have ? (const char *)body : NULL, have ? body_len : 0);
}

static void
fetch_evidence(struct target *t, unsigned status)
{
	struct wclient *wc = t->wc;
	char hex[65], url[FETCH_URL_MAX];
	struct wreq *r = NULL;
	witness_origin_hex(wc->env.origin, strlen(wc->env.origin), hex);
	int n = t->url != NULL ? snprintf(url, sizeof url, "%s%s/checkpoint",
	    t->url, hex) : -1;
	if (n > 0 && (size_t)n < sizeof url &&
	    (r = req_new(t, status)) != NULL) {
		if (wc->env.get(wc->env.io_arg, url, on_evidence, r) ==
		    CTD_OK) {
			return;
		}
		req_end(r);
	}
	wc->env.on_refused(wc->env.cb_arg, target_name(t), wc->size, status,
	    NULL, 0);
}

/* ---- the requests --------------------------------------------------------- */

/* "old N\n", the proof lines, "\n", the checkpoint. */
static char *
build_body(const struct wclient *wc, uint64_t old,
    const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t count, size_t *len)
{
	size_t cap = 32 + count * 46 + wc->note_len;
	char *b = malloc(cap);
	if (b == NULL) {
		return NULL;
	}
	size_t n = (size_t)snprintf(b, cap, "old %" PRIu64 "\n", old);
	for (size_t i = 0; i < count; i++) {
		size_t w = 0;
		if (base64_encode(hashes[i], MERKLE_HASH_LEN, b + n, cap - n,
		    &w) != CTD_OK) {
			free(b);
			return NULL;
		}
		n += w;
		b[n++] = '\n';
	}
	b[n++] = '\n';
	memcpy(b + n, wc->note, wc->note_len);
	*len = n + wc->note_len;
	return b;
}

static void
send_body(struct target *t, uint64_t old,
    const uint8_t (*hashes)[MERKLE_HASH_LEN], size_t count)
{
	struct wclient *wc = t->wc;
	size_t len = 0;
	char *body = build_body(wc, old, hashes, count, &len);
	if (body == NULL) {
		t->st = T_FAILED;
		return;
	}
	wc->stats.requests++;
	t->old = old;
	t->st = T_SENT;
	if (t->url == NULL) {
		struct wclient_reply *rep = malloc(sizeof *rep);
		if (rep == NULL) {
			t->st = T_FAILED;
		} else {
			wc->env.local(wc->env.local_arg, body, len, rep);
			handle_answer(t, rep->status == 200 ? CTD_OK :
			    CTD_EUPSTREAM, rep->status, rep->body,
			    rep->body_len);
			free(rep);
		}
		free(body);
		return;
	}
	char url[FETCH_URL_MAX];
	struct wreq *r = NULL;
	int rc = CTD_ENOMEM;
	if ((size_t)snprintf(url, sizeof url, "%sadd-checkpoint", t->url) <
	    sizeof url && (r = req_new(t, 0)) != NULL) {
		rc = wc->env.post(wc->env.io_arg, url, (const uint8_t *)body,
		    len, on_post_done, r);
		if (rc != CTD_OK) {
			req_end(r);
		}
	}
	free(body);
	if (rc != CTD_OK) {
		wc->stats.failed++;
		t->st = T_FAILED;
	}
}

static void
on_proof(void *arg, int status, const uint8_t (*hashes)[MERKLE_HASH_LEN],
    size_t count)
{
	struct wreq *r = arg;
	struct target *t = r->t;
	if (!req_end(r)) {
		return;
	}
	if (status != CTD_OK) {
		t->st = T_FAILED;
		log_info("log %s: no consistency proof %" PRIu64 " -> %" PRIu64
		    " for witness %s: %s", t->wc->env.name, t->known_size,
		    t->wc->size, target_name(t), ctd_strerror(status));
		return;
	}
	send_body(t, t->known_size, hashes, count);
}

static void
target_send(struct target *t)
{
	struct wclient *wc = t->wc;
	uint64_t old = t->known ? t->known_size : 0;
	if (old > wc->size) {
		t->st = T_REFUSED;	/* it is ahead of us: see on_conflict */
		return;
	}
	if (old == 0 || old == wc->size) {
		send_body(t, old, NULL, 0);
		return;
	}
	struct wreq *r = req_new(t, 0);
	if (r == NULL) {
		t->st = T_FAILED;
		return;
	}
	t->st = T_PROVING;
	if (wc->env.prove(wc->env.io_arg, old, wc->size, on_proof, r) !=
	    CTD_OK && t->st == T_PROVING) {
		t->st = T_FAILED;
		req_end(r);
	}
}

/* ---- the API -------------------------------------------------------------- */

struct wclient *
wclient_new(const struct wclient_env *env, const struct note_vkey *const *keys,
    const char *const *urls, size_t count)
{
	size_t local = env->local != NULL ? 1 : 0;
	if (count + local > WCLIENT_MAX_TARGETS) {
		return NULL;
	}
	struct wclient *wc = calloc(1, sizeof *wc);
	if (wc == NULL) {
		return NULL;
	}
	wc->env = *env;
	for (size_t i = 0; i < count; i++) {
		wc->targets[i] = (struct target){ .wc = wc, .key = keys[i],
			.url = urls[i] };
	}
	if (local) {
		wc->targets[count] = (struct target){ .wc = wc,
			.key = env->local_vkey };
	}
	wc->ntargets = count + local;
	return wc;
}

void
wclient_free(struct wclient *wc)
{
	if (wc == NULL) {
		return;
	}
	wc->closing = true;
	if (wc->out == 0) {
		wclient_release(wc);
	}
}

int
wclient_cosign(struct wclient *wc, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], const char *note, size_t len)
{
	if (len == 0 || len > NOTE_MAX) {
		return CTD_EINVAL;
	}
	bool same = wc->note != NULL && wc->size == size &&
	    memcmp(wc->root, root, MERKLE_HASH_LEN) == 0;
	if (!same) {
		char *copy = malloc(len);
		if (copy == NULL) {
			return CTD_ENOMEM;
		}
		memcpy(copy, note, len);
		free(wc->note);
		wc->note = copy;
		wc->note_len = len;
		wc->size = size;
		memcpy(wc->root, root, MERKLE_HASH_LEN);
		wc->round++;
		for (size_t i = 0; i < wc->ntargets; i++) {
			wc->targets[i].st = T_IDLE;
			wc->targets[i].tries = 0;
		}
	}
	for (size_t i = 0; i < wc->ntargets; i++) {
		struct target *t = &wc->targets[i];
		if (t->st == T_IDLE || t->st == T_FAILED) {
			target_send(t);
		}
	}
	return CTD_OK;
}

void
wclient_get_stats(const struct wclient *wc, struct wclient_stats *out)
{
	*out = wc->stats;
}
