#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vm-run.sh - boot Debian's kernel under QEMU (TCG) with lrugen.ko and run
# one guest script against the host's root file system, then relay the
# guest's TAP lines. Reusable by every VM suite:
#
#   vm-run.sh [--kver PATTERN] [--mem MiB] [--smp N] [--timeout S]
#             [--modules "zram ..."] [--drive QEMU_DRIVE_SPEC] [--no-kmod]
#             [--kmod-variant DEFINE] [--alone] GUEST_SCRIPT [ARGS...]
#
# The guest kernel is the newest installed one (/boot/vmlinuz-<kver> with
# /lib/modules/<kver>/build) whose release matches PATTERN, a shell pattern
# ("6.12.*", or one exact release): --kver, else $LRUGEN_VM_KVER, else
# "6.1.*", the kernel every suite is written for; a newer series is chosen
# only when asked for, so installing one changes no suite.
#
# --drive adds one disk (a QEMU -drive value, e.g. "file=x.img,if=virtio,
# format=raw,readonly=on,throttling.bps-total=10000000"); the first
# virtio disk is /dev/vda in the guest (load virtio_blk with --modules).
# --alone runs the VM with no other VM of these suites beside it (see the
# host-wide lock below). --kmod-variant also builds lrugen.ko with -DDEFINE (a test-only switch of
# kmod/compat.h, e.g. LRUGEN_TEST_NO_PIDFS), as $LRG_KO_VARIANT.
#
# The guest script runs as root in a chroot of the host's / (read-only 9p)
# with proc, sys, dev, tmpfs /tmp and /run, cgroup2 and debugfs mounted, and
# these variables set (paths as the guest sees them):
#   LRG_KO        the freshly built lrugen.ko (unset with --no-kmod)
#   LRG_KO_VARIANT  the one built with --kmod-variant's define
#   LRG_SRCDIR    top_srcdir;  LRG_BUILDDIR  top_builddir
#   LRG_TMP       a writable scratch directory (tmpfs)
# It prints TAP test points ("ok", "not ok", "# ..."); plan lines are
# dropped and points renumbered, so several programs may print their own.
# The harness adds two points: the guest script exited 0, and the kernel
# log has no WARNING, BUG, Oops or "cut here".
#
# Prints "1..0 # SKIP why" when QEMU, a kernel image with headers, busybox
# or cpio is missing. Builds are cached per kernel in
# $top_builddir/tests/vm/cache/<kver>/ (the module from a COPY of kmod/,
# since the source tree may be read-only under make distcheck).
set -u

kpat=${LRUGEN_VM_KVER:-6.1.*}
mem=512
smp=2
timeout=240
extra_modules=
drive=
with_kmod=1
variant=
alone=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kpat=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--modules) extra_modules=$2; shift 2 ;;
	--drive) drive=$2; shift 2 ;;
	--no-kmod) with_kmod=0; shift ;;
	--kmod-variant) variant=$2; shift 2 ;;
	--alone) alone=1; shift ;;
	--) shift; break ;;
	-*) echo "vm-run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: vm-run.sh [options] GUEST_SCRIPT [ARGS...]" >&2; exit 2; }
guest_script=$1
shift

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

# tests/run-all.sh runs the VM suites once, in the main build; the
# sanitizer build and distcheck turn them off here, and say so.
[ "${LRUGEN_VM_TESTS:-on}" = off ] && skip "VM suites run in the main build only (LRUGEN_VM_TESTS=off)"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 not installed"
command -v cpio >/dev/null 2>&1 || skip "cpio not installed"
busybox=$(command -v busybox 2>/dev/null)
[ -n "$busybox" ] || skip "busybox not installed"
case $(file -L "$busybox" 2>/dev/null) in
*dynamically*) skip "busybox is not static (install busybox-static)" ;;
esac
[ "$(uname -m)" = x86_64 ] || skip "x86_64 hosts only"

# The newest installed kernel matching $kpat that has headers to build
# modules against.
kver=
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V); do
	# shellcheck disable=SC2254 # $kpat is a pattern
	case $k in $kpat) ;; *) continue ;; esac
	[ -r "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/build" ] && kver=$k
done
[ -n "$kver" ] || skip "no readable /boot/vmlinuz-<kver> with /lib/modules/<kver>/build for kver $kpat (LRUGEN_VM_KVER or --kver)"
kdir=/lib/modules/$kver
[ -f "$kdir/build/Module.symvers" ] || skip "kernel headers for $kver are incomplete"

