# tests/vm/guestlib.sh -- sourced by the guest scripts (tests/vm/enforce.sh,
# tests/vm/net.sh) with the build directory as $1: checks that it runs as
# root in the VM, sets the paths (scratch files in /tmp/tlvm, the state
# directory, the store), the TAP and wait helpers, and starts the build's
# tripline-loaderd with no vendor policies (LPID; stopped at exit).
set -u

[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
. "$top_srcdir/tests/lib/testlib.sh"
if [ "${TRIPLINE_VM:-}" != 1 ] || [ "$(id -u)" -ne 0 ]; then
	echo "Bail out! $0 runs as root in the VM (tests/integration/vm_*.sh)"
	exit 99
fi
command -v sqlite3 >/dev/null || { echo "Bail out! sqlite3 CLI missing"; exit 99; }

B=$(cd "$1" && pwd) || exit 2
CTL=$B/triplinectl
TR=$B/tests/integration/trigger
DATA=$top_srcdir/tests/data/vm
EX=$top_srcdir/tests/data/tetragon-examples
D=/tmp/tlvm			# the paths in tests/data/vm/*.yaml
T=$D
S=$D/state
P=$D/pol
DB=$S/events.db
JS=$S/events.jsonl
LOG=${VM_OUT:-$D}/loaderd.log
WAIT=30				# seconds for an event to be stored (TCG is slow)
LPID=

rm -rf "$D"
mkdir -p "$D/bin" "$S" "$P"
chmod 755 "$D" "$D/bin"
: >"$LOG"
cp /usr/bin/cat "$D/bin/tlcat"
cp /usr/bin/mkdir "$D/bin/tlmkdir"

cleanup() {
	if [ -n "$LPID" ] && kill -TERM "$LPID" 2>/dev/null; then
		wait "$LPID" 2>/dev/null
	fi
}
trap cleanup EXIT

diag "kernel $(uname -r), LSMs $(cat /sys/kernel/security/lsm)"

# ---- helpers ---------------------------------------------------------------

sec_name= sec_t0=
section() {
	_now=$(date +%s)
	[ -n "$sec_name" ] && diag "time: $sec_name $((_now - sec_t0))s"
	sec_name=$1 sec_t0=$_now
	[ -n "$1" ] && diag "---- $1"
}

# addp [--mode monitor] FILE: policy add, its output in $D/add.out
addp() {
	if "$CTL" -S "$S" policy add "$@" >"$D/add.out" 2>&1; then
		return 0
	fi
	diag "policy add $*: $(tr '\n' ' ' <"$D/add.out")"
	return 1
}
# policy list lines of policy $1
plist() { "$CTL" -S "$S" policy list 2>&1 | awk -v n="$1" '$1 == n { p = 1; print; next } /^[^ ]/ { p = 0 } p'; }
# wait_secs SECONDS COMMAND...: retry until the command succeeds, by the
# clock (under TCG every sqlite3 run takes a noticeable time, so
# testlib's wait_for, which counts tries, would wait far longer)
wait_secs() {
	_end=$(($(date +%s) + $1)); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.3
	done
}
wrow() { wait_secs "$WAIT" row_exists "$1"; }
# first row of policy $1 whose args contain $2: columns $3
col() { q "SELECT $3 FROM events WHERE policy_name='$1' AND args LIKE '%$2%' ORDER BY id LIMIT 1"; }
jlines() { grep -F "\"policy_name\":\"$1\"" "$JS" 2>/dev/null | grep -F -- "$2"; }
jl_exists() { [ -n "$(jlines "$1" "$2")" ]; }
# first JSON line of policy $1 containing the fixed string $2
jline() { wait_secs "$WAIT" jl_exists "$1" "$2"; jlines "$1" "$2" | head -n 1; }
# jhas DESC LINE FIXED...: the line contains every fixed string
jhas() {
	_d=$1 _l=$2 _miss=
	shift 2
	for _s in "$@"; do
		printf '%s' "$_l" | grep -Fq -- "$_s" || _miss="$_miss $_s"
	done
	if [ -z "$_miss" ]; then ok "$_d"; else
		not_ok "$_d"; diag "line: '$_l'"; diag "missing:$_miss"; fi
}
# how COMMAND...: "exit N" or "signal N"
how() {
	"$@" >"$D/how.out" 2>&1
	_rc=$?
	[ $_rc -gt 128 ] && echo "signal $((_rc - 128))" || echo "exit $_rc"
}
# n_not_ok N DESC: N failures for the cases that could not run
n_not_ok() {
	_k=$1; shift
	while [ "$_k" -gt 0 ]; do not_ok "$* (not run)"; _k=$((_k - 1)); done
}

# guest_end: the last checks of a guest script (loaderd still runs, no
# policy is left; on a failure the loaderd log's error lines), the plan,
# the exit status; kills the listeners in $LIS first
guest_end() {
	section ""
	for _l in ${LIS:-}; do kill "$_l" 2>/dev/null; done
	kill -0 "$LPID" 2>/dev/null
	is "loaderd still running after all of that" "$?" 0
	is "no policy left loaded" "$("$CTL" -S "$S" policy list 2>&1)" \
	    "no policies loaded"
	if [ "$_tap_fail" -gt 0 ]; then
		diag "loaderd log (errors, warnings):"
		grep -Ei 'error|warn|fatal|refus|fail' "$LOG" | tail -n 40 |
		    sed 's/^/#   /'
	fi
	echo "1..$_tap_n"
	finish
}

# ---- daemons ----------------------------------------------------------------

section "loaderd start"
"$B/tripline-loaderd" -d -v -S "$S" -X "$B" -N vmnode -V none >>"$LOG" 2>&1 &
LPID=$!
if ! wait_secs 300 sh -c "'$CTL' -S '$S' status | grep -q 'collectord  *running'"; then
	tail -n 30 "$LOG" | sed 's/^/# /'
	echo "Bail out! daemons did not come up"
	exit 99
fi
