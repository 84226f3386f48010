/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zone.c -- zone files: the demo zone and a richer one load and every
 * accessor answers with the exact wire bytes; each rule has a bad file that
 * fails with its "file:line:" prefix.
 *
 * Runs from $top_srcdir (exported by make check; "." otherwise).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "zone.h"
#include "../tap.h"
#include "../badfile.h"

#define DIR "tests/data/zone/"
#define APEX "demo.ct.example."

enum { T_A = 1, T_NS = 2, T_SOA = 6, T_TXT = 16, T_AAAA = 28 };

/* Presentation name (absolute, plain labels) to wire; returns the length. */
static size_t
wire(const char *text, uint8_t *out)
{
	size_t n = 0;
	while (*text != '\0') {
		const char *dot = strchr(text, '.');
		size_t len = dot ? (size_t)(dot - text) : strlen(text);
		out[n++] = (uint8_t)len;
		memcpy(out + n, text, len);
		n += len;
		text += len + (dot ? 1 : 0);
	}
	out[n++] = 0;
	return n;
}

static bool
has_name(const struct zone *z, const char *text)
{
	uint8_t n[256];
	size_t len = wire(text, n);
	return zone_has_name(z, n, len);
}

static size_t
find(const struct zone *z, const char *text, uint16_t type,
    const struct zone_rr **out, size_t cap)
{
	uint8_t n[256];
	size_t len = wire(text, n);
	return zone_find(z, n, len, type, out, cap);
}

/* The rr's owner is text, in lower-case wire form. */
static bool
owner_is(const struct zone_rr *rr, const char *text)
{
	uint8_t n[256];
	size_t len = wire(text, n);
	return rr->owner_len == len && memcmp(rr->owner, n, len) == 0;
}

static void
test_demo(void)
{
	struct zone *z = NULL;
	char err[512];
	int rc = zone_load("zones/demo.ct.example.zone", APEX, &z, err,
	    sizeof(err));
	if (!is_int(rc, CTD_OK, "the demo zone loads")) {
		diag("  %s", err);
		exit(exit_status() | 1);
	}
	is_int(err[0], 0, "no message on success");
	is_int(zone_rr_count(z), 3, "SOA, NS, A");

	uint8_t apex[64];
	size_t apex_len = wire(APEX, apex), len = 0;
	const uint8_t *a = zone_apex(z, &len);
	ok(len == apex_len && memcmp(a, apex, len) == 0, "zone_apex");

	/* SOA rdata: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM. */
	uint8_t soa[128];
	size_t n = wire("ns1." APEX, soa);
	n += wire("hostmaster." APEX, soa + n);
	static const uint8_t times[20] = {
		0x78, 0xb3, 0x33, 0xb5,	/* 2025010101 */
		0x00, 0x00, 0x1c, 0x20,	/* 7200 */
		0x00, 0x00, 0x0e, 0x10,	/* 3600 */
		0x00, 0x12, 0x75, 0x00,	/* 1209600 */
		0x00, 0x00, 0x00, 0x3c,	/* 60 */
	};
	memcpy(soa + n, times, sizeof(times));
	n += sizeof(times);
	const struct zone_rr *s = zone_soa(z);
	ok(s != NULL && s->type == T_SOA, "zone_soa is an SOA");
	ok(owner_is(s, APEX), "SOA owned by the apex");
	is_int(s->ttl, 3600, "SOA TTL from $TTL");
	is_int(s->rdlen, n, "SOA rdata length");
	ok(s->rdlen == n && memcmp(s->rdata, soa, n) == 0,
	    "SOA rdata uncompressed wire");
	is_int(zone_soa_minimum(z), 60, "SOA minimum 60");

	const struct zone_rr *out[8];
	is_int(find(z, APEX, T_SOA, out, 8), 1, "find SOA at the apex");
	ok(out[0] == s, "find returns the same SOA");
	is_int(find(z, APEX, T_NS, out, 8), 1, "one NS at the apex");
	uint8_t ns1[64];
	size_t ns1_len = wire("ns1." APEX, ns1);
	ok(out[0]->rdlen == ns1_len &&
	    memcmp(out[0]->rdata, ns1, ns1_len) == 0, "NS rdata ns1");
	is_int(out[0]->ttl, 3600, "NS TTL");

	const struct zone_rr *glue[4];
	is_int(zone_glue(z, out[0], glue, 4), 1, "one glue record");
	ok(glue[0]->type == T_A && glue[0]->rdlen == 4 &&
	    memcmp(glue[0]->rdata, "\x7f\x00\x00\x01", 4) == 0 &&
	    owner_is(glue[0], "ns1." APEX), "glue A 127.0.0.1 at ns1");
	is_int(zone_glue(z, s, glue, 4), 0, "no glue for a non-NS record");
	is_int(zone_glue(z, out[0], glue, 0), 0, "glue with cap 0");

	is_int(find(z, APEX, ZONE_TYPE_ANY, out, 8), 2, "ANY at the apex");
	ok(out[0]->type == T_NS && out[1]->type == T_SOA,
	    "ANY: grouped by type");
	is_int(find(z, APEX, ZONE_TYPE_ANY, out, 1), 1, "ANY honours cap");
	is_int(find(z, APEX, T_TXT, out, 8), 0, "no TXT at the apex");
	is_int(find(z, "ns1." APEX, T_A, out, 8), 1, "A at ns1");
	is_int(find(z, "ns1." APEX, T_AAAA, out, 8), 0, "no AAAA at ns1");
	is_int(find(z, "sth." APEX, T_TXT, out, 8), 0, "nothing at sth");
	is_int(find(z, "ct.example.", T_SOA, out, 8), 0, "nothing above");

	ok(has_name(z, APEX), "apex exists");
	ok(has_name(z, "ns1." APEX), "ns1 exists");
	ok(!has_name(z, "ns2." APEX), "ns2 does not");
	ok(!has_name(z, "sth." APEX), "sth is not in the zone data");
	ok(!has_name(z, "ct.example."), "the parent is not in the zone");
	ok(!has_name(z, "x.ns1." APEX), "below a leaf is nothing");
	zone_free(z);
}

