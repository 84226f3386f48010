/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_audit.c -- audit_judge() (lib/audit.h): an STH from elsewhere
 * against the served one, on two trees that share a prefix and then
 * differ (a split view), with proofs built from the reference MTH.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "audit.h"
#include "err.h"
#include "merkle.h"
#include "proved.h"
#include "sth.h"
#include "../refmerkle.h"

#define LEAVES 40
#define SPLIT_AT 13

/* Two histories: b equals a before SPLIT_AT, and differs from there on. */
static uint8_t a[LEAVES][MERKLE_HASH_LEN], b[LEAVES][MERKLE_HASH_LEN];

static void
make_trees(void)
{
	for (int i = 0; i < LEAVES; i++) {
		char leaf[32];
		int n = snprintf(leaf, sizeof leaf, "leaf %d", i);
		merkle_leaf_hash((const uint8_t *)leaf, (size_t)n, a[i]);
		n = snprintf(leaf, sizeof leaf, "%s %d",
		    i < SPLIT_AT ? "leaf" : "fork", i);
		merkle_leaf_hash((const uint8_t *)leaf, (size_t)n, b[i]);
	}
}

/* An STH of tree size of history h (no signature: judge never looks). */
static struct sth
head(const uint8_t (*h)[MERKLE_HASH_LEN], uint64_t size)
{
	struct sth s = { .tree_size = size, .timestamp = 1000 + size };

	if (size == 0) {
		static const uint8_t empty[MERKLE_HASH_LEN] = {
			0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
			0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
			0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
			0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
		};
		memcpy(s.root, empty, MERKLE_HASH_LEN);
	} else {
		ref_mth(h, 0, size, s.root);
	}
	return s;
}

/* PROOF(m, D[0:n]) of history h, from the reference MTH of each range. */
static size_t
proof(const uint8_t (*h)[MERKLE_HASH_LEN], uint64_t m, uint64_t n,
    uint8_t *out)
{
	struct merkle_range r[MERKLE_MAX_CONSISTENCY];
	size_t len = merkle_consistency_ranges(m, n, r);

	for (size_t i = 0; i < len; i++) {
		ref_mth(h, r[i].begin, r[i].end, out + i * MERKLE_HASH_LEN);
	}
	return len;
}

/* Judge held (history hh, size m) against served (history sh, size n),
 * the proof taken from the served history as a front end would give. */
static int
judge(const uint8_t (*hh)[MERKLE_HASH_LEN], uint64_t m,
    const uint8_t (*sh)[MERKLE_HASH_LEN], uint64_t n,
    struct audit_result *res)
{
	uint8_t p[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	struct sth held = head(hh, m), served = head(sh, n);
	size_t count = m > 0 && m < n ? proof(sh, m, n, p) : 0;

	return audit_judge(&held, &served, p, count, res);
}

int
main(void)
{
	struct audit_result res;

	plan(24);
	make_trees();

	/* One history: every size against every larger or equal one. */
	int bad = 0;
	for (uint64_t n = 1; n <= LEAVES; n++) {
		for (uint64_t m = 0; m <= n; m++) {
			if (judge(a, m, a, n, &res) != CTD_OK ||
			    res.verdict != AUDIT_CONSISTENT) {
				bad++;
			}
		}
	}
	is_int(bad, 0, "every prefix of one history is consistent with "
	    "every later head");
	is_int(judge(a, 7, a, 20, &res), CTD_OK, "7 -> 20 judged");
	is_int(res.check, AUDIT_CHECK_CONSISTENCY, "by a consistency proof");
	is_int(res.proof_len, merkle_consistency_len(7, 20),
	    "of the length the sizes imply");
	is_int(judge(a, 8, a, 20, &res), CTD_OK, "8 (a power of two) -> 20");
	is_int(res.verdict, AUDIT_CONSISTENT, "consistent");

	/* The split view: heads of b against heads of a. */
	is_int(judge(b, SPLIT_AT, a, 30, &res), CTD_OK,
	    "b at the split point against a's 30");
	is_int(res.verdict, AUDIT_CONSISTENT, "the shared prefix is "
	    "consistent with both views");
	is_int(judge(b, 30, a, 30, &res), CTD_OK, "same size, two views");
	is_int(res.verdict, AUDIT_SPLIT, "same size, other root: split");
	is_int(res.check, AUDIT_CHECK_SAME_SIZE, "found by the root "
	    "comparison");
	is_int(judge(b, 20, a, 30, &res), CTD_OK, "b's 20 against a's 30");
	is_int(res.verdict, AUDIT_SPLIT, "smaller head of the other view: "
	    "split");
	is_int(res.check, AUDIT_CHECK_CONSISTENCY, "found by the "
	    "consistency proof");
	is_int(judge(b, 16, a, 30, &res), CTD_OK, "b's 16 (a power of two)");
	is_int(res.verdict, AUDIT_SPLIT, "split found from a power of two");
	is_int(judge(a, SPLIT_AT + 1, b, 30, &res), CTD_OK,
	    "a's head one past the split against b's 30");
	is_int(res.verdict, AUDIT_SPLIT, "split");

	/* Beyond the served head. */
	is_int(judge(b, 31, a, 30, &res), CTD_OK, "held 31 > served 30");
	is_int(res.verdict, AUDIT_NOT_YET, "not yet verifiable, even from "
	    "another view");
	is_int(res.check, AUDIT_CHECK_NONE, "nothing compared");

	/* A proof of the wrong length is refused, not judged. */
	struct sth held = head(a, 7), served = head(a, 20);
	uint8_t p[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	size_t count = proof(a, 7, 20, p);
	is_int(audit_judge(&held, &served, p, count - 1, &res), CTD_EMALF,
	    "a short proof is malformed");
	/* A tampered proof is a split, found by the proof. */
	p[0] ^= 1;
	is_int(audit_judge(&held, &served, p, count, &res), CTD_OK,
	    "a tampered proof is judged");
	is_int(res.verdict, AUDIT_SPLIT, "and fails");
	return exit_status();
}
