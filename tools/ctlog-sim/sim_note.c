/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_note.c -- the static-ct-api checkpoint of the simulated log and the
 * simulator's witness key. See sim_note.h for the lines and their keys.
 *
 * Written from the C2SP signed-note, tlog-checkpoint, tlog-cosignature
 * and static-ct-api texts; shares no code with the daemon's parser.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "sim_note.h"
#include "sim_util.h"

#define ED25519_LEN 32
#define ED25519_SIG_LEN 64
/* Signature type bytes of signed-note. */
#define TYPE_COSIGNATURE 0x04
#define TYPE_RFC6962 0x05
/* "\u2014 " opens every signature line. */
#define EM_DASH "\xe2\x80\x94 "
#define LINES 3
/* The longest signature blob: key ID, timestamp, DigitallySigned. */
#define BLOB_MAX (4 + 8 + SIM_KEY_SIG_MAX + ED25519_SIG_LEN)

struct sim_witness {
	EVP_PKEY *key;
	uint8_t pub[ED25519_LEN];
	uint8_t key_id[4];
};

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	}
}

/* SHA-256(name || 0x0A || type || key)[:4]: the recommended key ID. */
static void
key_id(const char *name, uint8_t type, const uint8_t *key, size_t key_len,
    uint8_t out[4])
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = sizeof(digest);

	memset(digest, 0, sizeof(digest));
	if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_DigestUpdate(ctx, name, strlen(name));
		EVP_DigestUpdate(ctx, "\n", 1);
		EVP_DigestUpdate(ctx, &type, 1);
		EVP_DigestUpdate(ctx, key, key_len);
		EVP_DigestFinal_ex(ctx, digest, &len);
	}
	EVP_MD_CTX_free(ctx);
	memcpy(out, digest, 4);
}

struct sim_witness *
sim_witness_new(const char *seed)
{
	struct sim_witness *w = calloc(1, sizeof(*w));
	uint8_t raw[SHA256_DIGEST_LENGTH];
	size_t pub_len = ED25519_LEN;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = sizeof(raw);

	if (w == NULL || ctx == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, seed, strlen(seed)) ||
	    !EVP_DigestUpdate(ctx, "\nwitness", 8) ||
	    !EVP_DigestFinal_ex(ctx, raw, &len) ||
	    (w->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    raw, sizeof(raw))) == NULL ||
	    !EVP_PKEY_get_raw_public_key(w->key, w->pub, &pub_len)) {
		sim_witness_free(w);
		w = NULL;
	} else {
		key_id(SIM_NOTE_WITNESS_NAME, TYPE_COSIGNATURE, w->pub,
		    ED25519_LEN, w->key_id);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	EVP_MD_CTX_free(ctx);
	return w;
}

void
sim_witness_free(struct sim_witness *w)
{
	if (w == NULL) {
		return;
	}
	EVP_PKEY_free(w->key);
	free(w);
}

char *
sim_witness_vkey(const struct sim_witness *w)
{
	uint8_t material[1 + ED25519_LEN];
	char *b64, *out = NULL;
	size_t len;

	material[0] = TYPE_COSIGNATURE;
	memcpy(material + 1, w->pub, ED25519_LEN);
	if ((b64 = sim_b64(material, sizeof(material))) == NULL) {
		return NULL;
	}
	len = strlen(SIM_NOTE_WITNESS_NAME) + 10 + strlen(b64) + 1;
	if ((out = malloc(len)) != NULL) {
		snprintf(out, len, "%s+%02x%02x%02x%02x+%s",
		    SIM_NOTE_WITNESS_NAME, w->key_id[0], w->key_id[1],
		    w->key_id[2], w->key_id[3], b64);
	}
	free(b64);
	return out;
}

/* "origin\nsize\nbase64(root)\n" into a fresh string. */
static char *
note_text(const char *origin, const struct sim_sth *sth)
{
	char *root = sim_b64(sth->root, SIM_HASH_LEN), *text = NULL;
	size_t len = strlen(origin) + 20 + 48 + 4;

	if (root != NULL && (text = malloc(len)) != NULL) {
		snprintf(text, len, "%s\n%llu\n%s\n", origin,
		    (unsigned long long)sth->tree_size, root);
	}
	free(root);
	return text;
}

