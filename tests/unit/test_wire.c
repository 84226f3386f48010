/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wire.c -- DNS query parsing and answer building.
 *
 * Queries come from ldns (ldns_pkt_query_new + ldns_pkt2wire) and from
 * hand-made bytes for what ldns will not build; answers are parsed back
 * with ldns_wire2pkt and also checked byte by byte where the bytes matter
 * (the question's letter case, the OPT, compression pointers). Hostile
 * input: every prefix of a valid query, random mutations and random
 * packets must parse to a defined outcome without reading out of bounds
 * (run under valgrind).
 */
#include "config.h"

#include <stdlib.h>

#include <ldns/ldns.h>

#include "../tap.h"
#include "err.h"
#include "wire.h"

int main(void);

/* Options for building a query with ldns. */
struct qopt {
	const char *name;
	uint16_t type;
	uint16_t id;
	bool rd, cd;
	int opcode;
	uint16_t udp;		/* 0: no EDNS */
	bool dnssec_ok;
	uint8_t version;
	bool ecs;
};

static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A query in wire form; caller frees with free(). */
static uint8_t *
build_query(const struct qopt *o, size_t *len)
{
	ldns_rdf *name = ldns_dname_new_frm_str(o->name);
	uint16_t flags = o->rd ? LDNS_RD : 0;
	ldns_pkt *p = ldns_pkt_query_new(name, (ldns_rr_type)o->type,
	    LDNS_RR_CLASS_IN, flags);
	uint8_t *wire = NULL;

	if (p == NULL) {
		abort();
	}
	ldns_pkt_set_id(p, o->id);
	ldns_pkt_set_cd(p, o->cd);
	ldns_pkt_set_opcode(p, (ldns_pkt_opcode)o->opcode);
	if (o->udp) {
		ldns_pkt_set_edns_udp_size(p, o->udp);
		ldns_pkt_set_edns_do(p, o->dnssec_ok);
		ldns_pkt_set_edns_version(p, o->version);
	}
	if (o->ecs) {
		static const uint8_t ecs[] = { 0, 1, 24, 0, 192, 0, 2 };
		ldns_edns_option_list *list = ldns_edns_option_list_new();
		ldns_edns_option_list_push(list, ldns_edns_new_from_data(
		    LDNS_EDNS_CLIENT_SUBNET, sizeof ecs, ecs));
		ldns_pkt_set_edns_option_list(p, list);
	}
	if (ldns_pkt2wire(&wire, p, len) != LDNS_STATUS_OK) {
		abort();
	}
	ldns_pkt_free(p);
	return wire;
}

/* Parse from an exact-size heap copy, so valgrind sees any over-read. */
static int
parse_exact(const uint8_t *pkt, size_t len, struct wire_query *q)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		abort();
	}
	memcpy(copy, pkt, len);
	int rc = wire_parse_query(copy, len, q);
	free(copy);
	return rc;
}

static int
parse_built(const struct qopt *o, struct wire_query *q)
{
	size_t len;
	uint8_t *w = build_query(o, &len);
	int rc = parse_exact(w, len, q);
	free(w);
	return rc;
}

/* Hand-made packets: a header, then raw bytes. */
static size_t
hand(uint8_t *out, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
    uint16_t ar, const void *body, size_t body_len)
{
	uint16_t h[6] = { 0xbeef, flags, qd, an, ns, ar };
	for (int i = 0; i < 6; i++) {
		out[2 * i] = (uint8_t)(h[i] >> 8);
		out[2 * i + 1] = (uint8_t)h[i];
	}
	memcpy(out + 12, body, body_len);
	return 12 + body_len;
}

/* "\3sth\3log\0" TXT IN */
#define Q_STH "\x03sth\x03log\x00\x00\x10\x00\x01"
#define Q_STH_LEN 13
/* A root-owned OPT, udp 4096, DO, no options. */
#define OPT_4096 "\x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00"
#define OPT_LEN 11

