#!/bin/sh
# bench/run_alerts_bench.sh -- alert delivery speed (issue 5, "Speed"):
# alerts/s through the whole path (BPF hook -> ring buffer -> collectord
# -> events.db + outbox -> notifierd -> HTTP) to the local HTTP sink
# (tests/sinks/http_sink.py), and the latency from the system call to the
# sink receiving the alert, p50/p99, with grouping off.
#
#   sudo sh bench/run_alerts_bench.sh [-k] [-R rounds] [-n paced_hits]
#       [-r rate] [-N burst_hits] [-i max_inflight] [-w settle_s] [BUILDDIR]
#
# Needs root, a built tree (BUILDDIR, default ./build: tripline-loaderd,
# triplinectl, collectord/, notifierd/), /usr/bin/python3, the sqlite3
# shell and the users tripline and tripline-notify.  Each of ROUNDS
# (default 3) rounds starts a fresh loaderd (-V none, -A with one webhook
# receiver at the sink, one route without group_by, max_inflight -i,
# default 4) and a policy on sys_symlinkat (Post) whose link path prefix is
# the round's own, then:
#
#   paced   -n hits (default 300) at -r per second (default 20): latency
#           without queueing (bench/alerts_trigger.py reads CLOCK_REALTIME
#           just before each symlinkat; the sink records its arrival time
#           on the same clock; the hit is found by its link path in the
#           webhook body's event args)
#   burst   -N hits (default 3000) as fast as one process makes them:
#           alerts/s = delivered / (last arrival - first syscall), and the
#           latency under that load
#
# A round waits until every hit has arrived or nothing new arrived for -w
# seconds (default 15).  Reported per round and as medians: hits, arrived,
# duplicates at the sink, outbox rows not 'delivered', p50/p90/p99/max
# latency, alerts/s.  Per-hit figures: WORKDIR/round-R-{paced,burst}.tsv.
# -k keeps WORKDIR.
set -eu

rounds=3 paced=300 rate=20 burst=3000 inflight=4 settle=15 keep=0
while getopts kR:n:r:N:i:w: o; do
	case $o in
	k) keep=1 ;;
	R) rounds=$OPTARG ;;
	n) paced=$OPTARG ;;
	r) rate=$OPTARG ;;
	N) burst=$OPTARG ;;
	i) inflight=$OPTARG ;;
	w) settle=$OPTARG ;;
	*) sed -n '2,30p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
B=$(cd "${1:-$top_srcdir/build}" && pwd)
CTL=$B/triplinectl
[ "$(id -u)" -eq 0 ] || { echo "run_alerts_bench: needs root" >&2; exit 1; }
for f in "$B/tripline-loaderd" "$CTL" /usr/bin/python3; do
	[ -x "$f" ] || { echo "run_alerts_bench: missing $f" >&2; exit 1; }
done
command -v sqlite3 >/dev/null || { echo "run_alerts_bench: sqlite3 missing" >&2; exit 1; }

