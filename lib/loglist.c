/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loglist.c -- the known logs: Chrome's log_list.json v3, plus DNS zones.
 *
 * The list is parsed with jansson. Every log's key is loaded through
 * logkey.c (ECDSA P-256 or RSA >= 2048) and its log_id must be the
 * SHA-256 of the key, so a list cannot name one log with another's key.
 * The same logs are then handed to OpenSSL as a CTLOG_STORE for
 * SCT_validate(). OpenSSL offers no call that adds a CTLOG to a store,
 * only CTLOG_STORE_load_file() on its own configuration format, so the
 * store is loaded from such a file written to an anonymous memfd (never
 * to the file system) and read back through /proc/self/fd.
 *
 * Each operator may list RFC 6962 logs ("logs") and C2SP static-ct-api
 * logs ("tiled_logs"); both kinds go into one array (an SCT names its log
 * only by ID) and are parsed by one function, the URL fields aside, so
 * the rules for keys, IDs, states and zones are the same for both.
 *
 * Times in the list are RFC 3339 UTC ("2024-01-31T00:00:00Z", optional
 * fraction); they become milliseconds since the epoch.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <openssl/ct.h>

#include "base64.h"
#include "cpverify.h"
#include "err.h"
#include "internal.h"
#include "logkey.h"
#include "note.h"

/* Most logs one list may hold. */
#define LOGS_MAX 4096

static const char *const state_names[] = {
	[CTDNS_STATE_NONE] = "none",
	[CTDNS_STATE_PENDING] = "pending",
	[CTDNS_STATE_QUALIFIED] = "qualified",
	[CTDNS_STATE_USABLE] = "usable",
	[CTDNS_STATE_READONLY] = "readonly",
	[CTDNS_STATE_RETIRED] = "retired",
	[CTDNS_STATE_REJECTED] = "rejected",
};

const char *
ctdns_log_state_name(enum ctdns_log_state state)
{
	if ((size_t)state >= sizeof state_names / sizeof state_names[0]) {
		return "unknown";
	}
	return state_names[state];
}

__attribute__((format(printf, 3, 4)))
static void
set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* Digits s[0..n) as a number; -1 when one is not a digit. */
static long
digits(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) {
			return -1;
		}
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fff...]Z" in ms since the epoch. */
static int
parse_time(const char *s, uint64_t *out)
{
	size_t len = strlen(s);
	struct tm tm = { 0 };
	long ms = 0;

	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
	    (s[len - 1] != 'Z' && s[len - 1] != 'z')) {
		return CTD_EMALF;
	}
	long y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	long h = digits(s + 11, 2), mi = digits(s + 14, 2);
	long se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) {
		return CTD_EMALF;
	}
	if (len > 20) {
		/* A fraction: ".d+" before the Z; keep milliseconds. */
		size_t flen = len - 21;
		if (s[19] != '.' || flen == 0 || digits(s + 20, flen) < 0) {
			return CTD_EMALF;
		}
		for (size_t i = 0; i < 3; i++) {
			ms = ms * 10 + (i < flen ? s[20 + i] - '0' : 0);
		}
	}
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)(mo - 1);
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	time_t t = timegm(&tm);
	if (t == (time_t)-1) {
		return CTD_EMALF;
	}
	*out = (uint64_t)t * 1000 + (uint64_t)ms;
	return CTD_OK;
}

/* A copy of a string member, or NULL (and *bad set) when mistyped. */
static char *
dup_member(const json_t *obj, const char *name, bool required, bool *bad)
{
	const json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		if (required) {
			*bad = true;
		}
		return NULL;
	}
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	char *s = strdup(json_string_value(v));
	if (s == NULL) {
		*bad = true;
	}
	return s;
}

