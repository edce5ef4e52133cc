#!/bin/sh
# End to end, part 2 (part 1: e2e_policy.sh): what the first test does not
# exercise -- the remaining operators, process selectors, argument types
# and actions, the JSON lines of tracepoint and uprobe events, and every
# shipped policy in policies/examples (policies/default: e2e_defaults.sh).
# Each case makes real system calls (tests/integration/trigger) and
# asserts the row in events.db and the line in events.jsonl (Tetragon field names); a
# feature this engine refuses is asserted on its refusal message.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env pol2
M=$T/m
mkdir -p "$M"
chmod 777 "$M"
JS=$S/events.jsonl

# first row's column(s) $3 of policy $1 with args containing $2
col() { q "SELECT $3 FROM events WHERE policy_name='$1' AND args LIKE '%$2%' ORDER BY id LIMIT 1"; }

# JSON lines of policy $1 containing the fixed string $2 (the export
# trails the database by one batch: poll)
jlines() { grep -F "\"policy_name\":\"$1\"" "$JS" 2>/dev/null | grep -F -- "$2"; }
jl_exists() { [ -n "$(jlines "$1" "$2")" ]; }
jline() { wait_for 10 jl_exists "$1" "$2"; jlines "$1" "$2" | head -1; }
# jlike DESC POLICY FIXED REGEX: the first JSON line of POLICY containing
# FIXED matches REGEX
jlike() { like "$1" "$(jline "$2" "$3")" "$4"; }


# a row of policy $1 whose process binary is $2 and args contain $3
wait_brow() { wait_for 10 row_exists "SELECT 1 FROM events e JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='$1' AND p.binary='$2' AND e.args LIKE '%$3%'"; }

start_loaderd pol2node
marker_start

# ---- sockaddr operators (connect) ---------------------------------------------
port=$((30000 + $$ % 20000))
# conn_case NAME DESC YESADDR YESPORT NOADDR NOPORT <<matchArgs entries
conn_case() {
	n=$1 d=$2 ya=$3 yp=$4 na=$5 np=$6
	{
		cat <<EOF
  kprobes:
  - call: "sys_connect"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "sockaddr"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
EOF
		cat
	} | pol "$n"
	if ! addok "$P/$n.yaml"; then not_ok "$d"; not_ok "$d: JSON line"; return; fi
	"$TR" connect "$na" "$np" >/dev/null
	"$TR" connect "$ya" "$yp" >/dev/null
	if wait_rows "$n" "\"port\":$yp}"; then
		barrier
		like "$d" "$(q "SELECT count(*) || ' ' || group_concat(args) FROM events WHERE policy_name='$n'")" \
		    "^1 .*\"sockaddr_arg\":\\{\"family\":\"AF_INET6?\",\"addr\":\"$ya\",\"port\":$yp\\}"
		jlike "$d: JSON line" "$n" "\"port\":$yp}" \
		    "^\\{\"process_kprobe\":.*\"function_name\":\"__x64_sys_connect\",\"args\":\\[\\{\"int_arg\":[0-9]+\\},\\{\"sockaddr_arg\":\\{\"family\":\"AF_INET6?\",\"addr\":\"$ya\",\"port\":$yp\\}\\}"
	else
		not_ok "$d"; not_ok "$d: JSON line"
	fi
	del "$n"
}

conn_case so-nsaddr "NotSAddr 127.0.0.1/32: 127.0.0.2 stored, 127.0.0.1 not" \
    127.0.0.2 "$port" 127.0.0.1 "$port" <<EOF
      - index: 1
        operator: "SPort"
        values:
        - "$port"
      - index: 1
        operator: "NotSAddr"
        values:
        - "127.0.0.1/32"
EOF
conn_case so-nsport "NotSPort: other port stored, that port not" \
    127.0.0.3 $((port + 1)) 127.0.0.3 "$port" <<EOF
      - index: 1
        operator: "SAddr"
        values:
        - "127.0.0.3"
      - index: 1
        operator: "NotSPort"
        values:
        - "$port"
EOF
conn_case so-priv "SPortPriv: port 7 stored, unprivileged port not" \
    127.0.0.4 7 127.0.0.4 "$port" <<EOF
      - index: 1
        operator: "SAddr"
        values:
        - "127.0.0.4/32"
      - index: 1
        operator: "SPortPriv"
EOF
conn_case so-npriv "NotSPortPriv: unprivileged port stored, port 7 not" \
    127.0.0.5 "$port" 127.0.0.5 7 <<EOF
      - index: 1
        operator: "SAddr"
        values:
        - "127.0.0.5/32"
      - index: 1
        operator: "NotSPortPriv"
EOF
conn_case so-fam6 "Family AF_INET6 (+ SAddr ::1/128): ::1 stored, 127.0.0.1 not" \
    ::1 $((port + 2)) 127.0.0.1 $((port + 2)) <<EOF
      - index: 1
        operator: "SPort"
        values:
        - "$((port + 2))"
      - index: 1
        operator: "Family"
        values:
        - "AF_INET6"
      - index: 1
        operator: "SAddr"
        values:
        - "::1/128"
