#!/bin/sh
# End to end: Tetragon constructs beyond the basic hooks -- uprobe return
# probes (return: true, returnArg, matchReturnArgs, matchReturnActions).
# Each case calls a function of tests/integration/trigger (a real uprobe
# and uretprobe on it) or makes real system calls, and asserts the row in
# events.db (return_value, args), the JSON line, the hook's counters
# (`policy list`: hits, matched) or the caller's exit status; a case that
# must not match is shown to have run (hits) without a row.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env tetra
JS=$S/events.jsonl

plan 8

addok() { add "$1" || { diag "policy add $1: $(tr '\n' ' ' < "$T/add.out")"; return 1; }; }
# refused DESC FILE REGEX: policy add fails and its message matches
refused() {
	if add "$2"; then
		not_ok "$1"; diag "accepted: $(cat "$T/add.out")"
		del "$(sed -n 's/^  name: "\(.*\)"$/\1/p' "$2")"
	else
		like "$1" "$(tr '\n' ' ' < "$T/add.out")" "$3"
	fi
}
# hits POLICY: "hits H matched M" of the policy's first hook
hits() {
	"$CTL" -S "$S" policy list 2>&1 | awk -v pn="$1" '
	    /^[^ ]/ { p = ($1 == pn) }
	    p && /^    hits / { print "hits", $2, "matched", $4; exit }'
}
# how a trigger run ended: "exit N" or "signal N"
how() { "$@" >/dev/null 2>&1; rc=$?; [ $rc -gt 128 ] && echo "signal $((rc - 128))" || echo "exit $rc"; }
jlines() { grep -F "\"policy_name\":\"$1\"" "$JS" 2>/dev/null | grep -F -- "$2"; }
jl_exists() { [ -n "$(jlines "$1" "$2")" ]; }

start_loaderd tetranode

# ---- uprobe return probes ---------------------------------------------------------
# trigger_probe_target(x) returns 2x+1: probe 21 returns 43, probe 22 45
# upret NAME RETURN-SELECTOR-LINES: a uprobe on trigger_probe_target with
# its int argument and its int return value
upret() {
	pol "$1" <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_probe_target"
    return: true
    args:
    - index: 0
      type: "int"
    returnArg:
      index: 0
      type: "int"
    selectors:
    - matchReturnArgs:
      - index: 0
        operator: "Equal"
        values:
        - "$2"
$3
EOF
}
upret uret-eq 43
addok "$P/uret-eq.yaml"
"$TR" probe 22 >/dev/null
"$TR" probe 21 >/dev/null
if wait_rows uret-eq '"int_arg":21'; then
	is "uretprobe matchReturnArgs Equal 43: the call returning 43 stored with its return value, the one returning 45 not" \
	    "$(q "SELECT group_concat(type || ' ' || function_name || ' ' || args || ' ' || return_value, '|') FROM events WHERE policy_name='uret-eq'")" \
	    'process_uprobe trigger_probe_target [{"int_arg":21}] {"int_arg":43}'
else not_ok "uretprobe Equal 43: no row"; diag "$(cat "$T/add.out")"; fi
is "uretprobe Equal 43: both calls hit the uprobe, one matched at return" \
    "$(hits uret-eq)" "hits 2 matched 1"
wait_for 10 jl_exists uret-eq '"return"'
like "process_uprobe JSON line: args and the return value" \
    "$(jlines uret-eq '"return"' | head -1)" \
    "\"symbol\":\"trigger_probe_target\",\"policy_name\":\"uret-eq\",\"args\":\\[\\{\"int_arg\":21\\}\\],\"return\":\\{\"int_arg\":43\\}"
del uret-eq

upret uret-no 44
addok "$P/uret-no.yaml"
"$TR" probe 21 >/dev/null
"$TR" probe 22 >/dev/null
is "uretprobe matchReturnArgs Equal 44 (no call returns it): hooks ran, nothing matched, no row" \
    "$(hits uret-no) rows $(q "SELECT count(*) FROM events WHERE policy_name='uret-no'")" \
    "hits 2 matched 0 rows 0"
del uret-no

upret uret-kill 43 '      matchReturnActions:
      - action: Sigkill'
addok "$P/uret-kill.yaml"
is "uretprobe matchReturnActions Sigkill: the call returning 43 is killed at return" \
    "$(how "$TR" probe 21)" "signal 9"
is "uretprobe matchReturnActions Sigkill: the call returning 45 is not" \
    "$(how "$TR" probe 22)" "exit 0"
del uret-kill

pol uret-str <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_probe_target"
    return: true
    returnArg:
      index: 0
      type: "string"
EOF
refused "uprobe returnArg string refused, saying why" "$P/uret-str.yaml" \
    'uret-str.yaml:[0-9]+:[0-9]+: uprobe "[^"]*:trigger_probe_target": returnArg type string on a uprobe: only integer return values are read'
pol uret-copy <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_iov_target"
    args:
    - index: 0
      type: "char_iovec"
      sizeArgIndex: 2
      returnCopy: true
    - index: 1
      type: "int"
EOF
refused "uprobe returnCopy refused, saying why" "$P/uret-copy.yaml" \
    'uret-copy.yaml:[0-9]+:[0-9]+: uprobe "[^"]*:trigger_iov_target": returnCopy on a uprobe is not supported by this engine'

finish
