# tests/lib/sinks.sh -- local HTTP, SMTP and DNS sinks for the alert tests
# (sourced after testlib.sh).  Every sink NAME lives in $SK (set by
# sinks_init): NAME.port, NAME.pid, NAME.jsonl (HTTP/SMTP records, one JSON
# line each) or NAME.log (dnsmasq query log), NAME.err (its stderr).
#
#   sinks_init DIR                    use DIR (created, mode 755) for sinks
#   sinks_ca                          test CA + server cert in $SK/ca
#   http_sink_start NAME [SCRIPT] [PORT]   scripted HTTP sink (http_sink.py)
#   smtp_sink_start NAME [SCRIPT] [PORT] [ARGS...]  STARTTLS + AUTH u/p
#                                     (SMTP_USER/SMTP_PASS) SMTP sink
#   dns_sink_start NAME DOMAIN [PORT] dnsmasq answering DOMAIN with 127.0.0.9
#   sink_port NAME                    print its port
#   sink_stop NAME                    stop it (SIGTERM, then SIGKILL)
#   sinks_stop_all                    stop every sink started here
#   sink_log NAME                     print the path of its record file
#   sink_count NAME [ERE]             records (lines) matching ERE
#   wait_records NAME N [ERE] [SECS]  wait until >= N records match
#                                     (default 10 s); 1 on timeout
#   sink_json NAME PYEXPR             print PYEXPR evaluated over the
#                                     records R (a list of dicts)
#   symlink_policy NAME SEV MSG [LINE...]  policy NAME on sys_symlinkat
#                                     whose link path starts with $M/NAME-:
#                                     Post (+ the action lines), tags
#                                     severity=SEV and e2e; added (1: failed)
#   alerts_loaderd_start [ARG...]     loaderd -A $A (+ ARGs) in the
#                                     background (LPID); bails out unless
#                                     collectord runs within 30 s
#   alerts_test_env NAME NODE         the common setup of an alert test:
#                                     checks (root+BPF, sqlite3, sinks),
#                                     e2e_env's (testlib.sh) variables and
#                                     cleanup, M NODE PY, sinks in $T/sinks
# Sinks run /usr/bin/python3 (stdlib + python3-aiosmtpd) and dnsmasq.

SINKS_PY=${SINKS_PY:-/usr/bin/python3}
SMTP_USER=${SMTP_USER:-tl-user}
SMTP_PASS=${SMTP_PASS:-tl-pass-$$}

sinks_have() {
	[ -x "$SINKS_PY" ] || { echo "$SINKS_PY missing"; return 1; }
	"$SINKS_PY" -c 'import aiosmtpd' 2>/dev/null ||
	    { echo "python3-aiosmtpd missing"; return 1; }
	command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	    { echo "dnsmasq (dnsmasq-base) missing"; return 1; }
	command -v openssl >/dev/null 2>&1 || { echo "openssl missing"; return 1; }
	return 0
}

sinks_init() {
	SK=$1
	SINKS_DIR=$top_srcdir/tests/sinks
	mkdir -p "$SK"
	chmod 755 "$SK"
	: > "$SK/.pids"
}

sinks_ca() {
	[ -f "$SK/ca/server.pem" ] || sh "$SINKS_DIR/mkca.sh" "$SK/ca"
}

sink_port() { cat "$SK/$1.port" 2>/dev/null; }
sink_log() { if [ -f "$SK/$1.log" ]; then echo "$SK/$1.log"; else echo "$SK/$1.jsonl"; fi; }

