#!/bin/sh
# VM test (issue 5): a memory cgroup at its limit is an OOM domain of its
# own: a runaway in a limited scope dies by lrugend's hand in that domain,
# and nothing outside the scope does, not even the machine's largest process.
exec "$(dirname "$0")/vm-run.sh" --mem 512 --timeout 600 --modules "zsmalloc zram" \
	"$(dirname "$0")/guest/oom-memcg.sh"
