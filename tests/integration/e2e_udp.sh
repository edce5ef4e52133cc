#!/bin/sh
# End to end: kprobe hooks on __cgroup_bpf_run_filter_skb (the talk's and
# Tetragon's datagram example) carried out by tripline's cgroup_skb
# programs on the cgroup2 root.  Real UDP datagrams between two processes
# (a sender and a receiver, python3) on 127.0.0.0/8 and ::1, and a real
# TCP connection: the rows carry the sock, the skb 5-tuple and the
# direction, the sending process on egress and the receiving one on
# ingress; rateLimit posts one row per new tuple and counts the others;
# filters that do not match leave `matched` alone; every socket operator
# on sock and skb and every integer operator on the attach type, each with
# a case that matches and one that does not; what cannot be carried out in
# a cgroup_skb program is refused with the reason; the programs are
# attached only while such a hook is loaded.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env udp
need python3 bpftool

# udp.py recv ADDR PORT FILE: bind, write "PORT PID" to FILE, receive
#   until killed (a line per datagram on stdout)
# udp.py send SRC SPORT DST DPORT N: bind SRC:SPORT, connect, send N
#   datagrams, print "SPORT PID"
# udp.py free ADDR LOW HIGH: a UDP port free on ADDR in LOW..HIGH
# udp.py tcp ADDR PORT: connect over TCP, send a line, close
cat >"$T/udp.py" <<'EOF'
import os, socket, sys
def fam(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET
m = sys.argv[1]
if m == "recv":
    a, p, f = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    s = socket.socket(fam(a), socket.SOCK_DGRAM)
    s.bind((a, p))
    with open(f + ".tmp", "w") as o:
        o.write("%d %d\n" % (s.getsockname()[1], os.getpid()))
    os.rename(f + ".tmp", f)
    while True:
        s.recv(2048)
        print("got", flush=True)
elif m == "send":
    src, sp, dst, dp, n = sys.argv[2:7]
    s = socket.socket(fam(dst), socket.SOCK_DGRAM)
    s.bind((src, int(sp)))
    s.connect((dst, int(dp)))
    for i in range(int(n)):
        s.send(b"datagram %d" % i)
    print(s.getsockname()[1], os.getpid())
elif m == "free":
    a, lo, hi = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for p in range(lo, hi):
        s = socket.socket(fam(a), socket.SOCK_DGRAM)
        try:
            s.bind((a, p))
        except OSError:
            continue
        finally:
            s.close()
        print(p)
        break
elif m == "tcp":
    a, p = sys.argv[2], int(sys.argv[3])
    s = socket.create_connection((a, p))
    s.sendall(b"hello\n")
    s.close()
EOF
U="python3 $T/udp.py"

# recv ADDR PORT NAME: a receiver in the background (its pid in
# $T/NAME.pid: cleanup kills it); "PORT PID"
recv() {
	$U recv "$1" "$2" "$T/$3" >"$T/$3.out" 2>"$T/$3.err" &
	echo $! >"$T/$3.pid"
	wait_for 5 test -s "$T/$3" || { echo "Bail out! receiver on $1"; exit 99; }
	cat "$T/$3"
}
# received NAME N: the receiver got N datagrams
received() { [ "$(grep -c got "$T/$1.out")" -ge "$2" ]; }

# hook counters: "FIELD FIELD ..." of hook N (1-based) of policy NAME
cnt() {
	"$CTL" -S "$S" policy list --json >"$T/list.json"
	python3 - "$T/list.json" "$1" "$2" "$3" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
for p in j["policies"]:
    if p["name"] == sys.argv[2]:
        h = p["hooks"][int(sys.argv[3]) - 1]
        print(" ".join(str(h[f]) for f in sys.argv[4].split()))
EOF
}

# the hook's head: args 0 sock, 1 skb, 2 int "send"
hookhead() {
	cat <<EOF
  - call: "__cgroup_bpf_run_filter_skb"
    syscall: false
    args:
    - index: 0
      type: "sock"
    - index: 1
      type: "skb"
    - index: 2
      type: "int"
      label: "send"
    selectors:
EOF
}

# ma INDEX OP [VALUE...]: one matchArgs entry
ma() {
	printf '      - index: %s\n        operator: "%s"\n' "$1" "$2"
	shift 2
	[ $# -gt 0 ] && printf '        values:\n'
	for v in "$@"; do printf '        - "%s"\n' "$v"; done
}

# procpid ROWID: pid of the process an event row names
procpid() { q "SELECT p.pid FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.id = $1"; }

plan 106

start_loaderd udpnode
out=$("$CTL" -S "$S" status)
like "status lists cgroup_skb/ingress" "$out" "^  cgroup_skb/ingress +(yes|no)$"
if ! printf '%s\n' "$out" | grep -Eq '^  cgroup_skb/egress +yes$'; then
	diag "$out"
	echo "Bail out! this test needs cgroup_skb programs on the cgroup2 root"
	exit 99
fi
# progattached: tripline's cgroup_skb programs on a cgroup2 root (bpftool)
progattached() {
	n=0
	for m in $(sed -n 's/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - cgroup2 .*/\1/p' /proc/self/mountinfo); do
		n=$((n + $(bpftool cgroup show "$m" 2>/dev/null | grep -c 'net_skb_')))
	done
	echo "$n"
}
is "no skb hook loaded: no cgroup_skb program of ours on the cgroup2 root" "$(progattached)" "0"

# ---- the datagram example's shape, IPv4 and IPv6 ------------------------------
# ports first: the receivers start once the policy is loaded, so that
# their sockets are created (and tracked) with it in place
PR4=$($U free 127.0.0.1 30000 40000)
PR6=$($U free ::1 30000 40000)
{
	echo "  kprobes:"
	hookhead
	printf '    - matchArgs:\n'
	ma 1 DAddr 127.0.0.1/32; ma 1 Protocol IPPROTO_UDP; ma 1 DPort "$PR4"
	printf '      matchActions:\n      - action: Post\n        rateLimit: "10m"\n'
	printf '        rateLimitScope: "global"\n'
	printf '    - matchArgs:\n'
	ma 1 DAddr ::1; ma 1 Protocol IPPROTO_UDP; ma 1 DPort "$PR6"
	printf '      matchActions:\n      - action: Post\n        rateLimit: "10m"\n'
} | pol dgram
if add "$P/dgram.yaml"; then ok "datagram policy loaded"; else
	not_ok "datagram policy loaded"; diag "$(cat "$T/add.out")"; fi
like "policy list: run by the cgroup_skb programs" "$("$CTL" -S "$S" policy list)" \
    "__cgroup_bpf_run_filter_skb: hook [0-9]+: run by cgroup_skb/ingress\+egress on /"
is "while loaded: both programs attached to the cgroup2 root" "$(progattached)" "2"
RPID4=$(set -- $(recv 127.0.0.1 "$PR4" r4); echo "$2")
RPID6=$(set -- $(recv ::1 "$PR6" r6); echo "$2")

# a filter that does not match (another address) beside it
{
	echo "  kprobes:"
	hookhead
	printf '    - matchArgs:\n'
	ma 1 DAddr 127.0.0.2/32; ma 1 Protocol IPPROTO_UDP
} | pol dgmiss
add "$P/dgmiss.yaml" || diag "$(cat "$T/add.out")"

set -- $($U send 127.0.0.1 0 127.0.0.1 "$PR4" 5); SP1=$1 SPID=$2
wait_for 10 received r4 5 || diag "receiver got $(grep -c got "$T/r4.out") of 5"
wait_rows dgram "\"sport\":$SP1,\"dport\":$PR4" && wait_for 10 row_exists \
    "SELECT 1 FROM events WHERE policy_name='dgram' AND args LIKE '%\"sport\":$SP1,\"dport\":$PR4%\"int_arg\":0%'"
EG=$(q "SELECT id FROM events WHERE policy_name='dgram' AND args LIKE '%\"sport\":$SP1,\"dport\":$PR4%' AND args LIKE '%\"int_arg\":1%'")
IN=$(q "SELECT id FROM events WHERE policy_name='dgram' AND args LIKE '%\"sport\":$SP1,\"dport\":$PR4%' AND args LIKE '%\"int_arg\":0%'")
is "5 datagrams on one tuple: one egress row" "$(printf '%s\n' "$EG" | grep -c .)" "1"
is "... and one ingress row" "$(printf '%s\n' "$IN" | grep -c .)" "1"
EG=$(printf '%s\n' "$EG" | head -1) IN=$(printf '%s\n' "$IN" | head -1)
A=$(q "SELECT args FROM events WHERE id = ${EG:-0}")
like "egress row: the sender's connected socket as sock_arg" "$A" \
    "^\[\{\"sock_arg\":\{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"protocol\":\"IPPROTO_UDP\",\"saddr\":\"127.0.0.1\",\"daddr\":\"127.0.0.1\",\"sport\":$SP1,\"dport\":$PR4,\"cookie\":\"[0-9]+\",\"state\":\"TCP_ESTABLISHED\"\}\}"
like "egress row: the datagram's 5-tuple as skb_arg" "$A" \
    "\{\"skb_arg\":\{(\"hash\":[0-9]+,)?\"len\":[0-9]+,\"saddr\":\"127.0.0.1\",\"daddr\":\"127.0.0.1\",\"sport\":$SP1,\"dport\":$PR4,\"proto\":17,\"protocol\":\"IPPROTO_UDP\",\"family\":\"AF_INET\"\}\}"
like "egress row: send = 1 (CGROUP_INET_EGRESS)" "$A" '\{"int_arg":1,"label":"send"\}\]$'
is "egress row: function __cgroup_bpf_run_filter_skb" \
    "$(q "SELECT function_name || ' ' || action FROM events WHERE id = ${EG:-0}")" \
    "__cgroup_bpf_run_filter_skb KPROBE_ACTION_POST"
is "egress row: the sending process" "$(procpid "${EG:-0}")" "$SPID"
A=$(q "SELECT args FROM events WHERE id = ${IN:-0}")
like "ingress row: the receiver's socket as sock_arg" "$A" \
    "^\[\{\"sock_arg\":\{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"protocol\":\"IPPROTO_UDP\",\"saddr\":\"127.0.0.1\",\"daddr\":\"0.0.0.0\",\"sport\":$PR4,\"cookie\":\"[0-9]+\",\"state\":\"TCP_CLOSE\"\}\}"
like "ingress row: the same 5-tuple, send = 0 (CGROUP_INET_INGRESS)" "$A" \
    "\"saddr\":\"127.0.0.1\",\"daddr\":\"127.0.0.1\",\"sport\":$SP1,\"dport\":$PR4,\"proto\":17,.*\{\"int_arg\":0,\"label\":\"send\"\}\]$"
is "ingress row: the receiving process (the socket's tracked owner)" "$(procpid "${IN:-0}")" "$RPID4"
J=$(grep '"policy_name":"dgram"' "$S/events.jsonl" | grep "\"dport\":$PR4" | head -1)
like "JSON line: process_kprobe with sock_arg, skb_arg and the label" "$J" \
    '^\{"process_kprobe":.*"function_name":"__cgroup_bpf_run_filter_skb".*"args":\[\{"sock_arg":\{.*\{"skb_arg":\{.*"label":"send"'
is "hook counters: 10 packets matched, 2 posted, 8 rate-limited" \
    "$(cnt dgram 1 'matched posted ratelimited')" "10 2 8"
like "policy list shows the rate-limited count" "$("$CTL" -S "$S" policy list)" \
    "ratelimited 8 \(not posted: inside a rateLimit window\)"
set -- $(cnt dgmiss 1 'hits matched')
is "DAddr 127.0.0.2 filter: saw the packets, matched none" "$([ "${1:-0}" -ge 10 ] && echo seen) $2" "seen 0"

# the same tuple again (another process, global scope): still rate-limited;
# a new tuple: new rows
$U send 127.0.0.1 "$SP1" 127.0.0.1 "$PR4" 3 >/dev/null
set -- $($U send 127.0.0.1 0 127.0.0.1 "$PR4" 4); SP2=$1
wait_for 10 received r4 12
wait_rows dgram "\"sport\":$SP2,\"dport\":$PR4"
wait_for 10 sh -c "[ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM events WHERE policy_name='dgram' AND args LIKE '%\\\"sport\\\":$SP2,%'\")\" = 2 ]"
is "same tuple again: no new row" "$(nrows dgram "\"sport\":$SP1,\"dport\":$PR4")" "2"
is "a new tuple (source port): a new row each way" "$(nrows dgram "\"sport\":$SP2,\"dport\":$PR4")" "2"
is "hook counters: 24 matched, 4 posted, 20 rate-limited" \
    "$(cnt dgram 1 'matched posted ratelimited')" "24 4 20"

