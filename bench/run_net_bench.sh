#!/bin/sh
# bench/run_net_bench.sh -- cost of network policies on loopback storms.
#
#   sh bench/run_net_bench.sh [-k] [-s] [-c cpu] [-t tcp_ops] [-u udp_ops]
#       [-r rounds] [-v "variants"] [BUILDDIR]
#
# Needs root, a built tree (BUILDDIR, default ./build: tripline-loaderd,
# triplinectl, bench/net_storm), the sqlite3 shell and the users tripline
# and tripline-notify.  Two storms, each from one process pinned to CPU
# (default 0), only on 127.0.0.1: tcp (default 5000 connect + accept +
# close) and udp (default 100000 sendto + recv).  Variants:
#
#   a       nothing attached (the baseline)
#   tpfloor the smallest program on sock/inet_sock_set_state ("return 0",
#           bench/floor_attach): what the kernel charges for any program
#           there, before tripline's engine runs
#   skbfloor the same for cgroup_skb ingress+egress on the cgroup2 root
#   floor   the same tracepoint with no argument and a matchBinaries that
#           never matches (decided from the binary path's length): the
#           fixed cost of a program on that tracepoint
#   missint the tracepoint with only newstate (int) and Equal 99 (never):
#           no socket read, no socket tracking
#   miss    tracepoint sock/inet_sock_set_state (sock, newstate) whose
#           selector DAddr 203.0.113.0/24 never matches (target: <= x1.05)
#   all     the same tracepoint with no selector: every TCP state change
#           is posted (events stored, events/s stored, drops)
#   connect kprobe tcp_connect (sock) whose DAddr 203.0.113.0/24 never
#           matches: once a connect (without kprobes the cgroup connect4/6
#           programs run it, in the caller: no socket tracking needed)
#           (target: <= x1.05)
#   sendto  syscall hook sys_sendto whose destination sockaddr (SAddr
#           203.0.113.0/24) never matches: once a datagram, in the sender
#   track   policies/examples/net-socket-tracking.yaml (socket tracking)
#   skb     __cgroup_bpf_run_filter_skb (sock, skb, int) with skb DAddr
#           203.0.113.0/24 (never matches)
#
# A variant whose policy this build or kernel refuses is skipped, with the
# reason printed.  One cycle is a, then the variants in an order rotated
# by one each cycle; the run is ROUNDS cycles (default 5) and a final a,
# so every variant round lies between two baseline rounds and is compared
# with their mean.  Every tripline round gets a fresh loaderd and state
# dir.  Reported per storm and variant: median ops/s and the median of the
# per-round ratios (variant / mean of the a rounds around it); for all:
# rows stored against state changes, stored/s (rows / time from the storm's
# start until the count stopped growing), ring-buffer and hook drops.
# -k: keep the work dir (per-round figures in WORKDIR/results.tsv).
# -s: also the BPF run time of every BPF program that ran during each
# round's storm (except process.bpf.c's exec/fork/exit; other BPF users
# on the machine would be counted too)
# (kernel.bpf_stats_enabled, which adds ~20 ns to every run: the ratios
# of a -s run are not comparable with a run without it): per storm,
# variant and program the median ns per run and runs per operation.
set -eu

rounds=5
tcp_ops=5000
udp_ops=100000
cpu=0
keep=0
stats=0
variants="tpfloor floor missint miss connect sendto all track skbfloor skb"
while getopts "c:hkr:st:u:v:" opt; do
	case $opt in
	c) cpu=$OPTARG ;;
	k) keep=1 ;;
	s) stats=1 ;;
	r) rounds=$OPTARG ;;
	t) tcp_ops=$OPTARG ;;
	u) udp_ops=$OPTARG ;;
	v) variants=$OPTARG ;;
	h) sed -n '2,48p' "$0"; exit 0 ;;
	*) echo "usage: $0 [-k] [-s] [-c cpu] [-t tcp_ops] [-u udp_ops] [-r rounds] [-v variants] [BUILDDIR]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
B=${1:-./build}

