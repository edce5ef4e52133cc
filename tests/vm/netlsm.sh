#!/bin/sh
# tests/vm/netlsm.sh BUILDDIR -- the socket operators of matchArgs on BPF
# LSM hooks (lsmhooks) and BPF trampolines (fentries), on a stock kernel
# (TAP).
#
# Runs as root INSIDE the VM (tests/integration/vm_netlsm.sh boots each
# kernel once with tests/vm/vm.sh and runs this); it refuses to run
# elsewhere.  Real TCP on loopback: listeners on 127.0.83.1, ::1,
# 127.0.83.3 (a privileged port) and 127.0.84.1 (the "blocked" network).
# Checks, with tests/lib/netops.sh (one hook per case; a positive case
# stores rows with the argument it selected, a negative one leaves the
# hook's matched counter at 0):
#  1. lsmhooks socket_connect: a socket and a sockaddr arg (the socket is
#     bound but not connected yet: its peer is 0.0.0.0)
#  2. lsmhooks socket_connect with Override: a connect to 127.0.84.0/24
#     fails with EPERM, one to 127.0.83.1 succeeds (client's result, the
#     listener, the rows, the matched counter); the same with NotSAddr
#  3. fentries tcp_connect, a sock arg: addresses v4/v6 (CIDRs, Not
#     forms), ports, privileged ports, protocol, family, state
#  4. fentries inet_csk_listen_start and tcp_close on listeners: SPort,
#     SAddr, State
#  5. lsmhooks socket_sock_rcv_skb: a sock and an skb arg (the packets
#     of the loopback connections)
# VM_PART (vm.sh -e) runs a part of it in one boot, so that each boot
# stays well inside the time limit under TCG and ASan: 1 is sections
# 1-3 (tests/integration/vm_netlsm.sh), 2 sections 4-5
# (vm_netlsm2.sh); unset, all of them.
. "$(dirname "$0")/guestlib.sh"
LIS=
. "$top_srcdir/tests/lib/netops.sh"
command -v perl >/dev/null || { echo "Bail out! perl missing"; exit 99; }

A1=127.0.83.1		# listener (port PA)
A2=127.0.83.2		# its client
A3=127.0.83.3		# listener on a privileged port (PP)
A4=127.0.83.4		# its client
BL=127.0.84.1		# listener in the network the Override cases block
PA=$(listen $A1 pa)
P6=$(listen ::1 p6)
PP=$(listen $A3 pp 613 614 617)
PB=$(listen $BL pb)
diag "listeners: $A1:$PA [::1]:$P6 $A3:$PP $BL:$PB"
R1=$((PA - 1)):$((PA + 1))	# a range around PA
# the traffic of every round: one v4 connection, one v6, one to the
# privileged port
traffic() {
	run_cases "$1" "$2" "$WAIT" "conn $A2 $A1 $PA" "conn ::1 ::1 $P6" \
	    "conn $A4 $A3 $PP"
	is "$2: all $nround policies loaded" "$nload" "$nround"
}

part() { [ -z "${VM_PART:-}" ] || [ "$VM_PART" = "$1" ]; }
case "${VM_PART:-}" in ''|1|2) ;; *) echo "Bail out! VM_PART=$VM_PART: 1 or 2"; exit 99 ;; esac
diag "part ${VM_PART:-all}"

if part 1; then
# ---- 1. lsmhooks socket_connect (socket, sockaddr) ---------------------------

section "1 lsmhooks socket_connect socket sockaddr"
HOOKSECT=lsmhooks
HOOKHDR() {
	printf '  - hook: "socket_connect"\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "socket"\n'
	printf '    - index: 1\n      type: "sockaddr"\n'
}
cat >"$T/cases" <<EOF
l-protocol|+|Protocol=IPPROTO_TCP 1:SPort=$PA|"protocol":"IPPROTO_TCP"&"port":$PA}
l-protocol-neg|-|Protocol=IPPROTO_UDP 1:SPort=$PA|
l-state|+|State=TCP_CLOSE 1:SPort=$PA|"state":"TCP_CLOSE"
l-state-neg|-|State=TCP_SYN_SENT 1:SPort=$PA|
l-family6|+|Family=AF_INET6 1:SPort=$P6|"family":"AF_INET6"
l-family-neg|-|Family=AF_INET6 1:SPort=$PA|
l-saddr|+|SAddr=$A2 1:SPort=$PA|"saddr":"$A2"
l-saddr-neg|-|SAddr=127.0.83.64/26 1:SPort=$PA|
l-notsportpriv|+|NotSPortPriv= 1:SPort=$PA|"saddr":"$A2"
l-sportpriv-neg|-|SPortPriv= 1:SPort=$PA|
l-daddr-neg|-|DAddr=$A1 1:SPort=$PA|
l-sa-addr|+|1:SAddr=$A1 1:SPort=$R1|"sockaddr_arg":{"family":"AF_INET","addr":"$A1","port":$PA}
l-sa-addr-neg|-|1:SAddr=127.0.83.64/26 1:SPort=$R1|
l-sa-notaddr|+|1:NotSAddr=10.0.0.0/8,192.168.0.0/16 1:SPort=$PA|"addr":"$A1","port":$PA}
l-sa-notaddr-neg|-|1:NotSAddr=127.0.0.0/8 1:SPort=$PA|
l-sa-addr6|+|1:SAddr=::1 1:Family=AF_INET6 1:SPort=$P6|"addr":"::1","port":$P6}
l-sa-family-neg|-|1:Family=AF_INET6 1:SPort=$PA|
l-sa-priv|+|1:SPortPriv= 1:SAddr=$A3|"addr":"$A3","port":$PP}
l-sa-notpriv-neg|-|1:NotSPortPriv= 1:SAddr=$A3|
l-sa-notsport-neg|-|1:NotSPort=$PA 1:SAddr=$A1|
EOF
traffic "$T/cases" vm-lsc