/* A zone in canonical text: valid name, final dot. NULL when invalid. */
static char *
zone_canon(const char *zone)
{
	size_t len = strlen(zone);
	char *z;

	if (len == 0 || len > 253 || strcmp(zone, ".") == 0) {
		return NULL;
	}
	if ((z = malloc(len + 2)) == NULL) {
		return NULL;
	}
	snprintf(z, len + 2, "%s%s", zone, zone[len - 1] == '.' ? "" : ".");
	ldns_rdf *check = ldns_dname_new_frm_str(z);
	if (check == NULL) {
		free(z);
		return NULL;
	}
	ldns_rdf_deep_free(check);
	return z;
}

/* The state object: exactly one known member holding {"timestamp"}. */
static int
parse_state(const json_t *state, struct ll_log *l)
{
	const char *key;
	json_t *v;

	if (state == NULL) {
		return CTD_OK;
	}
	if (!json_is_object(state) || json_object_size(state) != 1) {
		return CTD_EMALF;
	}
	json_object_foreach((json_t *)state, key, v) {
		size_t i;
		for (i = 1; i < sizeof state_names / sizeof state_names[0];
		    i++) {
			if (strcmp(key, state_names[i]) == 0) {
				break;
			}
		}
		if (i == sizeof state_names / sizeof state_names[0] ||
		    !json_is_object(v)) {
			return CTD_EMALF;
		}
		l->state = (enum ctdns_log_state)i;
		const json_t *ts = json_object_get(v, "timestamp");
		if (ts != NULL && (!json_is_string(ts) ||
		    parse_time(json_string_value(ts), &l->state_time_ms) !=
		    CTD_OK)) {
			return CTD_EMALF;
		}
	}
	return CTD_OK;
}

/*
 * The URLs: "url" (optional) of an RFC 6962 log; "submission_url" and
 * "monitoring_url" (required) of a tiled log. Absent ones become "".
 */
static void
parse_urls(const json_t *o, struct ll_log *l, bool *bad)
{
	if (l->tiled) {
		l->url = dup_member(o, "submission_url", true, bad);
		l->monitoring_url = dup_member(o, "monitoring_url", true, bad);
	} else {
		l->url = dup_member(o, "url", false, bad);
	}
	if (l->url == NULL && (l->url = strdup("")) == NULL) {
		*bad = true;
	}
	if (l->monitoring_url == NULL &&
	    (l->monitoring_url = strdup("")) == NULL) {
		*bad = true;
	}
}

/* One element of operators[].logs[] or, tiled set, .tiled_logs[]. */
static int
parse_log(const json_t *o, bool tiled, struct ll_log *l, char *err,
    size_t err_len)
{
	bool bad = false;
	uint8_t id[64];
	size_t id_len;

	if (!json_is_object(o)) {
		set_err(err, err_len, "a log is not an object");
		return CTD_EMALF;
	}
	l->tiled = tiled;
	l->description = dup_member(o, "description", false, &bad);
	parse_urls(o, l, &bad);
	l->key_b64 = dup_member(o, "key", true, &bad);
	char *id_b64 = dup_member(o, "log_id", true, &bad);
	char *zone = dup_member(o, "dns", false, &bad);
	const json_t *mmd = json_object_get(o, "mmd");
	int rc = CTD_EMALF;

	if (bad || (mmd != NULL && (!json_is_integer(mmd) ||
	    json_integer_value(mmd) < 0 ||
	    json_integer_value(mmd) > 365 * 86400))) {
		set_err(err, err_len, "%slog %s: a field is missing or of the "
		    "wrong type (log_id, key%s: strings; mmd: seconds)",
		    tiled ? "tiled " : "", id_b64 != NULL ? id_b64 :
		    "(no log_id)", tiled ? ", submission_url, monitoring_url" :
		    "");
		goto out;
	}
	l->mmd_ms = mmd != NULL ? (uint64_t)json_integer_value(mmd) * 1000 :
	    86400000;
	if (l->description == NULL && (l->description = strdup("")) ==
	    NULL) {
		goto out;
	}
	if (base64_decode(id_b64, strlen(id_b64), id, sizeof id, &id_len) !=
	    CTD_OK || id_len != CTDNS_LOG_ID_LEN) {
		set_err(err, err_len, "log %s: log_id is not the base64 of 32 "
		    "bytes", id_b64);
		goto out;
	}
	memcpy(l->id, id, CTDNS_LOG_ID_LEN);
	snprintf(l->id_b64, sizeof l->id_b64, "%s", id_b64);
	if ((rc = logkey_from_b64(l->key_b64, &l->key)) != CTD_OK) {
		set_err(err, err_len, "log %s: key: %s", id_b64,
		    ctd_strerror(rc));
		l->key = NULL;
		goto out;
	}
	rc = CTD_EMALF;
	if (memcmp(logkey_id(l->key), l->id, CTDNS_LOG_ID_LEN) != 0) {
		set_err(err, err_len, "log %s: log_id is not the SHA-256 of "
		    "its key", id_b64);
		goto out;
	}
	if (parse_state(json_object_get(o, "state"), l) != CTD_OK) {
		set_err(err, err_len, "log %s: state is not one of usable, "
		    "qualified, readonly, retired, rejected, pending with an "
		    "RFC 3339 timestamp", id_b64);
		goto out;
	}
	if (zone != NULL && (l->zone = zone_canon(zone)) == NULL) {
		set_err(err, err_len, "log %s: dns \"%s\" is not a zone name",
		    id_b64, zone);
		goto out;
	}
	rc = CTD_OK;
out:
	free(id_b64);
	free(zone);
	return rc;
}

