/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctdns.c -- CT-over-DNS client: fetch an STH, inclusion and consistency
 * proofs over DNS and verify them.
 *
 *   ctdns [-s ADDR[@PORT]] [-k KEY_B64 | -K KEY.pem] [-T] [-v] sth ZONE
 *   ctdns [...] proof ZONE LEAFHASH [TREE_SIZE] [--index N]
 *   ctdns [...] consistency ZONE FIRST SECOND
 *   ctdns [...] checkpoint ZONE ... (cmd_checkpoint.c)
 *   ctdns [...] audit-sth ZONE FILE [--origin ORIGIN]   (cmd_audit.c)
 *
 * Every command starts from the log's latest STH (sth.ZONE), whose
 * signature is checked when a log key is given. Everything else is
 * anchored in that STH's root: an inclusion proof for the STH's tree is
 * checked against its root; a proof for an older tree, and both roots of
 * a consistency proof between older trees, are tied to it by consistency
 * proofs up to the STH's tree. Proof lengths come from the Merkle
 * arithmetic (merkle.h), never from the server. proof --index N takes the
 * leaf's index from the caller (a tiled log's SCT carries it in its
 * leaf_index extension) instead of asking the hash name: the audit path
 * at N must then lead from the leaf hash to the root, so a wrong N fails.
 *
 * The root of a tree whose size is a power of two is not carried by a
 * consistency proof from it (RFC 9162 section 2.1.4.2). It is the node
 * MTH(D[0:m]) of the audit path of leaf m in any larger tree, so the
 * client asks for that one node and verifies it through the consistency
 * proof, which hashes it into the larger tree's root.
 *
 * Output: one line per verified fact on stdout, then "OK". Errors: one
 * line on stderr. Exit 0 when everything verified, 1 when the log's data
 * fails verification or is inconsistent or the leaf is not in the tree,
 * 2 for usage, configuration and network errors.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "ctdns_tool.h"
#include "dnsq.h"
#include "err.h"
#include "logkey.h"
#include "merkle.h"
#include "num.h"
#include "sth.h"

#define EXIT_VERIFY 1
#define EXIT_TROUBLE 2

/* The largest Unix time strftime() is asked to show: 9999-12-31. */
#define TIME_MAX_SEC 253402300799ULL

struct client {
	struct dnsq dq;
	struct logkey *key;	/* NULL: the STH signature is not checked */
	struct sth sth;		/* the latest STH, once fetched */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ctdns [-s ADDR[@PORT]] [-k KEY_B64 | -K KEY.pem] [-T] [-v]"
	    " COMMAND ...\n"
	    "  sth ZONE                           the log's latest STH\n"
	    "  proof ZONE LEAFHASH [TREE_SIZE] [--index N]\n"
	    "                                     inclusion of a leaf hash\n"
	    "                                     (--index N: no hash query)\n"
	    "  consistency ZONE FIRST SECOND      consistency of two trees\n"
	    "  checkpoint ZONE [--origin O | --url URL] [--witness [NAME=]VKEY]"
	    "...\n"
	    "         [--quorum K]                the head, cosigned by a "
	    "witness quorum\n"
	    "  audit-sth ZONE FILE [--origin ORIGIN]\n"
	    "                                     check an STH from elsewhere "
	    "against\n"
	    "                                     the served one (exit 3: split "
	    "view,\n"
	    "                                     4: not yet verifiable)\n"
	    "  verify CERT.pem [--issuer ISSUER.pem] [--sct-list FILE]\n"
	    "         --log-list FILE [--log-zone LOGID=ZONE] [--json]\n"
	    "                                     prove a certificate's SCTs\n"
	    "options:\n"
	    "  -s ADDR[@PORT]  ask this server (default: /etc/resolv.conf)\n"
	    "  -k KEY_B64      log key, base64 DER SubjectPublicKeyInfo\n"
	    "  -K KEY.pem      log key, PEM file\n"
	    "  -T              use TCP\n"
	    "  -v              print each DNS query on stderr\n"
	    "LEAFHASH: 64 hex digits or base64 of the 32-byte leaf hash.\n"
	    "exit: 0 verified, 1 verification failed, 2 usage or network "
	    "error\n");
}

