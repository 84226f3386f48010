/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * example_verify.c -- how an HTTPS client uses libctdns (docs/client-library.md).
 *
 * After the TLS handshake a client holds the server's certificate, its
 * issuer and perhaps an SCT list from the TLS extension. It asks its own
 * resolver whether each log really included the certificate: the log sees
 * only the resolver, never the client. Here with a libuv loop, as an
 * event-driven client would; ctdns_verify() is the blocking equivalent.
 *
 *   cc example_verify.c $(pkg-config --cflags --libs ctdns) -o example
 *   ./example LOG_LIST.json CERT.pem ISSUER.pem [SCT_LIST] [RESOLVER]
 *
 * Exits 0 when every SCT that can be proven now was proven.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ctdns.h>
#include <openssl/pem.h>
#include <uv.h>

static X509 *
read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f != NULL) {
		fclose(f);
	}
	return x;
}

/* Called on the loop when every SCT is done; we own the report. */
static void
done(struct ctdns_report *rep, void *arg)
{
	int *failed = arg;

	for (size_t i = 0; i < ctdns_report_count(rep); i++) {
		const struct ctdns_sct_result *r = ctdns_report_get(rep, i);

		printf("SCT %zu, log \"%s\" (%s): %s", i + 1,
		    r->log_description, ctdns_log_state_name(r->log_state),
		    ctdns_outcome_name(r->outcome));
		if (r->outcome == CTDNS_INCLUDED) {
			printf(" in tree %llu at index %llu",
			    (unsigned long long)r->tree_size,
			    (unsigned long long)r->leaf_index);
		} else if (r->outcome == CTDNS_NOT_YET) {
			printf(", try after %llu ms since the epoch",
			    (unsigned long long)r->retry_after_ms);
		}
		printf(" -- %s\n", r->detail);
		if (ctdns_outcome_is_failure(r->outcome)) {
			*failed = 1;
		}
	}
	ctdns_report_free(rep);
}

int
main(int argc, char **argv)
{
	struct ctdns_loglist *logs = NULL;
	struct ctdns_client *client = NULL;
	struct ctdns_request *req = NULL;
	X509 *cert = NULL, *issuer = NULL;
	char err[256];
	int failed = 1;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: %s LOG_LIST.json CERT.pem ISSUER.pem "
		    "[SCT_LIST [RESOLVER]]\n", argv[0]);
		return 2;
	}
	/* 1. The known logs, each with its CT-over-DNS zone ("dns"). */
	if (ctdns_loglist_load(argv[1], &logs, err, sizeof err) != 0) {
		fprintf(stderr, "log list: %s\n", err);
		return 2;
	}
	/* 2. The certificate and its issuer; embedded SCTs come along. */
	cert = read_cert(argv[2]);
	issuer = read_cert(argv[3]);
	if (cert == NULL || issuer == NULL ||
	    ctdns_request_new(cert, issuer, &req) != 0) {
		fprintf(stderr, "cannot read the certificates\n");
		goto out;
	}
	/* 3. SCTs from the TLS extension (raw SignedCertificateTimestampList). */
	if (argc >= 5) {
		static unsigned char list[65536 + 2];
		FILE *f = fopen(argv[4], "rb");
		size_t n = f != NULL ? fread(list, 1, sizeof list, f) : 0;
		if (f != NULL) {
			fclose(f);
		}
		if (ctdns_request_add_sct_list(req, list, n, CTDNS_SCT_TLS) !=
		    0) {
			fprintf(stderr, "%s: not an SCT list\n", argv[4]);
			goto out;
		}
	}
	/* 4. A client on the system resolver (or the one given). */
	if (ctdns_client_new(logs, argc == 6 ? argv[5] : NULL, 0,
	    &client) != 0) {
		fprintf(stderr, "no usable resolver\n");
		goto out;
	}
	/* 5. Verify on the loop; the request may go as soon as it started. */
	uv_loop_t *loop = uv_default_loop();
	if (ctdns_verify_start(client, loop, req, done, &failed) != 0) {
		goto out;
	}
	failed = 0;
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
out:
	ctdns_request_free(req);
	ctdns_client_free(client);
	ctdns_loglist_free(logs);
	X509_free(cert);
	X509_free(issuer);
	return failed;
}
