#!/bin/sh
# Guest: the memcg OOM domain on the real kernel. zram swap; in user.slice
# (min_ttl_ms=1000, oom=process) three scopes: box.scope with memory.max
# 96 MiB holding a small stand-in (its working set young) and, per
# incident, `tail /dev/zero`; standin.scope with the interactive stand-in;
# big.scope with the machine's largest process (128 MiB), which is never
# short of memory. The machine stays out of pressure; the box runs into its
# limit. lrugend must decide in the box's domain (OOM_DOMAIN is the box's
# path) and kill tail there, once per incident; nothing outside the box
# may die by its hand, and no decision may be the machine's. An incident
# the kernel's memcg OOM killer wins runs again (up to 3 attempts).
set -u
B=$LRG_BUILDDIR
T=$LRG_TMP
CG=/sys/fs/cgroup
INCIDENTS=${LRG_INCIDENTS:-2}

. "$LRG_SRCDIR/tests/vm/guest/oom-lib.sh"

insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; }
zram_swap 256M
echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/user.slice
echo +memory >$CG/user.slice/cgroup.subtree_control
mkdir -p $CG/user.slice/box.scope $CG/user.slice/standin.scope $CG/user.slice/big.scope
echo 96M >$CG/user.slice/box.scope/memory.max

cat >"$T/lrugend.conf" <<CONF
[daemon]
backend = kmod
[slice user.slice]
min_ttl_ms = 1000
oom = process
CONF
in_cg user.slice/standin.scope "$B/tests/vm/lrg-standin" 48 >"$T/standin.out" &
spid=$!
in_cg user.slice/big.scope "$B/tests/vm/lrg-standin" 128 >"$T/big.out" &
bigpid=$!
in_cg user.slice/box.scope "$B/tests/vm/lrg-standin" 16 >"$T/boxapp.out" &
boxpid=$!
wait_for 60 grep -qs "standin ready" "$T/big.out" || echo "# the 128 MiB process is slow to start"
# shellcheck disable=SC2086 # extra arguments, word by word
start_lrugend "$T/lrugend.conf" "$T/lrugend.log" ${LRG_LRUGEND_ARGS:-}
sleep 3

incident_note() {
	echo "; box memory.current $(cat $CG/user.slice/box.scope/memory.current), swap $(cat $CG/user.slice/box.scope/memory.swap.current)"
}
run_incidents user.slice/box.scope "Memory cgroup out of memory: Killed process"

grep -E "killed|would kill|OOM decision|candidate" "$T/lrugend.log" | sed 's/^/# /' | head -40
echo "# lrugend log, last lines:"
tail -10 "$T/lrugend.log" | sed 's/^/#   /'

kills=$(grep -c "lrugend: killed" "$T/lrugend.log")
box_kills=$(grep "lrugend: killed pid [0-9]* (tail)" "$T/lrugend.log" | grep -c "VICTIM_CGROUP=/user.slice/box.scope .*OOM_DOMAIN=/user.slice/box.scope ")
alive $spid
ok_standin=$?
alive $bigpid
ok_big=$?
[ $ok_standin = 0 ] && echo "ok - the stand-in outside the box survived" ||
	echo "not ok - the stand-in outside the box survived"
[ $ok_big = 0 ] && echo "ok - the machine's largest process, outside the box, survived" ||
	echo "not ok - the machine's largest process, outside the box, survived"
[ "$kills" = "$box_kills" ] && [ "$kills" -ge 1 ] &&
	echo "ok - every lrugend kill was a tail in the box, in the box's OOM domain ($kills kills)" ||
	echo "not ok - every lrugend kill was a tail in the box, in the box's OOM domain ($box_kills of $kills)"
[ "$box_kills" = "$INCIDENTS" ] && echo "ok - one lrugend kill per incident ($box_kills for $INCIDENTS)" ||
	echo "not ok - one lrugend kill per incident ($box_kills for $INCIDENTS)"
[ "$unended" = 0 ] && echo "ok - lrugend ended every incident itself (the kernel was first in $kernel_wins attempt(s))" ||
	echo "not ok - lrugend ended every incident itself ($unended incident(s) ended only by the kernel in 3 attempts)"
! grep -q "OOM decision in the machine\|OOM_DOMAIN=machine" "$T/lrugend.log" &&
	echo "ok - no decision was the machine's (the machine never ran short)" ||
	{
		echo "not ok - no decision was the machine's ($(grep -c 'OOM decision in the machine' "$T/lrugend.log"))"
		# why, where CI's tail of this log shows it
		grep -E "OOM decision in the machine|OOM_DOMAIN=machine" "$T/lrugend.log" | cut -c1-400 | sed 's/^/# /'
	}
grep -q "OOM decision in .*box.scope" "$T/lrugend.log" &&
	echo "ok - the decisions name the box as their domain" ||
	echo "not ok - the decisions name the box as their domain"

kill $spid $bigpid $boxpid 2>/dev/null
wait $spid $bigpid $boxpid 2>/dev/null
kill $dpid 2>/dev/null
wait $dpid 2>/dev/null
swapoff /dev/zram0 2>/dev/null
exit 0
