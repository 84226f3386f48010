/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_int.h -- what the configuration file reader (conf.c) and the key
 * table (conf_keys.c) share; nothing else includes it (the API is conf.h).
 *
 * conf.c reads lines and sections and writes every error as
 * "path:line: message"; conf_keys.c knows which keys exist, their types,
 * ranges and defaults, and checks each value and each section;
 * conf_logkey.c holds the setters of a log's public key.
 */
#ifndef CTD_CONF_INT_H
#define CTD_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum conf_section { SEC_NONE, SEC_SERVER, SEC_LOG };

/* The state of one conf_load(). */
struct conf_parser {
	const char *path;	/* as given, for messages */
	unsigned line;
	char *err;
	size_t err_len;
	struct conf *c;
	enum conf_section section;
	uint32_t server_seen;	/* bit i: server key i was given */
	uint32_t log_seen;	/* bit i: log key i of the current section */
	char *cwd;		/* lazily filled by make_absolute() */
};

/*
 * Write "path:line: message" (line 0: "path: message") into the caller's
 * error buffer; the first error stops the parse.
 * @return: rc, so that a caller can "return conf_fail_at(...)".
 */
int conf_fail_at(struct conf_parser *p, unsigned line, int rc,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- conf_keys.c ------------------------------------------------------ */

/*
 * Make a path from the configuration absolute (relative to the directory
 * ctdnsd started in), so that a later chdir or chroot cannot change it.
 * @param out: receives the path; caller frees with free().
 * @return: CTD_OK, or the error conf_fail_at() wrote.
 */
int conf_keys_path(struct conf_parser *p, const char *value, char **out);

/* An http(s) URL (a prefix) into *dst (replaced), with a trailing '/';
 * what names it in errors ("bad <what> '...'"). */
int conf_keys_url(struct conf_parser *p, const char *what, char **dst,
    const char *value);

/* Set the server section's defaults in a new struct conf. */
void conf_keys_server_defaults(struct conf *c);

/* Set a new log section's defaults (every field: the rest zero). */
void conf_keys_log_defaults(struct conf_log *log);

/*
 * Check and store one "key: value" of the current section.
 * @param server: the server section; else the last log of p->c.
 * @param value: not empty.
 * @return: CTD_OK, or the error conf_fail_at() wrote (CTD_ECONF for an
 *	unknown, duplicate or invalid key, CTD_ENOMEM, ...).
 */
int conf_keys_set(struct conf_parser *p, bool server, const char *key,
    const char *value);

/* Whether a key's value is several words, taken unquoted to the end of
 * the line ("witness"). */
bool conf_keys_words(const char *key);

/* The last log section is complete: every required key is there. */
int conf_keys_end_log(struct conf_parser *p);

/* The whole-file requirements, checked after the last line. */
int conf_keys_end_file(struct conf_parser *p);

/* ---- conf_logkey.c ---------------------------------------------------- */

/* The setters of a log section's "key" (standard base64 of a DER
 * SubjectPublicKeyInfo) and "key-file" (a PEM PUBLIC KEY file); base is
 * the struct conf_log. @return: CTD_OK or the error conf_fail_at() wrote. */
int conf_logkey_set_key(struct conf_parser *p, void *base,
    const char *value);
int conf_logkey_set_file(struct conf_parser *p, void *base,
    const char *value);

/* ---- conf_witness.c --------------------------------------------------- */

/* The setter of a log section's "witness: NAME VKEY URL" (repeatable). */
int conf_witness_set(struct conf_parser *p, void *base, const char *value);

/* Every log's witness-quorum can be met: by its witnesses and, when the
 * server has a cosigner-key, ctdnsd's own cosigner. */
int conf_witness_end_file(struct conf_parser *p);

/* ---- conf_cosigner.c -------------------------------------------------- */

/* The setters of the server section's "cosigner-name" (a signed-note key
 * name) and "cosigner-key" (a PEM Ed25519 private key file, read now);
 * base is the struct conf. @return: CTD_OK or the error conf_fail_at()
 * wrote. */
int conf_cosigner_set_name(struct conf_parser *p, void *base,
    const char *value);
int conf_cosigner_set_key(struct conf_parser *p, void *base,
    const char *value);

/* Both cosigner keys or neither; witness-listen needs them. */
int conf_cosigner_end_file(struct conf_parser *p);

#endif /* CTD_CONF_INT_H */
