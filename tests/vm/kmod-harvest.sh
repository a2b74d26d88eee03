#!/bin/sh
# VM test: harvest correctness, memcg, bump, contention, races, bad input,
# EPERM and fuzzing of lrugen.ko (tests/vm/guest/kmod-harvest.sh).
# The variant module knows no pidfs (the pidfd fallback of the kmod backend).
exec "$(dirname "$0")/vm-run.sh" --timeout 420 --kmod-variant LRUGEN_TEST_NO_PIDFS \
	"$(dirname "$0")/guest/kmod-harvest.sh"