static void
test_full(void)
{
	struct zone *z = NULL;
	char err[512];
	int rc = zone_load(DIR "full.zone", "Demo.CT.example", &z, err,
	    sizeof(err));
	if (!is_int(rc, CTD_OK, "full.zone loads (apex in mixed case)")) {
		diag("  %s", err);
		exit(exit_status() | 1);
	}
	is_int(zone_rr_count(z), 9, "nine records");
	uint8_t apex[64];
	size_t apex_len = wire(APEX, apex), len = 0;
	const uint8_t *a = zone_apex(z, &len);
	ok(len == apex_len && memcmp(a, apex, len) == 0,
	    "zone_apex is lower case");
	is_int(zone_soa_minimum(z), 120, "SOA minimum 120");
	is_int(zone_soa(z)->ttl, 300, "SOA TTL explicit");

	const struct zone_rr *out[8], *glue[8];
	is_int(find(z, APEX, T_NS, out, 8), 2, "two NS");
	is_int(out[0]->ttl, 300, "NS without TTL takes the last explicit one");
	is_int(zone_glue(z, out[0], glue, 8), 3, "in-zone NS: A, A, AAAA");
	ok(glue[0]->type == T_A && glue[1]->type == T_A &&
	    glue[2]->type == T_AAAA, "glue: A records first, then AAAA");
	ok(memcmp(glue[0]->rdata, "\x7f\x00\x00\x01", 4) == 0 &&
	    memcmp(glue[1]->rdata, "\x7f\x00\x00\x02", 4) == 0,
	    "A records in file order");
	ok(owner_is(glue[0], "ns1." APEX), "upper-case owner lowered");
	is_int(glue[0]->ttl, 900, "TTL from $TTL");
	is_int(zone_glue(z, glue[0], glue, 8), 0, "glue of glue: none");
	is_int(zone_glue(z, out[1], glue, 8), 0,
	    "out-of-zone NS target: no glue");
	is_int(zone_glue(z, out[0], glue, 2), 2, "glue honours cap");

	is_int(find(z, APEX, T_TXT, out, 8), 1, "TXT at the apex");
	static const uint8_t txt[] = "\x0a" "ctdns demo" "\x03" "log";
	ok(out[0]->rdlen == sizeof(txt) - 1 &&
	    memcmp(out[0]->rdata, txt, sizeof(txt) - 1) == 0,
	    "TXT rdata: two character-strings");
	is_int(find(z, APEX, ZONE_TYPE_ANY, out, 8), 4, "ANY: NS NS SOA TXT");
	ok(out[0]->type == T_NS && out[1]->type == T_NS &&
	    out[2]->type == T_SOA && out[3]->type == T_TXT,
	    "ANY: sorted by type");
	/* The mixed-case MNAME stays as written in the rdata. */
	ok(zone_soa(z)->rdata[1] == 'N' && zone_soa(z)->rdata[2] == 'S',
	    "rdata names keep their case");

	is_int(find(z, "a.b.deep." APEX, T_TXT, out, 8), 1, "deep TXT");
	is_int(out[0]->ttl, 60, "deep TXT TTL");
	ok(has_name(z, "a.b.deep." APEX), "deep name exists");
	ok(has_name(z, "b.deep." APEX), "empty non-terminal b.deep");
	ok(has_name(z, "deep." APEX), "empty non-terminal deep");
	is_int(find(z, "deep." APEX, ZONE_TYPE_ANY, out, 8), 0,
	    "an empty non-terminal has no records");
	ok(!has_name(z, "c.b.deep." APEX), "sibling below does not exist");
	ok(!has_name(z, "b." APEX), "b alone does not exist");
	ok(has_name(z, "sths.deep." APEX), "sths.deep is allowed");
	zone_free(z);
}