# IPv6 on ::1
set -- $($U send ::1 0 ::1 "$PR6" 3); SP6=$1 SPID6=$2
wait_for 10 received r6 3
wait_rows dgram "\"sport\":$SP6,\"dport\":$PR6"
wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='dgram' AND args LIKE '%\"sport\":$SP6,%\"int_arg\":0%'"
EG6=$(q "SELECT id FROM events WHERE policy_name='dgram' AND args LIKE '%\"sport\":$SP6,\"dport\":$PR6%' AND args LIKE '%\"int_arg\":1%'")
IN6=$(q "SELECT id FROM events WHERE policy_name='dgram' AND args LIKE '%\"sport\":$SP6,\"dport\":$PR6%' AND args LIKE '%\"int_arg\":0%'")
like "IPv6 egress row: sock and skb on ::1" "$(q "SELECT args FROM events WHERE id = ${EG6:-0}")" \
    "\"sock_arg\":\{\"family\":\"AF_INET6\",.*\"saddr\":\"::1\",\"daddr\":\"::1\",\"sport\":$SP6,\"dport\":$PR6,.*\"skb_arg\":\{.*\"saddr\":\"::1\",\"daddr\":\"::1\",\"sport\":$SP6,\"dport\":$PR6,\"proto\":17,\"protocol\":\"IPPROTO_UDP\",\"family\":\"AF_INET6\"\}"
