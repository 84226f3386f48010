/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * note.c -- C2SP signed notes, checkpoints and their signatures.
 *
 * Parsing works on the caller's bytes in place and never writes them. The
 * note is checked once as a whole (size, UTF-8, control characters, final
 * newline), then split at its last blank line; every later step may rely
 * on that. Signature lines are checked for form (name, canonical base64,
 * at least a key ID) when parsed, and decoded again only when a caller
 * verifies one, so a note of a hundred foreign lines costs no more than
 * their base64 check. note_ed25519.c holds the Ed25519 half of note.h:
 * verifier keys, Ed25519 note signatures and cosignature/v1.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "base64.h"
#include "be64.h"
#include "err.h"
#include "logkey.h"
#include "note.h"

/* U+2014 EM DASH then a space: the start of every signature line. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4
#define KEY_ID_LEN 4
/* RFC6962NoteSignature: u64 timestamp || DigitallySigned (>= 4 bytes). */
#define RFC6962_MIN (8 + 4)

/*
 * Decode one UTF-8 sequence at s[0..len): the code point and its length,
 * or 0 for an invalid, overlong or surrogate sequence (RFC 3629 section 4).
 */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n) {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		return 0;
	}
	*cp = c;
	return n;
}

/* Unicode White_Space, the code points that count as spaces. */
static bool
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

/* Valid UTF-8 with no control character below U+0020 but newline. */
static bool
text_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = utf8_next(p + i, len - i, &c);
		if (n == 0 || (c < 0x20 && c != '\n')) {
			return false;
		}
		i += n;
	}
	return true;
}

bool
note_name_valid(const char *name, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	if (len == 0) {
		return false;
	}
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = utf8_next(p + i, len - i, &c);
		if (n == 0 || c < 0x20 || c == '+' || is_space(c)) {
			return false;
		}
		i += n;
	}
	return true;
}

/*
 * Parse one signature-block line (without its newline).
 * @return: true when it is a well-formed signature line.
 */
static bool
parse_sig_line(const char *line, size_t len, struct note_sig *sig)
{
	uint8_t buf[NOTE_SIG_MAX];
	size_t n;

	if (len < SIG_PREFIX_LEN ||
	    memcmp(line, sig_prefix, SIG_PREFIX_LEN) != 0) {
		return false;
	}
	const char *name = line + SIG_PREFIX_LEN;
	const char *end = line + len;
	const char *sp = memchr(name, ' ', (size_t)(end - name));
	if (sp == NULL || !note_name_valid(name, (size_t)(sp - name))) {
		return false;
	}
	const char *b64 = sp + 1;
	size_t b64_len = (size_t)(end - b64);
	if (base64_decode(b64, b64_len, buf, sizeof(buf), &n) != CTD_OK ||
	    n <= KEY_ID_LEN) {
		return false;
	}
	sig->name = name;
	sig->name_len = (size_t)(sp - name);
	sig->key_id = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	sig->b64 = b64;
	sig->b64_len = b64_len;
	return true;
}

/* Parse the signature block sigs[0..len), each line ending in newline. */
static int
parse_sig_block(const char *p, size_t len, struct note *out)
{
	const char *end = p + len;
	size_t lines = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		/* The note ends in a newline and the block has no blank
		 * line (the text ends at the last one). */
		if (++lines > NOTE_MAX_SIGS) {
			return CTD_EMALF;
		}
		if (parse_sig_line(p, (size_t)(nl - p),
		    &out->sigs[out->nsigs])) {
			out->nsigs++;
		} else {
			out->skipped++;
		}
		p = nl + 1;
	}
	return lines > 0 ? CTD_OK : CTD_EMALF;
}

int
note_parse(const char *buf, size_t len, struct note *out)
{
	if (len == 0 || len > NOTE_MAX || buf[len - 1] != '\n' ||
	    !text_valid(buf, len)) {
		return CTD_EMALF;
	}
	/* The last "\n\n": the text ends at its first newline. */
	size_t split = 0;
	bool found = false;
	for (size_t i = len - 1; i > 0; i--) {
		if (buf[i] == '\n' && buf[i - 1] == '\n') {
			split = i;
			found = true;
			break;
		}
	}
	/* split == 1 would be an empty text. */
	if (!found || split < 2) {
		return CTD_EMALF;
	}
	out->text = buf;
	out->text_len = split;
	out->nsigs = 0;
	out->skipped = 0;
	return parse_sig_block(buf + split + 1, len - split - 1, out);
}

int
note_sig_decode(const struct note_sig *sig, uint8_t *out, size_t cap,
    size_t *out_len)
{
	uint8_t buf[NOTE_SIG_MAX];
	size_t n;

	/* Checked when the line was parsed. */
	if (base64_decode(sig->b64, sig->b64_len, buf, sizeof(buf), &n) !=
	    CTD_OK || n <= KEY_ID_LEN) {
		return CTD_EMALF;
	}
	if (n - KEY_ID_LEN > cap) {
		return CTD_ESPACE;
	}
	memcpy(out, buf + KEY_ID_LEN, n - KEY_ID_LEN);
	*out_len = n - KEY_ID_LEN;
	return CTD_OK;
}

