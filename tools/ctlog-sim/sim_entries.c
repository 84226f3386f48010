/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_entries.c -- the simulated log's synthetic certificates and leaves.
 *
 * Certificates are built with OpenSSL's X509 API and signed with Ed25519
 * (RFC 8410), whose signatures depend only on key and message. Keys are
 * raw 32-byte Ed25519 private keys: SHA-256(seed || "\n" || role).
 * Validity is fixed (2023-11-14 .. 2033-11-14, UTCTime) so nothing reads
 * the clock.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sim_entries.h"
#include "sim_tree.h"

#define NOT_BEFORE ((time_t)1699920000)	/* 2023-11-14T00:00:00Z */
#define NOT_AFTER ((time_t)2015539200)	/* 2033-11-14T00:00:00Z */
#define ED25519_LEN 32
#define THREADS_MAX 16
/* Below this, starting threads costs more than it saves. */
#define THREADS_MIN_BATCH 64

struct sim_entries {
	EVP_PKEY *ca_key;
	uint8_t ca_pub[ED25519_LEN];
	uint8_t subject_pub[ED25519_LEN];
	uint8_t *ca_der;
	size_t ca_der_len;
	uint8_t *chain;
	size_t chain_len;
	/* sim_entries_cache(): entry i's length (4 bytes) and bytes, or
	 * NULL until first built. */
	_Atomic(uint8_t *) *cache;
	/* sim_entries_json(): entry i's get-entries object (NUL-terminated),
	 * or NULL until first built; cache_n of them too. */
	_Atomic(char *) *json;
	uint64_t cache_n;
	/* Build each entry's get-entries text with its leaf hash. */
	bool eager_json;
};

/* An Ed25519 key from SHA-256(seed || "\n" || role). */
static EVP_PKEY *
derive_key(const char *seed, const char *role)
{
	uint8_t raw[SHA256_DIGEST_LENGTH];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY *pkey = NULL;
	unsigned int len = sizeof(raw);

	if (ctx != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ctx, seed, strlen(seed)) &&
	    EVP_DigestUpdate(ctx, "\n", 1) &&
	    EVP_DigestUpdate(ctx, role, strlen(role)) &&
	    EVP_DigestFinal_ex(ctx, raw, &len)) {
		pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		    raw, sizeof(raw));
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(raw, sizeof(raw));
	return pkey;
}

/* Add extension nid (value already i2d-able) to x; 1 on success. */
static int
add_ext(X509 *x, int nid, void *value, int critical)
{
	return X509_add1_ext_i2d(x, nid, value, critical,
	    X509V3_ADD_DEFAULT) == 1;
}

/*
 * Set x's SubjectPublicKeyInfo to the Ed25519 public key pub (RFC 8410:
 * algorithm id-Ed25519 without parameters, the 32 raw bytes as the bit
 * string). X509_set_pubkey() would do the same through OpenSSL 3's
 * encoder and decoder lookups, which cost more than the signature itself.
 */
static int
set_ed25519_spki(X509 *x, const uint8_t pub[ED25519_LEN])
{
	uint8_t *enc = OPENSSL_malloc(ED25519_LEN);

	if (enc == NULL) {
		return 0;
	}
	memcpy(enc, pub, ED25519_LEN);
	if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x),
	    OBJ_nid2obj(NID_ED25519), V_ASN1_UNDEF, NULL, enc,
	    ED25519_LEN)) {
		OPENSSL_free(enc);
		return 0;
	}
	return 1;
}

/* The fields every certificate shares: version, validity, issuer, key. */
static X509 *
cert_start(const uint8_t pub[ED25519_LEN], uint64_t serial,
    const X509_NAME *issuer)
{
	X509 *x = X509_new();

	if (x == NULL ||
	    !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), NOT_BEFORE) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), NOT_AFTER) == NULL ||
	    !X509_set_issuer_name(x, issuer) ||
	    !set_ed25519_spki(x, pub)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* DER of x; caller frees with OPENSSL_free(). */
static uint8_t *
cert_der(X509 *x, size_t *len_out)
{
	uint8_t *der = NULL;
	int len = i2d_X509(x, &der);

	if (len <= 0) {
		return NULL;
	}
	*len_out = (size_t)len;
	return der;
}

/*
 * The CA's name, built afresh for every certificate: sharing one X509_NAME
 * between threads would share its lazily re-encoded cache.
 */