static void
test_wbuf(void)
{
	uint8_t b[4] = { 1, 2, 3, 4 };
	struct wbuf w;

	wbuf_init(&w, b, sizeof b);
	is_int(wbuf_u16(&w), 0x0102, "wbuf_u16 network order");
	is_int(wbuf_left(&w), 2, "wbuf_left");
	is_int(wbuf_u32(&w), 0, "wbuf_u32 past the end gives 0");
	is_int(w.err, CTD_EMALF, "  ... and sets CTD_EMALF");
	is_int(w.pos, 2, "  ... without moving");
	is_int(wbuf_u8(&w), 0, "sticky: a fitting read after it gives 0");
	is_int(wbuf_left(&w), 0, "wbuf_left is 0 after an error");
	uint8_t d[3] = { 9, 9, 9 };
	wbuf_init(&w, b, sizeof b);
	is_int(wbuf_read(&w, d, 3), 3, "wbuf_read");
	ok(d[0] == 1 && d[2] == 3, "  ... copies");
	is_int(wbuf_read(&w, d, 3), 0, "wbuf_read past the end");
	ok(d[0] == 0 && d[1] == 0 && d[2] == 0, "  ... zeroes the output");
	wbuf_init(&w, b, sizeof b);
	is_int(wbuf_skip(&w, 5), 0, "wbuf_skip past the end");
	is_int(w.err, CTD_EMALF, "  ... CTD_EMALF");
	wbuf_init(&w, b, 0);
	is_int(wbuf_skip(&w, SIZE_MAX), 0, "wbuf_skip(SIZE_MAX) is bounded");

	uint8_t o[6];
	memset(o, 0xee, sizeof o);
	wbuf_init(&w, o, 5);
	wbuf_put_u32(&w, 0xa1b2c3d4);
	is_int(w.err, CTD_OK, "wbuf_put_u32 fits");
	is_int(wbuf_put_u16(&w, 0x1234), 0, "wbuf_put_u16 past the cap");
	is_int(w.err, CTD_ESPACE, "  ... sets CTD_ESPACE");
	is_int(wbuf_put_u8(&w, 0x55), 0, "sticky: a fitting put does nothing");
	ok(o[0] == 0xa1 && o[3] == 0xd4 && o[4] == 0xee && o[5] == 0xee,
	    "nothing written past the first failure");
}

static void
test_parse_good(void)
{
	struct wire_query q;
	struct qopt o = { .name = "sth.LoG.Example.", .type = 16,
	    .id = 0x1234, .rd = true };
	static const uint8_t want[] = "\x03sth\x03LoG\x07" "Example";
	static const uint8_t want_lc[] = "\x03sth\x03log\x07" "example";

	memset(&q, 0xa5, sizeof q);
	is_int(parse_built(&o, &q), CTD_OK, "ldns TXT query parses");
	is_int(q.id, 0x1234, "  id");
	is_int(q.opcode, 0, "  opcode QUERY");
	ok(q.rd && !q.cd, "  RD set, CD clear");
	is_int(q.qdcount, 1, "  qdcount");
	is_int(q.qname_len, 17, "  qname_len includes the root");
	is_mem(q.qname, want, 17, "  qname as received, case kept");
	is_mem(q.qname_lc, want_lc, 17, "  qname_lc folded");
	is_int(q.qname_labels, 3, "  3 labels");
	ok(q.qtype == 16 && q.qclass == 1, "  TXT IN");
	ok(!q.has_edns, "  no EDNS");
	is_int(wire_udp_max(&q), 512, "  UDP max 512 without EDNS");

	o.cd = true;
	o.rd = false;
	o.udp = 4096;
	o.dnssec_ok = true;
	is_int(parse_built(&o, &q), CTD_OK, "EDNS query parses");
	ok(q.has_edns && q.edns_udp_size == 4096 && q.edns_do &&
	    q.edns_version == 0, "  EDNS 4096, DO, version 0");
	ok(!q.rd && q.cd, "  RD clear, CD set");
	is_int(wire_udp_max(&q), WIRE_EDNS_UDP_SIZE,
	    "  UDP max clamped to 1232");
	o.udp = 1000;
	o.dnssec_ok = false;
	parse_built(&o, &q);
	ok(!q.edns_do, "  DO clear");
	is_int(wire_udp_max(&q), 1000, "  UDP max 1000 kept");
	o.udp = 100;
	parse_built(&o, &q);
	is_int(wire_udp_max(&q), 512, "  UDP max 100 raised to 512");

	o.udp = 1232;
	o.ecs = true;
	is_int(parse_built(&o, &q), CTD_OK, "query with an ECS option parses");
	ok(q.has_edns && q.edns_udp_size == 1232, "  EDNS seen");

	struct qopt root = { .name = ".", .type = 6, .id = 7 };
	is_int(parse_built(&root, &q), CTD_OK, "root name parses");
	ok(q.qname_len == 1 && q.qname[0] == 0 && q.qname_labels == 0,
	    "  root: 1 byte, 0 labels");

	struct qopt notify = { .name = "log.example.", .type = 6, .id = 9,
	    .opcode = LDNS_PACKET_NOTIFY };
	is_int(parse_built(&notify, &q), CTD_OK, "NOTIFY parses (NOTIMP)");
	ok(q.opcode == 4 && q.qname_len == 13 && q.qtype == 6,
	    "  opcode 4, question parsed");

	uint8_t p[600];
	size_t n = hand(p, 4 << 11, 0, 0, 0, 0, "", 0);
	is_int(parse_exact(p, n, &q), CTD_OK, "NOTIFY with QDCOUNT 0: OK");
	is_int(q.qname_len, 0, "  no question");
	n = hand(p, 5 << 11, 2, 0, 0, 1, Q_STH "\xc0\x0c\x00\x06\x00\x01"
	    OPT_4096, Q_STH_LEN + 6 + OPT_LEN);
	is_int(parse_exact(p, n, &q), CTD_OK,
	    "UPDATE with 2 questions (one compressed) and OPT: OK");
	ok(q.opcode == 5 && q.qname_len == 0 && q.has_edns,
	    "  no question kept, EDNS seen");

	/* Answer and authority records: compressed owners are skipped. */
	n = hand(p, 0, 1, 1, 1, 1, Q_STH
	    "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x01"
	    "\x01x\xc0\x10\x00\x02\x00\x01\x00\x00\x00\x3c\x00\x00"
	    OPT_4096, Q_STH_LEN + 16 + 14 + OPT_LEN);
	is_int(parse_exact(p, n, &q), CTD_OK,
	    "records in answer and authority are skipped");
	ok(q.has_edns && q.edns_udp_size == 4096, "  OPT after them found");
	/* An OPT with two options (ECS and a cookie) is skipped cleanly. */
	n = hand(p, 0, 1, 0, 0, 1, Q_STH
	    "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x17"
	    "\x00\x08\x00\x07\x00\x01\x18\x00\xc0\x00\x02"
	    "\x00\x0a\x00\x08" "abcdefgh", Q_STH_LEN + 11 + 11 + 12);
	is_int(parse_exact(p, n, &q), CTD_OK, "OPT with ECS and cookie: OK");
	/* Names at the limits: label of 63, name of 255. */
	uint8_t b[300];
	size_t k = 0;
	b[k++] = 63;
	memset(b + k, 'a', 63);
	k += 63;
	memcpy(b + k, "\x00\x00\x10\x00\x01", 5);
	n = hand(p, 0, 1, 0, 0, 0, b, k + 5);
	is_int(parse_exact(p, n, &q), CTD_OK, "63-byte label accepted");
	k = 0;
	for (int i = 0; i < 3; i++) {
		b[k++] = 63;
		memset(b + k, 'a' + i, 63);
		k += 63;
	}
	b[k++] = 61;
	memset(b + k, 'z', 61);
	k += 61;
	memcpy(b + k, "\x00\x00\x10\x00\x01", 5);
	n = hand(p, 0, 1, 0, 0, 0, b, k + 5);
	is_int(parse_exact(p, n, &q), CTD_OK, "255-byte name accepted");
	ok(q.qname_len == 255 && q.qname_labels == 4, "  255 bytes, 4 labels");
}

