/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * note.h -- C2SP signed notes, checkpoints, RFC 6962 note signatures,
 * Ed25519 verifier keys and cosignature/v1.
 *
 * Pure: bytes in, structs out. No I/O, no logging, no clock; signing takes
 * the timestamp from the caller. Signatures are checked with OpenSSL
 * (EVP_PKEY_ED25519 here, logkey.h for RFC 6962 TreeHeadSignatures).
 *
 * A signed note (c2sp.org/signed-note) is a text ending in a newline, a
 * blank line, then signature lines "— <name> <base64(keyid(4) || sig)>\n"
 * (the em dash is U+2014). The text is everything up to and including the
 * newline before the last blank line. Limits chosen here: a whole note of
 * at most NOTE_MAX bytes (64 KiB: 16 ML-DSA-44 lines of 3.3 KB fit several
 * times over) and at most NOTE_MAX_SIGS signature lines (the spec asks for
 * at least 16). The whole note must be valid UTF-8 with no control
 * character but the newline. A line of the signature block that is not a
 * well-formed signature line (no em dash, a key name with a space or '+',
 * base64 that is not canonical or shorter than the 4-byte key ID, a
 * signature longer than NOTE_SIG_MAX) is skipped and counted, not fatal:
 * the spec tells verifiers to ignore what they do not know, and a caller
 * that wants strictness can refuse a note with skipped lines.
 *
 * A checkpoint (c2sp.org/tlog-checkpoint) is a note whose text is the
 * origin line, the tree size in canonical decimal, the base64 root hash
 * (32 bytes), then optional non-empty extension lines. Extension lines are
 * reported, not interpreted; static-ct-api checkpoints must have none, and
 * note_open_rfc6962() refuses them.
 *
 * Key IDs are SHA-256(name || 0x0A || type || key)[:4], big-endian, with
 * the type bytes of signed-note: 0x01 Ed25519 over the text, 0x04
 * cosignature/v1 (c2sp.org/tlog-cosignature), 0x05 RFC 6962
 * TreeHeadSignature (c2sp.org/static-ct-api; the key is the 32-byte LogID).
 *
 * Everything a parse returns points into the caller's buffer (borrowed;
 * valid while that buffer is). On error outputs may hold partial results.
 */
#ifndef CTD_NOTE_H
#define CTD_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "sth.h"

/* Largest note accepted, signatures included. */
#define NOTE_MAX (64 * 1024)
/* Most signature lines accepted (c2sp.org/signed-note: at least 16). */
#define NOTE_MAX_SIGS 100
/* Largest decoded signature (key ID included) of a line kept: room for
 * ML-DSA-87 (4627 bytes) and SLH-DSA-128s (7856). */
#define NOTE_SIG_MAX 8192
/* Longest key name accepted in a verifier key. */
#define NOTE_NAME_MAX 255
/* Room for any verifier key text built here, NUL included. */
#define NOTE_VKEY_MAX (NOTE_NAME_MAX + 1 + 8 + 1 + 48 + 1)
/* Room for a cosignature or Ed25519 signature line, newline and NUL. */
#define NOTE_LINE_MAX (4 + NOTE_NAME_MAX + 1 + 104 + 2)

#define NOTE_ED25519_LEN 32	/* public key and seed */
#define NOTE_ED25519_SIG_LEN 64

/* Signature type bytes (c2sp.org/signed-note "Signature types"). */
enum note_type {
	NOTE_TYPE_ED25519 = 0x01,
	NOTE_TYPE_COSIG_V1 = 0x04,
	NOTE_TYPE_RFC6962 = 0x05,
};

/* One signature line; name and b64 borrowed from the note. */
struct note_sig {
	const char *name;
	size_t name_len;
	uint32_t key_id;
	const char *b64;	/* base64(key ID || signature), checked */
	size_t b64_len;
};

struct note {
	const char *text;	/* the signed text, final newline included */
	size_t text_len;
	size_t nsigs;		/* well-formed signature lines */
	size_t skipped;		/* signature-block lines skipped */
	struct note_sig sigs[NOTE_MAX_SIGS];
};

