/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_keys.c -- the configuration keys: which exist in each section,
 * how each value is stored, its range and default, and the checks of a
 * whole section and file (see conf_int.h; the file reader is conf.c).
 *
 * Keys are described by a table (name, kind, offset, range) so numbers,
 * paths and strings share one setter each and every range lives in one
 * place; a key that needs more (listen addresses, zones, URLs, keys) has
 * a setter of its own.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "err.h"
#include "num.h"

/* RFC 2181 section 8: a TTL is an unsigned 31-bit number. */
#define TTL_MAX 2147483647u

/* How a key's value is stored. */
enum kind {
	K_FN,	/* a dedicated setter */
	K_INT,	/* int, range-checked */
	K_UINT,	/* unsigned, range-checked */
	K_U32,	/* uint32_t, range-checked */
	K_SIZE,	/* uint64_t with k/m/g/t suffix, range-checked */
	K_STR,	/* char *, as written */
	K_PATH,	/* char *, made absolute */
	K_BOOL,	/* bool: yes or no */
};

struct key_def {
	const char *name;
	enum kind kind;
	size_t off;		/* in struct conf or struct conf_log */
	uint64_t min, max;
	bool repeat;		/* may appear more than once */
	int (*fn)(struct conf_parser *p, void *base, const char *value);
};

/* ---- value parsers ------------------------------------------------------ */

int
conf_parse_size(const char *text, uint64_t *out)
{
	size_t len = strlen(text);
	unsigned shift = 0;
	if (len > 0) {
		switch (text[len - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: break;
		}
	}
	if (shift > 0) {
		len--;
	}
	char digits[32];
	if (len == 0 || len >= sizeof(digits)) {
		return len == 0 ? CTD_EMALF : CTD_ERANGE;
	}
	memcpy(digits, text, len);
	digits[len] = '\0';
	uint64_t v;
	int rc = num_parse_u64_str(digits, NUM_LEADING_ZEROS, &v);
	if (rc != CTD_OK) {
		return rc;
	}
	if (shift > 0 && v > (UINT64_MAX >> shift)) {
		return CTD_ERANGE;
	}
	*out = v << shift;
	return CTD_OK;
}

/* A number for key def, range-checked; the message names the key. */
static int
parse_number(struct conf_parser *p, const struct key_def *def,
    const char *value, uint64_t *out)
{
	uint64_t v;
	int rc = def->kind == K_SIZE ? conf_parse_size(value, &v) :
	    num_parse_u64_str(value, NUM_LEADING_ZEROS, &v);
	if (rc == CTD_EMALF) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad number '%s' for '%s'%s", value, def->name,
		    def->kind == K_SIZE ?
		    " (bytes, with an optional k, m, g or t suffix)" : "");
	}
	if (rc != CTD_OK || v < def->min || v > def->max) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "'%s' is out of range: %s (allowed %llu to %llu)",
		    def->name, value, (unsigned long long)def->min,
		    (unsigned long long)def->max);
	}
	*out = v;
	return CTD_OK;
}

