#!/bin/sh
# End to end: retention of events.db.  A storm of openat events writes
# many times retention.max_size; the database (events.db + events.db-wal)
# stays within max_size plus the documented slack, the newest events are
# there and the oldest are gone, except the event of an alert job that
# was not delivered (kept with its outbox row).  Then max_age: events,
# and the processes rows only they needed, go once they are older than
# it; younger ones stay.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env retention
need stat
M=$T/m
mkdir -p "$M"
STORM=$B/bench/openat_storm
MAX=$((2 * 1024 * 1024))
# slack (docs/schema.md, retention): about the WAL frames of one batch;
# batches are capped at one burst of the storm (3000 rows) so the slack
# is that of a known batch size, whatever the collector's commit pacing
SLACK=$((3 * 1024 * 1024))

plan 24

dbsize() {
	echo $(($(stat -c %s "$S/events.db") + $(stat -c %s "$S/events.db-wal")))
}

# an openat hook (Post) on $M/ret-*, and one with GetUrl to a port where
# nothing listens on $M/alert-*: its job is never delivered
sel_pol ret </dev/null
sel_pol alert <<EOF
      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:9/never"
EOF

cat >"$T/tripline.yaml" <<EOF
store:
  batch_ms: 100
  batch_rows: 3000
retention:
  max_size: $MAX
EOF
start_loaderd retnode -f "$T/tripline.yaml" -p "$P/ret.yaml" -p "$P/alert.yaml"
ok "loaderd and collectord running with retention.max_size 2M"
is "a new database has auto_vacuum INCREMENTAL" "$(q 'PRAGMA auto_vacuum')" "2"

# the alert event comes first: the oldest event of the storm
"$TR" openat "$M/alert-1" 0 >/dev/null 2>&1
wait_for 10 row_exists "SELECT 1 FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.policy_name = 'alert'"
AID=$(q "SELECT id FROM events WHERE policy_name = 'alert'")
ok "alert event $AID with its GetUrl job"

# the storm: ~16 times max_size of events, the size sampled meanwhile
: >"$T/sizes"
( while :; do dbsize >>"$T/sizes"; sleep 0.2; done ) &
SAMPLER=$!
KIDS="$SAMPLER"
: >"$M/ret-storm"
# in rounds, so that the ring buffer is not the bound
r=0
while [ $r -lt 40 ]; do
	"$STORM" -q -w 0 -p "$M/ret-storm" -n 3000 >>"$T/storm.out" 2>&1 ||
	    break
	sleep 0.1
	r=$((r + 1))
done
is "40 rounds of 3000 openat" "$r" "40"
# the last one, after the storm
"$TR" openat "$M/ret-last" 0 >/dev/null 2>&1
wait_for 20 row_exists "SELECT 1 FROM events WHERE args LIKE '%ret-last%'"
kill "$SAMPLER"
KIDS=
dbsize >>"$T/sizes"
PEAK=$(sort -n "$T/sizes" | tail -1)
diag "$(date +%T) storm done"
diag "peak size $PEAK bytes (max_size $MAX + slack $SLACK); $(wc -l <"$T/sizes") samples"
check "events.db + -wal never above max_size + slack" [ "$PEAK" -le $((MAX + SLACK)) ]
STORED=$(q "SELECT count(*) FROM events WHERE policy_name = 'ret'")
DELETED=$(q "SELECT min(id) FROM events WHERE policy_name = 'ret'")
diag "storm events left: $STORED; the oldest left has id $DELETED"
WRITTEN=$(q "SELECT max(id) FROM events")
diag "events written in all: $WRITTEN"
check "the storm wrote more than 10 times what is left" [ "$WRITTEN" -gt $((10 * STORED)) ]
check "...and more than 100000 events" [ "$WRITTEN" -gt 100000 ]
check "the newest event is kept" row_exists "SELECT 1 FROM events WHERE args LIKE '%ret-last%'"
is "the undelivered alert's event is kept" "$(q "SELECT count(*) FROM events WHERE id = $AID")" "1"
is "...with its outbox row, not delivered" \
    "$(q "SELECT count(*) FROM outbox WHERE event_id = $AID AND state IN ('waiting','pending','inflight')")" "1"