static X509_NAME *
ca_name(void)
{
	X509_NAME *name = X509_NAME_new();

	if (name == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const uint8_t *)"ctdns simulated log", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const uint8_t *)"ctlog-sim CA", -1, -1, 0)) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

static X509 *
make_ca(EVP_PKEY *ca_key, const uint8_t pub[ED25519_LEN])
{
	X509_NAME *name = ca_name();
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	X509 *x = NULL;

	if (name == NULL || bc == NULL ||
	    (x = cert_start(pub, 1, name)) == NULL) {
		goto out;
	}
	bc->ca = 0xff;
	if (!X509_set_subject_name(x, name) ||
	    !add_ext(x, NID_basic_constraints, bc, 1) ||
	    X509_sign(x, ca_key, NULL) <= 0) {
		X509_free(x);
		x = NULL;
	}
out:
	BASIC_CONSTRAINTS_free(bc);
	X509_NAME_free(name);
	return x;
}

/* uint24 length || bytes, RFC 6962 ASN.1Cert / certificate_chain. */
static void
put_u24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

struct sim_entries *
sim_entries_new(const char *seed)
{
	struct sim_entries *e = calloc(1, sizeof(*e));
	X509 *ca = NULL;
	uint8_t *der = NULL;

	EVP_PKEY *subject_key = NULL;
	size_t ca_len = ED25519_LEN, subject_len = ED25519_LEN;

	if (e == NULL ||
	    (e->ca_key = derive_key(seed, "ca")) == NULL ||
	    (subject_key = derive_key(seed, "subject")) == NULL ||
	    !EVP_PKEY_get_raw_public_key(e->ca_key, e->ca_pub, &ca_len) ||
	    !EVP_PKEY_get_raw_public_key(subject_key, e->subject_pub,
	    &subject_len) ||
	    (ca = make_ca(e->ca_key, e->ca_pub)) == NULL ||
	    (der = cert_der(ca, &e->ca_der_len)) == NULL ||
	    (e->ca_der = malloc(e->ca_der_len)) == NULL ||
	    (e->chain = malloc(6 + e->ca_der_len)) == NULL) {
		OPENSSL_free(der);
		X509_free(ca);
		EVP_PKEY_free(subject_key);
		sim_entries_free(e);
		return NULL;
	}
	EVP_PKEY_free(subject_key);
	memcpy(e->ca_der, der, e->ca_der_len);
	OPENSSL_free(der);
	X509_free(ca);
	e->chain_len = 6 + e->ca_der_len;
	put_u24(e->chain, 3 + e->ca_der_len);
	put_u24(e->chain + 3, e->ca_der_len);
	memcpy(e->chain + 6, e->ca_der, e->ca_der_len);
	return e;
}

void
sim_entries_free(struct sim_entries *e)
{
	if (e == NULL) {
		return;
	}
	for (uint64_t i = 0; i < e->cache_n; i++) {
		free(atomic_load(&e->cache[i]));
		free(atomic_load(&e->json[i]));
	}
	free(e->cache);
	free(e->json);
	free(e->chain);
	free(e->ca_der);
	EVP_PKEY_free(e->ca_key);
	free(e);
}

/* The end-entity certificate of entry idx. */
static X509 *
make_leaf_cert(const struct sim_entries *e, uint64_t idx, bool fork)
{
	char host[64];
	X509_NAME *name = X509_NAME_new();
	X509_NAME *issuer = ca_name();
	GENERAL_NAMES *san = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	X509 *x = NULL;

	snprintf(host, sizeof(host), "%s-%llu.sim.example",
	    fork ? "fork" : "leaf", (unsigned long long)idx);
	if (name == NULL || issuer == NULL || san == NULL || gn == NULL ||
	    ia5 == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const uint8_t *)host, -1, -1, 0) ||
	    !ASN1_STRING_set(ia5, host, -1)) {
		goto out;
	}
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	ia5 = NULL;
	if (!sk_GENERAL_NAME_push(san, gn)) {
		goto out;
	}
	gn = NULL;
	if ((x = cert_start(e->subject_pub, idx, issuer)) == NULL) {
		goto out;
	}
	if (!X509_set_subject_name(x, name) ||
	    !add_ext(x, NID_subject_alt_name, san, 0) ||
	    X509_sign(x, e->ca_key, NULL) <= 0) {
		X509_free(x);
		x = NULL;
	}
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(san);
	X509_NAME_free(issuer);
	X509_NAME_free(name);
	return x;
}

