# tests/lib/testlib.sh -- TAP helpers for the integration tests (sourced).
# A skip is TAP "1..0 # SKIP" with exit 0 (tap-driver); 99 = hard error.

_tap_n=0
_tap_fail=0

plan() { echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_fail=$((_tap_fail + 1)); echo "not ok $_tap_n - $*"; }
diag() { echo "# $*"; }

# check DESCRIPTION COMMAND...: ok if the command succeeds
check() {
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}

# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "got:  '$2'"; diag "want: '$3'"; fi
}

# like DESCRIPTION GOT PATTERN (grep -E)
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1"; diag "got:  '$2'"; diag "want: /$3/"; fi
}

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# wait_for SECONDS COMMAND...: retry every 0.1 s until the command succeeds
wait_for() {
	_t=$(( $1 * 10 )); shift
	while [ $_t -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}

need_root_bpf() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (loads BPF programs)"
	[ -e /sys/kernel/btf/vmlinux ] || skip_all "kernel has no BTF"
}

finish() { exit $(( _tap_fail > 0 ? 1 : 0 )); }

# san_reports FILE|DIR...: the files that hold a sanitizer report (ASan,
# LeakSanitizer, UBSan); builds without sanitizers never write one.  Only
# at the start of a line: events.jsonl, the database and the sinks' logs
# hold other processes' command lines, which may quote these words.
SAN_REPORT='^==[0-9]+==ERROR: [A-Za-z]+Sanitizer|^[^ ]+:[0-9]+:[0-9]+: runtime error: '
san_reports() { grep -rIlE "$SAN_REPORT" "$@" 2>/dev/null; }

# san_check: call in the EXIT cleanup, after stopping loaderd ($LPID) and
# before removing $T.  A sanitizer report (ASan, LeakSanitizer, UBSan) in
# any output kept under $T (daemon logs, tool output) fails the test, even
# when every check passed.  Waits up to 20 s for loaderd to finish exiting.
san_show() {
	for _f in "$@"; do
		diag "sanitizer report in $_f:"
		grep -E -A30 "$SAN_REPORT" "$_f" | sed 's/^/# /'
	done
}
_gone() { case "$(ps -o stat= -p "$1" 2>/dev/null)" in ""|Z*) return 0 ;; esac; return 1; }
san_check() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	[ -z "${LPID:-}" ] || wait_for 20 _gone "$LPID" || true
	_san=$(san_reports "$T")
	[ -z "$_san" ] && return 0
	san_show $_san
	echo "Bail out! sanitizer report (see above; logs kept in $T)"
	exit 1
}

# ---- helpers for the daemon tests; they use the caller's variables:
# B (build dir), CTL (triplinectl), S (state dir), T (temp dir), P (policy
# dir), DB (events.db), LPID (set by start_loaderd); e2e_env sets them all

# need CMD...: bail out unless every command is installed
need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null ||
		    { echo "Bail out! $_c missing (./run.sh installs it)"; exit 99; }
	done
}