EOF
for op in DAddr:127.0.0.1 DPort:80 NotDAddr:127.0.0.1 DPortPriv:; do
	o=${op%%:*} v=${op#*:}
	{
		cat <<EOF
  kprobes:
  - call: "sys_connect"
    syscall: true
    args:
    - index: 1
      type: "sockaddr"
    selectors:
    - matchArgs:
      - index: 1
        operator: "$o"
EOF
		[ -n "$v" ] && printf '        values:\n        - "%s"\n' "$v"
	} | pol so-d
	refused "$o on a sockaddr refused: a sockaddr has only the one address" \
	    "$P/so-d.yaml" "so-d.yaml:[0-9]+:[0-9]+: operator $o does not apply to index 1 of type sockaddr; expected one of: SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSPortPriv, Family"
done

# ---- process selectors (openat of $M/NAME-yes / $M/NAME-no) ---------------------
# sel_check NAME DESC [BINARY]: $M/NAME-yes stored (by BINARY), NAME-no not
sel_check() {
	if wait_rows "$1" "$M/$1-yes"; then
		barrier
		is "$2" "$(nrows "$1" "$M/$1-yes") $(nrows "$1" "$M/$1-no")" "1 0"
		jlike "$2: JSON line" "$1" "$M/$1-yes" \
		    "^\\{\"process_kprobe\":\\{\"process\":\\{.*\"binary\":\"${3:-$TR}\".*\"function_name\":\"__x64_sys_openat\",\"args\":\\[\\{\"int_arg\":-100\\},\\{\"string_arg\":\"$M/$1-yes\"\\}\\],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"$1\""
	else
		not_ok "$2"; not_ok "$2: JSON line"; diag "$(tail -3 "$T/loaderd.log")"
	fi
	del "$1"
}

sel_pol pids-nin <<EOF
      matchPIDs:
      - operator: NotIn
        followForks: false
        values:
        - $$
EOF
addok "$P/pids-nin.yaml"
: > "$M/pids-nin-no"		# opened by this shell itself
"$TR" openat "$M/pids-nin-yes" 0 >/dev/null
sel_check pids-nin "matchPIDs NotIn: this shell's own open not stored, its child's stored"

sel_pol pids-ninf <<EOF
      matchPIDs:
      - operator: NotIn
        followForks: true
        values:
        - $$
EOF
addok "$P/pids-ninf.yaml"
"$TR" openat "$M/pids-ninf-no" 0 >/dev/null
# not a descendant: its parent exits first, so it is reparented
( sh -c "sleep 0.2; exec '$TR' openat '$M/pids-ninf-yes' 0 >/dev/null" & )
sel_check pids-ninf "matchPIDs NotIn followForks: a descendant of this shell not stored, an orphan stored"

sel_pol pids-ns <<EOF
      matchPIDs:
      - operator: In
        isNamespacePID: true
        values:
        - 1
EOF
addok "$P/pids-ns.yaml"
"$TR" openat "$M/pids-ns-no" 0 >/dev/null
unshare -p -f "$TR" openat "$M/pids-ns-yes" 0 >/dev/null
sel_check pids-ns "matchPIDs In 1 isNamespacePID: pid 1 of a new pid namespace stored, host pid not"

cp "$TR" "$M/trigger-copy"
sel_pol bins-nin <<EOF
      matchBinaries:
      - operator: NotIn
        values:
        - "$M/trigger-copy"
EOF
addok "$P/bins-nin.yaml"
"$M/trigger-copy" openat "$M/bins-nin-no" 0 >/dev/null
"$TR" openat "$M/bins-nin-yes" 0 >/dev/null
sel_check bins-nin "matchBinaries NotIn"

sel_pol bins-post <<EOF
      matchBinaries:
      - operator: Postfix
        values:
        - "/trigger-copy"
EOF
addok "$P/bins-post.yaml"
"$TR" openat "$M/bins-post-no" 0 >/dev/null
"$M/trigger-copy" openat "$M/bins-post-yes" 0 >/dev/null
sel_check bins-post "matchBinaries Postfix" "$M/trigger-copy"

sel_pol bins-npost <<EOF
      matchBinaries:
      - operator: NotPostfix
        values:
        - "/trigger-copy"
        - "-nothing-else"
EOF
addok "$P/bins-npost.yaml"
"$M/trigger-copy" openat "$M/bins-npost-no" 0 >/dev/null
"$TR" openat "$M/bins-npost-yes" 0 >/dev/null
sel_check bins-npost "matchBinaries NotPostfix (two values: none may match)"

sel_pol ns-in <<EOF
      matchNamespaces:
      - namespace: Mnt
        operator: In
        values:
        - "host_ns"
EOF
addok "$P/ns-in.yaml"
unshare -m --propagation unchanged "$TR" openat "$M/ns-in-no" 0 >/dev/null
"$TR" openat "$M/ns-in-yes" 0 >/dev/null
sel_check ns-in "matchNamespaces Mnt In host_ns: a new mount namespace not stored"

sel_pol caps-nin <<EOF
      matchCapabilities:
      - type: Effective
        operator: NotIn
        values:
        - "CAP_SYS_ADMIN"
EOF
addok "$P/caps-nin.yaml"
"$TR" openat "$M/caps-nin-no" 0 >/dev/null
setpriv --reuid=65534 --regid=65534 --clear-groups "$TR" openat "$M/caps-nin-yes" 0 >/dev/null
sel_check caps-nin "matchCapabilities Effective NotIn CAP_SYS_ADMIN: unprivileged stored, root not"

# isNamespaceCapability: the capability counts only outside the host user
# namespace (root here has CAP_SYS_ADMIN in the host namespace: no match)
sel_pol caps-nscap <<EOF
      matchCapabilities:
      - type: Effective
        operator: In
        isNamespaceCapability: true
        values:
        - "CAP_SYS_ADMIN"
EOF
addok "$P/caps-nscap.yaml"
"$TR" openat "$M/caps-nscap-no" 0 >/dev/null
unshare -U -r "$TR" openat "$M/caps-nscap-yes" 0 >/dev/null
sel_check caps-nscap "matchCapabilities In CAP_SYS_ADMIN isNamespaceCapability: root of a new user namespace stored, host root not"

# ---- matchReturnArgs: openat returns a fd (>= 0) or -2 (ENOENT) ----------------
: > "$M/exists"
# ret_case NAME OP VALUE DESC YESPATH NOPATH
ret_case() {
	n=$1 op=$2 v=$3 d=$4 yes=$5 no=$6
	pol "$n" <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    return: true
    returnArg:
      index: 0
      type: "int"
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$M/"
      matchReturnArgs:
      - index: 0
        operator: "$op"
        values:
        - "$v"
EOF
	if ! addok "$P/$n.yaml"; then not_ok "$d"; not_ok "$d: JSON line"; return; fi
	"$TR" openat "$no" 0 >/dev/null
	"$TR" openat "$yes" 0 >/dev/null
	if wait_rows "$n" "\"$yes\""; then
		barrier
		rv=$(col "$n" "\"$yes\"" return_value)
		like "$d" "$(nrows "$n" "\"$yes\"") $(nrows "$n" "\"$no\"") $rv" \
		    "^1 0 $( [ "$yes" = "$M/exists" ] && echo '\{"int_arg":[0-9]+\}' || echo '\{"int_arg":-2\}')\$"
		jlike "$d: JSON line" "$n" "\"$yes\"" \
		    "\"function_name\":\"__x64_sys_openat\",\"args\":\\[\\{\"string_arg\":\"$yes\"\\}\\],\"return\":\\{\"int_arg\":${rv#*:},\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"$n\""
	else
		not_ok "$d"; not_ok "$d: JSON line"
	fi
	del "$n"
}
ret_case ret-gt GT -1 "matchReturnArgs GT -1 (signed): a fd stored, -2 not" "$M/exists" "$M/missing-gt"
ret_case ret-lt LT 0 "matchReturnArgs LT 0: -2 stored, a fd not" "$M/missing-lt" "$M/exists"
ret_case ret-neq NotEqual -2 "matchReturnArgs NotEqual -2: a fd stored, -2 not" "$M/exists" "$M/missing-neq"

