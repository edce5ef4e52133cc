#!/bin/sh
# End to end: records lost because the ring buffer is full are never lost
# silently.  loaderd runs with the smallest ring (4 KiB); the collector is
# stopped (SIGSTOP) while a few hundred processes run, so the BPF programs
# find the ring full; then it is continued.  The loss counted by the BPF
# programs (triplinectl status) must reach events.db (drops table, an
# events_lost event) and events.jsonl, with the same total.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env drops
CPID=
WATCHDOG=
e2e_cleanup_more() {
	# a stopped collector is continued on every path
	[ -n "$CPID" ] && kill -CONT "$CPID" 2>/dev/null
	[ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
}

status_json() { "$CTL" -S "$S" status --json 2>/dev/null; }
# ring_buffer.dropped from status --json
dropped() {
	status_json | tr -d '\n' |
	    sed -n 's/.*"ring_buffer":{[^}]*"dropped":\([0-9][0-9]*\).*/\1/p'
}
# the last ring_buffer total stored equals what status shows now (D)
D=
settled() {
	d=$(dropped)
	[ -n "$d" ] && [ "$d" -gt 0 ] &&
	    [ "$(q "SELECT max(total) FROM drops WHERE source='ring_buffer'")" = "$d" ] &&
	    D=$d
}

plan 21

cat >"$T/tripline.yaml" <<EOF
ring_buffer_size: 4096
store:
  batch_ms: 100
EOF
# a policy hook that records every execve: its share of the loss is
# reported per hook
cat >"$T/exec.yaml" <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "drops-exec"
spec:
  tracepoints:
  - subsystem: "syscalls"
    event: "sys_enter_execve"
    args:
    - index: 5
      type: "string"
EOF

start_loaderd dropnode -f "$T/tripline.yaml" -p "$T/exec.yaml"
ok "loaderd and collectord running with a 4 KiB ring"
like "status --json: ring of 4096 bytes" "$(status_json)" '"ring_buffer":\{"size":4096,'
is "schema version 9" "$(q 'PRAGMA user_version')" "9"
like "policy drops-exec loaded" "$("$CTL" -S "$S" policy list)" "drops-exec"

CPID=$(pgrep -P "$LPID" -x collectord | head -1)
if [ -z "$CPID" ]; then
	echo "Bail out! no collectord child"; exit 99
fi
T0=$(date +%s%N)
# a watchdog, in case this script is killed without running its trap
( sleep 60; kill -CONT "$CPID" 2>/dev/null ) &
WATCHDOG=$!

# the storm, with the collector stopped: nobody drains the ring
kill -STOP "$CPID"
i=0
while [ $i -lt 400 ]; do
	/bin/true "drops$$"
	i=$((i + 1))
done
kill -CONT "$CPID"
kill "$WATCHDOG" 2>/dev/null
WATCHDOG=
is "collector continued (state not T)" \
    "$(ps -o stat= -p "$CPID" | cut -c1 | grep -c T)" "0"

check "status: ring_buffer.dropped > 0" wait_for 10 sh -c "d=\$(\"$CTL\" -S '$S' status --json | tr -d '\n' | sed -n 's/.*\"ring_buffer\":{[^}]*\"dropped\":\([0-9][0-9]*\).*/\1/p'); [ -n \"\$d\" ] && [ \"\$d\" -gt 0 ]"
like "status text: dropped (ring full)" "$("$CTL" -S "$S" status)" \
    "ring buffer .* [1-9][0-9]* dropped \(ring full\)"

# loaderd reports once a second; after the storm the counter settles
if wait_for 20 settled; then
	ok "drops total in the database equals status ring_buffer.dropped"
else
	not_ok "drops total in the database equals status ring_buffer.dropped"
	diag "status dropped: $(dropped)"
	diag "drops: $(q "SELECT * FROM drops")"
fi
[ -n "$D" ] || D=$(dropped)
diag "records lost: $D"

is "a ring_buffer drops row with count > 0" \
    "$(q "SELECT count(*) > 0 FROM drops WHERE source='ring_buffer' AND count > 0")" "1"
is "drops: counts add up to the total (nothing lost between reports)" \
    "$(q "SELECT sum(count) FROM drops WHERE source='ring_buffer' AND total <= $D")" "$D"
is "the loss is stamped after the storm began" \
    "$(q "SELECT max(time_ns) >= $T0 FROM drops WHERE source='ring_buffer'")" "1"
is "events_lost event at the time of its drops row" \
    "$(q "SELECT e.time_ns = d.time_ns AND e.time = d.time FROM events e JOIN drops d ON d.total = $D AND d.source = 'ring_buffer' WHERE e.type = 'events_lost' AND e.args LIKE '%\"total\":$D,%'")" "1"
is "events_lost event with the last total" \
    "$(q "SELECT count(*) FROM events WHERE type='events_lost' AND args LIKE '{\"count\":%,\"total\":$D,\"source\":\"ring_buffer\"}'")" "1"
is "one events_lost event per ring_buffer drops row" \
    "$(q "SELECT count(*) FROM events WHERE type='events_lost' AND time_ns <= (SELECT time_ns FROM drops WHERE source='ring_buffer' AND total = $D)")" \
    "$(q "SELECT count(*) FROM drops WHERE source='ring_buffer' AND total <= $D")"

# the hook's share, in the drops table only
if wait_for 5 row_exists "SELECT 1 FROM drops WHERE source='hook' AND count > 0"; then
	ok "a hook drops row with count > 0"
else
	not_ok "a hook drops row with count > 0"
	diag "$("$CTL" -S "$S" policy list)"
fi
is "hook drops row names the policy and the tracepoint" \
    "$(q "SELECT DISTINCT hook_policy || ' ' || hook_function FROM drops WHERE source='hook'")" \
    "drops-exec syscalls/sys_enter_execve"
is "hook drops are part of the ring total" \
    "$(q "SELECT max(total) <= $D FROM drops WHERE source='hook'")" "1"

# events.jsonl trails the database by at most one batch
wait_for 5 grep -q "\"events_lost\":{\"count\":[0-9]*,\"total\":$D," "$S/events.jsonl"
J=$(grep "\"events_lost\":{\"count\":[0-9]*,\"total\":$D," "$S/events.jsonl" | head -1)
like "events.jsonl: events_lost line with the total" "$J" \
    "^\\{\"events_lost\":\\{\"count\":[1-9][0-9]*,\"total\":$D,\"source\":\"ring_buffer\"\\},\"node_name\":\"dropnode\",\"time\":\"[0-9T:.-]+Z\"\\}$"

# drops while no collector runs reach the next one
D1=$D
kill -9 "$CPID"
CPID=
i=0
while [ $i -lt 400 ]; do
	/bin/true "drops2$$"
	i=$((i + 1))
done
if wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'collectord  *running'" &&
    wait_for 20 settled && [ "$D" -gt "$D1" ]; then
	ok "loss while no collector ran is stored by the next one"
else
	not_ok "loss while no collector ran is stored by the next one"
	diag "before: $D1, now: $(dropped)"
	diag "drops: $(q "SELECT * FROM drops WHERE source='ring_buffer'")"
fi
is "drops: counts still add up to the total" \
    "$(q "SELECT sum(count) FROM drops WHERE source='ring_buffer' AND total <= $D")" "$D"

# events still flow once the collector keeps up again
/bin/sh -c "/bin/true drops-after$$"
check "events arrive after the loss" wait_for 15 row_exists \
    "SELECT 1 FROM processes WHERE arguments = 'drops-after$$' AND exit_time IS NOT NULL"

finish
