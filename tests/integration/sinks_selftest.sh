#!/bin/sh
# The local sinks the alert tests deliver to (tests/sinks/, tests/lib/sinks.sh),
# checked on their own with stdlib clients: the HTTP sink records requests and
# plays its script (Slack ok, 429 + Retry-After, 500, slow, Twilio 201/400/429,
# Vonage 200 with an error status, dropped connections, reload, restart on
# the same port), the SMTP sink insists on STARTTLS and AUTH and plays 421 /
# 451 / 550, dnsmasq answers the canary domain and logs the query.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
why=$(sinks_have) || skip_all "$why"

T=$(mktemp -d /tmp/tripline-sinks.XXXXXX)
chmod 755 "$T"
cleanup() { sinks_stop_all; rm -rf "$T"; }
trap cleanup EXIT
sinks_init "$T/sinks"
PY=$SINKS_PY

plan 35

# ---- HTTP ----------------------------------------------------------------------
cat > "$T/http.json" <<'EOF2'
[{"path_prefix": "/slack/", "responses": [{"status": 200, "body": "ok"}]},
 {"path_prefix": "/storm", "responses": [
   {"status": 429, "headers": {"Retry-After": "2"}, "body": "slow down", "repeat": 2},
   {"status": 200, "body": "ok"}]},
 {"path_prefix": "/fail", "responses": [{"status": 500, "body": "boom"}]},
 {"path_prefix": "/slow", "responses": [{"status": 200, "body": "late", "delay_ms": 400}]},
 {"path_prefix": "/2010-04-01/Accounts/ACok/", "responses": [
   {"status": 201, "body": {"sid": "SM1", "status": "queued"}}]},
 {"path_prefix": "/2010-04-01/Accounts/ACbad/", "responses": [
   {"status": 400, "body": {"code": 21211, "message": "Invalid 'To' Phone Number"}}]},
 {"path_prefix": "/2010-04-01/Accounts/ACbusy/", "responses": [
   {"status": 429, "headers": {"Retry-After": "1"}, "body": {"code": 20429}}]},
 {"path_prefix": "/sms/json", "responses": [
   {"status": 200, "body": {"message-count": "1", "messages": [
     {"status": "4", "error-text": "Bad Credentials"}]}}]},
 {"path_prefix": "/drop", "responses": [{"drop": true}]}]
EOF2
http_sink_start web "$T/http.json"
H=$(sink_port web)
like "http sink: port file written" "$H" '^[0-9]+$'

# req METHOD PATH [BODY [CONTENT-TYPE]] -> "status|Retry-After|body|seconds"
req() {
	"$PY" - "$H" "$@" <<'EOF2'
import sys, time, urllib.request, urllib.error
port, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
r = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=body,
                           method=method)
r.add_header("Idempotency-Key", "tl-test-1")
if len(sys.argv) > 5:
    r.add_header("Content-Type", sys.argv[5])
t = time.monotonic()
try:
    resp = urllib.request.urlopen(r, timeout=5)
    st, h, b = resp.status, resp.headers, resp.read()
except urllib.error.HTTPError as e:
    st, h, b = e.code, e.headers, e.read()
except Exception as e:
    print("error|%s" % type(e).__name__); sys.exit(0)
print("%d|%s|%s|%.2f" % (st, h.get("Retry-After", ""), b.decode(), time.monotonic() - t))
EOF2
}
st() { req "$@" | cut -d'|' -f1-3; }

is "default answer 200 ok" "$(st GET /other?a=1\&b=x%20y)" "200||ok"
is "record: method path query" \
    "$(sink_json web 'R[-1]["method"] + " " + R[-1]["path"] + " " + R[-1]["query"]')" \
    "GET /other a=1&b=x%20y"
is "record: headers kept" "$(sink_json web 'R[-1]["headers"]["Idempotency-Key"]')" "tl-test-1"
st POST /slack/T/B/X '{"text":"hi *there*"}' application/json >/dev/null
is "slack: body recorded as text" "$(sink_json web 'R[-1]["body"]')" '{"text":"hi *there*"}'
is "slack: answered ok" "$(sink_json web 'R[-1]["status"]')" "200"
is "429 storm: Retry-After, twice, then 200" \
    "$(st POST /storm x; st POST /storm x; st POST /storm x)" \
    "$(printf '429|2|slow down\n429|2|slow down\n200||ok')"
