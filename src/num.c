/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * num.c -- the one parser of unsigned decimal numbers (see num.h).
 */
#include "config.h"

#include <string.h>

#include "err.h"
#include "num.h"

int
num_parse_u64(const char *s, size_t len, unsigned flags, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0) {
		return CTD_EMALF;
	}
	if (len > 1 && s[0] == '0' && !(flags & NUM_LEADING_ZEROS)) {
		return CTD_EMALF;
	}
	/* Left to right, the first fault wins: twenty 9s then an "x" are
	 * out of range before the "x" is seen. */
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return CTD_EMALF;
		}
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			return CTD_ERANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return CTD_OK;
}

int
num_parse_u64_str(const char *s, unsigned flags, uint64_t *out)
{
	return num_parse_u64(s, strlen(s), flags, out);
}
