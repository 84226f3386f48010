/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tap.h -- a tiny Test Anything Protocol harness for the unit tests.
 *
 * plan(n) first (or done_testing() at the end), then ok/is_int/is_mem.
 * exit_status() returns non-zero when any test failed or the plan was
 * missed, so automake's TAP driver and a plain run agree.
 */
#ifndef CTD_TAP_H
#define CTD_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

static int tap_run, tap_failed, tap_planned = -1;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void TAP_PRINTF(1, 2)
diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static inline bool TAP_PRINTF(2, 0)
tap_result(bool pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass) {
		tap_failed++;
	}
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	return pass;
}

static inline bool TAP_PRINTF(2, 3)
ok(bool pass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool r = tap_result(pass, fmt, ap);
	va_end(ap);
	return r;
}

#define is_int(got, want, ...) tap_is_int((int64_t)(got), (int64_t)(want), __VA_ARGS__)
static inline bool TAP_PRINTF(3, 4)
tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool r = tap_result(got == want, fmt, ap);
	va_end(ap);
	if (!r) {
		diag("  got %" PRId64 ", want %" PRId64, got, want);
	}
	return r;
}

static inline bool TAP_PRINTF(4, 5)
is_mem(const void *got, const void *want, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool r = tap_result(memcmp(got, want, len) == 0, fmt, ap);
	va_end(ap);
	return r;
}

static inline int
exit_status(void)
{
	if (tap_planned < 0) {
		printf("1..%d\n", tap_run);
	} else if (tap_planned != tap_run) {
		diag("planned %d tests but ran %d", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#define done_testing() exit_status()

#endif /* CTD_TAP_H */
