#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_witness_net.sh -- three ctdnsd instances witnessing each other in
# front of one ctlog-sim, with a quorum of 2 (docs/witness.md):
#
#   a, b, c: each a cosigner (cosigner-name/-key) and a witness
#   (witness-listen), each listing the two others as `witness:` of the
#   log with `witness-quorum: 2`; a reaches the sim from 127.0.0.2.
#
# 1. Every head is cosigned: `ctdns checkpoint` verifies a quorum of the
#    three keys through Unbound (whose edns-buffer-size of 512 makes the
#    answer come back truncated: it asks ctdnsd again over TCP).
# 2. The sim splits its view for 127.0.0.2 while a is down; b and c adopt
#    the real head and cosign it. a comes back and adopts the split head:
#    its own cosigner signs it, b and c refuse it (409 then 422), a
#    fetches their checkpoints, raises the ALARM with both signed heads
#    and never serves the split head (no quorum). `ctdns audit-sth` on the
#    split head, against b through Unbound, reports the split view.
# 3. A restarted witness keeps the size it cosigned.
#
# WITNESS_NET_KIND=tiled (test_witness_net_tiled.sh) runs the same against
# a static-ct-api log (ctlog-sim --static, which splits its checkpoint and
# tiles too): ctdnsd reads it by monitoring-url, its submission-url gives
# the origin, and the split head handed to audit-sth is the checkpoint the
# split client is shown. The sim's own witness line in that checkpoint is
# not one of the configured witnesses: it counts for nothing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/ctlib.sh"

KIND=${WITNESS_NET_KIND:-rfc6962}
case $KIND in
rfc6962) SIM_ARGS= ;;
tiled) SIM_ARGS=--static CT_URL_KEY=monitoring-url ;;
*)
	echo "Bail out! WITNESS_NET_KIND=$KIND: rfc6962 or tiled"
	exit 99
	;;
esac
ct_init "witness_net_$KIND"
lib_need openssl kdig
UNBOUND=$(command -v unbound 2>/dev/null || echo /usr/sbin/unbound)
[ -x "$UNBOUND" ] || lib_skip_all "unbound is not installed"
if ! "$PY" -c 'import cryptography' 2>/dev/null; then
	lib_skip_all "python3-cryptography is missing"
fi
T=$LIB_TMP
STH_TTL=2
# shellcheck disable=SC2086
ct_start_sim 100 --split-client 127.0.0.2 $SIM_ARGS
SIM=${SIM_URL%/}
# The checkpoint origin: the URL without scheme and trailing slash (for a
# tiled log its submission-url, here the sim's one URL).
ORIGIN=${SIM#http://}
LOG_LINES=
[ "$KIND" = tiled ] && LOG_LINES="submission-url: $SIM_URL"
if ! curl -sf -o /dev/null --interface 127.0.0.2 --max-time 10 \
    "$SIM/sim/stats"; then
	lib_skip_all "cannot reach the sim from 127.0.0.2"
fi

# Long key names: three cosignature lines then pass 512 bytes.
LONG=witness-with-a-rather-long-name-to-fill-the-answer.example
for n in a b c; do
	openssl genpkey -algorithm ed25519 -out "$T/$n.key" 2>/dev/null
	eval "NAME_$n=$n.$LONG"
	eval "VKEY_$n=\$(ct_vkey \"\$NAME_$n\" \"\$T/$n.key\")"
	eval "DNS_$n=\$(lib_free_port)"
	eval "WIT_$n=\$(lib_free_port)"
done
# Three verifier keys, each of its name, all different.
vkeys_ok=0
for n in a b c; do
	case $(eval echo "\$VKEY_$n") in
	"$(eval echo "\$NAME_$n")"+[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]+?*) ;;
	*) vkeys_ok=1 ;;
	esac
done
[ "$VKEY_a" != "$VKEY_b" ] && [ "$VKEY_b" != "$VKEY_c" ] &&
    [ "$VKEY_a" != "$VKEY_c" ] || vkeys_ok=1
