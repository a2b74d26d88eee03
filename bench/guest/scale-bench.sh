#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The scale benchmark (issue 4): lrugend with 2,000 sleeping processes.
#
# In the VM (bench/scale-bench.sh): 200 memory cgroups under scale.slice
# with 10 processes each (each with 64 KiB of its own anon memory touched
# once), then lrugend on each backend (kmod, proc), the build's binary and,
# when given, a previous one (LRG_SCALE_BEFORE: a directory holding
# lrugend), one after the other in this one boot.
# Natively (bench/scale-bench.sh --native, LRG_SCALE_NATIVE=1): the same
# 2,000 processes in the caller's cgroup, proc backend, which on a host
# without a cgroup2 memory controller is one global domain.
#
# Per run: the daemon is started with aging_interval_ms = AGING_MS and
# sampled once a second: its CPU (utime+stime, /proc/PID/stat), the
# generations its --verbose log says it created (one per aging pass of a
# memcg; counted so even while the daemon does not answer), and whether
# lrugenctl (under a timeout) got an answer. Reported per run:
#   first round   seconds until the daemon's --verbose log shows as many
#                 generations created as memcgs (one per aging pass): the
#                 first refresh and the first aging of every memcg (every
#                 mm walked whole) are done
#   first CPU ms  CPU by then, passes (generations) by then, and the ratio
#   ms/pass       CPU per aging pass after the first round: mean over the
#                 run, and the largest of the one-second samples (all of
#                 the daemon's CPU counts: aging, the refresh of the mm
#                 lists every 2 s, measurements, lrugenctl's requests)
#   CPU ms/s      CPU per second after the first round
#   answered      samples answered after the first round, and the longest
#                 stretch without an answer (the first reply's time is in
#                 the ok line; "not ok ... answered lrugenctl" if never)
#   mms, memcgs   what the daemon tracks (lrugenctl gens: sum of nr_mms)
#   RSS, HWM      VmRSS and VmHWM at the end
# then ratios of the build's binary to the previous one. Asserts only that
# each daemon ran and saw the population; the figures are printed.
#
# Knobs (environment, or KEY=VALUE arguments): LRG_SCALE_CGROUPS (200),
# LRG_SCALE_PROCS (10 per cgroup), LRG_SCALE_KIB (64), LRG_SCALE_SECONDS
# (30 s of samples after the first round), LRG_SCALE_AGING_MS (1000),
# LRG_SCALE_BACKENDS ("kmod proc"; natively "proc"), LRG_SCALE_BEFORE
# (unset: the build's binary only), LRG_SCALE_STARTUP (900 s to wait for
# the first round), LRG_SCALE_NATIVE, LRG_SCALE_TICK_BUDGET_MS (unset: the
# default tick_budget_ms; a binary older than that key rejects the config).
set -u
for a in "$@"; do
	case $a in LRG_SCALE_*=*) export "$a" ;; esac
done
B=$LRG_BUILDDIR
T=$LRG_TMP
NATIVE=${LRG_SCALE_NATIVE:-0}
CG=/sys/fs/cgroup
NCG=${LRG_SCALE_CGROUPS:-200}
NPROC=${LRG_SCALE_PROCS:-10}
KIB=${LRG_SCALE_KIB:-64}
SECS=${LRG_SCALE_SECONDS:-30}
AGING_MS=${LRG_SCALE_AGING_MS:-1000}
STARTUP=${LRG_SCALE_STARTUP:-900}
BEFORE=${LRG_SCALE_BEFORE:-}
TICK_BUDGET=${LRG_SCALE_TICK_BUDGET_MS:-}
if [ "$NATIVE" = 1 ]; then
	BACKENDS=${LRG_SCALE_BACKENDS:-proc}
else
	BACKENDS=${LRG_SCALE_BACKENDS:-kmod proc}
fi
S=$B/tests/vm/lrg-scale-sleepers
CTL=$B/lrugenctl
HZ=$(getconf CLK_TCK)