is "IPv6: one row each way for 3 datagrams" "$(nrows dgram "\"sport\":$SP6,\"dport\":$PR6")" "2"
is "IPv6 egress row: the sender" "$(procpid "${EG6:-0}")" "$SPID6"
is "IPv6 ingress row: the receiver" "$(procpid "${IN6:-0}")" "$RPID6"
# rateLimitScope thread (the default): the same tuple from another process
set -- $($U send ::1 "$SP6" ::1 "$PR6" 2); SPID6B=$2
wait_for 10 received r6 5
wait_for 10 row_exists "SELECT 1 FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='dgram' AND p.pid = $SPID6B"
is "thread scope: the same tuple from another process posts its egress row" \
    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='dgram' AND e.args LIKE '%\"sport\":$SP6,\"dport\":$PR6%\"int_arg\":1%' AND p.pid = $SPID6B")" "1"
del dgmiss
del dgram

# ---- TCP: seen as IPPROTO_TCP, not by a Protocol IPPROTO_UDP filter ---------
perl -e '
use Socket qw(:all);
socket(my $s, AF_INET, SOCK_STREAM, 0) or die;
bind($s, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die;
listen($s, 8) or die;
$| = 1;
print((unpack_sockaddr_in(getsockname($s)))[0], "\n");
while (accept(my $c, $s)) { my $l = <$c>; close($c); }' >"$T/tcpport" 2>>"$T/tcp.err" &
KIDS="$KIDS $!"
wait_for 5 test -s "$T/tcpport" || { echo "Bail out! TCP listener"; exit 99; }
PT=$(cat "$T/tcpport")
{
	echo "  kprobes:"
	hookhead
	printf '    - matchArgs:\n'
	ma 1 Protocol IPPROTO_TCP; ma 1 DPort "$PT"
	printf '      matchActions:\n      - action: Post\n        rateLimit: "10m"\n'
	printf '        rateLimitScope: "global"\n'
	hookhead
	printf '    - matchArgs:\n'
	ma 1 Protocol IPPROTO_UDP; ma 1 DPort "$PT"
} | pol tcpseen
add "$P/tcpseen.yaml" || diag "$(cat "$T/add.out")"
$U tcp 127.0.0.1 "$PT"
wait_rows tcpseen "\"dport\":$PT,\"proto\":6"
like "TCP: the skb says IPPROTO_TCP" "$(q "SELECT args FROM events WHERE policy_name='tcpseen' LIMIT 1")" \
    "\"skb_arg\":\{.*\"daddr\":\"127.0.0.1\",\"sport\":[0-9]+,\"dport\":$PT,\"proto\":6,\"protocol\":\"IPPROTO_TCP\",\"family\":\"AF_INET\"\}"
like "TCP: the sock is the TCP socket" "$(q "SELECT args FROM events WHERE policy_name='tcpseen' LIMIT 1")" \
    "^\[\{\"sock_arg\":\{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\""
set -- $(cnt tcpseen 1 'matched ratelimited')
is "TCP: several packets matched, rate-limited to one row per direction" \
    "$([ "${1:-0}" -ge 4 ] && echo several) $(nrows tcpseen "\"dport\":$PT,\"proto\":6")" "several 2"
