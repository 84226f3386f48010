# SPDX-License-Identifier: BSD-3-Clause
# ctlib.sh -- helpers of the system tests that run ctdnsd (sourced after
# lib.sh). Every process runs on 127.0.0.1 with ephemeral ports.
#
#   ct_init NAME                lib_init + tool checks (SKIP if missing)
#   ct_start_sim N [ARGS]       ctlog-sim with N entries: SIM_URL, SIM_KEY
#                               (on port SIM_PORT if set, else any)
#   ct_conf [LINES...]          write $CONF (extra lines go in the log:
#                               section); DNS_PORT, DB chosen here
#   ct_start_daemon             start ctdnsd -d on $CONF, wait for an STH
#   ct_start_named NAME [LINES] a further ctdnsd named NAME, with its own
#                               zone copy and store, LINES in server:;
#                               sets DNS_PORT (and PORT), waits for an STH
#   ct_ok DESC CMD...           one test: CMD's status; output on failure
#   ct_restart_daemon           stop and start again on the same store
#   ct_wait_sth SIZE [SECS]     wait until sth.<zone> serves tree SIZE
#   ct_sth_size                 the tree size served now (empty if none)
#   ct_wait_polled [SECS]       wait until the daemon has polled the log's
#                               tree head as it is now, and judged it
#   ct_wait_count ENDPOINT N [SECS]
#                               wait until the log has seen N requests
#   ct_dig ARGS                 dig at the daemon, no recursion, 2 x 5 s
#   ct_rcode ARGS               the rcode dig reports (NOERROR, ...)
#   ct_sim PATH                 GET $SIM_URL$PATH
#   ct_sim_count ENDPOINT       requests the log has seen for ENDPOINT
#   ct_leaf I                   the leaf hash (hex) of entry I
#   ct_check ARGS               tests/system/dnscheck.py against the daemon
#   ct_client ARGS              tools/ctdns/ctdns -s daemon -k key ARGS
#   ct_log_has RE               the daemon's log output matches RE

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
. "$top_srcdir/tests/system/lib.sh"

CTLOG_SIM=${CTLOG_SIM:-$top_builddir/tools/ctlog-sim/ctlog-sim}
CTDNSD=$top_builddir/src/ctdnsd
CTDNS=$top_builddir/tools/ctdns/ctdns
PY=/usr/bin/python3
ZONE=demo.ct.example
PROOF_TTL=86400
STH_TTL=123
NEG_TTL=45

ct_init() {
	lib_init "$1"
	lib_need dig curl
	if ! [ -x "$PY" ] || ! "$PY" -c 'import dns.message' 2>/dev/null; then
		lib_skip_all "/usr/bin/python3 with dnspython is needed"
	fi
	CONF=$LIB_TMP/ctdnsd.conf
	DB=$LIB_TMP/db
}

ct_start_sim() {
	ct_n=$1
	shift
	rm -f "$LIB_TMP/sim.port"
	lib_start sim "$CTLOG_SIM" -a 127.0.0.1 -p "${SIM_PORT:-0}" -n "$ct_n" \
		--ready-file "$LIB_TMP/sim.port" "$@"
	if ! lib_wait_file "$LIB_TMP/sim.port" 60; then
		echo "Bail out! ctlog-sim did not start"
		cat "$LIB_TMP/sim.err" >&2
		exit 99
	fi
	SIM_URL=http://127.0.0.1:$(cat "$LIB_TMP/sim.port")/
	lib_wait_line sim '^key: ' 60
	SIM_KEY=$(sed -n 's/^key: //p' "$LIB_TMP/sim.out")
}

