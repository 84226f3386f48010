/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * leafkey.h -- leaf index keys as two integers, and their sort.
 *
 * A key of the leaf index (store.h, "l" table) is the first 8 bytes of a
 * leaf hash, then the leaf's index, both big-endian: held as two
 * integers, their numeric order is the key order, a key is 16 bytes
 * instead of a 40-byte leaf, and sorting reads no hash through a pointer
 * (a million keys sorted by memcmp of their hashes cost the writer thread
 * about half a microsecond per key, mostly cache misses).
 *
 * The sort is two counting passes on the top bits of the prefix: 256
 * buckets by the top 8 bits, in place (a second array of n keys would be
 * fresh memory, a page fault per 4 KiB), then each of those by up to 12
 * bits more, in the cache (leaf hashes are uniformly random, so
 * a bucket of the second pass holds a few keys); then each bucket sorted
 * on its own: by insertion when small, by qsort otherwise, so that
 * hashes made to share their top bits cost n log n, not n^2. Pure: no
 * I/O, no logging.
 */
#ifndef CTD_LEAFKEY_H
#define CTD_LEAFKEY_H

#include <stddef.h>
#include <stdint.h>

/* One key of the leaf index, in key order as (prefix, index). */
struct leafkey {
	uint64_t prefix;	/* the hash's first 8 bytes, big-endian */
	uint64_t index;		/* the leaf's index */
};

/* The key of the leaf of this hash at this index. */
struct leafkey leafkey_of(const uint8_t hash[32], uint64_t index);

/* Write k as the 16 bytes of the stored key. */
void leafkey_bytes(uint8_t out[16], const struct leafkey *k);

/*
 * Sort keys in key order (prefix, then index); equal keys stay (they are
 * the same key: the caller skips repeats).
 * @param keys: sorted in place.
 * @return: CTD_OK; CTD_ENOMEM (keys in another order, none lost).
 */
int leafkey_sort(struct leafkey *keys, size_t n);

#endif /* CTD_LEAFKEY_H */