set -- $(cnt tcpseen 2 'hits matched')
is "TCP: Protocol IPPROTO_UDP on the same port matched none" "$([ "${1:-0}" -ge 4 ] && echo seen) $2" "seen 0"
del tcpseen

# ---- every operator, positive and negative ----------------------------------
# Traffic of each round: 127.0.0.7:PA -> 127.0.0.8:PB (both >= 1024) and
# 127.0.0.7:PC -> 127.0.0.8:PD (both < 1024), one connected datagram each.
# Each hook counts (NoPost) the packets its selector matches among ours:
# a guard on the skb keeps everything else out; sock operators also ask
# for egress (send = 1), where the sock is the sender's connected one.
PB=$(set -- $(recv 127.0.0.8 0 rb); echo "$1")
PD0=$($U free 127.0.0.8 600 1000)
PD=$(set -- $(recv 127.0.0.8 "$PD0" rd); echo "$1")
PA=$($U free 127.0.0.7 20000 30000)
PC=$($U free 127.0.0.7 700 1000)
[ -n "$PA" ] && [ -n "$PC" ] && [ -n "$PD" ] || { echo "Bail out! no free ports"; exit 99; }
NB=0 ND=0

# cases: "ARG GUARD WANT OP [VALUE...]" (WANT: packets matched per round:
# egress only for the sock (arg 0), both directions for arg 1 and 2)
cat >"$T/cases" <<EOF
0 d 2 Family AF_INET
0 d 0 Family AF_INET6
0 d 2 SAddr 127.0.0.7
0 d 0 SAddr 127.0.0.9
0 d 2 NotSAddr 127.0.0.9
0 d 0 NotSAddr 127.0.0.0/24
0 s 2 DAddr 127.0.0.8/32
0 s 0 DAddr 127.0.0.9
0 s 2 NotDAddr 10.0.0.0/8
0 s 0 NotDAddr 127.0.0.8
0 d 1 SPort $PA
0 d 0 SPort 1
0 d 1 NotSPort $PA
0 d 0 NotSPort $PA $PC
0 d 1 DPort $PB
0 d 0 DPort 1
0 d 1 NotDPort $PB
0 d 0 NotDPort $PB $PD
0 d 1 SPortPriv
0 d 1 NotSPortPriv
0 d 1 DPortPriv
0 d 1 NotDPortPriv
0 d 2 Protocol IPPROTO_UDP
0 d 0 Protocol IPPROTO_TCP
0 d 2 State TCP_ESTABLISHED
0 d 0 State TCP_CLOSE
1 d 4 Family AF_INET
1 d 0 Family AF_INET6
1 d 4 SAddr 127.0.0.7
1 d 0 SAddr 127.0.0.9
1 d 4 NotSAddr 127.0.0.9
1 d 0 NotSAddr 127.0.0.0/24
1 s 4 DAddr 127.0.0.8/32
1 s 0 DAddr 127.0.0.9
1 s 4 NotDAddr 10.0.0.0/8
1 s 0 NotDAddr 127.0.0.8
1 d 2 SPort $PA
1 d 0 SPort 1
1 d 2 NotSPort $PA
1 d 0 NotSPort $PA $PC
1 d 2 DPort $PB
1 d 0 DPort 1
1 d 2 NotDPort $PB
1 d 0 NotDPort $PB $PD
1 d 2 SPortPriv
1 d 2 NotSPortPriv
1 d 2 DPortPriv
1 d 2 NotDPortPriv
1 d 4 Protocol IPPROTO_UDP
1 d 0 Protocol IPPROTO_TCP
2 d 2 Equal 1
2 d 2 Equal 0
2 d 0 Equal 5
2 d 2 NotEqual 1
2 d 0 NotEqual 0 1
2 d 2 Mask 1
2 d 0 Mask 2
2 d 2 GreaterThan 0
2 d 0 GreaterThan 1
2 d 2 LessThan 1
2 d 0 LessThan 0
2 d 4 InRange 0:1
2 d 0 InRange 2:5
2 d 4 NotInRange 2:5
2 d 0 NotInRange 0:1
EOF
NAMES=sock,skb,send
# round FIRST LAST: hooks of cases FIRST..LAST in one policy, one round of
# traffic, each hook's matched count checked
round() {
	sed -n "$1,$2p" "$T/cases" >"$T/round"
	{ echo "  kprobes:"; while read -r arg g want op vals; do
		hookhead
		printf '    - matchArgs:\n'
		if [ "$g" = d ]; then ma 1 DAddr 127.0.0.8/32; else ma 1 SAddr 127.0.0.7/32; fi
		[ "$arg" = 0 ] && ma 2 Equal 1
		# shellcheck disable=SC2086
		ma "$arg" "$op" $vals
		printf '      matchActions:\n      - action: NoPost\n'
	done <"$T/round"; } | pol ops
	if ! add "$P/ops.yaml"; then
		diag "$(cat "$T/add.out")"
	fi
	$U send 127.0.0.7 "$PA" 127.0.0.8 "$PB" 1 >/dev/null
	$U send 127.0.0.7 "$PC" 127.0.0.8 "$PD" 1 >/dev/null
	NB=$((NB + 1)) ND=$((ND + 1))
	wait_for 10 received rb "$NB"
	wait_for 10 received rd "$ND"
	i=0
	while read -r arg g want op vals; do
		i=$((i + 1))
		is "$(echo "$NAMES" | cut -d, -f$((arg + 1))) $op $vals: matched $want" \
		    "$(cnt ops "$i" matched)" "$want"
	done <"$T/round"
	del ops
}
N=$(grep -c . "$T/cases")
f=1
while [ "$f" -le "$N" ]; do
	round "$f" $((f + 7))
	f=$((f + 8))
