#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# oom-bench.sh - the OOM benchmark (issue 5): what a runaway allocator does
# to an interactive stand-in under six memory managers, in the same run,
# each in its own VM boot (tests/vm/vm-run.sh, Debian's kernel under QEMU):
#
#   classic    the kernel alone, classic two-list LRU (Debian's default)
#   mglru      the kernel's MGLRU (/sys/kernel/mm/lru_gen/enabled = y)
#   mglru-ttl  MGLRU with /sys/kernel/mm/lru_gen/min_ttl_ms = 1000
#   earlyoom   earlyoom (Debian package, /etc/default/earlyoom), classic LRU
#   nohang     nohang (Debian package, nohang-desktop.conf), classic LRU
#   lrugend    lrugend as built (desktop profile, kmod backend)
#
# and three scenarios:
#   s1  zram swap, the stand-in and repeated `tail /dev/zero` (the seeds'
#       reproduction, as tests/vm/oom-tail.sh)
#   s2  no swap; four processes mmap and read 48 MiB files each on an ext4
#       virtio disk (throttled, see below), beside the stand-in
#       and repeated `tail /dev/zero`: the classic desktop livelock
#       (disk throttled to OOM_BENCH_DISK_BPS, 10 MB/s, and
#       OOM_BENCH_DISK_IOPS, 400)
#   s3  as s2, but the runaway is a slow leak (8 MiB/s of new memory): on a
#       quiet host tail fills memory in 5 s and the kernel alone kills it
#       before any thrash; a leak thrashes the readers for tens of seconds
#   s4  a runaway the user's shell restarts as soon as it dies
#       (`while true; do tail /dev/zero; done` in session-1.scope) beside a
#       UI swept every 100 ms and an application every 1 s in the user's
#       app.slice, 90 s; no swap, their working sets files on the
#       throttled disk
#   s4z as s4 with zram swap and anonymous working sets
# (lrugend-proc, lrugend on its proc backend, and lrugend-mglru, on its
# mglru backend with the kernel's MGLRU on, are two more configurations,
# not in the default list.)
#
# Measures per configuration and scenario the stand-in's stall time and p99
# sweep, wrong kills, kills per incident, time from pressure onset to relief
# and PSI memory full time (method: docs/oom-benchmark.md). Each incident is
# capped (OOM_BENCH_CAP s): a runaway still alive then is SIGKILLed by the
# benchmark and the incident counted as "capped" (livelock).
#
#   bench/oom-bench.sh [BUILDDIR]     (as root; BUILDDIR has lrugend,
#                                      lrugenctl and tests/vm/lrg-standin)
#
# Environment: OOM_BENCH_INCIDENTS (2; s4: 45 s each), OOM_BENCH_CAP (120),
# OOM_BENCH_RUNS (1: runs of each cell; the s4 table shows their medians),
# OOM_BENCH_CONFIGS, OOM_BENCH_SCENARIOS ("s1 s2 s3"), OOM_BENCH_JOBS (1: VMs
# at once), OOM_BENCH_RESUME (1: keep the runs of the last invocation that
# have a result, run the others), OOM_BENCH_OUT (docs/ of the source tree: oom-benchmark.md's
# results block is replaced, oom-benchmark.png written).
#
# Installs earlyoom, nohang and gnuplot-nox (Debian) with apt-get when they
# are missing; skips, saying why, when it cannot. Asserts nothing: it is run
# by hand, never by make check. About 40 minutes on a 2-core machine (12 VM runs).
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
B=$(cd "${1:-.}" && pwd)
incidents=${OOM_BENCH_INCIDENTS:-2}
cap=${OOM_BENCH_CAP:-120}
configs=${OOM_BENCH_CONFIGS:-classic mglru mglru-ttl earlyoom nohang lrugend}
scenarios=${OOM_BENCH_SCENARIOS:-s1 s2 s3}
jobs=${OOM_BENCH_JOBS:-1}
# 10 MB/s and 400 IOPS: at 50 MB/s the emulated disk kept up with the
# readers well enough that the kernel alone ended S2 in 9 s on a quiet
# host (no livelock to end); at 10 MB/s it thrashed for 28 s first.
disk_bps=${OOM_BENCH_DISK_BPS:-10000000}
disk_iops=${OOM_BENCH_DISK_IOPS:-400}
out=${OOM_BENCH_OUT:-$src/docs}
mkdir -p "$out" || { echo "oom-bench: cannot create $out" >&2; exit 1; }