is "no outbox row refers to a deleted event" \
    "$(q "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = o.event_id)")" "0"
is "no event refers to a missing process" \
    "$(q "SELECT count(*) FROM events e WHERE e.exec_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM processes p WHERE p.exec_id = e.exec_id)")" "0"
is "integrity_check" "$(q 'PRAGMA integrity_check')" "ok"
# the metrics (triplinectl status --prometheus): every deleted event
# counted (ids are never reused: max(id) events were written), no error
ret_counted() {
	_d=$(prom tripline_retention_rows_deleted_total 'table="events"')
	[ "${_d:-x}" = "$(q 'SELECT max(id) - count(*) FROM events')" ]
}
check "tripline_retention_rows_deleted_total{table=\"events\"} counts every deleted event" \
    wait_for 10 ret_counted
diag "deleted: events $(prom tripline_retention_rows_deleted_total 'table="events"'), processes $(prom tripline_retention_rows_deleted_total 'table="processes"'), drops $(prom tripline_retention_rows_deleted_total 'table="drops"'); steps $(prom tripline_retention_steps_total)"
check "tripline_retention_steps_total counts the steps" \
    [ "$(prom tripline_retention_steps_total)" -gt 1 ]
is "tripline_retention_errors_total is 0" "$(prom tripline_retention_errors_total)" "0"

# ---- max_age ---------------------------------------------------------------------
kill "$LPID"
wait "$LPID" 2>/dev/null
LPID=
cat >"$T/tripline.yaml" <<EOF
store:
  batch_ms: 100
  batch_rows: 3000
retention:
  max_age: 4s
EOF
start_loaderd retnode -f "$T/tripline.yaml" -p "$P/ret.yaml" -p "$P/alert.yaml"
ok "restarted with retention.max_age 4s"
diag "$(date +%T) max_age phase"
i=0
while [ $i -lt 5 ]; do "$TR" openat "$M/ret-aged-$i" 0 >/dev/null 2>&1; /bin/true "aged$$"; i=$((i + 1)); done
wait_for 10 row_exists "SELECT 1 FROM events WHERE args LIKE '%ret-aged-4%'"
check "the aged processes have rows" row_exists "SELECT 1 FROM processes WHERE arguments = 'aged$$'"
aged_gone() {
	[ "$(q "SELECT count(*) FROM events WHERE args LIKE '%ret-aged-%' OR policy_name = 'ret' AND args LIKE '%ret-storm%'")" = 0 ]
}
wait_for 30 aged_gone
check "events older than max_age are deleted" aged_gone
check "...and the processes rows only they needed" \
    [ -z "$(q "SELECT 1 FROM processes WHERE arguments = 'aged$$'")" ]
procs_counted() {
	[ "$(prom tripline_retention_rows_deleted_total 'table="processes"')" -ge 5 ]
}
check "tripline_retention_rows_deleted_total{table=\"processes\"} counts them" \
    wait_for 10 procs_counted
ev_counted() {
	[ "$(prom tripline_retention_rows_deleted_total 'table="events"')" -ge 10 ]
}
check "...and the events" wait_for 10 ev_counted
# a young event stays
"$TR" openat "$M/ret-young" 0 >/dev/null 2>&1
wait_for 10 row_exists "SELECT 1 FROM events WHERE args LIKE '%ret-young%'"
sleep 1
check "an event younger than max_age stays" row_exists "SELECT 1 FROM events WHERE args LIKE '%ret-young%'"
is "the undelivered alert's event is still kept" "$(q "SELECT count(*) FROM events WHERE id = $AID")" "1"
finish