/* dup or fail with ENOMEM. */
static int
set_string(struct conf_parser *p, char **dst, const char *value)
{
	char *s = strdup(value);
	if (s == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	free(*dst);
	*dst = s;
	return CTD_OK;
}

/* Make a path absolute against the working directory at load time. */
int
conf_keys_path(struct conf_parser *p, const char *value, char **out)
{
	if (value[0] == '/') {
		*out = strdup(value);
		return *out ? CTD_OK :
		    conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	if (p->cwd == NULL) {
		p->cwd = getcwd(NULL, 0);
		if (p->cwd == NULL) {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "cannot make '%s' absolute: getcwd: %s", value,
			    strerror(errno));
		}
	}
	size_t n = strlen(p->cwd) + 1 + strlen(value) + 1;
	char *s = malloc(n);
	if (s == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	snprintf(s, n, "%s%s%s", p->cwd,
	    p->cwd[strlen(p->cwd) - 1] == '/' ? "" : "/", value);
	*out = s;
	return CTD_OK;
}

/* IPv6 with an optional %scope (interface name or number). */
static bool
parse_in6(const char *host, struct sockaddr_in6 *sin6)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	if (strlen(host) >= sizeof(buf)) {
		return false;
	}
	strcpy(buf, host);
	char *scope = strchr(buf, '%');
	if (scope != NULL) {
		*scope++ = '\0';
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1) {
		return false;
	}
	if (scope != NULL) {
		uint64_t id;
		if (num_parse_u64_str(scope, NUM_LEADING_ZEROS, &id) ==
		    CTD_OK && id <= UINT32_MAX) {
			sin6->sin6_scope_id = (uint32_t)id;
		} else if ((sin6->sin6_scope_id = if_nametoindex(scope)) ==
		    0) {
			return false;
		}
	}
	return true;
}

/*
 * ADDR[@PORT]: a numeric IPv4 (dotted quad) or IPv6 address, port 1..65535,
 * default 53. The last '@' separates the port, so "::1@5353" works.
 */
static int
parse_listen(struct conf_parser *p, const char *key, const char *value,
    struct conf_listen *out)
{
	char host[128];
	const char *at = strrchr(value, '@');
	size_t hlen = at ? (size_t)(at - value) : strlen(value);
	uint64_t port = CONF_DEFAULT_PORT;
	memset(out, 0, sizeof(*out));
	if (hlen == 0 || hlen >= sizeof(host)) {
		goto bad;
	}
	memcpy(host, value, hlen);
	host[hlen] = '\0';
	if (at != NULL && (num_parse_u64_str(at + 1, NUM_LEADING_ZEROS,
	    &port) != CTD_OK || port == 0 || port > 65535)) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad port in %s: '%s' (1 to 65535)", key, value);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->addr;
	char text[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		out->addr_len = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
		snprintf(out->text, sizeof(out->text), "%s@%u", text,
		    (unsigned)port);
	} else if (parse_in6(host, sin6)) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		out->addr_len = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
		const char *pct = strchr(host, '%');
		snprintf(out->text, sizeof(out->text), "%s%s@%u", text,
		    pct ? pct : "", (unsigned)port);
	} else {
		goto bad;
	}
	return CTD_OK;
bad:
	return conf_fail_at(p, p->line, CTD_ECONF,
	    "bad address in %s: '%s' (a numeric IPv4 or IPv6 address, "
	    "optionally @PORT)", key, value);
}

/*
 * A domain name in canonical form: lower case, trailing dot, labels of
 * 1..63 letters, digits, '-' or '_', at most 255 octets on the wire.
 */
static int
canonical_zone(const char *value, char **out)
{
	size_t len = strlen(value);
	if (len > 0 && value[len - 1] == '.') {
		len--;
	}
	if (len == 0 || len + 2 > 255) {
		return CTD_EMALF;
	}
	char *s = malloc(len + 2);
	if (s == NULL) {
		return CTD_ENOMEM;
	}
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (ch == '.') {
			if (label == 0) {
				goto bad;
			}
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > 63) {
				goto bad;
			}
		} else {
			goto bad;
		}
		s[i] = (char)tolower(ch);
	}
	if (label == 0) {
		goto bad;
	}
	s[len] = '.';
	s[len + 1] = '\0';
	*out = s;
	return CTD_OK;
bad:
	free(s);
	return CTD_EMALF;
}

/* true when canonical name a is b or lies below it. */
static bool
zone_within(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la < lb || strcmp(a + la - lb, b) != 0) {
		return false;
	}
	return la == lb || a[la - lb - 1] == '.';
}

/* ---- keys ------------------------------------------------------------- */

