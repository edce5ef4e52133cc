#!/bin/sh
# End to end: SubString and SubStringIgnCase (alias SubStringIgnoreCase)
# in matchArgs and matchReturnArgs, on each hook kind of the CI kernel:
# a syscall kprobe (openat's path), a syscalls/sys_enter_openat
# tracepoint field, a uprobe (char_iovec: the entries' bytes
# concatenated) and the path of the descriptor openat returned.  Real
# calls (tests/integration/trigger); each positive case stores rows whose
# args hold the value, each negative case ran its hook (hits) without a
# match or a row (tests/lib/netops.sh run_cases).  Values sit at the
# start, in the middle and at the very end of the subject, span 8-byte
# words, are the longest allowed (99 bytes), and past byte 256 of a long
# path; a value that differs only in case, or only after its first word,
# does not match.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/netops.sh"
e2e_env substr
X=tl$$		# in every value: no other process's data matches

plan 28

start_loaderd substrnode

# ---- kprobe sys_openat, syscall: true ----------------------------------------
HOOKSECT=kprobes
HOOKHDR() {
	printf '  - call: "sys_openat"\n    syscall: true\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 1\n      type: "string"\n'
	printf '    - index: 2\n      type: "int"\n'
}
F1=$T/a-$X-Hello-World-0123456789abcdef.txt
# 110 characters, a value of 99 from its middle
L=$(printf 'k%.0s' $(seq 1 40))-$X-$(printf 'm%.0s' $(seq 1 30))-LONG-$(printf 'z%.0s' $(seq 1 60))
V99=$(printf '%s' "$L" | cut -c 5-103)
V99N=$(printf '%s' "$V99" | sed 's/.$/Y/')
F2=$T/$L
# past byte 256 of the path (the file need not exist: the hook sees the
# call's entry)
D=$(printf 'd%.0s' $(seq 1 200))
F3=$T/$D/$D/$X-deep-needle
cat >"$T/cases" <<EOF
sub-mid|+|1:SubString=$X-Hello-World|"string_arg":"$F1"
sub-short|+|1:Prefix=$T/ 1:SubString=lo-W|"string_arg":"$F1"
sub-start|+|1:SubString=$T/a-$X|"string_arg":"$F1"
sub-end|+|1:Prefix=$T/ 1:SubString=cdef.txt|"string_arg":"$F1"
sub-case-no|-|1:SubString=$X-hello-World
sub-word2-no|-|1:Prefix=$T/ 1:SubString=World-01234567X9
sub-past-end-no|-|1:Prefix=$T/ 1:SubString=cdef.txtx
sub-or|+|1:SubString=$X-nothere,$X-Hello|"string_arg":"$F1"
EOF
run_cases "$T/cases" subk 10 "$TR openat $F1 0" "$TR openat $F2 0" "$TR openat $F3 0"
cat >"$T/cases" <<EOF
icase|+|1:SubStringIgnCase=$X-HELLO-world-0123456789ABCDEF|"string_arg":"$F1"
icase-alias|+|1:Prefix=$T/ 1:SubStringIgnoreCase=hello-WORLD|"string_arg":"$F1"
icase-no|-|1:SubStringIgnCase=$X-hello-worle
sub-99|+|1:SubString=$V99|"string_arg":"$F2"
sub-99-no|-|1:SubString=$V99N
sub-deep|+|1:SubString=$X-deep-needle|"string_arg":"$F3"
sub-deep-no|-|1:SubString=$X-deep-needles
icase-99|+|1:SubStringIgnCase=$(printf '%s' "$V99" | tr 'a-z' 'A-Z')|"string_arg":"$F2"
EOF
run_cases "$T/cases" subk2 10 "$TR openat $F1 0" "$TR openat $F2 0" "$TR openat $F3 0"
is "kprobe: the rounds loaded" "$nload/$nround" "1/1"

# ---- syscalls/sys_enter_openat: the filename field -----------------------------
HOOKSECT=tracepoints
HOOKHDR() {
	printf '  - subsystem: "syscalls"\n    event: "sys_enter_openat"\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 6\n      type: "string"\n'
}
cat >"$T/cases" <<EOF
tp-sub|+|0:SubString=$X-Hello-World-01|"string_arg":"$F1"
tp-sub-no|-|0:SubString=$X-Hello-World-02
tp-icase|+|0:SubStringIgnCase=$X-hello-WORLD|"string_arg":"$F1"
tp-icase-no|-|0:SubStringIgnCase=$X-hello-WORLD-x
EOF
run_cases "$T/cases" subt 10 "$TR openat $F1 0"
is "tracepoint: the round loaded" "$nload/$nround" "1/1"

# ---- uprobe: char_iovec, the entries' bytes concatenated ------------------------
HOOKSECT=uprobes
HOOKHDR() {
	printf '  - path: "%s"\n    symbols:\n    - "trigger_iov_target"\n' "$TR"
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "char_iovec"\n'
	printf '      sizeArgIndex: 2\n    - index: 1\n      type: "int"\n'
}
HU=$(printf '%s' "$X-U-needle-in-haystack" | base64 -w0)
cat >"$T/cases" <<EOF
up-sub|+|0:SubString=needle-in-hay|"bytes_arg":"$HU"
up-sub-no|-|0:SubString=needle-in-hat
up-icase|+|0:SubStringIgnCase=$X-u-NEEDLE|"bytes_arg":"$HU"
up-icase-no|-|0:SubStringIgnCase=$X-u-NEEDLES
EOF
run_cases "$T/cases" subu 10 "$TR iovprobe $X-U-need le-in-hay stack"
is "uprobe: the round loaded" "$nload/$nround" "1/1"

# ---- matchReturnArgs on the path of the descriptor openat returned -------------
: >"$T/$X-ret-yes"
: >"$T/$X-ret-no"
pol sub-ret <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    return: true
    args:
    - index: 1
      type: "string"
    returnArg:
      index: 0
      type: "fd"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$T/"
      matchReturnArgs:
      - index: 0
        operator: "SubStringIgnCase"
        values:
        - "$X-RET-YES"
EOF
if addok "$P/sub-ret.yaml"; then
	"$TR" openat "$T/$X-ret-no" 0 >/dev/null
	"$TR" openat "$T/$X-ret-yes" 0 >/dev/null
	if wait_rows sub-ret "ret-yes"; then
		sleep 1
		is "matchReturnArgs SubStringIgnCase on the returned fd's path: that open stored, the other not" \
		    "$(q "SELECT group_concat(json_extract(return_value, '\$.file_arg.path'), '|') FROM events WHERE policy_name='sub-ret'")" \
		    "$T/$X-ret-yes"
	else not_ok "matchReturnArgs SubStringIgnCase: no row"; fi
else not_ok "matchReturnArgs SubStringIgnCase: policy refused"; fi
del sub-ret

finish
