/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_batch.c -- a mirror's batches hashed into the tree: for many tree
 * sizes and batch sizes, each batch's root equals RFC 6962's MTH computed
 * from scratch, every subtree it proves is the true one, and the next
 * batch finds what it needs among what the earlier ones proved; and it
 * needs nothing but the frontier of the batch before it (frontier.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "err.h"
#include "frontier.h"
#include "merkle.h"
#include "proved.h"
#include "../tap.h"
#include "../refmerkle.h"

#define MAX_LEAVES 1100

static uint8_t leaves[MAX_LEAVES][MERKLE_HASH_LEN];

static void
mth(uint64_t lo, uint64_t hi, uint8_t out[MERKLE_HASH_LEN])
{
	ref_mth((const uint8_t (*)[MERKLE_HASH_LEN])leaves, lo, hi, out);
}

/* The "store": every range the batches proved so far. */
static struct proved stored;

static int
known(void *arg, uint64_t b, uint64_t e, uint8_t out[MERKLE_HASH_LEN])
{
	(void)arg;
	return ref_proved_get(&stored, b, e, out);
}

/* Mirror n leaves in batches of `step`; check every root and range. */
static bool
mirror(uint64_t n, uint64_t step)
{
	proved_clear(&stored);
	for (uint64_t a = 0; a < n; a += step) {
		uint64_t b = a + step < n ? a + step : n;
		struct proved p;
		uint8_t root[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];
		proved_init(&p);
		int rc = batch_hash(a, b, leaves[a], known, NULL, &p, root);
		mth(0, b, want);
		bool good = rc == CTD_OK && memcmp(root, want, 32) == 0;
		for (size_t i = 0; good && i < p.range_count; i++) {
			mth(p.ranges[i].begin, p.ranges[i].end, want);
			good = memcmp(p.ranges[i].hash, want, 32) == 0 &&
			    p.ranges[i].end > a && p.ranges[i].end <= b;
			good = good && proved_add_range(&stored,
			    p.ranges[i].begin, p.ranges[i].end,
			    p.ranges[i].hash) == CTD_OK;
		}
		for (size_t i = 0; good && i < p.leaf_count; i++) {
			good = p.leaves[i].index >= a && p.leaves[i].index < b &&
			    memcmp(p.leaves[i].hash, leaves[p.leaves[i].index],
			    32) == 0;
			good = good && proved_add_range(&stored,
			    p.leaves[i].index, p.leaves[i].index + 1,
			    p.leaves[i].hash) == CTD_OK;
		}
		proved_free(&p);
		if (!good) {
			diag("n %llu step %llu: batch [%llu, %llu) rc %d",
			    (unsigned long long)n, (unsigned long long)step,
			    (unsigned long long)a, (unsigned long long)b, rc);
			return false;
		}
	}
	return true;
}

static int
from_frontier(void *arg, uint64_t b, uint64_t e, uint8_t out[MERKLE_HASH_LEN])
{
	return frontier_get(arg, b, e, out);
}

/* Mirror n leaves in batches of `step`, each hashed onto nothing but the
 * frontier the batches before it left in memory. */
static bool
mirror_frontier(uint64_t n, uint64_t step)
{
	static struct frontier fr;
	frontier_clear(&fr);
	for (uint64_t a = 0; a < n; a += step) {
		uint64_t b = a + step < n ? a + step : n;
		struct proved p;
		uint8_t root[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];
		proved_init(&p);
		int rc = batch_hash(a, b, leaves[a], from_frontier, &fr, &p,
		    root);
		mth(0, b, want);
		bool good = rc == CTD_OK && memcmp(root, want, 32) == 0;
		if (good) {
			frontier_advance(&fr, b, &p);
			good = fr.size == b && fr.present == b;
		}
		proved_free(&p);
		if (!good) {
			diag("frontier: n %llu step %llu: batch [%llu, %llu) "
			    "rc %d", (unsigned long long)n,
			    (unsigned long long)step, (unsigned long long)a,
			    (unsigned long long)b, rc);
			return false;
		}
	}
	return true;
}

int
main(void)
{
	for (unsigned i = 0; i < MAX_LEAVES; i++) {
		char text[32];
		int len = snprintf(text, sizeof text, "leaf %u", i);
		merkle_leaf_hash((const uint8_t *)text, (size_t)len, leaves[i]);
	}
	proved_init(&stored);
	static const uint64_t sizes[] = { 1, 2, 3, 7, 8, 9, 255, 256, 257,
		1000, 1024, 1025, 1100 };
	static const uint64_t steps[] = { 1, 3, 64, 256, 1000, 2000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		int bad = 0;
		for (size_t j = 0; j < sizeof steps / sizeof steps[0]; j++) {
			if (sizes[i] > 300 && steps[j] < 64) {
				continue;	/* slow, and nothing new */
			}
			bad += !mirror(sizes[i], steps[j]);
		}
		is_int(bad, 0, "tree of %llu leaves: every batch size",
		    (unsigned long long)sizes[i]);
	}

	static const uint64_t fsteps[] = { 1, 3, 5, 64, 256, 300, 1000 };
	int fbad = 0;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (size_t j = 0; j < sizeof fsteps / sizeof fsteps[0]; j++) {
			if (sizes[i] > 300 && fsteps[j] < 64) {
				continue;
			}
			fbad += !mirror_frontier(sizes[i], fsteps[j]);
		}
	}
	is_int(fbad, 0, "every batch hashes onto the frontier of the last");

	struct frontier fr;
	uint8_t root[32];
	frontier_clear(&fr);
	is_int(frontier_get(&fr, 0, 1, root), CTD_ENOTFOUND,
	    "an empty frontier holds nothing");
	proved_clear(&stored);
	is_int(batch_hash(256, 300, leaves[256], known, NULL, NULL, root),
	    CTD_ENOTFOUND, "a prefix that is not stored: CTD_ENOTFOUND");
	is_int(batch_hash(5, 5, leaves[5], known, NULL, NULL, root),
	    CTD_EINVAL, "an empty batch: CTD_EINVAL");
	proved_free(&stored);
	return done_testing();
}
