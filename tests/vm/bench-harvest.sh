#!/bin/sh
# Benchmark (not part of make check): ns per scanned and per young PTE of a
# lrugen.ko harvest of a 256 MiB process, THP off/on, 0/25/100% young, next
# to MGLRU's aging and clear_refs + smaps, all in one VM boot (TCG figures);
# every method also on a 64 MiB process in the same reps, for the per-page
# slope (the marginal cost of a page) and the fixed part of a request, and
# with THP on also on a 768 MiB process, for a slope over 64 to 768 MiB
# (hence 2 GiB for the VM).
# Figures and where the time goes: docs/harvest-benchmark.md.
# Run from the build tree after make check:
#   top_srcdir=SRC top_builddir=BUILD SRC/tests/vm/bench-harvest.sh
exec "$(dirname "$0")/vm-run.sh" --mem 2048 --timeout 900 "$(dirname "$0")/guest/bench-harvest.sh" "$@"
