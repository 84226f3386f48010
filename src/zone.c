/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zone.c -- the apex records of one served log, from its zone file.
 *
 * Loading reads the file record by record with ldns_rr_new_frm_fp_l() (the
 * loop ldns_zone_new_frm_fp_l() runs, kept here so each rule can name the
 * line of the record that breaks it and so a second SOA is an error rather
 * than silently dropped). Each record is checked as it arrives, then
 * rendered into one byte blob: lower-case owner, rdata. The records are
 * sorted by (owner, type, file order) and the set of existing names (owners
 * and the empty non-terminals above them) is sorted too, so lookups are
 * binary searches over immutable arrays and allocate nothing.
 *
 * Names are compared as byte strings of lower-case wire form ordered by
 * (length, bytes): any total order serves a binary search, and this one is
 * the cheapest to compute.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "err.h"
#include "zone.h"

/* RFC 2181 section 8: a TTL is an unsigned 31-bit number. */
#define TTL_MAX 2147483647u
/* Stands for "no TTL given and no default yet" while reading. */
#define TTL_UNSET UINT32_MAX
#define NAME_MAX_WIRE 255

struct zname {
	const uint8_t *name;
	size_t len;
};

struct zone {
	uint8_t apex[NAME_MAX_WIRE];
	size_t apex_len;
	struct zone_rr *rrs;	/* sorted by (owner, type, file order) */
	size_t rr_count;
	const struct zone_rr *soa;
	struct zname *names;	/* sorted, unique: owners and ENTs */
	size_t name_count;
	uint8_t *blob;		/* owners and rdata of every record */
};

/* One record while loading. */
struct pending {
	ldns_rr *rr;
	unsigned line;
	size_t order;		/* position in the file */
	size_t owner_off, owner_len, rdata_off, rdlen;
	const uint8_t *owner;	/* into the final blob, for sorting */
	uint16_t type;
	uint32_t ttl;
};

struct loader {
	const char *path;
	char *err;
	size_t err_len;
	struct zone *z;
	struct pending *recs;
	size_t count, cap;
	ldns_buffer *buf;	/* the blob being built */
	size_t soa_index;
	bool have_soa;
	uint32_t last_ttl;	/* TTL_UNSET until a record carried one */
};

static int
fail_at(struct loader *l, unsigned line, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write "path:line: message" (line 0: "path: message"). */
static int
fail_at(struct loader *l, unsigned line, int rc, const char *fmt, ...)
{
	if (l->err == NULL || l->err_len == 0) {
		return rc;
	}
	int n = line > 0 ?
	    snprintf(l->err, l->err_len, "%s:%u: ", l->path, line) :
	    snprintf(l->err, l->err_len, "%s: ", l->path);
	if (n >= 0 && (size_t)n < l->err_len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(l->err + n, l->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int
cmp_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen) {
		return alen < blen ? -1 : 1;
	}
	return memcmp(a, b, alen);
}

static void
lower_wire(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (name[i] >= 'A' && name[i] <= 'Z') {
			name[i] = (uint8_t)(name[i] - 'A' + 'a');
		}
	}
}

/*
 * Where the apex starts inside name (both lower-case wire), walking label
 * boundaries; -1 when name is not at or below the apex.
 */
static long
apex_offset(const uint8_t *name, size_t len, const uint8_t *apex,
    size_t apex_len)
{
	size_t pos = 0;
	while (pos < len) {
		if (len - pos == apex_len &&
		    memcmp(name + pos, apex, apex_len) == 0) {
			return (long)pos;
		}
		if (name[pos] == 0) {
			break;
		}
		pos += 1u + name[pos];
	}
	return -1;
}

/* The labels below the apex that the CT-over-DNS grammar answers itself. */
static bool
grammar_label(const uint8_t *label)
{
	static const char *const owned[] = {
		"sth", "hash", "tree", "sth-consistency",
	};
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		size_t n = strlen(owned[i]);
		if (label[0] == n && memcmp(label + 1, owned[i], n) == 0) {
			return true;
		}
	}
	return false;
}