# ---- rateLimitScope -----------------------------------------------------------
# rl_pol NAME SCOPE: Post rateLimit 1m with that scope on symlinkat NAME-*
rl_pol() {
	pol "$1" <<EOF
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    args:
    - index: 0
      type: "string"
    - index: 2
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$M/$1-"
      matchActions:
      - action: Post
        rateLimit: "1m"
        rateLimitScope: "$2"
EOF
	addok "$P/$1.yaml"
}
rl_pol rl-thr thread
rl_pol rl-proc process
rl_pol rl-glob global
for n in rl-thr rl-proc rl-glob; do
	# 3 threads of one process, then 2 more processes, identical args
	"$TR" threads 3 symlinkat "$M/$n-t" "$M/$n-l" >/dev/null 2>&1
	"$TR" symlinkat "$M/$n-t" "$M/$n-l" >/dev/null 2>&1
	"$TR" symlinkat "$M/$n-t" "$M/$n-l" >/dev/null 2>&1
done
barrier
is "rateLimitScope thread (default): 3 threads + 2 processes = 5 events" \
    "$(nrows rl-thr "$M/rl-thr-t")" "5"
is "rateLimitScope process: 3 threads of one process + 2 processes = 3 events" \
    "$(nrows rl-proc "$M/rl-proc-t")" "3"
is "rateLimitScope global: 1 event for all" "$(nrows rl-glob "$M/rl-glob-t")" "1"
jlike "rateLimitScope: JSON line of the global one" rl-glob "$M/rl-glob-t" \
    "\"function_name\":\"__x64_sys_symlinkat\",\"args\":\\[\\{\"string_arg\":\"$M/rl-glob-t\"\\},\\{\"string_arg\":\"$M/rl-glob-l\"\\}\\],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"rl-glob\""
is "rateLimitScope global: ... and only one JSON line" "$(jlines rl-glob "$M/rl-glob-t" | wc -l)" "1"
del rl-thr; del rl-proc; del rl-glob

# ---- SubString, FileType ------------------------------------------------------
pol s-sub <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$M/"
      - index: 1
        operator: "SubString"
        values:
        - "-sub-yes-"
