#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# image.sh CACHE KVER PACKAGE...: the Debian 12 root file system the system
# test boots, built once with mmdebstrap from Debian's archive and cached:
#
#   CACHE/<key>/root.qcow2    ext4, the whole disk (no partition table)
#   CACHE/<key>/vmlinuz       the image's own kernel KVER, booted by QEMU's
#   CACHE/<key>/initrd.img    -kernel/-initrd (no boot loader needed)
#
# <key> is a checksum of KVER, the package list and this script, so a new
# package or a change here builds a new image. Prints CACHE/<key> on
# success. Needs root (mmdebstrap's root mode keeps file owners, which
# mkfs.ext4 -d copies).
#
# The image: --variant=minbase plus systemd as PID 1, Debian's kernel KVER
# with its headers, DKMS and the compiler, and the PACKAGEs (lrugend's
# libraries, so that apt installs the .debs offline). Kernel and headers
# are in the image so that the DKMS build in the guest compiles only
# lrugen.ko. A user "tester" (uid 1000) for the user-scope test, with
# dbus-user-session for its session bus (the desktop notification); no login
# prompt on the serial console; apt's timers masked (no network in the
# guest); and lrg-systemtest.service, which mounts the 9p share "lrgtest"
# when the kernel command line has lrgtest=1 and runs guest.sh from it.
set -u
[ $# -ge 2 ] || { echo "usage: image.sh CACHE KVER [PACKAGE...]" >&2; exit 2; }
cache=$1 kver=$2
shift 2
mirror=${LRUGEN_SYSTEM_MIRROR:-http://deb.debian.org/debian}
security=${LRUGEN_SYSTEM_SECURITY:-http://deb.debian.org/debian-security}

packages="systemd systemd-sysv udev dbus dbus-user-session kmod procps e2fsprogs initramfs-tools zstd
	dkms linux-image-$kver linux-headers-$kver $*"
packages=$(echo $packages | tr ' ' '\n' | LC_ALL=C sort -u | tr '\n' ' ')
key=$( (echo "$kver"; echo "$packages"; echo "$mirror $security"; cat "$0") | md5sum | cut -c1-12)
dir=$cache/$key
if [ -f "$dir/root.qcow2" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.img" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache" || exit 1
# one builder at a time; a second caller waits and then finds the image
exec 9>"$cache/lock"
flock 9
if [ -f "$dir/root.qcow2" ]; then
	echo "$dir"
	exit 0
fi
tmp=$cache/$key.tmp
rm -rf --one-file-system "$tmp"
mkdir -p "$tmp" || exit 1

cat >"$tmp/customize.sh" <<'CUSTOMIZE'
set -eu
r=$1
echo lrgtest >"$r/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 lrgtest\n' >"$r/etc/hosts"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$r/etc/fstab"
chroot "$r" useradd -m -u 1000 -s /bin/sh tester
# the serial console carries the test's output only
chroot "$r" systemctl mask serial-getty@ttyS0.service getty@tty1.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service >/dev/null 2>&1
cat >"$r/etc/systemd/system/lrg-systemtest.service" <<'UNIT'
[Unit]
Description=lrugend system test (tests/system/guest.sh from the 9p share lrgtest)
ConditionKernelCommandLine=lrgtest=1
After=local-fs.target

[Service]
# simple, not oneshot: the script waits for the end of the boot it is part of
Type=simple
ExecStart=/bin/sh -c 'mkdir -p /run/lrgtest && mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 lrgtest /run/lrgtest && exec /bin/sh /run/lrgtest/guest.sh'
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
UNIT
chroot "$r" systemctl enable lrg-systemtest.service >/dev/null 2>&1
CUSTOMIZE

# The initramfs needs only the virtio disk and ext4: MODULES=list keeps it
# small, which shortens every boot under emulation.
setup='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d" &&
	echo MODULES=list >"$1/etc/initramfs-tools/conf.d/lrgtest.conf" &&
	printf "virtio_pci\nvirtio_blk\next4\n" >"$1/usr/share/initramfs-tools/modules.d/lrgtest"'

start=$(date +%s)
# shellcheck disable=SC2086 # the package list, word by word
if ! mmdebstrap --quiet --mode=root --variant=minbase \
	--include="$(echo $packages | tr ' ' ',')" \
	--setup-hook="$setup" \
	--customize-hook="sh '$tmp/customize.sh' \"\$1\"" \
	bookworm "$tmp/root" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main" >"$tmp/mmdebstrap.log" 2>&1; then
	tail -n 30 "$tmp/mmdebstrap.log" | sed 's/^/# /'
	echo "image.sh: mmdebstrap failed (log: $tmp/mmdebstrap.log)" >&2
	exit 1
fi
for f in vmlinuz initrd.img; do
	cp "$tmp/root/boot/$f-$kver" "$tmp/$f" || { echo "image.sh: no /boot/$f-$kver in the image" >&2; exit 1; }
done
# room for the packages, the DKMS build and the journal
mb=$(($(du -sm "$tmp/root" | cut -f1) + 768))
if ! mkfs.ext4 -q -F -L lrgtest -d "$tmp/root" "$tmp/root.raw" "${mb}M" >"$tmp/mkfs.log" 2>&1 ||
	! qemu-img convert -O qcow2 "$tmp/root.raw" "$tmp/root.qcow2"; then
	echo "image.sh: making the ext4 image failed" >&2
	exit 1
fi
rm -rf --one-file-system "$tmp/root" "$tmp/root.raw"
echo "$packages" >"$tmp/packages"
echo "built in $(($(date +%s) - start)) s" >>"$tmp/packages"
rm -rf "$dir"
mv "$tmp" "$dir" || exit 1
echo "$dir"
