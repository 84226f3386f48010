/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c -- the daemon's log output: stderr in the foreground, else syslog.
 *
 * The verbosity is process-wide configuration, set once at start and on
 * reload; writers on other threads only read it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static atomic_int verbosity = 1;
static bool to_syslog;
static const char *ident = "ctdnsd";

void
log_init(const char *name, bool use_syslog, int level)
{
	ident = name;
	to_syslog = use_syslog;
	atomic_store(&verbosity, level);
	if (use_syslog) {
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

void
log_set_verbosity(int level)
{
	atomic_store(&verbosity, level);
}

int
log_verbosity(void)
{
	return atomic_load(&verbosity);
}

static void
vlog(int prio, const char *tag, const char *fmt, va_list ap)
{
	if (to_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	char when[32];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	/* One fprintf per line keeps lines whole across threads. */
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", when, now.tv_nsec / 1000000,
	    ident, tag, line);
}

#define DEFINE_LOG(fn, level, prio, tag)                 \
	void fn(const char *fmt, ...)                    \
	{                                                \
		if (atomic_load(&verbosity) < (level)) { \
			return;                          \
		}                                        \
		va_list ap;                              \
		va_start(ap, fmt);                       \
		vlog(prio, tag, fmt, ap);                \
		va_end(ap);                              \
	}

DEFINE_LOG(log_err, 0, LOG_ERR, "error")
DEFINE_LOG(log_warn, 1, LOG_WARNING, "warning")
DEFINE_LOG(log_notice, 1, LOG_NOTICE, "notice")
DEFINE_LOG(log_info, 2, LOG_INFO, "info")
DEFINE_LOG(log_debug, 3, LOG_DEBUG, "debug")
