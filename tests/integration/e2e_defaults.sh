#!/bin/sh
# The shipped default policies (policies/default) as shipped, on this
# kernel: a recorded privilege change, module load, BPF load or write open
# under /etc is one the kernel carried out; a failed call is an "attempt"
# row with its error, or nothing (etc-writes).  Real system calls
# (tests/integration/trigger), as root and as nobody (setpriv); asserted
# on the rows of events.db (message, return_value, tags) of the trigger's
# processes.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env defaults
need setpriv
M=$T/m
mkdir -p "$M"
PD=$top_srcdir/policies/default
# scratch files under /etc, removed at the end
E=/etc/tripline-test-$$
e2e_cleanup_more() { rm -f "$E"-*; }
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

addok() { add "$1" || { diag "policy add $1: $(tr '\n' ' ' < "$T/add.out")"; return 1; }; }

start_loaderd defnode
marker_start
for p in etc-writes privilege-changes kernel-modules bpf-loads; do
	addok "$PD/$p.yaml" || { echo "Bail out! $p refused"; exit 99; }
done

# rows POLICY WHO FUNCTION ARGS-SUBSTRING: "message|return_value|tags" of
# each row of POLICY made by a trigger process of WHO (root, nobody, or
# seteuid: real uid 0 and effective uid 65534; the ids at exec)
root='p.uid = 0 AND p.euid = 0'
nobody='p.uid = 65534 AND p.euid = 65534'
seteuid='p.uid = 0 AND p.euid = 65534'
rows() {
	q "SELECT e.message || '|' || ifnull(e.return_value, '') || '|' ||
	    ifnull(e.tags, '') FROM events e JOIN processes p
	    ON p.exec_id = e.exec_id WHERE e.policy_name = '$1' AND
	    p.binary = '$TR' AND $2 AND e.function_name = '$3' AND
	    e.args LIKE '%$4%' ORDER BY e.id"
}
# one DESC POLICY EUID FUNCTION ARGS-SUBSTRING EXPECTED: exactly one such
# row, equal to EXPECTED
one() { is "$1" "$(rows "$2" "$3" "$4" "$5")" "$6"; }
none() { is "$1" "$(rows "$2" "$3" "$4" "$5")" ""; }

# ---- etc-writes -----------------------------------------------------------
EW='file under /etc opened for writing'
ET='["file","etc","integrity"]'
ew() { printf '%s|{"file_arg":{"path":"%s"}}|%s' "${2:-$EW}" "$1" "$ET"; }
rm -f "$E"-*
: > "$E-sym"
: > "$E-trunc"
ln -s "$E-sym" "$M/link"
"$TR" openat "$E-openat" 65 >/dev/null		# O_WRONLY|O_CREAT
"$TR" open "$E-open" 65 >/dev/null
"$TR" openat2 "$E-openat2" 65 >/dev/null
"$TR" creat "$E-creat" >/dev/null
"$TR" chdir /etc openat "${E#/etc/}-rel" 65 >/dev/null
"$TR" openat "/$E-dslash" 65 >/dev/null
"$TR" openat "/.$E-dot" 65 >/dev/null
"$TR" openat "/etc/..$E-dotdot" 65 >/dev/null
"$TR" openat "$M/link" 1 >/dev/null		# O_WRONLY through a symlink
"$TR" openat "$E-trunc" 512 >/dev/null		# O_RDONLY|O_TRUNC
# negatives
"$TR" openat /etc/hostname 0 >/dev/null
"$TR" open /etc/hostname 0 >/dev/null
"$TR" openat "$M/tmpw" 65 >/dev/null
$NOBODY "$TR" openat "$E-denied" 65 >/dev/null
$NOBODY "$TR" open "$E-denied" 66 >/dev/null
$NOBODY "$TR" creat "$E-denied" >/dev/null
$NOBODY "$TR" openat2 "$E-denied" 65 >/dev/null
"$TR" openat2 /etc/hostname 0 >/dev/null
barrier
one "etc-writes: openat(O_WRONLY|O_CREAT) of a new file" etc-writes "$root" \
    __x64_sys_openat "$E-openat\"" "$(ew "$E-openat")"
JS=$S/events.jsonl
jl() { grep -F "\"policy_name\":\"etc-writes\"" "$JS" | grep -F "$E-openat\""; }
jl_exists() { [ -n "$(jl)" ]; }
wait_for 10 jl_exists
like "etc-writes: the JSON line has the kernel's path as return" "$(jl)" \
    "\"function_name\":\"__x64_sys_openat\",\"args\":\\[\\{\"int_arg\":-100\\},\\{\"string_arg\":\"$E-openat\"\\},\\{\"int_arg\":65\\}\\],\"return\":\\{\"file_arg\":\\{\"path\":\"$E-openat\"\\}\\},\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"etc-writes\",\"message\":\"$EW\""
