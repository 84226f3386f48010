/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server_stats.h -- what the server counts: each worker keeps its own
 * (written by its thread with relaxed atomics), the server sums them for
 * the metrics. A header of its own so that the workers, which write the
 * counters, need not know the server that reads them.
 */
#ifndef CTD_SERVER_STATS_H
#define CTD_SERVER_STATS_H

#include <stdint.h>

#include "answer.h"

struct server_stats {
	uint64_t udp_queries;
	uint64_t tcp_queries;
	uint64_t tcp_connections;	/* accepted */
	uint64_t tcp_refused;		/* over tcp-max-connections */
	uint64_t pending_refused;	/* SERVFAIL: too many waiting */
	uint64_t rrl_dropped;		/* response rate limiting */
	uint64_t rrl_slipped;		/* answered TC=1 instead */
	struct answer_stats answers;	/* by form, by rcode, hits */
};

#endif /* CTD_SERVER_STATS_H */