die() { echo "run_net_bench: $*" >&2; exit 1; }
log() { echo "run_net_bench: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (tripline-loaderd loads BPF programs)"
B=$(cd "$B" 2>/dev/null && pwd -P) || die "no build directory ${1:-./build}"
SRC=$(cd "$(dirname "$0")/.." && pwd -P)
for f in tripline-loaderd triplinectl bench/net_storm bench/floor_attach; do
	[ -x "$B/$f" ] || die "$B/$f missing: build the tree first"
done
command -v sqlite3 >/dev/null || die "needs the sqlite3 command-line shell"
case $rounds$tcp_ops$udp_ops in *[!0-9]*) die "-r, -t, -u take numbers" ;; esac
for v in $variants; do
	case $v in tpfloor|floor|missint|miss|connect|sendto|all|track|skbfloor|skb) ;; *) die "unknown variant $v" ;; esac
done

W=$(mktemp -d /tmp/tripline-netbench.XXXXXX)
chmod 755 "$W"
RES=$W/results.tsv
: >"$RES"
LPID=
cleanup() {
	stop_loaderd
	[ "$stats" -eq 0 ] || sysctl -q kernel.bpf_stats_enabled="$stats_was" || true
	if [ "$keep" -eq 1 ]; then log "work dir kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT INT TERM
if [ "$stats" -eq 1 ]; then
	command -v bpftool >/dev/null || die "-s needs bpftool"
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
fi
BPFT=$W/bpf.tsv
: >"$BPFT"

now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
jq_() { # FILE EXPR...
	_f=$1; shift
	sqlite3 -separator ' ' :memory: "SELECT $* FROM (SELECT CAST(readfile('$_f') AS TEXT) AS j);"
}

# the policy of a variant into $W/pol/VARIANT.yaml
policy() {
	mkdir -p "$W/pol"
	case $1 in
	track) cp "$SRC/policies/examples/net-socket-tracking.yaml" "$W/pol/$1.yaml"; return ;;
	tpfloor|skbfloor) return ;;
	esac
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n'
		printf 'metadata:\n  name: "bench-%s"\nspec:\n' "$1"
		case $1 in
		floor) cat <<'EOF'
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "/nonexistent/tripline-bench-floor"
EOF
		;;
		missint) cat <<'EOF'
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    args:
    - index: 6
      type: "int"
      label: "newstate"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "99"
EOF
		;;
		miss|all) cat <<'EOF'
  tracepoints:
  - subsystem: "sock"
    event: "inet_sock_set_state"
    args:
    - index: 4
      type: "sock"
    - index: 6
      type: "int"
      label: "newstate"
EOF
		;;
		connect) cat <<'EOF'
  kprobes:
  - call: "tcp_connect"
    syscall: false
    args:
    - index: 0
      type: "sock"
    selectors:
    - matchArgs:
      - index: 0
        operator: "DAddr"
        values:
        - "203.0.113.0/24"
EOF
		;;
		sendto) cat <<'EOF'
  kprobes:
  - call: "sys_sendto"
    syscall: true
    args:
    - index: 4
      type: "sockaddr"
    selectors:
    - matchArgs:
      - index: 4
        operator: "SAddr"
        values:
        - "203.0.113.0/24"
EOF
		;;
		skb) cat <<'EOF'
  kprobes:
  - call: "__cgroup_bpf_run_filter_skb"
    syscall: false
    args:
    - index: 0
      type: "sock"
    - index: 1
      type: "skb"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "DAddr"
        values:
        - "203.0.113.0/24"
EOF
		;;
		esac
		case $1 in miss) cat <<'EOF'
    selectors:
    - matchArgs:
      - index: 0
        operator: "DAddr"
        values:
        - "203.0.113.0/24"
EOF
		;; esac
	} >"$W/pol/$1.yaml"
}

stop_loaderd() {
	exec 8>&-
	if [ -n "$LPID" ]; then
		kill "$LPID" 2>/dev/null || true
		wait "$LPID" 2>/dev/null || true
		LPID=
	fi
}

