#!/bin/sh
# End to end: matchNamespaceChanges and matchCapabilityChanges.  A process
# changes its namespaces (unshare(2)) or drops a capability (capset(2))
# after its exec, then makes the hooked call, in the same process
# (tests/integration/trigger: no exec in between): the row is stored; the
# same call without the change, or with a change the selector does not
# name, is not.  On a syscall hook (raw sys_enter), a non-syscall
# tracepoint, a uprobe and the cgroup connect programs (an Override that
# blocks); a forked child carries its parent's values at exec; a change
# made before the exec is no change; a process that was running before
# loaderd gets its values the first time a change filter looks at it.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env chg
need perl
M=$T/m
mkdir -p "$M"
chmod 777 "$M"

NEWUTS=0x04000000
NEWIPC=0x08000000
CAP_NET_RAW=13
CAP_SYS_TIME=25

# chg_check NAME DESC: $M/NAME-yes stored once, no $M/NAME-no* stored
chg_check() {
	if wait_rows "$1" "$M/$1-yes"; then
		barrier
		is "$2" "$(nrows "$1" "$M/$1-yes") $(nrows "$1" "$M/$1-no")" "1 0"
	else
		not_ok "$2"; diag "$(tail -3 "$T/loaderd.log")"
	fi
	del "$1"
}

# a process started before loaderd: opens $M/late-<N> each time it
# reads a line N from its fifo; "unshare" makes it unshare its UTS
# namespace first (perl: no exec between the change and the call)
mkfifo "$T/late.fifo"
# (unshare is system call 272 on x86_64)
perl -e '
open(my $f, "<", $ARGV[0]) or die;
while (my $l = <$f>) {
	chomp $l;
	if ($l eq "unshare") {
		syscall(272, 0x04000000) == 0 or die "unshare: $!";
		next;
	}
	open(my $o, "<", "$ARGV[1]/late-$l");
}' "$T/late.fifo" "$M" 2>"$T/late.err" &
echo $! > "$T/late.pid"
exec 7>"$T/late.fifo"

plan 18

start_loaderd chgnode
marker_start

# ---- matchNamespaceChanges on a syscall hook (openat) -------------------
sel_pol nsc-in <<EOF
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
EOF
addok "$P/nsc-in.yaml"
"$TR" openat "$M/nsc-in-no1" 0 >/dev/null
"$TR" unshare $NEWIPC openat "$M/nsc-in-no2" 0 >/dev/null
"$TR" unshare $NEWUTS openat "$M/nsc-in-yes" 0 >/dev/null
chg_check nsc-in "matchNamespaceChanges In Uts: the call after unshare(CLONE_NEWUTS) stored; no change, or an Ipc change, not"

sel_pol nsc-nin <<EOF
      matchNamespaceChanges:
      - operator: NotIn
        values:
        - "Uts"
EOF
addok "$P/nsc-nin.yaml"
"$TR" openat "$M/nsc-nin-no1" 0 >/dev/null
"$TR" unshare $NEWUTS openat "$M/nsc-nin-no2" 0 >/dev/null
"$TR" unshare $NEWIPC openat "$M/nsc-nin-yes" 0 >/dev/null
chg_check nsc-nin "matchNamespaceChanges NotIn Uts: the call after unshare(CLONE_NEWIPC) stored; no change, or a Uts change, not"

# a forked child: its parent's values at exec; unshare(1) before the exec:
# the exec's own values are the new namespace's (no change)
sel_pol nsc-fork <<EOF
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
EOF
addok "$P/nsc-fork.yaml"
unshare -u "$TR" fork openat "$M/nsc-fork-no1" 0 >/dev/null
"$TR" fork openat "$M/nsc-fork-no2" 0 >/dev/null
"$TR" unshare $NEWUTS fork openat "$M/nsc-fork-yes" 0 >/dev/null
chg_check nsc-fork "matchNamespaceChanges In Uts: a child forked after its parent's unshare stored; unshare(1) before the exec, or no change, not"

# a process older than loaderd: no values at exec; taken at its first
# call a change filter looks at (no change), a later change is one
sel_pol late <<EOF
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
EOF
addok "$P/late.yaml"
echo no1 >&7
sleep 0.3
echo unshare >&7
echo yes >&7
if wait_rows late "$M/late-yes"; then
	barrier
	is "matchNamespaceChanges on a process started before loaderd: values taken at its first hooked call, its later unshare is a change" \
	    "$(nrows late "$M/late-yes") $(nrows late "$M/late-no")" "1 0"
else
	not_ok "matchNamespaceChanges on a process started before loaderd"
	diag "$(cat "$T/late.err")"
fi
del late

# ---- matchCapabilityChanges -------------------------------------------------
sel_pol cc-in <<EOF
      matchCapabilityChanges:
      - type: Effective
        operator: In
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/cc-in.yaml"
"$TR" openat "$M/cc-in-no1" 0 >/dev/null
"$TR" capdrop $CAP_SYS_TIME openat "$M/cc-in-no2" 0 >/dev/null
"$TR" capdrop $CAP_NET_RAW openat "$M/cc-in-yes" 0 >/dev/null
chg_check cc-in "matchCapabilityChanges Effective In CAP_NET_RAW: the call after dropping it stored; no change, or another capability dropped, not"