one "etc-writes: open(O_WRONLY|O_CREAT)" etc-writes "$root" \
    __x64_sys_open "$E-open\"" "$(ew "$E-open")"
one "etc-writes: openat2(O_WRONLY|O_CREAT)" etc-writes "$root" \
    __x64_sys_openat2 "$E-openat2\"" \
    "$(ew "$E-openat2" 'file under /etc opened with openat2 (access mode not checked)')"
one "etc-writes: creat" etc-writes "$root" __x64_sys_creat "$E-creat\"" \
    "$(ew "$E-creat")"
one "etc-writes: a path relative to cwd /etc: the kernel's path" etc-writes "$root" \
    __x64_sys_openat "\"${E#/etc/}-rel\"" "$(ew "$E-rel")"
one "etc-writes: //etc/..." etc-writes "$root" __x64_sys_openat "$E-dslash\"" \
    "$(ew "$E-dslash")"
one "etc-writes: /./etc/..." etc-writes "$root" __x64_sys_openat "$E-dot\"" \
    "$(ew "$E-dot")"
one "etc-writes: /etc/../etc/..." etc-writes "$root" __x64_sys_openat "$E-dotdot\"" \
    "$(ew "$E-dotdot")"
one "etc-writes: O_WRONLY through a symlink in /tmp to a file in /etc" \
    etc-writes "$root" __x64_sys_openat "$M/link\"" "$(ew "$E-sym")"
one "etc-writes: O_RDONLY|O_TRUNC" etc-writes "$root" __x64_sys_openat \
    "$E-trunc\"" "$(ew "$E-trunc")"
none "etc-writes: read-only openat of /etc/hostname: no row" etc-writes "$root" \
    __x64_sys_openat /etc/hostname
none "etc-writes: read-only open of /etc/hostname: no row" etc-writes "$root" \
    __x64_sys_open /etc/hostname
none "etc-writes: a write open under /tmp: no row" etc-writes "$root" \
    __x64_sys_openat "$M/tmpw"
is "etc-writes: write opens refused (EACCES, nobody): no row" \
    "$(q "SELECT count(*) FROM events WHERE policy_name = 'etc-writes' AND args LIKE '%$E-denied%'")" 0
is "etc-writes: nobody could not create the file" \
    "$(test -e "$E-denied" && echo exists)" ""
one "etc-writes: openat2 read-only of /etc/hostname: recorded (its flags are not read)" \
    etc-writes "$root" __x64_sys_openat2 /etc/hostname \
    "$(ew /etc/hostname 'file under /etc opened with openat2 (access mode not checked)')"

# names made or replaced without open(2): matched on the path as passed,
# at return, success only
en() { printf '%s|{"int_arg":0}|%s' "$1" "$ET"; }
for f in rename renameat renameat2 link linkat; do : > "$M/src-$f"; done
: > "$M/trunc-tmp"
: > "$E-truncate"
: > "$E-ftruncate"
"$TR" rename "$M/src-rename" "$E-rename" >/dev/null
"$TR" renameat "$M/src-renameat" "$E-renameat" >/dev/null
"$TR" renameat2 "$M/src-renameat2" "$E-renameat2" >/dev/null
"$TR" link "$M/src-link" "$E-link" >/dev/null
"$TR" linkat "$M/src-linkat" "$E-linkat" >/dev/null
"$TR" symlink /nonexistent "$E-symlink" >/dev/null
"$TR" symlinkat /nonexistent "$E-symlinkat" >/dev/null
"$TR" mknod "$E-mknod" >/dev/null
"$TR" mknodat "$E-mknodat" >/dev/null
"$TR" truncate "$E-truncate" >/dev/null
"$TR" ftruncate "$E-ftruncate" >/dev/null
# negatives: outside /etc, failed calls, and (not covered, documented) a
# path relative to /etc
"$TR" rename "$M/src-link" "$M/renamed" >/dev/null
"$TR" truncate "$M/trunc-tmp" >/dev/null
"$TR" ftruncate "$M/trunc-tmp" >/dev/null
$NOBODY "$TR" mknod "$E-denied" >/dev/null
$NOBODY "$TR" symlink /nonexistent "$E-denied" >/dev/null
"$TR" rename "$M/nonexistent" "$E-enoent" >/dev/null
"$TR" chdir /etc mknod "${E#/etc/}-relmknod" >/dev/null
barrier
# made CALL MESSAGE: one row of root's CALL of $E-CALL, with MESSAGE
made() {
	one "etc-writes: $1 into /etc" etc-writes "$root" "__x64_sys_$1" \
	    "$E-$1\"" "$(en "$2 (path as passed)")"
}
for c in rename renameat renameat2; do
	made $c 'name under /etc made or replaced by rename'
