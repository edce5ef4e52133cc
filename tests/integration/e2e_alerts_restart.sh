#!/bin/sh
# Alert delivery survives restarts (issue 5, Durability): real daemons, a
# policy hit on a real system call, the scripted local HTTP sink.
#  1. critical bypasses group_wait: on a grouped route (group_wait 8 s) a
#     severity=critical hit goes out at once, a severity=high hit of the
#     same route waits for its group and goes out after group_wait;
#  2. collectord SIGKILL'd while jobs are retrying (sink answers 500):
#     loaderd respawns it, the jobs resume, and once the sink answers 200
#     every outbox row ends delivered and the sink saw every key;
#  3. the whole service stopped (SIGTERM to loaderd) while jobs are
#     pending (sink not running), then started again on the same state dir
#     with the sink up: every pending job is delivered, the deliveries
#     table shows the failed attempts before the stop and the success
#     after it, and nothing delivered before the stop is sent again.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
alerts_test_env restart restartnode

plan 29

# ---- sinks and alerts.yaml --------------------------------------------------------
# web: /group (grouping test, 200) and /kill (500 until switched to 200)
cat > "$T/web.json" <<'EOF2'
[{"path_prefix": "/kill", "responses": [{"status": 500, "body": "boom"}]}]
EOF2
http_sink_start web "$T/web.json" || { echo "Bail out! http sink"; exit 99; }
W=http://127.0.0.1:$(sink_port web)
# the "down" sink is started on this port only after the service restart
DOWNP=$("$PY" "$SINKS_DIR/dnsq.py" --free-port)
GW=8
A=$T/alerts.yaml
cat > "$A" <<EOF2
defaults:
  timeout: 5s
  retry: {initial: 1s, max: 2s, max_age: 1h}
  circuit: {failures: 3, open_for: 2s}
  max_inflight: 4
receivers:
  - name: group
    webhook: {url: "$W/group"}
  - name: kill
    webhook: {url: "$W/kill"}
  - name: down
    webhook: {url: "http://127.0.0.1:$DOWNP/down"}
routes:
  - name: r-group
    match: {policy: [tl-crit, tl-norm]}
    receivers: [group]
    group_by: [policy]
    group_wait: ${GW}s
    group_interval: 1m
    repeat_interval: 1h
  - name: r-kill
    match: {policy: [tl-kill]}
    receivers: [kill]
  - name: r-down
    match: {policy: [tl-down]}
    receivers: [down]
EOF2
chmod 600 "$A"
chown root:root "$A"

# ---- daemons -------------------------------------------------------------------------
start() { alerts_loaderd_start; }
start
ok "loaderd up with -A alerts.yaml"

# policy NAME SEVERITY: sys_symlinkat whose link path starts with $M/NAME-,
# Post, tagged severity=SEVERITY
policy() { symlink_policy "$1" "$2" "restart test"; }
# hit NAME SUFFIX: symlinkat(/etc/passwd, $M/NAME-SUFFIX) by the trigger
hit() { "$TR" symlinkat /etc/passwd "$M/$1-$2" >/dev/null; }
# outbox rows of a route as "state" lines
ob() { q "SELECT state FROM outbox WHERE route='$1' ORDER BY id"; }
nob() { q "SELECT count(*) FROM outbox WHERE route='$1'"; }
ob_done() { # ROUTE: every row delivered or dead
	[ -n "$(q "SELECT 1 FROM outbox WHERE route='$1'")" ] &&
	[ -z "$(q "SELECT 1 FROM outbox WHERE route='$1' AND state NOT IN ('delivered','dead')")" ]
}
ob_count() { [ "$(nob "$1")" = "$2" ]; }
# keys ROUTE: the route's idempotency keys, sorted, space separated
keys() { q "SELECT idem_key FROM outbox WHERE route='$1' ORDER BY idem_key" | tr '\n' ' '; }
# sink_keys NAME PATH [STATUS]: distinct Idempotency-Keys the sink got on
# PATH (answered STATUS), sorted, space separated
sink_keys() {
	sink_json "$1" "' '.join(sorted(set(r['headers'].get('Idempotency-Key', '') for r in R if r['path'] == '$2' and ('${3:-}' == '' or str(r['status']) == '${3:-}')))) + ' '"
}
collector() { pgrep -P "$LPID" -x collectord | head -1; }
now() { date +%s.%N; }

policy tl-crit critical && policy tl-norm high && policy tl-kill high &&
    policy tl-down high
check "policies loaded (severity=critical and severity=high)" [ $? -eq 0 ]