/* The exit status for a failure code (docs/ctdns.md has the table). */
static int
exit_status(int rc)
{
	switch (rc) {
	case CTD_OK:
		return 0;
	case CTD_EVERIFY:
	case CTD_EINCONSISTENT:
	case CTD_EMALF:
	case CTD_ENOTFOUND:
		return EXIT_VERIFY;
	default:
		return EXIT_TROUBLE;
	}
}

static void
to_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* A leaf hash from 64 hex digits or the base64 of 32 bytes. */
static bool
parse_leaf_hash(const char *s, uint8_t out[MERKLE_HASH_LEN])
{
	size_t len = strlen(s);

	if (len == 2 * MERKLE_HASH_LEN) {
		for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
			int hi = hex_value(s[2 * i]);
			int lo = hex_value(s[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				return false;
			}
			out[i] = (uint8_t)(hi << 4 | lo);
		}
		return true;
	}
	size_t n;
	return base64_decode(s, len, out, MERKLE_HASH_LEN, &n) == CTD_OK &&
	    n == MERKLE_HASH_LEN;
}

static bool
parse_size_arg(const char *s, const char *what, uint64_t *out)
{
	if (num_parse_u64_str(s, 0, out) != CTD_OK) {
		fprintf(stderr, "ctdns: %s \"%s\" is not a decimal number\n",
		    what, s);
		return false;
	}
	return true;
}

/* "<hex> (<base64>)" of a hash, for output. */
static void
fmt_hash(const uint8_t h[MERKLE_HASH_LEN], char *out, size_t cap)
{
	char hex[2 * MERKLE_HASH_LEN + 1];
	char b64[48];
	size_t b64_len;

	to_hex(h, MERKLE_HASH_LEN, hex);
	if (base64_encode(h, MERKLE_HASH_LEN, b64, sizeof b64, &b64_len) !=
	    CTD_OK) {
		snprintf(b64, sizeof b64, "?");
	}
	snprintf(out, cap, "%s (%s)", hex, b64);
}

/* An STH timestamp (ms since the epoch) as ISO 8601 UTC. */
static void
fmt_time(uint64_t ms, char *out, size_t cap)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);

	if (ms / 1000 > TIME_MAX_SEC || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(out, cap, "out of range");
		return;
	}
	size_t len = strlen(out);
	snprintf(out + len, cap - len, ".%03uZ", (unsigned)(ms % 1000));
}

/* Fetch the latest STH, check its signature when a key is given. */
static int
fetch_sth(struct client *c)
{
	char when[40], root[128];

	int rc = dnsq_sth(&c->dq, &c->sth);
	if (rc != CTD_OK) {
		return rc;
	}
	fmt_time(c->sth.timestamp, when, sizeof when);
	fmt_hash(c->sth.root, root, sizeof root);
	printf("sth: tree_size=%" PRIu64 " timestamp=%" PRIu64 " (%s) "
	    "root=%s\n", c->sth.tree_size, c->sth.timestamp, when, root);
	if (c->key == NULL) {
		printf("sth: signature NOT checked (no log key given: -k or "
		    "-K)\n");
		return CTD_OK;
	}
	char id[48];
	size_t id_len;
	if (base64_encode(logkey_id(c->key), MERKLE_HASH_LEN, id, sizeof id,
	    &id_len) != CTD_OK) {
		snprintf(id, sizeof id, "?");
	}
	rc = sth_verify(&c->sth, c->key);
	if (rc != CTD_OK) {
		fprintf(stderr, "ctdns: sth: signature does not verify with "
		    "log key %s: %s\n", id, ctd_strerror(rc));
		return rc == CTD_EVERIFY ? rc : CTD_EMALF;
	}
	printf("sth: signature verified with log key %s\n", id);
	return CTD_OK;
}

/*
 * The node MTH(D[0:m]) (the root of tree m, m a power of two) from the
 * audit path of leaf m in tree n > m. Unverified: the caller verifies it.
 */
