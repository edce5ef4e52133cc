#!/bin/sh
# End to end: resolve and btfType on the arguments of raw tracepoints
# (the hook kind of this kernel whose arguments are kernel pointers with
# BTF types; kprobes, fentries and lsmhooks: tests/vm/objargs.sh).
# sched_process_exec(p, old_pid, bprm) is hooked with members reached
# through the task and the linux_binprm: a char array where it is
# (comm), a char pointer followed (filename), an integer behind a pointer
# (real_parent.tgid, cred.uid.val), an array element (comm[0]), a struct
# file pointer followed (file) and an embedded struct path (file.f_path);
# each case execs copies of /bin/true under names it chooses and asserts
# the rows in events.db: the exec the filter names stored with the value
# read, the other one not.  The refusals name file:line:col and what the
# path reached.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env res
need perl
M=$T/m
mkdir -p "$M"
chmod 755 "$M"
for n in tlres-a tlres-b zres-c tlres-d tlres-e; do
	cp /bin/true "$M/$n"
done

plan 12

start_loaderd resnode

# respol NAME ARGS-LINES SELECTOR-LINES: a raw sched_process_exec policy
respol() {
	pol "$1" <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    raw: true
    args:
$2
    selectors:
    - matchArgs:
$3
EOF
}
# rowargs NAME: the args of the policy's rows, "|"-separated, by id
rowargs() { q "SELECT group_concat(args, '|') FROM (SELECT args FROM events WHERE policy_name='$1' ORDER BY id)"; }

# a char array where it is, and a char pointer followed
respol res-str '    - index: 0
      type: "string"
      resolve: "comm"
    - index: 2
      type: "string"
      resolve: "filename"' '      - index: 0
        operator: "Equal"
        values:
        - "tlres-a"'
addok "$P/res-str.yaml"
"$M/tlres-b"
"$M/tlres-a"
if wait_rows res-str tlres-a; then
	is "resolve comm (char[16]) and filename (const char *): the exec of tlres-a stored with both, tlres-b not" \
	    "$(rowargs res-str)" "[{\"string_arg\":\"tlres-a\"},{\"string_arg\":\"$M/tlres-a\"}]"
else not_ok "resolve comm: no row"; diag "$(cat "$T/add.out")"; fi
del res-str

# an integer behind a pointer: the parent's tgid (this shell's child, or
# the child of another shell)
respol res-ppid '    - index: 0
      type: "int"
      resolve: "real_parent.tgid"
    - index: 2
      type: "string"
      resolve: "filename"' "      - index: 0
        operator: \"Equal\"
        values:
        - \"$$\"
      - index: 1
        operator: \"Prefix\"
        values:
        - \"$M/\""
addok "$P/res-ppid.yaml"
sh -c "\"$M/tlres-b\"; true"
"$M/tlres-a"
if wait_rows res-ppid tlres-a; then
	is "resolve real_parent.tgid Equal this shell: its child's exec stored with the tgid, the grandchild's not" \
	    "$(rowargs res-ppid)" "[{\"int_arg\":$$},{\"string_arg\":\"$M/tlres-a\"}]"
else not_ok "resolve real_parent.tgid: no row"; diag "$(cat "$T/add.out")"; fi
del res-ppid

# cred.uid.val (kuid_t's member), uint32
respol res-uid '    - index: 0
      type: "uint32"
      resolve: "cred.uid.val"
    - index: 2
      type: "string"
      resolve: "filename"' "      - index: 0
        operator: \"Equal\"
        values:
        - \"65534\"
      - index: 1
        operator: \"Prefix\"
        values:
        - \"$M/\""
addok "$P/res-uid.yaml"
"$M/tlres-a"
setpriv --reuid=65534 --regid=65534 --clear-groups "$M/tlres-b"
if wait_rows res-uid tlres-b; then
	is "resolve cred.uid.val Equal 65534: the exec as uid 65534 stored, root's not" \
	    "$(rowargs res-uid)" "[{\"uint_arg\":65534},{\"string_arg\":\"$M/tlres-b\"}]"
else not_ok "resolve cred.uid.val: no row"; diag "$(cat "$T/add.out")"; fi
del res-uid