[ -x "$S" ] || { echo "not ok - $S not built (make check builds it)"; exit 1; }
[ -x "$B/lrugend" ] && [ -x "$CTL" ] || { echo "not ok - lrugend/lrugenctl not built"; exit 1; }
bins="after=$B/lrugend"
if [ -n "$BEFORE" ]; then
	if [ -x "$BEFORE/lrugend" ]; then
		bins="$bins before=$BEFORE/lrugend"   # the build first: a run cut short keeps it
	else
		echo "# LRG_SCALE_BEFORE=$BEFORE has no lrugend: the build's binary only"
	fi
fi
case " $BACKENDS " in
*" kmod "*)
	insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; } ;;
esac

# ---- the population ----
start=$(date +%s)
pgids=
if [ "$NATIVE" = 1 ]; then
	i=0
	while [ $i -lt "$NCG" ]; do
		setsid "$S" - "$NPROC" "$KIB" >"$T/ready.$i" 2>&1 &
		pgids="$pgids $!"
		i=$((i + 1))
	done
else
	echo +memory >$CG/cgroup.subtree_control
	mkdir -p $CG/scale.slice
	echo +memory >$CG/scale.slice/cgroup.subtree_control
	i=0
	while [ $i -lt "$NCG" ]; do
		d=$CG/scale.slice/c$(printf %03d $i)
		mkdir -p "$d"
		"$S" "$d" "$NPROC" "$KIB" >"$T/ready.$i" 2>&1 &
		i=$((i + 1))
	done
fi
cleanup() {
	if [ "$NATIVE" = 1 ]; then
		for g in $pgids; do kill -- "-$g" 2>/dev/null; done
	else
		echo 1 >$CG/scale.slice/cgroup.kill 2>/dev/null
	fi
}
trap cleanup EXIT
n=0
while [ $n -lt 900 ]; do
	r=$(cat "$T"/ready.* 2>/dev/null | grep -c '^ready$')
	[ "$r" -ge "$NCG" ] && break
	sleep 1
	n=$((n + 1))
done
if [ "$NATIVE" = 1 ]; then
	procs=$(for g in $pgids; do pgrep -g "$g"; done | wc -l)
	memcgs=1
	want_memcgs=1
else
	procs=$(cat $CG/scale.slice/*/cgroup.procs | wc -l)
	memcgs=$(ls -d $CG/scale.slice/*/ | wc -l)
	want_memcgs=$NCG
fi
if [ "$procs" -eq $((NCG * NPROC)) ] && [ "$memcgs" -eq "$want_memcgs" ]; then
	echo "ok - $procs processes in $memcgs memory domain(s) ($(($(date +%s) - start)) s to start)"
else
	echo "not ok - $((NCG * NPROC)) processes (have $procs in $memcgs domains)"
	exit 1
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# $( [ "$NATIVE" = 1 ] && echo host || echo guest): $(nproc) CPUs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB, $(ls -d /proc/[0-9]* | wc -l) processes in all, load $load"

cpu_ticks() { # utime + stime of a pid, in clock ticks
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}
status_kb() { # VmRSS/VmHWM of a pid, in KiB
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}
gens_logged() { # generations created, from the daemon's --verbose log
	sed -n 's/.*tick: \([0-9]*\) generation.*/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }'
}
jnum() { # a number from a flat JSON text
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1
}

