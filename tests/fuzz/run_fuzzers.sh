#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run_fuzzers.sh -- a short libFuzzer run of every target, for `make check`.
#
# Builds tests/fuzz/fuzz_*.c and the library sources with clang
# -fsanitize=fuzzer,address,undefined, outside the autotools build (which
# may use gcc), then runs each target for FUZZ_SECONDS (default 60) over a
# copy of its corpus tests/fuzz/<name>.in/. Any crash, sanitizer report,
# leak or input slower than FUZZ_TIMEOUT seconds (default 10) fails the
# target's test; the input that did it is kept in
# $top_builddir/tests/fuzz/artifacts/ with the run's log (docs/fuzzing.md
# says how to minimise it and add it to the corpus).
#
# Environment:
#   FUZZ_SECONDS   seconds per target; 0 skips the run (exit 77)
#   FUZZ_TARGETS   the targets to run (default: all of them)
#   FUZZ_TIMEOUT   seconds one input may take (default 10)
#   FUZZ_CC        the compiler (default clang)
#   top_srcdir, top_builddir (make check sets both; default: this tree)
#   CTD_FUZZ_PREBUILT=yes  use the --with-fuzzer binaries of top_builddir
#   CTD_DEP_CFLAGS, CTD_DEP_LIBS  dependency flags (default: pkg-config)
# Skips with a message when clang or libFuzzer is missing: the TAP plan
# "1..0 # SKIP why", exit 0 (automake's TAP driver reports that as SKIP,
# while it counts exit status 77 as an ERROR, unlike the plain driver).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
targets=${FUZZ_TARGETS:-fuzz_wire fuzz_ctq fuzz_rfc6962 fuzz_answer fuzz_note fuzz_tile fuzz_checkpoint fuzz_witness_req}
cc=${FUZZ_CC:-clang}

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

case $seconds in
''|*[!0-9]*) echo "Bail out! FUZZ_SECONDS=$seconds is not a number"; exit 1 ;;
0) skip "FUZZ_SECONDS=0" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/run_fuzzers.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP
artifacts=$top_builddir/tests/fuzz/artifacts
mkdir -p "$artifacts"

# --- the binaries: --with-fuzzer's, or built here with clang -------------
if [ "${CTD_FUZZ_PREBUILT:-no}" = yes ]; then
	bindir=$top_builddir/tests/fuzz
else
	command -v "$cc" >/dev/null 2>&1 ||
		skip "no $cc: install clang to fuzz (apt-get install clang)"
	cat > "$work/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d == 0 && n; }
EOF
	"$cc" -fsanitize=fuzzer,address,undefined -o "$work/probe" \
	    "$work/probe.c" > "$work/probe.log" 2>&1 ||
		skip "$cc cannot link -fsanitize=fuzzer,address,undefined" \
		    "(libFuzzer missing: $(head -n 1 "$work/probe.log"))"
	if [ ! -f "$top_builddir/config.h" ]; then
		echo "Bail out! no $top_builddir/config.h: run configure first"
		exit 1
	fi
	if [ -z "${CTD_DEP_CFLAGS+set}" ]; then
		# The same packages as configure's CTD_NEED: metrics.c is
		# part of the library and needs libmicrohttpd.
		CTD_DEP_CFLAGS=$(pkg-config --cflags ldns libuv libcrypto \
		    libcurl jansson libmicrohttpd 2>/dev/null)
		CTD_DEP_LIBS="$(pkg-config --libs ldns libuv libcrypto \
		    libcurl jansson libmicrohttpd 2>/dev/null) -llmdb"
	fi
	bindir=$work/bin
	mkdir -p "$bindir" "$work/obj"
	flags="-g -O1 -std=gnu11 -fno-omit-frame-pointer
	    -fsanitize=fuzzer-no-link,address,undefined
	    -fno-sanitize-recover=undefined -I$top_builddir -I$top_srcdir/src
	    -DFUZZ_SRCDIR=\"$top_srcdir\" $CTD_DEP_CFLAGS"
	# The library: src/*.c but main.c, two compilers at a time.
	for c in "$top_srcdir"/src/*.c; do
		[ "$(basename "$c")" = main.c ] || echo "$c"
	done > "$work/sources"
	# shellcheck disable=SC2086
	if ! xargs -P 2 -I{} sh -c \
	    '"$0" $1 -c "{}" -o "$2/obj/$(basename "{}" .c).o"' \
	    "$cc" "$flags" "$work" < "$work/sources" > "$work/build.log" 2>&1
	then
		echo "Bail out! $cc could not build the library:"
		sed 's/^/# /' "$work/build.log" | head -n 40
		exit 1
	fi
	for t in $targets; do
		# shellcheck disable=SC2086
		if ! "$cc" $flags -fsanitize=fuzzer -o "$bindir/$t" \
		    "$top_srcdir/tests/fuzz/$t.c" "$work"/obj/*.o \
		    $CTD_DEP_LIBS >> "$work/build.log" 2>&1; then
			echo "Bail out! $cc could not build $t:"
			sed 's/^/# /' "$work/build.log" | tail -n 40
			exit 1
		fi
	done
fi

# --- the runs ---------------------------------------------------------------
# Sanitizer errors end the run and fail it; a user's options come last.
ASAN_OPTIONS="halt_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
ubsan=halt_on_error=1:print_stacktrace=1
UBSAN_OPTIONS="$ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS
# The lines of a failed run worth showing in the TAP output.
report='ERROR|SUMMARY|runtime error|property failed|ALARM|Test unit written'
set -- $targets
echo "1..$#"
n=0
failed=0
for t in $targets; do
	n=$((n + 1))
	corpus=$work/corpus/$t
	mkdir -p "$corpus"
	cp "$top_srcdir/tests/fuzz/$t.in"/* "$corpus/"
	before=$(ls "$corpus" | wc -l)
	log=$artifacts/$t.log
	# libFuzzer stops itself after max_total_time; the outer timeout
	# only catches a fuzzer that hangs outside an input.
	timeout -k 10 $((seconds + 120)) "$bindir/$t" \
	    -max_total_time="$seconds" -timeout="$timeout" \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/$t-" "$corpus" > "$log" 2>&1
	rc=$?
	after=$(ls "$corpus" | wc -l)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -eq 0 ]; then
		rm -f "$log"
		echo "ok $n - $t: ${runs:-?} inputs in $seconds s," \
		    "corpus $before -> $after"
	else
		failed=1
		echo "not ok $n - $t: exit $rc (log: $log)"
		grep -E "$report" "$log" | head -n 20 | sed 's/^/# /'
	fi
done
exit $failed
