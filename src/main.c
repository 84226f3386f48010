/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c -- ctdnsd: options, configuration check, daemon start, privileges,
 * then the server. Everything else lives in the library (src/libctdnsd.a).
 *
 * Start-up order, and why:
 *   1. read the configuration (a mistake reaches the terminal);
 *   2. go to the background unless -d (before any thread, before LMDB:
 *      neither survives a fork);
 *   3. look up `username:` and check that the database directory belongs
 *      to that user (create it for them when it is missing);
 *   4. build the server: open the store, load every zone and key, bind the
 *      DNS ports (privileged: still root here);
 *   5. start the metrics and witness listeners (their threads bind their
 *      ports now);
 *   6. write the pidfile (usually in a root-owned directory);
 *   7. chroot, when asked: everything above is loaded already;
 *   8. drop to the user: setgroups, setgid, setuid, for every thread;
 *   9. tell the waiting parent that we serve, and serve.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "fetch.h"
#include "log.h"
#include "logkey.h"
#include "metrics.h"
#include "note.h"
#include "server.h"
#include "witness.h"
#include "witness_http.h"
#include "zone.h"

/* The user to become, from `username:`. */
struct priv {
	bool drop;	/* switch: we are root, the user is not */
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Write an error message (truncated to err_len). */
static void
say(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ctdnsd -c FILE [-d] [--check | --print-cosigner-vkey]\n"
	    "  -c FILE   configuration file\n"
	    "  -d        stay in the foreground, log to stderr\n"
	    "  --check   validate the configuration and zone files, then exit\n"
	    "  --print-cosigner-vkey  print the cosigner's verifier key "
	    "(cosignature/v1)\n"
	    "  -V        print the version\n");
}

/* --print-cosigner-vkey: the key clients and logs are handed. */
static int
print_cosigner_vkey(const char *path)
{
	char err[1024] = "", text[NOTE_VKEY_MAX];
	struct conf *conf;
	struct note_vkey vkey;
	if (conf_load(path, &conf, err, sizeof err) != CTD_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int rc = CTD_ECONF;
	if (!conf->has_cosigner) {
		fprintf(stderr, "%s: no cosigner-name and cosigner-key\n",
		    path);
	} else if ((rc = note_vkey_from_seed(conf->cosigner_name,
	    strlen(conf->cosigner_name), NOTE_TYPE_COSIG_V1,
	    conf->cosigner_seed, &vkey)) == CTD_OK &&
	    (rc = note_vkey_format(&vkey, text, sizeof text)) == CTD_OK) {
		printf("%s\n", text);
	} else {
		fprintf(stderr, "%s: cosigner key: %s\n", path,
		    ctd_strerror(rc));
	}
	conf_free(conf);
	return rc == CTD_OK ? 0 : 1;
}

/* --check: the configuration, every zone file and every key. */
static int
check_only(const char *path)
{
	char err[1024] = "";
	struct conf *conf;
	if (conf_load(path, &conf, err, sizeof err) != CTD_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int status = 0;
	for (size_t i = 0; i < conf->log_count; i++) {
		const struct conf_log *cl = &conf->logs[i];
		struct zone *z = NULL;
		struct logkey *k = NULL;
		err[0] = '\0';
		if (zone_load(cl->zonefile, cl->zone, &z, err, sizeof err) !=
		    CTD_OK) {
			fprintf(stderr, "%s\n", err);
			status = 1;
		}
		if (logkey_from_der(cl->key_der, cl->key_der_len, &k) !=
		    CTD_OK) {
			fprintf(stderr, "%s:%u: log %s: unusable key\n",
			    cl->file, cl->line, cl->name);
			status = 1;
		}
		zone_free(z);
		logkey_free(k);
	}
	conf_free(conf);
	if (status == 0) {
		printf("%s: ok\n", path);
	}
	return status;
}

/*
 * Go to the background. The parent waits on a pipe until the child says
 * it is serving (or why it could not), so start-up errors reach the
 * terminal and the exit status.
 */
static int
daemonize(int *ready_fd)
{
	int fds[2];
	if (pipe(fds) != 0) {
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		return -1;
	}
	if (pid > 0) {
		char msg[1024];
		close(fds[1]);
		ssize_t n = read(fds[0], msg, sizeof msg - 1);
		if (n == 1 && msg[0] == '\0') {
			_exit(0);
		}
		if (n > 0) {
			msg[n] = '\0';
			fprintf(stderr, "ctdnsd: %s\n", msg);
		}
		_exit(1);
	}
	close(fds[0]);
	setsid();
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO) {
			close(null);
		}
	}
	*ready_fd = fds[1];
	return 0;
}

