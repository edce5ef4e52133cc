#!/bin/sh
# Self test of the VM harness (TAP on stdout).
#
#   tests/vm/selftest.sh [--kernels "6.1 6.12"] [--cache DIR] [--build DIR]
#
# For each kernel: boot it with tests/vm/vm.sh and check, inside the guest,
# that `uname -r` names the Debian kernel, that /sys/kernel/security/lsm
# lists bpf, that kprobes are there (/sys/kernel/tracing/kprobe_events),
# that the exit code and an -e variable cross the VM boundary; report the
# wall time of each boot+run.  With --build DIR (a tripline build tree),
# also run DIR/tripline-loaderd in the guest: `-n`, then a start with
# `-V none`, `triplinectl status`, and check its kernel feature probe
# reports kprobes, fentry/fexit and BPF LSM.
#
# Internal: selftest.sh --guest-basic | --guest-tripline DIR run in the guest.
set -u

here=$(cd "$(dirname "$0")" && pwd)
self=$here/selftest.sh

guest_basic() {
	r=0
	echo "uname: $(uname -r)"
	echo "lsm: $(cat /sys/kernel/security/lsm)"
	case ",$(cat /sys/kernel/security/lsm)," in
	*,bpf,*) ;;
	*) echo "FAIL: bpf not in the active LSM list"; r=1 ;;
	esac
	if [ -e /sys/kernel/tracing/kprobe_events ]; then
		echo "kprobe_events: present"
	else
		echo "FAIL: no /sys/kernel/tracing/kprobe_events"; r=1
	fi
	for m in /sys/fs/bpf /sys/fs/cgroup /sys/kernel/debug /sys/kernel/security; do
		if ! grep -q " $m " /proc/self/mounts; then
			echo "FAIL: $m not mounted"; r=1
		fi
	done
	if touch /etc/tvm-overlay-test 2>/dev/null; then
		echo "overlay: writable"
	else
		echo "FAIL: root overlay not writable"; r=1
	fi
	echo "env: ${TVM_SELFTEST:-unset}"
	[ "$r" -eq 0 ] && exit 42
	exit "$r"
}

guest_tripline() {
	B=$1
	S=$(mktemp -d /tmp/tl-state.XXXXXX)
	r=0
	echo "== tripline-loaderd -n"
	"$B/tripline-loaderd" -n -V none || r=1
	"$B/tripline-loaderd" -d -v -S "$S" -X "$B" -N vmnode -V none \
	    >"$VM_OUT/loaderd.log" 2>&1 &
	L=$!
	i=0
	while [ $i -lt 400 ] && kill -0 "$L" 2>/dev/null; do
		"$B/triplinectl" -S "$S" status 2>/dev/null |
		    grep -q 'notifierd  *running' && break
		sleep 1
		i=$((i + 1))
	done
	echo "== triplinectl status (after ${i}s)"
	st=$("$B/triplinectl" -S "$S" status) || r=1
	printf '%s\n' "$st"
	if kill -TERM "$L" 2>/dev/null; then
		wait "$L"
		echo "loaderd exit $?"
	else
		wait "$L"
		echo "loaderd died: exit $?"
		r=1
	fi
	echo "== loaderd log (errors)"
	grep -E "fatal|error" "$VM_OUT/loaderd.log" | head -n 20
	# sanitizer builds: a report from any daemon fails the run
	. "$here/../lib/testlib.sh"
	if [ -n "$(san_reports "$VM_OUT/loaderd.log")" ]; then
		san_show "$VM_OUT/loaderd.log"
		echo "FAIL: sanitizer report in loaderd.log"
		r=1
	fi
	# the feature table of `triplinectl status`: this kernel has them
	for want in "kprobes" "fentry" "fmod_ret" "BPF LSM programs" \
	    "bpf in the active LSMs"; do
		if ! printf '%s\n' "$st" | grep -Eq "^  $want  +yes\$"; then
			echo "FAIL: feature probe lacks '$want yes'"
			r=1
		fi
	done
	exit "$r"
}

case "${1:-}" in
--guest-basic) guest_basic ;;
--guest-tripline) guest_tripline "$2" ;;
esac

kernels="6.1 6.12"
cache=""
build=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kernels) kernels=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--build) build=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	*) sed -n '2,14p' "$0" >&2; exit 2 ;;
	esac
done

set --
[ -n "$cache" ] && set -- --cache "$cache"

n=0
fail=0
for k in $kernels; do
	n=$((n + 1))
	out=$(mktemp -d /tmp/tvm-selftest.XXXXXX)
	t0=$(date +%s.%N)
	"$here/vm.sh" "$@" --kernel "$k" --out "$out" -e TVM_SELFTEST=yes -- \
	    "$self" --guest-basic >"$out/stdout" 2>"$out/stderr"
	rc=$?
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	boot=$(sed -n 's/.* after \([0-9.]*s\) .*/\1/p' "$out/stderr" | tail -n 1)
	sed 's/^/# /' "$out/stdout"
	if [ "$rc" -eq 42 ] && grep -q "^uname: $k" "$out/stdout" &&
	    grep -q "^env: yes" "$out/stdout"; then
		echo "ok $n - $k: boot, LSM bpf, kprobes, mounts, exit code, env (boot+run ${boot:-?}, wall ${wall}s)"
		rm -rf "$out"
	else
		echo "not ok $n - $k: exit $rc (want 42), results in $out"
		sed 's/^/# /' "$out/stderr"
		fail=1
	fi

	[ -n "$build" ] || continue
	n=$((n + 1))
	out=$(mktemp -d /tmp/tvm-selftest.XXXXXX)
	t0=$(date +%s.%N)
	"$here/vm.sh" "$@" --kernel "$k" --out "$out" -- \
	    "$self" --guest-tripline "$build" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	sed 's/^/# /' "$out/stdout"
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $k: tripline-loaderd runs, status ok, probe finds kprobes/fentry/LSM (wall ${wall}s)"
		rm -rf "$out"
	else
		echo "not ok $n - $k: tripline in the guest: exit $rc, results in $out"
		sed 's/^/# /' "$out/stderr"
		fail=1
	fi
done
echo "1..$n"
exit "$fail"
