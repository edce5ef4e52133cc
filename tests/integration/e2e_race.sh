#!/bin/sh
# End to end (CI kernel: no BPF LSM, so no decision on the kernel's copy):
# a syscall hook whose enforcing selector filters on the caller's memory
# says in policy list that a racing thread can evade it, and counts the
# calls whose argument, read again at sys_exit, is not the one it read at
# sys_enter (raced, in policy list, its JSON and the metrics).  racer
# opens a path a second thread flips between two names; "still": the same
# opens with the names alternated by the opening thread itself.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env race
R=$(readlink -f "$B/tests/integration/racer")
M=$T/race1
mkdir -p "$M"
printf A >"$M/allowed"
printf B >"$M/blocked"
chmod 755 "$T" "$M"

pol race-signal <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "$M/blocked"
      matchActions:
      - action: Signal
        argSig: 10
EOF
# raced of the hook, from policy list --json
raced() {
	"$CTL" -S "$S" policy list --json 2>/dev/null |
	    sed -n 's/.*"raced":\([0-9]*\).*/\1/p' | head -n 1
}

plan 10

start_loaderd racenode
check "the policy loads" addok "$P/race-signal.yaml"
pl=$("$CTL" -S "$S" policy list 2>&1)
like "policy list: not race-free, argument 1 from the caller's memory" "$pl" \
    "NOT race-free: decided on argument 1 as read from the caller's memory, which a racing thread can change before the kernel uses it \\(read again at sys_exit: a change counts in raced\\)"

out=$("$R" 2 "$M" still)
diag "racer still: $out"
like "no race: opens of both names" "$out" \
    '^opens [0-9]+ allowed [1-9][0-9]* blocked [1-9][0-9]* refused 0 other 0$'
is "no race: raced stays 0" "$(raced)" 0
like "no race: the blocked name was matched (signals sent)" \
    "$("$CTL" -S "$S" policy list 2>&1)" 'signals [1-9]'

out=$("$R" 3 "$M")
diag "racer: $out"
like "race: the racer ran" "$out" '^opens [1-9][0-9]* allowed'
n=$(raced)
diag "raced: $n"
like "race: raced counts calls whose argument changed" "$n" '^[1-9][0-9]*$'
like "policy list shows raced" "$("$CTL" -S "$S" policy list 2>&1)" \
    'raced [1-9][0-9]* \(the argument'
like "metrics: tripline_hook_raced_total" \
    "$("$CTL" -S "$S" status --prometheus 2>/dev/null | grep '^tripline_hook_raced_total')" \
    '^tripline_hook_raced_total\{.*\} [1-9][0-9]*$'
del race-signal
is "deleted" "$("$CTL" -S "$S" policy list 2>&1)" "no policies loaded"
finish
