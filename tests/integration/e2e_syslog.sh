#!/bin/sh
# End to end: log shipping to a real rsyslogd on 127.0.0.1.
#  TCP: one RFC 5424 message per stored event, octet-counted, with the
#   tripline@32473 structured data (policy, action, process, node) and
#   PRI = facility * 8 + severity; the MSG is the event as JSON.
#  Outage: rsyslogd stopped, events stored anyway (events.db), rsyslogd
#   started again: the missed events arrive.
#  Backlog limit: with max_backlog 200 and the receiver down, the oldest
#   waiting events are skipped and counted (status, meta syslog_skipped).
#  UDP: messages arrive as datagrams; an outage loses what was sent into it.
#  TLS: the same over rsyslog's gtls driver, the server checked against
#   syslog.ca_file.
#  imfile: rsyslog tailing STATE/events.jsonl gets every line once.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env syslog
RSD=/usr/sbin/rsyslogd
[ -x "$RSD" ] || { echo "Bail out! rsyslogd missing (rsyslog)"; exit 99; }
[ -f /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] ||
    [ -n "$(find /usr/lib -name lmnsd_gtls.so 2>/dev/null | head -1)" ] ||
    { echo "Bail out! rsyslog-gnutls missing"; exit 99; }
need openssl python3
M=$T/m
R=$T/rs
mkdir -p "$M" "$R/work" "$R/tlswork"
chmod 755 "$M"
set -- $(python3 -c 'import socket
ps = []
for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, t); s.bind(("127.0.0.1", 0)); ps.append(s)
print(*[s.getsockname()[1] for s in ps])')
PT=$1 PU=$2 PS=$3
sh "$top_srcdir/tests/sinks/mkca.sh" "$T/ca"

cat >"$R/rsyslog.conf" <<EOF
global(workDirectory="$R/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
module(load="imfile")
template(name="fields" type="string"
    string="%pri% %hostname% %app-name% %procid% %msgid% %structured-data% %msg%\n")
template(name="raw" type="string" string="%rawmsg%\n")
template(name="line" type="string" string="%msg%\n")
ruleset(name="net") {
    action(type="omfile" file="$R/fields.log" template="fields")
    action(type="omfile" file="$R/raw.log" template="raw")
}
ruleset(name="file") {
    action(type="omfile" file="$R/jsonl.log" template="line")
}
input(type="imtcp" address="127.0.0.1" port="$PT" ruleset="net")
input(type="imudp" address="127.0.0.1" port="$PU" ruleset="net")
input(type="imfile" file="$S/events.jsonl" tag="tripline" ruleset="file")
EOF
cat >"$R/tls.conf" <<EOF
global(workDirectory="$R/tlswork" maxMessageSize="64k"
    DefaultNetstreamDriverCAFile="$T/ca/ca.pem"
    DefaultNetstreamDriverCertFile="$T/ca/server.pem"
    DefaultNetstreamDriverKeyFile="$T/ca/server.key")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1"
    streamDriver.authMode="anon")
template(name="fields" type="string"
    string="%pri% %hostname% %app-name% %procid% %msgid% %structured-data% %msg%\n")
ruleset(name="net") {
    action(type="omfile" file="$R/tls.log" template="fields")
}
input(type="imtcp" address="127.0.0.1" port="$PS" ruleset="net")
EOF

rs_start() {	# rs_start NAME CONF
	"$RSD" -n -f "$2" -i "$R/$1.pid" >>"$R/$1.out" 2>&1 &
	echo $! >"$T/rs-$1.pid"
	wait_for 10 sh -c "grep -q . '$R/$1.pid' 2>/dev/null" ||
	    { sed 's/^/# /' "$R/$1.out"; echo "Bail out! rsyslogd $1 did not start"; exit 99; }
	wait_for 10 sh -c "ss -Htln 'sport = :$3' | grep -q ." ||
	    diag "rsyslogd $1 not listening on $3"
}
rs_stop() {
	_p=$(cat "$T/rs-$1.pid")
	kill "$_p" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $_p 2>/dev/null"
	rm -f "$R/$1.pid" "$T/rs-$1.pid"
}
loaderd_stop() {
	kill "$LPID" 2>/dev/null
	wait_for 15 sh -c "! kill -0 $LPID 2>/dev/null"
	LPID=''
}
conf() {	# conf TARGET [MORE LINES]
	{
		printf 'syslog:\n  target: %s\n  facility: local3\n' "$1"
		printf '  app_name: tl-test\n'
		shift
		for l in "$@"; do printf '  %s\n' "$l"; done
	} >"$T/tripline.yaml"
}
# the events.id of each message in FILE, one a line
ids() { sed -n 's/.*\[tripline@32473 id="\([0-9]*\)".*/\1/p' "$1"; }
# the ids of the openat events of files $M/$1* in the DB
db_ids() { q "SELECT id FROM events WHERE policy_name = 'sl' AND args LIKE '%$M/sl-$1%' ORDER BY id"; }
got_all() {	# got_all FILE IDS...: every id arrived
	_f=$1; shift
	for _i in "$@"; do grep -q "\[tripline@32473 id=\"$_i\"" "$_f" || return 1; done
}
st() { "$CTL" -S "$S" status --json 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['syslog']['$1'])"; }
trig() { for _n in "$@"; do "$TR" openat "$M/sl-$_n" 0 >/dev/null; done; }
stored() {	# stored PREFIX N
	wait_for 10 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM events WHERE policy_name = 'sl' AND args LIKE '%$M/sl-$1%'\")\" -ge $2 ]"
}

