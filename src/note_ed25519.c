/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * note_ed25519.c -- the Ed25519 half of note.h: verifier keys, Ed25519
 * note signatures (type 0x01) and cosignature/v1 (type 0x04).
 *
 * Ed25519 keys live in OpenSSL only for the length of one operation:
 * struct note_vkey holds the raw 32 bytes, so it can be copied, compared
 * and stored freely. A signer is given the seed with its verifier key and
 * checks they belong together, so a line never names a key that did not
 * make it. Failed OpenSSL calls leave entries on the thread's error queue;
 * they are cleared before returning.
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
#include "note.h"

/* U+2014 EM DASH then a space: the start of every signature line. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define KEY_ID_LEN 4
/* cosignature/v1: u64 timestamp || Ed25519 signature. */
#define COSIG_LEN (8 + NOTE_ED25519_SIG_LEN)
#define COSIG_HEADER "cosignature/v1\ntime "

static bool
sig_is(const struct note_sig *s, const char *name, size_t name_len,
    uint32_t key_id)
{
	return s->key_id == key_id && s->name_len == name_len &&
	    memcmp(s->name, name, name_len) == 0;
}

/* --- Ed25519 -------------------------------------------------------------- */

int
note_ed25519_verify(const uint8_t pub[NOTE_ED25519_LEN], const uint8_t *msg,
    size_t msg_len, const uint8_t sig[NOTE_ED25519_SIG_LEN])
{
	int rc = CTD_ENOMEM;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
	    pub, NOTE_ED25519_LEN);

	if (pkey == NULL) {
		/* OpenSSL takes any 32 bytes; a failure is memory. */
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1) {
		goto out;
	}
	rc = EVP_DigestVerify(ctx, sig, NOTE_ED25519_SIG_LEN, msg, msg_len) ==
	    1 ? CTD_OK : CTD_EVERIFY;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

/* The public key of a seed. */
static int
ed25519_public(const uint8_t seed[NOTE_ED25519_LEN],
    uint8_t pub[NOTE_ED25519_LEN])
{
	size_t n = NOTE_ED25519_LEN;
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    seed, NOTE_ED25519_LEN);
	int rc = pkey != NULL && EVP_PKEY_get_raw_public_key(pkey, pub, &n) ==
	    1 && n == NOTE_ED25519_LEN ? CTD_OK : CTD_ENOMEM;
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

/* Sign msg with a seed. */
static int
ed25519_sign(const uint8_t seed[NOTE_ED25519_LEN], const uint8_t *msg,
    size_t msg_len, uint8_t sig[NOTE_ED25519_SIG_LEN])
{
	int rc = CTD_ENOMEM;
	size_t n = NOTE_ED25519_SIG_LEN;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    seed, NOTE_ED25519_LEN);

	if (pkey == NULL || (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1) {
		goto out;
	}
	if (EVP_DigestSign(ctx, sig, &n, msg, msg_len) == 1 &&
	    n == NOTE_ED25519_SIG_LEN) {
		rc = CTD_OK;
	}
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

/* --- verifier keys -------------------------------------------------------- */

static int
hex_u32(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	if (len != 8) {
		return CTD_EMALF;
	}
	for (size_t i = 0; i < len; i++) {
		int d;
		if (s[i] >= '0' && s[i] <= '9') {
			d = s[i] - '0';
		} else if (s[i] >= 'a' && s[i] <= 'f') {
			d = s[i] - 'a' + 10;
		} else {
			return CTD_EMALF;
		}
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return CTD_OK;
}

/*
 * Split "<name>+<hex>+<base64>" and decode the base64 into raw.
 * The name is everything before the second-to-last '+' (base64 may hold
 * '+', a name may not), so split at the first two.
 */
static int
split_key(const char *text, size_t len, const char **name, size_t *name_len,
    uint32_t *id, uint8_t *raw, size_t cap, size_t *raw_len)
{
	const char *end = text + len;
	const char *p1 = memchr(text, '+', len);
	if (p1 == NULL) {
		return CTD_EMALF;
	}
	const char *p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1));
	if (p2 == NULL || !note_name_valid(text, (size_t)(p1 - text)) ||
	    (size_t)(p1 - text) > NOTE_NAME_MAX ||
	    hex_u32(p1 + 1, (size_t)(p2 - p1 - 1), id) != CTD_OK) {
		return CTD_EMALF;
	}
	if (base64_decode(p2 + 1, (size_t)(end - p2 - 1), raw, cap, raw_len) !=
	    CTD_OK || *raw_len == 0) {
		return CTD_EMALF;
	}
	*name = text;
	*name_len = (size_t)(p1 - text);
	return CTD_OK;
}

