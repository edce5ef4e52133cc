#!/bin/sh
# tests/vm/net.sh BUILDDIR -- the socket operators of matchArgs on kernel
# functions, on a stock kernel (TAP).
#
# Runs as root INSIDE the VM (tests/integration/vm_net.sh boots each
# kernel once with tests/vm/vm.sh and runs this); it refuses to run
# elsewhere.  Real TCP on loopback: listeners on 127.0.83.1, 127.0.83.3 (a
# privileged port), ::1 and 203.0.113.7 (added to lo: a "public" address
# that stays in the guest).  Checks, with tests/lib/netops.sh (one hook
# per case; a positive case stores rows with the argument it selected, a
# negative one leaves the hook's matched counter at 0):
#  1. kprobe tcp_connect, a sock arg: addresses v4/v6 (CIDRs, Not forms),
#     ports, privileged ports, protocol, family, state
#  2. kprobe security_socket_connect: a socket and a sockaddr arg
#  3. kprobe tcp_v4_rcv, an skb arg (the loopback packets)
#  4. the Tetragon example tcp-connect-only-private-addrs, enforce mode: a
#     connect to 127.0.0.1 lives, one to 203.0.113.7 is SIGKILLed
#  5. the Tetragon example security-socket-connect-block-others, enforce
#     mode: /usr/bin/curl's connect fails with EPERM (the listener never
#     accepts), another binary connects
#  6. the shipped network examples in their kprobe forms
#     (policies/examples/net-*.yaml): load, and post a connect, a listen,
#     an accept, a socket allocation and a UDP datagram
. "$(dirname "$0")/guestlib.sh"
LIS=
. "$top_srcdir/tests/lib/netops.sh"
command -v perl >/dev/null || { echo "Bail out! perl missing"; exit 99; }
command -v ip >/dev/null || { echo "Bail out! ip (iproute2) missing"; exit 99; }
command -v curl >/dev/null || { echo "Bail out! curl missing"; exit 99; }

ip addr add 203.0.113.7/32 dev lo || { echo "Bail out! ip addr add"; exit 99; }
A1=127.0.83.1		# listener (port PA)
A2=127.0.83.2		# its client
A3=127.0.83.3		# listener on a privileged port (PP)
A4=127.0.83.4		# its client
PUB=203.0.113.7		# "public" listener (PX)
PA=$(listen $A1 pa)
P6=$(listen ::1 p6)
PP=$(listen $A3 pp 613 614 617)
PX=$(listen $PUB px)
PL=$(listen 127.0.0.1 pl)
diag "listeners: $A1:$PA [::1]:$P6 $A3:$PP $PUB:$PX 127.0.0.1:$PL"
R1=$((PA - 1)):$((PA + 1))	# a range around PA
# the traffic of every round: one v4 connection, one v6, one to the
# privileged port
traffic() {
	run_cases "$1" "$2" "$WAIT" "conn $A2 $A1 $PA" "conn ::1 ::1 $P6" \
	    "conn $A4 $A3 $PP"
	is "$2: all $nround policies loaded" "$nload" "$nround"
}
HOOKSECT=kprobes

# ---- 1. tcp_connect (sock) ---------------------------------------------------

section "1 tcp_connect sock"
HOOKHDR() {
	printf '  - call: "tcp_connect"\n    syscall: false\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "sock"\n'
}
tcp_connect_cases k >"$T/cases"
traffic "$T/cases" vm-tcpc

# ---- 2. security_socket_connect (socket, sockaddr) ---------------------------

section "2 security_socket_connect socket sockaddr"
HOOKHDR() {
	printf '  - call: "security_socket_connect"\n    syscall: false\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "socket"\n'
	printf '    - index: 1\n      type: "sockaddr"\n'
}
cat >"$T/cases" <<EOF
s-protocol|+|Protocol=IPPROTO_TCP 1:SPort=$PA|"protocol":"IPPROTO_TCP"&"port":$PA}
s-protocol-neg|-|Protocol=IPPROTO_UDP 1:SPort=$PA|
s-state|+|State=TCP_CLOSE 1:SPort=$PA|"state":"TCP_CLOSE"
s-state-neg|-|State=TCP_SYN_SENT 1:SPort=$PA|
s-family-neg|-|Family=AF_INET6 1:SPort=$PA|
s-socket-saddr|+|SAddr=$A2 1:SPort=$PA|"saddr":"$A2"
s-sa-addr|+|1:SAddr=$A1 1:SPort=$R1|"sockaddr_arg":{"family":"AF_INET","addr":"$A1","port":$PA}
s-sa-notaddr-neg|-|1:NotSAddr=127.0.0.0/8 1:SPort=$PA|
s-sa-addr6|+|1:SAddr=::1 1:Family=AF_INET6 1:SPort=$P6|"addr":"::1","port":$P6}
s-sa-priv|+|1:SPortPriv= 1:SAddr=$A3|"addr":"$A3","port":$PP}
s-sa-notpriv-neg|-|1:NotSPortPriv= 1:SAddr=$A3|
EOF
traffic "$T/cases" vm-ssc

