#!/bin/sh
# VM test: insmod/rmmod lrugen.ko 100 times (tests/vm/guest/kmod-load.sh).
exec "$(dirname "$0")/vm-run.sh" --timeout 600 "$(dirname "$0")/guest/kmod-load.sh"
