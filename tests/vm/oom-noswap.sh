#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# VM test (issue 5): scenario S2 of bench/oom-bench.sh with lrugend (desktop
# profile, kmod backend). No swap; four readers keep 48 MiB files each on an
# ext4 virtio disk in use beside the stand-in, and `tail /dev/zero` runs
# away, twice. Asserts: no wrong victim (by anyone, the kernel included), at
# most one lrugend kill per incident, the stand-in survives.
#
# The image is attached read-only and throttled (vm-run.sh --drive). It
# runs alone (--alone): lrugend races the kernel's OOM killer, and a VM
# beside it slows lrugend more than the runaway.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
builddir=$(cd "$builddir" && pwd)

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "${LRUGEN_VM_TESTS:-on}" = off ] && skip "VM suites run in the main build only (LRUGEN_VM_TESTS=off)"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 not installed"
command -v mke2fs >/dev/null 2>&1 || skip "mke2fs not installed (e2fsprogs)"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed (the guest driver is bench/guest/oom-bench.py)"
[ -x "$builddir/tests/vm/lrg-standin" ] || skip "tests/vm/lrg-standin not built"

cache=$builddir/tests/vm/cache/oom-noswap
mkdir -p "$cache" || skip "cannot write $cache"
img=$cache/disk.img
if [ ! -f "$img" ]; then
	rm -rf "$cache/disk.d"
	mkdir -p "$cache/disk.d"
	for i in 1 2 3 4; do
		head -c $((48 << 20)) /dev/urandom >"$cache/disk.d/r$i.dat"
	done
	mke2fs -q -t ext4 -F -d "$cache/disk.d" "$img.tmp" 256M >/dev/null 2>&1 && mv "$img.tmp" "$img" ||
		skip "mke2fs -d failed (e2fsprogs too old?)"
	rm -rf "$cache/disk.d"
fi
exec "$here/vm-run.sh" --alone --mem 512 --timeout 900 \
	--drive "file=$img,if=virtio,format=raw,readonly=on,throttling.bps-total=50000000,throttling.iops-total=2000" \
	--modules "crc32c_generic libcrc32c ext4 virtio_blk" "$here/guest/oom-noswap.sh"