# testlib.sh's diag/wait_for and the sink helpers
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
W=$(mktemp -d /tmp/tripline-alerts-bench.XXXXXX)
chmod 755 "$W"
LPID=
cleanup() {
	if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null || true; fi
	sinks_stop_all
	if [ "$keep" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sinks_init "$W/sinks"
echo '[{"path_prefix": "/", "responses": [{"status": 200, "body": "ok"}]}]' > "$W/sink.json"
http_sink_start sink "$W/sink.json" >/dev/null || { echo "http sink did not start" >&2; exit 1; }
H=$(sink_port sink)

# analyse LOG TRIGGERS PREFIX OUT.tsv: one summary line
analyse() {
	/usr/bin/python3 - "$@" <<'PYEOF'
import json, re, sys
log, trig, prefix, out = sys.argv[1:5]
t0 = {}
for line in open(trig):
    i, t = line.split()
    t0[int(i)] = int(t)
pat = re.compile(re.escape(prefix) + r"(\d+)")
first, dups = {}, 0
for line in open(log, encoding="utf-8"):
    r = json.loads(line)
    m = pat.search(r.get("body", ""))
    if not m or r.get("status") != 200:
        continue
    i = int(m.group(1))
    if i in first:
        dups += 1
    else:
        first[i] = r["time_ns"]
lat = sorted((first[i] - t0[i]) / 1e6 for i in first if i in t0)
with open(out, "w") as f:
    f.write("i\tsyscall_ns\tarrival_ns\tlatency_ms\n")
    for i in sorted(t0):
        a = first.get(i)
        f.write("%d\t%d\t%s\t%s\n" % (i, t0[i], a if a else "-",
                "%.3f" % ((a - t0[i]) / 1e6) if a else "-"))
def pct(p):
    if not lat:
        return float("nan")
    return lat[min(len(lat) - 1, int(round(p / 100.0 * (len(lat) - 1))))]
span = (max(first.values()) - min(t0.values())) / 1e9 if first else 0
trig_span = (max(t0.values()) - min(t0.values())) / 1e9 if t0 else 0
print("hits=%d arrived=%d dups=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f "
      "alerts_per_s=%.1f syscalls_per_s=%.1f" % (
      len(t0), len(first), dups, pct(50), pct(90), pct(99),
      lat[-1] if lat else float("nan"),
      len(first) / span if span > 0 else 0,
      len(t0) / trig_span if trig_span > 0 else 0))
PYEOF
}

# wait_arrivals PREFIX N: until N distinct hits arrived or none new for $settle s
wait_arrivals() {
	last=-1 still=0
	while :; do
		n=$(grep -o "$1[0-9]*" "$(sink_log sink)" 2>/dev/null | sort -u | wc -l)
		[ "$n" -ge "$2" ] && return 0
		if [ "$n" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge $((settle * 4)) ] && return 1
		else
			still=0 last=$n
		fi
		sleep 0.25
	done
}

results=$W/results.txt
: > "$results"
r=1
while [ $r -le "$rounds" ]; do
	RD=$W/round-$r
	S=$RD/state D=$RD/m
	mkdir -p "$S" "$D"
	chmod 777 "$D"
	cat > "$RD/alerts.yaml" <<EOF2
defaults:
  timeout: 10s
  retry: {initial: 1s, max: 30s}
  max_inflight: $inflight
receivers:
  - name: bench
    webhook: {url: "http://127.0.0.1:$H/bench"}
routes:
  - name: r-bench
    match: {policy: [alerts-bench]}
    receivers: [bench]
EOF2
	chmod 600 "$RD/alerts.yaml"
	"$B/tripline-loaderd" -d -S "$S" -X "$B" -N bench -V none \
	    -A "$RD/alerts.yaml" >"$RD/loaderd.log" 2>&1 &
	LPID=$!
	if ! wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'notifierd  *running' &&
	    '$CTL' -S '$S' status | grep -q 'collectord  *running'"; then
		tail -20 "$RD/loaderd.log" >&2
		echo "run_alerts_bench: daemons did not come up" >&2
		exit 1
	fi
	pfx=tlab$$r$r-
	cat > "$RD/policy.yaml" <<EOF2
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "alerts-bench"
spec:
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    args:
    - index: 0
      type: "string"
    - index: 2
      type: "string"
    selectors:
    - matchArgs:
      - index: 2
        operator: "Prefix"
        values:
        - "$pfx"
      matchActions:
      - action: Post
EOF2
	"$CTL" -S "$S" policy add "$RD/policy.yaml" >/dev/null
	sleep 2
	for phase in paced burst; do
		if [ $phase = paced ]; then n=$paced rt=$rate; else n=$burst rt=0; fi
		p=${pfx}$phase-
		/usr/bin/python3 "$here/alerts_trigger.py" "$D" "$p" "$n" "$rt" \
		    "$RD/$phase.trig"
		wait_arrivals "$p" "$n" || true
		line=$(analyse "$(sink_log sink)" "$RD/$phase.trig" "$p" \
		    "$W/round-$r-$phase.tsv")
		echo "round=$r phase=$phase $line" | tee -a "$results"
	done
	DB=$S/events.db
	nd=$(sqlite3 -cmd '.timeout 5000' "$DB" \
	    "SELECT count(*) FROM outbox WHERE route='r-bench' AND state <> 'delivered'")
	ev=$(sqlite3 -cmd '.timeout 5000' "$DB" \
	    "SELECT count(*) FROM events WHERE policy_name='alerts-bench'")
	echo "round=$r events=$ev outbox_not_delivered=$nd" | tee -a "$results"
	kill "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=
	r=$((r + 1))
done

echo
echo "medians over $rounds rounds (paced: $paced hits at $rate/s; burst: $burst hits; max_inflight $inflight):"
for phase in paced burst; do
	for k in arrived dups p50_ms p90_ms p99_ms max_ms alerts_per_s syscalls_per_s; do
		v=$(grep "phase=$phase " "$results" | tr ' ' '\n' | sed -n "s/^$k=//p" |
		    sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR + 1) / 2)]}')
		printf '%s %s=%s\n' "$phase" "$k" "$v"
	done
done