EOF
if add "$P/s-sub.yaml"; then
	"$TR" openat "$M/a-sub-no-b" 0 >/dev/null
	"$TR" openat "$M/a-sub-yes-b" 0 >/dev/null
	barrier
	r="$(nrows s-sub a-sub-yes-b) $(nrows s-sub a-sub-no-b)"
	if [ "$r" = "1 0" ]; then
		ok "SubString accepted and matches inside the string"
		jlike "SubString: JSON line" s-sub a-sub-yes-b "\"string_arg\":\"$M/a-sub-yes-b\""
	else
		not_ok "SubString accepted and matches inside the string"
		diag "got '$r', want '1 0'"
		not_ok "SubString: JSON line"
	fi
	del s-sub
else
	not_ok "SubString accepted and matches inside the string"
	diag "$(cat "$T/add.out")"
	not_ok "SubString: JSON line"
fi

pol ftype <<'EOF'
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "file"
    selectors:
    - matchArgs:
      - index: 1
        operator: "FileType"
        values:
        - "reg"
EOF
refused "FileType on a syscall hook refused: a file arg needs a kernel-function kprobe" \
    "$P/ftype.yaml" "ftype.yaml:[0-9]+:[0-9]+: kprobe \"sys_openat\": type file needs a kprobe on a kernel function"

