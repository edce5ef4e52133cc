#!/bin/sh
# bench/run_fuzz.sh [-j jobs] [SECONDS [TARGET...]] -- a longer fuzzing run.
#
# Builds the libFuzzer targets (tests/fuzz) in build/fuzz (clang,
# --enable-fuzzing; configured there if needed), then runs each TARGET
# (default: all; names as in tests/fuzz/fuzz_NAME.c) for SECONDS (default
# 600) from its seed corpus, with `jobs` targets at a time (default 1), and
# prints per target: executions, executions per second, libFuzzer's edge
# coverage (cov:) and features (ft:), corpus entries, and whether it found
# anything.  New inputs and reproducers go to build/fuzz/bench-fuzz/NAME
# (never to the source tree); copy a reproducer into
# tests/fuzz/corpus/NAME once its bug is fixed.  Exit 1 if a target failed.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=1
if [ "${1:-}" = "-j" ]; then
	jobs=$2
	shift 2
fi
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"ringbuf objargs ipc_msg policy alerts config dns http smtp"}

bdir=$here/build/fuzz
mkdir -p "$bdir"
cd "$bdir"
if [ ! -f Makefile ]; then
	[ -x "$here/configure" ] || (cd "$here" && ./autogen.sh)
	"$here/configure" CC=clang --enable-fuzzing >configure.log
fi
progs=""
for t in $targets; do
	progs="$progs tests/fuzz/fuzz_$t"
done
# shellcheck disable=SC2086
make -j2 $progs >/dev/null

# one target: its log in bench-fuzz/NAME/log
run_one() {
	t=$1
	w=bench-fuzz/$t
	rm -rf "$w"
	mkdir -p "$w/corpus"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$w/"
	d=$here/tests/fuzz/dict/$t.dict
	[ -f "$d" ] && set -- "$@" -dict="$d"
	"tests/fuzz/fuzz_$t" "$@" "$w/corpus" "$here/tests/fuzz/corpus/$t" \
	    >"$w/log" 2>&1 && echo 0 >"$w/rc" || echo $? >"$w/rc"
}

running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

rc=0
printf '%-8s %6s %12s %9s %6s %7s %7s  %s\n' target secs execs exec/s cov ft \
    corpus result
for t in $targets; do
	w=bench-fuzz/$t
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$w/log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log")
	cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$done_line" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	res=ok
	if [ "$(cat "$w/rc")" != 0 ]; then
		res="FAILED: see $bdir/$w/log"
		rc=1
	fi
	printf '%-8s %6s %12s %9s %6s %7s %7s  %s\n' "$t" "$secs" \
	    "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
	    "$res"
done
exit $rc