static int
set_listen(struct conf_parser *p, void *base, const char *value)
{
	struct conf *c = base;
	struct conf_listen l;
	int rc = parse_listen(p, "listen", value, &l);
	if (rc != CTD_OK) {
		return rc;
	}
	struct conf_listen *n = realloc(c->listens,
	    (c->listen_count + 1) * sizeof(*n));
	if (n == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	n[c->listen_count++] = l;
	c->listens = n;
	return CTD_OK;
}

static int
set_metrics(struct conf_parser *p, void *base, const char *value)
{
	struct conf *c = base;
	int rc = parse_listen(p, "metrics-listen", value, &c->metrics);
	if (rc == CTD_OK) {
		c->has_metrics = true;
	}
	return rc;
}

/* outgoing-interface: a numeric address, kept as written. */
static int
set_outgoing_interface(struct conf_parser *p, void *base, const char *value)
{
	struct conf *c = base;
	struct in6_addr a6;
	struct in_addr a4;
	char *copy;

	if (inet_pton(AF_INET, value, &a4) != 1 &&
	    inet_pton(AF_INET6, value, &a6) != 1) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad outgoing-interface '%s' (a numeric IPv4 or IPv6 "
		    "address)", value);
	}
	if ((copy = strdup(value)) == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	free(c->outgoing_interface);
	c->outgoing_interface = copy;
	return CTD_OK;
}

static int
set_witness_listen(struct conf_parser *p, void *base, const char *value)
{
	struct conf *c = base;
	int rc = parse_listen(p, "witness-listen", value, &c->witness);
	if (rc == CTD_OK) {
		c->has_witness = true;
	}
	return rc;
}

static int
set_name(struct conf_parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	size_t len = strlen(value);
	if (len > CONF_MAX_NAME_LEN) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "log name '%s' is longer than %d characters", value,
		    CONF_MAX_NAME_LEN);
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (!isalnum(ch) && ch != '-' && ch != '_') {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "bad log name '%s' (letters, digits, '-' and '_' "
			    "only)", value);
		}
	}
	for (size_t i = 0; i + 1 < p->c->log_count; i++) {
		const struct conf_log *o = &p->c->logs[i];
		if (strcmp(o->name, value) == 0) {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "duplicate log name '%s' (first at %s:%u)", value,
			    o->file, o->line);
		}
	}
	return set_string(p, &log->name, value);
}

static int
set_zone(struct conf_parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	char *zone = NULL;
	int rc = canonical_zone(value, &zone);
	if (rc == CTD_ENOMEM) {
		return conf_fail_at(p, p->line, rc, "out of memory");
	}
	if (rc != CTD_OK) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad zone name '%s' (labels of letters, digits, '-', '_')",
		    value);
	}
	for (size_t i = 0; i + 1 < p->c->log_count; i++) {
		const struct conf_log *o = &p->c->logs[i];
		if (strcmp(o->zone, zone) == 0) {
			rc = conf_fail_at(p, p->line, CTD_ECONF,
			    "duplicate zone '%s' (also in log '%s' at %s:%u)",
			    zone, o->name, o->file, o->line);
		} else if (zone_within(zone, o->zone) ||
		    zone_within(o->zone, zone)) {
			rc = conf_fail_at(p, p->line, CTD_ECONF, "zone '%s' %s "
			    "zone '%s' of log '%s' (%s:%u); zones must not "
			    "nest", zone, zone_within(zone, o->zone) ?
			    "lies inside" : "contains", o->zone, o->name,
			    o->file, o->line);
		}
		if (rc != CTD_OK) {
			free(zone);
			return rc;
		}
	}
	free(log->zone);
	log->zone = zone;
	return CTD_OK;
}

int
conf_keys_url(struct conf_parser *p, const char *what, char **dst,
    const char *value)
{
	size_t skip = 0;
	if (strncmp(value, "http://", 7) == 0) {
		skip = 7;
	} else if (strncmp(value, "https://", 8) == 0) {
		skip = 8;
	}
	if (skip == 0 || value[skip] == '\0' || value[skip] == '/') {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "bad %s '%s' (http:// or https:// and a host)", what,
		    value);
	}
	for (const char *s = value; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= ' ' || ch >= 0x7f || ch == '?' || ch == '#') {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "bad %s '%s' (no spaces, query or fragment)",
			    what, value);
		}
	}
	size_t len = strlen(value);
	bool slash = value[len - 1] == '/';
	char *s = malloc(len + 2);
	if (s == NULL) {
		return conf_fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	memcpy(s, value, len);
	if (!slash) {
		s[len++] = '/';
	}
	s[len] = '\0';
	free(*dst);
	*dst = s;
	return CTD_OK;
}

static int
set_url(struct conf_parser *p, void *base, const char *value)
{
	return conf_keys_url(p, "url", &((struct conf_log *)base)->url,
	    value);
}

static int
set_monitoring_url(struct conf_parser *p, void *base, const char *value)
{
	return conf_keys_url(p, "url",
	    &((struct conf_log *)base)->monitoring_url, value);
}

