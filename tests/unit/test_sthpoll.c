/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sthpoll.c -- the rules for switching to a new signed tree head:
 * the pure judge, then the poller's policy over a sequence of heads with
 * a fake io (the test plays the log and the store) and an injected clock.
 */
#include "config.h"

#include <string.h>

#include "err.h"
#include "log.h"
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

/* ---- the fake io ---------------------------------------------------------- */

static struct {
	uint64_t now;
	int heads_asked, adopts_asked, switches, alarms;
	sthpoll_head_cb head_cb;
	sthpoll_done_cb done_cb;
	void *cb_arg;
	bool had_cur;
	struct sth cur, cand, served;
} io;

static int
fake_get_head(void *arg, sthpoll_head_cb cb, void *cb_arg)
{
	(void)arg;
	io.heads_asked++;
	io.head_cb = cb;
	io.cb_arg = cb_arg;
	return CTD_OK;
}

static int
fake_adopt(void *arg, const struct sth *cur, const struct sth *cand,
    sthpoll_done_cb cb, void *cb_arg)
{
	(void)arg;
	io.adopts_asked++;
	io.had_cur = cur != NULL;
	if (cur != NULL) {
		io.cur = *cur;
	}
	io.cand = *cand;
	io.done_cb = cb;
	io.cb_arg = cb_arg;
	return CTD_OK;
}

static uint64_t
fake_wall(void *arg)
{
	(void)arg;
	return io.now;
}

static void
fake_switch(void *arg, const struct sth *sth)
{
	(void)arg;
	io.switches++;
	io.served = *sth;
}

static void
fake_alarm(void *arg)
{
	(void)arg;
	io.alarms++;
}

/* One poll: the log answers `head` (status: its signature's verdict). */
static void
poll_with(struct sthpoll *p, int status, const struct sth *head)
{
	int asked = io.heads_asked;
	sthpoll_poll(p);
	if (io.heads_asked == asked + 1) {
		io.head_cb(io.cb_arg, status, status == CTD_OK ? head : NULL);
	}
}

static void
test_policy(void)
{
	struct sthpoll_io fio = {
		.get_head = fake_get_head, .adopt = fake_adopt,
		.wall_ms = fake_wall, .on_switch = fake_switch,
		.on_alarm = fake_alarm,
	};
	io.now = NOW;
	struct sthpoll *p = sthpoll_new("test", &fio);
	struct sth h1 = mk(100, NOW - 5000, 0x11);
	struct sth h2 = mk(150, NOW - 4000, 0x22);
	struct sth fork = mk(150, NOW - 3000, 0x33);
	struct sth small = mk(120, NOW - 2000, 0x44);
	struct sth h3 = mk(200, NOW - 1000, 0x55);

	poll_with(p, CTD_OK, &h1);
	ok(io.adopts_asked == 1 && !io.had_cur,
	    "policy: the first head is adopted with no proof asked");
	is_int(io.switches, 0, "policy: not served before it is committed");
	sthpoll_poll(p);
	is_int(io.heads_asked, 1, "policy: no second poll while one is busy");
	io.done_cb(io.cb_arg, CTD_OK);
	ok(io.switches == 1 && io.served.tree_size == 100,
	    "policy: served once committed");

	poll_with(p, CTD_OK, &h1);
	is_int(io.adopts_asked, 1, "policy: the same head: nothing to do");

	poll_with(p, CTD_OK, &h2);
	ok(io.adopts_asked == 2 && io.had_cur && io.cur.tree_size == 100 &&
	    io.cand.tree_size == 150,
	    "policy: a larger tree asks for a proof from the served one");
	io.done_cb(io.cb_arg, CTD_EVERIFY);
	ok(io.switches == 1 && io.alarms == 1,
	    "policy: a false proof raises the alarm, nothing switched");

	poll_with(p, CTD_OK, &h2);
	io.done_cb(io.cb_arg, CTD_OK);
	ok(io.switches == 2 && io.served.tree_size == 150,
	    "policy: a proved head is served");

	poll_with(p, CTD_OK, &fork);
	ok(io.alarms == 2 && io.adopts_asked == 3,
	    "policy: another root for the same size: alarm, no adoption");
	poll_with(p, CTD_OK, &small);
	ok(io.alarms == 3 && io.adopts_asked == 3,
	    "policy: a rollback: alarm, no adoption");
	poll_with(p, CTD_EVERIFY, NULL);
	ok(io.alarms == 4, "policy: a bad signature: alarm");
	poll_with(p, CTD_ETIMEOUT, NULL);
	ok(io.alarms == 4 && io.adopts_asked == 3,
	    "policy: an unreachable log is no alarm");

	struct sth future = mk(300, NOW + STHPOLL_MAX_CLOCK_SKEW_MS + 1, 0x66);
	poll_with(p, CTD_OK, &future);
	ok(io.alarms == 4 && io.adopts_asked == 3,
	    "policy: a head from the future is refused without alarm");
	io.now = future.timestamp;	/* the clock catches up */
	poll_with(p, CTD_OK, &future);
	is_int(io.adopts_asked, 4, "policy: ... and taken once the clock agrees");
	io.done_cb(io.cb_arg, CTD_OK);

	poll_with(p, CTD_OK, &h3);
	ok(io.alarms == 5 && io.switches == 3,
	    "policy: a smaller tree after that is a rollback");

	struct sthpoll_stats st;
	sthpoll_get_stats(p, &st);
	is_int(st.accepted, 3, "stats: three heads adopted");
	is_int(st.inconsistent, 1, "stats: one false proof");
	is_int(st.last_ok_ms, io.now, "stats: the last good poll's time");

	sthpoll_stop(p);
	int asked = io.heads_asked;
	sthpoll_poll(p);
	is_int(io.heads_asked, asked, "stopped: no more polls");
	sthpoll_free(p);
}

int
main(void)
{
	struct sth cur = mk(100, NOW - 60000, 0xaa);
	struct sth c;

	log_set_verbosity(0);
	test_policy();
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
	return done_testing();
}
