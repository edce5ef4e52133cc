#!/bin/sh
# End to end: Prometheus metrics.  loaderd with metrics.file in a
# root-owned directory and metrics.interval_s 1; two policies on openat
# (one whose Prefix matches the files the test opens, one that never
# matches); the trigger opens 5 files.  The file and `triplinectl status
# --prometheus` carry the hooks' counters labelled by policy and hook, the
# stored events and the daemons' memory; a real node_exporter (textfile
# collector, on 127.0.0.1) reads the file without a parse error and
# serves tripline's samples; the file is replaced whole (renamed); an
# unwritable path is logged once and loaderd keeps running; after loaderd
# stops the file says tripline_up 0.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env metrics
need curl
NE=/usr/sbin/prometheus-node-exporter
[ -x "$NE" ] || NE=/usr/bin/prometheus-node-exporter
[ -x "$NE" ] || { echo "Bail out! prometheus-node-exporter is not installed"; exit 99; }
M=$T/m
PD=$T/prom
mkdir -p "$M" "$PD"
PF=$PD/tripline.prom
cat >"$T/tripline.yaml" <<EOF
metrics:
  file: $PF
  interval_s: 1
EOF

plan 19

start_loaderd metricsnode -f "$T/tripline.yaml"
sel_pol mpos </dev/null
sel_pol mneg <<'EOF'
      - index: 0
        operator: "Equal"
        values:
        - "12345"
EOF
add "$P/mpos.yaml" || diag "$(cat "$T/add.out")"
add "$P/mneg.yaml" || diag "$(cat "$T/add.out")"
for i in 1 2 3 4 5; do "$TR" openat "$M/mpos-$i" 0 >/dev/null; done
five() { [ "$(q "SELECT count(*) FROM events WHERE policy_name = 'mpos'")" = 5 ]; }
wait_for 10 five || diag "rows: $(q "SELECT count(*) FROM events WHERE policy_name = 'mpos'")"

# sample NAME LABELS-REGEX FILE: the value of the first matching sample
sample() {
	grep -E "^$1(\{$2\})? " "$3" | head -1 | awk '{ print $NF }'
}
# labels as loaderd writes them, and as node_exporter serves them (sorted)
HOOK='policy="mpos",hook="kprobe:sys_openat"'
HOOKN='policy="mneg",hook="kprobe:sys_openat"'
SHOOK='hook="kprobe:sys_openat",policy="mpos"'
posted() { [ "$(sample tripline_hook_posted_total "$HOOK" "$PF")" = 5 ]; }
check "the metrics file appears and counts the 5 posts of mpos" wait_for 10 posted
grep -E '^tripline_hook_posted_total' "$PF" | sed 's/^/# /'
is "mpos matched 5" "$(sample tripline_hook_matched_total "$HOOK" "$PF")" "5"
is "mneg (Equal 12345 on the fd, never) posted nothing" \
    "$(sample tripline_hook_posted_total "$HOOKN" "$PF")" "0"
check "mneg was hit (its filter ran and failed)" \
    [ "$(sample tripline_hook_hits_total "$HOOKN" "$PF")" -ge 5 ]
stored() { [ "$(sample tripline_events_stored_total '' "$PF")" -ge 5 ]; }
check "events stored counted" wait_for 10 stored
is "tripline_up 1 while running" "$(sample tripline_up '' "$PF")" "1"
check "loaderd's and the collector's resident memory" sh -c "
    [ \"\$(grep -c '^tripline_process_resident_memory_bytes{process=\"\(tripline-loaderd\|collectord\)\"} [1-9]' '$PF')\" = 2 ]"
is "policies loaded" "$(sample tripline_policies_loaded '' "$PF")" "2"
is "no alerts file: no alert job queued" \
    "$(sample tripline_alerts_total 'state="queued"' "$PF")" "0"

is "retention off: no event deleted (e2e_retention.sh: counted when on)" \
    "$(sample tripline_retention_rows_deleted_total 'table="events"' "$PF")" "0"
is "no syslog target: counters typed, at 0 (e2e_syslog.sh: counted when on)" \
    "$(grep -c '^# TYPE tripline_syslog_[a-z_]*_total counter$' "$PF") $(sample tripline_syslog_forwarded_total '' "$PF")" "3 0"

# every line is a comment or NAME{LABELS} VALUE
bad=$(grep -vE '^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? [0-9.e+-]+)$' "$PF")
is "every line of the file is valid exposition syntax" "$bad" ""

"$CTL" -S "$S" status --prometheus >"$T/status.prom" 2>"$T/status.err"
is "status --prometheus has the same hook samples" \
    "$(sample tripline_hook_posted_total "$HOOK" "$T/status.prom")" "5"
is "status --prometheus and the file name the same metrics" \
    "$(sed -n 's/^# TYPE //p' "$T/status.prom")" "$(sed -n 's/^# TYPE //p' "$PF")"

# the file is replaced, not rewritten in place: its inode changes
ino1=$(stat -c %i "$PF")
changed() { [ "$(stat -c %i "$PF")" != "$ino1" ]; }
check "the file is replaced by rename at each interval" wait_for 5 changed

# a real reader: node_exporter's textfile collector
PORT=$(( 20000 + $$ % 20000 ))
"$NE" --web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$PD" \
    >"$T/ne.log" 2>&1 &
KIDS="$KIDS $!"
scrape() { curl -fsS "http://127.0.0.1:$PORT/metrics" >"$T/scrape" 2>/dev/null; }
wait_for 10 scrape || diag "node_exporter: $(tail -5 "$T/ne.log")"
is "node_exporter read the file without error" \
    "$(sample node_textfile_scrape_error '' "$T/scrape")" "0"
is "node_exporter serves tripline's hook counters" \
    "$(sample tripline_hook_posted_total "$SHOOK" "$T/scrape")" "5"

# an unwritable path: logged, loaderd goes on (rewrite the config? no:
# make the directory unwritable to root without CAP_DAC_OVERRIDE)
chown 65534 "$PD"
chmod 0555 "$PD"
wait_for 5 grep -q "metrics: cannot write $PF" "$T/loaderd.log"
check "an unwritable directory is logged" grep -q "metrics: cannot write $PF" "$T/loaderd.log"
chown 0 "$PD"
chmod 0755 "$PD"

kill "$LPID"
wait "$LPID" 2>/dev/null
LPID=
is "after loaderd stopped the file says tripline_up 0" "$(sample tripline_up '' "$PF")" "0"
finish
