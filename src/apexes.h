/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * apexes.h -- the apex names of the served zones, for finding the zone a
 * query name falls in at a cost that does not grow with the number of
 * zones.
 *
 * An open-addressing hash table (linear probing, at most half full) of
 * lower-case uncompressed wire names, each with a value (answer.c: the
 * log's index). apexes_find() hashes every label-aligned suffix of the
 * name in one pass from the end, then probes from the longest suffix down,
 * so the first hit is the longest apex that is a suffix: the zone closest
 * to the name, as a scan of every apex from the full name down would find.
 * A suffix whose length no apex has is not probed at all, and the hash
 * pass stops at the longest suffix whose length some apex has.
 *
 * Memory: apexes_init() sizes the table once for a number of names; adding
 * and finding never allocate, so a table built in advance (on another
 * thread, where a failed allocation harms nothing) can be switched in with
 * apexes_swap(). The names are borrowed: they must outlive the table or the
 * next apexes_clear(). Not thread-safe for writing; any number of threads
 * may find in a table nobody changes.
 *
 * Pure: no logging, no clock, no I/O.
 */
#ifndef CTD_APEXES_H
#define CTD_APEXES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest wire name (RFC 1035 section 2.3.4). */
#define APEXES_NAME_MAX 255

struct apex_slot {
	const uint8_t *name;	/* borrowed; NULL: the slot is empty */
	size_t value;
	uint32_t hash;
	uint16_t len;
};

struct apexes {
	struct apex_slot *slots;	/* mask + 1 of them, or NULL */
	size_t mask;
	size_t cap;		/* names it may hold */
	size_t count;		/* names it holds */
	/* Bit n set: some name is n bytes long. */
	uint64_t lens[(APEXES_NAME_MAX + 64) / 64];
};

/*
 * Prepare an empty table for up to cap names.
 * @param t: caller memory; on failure an empty table that finds nothing
 *	(apexes_deinit() is still allowed).
 * @param cap: names it must hold (0 is allowed).
 * @return: CTD_OK, or CTD_ENOMEM.
 */
int apexes_init(struct apexes *t, size_t cap);

/* Free the table's slots; the names are the caller's. */
void apexes_deinit(struct apexes *t);

/* Forget every name; the table keeps its size. Never allocates. */
void apexes_clear(struct apexes *t);

/*
 * Add a name. Never allocates.
 * @param name_lc: lower-case uncompressed wire name, 1 to 255 bytes
 *	(borrowed; valid until apexes_clear() or apexes_deinit()).
 * @param value: what apexes_find() returns for it.
 * @return: CTD_OK; CTD_EINVAL when len is 0 or over 255; CTD_ESPACE when
 *	the table holds cap names already; CTD_ERANGE when the name is in
 *	the table already (the first value stays).
 */
int apexes_add(struct apexes *t, const uint8_t *name_lc, size_t len,
    size_t value);

/*
 * The longest name of the table that is a label-aligned suffix of name.
 * Never allocates; costs one pass over name and at most one probe per
 * label, whatever the number of names in the table.
 * @param name_lc: lower-case uncompressed wire name as a wire parser
 *	checked it (labels that end exactly at its root label).
 * @param off: receives where the apex starts in name_lc.
 * @param value: receives the apex's value.
 * @return: true when found (off and value set), false otherwise.
 */
bool apexes_find(const struct apexes *t, const uint8_t *name_lc,
    size_t len, size_t *off, size_t *value);

/* Exchange two tables (their slots, names and values). */
void apexes_swap(struct apexes *a, struct apexes *b);

#endif /* CTD_APEXES_H */
