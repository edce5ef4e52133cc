#!/bin/sh
# Constructs of the policy language whose effect no other test showed
# from both sides, on this kernel (docs/policy-reference.md, Conformance):
# nop arguments, an argument without a label, a hook without message or
# tags, uint32 / int64 / uint64 (above 2^63) values that match and values
# that do not, cred and capability on capability/cap_capable (root and
# nobody); the refusals of the types and argument options this engine
# does not carry out.  Real system calls (matchArgs of a tracepoint:
# index is a position in args); asserted on the rows of events.db and the
# lines of events.jsonl.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env conform
need setpriv
M=$T/m
mkdir -p "$M"
JS=$S/events.jsonl
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

start_loaderd confnode
marker_start
# args and message|tags of the rows of policy $1, one a line
args_of() { q "SELECT args FROM events WHERE policy_name='$1' ORDER BY id"; }
jlines() { grep -F "\"policy_name\":\"$1\"" "$JS" 2>/dev/null; }

# ---- nop, label, no message/tags --------------------------------------------
# gp_pol NAME VALUE ARG0-TYPE ARG1-EXTRA [LINES]: a policy on getpriority
# (argument 0 of ARG0-TYPE, 1 an int with the line ARG1-EXTRA) whose
# selector matches who = VALUE; LINES follow the selector's matchArgs
gp_pol() {
	pol "$1" <<EOF
  kprobes:
  - call: "sys_getpriority"
    syscall: true
    args:
    - index: 0
      type: "$3"
    - index: 1
      type: "int"
$4
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "$2"
${5:-}
EOF
}
gp_pol c-nop 424711 nop '      label: "who"' '    message: "with nop"
    tags: ["conform"]'
gp_pol c-plain 424711 int ''
addok "$P/c-nop.yaml"
addok "$P/c-plain.yaml"
"$TR" getpriority 0 424711 >/dev/null
"$TR" getpriority 0 424712 >/dev/null
barrier
is "nop: the nop argument is not shown, the labelled one is" \
    "$(args_of c-nop)" '[{"int_arg":424711,"label":"who"}]'
is "nop: without nop both arguments are shown, neither has a label" \
    "$(args_of c-plain)" '[{"int_arg":0},{"int_arg":424711}]'
is "message and tags of a hook that has them" \
    "$(q "SELECT message || '|' || tags FROM events WHERE policy_name='c-nop'")" \
    'with nop|["conform"]'
is "no message and no tags: NULL columns" \
    "$(q "SELECT count(*) FROM events WHERE policy_name='c-plain' AND message IS NULL AND tags IS NULL")" 1
wait_for 10 sh -c "grep -q '\"policy_name\":\"c-plain\"' '$JS'"
like "JSON line of a hook with message and tags" "$(jlines c-nop)" \
    '"args":\[\{"int_arg":424711,"label":"who"\}\],"action":"KPROBE_ACTION_POST","policy_name":"c-nop","message":"with nop","tags":\["conform"\]'
is "JSON line without message, tags or label" \
    "$(jlines c-plain | grep -c '"message"\|"tags"\|"label"')" 0
like "JSON line without message, tags or label: args and policy" \
    "$(jlines c-plain)" '"args":\[\{"int_arg":0\},\{"int_arg":424711\}\],"action":"KPROBE_ACTION_POST","policy_name":"c-plain"'
del c-nop
del c-plain
pol c-nopop <<EOF
  kprobes:
  - call: "sys_getpriority"
    syscall: true
    args:
    - index: 0
      type: "nop"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "0"
EOF
refused "matchArgs on a nop argument refused, with file:line:col" \
    "$P/c-nopop.yaml" 'c-nopop.yaml:[0-9]+:[0-9]+: .*nop'