static int
set_submission_url(struct conf_parser *p, void *base, const char *value)
{
	return conf_keys_url(p, "url",
	    &((struct conf_log *)base)->submission_url, value);
}

#define SRV(f) offsetof(struct conf, f)
#define LOG(f) offsetof(struct conf_log, f)

static const struct key_def server_keys[] = {
	{ "listen", K_FN, 0, 0, 0, true, set_listen },
	{ "database", K_PATH, SRV(database), 0, 0, false, NULL },
	{ "database-size", K_SIZE, SRV(database_size),
	    CONF_MIN_DATABASE_SIZE, UINT64_MAX, false, NULL },
	{ "verbosity", K_INT, SRV(verbosity), 0, CONF_MAX_VERBOSITY, false,
	    NULL },
	{ "workers", K_UINT, SRV(workers), 1, CONF_MAX_WORKERS, false, NULL },
	{ "tcp-max-connections", K_UINT, SRV(tcp_max_connections), 1, 100000,
	    false, NULL },
	{ "tcp-idle-timeout", K_UINT, SRV(tcp_idle_timeout), 1, 3600, false,
	    NULL },
	{ "rrl-rate", K_U32, SRV(rrl_rate), 0, CONF_MAX_RRL_RATE, false,
	    NULL },
	{ "rrl-slip", K_U32, SRV(rrl_slip), 0, CONF_MAX_RRL_SLIP, false,
	    NULL },
	{ "rrl-ipv4-prefix", K_UINT, SRV(rrl_ipv4_prefix), 1, 32, false,
	    NULL },
	{ "rrl-ipv6-prefix", K_UINT, SRV(rrl_ipv6_prefix), 1, 128, false,
	    NULL },
	{ "rrl-size", K_U32, SRV(rrl_size), 1, CONF_MAX_RRL_SIZE, false,
	    NULL },
	{ "answer-cache-size", K_SIZE, SRV(answer_cache_size), 0,
	    CONF_MAX_ANSWER_CACHE_SIZE, false, NULL },
	{ "pidfile", K_PATH, SRV(pidfile), 0, 0, false, NULL },
	{ "username", K_STR, SRV(username), 0, 0, false, NULL },
	{ "chroot", K_STR, SRV(chroot_dir), 0, 0, false, NULL },
	{ "metrics-listen", K_FN, 0, 0, 0, false, set_metrics },
	{ "outgoing-interface", K_FN, 0, 0, 0, false,
	    set_outgoing_interface },
	{ "cosigner-name", K_FN, 0, 0, 0, false, conf_cosigner_set_name },
	{ "cosigner-key", K_FN, 0, 0, 0, false, conf_cosigner_set_key },
	{ "witness-listen", K_FN, 0, 0, 0, false, set_witness_listen },
	{ NULL, K_FN, 0, 0, 0, false, NULL },
};

/* The indices of the required and exclusive log keys below. */
enum { LK_NAME, LK_ZONE, LK_ZONEFILE, LK_URL, LK_KEY, LK_KEY_FILE,
	LK_MONITORING_URL };

static const struct key_def log_keys[] = {
	[LK_NAME] = { "name", K_FN, 0, 0, 0, false, set_name },
	[LK_ZONE] = { "zone", K_FN, 0, 0, 0, false, set_zone },
	[LK_ZONEFILE] = { "zonefile", K_PATH, LOG(zonefile), 0, 0, false,
	    NULL },
	[LK_URL] = { "url", K_FN, 0, 0, 0, false, set_url },
	[LK_KEY] = { "key", K_FN, 0, 0, 0, false, conf_logkey_set_key },
	[LK_KEY_FILE] = { "key-file", K_FN, 0, 0, 0, false,
	    conf_logkey_set_file },
	[LK_MONITORING_URL] = { "monitoring-url", K_FN, 0, 0, 0, false,
	    set_monitoring_url },
	{ "submission-url", K_FN, 0, 0, 0, false, set_submission_url },
	{ "mirror", K_BOOL, LOG(mirror), 0, 0, false, NULL },
	{ "mirror-entries", K_BOOL, LOG(mirror_entries), 0, 0, false, NULL },
	{ "sth-refresh", K_U32, LOG(sth_refresh), 1, 86400, false, NULL },
	{ "sth-ttl", K_U32, LOG(sth_ttl), 0, TTL_MAX, false, NULL },
	{ "proof-ttl", K_U32, LOG(proof_ttl), 0, TTL_MAX, false, NULL },
	{ "negative-ttl", K_U32, LOG(negative_ttl), 0, TTL_MAX, false, NULL },
	{ "upstream-timeout", K_U32, LOG(upstream_timeout), 1, 3600, false,
	    NULL },
	{ "upstream-concurrency", K_U32, LOG(upstream_concurrency), 1, 1024,
	    false, NULL },
	{ "upstream-queue", K_U32, LOG(upstream_queue), 0, 1000000, false,
	    NULL },
	{ "upstream-rate", K_U32, LOG(upstream_rate), 0, 1000000, false,
	    NULL },
	{ "witness", K_FN, 0, 0, 0, true, conf_witness_set },
	{ "witness-quorum", K_U32, LOG(witness_quorum), 0,
	    CONF_MAX_WITNESSES + 1, false, NULL },
	{ NULL, K_FN, 0, 0, 0, false, NULL },
};

