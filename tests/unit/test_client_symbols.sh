#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_client_symbols.sh -- libctdns.a exports only ctdns_* (the API) and
# ctdns__* (its internals, renamed by lib/namespace.h), so embedding the
# static library never clashes with an application's own symbols. Also
# checks that every function ctdns.h declares is defined.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
LIB=$top_builddir/lib/libctdns.a
if ! command -v nm >/dev/null 2>&1; then
	echo "1..0 # SKIP nm not found"
	exit 0
fi
echo "1..3"
defined=$(nm -g --defined-only "$LIB" 2>/dev/null | awk 'NF == 3 { print $3 }')
if [ -n "$defined" ]; then
	echo "ok 1 - libctdns.a defines global symbols"
else
	echo "not ok 1 - libctdns.a defines global symbols"
fi
stray=$(printf '%s\n' "$defined" | grep -v -e '^ctdns_' -e '^$' || true)
if [ -z "$stray" ]; then
	echo "ok 2 - every global symbol is ctdns_* or ctdns__*"
else
	echo "not ok 2 - every global symbol is ctdns_* or ctdns__*"
	printf '%s\n' "$stray" | sed 's/^/# stray: /'
fi
missing=
for f in $(grep -v '^typedef' "$top_srcdir/lib/ctdns.h" |
    sed -n 's/^\(ctdns_[a-z_]*\)(.*/\1/p; s/^[a-z].* \**\(ctdns_[a-z_]*\)(.*/\1/p' \
    | sort -u); do
	printf '%s\n' "$defined" | grep -qx "$f" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	echo "ok 3 - every function of ctdns.h is defined"
else
	echo "not ok 3 - every function of ctdns.h is defined"
	echo "# missing:$missing"
fi
[ -z "$stray" ] && [ -z "$missing" ] && [ -n "$defined" ]