# run LABEL BINARY BACKEND: appends one RESULT line to $T/results
run() {
	label=$1 bin=$2 be=$3
	rt=$T/rt-$label
	smp=$T/$label.samples
	mkdir -p "$rt"
	cat >"$T/$label.conf" <<CONF
[daemon]
backend = $be
$( [ -n "$TICK_BUDGET" ] && echo "tick_budget_ms = $TICK_BUDGET" )
[slice *]
aging_interval_ms = $AGING_MS
CONF
	# --verbose: each tick logs the generations it created, which counts
	# the aging passes even while the daemon cannot answer lrugenctl
	RUNTIME_DIRECTORY=$rt "$bin" --config="$T/$label.conf" --dry-run --verbose >"$T/$label.log" 2>&1 &
	dpid=$!
	: >"$smp"
	: >"$T/$label.st"
	t0=$(date +%s)
	first=
	reply=
	while kill -0 $dpid 2>/dev/null; do
		now=$(($(date +%s) - t0))
		# CPU and the log read after the reply: the work that delayed it counts
		if timeout 5 "$CTL" -t 2000 -s "$rt/control" --json status >"$T/$label.tmp" 2>/dev/null; then
			ans=1
			mv "$T/$label.tmp" "$T/$label.st"
			p=$(jnum aging_passes <"$T/$label.st")
			[ -n "$reply" ] || reply=$now
		else
			ans=0 p=0
		fi
		c=$(cpu_ticks $dpid)
		g=$(gens_logged "$T/$label.log")
		echo "$now ${c:-0} $ans ${p:-0} $g" >>"$smp"
		# the first round: every memcg has had a generation created
		[ -n "$first" ] || [ "$g" -lt "$want_memcgs" ] || first=$now
		if [ -n "$first" ]; then
			[ $((now - first)) -ge "$SECS" ] && break
		elif [ "$now" -ge "$STARTUP" ]; then
			break
		fi
		sleep 1
	done
	if ! kill -0 $dpid 2>/dev/null; then
		echo "not ok - lrugend ($label) runs"
		sed 's/^/# /' "$T/$label.log" | tail -20
		return 1
	fi
	rss=$(status_kb $dpid VmRSS)
	hwm=$(status_kb $dpid VmHWM)
	echo "# $label: $(grep -c 'tick:' "$T/$label.log") ticks that created generations logged; log tail:"
	grep -v 'tick:' "$T/$label.log" | tail -6 | sed 's/^/#   /'
	echo "# $label: samples (s, CPU ticks, answered, passes, generations): $(tr '\n' ';' <"$smp" | cut -c1-600)"
	nm=$(jnum nr_memcgs <"$T/$label.st")
	mms=$(timeout 60 "$CTL" -t 50000 -s "$rt/control" --json gens 2>/dev/null |
		grep -o '"nr_mms":[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }')
	kill $dpid
	wait $dpid 2>/dev/null
	if [ -z "$first" ]; then
		echo "not ok - lrugend ($label) aged every memcg within $STARTUP s (first reply: ${reply:-never})"
	elif [ -z "$reply" ]; then
		echo "not ok - lrugend ($label) answered lrugenctl (never in $(($(date +%s) - t0)) s; every memcg aged by $first s)"
	elif [ "${nm:-0}" -ge "$want_memcgs" ] && [ "${mms:-0}" -ge "$procs" ]; then
		echo "ok - lrugend ($label) answered after $reply s, aged every memcg by $first s, tracks $mms mms in $nm memcgs"
	else
		echo "not ok - lrugend ($label) tracks ${mms:-?} mms in ${nm:-?} memcgs (want $procs in $want_memcgs)"
		tail -5 "$T/$label.log" | sed 's/^/# /'
	fi
	# first-round and steady figures from the samples
	awk -v hz="$HZ" -v want="$want_memcgs" -v label="$label" -v rss="${rss:-0}" -v hwm="${hwm:-0}" \
		-v mms="${mms:-0}" -v nm="${nm:-0}" '
		{ t[NR] = $1; c[NR] = $2; a[NR] = $3; p[NR] = $5; n = NR }
		END {
			f = 0
			for (i = 1; i <= n; i++) if (p[i] >= want) { f = i; break }
			if (!f) {
				printf "RESULT %s -1 0 0 0 0 0 0 0 %d %d %d %d %d %d %d\n", label, n, t[n], mms, nm, rss, hwm, c[n] * 1000 / hz
				exit
			}
			fms = c[f] * 1000 / hz; fp = p[f]
			# after the first round: per sample (passes from the log),
			# and how lrugenctl fared
			last = f; la = f; maxpp = 0; ans = 0; tot = 0; gap = 0
			for (i = f + 1; i <= n; i++) {
				tot++
				if (a[i]) { ans++; la = i } else if (t[i] - t[la] > gap) gap = t[i] - t[la]
				dp = p[i] - p[last]; dc = (c[i] - c[last]) * 1000 / hz
				if (dp <= 0)
					continue   # no pass ended yet: merge into the next sample
				if (dc / dp > maxpp) maxpp = dc / dp
				last = i
			}
			if (!ans) gap = t[n] - t[f]
			dp = p[last] - p[f]; dc = (c[last] - c[f]) * 1000 / hz; dt = t[last] - t[f]
			printf "RESULT %s %d %.1f %d %.3f %.3f %.1f %d %d %d %d %d %d %d %d %d\n", label, t[f],
				fp ? fms / fp : 0, fp, dp ? dc / dp : 0, maxpp, dt ? dc / dt : 0, dp,
				ans, tot, gap, mms, nm, rss, hwm, fms
		}' "$smp" >>"$T/results"
	tail -1 "$T/results" | sed 's/^RESULT /# raw: /'
}

