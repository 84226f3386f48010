/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rrl.h -- response rate limiting for UDP answers, as NSD's and BIND's RRL.
 *
 * An authoritative server must not become an amplifier for answers sent
 * to a spoofed address. Each UDP answer is charged to a token bucket named
 * by its destination's prefix (IPv4 /24 and IPv6 /56 by default), the zone
 * the question falls in, and the class of the answer (data, NXDOMAIN,
 * error): the bucket refills at `rate` answers per second and holds at
 * most one second's worth. An answer that finds its bucket empty is
 * dropped, except every `slip`-th one, which goes out truncated (TC=1, no
 * records): a real client then asks again over TCP, which is never rate
 * limited, while a spoofed victim receives no more bytes than the query.
 *
 * The table is a fixed array of buckets allocated once (`size` of them):
 * no allocation per answer. Two keys that land in the same bucket take it
 * over from each other (the newcomer starts with a full bucket), so an
 * attacker who could aim at one bucket would only reset limits, never
 * block a third party; the hash is keyed with a secret seed so the
 * attacker cannot aim. Addresses are hashed, never stored or logged.
 *
 * Pure: the caller gives the time. Threads: with `shared` set, the table
 * may be used by several threads at once (bucket updates are serialised by
 * striped mutexes); otherwise by one thread only.
 */
#ifndef CTD_RRL_H
#define CTD_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct rrl;

/* What kind of answer is being sent (part of the bucket's name). */
enum rrl_class {
	RRL_ANSWER,	/* NOERROR, with data or without (NODATA) */
	RRL_NXDOMAIN,
	RRL_ERROR,	/* every other rcode */
};

/* What to do with the answer. */
enum rrl_verdict {
	RRL_SEND,	/* within the rate */
	RRL_SLIP,	/* over the rate: send it truncated (rrl_slip_answer) */
	RRL_DROP,	/* over the rate: send nothing */
};

struct rrl_config {
	uint32_t rate;		/* answers per second per bucket, >= 1 */
	uint32_t slip;		/* every slip-th answer over the rate is
				 * truncated; 0: none (all dropped) */
	unsigned ipv4_prefix;	/* 1..32 */
	unsigned ipv6_prefix;	/* 1..128 */
	uint32_t size;		/* buckets, >= 1 */
	uint64_t seed;		/* secret key of the bucket hash */
	bool shared;		/* used by several threads */
};

/*
 * Build a table.
 * @param cfg: the limits (copied).
 * @param out: the table; caller frees with rrl_free().
 * @return: CTD_OK; CTD_EINVAL for a rate, size or prefix out of range;
 *	CTD_ENOMEM.
 */
int rrl_new(const struct rrl_config *cfg, struct rrl **out);

/* Free a table. NULL is a no-op. */
void rrl_free(struct rrl *r);

/*
 * Charge one answer to its bucket.
 * @param r: the table.
 * @param dst: where the answer goes (AF_INET or AF_INET6; any other
 *	family is always sent).
 * @param zone: which zone the question fell in (any stable number; one
 *	for "no zone").
 * @param cls: the class of the answer.
 * @param now_ms: a monotonic clock in milliseconds; a value older than
 *	the bucket's last use counts as no time passing.
 * @return: the verdict.
 */
enum rrl_verdict rrl_check(struct rrl *r, const struct sockaddr *dst,
    uint32_t zone, enum rrl_class cls, uint64_t now_ms);

/* The class of a DNS answer, from its rcode (the header's low 4 bits). */
enum rrl_class rrl_class_of(const uint8_t *answer, size_t len);

/*
 * Turn an answer into the truncated slip answer, in place: the header
 * with TC=1 and no records, the question, and the OPT record when the
 * answer ended with one.
 * @param pkt: an answer built by wire.c (one question, uncompressed).
 * @param len: its length.
 * @return: the new length; 0 when pkt is not such an answer (send
 *	nothing).
 */
size_t rrl_slip_answer(uint8_t *pkt, size_t len);

#endif /* CTD_RRL_H */
