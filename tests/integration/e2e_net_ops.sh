#!/bin/sh
# End to end: the socket operators of matchArgs evaluated in the kernel on
# a `sock` argument, through the tracepoint sock/inet_sock_set_state whose
# skaddr field (index 4) is typed `sock` (the CI kernel has no kprobes;
# tests/vm/net.sh does kprobes, socket, skb and sockaddr args).
#
# Real TCP listeners and clients on 127.0.83.0/24 and ::1 (perl sockets).
# One policy holds one hook per case (message "c-NAME"); every case is
# one matchArgs entry under test plus an entry that keeps other TCP
# traffic of the machine out.  A positive case must store rows, every row
# with the sock_arg it selected; a negative case is proven in the kernel:
# the hook ran (hits > 0) but its `matched` counter stayed 0 and no row.
# Then the refusals (lint and policy add, file:line:col and the reason)
# and the tracepoint pointer-field typing rules.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env netops
need perl
. "$top_srcdir/tests/lib/netops.sh"

# the hook of a case: inet_sock_set_state, skaddr as sock (matchArgs index
# 0), newstate as int (index 1)
HOOKSECT=tracepoints
HOOKHDR() {
	printf '  - subsystem: "sock"\n    event: "inet_sock_set_state"\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 4\n      type: "sock"\n'
	printf '    - index: 6\n      type: "int"\n'
}

plan 93

start_loaderd netopsnode

A1=127.0.83.1		# listener (port PA)
A2=127.0.83.2		# its client
A3=127.0.83.3		# listener on a privileged port (PP)
A4=127.0.83.4		# its client
PA=$(listen $A1 pa)
P6=$(listen ::1 p6)
PP=$(listen $A3 pp 613 614 617 619 661 662 663 681 682 683)
diag "listeners: $A1:$PA [::1]:$P6 $A3:$PP"
[ "$PP" -lt 1024 ] || { echo "Bail out! no privileged port free on $A3"; exit 99; }
R1=$((PA - 1)):$((PA + 1))	# a range around PA
RX=$((PA + 1)):$((PA + 9))	# one beside it