# e2e_env NAME: the set-up of a daemon test (needs root, BTF, sqlite3):
# B, CTL, TR (tests/integration/trigger, its real path), the scratch
# directory T (/tmp/tripline-NAME.XXXXXX, mode 755) with the state
# directory S and the policy directory P, DB; LPID, LIS, KIDS empty.
# At exit, or on INT, TERM, HUP, e2e_cleanup runs.
e2e_env() {
	need_root_bpf
	need sqlite3
	B=$top_builddir
	TR=$(readlink -f "$B/tests/integration/trigger")
	CTL=$B/triplinectl
	T=$(mktemp -d "/tmp/tripline-$1.XXXXXX")
	chmod 755 "$T"
	S=$T/state
	P=$T/policies
	mkdir -p "$S" "$P"
	DB=$S/events.db
	LPID='' LIS='' KIDS=''
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# e2e_cleanup: the test's own e2e_cleanup_more first (if it defines one),
# then the helper processes are killed: the pids in LIS and KIDS and in
# the files $T/*.pid (helpers started in a command substitution write
# their pid there); loaderd is stopped, san_check, T removed (kept if
# KEEP is set)
e2e_cleanup() {
	if command -v e2e_cleanup_more >/dev/null 2>&1; then e2e_cleanup_more; fi
	for _p in $LIS $KIDS $(cat "$T"/*.pid 2>/dev/null); do
		kill "$_p" 2>/dev/null
	done
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && sleep 1
	san_check
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}

q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null; }
row_exists() { [ -n "$(q "$1")" ]; }
# rows of policy $1 whose args contain $2
nrows() { q "SELECT count(*) FROM events WHERE policy_name='$1' AND args LIKE '%$2%'"; }
wait_rows() { wait_for 10 row_exists "SELECT 1 FROM events WHERE policy_name='$1' AND args LIKE '%$2%'"; }

# start_loaderd NODE_NAME [OPTION...]: loaderd with no vendor policies
# and the OPTIONs, in the background, the variables of LOADERD_ENV
# ("VAR=VALUE ...", no blanks in a value) in its environment; bail out
# unless collectord runs within 30 s
start_loaderd() {
	_node=$1
	shift
	# shellcheck disable=SC2086
	env ${LOADERD_ENV:-} "$B/tripline-loaderd" -d -v -S "$S" -X "$B" \
	    -N "$_node" -V none "$@" >>"$T/loaderd.log" 2>&1 &
	LPID=$!
	if ! wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'collectord  *running'"; then
		sed 's/^/# /' "$T/loaderd.log"
		echo "Bail out! daemons did not come up"; exit 99
	fi
}

# pol NAME <<EOF (the spec: part, indented by 2) -> $P/NAME.yaml
pol() {
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n'
		printf 'metadata:\n  name: "%s"\nspec:\n' "$1"
		cat
	} > "$P/$1.yaml"
}
# sel_pol NAME <<EOF (selector lines, indented by 6): a policy NAME on
# the openat of the files $M/NAME-*, the lines added to its selector
sel_pol() {
	{
		cat <<EOF
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "$M/$1-"
EOF
		cat
	} | pol "$1"
}
add() { "$CTL" -S "$S" policy add "$@" >"$T/add.out" 2>&1; }
del() { "$CTL" -S "$S" policy delete "$1" >/dev/null 2>&1; }
# prom NAME [LABELS]: the value of a sample of `triplinectl status
# --prometheus` (LABELS as loaderd writes them, e.g. 'table="events"')
prom() {
	"$CTL" -S "$S" status --prometheus 2>/dev/null | awk -v n="$1" \
	    -v l="$2" 'BEGIN { k = n (l != "" ? "{" l "}" : "") " " }
	    index($0, k) == 1 { print $NF; exit }'
}

# marker_start (after start_loaderd; needs M): loads the policy "marker"
# (symlinkat of $M/marker-*); then `barrier` makes one more such call and
# waits for its row: every event before it has been stored
marker_start() {
	pol marker <<EOF
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    args:
    - index: 0
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$M/marker-"
EOF
	mk=0
	add "$P/marker.yaml" ||
	    { echo "Bail out! marker policy refused: $(cat "$T/add.out")"; exit 99; }
}
barrier() {
	mk=$((mk + 1))
	"$TR" symlinkat "$M/marker-$mk" "$M/marker-link" >/dev/null 2>&1
	wait_rows marker "marker-$mk\""
}

# addok FILE: policy add, its answer as a diagnostic if refused
addok() { add "$1" || { diag "policy add $1: $(tr '\n' ' ' < "$T/add.out")"; return 1; }; }
# refused DESC FILE REGEX: policy add fails and its message matches
refused() {
	if add "$2"; then
		not_ok "$1"; diag "accepted: $(cat "$T/add.out")"
		del "$(sed -n 's/^  name: "\(.*\)"$/\1/p' "$2")"
	else
		like "$1" "$(tr '\n' ' ' < "$T/add.out")" "$3"
	fi
}
# how a trigger run ended: "exit N" or "signal N"
how() { "$@" >/dev/null 2>&1; rc=$?; [ $rc -gt 128 ] && echo "signal $((rc - 128))" || echo "exit $rc"; }