done

# ---- refused, with the reason --------------------------------------------------
refused() {
	if add "$P/$1.yaml"; then not_ok "$2"; del "$1"; else
		like "$2" "$(cat "$T/add.out")" "$3"; fi
}
{ echo "  kprobes:"; hookhead; printf '    - matchActions:\n      - action: Override\n        argError: -1\n'; } | pol ovr
refused ovr "Override refused (as Tetragon: not a syscall or security_* function)" \
    'ovr.yaml:[0-9]+:[0-9]+: Override: only on syscalls \(syscall: true\) and security_\* functions'
{ echo "  kprobes:"; hookhead; printf '    - matchActions:\n      - action: Sigkill\n'; } | pol kill
refused kill "Sigkill refused: no bpf_send_signal in cgroup_skb programs" \
    'kill.yaml:[0-9]+:[0-9]+: .*Sigkill on __cgroup_bpf_run_filter_skb: .*no bpf_send_signal in cgroup_skb programs'
{ echo "  kprobes:"; hookhead; printf '    - matchBinaries:\n      - operator: In\n        values:\n        - "/usr/bin/python3"\n'; } | pol bins
refused bins "matchBinaries refused: the current task is not the socket's process" \
    'bins.yaml:[0-9]+:[0-9]+: .*matchBinaries.*current task is not the socket.s process'