/* Expect CTD_EMALF with the header kept. */
static void
malformed(const uint8_t *p, size_t n, bool question, const char *what)
{
	struct wire_query q;
	int rc = parse_exact(p, n, &q);
	ok(rc == CTD_EMALF && q.id == 0xbeef &&
	    (question ? q.qname_len > 0 : q.qname_len == 0),
	    "FORMERR: %s", what);
	if (rc != CTD_EMALF) {
		diag("rc %d", rc);
	}
}

static void
test_parse_bad(void)
{
	struct wire_query q;
	uint8_t p[600];
	size_t n;

	n = hand(p, 0, 1, 0, 0, 0, Q_STH, Q_STH_LEN);
	is_int(parse_exact(p, 0, &q), CTD_EINVAL, "empty packet dropped");
	is_int(parse_exact(p, 11, &q), CTD_EINVAL, "11 bytes dropped");
	is_int(parse_exact(p, 12, &q), CTD_EMALF, "header only: FORMERR");
	n = hand(p, WIRE_FLAG_QR, 1, 0, 0, 0, Q_STH, Q_STH_LEN);
	is_int(parse_exact(p, n, &q), CTD_EINVAL, "QR=1 dropped");
	n = hand(p, WIRE_FLAG_QR, 0, 0, 0, 0, "", 0);
	is_int(parse_exact(p, n, &q), CTD_EINVAL, "QR=1 header only dropped");

	n = hand(p, WIRE_FLAG_RD, 0, 0, 0, 0, "", 0);
	malformed(p, n, false, "QDCOUNT 0");
	parse_exact(p, n, &q);
	ok(q.rd && q.opcode == 0 && q.flags == WIRE_FLAG_RD,
	    "  FORMERR keeps flags and RD");
	n = hand(p, 0, 2, 0, 0, 0, Q_STH Q_STH, 2 * Q_STH_LEN);
	malformed(p, n, false, "QDCOUNT 2");
	n = hand(p, 0, 1, 0, 0, 0, "\x03sth\xc0\x0c\x00\x10\x00\x01", 10);
	malformed(p, n, false, "compression pointer in the question");
	n = hand(p, 0, 1, 0, 0, 0, "\xc0\x0c\x00\x10\x00\x01", 6);
	malformed(p, n, false, "question name is only a pointer");
	n = hand(p, 0, 1, 0, 0, 0, "\x43sth\x00\x00\x10\x00\x01", 9);
	malformed(p, n, false, "extended label type 0x40");
	n = hand(p, 0, 1, 0, 0, 0, "\x83sth\x00\x00\x10\x00\x01", 9);
	malformed(p, n, false, "label type 0x80");

	uint8_t b[300];
	b[0] = 64;
	memset(b + 1, 'a', 64);
	memcpy(b + 65, "\x00\x00\x10\x00\x01", 5);
	n = hand(p, 0, 1, 0, 0, 0, b, 70);
	malformed(p, n, false, "label of 64 bytes");
	size_t k = 0;
	for (int i = 0; i < 3; i++) {
		b[k++] = 63;
		memset(b + k, 'a', 63);
		k += 63;
	}
	b[k++] = 62;
	memset(b + k, 'z', 62);
	k += 62;
	memcpy(b + k, "\x00\x00\x10\x00\x01", 5);
	n = hand(p, 0, 1, 0, 0, 0, b, k + 5);
	malformed(p, n, false, "name of 256 bytes");

	/* Every truncation of a full EDNS query is FORMERR. */
	struct qopt o = { .name = "0.123456.999999.tree.log.example.",
	    .type = 16, .id = 0xbeef, .udp = 1232, .ecs = true };
	size_t len;
	uint8_t *w = build_query(&o, &len);
	int bad = 0;
	for (size_t cut = 12; cut < len; cut++) {
		if (parse_exact(w, cut, &q) != CTD_EMALF || q.id != 0xbeef) {
			bad++;
		}
	}
	is_int(bad, 0, "every one of %zu truncations is FORMERR", len - 12);
	is_int(parse_exact(w, len, &q), CTD_OK, "  the whole query parses");
	free(w);

	n = hand(p, 0, 1, 0, 0, 0, Q_STH "\x00", Q_STH_LEN + 1);
	malformed(p, n, true, "trailing byte after the question");
	n = hand(p, 0, 1, 0, 0, 1, Q_STH OPT_4096 "xy", Q_STH_LEN + 13);
	malformed(p, n, true, "trailing bytes after the OPT");
	n = hand(p, 0, 1, 0, 0, 2, Q_STH OPT_4096 OPT_4096,
	    Q_STH_LEN + 2 * OPT_LEN);
	malformed(p, n, true, "two OPT records");
	parse_exact(p, n, &q);
	ok(q.has_edns, "  has_edns set (the FORMERR carries an OPT)");
	n = hand(p, 0, 1, 1, 0, 0, Q_STH OPT_4096, Q_STH_LEN + OPT_LEN);
	malformed(p, n, true, "OPT in the answer section");
	n = hand(p, 0, 1, 0, 0, 1, Q_STH
	    "\x01x\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00",
	    Q_STH_LEN + 13);
	malformed(p, n, true, "OPT not owned by the root");
	n = hand(p, 0, 1, 0, 0, 1, Q_STH
	    "\xc0\x0c\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00",
	    Q_STH_LEN + 13);
	malformed(p, n, true, "OPT owned by a pointer");
	n = hand(p, 0, 1, 0, 0, 1, Q_STH
	    "\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x06"
	    "\x00\x08\x00\x07\x00\x01", Q_STH_LEN + 11 + 6);
	malformed(p, n, true, "EDNS option longer than the OPT rdata");
	n = hand(p, 0, 1, 0, 0, 1, Q_STH
	    "\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x03"
	    "\x00\x08\x00", Q_STH_LEN + 11 + 3);
	malformed(p, n, true, "EDNS option header cut short");
	n = hand(p, 0, 1, 0, 0, 1, Q_STH
	    "\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x08"
	    "\x00\x08\x00\x00", Q_STH_LEN + 11 + 4);
	malformed(p, n, true, "OPT rdata longer than the packet");
	n = hand(p, 0, 1, 0xffff, 0xffff, 0xffff, Q_STH, Q_STH_LEN);
	malformed(p, n, true, "counts of 65535 with no records");
	n = hand(p, 0, 1, 1, 0, 0, Q_STH
	    "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x05\x7f\x00\x00\x01",
	    Q_STH_LEN + 16);
	malformed(p, n, true, "answer rdlength past the end");
	n = hand(p, 0, 1, 1, 0, 0, Q_STH "\x03" "abc\x41", Q_STH_LEN + 5);
	malformed(p, n, true, "bad label type in an answer owner");
	n = hand(p, 0, 1, 1, 0, 0, Q_STH "\xc0", Q_STH_LEN + 1);
	malformed(p, n, true, "answer owner pointer cut short");

	/* EDNS version 1 parses; the answer will be BADVERS. */
	struct qopt v1 = { .name = "sth.log.", .type = 16, .id = 1,
	    .udp = 1232, .version = 1 };
	is_int(parse_built(&v1, &q), CTD_OK, "EDNS version 1 parses");
	ok(q.edns_version == 1 && wire_query_badvers(&q),
	    "  version 1, wire_query_badvers");
}

