#!/bin/sh
# End to end: loaderd + collectord + notifierd with real BPF on this kernel.
# A known command line from a known parent shell in a known cwd must reach
# events.db and events.jsonl with the right fields; the children must run
# unprivileged under seccomp; a SIGKILLed collector is respawned without
# losing the pipeline; SIGTERM leaves a consistent database.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env e2e
W=$T/work
mkdir -p "$W"
W=$(cd "$W" && pwd -P)
M=e2e$$
SLEEPER=
e2e_cleanup_more() { [ -n "$SLEEPER" ] && kill -9 "$SLEEPER" 2>/dev/null; }

plan 31

# a process that exists before tripline starts
sleep 1000 &
SLEEPER=$!

start_loaderd e2enode
if ! wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'notifierd  *running'"; then
	diag "loaderd log:"; sed 's/^/# /' "$T/loaderd.log"
	echo "Bail out! notifierd did not come up"; exit 99
fi
ok "loaderd, collectord and notifierd running"

st=$("$B/triplinectl" -S "$S" status)
like "status lists attached exec program" "$st" "sched_process_exec.*attached"
like "status shows ring buffer drops" "$st" "ring buffer .* dropped"
like "status --json" "$("$B/triplinectl" -S "$S" status --json)" '"ring_buffer":\{"size":[0-9]+,"emitted":[0-9]+,"dropped":0'

# the pre-existing process, flagged procFS
wait_for 10 row_exists "SELECT 1 FROM processes WHERE pid=$SLEEPER AND flags LIKE '%procFS%'"
is "pre-existing process has flag procFS" \
    "$(q "SELECT binary FROM processes WHERE pid=$SLEEPER AND flags LIKE '%procFS%'")" \
    "$(readlink -f /bin/sleep)"

# a known command from a known parent shell in a known cwd
/bin/sh -c "cd '$W' && /bin/true $M-true 'two words'; exit 0"
sel="FROM processes WHERE arguments LIKE '$M-true%'"
wait_for 10 row_exists "SELECT 1 $sel AND exit_time IS NOT NULL"
is "exec: binary" "$(q "SELECT binary $sel")" "$(readlink -f /bin/true)"
is "exec: arguments quoted like Tetragon" "$(q "SELECT arguments $sel")" "$M-true \"two words\""
is "exec: cwd" "$(q "SELECT cwd $sel")" "$W"
is "exec: uid" "$(q "SELECT uid $sel")" "0"
is "exec: parent binary is the shell" \
    "$(q "SELECT p.binary FROM processes c JOIN processes p ON p.exec_id=c.parent_exec_id WHERE c.arguments LIKE '$M-true%'")" \
    "$(readlink -f /bin/sh)"
is "process_exec event row" \
    "$(q "SELECT count(*) FROM events e JOIN processes p USING(exec_id) WHERE e.type='process_exec' AND p.arguments LIKE '$M-true%'")" "1"
is "process_exit event row with status 0" \
    "$(q "SELECT p.exit_code FROM events e JOIN processes p USING(exec_id) WHERE e.type='process_exit' AND p.arguments LIKE '$M-true%'")" "0"
is "ancestors view reaches the shell" \
    "$(q "SELECT a.binary FROM process_ancestors a JOIN processes p ON p.exec_id=a.exec_id WHERE p.arguments LIKE '$M-true%' AND a.depth=1")" \
    "$(readlink -f /bin/sh)"
like "time is ISO-8601 UTC with nanoseconds" \
    "$(q "SELECT e.time FROM events e JOIN processes p USING(exec_id) WHERE p.arguments LIKE '$M-true%' LIMIT 1")" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$'

