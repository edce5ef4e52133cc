#!/bin/sh
# End to end: socket attribution on a kernel without kprobes.  A
# tracepoint policy on sock/inet_sock_set_state with the socket as a sock
# argument (skaddr, field 4) sees every TCP state change of a real
# connection on 127.0.0.1 and on ::1 between a server (perl) and a client
# (tests/integration/trigger).  The kernel runs many of those changes in
# softirq, in whatever task is current (the client's connect() runs the
# server's SYN_RECV on loopback); with the implicit socket tracking
# (cgroup sock_create / sock_release, raw tracepoints inet_sock_set_state
# for listen() and tcp_destroy_sock)
# every row about a server socket -- the listener and its accepted child
# -- names the server, every row about the client's socket the client.
# Without a sock argument (no attribution) the same connection gives
# misattributed rows.  matchBinaries still filters on the current task.
# When the tracking map is full the fallback (current task) is counted in
# `triplinectl status` and in the drops table (source sockown_full); the
# sockets' release frees the entries again.  Only 127.0.0.1 and ::1.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env socktrack
need perl

# conn ADDR: a perl server on ADDR (kernel's port) accepts one connection
# from trigger, reads to EOF, closes it and its listener.  Sets SPID, CPID
# (the two processes) and PORT.
conn() {
	rm -f "$T/srv" "$T/cli"
	perl -e '
use Socket qw(:all);
my ($addr) = @ARGV;
my $v6 = $addr =~ /:/;
socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die "socket: $!";
bind($s, $v6 ? pack_sockaddr_in6(0, inet_pton(AF_INET6, $addr)) :
    pack_sockaddr_in(0, inet_aton($addr))) or die "bind $addr: $!";
listen($s, 8) or die "listen: $!";
my $n = getsockname($s);
$| = 1;
print "$$ ", (($v6 ? unpack_sockaddr_in6($n) : unpack_sockaddr_in($n)))[0], "\n";
accept(my $c, $s) or die "accept: $!";
my $buf;
while (sysread($c, $buf, 64) > 0) { }
close($c);
close($s);' "$1" >"$T/srv" 2>>"$T/srv.err" &
	sp=$!
	wait_for 5 test -s "$T/srv" || { echo "Bail out! server on $1"; exit 99; }
	read -r SPID PORT <"$T/srv"
	sh -c 'echo $$ >"$1"; exec "$2" connect "$3" "$4"' sh "$T/cli" "$TR" \
	    "$1" "$PORT" >/dev/null
	read -r CPID <"$T/cli"
	wait "$sp"
}

# rows POLICY SQLEXPR_OF_SPORT SQLEXPR_OF_DPORT WHERE...: "pid|binary|old|new"
# of the policy's rows, ordered
rows() {
	q "SELECT p.pid || '|' || p.binary || '|' || $4 FROM events e
	    JOIN processes p ON p.exec_id = e.exec_id
	    WHERE e.policy_name = '$1' AND $2 ORDER BY e.id" | tr '\n' ' '
}
# the sock policy's columns: [0] sock, [1] old, [2] new, [3] sport, [4] dport
J='json_extract(e.args'
SOCKCOLS="$J, '\$[1].int_arg') || '>' || $J, '\$[2].int_arg')"
SP="$J, '\$[3].uint_arg')"
DP="$J, '\$[4].uint_arg')"

# sockpol NAME [BINARY] [nosock]: the tracepoint policy (nosock: without
# the sock argument), with a matchBinaries selector on BINARY
sockpol() {
	{
		printf '  tracepoints:\n  - subsystem: "sock"\n'
		printf '    event: "inet_sock_set_state"\n    args:\n'
		[ -z "${3:-}" ] && printf '    - index: 4\n      type: "sock"\n'
		printf '    - index: %s\n      type: "int"\n' 5 6
		printf '    - index: %s\n      type: "uint16"\n' 7 8
		[ -n "${2:-}" ] && cat <<EOF
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$2"
EOF
	} | pol "$1"
}

