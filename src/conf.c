/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.c -- the ctdnsd configuration file, parsed into struct conf.
 *
 * A line-oriented parser: each line is split into an optional indentation,
 * a key, a ':' and an optional value (quoted or bare), then handed to the
 * table of keys of the current section. Keys are described by a table
 * (name, kind, offset, range) so numbers, paths and strings share one
 * setter each and every range lives in one place. A log section is checked
 * for completeness when the next section begins or the file ends, and the
 * error then names the line of its "log:" header.
 *
 * The first error stops the parse: the message is written once into the
 * caller's buffer and the code travels back up unchanged.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64.h"
#include "conf.h"
#include "logkey.h"
#include "err.h"

/* RFC 2181 section 8: a TTL is an unsigned 31-bit number. */
#define TTL_MAX 2147483647u

enum section { SEC_NONE, SEC_SERVER, SEC_LOG };

struct parser;

/* How a key's value is stored. */
enum kind {
	K_FN,	/* a dedicated setter */
	K_INT,	/* int, range-checked */
	K_UINT,	/* unsigned, range-checked */
	K_U32,	/* uint32_t, range-checked */
	K_SIZE,	/* uint64_t with k/m/g/t suffix, range-checked */
	K_STR,	/* char *, as written */
	K_PATH,	/* char *, made absolute */
};

struct key_def {
	const char *name;
	enum kind kind;
	size_t off;		/* in struct conf or struct conf_log */
	uint64_t min, max;
	bool repeat;		/* may appear more than once */
	int (*fn)(struct parser *p, void *base, const char *value);
};

struct parser {
	const char *path;	/* as given, for messages */
	unsigned line;
	char *err;
	size_t err_len;
	struct conf *c;
	enum section section;
	uint32_t server_seen;	/* bit i: server key i was given */
	uint32_t log_seen;	/* bit i: log key i of the current section */
	char *cwd;		/* lazily filled by make_absolute() */
};