plan 31

rs_start main "$R/rsyslog.conf" "$PT"
conf "tcp://127.0.0.1:$PT"
start_loaderd slnode -f "$T/tripline.yaml"
sel_pol sl <<'EOF'
      matchActions:
      - action: Sigkill
EOF
add "$P/sl.yaml" || diag "$(cat "$T/add.out")"

# --- TCP: one message per stored event ---------------------------------
trig tcp-1 tcp-2 tcp-3 2>/dev/null
stored tcp- 3
set -- $(db_ids tcp-)
is "3 openat events stored" "$#" 3
check "the 3 events arrive over TCP" wait_for 15 got_all "$R/raw.log" "$@"
# everything stored up to the last of them arrived, exactly once
last=$3
all=$(q "SELECT id FROM events WHERE id <= $last ORDER BY id")
check "every event stored up to id $last arrived" wait_for 15 got_all "$R/raw.log" $all
dups=$(ids "$R/raw.log" | sort -n | uniq -d | head -5)
is "no event arrived twice" "$dups" ""
# the metrics (status --prometheus): every one counted as forwarded
fwd_counted() { [ "$(prom tripline_syslog_forwarded_total)" -ge "$last" ]; }
check "tripline_syslog_forwarded_total counts the $last events sent" \
    wait_for 10 fwd_counted
line=$(grep "\[tripline@32473 id=\"$1\"" "$R/fields.log" | head -1)
diag "$line"
# local3 (19) * 8 + 4 (warning: Sigkill is an enforcement action) = 156
like "PRI: facility local3, severity warning for a Sigkill event" "$line" '^156 '
like "HOSTNAME is the node name, APP-NAME from the config, MSGID the type" \
    "$line" '^156 slnode tl-test - process_kprobe '
like "SD: policy, action, node" "$line" 'policy="sl" function="[^"]*openat" action="KPROBE_ACTION_SIGKILL"'
like "SD: the process (pid, binary, exec_id)" "$line" \
    "pid=\"[0-9]+\" uid=\"0\" binary=\"$TR\" exec_id=\"[^\"]+\""
like "SD: node" "$line" 'node="slnode"'
msg=$(printf '%s\n' "$line" | sed 's/^.*\] //')
check "MSG is the event as a JSON object" sh -c "printf '%s' '$msg' | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"id\"] == $1 and d[\"policy\"] == \"sl\" and d[\"process\"][\"binary\"] == \"$TR\"
assert \"$M/sl-tcp-1\" in d[\"args\"]'"
exec_line=$(grep ' process_exec ' "$R/fields.log" | head -1)
like "a process_exec event: severity info (local3: 158)" "$exec_line" '^158 '
check "rsyslog parsed octet-counted frames: each raw message is one RFC 5424 message" \
    sh -c "! grep -v '^<[0-9]*>1 ' '$R/raw.log' | grep -q ."

# --- outage: receiver down, events stored, delivered later ---------------
rs_stop main
trig out-1 out-2 out-3 2>/dev/null
check "while rsyslogd is down the events are stored" stored out- 3
set -- $(db_ids out-)
fails() { [ "$(st failures)" -ge 1 ]; }
check "failed attempts are counted in status" wait_for 15 fails
check "...and in tripline_syslog_failures_total" \
    [ "$(prom tripline_syslog_failures_total)" -ge 1 ]
waiting() { [ "$(prom tripline_syslog_backlog_events)" -ge 3 ]; }
check "tripline_syslog_backlog_events counts the events waiting" \
    wait_for 15 waiting
rs_start main "$R/rsyslog.conf" "$PT"
check "after the restart the missed events arrive" wait_for 40 got_all "$R/raw.log" "$@"
diag "status: $("$CTL" -S "$S" status | grep '^syslog')"

# --- the cursor survives a restart of the daemons ------------------------
# the cursor reaches meta with the collector's next commit
cur_kept() {
	cur=$(q "SELECT value FROM meta WHERE key = 'syslog_cursor'")
	[ "${cur:-0}" -ge "$1" ]
}
check "the cursor is kept in meta" wait_for 10 cur_kept "$3"
loaderd_stop
start_loaderd slnode -f "$T/tripline.yaml"
add "$P/sl.yaml" || diag "$(cat "$T/add.out")"
trig re-1 2>/dev/null
stored re- 1
set -- $(db_ids re-)
check "after a restart forwarding resumes" wait_for 15 got_all "$R/raw.log" "$@"
dups=$(ids "$R/raw.log" | sort -n | uniq -d | wc -l)
diag "ids received more than once (at-least-once after an outage): $dups"

