#!/bin/sh
# End to end: Tetragon constructs beyond the basic hooks -- uprobe return
# probes (return: true, returnArg, matchReturnArgs, matchReturnActions),
# raw: true tracepoints (the TP_PROTO arguments by index), files of
# several policies (YAML documents separated by ---) through `policy
# add`, lint, the policy directory and reload; matchParentBinaries.
# Each case calls a function of tests/integration/trigger (a real uprobe
# and uretprobe on it) or makes real system calls, and asserts the row in
# events.db (return_value, args), the JSON line, the hook's counters
# (`policy list`: hits, matched) or the caller's exit status; a case that
# must not match is shown to have run (hits) without a row.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env tetra
JS=$S/events.jsonl

plan 33

# hits POLICY: "hits H matched M" of the policy's first hook
hits() {
	"$CTL" -S "$S" policy list 2>&1 | awk -v pn="$1" '
	    /^[^ ]/ { p = ($1 == pn) }
	    p && /^    hits / { print "hits", $2, "matched", $4; exit }'
}
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

# ---- raw: true tracepoints ---------------------------------------------------------
# rows POLICY [LIKE]: how many rows of POLICY (with args LIKE)
rows() { q "SELECT count(*) FROM events WHERE policy_name='$1' AND args LIKE '%${2:-}%'"; }
# sched_process_exec(p, old_pid, bprm), as Tetragon's rawtp.yaml
pol rawtp-exec <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    raw: true
    args:
    - index: 1
      type: "int"
    - index: 2
      type: "linux_binprm"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "$TR"
EOF
addok "$P/rawtp-exec.yaml"
/bin/true
"$TR" probe 1 >/dev/null & tpid=$!
wait $tpid
/bin/true
if wait_rows rawtp-exec "$TR"; then
	is "raw sched_process_exec: the exec of trigger stored with old_pid and the linux_binprm path" \
	    "$(q "SELECT type || ' ' || function_name || ' ' || args FROM events WHERE policy_name='rawtp-exec'")" \
	    "process_tracepoint sched/sched_process_exec [{\"int_arg\":$tpid},{\"linux_binprm_arg\":{\"path\":\"$TR\",\"permission\":\"-rwxr-xr-x\"}}]"
else not_ok "raw sched_process_exec: no row"; diag "$(cat "$T/add.out")"; fi
set -- $(hits rawtp-exec)
if [ "${2:-0}" -gt "${4:-0}" ] && [ "${4:-0}" -ge 1 ] && [ "$(rows rawtp-exec /true)" = 0 ]; then
	ok "raw sched_process_exec: /bin/true ran the hook (hits $2, matched $4) and is not stored"
else not_ok "raw sched_process_exec: hits ${2:-} matched ${4:-}, true rows $(rows rawtp-exec /true)"; fi
del rawtp-exec

# task_rename(task, comm): a kernel string
pol rawtp-comm <<EOF
  tracepoints:
  - subsystem: "task"
    event: "task_rename"
    raw: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "tlr-yes"
EOF
addok "$P/rawtp-comm.yaml"
"$TR" comm tlr-no >/dev/null
"$TR" comm tlr-yes >/dev/null
if wait_rows rawtp-comm tlr-yes; then
	is "raw task_rename string Equal: the matching name stored, the other not" \
	    "$(q "SELECT group_concat(args, '|') FROM events WHERE policy_name='rawtp-comm'")" \
	    '[{"string_arg":"tlr-yes"}]'
else not_ok "raw task_rename: no row"; fi
del rawtp-comm

# raw_syscalls sys_enter(regs, id): the syscall id as syscall64
pol rawtp-sys <<EOF
  tracepoints:
  - subsystem: "raw_syscalls"
    event: "sys_enter"
    raw: true
    args:
    - index: 1
      type: "syscall64"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "140"
EOF
addok "$P/rawtp-sys.yaml"
"$TR" getpriority 0 0 >/dev/null
if wait_rows rawtp-sys '"id":140'; then
	is "raw sys_enter syscall64 Equal 140: getpriority stored, trigger's other syscalls not" \
	    "$(q "SELECT count(*) || ' ' || sum(args = '[{\"syscall_id\":{\"id\":140,\"abi\":\"x64\"}}]') FROM events WHERE policy_name='rawtp-sys'")" \
	    "1 1"
else not_ok "raw sys_enter: no row"; fi
set -- $(hits rawtp-sys)
if [ "${4:-}" = 1 ] && [ "${2:-0}" -gt 1 ]; then
	ok "raw sys_enter: trigger's other syscalls ran the hook (hits $2, matched 1)"
else not_ok "raw sys_enter: hits ${2:-} matched ${4:-}"; fi
del rawtp-sys

# inet_sock_set_state(sk, oldstate, newstate): a struct sock
port=$((20000 + $$ % 20000)) port2=$((20000 + $$ % 20000 + 1))
pol rawtp-sock <<EOF
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    raw: true
    args:
    - index: 0
      type: "sock"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "DPort"
        values:
        - "$port"
