/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_tiled.c -- a static-ct-api ("tiled") log as a source (see
 * source_tiled.h).
 *
 * A task's life: begin lists the complete subtrees its proof needs that
 * the store does not hold, the tiles holding them, and the tiles that
 * authenticate those (parents up to a stored range, or the right edge of
 * the tree up to the signed root); consume parses them (asking again for a
 * full tile where a partial one is gone), authenticates them top-down,
 * computes the proof, checks it against the anchors, and proves every
 * entry of every authenticated tile.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "logkey.h"
#include "merkle.h"
#include "note.h"
#include "prove_local.h"
#include "source_tiled.h"
#include "sth.h"
#include "tile.h"

/* Complete subtrees one task may need from tiles. */
#define TILED_MAX_SUBTREES 256

struct source_tiled {
	struct source base;		/* first: a struct source * is one */
	char *prefix;
	char *origin;			/* NULL until configured or held */
	const struct logkey *key;
	bool check_entries;		/* a mirror reads data tiles too */
	/* The last checkpoint whose log signature verified, whole (the
	 * witnesses' cosignatures it carries: source_tiled_note()). */
	char *note;
	size_t note_len;
	uint64_t note_size;
	uint8_t note_root[MERKLE_HASH_LEN];
};

/* A tile of the task, with its width in the tree of size S. */
struct task_tile {
	struct tile t;
	bool fetched;		/* data holds t.width entries */
	bool full_asked;	/* a partial gone: asked as a full tile */
	bool authentic;
	uint8_t data[TILE_WIDTH * MERKLE_HASH_LEN];
};

struct tiled_state {
	uint64_t size;				/* S: the tiles' tree */
	uint8_t root[MERKLE_HASH_LEN];		/* S's verified root */
	size_t count;
	struct task_tile tiles[SOURCE_MAX_REQS];
	size_t req_tile[SOURCE_MAX_REQS];	/* request i fetches tile */
	bool req_data[SOURCE_MAX_REQS];		/* ... its data tile */
	/* The planning pass: complete subtrees the store does not hold. */
	size_t nsub;
	struct merkle_range sub[TILED_MAX_SUBTREES];
	struct source_task *task;
};

static struct source_tiled *
from_base(struct source *src)
{
	return (struct source_tiled *)src;
}

/* Leaves under one entry of a level-L tile. */
static uint64_t
entry_span(unsigned level)
{
	return (uint64_t)1 << (TILE_HEIGHT * level);
}

/* The leaves a whole tile covers (256 entries). */
static struct merkle_range
tile_range(const struct tile *t)
{
	uint64_t span = entry_span(t->level) * TILE_WIDTH;
	return (struct merkle_range){ t->index * span, (t->index + 1) * span };
}

static struct task_tile *
find_tile(struct tiled_state *st, unsigned level, uint64_t index)
{
	for (size_t i = 0; i < st->count; i++) {
		if (st->tiles[i].t.level == level &&
		    st->tiles[i].t.index == index) {
			return &st->tiles[i];
		}
	}
	return NULL;
}

static int
add_tile(struct tiled_state *st, unsigned level, uint64_t index)
{
	if (find_tile(st, level, index) != NULL) {
		return CTD_OK;
	}
	if (st->count >= SOURCE_MAX_REQS) {
		return CTD_ERANGE;
	}
	struct task_tile *tt = &st->tiles[st->count++];
	memset(tt, 0, sizeof *tt);
	tt->t.level = (uint8_t)level;
	tt->t.index = index;
	tt->t.width = (uint16_t)tile_width(st->size, level, index);
	return tt->t.width > 0 ? CTD_OK : CTD_ERANGE;
}

/* ---- subtree hashes: from the store or from tiles ------------------------ */

static int
store_hash(struct tiled_state *st, uint64_t b, uint64_t e, uint8_t out[32])
{
	struct source_task *t = st->task;
	return t->known != NULL ? t->known(t->known_arg, b, e, out) :
	    CTD_ENOTFOUND;
}

/* A complete subtree from a fetched tile (an authentic one only, when
 * asked), CTD_ENOTFOUND when no such tile holds it. */
