#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest: lrugend and its clients when lrugen.ko goes away and comes back.
#  1. lrugend (backend auto) on kmod; rmmod while it runs: it logs the
#     failed harvests, falls back to the next backend (lrugenctl status
#     says which and why), and comes back to kmod once the module is
#     loaded again.
#  2. A quick reload (rmmod, insmod at once): lrugend stays on kmod and
#     finds the family again.
#  3. rmmod while a HARVEST dump is open: refused (EBUSY), the dump ends
#     whole, rmmod works after it (lrg-kmod-test dumprmmod).
#  4. rmmod and insmod ten times while a client runs HARVEST dumps and
#     kmod backend harvests back to back (lrg-kmod-test reload): the
#     client sees ENOENT and nothing else, its backend works again
#     without reopening.
# The harness checks the kernel log (no WARNING, BUG, Oops).
B=$LRG_BUILDDIR
T=$LRG_TMP
CTL="$B/lrugenctl"
t=$B/tests/vm/lrg-kmod-test

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
# poll SECONDS command...: until the command succeeds, twice a second
poll() {
	_end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -lt "$_end" ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.5
	done
	"$@" 2>/dev/null
}
# status_has TEXT: lrugenctl status (JSON) contains TEXT
status_has() {
	"$CTL" -s "$T/control" -t 3000 --json status >"$T/status.json" 2>/dev/null &&
		grep -q "$1" "$T/status.json"
}
backend_is() {
	status_has "\"backend\":{\"name\":\"$1\""
}
# unload: rmmod until it succeeds (EBUSY while a dump holds the module)
busy=0
unload() {
	_n=0
	while ! rmmod lrugen 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -ge 200 ] && return 1
		busy=$((busy + 1))
		sleep 0.05
	done
}

[ -x "$t" ] || { echo "not ok - $t not built"; exit 1; }
insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; }
# something to harvest besides the system's few processes
"$B/tests/vm/backend-mem" 8 8 >"$T/mem.out" 2>&1 &
mem=$!

printf '[daemon]\nbackend = auto\n' >"$T/lrugend.conf"
RUNTIME_DIRECTORY="$T" "$B/lrugend" --config="$T/lrugend.conf" >"$T/lrugend.log" 2>&1 &
dpid=$!
if poll 60 backend_is kmod; then
	pass "lrugend runs on the kmod backend"
else
	fail "lrugend runs on the kmod backend"
	sed 's/^/#   /' "$T/lrugend.log"
	exit 1
fi

# 1. rmmod under the running daemon, insmod later
unload && pass "rmmod while lrugend runs" || fail "rmmod while lrugend runs"
if poll 90 status_has "lrugen.ko failed"; then
	pass "lrugend fell back: $(sed 's/.*"backend":{"name":"\([a-z]*\)".*"why":"\([^"]*\)".*/\1 (\2)/' "$T/status.json")"
else
	fail "lrugend fell back from kmod (lrugenctl status says why)"
	cat "$T/status.json"; echo
	sed 's/^/#   /' "$T/lrugend.log"
fi
grep -q "lrugen.ko: harvest of pid [0-9]* failed" "$T/lrugend.log" &&
	pass "lrugend logged the failed harvest: $(grep -m1 'lrugen.ko: harvest of pid' "$T/lrugend.log")" ||
	fail "lrugend logged the failed harvest"
n=$(grep -c "lrugen.ko: harvest of pid [0-9]* failed" "$T/lrugend.log")
[ "$n" -le 2 ] && pass "... once per run of failures, not per harvest ($n lines)" ||
	fail "... once per run of failures, not per harvest ($n lines)"
insmod "$LRG_KO" || fail "insmod again"
if poll 60 status_has "lrugen.ko answers again" && backend_is kmod; then
	pass "lrugend came back to kmod once the module was loaded again"
else
	fail "lrugend came back to kmod once the module was loaded again"
	cat "$T/status.json"; echo
fi

# 2. a quick reload: lrugend stays on kmod
mark=$(wc -l <"$T/lrugend.log")
if unload && insmod "$LRG_KO"; then
	sleep 5
	if backend_is kmod && tail -n +"$((mark + 1))" "$T/lrugend.log" | grep -q "harvests work again\|is back as"; then
		pass "a quick reload: lrugend stays on kmod and harvests again"
	else
		backend_is kmod && pass "a quick reload: lrugend stays on kmod (no harvest failed meanwhile)" ||
			fail "a quick reload: lrugend stays on kmod"
	fi
else
	fail "rmmod and insmod at once"
fi

# 3. rmmod while a dump is open (lrugend keeps running meanwhile)
"$t" dumprmmod | grep -v "^1\.\."
# 4. rmmod and insmod during harvests, ten times, with the daemon running too
"$t" reload 40 >"$T/reload.out" 2>&1 &
client=$!
sleep 3
cycles=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	sleep 1
	unload || break
	sleep 0.5
	insmod "$LRG_KO" || break
	cycles=$((cycles + 1))
done
[ $cycles = 10 ] && pass "rmmod and insmod 10 times during harvests ($busy rmmod attempts found the module busy)" ||
	fail "rmmod and insmod 10 times during harvests (stopped at $cycles)"
wait $client
grep -v "^1\.\." "$T/reload.out"
if poll 60 backend_is kmod && kill -0 $dpid; then
	pass "lrugend alive and on kmod after it all"
else
	fail "lrugend alive and on kmod after it all"
fi
kill $dpid $mem 2>/dev/null
wait $dpid
echo "# lrugend's log:"
sed 's/^/#   /' "$T/lrugend.log" | tail -n 25
rmmod lrugen
exit 0