# name|expect|entries (space separated)|what every row's args must contain
# (LIKE patterns joined by &).  Client sockets of A2->A1 have dport PA,
# server sockets of that connection daddr A2; v6: dport P6 / sport P6.
# A socket's port is released before its last change (to TCP_CLOSE: sport
# 0 there), so the SPort cases leave that one out (newstate != 7).
cat >"$T/cases" <<EOF
saddr|+|SAddr=$A2 DPort=$PA|"saddr":"$A2"&"dport":$PA,
saddr-cidr|+|SAddr=127.0.83.0/30 DPort=$PA|"saddr":"$A2"
saddr-neg|-|SAddr=127.0.83.9,10.0.0.0/8 DPort=$PA|
notsaddr|+|NotSAddr=127.0.83.9,10.0.0.0/8 DPort=$PA|"saddr":"$A2"
notsaddr-neg|-|NotSAddr=10.0.0.0/8,127.0.83.2 DPort=$PA|
saddr6|+|SAddr=::1 DPort=$P6|"family":"AF_INET6"&"saddr":"::1"
saddr6-cidr|+|SAddr=::/96 DPort=$P6|"saddr":"::1"
saddr6-neg|-|SAddr=::2,fe80::/10 DPort=$P6|
saddr6-v4val|-|SAddr=127.0.0.0/8,0.0.0.0/0 DPort=$P6|
notsaddr6-v4val|+|NotSAddr=0.0.0.0/0 DPort=$P6|"saddr":"::1"
notsaddr6-neg|-|NotSAddr=::1 DPort=$P6|
daddr|+|DAddr=$A1 DPort=$PA|"daddr":"$A1"
daddr-cidr|+|DAddr=127.0.83.0/24,192.168.0.0/16 DPort=$PA|"daddr":"$A1"
daddr-neg|-|DAddr=127.0.83.64/26 DPort=$PA|
notdaddr|+|NotDAddr=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 DPort=$PA|"daddr":"$A1"
notdaddr-private|-|NotDAddr=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8 DPort=$PA|
daddr6|+|DAddr=::1/128 DPort=$P6|"daddr":"::1"
daddr6-neg|-|DAddr=fe80::/10 DPort=$P6|
notdaddr6-neg|-|NotDAddr=::1/128 DPort=$P6|
sport|+|SPort=$PA DAddr=$A2 1:NotEqual=7|"sport":$PA,&"daddr":"$A2"
sport-range|+|SPort=$R1 DAddr=$A2 1:NotEqual=7|"sport":$PA,
sport-neg|-|SPort=$RX,1 DAddr=$A2 1:NotEqual=7|
notsport|+|NotSPort=$RX DAddr=$A2 1:NotEqual=7|"sport":$PA,
notsport-neg|-|NotSPort=$R1 DAddr=$A2 1:NotEqual=7|
sport6|+|SPort=$P6 DAddr=::1 1:NotEqual=7|"sport":$P6,
dport|+|DPort=$PA SAddr=$A2|"dport":$PA,&"saddr":"$A2"
dport-range|+|DPort=$R1 SAddr=$A2|"dport":$PA,
dport-neg|-|DPort=$RX SAddr=$A2|
notdport|+|NotDPort=$RX SAddr=$A2|"dport":$PA,
notdport-neg|-|NotDPort=$PA SAddr=$A2|
sportpriv|+|SPortPriv= DAddr=$A4 1:NotEqual=7|"sport":$PP,
sportpriv-neg|-|SPortPriv= DAddr=$A2 1:NotEqual=7|
notsportpriv|+|NotSPortPriv= DAddr=$A2 1:NotEqual=7|"sport":$PA,
notsportpriv-neg|-|NotSPortPriv= DAddr=$A4 1:NotEqual=7|
dportpriv|+|DPortPriv= SAddr=$A4|"dport":$PP,
dportpriv-neg|-|DPortPriv= SAddr=$A2|
notdportpriv|+|NotDPortPriv= SAddr=$A2|"dport":$PA,
notdportpriv-neg|-|NotDPortPriv= SAddr=$A4|
protocol|+|Protocol=IPPROTO_TCP DPort=$PA|"protocol":"IPPROTO_TCP"
protocol-num|+|Protocol=17,6 DPort=$P6|"protocol":"IPPROTO_TCP"
protocol-neg|-|Protocol=IPPROTO_UDP,IPPROTO_SCTP DPort=$PA|
family|+|Family=AF_INET DPort=$PA|"family":"AF_INET"
family6|+|Family=10 DPort=$P6|"family":"AF_INET6"
family-neg|-|Family=AF_INET6,AF_UNIX DPort=$PA|
state|+|State=TCP_SYN_SENT DPort=$PA|"state":"TCP_SYN_SENT"&{"int_arg":1}
state-two|+|State=TCP_SYN_SENT,TCP_ESTABLISHED DPort=$P6|"family":"AF_INET6"
state-neg|-|State=TCP_LISTEN,TCP_SYN_RECV DPort=$PA|
EOF
ncases=$(wc -l <"$T/cases")

# the traffic of each round: two v4 connections, one v6, one to the
# privileged port
run_cases "$T/cases" netops 10 "conn $A2 $A1 $PA" "conn $A2 $A1 $PA" \
    "conn ::1 ::1 $P6" "conn $A4 $A3 $PP"
is "all $nround policies of $ncases inet_sock_set_state hooks (skaddr as sock) loaded" "$nload" "$nround"
# State is the state being left: the newstate field (ESTABLISHED)
like "State: SYN_SENT is left for ESTABLISHED (newstate field)" \
    "$(q "SELECT args FROM events WHERE message='c-state' LIMIT 1")" \
    "^\\[\\{\"sock_arg\":\\{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",.*\"saddr\":\"$A2\",\"daddr\":\"$A1\",\"sport\":[0-9]+,\"dport\":$PA,.*\"state\":\"TCP_SYN_SENT\"\\}\\},\\{\"int_arg\":1\\}\\]\$"

# ---- an IPv4 CIDR also matches an IPv4-mapped IPv6 address -----------------

