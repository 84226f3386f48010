/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_rfc6962.c -- fuzz target: the parsers of what a log sends.
 *
 * Input: one selector byte, then the body. The selector's value modulo 6
 * picks the parser: 0 rfc6962_parse_sth, 1 rfc6962_parse_consistency,
 * 2 rfc6962_parse_proof_by_hash, 3 rfc6962_parse_entry_and_proof,
 * 4 sth_from_txt (the client's side of `sth`), 5 rfc6962_parse_entries
 * (a mirror's get-entries). (selector / 6) % 8 picks the node (or entry)
 * limit: 0 the protocol's maximum, k the limit k - 1.
 *
 * The body is copied into a heap buffer of exactly its size and the node
 * array is exactly max_nodes hashes long, so a read or write past either
 * is an ASan error. Properties: only CTD_OK or CTD_EMALF (CTD_ENOMEM for
 * get-entry-and-proof); never more nodes than allowed; a body accepted
 * under a limit is accepted under any larger limit with the same nodes;
 * an STH parses back from its TXT text, and a TXT text that parses is
 * written back byte for byte (it is canonical).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "rfc6962.h"
#include "err.h"
#include "fuzz.h"
#include "merkle.h"
#include "sth.h"

enum {
	SEL_STH, SEL_CONSISTENCY, SEL_PROOF, SEL_ENTRY, SEL_TXT, SEL_ENTRIES,
	SEL_COUNT
};

/* The most entries a get-entries answer is parsed for here. */
#define ENTRIES_MAX 64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static bool
sth_equal(const struct sth *a, const struct sth *b)
{
	return a->tree_size == b->tree_size && a->timestamp == b->timestamp &&
	    memcmp(a->root, b->root, MERKLE_HASH_LEN) == 0 &&
	    a->sig_len == b->sig_len &&
	    memcmp(a->sig, b->sig, a->sig_len) == 0;
}

/* An STH survives its TXT form. */
static void
check_txt_roundtrip(const struct sth *s)
{
	char txt[STH_TXT_MAX];
	size_t len;
	struct sth back;
	FUZZ_CHECK(s->sig_len >= 4 && s->sig_len <= STH_SIG_MAX);
	FUZZ_CHECK(sth_to_txt(s, txt, sizeof txt, &len) == CTD_OK);
	FUZZ_CHECK(len == strlen(txt) && len < STH_TXT_MAX);
	FUZZ_CHECK(sth_from_txt(txt, len, &back) == CTD_OK);
	FUZZ_CHECK(sth_equal(s, &back));
}

/* Run one node parser with a node array of exactly max hashes. */
static int
parse_nodes(int sel, const uint8_t *body, size_t len, size_t max,
    uint8_t **nodes_out, size_t *count, uint64_t *index, uint8_t *leaf)
{
	uint8_t *nodes = malloc(max > 0 ? max * MERKLE_HASH_LEN : 1);
	int rc;
	FUZZ_CHECK(nodes != NULL);
	*count = SIZE_MAX;
	switch (sel) {
	case SEL_CONSISTENCY:
		rc = rfc6962_parse_consistency(body, len, nodes, max, count);
		break;
	case SEL_PROOF:
		rc = rfc6962_parse_proof_by_hash(body, len, index, nodes, max,
		    count);
		break;
	case SEL_ENTRIES:
		rc = rfc6962_parse_entries(body, len, nodes, max, count);
		break;
	default:
		rc = rfc6962_parse_entry_and_proof(body, len, leaf, nodes, max,
		    count);
		break;
	}
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF ||
	    (rc == CTD_ENOMEM && (sel == SEL_ENTRY || sel == SEL_ENTRIES)));
	if (rc == CTD_OK) {
		FUZZ_CHECK(*count <= max);
	}
	*nodes_out = nodes;
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) {
		return 0;
	}
	int sel = data[0] % SEL_COUNT;
	unsigned limit = (unsigned)(data[0] / SEL_COUNT) % 8;
	size_t len = size - 1;
	uint8_t *body = malloc(len > 0 ? len : 1);
	FUZZ_CHECK(body != NULL);
	if (len > 0) {
		memcpy(body, data + 1, len);
	}

	if (sel == SEL_STH) {
		struct sth s;
		int rc = rfc6962_parse_sth(body, len, &s);
		FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
		if (rc == CTD_OK) {
			check_txt_roundtrip(&s);
		}
	} else if (sel == SEL_TXT) {
		struct sth s;
		int rc = sth_from_txt((const char *)body, len, &s);
		FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
		if (rc == CTD_OK) {
			char txt[STH_TXT_MAX];
			size_t tlen;
			check_txt_roundtrip(&s);
			FUZZ_CHECK(sth_to_txt(&s, txt, sizeof txt, &tlen) ==
			    CTD_OK);
			FUZZ_CHECK(tlen == len && memcmp(txt, body, len) == 0);
		}
	} else {
		size_t full = sel == SEL_CONSISTENCY ? MERKLE_MAX_CONSISTENCY :
		    sel == SEL_ENTRIES ? ENTRIES_MAX : MERKLE_MAX_PATH;
		size_t max = limit == 0 ? full : limit - 1;
		uint8_t *a, *b;
		size_t na, nb;
		uint64_t ia = 0, ib = 0;
		uint8_t la[MERKLE_HASH_LEN], lb[MERKLE_HASH_LEN];
		int rc = parse_nodes(sel, body, len, max, &a, &na, &ia, la);
		if (rc == CTD_OK && max < full) {
			/* More room changes nothing for a body that fit. */
			int rc2 = parse_nodes(sel, body, len, full, &b, &nb,
			    &ib, lb);
			FUZZ_CHECK(rc2 == CTD_OK && nb == na && ib == ia);
			FUZZ_CHECK(na == 0 ||
			    memcmp(a, b, na * MERKLE_HASH_LEN) == 0);
			if (sel == SEL_ENTRY) {
				FUZZ_CHECK(memcmp(la, lb, sizeof la) == 0);
			}
			free(b);
		}
		free(a);
	}
	free(body);
	return 0;
}