static int
tile_hash(struct tiled_state *st, uint64_t b, uint64_t e, bool authentic,
    uint8_t out[32])
{
	struct tile where;
	unsigned first, count;
	int rc = tile_for_subtree(b, e, st->size, &where, &first, &count);
	if (rc != CTD_OK) {
		return rc;
	}
	struct task_tile *tt = find_tile(st, where.level, where.index);
	if (tt == NULL || !tt->fetched || (authentic && !tt->authentic) ||
	    first + count > tt->t.width) {
		return CTD_ENOTFOUND;
	}
	return tile_subtree_hash(tt->data, tt->t.width, first, count, out);
}

/* Planning: note a subtree the store lacks, hash it as zeros. */
static int
collect(void *arg, uint64_t b, uint64_t e, uint8_t out[32])
{
	struct tiled_state *st = arg;
	if (store_hash(st, b, e, out) == CTD_OK) {
		return CTD_OK;
	}
	memset(out, 0, 32);
	for (size_t i = 0; i < st->nsub; i++) {
		if (st->sub[i].begin == b && st->sub[i].end == e) {
			return CTD_OK;
		}
	}
	if (st->nsub >= TILED_MAX_SUBTREES) {
		return CTD_ERANGE;
	}
	st->sub[st->nsub++] = (struct merkle_range){ b, e };
	return CTD_OK;
}

/* The root check: tiles first (so that what they hold is what is
 * checked), the store for what no tile holds. */
static int
from_tiles_first(void *arg, uint64_t b, uint64_t e, uint8_t out[32])
{
	struct tiled_state *st = arg;
	if (tile_hash(st, b, e, false, out) == CTD_OK) {
		return CTD_OK;
	}
	return store_hash(st, b, e, out);
}

/* Proof nodes: authentic tiles or the store, nothing else. */
static int
from_verified(void *arg, uint64_t b, uint64_t e, uint8_t out[32])
{
	struct tiled_state *st = arg;
	if (tile_hash(st, b, e, true, out) == CTD_OK) {
		return CTD_OK;
	}
	return store_hash(st, b, e, out);
}

/* ---- planning ------------------------------------------------------------ */

/* The tiles that prove a tile: its parent, or the right edge up to the
 * signed root when it is partial (or its parent is). */
static int
add_authenticators(struct tiled_state *st)
{
	struct tile edge[TILE_MAX_LEVEL + 1];
	int rc = CTD_OK;
	bool need_edge = false;
	for (size_t i = 0; rc == CTD_OK && i < st->count; i++) {
		struct task_tile *tt = &st->tiles[i];
		struct merkle_range r = tile_range(&tt->t);
		uint8_t h[32];
		if (tt->t.width < TILE_WIDTH) {
			need_edge = true;
		} else if (store_hash(st, r.begin, r.end, h) != CTD_OK &&
		    !(r.begin == 0 && r.end == st->size)) {
			rc = add_tile(st, tt->t.level + 1u,
			    tt->t.index / TILE_WIDTH);
		}
	}
	if (rc != CTD_OK || !need_edge) {
		return rc;
	}
	size_t n = tile_partials(st->size, edge);
	for (size_t i = 0; rc == CTD_OK && i < n; i++) {
		rc = add_tile(st, edge[i].level, edge[i].index);
	}
	return rc;
}

/* A mirror's batch: the level-0 tiles of [a, b) themselves. */
static int
plan_entries(struct tiled_state *st, const struct fill_need *n)
{
	int rc = CTD_OK;
	for (uint64_t i = n->a / TILE_WIDTH; rc == CTD_OK &&
	    i * TILE_WIDTH < n->b; i++) {
		rc = add_tile(st, 0, i);
	}
	return rc == CTD_OK ? add_authenticators(st) : rc;
}

static int
plan_tiles(struct tiled_state *st, struct source_task *t)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY + 1];
	uint8_t h[32];
	if (t->need.kind == FILL_ENTRIES) {
		return plan_entries(st, &t->need);
	}
	uint64_t size;
	size_t n = prove_ranges_of(&t->need, r, &size);
	int rc = CTD_OK;
	for (size_t i = 0; rc == CTD_OK && i < n; i++) {
		rc = tile_range_hash(r[i].begin, r[i].end, st->size, collect,
		    st, h);
	}
	for (size_t i = 0; rc == CTD_OK && i < st->nsub; i++) {
		struct tile where;
		unsigned first, count;
		rc = tile_for_subtree(st->sub[i].begin, st->sub[i].end,
		    st->size, &where, &first, &count);
		if (rc == CTD_OK) {
			rc = add_tile(st, where.level, where.index);
		}
	}
	return rc == CTD_OK ? add_authenticators(st) : rc;
}