bool
conf_keys_words(const char *key)
{
	return strcmp(key, "witness") == 0;
}

/* Store value through def into the struct at base. */
static int
apply_key(struct conf_parser *p, const struct key_def *def, void *base,
    const char *value)
{
	char *field = (char *)base + def->off;
	uint64_t v = 0;
	switch (def->kind) {
	case K_FN:
		return def->fn(p, base, value);
	case K_STR:
		return set_string(p, (char **)(void *)field, value);
	case K_PATH: {
		char *abs = NULL;
		int rc = conf_keys_path(p, value, &abs);
		if (rc == CTD_OK) {
			free(*(char **)(void *)field);
			*(char **)(void *)field = abs;
		}
		return rc;
	}
	case K_BOOL:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "bad value '%s' for '%s' (yes or no)", value,
			    def->name);
		}
		*(bool *)(void *)field = strcmp(value, "yes") == 0;
		return CTD_OK;
	default:
		break;
	}
	int rc = parse_number(p, def, value, &v);
	if (rc != CTD_OK) {
		return rc;
	}
	switch (def->kind) {
	case K_INT: *(int *)(void *)field = (int)v; break;
	case K_UINT: *(unsigned *)(void *)field = (unsigned)v; break;
	case K_U32: *(uint32_t *)(void *)field = (uint32_t)v; break;
	case K_SIZE: *(uint64_t *)(void *)field = v; break;
	default: break;
	}
	return CTD_OK;
}

/* ---- sections ------------------------------------------------------------ */

int
conf_keys_set(struct conf_parser *p, bool server, const char *key,
    const char *value)
{
	const struct key_def *table = server ? server_keys : log_keys;
	const char *sname = server ? "server" : "log";
	size_t i;
	for (i = 0; table[i].name != NULL; i++) {
		if (strcmp(table[i].name, key) == 0) {
			break;
		}
	}
	if (table[i].name == NULL) {
		if ((strcmp(key, "server") == 0 || strcmp(key, "log") == 0) &&
		    value[0] == '\0') {
			return conf_fail_at(p, p->line, CTD_ECONF,
			    "section '%s:' must start at column 0", key);
		}
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "unknown key '%s' in section %s:", key, sname);
	}
	if (value[0] == '\0') {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "missing value for '%s'", key);
	}
	uint32_t *seen = server ? &p->server_seen : &p->log_seen;
	uint32_t bit = UINT32_C(1) << i;
	if (!table[i].repeat && (*seen & bit)) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "duplicate key '%s' in section %s:", key, sname);
	}
	uint32_t keys = (UINT32_C(1) << LK_KEY) | (UINT32_C(1) << LK_KEY_FILE);
	if (!server && (i == LK_KEY || i == LK_KEY_FILE) && (*seen & keys)) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "both 'key' and 'key-file' given; use one");
	}
	uint32_t ups = (UINT32_C(1) << LK_URL) |
	    (UINT32_C(1) << LK_MONITORING_URL);
	if (!server && (i == LK_URL || i == LK_MONITORING_URL) &&
	    (*seen & ups)) {
		return conf_fail_at(p, p->line, CTD_ECONF,
		    "both 'url' and 'monitoring-url' given; a log is either "
		    "RFC 6962 (url) or tiled (monitoring-url)");
	}
	*seen |= bit;
	void *base = server ? (void *)p->c :
	    (void *)&p->c->logs[p->c->log_count - 1];
	return apply_key(p, &table[i], base, value);
}