static void
log_clear(struct ll_log *l)
{
	free(l->description);
	free(l->url);
	free(l->monitoring_url);
	free(l->zone);
	free(l->key_b64);
	logkey_free(l->key);
	free(l->policy);
	free(l->origin);
}

void
ctdns_loglist_free(struct ctdns_loglist *list)
{
	if (list == NULL) {
		return;
	}
	for (size_t i = 0; i < list->count; i++) {
		log_clear(&list->logs[i]);
	}
	free(list->logs);
	CTLOG_STORE_free(list->store);
	free(list);
}

/*
 * The CTLOG_STORE of the list, through OpenSSL's configuration format:
 *   enabled_logs = l0,l1,...
 *   [l0]
 *   description = l0
 *   key = <base64 DER>
 */
static int
build_store(struct ctdns_loglist *list, char *err, size_t err_len)
{
	char path[64];
	FILE *f = NULL;
	int fd, rc = CTD_EIO;

	if ((list->store = CTLOG_STORE_new()) == NULL) {
		return CTD_ENOMEM;
	}
	if (list->count == 0) {
		return CTD_OK;
	}
	if ((fd = memfd_create("ctdns-logs", MFD_CLOEXEC)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0) {
			close(fd);
		}
		set_err(err, err_len, "memfd_create: %s", strerror(errno));
		return CTD_EIO;
	}
	fprintf(f, "enabled_logs = ");
	for (size_t i = 0; i < list->count; i++) {
		fprintf(f, "%sl%zu", i > 0 ? "," : "", i);
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < list->count; i++) {
		fprintf(f, "[l%zu]\ndescription = l%zu\nkey = %s\n", i, i,
		    list->logs[i].key_b64);
	}
	if (fflush(f) != 0) {
		set_err(err, err_len, "memfd write: %s", strerror(errno));
		goto out;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
	if (CTLOG_STORE_load_file(list->store, path) != 1) {
		set_err(err, err_len, "OpenSSL rejects the log keys "
		    "(CTLOG_STORE_load_file)");
		rc = CTD_EMALF;
		goto out;
	}
	rc = CTD_OK;
out:
	fclose(f);
	return rc;
}

/* The two arrays of an operator that list logs. */
static const char *const log_arrays[] = { "logs", "tiled_logs" };

/* Each operator is an object whose log arrays, when present, are arrays. */
static int
count_logs(const json_t *ops, size_t *total, char *err, size_t err_len)
{
	size_t i;
	const json_t *op;

	*total = 0;
	json_array_foreach(ops, i, op) {
		if (!json_is_object(op)) {
			set_err(err, err_len, "operator %zu: not an object", i);
			return CTD_EMALF;
		}
		for (size_t k = 0; k < 2; k++) {
			const json_t *a = json_object_get(op, log_arrays[k]);
			if (a != NULL && !json_is_array(a)) {
				set_err(err, err_len, "operator %zu: \"%s\" is "
				    "not an array", i, log_arrays[k]);
				return CTD_EMALF;
			}
			*total += json_array_size(a);
		}
	}
	return CTD_OK;
}

/* Parse one more log into list->logs; its ID must be new. */
static int
add_log(struct ctdns_loglist *list, const json_t *o, bool tiled, char *err,
    size_t err_len)
{
	struct ll_log *l = &list->logs[list->count++];
	int rc = parse_log(o, tiled, l, err, err_len);

	if (rc != CTD_OK) {
		return rc;
	}
	for (size_t k = 0; k + 1 < list->count; k++) {
		if (memcmp(list->logs[k].id, l->id, CTDNS_LOG_ID_LEN) == 0) {
			set_err(err, err_len, "log %s is listed twice",
			    l->id_b64);
			return CTD_EMALF;
		}
	}
	return CTD_OK;
}

/* operators[].logs[] and operators[].tiled_logs[] into list->logs. */
static int
parse_operators(const json_t *ops, struct ctdns_loglist *list, char *err,
    size_t err_len)
{
	size_t i, j, total;
	const json_t *op, *lg;
	int rc;

	if (!json_is_array(ops)) {
		set_err(err, err_len, "no \"operators\" array");
		return CTD_EMALF;
	}
	if ((rc = count_logs(ops, &total, err, err_len)) != CTD_OK) {
		return rc;
	}
	if (total > LOGS_MAX) {
		set_err(err, err_len, "more than %d logs", LOGS_MAX);
		return CTD_ERANGE;
	}
	if (total > 0 && (list->logs = calloc(total,
	    sizeof *list->logs)) == NULL) {
		return CTD_ENOMEM;
	}
	json_array_foreach(ops, i, op) {
		for (size_t k = 0; k < 2; k++) {
			json_array_foreach(json_object_get(op, log_arrays[k]),
			    j, lg) {
				rc = add_log(list, lg, k == 1, err, err_len);
				if (rc != CTD_OK) {
					return rc;
				}
			}
		}
	}
	return CTD_OK;
}

int
ctdns_loglist_parse(const char *json, size_t len, struct ctdns_loglist **out,
    char *err, size_t err_len)
{
	struct ctdns_loglist *list = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		set_err(err, err_len, "not JSON: line %d: %s", jerr.line,
		    jerr.text);
		return CTD_EMALF;
	}
	if ((list = calloc(1, sizeof *list)) == NULL) {
		rc = CTD_ENOMEM;
		goto out;
	}
	if (!json_is_object(root)) {
		set_err(err, err_len, "not a JSON object");
		rc = CTD_EMALF;
		goto out;
	}
	if ((rc = parse_operators(json_object_get(root, "operators"), list,
	    err, err_len)) != CTD_OK) {
		goto out;
	}
	if ((rc = build_store(list, err, err_len)) != CTD_OK) {
		goto out;
	}
	*out = list;
	list = NULL;
out:
	ctdns_loglist_free(list);
	json_decref(root);
	return rc;
}