static const struct bad bads[] = {
	{ "bad_no_type.zone", CTD_ECONF, 6, "no valid record type" },
	{ "bad_outside.zone", CTD_ECONF, 4,
	    "owner 'www.example.com.' is outside the zone" },
	{ "bad_origin.zone", CTD_ECONF, 4,
	    "$ORIGIN 'ct.example.' is outside the zone" },
	{ "bad_two_soa.zone", CTD_ECONF, 4,
	    "second SOA record (first at line 1)" },
	{ "bad_soa_below.zone", CTD_ECONF, 1, "SOA record below the apex" },
	{ "bad_no_soa.zone", CTD_ECONF, 0, "no SOA record at the apex" },
	{ "empty.zone", CTD_ECONF, 0, "no SOA record at the apex" },
	{ "bad_no_ns.zone", CTD_ECONF, 0, "no NS record at the apex" },
	{ "bad_sth.zone", CTD_ECONF, 4,
	    "owner 'sth.demo.ct.example.' is a CT query name" },
	{ "bad_hash.zone", CTD_ECONF, 4,
	    "owner 'x.y.HASH.demo.ct.example.' is a CT query name" },
	{ "bad_tree.zone", CTD_ECONF, 4,
	    "owner 'tree.demo.ct.example.' is a CT query name" },
	{ "bad_consistency.zone", CTD_ECONF, 4,
	    "owner 'Sth-Consistency.demo.ct.example.' is a CT query name" },
	{ "bad_syntax.zone", CTD_ECONF, 4, "Syntax error" },
	{ "bad_type.zone", CTD_ECONF, 4, "Syntax error" },
	{ "bad_wildcard.zone", CTD_ECONF, 4,
	    "owner '*.demo.ct.example.' is a wildcard" },
	{ "bad_ns_below.zone", CTD_ECONF, 4, "NS record below the apex" },
	{ "bad_dname.zone", CTD_ECONF, 4, "DNAME records are not supported" },
	{ "bad_cname_apex.zone", CTD_ECONF, 4, "CNAME record at the apex" },
	{ "bad_cname_other.zone", CTD_ECONF, 5,
	    "CNAME and other data at one name (line 4)" },
	{ "bad_class.zone", CTD_ECONF, 4, "class other than IN" },
	{ "bad_ttl.zone", CTD_ECONF, 4, "TTL 2147483648 is above 2147483647" },
	{ "bad_no_ttl.zone", CTD_ECONF, 2, "record without a TTL" },
	{ "bad_ttl_mismatch.zone", CTD_ECONF, 4,
	    "TTL 60 differs from TTL 3600 of the same RRset (line 3)" },
	{ "bad_dup.zone", CTD_ECONF, 4, "duplicate record (first at line 3)" },
	{ "bad_include.zone", CTD_ECONF, 4, "$INCLUDE is not supported" },
	{ "no-such.zone", CTD_EIO, 0,
	    "cannot open: No such file or directory" },
};

static void
check_bad(const struct bad *b)
{
	char path[256], err[512];
	struct zone *z = NULL;
	snprintf(path, sizeof(path), DIR "%s", b->file);
	memset(err, 'x', sizeof(err));
	int rc = zone_load(path, APEX, &z, err, sizeof(err));
	bad_check(b, path, rc, z == NULL, "zone", err, sizeof(err));
}

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		check_bad(&bads[i]);
	}
	struct zone *z = NULL;
	char err[128];
	/* The demo zone does not fit another apex. */
	is_int(zone_load("zones/demo.ct.example.zone", "other.example.", &z,
	    err, sizeof(err)), CTD_ECONF, "demo zone under another apex");
	ok(z == NULL && strncmp(err, "zones/demo.ct.example.zone:8: "
	    "$ORIGIN 'demo.ct.example.' is outside the zone", 70) == 0,
	    "the $ORIGIN line is named (%s)", err);
	is_int(zone_load("zones/demo.ct.example.zone", "bad..apex.", &z, err,
	    sizeof(err)), CTD_EINVAL, "a malformed apex: CTD_EINVAL");
	is_int(zone_load(DIR, APEX, &z, err, sizeof(err)), CTD_EIO,
	    "a directory opens but does not read: CTD_EIO");
	ok(z == NULL, "still no zone");
	is_int(zone_load(DIR "bad_sth.zone", APEX, &z, NULL, 0), CTD_ECONF,
	    "no error buffer: still CTD_ECONF");
}

int main(void);

int
main(void)
{
	const char *top = getenv("top_srcdir");
	if (top != NULL && chdir(top) != 0) {
		printf("Bail out! cannot chdir to %s\n", top);
		return 1;
	}
	test_demo();
	test_full();
	test_bad();
	zone_free(NULL);
	ok(1, "zone_free(NULL) is a no-op");
	return done_testing();
}
