/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * badfile.h -- what the unit tests of a file loader (the configuration,
 * a zone file) share: the table of files the loader must refuse, and the
 * check of its answer: the status, nothing returned, and an error
 * message that names the file and line, "<path>:<line>: <msg>" ("<path>:
 * <msg>" for line 0, an error of the whole file).
 *
 * Include after tap.h.
 */
#ifndef CTD_BADFILE_H
#define CTD_BADFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct bad {
	const char *file;
	int rc;
	unsigned line;		/* 0: a whole-file error, "file: " prefix */
	const char *msg;	/* must appear right after the prefix */
};

/*
 * Check the loader's answer for b.
 * @param path: the file the loader was given (b->file under its dir).
 * @param rc: the loader's status.
 * @param none: whether it returned nothing (NULL).
 * @param what: what it returns, for the test's name ("zone").
 * @param err: the message buffer, err_len bytes, filled with 'x' before
 *	the call so that a missing terminator shows.
 */
static inline void
bad_check(const struct bad *b, const char *path, int rc, bool none,
    const char *what, const char *err, size_t err_len)
{
	char want[512];

	if (b->line > 0) {
		snprintf(want, sizeof(want), "%s:%u: %s", path, b->line,
		    b->msg);
	} else {
		snprintf(want, sizeof(want), "%s: %s", path, b->msg);
	}
	is_int(rc, b->rc, "%s: %s", b->file, ctd_strerror(b->rc));
	ok(none, "%s: no %s returned", b->file, what);
	bool pass = strncmp(err, want, strlen(want)) == 0;
	ok(pass, "%s: message starts '%s'", b->file, want);
	if (!pass) {
		diag("  got '%.*s'", (int)err_len - 1, err);
	}
}

#endif /* CTD_BADFILE_H */
