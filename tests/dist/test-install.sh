#!/bin/sh
# TAP: `make install DESTDIR=...` of a build configured as Debian does
# (prefix /usr, sysconfdir /etc, units in /lib/systemd/system) puts the
# binaries, unit, config, profiles, man pages (and the module's DKMS
# source, once kmod/kmod.am installs it) where Debian expects them, and
# nothing elsewhere; the installed unit verifies against the installed
# tree; `make uninstall` leaves no file behind.
#
# It builds what a package build starts from: the source tree of the
# release tarball (`make distdir` of the build under test, into $TMPDIR),
# configured there with the Debian layout and built out of tree. So it
# works whether the tree under test was configured in place, out of tree
# or by `make distcheck`, and never touches either.
set -u
: "${top_builddir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lrg-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
src="$tmp/src"
build="$tmp/build"
dest="$tmp/dest"
unitdir=/lib/systemd/system
# Not the outer make's jobserver or variables.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
MAKE_CMD="make -j${LRG_INSTALL_JOBS:-2}"

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
result() { if [ -z "$2" ]; then ok "$1"; else notok "$1: missing$2"; fi; }

echo "1..12"

if [ ! -f "$top_builddir/Makefile" ]; then
	echo "Bail out! $top_builddir is not a configured build tree (run from make check)"
	exit 1
fi
if ! (cd "$top_builddir" && make -s distdir distdir="$src" top_distdir="$src") \
	>"$tmp/distdir.log" 2>&1 || [ ! -x "$src/configure" ]; then
	sed 's/^/# /' "$tmp/distdir.log" | tail -20
	echo "Bail out! make distdir of $top_builddir failed"
	exit 1
fi
mkdir -p "$build"
if (cd "$build" && "$src/configure" -q --prefix=/usr --sysconfdir=/etc \
	--localstatedir=/var --runstatedir=/run --with-systemdsystemunitdir="$unitdir" &&
	$MAKE_CMD -s >/dev/null) >"$tmp/build.log" 2>&1; then
	ok "configure (Debian layout) and build"
else
	notok "configure (Debian layout) and build"; tail -20 "$tmp/build.log" | sed 's/^/# /'
	echo "Bail out! the tree does not build"
	exit 1
fi

if (cd "$build" && $MAKE_CMD -s install DESTDIR="$dest") >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR"
else
	notok "make install DESTDIR"; tail -20 "$tmp/install.log" | sed 's/^/# /'
fi

# The files a Debian user looks for.
missing=
for f in /usr/sbin/lrugend \
	$unitdir/lrugend.service $unitdir/system.slice.d/50-lrugend.conf \
	/etc/lrugend/lrugend.conf \
	/usr/share/lrugend/profiles/desktop.conf /usr/share/lrugend/profiles/laptop-hdd.conf \
	/usr/share/lrugend/profiles/server.conf \
	/usr/share/man/man8/lrugend.8 /usr/share/man/man8/lrugenctl.8 \
	/usr/share/man/man5/lrugend.conf.5 /usr/share/man/man5/lrugend-sim.5 \
	/usr/share/man/man4/lrugen.4; do
	[ -f "$dest$f" ] || missing="$missing $f"
done
result "binaries, unit, slice drop-in, config, profiles and man pages installed" "$missing"

# lrugenctl, once ctl/ is part of the build.
if grep -q '^sbin_PROGRAMS.*lrugenctl\|lrugenctl\$(EXEEXT)' "$build/Makefile"; then
	if [ -x "$dest/usr/sbin/lrugenctl" ]; then ok "lrugenctl installed in /usr/sbin"
	else notok "lrugenctl is built but not installed in /usr/sbin"; fi
else
	skip "lrugenctl is not in the build yet (ctl/ctl.am not included)"
fi

# Everything lies under a path Debian expects for this package.
find "$dest" \( -type f -o -type l \) | sed "s|^$dest||" | sort >"$tmp/files"
stray=$(grep -v -e '^/usr/sbin/lrugend$' -e '^/usr/sbin/lrugenctl$' -e '^/usr/bin/' \
	-e '^/etc/lrugend/' -e '^/usr/share/lrugend/' -e '^/usr/share/doc/lrugend/' \
	-e '^/usr/share/man/man[1-8]/[a-z.-]*\.[1-8]$' -e "^$unitdir/" \
	-e '^/usr/src/lrugen-[0-9.]*/' "$tmp/files" | tr '\n' ' ')
