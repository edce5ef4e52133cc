#!/bin/sh
# End to end: Tetragon's own example policies, loaded verbatim from
# tests/data/tetragon-examples/, each doing on this kernel what its YAML
# says: a positive case (the call it names, asserted in events.db, or the
# Override/Sigkill it asks for) and a negative case (a call next to it
# that it must not catch).  The examples that need kprobes or BPF LSM are
# refused here (e2e_policy.sh checks the reason) and run in the VM
# (tests/vm/enforce.sh, section 7).
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env examples
need unshare
need curl
EX=$top_srcdir/tests/data/tetragon-examples
M=$T/m
mkdir -p "$M"

plan 16

# rows of policy $1 by trigger whose args contain $2
trows() {
	q "SELECT count(*) FROM events_full WHERE policy_name='$1'
	    AND binary='$TR' AND args LIKE '%$2%'"
}
twait() { wait_for 10 row_exists "SELECT 1 FROM events_full WHERE
    policy_name='$1' AND binary='$TR' AND args LIKE '%$2%'"; }

start_loaderd exnode
marker_start

# ---- list-syscalls-tracepoint: raw_syscalls/sys_enter, id InMap list:dups
addok "$EX/list-syscalls-tracepoint.yaml"
"$TR" dup3 0 9 >/dev/null
"$TR" dup 0 >/dev/null
"$TR" dup2 0 9 >/dev/null
barrier
twait list-syscalls-tracepoint '"33"'
# uint64 is Tetragon's size_arg, a string in its JSON (protobuf uint64)
is "list-syscalls-tracepoint: dup (32) and dup2 (33) stored, one row each" \
    "$(q "SELECT group_concat(args, ' ') FROM (SELECT args FROM events_full
	WHERE policy_name='list-syscalls-tracepoint' AND binary='$TR' ORDER BY id)")" \
    '[{"size_arg":"32"}] [{"size_arg":"33"}]'
is "list-syscalls-tracepoint: dup3 (292), not in the list, is not" \
    "$(trows list-syscalls-tracepoint 292)" "0"
del list-syscalls-tracepoint

# ---- openat_write: openat of /etc/passwd with O_CREAT|O_WRONLY|O_RDWR in
# the flags (Mask) that returned a descriptor (> 0).  In a mount namespace
# of its own /etc/passwd is a scratch file, so the real one is never
# opened for writing.
addok "$EX/openat_write.yaml"
echo scratch >"$M/passwd"
inns() {
	unshare -m sh -c "mount --bind '$M/passwd' /etc/passwd && $*"
}
inns "'$TR' openat /etc/passwd 0" >/dev/null		# O_RDONLY
inns "'$TR' openat /etc/passwd 1" >/dev/null		# O_WRONLY
inns "'$TR' openat /etc/passwdx 65" >/dev/null	# O_WRONLY|O_CREAT, other name
chmod 0444 "$M/passwd"
inns "setpriv --reuid=65534 --regid=65534 --clear-groups '$TR' openat /etc/passwd 2" >/dev/null	# EACCES
barrier
twait sys-openat /etc/passwd
r=$(q "SELECT args || ' ' || return_value FROM events_full WHERE
    policy_name='sys-openat' AND binary='$TR'")
like "openat_write: the write open of /etc/passwd stored with its flags and the fd returned" \
    "$r" '^\[\{"int_arg":-100\},\{"string_arg":"/etc/passwd"\},\{"int_arg":1\}\] \{"int_arg":[1-9][0-9]*\}$'
is "openat_write: the read-only open, another name and the refused open (-13) are not" \
    "$(q "SELECT count(*) FROM events_full WHERE policy_name='sys-openat'
	AND binary='$TR'")" "1"
del sys-openat

# ---- write: sys_write on fd 1 (char_buf sized by the return value), not by
# pid 1 of the namespace
addok "$EX/write.yaml"
"$TR" wfd 2 "tl-example-stderr" >/dev/null 2>&1
"$TR" wfd 1 "tl-example-stdout" >"$M/out"
barrier
# bytes as base64 (Tetragon's bytes_arg); size_t is a size_arg string
b1=$(printf 'tl-example-stdout' | base64) b2=$(printf 'tl-example-stderr' | base64)
twait sys-write "$b1" || diag "rows: $(q "SELECT args FROM events_full WHERE
    policy_name='sys-write' AND binary='$TR'")"
is "write: the write to fd 1 stored with its bytes and size" \
    "$(q "SELECT args FROM events_full WHERE policy_name='sys-write'
	AND binary='$TR' AND args LIKE '%$b1%'")" \
    "[{\"int_arg\":1},{\"bytes_arg\":\"$b1\"},{\"size_arg\":\"17\"}]"
is "write: the write to fd 2 is not" "$(trows sys-write "$b2")" "0"
del sys-write

# ---- raw_syscalls: every system call's id (syscall64), no selector
addok "$EX/raw_syscalls.yaml"
"$TR" getpriority 0 0 >/dev/null
barrier
twait raw-syscalls '"id":140'
is "raw_syscalls: trigger's getpriority stored as syscall64 140" \
    "$(trows raw-syscalls '{"syscall_id":{"id":140,"abi":"x64"}}')" "1"
check "raw_syscalls: its other system calls too (no selector: all of them)" \
    [ "$(trows raw-syscalls syscall_id)" -gt 3 ]
del raw-syscalls

# ---- rawtp: raw sched_process_exec, its linux_binprm
addok "$EX/rawtp.yaml"
"$TR" getpriority 0 0 >/dev/null
barrier
twait rawtp "$TR"
# (the barrier's trigger is an exec too)
is "rawtp: the execs of trigger stored with the linux_binprm path" \
    "$(q "SELECT DISTINCT args FROM events_full WHERE policy_name='rawtp' AND
	binary='$TR'")" \
    "[{\"linux_binprm_arg\":{\"path\":\"$TR\",\"permission\":\"-rwxr-xr-x\"}}]"
# a process that forks 3 children that exit without exec: its own exec
# is a row (python3 may be a wrapper that execs more: only the exec of
# python itself is counted), the children are none (rows after a watermark: pids are
# reused)
wm=$(q "SELECT id FROM events ORDER BY id DESC LIMIT 1")
pids=$(python3 -c '
import os
print(os.getpid())
for i in range(3):
    p = os.fork()
    if p == 0:
        os._exit(0)
    print(p)
    os.waitpid(p, 0)
' | tr '\n' ' ')
barrier
set -- $pids
r="$(q "SELECT count(*) FROM events_full WHERE policy_name='rawtp' AND
    id > $wm AND pid IN ($2, $3, $4)") $(q "SELECT count(*) FROM events_full
    WHERE policy_name='rawtp' AND id > $wm AND pid = $1 AND
    args LIKE '%/python%'")"
is "rawtp: forks without exec are no rows, the exec of their parent is one" \
    "$r" "0 1"
[ "$r" = "0 1" ] || diag "$(q "SELECT id, exec_id, pid, binary, args FROM
    events_full WHERE policy_name='rawtp' AND id > $wm AND
    pid IN ($1, $2, $3, $4)")"
del rawtp

# ---- security-socket-connect-block-others: TCP connects by /usr/bin/curl
# are refused (Override, error 1); other programs connect
port=$((20000 + $$ % 20000))
python3 -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(16)
sys.stdout.write('up\n'); sys.stdout.flush(); time.sleep(60)
" >"$M/listen.out" 2>&1 &
LSN=$!
KIDS="$LSN"
wait_for 5 grep -q up "$M/listen.out"
addok "$EX/security-socket-connect-block-others.yaml"
curl -s -m 5 -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null
crc=$?
is "security-socket-connect: curl's connect refused (curl exit 7: could not connect)" "$crc" "7"
r=$("$TR" connect 127.0.0.1 "$port")
is "security-socket-connect: another program connects" "$r" "ret=0 errno=0"
barrier
wait_for 10 row_exists "SELECT 1 FROM events_full WHERE
    policy_name='security-socket-connect' AND binary='/usr/bin/curl'"
is "security-socket-connect: curl's connect stored with the Override" \
    "$(q "SELECT action FROM events_full WHERE policy_name='security-socket-connect'
	AND binary='/usr/bin/curl' LIMIT 1")" "KPROBE_ACTION_OVERRIDE"
is "security-socket-connect: the other program's connect is not stored" \
    "$(q "SELECT count(*) FROM events_full WHERE policy_name='security-socket-connect'
	AND binary='$TR'")" "0"
del security-socket-connect
kill "$LSN" 2>/dev/null
KIDS=

# ---- tcp-connect-only-private-addrs: Sigkill on a TCP connect to an
# address outside the private ranges; 192.0.2.1 is TEST-NET-1 (public,
# never routed)
addok "$EX/tcp-connect-only-private-addrs.yaml"
is "tcp-connect-only-private-addrs: a connect to 192.0.2.1 is killed" \
    "$(how "$TR" connect 192.0.2.1 9)" "signal 9"
is "tcp-connect-only-private-addrs: a connect to 127.0.0.1 is not" \
    "$(how "$TR" connect 127.0.0.1 9)" "exit 0"
del connect-only-private-addrs

finish
