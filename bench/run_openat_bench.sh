#!/bin/sh
# bench/run_openat_bench.sh -- cost of policy hooks on an openat+close
# storm (issue 3, "Speed"), and whether the pipeline keeps up when every
# call matches.
#
#   sh bench/run_openat_bench.sh [-k] [-c cpu] [-n calls] [-r rounds]
#       [-s stats_cycles] [-w settle_s] [-v "variants"] [-O OLDBUILDDIR]
#       [BUILDDIR]
#
# Needs root, a built tree (BUILDDIR, default ./build: tripline-loaderd,
# triplinectl, collectord/, notifierd/, bench/openat_storm), the sqlite3
# shell, bpftool, and the users tripline and tripline-notify.  Every round
# is one storm of CALLS (default 1 000 000) openat+close of one file from
# one process pinned to CPU (default 0).  Variants:
#
#   a       nothing attached (the baseline)
#   floor   no tripline: bench/floor_attach's raw sys_enter program that
#           compares the syscall number with openat's (257, x86_64) and
#           returns (what the kernel charges for any syscall hook)
#   floorx  floor and a raw sys_exit program that returns at once (what
#           the kernel charges for the exit hook that a syscall hook with a
#           string filter also attaches: unreadable strings are read again
#           at exit)
#   b1      loaderd -V none with a sys_openat policy whose selector has
#           matchBinaries In ["/nonexistent/bin/x"] (never this binary)
#   b2      ... matchArgs flags (int) Equal 0x7ead0000 (a value never used)
#   b3      ... matchArgs filename (string) Prefix "/nonexistent/"
#   bp1k    ... matchArgs filename Prefix with 1000 values
#           "/nonexistent/dN/" (never matching; an LPM trie lookup)
#   bs1k    ... Postfix with 1000 values "/nonexistent-sN.cfg" (idem)
#   be1     ... Equal with 1 value "/nonexistent/f1" (compared inline)
#   be4     ... Equal with 4 values (the most compared inline)
#   be5     ... Equal with 5 values (a hash map lookup)
#   be1k    ... Equal with 1000 values (a hash map lookup)
#   c       ... matchArgs filename Prefix the storm's directory: every call
#           matches and is posted
#   cj      c with export.json: false (SQLite only, no events.jsonl)
#   cr      c with retention.max_size 16M and max_age 1h: the round
#           writes many times 16M, so retention deletes while it ingests
#   cb      c with ring_buffer_size 512M: the ring holds what the storm
#           makes faster than the collector stores (a burst of -n calls)
#   ck      c with kernelStackTrace: true on the Post (each row carries
#           the symbolised kernel stack)
#   cu      c with userStackTrace: true (the symbolised user stack)
#   audit   no tripline; kernel audit with `-a always,exit -F arch=b64
#           -S openat -F path=/etc/tripline-bench-none` (never matches)
#   X@old   variant X with OLDBUILDDIR's loaderd (BPF objects are embedded
#           in it): before/after comparisons in the same run
#
# Default variants: "b1 b2 b3 c" (+ "audit" when auditctl exists; + every
# b variant @old with -O).  One cycle is a, then the variants in an order
# rotated by one each cycle; the run is ROUNDS cycles (default 7) and a
# final a, so every variant round lies between two baseline rounds and is
# compared with their mean (cancels linear drift on a noisy VM).  Every
# tripline round gets a fresh loaderd and state dir.
#
# Reported per variant: median ops/s, ratio of the medians against a, and
# the median of per-cycle ratios (variant / mean of the a rounds around
# its cycle).  For c: events stored (rows of the policy in events.db) against
# calls, stored/s (stored / time until the count stopped growing), the rate
# during the storm, ring-buffer and hook drops (triplinectl status --json,
# policy list --json), collectord CPU per stored row.  Each round also
# records kernel.bpf_stats_enabled (must be 0: it adds ~40 ns per program
# run) and how many raw_tracepoint sys_enter/sys_exit links exist beyond
# the round's own (another tracer or tripline instance: the round is not
# clean; reported, and left out of the "clean" ratios).
#
# -s N (default 3, 0: off): after the timed cycles, a separate pass with
# kernel.bpf_stats_enabled=1 (restored after): N cycles over the tripline
# variants, each a fresh loaderd and 3 storms of CALLS/3, reading the
# run time of that loaderd's own sys_enter program (its link fd in
# /proc/PID/fdinfo -> prog_id -> bpftool): BPF ns per openat+close, min and
# median.  Immune to drift between rounds, but includes bpf_stats' own
# clock reads (~20-40 ns per run, two runs per op).
#
# -w: seconds to settle after loaderd start, and for which the stored count
# must not grow before it counts as final (default 2).  -k: keep the work
# dir.  Per-round figures: WORKDIR/results.tsv.
set -eu