# ---- uint32, int64, uint64 above 2^63 ------------------------------------------
# int_pol NAME CALL INDEX TYPE VALUE
int_pol() {
	pol "$1" <<EOF
  kprobes:
  - call: "$2"
    syscall: true
    args:
    - index: $3
      type: "$4"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchArgs:
      - index: $3
        operator: "Equal"
        values:
        - "$5"
EOF
	addok "$P/$1.yaml"
}
int_pol c-u32 sys_getpriority 1 uint32 424700
int_pol c-i64 sys_init_module 1 int64 -5
int_pol c-u64 sys_init_module 1 uint64 9223372036854775809
int_pol c-ulong sys_init_module 1 ulong 18446744073709551614
"$TR" getpriority 0 424700 >/dev/null
"$TR" getpriority 0 424701 >/dev/null
# init_module(NULL, len, name) fails (no module support, or EFAULT); the
# hook runs at entry
"$TR" init_module -5 c-i64 >/dev/null 2>&1
"$TR" init_module -6 c-i64 >/dev/null 2>&1
"$TR" init_module -9223372036854775807 c-u64 >/dev/null 2>&1	# 2^63 + 1
"$TR" init_module -9223372036854775806 c-u64 >/dev/null 2>&1	# 2^63 + 2
"$TR" init_module -2 c-ulong >/dev/null 2>&1			# 2^64 - 2
"$TR" init_module -3 c-ulong >/dev/null 2>&1
barrier
is "uint32 Equal 424700: that call stored (uint_arg), 424701 not" \
    "$(args_of c-u32)" '[{"uint_arg":424700}]'
is "int64 Equal -5: that call stored (long_arg), -6 not" \
    "$(args_of c-i64)" '[{"long_arg":"-5"}]'
is "uint64 Equal 2^63+1: that call stored, 2^63+2 not" \
    "$(args_of c-u64)" '[{"size_arg":"9223372036854775809"}]'
is "ulong Equal 2^64-2: that call stored, 2^64-3 not" \
    "$(args_of c-ulong)" '[{"size_arg":"18446744073709551614"}]'
for p in c-u32 c-i64 c-u64 c-ulong; do del "$p"; done

# ---- cred and capability on capability/cap_capable -------------------------------
pol c-cred <<EOF
  tracepoints:
  - subsystem: "capability"
    event: "cap_capable"
    args:
    - index: 4
      type: "cred"
    - index: 7
      type: "capability"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "7"		# CAP_SETUID
EOF
addok "$P/c-cred.yaml"
"$TR" setuid 0 >/dev/null 2>&1
$NOBODY "$TR" setuid 0 >/dev/null 2>&1
$NOBODY "$TR" clock_settime 0 >/dev/null 2>&1	# CAP_SYS_TIME (refused), not CAP_SETUID
barrier
rows=$(args_of c-cred)
is "capability Equal 7: two setuid calls stored, clock_settime (CAP_SYS_TIME) not" \
    "$(printf '%s\n' "$rows" | grep -c .)" 2
like "cred of root's call: uid 0, capability CAP_SETUID" \
    "$(printf '%s\n' "$rows" | sed -n 1p)" \
    '^\[\{"process_credentials_arg":\{"uid":0,"gid":0,.*\},\{"capability_arg":\{"value":7,"name":"CAP_SETUID"\}\}\]$'
like "cred of nobody's call: uid 65534, no capabilities" \
    "$(printf '%s\n' "$rows" | sed -n 2p)" \
    '^\[\{"process_credentials_arg":\{"uid":65534,"gid":65534,.*"caps":\{\},.*\},\{"capability_arg":\{"value":7,"name":"CAP_SETUID"\}\}\]$'
del c-cred

# ---- size_t, const_buf, Signal, lists.validated, selectors.label ---------------
: > "$M/sz"
pol c-size <<EOF
  kprobes:
  - call: "sys_read"
    syscall: true
    args:
    - index: 2
      type: "size_t"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchArgs:
      - index: 2
        operator: "Equal"
        values:
        - "4243"
EOF
pol c-cbuf <<EOF
  tracepoints:
  - subsystem: "task"
    event: "task_rename"
    args:
    - index: 6
      type: "const_buf"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "tlconf-y"
EOF
gp_pol c-sig 424720 int '' '      matchActions:
      - action: "Signal"
        argSig: 10'
