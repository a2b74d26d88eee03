#!/bin/sh
# Guest: lrugen.ko harvest, memcg, bump, contention, race, bad input,
# EPERM and fuzz tests (tests/vm/kmod-test.c), one module load.
t=$LRG_BUILDDIR/tests/vm/lrg-kmod-test
[ -x "$t" ] || { echo "not ok 1 - $t not built"; exit 1; }

insmod "$LRG_KO" || { echo "not ok 1 - insmod lrugen.ko"; exit 1; }
echo always >/sys/kernel/mm/transparent_hugepage/enabled
# a file on the host (9p page cache) for file-backed pages
LRG_FILE=$(ls /boot/vmlinuz-* | head -n 1)
export LRG_FILE

step() {
	s=$(date +%s)
	"$@"
	echo "# $2: $(($(date +%s) - s)) s"
}
"$t" info >"$LRG_TMP/info.out"
grep -v '^LRG_FAMILY' "$LRG_TMP/info.out"
fam=$(sed -n 's/^LRG_FAMILY=//p' "$LRG_TMP/info.out")
step "$t" correctness
echo "+memory" >/sys/fs/cgroup/cgroup.subtree_control
step "$t" memcg /sys/fs/cgroup
step "$t" bump
step "$t" contention
step "$t" race
step "$t" badinput
export LRG_FAMILY="$fam"
step "$t" eperm
step "$t" fuzz "${LRG_FUZZ:-10000}"
rmmod lrugen && echo "ok - rmmod after the tests" || echo "not ok - rmmod after the tests"