tap_ok "$vkeys_ok" "three cosigner keys: $VKEY_a"

# conf NAME OTHER1 OTHER2 [SERVER-LINES...]: write NAME's configuration.
conf() {
	ct_n=$1 ct_o1=$2 ct_o2=$3
	shift 3
	cp "$top_srcdir/zones/demo.ct.example.zone" "$T/$ct_n.zone"
	DNS_PORT=$(eval echo "\$DNS_$ct_n")
	ct_write_conf "$T/$ct_n.conf" "$T/$ct_n.zone" "$T/$ct_n.db" \
	    "cosigner-name: $(eval echo "\$NAME_$ct_n")" \
	    "cosigner-key: $T/$ct_n.key" \
	    "witness-listen: 127.0.0.1@$(eval echo "\$WIT_$ct_n")" "$@" -- \
	    "witness: $(eval echo "\$NAME_$ct_o1 \$VKEY_$ct_o1") http://127.0.0.1:$(eval echo "\$WIT_$ct_o1")/" \
	    "witness: $(eval echo "\$NAME_$ct_o2 \$VKEY_$ct_o2") http://127.0.0.1:$(eval echo "\$WIT_$ct_o2")/" \
	    "witness-quorum: 2" ${LOG_LINES:+"$LOG_LINES"}
}
conf a b c "outgoing-interface: 127.0.0.2"
conf b a c
conf c a b

start() {
	lib_start "$1" "$CTDNSD" -c "$T/$1.conf" -d
}
start a
start b
start c

# on NAME CMD...: run CMD against instance NAME's DNS port.
on() {
	DNS_PORT=$(eval echo "\$DNS_$1")
	shift
	"$@"
}
sth_field() {
	on "$1" ct_dig +short TXT "sth.$ZONE" 2>/dev/null | tr -d '"' |
	    cut -d. -f"$2"
}
# serves NAME SIZE: NAME serves a head of SIZE.
serves() {
	[ "$(sth_field "$1" 1)" = "$2" ]
}
# wait_size NAME SIZE: until NAME serves a head of SIZE (60 s at most).
wait_size() {
	lib_wait_until 60 serves "$1" "$2"
}
for n in a b c; do
	wait_size "$n" 100
	tap_ok $? "$n serves the head of 100 once two of three cosigned it"
done

# --- Unbound in front of b, its upstream answers capped at 512 bytes -----
UPORT=$(lib_free_port)
lib_unbound_conf "$T/unbound.conf" "$UPORT" "$ZONE." "127.0.0.1@$DNS_b" \
    "edns-buffer-size: 512"
lib_start unbound "$UNBOUND" -d -c "$T/unbound.conf"

WITNESSES="--witness $VKEY_a --witness $VKEY_b --witness $VKEY_c"
# checkpoint_ok VIA QUORUM: ctdns checkpoint through VIA (ADDR@PORT).
checkpoint_ok() {
	# shellcheck disable=SC2086
	"$CTDNS" -s "$1" -k "$SIM_KEY" checkpoint "$ZONE." \
	    --url "$SIM_URL" $WITNESSES --quorum "$2" >"$T/cp.out" 2>&1
}
# wait_quorum VIA QUORUM: until the checkpoint carries the quorum.
wait_quorum() {
	lib_wait_until 60 checkpoint_ok "$1" "$2"
}
wait_quorum "127.0.0.1@$UPORT" 2
tap_ok $? "ctdns checkpoint through Unbound: a quorum of 2 of 3 verifies"
[ $? -eq 0 ] || tap_diag "$(cat "$T/cp.out")"
for n in a b c; do
	wait_quorum "127.0.0.1@$(eval echo "\$DNS_$n")" 3
	tap_ok $? "$n's checkpoint answer carries all three cosignatures"
done
on b kdig +noedns +notcp +ignore -p "$DNS_b" @127.0.0.1 TXT \
    "checkpoint.$ZONE" >"$T/udp.out" 2>&1
