/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rrl.c -- response rate limiting: token buckets on a fake clock,
 * prefixes, zones and classes as separate buckets, slip, the truncated
 * slip answer, and a table shared by two threads.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "err.h"
#include "rrl.h"
#include "../tap.h"
#include "wire.h"

static struct rrl_config
config(uint32_t rate, uint32_t slip)
{
	return (struct rrl_config){ .rate = rate, .slip = slip,
		.ipv4_prefix = 24, .ipv6_prefix = 56, .size = 1000,
		.seed = 0x1234 };
}

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *sin = (void *)&ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53000);
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
	} else {
		abort();
	}
	return ss;
}

/* Charge n answers at time now; count the verdicts. */
static void
charge_n(struct rrl *r, const char *a, uint32_t zone, enum rrl_class cls,
    uint64_t now, unsigned n, unsigned counts[3])
{
	struct sockaddr_storage ss = addr(a);
	counts[0] = counts[1] = counts[2] = 0;
	for (unsigned i = 0; i < n; i++) {
		counts[rrl_check(r, (struct sockaddr *)&ss, zone, cls, now)]++;
	}
}

static enum rrl_verdict
check1(struct rrl *r, const char *a, uint32_t zone, enum rrl_class cls,
    uint64_t now)
{
	struct sockaddr_storage ss = addr(a);
	return rrl_check(r, (struct sockaddr *)&ss, zone, cls, now);
}

static void
test_new(void)
{
	struct rrl *r = (struct rrl *)1;
	struct rrl_config c = config(0, 2);
	is_int(rrl_new(&c, &r), CTD_EINVAL, "rate 0 is refused");
	ok(r == NULL, "no table on failure");
	c = config(10, 2);
	c.size = 0;
	is_int(rrl_new(&c, &r), CTD_EINVAL, "size 0 is refused");
	c = config(10, 2);
	c.ipv4_prefix = 33;
	is_int(rrl_new(&c, &r), CTD_EINVAL, "IPv4 prefix 33 is refused");
	c = config(10, 2);
	c.ipv6_prefix = 0;
	is_int(rrl_new(&c, &r), CTD_EINVAL, "IPv6 prefix 0 is refused");
	rrl_free(NULL);
	ok(1, "rrl_free(NULL) is a no-op");
}

static void
test_rate(void)
{
	struct rrl *r;
	struct rrl_config c = config(10, 2);
	unsigned n[3];
	is_int(rrl_new(&c, &r), CTD_OK, "a table of 1000 buckets");

	charge_n(r, "192.0.2.1", 1, RRL_ANSWER, 5000, 10, n);
	is_int(n[RRL_SEND], 10, "a fresh bucket sends its burst of 10");
	/* Over the rate: drop, slip, drop, slip, ... */
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5000), RRL_DROP,
	    "11th in the same millisecond: dropped");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5000), RRL_SLIP,
	    "12th: slipped (slip 2)");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5000), RRL_DROP,
	    "13th: dropped");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5000), RRL_SLIP,
	    "14th: slipped");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5099), RRL_DROP,
	    "99 ms later: not yet one token at 10/s");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5100), RRL_SEND,
	    "100 ms later: one token");
	ok(check1(r, "192.0.2.1", 1, RRL_ANSWER, 5100) != RRL_SEND,
	    "and only one");

	/* One second at the rate: 10 per second pass, no more. */
	unsigned sent = 0;
	for (uint64_t t = 6000; t < 16000; t += 10) {
		struct sockaddr_storage ss = addr("192.0.2.1");
		sent += rrl_check(r, (struct sockaddr *)&ss, 1, RRL_ANSWER,
		    t) == RRL_SEND;
	}
	ok(sent >= 100 && sent <= 110,
	    "10 s at 100 queries/s: about 100 sent (%u)", sent);

	/* A long pause refills to the burst, not beyond. */
	charge_n(r, "192.0.2.1", 1, RRL_ANSWER, 1000000, 100, n);
	is_int(n[RRL_SEND], 10, "after 1000 s idle: the burst of 10 only");
	is_int(n[RRL_SLIP], 45, "45 of the other 90 slipped");
	is_int(n[RRL_DROP], 45, "45 dropped");

	/* A clock that goes back (another thread's loop time) adds nothing. */
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 999000) == RRL_SEND, 0,
	    "a clock going back adds no tokens");
	charge_n(r, "192.0.2.1", 1, RRL_ANSWER, 1000100, 3, n);
	is_int(n[RRL_SEND], 1, "and the clock is taken again afterwards");
	rrl_free(r);
}

