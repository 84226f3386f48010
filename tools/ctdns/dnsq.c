/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsq.c -- the CT-over-DNS queries of the ctdns client, over ldns.
 *
 * All network input is untrusted: lengths and counts come from the
 * protocol's arithmetic and the caller's buffers, and an answer that does
 * not fit them is rejected, never truncated or trusted.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base32.h"
#include "dnsq.h"
#include "err.h"

/* A TXT character-string holds at most 255 bytes: 7 proof nodes. */
#define STRING_MAX 255
/* Per-try timeout and tries per query. */
#define QUERY_TIMEOUT_SEC 3
#define QUERY_RETRIES 2
/* EDNS(0) UDP size: the DNS flag day 2020 value, no fragmentation. */
#define EDNS_UDP_SIZE 1232
/* The longest query name in text, with its final dot, and a NUL. */
#define NAME_BUF 256

bool
dnsq_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0')) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Parse "ADDR[@PORT]" into an address rdf and a port. */
static int
parse_server(const char *server, ldns_rdf **addr, uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(server, '@');
	size_t host_len = at != NULL ? (size_t)(at - server) : strlen(server);
	uint64_t p = 53;

	if (host_len == 0 || host_len >= sizeof host) {
		return CTD_EINVAL;
	}
	memcpy(host, server, host_len);
	host[host_len] = '\0';
	if (at != NULL && (!dnsq_parse_u64(at + 1, strlen(at + 1), &p) ||
	    p == 0 || p > 65535)) {
		return CTD_EINVAL;
	}
	*addr = ldns_rdf_new_frm_str(strchr(host, ':') != NULL ?
	    LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, host);
	if (*addr == NULL) {
		return CTD_EINVAL;
	}
	*port = (uint16_t)p;
	return CTD_OK;
}

/* A resolver asking one server directly. */
static int
resolver_for_server(const char *server, ldns_resolver **out)
{
	ldns_rdf *addr = NULL;
	uint16_t port;

	if (parse_server(server, &addr, &port) != CTD_OK) {
		fprintf(stderr, "ctdns: bad server \"%s\": want an IPv4 or "
		    "IPv6 address, optionally @PORT\n", server);
		return CTD_EINVAL;
	}
	ldns_resolver *res = ldns_resolver_new();
	if (res == NULL) {
		ldns_rdf_deep_free(addr);
		return CTD_ENOMEM;
	}
	ldns_status st = ldns_resolver_push_nameserver(res, addr);
	ldns_rdf_deep_free(addr);
	if (st != LDNS_STATUS_OK) {
		ldns_resolver_deep_free(res);
		return CTD_ENOMEM;
	}
	ldns_resolver_set_port(res, port);
	*out = res;
	return CTD_OK;
}

int
dnsq_init(struct dnsq *q, const char *zone, const char *server, bool tcp,
    bool verbose)
{
	size_t zlen = strlen(zone);
	bool dot = zlen > 0 && zone[zlen - 1] == '.';

	memset(q, 0, sizeof *q);
	q->verbose = verbose;
	if (zlen == 0 || zlen + (dot ? 0 : 1) > DNSQ_ZONE_MAX) {
		fprintf(stderr, "ctdns: bad zone \"%s\"\n", zone);
		return CTD_EINVAL;
	}
	snprintf(q->zone, sizeof q->zone, "%s%s", zone, dot ? "" : ".");
	ldns_rdf *check = ldns_dname_new_frm_str(q->zone);
	if (check == NULL || strcmp(q->zone, ".") == 0) {
		ldns_rdf_deep_free(check);
		fprintf(stderr, "ctdns: bad zone \"%s\"\n", zone);
		return CTD_EINVAL;
	}
	ldns_rdf_deep_free(check);

	if (server != NULL) {
		int rc = resolver_for_server(server, &q->res);
		if (rc != CTD_OK) {
			return rc;
		}
	} else {
		ldns_status st = ldns_resolver_new_frm_file(&q->res, NULL);
		if (st != LDNS_STATUS_OK) {
			q->res = NULL;
			fprintf(stderr, "ctdns: cannot use the system resolver "
			    "(/etc/resolv.conf): %s\n",
			    ldns_get_errorstr_by_id(st));
			return CTD_ECONF;
		}
	}
	ldns_resolver_set_timeout(q->res,
	    (struct timeval){ .tv_sec = QUERY_TIMEOUT_SEC });
	ldns_resolver_set_retry(q->res, QUERY_RETRIES);
	ldns_resolver_set_edns_udp_size(q->res, EDNS_UDP_SIZE);
	ldns_resolver_set_fallback(q->res, true);
	ldns_resolver_set_usevc(q->res, tcp);
	ldns_resolver_set_dnssec(q->res, false);
	ldns_resolver_set_defnames(q->res, false);
	ldns_resolver_set_dnsrch(q->res, false);
	return CTD_OK;
}

