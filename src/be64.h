/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * be64.h -- a 64-bit integer as 8 big-endian bytes (network order): the
 * form of the integers of CT structures (RFC 6962 TLS encoding, signed
 * notes' timestamps) and of the store's keys, which then sort as numbers.
 *
 * Byte by byte, so any alignment will do. Header only, so that libctdns
 * and the daemon share it without a symbol.
 */
#ifndef CTD_BE64_H
#define CTD_BE64_H

#include <stdint.h>

static inline void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

#endif /* CTD_BE64_H */
