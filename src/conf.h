/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.h -- the ctdnsd configuration file, parsed into struct conf.
 *
 * The format is that of nsd.conf and unbound.conf, reduced to what ctdnsd
 * needs: a section header ("server:" or "log:") at column 0, then indented
 * "key: value" lines. '#' starts a comment (outside double quotes), blank
 * lines are ignored, a value may be wrapped in double quotes (no escapes).
 * One key takes several words unquoted: "witness: NAME VKEY URL".
 * "server:" may appear more than once (its keys accumulate); every "log:"
 * section describes one served log.
 *
 * Every error message starts with "file:line: " (or "file: " for whole-file
 * errors such as a missing listen address), where file is the path exactly
 * as given to conf_load(), the way nsd-checkconf reports them.
 *
 * Relative paths (database, pidfile, zonefile, key-file) are made absolute
 * against the working directory at load time, because the daemon may chdir
 * or chroot later. chroot itself is stored as written.
 *
 * The log key is checked at load time (DER SubjectPublicKeyInfo of an ECDSA
 * P-256 or RSA >= 2048 key) and kept as DER bytes; turning it into a struct
 * logkey (logkey_from_der()) is the caller's step.
 *
 * Not pure: conf_load() reads the file, the key files and the working
 * directory. It never logs.
 */
#ifndef CTD_CONF_H
#define CTD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "note.h"

/* Defaults and limits, written down once (docs/ctdnsd.conf.5 repeats them). */
#define CONF_DEFAULT_PORT 53
#define CONF_DEFAULT_DATABASE_SIZE (UINT64_C(1) << 30)
#define CONF_MIN_DATABASE_SIZE (UINT64_C(1) << 20)
#define CONF_DEFAULT_VERBOSITY 1
#define CONF_MAX_VERBOSITY 5
#define CONF_DEFAULT_WORKERS 1
#define CONF_MAX_WORKERS 64
#define CONF_DEFAULT_TCP_MAX_CONNECTIONS 512
#define CONF_DEFAULT_TCP_IDLE_TIMEOUT 10
#define CONF_DEFAULT_STH_REFRESH 60
#define CONF_DEFAULT_STH_TTL 300
#define CONF_DEFAULT_PROOF_TTL 86400
#define CONF_DEFAULT_NEGATIVE_TTL 60
#define CONF_DEFAULT_UPSTREAM_TIMEOUT 10
#define CONF_DEFAULT_UPSTREAM_CONCURRENCY 4
#define CONF_DEFAULT_UPSTREAM_QUEUE 64
#define CONF_DEFAULT_UPSTREAM_RATE 0 /* 0: unlimited */
#define CONF_DEFAULT_RRL_RATE 0 /* 0: no response rate limiting */
#define CONF_DEFAULT_RRL_SLIP 2
#define CONF_DEFAULT_RRL_IPV4_PREFIX 24
#define CONF_DEFAULT_RRL_IPV6_PREFIX 56
#define CONF_DEFAULT_RRL_SIZE 100000
#define CONF_MAX_RRL_RATE 1000000
#define CONF_MAX_RRL_SLIP 100
#define CONF_MAX_RRL_SIZE 16777216
#define CONF_DEFAULT_ANSWER_CACHE_SIZE (UINT64_C(16) << 20)
#define CONF_MAX_ANSWER_CACHE_SIZE (UINT64_C(1) << 30)
/* Witnesses one log may list ("witness:"). */
#define CONF_MAX_WITNESSES 16
/* A log name: [A-Za-z0-9_-]{1,CONF_MAX_NAME_LEN}. */
#define CONF_MAX_NAME_LEN 63

/* One listening address ("listen:", "metrics-listen:" or
 * "witness-listen:"). */
struct conf_listen {
	/* Canonical text "ADDR@PORT" (numeric address, port always given),
	 * for log messages. */
	char text[80];
	/* The socket address, ready for bind(). */
	struct sockaddr_storage addr;
	socklen_t addr_len;
};

/* One "witness: NAME VKEY URL" of a log: a witness ctdnsd asks to cosign
 * each head it adopts (docs/witness.md). */
struct conf_witness {
	/* Its cosignature/v1 key (name, key ID, Ed25519 public key). */
	struct note_vkey vkey;
	/* Its submission prefix, http(s), ending with '/'. */
	char *url;
};

