/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsq.h -- the CT-over-DNS queries of the ctdns client, over ldns.
 *
 * One struct dnsq holds the ldns resolver (the system's, from
 * /etc/resolv.conf, or one server given by address) and the log's zone.
 * Every query is class IN, type TXT, for an absolute name below the zone.
 * Each answer is checked before anything of it is used:
 *  - the rcode is NOERROR (NXDOMAIN is told apart, see each function);
 *  - exactly one TXT record is owned by the asked name (compared
 *    case-insensitively), its character-strings concatenated in order;
 *  - the text fits the caller's buffer, sized by what the protocol allows.
 * Truncated UDP answers are asked again over TCP (ldns' fallback).
 *
 * Errors are reported here, once, on stderr, naming the query
 * ("tree query 7.17.1000.tree.demo.ct.example.: SERVFAIL"); callers only
 * act on the returned code. Codes:
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

#include <ldns/ldns.h>

#include "merkle.h"
#include "sth.h"

/* The longest zone name in text, with its final dot. */
#define DNSQ_ZONE_MAX 254

struct dnsq {
	ldns_resolver *res;
	bool verbose;			/* print each query to stderr */
	char zone[DNSQ_ZONE_MAX + 1];	/* absolute, ends with '.' */
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
 * @return: CTD_OK; CTD_EINVAL for a bad zone or server (reported);
 *	CTD_ECONF when the system resolver cannot be set up (reported).
 */
int dnsq_init(struct dnsq *q, const char *zone, const char *server,
    bool tcp, bool verbose);

/* Free the resolver. Safe on a zeroed or already released struct. */
void dnsq_deinit(struct dnsq *q);

/*
 * Ask "<label>.<zone>" for TXT and return the answer's text.
 * @param what: the query's kind for messages ("sth", "tree", ...).
 * @param label: the name below the zone, without a final dot.
 * @param out: room for cap bytes; the concatenated character-strings.
 * @param out_len: set to the text length.
 * @param out_strings: set to the number of character-strings.
 * @return: CTD_OK; CTD_ENOTFOUND on NXDOMAIN (not reported, the caller
 *	knows what it means); CTD_ENET; CTD_EMALF (text longer than cap
 *	included); CTD_EINVAL when the name is too long.
 */
int dnsq_txt(struct dnsq *q, const char *what, const char *label,
    uint8_t *out, size_t cap, size_t *out_len, size_t *out_strings);

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
 * Parse canonical ASCII decimal: digits only, no sign, no leading zero
 * (except "0"), no overflow of 64 bits.
 * @return: true with *out set, else false.
 */
bool dnsq_parse_u64(const char *s, size_t len, uint64_t *out);

#endif /* CTDNS_DNSQ_H */
