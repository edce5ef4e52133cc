#!/bin/sh
# tests/fuzz/fuzz.sh PROGRAM -- run one libFuzzer target as a TAP test
# (the LOG_COMPILER of a --enable-fuzzing build's `make check`).
#
# Fuzzes for FUZZ_TIME seconds (default 20) from the checked-in seeds
# ($top_srcdir/tests/fuzz/corpus/NAME, read only) plus a work corpus in
# the build tree (tests/fuzz/run/NAME/corpus, where new inputs go), with
# the target's dictionary if there is one.  A crash, leak, sanitizer
# report, timeout or out-of-memory is "not ok" with the reproducer
# (tests/fuzz/run/NAME/crash-*: its bytes and the command to replay it).
# FUZZ_ARGS adds libFuzzer options.
set -u
prog=$1
name=$(basename "$prog")
name=${name#fuzz_}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FUZZ_TIME:=20}"
seeds=$top_srcdir/tests/fuzz/corpus/$name
work=tests/fuzz/run/$name
dict=$top_srcdir/tests/fuzz/dict/$name.dict

echo "1..1"
if [ ! -d "$seeds" ]; then
	echo "not ok 1 - $name: no seed corpus at $seeds"
	exit 0
fi
rm -rf "$work"
mkdir -p "$work/corpus"
set -- -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$work/"
[ -f "$dict" ] && set -- "$@" -dict="$dict"
# shellcheck disable=SC2086
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$prog" "$@" ${FUZZ_ARGS:-} "$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?
stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 |
    sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+/\1 runs, /; s/ lim:.*//')
if [ $rc -eq 0 ]; then
	echo "ok 1 - $name: ${FUZZ_TIME} s, ${stats:-no stats}"
	exit 0
fi
echo "not ok 1 - $name: libFuzzer exit $rc"
sed -n '/^==[0-9]*==ERROR\|runtime error\|^SUMMARY\|^==[0-9]*== ERROR/,$p' \
    "$work/log" | head -80 | sed 's/^/# /'
for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* \
    "$work"/slow-unit-*; do
	[ -f "$f" ] || continue
	echo "# reproducer $f ($(wc -c <"$f") bytes):"
	od -A d -t x1z "$f" | head -32 | sed 's/^/#   /'
	echo "# replay: $prog $f"
done
exit 0
