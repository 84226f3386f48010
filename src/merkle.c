/* SPDX-License-Identifier: BSD-3-Clause */
/* merkle.c -- RFC 6962 Merkle tree arithmetic: proof shapes and verification. */
#include "config.h"

#include "err.h"
#include "merkle.h"

/* The audit path length algorithm of the CT-over-DNS draft. */
size_t
merkle_path_len(uint64_t index, uint64_t size)
{
	if (index >= size) {
		return 0;
	}
	size_t len = 0;
	for (uint64_t ln = size - 1, li = index; ln != 0; li >>= 1, ln >>= 1) {
		if ((li & 1) || li < ln) {
			len++;
		}
	}
	return len;
}

/* Largest power of two strictly below n, for n >= 2. */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;
	while (k < n - k) {
		k <<= 1;
	}
	return k;
}

/* The consistency proof length algorithm of the CT-over-DNS draft. */
size_t
merkle_consistency_len(uint64_t first, uint64_t second)
{
	if (first == 0 || first >= second) {
		return 0;
	}
	uint64_t m = first, n = second;
	size_t len = 0;
	int b = 0;
	while (m != n) {
		len++;
		uint64_t k = split_point(n);
		if (m <= k) {
			n = k;
		} else {
			m -= k;
			n -= k;
			b = 1;
		}
	}
	return len + b;
}
