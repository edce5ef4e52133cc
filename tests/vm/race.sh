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
# the kernel's copy in socket_connect.
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

guest_end
