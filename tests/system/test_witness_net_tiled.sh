#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# test_witness_net_tiled.sh -- test_witness_net.sh (three ctdnsd witnessing
# each other, a split view caught) in front of a static-ct-api log: the
# split client is shown the split view's checkpoint and tiles.
: "${top_srcdir:=.}"
WITNESS_NET_KIND=tiled
export WITNESS_NET_KIND
exec /bin/sh "$top_srcdir/tests/system/test_witness_net.sh" "$@"
