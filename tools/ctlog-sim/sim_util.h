/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_util.h -- small encoders and parsers shared by the simulator's
 * front ends (sim_http.c, sim_submit.c, sim_static*.c): base64 and hex
 * JSON strings, strict decimals, a sleep. No I/O, no locking.
 */
#ifndef SIM_UTIL_H
#define SIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sim_tree.h"

/*
 * Standard base64 (RFC 4648 section 4) of buf, NUL-terminated.
 * @return: caller frees with free(); NULL when out of memory.
 */
char *sim_b64(const uint8_t *buf, size_t len);

/*
 * A JSON string of the base64 of buf.
 * @return: a new reference; NULL when out of memory.
 */
json_t *sim_json_b64(const uint8_t *buf, size_t len);

/*
 * A JSON string of the lowercase hex of buf (at most SIM_HASH_LEN bytes).
 * @return: a new reference; NULL when out of memory.
 */
json_t *sim_json_hex(const uint8_t *buf, size_t len);

/*
 * A JSON array of the proof's nodes in base64.
 * @return: a new reference; NULL when out of memory.
 */
json_t *sim_json_proof(const struct sim_proof *p);


/*
 * Sleep ms milliseconds, resuming after signals (slow=<ms> mode).
 * @param ms: the delay.
 */
void sim_sleep_ms(unsigned ms);

#endif /* SIM_UTIL_H */