# every row of $1 about port $PORT (sport: the server's sockets, dport: the
# client's) names the server resp. the client; $2 names the address
check_owner() {
	wait_for 10 row_exists "SELECT 1 FROM events e WHERE e.policy_name='$1'
	    AND $SP = $PORT AND $J, '\$[1].int_arg') = 10 AND $J, '\$[2].int_arg') = 7" ||
	    diag "no listener close row for $2"
	srv=$(rows "$1" "$SP = $PORT" "" "$SOCKCOLS")
	cli=$(rows "$1" "$DP = $PORT" "" "$SOCKCOLS")
	diag "$2 server $SPID: $srv"
	diag "$2 client $CPID: $cli"
	nsrv=$(q "SELECT count(*) FROM events e WHERE e.policy_name='$1' AND $SP = $PORT")
	ncli=$(q "SELECT count(*) FROM events e WHERE e.policy_name='$1' AND $DP = $PORT")
	check "$2: the server's sockets changed state at least 7 times" [ "$nsrv" -ge 7 ]
	check "$2: the client's socket changed state at least 4 times" [ "$ncli" -ge 4 ]
	is "$2: every row about the listener and the accepted socket names the server (perl, pid $SPID)" \
	    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id
	        WHERE e.policy_name='$1' AND $SP = $PORT AND p.pid = $SPID
	        AND p.binary = '$(readlink -f "$(command -v perl)")'")" "$nsrv"
	is "$2: every row about the client's socket names the client (trigger, pid $CPID)" \
	    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id
	        WHERE e.policy_name='$1' AND $DP = $PORT AND p.pid = $CPID
	        AND p.binary = '$TR'")" "$ncli"
	# the transitions the kernel runs in softirq, in the other process
	like "$2: the accepted socket's LISTEN>SYN_RECV and ESTABLISHED>CLOSE_WAIT name the server" \
	    "$srv" "$SPID\\|[^ ]*\\|10>3 .*$SPID\\|[^ ]*\\|1>8 "
	like "$2: the client's SYN_SENT>ESTABLISHED names the client" "$cli" \
	    "$CPID\\|[^ ]*\\|2>1 "
}

plan 26

start_loaderd socknode

# ---- without attribution (no sock argument): misattributed rows ----------
sockpol plainst "" nosock
add "$P/plainst.yaml" || diag "$(cat "$T/add.out")"
conn 127.0.0.1
PP="$J, '\$[2].uint_arg')"
wait_for 10 row_exists "SELECT 1 FROM events e WHERE e.policy_name='plainst' AND $PP = $PORT AND $J, '\$[0].int_arg') = 10"
diag "no attribution: $(rows plainst "$PP = $PORT" "" "$J, '\$[0].int_arg') || '>' || $J, '\$[1].int_arg')")"
check "without a sock argument some rows about the server's sockets name another process (softirq)" \
    [ "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id
        WHERE e.policy_name='plainst' AND $PP = $PORT AND p.pid != $SPID")" -gt 0 ]
del plainst

# ---- with the sock argument: every row names the socket's owner -----------
sockpol socktrack
if add "$P/socktrack.yaml"; then ok "tracepoint policy with a sock argument loaded"; else
	not_ok "tracepoint policy with a sock argument loaded"; diag "$(cat "$T/add.out")"; fi
like "loaderd attached the implicit socket tracking" "$(cat "$T/loaderd.log")" \
    "socket tracking attached \\(cgroup/sock_create and cgroup/sock_release on the cgroup2 root .*, raw_tp/inet_sock_set_state, raw_tp/tcp_destroy_sock\\)"
conn 127.0.0.1
check_owner socktrack "IPv4"
conn ::1
check_owner socktrack "IPv6"
del socktrack

# ---- matchBinaries runs on the current task, the row names the owner ------
sockpol sockbin "$TR"
add "$P/sockbin.yaml" || diag "$(cat "$T/add.out")"
conn 127.0.0.1
wait_for 10 row_exists "SELECT 1 FROM events e WHERE e.policy_name='sockbin' AND $DP = $PORT"
diag "matchBinaries trigger: $(rows sockbin "($SP = $PORT OR $DP = $PORT)" "" "$SOCKCOLS")"
check "matchBinaries (the client) passes the server's LISTEN>SYN_RECV the client's connect() ran; the row names the server" \
    row_exists "SELECT 1 FROM events e JOIN processes p ON p.exec_id = e.exec_id
        WHERE e.policy_name='sockbin' AND $SP = $PORT AND p.pid = $SPID
        AND $J, '\$[1].int_arg') = 10 AND $J, '\$[2].int_arg') = 3"
is "matchBinaries (the client) does not pass the server's own listen() (CLOSE>LISTEN)" \
    "$(q "SELECT count(*) FROM events e WHERE e.policy_name='sockbin' AND $SP = $PORT
        AND $J, '\$[2].int_arg') = 10")" "0"
