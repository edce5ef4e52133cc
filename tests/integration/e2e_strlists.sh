#!/bin/sh
# Long value lists: Equal, NotEqual, Prefix, NotPrefix, Postfix and
# NotPostfix with 3 string values (compared inline), with 9 and with
# 1000 (held in the string maps, one lookup), and integer Equal/NotEqual with 9 values (the InMap hash).
# Each list is generated here; real symlinkat calls hit its first, a
# middle and its last value, and near misses (one character off, a prefix
# one byte short, another suffix) must not match; asserted on the rows of
# events.db and the hook's counters.  Then Tetragon's harmless extras.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env strlists
M=$T/m
mkdir -p "$M"
LNK=$M/link

# the symlinkat hook of policy $1, its selector's matchArgs read on stdin
sl_pol() {
	{
		cat <<EOF
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    args:
    - index: 0
      type: "string"
    - index: 1
      type: "int"
    selectors:
    - matchArgs:
EOF
		cat
	} | pol "$1"
}
# values FMT N: an operator's values, FMT with %d = 1..N
values() {
	printf '      - index: 0\n        operator: "%s"\n        values:\n' "$OP"
	i=1
	while [ "$i" -le "$2" ]; do
		printf "        - \"$1\"\n" "$i"
		i=$((i + 1))
	done
}
sl() { "$TR" symlinkat "$1" "$LNK" >/dev/null 2>&1; }
# hookstat FIELD: the counter of the policy's only hook
hookstat() {
	"$CTL" -S "$S" policy list --json >"$T/pl.json" 2>/dev/null
	sqlite3 :memory: "SELECT json_extract(value, '\$.hooks[0].$2') FROM json_each(CAST(readfile('$T/pl.json') AS TEXT), '\$.policies') WHERE json_extract(value, '\$.name') = '$1';"
}
addok() { add "$1" || { diag "policy add $1: $(tr '\n' ' ' < "$T/add.out")"; return 1; }; }
stored() { q "SELECT count(*) FROM events WHERE policy_name='$1' AND args LIKE '%\"$2\"%'"; }

# check NAME N YES... -- NO...: the subjects YES are stored (one row
# each), NO not; then the policy is deleted
check() {
	_n=$1 _N=$2
	shift 2
	if ! add "$P/$_n.yaml"; then
		not_ok "$_n: $_N values load"
		diag "$(tr '\n' ' ' < "$T/add.out")"
		return
	fi
	ok "$_n: $_N values load"
	_yes='' _no='' _side=yes _last=''
	for s in "$@"; do
		if [ "$s" = -- ]; then _side=no; continue; fi
		sl "$s"
		if [ $_side = yes ]; then _yes="$_yes $s"; _last=$s; else _no="$_no $s"; fi
	done
	# the misses were made before the last hit: once it is stored, they
	# would be too
	sl "$_last"
	# both rows of the last hit (the first alone would not wait for the
	# second one's batch)
	wait_for 10 row_exists "SELECT 1 FROM (SELECT count(*) AS n FROM events\
 WHERE policy_name='$_n' AND args LIKE '%\"$_last\"%') WHERE n >= 2" \
	    >/dev/null
	for s in $_yes; do
		_want=1; [ "$s" = "$_last" ] && _want=2
		is "$_n: $s stored" "$(stored "$_n" "$s")" "$_want"
	done
	for s in $_no; do
		is "$_n: $s not stored" "$(stored "$_n" "$s")" 0
	done
	_ny=$(($(echo $_yes | wc -w) + 1))
	is "$_n: matched counter" "$(hookstat "$_n" matched)" "$_ny"
	del "$_n"
}

start_loaderd strlists

for N in 3 9 1000; do
	mid=$(((N + 1) / 2))
	OP=Equal
	values "/tl-e/f%d-end" $N | sl_pol "eq$N"
	check "eq$N" $N /tl-e/f1-end /tl-e/f$mid-end /tl-e/f$N-end -- \
	    /tl-e/f1-enx /tl-e/f$mid-en /tl-e/f$N-end/ /tl-e/f$((N + 1))-end

	OP=Prefix
	{ values "/tl-p/d%d/" $N; printf '        - "/tl-p/whole\\0"\n'; } |
	    sl_pol "pfx$N"
	check "pfx$N" $N /tl-p/d1/x /tl-p/d$mid/ /tl-p/d$N/a/b /tl-p/whole -- \
	    /tl-p/d1 /tl-p/d$mid /tl-p/d$N /tl-p/e1/x /tl-p/wholex /tl-p/d$((N + 1))/x

	OP=Postfix
	values "-s%d.cfg" $N | sl_pol "sfx$N"
	check "sfx$N" $N /tl-x/a-s1.cfg /tl-x/b-s$mid.cfg x-s$N.cfg -- \
	    /tl-x/a-s1.cfx /tl-x/a-s1.cf /tl-x/as$mid.cfg /tl-x/a-s$((N + 1)).cfg

	# negative operators: the rows come from the subjects no value
	# matches (a second entry keeps the test's own subjects)
	neg_tail='      - index: 0
        operator: "Prefix"
        values:
        - "/tl-n/"'
	OP=NotEqual
	{ values "/tl-n/f%d-end" $N; echo "$neg_tail"; } | sl_pol "neq$N"
	check "neq$N" $N /tl-n/f1-enx /tl-n/f$mid-en -- \
	    /tl-n/f1-end /tl-n/f$mid-end /tl-n/f$N-end

	OP=NotPrefix
	{ values "/tl-n/d%d/" $N; echo "$neg_tail"; } | sl_pol "npfx$N"
	check "npfx$N" $N /tl-n/d1 /tl-n/d$mid /tl-n/e1/x -- \
	    /tl-n/d1/x /tl-n/d$mid/y /tl-n/d$N/

	OP=NotPostfix
	{ values "-s%d.cfg" $N; echo "$neg_tail"; } | sl_pol "nsfx$N"
	check "nsfx$N" $N /tl-n/a-s1.cfx /tl-n/as$mid.cfg -- \
	    /tl-n/a-s1.cfg /tl-n/b-s$mid.cfg /tl-n/c-s$N.cfg