struct checkpoint {
	const char *origin;	/* borrowed, without its newline */
	size_t origin_len;
	uint64_t tree_size;
	uint8_t root[MERKLE_HASH_LEN];
	size_t nextensions;	/* extension lines after the root */
	const char *extensions;	/* borrowed: those lines, newlines kept */
	size_t extensions_len;
};

/* A verifier key "<name>+<hex key ID>+<base64(type || key)>" of an Ed25519
 * key, type NOTE_TYPE_ED25519 or NOTE_TYPE_COSIG_V1. */
struct note_vkey {
	char name[NOTE_NAME_MAX + 1];	/* NUL-terminated */
	size_t name_len;
	uint8_t type;
	uint32_t key_id;
	uint8_t pub[NOTE_ED25519_LEN];
};

/*
 * Split a signed note into text and signature lines.
 * @param buf: len bytes, not NUL-terminated.
 * @param out: filled; points into buf.
 * @return: CTD_OK; CTD_EMALF when the note is empty, larger than NOTE_MAX,
 *	not UTF-8, has a control character, does not end in a newline, has no
 *	blank line, an empty text or no signature block, or more than
 *	NOTE_MAX_SIGS signature-block lines.
 */
int note_parse(const char *buf, size_t len, struct note *out);

/*
 * Decode a signature line's signature (the bytes after the key ID).
 * @param out: room for cap bytes (NOTE_SIG_MAX suffices).
 * @param out_len: set to the signature length.
 * @return: CTD_OK or CTD_ESPACE.
 */
int note_sig_decode(const struct note_sig *sig, uint8_t *out, size_t cap,
    size_t *out_len);

/* true when name is a valid key name: non-empty UTF-8 with neither '+'
 * nor a Unicode space (nor a control character). */
bool note_name_valid(const char *name, size_t len);

/*
 * Parse a checkpoint body (a note's text).
 * @return: CTD_OK; CTD_EMALF for fewer than three lines, an empty origin,
 *	a size that is not canonical decimal or overflows, a root that is not
 *	canonical base64 of 32 bytes, an empty extension line or a text that
 *	does not end in a newline.
 */
int note_parse_checkpoint(const char *text, size_t len,
    struct checkpoint *out);

/*
 * The key ID of a key: SHA-256(name || 0x0A || type || key)[:4] as a
 * big-endian number.
 */
uint32_t note_key_id(const char *name, size_t name_len, uint8_t type,
    const uint8_t *key, size_t key_len);

/*
 * Open a static-ct-api checkpoint: find the log's RFC6962NoteSignature
 * line (key name = origin, key ID from type 0x05 and the log ID) and
 * return the RFC 6962 STH it carries, verified with sth_verify().
 * @param buf, len: the whole note.
 * @param origin: the expected origin (NUL-terminated), or NULL to take the
 *	checkpoint's own (which the signature does not cover).
 * @param key: the log's key.
 * @param sth_out: the STH (tree size, timestamp, root, signature).
 * @param cp_out: if not NULL, the parsed checkpoint (origin borrowed).
 * @return: CTD_OK; CTD_EMALF when the note or checkpoint does not parse,
 *	has extension lines, or the log's line is not timestamp ||
 *	DigitallySigned; CTD_EVERIFY when the origin is not the expected one
 *	or a line of the log's key does not verify (every such line must);
 *	CTD_ENOTFOUND when no line has the log's name and key ID.
 */
int note_open_rfc6962(const char *buf, size_t len, const char *origin,
    const struct logkey *key, struct sth *sth_out,
    struct checkpoint *cp_out);

/*
 * Parse a verifier key; the key ID must be the one of the name and key.
 * @param text: len characters, not NUL-terminated.
 * @return: CTD_OK; CTD_EMALF when it does not parse, the name is invalid
 *	or longer than NOTE_NAME_MAX, the hex is not 8 lowercase digits, the
 *	base64 is not canonical or the ID does not match; CTD_ERANGE for a
 *	type other than 0x01 and 0x04 or a key not 32 bytes.
 */
int note_vkey_parse(const char *text, size_t len, struct note_vkey *out);