# ---- 1. critical bypasses group_wait; the rest of the route waits ---------------------
T0=$(now)
hit tl-norm 1
hit tl-crit 1
wait_for 10 ob_count r-group 2
# (the critical one may already be on its way or delivered: rows are
# committed as soon as the collector drained the ring)
like "grouped route: the high hit waits, the critical one is pending at once" \
    "$(q "SELECT severity || ' ' || state FROM outbox WHERE route='r-group' ORDER BY severity" | tr '\n' ';')" \
    '^critical (pending|inflight|delivered);high waiting;$'
wait_records web 1 '"path": "/group"' 4
T1=$(now)
is "critical: arrived at the sink within 4 s (group_wait ${GW} s)" \
    "$(sink_json web "sorted(r['headers'].get('Idempotency-Key') for r in R if r['path'] == '/group')")" \
    "[\"$(q "SELECT idem_key FROM outbox WHERE route='r-group' AND severity='critical'")\"]"
# not there 3 s after the hits (T0 is before both)
sleep "$("$PY" -c "import sys; print(max(0, 3 - (float(sys.argv[2]) - float(sys.argv[1]))))" "$T0" "$T1")"
is "high: not at the sink 3 s after the hit (group_wait ${GW} s)" \
    "$(sink_count web '"path": "/group"')" "1"
wait_for 30 ob_done r-group
is "grouped route: both rows delivered" "$(ob r-group | tr '\n' ';')" "delivered;delivered;"
r=$(sink_json web "(lambda h: 'late' if h and h[0] - $T0 >= $GW - 0.5 else 'early %.2f s' % (h[0] - $T0) if h else 'missing')([r['time'] for r in R if r['path'] == '/group' and r['headers'].get('Idempotency-Key') == '$(q "SELECT idem_key FROM outbox WHERE route='r-group' AND severity='high'")'])")
is "high: arrived only after group_wait (${GW} s)" "$r" "late"
diag "grouping: arrivals (s after the hits): $(sink_json web "' '.join('%.2f' % (r['time'] - $T0) for r in R if r['path'] == '/group')")"

# ---- 2. SIGKILL of collectord while jobs retry ----------------------------------------
N=4
i=1
while [ $i -le $N ]; do hit tl-kill $i; i=$((i + 1)); done
wait_for 15 ob_count r-kill $N
is "kill: $N outbox rows" "$(nob r-kill)" "$N"
# every key tried at least once and answered 500
wait_for 20 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(DISTINCT o.id) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-kill' AND d.code=500\")\" = $N ]"
is "kill: the sink answered 500 to every key before the kill" \
    "$(sink_keys web /kill 500)" "$(keys r-kill)"
is "kill: nothing delivered before the kill" \
    "$(q "SELECT count(*) FROM outbox WHERE route='r-kill' AND state='delivered'")" "0"
CPID=$(collector)
diag "kill: rows before SIGKILL: $(q "SELECT id || ':' || state || '/' || attempts FROM outbox WHERE route='r-kill'" | tr '\n' ' ')"
N500=$(sink_count web '"path": "/kill".*"status": 500|"status": 500.*"path": "/kill"')
kill -KILL "$CPID" 2>/dev/null
is "SIGKILL sent to collectord (pid $CPID) with jobs retrying" "$?" "0"
wait_for 30 sh -c "pgrep -P $LPID -x collectord | grep -vx $CPID"
like "loaderd respawned collectord" "$(collector)" '^[0-9]+$'
# the new collector resumes the retries (still 500) before the sink recovers
wait_records web $((N500 + 1)) '"path": "/kill".*"status": 500|"status": 500.*"path": "/kill"' 30
N500B=$(sink_count web '"path": "/kill".*"status": 500|"status": 500.*"path": "/kill"')
check "kill: the respawned collector resumed the retries (500s: $N500 before, $N500B after)" \
    [ "$N500B" -gt "$N500" ]
echo '[{"path_prefix": "/kill", "responses": [{"status": 200, "body": "ok"}]}]' > "$T/web.json.new"
mv "$T/web.json.new" "$T/web.json"
wait_for 60 ob_done r-kill
is "kill: every outbox row ends delivered" "$(ob r-kill | tr '\n' ';')" \
    "delivered;delivered;delivered;delivered;"
