#!/bin/sh
# tests/vm/race.sh BUILDDIR -- enforcement a racing thread cannot evade
# (TAP).  Runs as root INSIDE the VM (tests/integration/vm_race.sh).
#
# An Override policy on openat of /tmp/tlvm/race1/blocked
# (tests/data/vm/race-open.yaml); racer.c opens a path that a second
# thread flips between .../allowed and .../blocked for several seconds,
# with full kernel preemption switched on so that the flip can land
# between the hook's read at sys_enter and the kernel's own copy.  The
# Override executor on file_open decides again on the opened file's
# path: no open of the blocked file may succeed, the allowed one must.
# The same for connect (tests/data/vm/race-connect.yaml): the sockaddr's
# address flipped between 127.0.83.1 and 127.0.84.1, decided again on
# the kernel's copy in socket_connect; the same for bind and sendto
# (tests/data/vm/race-addr.yaml: socket_bind, socket_sendmsg).  And for
# fchmodat, unlinkat, mkdirat, renameat2 and linkat
# (tests/data/vm/race-paths.yaml): the path flipped as for the opens, decided again on the paths the kernel
# resolved in path_chmod, path_unlink, path_mkdir, path_rename,
# path_link; a relative name is decided on its absolute path.  And for
# execve (tests/data/vm/race-exec.yaml): the program's path flipped
# between a copy of true and one of false, decided again on the kernel's
# copy of the name in bprm_check_security.
. "$(dirname "$0")/guestlib.sh"

R=$B/tests/integration/racer
SECS=${RACE_SECS:-8}
PRE=/sys/kernel/debug/sched/preempt

# preemption inside the kernel while a racer runs: the flipper can run
# between the sys_enter read and the kernel's copy (Debian's kernels are
# PREEMPT_DYNAMIC)
old=
if [ -w "$PRE" ]; then
	old=$(sed -n 's/.*(\([a-z]*\)).*/\1/p' "$PRE")
	diag "preemption: $(cat "$PRE")"
fi

section "race openat"
mkdir -p "$D/race1"
printf A >"$D/race1/allowed"
printf B >"$D/race1/blocked"
chmod 644 "$D/race1/allowed" "$D/race1/blocked"
if addp "$DATA/race-open.yaml"; then
	pl=$(plist vm-race-open)
	diag "$pl"
	like "policy list: Override decided again on the opened file's path (race-free)" \
	    "$pl" "race-free: the Override executor decides again on the opened file's path, in file_open \\(argument 1\\)"
	is "plain open of the blocked file: EPERM" \
	    "$(cat "$D/race1/blocked" 2>&1; echo "$?")" \
	    "cat: $D/race1/blocked: Operation not permitted
1"
	is "plain open of the allowed file works" \
	    "$(cat "$D/race1/allowed" 2>&1; echo " $?")" "A 0"
	[ -n "$old" ] && echo full >"$PRE"
	out=$("$R" "$SECS" "$D/race1")
	diag "racer $SECS s: $out"
	[ -n "$old" ] && echo "$old" >"$PRE"
	set -- $out
	like "racer ran" "$out" '^opens [0-9]+ allowed [0-9]+ blocked [0-9]+ refused [0-9]+ other [0-9]+$'
	is "racing opens: no open of the blocked file succeeded" "${6:-x}" 0
	like "racing opens: opens of the allowed file succeeded" "${4:-x}" '^[1-9][0-9]*$'
	like "racing opens: opens of the blocked name were refused" "${8:-x}" '^[1-9][0-9]*$'
	pl=$(plist vm-race-open)
	diag "$pl"
	like "policy list: some calls raced (read one name, opened the other)" \
	    "$pl" 'raced [1-9]'
	"$CTL" -S "$S" policy delete vm-race-open >/dev/null 2>&1
else
	n_not_ok 8 "race openat: policy refused"
fi

# ---- connect: the kernel's copy of the sockaddr ----------------------------

