#!/bin/sh
# End to end: a string argument the BPF program cannot read at sys_enter
# (a page the caller never touched: BPF does not fault pages in) is read
# again at sys_exit, where the kernel has faulted it in; the selectors are
# evaluated there and Sigkill/Post carried out, the event marked late.  An
# argument still unreadable at sys_exit follows the policy's
# unreadable-args option (fail-closed by default).
# tests/integration/unreadarg makes the calls (see there).
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env unread
U=$(readlink -f "$B/tests/integration/unreadarg")
M=$T/m
mkdir -p "$M"
J=$S/events.jsonl
POL=sys-symlink-passwd

# run unreadarg and report how it ended: "exit N" or "signal N"
run() { "$U" "$@" >/dev/null 2>&1; rc=$?; [ $rc -gt 128 ] && echo "signal $((rc - 128))" || echo "exit $rc"; }
# late flag of the row of policy $1 whose args contain $2
late() { q "SELECT late FROM events WHERE policy_name='$1' AND args LIKE '%$2%'"; }
# late_is DESC LINK WANT: the late flag of the row of $POL for LINK
late_is() {
	if wait_rows $POL "$2"; then is "$1" "$(late $POL "$2")" "$3"; else not_ok "$1"; fi
}
# sym_pol NAME INDEX VALUE: the shipped example as policy NAME, its
# matchArgs on argument INDEX Postfix VALUE, the lines on stdin added to
# spec (options)
sym_pol() {
	_o=$(cat)
	awk -v n="$1" -v i="$2" -v v="$3" -v o="$_o" '
	    /^  name:/ { print "  name: \"" n "\""; next }
	    /^      - index:/ { print "      - index: " i; next }
	    /^        - "passwd/ { print "        - \"" v "\\0\""; next }
	    { print }
	    /^spec:/ && o != "" { print o }' \
	    "$top_srcdir/policies/examples/symlink-passwd-kill.yaml" >"$P/$1.yaml"
}

plan 29

start_loaderd unreadnode
check "the shipped symlink-passwd-kill example loads" \
    add "$top_srcdir/policies/examples/symlink-passwd-kill.yaml"

# ---- found late: readable at sys_exit --------------------------------------
is "literal in untouched read-only data: killed" \
    "$(run rodata "$M/l-rodata")" "signal 9"
if wait_rows $POL l-rodata; then
	is "literal in untouched read-only data: row stored, marked late" \
	    "$(late $POL l-rodata) $(q "SELECT action FROM events WHERE policy_name='$POL' AND args LIKE '%l-rodata%'")" \
	    "1 KPROBE_ACTION_SIGKILL"
else
	not_ok "literal in untouched read-only data: row stored, marked late"
fi
like "late event: the argument as read at sys_exit" \
    "$(q "SELECT args FROM events WHERE policy_name='$POL' AND args LIKE '%l-rodata%'")" \
    '"string_arg":"/nonexistent/passwd"'
like "late event in the JSON export: \"late\":true" \
    "$(grep '"process_kprobe"' "$J" | grep 'l-rodata' | head -1)" '"late":true'

is "path in a fresh file mapping, never touched: killed" \
    "$(run mmap /nonexistent/passwd "$M/l-mmap")" "signal 9"
late_is "fresh file mapping: row stored, marked late" l-mmap 1

# ---- readable at sys_enter: decided there, not late -----------------------
is "the same path on the stack: killed" \
    "$(run stack /nonexistent/passwd "$M/l-stack")" "signal 9"
late_is "readable at sys_enter: row not marked late" l-stack 0
unlike_json=$(grep '"process_kprobe"' "$J" | grep 'l-stack' | head -1)
case $unlike_json in
*'"late"'*) not_ok "not late: no late member in the JSON" ;;
'') not_ok "not late: no late member in the JSON (no line)" ;;
*) ok "not late: no late member in the JSON" ;;
esac

# ---- negative: not matching, late or not ------------------------------------
is "another literal in untouched read-only data: not killed" \
    "$(run rodata-other "$M/l-other")" "exit 0"
is "... and the link was made" "$(readlink "$M/l-other")" "/nonexistent/shadow"
is "another path in a fresh mapping: not killed" \
    "$(run mmap /nonexistent/group "$M/l-mgroup")" "exit 0"
# a later hit proves the collector got past both calls
run stack /nonexistent/passwd "$M/l-marker" >/dev/null
wait_rows $POL l-marker
is "no rows for the calls that did not match" \
    "$(nrows $POL l-other) $(nrows $POL l-mgroup)" "0 0"

# ---- unreadable at sys_exit too ------------------------------------------------
is "pointer the kernel cannot read either (EFAULT): not killed" \
    "$(run efault "$M/l-efault")" "exit 0"
