/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * witness_req.c -- parse a tlog-witness add-checkpoint request body (pure:
 * bytes in, struct out; fuzzed by tests/fuzz/fuzz_witness_req.c).
 *
 * The body is "old <size>\n", up to WITNESS_MAX_PROOF consistency proof
 * lines (canonical base64 of one 32-byte hash each), an empty line, then
 * a checkpoint note (c2sp.org/tlog-witness). Every line ends in a newline;
 * the size is canonical decimal (no sign, no leading zero but "0").
 */
#include "config.h"

#include <string.h>

#include "base64.h"
#include "err.h"
#include "num.h"
#include "witness.h"

/* Characters of the base64 of a 32-byte hash. */
#define HASH_B64_LEN 44

/* The next line of [*p, end) without its newline; false when there is no
 * newline. */
static bool
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL) {
		return false;
	}
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return true;
}

static int
parse_old(const char *line, size_t len, uint64_t *out)
{
	if (len < 5 || memcmp(line, "old ", 4) != 0) {
		return CTD_EMALF;
	}
	return num_parse_u64(line + 4, len - 4, 0, out) == CTD_OK ?
	    CTD_OK : CTD_EMALF;
}

/* The proof lines up to and including the empty line. */
static int
parse_proof(const char **p, const char *end, struct witness_req *out)
{
	const char *line;
	size_t len;
	for (;;) {
		if (!next_line(p, end, &line, &len)) {
			return CTD_EMALF;
		}
		if (len == 0) {
			return CTD_OK;
		}
		if (out->proof_count == WITNESS_MAX_PROOF) {
			return CTD_ERANGE;
		}
		size_t got = 0;
		uint8_t *dst = out->proof + out->proof_count * MERKLE_HASH_LEN;
		if (len != HASH_B64_LEN || base64_decode(line, len, dst,
		    MERKLE_HASH_LEN, &got) != CTD_OK ||
		    got != MERKLE_HASH_LEN) {
			return CTD_EMALF;
		}
		out->proof_count++;
	}
}

int
witness_req_parse(const char *req, size_t len, struct witness_req *out)
{
	const char *p = req, *end = req + len;
	const char *line;
	size_t line_len;
	out->proof_count = 0;
	out->note = NULL;
	out->note_len = 0;
	if (len == 0 || !next_line(&p, end, &line, &line_len) ||
	    parse_old(line, line_len, &out->old_size) != CTD_OK) {
		return CTD_EMALF;
	}
	int rc = parse_proof(&p, end, out);
	if (rc != CTD_OK) {
		return rc;
	}
	out->note = p;
	out->note_len = (size_t)(end - p);
	if (note_parse(out->note, out->note_len, &out->parsed) != CTD_OK ||
	    note_parse_checkpoint(out->parsed.text, out->parsed.text_len,
	    &out->cp) != CTD_OK) {
		return CTD_EMALF;
	}
	return CTD_OK;
}
