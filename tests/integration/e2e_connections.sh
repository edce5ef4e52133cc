#!/bin/sh
# End to end: the connections view and `triplinectl tail` for network
# events, on a kernel without kprobes.  A tracepoint policy on
# sock/inet_sock_set_state (the sock at field 4, newstate at field 6)
# records every TCP state change; real TCP on 127.0.0.1 and ::1 between
# two processes (a perl listener, tests/integration/trigger connecting from
# this shell) must show in the view with the process, its parent, the
# 5-tuple and the state changes in time order, and in tail as one line.
# Only 127.0.0.1 and ::1 are ever connected to.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env conn
need perl
. "$top_srcdir/tests/lib/netops.sh"
PERL=$(readlink -f "$(command -v perl)")
SH=$(readlink -f /proc/$$/exe)

# cq COND: the client's rows (trigger) of connections matching COND
cq() { q "SELECT $1 FROM connections WHERE binary = '$TR' AND $2"; }

plan 36

start_loaderd connnode
pol conns <<'EOF'
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    args:
    - index: 4
      type: "sock"
    - index: 6
      type: "int"
      label: "newstate"
EOF
if add "$P/conns.yaml"; then ok "tracepoint policy on sock/inet_sock_set_state loaded"; else
	not_ok "tracepoint policy on sock/inet_sock_set_state loaded"; diag "$(cat "$T/add.out")"; fi
is "the store has schema 9 and the connections view" \
    "$(q "SELECT (SELECT user_version FROM pragma_user_version) || ' ' || type FROM sqlite_master WHERE name = 'connections'")" "9 view"

P4=$(listen -r 127.0.0.1 p4)
P6=$(listen -r ::1 p6)
L4=$(cat "$T/p4.pid")
is "connect to 127.0.0.1 works" "$("$TR" connect 127.0.0.1 "$P4")" "ret=0 errno=0"
is "connect to [::1] works" "$("$TR" connect ::1 "$P6")" "ret=0 errno=0"

# the client socket's rows: connect (CLOSE -> SYN_SENT) .. close
if wait_for 10 row_exists "SELECT 1 FROM connections WHERE binary = '$TR' AND daddr = '::1' AND dport = $P6 AND state = 'TCP_ESTABLISHED'"; then
	ok "the client's state changes reached the view"
else
	not_ok "the client's state changes reached the view"
	diag "$(q "SELECT * FROM connections" | tail -20)"
fi

# --- IPv4 -----------------------------------------------------------------
W4="family = 'AF_INET' AND daddr = '127.0.0.1' AND dport = $P4"
is "IPv4: the process and its arguments" \
    "$(cq "DISTINCT binary || ' ' || arguments" "$W4")" "$TR connect 127.0.0.1 $P4"
is "IPv4: the parent is this shell" \
    "$(cq "DISTINCT parent_binary || '[' || parent_pid || ']'" "$W4")" "$SH[$$]"
is "IPv4: the first state changes in time order, with the direction" \
    "$(q "SELECT group_concat(state || '>' || new_state || ':' || IFNULL(direction, '-'), ' ') FROM (SELECT state, new_state, direction FROM connections WHERE binary = '$TR' AND $W4 ORDER BY time_ns, event_id LIMIT 3)")" \
    "TCP_CLOSE>TCP_SYN_SENT:out TCP_SYN_SENT>TCP_ESTABLISHED:out TCP_ESTABLISHED>TCP_FIN_WAIT1:-"
SP4=$(cq "sport" "$W4 AND state = 'TCP_SYN_SENT'")
is "IPv4: the 5-tuple once the port is bound" \
    "$(cq "protocol || ' ' || saddr || ':' || sport || ' ' || daddr || ':' || dport" "$W4 AND state = 'TCP_SYN_SENT'")" \
    "IPPROTO_TCP 127.0.0.1:$SP4 127.0.0.1:$P4"
