#!/bin/sh
# End to end: a full disk.  The state directory is a small tmpfs.
# (1) Below store.min_free the collector stops reading the ring buffer:
# the kernel counts what does not fit, and once space is freed ingestion
# resumes and the loss is stored as drops rows.  (2) With no watermark,
# SQLite reports the disk full: the open batch is rolled back, not
# committed with rows missing; once there is room the collector restarts
# and reads the batch again from the ring buffer.  In both, every openat
# of the storm is either an events row or counted in a drops row of its
# hook, and events.jsonl holds only whole lines.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env diskfull
need mount umount python3
M=$T/m
mkdir -p "$M"
STORM=$B/bench/openat_storm
FS=$T/fs
e2e_cleanup_more() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	LPID=
	[ -n "${KEEP:-}" ] || umount -l "$S" 2>/dev/null
}
mount -t tmpfs -o size=160m,mode=0750 tripline-test "$S" ||
    { echo "Bail out! cannot mount a tmpfs"; exit 99; }

plan 14

sel_pol full </dev/null
: >"$M/full-storm"

avail() { df -B1 --output=avail "$S" | tail -1 | tr -d ' '; }
# fill DIR's file system until N bytes are left (a filler file in it)
fill_to() {
	a=$(avail)
	[ "$a" -gt "$1" ] &&
	    dd if=/dev/zero of="$S/filler" bs=1M count=$(((a - $1) / 1048576)) \
		oflag=append conv=notrunc 2>/dev/null
	true
}
# openat calls of the storm rounds so far
calls() { sed -n 's/.* calls=\([0-9]*\) .*/\1/p' "$T/storm.out" | awk '{s += $1} END {print s + 0}'; }
stored() { q "SELECT count(*) FROM events WHERE policy_name = 'full'"; }
hookdrops() { q "SELECT IFNULL(sum(count), 0) FROM drops WHERE source = 'hook' AND hook_policy = 'full'"; }
# openat calls of the hook: the storm's (each run also opens the file
# once before it counts) and the full-after ones
AFTER=0
opens() { echo $(($(calls) + $(grep -c 'calls=' "$T/storm.out") + AFTER)); }
# every openat is a row or counted as lost
accounted() { [ "$(($(stored) + $(hookdrops)))" -eq "$(opens)" ]; }
storm() { # ROUNDS
	r=0
	while [ $r -lt "$1" ]; do
		"$STORM" -q -w 0 -p "$M/full-storm" -n 2000 >>"$T/storm.out" 2>&1
		sleep 0.05
		r=$((r + 1))
	done
}
json_whole() {
	python3 - "$S/events.jsonl" <<'EOF'
import json, sys
n = 0
with open(sys.argv[1], 'rb') as f:
    data = f.read()
if data and not data.endswith(b'\n'):
    print("no newline at the end"); sys.exit(1)
for line in data.split(b'\n')[:-1]:
    try:
        json.loads(line)
    except Exception as e:
        print("bad line %d: %r" % (n, line[:80])); sys.exit(1)
    n += 1
print(n)
EOF
}

# ---- (1) the watermark ------------------------------------------------------------------
cat >"$T/tripline.yaml" <<EOF
store:
  batch_ms: 100
  min_free: 8M
EOF
start_loaderd fullnode -f "$T/tripline.yaml" -p "$P/full.yaml"
ok "running on a 160M tmpfs with store.min_free 8M"
fill_to $((20 * 1048576))
: >"$T/storm.out"
storm 30
wait_for 10 grep -q "less than store.min_free" "$T/loaderd.log"
like "the collector stopped reading below the watermark" "$(cat "$T/loaderd.log")" "less than store.min_free"
N1=$(stored)
storm 5
sleep 1
is "nothing is stored while below it" "$(stored)" "$N1"
check "the kernel counted what did not fit" [ "$("$CTL" -S "$S" status --json | tr -d '\n' | sed -n 's/.*"ring_buffer":{[^}]*"dropped":\([0-9]*\).*/\1/p')" -gt 0 ]
rm -f "$S/filler"
wait_for 30 accounted
diag "openat $(opens), stored $(stored), counted lost $(hookdrops)"
check "every openat is stored or counted in drops" accounted
"$TR" openat "$M/full-after" 0 >/dev/null 2>&1
AFTER=1
wait_for 20 row_exists "SELECT 1 FROM events WHERE args LIKE '%full-after%'"
check "ingestion resumes once space is freed" row_exists "SELECT 1 FROM events WHERE args LIKE '%full-after%'"
check "events.jsonl has only whole lines" json_whole

# ---- (2) SQLite reports the disk full ----------------------------------------------------
kill "$LPID"
wait "$LPID" 2>/dev/null
LPID=
: >"$S/events.jsonl"
cat >"$T/tripline.yaml" <<EOF
store:
  batch_ms: 100
  min_free: 0
export:
  json: true
EOF
start_loaderd fullnode -f "$T/tripline.yaml" -p "$P/full.yaml"
ok "restarted with no watermark"
fill_to 0
storm 20
wait_for 20 grep -q "rolled back" "$T/loaderd.log"
like "a batch was rolled back, not committed short" "$(cat "$T/loaderd.log")" "collectord: store: .*rolled back"
rm -f "$S/filler"
wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'collectord .*restarts [1-9]'"
like "the collector restarted once there was room" "$("$CTL" -S "$S" status)" "collectord .*restarts [1-9]"
wait_for 30 accounted
diag "openat $(opens), stored $(stored), counted lost $(hookdrops), json lines lost $(q "SELECT value FROM meta WHERE key = 'export_lines_lost'")"
check "every openat is stored or counted in drops" accounted
check "events.jsonl has only whole lines" json_whole
is "no event stored twice (a batch read again after its rollback)" \
    "$(q "SELECT count(*) FROM (SELECT time_ns FROM events WHERE policy_name = 'full' GROUP BY time_ns HAVING count(*) > 1)")" "0"
is "integrity_check" "$(q 'PRAGMA integrity_check')" "ok"
finish
