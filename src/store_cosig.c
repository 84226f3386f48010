/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_cosig.c -- the signature lines held for a log's head, per tree
 * size, in the meta database (store.h: store_put_cosigs,
 * store_get_cosigs).
 *
 * A record is root (32) || lines, each line "— <name> <base64>\n". The
 * root ties the lines to one head: a checkpoint answer looks them up by
 * the served size and root, so lines of another head of the same size (a
 * forked log) are never served beside it, and a put for that other head
 * fails instead of mixing the two. A signer is named by its key name and
 * key ID, the pair a verifier looks a line up by (c2sp.org/signed-note):
 * a newer line of the same signer replaces the held one, so the record
 * grows with the number of signers, not of cosignings, and stays within
 * its bound.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "note.h"
#include "store.h"
#include "store_int.h"

/* "k/" + 16 hex + "/" + size (8, BE). */
#define COSIG_KEY_LEN (2 + HEX_LEN + 1 + 8)
#define SIG_PREFIX_LEN 4

/* One line of a record or of a put: its bytes and its signer. */
struct cosig_line {
	const char *at;
	size_t len;		/* newline included */
	const char *name;
	size_t name_len;
	uint8_t key_id[4];
};

static size_t
cosig_key(const struct store_log *l, uint64_t size,
    uint8_t key[COSIG_KEY_LEN])
{
	memcpy(key, "k/", 2);
	memcpy(key + 2, l->hex, HEX_LEN);
	key[2 + HEX_LEN] = '/';
	put_be64(key + 3 + HEX_LEN, size);
	return COSIG_KEY_LEN;
}

/*
 * Split buf into lines, checking each one's form.
 * @return: the number of lines (at most max); CTD_EMALF when a line is
 *	not a signature line; CTD_ERANGE when there are more than max.
 */
static int
split_lines(const char *buf, size_t len, struct cosig_line *out, int max)
{
	uint8_t sig[NOTE_SIG_MAX];
	size_t at = 0, n;
	int count = 0;

	while (at < len) {
		const char *line = buf + at;
		const char *nl = memchr(line, '\n', len - at);
		if (count == max) {
			return CTD_ERANGE;
		}
		if (nl == NULL || (size_t)(nl - line) < SIG_PREFIX_LEN ||
		    memcmp(line, "\xe2\x80\x94 ", SIG_PREFIX_LEN) != 0) {
			return CTD_EMALF;
		}
		const char *name = line + SIG_PREFIX_LEN;
		const char *sp = memchr(name, ' ', (size_t)(nl - name));
		if (sp == NULL || !note_name_valid(name, (size_t)(sp - name)) ||
		    base64_decode(sp + 1, (size_t)(nl - sp - 1), sig,
		    sizeof(sig), &n) != CTD_OK || n <= sizeof(out->key_id)) {
			return CTD_EMALF;
		}
		out[count] = (struct cosig_line){ .at = line,
		    .len = (size_t)(nl - line) + 1, .name = name,
		    .name_len = (size_t)(sp - name) };
		memcpy(out[count].key_id, sig, sizeof(out->key_id));
		count++;
		at += out[count - 1].len;
	}
	return count;
}

static bool
same_signer(const struct cosig_line *a, const struct cosig_line *b)
{
	return a->name_len == b->name_len &&
	    memcmp(a->name, b->name, a->name_len) == 0 &&
	    memcmp(a->key_id, b->key_id, sizeof(a->key_id)) == 0;
}

/*
 * Merge held lines with new ones into out (root first): held lines in
 * order, each replaced by a new line of its signer, then the new lines
 * of other signers.
 * @return: the record length, or CTD_ERANGE past the bounds.
 */
