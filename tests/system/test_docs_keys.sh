#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_docs_keys.sh -- every configuration key ctdnsd accepts is
# documented: an entry of its own in ctdnsd.conf.5 and a mention in the
# README's list of keys.
#
# The keys are read from the parser's own tables in src/conf_keys.c (the
# quoted name that opens each entry), so a key added there without its
# documentation fails here. Fewer than 40 keys found means the tables'
# shape changed and this reading must be updated: that fails too.
#
# Environment: top_srcdir (make check sets it).

. "${top_srcdir:-.}/tests/system/lib.sh"

lib_init docs_keys
KEYS=$LIB_TMP/keys
sed -n 's/^[[:space:]]*\(\[[A-Z_]*\] = \)\{0,1\}{ "\([a-z0-9-]*\)", K_.*/\2/p' \
	"$top_srcdir/src/conf_keys.c" | sort -u >"$KEYS"
n=$(wc -l <"$KEYS")
tap_ok "$([ "$n" -ge 40 ]; echo $?)" "the parser's tables list $n keys"

missing_man= missing_readme=
while read -r key; do
	grep -q "^\.BI $key: " "$top_srcdir/docs/ctdnsd.conf.5" ||
		missing_man="$missing_man $key"
	grep -q "\`$key\`" "$top_srcdir/README.md" ||
		missing_readme="$missing_readme $key"
done <"$KEYS"
tap_is "${missing_man:-none}" none \
	"every key has its entry in ctdnsd.conf.5 (missing:${missing_man:- none})"
tap_is "${missing_readme:-none}" none \
	"every key is in the README's list (missing:${missing_readme:- none})"

tap_end
