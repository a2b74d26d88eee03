#!/bin/sh
# VM test: insmod/rmmod lrugen.ko 100 times (tests/vm/guest/kmod-load.sh).
# 1500 s: a host busy with other TCG VMs once made 600 s too short.
exec "$(dirname "$0")/vm-run.sh" --timeout 1500 "$(dirname "$0")/guest/kmod-load.sh"