int
note_vkey_parse(const char *text, size_t len, struct note_vkey *out)
{
	/* Room for the keys of other types (ML-DSA-44: 1312 bytes), so
	 * they are told apart from malformed text. */
	uint8_t raw[4096];
	const char *name;
	size_t name_len, raw_len;
	uint32_t id;

	int rc = split_key(text, len, &name, &name_len, &id, raw, sizeof(raw),
	    &raw_len);
	if (rc != CTD_OK) {
		return rc;
	}
	if ((raw[0] != NOTE_TYPE_ED25519 && raw[0] != NOTE_TYPE_COSIG_V1) ||
	    raw_len != 1 + NOTE_ED25519_LEN) {
		return CTD_ERANGE;
	}
	if (note_key_id(name, name_len, raw[0], raw + 1, NOTE_ED25519_LEN) !=
	    id) {
		return CTD_EMALF;
	}
	memcpy(out->name, name, name_len);
	out->name[name_len] = '\0';
	out->name_len = name_len;
	out->type = raw[0];
	out->key_id = id;
	memcpy(out->pub, raw + 1, NOTE_ED25519_LEN);
	return CTD_OK;
}

int
note_vkey_format(const struct note_vkey *key, char *out, size_t cap)
{
	uint8_t raw[1 + NOTE_ED25519_LEN];
	char b64[64];

	raw[0] = key->type;
	memcpy(raw + 1, key->pub, NOTE_ED25519_LEN);
	if (base64_encode(raw, sizeof(raw), b64, sizeof(b64), NULL) !=
	    CTD_OK) {
		return CTD_ESPACE;
	}
	int n = snprintf(out, cap, "%.*s+%08" PRIx32 "+%s",
	    (int)key->name_len, key->name, key->key_id, b64);
	return n < 0 || (size_t)n >= cap ? CTD_ESPACE : CTD_OK;
}

int
note_vkey_from_seed(const char *name, size_t name_len, uint8_t type,
    const uint8_t seed[NOTE_ED25519_LEN], struct note_vkey *out)
{
	if (!note_name_valid(name, name_len) || name_len > NOTE_NAME_MAX ||
	    (type != NOTE_TYPE_ED25519 && type != NOTE_TYPE_COSIG_V1)) {
		return CTD_EINVAL;
	}
	int rc = ed25519_public(seed, out->pub);
	if (rc != CTD_OK) {
		return rc;
	}
	memcpy(out->name, name, name_len);
	out->name[name_len] = '\0';
	out->name_len = name_len;
	out->type = type;
	out->key_id = note_key_id(name, name_len, type, out->pub,
	    NOTE_ED25519_LEN);
	return CTD_OK;
}

