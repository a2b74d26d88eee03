#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# VM test (issue 15): an unprivileged user (uid 1000, setpriv) tries every
# known way to make lrugend spare their runaway and kill another user's
# application instead: lrugend on its built-in defaults (the desktop
# profile, --config=/dev/null), no swap. One point per attack: the other
# user's application (uid 1001, 96 MiB swept every 100 ms) lives and
# lrugend, not the kernel's OOM killer, ends the runaway. The attacks are
# listed in tests/vm/guest/oom-attacks.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
builddir=$(cd "$builddir" && pwd)

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "${LRUGEN_VM_TESTS:-on}" = off ] && skip "VM suites run in the main build only (LRUGEN_VM_TESTS=off)"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 not installed"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) not installed: no unprivileged attacker"
for f in lrg-standin lrg-leak lrg-leak.so; do
	[ -e "$builddir/tests/vm/$f" ] || skip "tests/vm/$f not built"
done
exec "$here/vm-run.sh" --alone --mem 512 --timeout 1500 "$here/guest/oom-attacks.sh"