rounds=7
scycles=3
calls=1000000
cpu=0
settle=2
keep=0
variants=
old=
while getopts "c:hkn:O:r:s:v:w:" opt; do
	case $opt in
	c) cpu=$OPTARG ;;
	k) keep=1 ;;
	n) calls=$OPTARG ;;
	O) old=$OPTARG ;;
	r) rounds=$OPTARG ;;
	s) scycles=$OPTARG ;;
	v) variants=$OPTARG ;;
	w) settle=$OPTARG ;;
	h) sed -n '2,62p' "$0"; exit 0 ;;
	*) echo "usage: $0 [-k] [-c cpu] [-n calls] [-r rounds] [-s stats_cycles] [-w settle_s] [-v variants] [-O oldbuild] [BUILDDIR]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
B=${1:-./build}

die() { echo "run_openat_bench: $*" >&2; exit 1; }
log() { echo "run_openat_bench: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (tripline-loaderd loads BPF programs)"
B=$(cd "$B" 2>/dev/null && pwd -P) || die "no build directory ${1:-./build}"
if [ -n "$old" ]; then
	old=$(cd "$old" 2>/dev/null && pwd -P) || die "no build directory $old"
fi
for d in "$B" $old; do
	for f in tripline-loaderd triplinectl collectord/collectord \
	    notifierd/notifierd; do
		[ -x "$d/$f" ] || die "$d/$f missing: build the tree first"
	done
done
[ -x "$B/bench/openat_storm" ] || die "$B/bench/openat_storm missing"
case " $variants " in *" floor "*|*" floorx "*)
	[ -x "$B/bench/floor_attach" ] || die "$B/bench/floor_attach missing" ;;
esac
for u in tripline tripline-notify; do
	getent passwd "$u" >/dev/null || die "user $u missing"
done
command -v sqlite3 >/dev/null || die "needs the sqlite3 command-line shell"
command -v bpftool >/dev/null || die "needs bpftool (link census)"
case $rounds$calls$scycles in *[!0-9]*) die "-r, -s and -n take numbers" ;; esac
[ "$rounds" -ge 1 ] && [ "$calls" -ge 1 ] || die "-r and -n must be >= 1"
if [ -z "$variants" ]; then
	variants="b1 b2 b3 c"
	command -v auditctl >/dev/null && variants="$variants audit"
	if [ -n "$old" ]; then
		variants="$variants b1@old b2@old b3@old"
	fi
fi
for v in $variants; do
	case ${v%@old} in b1|b2|b3|c|cj|cr|cb|ck|cu|audit|floor|floorx) ;;
	bp1k|bs1k|be1|be4|be5|be1k) ;;
	*) die "unknown variant $v" ;; esac
	case $v in *@old) [ -n "$old" ] || die "$v needs -O" ;; esac
	case $v in audit@old|floor@old|floorx@old) die "$v makes no sense" ;; esac
done
case " $variants " in *" audit "*)
	command -v auditctl >/dev/null || die "audit variant: no auditctl"
	# none, or only the "never,task" rule an earlier run left
	case $(auditctl -l 2>/dev/null) in
	"No rules"|"-a never,task") ;;
	*) die "audit variant: audit rules are loaded already (auditctl -l); not touching them" ;;
	esac
	audit_was=$(auditctl -s | awk '$1 == "enabled" { print $2 }')
	;;
esac
if [ "$cpu" = none ]; then cpuopt=; else cpuopt="-c $cpu"; fi

