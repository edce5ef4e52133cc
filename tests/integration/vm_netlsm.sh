#!/bin/sh
# The socket operators of matchArgs on BPF LSM hooks and BPF trampolines
# on stock Debian kernels (6.1, 6.12) under qemu: for each kernel, one
# boot (tests/vm/vm.sh) runs tests/vm/netlsm.sh against this build inside
# the guest -- lsmhooks socket_connect (socket, sockaddr), also enforcing
# with Override, and fentries on tcp_connect, inet_csk_listen_start and
# tcp_close (sock), every operator family positive and negative.  The
# runner is tests/lib/vmsuite.sh; see tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite netlsm.sh