/* Random packets and mutations: defined outcomes, invariants hold. */
static void
test_parse_hostile(void)
{
	struct qopt o = { .name = "1.2.sth-consistency.log.example.",
	    .type = 16, .id = 0x4242, .udp = 4096, .ecs = true };
	size_t len;
	uint8_t *w = build_query(&o, &len);
	uint8_t p[600];
	struct wire_query q;
	int broken = 0, okcount = 0;

	for (int i = 0; i < 20000; i++) {
		size_t n;
		if (i % 2 == 0) {
			memcpy(p, w, len);
			n = len;
			int flips = 1 + (int)(rng() % 4);
			for (int f = 0; f < flips; f++) {
				p[rng() % len] = (uint8_t)rng();
			}
		} else {
			n = rng() % 80;
			for (size_t j = 0; j < n; j++) {
				p[j] = (uint8_t)rng();
			}
			if (n > 4) {
				p[2] &= 0x7f;	/* QR=0, mostly */
				p[4] = 0;
				p[5] = 1;
			}
		}
		int rc = parse_exact(p, n, &q);
		if (rc == CTD_OK) {
			okcount++;
		}
		if (rc != CTD_OK && rc != CTD_EMALF && rc != CTD_EINVAL) {
			broken++;
		} else if (q.qname_len > WIRE_MAX_NAME) {
			broken++;
		} else if (rc == CTD_OK && q.opcode == 0 &&
		    (q.qname_len == 0 || q.qname[q.qname_len - 1] != 0)) {
			broken++;
		}
	}
	is_int(broken, 0, "20000 hostile packets: defined outcomes");
	ok(okcount > 0, "  some mutations still parse (%d)", okcount);
	free(w);
}