int
note_skey_parse(const char *text, size_t len,
    uint8_t seed_out[NOTE_ED25519_LEN], struct note_vkey *vkey_out)
{
	static const char head[] = "PRIVATE+KEY+";
	uint8_t raw[64];
	const char *name;
	size_t name_len, raw_len;
	uint32_t id;
	struct note_vkey v;

	if (len < sizeof(head) - 1 ||
	    memcmp(text, head, sizeof(head) - 1) != 0) {
		return CTD_EMALF;
	}
	int rc = split_key(text + sizeof(head) - 1, len - (sizeof(head) - 1),
	    &name, &name_len, &id, raw, sizeof(raw), &raw_len);
	if (rc != CTD_OK) {
		return rc;
	}
	if (raw[0] != NOTE_TYPE_ED25519 || raw_len != 1 + NOTE_ED25519_LEN) {
		return CTD_EMALF;
	}
	/* The ID is that of the public key: derive it and compare. */
	if ((rc = note_vkey_from_seed(name, name_len, NOTE_TYPE_ED25519,
	    raw + 1, &v)) != CTD_OK) {
		return rc == CTD_EINVAL ? CTD_EMALF : rc;
	}
	if (v.key_id != id) {
		return CTD_EMALF;
	}
	memcpy(seed_out, raw + 1, NOTE_ED25519_LEN);
	*vkey_out = v;
	return CTD_OK;
}

/* --- note signatures of Ed25519 keys -------------------------------------- */

/*
 * Run check(line's signature) for every line of key; all must pass.
 * @return: CTD_OK, CTD_ENOTFOUND when there is none, or check's error.
 */
static int
each_line_of(const struct note *n, const struct note_vkey *key,
    int (*check)(const struct note *, const uint8_t *, size_t,
    const struct note_vkey *, uint64_t *), uint64_t *time_out)
{
	uint8_t sig[NOTE_SIG_MAX];
	size_t len;
	bool found = false;

	for (size_t i = 0; i < n->nsigs; i++) {
		if (!sig_is(&n->sigs[i], key->name, key->name_len,
		    key->key_id)) {
			continue;
		}
		if (note_sig_decode(&n->sigs[i], sig, sizeof(sig), &len) !=
		    CTD_OK) {
			return CTD_EMALF;
		}
		int rc = check(n, sig, len, key, found ? NULL : time_out);
		if (rc != CTD_OK) {
			return rc;
		}
		found = true;
	}
	return found ? CTD_OK : CTD_ENOTFOUND;
}

static int
check_ed25519(const struct note *n, const uint8_t *sig, size_t len,
    const struct note_vkey *key, uint64_t *unused)
{
	(void)unused;
	if (len != NOTE_ED25519_SIG_LEN) {
		return CTD_EMALF;
	}
	return note_ed25519_verify(key->pub, (const uint8_t *)n->text,
	    n->text_len, sig);
}

int
note_verify_ed25519(const struct note *n, const struct note_vkey *key)
{
	if (key->type != NOTE_TYPE_ED25519) {
		return CTD_EINVAL;
	}
	return each_line_of(n, key, check_ed25519, NULL);
}

/* "— <name> <base64(id || sig)>\n" into line. */
static int
format_line(const struct note_vkey *key, const uint8_t *sig, size_t sig_len,
    char *line, size_t cap, size_t *line_len)
{
	uint8_t raw[KEY_ID_LEN + COSIG_LEN];
	char b64[128];
	size_t b64_len;

	raw[0] = (uint8_t)(key->key_id >> 24);
	raw[1] = (uint8_t)(key->key_id >> 16);
	raw[2] = (uint8_t)(key->key_id >> 8);
	raw[3] = (uint8_t)key->key_id;
	memcpy(raw + KEY_ID_LEN, sig, sig_len);
	if (base64_encode(raw, KEY_ID_LEN + sig_len, b64, sizeof(b64),
	    &b64_len) != CTD_OK) {
		return CTD_ESPACE;
	}
	int n = snprintf(line, cap, "%s%.*s %s\n", sig_prefix,
	    (int)key->name_len, key->name, b64);
	if (n < 0 || (size_t)n >= cap) {
		return CTD_ESPACE;
	}
	if (line_len != NULL) {
		*line_len = (size_t)n;
	}
	return CTD_OK;
}

