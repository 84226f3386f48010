/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * witness_http.h -- the tlog-witness HTTP endpoint (`witness-listen:`):
 * POST /add-checkpoint and GET /<hex SHA-256(origin)>/checkpoint, served
 * with libmicrohttpd the way metrics.h serves /metrics (MHD's internal
 * polling thread, one handler at a time; a cap on connections, per client
 * address, and an idle timeout).
 *
 * Both prefixes (submission and monitoring) are the root of the listener.
 * The witness calls run on the HTTP thread (the witness is thread-safe;
 * an add-checkpoint may wait for one group commit of the store's writer).
 *
 * Bounds: a body larger than WITNESS_REQUEST_MAX is refused with 413 from
 * its Content-Length, before it is read; a body without one (chunked)
 * that grows past the bound has its connection closed. Requests pass a
 * token bucket (WITNESS_HTTP_RATE per second, bursts of
 * WITNESS_HTTP_BURST) over all clients; over it: 503 with Retry-After.
 * Another method: 405; another path: 404. Client addresses are never
 * logged. Every answer is counted by status (witness_count()).
 */
#ifndef CTD_WITNESS_HTTP_H
#define CTD_WITNESS_HTTP_H

#include <stdbool.h>
#include <stdint.h>

struct conf_listen;
struct witness;
struct witness_http;

#define WITNESS_HTTP_MAX_CONNECTIONS 64
#define WITNESS_HTTP_MAX_PER_IP 8
#define WITNESS_HTTP_IDLE_TIMEOUT 10	/* seconds */
#define WITNESS_HTTP_RATE 50		/* requests per second */
#define WITNESS_HTTP_BURST 100

/* A token bucket: rate tokens a second, at most burst saved. */
struct witness_bucket {
	uint64_t rate, burst;
	uint64_t milli;		/* tokens * 1000 */
	uint64_t last_ms;
};

/* Fill a bucket, full. */
void witness_bucket_init(struct witness_bucket *b, uint64_t rate,
    uint64_t burst, uint64_t now_ms);

/*
 * Take one token.
 * @param now_ms: a monotonic clock in milliseconds.
 * @return: true when there was one.
 */
bool witness_bucket_take(struct witness_bucket *b, uint64_t now_ms);

/*
 * Bind the listener and start its thread.
 * @param w: the witness; borrowed, must outlive the listener.
 * @param at: the address (TCP); copied.
 * @param out: set on CTD_OK; caller stops it with witness_http_close().
 * @param err: receives a message naming the address on failure.
 * @return: CTD_OK; CTD_EIO when it cannot listen; CTD_ENOMEM.
 */
int witness_http_start(struct witness *w, const struct conf_listen *at,
    struct witness_http **out, char *err, size_t err_len);

/* The bound TCP port (for tests), 0 when unknown. */
unsigned witness_http_port(const struct witness_http *h);

/* Stop and join the HTTP thread and free it. NULL is a no-op. */
void witness_http_close(struct witness_http *h);

#endif /* CTD_WITNESS_HTTP_H */