/* Write "path:line: message" (line 0: "path: message") into the buffer. */
static int
fail_at(struct parser *p, unsigned line, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail_at(struct parser *p, unsigned line, int rc, const char *fmt, ...)
{
	if (p->err == NULL || p->err_len == 0) {
		return rc;
	}
	int n;
	if (line > 0) {
		n = snprintf(p->err, p->err_len, "%s:%u: ", p->path, line);
	} else {
		n = snprintf(p->err, p->err_len, "%s: ", p->path);
	}
	if (n >= 0 && (size_t)n < p->err_len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- value parsers ------------------------------------------------------ */

/* Strict unsigned decimal: digits only, no sign, no blanks, no overflow. */
static int
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (*s == '\0') {
		return CTD_EMALF;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return CTD_EMALF;
		}
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10) {
			return CTD_ERANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return CTD_OK;
}

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
	int rc = parse_u64(digits, &v);
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
parse_number(struct parser *p, const struct key_def *def, const char *value,
    uint64_t *out)
{
	uint64_t v;
	int rc = def->kind == K_SIZE ? conf_parse_size(value, &v) :
	    parse_u64(value, &v);
	if (rc == CTD_EMALF) {
		return fail_at(p, p->line, CTD_ECONF,
		    "bad number '%s' for '%s'%s", value, def->name,
		    def->kind == K_SIZE ?
		    " (bytes, with an optional k, m, g or t suffix)" : "");
	}
	if (rc != CTD_OK || v < def->min || v > def->max) {
		return fail_at(p, p->line, CTD_ECONF,
		    "'%s' is out of range: %s (allowed %llu to %llu)",
		    def->name, value, (unsigned long long)def->min,
		    (unsigned long long)def->max);
	}
	*out = v;
	return CTD_OK;
}

/* dup or fail with ENOMEM. */
static int
set_string(struct parser *p, char **dst, const char *value)
{
	char *s = strdup(value);
	if (s == NULL) {
		return fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	free(*dst);
	*dst = s;
	return CTD_OK;
}

/* Make a path absolute against the working directory at load time. */
static int
make_absolute(struct parser *p, const char *value, char **out)
{
	if (value[0] == '/') {
		*out = strdup(value);
		return *out ? CTD_OK :
		    fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	if (p->cwd == NULL) {
		p->cwd = getcwd(NULL, 0);
		if (p->cwd == NULL) {
			return fail_at(p, p->line, CTD_ECONF,
			    "cannot make '%s' absolute: getcwd: %s", value,
			    strerror(errno));
		}
	}
	size_t n = strlen(p->cwd) + 1 + strlen(value) + 1;
	char *s = malloc(n);
	if (s == NULL) {
		return fail_at(p, p->line, CTD_ENOMEM, "out of memory");
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
		if (parse_u64(scope, &id) == CTD_OK && id <= UINT32_MAX) {
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
parse_listen(struct parser *p, const char *key, const char *value,
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
	if (at != NULL && (parse_u64(at + 1, &port) != CTD_OK || port == 0 ||
	    port > 65535)) {
		return fail_at(p, p->line, CTD_ECONF,
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
	return fail_at(p, p->line, CTD_ECONF,
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
set_listen(struct parser *p, void *base, const char *value)
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
		return fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	n[c->listen_count++] = l;
	c->listens = n;
	return CTD_OK;
}

static int
set_metrics(struct parser *p, void *base, const char *value)
{
	struct conf *c = base;
	int rc = parse_listen(p, "metrics-listen", value, &c->metrics);
	if (rc == CTD_OK) {
		c->has_metrics = true;
	}
	return rc;
}

static int
set_name(struct parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	size_t len = strlen(value);
	if (len > CONF_MAX_NAME_LEN) {
		return fail_at(p, p->line, CTD_ECONF,
		    "log name '%s' is longer than %d characters", value,
		    CONF_MAX_NAME_LEN);
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (!isalnum(ch) && ch != '-' && ch != '_') {
			return fail_at(p, p->line, CTD_ECONF,
			    "bad log name '%s' (letters, digits, '-' and '_' "
			    "only)", value);
		}
	}
	for (size_t i = 0; i + 1 < p->c->log_count; i++) {
		const struct conf_log *o = &p->c->logs[i];
		if (strcmp(o->name, value) == 0) {
			return fail_at(p, p->line, CTD_ECONF,
			    "duplicate log name '%s' (first at %s:%u)", value,
			    o->file, o->line);
		}
	}
	return set_string(p, &log->name, value);
}

static int
set_zone(struct parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	char *zone = NULL;
	int rc = canonical_zone(value, &zone);
	if (rc == CTD_ENOMEM) {
		return fail_at(p, p->line, rc, "out of memory");
	}
	if (rc != CTD_OK) {
		return fail_at(p, p->line, CTD_ECONF,
		    "bad zone name '%s' (labels of letters, digits, '-', '_')",
		    value);
	}
	for (size_t i = 0; i + 1 < p->c->log_count; i++) {
		const struct conf_log *o = &p->c->logs[i];
		if (strcmp(o->zone, zone) == 0) {
			rc = fail_at(p, p->line, CTD_ECONF, "duplicate zone "
			    "'%s' (also in log '%s' at %s:%u)", zone, o->name,
			    o->file, o->line);
		} else if (zone_within(zone, o->zone) ||
		    zone_within(o->zone, zone)) {
			rc = fail_at(p, p->line, CTD_ECONF, "zone '%s' %s "
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

static int
set_url(struct parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	size_t skip = 0;
	if (strncmp(value, "http://", 7) == 0) {
		skip = 7;
	} else if (strncmp(value, "https://", 8) == 0) {
		skip = 8;
	}
	if (skip == 0 || value[skip] == '\0' || value[skip] == '/') {
		return fail_at(p, p->line, CTD_ECONF,
		    "bad url '%s' (http:// or https:// and a host)", value);
	}
	for (const char *s = value; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= ' ' || ch >= 0x7f || ch == '?' || ch == '#') {
			return fail_at(p, p->line, CTD_ECONF,
			    "bad url '%s' (no spaces, query or fragment)",
			    value);
		}
	}
	size_t len = strlen(value);
	bool slash = value[len - 1] == '/';
	char *s = malloc(len + 2);
	if (s == NULL) {
		return fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	memcpy(s, value, len);
	if (!slash) {
		s[len++] = '/';
	}
	s[len] = '\0';
	free(log->url);
	log->url = s;
	return CTD_OK;
}

/*
 * Check DER SubjectPublicKeyInfo bytes: they must parse completely and be an
 * ECDSA P-256 or RSA >= 2048 key (the two kinds RFC 6962 allows).
 * @return: NULL when fine, else what is wrong.
 */
/* Why the key cannot serve as a log key, or NULL when it can. logkey.c
 * holds the one policy: ECDSA P-256, or RSA of 2048 to 4096 bits. */
static const char *
check_key_der(const uint8_t *der, size_t len)
{
	struct logkey *key = NULL;
	int rc = logkey_from_der(der, len, &key);
	logkey_free(key);
	switch (rc) {
	case CTD_OK:
		return NULL;
	case CTD_ERANGE:
		return "neither an ECDSA P-256 key nor an RSA key of 2048 to "
		       "4096 bits";
	case CTD_ENOMEM:
		return "out of memory";
	default:
		return "not a DER SubjectPublicKeyInfo";
	}
}

/* Strict standard base64 with padding; *out is malloc'd. */
static int
decode_b64(const char *text, uint8_t **out, size_t *out_len)
{
	size_t len = strlen(text);
	uint8_t *buf = malloc(len / 4 * 3 + 1);
	if (buf == NULL) {
		return CTD_ENOMEM;
	}
	int rc = base64_decode(text, len, buf, len / 4 * 3 + 1, out_len);
	if (rc != CTD_OK || *out_len == 0) {
		free(buf);
		return rc == CTD_OK ? CTD_EMALF : rc;
	}
	*out = buf;
	return CTD_OK;
}

static int
set_key(struct parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc = decode_b64(value, &der, &der_len);
	if (rc == CTD_ENOMEM) {
		return fail_at(p, p->line, rc, "out of memory");
	}
	if (rc != CTD_OK) {
		return fail_at(p, p->line, CTD_ECONF,
		    "bad key: not standard base64");
	}
	const char *why = check_key_der(der, der_len);
	if (why != NULL) {
		free(der);
		return fail_at(p, p->line, CTD_ECONF, "bad key: %s", why);
	}
	log->key_der = der;
	log->key_der_len = der_len;
	return CTD_OK;
}

/* Read a PEM "PUBLIC KEY" file into DER bytes. */
static int
set_key_file(struct parser *p, void *base, const char *value)
{
	struct conf_log *log = base;
	char *path = NULL;
	FILE *fp = NULL;
	EVP_PKEY *k = NULL;
	unsigned char *der = NULL;
	int rc = make_absolute(p, value, &path);
	if (rc != CTD_OK) {
		return rc;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = fail_at(p, p->line, CTD_ECONF,
		    "cannot read key-file '%s': %s", path, strerror(errno));
		goto out;
	}
	k = PEM_read_PUBKEY(fp, NULL, NULL, NULL);
	int n = k ? i2d_PUBKEY(k, &der) : -1;
	if (n <= 0) {
		rc = fail_at(p, p->line, CTD_ECONF,
		    "key-file '%s' holds no PEM PUBLIC KEY", path);
		goto out;
	}
	const char *why = check_key_der(der, (size_t)n);
	if (why != NULL) {
		rc = fail_at(p, p->line, CTD_ECONF, "bad key in key-file "
		    "'%s': %s", path, why);
		goto out;
	}
	log->key_der = malloc((size_t)n);
	if (log->key_der == NULL) {
		rc = fail_at(p, p->line, CTD_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(log->key_der, der, (size_t)n);
	log->key_der_len = (size_t)n;
out:
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	if (fp != NULL) {
		fclose(fp);
	}
	free(path);
	ERR_clear_error();
	return rc;
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
	{ "pidfile", K_PATH, SRV(pidfile), 0, 0, false, NULL },
	{ "username", K_STR, SRV(username), 0, 0, false, NULL },
	{ "chroot", K_STR, SRV(chroot_dir), 0, 0, false, NULL },
	{ "metrics-listen", K_FN, 0, 0, 0, false, set_metrics },
	{ NULL, K_FN, 0, 0, 0, false, NULL },
};

/* The indices of the required and exclusive log keys below. */
enum { LK_NAME, LK_ZONE, LK_ZONEFILE, LK_URL, LK_KEY, LK_KEY_FILE };

static const struct key_def log_keys[] = {
	[LK_NAME] = { "name", K_FN, 0, 0, 0, false, set_name },
	[LK_ZONE] = { "zone", K_FN, 0, 0, 0, false, set_zone },
	[LK_ZONEFILE] = { "zonefile", K_PATH, LOG(zonefile), 0, 0, false,
	    NULL },
	[LK_URL] = { "url", K_FN, 0, 0, 0, false, set_url },
	[LK_KEY] = { "key", K_FN, 0, 0, 0, false, set_key },
	[LK_KEY_FILE] = { "key-file", K_FN, 0, 0, 0, false, set_key_file },
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
	{ NULL, K_FN, 0, 0, 0, false, NULL },
};

/* Store value through def into the struct at base. */
static int
apply_key(struct parser *p, const struct key_def *def, void *base,
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
		int rc = make_absolute(p, value, &abs);
		if (rc == CTD_OK) {
			free(*(char **)(void *)field);
			*(char **)(void *)field = abs;
		}
		return rc;
	}
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

/* ---- sections ----------------------------------------------------------- */

static int
begin_log(struct parser *p)
{
	struct conf *c = p->c;
	struct conf_log *n = realloc(c->logs, (c->log_count + 1) * sizeof(*n));
	if (n == NULL) {
		return fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	c->logs = n;
	struct conf_log *log = &n[c->log_count];
	*log = (struct conf_log){
		.sth_refresh = CONF_DEFAULT_STH_REFRESH,
		.sth_ttl = CONF_DEFAULT_STH_TTL,
		.proof_ttl = CONF_DEFAULT_PROOF_TTL,
		.negative_ttl = CONF_DEFAULT_NEGATIVE_TTL,
		.upstream_timeout = CONF_DEFAULT_UPSTREAM_TIMEOUT,
		.upstream_concurrency = CONF_DEFAULT_UPSTREAM_CONCURRENCY,
		.upstream_queue = CONF_DEFAULT_UPSTREAM_QUEUE,
		.upstream_rate = CONF_DEFAULT_UPSTREAM_RATE,
		.line = p->line,
	};
	c->log_count++;
	log->file = strdup(p->path);
	if (log->file == NULL) {
		return fail_at(p, p->line, CTD_ENOMEM, "out of memory");
	}
	p->log_seen = 0;
	return CTD_OK;
}

/* A log section is complete: every required key is there. */
static int
end_log(struct parser *p)
{
	const struct conf_log *log = &p->c->logs[p->c->log_count - 1];
	static const int required[] = { LK_NAME, LK_ZONE, LK_ZONEFILE,
	    LK_URL };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!(p->log_seen & (UINT32_C(1) << required[i]))) {
			return fail_at(p, log->line, CTD_ECONF,
			    "log section is missing '%s'",
			    log_keys[required[i]].name);
		}
	}
	if (log->key_der == NULL) {
		return fail_at(p, log->line, CTD_ECONF,
		    "log section is missing 'key' or 'key-file'");
	}
	return CTD_OK;
}

static int
end_section(struct parser *p)
{
	return p->section == SEC_LOG ? end_log(p) : CTD_OK;
}

/* "name:" at column 0. */
static int
begin_section(struct parser *p, const char *name, const char *value)
{
	bool known = strcmp(name, "server") == 0 || strcmp(name, "log") == 0;
	if (!known && value[0] != '\0') {
		return fail_at(p, p->line, CTD_ECONF,
		    "key '%s' outside a section (indent it below server: "
		    "or log:)", name);
	}
	if (!known) {
		return fail_at(p, p->line, CTD_ECONF,
		    "unknown section '%s:' (server: or log:)", name);
	}
	if (value[0] != '\0') {
		return fail_at(p, p->line, CTD_ECONF,
		    "unexpected '%s' after '%s:' (keys go on their own "
		    "indented lines)", value, name);
	}
	int rc = end_section(p);
	if (rc != CTD_OK) {
		return rc;
	}
	if (strcmp(name, "server") == 0) {
		p->section = SEC_SERVER;
		return CTD_OK;
	}
	p->section = SEC_LOG;
	return begin_log(p);
}

/* An indented "key: value" line. */
static int
section_key(struct parser *p, const char *key, const char *value)
{
	if (p->section == SEC_NONE) {
		return fail_at(p, p->line, CTD_ECONF,
		    "key '%s' outside a section (put it below server: or "
		    "log:)", key);
	}
	bool server = p->section == SEC_SERVER;
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
			return fail_at(p, p->line, CTD_ECONF,
			    "section '%s:' must start at column 0", key);
		}
		return fail_at(p, p->line, CTD_ECONF,
		    "unknown key '%s' in section %s:", key, sname);
	}
	if (value[0] == '\0') {
		return fail_at(p, p->line, CTD_ECONF,
		    "missing value for '%s'", key);
	}
	uint32_t *seen = server ? &p->server_seen : &p->log_seen;
	uint32_t bit = UINT32_C(1) << i;
	if (!table[i].repeat && (*seen & bit)) {
		return fail_at(p, p->line, CTD_ECONF,
		    "duplicate key '%s' in section %s:", key, sname);
	}
	uint32_t keys = (UINT32_C(1) << LK_KEY) | (UINT32_C(1) << LK_KEY_FILE);
	if (!server && (i == LK_KEY || i == LK_KEY_FILE) && (*seen & keys)) {
		return fail_at(p, p->line, CTD_ECONF,
		    "both 'key' and 'key-file' given; use one");
	}
	*seen |= bit;
	void *base = server ? (void *)p->c :
	    (void *)&p->c->logs[p->c->log_count - 1];
	return apply_key(p, &table[i], base, value);
}

/* ---- lines -------------------------------------------------------------- */

/*
 * Split a line (no newline) into key and value, in place.
 * @return: CTD_OK with *key (never empty) and *value (maybe empty) set;
 *	CTD_ENOTFOUND for a blank or comment line; CTD_ECONF after failing.
 */
static int
split_line(struct parser *p, char *s, char **key, char **value)
{
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	if (*s == '\0' || *s == '#') {
		return CTD_ENOTFOUND;
	}
	char *k = s;
	while (*s != '\0' && *s != ':' && *s != ' ' && *s != '\t' &&
	    *s != '#') {
		s++;
	}
	if (*s != ':') {
		*s = '\0';
		return fail_at(p, p->line, CTD_ECONF,
		    "missing ':' after '%s' (want key: value)", k);
	}
	if (s == k) {
		return fail_at(p, p->line, CTD_ECONF, "missing key before ':'");
	}
	*s++ = '\0';
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	char *v = s, *end;
	if (*s == '"') {
		v = ++s;
		end = strchr(s, '"');
		if (end == NULL) {
			return fail_at(p, p->line, CTD_ECONF,
			    "unterminated quoted value for '%s'", k);
		}
		s = end + 1;
	} else {
		while (*s != '\0' && *s != '#' && *s != ' ' && *s != '\t') {
			s++;
		}
		end = s;
	}
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	if (*s != '\0' && *s != '#') {
		return fail_at(p, p->line, CTD_ECONF,
		    "unexpected text after the value of '%s' (quote values "
		    "that hold spaces)", k);
	}
	*end = '\0';
	*key = k;
	*value = v;
	return CTD_OK;
}

static int
parse_line(struct parser *p, char *line, size_t len)
{
	if (strlen(line) != len) {
		return fail_at(p, p->line, CTD_ECONF, "NUL byte in line");
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
		line[--len] = '\0';
	}
	bool indented = line[0] == ' ' || line[0] == '\t';
	char *key = NULL, *value = NULL;
	int rc = split_line(p, line, &key, &value);
	if (rc == CTD_ENOTFOUND) {
		return CTD_OK;
	}
	if (rc != CTD_OK) {
		return rc;
	}
	return indented ? section_key(p, key, value) :
	    begin_section(p, key, value);
}

/* The whole-file requirements, checked after the last line. */
static int
check_complete(struct parser *p)
{
	const struct conf *c = p->c;
	if (c->listen_count == 0) {
		return fail_at(p, 0, CTD_ECONF,
		    "no 'listen' in section server:");
	}
	if (c->database == NULL) {
		return fail_at(p, 0, CTD_ECONF,
		    "no 'database' in section server:");
	}
	if (c->log_count == 0) {
		return fail_at(p, 0, CTD_ECONF, "no log: section");
	}
	return CTD_OK;
}

int
conf_load(const char *path, struct conf **out, char *err, size_t err_len)
{
	struct parser p = {
		.path = path, .err = err, .err_len = err_len,
	};
	char *line = NULL;
	size_t cap = 0;
	int rc = CTD_OK;
	if (err != NULL && err_len > 0) {
		err[0] = '\0';
	}
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		return fail_at(&p, 0, CTD_EIO, "cannot open: %s",
		    strerror(errno));
	}
	p.c = calloc(1, sizeof(*p.c));
	if (p.c == NULL) {
		rc = fail_at(&p, 0, CTD_ENOMEM, "out of memory");
		goto out;
	}
	p.c->database_size = CONF_DEFAULT_DATABASE_SIZE;
	p.c->verbosity = CONF_DEFAULT_VERBOSITY;
	p.c->workers = CONF_DEFAULT_WORKERS;
	p.c->tcp_max_connections = CONF_DEFAULT_TCP_MAX_CONNECTIONS;
	p.c->tcp_idle_timeout = CONF_DEFAULT_TCP_IDLE_TIMEOUT;
	p.c->rrl_rate = CONF_DEFAULT_RRL_RATE;
	p.c->rrl_slip = CONF_DEFAULT_RRL_SLIP;
	p.c->rrl_ipv4_prefix = CONF_DEFAULT_RRL_IPV4_PREFIX;
	p.c->rrl_ipv6_prefix = CONF_DEFAULT_RRL_IPV6_PREFIX;
	p.c->rrl_size = CONF_DEFAULT_RRL_SIZE;
	ssize_t n;
	errno = 0;
	while (rc == CTD_OK && (n = getline(&line, &cap, fp)) != -1) {
		p.line++;
		rc = parse_line(&p, line, (size_t)n);
	}
	if (rc == CTD_OK && ferror(fp)) {
		rc = fail_at(&p, p.line + 1, CTD_EIO, "read error: %s",
		    strerror(errno));
	}
	if (rc == CTD_OK) {
		rc = end_section(&p);
	}
	if (rc == CTD_OK) {
		rc = check_complete(&p);
	}
out:
	if (rc == CTD_OK) {
		*out = p.c;
	} else {
		conf_free(p.c);
	}
	free(p.cwd);
	free(line);
	fclose(fp);
	return rc;
}

void
conf_free(struct conf *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->log_count; i++) {
		struct conf_log *log = &c->logs[i];
		free(log->name);
		free(log->zone);
		free(log->zonefile);
		free(log->url);
		free(log->key_der);
		free(log->file);
	}
	free(c->logs);
	free(c->listens);
	free(c->database);
	free(c->pidfile);
	free(c->username);
	free(c->chroot_dir);
	free(c);
}

const struct conf_log *
conf_find_log(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->log_count; i++) {
		if (strcmp(c->logs[i].name, name) == 0) {
			return &c->logs[i];
		}
	}
	return NULL;
}