/* Parse an answer back with ldns; caller frees with ldns_pkt_free(). */
static ldns_pkt *
reparse(const uint8_t *buf, size_t len)
{
	ldns_pkt *p = NULL;
	if (len == 0 || ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK) {
		return NULL;
	}
	return p;
}

static void
query_for(const char *name, uint16_t udp, bool dnssec_ok,
    struct wire_query *q)
{
	struct qopt o = { .name = name, .type = 16, .id = 0xabcd,
	    .rd = true, .cd = true, .udp = udp, .dnssec_ok = dnssec_ok };
	if (parse_built(&o, q) != CTD_OK) {
		abort();
	}
}

static void
test_answer_txt(void)
{
	struct wire_query q;
	struct wire_resp r;
	uint8_t buf[1500], text[300];
	size_t n;

	query_for("sTh.LoG.eXaMpLe.", 0, false, &q);
	for (size_t i = 0; i < sizeof text; i++) {
		text[i] = (uint8_t)(i * 7);
	}
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 3600, text, 300);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	ok(n > 0, "TXT answer built (%zu bytes)", n);
	is_mem(buf + 12, q.qname, q.qname_len,
	    "question copied byte for byte, case kept");
	ok(buf[12 + q.qname_len + 4] == 0xc0 &&
	    buf[12 + q.qname_len + 5] == 0x0c, "TXT owner is a pointer to 12");
	ldns_pkt *p = reparse(buf, n);
	ok(p != NULL, "ldns parses the answer");
	if (p == NULL) {
		return;
	}
	ok(ldns_pkt_id(p) == 0xabcd && ldns_pkt_qr(p) && ldns_pkt_aa(p) &&
	    ldns_pkt_rd(p) && ldns_pkt_cd(p) && !ldns_pkt_ra(p) &&
	    !ldns_pkt_tc(p) && ldns_pkt_get_opcode(p) == LDNS_PACKET_QUERY &&
	    ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR,
	    "header: id, QR, AA, RD, CD copied, RA 0, TC 0, NOERROR");
	ok(ldns_pkt_qdcount(p) == 1 && ldns_pkt_ancount(p) == 1 &&
	    ldns_pkt_nscount(p) == 0 && buf[11] == 0 && !ldns_pkt_edns(p),
	    "counts 1/1/0/0, no OPT without EDNS");
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	ok(ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT && ldns_rr_ttl(rr) == 3600
	    && ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN, "TXT IN 3600");
	ok(ldns_dname_compare(ldns_rr_owner(rr),
	    ldns_rr_list_rr(ldns_pkt_question(p), 0)->_owner) == 0,
	    "owner is the question name");
	is_int(ldns_rr_rd_count(rr), 2, "300 bytes: two character-strings");
	if (ldns_rr_rd_count(rr) == 2) {
		ldns_rdf *a = ldns_rr_rdf(rr, 0), *b = ldns_rr_rdf(rr, 1);
		ok(ldns_rdf_size(a) == 256 && ldns_rdf_data(a)[0] == 255,
		    "  first 255");
		ok(ldns_rdf_size(b) == 46 && ldns_rdf_data(b)[0] == 45,
		    "  second 45");
		is_mem(ldns_rdf_data(a) + 1, text, 255, "  first bytes");
		is_mem(ldns_rdf_data(b) + 1, text + 255, 45, "  second bytes");
	}
	ldns_pkt_free(p);

	/* 7 binary hashes: one string of 224 bytes, all byte values. */
	uint8_t proof[224];
	for (size_t i = 0; i < sizeof proof; i++) {
		proof[i] = (uint8_t)(255 - i);
	}
	proof[0] = 0;
	proof[1] = '"';
	proof[2] = '\\';
	proof[3] = '.';
	query_for("0.123456.999999.tree.log.example.", 1232, true, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 604800, proof, sizeof proof);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	p = reparse(buf, n);
	ok(p != NULL, "proof answer parses");
	if (p == NULL) {
		return;
	}
	rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	ok(rr != NULL && ldns_rr_rd_count(rr) == 1 &&
	    ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 225 &&
	    memcmp(ldns_rdf_data(ldns_rr_rdf(rr, 0)) + 1, proof, 224) == 0,
	    "7 x 32 binary bytes: one string, bytes intact");
	ok(ldns_pkt_edns(p) && ldns_pkt_edns_udp_size(p) == 1232 &&
	    ldns_pkt_edns_do(p) && ldns_pkt_edns_version(p) == 0 &&
	    ldns_pkt_edns_extended_rcode(p) == 0, "OPT: 1232, DO, version 0");
	is_mem(buf + n - 11, "\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00",
	    11, "OPT bytes: root, 41, 1232, DO, no options");
	ldns_pkt_free(p);

	/* Empty text: one empty character-string. */
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, NULL, 0);
	n = wire_resp_end(&r, &q, 65535);
	p = reparse(buf, n);
	rr = p ? ldns_rr_list_rr(ldns_pkt_answer(p), 0) : NULL;
	ok(rr != NULL && ldns_rr_rd_count(rr) == 1 &&
	    ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 1,
	    "empty text: one empty character-string");
	ldns_pkt_free(p);

	/* Exactly 255 and 510 bytes: 1 and 2 full strings, no empty tail. */
	uint8_t big[510];
	memset(big, 'x', sizeof big);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, big, 255);
	wire_resp_txt(&r, 60, big, 510);
	n = wire_resp_end(&r, &q, 65535);
	p = reparse(buf, n);
	ok(p != NULL && ldns_pkt_ancount(p) == 2 &&
	    ldns_rr_rd_count(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) == 1 &&
	    ldns_rr_rd_count(ldns_rr_list_rr(ldns_pkt_answer(p), 1)) == 2,
	    "255 bytes: 1 string; 510 bytes: 2 strings");
	ldns_pkt_free(p);
}