if wait_rows $POL l-efault; then
	like "EFAULT: still an event, late, argument unreadable, Post only" \
	    "$(q "SELECT late, action, args FROM events WHERE policy_name='$POL' AND args LIKE '%l-efault%'")" \
	    '^1|KPROBE_ACTION_POST|\[{"error_arg":{"Message":"could not read string argument: user memory not readable'
else
	not_ok "EFAULT: still an event, late, argument unreadable, Post only"
fi
"$CTL" -S "$S" policy delete $POL >/dev/null

# which argument of symlinkat does this kernel copy first?  That one is
# gone again at sys_exit in unreadarg's uffd mode.
"$U" uffd /nonexistent/x "$M/probe-link" 2>"$T/uffd.err" >/dev/null
if grep -q 'copied TARGET first' "$T/uffd.err"; then IDX=0 V=uffd-passwd; else IDX=2 V=uffd-link; fi
diag "symlinkat argument copied first: index $IDX"
sym_pol uf-closed $IDX $V </dev/null
check "fail-closed (default) policy added" add "$P/uf-closed.yaml"
is "fail-closed: argument the kernel copied, gone at sys_exit: killed" \
    "$(run uffd "/nonexistent/c-uffd-passwd" "$M/c-uffd-link")" "signal 9"
if wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='uf-closed'"; then
	like "fail-closed: late event with the argument unreadable, Sigkill" \
	    "$(q "SELECT late, action, args FROM events WHERE policy_name='uf-closed'")" \
	    '^1|KPROBE_ACTION_SIGKILL|.*"error_arg":{"Message":"could not read string argument: user memory not readable'
else
	not_ok "fail-closed: late event with the argument unreadable, Sigkill"
fi
del uf-closed

sym_pol uf-open $IDX $V <<'EOF'
  options:
  - name: unreadable-args
    value: fail-open
EOF
check "fail-open policy added" add "$P/uf-open.yaml"
is "fail-open: argument gone at sys_exit: not killed" \
    "$(run uffd "/nonexistent/o-uffd-passwd" "$M/o-uffd-link")" "exit 0"
if wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='uf-open'"; then
	is "fail-open: still an event, late, Post only" \
	    "$(q "SELECT late, action FROM events WHERE policy_name='uf-open'")" \
	    "1|KPROBE_ACTION_POST"
else
	not_ok "fail-open: still an event, late, Post only"
fi
del uf-open

# ---- a string that ends at the end of its page ------------------------------
# (the read of only the bytes a value compares, a few words: the words
# past the string's NUL run into a PROT_NONE page, and the decision must
# still be the one on the whole string)
cat >"$P/pe.yaml" <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "pe"
spec:
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    args:
    - index: 0
      type: "string"
    - index: 1
      type: "int"
    - index: 2
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "/nonexistent/pe-equal-value"
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "/nonexistent/pe-prefix-value/"
EOF
check "page-end policy added" add "$P/pe.yaml"
for c in "eq-hit /nonexistent/pe-equal-value" \
    "eq-miss /nonexistent/pe-equal-valuf" "eq-short /x" \
    "pf-hit /nonexistent/pe-prefix-value/x" \
    "pf-miss /nonexistent/pe-prefix-valuf/x"; do
	set -- $c
	"$U" pageend "$2" "$M/pe-$1" >/dev/null 2>&1
done
"$U" stack /nonexistent/pe-equal-value "$M/pe-marker" >/dev/null 2>&1
wait_rows pe pe-marker
is "string at a page's end: Equal matches" "$(nrows pe pe-eq-hit)" 1
is "string at a page's end: Prefix matches" "$(nrows pe pe-pf-hit)" 1
is "string at a page's end: no row for the calls that do not match" \
    "$(nrows pe pe-eq-miss) $(nrows pe pe-eq-short) $(nrows pe pe-pf-miss)" \
    "0 0 0"
is "string at a page's end: decided at sys_enter (not late)" \
    "$(q "SELECT group_concat(late) FROM events WHERE policy_name='pe' AND args LIKE '%-hit%'")" \
    "0,0"
like "string at a page's end: the argument as the kernel has it" \
    "$(q "SELECT args FROM events WHERE policy_name='pe' AND args LIKE '%pe-eq-hit%'")" \
    '"string_arg":"/nonexistent/pe-equal-value"'
del pe

# ---- the option's values ------------------------------------------------------
sym_pol uf-bad 0 x <<'EOF'
  options:
  - name: unreadable-args
    value: maybe
EOF
out=$("$CTL" policy lint "$P/uf-bad.yaml" 2>&1)
like "unreadable-args: a bad value is refused with file:line:col" "$out" \
    "uf-bad.yaml:12:12: .*fail-closed or fail-open"

finish
