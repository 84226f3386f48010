/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_apexes.c -- the table of zone apexes: the longest apex that is a
 * label-aligned suffix wins (nested zones too), names from the wire parser
 * find their zone whatever their case, non-matches find nothing, 50 and 64
 * zones each find their own, a full table refuses more, and random names
 * against random (often nested) apexes agree with a scan of every apex.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apexes.h"
#include "err.h"
#include "wire.h"
#include "../tap.h"

/* Presentation name (absolute, plain labels; "." is the root) to wire;
 * returns the length. */
static size_t
wire(const char *text, uint8_t *out)
{
	size_t n = 0;
	while (*text != '\0' && strcmp(text, ".") != 0) {
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

/* Names added to tables below live here: the table borrows them. */
static uint8_t names[128][256];
static size_t name_lens[128];

static int
add(struct apexes *t, size_t slot, const char *text, size_t value)
{
	name_lens[slot] = wire(text, names[slot]);
	return apexes_add(t, names[slot], name_lens[slot], value);
}

/* find(text): the value found, -1 when none; *off where the apex starts. */
static long
find(const struct apexes *t, const char *text, size_t *off)
{
	uint8_t n[256];
	size_t len = wire(text, n), value = 0;
	*off = 999;
	return apexes_find(t, n, len, off, &value) ? (long)value : -1;
}

static void
test_basics(void)
{
	struct apexes t;
	size_t off;
	is_int(apexes_init(&t, 0), CTD_OK, "a table for no names");
	is_int(find(&t, "sth.ct.example.", &off), -1, "empty: finds nothing");
	is_int(add(&t, 0, "ct.example.", 1), CTD_ESPACE,
	    "no room in a table for no names");
	apexes_deinit(&t);

	is_int(apexes_init(&t, 1), CTD_OK, "a table for one name");
	is_int(add(&t, 0, "demo.ct.example.", 7), CTD_OK, "add one apex");
	is_int(find(&t, "demo.ct.example.", &off), 7, "the apex itself");
	is_int(off, 0, "  starts at 0");
	is_int(find(&t, "0.5.10.tree.demo.ct.example.", &off), 7,
	    "a name below the apex");
	is_int(off, 12, "  the apex starts after 0.5.10.tree.");
	is_int(find(&t, "ct.example.", &off), -1, "the parent: no match");
	is_int(find(&t, "xdemo.ct.example.", &off), -1,
	    "a longer first label: no match (label-aligned only)");
	is_int(find(&t, "demo.ct.example.com.", &off), -1,
	    "apex inside the name, not a suffix: no match");
	is_int(find(&t, ".", &off), -1, "the root: no match");
	is_int(find(&t, "DEMO.ct.example.", &off), -1,
	    "the table compares bytes: upper case is the caller's to fold");
	is_int(add(&t, 1, "other.example.", 8), CTD_ESPACE, "full");
	apexes_deinit(&t);
}

/* Case: the wire parser folds the qname; its qname_lc finds the zone. */
static void
test_case(void)
{
	static const uint8_t query[] = {
		0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'S', 't', 'H', 4, 'D', 'e', 'm', 'O', 2, 'C', 't',
		7, 'e', 'X', 'A', 'M', 'P', 'L', 'E', 0, 0, 16, 0, 1,
	};
	struct wire_query q;
	struct apexes t;
	size_t off = 999, value = 999;
	apexes_init(&t, 2);
	add(&t, 0, "demo.ct.example.", 3);
	add(&t, 1, "other.example.", 4);
	is_int(wire_parse_query(query, sizeof query, &q), CTD_OK,
	    "a query for StH.DemO.Ct.eXAMPLE. parses");
	ok(apexes_find(&t, q.qname_lc, q.qname_len, &off, &value),
	    "its folded name finds a zone");
	is_int(value, 3, "  demo.ct.example.");
	is_int(off, 4, "  after sth.");
	apexes_deinit(&t);
}

static void
test_nested(void)
{
	struct apexes t;
	size_t off;
	/* The inner zone first in one table, last in the other: the order
	 * of adding does not matter, the longest suffix wins. */
	for (int order = 0; order < 2; order++) {
		apexes_init(&t, 3);
		add(&t, 0, order ? "a.ct.example." : "ct.example.",
		    order ? 2 : 1);
		add(&t, 1, order ? "ct.example." : "a.ct.example.",
		    order ? 1 : 2);
		add(&t, 2, "b.a.ct.example.", 3);
		diag("nested zones, inner one added %s", order ? "first" :
		    "last");
		is_int(find(&t, "x.a.ct.example.", &off), 2,
		    "below a.ct.example.: the inner zone");
		is_int(off, 2, "  apex after x.");
		is_int(find(&t, "a.ct.example.", &off), 2,
		    "a.ct.example. itself: its own zone");
		is_int(off, 0, "  at 0");
		is_int(find(&t, "x.ct.example.", &off), 1,
		    "beside it: the outer zone");
		is_int(find(&t, "a.b.ct.example.", &off), 1,
		    "b.ct.example. is not b.a.ct.example.: the outer zone");
		is_int(find(&t, "sth.b.a.ct.example.", &off), 3,
		    "three deep: the innermost");
		is_int(off, 4, "  apex after sth.");
		is_int(find(&t, "example.", &off), -1, "above all: none");
		apexes_deinit(&t);
	}
}

/* n zones of various lengths; each finds its own; a full table says so. */
static void
test_many(size_t n)
{
	struct apexes t;
	char text[128];
	size_t off;
	int bad = 0;
	is_int(apexes_init(&t, n), CTD_OK, "a table for %zu zones", n);
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof text, "%s%zu.ct%s.example.",
		    i % 2 ? "tiled" : "log", i, i % 3 ? "" : ".sub");
		bad += add(&t, i, text, i) != CTD_OK;
	}
	is_int(bad, 0, "  all %zu added", n);
	is_int(t.count, n, "  count");
	bad = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof text, "0.1.2.tree.%s%zu.ct%s.example.",
		    i % 2 ? "tiled" : "log", i, i % 3 ? "" : ".sub");
		if (find(&t, text, &off) != (long)i || off != 11) {
			bad++;
		}
	}
	is_int(bad, 0, "  each zone's names find that zone");
	is_int(find(&t, "sth.log.ct.example.", &off), -1,
	    "  an unserved zone finds none");
	is_int(add(&t, n, "one.more.example.", n), CTD_ESPACE,
	    "  zone %zu: no room", n + 1);
	apexes_deinit(&t);
}