# ---- argument types -------------------------------------------------------------
# getpriority(0, 0x1fffe): int16/int8 -2, uint16 65534, uint8 254
for ty in int16:int_arg:-2 uint16:uint_arg:65534 int8:int_arg:-2 uint8:uint_arg:254; do
	t=${ty%%:*} r=${ty#*:}; key=${r%%:*} v=${r#*:}
	pol "ty-$t" <<EOF
  kprobes:
  - call: "sys_getpriority"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "$t"
      label: "who"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "0"
      - index: 1
        operator: "Equal"
        values:
        - "$v"
EOF
	if ! addok "$P/ty-$t.yaml"; then not_ok "$t argument"; not_ok "$t: JSON line"; continue; fi
	"$TR" getpriority 0 $((0x1fffd)) >/dev/null
	"$TR" getpriority 0 $((0x1fffe)) >/dev/null
	if wait_rows "ty-$t" "\"$key\":$v,"; then
		barrier
		is "$t argument: 0x1fffe reduced to $v ($key), Equal matches only it" \
		    "$(q "SELECT count(*) || ' ' || args FROM events WHERE policy_name='ty-$t'")" \
		    "1 [{\"int_arg\":0},{\"$key\":$v,\"label\":\"who\"}]"
		jlike "$t: JSON line" "ty-$t" "\"$key\":$v," \
		    "\"function_name\":\"__x64_sys_getpriority\",\"args\":\\[\\{\"int_arg\":0\\},\\{\"$key\":$v,\"label\":\"who\"\\}\\]"
	else
		not_ok "$t argument"; not_ok "$t: JSON line"
		diag "$(q "SELECT args FROM events WHERE policy_name='ty-$t'")"
	fi
	del "ty-$t"
done

# a string longer than the capture limit (4096 bytes) is cut at it
pol s-trunc <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$M/trunc-"
EOF
addok "$P/s-trunc.yaml"
long="$M/trunc-$(printf '%05000d' 0)"
"$TR" openat "$long" 0 >/dev/null
want=$(printf '%s' "$long" | cut -c1-4096)
if wait_rows s-trunc "$M/trunc-"; then
	is "string longer than 4096 bytes: string_arg cut at 4096" \
	    "$(q "SELECT json_extract(args, '\$[0].string_arg') FROM events WHERE policy_name='s-trunc'")" "$want"
	like "string cut: JSON line" "$(jline s-trunc "$M/trunc-")" "\"args\":\\[\\{\"string_arg\":\"$want\"\\}\\]"
else not_ok "string truncation"; not_ok "string truncation: JSON line"; fi
del s-trunc

# a char_buf larger than the capture: truncated_bytes_arg with orig_size
pol b-trunc <<'EOF'
  kprobes:
  - call: "sys_write"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 1
      type: "char_buf"
      sizeArgIndex: 3
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Postfix"
        values:
        - "/b-trunc.out"
EOF
addok "$P/b-trunc.yaml"
"$TR" writen "$M/b-trunc.out" 5000 >/dev/null
b64=$(head -c 4096 /dev/zero | tr '\0' A | base64 -w0)
if wait_rows b-trunc b-trunc.out; then
	is "char_buf of 5000 bytes: truncated_bytes_arg, 4096 bytes and orig_size" \
	    "$(q "SELECT args FROM events WHERE policy_name='b-trunc'")" \
	    "[{\"file_arg\":{\"path\":\"$M/b-trunc.out\"}},{\"truncated_bytes_arg\":{\"bytes_arg\":\"$b64\",\"orig_size\":\"5000\"}},{\"size_arg\":\"5000\"}]"
	jlike "char_buf cut: JSON line" b-trunc b-trunc.out \
	    "\"args\":\\[\\{\"file_arg\":\\{\"path\":\"$M/b-trunc.out\"\\}\\},\\{\"truncated_bytes_arg\":\\{\"bytes_arg\":\"$b64\",\"orig_size\":\"5000\"\\}\\},\\{\"size_arg\":\"5000\"\\}\\]"
else not_ok "char_buf truncation"; not_ok "char_buf truncation: JSON line"; fi
del b-trunc

# const_buf (a char[16] field) and int16 (short) on task/task_rename
pol tp-cb <<'EOF'
  tracepoints:
  - subsystem: "task"
    event: "task_rename"
    args:
    - index: 4
      type: "int"
    - index: 6
      type: "const_buf"
    - index: 7
      type: "int16"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "trl-cb-yes"
    message: "comm changed"
    tags: ["e2e"]
EOF
addok "$P/tp-cb.yaml"
"$TR" comm trl-cb-no >/dev/null
"$TR" comm trl-cb-yes >/dev/null
cb=$(printf 'trl-cb-yes\0\0\0\0\0\0' | base64 -w0)
if wait_rows tp-cb "$cb"; then
	barrier
	like "const_buf char[16] as bytes_arg, int16 oom_score_adj (task/task_rename)" \
	    "$(q "SELECT count(*) || ' ' || type || ' ' || function_name || ' ' || args FROM events WHERE policy_name='tp-cb'")" \
	    "^1 process_tracepoint task/task_rename \\[\\{\"int_arg\":[0-9]+\\},\\{\"bytes_arg\":\"$cb\"\\},\\{\"int_arg\":0\\}\\]$"
	jlike "process_tracepoint JSON line: subsys, event, args, policy, action, message, tags" tp-cb "$cb" \
	    "^\\{\"process_tracepoint\":\\{\"process\":\\{.*\"binary\":\"$TR\".*\\},\"subsys\":\"task\",\"event\":\"task_rename\",\"args\":\\[\\{\"int_arg\":[0-9]+\\},\\{\"bytes_arg\":\"$cb\"\\},\\{\"int_arg\":0\\}\\],\"policy_name\":\"tp-cb\",\"action\":\"KPROBE_ACTION_POST\",\"message\":\"comm changed\",\"tags\":\\[\"e2e\"\\]\\},\"node_name\":\"pol2node\",\"time\":\"[0-9T:.-]+Z\"\\}$"
else not_ok "const_buf"; not_ok "process_tracepoint JSON line"; diag "$(cat "$T/add.out")"; fi
del tp-cb

# data_loc: sched/sched_process_exec's filename is a __data_loc char[]
pol tp-dl <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    args:
    - index: 4
      type: "data_loc"
    - index: 5
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "$M/trigger-copy"
EOF
addok "$P/tp-dl.yaml"
"$TR" getpriority 0 0 >/dev/null
"$M/trigger-copy" getpriority 0 0 >/dev/null
if wait_rows tp-dl "$M/trigger-copy"; then
	barrier
	like "data_loc filename of sched_process_exec as string_arg, Equal on it" \
	    "$(q "SELECT count(*) || ' ' || function_name || ' ' || args FROM events WHERE policy_name='tp-dl'")" \
	    "^1 sched/sched_process_exec \\[\\{\"string_arg\":\"$M/trigger-copy\"\\},\\{\"int_arg\":[0-9]+\\}\\]$"
	jlike "data_loc: JSON line" tp-dl "$M/trigger-copy" \
	    "\"subsys\":\"sched\",\"event\":\"sched_process_exec\",\"args\":\\[\\{\"string_arg\":\"$M/trigger-copy\"\\},"
else not_ok "data_loc"; not_ok "data_loc: JSON line"; diag "$(cat "$T/add.out")"; fi
del tp-dl

# kernel-object types on a syscall hook are refused, saying why
for t in file path; do	# filename: e2e_conform.sh
	pol ty-k <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "$t"
EOF
	refused "type $t on a syscall hook refused: needs a kprobe on a kernel function" \
	    "$P/ty-k.yaml" "ty-k.yaml:[0-9]+:[0-9]+: kprobe \"sys_openat\": type $t needs a kprobe on a kernel function"
done

# ---- actions: FollowFD / UnfollowFD ----------------------------------------------
# openat of $M/ff-* follows the returned fd; a write whose fd resolves to
# *-kill is killed.  trigger ffd opens, closes, then writes to the closed
# fd: only the followed name can match it.
ff_pol() { # UNFOLLOW(0|1)
	{
		cat <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    return: true
    returnArg:
      index: 0
      type: "int"
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$M/ff-"
      matchReturnActions:
      - action: FollowFD
        argName: 0
  - call: "sys_write"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 2
      type: "size_t"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$M/"
      - index: 0
        operator: "Postfix"
        values:
        - "-kill"
      matchActions:
      - action: Sigkill
EOF
		[ "$1" = 1 ] && cat <<EOF
  - call: "sys_close"
    syscall: true
    args:
    - index: 0
      type: "fd"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$M/ff-"
      matchActions:
      - action: UnfollowFD
        argFd: 0
EOF
	} | pol ff
}
ff_pol 0
addok "$P/ff.yaml"
is "FollowFD: write to a closed fd never followed is not matched" "$(how "$TR" ffd "$M/nf-kill")" "exit 0"
is "FollowFD: write to the closed fd matched by its followed path: SIGKILL" "$(how "$TR" ffd "$M/ff-kill")" "signal 9"
if wait_rows ff '"path":"'"$M/ff-kill"; then
	barrier
	like "FollowFD: openat event records the action and the returned fd" \
	    "$(q "SELECT function_name || ' ' || action || ' ' || return_value FROM events WHERE policy_name='ff' AND args LIKE '%\"$M/ff-kill\"%' AND function_name LIKE '%openat'")" \
	    "^__x64_sys_openat KPROBE_ACTION_FOLLOWFD \\{\"int_arg\":[0-9]+\\}\$"
	is "FollowFD: write event: followed path, Sigkill" \
	    "$(q "SELECT count(*) || ' ' || function_name || ' ' || action || ' ' || args FROM events WHERE policy_name='ff' AND function_name LIKE '%write'")" \
	    "1 __x64_sys_write KPROBE_ACTION_SIGKILL [{\"file_arg\":{\"path\":\"$M/ff-kill\"}},{\"size_arg\":\"8\"}]"
	jlike "FollowFD: JSON line of the openat" ff "\"string_arg\":\"$M/ff-kill\"" \
	    "\"function_name\":\"__x64_sys_openat\",\"args\":\\[\\{\"string_arg\":\"$M/ff-kill\"\\}\\],\"return\":\\{\"int_arg\":[0-9]+\\},\"action\":\"KPROBE_ACTION_FOLLOWFD\",\"policy_name\":\"ff\""
	jlike "FollowFD: JSON line of the killed write" ff "\"file_arg\":{\"path\":\"$M/ff-kill\"}" \
	    "\"function_name\":\"__x64_sys_write\",\"args\":\\[\\{\"file_arg\":\\{\"path\":\"$M/ff-kill\"\\}\\},\\{\"size_arg\":\"8\"\\}\\],\"action\":\"KPROBE_ACTION_SIGKILL\",\"policy_name\":\"ff\""
else
	for i in 1 2 3 4; do not_ok "FollowFD events"; done
	diag "$(q "SELECT function_name, action, args FROM events WHERE policy_name='ff'")"
fi
# the same with a close hook that unfollows: the write is not matched
ff_pol 1
addok "$P/ff.yaml"
is "UnfollowFD on close: the later write to the closed fd is not matched" \
    "$(how "$TR" ffd "$M/ff-unf-kill")" "exit 0"
if wait_rows ff "\"path\":\"$M/ff-unf-kill\""; then
	barrier
	is "UnfollowFD: close event records the action; no write event" \
	    "$(q "SELECT group_concat(function_name || ' ' || action, ';') FROM events WHERE policy_name='ff' AND args LIKE '%ff-unf-kill%'")" \
	    "__x64_sys_openat KPROBE_ACTION_FOLLOWFD;__x64_sys_close KPROBE_ACTION_UNFOLLOWFD"
	jlike "UnfollowFD: JSON line of the close" ff "\"path\":\"$M/ff-unf-kill\"" \
	    "\"function_name\":\"__x64_sys_close\",\"args\":\\[\\{\"file_arg\":\\{\"path\":\"$M/ff-unf-kill\"\\}\\}\\],\"action\":\"KPROBE_ACTION_UNFOLLOWFD\",\"policy_name\":\"ff\""
else not_ok "UnfollowFD close event"; not_ok "UnfollowFD JSON line"; fi
del ff

# ---- actions this engine refuses -------------------------------------------------
act_pol() { # NAME ARGS-AND-ACTION-LINES(stdin)
	{
		cat <<EOF
  kprobes:
  - call: "sys_dup2"
    syscall: true
    args:
    - index: 0
      type: "fd"
    - index: 1
      type: "int"
    selectors:
    - matchActions:
EOF
		cat
	} | pol "$1"
}
act_pol a-copyfd <<'EOF'
      - action: CopyFD
        argFd: 0
        argName: 1
EOF
refused "CopyFD refused with a clear message" "$P/a-copyfd.yaml" "a-copyfd.yaml:[0-9]+:[0-9]+: kprobe \"sys_dup2\": action CopyFD is not supported by this engine"
act_pol a-set <<'EOF'
      - action: Set
EOF
refused "Set refused: no writes into the probed process" "$P/a-set.yaml" "a-set.yaml:[0-9]+:[0-9]+: Set is not supported by this engine \\(it would write into the probed process's memory\\)"
act_pol a-notify <<'EOF'
      - action: NotifyEnforcer
EOF
refused "NotifyEnforcer refused (needs enforcers)" "$P/a-notify.yaml" "a-notify.yaml:[0-9]+:[0-9]+: NotifyEnforcer needs enforcers, which are not supported"
for a in TrackSock UntrackSock; do
	pol a-sock <<EOF
  kprobes:
  - call: "sys_connect"
    syscall: true
    args:
    - index: 0
      type: "sock"
    selectors:
    - matchActions:
      - action: $a
        argSock: 0
EOF
	refused "$a refused on a syscall hook: its sock argument needs a kernel-function kprobe" \
	    "$P/a-sock.yaml" "a-sock.yaml:[0-9]+:[0-9]+: kprobe \"sys_connect\": type sock needs a kprobe on a kernel function"
done

# ---- uprobe JSON line ------------------------------------------------------------
pol up2 <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_probe_target"
    message: "probe target"
    args:
    - index: 0
      type: "int"
      label: "x"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "4343"
EOF
addok "$P/up2.yaml"
"$TR" probe 4344 >/dev/null
"$TR" probe 4343 >/dev/null
if wait_rows up2 '"int_arg":4343'; then
	barrier
	is "uprobe: one row, function_name is the symbol" \
	    "$(q "SELECT count(*) || ' ' || type || ' ' || function_name || ' ' || args || ' ' || action FROM events WHERE policy_name='up2'")" \
	    "1 process_uprobe trigger_probe_target [{\"int_arg\":4343,\"label\":\"x\"}] KPROBE_ACTION_POST"
	jlike "process_uprobe JSON line: path, symbol, policy, message, args, action" up2 '"int_arg":4343' \
	    "^\\{\"process_uprobe\":\\{\"process\":\\{.*\"binary\":\"$TR\".*\\},\"path\":\"$TR\",\"symbol\":\"trigger_probe_target\",\"policy_name\":\"up2\",\"message\":\"probe target\",\"args\":\\[\\{\"int_arg\":4343,\"label\":\"x\"\\}\\],\"action\":\"KPROBE_ACTION_POST\"\\},\"node_name\":\"pol2node\""
else not_ok "uprobe row"; not_ok "uprobe JSON line"; diag "$(cat "$T/add.out")"; fi
del up2

# ---- shipped policies ----------------------------------------------------------------
PE=$top_srcdir/policies/examples
# shipped DESC POLICY FUNCTION ARGS-SUBSTRING ROWREGEX JSONREGEX: the row
# of POLICY made by the trigger with FUNCTION and args containing the
# substring; "function action args" matches ROWREGEX; its JSON line
# matches JSONREGEX
shipped() {
	if wait_brow "$2" "$TR" "$4"; then
		like "$1" "$(q "SELECT e.function_name || ' ' || e.action || ' ' || e.args FROM events e JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='$2' AND p.binary='$TR' AND e.function_name='$3' AND e.args LIKE '%$4%' ORDER BY e.id LIMIT 1")" "$5"
		jlike "$1: JSON line" "$2" "$4" "$6"
	else
		not_ok "$1"; not_ok "$1: JSON line"; diag "$(tail -3 "$T/loaderd.log")"
	fi
}

# the policies of policies/default: e2e_defaults.sh

# bpf-monitor: every bpf command
addok "$PE/bpf-monitor.yaml"
"$TR" bpf 9999 16 >/dev/null
shipped "bpf-monitor: bpf(9999, attr, 16)" bpf-monitor __x64_sys_bpf '"int_arg":9999' \
    "^__x64_sys_bpf KPROBE_ACTION_POST \\[\\{\"int_arg\":9999,\"label\":\"cmd\"\\},\\{\"uint_arg\":16,\"label\":\"size\"\\}\\]$" \
    "\"function_name\":\"__x64_sys_bpf\",\"args\":\\[\\{\"int_arg\":9999,\"label\":\"cmd\"\\},\\{\"uint_arg\":16,\"label\":\"size\"\\}\\],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"bpf-monitor\""
del bpf-monitor

# clock-settime: an invalid clock (EINVAL).  nest.sh N CMD runs CMD under
# N nested shells; in `unshare -p -f`, "nest.sh 0" is pid 1 of the new pid
# namespace and "nest.sh 1" pid 2 (its parent being that pid 1).
cat > "$M/nest.sh" <<'EOF'
n=$1; shift
if [ "$n" -gt 0 ]; then sh "$0" $((n - 1)) "$@"; exit $?; fi
exec "$@"
EOF
ck_rows() {
	re1="^__x64_sys_clock_settime KPROBE_ACTION_POST \\[\\{\"int_arg\":$1,\"label\":\"clockid\"\\}\\]$"
	re2="\"function_name\":\"__x64_sys_clock_settime\",\"args\":\\[\\{\"int_arg\":$1,\"label\":\"clockid\"\\}\\],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"sys-clock-settime\""
}
addok "$PE/clock-settime.yaml"
unshare -p -f sh "$M/nest.sh" 0 "$TR" clock_settime 4243 >/dev/null
unshare -p -f sh "$M/nest.sh" 1 "$TR" clock_settime 4244 >/dev/null
"$TR" clock_settime 4242 >/dev/null
ck_rows 4242
shipped "clock-settime: host caller stored" sys-clock-settime __x64_sys_clock_settime '"int_arg":4242' "$re1" "$re2"
ck_rows 4244
shipped "clock-settime: pid 2 of a pid namespace stored" sys-clock-settime __x64_sys_clock_settime '"int_arg":4244' "$re1" "$re2"
is "clock-settime: pid 1 of a pid namespace not stored" "$(nrows sys-clock-settime '"int_arg":4243')" "0"
del sys-clock-settime

# symlink-passwd-kill.  Loaded as shipped it would kill, for as long as
# it is loaded, every symlinkat to *passwd on the machine, including those
# of e2e_policy.sh when `make -j check` runs it alongside (its monitor-mode
# case expects to survive).  So the shipped file is linted as is and loaded
# with one addition: matchBinaries In [trigger] in its selector.
like "symlink-passwd-kill: the shipped file lints" \
    "$("$CTL" policy lint "$PE/symlink-passwd-kill.yaml" 2>&1)" ": OK: policy sys-symlink-passwd, 1 hook$"
awk -v tr="$TR" '/^      matchActions:/ {
	print "      matchBinaries:"; print "      - operator: In"
	print "        values:"; print "        - \"" tr "\"" }
	{ print }' "$PE/symlink-passwd-kill.yaml" > "$P/symlink-passwd-kill.yaml"