# ---- 3. tcp_v4_rcv (skb) -----------------------------------------------------

section "3 tcp_v4_rcv skb"
HOOKHDR() {
	printf '  - call: "tcp_v4_rcv"\n    syscall: false\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "skb"\n'
}
cat >"$T/cases" <<EOF
b-daddr|+|DAddr=$A1 DPort=$PA|"skb_arg"&"daddr":"$A1"&"dport":$PA,
b-notdaddr-neg|-|NotDAddr=127.0.0.0/8 DPort=$PA|
b-saddr|+|SAddr=$A2 DPort=$R1|"saddr":"$A2"
b-sport|+|SPort=$PA DAddr=$A2|"saddr":"$A1"&"sport":$PA,
b-dportpriv|+|DPortPriv= DAddr=$A3|"dport":$PP,
b-protocol|+|Protocol=IPPROTO_TCP DPort=$PA|"protocol":"IPPROTO_TCP"
b-protocol-neg|-|Protocol=IPPROTO_UDP DPort=$PA|
b-family-neg|-|Family=AF_INET6 DPort=$PA|
EOF
traffic "$T/cases" vm-skb

# ---- 4. Tetragon: tcp-connect-only-private-addrs (Sigkill) -------------------

section "4 tetragon tcp-connect-only-private-addrs"
if addp "$EX/tcp-connect-only-private-addrs.yaml"; then
	diag "$(plist connect-only-private-addrs)"
	is "private-addrs: a connect to 127.0.0.1 lives" \
	    "$(how "$TR" connect 127.0.0.1 "$PL") $(cat "$D/how.out")" "exit 0 ret=0 errno=0"
	is "private-addrs: a connect to $PUB is killed" \
	    "$(how "$TR" connect $PUB "$PX")" "signal 9"
	if wrow "SELECT 1 FROM events WHERE policy_name='connect-only-private-addrs' AND args LIKE '%\"daddr\":\"$PUB\"%'"; then
		is "private-addrs: one row, for $PUB, with Sigkill" \
		    "$(q "SELECT count(*) || ' ' || function_name || ' ' || action FROM events WHERE policy_name='connect-only-private-addrs'")" \
		    "1 tcp_connect KPROBE_ACTION_SIGKILL"
		like "private-addrs: the row's sock_arg" \
		    "$(q "SELECT args FROM events WHERE policy_name='connect-only-private-addrs'")" \
		    "^\\[\\{\"sock_arg\":\\{\"family\":\"AF_INET\",.*\"daddr\":\"$PUB\",.*\"dport\":$PX,"
	else
		not_ok "private-addrs: row stored"; n_not_ok 1 "private-addrs"
		diag "$(plist connect-only-private-addrs)"
	fi
	"$CTL" -S "$S" policy delete connect-only-private-addrs >/dev/null 2>&1
	is "private-addrs: deleted, the connect to $PUB works" \
	    "$(how "$TR" connect $PUB "$PX") $(cat "$D/how.out")" "exit 0 ret=0 errno=0"
else
	n_not_ok 5 "private-addrs: policy refused"
fi

# ---- 5. Tetragon: security-socket-connect-block-others (Override) -----------

