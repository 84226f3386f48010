/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_main.c -- ctlog-sim: a simulated RFC 6962 log for tests and demos.
 *
 * argv, signals and the growth timer; the log lives in sim_log.c, HTTP in
 * sim_http.c. SIGINT and SIGTERM are blocked in every thread and taken
 * synchronously here with sigtimedwait(), which doubles as the --interval
 * timer, so shutdown never races a handler.
 *
 * --static adds the C2SP static-ct-api read path (sim_static.h) to the
 * same server; the RFC 6962 API stays as it is.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "num.h"
#include "sim_http.h"
#include "sim_key.h"
#include "sim_log.h"
#include "sim_note.h"
#include "sim_static.h"

#define INTERVAL_MAX_MS (UINT64_C(86400) * 1000)
/* Initial sizes from which startup takes long enough to mention. */
#define PROGRESS_NOTE 100000

struct opts {
	const char *addr;
	uint16_t port;
	uint64_t entries;
	uint64_t grow;
	uint64_t interval_ms;
	const char *seed;
	const char *ready_file;
	bool print_key;
	bool tiled;
	const char *origin;
	bool print_vkey;
	bool cache;
	const char *split_client;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ctlog-sim [-a ADDR] [-p PORT] [-n ENTRIES]\n"
	    "                 [--grow K --interval SECS] [--seed TEXT]\n"
	    "                 [--ready-file PATH] [--print-key]\n"
	    "                 [--static [--origin ORIGIN]] "
	    "[--print-witness-vkey] [--cache-entries]\n"
	    "                 [--split-client ADDR]\n"
	    "  -a, --addr ADDR      listen address (default 127.0.0.1)\n"
	    "  -p, --port PORT      TCP port, 0 for any (default 8962)\n"
	    "  -n, --entries N      initial entries (default 1000)\n"
	    "      --grow K         append K entries every --interval\n"
	    "      --interval SECS  seconds between growths (e.g. 2, 0.5)\n"
	    "      --seed TEXT      key and certificate seed "
	    "(default ctdns-demo)\n"
	    "      --ready-file P   write the listening port to P\n"
	    "      --print-key      print the log key (base64 DER SPKI) "
	    "and exit\n"
	    "      --static         also serve the static-ct-api read path\n"
	    "      --origin ORIGIN  checkpoint origin (default ADDR:PORT)\n"
	    "      --print-witness-vkey  print the witness's signed-note "
	    "vkey and exit\n"
	    "      --cache-entries  keep the initial entries' bytes in memory "
	    "(about\n"
	    "                       400 bytes each, 900 more once in a "
	    "get-entries\n"
	    "                       answer): serving them costs no signing "
	    "and no JSON\n"
	    "      --split-client ADDR  in mode split (/sim/mode?set=split), "
	    "show this\n"
	    "                       client address another tree from then "
	    "on\n");
}

