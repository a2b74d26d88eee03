#!/bin/sh
# Guest: the harvest benchmark (tests/vm/kmod-bench.c). Its targets go in
# /sys/fs/cgroup/lrg-bench (256 MiB) and lrg-bench-64 (64 MiB).
b=$LRG_BUILDDIR/tests/vm/lrg-kmod-bench
[ -x "$b" ] || { echo "not ok 1 - $b not built (make check builds it)"; exit 1; }
insmod "$LRG_KO" || exit 1
echo "+memory" >/sys/fs/cgroup/cgroup.subtree_control
# lrugen:harvest_done gives the walk time alone
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
# $1: THP on only (any word but "all"); $2 = big: the 768 MiB process too
# (anything else: not)
[ -n "$1" ] && [ "$1" != all ] && export LRG_BENCH_THP_ONLY=1
[ "$2" = big ] && export LRG_BENCH_BIG=1
# $3: reps per cell (LRG_BENCH_REPS on the host)
[ -n "$3" ] && export LRG_BENCH_REPS=$3
"$b" /sys/fs/cgroup/lrg-bench && echo "ok 1 - benchmark ran" || echo "not ok 1 - benchmark failed"
rmmod lrugen
