/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_answer.c -- the one table from errors to rcodes, and every answer
 * path that reports an error going through it.
 *
 * First answer_rcode() against the "Outcomes and rcodes" table of
 * docs/design.md, code by code. Then answer_query() over one log (the
 * demo zone, an empty store in a temporary directory, a tree head of
 * TREE_SIZE set by hand, no network): a message that does not parse, a
 * name that fits no form, names beyond the tree, a miss, and the second
 * round of a miss after each kind of fill outcome; each checks the rcode,
 * whether the zone's SOA comes along, and the rcode counter.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "answer.h"
#include "err.h"
#include "log.h"
#include "logview.h"
#include "store.h"
#include "zone.h"

int main(void);

#define ZONE_NAME "demo.ct.example."
#define TREE_SIZE 10
#define OUT_CAP 65535

enum {
	NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4,
	REFUSED = 5,
};

static void
test_table(void)
{
	static const struct {
		int err;
		int rcode;
		const char *why;
	} rows[] = {
		{ CTD_OK, NOERROR, "no error" },
		{ CTD_EMALF, FORMERR, "the message does not parse" },
		{ CTD_ENOTFOUND, NXDOMAIN, "no such name or leaf" },
		{ CTD_ERANGE, NXDOMAIN, "beyond the tree" },
		{ CTD_ETIMEOUT, SERVFAIL, "the log timed out" },
		{ CTD_EUPSTREAM, SERVFAIL, "the log answered an HTTP error" },
		{ CTD_ENET, SERVFAIL, "the log is unreachable" },
		{ CTD_EBUSY, SERVFAIL, "over the log's caps" },
		{ CTD_EVERIFY, SERVFAIL, "the log answered something false" },
		{ CTD_EINCONSISTENT, SERVFAIL, "the log contradicts itself" },
		{ CTD_ESTORE, SERVFAIL, "the store failed" },
		{ CTD_ENOMEM, SERVFAIL, "out of memory" },
		{ CTD_ECANCELED, SERVFAIL, "shut down" },
		{ CTD_EIO, SERVFAIL, "I/O" },
		{ CTD_EINVAL, SERVFAIL, "a bad argument is the server's" },
		{ CTD_ESPACE, SERVFAIL, "no room" },
		{ -1234567, SERVFAIL, "a code no one knows" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		is_int(answer_rcode(rows[i].err), rows[i].rcode,
		    "table: %s (%s)", ctd_strerror(rows[i].err), rows[i].why);
	}
}

static struct {
	struct logview log;
	struct logview *logs[1];
	struct store *store;
	struct answer_ctx ax;
	char dir[PATH_MAX];
	uint8_t out[OUT_CAP];
} fx;

static bool
setup(void)
{
	const char *top = getenv("top_srcdir");
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX], err[256] = "";
	snprintf(path, sizeof path, "%s/zones/demo.ct.example.zone",
	    top != NULL ? top : ".");
	fx.log = (struct logview){ .id = 1, .sth_ttl = 300,
		.proof_ttl = 86400, .negative_ttl = 30 };
	if (zone_load(path, ZONE_NAME, &fx.log.zone, err, sizeof err) !=
	    CTD_OK) {
		diag("zone: %s (set top_srcdir)", err);
		return false;
	}
	snprintf(fx.dir, sizeof fx.dir, "%s/test_answer.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	static const uint8_t id[32] = { 1 };
	if (mkdtemp(fx.dir) == NULL ||
	    store_open(fx.dir, 16u << 20, &fx.store) != CTD_OK ||
	    store_log_open(fx.store, id, &fx.log.slog) != CTD_OK) {
		return false;
	}
	/* The answer path reads the size and the text; nothing here
	 * checks the signature, so a tree head set by hand will do. */
	fx.log.has_sth = true;
	fx.log.sth.tree_size = TREE_SIZE;
	fx.log.sth_txt_len = (size_t)snprintf(fx.log.sth_txt,
	    sizeof fx.log.sth_txt, "%d.1.root.sig", TREE_SIZE);
	fx.logs[0] = &fx.log;
	return answer_ctx_init(&fx.ax, fx.store, fx.logs, 1) == CTD_OK;
}

static void
teardown(void)
{
	char file[PATH_MAX + 16];
	answer_ctx_deinit(&fx.ax);
	store_close(fx.store);
	zone_free(fx.log.zone);
	static const char *const names[] = { "data.mdb", "lock.mdb" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(file, sizeof file, "%s/%s", fx.dir, names[i]);
		unlink(file);
	}
	rmdir(fx.dir);
}

/* A query for name (dotted, absolute), type TXT, class IN. */
static size_t
make_query(const char *name, uint16_t qdcount, uint8_t *q, size_t cap)
{
	size_t n = 0;
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00 };
	memcpy(q, hdr, sizeof hdr);
	q[5] = (uint8_t)qdcount;
	n = sizeof hdr;
	while (*name != '\0' && n + 70 < cap) {
		const char *dot = strchr(name, '.');
		size_t len = (size_t)(dot - name);
		q[n++] = (uint8_t)len;
		memcpy(q + n, name, len);
		n += len;
		name = dot + 1;
	}
	q[n++] = 0;
	static const uint8_t tail[4] = { 0, 16, 0, 1 };
	memcpy(q + n, tail, sizeof tail);
	return n + sizeof tail;
}

