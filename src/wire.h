/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.h -- DNS messages on the hot path: parse a query, build its answer.
 *
 * RFC 1035 section 4 messages with RFC 6891 EDNS(0). Pure: no allocation,
 * no system call, no logging, no clock; callers own every buffer.
 *
 * Reading and writing go through struct wbuf, a bounded cursor with a
 * sticky error (the Knot wire_ctx idea): a read past the end sets err to
 * CTD_EMALF, a write past the capacity sets err to CTD_ESPACE; the failing
 * call and every later call do nothing and return 0, so a sequence of
 * reads is checked once at the end. No length read from a packet is used
 * before it is checked against the bytes left.
 *
 * Answers: wire_resp_begin() writes the header and the question (copied
 * byte for byte from the query, so 0x20 case randomisation survives), the
 * wire_resp_*() calls append records in section order (answer, authority,
 * additional), and wire_resp_end() appends the OPT, fills in the counts
 * and truncates (TC=1, every record dropped, the OPT kept) when the
 * message exceeds the size the client allows or the buffer. Owner names of
 * answer records are compression pointers into the question.
 *
 * Caveats:
 * - EDNS Client Subnet (and every other option) in a query is skipped,
 *   never kept and never echoed; our OPT carries no options.
 * - A query with EDNS version other than 0 always gets BADVERS from
 *   wire_resp_end(), whatever records were added (RFC 6891 section 6.1.3);
 *   callers should test wire_query_badvers() first and not bother.
 */
#ifndef CTD_WIRE_H
#define CTD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"

/* ---- the bounded, sticky-error reader and writer ------------------------ */

struct wbuf {
	uint8_t *data;
	size_t cap;	/* bytes readable, or room for writing */
	size_t pos;
	int err;	/* CTD_OK, CTD_EMALF (read), CTD_ESPACE (write), ... */
};

/* Start a cursor at the beginning of data, cap bytes. Borrows data. */
static inline void
wbuf_init(struct wbuf *w, uint8_t *data, size_t cap)
{
	w->data = data;
	w->cap = cap;
	w->pos = 0;
	w->err = CTD_OK;
}

/*
 * Start a read-only cursor over const bytes. Only the read helpers may be
 * used on it (the const is cast away, never written through).
 */
static inline void
wbuf_init_ro(struct wbuf *w, const uint8_t *data, size_t len)
{
	wbuf_init(w, (uint8_t *)(uintptr_t)data, len);
}

/* Bytes left to read or room left to write; 0 once an error is set. */
static inline size_t
wbuf_left(const struct wbuf *w)
{
	return w->err ? 0 : w->cap - w->pos;
}

/* true when n more bytes are available; else sets err (once) to code. */
static inline bool
wbuf_avail(struct wbuf *w, size_t n, int code)
{
	if (w->err) {
		return false;
	}
	if (n > w->cap - w->pos) {
		w->err = code;
		return false;
	}
	return true;
}

static inline uint8_t
wbuf_u8(struct wbuf *w)
{
	if (!wbuf_avail(w, 1, CTD_EMALF)) {
		return 0;
	}
	return w->data[w->pos++];
}

static inline uint16_t
wbuf_u16(struct wbuf *w)
{
	if (!wbuf_avail(w, 2, CTD_EMALF)) {
		return 0;
	}
	const uint8_t *p = w->data + w->pos;
	w->pos += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wbuf_u32(struct wbuf *w)
{
	if (!wbuf_avail(w, 4, CTD_EMALF)) {
		return 0;
	}
	const uint8_t *p = w->data + w->pos;
	w->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Copy n bytes out; on error dst is zeroed and 0 returned. */
static inline size_t
wbuf_read(struct wbuf *w, void *dst, size_t n)
{
	if (!wbuf_avail(w, n, CTD_EMALF)) {
		memset(dst, 0, n);
		return 0;
	}
	memcpy(dst, w->data + w->pos, n);
	w->pos += n;
	return n;
}

/* Step over n bytes; returns n, or 0 on error. */
static inline size_t
wbuf_skip(struct wbuf *w, size_t n)
{
	if (!wbuf_avail(w, n, CTD_EMALF)) {
		return 0;
	}
	w->pos += n;
	return n;
}

static inline size_t
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	if (!wbuf_avail(w, 1, CTD_ESPACE)) {
		return 0;
	}
	w->data[w->pos++] = v;
	return 1;
}

static inline size_t
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	if (!wbuf_avail(w, 2, CTD_ESPACE)) {
		return 0;
	}
	w->data[w->pos] = (uint8_t)(v >> 8);
	w->data[w->pos + 1] = (uint8_t)v;
	w->pos += 2;
	return 2;
}