sel_pol cc-nin <<EOF
      matchCapabilityChanges:
      - type: Effective
        operator: NotIn
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/cc-nin.yaml"
"$TR" openat "$M/cc-nin-no1" 0 >/dev/null
"$TR" capdrop $CAP_NET_RAW openat "$M/cc-nin-no2" 0 >/dev/null
"$TR" capdrop $CAP_SYS_TIME openat "$M/cc-nin-yes" 0 >/dev/null
chg_check cc-nin "matchCapabilityChanges Effective NotIn CAP_NET_RAW: the call after dropping CAP_SYS_TIME stored; no change, or CAP_NET_RAW dropped, not"

sel_pol cc-perm <<EOF
      matchCapabilityChanges:
      - type: Permitted
        operator: In
        values:
        - "CAP_SYS_TIME"
EOF
addok "$P/cc-perm.yaml"
"$TR" openat "$M/cc-perm-no1" 0 >/dev/null
"$TR" capdrop $CAP_NET_RAW openat "$M/cc-perm-no2" 0 >/dev/null
"$TR" capdrop $CAP_SYS_TIME openat "$M/cc-perm-yes" 0 >/dev/null
chg_check cc-perm "matchCapabilityChanges Permitted In CAP_SYS_TIME: the call after dropping it stored; no change, or CAP_NET_RAW dropped, not"

# type Inheritable: a capability added to the inheritable set (capset);
# dropping it from the effective and permitted sets leaves that set alone
sel_pol cc-inh <<EOF
      matchCapabilityChanges:
      - type: Inheritable
        operator: In
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/cc-inh.yaml"
"$TR" openat "$M/cc-inh-no1" 0 >/dev/null
"$TR" capdrop $CAP_NET_RAW openat "$M/cc-inh-no2" 0 >/dev/null
"$TR" capinh $CAP_SYS_TIME openat "$M/cc-inh-no3" 0 >/dev/null
"$TR" capinh $CAP_NET_RAW openat "$M/cc-inh-yes" 0 >/dev/null
chg_check cc-inh "matchCapabilityChanges Inheritable In CAP_NET_RAW: the call after adding it to the inheritable set stored; no change, dropping it from effective and permitted, or adding CAP_SYS_TIME, not"

# isNamespaceCapability: only in a user namespace other than the host's
# (unshare -U -r: the exec's values are the new namespace's full set)
sel_pol cc-nscap <<EOF
      matchCapabilityChanges:
      - type: Effective
        operator: In
        isNamespaceCapability: true
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/cc-nscap.yaml"
"$TR" capdrop $CAP_NET_RAW openat "$M/cc-nscap-no1" 0 >/dev/null
unshare -U -r "$TR" openat "$M/cc-nscap-no2" 0 >/dev/null
unshare -U -r "$TR" capdrop $CAP_NET_RAW openat "$M/cc-nscap-yes" 0 >/dev/null
chg_check cc-nscap "matchCapabilityChanges In CAP_NET_RAW isNamespaceCapability: the drop inside a new user namespace stored; the same drop in the host's, or no change, not"

# a uid change from root clears the capabilities: setuid(2) as the change
sel_pol cc-uid <<EOF
      matchCapabilityChanges:
      - operator: In
        values:
        - "CAP_SYS_ADMIN"
EOF
addok "$P/cc-uid.yaml"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TR" openat "$M/cc-uid-no" 0 >/dev/null
perl -e '$> = 65534; $< = 65534; open(my $f, "<", $ARGV[0])' "$M/cc-uid-yes"
chg_check cc-uid "matchCapabilityChanges In CAP_SYS_ADMIN (type Effective by default): a root process that became uid 65534 stored; one exec'd as 65534 not"

# ---- other hook kinds: a tracepoint, a uprobe -------------------------------
pol tp-chg <<'EOF'
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
        - "tlchg-"
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
EOF
addok "$P/tp-chg.yaml"
"$TR" comm tlchg-no >/dev/null
"$TR" unshare $NEWUTS comm tlchg-yes >/dev/null
yes64=$(printf 'tlchg-yes\0\0\0\0\0\0\0' | base64 -w0)
no64=$(printf 'tlchg-no\0\0\0\0\0\0\0\0' | base64 -w0)
if wait_rows tp-chg "$yes64"; then
	barrier
	is "matchNamespaceChanges on a tracepoint (task/task_rename): the rename after unshare stored, the other not" \
	    "$(nrows tp-chg "$yes64") $(nrows tp-chg "$no64")" "1 0"
else not_ok "matchNamespaceChanges on a tracepoint"; diag "$(cat "$T/add.out")"; fi
del tp-chg

