#!/bin/sh
# triplinectl tail --json, following, without a daemon (the test writes
# STATE/events.jsonl itself): the last lines at start, lines appended
# later, a file rotated away (its lines not yet read, then the new file
# from its start), a file truncated in place (copytruncate: from its start
# again); every line printed once.
. "$top_srcdir/tests/lib/testlib.sh"
CTL=$top_builddir/triplinectl
T=$(mktemp -d /tmp/tripline-tailjson.XXXXXX)
S=$T/state
J=$S/events.jsonl
TPID=''
mkdir -p "$S"
trap '[ -n "$TPID" ] && kill "$TPID" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

plan 6

line() { printf '{"n":%s}\n' "$1"; }
has() {
	for _n in "$@"; do grep -qx "{\"n\":$_n}" "$T/out" || return 1; done
}
line 0 >"$J"
line 1 >>"$J"
"$CTL" -S "$S" tail --json -n 1 >"$T/out" 2>"$T/err" &
TPID=$!
check "the last line at start" wait_for 10 has 1
line 2 >>"$J"
check "a line appended later" wait_for 10 has 2
# rotated: a line the follower may not have read yet, the rename, a new file
line 3 >>"$J"
mv "$J" "$J.1"
line 4 >"$J"
check "rotated: the old file's last line, then the new file's" wait_for 10 has 3 4
line 5 >>"$J"
check "the new file is followed" wait_for 10 has 5
# truncated in place, then a line shorter than what was read
: >"$J"
line 6 >>"$J"
check "truncated: read again from its start" wait_for 10 has 6
kill "$TPID"
wait "$TPID" 2>/dev/null
TPID=''
is "every line once, in order, nothing else" "$(tr -d '\n' <"$T/out")" \
    '{"n":1}{"n":2}{"n":3}{"n":4}{"n":5}{"n":6}'
[ -s "$T/err" ] && diag "stderr: $(cat "$T/err")"
finish
