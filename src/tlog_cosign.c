/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlog_cosign.c -- one log's heads and their cosignatures: ctdnsd's own
 * cosigner and the log's witnesses asked for each adopted head, every
 * verified cosignature kept in the store with its head, a head served
 * only once it has its quorum, and a witness's refusal turned into the
 * evidence of a split view.
 *
 * The quorum (witness-quorum: K) counts valid cosignatures of distinct
 * keys among ctdnsd's own cosigner and the log's witnesses. With K = 0 a
 * head is served as soon as it is adopted and its cosignatures are added
 * as they come; with K > 0 the last head that had its quorum stays served
 * until a newer one has it (docs/witness.md). The head waiting for its
 * quorum is asked again at every poll, for the witnesses that did not
 * answer.
 *
 * Everything here runs on the main loop.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "fetch.h"
#include "fill.h"
#include "log.h"
#include "logkey.h"
#include "merkle.h"
#include "note.h"
#include "source_tiled.h"
#include "store.h"
#include "tlog.h"
#include "tlog_int.h"
#include "wclient.h"
#include "witness.h"
#include "writer.h"

/* ---- the head's checkpoint ------------------------------------------------ */

/* The checkpoint of a head: its text and the log's RFC6962NoteSignature
 * line (the note a witness verifies). */
static int
head_note(struct tlog *log, const struct sth *sth, char *out,
    size_t cap, size_t *len)
{
	const char *origin = tlog_origin(log);
	if (origin == NULL) {
		return CTD_ENOTFOUND;
	}
	return note_rfc6962_note(origin, strlen(origin), logkey_id(log->key),
	    sth, out, cap, len);
}

/* The keys that count toward the quorum: the witnesses', then ours. */
static size_t
quorum_keys(const struct tlog *log, const struct note_vkey **keys)
{
	size_t n = 0;
	for (size_t i = 0; i < log->conf->witness_count; i++) {
		keys[n++] = &log->conf->witnesses[i].vkey;
	}
	if (log->cosigner != NULL) {
		keys[n++] = witness_vkey(log->cosigner);
	}
	return n;
}

/* How many of the quorum's keys cosigned a head, from what the store
 * keeps for it. */
