#!/bin/sh
# The socket operators of matchArgs on BPF LSM hooks and BPF trampolines
# on stock Debian kernels (6.1, 6.12) under qemu: for each kernel, one
# boot (tests/vm/vm.sh) runs part 1 of tests/vm/netlsm.sh against this
# build inside the guest -- lsmhooks socket_connect (socket, sockaddr),
# also enforcing with Override, and fentries on tcp_connect (sock), every
# operator family positive and negative (part 2, the listeners and
# socket_sock_rcv_skb, is vm_netlsm2.sh).  The runner is
# tests/lib/vmsuite.sh; see tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite netlsm.sh 1