is "kill: the sink accepted every idempotency key" "$(sink_keys web /kill 200)" "$(keys r-kill)"
r=$(sink_json web "(lambda k: '%d %d' % (len(set(k)), len(k)))([r['headers'].get('Idempotency-Key') for r in R if r['path'] == '/kill' and r['status'] == 200])")
is "kill: distinct keys accepted == hits ($N)" "${r% *}" "$N"
[ "${r#* }" = "$N" ] || diag "kill: duplicates: ${r#* } accepted requests for $N keys (at-least-once; the key dedups)"
is "kill: deliveries: each row has 500 retries then one 'delivered'" \
    "$(q "SELECT count(*) FROM outbox o WHERE o.route='r-kill' AND EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id=o.id AND d.status='retry' AND d.code=500) AND (SELECT count(*) FROM deliveries d WHERE d.outbox_id=o.id AND d.status='delivered') >= 1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id=o.id AND d.status='retry' AND d.id > (SELECT min(id) FROM deliveries x WHERE x.outbox_id=o.id AND x.status='delivered'))")" "$N"
diag "kill: deliveries: $(q "SELECT o.id || ':' || group_concat(d.status || '/' || coalesce(d.code,0), ',') FROM outbox o JOIN deliveries d ON d.outbox_id=o.id WHERE o.route='r-kill' GROUP BY o.id" | tr '\n' ' ')"

# ---- 3. the whole service stopped with jobs pending, then started again ---------------
N=3
i=1
while [ $i -le $N ]; do hit tl-down $i; i=$((i + 1)); done
wait_for 15 ob_count r-down $N
wait_for 20 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(DISTINCT o.id) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-down' AND d.status='retry'\")\" = $N ]"
like "down: every job failed at least once (connect error) before the stop" \
    "$(q "SELECT count(DISTINCT o.id) || ' ' || group_concat(DISTINCT d.detail) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-down' AND d.status='retry'")" \
    "^$N .*(onnect|refused)"
WEB_BEFORE=$(sink_count web .)
kill -TERM "$LPID"
wait "$LPID"
rc=$?
LPID=
is "SIGTERM: loaderd stopped cleanly" "$rc" "0"
TSTOP=$(now)
like "SIGTERM: no collectord/notifierd left" \
    "$(pgrep -x collectord; pgrep -x notifierd; echo none)" '^none$'
MAXD=$(q "SELECT max(id) FROM deliveries")
NRETRY=$(q "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-down'")
# (a row whose attempt was in flight at the stop may stay 'inflight': the
# next collector makes it pending again)
like "down: after the stop, every row still pending (none lost, none delivered)" \
    "$(q "SELECT state FROM outbox WHERE route='r-down' ORDER BY id" | tr '\n' ';')" \
    '^((pending|inflight);){3}$'
diag "down: rows at the stop: $(q "SELECT id || ':' || state || '/' || attempts FROM outbox WHERE route='r-down'" | tr '\n' ' ')"

echo '[{"path_prefix": "/", "responses": [{"status": 200, "body": "ok"}]}]' > "$T/down.json"
http_sink_start down "$T/down.json" "$DOWNP" || diag "down sink did not start on port $DOWNP"
start
ok "service started again on the same state dir"
wait_for 60 ob_done r-down
is "down: all $N pending jobs delivered after the restart" "$(ob r-down | tr '\n' ';')" \
    "delivered;delivered;delivered;"
is "down: the sink got every idempotency key" "$(sink_keys down /down 200)" "$(keys r-down)"
r=$(sink_json down "len(R)")
is "down: exactly one request per key (the sink was down before the stop)" "$r" "$N"
is "down: deliveries kept the failed attempts from before the stop" \
    "$(q "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-down' AND d.id <= $MAXD AND d.status='retry'")" \
    "$NRETRY"
is "down: each row: 'retry' before the stop, then 'delivered' after it" \
    "$(q "SELECT count(*) FROM outbox o WHERE o.route='r-down' AND EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id=o.id AND d.status='retry' AND d.id <= $MAXD AND (julianday(d.time) - 2440587.5) * 86400 < $TSTOP) AND EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id=o.id AND d.status='delivered' AND d.id > $MAXD AND (julianday(d.time) - 2440587.5) * 86400 > $TSTOP)")" \
    "$N"
diag "down: deliveries: $(q "SELECT o.id || ':' || group_concat(d.status || '@' || d.time, ',') FROM outbox o JOIN deliveries d ON d.outbox_id=o.id WHERE o.route='r-down' GROUP BY o.id" | tr '\n' ' ')"
sleep 2
is "restart: nothing delivered before the stop was sent again" \
    "$(sink_count web .)" "$WEB_BEFORE"
is "no row left pending/inflight/waiting" \
    "$(q "SELECT count(*) FROM outbox WHERE state IN ('pending','inflight','waiting')")" "0"
diag "outbox: $(q "SELECT state || '=' || count(*) FROM outbox GROUP BY state" | tr '\n' ' ')"
diag "deliveries: $(q "SELECT status || '=' || count(*) FROM deliveries GROUP BY status" | tr '\n' ' ')"
finish
