#!/bin/sh
# loaderd under a service manager, whose end of the sd_notify protocol is
# tests/lib/sdlisten.py on NOTIFY_SOCKET: READY=1 only once the start-up
# policy is attached and the collector consumes (and never when the store
# cannot open: loaderd exits 1 at the start-up deadline), STATUS lines,
# WATCHDOG=1 that stops while the collector is frozen (SIGSTOP) and comes
# back only once it was killed and replaced, and journald priority
# prefixes when stderr is the journal's stream.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env sd
need python3
plan 33

LISTEN=$top_srcdir/tests/lib/sdlisten.py
NS=$T/notify
OUT=$T/notify.log
# msgs PATTERN: the datagrams (seq, alive, text) matching PATTERN
msgs() { grep -E "	$1" "$OUT"; }
count() { msgs "$1" | wc -l; }
first_seq() { msgs "$1" | head -n 1 | cut -f 1; }
child_pid() { pgrep -P "$LPID" -x "$1" | head -n 1; }
# send_ns TEXT: a datagram of our own into the stream (a marker)
send_ns() {
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.sendto(sys.argv[2].encode(),sys.argv[1])' "$NS" "$1"
}

# the start-up policy, in STATE/policies.d
mkdir -m 0700 "$S/policies.d"
M=$T/m
mkdir "$M"
sel_pol sdpol </dev/null
mv "$P/sdpol.yaml" "$S/policies.d/"

# what is true at the moment READY=1 arrives (the listener waits for it)
cat >"$T/at_ready.sh" <<EOF
'$CTL' -S '$S' policy list --json >'$T/ready.policies' 2>&1
'$CTL' -S '$S' status --json >'$T/ready.status' 2>&1
sqlite3 '$DB' "SELECT name FROM sqlite_master WHERE name='events'" \
    >'$T/ready.db' 2>&1
EOF

python3 "$LISTEN" "$NS" "$OUT" "$T/at_ready.sh" &
LIS=$!
wait_for 10 test -S "$NS" || { echo "Bail out! no listener"; exit 99; }

# stderr is "the journal": JOURNAL_STREAM names the log file
: >"$T/loaderd.log"
JS=$(stat -c '%d:%i' "$T/loaderd.log")
LOADERD_ENV="NOTIFY_SOCKET=$NS WATCHDOG_USEC=10000000 JOURNAL_STREAM=$JS" \
    start_loaderd sdnode
check "READY=1 arrives" wait_for 30 grep -q "	READY=1" "$OUT"

# ---- readiness
is "READY=1 sent once" "$(count 'READY=1')" 1
is "no WATCHDOG=1 before READY=1" \
    "$(msgs 'WATCHDOG=1' | awk -v r="$(first_seq 'READY=1')" '$1 < r' | wc -l)" 0
like "at READY=1 the start-up policy is loaded" \
    "$(cat "$T/ready.policies")" "sdpol"
like "... with its hook attached" "$(cat "$T/ready.policies")" \
    '"state":"attached"'
check "at READY=1 the collector runs" python3 -c "import json,sys
d=json.load(open(sys.argv[1]))
c=[c for c in d['children'] if c['name']=='collectord'][0]
sys.exit(0 if c['state']=='running' and c['pid']>0 else 1)" "$T/ready.status"
is "at READY=1 the store is open (events table)" "$(cat "$T/ready.db")" events
like "READY=1 comes with a STATUS line" "$(msgs 'READY=1')" \
    "READY=1[|]STATUS=1 policies, [0-9]+ events/s, [0-9]+ records lost; collectord ok"
"$TR" openat "$M/sdpol-a" 0x41 >/dev/null
check "the collector consumes: the policy's event is stored" wait_rows sdpol "$M/sdpol-a"

# ---- STATUS and WATCHDOG=1
check "STATUS lines every few seconds" wait_for 30 \
    sh -c "[ \$(grep -c '	STATUS=' '$OUT') -ge 2 ]"
like "STATUS: policies, events/s, records lost, both children" \
    "$(msgs 'STATUS=' | tail -n 1)" \
    "STATUS=1 policies, [0-9]+ events/s, [0-9]+ records lost; collectord ok, notifierd ok"
check "WATCHDOG=1 pings" wait_for 30 \
    sh -c "[ \$(grep -c '	WATCHDOG=1' '$OUT') -ge 2 ]"
like "status shows the watchdog" "$("$CTL" -S "$S" status)" \
    "service manager   READY sent, watchdog every 10000ms: fed [1-9]"

