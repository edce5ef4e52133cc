#!/bin/sh
# Enforcement a racing thread cannot evade, on stock Debian kernels (6.1,
# 6.12) under qemu: tests/vm/race.sh in one boot per kernel (an Override
# on openat against a thread flipping the path).  The runner is
# tests/lib/vmsuite.sh; see tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite race.sh