/* One "log:" section: a served CT log. */
struct conf_log {
	char *name;	/* unique, [A-Za-z0-9_-] */
	/* Lower case, with the trailing dot: "demo.ct.example.". */
	char *zone;
	char *zonefile;	/* absolute path */
	/* The log's upstream: exactly one of url (an RFC 6962 log) and
	 * monitoring_url (a static-ct-api log: checkpoint and tiles under
	 * it) is set; http:// or https://, always ending with '/'. */
	char *url;
	char *monitoring_url;
	/* A tiled log's submission prefix, or NULL: its checkpoint origin
	 * is this URL without scheme and trailing slash. */
	char *submission_url;
	/* mirror: read every entry of the log and serve only heads whose
	 * root was recomputed from them; mirror_entries (tiled logs): also
	 * read the data tiles and check each entry against its leaf hash. */
	bool mirror;
	bool mirror_entries;
	/* DER SubjectPublicKeyInfo, from key: or key-file:. */
	uint8_t *key_der;
	size_t key_der_len;
	uint32_t sth_refresh;	/* seconds between get-sth polls, >= 1 */
	uint32_t sth_ttl;	/* DNS TTL of sth answers */
	/* DNS TTL of proof, consistency and hash answers. */
	uint32_t proof_ttl;
	uint32_t negative_ttl;	/* DNS TTL of NXDOMAIN / NODATA answers */
	uint32_t upstream_timeout;	/* seconds, >= 1 */
	uint32_t upstream_concurrency;	/* requests in flight, >= 1 */
	uint32_t upstream_queue;	/* requests waiting for a slot */
	uint32_t upstream_rate;		/* per second, 0 unlimited */
	/* The witnesses asked to cosign each adopted head, and how many
	 * valid cosignatures (distinct keys among them and ctdnsd's own
	 * cosigner) a head needs before it is served; 0: served at once. */
	struct conf_witness *witnesses;
	size_t witness_count;
	uint32_t witness_quorum;
	char *file;	/* the configuration file of the section */
	unsigned line;	/* where the section began ("log:" line) */
};

/* The whole configuration. Every string is owned by the struct. */
struct conf {
	struct conf_listen *listens;	/* at least one */
	size_t listen_count;
	char *database;		/* absolute path of the LMDB env dir */
	uint64_t database_size;	/* LMDB map size in bytes, >= 1M */
	int verbosity;		/* 0..5 */
	unsigned workers;	/* 1..64 */
	unsigned tcp_max_connections;
	unsigned tcp_idle_timeout;	/* seconds */
	/* Response rate limiting on UDP (rrl.h): answers per second per
	 * source prefix and answer kind, 0 off; every rrl_slip-th answer over
	 * the rate goes out truncated (0: none), the rest are dropped. */
	uint32_t rrl_rate;
	uint32_t rrl_slip;
	unsigned rrl_ipv4_prefix;	/* 1..32 */
	unsigned rrl_ipv6_prefix;	/* 1..128 */
	uint32_t rrl_size;		/* buckets in the table */
	/* Bytes of proof cache (proofcache.h) per answering thread; 0 off. */
	uint64_t answer_cache_size;
	char *pidfile;		/* absolute path, or NULL */
	char *username;		/* NULL when not given */
	char *chroot_dir;	/* as written, or NULL */
	/* Numeric IPv4 or IPv6 source address of every upstream HTTP
	 * transfer (outgoing-interface:), or NULL for the system's choice. */
	char *outgoing_interface;
	struct conf_listen metrics;	/* valid when has_metrics */
	bool has_metrics;
	/* The cosigner (witness.h): both or neither of cosigner-name and
	 * cosigner-key; the key is read at load time (its 32-byte Ed25519
	 * seed; cosigner_key is the file's absolute path). */
	char *cosigner_name;
	char *cosigner_key;
	uint8_t cosigner_seed[32];
	bool has_cosigner;
	/* witness-listen: the tlog-witness HTTP endpoint (needs the
	 * cosigner). */
	struct conf_listen witness;	/* valid when has_witness */
	bool has_witness;
	struct conf_log *logs;	/* at least one */
	size_t log_count;
};

/*
 * Read and check a configuration file.
 * @param path: the file; error messages name it as given.
 * @param out: on success, the configuration (caller frees with
 *	conf_free()); untouched on failure.
 * @param err: receives a one-line message "file:line: what is wrong" on
 *	failure (truncated to err_len); may be NULL when err_len is 0.
 * @param err_len: size of err.
 * @return: CTD_OK; CTD_EIO when the file cannot be opened or read;
 *	CTD_ECONF for anything wrong in it (including a key-file that cannot
 *	be read, reported at its line); CTD_ENOMEM.
 */
int conf_load(const char *path, struct conf **out, char *err,
    size_t err_len);

/*
 * Free a configuration and everything it owns. conf_free(NULL) is a no-op.
 * @param c: from conf_load().
 */
void conf_free(struct conf *c);

/*
 * Find a log by its name.
 * @param c: the configuration.
 * @param name: the log name (exact match).
 * @return: the log (borrowed; valid until conf_free()), or NULL.
 */
const struct conf_log *conf_find_log(const struct conf *c, const char *name);

/*
 * Copy src's witnesses into dst (whose own list is overwritten, not
 * freed): for a copy of a log's settings.
 * @return: CTD_OK or CTD_ENOMEM (dst then holds what conf_witness_free()
 *	releases).
 */
int conf_witness_dup(struct conf_log *dst, const struct conf_log *src);

/* Free a log's witnesses (its list is empty afterwards). */
void conf_witness_free(struct conf_log *log);

/*
 * Parse a size with an optional k/K, m/M, g/G, t/T suffix (powers of 1024),
 * as database-size takes it. Exposed for ctdnsd --check and tests.
 * @param text: the value, nothing around it.
 * @param out: the size in bytes.
 * @return: CTD_OK; CTD_EMALF when it is not a number with an optional
 *	suffix; CTD_ERANGE when it does not fit in 64 bits.
 */
int conf_parse_size(const char *text, uint64_t *out);

#endif /* CTD_CONF_H */