/* One request per tile not fetched yet. */
static int
request_tiles(const struct source_tiled *s, struct tiled_state *st,
    struct source_task *t)
{
	t->req_count = 0;
	for (size_t i = 0; i < st->count; i++) {
		struct task_tile *tt = &st->tiles[i];
		if (tt->fetched) {
			continue;
		}
		struct tile as = tt->t;
		if (tt->full_asked) {
			as.width = TILE_WIDTH;
		}
		char path[TILE_PATH_MAX];
		struct source_req *r = source_task_req(t, "tile");
		if (r == NULL || tile_path(&as, path, sizeof path) != CTD_OK) {
			return CTD_ERANGE;
		}
		size_t need = strlen(s->prefix) + strlen(path) + 1;
		if (need > sizeof r->url) {
			return CTD_ERANGE;
		}
		memcpy(r->url, s->prefix, strlen(s->prefix));
		memcpy(r->url + strlen(s->prefix), path, strlen(path) + 1);
		st->req_tile[t->req_count - 1] = i;
		st->req_data[t->req_count - 1] = false;
	}
	return CTD_OK;
}

/* A mirror with mirror-entries: the data tile of each level-0 tile of the
 * batch, whose entries must hash to that tile's leaves. */
static int
request_data_tiles(const struct source_tiled *s, struct tiled_state *st,
    struct source_task *t)
{
	for (size_t i = 0; i < st->count; i++) {
		const struct task_tile *tt = &st->tiles[i];
		if (tt->t.level != 0 || tt->t.index * TILE_WIDTH >= t->need.b ||
		    (tt->t.index + 1) * TILE_WIDTH <= t->need.a) {
			continue;	/* an authenticator, not the batch */
		}
		char path[TILE_PATH_MAX];
		struct source_req *r = source_task_req(t, "data-tile");
		if (r == NULL ||
		    tile_data_path(&tt->t, path, sizeof path) != CTD_OK ||
		    strlen(s->prefix) + strlen(path) + 1 > sizeof r->url) {
			return CTD_ERANGE;
		}
		strcpy(r->url, s->prefix);
		strcat(r->url, path);
		st->req_tile[t->req_count - 1] = i;
		st->req_data[t->req_count - 1] = true;
	}
	return CTD_OK;
}

static int prove_need(struct tiled_state *st, struct source_task *t);

static int
begin_tiles(struct source_tiled *s, struct source_task *t)
{
	const struct source_anchor *a = t->need.kind == FILL_HEAD_PROOF ?
	    &t->second : &t->served;
	const struct fill_need *n = &t->need;
	if (!a->known || a->size == 0 ||
	    (n->kind == FILL_ROOT && (n->a == 0 || n->a >= a->size)) ||
	    (n->kind != FILL_ROOT && n->b > a->size)) {
		return CTD_ERANGE;
	}
	struct tiled_state *st = calloc(1, sizeof *st);
	if (st == NULL) {
		return CTD_ENOMEM;
	}
	t->state = st;
	st->task = t;
	st->size = a->size;
	memcpy(st->root, a->root, MERKLE_HASH_LEN);
	int rc = plan_tiles(st, t);
	if (rc == CTD_OK && st->count == 0) {
		/* The store holds every piece: compute it, ask nothing. */
		return prove_need(st, t);
	}
	if (rc == CTD_OK) {
		rc = request_tiles(s, st, t);
	}
	if (rc == CTD_OK && n->kind == FILL_ENTRIES && s->check_entries) {
		rc = request_data_tiles(s, st, t);
	}
	return rc;
}

static int
tiled_begin(struct source *src, struct source_task *t)
{
	struct source_tiled *s = from_base(src);
	struct source_req *r;
	switch (t->need.kind) {
	case FILL_HEAD:
		r = source_task_req(t, "checkpoint");
		if (strlen(s->prefix) + sizeof "checkpoint" > sizeof r->url) {
			return CTD_ERANGE;
		}
		strcpy(r->url, s->prefix);
		strcat(r->url, "checkpoint");
		return CTD_OK;
	case FILL_HASH:
		/* No lookup by hash upstream: only the index can tell. */
		return t->contiguous >= t->served.size ? CTD_ENOTFOUND :
		    CTD_EUPSTREAM;
	default:
		return begin_tiles(s, t);
	}
}