int
conf_keys_end_log(struct conf_parser *p)
{
	const struct conf_log *log = &p->c->logs[p->c->log_count - 1];
	static const int required[] = { LK_NAME, LK_ZONE, LK_ZONEFILE };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!(p->log_seen & (UINT32_C(1) << required[i]))) {
			return conf_fail_at(p, log->line, CTD_ECONF,
			    "log section is missing '%s'",
			    log_keys[required[i]].name);
		}
	}
	if (log->key_der == NULL) {
		return conf_fail_at(p, log->line, CTD_ECONF,
		    "log section is missing 'key' or 'key-file'");
	}
	if (log->url == NULL && log->monitoring_url == NULL) {
		return conf_fail_at(p, log->line, CTD_ECONF,
		    "log section is missing 'url' (an RFC 6962 log) or "
		    "'monitoring-url' (a tiled log)");
	}
	if (log->submission_url != NULL && log->monitoring_url == NULL) {
		return conf_fail_at(p, log->line, CTD_ECONF,
		    "'submission-url' is for tiled logs (with "
		    "'monitoring-url')");
	}
	if (log->mirror_entries &&
	    (log->monitoring_url == NULL || !log->mirror)) {
		return conf_fail_at(p, log->line, CTD_ECONF,
		    "'mirror-entries' is for tiled logs with 'mirror: yes'");
	}
	return CTD_OK;
}

int
conf_keys_end_file(struct conf_parser *p)
{
	const struct conf *c = p->c;
	if (c->listen_count == 0) {
		return conf_fail_at(p, 0, CTD_ECONF,
		    "no 'listen' in section server:");
	}
	if (c->database == NULL) {
		return conf_fail_at(p, 0, CTD_ECONF,
		    "no 'database' in section server:");
	}
	if (c->log_count == 0) {
		return conf_fail_at(p, 0, CTD_ECONF, "no log: section");
	}
	int rc = conf_cosigner_end_file(p);
	return rc == CTD_OK ? conf_witness_end_file(p) : rc;
}

/* ---- defaults and completeness ------------------------------------------ */

void
conf_keys_server_defaults(struct conf *c)
{
	c->database_size = CONF_DEFAULT_DATABASE_SIZE;
	c->verbosity = CONF_DEFAULT_VERBOSITY;
	c->workers = CONF_DEFAULT_WORKERS;
	c->tcp_max_connections = CONF_DEFAULT_TCP_MAX_CONNECTIONS;
	c->tcp_idle_timeout = CONF_DEFAULT_TCP_IDLE_TIMEOUT;
	c->rrl_rate = CONF_DEFAULT_RRL_RATE;
	c->rrl_slip = CONF_DEFAULT_RRL_SLIP;
	c->rrl_ipv4_prefix = CONF_DEFAULT_RRL_IPV4_PREFIX;
	c->rrl_ipv6_prefix = CONF_DEFAULT_RRL_IPV6_PREFIX;
	c->rrl_size = CONF_DEFAULT_RRL_SIZE;
	c->answer_cache_size = CONF_DEFAULT_ANSWER_CACHE_SIZE;
}

void
conf_keys_log_defaults(struct conf_log *log)
{
	*log = (struct conf_log){
		.sth_refresh = CONF_DEFAULT_STH_REFRESH,
		.sth_ttl = CONF_DEFAULT_STH_TTL,
		.proof_ttl = CONF_DEFAULT_PROOF_TTL,
		.negative_ttl = CONF_DEFAULT_NEGATIVE_TTL,
		.upstream_timeout = CONF_DEFAULT_UPSTREAM_TIMEOUT,
		.upstream_concurrency = CONF_DEFAULT_UPSTREAM_CONCURRENCY,
		.upstream_queue = CONF_DEFAULT_UPSTREAM_QUEUE,
		.upstream_rate = CONF_DEFAULT_UPSTREAM_RATE,
	};
}
