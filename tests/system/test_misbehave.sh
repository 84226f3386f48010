#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_misbehave.sh -- the log misbehaves in every way ctlog-sim can:
# nothing unverified is ever served, each misdeed raises an ALARM in the
# daemon's log, the last good data keeps being served, failures are
# SERVFAIL at once, and once the log behaves again all is well.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init misbehave
ct_start_sim 100
ct_conf "upstream-timeout: 1"
ct_start_daemon

mode() { ct_sim "/sim/mode?set=$1" >/dev/null; }
alarms() { grep -c "ALARM" "$LIB_TMP/ctdnsd.err"; }
sth_text() { ct_dig +short TXT "sth.$ZONE"; }
proof_rc() { ct_client proof "$ZONE" "$(ct_leaf "$1")" >/dev/null 2>&1; echo $?; }

tap_is "$(proof_rc 10)" 0 "a proof verifies while the log behaves"

# A bad signature on a larger tree: not served.
good=$(sth_text)
a=$(alarms)
mode bad-sig
ct_sim "/sim/grow?n=10" >/dev/null
ct_wait_polled
tap_is "$(sth_text)" "$good" "bad-sig: the badly signed STH is not served"
[ "$(alarms)" -gt "$a" ] && ct_log_has "signature does not verify"
tap_ok $? "bad-sig: an ALARM names the signature"
mode normal
ct_wait_sth 110 30
tap_ok $? "normal again: the properly signed tree 110 is served"

# A fork: another root for the served size, then a larger forked tree.
good=$(sth_text)
a=$(alarms)
mode fork
ct_wait_polled
tap_is "$(sth_text)" "$good" "fork: an STH with another root for tree 110 is not served"
ct_log_has "fork"
tap_ok $? "fork: an ALARM says fork"
ct_sim "/sim/grow?n=10" >/dev/null
ct_wait_polled
tap_is "$(ct_sth_size)" 110 "fork: a larger forked tree is not served either"
ct_log_has "consistency proof from the served tree does not verify"
tap_ok $? "fork: an ALARM says the consistency proof failed"
mode normal
ct_wait_sth 120 30
tap_ok $? "normal again: the real tree 120, consistent with 110, is served"

# A rollback to a smaller tree.
a=$(alarms)
mode rollback
ct_wait_polled
tap_is "$(ct_sth_size)" 120 "rollback: the smaller tree is not served"
ct_log_has "tree size went backwards"
tap_ok $? "rollback: an ALARM says the size went backwards"
mode normal
ct_wait_polled

# A bad proof: SERVFAIL, nothing stored; later the real proof verifies.
mode bad-proof
tap_is "$(ct_rcode TXT "0.77.120.tree.$ZONE")" SERVFAIL "bad-proof: SERVFAIL for an audit path that does not verify"
ct_log_has "does not verify against its signed tree"
tap_ok $? "bad-proof: an ALARM names the proof"
tap_is "$(proof_rc 78)" 2 "bad-proof: ctdns cannot get a proof (exit 2), never a wrong one"
mode normal
ct_wait_polled
tap_is "$(proof_rc 77)" 0 "normal again: the same leaf's real proof verifies (nothing bad was stored)"

# The log fails: SERVFAIL for what is missing, the store still serves.
tap_is "$(proof_rc 11)" 0 "a proof in tree 120 verifies (and is stored)"
mode error
tap_is "$(ct_rcode TXT "0.88.120.tree.$ZONE")" SERVFAIL "error (HTTP 500): SERVFAIL for a missing proof"
tap_is "$(proof_rc 11)" 0 "error: the stored proof is still served and verifies"
mode bad-json
tap_is "$(ct_rcode TXT "0.89.120.tree.$ZONE")" SERVFAIL "bad-json: SERVFAIL"
# The log holds the request until told: any answer is the timeout's.
mode hold
start=$(date +%s%N)
rc=$(ct_rcode +time=20 +tries=1 TXT "0.90.120.tree.$ZONE")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$(ct_sim /sim/mode | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["mode"])')/$rc" hold/SERVFAIL \
	"a log that does not answer, with upstream-timeout 1: SERVFAIL"
[ "$ms" -ge 900 ]
tap_ok $? "after the timeout (${ms} ms), while the log still holds the request"
mode normal
ct_wait_polled
fails=0
for i in 88 89 90; do [ "$(proof_rc $i)" = 0 ] || fails=$((fails + 1)); done
tap_is $fails 0 "normal again: every proof that failed now verifies"

# Nothing served differs from the real log.
ct_check sth
tap_ok $? "the STH served is the log's real one"
ct_check tree 10:120 77:120 88:120 89:120 90:120 10:110 5:100
tap_ok $? "every audit path served equals the real log's"

lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
