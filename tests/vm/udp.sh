#!/bin/sh
# tests/vm/udp.sh BUILDDIR -- __cgroup_bpf_run_filter_skb hooks on a kernel
# with kprobes (TAP).
#
# Runs as root INSIDE the VM (tests/integration/vm_udp.sh).  Tetragon's
# datagram-with-sock-tracking.yaml loads as a whole: sk_alloc's kretprobe
# tracks new IPv4 sockets (TrackSock), __sk_free untracks them, and the
# __cgroup_bpf_run_filter_skb hook is run by the cgroup_skb programs (not
# a kprobe: the kernel calls that function only for cgroup skb programs).
# A perl sender and a perl receiver exchange 5 real UDP datagrams on
# 127.0.0.1: one row each way (rateLimit), the egress row names the
# sender, the ingress row (softirq) the receiver through its tracked
# socket; the rate-limited posts are counted.
. "$(dirname "$0")/guestlib.sh"

# recv: a perl receiver on 127.0.0.1 (kernel's port): sets RPID, PR
recv() {
	rm -f "$D/recv"
	perl -e '
use Socket qw(:all);
socket(my $s, AF_INET, SOCK_DGRAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die "bind: $!";
open(my $o, ">", "$ARGV[0].tmp") or die;
print $o "$$ ", (unpack_sockaddr_in(getsockname($s)))[0], "\n";
close($o);
rename("$ARGV[0].tmp", $ARGV[0]);
$| = 1;
my $b;
while (recv($s, $b, 2048, 0)) { print "got\n"; }' "$D/recv" >"$D/recv.out" 2>"$D/recv.err" &
	wait_secs 20 test -s "$D/recv" || { echo "Bail out! receiver"; exit 99; }
	read -r RPID PR <"$D/recv"
}

# send N: a perl sender connected to 127.0.0.1:PR sends N datagrams;
# sets SPID, SP
send() {
	perl -e '
use Socket qw(:all);
my ($p, $n) = @ARGV;
socket(my $s, AF_INET, SOCK_DGRAM, 0) or die "socket: $!";
connect($s, pack_sockaddr_in($p, inet_aton("127.0.0.1"))) or die "connect: $!";
send($s, "datagram $_", 0) for 1 .. $n;
print "$$ ", (unpack_sockaddr_in(getsockname($s)))[0], "\n";' "$PR" "$1" >"$D/send"
	read -r SPID SP <"$D/send"
}

# pid of the process an event row names
procpid() { q "SELECT p.pid FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.id = ${1:-0}"; }
# counter FIELD of hook N of policy NAME (policy list --json)
cnt() {
	"$CTL" -S "$S" policy list --json | tr '{' '\n' |
	    grep -F '"target":"'"$2"'"' | sed -n "s/.*\"$3\":\([0-9]*\).*/\1/p" | head -n 1
}

plan 9

section "Tetragon's datagram example"
if addp "$EX/datagram-with-sock-tracking.yaml"; then
	ok "datagram-with-sock-tracking.yaml loads as a whole"
else
	not_ok "datagram-with-sock-tracking.yaml loads as a whole"
fi
like "the skb hook is run by the cgroup_skb programs" "$(plist datagram)" \
    "__cgroup_bpf_run_filter_skb: hook [0-9]+: run by cgroup_skb/ingress\+egress on /"
like "sk_alloc is a kprobe" "$(plist datagram)" "kprobe sk_alloc: hook [0-9]+: "

# both sockets are created with the policy loaded: sk_alloc tracks them
recv
send 5
wait_secs "$WAIT" sh -c "[ \$(grep -c got '$D/recv.out') -ge 5 ]" ||
    diag "receiver got $(grep -c got "$D/recv.out") of 5"
TUP="\"sport\":$SP,\"dport\":$PR"
wrow "SELECT 1 FROM events WHERE policy_name='datagram' AND args LIKE '%$TUP%\"int_arg\":0%'"
EG=$(q "SELECT id FROM events WHERE policy_name='datagram' AND args LIKE '%$TUP%\"int_arg\":1%'")
IN=$(q "SELECT id FROM events WHERE policy_name='datagram' AND args LIKE '%$TUP%\"int_arg\":0%'")
is "5 datagrams: one row each way (rateLimit)" \
    "$(printf '%s\n' "$EG" | grep -c .) $(printf '%s\n' "$IN" | grep -c .)" "1 1"
like "egress row: sock and skb 5-tuple, send 1" "$(q "SELECT args FROM events WHERE id = ${EG:-0}")" \
    "\"sock_arg\":\{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"protocol\":\"IPPROTO_UDP\",\"saddr\":\"127.0.0.1\",\"daddr\":\"127.0.0.1\",\"sport\":$SP,\"dport\":$PR,.*\"skb_arg\":\{.*\"saddr\":\"127.0.0.1\",\"daddr\":\"127.0.0.1\",$TUP,\"proto\":17,\"protocol\":\"IPPROTO_UDP\",\"family\":\"AF_INET\"\}.*\{\"int_arg\":1,\"label\":\"send\"\}"
is "egress row: the sender" "$(procpid "$EG")" "$SPID"
is "ingress row: the receiver (its socket tracked by sk_alloc)" "$(procpid "$IN")" "$RPID"
r=$(cnt datagram __cgroup_bpf_run_filter_skb ratelimited)
is "the other 8 posts are counted as rate-limited" "$([ "${r:-0}" -ge 8 ] && echo yes)" "yes"
"$CTL" -S "$S" policy delete datagram >/dev/null 2>&1
is "deleted: no cgroup_skb program of ours left" \
    "$(bpftool cgroup show /sys/fs/cgroup 2>/dev/null | grep -c net_skb_)" "0"
kill "$RPID" 2>/dev/null
section ""
finish
