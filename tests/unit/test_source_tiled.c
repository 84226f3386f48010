/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_source_tiled.c -- the tiled source driven by hand over a tree this
 * test builds: the tiles it asks for, what it proves (checked node by node
 * against RFC 6962 hashes computed from scratch), a tile that lies, a
 * partial tile that is gone (404: asked again whole), a checkpoint with an
 * extension line, and what a leaf hash gets without an index.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merkle.h"
#include "proved.h"
#include "source_tiled.h"
#include "tile.h"
#include "../tap.h"
#include "../refmerkle.h"

#define LEAVES 1300
#define PREFIX "http://log.test/"

static uint8_t leaves[LEAVES][MERKLE_HASH_LEN];

static void
mth(uint64_t lo, uint64_t hi, uint8_t out[MERKLE_HASH_LEN])
{
	ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])leaves, lo, hi, out);
}

/* "tile/L/[x001/]NNN[.p/W]" -> level, index, width (256 when full). */
static bool
parse_tile_url(const char *url, unsigned *level, uint64_t *index,
    unsigned *width)
{
	const char *p = url + strlen(PREFIX);
	if (strncmp(p, "tile/", 5) != 0 || p[5] < '0' || p[5] > '9') {
		return false;
	}
	*level = (unsigned)(p[5] - '0');
	p += 7;
	*index = 0;
	*width = 256;
	while (*p != '\0') {
		if (*p == 'x' || *p == '/') {
			p++;
		} else if (*p >= '0' && *p <= '9') {
			*index = *index * 10 + (uint64_t)(*p++ - '0');
		} else if (strncmp(p, ".p/", 3) == 0) {
			*width = (unsigned)atoi(p + 3);
			break;
		} else {
			return false;
		}
	}
	return true;
}

/* A tile's body: its entries in the tree of `size` leaves. */
static size_t
tile_body(unsigned level, uint64_t index, unsigned width, uint8_t *out)
{
	uint64_t span = (uint64_t)1 << (8 * level);
	for (unsigned k = 0; k < width; k++) {
		uint64_t b = (index * 256 + k) * span;
		mth(b, b + span, out + k * MERKLE_HASH_LEN);
	}
	return (size_t)width * MERKLE_HASH_LEN;
}

/* How the fake log answers one request (it holds LEAVES leaves; with
 * PARTIAL_GONE its partial level-0 tiles are gone). */
enum lie { HONEST, FLIP_BIT, PARTIAL_GONE };

struct served {
	uint8_t body[256 * MERKLE_HASH_LEN];
	struct source_reply reply;
};

static void
serve(const struct source_req *req, enum lie lie, struct served *s)
{
	unsigned level, width;
	uint64_t index;
	memset(&s->reply, 0, sizeof s->reply);
	if (!parse_tile_url(req->url, &level, &index, &width)) {
		s->reply.status = CTD_EUPSTREAM;
		s->reply.http_code = 404;
		return;
	}
	uint64_t span = (uint64_t)1 << (8 * level);
	if ((lie == PARTIAL_GONE && level == 0 && width < 256) ||
	    (index * 256 + width) * span > LEAVES) {
		/* Gone, or beyond what the log holds. */
		s->reply.status = CTD_EUPSTREAM;
		s->reply.http_code = 404;
		return;
	}
	s->reply.status = CTD_OK;
	s->reply.http_code = 200;
	s->reply.len = tile_body(level, index, width, s->body);
	if (lie == FLIP_BIT) {
		s->body[5] ^= 0x10;
	}
	s->reply.body = s->body;
}

/* Run a task to its end; `lie` applies to every round. */
static int
run(struct source *src, struct source_task *t, enum lie lie, int *rounds)
{
	int rc = src->ops->begin(src, t);
	*rounds = 0;
	while (rc == CTD_OK && t->req_count > 0) {
		static struct served s[SOURCE_MAX_REQS];
		struct source_reply r[SOURCE_MAX_REQS];
		for (size_t i = 0; i < t->req_count; i++) {
			serve(&t->reqs[i], lie, &s[i]);
			r[i] = s[i].reply;
		}
		(*rounds)++;
		rc = src->ops->consume(src, t, r, t->req_count);
		if (rc == CTD_EAGAIN) {
			rc = CTD_OK;
			continue;
		}
		break;
	}
	src->ops->finish(src, t);
	return rc;
}

static void
task_for(struct source_task *t, struct fill_need need, uint64_t size)
{
	source_task_init(t, &need);
	t->served = (struct source_anchor){ .known = true, .size = size };
	mth(0, size, t->served.root);
	if (need.kind == FILL_PATH) {
		t->second = (struct source_anchor){ .known = true,
			.size = need.b };
		mth(0, need.b, t->second.root);
	}
}

/* Every range of the proved set is the true one. */
static bool
all_true(const struct proved *p)
{
	uint8_t want[MERKLE_HASH_LEN];
	for (size_t i = 0; i < p->range_count; i++) {
		mth(p->ranges[i].begin, p->ranges[i].end, want);
		if (memcmp(want, p->ranges[i].hash, MERKLE_HASH_LEN) != 0) {
			return false;
		}
	}
	for (size_t i = 0; i < p->leaf_count; i++) {
		if (memcmp(leaves[p->leaves[i].index], p->leaves[i].hash,
		    MERKLE_HASH_LEN) != 0) {
			return false;
		}
	}
	return true;
}

