/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source_rfc6962.h -- an RFC 6962 log as a source (source.h).
 *
 * Each need is one request of the RFC 6962 API (rfc6962.h builds the URLs
 * and parses the answers; merkle.h checks them):
 *
 *   FILL_HEAD             get-sth; the signature is checked with the key
 *   FILL_HEAD_PROOF(a,b)  get-sth-consistency(a, b), checked between the
 *                         two signed roots
 *   FILL_HASH(h)          get-proof-by-hash(h, S), checked against S
 *   FILL_PATH(i, n)       get-entry-and-proof(i, n), checked against n
 *   FILL_ROOT(n)          n a power of two: get-entry-and-proof(n, S), as
 *                         [0, n) is a node of that path; otherwise
 *                         get-sth-consistency(n, S), which yields n's root
 *   FILL_CONSISTENCY(a,b) get-sth-consistency(a, b), checked against b
 *                         (and a when known)
 *
 * A 4xx answer to get-proof-by-hash (other than 429) means the log does
 * not hold the leaf: CTD_ENOTFOUND.
 */
#ifndef CTD_SOURCE_RFC6962_H
#define CTD_SOURCE_RFC6962_H

#include "source.h"

struct logkey;

/*
 * A source for the RFC 6962 log at a base URL.
 * @param url: the log's base URL ending in '/'; copied.
 * @param key: the log's key; borrowed, must outlive the source.
 * @return: CTD_OK with *out set (free with source_free()); CTD_ENOMEM;
 *	CTD_EINVAL when the URL is empty or does not end in '/'.
 */
int source_rfc6962_new(const char *url, const struct logkey *key,
    struct source **out);

#endif /* CTD_SOURCE_RFC6962_H */