is "symlink-passwd-kill: only the matchBinaries lines added" \
    "$(diff "$PE/symlink-passwd-kill.yaml" "$P/symlink-passwd-kill.yaml" | grep -c '^>')" "4"
addok "$P/symlink-passwd-kill.yaml"
is "symlink-passwd-kill: symlinkat to .../passwd dies by SIGKILL" \
    "$(how "$TR" symlinkat "$M/sp-passwd" "$M/sp-link")" "signal 9"
shipped "symlink-passwd-kill: event with Sigkill" sys-symlink-passwd __x64_sys_symlinkat "$M/sp-passwd" \
    "^__x64_sys_symlinkat KPROBE_ACTION_SIGKILL \\[\\{\"string_arg\":\"$M/sp-passwd\"\\},\\{\"int_arg\":-100\\},\\{\"string_arg\":\"$M/sp-link\"\\}\\]$" \
    "\"function_name\":\"__x64_sys_symlinkat\",\"args\":\\[\\{\"string_arg\":\"$M/sp-passwd\"\\},\\{\"int_arg\":-100\\},\\{\"string_arg\":\"$M/sp-link\"\\}\\],\"action\":\"KPROBE_ACTION_SIGKILL\",\"policy_name\":\"sys-symlink-passwd\""
"$TR" symlinkat "$M/sp-passwd.bak" "$M/sp-link2" >/dev/null
barrier
is "symlink-passwd-kill: passwd.bak not matched (the trailing NUL anchors the end)" "$(nrows sys-symlink-passwd sp-passwd.bak)" "0"
del sys-symlink-passwd

