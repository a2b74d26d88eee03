#!/bin/sh
# lrugend's policy against the classic LRU on the same traces. lrg-simrun
# always has the policy engine (it is linked in); any run that fails, or
# does not finish in 20 s, is a failure, not a skip and not a hang.
. "$(dirname "$0")/lib.sh"

# run_cmd OUT-FILE COMMAND...: like run, for a command line of our own
run_cmd() {
	out=$1
	shift
	"$@" >"$out" 2>"$out.err"
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# A run takes well under a second here; 20 s means something loops.
hung=
for w in seqscan ttl sparse-hot runaway; do
	run_cmd "$T/$w.lrg" timeout 20 "$SIMRUN" "$W/$w.ini"
	rc=$?
	if [ $rc = 124 ]; then
		n=$((n + 1))
		echo "not ok $n - $w.ini runs under lrugend: not finished within 20 s (does the engine loop?)"
		failed=$((failed + 1))
		hung="$hung $w"
		continue
	fi
	ok $rc "$w.ini runs under lrugend"
	run "$T/$w.cls" --classic "$W/$w.ini"
	ok $? "$w.ini runs under the classic LRU"
	echo "# $w: refaults lrugend $(key "$T/$w.lrg" refaults) classic $(key "$T/$w.cls" refaults)"
done

if [ -n "$hung" ]; then
	skip "property checks: lrugend did not finish on$hung"
	done_testing
	exit
fi

# A one-time scan must not push out the hot set.
a_l=$(key "$T/seqscan.lrg" proc.app.refaults)
a_c=$(key "$T/seqscan.cls" proc.app.refaults)
[ $((a_l * 2)) -lt "$a_c" ]
ok $? "seqscan: the hot set refaults less than half as often under lrugend ($a_l) as under classic ($a_c)"
[ "$(key "$T/seqscan.lrg" aging_passes)" -gt 0 ]
ok $? "seqscan: aging ran"

# min_ttl: the working set stays while colder memory can go.
e_l=$(key "$T/ttl.lrg" proc.editor.refaults)
e_c=$(key "$T/ttl.cls" proc.editor.refaults)
[ "$e_l" -le "$e_c" ]
ok $? "ttl: the working set refaults no more under lrugend ($e_l) than classic ($e_c)"
[ "$(key "$T/ttl.lrg" proc.idle.swap_kib)" -gt 0 ]
ok $? "ttl: the cold memory is what went to swap"

# Bloom filters: aging walks only the PTE tables that had young entries
# (plus those whose non-leaf entry is young). The engine has no switch to
# turn them off, so this checks they are used and shows the cost; a
# bloom-on/off comparison needs such a switch (e.g. in lrugend.conf, then
# --config here).
pte=$(key "$T/sparse-hot.lrg" pte_scanned)
hits=$(key "$T/sparse-hot.lrg" bloom_hits)
echo "# sparse-hot: pte_scanned $pte, bloom_hits $hits, nonleaf-only PTEs $(key "$T/sparse-hot.lrg" harvest_pte_nonleaf), full walks $(key "$T/sparse-hot.lrg" harvest_full_walks)"
[ "$hits" -gt 0 ]
ok $? "sparse-hot: the Bloom filters are used ($hits hits)"
full=$(key "$T/sparse-hot.lrg" harvest_full_walks)
[ "$full" -lt "$(key "$T/sparse-hot.lrg" aging_passes)" ]
ok $? "sparse-hot: most aging walks are Bloom-filtered, not whole-mm ($full whole-mm walks)"

# The same trace with every mm walked whole on every pass (no Bloom
# filters): the filters must cut the PTEs scanned, and the hot set must not
# pay for it in refaults.
run "$T/sparse-hot.full" --set machine.aging_full_scan=yes "$W/sparse-hot.ini"
ok $? "sparse-hot.ini runs with full walks"
pte_full=$(key "$T/sparse-hot.full" pte_scanned)
[ "$pte" -lt "$pte_full" ]
ok $? "sparse-hot: Bloom filters scan fewer PTEs ($pte) than full walks ($pte_full)"
rf_b=$(key "$T/sparse-hot.lrg" refaults) rf_f=$(key "$T/sparse-hot.full" refaults)
[ "$rf_b" -le $((rf_f + rf_f / 20)) ]
ok $? "sparse-hot: refaults with Bloom filters ($rf_b) within 5% of full walks ($rf_f)"

# The runaway allocator goes, the interactive stand-in stays.
[ "$(key "$T/runaway.lrg" proc.leak.state)" = killed ] &&
	[ "$(key "$T/runaway.lrg" proc.desktop.state)" = running ]
ok $? "runaway: the leak is killed, the desktop is not"

done_testing
