/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf.c -- the configuration parser: every key, every default, and
 * one bad file per error with the exact "file:line:" prefix.
 *
 * The test runs from $top_srcdir (exported by make check; "." otherwise)
 * so the files under tests/data/conf/ and the key-file paths inside them
 * resolve the same way in and out of a VPATH build.
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "../tap.h"
#include "../badfile.h"

#define DIR "tests/data/conf/"

static char cwd[PATH_MAX];

/* The CT test log ECDSA P-256 key (07_log_keys.json, ct-test-log-ecdsa). */
static const uint8_t ecdsa_der[91] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
	0x07, 0x03, 0x42, 0x00, 0x04, 0x99, 0x78, 0x3c, 0xb1, 0x45, 0x33,
	0xc0, 0x16, 0x1a, 0x5a, 0xb4, 0x5b, 0xf9, 0x5d, 0x08, 0xa2, 0x9c,
	0xd0, 0xea, 0x8d, 0xd4, 0xc8, 0x42, 0x74, 0xe2, 0xbe, 0x59, 0xad,
	0x15, 0xc6, 0x76, 0x96, 0x0c, 0xf0, 0xaf, 0xa1, 0x07, 0x4a, 0x57,
	0xac, 0x64, 0x4b, 0x23, 0x47, 0x9e, 0x5b, 0x3f, 0xb7, 0xb2, 0x45,
	0xeb, 0x4b, 0x42, 0x0e, 0xf3, 0x70, 0x21, 0x03, 0x71, 0xa9, 0x44,
	0xbe, 0xac, 0xeb,
};

/* First and last bytes of the CT test log RSA-2048 key (294 bytes). */
static const uint8_t rsa_head[] = { 0x30, 0x82, 0x01, 0x22, 0x30, 0x0d };
static const uint8_t rsa_tail[] = { 0x9e, 0xdf, 0x02, 0x03, 0x01, 0x00,
	0x01 };

static bool
str_is(const char *got, const char *want, const char *what)
{
	bool pass = got != NULL && strcmp(got, want) == 0;
	ok(pass, "%s is '%s'", what, want);
	if (!pass) {
		diag("  got '%s'", got ? got : "(null)");
	}
	return pass;
}

/* cwd + "/" + rel */
static const char *
abs_path(const char *rel)
{
	static char buf[PATH_MAX + 64];
	snprintf(buf, sizeof(buf), "%s/%s", cwd, rel);
	return buf;
}

static void
check_listen(const struct conf_listen *l, int family, const char *addr,
    unsigned port, const char *text)
{
	uint8_t want[16];
	ok(inet_pton(family, addr, want) == 1, "test address %s", addr);
	is_int(l->addr.ss_family, family, "%s: family", text);
	if (family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&l->addr;
		is_int(l->addr_len, sizeof(*sin), "%s: length", text);
		is_int(ntohs(sin->sin_port), port, "%s: port", text);
		is_mem(&sin->sin_addr, want, 4, "%s: address", text);
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)&l->addr;
		is_int(l->addr_len, sizeof(*sin6), "%s: length", text);
		is_int(ntohs(sin6->sin6_port), port, "%s: port", text);
		is_mem(&sin6->sin6_addr, want, 16, "%s: address", text);
	}
	str_is(l->text, text, "listen text");
}

