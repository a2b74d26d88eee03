#!/usr/bin/env bash
# summarize.sh [step:NAME ...] -- DIR...: count automake .trs results under
# each DIR and print one line per suite, then the total on the last line:
#   "N passed, N failed, N skipped"
# A failed build step (step:NAME) counts as one failure, so a broken build
# can never look like a pass.
set -u
steps=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do steps+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
pass=0 fail=0 skip=0
for dir in "$@"; do
	[ -d "$dir" ] || continue
	while IFS= read -r trs; do
		suite=${trs#"$dir"/}; suite=${suite%.trs}
		p=$(grep -c -E '^:test-result: (PASS|XFAIL)' "$trs")
		f=$(grep -c -E '^:test-result: (FAIL|XPASS|ERROR)' "$trs")
		s=$(grep -c -E '^:test-result: SKIP' "$trs")
		printf '%-12s %-40s %4d passed %3d failed %3d skipped\n' "$(basename "$dir")" "$suite" "$p" "$f" "$s"
		if [ "$f" -gt 0 ]; then
			# what failed and the diagnostics after it, so a CI log alone tells why
			awk '/^not ok/ {n = 25} n > 0 && /^(not ok|#)/ {print "    " $0; n--}' \
				"${trs%.trs}.log" 2>/dev/null | head -60
		fi
		if [ "$s" -gt 0 ]; then
			grep -h -E '^(ok|not ok|1\.\.0).*# SKIP' "${trs%.trs}.log" 2>/dev/null | sed 's/^/    /' | head -5
		fi
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	done < <(find "$dir" -name '*.trs' -not -path '*/lrugend-*/*' | sort)
done
for s in "${steps[@]}"; do
	echo "step failed: ${s#step:}"
	fail=$((fail + 1))
done
if [ $((pass + fail)) -eq 0 ]; then
	echo "no test ran"
	fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