W=$(mktemp -d /tmp/tripline-openat.XXXXXX)
chmod 755 "$W"
mkdir "$W/target"
chmod 755 "$W/target"
echo tripline >"$W/target/file"
chmod 644 "$W/target/file"
RES=$W/results.tsv
LPID=
audit_on=
stats_was=
cleanup() {
	[ -z "$stats_was" ] ||
	    sysctl -q -w kernel.bpf_stats_enabled="$stats_was" || true
	if [ -n "$LPID" ]; then
		kill "$LPID" 2>/dev/null || true
		wait "$LPID" 2>/dev/null || true
	fi
	[ -z "$audit_on" ] || audit_off
	if [ "$keep" -eq 1 ]; then
		log "kept $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kernel audit: the rule for the audit rounds, and between them a
# "never,task" rule, because once audit was ever enabled every new task
# gets syscall auditing work (audit_alloc) even with audit disabled again,
# and the baseline storms are new tasks
audit_rule() {
	auditctl -D >/dev/null
	auditctl -a always,exit -F arch=b64 -S openat \
	    -F path=/etc/tripline-bench-none -k tripline-bench >/dev/null
	auditctl -e 1 >/dev/null
	audit_on=1
}
audit_off() {
	auditctl -D >/dev/null
	auditctl -a never,task >/dev/null
	auditctl -e "${audit_was:-0}" >/dev/null
	audit_on=
}

now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# policies: POLNAME SELECTOR-LINES
policy() {
	cat <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "openat-bench-$1"
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
$2
EOF
}
policy b1 '    - matchBinaries:
      - operator: "In"
        values:
        - "/nonexistent/bin/x"' >"$W/pol-b1.yaml"
policy b2 '    - matchArgs:
      - index: 2
        operator: "Equal"
        values:
        - "2125266944"' >"$W/pol-b2.yaml"
policy b3 '    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "/nonexistent/"' >"$W/pol-b3.yaml"
# strlist OPERATOR PRE POST N: a filename entry with values PRE<i>POST
strlist() {
	printf '    - matchArgs:\n      - index: 1\n        operator: "%s"\n        values:\n' "$1"
	awk -v p="$2" -v s="$3" -v n="$4" 'BEGIN {
	    for (i = 1; i <= n; i++) printf "        - \"%s%d%s\"\n", p, i, s }'
}
policy bp1k "$(strlist Prefix /nonexistent/d / 1000)" >"$W/pol-bp1k.yaml"
policy bs1k "$(strlist Postfix /nonexistent-s .cfg 1000)" >"$W/pol-bs1k.yaml"
for _n in 1 4 5 1k; do
	policy "be$_n" "$(strlist Equal /nonexistent/f '' \
	    "$(echo "$_n" | sed 's/1k/1000/')")" >"$W/pol-be$_n.yaml"
done
policy c "    - matchArgs:
      - index: 1
        operator: \"Prefix\"
        values:
        - \"$W/target/\"" >"$W/pol-c.yaml"