skip() {
	echo "oom-bench: SKIP: $*"
	exit 77
}

[ -x "$B/lrugend" ] && [ -x "$B/tests/vm/lrg-standin" ] ||
	skip "$B has no lrugend or tests/vm/lrg-standin (make && make tests/vm/lrg-standin there)"
[ "$(id -u)" = 0 ] || skip "must run as root (installs packages, builds VM images)"

need=
for p in earlyoom nohang gnuplot-nox qemu-system-x86 busybox-static cpio e2fsprogs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "oom-bench: installing$need"
	command -v apt-get >/dev/null 2>&1 || skip "missing$need and no apt-get"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null 2>&1; } ||
		skip "apt-get install$need failed"
fi
qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 not found"

work=$B/bench/oom-bench
[ "${OOM_BENCH_RESUME:-0}" = 1 ] || rm -rf "$work/logs"
mkdir -p "$work/logs"

# The disk of s2: an ext4 image with four 48 MiB files of random bytes,
# made without mounting (mke2fs -d); attached read-only to every VM.
img=$work/disk.img
if [ ! -f "$img" ]; then
	rm -rf "$work/disk.d"
	mkdir -p "$work/disk.d"
	for i in 1 2 3 4; do
		head -c $((48 << 20)) /dev/urandom >"$work/disk.d/r$i.dat"
	done
	mke2fs -q -t ext4 -F -d "$work/disk.d" "$img.tmp" 256M && mv "$img.tmp" "$img" ||
		skip "mke2fs -d failed"
	rm -rf "$work/disk.d"
fi

# The disk is throttled: the emulated CPU is about 10 times slower than
# native, so 10 MB/s is to it roughly what a slow laptop disk is to a real
# CPU.
drive="file=$img,if=virtio,format=raw,readonly=on,throttling.bps-total=$disk_bps,throttling.iops-total=$disk_iops"

if [ "${OOM_BENCH_RESUME:-0}" = 1 ] && [ -f "$work/machine.txt" ]; then
	grep -v "^host load at end\|^guest kernel" "$work/machine.txt" >"$work/machine.tmp"
	echo "resumed $(date -u '+%H:%M UTC'), host load then: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/machine.tmp"
	mv "$work/machine.tmp" "$work/machine.txt"
else {
	echo "host: $(uname -srm), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
	echo "host load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "settings: $incidents incidents per run, cap ${cap}s, VM 512 MiB 2 vCPUs (TCG), $jobs VM(s) at a time"
} >"$work/machine.txt"
fi
cat "$work/machine.txt"

runs=${OOM_BENCH_RUNS:-1}
runone() { # SCENARIO CONFIG RUN
	log=$work/logs/$1-$2-$3.log
	if [ "${OOM_BENCH_RESUME:-0}" = 1 ] && grep -q "SUMMARY" "$log" 2>/dev/null; then
		echo "oom-bench: $1 $2 run $3 kept from the previous run"
		return
	fi
	start=$(date +%s)
	for attempt in 1 2; do
		runvm "$@"
		# under a heavy host load TCG guests sometimes panic at boot
		# ("IO-APIC + timer doesn't work"): boot once more
		grep -q "SUMMARY" "$log" && break
		[ $attempt = 1 ] && mv "$log" "$log.attempt1"
	done
	echo "oom-bench: $1 $2 run $3 done in $(($(date +%s) - start)) s: $(grep -c '^not ok' "$log") failed points" \
		"$(grep -m1 -o 'SUMMARY.*' "$log" | cut -c1-150)"
}
runvm() {
	top_srcdir=$src top_builddir=$B \
		"$src/tests/vm/vm-run.sh" --mem 512 --smp 2 --drive "$drive" \
		--timeout $((incidents * (cap + 60) + 240)) \
		--modules "zsmalloc zram crc32c_generic libcrc32c ext4 virtio_blk" \
		"$here/guest/oom-bench.sh" "$1" "$2" "$incidents" "$cap" >"$log" 2>&1
}

