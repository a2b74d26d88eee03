#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# TAP: the module's DKMS source as make install puts it (kmod/kmod.am)
# builds and installs with Debian's dkms for every kernel installed here
# with headers (/boot/vmlinuz-<kver> and /lib/modules/<kver>/build; on a
# Debian 12 host 6.1 and 6.12): dkms add, build (a warning-free build, the
# module for that kernel, of the package's version), install, remove.
#
# Nothing of the machine's is touched: dkms works in private trees (the
# DKMS tree, the source tree, the install tree and its signing key are in
# $TMPDIR), without depmod, and everything is removed after.
# Skips, saying why, without root, dkms or a kernel with headers, and
# outside the main build (LRUGEN_VM_TESTS=off: kernel-facing tests run once).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "${LRUGEN_VM_TESTS:-on}" = off ] && skip_all "kernel-facing tests run in the main build only (LRUGEN_VM_TESTS=off)"
[ "$(id -u)" = 0 ] || skip_all "dkms needs root"
command -v dkms >/dev/null 2>&1 || skip_all "dkms not installed"
kvers=
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V); do
	[ -f "/lib/modules/$k/build/Makefile" ] && kvers="$kvers $k"
done
[ -n "$kvers" ] || skip_all "no installed kernel has its headers (/lib/modules/<kver>/build)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lrg-dkms-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION COMMAND...
	_d=$1
	shift
	if "$@"; then ok "$_d"; else notok "$_d"; fi
}

# the DKMS source, installed from the build under test
if ! make -s -C "$top_builddir" install-dist_lrugen_dkmsDATA install-lrugen_dkms_uapiDATA \
	DESTDIR="$tmp/dest" >"$tmp/install.log" 2>&1; then
	notok "make install of the DKMS source"
	sed 's/^/# /' "$tmp/install.log"
	echo "1..$n"
	exit 0
fi
conf=$(find "$tmp/dest" -name dkms.conf | head -n 1)
src=$(dirname "$conf")
check "make install of the DKMS source: $(echo "$src" | sed "s|^$tmp/dest||")" test -f "$conf"

# one version: the package's, dkms.conf's (and its directory's), the module's
pv=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
dv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$conf")
mv=$(sed -n 's/^#define LRUGEN_MODULE_VERSION "\(.*\)"$/\1/p' "$src/main.c")
check "one version: package $pv, dkms.conf $dv, MODULE_VERSION $mv, directory $(basename "$src")" \
	test -n "$pv" -a "$pv" = "$dv" -a "$dv" = "$mv" -a "$(basename "$src")" = "lrugen-$dv"

# private trees, and a signing key of its own (Debian's dkms signs what it builds)
mkdir -p "$tmp/dkms" "$tmp/modules"
mok_signing_key=$tmp/mok.key
mok_certificate=$tmp/mok.pub
export mok_signing_key mok_certificate
dk() {
	dkms --dkmstree "$tmp/dkms" --sourcetree "$(dirname "$src")" --installtree "$tmp/modules" "$@"
}
if dk add -m lrugen -v "$dv" >"$tmp/add.log" 2>&1; then
	ok "dkms add lrugen/$dv"
else
	notok "dkms add lrugen/$dv"
	sed 's/^/# /' "$tmp/add.log"
fi

for k in $kvers; do
	if dk build -m lrugen -v "$dv" -k "$k" >"$tmp/build-$k.log" 2>&1; then
		ok "dkms build for $k"
	else
		notok "dkms build for $k"
		sed 's/^/# /' "$tmp/build-$k.log" | tail -n 30
		continue
	fi
	log="$tmp/dkms/lrugen/$dv/$k/$(uname -m)/log/make.log"
	if [ -f "$log" ] && ! grep -q "warning:" "$log"; then
		ok "... without a warning ($k)"
	else
		notok "... without a warning ($k)"
		grep -A3 "warning:" "$log" 2>/dev/null | head -n 20 | sed 's/^/# /'
	fi
	mkdir -p "$tmp/modules/$k"
	if dk install --no-depmod -m lrugen -v "$dv" -k "$k" >"$tmp/install-$k.log" 2>&1; then
		ko=$(find "$tmp/modules/$k" -name 'lrugen.ko*' | head -n 1)
		magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
		ver=$(modinfo -F version "$ko" 2>/dev/null)
		check "dkms install for $k: $(echo "$ko" | sed "s|^$tmp/modules/||"), vermagic $magic, version $ver" \
			test -n "$ko" -a "$magic" = "$k" -a "$ver" = "$dv"
	else
		notok "dkms install for $k"
		sed 's/^/# /' "$tmp/install-$k.log" | tail -n 20
	fi
done

dk remove -m lrugen -v "$dv" --all >"$tmp/remove.log" 2>&1
left=$(find "$tmp/modules" "$tmp/dkms" -name 'lrugen*' 2>/dev/null)
if [ -z "$left" ]; then
	ok "dkms remove --all: nothing left"
else
	notok "dkms remove --all: left $left"
	sed 's/^/# /' "$tmp/remove.log"
fi
echo "1..$n"
