/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refmerkle.h -- the unit tests' reference RFC 6962 tree: MTH computed
 * from scratch, the slow way of RFC 6962 section 2.1, to check the code
 * under test against; and a lookup in a proved set, a test's "store".
 *
 * Include after tap.h, and after merkle.h and proved.h.
 */
#ifndef CTD_REFMERKLE_H
#define CTD_REFMERKLE_H

#include <stdint.h>
#include <string.h>

/* MTH(D[lo:hi]) of the leaf hashes leaves[]. */
static inline void
ref_mth(const uint8_t (*leaves)[MERKLE_HASH_LEN], uint64_t lo, uint64_t hi,
    uint8_t out[MERKLE_HASH_LEN])
{
	if (hi - lo == 1) {
		memcpy(out, leaves[lo], MERKLE_HASH_LEN);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < hi - lo) {
		k *= 2;
	}
	uint8_t l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
	ref_mth(leaves, lo, lo + k, l);
	ref_mth(leaves, lo + k, hi, r);
	merkle_node_hash(l, r, out);
}

/* The range [b, e) of a proved set: CTD_OK or CTD_ENOTFOUND. */
static inline int
ref_proved_get(const struct proved *p, uint64_t b, uint64_t e,
    uint8_t out[MERKLE_HASH_LEN])
{
	for (size_t i = 0; i < p->range_count; i++) {
		if (p->ranges[i].begin == b && p->ranges[i].end == e) {
			memcpy(out, p->ranges[i].hash, MERKLE_HASH_LEN);
			return CTD_OK;
		}
	}
	return CTD_ENOTFOUND;
}

#endif /* CTD_REFMERKLE_H */