pol c-list <<EOF
  lists:
  - name: "conf-calls"
    type: "syscalls"
    validated: false
    values:
    - "sys_getpriority"
  kprobes:
  - call: "list:conf-calls"
    syscall: true
    args:
    - index: 1
      type: "int"
    selectors:
    - label: "conf-selector"
      matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "424730"
EOF
for p in c-size c-cbuf c-sig c-list; do addok "$P/$p.yaml"; done
"$TR" read "$M/sz" 4243 >/dev/null
"$TR" read "$M/sz" 4244 >/dev/null
"$TR" comm tlconf-yes >/dev/null
"$TR" comm tlconf-no >/dev/null
is "Signal argSig 10: the matching call gets SIGUSR1" \
    "$(how "$TR" getpriority 0 424720)" "signal 10"
is "Signal argSig 10: another call is not signalled" \
    "$(how "$TR" getpriority 0 424721)" "exit 0"
"$TR" getpriority 0 424730 >/dev/null
"$TR" getpriority 0 424731 >/dev/null
barrier
is "size_t Equal 4243: that read stored (size_arg), 4244 not" \
    "$(args_of c-size)" '[{"size_arg":"4243"}]'
is "const_buf Prefix: the comm tlconf-yes stored (bytes_arg), tlconf-no not" \
    "$(args_of c-cbuf | grep -c .) $(args_of c-cbuf | grep -c "$(printf 'tlconf-yes' | base64 | cut -c1-12)")" "1 1"
is "lists.validated: false and a selector label change nothing: 424730 stored, 424731 not" \
    "$(args_of c-list)" '[{"int_arg":424730}]'
for p in c-size c-cbuf c-sig c-list; do del "$p"; done

# ---- refusals: each with file:line:col and its reason --------------------------
# ref_pol NAME HOOK-LINES ARG-LINES REGEX DESC: a one-hook policy refused
ref_pol() {
	pol "$1" <<EOF
$2
    args:
$3
EOF
	refused "$5" "$P/$1.yaml" "$1.yaml:[0-9]+:[0-9]+: .*$4"
}
SYSH='  kprobes:
  - call: "sys_openat"
    syscall: true'
CAPH='  tracepoints:
  - subsystem: "capability"
    event: "cap_capable"'
ref_pol r-fn-sys "$SYSH" '    - index: 1
      type: "filename"' 'type filename \(a struct filename \*\) is not read by this engine' \
    "filename on a syscall hook refused: a struct filename is not read"
ref_pol r-fn-tp "$CAPH" '    - index: 4
      type: "filename"' 'type filename \(a struct filename \*\) is not read by this engine' \
    "filename on a tracepoint field refused: a struct filename is not read"
for ty in user_namespace kiocb iov_iter; do
	ref_pol "r-$(echo "$ty" | tr _ -)" "$CAPH" "    - index: 5
      type: \"$ty\"" "type $ty on a tracepoint field is not supported by this engine" \
	    "$ty on a tracepoint field refused, with the reason"
done
ref_pol r-maxdata "$SYSH" '    - index: 1
      type: "char_buf"
      maxData: true' 'maxData' "maxData: true refused: at most 4096 bytes are captured"
ref_pol r-resolve "$SYSH" '    - index: 1
      type: "string"
      resolve: "f_path.dentry"' 'resolve/btfType apply to arguments in kernel memory with a BTF type' \
    "resolve on a syscall hook refused: the caller's memory has no BTF type"
ref_pol r-btftype "$SYSH" '    - index: 1
      type: "string"
      btfType: "file"' 'resolve/btfType apply to arguments in kernel memory with a BTF type' \
    "btfType on a syscall hook refused: the caller's memory has no BTF type"
ref_pol r-resolve-tp "$CAPH" '    - index: 4
      type: "int"
      resolve: "uid.val"' 'resolve/btfType apply to arguments in kernel memory with a BTF type' \
    "resolve on a tracepoint field refused: fields are copies without BTF types (raw: true has them)"

echo "1..$_tap_n"
finish
