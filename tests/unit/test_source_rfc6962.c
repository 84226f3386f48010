/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_source_rfc6962.c -- a mirror's batches from an RFC 6962 log through
 * the source alone (no sockets): a fake log answers each planned request
 * (get-entries pages capped at its page size, consistency proofs built
 * here from RFC 6962 section 2.1.2), and every batch must be recomputed
 * and proved against the signed root whatever the page size, with short
 * answers, and with the consistency proof in the first round; a log that
 * serves a wrong entry or more entries than asked is caught.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "merkle.h"
#include "proved.h"
#include "source.h"
#include "source_rfc6962.h"
#include "../tap.h"
#include "../refmerkle.h"

#define MAX_LEAVES 3000
#define BODY_MAX (1u << 20)

static uint8_t leaves[MAX_LEAVES][MERKLE_HASH_LEN];

/* How the fake log answers. */
static struct {
	uint64_t page;		/* most entries an answer holds */
	bool short_answers;	/* answer half of what it could */
	uint64_t bad_index;	/* serve another entry here (UINT64_MAX: no) */
	bool too_many;		/* one entry more than asked */
	unsigned entries_reqs, proof_reqs, rounds;
	bool proof_in_first_round;
} log_mode;

static void
mth(uint64_t lo, uint64_t hi, uint8_t out[MERKLE_HASH_LEN])
{
	ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])leaves, lo, hi, out);
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 6962 section 2.1.2, appended to out. */
static void
subproof(uint64_t m, uint64_t lo, uint64_t hi, bool b, uint8_t *out,
    size_t *count)
{
	uint64_t n = hi - lo;
	if (m == n) {
		if (!b) {
			mth(lo, hi, out + (*count)++ * MERKLE_HASH_LEN);
		}
		return;
	}
	uint64_t k = 1;
	while (k * 2 < n) {
		k *= 2;
	}
	if (m <= k) {
		subproof(m, lo, lo + k, b, out, count);
		mth(lo + k, hi, out + (*count)++ * MERKLE_HASH_LEN);
	} else {
		subproof(m - k, lo + k, hi, false, out, count);
		mth(lo, lo + k, out + (*count)++ * MERKLE_HASH_LEN);
	}
}

static char body[BODY_MAX];

static size_t
put_b64(char *out, const uint8_t *in, size_t len)
{
	size_t n = 0;
	(void)base64_encode(in, len, out, BODY_MAX / 2, &n);
	return n;
}

/* The leaf_input of entry i: what the leaf hash was made from. */
static int
leaf_text(uint64_t i, char *out, size_t cap)
{
	return snprintf(out, cap, "entry %" PRIu64, i);
}

static size_t
entries_body(uint64_t start, uint64_t end, uint64_t size)
{
	uint64_t last = end < size - 1 ? end : size - 1;
	uint64_t n = last - start + 1;
	uint64_t cap = log_mode.page - start % log_mode.page;
	n = n < cap ? n : cap;
	if (log_mode.short_answers && n > 1) {
		n /= 2;
	}
	n += log_mode.too_many;
	size_t len = (size_t)snprintf(body, BODY_MAX, "{\"entries\":[");
	for (uint64_t i = start; i < start + n; i++) {
		char text[64];
		uint64_t which = i == log_mode.bad_index ? i + 1 : i;
		int tl = leaf_text(which, text, sizeof text);
		len += (size_t)snprintf(body + len, BODY_MAX - len,
		    "%s{\"leaf_input\":\"", i > start ? "," : "");
		len += put_b64(body + len, (const uint8_t *)text, (size_t)tl);
		len += (size_t)snprintf(body + len, BODY_MAX - len,
		    "\",\"extra_data\":\"\"}");
	}
	len += (size_t)snprintf(body + len, BODY_MAX - len, "]}");
	return len;
}

static size_t
proof_body(uint64_t first, uint64_t second)
{
	uint8_t nodes[64 * MERKLE_HASH_LEN];
	size_t count = 0;
	subproof(first, 0, second, true, nodes, &count);
	size_t len = (size_t)snprintf(body, BODY_MAX, "{\"consistency\":[");
	for (size_t i = 0; i < count; i++) {
		len += (size_t)snprintf(body + len, BODY_MAX - len, "%s\"",
		    i > 0 ? "," : "");
		len += put_b64(body + len, nodes + i * MERKLE_HASH_LEN,
		    MERKLE_HASH_LEN);
		len += (size_t)snprintf(body + len, BODY_MAX - len, "\"");
	}
	len += (size_t)snprintf(body + len, BODY_MAX - len, "]}");
	return len;
}

/* The "store": every range the batches proved so far. */
static struct proved stored;

static int
known(void *arg, uint64_t b, uint64_t e, uint8_t out[MERKLE_HASH_LEN])
{
	(void)arg;
	return ref_proved_get(&stored, b, e, out);
}

/* Answer one round; copies of the bodies in bodies[]. */
static int
answer_round(struct source_task *t, uint64_t size,
    struct source_reply *replies, char **bodies)
{
	for (size_t i = 0; i < t->req_count; i++) {
		const char *q = strchr(t->reqs[i].url, '?');
		uint64_t x, y;
		size_t len;
		if (q != NULL && sscanf(q, "?start=%" SCNu64 "&end=%" SCNu64,
		    &x, &y) == 2) {
			log_mode.entries_reqs++;
			len = entries_body(x, y, size);
		} else if (q != NULL && sscanf(q, "?first=%" SCNu64 "&second=%"
		    SCNu64, &x, &y) == 2) {
			log_mode.proof_reqs++;
			log_mode.proof_in_first_round |= t->round == 0;
			len = proof_body(x, y);
		} else {
			return CTD_EINVAL;
		}
		bodies[i] = malloc(len + 1);
		memcpy(bodies[i], body, len + 1);
		replies[i] = (struct source_reply){ .status = CTD_OK,
			.http_code = 200, .body = (uint8_t *)bodies[i],
			.len = len };
	}
	return CTD_OK;
}

