/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_wire.c -- fuzz target: parse a DNS query, then answer it.
 *
 * The input is one DNS message as a client sends it. wire_parse_query()
 * must take any bytes; for a message it accepts (or answers FORMERR), an
 * answer is built with wire_resp_*(): a bare FORMERR, an NXDOMAIN with an
 * SOA in the authority section, or TXT records of 0 to 66000 bytes (more
 * than one message holds) with an NS and a named additional record, into
 * a buffer of exactly the chosen capacity and under a chosen max_len. The
 * choices come from a hash of the input, so a corpus file is only the
 * message.
 *
 * Properties checked on every answer: it fits the buffer and max_len,
 * ldns parses it, it carries the query's ID, opcode and question, the OPT
 * iff the query had one; truncated answers hold no records but the OPT;
 * a complete TXT answer gives back exactly the text, split in strings of
 * at most 255 bytes; an answer asked without a question is refused (0).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <ldns/ldns.h>

#include "err.h"
#include "fuzz.h"
#include "wire.h"

#define TEXT_MAX 66000

static uint8_t pattern[TEXT_MAX];
static uint8_t text[TEXT_MAX];

/* A fixed SOA rdata: two root names and five 32-bit numbers. */
static const uint8_t soa_rdata[] = {
	0, 0, 0x78, 0x9a, 0xbc, 0xde, 0, 0, 0x1c, 0x20, 0, 0, 0x0e, 0x10,
	0, 0x12, 0x75, 0, 0, 0, 0, 60,
};
static const uint8_t glue_owner[] = {
	3, 'n', 's', '1', 4, 'd', 'e', 'm', 'o', 2, 'c', 't', 7, 'e', 'x', 'a',
	'm', 'p', 'l', 'e', 0,
};
static const uint8_t glue_a[] = { 127, 0, 0, 1 };

enum shape { SHAPE_FORMERR, SHAPE_NXDOMAIN, SHAPE_TXT, SHAPE_FULL };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (size_t i = 0; i < TEXT_MAX; i++) {
		pattern[i] = (uint8_t)(i * 131 + i / 255);
	}
	return 0;
}

/* The byte offset in the question name of label k (clamped to the root). */
static size_t
label_offset(const struct wire_query *q, unsigned k)
{
	size_t off = 0;
	while (k-- > 0 && off < q->qname_len && q->qname[off] != 0) {
		off += 1u + q->qname[off];
	}
	return off;
}

static size_t
pick_text_len(uint64_t h)
{
	switch (h % 4) {
	case 0: return (size_t)(h >> 2) % 256;
	case 1: return 256 + (size_t)(h >> 2) % 1300;
	case 2: return 1556 + (size_t)(h >> 2) % (TEXT_MAX - 1556);
	default: return 65000 + (size_t)(h >> 2) % 1000;
	}
}

/* The TXT rdata of rr, concatenated, equals want. */
static bool
txt_equals(const ldns_rr *rr, const uint8_t *want, size_t want_len)
{
	size_t off = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		const uint8_t *d = ldns_rdf_data(f);
		size_t n = ldns_rdf_size(f);
		/* A character-string: a length byte, then the bytes. */
		if (n < 1 || d[0] != n - 1 || n - 1 > want_len - off) {
			return false;
		}
		if (n - 1 < 255 && off + n - 1 != want_len) {
			return false;	/* only the last string is short */
		}
		if (memcmp(d + 1, want + off, n - 1) != 0) {
			return false;
		}
		off += n - 1;
	}
	return off == want_len && ldns_rr_rd_count(rr) > 0;
}

