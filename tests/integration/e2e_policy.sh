#!/bin/sh
# End to end: TracingPolicy YAML -> generic BPF hooks on this kernel ->
# real system calls -> rows in events.db and lines in events.jsonl.
# Every operator, action and argument type the engine supports on this
# kernel is triggered for real (tests/integration/trigger makes the exact
# calls) and checked both ways: the matching call is stored, the
# non-matching one is not.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env pol
M=$T/m
mkdir -p "$M"
chmod 777 "$M"

# openat hook on the filename with one matchArgs operator
openat_pol() { # NAME OP VALUE...
	name=$1 op=$2; shift 2
	{
		cat <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "$op"
        values:
EOF
		for v in "$@"; do printf '        - "%s"\n' "$v"; done
	} | pol "$name"
}

# string operator: CASE OP VALUE MATCHPATH NOMATCHPATH
str_case() {
	n=$1 op=$2 v=$3 yes=$4 no=$5
	openat_pol "$n" "$op" "$v"
	add "$P/$n.yaml" || { not_ok "$op: policy added"; diag "$(cat "$T/add.out")"; return; }
	"$TR" openat "$no" 0 >/dev/null
	"$TR" openat "$yes" 0 >/dev/null
	if wait_rows "$n" "$yes"; then
		is "$op: matching openat stored, other not" \
		    "$(nrows "$n" "$yes") $(nrows "$n" "$no")" "1 0"
	else
		not_ok "$op: matching openat stored, other not"
	fi
	del "$n"
}

# numeric operator on getpriority(which, who): CASE OP WHO_YES WHO_NO VALUE...
num_case() {
	n=$1 op=$2 yes=$3 no=$4; shift 4
	{
		cat <<EOF
  kprobes:
  - call: "sys_getpriority"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "$op"
        values:
EOF
		for v in "$@"; do printf '        - "%s"\n' "$v"; done
	} | pol "$n"
	add "$P/$n.yaml" || { not_ok "$op: policy added"; diag "$(cat "$T/add.out")"; return; }
	"$TR" getpriority 0 "$no" >/dev/null
	"$TR" getpriority 0 "$yes" >/dev/null
	if wait_rows "$n" "\"int_arg\":$yes}"; then
		is "$op: matching getpriority stored, other not" \
		    "$(nrows "$n" "\"int_arg\":$yes}") $(nrows "$n" "\"int_arg\":$no}")" "1 0"
	else
		not_ok "$op: matching getpriority stored, other not"
	fi
	del "$n"
}

# selector cases (sel_pol, testlib.sh): run the matching / non-matching
# commands (with the path as last arg), then
# sel_check NAME DESC: expects $M/NAME-yes stored and $M/NAME-no not
sel_check() {
	if wait_rows "$1" "$M/$1-yes"; then
		is "$2" "$(nrows "$1" "$M/$1-yes") $(nrows "$1" "$M/$1-no")" "1 0"
	else
		not_ok "$2"; diag "$(tail -5 "$T/loaderd.log")"
	fi
	del "$1"
}

plan 61

start_loaderd polnode
ok "daemons up with no policy"

# ---- lint ------------------------------------------------------------------
openat_pol lintok Prefix /etc/
check "policy lint accepts a good policy" "$CTL" policy lint "$P/lintok.yaml"
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad\nspec:\n  kprobes:\n  - call: "sys_openat"\n    bogus: 1\n' > "$P/bad.yaml"
out=$("$CTL" policy lint "$P/bad.yaml" 2>&1); rc=$?
like "policy lint names file:line:col of an unknown key" "$rc $out" "^1 .*bad.yaml:8:5: .*bogus"
if add "$P/bad.yaml"; then not_ok "bad policy refused by loaderd"; else
	like "bad policy refused by loaderd with file:line:col" "$(cat "$T/add.out")" "bad.yaml:8:5"; fi

