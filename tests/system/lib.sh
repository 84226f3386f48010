# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- shared helpers of the system tests (POSIX sh, sourced).
#
#   lib_init NAME          temporary directory $LIB_TMP, cleanup on exit
#   lib_need CMD...        skip the whole test unless every CMD exists
#   lib_skip_all WHY       skip the whole test: "1..0 # SKIP WHY", exit 0.
#                          Under automake's TAP driver (LOG_DRIVER) that
#                          plan is what marks a SKIP; exit status 77 would
#                          be reported as an ERROR there.
#   lib_free_port          print a port free for TCP and UDP a moment ago,
#                          outside the ephemeral range
#   lib_start NAME CMD...  run CMD in the background; stdout and stderr go
#                          to $LIB_TMP/NAME.out and NAME.err; pid kept
#   lib_wait_file PATH [SECS]      wait until PATH exists and is not empty
#   lib_wait_line NAME RE [SECS]   wait until NAME.out has a line matching RE
#   lib_pid NAME           print the pid of a started process
#   lib_stop NAME [SECS]   SIGTERM, wait (then SIGKILL); returns its status
#   tap_plan N, tap_ok STATUS DESC, tap_is GOT WANT DESC, tap_skip DESC WHY,
#   tap_diag TEXT, tap_done  (exit status: 0 only if every test passed and
#                             the plan was met), tap_end (trailing plan
#                             "1..N" instead of tap_plan, then as tap_done)
#
# Every process started with lib_start is stopped by the exit trap, so a
# failing test leaves nothing running. Binaries come from $top_builddir
# (default .), data from $top_srcdir (default .).

: "${top_builddir:=.}"
: "${top_srcdir:=.}"

LIB_TMP=
LIB_NAMES=
TAP_N=0
TAP_FAILED=0
TAP_PLAN=0

lib_init() {
	LIB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctdns-$1.XXXXXX") || exit 99
	# A signal must still run the EXIT trap: "| head" sends SIGPIPE.
	trap 'lib_cleanup' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

lib_cleanup() {
	for lib_n in $LIB_NAMES; do
		lib_stop "$lib_n" 2 >/dev/null 2>&1
	done
	if [ -n "$LIB_TMP" ] && [ -z "${LIB_KEEP_TMP:-}" ]; then
		rm -rf "$LIB_TMP"
	fi
}

lib_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

lib_need() {
	for lib_c in "$@"; do
		if ! command -v "$lib_c" >/dev/null 2>&1; then
			lib_skip_all "$lib_c not found"
		fi
	done
}

lib_free_port() {
	/usr/bin/python3 -c 'import random, socket
# Outside the ephemeral range, which outgoing connections draw from; free
# for TCP and UDP now. Another listener may still take it before ours.
try:
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except (OSError, ValueError):
    lo, hi = 32768, 60999
ports = range(10000, lo) if lo > 12000 else range(hi + 1, 65536)
for _ in range(1000):
    port = random.choice(ports)
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break'
}

lib_start() {
	lib_name=$1
	shift
	"$@" >"$LIB_TMP/$lib_name.out" 2>"$LIB_TMP/$lib_name.err" &
	echo $! >"$LIB_TMP/$lib_name.pid"
	LIB_NAMES="$LIB_NAMES $lib_name"
}

lib_pid() {
	cat "$LIB_TMP/$1.pid" 2>/dev/null
}

# Poll every 0.1 s; fail after SECS (default 20).
lib_wait_file() {
	lib_left=$(( ${2:-20} * 10 ))
	while [ ! -s "$1" ]; do
		lib_left=$((lib_left - 1))
		[ "$lib_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

lib_wait_line() {
	lib_left=$(( ${3:-20} * 10 ))
	while ! grep -q -- "$2" "$LIB_TMP/$1.out" 2>/dev/null; do
		lib_left=$((lib_left - 1))
		[ "$lib_left" -gt 0 ] || return 1
		if ! kill -0 "$(lib_pid "$1")" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
}

# lib_wait_until SECS CMD...: run CMD every 0.1 s until it succeeds or
# SECS seconds passed; the status of its last run.
lib_wait_until() {
	lib_left=$(( $1 * 10 ))
	shift
	until "$@"; do
		lib_left=$((lib_left - 1))
		[ "$lib_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

# SIGTERM, wait up to SECS (default 10), SIGKILL; return the exit status
# (137 when it had to be killed, 0 when it was not running).
lib_stop() {
	lib_p=$(lib_pid "$1")
	[ -n "$lib_p" ] || return 0
	rm -f "$LIB_TMP/$1.pid"
	if ! kill -TERM "$lib_p" 2>/dev/null; then
		wait "$lib_p" 2>/dev/null
		return
	fi
	lib_left=$(( ${2:-10} * 10 ))
	while kill -0 "$lib_p" 2>/dev/null; do
		lib_left=$((lib_left - 1))
		if [ "$lib_left" -le 0 ]; then
			kill -KILL "$lib_p" 2>/dev/null
			wait "$lib_p" 2>/dev/null
			return 137
		fi
		sleep 0.1
	done
	wait "$lib_p" 2>/dev/null
}

# lib_unbound_conf FILE PORT ZONE STUB [SERVER-LINES...]: an Unbound
# configuration for a test: a recursive resolver on 127.0.0.1@PORT that
# reaches ZONE (with its trailing dot) through the stub address STUB
# (ADDR@PORT) and refuses everything else locally (no root priming, no
# traffic beyond loopback), with these extra server: lines.
lib_unbound_conf() {
	lib_uf=$1 lib_up=$2 lib_uz=$3 lib_us=$4
	shift 4
	{
		cat <<EOF
server:
    interface: 127.0.0.1
    port: $lib_up
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$LIB_TMP"
    pidfile: "$LIB_TMP/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    do-not-query-localhost: no
    local-zone: "." refuse
    local-zone: "$lib_uz" transparent
EOF
		for lib_ul in "$@"; do
			echo "    $lib_ul"
		done
		cat <<EOF
remote-control:
    control-enable: no
stub-zone:
    name: "$lib_uz"
    stub-addr: $lib_us
EOF
	} >"$lib_uf"
}

tap_plan() {
	TAP_PLAN=$1
	echo "1..$1"
}

# tap_ok STATUS DESC: STATUS is an exit status (0 = pass).
tap_ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_is() {
	if [ "$1" = "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		tap_diag "got '$1', want '$2'"
	fi
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

tap_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

tap_done() {
	if [ "$TAP_N" -ne "$TAP_PLAN" ]; then
		tap_diag "planned $TAP_PLAN tests, ran $TAP_N"
		exit 1
	fi
	[ "$TAP_FAILED" -eq 0 ] || exit 1
	exit 0
}

tap_end() {
	echo "1..$TAP_N"
	TAP_PLAN=$TAP_N
	tap_done
}