is "500" "$(st POST /fail x)" "500||boom"
slow=$(req POST /slow x)
like "slow: answered after delay_ms" "$slow" '^200\|\|late\|0\.(4|5|6|7|8|9)'
is "twilio 201" "$(st POST /2010-04-01/Accounts/ACok/Messages.json 'To=%2B1555&Body=x' application/x-www-form-urlencoded)" \
    '201||{"sid": "SM1", "status": "queued"}'
is "twilio form body recorded" "$(sink_json web 'R[-1]["body"]')" 'To=%2B1555&Body=x'
like "twilio 400" "$(st POST /2010-04-01/Accounts/ACbad/Messages.json x)" '^400\|\|.*21211'
like "twilio 429 + Retry-After" "$(st POST /2010-04-01/Accounts/ACbusy/Messages.json x)" '^429\|1\|'
like "vonage: 200 with status 4 in the body" "$(st POST /sms/json x)" '^200\|\|.*"status": "4", "error-text": "Bad Credentials"'
is "dropped connection: client sees an error" "$(st GET /drop)" "error|RemoteDisconnected"
is "dropped connection: recorded with status null" "$(sink_json web 'str(R[-1]["status"])')" "None"
"$PY" -c "import urllib.request,sys; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$H/bin', data=bytes([0xff,0,1]), method='PUT'))"
is "binary body stored as base64" "$(sink_json web '"%s %s" % (R[-1]["body_b64"], R[-1]["body"])')" "True /wAB"
is "every request recorded once, in order" "$(sink_json web '[r["seq"] for r in R] == list(range(1, len(R) + 1))')" "True"
n=$(sink_count web)
sleep 1.1   # a new mtime
echo '[{"path_prefix": "/fail", "responses": [{"status": 200, "body": "healed"}]}]' > "$T/http.json"
is "script re-read when the file changes" "$(st POST /fail x)" "200||healed"
sink_stop web
is "stopped sink: connection refused" "$(st GET /x)" "error|URLError"
http_sink_start web "$T/http.json" "$H"
is "restarted on the same port, appending to the same log" \
    "$(st POST /fail x) $(sink_count web)" "200||healed $((n + 2))"

# HTTPS with the test CA (mkca.sh): same sink, --cert/--key
sinks_ca
"$SINKS_PY" "$SINKS_DIR/http_sink.py" --log "$SK/tls.jsonl" --port-file "$SK/tls.port" \
    --cert "$SK/ca/server.pem" --key "$SK/ca/server.key" 2>>"$SK/tls.err" &
_sink_started tls $!
_sink_wait_port tls $!
is "https sink: verified against the test CA for 127.0.0.1" "$("$PY" -c '
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(urllib.request.urlopen("https://127.0.0.1:%s/x" % sys.argv[1], context=ctx, timeout=5).read().decode())' \
    "$(sink_port tls)" "$SK/ca/ca.pem" 2>&1) $(sink_count tls '"path": "/x"')" "ok 1"