cache=$builddir/tests/vm/cache/$kver
mkdir -p "$cache" || skip "cannot write $cache"

fail() {
	echo "not ok 1 - vm harness: $*"
	echo "1..1"
	exit 1
}

# Tests run in parallel (make -j): one builder at a time per cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/lock"
	flock 9
fi

# Build lrugen.ko from a copy (the source tree may be read-only), in dir,
# with extra compiler flags; stripped of debug info to ko.
build_kmod() { # dir ko kcflags
	mkdir -p "$1/include/uapi"
	for f in Kbuild Makefile compat.h lrugen.h lrugen_trace.h main.c netlink.c walk.c; do
		cmp -s "$srcdir/kmod/$f" "$1/$f" || cp "$srcdir/kmod/$f" "$1/$f"
	done
	cmp -s "$srcdir/include/uapi/lrugen.h" "$1/include/uapi/lrugen.h" ||
		cp "$srcdir/include/uapi/lrugen.h" "$1/include/uapi/lrugen.h"
	# not make check's jobserver and flags: kbuild is a separate build
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -s -C "$kdir/build" M="$1" KCFLAGS="$3" modules >"$1/build.log" 2>&1; then
		sed 's/^/# /' "$1/build.log"
		fail "building lrugen.ko ($1) failed"
	fi
	if grep -q "warning:" "$1/build.log"; then
		sed 's/^/# /' "$1/build.log"
		fail "lrugen.ko ($1) builds with warnings"
	fi
	# debug info makes every insmod under TCG slower; tests need none
	objcopy --strip-debug "$1/lrugen.ko" "$2" || fail "objcopy failed"
}
if [ $with_kmod = 1 ]; then
	build_kmod "$cache/kmod" "$cache/lrugen.ko" ""
	[ -n "$variant" ] && build_kmod "$cache/kmod-$variant" "$cache/lrugen-$variant.ko" "-D$variant"
fi

# Modules the initramfs loads, dependencies (and soft dependencies) first,
# as the files modprobe would insmod: modules built into the kernel (6.12's
# virtio_pci, zsmalloc) are left out.
command -v modprobe >/dev/null 2>&1 || skip "modprobe not installed (kmod)"
modlist=
for m in virtio_pci 9pnet_virtio 9p $extra_modules; do
	deps=$(modprobe -S "$kver" --show-depends "$m" 2>/dev/null) ||
		skip "kernel module $m not found for $kver"
	for p in $(printf '%s\n' "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
		case " $modlist " in *" $p "*) ;; *) modlist="$modlist $p" ;; esac
	done
done

# The initramfs: static busybox, the modules, and an init that mounts the
# host's / at /host and runs the script named by lrgrun= on the command line.
key=$(printf '%s\n' "$kver" "$modlist" "$(cat "$0")" | md5sum | cut -c1-12)
initrd=$cache/initramfs-$key.cpio.gz
if [ ! -f "$initrd" ]; then
	root=$cache/initramfs-$key.d
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/host" "$root/lib/modules"
	cp "$busybox" "$root/bin/busybox"
	# busybox insmod takes uncompressed modules only (6.12's are .ko.xz)
	for p in $modlist; do
		m=$(basename "$p" | sed 's/\.ko.*$//')
		case $p in
		*.ko) cp "$p" "$root/lib/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$p" >"$root/lib/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$p" >"$root/lib/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$p" >"$root/lib/modules/$m.ko" ;;
		*) fail "unknown module format $p" ;;
		esac
		echo "$m" >>"$root/modules.list"
	done
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do
	insmod /lib/modules/$m.ko || echo "### insmod $m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 host /host || echo "### mount host failed"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs run /host/run
