#!/bin/sh
# End to end: Post with kernelStackTrace / userStackTrace.  The program
# stackprobe calls main -> tl_stack_outer -> tl_stack_middle ->
# tl_stack_inner, which makes getpgid(N) itself.  A syscall tracepoint
# hook takes both stacks: the row's stack_trace and the JSON line's
# kernel_stack_trace / user_stack_trace hold the kernel's symbols (from
# /proc/kallsyms through loaderd's fd) and the program's (build id ->
# file -> .symtab), with no address by default; a uprobe hook on
# tl_stack_inner takes the user stack; a Post without the flags carries
# none; lsmhooks refuse them.  Then loaderd again with
# expose_stack_addresses: true: the frames carry their addresses.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env stack
JS=$S/events.jsonl
U=$(readlink -f "$B/tests/integration/stackprobe")
N=$(( 40000 + $$ % 20000 ))

plan 16

jline() { grep -F "\"policy_name\":\"$1\"" "$JS" 2>/dev/null | head -1; }
# the symbols of the row's STACK (kernel / user) frames, space separated
syms() {
	q "SELECT group_concat(IFNULL(json_extract(j.value, '\$.symbol'), '?'), ' ')
	   FROM events e, json_each(e.stack_trace, '\$.${2}_stack_trace') j
	   WHERE e.policy_name = '$1'"
}
has_row() { row_exists "SELECT 1 FROM events WHERE policy_name='$1'"; }
has_jline() { grep -q "\"policy_name\":\"$1\"" "$JS"; }
fails() { while [ "$1" -gt 0 ]; do not_ok "$2"; set -- $(($1 - 1)) "$2"; done; }

# tppol NAME PID ACTIONS: sys_enter_getpgid of pid PID, the selector's
# matchActions lines
tppol() {
	{
		printf '  tracepoints:\n  - subsystem: "syscalls"\n'
		printf '    event: "sys_enter_getpgid"\n    args:\n'
		printf '    - index: 5\n      type: "int64"\n    selectors:\n'
		printf '    - matchArgs:\n      - index: 0\n'
		printf '        operator: "Equal"\n        values:\n'
		printf '        - "%s"\n' "$2"
		printf '%s\n' "$3"
	} | pol "$1"
}
STACKS='      matchActions:
      - action: Post
        kernelStackTrace: true
        userStackTrace: true'

start_loaderd stacknode

# ---- both stacks on a tracepoint --------------------------------------------------
tppol st-tp "$N" "$STACKS"
if addok "$P/st-tp.yaml"; then
	"$U" "$N" >/dev/null
	if wait_for 10 has_row st-tp; then
		like "user stack: the program's chain, innermost first, from its symbols" \
		    "$(syms st-tp user)" "^tl_stack_inner tl_stack_middle tl_stack_outer main( |\$)"
		is "user stack: the frames' module is the program" \
		    "$(q "SELECT DISTINCT json_extract(j.value, '\$.module') FROM events e, json_each(e.stack_trace, '\$.user_stack_trace') j WHERE e.policy_name='st-tp' AND json_extract(j.value, '\$.symbol') LIKE 'tl_stack_%'")" "$U"
		like "kernel stack: kallsyms names, through the syscall entry" \
		    "$(syms st-tp kernel)" "do_syscall_64"
		is "no frame carries an address by default" \
		    "$(q "SELECT count(*) FROM events WHERE policy_name='st-tp' AND stack_trace LIKE '%address%'")" 0
		wait_for 10 has_jline st-tp
		like "JSON line: kernel_stack_trace and user_stack_trace, Tetragon's {offset,symbol,module}" \
		    "$(jline st-tp)" "\"kernel_stack_trace\":\\[\\{\"offset\":\"[0-9]+\",\"symbol\":\"[a-z_].*\"user_stack_trace\":\\[\\{\"offset\":\"[0-9]+\",\"symbol\":\"tl_stack_inner\",\"module\":\"$U\"\\}"
		is "JSON line: no address by default" "$(jline st-tp | grep -c '"address"')" 0
	else fails 6 "tracepoint with stacks: no row"; fi
else fails 6 "tracepoint with stacks refused"; fi

