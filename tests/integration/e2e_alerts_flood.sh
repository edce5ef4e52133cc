#!/bin/sh
# Alert queues do not starve each other: real daemons, real BPF, real
# local HTTP sinks.
#  - route r-flood (receiver flood, no grouping: every hit is its own job)
#    takes 100 000 hits of a failing symlinkat made by an unprivileged
#    user; its sink answers 500, so its jobs pile up, retry and open its
#    circuit;
#  - a severity=critical hit on route r-crit (receiver crit, a working
#    sink) made during the flood, and one made after it while the flood's
#    jobs are held back, reach their sink within the normal delay: ungrouped
#    jobs are sent at once (docs/alerts-routing.md), so the bound is the
#    scheduler's run plus one send; 10 s is a generous liveness bound,
#    not a speed measure;
#  - the flooded destination never holds more than 1000 pending jobs
#    (the backlog cap), the excess folded into a "N more alerts" summary
#    job;
#  - once the flood's sink answers 200, every job left is delivered and
#    the summary reaches the sink with the count of the jobs it folded:
#    jobs delivered one by one + alerts in the summaries = hits stored
#    for the policy.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
alerts_test_env flood floodnode

plan 18

FLOOD=100000
CHUNK=10000
CAP=1000	# OUTBOX_BACKLOG_MAX, docs/alerts-routing.md "Backlog cap"
BOUND=10	# seconds: liveness bound for the critical alert

# ---- sinks and alerts.yaml --------------------------------------------------------
echo '[{"path_prefix": "/", "responses": [{"status": 500, "body": "boom"}]}]' > "$T/flood.json"
http_sink_start flood "$T/flood.json" || { echo "Bail out! http sink"; exit 99; }
http_sink_start crit || { echo "Bail out! http sink"; exit 99; }
A=$T/alerts.yaml
cat > "$A" <<EOF2
defaults:
  timeout: 5s
  retry: {initial: 1s, max: 2s, max_age: 1h}
  circuit: {failures: 3, open_for: 2s}
  max_inflight: 4
receivers:
  - name: flood
    webhook: {url: "http://127.0.0.1:$(sink_port flood)/flood"}
  - name: crit
    webhook: {url: "http://127.0.0.1:$(sink_port crit)/crit"}
routes:
  - name: r-flood
    match: {policy: [tl-flood]}
    receivers: [flood]
  - name: r-crit
    match: {policy: [tl-crit]}
    receivers: [crit]
EOF2
chmod 600 "$A"
chown root:root "$A"
# a ring large enough for a chunk of the flood: the test is about the
# outbox, not about records lost in the kernel
printf 'ring_buffer_size: 32M\n' > "$T/tripline.yaml"

alerts_loaderd_start -f "$T/tripline.yaml"
ok "loaderd up with -A alerts.yaml"

# policy NAME SEVERITY: sys_symlinkat whose link path starts with $M/NAME-,
# Post, tagged severity=SEVERITY
policy() { symlink_policy "$1" "$2" "flood test"; }
policy tl-flood high && policy tl-crit critical
check "policies loaded (tl-flood severity=high, tl-crit severity=critical)" [ $? -eq 0 ]

# the flood comes from an unprivileged user: a copy of the trigger it may run
cp "$TR" "$M/tl-trigger"
chmod 755 "$M/tl-trigger"
# flood N: N symlinkat calls by nobody into a directory that does not
# exist (each fails with ENOENT; each is a hit)
flood() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$M/tl-trigger" repeat "$1" symlinkat /etc/passwd "$M/tl-flood-d/x" \
	    >/dev/null
}
now() { date +%s.%N; }
nhits() { q "SELECT count(*) FROM events WHERE policy_name='$1'"; }
hits_are() { [ "$(nhits "$1")" = "$2" ]; }
pending() { q "SELECT count(*) FROM outbox WHERE receiver='flood' AND state='pending'"; }
within_cap() { [ "$(pending)" -le $CAP ]; }
# crit_sent N: the crit sink accepted N requests
crit_sent() { [ "$(sink_count crit '"status": 200')" -ge "$1" ]; }
# crit_hit SUFFIX: a critical hit; prints the seconds until the crit sink
# accepted one more request, or "none" after $BOUND s
crit_hit() {
	_before=$(sink_count crit '"status": 200')
	_t0=$(now)
	"$TR" symlinkat /etc/passwd "$M/tl-crit-$1" >/dev/null
	if wait_for $BOUND crit_sent $((_before + 1)); then
		sink_json crit "'%.2f' % ([r['time'] for r in R if r['status'] == 200][$_before] - $_t0)"
	else
		echo none
	fi
}
under_bound() { "$PY" -c "import sys; sys.exit(0 if sys.argv[1] != 'none' and float(sys.argv[1]) < $BOUND else 1)" "$1"; }

