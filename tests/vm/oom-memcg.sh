#!/bin/sh
# VM test (issue 5): a memory cgroup at its limit is an OOM domain of its
# own: a runaway in a limited scope dies by lrugend's hand in that domain,
# and nothing outside the scope does, not even the machine's largest process.
# It runs alone (--alone): lrugend races the kernel's OOM killer, and a VM
# beside it slows lrugend more than the runaway.
exec "$(dirname "$0")/vm-run.sh" --alone --mem 512 --timeout 600 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/oom-memcg.sh"