/* The name in presentation form, for messages (caller frees). */
static char *
name_str(const ldns_rdf *name)
{
	char *s = ldns_rdf2str(name);
	return s ? s : strdup("?");
}

/*
 * The owner rules: at or below the apex, no wildcard, not in the grammar's
 * part of the tree. owner is lower-case wire.
 */
static int
check_owner(struct loader *l, unsigned line, const ldns_rdf *rdf,
    const uint8_t *owner, size_t len)
{
	const struct zone *z = l->z;
	long at = apex_offset(owner, len, z->apex, z->apex_len);
	const char *why = NULL;
	if (at < 0) {
		why = "is outside the zone";
	} else if (at > 0 && owner[0] == 1 && owner[1] == '*') {
		why = "is a wildcard (not supported)";
	} else if (at > 0) {
		/* The label right above the apex decides. */
		size_t pos = 0;
		while (pos + 1u + owner[pos] < (size_t)at) {
			pos += 1u + owner[pos];
		}
		if (grammar_label(owner + pos)) {
			why = "is a CT query name (sth, hash, tree and "
			    "sth-consistency belong to the server)";
		}
	}
	if (why == NULL) {
		return CTD_OK;
	}
	char *s = name_str(rdf);
	int rc = fail_at(l, line, CTD_ECONF, "owner '%s' %s", s, why);
	free(s);
	return rc;
}

/* The TTL rules; sets the record's TTL when it was left out. */
static int
check_ttl(struct loader *l, unsigned line, ldns_rr *rr)
{
	uint32_t ttl = ldns_rr_ttl(rr);
	if (ttl == TTL_UNSET) {
		if (l->last_ttl == TTL_UNSET) {
			return fail_at(l, line, CTD_ECONF,
			    "record without a TTL and no $TTL or earlier TTL "
			    "to take it from");
		}
		ttl = l->last_ttl;
		ldns_rr_set_ttl(rr, ttl);
	}
	if (ttl > TTL_MAX) {
		return fail_at(l, line, CTD_ECONF,
		    "TTL %u is above 2147483647 (RFC 2181 section 8)", ttl);
	}
	l->last_ttl = ttl;
	return CTD_OK;
}

/* The type rules, for a record at an owner (at_apex when it is the apex). */
static int
check_type(struct loader *l, unsigned line, ldns_rr *rr, bool at_apex)
{
	/* ldns reads "name word" as a record of type 0 with no data: a
	 * typo there must not load silently. */
	if (ldns_rr_get_type(rr) == 0) {
		return fail_at(l, line, CTD_ECONF, "no valid record type");
	}
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_SOA:
		if (!at_apex) {
			return fail_at(l, line, CTD_ECONF,
			    "SOA record below the apex");
		}
		if (l->have_soa) {
			return fail_at(l, line, CTD_ECONF,
			    "second SOA record (first at line %u)",
			    l->recs[l->soa_index].line);
		}
		if (ldns_rr_rd_count(rr) != 7) {
			return fail_at(l, line, CTD_ECONF, "bad SOA record");
		}
		break;
	case LDNS_RR_TYPE_NS:
		if (!at_apex) {
			return fail_at(l, line, CTD_ECONF,
			    "NS record below the apex (delegations are not "
			    "supported)");
		}
		break;
	case LDNS_RR_TYPE_DNAME:
		return fail_at(l, line, CTD_ECONF,
		    "DNAME records are not supported");
	case LDNS_RR_TYPE_CNAME:
		if (at_apex) {
			return fail_at(l, line, CTD_ECONF,
			    "CNAME record at the apex");
		}
		break;
	default:
		break;
	}
	return CTD_OK;
}