/* SOA rdata for log.example.: uncompressed names. */
static size_t
soa_rdata(uint8_t *out)
{
	static const uint8_t names[] = "\x03ns1\x03log\x07" "example\x00"
	    "\x0ahostmaster\x03log\x07" "example\x00";
	size_t n = sizeof names - 1;
	memcpy(out, names, n);
	static const uint8_t nums[20] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10,
	    0, 0, 0x03, 0x84, 0, 0x09, 0x3a, 0x80, 0, 0, 0, 0x3c };
	memcpy(out + n, nums, 20);
	return n + 20;
}

static void
test_answer_negative(void)
{
	struct wire_query q;
	struct wire_resp r;
	uint8_t buf[1500], soa[200];
	size_t soa_len = soa_rdata(soa);

	/* "9.8.7.TrEe.LoG.example." NXDOMAIN, SOA of LoG.example. */
	query_for("9.8.7.TrEe.LoG.example.", 0, false, &q);
	size_t apex = 2 + 2 + 2 + 5;	/* skip 9, 8, 7, TrEe */
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NXDOMAIN, true);
	wire_resp_rr(&r, WIRE_AUTHORITY, apex, WIRE_TYPE_SOA, 60, soa,
	    soa_len);
	size_t n = wire_resp_end(&r, &q, wire_udp_max(&q));
	ok(n > 0, "NXDOMAIN built");
	size_t at = 12 + q.qname_len + 4;
	ok(buf[at] == 0xc0 && buf[at + 1] == 12 + apex,
	    "SOA owner is a pointer to the apex inside the question");
	ldns_pkt *p = reparse(buf, n);
	ok(p != NULL && ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN &&
	    ldns_pkt_ancount(p) == 0 && ldns_pkt_nscount(p) == 1,
	    "NXDOMAIN, 0 answers, 1 authority");
	if (p != NULL) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
		ldns_rdf *want = ldns_dname_new_frm_str("log.example.");
		ok(rr != NULL && ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_dname_compare(ldns_rr_owner(rr), want) == 0 &&
		    ldns_rr_rd_count(rr) == 7,
		    "authority: SOA owned by log.example., 7 fields");
		ldns_rdf_deep_free(want);
		ldns_pkt_free(p);
	}

	/* Apex NS with glue: answer by pointer, additional by name. */
	query_for("log.example.", 1232, false, &q);
	static const uint8_t ns1[] = "\x03ns1\x03log\x07" "example";
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_rr(&r, WIRE_ANSWER, 0, WIRE_TYPE_NS, 3600, ns1, sizeof ns1);
	wire_resp_rr_named(&r, WIRE_ADDITIONAL, ns1, sizeof ns1, WIRE_TYPE_A,
	    3600, (const uint8_t *)"\xc0\x00\x02\x01", 4);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	p = reparse(buf, n);
	/* ldns counts the OPT out of ARCOUNT; the header has it. */
	ok(p != NULL && ldns_pkt_ancount(p) == 1 && ldns_pkt_arcount(p) == 1 &&
	    ldns_pkt_edns(p) && buf[11] == 2 && buf[9] == 0,
	    "NS + glue + OPT: counts 1/0/2");
	if (p != NULL) {
		ldns_rr *a = ldns_rr_list_rr(ldns_pkt_additional(p), 0);
		ok(a != NULL && ldns_rr_get_type(a) == LDNS_RR_TYPE_A &&
		    ldns_rdf_data(ldns_rr_rdf(a, 0))[0] == 0xc0,
		    "glue A record parsed back");
		ldns_pkt_free(p);
	}

	/* FORMERR to a query without a question. */
	uint8_t pkt[12] = { 0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 };
	is_int(wire_parse_query(pkt, 12, &q), CTD_EMALF, "QDCOUNT 0 query");
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_FORMERR, false);
	n = wire_resp_end(&r, &q, 512);
	is_int(n, 12, "FORMERR is a bare header");
	is_mem(buf, "\x12\x34\x81\x01\x00\x00\x00\x00\x00\x00\x00\x00", 12,
	    "  id, QR, RD, FORMERR, QDCOUNT 0");
}

