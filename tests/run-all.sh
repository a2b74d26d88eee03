#!/usr/bin/env bash
# Build and run every suite, in three configurations:
#   build/main   -Werror build: unit, simulation, host, man/unit checks and
#                the VM suites (QEMU + Debian's kernel: real module, real
#                cgroup v2, real memory pressure)
#   build/asan   ASan+UBSan build: the same suites except the VM ones (those
#                run the main build's binaries inside the guest)
#   distcheck    the tarball builds, installs and uninstalls cleanly
# The last line sums up every suite: "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc)
fail_steps=()
t0=$(date +%s)

step() { # step NAME CMD...: run a build step, remember failures
	local name=$1; shift
	echo "=== $name" >&2
	local s=$(date +%s)
	if ! "$@"; then
		echo "=== $name FAILED" >&2
		fail_steps+=("$name")
		return 1
	fi
	echo "=== $name ok ($(( $(date +%s) - s )) s)" >&2
}

configure_in() { # configure_in DIR ARGS...
	local dir=$1; shift
	rm -rf "$dir" && mkdir -p "$dir" && (cd "$dir" && "$top/configure" -q "$@")
}

rm -rf build/main build/asan
step autoreconf sh -c 'autoreconf -fi >/dev/null 2>&1' || true

if step configure-main configure_in build/main --enable-werror &&
   step build-main make -C build/main -s -j"$jobs"; then
	step check-main make -C build/main -j"$jobs" check >/dev/null || true
fi

if step configure-asan configure_in build/asan --enable-werror --enable-sanitizers &&
   step build-asan make -C build/asan -s -j"$jobs"; then
	# The VM suites boot a kernel and run the main build's binaries; here
	# they would only repeat that run, so only the host-side suites.
	step check-asan env LRUGEN_VM_TESTS=off make -C build/asan -j"$jobs" check >/dev/null || true
fi

if [ "${LRUGEN_DISTCHECK:-on}" = on ] && [ -f build/main/Makefile ]; then
	step distcheck env LRUGEN_VM_TESTS=off make -C build/main -s distcheck \
		DISTCHECK_CONFIGURE_FLAGS=--enable-werror >/dev/null || true
fi

# Show what failed, from the logs, before the summary.
for log in $(grep -l -E '^:test-result: (FAIL|XPASS|ERROR)' build/main/*/*.trs build/main/*/*/*.trs \
		build/asan/*/*.trs build/asan/*/*/*.trs 2>/dev/null); do
	echo "--- ${log%.trs}.log" >&2
	tail -40 "${log%.trs}.log" >&2
done
echo "total time $(( $(date +%s) - t0 )) s" >&2
exec "$top/tests/summarize.sh" "${fail_steps[@]/#/step:}" -- build/main build/asan
