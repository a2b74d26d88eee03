#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# VM test (issue 14): working-set protection that binds the kernel's own
# reclaim (memory.min along the ancestry), bounded by its cap, following
# the working set, released on idle and undone on exit; a runaway beside a
# protected UI with and without it; a respawn loop ended by its cgroup.
exec "$(dirname "$0")/vm-run.sh" --mem 512 --timeout 1200 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/protect.sh"