static int
pow2_root_node(struct client *c, uint64_t m, uint64_t n,
    uint8_t out[MERKLE_HASH_LEN])
{
	struct merkle_range r[MERKLE_MAX_PATH];
	size_t len = merkle_path_ranges(m, n, r);

	for (size_t i = 0; i < len; i++) {
		if (r[i].begin == 0 && r[i].end == m) {
			return dnsq_proof(&c->dq, DNSQ_TREE, m, n, len, i, 1,
			    out);
		}
	}
	fprintf(stderr, "ctdns: internal error: no node for tree %" PRIu64
	    " in the audit path of leaf %" PRIu64 " in tree %" PRIu64 "\n",
	    m, m, n);
	return CTD_EINVAL;
}

/*
 * Fetch the consistency proof from tree m to tree n (0 < m < n), verify
 * it against root_n, and give the root of tree m it proves. With
 * candidate (the root of tree m from elsewhere, e.g. an audit path), the
 * proof must show that exact root.
 */
static int
anchor(struct client *c, uint64_t m, uint64_t n,
    const uint8_t root_n[MERKLE_HASH_LEN], const uint8_t *candidate,
    uint8_t root_m[MERKLE_HASH_LEN])
{
	uint8_t proof[MERKLE_MAX_CONSISTENCY * MERKLE_HASH_LEN];
	uint8_t node[MERKLE_HASH_LEN], second[MERKLE_HASH_LEN];
	size_t count = merkle_consistency_len(m, n);
	bool from_path = false;

	int rc = dnsq_proof(&c->dq, DNSQ_CONSISTENCY, m, n, count, 0, count,
	    proof);
	if (rc != CTD_OK) {
		return rc;
	}
	if (candidate == NULL && merkle_is_pow2(m)) {
		rc = pow2_root_node(c, m, n, node);
		if (rc != CTD_OK) {
			return rc;
		}
		candidate = node;
		from_path = true;
	}
	if (candidate != NULL) {
		rc = merkle_verify_consistency(m, n, candidate, root_n, proof,
		    count);
		memcpy(root_m, candidate, MERKLE_HASH_LEN);
	} else {
		rc = merkle_consistency_roots(m, n, NULL, proof, count, root_m,
		    second);
		if (rc == CTD_OK &&
		    memcmp(second, root_n, MERKLE_HASH_LEN) != 0) {
			rc = CTD_EVERIFY;
		}
	}
	if (rc != CTD_OK) {
		fprintf(stderr, "ctdns: consistency: the proof from tree %"
		    PRIu64 " to tree %" PRIu64 " (%zu nodes) does not lead to "
		    "the root of tree %" PRIu64 "%s\n", m, n, count, n,
		    from_path ? " (with the first tree's root taken from an "
		    "audit path)" : "");
		return rc == CTD_EVERIFY ? rc : CTD_EMALF;
	}
	printf("consistency: tree %" PRIu64 " -> tree %" PRIu64 " verified "
	    "(%zu nodes)\n", m, n, count);
	if (from_path) {
		printf("consistency: tree %" PRIu64 " is a power of two, so "
		    "the proof omits its root; that root was taken from the "
		    "audit path of leaf %" PRIu64 " in tree %" PRIu64 " and "
		    "verified by the proof\n", m, m, n);
	}
	return CTD_OK;
}

static int
cmd_sth(struct client *c)
{
	return fetch_sth(c);
}

/* What proof was asked: the tree size and the index, when given. */
struct proof_args {
	uint8_t hash[MERKLE_HASH_LEN];
	bool have_size;
	uint64_t size;
	bool have_index;	/* --index: no hash query */
	uint64_t index;
};

/* The leaf's index: given (--index), or from <hash>.hash.ZONE. */
static int
leaf_index(struct client *c, const struct proof_args *p, uint64_t *index)
{
	if (p->have_index) {
		*index = p->index;
		printf("leaf index: %" PRIu64 " (given with --index, not "
		    "looked up)\n", *index);
		return CTD_OK;
	}
	int rc = dnsq_leaf_index(&c->dq, p->hash, index);
	if (rc == CTD_OK) {
		printf("leaf index: %" PRIu64 "\n", *index);
	}
	return rc;
}

