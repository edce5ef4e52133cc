#!/bin/sh
# End to end: a file name holding a bidi override (U+202E) and a C1
# control (U+0085 NEL) is opened for real under a policy; every output
# that carries it escapes them: events.jsonl, the JSON in events.db,
# `triplinectl tail --json` (what reaches a terminal) and `triplinectl
# tail`.  The raw bytes are kept only where they are data, not text to
# display (processes.arguments, a TEXT column).
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env esc
M=$T/m
mkdir -p "$M"

RLO=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
NEL=$(printf '\302\205')	# U+0085 NEXT LINE (C1)
F="$M/esc-${RLO}gpj.exe${NEL}x"
# count of lines of file $2 holding the raw bytes $1
raw() { LC_ALL=C grep -cF -- "$1" "$2"; }

plan 11

start_loaderd escnode
sel_pol esc </dev/null
add "$P/esc.yaml" || { echo "Bail out! policy not added: $(cat "$T/add.out")"; exit 99; }
: > "$F"
"$TR" openat "$F" 0 >/dev/null
wait_rows esc 'esc-%gpj.exe' || { echo "Bail out! no event"; exit 99; }
# the JSON line is written when the batch is committed
wait_for 10 grep -q '"policy_name":"esc"' "$S/events.jsonl"

J=$(grep '"policy_name":"esc"' "$S/events.jsonl" | head -1)
like "events.jsonl: file name with \\u202e and \\u0085" "$J" \
    '"string_arg":"[^"]*/esc-\\u202egpj\.exe\\u0085x"'
grep '"policy_name":"esc"' "$S/events.jsonl" > "$T/hit.jsonl"
is "events.jsonl: no raw U+202E or U+0085 in the policy event" \
    "$(raw "$RLO" "$T/hit.jsonl") $(raw "$NEL" "$T/hit.jsonl")" "0 0"
# the exec of the trigger carries the name in its arguments
grep '"process_exec"' "$S/events.jsonl" | grep 'esc-' > "$T/exec.jsonl"
like "events.jsonl: process_exec arguments escaped" "$(cat "$T/exec.jsonl")" \
    '"arguments":"openat [^"]*/esc-\\u202egpj\.exe\\u0085x 0"'
is "events.jsonl: no raw U+202E or U+0085 anywhere" \
    "$(raw "$RLO" "$S/events.jsonl") $(raw "$NEL" "$S/events.jsonl")" "0 0"

A=$(q "SELECT args FROM events WHERE policy_name='esc' LIMIT 1")
like "events.db: args JSON escapes both" "$A" '/esc-\\u202egpj\.exe\\u0085x"'
q "SELECT args FROM events" > "$T/args.txt"
is "events.db: no raw U+202E or U+0085 in any JSON column" \
    "$(raw "$RLO" "$T/args.txt") $(raw "$NEL" "$T/args.txt")" "0 0"
q "SELECT arguments FROM processes WHERE arguments LIKE '%esc-%'" > "$T/pargs.txt"
# (one row per image of the trigger: more than one if a restarted
# collector also found it in /proc)
is "events.db: processes.arguments keeps the bytes (data, not display)" \
    "$([ "$(raw "$RLO" "$T/pargs.txt")" -ge 1 ] && echo kept)" "kept"

"$CTL" -S "$S" tail --json --no-follow -n 1000 > "$T/tailj.out"
n=$(grep -c 'esc-\\u202egpj.exe\\u0085x' "$T/tailj.out")
is "tail --json: the exec and policy lines, escaped, nothing raw" \
    "$(raw "$RLO" "$T/tailj.out") $(raw "$NEL" "$T/tailj.out") $([ "$n" -ge 2 ] && echo many)" \
    "0 0 many"
# a line someone else wrote into events.jsonl (the collector parses what
# attackers send): tail --json still shows no raw control
printf '{"x":"a%sb%sc\033[2J"}\n' "$RLO" "$NEL" >> "$S/events.jsonl"
# (the collector may append events after it: look among the last lines)
"$CTL" -S "$S" tail --json --no-follow -n 50 | grep '^{"x":' > "$T/tailj2.out"
is "tail --json: a raw line is escaped on the way out" "$(cat "$T/tailj2.out")" \
    '{"x":"a\u202eb\u0085c\u001b[2J"}'

"$CTL" -S "$S" tail --no-follow -n 1000 > "$T/tail.out"
is "tail: no raw U+202E or U+0085" \
    "$(raw "$RLO" "$T/tail.out") $(raw "$NEL" "$T/tail.out")" "0 0"
like "tail: the process arguments as \\x escapes" "$(grep -F 'esc-' "$T/tail.out" | grep ' exec ' | head -1)" \
    'esc-\\xe2\\x80\\xaegpj\.exe\\xc2\\x85x 0'

del esc
finish
