/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_util.c -- small encoders and parsers shared by the simulator's
 * front ends. See sim_util.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>

#include "sim_util.h"

char *
sim_b64(const uint8_t *buf, size_t len)
{
	char *text = malloc(4 * ((len + 2) / 3) + 1);

	if (text != NULL) {
		EVP_EncodeBlock((unsigned char *)text, buf, (int)len);
	}
	return text;
}

json_t *
sim_json_b64(const uint8_t *buf, size_t len)
{
	char *text = sim_b64(buf, len);
	json_t *s;

	if (text == NULL) {
		return NULL;
	}
	s = json_string(text);
	free(text);
	return s;
}

json_t *
sim_json_hex(const uint8_t *buf, size_t len)
{
	char text[2 * SIM_HASH_LEN + 1];

	for (size_t i = 0; i < len && i < SIM_HASH_LEN; i++) {
		snprintf(text + 2 * i, 3, "%02x", buf[i]);
	}
	text[2 * (len < SIM_HASH_LEN ? len : SIM_HASH_LEN)] = '\0';
	return json_string(text);
}

json_t *
sim_json_proof(const struct sim_proof *p)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < p->len; i++) {
		if (json_array_append_new(a,
		    sim_json_b64(p->node[i], SIM_HASH_LEN)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

void
sim_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0) {
		continue;
	}
}