static unsigned
stored_quorum(struct tlog *log, const struct sth *sth)
{
	char *buf = malloc(NOTE_MAX);
	struct note *n = malloc(sizeof *n);
	struct store_reader r = { 0 };
	size_t len = 0, lines = 0;
	unsigned count = 0;
	int rc = buf != NULL && n != NULL ? head_note(log, sth, buf, NOTE_MAX,
	    &len) : CTD_ENOMEM;
	if (rc == CTD_OK) {
		rc = store_reader_init(log->store, &r);
	}
	if (rc == CTD_OK && (rc = store_read_begin(&r)) == CTD_OK) {
		rc = store_get_cosigs(&r, log->slog, sth->tree_size, sth->root,
		    buf + len, NOTE_MAX - len, &lines);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	if (rc == CTD_OK && note_parse(buf, len + lines, n) == CTD_OK) {
		const struct note_vkey *keys[WCLIENT_MAX_TARGETS];
		size_t nk = quorum_keys(log, keys);
		for (size_t i = 0; i < nk; i++) {
			count += note_cosig_verify(n, keys[i], NULL) == CTD_OK;
		}
	}
	free(n);
	free(buf);
	return count;
}

/* ---- serving ---------------------------------------------------------------- */

static void
serve(struct tlog *log, const struct sth *sth, bool quorum)
{
	bool grew = !log->view.has_sth ||
	    sth->tree_size != log->view.sth.tree_size;
	tlog_serve(log, sth);
	if (quorum) {
		log->wstats.served_quorum++;
	}
	if (grew) {
		log_notice("log %s: serving verified tree head, tree_size %"
		    PRIu64 "%s", log->name, sth->tree_size,
		    quorum ? " (cosigned by its quorum)" : "");
	}
}

static unsigned
popcount32(uint32_t v)
{
	unsigned n = 0;
	for (; v != 0; v &= v - 1) {
		n++;
	}
	return n;
}

/* The head has its quorum now: serve it, unless it is served already. */
static void
check_quorum(struct tlog *log)
{
	uint32_t k = log->conf->witness_quorum;
	if (k == 0 || !log->has_head ||
	    popcount32(log->head_cosigned) < k) {
		return;
	}
	if (!log->view.has_sth ||
	    log->view.sth.tree_size != log->head.tree_size ||
	    memcmp(log->view.sth.root, log->head.root, MERKLE_HASH_LEN) !=
	    0) {
		serve(log, &log->head, true);
		tlog_on_served(log);
	}
}

/*
 * The log as the writer's callbacks see it. A reload may free a log while
 * its cosignatures wait for the writer: the log then clears `log`, and
 * the last of the log and its keeps frees this.
 */
struct tlog_keeps {
	struct tlog *log;
	unsigned refs;
};

static void
keeps_unref(struct tlog_keeps *ks)
{
	if (--ks->refs == 0) {
		free(ks);
	}
}

/* A cosignature kept in the store (or not). */
struct keep {
	struct tlog_keeps *ks;
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	uint32_t bit;
};

static void
on_kept(void *arg, int status)
{
	struct keep *k = arg;
	struct tlog *log = k->ks->log;
	if (log == NULL) {
		keeps_unref(k->ks);
		free(k);
		return;
	}
	bool current = log->has_head && log->head.tree_size == k->size &&
	    memcmp(log->head.root, k->root, MERKLE_HASH_LEN) == 0;
	if (status == CTD_OK && current && !log->closing) {
		log->head_cosigned |= k->bit;
		check_quorum(log);
	} else if (status != CTD_OK && status != CTD_ECANCELED) {
		log_warn("log %s: cannot keep a cosignature: %s", log->name,
		    ctd_strerror(status));
	}
	keeps_unref(k->ks);
	free(k);
}

/* The index of a key among the quorum's keys; -1 when not there. */
static int
key_index(const struct tlog *log, const struct note_vkey *key)
{
	const struct note_vkey *keys[WCLIENT_MAX_TARGETS];
	size_t n = quorum_keys(log, keys);
	for (size_t i = 0; i < n; i++) {
		if (keys[i] == key) {
			return (int)i;
		}
	}
	return -1;
}

/* Keep lines with the head of size and root in the store; with a keep,
 * the quorum counts them once committed. */
static int
keep_lines(struct tlog *log, uint64_t size, const uint8_t *root,
    const char *lines, size_t len, struct keep *k)
{
	struct proved p;
	proved_init(&p);
	int rc = proved_set_cosig(&p, size, root, lines, len);
	if (rc == CTD_OK) {
		rc = writer_submit(log->writer, log->slog, &p,
		    k != NULL ? on_kept : NULL, k);
	}
	proved_free(&p);
	return rc;
}

static void
on_cosig(void *arg, const struct note_vkey *key, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], const char *lines, size_t len)
{
	struct tlog *log = arg;
	int idx = key_index(log, key);
	const char *nl = memchr(lines, '\n', len);
	size_t first = nl != NULL ? (size_t)(nl - lines) + 1 : len;
	struct keep *k = malloc(sizeof *k);
	log->wstats.cosignatures++;
	if (log->keeps == NULL &&
	    (log->keeps = calloc(1, sizeof *log->keeps)) != NULL) {
		*log->keeps = (struct tlog_keeps){ .log = log, .refs = 1 };
	}
	if (k == NULL || idx < 0 || log->keeps == NULL) {
		free(k);
		return;
	}
	*k = (struct keep){ .ks = log->keeps, .size = size,
		.bit = 1u << idx };
	memcpy(k->root, root, MERKLE_HASH_LEN);
	log->keeps->refs++;
	/* The verified line alone first: relayed lines that the store
	 * refuses (its bound) must not cost it. */
	if (keep_lines(log, size, root, lines, first, k) != CTD_OK) {
		keeps_unref(k->ks);
		free(k);
		log_warn("log %s: the store writer is busy: a cosignature of "
		    "%s is dropped (asked again for the next head)", log->name,
		    key->name);
		return;
	}
	if (first < len) {
		(void)keep_lines(log, size, root, lines + first, len - first,
		    NULL);
	}
}

/* ---- refusals: the evidence of a split view -------------------------------- */

/* A note on one log line: its newlines shown as "\n". */
static void
note_oneline(const char *note, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 3 < cap; i++) {
		if (note[i] == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = note[i];
		}
	}
	out[o] = '\0';
}

