#!/bin/sh
# VM test (issue 5): the OOM policy's configuration cases (min_ttl_ms = 0,
# oom = never, protect, dry run, oom = cgroup) under real pressure, one boot.
exec "$(dirname "$0")/vm-run.sh" --alone --mem 512 --timeout 900 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/oom-cases.sh"
