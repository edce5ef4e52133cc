#!/bin/sh
# bench/run_latency_bench.sh -- time from a system call to its row being
# visible in events.db, at 10 %, 50 % and 90 % of a sustained rate.
#
#   sh bench/run_latency_bench.sh [-r sustained_per_s] [-t seconds]
#       [-l "10 50 90"] [BUILDDIR]
#
# Needs root, a built tree (tripline-loaderd, triplinectl, collectord/,
# notifierd/, bench/store_latency) and the users tripline and
# tripline-notify.  Starts loaderd with one policy that posts every openat
# of files under a work directory (as run_openat_bench.sh's `c`), then for
# each load runs bench/store_latency at that share of the sustained rate
# (-r, default 130000: the `c` stored/s of run_openat_bench.sh on this
# machine) for -t seconds (default 10), pinned to CPU 0.  Reported per
# load: calls, rows seen, p50/p90/p99/max of now - time_ns when a reader
# polling every 2 ms saw the row, and the ring-buffer drops of the round.
set -u
rate=130000 secs=10 loads="10 50 90"
while getopts r:t:l: o; do
	case $o in
	r) rate=$OPTARG ;;
	t) secs=$OPTARG ;;
	l) loads=$OPTARG ;;
	*) echo "usage: $0 [-r per_s] [-t s] [-l loads] [BUILDDIR]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
B=$(cd "${1:-build}" && pwd) || exit 1
die() { echo "run_latency_bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$B/bench/store_latency" ] || die "$B/bench/store_latency: not built"
W=$(mktemp -d /tmp/tripline-latency.XXXXXX)
chmod 755 "$W"
LPID=
cleanup() {
	[ -z "$LPID" ] || { kill "$LPID" 2>/dev/null; wait "$LPID"; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$W/target" "$W/state"
i=0
while [ $i -lt 100 ]; do : >"$W/target/f$i"; i=$((i + 1)); done
cat >"$W/pol.yaml" <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: openat-lat
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$W/target/"
EOF
: >"$W/conf.yaml"
status() {
	"$B/triplinectl" -S "$W/state" status --json >"$W/status.json" \
	    2>/dev/null
}
jq_() { # EXPR: on status.json
	sqlite3 -separator ' ' :memory: "SELECT $* FROM (SELECT CAST(readfile('$W/status.json') AS TEXT) AS j);"
}
running() {
	status && [ "$(sqlite3 :memory: "SELECT count(*) FROM json_each(CAST(readfile('$W/status.json') AS TEXT), '\$.children') WHERE json_extract(value, '\$.state') = 'running'")" = 2 ]
}
dropped() {
	status && jq_ "IFNULL(json_extract(j, '\$.ring_buffer.dropped'), 0)"
}
"$B/tripline-loaderd" -S "$W/state" -X "$B" -N bench -V none \
    -f "$W/conf.yaml" -p "$W/pol.yaml" >"$W/loaderd.log" 2>&1 &
LPID=$!
i=0
until running; do
	i=$((i + 1))
	if [ $i -gt 240 ] || ! kill -0 "$LPID" 2>/dev/null; then
		sed 's/^/  | /' "$W/loaderd.log" >&2
		die "collectord/notifierd not running"
	fi
	sleep 0.25
done
echo "run_latency_bench: build $B; sustained rate $rate/s; $secs s per load"
printf 'load\trate/s\tcalls\tseen\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tring_drops\n'
for l in $loads; do
	d0=$(dropped)
	line=$("$B/bench/store_latency" -d "$W/state/events.db" \
	    -p "$W/target" -P openat-lat -r $((rate * l / 100)) -t "$secs" \
	    -c 0) || die "store_latency failed"
	d1=$(dropped)
	kv() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	printf '%s%%\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$l" "$(kv rate)" \
	    "$(kv calls)" "$(kv seen)" "$(kv p50_ms)" "$(kv p90_ms)" \
	    "$(kv p99_ms)" "$(kv max_ms)" "$((d1 - d0))"
done
# memory after the loads: loaderd and collectord VmHWM / VmRSS (kB)
mem() { # PID
	awk '/^VmHWM|^VmRSS/ { printf "%s %s kB  ", $1, $2 }' "/proc/$1/status"
}
cpid=$(pgrep -P "$LPID" -f collectord | head -1)
echo "loaderd: $(mem "$LPID")"
[ -z "$cpid" ] || echo "collectord: $(mem "$cpid")"