# floor VARIANT: bench/floor_attach's program for it, held until
# stop_loaderd closes its stdin; 1 if it could not attach
floor() {
	_fv=$1
	rm -f "$W/floor.in"
	mkfifo "$W/floor.in"
	case $1 in
	tpfloor) set -- tp sock/inet_sock_set_state ;;
	skbfloor) set -- skb "$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)" ;;
	esac
	"$B/bench/floor_attach" "$@" <"$W/floor.in" >"$W/floor.out" 2>"$W/$_fv.refused" &
	LPID=$!
	exec 8>"$W/floor.in"
	_i=0
	until grep -q ready "$W/floor.out" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -ge 50 ] || ! kill -0 "$LPID" 2>/dev/null; then
			stop_loaderd
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# start VARIANT: a fresh loaderd with the variant's policy; 1 if refused
# (the reason in $W/VARIANT.refused)
start() {
	case $1 in *floor) [ "$1" != floor ] && { floor "$1"; return; } ;; esac
	rm -rf "$W/state"
	mkdir -p "$W/state"
	"$B/tripline-loaderd" -S "$W/state" -X "$B" -N bench -V none \
	    >"$W/loaderd.log" 2>&1 &
	LPID=$!
	_i=0
	until "$B/triplinectl" -S "$W/state" status 2>/dev/null |
	    grep -q 'collectord  *running'; do
		_i=$((_i + 1))
		[ "$_i" -lt 300 ] || die "loaderd did not come up ($W/loaderd.log)"
		sleep 0.1
	done
	if ! "$B/triplinectl" -S "$W/state" policy add "$W/pol/$1.yaml" \
	    >"$W/$1.refused" 2>&1; then
		stop_loaderd
		return 1
	fi
	sleep 1
	return 0
}

rows() { sqlite3 -cmd '.timeout 5000' "$W/state/events.db" "SELECT count(*) FROM events WHERE policy_name = 'bench-$1'" 2>/dev/null || echo 0; }

# stored rows once the count stopped growing for 1 s; the time it last
# grew in $W/stable_t
wait_stable() {
	_last=-1
	_n=$(rows "$1")
	while [ "$_n" != "$_last" ]; do
		now >"$W/stable_t"
		_last=$_n
		sleep 1
		_n=$(rows "$1")
	done
	echo "$_n"
}

storm() { # KIND
	if [ "$cpu" = none ]; then "$B/bench/net_storm" "$1" "$2"
	else taskset -c "$cpu" "$B/bench/net_storm" "$1" "$2"; fi
}

# progstats KIND VARIANT OPS: a line of bpf.tsv per program of this
# loaderd that ran during the storm (between progs0.json and now):
# kind variant program ns_per_run runs_per_op
progstats() {
	bpftool prog show -j >"$W/progs1.json"
	sqlite3 -separator "$(printf '\t')" :memory: "
	    WITH b AS (SELECT json_extract(value, '\$.id') AS id,
		IFNULL(json_extract(value, '\$.run_cnt'), 0) AS c,
		IFNULL(json_extract(value, '\$.run_time_ns'), 0) AS t
		FROM json_each(CAST(readfile('$W/progs0.json') AS TEXT))),
	    a AS (SELECT json_extract(value, '\$.id') AS id,
		json_extract(value, '\$.name') AS name,
		IFNULL(json_extract(value, '\$.run_cnt'), 0) AS c,
		IFNULL(json_extract(value, '\$.run_time_ns'), 0) AS t
		FROM json_each(CAST(readfile('$W/progs1.json') AS TEXT)))
	    SELECT '$1', '$2', a.name, (a.t - b.t) / (a.c - b.c),
		printf('%.2f', (a.c - b.c) * 1.0 / $3)
	    FROM a JOIN b USING (id)
	    WHERE a.c > b.c AND a.name NOT IN ('handle_exec', 'handle_fork',
		'handle_exit');" >>"$BPFT"
}