/*
 * The text of a verifier key.
 * @param out: room for cap bytes (NOTE_VKEY_MAX suffices), NUL-terminated.
 * @return: CTD_OK or CTD_ESPACE.
 */
int note_vkey_format(const struct note_vkey *key, char *out, size_t cap);

/*
 * The verifier key of an Ed25519 private key (the 32-byte RFC 8032 seed).
 * @param type: NOTE_TYPE_ED25519 or NOTE_TYPE_COSIG_V1.
 * @return: CTD_OK; CTD_EINVAL for a bad name or type; CTD_ENOMEM.
 */
int note_vkey_from_seed(const char *name, size_t name_len, uint8_t type,
    const uint8_t seed[NOTE_ED25519_LEN], struct note_vkey *out);

/*
 * Parse a signer key "PRIVATE+KEY+<name>+<hex ID>+<base64(0x01 || seed)>"
 * (the golang.org/x/mod/sumdb/note form, Ed25519 only).
 * @param vkey_out: the matching verifier key (type NOTE_TYPE_ED25519).
 * @return: CTD_OK; CTD_EMALF as note_vkey_parse(); CTD_ENOMEM.
 */
int note_skey_parse(const char *text, size_t len,
    uint8_t seed_out[NOTE_ED25519_LEN], struct note_vkey *vkey_out);

/*
 * Verify an Ed25519 signature (RFC 8032, pure Ed25519).
 * @return: CTD_OK, CTD_EVERIFY, CTD_ENOMEM.
 */
int note_ed25519_verify(const uint8_t pub[NOTE_ED25519_LEN],
    const uint8_t *msg, size_t msg_len,
    const uint8_t sig[NOTE_ED25519_SIG_LEN]);

/*
 * Verify a note's Ed25519 (type 0x01) signature by key.
 * @return: CTD_OK; CTD_ENOTFOUND when no line has the key's name and ID;
 *	CTD_EVERIFY when such a line does not verify (every one must);
 *	CTD_EINVAL when key is not of type 0x01.
 */
int note_verify_ed25519(const struct note *n, const struct note_vkey *key);

/*
 * Sign a note text with Ed25519 (type 0x01).
 * @param line: room for cap bytes (NOTE_LINE_MAX suffices): receives
 *	"— <name> <base64>\n" and a NUL.
 * @return: CTD_OK; CTD_EINVAL when the seed is not key's; CTD_ESPACE;
 *	CTD_ENOMEM.
 */
int note_sign_ed25519(const struct note_vkey *key,
    const uint8_t seed[NOTE_ED25519_LEN], const char *text, size_t text_len,
    char *line, size_t cap, size_t *line_len);

/*
 * The cosignature/v1 signed message: "cosignature/v1\ntime <t>\n" || text.
 * @param out: room for cap bytes.
 * @return: CTD_OK or CTD_ESPACE.
 */
int note_cosig_message(const char *text, size_t text_len, uint64_t t,
    uint8_t *out, size_t cap, size_t *out_len);

/*
 * Verify a note's cosignature/v1 line by key (type 0x04).
 * @param time_out: if not NULL, the cosignature's timestamp (seconds).
 * @return: CTD_OK; CTD_ENOTFOUND when no line has the key's name and ID;
 *	CTD_EMALF when that line is not 8 + 64 bytes or its time exceeds
 *	2^63 - 1; CTD_EVERIFY; CTD_EINVAL when key is not of type 0x04.
 */
int note_cosig_verify(const struct note *n, const struct note_vkey *key,
    uint64_t *time_out);

/*
 * Cosign a checkpoint text (cosignature/v1) at time t (seconds).
 * @param line: as for note_sign_ed25519().
 * @return: CTD_OK; CTD_EINVAL when the seed is not key's, key is not of
 *	type 0x04 or t exceeds 2^63 - 1; CTD_ESPACE; CTD_ENOMEM.
 */
int note_cosig_sign(const struct note_vkey *key,
    const uint8_t seed[NOTE_ED25519_LEN], const char *text, size_t text_len,
    uint64_t t, char *line, size_t cap, size_t *line_len);

/* ---- building (note_build.c) ------------------------------------------ */

