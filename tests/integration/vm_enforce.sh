#!/bin/sh
# Enforcement on stock Debian kernels (6.1, 6.12) under qemu: for each
# kernel, one boot (tests/vm/vm.sh) runs tests/vm/enforce.sh against this
# build inside the guest -- kprobes on kernel functions with file args, a
# BPF LSM file_open block, the seed's write-to-passwd and symlinkat
# policies with Override + Sigkill, Override on security_inode_mkdir
# (fmod_ret), the Tetragon kprobe/lsmhooks examples.  The runner is
# tests/lib/vmsuite.sh; see tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite enforce.sh