static int
cmd_proof(struct client *c, const struct proof_args *p)
{
	const uint8_t *hash = p->hash;
	uint64_t size = p->size;
	uint8_t path[MERKLE_MAX_PATH * MERKLE_HASH_LEN];
	uint8_t root[MERKLE_HASH_LEN];
	char root_txt[128];
	uint64_t index;

	int rc = fetch_sth(c);
	if (rc != CTD_OK) {
		return rc;
	}
	if (!p->have_size) {
		size = c->sth.tree_size;
	} else if (size > c->sth.tree_size) {
		fprintf(stderr, "ctdns: tree size %" PRIu64 " is beyond the "
		    "log's latest tree (%" PRIu64 ")\n", size,
		    c->sth.tree_size);
		return CTD_ERANGE;
	}
	rc = leaf_index(c, p, &index);
	if (rc != CTD_OK) {
		return rc;
	}
	if (index >= size) {
		fprintf(stderr, "ctdns: leaf %" PRIu64 " is not in the tree "
		    "of size %" PRIu64 "\n", index, size);
		return CTD_ENOTFOUND;
	}
	size_t count = merkle_path_len(index, size);
	rc = dnsq_proof(&c->dq, DNSQ_TREE, index, size, count, 0, count,
	    path);
	if (rc != CTD_OK) {
		return rc;
	}
	if (size == c->sth.tree_size) {
		rc = merkle_verify_inclusion(index, size, hash, path, count,
		    c->sth.root);
		if (rc != CTD_OK) {
			fprintf(stderr, "ctdns: inclusion: the audit path of "
			    "leaf %" PRIu64 "%s (%zu nodes) does not lead to "
			    "the root of tree %" PRIu64 "\n", index,
			    p->have_index ? " (--index)" : "", count, size);
			return rc == CTD_EVERIFY ? rc : CTD_EMALF;
		}
		printf("inclusion: verified %zu nodes against the root of "
		    "tree %" PRIu64 "\n", count, size);
		return CTD_OK;
	}
	rc = merkle_path_root(index, size, hash, path, count, root);
	if (rc != CTD_OK) {
		fprintf(stderr, "ctdns: inclusion: bad audit path for leaf %"
		    PRIu64 " in tree %" PRIu64 "\n", index, size);
		return CTD_EMALF;
	}
	fmt_hash(root, root_txt, sizeof root_txt);
	printf("inclusion: %zu nodes imply root %s for tree %" PRIu64 "\n",
	    count, root_txt, size);
	uint8_t proven[MERKLE_HASH_LEN];
	rc = anchor(c, size, c->sth.tree_size, c->sth.root, root, proven);
	if (rc != CTD_OK) {
		return rc;
	}
	printf("inclusion: leaf %" PRIu64 " is in tree %" PRIu64 ", whose "
	    "root is consistent with the STH's tree %" PRIu64 "\n", index,
	    size, c->sth.tree_size);
	return CTD_OK;
}

static int
cmd_consistency(struct client *c, uint64_t first, uint64_t second)
{
	uint8_t root2[MERKLE_HASH_LEN], root1[MERKLE_HASH_LEN];
	char txt[128];

	int rc = fetch_sth(c);
	if (rc != CTD_OK) {
		return rc;
	}
	if (second > c->sth.tree_size) {
		fprintf(stderr, "ctdns: tree size %" PRIu64 " is beyond the "
		    "log's latest tree (%" PRIu64 ")\n", second,
		    c->sth.tree_size);
		return CTD_ERANGE;
	}
	if (second < c->sth.tree_size) {
		rc = anchor(c, second, c->sth.tree_size, c->sth.root, NULL,
		    root2);
		if (rc != CTD_OK) {
			return rc;
		}
		fmt_hash(root2, txt, sizeof txt);
		printf("root of tree %" PRIu64 ": %s\n", second, txt);
	} else {
		memcpy(root2, c->sth.root, MERKLE_HASH_LEN);
	}
	rc = anchor(c, first, second, root2, NULL, root1);
	if (rc != CTD_OK) {
		return rc;
	}
	fmt_hash(root1, txt, sizeof txt);
	printf("root of tree %" PRIu64 ": %s\n", first, txt);
	return CTD_OK;
}

int
tool_load_key(const struct options *o, struct logkey **key)
{
	int rc;

	*key = NULL;
	if (o->key_b64 != NULL) {
		rc = logkey_from_b64(o->key_b64, key);
	} else if (o->key_pem != NULL) {
		rc = logkey_from_pem_file(o->key_pem, key);
	} else {
		return CTD_OK;
	}
	if (rc != CTD_OK) {
		fprintf(stderr, "ctdns: cannot load the log key %s: %s\n",
		    o->key_pem != NULL ? o->key_pem : "(-k)",
		    ctd_strerror(rc));
		*key = NULL;
		return CTD_ECONF;
	}
	return CTD_OK;
}

