#!/bin/sh
# End to end: char_iovec arguments.  Real writev/readv calls
# (tests/integration/trigger) and a uprobe on a function taking an iovec
# array: the string operators see the entries' bytes concatenated (an
# entry boundary inside the compared value), the row and the JSON line
# carry them as bytes_arg (truncated_bytes_arg past the 8th entry or the
# capture size); each operator has a case that matches and one that does
# not (the hook ran, its `matched` counter stayed 0, no row), Not
# operators included; returnCopy reads what readv filled; where the
# engine cannot read an iovec array it refuses the policy with the reason.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/netops.sh"
e2e_env iov
JS=$S/events.jsonl

b64() { printf '%s' "$1" | base64 -w0; }
F=$T/out
X=tl$$		# in every value: no other process's data matches

plan 25

start_loaderd iovnode

# ---- writev, kprobe syscall: true --------------------------------------------
HOOKSECT=kprobes
HOOKHDR() {
	printf '  - call: "sys_writev"\n    syscall: true\n'
	printf '    message: "c-%s"\n' "$1"
	printf '    args:\n    - index: 0\n      type: "int"\n'
	printf '    - index: 1\n      type: "char_iovec"\n      sizeArgIndex: 3\n'
	printf '    - index: 2\n      type: "int"\n'
}
# data: "$X-A-hello" (two entries: "$X-A-hel" "lo"), "$X-A-xyz"
HA=$(b64 "$X-A-hello") XA=$(b64 "$X-A-xyz")
# ten entries: the first 8 are read ("$X-T-" and 1..7)
TT=$(b64 "$X-T-1234567")
cat >"$T/cases" <<EOF
pre|+|1:Prefix=$X-A-hell|"bytes_arg":"$HA"
eq|+|1:Equal=$X-A-hello|"bytes_arg":"$HA"
post|+|1:Prefix=$X-A- 1:Postfix=llo|"bytes_arg":"$HA"
notpost|+|1:Prefix=$X-A- 1:NotPostfix=llo|"bytes_arg":"$XA"
pre-no|-|1:Prefix=$X-A-helo
eq-no|-|1:Equal=$X-A-hell,$X-A-hellO,$X-A-xy
noteq-no|-|1:Prefix=$X-A- 1:NotEqual=$X-A-hello,$X-A-xyz
trunc|+|1:Prefix=$X-T-12|"truncated_bytes_arg":{"bytes_arg":"$TT","orig_size":"$((${#X} + 10))"}
EOF
run_cases "$T/cases" iovw 10 "$TR writev $F $X-A-hel lo" "$TR writev $F $X-A-xyz" \
    "$TR writev $F $X-T- 1 2 3 4 5 6 7 8 9"
is "writev: the rounds loaded" "$nload/$nround" "1/1"

# JSON line: the concatenation as bytes_arg between the two ints
jl() { grep -F '"message":"c-eq"' "$JS" 2>/dev/null | grep -F "$HA"; }
jl_exists() { [ -n "$(jl)" ]; }
if wait_for 10 jl_exists; then
	like "writev JSON line: function, args int / bytes_arg / int" "$(jl | head -1)" \
	    "\"function_name\":\"__x64_sys_writev\",\"args\":\\[\\{\"int_arg\":[0-9]+\\},\\{\"bytes_arg\":\"$HA\"\\},\\{\"int_arg\":2\\}\\]"
else not_ok "writev JSON line"; fi

# one entry larger than the capture size: its first 4096 bytes
BIG=$X-B-$(head -c 5000 /dev/zero | tr '\0' A)
BIG4=$(printf '%s' "$BIG" | head -c 4096)
cat >"$T/cases" <<EOF
big|+|1:Prefix=$X-B-AAAA 1:Postfix=AAAA|"truncated_bytes_arg":{"bytes_arg":"$(b64 "$X-B-AAAAAA" | head -c 12)&","orig_size":"$((${#BIG} + 1))"}
big-no|-|1:Prefix=$X-B-AAAB
EOF
bigw() { "$TR" writev "$F" "$BIG" x; }
run_cases "$T/cases" iovb 10 bigw
is "writev, capture size: the bytes are the entry's first 4096" \
    "$(q "SELECT json_extract(args, '\$[1].truncated_bytes_arg.bytes_arg') FROM events WHERE message='c-big'")" \
    "$(b64 "$BIG4")"

# ---- readv, returnCopy: what the call filled ----------------------------------
# (matchArgs cannot look at a returnCopy argument: they are decided at the
# call's entry; the selector takes the process and the entry count)
printf '%s' "$X-R-readvdata" >"$T/in"
HR=$(b64 "$X-R-readvdata")
# rv_pol NAME <<EOF (the selectors): readv, the iovec array with returnCopy
rv_pol() {
	{
		cat <<EOF
  kprobes:
  - call: "sys_readv"
    syscall: true
    args:
    - index: 1
      type: "char_iovec"
      sizeArgIndex: 3
      returnCopy: true
    - index: 2
      type: "int"
    selectors:
EOF
		cat
	} | pol "$1"
}
rv_pol iovr <<EOF
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
      matchArgs:
      - index: 2
        operator: "Equal"
        values:
        - "3"