# an AF_INET6 socket connecting to ::ffff:A1 reaches the IPv4 listener: a
# rule on 127.0.83.0/24 must see it (else an IPv4 block is bypassed by
# asking for the same peer through an IPv6 socket)
cat >"$T/cases" <<EOF
mapped-daddr|+|DAddr=127.0.83.0/24 Family=AF_INET6 DPort=$PA|"daddr":"::ffff:$A1"
mapped-daddr-neg|-|DAddr=10.0.0.0/8 Family=AF_INET6 DPort=$PA|
mapped-notdaddr-neg|-|NotDAddr=127.0.0.0/8 Family=AF_INET6 DPort=$PA|
mapped-saddr|+|SAddr=$A2/32 Family=AF_INET6 DPort=$PA|"saddr":"::ffff:$A2"
EOF
run_cases "$T/cases" netmap 10 "conn ::ffff:$A2 ::ffff:$A1 $PA"
is "IPv4-mapped cases: policy loaded" "$nload" 1

# ---- sockaddr on a tracepoint pointer field -----------------------------------

# syscalls/sys_enter_connect's uservaddr (index 6) typed sockaddr
HOOKHDR() {
	printf '  - subsystem: "syscalls"\n    event: "sys_enter_connect"\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 6\n      type: "sockaddr"\n'
}
cat >"$T/cases" <<EOF
tp-sa-addr|+|SAddr=$A1 SPort=$PA|{"sockaddr_arg":{"family":"AF_INET","addr":"$A1","port":$PA}}
tp-sa-addr6|+|SAddr=::1/128 SPort=$P6 Family=AF_INET6|"addr":"::1","port":$P6}
tp-sa-neg|-|SAddr=127.0.83.64/26 SPort=$PA|
tp-sa-notpriv-neg|-|NotSPortPriv= SAddr=$A3|
EOF
run_cases "$T/cases" netsa 10 "conn $A2 $A1 $PA" "conn ::1 ::1 $P6" \
    "conn $A4 $A3 $PP"
is "sys_enter_connect uservaddr typed sockaddr: policy loaded" "$nload" 1

# ---- refusals: lint and policy add, file:line:col and the reason -------------

# refuse NAME LINE:COL REGEX <<EOF (spec): lint and add both refuse with
# FILE:LINE:COL and the reason
refuse() {
	pol "$1"
	f=$P/$1.yaml
	out=$("$CTL" policy lint "$f" 2>&1)
	like "lint refuses $1 at $2: $3" "$? $out" "^[1-9][0-9]* .*$f:$2: .*$3"
	add "$f"
	like "policy add refuses $1 at $2" "$? $(cat "$T/add.out")" "^[1-9][0-9]* .*$f:$2: .*$3"
	del "$1"
}

refuse r-state-skb 15:19 'operator State does not apply to args position 0 of type skb; expected one of: SAddr, NotSAddr, DAddr, NotDAddr, SPort, NotSPort, DPort, NotDPort, SPortPriv, NotSPortPriv, DPortPriv, NotDPortPriv, Protocol, Family' <<'EOF'
  tracepoints:
  - subsystem: "net"
    event: "netif_receive_skb"
    args:
    - index: 4
      type: "skb"
    selectors:
    - matchArgs:
      - index: 0
        operator: "State"
        values: ["TCP_ESTABLISHED"]