section "race connect"
if addp "$DATA/race-connect.yaml"; then
	pl=$(plist vm-race-connect)
	diag "$pl"
	like "connect: policy list says race-free (the kernel's sockaddr)" \
	    "$pl" "race-free: the Override executor decides again on the kernel's copy of the sockaddr, in socket_connect \\(argument 1\\)"
	[ -n "$old" ] && echo full >"$PRE"
	out=$("$R" "$SECS" connect 127.0.83.1 127.0.84.1 8301)
	diag "racer connect $SECS s: $out"
	[ -n "$old" ] && echo "$old" >"$PRE"
	set -- $out
	like "connect racer ran" "$out" '^connects [0-9]+ allowed [0-9]+ blocked [0-9]+ refused [0-9]+ other [0-9]+$'
	is "racing connects: none to the blocked address succeeded" "${6:-x}" 0
	like "racing connects: connects to the allowed address succeeded" "${4:-x}" '^[1-9][0-9]*$'
	like "racing connects: connects to the blocked address were refused" "${8:-x}" '^[1-9][0-9]*$'
	pl=$(plist vm-race-connect)
	diag "$pl"
	like "connect: policy list: some calls raced" "$pl" 'raced [1-9]'
	"$CTL" -S "$S" policy delete vm-race-connect >/dev/null 2>&1
else
	n_not_ok 6 "race connect: policy refused"
fi

# ---- bind, sendto: the kernel's copy of the sockaddr ---------------------------

section "race bind sendto"
if addp "$DATA/race-addr.yaml"; then
	pl=$(plist vm-race-addr)
	diag "$pl"
	for h in bind:socket_bind:8302 sendto:socket_sendmsg:8303; do
		_s=${h%%:*} _r=${h#*:}
		_p=${_r#*:} _r=${_r%%:*}
		like "$_s: policy list says race-free (the kernel's sockaddr, in $_r)" \
		    "$(printf '%s\n' "$pl" | grep "sys_$_s:")" \
		    "race-free: the Override executor decides again on the kernel's copy of the sockaddr, in $_r \\(argument 1\\)"
		[ -n "$old" ] && echo full >"$PRE"
		out=$("$R" "$SECS" "$_s" 127.0.83.1 127.0.84.1 "$_p")
		[ -n "$old" ] && echo "$old" >"$PRE"
		diag "racer $_s $SECS s: $out"
		set -- $out
		like "$_s racer ran" "$out" "^${_s}s [0-9]+ allowed [0-9]+ blocked [0-9]+ refused [0-9]+ other [0-9]+\$"
		is "racing ${_s}s: none to the blocked address succeeded" "${6:-x}" 0
		like "racing ${_s}s: some to the allowed address succeeded" "${4:-x}" '^[1-9][0-9]*$'
		like "racing ${_s}s: those to the blocked address were refused" "${8:-x}" '^[1-9][0-9]*$'
	done
	pl=$(plist vm-race-addr)
	diag "$pl"
	is "bind, sendto: both hooks counted raced calls" \
	    "$(printf '%s\n' "$pl" | grep -c 'raced [1-9]')" 2
	"$CTL" -S "$S" policy delete vm-race-addr >/dev/null 2>&1
else
	n_not_ok 11 "race bind sendto: policy refused"
fi

# ---- fchmodat, unlinkat, mkdirat, renameat2, linkat: resolved paths ---------

section "race chmod unlink mkdir rename link"
OPS="chmod unlink mkdir rename link"
# the directory of OP's files: "/tmp/tlvm/NAME/" is 16 bytes, so racer
# needs no "/" padding before the flipped word and the caller's string is
# the one the policy names (with padding, sys_enter would never match and
# only the executor would decide)
rd() {
	case $1 in
	chmod) echo "$D/r-chm" ;; unlink) echo "$D/r-unl" ;;
	mkdir) echo "$D/r-mkd" ;; rename) echo "$D/r-ren" ;;
	link) echo "$D/r-lnk" ;;
	esac
}
for op in $OPS; do
	rm -rf "$(rd $op)"
	mkdir -p "$(rd $op)"
	if [ "$op" != mkdir ]; then
		printf A >"$(rd $op)/allowed"
		printf B >"$(rd $op)/blocked"
		chmod 644 "$(rd $op)/allowed" "$(rd $op)/blocked"
	fi