static void
tell_parent(int fd, const char *msg)
{
	if (fd < 0) {
		return;
	}
	ssize_t r = write(fd, msg, strlen(msg) + (msg[0] == '\0'));
	(void)r;
	close(fd);
}

static int
write_pidfile(const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		say(err, err_len, "pidfile %s: %s", path, strerror(errno));
		return CTD_EIO;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		say(err, err_len, "pidfile %s: %s", path, strerror(errno));
		return CTD_EIO;
	}
	return CTD_OK;
}

/* ---- privileges ----------------------------------------------------- */

static void
owner_name(uid_t uid, char *out, size_t out_len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw != NULL) {
		snprintf(out, out_len, "%s", pw->pw_name);
	} else {
		snprintf(out, out_len, "uid %ld", (long)uid);
	}
}

/* The store must belong to the user it will run as: the directory, and
 * its files when they exist. A missing directory is made for the user. */
static int
check_database(const char *dir, const struct priv *pv, char *err,
    size_t err_len)
{
	static const char *const files[] = { "", "/data.mdb", "/lock.mdb" };
	struct stat st;
	if (stat(dir, &st) != 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) != 0 ||
		    chown(dir, pv->uid, pv->gid) != 0) {
			say(err, err_len, "database %s: cannot create it "
			    "for %s: %s", dir, pv->name, strerror(errno));
			return CTD_EIO;
		}
		log_notice("database %s: created for user %s", dir, pv->name);
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[PATH_MAX], owner[64];
		snprintf(path, sizeof path, "%s%s", dir, files[i]);
		if (lstat(path, &st) != 0) {
			if (errno == ENOENT && i > 0) {
				continue;
			}
			say(err, err_len, "database %s: %s", path,
			    strerror(errno));
			return CTD_EIO;
		}
		if (st.st_uid != pv->uid) {
			owner_name(st.st_uid, owner, sizeof owner);
			say(err, err_len, "database %s is owned by %s, not "
			    "%s: chown it (chown -R %s: %s)", path, owner,
			    pv->name, pv->name, dir);
			return CTD_ECONF;
		}
	}
	return CTD_OK;
}

/* Files the store just created as root are given to the user. */
static void
chown_new_store_files(const char *dir, const struct priv *pv)
{
	static const char *const files[] = { "/data.mdb", "/lock.mdb" };
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof path, "%s%s", dir, files[i]);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid != pv->uid &&
		    lchown(path, pv->uid, pv->gid) != 0) {
			log_warn("database %s: chown to %s: %s", path,
			    pv->name, strerror(errno));
		}
	}
}

/* Look up `username:`; decide whether a switch is needed. */
static int
lookup_user(const char *name, struct priv *pv, char *err, size_t err_len)
{
	struct passwd *pw = getpwnam(name);
	if (pw == NULL) {
		say(err, err_len, "username %s: no such user", name);
		return CTD_ECONF;
	}
	snprintf(pv->name, sizeof pv->name, "%s", name);
	pv->uid = pw->pw_uid;
	pv->gid = pw->pw_gid;
	if (geteuid() == pv->uid) {
		pv->drop = false;	/* already that user */
		return CTD_OK;
	}
	if (geteuid() != 0) {
		say(err, err_len, "username %s: cannot switch to it "
		    "without root privileges (running as uid %ld)", name,
		    (long)geteuid());
		return CTD_ECONF;
	}
	pv->drop = true;
	return CTD_OK;
}