# round KIND VARIANT CYCLE: one storm; a line of results.tsv:
# kind variant cycle ops_per_s stored stored_per_s ring_dropped hook_dropped
round() {
	_ops=$tcp_ops
	[ "$1" = udp ] && _ops=$udp_ops
	if [ "$2" != a ] && ! start "$2"; then
		printf '%s\t%s\t%s\tskip\n' "$1" "$2" "$3" >>"$RES"
		return
	fi
	[ "$stats" -eq 0 ] || [ "$2" = a ] || bpftool prog show -j >"$W/progs0.json"
	_t0=$(now)
	_o=$(storm "$1" "$_ops")
	[ "$stats" -eq 0 ] || [ "$2" = a ] || progstats "$1" "$2" "$_ops"
	_r=$(kv "$_o" ops_per_s)
	_st=- _sps=- _rd=- _hd=-
	if [ "$2" = all ]; then
		_st=$(wait_stable "$2")
		_sps=$(awk -v n="$_st" -v t="$(fsub "$(cat "$W/stable_t")" "$_t0")" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
		"$B/triplinectl" -S "$W/state" status --json >"$W/status.json" 2>/dev/null || true
		"$B/triplinectl" -S "$W/state" policy list --json >"$W/policies.json" 2>/dev/null || true
		_rd=$(jq_ "$W/status.json" "IFNULL(json_extract(j, '\$.ring_buffer.dropped'), 0)")
		_hd=$(jq_ "$W/policies.json" "IFNULL(json_extract(j, '\$.policies[0].hooks[0].dropped'), 0)")
	fi
	[ "$2" = a ] || stop_loaderd
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$_r" "$_st" \
	    "$_sps" "$_rd" "$_hd" >>"$RES"
}

median() { sort -n | awk -v f="${1:-%.0f}" '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf f "\n", v[(NR + 1) / 2]; else printf f "\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for v in $variants; do policy "$v"; done
for kind in tcp udp; do
	c=1
	while [ "$c" -le "$rounds" ]; do
		round "$kind" a "$c"
		set -- $variants
		i=1
		while [ "$i" -lt "$c" ]; do	# rotate by c - 1
			_f=$1; shift; set -- "$@" "$_f"; i=$((i + 1))
		done
		for v in "$@"; do
			log "$kind cycle $c: $v"
			round "$kind" "$v" "$c"
		done
		c=$((c + 1))
	done
	round "$kind" a "$c"
done

# per-round ratio: the variant against the mean of the a rounds around it
awk -F '\t' '
	{ k[NR] = $1; v[NR] = $2; r[NR] = $4; line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (v[i] == "a" || r[i] == "skip" || r[i] == "") continue
			for (p = i - 1; p > 0 && !(k[p] == k[i] && v[p] == "a"); p--) ;
			for (n = i + 1; n <= NR && !(k[n] == k[i] && v[n] == "a"); n++) ;
			if (p < 1 || n > NR) continue
			printf "%s\t%s\t%.4f\n", k[i], v[i], (r[p] + r[n]) / 2 / r[i]
		}
	}' "$RES" >"$W/ratios.tsv"

echo "kernel $(uname -r); tcp $tcp_ops connect+accept+close, udp $udp_ops sendto+recv per round; $rounds cycles"
printf '%-5s %-6s %12s %10s %10s %10s %8s %8s\n' storm var "ops/s(med)" "cost(med)" stored "stored/s" ringdrop hookdrop
for kind in tcp udp; do
	for v in a $variants; do
		if awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v && $4 == "skip" { f = 1 } END { exit !f }' "$RES"; then
			printf '%-5s %-6s skipped: %s\n' "$kind" "$v" "$(tr '\n' ' ' <"$W/$v.refused")"
			continue
		fi
		ops=$(awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v { print $4 }' "$RES" | median)
		cost=$(awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v { print $3 }' "$W/ratios.tsv" | median %.3f)
		[ "$v" = a ] && cost=1
		st=$(awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v && $5 != "-" { print $5 }' "$RES" | median)
		sps=$(awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v && $6 != "-" { print $6 }' "$RES" | median)
		rd=$(awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v && $7 != "-" { s += $7 } END { print s + 0 }' "$RES")
		hd=$(awk -F '\t' -v k="$kind" -v v="$v" '$1 == k && $2 == v && $8 != "-" { s += $8 } END { print s + 0 }' "$RES")
		printf '%-5s %-6s %12s %10s %10s %10s %8s %8s\n' "$kind" "$v" "$ops" "x$cost" "$st" "$sps" "$rd" "$hd"
	done
done
echo "cost: time per op against the baseline (mean of the a rounds around each round), median over rounds"
if [ "$stats" -eq 1 ]; then
	echo "BPF run time (-s; kernel.bpf_stats_enabled adds ~20 ns a run), median over rounds:"
	printf '%-5s %-7s %-20s %10s %10s\n' storm var program ns/run runs/op
	cut -f 1-3 "$BPFT" | sort -u | while IFS="$(printf '\t')" read -r k v p; do
		ns=$(awk -F '\t' -v k="$k" -v v="$v" -v p="$p" '$1 == k && $2 == v && $3 == p { print $4 }' "$BPFT" | median)
		ro=$(awk -F '\t' -v k="$k" -v v="$v" -v p="$p" '$1 == k && $2 == v && $3 == p { print $5 }' "$BPFT" | median %.2f)
		printf '%-5s %-7s %-20s %10s %10s\n' "$k" "$v" "$p" "$ns" "$ro"
	done
fi
