#!/bin/sh
# End to end: network blocking on a kernel without BPF LSM and without
# bpf_override_return.  A TracingPolicy whose sys_connect selector asks for
# Override is enforced by cgroup/connect4+connect6 programs on the cgroup2
# root: real connects (tests/integration/trigger) to loopback listeners
# fail with EPERM or succeed, the event row and the JSON line say
# KPROBE_ACTION_OVERRIDE, monitor mode does not block, delete restores
# connectivity; an Override this kernel cannot honour is refused naming
# the missing feature.  `triplinectl status` shows the kernel feature
# table.  Only 127.0.0.0/8 and ::1 are ever connected to.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env net
need perl
. "$top_srcdir/tests/lib/netops.sh"

# connect with another binary than trigger (perl): "ok" or the error
other_connect() {
	perl -e '
use Socket qw(:all);
my ($a, $p) = @ARGV;
socket(my $s, AF_INET, SOCK_STREAM, 0) or die;
print connect($s, pack_sockaddr_in($p, inet_aton($a))) ? "ok\n" : "$!\n";' "$1" "$2"
}

# block POLICY [MODE]: trigger's connects to 127.0.0.2:P2 and [::1]:P6
block_pol() {
	{
		[ -n "$2" ] && printf '  options:\n  - name: policy-mode\n    value: %s\n' "$2"
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
      - index: 1
        operator: "SAddr"
        values:
        - "127.0.0.2"
      - index: 1
        operator: "SPort"
        values:
        - "$P2"
      matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchActions:
      - action: Override
        argError: -1
    - matchArgs:
      - index: 1
        operator: "SAddr"
        values:
        - "::1"
      - index: 1
        operator: "SPort"
        values:
        - "$P6"
      matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchActions:
      - action: Override
        argError: -1
EOF
	} | pol "$1"
}

plan 21

start_loaderd netnode
out=$("$CTL" -S "$S" status)
like "status prints the kernel feature table" "$out" "^  cgroup/connect4 +(yes|no)$"
if ! printf '%s\n' "$out" | grep -Eq '^  cgroup/connect4 +yes$' ||
    printf '%s\n' "$out" | grep -Eq '^  (bpf_override_return|BPF LSM programs) +yes$'; then
	diag "$out"
	echo "Bail out! this test needs cgroup/connect4 and neither BPF LSM nor bpf_override_return"
	exit 99
fi
js=$("$CTL" -S "$S" status --json)
is "JSON status stays valid with the features" \
    "$(sqlite3 :memory: "SELECT json_valid('$(printf '%s' "$js" | sed "s/'/''/g")')")" "1"
like "JSON status has kernel_features" "$js" '"kernel_features":\{"kprobes":(true|false),'

P1=$(listen 127.0.0.1 p1)
P2=$(listen 127.0.0.2 p2)
P6=$(listen ::1 p6)
is "before any policy: connect to 127.0.0.2 works" "$("$TR" connect 127.0.0.2 "$P2")" "ret=0 errno=0"

# ---- enforce ------------------------------------------------------------------
block_pol netblock
if add "$P/netblock.yaml"; then ok "Override policy on sys_connect loaded"; else
	not_ok "Override policy on sys_connect loaded"; diag "$(cat "$T/add.out")"; fi
like "policy list says how it is enforced" "$("$CTL" -S "$S" policy list)" \
    "enforced by cgroup/connect4\+connect6 on /[^ ]+ \(no BPF LSM, no bpf_override_return\)"
is "denied connect fails with EPERM" "$("$TR" connect 127.0.0.2 "$P2")" "ret=-1 errno=1"
is "allowed connect (other address) succeeds" "$("$TR" connect 127.0.0.1 "$P1")" "ret=0 errno=0"
is "IPv6: denied connect to [::1] fails with EPERM" "$("$TR" connect ::1 "$P6")" "ret=-1 errno=1"
is "another binary is not blocked (matchBinaries)" "$(other_connect 127.0.0.2 "$P2")" "ok"
if wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='netblock' AND args LIKE '%::1%'"; then
	is "event rows: action KPROBE_ACTION_OVERRIDE" \
	    "$(q "SELECT group_concat(action, ',') FROM events WHERE policy_name='netblock'")" \
	    "KPROBE_ACTION_OVERRIDE,KPROBE_ACTION_OVERRIDE"
	like "event row: the sockaddr" \
	    "$(q "SELECT args FROM events WHERE policy_name='netblock' ORDER BY id LIMIT 1")" \
	    "\\{\"sockaddr_arg\":\\{\"family\":\"AF_INET\",\"addr\":\"127.0.0.2\",\"port\":$P2\\}\\}"
else
	not_ok "event rows: action KPROBE_ACTION_OVERRIDE"; not_ok "event row: the sockaddr"
	diag "$(tail -20 "$T/loaderd.log")"
fi
J=$(grep '"policy_name":"netblock"' "$S/events.jsonl" | head -1)
like "JSON line: process_kprobe __x64_sys_connect with KPROBE_ACTION_OVERRIDE" "$J" \
    '^\{"process_kprobe":.*"function_name":"__x64_sys_connect".*"action":"KPROBE_ACTION_OVERRIDE"'
del netblock
is "delete restores connectivity" "$("$TR" connect 127.0.0.2 "$P2") $("$TR" connect ::1 "$P6")" \
    "ret=0 errno=0 ret=0 errno=0"

# ---- monitor --------------------------------------------------------------------
block_pol netmon monitor
add "$P/netmon.yaml" || diag "$(cat "$T/add.out")"
is "monitor mode does not block" "$("$TR" connect 127.0.0.2 "$P2")" "ret=0 errno=0"
if wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='netmon'"; then
	like "monitor mode: the row says Override would have run" \
	    "$(q "SELECT action || ' ' || monitor_would FROM events WHERE policy_name='netmon' LIMIT 1")" \
	    "^KPROBE_ACTION_POST .*KPROBE_ACTION_OVERRIDE"
else not_ok "monitor mode: the row says Override would have run"; fi
del netmon

# ---- what this kernel cannot honour ------------------------------------------------
pol ovr-open <<'EOF'
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchActions:
      - action: Override
        argError: -1
EOF
if add "$P/ovr-open.yaml"; then not_ok "Override on sys_openat refused"; del ovr-open
else like "Override on sys_openat refused, naming the missing feature" "$(cat "$T/add.out")" \
    "Override needs bpf_override_return \(CONFIG_BPF_KPROBE_OVERRIDE\) or BPF LSM"; fi
pol ovr-err <<EOF
  kprobes:
  - call: "sys_connect"
    syscall: true
    args:
    - index: 1
      type: "sockaddr"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Family"
        values:
        - "AF_INET"
      matchActions:
      - action: Override
        argError: 5
EOF
if add "$P/ovr-err.yaml"; then not_ok "Override with a positive argError refused"; del ovr-err
else like "Override with a positive argError refused" "$(cat "$T/add.out")" "argError 5: not an error number"; fi
like "refused policies left nothing loaded" "$("$CTL" -S "$S" policy list)" "^no policies loaded"
is "... and connects work" "$("$TR" connect 127.0.0.2 "$P2")" "ret=0 errno=0"

kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" "0"
finish