# ---- 2. lsmhooks socket_connect, Override ------------------------------------

# enforce NAME ENTRY...: an lsmhooks socket_connect policy NAME whose
# selector has the entries and Override -1 (EPERM); a connect to $BL
# fails with EPERM and is refused before the listener sees it, one to
# $A1 succeeds; one row (Override, the sockaddr of $BL), matched 1
enforce() {
	_n=$1
	shift
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n'
		printf 'metadata:\n  name: "%s"\nspec:\n  lsmhooks:\n' "$_n"
		# shellcheck disable=SC2086
		hook "$_n" "$@" | sed 's/- action: Post/- action: Override\
        argError: -1/'
	} >"$T/$_n.yaml"
	if ! addp "$T/$_n.yaml"; then
		n_not_ok 6 "$_n: policy refused"
		return
	fi
	diag "$(plist "$_n")"
	: >"$T/pb.acc" && : >"$T/pa.acc"
	is "$_n: a connect to $BL:$PB fails with EPERM" \
	    "$("$TR" connect $BL "$PB" 2>&1)" "ret=-1 errno=1"
	is "$_n: a connect to $A1:$PA succeeds" \
	    "$("$TR" connect $A1 "$PA" 2>&1)" "ret=0 errno=0"
	wait_secs "$WAIT" test -s "$T/pa.acc"
	is "$_n: the listeners accepted the allowed connect only" \
	    "$(wc -l <"$T/pa.acc") $(wc -l <"$T/pb.acc")" "1 0"
	if wrow "SELECT 1 FROM events WHERE message='c-$_n'"; then
		sleep 1
		is "$_n: one row, Override, by the trigger, with the blocked address" \
		    "$(q "SELECT count(*) || ' ' || e.function_name || ' ' || e.action || ' ' || p.binary FROM events e LEFT JOIN processes p ON p.exec_id=e.exec_id WHERE e.message='c-$_n'")" \
		    "1 socket_connect KPROBE_ACTION_OVERRIDE $TR"
		like "$_n: the row's socket and sockaddr" \
		    "$(q "SELECT args FROM events WHERE message='c-$_n'")" \
		    "^\\[\\{\"sock_arg\":\\{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",.*\\},\\{\"sockaddr_arg\":\\{\"family\":\"AF_INET\",\"addr\":\"$BL\",\"port\":$PB\\}\\}\\]\$"
	else
		not_ok "$_n: row stored"; n_not_ok 1 "$_n"
	fi
	is "$_n: the hook matched once" "$(counters "$_n" 1 | awk '{ print $3 }')" 1
	"$CTL" -S "$S" policy delete "$_n" >/dev/null 2>&1
}

section "2 lsmhooks socket_connect Override"
enforce lsm-block-saddr 1:SAddr=127.0.84.0/24
# the Not form: every IPv4 connect outside 127.0.83.0/24 (a Not operator
# that were always true would block the allowed one, and an AF_UNIX
# sockaddr has no IPv4 address: Family keeps the daemons' sockets out)
enforce lsm-block-notsaddr 1:Family=AF_INET 1:NotSAddr=127.0.83.0/24
is "policies deleted: the connect to $BL:$PB works again" \
    "$("$TR" connect $BL "$PB" 2>&1)" "ret=0 errno=0"

# ---- 3. fentries tcp_connect (sock) ------------------------------------------

