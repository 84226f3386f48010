/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_cosigner.c -- the server section's cosigner keys (see conf_int.h):
 * "cosigner-name", a signed-note key name, and "cosigner-key", a PEM file
 * holding an Ed25519 private key (openssl genpkey -algorithm ed25519),
 * read at load time into its 32-byte seed, so that a bad key is reported
 * at its line before the daemon starts.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "conf.h"
#include "conf_int.h"
#include "err.h"
#include "note.h"

int
conf_cosigner_set_name(struct conf_parser *p, void *base, const char *value)
{
	struct conf *c = base;
	size_t len = strlen(value);
	if (len > NOTE_NAME_MAX || !note_name_valid(value, len)) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad cosigner-name '%s': a key name is 1 to %d bytes of "
		    "UTF-8 without '+' or spaces", value, NOTE_NAME_MAX);
	}
	free(c->cosigner_name);
	if ((c->cosigner_name = strdup(value)) == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	return CTD_OK;
}

/* The seed of the Ed25519 private key in a PEM file; why not, or NULL. */
static const char *
read_seed(FILE *fp, uint8_t seed[NOTE_ED25519_LEN])
{
	EVP_PKEY *k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	const char *why = NULL;
	size_t len = NOTE_ED25519_LEN;
	if (k == NULL) {
		why = "holds no PEM private key (or a protected one)";
	} else if (EVP_PKEY_get_base_id(k) != EVP_PKEY_ED25519) {
		why = "is not an Ed25519 key (openssl genpkey -algorithm "
		      "ed25519)";
	} else if (EVP_PKEY_get_raw_private_key(k, seed, &len) != 1 ||
	    len != NOTE_ED25519_LEN) {
		why = "has no 32-byte Ed25519 seed";
	}
	EVP_PKEY_free(k);
	ERR_clear_error();
	return why;
}

int
conf_cosigner_set_key(struct conf_parser *p, void *base, const char *value)
{
	struct conf *c = base;
	char *path = NULL;
	int rc = conf_keys_path(p, value, &path);
	if (rc != CTD_OK) {
		return rc;
	}
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		rc = conf_fail_at(p, p->line, CTD_ECONF,
		    "cannot read cosigner-key '%s': %s", path,
		    strerror(errno));
		free(path);
		return rc;
	}
	const char *why = read_seed(fp, c->cosigner_seed);
	fclose(fp);
	if (why != NULL) {
		rc = conf_fail_at(p, p->line, CTD_ECONF,
		    "cosigner-key '%s' %s", path, why);
		OPENSSL_cleanse(c->cosigner_seed, sizeof c->cosigner_seed);
		free(path);
		return rc;
	}
	free(c->cosigner_key);
	c->cosigner_key = path;
	return CTD_OK;
}

int
conf_cosigner_end_file(struct conf_parser *p)
{
	struct conf *c = p->c;
	if ((c->cosigner_name == NULL) != (c->cosigner_key == NULL)) {
		return conf_fail_at(p, 0, CTD_ECONF, "'cosigner-name' and "
		    "'cosigner-key' go together: give both or neither");
	}
	c->has_cosigner = c->cosigner_name != NULL;
	if (c->has_witness && !c->has_cosigner) {
		return conf_fail_at(p, 0, CTD_ECONF, "'witness-listen' needs "
		    "'cosigner-name' and 'cosigner-key'");
	}
	return CTD_OK;
}
