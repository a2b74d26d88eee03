#!/bin/sh
# VM test (issue 5): the seeds' reproduction, zram swap and tail /dev/zero
# beside an interactive stand-in; only tail dies, once per incident.
# It runs alone (--alone): lrugend races the kernel's OOM killer, and a VM
# beside it slows lrugend more than the runaway.
exec "$(dirname "$0")/vm-run.sh" --alone --mem 512 --timeout 600 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/oom-tail.sh"