# passwd-write-kill: NEVER the real /etc/passwd.  Two ways to have a
# writer whose fd resolves to /etc/passwd without touching the real file:
# (1) a chroot holding a copy of the trigger and a fake etc/passwd (the
# kernel-side path walk stops at the task's root); (2) in a new mount
# namespace made private, a temp file bind-mounted over /etc/passwd (the
# walk crosses the bind mount).  (2) needs / to be a mount point (not so in
# a chroot); the write happens only once the fake file is read back.
pw_rows() { # DESC DATA
	b=$(printf '%s' "$2" | base64)
	if wait_rows passwd-write-kill "$b"; then
		is "$1: event with the resolved path and Sigkill" \
		    "$(q "SELECT function_name || ' ' || action || ' ' || args FROM events WHERE policy_name='passwd-write-kill' AND args LIKE '%$b%'")" \
		    "__x64_sys_write KPROBE_ACTION_SIGKILL [{\"file_arg\":{\"path\":\"/etc/passwd\"}},{\"bytes_arg\":\"$b\"},{\"size_arg\":\"${#2}\"}]"
		jlike "$1: JSON line" passwd-write-kill "$b" \
		    "\"function_name\":\"__x64_sys_write\",\"args\":\\[\\{\"file_arg\":\\{\"path\":\"/etc/passwd\"\\}\\},\\{\"bytes_arg\":\"$b\"\\},\\{\"size_arg\":\"${#2}\"\\}\\],\"action\":\"KPROBE_ACTION_SIGKILL\",\"policy_name\":\"passwd-write-kill\""
	else
		not_ok "$1: event"; not_ok "$1: JSON line"
	fi
}
addok "$PE/passwd-write-kill.yaml"
sum0=$(sha256sum /etc/passwd)
R=$M/root
mkdir -p "$R/etc"
printf 'tripline-e2e-fake-passwd\n' > "$R/etc/passwd"
cp "$TR" "$R/trigger"
for f in $(ldd "$TR" | grep -o '/[^ ]*'); do cp -L --parents "$f" "$R"; done
is "passwd-write-kill (chroot): the writer dies by SIGKILL" \
    "$(how chroot "$R" /trigger write /etc/passwd pwned-in-chroot)" "signal 9"
