#!/bin/sh
# VM test: lrugend and the kmod client when lrugen.ko is unloaded and loaded
# again, also during dumps (tests/vm/guest/kmod-recovery.sh).
exec "$(dirname "$0")/vm-run.sh" --timeout 600 "$(dirname "$0")/guest/kmod-recovery.sh"
