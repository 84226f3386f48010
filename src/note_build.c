/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * note_build.c -- checkpoints and RFC6962NoteSignature lines built from a
 * verified RFC 6962 STH: the `checkpoint` answer of an RFC 6962 log, and
 * the same form for a tiled log's head (which came from such a note).
 *
 * Pure: no I/O, no logging, no clock. The inverse of note_open_rfc6962()
 * (note.c); the unit test checks that a note built here opens there.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "note.h"

/* "— ": U+2014 EM DASH then a space. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4

/* An origin fit for a checkpoint's first line and a key name. */
static bool
origin_ok(const char *origin, size_t len)
{
	return len > 0 && len <= NOTE_ORIGIN_MAX &&
	    memchr(origin, '\n', len) == NULL && note_name_valid(origin, len);
}

int
note_checkpoint_text(const char *origin, size_t origin_len, uint64_t size,
    const uint8_t root[MERKLE_HASH_LEN], char *out, size_t cap,
    size_t *out_len)
{
	char b64[48];
	size_t b64_len;
	int n;

	if (!origin_ok(origin, origin_len)) {
		return CTD_EINVAL;
	}
	if (base64_encode(root, MERKLE_HASH_LEN, b64, sizeof(b64), &b64_len) !=
	    CTD_OK) {
		return CTD_ESPACE;
	}
	n = snprintf(out, cap, "%.*s\n%" PRIu64 "\n%.*s\n", (int)origin_len,
	    origin, size, (int)b64_len, b64);
	if (n < 0 || (size_t)n >= cap) {
		return CTD_ESPACE;
	}
	*out_len = (size_t)n;
	return CTD_OK;
}

int
note_url_origin(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://");
	size_t len;

	if (p == NULL) {
		return CTD_EINVAL;
	}
	p += 3;
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/') {
		len--;
	}
	if (len == 0) {
		return CTD_EINVAL;
	}
	if (len >= cap) {
		return CTD_ESPACE;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	return CTD_OK;
}

int
note_rfc6962_line(const char *origin, size_t origin_len,
    const uint8_t log_id[MERKLE_HASH_LEN], const struct sth *sth, char *out,
    size_t cap, size_t *out_len)
{
	uint8_t sig[4 + 8 + STH_SIG_MAX];
	size_t b64_len, at;

	if (!origin_ok(origin, origin_len) || sth->sig_len > STH_SIG_MAX) {
		return CTD_EINVAL;
	}
	uint32_t id = note_key_id(origin, origin_len, NOTE_TYPE_RFC6962,
	    log_id, MERKLE_HASH_LEN);
	for (int i = 0; i < 4; i++) {
		sig[i] = (uint8_t)(id >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++) {
		sig[4 + i] = (uint8_t)(sth->timestamp >> (56 - 8 * i));
	}
	memcpy(sig + 12, sth->sig, sth->sig_len);
	at = SIG_PREFIX_LEN + origin_len + 1;
	if (cap < at) {
		return CTD_ESPACE;
	}
	memcpy(out, sig_prefix, SIG_PREFIX_LEN);
	memcpy(out + SIG_PREFIX_LEN, origin, origin_len);
	out[at - 1] = ' ';
	if (base64_encode(sig, 12 + (size_t)sth->sig_len, out + at, cap - at,
	    &b64_len) != CTD_OK || cap - at - b64_len < 2) {
		return CTD_ESPACE;
	}
	at += b64_len;
	out[at++] = '\n';
	out[at] = '\0';
	*out_len = at;
	return CTD_OK;
}

int
note_rfc6962_note(const char *origin, size_t origin_len,
    const uint8_t log_id[MERKLE_HASH_LEN], const struct sth *sth, char *out,
    size_t cap, size_t *out_len)
{
	size_t a = 0, b = 0;
	int rc = note_checkpoint_text(origin, origin_len, sth->tree_size,
	    sth->root, out, cap, &a);
	if (rc != CTD_OK) {
		return rc;
	}
	if (a + 1 >= cap) {
		return CTD_ESPACE;
	}
	out[a++] = '\n';
	rc = note_rfc6962_line(origin, origin_len, log_id, sth, out + a,
	    cap - a, &b);
	*out_len = a + b;
	return rc;
}
