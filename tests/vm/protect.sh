#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# VM test (issue 14): working-set protection that binds the kernel's own
# reclaim (memory.min along the ancestry), bounded by its cap, following
# the working set, released on idle and undone on exit; the kernel's OOM
# killer idle while lrugend guards; a respawn loop ended by its cgroup; a
# file-backed UI beside a runaway, with and without protection. The UI's
# file is on an ext4 image attached read-only and throttled, as in
# oom-noswap.sh, so that what the kernel takes from it costs reads.
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
builddir=$(cd "$builddir" && pwd)

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "${LRUGEN_VM_TESTS:-on}" = off ] && skip "VM suites run in the main build only (LRUGEN_VM_TESTS=off)"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 not installed"
command -v mke2fs >/dev/null 2>&1 || skip "mke2fs not installed (e2fsprogs)"

cache=$builddir/tests/vm/cache/protect
mkdir -p "$cache" || skip "cannot write $cache"
img=$cache/disk.img
if [ ! -f "$img" ]; then
	rm -rf "$cache/disk.d"
	mkdir -p "$cache/disk.d"
	head -c $((48 << 20)) /dev/urandom >"$cache/disk.d/ui.dat"
	mke2fs -q -t ext4 -F -d "$cache/disk.d" "$img.tmp" 64M >/dev/null 2>&1 && mv "$img.tmp" "$img" ||
		skip "mke2fs -d failed (e2fsprogs too old?)"
	rm -rf "$cache/disk.d"
fi
exec "$here/vm-run.sh" --alone --mem 512 --timeout 1200 \
	--drive "file=$img,if=virtio,format=raw,readonly=on,throttling.bps-total=20000000,throttling.iops-total=1000" \
	--modules "zsmalloc zram crc32c_generic libcrc32c ext4 virtio_blk" "$here/guest/protect.sh"