pol tp-capchg <<'EOF'
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
        - "tlcap-"
      matchCapabilityChanges:
      - operator: In
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/tp-capchg.yaml"
"$TR" comm tlcap-no >/dev/null
"$TR" capdrop $CAP_SYS_TIME comm tlcap-no2 >/dev/null
"$TR" capdrop $CAP_NET_RAW comm tlcap-yes >/dev/null
yes64=$(printf 'tlcap-yes\0\0\0\0\0\0\0' | base64 -w0)
no64=$(printf 'tlcap-no\0\0\0\0\0\0\0\0' | base64 -w0)
no64b=$(printf 'tlcap-no2\0\0\0\0\0\0\0' | base64 -w0)
if wait_rows tp-capchg "$yes64"; then
	barrier
	is "matchCapabilityChanges on a tracepoint (task/task_rename): the rename after the drop stored; no change, or another capability dropped, not" \
	    "$(nrows tp-capchg "$yes64") $(nrows tp-capchg "$no64") $(nrows tp-capchg "$no64b")" "1 0 0"
else not_ok "matchCapabilityChanges on a tracepoint"; diag "$(cat "$T/add.out")"; fi
del tp-capchg

pol up-chg <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_probe_target"
    args:
    - index: 0
      type: "int"
    selectors:
    - matchCapabilityChanges:
      - operator: In
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/up-chg.yaml"
"$TR" probe 4301 >/dev/null
"$TR" capdrop $CAP_NET_RAW probe 4302 >/dev/null
if wait_rows up-chg '"int_arg":4302'; then
	barrier
	is "matchCapabilityChanges on a uprobe: the call after the drop stored, the other not" \
	    "$(nrows up-chg '"int_arg":4302') $(nrows up-chg '"int_arg":4301')" "1 0"
else not_ok "matchCapabilityChanges on a uprobe"; diag "$(cat "$T/add.out")"; fi
del up-chg

pol up-nschg <<EOF
  uprobes:
  - path: "$TR"
    symbols:
    - "trigger_probe_target"
    args:
    - index: 0
      type: "int"
    selectors:
    - matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
EOF
addok "$P/up-nschg.yaml"
"$TR" probe 4311 >/dev/null
"$TR" unshare $NEWIPC probe 4312 >/dev/null
"$TR" unshare $NEWUTS probe 4313 >/dev/null
if wait_rows up-nschg '"int_arg":4313'; then
	barrier
	is "matchNamespaceChanges on a uprobe: the call after unshare(CLONE_NEWUTS) stored; no change, or an Ipc change, not" \
	    "$(nrows up-nschg '"int_arg":4313') $(nrows up-nschg '"int_arg":4311') $(nrows up-nschg '"int_arg":4312')" "1 0 0"
else not_ok "matchNamespaceChanges on a uprobe"; diag "$(cat "$T/add.out")"; fi
del up-nschg

# ---- the cgroup connect programs: Override after a change blocks --------------
port=$((30000 + $$ % 20000))
# netpol NAME <<EOF (change filter lines, indented by 6): Override -1 on
# connects to 127.0.0.9:$port after the change
netpol() {
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
    selectors:
    - matchArgs:
      - index: 1
        operator: "SAddr"
        values:
        - "127.0.0.9"
      - index: 1
        operator: "SPort"
        values:
        - "$port"
EOF
		cat
		printf '      matchActions:\n      - action: Override\n'
		printf '        argError: -1\n'
	} | pol "$1"
}
netpol net-chg <<EOF
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
EOF
addok "$P/net-chg.yaml"
# no listener: a connect not blocked fails with ECONNREFUSED (111)
is "matchNamespaceChanges on the cgroup connect programs: Override blocks the connect after unshare (EPERM), not the other (ECONNREFUSED)" \
    "$("$TR" connect 127.0.0.9 "$port") $("$TR" unshare $NEWUTS connect 127.0.0.9 "$port")" \
    "ret=-1 errno=111 ret=-1 errno=1"
del net-chg

netpol net-capchg <<EOF
      matchCapabilityChanges:
      - operator: In
        values:
        - "CAP_NET_RAW"
EOF
addok "$P/net-capchg.yaml"
is "matchCapabilityChanges on the cgroup connect programs: Override blocks the connect after the drop (EPERM), not the other ones (ECONNREFUSED)" \
    "$("$TR" connect 127.0.0.9 "$port") $("$TR" capdrop $CAP_SYS_TIME connect 127.0.0.9 "$port") $("$TR" capdrop $CAP_NET_RAW connect 127.0.0.9 "$port")" \
    "ret=-1 errno=111 ret=-1 errno=111 ret=-1 errno=1"
del net-capchg

# ---- refusals ---------------------------------------------------------------
sel_pol nsc-two <<EOF
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
      - operator: In
        values:
        - "Net"
EOF
refused "two matchNamespaceChanges entries refused with file:line:col" "$P/nsc-two.yaml" \
    'nsc-two.yaml:[0-9]+:[0-9]+: matchNamespaceChanges: 2 entries; at most 1 \(one per selector\)'

sel_pol nsc-bad <<EOF
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
        - "Mount"
EOF
refused "an unknown namespace name refused with file:line:col" "$P/nsc-bad.yaml" \
    'nsc-bad.yaml:[0-9]+:[0-9]+: matchNamespaceChanges values: expected one of Uts, Ipc, Mnt'

exec 7>&-
finish