like "IPv4: the client port is an ephemeral one" "$SP4" '^[1-9][0-9]+$'
is "IPv4: the times follow the order the rows were stored in" \
    "$(q "SELECT count(*) FROM connections a JOIN connections b ON b.event_id > a.event_id WHERE a.binary = '$TR' AND b.binary = '$TR' AND a.dport = $P4 AND b.dport = $P4 AND b.time_ns < a.time_ns")" "0"
like "IPv4: an ISO time with nanoseconds" \
    "$(cq "time" "$W4 AND state = 'TCP_SYN_SENT'")" '^20[0-9-]+T[0-9:]+\.[0-9]{9}Z$'

# --- IPv6 -----------------------------------------------------------------
W6="family = 'AF_INET6' AND daddr = '::1' AND dport = $P6"
is "IPv6: the process, parent and first state changes" \
    "$(cq "DISTINCT binary || ' ' || arguments || ' <- ' || parent_binary" "$W6")" \
    "$TR connect ::1 $P6 <- $SH"
is "IPv6: SYN_SENT -> ESTABLISHED with the 5-tuple" \
    "$(cq "saddr || ' ' || daddr || ' ' || protocol || ' ' || new_state" "$W6 AND state = 'TCP_SYN_SENT'")" \
    "::1 ::1 IPPROTO_TCP TCP_ESTABLISHED"

# --- the other process: the listener -----------------------------------------
is "the listener's LISTEN is its own (perl, not the client)" \
    "$(q "SELECT binary || '[' || pid || '] ' || state || '>' || new_state FROM connections WHERE saddr = '127.0.0.1' AND sport = $P4 AND new_state = 'TCP_LISTEN'")" \
    "$PERL[$L4] TCP_CLOSE>TCP_LISTEN"

# --- the documented query (docs/schema.md) -------------------------------------
is "who talked to 127.0.0.1:P4, started by what" \
    "$(q "SELECT DISTINCT binary, pid, arguments, parent_binary, parent_pid FROM connections WHERE daddr = '127.0.0.1' AND dport = $P4 AND binary = '$TR'" | sed 's/|[0-9]*|/|N|/')" \
    "$TR|N|connect 127.0.0.1 $P4|$SH|$$"

# --- tail -------------------------------------------------------------------------
TL=$("$CTL" -S "$S" tail -n 100000 --no-follow 2>&1)
like "tail: one line for the IPv4 connect" "$TL" \
    " conns sock/inet_sock_set_state $TR\\[[0-9]+\\] tcp 127\\.0\\.0\\.1:$SP4 -> 127\\.0\\.0\\.1:$P4 SYN_SENT->ESTABLISHED out  <- $$ $SH\$"
like "tail: IPv6 in brackets" "$TL" \
    " conns sock/inet_sock_set_state $TR\\[[0-9]+\\] tcp \\[::1\\]:[0-9]+ -> \\[::1\\]:$P6 SYN_SENT->ESTABLISHED out  <- $$ "
J=$(grep '"policy_name":"conns"' "$S/events.jsonl" | grep "\"dport\":$P4" | head -1)
like "JSON line: process_tracepoint with sock_arg and the labelled newstate" "$J" \
    '^\{"process_tracepoint":.*"subsys":"sock","event":"inet_sock_set_state".*"sock_arg":\{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP",.*\{"int_arg":[0-9]+,"label":"newstate"\}'

# ---- the shipped network examples (policies/examples/net-*.yaml) ---------------
# The tracepoint forms load and fire here; the kprobe forms are refused
# with a reason naming kprobes, unless this build carries the hook out
# without them (cgroup programs: then they load).
PE=$top_srcdir/policies/examples
del conns
for f in net-socket-tracking net-tcp-connect net-tcp-listen net-tcp-accept net-udp-datagrams; do
	name=$(sed -n 's/^  name: *"*\([^"]*\)"*$/\1/p' "$PE/$f.yaml")
	if add "$PE/$f.yaml"; then
		ok "$f (kprobe form): loaded, carried out without kprobes"
		diag "$f: $("$CTL" -S "$S" policy list | grep -A3 "$name" | tr '\n' ' ')"
		del "$name"
	else
		like "$f (kprobe form): refused here, naming kprobes" "$(cat "$T/add.out")" "kprobe"
	fi
