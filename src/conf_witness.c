/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_witness.c -- a log section's witnesses: "witness: NAME VKEY URL"
 * (repeatable) and "witness-quorum: K" (see conf_int.h, docs/witness.md).
 *
 * NAME is the witness's key name as it appears in its verifier key and in
 * the cosignature lines it returns; VKEY is its signed-note verifier key
 * (c2sp.org/signed-note, type 0x04 cosignature/v1 or 0x01 Ed25519: the
 * key is what matters, and the key ID is recomputed for cosignature/v1);
 * URL is its submission prefix, add-checkpoint is sent under it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "err.h"
#include "note.h"

/* Split value into three space-separated words; NULL when not three. */
static int
split3(char *value, char *words[3])
{
	char *save = NULL;
	size_t n = 0;
	for (char *w = strtok_r(value, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (n == 3) {
			return CTD_EMALF;
		}
		words[n++] = w;
	}
	return n == 3 ? CTD_OK : CTD_EMALF;
}

/* A witness's key, whatever type its text names, as cosignature/v1. */
static int
parse_vkey(struct conf_parser *p, const char *name, const char *text,
    struct note_vkey *out)
{
	struct note_vkey k;
	if (note_vkey_parse(text, strlen(text), &k) != CTD_OK) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad witness key '%s' (a signed-note verifier key "
		    "name+hex id+base64 of an Ed25519 key)", text);
	}
	if (strcmp(k.name, name) != 0) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "witness name '%s' is not the key's name '%s'", name,
		    k.name);
	}
	*out = k;
	if (k.type != NOTE_TYPE_COSIG_V1) {
		out->type = NOTE_TYPE_COSIG_V1;
		out->key_id = note_key_id(k.name, k.name_len,
		    NOTE_TYPE_COSIG_V1, k.pub, sizeof k.pub);
	}
	return CTD_OK;
}

int
conf_witness_set(struct conf_parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	if (log->witness_count == CONF_MAX_WITNESSES) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "more than %d witnesses for one log", CONF_MAX_WITNESSES);
	}
	char *copy = strdup(value);
	char *w[3];
	if (copy == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	int rc = split3(copy, w);
	if (rc != CTD_OK) {
		free(copy);
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "witness wants three words: NAME VKEY URL");
	}
	struct conf_witness cw = { 0 };
	rc = parse_vkey(p, w[0], w[1], &cw.vkey);
	if (rc == CTD_OK) {
		rc = conf_keys_url(p, "witness url", &cw.url, w[2]);
	}
	free(copy);
	if (rc != CTD_OK) {
		return rc;
	}
	for (size_t i = 0; i < log->witness_count; i++) {
		if (log->witnesses[i].vkey.key_id == cw.vkey.key_id &&
		    strcmp(log->witnesses[i].vkey.name, cw.vkey.name) == 0) {
			free(cw.url);
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "witness '%s' given twice", cw.vkey.name);
		}
	}
	struct conf_witness *grown = realloc(log->witnesses,
	    (log->witness_count + 1) * sizeof *grown);
	if (grown == NULL) {
		free(cw.url);
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	log->witnesses = grown;
	log->witnesses[log->witness_count++] = cw;
	return CTD_OK;
}

int
conf_witness_end_file(struct conf_parser *p)
{
	const struct conf *c = p->c;
	size_t own = c->has_cosigner ? 1 : 0;
	for (size_t i = 0; i < c->log_count; i++) {
		const struct conf_log *log = &c->logs[i];
		if (log->witness_quorum > log->witness_count + own) {
			return conf_fail_at(p, log->line, CTD_ECONF,
			    "witness-quorum %u is more than the %zu witnesses "
			    "listed and %s could give", log->witness_quorum,
			    log->witness_count, own ? "ctdnsd's own cosigner" :
			    "no cosigner (no cosigner-key)");
		}
	}
	return CTD_OK;
}

int
conf_witness_dup(struct conf_log *dst, const struct conf_log *src)
{
	dst->witnesses = NULL;
	dst->witness_count = 0;
	if (src->witness_count == 0) {
		return CTD_OK;
	}
	dst->witnesses = calloc(src->witness_count, sizeof *dst->witnesses);
	if (dst->witnesses == NULL) {
		return CTD_ENOMEM;
	}
	for (size_t i = 0; i < src->witness_count; i++) {
		dst->witnesses[i] = src->witnesses[i];
		dst->witnesses[i].url = strdup(src->witnesses[i].url);
		dst->witness_count = i + 1;
		if (dst->witnesses[i].url == NULL) {
			return CTD_ENOMEM;
		}
	}
	return CTD_OK;
}

void
conf_witness_free(struct conf_log *log)
{
	for (size_t i = 0; i < log->witness_count; i++) {
		free(log->witnesses[i].url);
	}
	free(log->witnesses);
	log->witnesses = NULL;
	log->witness_count = 0;
}
