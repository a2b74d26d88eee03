#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# system-test.sh: lrugend as a distribution ships it, on a booted Debian 12.
# Builds the Debian packages from this tree (build-debs.sh), a Debian 12
# root file system with mmdebstrap (image.sh, cached), and boots it under
# QEMU (TCG) with systemd as PID 1 and Debian's 6.1 kernel, a qcow2
# overlay over the cached image as its virtio disk and the .debs on a 9p
# share. In the guest (guest.sh): apt install (DKMS builds the module),
# reboot, unit ordering, a refused reload, a runaway killed, the watchdog,
# apt purge. Relays the guest's TAP lines, renumbered.
#
# Prints "1..0 # SKIP why" when not root, or QEMU, mmdebstrap, the
# packaging tools or a 6.1 kernel are missing, or with LRUGEN_VM_TESTS=off
# or LRUGEN_SYSTEM_TEST=off. Knobs: LRUGEN_SYSTEM_KVER (the kernel, default
# the newest /boot/vmlinuz-6.1.*), LRUGEN_SYSTEM_CACHE (the image cache,
# default /var/cache/lrugend-test), LRUGEN_SYSTEM_MEM (MiB, 1024),
# LRUGEN_SYSTEM_TIMEOUT (s, 1200), LRUGEN_SYSTEM_MIRROR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/../..}" && pwd)
builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
t0=$(date +%s)

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
fail() {
	echo "not ok 1 - system test harness: $*"
	echo "1..1"
	exit 1
}

[ "${LRUGEN_VM_TESTS:-on}" = off ] && skip "VM suites are off (LRUGEN_VM_TESTS=off)"
[ "${LRUGEN_SYSTEM_TEST:-on}" = off ] && skip "the system test is off (LRUGEN_SYSTEM_TEST=off)"
[ "$(uname -m)" = x86_64 ] || skip "x86_64 hosts only"
[ "$(id -u)" = 0 ] || skip "needs root (mmdebstrap's root mode and the image's file owners)"
for tool in qemu-system-x86_64 qemu-img mmdebstrap mkfs.ext4 dpkg-buildpackage dh dh_dkms flock; do
	command -v $tool >/dev/null 2>&1 || skip "$tool not installed (scripts/dev.sh test installs it)"
done
[ -f "$srcdir/debian/control" ] || skip "no debian/ in $srcdir"
[ -x "$builddir/tests/system/lrg-notify-sink" ] || skip "tests/system/lrg-notify-sink not built (make check builds it)"

# Debian 12's default kernel, 6.1, chosen explicitly: one boot per run
# keeps the test's time down; the VM suites run lrugen.ko on 6.12 too.
kver=${LRUGEN_SYSTEM_KVER:-}
if [ -z "$kver" ]; then
	kver=$(ls -1 /boot/vmlinuz-6.1.* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n 1)
fi
[ -n "$kver" ] || skip "no Debian 6.1 kernel (/boot/vmlinuz-6.1.*; apt-get install linux-image-amd64)"

cache=${LRUGEN_SYSTEM_CACHE:-/var/cache/lrugend-test}
work=$builddir/tests/system/work
mkdir -p "$cache" "$work" || fail "cannot create $cache or $work"

s=$(date +%s)
sh "$here/build-debs.sh" "$srcdir" "$builddir/tests/system/debs" 2>"$work/build-debs.err" ||
	fail "building the packages failed (log: $builddir/tests/system/debs/build.log)"
t_debs=$(($(date +%s) - s))
debs=$builddir/tests/system/debs
deb_d=$(ls "$debs"/lrugend_*_amd64.deb | head -n 1)
deb_k=$(ls "$debs"/lrugen-dkms_*_all.deb | head -n 1)
[ -f "$deb_d" ] && [ -f "$deb_k" ] || fail "no packages in $debs"
for d in "$deb_d" "$deb_k"; do
	echo "# $(basename "$d"): $(du -k "$d" | cut -f1) KiB, Installed-Size $(dpkg-deb -f "$d" Installed-Size) KiB"