# _sink_wait_port NAME PID: 0 once NAME.port exists, 1 if PID died or 10 s
_sink_wait_port() {
	_w=100
	while [ $_w -gt 0 ]; do
		[ -s "$SK/$1.port" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
		_w=$((_w - 1))
	done
	diag "sink $1 did not start:"
	sed 's/^/#   /' "$SK/$1.err" 2>/dev/null
	return 1
}

_sink_started() { # NAME PID
	echo "$2" > "$SK/$1.pid"
	echo "$2" >> "$SK/.pids"
}

http_sink_start() {
	_n=$1 _s=${2:-} _p=${3:-0}
	rm -f "$SK/$_n.port"
	touch "$SK/$_n.jsonl"
	set -- --log "$SK/$_n.jsonl" --port-file "$SK/$_n.port" --port "$_p"
	[ -n "$_s" ] && set -- "$@" --script "$_s"
	"$SINKS_PY" "$SINKS_DIR/http_sink.py" "$@" 2>>"$SK/$_n.err" &
	_sink_started "$_n" $!
	_sink_wait_port "$_n" $!
}

smtp_sink_start() {
	_n=$1 _s=${2:-} _p=${3:-0}
	shift; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
	sinks_ca
	rm -f "$SK/$_n.port"
	touch "$SK/$_n.jsonl"
	set -- --log "$SK/$_n.jsonl" --port-file "$SK/$_n.port" --port "$_p" \
	    --cert "$SK/ca/server.pem" --key "$SK/ca/server.key" \
	    --user "$SMTP_USER" "$@"
	[ -n "$_s" ] && set -- "$@" --script "$_s"
	# the password by environment: tripline records process arguments
	SMTP_SINK_PASSWORD=$SMTP_PASS \
	    "$SINKS_PY" "$SINKS_DIR/smtp_sink.py" "$@" 2>>"$SK/$_n.err" &
	_sink_started "$_n" $!
	_sink_wait_port "$_n" $!
}

# dnsmasq drops to nobody: the log file is made writable for it first
dns_sink_start() {
	_n=$1 _d=$2 _p=${3:-}
	_try=5
	while [ $_try -gt 0 ]; do
		[ -n "${3:-}" ] || _p=$("$SINKS_PY" "$SINKS_DIR/dnsq.py" --free-port)
		: > "$SK/$_n.log"
		chmod 666 "$SK/$_n.log"
		rm -f "$SK/$_n.port"
		dnsmasq --keep-in-foreground --conf-file=/dev/null --pid-file= \
		    --port="$_p" --listen-address=127.0.0.1 --bind-interfaces \
		    --no-resolv --no-hosts --log-queries=extra \
		    --log-facility="$SK/$_n.log" --address="/$_d/127.0.0.9" \
		    2>>"$SK/$_n.err" &
		_pid=$!
		_w=50
		while [ $_w -gt 0 ] && kill -0 $_pid 2>/dev/null; do
			if grep -q 'started, version' "$SK/$_n.log" &&
			    "$SINKS_PY" "$SINKS_DIR/dnsq.py" "ready.$_d" 127.0.0.1 "$_p" \
			    >/dev/null 2>&1; then
				echo "$_p" > "$SK/$_n.port"
				_sink_started "$_n" $_pid
				return 0
			fi
			sleep 0.1
			_w=$((_w - 1))
		done
		kill $_pid 2>/dev/null
		wait $_pid 2>/dev/null
		_try=$((_try - 1))
		[ -n "${3:-}" ] && _try=0
	done
	diag "dnsmasq $_n did not start:"
	sed 's/^/#   /' "$SK/$_n.err" "$SK/$_n.log" 2>/dev/null
	return 1
}

sink_stop() {
	_pid=$(cat "$SK/$1.pid" 2>/dev/null) || return 0
	[ -n "$_pid" ] || return 0
	kill "$_pid" 2>/dev/null
	_w=30
	while [ $_w -gt 0 ] && kill -0 "$_pid" 2>/dev/null; do
		sleep 0.1
		_w=$((_w - 1))
	done
	kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	rm -f "$SK/$1.pid"
	return 0
}

sinks_stop_all() {
	[ -n "${SK:-}" ] && [ -f "$SK/.pids" ] || return 0
	for _pid in $(cat "$SK/.pids"); do kill "$_pid" 2>/dev/null; done
	sleep 0.3
	for _pid in $(cat "$SK/.pids"); do kill -KILL "$_pid" 2>/dev/null; done
	: > "$SK/.pids"
}

sink_count() {
	_f=$(sink_log "$1")
	[ -f "$_f" ] || { echo 0; return; }
	grep -Ec -- "${2:-.}" "$_f"
}

wait_records() {
	_n=$1 _want=$2 _re=${3:-.} _t=$(( ${4:-10} * 10 ))
	while [ $_t -gt 0 ]; do
		[ "$(sink_count "$_n" "$_re")" -ge "$_want" ] && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}

sink_json() {
	"$SINKS_PY" - "$(sink_log "$1")" "$2" <<'PYEOF'
import json, sys
R = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line:
            R.append(json.loads(line))
v = eval(sys.argv[2])
if isinstance(v, (list, dict)):
    print(json.dumps(v, sort_keys=True))
elif v is not None:
    print(v)
PYEOF
}

symlink_policy() {
	_n=$1 _sev=$2 _msg=$3
	shift 3
	{
		cat <<POLEOF
  kprobes:
  - call: "sys_symlinkat"
    syscall: true
    message: "$_msg"
    tags: ["severity=$_sev", "e2e"]
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
        - "$M/$_n-"
      matchActions:
      - action: Post
POLEOF
		for _l in "$@"; do printf '      %s\n' "$_l"; done
	} | pol "$_n"
	add "$P/$_n.yaml" || { diag "policy $_n: $(cat "$T/add.out")"; return 1; }
}

# TL_SANDBOX (default enforce): the children's sandbox mode, for debugging
alerts_loaderd_start() {
	"$B/tripline-loaderd" -d -v -S "$S" -X "$B" -N "$NODE" -V none -A "$A" \
	    -m "${TL_SANDBOX:-enforce}" "$@" >>"$T/loaderd.log" 2>&1 &
	LPID=$!
	if ! wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'collectord  *running'"; then
		grep -v 'libbpf: ' "$T/loaderd.log" | tail -40 | sed 's/^/# /'
		echo "Bail out! daemons did not come up"; exit 99
	fi
}

alerts_test_env() {
	e2e_env "$1"
	_why=$(sinks_have) ||
	    { echo "Bail out! $_why (./run.sh installs it)"; exit 99; }
	M=$T/m
	mkdir -p "$M"
	chmod 777 "$M"
	NODE=$2
	sinks_init "$T/sinks"
	PY=$SINKS_PY
	# e2e_cleanup runs it before it stops loaderd
	e2e_cleanup_more() { sinks_stop_all; }
}
