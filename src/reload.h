/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.h -- read a new configuration for SIGHUP and check all of it
 * against the running one before anything is applied.
 *
 * reload_prepare() reads the configuration file, loads every zone file
 * and every key, matches the new logs with the running ones by name and
 * says which server-level keys changed although only a restart can apply
 * them. Only when all of that succeeds does the server apply the plan
 * (server.c): nothing of an invalid configuration is ever half-applied.
 *
 * A log of the new configuration continues a running log when both have
 * the same name, url and key; otherwise it is new, and the running log of
 * that name (if any) is removed.
 *
 * Not pure: reads files. Never logs: every problem is in err, as
 * "file:line: what" when it comes from a file.
 *
 * In a chroot, the configuration file must lie inside it (as for
 * Unbound); when it does not, a reload reads the zone files only.
 */
#ifndef CTD_RELOAD_H
#define CTD_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

struct tlog;
struct zone;

/* reload_log.running of a log that no running log continues. */
#define RELOAD_NEW ((size_t)-1)
/* Most server-level keys reload_restart_keys() reports. */
#define RELOAD_MAX_KEYS 24

/* One log of the new configuration, ready to apply. */
struct reload_log {
	/* In the plan's conf (or the running log's settings when only the
	 * zone files are reloaded). */
	const struct conf_log *conf;
	/* A copy of the settings for the log (tlog_settings_dup()); its
	 * strings go to the log that takes it. */
	struct conf_log settings;
	struct zone *zone;		/* the main loop's copy, owned */
	struct zone *worker_zone;	/* threaded: the workers' copy */
	/* The index of the running log it continues, or RELOAD_NEW. */
	size_t running;
};

struct reload_plan {
	/* The new configuration, owned; NULL: zone files only. */
	struct conf *conf;
	struct reload_log *logs;	/* one per conf->logs, same order */
	size_t count;
	/* One per running log: true when no new log continues it. */
	bool *removed;
	size_t running_count;
	/* Server-level keys that changed and need a restart (static
	 * strings, e.g. "listen"). */
	const char *restart[RELOAD_MAX_KEYS];
	size_t restart_count;
};

/*
 * Read and check a configuration for a reload.
 * @param path: the configuration file; NULL when it cannot be read (it
 *	lies outside the chroot): then every running log continues with its
 *	settings, and only the zone files are read again.
 * @param root: the chroot directory the daemon runs in (the prefix is
 *	taken off every zone file path that has it), or NULL.
 * @param running: the configuration the daemon started with (for the
 *	server-level keys).
 * @param logs: the running logs (borrowed, read now).
 * @param worker_zones: also load a second copy of each zone, for the
 *	worker threads.
 * @param out: on success the plan (free with reload_plan_free()).
 * @param err: receives why the configuration cannot be applied.
 * @return: CTD_OK; CTD_ECONF, CTD_EIO (the file, a zone file or a key is
 *	wrong or unreadable); CTD_ENOMEM.
 */
int reload_prepare(const char *path, const char *root,
    const struct conf *running, struct tlog *const *logs, size_t count,
    bool worker_zones, struct reload_plan **out, char *err, size_t err_len);

/* Free a plan and whatever of it was not taken. NULL is a no-op. */
void reload_plan_free(struct reload_plan *p);

/*
 * The server-level keys that differ between two configurations and that
 * only a restart applies: listen, database, database-size, workers,
 * username, chroot, metrics-listen, pidfile, tcp-max-connections,
 * tcp-idle-timeout, the rrl-* keys and answer-cache-size. Pure.
 * @param keys: receives up to cap names (static strings).
 * @return: how many differ (at most cap are stored).
 */
size_t reload_restart_keys(const struct conf *a, const struct conf *b,
    const char **keys, size_t cap);

#endif /* CTD_RELOAD_H */