# ---- SMTP ----------------------------------------------------------------------
smtp_sink_start mail "$T/smtp.json"
M=$(sink_port mail)
like "smtp sink: port file written" "$M" '^[0-9]+$'
# smtp STEPS... : run one SMTP session; prints replies (see the python)
smtp() {
	"$PY" - "$M" "$SK/ca/ca.pem" "$@" <<'EOF2'
import smtplib, ssl, sys
port, ca, steps = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
out = []
try:
    s = smtplib.SMTP("127.0.0.1", port, timeout=5)
    for st in steps:
        if st == "tls":
            s.starttls(context=ssl.create_default_context(cafile=ca))
            s.ehlo()
        elif st.startswith("auth:"):
            _, mech, u, p = st.split(":")
            s.ehlo_or_helo_if_needed()
            s.esmtp_features["auth"] = mech
            try:
                s.login(u, p)
                out.append("auth ok")
            except smtplib.SMTPAuthenticationError as e:
                out.append("auth %d" % e.smtp_code)
        elif st.startswith("send:"):
            rcpts = st[5:].split(",")
            msg = ("From: tripline@example.org\r\nTo: %s\r\nSubject: t\r\n"
                   "Message-ID: <tl-x-1@tripline>\r\n\r\nline 1\r\n.dot line\r\n"
                   % rcpts[0])
            try:
                r = s.sendmail("tripline@example.org", rcpts, msg)
                out.append("sent" + ("" if not r else " refused:" + ",".join(
                    "%s=%d" % (k, v[0]) for k, v in sorted(r.items()))))
            except smtplib.SMTPResponseException as e:
                out.append("send %d" % e.smtp_code)
            except smtplib.SMTPRecipientsRefused as e:
                out.append("rcpt refused " + ",".join(
                    "%s=%d" % (k, v[0]) for k, v in e.recipients.items()))
    s.quit()
except smtplib.SMTPResponseException as e:
    out.append("error %d" % e.smtp_code)
except smtplib.SMTPServerDisconnected as e:
    out.append("disconnected")
print(";".join(out))
EOF2
}
is "smtp: MAIL without STARTTLS refused (530)" "$(smtp send:sec@example.org)" "send 530"
is "smtp: MAIL without AUTH refused (530)" "$(smtp tls send:sec@example.org)" "send 530"
is "smtp: wrong password refused (535)" "$(smtp tls auth:PLAIN:$SMTP_USER:nope)" "auth 535"
is "smtp: STARTTLS + AUTH PLAIN + send" "$(smtp tls auth:PLAIN:$SMTP_USER:$SMTP_PASS send:sec@example.org)" "auth ok;sent"
is "smtp: message recorded with envelope, TLS and the auth user" \
    "$(sink_json mail 'R[-1]["mail_from"] + " " + ",".join(R[-1]["rcpt_tos"]) + " " + str(R[-1]["tls"]) + " " + R[-1]["auth_user"]')" \
    "tripline@example.org sec@example.org True $SMTP_USER"
like "smtp: data kept byte-exact (CRLF, dot-unstuffed)" "$(sink_json mail 'repr(R[-1]["data"])')" \
    'Message-ID: <tl-x-1@tripline>\\r\\n\\r\\nline 1\\r\\n\.dot line\\r\\n'
is "smtp: AUTH LOGIN" "$(smtp tls auth:LOGIN:$SMTP_USER:$SMTP_PASS send:sec@example.org)" "auth ok;sent"
cat > "$T/smtp.json" <<'EOF2'
{"connect": [{"reply": "421 4.3.2 try again later", "repeat": 1}, {"reply": null}],
 "data": [{"reply": "451 4.3.0 queue full", "repeat": 1}, {"reply": null}],
 "rcpt": {"gone@example.org": "550 5.1.1 no such user"}}
EOF2
is "smtp script: 421 on connect, then 451 on DATA, then 250; RCPT 550" \
    "$(smtp tls; smtp tls auth:PLAIN:$SMTP_USER:$SMTP_PASS send:sec@example.org; smtp tls auth:PLAIN:$SMTP_USER:$SMTP_PASS send:sec@example.org; smtp tls auth:PLAIN:$SMTP_USER:$SMTP_PASS send:gone@example.org)" \
    "$(printf 'error 421\nauth ok;send 451\nauth ok;sent\nauth ok;rcpt refused gone@example.org=550')"
is "smtp: records say which DATA was accepted" \
    "$(sink_json mail '" ".join(r["reply"].split()[0] for r in R if r["kind"] in ("message", "rcpt"))')" \
    "250 250 451 250 550"

# ---- DNS -----------------------------------------------------------------------
dns_sink_start dns canary.example
D=$(sink_port dns)
like "dnsmasq: started on a free loopback port" "$D" '^[0-9]+$'
is "dnsmasq: canary name answered 127.0.0.9" \
    "$("$PY" "$SINKS_DIR/dnsq.py" n0nce1.abc.canary.example 127.0.0.1 "$D" | tr '\n' ' ')" "rcode=0 A 127.0.0.9 "
wait_records dns 1 'query\[A\] n0nce1\.abc\.canary\.example from 127\.0\.0\.1' 5
is "dnsmasq: query logged" "$(sink_count dns 'query\[A\] n0nce1\.abc\.canary\.example')" "1"

finish