section "5 tetragon security-socket-connect-block-others"
if addp "$EX/security-socket-connect-block-others.yaml"; then
	diag "$(plist security-socket-connect)"
	: >"$T/pl.acc"
	out=$(curl -sS --max-time 20 "http://127.0.0.1:$PL/" 2>&1)
	rc=$?
	diag "curl: exit $rc: $out"
	is "block-others: curl fails to connect (exit 7)" "$rc" 7
	# what connect() itself returns, from a program at /usr/bin/curl
	# (the guest's root is a throw-away overlay)
	cp /usr/bin/curl "$D/curl.real" && cp "$TR" /usr/bin/curl
	is "block-others: connect() by /usr/bin/curl returns -1 EPERM" \
	    "$(/usr/bin/curl connect 127.0.0.1 "$PL" 2>&1)" "ret=-1 errno=1"
	cp "$D/curl.real" /usr/bin/curl
	sleep 1
	is "block-others: the listener accepted nothing" "$(wc -l <"$T/pl.acc")" 0
	is "block-others: another binary connects" \
	    "$("$TR" connect 127.0.0.1 "$PL" 2>&1)" "ret=0 errno=0"
	wait_secs "$WAIT" test -s "$T/pl.acc"
	is "block-others: ... and the listener accepted it" "$(wc -l <"$T/pl.acc")" 1
	if wrow "SELECT 1 FROM events WHERE policy_name='security-socket-connect'"; then
		q "SELECT function_name || ' ' || action || ' ' || args FROM events WHERE policy_name='security-socket-connect'" | sed 's/^/# row: /'
		is "block-others: two rows (curl, the copy), Override, by /usr/bin/curl only" \
		    "$(q "SELECT count(*) || ' ' || group_concat(DISTINCT e.function_name) || ' ' || group_concat(DISTINCT e.action) || ' ' || group_concat(DISTINCT p.binary) FROM events e LEFT JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='security-socket-connect'")" \
		    "2 security_socket_connect KPROBE_ACTION_OVERRIDE /usr/bin/curl"
		like "block-others: the row's socket and sockaddr" \
		    "$(q "SELECT args FROM events WHERE policy_name='security-socket-connect' LIMIT 1")" \
		    "^\\[\\{\"sock_arg\":\\{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",.*\\},\\{\"sockaddr_arg\":\\{\"family\":\"AF_INET\",\"addr\":\"127.0.0.1\",\"port\":$PL\\}\\},\\{\"int_arg\":16\\}\\]\$"
	else
		not_ok "block-others: row stored"; n_not_ok 1 "block-others"
		diag "$(plist security-socket-connect)"
	fi
	"$CTL" -S "$S" policy delete security-socket-connect >/dev/null 2>&1
else
	n_not_ok 8 "block-others: policy refused"
fi

# ---- 6. the shipped network examples, kprobe forms ---------------------------

section "6 policies/examples net-* (kprobe forms)"
PE=$top_srcdir/policies/examples
exs="net-socket-tracking net-tcp-connect net-tcp-listen net-tcp-accept net-udp-datagrams"
nl=0
for f in $exs; do
	if addp "$PE/$f.yaml"; then nl=$((nl + 1)); fi
done
is "the 5 kprobe-form network examples load" "$nl" 5
PX=$(listen 127.0.0.1 px)
conn 127.0.0.1 127.0.0.1 "$PX" >/dev/null
perl -e 'use Socket qw(:all); socket(my $s, AF_INET, SOCK_DGRAM, 0) or die;
send($s, "x", 0, pack_sockaddr_in($ARGV[0], inet_aton("127.0.0.1")));' "$PX"
# exrow POLICY FUNCTION LIKE: a row of the example's hook
exrow() { wrow "SELECT 1 FROM events WHERE policy_name='$1' AND function_name='$2' AND args LIKE '%$3%'"; }
check "net-tcp-connect: tcp_connect to 127.0.0.1:$PX" \
    exrow tcp-connect tcp_connect "\"daddr\":\"127.0.0.1\",%\"dport\":$PX,"
check "net-tcp-listen: inet_csk_listen_start of the listener" \
    exrow tcp-listen inet_csk_listen_start "\"sport\":$PX,"
check "net-tcp-accept: tcp_create_openreq_child of the accepted socket" \
    exrow tcp-accept tcp_create_openreq_child "\"sport\":$PX,"
check "net-tcp-accept: tcp_set_state SYN_RECV -> ESTABLISHED of it" \
    exrow tcp-accept tcp_set_state "\"sport\":$PX,%\"state\":\"TCP_SYN_RECV\"%\"int_arg\":1"
check "net-socket-tracking: sk_alloc of AF_INET sockets" \
    exrow socket-tracking sk_alloc '"int_arg":2'
check "net-udp-datagrams: the UDP datagram to 127.0.0.1:$PX" \
    exrow udp-datagrams __cgroup_bpf_run_filter_skb "\"dport\":$PX,%IPPROTO_UDP"
is "net-udp-datagrams: no TCP packet posted (Protocol IPPROTO_UDP)" \
    "$(q "SELECT count(*) FROM events WHERE policy_name='udp-datagrams' AND args LIKE '%IPPROTO_TCP%'")" 0
if [ "$_tap_fail" -gt 0 ]; then
	for n in tcp-connect tcp-listen tcp-accept socket-tracking udp-datagrams; do
		diag "$(plist $n)"
	done
fi
for n in socket-tracking tcp-connect tcp-listen tcp-accept udp-datagrams; do
	"$CTL" -S "$S" policy delete "$n" >/dev/null 2>&1
done

guest_end
