/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rrl.c -- response rate limiting for UDP answers (see rrl.h).
 *
 * A bucket holds its tokens in thousandths of an answer, so a rate of a
 * few answers per second refills smoothly with a millisecond clock: each
 * millisecond adds `rate` thousandths, an answer costs 1000, and a bucket
 * holds at most 1000 * rate (one second's worth, the burst).
 */
#include "config.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rrl.h"

/* Mutexes guarding buckets when several threads share the table: bucket
 * i is guarded by lock i % RRL_LOCKS, so two threads rarely meet. */
#define RRL_LOCKS 64
#define MILLI 1000

struct rrl_bucket {
	uint64_t key;		/* 0: never used */
	int64_t tokens;		/* thousandths of an answer */
	uint64_t last_ms;	/* when it was last charged */
	uint32_t over;		/* answers over the rate so far */
};

struct rrl {
	struct rrl_config cfg;
	int64_t burst;		/* MILLI * rate */
	uint8_t mask4[4];
	uint8_t mask6[16];
	pthread_mutex_t locks[RRL_LOCKS];
	struct rrl_bucket *buckets;
};

static void
make_mask(uint8_t *mask, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		unsigned b = bits >= 8 ? 8 : bits;
		mask[i] = (uint8_t)(0xff00u >> b);
		bits -= b;
	}
}

int
rrl_new(const struct rrl_config *cfg, struct rrl **out)
{
	*out = NULL;
	if (cfg->rate == 0 || cfg->size == 0 || cfg->ipv4_prefix < 1 ||
	    cfg->ipv4_prefix > 32 || cfg->ipv6_prefix < 1 ||
	    cfg->ipv6_prefix > 128) {
		return CTD_EINVAL;
	}
	struct rrl *r = calloc(1, sizeof *r);
	if (r == NULL) {
		return CTD_ENOMEM;
	}
	r->buckets = calloc(cfg->size, sizeof *r->buckets);
	if (r->buckets == NULL) {
		free(r);
		return CTD_ENOMEM;
	}
	r->cfg = *cfg;
	r->burst = (int64_t)cfg->rate * MILLI;
	make_mask(r->mask4, sizeof r->mask4, cfg->ipv4_prefix);
	make_mask(r->mask6, sizeof r->mask6, cfg->ipv6_prefix);
	for (size_t i = 0; cfg->shared && i < RRL_LOCKS; i++) {
		pthread_mutex_init(&r->locks[i], NULL);
	}
	*out = r;
	return CTD_OK;
}

void
rrl_free(struct rrl *r)
{
	if (r == NULL) {
		return;
	}
	for (size_t i = 0; r->cfg.shared && i < RRL_LOCKS; i++) {
		pthread_mutex_destroy(&r->locks[i]);
	}
	free(r->buckets);
	free(r);
}

/* A keyed 64-bit mix (the finaliser of splitmix64 over each word); with a
 * secret seed the bucket of a key cannot be predicted from outside. */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	return h;
}

/* The bucket key of an answer: the masked address, zone and class. */
static bool
key_of(const struct rrl *r, const struct sockaddr *dst, uint32_t zone,
    enum rrl_class cls, uint64_t *key)
{
	uint8_t a[16] = { 0 };
	uint64_t w0, w1;
	uint64_t h = r->cfg.seed;
	if (dst->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)dst;
		memcpy(a, &sin->sin_addr, 4);
		for (size_t i = 0; i < 4; i++) {
			a[i] &= r->mask4[i];
		}
	} else if (dst->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)dst;
		memcpy(a, &sin6->sin6_addr, 16);
		for (size_t i = 0; i < 16; i++) {
			a[i] &= r->mask6[i];
		}
	} else {
		return false;
	}
	memcpy(&w0, a, 8);
	memcpy(&w1, a + 8, 8);
	h = mix(h, w0);
	h = mix(h, w1);
	h = mix(h, (uint64_t)dst->sa_family << 40 | (uint64_t)cls << 32 |
	    zone);
	*key = h != 0 ? h : 1;
	return true;
}

static enum rrl_verdict
charge(const struct rrl *r, struct rrl_bucket *b, uint64_t key,
    uint64_t now_ms)
{
	if (b->key != key) {
		/* A new key, or one taking the bucket over: a full bucket. */
		b->key = key;
		b->tokens = r->burst;
		b->last_ms = now_ms;
		b->over = 0;
	} else if (now_ms > b->last_ms) {
		uint64_t ms = now_ms - b->last_ms;
		/* Past one second the bucket is full anyway: no overflow. */
		int64_t add = ms >= MILLI ? r->burst :
		    (int64_t)ms * (int64_t)r->cfg.rate;
		b->tokens = b->tokens + add > r->burst ? r->burst :
		    b->tokens + add;
		b->last_ms = now_ms;
	}
	if (b->tokens >= MILLI) {
		b->tokens -= MILLI;
		return RRL_SEND;
	}
	b->over++;
	if (r->cfg.slip > 0 && b->over % r->cfg.slip == 0) {
		return RRL_SLIP;
	}
	return RRL_DROP;
}

enum rrl_verdict
rrl_check(struct rrl *r, const struct sockaddr *dst, uint32_t zone,
    enum rrl_class cls, uint64_t now_ms)
{
	uint64_t key;
	if (!key_of(r, dst, zone, cls, &key)) {
		return RRL_SEND;
	}
	size_t i = (size_t)(key % r->cfg.size);
	if (!r->cfg.shared) {
		return charge(r, &r->buckets[i], key, now_ms);
	}
	pthread_mutex_t *m = &r->locks[i % RRL_LOCKS];
	pthread_mutex_lock(m);
	enum rrl_verdict v = charge(r, &r->buckets[i], key, now_ms);
	pthread_mutex_unlock(m);
	return v;
}

enum rrl_class
rrl_class_of(const uint8_t *answer, size_t len)
{
	if (len < 12) {
		return RRL_ERROR;
	}
	switch (answer[3] & 0x0f) {
	case 0: return RRL_ANSWER;
	case 3: return RRL_NXDOMAIN;
	default: return RRL_ERROR;
	}
}

#define HEADER_LEN 12
#define OPT_LEN 11
#define TYPE_OPT 41

size_t
rrl_slip_answer(uint8_t *pkt, size_t len)
{
	if (len < HEADER_LEN || pkt[4] != 0 || pkt[5] != 1) {
		return 0;
	}
	/* The question: one uncompressed name, type and class. */
	size_t off = HEADER_LEN;
	while (off < len && pkt[off] != 0) {
		if ((pkt[off] & 0xc0) != 0) {
			return 0;
		}
		off += 1u + pkt[off];
	}
	off += 1 + 4;
	if (off > len) {
		return 0;
	}
	/* Keep the OPT record if the answer ends with an empty one. */
	unsigned arcount = (unsigned)pkt[10] << 8 | pkt[11];
	bool opt = false;
	if (arcount > 0 && len >= off + OPT_LEN) {
		const uint8_t *o = pkt + len - OPT_LEN;
		opt = o[0] == 0 && o[1] == 0 && o[2] == TYPE_OPT &&
		    o[9] == 0 && o[10] == 0;
		if (opt) {
			memmove(pkt + off, o, OPT_LEN);
			off += OPT_LEN;
		}
	}
	pkt[2] |= 0x02;		/* TC */
	memset(pkt + 6, 0, 6);
	pkt[11] = opt ? 1 : 0;
	return off;
}
