/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * err.h -- the one error type of ctdns.
 *
 * Functions that can fail return int: CTD_OK (0) or a negative code below.
 * System errors are -errno; project errors start at -1000. Foreign codes
 * (LMDB, libcurl, libuv, ldns) are translated at the module that calls the
 * foreign library and never travel further. answer.c owns the single
 * mapping from these codes to DNS rcodes (docs/design.md has the table).
 */
#ifndef CTD_ERR_H
#define CTD_ERR_H

#include <errno.h>

enum ctd_err {
	CTD_OK = 0,
	CTD_ENOMEM = -ENOMEM,
	CTD_EIO = -EIO,
	CTD_EINVAL = -EINVAL,
	CTD_EMALF = -1000,	  /* input does not parse */
	CTD_ERANGE = -1001,	  /* a value is out of its allowed range */
	CTD_ENOTFOUND = -1002,	  /* no such item (store miss, unknown leaf) */
	CTD_ESPACE = -1003,	  /* output buffer too small */
	CTD_EVERIFY = -1004,	  /* signature or proof does not verify */
	CTD_EUPSTREAM = -1005,	  /* the log answered with an HTTP error */
	CTD_ETIMEOUT = -1006,	  /* the log did not answer in time */
	CTD_EBUSY = -1007,	  /* a cap (concurrency, queue, rate) is reached */
	CTD_ECONF = -1008,	  /* bad configuration */
	CTD_ESTORE = -1009,	  /* the store failed */
	CTD_EINCONSISTENT = -1010, /* the log contradicts itself */
	CTD_ECANCELED = -1011,	  /* shut down before it completed */
	CTD_ENET = -1012,	  /* network error talking to the log */
	CTD_EAGAIN = -1013,	  /* not done: another round is needed */
	CTD_EFORMAT = -1014,	  /* a store of another on-disk format */
};

/*
 * Describe an error code.
 * @param err: a value of enum ctd_err (or -errno).
 * @return: a static string, never NULL.
 */
const char *ctd_strerror(int err);

#endif /* CTD_ERR_H */
