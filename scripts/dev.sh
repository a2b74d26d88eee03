#!/usr/bin/env bash
# lrugend developer entry point: the README's two quick-start commands.
#
#   scripts/dev.sh run    install build deps, build, run lrugend in the
#                         foreground (desktop policy, best backend found)
#   scripts/dev.sh test   install build+test deps (QEMU, Debian's kernel),
#                         build, run every suite; last line "N passed, N failed"
#
# Run as root on Debian 12 (apt-get installs what is missing).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

BUILD_DEPS="build-essential autoconf automake libtool pkg-config libsystemd-dev
	libnl-3-dev libnl-genl-3-dev libinih-dev"
# QEMU + Debian's own kernels and headers for the VM suites (6.1, and 6.12
# from Debian 12's archive: the kmod suites run on both; xz-utils unpacks
# 6.12's modules); dkms for the DKMS test; util-linux's setpriv for the
# non-root caller of the EPERM test; groff/man for the man page check;
# systemd for systemd-analyze verify; earlyoom/nohang for the comparison
# benchmark; dbus for the desktop notification test; the Debian packaging
# tools, mmdebstrap, qemu-img and e2fsprogs for the system test
# (tests/system: the .debs installed on a booted Debian 12).
TEST_DEPS="qemu-system-x86 linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 xz-utils dkms util-linux
	busybox-static cpio kmod groff-base man-db systemd zstd dbus
	dpkg-dev debhelper dh-dkms lintian mmdebstrap qemu-utils e2fsprogs"

need() { # install the packages that are not installed yet
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "dev.sh: missing packages (${missing[*]}); run as root to install them" >&2
		return 1
	fi
	echo "dev.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() { # build DIR [configure args...]
	local dir=$1; shift
	[ -f configure ] || autoreconf -fi >/dev/null 2>&1 || { echo "dev.sh: autoreconf failed" >&2; return 1; }
	mkdir -p "$dir" && cd "$dir" || return 1
	if [ ! -f Makefile ]; then
		"$top/configure" -q --enable-werror "$@" || { cd "$top"; return 1; }
	fi
	make -s -j"$(nproc)" >/dev/null || { make -j1 2>&1 | tail -30; cd "$top"; return 1; }
	cd "$top"
}

case "${1:-}" in
run)
	shift
	# shellcheck disable=SC2086
	need $BUILD_DEPS || exit 1
	build build/main || exit 1
	echo "dev.sh: starting build/main/lrugend in the foreground (Ctrl-C stops it)" >&2
	exec build/main/lrugend --config=/dev/null "$@"
	;;
test)
	shift
	# shellcheck disable=SC2086
	need $BUILD_DEPS $TEST_DEPS || exit 1
	exec "$top/tests/run-all.sh" "$@"
	;;
*)
	echo "usage: scripts/dev.sh run [lrugend options] | test" >&2
	exit 2
	;;
esac