# --- backlog limit ---------------------------------------------------------
loaderd_stop
rs_stop main
conf "tcp://127.0.0.1:$PT" "max_backlog: 200"
start_loaderd slnode -f "$T/tripline.yaml"
add "$P/sl.yaml" || diag "$(cat "$T/add.out")"
# 250 triggers: 750 events (exec, openat, exit) while the receiver is down
trig $(seq -f 'bl-%g.' 1 250) 2>/dev/null
stored bl- 250
skipped() { [ "$(st skipped)" -ge 500 ]; }
check "events over the backlog limit are skipped and counted in status" wait_for 20 skipped
meta_skipped() { [ "$(q "SELECT value FROM meta WHERE key = 'syslog_skipped'")" -ge 500 ]; }
check "... and in meta syslog_skipped (with the collector's next commit)" wait_for 10 meta_skipped
check "...and in tripline_syslog_skipped_total{reason=\"backlog\"}" \
    [ "$(prom tripline_syslog_skipped_total 'reason="backlog"')" -ge 500 ]
is "...and nothing was refused" \
    "$(prom tripline_syslog_skipped_total 'reason="refused"')" "0"
# one query, one snapshot: the rows and the counter commit together
lost=$(q "SELECT count(*) || ' ' || sum(count) || ' ' || max(total) || ' ' ||
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'syslog_skipped')
    FROM drops WHERE source = 'syslog_backlog'")
diag "syslog_backlog drops rows, their sum, last total, meta: $lost"
check "every skipped event is in drops: syslog_backlog rows sum to meta syslog_skipped" \
    sh -c "set -- $lost; [ \$1 -ge 1 ] && [ \$2 = \$4 ] && [ \$3 = \$4 ]"
nconn=$(grep -c "syslog tcp://127.0.0.1:$PT: connected" "$T/loaderd.log")
rs_start main "$R/rsyslog.conf" "$PT"
# the forwarder's next try comes within its longest backoff (30 s); an
# event made before it could itself be skipped (more than max_backlog
# events, this test's own processes among them, can follow it), so the
# new event comes once the notifier is connected again
reconnected() { [ "$(grep -c "syslog tcp://127.0.0.1:$PT: connected" "$T/loaderd.log")" -gt "$nconn" ]; }
wait_for 60 reconnected || diag "no reconnection logged"
trig after-1 2>/dev/null
stored after- 1
set -- $(db_ids after-)
if wait_for 40 got_all "$R/raw.log" "$@"; then
	ok "forwarding goes on after the skip once the receiver is back"
else
	not_ok "forwarding goes on after the skip once the receiver is back"
	diag "status: $("$CTL" -S "$S" status | grep '^syslog')"
	grep -i 'syslog' "$T/loaderd.log" | tail -8 | sed 's/^/#   /'
fi
nbl=$(grep -c "$M/sl-bl-" "$R/raw.log")
check "at most the last 200 waiting events were sent ($nbl of the 250 openat events)" [ "$nbl" -le 200 ]

# --- UDP ------------------------------------------------------------------
loaderd_stop
conf "udp://127.0.0.1:$PU"
start_loaderd slnode -f "$T/tripline.yaml"
add "$P/sl.yaml" || diag "$(cat "$T/add.out")"
trig udp-1 udp-2 2>/dev/null
stored udp- 2
set -- $(db_ids udp-)
check "UDP: the events arrive as datagrams" wait_for 15 got_all "$R/raw.log" "$@"

# --- imfile: the JSON export as shipper input -------------------------------
loaderd_stop
n=$(wc -l <"$S/events.jsonl")
jl() { [ "$(wc -l <"$R/jsonl.log")" -ge "$n" ]; }
check "imfile: rsyslog read all $n lines of events.jsonl" wait_for 20 jl
check "imfile: every line arrived once, in order" cmp -s "$S/events.jsonl" "$R/jsonl.log"

# --- TLS ------------------------------------------------------------------
rs_stop main
rs_start tls "$R/tls.conf" "$PS"
conf "tls://127.0.0.1:$PS" "ca_file: $T/ca/ca.pem"
start_loaderd slnode -f "$T/tripline.yaml"
add "$P/sl.yaml" || diag "$(cat "$T/add.out")"
trig tls-1 tls-2 2>/dev/null
stored tls- 2
set -- $(db_ids tls-)
check "TLS: the events arrive over rsyslog's gtls listener" wait_for 20 got_all "$R/tls.log" "$@"
grep -E 'syslog|notifierd.*(fatal|SIGSYS)' "$T/loaderd.log" | tail -5 | sed 's/^/# /'
finish
