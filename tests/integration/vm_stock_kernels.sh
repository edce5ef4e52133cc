#!/bin/sh
# Stock Debian kernels (6.1, 6.12) under qemu: the harness boots them with
# this host's root shared read-only, runs this build's tripline-loaderd in
# the guest, and checks that its kernel feature probe finds kprobes,
# fentry/fmod_ret and BPF LSM there (which the CI kernel lacks).  See
# tests/vm/README.md.  The kernels are cached in /var/cache/tripline-vm.
. "$top_srcdir/tests/lib/testlib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (qemu, apt-get download)"
exec sh "$top_srcdir/tests/vm/selftest.sh" --build "$top_builddir"
