/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h -- the daemon's log output: stderr in the foreground, else syslog.
 *
 * Verbosity: 0 errors only, 1 (default) + warnings and operational notes,
 * 2 + info, 3+ debug (per-query detail). Client addresses are never logged
 * below verbosity 3 (docs/design.md, privacy).
 */
#ifndef CTD_LOG_H
#define CTD_LOG_H

#include <stdbool.h>

#define CTD_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Route output to syslog (true) or stderr (false); set the verbosity. */
void log_init(const char *ident, bool use_syslog, int verbosity);
void log_set_verbosity(int verbosity);
int log_verbosity(void);

void log_err(const char *fmt, ...) CTD_PRINTF(1, 2);
void log_warn(const char *fmt, ...) CTD_PRINTF(1, 2);
void log_notice(const char *fmt, ...) CTD_PRINTF(1, 2);
void log_info(const char *fmt, ...) CTD_PRINTF(1, 2);
void log_debug(const char *fmt, ...) CTD_PRINTF(1, 2);

#endif /* CTD_LOG_H */