# ---- a Post without the flags: no stack -------------------------------------------
tppol st-none "$((N + 1))" '      matchActions:
      - action: Post'
if addok "$P/st-none.yaml"; then
	"$U" "$((N + 1))" >/dev/null
	if wait_for 10 has_row st-none; then
		is "Post without the flags: stack_trace NULL" \
		    "$(q "SELECT count(*) FROM events WHERE policy_name='st-none' AND stack_trace IS NULL")" 1
		wait_for 10 has_jline st-none
		is "Post without the flags: no stack in the JSON line" \
		    "$(jline st-none | grep -c 'stack_trace')" 0
	else fails 2 "Post without flags: no row"; fi
else fails 2 "Post without flags refused"; fi

# ---- user stack on a uprobe ------------------------------------------------------
pol st-up <<EOF
  uprobes:
  - path: "$U"
    symbols:
    - "tl_stack_inner"
    args:
    - index: 0
      type: "int64"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "$((N + 2))"
      matchActions:
      - action: Post
        userStackTrace: true
EOF
if addok "$P/st-up.yaml"; then
	"$U" "$((N + 2))" >/dev/null
	if wait_for 10 has_row st-up; then
		# at the function's first instruction its own frame is not
		# pushed yet: the walk goes on from its caller's caller
		like "uprobe user stack: the probed function first, then its callers" \
		    "$(syms st-up user)" "^tl_stack_inner (tl_stack_middle )?tl_stack_outer main( |\$)"
		is "uprobe: no kernel stack asked, none stored" \
		    "$(q "SELECT json_type(stack_trace, '\$.kernel_stack_trace') IS NULL FROM events WHERE policy_name='st-up'")" 1
	else fails 2 "uprobe with stack: no row"; fi
else fails 2 "uprobe with stack refused"; fi

# ---- refused on lsmhooks ---------------------------------------------------------
pol st-lsm <<EOF
  lsmhooks:
  - hook: "file_open"
    selectors:
    - matchActions:
      - action: Post
        kernelStackTrace: true
EOF
refused "lsmhooks: stack traces refused with the position" "$P/st-lsm.yaml" \
    'st-lsm.yaml:[0-9]+:[0-9]+: stack traces: not on lsmhooks'

# ---- expose_stack_addresses: true ------------------------------------------------
kill "$LPID"; wait "$LPID" 2>/dev/null; LPID=''
printf 'expose_stack_addresses: true\n' >"$T/tripline.yaml"
start_loaderd stacknode -f "$T/tripline.yaml"
tppol st-addr "$((N + 3))" "$STACKS"
if addok "$P/st-addr.yaml"; then
	"$U" "$((N + 3))" >/dev/null
	if wait_for 10 has_row st-addr; then
		is "expose_stack_addresses: every user frame of the program has its address" \
		    "$(q "SELECT count(*) FROM events e, json_each(e.stack_trace, '\$.user_stack_trace') j WHERE e.policy_name='st-addr' AND json_extract(j.value, '\$.symbol') LIKE 'tl_stack_%' AND CAST(json_extract(j.value, '\$.address') AS INTEGER) > 0")" 3
		like "expose_stack_addresses: kernel frames with kernel addresses" \
		    "$(q "SELECT json_extract(stack_trace, '\$.kernel_stack_trace[0].address') FROM events WHERE policy_name='st-addr'")" \
		    "^18446[0-9]{15}\$"
		wait_for 10 has_jline st-addr
		like "expose_stack_addresses: the JSON frames start with address" \
		    "$(jline st-addr)" "\"user_stack_trace\":\\[\\{\"address\":\"[0-9]+\",\"offset\":\"[0-9]+\",\"symbol\":\"tl_stack_inner\""
		is "the symbols are the same" "$(syms st-addr user | cut -d' ' -f1-3)" \
		    "tl_stack_inner tl_stack_middle tl_stack_outer"
	else fails 4 "expose: no row"; fi
else fails 4 "expose: policy refused"; fi
is "a restarted collector got the kallsyms fd again: kernel symbols" \
    "$(syms st-addr kernel | grep -c do_syscall_64)" 1

finish
