/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_num.c -- the one parser of unsigned decimal numbers.
 *
 * Every accepted and refused form: the bounds of 64 bits, signs, blanks,
 * bytes that are not digits (a NUL inside a length-bounded label among
 * them), leading zeros with and without NUM_LEADING_ZEROS, and the
 * length-bounded form reading exactly len bytes. A refused text never
 * touches the output.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "../tap.h"
#include "err.h"
#include "num.h"

int main(void);

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

struct vec {
	const char *text;
	unsigned flags;
	int rc;
	uint64_t want;	/* when rc is CTD_OK */
};

static const struct vec vecs[] = {
	{ "0", 0, CTD_OK, 0 },
	{ "1", 0, CTD_OK, 1 },
	{ "9", 0, CTD_OK, 9 },
	{ "10", 0, CTD_OK, 10 },
	{ "999999", 0, CTD_OK, 999999 },
	{ "4294967296", 0, CTD_OK, UINT64_C(4294967296) },
	{ "18446744073709551614", 0, CTD_OK, UINT64_MAX - 1 },
	{ "18446744073709551615", 0, CTD_OK, UINT64_MAX },
	{ "18446744073709551616", 0, CTD_ERANGE, 0 },
	{ "18446744073709551620", 0, CTD_ERANGE, 0 },
	{ "99999999999999999999", 0, CTD_ERANGE, 0 },
	{ "100000000000000000000", 0, CTD_ERANGE, 0 },
	/* The first fault wins, left to right. */
	{ "99999999999999999999x", 0, CTD_ERANGE, 0 },
	{ "1x99999999999999999999", 0, CTD_EMALF, 0 },
	{ "", 0, CTD_EMALF, 0 },
	{ "", NUM_LEADING_ZEROS, CTD_EMALF, 0 },
	{ "+1", 0, CTD_EMALF, 0 },
	{ "-1", 0, CTD_EMALF, 0 },
	{ "-0", 0, CTD_EMALF, 0 },
	{ " 1", 0, CTD_EMALF, 0 },
	{ "1 ", 0, CTD_EMALF, 0 },
	{ "1\n", 0, CTD_EMALF, 0 },
	{ "\t1", 0, CTD_EMALF, 0 },
	{ "1a", 0, CTD_EMALF, 0 },
	{ "a1", 0, CTD_EMALF, 0 },
	{ "0x10", 0, CTD_EMALF, 0 },
	{ "0x10", NUM_LEADING_ZEROS, CTD_EMALF, 0 },
	{ "1e3", 0, CTD_EMALF, 0 },
	{ "1.0", 0, CTD_EMALF, 0 },
	{ "1,000", 0, CTD_EMALF, 0 },
	{ "/", 0, CTD_EMALF, 0 },	/* '0' - 1 */
	{ ":", 0, CTD_EMALF, 0 },	/* '9' + 1 */
	{ "\xd9\xa1", 0, CTD_EMALF, 0 },	/* ARABIC-INDIC DIGIT ONE */
	{ "01", 0, CTD_EMALF, 0 },
	{ "00", 0, CTD_EMALF, 0 },
	{ "007", NUM_LEADING_ZEROS, CTD_OK, 7 },
	{ "00", NUM_LEADING_ZEROS, CTD_OK, 0 },
	{ "0018446744073709551615", NUM_LEADING_ZEROS, CTD_OK, UINT64_MAX },
	{ "0018446744073709551616", NUM_LEADING_ZEROS, CTD_ERANGE, 0 },
	{ "000000000000000000000000000001", NUM_LEADING_ZEROS, CTD_OK, 1 },
};

static void
test_vectors(void)
{
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		uint64_t got = SENTINEL;
		int rc = num_parse_u64_str(v->text, v->flags, &got);
		is_int(rc, v->rc, "\"%s\" (flags %u): %s", v->text, v->flags,
		    ctd_strerror(v->rc));
		if (v->rc == CTD_OK) {
			ok(got == v->want, "\"%s\" is %" PRIu64 " (got %"
			    PRIu64 ")", v->text, v->want, got);
		} else {
			ok(got == SENTINEL, "\"%s\": output untouched",
			    v->text);
		}
		/* The bounded form over the same bytes agrees. */
		uint64_t got2 = SENTINEL;
		int rc2 = num_parse_u64(v->text, strlen(v->text), v->flags,
		    &got2);
		ok(rc2 == rc && got2 == got, "\"%s\": bounded form agrees",
		    v->text);
	}
}

/* The bounded form reads exactly len bytes: a label in a longer name. */
static void
test_bounded(void)
{
	uint64_t v = SENTINEL;
	const char name[] = "123.456.tree";
	is_int(num_parse_u64(name, 3, 0, &v), CTD_OK, "bounded: first label");
	ok(v == 123, "bounded: 123");
	is_int(num_parse_u64(name + 4, 3, 0, &v), CTD_OK,
	    "bounded: second label");
	ok(v == 456, "bounded: 456");
	is_int(num_parse_u64(name, 4, 0, &v), CTD_EMALF,
	    "bounded: the dot is not a digit");
	is_int(num_parse_u64(name, 0, 0, &v), CTD_EMALF,
	    "bounded: an empty label");
	static const char nul[] = { '1', '\0', '2' };
	v = SENTINEL;
	is_int(num_parse_u64(nul, sizeof nul, 0, &v), CTD_EMALF,
	    "bounded: a NUL byte inside the label is refused");
	ok(v == SENTINEL, "bounded: output untouched");
	/* Twenty digits of a longer run of nines: within range. */
	const char nines[] = "1844674407370955161599";
	is_int(num_parse_u64(nines, 20, 0, &v), CTD_OK,
	    "bounded: UINT64_MAX as the first 20 bytes");
	ok(v == UINT64_MAX, "bounded: UINT64_MAX");
	is_int(num_parse_u64(nines, 21, 0, &v), CTD_ERANGE,
	    "bounded: one byte more overflows");
	is_int((int)strlen("18446744073709551615"), NUM_U64_MAX_DIGITS,
	    "NUM_U64_MAX_DIGITS is the length of UINT64_MAX");
}

/* Every value of a sweep of magnitudes survives a print and a parse. */
static void
test_round_trip(void)
{
	unsigned bad = 0;
	uint64_t x = 1;
	for (int i = 0; i < 64; i++, x <<= 1) {
		uint64_t cases[3] = { x - 1, x, x + (x >> 1) };
		for (int k = 0; k < 3; k++) {
			char text[32];
			uint64_t got = SENTINEL;
			snprintf(text, sizeof text, "%" PRIu64, cases[k]);
			if (num_parse_u64_str(text, 0, &got) != CTD_OK ||
			    got != cases[k]) {
				bad++;
			}
		}
	}
	is_int(bad, 0, "round trip: 192 values around powers of two");
}

int
main(void)
{
	test_vectors();
	test_bounded();
	test_round_trip();
	return done_testing();
}
