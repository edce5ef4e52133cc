# tests/lib/vmsuite.sh -- sourced by tests/integration/vm_*.sh after
# testlib.sh: vm_suite GUEST [PART] boots each kernel once (tests/vm/vm.sh)
# and runs tests/vm/GUEST BUILDDIR in the guest (with VM_PART=PART in its
# environment when given: a guest script split over several boots).  The
# guest's TAP is passed through, renumbered and prefixed with the kernel;
# the VM failing (timeout, crash, no plan, exit code) is a failure.  Exits with the
# result.  See tests/vm/README.md.
#
# TRIPLINE_VM_KERNELS overrides the kernel list (default "6.1 6.12"),
# TRIPLINE_VM_TIMEOUT the time limit of each boot (default 900 s: a boot
# runs at most ~10 minutes under TCG with the sanitizer build).
vm_suite() {
vm_guest=$1
vm_part=${2:-}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (qemu, apt-get download)"
[ -x "$top_builddir/tests/integration/trigger" ] ||
    { echo "Bail out! $top_builddir/tests/integration/trigger not built"; exit 99; }

kernels=${TRIPLINE_VM_KERNELS:-"6.1 6.12"}
n=0
fail=0
t_all=$(date +%s)
# run_guest KERNEL: one boot; TAP renumbered from $n on; sets rc, seen,
# plan, gfails, out, and n to the last number used
run_guest() {
	out=$(mktemp -d "/tmp/tvm-${vm_guest%.sh}$vm_part.XXXXXX")
	{
		"$top_srcdir/tests/vm/vm.sh" --kernel "$1" --out "$out" \
		    --timeout "${TRIPLINE_VM_TIMEOUT:-900}" \
		    ${vm_part:+-e "VM_PART=$vm_part"} -- \
		    sh "$top_srcdir/tests/vm/$vm_guest" "$top_builddir" \
		    2>"$out/vm.stderr"
		echo $? >"$out/vm.rc"
	} | awk -v k="$1" -v n="$n" -v st="$out/tap.state" '
	function emit(s) { print s; fflush() }
	/^(not )?ok( |$)/ {
		bad = ($0 ~ /^not /)
		s = $0
		sub(/^(not )?ok *[0-9]* *(- )?/, "", s)
		n++
		seen++
		if (bad && s !~ /# *(TODO|SKIP)/)
			fails++
		emit((bad ? "not ok " : "ok ") n " - " k ": " s)
		next
	}
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; emit("# " k ": plan " $0); next }
	/^Bail out!/ {
		n++; fails++
		emit("not ok " n " - " k ": guest " $0)
		next
	}
	/^#/ { emit($0); next }
	{ emit("# " k ": " $0) }
	END { print n, seen + 0, (plan == "" ? -1 : plan), fails + 0 > st }'
	rc=$(cat "$out/vm.rc" 2>/dev/null || echo 125)
	read -r n seen plan gfails <"$out/tap.state" || { seen=0 plan=-1 gfails=0; }
	sed 's/^/# /' "$out/vm.stderr"
}

for k in $kernels; do
	t0=$(date +%s)
	run_guest "$k"
	# TCG occasionally oopses while the kernel patches its own text
	# at boot (int3 in a static key): the command never started, so
	# boot once more
	if [ "$rc" -eq 125 ] && [ "$seen" -eq 0 ]; then
		echo "# $k: the VM died before the guest test started; booting again"
		rm -rf "$out"
		run_guest "$k"
	fi
	t1=$(date +%s)
	# sanitizer builds: a report in the guest's loaderd.log or output
	if [ -n "$(san_reports "$out")" ]; then
		san_show $(san_reports "$out")
		n=$((n + 1)); gfails=$((gfails + 1))
		echo "not ok $n - $k: sanitizer report in the guest"
	fi
	n=$((n + 1))
	# the guest ran to its end: exit 0, or 1 with its failures reported
	# above (they fail this script; this test is about the VM itself)
	if { [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && [ "$gfails" -gt 0 ]; }; } &&
	    [ "$plan" -eq "$seen" ] && [ "$seen" -gt 0 ]; then
		echo "ok $n - $k: guest run complete ($seen tests, $gfails failed, wall $((t1 - t0))s)"
		if [ "$gfails" -eq 0 ]; then
			rm -rf "$out"
		else
			echo "# $k: results (output, console.log, loaderd.log) kept in $out"
			fail=1
		fi
	else
		why="exit $rc"
		[ "$rc" -eq 124 ] && why="VM timed out"
		[ "$rc" -eq 125 ] && why="VM died without a result"
		[ "$plan" -ne "$seen" ] && why="$why, plan $plan but $seen tests"
		echo "not ok $n - $k: guest run: $why, $gfails failed (wall $((t1 - t0))s; logs, loaderd.log in $out)"
		fail=1
	fi
done
echo "# VM stage wall time: $(($(date +%s) - t_all))s for kernels $kernels"
echo "1..$n"
exit "$fail"
}
