/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * base64.h -- strict RFC 4648 standard base64 (with padding) over OpenSSL.
 *
 * CT logs give every binary value (hashes, signatures, keys, leaves) in
 * standard base64, and the CT-over-DNS STH text carries two of them. The
 * codec itself is OpenSSL's (EVP_EncodeBlock / EVP_DecodeBlock); this module
 * adds what those lack: bounded output buffers, exact decoded lengths (the
 * OpenSSL decoder counts padding as zero bytes) and strictness. A decoder
 * that accepted several spellings of one value would let two different
 * texts mean the same hash, so only the canonical RFC 4648 section 4 form
 * passes: the standard alphabet, padding to a multiple of 4, '=' only at the
 * end, no whitespace or line breaks, and zero unused bits in the last
 * character (RFC 4648 section 3.5).
 *
 * Pure: no I/O, no allocation, no logging.
 */
#ifndef CTD_BASE64_H
#define CTD_BASE64_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the base64 text of n bytes: 4 * ceil(n / 3).
 * @param n: number of input bytes.
 * @return: the text length, not counting a terminating NUL.
 */
size_t base64_encoded_len(size_t n);

/*
 * Encode bytes as standard base64 with padding.
 * @param in: len bytes (may be NULL when len is 0).
 * @param len: number of bytes.
 * @param out: room for cap bytes; receives the text and a NUL.
 * @param cap: size of out; base64_encoded_len(len) + 1 suffices.
 * @param out_len: if not NULL, set to the text length (without the NUL).
 * @return: CTD_OK; CTD_ESPACE when cap is too small (out is then untouched);
 *	CTD_ERANGE when len exceeds what OpenSSL encodes in one call (about
 *	1.5 GiB).
 */
int base64_encode(const uint8_t *in, size_t len, char *out, size_t cap,
    size_t *out_len);

/*
 * Decode canonical standard base64. The text need not be NUL-terminated.
 * @param in: len characters.
 * @param len: number of characters; must be a multiple of 4 (0 decodes to
 *	nothing).
 * @param out: room for cap bytes; receives exactly the decoded bytes.
 * @param cap: size of out; the exact decoded length suffices.
 * @param out_len: set to the number of bytes decoded.
 * @return: CTD_OK; CTD_EMALF when the text is not canonical base64 (a
 *	character outside the standard alphabet, whitespace, missing or
 *	misplaced padding, non-zero unused bits, len % 4 != 0, or a text
 *	longer than OpenSSL decodes in one call); CTD_ESPACE when cap is too
 *	small. On error out may hold partial output.
 */
int base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *out_len);

#endif /* CTD_BASE64_H */
