/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctq.h -- the CT-over-DNS query-name grammar.
 *
 * A query name below a log's zone apex is one of (labels left to right,
 * compared case-insensitively, since resolvers randomise case, "0x20"):
 *
 *	""					CTQ_APEX
 *	sth					CTQ_STH
 *	checkpoint				CTQ_CHECKPOINT
 *	hash					CTQ_HASH_ENT   depth 0
 *	<b32>.hash				CTQ_HASH
 *	tree					CTQ_TREE_ENT   depth 0
 *	<size>.tree				CTQ_TREE_ENT   depth 1
 *	<index>.<size>.tree			CTQ_TREE_ENT   depth 2
 *	<start>.<index>.<size>.tree		CTQ_TREE
 *	sth-consistency				CTQ_CONSISTENCY_ENT depth 0
 *	<second>.sth-consistency		CTQ_CONSISTENCY_ENT depth 1
 *	<first>.<second>.sth-consistency	CTQ_CONSISTENCY_ENT depth 2
 *	<start>.<first>.<second>.sth-consistency	CTQ_CONSISTENCY
 *
 * Numbers are canonical ASCII decimal of an unsigned 64-bit value: 1 to 20
 * digits, no sign, no leading zero (except "0" itself), no overflow. <b32>
 * is the 52-character base32 leaf hash of base32.h. The *_ENT names are
 * the empty non-terminals above full names (docs: "decided here" in the
 * protocol notes): they exist without data when some full name below them
 * exists, which ctq_exists() decides against the latest tree size.
 *
 * Two steps, because parsing needs only the name and existence needs the
 * log's state: ctq_parse() (syntax, NXDOMAIN when it fails) and
 * ctq_exists() (NXDOMAIN when false). Pure and on the hot path: no
 * allocation, no system call, no logging.
 */
#ifndef CTD_CTQ_H
#define CTD_CTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctq_kind {
	CTQ_APEX,		/* the zone apex itself */
	CTQ_STH,		/* sth */
	CTQ_CHECKPOINT,		/* checkpoint: the head as a signed note */
	CTQ_HASH,		/* <b32>.hash */
	CTQ_TREE,		/* <start>.<index>.<size>.tree */
	CTQ_CONSISTENCY,	/* <start>.<first>.<second>.sth-consistency */
	CTQ_HASH_ENT,		/* hash */
	CTQ_TREE_ENT,		/* tree with 0..2 numeric labels */
	CTQ_CONSISTENCY_ENT,	/* sth-consistency with 0..2 numeric labels */
};

/* A parsed query name. Fields a form does not carry are 0. */
struct ctq {
	enum ctq_kind kind;
	/*
	 * Labels left of the keyword: for *_ENT the numeric labels present
	 * (0..2); 3 for CTQ_TREE and CTQ_CONSISTENCY; 1 for CTQ_HASH; 0
	 * otherwise.
	 */
	unsigned depth;
	uint64_t start;		/* CTQ_TREE, CTQ_CONSISTENCY */
	uint64_t index;		/* tree, depth >= 2 */
	uint64_t size;		/* tree, depth >= 1 */
	uint64_t first;		/* sth-consistency, depth >= 2 */
	uint64_t second;	/* sth-consistency, depth >= 1 */
	uint8_t hash[32];	/* CTQ_HASH: the decoded leaf hash */
};

/*
 * Parse the part of a query name below the zone apex.
 * @param rel: the labels below the apex in DNS wire form: length-prefixed
 *	labels, leftmost first, no root label, no compression. Borrowed;
 *	only rel_len bytes are read.
 * @param rel_len: bytes in rel; 0 means the apex itself.
 * @param out: receives the parsed name; zeroed first, so it is all zero
 *	(kind CTQ_APEX) on failure.
 * @return: CTD_OK, or CTD_ENOTFOUND when the name fits no form (the answer
 *	is NXDOMAIN). A rel that is not a well-formed label sequence (a
 *	label overrunning rel_len, an empty or over-long label) also gives
 *	CTD_ENOTFOUND: it fits no form either.
 */
int ctq_parse(const uint8_t *rel, size_t rel_len, struct ctq *out);

/*
 * Whether a parsed name exists, with data or as an empty non-terminal, in
 * a log whose latest verified tree has tree_size leaves.
 *   CTQ_APEX, CTQ_STH, CTQ_CHECKPOINT, CTQ_HASH: always (an unknown leaf hash is found out
 *	later, by the store or the log).
 *   CTQ_TREE: index < size <= tree_size, start < merkle_path_len().
 *   CTQ_CONSISTENCY: 0 < first < second <= tree_size,
 *	start < merkle_consistency_len().
 *   *_ENT: some full name below exists; so "hash" needs tree_size >= 1,
 *	"tree" and "sth-consistency" tree_size >= 2, "<size>.tree"
 *	2 <= size <= tree_size, "<second>.sth-consistency"
 *	2 <= second <= tree_size, and so on.
 * @param q: a name ctq_parse() accepted.
 * @param tree_size: leaves in the latest verified tree.
 * @return: true when the name exists.
 */
bool ctq_exists(const struct ctq *q, uint64_t tree_size);

#endif /* CTD_CTQ_H */