/* CTD_OK when seed is the private half of key. */
static int
seed_matches(const struct note_vkey *key, const uint8_t seed[32])
{
	uint8_t pub[NOTE_ED25519_LEN];
	int rc = ed25519_public(seed, pub);
	if (rc != CTD_OK) {
		return rc;
	}
	return memcmp(pub, key->pub, NOTE_ED25519_LEN) == 0 ? CTD_OK :
	    CTD_EINVAL;
}

int
note_sign_ed25519(const struct note_vkey *key,
    const uint8_t seed[NOTE_ED25519_LEN], const char *text, size_t text_len,
    char *line, size_t cap, size_t *line_len)
{
	uint8_t sig[NOTE_ED25519_SIG_LEN];
	int rc;

	if (key->type != NOTE_TYPE_ED25519) {
		return CTD_EINVAL;
	}
	if ((rc = seed_matches(key, seed)) != CTD_OK ||
	    (rc = ed25519_sign(seed, (const uint8_t *)text, text_len, sig)) !=
	    CTD_OK) {
		return rc;
	}
	return format_line(key, sig, sizeof(sig), line, cap, line_len);
}

/* --- cosignature/v1 (c2sp.org/tlog-cosignature) --------------------------- */

int
note_cosig_message(const char *text, size_t text_len, uint64_t t,
    uint8_t *out, size_t cap, size_t *out_len)
{
	char head[sizeof(COSIG_HEADER) + 21];
	int n = snprintf(head, sizeof(head), COSIG_HEADER "%" PRIu64 "\n", t);
	if (n < 0 || (size_t)n >= sizeof(head) || cap < (size_t)n ||
	    cap - (size_t)n < text_len) {
		return CTD_ESPACE;
	}
	memcpy(out, head, (size_t)n);
	memcpy(out + n, text, text_len);
	*out_len = (size_t)n + text_len;
	return CTD_OK;
}

static int
check_cosig(const struct note *n, const uint8_t *sig, size_t len,
    const struct note_vkey *key, uint64_t *time_out)
{
	uint8_t msg[NOTE_MAX + 64];
	size_t msg_len;

	if (len != COSIG_LEN) {
		return CTD_EMALF;
	}
	uint64_t t = get_be64(sig);
	if (t > INT64_MAX) {
		return CTD_EMALF;
	}
	if (note_cosig_message(n->text, n->text_len, t, msg, sizeof(msg),
	    &msg_len) != CTD_OK) {
		return CTD_EMALF;
	}
	int rc = note_ed25519_verify(key->pub, msg, msg_len, sig + 8);
	if (rc == CTD_OK && time_out != NULL) {
		*time_out = t;
	}
	return rc;
}

int
note_cosig_verify(const struct note *n, const struct note_vkey *key,
    uint64_t *time_out)
{
	if (key->type != NOTE_TYPE_COSIG_V1) {
		return CTD_EINVAL;
	}
	return each_line_of(n, key, check_cosig, time_out);
}

int
note_cosig_sign(const struct note_vkey *key,
    const uint8_t seed[NOTE_ED25519_LEN], const char *text, size_t text_len,
    uint64_t t, char *line, size_t cap, size_t *line_len)
{
	uint8_t msg[NOTE_MAX + 64];
	uint8_t sig[COSIG_LEN];
	size_t msg_len;
	int rc;

	if (key->type != NOTE_TYPE_COSIG_V1 || t > INT64_MAX) {
		return CTD_EINVAL;
	}
	if ((rc = seed_matches(key, seed)) != CTD_OK) {
		return rc;
	}
	if ((rc = note_cosig_message(text, text_len, t, msg, sizeof(msg),
	    &msg_len)) != CTD_OK) {
		return rc;
	}
	put_be64(sig, t);
	if ((rc = ed25519_sign(seed, msg, msg_len, sig + 8)) != CTD_OK) {
		return rc;
	}
	return format_line(key, sig, sizeof(sig), line, cap, line_len);
}