static int
drop_privileges(const struct priv *pv, char *err, size_t err_len)
{
	/* glibc applies these to every thread of the process. */
	if (setgroups(1, &pv->gid) != 0 || setgid(pv->gid) != 0 ||
	    setuid(pv->uid) != 0) {
		say(err, err_len, "username %s: cannot switch: %s",
		    pv->name, strerror(errno));
		return CTD_EIO;
	}
	if (pv->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		say(err, err_len, "username %s: root could be regained "
		    "after the switch; refusing to run", pv->name);
		return CTD_EIO;
	}
	log_info("running as user %s (uid %ld, gid %ld)", pv->name,
	    (long)pv->uid, (long)pv->gid);
	return CTD_OK;
}

/* A path as seen from inside root (which has no trailing '/'): the part
 * after root, in place; false when it lies outside. */
static bool
path_inside(char *path, const char *root)
{
	size_t n = strlen(root);
	if (path == NULL || strncmp(path, root, n) != 0 || path[n] != '/') {
		return false;
	}
	memmove(path, path + n, strlen(path + n) + 1);
	return true;
}

/*
 * chroot, then make the paths still used (the configuration file, for
 * SIGHUP; the pidfile, to remove it at exit) relative to the new root.
 * A reload takes the root off the zone file paths it reads.
 */
static int
enter_chroot(struct conf *conf, struct server *srv, char *conf_path,
    char *pidfile, char *err, size_t err_len)
{
	char root[PATH_MAX];
	if (realpath(conf->chroot_dir, root) == NULL || chdir(root) != 0 ||
	    chroot(".") != 0 || chdir("/") != 0) {
		say(err, err_len, "chroot %s: %s", conf->chroot_dir,
		    strerror(errno));
		return CTD_EIO;
	}
	if (strcmp(root, "/") == 0) {
		return CTD_OK;
	}
	for (size_t i = 0; i < conf->log_count; i++) {
		const struct conf_log *cl = &conf->logs[i];
		size_t n = strlen(root);
		if (strncmp(cl->zonefile, root, n) != 0 ||
		    cl->zonefile[n] != '/') {
			log_warn("log %s: zone file %s lies outside chroot %s: "
			    "SIGHUP will not find it", cl->name, cl->zonefile,
			    root);
		}
	}
	bool inside = path_inside(conf_path, root);
	if (!inside) {
		log_warn("configuration file %s lies outside chroot %s: "
		    "SIGHUP will reload the zone files only", conf_path, root);
	}
	if (server_set_conf_path(srv, inside ? conf_path : NULL, root) !=
	    CTD_OK) {
		say(err, err_len, "chroot: out of memory");
		return CTD_ENOMEM;
	}
	if (pidfile != NULL && !path_inside(pidfile, root)) {
		pidfile[0] = '\0';	/* out of reach: left behind */
	}
	log_info("chroot %s", root);
	return CTD_OK;
}

/* ---- the daemon ----------------------------------------------------- */

static char *
collect(void *arg, size_t *len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now_ms = (uint64_t)ts.tv_sec * 1000u +
	    (uint64_t)ts.tv_nsec / 1000000u;
	return metrics_collect_server(arg, now_ms, len);
}

/*
 * Everything between the configuration and serving (steps 3 to 8 above).
 * @param conf: taken over (by the server on success, freed otherwise).
 * @return: CTD_OK with *srv and *m set (m may be NULL), else an error
 *	with err filled; *srv is then NULL.
 */
