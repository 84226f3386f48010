/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsq.h -- CT-over-DNS queries over ldns (libctdns, internal).
 *
 * One struct dnsq holds the ldns resolver (the system's, from
 * /etc/resolv.conf, or one server given by address) and the log's zone.
 * The blocking calls below send with ldns' stub resolver; uvq.c sends the
 * same questions on a libuv loop and checks the answers with the same
 * dnsq_answer_from_pkt().
 * Every query is class IN, type TXT, for an absolute name below the zone.
 * Each answer is checked before anything of it is used:
 *  - the rcode is NOERROR (NXDOMAIN is told apart, see each function);
 *  - exactly one TXT record is owned by the asked name (compared
 *    case-insensitively), its character-strings concatenated in order;
 *  - the text fits the caller's buffer, sized by what the protocol allows.
 * Truncated UDP answers are asked again over TCP (ldns' fallback).
 *
 * Errors are described here, once, naming the query ("tree query
 * 7.17.1000.tree.demo.ct.example.: SERVFAIL"): into q->err, and on q->errf
 * when it is set (the ctdns tool sets stderr; the library leaves it NULL
 * and copies q->err into its report). Callers only act on the code:
 *  CTD_ENET	no usable answer: timeout, unreachable, SERVFAIL, REFUSED,
 *		any rcode but NOERROR/NXDOMAIN (exit status 2 in ctdns);
 *  CTD_EMALF	an answer that breaks the protocol: no TXT, several TXT
 *		records, bad lengths, text that does not parse (exit 1);
 *  others	as documented per function.
 */
#ifndef CTDNS_DNSQ_H
#define CTDNS_DNSQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "merkle.h"
#include "sth.h"

/* The longest zone name in text, with its final dot. */
#define DNSQ_ZONE_MAX 254
/* A TXT character-string holds at most 255 bytes: 7 proof nodes. */
#define DNSQ_STRING_MAX 255
/* The longest query name in text, with its final dot, and a NUL. */
#define DNSQ_NAME_BUF 256
#define DNSQ_ERR_MAX 600
/* The longest answer text kept: a checkpoint (checkpoint.<zone>) with
 * the 16 KiB of signature lines ctdnsd holds at most for a head, and
 * room to spare. */
#define DNSQ_TXT_MAX (20 * 1024)

struct dnsq {
	ldns_resolver *res;
	bool verbose;			/* print each query to stderr */
	FILE *errf;			/* NULL: describe errors in err only */
	char err[DNSQ_ERR_MAX];		/* the last error, one line */
	char zone[DNSQ_ZONE_MAX + 1];	/* absolute, ends with '.' */
};

/* One checked answer: its code, text and TTL. */
struct dnsq_answer {
	int rc;			/* CTD_OK, CTD_ENOTFOUND, CTD_ENET, CTD_EMALF */
	size_t len;		/* bytes of txt used */
	size_t strings;		/* character-strings joined into txt */
	uint32_t ttl;		/* of the TXT record (or the SOA on NXDOMAIN) */
	uint8_t txt[DNSQ_TXT_MAX];
	char err[DNSQ_ERR_MAX];	/* set when rc != CTD_OK and not NXDOMAIN */
};

/*
 * The two kinds of proof queries:
 *   DNSQ_TREE		<start>.<index>.<size>.tree.<zone>
 *   DNSQ_CONSISTENCY	<start>.<first>.<second>.sth-consistency.<zone>
 */
enum dnsq_proof {
	DNSQ_TREE,
	DNSQ_CONSISTENCY
};

/*
 * Set up the resolver and the zone.
 * @param q: caller memory; release with dnsq_deinit().
 * @param zone: the log's zone; a final dot is added when missing.
 * @param server: NULL for the system resolver (/etc/resolv.conf), else
 *	"ADDR" or "ADDR@PORT" with an IPv4 or IPv6 address (port 53 default).
 * @param tcp: ask over TCP only.
 * @param verbose: print each query and its answer size to stderr.
 * @param errf: where errors are printed (stderr), or NULL.
 * @return: CTD_OK; CTD_EINVAL for a bad zone or server (reported);
 *	CTD_ECONF when the system resolver cannot be set up (reported).
 */
int dnsq_init(struct dnsq *q, const char *zone, const char *server,
    bool tcp, bool verbose, FILE *errf);

/*
 * Change the zone later queries go to.
 * @return: CTD_OK; CTD_EINVAL (reported) for a bad zone.
 */
int dnsq_set_zone(struct dnsq *q, const char *zone);

/*
 * The address of the resolver's first nameserver, for uvq.c.
 * @return: CTD_OK; CTD_ECONF when it has none.
 */
int dnsq_server_addr(const struct dnsq *q, struct sockaddr_storage *out,
    socklen_t *out_len);

/*
 * Check an answer to "name" TXT: rcode, the one TXT record owned by
 * qname, the length of its text (at most cap bytes).
 * @param pkt: the answer; borrowed.
 * @param what: the query's kind for messages ("sth", "tree", ...).
 * @param a: filled in; a->rc says what it is (CTD_ENOTFOUND: NXDOMAIN).
 */
void dnsq_answer_from_pkt(const ldns_pkt *pkt, const ldns_rdf *qname,
    const char *what, const char *name, size_t cap, struct dnsq_answer *a);

/* Free the resolver. Safe on a zeroed or already released struct. */
void dnsq_deinit(struct dnsq *q);

/*
 * Ask "<label>.<zone>" for TXT and return the answer's text, blocking.
 * @param what: the query's kind for messages ("sth", "tree", ...).
 * @param label: the name below the zone, without a final dot.
 * @param cap: most text bytes accepted (<= DNSQ_TXT_MAX).
 * @param a: the answer (a->rc as returned).
 * @return: CTD_OK; CTD_ENOTFOUND on NXDOMAIN (not reported, the caller
 *	knows what it means); CTD_ENET; CTD_EMALF (text longer than cap
 *	included); CTD_EINVAL when the name is too long.
 */
int dnsq_txt(struct dnsq *q, const char *what, const char *label,
    size_t cap, struct dnsq_answer *a);

/*
 * Fetch and parse the log's latest STH from sth.<zone>. The signature is
 * not checked here.
 * @return: CTD_OK; CTD_ECONF on NXDOMAIN (no log at this zone); CTD_ENET;
 *	CTD_EMALF when the text does not parse.
 */
int dnsq_sth(struct dnsq *q, struct sth *out);

/*
 * Look a leaf hash up: <base32(hash)>.hash.<zone>, one character-string
 * holding the index in canonical decimal.
 * @return: CTD_OK; CTD_ENOTFOUND on NXDOMAIN ("leaf hash not found in the
 *	log", reported); CTD_ENET; CTD_EMALF.
 */
int dnsq_leaf_index(struct dnsq *q, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t *index);

/*
 * Fetch nodes [from, from + count) of a proof of total nodes, asking from
 * start = from and advancing by the number of nodes each answer held. The
 * proof's length comes from the caller's arithmetic (merkle_path_len(),
 * merkle_consistency_len()), never from the server: each answer must be
 * one character-string of a non-zero multiple of 32 bytes holding no more
 * than total - start nodes. Nodes beyond from + count are dropped.
 * count 0 asks nothing.
 * @param a, b: index and size (DNSQ_TREE), or first and second.
 * @param out: room for count * 32 bytes.
 * @return: CTD_OK; CTD_EINVAL when from + count > total or total exceeds
 *	MERKLE_MAX_CONSISTENCY; CTD_EINCONSISTENT on NXDOMAIN (the server
 *	denies a proof its own tree implies); CTD_ENET; CTD_EMALF.
 */
int dnsq_proof(struct dnsq *q, enum dnsq_proof kind, uint64_t a, uint64_t b,
    size_t total, size_t from, size_t count, uint8_t *out);

/*
 * Parse the answers' texts (pure): an STH; one decimal leaf index in one
 * character-string; one string of 1..remaining whole 32-byte nodes.
 * @return: CTD_OK, or CTD_EMALF when the text is not of that form.
 */
int dnsq_parse_sth(const struct dnsq_answer *a, struct sth *out);
int dnsq_parse_index(const struct dnsq_answer *a, uint64_t *index);
int dnsq_parse_chunk(const struct dnsq_answer *a, size_t remaining,
    size_t *nodes);

#endif /* CTDNS_DNSQ_H */