/* Render the record into the blob and remember it; takes ownership. */
static int
add_record(struct loader *l, ldns_rr *rr, unsigned line)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct pending *n = realloc(l->recs, cap * sizeof(*n));
		if (n == NULL) {
			ldns_rr_free(rr);
			return fail_at(l, 0, CTD_ENOMEM, "out of memory");
		}
		l->recs = n;
		l->cap = cap;
	}
	struct pending *p = &l->recs[l->count];
	*p = (struct pending){
		.rr = rr, .line = line, .order = l->count,
		.type = (uint16_t)ldns_rr_get_type(rr),
		.ttl = ldns_rr_ttl(rr),
	};
	l->count++;
	const ldns_rdf *owner = ldns_rr_owner(rr);
	p->owner_off = ldns_buffer_position(l->buf);
	p->owner_len = ldns_rdf_size(owner);
	ldns_buffer_write(l->buf, ldns_rdf_data(owner), p->owner_len);
	p->rdata_off = ldns_buffer_position(l->buf);
	if (ldns_rr_rdata2buffer_wire(l->buf, rr) != LDNS_STATUS_OK ||
	    !ldns_buffer_status_ok(l->buf)) {
		return fail_at(l, 0, CTD_ENOMEM, "out of memory");
	}
	p->rdlen = ldns_buffer_position(l->buf) - p->rdata_off;
	if (p->rdlen > 65535) {
		return fail_at(l, line, CTD_ECONF, "rdata longer than 65535");
	}
	lower_wire(ldns_buffer_at(l->buf, p->owner_off), p->owner_len);
	return CTD_OK;
}

/* Check one parsed record and keep it; takes ownership of rr. */
static int
take_record(struct loader *l, ldns_rr *rr, unsigned line)
{
	uint8_t owner[NAME_MAX_WIRE];
	const ldns_rdf *rdf = ldns_rr_owner(rr);
	size_t len = ldns_rdf_size(rdf);
	int rc;
	if (len > sizeof(owner)) {
		rc = fail_at(l, line, CTD_ECONF, "owner name too long");
		goto bad;
	}
	memcpy(owner, ldns_rdf_data(rdf), len);
	lower_wire(owner, len);
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		rc = fail_at(l, line, CTD_ECONF, "class other than IN");
		goto bad;
	}
	bool at_apex = cmp_name(owner, len, l->z->apex, l->z->apex_len) == 0;
	if ((rc = check_owner(l, line, rdf, owner, len)) != CTD_OK ||
	    (rc = check_ttl(l, line, rr)) != CTD_OK ||
	    (rc = check_type(l, line, rr, at_apex)) != CTD_OK) {
		goto bad;
	}
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
		l->have_soa = true;
		l->soa_index = l->count;
	}
	return add_record(l, rr, line);
bad:
	ldns_rr_free(rr);
	return rc;
}

/* $ORIGIN must stay inside the zone. */
static int
check_origin(struct loader *l, unsigned line, const ldns_rdf *origin)
{
	uint8_t name[NAME_MAX_WIRE];
	size_t len = ldns_rdf_size(origin);
	if (len <= sizeof(name)) {
		memcpy(name, ldns_rdf_data(origin), len);
		lower_wire(name, len);
		if (apex_offset(name, len, l->z->apex, l->z->apex_len) >= 0) {
			return CTD_OK;
		}
	}
	char *s = name_str(origin);
	int rc = fail_at(l, line, CTD_ECONF,
	    "$ORIGIN '%s' is outside the zone", s);
	free(s);
	return rc;
}

