#!/bin/sh
# tests/vm/socktrack.sh BUILDDIR -- socket tracking with kprobes (TAP).
#
# Runs as root INSIDE the VM (tests/integration/vm_socktrack.sh).  A perl
# server and tests/integration/trigger (the client) make real TCP
# connections on 127.0.0.1; the kernel runs the server's half of the
# handshake in the client's connect() (softirq on loopback).
#  1. the talk's socket-tracking policy: sk_alloc (kretprobe, returnArg
#     sock, returnArgAction TrackSock), __sk_free (UntrackSock), and
#     tcp_connect, tcp_close, inet_csk_listen_start, tcp_set_state,
#     tcp_create_openreq_child (returnArgAction TrackSock: the accepted
#     socket gets the listener's owner): every row about the server's
#     sockets names the server, about the client's the client; a hook on
#     tcp_set_state without a sock argument names the task the kernel ran
#     (the client for both ESTABLISHED changes)
#  2. Tetragon's tcp-listen.yaml: a listener on 1337 is reported with the
#     server's process, one on another port is not
. "$(dirname "$0")/guestlib.sh"

PERL=$(readlink -f "$(command -v perl)")
TRB=$(readlink -f "$TR")

# serve ADDR PORT: a perl server on ADDR:PORT (0: the kernel's choice)
# accepting one connection from trigger; sets SPID, CPID, PORT
serve() {
	rm -f "$D/srv" "$D/cli"
	perl -e '
use Socket qw(:all);
my ($addr, $port) = @ARGV;
socket(my $s, AF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
bind($s, pack_sockaddr_in($port, inet_aton($addr))) or die "bind: $!";
listen($s, 8) or die "listen: $!";
$| = 1;
print "$$ ", (unpack_sockaddr_in(getsockname($s)))[0], "\n";
accept(my $c, $s) or die "accept: $!";
my $buf;
while (sysread($c, $buf, 64) > 0) { }
close($c);
close($s);' "$1" "$2" >"$D/srv" 2>>"$D/srv.err" &
	_sp=$!
	wait_secs 20 test -s "$D/srv" || { echo "Bail out! server"; exit 99; }
	read -r SPID PORT <"$D/srv"
	sh -c 'echo $$ >"$1"; exec "$2" connect "$3" "$4"' sh "$D/cli" "$TR" \
	    "$1" "$PORT" >/dev/null
	read -r CPID <"$D/cli"
	wait "$_sp"
}

# n POLICY FUNCTION WHERE: rows of the hook matching WHERE (e, p joined)
n() {
	q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id
	    WHERE e.policy_name = '$1' AND e.function_name = '$2' AND $3"
}
SK="json_extract(e.args, '\$[0].sock_arg"
# who POLICY FUNCTION: "pid:side" of its rows (side s: sport is PORT)
who() {
	q "SELECT p.pid || ':' || CASE WHEN $SK.sport') = $PORT THEN 's' ELSE 'c' END
	    FROM events e JOIN processes p ON p.exec_id = e.exec_id
	    WHERE e.policy_name = '$1' AND e.function_name = '$2'
	    AND ($SK.sport') = $PORT OR $SK.dport') = $PORT) ORDER BY e.id" | tr '\n' ' '
}

plan 13

# ---- 1. the talk's socket-tracking policy ---------------------------------
section "1 socket tracking"
cat >"$P/socktrack.yaml" <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "vm-socktrack"
spec:
  kprobes:
  - call: "sk_alloc"
    syscall: false
    return: true
    args:
    - index: 1
      type: int
      label: "family"
    returnArg:
      type: sock
    returnArgAction: TrackSock
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - 2
        - 10
      matchActions:
      - action: NoPost
  - call: "__sk_free"
    syscall: false
    args:
    - index: 0
      type: sock
    selectors:
    - matchArgs:
      - index: 0
        operator: "Family"
        values:
        - "AF_INET"
        - "AF_INET6"
      matchActions:
      - action: UntrackSock
        argSock: 0
      - action: NoPost
  - call: "tcp_connect"
    syscall: false
    args:
    - index: 0
      type: "sock"
  - call: "tcp_close"
    syscall: false
    args:
    - index: 0
      type: "sock"
  - call: "inet_csk_listen_start"
    syscall: false
    args:
    - index: 0
      type: "sock"
  - call: "tcp_set_state"
    syscall: false
    args:
    - index: 0
      type: "sock"
    - index: 1
      type: "int"
      label: "state"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - 1
  - call: "tcp_create_openreq_child"
    syscall: false
    return: true
    args:
    - index: 0
      type: "sock"
    returnArg:
      type: sock
    returnArgAction: TrackSock
