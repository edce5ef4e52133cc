#!/bin/sh
# Kernel object arguments on stock Debian kernels (6.1, 6.12) under qemu:
# for each kernel, one boot (tests/vm/vm.sh) runs tests/vm/objargs.sh
# against this build inside the guest -- path, dentry, linux_binprm,
# module, load_info, kernel_cap_t, bpf_attr, bpf_prog, bpf_map,
# perf_event and FileType / NotFileType on kprobes of kernel functions,
# each with a matching and a non-matching call.  The runner is
# tests/lib/vmsuite.sh; see tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite objargs.sh
