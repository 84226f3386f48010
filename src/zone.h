/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zone.h -- the apex records of one served log, from its zone file.
 *
 * zone_load() reads a master file with ldns, checks it against the rules
 * below, and pre-renders every record into uncompressed wire form so the
 * query path only copies bytes: owner names in lower case, rdata exactly as
 * ldns renders it (RFC 1035 wire, no compression), grouped by owner and
 * type. A loaded zone is immutable: any number of threads may read it.
 *
 * Rules (each failure names the file and, where there is one, the line):
 * - every owner name, and every $ORIGIN, lies at or below the apex;
 * - exactly one SOA, at the apex; at least one NS at the apex;
 * - nothing at or below the names the CT-over-DNS grammar owns: sth,
 *   hash, tree and sth-consistency under the apex;
 * - class IN only; no wildcards (owner "*"), no DNAME, no NS below the apex
 *   (ctdnsd does not refer), no CNAME at the apex or next to other data;
 *   no $INCLUDE; TTLs at most 2^31-1 (RFC 2181 section 8).
 * Other names below the apex (glue for in-zone NS targets, anything that
 * does not collide with the grammar) are served as written.
 *
 * TTLs: a record without one takes the last $TTL, else the last TTL written
 * explicitly before it (RFC 1035 section 5.1); with neither it is an error.
 * Line numbers are those ldns reports: the line where the record ends.
 *
 * Not pure: zone_load() reads the file. It never logs.
 */
#ifndef CTD_ZONE_H
#define CTD_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A record ready for the wire. All pointers are borrowed from the zone and
 * valid until zone_free(). */
struct zone_rr {
	const uint8_t *owner;	/* lower-case uncompressed wire name */
	size_t owner_len;
	uint16_t type;		/* host order */
	uint32_t ttl;
	const uint8_t *rdata;	/* uncompressed wire rdata */
	size_t rdlen;
};

struct zone;

/* The qtype that asks for every type at a name. */
#define ZONE_TYPE_ANY 255

/*
 * Load and check a zone file.
 * @param path: the zone file; messages name it as given.
 * @param apex: the zone's name, absolute ("demo.ct.example."); relative
 *	owner names in the file are taken relative to it.
 * @param out: on success the zone (caller frees with zone_free());
 *	untouched on failure.
 * @param err: receives "file:line: what is wrong" (or "file: ..." when no
 *	line applies); may be NULL when err_len is 0.
 * @param err_len: size of err.
 * @return: CTD_OK; CTD_EIO when the file cannot be opened; CTD_EINVAL when
 *	apex is not a domain name; CTD_ECONF when the file does not parse or
 *	breaks a rule; CTD_ENOMEM.
 */
int zone_load(const char *path, const char *apex, struct zone **out,
    char *err, size_t err_len);

/* zone_free(NULL) is a no-op. */
void zone_free(struct zone *z);

/*
 * The apex name.
 * @param len: receives the length of the name.
 * @return: lower-case uncompressed wire name (borrowed; valid until
 *	zone_free()).
 */
const uint8_t *zone_apex(const struct zone *z, size_t *len);

/* The SOA record (borrowed; valid until zone_free()); never NULL. */
const struct zone_rr *zone_soa(const struct zone *z);

/* The SOA MINIMUM field (RFC 2308: the negative caching TTL bound). */
uint32_t zone_soa_minimum(const struct zone *z);

/*
 * Records at a name and type.
 * @param name_lc: lower-case uncompressed wire name (compared bytewise).
 * @param type: the type, or ZONE_TYPE_ANY for every type at the name.
 * @param out: receives up to cap pointers (borrowed; valid until
 *	zone_free()), in the file's order within one type.
 * @return: the number of pointers written (0: none, or cap was 0).
 */
size_t zone_find(const struct zone *z, const uint8_t *name_lc,
    size_t name_len, uint16_t type, const struct zone_rr **out, size_t cap);

/*
 * Whether the name exists in the zone: some record is owned by it, or it
 * is an empty non-terminal above such a name (the apex always exists).
 * @param name_lc: lower-case uncompressed wire name.
 */
bool zone_has_name(const struct zone *z, const uint8_t *name_lc,
    size_t name_len);

/*
 * The glue of an NS record: the A then AAAA records at its target, when the
 * target lies in the zone.
 * @param ns: an NS record of this zone (another type gives 0).
 * @param out: receives up to cap pointers (borrowed; valid until
 *	zone_free()).
 * @return: the number of pointers written.
 */
size_t zone_glue(const struct zone *z, const struct zone_rr *ns,
    const struct zone_rr **out, size_t cap);

/* The number of records (SOA included), for statistics and tests. */
size_t zone_rr_count(const struct zone *z);

#endif /* CTD_ZONE_H */