done
for c in link linkat; do made $c 'hard link made under /etc'; done
for c in symlink symlinkat; do made $c 'symbolic link made under /etc'; done
for c in mknod mknodat; do made $c 'file made under /etc by mknod'; done
one "etc-writes: truncate of a file in /etc" etc-writes "$root" \
    __x64_sys_truncate "$E-truncate\"" "$(en 'file under /etc truncated (path as passed)')"
one "etc-writes: ftruncate: the descriptor's kernel path" etc-writes "$root" \
    __x64_sys_ftruncate "\"path\":\"$E-ftruncate\"" "$(en 'file under /etc truncated')"
is "etc-writes: rename, truncate, ftruncate outside /etc: no row" \
    "$(q "SELECT count(*) FROM events WHERE policy_name = 'etc-writes' AND (args LIKE '%$M/renamed%' OR args LIKE '%trunc-tmp%')")" 0
is "etc-writes: failed mknod, symlink, rename into /etc: no row" \
    "$(q "SELECT count(*) FROM events WHERE policy_name = 'etc-writes' AND (args LIKE '%$E-denied%' OR args LIKE '%$E-enoent%')")" 0
is "etc-writes: the failed calls made nothing" \
    "$(ls -d "$E-denied" "$E-enoent" 2>/dev/null)" ""
is "etc-writes: mknod relative to cwd /etc: not covered (path as passed), no row" \
    "$(q "SELECT count(*) FROM events WHERE policy_name = 'etc-writes' AND args LIKE '%relmknod%'")" 0
rm -f "$E"-*

# ---- privilege-changes ------------------------------------------------------
PT='["privileges"]'
PA='["privileges","attempt"]'
"$TR" setuid 0 >/dev/null
"$TR" setreuid -1 0 >/dev/null
"$TR" setresuid -1 0 -1 >/dev/null
# a real change: euid 65534 (saved uid 0) back to euid 0
setpriv --euid=65534 "$TR" setresuid -1 0 -1 >/dev/null
$NOBODY "$TR" setuid 0 >/dev/null
$NOBODY "$TR" setreuid -1 0 >/dev/null
$NOBODY "$TR" setresuid -1 0 -1 >/dev/null
"$TR" setuid 65534 >/dev/null			# not to uid 0: no row
barrier
one "privilege-changes: setuid(0) by root succeeded" privilege-changes "$root" \
    __x64_sys_setuid '"uint_arg":0,' "setuid(0) succeeded|{\"int_arg\":0}|$PT"
one "privilege-changes: setreuid(-1, 0) by root succeeded" privilege-changes "$root" \
    __x64_sys_setreuid '"label":"euid"' "setreuid to euid 0 succeeded|{\"int_arg\":0}|$PT"
one "privilege-changes: setresuid(-1, 0, -1) by root succeeded" \
    privilege-changes "$root" __x64_sys_setresuid '"label":"euid"' \
    "setresuid to euid 0 succeeded|{\"int_arg\":0}|$PT"
one "privilege-changes: euid 65534 -> 0 by setresuid succeeded" \
    privilege-changes "$seteuid" __x64_sys_setresuid '"label":"euid"' \
    "setresuid to euid 0 succeeded|{\"int_arg\":0}|$PT"
one "privilege-changes: setuid(0) by nobody: an attempt with EPERM" \
    privilege-changes "$nobody" __x64_sys_setuid '"label":"uid"' \
    "setuid(0) failed (attempt)|{\"int_arg\":-1}|$PA"
one "privilege-changes: setreuid(-1, 0) by nobody: an attempt with EPERM" \
    privilege-changes "$nobody" __x64_sys_setreuid '"label":"euid"' \
    "setreuid to euid 0 failed (attempt)|{\"int_arg\":-1}|$PA"
is "privilege-changes: no success row from a nobody process" \
    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name = 'privilege-changes' AND p.binary = '$TR' AND p.uid = 65534 AND e.message LIKE '%succeeded'")" 0
is "privilege-changes: setresuid by nobody: attempt rows only" \
    "$(q "SELECT group_concat(e.message, ',') FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name = 'privilege-changes' AND p.binary = '$TR' AND p.uid = 65534 AND e.function_name = '__x64_sys_setresuid'")" \
    "setresuid to euid 0 failed (attempt)"
none "privilege-changes: setuid(65534): no row" privilege-changes "$root" \
    __x64_sys_setuid '"uint_arg":65534'

# ---- bpf-loads ----------------------------------------------------------------
"$TR" bpf_prog >/dev/null
$NOBODY "$TR" bpf_prog >/dev/null
"$TR" bpf 5 72 >/dev/null			# zeroed attr: EINVAL
"$TR" bpf 9999 72 >/dev/null			# another command: no row
barrier
like "bpf-loads: a real program load by root: loaded, with its fd" \
    "$(rows bpf-loads "$root" __x64_sys_bpf '"int_arg":5,')" \
    '^BPF program loaded\|\{"int_arg":[0-9]+\}\|\["kernel","bpf"\]