running=0
for r in $(seq 1 "$runs"); do
	for s in $scenarios; do
		for c in $configs; do
			runone "$s" "$c" "$r" &
			running=$((running + 1))
			if [ $running -ge "$jobs" ]; then
				wait
				running=0
			fi
		done
	done
done
wait
echo "host load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/machine.txt"
kver=$(grep -h -o 'kernel [0-9][^ )]*' "$work"/logs/*-*.log | head -1 | cut -d' ' -f2)
echo "guest kernel: Debian $kver under qemu-system-x86_64 $("$qemu" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') (TCG)" >>"$work/machine.txt"

# The table: one row per scenario and configuration.
table=$work/table.md
data=$work/plot.dat
{
	echo "| scenario | configuration | stand-in stall (s) | stand-in memory stall (s) | p99 sweep (ms) | max sweep (ms) | wrong kills | kills per incident | onset to relief (s) | capped (livelock) | PSI full (s) | runaway lifetime (s) | baseline stall (s) | defender CPU (s) |"
	echo "|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|---:|---:|"
} >"$table"
: >"$data"
for s in $scenarios; do
	case $s in s4*) continue ;; esac
	for c in $configs; do
		line=$(grep -h -o "SUMMARY scenario=$s config=$c .*" "$work/logs/$s-$c-1.log" 2>/dev/null | head -1)
		if [ -z "$line" ]; then
			echo "| $s | $c | no result (see $work/logs/$s-$c-1.log) |||||||||||" >>"$table"
			continue
		fi
		get() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
		echo "| $s | $c | $(awk "BEGIN{printf \"%.1f\", $(get stall_ms)/1000}") | $(awk "BEGIN{printf \"%.1f\", $(get standin_mem_some_ms)/1000}") | $(get p99_ms) | $(get max_ms) | $(get wrong) | $(get kills) | $(get onset_to_relief_s) | $(get capped) of $incidents | $(awk "BEGIN{printf \"%.1f\", $(get psi_full_ms)/1000}") | $(get life_s) | $(awk "BEGIN{printf \"%.1f\", $(get baseline_stall_ms)/1000}") | $(awk "BEGIN{printf \"%.1f\", $(get defender_cpu_ms)/1000}") |" >>"$table"
		echo "$s $c $(get stall_ms) $(get p99_ms) $(get psi_full_ms) $(get wrong) $(get onset_to_relief_s | tr ',' '\n' | awk '{t += $1} END {print t + 0}')" >>"$data"
	done
done
# The respawn loop (s4, s4z): medians of the runs of each cell.
s4table=$work/table-s4.md
{
	echo "| scenario | configuration | runs | UI + app stall (s) | UI stall (s) | app stall (s) | UI + app major faults | runaways ended by the defender | by the kernel's OOM killer | loop ended | wrong kills | defender CPU (s) | defender RSS (MiB) |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$s4table"
median() { sort -n | awk '{v[NR] = $1} END {if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for s in $scenarios; do
	case $s in s4*) ;; *) continue ;; esac
	for c in $configs; do
		lines=$(cat "$work"/logs/$s-$c-*.log 2>/dev/null | grep -h -o "SUMMARY scenario=$s config=$c .*")
		n=$(printf '%s\n' "$lines" | grep -c SUMMARY)
		col() { printf '%s\n' "$lines" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
		med_s() { col "$1" | median | awk '{ if ($1 == "-") print "-"; else printf "%.1f", $1 / 1000 }'; }
		sum() { col "$1" | awk '{t += $1} END {print t + 0}'; }
		echo "| $s | $c | $n | $(med_s stall_ms) | $(med_s ui_stall_ms) | $(med_s app_stall_ms) | $(col majfaults | median) | $(col by_defender | median) | $(col by_kernel | median) | $(sum loop_ended) of $n | $(sum wrong) | $(med_s defender_cpu_ms) | $(col defender_rss_kb | median | awk '{ if ($1 == "-") print "-"; else printf "%.1f", $1 / 1024 }') |" >>"$s4table"
	done
done
grep -q "| s4" "$s4table" && { echo; cat "$s4table"; { echo; cat "$s4table"; } >>"$table"; }

echo
cat "$table"
echo
grep -h "RESULT" "$work"/logs/*-*.log | sed 's/^# *//' >"$work/incidents.txt"
cat "$work/incidents.txt"

# The plot: stand-in stall time and PSI full time, per configuration.
if command -v gnuplot >/dev/null 2>&1 && [ -s "$data" ]; then
	for s in s1 s2 s3; do
		awk -v s=$s '$1 == s { print $2, $3 / 1000, $5 / 1000, $7 }' "$data" >"$work/plot-$s.dat"
		[ -s "$work/plot-$s.dat" ] || echo "none 0 0 0" >"$work/plot-$s.dat"
	done
	gnuplot <<GP || echo "oom-bench: gnuplot failed"
set terminal pngcairo size 1500,500 font ",10" noenhanced
set output "$out/oom-benchmark.png"
set multiplot layout 1,3 title "OOM benchmark: $incidents runaway incidents per run, cap ${cap}s each (Debian $kver, QEMU TCG, 512 MiB)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30
set ylabel "seconds"
set key top left
set grid ytics
set title "S1: zram swap + tail /dev/zero"
plot "$work/plot-s1.dat" using 2:xtic(1) title "stand-in stall (s)", "" using 3 title "PSI memory full (s)", "" using 4 title "onset to relief, sum (s)"
set title "S2: no swap, file working sets on ext4 + tail /dev/zero"
plot "$work/plot-s2.dat" using 2:xtic(1) title "stand-in stall (s)", "" using 3 title "PSI memory full (s)", "" using 4 title "onset to relief, sum (s)"
set title "S3: as S2, the runaway a leak of 8 MiB/s"
plot "$work/plot-s3.dat" using 2:xtic(1) title "stand-in stall (s)", "" using 3 title "PSI memory full (s)", "" using 4 title "onset to relief, sum (s)"
unset multiplot
GP
fi

# docs/oom-benchmark.md: replace the block between the markers, keep the text.
md=$out/oom-benchmark.md
block=$work/block.md
{
	echo "<!-- oom-bench results begin: written by bench/oom-bench.sh on $(date -u '+%Y-%m-%d %H:%M UTC') -->"
	echo
	sed 's/^/    /' "$work/machine.txt"
	echo
	cat "$table"
	echo
	echo "Per incident (runaway lifetime, onset of pressure after its start, who killed what):"
	echo
	sed 's/^/    /' "$work/incidents.txt"
	echo
	echo "<!-- oom-bench results end -->"
} >"$block"
if [ -f "$md" ] && grep -q "oom-bench results begin" "$md"; then
	awk -v blk="$block" '
		/oom-bench results begin/ { while ((getline l < blk) > 0) print l; skip = 1; next }
		/oom-bench results end/ { skip = 0; next }
		!skip' "$md" >"$md.tmp" && mv "$md.tmp" "$md"
else
	{ echo "# OOM benchmark"; echo; cat "$block"; } >"$md"
fi
echo "oom-bench: wrote $md and $out/oom-benchmark.png; logs in $work/logs"
