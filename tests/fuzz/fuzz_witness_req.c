/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_witness_req.c -- fuzz target: witness_req_parse(), the tlog-witness
 * add-checkpoint request body ("old N", up to 63 proof lines, a blank
 * line, a checkpoint note).
 *
 * Input: the body itself.
 *
 * Properties: only the documented codes; on success at most
 * WITNESS_MAX_PROOF proof hashes, the note is the input's tail and its
 * origin lies inside it, and the head is canonical: "old <N>\n", the proof
 * hashes in base64 one per line and "\n" rebuild the input's bytes before
 * the note exactly.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "fuzz.h"
#include "witness.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The head a parsed request must have been, rebuilt from its fields. */
static size_t
rebuild_head(const struct witness_req *r, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "old %" PRIu64 "\n",
	    r->old_size);
	for (size_t i = 0; i < r->proof_count; i++) {
		size_t len = 0;
		FUZZ_CHECK(base64_encode(r->proof + i * MERKLE_HASH_LEN,
		    MERKLE_HASH_LEN, out + n, cap - n, &len) == CTD_OK);
		n += len;
		out[n++] = '\n';
	}
	out[n++] = '\n';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct witness_req r;
	static char head[64 + WITNESS_MAX_PROOF * 45 + 2];
	const char *in = (const char *)data;
	int rc = witness_req_parse(in, size, &r);
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF || rc == CTD_ERANGE);
	if (rc != CTD_OK) {
		return 0;
	}
	FUZZ_CHECK(r.proof_count <= WITNESS_MAX_PROOF);
	FUZZ_CHECK(r.note > in && r.note + r.note_len == in + size);
	FUZZ_CHECK(r.cp.origin >= r.note && r.cp.origin + r.cp.origin_len <=
	    r.note + r.note_len);
	size_t n = rebuild_head(&r, head, sizeof head);
	FUZZ_CHECK(n == (size_t)(r.note - in) && memcmp(head, in, n) == 0);
	return 0;
}