static void
test_good(void)
{
	struct conf *c = NULL;
	char err[512];
	int rc = conf_load(DIR "good.conf", &c, err, sizeof(err));
	if (!is_int(rc, CTD_OK, "good.conf loads")) {
		diag("  %s", err);
		exit(exit_status() | 1);
	}
	is_int(c->listen_count, 5, "five listen lines");
	check_listen(&c->listens[0], AF_INET, "127.0.0.1", 5353,
	    "127.0.0.1@5353");
	check_listen(&c->listens[1], AF_INET6, "::1", 5353, "::1@5353");
	check_listen(&c->listens[2], AF_INET, "0.0.0.0", 53, "0.0.0.0@53");
	check_listen(&c->listens[3], AF_INET6, "::", 53, "::@53");
	check_listen(&c->listens[4], AF_INET6, "fe80::1", 53, "fe80::1%1@53");
	is_int(((const struct sockaddr_in6 *)(const void *)
	    &c->listens[4].addr)->sin6_scope_id, 1, "IPv6 scope id");
	str_is(c->database, abs_path("var/ctdnsd-db"),
	    "database made absolute");
	is_int(c->database_size, UINT64_C(2) << 30, "database-size 2G");
	is_int(c->verbosity, 3, "verbosity");
	is_int(c->workers, 4, "workers");
	is_int(c->tcp_max_connections, 1000, "tcp-max-connections");
	is_int(c->tcp_idle_timeout, 30, "tcp-idle-timeout");
	str_is(c->pidfile, abs_path("run/ctdnsd.pid"),
	    "quoted pidfile made absolute");
	str_is(c->username, "ctdns", "username");
	str_is(c->chroot_dir, "/var/lib/ctdns", "chroot");
	ok(c->has_metrics, "metrics-listen given");
	check_listen(&c->metrics, AF_INET, "127.0.0.1", 9153,
	    "127.0.0.1@9153");
	str_is(c->outgoing_interface, "127.0.0.2", "outgoing-interface");

	is_int(c->log_count, 2, "two logs");
	const struct conf_log *a = &c->logs[0], *d = &c->logs[1];
	str_is(a->name, "argon_2025-h2", "log 1 name");
	str_is(a->zone, "argon.ct.example.", "zone lower case, trailing dot");
	str_is(a->zonefile, "/etc/ctdns/argon.zone", "absolute zonefile kept");
	str_is(a->url, "https://ct.example.net/logs/argon2025h2/",
	    "url gets its trailing slash");
	is_int(a->key_der_len, 294, "RSA key DER length");
	ok(a->key_der_len == 294 &&
	    memcmp(a->key_der, rsa_head, sizeof(rsa_head)) == 0 &&
	    memcmp(a->key_der + 294 - sizeof(rsa_tail), rsa_tail,
	    sizeof(rsa_tail)) == 0, "RSA key DER bytes");
	is_int(a->sth_refresh, 30, "sth-refresh");
	is_int(a->sth_ttl, 120, "sth-ttl");
	is_int(a->proof_ttl, 604800, "proof-ttl");
	is_int(a->negative_ttl, 15, "negative-ttl");
	is_int(a->upstream_timeout, 5, "upstream-timeout");
	is_int(a->upstream_concurrency, 8, "upstream-concurrency");
	is_int(a->upstream_queue, 256, "upstream-queue");
	is_int(a->upstream_rate, 50, "upstream-rate");
	str_is(a->file, DIR "good.conf", "log 1 file");
	is_int(a->line, 22, "log 1 section line");

	str_is(d->name, "demo", "log 2 name");
	str_is(d->zone, "demo.ct.example.", "log 2 zone");
	str_is(d->zonefile, abs_path("zones/demo.ct.example.zone"),
	    "relative zonefile made absolute");
	str_is(d->url, "http://127.0.0.1:8080/", "url with its slash kept");
	is_int(d->key_der_len, sizeof(ecdsa_der), "key-file DER length");
	ok(d->key_der_len == sizeof(ecdsa_der) &&
	    memcmp(d->key_der, ecdsa_der, sizeof(ecdsa_der)) == 0,
	    "key-file PEM read to the DER of the test log key");
	is_int(d->line, 37, "log 2 section line");
	is_int(d->sth_refresh, CONF_DEFAULT_STH_REFRESH, "default sth-refresh");

	ok(conf_find_log(c, "demo") == d, "conf_find_log finds demo");
	ok(conf_find_log(c, "argon_2025-h2") == a, "conf_find_log finds 1");
	ok(conf_find_log(c, "dem") == NULL, "conf_find_log: no prefix match");
	conf_free(c);
}