static inline size_t
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	if (!wbuf_avail(w, 4, CTD_ESPACE)) {
		return 0;
	}
	w->data[w->pos] = (uint8_t)(v >> 24);
	w->data[w->pos + 1] = (uint8_t)(v >> 16);
	w->data[w->pos + 2] = (uint8_t)(v >> 8);
	w->data[w->pos + 3] = (uint8_t)v;
	w->pos += 4;
	return 4;
}

/* Append n bytes (src may be NULL when n is 0). */
static inline size_t
wbuf_put(struct wbuf *w, const void *src, size_t n)
{
	if (!wbuf_avail(w, n, CTD_ESPACE)) {
		return 0;
	}
	if (n > 0) {
		memcpy(w->data + w->pos, src, n);
	}
	w->pos += n;
	return n;
}

/* ---- DNS constants --------------------------------------------------- */

#define WIRE_HEADER_LEN 12
#define WIRE_MAX_NAME 255
/* Our EDNS UDP payload size (DNS flag day 2020 default). */
#define WIRE_EDNS_UDP_SIZE 1232
/* The largest UDP answer to a query without EDNS (RFC 1035 4.2.1). */
#define WIRE_UDP_MIN 512

#define WIRE_OPCODE_QUERY 0
#define WIRE_OPCODE_NOTIFY 4

#define WIRE_RCODE_NOERROR 0
#define WIRE_RCODE_FORMERR 1
#define WIRE_RCODE_SERVFAIL 2
#define WIRE_RCODE_NXDOMAIN 3
#define WIRE_RCODE_NOTIMP 4
#define WIRE_RCODE_REFUSED 5
#define WIRE_RCODE_BADVERS 16	/* extended: needs EDNS */

#define WIRE_CLASS_IN 1
#define WIRE_TYPE_A 1
#define WIRE_TYPE_NS 2
#define WIRE_TYPE_SOA 6
#define WIRE_TYPE_TXT 16
#define WIRE_TYPE_AAAA 28
#define WIRE_TYPE_OPT 41

/* Header flag bits (RFC 1035 4.1.1, RFC 4035 for AD and CD). */
#define WIRE_FLAG_QR 0x8000
#define WIRE_FLAG_AA 0x0400
#define WIRE_FLAG_TC 0x0200
#define WIRE_FLAG_RD 0x0100
#define WIRE_FLAG_RA 0x0080
#define WIRE_FLAG_AD 0x0020
#define WIRE_FLAG_CD 0x0010

/* ---- parsing a query ------------------------------------------------- */

struct wire_query {
	uint16_t id;
	uint16_t flags;		/* the header's second 16 bits, as received */
	uint8_t opcode;
	bool rd, cd;
	uint16_t qdcount;
	/* The question name as received: case kept, uncompressed wire. */
	uint8_t qname[WIRE_MAX_NAME];
	/* The same name with A-Z folded to a-z, for lookups. */
	uint8_t qname_lc[WIRE_MAX_NAME];
	/* Bytes in qname including the root label; 0 when none parsed. */
	size_t qname_len;
	/* Labels in qname, not counting the root label (0 for "."). */
	unsigned qname_labels;
	uint16_t qtype, qclass;
	bool has_edns;		/* an OPT record was present */
	uint8_t edns_version;
	bool edns_do;
	uint16_t edns_udp_size;	/* as sent; see wire_udp_max() */
};

/*
 * Parse a DNS query.
 * @param pkt: the message, len bytes; borrowed, only read.
 * @param q: receives the query (zeroed first). On CTD_EMALF the header
 *	fields (id, flags, opcode, rd, cd, qdcount) are set, qname_len is
 *	0 unless the question parsed, and has_edns is set when an OPT's
 *	fixed fields were read (RFC 6891 section 7: a FORMERR about the OPT
 *	carries an OPT).
 * @return:
 *	CTD_EINVAL: drop silently: shorter than the header, or QR=1.
 *	CTD_EMALF: answer FORMERR: QDCOUNT != 1 for opcode QUERY; a question
 *	  that does not parse (compression pointer, label > 63 bytes, name
 *	  > 255 bytes, truncated); a record that does not parse; an OPT
 *	  outside the additional section, not owned by the root, with
 *	  malformed options, or a second OPT; bytes after the last record.
 *	CTD_OK: otherwise, also for other opcodes (the caller answers
 *	  NOTIMP; the question is parsed when QDCOUNT is 1, else skipped).
 *	Records in the answer and authority sections are skipped (their
 *	names may be compressed). EDNS options are skipped, never kept.
 */
int wire_parse_query(const uint8_t *pkt, size_t len, struct wire_query *q);

