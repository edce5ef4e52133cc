#!/bin/sh
# loaderd's supervision and confinement, end to end: the capabilities it
# keeps after start-up, its seccomp filter, the children's environment,
# health and READY deadlines (shortened through TRIPLINE_* variables), the
# bound on a child's output queue, the refusal of unsafe -X binaries and of
# a symlinked state directory.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env sup
# fake children must live where root alone may write (not under /tmp)
F=$(mktemp -d "$B/tests/fakechild.XXXXXX")
chmod 755 "$F"
e2e_cleanup_more() { rm -rf "$F"; }

plan 23

# start_env VAR=VALUE...: loaderd with these variables only (no blanks in
# a value; exported, they would stay in this shell)
start_env() { LOADERD_ENV="$*" start_loaderd supnode; }
child_pid() { pgrep -P "$LPID" -x "$1" | head -n 1; }
status() { "$CTL" -S "$S" status; }
stop_loaderd() { kill "$LPID"; wait "$LPID" 2>/dev/null; LPID=; }
# the JSON field $2 of child $1
child_json() {
	"$CTL" -S "$S" status --json | python3 -c "import json,sys
d=json.load(sys.stdin)
print([c for c in d['children'] if c['name']=='$1'][0]['$2'])"
}

# ---- 1: capabilities, seccomp, environment, health deadline
start_env TRIPLINE_HEALTH_INTERVAL=1 TRIPLINE_HEALTH_TIMEOUT=2 \
    http_proxy=http://127.0.0.1:9/ HTTPS_PROXY=http://127.0.0.1:9/ \
    LD_PRELOAD=/nonexistent/tripline-test.so
wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'notifierd  *running'"

# exactly KILL(5) NET_ADMIN(12) SYS_ADMIN(21) PERFMON(38) BPF(39)
want=000000c000201020
is "loaderd CapEff is the documented set" \
    "$(awk '/^CapEff/ {print $2}' /proc/$LPID/status)" "$want"
is "loaderd CapPrm is the documented set" \
    "$(awk '/^CapPrm/ {print $2}' /proc/$LPID/status)" "$want"
is "loaderd bounding set is the documented set" \
    "$(awk '/^CapBnd/ {print $2}' /proc/$LPID/status)" "$want"
is "loaderd runs under a seccomp filter" \
    "$(awk '/^Seccomp:/ {print $2}' /proc/$LPID/status)" 2
like "status says so" "$(status)" "caps trimmed  seccomp"

C=$(child_pid collectord)
N=$(child_pid notifierd)
for p in "$C" "$N"; do
	check "$(cat /proc/$p/comm): no proxy or LD_ variable inherited" \
	    sh -c "! tr '\\0' '\\n' </proc/$p/environ | grep -Eiq '^(https?_proxy|LD_PRELOAD)='"
done

# runtime policy add and delete under the filter
pol() {
	{ printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n'
	  printf 'metadata:\n  name: "%s"\nspec:\n  kprobes:\n' "$1"
	  printf '  - call: "sys_openat"\n    syscall: true\n'
	  printf '    args:\n    - index: 1\n      type: "string"\n'; } >"$P/$1.yaml"
}
pol supp
check "policy add under the filter" "$CTL" -S "$S" policy add "$P/supp.yaml"
check "policy delete under the filter" "$CTL" -S "$S" policy delete supp

# a stopped collector misses its ping: killed and restarted
kill -STOP "$C"
check "stopped collectord replaced within the deadline" wait_for 15 \
    sh -c "p=\$(pgrep -P $LPID -x collectord); [ -n \"\$p\" ] && [ \"\$p\" != $C ]"
check "old collectord gone" sh -c "! kill -0 $C 2>/dev/null"
wait_for 20 sh -c "'$CTL' -S '$S' status | grep -q 'collectord  *running'"
is "collectord health timeouts counted" "$(child_json collectord health_timeouts)" 1
like "status shows why" "$(status)" "collectord .*1 no health answer"

kill -STOP "$N"
check "stopped notifierd replaced within the deadline" wait_for 15 \
    sh -c "p=\$(pgrep -P $LPID -x notifierd); [ -n \"\$p\" ] && [ \"\$p\" != $N ]"
# running: it said it is ready, which it does once its sandbox is on (a
# look at a child that has just started can find it before that)
wait_for 20 sh -c "'$CTL' -S '$S' status | grep -q 'notifierd  *running'"
N=$(child_pid notifierd)
is "restarted children run under the filter too" \
    "$(awk '/^Seccomp:/ {print $2}' /proc/$N/status)" 2
stop_loaderd

# ---- 2: a child that does not read its channel (queue bound 4)
start_env TRIPLINE_CHILD_QUEUE_MAX=4 TRIPLINE_HEALTH_INTERVAL=3600
C=$(child_pid collectord)
kill -STOP "$C"
i=0
while [ $i -lt 150 ] && [ "$(child_pid collectord)" = "$C" ]; do
	"$CTL" -S "$S" policy add "$P/supp.yaml" >/dev/null 2>&1
	"$CTL" -S "$S" policy delete supp >/dev/null 2>&1
	i=$((i + 1))
done
check "collectord not reading its channel is restarted" wait_for 10 \
    sh -c "p=\$(pgrep -P $LPID -x collectord); [ -n \"\$p\" ] && [ \"\$p\" != $C ]"
is "queue overflow counted" "$(child_json collectord queue_overflows)" 1
stop_loaderd

# ---- 3: a child that never sends READY
mkdir -p "$F/collectord" "$F/notifierd"
printf '#!/bin/sh\nexec /bin/sleep 1000\n' >"$F/collectord/collectord"
chmod 755 "$F/collectord/collectord"
ln -s "$(cd "$B" && pwd -P)/notifierd/notifierd" "$F/notifierd/notifierd"
TRIPLINE_READY_TIMEOUT=2 "$B/tripline-loaderd" -d -v -S "$S" -X "$F" \
    -N supnode -V none >>"$T/loaderd.log" 2>&1 &
LPID=$!
check "a child without READY is killed after the deadline" wait_for 20 \
    sh -c "'$CTL' -S '$S' status --json | grep -q '\"ready_timeouts\":[1-9]'"
like "and restarted" "$(status)" "collectord .*restarts [1-9]"
stop_loaderd

# ---- 4: unsafe -X and a symlinked state directory are refused
mkdir -p "$T/x/collectord" "$T/x/notifierd"
cp "$B/collectord/collectord" "$T/x/collectord/"
cp "$B/notifierd/notifierd" "$T/x/notifierd/"
chmod 0777 "$T/x"
# (timeout: a loaderd that does not refuse would run on)
out=$(timeout 20 "$B/tripline-loaderd" -d -S "$S" -X "$T/x" -N supnode -V none 2>&1)
is "children under a world-writable directory: loaderd exits 1" "$?" 1
like "and says why" "$out" "refusing to run collectord"
mkdir "$T/victim"
chown nobody "$T/victim" 2>/dev/null || chown 65534 "$T/victim"
ln -s "$T/victim" "$T/statelink"
timeout 20 "$B/tripline-loaderd" -d -S "$T/statelink" -X "$B" -N supnode -V none \
    >"$T/link.log" 2>&1
is "symlinked state directory: loaderd exits 1" "$?" 1
is "its target is not chowned" "$(stat -c %u "$T/victim")" 65534
finish