static int
start(struct conf *conf, char *conf_path, char *pidfile, struct server **srv,
    struct metrics **m, struct witness_http **wh, char *err, size_t err_len)
{
	struct priv pv = { .drop = false };
	bool wrote_pidfile = false;
	int rc = CTD_OK;
	*srv = NULL;
	*m = NULL;
	*wh = NULL;
	if (conf->username != NULL) {
		rc = lookup_user(conf->username, &pv, err, err_len);
		if (rc == CTD_OK && pv.drop) {
			rc = check_database(conf->database, &pv, err, err_len);
		}
	}
	if (rc != CTD_OK) {
		conf_free(conf);
		return rc;
	}
	/* From here conf belongs to the server, valid until server_free(). */
	if ((rc = server_new(conf, srv, err, err_len)) != CTD_OK) {
		return rc;
	}
	if (pv.drop) {
		chown_new_store_files(conf->database, &pv);
	}
	rc = server_set_conf_path(*srv, conf_path, NULL);
	if (rc == CTD_OK && conf->has_metrics) {
		rc = metrics_start(server_loop(*srv), &conf->metrics, collect,
		    *srv, m, err, err_len);
		if (rc == CTD_OK) {
			log_notice("metrics-listen %s: serving /metrics",
			    conf->metrics.text);
		}
	}
	if (rc == CTD_OK && conf->has_witness) {
		rc = witness_http_start(server_witness(*srv), &conf->witness,
		    wh, err, err_len);
		if (rc == CTD_OK) {
			log_notice("witness-listen %s: serving add-checkpoint",
			    conf->witness.text);
		}
	}
	if (rc == CTD_OK && pidfile != NULL) {
		rc = write_pidfile(pidfile, err, err_len);
		wrote_pidfile = rc == CTD_OK;
	}
	if (rc == CTD_OK && conf->chroot_dir != NULL) {
		rc = enter_chroot(conf, *srv, conf_path, pidfile, err,
		    err_len);
	}
	if (rc == CTD_OK && pv.drop) {
		rc = drop_privileges(&pv, err, err_len);
	}
	if (rc != CTD_OK) {
		if (wrote_pidfile && pidfile[0] != '\0') {
			unlink(pidfile);
		}
		metrics_close(*m);
		*m = NULL;
		witness_http_close(*wh);
		*wh = NULL;
		server_free(*srv);
		*srv = NULL;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "print-cosigner-vkey", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool foreground = false, check = false, vkey = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': foreground = true; break;
		case 'k': check = true; break;
		case 'P': vkey = true; break;
		case 'V': printf("ctdnsd %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 1;
	}
	if (check) {
		return check_only(path);
	}
	if (vkey) {
		return print_cosigner_vkey(path);
	}

	char err[1024] = "";
	struct conf *conf;
	if (conf_load(path, &conf, err, sizeof err) != CTD_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int ready_fd = -1;
	if (!foreground && daemonize(&ready_fd) != 0) {
		perror("ctdnsd: fork");
		conf_free(conf);
		return 1;
	}
	log_init("ctdnsd", !foreground, conf->verbosity);
	signal(SIGPIPE, SIG_IGN);
	fetch_global_init();
	char *pidfile = conf->pidfile ? strdup(conf->pidfile) : NULL;
	/* Absolute: SIGHUP rereads it whatever the working directory. */
	char *conf_path = realpath(path, NULL);
	struct server *srv;
	struct metrics *m;
	struct witness_http *wh;
	if (conf_path == NULL && (conf_path = strdup(path)) == NULL) {
		snprintf(err, sizeof err, "out of memory");
		conf_free(conf);
	}
	if (conf_path == NULL || start(conf, conf_path, pidfile, &srv, &m,
	    &wh, err, sizeof err) != CTD_OK) {
		log_err("%s", err);
		tell_parent(ready_fd, err);
		fetch_global_cleanup();
		free(conf_path);
		free(pidfile);
		return 1;
	}
	free(conf_path);
	tell_parent(ready_fd, "");
	server_run(srv);
	metrics_close(m);
	witness_http_close(wh);
	server_free(srv);
	fetch_global_cleanup();
	if (pidfile != NULL && pidfile[0] != '\0' && unlink(pidfile) != 0) {
		log_info("pidfile %s: not removed: %s", pidfile,
		    strerror(errno));
	}
	free(pidfile);
	log_notice("stopped");
	return 0;
}