# ---- the critical route works: its delay without a flood ---------------------------
d=$(crit_hit 0)
check "no flood: the critical alert reached its sink within $BOUND s" under_bound "$d"
diag "no flood: critical alert at the sink after $d s"

# ---- the flood: 100 000 hits on r-flood, its sink answering 500 --------------------
# A destination's backlog is checked once every chunk is stored (the
# scheduler folds the excess at its next run, within a second)
caps=
n=0
while [ $n -lt $FLOOD ]; do
	if [ $n -eq $((FLOOD / 2)) ]; then
		# mid-flood: a critical hit while a chunk is being made
		flood $CHUNK &
		fpid=$!
		dmid=$(crit_hit mid)
		wait $fpid
	else
		flood $CHUNK
	fi
	n=$((n + CHUNK))
	wait_for 120 hits_are tl-flood $n || break
	wait_for 5 within_cap
	caps="$caps $(pending)"
done
check "mid-flood: the critical alert on r-crit reached its sink within $BOUND s" under_bound "${dmid:-none}"
diag "mid-flood: critical alert at the sink after ${dmid:-none} s"
is "flood: $FLOOD hits stored for tl-flood" "$(nhits tl-flood)" "$FLOOD"
is "flood: one outbox row per hit on r-flood" \
    "$(q "SELECT count(*) FROM outbox WHERE route='r-flood'")" "$FLOOD"
diag "flood: pending jobs of the flood destination after each chunk:$caps"
r=ok
for c in $caps; do [ "$c" -le $CAP ] || r="$c pending"; done
[ -n "$caps" ] || r="no sample"
is "flood: the flooded destination's pending backlog stays within the cap ($CAP)" "$r" ok
is "flood: the excess is folded into one open summary job" \
    "$(q "SELECT count(*) FROM outbox WHERE receiver='flood' AND state='pending' AND json_extract(payload, '\$.event.tripline_summary.alerts') > 0")" "1"
like "flood: its sink's failures opened the circuit (its jobs are held back)" \
    "$(grep 'alerts: flood: .*circuit open' "$T/loaderd.log")" "circuit open"

# ---- a critical hit on the other route, the flood's jobs held back ------------------
d=$(crit_hit 1)
check "flood: the critical alert on r-crit reached its sink within $BOUND s" under_bound "$d"
diag "flood: critical alert at the sink after $d s"
is "flood: the sink accepted the critical rows' idempotency keys" \
    "$(sink_json crit "' '.join(sorted(set(r['headers'].get('Idempotency-Key', '') for r in R if r['status'] == 200)))")" \
    "$(q "SELECT idem_key FROM outbox WHERE route='r-crit' ORDER BY idem_key" | tr '\n' ' ' | sed 's/ $//')"
is "flood: nothing of the flood was delivered meanwhile (its sink answers 500)" \
    "$(q "SELECT count(*) FROM outbox WHERE receiver='flood' AND state='delivered'")" "0"
diag "flood: outbox of r-flood: $(q "SELECT state || '=' || count(*) FROM outbox WHERE route='r-flood' GROUP BY state" | tr '\n' ' ')"
diag "flood: 500s answered: $(sink_count flood '"status": 500')"

# ---- the flood's sink comes back: the jobs kept and the summary are delivered -------
echo '[{"path_prefix": "/", "responses": [{"status": 200, "body": "ok"}]}]' > "$T/flood.json.new"
mv "$T/flood.json.new" "$T/flood.json"
settled() { [ -z "$(q "SELECT 1 FROM outbox WHERE route='r-flood' AND state IN ('pending','inflight','waiting') LIMIT 1")" ]; }
wait_for 180 settled
is "back: every flood row ends delivered or folded (merged)" \
    "$(q "SELECT count(*) FROM outbox WHERE route='r-flood' AND state IN ('delivered','merged')")" "$FLOOD"