pw_rows "passwd-write-kill (chroot)" pwned-in-chroot

if unshare -m --propagation unchanged mount --make-rprivate / 2>/dev/null; then
	printf 'tripline-e2e-fake-passwd\n' > "$M/fake-passwd"
	cat > "$M/pw.sh" <<EOF
mount --make-rprivate / || exit 90
mount --bind "$M/fake-passwd" /etc/passwd || exit 91
grep -qx tripline-e2e-fake-passwd /etc/passwd || exit 92
exec "$TR" write /etc/passwd pwned-by-bind-mount
EOF
	is "passwd-write-kill (bind mount): the writer dies by SIGKILL" \
	    "$(how unshare -m --propagation unchanged sh "$M/pw.sh")" "signal 9"
	pw_rows "passwd-write-kill (bind mount)" pwned-by-bind-mount
else
	diag "/ is not a mount point here (chroot?): bind-mount case not run"
fi
is "passwd-write-kill: the real /etc/passwd is untouched" "$(sha256sum /etc/passwd)" "$sum0"
del passwd-write-kill

kill -0 "$LPID" 2>/dev/null
is "loaderd still running after all of that" "$?" "0"
is "only the marker policy is left" "$("$CTL" -S "$S" policy list | grep -c ' mode ')" "1"

echo "1..$_tap_n"
finish