EOF
# kpref TYPE OP VALUE: sys_connect's arg 1 typed TYPE, one matchArgs
# entry (its operator at line 15, column 19)
kpref() {
	printf '  kprobes:\n  - call: "sys_connect"\n    syscall: true\n'
	printf '    args:\n    - index: 1\n      type: "%s"\n' "$1"
	printf '    selectors:\n    - matchArgs:\n      - index: 1\n'
	printf '        operator: "%s"\n        values: ["%s"]\n' "$2" "$3"
}
kpref sockaddr DAddr 127.0.0.1 >"$T/in"
refuse r-daddr-sockaddr 15:19 'operator DAddr does not apply to index 1 of type sockaddr; expected one of: SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSPortPriv, Family' <"$T/in"
kpref sockaddr State TCP_CLOSE >"$T/in"
refuse r-state-sockaddr 15:19 'operator State does not apply to index 1 of type sockaddr' <"$T/in"
kpref sockaddr Protocol IPPROTO_TCP >"$T/in"
refuse r-proto-sockaddr 15:19 'operator Protocol does not apply to index 1 of type sockaddr' <"$T/in"
kpref int DPort 80 >"$T/in"
refuse r-dport-int 15:19 'operator DPort does not apply to index 1 of type int' <"$T/in"
# values on the CI kernel's tracepoint (sock), each refused where it is
tpref() {
	printf '  tracepoints:\n  - subsystem: "sock"\n    event: "inet_sock_set_state"\n'
	printf '    args:\n    - index: 4\n      type: "sock"\n    selectors:\n'
	printf '    - matchArgs:\n      - index: 0\n        operator: "%s"\n' "$1"
	printf '        values:\n'
	shift
	for v in "$@"; do printf '        - "%s"\n' "$v"; done
}
tpref DAddr 10.0.0.0/8 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 10.4.0.0/16 >"$T/in"
refuse r-five-values 17:9 'values: 5 entries; at most 4 \(POL_MAX_VALUES\)' <"$T/in"
tpref SAddr 127.0.0.1/33 >"$T/in"
refuse r-cidr-len 17:11 "value '127.0.0.1/33': expected an IPv4 or IPv6 address or CIDR" <"$T/in"
tpref DAddr 127.0.0.300 >"$T/in"
refuse r-bad-addr 17:11 "value '127.0.0.300': expected an IPv4 or IPv6 address" <"$T/in"
tpref DPort 70000 >"$T/in"
refuse r-port-big 17:11 "value '70000': expected a port \\(0 to 65535\\) or a range min:max" <"$T/in"
tpref SPort 90:80 >"$T/in"
refuse r-port-range 17:11 "value '90:80': expected a port" <"$T/in"
tpref Protocol IPPROTO_NOPE >"$T/in"
refuse r-proto-name 17:11 "Protocol value 'IPPROTO_NOPE': expected a number or an IPPROTO_\\* name" <"$T/in"
tpref Family AF_NOPE >"$T/in"
refuse r-family-name 17:11 "Family value 'AF_NOPE': expected a number or an AF_\\* name" <"$T/in"
tpref State TCP_NOPE >"$T/in"
refuse r-state-name 17:11 "State value 'TCP_NOPE': expected a number or a TCP_\\* state name" <"$T/in"
tpref State 256 >"$T/in"
refuse r-state-num 17:11 "State value '256': expected a number or a TCP_\\* state name" <"$T/in"
tpref DPortPriv 1 >"$T/in"
refuse r-priv-values 17:9 'values: operator DPortPriv takes no values' <"$T/in"

# ---- tracepoint pointer fields typed as kernel objects ----------------------

# a non-pointer field typed sock (oldstate, an int): refused by add
pol r-tp-nonptr <<'EOF'
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    args:
    - index: 5
      type: "sock"
EOF
add "$P/r-tp-nonptr.yaml"
like "policy add refuses sock on a non-pointer tracepoint field, with the field" \
    "$? $(cat "$T/add.out")" "^[1-9][0-9]* .*r-tp-nonptr.yaml:10:7: .*field oldstate \\(int oldstate\\) is not a pointer: it cannot be read as sock"
del r-tp-nonptr
# an unsupported kernel type on a (pointer) tracepoint field
pol r-tp-type <<'EOF'
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    args:
    - index: 4
      type: "net_device"
EOF
add "$P/r-tp-type.yaml"
like "policy add refuses net_device on a tracepoint field, with the reason" \
    "$? $(cat "$T/add.out")" "^[1-9][0-9]* .*r-tp-type.yaml:10:7: .*type net_device on a tracepoint field is not supported by this engine"
del r-tp-type
# the pointer field typed sock, no selector: every state change posted
# with its sock (the positive case of the typing itself)
pol tp-sock <<EOF
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    args:
    - index: 4
      type: "sock"
    - index: 5
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values: ["7"]
EOF
if add "$P/tp-sock.yaml"; then
	r=$(conn $A2 $A1 "$PA")
	wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='tp-sock' AND args LIKE '%\"sport\":$r,%'"
	like "tracepoint skaddr typed sock: the client's CLOSE->SYN_SENT with its sock_arg" \
	    "$(q "SELECT args FROM events WHERE policy_name='tp-sock' AND args LIKE '%\"daddr\":\"$A1\"%' AND args LIKE '%\"dport\":$PA,%' LIMIT 1")" \
	    "^\\[\\{\"sock_arg\":\\{\"family\":\"AF_INET\",.*\"saddr\":\"$A2\",\"daddr\":\"$A1\",.*\"dport\":$PA,.*\"state\":\"TCP_CLOSE\"\\}\\},\\{\"int_arg\":7\\}\\]\$"
	del tp-sock
else
	not_ok "tracepoint skaddr typed sock loads"; sed 's/^/# /' "$T/add.out"
fi

kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" 0
finish