static void
test_defaults(const char *file)
{
	struct conf *c = NULL;
	char err[512];
	int rc = conf_load(file, &c, err, sizeof(err));
	if (!is_int(rc, CTD_OK, "%s loads", file)) {
		diag("  %s", err);
		exit(exit_status() | 1);
	}
	is_int(err[0], 0, "no message on success");
	is_int(c->listen_count, 1, "one listen");
	is_int(c->database_size, UINT64_C(1) << 30, "database-size 1G");
	is_int(c->verbosity, 1, "verbosity 1");
	is_int(c->workers, 1, "workers 1");
	is_int(c->tcp_max_connections, 512, "tcp-max-connections 512");
	is_int(c->tcp_idle_timeout, 10, "tcp-idle-timeout 10");
	is_int(c->rrl_rate, 0, "rrl-rate 0 (off)");
	is_int(c->rrl_slip, 2, "rrl-slip 2");
	is_int(c->rrl_ipv4_prefix, 24, "rrl-ipv4-prefix 24");
	is_int(c->rrl_ipv6_prefix, 56, "rrl-ipv6-prefix 56");
	is_int(c->rrl_size, 100000, "rrl-size 100000");
	is_int(c->answer_cache_size, 16 << 20, "answer-cache-size 16m");
	ok(c->pidfile == NULL && c->username == NULL && c->chroot_dir == NULL,
	    "no pidfile, username, chroot");
	ok(!c->has_metrics, "no metrics listener");
	ok(c->outgoing_interface == NULL, "no outgoing-interface");
	is_int(c->log_count, 1, "one log");
	const struct conf_log *l = &c->logs[0];
	is_int(l->sth_refresh, 60, "sth-refresh 60");
	is_int(l->sth_ttl, 300, "sth-ttl 300");
	is_int(l->proof_ttl, 86400, "proof-ttl 86400");
	is_int(l->negative_ttl, 60, "negative-ttl 60");
	is_int(l->upstream_timeout, 10, "upstream-timeout 10");
	is_int(l->upstream_concurrency, 4, "upstream-concurrency 4");
	is_int(l->upstream_queue, 64, "upstream-queue 64");
	is_int(l->upstream_rate, 0, "upstream-rate 0");
	str_is(l->url, "http://127.0.0.1:8080/ct/", "url slash appended");
	ok(l->key_der_len == sizeof(ecdsa_der) &&
	    memcmp(l->key_der, ecdsa_der, sizeof(ecdsa_der)) == 0,
	    "base64 key decoded to the DER of the test log key");
	conf_free(c);
}

static void
test_rrl(void)
{
	struct conf *c = NULL;
	char err[512];
	int rc = conf_load(DIR "rrl.conf", &c, err, sizeof(err));
	if (!is_int(rc, CTD_OK, "rrl.conf loads")) {
		diag("  %s", err);
		return;
	}
	is_int(c->rrl_rate, 20, "rrl-rate 20");
	is_int(c->rrl_slip, 0, "rrl-slip 0 (drop everything over the rate)");
	is_int(c->rrl_ipv4_prefix, 32, "rrl-ipv4-prefix 32");
	is_int(c->rrl_ipv6_prefix, 64, "rrl-ipv6-prefix 64");
	is_int(c->rrl_size, 1000, "rrl-size 1000");
	is_int(c->answer_cache_size, 0, "answer-cache-size 0 (off)");
	conf_free(c);
}