done

# lintian on what was built (build-debs.sh): no error, no warning
lint=
if [ -f "$debs/lintian.rc" ]; then
	lint=$(cat "$debs/lintian.rc")
	grep -v "running with root privileges" "$debs/lintian.log" | sed 's/^/# lintian: /'
fi

# lrugend's dependencies go into the image, so that apt installs offline
deps=$(dpkg-deb -f "$deb_d" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^\$' | grep .)
s=$(date +%s)
image=$(sh "$here/image.sh" "$cache" "$kver" $deps) || fail "building the image failed"
t_image=$(($(date +%s) - s))
echo "# image $image ($(sed -n 's/^built in //p' "$image/packages"), $t_image s this run; kernel $kver)"

run=$work/run-$$
share=$run/share
mkdir -p "$share" || fail "cannot create $run"
cp "$here/guest.sh" "$deb_d" "$deb_k" "$builddir/tests/system/lrg-notify-sink" "$share/" ||
	fail "cannot fill the 9p share"
qemu-img create -q -f qcow2 -F qcow2 -b "$image/root.qcow2" "$run/overlay.qcow2" ||
	fail "cannot create the qcow2 overlay"

# Two boots (the guest reboots itself), then the guest powers off. The
# soft-lockup detector is off: it measures wall time, which an emulated CPU
# on a loaded host does not get (a 20 s "lockup" of an idle udev worker is
# the host's load, not the guest's).
s=$(date +%s)
# beside the VM suites, but never beside one that races the kernel's OOM
# killer (tests/vm/vm-run.sh --alone holds this lock exclusive)
exec 8>"${TMPDIR:-/tmp}/lrugen-vm.lock"
flock -s 8
rm -f "$work/console.raw"
timeout -k 5 "${LRUGEN_SYSTEM_TIMEOUT:-1200}" qemu-system-x86_64 -accel tcg -cpu max \
	-m "${LRUGEN_SYSTEM_MEM:-1024}" -smp 2 -nographic -nodefaults \
	-serial "file:$work/console.raw" -monitor none \
	-kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 nosoftlockup lrgtest=1" \
	-drive "file=$run/overlay.qcow2,if=virtio,format=qcow2" \
	-fsdev "local,id=share,path=$share,security_model=none,readonly=on" \
	-device virtio-9p-pci,fsdev=share,mount_tag=lrgtest \
	</dev/null >"$work/qemu.log" 2>&1
qrc=$?
t_vm=$(($(date +%s) - s))
tr -d '\r' <"$work/console.raw" >"$work/console.log"

n=0
if [ -n "$lint" ]; then
	n=1
	[ "$lint" = 0 ] && echo "ok 1 - lintian: no error, no warning" || echo "not ok 1 - lintian: no error, no warning"
fi
while IFS= read -r line; do
	case $line in
	"ok "* | "not ok "*)
		n=$((n + 1))
		echo "$line" | sed -E "s/^(not )?ok( [0-9]+)?/\\1ok $n/"
		;;
	"# "*) echo "$line" ;;
	"### "*) echo "# ${line#\#\#\# }" ;;
	esac
done <"$work/console.log"

n=$((n + 1))
if grep -q "^### END" "$work/console.log"; then
	echo "ok $n - the guest ran both boots to the end (VM ${t_vm}s, kernel $kver)"
	rm -rf "$run"
else
	echo "not ok $n - the guest ran both boots to the end (qemu status $qrc after ${t_vm}s: timeout or crash)"
	tail -n 40 "$work/console.log" | sed 's/^/# /'
fi
echo "# wall time $(($(date +%s) - t0)) s: packages ${t_debs} s, image ${t_image} s, VM ${t_vm} s (console: $work/console.log)"
echo "1..$n"