static void
test_keys(void)
{
	struct rrl *r;
	struct rrl_config c = config(5, 0);
	unsigned n[3];
	rrl_new(&c, &r);
	charge_n(r, "198.51.100.7", 1, RRL_ANSWER, 1000, 20, n);
	is_int(n[RRL_SEND], 5, "rate 5: 5 sent");
	is_int(n[RRL_DROP], 15, "slip 0: all the rest dropped");
	is_int(n[RRL_SLIP], 0, "slip 0: none slipped");
	charge_n(r, "198.51.100.250", 1, RRL_ANSWER, 1000, 3, n);
	is_int(n[RRL_SEND], 0, "same /24: same bucket");
	charge_n(r, "198.51.101.7", 1, RRL_ANSWER, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "next /24: its own bucket");
	charge_n(r, "198.51.100.7", 2, RRL_ANSWER, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "another zone: its own bucket");
	charge_n(r, "198.51.100.7", 1, RRL_NXDOMAIN, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "NXDOMAIN: its own bucket");
	charge_n(r, "198.51.100.7", 1, RRL_ERROR, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "errors: their own bucket");

	charge_n(r, "2001:db8:0:ff00::1", 1, RRL_ANSWER, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "IPv6: rate 5");
	charge_n(r, "2001:db8:0:ffee:1:2:3:4", 1, RRL_ANSWER, 1000, 3, n);
	is_int(n[RRL_SEND], 0, "same /56: same bucket");
	charge_n(r, "2001:db8:0:fe00::1", 1, RRL_ANSWER, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "next /56: its own bucket");
	charge_n(r, "::ffff:198.51.100.7", 1, RRL_ANSWER, 1000, 6, n);
	is_int(n[RRL_SEND], 5, "an IPv4-mapped IPv6 address is IPv6");

	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned sent = 0;
	for (int i = 0; i < 20; i++) {
		sent += rrl_check(r, (struct sockaddr *)&sun, 1, RRL_ANSWER,
		    1000) == RRL_SEND;
	}
	is_int(sent, 20, "another address family is never limited");
	rrl_free(r);

	/* Prefixes are configurable: /32 separates hosts. */
	c = config(2, 1);
	c.ipv4_prefix = 32;
	c.ipv6_prefix = 128;
	rrl_new(&c, &r);
	charge_n(r, "203.0.113.1", 1, RRL_ANSWER, 0, 4, n);
	is_int(n[RRL_SEND], 2, "rate 2");
	is_int(n[RRL_SLIP], 2, "slip 1: every answer over the rate slips");
	charge_n(r, "203.0.113.2", 1, RRL_ANSWER, 0, 2, n);
	is_int(n[RRL_SEND], 2, "/32: the neighbour has its own bucket");
	charge_n(r, "2001:db8::2", 1, RRL_ANSWER, 0, 2, n);
	charge_n(r, "2001:db8::3", 1, RRL_ANSWER, 0, 2, n);
	is_int(n[RRL_SEND], 2, "/128: so does the IPv6 neighbour");
	rrl_free(r);

	/* One bucket for everything: keys take it over from each other. */
	c = config(1, 0);
	c.size = 1;
	rrl_new(&c, &r);
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 0), RRL_SEND, "a: sent");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 0), RRL_DROP,
	    "a again: dropped");
	is_int(check1(r, "192.0.3.1", 1, RRL_ANSWER, 0), RRL_SEND,
	    "b takes the bucket over: sent");
	is_int(check1(r, "192.0.2.1", 1, RRL_ANSWER, 0), RRL_SEND,
	    "a takes it back: sent (a collision resets, never blocks)");
	rrl_free(r);

	/* The largest rate and a huge gap do not overflow. */
	c = config(1000000, 2);
	rrl_new(&c, &r);
	charge_n(r, "192.0.2.1", 1, RRL_ANSWER, 0, 1000, n);
	is_int(n[RRL_SEND], 1000, "rate 1000000: 1000 at once are sent");
	charge_n(r, "192.0.2.1", 1, RRL_ANSWER, UINT64_MAX, 1000, n);
	is_int(n[RRL_SEND], 1000, "the end of time: still sent");
	rrl_free(r);
}

struct thread_arg {
	struct rrl *r;
	unsigned sent;
};

static void *
flood(void *arg)
{
	struct thread_arg *a = arg;
	struct sockaddr_storage ss = addr("192.0.2.9");
	for (int i = 0; i < 20000; i++) {
		a->sent += rrl_check(a->r, (struct sockaddr *)&ss, 7,
		    RRL_ANSWER, 42) == RRL_SEND;
	}
	return NULL;
}

static void
test_shared(void)
{
	struct rrl_config c = config(1000, 2);
	struct thread_arg a[2];
	pthread_t t[2];
	c.shared = true;
	rrl_new(&c, &a[0].r);
	a[1].r = a[0].r;
	a[0].sent = a[1].sent = 0;
	pthread_create(&t[0], NULL, flood, &a[0]);
	pthread_create(&t[1], NULL, flood, &a[1]);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	is_int(a[0].sent + a[1].sent, 1000,
	    "two threads on one shared bucket: exactly the burst of 1000 sent");
	rrl_free(a[0].r);
}