static const struct bad bads[] = {
	{ "bad_unknown_key.conf", CTD_ECONF, 4,
	    "unknown key 'listn' in section server:" },
	{ "bad_outside.conf", CTD_ECONF, 2, "key 'listen' outside a section" },
	{ "bad_toplevel_key.conf", CTD_ECONF, 1,
	    "key 'listen' outside a section" },
	{ "bad_unknown_section.conf", CTD_ECONF, 4,
	    "unknown section 'zone:'" },
	{ "bad_indented_section.conf", CTD_ECONF, 4,
	    "section 'log:' must start at column 0" },
	{ "bad_section_value.conf", CTD_ECONF, 1,
	    "unexpected 'listen' after 'server:'" },
	{ "bad_log_key_in_server.conf", CTD_ECONF, 4,
	    "unknown key 'zone' in section server:" },
	{ "bad_colon.conf", CTD_ECONF, 4, "missing ':' after 'verbosity'" },
	{ "bad_number.conf", CTD_ECONF, 4, "bad number '4x' for 'workers'" },
	{ "bad_negative.conf", CTD_ECONF, 4,
	    "bad number '-1' for 'tcp-idle-timeout'" },
	{ "bad_range.conf", CTD_ECONF, 4,
	    "'verbosity' is out of range: 6 (allowed 0 to 5)" },
	{ "bad_workers.conf", CTD_ECONF, 4,
	    "'workers' is out of range: 0 (allowed 1 to 64)" },
	{ "bad_size.conf", CTD_ECONF, 4,
	    "bad number '1.5G' for 'database-size'" },
	{ "bad_size_small.conf", CTD_ECONF, 4,
	    "'database-size' is out of range: 1023k (allowed 1048576 to" },
	{ "bad_ttl.conf", CTD_ECONF, 10,
	    "'sth-ttl' is out of range: 2147483648 (allowed 0 to 2147483647)" },
	{ "bad_refresh.conf", CTD_ECONF, 10,
	    "'sth-refresh' is out of range: 0" },
	{ "bad_listen.conf", CTD_ECONF, 4,
	    "bad address in listen: '127.0.0.256@53'" },
	{ "bad_listen_host.conf", CTD_ECONF, 4,
	    "bad address in listen: 'localhost'" },
	{ "bad_port.conf", CTD_ECONF, 4, "bad port in listen: '::1@65536'" },
	{ "bad_metrics.conf", CTD_ECONF, 4,
	    "bad port in metrics-listen: '127.0.0.1@'" },
	{ "bad_outgoing.conf", CTD_ECONF, 4,
	    "bad outgoing-interface 'eth0' (a numeric IPv4 or IPv6 address)" },
	{ "bad_missing.conf", CTD_ECONF, 5,
	    "log section is missing 'zonefile'" },
	{ "bad_missing_key.conf", CTD_ECONF, 4,
	    "log section is missing 'key' or 'key-file'" },
	{ "bad_dup_name.conf", CTD_ECONF, 11,
	    "duplicate log name 'demo' (first at "
	    "tests/data/conf/bad_dup_name.conf:4)" },
	{ "bad_dup_zone.conf", CTD_ECONF, 12,
	    "duplicate zone 'demo.ct.example.' (also in log 'demo' at "
	    "tests/data/conf/bad_dup_zone.conf:4)" },
	{ "bad_nested.conf", CTD_ECONF, 12,
	    "zone 'x.demo.ct.example.' lies inside zone 'demo.ct.example.' "
	    "of log 'demo'" },
	{ "bad_nested_outer.conf", CTD_ECONF, 12,
	    "zone 'ct.example.' contains zone 'demo.ct.example.' of log "
	    "'demo'" },
	{ "bad_both_keys.conf", CTD_ECONF, 10,
	    "both 'key' and 'key-file' given" },
	{ "bad_b64.conf", CTD_ECONF, 9, "bad key: not standard base64" },
	{ "bad_nonkey.conf", CTD_ECONF, 9,
	    "bad key: not a DER SubjectPublicKeyInfo" },
	{ "bad_p384.conf", CTD_ECONF, 9,
	    "bad key: neither an ECDSA P-256 key nor an RSA key of 2048 to 4096 bits" },
	{ "bad_rsa1024.conf", CTD_ECONF, 9,
	    "bad key: neither an ECDSA P-256 key nor an RSA key of 2048 to 4096 bits" },
	{ "bad_ed25519.conf", CTD_ECONF, 9,
	    "bad key: neither an ECDSA P-256 key nor an RSA key of 2048 to 4096 bits" },
	{ "bad_key_file.conf", CTD_ECONF, 9, "cannot read key-file '" },
	{ "bad_key_file_pem.conf", CTD_ECONF, 9, "key-file '" },
	{ "bad_dup_key.conf", CTD_ECONF, 4,
	    "duplicate key 'database' in section server:" },
	{ "bad_quote.conf", CTD_ECONF, 4,
	    "unterminated quoted value for 'username'" },
	{ "bad_trailing.conf", CTD_ECONF, 4,
	    "unexpected text after the value of 'username'" },
	{ "bad_no_value.conf", CTD_ECONF, 4, "missing value for 'pidfile'" },
	{ "bad_name.conf", CTD_ECONF, 5, "bad log name 'demo.log'" },
	{ "bad_zone.conf", CTD_ECONF, 6,
	    "bad zone name 'demo..ct.example.'" },
	{ "bad_root_zone.conf", CTD_ECONF, 6, "bad zone name '.'" },
	{ "bad_url.conf", CTD_ECONF, 8, "bad url 'ftp://127.0.0.1/ct'" },
	{ "bad_url_query.conf", CTD_ECONF, 8,
	    "bad url 'https://ct.example/log?x=1'" },
	{ "bad_nul.conf", CTD_ECONF, 3, "NUL byte in line" },
	{ "bad_no_listen.conf", CTD_ECONF, 0,
	    "no 'listen' in section server:" },
	{ "bad_no_database.conf", CTD_ECONF, 0,
	    "no 'database' in section server:" },
	{ "bad_no_log.conf", CTD_ECONF, 0, "no log: section" },
	{ "bad_empty.conf", CTD_ECONF, 0, "no 'listen' in section server:" },
	{ "bad_rrl_rate.conf", CTD_ECONF, 4,
	    "'rrl-rate' is out of range: 1000001 (allowed 0 to 1000000)" },
	{ "bad_rrl_rate_text.conf", CTD_ECONF, 4,
	    "bad number '10/s' for 'rrl-rate'" },
	{ "bad_rrl_slip.conf", CTD_ECONF, 4,
	    "'rrl-slip' is out of range: 101 (allowed 0 to 100)" },
	{ "bad_rrl_v4.conf", CTD_ECONF, 4,
	    "'rrl-ipv4-prefix' is out of range: 33 (allowed 1 to 32)" },
	{ "bad_rrl_v4_zero.conf", CTD_ECONF, 4,
	    "'rrl-ipv4-prefix' is out of range: 0 (allowed 1 to 32)" },
	{ "bad_rrl_v6.conf", CTD_ECONF, 4,
	    "'rrl-ipv6-prefix' is out of range: 129 (allowed 1 to 128)" },
	{ "bad_rrl_size.conf", CTD_ECONF, 4,
	    "'rrl-size' is out of range: 0 (allowed 1 to 16777216)" },
	{ "bad_answer_cache_size.conf", CTD_ECONF, 4,
	    "'answer-cache-size' is out of range: 2g (allowed 0 to "
	    "1073741824)" },
	{ "bad_answer_cache_unit.conf", CTD_ECONF, 4,
	    "bad number '1m5' for 'answer-cache-size' (bytes" },
	{ "bad_rrl_dup.conf", CTD_ECONF, 5,
	    "duplicate key 'rrl-rate' in section server:" },
	{ "bad_cosigner_half.conf", CTD_ECONF, 0,
	    "'cosigner-name' and 'cosigner-key' go together" },
	{ "bad_witness_alone.conf", CTD_ECONF, 0,
	    "'witness-listen' needs 'cosigner-name' and 'cosigner-key'" },
	{ "bad_cosigner_name.conf", CTD_ECONF, 5,
	    "bad cosigner-name 'witness+w1'" },
	{ "bad_cosigner_key.conf", CTD_ECONF, 6, "cosigner-key '" },
	{ "bad_cosigner_ec.conf", CTD_ECONF, 6, "cosigner-key '" },
	{ "no-such.conf", CTD_EIO, 0,
	    "cannot open: No such file or directory" },
};

