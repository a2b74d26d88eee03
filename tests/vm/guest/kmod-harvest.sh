#!/bin/sh
# Guest: lrugen.ko harvest, compact regions and YOUNG_TABLES, HARVEST_ONE
# (one message, MORE and the dump of the rest), memcg (and fds
# looked up at send time), bump, contention (and its tracepoints), race,
# pidfd, pid reuse, bad input, EPERM (no CAP_NET_ADMIN; no ptrace access),
# the walk's yield to a waiting writer, a use through a cached translation
# (the TLB flush), MADV_COLLAPSE racing harvests and
# fuzz tests (tests/vm/kmod-test.c),
# one module load; then the kmod backend's fallback from pidfds with a
# module that knows no pidfs ($LRG_KO_VARIANT).
t=$LRG_BUILDDIR/tests/vm/lrg-kmod-test
[ -x "$t" ] || { echo "not ok 1 - $t not built"; exit 1; }

insmod "$LRG_KO" || { echo "not ok 1 - insmod lrugen.ko"; exit 1; }
echo always >/sys/kernel/mm/transparent_hugepage/enabled
# The bump is checked on the classic LRU (PG_referenced, PG_active), where
# lrugend's kmod backend ages: MGLRU is off by default in 6.1, on in 6.12
# (CONFIG_LRU_GEN_ENABLED), where folio_mark_accessed() counts tiers instead.
[ -w /sys/kernel/mm/lru_gen/enabled ] && echo n >/sys/kernel/mm/lru_gen/enabled
# a file on the host (9p page cache) for file-backed pages
LRG_FILE=$(ls /boot/vmlinuz-* | head -n 1)
export LRG_FILE

step() {
	s=$(date +%s)
	"$@"
	echo "# $2: $(($(date +%s) - s)) s"
}
"$t" info >"$LRG_TMP/info.out"
grep -v '^LRG_FAMILY' "$LRG_TMP/info.out"
fam=$(sed -n 's/^LRG_FAMILY=//p' "$LRG_TMP/info.out")
step "$t" correctness
step "$t" resume
step "$t" compact
echo "+memory" >/sys/fs/cgroup/cgroup.subtree_control
step "$t" memcg /sys/fs/cgroup
step "$t" memcg2 /sys/fs/cgroup
step "$t" bump
# the lrugen tracepoints show a contended harvest (lrugen_trace.h)
tr=/sys/kernel/tracing
[ -d $tr/events ] || mount -t tracefs nodev $tr
if [ -d $tr/events/lrugen ]; then
	echo "ok - tracepoints lrugen:$(ls $tr/events/lrugen | grep -v -e enable -e filter | tr '\n' ' ')"
	echo >$tr/trace
	echo 1 >$tr/events/lrugen/enable
else
	echo "not ok - no $tr/events/lrugen"
fi
step "$t" contention
if [ -d $tr/events/lrugen ]; then
	grep -m 2 'harvest_' $tr/trace | sed 's/^ */# /'
	grep -q 'harvest_contended: pid=[0-9]* cgroup=0 cmd=harvest' $tr/trace &&
		echo "ok - trace: lrugen:harvest_contended" ||
		echo "not ok - trace: lrugen:harvest_contended"
	grep -q 'harvest_done: pid=[0-9]* cgroup=0 status=contended' $tr/trace &&
		echo "ok - trace: lrugen:harvest_done with status=contended" ||
		echo "not ok - trace: lrugen:harvest_done with status=contended"
	echo >$tr/trace
fi
step "$t" race
if [ -d $tr/events/lrugen ]; then
	echo 0 >$tr/events/lrugen/enable
	grep -q 'harvest_done: .*status=complete' $tr/trace &&
		echo "ok - trace: lrugen:harvest_done with status=complete" ||
		echo "not ok - trace: lrugen:harvest_done with status=complete"
	echo >$tr/trace
fi
step "$t" pidfd
step "$t" pidreuse
step "$t" harvestone
step "$t" filekinds
step "$t" badinput
export LRG_FAMILY="$fam"
step "$t" eperm
# a caller that is not root and has CAP_NET_ADMIN alone, against another
# user's process (the access check of ptrace's PTRACE_MODE_READ_FSCREDS)
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=1000 --regid=1000 --clear-groups sleep 600 &
	other=$!
	setpriv --reuid=1001 --regid=1001 --clear-groups --inh-caps=-all,+net_admin \
		--ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin "$t" ptrace "$other"
	kill "$other"
else
	echo "ok # SKIP setpriv (util-linux) not installed: no non-root caller"
fi
step "$t" yield
step "$t" tlbcache
step "$t" collapse 20
step "$t" fuzz "${LRG_FUZZ:-10000}"
rmmod lrugen && echo "ok - rmmod after the tests" || echo "not ok - rmmod after the tests"
# lrugend with a module that advertises LRUGEN_CAP_PIDFD but knows no pidfs
# (one written before 6.9): built with LRUGEN_TEST_NO_PIDFS by vm-run.sh
if insmod "$LRG_KO_VARIANT"; then
	step "$t" pidfdfallback
	rmmod lrugen && echo "ok - rmmod of the variant" || echo "not ok - rmmod of the variant"
else
	echo "not ok - insmod $LRG_KO_VARIANT"
fi