# exit code and signal
/bin/sh -c 'exit 7' "$M-exit7"
sleep 1000 &
K=$!
sleep 0.3
kill -9 $K; wait $K 2>/dev/null
wait_for 10 row_exists "SELECT 1 FROM processes WHERE arguments LIKE '%$M-exit7%' AND binary NOT LIKE '%sqlite3' AND exit_time IS NOT NULL"
is "exit code 7" "$(q "SELECT exit_code FROM processes WHERE arguments LIKE '%$M-exit7%' AND binary NOT LIKE '%sqlite3'")" "7"
wait_for 10 row_exists "SELECT 1 FROM processes WHERE pid=$K AND exit_time IS NOT NULL"
is "killed process: exit_signal 9" "$(q "SELECT exit_signal FROM processes WHERE pid=$K AND arguments = '1000'")" "9"
like "killed process: exit event args name SIGKILL" \
    "$(q "SELECT e.args FROM events e JOIN processes p USING(exec_id) WHERE e.type='process_exit' AND p.pid=$K")" '"signal":"SIGKILL"'

# JSON export in Tetragon's field names
J=$(grep "\"arguments\":\"$M-true" "$S/events.jsonl" | grep '"process_exec"' | head -1)
like "jsonl: process_exec.process.binary" "$J" "\"process_exec\":\\{\"process\":\\{.*\"binary\":\"$(readlink -f /bin/true)\""
like "jsonl: parent binary" "$J" "\"parent\":\\{.*\"binary\":\"$(readlink -f /bin/sh)\""

# the children: users, capabilities, seccomp
for name in collectord notifierd; do
	pid=$(pgrep -P "$LPID" -x "$name" | head -1)
	user=tripline; [ "$name" = notifierd ] && user=tripline-notify
	is "$name runs as $user" "$(ps -o user= -p "$pid" | tr -d ' ')" "$user"
	like "$name has no capabilities and seccomp filter" \
	    "$(grep -E '^(CapEff|Seccomp):' /proc/$pid/status | tr -s '\t ' ' ' | tr '\n' ' ')" \
	    "CapEff: 0000000000000000 Seccomp: 2"
done

like "loaderd trimmed its capabilities" "$(cat "$T/loaderd.log")" "capabilities trimmed"

# SIGKILL the collector: respawned, events keep arriving
old=$(pgrep -P "$LPID" -x collectord | head -1)
kill -9 "$old"
if wait_for 20 sh -c "p=\$(pgrep -P $LPID -x collectord); [ -n \"\$p\" ] && [ \"\$p\" != $old ] && '$B/triplinectl' -S '$S' status | grep -q 'collectord  *running'"; then
	ok "collector respawned after SIGKILL"
else
	not_ok "collector respawned after SIGKILL"
fi
/bin/sh -c "/bin/true $M-after"
check "events arrive after the respawn" wait_for 15 row_exists "SELECT 1 FROM processes WHERE arguments LIKE '$M-after%' AND exit_time IS NOT NULL"
like "status counts the restart" "$("$B/triplinectl" -S "$S" status)" "collectord .*restarts 1"

# tail shows the compact form with the parent
like "triplinectl tail shows process and parent" \
    "$("$B/triplinectl" -S "$S" tail -n 1000000 --no-follow | grep " $(readlink -f /bin/true) $M-after" | head -1)" \
    "exec [0-9]+ $(readlink -f /bin/true) $M-after .*<- [0-9]+ $(readlink -f /bin/sh)"

# SIGTERM: everything stops, database consistent
kids=$(pgrep -P "$LPID" | tr '\n' ' ')
kill -TERM "$LPID"
stopped=0
for i in $(seq 1 150); do
	kill -0 "$LPID" 2>/dev/null || { stopped=1; break; }
	sleep 0.1
done
is "loaderd stops on SIGTERM" "$stopped" "1"
LPID=
left=""
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
is "no tripline child left" "$left" ""
is "integrity_check after SIGTERM" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" "ok"

if [ $_tap_fail -gt 0 ]; then
	diag "loaderd log:"; tail -50 "$T/loaderd.log" | sed 's/^/# /'
fi
finish
