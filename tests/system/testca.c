/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testca.c -- the test CA that tests/system/test_unbound.sh drives.
 *
 *   testca ca DIR                     DIR/ca.pem, DIR/ca.key
 *   testca precert DIR NAME SERIAL    DIR/NAME.pre.pem (poison), NAME.key
 *   testca cert DIR NAME SERIAL       DIR/NAME.pem (no SCT), NAME.key
 *   testca chain DIR CERT.pem         {"chain": [CERT, ca]} for add-*-chain
 *   testca final DIR NAME SCT.json... DIR/NAME.pem: NAME.pre.pem with the
 *                                     SCTs (add-pre-chain answers) embedded
 *   testca sctlist OUT SCT.json...    OUT: a TLS SCT list of add-chain
 *                                     answers (the TLS extension's form)
 *
 * Certificates are made with the OpenSSL API (test_client_ca.c), names
 * are DNS names below "test.example". Exit 0 on success, 1 otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../unit/test_client_ca.h"

static char path_buf[4096];

static const char *
path(const char *dir, const char *name, const char *ext)
{
	snprintf(path_buf, sizeof path_buf, "%s/%s%s", dir, name, ext);
	return path_buf;
}

static bool
write_cert(const char *p, X509 *x)
{
	FILE *f = fopen(p, "w");
	bool ok = f != NULL && PEM_write_X509(f, x) == 1;

	return f != NULL && fclose(f) == 0 && ok;
}

static bool
write_key(const char *p, EVP_PKEY *k)
{
	FILE *f = fopen(p, "w");
	bool ok = f != NULL &&
	    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;

	return f != NULL && fclose(f) == 0 && ok;
}

static X509 *
read_cert(const char *p)
{
	FILE *f = fopen(p, "r");
	X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f != NULL) {
		fclose(f);
	}
	return x;
}

static EVP_PKEY *
read_key(const char *p)
{
	FILE *f = fopen(p, "r");
	EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    NULL;

	if (f != NULL) {
		fclose(f);
	}
	return k;
}

static char *
read_text(const char *p)
{
	FILE *f = fopen(p, "r");
	char *buf = malloc(65536);
	size_t n = 0;

	if (f == NULL || buf == NULL) {
		free(buf);
		if (f != NULL) {
			fclose(f);
		}
		return NULL;
	}
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The SCT list of the add-*-chain answers in files. */
static bool
sct_list(struct tca_buf *list, char **files, int n)
{
	struct tca_buf scts[16] = { { 0 } };
	bool ok = n > 0 && n <= 16;

	for (int i = 0; ok && i < n; i++) {
		char *text = read_text(files[i]);
		ok = text != NULL && tca_sct_from_json(&scts[i], text);
		if (!ok) {
			fprintf(stderr, "testca: %s: not an SCT answer\n",
			    files[i]);
		}
		free(text);
	}
	ok = ok && tca_sct_list(list, scts, (size_t)n);
	for (int i = 0; i < 16; i++) {
		free(scts[i].p);
	}
	return ok;
}

static void
print_b64_cert(X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	char *b64 = malloc(4 * ((size_t)len + 2) / 3 + 4);

	EVP_EncodeBlock((unsigned char *)b64, der, len);
	printf("\"%s\"", b64);
	free(b64);
	OPENSSL_free(der);
}

static bool
issue(const char *dir, const char *name, long serial, bool precert)
{
	X509 *ca = read_cert(path(dir, "ca", ".pem"));
	EVP_PKEY *ca_key = read_key(path(dir, "ca", ".key"));
	EVP_PKEY *key = tca_key();
	char cn[256];
	X509 *x = NULL;

	snprintf(cn, sizeof cn, "%s.test.example", name);
	bool ok = ca != NULL && ca_key != NULL && key != NULL &&
	    (x = tca_issue(ca, ca_key, key, cn, serial, precert)) != NULL &&
	    write_key(path(dir, name, ".key"), key) &&
	    write_cert(path(dir, name, precert ? ".pre.pem" : ".pem"), x);
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	return ok;
}

static bool
finalize(const char *dir, const char *name, char **files, int n)
{
	X509 *pre = read_cert(path(dir, name, ".pre.pem"));
	EVP_PKEY *ca_key = read_key(path(dir, "ca", ".key"));
	struct tca_buf list = { 0 };
	X509 *x = NULL;

	bool ok = pre != NULL && ca_key != NULL && sct_list(&list, files, n) &&
	    (x = tca_finalize(pre, ca_key, list.p, list.len)) != NULL &&
	    write_cert(path(dir, name, ".pem"), x);
	free(list.p);
	X509_free(x);
	X509_free(pre);
	EVP_PKEY_free(ca_key);
	return ok;
}

int
main(int argc, char **argv)
{
	bool ok = false;

	if (argc == 3 && strcmp(argv[1], "ca") == 0) {
		EVP_PKEY *key = tca_key();
		X509 *ca = key != NULL ? tca_ca(key, "ctdns test CA") : NULL;
		ok = ca != NULL && write_key(path(argv[2], "ca", ".key"), key) &&
		    write_cert(path(argv[2], "ca", ".pem"), ca);
		X509_free(ca);
		EVP_PKEY_free(key);
	} else if (argc == 5 && (strcmp(argv[1], "precert") == 0 ||
	    strcmp(argv[1], "cert") == 0)) {
		ok = issue(argv[2], argv[3], atol(argv[4]),
		    strcmp(argv[1], "precert") == 0);
	} else if (argc == 4 && strcmp(argv[1], "chain") == 0) {
		X509 *x = read_cert(argv[3]);
		X509 *ca = read_cert(path(argv[2], "ca", ".pem"));
		if ((ok = x != NULL && ca != NULL)) {
			printf("{\"chain\": [");
			print_b64_cert(x);
			printf(", ");
			print_b64_cert(ca);
			printf("]}\n");
		}
		X509_free(x);
		X509_free(ca);
	} else if (argc >= 5 && strcmp(argv[1], "final") == 0) {
		ok = finalize(argv[2], argv[3], argv + 4, argc - 4);
	} else if (argc >= 4 && strcmp(argv[1], "sctlist") == 0) {
		struct tca_buf list = { 0 };
		FILE *f;
		ok = sct_list(&list, argv + 3, argc - 3) &&
		    (f = fopen(argv[2], "wb")) != NULL &&
		    fwrite(list.p, 1, list.len, f) == list.len &&
		    fclose(f) == 0;
		free(list.p);
	} else {
		fprintf(stderr, "usage: testca ca|precert|cert|chain|final|"
		    "sctlist ... (see testca.c)\n");
		return 2;
	}
	if (!ok) {
		fprintf(stderr, "testca %s: failed\n", argv[1]);
	}
	return ok ? 0 : 1;
}
