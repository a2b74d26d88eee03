# Shared helpers of the simulation tests (sourced). TAP on stdout.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
SIMRUN="$top_builddir/lrg-simrun"
W="$top_srcdir/tests/sim"
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}

done_testing() {
	echo "1..$n"
	[ "$failed" = 0 ]
}

# key REPORT-FILE KEY: the value of one report line
key() {
	sed -n "s/^$2: //p" "$1"
}

# run OUT-FILE [lrg-simrun args...]: returns lrg-simrun's exit status
run() {
	out=$1
	shift
	"$SIMRUN" "$@" >"$out" 2>"$out.err"
}