/*
 * proof's arguments: ZONE LEAFHASH [TREE_SIZE], and --index N anywhere
 * after ZONE. argv[0] is "proof".
 */
static int
parse_proof(int argc, char **argv, struct proof_args *p)
{
	const char *pos[3];
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--index") == 0 && i > 1 && i + 1 < argc &&
		    !p->have_index) {
			if (!parse_size_arg(argv[++i], "index", &p->index)) {
				return CTD_EINVAL;
			}
			p->have_index = true;
		} else if (npos < 3 && strncmp(argv[i], "--", 2) != 0) {
			pos[npos++] = argv[i];
		} else {
			usage(stderr);
			return CTD_EINVAL;
		}
	}
	if (npos < 2) {
		usage(stderr);
		return CTD_EINVAL;
	}
	if (!parse_leaf_hash(pos[1], p->hash)) {
		fprintf(stderr, "ctdns: leaf hash \"%s\" is neither 64 hex "
		    "digits nor base64 of 32 bytes\n", pos[1]);
		return CTD_EINVAL;
	}
	p->have_size = npos == 3;
	if (p->have_size && !parse_size_arg(pos[2], "tree size", &p->size)) {
		return CTD_EINVAL;
	}
	if (p->have_size && p->size == 0) {
		fprintf(stderr, "ctdns: an empty tree holds no leaf\n");
		return CTD_EINVAL;
	}
	return CTD_OK;
}

/* Check the command's arguments, then run it. Usage errors give 2. */
static int
run(struct client *c, int argc, char **argv)
{
	const char *cmd = argv[0];
	uint64_t a = 0, b = 0;

	if (strcmp(cmd, "sth") == 0 && argc == 2) {
		return cmd_sth(c);
	}
	if (strcmp(cmd, "proof") == 0) {
		struct proof_args p = { 0 };
		int rc = parse_proof(argc, argv, &p);
		return rc != CTD_OK ? rc : cmd_proof(c, &p);
	}
	if (strcmp(cmd, "consistency") == 0 && argc == 4) {
		if (!parse_size_arg(argv[2], "FIRST", &a) ||
		    !parse_size_arg(argv[3], "SECOND", &b)) {
			return CTD_EINVAL;
		}
		if (a == 0 || a >= b) {
			fprintf(stderr, "ctdns: consistency needs 0 < FIRST < "
			    "SECOND\n");
			return CTD_EINVAL;
		}
		return cmd_consistency(c, a, b);
	}
	usage(stderr);
	return CTD_EINVAL;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct client c = { 0 };
	int ch, rc;

	while ((ch = getopt(argc, argv, "+s:k:K:Tvh")) != -1) {
		switch (ch) {
		case 's': o.server = optarg; break;
		case 'k': o.key_b64 = optarg; break;
		case 'K': o.key_pem = optarg; break;
		case 'T': o.tcp = true; break;
		case 'v': o.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_TROUBLE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "verify") == 0) {
		return cmd_verify(argc, argv, &o);
	}
	if (argc >= 1 && strcmp(argv[0], "checkpoint") == 0) {
		return cmd_checkpoint(argc, argv, &o);
	}
	if (argc >= 1 && strcmp(argv[0], "audit-sth") == 0) {
		return cmd_audit_sth(argc, argv, &o);
	}
	if (argc < 2 || (o.key_b64 != NULL && o.key_pem != NULL)) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if ((rc = tool_load_key(&o, &c.key)) != CTD_OK) {
		goto out;
	}
	if ((rc = dnsq_init(&c.dq, argv[1], o.server, o.tcp, o.verbose,
	    stderr)) != CTD_OK) {
		goto out;
	}
	rc = run(&c, argc, argv);
	if (rc == CTD_OK) {
		printf("OK\n");
	}
out:
	dnsq_deinit(&c.dq);
	logkey_free(c.key);
	fflush(stdout);
	return exit_status(rc);
}
