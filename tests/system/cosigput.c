/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cosigput.c -- put witness cosignatures of a head into a ctdnsd store,
 * for the system tests (the cosigning daemon part is not needed to serve
 * them: checkpoint.<zone> serves whatever verified lines the store holds).
 *
 *   cosigput DBDIR MAPSIZE LOG_KEY_B64 ORIGIN SIZE ROOT_B64 NSIGN NKEYS
 *
 * Makes NKEYS witness keys "w<i>.example" from fixed seeds, signs the
 * checkpoint text of (ORIGIN, SIZE, ROOT) with cosignature/v1 by the first
 * NSIGN of them, puts those lines in the store next to a running ctdnsd
 * (LMDB is multi-process; MAPSIZE must be the daemon's database-size in
 * bytes, so that neither resizes the map under the other), and prints the
 * NKEYS verifier keys, one a line.
 * Exit 0, or 1 with a message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "err.h"
#include "logkey.h"
#include "note.h"
#include "num.h"
#include "store.h"

int main(int argc, char **argv);

static char lines[STORE_COSIG_MAX_BYTES];

static int
sign(const char *text, size_t text_len, uint64_t nsign, uint64_t nkeys,
    size_t *len)
{
	for (uint64_t i = 0; i < nkeys; i++) {
		char name[32], vkey[NOTE_VKEY_MAX];
		uint8_t seed[NOTE_ED25519_LEN];
		struct note_vkey k;
		size_t n;

		snprintf(name, sizeof name, "w%u.example", (unsigned)i);
		memset(seed, (int)(i + 1), sizeof seed);
		if (note_vkey_from_seed(name, strlen(name), NOTE_TYPE_COSIG_V1,
		    seed, &k) != CTD_OK ||
		    note_vkey_format(&k, vkey, sizeof vkey) != CTD_OK) {
			return CTD_EINVAL;
		}
		printf("%s\n", vkey);
		if (i < nsign && note_cosig_sign(&k, seed, text, text_len,
		    (uint64_t)time(NULL), lines + *len, sizeof lines - *len,
		    &n) != CTD_OK) {
			return CTD_ESPACE;
		}
		*len += i < nsign ? n : 0;
	}
	return CTD_OK;
}

int
main(int argc, char **argv)
{
	struct logkey *key = NULL;
	struct store *s = NULL;
	struct store_log *l;
	struct store_txn t;
	uint8_t root[MERKLE_HASH_LEN];
	char text[NOTE_CHECKPOINT_TEXT_MAX];
	uint64_t map, size, nsign, nkeys;
	size_t rlen, tlen, len = 0;
	int rc = CTD_EINVAL;

	if (argc != 9 || num_parse_u64_str(argv[2], 0, &map) != CTD_OK ||
	    num_parse_u64_str(argv[5], 0, &size) != CTD_OK ||
	    num_parse_u64_str(argv[7], 0, &nsign) != CTD_OK ||
	    num_parse_u64_str(argv[8], 0, &nkeys) != CTD_OK ||
	    nsign > nkeys || nkeys > 64 ||
	    base64_decode(argv[6], strlen(argv[6]), root, sizeof root,
	    &rlen) != CTD_OK || rlen != sizeof root ||
	    logkey_from_b64(argv[3], &key) != CTD_OK) {
		fprintf(stderr, "usage: cosigput DBDIR MAPSIZE LOG_KEY_B64 "
		    "ORIGIN SIZE ROOT_B64 NSIGN NKEYS\n");
		goto out;
	}
	if ((rc = note_checkpoint_text(argv[4], strlen(argv[4]), size, root,
	    text, sizeof text, &tlen)) != CTD_OK ||
	    (rc = sign(text, tlen, nsign, nkeys, &len)) != CTD_OK ||
	    (rc = store_open(argv[1], map, &s)) != CTD_OK ||
	    (rc = store_log_open(s, logkey_id(key), &l)) != CTD_OK) {
		fprintf(stderr, "cosigput: %s\n", ctd_strerror(rc));
		goto out;
	}
	store_txn_begin(s, &t);
	store_put_cosigs(&t, l, size, root, lines, len);
	if ((rc = store_txn_commit(&t)) != CTD_OK) {
		fprintf(stderr, "cosigput: put: %s\n", ctd_strerror(rc));
	}
out:
	store_close(s);
	logkey_free(key);
	fflush(stdout);
	return rc == CTD_OK ? 0 : 1;
}