/* A query for name (dotted, relative to the root), with or without EDNS. */
static size_t
query(uint8_t *pkt, const char *name, bool edns)
{
	static const uint8_t opt[11] = { 0, 0, 41, 0x10, 0, 0, 0, 0x80, 0,
		0, 0 };
	size_t off = 12;
	memset(pkt, 0, 12);
	pkt[0] = 0xab;
	pkt[1] = 0xcd;
	pkt[5] = 1;
	pkt[11] = edns ? 1 : 0;
	while (*name != '\0') {
		const char *dot = strchr(name, '.');
		size_t l = (size_t)(dot - name);
		pkt[off++] = (uint8_t)l;
		memcpy(pkt + off, name, l);
		off += l;
		name = dot + 1;
	}
	pkt[off++] = 0;
	memcpy(pkt + off, "\x00\x10\x00\x01", 4);
	off += 4;
	if (edns) {
		memcpy(pkt + off, opt, sizeof opt);
		off += sizeof opt;
	}
	return off;
}

static size_t
answer(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, int rcode)
{
	struct wire_query q;
	struct wire_resp r;
	static const uint8_t text[100] = { 1, 2, 3 };
	if (wire_parse_query(pkt, len, &q) != CTD_OK) {
		return 0;
	}
	wire_resp_begin(&r, out, cap, &q, rcode, true);
	if (rcode == 0) {
		wire_resp_txt(&r, 300, text, sizeof text);
	}
	return wire_resp_end(&r, &q, 1232);
}

static void
test_slip_answer(void)
{
	uint8_t pkt[512], out[2048], copy[2048];
	size_t qlen = query(pkt, "0.5.1000.tree.demo.ct.example.", true);
	size_t alen = answer(out, sizeof out, pkt, qlen, 0);
	ok(alen > 100, "an answer with a TXT record and OPT (%zu bytes)",
	    alen);
	is_int(rrl_class_of(out, alen), RRL_ANSWER, "class: answer");
	memcpy(copy, out, alen);
	size_t slen = rrl_slip_answer(out, alen);
	is_int(slen, qlen, "slip answer: header, question and OPT");
	ok(out[2] & 0x02, "TC set");
	ok(out[2] & 0x80, "QR still set");
	ok(out[2] & 0x04, "AA kept");
	is_int(out[0] << 8 | out[1], 0xabcd, "id kept");
	is_int(out[6] | out[7] | out[8] | out[9], 0, "no answer, no authority");
	is_int(out[10] << 8 | out[11], 1, "one additional: the OPT");
	is_mem(out + 12, pkt + 12, qlen - 12 - 11, "the question is kept");
	is_mem(out + qlen - 11, copy + alen - 11, 11,
	    "the OPT is the answer's (DO, size)");

	qlen = query(pkt, "nosuch.demo.ct.example.", false);
	alen = answer(out, sizeof out, pkt, qlen, 3);
	is_int(rrl_class_of(out, alen), RRL_NXDOMAIN, "class: NXDOMAIN");
	slen = rrl_slip_answer(out, alen);
	is_int(slen, qlen, "no EDNS: header and question");
	is_int(out[10] << 8 | out[11], 0, "no OPT");
	is_int(out[3] & 0x0f, 3, "the rcode is kept");

	alen = answer(out, sizeof out, pkt, qlen, 2);
	is_int(rrl_class_of(out, alen), RRL_ERROR,
	    "class: SERVFAIL is an error");
	alen = answer(out, sizeof out, pkt, qlen, 5);
	is_int(rrl_class_of(out, alen), RRL_ERROR,
	    "class: REFUSED is an error");
	is_int(rrl_class_of(out, 5), RRL_ERROR, "class of a stub: error");

	/* Hostile or broken input: nothing to send. */
	is_int(rrl_slip_answer(out, 11), 0, "shorter than a header");
	alen = answer(out, sizeof out, pkt, qlen, 0);
	out[5] = 2;
	is_int(rrl_slip_answer(out, alen), 0, "two questions");
	alen = answer(out, sizeof out, pkt, qlen, 0);
	out[12] = 0xc0;
	is_int(rrl_slip_answer(out, alen), 0, "a compressed question");
	alen = answer(out, sizeof out, pkt, qlen, 0);
	is_int(rrl_slip_answer(out, 20), 0, "a question cut short");
	memset(out, 0, 12);
	out[5] = 1;
	out[12] = 60;
	is_int(rrl_slip_answer(out, 20), 0, "a label running past the end");
}

int main(void);

int
main(void)
{
	test_new();
	test_rate();
	test_keys();
	test_shared();
	test_slip_answer();
	return done_testing();
}