/* Read every record of the file. */
static int
read_records(struct loader *l, FILE *fp, ldns_rdf *apex)
{
	ldns_rdf *origin = ldns_rdf_clone(apex);
	ldns_rdf *prev = ldns_rdf_clone(apex);
	uint32_t default_ttl = TTL_UNSET;
	int line = 0, rc = CTD_OK;
	if (origin == NULL || prev == NULL) {
		rc = fail_at(l, 0, CTD_ENOMEM, "out of memory");
		goto out;
	}
	while (rc == CTD_OK && !feof(fp) && !ferror(fp)) {
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &default_ttl,
		    &origin, &prev, &line);
		unsigned at = line > 0 ? (unsigned)line : 1;
		switch (s) {
		case LDNS_STATUS_OK:
			rc = take_record(l, rr, at);
			break;
		case LDNS_STATUS_SYNTAX_EMPTY:
		case LDNS_STATUS_SYNTAX_TTL:
			break;
		case LDNS_STATUS_SYNTAX_ORIGIN:
			rc = check_origin(l, at, origin);
			break;
		case LDNS_STATUS_SYNTAX_INCLUDE:
			rc = fail_at(l, at, CTD_ECONF,
			    "$INCLUDE is not supported");
			break;
		case LDNS_STATUS_MEM_ERR:
			rc = fail_at(l, at, CTD_ENOMEM, "out of memory");
			break;
		default:
			rc = fail_at(l, at, CTD_ECONF, "%s",
			    ldns_get_errorstr_by_id(s));
			break;
		}
	}
out:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* qsort over pending records, once their owner pointers are set. */
static int
cmp_pending(const void *va, const void *vb)
{
	const struct pending *a = va, *b = vb;
	int c = cmp_name(a->owner, a->owner_len, b->owner, b->owner_len);
	if (c != 0) {
		return c;
	}
	if (a->type != b->type) {
		return a->type < b->type ? -1 : 1;
	}
	return a->order < b->order ? -1 : a->order > b->order;
}

static int
cmp_zname(const void *va, const void *vb)
{
	const struct zname *a = va, *b = vb;
	return cmp_name(a->name, a->len, b->name, b->len);
}

/*
 * Rules across records, on the sorted list: one TTL per RRset, no
 * duplicate record, CNAME alone at its name, NS at the apex.
 */
static int
check_sets(struct loader *l, const uint8_t *blob)
{
	const struct zone *z = l->z;
	bool ns = false;
	for (size_t i = 0; i < l->count; i++) {
		const struct pending *a = &l->recs[i];
		const uint8_t *owner = blob + a->owner_off;
		if (a->type == LDNS_RR_TYPE_NS &&
		    cmp_name(owner, a->owner_len, z->apex, z->apex_len) == 0) {
			ns = true;
		}
		for (size_t j = i + 1; j < l->count; j++) {
			const struct pending *b = &l->recs[j];
			if (cmp_name(owner, a->owner_len, blob + b->owner_off,
			    b->owner_len) != 0) {
				break;
			}
			const struct pending *late = a->order > b->order ?
			    a : b;
			if (a->type == LDNS_RR_TYPE_CNAME ||
			    b->type == LDNS_RR_TYPE_CNAME) {
				return fail_at(l, late->line, CTD_ECONF,
				    "CNAME and other data at one name (line "
				    "%u)", late == a ? b->line : a->line);
			}
			if (a->type != b->type) {
				continue;
			}
			if (a->ttl != b->ttl) {
				return fail_at(l, late->line, CTD_ECONF,
				    "TTL %u differs from TTL %u of the same "
				    "RRset (line %u)", late->ttl,
				    late == a ? b->ttl : a->ttl,
				    late == a ? b->line : a->line);
			}
			if (a->rdlen == b->rdlen && memcmp(blob + a->rdata_off,
			    blob + b->rdata_off, a->rdlen) == 0) {
				return fail_at(l, late->line, CTD_ECONF,
				    "duplicate record (first at line %u)",
				    late == a ? b->line : a->line);
			}
		}
	}
	if (!l->have_soa) {
		return fail_at(l, 0, CTD_ECONF, "no SOA record at the apex");
	}
	if (!ns) {
		return fail_at(l, 0, CTD_ECONF, "no NS record at the apex");
	}
	return CTD_OK;
}