done
for f in net-tcp-connect-tp net-tcp-listen-tp net-tcp-accept-tp; do
	if add "$PE/$f.yaml"; then ok "$f loads"; else
		not_ok "$f loads"; diag "$(cat "$T/add.out")"; fi
done
E4=$(listen -r 127.0.0.1 e4)
E6=$(listen -r ::1 e6)
EL=$(cat "$T/e4.pid")
"$TR" connect 127.0.0.1 "$E4" >/dev/null
"$TR" connect ::1 "$E6" >/dev/null
# the last change of these connections: the server's child socket closes
# after the client's FIN (CLOSE_WAIT -> LAST_ACK -> CLOSE)
wait_for 10 row_exists "SELECT 1 FROM connections WHERE policy_name = 'tcp-listen-tp' AND sport = $E6" ||
    diag "no listen row for [::1]:$E6"
is "net-tcp-listen-tp: the listener's LISTEN (perl, its address and port)" \
    "$(q "SELECT binary || '[' || pid || '] ' || saddr || ':' || sport || ' ' || new_state FROM connections WHERE policy_name = 'tcp-listen-tp' AND sport = $E4")" \
    "$PERL[$EL] 127.0.0.1:$E4 TCP_LISTEN"
is "net-tcp-listen-tp: only changes to LISTEN" \
    "$(q "SELECT count(*) FROM connections WHERE policy_name = 'tcp-listen-tp' AND new_state != 'TCP_LISTEN'")" "0"
sleep 1
is "net-tcp-connect-tp: the connect to 127.0.0.1 (CLOSE -> SYN_SENT) by trigger" \
    "$(q "SELECT binary || ' ' || state || '>' || new_state || ' ' || direction FROM connections WHERE policy_name = 'tcp-connect-tp' AND dport = $E4 AND new_state = 'TCP_SYN_SENT'")" \
    "$TR TCP_CLOSE>TCP_SYN_SENT out"
wait_for 10 row_exists "SELECT 1 FROM connections WHERE policy_name = 'tcp-connect-tp' AND dport = $E4 AND new_state = 'TCP_CLOSE'"
is "net-tcp-connect-tp: the close of that connection (-> CLOSE)" \
    "$(q "SELECT count(*) > 0 FROM connections WHERE policy_name = 'tcp-connect-tp' AND dport = $E4 AND new_state = 'TCP_CLOSE'")" "1"
is "net-tcp-connect-tp: no other change, no other address" \
    "$(q "SELECT count(*) FROM connections WHERE policy_name = 'tcp-connect-tp' AND (new_state NOT IN ('TCP_SYN_SENT', 'TCP_CLOSE') OR daddr != '127.0.0.1')")" "0"
is "net-tcp-accept-tp: the accepted socket (SYN_RECV -> ESTABLISHED) on the listener's port" \
    "$(q "SELECT state || '>' || new_state || ' ' || saddr || ':' || sport || ' ' || direction FROM connections WHERE policy_name = 'tcp-accept-tp' AND sport = $E4")" \
    "TCP_SYN_RECV>TCP_ESTABLISHED 127.0.0.1:$E4 in"
is "net-tcp-accept-tp: the IPv6 one too" \
    "$(q "SELECT count(*) FROM connections WHERE policy_name = 'tcp-accept-tp' AND sport = $E6 AND saddr = '::1'")" "1"
is "net-tcp-accept-tp: no other change" \
    "$(q "SELECT count(*) FROM connections WHERE policy_name = 'tcp-accept-tp' AND (state != 'TCP_SYN_RECV' OR new_state != 'TCP_ESTABLISHED')")" "0"

kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" "0"
finish