grep -qi 'flags:.* tc' "$T/udp.out"
tap_ok $? "the checkpoint answer with three cosignatures is truncated in 512 bytes"
grep -qi 'flags:.* tc' "$T/udp.out" || tap_diag "$(cat "$T/udp.out")"
on b kdig +tcp -p "$DNS_b" @127.0.0.1 TXT "checkpoint.$ZONE" \
    >"$T/tcp.out" 2>&1
tap_is "$(grep -c "$LONG" "$T/tcp.out")" 1 \
    "over TCP the whole answer comes (one TXT record)"
# Unbound may still hold an answer of two cosignatures (sth-ttl 2 s).
wait_quorum "127.0.0.1@$UPORT" 3 && grep -q "cosigners: 3 of 3" "$T/cp.out"
tap_ok $? "through Unbound (TCP to ctdnsd) all three cosignatures verify"

# --- the heads advance with their cosignatures --------------------------
ct_sim "/sim/grow?n=10" >/dev/null
for n in a b c; do
	wait_size "$n" 110
	tap_ok $? "$n serves the grown head of 110 once cosigned"
done
# Unbound keeps the old answer for sth-ttl seconds (2 here).
quorum_at_110() {
	checkpoint_ok "127.0.0.1@$UPORT" 2 && grep -q "tree_size=110" "$T/cp.out"
}
lib_wait_until 60 quorum_at_110
tap_ok $? "the grown head of 110 verifies with its quorum through Unbound"

# A reload gives b its witnesses anew (its witness client is remade).
hup_before=$(grep -c "reload: serving" "$T/b.err")
reloaded() {
	[ "$(grep -c "reload: serving" "$T/b.err")" -gt "$hup_before" ]
}
kill -HUP "$(lib_pid b)"
lib_wait_until 10 reloaded
tap_ok $? "b reloads its configuration"

# --- a split view -------------------------------------------------------
lib_stop a
ct_sim "/sim/mode?set=split" >/dev/null
ct_sim "/sim/grow?n=10" >/dev/null
for n in b c; do
	wait_size "$n" 120
	tap_ok $? "$n serves the real head of 120 (cosigned by b and c)"
done
REAL_ROOT=$(sth_field b 3)
# The split head as the split client gets it: get-sth JSON, or the
# checkpoint of a tiled log (its root, base64, on line 3).
if [ "$KIND" = tiled ]; then
	SPLIT_HEAD=$T/split.checkpoint
	curl -sf --interface 127.0.0.2 "$SIM/checkpoint" >"$SPLIT_HEAD"
	SPLIT_ROOT=$(sed -n 3p "$SPLIT_HEAD")
	AUDIT_ARGS="--origin $ORIGIN"
else
	SPLIT_HEAD=$T/split-sth.json
	curl -sf --interface 127.0.0.2 "$SIM/ct/v1/get-sth" >"$SPLIT_HEAD"
	SPLIT_ROOT=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["sha256_root_hash"])' "$SPLIT_HEAD")
	AUDIT_ARGS=
fi
tap_ok "$([ -n "$SPLIT_ROOT" ] && [ "$SPLIT_ROOT" != "$REAL_ROOT" ] &&
    echo 0 || echo 1)" "the sim shows 127.0.0.2 another root at 120"

