/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_reload.c -- reading a configuration for SIGHUP: which logs
 * continue, which are new or removed, which server keys need a restart,
 * and that any invalid file (configuration, zone, key) yields no plan and
 * an error naming file:line.
 *
 * Everything is written into a temporary directory; the keys are the CT
 * test log keys already used by tests/data/conf (ECDSA P-256, RSA-2048).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "reload.h"
#include "tlog.h"
#include "../tap.h"

static const char key_ecdsa[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmXg8sUUzwBYaWrRb+V0IopzQ6o3UyEJ04r5Z"
    "rRXGdpYM8K+hB0pXrGRLI0eeWz+3skXrS0IO83AhA3GpRL6s6w==";
static const char key_rsa[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3tyLdYQYM+K+1jGlLUTJlNFTeNJM"
    "4LN5ctwAwXDhoKCFJrGAayZaXJsYtKHf+RH2Y6pqbtE4Ln/4HgXXzFQiBuyTed/ooAafYkDP"
    "Qsrg51/DxV4WZG66WzFjbFtBPKVfSnLqmbhRlr99PEY92bDt8YUOCfEikqHIDZaieJHQQlIx"
    "5yjOYbRnsBT0HDitTuvM1or589k+wnYVyNEtU9NpNA+37kBD0SM7LipYCCSrb0zh5yTriNQS"
    "/LmdUWE1G5v8VR+acttDl5zPKetocNMg7NIa/zvrXizld9DQqt2UiC49KcD9x2shxEgp64K0"
    "S0546kU0lKYnY7NimDkVRCOe3wIDAQAB";

static char dir[64];

static const char *
path_of(const char *name)
{
	static char buf[4][128];
	static unsigned n;
	char *p = buf[n++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path_of(name));
		exit(1);
	}
}

static void
write_zone(const char *name, const char *apex)
{
	char text[512];
	snprintf(text, sizeof text,
	    "$ORIGIN %s.\n$TTL 3600\n"
	    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 60\n"
	    "  IN NS ns1\nns1 IN A 127.0.0.1\n", apex);
	write_file(name, text);
}

/* A server section; extra goes inside it. */
static void
server_text(char *out, size_t cap, const char *listen, const char *extra)
{
	snprintf(out, cap, "server:\n\tlisten: %s\n\tdatabase: %s\n%s",
	    listen, path_of("db"), extra);
}

/* Append a log section. */
static void
log_text(char *out, size_t cap, const char *name, const char *zone,
    const char *url, const char *key, const char *extra)
{
	size_t n = strlen(out);
	snprintf(out + n, cap - n, "log:\n\tname: %s\n\tzone: %s\n"
	    "\tzonefile: %s\n\turl: %s\n\tkey: %s\n%s", name, zone,
	    path_of(zone), url, key, extra);
}

static struct conf *
load(const char *name, const char *text)
{
	char err[512] = "";
	struct conf *c = NULL;
	write_file(name, text);
	if (conf_load(path_of(name), &c, err, sizeof err) != CTD_OK) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	return c;
}

static void
test_restart_keys(void)
{
	char a[2048], b[2048];
	const char *keys[RELOAD_MAX_KEYS];
	server_text(a, sizeof a, "127.0.0.1@5300", "\tverbosity: 1\n");
	log_text(a, sizeof a, "one", "one.example", "http://l/", key_ecdsa,
	    "");
	server_text(b, sizeof b, "127.0.0.1@5301", "\tverbosity: 3\n"
	    "\tworkers: 2\n\ttcp-idle-timeout: 7\n");
	log_text(b, sizeof b, "one", "one.example", "http://l/", key_ecdsa,
	    "\tsth-ttl: 9\n");
	struct conf *ca = load("a.conf", a), *cb = load("b.conf", b);

	is_int(reload_restart_keys(ca, ca, keys, RELOAD_MAX_KEYS), 0,
	    "same configuration: no restart key");
	size_t n = reload_restart_keys(ca, cb, keys, RELOAD_MAX_KEYS);
	is_int(n, 3, "listen, workers, tcp-idle-timeout differ (not "
	    "verbosity, not a log's TTL)");
	ok(n == 3 && strcmp(keys[0], "listen") == 0 &&
	    strcmp(keys[1], "workers") == 0 &&
	    strcmp(keys[2], "tcp-idle-timeout") == 0, "named in order");
	keys[1] = NULL;
	is_int(reload_restart_keys(ca, cb, keys, 1), 3,
	    "a short array: the count is still whole");
	ok(keys[1] == NULL, "and nothing is written past it");
	conf_free(ca);
	conf_free(cb);
}

/* Fake running logs: reload_prepare() reads only their settings. */
static void
fake_logs(const struct conf *c, struct tlog *logs, struct tlog **ptrs)
{
	for (size_t i = 0; i < c->log_count; i++) {
		memset(&logs[i], 0, sizeof logs[i]);
		logs[i].conf = &c->logs[i];
		ptrs[i] = &logs[i];
	}
}

static void
test_plan(void)
{
	char a[4096], b[4096], err[512] = "";
	struct tlog logs[4], *ptrs[4];
	struct reload_plan *p = NULL;
	server_text(a, sizeof a, "127.0.0.1@5300", "");
	log_text(a, sizeof a, "same", "same.example", "http://s/", key_ecdsa,
	    "");
	log_text(a, sizeof a, "gone", "gone.example", "http://g/", key_ecdsa,
	    "");
	log_text(a, sizeof a, "moved", "moved.example", "http://m/",
	    key_ecdsa, "");
	log_text(a, sizeof a, "rekeyed", "rekeyed.example", "http://r/",
	    key_ecdsa, "");
	struct conf *run = load("run.conf", a);
	fake_logs(run, logs, ptrs);

	server_text(b, sizeof b, "127.0.0.1@5300", "");
	log_text(b, sizeof b, "fresh", "fresh.example", "http://f/", key_rsa,
	    "");
	log_text(b, sizeof b, "same", "same.example", "http://s/", key_ecdsa,
	    "\tsth-ttl: 77\n\tnegative-ttl: 5\n");
	log_text(b, sizeof b, "moved", "moved.example", "http://m2/",
	    key_ecdsa, "");
	log_text(b, sizeof b, "rekeyed", "rekeyed.example", "http://r/",
	    key_rsa, "");
	write_file("new.conf", b);
	write_zone("same.example", "same.example");
	write_zone("fresh.example", "fresh.example");
	write_zone("moved.example", "moved.example");
	write_zone("rekeyed.example", "rekeyed.example");

	int rc = reload_prepare(path_of("new.conf"), NULL, run, ptrs, 4, true,
	    &p, err, sizeof err);
	is_int(rc, CTD_OK, "a valid configuration gives a plan");
	if (p == NULL) {
		diag("%s", err);
		conf_free(run);
		return;
	}
	is_int(p->count, 4, "one entry per new log");
	ok(p->logs[0].running == RELOAD_NEW, "a new name: new");
	is_int(p->logs[1].running, 0, "same name, url and key: continues");
	ok(p->logs[2].running == RELOAD_NEW, "another url: replaced");
	ok(p->logs[3].running == RELOAD_NEW, "another key: replaced");
	ok(!p->removed[0] && p->removed[1] && p->removed[2] &&
	    p->removed[3], "removed: gone, moved, rekeyed; not same");
	is_int(p->logs[1].settings.sth_ttl, 77, "new sth-ttl in the copy");
	is_int(p->logs[1].settings.negative_ttl, 5, "new negative-ttl");
	ok(p->logs[1].settings.url != p->logs[1].conf->url &&
	    strcmp(p->logs[1].settings.url, "http://s/") == 0,
	    "the copy owns its strings");
	ok(p->logs[0].zone != NULL && p->logs[0].worker_zone != NULL &&
	    p->logs[0].zone != p->logs[0].worker_zone,
	    "two copies of each zone (main loop, workers)");
	is_int(p->restart_count, 0, "no server key changed");
	reload_plan_free(p);
	conf_free(run);
}

/* Each broken input: no plan, and the error starts with want. */
static void
expect_error(const struct conf *run, const char *text, const char *root,
    const char *want, const char *what)
{
	char err[512] = "";
	struct reload_plan *p = (struct reload_plan *)&err;
	write_file("bad.conf", text);
	int rc = reload_prepare(path_of("bad.conf"), root, run, NULL, 0,
	    false, &p, err, sizeof err);
	ok(rc != CTD_OK && p == NULL, "%s: refused, no plan", what);
	ok(strncmp(err, want, strlen(want)) == 0, "%s: error names %s", what,
	    want);
	if (strncmp(err, want, strlen(want)) != 0) {
		diag("  got '%s'", err);
	}
}

static void
test_errors(void)
{
	char a[2048], b[2048], want[256];
	server_text(a, sizeof a, "127.0.0.1@5300", "");
	log_text(a, sizeof a, "one", "one.example", "http://o/", key_ecdsa,
	    "");
	struct conf *run = load("run1.conf", a);
	write_zone("one.example", "one.example");

	server_text(b, sizeof b, "127.0.0.1@5300", "\tno-such-key: 1\n");
	snprintf(want, sizeof want, "%s:4:", path_of("bad.conf"));
	expect_error(run, b, NULL, want, "unknown key");

	server_text(b, sizeof b, "127.0.0.1@5300", "");
	log_text(b, sizeof b, "one", "one.example", "http://o/", key_ecdsa,
	    "");
	log_text(b, sizeof b, "two", "two.example", "http://t/", key_ecdsa,
	    "");
	write_file("two.example", "$ORIGIN two.example.\n$TTL 60\n"
	    "@ IN SOA ns1 h 1 2 3 4 5\n  IN NS ns1\nns1 IN A 999.1.1.1\n");
	snprintf(want, sizeof want, "%s:", path_of("two.example"));
	expect_error(run, b, NULL, want, "a broken zone file of a new log");

	write_zone("two.example", "two.example");
	expect_error(run, b, dir, "/one.example", "a chroot prefix taken off");

	/* No configuration to read (outside the chroot): zones only. */
	struct tlog logs[1], *ptrs[1];
	fake_logs(run, logs, ptrs);
	struct reload_plan *zp = NULL;
	char zerr[512] = "";
	int zrc = reload_prepare(NULL, NULL, run, ptrs, 1, false, &zp, zerr,
	    sizeof zerr);
	ok(zrc == CTD_OK && zp != NULL && zp->conf == NULL &&
	    zp->count == 1 && zp->logs[0].running == 0 &&
	    zp->logs[0].zone != NULL && !zp->removed[0],
	    "zone files only: the running log continues, its zone read");
	reload_plan_free(zp);
	write_zone("one.example", "one.example.broken..");
	zp = NULL;
	zrc = reload_prepare(NULL, NULL, run, ptrs, 1, false, &zp, zerr,
	    sizeof zerr);
	ok(zrc != CTD_OK && zp == NULL, "zone files only: a broken zone "
	    "refuses the reload (%s)", zerr);

	unlink(path_of("bad.conf"));
	snprintf(want, sizeof want, "%s", path_of("missing.conf"));
	char err[512] = "";
	struct reload_plan *p = NULL;
	int rc = reload_prepare(want, NULL, run, NULL, 0, false, &p, err,
	    sizeof err);
	ok(rc != CTD_OK && p == NULL && strstr(err, "missing.conf") != NULL,
	    "a missing file: refused, named");
	conf_free(run);
}

int
main(void)
{
	snprintf(dir, sizeof dir, "%s/ctdns-reload.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (strlen(dir) > 40 || mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	plan(26);
	test_restart_keys();
	test_plan();
	test_errors();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		diag("could not remove %s", dir);
	}
	return exit_status();
}