EOF
cat >"$P/nosock.yaml" <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "vm-nosock"
spec:
  kprobes:
  - call: "tcp_set_state"
    syscall: false
    args:
    - index: 1
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - 1
EOF
if addp "$P/socktrack.yaml" && addp "$P/nosock.yaml"; then
	ok "socket-tracking policy (sk_alloc TrackSock, __sk_free UntrackSock, 5 TCP hooks) loaded"
	last=$(q "SELECT coalesce(max(id), 0) FROM events")
	serve 127.0.0.1 0
	wrow "SELECT 1 FROM events WHERE policy_name='vm-socktrack' AND function_name='tcp_close' AND id > $last AND args LIKE '%\"sport\":$PORT%'"
	for f in inet_csk_listen_start tcp_connect tcp_set_state tcp_create_openreq_child tcp_close; do
		diag "$f: $(who vm-socktrack $f) (server $SPID, client $CPID)"
	done
	is "inet_csk_listen_start names the server" \
	    "$(n vm-socktrack inet_csk_listen_start "$SK.sport') = $PORT AND p.pid = $SPID")" 1
	is "tcp_connect names the client" \
	    "$(n vm-socktrack tcp_connect "$SK.dport') = $PORT AND p.pid = $CPID")" 1
	is "tcp_create_openreq_child (run in the client's connect) names the listener's owner" \
	    "$(n vm-socktrack tcp_create_openreq_child "p.pid = $SPID AND e.id > $last")" 1
	is "tcp_set_state ESTABLISHED of the accepted socket (run in the client's connect) names the server" \
	    "$(n vm-socktrack tcp_set_state "$SK.sport') = $PORT AND p.pid = $SPID AND p.binary = '$PERL'")" 1
	is "tcp_set_state ESTABLISHED of the client's socket names the client" \
	    "$(n vm-socktrack tcp_set_state "$SK.dport') = $PORT AND p.pid = $CPID AND p.binary = '$TRB'")" 1
	is "tcp_close: the server's two sockets name the server, the client's the client" \
	    "$(n vm-socktrack tcp_close "(($SK.sport') = $PORT AND p.pid = $SPID) OR ($SK.dport') = $PORT AND p.pid = $CPID))")" 3
	# the task the kernel ran each change in: the client's connect() or
	# a kernel thread (ksoftirqd), never the server waiting in accept()
	is "without a sock argument the two ESTABLISHED changes name the task the kernel ran, not the server" \
	    "$(q "SELECT count(*) || ' ' || sum(p.pid = $SPID) FROM events e JOIN processes p ON p.exec_id = e.exec_id
	        WHERE e.policy_name = 'vm-nosock' AND e.id > $last")" "2 0"
	m=$(plist vm-socktrack | grep -A1 ' __sk_free:' | tail -n 1)
	diag "__sk_free: $m"
	like "__sk_free (UntrackSock) ran" "$m" "matched [1-9]"
	"$CTL" -S "$S" policy delete vm-nosock >/dev/null 2>&1
	"$CTL" -S "$S" policy delete vm-socktrack >/dev/null 2>&1
else
	not_ok "socket-tracking policy loaded"; n_not_ok 8 "socket tracking"
fi

# ---- 2. Tetragon's tcp-listen.yaml -----------------------------------------
section "2 tcp-listen.yaml"
if addp "$EX/tcp-listen.yaml"; then
	ok "tcp-listen.yaml loaded"
	serve 127.0.0.1 1337
	S1337=$SPID
	serve 127.0.0.1 1338
	wrow "SELECT 1 FROM events WHERE policy_name='tcp-listen' AND function_name='inet_csk_listen_start'"
	diag "$(q "SELECT p.pid || ' ' || e.args FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='tcp-listen'")"
	got=$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id
	    WHERE e.policy_name='tcp-listen' AND $SK.sport') = 1337 AND p.pid = $S1337
	    AND p.binary = '$PERL'")
	d="a listener on 1337 is reported with its process"
	if [ "$got" = 1 ]; then ok "$d"; else
		_tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $d"; diag "got: $got"; fi
	is "a listener on 1338 is not reported" \
	    "$(q "SELECT count(*) FROM events e WHERE e.policy_name='tcp-listen' AND $SK.sport') = 1338")" 0
	is "tcp-listen.yaml posts nothing else (sk_alloc and __sk_free: NoPost)" \
	    "$(q "SELECT count(*) FROM events WHERE policy_name='tcp-listen' AND function_name != 'inet_csk_listen_start'")" 0
	"$CTL" -S "$S" policy delete tcp-listen >/dev/null 2>&1
else
	not_ok "tcp-listen.yaml loaded"; n_not_ok 3 "tcp-listen"
fi

section ""
finish
