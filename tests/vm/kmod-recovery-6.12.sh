#!/bin/sh
# VM test: tests/vm/kmod-recovery.sh on Debian's 6.12 kernel (skips without it).
LRUGEN_VM_KVER='6.12.*'
export LRUGEN_VM_KVER
exec "$(dirname "$0")/kmod-recovery.sh"
