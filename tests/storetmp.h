/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * storetmp.h -- what the unit tests that open a store share: a fresh
 * temporary directory for it, removed with everything under it at the
 * end, and the seeded bytes they (and test_proved) fill hashes, log IDs
 * and signatures with (the same seed always gives the same bytes).
 *
 * Include after tap.h. The directory goes under $TMPDIR, or /tmp when
 * TMPDIR is unset or empty.
 */
#ifndef CTD_STORETMP_H
#define CTD_STORETMP_H

#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/*
 * Make a fresh directory "<tmp>/<name>.XXXXXX".
 * @param dir: receives the directory's path.
 * @param dir_len: the size of dir.
 * @param name: the test's name, the first part of the directory's.
 * @return: true; false after a diag when the path does not fit or the
 *	directory cannot be made.
 */
static inline bool
storetmp_make(char *dir, size_t dir_len, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, dir_len, "%s/%s.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name);

	if (n < 0 || (size_t)n >= dir_len) {
		diag("the temporary directory's path is too long");
		return false;
	}
	if (mkdtemp(dir) == NULL) {
		diag("mkdtemp %s failed", dir);
		return false;
	}
	return true;
}

/* nftw's callback: remove one entry (the directories come last). */
static inline int
storetmp_remove_one(const char *path, const struct stat *sb, int flag,
    struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/*
 * Remove a directory made by storetmp_make() and everything under it.
 * @param dir: the directory; its store must be closed.
 * @return: true; false after a diag when something could not be removed.
 */
static inline bool
storetmp_remove(const char *dir)
{
	if (nftw(dir, storetmp_remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		diag("could not remove %s", dir);
		return false;
	}
	return true;
}

/*
 * Fill len bytes from seed (xorshift32): not random, reproducible.
 * @param h: receives the bytes.
 * @param len: how many.
 * @param seed: different seeds give different bytes.
 */
static inline void
storetmp_fill(uint8_t *h, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		h[i] = (uint8_t)x;
	}
}

#endif /* CTD_STORETMP_H */
