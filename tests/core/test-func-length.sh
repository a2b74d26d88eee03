#!/bin/sh
# TAP: no function in daemon/core/*.c is longer than 80 lines (issue 13,
# "Readable sizes"), measured by scripts/func-lengths.sh. The measure is
# checked first against a fixture whose functions' lengths are known,
# so a parser that finds nothing cannot pass the rule.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
MAX=80
lengths() { sh "$top_srcdir/scripts/func-lengths.sh" "$@"; }
fixture="$top_srcdir/tests/fixtures/core/func-lengths.c"
core="$top_srcdir/daemon/core"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1"
		{ echo "expected:"; echo "$2"; echo "got:"; echo "$3"; } | sed 's/^/# /'
	fi
}

echo "1..6"

# Every function of the fixture, each with the length its name ends with.
expected="91 func-lengths.c:40 long_fn_91
7 func-lengths.c:25 split_header_7
6 func-lengths.c:33 attributed_6
5 func-lengths.c:132 shape_of_5
1 func-lengths.c:23 one_line_1"
got=$(cd "$(dirname "$fixture")" && lengths -n 0 func-lengths.c)
check "the fixture's five functions with their lengths, longest first" "$expected" "$got"

got=$(cd "$(dirname "$fixture")" && lengths -m $MAX func-lengths.c)
rc=$?
check "-m $MAX names the fixture's long function and fails" \
	"91 func-lengths.c:40 long_fn_91 rc=1" "$got rc=$rc"

got=$(cd "$(dirname "$fixture")" && lengths -m 91 func-lengths.c)
rc=$?
check "-m 91 passes the fixture (a 91-line function is not over 91)" " rc=0" "$got rc=$rc"

# Each C file of the core holds functions the measure finds.
missing=
for f in "$core"/*.c; do
	lengths -n 0 "$f" | grep -q . || missing="$missing $(basename "$f")"
done
check "a function found in every daemon/core/*.c" "" "$missing"

all=$(lengths -n 0 "$core")
nr=$(printf '%s\n' "$all" | grep -c .)
if [ "$nr" -ge 100 ]; then
	ok "$nr functions measured in daemon/core/"
else
	notok "only $nr functions measured in daemon/core/ (expected at least 100)"
fi

long=$(lengths -m $MAX "$core")
rc=$?
if [ $rc -eq 0 ]; then
	ok "no function in daemon/core/*.c over $MAX lines (longest: $(printf '%s\n' "$all" | head -n 1))"
else
	notok "functions in daemon/core/*.c over $MAX lines"
	printf '%s\n' "$long" | sed 's/^/# /'
fi
[ $failed -eq 0 ]
