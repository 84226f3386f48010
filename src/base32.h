/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * base32.h -- the 52-character base32 form of a leaf hash in a query name.
 *
 * CT over DNS names a leaf by RFC 4648 section 6 base32 (alphabet A-Z 2-7,
 * not the extended-hex alphabet of NSEC3) of its 32-byte leaf hash, with the
 * "====" padding removed: 52 characters carrying 260 bits, of which the
 * last 4 are zero. The decoder is strict so that one hash has exactly one
 * name (apart from letter case, which DNS ignores): exactly 52 characters,
 * no padding, no white space, zero trailing bits.
 *
 * Pure and on the daemon's hot path: no allocation, no system call, no
 * logging. The bit shuffling is ldns' (ldns_b32_ntop / ldns_b32_pton); this
 * module adds the strictness ldns leaves out (ldns skips white space, stops
 * at '=' or NUL, needs padding and ignores trailing bits).
 */
#ifndef CTD_BASE32_H
#define CTD_BASE32_H

#include <stddef.h>
#include <stdint.h>

/* Characters in the unpadded base32 form of a 32-byte hash. */
#define BASE32_HASH_LEN 52

/*
 * Encode a 32-byte hash as 52 upper-case base32 characters, no padding.
 * @param in: the hash.
 * @param out: receives the 52 characters and a terminating NUL.
 */
void base32_encode_hash(const uint8_t in[32], char out[BASE32_HASH_LEN + 1]);

/*
 * Decode the 52-character base32 form of a 32-byte hash, case-insensitive.
 * @param in: the characters; need not be NUL-terminated, only len bytes
 *	are read.
 * @param len: must be BASE32_HASH_LEN.
 * @param out: receives the hash; unspecified on error.
 * @return: CTD_OK, or CTD_EMALF when len is not 52, a character is outside
 *	A-Z a-z 2-7 (so '=' padding and white space are rejected), or the
 *	4 trailing bits are not zero (the last character must be A or Q).
 */
int base32_decode_hash(const char *in, size_t len, uint8_t out[32]);

#endif /* CTD_BASE32_H */