EOF
addok "$P/rawtp-sock.yaml"
"$TR" connect 127.0.0.1 $port2 >/dev/null
"$TR" connect 127.0.0.1 $port >/dev/null
if wait_rows rawtp-sock "\"dport\":$port"; then
	is "raw inet_sock_set_state sock DPort: the connect to the port stored (SYN_SENT), the one to the next port not" \
	    "$(q "SELECT count(*) FROM events WHERE policy_name='rawtp-sock' AND json_extract(args, '\$[0].sock_arg.dport') = $port AND json_extract(args, '\$[1].int_arg') = 2") $(rows rawtp-sock "\"dport\":$port2")" \
	    "1 0"
else not_ok "raw inet_sock_set_state: no row"; fi
del rawtp-sock

# refusals.  rawref NAME EVENT INDEX TYPE: a raw sched tracepoint, one arg
rawref() {
	pol "$1" <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "$2"
    raw: true
    args:
    - index: $3
      type: "$4"
EOF
}
rawref rawref-file sched_process_exec 2 file
refused "raw tracepoint: type file refused, naming what the engine reads" "$P/rawref-file.yaml" \
    'rawref-file.yaml:11:7: raw tracepoint "sched/sched_process_exec": type file on a raw tracepoint argument is not supported by this engine \(it reads integer types, syscall64, string, linux_binprm, sock\)'
rawref rawref-decl sched_process_exec 0 int
refused "raw tracepoint: int on a pointer argument refused, naming the declaration" "$P/rawref-decl.yaml" \
    'rawref-decl.yaml:11:7: raw tracepoint "sched/sched_process_exec": index 0 \(struct task_struct \*\): the argument is not an integer, so it cannot be read as int'
rawref rawref-idx sched_process_exec 3 int
refused "raw tracepoint: index past the prototype refused" "$P/rawref-idx.yaml" \
    'rawref-idx.yaml:11:7: raw tracepoint "sched/sched_process_exec": index 3: raw tracepoint sched_process_exec has 3 arguments'
rawref rawref-none sched_no_such_event 0 int
refused "raw tracepoint: an unknown raw tracepoint refused" "$P/rawref-none.yaml" \
    'rawref-none.yaml:[0-9]+:[0-9]+: raw tracepoint "sched/sched_no_such_event": no raw tracepoint sched_no_such_event in this kernel'

# ---- several policies in one file (YAML documents separated by ---) ---------------
# gp NAME WHO: a policy NAME on getpriority(_, WHO)
gp() {
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n'
	printf 'metadata:\n  name: "%s"\nspec:\n  kprobes:\n' "$1"
	printf '  - call: "sys_getpriority"\n    syscall: true\n    args:\n'
	printf '    - index: 1\n      type: "int"\n    selectors:\n'
	printf '    - matchArgs:\n      - index: 1\n        operator: "Equal"\n'
	printf '        values:\n        - "%s"\n' "$2"
}
listed() { "$CTL" -S "$S" policy list 2>&1 | grep -c "^$1 "; }
gprows() { q "SELECT count(*) FROM events WHERE policy_name='$1' AND args LIKE '%\"int_arg\":$2}%'"; }
{ gp md-one 4242; echo "---"; gp md-two 4343; echo "---"; } >"$P/md.yaml"
lint=$("$CTL" policy lint "$P/md.yaml" 2>&1)
is "lint: one OK line per policy of the file" "$lint" \
    "$P/md.yaml: OK: policy md-one, 1 hook
$P/md.yaml: OK: policy md-two, 1 hook"
addok "$P/md.yaml"
is "policy add of a two-document file: both policies loaded" \
    "$(tr '\n' ' ' < "$T/add.out")" "policy md-one loaded (1 hooks) policy md-two loaded (1 hooks) "
"$TR" getpriority 0 4444 >/dev/null
"$TR" getpriority 0 4242 >/dev/null
"$TR" getpriority 0 4343 >/dev/null
wait_rows md-two '"int_arg":4343}'
is "two-document file: each policy posts its own call, neither the other's nor 4444" \
    "$(gprows md-one 4242) $(gprows md-two 4343) $(gprows md-one 4343) $(gprows md-two 4242) $(q "SELECT count(*) FROM events WHERE args LIKE '%\"int_arg\":4444}%'")" \
    "1 1 0 0 0"
is "each policy stored in a file of its own, with its own document" \
    "$(grep -c 4242 "$S/policies.d/md-one.yaml") $(grep -c 4343 "$S/policies.d/md-one.yaml") $(head -1 "$S/policies.d/md-two.yaml") $(grep -c 4343 "$S/policies.d/md-two.yaml")" \
    "1 0 --- 1"