start a
# a restores 110, adopts the split head, and is refused by b and c.
alarm_logged() {
	grep -q "ALARM log demo: split view: witness" "$T/a.err"
}
lib_wait_until 60 alarm_logged
tap_ok $? "a raises the ALARM: a witness holds a conflicting signed head"
grep "ALARM log demo: split view" "$T/a.err" | head -1 >"$T/alarm.line"
grep -q "ours: .*120" "$T/alarm.line" && grep -q "theirs: .*120" "$T/alarm.line"
tap_ok $? "the ALARM carries both signed heads of size 120"
tap_is "$(sth_field a 1)" 110 "a never serves the split head: it keeps 110"
checkpoint_ok "127.0.0.1@$DNS_a" 2 && grep -q "tree_size=110" "$T/cp.out"
tap_ok $? "a's checkpoint answer is still the cosigned head of 110"
grep -q "refused our head (HTTP 422)" "$T/alarm.line"
tap_ok $? "the witness refused the split head with 422"
# Both b and c refuse it, each with its own signed head as evidence.
both_refused() {
	grep -q "split view: witness $NAME_b " "$T/a.err" &&
	    grep -q "split view: witness $NAME_c " "$T/a.err"
}
lib_wait_until 30 both_refused
tap_ok $? "both other witnesses, b and c, refused it"
# b asks a's witness to cosign the real head too (it failed while a was
# down and is asked again at each poll). Whichever reaches a's witness
# first wins its one state: the split head (cosigned by a itself), and
# then b proves the split from a's evidence; or b's real head, and then
# a's own cosigner refuses the split head. Either way a's witness is not
# fooled into cosigning both.
witness_a_held() {
	grep -q "ALARM log demo: split view: witness $NAME_a" "$T/b.err" ||
	    grep -q "witness $NAME_a refused the head of size 120 (HTTP 422)" \
	    "$T/a.err"
}
lib_wait_until 60 witness_a_held
tap_ok $? "a's own witness cosigns only one of the two heads of 120"
# stat KEY...: the value at KEY (then KEY...) of the sim's /sim/stats.
stat() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}
# The split reached a by the read path of this kind of log, and a tiled
# log was never read through RFC 6962 endpoints.
if [ "$KIND" = tiled ]; then
	tap_ok "$([ "$(stat split checkpoint)" -gt 0 ] &&
	    [ "$(stat split tile-0)" -gt 0 ] &&
	    [ "$(stat get-sth)" -eq 0 ] &&
	    [ "$(stat get-sth-consistency)" -eq 0 ]; echo $?)" \
	    "a read the split view's checkpoint and tiles, nobody get-sth"
else
	tap_ok "$([ "$(stat split get-sth)" -gt 0 ]; echo $?)" \
	    "a read the split view's get-sth"
fi

# audit-sth: the split head, handed to a client of b (through Unbound,
# which may still hold b's head of 110 for sth-ttl: "not yet verifiable",
# exit 4, until it asks again).
audit() {
	# shellcheck disable=SC2086
	"$CTDNS" -s "127.0.0.1@$UPORT" -k "$SIM_KEY" audit-sth "$ZONE." \
	    "$SPLIT_HEAD" $AUDIT_ARGS >"$T/audit.out" 2>&1
}
left=50
audit
audit_rc=$?
while [ "$audit_rc" -eq 4 ] && [ "$left" -gt 0 ]; do
	left=$((left - 1))
	sleep 0.2
	audit
	audit_rc=$?
done
tap_is "$audit_rc" 3 "ctdns audit-sth on a's split head reports a split view"
grep -q "SPLIT VIEW" "$T/audit.out"
tap_ok $? "with the evidence"

# --- a restarted witness keeps what it cosigned --------------------------
lib_stop c
start c
on c ct_wait_sth 120 60
tap_ok $? "c restarted serves 120 again"
ORIGIN_HASH=$(printf '%s' "$ORIGIN" | "$PY" -c 'import hashlib, sys
print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
curl -sf "http://127.0.0.1:$WIT_c/$ORIGIN_HASH/checkpoint" >"$T/c.cp"
{ printf 'old 0\n\n'; cat "$T/c.cp"; } >"$T/req"
code=$(curl -s -o "$T/resp" -w '%{http_code}' --data-binary "@$T/req" \
    "http://127.0.0.1:$WIT_c/add-checkpoint")
tap_is "$code:$(cat "$T/resp")" "409:120" \
    "the restarted witness c answers 409 with the size 120 it cosigned"
tap_end