/* Canonical decimal in [min, max]. */
static bool
parse_in_range(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (num_parse_u64_str(s, 0, &v) != CTD_OK || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

/* Seconds with up to three decimals ("2", "0.25") into milliseconds. */
static bool
parse_interval(const char *s, uint64_t *ms_out)
{
	char whole[24];
	const char *dot = strchr(s, '.');
	size_t wlen = dot != NULL ? (size_t)(dot - s) : strlen(s);
	uint64_t secs, ms = 0, scale = 100;

	if (wlen == 0 || wlen >= sizeof(whole)) {
		return false;
	}
	memcpy(whole, s, wlen);
	whole[wlen] = '\0';
	if (!parse_in_range(whole, 0, INTERVAL_MAX_MS / 1000, &secs)) {
		return false;
	}
	if (dot != NULL) {
		if (dot[1] == '\0' || strlen(dot + 1) > 3) {
			return false;
		}
		for (const char *p = dot + 1; *p != '\0'; p++, scale /= 10) {
			if (*p < '0' || *p > '9') {
				return false;
			}
			ms += (uint64_t)(*p - '0') * scale;
		}
	}
	ms += secs * 1000;
	if (ms == 0 || ms > INTERVAL_MAX_MS) {
		return false;
	}
	*ms_out = ms;
	return true;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_GROW = 256, OPT_INTERVAL, OPT_SEED, OPT_READY, OPT_KEY,
		OPT_STATIC, OPT_ORIGIN, OPT_VKEY, OPT_CACHE, OPT_SPLIT };
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "entries", required_argument, NULL, 'n' },
		{ "grow", required_argument, NULL, OPT_GROW },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "print-key", no_argument, NULL, OPT_KEY },
		{ "static", no_argument, NULL, OPT_STATIC },
		{ "origin", required_argument, NULL, OPT_ORIGIN },
		{ "print-witness-vkey", no_argument, NULL, OPT_VKEY },
		{ "cache-entries", no_argument, NULL, OPT_CACHE },
		{ "split-client", required_argument, NULL, OPT_SPLIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	*o = (struct opts){ .addr = "127.0.0.1", .port = 8962,
	    .entries = 1000, .seed = "ctdns-demo" };
	while ((c = getopt_long(argc, argv, "a:p:n:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'a':
			o->addr = optarg;
			break;
		case 'p':
			if (!parse_in_range(optarg, 0, 65535, &v)) {
				goto bad;
			}
			o->port = (uint16_t)v;
			break;
		case 'n':
			if (!parse_in_range(optarg, 0, SIM_TREE_MAX_SIZE,
			    &o->entries)) {
				goto bad;
			}
			break;
		case OPT_GROW:
			if (!parse_in_range(optarg, 1, SIM_LOG_GROW_MAX,
			    &o->grow)) {
				goto bad;
			}
			break;
		case OPT_INTERVAL:
			if (!parse_interval(optarg, &o->interval_ms)) {
				goto bad;
			}
			break;
		case OPT_SEED:
			o->seed = optarg;
			break;
		case OPT_READY:
			o->ready_file = optarg;
			break;
		case OPT_KEY:
			o->print_key = true;
			break;
		case OPT_STATIC:
			o->tiled = true;
			break;
		case OPT_ORIGIN:
			/* A note line: no newline, no control characters. */
			for (const char *p = optarg; *p != '\0'; p++) {
				if ((unsigned char)*p < 0x20) {
					goto bad;
				}
			}
			if (*optarg == '\0' || strlen(optarg) > 255) {
				goto bad;
			}
			o->origin = optarg;
			break;
		case OPT_VKEY:
			o->print_vkey = true;
			break;
		case OPT_CACHE:
			o->cache = true;
			break;
		case OPT_SPLIT:
			o->split_client = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ctlog-sim: unexpected argument %s\n",
		    argv[optind]);
		return -1;
	}
	if (o->origin != NULL && !o->tiled) {
		fprintf(stderr, "ctlog-sim: --origin needs --static\n");
		return -1;
	}
	if ((o->grow == 0) != (o->interval_ms == 0)) {
		fprintf(stderr, "ctlog-sim: --grow and --interval go "
		    "together\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "ctlog-sim: bad option value: %s\n", optarg);
	usage(stderr);
	return -1;
}

/* Print "key: <base64 SPKI>" (or just the base64); 0 on success. */
static int
print_key(const uint8_t *spki, size_t len, bool prefix)
{
	char *text = malloc(4 * ((len + 2) / 3) + 1);

	if (text == NULL) {
		return -1;
	}
	EVP_EncodeBlock((unsigned char *)text, spki, (int)len);
	printf("%s%s\n", prefix ? "key: " : "", text);
	free(text);
	return fflush(stdout) == 0 ? 0 : -1;
}

/* Print the witness's vkey ("witness: " first when prefix); 0 if done. */
static int
print_vkey(const char *seed, bool prefix)
{
	struct sim_witness *w = sim_witness_new(seed);
	char *vkey = w != NULL ? sim_witness_vkey(w) : NULL;
	int rc = -1;

	if (vkey != NULL) {
		printf("%s%s\n", prefix ? "witness: " : "", vkey);
		rc = fflush(stdout) == 0 ? 0 : -1;
	}
	free(vkey);
	sim_witness_free(w);
	return rc;
}

/* Write "<port>\n" to path atomically (temporary file, then rename). */
static int
write_ready_file(const char *path, uint16_t port)
{
	char tmp[4096];
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= sizeof(tmp) || (f = fopen(tmp, "w")) == NULL) {
		return -1;
	}
	fprintf(f, "%u\n", (unsigned)port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait for SIGINT/SIGTERM, growing the log every interval meanwhile. */
static void
run(const struct opts *o, struct sim_log *log, const sigset_t *sigs)
{
	uint64_t next = mono_ms() + o->interval_ms;

	for (;;) {
		uint64_t now = mono_ms(), wait = next > now ? next - now : 0;
		struct timespec ts = { .tv_sec = (time_t)(wait / 1000),
		    .tv_nsec = (long)(wait % 1000) * 1000000 };
		int sig = o->interval_ms != 0 ? sigtimedwait(sigs, NULL, &ts) :
		    sigwaitinfo(sigs, NULL);

		if (sig == SIGINT || sig == SIGTERM) {
			return;
		}
		if (sig < 0 && errno == EAGAIN) {
			if (sim_log_grow(log, o->grow) != SIM_OK) {
				fprintf(stderr, "ctlog-sim: growing by %llu "
				    "failed\n", (unsigned long long)o->grow);
			}
			next += o->interval_ms;
			if (next < mono_ms()) {
				next = mono_ms() + o->interval_ms;
			}
		}
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sim_log *log = NULL;
	struct sim_http *http = NULL;
	struct sim_static *st = NULL;
	const uint8_t *spki;
	size_t spki_len;
	sigset_t sigs;
	int rc = 1;

	if (parse_args(argc, argv, &o) != 0) {
		return 2;
	}
	if (o.print_key) {
		struct sim_key *key = sim_key_new(o.seed);

		spki = key != NULL ? sim_key_spki(key, &spki_len) : NULL;
		rc = spki != NULL && print_key(spki, spki_len, false) == 0 ?
		    0 : 1;
		sim_key_free(key);
		return rc;
	}
	if (o.print_vkey) {
		return print_vkey(o.seed, false) == 0 ? 0 : 1;
	}
	/* Before any thread starts, so all of them inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((log = sim_log_new(o.seed)) == NULL) {
		fprintf(stderr, "ctlog-sim: cannot create the log\n");
		goto out;
	}
	/* A tiled log's readers read tiles: no get-entries text ahead. */
	if (o.cache && sim_log_cache_entries(log, o.entries, !o.tiled) !=
	    SIM_OK) {
		fprintf(stderr, "ctlog-sim: no memory to cache %llu entries\n",
		    (unsigned long long)o.entries);
		goto out;
	}
	if (o.entries >= PROGRESS_NOTE) {
		/* About 50 microseconds per entry and CPU: say why we wait. */
		fprintf(stderr, "ctlog-sim: generating %llu entries\n",
		    (unsigned long long)o.entries);
	}
	if (o.entries > 0 && sim_log_grow(log, o.entries) != SIM_OK) {
		fprintf(stderr, "ctlog-sim: cannot generate %llu entries\n",
		    (unsigned long long)o.entries);
		goto out;
	}
	if (o.tiled && (st = sim_static_new(log, o.seed, o.origin)) == NULL) {
		fprintf(stderr, "ctlog-sim: cannot set up --static\n");
		goto out;
	}
	if ((http = sim_http_start(log, st, o.addr, o.port,
	    o.split_client)) == NULL) {
		fprintf(stderr, "ctlog-sim: cannot listen on %s port %u\n",
		    o.addr, (unsigned)o.port);
		goto out;
	}
	printf(strchr(o.addr, ':') != NULL ?
	    "ctlog-sim: listening on http://[%s]:%u/ with %llu entries\n" :
	    "ctlog-sim: listening on http://%s:%u/ with %llu entries\n",
	    o.addr, (unsigned)sim_http_port(http),
	    (unsigned long long)o.entries);
	spki = sim_log_spki(log, &spki_len);
	if (print_key(spki, spki_len, true) != 0 ||
	    (o.tiled && print_vkey(o.seed, true) != 0)) {
		goto out;
	}
	if (o.ready_file != NULL &&
	    write_ready_file(o.ready_file, sim_http_port(http)) != 0) {
		fprintf(stderr, "ctlog-sim: cannot write %s\n", o.ready_file);
		goto out;
	}
	run(&o, log, &sigs);
	rc = 0;
out:
	sim_http_stop(http);
	sim_static_free(st);
	sim_log_free(log);
	return rc;
}
