#!/bin/sh
# The socket operators of matchArgs on BPF trampolines on listeners
# (inet_csk_listen_start, tcp_close) and on the BPF LSM hook
# socket_sock_rcv_skb (sock, skb), on stock Debian kernels (6.1, 6.12)
# under qemu: the second part of tests/vm/netlsm.sh, in a boot of its own
# (the first is vm_netlsm.sh).  The runner is tests/lib/vmsuite.sh; see
# tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite netlsm.sh 2