int
ctdns_loglist_load(const char *path, struct ctdns_loglist **out, char *err,
    size_t err_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = CTD_OK;

	*out = NULL;
	if (f == NULL) {
		set_err(err, err_len, "%s: %s", path, strerror(errno));
		return CTD_EIO;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap == 0 ? 65536 : 2 * cap;
			char *nbuf = ncap <= (64u << 20) ?
			    realloc(buf, ncap) : NULL;
			if (nbuf == NULL) {
				set_err(err, err_len, "%s: too large", path);
				rc = CTD_ERANGE;
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			break;
		}
	}
	if (ferror(f)) {
		set_err(err, err_len, "%s: read error", path);
		rc = CTD_EIO;
		goto out;
	}
	char inner[200] = "";
	rc = ctdns_loglist_parse(buf, len, out, inner, sizeof inner);
	if (rc != CTD_OK) {
		set_err(err, err_len, "%s: %s", path, inner);
	}
out:
	free(buf);
	fclose(f);
	return rc;
}

const struct ll_log *
loglist_find(const struct ctdns_loglist *list,
    const uint8_t id[CTDNS_LOG_ID_LEN])
{
	for (size_t i = 0; i < list->count; i++) {
		if (memcmp(list->logs[i].id, id, CTDNS_LOG_ID_LEN) == 0) {
			return &list->logs[i];
		}
	}
	return NULL;
}

