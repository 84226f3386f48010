/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_checkpoint.c -- `ctdns checkpoint`: the log's head as a cosigned
 * checkpoint (checkpoint.<zone>), checked against a witness quorum.
 *
 *   ctdns [-s ADDR[@PORT]] (-k KEY_B64 | -K KEY.pem) [-T] [-v]
 *       checkpoint ZONE [--origin ORIGIN | --url URL]
 *       [--witness [NAME=]VKEY]... [--quorum K]
 *
 * The answer comes through the resolver like every other form (a large
 * one truncated over UDP is asked again over TCP). The log's signature
 * (RFC6962NoteSignature) is checked with the log's key; that signature
 * does not cover the origin, so the expected origin comes from --origin,
 * or from --url (the log's url, or a tiled log's submission URL, without
 * scheme and trailing slash); without either, the checkpoint's own origin
 * is taken and said to be unchecked. Each --witness is a cosignature/v1
 * verifier key; the head is accepted when at least K of them cosigned it
 * (cpverify.h). K defaults to the number of witnesses given.
 *
 * Exit: 0 the log's signature and the quorum verified; 1 a bad signature,
 * another origin, or fewer than K valid cosignatures; 2 usage, keys,
 * network.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "cpverify.h"
#include "ctdns_tool.h"
#include "dnsq.h"
#include "err.h"
#include "logkey.h"
#include "num.h"

#define EXIT_FAIL 1
#define EXIT_TROUBLE 2

struct cpopts {
	const char *zone;
	char origin[NOTE_ORIGIN_MAX + 1];	/* "": not given */
	const char *labels[CPVERIFY_WITNESS_MAX];	/* NAME of NAME= */
	struct cpverify_policy policy;
	bool quorum_given;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ctdns [-s ADDR[@PORT]] (-k KEY_B64 | -K KEY.pem) [-T] [-v]"
	    " checkpoint ZONE\n"
	    "         [--origin ORIGIN | --url URL] [--witness [NAME=]VKEY]..."
	    " [--quorum K]\n"
	    "  --origin ORIGIN    the log's checkpoint origin\n"
	    "  --url URL          the log's url (tiled: submission URL); the"
	    " origin is it\n"
	    "                     without scheme and trailing slash\n"
	    "  --witness [NAME=]VKEY  a witness's cosignature/v1 verifier key"
	    " (repeatable)\n"
	    "  --quorum K         valid cosignatures needed (default: all"
	    " witnesses)\n"
	    "exit: 0 verified with the quorum, 1 verification failed or no "
	    "quorum,\n"
	    "      2 usage, keys or network errors\n");
}

/* "[NAME=]VKEY": a NAME holds no '+', a key always does. */
static int
add_witness(struct cpopts *c, char *arg)
{
	char *eq = strchr(arg, '=');
	const char *label = NULL;
	int rc;

	if (eq != NULL && memchr(arg, '+', (size_t)(eq - arg)) == NULL) {
		*eq = '\0';
		label = arg;
		arg = eq + 1;
	}
	rc = cpverify_policy_add(&c->policy, arg, strlen(arg));
	if (rc != CTD_OK) {
		fprintf(stderr, "ctdns: --witness %s: %s\n", arg,
		    rc == CTD_ERANGE ? "not a cosignature/v1 (type 0x04) "
		    "Ed25519 verifier key" : rc == CTD_EINVAL ? "this key is "
		    "given already" : rc == CTD_ESPACE ? "too many witnesses" :
		    "not a verifier key");
		return CTD_EINVAL;
	}
	c->labels[c->policy.count - 1] = label != NULL ? label :
	    c->policy.keys[c->policy.count - 1].name;
	return CTD_OK;
}

/* One option with its argument; CTD_ENOTFOUND when argv[i] is not one. */
static int
parse_one(struct cpopts *c, const char *opt, char *val)
{
	uint64_t k;

	if (strcmp(opt, "--witness") == 0) {
		return add_witness(c, val);
	}
	if (strcmp(opt, "--quorum") == 0) {
		if (num_parse_u64_str(val, 0, &k) != CTD_OK ||
		    k > CPVERIFY_WITNESS_MAX) {
			fprintf(stderr, "ctdns: --quorum %s: not a number from "
			    "0 to %d\n", val, CPVERIFY_WITNESS_MAX);
			return CTD_EINVAL;
		}
		c->policy.quorum = (unsigned)k;
		c->quorum_given = true;
		return CTD_OK;
	}
	if (strcmp(opt, "--origin") == 0 || strcmp(opt, "--url") == 0) {
		int rc = opt[2] == 'o' ? (strlen(val) < sizeof c->origin &&
		    note_name_valid(val, strlen(val)) ? CTD_OK : CTD_EINVAL) :
		    note_url_origin(val, c->origin, sizeof c->origin);
		if (rc != CTD_OK) {
			fprintf(stderr, "ctdns: %s %s: not a usable origin\n",
			    opt, val);
			return CTD_EINVAL;
		}
		if (opt[2] == 'o') {
			snprintf(c->origin, sizeof c->origin, "%s", val);
		}
		return CTD_OK;
	}
	return CTD_ENOTFOUND;
}