void
dnsq_deinit(struct dnsq *q)
{
	if (q->res != NULL) {
		ldns_resolver_deep_free(q->res);
		q->res = NULL;
	}
}

static const char *
rcode_name(ldns_pkt_rcode rcode)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return lt != NULL ? lt->name : "unknown rcode";
}

/*
 * The one TXT record owned by qname in the answer section, its strings
 * concatenated into out. Other records (a CNAME, RRSIGs) are ignored.
 */
static int
txt_extract(const ldns_pkt *pkt, const ldns_rdf *qname, const char *what,
    const char *name, uint8_t *out, size_t cap, size_t *out_len,
    size_t *out_strings)
{
	const ldns_rr_list *an = ldns_pkt_answer(pkt);
	const ldns_rr *txt = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), qname) != 0) {
			continue;
		}
		if (txt != NULL) {
			fprintf(stderr, "ctdns: %s query %s: more than one "
			    "TXT record\n", what, name);
			return CTD_EMALF;
		}
		txt = rr;
	}
	if (txt == NULL) {
		fprintf(stderr, "ctdns: %s query %s: no TXT record for the "
		    "name in the answer\n", what, name);
		return CTD_EMALF;
	}
	size_t len = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(txt); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(txt, i);
		const uint8_t *d = ldns_rdf_data(rdf);
		size_t sz = ldns_rdf_size(rdf);
		if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR || sz < 1 ||
		    d[0] != sz - 1) {
			fprintf(stderr, "ctdns: %s query %s: bad TXT "
			    "character-string\n", what, name);
			return CTD_EMALF;
		}
		if (sz - 1 > cap - len) {
			fprintf(stderr, "ctdns: %s query %s: TXT answer longer "
			    "than the %zu bytes it may hold\n", what, name,
			    cap);
			return CTD_EMALF;
		}
		memcpy(out + len, d + 1, sz - 1);
		len += sz - 1;
	}
	*out_len = len;
	*out_strings = ldns_rr_rd_count(txt);
	return CTD_OK;
}

int
dnsq_txt(struct dnsq *q, const char *what, const char *label, uint8_t *out,
    size_t cap, size_t *out_len, size_t *out_strings)
{
	char name[NAME_BUF];
	ldns_rdf *qname = NULL;
	ldns_pkt *pkt = NULL;
	int rc;

	int n = snprintf(name, sizeof name, "%s.%s", label, q->zone);
	if (n < 0 || (size_t)n >= sizeof name ||
	    (qname = ldns_dname_new_frm_str(name)) == NULL) {
		fprintf(stderr, "ctdns: %s query %s.%s: not a valid name\n",
		    what, label, q->zone);
		return CTD_EINVAL;
	}
	if (q->verbose) {
		fprintf(stderr, "ctdns: query %s TXT%s\n", name,
		    ldns_resolver_usevc(q->res) ? " over TCP" : "");
	}
	ldns_status st = ldns_resolver_send(&pkt, q->res, qname,
	    LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, LDNS_RD);
	if (st != LDNS_STATUS_OK || pkt == NULL) {
		fprintf(stderr, "ctdns: %s query %s: no answer: %s\n", what,
		    name, ldns_get_errorstr_by_id(st));
		rc = CTD_ENET;
		goto out;
	}
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(pkt);
	if (q->verbose) {
		fprintf(stderr, "ctdns: answer %s: %s, %zu bytes%s\n", name,
		    rcode_name(rcode), ldns_pkt_size(pkt),
		    ldns_pkt_tc(pkt) ? ", truncated" : "");
	}
	if (rcode == LDNS_RCODE_NXDOMAIN) {
		rc = CTD_ENOTFOUND;
		goto out;
	}
	if (rcode != LDNS_RCODE_NOERROR) {
		fprintf(stderr, "ctdns: %s query %s: %s\n", what, name,
		    rcode_name(rcode));
		rc = CTD_ENET;
		goto out;
	}
	if (ldns_pkt_tc(pkt)) {
		/* Still truncated after the TCP fallback: not an answer. */
		fprintf(stderr, "ctdns: %s query %s: answer truncated\n",
		    what, name);
		rc = CTD_ENET;
		goto out;
	}
	rc = txt_extract(pkt, qname, what, name, out, cap, out_len,
	    out_strings);
out:
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(qname);
	return rc;
}

