#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench-sim.sh [BUILDDIR]: lrugend's policy against the classic two-list
# LRU, and aging with against without Bloom filters, on the same simulated
# traces (tests/sim/*.ini, deterministic seeds) in one run. Prints figures
# and ratios; it asserts nothing (the simulation tests do).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${1:-${top_builddir:-$src}}
sim="$build/lrg-simrun"
[ -x "$sim" ] || { echo "bench-sim: $sim not built (make lrg-simrun)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { sed -n "s/^$2: //p" "$1" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }

echo "== refaults: lrugend vs the classic active/inactive LRU (same trace, same seed)"
printf '%-12s %12s %12s %8s %14s %14s\n' workload lrugend classic ratio "stall_us lrg" "stall_us cls"
for w in seqscan ttl sparse-hot runaway; do
	"$sim" "$src/tests/sim/$w.ini" >"$tmp/$w.l" 2>/dev/null || echo "# $w: lrugend run failed"
	"$sim" --classic "$src/tests/sim/$w.ini" >"$tmp/$w.c" 2>/dev/null || echo "# $w: classic run failed"
	l=$(key "$tmp/$w.l" refaults) c=$(key "$tmp/$w.c" refaults)
	printf '%-12s %12s %12s %8s %14s %14s\n' "$w" "$l" "$c" "$(ratio "$l" "$c")" \
		"$(key "$tmp/$w.l" psi_some_us)" "$(key "$tmp/$w.c" psi_some_us)"
done

echo
echo "== aging cost: PTEs scanned with vs without Bloom filters (lrugend, same trace)"
printf '%-12s %14s %14s %8s %12s %12s %12s\n' workload "pte bloom" "pte full" ratio "refaults b" "refaults f" "bloom hits"
for w in sparse-hot seqscan ttl; do
	"$sim" --set machine.aging_full_scan=yes "$src/tests/sim/$w.ini" >"$tmp/$w.f" 2>/dev/null || echo "# $w: full-scan run failed"
	b=$(key "$tmp/$w.l" pte_scanned) f=$(key "$tmp/$w.f" pte_scanned)
	printf '%-12s %14s %14s %8s %12s %12s %12s\n' "$w" "$b" "$f" "$(ratio "$b" "$f")" \
		"$(key "$tmp/$w.l" refaults)" "$(key "$tmp/$w.f" refaults)" "$(key "$tmp/$w.l" bloom_hits)"
done
