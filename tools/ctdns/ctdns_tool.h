/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctdns_tool.h -- what the ctdns tool's command files share.
 */
#ifndef CTDNS_TOOL_H
#define CTDNS_TOOL_H

#include <stdbool.h>

/* The options before the command. */
struct options {
	const char *server;
	const char *key_b64;
	const char *key_pem;
	bool tcp;
	bool verbose;
};

/*
 * ctdns verify CERT.pem [--issuer ISSUER.pem] [--sct-list FILE]
 *     [--sct-source tls|ocsp] --log-list FILE [--log-zone LOGID=ZONE]...
 *     [-s SERVER] [-T] [--json] [--async]
 * @param argc, argv: from "verify" on.
 * @param o: the options given before the command (-s, -T).
 * @return: the exit status: 0 every SCT that can be proven now was,
 *	1 an SCT is invalid or its proof failed (or there is no SCT),
 *	2 usage, files, network.
 */
int cmd_verify(int argc, char **argv, const struct options *o);

/*
 * ctdns checkpoint ZONE [--origin ORIGIN | --url URL]
 *     [--witness [NAME=]VKEY]... [--quorum K], with -k or -K
 * (cmd_checkpoint.c).
 * @param argc, argv: from "checkpoint" on.
 * @param o: the options given before the command.
 * @return: the exit status: 0 the log's signature and a quorum of
 *	witness cosignatures verified, 1 they did not, 2 usage, keys,
 *	network.
 */
int cmd_checkpoint(int argc, char **argv, const struct options *o);
struct logkey;

/*
 * Load the log key -k or -K names (ctdns.c).
 * @param key: set to the key (caller frees with logkey_free()), or NULL
 *	when neither option was given.
 * @return: CTD_OK; CTD_ECONF when the key cannot be loaded (reported).
 */
int tool_load_key(const struct options *o, struct logkey **key);

/*
 * ctdns audit-sth ZONE FILE [--origin ORIGIN] (cmd_audit.c).
 * @param argc, argv: from "audit-sth" on.
 * @param o: the options given before the command (-s, -k, -K, -T, -v).
 * @return: the exit status: 0 consistent, 1 a signature or data does not
 *	verify, 2 usage, files, network, 3 split view, 4 not yet verifiable.
 */
int cmd_audit_sth(int argc, char **argv, const struct options *o);

#endif /* CTDNS_TOOL_H */