# ---- string operators --------------------------------------------------------
str_case s-eq Equal "$M/eq-yes" "$M/eq-yes" "$M/eq-no"
str_case s-neq NotEqual "$M/neq-no" "$M/neq-yes" "$M/neq-no"
str_case s-pre Prefix "$M/pre-yes" "$M/pre-yes-file" "$M/prx-no"
str_case s-npre NotPrefix "/" "neq-rel-yes" "$M/npre-no"
str_case s-post Postfix "-post-yes" "$M/a-post-yes" "$M/a-post-no"
str_case s-npost NotPostfix "so" "$M/npost-yes" "/usr/lib/x86_64-linux-gnu/libc.so"
str_case s-post0 Postfix 'wd\0' "$M/passwd" "$M/passwd.bak"

# ---- numeric operators -------------------------------------------------------
num_case n-eq Equal 424201 424202 424201
num_case n-neq NotEqual 424204 424203 424203
num_case n-mask Mask 424200 424199 0x8
num_case n-gt GT 525000 424200 500000
num_case n-lt LT 424200 525000 500000
num_case n-rng InRange 424300 424500 424250:424350
num_case n-nrng NotInRange 424500 424300 424250:424350
num_case n-inmap InMap 424601 424602 424600 424601
num_case n-ninmap NotInMap 424605 424601 424600 424601

# ---- argument types ----------------------------------------------------------
pol types-w <<'EOF'
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
        - "/types-w.txt"
EOF
add "$P/types-w.yaml"
"$TR" write "$M/types-w.txt" "hello-tripline" >/dev/null
if wait_rows types-w "types-w.txt"; then
	a=$(q "SELECT args FROM events WHERE policy_name='types-w' LIMIT 1")
	like "fd argument resolved to file_arg path" "$a" "\"file_arg\":\\{\"path\":\"$M/types-w.txt\"\\}"
	like "char_buf with sizeArgIndex as bytes_arg (base64)" "$a" "\"bytes_arg\":\"$(printf hello-tripline | base64)\""
	like "size_t as size_arg string" "$a" '"size_arg":"14"'
	is "function_name and type of a syscall kprobe" \
	    "$(q "SELECT type, function_name FROM events WHERE policy_name='types-w' LIMIT 1")" \
	    "process_kprobe|__x64_sys_write"
	J=$(grep '"policy_name":"types-w"' "$S/events.jsonl" | head -1)
	like "JSON line: process_kprobe with process and args" "$J" \
	    "^\\{\"process_kprobe\":\\{\"process\":\\{.*\"binary\":\"$TR\".*\"function_name\":\"__x64_sys_write\".*\"args\":\\[\\{\"file_arg\""
else
	for i in 1 2 3 4 5; do not_ok "write argument types"; done
fi
del types-w

pol types-r <<'EOF'
  kprobes:
  - call: "sys_read"
    syscall: true
    return: true
    returnArg:
      index: 0
      type: "int"
    args:
    - index: 0
      type: "fd"
    - index: 1
      type: "char_buf"
      returnCopy: true
      sizeArgIndex: 3
    - index: 2
      type: "uint64"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Postfix"
        values:
        - "/types-r.txt"
EOF
printf 'read-me-back' > "$M/types-r.txt"
add "$P/types-r.yaml"
"$TR" read "$M/types-r.txt" 100 >/dev/null
if wait_rows types-r "types-r.txt"; then
	like "returnCopy char_buf holds what read() returned" \
	    "$(q "SELECT args FROM events WHERE policy_name='types-r' LIMIT 1")" \
	    "\"bytes_arg\":\"$(printf read-me-back | base64)\""
	is "return value stored" "$(q "SELECT return_value FROM events WHERE policy_name='types-r' LIMIT 1")" '{"int_arg":12}'
else
	not_ok "returnCopy"; not_ok "return value"
fi
del types-r

nc_port=$((20000 + $$ % 20000))
pol types-c <<EOF
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
      - index: 1
        operator: "SPort"
        values:
        - "$nc_port"
      - index: 1
        operator: "SAddr"
        values:
        - "127.0.0.0/8"
      - index: 1
        operator: "Family"
        values:
        - "AF_INET"
