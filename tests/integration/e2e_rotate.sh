#!/bin/sh
# End to end: rotation of the JSON export.  loaderd with export.max_size
# 64K, export.keep 2 and small batches; a policy posts every openat of
# $M/rot-*; the trigger opens 1500 files.  events.jsonl is rotated by
# loaderd (the collector asks, loaderd renames and hands it a new fd):
# events.jsonl, .1 and .2 exist and no .3; each is bounded by max_size
# plus one batch; every line of every file is one whole JSON object, none
# twice, rot-0 gone with the dropped files.  SIGUSR1 (logrotate's way): the file
# moved away is replaced by a new one that gets the next lines; the
# daemons keep running.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env rotate
need python3
M=$T/m
mkdir -p "$M"
cat >"$T/tripline.yaml" <<CFG
export:
  json: true
  max_size: 64K
  keep: 2
store:
  batch_rows: 50
  batch_ms: 50
CFG

plan 11

start_loaderd rotnode -f "$T/tripline.yaml"
sel_pol rot </dev/null
add "$P/rot.yaml" || diag "$(cat "$T/add.out")"
i=0
while [ $i -lt 1500 ]; do
	"$TR" openat "$M/rot-$i" 0 >/dev/null
	i=$((i + 1))
done
all() { [ "$(q "SELECT count(*) FROM events WHERE policy_name = 'rot'")" -ge 1500 ]; }
wait_for 30 all || diag "rows: $(q "SELECT count(*) FROM events WHERE policy_name = 'rot'")"
# the last rows' lines are written after their commit (every process's
# exec and exit goes to the export too: on a busy machine the files keep
# rotating, so look in all of them)
last() { cat "$S"/events.jsonl* 2>/dev/null | grep -q "/rot-1499[\" ]"; }
check "the newest line (rot-1499) was written" wait_for 10 last

# ---- SIGUSR1: reopen after logrotate moved the file --------------------------
n0=$(grep -c 'export: events.jsonl reopened' "$T/loaderd.log")
mv "$S/events.jsonl" "$T/moved.jsonl"
kill -USR1 "$LPID"
reopened() { [ "$(grep -c 'export: events.jsonl reopened' "$T/loaderd.log")" -gt "$n0" ]; }
check "SIGUSR1: the collector switched to a new events.jsonl" wait_for 10 reopened
check "a new events.jsonl exists" [ -e "$S/events.jsonl" ]
"$TR" openat "$M/rot-after-usr1" 0 >/dev/null
after() { cat "$S"/events.jsonl* 2>/dev/null | grep -q "rot-after-usr1"; }
check "the next lines go to the new file" wait_for 10 after
is "and none to the file moved away" "$(grep -c "rot-after-usr1" "$T/moved.jsonl")" "0"

# ---- the files, once loaderd stopped (on a busy machine every process's
# exec and exit keeps rotating them: read them only when nothing writes)
kill "$LPID"
wait "$LPID" 2>/dev/null
LPID=
check "events.jsonl.1 and events.jsonl.2 exist" [ -s "$S/events.jsonl.1" -a -s "$S/events.jsonl.2" ]
check "keep 2: no events.jsonl.3" [ ! -e "$S/events.jsonl.3" ]
ls -l "$S"/events.jsonl* | sed 's/^/# /'
big=$(for f in "$S"/events.jsonl*; do
	[ "$(stat -c %s "$f" 2>/dev/null || echo 0)" -le $((320 * 1024)) ] || echo "$f"
done)
is "every file within max_size plus one batch (50 rows of a few KiB: 320K)" "$big" ""
check "loaderd rotated more than twice" \
    [ "$(grep -c 'events.jsonl rotated' "$T/loaderd.log")" -gt 2 ]
python3 - "$S" >"$T/lines.out" 2>&1 <<'PY'
import glob, json, sys
seen, bad, n = set(), 0, 0
for f in glob.glob(sys.argv[1] + "/events.jsonl*"):
    try:
        with open(f, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        continue        # rotated away meanwhile
    if data and not data.endswith(b"\n"):
        bad += 1
    for line in data.splitlines():
        n += 1
        try:
            json.loads(line)
        except ValueError:
            bad += 1
        if line in seen:
            bad += 1
        seen.add(line)
print(n, bad)
PY
read -r nl nbad <"$T/lines.out"
diag "lines in the kept files: $nl"
is "every line of every file is one whole JSON object, none twice" "$nbad" "0"
first=$(cat "$S"/events.jsonl* | grep -c '/rot-0[" ]')
is "the oldest lines (rot-0) left with the files keep 2 dropped" "$first" "0"

finish