static void
check_answer(const struct wire_query *q, const uint8_t *msg, size_t len,
    enum shape shape, size_t text_len, unsigned ntxt)
{
	ldns_pkt *pkt = NULL;
	FUZZ_CHECK(ldns_wire2pkt(&pkt, msg, len) == LDNS_STATUS_OK);
	FUZZ_CHECK(ldns_pkt_id(pkt) == q->id);
	FUZZ_CHECK(ldns_pkt_qr(pkt));
	FUZZ_CHECK(ldns_pkt_get_opcode(pkt) == q->opcode);
	FUZZ_CHECK(ldns_pkt_rd(pkt) == q->rd);
	FUZZ_CHECK(ldns_pkt_qdcount(pkt) == (q->qname_len > 0 ? 1 : 0));
	if (q->qname_len > 0) {
		ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
		const ldns_rdf *owner = ldns_rr_owner(qr);
		FUZZ_CHECK(ldns_rdf_size(owner) == q->qname_len);
		FUZZ_CHECK(memcmp(ldns_rdf_data(owner), q->qname,
		    q->qname_len) == 0);
		FUZZ_CHECK(ldns_rr_get_type(qr) == q->qtype);
	}
	/* ldns keeps the OPT out of the additional section. */
	FUZZ_CHECK(ldns_pkt_edns(pkt) == q->has_edns);
	if (q->has_edns) {
		FUZZ_CHECK(ldns_pkt_edns_udp_size(pkt) == WIRE_EDNS_UDP_SIZE);
		FUZZ_CHECK(ldns_pkt_edns_do(pkt) == q->edns_do);
	}
	if (ldns_pkt_tc(pkt) || wire_query_badvers(q)) {
		FUZZ_CHECK(ldns_pkt_ancount(pkt) == 0);
		FUZZ_CHECK(ldns_pkt_nscount(pkt) == 0);
		FUZZ_CHECK(ldns_pkt_arcount(pkt) == 0);
	} else if (shape == SHAPE_TXT || shape == SHAPE_FULL) {
		FUZZ_CHECK(ldns_pkt_ancount(pkt) == ntxt);
		for (unsigned i = 0; i < ntxt; i++) {
			ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(pkt), i);
			FUZZ_CHECK(ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT);
			FUZZ_CHECK(txt_equals(rr, text, text_len));
		}
		if (shape == SHAPE_FULL) {
			FUZZ_CHECK(ldns_pkt_nscount(pkt) == 1);
			FUZZ_CHECK(ldns_pkt_arcount(pkt) == 1);
		}
	} else if (shape == SHAPE_NXDOMAIN) {
		FUZZ_CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NXDOMAIN);
		FUZZ_CHECK(ldns_pkt_nscount(pkt) == 1);
	}
	ldns_pkt_free(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_query q;
	int rc = wire_parse_query(data, size, &q);
	if (rc == CTD_EINVAL) {
		/* Dropped: only a short message or a response is. */
		FUZZ_CHECK(size < WIRE_HEADER_LEN || (data[2] & 0x80) != 0);
		return 0;
	}
	FUZZ_CHECK(rc == CTD_OK || rc == CTD_EMALF);
	FUZZ_CHECK(q.qname_len <= WIRE_MAX_NAME);
	size_t udp = wire_udp_max(&q);
	FUZZ_CHECK(udp >= WIRE_UDP_MIN && udp <= WIRE_EDNS_UDP_SIZE);

	uint64_t h = fuzz_hash(data, size);
	enum shape shape = rc == CTD_EMALF ? SHAPE_FORMERR :
					     (enum shape)(h % 4);
	size_t text_len = pick_text_len(h >> 2);
	unsigned ntxt = 1 + (unsigned)(h >> 24) % 3;
	static const size_t max_lens[] = { 512, 0, 1232, 4096, 65535 };
	size_t max_len = max_lens[(h >> 28) % 5];
	if (max_len == 0) {
		max_len = udp;
	}
	/* Capacity: plenty, or just around the question (a tight fit). */
	size_t cap = (h >> 32) % 3 == 0 ?
	    WIRE_HEADER_LEN + q.qname_len + 4 + (size_t)(h >> 40) % 300 :
	    65535;
	bool aa = (h >> 50) & 1;
	/* The text: a fixed pattern with the input's first bytes on top. */
	memcpy(text, pattern, text_len);
	for (size_t i = 0; i < text_len && i < size; i++) {
		text[i] = data[i];
	}

	uint8_t *out = malloc(cap);
	FUZZ_CHECK(out != NULL);
	struct wire_resp r;
	int rcode = shape == SHAPE_FORMERR ? WIRE_RCODE_FORMERR :
	    shape == SHAPE_NXDOMAIN ? WIRE_RCODE_NXDOMAIN : WIRE_RCODE_NOERROR;
	wire_resp_begin(&r, out, cap, &q, rcode, aa);
	bool misuse = false;
	if (shape == SHAPE_NXDOMAIN) {
		size_t off = label_offset(&q, (unsigned)(h >> 56) % 4);
		wire_resp_rr(&r, WIRE_AUTHORITY, off, WIRE_TYPE_SOA, 60,
		    soa_rdata, sizeof soa_rdata);
		misuse = q.qname_len == 0;
	} else if (shape == SHAPE_TXT || shape == SHAPE_FULL) {
		for (unsigned i = 0; i < ntxt; i++) {
			wire_resp_txt(&r, 300, text, text_len);
		}
		misuse = q.qname_len == 0;
	}
	if (shape == SHAPE_FULL) {
		size_t off = label_offset(&q, 1);
		wire_resp_rr(&r, WIRE_AUTHORITY, off, WIRE_TYPE_NS, 3600,
		    glue_owner, sizeof glue_owner);
		wire_resp_rr_named(&r, WIRE_ADDITIONAL, glue_owner,
		    sizeof glue_owner, WIRE_TYPE_A, 3600, glue_a,
		    sizeof glue_a);
	}
	size_t len = wire_resp_end(&r, &q, max_len);
	FUZZ_CHECK(len <= cap && len <= max_len);
	if (misuse) {
		FUZZ_CHECK(len == 0);
	} else if (cap == 65535) {
		/* Header, question and OPT always fit 512 bytes. */
		FUZZ_CHECK(len >= WIRE_HEADER_LEN);
	}
	if (len > 0) {
		check_answer(&q, out, len, shape, text_len, ntxt);
	}
	free(out);
	return 0;
}
