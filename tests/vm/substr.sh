#!/bin/sh
# tests/vm/substr.sh BUILDDIR -- SubString / SubStringIgnCase on the hook
# kinds of a stock kernel (TAP; run in the VM by
# tests/integration/vm_substr.sh): a kprobe on security_file_open (the
# struct file's path), an lsmhooks file_open (idem) and a syscall kprobe
# on openat (the string).  Each loads (the BPF search verified on this
# kernel), stores the open whose path holds the value and not the other.
# Then a usdts hook (generic_usdt verified and attached on this kernel)
# on tests/integration/usdtprobe's tl:hit: a matching and a non-matching
# hit.
. "$(dirname "$0")/guestlib.sh"

# sub_case NAME SECT HOOKLINES ARGTYPE MATCHIDX OP VALUE: a policy NAME with
# one hook, its first arg of ARGTYPE, one matchArgs entry; the opens of
# $D/NAME-yes-Hit and $D/NAME-no-hit; the yes file stored, the no file not
sub_case() {
	_n=$1 _sect=$2 _hook=$3 _type=$4 _idx=$5 _op=$6 _v=$7
	cat >"$P/$_n.yaml" <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "$_n"
spec:
  $_sect:
$_hook
    args:
    - index: $_idx
      type: "$_type"
    selectors:
    - matchArgs:
      - index: $_idx
        operator: "Prefix"
        values:
        - "$D/$_n-"
      - index: $_idx
        operator: "$_op"
        values:
        - "$_v"
EOF
	printf 'x\n' >"$D/$_n-yes-Hit"
	printf 'x\n' >"$D/$_n-no-hit"
	if ! addp "$P/$_n.yaml"; then
		n_not_ok 2 "$_n: policy refused"
		return
	fi
	"$TR" openat "$D/$_n-no-hit" 0 >/dev/null
	"$TR" openat "$D/$_n-yes-Hit" 0 >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='$_n' AND args LIKE '%$_n-yes-Hit%'"; then
		ok "$_n: $_op $_v: the open of $_n-yes-Hit stored"
		is "$_n: ... and not the open of $_n-no-hit" "$(nrows "$_n" "$_n-no-hit")" 0
	else
		not_ok "$_n: $_op $_v: the open of $_n-yes-Hit stored"
		not_ok "$_n: ... and not the open of $_n-no-hit (no row at all)"
		diag "$(plist "$_n")"
	fi
	"$CTL" -S "$S" policy delete "$_n" >/dev/null 2>&1
}

section "kprobe security_file_open"
sub_case sub-kfn kprobes '  - call: "security_file_open"
    syscall: false' file 0 SubString "-yes-H"
section "lsmhooks file_open"
sub_case sub-lsm lsmhooks '  - hook: "file_open"' file 0 SubStringIgnCase "-YES-hit"
section "kprobe sys_openat"
sub_case sub-sys kprobes '  - call: "sys_openat"
    syscall: true' string 1 SubStringIgnoreCase "S-h"

section "usdts tl:hit"
U=$B/tests/integration/usdtprobe
cat >"$P/sub-usdt.yaml" <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "sub-usdt"
spec:
  usdts:
  - path: "$U"
    provider: "tl"
    name: "hit"
    args:
    - index: 0
      type: "string"
    - index: 1
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "SubString"
        values:
        - "vm-usdt-yes"
EOF
if addp "$P/sub-usdt.yaml"; then
	"$U" hit "a-vm-usdt-no" 1 >/dev/null
	"$U" hit "a-vm-usdt-yes" 2 >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='sub-usdt' AND args LIKE '%vm-usdt-yes%'"; then
		is "usdt: the matching hit stored with its arguments, the other not" \
		    "$(q "SELECT group_concat(type || ' ' || args, '|') FROM events WHERE policy_name='sub-usdt'")" \
		    'process_usdt [{"string_arg":"a-vm-usdt-yes"},{"int_arg":2}]'
	else
		not_ok "usdt: the matching hit stored"; diag "$(plist sub-usdt)"
	fi
	"$CTL" -S "$S" policy delete sub-usdt >/dev/null 2>&1
else
	not_ok "usdt: policy refused"
fi

guest_end