static void
check_bad(const struct bad *b)
{
	char path[256], err[512];
	struct conf *c = NULL;
	snprintf(path, sizeof(path), DIR "%s", b->file);
	memset(err, 'x', sizeof(err));
	int rc = conf_load(path, &c, err, sizeof(err));
	bad_check(b, path, rc, c == NULL, "configuration", err, sizeof(err));
}

static void
test_cosigner(void)
{
	struct conf *c = NULL;
	char err[512];
	int rc = conf_load(DIR "cosigner.conf", &c, err, sizeof(err));
	if (!is_int(rc, CTD_OK, "cosigner.conf loads")) {
		diag("  %s", err);
		return;
	}
	ok(c->has_cosigner && str_is(c->cosigner_name, "witness.example/w1",
	    "cosigner-name"), "a cosigner");
	str_is(c->cosigner_key, abs_path(DIR "cosigner.pem"),
	    "cosigner-key made absolute");
	static const uint8_t zero[32];
	ok(memcmp(c->cosigner_seed, zero, 32) != 0, "its seed was read");
	ok(c->has_witness, "witness-listen");
	check_listen(&c->witness, AF_INET, "127.0.0.1", 8443,
	    "127.0.0.1@8443");
	conf_free(c);
	conf_load(DIR "bad_cosigner_key.conf", &c, err, sizeof(err));
	ok(strstr(err, "holds no PEM private key") != NULL,
	    "a public key file is named as no private key");
	conf_load(DIR "bad_cosigner_ec.conf", &c, err, sizeof(err));
	ok(strstr(err, "is not an Ed25519 key") != NULL,
	    "an EC private key is not an Ed25519 key");
}

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		check_bad(&bads[i]);
	}
	/* Details the prefix check above leaves out. */
	char err[512];
	struct conf *c = NULL;
	conf_load(DIR "bad_key_file.conf", &c, err, sizeof(err));
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want), "cannot read key-file '%s': No such "
	    "file or directory", abs_path(DIR "no-such-key.pem"));
	ok(strstr(err, want) != NULL, "key-file named by its absolute path");
	conf_load(DIR "bad_key_file_pem.conf", &c, err, sizeof(err));
	ok(strstr(err, "holds no PEM PUBLIC KEY") != NULL,
	    "a file that is not PEM is named as such");

	/* A directory opens but cannot be read. */
	is_int(conf_load("tests/data/conf", &c, err, sizeof(err)), CTD_EIO,
	    "a directory: CTD_EIO");
	ok(strncmp(err, "tests/data/conf:1: read error", 29) == 0,
	    "a directory: read error at line 1 (%s)", err);

	/* A short buffer holds a truncated, terminated message. */
	char tiny[12];
	memset(tiny, 'x', sizeof(tiny));
	is_int(conf_load(DIR "bad_range.conf", &c, tiny, sizeof(tiny)),
	    CTD_ECONF, "short buffer: still CTD_ECONF");
	ok(memchr(tiny, '\0', sizeof(tiny)) != NULL &&
	    strncmp(tiny, "tests/data/", 11) == 0,
	    "short buffer: truncated and terminated");
	is_int(conf_load(DIR "bad_range.conf", &c, NULL, 0), CTD_ECONF,
	    "no buffer at all: still CTD_ECONF");
	ok(c == NULL, "still no configuration");
}