struct got {
	enum answer_action action;
	int rcode;
	unsigned nscount;	/* the SOA of a negative answer */
	uint64_t counted;	/* by_rcode[rcode] went up by this */
};

static struct got
ask(const char *name, uint16_t qdcount, int fill_status, unsigned round)
{
	uint8_t q[512];
	struct answer_result res;
	struct got g = { 0 };
	size_t len = make_query(name, qdcount, q, sizeof q);
	struct answer_stats before = fx.ax.stats;
	answer_query(&fx.ax, q, len, false, fill_status, round, fx.out,
	    sizeof fx.out, &res);
	g.action = res.action;
	if (res.action == ANSWER_SEND && res.len >= 12) {
		g.rcode = fx.out[3] & 0x0f;
		g.nscount = (unsigned)fx.out[8] << 8 | fx.out[9];
		g.counted = fx.ax.stats.by_rcode[g.rcode] -
		    before.by_rcode[g.rcode];
	}
	return g;
}

static void
check(const char *what, struct got g, int rcode, bool soa)
{
	is_int(g.action, ANSWER_SEND, "%s: answered", what);
	is_int(g.rcode, rcode, "%s: rcode %d", what, rcode);
	is_int(g.nscount, soa ? 1 : 0, "%s: %s", what,
	    soa ? "the zone's SOA" : "no authority");
	is_int(g.counted, 1, "%s: counted once", what);
}

/* A leaf hash in the 52-character base32 form. */
#define B32_HASH "D4S6DSV2J743QJZEQMH4UYHEYK7KRQ5JIQOCPMFUHZVJNFGHXACA"

static void
test_paths(void)
{
	const char *tree = "0.1.8.tree." ZONE_NAME;
	const char *hash = B32_HASH ".hash." ZONE_NAME;
	check("two questions", ask(tree, 2, CTD_OK, 0), FORMERR, false);
	check("a name of no form", ask("x.y.z." ZONE_NAME, 1, CTD_OK, 0),
	    NXDOMAIN, true);
	check("a leaf index at the size", ask("0.8.8.tree." ZONE_NAME, 1,
	    CTD_OK, 0), NXDOMAIN, true);
	check("a size beyond the tree", ask("0.1.11.tree." ZONE_NAME, 1,
	    CTD_OK, 0), NXDOMAIN, true);
	is_int(ask(tree, 1, CTD_OK, 0).action, ANSWER_FILL,
	    "a miss asks for a fill");
	is_int(ask(hash, 1, CTD_OK, 0).action, ANSWER_FILL,
	    "a hash miss asks for a fill");
	/* The second round, after the fill. */
	check("leaf not in the log", ask(hash, 1, CTD_ENOTFOUND, 1),
	    NXDOMAIN, true);
	check("hash fill timed out", ask(hash, 1, CTD_ETIMEOUT, 1), SERVFAIL,
	    false);
	check("tree fill: no root to plan from", ask(tree, 1, CTD_ENOTFOUND,
	    1), SERVFAIL, false);
	check("tree fill refused: out of range", ask(tree, 1, CTD_ERANGE, 1),
	    SERVFAIL, false);
	check("tree fill over the caps", ask(tree, 1, CTD_EBUSY, 1),
	    SERVFAIL, false);
	check("tree fill: false answer", ask(tree, 1, CTD_EVERIFY, 1),
	    SERVFAIL, false);
	check("still missing after the last round", ask(tree, 1, CTD_OK,
	    ANSWER_MAX_ROUNDS), SERVFAIL, false);
	is_int(ask(tree, 1, CTD_OK, 1).action, ANSWER_FILL,
	    "still missing before the last round: fill again");
	fx.log.has_sth = false;
	check("no verified tree head", ask(tree, 1, CTD_OK, 0), SERVFAIL,
	    false);
	fx.log.has_sth = true;
	check("outside every zone", ask("0.1.8.tree.example.org.", 1,
	    CTD_OK, 0), REFUSED, false);
}

int
main(void)
{
	log_set_verbosity(0);
	test_table();
	if (!ok(setup(), "fixture: zone, store, tree head")) {
		return exit_status();
	}
	test_paths();
	teardown();
	return done_testing();
}
