#!/bin/sh
# VM test: harvest correctness, memcg, bump, contention, races, bad input,
# EPERM and fuzzing of lrugen.ko (tests/vm/guest/kmod-harvest.sh).
exec "$(dirname "$0")/vm-run.sh" --timeout 420 "$(dirname "$0")/guest/kmod-harvest.sh"