static void
test_duplicate_clear_swap(void)
{
	struct apexes a, b;
	size_t off;
	apexes_init(&a, 2);
	apexes_init(&b, 1);
	add(&a, 0, "ct.example.", 1);
	/* The same name again, from other memory. */
	is_int(add(&a, 1, "ct.example.", 2), CTD_ERANGE,
	    "the same apex twice is refused");
	is_int(find(&a, "sth.ct.example.", &off), 1, "  the first stays");
	is_int(add(&a, 2, "", 0) == CTD_OK, 1,
	    "the root as an apex (a valid name)");
	add(&b, 3, "other.example.", 9);
	apexes_swap(&a, &b);
	is_int(find(&a, "sth.other.example.", &off), 9,
	    "after a swap each table finds the other's names");
	is_int(find(&b, "sth.ct.example.", &off), 1, "  both ways");
	apexes_clear(&b);
	is_int(find(&b, "sth.ct.example.", &off), -1,
	    "after clear: nothing");
	is_int(add(&b, 4, "ct.example.", 5), CTD_OK,
	    "  and room for names again");
	apexes_deinit(&a);
	apexes_deinit(&b);
}

/* The longest name: 127 one-letter labels and the root. */
static void
test_longest_name(void)
{
	struct apexes t;
	uint8_t n[255];
	size_t off = 0, value = 0;
	for (size_t i = 0; i < 127; i++) {
		n[2 * i] = 1;
		n[2 * i + 1] = i == 126 ? 'z' : 'a';
	}
	n[254] = 0;
	apexes_init(&t, 2);
	add(&t, 0, "z.", 1);
	add(&t, 1, "a.a.z.", 2);
	ok(apexes_find(&t, n, sizeof n, &off, &value) && value == 2 &&
	    off == 248, "a 255-byte name: the longest suffix at 248");
	apexes_deinit(&t);
}

/* ---- differential: random names against a scan of every apex ---------- */

static uint32_t rng_state = 6962;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 16;
}

/* A random name of min to max labels from a small alphabet, so that
 * suffixes (nested zones) are frequent. */
static size_t
random_name(uint8_t *out, unsigned min, unsigned max)
{
	static const char *labels[] = { "a", "b", "ct", "x1", "log" };
	unsigned k = min + rng() % (max - min + 1);
	size_t n = 0;
	for (unsigned i = 0; i < k; i++) {
		const char *l = labels[rng() % 5];
		out[n++] = (uint8_t)strlen(l);
		memcpy(out + n, l, strlen(l));
		n += strlen(l);
	}
	out[n++] = 0;
	return n;
}

/* The reference: walk the labels from the full name down and compare each
 * suffix with every apex (what answer.c did before the table). */
static bool
scan(size_t count, const uint8_t *name, size_t len, size_t *off,
    size_t *value)
{
	for (size_t o = 0; o < len; o += 1u + name[o]) {
		for (size_t i = 0; i < count; i++) {
			if (name_lens[i] == len - o &&
			    memcmp(names[i], name + o, len - o) == 0) {
				*off = o;
				*value = i;
				return true;
			}
		}
		if (name[o] == 0) {
			break;
		}
	}
	return false;
}

static void
test_random(void)
{
	struct apexes t;
	size_t count = 0;
	int bad = 0, found = 0;
	apexes_init(&t, 64);
	while (count < 64) {
		name_lens[count] = random_name(names[count], 2, 4);
		if (apexes_add(&t, names[count], name_lens[count], count) ==
		    CTD_OK) {
			count++;
		}
	}
	for (int k = 0; k < 20000; k++) {
		uint8_t n[64];
		size_t len = random_name(n, 1, 7);
		size_t o1 = 0, v1 = 0, o2 = 0, v2 = 0;
		bool f1 = apexes_find(&t, n, len, &o1, &v1);
		bool f2 = scan(count, n, len, &o2, &v2);
		found += f2;
		if (f1 != f2 || (f1 && (o1 != o2 || v1 != v2))) {
			bad++;
		}
	}
	is_int(bad, 0, "20000 random names: the table agrees with a scan of "
	    "64 apexes");
	ok(found > 1000 && found < 20000, "  some found (%d), some not",
	    found);
	apexes_deinit(&t);
}

int
main(void)
{
	test_basics();
	test_case();
	test_nested();
	test_many(50);
	test_many(64);
	test_duplicate_clear_swap();
	test_longest_name();
	test_random();
	return done_testing();
}