static void
test_answer_edns(void)
{
	struct wire_query q;
	struct wire_resp r;
	uint8_t buf[1500];
	size_t n;
	ldns_pkt *p;

	/* BADVERS: the caller asks for it, or wire_resp_end forces it. */
	struct qopt v1 = { .name = "sth.log.", .type = 16, .id = 5,
	    .udp = 4096, .version = 1, .dnssec_ok = true };
	parse_built(&v1, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, (const uint8_t *)"hello", 5);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	p = reparse(buf, n);
	ok(p != NULL && ldns_pkt_get_rcode(p) == 0 &&
	    ldns_pkt_edns_extended_rcode(p) == 1 &&
	    ldns_pkt_edns_version(p) == 0 && ldns_pkt_ancount(p) == 0 &&
	    ldns_pkt_qdcount(p) == 1 && ldns_pkt_edns_do(p),
	    "EDNS version 1: BADVERS (rcode 0, ext 1), version 0, no answer");
	ldns_pkt_free(p);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_BADVERS, false);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	ok(n > 11 && (buf[3] & 0x0f) == 0 && buf[n - 11 + 5] == 1,
	    "rcode WIRE_RCODE_BADVERS: header 0, OPT ext-rcode 1");

	/* An extended rcode without EDNS cannot be said: SERVFAIL. */
	query_for("sth.log.", 0, false, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_BADVERS, false);
	n = wire_resp_end(&r, &q, 512);
	ok(n > 0 && (buf[3] & 0x0f) == WIRE_RCODE_SERVFAIL && buf[11] == 0,
	    "extended rcode without EDNS: SERVFAIL, no OPT");

	/* The ECS option of a query is never echoed. */
	struct qopt ecs = { .name = "sth.log.", .type = 16, .id = 6,
	    .udp = 1232, .ecs = true };
	parse_built(&ecs, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, (const uint8_t *)"x", 1);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	ok(n > 11 && buf[n - 2] == 0 && buf[n - 1] == 0 &&
	    buf[n - 11] == 0 && buf[n - 10] == 0 && buf[n - 9] == 41,
	    "ECS query: our OPT has no options");
	p = reparse(buf, n);
	ok(p != NULL && ldns_pkt_edns_data(p) == NULL,
	    "  ldns sees no EDNS data");
	ldns_pkt_free(p);
}

