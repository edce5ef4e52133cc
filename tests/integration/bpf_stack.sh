#!/bin/sh
# The BPF objects against Linux 6.1's combined stack limit (512 bytes over
# a call chain; tests/bpf/stackcheck.py): catches, on the build machine,
# a frame that only a VM boot of 6.1 would refuse.
exec /usr/bin/python3 "$top_srcdir/tests/bpf/stackcheck.py" \
    "$top_builddir"/bpf/process.bpf.o "$top_builddir"/bpf/generic.bpf.o \
    "$top_builddir"/bpf/net.bpf.o