done
# once OP NAME [NEW]: one call of OP on NAME, relative to its directory
once() { (cd "$(rd "$1")" && "$R" once "$@"); }
# the paths of a row's args: [{"int_arg":-100},{"string_arg":P}...]
sa() { printf '{"int_arg":-100},{"string_arg":"%s"}' "$1"; }
if addp "$DATA/race-paths.yaml"; then
	pl=$(plist vm-race-paths)
	diag "$pl"
	for h in fchmodat:path_chmod:1 unlinkat:path_unlink:1 mkdirat:path_mkdir:1 \
	    renameat2:path_rename:"s 1 and 3" linkat:path_link:"s 1 and 3"; do
		_s=${h%%:*} _r=${h#*:}
		_l=${_r#*:} _r=${_r%%:*}
		like "$_s: policy list says race-free (the path the kernel resolved, in $_r)" \
		    "$(printf '%s\n' "$pl" | grep "sys_$_s:")" \
		    "Override carried out by BPF LSM hooks? $_r.*race-free: the Override executor decides again on the path the kernel resolved .*, in $_r[/a-z_]* \\(argument$(echo "$_l" | sed 's/^[0-9]/ &/')\\)"
	done
	# relative names: sys_enter reads "blocked", which the policy does
	# not name; the executor decides on the absolute path
	for op in chmod unlink mkdir; do
		is "$op: relative name of the blocked path: EPERM" \
		    "$(once $op blocked)" "ret=-1 errno=1"
		is "$op: relative name of the allowed path works" \
		    "$(once $op allowed)" "ret=0 errno=0"
	done
	is "rename: relative name of the blocked path: EPERM" \
	    "$(once rename blocked moved)" "ret=-1 errno=1"
	is "rename: to the relative name of the protected path: EPERM" \
	    "$(once rename allowed protected)" "ret=-1 errno=1"
	is "rename: the allowed path to another name and back works" \
	    "$(once rename allowed moved; once rename moved allowed)" \
	    "ret=0 errno=0
ret=0 errno=0"
	is "link: relative name of the blocked path: EPERM" \
	    "$(once link blocked linked)" "ret=-1 errno=1"
	is "link: relative name of the allowed path works" \
	    "$(once link allowed linked)" "ret=0 errno=0"
	is "the blocked names untouched, the allowed ones done" \
	    "$(stat -c %a "$D/r-chm/blocked" "$D/r-chm/allowed"; \
	    test -e "$D/r-unl/blocked" && echo b; \
	    test -e "$D/r-unl/allowed" || echo a; \
	    test -e "$D/r-mkd/blocked" || echo nb; \
	    test -d "$D/r-mkd/allowed" && echo da; \
	    ls "$D/r-ren" | tr '\n' ' '; echo; \
	    ls -i "$D/r-lnk" | awk '{ print $2 }' | tr '\n' ' ')" "644
600
b
a
nb
da
allowed blocked 
allowed blocked linked "
	is "link: the new link is the allowed file" \
	    "$(stat -c %i "$D/r-lnk/linked")" \
	    "$(stat -c %i "$D/r-lnk/allowed")"
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-race-paths' AND args LIKE '%\"$D/r-lnk/blocked\"%'"; then
		is "relative names: one row each, Override, with the absolute paths" \
		    "$(q "SELECT group_concat(function_name || ' ' || action || ' ' || args, '|') FROM (SELECT * FROM events WHERE policy_name='vm-race-paths' ORDER BY id)")" \
		    "__x64_sys_fchmodat KPROBE_ACTION_OVERRIDE [$(sa "$D/r-chm/blocked")]|__x64_sys_unlinkat KPROBE_ACTION_OVERRIDE [$(sa "$D/r-unl/blocked")]|__x64_sys_mkdirat KPROBE_ACTION_OVERRIDE [$(sa "$D/r-mkd/blocked")]|__x64_sys_renameat2 KPROBE_ACTION_OVERRIDE [$(sa "$D/r-ren/blocked"),$(sa "$D/r-ren/moved")]|__x64_sys_renameat2 KPROBE_ACTION_OVERRIDE [$(sa "$D/r-ren/allowed"),$(sa "$D/r-ren/protected")]|__x64_sys_linkat KPROBE_ACTION_OVERRIDE [$(sa "$D/r-lnk/blocked"),$(sa "$D/r-lnk/linked")]"
	else
		not_ok "relative names: rows stored"
	fi
	rmdir "$D/r-mkd/allowed"
	rm -f "$D/r-lnk/linked"
	printf A >"$D/r-unl/allowed"
	[ -n "$old" ] && echo full >"$PRE"
	for op in $OPS; do
		out=$("$R" "$SECS" $op "$(rd $op)")
		diag "racer $op $SECS s: $out"
		set -- $out
		like "racer $op ran" "$out" "^${op}s [0-9]+ allowed [0-9]+ blocked [0-9]+ refused [0-9]+ other [0-9]+\$"
		is "racing ${op}s: none on the blocked name succeeded" "${6:-x}" 0
		like "racing ${op}s: some on the allowed name succeeded" "${4:-x}" '^[1-9][0-9]*$'
		like "racing ${op}s: those on the blocked name were refused" "${8:-x}" '^[1-9][0-9]*$'
	done
	[ -n "$old" ] && echo "$old" >"$PRE"
	pl=$(plist vm-race-paths)
	diag "$pl"
	is "chmod, unlink, mkdir, rename, link: every hook counted raced calls" \
	    "$(printf '%s\n' "$pl" | grep -c 'raced [1-9]')" 5
	"$CTL" -S "$S" policy delete vm-race-paths >/dev/null 2>&1
else
	n_not_ok 40 "race paths: policy refused"
fi

# ---- execve: the kernel's copy of the name -------------------------------------

section "race execve"
rm -rf "$D/r-exe"
mkdir -p "$D/r-exe"
cp /bin/true "$D/r-exe/allowed"
cp /bin/false "$D/r-exe/blocked"
if addp "$DATA/race-exec.yaml"; then
	pl=$(plist vm-race-exec)
	diag "$pl"
	like "execve: policy list says race-free (the kernel's copy of the name, in bprm_check_security)" \
	    "$pl" "race-free: the Override executor decides again on the kernel's copy of the executed name \\(as passed, not resolved\\), in bprm_check_security \\(argument 0\\)"
	is "execve of the blocked program: refused (126), of the allowed one: runs (0)" \
	    "$("$D/r-exe/blocked" 2>/dev/null; echo "$?") $("$D/r-exe/allowed"; echo "$?")" "126 0"
	[ -n "$old" ] && echo full >"$PRE"
	out=$("$R" "$SECS" exec "$D/r-exe")
	[ -n "$old" ] && echo "$old" >"$PRE"
	diag "racer exec $SECS s: $out"
	set -- $out
	like "racer exec ran" "$out" '^execs [0-9]+ allowed [0-9]+ blocked [0-9]+ refused [0-9]+ other [0-9]+$'
	is "racing execs: no exec of the blocked program succeeded" "${6:-x}" 0
	like "racing execs: execs of the allowed program succeeded" "${4:-x}" '^[1-9][0-9]*$'
	like "racing execs: execs of the blocked name were refused" "${8:-x}" '^[1-9][0-9]*$'
	diag "$(plist vm-race-exec)"
	"$CTL" -S "$S" policy delete vm-race-exec >/dev/null 2>&1
else
	n_not_ok 6 "race execve: policy refused"
fi

guest_end