static int
merge(const struct cosig_line *held, int nheld,
    const struct cosig_line *add, int nadd, uint8_t *out, size_t cap)
{
	bool used[STORE_COSIG_MAX_LINES] = { false };
	size_t at = MERKLE_HASH_LEN;
	int lines = 0;

	for (int i = 0; i < nheld + nadd; i++) {
		const struct cosig_line *c = i < nheld ? &held[i] :
		    &add[i - nheld];
		if (i >= nheld && used[i - nheld]) {
			continue;
		}
		for (int j = 0; i < nheld && j < nadd; j++) {
			if (!used[j] && same_signer(c, &add[j])) {
				used[j] = true;
				c = &add[j];
				break;
			}
		}
		if (++lines > STORE_COSIG_MAX_LINES || c->len > cap - at) {
			return CTD_ERANGE;
		}
		memcpy(out + at, c->at, c->len);
		at += c->len;
	}
	return (int)at;
}

static void
txn_fail(struct store_txn *t, int err)
{
	if (t->err == CTD_OK) {
		t->err = err;
	}
}

void
store_put_cosigs(struct store_txn *t, struct store_log *l, uint64_t size,
    const uint8_t root[32], const char *lines, size_t len)
{
	uint8_t rec[MERKLE_HASH_LEN + STORE_COSIG_MAX_BYTES];
	struct cosig_line held[STORE_COSIG_MAX_LINES];
	struct cosig_line add[STORE_COSIG_MAX_LINES];
	uint8_t k[COSIG_KEY_LEN];
	MDB_val key = { cosig_key(l, size, k), k }, old;
	int nheld = 0, nadd, rc;

	if (t->err != CTD_OK || len == 0) {
		return;
	}
	if ((nadd = split_lines(lines, len, add, STORE_COSIG_MAX_LINES)) < 0) {
		txn_fail(t, nadd);
		return;
	}
	rc = mdb_get(t->txn, t->store->meta, &key, &old);
	if (rc == 0) {
		if (old.mv_size < MERKLE_HASH_LEN) {
			txn_fail(t, CTD_ESTORE);
			return;
		}
		if (memcmp(old.mv_data, root, MERKLE_HASH_LEN) != 0) {
			/* Another head of this size: a forked log. */
			txn_fail(t, CTD_EINCONSISTENT);
			return;
		}
		nheld = split_lines((const char *)old.mv_data +
		    MERKLE_HASH_LEN, old.mv_size - MERKLE_HASH_LEN, held,
		    STORE_COSIG_MAX_LINES);
		if (nheld < 0) {
			txn_fail(t, CTD_ESTORE);
			return;
		}
	} else if (rc != MDB_NOTFOUND) {
		txn_fail(t, err_from_mdb(rc));
		return;
	}
	/* held points into the map: merge before the put changes it. */
	rc = merge(held, nheld, add, nadd, rec, sizeof(rec));
	if (rc < 0) {
		txn_fail(t, rc);
		return;
	}
	memcpy(rec, root, MERKLE_HASH_LEN);
	MDB_val val = { (size_t)rc, rec };
	txn_fail(t, err_from_mdb(mdb_put(t->txn, t->store->meta, &key, &val,
	    0)));
}

int
store_get_cosigs(struct store_reader *r, struct store_log *l, uint64_t size,
    const uint8_t root[32], char *out, size_t cap, size_t *len)
{
	uint8_t k[COSIG_KEY_LEN];
	MDB_val key = { cosig_key(l, size, k), k }, val;
	int rc = mdb_get(r->txn, r->store->meta, &key, &val);

	if (rc != 0) {
		rc = err_from_mdb(rc);
		goto out;
	}
	if (val.mv_size < MERKLE_HASH_LEN) {
		rc = CTD_ESTORE;
		goto out;
	}
	if (memcmp(val.mv_data, root, MERKLE_HASH_LEN) != 0) {
		return CTD_ENOTFOUND;
	}
	if (val.mv_size - MERKLE_HASH_LEN > cap) {
		return CTD_ESPACE;
	}
	*len = val.mv_size - MERKLE_HASH_LEN;
	memcpy(out, (const uint8_t *)val.mv_data + MERKLE_HASH_LEN, *len);
	return CTD_OK;
out:
	if (rc != CTD_ENOTFOUND && r->err == CTD_OK) {
		r->err = rc;
	}
	return rc;
}