if [ -z "$stray" ]; then ok "nothing installed outside the package's Debian paths ($(wc -l <"$tmp/files") files)"
else notok "installed outside the Debian paths: $stray"; fi

# The unit points at the installed binary and verifies in that tree.
unit="$dest$unitdir/lrugend.service"
if grep -qx 'ExecStart=/usr/sbin/lrugend' "$unit" 2>/dev/null; then ok "installed unit: ExecStart=/usr/sbin/lrugend"
else notok "installed unit's ExecStart is not /usr/sbin/lrugend: $(grep '^ExecStart=' "$unit" 2>/dev/null)"; fi
if command -v systemd-analyze >/dev/null 2>&1; then
	# On a copy whose ExecStart is the installed binary in DESTDIR (verify
	# checks that the executable exists; --root would need a whole OS tree).
	mkdir -p "$tmp/u"
	sed "s|^ExecStart=/usr/sbin/lrugend|ExecStart=$dest/usr/sbin/lrugend|" "$unit" >"$tmp/u/lrugend.service"
	if [ -x "$dest/usr/sbin/lrugend" ] &&
		systemd-analyze verify --man=no "$tmp/u/lrugend.service" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		ok "systemd-analyze verify on the installed unit, ExecStart in DESTDIR"
	else
		notok "systemd-analyze verify on the installed unit complained"; sed 's/^/# /' "$tmp/out"
	fi
else
	skip "systemd-analyze not installed: installed unit not verified"
fi

# The modules-load.d entry is the module's, not installed by default.
if [ ! -e "$dest/usr/lib/modules-load.d/lrugen.conf" ] && [ ! -e "$dest/lib/modules-load.d/lrugen.conf" ]; then
	ok "make install does not install the modules-load.d entry"
else
	notok "make install installed modules-load.d/lrugen.conf (it belongs to the module's install)"
fi
if (cd "$build" && make -s install-modules-load DESTDIR="$tmp/ml") >/dev/null 2>&1 &&
	[ "$(cat "$tmp/ml/usr/lib/modules-load.d/lrugen.conf" 2>/dev/null | grep -v '^#')" = "lrugen" ] &&
	(cd "$build" && make -s uninstall-modules-load DESTDIR="$tmp/ml") >/dev/null 2>&1 &&
	[ -z "$(find "$tmp/ml" -type f)" ]; then
	ok "make install-modules-load installs /usr/lib/modules-load.d/lrugen.conf (\"lrugen\"); uninstall-modules-load removes it"
else
	notok "install-modules-load / uninstall-modules-load"
fi

# The module's DKMS source, once kmod/kmod.am installs it.
if grep -q 'dkms' "$src/kmod/kmod.am" && grep -q '_DATA\|install-data-local\|install-exec-local' "$src/kmod/kmod.am"; then
	missing=
	d=$(ls -d "$dest"/usr/src/lrugen-* 2>/dev/null | head -1)
	[ -n "$d" ] || missing=" /usr/src/lrugen-VERSION/"
	for f in dkms.conf Makefile Kbuild main.c include/uapi/lrugen.h; do
		[ -n "$d" ] && [ -f "$d/$f" ] || missing="$missing $f"
	done
	# dkms.conf's PACKAGE_VERSION must name the directory it is installed in.
	v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$d/dkms.conf" 2>/dev/null)
	[ -n "$d" ] && [ "$(basename "$d")" = "lrugen-$v" ] || missing="$missing (dkms.conf PACKAGE_VERSION '$v' vs $(basename "${d:-none}"))"
	result "DKMS source in /usr/src/lrugen-VERSION/ (dkms.conf, Makefile, Kbuild, sources, uapi header)" "$missing"
else
	skip "kmod/kmod.am has no install rules for the DKMS source yet"
fi

# Uninstall leaves nothing behind.
if (cd "$build" && $MAKE_CMD -s uninstall DESTDIR="$dest") >"$tmp/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR"
else
	notok "make uninstall DESTDIR"; tail -20 "$tmp/uninstall.log" | sed 's/^/# /'
fi
left=$(find "$dest" \( -type f -o -type l \) 2>/dev/null | sed "s|^$dest||" | tr '\n' ' ')
if [ -z "$left" ]; then ok "make uninstall leaves no file behind"
else notok "left behind after uninstall: $left"; fi