static void
test_size(void)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t want;
	} cases[] = {
		{ "0", CTD_OK, 0 },
		{ "1048576", CTD_OK, 1048576 },
		{ "1k", CTD_OK, 1024 },
		{ "1K", CTD_OK, 1024 },
		{ "3m", CTD_OK, UINT64_C(3) << 20 },
		{ "1G", CTD_OK, UINT64_C(1) << 30 },
		{ "1g", CTD_OK, UINT64_C(1) << 30 },
		{ "16T", CTD_OK, UINT64_C(16) << 40 },
		{ "18446744073709551615", CTD_OK, UINT64_MAX },
		{ "16777215T", CTD_OK, UINT64_C(16777215) << 40 },
		{ "16777216T", CTD_ERANGE, 0 },
		{ "18446744073709551616", CTD_ERANGE, 0 },
		{ "", CTD_EMALF, 0 },
		{ "G", CTD_EMALF, 0 },
		{ "1.5G", CTD_EMALF, 0 },
		{ "1GB", CTD_EMALF, 0 },
		{ "-1", CTD_EMALF, 0 },
		{ "+1", CTD_EMALF, 0 },
		{ " 1", CTD_EMALF, 0 },
		{ "1 ", CTD_EMALF, 0 },
		{ "1p", CTD_EMALF, 0 },
		{ "0x10", CTD_EMALF, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int rc = conf_parse_size(cases[i].text, &v);
		is_int(rc, cases[i].rc, "size '%s': %s", cases[i].text,
		    ctd_strerror(cases[i].rc));
		if (cases[i].rc == CTD_OK) {
			ok(v == cases[i].want, "size '%s' = %llu",
			    cases[i].text, (unsigned long long)cases[i].want);
		}
	}
}

/* A configuration of minimal.conf's log with extra log lines, loaded from
 * a temporary file; rc and err as conf_load(). */
static int
load_log_lines(const char *extra, struct conf **c, char *err, size_t len)
{
	char path[] = "/tmp/test_conf_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		return CTD_EIO;
	}
	FILE *f = fdopen(fd, "w");
	fprintf(f, "server:\n\tlisten: 127.0.0.1@5353\n\tdatabase: db\n"
	    "log:\n\tname: demo\n\tzone: demo.ct.example.\n"
	    "\tzonefile: zones/demo.zone\n\turl: http://127.0.0.1:8080/ct\n"
	    "\tkey: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmXg8sUUzwBYaWrRb+V0Io"
	    "pzQ6o3UyEJ04r5ZrRXGdpYM8K+hB0pXrGRLI0eeWz+3skXrS0IO83AhA3GpRL6s6w"
	    "==\n%s", extra);
	fclose(f);
	int rc = conf_load(path, c, err, len);
	unlink(path);
	return rc;
}

