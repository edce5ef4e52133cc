#!/bin/sh
# Socket tracking with kprobes on stock Debian kernels (6.1, 6.12) under
# qemu: one boot per kernel runs tests/vm/socktrack.sh in the guest -- the
# talk's socket-tracking policy (sk_alloc kretprobe with returnArgAction
# TrackSock, __sk_free UntrackSock), tcp_connect, tcp_close,
# inet_csk_listen_start, tcp_set_state and tcp_create_openreq_child
# (returnArgAction TrackSock) naming each socket's owner, and Tetragon's
# tcp-listen.yaml.  The runner is tests/lib/vmsuite.sh.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/vmsuite.sh"
vm_suite socktrack.sh
