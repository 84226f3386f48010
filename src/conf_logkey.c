/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_logkey.c -- the configuration keys that give a log's public key,
 * "key" (base64 DER) and "key-file" (PEM), checked against the one key
 * policy of logkey.c (see conf_int.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64.h"
#include "conf.h"
#include "conf_int.h"
#include "err.h"
#include "logkey.h"

/* Why the key cannot serve as a log key, or NULL when it can. logkey.c
 * holds the one policy: ECDSA P-256, or RSA of 2048 to 4096 bits. */
static const char *
check_key_der(const uint8_t *der, size_t len)
{
	struct logkey *key = NULL;
	int rc = logkey_from_der(der, len, &key);
	logkey_free(key);
	switch (rc) {
	case CTD_OK:
		return NULL;
	case CTD_ERANGE:
		return "neither an ECDSA P-256 key nor an RSA key of 2048 to "
		       "4096 bits";
	case CTD_ENOMEM:
		return "out of memory";
	default:
		return "not a DER SubjectPublicKeyInfo";
	}
}

/* Strict standard base64 with padding; *out is malloc'd. */
static int
decode_b64(const char *text, uint8_t **out, size_t *out_len)
{
	size_t len = strlen(text);
	uint8_t *buf = malloc(len / 4 * 3 + 1);
	if (buf == NULL) {
		return CTD_ENOMEM;
	}
	int rc = base64_decode(text, len, buf, len / 4 * 3 + 1, out_len);
	if (rc != CTD_OK || *out_len == 0) {
		free(buf);
		return rc == CTD_OK ? CTD_EMALF : rc;
	}
	*out = buf;
	return CTD_OK;
}

int
conf_logkey_set_key(struct conf_parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc = decode_b64(value, &der, &der_len);
	if (rc == CTD_ENOMEM) {
		return conf_fail_at(p, p->line, rc, "out of memory");
	}
	if (rc != CTD_OK) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad key: not standard base64");
	}
	const char *why = check_key_der(der, der_len);
	if (why != NULL) {
		free(der);
		return conf_fail_at(p, p->line, CTD_ECONF, "bad key: %s", why);
	}
	log->key_der = der;
	log->key_der_len = der_len;
	return CTD_OK;
}

/* Read a PEM "PUBLIC KEY" file into DER bytes. */
int
conf_logkey_set_file(struct conf_parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	char *path = NULL;
	FILE *fp = NULL;
	EVP_PKEY *k = NULL;
	unsigned char *der = NULL;
	int rc = conf_keys_path(p, value, &path);
	if (rc != CTD_OK) {
		return rc;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = conf_fail_at(p, p->line, CTD_ECONF,
		    "cannot read key-file '%s': %s", path, strerror(errno));
		goto out;
	}
	k = PEM_read_PUBKEY(fp, NULL, NULL, NULL);
	int n = k ? i2d_PUBKEY(k, &der) : -1;
	if (n <= 0) {
		rc = conf_fail_at(p, p->line, CTD_ECONF,
		    "key-file '%s' holds no PEM PUBLIC KEY", path);
		goto out;
	}
	const char *why = check_key_der(der, (size_t)n);
	if (why != NULL) {
		rc = conf_fail_at(p, p->line, CTD_ECONF, "bad key in key-file "
		    "'%s': %s", path, why);
		goto out;
	}
	log->key_der = malloc((size_t)n);
	if (log->key_der == NULL) {
		rc = conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(log->key_der, der, (size_t)n);
	log->key_der_len = (size_t)n;
out:
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	if (fp != NULL) {
		fclose(fp);
	}
	free(path);
	ERR_clear_error();
	return rc;
}
