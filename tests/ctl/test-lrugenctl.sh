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

# A configuration rejected at start: the daemon runs on the built-in
# profile and says so, until a reload with a valid one.
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
printf '[daemon]\npoll_interval_ms = 5\n' >"$tmp/bad.conf"
chmod go-w "$tmp/bad.conf"
# sd_notify's datagrams, caught as systemd would (python3, if installed)
listener=
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/notify" "$tmp/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 20
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            out.write(s.recv(4096).decode(errors="replace") + "\n")
            out.flush()
        except socket.timeout:
            pass
PY
	listener=$!
	i=0
	while [ ! -S "$tmp/notify" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
fi
NOTIFY_SOCKET="$tmp/notify" RUNTIME_DIRECTORY="$tmp" "$lrugend" --backend=proc --dry-run \
	--config="$tmp/bad.conf" >"$tmp/bad.log" 2>&1 &
pid=$!
i=0
until "$ctl" --socket "$sock" --timeout 1000 status >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
run 0 "a rejected config at start: the daemon serves all the same" status
has "status: config REJECTED, the built-in profile in force, the first error" \
	"^config: *REJECTED, the built-in profile is in force: 1 error(s) in the configuration, the first: .*bad.conf:2: \[daemon\] poll_interval_ms"
run 0 "status --json exits 0" --json status
has "status --json: config_fallback with the reason" '"config_fallback":"1 error(s) in the configuration'
if grep -q "bad.conf:2: \[daemon\] poll_interval_ms" "$tmp/bad.log" &&
   grep -q "configuration rejected: the built-in desktop profile is in force until a reload succeeds" "$tmp/bad.log" &&
   grep -q "MESSAGE_ID=$(sed -n 's/^#define LRG_MESSAGE_ID_CONFIG_FALLBACK "\(.*\)"/\1/p' "$top_srcdir/daemon/manager.h")" "$tmp/bad.log"; then
	ok "the log has the error, then the CONFIG_FALLBACK event"
else
	notok "the log has the error, then the CONFIG_FALLBACK event"; sed 's/^/# /' "$tmp/bad.log" | head -10
fi
printf '[daemon]\npoll_interval_ms = 500\n' >"$tmp/bad.conf"
if [ -n "$listener" ]; then
	if grep -q "^STATUS=CONFIGURATION REJECTED, built-in profile in force (1 error(s) in the configuration, the first: .*bad.conf:2: \[daemon\] poll_interval_ms.*); backend proc" "$tmp/notify.log"; then
		ok "sd_notify STATUS= leads with the rejected configuration"
	else
		notok "sd_notify STATUS= leads with the rejected configuration"; sed 's/^/# /' "$tmp/notify.log" | head -5
	fi
else
	skip "python3 not installed: sd_notify not caught"
fi
printf '[daemon]\npoll_interval_ms = 5\n' >"$tmp/bad2.conf"
chmod go-w "$tmp/bad2.conf"
"$lrugend" --check-config --config="$tmp/bad2.conf" >/dev/null 2>&1
[ $? = 3 ] && ok "--check-config still exits 3 on it" || notok "--check-config still exits 3 on it"
run 0 "reload of a fixed config exits 0" reload
run 0 "--json status after it" --json status
has "config_fallback is null once the files are in force" '"config_fallback":null'
if [ -n "$listener" ]; then
	i=0	# the listener may read the last datagram a moment later
	until tail -n 1 "$tmp/notify.log" | grep -q "^STATUS=backend proc" || [ $i -ge 20 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	if tail -n 1 "$tmp/notify.log" | grep -q "^STATUS=backend proc"; then
		ok "after the reload STATUS= no longer mentions it"
	else
		notok "after the reload STATUS= no longer mentions it"; tail -n 3 "$tmp/notify.log" | sed 's/^/# /'
	fi
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
fi
echo "1..$n"
