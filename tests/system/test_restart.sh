#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_restart.sh -- the store survives restarts: everything verified
# before is answered after a restart without the log, and what was never
# fetched gets SERVFAIL at once when the log is down.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

ct_init restart
ct_start_sim 200
ZONEFILE=$LIB_TMP/zone
cp "$top_srcdir/zones/demo.ct.example.zone" "$ZONEFILE"
ct_conf
ct_start_daemon

leaves="0 1 50 99 150 199"
fails=0
for i in $leaves; do
	ct_client proof "$ZONE" "$(ct_leaf $i)" >/dev/null 2>&1 || fails=$((fails + 1))
	if [ "$i" -lt 160 ]; then
		ct_client proof "$ZONE" "$(ct_leaf $i)" 160 >/dev/null 2>&1 ||
			fails=$((fails + 1))
	fi
done
ct_client consistency "$ZONE" 37 200 >/dev/null 2>&1 || fails=$((fails + 1))
tap_is $fails 0 "proofs verify while the log is up (fills the store)"
for i in $leaves; do echo "$i $(ct_leaf $i)"; done > "$LIB_TMP/hashes"

# The log goes away; ctdnsd restarts on the same store.
lib_stop sim
ct_restart_daemon
tap_is "$(ct_sth_size)" 200 "after a restart with the log down, the stored STH is served"
ct_client sth "$ZONE" >/dev/null 2>&1
tap_ok $? "the restored STH's signature still verifies"
fails=0
while read -r i h; do
	ct_client proof "$ZONE" "$h" >/dev/null 2>&1 || fails=$((fails + 1))
	if [ "$i" -lt 160 ]; then
		ct_client proof "$ZONE" "$h" 160 >/dev/null 2>&1 ||
			fails=$((fails + 1))
	fi
done < "$LIB_TMP/hashes"
tap_is $fails 0 "every proof verified before is answered from the store alone"
ct_client consistency "$ZONE" 37 200 >/dev/null 2>&1
tap_ok $? "a stored consistency proof is answered from the store alone"

# Something never fetched: SERVFAIL, at once (the log refuses connections),
# not after upstream-timeout (10 s): one try, half of that at most.
start=$(date +%s%N)
rc=$(ct_rcode +time=5 +tries=1 TXT "0.123.200.tree.$ZONE")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$rc" SERVFAIL "a proof never fetched gets SERVFAIL while the log is down"
[ "$ms" -lt 5000 ]
tap_ok $? "and at once (${ms} ms), not after the upstream timeout"
tap_is "$(ct_rcode TXT "0.0.201.tree.$ZONE")" NXDOMAIN \
	"names beyond the stored tree are still NXDOMAIN"

# SIGHUP reloads the zone file; a broken one keeps the loaded zone.
serial() { ct_dig +short SOA "$ZONE" | awk '{print $3}'; }
old=$(serial)
sed "s/$old/$((old + 1))/" "$ZONEFILE" > "$ZONEFILE.new" && mv "$ZONEFILE.new" "$ZONEFILE"
ct_hup
tap_is "$(serial)" "$((old + 1))" "SIGHUP: the new SOA serial is served"
echo "broken line (((" >> "$ZONEFILE"
ct_hup
tap_is "$(serial)" "$((old + 1))" "SIGHUP with a broken zone file keeps the loaded zone"
ct_log_has "reload: .*zone:[0-9]*:"
tap_ok $? "and the log names the file and line"
tap_is "$(ct_sth_size)" 200 "and keeps serving"

lib_stop ctdnsd
tap_is $? 0 "clean stop"
tap_end