# ct_start_sim2 N SEED: a second simulated log, "sim2", of N entries and
# its own tree and key (from SEED); sets SIM2_URL and SIM2_KEY.
ct_start_sim2() {
	lib_start sim2 "$CTLOG_SIM" -a 127.0.0.1 -p 0 -n "$1" --seed "$2" \
		--ready-file "$LIB_TMP/sim2.port"
	if ! lib_wait_file "$LIB_TMP/sim2.port" 60 ||
	    ! lib_wait_line sim2 '^key: ' 60; then
		echo "Bail out! the second ctlog-sim did not start"
		exit 99
	fi
	SIM2_URL=http://127.0.0.1:$(cat "$LIB_TMP/sim2.port")/
	SIM2_KEY=$(sed -n 's/^key: //p' "$LIB_TMP/sim2.out")
}

# ct_reloads [NAME]: how many reloads the daemon started as NAME (default
# ctdnsd) has ended, applied or refused (lines of NAME.err).
ct_reloads() {
	grep -c -e 'reload: serving' -e 'keeping the running configuration' \
		"$LIB_TMP/${1:-ctdnsd}.err"
}

# ct_hup [NAME]: SIGHUP that daemon and wait (at most 30 s) until it says
# the reload ended; status 1 when it does not.
ct_hup() {
	ct_hup_name=${1:-ctdnsd}
	ct_hup_n=$(ct_reloads "$ct_hup_name")
	kill -HUP "$(lib_pid "$ct_hup_name")"
	ct_hup_left=300
	while [ "$(ct_reloads "$ct_hup_name")" -le "$ct_hup_n" ]; do
		ct_hup_left=$((ct_hup_left - 1))
		[ "$ct_hup_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

# ct_write_conf FILE ZONEFILE DB [SERVER-LINES...] -- [LOG-LINES...]
# (CT_MORE_LOGS, when set, is appended: further log: sections.)
ct_write_conf() {
	ct_file=$1 ct_zonefile=$2 ct_db=$3
	shift 3
	{
		echo "server:"
		echo "    listen: 127.0.0.1@$DNS_PORT"
		echo "    database: $ct_db"
		echo "    database-size: 64M"
		echo "    verbosity: ${CT_VERBOSITY:-2}"
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			echo "    $1"
			shift
		done
		[ $# -gt 0 ] && shift
		echo "log:"
		echo "    name: demo"
		echo "    zone: $ZONE."
		echo "    zonefile: $ct_zonefile"
		echo "    ${CT_URL_KEY:-url}: $SIM_URL"
		echo "    key: $SIM_KEY"
		echo "    sth-refresh: ${CT_STH_REFRESH:-1}"
		echo "    sth-ttl: $STH_TTL"
		echo "    proof-ttl: $PROOF_TTL"
		echo "    negative-ttl: $NEG_TTL"
		for ct_line in "$@"; do
			echo "    $ct_line"
		done
		# More log: sections, whole, when a test needs them.
		[ -z "${CT_MORE_LOGS:-}" ] || printf '%s\n' "$CT_MORE_LOGS"
	} > "$ct_file"
}

ct_conf() {
	DNS_PORT=${DNS_PORT:-$(lib_free_port)}
	ct_write_conf "$CONF" \
	    "${ZONEFILE:-$top_srcdir/zones/demo.ct.example.zone}" "$DB" -- "$@"
}

ct_sth_size() {
	ct_dig +short TXT "sth.$ZONE" 2>/dev/null | tr -d '"' | cut -d. -f1
}

ct_wait_sth() {
	ct_left=$(( ${2:-20} * 10 ))
	until [ "$(ct_sth_size)" = "$1" ]; do
		ct_left=$((ct_left - 1))
		[ "$ct_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

# The poller asks again only when its last get-sth (and the consistency
# proof it needed) is done: two more get-sth than now, and the first of
# them, sent after this call, has been judged.
ct_wait_polled() {
	ct_polls=$(( $(ct_sim_count get-sth) + 2 ))
	ct_wait_count get-sth "$ct_polls" "${1:-30}"
}

ct_wait_count() {
	ct_left=$(( ${3:-30} * 10 ))
	until [ "$(ct_sim_count "$1")" -ge "$2" ]; do
		ct_left=$((ct_left - 1))
		[ "$ct_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

# ct_wait_serving NAME: until ctdnsd NAME serves an STH on DNS_PORT
# (at most 60 s).
ct_wait_serving() {
	ct_left=600
	until ct_dig +short TXT "sth.$ZONE" 2>/dev/null | grep -q '"'; do
		ct_left=$((ct_left - 1))
		if [ "$ct_left" -le 0 ] ||
		    ! kill -0 "$(lib_pid "$1")" 2>/dev/null; then
			echo "Bail out! ctdnsd $1 did not serve an STH"
			sed 's/^/# /' "$LIB_TMP/$1.err"
			exit 99
		fi
		sleep 0.1
	done
}

ct_start_daemon() {
	lib_start ctdnsd ${CTDNSD_WRAPPER:-} "$CTDNSD" -c "$CONF" -d
	ct_wait_serving ctdnsd
}

ct_start_named() {
	ct_name=$1
	shift
	DNS_PORT=$(lib_free_port)
	PORT=$DNS_PORT
	cp "$top_srcdir/zones/demo.ct.example.zone" "$LIB_TMP/$ct_name.zone"
	ct_write_conf "$LIB_TMP/$ct_name.conf" "$LIB_TMP/$ct_name.zone" \
	    "$LIB_TMP/$ct_name.db" "$@"
	lib_start "$ct_name" ${CTDNSD_WRAPPER:-} "$CTDNSD" \
	    -c "$LIB_TMP/$ct_name.conf" -d
	ct_wait_serving "$ct_name"
}

ct_ok() {
	ct_desc=$1
	shift
	"$@" > "$LIB_TMP/ct_ok.out" 2>&1
	ct_st=$?
	tap_ok "$ct_st" "$ct_desc"
	[ "$ct_st" -eq 0 ] || tap_diag "$(cat "$LIB_TMP/ct_ok.out")"
}

ct_restart_daemon() {
	cat "$LIB_TMP/ctdnsd.err" >> "$LIB_TMP/ctdnsd.before-restart.err"
	lib_stop ctdnsd
	ct_start_daemon
}

ct_dig() {
	dig +norec +time=5 +tries=2 -p "$DNS_PORT" @127.0.0.1 "$@"
}

ct_rcode() {
	ct_dig "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -1
}

ct_sim() {
	curl -sf --max-time 60 "${SIM_URL%/}$1"
}

ct_sim_count() {
	ct_sim /sim/stats | "$PY" -c 'import json, sys
print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

ct_leaf() {
	ct_sim "/sim/leaf?index=$1" | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["leaf_hash"])'
}

ct_check() {
	"$PY" "$top_srcdir/tests/system/dnscheck.py" 127.0.0.1 "$DNS_PORT" \
		"$ZONE" "$SIM_URL" --proof-ttl "$PROOF_TTL" --sth-ttl "$STH_TTL" \
		"$@"
}

ct_client() {
	"$CTDNS" -s "127.0.0.1@$DNS_PORT" -k "$SIM_KEY" "$@"
}

ct_log_has() {
	grep -q -- "$1" "$LIB_TMP/ctdnsd.err"
}

# ct_vkey NAME PEM: the cosignature/v1 verifier key (c2sp.org/signed-note)
# of the Ed25519 private key in PEM under the key name NAME, computed with
# python3-cryptography, apart from ctdnsd's own code.
ct_vkey() {
	"$PY" - "$1" "$2" <<'EOF'
import base64, hashlib, sys
from cryptography.hazmat.primitives import serialization
name, pem = sys.argv[1], open(sys.argv[2], "rb").read()
pub = serialization.load_pem_private_key(pem, None).public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)
raw = b"\x04" + pub
kid = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
print("%s+%s+%s" % (name, kid.hex(), base64.b64encode(raw).decode()))
EOF
}
