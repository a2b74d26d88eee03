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

# Who ends a runaway first, lrugend or the kernel's OOM killer, is a race
# (PSI averages lag; the kernel acts when reclaim fails). An incident the
# kernel ended is run again, up to 3 attempts, so every incident shows
# lrugend's decision; lrugend must never kill anything but tail in any
# attempt, and the kernel's wins are reported.
kernel_wins=0
unended=0
for i in $(seq 1 "$INCIDENTS"); do
	ended=0
	for a in 1 2 3; do
		s=$(date +%s)
		kk0=$(dmesg | grep -c "Out of memory: Killed process")
		lk0=$(grep -c "lrugend: killed" "$T/lrugend.log")
		in_cg user.slice tail /dev/zero &
		tpid=$!
		# the kernel's OOM killer would end it too; give lrugend 150 s
		(sleep 150; kill -9 $tpid 2>/dev/null) &
		wpid=$!
		sleep 4
		"$B/lrugenctl" -s "$T/control" status 2>&1 | grep -E "memory|pressure|policy|walks|oom" | sed "s/^/# [4 s] /"
		wait $tpid
		st=$?
		kill $wpid 2>/dev/null
		kk=$(($(dmesg | grep -c "Out of memory: Killed process") - kk0))
		lk=$(($(grep -c "lrugend: killed" "$T/lrugend.log") - lk0))
		echo "# incident $i attempt $a: tail $tpid ended with status $st after $(($(date +%s) - s)) s ($lk lrugend kill(s), $kk kernel OOM kill(s))"
		sleep 3
		if [ "$lk" -ge 1 ]; then
			ended=1
			break
		fi
		kernel_wins=$((kernel_wins + kk))
	done
	[ $ended = 1 ] || unended=$((unended + 1))
done

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