pol badarg <<'EOF'
  kprobes:
  - call: "__cgroup_bpf_run_filter_skb"
    syscall: false
    args:
    - index: 0
      type: "socket"
EOF
refused badarg "an argument the function does not have is refused" \
    'badarg.yaml:[0-9]+:[0-9]+: .*argument index 0 type socket: __cgroup_bpf_run_filter_skb has the arguments 0 sock, 1 skb, 2 int'
{ echo "  kprobes:"; hookhead; printf '    - matchArgs:\n'; ma 2 InMap 1; } | pol inmap
refused inmap "InMap on the attach type refused" 'inmap.yaml:[0-9]+:[0-9]+: .*operator InMap .*cannot be evaluated'
{ echo "  kprobes:"; hookhead; printf '    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n'; } | pol stack
refused stack "kernelStackTrace refused: the cgroup_skb programs take no stacks" 'stack.yaml:[0-9]+:[0-9]+: .*kernelStackTrace/userStackTrace: cgroup_skb/ingress\+egress record no stack traces'

# ---- Tetragon's datagram example ------------------------------------------------
EX=$top_srcdir/tests/data/tetragon-examples/datagram-with-sock-tracking.yaml
if printf '%s\n' "$out" | grep -Eq '^  kprobes +yes$'; then
	if add "$EX"; then ok "Tetragon's datagram example loads (kprobes)"; else
		not_ok "Tetragon's datagram example loads (kprobes)"; diag "$(cat "$T/add.out")"; fi
	del datagram
else
	refused_ex() {
		if add "$EX"; then not_ok "$1"; del datagram; else
			like "$1" "$(cat "$T/add.out")" "$2"; fi
	}
	refused_ex "Tetragon's datagram example refused as a whole: sk_alloc needs kprobes" \
	    'datagram-with-sock-tracking.yaml:[0-9]+:[0-9]+: kprobe "sk_alloc": kprobes are not available on this kernel'
fi

is "no skb hook loaded: programs detached" "$(progattached)" "0"
like "refused policies left nothing loaded" "$("$CTL" -S "$S" policy list)" "^no policies loaded"
kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" "0"
finish