EOF
if add "$P/iovr.yaml"; then
	# buffers of 6, 4 and 64 bytes: the data spans all three
	"$TR" readv "$T/in" 6 4 64 >/dev/null
	"$TR" readv "$T/in" 64 >/dev/null
	if wait_rows iovr "$HR"; then
		rows=$(q "SELECT group_concat(args, ' ') FROM events WHERE policy_name='iovr'")
		is "readv returnCopy: the bytes readv filled, concatenated" \
		    "$rows" "[{\"bytes_arg\":\"$HR\"},{\"int_arg\":3}]"
	else not_ok "readv returnCopy row"; fi
else not_ok "readv returnCopy policy: $(cat "$T/add.out")"; fi
del iovr
rv_pol r-rc <<EOF
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$X"
EOF
add "$P/r-rc.yaml"
like "matchArgs on a returnCopy argument refused, saying why" \
    "$? $(tr '\n' ' ' < "$T/add.out")" \
    "^[1-9][0-9]* .*r-rc.yaml:19:19: operator Prefix: index 1 is a returnCopy argument, read when the call returns, but matchArgs are decided at its entry"

# ---- syscalls/sys_enter_writev tracepoint ------------------------------------
# iov_args I SIZEARGINDEX N: args char_iovec at index I, int at index N
iov_args() {
	printf '    args:\n    - index: %s\n      type: "char_iovec"\n' "$1"
	printf '      sizeArgIndex: %s\n    - index: %s\n      type: "int"\n' "$2" "$3"
}
HOOKSECT=tracepoints
HOOKHDR() {
	printf '  - subsystem: "syscalls"\n    event: "sys_enter_writev"\n'
	printf '    message: "c-%s"\n' "$1"
	iov_args 6 8 7
}
HP=$(b64 "$X-P-tracepoint")
cat >"$T/cases" <<EOF
tp-pre|+|0:Prefix=$X-P-trace|"bytes_arg":"$HP"
tp-no|-|0:Prefix=$X-P-traces
EOF
run_cases "$T/cases" iovt 10 "$TR writev $F $X-P-tra cepoint"
is "sys_enter_writev: the round loaded" "$nload/$nround" "1/1"

# ---- uprobe on a function taking (const struct iovec *, int) -----------------
HOOKSECT=uprobes
HOOKHDR() {
	printf '  - path: "%s"\n    symbols:\n    - "trigger_iov_target"\n' "$TR"
	printf '    message: "c-%s"\n' "$1"
	iov_args 0 2 1
}
HU=$(b64 "$X-U-ab")
cat >"$T/cases" <<EOF
up-eq|+|0:Equal=$X-U-ab|"bytes_arg":"$HU"
up-no|-|0:Equal=$X-U-ac
up-not|+|0:Prefix=$X-U- 0:NotEqual=$X-U-ac|"bytes_arg":"$HU"
EOF
run_cases "$T/cases" iovu 10 "$TR iovprobe $X-U- ab"
is "uprobe: the round loaded" "$nload/$nround" "1/1"

# ---- refused where no iovec array can be read ---------------------------------
pol r-tp <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    args:
    - index: 5
      type: "char_iovec"
      sizeArgIndex: 7
    - index: 6
      type: "int"
EOF
add "$P/r-tp.yaml"
like "char_iovec on a tracepoint field refused, saying why" \
    "$? $(tr '\n' ' ' < "$T/add.out")" \
    "^[1-9][0-9]* .*r-tp.yaml:10:7: .*type char_iovec on a tracepoint field is not supported by this engine"
pol r-tpsz <<EOF
  tracepoints:
  - subsystem: "sched"
    event: "sched_process_exec"
    args:
    - index: 5
      type: "char_buf"
      sizeArgIndex: 7
    - index: 6
      type: "int"
EOF
add "$P/r-tpsz.yaml"
like "sizeArgIndex on a tracepoint other than sys_enter_* refused, saying why" \
    "$? $(tr '\n' ' ' < "$T/add.out")" \
    "^[1-9][0-9]* .*r-tpsz.yaml:10:7: .*sizeArgIndex on a tracepoint field is only supported on syscalls/sys_enter_\\* tracepoints"
pol r-nosz <<EOF
  kprobes:
  - call: "sys_writev"
    syscall: true
    args:
    - index: 1
      type: "char_iovec"
EOF
add "$P/r-nosz.yaml"
like "char_iovec without sizeArgIndex refused" \
    "$? $(tr '\n' ' ' < "$T/add.out")" \
    "^[1-9][0-9]* .*r-nosz.yaml:11:13: type char_iovec needs sizeArgIndex"

finish
