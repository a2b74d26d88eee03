#!/bin/sh
# VM test (issue 5): the seeds' reproduction, zram swap and tail /dev/zero
# beside an interactive stand-in; only tail dies, once per incident.
exec "$(dirname "$0")/vm-run.sh" --mem 512 --timeout 600 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/oom-tail.sh"