sed 's/openat-bench-c/openat-bench-cj/' "$W/pol-c.yaml" >"$W/pol-cj.yaml"
printf 'export:\n  json: false\n' >"$W/conf-cj.yaml"
sed 's/openat-bench-c/openat-bench-cr/' "$W/pol-c.yaml" >"$W/pol-cr.yaml"
printf 'retention:\n  max_size: 16M\n  max_age: 1h\n' >"$W/conf-cr.yaml"
sed 's/openat-bench-c/openat-bench-cb/' "$W/pol-c.yaml" >"$W/pol-cb.yaml"
printf 'ring_buffer_size: 512M\n' >"$W/conf-cb.yaml"
for _k in k:kernelStackTrace u:userStackTrace; do
	policy "c${_k%%:*}" "    - matchArgs:
      - index: 1
        operator: \"Prefix\"
        values:
        - \"$W/target/\"
      matchActions:
      - action: Post
        ${_k#*:}: true" >"$W/pol-c${_k%%:*}.yaml"
done
: >"$W/conf-none.yaml"

# status STATE -> $W/status.json; policies STATE -> $W/policies.json
status() {
	"$1/triplinectl" -S "$2" status --json >"$W/status.json" 2>/dev/null
}
policies() {
	"$1/triplinectl" -S "$2" policy list --json >"$W/policies.json" \
	    2>/dev/null
}
jq_() { # FILE EXPR...
	_f=$1; shift
	sqlite3 -separator ' ' :memory: "SELECT $* FROM (SELECT CAST(readfile('$_f') AS TEXT) AS j);"
}
child_state() {
	sqlite3 :memory: "SELECT json_extract(value, '\$.state') FROM json_each(CAST(readfile('$W/status.json') AS TEXT), '\$.children') WHERE json_extract(value, '\$.name') = '$1';"
}
running() {
	status "$1" "$2" && [ "$(child_state collectord)" = running ] &&
	    [ "$(child_state notifierd)" = running ]
}
# "emitted dropped errors records stored"
ringstats() {
	status "$1" "$2" || { echo "0 0 0 0 0"; return; }
	jq_ "$W/status.json" "IFNULL(json_extract(j, '\$.ring_buffer.emitted'), 0), IFNULL(json_extract(j, '\$.ring_buffer.dropped'), 0), IFNULL(json_extract(j, '\$.ring_buffer.errors'), 0), IFNULL(json_extract(j, '\$.collector.records'), 0), IFNULL(json_extract(j, '\$.collector.events_stored'), 0)"
}
# "state hits matched posted dropped errors" of the policy's only hook
hookstats() {
	policies "$1" "$2" || { echo "- 0 0 0 0 0"; return; }
	jq_ "$W/policies.json" "json_extract(j, '\$.policies[0].hooks[0].state'), IFNULL(json_extract(j, '\$.policies[0].hooks[0].hits'), 0), IFNULL(json_extract(j, '\$.policies[0].hooks[0].matched'), 0), IFNULL(json_extract(j, '\$.policies[0].hooks[0].posted'), 0), IFNULL(json_extract(j, '\$.policies[0].hooks[0].dropped'), 0), IFNULL(json_extract(j, '\$.policies[0].hooks[0].errors'), 0)"
}
count_rows() {
	sqlite3 -readonly -cmd '.timeout 5000' "$1" "SELECT count(*) FROM events WHERE policy_name = '$2';" 2>/dev/null
}
maxid() { # DB [POLICY]: the highest id (of the policy's rows)
	sqlite3 -readonly -cmd '.timeout 5000' "$1" "SELECT IFNULL(max(id), 0) FROM events${2:+ WHERE policy_name = '$2'};" 2>/dev/null || echo 0
}
wait_stable() {
	_span=$1; shift
	_last=; _tchg=$(now)
	_deadline=$(awk -v t="$_tchg" 'BEGIN { printf "%.3f", t + 600 }')
	while :; do
		_v=$("$@" || echo "?")
		_t=$(now)
		if [ "$_v" != "$_last" ]; then
			_last=$_v; _tchg=$_t
		elif awk -v a="$_t" -v b="$_tchg" -v s="$_span" \
		    'BEGIN { exit !(a - b >= s) }'; then
			break
		fi
		awk -v a="$_t" -v d="$_deadline" 'BEGIN { exit !(a > d) }' &&
		    break
		sleep 0.25
	done
	echo "$_last $_tchg"
}
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}
# own_links PID: raw_tracepoint sys_enter/sys_exit links loaderd PID holds
own_links() {
	grep -lE "^tp_name:[[:space:]]*sys_(enter|exit)$" /proc/"$1"/fdinfo/* \
	    2>/dev/null | wc -l
}
# raw_tracepoint links on sys_enter/sys_exit (any owner)
sys_links() {
	bpftool link show -j >"$W/links.json" 2>/dev/null &&
	    sqlite3 :memory: "SELECT count(*) FROM json_each(CAST(readfile('$W/links.json') AS TEXT)) WHERE json_extract(value, '\$.type') = 'raw_tracepoint' AND json_extract(value, '\$.tp_name') IN ('sys_enter', 'sys_exit');" 2>/dev/null || echo "?"
}
bpfstats() { sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo "?"; }

storm() {
	# shellcheck disable=SC2086
	"$B/bench/openat_storm" -q $cpuopt -n "$calls" -p "$W/target/file"
}

# result row: variant cycle ops_per_s foreign_links bpf_stats calls stored
# stored_per_s storm_rate drain_s ring_dropped hook_dropped hook_posted
# coll_us_per_row coll_cpu_pct
row() { printf '%s\n' "$*" | tr ' ' '\t' >>"$RES"; }

# floor_on / floor_off: bench/floor_attach's sys_enter program for openat
# (held while its stdin, fd 8, is open); floor_on x: and its sys_exit one
floor_on() {
	_fm=sysenter
	[ "${1:-}" != x ] || _fm=sysenterexit
	rm -f "$W/floor.in"
	mkfifo "$W/floor.in"
	"$B/bench/floor_attach" $_fm 257 <"$W/floor.in" >"$W/floor.out" 2>&1 &
	LPID=$!
	exec 8>"$W/floor.in"
	_i=0
	until grep -q ready "$W/floor.out" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt 50 ] && kill -0 "$LPID" 2>/dev/null ||
		    die "floor_attach: $(cat "$W/floor.out")"
		sleep 0.1
	done
}
floor_off() {
	exec 8>&-
	wait "$LPID" 2>/dev/null || true
	LPID=
}

round_plain() { # VARIANT CYCLE (a, audit, floor, floorx)
	_v=$1 _r=$2
	[ "$_v" != audit ] || audit_rule
	[ "$_v" != floor ] || floor_on
	[ "$_v" != floorx ] || floor_on x
	_links=$(sys_links)
	[ "$_v" != floor ] || _links=$((_links - 1))
	[ "$_v" != floorx ] || _links=$((_links - 2))
	_bs=$(bpfstats)
	_line=$(storm) || die "openat_storm failed"
	[ "$_v" != audit ] || audit_off
	case $_v in floor|floorx) floor_off ;; esac
	_ops=$(kv "$_line" ops_per_s)
	row "$_v $_r $_ops $_links $_bs $(kv "$_line" calls) - - - - - - - - -"
	log "cycle $_r $_v: $_ops ops/s (sys links $_links, bpf_stats $_bs)"
}

round_tripline() { # VARIANT CYCLE
	_v=$1 _r=$2
	_base=${_v%@old}
	_bd=$B
	case $_v in *@old) _bd=$old ;; esac
	_st=$W/state-$_r-$_v
	mkdir -p "$_st"
	_conf=$W/conf-none.yaml
	[ ! -f "$W/conf-$_base.yaml" ] || _conf=$W/conf-$_base.yaml
	"$_bd/tripline-loaderd" -S "$_st" -X "$_bd" -N bench -V none \
	    -f "$_conf" -p "$W/pol-$_base.yaml" >"$W/loaderd-$_r-$_v.log" 2>&1 &
	LPID=$!
	_i=0
	until running "$_bd" "$_st"; do
		_i=$((_i + 1))
		if [ $_i -gt 240 ] || ! kill -0 "$LPID" 2>/dev/null; then
			sed 's/^/  | /' "$W/loaderd-$_r-$_v.log" >&2
			die "cycle $_r $_v: collectord/notifierd not running"
		fi
		sleep 0.25
	done
	set -- $(hookstats "$_bd" "$_st")
	[ "$1" = attached ] || die "cycle $_r $_v: hook state $1"
	sleep "$settle"
	_cpid=$(pgrep -P "$LPID" -x collectord | head -n 1 || true)
	# foreign links: all but this loaderd's sys_enter (and its sys_exit,
	# attached for a string filter: arguments unreadable at entry)
	_links=$(sys_links)
	_own=$(own_links "$LPID")
	case $_links in ''|*[!0-9]*) ;; *) _links=$((_links - _own)) ;; esac
	_bs=$(bpfstats)
	_s0=$(ringstats "$_bd" "$_st")
	_h0=$(hookstats "$_bd" "$_st")
	_c0=$(cpu_ticks "$_cpid")
	_m0=$(maxid "$_st/events.db")
	_t0=$(now)
	_line=$(storm) || die "openat_storm failed"
	_t1=$(now)
	_m1=$(maxid "$_st/events.db")
	_ops=$(kv "$_line" ops_per_s)
	_n=$(kv "$_line" calls)
	case $_base in
	c|cj|cr|cb|ck|cu)
		if [ "$_base" = cr ]; then
			# retention deletes rows: what was stored is how far
			# the ids of the policy's rows went
			_d=$(wait_stable "$settle" maxid "$_st/events.db" \
			    "openat-bench-cr")
			_d="$((${_d% *} - _m0)) ${_d#* }"
		else
			_d=$(wait_stable "$settle" count_rows \
			    "$_st/events.db" "openat-bench-$_base")
		fi
		_stored=${_d% *}
		_tlast=${_d#* }
		_c1=$(cpu_ticks "$_cpid")
		sleep 1.5	# collector counters reach loaderd once a second
		_s1=$(ringstats "$_bd" "$_st")
		_h1=$(hookstats "$_bd" "$_st")
		case $_stored in ''|*[!0-9]*) _stored=0 ;; esac
		_el=$(fsub "$_tlast" "$_t0")
		_rate=$(awk -v n="$_stored" -v t="$_el" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
		_srate=$(awk -v a="$_m0" -v b="$_m1" -v t="$(fsub "$_t1" "$_t0")" 'BEGIN { printf "%.0f", (t > 0 ? (b - a) / t : 0) }')
		_drain=$(fsub "$_tlast" "$_t1")
		awk -v l="$_drain" 'BEGIN { exit !(l < 0) }' && _drain=0.000
		# shellcheck disable=SC2086
		set -- $_s0 $_s1
		_rdrop=$(( $7 - $2 ))
		# shellcheck disable=SC2086
		set -- $_h0 $_h1
		_hdrop=$(( ${11} - $5 ))
		_hpost=$(( ${10} - $4 ))
		_cus=-; _cpct=-
		if [ -n "$_c0" ] && [ -n "$_c1" ] && [ "$_stored" -gt 0 ]; then
			_hz=$(getconf CLK_TCK)
			_cus=$(awk -v a="$_c0" -v b="$_c1" -v n="$_stored" -v hz="$_hz" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }')
			_cpct=$(awk -v a="$_c0" -v b="$_c1" -v t="$_el" -v hz="$_hz" 'BEGIN { printf "%.0f", (t > 0 ? (b - a) / hz / t * 100 : 0) }')
		fi
		row "$_v $_r $_ops $_links $_bs $_n $_stored $_rate $_srate $_drain $_rdrop $_hdrop $_hpost $_cus $_cpct"
		log "cycle $_r $_v: $_ops ops/s, stored $_stored/$_n," \
		    "$_rate stored/s ($_srate/s during the storm), drain ${_drain}s," \
		    "ring dropped $_rdrop, hook dropped $_hdrop posted $_hpost," \
		    "collectord $_cus us/row ${_cpct}% CPU (sys links +$_links, bpf_stats $_bs)"
		;;
	*)
		set -- $(hookstats "$_bd" "$_st")
		row "$_v $_r $_ops $_links $_bs $_n - - - - - - $4 - -"
		log "cycle $_r $_v: $_ops ops/s, hook hits $2 matched $3 (sys links +$_links, bpf_stats $_bs)"
		;;
	esac
	kill "$LPID" 2>/dev/null || true
	wait "$LPID" 2>/dev/null || true
	LPID=
	[ "$keep" -eq 1 ] || rm -rf "$_st"
}

round() {
	case $1 in
	a|audit|floor|floorx) round_plain "$1" "$2" ;;
	*) round_tripline "$1" "$2" ;;
	esac
}

median() {
	sort -g | awk '{ v[NR] = $1 } END {
	    if (NR == 0) { print "-"; exit }
	    if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
	    else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
col() { awk -F '\t' -v m="$1" -v c="$2" '$1 == m && $c != "-" { print $c }' "$RES"; }
sum() { awk '{ s += $1 } END { printf "%d\n", s }'; }

[ "$(bpfstats)" = 0 ] ||
    log "WARNING: kernel.bpf_stats_enabled is $(bpfstats): every BPF program run costs ~40 ns more"
[ "$(sys_links)" = 0 ] ||
    log "WARNING: $(sys_links) raw_tracepoint sys_enter/sys_exit links exist already (another tracer or tripline: $(pgrep -a loaderd | tr '\n' ' ')): rounds are not clean"
log "build $B${old:+, old build $old}; $rounds cycles of a + [$variants], $calls calls each (cpu $cpu); work dir $W"
: >"$RES"
"$B/bench/openat_storm" -q $cpuopt -n $((calls / 10 + 1)) \
    -p "$W/target/file" >/dev/null	# warm-up

nv=$(echo $variants | wc -w)
r=1
while [ "$r" -le "$rounds" ]; do
	round a "$r"
	# rotate the order by one per cycle
	set -- $variants
	k=$(( (r - 1) % nv ))
	while [ $k -gt 0 ]; do v=$1; shift; set -- "$@" "$v"; k=$((k - 1)); done
	for v in "$@"; do
		round "$v" "$r"
	done
	r=$((r + 1))
done
round a "$r"

# ratio of variant V in cycle r to the mean of a in cycles r and r+1;
# "clean": no foreign sys_enter/sys_exit link and bpf_stats 0 in all three
ratios() { # VARIANT CLEANONLY
	awk -F '\t' -v v="$1" -v co="$2" '
	    function ok(l, b) { return l == 0 && b == 0 }
	    $1 == "a" { a[$2] = $3; ca[$2] = ok($4, $5) }
	    $1 == v { x[$2] = $3; cx[$2] = ok($4, $5) }
	    END { for (r in x) if ((r in a) && ((r + 1) in a) &&
		(!co || (cx[r] && ca[r] && ca[r + 1])))
		print x[r] / ((a[r] + a[r + 1]) / 2) }' "$RES" | sort -g
}

echo
echo "openat storm: $rounds cycles of a + [$variants] and a final a, $calls openat+close each (cpu $cpu); $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
printf '%-7s %-6s %10s %6s %5s %9s %9s %9s %9s %7s %9s %9s %8s %7s %6s\n' \
    variant cycle ops/s links bstat calls stored stored/s storm/s drain_s \
    ring_drop hook_drop posted coll_us coll%
awk -F '\t' '{ printf "%-7s %-6s %10s %6s %5s %9s %9s %9s %9s %7s %9s %9s %8s %7s %6s\n",
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' "$RES"
echo
ma=$(col a 3 | median)
printf '%-7s %10s %11s %11s %15s %11s\n' variant "median/s" "ratio(med)" \
    "ratio(pair)" "pair range" "clean(pair)"
printf '%-7s %10s %11s %11s %15s %11s\n' a "$ma" 1.000 1.000 - -
for v in $variants; do
	m=$(col "$v" 3 | median)
	p=$(ratios "$v" 0 | median)
	lo=$(ratios "$v" 0 | head -n 1)
	hi=$(ratios "$v" 0 | tail -n 1)
	cl=$(ratios "$v" 1 | median)
	ncl=$(ratios "$v" 1 | wc -l)
	# time per op relative to a: 1 / (rate ratio)
	awk -v v="$v" -v m="$m" -v a="$ma" -v p="$p" -v lo="$lo" -v hi="$hi" \
	    -v cl="$cl" -v n="$ncl" 'BEGIN {
	    printf "%-7s %10s %11s %11s %15s %11s\n", v, m,
		sprintf("x%.3f", a / m), sprintf("x%.3f", 1 / p),
		sprintf("x%.3f..%.3f", 1 / hi, 1 / lo),
		cl == "-" ? "-" : sprintf("x%.3f (%d)", 1 / cl, n) }'
done
echo "(ratios are time per op against a: x1.10 = 10 % slower; pair = median of"
echo " per-cycle ratios against the mean of the a rounds around the cycle)"
# against the floor: per cycle, time per op of the variant / of the floor
# round in the same cycle
for f in floor floorx; do
	case " $variants " in *" $f "*) ;; *) continue ;; esac
	echo
	echo "against $f (per cycle: time per op / $f's in the same cycle; median, range):"
	for v in $variants; do
		[ "$v" != "$f" ] || continue
		awk -F '\t' -v v="$v" -v f="$f" '
		    $1 == f { x[$2] = $3 } $1 == v { y[$2] = $3 }
		    END { for (r in y) if (r in x) print x[r] / y[r] }' "$RES" |
		    sort -g >"$W/vf.tmp"
		[ -s "$W/vf.tmp" ] || continue
		printf '%-7s x%.3f  (x%.3f..%.3f, %d cycles)\n' "$v" \
		    "$(median <"$W/vf.tmp")" "$(head -n 1 "$W/vf.tmp")" \
		    "$(tail -n 1 "$W/vf.tmp")" "$(wc -l <"$W/vf.tmp")"
	done
done
for v in c cj cr cb c@old cj@old; do
	case " $variants " in *" $v "*) ;; *) continue ;; esac
	st=$(col "$v" 7 | sum)
	ca=$(col "$v" 6 | sum)
	printf '%s: stored %s of %s calls; median %s stored/s, %s/s during the storm, drain %s s; ring drops %s, hook drops %s, posted %s; collectord %s us CPU/row, %s %% CPU\n' \
	    "$v" "$st" "$ca" "$(col "$v" 8 | median)" "$(col "$v" 9 | median)" \
	    "$(col "$v" 10 | median)" "$(col "$v" 11 | sum)" \
	    "$(col "$v" 12 | sum)" "$(col "$v" 13 | sum)" \
	    "$(col "$v" 14 | median)" "$(col "$v" 15 | median)"
done
dirty=$(awk -F '\t' '$4 != 0 || $5 != 0' "$RES" | wc -l)
[ "$dirty" -eq 0 ] ||
    echo "WARNING: $dirty rounds ran with foreign sys_enter/sys_exit links or bpf_stats on (columns links, bstat): see clean(pair)"

# ---- direct cost: bpf_stats pass -------------------------------------
[ "$scycles" -gt 0 ] || exit 0
SRES=$W/bpfstats.tsv
: >"$SRES"
# own_prog PID TP: prog id of the TP (sys_enter, sys_exit) link that PID
# holds
own_prog() {
	for _f in /proc/"$1"/fdinfo/*; do
		grep -q "^tp_name:[[:space:]]*$2$" "$_f" 2>/dev/null &&
		    awk '/^prog_id:/ { print $2 }' "$_f" && return 0
	done
	return 1
}
prog_rt() {
	[ -n "$1" ] || { echo 0 0; return 0; }
	bpftool prog show id "$1" -j >"$W/prog.json" 2>/dev/null &&
	    jq_ "$W/prog.json" "IFNULL(json_extract(j, '\$.run_time_ns'), 0), IFNULL(json_extract(j, '\$.run_cnt'), 0)"
}
scalls=$((calls / 3 + 1))
stats_was=$(bpfstats)
sysctl -q -w kernel.bpf_stats_enabled=1 || die "cannot set kernel.bpf_stats_enabled"
tvars=
for v in $variants; do
	case $v in audit) ;; *) tvars="$tvars $v" ;; esac
done
r=1
while [ "$r" -le "$scycles" ]; do
	for v in $tvars; do
		_base=${v%@old}
		_bd=$B
		case $v in *@old) _bd=$old ;; esac
		case $v in
		floor|floorx)
			floor_on ${v#floor}
			_pid=$(own_prog "$LPID" sys_enter) ||
			    die "stats $r $v: no sys_enter link"
			;;
		*)
			_st=$W/sstate-$r-$v
			mkdir -p "$_st"
			_conf=$W/conf-none.yaml
			[ ! -f "$W/conf-$_base.yaml" ] || _conf=$W/conf-$_base.yaml
			"$_bd/tripline-loaderd" -S "$_st" -X "$_bd" -N bench \
			    -V none -f "$_conf" -p "$W/pol-$_base.yaml" \
			    >"$W/sloaderd-$r-$v.log" 2>&1 &
			LPID=$!
			_i=0
			until running "$_bd" "$_st" &&
			    _pid=$(own_prog "$LPID" sys_enter); do
				_i=$((_i + 1))
				[ $_i -le 240 ] && kill -0 "$LPID" 2>/dev/null ||
				    die "stats $r $v: loaderd not up"
				sleep 0.25
			done
			sleep "$settle"
			;;
		esac
		_xpid=$(own_prog "$LPID" sys_exit) || _xpid=
		for k in 1 2 3; do
			set -- $(prog_rt "$_pid") $(prog_rt "$_xpid")
			_line=$("$B/bench/openat_storm" -q $cpuopt -n "$scalls" \
			    -p "$W/target/file") || die "openat_storm failed"
			set -- "$@" $(prog_rt "$_pid") $(prog_rt "$_xpid")
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$r" \
			    "$(awk -v a="$1" -v b="$5" -v n="$scalls" 'BEGIN { printf "%.1f", (b - a) / n }')" \
			    "$(kv "$_line" ops_per_s)" \
			    "$(awk -v a="$3" -v b="$7" -v n="$scalls" 'BEGIN { printf "%.1f", (b - a) / n }')" \
			    "$(awk -v a="$2" -v b="$6" -v c="$4" -v d="$8" -v n="$scalls" 'BEGIN { printf "%.2f/%.2f", (b - a) / n, (d - c) / n }')" \
			    >>"$SRES"
		done
		case $v in
		floor|floorx) floor_off ;;
		*)
			kill "$LPID" 2>/dev/null || true
			wait "$LPID" 2>/dev/null || true
			LPID=
			[ "$keep" -eq 1 ] || rm -rf "$_st"
			;;
		esac
	done
	r=$((r + 1))
done
sysctl -q -w kernel.bpf_stats_enabled="$stats_was" || true
stats_was=
echo
echo "BPF run time per openat+close (kernel.bpf_stats_enabled=1, $scycles cycles x 3 storms of $scalls; includes the stats clock reads) of the sys_enter program, of the sys_exit program (if any; floor: floor_attach's), and runs per op (enter/exit)"
printf '%-7s %8s %8s %8s %8s %8s %10s\n' variant min_ns median_ns max_ns \
    exit_med total_med runs/op
for v in $tvars; do
	awk -F '\t' -v v="$v" '$1 == v { print $3 }' "$SRES" | sort -g >"$W/s.tmp"
	awk -F '\t' -v v="$v" '$1 == v { print $5 }' "$SRES" | sort -g >"$W/x.tmp"
	awk -F '\t' -v v="$v" '$1 == v { print $3 + $5 }' "$SRES" | sort -g >"$W/t.tmp"
	printf '%-7s %8s %8s %8s %8s %8s %10s\n' "$v" "$(head -n 1 "$W/s.tmp")" \
	    "$(median <"$W/s.tmp")" "$(tail -n 1 "$W/s.tmp")" \
	    "$(median <"$W/x.tmp")" "$(median <"$W/t.tmp")" \
	    "$(awk -F '\t' -v v="$v" '$1 == v { r = $6 } END { print r }' "$SRES")"
done