/* One batch [a, b) of a tree of `size` leaves, every round answered;
 * what it proves goes to the "store" when it verifies. */
static int
run_batch(struct source *src, uint64_t a, uint64_t b, uint64_t size)
{
	struct fill_need need = { .kind = FILL_ENTRIES, .a = a, .b = b };
	struct source_task t;
	source_task_init(&t, &need);
	t.second = (struct source_anchor){ .known = true, .size = size };
	mth(0, size, t.second.root);
	t.served = t.second;
	t.known = known;
	int rc = src->ops->begin(src, &t);
	while (rc == CTD_OK && t.req_count > 0) {
		struct source_reply replies[SOURCE_MAX_REQS];
		char *bodies[SOURCE_MAX_REQS] = { NULL };
		log_mode.rounds++;
		rc = answer_round(&t, size, replies, bodies);
		if (rc == CTD_OK) {
			rc = src->ops->consume(src, &t, replies, t.req_count);
		}
		for (size_t i = 0; i < SOURCE_MAX_REQS; i++) {
			free(bodies[i]);
		}
		if (rc == CTD_EAGAIN) {
			t.round++;
			rc = CTD_OK;
		} else {
			break;
		}
	}
	for (size_t i = 0; rc == CTD_OK && i < t.proved.range_count; i++) {
		const struct proved_range *r = &t.proved.ranges[i];
		uint8_t want[MERKLE_HASH_LEN];
		mth(r->begin, r->end, want);
		if (memcmp(want, r->hash, MERKLE_HASH_LEN) != 0) {
			rc = CTD_EINVAL;
		}
		(void)proved_add_range(&stored, r->begin, r->end, r->hash);
	}
	for (size_t i = 0; rc == CTD_OK && i < t.proved.leaf_count; i++) {
		const struct proved_leaf *l = &t.proved.leaves[i];
		(void)proved_add_range(&stored, l->index, l->index + 1, l->hash);
	}
	if (rc == CTD_OK && (!t.proved.has_contiguous ||
	    t.proved.contiguous != b || t.proved.leaf_count != b - a)) {
		rc = CTD_EINVAL;
	}
	src->ops->finish(src, &t);
	source_task_deinit(&t);
	return rc;
}

/* Mirror [0, n) of a tree of `size` in batches of `step`. */
static int
mirror(uint64_t n, uint64_t size, uint64_t step, uint64_t page)
{
	struct source *src;
	int rc = source_rfc6962_new("http://log.example/", NULL, &src);
	proved_clear(&stored);
	log_mode.page = page;
	log_mode.entries_reqs = log_mode.proof_reqs = log_mode.rounds = 0;
	log_mode.proof_in_first_round = false;
	for (uint64_t a = 0; rc == CTD_OK && a < n; a += step) {
		rc = run_batch(src, a, a + step < n ? a + step : n, size);
	}
	source_free(src);
	return rc;
}

int
main(void)
{
	for (unsigned i = 0; i < MAX_LEAVES; i++) {
		char text[64];
		int len = leaf_text(i, text, sizeof text);
		merkle_leaf_hash((const uint8_t *)text, (size_t)len, leaves[i]);
	}
	proved_init(&stored);
	log_mode.bad_index = UINT64_MAX;

	is_int(mirror(1000, 1000, 1000, 4096), CTD_OK,
	    "one batch, one page: the tree recomputed");
	is_int(log_mode.rounds, 1, "one round");
	is_int(log_mode.proof_reqs, 0, "a batch ending at the head: no proof");

	is_int(mirror(2048, 2500, 1024, 256), CTD_OK,
	    "pages of 256, batches of 1024 under a larger head");
	is_int(log_mode.entries_reqs, 1 + 3 + 4,
	    "the page size learned from the first answer, then each page "
	    "asked at once");
	is_int(log_mode.rounds, 3, "two rounds for the first batch, one for "
	    "the next");
	is_int(log_mode.proof_reqs, 2, "one consistency proof per batch");
	ok(log_mode.proof_in_first_round, "the proof rides the first round");

	is_int(mirror(2500, 2999, 700, 100), CTD_OK,
	    "unaligned batches and pages of 100");
	log_mode.short_answers = true;
	is_int(mirror(1500, 1500, 512, 64), CTD_OK,
	    "answers shorter than asked: the gaps asked again");
	ok(log_mode.rounds > 3, "... in further rounds (%u)", log_mode.rounds);
	log_mode.short_answers = false;

	log_mode.bad_index = 777;
	is_int(mirror(1024, 2000, 1024, 256), CTD_EVERIFY,
	    "an entry that is not the log's: CTD_EVERIFY");
	log_mode.bad_index = 1500;
	is_int(mirror(2048, 2048, 1024, 256), CTD_EVERIFY,
	    "a wrong entry in the last batch: CTD_EVERIFY");
	log_mode.bad_index = UINT64_MAX;

	log_mode.too_many = true;
	is_int(mirror(1024, 1024, 1024, 256), CTD_EMALF,
	    "more entries than asked: CTD_EMALF");
	log_mode.too_many = false;

	proved_free(&stored);
	return done_testing();
}
