#!/bin/sh
# The simulator on its own (classic LRU mode): every shipped workload runs,
# the report is complete and deterministic, errors name file:line.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for w in seqscan ttl sparse-hot runaway; do
	run "$T/$w" --classic "$W/$w.ini"
	ok $? "$w.ini runs in classic mode"
	dur=$(sed -n 's/^duration_s *= *//p' "$W/$w.ini")
	[ "$(key "$T/$w" duration_ms)" = "$((dur * 1000))" ]
	ok $? "$w.ini runs its whole virtual duration"
	missing=
	for k in policy refaults refaults_anon refaults_file pages_evicted pgscan direct_reclaims \
		 oom_kills oom_victims interactive_p99_us psi_some_us psi_full_us pte_scanned bloom_hits; do
		[ -n "$(key "$T/$w" $k)" ] || missing="$missing $k"
	done
	[ -z "$missing" ]
	ok $? "$w.ini report has the stable keys${missing:+ (missing:$missing)}"
done

run "$T/again" --classic "$W/seqscan.ini"
cmp -s "$T/seqscan" "$T/again"
ok $? "the same workload and seed give the same report"
run "$T/seed" --classic --set machine.seed=99 "$W/seqscan.ini"
! cmp -s "$T/seqscan" "$T/seed"
ok $? "--set machine.seed changes the run"

[ "$(key "$T/runaway" oom_victims)" = leak ] && [ "$(key "$T/runaway" proc.desktop.state)" = running ]
ok $? "runaway.ini: the kernel OOM-kills the leak, not the desktop"
[ "$(key "$T/runaway" interactive_sweeps)" -ge 290 ]
ok $? "runaway.ini: the interactive stand-in sweeps every 100 ms"

[ "$(key "$T/seqscan" proc.app.refaults)" -gt 0 ]
ok $? "seqscan.ini: the classic LRU lets the scan push out some of the hot set"

printf '[machine]\nram_mib = 64\n\n[process x]\narea = heap anon 4M\naccess = spiral heap rate=1\n' >"$T/bad.ini"
run "$T/bad" --classic "$T/bad.ini"
rc=$?
[ $rc = 1 ] && grep -q "bad.ini:6: \[process x\] access: kind 'spiral'" "$T/bad.err"
ok $? "a workload error exits 1 naming file:line, section and key ($(cat "$T/bad.err"))"

run "$T/set" --classic --set machine.duration_s=2 "$W/ttl.ini"
[ "$(key "$T/set" duration_ms)" = 2000 ]
ok $? "--set overrides a workload key"

done_testing
