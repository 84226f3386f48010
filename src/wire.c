/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.c -- DNS messages on the hot path: parse a query, build its answer.
 *
 * Parsing reads the header, then every section record by record with one
 * struct wbuf; each record consumes at least one byte or sets the error,
 * so the work is bounded by the packet length whatever the counts claim.
 * The question name is read strictly (no compression: RFC 1035 allows it
 * in a question only after an earlier name, and there is none); names in
 * the other sections are skipped, a compression pointer ending them, and
 * never followed.
 */
#include "config.h"

#include "err.h"
#include "wire.h"

/* Fixed part of a resource record after its owner name. */
#define RR_FIXED_LEN 10
/* An OPT record with no options: root owner + RR_FIXED_LEN. */
#define OPT_LEN 11

/* Read the question name strictly into q->qname and q->qname_lc. */
static int
read_qname(struct wbuf *r, struct wire_query *q)
{
	size_t n = 0;
	unsigned labels = 0;

	for (;;) {
		uint8_t len = wbuf_u8(r);
		if (r->err) {
			return CTD_EMALF;
		}
		/* 0xc0: compression pointer; 0x40, 0x80: RFC 6891 4.2. */
		if (len & 0xc0) {
			return CTD_EMALF;
		}
		if (len == 0) {
			q->qname[n++] = 0;
			break;
		}
		/* Room for this label and, after it, the root label. */
		if (n + 1 + len + 1 > WIRE_MAX_NAME) {
			return CTD_EMALF;
		}
		q->qname[n++] = len;
		if (wbuf_read(r, q->qname + n, len) != len) {
			return CTD_EMALF;
		}
		n += len;
		labels++;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = q->qname[i];
		q->qname_lc[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
	}
	q->qname_len = n;
	q->qname_labels = labels;
	return CTD_OK;
}

/*
 * Step over a possibly compressed name; sets r->err when malformed.
 * Returns true when the name is the root (a single zero byte).
 */
static bool
skip_name(struct wbuf *r)
{
	size_t total = 0;

	for (;;) {
		uint8_t len = wbuf_u8(r);
		if (r->err) {
			return false;
		}
		if ((len & 0xc0) == 0xc0) {
			(void)wbuf_u8(r);
			return false;
		}
		if (len & 0xc0) {
			r->err = CTD_EMALF;
			return false;
		}
		if (len == 0) {
			return total == 0;
		}
		total += 1 + (size_t)len;
		if (total + 1 > WIRE_MAX_NAME) {
			r->err = CTD_EMALF;
			return false;
		}
		wbuf_skip(r, len);
	}
}

/* Check the options of an OPT are well formed (RFC 6891 6.1.2); skip them. */
static int
skip_edns_options(struct wbuf *r, uint16_t rdlen)
{
	struct wbuf opts;

	if (wbuf_left(r) < rdlen) {
		return CTD_EMALF;
	}
	wbuf_init_ro(&opts, r->data + r->pos, rdlen);
	while (wbuf_left(&opts) > 0) {
		(void)wbuf_u16(&opts);	/* option code: ECS and all */
		uint16_t olen = wbuf_u16(&opts);
		wbuf_skip(&opts, olen);
		if (opts.err) {
			return CTD_EMALF;
		}
	}
	wbuf_skip(r, rdlen);
	return CTD_OK;
}

/* Parse one record of section sec (1 answer, 2 authority, 3 additional). */
static int
parse_rr(struct wbuf *r, struct wire_query *q, int sec)
{
	bool root = skip_name(r);
	uint16_t type = wbuf_u16(r);
	uint16_t class = wbuf_u16(r);
	uint32_t ttl = wbuf_u32(r);
	uint16_t rdlen = wbuf_u16(r);

	if (r->err) {
		return CTD_EMALF;
	}
	if (type != WIRE_TYPE_OPT) {
		return wbuf_skip(r, rdlen) == rdlen ? CTD_OK : CTD_EMALF;
	}
	/* RFC 6891 6.1.1: one OPT, in the additional section, root owner. */
	if (sec != 3 || q->has_edns) {
		return CTD_EMALF;
	}
	q->has_edns = true;
	q->edns_udp_size = class;
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_do = (ttl & 0x8000) != 0;
	if (!root) {
		return CTD_EMALF;
	}
	return skip_edns_options(r, rdlen);
}

/* Step over the questions of a non-QUERY message whose QDCOUNT is not 1. */
static int
skip_questions(struct wbuf *r, uint16_t count)
{
	for (uint16_t i = 0; i < count; i++) {
		(void)skip_name(r);
		wbuf_skip(r, 4);
		if (r->err) {
			return CTD_EMALF;
		}
	}
	return CTD_OK;
}

/* The question (or questions) after the header. */
static int
parse_question(struct wbuf *r, struct wire_query *q)
{
	if (q->qdcount != 1) {
		if (q->opcode == WIRE_OPCODE_QUERY) {
			return CTD_EMALF;
		}
		return skip_questions(r, q->qdcount);
	}
	int rc = read_qname(r, q);
	if (rc != CTD_OK) {
		return rc;
	}
	q->qtype = wbuf_u16(r);
	q->qclass = wbuf_u16(r);
	if (r->err) {
		q->qname_len = 0;
		q->qname_labels = 0;
		return CTD_EMALF;
	}
	return CTD_OK;
}

int
wire_parse_query(const uint8_t *pkt, size_t len, struct wire_query *q)
{
	struct wbuf r;
	uint16_t count[4];

	memset(q, 0, sizeof *q);
	if (len < WIRE_HEADER_LEN) {
		return CTD_EINVAL;
	}
	wbuf_init_ro(&r, pkt, len);
	q->id = wbuf_u16(&r);
	q->flags = wbuf_u16(&r);
	if (q->flags & WIRE_FLAG_QR) {
		return CTD_EINVAL;
	}
	q->opcode = (uint8_t)((q->flags >> 11) & 0x0f);
	q->rd = (q->flags & WIRE_FLAG_RD) != 0;
	q->cd = (q->flags & WIRE_FLAG_CD) != 0;
	for (int i = 0; i < 4; i++) {
		count[i] = wbuf_u16(&r);
	}
	q->qdcount = count[0];

	int rc = parse_question(&r, q);
	if (rc != CTD_OK) {
		return rc;
	}
	for (int sec = 1; sec <= 3; sec++) {
		for (uint32_t i = 0; i < count[sec]; i++) {
			rc = parse_rr(&r, q, sec);
			if (rc != CTD_OK) {
				return rc;
			}
		}
	}
	if (wbuf_left(&r) != 0) {
		return CTD_EMALF;
	}
	return CTD_OK;
}

size_t
wire_udp_max(const struct wire_query *q)
{
	if (!q->has_edns || q->edns_udp_size <= WIRE_UDP_MIN) {
		return WIRE_UDP_MIN;
	}
	if (q->edns_udp_size >= WIRE_EDNS_UDP_SIZE) {
		return WIRE_EDNS_UDP_SIZE;
	}
	return q->edns_udp_size;
}

/* Overwrite a 16-bit field already written, at off. */
static void
patch_u16(struct wire_resp *r, size_t off, uint16_t v)
{
	r->buf.data[off] = (uint8_t)(v >> 8);
	r->buf.data[off + 1] = (uint8_t)v;
}

void
wire_resp_begin(struct wire_resp *r, uint8_t *buf, size_t cap,
    const struct wire_query *q, int rcode, bool aa)
{
	memset(r, 0, sizeof *r);
	wbuf_init(&r->buf, buf, cap);
	r->flags = (uint16_t)(WIRE_FLAG_QR | (q->opcode & 0x0f) << 11 |
	    (aa ? WIRE_FLAG_AA : 0) | (q->rd ? WIRE_FLAG_RD : 0) |
	    (q->cd ? WIRE_FLAG_CD : 0) | (rcode & 0x0f));
	r->ext_rcode = (uint8_t)((unsigned)rcode >> 4);
	r->section = WIRE_ANSWER;

	wbuf_put_u16(&r->buf, q->id);
	wbuf_put_u16(&r->buf, r->flags);
	wbuf_put_u16(&r->buf, q->qname_len > 0 ? 1 : 0);
	wbuf_put_u16(&r->buf, 0);
	wbuf_put_u16(&r->buf, 0);
	wbuf_put_u16(&r->buf, 0);
	if (q->qname_len > 0 && q->qname_len <= WIRE_MAX_NAME) {
		wbuf_put(&r->buf, q->qname, q->qname_len);
		wbuf_put_u16(&r->buf, q->qtype);
		wbuf_put_u16(&r->buf, q->qclass);
		r->qname_len = q->qname_len;
	}
	r->answer_start = r->buf.err ? 0 : r->buf.pos;
}

/*
 * Checks before appending a record to sec: the header was written, no
 * earlier error, sections in order. Sets buf.err on misuse.
 */
static bool
rr_start(struct wire_resp *r, enum wire_section sec, size_t rdlen)
{
	if (r->buf.err) {
		return false;
	}
	if (r->answer_start == 0 || sec < r->section || sec > WIRE_ADDITIONAL) {
		r->buf.err = CTD_EINVAL;
		return false;
	}
	if (rdlen > UINT16_MAX) {
		r->buf.err = CTD_ESPACE;
		return false;
	}
	uint16_t *count = sec == WIRE_ANSWER ? &r->ancount :
	    sec == WIRE_AUTHORITY ? &r->nscount : &r->arcount;
	if (*count == UINT16_MAX) {
		r->buf.err = CTD_ESPACE;
		return false;
	}
	r->section = sec;
	return true;
}

/* The part of a record after its owner; counts it when it fit. */
static void
rr_rest(struct wire_resp *r, enum wire_section sec, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	wbuf_put_u16(&r->buf, type);
	wbuf_put_u16(&r->buf, WIRE_CLASS_IN);
	wbuf_put_u32(&r->buf, ttl);
	wbuf_put_u16(&r->buf, (uint16_t)rdlen);
	wbuf_put(&r->buf, rdata, rdlen);
	if (r->buf.err) {
		return;
	}
	if (sec == WIRE_ANSWER) {
		r->ancount++;
	} else if (sec == WIRE_AUTHORITY) {
		r->nscount++;
	} else {
		r->arcount++;
	}
}

void
wire_resp_txt(struct wire_resp *r, uint32_t ttl, const uint8_t *text,
    size_t len)
{
	size_t strings = len == 0 ? 1 : (len + 254) / 255;

	if (r->buf.err == CTD_OK && r->qname_len == 0) {
		r->buf.err = CTD_EINVAL;
	}
	/* len + strings cannot wrap: len is an object's size. */
	if (!rr_start(r, WIRE_ANSWER, len + strings)) {
		return;
	}
	wbuf_put_u16(&r->buf, 0xc000 | WIRE_HEADER_LEN);
	wbuf_put_u16(&r->buf, WIRE_TYPE_TXT);
	wbuf_put_u16(&r->buf, WIRE_CLASS_IN);
	wbuf_put_u32(&r->buf, ttl);
	wbuf_put_u16(&r->buf, (uint16_t)(len + strings));
	size_t done = 0;
	do {
		size_t chunk = len - done > 255 ? 255 : len - done;
		wbuf_put_u8(&r->buf, (uint8_t)chunk);
		if (chunk > 0) {
			/* text may be NULL when len is 0: no NULL + 0. */
			wbuf_put(&r->buf, text + done, chunk);
		}
		done += chunk;
	} while (done < len);
	if (r->buf.err == CTD_OK) {
		r->ancount++;
	}
}

/* true when off is where a label of the copied question name starts. */
static bool
is_label_start(const struct wire_resp *r, size_t off)
{
	const uint8_t *name = r->buf.data + WIRE_HEADER_LEN;
	size_t pos = 0;

	while (pos < r->qname_len) {
		if (pos == off) {
			return true;
		}
		if (name[pos] == 0) {
			break;
		}
		pos += 1 + (size_t)name[pos];
	}
	return false;
}

void
wire_resp_rr(struct wire_resp *r, enum wire_section sec, size_t owner_off,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	if (!rr_start(r, sec, rdlen)) {
		return;
	}
	if (!is_label_start(r, owner_off)) {
		r->buf.err = CTD_EINVAL;
		return;
	}
	/* owner_off < WIRE_MAX_NAME, so the pointer fits its 14 bits. */
	wbuf_put_u16(&r->buf,
	    (uint16_t)(0xc000 | (WIRE_HEADER_LEN + owner_off)));
	rr_rest(r, sec, type, ttl, rdata, rdlen);
}

/* true when name is exactly one uncompressed wire name of len bytes. */
static bool
is_wire_name(const uint8_t *name, size_t len)
{
	size_t pos = 0;

	if (len == 0 || len > WIRE_MAX_NAME) {
		return false;
	}
	while (pos < len) {
		uint8_t l = name[pos];
		if (l & 0xc0) {
			return false;
		}
		if (l == 0) {
			return pos + 1 == len;
		}
		pos += 1 + (size_t)l;
	}
	return false;
}

void
wire_resp_rr_named(struct wire_resp *r, enum wire_section sec,
    const uint8_t *owner, size_t owner_len, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen)
{
	if (!rr_start(r, sec, rdlen)) {
		return;
	}
	if (!is_wire_name(owner, owner_len)) {
		r->buf.err = CTD_EINVAL;
		return;
	}
	wbuf_put(&r->buf, owner, owner_len);
	rr_rest(r, sec, type, ttl, rdata, rdlen);
}

/* Drop every record after the question. */
static void
drop_records(struct wire_resp *r)
{
	r->buf.pos = r->answer_start;
	r->buf.err = CTD_OK;
	r->ancount = r->nscount = r->arcount = 0;
}

size_t
wire_resp_end(struct wire_resp *r, const struct wire_query *q,
    size_t max_len)
{
	size_t limit = max_len < r->buf.cap ? max_len : r->buf.cap;
	size_t opt_len = q->has_edns ? OPT_LEN : 0;

	if (r->answer_start == 0 ||
	    (r->buf.err != CTD_OK && r->buf.err != CTD_ESPACE)) {
		return 0;
	}
	if (wire_query_badvers(q)) {
		/* RFC 6891 6.1.3: BADVERS, and nothing else. */
		drop_records(r);
		r->flags &= (uint16_t)~0x000f;
		r->ext_rcode = WIRE_RCODE_BADVERS >> 4;
	}
	if (r->ext_rcode != 0 && !q->has_edns) {
		r->flags = (uint16_t)((r->flags & ~0x000f) |
		    WIRE_RCODE_SERVFAIL);
		r->ext_rcode = 0;
	}
	if (r->buf.err == CTD_ESPACE || r->buf.pos + opt_len > limit) {
		drop_records(r);
		r->flags |= WIRE_FLAG_TC;
	}
	if (r->answer_start + opt_len > limit) {
		return 0;
	}
	if (q->has_edns) {
		wbuf_put_u8(&r->buf, 0);
		wbuf_put_u16(&r->buf, WIRE_TYPE_OPT);
		wbuf_put_u16(&r->buf, WIRE_EDNS_UDP_SIZE);
		wbuf_put_u32(&r->buf, (uint32_t)r->ext_rcode << 24 |
		    (q->edns_do ? 0x8000u : 0));
		wbuf_put_u16(&r->buf, 0);
		r->arcount++;
	}
	if (r->buf.err) {
		return 0;
	}
	patch_u16(r, 2, r->flags);
	patch_u16(r, 6, r->ancount);
	patch_u16(r, 8, r->nscount);
	patch_u16(r, 10, r->arcount);
	return r->buf.pos;
}
