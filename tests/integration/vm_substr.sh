#!/bin/sh
# SubString and SubStringIgnCase on stock Debian kernels (6.1, 6.12) under
# qemu: tests/vm/substr.sh in each guest -- a kprobe on a kernel function,
# an lsmhooks hook and a syscall kprobe, each with a matching and a
# non-matching open; and a usdts hook (a matching and a non-matching
# hit).  The runner is tests/lib/vmsuite.sh.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite substr.sh