# the host's /tmp (the build tree may live there) stays visible here:
mkdir -p /host/run/host-tmp
mount --bind /host/tmp /host/run/host-tmp
mount -t tmpfs tmp /host/tmp
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup
mount -t debugfs debugfs /host/sys/kernel/debug
run=$(sed -n 's/.*lrgrun=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "### BEGIN"
chroot /host /bin/sh "$run"
echo "### EXIT $?"
echo "### DMESG"
dmesg
echo "### END"
echo o >/proc/sysrq-trigger
sleep 10
INIT
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp" &&
		mv "$initrd.tmp" "$initrd" || fail "cannot build the initramfs"
	rm -rf "$root"
fi

exec 9>&-	# the VMs themselves may run in parallel
# ...except beside a suite that races the kernel's OOM killer (--alone):
# two TCG guests on the host's cores starve each other's vCPUs (soft
# lockups, a leak that fills memory at half speed), which turns the race
# into the host's load. Every VM holds the host-wide lock shared; --alone
# holds it exclusive.
if command -v flock >/dev/null 2>&1; then
	exec 8>"${TMPDIR:-/tmp}/lrugen-vm.lock"
	if [ $alone = 1 ]; then flock -x 8; else flock -s 8; fi
fi

# Paths as the guest sees them: the host's /tmp is at /run/host-tmp there.
guest_path() {
	case $1 in
	/tmp/*) echo "/run/host-tmp/${1#/tmp/}" ;;
	/tmp) echo /run/host-tmp ;;
	*) echo "$1" ;;
	esac
}
gscript=$(cd "$(dirname "$guest_script")" && pwd)/$(basename "$guest_script")
[ -f "$gscript" ] || fail "no guest script $guest_script"

run=$cache/run-$$.sh
out=$cache/out-$$.log
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export LRG_SRCDIR='$(guest_path "$srcdir")' LRG_BUILDDIR='$(guest_path "$builddir")'"
	echo "export LRG_TMP=/tmp HOME=/tmp"
	[ $with_kmod = 1 ] && echo "export LRG_KO='$(guest_path "$cache/lrugen.ko")'"
	[ $with_kmod = 1 ] && [ -n "$variant" ] &&
		echo "export LRG_KO_VARIANT='$(guest_path "$cache/lrugen-$variant.ko")'"
	printf "cd /tmp && exec /bin/sh '%s'" "$(guest_path "$gscript")"
	for a in "$@"; do printf " '%s'" "$a"; done
	echo
} >"$run"

start=$(date +%s)
# watchdog_thresh=60: under TCG on a loaded host a vCPU can stall for tens
# of seconds in any kernel code (kcompactd clearing pages was reported as
# a 23 s soft lockup while the host ran other tests); a soft lockup is
# then reported after 120 s, one the kernel's code would really cause.
# shellcheck disable=SC2086 # no disk: no words; one disk: two words
timeout -k 5 "$timeout" qemu-system-x86_64 ${drive:+-drive "$drive"} -accel tcg -cpu max -m "$mem" -smp "$smp" \
	-nographic -nodefaults -serial stdio -no-reboot \
	-kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 watchdog_thresh=60 lrgrun=$(guest_path "$run")" \
	-fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=r,mount_tag=host \
	</dev/null 2>&1 | tr -d '\r' >"$out"
qrc=$?
elapsed=$(($(date +%s) - start))
rm -f "$run"

# Relay the guest's TAP, renumbered; then the harness's own points.
n=0
awk '/### BEGIN/{on=1; next} /^### EXIT/{on=0} on' "$out" >"$out.guest"
while IFS= read -r line; do
	case $line in
	"ok "* | "not ok "*)
		n=$((n + 1))
		echo "$line" | sed -E "s/^(not )?ok( [0-9]+)?/\\1ok $n/"
		;;
	1..*) ;;
	*) echo "# $line" | sed 's/^# #/#/' ;;
	esac
done <"$out.guest"

rc=$(sed -n 's/^### EXIT \([0-9]*\)$/\1/p' "$out")
n=$((n + 1))
if [ -z "$rc" ]; then
	echo "not ok $n - guest finished (qemu status $qrc after ${elapsed}s: timeout or panic)"
	tail -n 40 "$out" | sed 's/^/# /'
elif [ "$rc" != 0 ]; then
	echo "not ok $n - guest script exited $rc"
else
	echo "ok $n - guest script exited 0 (${elapsed}s in the VM, kernel $kver)"
fi

n=$((n + 1))
awk '/^### DMESG/{on=1; next} /^### END/{on=0} on' "$out" >"$out.dmesg"
if [ -z "$rc" ]; then
	bad=$(grep -E 'WARNING:|BUG:|Oops|cut here|Kernel panic|general protection' "$out" | head -n 5)
else
	bad=$(grep -E 'WARNING:|BUG:|Oops|cut here|Kernel panic|general protection' "$out.dmesg" | head -n 5)
fi
if [ -n "$bad" ]; then
	echo "not ok $n - kernel log clean"
	grep -E -A25 'WARNING:|BUG:|Oops|cut here|Kernel panic|general protection' "$out.dmesg" "$out" |
		head -n 80 | sed 's/^/# /'
else
	echo "ok $n - kernel log clean (no WARNING, BUG, Oops, cut here)"
fi
echo "1..$n"
rm -f "$out.guest"
exit 0
