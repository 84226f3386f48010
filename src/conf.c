/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.c -- the ctdnsd configuration file, read into struct conf.
 *
 * A line-oriented reader: each line is split into an optional indentation,
 * a key, a ':' and an optional value (quoted or bare); a line at column 0
 * opens a section, an indented one is handed to the key table of the
 * current section (conf_keys.c: names, types, ranges, defaults). A log
 * section is checked for completeness when the next section begins or the
 * file ends, and the error then names the line of its "log:" header.
 *
 * The first error stops the parse: the message is written once into the
 * caller's buffer and the code travels back up unchanged.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "conf_int.h"
#include "err.h"

/* ---- errors ------------------------------------------------------------- */

int
conf_fail_at(struct conf_parser *p, unsigned line, int rc, const char *fmt, ...)
{
	if (p->err == NULL || p->err_len == 0) {
		return rc;
	}
	int n;
	if (line > 0) {
		n = snprintf(p->err, p->err_len, "%s:%u: ", p->path, line);
	} else {
		n = snprintf(p->err, p->err_len, "%s: ", p->path);
	}
	if (n >= 0 && (size_t)n < p->err_len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- sections ----------------------------------------------------------- */

static int
begin_log(struct conf_parser *p)
{
	struct conf *c = p->c;
	struct conf_log *n = realloc(c->logs, (c->log_count + 1) * sizeof(*n));
	if (n == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	c->logs = n;
	struct conf_log *log = &n[c->log_count];
	conf_keys_log_defaults(log);
	log->line = p->line;
	c->log_count++;
	log->file = strdup(p->path);
	if (log->file == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	p->log_seen = 0;
	return CTD_OK;
}

static int
end_section(struct conf_parser *p)
{
	return p->section == SEC_LOG ? conf_keys_end_log(p) : CTD_OK;
}

/* "name:" at column 0. */
static int
begin_section(struct conf_parser *p, const char *name, const char *value)
{
	bool known = strcmp(name, "server") == 0 || strcmp(name, "log") == 0;
	if (!known && value[0] != '\0') {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "key '%s' outside a section (indent it below server: "
		    "or log:)", name);
	}
	if (!known) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "unknown section '%s:' (server: or log:)", name);
	}
	if (value[0] != '\0') {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "unexpected '%s' after '%s:' (keys go on their own "
		    "indented lines)", value, name);
	}
	int rc = end_section(p);
	if (rc != CTD_OK) {
		return rc;
	}
	if (strcmp(name, "server") == 0) {
		p->section = SEC_SERVER;
		return CTD_OK;
	}
	p->section = SEC_LOG;
	return begin_log(p);
}

/* An indented "key: value" line. */
static int
section_key(struct conf_parser *p, const char *key, const char *value)
{
	if (p->section == SEC_NONE) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "key '%s' outside a section (put it below server: or "
		    "log:)", key);
	}
	return conf_keys_set(p, p->section == SEC_SERVER, key, value);
}

/* ---- lines -------------------------------------------------------------- */

/*
 * Split a line (no newline) into key and value, in place.
 * @return: CTD_OK with *key (never empty) and *value (maybe empty) set;
 *	CTD_ENOTFOUND for a blank or comment line; CTD_ECONF after failing.
 */
static int
split_line(struct conf_parser *p, char *s, char **key, char **value)
{
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	if (*s == '\0' || *s == '#') {
		return CTD_ENOTFOUND;
	}
	char *k = s;
	while (*s != '\0' && *s != ':' && *s != ' ' && *s != '\t' &&
	    *s != '#') {
		s++;
	}
	if (*s != ':') {
		*s = '\0';
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "missing ':' after '%s' (want key: value)", k);
	}
	if (s == k) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "missing key before ':'");
	}
	*s++ = '\0';
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	char *v = s, *end;
	if (*s == '"') {
		v = ++s;
		end = strchr(s, '"');
		if (end == NULL) {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "unterminated quoted value for '%s'", k);
		}
		s = end + 1;
	} else if (conf_keys_words(k)) {
		/* A value of several words ("witness: NAME VKEY URL"): up
		 * to a comment, trailing blanks dropped. */
		while (*s != '\0' && *s != '#') {
			s++;
		}
		end = s;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
			end--;
		}
	} else {
		while (*s != '\0' && *s != '#' && *s != ' ' && *s != '\t') {
			s++;
		}
		end = s;
	}
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	if (*s != '\0' && *s != '#') {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "unexpected text after the value of '%s' (quote values "
		    "that hold spaces)", k);
	}
	*end = '\0';
	*key = k;
	*value = v;
	return CTD_OK;
}

static int
parse_line(struct conf_parser *p, char *line, size_t len)
{
	if (strlen(line) != len) {
		return conf_fail_at(p, p->line, CTD_ECONF, "NUL byte in line");
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
		line[--len] = '\0';
	}
	bool indented = line[0] == ' ' || line[0] == '\t';
	char *key = NULL, *value = NULL;
	int rc = split_line(p, line, &key, &value);
	if (rc == CTD_ENOTFOUND) {
		return CTD_OK;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	return indented ? section_key(p, key, value) :
	    begin_section(p, key, value);
}

int
conf_load(const char *path, struct conf **out, char *err, size_t err_len)
{
	struct conf_parser p = {
		.path = path, .err = err, .err_len = err_len,
	};
	char *line = NULL;
	size_t cap = 0;
	int rc = CTD_OK;
	if (err != NULL && err_len > 0) {
		err[0] = '\0';
	}
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		return conf_fail_at(&p, 0, CTD_EIO, "cannot open: %s",
		    strerror(errno));
	}
	p.c = calloc(1, sizeof(*p.c));
	if (p.c == NULL) {
		rc = conf_fail_at(&p, 0, CTD_ENOMEM, "out of memory");
		goto out;
	}
	conf_keys_server_defaults(p.c);
	ssize_t n;
	errno = 0;
	while (rc == CTD_OK && (n = getline(&line, &cap, fp)) != -1) {
		p.line++;
		rc = parse_line(&p, line, (size_t)n);
	}
	if (rc == CTD_OK && ferror(fp)) {
		rc = conf_fail_at(&p, p.line + 1, CTD_EIO, "read error: %s",
		    strerror(errno));
	}
	if (rc == CTD_OK) {
		rc = end_section(&p);
	}
	if (rc == CTD_OK) {
		rc = conf_keys_end_file(&p);
	}
out:
	if (rc == CTD_OK) {
		*out = p.c;
	} else {
		conf_free(p.c);
	}
	free(p.cwd);
	free(line);
	fclose(fp);
	return rc;
}

void
conf_free(struct conf *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->log_count; i++) {
		struct conf_log *log = &c->logs[i];
		free(log->name);
		free(log->zone);
		free(log->zonefile);
		free(log->url);
		free(log->monitoring_url);
		free(log->submission_url);
		free(log->key_der);
		free(log->file);
		conf_witness_free(log);
	}
	free(c->logs);
	free(c->listens);
	free(c->database);
	free(c->pidfile);
	free(c->username);
	free(c->chroot_dir);
	free(c->outgoing_interface);
	free(c->cosigner_name);
	free(c->cosigner_key);
	OPENSSL_cleanse(c->cosigner_seed, sizeof c->cosigner_seed);
	free(c);
}

const struct conf_log *
conf_find_log(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->log_count; i++) {
		if (strcmp(c->logs[i].name, name) == 0) {
			return &c->logs[i];
		}
	}
	return NULL;
}
