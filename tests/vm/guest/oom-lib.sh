# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the OOM guest scripts (tests/vm/guest/oom-tail.sh,
# oom-cases.sh, bench/guest/oom-bench.sh): what each of them set up the
# same way. Needs $LRG_BUILDDIR, $LRG_TMP (vm-run.sh sets them) and $CG.
# Every wait is a poll with a deadline, by the clock: the host is loaded
# and TCG is slow, so a count of polls says nothing about time.

# alive PID: running (a zombie, killed but not yet reaped by us, is not;
# a leader gone by pthread_exit whose threads run on is)
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	for a_stat in "/proc/$1/stat" /proc/$1/task/*/stat; do
		case $(sed 's/.*) //' "$a_stat" 2>/dev/null | cut -d' ' -f1) in
		Z | X | "") ;;
		*) return 0 ;;
		esac
	done
	return 1
}

# wait_for SECONDS COMMAND...: poll every 0.5 s; 0 when COMMAND succeeded.
wait_for() {
	w_end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -lt $w_end ]; do
		"$@" && return 0
		sleep 0.5
	done
	"$@"
}

# zram_swap SIZE: zram swap of SIZE (e.g. 256M) as a TAP point; exits the
# script when it cannot be had (every OOM scenario with swap needs it).
zram_swap() {
	modprobe zram 2>/dev/null
	if echo "$1" >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
		echo "ok - zram swap of $1"
	else
		echo "not ok - zram swap of $1"
		exit 1
	fi
}

# in_cg CGROUP COMMAND... &: run COMMAND inside CGROUP (below $CG). Only
# in the background: the exec keeps $! the pid of COMMAND itself.
in_cg() {
	i_cg=$1
	shift
	exec sh -c "echo \$\$ >$CG/$i_cg/cgroup.procs && exec \"\$@\"" sh "$@"
}

# start_lrugend CONF LOG [ARGS...]: lrugend (built here) with CONF, its
# output in LOG, as $dpid; a TAP point once its backend line is logged
# (up to 30 s: TCG guests on a loaded host start slowly); exits the script
# when it does not come up. $LRG_CGROUP, when set, is the cgroup (below
# $CG) it runs in, as its unit would put it.
start_lrugend() {
	s_conf=$1
	LOG=$2
	shift 2
	if [ -n "${LRG_CGROUP:-}" ]; then
		mkdir -p "$CG/$LRG_CGROUP"
		(
			export RUNTIME_DIRECTORY="$LRG_TMP"
			in_cg "$LRG_CGROUP" "$LRG_BUILDDIR/lrugend" --config="$s_conf" "$@" >"$LOG" 2>&1
		) &
	else
		RUNTIME_DIRECTORY=$LRG_TMP "$LRG_BUILDDIR/lrugend" --config="$s_conf" "$@" >"$LOG" 2>&1 &
	fi
	dpid=$!
	if wait_for 30 grep -q "backend kmod" "$LOG" && alive $dpid; then
		echo "ok - lrugend runs on the kmod backend ($(basename "$s_conf"))"
	else
		echo "not ok - lrugend runs on the kmod backend ($(basename "$s_conf"))"
		sed 's/^/# /' "$LOG"
		exit 1
	fi
}

# run_incidents CGROUP KERNEL_LINE: $INCIDENTS incidents of `tail /dev/zero`
# in CGROUP beside what runs already, lrugend's log in $T/lrugend.log.
# Who ends a runaway first, lrugend or the kernel's OOM killer (its log
# lines containing KERNEL_LINE), is a race: PSI averages lag, the kernel
# acts when reclaim fails. An incident the kernel ended is run again, up
# to 3 attempts, so that every incident shows lrugend's decision. Sets
# kernel_wins (attempts the kernel won) and unended (incidents lrugend
# never ended). incident_note, if defined, adds to each incident's line.
run_incidents() {
	r_cg=$1
	r_kline=$2
	kernel_wins=0
	unended=0
	for i in $(seq 1 "$INCIDENTS"); do
		r_ended=0
		for a in 1 2 3; do
			r_start=$(date +%s)
			r_kk0=$(dmesg | grep -c "$r_kline")
			r_lk0=$(grep -c "lrugend: killed" "$T/lrugend.log")
			in_cg "$r_cg" tail /dev/zero &
			tpid=$!
			# the kernel's OOM killer would end it too; give lrugend 150 s
			(sleep 150; kill -9 $tpid 2>/dev/null) &
			r_wpid=$!
			sleep 4
			"$LRG_BUILDDIR/lrugenctl" -s "$T/control" status 2>&1 |
				grep -E "memory|pressure|policy|walks|oom" | sed "s/^/# [4 s] /"
			wait $tpid
			r_st=$?
			kill $r_wpid 2>/dev/null
			r_kk=$(($(dmesg | grep -c "$r_kline") - r_kk0))
			r_lk=$(($(grep -c "lrugend: killed" "$T/lrugend.log") - r_lk0))
			echo "# incident $i attempt $a: tail $tpid ended with status $r_st after $(($(date +%s) - r_start)) s ($r_lk lrugend kill(s), $r_kk kernel OOM kill(s))$(command -v incident_note >/dev/null && incident_note)"
			sleep 3
			if [ "$r_lk" -ge 1 ]; then
				r_ended=1
				break
			fi
			kernel_wins=$((kernel_wins + r_kk))
		done
		[ $r_ended = 1 ] || unended=$((unended + 1))
	done
}