EOF
add "$P/types-c.yaml"
"$TR" connect 127.0.0.1 $((nc_port + 1)) >/dev/null
"$TR" connect ::1 "$nc_port" >/dev/null
"$TR" connect 127.0.0.1 "$nc_port" >/dev/null
if wait_rows types-c "\"port\":$nc_port"; then
	is "sockaddr: SPort+SAddr+Family select only 127.0.0.1:port" \
	    "$(q "SELECT count(*) FROM events WHERE policy_name='types-c'")" "1"
	like "sockaddr_arg rendered" "$(q "SELECT args FROM events WHERE policy_name='types-c'")" \
	    "\"sockaddr_arg\":\\{\"family\":\"AF_INET\",\"addr\":\"127.0.0.1\",\"port\":$nc_port\\}"
else
	not_ok "sockaddr select"; not_ok "sockaddr_arg"
fi
del types-c

for ty in uint32:uint_arg int64:long_arg; do
	t=${ty%%:*} key=${ty#*:}
	pol "ty-$t" <<EOF
  kprobes:
  - call: "sys_getpriority"
    syscall: true
    args:
    - index: 1
      type: "$t"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "424700"
EOF
	add "$P/ty-$t.yaml"
	"$TR" getpriority 0 424700 >/dev/null
	if wait_rows "ty-$t" 424700; then
		like "$t argument as $key" "$(q "SELECT args FROM events WHERE policy_name='ty-$t'")" "\"$key\":\"?424700\"?"
	else not_ok "$t argument"; fi
	del "ty-$t"
done

# ---- process selectors -------------------------------------------------------
sel_pol pids-in <<EOF
      matchPIDs:
      - operator: In
        followForks: true
        values:
        - $$
EOF
add "$P/pids-in.yaml"
# not a descendant: its parent exits first, so it is reparented
( sh -c "sleep 0.5; exec '$TR' openat '$M/pids-in-no' 0 >/dev/null" & )
sleep 1
"$TR" openat "$M/pids-in-yes" 0 >/dev/null
sel_check pids-in "matchPIDs In with followForks"

cp "$TR" "$M/trigger-copy"
sel_pol bins-in <<EOF
      matchBinaries:
      - operator: In
        values:
        - "$M/trigger-copy"
EOF
add "$P/bins-in.yaml"
"$TR" openat "$M/bins-in-no" 0 >/dev/null
"$M/trigger-copy" openat "$M/bins-in-yes" 0 >/dev/null
sel_check bins-in "matchBinaries In"

sel_pol bins-pre <<EOF
      matchBinaries:
      - operator: NotPrefix
        values:
        - "$M/"
EOF
add "$P/bins-pre.yaml"
"$M/trigger-copy" openat "$M/bins-pre-no" 0 >/dev/null
"$TR" openat "$M/bins-pre-yes" 0 >/dev/null
sel_check bins-pre "matchBinaries NotPrefix"

sel_pol bins-fc <<EOF
      matchBinaries:
      - operator: In
        followChildren: true
        values:
        - "$(readlink -f /bin/sh)"
EOF
add "$P/bins-fc.yaml"
"$TR" openat "$M/bins-fc-no" 0 >/dev/null
/bin/sh -c "'$TR' openat '$M/bins-fc-yes' 0 >/dev/null"
sel_check bins-fc "matchBinaries followChildren (child of a shell)"

sel_pol ns-in <<EOF
      matchNamespaces:
      - namespace: Mnt
        operator: NotIn
        values:
        - "host_ns"
EOF
add "$P/ns-in.yaml"
"$TR" openat "$M/ns-in-no" 0 >/dev/null
unshare -m --propagation unchanged "$TR" openat "$M/ns-in-yes" 0 >/dev/null
sel_check ns-in "matchNamespaces Mnt NotIn host_ns"

sel_pol caps-in <<EOF
      matchCapabilities:
      - type: Effective
        operator: In
        values:
        - "CAP_SYS_ADMIN"
EOF
add "$P/caps-in.yaml"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TR" openat "$M/caps-in-no" 0 >/dev/null
"$TR" openat "$M/caps-in-yes" 0 >/dev/null
sel_check caps-in "matchCapabilities Effective In CAP_SYS_ADMIN"

# return value selector: openat of a missing file returns -ENOENT
pol ret-sel <<EOF
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
        - "$M/ret-sel-"
      matchReturnArgs:
      - index: 0
        operator: "Equal"
        values:
        - "-2"
EOF
add "$P/ret-sel.yaml"
touch "$M/ret-sel-no"
"$TR" openat "$M/ret-sel-no" 0 >/dev/null
"$TR" openat "$M/ret-sel-yes" 0 >/dev/null
sel_check ret-sel "matchReturnArgs Equal -2 (ENOENT)"

# ---- actions -----------------------------------------------------------------
act_pol() { # NAME ACTION-LINES(stdin)
	{
		cat <<EOF
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    args:
    - index: 0
      type: "string"
    - index: 1
      type: "int"
    - index: 2
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Postfix"
        values:
        - "$1-passwd\0"
      matchActions:
EOF
		cat
	} | pol "$1"
}
# run trigger symlinkat and report how it ended: "exit N" or "signal N"
sym() { "$TR" symlinkat "$M/$1-passwd" "$M/$1-link.$2" >/dev/null 2>&1; rc=$?; [ $rc -gt 128 ] && echo "signal $((rc - 128))" || echo "exit $rc"; }

act_pol a-kill <<'EOF'
      - action: Sigkill
EOF
add "$P/a-kill.yaml"
is "Sigkill: the caller dies by SIGKILL" "$(sym a-kill 1)" "signal 9"
wait_rows a-kill a-kill-passwd
is "Sigkill: event records the action that ran" \
    "$(q "SELECT action FROM events WHERE policy_name='a-kill' LIMIT 1")" "KPROBE_ACTION_SIGKILL"

"$CTL" -S "$S" policy mode a-kill monitor >/dev/null
is "monitor mode: the caller is not killed" "$(sym a-kill 2)" "exit 0"
wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='a-kill' AND monitor_would IS NOT NULL"
like "monitor mode: event says what would have run" \
    "$(q "SELECT monitor_would FROM events WHERE policy_name='a-kill' AND monitor_would IS NOT NULL LIMIT 1")" "SIGKILL"
"$CTL" -S "$S" policy mode a-kill enforce >/dev/null
is "back to enforce: killed again" "$(sym a-kill 3)" "signal 9"
del a-kill

act_pol a-sig <<'EOF'
      - action: Signal
        argSig: 10
EOF
add "$P/a-sig.yaml"
is "Signal argSig 10: the caller gets SIGUSR1" "$(sym a-sig 1)" "signal 10"
del a-sig

act_pol a-nopost <<'EOF'
      - action: NoPost
      - action: Sigkill
EOF
add "$P/a-nopost.yaml"
is "NoPost + Sigkill: killed" "$(sym a-nopost 1)" "signal 9"
act_pol a-marker <<'EOF'
      - action: Post
EOF
add "$P/a-marker.yaml"
sym a-marker 1 >/dev/null
wait_rows a-marker a-marker-passwd
is "NoPost: no event stored" "$(q "SELECT count(*) FROM events WHERE policy_name='a-nopost'")" "0"
del a-nopost

act_pol a-rate <<'EOF'
      - action: Post
        rateLimit: "1m"
EOF
add "$P/a-rate.yaml"
"$TR" repeat 5 symlinkat "$M/a-rate-passwd" "$M/a-rate-link" >/dev/null 2>&1
sym a-marker 2 >/dev/null
wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='a-marker' AND args LIKE '%link.2%'"
is "Post rateLimit 1m: 5 identical hits, 1 event" "$(q "SELECT count(*) FROM events WHERE policy_name='a-rate'")" "1"
del a-rate

act_pol a-url <<'EOF'
      - action: GetUrl
        argUrl: "http://127.0.0.1:9/canary"
      - action: DnsLookup
        argFqdn: "canary.example.test"
EOF
add "$P/a-url.yaml"
sym a-url 1 >/dev/null
wait_for 10 row_exists "SELECT 1 FROM alerts a JOIN events e ON e.id=a.event_id WHERE e.policy_name='a-url'"
# queued: pending, or already taken by the notifier (inflight), or
# waiting for a retry (nothing listens on port 9)
is "GetUrl + DnsLookup: alerts queued for the notifier" \
    "$(q "SELECT group_concat(kind || ' ' || target || ' ' || CASE WHEN state IN ('pending', 'inflight', 'waiting') THEN 'queued' ELSE state END, ';') FROM (SELECT a.* FROM alerts a JOIN events e ON e.id=a.event_id WHERE e.policy_name='a-url' ORDER BY a.kind)")" \
    "dnslookup canary.example.test queued;geturl http://127.0.0.1:9/canary queued"
del a-url

act_pol a-ovr <<'EOF'
      - action: Override
        argError: -1
EOF
if add "$P/a-ovr.yaml"; then not_ok "Override refused on this kernel"; del a-ovr
else like "Override refused, naming the missing kernel feature" "$(cat "$T/add.out")" "bpf_override_return|CONFIG_BPF_KPROBE_OVERRIDE"; fi
pol kp-fn <<'EOF'
  kprobes:
  - call: "fd_install"
    syscall: false
    args:
    - index: 0
      type: "int"
EOF
if add "$P/kp-fn.yaml"; then not_ok "non-syscall kprobe refused"; del kp-fn
else like "non-syscall kprobe refused: no kprobes on this kernel" "$(cat "$T/add.out")" "kprobes"; fi
like "refused policies left nothing loaded" "$("$CTL" -S "$S" policy list)" "a-marker"
is "... and only the loaded one" "$("$CTL" -S "$S" policy list | grep -c ' mode ')" "1"

# ---- hook kinds: tracepoints and uprobes ---------------------------------------
# tp_path_pol NAME EVENT FIELD PREFIX: a syscalls/EVENT tracepoint policy
# whose path field FIELD (a string) must start with PREFIX
tp_path_pol() {
	pol "$1" <<EOF
  tracepoints:
  - subsystem: "syscalls"
    event: "$2"
    args:
    - index: $3
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$4"
EOF
}
tp_path_pol tp-sys sys_enter_openat 6 "$M/tp-sys-"
add "$P/tp-sys.yaml"
"$TR" openat "$M/tp-sys-no-match-prefix" 0 >/dev/null
"$TR" openat "$M/tp-sys-yes" 0 >/dev/null
if wait_rows tp-sys tp-sys-yes; then
	is "syscall tracepoint: process_tracepoint row" \
	    "$(q "SELECT type FROM events WHERE policy_name='tp-sys' LIMIT 1")" "process_tracepoint"
else not_ok "syscall tracepoint"; fi
del tp-sys

sleep 1000 &
SL=$!
pol tp-sig <<EOF
  tracepoints:
  - subsystem: "signal"
    event: "signal_generate"
    args:
    - index: 4
      type: "int"
    - index: 8
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Equal"
        values:
        - "$SL"
EOF
add "$P/tp-sig.yaml"
kill -USR2 $SL
wait $SL 2>/dev/null
if wait_rows tp-sig "\"int_arg\":$SL"; then
	like "non-syscall tracepoint signal/signal_generate with its fields" \
	    "$(q "SELECT args FROM events WHERE policy_name='tp-sig' LIMIT 1")" '^\[\{"int_arg":12\},'
else not_ok "signal_generate tracepoint"; diag "$(cat "$T/add.out")"; fi
del tp-sig

# three tracepoint policies, the first deleted: its slot in tp_hooks
# goes to the next tracepoint attached, which must not inherit its hooks,
# and the one still attached keeps its own
tp_path_pol tp-a sys_enter_openat 6 "$M/tp-a-"
add "$P/tp-a.yaml"
tp_path_pol tp-b sys_enter_unlinkat 6 "$M/tp-b-"
add "$P/tp-b.yaml"
del tp-a
tp_path_pol tp-c sys_enter_mkdir 5 "$M/tp-c-"
add "$P/tp-c.yaml"
"$TR" openat "$M/tp-a-gone" 0 >/dev/null
mkdir "$M/tp-c-dir" "$M/tp-a-dir"
: >"$M/tp-b-file"; rm -f "$M/tp-b-file"
wait_rows tp-c tp-c-dir
wait_rows tp-b tp-b-file
is "tracepoint slots: the remaining and the new tracepoint policy post, the deleted one does not" \
    "$(q "SELECT policy_name || ':' || count(*) FROM events WHERE policy_name IN ('tp-a', 'tp-b', 'tp-c') GROUP BY policy_name ORDER BY policy_name" | tr '\n' ' ')" \
    "tp-b:1 tp-c:1 "
del tp-b
del tp-c

pol up <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_probe_target"
    args:
    - index: 0
      type: "int"
EOF
add "$P/up.yaml" || diag "$(cat "$T/add.out")"
"$TR" probe 4242 >/dev/null
if wait_rows up '"int_arg":4242'; then
	is "uprobe: process_uprobe row with its argument" \
	    "$(q "SELECT type FROM events WHERE policy_name='up' LIMIT 1")" "process_uprobe"
else not_ok "uprobe"; fi
del up

# ---- replace, delete, persistence ---------------------------------------------
openat_pol repl Prefix "$M/repl-old-"
add "$P/repl.yaml"
openat_pol repl Prefix "$M/repl-new-"
add "$P/repl.yaml"
"$TR" openat "$M/repl-old-1" 0 >/dev/null
"$TR" openat "$M/repl-new-1" 0 >/dev/null
wait_rows repl repl-new-1
is "policy replaced: only the new filter matches" "$(nrows repl repl-old-1) $(nrows repl repl-new-1)" "0 1"

kill -TERM "$LPID"; wait "$LPID" 2>/dev/null; LPID=
start_loaderd polnode
like "added policies survive a restart (STATE/policies.d)" "$("$CTL" -S "$S" policy list)" "^repl "
del repl
"$TR" openat "$M/repl-new-2" 0 >/dev/null
sym a-marker 3 >/dev/null
wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='a-marker' AND args LIKE '%link.3%'"
is "deleted policy: no more events" "$(nrows repl repl-new-2)" "0"

# ---- every Tetragon example loads or is refused with a specific reason --------
# (in monitor mode: e.g. tcp-connect-only-private-addrs would SIGKILL any
# process on the machine connecting to a public address)
n=0 bad=0
for f in "$top_srcdir"/tests/data/tetragon-examples/*.yaml; do
	n=$((n + 1))
	b=$(basename "$f")
	if add --mode monitor "$f"; then
		diag "tetragon example $b: loaded"
		name=$(sed -n 's/^  name: *"*\([^"]*\)"*$/\1/p' "$f" | head -1)
		del "$name"
	else
		r=$(tr '\n' ' ' < "$T/add.out")
		diag "tetragon example $b: refused: $r"
		printf '%s' "$r" | grep -Eqi 'kprobe|lsm|fentry|trampoline|override|not supported|unsupported|does not exist|no such|enforcer|needs|at most [0-9]+ \(POL_MAX' || bad=$((bad + 1))
	fi
done
is "all $n Tetragon examples load or are refused with a specific reason" "$bad" "0"
kill -0 "$LPID" 2>/dev/null
is "loaderd still running after all of that" "$?" "0"

finish
