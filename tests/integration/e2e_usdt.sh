#!/bin/sh
# End to end: usdts hooks (SystemTap SDT probes) on the probes of
# tests/integration/usdtprobe, attached with libbpf's USDT support: the
# probe's arguments as the site describes them (a string pointer, an int,
# a long), matchArgs on them (a matching and a non-matching hit; the hook
# ran, counted by `policy list`), Sigkill, a probe behind a semaphore
# (fires only while attached), the process_usdt row and JSON line
# (Tetragon's fields), and what loaderd refuses with its reason: a probe
# the binary does not have, an argument the probe does not have, a
# string on an integer argument.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env usdt
JS=$S/events.jsonl
U=$(readlink -f "$B/tests/integration/usdtprobe")
X=tl$$

plan 13

# hits POLICY: "hits H matched M" of the policy's first hook
hits() {
	"$CTL" -S "$S" policy list 2>&1 | awk -v pn="$1" '
	    /^[^ ]/ { p = ($1 == pn) }
	    p && /^    hits / { print "hits", $2, "matched", $4; exit }'
}
jlines() { grep -F "\"policy_name\":\"$1\"" "$JS" 2>/dev/null | grep -F -- "$2"; }
jl_exists() { [ -n "$(jlines "$1" "$2")" ]; }

# upol NAME PROBE <<EOF (args and selectors): a usdts hook on tl:PROBE
upol() {
	{
		printf '  usdts:\n  - path: "%s"\n    provider: "tl"\n' "$U"
		printf '    name: "%s"\n    message: "usdt %s"\n' "$2" "$1"
		printf '    tags: ["usdt"]\n'
		cat
	} | pol "$1"
}

start_loaderd usdtnode

# ---- matchArgs on a string argument ------------------------------------------------
upol u-str hit <<EOF
    args:
    - index: 0
      type: "string"
    - index: 1
      type: "int"
    - index: 2
      type: "int64"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$X-yes"
EOF
if addok "$P/u-str.yaml"; then
	"$U" hit "$X-no" 5 >/dev/null
	"$U" hit "$X-yes-1" 7 >/dev/null
	if wait_rows u-str "$X-yes-1"; then
		sleep 1
		is "usdt string Prefix: the matching hit stored with the probe's three arguments, the other not" \
		    "$(q "SELECT group_concat(type || ' ' || function_name || ' ' || args, '|') FROM events WHERE policy_name='u-str'")" \
		    "process_usdt tl:hit [{\"string_arg\":\"$X-yes-1\"},{\"int_arg\":7},{\"long_arg\":\"14\"}]"
		is "usdt string Prefix: both hits ran the hook, one matched" "$(hits u-str)" "hits 2 matched 1"
		wait_for 10 jl_exists u-str "$X-yes-1"
		like "process_usdt JSON line: path, provider, name, policy, message, args, tags, action" \
		    "$(jlines u-str "$X-yes-1" | head -1)" \
		    "^\\{\"process_usdt\":\\{\"process\":\\{.*\"binary\":\"$U\".*\\},\"parent\":\\{.*\\},\"path\":\"$U\",\"provider\":\"tl\",\"name\":\"hit\",\"policy_name\":\"u-str\",\"message\":\"usdt u-str\",\"args\":\\[\\{\"string_arg\":\"$X-yes-1\"\\},\\{\"int_arg\":7\\},\\{\"long_arg\":\"14\"\\}\\],\"tags\":\\[\"usdt\"\\],\"action\":\"KPROBE_ACTION_POST\"\\}"
	else
		not_ok "usdt string Prefix: no row"; diag "$(hits u-str)"
		not_ok "usdt hits"; not_ok "process_usdt JSON line"
	fi
else n=3; while [ $n -gt 0 ]; do not_ok "usdt string policy refused"; n=$((n - 1)); done; fi
del u-str

# ---- an integer argument, Sigkill -----------------------------------------------
upol u-kill hit <<EOF
    args:
    - index: 0
      type: "string"
    - index: 1
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "$X-k"
      - index: 1
        operator: "Equal"
        values:
        - "9"
      matchActions:
      - action: Sigkill
EOF
if addok "$P/u-kill.yaml"; then
	"$U" hit "$X-k" 9 >/dev/null 2>&1
	is "usdt int Equal 9 + Sigkill: the probe's caller dies by SIGKILL" "$?" 137
	out=$("$U" hit "$X-k" 10 2>&1)
	is "usdt int Equal 9: the call with 10 goes on" "$? $out" "0 fired"
	wait_rows u-kill "\"int_arg\":9"
	is "usdt Sigkill: the row says so, only for 9" \
	    "$(q "SELECT group_concat(action || ' ' || args, '|') FROM events WHERE policy_name='u-kill'")" \
	    "KPROBE_ACTION_SIGKILL [{\"string_arg\":\"$X-k\"},{\"int_arg\":9}]"
else n=3; while [ $n -gt 0 ]; do not_ok "usdt Sigkill policy refused"; n=$((n - 1)); done; fi
del u-kill

# ---- a probe behind a semaphore ---------------------------------------------------
is "semaphore probe: not fired while no tracer is attached" "$("$U" sem "$X-s0")" "sem=0"
upol u-sem sem <<EOF
    args:
    - index: 0
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "SubString"
        values:
        - "$X-s"
EOF
if addok "$P/u-sem.yaml"; then
	is "semaphore probe: fired while the policy is attached (libbpf bumps the semaphore)" \
	    "$("$U" sem "$X-s1")" "fired"
	if wait_rows u-sem "$X-s1"; then
		is "semaphore probe: the hit stored" \
		    "$(q "SELECT args FROM events WHERE policy_name='u-sem'")" "[{\"string_arg\":\"$X-s1\"}]"
	else not_ok "semaphore probe: no row"; fi
else not_ok "semaphore policy refused"; not_ok "semaphore probe: no row"; fi
del u-sem
is "semaphore probe: not fired once the policy is deleted" "$("$U" sem "$X-s2")" "sem=0"

# ---- refused ----------------------------------------------------------------------
upol u-nope nope <<EOF
    args:
    - index: 0
      type: "string"
EOF
refused "usdt: a probe the binary does not have refused" "$P/u-nope.yaml" \
    "has no USDT probe tl:nope"
upol u-idx hit <<EOF
    args:
    - index: 3
      type: "int"
EOF
refused "usdt: an argument the probe does not have refused at its line" "$P/u-idx.yaml" \
    "u-idx.yaml:13:7: .*index 3: probe tl:hit has 3 arguments"
upol u-type hit <<EOF
    args:
    - index: 1
      type: "string"
EOF
refused "usdt: string on an int argument refused, saying why" "$P/u-type.yaml" \
    "u-type.yaml:13:7: .*type string: argument 1 of probe tl:hit is not a pointer \\(4 bytes\\)"

finish
