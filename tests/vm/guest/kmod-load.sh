#!/bin/sh
# Guest: load and unload lrugen.ko 100 times; nothing may stay behind.
#
# Paced for a loaded host: the module and a static busybox (insmod, rmmod)
# are copied to tmpfs once, so the 100 rounds read nothing over 9p, and
# whether the module is loaded is asked of /sys/module with the shell's own
# test; progress is printed every 10 rounds, so that a run that still hits
# the VM's timeout says how far it got.
bb=$(command -v busybox)
ko=$LRG_TMP/lrugen.ko
if ! cp "$LRG_KO" "$ko" || ! cp "$bb" "$LRG_TMP/busybox"; then
	echo "not ok 1 - copy lrugen.ko and busybox to $LRG_TMP"
	exit 1
fi
bb=$LRG_TMP/busybox
loaded() {
	[ -d /sys/module/lrugen ] || return 1
	while read -r name rest; do
		[ "$name" = lrugen ] && return 0
	done </proc/modules
	return 1
}
start=$(date +%s)
i=0
why=
while [ $i -lt 100 ]; do
	"$bb" insmod "$ko" || { why="insmod"; break; }
	loaded || { why="not in /proc/modules after insmod"; break; }
	"$bb" rmmod lrugen || { why="rmmod"; break; }
	loaded && { why="still loaded after rmmod"; break; }
	i=$((i + 1))
	[ $((i % 10)) = 0 ] && echo "# $i rounds in $(($(date +%s) - start)) s"
done
[ $i = 100 ] && echo "ok 1 - insmod/rmmod 100 times" || echo "not ok 1 - insmod/rmmod failed at round $i: $why"
if grep -q '^lrugen ' /proc/modules || [ -e /sys/module/lrugen ]; then
	echo "not ok 2 - nothing left behind after rmmod"
else
	echo "ok 2 - nothing left behind after rmmod (no /sys/module/lrugen)"
fi
insmod "$LRG_KO"
v=$(cat /sys/module/lrugen/version 2>/dev/null)
[ "$v" = 0.1.0 ] && echo "ok 3 - modinfo version $v" || echo "not ok 3 - module version '$v'"
rmmod lrugen
