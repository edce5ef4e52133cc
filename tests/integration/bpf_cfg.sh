#!/bin/sh
# The BPF objects against Linux 6.1's CFG rule (tests/bpf/cfgcheck.py):
# catches, on the build machine, code that only a VM boot of 6.1 would
# refuse.
exec /usr/bin/python3 "$top_srcdir/tests/bpf/cfgcheck.py" \
    "$top_builddir"/bpf/process.bpf.o "$top_builddir"/bpf/generic.bpf.o \
    "$top_builddir"/bpf/net.bpf.o