/* A witness's verifier key text from a seed byte. */
static void
vkey_text(const char *name, uint8_t type, uint8_t seed_byte, char *out,
    size_t cap)
{
	uint8_t seed[NOTE_ED25519_LEN];
	memset(seed, seed_byte, sizeof seed);
	struct note_vkey k;
	note_vkey_from_seed(name, strlen(name), type, seed, &k);
	note_vkey_format(&k, out, cap);
}

static void
test_witnesses(void)
{
	char a[NOTE_VKEY_MAX], b[NOTE_VKEY_MAX], lines[2048], err[512];
	vkey_text("w1.example", NOTE_TYPE_COSIG_V1, 1, a, sizeof a);
	vkey_text("w2.example", NOTE_TYPE_ED25519, 2, b, sizeof b);
	snprintf(lines, sizeof lines,
	    "\twitness: w1.example %s http://127.0.0.1:9001\n"
	    "\twitness: w2.example %s https://w2.example/prefix/\n"
	    "\twitness-quorum: 2\n", a, b);
	struct conf *c = NULL;
	is_int(load_log_lines(lines, &c, err, sizeof err), CTD_OK,
	    "witnesses: two witnesses and a quorum of 2 load");
	if (c == NULL) {
		diag("  %s", err);
		return;
	}
	const struct conf_log *l = &c->logs[0];
	is_int(l->witness_count, 2, "witnesses: two listed");
	is_int(l->witness_quorum, 2, "witnesses: quorum 2");
	str_is(l->witnesses[0].url, "http://127.0.0.1:9001/",
	    "witness 1 url, slash added");
	str_is(l->witnesses[1].vkey.name, "w2.example", "witness 2 name");
	is_int(l->witnesses[1].vkey.type, NOTE_TYPE_COSIG_V1,
	    "witness 2: an Ed25519 vkey is used as cosignature/v1");
	is_int(l->witnesses[1].vkey.key_id, note_key_id("w2.example", 10,
	    NOTE_TYPE_COSIG_V1, l->witnesses[1].vkey.pub, NOTE_ED25519_LEN),
	    "witness 2: the cosignature/v1 key ID");
	struct conf_log copy = *l;
	is_int(conf_witness_dup(&copy, l), CTD_OK, "witnesses: copied");
	ok(copy.witnesses != l->witnesses && strcmp(copy.witnesses[1].url,
	    l->witnesses[1].url) == 0, "witnesses: a deep copy");
	conf_witness_free(&copy);
	conf_free(c);

	static const struct {
		const char *fmt;
		const char *msg;
	} bad[] = {
		{ "\twitness: w1.example %s\n", "three words" },
		{ "\twitness: w9.example %s http://x/\n", "is not the key's" },
		{ "\twitness: w1.example %s ftp://x/\n", "bad witness url" },
		{ "\twitness: w1.example %s http://x/\n"
		  "\twitness: w1.example %s http://y/\n", "given twice" },
		{ "\twitness: w1.example %s http://x/\n\twitness-quorum: 2\n",
		  "more than the 1 witnesses listed and no cosigner" },
		{ "\twitness: w1.example w1.example+0000+AAAA http://x/\n%s",
		  "bad witness key" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(lines, sizeof lines, bad[i].fmt, a, a);
		c = NULL;
		is_int(load_log_lines(lines, &c, err, sizeof err), CTD_ECONF,
		    "witness case %zu refused", i);
		ok(strstr(err, bad[i].msg) != NULL && strstr(err, ":") != NULL,
		    "witness case %zu: '%s' (got %s)", i, bad[i].msg, err);
		conf_free(c);
	}
}

int main(void);

int
main(void)
{
	const char *top = getenv("top_srcdir");
	if (top != NULL && chdir(top) != 0) {
		printf("Bail out! cannot chdir to %s\n", top);
		return 1;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		printf("Bail out! getcwd failed\n");
		return 1;
	}
	test_good();
	test_defaults(DIR "minimal.conf");
	test_defaults(DIR "crlf.conf");
	test_rrl();
	test_cosigner();
	test_bad();
	test_size();
	test_witnesses();
	conf_free(NULL);
	ok(1, "conf_free(NULL) is a no-op");
	return done_testing();
}