/* ---- consuming ------------------------------------------------------------ */

/* Keep a verified checkpoint whole; without memory the last one goes. */
static void
keep_note(struct source_tiled *s, const char *body, size_t len,
    const struct sth *head)
{
	free(s->note);
	s->note = malloc(len);
	s->note_len = s->note != NULL ? len : 0;
	if (s->note != NULL) {
		memcpy(s->note, body, len);
		s->note_size = head->tree_size;
		memcpy(s->note_root, head->root, MERKLE_HASH_LEN);
	}
}

static int
take_checkpoint(struct source_tiled *s, struct source_task *t,
    const struct source_reply *r)
{
	struct note note;
	struct checkpoint cp;
	const char *body = (const char *)r->body;
	int rc = note_parse(body, r->len, &note);
	if (rc == CTD_OK) {
		rc = note_parse_checkpoint(note.text, note.text_len, &cp);
	}
	if (rc != CTD_OK) {
		return CTD_EMALF;
	}
	if (cp.nextensions > 0) {
		return CTD_EVERIFY;	/* static-ct-api forbids them */
	}
	rc = note_open_rfc6962(body, r->len, s->origin, s->key, &t->head,
	    &cp);
	if (rc == CTD_ENOTFOUND || rc == CTD_EMALF) {
		return CTD_EVERIFY;	/* no valid line of the log's key */
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (s->origin == NULL &&
	    (s->origin = strndup(cp.origin, cp.origin_len)) == NULL) {
		return CTD_ENOMEM;
	}
	keep_note(s, body, r->len, &t->head);
	t->has_head = true;
	return CTD_OK;
}

/* Keep a tile's body; a partial tile that is gone is asked again whole. */
static int
take_tile(struct task_tile *tt, const struct source_reply *r, bool *again)
{
	if (r->status == CTD_EUPSTREAM && r->http_code == 404 &&
	    tt->t.width < TILE_WIDTH && !tt->full_asked) {
		tt->full_asked = true;
		*again = true;
		return CTD_OK;
	}
	if (r->status != CTD_OK) {
		return r->status;
	}
	struct tile as = tt->t;
	if (tt->full_asked) {
		as.width = TILE_WIDTH;
	}
	if (tile_parse_hashes(&as, r->body, r->len) != CTD_OK) {
		return CTD_EMALF;
	}
	/* Of a full tile standing in for a partial one, the first entries
	 * are the tree's; the rest is proved by nothing here. */
	memcpy(tt->data, r->body, (size_t)tt->t.width * MERKLE_HASH_LEN);
	tt->fetched = true;
	return CTD_OK;
}

/* A data tile: every entry must hash to its leaf in the level-0 tile. */
static int
check_data_tile(const struct task_tile *tt, const struct source_reply *r)
{
	if (r->status != CTD_OK) {
		return r->status;
	}
	if (!tt->fetched) {
		return CTD_EINVAL;
	}
	struct tile_leaf *leaves = calloc(tt->t.width, sizeof *leaves);
	if (leaves == NULL) {
		return CTD_ENOMEM;
	}
	int rc = tile_parse_data(r->body, r->len, tt->t.width, leaves);
	for (unsigned k = 0; rc == CTD_OK && k < tt->t.width; k++) {
		if (memcmp(leaves[k].leaf_hash, tt->data + k * MERKLE_HASH_LEN,
		    MERKLE_HASH_LEN) != 0) {
			rc = CTD_EVERIFY;
		}
	}
	free(leaves);
	return rc;
}

/* The right edge: the tiles it is made of must hash to the signed root. */
static int
check_edge(struct tiled_state *st)
{
	bool any_partial = false;
	for (size_t i = 0; i < st->count; i++) {
		any_partial |= st->tiles[i].t.width < TILE_WIDTH;
	}
	if (!any_partial) {
		return CTD_OK;
	}
	uint8_t root[32];
	int rc = tile_range_hash(0, st->size, st->size, from_tiles_first, st,
	    root);
	if (rc != CTD_OK || memcmp(root, st->root, 32) != 0) {
		return CTD_EVERIFY;
	}
	struct tile edge[TILE_MAX_LEVEL + 1];
	size_t n = tile_partials(st->size, edge);
	for (size_t i = 0; i < n; i++) {
		struct task_tile *tt = find_tile(st, edge[i].level,
		    edge[i].index);
		if (tt != NULL) {
			tt->authentic = true;
		}
	}
	return CTD_OK;
}

/* Full tiles, top level first: each must hash to what its parent (or the
 * store, or the signed root) says it is. */
static int
check_full_tiles(struct tiled_state *st)
{
	for (int level = TILE_MAX_LEVEL; level >= 0; level--) {
		for (size_t i = 0; i < st->count; i++) {
			struct task_tile *tt = &st->tiles[i];
			if (tt->t.level != level || tt->authentic) {
				continue;
			}
			struct merkle_range r = tile_range(&tt->t);
			uint8_t mine[32], want[32];
			if (tt->t.width < TILE_WIDTH ||
			    tile_subtree_hash(tt->data, TILE_WIDTH, 0,
				TILE_WIDTH, mine) != CTD_OK) {
				return CTD_EVERIFY;
			}
			int rc = r.begin == 0 && r.end == st->size ?
			    (memcpy(want, st->root, 32), CTD_OK) :
			    from_verified(st, r.begin, r.end, want);
			if (rc != CTD_OK || memcmp(mine, want, 32) != 0) {
				return CTD_EVERIFY;
			}
			tt->authentic = true;
		}
	}
	return CTD_OK;
}

/* The subtrees of heights 1 to 8 inside a tile, as ranges of p: each
 * level hashed once from the one below (a subtree hashed anew from the
 * entries for each height would cost 8 hashes an entry, not 1). */
static int
prove_tile_subtrees(const struct task_tile *tt, uint64_t base, uint64_t span,
    struct proved *p)
{
	uint8_t level[TILE_WIDTH / 2][MERKLE_HASH_LEN];
	const uint8_t *below = tt->data;
	unsigned count = tt->t.width;
	int rc = CTD_OK;

	while (rc == CTD_OK && count >= 2) {
		count /= 2;
		span *= 2;
		/* In place from the second level on: slot k is written after
		 * slots 2k and 2k + 1 are read. */
		for (unsigned k = 0; k < count; k++) {
			merkle_node_hash(below + 2 * k * MERKLE_HASH_LEN,
			    below + (2 * k + 1) * MERKLE_HASH_LEN, level[k]);
		}
		for (unsigned k = 0; rc == CTD_OK && k < count; k++) {
			uint64_t b = base + k * span;
			rc = proved_add_range(p, b, b + span, level[k]);
		}
		below = level[0];
	}
	return rc;
}

/* Every node of every authentic tile: its entries, as the ranges they
 * are (level-0 entries as leaves of the index too), and the subtrees
 * above them inside the tile, so that any node a later proof needs there
 * is one store lookup. */
static int
prove_tiles(struct tiled_state *st, struct proved *p)
{
	int rc = CTD_OK;
	for (size_t i = 0; rc == CTD_OK && i < st->count; i++) {
		const struct task_tile *tt = &st->tiles[i];
		uint64_t span = entry_span(tt->t.level);
		uint64_t base = tile_range(&tt->t).begin;
		for (unsigned k = 0; rc == CTD_OK && k < tt->t.width; k++) {
			const uint8_t *h = tt->data + k * MERKLE_HASH_LEN;
			uint64_t b = base + k * span;
			rc = tt->t.level == 0 ? proved_add_leaf(p, h, b) :
			    proved_add_range(p, b, b + span, h);
		}
		/* A full level-0 tile is PROVED_TILE_LEAVES leaves whose
		 * subtrees the store hashes itself: sent as ranges they
		 * would only be hashed and checked again. */
		if (rc == CTD_OK && !(tt->t.level == 0 &&
		    tt->t.width == PROVED_TILE_LEAVES)) {
			rc = prove_tile_subtrees(tt, base, span, p);
		}
	}
	return rc;
}

/* The need's proof from authentic tiles and the store, checked against
 * its anchors; a piece no authentic tile holds is a tile that lied. */
static int
prove_need(struct tiled_state *st, struct source_task *t)
{
	if (t->need.kind == FILL_ENTRIES) {
		/* The tiles are the batch: every leaf authenticated. */
		proved_set_contiguous(&t->proved, t->need.b);
		return CTD_OK;
	}
	int rc = prove_ranges(t, from_verified, st);
	return rc == CTD_ENOTFOUND || rc == CTD_EMALF ? CTD_EVERIFY : rc;
}

static int
consume_tiles(struct source_tiled *s, struct source_task *t,
    const struct source_reply *replies, size_t count)
{
	struct tiled_state *st = t->state;
	bool again = false;
	for (size_t i = 0; i < count; i++) {
		int rc = st->req_data[i] ? CTD_OK :
		    take_tile(&st->tiles[st->req_tile[i]], &replies[i], &again);
		if (rc != CTD_OK) {
			return rc;
		}
	}
	for (size_t i = 0; i < count; i++) {
		int rc = st->req_data[i] ?
		    check_data_tile(&st->tiles[st->req_tile[i]], &replies[i]) :
		    CTD_OK;
		if (rc != CTD_OK) {
			return rc;
		}
	}
	if (again) {
		int rc = request_tiles(s, st, t);
		return rc == CTD_OK ? CTD_EAGAIN : rc;
	}
	int rc = check_edge(st);
	if (rc == CTD_OK) {
		rc = check_full_tiles(st);
	}
	if (rc == CTD_OK) {
		rc = prove_need(st, t);
	}
	return rc == CTD_OK ? prove_tiles(st, &t->proved) : rc;
}

static int
tiled_consume(struct source *src, struct source_task *t,
    const struct source_reply *replies, size_t count)
{
	struct source_tiled *s = from_base(src);
	if (t->need.kind != FILL_HEAD) {
		return consume_tiles(s, t, replies, count);
	}
	if (count != 1) {
		return CTD_EINVAL;
	}
	if (replies[0].status != CTD_OK) {
		return replies[0].status;
	}
	return take_checkpoint(s, t, &replies[0]);
}

static void
tiled_finish(struct source *src, struct source_task *t)
{
	(void)src;
	free(t->state);
	t->state = NULL;
}

static void
tiled_free(struct source *src)
{
	struct source_tiled *s = from_base(src);
	free(s->prefix);
	free(s->origin);
	free(s->note);
	free(s);
}

static const struct source_ops tiled_ops = {
	.kind = "static-ct",
	.begin = tiled_begin,
	.consume = tiled_consume,
	.finish = tiled_finish,
	.free = tiled_free,
};

int
source_tiled_new(const char *prefix, const char *origin,
    const struct logkey *key, bool check_entries, struct source **out)
{
	size_t len = prefix != NULL ? strlen(prefix) : 0;
	if (len == 0 || prefix[len - 1] != '/') {
		return CTD_EINVAL;
	}
	struct source_tiled *s = calloc(1, sizeof *s);
	if (s == NULL || (s->prefix = strdup(prefix)) == NULL ||
	    (origin != NULL && (s->origin = strdup(origin)) == NULL)) {
		if (s != NULL) {
			free(s->prefix);
		}
		free(s);
		return CTD_ENOMEM;
	}
	s->base.ops = &tiled_ops;
	s->key = key;
	s->check_entries = check_entries;
	*out = &s->base;
	return CTD_OK;
}

const char *
source_tiled_get_origin(const struct source *src)
{
	return ((const struct source_tiled *)src)->origin;
}

const char *
source_tiled_note(const struct source *src, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], size_t *len)
{
	const struct source_tiled *s = (const struct source_tiled *)src;
	if (s->note == NULL || s->note_size != size ||
	    memcmp(s->note_root, root, MERKLE_HASH_LEN) != 0) {
		return NULL;
	}
	*len = s->note_len;
	return s->note;
}

int
source_tiled_origin(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://");
	if (p == NULL) {
		return CTD_EINVAL;
	}
	p += 3;
	size_t len = strlen(p);
	while (len > 0 && p[len - 1] == '/') {
		len--;
	}
	if (len == 0 || len >= cap) {
		return len == 0 ? CTD_EINVAL : CTD_ESPACE;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	return CTD_OK;
}
