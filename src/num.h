/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * num.h -- the one parser of unsigned decimal numbers.
 *
 * Every number the project reads as text goes through here: the fields of
 * a TXT tree head, the labels of a query name, configuration values, the
 * command lines of ctdns and ctlog-sim, the simulator's URL parameters.
 * The accepted form is ASCII digits only: no sign (not even '+'), no
 * blank, no "0x", nothing after the digits, and nothing above UINT64_MAX.
 * A leading zero is refused unless the caller asks for it ("0" itself is
 * always fine), so that one number has one spelling (a DNS label, a TXT
 * field) unless a person typed it (a configuration value).
 *
 * Pure: no allocation, no logging, no locale (isdigit() is not used).
 * libctdns carries its own copy under ctdns__ names (lib/namespace.h).
 */
#ifndef CTD_NUM_H
#define CTD_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Digits of UINT64_MAX: a canonical number is never longer. */
#define NUM_U64_MAX_DIGITS 20

/* Flags of num_parse_u64(). */
#define NUM_LEADING_ZEROS 0x1u	/* accept "007" as 7 */

/*
 * Parse exactly len bytes as an unsigned decimal number.
 * @param s: the text, not NUL terminated (a DNS label, a field); a NUL
 *	byte among the len is refused like any other non-digit.
 * @param len: bytes of s to read; 0 is refused.
 * @param flags: 0 (canonical), or NUM_LEADING_ZEROS.
 * @param out: receives the number; untouched on error.
 * @return: CTD_OK; CTD_EMALF for an empty text, a byte that is not a
 *	digit, or a leading zero the flags do not allow; CTD_ERANGE for a
 *	number above UINT64_MAX. Read left to right, the first fault wins.
 */
int num_parse_u64(const char *s, size_t len, unsigned flags, uint64_t *out);

/*
 * num_parse_u64() of a NUL-terminated string (all of it).
 * @return: as num_parse_u64().
 */
int num_parse_u64_str(const char *s, unsigned flags, uint64_t *out);

#endif /* CTD_NUM_H */
