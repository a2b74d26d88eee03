#!/bin/sh
# TAP: lrugenctl against the built lrugend, on a private control socket
# ($RUNTIME_DIRECTORY in a temp dir), proc backend (any kernel), built-in
# desktop config, dry run. LRUGEND_TEST_CMD overrides how the daemon is
# started (the socket must appear at $tmp/control).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
lrugend="$top_builddir/lrugend"
ctl="$top_builddir/lrugenctl"
tmp=$(mktemp -d)
sock="$tmp/control"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (the control socket serves uid 0 only)"
	exit 0
fi
if [ ! -x "$lrugend" ] || [ ! -x "$ctl" ]; then
	echo "1..0 # SKIP lrugend or lrugenctl not built"
	exit 0
fi

cmd=${LRUGEND_TEST_CMD:-"$lrugend --backend=proc --dry-run --config=/dev/null"}
# shellcheck disable=SC2086 # cmd is a command line
RUNTIME_DIRECTORY="$tmp" $cmd >"$tmp/daemon.log" 2>&1 &
pid=$!
i=0
until "$ctl" --socket "$sock" --timeout 1000 status >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "not ok 1 - lrugend serves its control socket within 5 s"
		sed 's/^/# /' "$tmp/daemon.log" | tail -5
		echo "1..1"
		exit 1
	fi
	sleep 0.1
done

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# run EXPECTED_STATUS DESCRIPTION ARGS...: lrugenctl's exit status and output
run() {
	want=$1 d=$2; shift 2
	"$ctl" --socket "$sock" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ]; then ok "$d"; else
		notok "$d (exit $got, expected $want)"
		sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20
	fi
}
has() { # has DESCRIPTION PATTERN: the last output matches
	if grep -q -- "$2" "$tmp/out" "$tmp/err"; then ok "$1"; else
		notok "$1"; sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20
	fi
}

run 0 "status exits 0" status
has "status names the backend" "^backend: "
run 0 "status --json exits 0" --json status
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool "$tmp/out" >/dev/null 2>&1; then ok "status --json is valid JSON"
	else notok "status --json is valid JSON"; fi
else
	skip "python3 not installed: cannot validate JSON"
fi
run 0 "stats exits 0" stats
run 0 "gens exits 0" gens
has "gens in lru_gen layout (or says there is nothing)" "^memcg \|^no memcgs"
if LC_ALL=C LANG=C "$ctl" --socket "$sock" gens >"$tmp/out" 2>&1 && ! grep -q "▇\|░" "$tmp/out"; then
	ok "C locale: gens with ASCII bars"
else
	notok "C locale: gens with ASCII bars"
fi
run 0 "wss exits 0" wss
has "wss table header" "^SLICE"
run 0 "explain exits 0" explain
has "explain names the OOM domain" "^OOM domain"
run 0 "top --iterations 2 exits 0" top --iterations 2 --delay 100
if [ "$(grep -c '^rates:' "$tmp/out")" = 2 ]; then ok "top drew 2 frames"; else notok "top drew 2 frames"; fi
run 0 "reload exits 0" reload
run 1 "gens of an unknown slice is a daemon error (exit 1)" gens no-such.slice
has "the error names the slice" "no such slice"
run 2 "unknown command is a usage error (exit 2)" frobnicate
run 2 "status with an argument is a usage error" status extra
"$ctl" --socket "$tmp/nothing-here" status >/dev/null 2>&1
[ $? = 3 ] && ok "no daemon on the socket: exit 3" || notok "no daemon on the socket: exit 3"

# Malformed requests straight on the socket: error replies, daemon unharmed.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$sock" >"$tmp/out" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
for req in (b"status", b"lrugend/9 status", b"lrugend/1 nope", b"x" * 5000, b"lrugend/1 status\0", b"\xff\xfe"):
    s.send(req)
    r = json.loads(s.recv(1 << 16))
    assert "error" in r and "code" in r, r
s.send(b"lrugend/1 status")
r = json.loads(s.recv(1 << 16))
assert "backend" in r, r
print("fine")
PY
	has "malformed requests get JSON errors, the next request is served" "^fine"
else
	skip "python3 not installed: raw protocol not tested"
fi
run 0 "status still answered after all that" status

# The engine keeps ticking: aging creates a generation every aging interval
# (1 s by default), so the count grows while the daemon runs.
gens_created() { "$ctl" --socket "$sock" --json stats | sed -n 's/.*"gens_created":\([0-9]*\).*/\1/p'; }
g1=$(gens_created)
sleep 2.5
g2=$(gens_created)
if [ -n "$g1" ] && [ -n "$g2" ] && [ "$g2" -gt "$g1" ]; then
	ok "the policy engine keeps ticking (generations $g1 -> $g2 in 2.5 s)"
else
	notok "the policy engine keeps ticking (generations '$g1' -> '$g2' in 2.5 s)"
fi
kill -0 "$pid" 2>/dev/null && ok "daemon still running" || notok "daemon still running"
echo "1..$n"
