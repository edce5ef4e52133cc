#!/bin/sh
# The socket operators of matchArgs on stock Debian kernels (6.1, 6.12)
# under qemu: for each kernel, one boot (tests/vm/vm.sh) runs
# tests/vm/net.sh against this build inside the guest -- kprobes on
# tcp_connect (sock), security_socket_connect (socket, sockaddr) and an
# skb function, every operator family positive and negative, and the
# Tetragon examples tcp-connect-only-private-addrs (Sigkill) and
# security-socket-connect-block-others (Override) in enforce mode.  The
# runner is tests/lib/vmsuite.sh; see tests/vm/README.md.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite net.sh