/* Every owner and every name between it and the apex, sorted, unique. */
static int
build_names(struct loader *l)
{
	struct zone *z = l->z;
	size_t cap = 0;
	for (size_t i = 0; i < z->rr_count; i++) {
		const struct zone_rr *rr = &z->rrs[i];
		size_t labels = 1;
		for (size_t pos = 0; rr->owner[pos] != 0;
		    pos += 1u + rr->owner[pos]) {
			labels++;
		}
		cap += labels;
	}
	z->names = malloc((cap ? cap : 1) * sizeof(*z->names));
	if (z->names == NULL) {
		return fail_at(l, 0, CTD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < z->rr_count; i++) {
		const struct zone_rr *rr = &z->rrs[i];
		const uint8_t *n = rr->owner;
		size_t len = rr->owner_len;
		/* Owners all end in the apex (checked on load). */
		while (len >= z->apex_len) {
			z->names[z->name_count++] = (struct zname){ n, len };
			if (len == z->apex_len) {
				break;
			}
			len -= 1u + n[0];
			n += 1u + n[0];
		}
	}
	qsort(z->names, z->name_count, sizeof(*z->names), cmp_zname);
	size_t out = 0;
	for (size_t i = 0; i < z->name_count; i++) {
		if (out == 0 || cmp_zname(&z->names[out - 1],
		    &z->names[i]) != 0) {
			z->names[out++] = z->names[i];
		}
	}
	z->name_count = out;
	return CTD_OK;
}

/* Sort, check the sets, and move the records into the zone. */
static int
finish(struct loader *l)
{
	struct zone *z = l->z;
	size_t size = ldns_buffer_position(l->buf);
	z->blob = malloc(size ? size : 1);
	if (z->blob == NULL) {
		return fail_at(l, 0, CTD_ENOMEM, "out of memory");
	}
	memcpy(z->blob, ldns_buffer_begin(l->buf), size);
	for (size_t i = 0; i < l->count; i++) {
		l->recs[i].owner = z->blob + l->recs[i].owner_off;
	}
	if (l->count > 0) {
		/* recs is NULL for an empty file: qsort() wants a pointer. */
		qsort(l->recs, l->count, sizeof(*l->recs), cmp_pending);
	}
	int rc = check_sets(l, z->blob);
	if (rc != CTD_OK) {
		return rc;
	}
	z->rrs = calloc(l->count, sizeof(*z->rrs));
	if (z->rrs == NULL) {
		return fail_at(l, 0, CTD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < l->count; i++) {
		const struct pending *p = &l->recs[i];
		z->rrs[i] = (struct zone_rr){
			.owner = z->blob + p->owner_off,
			.owner_len = p->owner_len,
			.type = p->type,
			.ttl = p->ttl,
			.rdata = z->blob + p->rdata_off,
			.rdlen = p->rdlen,
		};
		if (p->type == LDNS_RR_TYPE_SOA) {
			z->soa = &z->rrs[i];
		}
	}
	z->rr_count = l->count;
	return build_names(l);
}

int
zone_load(const char *path, const char *apex, struct zone **out,
    char *err, size_t err_len)
{
	struct loader l = {
		.path = path, .err = err, .err_len = err_len,
		.last_ttl = TTL_UNSET,
	};
	ldns_rdf *apex_rdf = NULL;
	FILE *fp = NULL;
	int rc = CTD_OK;
	if (err != NULL && err_len > 0) {
		err[0] = '\0';
	}
	apex_rdf = ldns_dname_new_frm_str(apex);
	if (apex_rdf == NULL || ldns_rdf_size(apex_rdf) > NAME_MAX_WIRE) {
		rc = fail_at(&l, 0, CTD_EINVAL, "bad zone name '%s'", apex);
		goto out;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = fail_at(&l, 0, CTD_EIO, "cannot open: %s",
		    strerror(errno));
		goto out;
	}
	l.z = calloc(1, sizeof(*l.z));
	l.buf = ldns_buffer_new(1024);
	if (l.z == NULL || l.buf == NULL) {
		rc = fail_at(&l, 0, CTD_ENOMEM, "out of memory");
		goto out;
	}
	l.z->apex_len = ldns_rdf_size(apex_rdf);
	memcpy(l.z->apex, ldns_rdf_data(apex_rdf), l.z->apex_len);
	lower_wire(l.z->apex, l.z->apex_len);
	rc = read_records(&l, fp, apex_rdf);
	if (rc == CTD_OK && ferror(fp)) {
		rc = fail_at(&l, 0, CTD_EIO, "read error");
	}
	if (rc == CTD_OK) {
		rc = finish(&l);
	}
out:
	for (size_t i = 0; i < l.count; i++) {
		ldns_rr_free(l.recs[i].rr);
	}
	free(l.recs);
	ldns_buffer_free(l.buf);
	if (rc == CTD_OK) {
		*out = l.z;
	} else {
		zone_free(l.z);
	}
	if (fp != NULL) {
		fclose(fp);
	}
	ldns_rdf_deep_free(apex_rdf);
	return rc;
}

void
zone_free(struct zone *z)
{
	if (z == NULL) {
		return;
	}
	free(z->rrs);
	free(z->names);
	free(z->blob);
	free(z);
}

const uint8_t *
zone_apex(const struct zone *z, size_t *len)
{
	*len = z->apex_len;
	return z->apex;
}

const struct zone_rr *
zone_soa(const struct zone *z)
{
	return z->soa;
}

uint32_t
zone_soa_minimum(const struct zone *z)
{
	/* MINIMUM is the last of the SOA's five 32-bit fields (RFC 1035
	 * section 3.3.13); the loader checked the record's shape. */
	const uint8_t *p = z->soa->rdata + z->soa->rdlen - 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Index of the first record >= (name, type). */
static size_t
lower_bound(const struct zone *z, const uint8_t *name, size_t len,
    uint16_t type)
{
	size_t lo = 0, hi = z->rr_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct zone_rr *rr = &z->rrs[mid];
		int c = cmp_name(rr->owner, rr->owner_len, name, len);
		if (c < 0 || (c == 0 && rr->type < type)) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

size_t
zone_find(const struct zone *z, const uint8_t *name_lc, size_t name_len,
    uint16_t type, const struct zone_rr **out, size_t cap)
{
	bool any = type == ZONE_TYPE_ANY;
	size_t n = 0;
	for (size_t i = lower_bound(z, name_lc, name_len, any ? 0 : type);
	    i < z->rr_count && n < cap; i++) {
		const struct zone_rr *rr = &z->rrs[i];
		if (cmp_name(rr->owner, rr->owner_len, name_lc,
		    name_len) != 0 || (!any && rr->type != type)) {
			break;
		}
		out[n++] = rr;
	}
	return n;
}

bool
zone_has_name(const struct zone *z, const uint8_t *name_lc,
    size_t name_len)
{
	struct zname key = { name_lc, name_len };
	return bsearch(&key, z->names, z->name_count, sizeof(*z->names),
	    cmp_zname) != NULL;
}

size_t
zone_glue(const struct zone *z, const struct zone_rr *ns,
    const struct zone_rr **out, size_t cap)
{
	uint8_t target[NAME_MAX_WIRE];
	if (ns->type != LDNS_RR_TYPE_NS || ns->rdlen > sizeof(target)) {
		return 0;
	}
	memcpy(target, ns->rdata, ns->rdlen);
	lower_wire(target, ns->rdlen);
	if (apex_offset(target, ns->rdlen, z->apex, z->apex_len) < 0) {
		return 0;
	}
	size_t n = zone_find(z, target, ns->rdlen, LDNS_RR_TYPE_A, out, cap);
	return n + zone_find(z, target, ns->rdlen, LDNS_RR_TYPE_AAAA,
	    out + n, cap - n);
}

size_t
zone_rr_count(const struct zone *z)
{
	return z->rr_count;
}