BPF program load failed \(attempt\)\|\{"int_arg":-22\}\|\["kernel","bpf","attempt"\]$'
one "bpf-loads: the load by nobody: an attempt with EPERM" bpf-loads "$nobody" \
    __x64_sys_bpf '"int_arg":5,' \
    'BPF program load failed (attempt)|{"int_arg":-1}|["kernel","bpf","attempt"]'
none "bpf-loads: another bpf command: no row" bpf-loads "$root" __x64_sys_bpf \
    '"int_arg":9999'

# ---- kernel-modules -----------------------------------------------------------
# This kernel has no module support (ENOSYS for everybody) where modules
# exist, the same calls fail with EBADF / EPERM: attempts either way.
"$TR" finit_module -1 trl-def-finit 0 >/dev/null
$NOBODY "$TR" init_module 0 trl-def-init >/dev/null
barrier
like "kernel-modules: finit_module(-1) by root: an attempt with the error" \
    "$(rows kernel-modules "$root" __x64_sys_finit_module trl-def-finit)" \
    "^kernel module load failed \\(finit_module\\) \\(attempt\\)\\|\\{\"int_arg\":-[0-9]+\\}\\|\\[\"kernel\",\"module\",\"attempt\"\\]\$"
like "kernel-modules: init_module by nobody: an attempt with the error" \
    "$(rows kernel-modules "$nobody" __x64_sys_init_module trl-def-init)" \
    "^kernel module load failed \\(init_module\\) \\(attempt\\)\\|\\{\"int_arg\":-[0-9]+\\}\\|\\[\"kernel\",\"module\",\"attempt\"\\]\$"
is "kernel-modules: no 'loaded' row" \
    "$(q "SELECT count(*) FROM events WHERE policy_name = 'kernel-modules' AND message LIKE 'kernel module loaded%'")" 0

# ---- returnArg type fd (what etc-writes is built on) ---------------------------
retfd_pol() {
	pol "$1" <<EOF
  kprobes:
  - call: "$2"
    syscall: true
    return: true
    args:
    - index: 1
      type: "string"
    returnArg:
      index: 0
      type: "$3"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$M/retfd-"
EOF
}
retfd_pol retfd sys_openat fd
addok "$P/retfd.yaml"
"$TR" openat "$M/retfd-missing" 0 >/dev/null	# ENOENT
"$TR" openat "$M/retfd-new" 65 >/dev/null
barrier
is "returnArg fd: the opened file's path" \
    "$(q "SELECT return_value FROM events WHERE policy_name = 'retfd' AND args LIKE '%retfd-new%'")" \
    "{\"file_arg\":{\"path\":\"$M/retfd-new\"}}"
is "returnArg fd: a failed call's error code" \
    "$(q "SELECT return_value FROM events WHERE policy_name = 'retfd' AND args LIKE '%retfd-missing%'")" \
    '{"int_arg":-2}'
like "returnArg fd: the failed call is not a read error" \
    "$("$CTL" -S "$S" policy list 2>&1 | sed -n '/^retfd /,/^[a-z]/p')" 'errors 0 '
del retfd
retfd_pol retstr sys_openat string
if add "$P/retstr.yaml"; then not_ok "returnArg string on a syscall refused"; del retstr
else like "returnArg string on a syscall refused" "$(cat "$T/add.out")" \
    'retstr.yaml:[0-9]+:[0-9]+: .*returnArg type string: a syscall returns a number'; fi
pol retkfn <<EOF
  kprobes:
  - call: "do_sys_openat2"
    syscall: false
    return: true
    returnArg:
      index: 0
      type: "fd"
EOF
if add "$P/retkfn.yaml"; then not_ok "returnArg fd on a kernel function refused"; del retkfn
else like "returnArg fd on a kernel function refused" "$(cat "$T/add.out")" \
    'retkfn.yaml:[0-9]+:[0-9]+: .*(returnArg type fd: not supported|kprobes)'; fi

# a failed open's returned "fd" is an error code, not an unreadable
# argument: the hooks' error counters stay 0
"$CTL" -S "$S" policy list > "$T/list.out" 2>&1
is "policy list: the defaults' hooks counted no errors" \
    "$(sed -n '/^etc-writes /,/^[a-z]/p;/^privilege-changes /,/^[a-z]/p' "$T/list.out" | grep -c 'errors [1-9]')" 0
like "policy list: etc-writes' hooks were hit" "$(sed -n '/^etc-writes /,/^[a-z]/p' "$T/list.out" | grep -c 'hits [1-9]')" '^15$'
echo "1..$_tap_n"
finish