# an error in the second document refuses the file: the first is not loaded
{ gp md-p1 4646; echo "---"; gp md-p2 4747 | sed 's/operator: "Equal"/operator: "Equalx"/'; } >"$P/mdp.yaml"
refused "a parse error in the second document refuses the whole file at its line" "$P/mdp.yaml" \
    'mdp.yaml:33:19: operator: unknown operator .Equalx.'
is "... and the first document's policy is not loaded" "$(listed md-p1)" 0

# the kernel refuses the second: the first is undone, a replaced one put back
{ gp md-one 4545; echo "---"; cat <<EOF; } >"$P/mdk.yaml"
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "md-k2"
spec:
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    raw: true
    args:
    - index: 2
      type: "file"
EOF
refused "loaderd refuses the second document: the file is refused" "$P/mdk.yaml" \
    'mdk.yaml:[0-9]+:[0-9]+: raw tracepoint "sched/sched_process_exec": type file'
"$TR" getpriority 0 4545 >/dev/null
"$TR" getpriority 0 4242 >/dev/null
wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='md-one' AND args LIKE '%\"int_arg\":4242}%' AND id > (SELECT min(id) FROM events WHERE policy_name='md-one')"
is "... md-one's earlier version is back (4242 posted again, 4545 not), md-k2 not loaded" \
    "$(gprows md-one 4242) $(gprows md-one 4545) $(listed md-k2)" "2 0 0"
del md-one
del md-two

# a file of two policies in the policy directory: loaded on reload; deleting
# one rewrites the file without it
{ gp md-r1 4848; echo "---"; gp md-r2 4949; } >"$S/policies.d/both.yaml"
"$CTL" -S "$S" reload >"$T/reload.out" 2>&1
is "reload: both policies of a two-document file in policies.d loaded" \
    "$(listed md-r1) $(listed md-r2)" "1 1"
del md-r1
"$CTL" -S "$S" reload >"$T/reload.out" 2>&1
is "policy delete of one: its document removed from the file, the other stays across reload" \
    "$(listed md-r1) $(listed md-r2) $(grep -c 4848 "$S/policies.d/both.yaml") $(grep -c 4949 "$S/policies.d/both.yaml")" \
    "0 1 0 1"
"$TR" getpriority 0 4848 >/dev/null
"$TR" getpriority 0 4949 >/dev/null
wait_rows md-r2 '"int_arg":4949}'
is "... md-r2 posts its call, the deleted md-r1 nothing" \
    "$(gprows md-r2 4949) $(gprows md-r1 4848)" "1 0"
del md-r2

# ---- matchParentBinaries: the binary of the caller's parent -----------------------
PSH=$(readlink -f /proc/$$/exe)		# this shell: trigger's parent
TMO=$(readlink -f "$(command -v timeout)")	# runs trigger as its child
# pb NAME WHO OP: getpriority(_, WHO) whose caller's parent is (OP) this shell
pb() {
	gp "$1" "$2" >"$P/$1.yaml"
	printf '      matchParentBinaries:\n      - operator: "%s"\n' "$3" >>"$P/$1.yaml"
	printf '        values:\n        - "%s"\n' "$PSH" >>"$P/$1.yaml"
}
pb pb-in 5151 In
pb pb-notin 5252 NotIn
addok "$P/pb-in.yaml"
addok "$P/pb-notin.yaml"
timeout 60 "$TR" getpriority 0 5151 >/dev/null
timeout 60 "$TR" getpriority 0 5252 >/dev/null
"$TR" getpriority 0 5151 >/dev/null
"$TR" getpriority 0 5252 >/dev/null
wait_rows pb-in '"int_arg":5151}'
wait_rows pb-notin '"int_arg":5252}'
pbq() { q "SELECT group_concat(pp.binary, ',') FROM events e JOIN processes p ON p.exec_id = e.exec_id JOIN processes pp ON pp.exec_id = p.parent_exec_id WHERE e.policy_name = '$1'"; }
is "matchParentBinaries In (this shell): the call whose parent is the shell stored, the one under timeout not" \
    "$(gprows pb-in 5151) $(pbq pb-in)" "1 $PSH"
is "matchParentBinaries NotIn (this shell): the call under timeout stored, the shell's child not" \
    "$(gprows pb-notin 5252) $(pbq pb-notin)" "1 $TMO"
set -- $(hits pb-in)
is "matchParentBinaries In: the four getpriority calls hit the hook, one matched" "$2 $4" "4 1"
del pb-in
del pb-notin

pol pb-follow <<EOF
  kprobes:
  - call: "sys_getpriority"
    syscall: true
    selectors:
    - matchParentBinaries:
      - operator: "In"
        values: ["/usr/bin/sudo"]
        followChildren: true
EOF
refused "matchParentBinaries followChildren refused" "$P/pb-follow.yaml" \
    'pb-follow.yaml:13:25: followChildren: not supported on matchParentBinaries'

finish
