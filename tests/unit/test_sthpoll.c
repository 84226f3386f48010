/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sthpoll.c -- the rules for switching to a new signed tree head. */
#include "config.h"

#include <string.h>

#include "sth.h"
#include "sthpoll.h"
#include "../tap.h"

static const uint64_t NOW = 1795000000000ull;

static struct sth
mk(uint64_t size, uint64_t ts, uint8_t root_byte)
{
	struct sth s;
	memset(&s, 0, sizeof s);
	s.tree_size = size;
	s.timestamp = ts;
	memset(s.root, root_byte, sizeof s.root);
	return s;
}

int
main(void)
{
	struct sth cur = mk(100, NOW - 60000, 0xaa);
	struct sth c;

	plan(13);
	c = mk(100, NOW, 0xaa);
	is_int(sthpoll_judge(NULL, &c, NOW), STHPOLL_FIRST, "no STH yet: first");
	is_int(sthpoll_judge(&cur, &cur, NOW), STHPOLL_SAME, "the same STH");
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_REFRESH,
	    "same tree, later timestamp: refresh");
	c = mk(100, NOW - 120000, 0xaa);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_STALE,
	    "same tree, older timestamp: stale");
	c = mk(100, NOW, 0xbb);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_FORK,
	    "same size, another root: fork");
	c = mk(100, NOW - 60000, 0xbb);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_FORK,
	    "same size and timestamp, another root: fork");
	c = mk(99, NOW, 0xcc);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_ROLLBACK,
	    "smaller tree: rollback");
	c = mk(101, NOW, 0xcc);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_GROWN, "larger tree: grown");
	c = mk(101, NOW - 60000, 0xcc);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_TIME_BACKWARDS,
	    "larger tree, same timestamp: time went backwards");
	c = mk(101, NOW - 70000, 0xcc);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_TIME_BACKWARDS,
	    "larger tree, older timestamp");
	c = mk(101, NOW + STHPOLL_MAX_CLOCK_SKEW_MS + 1, 0xcc);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_FUTURE,
	    "timestamp beyond the allowed clock skew");
	is_int(sthpoll_judge(NULL, &c, NOW), STHPOLL_FUTURE,
	    "even as the first STH");
	c = mk(101, NOW + STHPOLL_MAX_CLOCK_SKEW_MS, 0xcc);
	is_int(sthpoll_judge(&cur, &c, NOW), STHPOLL_GROWN,
	    "exactly at the allowed skew: accepted");
	return exit_status();
}