# an array element: comm[0] as an integer ('z' = 122)
respol res-idx '    - index: 0
      type: "int"
      resolve: "comm[0]"
    - index: 0
      type: "string"
      resolve: "comm"' '      - index: 0
        operator: "Equal"
        values:
        - "122"'
addok "$P/res-idx.yaml"
"$M/tlres-a"
"$M/zres-c"
if wait_rows res-idx zres-c; then
	is "resolve comm[0] Equal 122: the exec of zres-c stored, tlres-a not" \
	    "$(rowargs res-idx)" '[{"int_arg":122},{"string_arg":"zres-c"}]'
else not_ok "resolve comm[0]: no row"; diag "$(cat "$T/add.out")"; fi
del res-idx

# kernel objects: a struct file pointer followed, an embedded struct path
respol res-obj '    - index: 2
      type: "file"
      resolve: "file"
    - index: 2
      type: "path"
      resolve: "file.f_path"' "      - index: 0
        operator: \"Equal\"
        values:
        - \"$M/tlres-d\""
addok "$P/res-obj.yaml"
"$M/tlres-e"
"$M/tlres-d"
if wait_rows res-obj tlres-d; then
	like "resolve file (struct file *) and file.f_path (struct path): the exec of tlres-d stored with both paths, tlres-e not" \
	    "$(rowargs res-obj)" "^\\[\\{\"file_arg\":\\{\"path\":\"$M/tlres-d\",[^]]*\\},\\{\"path_arg\":\\{\"path\":\"$M/tlres-d\"[^|]*\\]\$"
else not_ok "resolve file: no row"; diag "$(cat "$T/add.out")"; fi
del res-obj

# btfType: the task argument taken as a struct task_struct by name
respol res-btf '    - index: 0
      type: "string"
      resolve: "comm"
      btfType: "task_struct"' '      - index: 0
        operator: "Equal"
        values:
        - "tlres-e"'
addok "$P/res-btf.yaml"
"$M/tlres-d"
"$M/tlres-e"
if wait_rows res-btf tlres-e; then
	is "btfType task_struct, resolve comm: the exec of tlres-e stored, tlres-d not" \
	    "$(rowargs res-btf)" '[{"string_arg":"tlres-e"}]'
else not_ok "btfType: no row"; diag "$(cat "$T/add.out")"; fi
del res-btf

# ---- refusals ------------------------------------------------------------------
# resref NAME INDEX TYPE RESOLVE [BTFTYPE]
resref() {
	pol "$1" <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    raw: true
    args:
    - index: $2
      type: "$3"
      resolve: "$4"
${5:+      btfType: \"$5\"}
EOF
}
resref resref-mem 0 string nosuch
refused "resolve: an unknown member refused with file:line:col" "$P/resref-mem.yaml" \
    'resref-mem.yaml:11:7: raw tracepoint "sched/sched_process_exec": resolve "nosuch": struct task_struct has no member "nosuch"'
resref resref-type 0 int comm
refused "resolve: a member the type cannot read refused, naming it" "$P/resref-type.yaml" \
    'resref-type.yaml:11:7: .*resolve "comm" ends at char\[16\], which type int cannot read \(it needs an integer, enum or bool member\)'
resref resref-idx 0 int 'comm[16]'
refused "resolve: an index past the array refused" "$P/resref-idx.yaml" \
    'resref-idx.yaml:11:7: .*resolve "comm\[16\]": index 16 of "comm" \(char\[16\]\)'
resref resref-obj 2 sock file
refused "resolve: an object type of another struct refused" "$P/resref-obj.yaml" \
    'resref-obj.yaml:11:7: .*resolve "file" ends at struct file \*, which type sock cannot read'
resref resref-btf 0 string comm no_such_struct_tl
refused "btfType: an unknown struct refused" "$P/resref-btf.yaml" \
    'resref-btf.yaml:11:7: .*btfType "no_such_struct_tl": no struct or union of that name'
pol resref-sys <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
      resolve: "name"
EOF
refused "resolve on a syscall's argument (user memory) refused" "$P/resref-sys.yaml" \
    'resref-sys.yaml:[0-9]+:[0-9]+: .*resolve/btfType apply to arguments in kernel memory with a BTF type'

finish