/* Longest origin a checkpoint is built for (a DNS-name-sized bound). */
#define NOTE_ORIGIN_MAX 255
/* Room for a checkpoint text built here: origin, size (20 digits), base64
 * root (44), three newlines and a NUL. */
#define NOTE_CHECKPOINT_TEXT_MAX (NOTE_ORIGIN_MAX + 1 + 20 + 1 + 44 + 1 + 1)
/* Room for an RFC6962NoteSignature line: "— ", origin, space, base64 of
 * keyid(4) || timestamp(8) || DigitallySigned (STH_SIG_MAX), newline, NUL. */
#define NOTE_RFC6962_LINE_MAX (4 + NOTE_ORIGIN_MAX + 1 + \
	4 * ((4 + 8 + STH_SIG_MAX + 2) / 3) + 2)

/*
 * The text of a checkpoint without extensions (c2sp.org/tlog-checkpoint):
 * "<origin>\n<size>\n<base64 root>\n".
 * @param origin: origin_len bytes, not NUL-terminated: non-empty, at most
 *	NOTE_ORIGIN_MAX, with no control character.
 * @param out: room for cap bytes (NOTE_CHECKPOINT_TEXT_MAX suffices);
 *	receives the text and a NUL.
 * @param out_len: set to the text length (without the NUL).
 * @return: CTD_OK; CTD_EINVAL for a bad origin; CTD_ESPACE.
 */
int note_checkpoint_text(const char *origin, size_t origin_len,
    uint64_t size, const uint8_t root[MERKLE_HASH_LEN], char *out,
    size_t cap, size_t *out_len);

/*
 * The RFC6962NoteSignature line of an STH (c2sp.org/static-ct-api):
 * "— <origin> base64(keyid(4) || timestamp(8, BE) || DigitallySigned)\n",
 * the key ID note_key_id(origin, NOTE_TYPE_RFC6962, log_id). With the
 * text of note_checkpoint_text() for the STH's size and root, and a blank
 * line between, it makes a note note_open_rfc6962() opens with the log's
 * key. The signature is not checked here: give a verified STH.
 * @param origin: as for note_checkpoint_text(); also a valid key name.
 * @param log_id: the log's 32-byte ID.
 * @param out: room for cap bytes (NOTE_RFC6962_LINE_MAX suffices);
 *	receives the line and a NUL.
 * @param out_len: set to the line length (without the NUL).
 * @return: CTD_OK; CTD_EINVAL for a bad origin or sig_len over
 *	STH_SIG_MAX; CTD_ESPACE.
 */
int note_rfc6962_line(const char *origin, size_t origin_len,
    const uint8_t log_id[MERKLE_HASH_LEN], const struct sth *sth, char *out,
    size_t cap, size_t *out_len);

/* Room for note_rfc6962_note(): the text, a blank line, the log's line. */
#define NOTE_RFC6962_NOTE_MAX (NOTE_CHECKPOINT_TEXT_MAX + 1 + \
	NOTE_RFC6962_LINE_MAX)

/*
 * The checkpoint of a verified STH as the log signs it: the text of
 * note_checkpoint_text(), a blank line, and note_rfc6962_line() (the note
 * a witness verifies; add cosignature lines after it).
 * @param out: room for cap bytes (NOTE_RFC6962_NOTE_MAX suffices);
 *	receives the note and a NUL.
 * @return: as note_rfc6962_line(); CTD_EINVAL for a bad origin.
 */
int note_rfc6962_note(const char *origin, size_t origin_len,
    const uint8_t log_id[MERKLE_HASH_LEN], const struct sth *sth, char *out,
    size_t cap, size_t *out_len);

/*
 * The checkpoint origin of a log from its URL (an RFC 6962 log's url, a
 * tiled log's submission URL): the URL without its scheme and trailing
 * slashes ("https://log.example/2026h2/" -> "log.example/2026h2").
 * @param out: room for cap bytes; receives the origin and a NUL.
 * @return: CTD_OK; CTD_EINVAL when the URL has no "://" or nothing after
 *	it; CTD_ESPACE when it does not fit.
 */
int note_url_origin(const char *url, char *out, size_t cap);

#endif /* CTD_NOTE_H */
