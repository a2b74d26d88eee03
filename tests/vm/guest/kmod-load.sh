#!/bin/sh
# Guest: load and unload lrugen.ko 100 times; nothing may stay behind.
n=0
i=0
while [ $i -lt 100 ]; do
	insmod "$LRG_KO" || break
	grep -q '^lrugen ' /proc/modules || break
	rmmod lrugen || break
	i=$((i + 1))
done
[ $i = 100 ] && echo "ok 1 - insmod/rmmod 100 times" || echo "not ok 1 - insmod/rmmod failed at round $i"
if grep -q '^lrugen ' /proc/modules || [ -e /sys/module/lrugen ]; then
	echo "not ok 2 - nothing left behind after rmmod"
else
	echo "ok 2 - nothing left behind after rmmod (no /sys/module/lrugen)"
fi
insmod "$LRG_KO"
v=$(cat /sys/module/lrugen/version 2>/dev/null)
[ "$v" = 0.1.0 ] && echo "ok 3 - modinfo version $v" || echo "not ok 3 - module version '$v'"
rmmod lrugen