done

# integer Equal / NotEqual with 9 values on symlinkat's newdirfd
# (AT_FDCWD = -100 in the trigger)
int_pol() { # NAME OP LIST-CONTAINS-(-100)
	{
		printf '      - index: 0\n        operator: "Prefix"\n        values:\n        - "/tl-i/%s/"\n' "$1"
		printf '      - index: 1\n        operator: "%s"\n        values:\n' "$2"
		for v in 1 2 3 4 5 6 7 8; do printf '        - "%s"\n' "$v"; done
		[ "$3" = yes ] && printf '        - "-100"\n' || printf '        - "-99"\n'
	} | sl_pol "$1"
}
int_pol ieq-in Equal yes
check ieq-in 9 /tl-i/ieq-in/a --
int_pol ineq-out NotEqual no
check ineq-out 9 /tl-i/ineq-out/a --
# the misses: one policy each, and a hit of a policy that matches proves
# they were seen
int_pol ieq-out Equal no
int_pol ineq-in NotEqual yes
if add "$P/ieq-out.yaml" && add "$P/ineq-in.yaml"; then
	sl /tl-i/ieq-out/a
	sl /tl-i/ineq-in/a
	sl /tl-i/ieq-in/b
	int_pol ieq-in Equal yes
	add "$P/ieq-in.yaml"
	sl /tl-i/ieq-in/c
	wait_rows ieq-in '"/tl-i/ieq-in/c"' >/dev/null
	is "integer Equal, 9 values, -100 not among them: no row" "$(stored ieq-out /tl-i/ieq-out/a)" 0
	is "integer NotEqual, 9 values, -100 among them: no row" "$(stored ineq-in /tl-i/ineq-in/a)" 0
	is "integer Equal (9 values): matched counter of the miss" "$(hookstat ieq-out matched)" 0
	like "integer Equal (9 values): the hook ran" "$(hookstat ieq-out hits)" '^[1-9]'
	del ieq-in
else
	not_ok "integer lists load: $(tr '\n' ' ' < "$T/add.out")"
fi
del ieq-out
del ineq-in

# refusals
OP=Mask
values "%d" 5 | sed 's/index: 0/index: 1/' | sl_pol mask5
add "$P/mask5.yaml"
like "Mask with 5 values: refused with the limit" "$(cat "$T/add.out")" \
    'mask5.yaml:[0-9]+:[0-9]+: values: 5 entries; at most 4 \(POL_MAX_VALUES\)'
long=$(printf '%0253d' 0)
OP=Prefix
{ values "/tl-l/%d/" 4; printf '        - "/%s"\n' "$long"; } | sl_pol long5
add "$P/long5.yaml"
like "Prefix list of 5 with a 254-byte value: refused at the value" "$(cat "$T/add.out")" \
    'long5.yaml:[0-9]+:[0-9]+: Prefix value: 254 bytes; a list of more than 4 values is matched in an LPM trie whose keys hold at most 252 bytes'
{ values "/tl-l/%d/" 3; printf '        - "/%s"\n' "$long"; } | sl_pol long4
add "$P/long4.yaml"
like "Prefix list of 4 with a 254-byte value: loads (compared inline)" "$(cat "$T/add.out")" 'loaded'
del long4

# Tetragon's harmless extras: a list name with '-', argError on Sigkill
# (a note: no effect); the Sigkill still kills, and only on a match
cat <<EOF | pol extras
  lists:
  - name: "sym-calls"
    type: "syscalls"
    values:
    - "sys_symlinkat"
  kprobes:
  - call: "list:sym-calls"
    syscall: true
    args:
    - index: 0
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "/tl-k/"
      matchActions:
      - action: Sigkill
        argError: -1
EOF
"$CTL" policy lint "$P/extras.yaml" >"$T/lint.out" 2>&1
like "extras: lint notes argError" "$(cat "$T/lint.out")" \
    'extras.yaml:[0-9]+:[0-9]+: note: argError has no effect on action Sigkill'
if addok "$P/extras.yaml"; then
	"$TR" symlinkat /tl-k/x "$LNK" >/dev/null 2>&1
	is "extras: Sigkill with argError kills the matching call" "$?" 137
	"$TR" symlinkat /tl-j/x "$LNK" >/dev/null 2>&1
	is "extras: and not the other one" "$?" 0
	del extras
else
	not_ok "extras: loads"
fi

kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" "0"
echo "1..$_tap_n"
finish