SUMS="merged_into IN (SELECT id FROM outbox WHERE route='r-flood' AND json_extract(payload, '\$.event.tripline_summary.alerts') > 0)"
# N of a summary: 1 for its own row + 1 per row merged into it (the N of a
# summary merged into it: an earlier summary folded again); count = hits
NS="json_extract(payload, '\$.event.tripline_summary.alerts')"
is "back: every summary delivered (or folded into a later one); N = 1 + what was merged into it; count = hits" \
    "$(q "SELECT count(*) FROM outbox s WHERE s.route='r-flood' AND $NS > 0 AND (s.state NOT IN ('delivered', 'merged') OR $NS <> 1 + (SELECT IFNULL(sum(IFNULL(json_extract(m.payload, '\$.event.tripline_summary.alerts'), 1)), 0) FROM outbox m WHERE m.merged_into = s.id) OR s.count <> $NS)")" "0"
is "back: every merged row is folded into a summary" \
    "$(q "SELECT count(*) FROM outbox WHERE route='r-flood' AND state='merged' AND NOT ($SUMS)")" "0"

# what the sink accepted: one request per delivered key; the summaries'
# "N more" bodies; N summed with the jobs delivered one by one = the hits
r=$("$PY" - "$(sink_log flood)" "$DB" "$FLOOD" <<'EOF2'
import json, re, sqlite3, sys
log, DB, hits = sys.argv[1], sys.argv[2], int(sys.argv[3])
R = [json.loads(l) for l in open(log, encoding="utf-8") if l.strip()]
db = sqlite3.connect(DB, timeout=5)
delivered = dict(db.execute("SELECT idem_key, json_extract(payload, '$.event.tripline_summary.alerts')"
                            " FROM outbox WHERE route='r-flood' AND state='delivered'").fetchall())
acc = {}
dup = 0
for r in R:
    if r["status"] == 200:
        k = r["headers"].get("Idempotency-Key")
        dup += k in acc
        acc.setdefault(k, json.loads(r["body"]))
out = []
if set(acc) != set(delivered):
    out.append("accepted keys %d, delivered rows %d, differing %d" %
               (len(acc), len(delivered), len(set(acc) ^ set(delivered))))
single = sums = 0
for k, b in acc.items():
    s = (b.get("event") or {}).get("tripline_summary") if isinstance(b.get("event"), dict) else None
    if s is None:
        single += 1
        continue
    n = s.get("alerts", 0)
    sums += n
    if delivered.get(k) != n: out.append("summary %s: %r alerts at the sink, %r in the db" % (k, n, delivered.get(k)))
    if b.get("count") != s.get("hits") or s.get("hits") != n: out.append("summary %s: count %r hits %r alerts %r" % (k, b.get("count"), s.get("hits"), n))
    if not re.match(r"^\[high\] %d more alerts for flood$" % n, b.get("title", "")): out.append("title %r" % b.get("title"))
    if s.get("destination") != "flood" or s.get("cap") != 1000: out.append("summary %r" % s)
if sums == 0: out.append("no summary reached the sink")
if single + sums != hits: out.append("%d delivered one by one + %d in summaries != %d hits" % (single, sums, hits))
print("; ".join(out) or "ok %d %d %d" % (single, sums, dup))
EOF2
)
like "back: the sink accepted every delivered job's key and 'N more' summaries: one by one + N = hits ($FLOOD)" "$r" '^ok '
diag "back: delivered one by one, alerts in summaries, repeated keys (at-least-once): ${r#ok }"
n=$(q "SELECT sum($NS) FROM outbox WHERE route='r-flood' AND state <> 'merged'")
is "back: meta alerts_folded = N summed over the summaries" \
    "$(q "SELECT value FROM meta WHERE key='alerts_folded'")" "${n:-no summary}"
kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" "0"
diag "deliveries: $(q "SELECT status || '=' || count(*) FROM deliveries GROUP BY status" | tr '\n' ' ')"
finish