static void
test_answer_truncation(void)
{
	struct wire_query q;
	struct wire_resp r;
	uint8_t buf[1500], text[200];
	size_t n;
	ldns_pkt *p;

	memset(text, 'T', sizeof text);
	/* 3 x 200 bytes of TXT: over 512, under 1232. */
	query_for("sth.log.example.", 0, false, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	for (int i = 0; i < 3; i++) {
		wire_resp_txt(&r, 60, text, sizeof text);
	}
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	is_int(n, 12 + q.qname_len + 4, "no EDNS: truncated to the question");
	p = reparse(buf, n);
	ok(p != NULL && ldns_pkt_tc(p) && ldns_pkt_ancount(p) == 0 &&
	    buf[11] == 0 && !ldns_pkt_edns(p) && ldns_pkt_aa(p),
	    "  TC=1, no records, no OPT");
	ldns_pkt_free(p);

	query_for("sth.log.example.", 512, true, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	for (int i = 0; i < 3; i++) {
		wire_resp_txt(&r, 60, text, sizeof text);
	}
	wire_resp_rr(&r, WIRE_AUTHORITY, 4, WIRE_TYPE_NS, 60,
	    (const uint8_t *)"\x00", 1);
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	is_int(n, 12 + q.qname_len + 4 + 11, "EDNS 512: question + OPT");
	p = reparse(buf, n);
	ok(p != NULL && ldns_pkt_tc(p) && ldns_pkt_ancount(p) == 0 &&
	    ldns_pkt_nscount(p) == 0 && buf[11] == 1 &&
	    ldns_pkt_edns(p) && ldns_pkt_edns_do(p),
	    "  TC=1, records dropped, OPT kept with DO");
	ldns_pkt_free(p);

	query_for("sth.log.example.", 4096, false, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	for (int i = 0; i < 3; i++) {
		wire_resp_txt(&r, 60, text, sizeof text);
	}
	n = wire_resp_end(&r, &q, wire_udp_max(&q));
	p = reparse(buf, n);
	ok(p != NULL && !ldns_pkt_tc(p) && ldns_pkt_ancount(p) == 3,
	    "EDNS 4096 (max 1232): fits, TC=0, 3 answers");
	ldns_pkt_free(p);

	/* Exactly at the limit fits; one byte less truncates. */
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, text, sizeof text);
	size_t full = wire_resp_end(&r, &q, 65535);
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, text, sizeof text);
	is_int(wire_resp_end(&r, &q, full), full, "max_len = size: fits");
	ok((buf[2] & 0x02) == 0, "  TC clear");
	wire_resp_begin(&r, buf, sizeof buf, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, text, sizeof text);
	is_int(wire_resp_end(&r, &q, full - 1), 12 + q.qname_len + 4 + 11,
	    "max_len = size - 1: truncated");
	ok((buf[2] & 0x02) != 0, "  TC set");

	/* A buffer too small for the records: truncation, not failure. */
	uint8_t small[100];
	wire_resp_begin(&r, small, sizeof small, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, text, sizeof text);
	n = wire_resp_end(&r, &q, 65535);
	ok(n == 12 + q.qname_len + 4 + 11 && (small[2] & 0x02),
	    "buffer too small for the answer: TC, OPT kept");
	/* Too small even for the header, question and OPT: 0. */
	wire_resp_begin(&r, small, 40, &q, WIRE_RCODE_NOERROR, true);
	is_int(wire_resp_end(&r, &q, 65535), 0, "no room for question + OPT");
	wire_resp_begin(&r, small, 10, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, text, 1);
	is_int(wire_resp_end(&r, &q, 65535), 0, "no room for the header");
	/* A text no TXT record can hold: truncated. */
	static uint8_t huge[65535];
	uint8_t big[70000];
	wire_resp_begin(&r, big, sizeof big, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, huge, sizeof huge);
	n = wire_resp_end(&r, &q, 65535);
	ok(n == 12 + q.qname_len + 4 + 11 && (big[2] & 0x02),
	    "text over 65535 bytes of rdata: TC");
	/* A large text over TCP: 250 strings. */
	wire_resp_begin(&r, big, sizeof big, &q, WIRE_RCODE_NOERROR, true);
	wire_resp_txt(&r, 60, huge, 255 * 250);
	n = wire_resp_end(&r, &q, 65535);
	p = reparse(big, n);
	ok(p != NULL && !ldns_pkt_tc(p) &&
	    ldns_rr_rd_count(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) == 250,
	    "63750 bytes over TCP: 250 strings");
	ldns_pkt_free(p);
}

static void
test_answer_misuse(void)
{
	struct wire_query q;
	struct wire_resp r;
	uint8_t buf[600];

	query_for("a.bb.log.", 0, false, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_rr(&r, WIRE_AUTHORITY, 2, WIRE_TYPE_SOA, 60, NULL, 0);
	wire_resp_txt(&r, 60, (const uint8_t *)"x", 1);
	is_int(wire_resp_end(&r, &q, 512), 0, "answer after authority: 0");
	is_int(r.buf.err, CTD_EINVAL, "  CTD_EINVAL");
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_rr(&r, WIRE_AUTHORITY, 1, WIRE_TYPE_SOA, 60, NULL, 0);
	is_int(wire_resp_end(&r, &q, 512), 0, "owner_off inside a label: 0");
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_rr(&r, WIRE_AUTHORITY, 10, WIRE_TYPE_SOA, 60, NULL, 0);
	is_int(wire_resp_end(&r, &q, 512), 0, "owner_off past the name: 0");
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_rr(&r, WIRE_AUTHORITY, 5, WIRE_TYPE_SOA, 60, NULL, 0);
	ok(wire_resp_end(&r, &q, 512) > 0 && buf[12 + 10 + 4 + 1] == 12 + 5,
	    "owner_off at \"log\" label: pointer to 17");
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_rr_named(&r, WIRE_ADDITIONAL,
	    (const uint8_t *)"\x03" "abc", 4, WIRE_TYPE_A, 60, NULL, 0);
	is_int(wire_resp_end(&r, &q, 512), 0, "owner without root label: 0");
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_rr_named(&r, WIRE_ADDITIONAL,
	    (const uint8_t *)"\xc0\x0c", 2, WIRE_TYPE_A, 60, NULL, 0);
	is_int(wire_resp_end(&r, &q, 512), 0, "compressed owner refused: 0");

	/* No question: TXT has no owner to point to. */
	uint8_t pkt[12] = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	wire_parse_query(pkt, 12, &q);
	wire_resp_begin(&r, buf, sizeof buf, &q, 0, true);
	wire_resp_txt(&r, 60, (const uint8_t *)"x", 1);
	is_int(wire_resp_end(&r, &q, 512), 0, "TXT without a question: 0");
}

int
main(void)
{
	test_wbuf();
	test_parse_good();
	test_parse_bad();
	test_parse_hostile();
	test_answer_txt();
	test_answer_negative();
	test_answer_edns();
	test_answer_truncation();
	test_answer_misuse();
	return exit_status();
}