/* One line "\u2014 name base64(blob)\n"; NULL when out of memory. */
static char *
sig_line(const char *name, const uint8_t *blob, size_t blob_len)
{
	char *b64 = sim_b64(blob, blob_len), *line = NULL;
	size_t len;

	if (b64 != NULL) {
		len = strlen(EM_DASH) + strlen(name) + 1 + strlen(b64) + 2;
		if ((line = malloc(len)) != NULL) {
			snprintf(line, len, EM_DASH "%s %s\n", name, b64);
		}
	}
	free(b64);
	return line;
}

/* The RFC6962NoteSignature line. */
static char *
rfc6962_line(const char *origin, const struct sim_sth *sth,
    const uint8_t *spki, size_t spki_len, bool bad_keyid)
{
	uint8_t log_id[SHA256_DIGEST_LENGTH], blob[BLOB_MAX];

	SHA256(spki, spki_len, log_id);
	key_id(origin, TYPE_RFC6962, log_id, sizeof(log_id), blob);
	if (bad_keyid) {
		blob[3] ^= 0x01;
	}
	put_u64(blob + 4, sth->timestamp);
	memcpy(blob + 12, sth->sig, sth->sig_len);
	return sig_line(origin, blob, 12 + sth->sig_len);
}

/* A grease line: random name, key ID and signature bytes. */
static char *
grease_line(void)
{
	uint8_t rnd[8], blob[4 + 64];
	char name[48];
	size_t blob_len;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    RAND_bytes(blob, sizeof(blob)) != 1) {
		return NULL;
	}
	snprintf(name, sizeof(name), "grease.invalid/%02x%02x%02x%02x",
	    rnd[0], rnd[1], rnd[2], rnd[3]);
	blob_len = 4 + 32 + rnd[4] % 33;
	return sig_line(name, blob, blob_len);
}

/* The witness's Ed25519 cosignature/v1 line over text. */
static char *
cosig_line(const struct sim_witness *w, const char *text, uint64_t time)
{
	char head[64];
	uint8_t blob[4 + 8 + ED25519_SIG_LEN];
	size_t head_len, text_len = strlen(text), sig_len = ED25519_SIG_LEN;
	uint8_t *msg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *line = NULL;

	head_len = (size_t)snprintf(head, sizeof(head),
	    "cosignature/v1\ntime %llu\n", (unsigned long long)time);
	if (ctx == NULL || (msg = malloc(head_len + text_len)) == NULL) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	memcpy(msg, head, head_len);
	memcpy(msg + head_len, text, text_len);
	memcpy(blob, w->key_id, 4);
	put_u64(blob + 4, time);
	/* Ed25519 is one-shot: no digest, the whole message at once. */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, w->key) == 1 &&
	    EVP_DigestSign(ctx, blob + 12, &sig_len, msg,
	    head_len + text_len) == 1 && sig_len == ED25519_SIG_LEN) {
		line = sig_line(SIM_NOTE_WITNESS_NAME, blob, sizeof(blob));
	}
	free(msg);
	EVP_MD_CTX_free(ctx);
	return line;
}

/* Concatenate text, a blank line and the lines in a random order. */
static char *
assemble(const char *text, char **lines)
{
	size_t len = strlen(text) + 2, order[LINES] = { 0, 1, 2 };
	uint8_t rnd[LINES];
	char *note;

	for (size_t i = 0; i < LINES; i++) {
		len += strlen(lines[i]);
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    (note = malloc(len)) == NULL) {
		return NULL;
	}
	/* Fisher-Yates; the modulo bias does not matter here. */
	for (size_t i = LINES - 1; i > 0; i--) {
		size_t j = rnd[i] % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	strcpy(note, text);
	strcat(note, "\n");
	for (size_t i = 0; i < LINES; i++) {
		strcat(note, lines[order[i]]);
	}
	return note;
}

char *
sim_note_checkpoint(const char *origin, const struct sim_sth *sth,
    const uint8_t *spki, size_t spki_len, const struct sim_witness *w,
    bool bad_keyid)
{
	char *text = note_text(origin, sth), *lines[LINES] = { NULL };
	char *note = NULL;

	if (text == NULL) {
		return NULL;
	}
	lines[0] = rfc6962_line(origin, sth, spki, spki_len, bad_keyid);
	lines[1] = grease_line();
	lines[2] = cosig_line(w, text, sth->timestamp / 1000);
	if (lines[0] != NULL && lines[1] != NULL && lines[2] != NULL) {
		note = assemble(text, lines);
	}
	for (size_t i = 0; i < LINES; i++) {
		free(lines[i]);
	}
	free(text);
	return note;
}