: >"$T/results"
for be in $BACKENDS; do
	for b in $bins; do
		run "$be-${b%%=*}" "${b#*=}" "$be"
	done
done

echo "# == lrugend at scale: $procs processes in $want_memcgs memory domain(s), aging_interval_ms $AGING_MS, $SECS s sampled after the first round; load at start $load, at end $(cut -d' ' -f1-3 /proc/loadavg)$( [ "$NATIVE" = 1 ] || echo '; TCG guest: emulated CPU time, several times the native one')"
printf '# %-12s %6s %8s %6s %9s %8s %8s %8s %8s %7s %6s %6s %8s %8s\n' run "first" "first" "first" "first" "ms/pass" "ms/pass" "CPU" "answered" "silent" mms memcgs "RSS" "HWM"
printf '# %-12s %6s %8s %6s %9s %8s %8s %8s %8s %7s %6s %6s %8s %8s\n' "" "round s" "CPU ms" passes "ms/pass" mean max "ms/s" "" "max s" "" "" KiB KiB
awk '$1 == "RESULT" {
	if ($3 < 0) {
		printf "# %-12s %6s %8d %6s %9s %8s %8s %8s %8s %7d %6d %6d %8d %8d\n", $2, "never", $17, "-", "-", "-", "-", "-", "0/" $11, $12, $13, $14, $15, $16
		next
	}
	printf "# %-12s %6d %8d %6d %9.1f %8.3f %8.3f %8.1f %8s %7d %6d %6d %8d %8d\n", $2, $3, $17, $5, $4, $6, $7, $8, $10 "/" $11, $12, $13, $14, $15, $16
}' "$T/results"
if [ -n "$BEFORE" ]; then
	for be in $BACKENDS; do
		awk -v be="$be" '
			$1 == "RESULT" && $2 == be "-before" { for (i = 1; i <= NF; i++) b[i] = $i; hb = 1 }
			$1 == "RESULT" && $2 == be "-after" { for (i = 1; i <= NF; i++) a[i] = $i; ha = 1 }
			function r(x, y) { return y > 0 && x >= 0 ? sprintf("%.2f", x / y) : "-" }
			END {
				if (!ha || !hb) exit
				printf "# %s after/before: RSS %s, HWM %s, first-round ms/pass %s, ms/pass mean %s, max %s, CPU ms/s %s, first round s %s\n",
					be, r(a[15], b[15]), r(a[16], b[16]), r(a[4], b[4]), r(a[6], b[6]), r(a[7], b[7]), r(a[8], b[8]), r(a[3], b[3])
			}' "$T/results"
	done
fi
awk '$1 == "RESULT" && $2 ~ /-after$/ {
	if ($16 < 8192) printf "ok - %s: VmHWM %d KiB under the 8 MiB target\n", $2, $16
	else printf "ok - %s: VmHWM %d KiB OVER the 8 MiB target # TODO\n", $2, $16
}' "$T/results"

trap - EXIT
cleanup
sleep 1
case " $BACKENDS " in *" kmod "*) rmmod lrugen 2>/dev/null ;; esac
exit 0
