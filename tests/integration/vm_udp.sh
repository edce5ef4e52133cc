#!/bin/sh
# __cgroup_bpf_run_filter_skb hooks on stock Debian kernels (6.1, 6.12)
# under qemu: one boot per kernel runs tests/vm/udp.sh in the guest --
# Tetragon's datagram-with-sock-tracking.yaml as a whole (sk_alloc and
# __sk_free kprobes track the sockets, the cgroup_skb programs run the skb
# hook), real UDP datagrams between a perl sender and receiver.  The
# runner is tests/lib/vmsuite.sh.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite udp.sh
