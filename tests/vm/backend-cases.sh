#!/bin/sh
# VM test (issue 4): the host backends on the real kernel with cgroup v2, in
# one boot: kmod eviction of a cold half, the mglru backend on the real
# lru_gen debugfs, an mm aged in its new cgroup after a move, and the proc
# backend end to end (tests/vm/guest/backend-cases.sh).
exec "$(dirname "$0")/vm-run.sh" --mem 512 --timeout 600 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/backend-cases.sh"
