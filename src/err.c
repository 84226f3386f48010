/* SPDX-License-Identifier: BSD-3-Clause */
/* err.c -- descriptions of the ctdns error codes. */
#include "config.h"

#include <string.h>

#include "err.h"

const char *
ctd_strerror(int err)
{
	switch (err) {
	case CTD_OK: return "success";
	case CTD_EMALF: return "malformed input";
	case CTD_ERANGE: return "value out of range";
	case CTD_ENOTFOUND: return "not found";
	case CTD_ESPACE: return "out of space (a buffer, or the store's map: raise database-size)";
	case CTD_EVERIFY: return "verification failed";
	case CTD_EUPSTREAM: return "log answered with an error";
	case CTD_ETIMEOUT: return "log timed out";
	case CTD_EBUSY: return "limit reached";
	case CTD_ECONF: return "configuration error";
	case CTD_ESTORE: return "store error";
	case CTD_EINCONSISTENT: return "log is inconsistent";
	case CTD_ECANCELED: return "canceled";
	case CTD_ENET: return "network error";
	case CTD_EAGAIN: return "another round needed";
	case CTD_EFORMAT:
		return "store of another on-disk format (move the database "
		    "directory away: ctdnsd rebuilds it from the logs)";
	default:
		if (err < 0 && err > -1000) {
			return strerror(-err);
		}
		return "unknown error";
	}
}
