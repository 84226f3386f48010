/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.c -- run a fuzz target over its corpus without libFuzzer.
 *
 * Linked with one target (fuzz_X.c) into tests/fuzz/fuzz_X, a TAP program
 * for `make check`:
 *
 *	fuzz_X           every file of $top_srcdir/tests/fuzz/fuzz_X.in/
 *	fuzz_X PATH...   these files, and every file of these directories
 *
 * The target name is the program's base name. Each input is read into a
 * heap buffer of exactly its size, so ASan or valgrind see a read one byte
 * past its end. One TAP line per input; a target that aborts ends the
 * program, which the TAP driver reports as an error naming the last input
 * started (printed as a diagnostic before it runs). No input at all is a
 * failure, never a vacuous pass.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

struct inputs {
	char **paths;
	size_t count, cap;
};

static bool
add_path(struct inputs *in, const char *path)
{
	if (in->count == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 64;
		char **p = realloc(in->paths, cap * sizeof *p);
		if (p == NULL) {
			return false;
		}
		in->paths = p;
		in->cap = cap;
	}
	if ((in->paths[in->count] = strdup(path)) == NULL) {
		return false;
	}
	in->count++;
	return true;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Add path, or every regular file in it (sorted, not recursive). */
static bool
collect(struct inputs *in, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		return add_path(in, path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		return false;
	}
	bool good = true;
	for (int i = 0; i < n; i++) {
		char file[PATH_MAX];
		if (good && names[i]->d_name[0] != '.') {
			snprintf(file, sizeof file, "%s/%s", path,
			    names[i]->d_name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
				good = add_path(in, file);
			}
		}
		free(names[i]);
	}
	free(names);
	return good;
}

/* Read a whole file into an exact-size heap buffer (1 byte for empty). */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	struct stat st;
	if (f == NULL) {
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		goto out;
	}
	*len = (size_t)st.st_size;
	buf = malloc(*len > 0 ? *len : 1);
	if (buf != NULL && *len > 0 && fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
out:
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	struct inputs in = { 0 };
	const char *name = strrchr(argv[0], '/');
	name = name != NULL ? name + 1 : argv[0];
	int status = 1;

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			if (!collect(&in, argv[i])) {
				goto out;
			}
		}
	} else {
		const char *top = getenv("top_srcdir");
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s/tests/fuzz/%s.in",
		    top != NULL ? top : ".", name);
		if (!collect(&in, dir)) {
			goto out;
		}
	}
	if (in.count == 0) {
		printf("Bail out! no inputs for %s\n", name);
		goto out;
	}
	if (LLVMFuzzerInitialize(&argc, &argv) != 0) {
		printf("Bail out! %s: initialisation failed\n", name);
		goto out;
	}
	printf("1..%zu\n", in.count);
	status = 0;
	for (size_t i = 0; i < in.count; i++) {
		const char *base = strrchr(in.paths[i], '/');
		size_t len;
		uint8_t *data = slurp(in.paths[i], &len);
		base = base != NULL ? base + 1 : in.paths[i];
		if (data == NULL) {
			printf("not ok %zu - %s: cannot read\n", i + 1, base);
			status = 1;
			continue;
		}
		/* Seen in the log even when the target aborts. */
		printf("# %s %s (%zu bytes)\n", name, in.paths[i], len);
		fflush(stdout);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		printf("ok %zu - %s %s\n", i + 1, name, base);
	}
out:
	for (size_t i = 0; i < in.count; i++) {
		free(in.paths[i]);
	}
	free(in.paths);
	return status;
}