static bool
has_range(const struct proved *p, uint64_t b, uint64_t e)
{
	for (size_t i = 0; i < p->range_count; i++) {
		if (p->ranges[i].begin == b && p->ranges[i].end == e) {
			return true;
		}
	}
	return false;
}

int
main(void)
{
	for (unsigned i = 0; i < LEAVES; i++) {
		char text[32];
		int n = snprintf(text, sizeof text, "leaf %u", i);
		merkle_leaf_hash((const uint8_t *)text, (size_t)n, leaves[i]);
	}
	struct source *src;
	is_int(source_tiled_new(PREFIX, "log.test", NULL, false, &src), CTD_OK,
	    "the source");
	struct source_task t;
	int rounds;

	/* A path in the served tree: tiles asked, every node true. */
	task_for(&t, (struct fill_need){ .kind = FILL_PATH, .a = 700,
	    .b = LEAVES }, LEAVES);
	is_int(run(src, &t, HONEST, &rounds), CTD_OK, "path: proved");
	is_int(rounds, 1, "path: one round of requests");
	ok(all_true(&t.proved), "path: every range proved is the true one");
	ok(t.proved.leaf_count >= 256, "path: a whole level-0 tile indexed "
	    "(%zu leaves)", t.proved.leaf_count);
	struct merkle_range r[MERKLE_MAX_PATH];
	size_t n = merkle_path_ranges(700, LEAVES, r);
	bool every = true;
	for (size_t i = 0; i < n; i++) {
		every = every && has_range(&t.proved, r[i].begin, r[i].end);
	}
	ok(every, "path: every node of the audit path is proved");
	source_task_deinit(&t);

	/* A path in an older tree, from the served tree's tiles. */
	task_for(&t, (struct fill_need){ .kind = FILL_PATH, .a = 3,
	    .b = 1000 }, LEAVES);
	is_int(run(src, &t, HONEST, &rounds), CTD_OK, "older tree: proved");
	ok(all_true(&t.proved), "older tree: every range true");
	source_task_deinit(&t);

	/* A tile that lies: nothing proved. */
	task_for(&t, (struct fill_need){ .kind = FILL_PATH, .a = 20,
	    .b = LEAVES }, LEAVES);
	is_int(run(src, &t, FLIP_BIT, &rounds), CTD_EVERIFY,
	    "a flipped bit in a tile: CTD_EVERIFY");
	source_task_deinit(&t);

	/* The partial tiles are gone: asked again as full tiles. The tree
	 * of 1100 has partial tiles where the log (of 1300) has full ones. */
	task_for(&t, (struct fill_need){ .kind = FILL_PATH, .a = 1050,
	    .b = 1100 }, 1100);
	is_int(run(src, &t, PARTIAL_GONE, &rounds), CTD_OK,
	    "partial tiles gone: proved from the full tiles");
	is_int(rounds, 2, "partial tiles gone: a second round");
	ok(all_true(&t.proved), "partial tiles gone: every range true");
	ok(!has_range(&t.proved, 1100, 1101),
	    "partial tiles gone: nothing past the tree is proved");
	source_task_deinit(&t);

	/* A root and a consistency proof. */
	task_for(&t, (struct fill_need){ .kind = FILL_ROOT, .a = 777 },
	    LEAVES);
	is_int(run(src, &t, HONEST, &rounds), CTD_OK, "root of 777: proved");
	ok(has_range(&t.proved, 0, 777) && all_true(&t.proved),
	    "root of 777: the true root");
	source_task_deinit(&t);

	/* A leaf hash: only the index can tell. */
	task_for(&t, (struct fill_need){ .kind = FILL_HASH }, LEAVES);
	is_int(src->ops->begin(src, &t), CTD_EUPSTREAM,
	    "hash, index short of the tree: not known (SERVFAIL)");
	src->ops->finish(src, &t);
	t.contiguous = LEAVES;
	is_int(src->ops->begin(src, &t), CTD_ENOTFOUND,
	    "hash, index covers the tree: not there (NXDOMAIN)");
	src->ops->finish(src, &t);
	source_task_deinit(&t);

	/* Checkpoints: an extension line is refused like a bad signature. */
	static const char ext[] = "log.test\n10\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension\n\n"
	    "\xe2\x80\x94 log.test AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n";
	struct source_reply cr = { .status = CTD_OK, .http_code = 200,
		.body = (const uint8_t *)ext, .len = sizeof ext - 1 };
	task_for(&t, (struct fill_need){ .kind = FILL_HEAD }, LEAVES);
	is_int(src->ops->begin(src, &t), CTD_OK, "checkpoint: asked");
	ok(strcmp(t.reqs[0].url, PREFIX "checkpoint") == 0,
	    "checkpoint: at <prefix>checkpoint");
	is_int(src->ops->consume(src, &t, &cr, 1), CTD_EVERIFY,
	    "checkpoint with an extension line: CTD_EVERIFY (an alarm)");
	cr.body = (const uint8_t *)"<html>gone</html>";
	cr.len = strlen((const char *)cr.body);
	is_int(src->ops->consume(src, &t, &cr, 1), CTD_EMALF,
	    "checkpoint that is not a note: CTD_EMALF");
	src->ops->finish(src, &t);
	source_task_deinit(&t);

	char origin[64];
	is_int(source_tiled_origin("https://log.example/2026h2/", origin,
	    sizeof origin), CTD_OK, "origin from a submission URL");
	ok(strcmp(origin, "log.example/2026h2") == 0,
	    "origin: no scheme, no trailing slash");
	source_free(src);
	return done_testing();
}