del sockbin

# ---- the tracking map full: counted, stored, the current task named -------
sockpol socktrack
add "$P/socktrack.yaml" || diag "$(cat "$T/add.out")"
before=$("$CTL" -S "$S" status --json | sed -n 's/.*"socket_tracking":{"map_full":\([0-9]*\)}.*/\1/p')
is "status --json: socket_tracking.map_full starts at 0" "$before" "0"
# more UDP sockets than the map holds (SOCKOWN_ENTRIES = 65536), kept
# open by 4 processes (RLIMIT_NOFILE)
for i in 1 2 3 4; do
	perl -e '
use Socket qw(:all);
my @s;
for (1 .. 16600) { socket(my $s, AF_INET, SOCK_DGRAM, 0) or die "socket $_: $!"; push @s, $s; }
open(my $f, ">", $ARGV[0]) or die; close($f);
sleep 600;' "$T/filled$i" 2>>"$T/filler.err" &
	KIDS="$KIDS $!"
done
wait_for 60 test -e "$T/filled1" -a -e "$T/filled2" -a -e "$T/filled3" -a -e "$T/filled4" ||
    diag "filler: $(cat "$T/filler.err")"
conn 127.0.0.1
full=$("$CTL" -S "$S" status --json | sed -n 's/.*"socket_tracking":{"map_full":\([0-9]*\)}.*/\1/p')
check "status --json counts the sockets the full map could not track ($full)" [ "${full:-0}" -gt 0 ]
like "status names them" "$("$CTL" -S "$S" status)" \
    "socket tracking +$full sockets not tracked \\(map full"
check "a drops row of source sockown_full is stored" wait_for 10 row_exists \
    "SELECT 1 FROM drops WHERE source = 'sockown_full' AND count > 0"
check "map full: the untracked listener's rows fall back to the current task (some name the client)" \
    row_exists "SELECT 1 FROM events e JOIN processes p ON p.exec_id = e.exec_id
        WHERE e.policy_name='socktrack' AND $SP = $PORT AND p.pid != $SPID"
kill $KIDS
wait $KIDS 2>/dev/null
KIDS=
# sock_release untracked the 66000 UDP sockets: room again
last=$(q "SELECT max(id) FROM events")
conn 127.0.0.1
wait_for 10 row_exists "SELECT 1 FROM events e WHERE e.policy_name='socktrack'
    AND e.id > $last AND $SP = $PORT AND $J, '\$[2].int_arg') = 7 AND $J, '\$[1].int_arg') = 10"
is "after the sockets are closed, their entries are gone: the server's rows name the server again" \
    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id
        WHERE e.policy_name='socktrack' AND e.id > $last AND $SP = $PORT AND p.pid != $SPID")" "0"
nlog=$(wc -l <"$T/loaderd.log")
del socktrack
# (a "map full" report of the closed sockets may still come first)
detached() { tail -n +$((nlog + 1)) "$T/loaderd.log" | grep -q 'socket tracking detached'; }
wait_for 10 detached
like "no hook with a socket argument left: tracking detached" \
    "$(tail -n +$((nlog + 1)) "$T/loaderd.log" | grep 'socket tracking detached' | tail -1)" "socket tracking detached"

# ---- a hook run in the calling task needs no tracking ---------------------
# tcp_connect without kprobes is carried out by cgroup/connect4+6, in the
# task calling connect(): the socket's owner is the current task, so
# loading it attaches no tracking; its row names the client all the same
natt=$(grep -c 'socket tracking attached' "$T/loaderd.log")
pol cgconn <<'EOF'
  kprobes:
  - call: "tcp_connect"
    syscall: false
    args:
    - index: 0
      type: "sock"
    selectors:
    - matchArgs:
      - index: 0
        operator: "DAddr"
        values:
        - "127.0.0.1/32"
EOF
add "$P/cgconn.yaml" || diag "$(cat "$T/add.out")"
is "a tcp_connect policy (cgroup/connect4+6, in the caller) attaches no socket tracking" \
    "$(grep -c 'socket tracking attached' "$T/loaderd.log")" "$natt"
conn 127.0.0.1
check "its row names the client (trigger, pid $CPID)" wait_for 10 row_exists \
    "SELECT 1 FROM events e JOIN processes p ON p.exec_id = e.exec_id
        WHERE e.policy_name='cgconn' AND p.pid = $CPID AND p.binary = '$TR'"
del cgconn

finish