/* true when the query asks for an EDNS version we do not speak. */
static inline bool
wire_query_badvers(const struct wire_query *q)
{
	return q->has_edns && q->edns_version != 0;
}

/*
 * The largest UDP answer the client accepts: 512 without EDNS, else its
 * EDNS UDP size clamped to [512, WIRE_EDNS_UDP_SIZE].
 */
size_t wire_udp_max(const struct wire_query *q);

/* ---- building an answer ---------------------------------------------- */

enum wire_section {
	WIRE_ANSWER,
	WIRE_AUTHORITY,
	WIRE_ADDITIONAL,
};

struct wire_resp {
	struct wbuf buf;	/* err: CTD_ESPACE -> truncate; other -> fail */
	uint16_t ancount, nscount, arcount;
	size_t answer_start;	/* end of the question; 0: header failed */
	uint16_t flags;		/* header flags, rcode in the low 4 bits */
	uint8_t ext_rcode;	/* upper 8 bits of a 12-bit rcode (OPT) */
	enum wire_section section;	/* the section being appended to */
	size_t qname_len;	/* bytes of question name at offset 12 */
};

/*
 * Start an answer to q.
 * @param r: the answer being built; wire_resp_end() completes it.
 * @param buf: the output, cap bytes; borrowed until wire_resp_end().
 * @param q: a query wire_parse_query() returned CTD_OK or CTD_EMALF for.
 * @param rcode: the full 12-bit rcode. The header takes the low 4 bits,
 *	the OPT the rest: WIRE_RCODE_BADVERS gives header rcode 0 and OPT
 *	extended rcode 1. An rcode above 15 without EDNS in the query cannot
 *	be expressed; the header then says SERVFAIL.
 * @param aa: the AA bit.
 * The header copies id, opcode, RD and CD; QR=1, RA=0, TC=0. The question
 * is copied from q->qname byte for byte when q->qname_len > 0 (QDCOUNT 1),
 * else QDCOUNT is 0.
 */
void wire_resp_begin(struct wire_resp *r, uint8_t *buf, size_t cap,
    const struct wire_query *q, int rcode, bool aa);

/*
 * Append a TXT record to the answer section, owned by the question name
 * (a compression pointer to offset 12), class IN.
 * @param text: len bytes, binary safe, split into consecutive
 *	character-strings of at most 255 bytes; len 0 gives one empty
 *	character-string. Copied.
 * Misuse (no question, answer section already left) sets buf.err to
 * CTD_EINVAL; a text too long for any message (RDLENGTH > 65535) sets
 * CTD_ESPACE.
 */
void wire_resp_txt(struct wire_resp *r, uint32_t ttl, const uint8_t *text,
    size_t len);

/*
 * Append a record, class IN, whose owner is a suffix of the question name.
 * @param sec: the section; must not go back to an earlier section.
 * @param owner_off: the byte offset in q->qname where the owner starts
 *	(0: the question name; the zone apex for the SOA of a negative
 *	answer); must be a label boundary, else buf.err = CTD_EINVAL.
 *	Written as a compression pointer to 12 + owner_off.
 * @param rdata: rdlen bytes, uncompressed, copied as they are.
 */
void wire_resp_rr(struct wire_resp *r, enum wire_section sec,
    size_t owner_off, uint16_t type, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen);

/*
 * Append a record, class IN, with an owner given in full.
 * @param owner: owner_len bytes of uncompressed wire name ending in the
 *	root label; a malformed name sets buf.err = CTD_EINVAL. Copied.
 * Other parameters as for wire_resp_rr().
 */
void wire_resp_rr_named(struct wire_resp *r, enum wire_section sec,
    const uint8_t *owner, size_t owner_len, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen);

/*
 * Complete the answer: append the OPT when q->has_edns (UDP size
 * WIRE_EDNS_UDP_SIZE, version 0, DO copied from the query, no options, the
 * extended rcode), fill in the counts and flags. When q asked for an EDNS
 * version other than 0, every record is dropped and the rcode becomes
 * BADVERS. When the message would exceed max_len or the buffer (buf.err
 * CTD_ESPACE), every answer, authority and additional record is dropped
 * and TC set; the OPT is kept.
 * @param q: the query passed to wire_resp_begin().
 * @param max_len: wire_udp_max(q) for UDP, 65535 for TCP.
 * @return: the message length in the buffer; 0 when even the header,
 *	question and OPT do not fit, or a call was misused (buf.err other
 *	than CTD_OK or CTD_ESPACE).
 */
size_t wire_resp_end(struct wire_resp *r, const struct wire_query *q,
    size_t max_len);

#endif /* CTD_WIRE_H */