# ---- a reload (SIGHUP, what ExecReload sends): RELOADING=1, then READY=1
# again once it is done, so that `systemctl reload` waits for it
rmark=$(tail -n 1 "$OUT" | cut -f 1)
kill -HUP "$LPID"
after() { msgs "$1" | awk -v m="$rmark" '$1 > m' | head -n 1 | cut -f 1; }
reready() { [ -n "$(after 'READY=1')" ]; }
check "SIGHUP: RELOADING=1 then READY=1" wait_for 20 \
    sh -c "[ -n \"\$(grep -E '	RELOADING=1' '$OUT' | awk -v m=$rmark '\$1 > m')\" ]"
wait_for 20 reready
rl_order() {
	_a=$(after 'RELOADING=1') _b=$(after 'READY=1')
	[ -n "$_a" ] && [ -n "$_b" ] && [ "$_a" -lt "$_b" ]
}
check "READY=1 follows RELOADING=1" rl_order

# ---- a frozen collector: no WATCHDOG=1 from when loaderd notices until
# it has been killed and replaced
C=$(child_pid collectord)
kill -STOP "$C"
send_ns "X-TEST-WATCH=$C"
wait_for 10 grep -q "X-TEST-WATCH=$C" "$OUT"
mark=$(first_seq "X-TEST-WATCH=$C")
held_after() {
	msgs 'STATUS=watchdog held: collectord' | awk -v m="$mark" '$1 > m' |
	    head -n 1 | cut -f 1
}
check "loaderd holds the watchdog for the frozen collector" wait_for 30 \
    sh -c "[ -n \"\$(grep -E '	STATUS=watchdog held: collectord' '$OUT' | awk -v m=$mark '\$1 > m')\" ]"
held=$(held_after)
like "... while it was alive: its health check is unanswered" \
    "$(msgs 'STATUS=watchdog held: collectord' | awk -v h="$held" '$1 == h')" \
    "held: collectord: health check unanswered"
check "WATCHDOG=1 comes back" wait_for 60 \
    sh -c "grep '	WATCHDOG=1' '$OUT' | awk -v h=$held '\$1 > h' | grep -q ."
is "no WATCHDOG=1 while the frozen collector was alive" \
    "$(msgs 'WATCHDOG=1' | awk -v h="$held" '$1 > h && $2 != 0' | wc -l)" 0
check "the frozen collector was killed" sh -c "! kill -0 $C 2>/dev/null"
N=$(child_pid collectord)
check "and replaced" [ -n "$N" -a "$N" != "$C" ]
like "the log says why" "$(cat "$T/loaderd.log")" \
    "collectord \(pid $C\): no health answer before the deadline; killing it"
"$TR" openat "$M/sdpol-b" 0x41 >/dev/null
check "the new collector consumes" wait_rows sdpol "$M/sdpol-b"

# ---- journald priorities: info <6>, warnings <3>, children too
L=$(cat "$T/loaderd.log")
like "loaderd lines carry <6>" "$L" "^<6>loaderd: ready: 1 policies attached"
like "warnings carry <3>" "$L" "^<3>loaderd: watchdog not fed: collectord"
like "the children's lines too" "$L" "^<6>collectord: "
is "no line without a priority" \
    "$(grep -Ec '^(loaderd|collectord|notifierd): ' "$T/loaderd.log")" 0

kill "$LPID"
wait "$LPID"
is "loaderd stops with status 0" "$?" 0
LPID=
like "STOPPING=1 last" "$(tail -n 1 "$OUT")" "STOPPING=1"

# ---- a store the collector cannot open: no READY=1, exit 1 at the
# deadline (JOURNAL_STREAM names another file: plain lines)
S2=$T/state2
mkdir -m 0750 "$S2"
head -c 8192 /dev/urandom >"$S2/events.db"
NS2=$T/notify2
python3 "$LISTEN" "$NS2" "$T/notify2.log" &
LIS="$LIS $!"
wait_for 10 test -S "$NS2"
NOTIFY_SOCKET=$NS2 TRIPLINE_STARTUP_TIMEOUT=5 JOURNAL_STREAM=$JS \
    timeout 120 "$B/tripline-loaderd" -d -v -S "$S2" -X "$B" -N sdnode \
    -V none >"$T/fail.log" 2>&1
is "loaderd exits 1 when not ready by the deadline" "$?" 1
is "no READY=1" "$(grep -c 'READY=1' "$T/notify2.log")" 0
like "STATUS says why" "$(cat "$T/notify2.log")" \
    "STATUS=not ready after 5 s: collectord: "
like "the log too, without priorities" "$(cat "$T/fail.log")" \
    "^loaderd: not ready 5 s after start \(collectord: "
finish
