#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# scale-bench.sh [--native] [--before DIR] [BUILDDIR]: issue 4's scale
# benchmark. lrugend with 2,000 sleeping processes: its CPU per aging pass
# (mean and max), VmRSS and VmHWM, the mms and memcgs it tracks, and
# whether lrugenctl got answers meanwhile (bench/guest/scale-bench.sh says
# how each figure is taken). Prints figures; not part of make check.
#
#   default   in a VM (tests/vm/vm-run.sh, TCG, 1536 MiB, cgroup v2): 200
#             memory cgroups of 10 processes, kmod and proc backends in
#             one boot. TCG: emulated CPU time, several times the native.
#   --native  on this host: the same 2,000 processes, proc backend (one
#             global domain on a host without a cgroup2 memory controller).
#   --before DIR  also run DIR/lrugend (a previous build) in the same boot
#             or on the same population, and print after/before ratios.
#             E.g.: git archive OLDREV | tar -x -C /tmp/old && cd /tmp/old &&
#             autoreconf -fi && ./configure && make lrugend; then
#             --before /tmp/old (in the VM, /tmp is seen as /run/host-tmp:
#             mapped here).
#
# Build first (make check, or make lrugend lrugenctl
# tests/vm/lrg-scale-sleepers and, for the VM, the module's prerequisites),
# then from anywhere:  SRC/bench/scale-bench.sh [--native] BUILDDIR
# Knobs: LRG_SCALE_CGROUPS, LRG_SCALE_PROCS, LRG_SCALE_KIB,
# LRG_SCALE_SECONDS, LRG_SCALE_AGING_MS, LRG_SCALE_BACKENDS,
# LRG_SCALE_STARTUP, LRG_SCALE_TICK_BUDGET_MS (see bench/guest/scale-bench.sh);
# lower them only for a
# quick try: the reported figures are 200 x 10.
set -u
here=$(cd "$(dirname "$0")" && pwd)
native=0
before=
while [ $# -gt 0 ]; do
	case $1 in
	--native) native=1; shift ;;
	--before) before=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	-*) echo "scale-bench: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=$(cd "${1:-${top_builddir:-$top_srcdir}}" && pwd)
export top_srcdir top_builddir
for f in tests/vm/lrg-scale-sleepers lrugend lrugenctl; do
	[ -x "$top_builddir/$f" ] || {
		echo "scale-bench: $top_builddir/$f not built (make lrugend lrugenctl tests/vm/lrg-scale-sleepers)" >&2
		exit 1
	}
done

if [ $native = 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "scale-bench: --native needs root (clear_refs, pagemap of other processes)" >&2; exit 1; }
	tmp=$(mktemp -d /tmp/scale-bench.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	cp "$here/guest/scale-bench.sh" "$tmp/guest.sh" || exit 1
	LRG_SCALE_NATIVE=1 LRG_SCALE_BEFORE=$before LRG_BUILDDIR=$top_builddir LRG_TMP=$tmp \
		sh "$tmp/guest.sh"
	exit $?
fi

case $before in
/tmp/*) before=/run/host-tmp/${before#/tmp/} ;;
esac
knobs=$(env | grep '^LRG_SCALE_[A-Z_]*=[^ ]*$' | grep -v '^LRG_SCALE_BEFORE=')
[ -n "$before" ] && knobs="$knobs LRG_SCALE_BEFORE=$before"
# The guest reads its script while it runs (an hour or more under TCG): a
# copy, so editing the source meanwhile cannot change a running benchmark.
mkdir -p "$top_builddir/tests/vm/cache"
guest=$top_builddir/tests/vm/cache/scale-bench-guest.$$.sh
cp "$here/guest/scale-bench.sh" "$guest" || exit 1
# shellcheck disable=SC2086 # one KEY=VALUE word each
"$top_srcdir/tests/vm/vm-run.sh" --mem 1536 --timeout "${LRG_SCALE_VM_TIMEOUT:-5400}" "$guest" $knobs
rc=$?
rm -f "$guest"
exit $rc
