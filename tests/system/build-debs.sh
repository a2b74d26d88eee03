#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# build-debs.sh SRCDIR OUTDIR: build lrugend's Debian packages from a copy
# of the source tree, as `dpkg-buildpackage -b -us -uc` would in the tree
# itself, without writing into the tree (it may be read-only, and
# dpkg-buildpackage puts the .debs beside it). The packages land in OUTDIR
# and are reused while the copied tree is unchanged: OUTDIR/tree.md5 holds
# the checksum of the copy they were built from.
#
# The copy is what git tracks plus untracked files git does not ignore
# (the working tree as a developer sees it), or, outside git, the tree
# minus build directories. The suites are not run (DEB_BUILD_OPTIONS=
# nocheck): make check has run them already. lintian checks what was built
# (OUT/lintian.log, OUT/lintian.rc). Prints the build log's tail and exits 1
# when the build fails.
set -u
[ $# = 2 ] || { echo "usage: build-debs.sh SRCDIR OUTDIR" >&2; exit 2; }
src=$(cd "$1" && pwd) || exit 1
out=$2
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1

version=$(sed -n '1s/^lrugend (\([^)]*\)).*/\1/p' "$src/debian/changelog")
[ -n "$version" ] || { echo "build-debs.sh: no version in $src/debian/changelog" >&2; exit 1; }
upstream=${version%-*}
work=$out/src
copy=$work/lrugend-$upstream
rm -rf "$work"
mkdir -p "$copy" || exit 1

if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh |
		tar -cf - -T -) | tar -xf - -C "$copy" || exit 1
else
	tar -C "$src" --exclude=./build --exclude=./debian/build --exclude='./tests/*/cache' \
		--exclude='*.o' --exclude='*.a' -cf - . | tar -xf - -C "$copy" || exit 1
	# a tree configured in place refuses the package's out-of-tree build
	if [ -f "$copy/config.status" ]; then
		(cd "$copy" && make -s distclean >/dev/null 2>&1)
	fi
fi

sum=$(cd "$copy" && find . -type f ! -path './debian/build/*' | LC_ALL=C sort |
	xargs -d '\n' md5sum | md5sum | cut -c1-32)
if [ -f "$out/tree.md5" ] && [ "$(cat "$out/tree.md5")" = "$sum" ] &&
	[ -f "$out/lrugend_${version}_amd64.deb" ] && [ -f "$out/lrugen-dkms_${version}_all.deb" ]; then
	rm -rf "$work"
	echo "build-debs.sh: packages of this tree already built in $out" >&2
	exit 0
fi

rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo "$out/tree.md5" "$out"/lintian.*
# not the outer make's jobserver or variables
if ! (cd "$copy" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" | sed 's/^/# /'
	exit 1
fi
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/" || exit 1
# lintian once per build: OUT/lintian.log and its exit status (0: no error
# or warning; debian/*.lintian-overrides say why each override is there)
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error,warning "$out"/*.changes >"$out/lintian.log" 2>&1
	echo $? >"$out/lintian.rc"
fi
echo "$sum" >"$out/tree.md5"
rm -rf "$work"