static int make_leaf(const struct sim_entries *e, uint64_t idx, bool fork,
    uint8_t **out, size_t *out_len);

int
sim_entries_cache(struct sim_entries *e, uint64_t n, bool eager_json)
{
	if (n > SIZE_MAX / sizeof *e->cache ||
	    (e->cache = calloc((size_t)n ? (size_t)n : 1,
	    sizeof *e->cache)) == NULL ||
	    (e->json = calloc((size_t)n ? (size_t)n : 1,
	    sizeof *e->json)) == NULL) {
		free(e->cache);
		e->cache = NULL;
		return -1;
	}
	e->cache_n = n;
	e->eager_json = eager_json;
	return 0;
}

/* Entry idx's bytes from the cache; false when not there. */
static bool
cache_get(const struct sim_entries *e, uint64_t idx, uint8_t **out,
    size_t *out_len)
{
	uint8_t *c = idx < e->cache_n ? atomic_load(&e->cache[idx]) : NULL;
	uint32_t len;

	if (c == NULL) {
		return false;
	}
	memcpy(&len, c, sizeof len);
	if ((*out = malloc(len)) == NULL) {
		return false;
	}
	memcpy(*out, c + sizeof len, len);
	*out_len = len;
	return true;
}

/* Keep entry idx's bytes; the first of racing builders wins. */
static void
cache_put(const struct sim_entries *e, uint64_t idx, const uint8_t *leaf,
    size_t len)
{
	uint32_t len32 = (uint32_t)len;
	uint8_t *c, *none = NULL;

	if (idx >= e->cache_n || (c = malloc(sizeof len32 + len)) == NULL) {
		return;
	}
	memcpy(c, &len32, sizeof len32);
	memcpy(c + sizeof len32, leaf, len);
	if (!atomic_compare_exchange_strong(&e->cache[idx], &none, c)) {
		free(c);
	}
}

int
sim_entries_leaf(const struct sim_entries *e, uint64_t idx, bool fork,
    uint8_t **out, size_t *out_len)
{
	if (!fork && cache_get(e, idx, out, out_len)) {
		return 0;
	}
	int rc = make_leaf(e, idx, fork, out, out_len);
	if (rc == 0 && !fork) {
		cache_put(e, idx, *out, *out_len);
	}
	return rc;
}

/* base64 of buf at out (room for 4 * ((len + 2) / 3) + 1); its length. */
static size_t
b64_at(char *out, const uint8_t *buf, size_t len)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, buf, (int)len);
}

/* Build entry idx's get-entries object from its bytes and the chain. */
static char *
make_json(const struct sim_entries *e, uint64_t idx)
{
	static const char k_leaf[] = "{\"leaf_input\":\"";
	static const char k_extra[] = "\",\"extra_data\":\"";
	uint8_t *leaf;
	size_t leaf_len, at;
	char *j;

	if (sim_entries_leaf(e, idx, false, &leaf, &leaf_len) != 0) {
		return NULL;
	}
	j = malloc(sizeof k_leaf + 4 * ((leaf_len + 2) / 3) +
	    sizeof k_extra + 4 * ((e->chain_len + 2) / 3) + 3);
	if (j != NULL) {
		memcpy(j, k_leaf, sizeof k_leaf - 1);
		at = sizeof k_leaf - 1;
		at += b64_at(j + at, leaf, leaf_len);
		memcpy(j + at, k_extra, sizeof k_extra - 1);
		at += sizeof k_extra - 1;
		at += b64_at(j + at, e->chain, e->chain_len);
		memcpy(j + at, "\"}", 3);
	}
	free(leaf);
	return j;
}

const char *
sim_entries_json(const struct sim_entries *e, uint64_t idx)
{
	char *j, *none = NULL;

	if (idx >= e->cache_n) {
		return NULL;
	}
	if ((j = atomic_load(&e->json[idx])) != NULL) {
		return j;
	}
	if ((j = make_json(e, idx)) == NULL) {
		return NULL;
	}
	if (!atomic_compare_exchange_strong(&e->json[idx], &none, j)) {
		free(j);
		j = none;
	}
	return j;
}