/* The log of a base64 log ID, into *out: CTD_OK, CTD_EMALF (not a log
 * ID in base64) or CTD_ENOTFOUND. */
static int
find_b64(struct ctdns_loglist *list, const char *log_id_b64,
    struct ll_log **out)
{
	uint8_t id[64];
	size_t id_len;

	if (base64_decode(log_id_b64, strlen(log_id_b64), id, sizeof id,
	    &id_len) != CTD_OK || id_len != CTDNS_LOG_ID_LEN) {
		return CTD_EMALF;
	}
	*out = (struct ll_log *)loglist_find(list, id);
	return *out != NULL ? CTD_OK : CTD_ENOTFOUND;
}

int
ctdns_loglist_set_zone(struct ctdns_loglist *list, const char *log_id_b64,
    const char *zone)
{
	struct ll_log *l;
	int rc = find_b64(list, log_id_b64, &l);

	if (rc != CTD_OK) {
		return rc;
	}
	char *z = zone_canon(zone);
	if (z == NULL) {
		return CTD_EINVAL;
	}
	free(l->zone);
	l->zone = z;
	return CTD_OK;
}

int
ctdns_loglist_set_witnesses(struct ctdns_loglist *list,
    const char *log_id_b64, const char *const *vkeys, size_t count,
    unsigned quorum)
{
	char origin[NOTE_ORIGIN_MAX + 1];
	struct cpverify_policy *p = NULL;
	char *o = NULL;
	struct ll_log *l;
	int rc = find_b64(list, log_id_b64, &l);

	if (rc != CTD_OK) {
		return rc;
	}
	if (count > CTDNS_WITNESS_MAX || quorum > count ||
	    note_url_origin(l->url, origin, sizeof origin) != CTD_OK) {
		return CTD_EINVAL;
	}
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (o = strdup(origin)) == NULL) {
		rc = CTD_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		if ((rc = cpverify_policy_add(p, vkeys[i], strlen(vkeys[i]))) !=
		    CTD_OK) {
			goto out;
		}
	}
	p->quorum = quorum;
	free(l->policy);
	free(l->origin);
	l->policy = p;
	l->origin = o;
	return CTD_OK;
out:
	free(p);
	free(o);
	return rc;
}

size_t
ctdns_loglist_count(const struct ctdns_loglist *list)
{
	return list->count;
}

int
ctdns_loglist_get(const struct ctdns_loglist *list, size_t i,
    struct ctdns_log_info *out)
{
	if (i >= list->count) {
		return CTD_ERANGE;
	}
	const struct ll_log *l = &list->logs[i];
	memcpy(out->log_id, l->id, CTDNS_LOG_ID_LEN);
	memcpy(out->log_id_b64, l->id_b64, sizeof out->log_id_b64);
	out->description = l->description;
	out->url = l->url;
	out->zone = l->zone;
	out->mmd_ms = l->mmd_ms;
	out->state = l->state;
	out->state_time_ms = l->state_time_ms;
	out->tiled = l->tiled;
	out->monitoring_url = l->monitoring_url;
	return CTD_OK;
}