/* Our view's root at a size, from the store; false when not there. */
static bool
our_root(const struct tlog *log, uint64_t size, uint8_t root[32])
{
	struct store_reader r = { 0 };
	bool found = false;
	if (store_reader_init(log->store, &r) == CTD_OK &&
	    store_read_begin(&r) == CTD_OK) {
		found = store_get_range(&r, log->slog, 0, size, root) ==
		    CTD_OK;
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return found;
}

/* The log signed two heads that cannot both be of one tree. */
static void
raise_split_view(struct tlog *log, const char *witness, unsigned status,
    const char *theirs, size_t theirs_len)
{
	char ours[NOTE_RFC6962_NOTE_MAX];
	char a[2 * NOTE_RFC6962_NOTE_MAX], b[2 * NOTE_RFC6962_NOTE_MAX];
	size_t len = 0;
	if (head_note(log, &log->head, ours, sizeof ours, &len) != CTD_OK) {
		len = 0;
	}
	note_oneline(ours, len, a, sizeof a);
	note_oneline(theirs, theirs_len, b, sizeof b);
	log->alarm = true;
	log->wstats.split_views++;
	log_err("ALARM log %s: split view: witness %s refused our head (HTTP "
	    "%u) and holds a head the log signed that is not consistent with "
	    "it; ours: %s theirs: %s", log->name, witness, status, a, b);
}

static void
on_refused(void *arg, const char *witness, uint64_t size, unsigned status,
    const char *evidence, size_t len)
{
	struct tlog *log = arg;
	struct sth theirs;
	uint8_t mine[MERKLE_HASH_LEN];
	log->wstats.refusals++;
	if (evidence == NULL || !log->has_head || size != log->head.tree_size ||
	    note_open_rfc6962(evidence, len, tlog_origin(log), log->key,
	    &theirs, NULL) != CTD_OK) {
		log_warn("log %s: witness %s refused the head of size %" PRIu64
		    " (HTTP %u)%s", log->name, witness, size, status,
		    evidence != NULL ? "; its checkpoint does not verify" :
		    "");
		return;
	}
	/* Their head is the log's: it conflicts with ours if our tree has
	 * another root at its size. */
	if (theirs.tree_size <= log->head.tree_size &&
	    our_root(log, theirs.tree_size, mine) &&
	    memcmp(mine, theirs.root, MERKLE_HASH_LEN) != 0) {
		raise_split_view(log, witness, status, evidence, len);
		return;
	}
	log_warn("log %s: witness %s refused the head of size %" PRIu64
	    " (HTTP %u); it holds the log's head of size %" PRIu64
	    ", not yet checked against ours", log->name, witness, size,
	    status, theirs.tree_size);
}

/* ---- the wclient's io ----------------------------------------------------- */

/* A consistency proof between two sizes of the log's verified tree: from
 * the store, after a fill when it misses. */
struct proof_job {
	struct tlog *log;
	uint64_t m, n;
	unsigned fills;
	wclient_proof_cb cb;
	void *cb_arg;
};

static int
proof_from_store(struct proof_job *j,
    uint8_t (*hashes)[MERKLE_HASH_LEN], size_t *count)
{
	struct merkle_range ranges[MERKLE_MAX_CONSISTENCY];
	struct store_reader r = { 0 };
	*count = merkle_consistency_ranges(j->m, j->n, ranges);
	int rc = store_reader_init(j->log->store, &r);
	if (rc == CTD_OK && (rc = store_read_begin(&r)) == CTD_OK) {
		rc = *count == 0 ? CTD_OK : store_get_ranges(&r,
		    j->log->slog, ranges, *count, &hashes[0][0]);
		store_read_end(&r);
	}
	store_reader_deinit(&r);
	return rc;
}

static void proof_step(struct proof_job *j);

static void
on_proof_filled(void *arg, int status)
{
	struct proof_job *j = arg;
	if (status != CTD_OK) {
		j->cb(j->cb_arg, status, NULL, 0);
		free(j);
		return;
	}
	proof_step(j);
}

static void
proof_step(struct proof_job *j)
{
	uint8_t hashes[MERKLE_MAX_CONSISTENCY][MERKLE_HASH_LEN];
	size_t count = 0;
	int rc = proof_from_store(j, hashes, &count);
	if (rc == CTD_ENOTFOUND && j->fills < 2 && !j->log->closing) {
		uint8_t root[MERKLE_HASH_LEN];
		struct fill_need need = { .kind = FILL_CONSISTENCY, .a = j->m,
			.b = j->n };
		if (merkle_is_pow2(j->m) && !our_root(j->log, j->m, root)) {
			need = (struct fill_need){ .kind = FILL_ROOT,
				.a = j->m };
		}
		j->fills++;
		rc = fill_start(j->log->fill, &need, on_proof_filled, j);
		if (rc == CTD_OK) {
			return;
		}
	}
	j->cb(j->cb_arg, rc, rc == CTD_OK ?
	    (const uint8_t (*)[MERKLE_HASH_LEN])hashes : NULL, count);
	free(j);
}

static int
io_prove(void *arg, uint64_t m, uint64_t n, wclient_proof_cb cb,
    void *cb_arg)
{
	struct proof_job *j = malloc(sizeof *j);
	if (j == NULL) {
		return CTD_ENOMEM;
	}
	*j = (struct proof_job){ .log = arg, .m = m, .n = n, .cb = cb,
		.cb_arg = cb_arg };
	proof_step(j);
	return CTD_OK;
}

static int
io_post(void *arg, const char *url, const uint8_t *body, size_t len,
    fetch_cb cb, void *cb_arg)
{
	struct tlog *log = arg;
	if (log->wpool == NULL) {
		return CTD_ECANCELED;
	}
	return fetch_post(log->wpool, url, "add-checkpoint", body, len,
	    "text/plain; charset=utf-8", cb, cb_arg);
}

static int
io_get(void *arg, const char *url, fetch_cb cb, void *cb_arg)
{
	struct tlog *log = arg;
	if (log->wpool == NULL) {
		return CTD_ECANCELED;
	}
	return fetch_get(log->wpool, url, "witness-checkpoint", cb, cb_arg);
}

/* ctdnsd's own cosigner: the same add-checkpoint as the HTTP endpoint. */
static void
io_local(void *arg, const char *req, size_t len, struct wclient_reply *out)
{
	struct tlog *log = arg;
	struct witness_reply rep;
	witness_add_checkpoint(log->cosigner, req, len, (uint64_t)time(NULL),
	    &rep);
	out->status = rep.status;
	out->body_len = rep.body_len < sizeof out->body ? rep.body_len :
	    sizeof out->body;
	memcpy(out->body, rep.body, out->body_len);
}

/* ---- the API for tlog.c --------------------------------------------------- */

/* Whether the log asks anyone to cosign. */
static bool
cosigning(const struct tlog *log)
{
	return log->cosigner != NULL || log->conf->witness_count > 0;
}

static int
open_wclient(struct tlog *log)
{
	const struct note_vkey *keys[CONF_MAX_WITNESSES];
	const char *urls[CONF_MAX_WITNESSES];
	for (size_t i = 0; i < log->conf->witness_count; i++) {
		keys[i] = &log->conf->witnesses[i].vkey;
		urls[i] = log->conf->witnesses[i].url;
	}
	struct wclient_env env = {
		.name = log->name, .prove = io_prove, .post = io_post,
		.get = io_get, .io_arg = log, .on_cosig = on_cosig,
		.on_refused = on_refused, .cb_arg = log,
	};
	env.origin = tlog_origin(log);
	if (log->cosigner != NULL) {
		env.local = io_local;
		env.local_arg = log;
		env.local_vkey = witness_vkey(log->cosigner);
	}
	log->wclient = wclient_new(&env, keys, urls,
	    log->conf->witness_count);
	return log->wclient != NULL ? CTD_OK : CTD_ENOMEM;
}

/* A tiled log's own checkpoint may carry its witnesses' cosignatures (the
 * log asked them itself): each that verifies with a key of the log's
 * `witness:` lines counts as if that witness had answered. Once a head. */
static void
take_log_cosigs(struct tlog *log)
{
	size_t len = 0;
	const char *note = NULL;
	if (log->head_log_cosigs || log->conf->monitoring_url == NULL ||
	    (note = source_tiled_note(log->source, log->head.tree_size,
	    log->head.root, &len)) == NULL) {
		return;
	}
	log->head_log_cosigs = true;
	struct note *n = malloc(sizeof *n);
	char *lines = malloc(WCLIENT_KEEP_MAX);
	size_t lines_len = 0;
	if (n != NULL && lines != NULL && note_parse(note, len, n) == CTD_OK) {
		for (size_t i = 0; i < log->conf->witness_count; i++) {
			const struct note_vkey *k = &log->conf->witnesses[i].vkey;
			if (wclient_lines_to_keep(n, k, lines, WCLIENT_KEEP_MAX,
			    &lines_len)) {
				on_cosig(log, k, log->head.tree_size,
				    log->head.root, lines, lines_len);
			}
		}
	}
	free(lines);
	free(n);
}

/* Ask the cosigners for the current head. A tiled log without
 * submission-url: learns its origin from its first checkpoint: only then
 * can its witness client, and ctdnsd's own witness, know it. */
static void
ask(struct tlog *log)
{
	char note[NOTE_RFC6962_NOTE_MAX];
	size_t len = 0;
	const char *origin = tlog_origin(log);
	if (log->cosigner != NULL && origin != NULL &&
	    !witness_trusted(log->cosigner, origin)) {
		(void)witness_trust(log->cosigner, origin, log->key);
	}
	if (log->wclient == NULL && origin != NULL &&
	    open_wclient(log) != CTD_OK) {
		return;
	}
	if (log->wclient == NULL || !log->has_head ||
	    head_note(log, &log->head, note, sizeof note, &len) != CTD_OK) {
		return;
	}
	take_log_cosigs(log);
	(void)wclient_cosign(log->wclient, log->head.tree_size,
	    log->head.root, note, len);
}

/* The newest stored head with its quorum, below size `below`. */
static bool
stored_head_with_quorum(struct tlog *log, uint64_t below,
    struct sth *out)
{
	struct store_reader r = { 0 };
	int rc = store_reader_init(log->store, &r);
	/* Bounded: a restart looks back over a few heads only. */
	for (unsigned i = 0; rc == CTD_OK && i < 64; i++) {
		if ((rc = store_read_begin(&r)) != CTD_OK) {
			break;
		}
		rc = store_sth_below(&r, log->slog, below, out);
		store_read_end(&r);
		if (rc == CTD_OK && sth_verify(out, log->key) == CTD_OK &&
		    stored_quorum(log, out) >= log->conf->witness_quorum) {
			store_reader_deinit(&r);
			return true;
		}
		below = out->tree_size;
	}
	store_reader_deinit(&r);
	return false;
}

int
tlog_cosign_start(struct tlog *log)
{
	if (!cosigning(log)) {
		return CTD_OK;
	}
	struct fetch_limits lim = {
		.max_active = log->conf->upstream_concurrency,
		.max_queued = log->conf->upstream_queue,
		.timeout_ms = log->conf->upstream_timeout * 1000u,
		.max_body = NOTE_MAX,
		.rate = log->conf->upstream_rate,
	};
	char name[128];
	snprintf(name, sizeof name, "%s-witnesses", log->name);
	int rc = fetch_pool_new(log->fetcher, &lim, name, &log->wpool);
	if (rc != CTD_OK) {
		return rc;
	}
	if (!log->view.has_sth) {
		return CTD_OK;
	}
	/* The stored head is the one to cosign; with a quorum, the newest
	 * stored head that has it is the one served meanwhile. */
	log->head = log->view.sth;
	log->has_head = true;
	uint32_t k = log->conf->witness_quorum;
	if (k > 0 && stored_quorum(log, &log->head) < k) {
		struct sth older;
		log->view.has_sth = false;
		if (stored_head_with_quorum(log, log->head.tree_size,
		    &older)) {
			serve(log, &older, true);
		} else {
			log_notice("log %s: no stored tree head has its quorum "
			    "of %u cosignatures: none served until one has",
			    log->name, k);
			if (log->on_sth != NULL) {
				log->on_sth(log, log->on_sth_arg);
			}
		}
	}
	return CTD_OK;
}

void
tlog_cosign_adopted(struct tlog *log, const struct sth *sth)
{
	if (!cosigning(log)) {
		serve(log, sth, false);
		tlog_on_served(log);
		return;
	}
	bool same = log->has_head && log->head.tree_size == sth->tree_size &&
	    memcmp(log->head.root, sth->root, MERKLE_HASH_LEN) == 0;
	if (!same) {
		log->head_cosigned = 0;
		log->head_log_cosigs = false;
	}
	log->head = *sth;
	log->has_head = true;
	if (log->conf->witness_quorum == 0) {
		serve(log, sth, false);
		tlog_on_served(log);
	}
	ask(log);
}

void
tlog_cosign_poll(struct tlog *log)
{
	if (log->has_head && cosigning(log)) {
		ask(log);
	}
}

void
tlog_cosign_close(struct tlog *log)
{
	if (log->wpool != NULL) {
		fetch_pool_close(log->wpool);
		log->wpool = NULL;
	}
}

void
tlog_cosign_reset(struct tlog *log)
{
	wclient_free(log->wclient);
	log->wclient = NULL;
	log->head_cosigned = 0;
	log->head_log_cosigs = false;
}

void
tlog_cosign_free(struct tlog *log)
{
	wclient_free(log->wclient);
	log->wclient = NULL;
	if (log->keeps != NULL) {
		log->keeps->log = NULL;
		keeps_unref(log->keeps);
		log->keeps = NULL;
	}
}

void
tlog_set_cosigner(struct tlog *log, struct witness *w)
{
	log->cosigner = w;
}