section "3 fentries tcp_connect sock"
HOOKSECT=fentries
HOOKHDR() {
	printf '  - call: "tcp_connect"\n    syscall: false\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "sock"\n'
}
{
	tcp_connect_cases f
	cat <<EOF
f-daddr-cidr|+|DAddr=127.0.83.0/29 DPort=$R1|"daddr":"$A1"
f-daddr6-neg|-|DAddr=fe80::/10 DPort=$P6|
f-dport-neg|-|DPort=1:1023 SAddr=$A2|
EOF
} >"$T/cases"
traffic "$T/cases" vm-ftc

fi # part 1

if part 2; then
# ---- 4. fentries on listeners: inet_csk_listen_start, tcp_close --------------

# lis ADDR PORT: a TCP listener on ADDR:PORT that closes at once; prints
# the port
lis() {
	perl -e '
use Socket qw(:all);
my ($addr, $port) = @ARGV;
my $v6 = $addr =~ /:/;
socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
bind($s, $v6 ? pack_sockaddr_in6($port, inet_pton(AF_INET6, $addr)) :
    pack_sockaddr_in($port, inet_aton($addr))) or die "bind: $!\n";
listen($s, 8) or die "listen: $!\n";
print "$port\n";
close($s);' "$1" "$2" 2>&1
}
L1=6201 L6=6202 LP=701	# ports of the short-lived listeners
lisround() {
	run_cases "$1" "$2" "$WAIT" "lis $A1 $L1" "lis ::1 $L6" "lis $A3 $LP"
	is "$2: all $nround policies loaded" "$nload" "$nround"
}
section "4 fentries inet_csk_listen_start, tcp_close: listeners"
HOOKSECT=fentries
HOOKHDR() {
	printf '  - call: "inet_csk_listen_start"\n    syscall: false\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "sock"\n'
}
cat >"$T/cases" <<EOF
f-ls-sport|+|SPort=$L1|"saddr":"$A1"&"sport":$L1,
f-ls-sport-neg|-|SPort=$((L1 + 50)):$((L1 + 60))|
f-ls-notsport-neg|-|NotSPort=$L1,$L6,$LP|
f-ls-saddr6|+|SAddr=::1 SPort=$L6|"family":"AF_INET6"&"sport":$L6,
f-ls-sportpriv|+|SPortPriv=|"sport":$LP,
f-ls-daddr-neg|-|DAddr=127.0.0.0/8 SPort=$L1|
f-ls-state|+|State=TCP_CLOSE SPort=$L1|"state":"TCP_CLOSE"
f-ls-state-neg|-|State=TCP_LISTEN SPort=$L1|
EOF
lisround "$T/cases" vm-fls
HOOKHDR() {
	printf '  - call: "tcp_close"\n    syscall: false\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "sock"\n'
}
cat >"$T/cases" <<EOF
f-cl-listen|+|State=TCP_LISTEN SPort=$L1|"state":"TCP_LISTEN"&"sport":$L1,
f-cl-listen-neg|-|State=TCP_ESTABLISHED SPort=$L1|
f-cl-saddr6|+|SAddr=::1/128 SPort=$L6|"family":"AF_INET6"&"state":"TCP_LISTEN"
f-cl-notsaddr-neg|-|NotSAddr=127.0.0.0/8,::1 State=TCP_LISTEN|
EOF
lisround "$T/cases" vm-fcl

# ---- 5. lsmhooks socket_sock_rcv_skb (sock, skb) -----------------------------

# the socket that receives a packet: the listener for the SYN, the client
# for the SYN-ACK, the accepted socket for the rest
section "5 lsmhooks socket_sock_rcv_skb sock skb"
HOOKSECT=lsmhooks
HOOKHDR() {
	printf '  - hook: "socket_sock_rcv_skb"\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "sock"\n'
	printf '    - index: 1\n      type: "skb"\n'
}
cat >"$T/cases" <<EOF
r-skb-daddr|+|1:DAddr=$A1 1:DPort=$PA|"skb_arg"&"daddr":"$A1"&"dport":$PA,
r-skb-notdaddr-neg|-|1:NotDAddr=127.0.0.0/8 1:DPort=$PA|
r-skb-saddr6|+|1:SAddr=::1 1:Family=AF_INET6 1:DPort=$P6|"family":"AF_INET6"
r-skb-family-neg|-|1:Family=AF_INET6 1:DPort=$PA|
r-sock-listen|+|State=TCP_LISTEN SPort=$PA 1:SAddr=$A2|"state":"TCP_LISTEN"&"sport":$PA,
r-sock-sport-neg|-|SPort=$PA 1:SPort=$PA|
r-sock-dportpriv|+|DPortPriv= 1:SAddr=$A3|"dport":$PP,
r-sock-protocol-neg|-|Protocol=IPPROTO_UDP 1:DPort=$PA|
EOF
traffic "$T/cases" vm-lrs
fi # part 2

guest_end