/* Canonical unsigned decimal: "0" or [1-9][0-9]*, at most UINT64_MAX. */
static int
parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || (len > 1 && s[0] == '0')) {
		return CTD_EMALF;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return CTD_EMALF;
		}
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			return CTD_EMALF;
		}
		v = v * 10 + d;
	}
	*out = v;
	return CTD_OK;
}

/* The next line of [*p, end) without its newline; false if none. */
static bool
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (*p >= end) {
		return false;
	}
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL) {
		return false;
	}
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return true;
}

int
note_parse_checkpoint(const char *text, size_t len, struct checkpoint *out)
{
	const char *p = text, *end = text + len;
	const char *line;
	size_t n, line_len;

	if (len == 0 || text[len - 1] != '\n') {
		return CTD_EMALF;
	}
	if (!next_line(&p, end, &out->origin, &out->origin_len) ||
	    out->origin_len == 0) {
		return CTD_EMALF;
	}
	if (!next_line(&p, end, &line, &line_len) ||
	    parse_u64(line, line_len, &out->tree_size) != CTD_OK) {
		return CTD_EMALF;
	}
	if (!next_line(&p, end, &line, &line_len) ||
	    base64_decode(line, line_len, out->root, sizeof(out->root), &n)
	    != CTD_OK || n != MERKLE_HASH_LEN) {
		return CTD_EMALF;
	}
	out->extensions = p;
	out->extensions_len = (size_t)(end - p);
	out->nextensions = 0;
	while (next_line(&p, end, &line, &line_len)) {
		if (line_len == 0) {
			return CTD_EMALF;
		}
		out->nextensions++;
	}
	return CTD_OK;
}

uint32_t
note_key_id(const char *name, size_t name_len, uint8_t type,
    const uint8_t *key, size_t key_len)
{
	uint8_t md[32];
	const uint8_t nl = '\n';
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* Out of memory gives an all-zero digest: an ID nothing matches
	 * by design is not guaranteed, but no signature then verifies. */
	memset(md, 0, sizeof(md));
	if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, name, name_len) == 1 &&
	    EVP_DigestUpdate(ctx, &nl, 1) == 1 &&
	    EVP_DigestUpdate(ctx, &type, 1) == 1 &&
	    EVP_DigestUpdate(ctx, key, key_len) == 1) {
		EVP_DigestFinal_ex(ctx, md, NULL);
	}
	EVP_MD_CTX_free(ctx);
	return (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 |
	    (uint32_t)md[2] << 8 | md[3];
}

static bool
sig_is(const struct note_sig *s, const char *name, size_t name_len,
    uint32_t key_id)
{
	return s->key_id == key_id && s->name_len == name_len &&
	    memcmp(s->name, name, name_len) == 0;
}

/* Build and verify the STH of one RFC6962NoteSignature line. */
static int
rfc6962_line_sth(const struct note_sig *s, const struct checkpoint *cp,
    const struct logkey *key, struct sth *sth)
{
	uint8_t sig[NOTE_SIG_MAX];
	size_t n;

	if (note_sig_decode(s, sig, sizeof(sig), &n) != CTD_OK ||
	    n < RFC6962_MIN || n - 8 > STH_SIG_MAX) {
		return CTD_EMALF;
	}
	memset(sth, 0, sizeof(*sth));
	sth->tree_size = cp->tree_size;
	sth->timestamp = get_be64(sig);
	memcpy(sth->root, cp->root, MERKLE_HASH_LEN);
	sth->sig_len = (uint16_t)(n - 8);
	memcpy(sth->sig, sig + 8, n - 8);
	return sth_verify(sth, key);
}

int
note_open_rfc6962(const char *buf, size_t len, const char *origin,
    const struct logkey *key, struct sth *sth_out, struct checkpoint *cp_out)
{
	struct note n;
	struct checkpoint cp;
	struct sth first, other;
	bool found = false;
	int rc;

	if ((rc = note_parse(buf, len, &n)) != CTD_OK ||
	    (rc = note_parse_checkpoint(n.text, n.text_len, &cp)) != CTD_OK) {
		return rc;
	}
	if (cp.nextensions != 0) {
		return CTD_EMALF;
	}
	if (origin != NULL && (strlen(origin) != cp.origin_len ||
	    memcmp(origin, cp.origin, cp.origin_len) != 0)) {
		return CTD_EVERIFY;
	}
	uint32_t id = note_key_id(cp.origin, cp.origin_len, NOTE_TYPE_RFC6962,
	    logkey_id(key), MERKLE_HASH_LEN);
	for (size_t i = 0; i < n.nsigs; i++) {
		if (!sig_is(&n.sigs[i], cp.origin, cp.origin_len, id)) {
			continue;
		}
		/* Every line of the log's key must verify. */
		rc = rfc6962_line_sth(&n.sigs[i], &cp, key,
		    found ? &other : &first);
		if (rc != CTD_OK) {
			return rc;
		}
		found = true;
	}
	if (!found) {
		return CTD_ENOTFOUND;
	}
	memcpy(sth_out, &first, sizeof(first));
	if (cp_out != NULL) {
		*cp_out = cp;
	}
	return CTD_OK;
}
