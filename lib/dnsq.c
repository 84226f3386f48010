/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsq.c -- CT-over-DNS queries over ldns (libctdns, internal).
 *
 * All network input is untrusted: lengths and counts come from the
 * protocol's arithmetic and the caller's buffers, and an answer that does
 * not fit them is rejected, never truncated or trusted.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base32.h"
#include "dnsq.h"
#include "err.h"
#include "num.h"

#define STRING_MAX DNSQ_STRING_MAX
/* Per-try timeout and tries per query. */
#define QUERY_TIMEOUT_SEC 3
#define QUERY_RETRIES 2
/* EDNS(0) UDP size: the DNS flag day 2020 value, no fragmentation. */
#define EDNS_UDP_SIZE 1232
#define NAME_BUF DNSQ_NAME_BUF

/* Describe an error into buf and, when errf is set, print it there. */
__attribute__((format(printf, 4, 5)))
static void
report(FILE *errf, char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (errf != NULL) {
		fprintf(errf, "ctdns: %s\n", buf);
	}
}

/* report() into the struct dnsq's buffer. */
#define QERR(q, ...) report((q)->errf, (q)->err, sizeof (q)->err, __VA_ARGS__)

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
	if (at != NULL && (num_parse_u64_str(at + 1, 0, &p) != CTD_OK ||
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
resolver_for_server(struct dnsq *q, const char *server, ldns_resolver **out)
{
	ldns_rdf *addr = NULL;
	uint16_t port;

	if (parse_server(server, &addr, &port) != CTD_OK) {
		QERR(q, "bad server \"%s\": want an IPv4 or IPv6 address, "
		    "optionally @PORT", server);
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
dnsq_set_zone(struct dnsq *q, const char *zone)
{
	size_t zlen = strlen(zone);
	bool dot = zlen > 0 && zone[zlen - 1] == '.';

	if (zlen == 0 || zlen + (dot ? 0 : 1) > DNSQ_ZONE_MAX) {
		QERR(q, "bad zone \"%s\"", zone);
		return CTD_EINVAL;
	}
	char z[DNSQ_ZONE_MAX + 1];
	snprintf(z, sizeof z, "%s%s", zone, dot ? "" : ".");
	ldns_rdf *check = ldns_dname_new_frm_str(z);
	if (check == NULL || strcmp(z, ".") == 0) {
		ldns_rdf_deep_free(check);
		QERR(q, "bad zone \"%s\"", zone);
		return CTD_EINVAL;
	}
	ldns_rdf_deep_free(check);
	memcpy(q->zone, z, sizeof z);
	return CTD_OK;
}

int
dnsq_init(struct dnsq *q, const char *zone, const char *server, bool tcp,
    bool verbose, FILE *errf)
{
	memset(q, 0, sizeof *q);
	q->verbose = verbose;
	q->errf = errf;
	int rc = dnsq_set_zone(q, zone);
	if (rc != CTD_OK) {
		return rc;
	}
	if (server != NULL) {
		rc = resolver_for_server(q, server, &q->res);
		if (rc != CTD_OK) {
			return rc;
		}
	} else {
		ldns_status st = ldns_resolver_new_frm_file(&q->res, NULL);
		if (st != LDNS_STATUS_OK) {
			q->res = NULL;
			QERR(q, "cannot use the system resolver "
			    "(/etc/resolv.conf): %s", ldns_get_errorstr_by_id(st));
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

int
dnsq_server_addr(const struct dnsq *q, struct sockaddr_storage *out,
    socklen_t *out_len)
{
	size_t len = 0;

	if (q->res == NULL || ldns_resolver_nameserver_count(q->res) == 0) {
		return CTD_ECONF;
	}
	struct sockaddr_storage *ss = ldns_rdf2native_sockaddr_storage(
	    ldns_resolver_nameservers(q->res)[0], ldns_resolver_port(q->res),
	    &len);
	if (ss == NULL) {
		return CTD_ECONF;
	}
	memcpy(out, ss, sizeof *out);
	*out_len = (socklen_t)len;
	LDNS_FREE(ss);
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

/* The TTL of the SOA in the authority section (negative answers), or 0. */
static uint32_t
soa_ttl(const ldns_pkt *pkt)
{
	const ldns_rr_list *ns = ldns_pkt_authority(pkt);

	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ns, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			return ldns_rr_ttl(rr);
		}
	}
	return 0;
}

#define AERR(a, ...) report(NULL, (a)->err, sizeof (a)->err, __VA_ARGS__)

/*
 * The one TXT record owned by qname in the answer section, its strings
 * concatenated into a->txt. Other records (a CNAME, RRSIGs) are ignored.
 */
static int
txt_extract(const ldns_pkt *pkt, const ldns_rdf *qname, const char *what,
    const char *name, size_t cap, struct dnsq_answer *a)
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
			AERR(a, "%s query %s: more than one TXT record", what,
			    name);
			return CTD_EMALF;
		}
		txt = rr;
	}
	if (txt == NULL) {
		AERR(a, "%s query %s: no TXT record for the name in the "
		    "answer", what, name);
		return CTD_EMALF;
	}
	size_t len = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(txt); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(txt, i);
		const uint8_t *d = ldns_rdf_data(rdf);
		size_t sz = ldns_rdf_size(rdf);
		if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR || sz < 1 ||
		    d[0] != sz - 1) {
			AERR(a, "%s query %s: bad TXT character-string", what,
			    name);
			return CTD_EMALF;
		}
		if (sz - 1 > cap - len) {
			AERR(a, "%s query %s: TXT answer longer than the %zu "
			    "bytes it may hold", what, name, cap);
			return CTD_EMALF;
		}
		memcpy(a->txt + len, d + 1, sz - 1);
		len += sz - 1;
	}
	a->len = len;
	a->strings = ldns_rr_rd_count(txt);
	a->ttl = ldns_rr_ttl(txt);
	return CTD_OK;
}

void
dnsq_answer_from_pkt(const ldns_pkt *pkt, const ldns_rdf *qname,
    const char *what, const char *name, size_t cap, struct dnsq_answer *a)
{
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(pkt);

	a->len = 0;
	a->strings = 0;
	a->ttl = 0;
	a->err[0] = '\0';
	if (cap > sizeof a->txt) {
		cap = sizeof a->txt;
	}
	if (rcode == LDNS_RCODE_NXDOMAIN) {
		a->ttl = soa_ttl(pkt);
		a->rc = CTD_ENOTFOUND;
		return;
	}
	if (rcode != LDNS_RCODE_NOERROR) {
		AERR(a, "%s query %s: %s", what, name, rcode_name(rcode));
		a->rc = CTD_ENET;
		return;
	}
	if (ldns_pkt_tc(pkt)) {
		/* Still truncated after the TCP fallback: not an answer. */
		AERR(a, "%s query %s: answer truncated", what, name);
		a->rc = CTD_ENET;
		return;
	}
	a->rc = txt_extract(pkt, qname, what, name, cap, a);
}

int
dnsq_txt(struct dnsq *q, const char *what, const char *label, size_t cap,
    struct dnsq_answer *a)
{
	char name[NAME_BUF];
	ldns_rdf *qname = NULL;
	ldns_pkt *pkt = NULL;

	a->rc = CTD_EINVAL;
	a->err[0] = '\0';
	int n = snprintf(name, sizeof name, "%s.%s", label, q->zone);
	if (n < 0 || (size_t)n >= sizeof name ||
	    (qname = ldns_dname_new_frm_str(name)) == NULL) {
		QERR(q, "%s query %s.%s: not a valid name", what, label,
		    q->zone);
		snprintf(a->err, sizeof a->err, "%s", q->err);
		return CTD_EINVAL;
	}
	if (q->verbose) {
		fprintf(stderr, "ctdns: query %s TXT%s\n", name,
		    ldns_resolver_usevc(q->res) ? " over TCP" : "");
	}
	ldns_status st = ldns_resolver_send(&pkt, q->res, qname,
	    LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, LDNS_RD);
	if (st != LDNS_STATUS_OK || pkt == NULL) {
		AERR(a, "%s query %s: no answer: %s", what, name,
		    ldns_get_errorstr_by_id(st));
		a->rc = CTD_ENET;
		goto out;
	}
	if (q->verbose) {
		fprintf(stderr, "ctdns: answer %s: %s, %zu bytes%s\n", name,
		    rcode_name(ldns_pkt_get_rcode(pkt)), ldns_pkt_size(pkt),
		    ldns_pkt_tc(pkt) ? ", truncated" : "");
	}
	dnsq_answer_from_pkt(pkt, qname, what, name, cap, a);
out:
	if (a->rc != CTD_OK && a->rc != CTD_ENOTFOUND) {
		QERR(q, "%s", a->err);
	}
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(qname);
	return a->rc;
}

int
dnsq_parse_sth(const struct dnsq_answer *a, struct sth *out)
{
	char txt[STH_TXT_MAX + 1];

	if (a->len > STH_TXT_MAX || memchr(a->txt, '\0', a->len) != NULL) {
		return CTD_EMALF;
	}
	memcpy(txt, a->txt, a->len);
	txt[a->len] = '\0';
	return sth_from_txt(txt, a->len, out) == CTD_OK ? CTD_OK : CTD_EMALF;
}

int
dnsq_parse_index(const struct dnsq_answer *a, uint64_t *index)
{
	if (a->strings != 1 ||
	    num_parse_u64((const char *)a->txt, a->len, 0, index) != CTD_OK) {
		return CTD_EMALF;
	}
	return CTD_OK;
}

int
dnsq_parse_chunk(const struct dnsq_answer *a, size_t remaining,
    size_t *nodes)
{
	if (a->strings != 1 || a->len == 0 || a->len % MERKLE_HASH_LEN != 0 ||
	    a->len / MERKLE_HASH_LEN > remaining) {
		return CTD_EMALF;
	}
	*nodes = a->len / MERKLE_HASH_LEN;
	return CTD_OK;
}

int
dnsq_sth(struct dnsq *q, struct sth *out)
{
	struct dnsq_answer a;

	int rc = dnsq_txt(q, "sth", "sth", STH_TXT_MAX, &a);
	if (rc == CTD_ENOTFOUND) {
		QERR(q, "sth query sth.%s: NXDOMAIN: no CT-over-DNS log at "
		    "this zone", q->zone);
		return CTD_ECONF;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (dnsq_parse_sth(&a, out) != CTD_OK) {
		QERR(q, "sth query sth.%s: the TXT answer is not an STH "
		    "(<size>.<timestamp>.<root>.<sig>)", q->zone);
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
	struct dnsq_answer a;

	base32_encode_hash(hash, b32);
	snprintf(label, sizeof label, "%s.hash", b32);
	int rc = dnsq_txt(q, "hash", label, STRING_MAX, &a);
	if (rc == CTD_ENOTFOUND) {
		QERR(q, "hash query %s.%s: NXDOMAIN: leaf hash not found in "
		    "the log", label, q->zone);
		return CTD_ENOTFOUND;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	if (dnsq_parse_index(&a, index) != CTD_OK) {
		QERR(q, "hash query %s.%s: the TXT answer is not one decimal "
		    "leaf index", label, q->zone);
		return CTD_EMALF;
	}
	return CTD_OK;
}

int
dnsq_proof(struct dnsq *q, enum dnsq_proof kind, uint64_t a, uint64_t b,
    size_t total, size_t from, size_t count, uint8_t *out)
{
	const char *what = kind == DNSQ_TREE ? "tree" : "sth-consistency";
	size_t start = from, end;
	struct dnsq_answer ans;

	if (total > MERKLE_MAX_CONSISTENCY || from > total ||
	    count > total - from) {
		return CTD_EINVAL;
	}
	end = from + count;
	while (start < end) {
		char label[96];
		size_t nodes;

		snprintf(label, sizeof label, "%zu.%" PRIu64 ".%" PRIu64 ".%s",
		    start, a, b, what);
		int rc = dnsq_txt(q, what, label, STRING_MAX, &ans);
		if (rc == CTD_ENOTFOUND) {
			QERR(q, "%s query %s.%s: NXDOMAIN for a proof the "
			    "log's tree must hold", what, label, q->zone);
			return CTD_EINCONSISTENT;
		}
		if (rc != CTD_OK) {
			return rc;
		}
		if (dnsq_parse_chunk(&ans, total - start, &nodes) != CTD_OK) {
			if (ans.strings != 1 || ans.len == 0 ||
			    ans.len % MERKLE_HASH_LEN != 0) {
				QERR(q, "%s query %s.%s: answer is not one "
				    "character-string of whole 32-byte nodes "
				    "(%zu strings, %zu bytes)", what, label,
				    q->zone, ans.strings, ans.len);
			} else {
				QERR(q, "%s query %s.%s: %zu nodes, but only "
				    "%zu remain in the proof", what, label,
				    q->zone, ans.len / MERKLE_HASH_LEN,
				    total - start);
			}
			return CTD_EMALF;
		}
		size_t keep = nodes < end - start ? nodes : end - start;
		memcpy(out + (start - from) * MERKLE_HASH_LEN, ans.txt,
		    keep * MERKLE_HASH_LEN);
		start += nodes;
	}
	return CTD_OK;
}
