#!/bin/sh
# Reload (SIGHUP, `triplinectl reload`): the start-up policies (a vendor
# directory, STATE/policies.d, a -p file) and the alerts file read again
# and swapped in while loaderd runs.  An unchanged policy keeps its hook
# and counters; a changed one is enforced across the swap (a Sigkill
# policy whose trigger loop runs through several reloads: every run must
# die, so any moment without the policy fails the test); a deleted file's
# policy goes, a new file's comes; a file that does not parse keeps its
# running version and is reported with file:line:col (log, status, the
# exit status of `triplinectl reload`).  The alerts file: a new receiver
# gets the next alert, a broken file keeps the running routes.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
alerts_test_env reload reloadnode
# the vendor directory is P (testlib.sh's policy directory)

# kill_pol NAME [PREFIX...]: $P/NAME.yaml, Sigkill of an openat whose path
# starts with $M/NAME- or one of the PREFIXes
kill_pol() {
	_n=$1
	shift
	{
		for _v in "$@"; do printf '        - "%s"\n' "$_v"; done
		printf '      matchActions:\n      - action: Sigkill\n'
	} | sel_pol "$_n"
}
# killed PATH: "yes" if openat(PATH) by trigger dies by SIGKILL, else "no"
killed() {
	"$TR" openat "$1" 0 >/dev/null 2>&1
	[ $? -eq 137 ] && echo yes || echo no
}
# hook NAME: "id gen" of the policy's first hook, "none" if not loaded;
# matched NAME: its matched counter
hookq() {
	"$CTL" -S "$S" policy list --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
p = [p for p in d["policies"] if p["name"] == sys.argv[1]]
h = p[0]["hooks"][0] if p else None
print("none" if h is None else sys.argv[2] % h)' "$1" "$2"
}
hook() { hookq "$1" '%(id)d %(gen)d'; }
matched() { hookq "$1" '%(matched)d'; }
reload() { "$CTL" -S "$S" reload >"$T/reload.out" 2>&1; }
# last_reload: "TRIGGER TIME" of the last reload, "none" before the first
last_reload() { "$CTL" -S "$S" status --json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["last_reload"]
print("none" if r is None else "%s %s" % (r["trigger"], r["time"]))'; }

plan 39

# ---- start-up set --------------------------------------------------------------
kill_pol keep
kill_pol chg "$M/chgold-"
kill_pol gone
kill_pol brk
mv "$P/brk.yaml" "$T/brk.yaml"
# a Post policy for the alerts
sel_pol al </dev/null
mv "$P/al.yaml" "$T/al.yaml"

http_sink_start web || { echo "Bail out! http sink"; exit 99; }
W=http://127.0.0.1:$(sink_port web)
# alerts_file RECEIVER: one webhook receiver $W/RECEIVER, routed policy al
alerts_file() {
	cat > "$A.tmp" <<EOF
defaults:
  retry: {initial: 1s, max: 2s, max_age: 1h}
receivers:
  - name: $1
    webhook: {url: "$W/$1"}
routes:
  - name: r-al
    match: {policy: [al]}
    receivers: [$1]
EOF
	chmod 600 "$A.tmp"
	mv "$A.tmp" "$A"
}
A=$T/alerts.yaml
alerts_file hook-a

alerts_loaderd_start -V "$P" -p "$T/brk.yaml"
"$CTL" -S "$S" policy add "$T/al.yaml" >/dev/null 2>&1
is "start-up set: vendor directory, -p file, policies.d" \
    "$("$CTL" -S "$S" policy list --json | "$PY" -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(sys.stdin)["policies"])))')" \
    "al brk chg gone keep"
is "before: chgold killed, chgnew not" "$(killed "$M/chgold-1") $(killed "$M/chgnew-1")" "yes no"
is "before: gone killed, new not" "$(killed "$M/gone-1") $(killed "$M/new-1")" "yes no"
is "before: status shows no reload yet" "$(last_reload)" "none"
"$TR" openat "$M/al-1" 0 >/dev/null
check "before: an alert reaches hook-a" wait_records web 1 '"path": "/hook-a"' 30

# ---- trigger loops running through every reload -----------------------------------
# loop NAME: openat $M/NAME-lN by trigger until $T/stop exists; one line
# per run with its exit status in $T/NAME.runs
loop() {
	_i=0
	while [ ! -e "$T/stop" ]; do
		_i=$((_i + 1))
		"$TR" openat "$M/$1-l$_i" 0 >/dev/null 2>&1
		echo $? >> "$T/$1.runs"
	done
	echo done >> "$T/$1.runs"
}
runs() { [ -f "$T/$1.runs" ] && wc -l < "$T/$1.runs" || echo 0; }
at_least() { [ "$(runs "$1")" -ge "$2" ]; }
loop keep & KIDS="$KIDS $!"
loop chg & KIDS="$KIDS $!"
wait_for 30 at_least keep 20
wait_for 30 at_least chg 20
KEEP_HOOK=$(hook keep)
CHG_HOOK=$(hook chg)
AL_HOOK=$(hook al)

# ---- SIGHUP: one file changed, one added, one deleted, one broken, alerts -----------
kill_pol chg "$M/chgnew-"
kill_pol new
rm "$P/gone.yaml"
# line 8, column 5: an unknown key
kill_pol brk
sed '8i\    bogus: 1' "$P/brk.yaml" > "$T/brk.yaml"
rm "$P/brk.yaml"
alerts_file hook-b
kill -HUP "$LPID"
check "SIGHUP: the reload is done (status)" \
    wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q '^last reload .*(SIGHUP): failed'"

is "unchanged policy: same hook (id, generation)" "$(hook keep)" "$KEEP_HOOK"
is "policies.d policy unchanged: same hook" "$(hook al)" "$AL_HOOK"
if [ "$(hook chg)" != "$CHG_HOOK" ] && [ "$(hook chg)" != none ]; then
	ok "changed policy: a new hook"; else not_ok "changed policy: a new hook"; fi
is "changed policy: new value enforced, removed value not" \
    "$(killed "$M/chgnew-2") $(killed "$M/chgold-2")" "yes no"
is "changed policy: unchanged value still enforced" "$(killed "$M/chg-2")" "yes"
is "deleted file: policy gone" "$(hook gone)" "none"
is "deleted file: no longer enforced" "$(killed "$M/gone-2")" "no"
is "new file: policy added and enforced" "$(killed "$M/new-2")" "yes"
is "broken file: the running version is enforced" "$(killed "$M/brk-2")" "yes"
like "broken file: log names file:line:col" "$(cat "$T/loaderd.log")" \
    "reload: $T/brk.yaml:8:5: .*bogus"
ST=$("$CTL" -S "$S" status)
like "broken file: status shows file:line:col" "$ST" "error: $T/brk.yaml:8:5: .*bogus"
like "status: what the reload did" "$ST" \
    "policies: 2 unchanged, 1 kept \\(its file failed\\), 1 replaced, 1 added, 1 deleted"
is "status --json: last reload result" \
    "$("$CTL" -S "$S" status --json | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["last_reload"]; print(r["result"], r["policies"]["replaced"], len(r["errors"]))')" \
    "failed 1 1"

# ---- the alerts file: the new receiver ----------------------------------------------
like "status: the new alerts file" "$ST" "alerts: reloaded: 1 receivers, 1 routes"
check "notifierd runs again" wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'notifierd  *running'"
like "notifierd was restarted for it, not counted as a crash" \
    "$("$CTL" -S "$S" status | grep 'notifierd  *running')" "restarts 0"
N_A=$(sink_count web '"path": "/hook-a"')
"$TR" openat "$M/al-2" 0 >/dev/null
check "new alerts file: the next alert reaches hook-b" \
    wait_records web 1 '"path": "/hook-b"' 30
is "... and not hook-a" "$(sink_count web '"path": "/hook-a"')" "$N_A"

# ---- triplinectl reload: still broken -> exit 1 with the error ----------------------
if reload; then not_ok "triplinectl reload with a broken file: exit status 1"
else ok "triplinectl reload with a broken file: exit status 1"; fi
like "triplinectl reload prints file:line:col" "$(cat "$T/reload.out")" \
    "$T/brk.yaml:8:5: .*bogus"
is "a reload that changes nothing: unchanged hooks stay" \
    "$(hook keep) / $(hook al)" "$KEEP_HOOK / $AL_HOOK"

# ---- repaired, then several swaps of the changed policy under the loops --------------
kill_pol brk "$M/brk2-"
mv "$P/brk.yaml" "$T/brk.yaml"
check "fixed file: triplinectl reload exits 0" reload
like "... and says ok" "$(cat "$T/reload.out")" "^reload: ok"
is "fixed file: its new version runs" "$(killed "$M/brk2-1")" "yes"
fails=0
for i in 1 2 3 4 5 6; do
	if [ $((i % 2)) -eq 1 ]; then
		kill_pol chg "$M/chgold-"
	else
		kill_pol chg "$M/chgnew-"
	fi
	n=$(runs chg)
	reload || fails=$((fails + 1))
	# the loops run between two swaps
	wait_for 30 at_least chg $((n + 5))
done
is "six swaps of the changed policy: every reload ok" "$fails" 0
touch "$T/stop"
wait_for 30 sh -c "tail -1 '$T/keep.runs' | grep -q done && tail -1 '$T/chg.runs' | grep -q done"
NK=$(grep -c '^[0-9]' "$T/keep.runs")
NC=$(grep -c '^[0-9]' "$T/chg.runs")
diag "trigger runs: keep $NK, chg $NC"
is "unchanged policy: every run of its loop killed across 9 reloads" \
    "$(grep '^[0-9]' "$T/keep.runs" | sort -u | tr '\n' ' ')" "137 "
is "changed policy: every run of its loop killed across 7 swaps" \
    "$(grep '^[0-9]' "$T/chg.runs" | sort -u | tr '\n' ' ')" "137 "
MK=$(matched keep)
if [ "$MK" -ge "$NK" ]; then ok "unchanged policy: counters continue (matched $MK >= $NK runs)"
else not_ok "unchanged policy: counters continue (matched $MK >= $NK runs)"; fi
is "unchanged policy: still the start-up hook" "$(hook keep)" "$KEEP_HOOK"

# ---- a broken alerts file keeps the running routes ----------------------------------
cat > "$A" <<EOF
receivers:
  - name: hook-c
    webhook: {url: "$W/hook-c"}
routes:
  - name: r-al
    match: {policy: [al]}
    receivers: [nobody]
EOF
if reload; then not_ok "broken alerts file: triplinectl reload exits 1"
else ok "broken alerts file: triplinectl reload exits 1"; fi
like "... naming the file and the error" "$(cat "$T/reload.out")" "$A:[0-9]+:[0-9]+: .*nobody"
like "status: the running alerts configuration stays" "$("$CTL" -S "$S" status)" \
    "alerts: not valid: the running configuration stays"
N_B=$(sink_count web '"path": "/hook-b"')
"$TR" openat "$M/al-3" 0 >/dev/null
check "broken alerts file: the next alert still reaches hook-b" \
    wait_records web $((N_B + 1)) '"path": "/hook-b"' 30

finish
