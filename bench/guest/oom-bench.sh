#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of bench/oom-bench.sh (run by tests/vm/vm-run.sh): one
# configuration, one scenario, N incidents of a runaway allocator.
#
#   oom-bench.sh SCENARIO CONFIG INCIDENTS CAP_S
#
# SCENARIO  s1: zram swap (256 MiB), the stand-in and `tail /dev/zero`
#               (the seeds' reproduction, as tests/vm/oom-tail.sh)
#           s2: no swap; four readers mmap 48 MiB files each on an ext4
#               virtio disk (/dev/vda, attached by the host) and touch them
#               over and over, beside the stand-in and `tail /dev/zero`
#           s3: as s2, but the runaway is a slow leak (8 MiB/s) instead of
#               tail: memory runs out over a minute, not seconds, which is
#               when the kernel alone thrashes longest
#           s4: no swap; a UI and an application whose working sets are
#               files on the disk, beside a runaway the user's shell
#               restarts as soon as it dies, for INCIDENTS x 45 s
#               (bench/guest/respawn-bench.py)
#           s4z: as s4 with zram swap and anonymous working sets
# CONFIG    classic | mglru | mglru-ttl | earlyoom | nohang | lrugend
#           | lrugend-proc (lrugend on its proc backend)
#           | lrugend-mglru (lrugend on its mglru backend: the kernel's
#             MGLRU on, its generations driven by lrugend; 6.1 and later)
#
# Sets up the kernel and the defender, then hands over to oom-bench.py,
# which runs the workload and prints "# RESULT" and "# SUMMARY" lines.
set -u
scenario=$1 config=$2 incidents=$3 cap=$4
B=$LRG_BUILDDIR
S=$LRG_SRCDIR
T=$LRG_TMP
CG=/sys/fs/cgroup
LG=/sys/kernel/mm/lru_gen

. "$S/tests/vm/guest/oom-lib.sh"

echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/user.slice $CG/system.slice $CG/bench.scope
echo $$ >$CG/bench.scope/cgroup.procs

case $scenario in
s1 | s4z)
	zram_swap 256M
	disk=
	;;
s2 | s3 | s4)
	mkdir -p "$T/disk"
	if [ -b /dev/vda ] && mount -t ext4 -o ro /dev/vda "$T/disk"; then
		echo "ok - ext4 disk mounted read-only, no swap ($(ls "$T/disk" | tr '\n' ' '))"
	else
		echo "not ok - ext4 disk /dev/vda mounted (did the host attach it?)"
		exit 1
	fi
	disk=$T/disk
	;;
*) echo "not ok - unknown scenario $scenario"; exit 1 ;;
esac

# Every configuration starts from the kernel's default: MGLRU off.
echo n >$LG/enabled
echo 0 >$LG/min_ttl_ms
dpid=
probe="grep -E 'MemFree|MemAvailable|^Cached|Active|Inactive' /proc/meminfo | tr -s ' ' | tr '\n' ' '; echo; cat /proc/pressure/memory"
dlog=$T/defender.log
: >"$dlog"
start_service() { # NAME CMD...: start a defender in system.slice/NAME.service
	name=$1
	shift
	mkdir -p $CG/system.slice/$name.service
	sh -c "echo \$\$ >$CG/system.slice/$name.service/cgroup.procs && exec \"\$@\"" sh "$@" >"$dlog" 2>&1 &
	dpid=$!
}
case $config in
classic) ;;
mglru) echo y >$LG/enabled ;;
mglru-ttl)
	echo y >$LG/enabled
	echo 1000 >$LG/min_ttl_ms
	;;
earlyoom)
	# Debian's default: /etc/default/earlyoom
	EARLYOOM_ARGS=
	[ -r /etc/default/earlyoom ] && . /etc/default/earlyoom
	# shellcheck disable=SC2086
	start_service earlyoom earlyoom $EARLYOOM_ARGS
	;;
nohang)
	conf=/etc/nohang/nohang-desktop.conf
	[ -r $conf ] || conf=/usr/share/nohang/nohang-desktop.conf
	start_service nohang nohang --monitor --config $conf
	;;
lrugend)
	insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; }
	# the built-in desktop profile; only the backend is pinned
	printf '[daemon]\nbackend = kmod\n' >"$T/lrugend.conf"
	LRG_CGROUP=system.slice/lrugend.service start_lrugend "$T/lrugend.conf" "$dlog"
	probe="$probe; $B/lrugenctl -s $T/control status; $B/lrugenctl -s $T/control wss"
	;;
lrugend-proc)
	printf '[daemon]\nbackend = proc\n' >"$T/lrugend.conf"
	export RUNTIME_DIRECTORY="$T"
	start_service lrugend "$B/lrugend" --config="$T/lrugend.conf"
	probe="$probe; $B/lrugenctl -s $T/control status"
	;;
lrugend-mglru)
	echo y >$LG/enabled
	printf '[daemon]\nbackend = mglru\n' >"$T/lrugend.conf"
	export RUNTIME_DIRECTORY="$T"
	start_service lrugend "$B/lrugend" --config="$T/lrugend.conf"
	probe="$probe; $B/lrugenctl -s $T/control status"
	;;
*) echo "not ok - unknown configuration $config"; exit 1 ;;
esac
if [ -n "$dpid" ]; then
	n=0
	while [ $n -lt 30 ] && kill -0 $dpid 2>/dev/null; do
		case $config in
		lrugend) grep -q "backend kmod" "$dlog" && break ;;
		lrugend-proc) grep -q "backend proc" "$dlog" && break ;;
		lrugend-mglru) grep -q "backend mglru" "$dlog" && break ;;
		*) [ $n -ge 3 ] && break ;;
		esac
		sleep 1
		n=$((n + 1))
	done
	if kill -0 $dpid 2>/dev/null; then
		echo "ok - $config runs (pid $dpid, after $n s)"
	else
		echo "not ok - $config runs"
		sed 's/^/# /' "$dlog"
		exit 1
	fi
fi
echo "# lru_gen enabled=$(cat $LG/enabled) min_ttl_ms=$(cat $LG/min_ttl_ms); $(grep -E 'MemTotal|MemAvailable' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"

case $scenario in
s4 | s4z)
	python3 "$S/bench/guest/respawn-bench.py" --scenario "$scenario" --config "$config" \
		--duration $((incidents * 45)) --standin "$B/tests/vm/lrg-standin" --disk "$disk" \
		--defender-pid "${dpid:-0}" --tmp "$T" --probe "$probe"
	;;
*)
	python3 "$S/bench/guest/oom-bench.py" --scenario "$scenario" --config "$config" \
		--incidents "$incidents" --cap "$cap" --standin "$B/tests/vm/lrg-standin" \
		--disk "$disk" --defender-log "$dlog" --defender-pid "${dpid:-0}" --tmp "$T" \
		--probe "$probe" --timeline $([ "$scenario" = s3 ] && echo "--leak 8")
	;;
esac
rc=$?

if [ -n "$dpid" ]; then
	kill -0 $dpid 2>/dev/null && echo "ok - $config still runs" || echo "not ok - $config still runs"
	echo "# $config log, kill lines:"
	grep -i -E "killed|sending|corrective|victim|would kill" "$dlog" | head -30 | sed 's/^/#   /'
	echo "# $config log, last lines:"
	tail -8 "$dlog" | sed 's/^/#   /'
	kill $dpid 2>/dev/null
	wait $dpid 2>/dev/null
fi
[ -n "$disk" ] && umount "$T/disk" 2>/dev/null
[ -z "$disk" ] && swapoff /dev/zram0 2>/dev/null
exit $rc
