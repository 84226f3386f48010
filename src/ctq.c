/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctq.c -- the CT-over-DNS query-name grammar.
 *
 * The name is split into at most 4 labels (no form has more), the last
 * label picks the form, and the labels left of it are read as numbers or a
 * base32 hash. Every read is bounded by rel_len; no label length from the
 * name is trusted before it is checked against what remains.
 */
#include "config.h"

#include <string.h>

#include "base32.h"
#include "ctq.h"
#include "err.h"
#include "merkle.h"
#include "num.h"

/* The longest form: <start>.<index>.<size>.tree. */
#define CTQ_MAX_LABELS 4
struct label {
	const uint8_t *p;
	size_t len;
};

/*
 * Split rel into labels. Returns the label count, or -1 when rel is not a
 * sequence of 1..63-byte labels filling exactly rel_len or has more than
 * CTQ_MAX_LABELS labels.
 */
static int
split_labels(const uint8_t *rel, size_t rel_len, struct label *labels)
{
	size_t pos = 0;
	int n = 0;

	while (pos < rel_len) {
		size_t len = rel[pos];
		if (len == 0 || len > 63 || len > rel_len - pos - 1 ||
		    n == CTQ_MAX_LABELS) {
			return -1;
		}
		labels[n].p = rel + pos + 1;
		labels[n].len = len;
		n++;
		pos += 1 + len;
	}
	return n;
}

/* Case-insensitive comparison of a label with a lower-case keyword. */
static bool
label_is(const struct label *l, const char *word)
{
	size_t len = strlen(word);

	if (l->len != len) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = l->p[i];
		if (c >= 'A' && c <= 'Z') {
			c = (uint8_t)(c - 'A' + 'a');
		}
		if (c != (uint8_t)word[i]) {
			return false;
		}
	}
	return true;
}

/* Canonical unsigned 64-bit decimal; false when the label is not one. */
static bool
label_u64(const struct label *l, uint64_t *out)
{
	return num_parse_u64((const char *)l->p, l->len, 0, out) == CTD_OK;
}

/*
 * Read the numeric labels of a tree or sth-consistency name: the n labels
 * are the last n of (start, a, b), e.g. n = 1 gives only b.
 */
static bool
read_numbers(const struct label *labels, int n, uint64_t *start,
    uint64_t *a, uint64_t *b)
{
	uint64_t *dst[3] = { start, a, b };

	for (int i = 0; i < n; i++) {
		if (!label_u64(&labels[i], dst[3 - n + i])) {
			return false;
		}
	}
	return true;
}

int
ctq_parse(const uint8_t *rel, size_t rel_len, struct ctq *out)
{
	struct label labels[CTQ_MAX_LABELS];

	memset(out, 0, sizeof *out);
	out->kind = CTQ_APEX;
	if (rel_len == 0) {
		return CTD_OK;
	}
	int n = split_labels(rel, rel_len, labels);
	if (n < 1) {
		return CTD_ENOTFOUND;
	}
	const struct label *key = &labels[n - 1];
	int below = n - 1;

	if (label_is(key, "sth")) {
		if (below != 0) {
			return CTD_ENOTFOUND;
		}
		out->kind = CTQ_STH;
		return CTD_OK;
	}
	if (label_is(key, "checkpoint")) {
		if (below != 0) {
			return CTD_ENOTFOUND;
		}
		out->kind = CTQ_CHECKPOINT;
		return CTD_OK;
	}
	if (label_is(key, "hash")) {
		if (below == 0) {
			out->kind = CTQ_HASH_ENT;
			return CTD_OK;
		}
		if (below != 1 || base32_decode_hash((const char *)labels[0].p,
		    labels[0].len, out->hash) != CTD_OK) {
			memset(out->hash, 0, sizeof out->hash);
			return CTD_ENOTFOUND;
		}
		out->kind = CTQ_HASH;
		out->depth = 1;
		return CTD_OK;
	}
	if (label_is(key, "tree")) {
		if (!read_numbers(labels, below, &out->start, &out->index,
		    &out->size)) {
			memset(out, 0, sizeof *out);
			return CTD_ENOTFOUND;
		}
		out->kind = below == 3 ? CTQ_TREE : CTQ_TREE_ENT;
		out->depth = (unsigned)below;
		return CTD_OK;
	}
	if (label_is(key, "sth-consistency")) {
		if (!read_numbers(labels, below, &out->start, &out->first,
		    &out->second)) {
			memset(out, 0, sizeof *out);
			return CTD_ENOTFOUND;
		}
		out->kind = below == 3 ? CTQ_CONSISTENCY : CTQ_CONSISTENCY_ENT;
		out->depth = (unsigned)below;
		return CTD_OK;
	}
	return CTD_ENOTFOUND;
}

/* Some audit path (index, size) with index < size <= tree_size exists. */
static bool
tree_exists(const struct ctq *q, uint64_t tree_size)
{
	switch (q->depth) {
	case 0:
		return tree_size >= 2;
	case 1:
		return q->size >= 2 && q->size <= tree_size;
	case 2:
		return q->index < q->size && q->size <= tree_size &&
		    merkle_path_len(q->index, q->size) > 0;
	default:
		return q->index < q->size && q->size <= tree_size &&
		    q->start < merkle_path_len(q->index, q->size);
	}
}

/* Some consistency proof 0 < first < second <= tree_size exists. */
static bool
consistency_exists(const struct ctq *q, uint64_t tree_size)
{
	switch (q->depth) {
	case 0:
		return tree_size >= 2;
	case 1:
		return q->second >= 2 && q->second <= tree_size;
	case 2:
		return q->first > 0 && q->first < q->second &&
		    q->second <= tree_size;
	default:
		return q->first > 0 && q->first < q->second &&
		    q->second <= tree_size &&
		    q->start < merkle_consistency_len(q->first, q->second);
	}
}

bool
ctq_exists(const struct ctq *q, uint64_t tree_size)
{
	switch (q->kind) {
	case CTQ_APEX:
	case CTQ_STH:
	case CTQ_CHECKPOINT:
	case CTQ_HASH:
		return true;
	case CTQ_HASH_ENT:
		return tree_size >= 1;
	case CTQ_TREE:
	case CTQ_TREE_ENT:
		return tree_exists(q, tree_size);
	case CTQ_CONSISTENCY:
	case CTQ_CONSISTENCY_ENT:
		return consistency_exists(q, tree_size);
	}
	return false;
}
