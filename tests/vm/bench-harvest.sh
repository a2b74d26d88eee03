#!/bin/sh
# Benchmark (not part of make check): ns per scanned and per young PTE of a
# lrugen.ko harvest of a 256 MiB process, THP off/on, 0/25/100% young, next
# to MGLRU's aging and clear_refs + smaps, all in one VM boot (TCG figures);
# every method also on a 64 MiB process in the same reps, for the per-page
# slope (the marginal cost of a page) and the fixed part of a request, and
# with LRG_BENCH_BIG=1 in the environment and THP on, also on a 768 MiB
# process, for a slope over 64 to 768 MiB (the VM then gets 2 GiB; off by
# default).
# Figures and where the time goes: docs/harvest-benchmark.md.
# Run from the build tree after make check:
#   top_srcdir=SRC top_builddir=BUILD SRC/tests/vm/bench-harvest.sh
#
# One vCPU: the harvester and its targets are pinned to CPU 0 anyway, and
# with two, the guest's text patching when the benchmark switches its
# tracepoint on and off (text_poke_bp() waits for every CPU) hung in 4 of
# 5 runs on a quiet host (2026-11-26, QEMU TCG; none of 2 on a busy one):
# CPU 1 stopped answering IPIs and timers, CPU 0 soft-locked in the
# benchmark's write to the event's enable file.
#
# LRG_BENCH_REPS=N in the environment: N reps per cell instead of 5 (the
# guest does not see the host's environment: it goes as an argument).
reps=${LRG_BENCH_REPS:-5}
if [ "${LRG_BENCH_BIG:-0}" = 1 ]; then
	exec "$(dirname "$0")/vm-run.sh" --smp 1 --mem 2048 --timeout 900 "$(dirname "$0")/guest/bench-harvest.sh" "${1:-all}" big "$reps"
fi
exec "$(dirname "$0")/vm-run.sh" --smp 1 --mem 1024 --timeout 900 "$(dirname "$0")/guest/bench-harvest.sh" "${1:-all}" - "$reps"
