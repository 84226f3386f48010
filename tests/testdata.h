/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testdata.h -- reading the unit tests' data files under tests/data/.
 *
 * Include after tap.h, with TESTDATA_DIR (the folder under tests/data)
 * and MAX_FIELDS (fields per line) defined. Files are found through the
 * top_srcdir environment variable that make check sets ("." otherwise).
 */
#ifndef CTD_TESTDATA_H
#define CTD_TESTDATA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The path of a data file; a static buffer, valid until the next call. */
static inline const char *
testdata_path(const char *name)
{
	static char path[1024];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/tests/data/%s/%s",
	    top != NULL ? top : ".", TESTDATA_DIR, name);
	return path;
}

/* Split a line in place on spaces; returns the number of fields. */
static inline int
testdata_split(char *line, char **f)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \n", &save); t != NULL &&
	    n < MAX_FIELDS; t = strtok_r(NULL, " \n", &save)) {
		f[n++] = t;
	}
	return n;
}

/* Decode hex into out (room for cap); returns the byte count or -1. */
static inline long
testdata_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > cap) {
		return -1;
	}
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			return -1;
		}
		out[i] = (uint8_t)v;
	}
	return (long)(n / 2);
}

/* Call fn(fields, n) for each data line of a file (not blank, not a
 * '#' comment); returns the count. A missing file is a failed test. */
static inline int
testdata_each_line(const char *name, void (*fn)(char **, int))
{
	FILE *f = fopen(testdata_path(name), "r");
	char *line = NULL;
	size_t cap = 0;
	int count = 0;
	if (f == NULL) {
		ok(0, "open %s", testdata_path(name));
		return 0;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *fields[MAX_FIELDS];
		if (line[0] == '#' || line[0] == '\n') {
			continue;
		}
		fn(fields, testdata_split(line, fields));
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

#endif /* CTD_TESTDATA_H */
