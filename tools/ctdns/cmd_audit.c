/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_audit.c -- ctdns audit-sth: is an STH from elsewhere on the tree the
 * front end serves?
 *
 *   ctdns [-s ADDR[@PORT]] (-k KEY_B64 | -K KEY.pem) [-T] [-v]
 *       audit-sth ZONE FILE [--origin ORIGIN]
 *
 * FILE holds one tree head that a TLS server or another client handed
 * over, in any of three forms, told apart by their shape:
 *   - RFC 6962 get-sth JSON ({"tree_size": ..., ...});
 *   - the sth TXT text "<size>.<timestamp>.<root>.<sig>" (quotes and
 *     surrounding blanks are dropped);
 *   - a checkpoint (C2SP signed note) with the log's RFC6962NoteSignature
 *     line; its origin is the checkpoint's own unless --origin names it.
 * Its signature is checked with the log key, then audit_sth() (lib/audit.h)
 * compares it with the front end's sth.ZONE.
 *
 * Exit status (docs/ctdns.1): 0 consistent; 1 a signature or the data does
 * not verify; 2 usage, files, network; 3 split view: both signed heads are
 * printed, with the check that failed; 4 not yet verifiable: the held tree
 * is larger than the served one, and the front end proves consistency only
 * up to its own head.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ctdns_tool.h"
#include "dnsq.h"
#include "err.h"
#include "logkey.h"
#include "note.h"
#include "rfc6962.h"
#include "sth.h"

#define EXIT_SPLIT 3
#define EXIT_NOT_YET 4
/* The largest file read: a checkpoint note is at most NOTE_MAX. */
#define AUDIT_FILE_MAX NOTE_MAX

/* Read at most AUDIT_FILE_MAX bytes of path; NUL-terminated. */
static int
read_file(const char *path, char *buf, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "ctdns: audit-sth: cannot open %s\n", path);
		return CTD_EIO;
	}
	n = fread(buf, 1, AUDIT_FILE_MAX + 1, f);
	if (ferror(f) || n > AUDIT_FILE_MAX) {
		fprintf(stderr, "ctdns: audit-sth: %s: %s\n", path,
		    n > AUDIT_FILE_MAX ? "too large" : "read error");
		fclose(f);
		return CTD_EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*len_out = n;
	return CTD_OK;
}

/* The sth TXT text: blanks and one pair of double quotes dropped. */
static int
parse_txt(char *buf, size_t len, struct sth *out)
{
	char *s = buf, *e = buf + len;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r')) {
		s++;
	}
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r')) {
		e--;
	}
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	return sth_from_txt(s, (size_t)(e - s), out);
}

/*
 * The STH in buf, its signature verified with key. form is set to the
 * form found, for messages.
 */
static int
held_sth(char *buf, size_t len, const char *origin,
    const struct logkey *key, struct sth *out, const char **form)
{
	const char *p = buf;
	int rc;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
		p++;
	}
	if (*p == '{') {
		*form = "get-sth JSON";
		rc = rfc6962_parse_sth((const uint8_t *)buf, len, out);
	} else if (strstr(buf, "\n\n") != NULL) {
		/* Opens and verifies with the log's note signature line. */
		*form = "checkpoint";
		return note_open_rfc6962(buf, len, origin, key, out, NULL);
	} else {
		*form = "sth TXT";
		rc = parse_txt(buf, len, out);
	}
	return rc != CTD_OK ? rc : sth_verify(out, key);
}

static void
print_sth(const char *who, const struct sth *sth)
{
	char txt[STH_TXT_MAX];
	size_t len;

	if (sth_to_txt(sth, txt, sizeof txt, &len) != CTD_OK) {
		snprintf(txt, sizeof txt, "?");
	}
	printf("%s: tree_size=%" PRIu64 " timestamp=%" PRIu64 "\n%s: %s\n",
	    who, sth->tree_size, sth->timestamp, who, txt);
}

/* Say what audit_sth() found; the exit status. */
static int
report(const struct sth *held, const struct audit_result *res)
{
	print_sth("served", &res->served);
	switch (res->verdict) {
	case AUDIT_CONSISTENT:
		if (res->check == AUDIT_CHECK_CONSISTENCY) {
			printf("consistency: tree %" PRIu64 " -> tree %" PRIu64
			    " verified (%zu nodes)\n", held->tree_size,
			    res->served.tree_size, res->proof_len);
		}
		printf("consistent\n");
		return 0;
	case AUDIT_NOT_YET:
		printf("not yet verifiable: the held tree (%" PRIu64 ") is "
		    "beyond the served one (%" PRIu64 "); ask again once the "
		    "front end serves it\n", held->tree_size,
		    res->served.tree_size);
		return EXIT_NOT_YET;
	case AUDIT_SPLIT:
	default:
		break;
	}
	printf("SPLIT VIEW: the log signed both heads, and %s\n",
	    res->check == AUDIT_CHECK_SAME_SIZE ?
	    "they have the same size and different roots" :
	    "the consistency proof from the held head to the served head "
	    "does not verify");
	print_sth("evidence held", held);
	print_sth("evidence served", &res->served);
	return EXIT_SPLIT;
}

/* Exit status of an error code (as ctdns.c's). */
static int
trouble(int rc)
{
	return rc == CTD_EVERIFY || rc == CTD_EMALF || rc == CTD_ENOTFOUND ||
	    rc == CTD_EINCONSISTENT ? 1 : 2;
}

int
cmd_audit_sth(int argc, char **argv, const struct options *o)
{
	const char *origin = NULL, *form = "?";
	struct logkey *key = NULL;
	struct dnsq dq = { 0 };
	struct audit_result res;
	struct sth held;
	char *buf = NULL;
	size_t len;
	int rc, status = 2;

	if (argc == 5 && strcmp(argv[3], "--origin") == 0) {
		origin = argv[4];
	} else if (argc != 3) {
		fprintf(stderr, "usage: ctdns -k KEY | -K KEY.pem audit-sth "
		    "ZONE FILE [--origin ORIGIN]\n");
		return 2;
	}
	if ((rc = tool_load_key(o, &key)) != CTD_OK || key == NULL) {
		if (rc == CTD_OK) {
			fprintf(stderr, "ctdns: audit-sth needs the log key "
			    "(-k or -K)\n");
		}
		return 2;
	}
	if ((buf = malloc(AUDIT_FILE_MAX + 1)) == NULL ||
	    read_file(argv[2], buf, &len) != CTD_OK) {
		goto out;
	}
	if ((rc = held_sth(buf, len, origin, key, &held, &form)) != CTD_OK) {
		fprintf(stderr, "ctdns: audit-sth: %s (%s) does not verify "
		    "with the log key: %s\n", argv[2], form, ctd_strerror(rc));
		status = 1;
		goto out;
	}
	printf("held: %s, %s, signature verified\n", argv[2], form);
	print_sth("held", &held);
	if ((rc = dnsq_init(&dq, argv[1], o->server, o->tcp, o->verbose,
	    stderr)) != CTD_OK) {
		goto out;
	}
	if ((rc = audit_sth(&dq, key, &held, &res)) != CTD_OK) {
		fprintf(stderr, "ctdns: audit-sth: the front end's view of %s: "
		    "%s\n", argv[1], ctd_strerror(rc));
		status = trouble(rc);
		goto out;
	}
	status = report(&held, &res);
out:
	/* Safe on a client never or partly set up (as ctdns.c relies). */
	dnsq_deinit(&dq);
	free(buf);
	logkey_free(key);
	fflush(stdout);
	return status;
}