static int
parse_args(int argc, char **argv, struct cpopts *c)
{
	if (argc < 2) {
		usage(stderr);
		return CTD_EINVAL;
	}
	c->zone = argv[1];
	for (int i = 2; i < argc; i += 2) {
		int rc = i + 1 < argc ? parse_one(c, argv[i], argv[i + 1]) :
		    CTD_ENOTFOUND;
		if (rc == CTD_ENOTFOUND) {
			usage(stderr);
		}
		if (rc != CTD_OK) {
			return CTD_EINVAL;
		}
	}
	if (!c->quorum_given) {
		c->policy.quorum = (unsigned)c->policy.count;
	}
	if (c->policy.quorum > c->policy.count) {
		fprintf(stderr, "ctdns: --quorum %u but only %zu witnesses "
		    "given\n", c->policy.quorum, c->policy.count);
		return CTD_EINVAL;
	}
	return CTD_OK;
}

static void
print_head(const struct cpverify_result *r, const char *origin_note)
{
	char root[48], when[40];
	size_t n;
	struct tm tm;
	time_t t = (time_t)(r->sth.timestamp / 1000);

	if (base64_encode(r->sth.root, 32, root, sizeof root, &n) != CTD_OK) {
		snprintf(root, sizeof root, "?");
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(when, sizeof when, "out of range");
	}
	printf("checkpoint: origin=%.*s%s\n", (int)r->cp.origin_len,
	    r->cp.origin, origin_note);
	printf("checkpoint: tree_size=%" PRIu64 " root=%s timestamp=%" PRIu64
	    " (%s)\n", r->sth.tree_size, root, r->sth.timestamp, when);
	printf("checkpoint: log signature verified\n");
}

/* One line per witness, then the count. */
static void
print_witnesses(const struct cpopts *c, const struct cpverify_result *r)
{
	for (size_t i = 0; i < c->policy.count; i++) {
		switch (r->witness[i]) {
		case CPVERIFY_VALID:
			printf("witness %s: cosigned (time %" PRIu64 ")\n",
			    c->labels[i], r->time[i]);
			break;
		case CPVERIFY_BAD:
			printf("witness %s: BAD cosignature (does not verify "
			    "with its key)\n", c->labels[i]);
			break;
		default:
			printf("witness %s: no cosignature\n", c->labels[i]);
			break;
		}
	}
	printf("cosigners: %u of %zu witnesses, quorum %u\n", r->cosigned,
	    c->policy.count, c->policy.quorum);
}

/* Fetch, open, count. @return: an exit status. */
static int
check(struct dnsq *dq, const struct cpopts *c, const struct logkey *key)
{
	static struct dnsq_answer a;
	struct cpverify_result r;
	const char *origin = c->origin[0] != '\0' ? c->origin : NULL;
	int rc = dnsq_txt(dq, "checkpoint", "checkpoint", DNSQ_TXT_MAX, &a);

	if (rc == CTD_ENOTFOUND) {
		fprintf(stderr, "ctdns: checkpoint.%s: NXDOMAIN: no checkpoint "
		    "form at this zone\n", dq->zone);
		return EXIT_TROUBLE;
	}
	if (rc != CTD_OK) {
		return rc == CTD_EMALF ? EXIT_FAIL : EXIT_TROUBLE;
	}
	rc = cpverify_open((const char *)a.txt, a.len, origin, key,
	    &c->policy, &r);
	if (rc != CTD_OK) {
		fprintf(stderr, "ctdns: checkpoint: %s\n", rc == CTD_EMALF ?
		    "the answer is not a checkpoint without extensions" :
		    rc == CTD_ENOTFOUND ? "no signature line of the log's key "
		    "(wrong key, or wrong origin)" : origin != NULL ?
		    "the log's signature does not verify, or the origin is not"
		    " the expected one" : "the log's signature does not "
		    "verify");
		return EXIT_FAIL;
	}
	print_head(&r, origin != NULL ? " (as expected)" :
	    " (NOT checked: no --origin or --url)");
	print_witnesses(c, &r);
	if (!cpverify_quorum_met(&c->policy, &r)) {
		fprintf(stderr, "ctdns: checkpoint: only %u valid witness "
		    "cosignatures, %u required\n", r.cosigned,
		    c->policy.quorum);
		return EXIT_FAIL;
	}
	printf("OK\n");
	return 0;
}

int
cmd_checkpoint(int argc, char **argv, const struct options *o)
{
	static struct cpopts c;
	struct dnsq dq = { 0 };
	struct logkey *key = NULL;
	int rc = EXIT_TROUBLE;

	memset(&c, 0, sizeof c);
	if (parse_args(argc, argv, &c) != CTD_OK) {
		return EXIT_TROUBLE;
	}
	if ((o->key_b64 == NULL) == (o->key_pem == NULL)) {
		fprintf(stderr, "ctdns: checkpoint needs the log's key: -k or "
		    "-K (one of them)\n");
		return EXIT_TROUBLE;
	}
	if (tool_load_key(o, &key) != CTD_OK) {
		return EXIT_TROUBLE;
	}
	if (dnsq_init(&dq, c.zone, o->server, o->tcp, o->verbose, stderr) ==
	    CTD_OK) {
		rc = check(&dq, &c, key);
	}
	dnsq_deinit(&dq);
	logkey_free(key);
	fflush(stdout);
	return rc;
}
