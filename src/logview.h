/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logview.h -- what the answer path reads of a served log: a read-only
 * view, never the log itself.
 *
 * The main loop's struct tlog keeps its view current (tlog.c: a new tree
 * head, a reload). A threaded worker answers from its own copy of each
 * view, changed only by messages from the main loop (worker.h), so the
 * answer path takes no lock and never reaches into the log's upstream,
 * poller or settings. The zone is shared: borrowed from the log, or from
 * a worker's reference-counted copy.
 */
#ifndef CTD_LOGVIEW_H
#define CTD_LOGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sth.h"

/* Room for an origin (note.h: NOTE_ORIGIN_MAX). */
#define LOGVIEW_ORIGIN_MAX 255

struct store_log;
struct zone;

struct logview {
	/* The log's id (struct tlog.id): what a miss names its log by. */
	uint64_t id;
	struct zone *zone;		/* borrowed */
	struct store_log *slog;		/* owned by the store */
	uint32_t sth_ttl, proof_ttl, negative_ttl;
	/* The verified tree head served now and its TXT text. */
	bool has_sth;
	struct sth sth;
	char sth_txt[STH_TXT_MAX];
	size_t sth_txt_len;
	/* The served head's checkpoint origin (the checkpoint answer):
	 * an RFC 6962 log's url: without scheme and trailing slash, a tiled
	 * log's checkpoint origin. Not NUL-terminated; origin_len 0 while
	 * unknown (a tiled log without submission-url:, before its first
	 * checkpoint verified since the start). Set with the head. */
	char origin[LOGVIEW_ORIGIN_MAX];
	size_t origin_len;
};

#endif /* CTD_LOGVIEW_H */
