#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# scale-bench.sh [BUILDDIR]: issue 4's scale benchmark, in a VM (cgroup v2
# with the memory controller; tests/vm/vm-run.sh). 2,000 sleeping
# processes in 200 memory cgroups; lrugend's CPU per aging pass and its
# RSS, kmod and proc backends side by side in one boot (TCG: emulated CPU
# time, several times the native one). Prints figures; it is not part of
# make check. Build first (make check, or make tests/vm/lrg-scale-sleepers
# and the module's prerequisites), then from anywhere:
#   SRC/bench/scale-bench.sh BUILDDIR
# Knobs: LRG_SCALE_CGROUPS, LRG_SCALE_PROCS, LRG_SCALE_KIB,
# LRG_SCALE_SECONDS, LRG_SCALE_WARMUP, LRG_SCALE_AGING_MS,
# LRG_SCALE_BACKENDS (see bench/guest/scale-bench.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=$(cd "${1:-${top_builddir:-$top_srcdir}}" && pwd)
export top_srcdir top_builddir
[ -x "$top_builddir/tests/vm/lrg-scale-sleepers" ] || {
	echo "scale-bench: $top_builddir/tests/vm/lrg-scale-sleepers not built (make check)" >&2
	exit 1
}
knobs=$(env | grep '^LRG_SCALE_[A-Z_]*=[^ ]*$')
# shellcheck disable=SC2086 # one KEY=VALUE word each
exec "$top_srcdir/tests/vm/vm-run.sh" --mem 1536 --timeout 1800 "$here/guest/scale-bench.sh" $knobs