/* Build entry idx's MerkleTreeLeaf: a certificate signed now. */
static int
make_leaf(const struct sim_entries *e, uint64_t idx, bool fork,
    uint8_t **out, size_t *out_len)
{
	X509 *x = make_leaf_cert(e, idx, fork);
	uint64_t ts = SIM_ENTRIES_TIME0 + idx;
	uint8_t *der = NULL, *leaf = NULL;
	size_t der_len = 0, len;
	int rc = -1;

	if (x == NULL || (der = cert_der(x, &der_len)) == NULL) {
		goto out;
	}
	/* version, leaf_type, timestamp, entry_type, cert, extensions */
	len = 1 + 1 + 8 + 2 + 3 + der_len + 2;
	if ((leaf = malloc(len)) == NULL) {
		goto out;
	}
	leaf[0] = 0;	/* v1 */
	leaf[1] = 0;	/* timestamped_entry */
	for (int i = 0; i < 8; i++) {
		leaf[2 + i] = (uint8_t)(ts >> (56 - 8 * i));
	}
	leaf[10] = 0;	/* entry_type x509_entry */
	leaf[11] = 0;
	put_u24(leaf + 12, der_len);
	memcpy(leaf + 15, der, der_len);
	leaf[15 + der_len] = 0;	/* no CtExtensions */
	leaf[16 + der_len] = 0;
	*out = leaf;
	*out_len = len;
	rc = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	return rc;
}

int
sim_entries_leaf_hash(const struct sim_entries *e, uint64_t idx, bool fork,
    uint8_t out[32])
{
	uint8_t *leaf;
	size_t len;
	int rc;

	if (sim_entries_leaf(e, idx, fork, &leaf, &len) != 0) {
		return -1;
	}
	rc = sim_tree_leaf_hash(leaf, len, out) == 0 ? 0 : -1;
	free(leaf);
	return rc;
}

const uint8_t *
sim_entries_chain(const struct sim_entries *e, size_t *len_out)
{
	*len_out = e->chain_len;
	return e->chain;
}

const uint8_t *
sim_entries_root(const struct sim_entries *e, size_t *len_out)
{
	*len_out = e->ca_der_len;
	return e->ca_der;
}

/* One worker's share of a batch: leaf hashes of [first, first + n). */
struct gen_job {
	const struct sim_entries *entries;
	uint64_t first;
	size_t n;
	uint8_t *hashes;
	int rc;
};

static void *
gen_run(void *arg)
{
	struct gen_job *job = arg;

	job->rc = 0;
	for (size_t i = 0; i < job->n; i++) {
		uint64_t idx = job->first + i;

		if (sim_entries_leaf_hash(job->entries, idx, false,
		    job->hashes + i * SIM_HASH_LEN) != 0 ||
		    (job->entries->eager_json && idx < job->entries->cache_n &&
		    sim_entries_json(job->entries, idx) == NULL)) {
			job->rc = -1;
			break;
		}
	}
	return NULL;
}

int
sim_entries_leaf_hashes(const struct sim_entries *entries, uint64_t first,
    size_t n, uint8_t *hashes)
{
	struct gen_job jobs[THREADS_MAX];
	pthread_t tid[THREADS_MAX];
	bool started[THREADS_MAX] = { false };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus < 1 ? 1 : (size_t)cpus;
	size_t per, done = 0;
	int rc = 0;

	if (nthreads > THREADS_MAX) {
		nthreads = THREADS_MAX;
	}
	if (n < THREADS_MIN_BATCH * nthreads) {
		nthreads = 1;
	}
	per = (n + nthreads - 1) / nthreads;
	for (size_t t = 0; t < nthreads; t++) {
		size_t share = n - done < per ? n - done : per;

		jobs[t] = (struct gen_job){ .entries = entries,
		    .first = first + done, .n = share,
		    .hashes = hashes + done * SIM_HASH_LEN };
		done += share;
		/* The last share runs here; so does everything when a
		 * thread cannot be started. */
		if (t + 1 < nthreads &&
		    pthread_create(&tid[t], NULL, gen_run, &jobs[t]) == 0) {
			started[t] = true;
		} else {
			gen_run(&jobs[t]);
		}
	}
	for (size_t t = 0; t < nthreads; t++) {
		if (started[t]) {
			pthread_join(tid[t], NULL);
		}
		if (jobs[t].rc != 0) {
			rc = -1;
		}
	}
	return rc;
}