int
dnsq_sth(struct dnsq *q, struct sth *out)
{
	uint8_t txt[STH_TXT_MAX];
	size_t len, strings;

	int rc = dnsq_txt(q, "sth", "sth", txt, sizeof txt - 1, &len,
	    &strings);
	if (rc == CTD_ENOTFOUND) {
		fprintf(stderr, "ctdns: sth query sth.%s: NXDOMAIN: no "
		    "CT-over-DNS log at this zone\n", q->zone);
		return CTD_ECONF;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	txt[len] = '\0';
	if (memchr(txt, '\0', len) != NULL ||
	    sth_from_txt((const char *)txt, len, out) != CTD_OK) {
		fprintf(stderr, "ctdns: sth query sth.%s: the TXT answer is "
		    "not an STH (<size>.<timestamp>.<root>.<sig>)\n", q->zone);
		return CTD_EMALF;
	}
	return CTD_OK;
}

int
dnsq_leaf_index(struct dnsq *q, const uint8_t hash[MERKLE_HASH_LEN],
    uint64_t *index)
{
	char label[BASE32_HASH_LEN + sizeof ".hash"];
	char b32[BASE32_HASH_LEN + 1];
	uint8_t txt[STRING_MAX];
	size_t len, strings;

	base32_encode_hash(hash, b32);
	snprintf(label, sizeof label, "%s.hash", b32);
	int rc = dnsq_txt(q, "hash", label, txt, sizeof txt, &len, &strings);
	if (rc == CTD_ENOTFOUND) {
		fprintf(stderr, "ctdns: hash query %s.%s: NXDOMAIN: leaf hash "
		    "not found in the log\n", label, q->zone);
		return CTD_ENOTFOUND;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (strings != 1 || !dnsq_parse_u64((const char *)txt, len, index)) {
		fprintf(stderr, "ctdns: hash query %s.%s: the TXT answer is "
		    "not one decimal leaf index\n", label, q->zone);
		return CTD_EMALF;
	}
	return CTD_OK;
}

/* Check one proof answer: a single string of 1..remaining whole nodes. */
static int
proof_chunk_check(const char *what, const char *label, const char *zone,
    size_t len, size_t strings, size_t remaining, size_t *nodes)
{
	if (strings != 1 || len == 0 || len % MERKLE_HASH_LEN != 0) {
		fprintf(stderr, "ctdns: %s query %s.%s: answer is not one "
		    "character-string of whole 32-byte nodes (%zu strings, "
		    "%zu bytes)\n", what, label, zone, strings, len);
		return CTD_EMALF;
	}
	if (len / MERKLE_HASH_LEN > remaining) {
		fprintf(stderr, "ctdns: %s query %s.%s: %zu nodes, but only "
		    "%zu remain in the proof\n", what, label, zone,
		    len / MERKLE_HASH_LEN, remaining);
		return CTD_EMALF;
	}
	*nodes = len / MERKLE_HASH_LEN;
	return CTD_OK;
}

int
dnsq_proof(struct dnsq *q, enum dnsq_proof kind, uint64_t a, uint64_t b,
    size_t total, size_t from, size_t count, uint8_t *out)
{
	const char *what = kind == DNSQ_TREE ? "tree" : "sth-consistency";
	size_t start = from, end;

	if (total > MERKLE_MAX_CONSISTENCY || from > total ||
	    count > total - from) {
		return CTD_EINVAL;
	}
	end = from + count;
	while (start < end) {
		char label[96];
		uint8_t txt[STRING_MAX];
		size_t len, strings, nodes;

		snprintf(label, sizeof label, "%zu.%" PRIu64 ".%" PRIu64 ".%s",
		    start, a, b, what);
		int rc = dnsq_txt(q, what, label, txt, sizeof txt, &len,
		    &strings);
		if (rc == CTD_ENOTFOUND) {
			fprintf(stderr, "ctdns: %s query %s.%s: NXDOMAIN for a "
			    "proof the log's tree must hold\n", what, label,
			    q->zone);
			return CTD_EINCONSISTENT;
		}
		if (rc != CTD_OK) {
			return rc;
		}
		rc = proof_chunk_check(what, label, q->zone, len, strings,
		    total - start, &nodes);
		if (rc != CTD_OK) {
			return rc;
		}
		size_t keep = nodes < end - start ? nodes : end - start;
		memcpy(out + (start - from) * MERKLE_HASH_LEN, txt,
		    keep * MERKLE_HASH_LEN);
		start += nodes;
	}
	return CTD_OK;
}
