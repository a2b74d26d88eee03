#!/bin/sh
# Guest: the seeds' reproduction on the real kernel. zram swap, lrugend
# (kmod backend, min_ttl_ms=1000 on user.slice), an interactive stand-in
# sweeping 48 MiB every 100 ms, and three incidents of `tail /dev/zero`
# (a runaway allocator). Only tail may die, once per incident, killed by
# lrugend; the stand-in never. An incident the kernel's OOM killer wins
# runs again (up to 3 attempts).
set -u
B=$LRG_BUILDDIR
T=$LRG_TMP
CG=/sys/fs/cgroup
INCIDENTS=${LRG_INCIDENTS:-3}

. "$LRG_SRCDIR/tests/vm/guest/oom-lib.sh"

insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; }
zram_swap 256M
echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/user.slice

cat >"$T/lrugend.conf" <<CONF
[daemon]
backend = kmod
[slice user.slice]
min_ttl_ms = 1000
oom = process
CONF
# shellcheck disable=SC2086 # extra arguments, word by word
start_lrugend "$T/lrugend.conf" "$T/lrugend.log" ${LRG_LRUGEND_ARGS:-}

in_cg user.slice "$B/tests/vm/lrg-standin" 48 >"$T/standin.out" &
spid=$!
sleep 3

# Only tail may die; an incident the kernel won runs again (run_incidents).
run_incidents user.slice "Out of memory: Killed process"

alive=0
kill -0 $spid 2>/dev/null && alive=1
kill $spid 2>/dev/null
wait $spid 2>/dev/null
kill $dpid 2>/dev/null
wait $dpid 2>/dev/null
sed 's/^/# /' "$T/standin.out" | tail -1
grep -E "killed|would kill|OOM decision|candidate" "$T/lrugend.log" | sed 's/^/# /' | head -40
echo "# lrugend log, last lines:"
tail -15 "$T/lrugend.log" | sed 's/^/#   /'

kills=$(grep -c "lrugend: killed" "$T/lrugend.log")
tail_kills=$(grep -c "lrugend: killed pid [0-9]* (tail)" "$T/lrugend.log")
kernel_kills=$(dmesg | grep -c "Out of memory: Killed process")
[ $alive = 1 ] && echo "ok - the stand-in survived every incident" ||
	echo "not ok - the stand-in survived every incident"
[ "$kills" = "$tail_kills" ] && echo "ok - every lrugend kill was a tail ($kills kills)" ||
	echo "not ok - every lrugend kill was a tail ($tail_kills of $kills)"
[ "$tail_kills" = "$INCIDENTS" ] && echo "ok - one lrugend kill per incident ($tail_kills for $INCIDENTS)" ||
	echo "not ok - one lrugend kill per incident ($tail_kills for $INCIDENTS)"
[ "$unended" = 0 ] && echo "ok - lrugend ended every incident itself (the kernel was first in $kernel_wins attempt(s), $kernel_kills kernel OOM kill(s) in all)" ||
	echo "not ok - lrugend ended every incident itself ($unended incident(s) ended only by the kernel in 3 attempts)"
grep -q "MESSAGE_ID=4c1e2f8a9b7d4e06a3c5d2b1e0f9a8c7.*VICTIM_PID=.*REASON=.*MIN_TTL_MS=1000" "$T/lrugend.log" &&
	echo "ok - each kill is one structured event with victim, reason and min_ttl" ||
	echo "not ok - each kill is one structured event with victim, reason and min_ttl"
swapoff /dev/zram0 2>/dev/null
exit 0
