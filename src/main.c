/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c -- ctdnsd: options, configuration check, daemon start, then the
 * server. Everything else lives in the library (src/libctdnsd.a).
 */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "fetch.h"
#include "log.h"
#include "logkey.h"
#include "server.h"
#include "zone.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ctdnsd -c FILE [-d] [--check]\n"
	    "  -c FILE   configuration file\n"
	    "  -d        stay in the foreground, log to stderr\n"
	    "  --check   validate the configuration and zone files, then exit\n"
	    "  -V        print the version\n");
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
		if (logkey_from_der(cl->key_der, cl->key_der_len, &k) != CTD_OK) {
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

static void
write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		log_err("pidfile %s: cannot write", path);
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool foreground = false, check = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': foreground = true; break;
		case 'k': check = true; break;
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
	struct server *srv;
	if (server_new(conf, &srv, err, sizeof err) != CTD_OK) {
		log_err("%s", err);
		tell_parent(ready_fd, err);
		fetch_global_cleanup();
		free(pidfile);
		return 1;
	}
	if (pidfile != NULL) {
		write_pidfile(pidfile);
	}
	tell_parent(ready_fd, "");
	server_run(srv);
	server_free(srv);
	fetch_global_cleanup();
	if (pidfile != NULL) {
		unlink(pidfile);
		free(pidfile);
	}
	log_notice("stopped");
	return 0;
}
