#!/bin/sh
# End to end alert delivery (issue 5): a policy hit on a real system call
# -> collectord outbox -> notifierd -> real local sinks on 127.0.0.1
# (tests/sinks/: a scripted HTTP sink for Slack, Twilio, Vonage, a generic
# SMS gateway, a webhook with HMAC, canary GETs and GetUrl; an aiosmtpd
# server with STARTTLS + AUTH; dnsmasq for canary_dns and DnsLookup).
# Then the failure paths: a sink down and then back (every alert exactly
# once per idempotency key), a 429 storm (Retry-After honoured), SIGKILL of
# notifierd mid-delivery (nothing lost), permanent failures (dead letter
# with the reason in `triplinectl alerts --failed`), secrets nowhere in the
# logs/DB/JSON/ctl output, and a world-readable alerts file with secrets
# refused by loaderd.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
alerts_test_env alerts alertnode

plan 52

# ---- sinks -----------------------------------------------------------------------
cat > "$T/web.json" <<'EOF2'
[{"path_prefix": "/slack/", "responses": [{"status": 200, "body": "ok"}]},
 {"path_prefix": "/twilio/2010-04-01/Accounts/ACok/", "responses": [
   {"status": 201, "body": {"sid": "SM1", "status": "queued"}}]},
 {"path_prefix": "/twilio/2010-04-01/Accounts/ACbad/", "responses": [
   {"status": 400, "body": {"code": 21211, "message": "Invalid 'To' Phone Number"}}]},
 {"path_prefix": "/vonage/sms/json", "responses": [
   {"status": 200, "body": {"message-count": "1", "messages": [
     {"to": "4415550002", "message-id": "0A1", "status": "0"}]}}]},
 {"path_prefix": "/vonage-bad/sms/json", "responses": [
   {"status": 200, "body": {"message-count": "1", "messages": [
     {"status": "4", "error-text": "Bad Credentials"}]}}]},
 {"path_prefix": "/gw/send", "responses": [{"status": 200, "body": "OK queued"}]},
 {"path_prefix": "/storm", "responses": [
   {"status": 429, "headers": {"Retry-After": "2"}, "body": "slow down", "repeat": 6},
   {"status": 200, "body": "ok"}]},
 {"path_prefix": "/slow", "responses": [{"status": 200, "body": "ok", "delay_ms": 1500}]}]
EOF2
http_sink_start web "$T/web.json" || { echo "Bail out! http sink"; exit 99; }
H=$(sink_port web)
cat > "$T/mail.json" <<'EOF2'
{"rcpt": {"gone@example.org": "550 5.1.1 <gone@example.org>: no such user"}}
EOF2
smtp_sink_start mail "$T/mail.json" || { echo "Bail out! smtp sink"; exit 99; }
MP=$(sink_port mail)
dns_sink_start dns canary.example || { echo "Bail out! dnsmasq"; exit 99; }
D=$(sink_port dns)
# the "down" sink is started later, on this port
DOWNP=$("$PY" "$SINKS_DIR/dnsq.py" --free-port)

# ---- alerts.yaml -------------------------------------------------------------------
SEC_SLACK=slk$$x7Q
SEC_TW=tw-secret-$$
SEC_VON=von-secret-$$
SEC_GW=gw-secret-$$
SEC_HMAC=hmac-secret-$$
SECRETS="$SEC_SLACK $SEC_TW $SEC_VON $SEC_GW $SEC_HMAC $SMTP_PASS"
# secrets go to python by environment only: tripline records every
# process's arguments (a grep for a secret would put it in events.db)
export SEC_TW SEC_VON SEC_GW SEC_HMAC SMTP_USER SECRETS
# leaks FILE...: "file:secret" for each secret found in each file
leaks() {
	"$PY" - "$@" <<'EOF2'
import os, sys
out = []
for f in sys.argv[1:]:
    try:
        data = open(f, "rb").read()
    except FileNotFoundError:
        continue
    for s in os.environ["SECRETS"].split():
        if s.encode() in data:
            out.append("%s:%s" % (os.path.basename(f), s))
print(" ".join(out))
EOF2
}
W=http://127.0.0.1:$H
A=$T/alerts.yaml
cat > "$A" <<EOF2
defaults:
  dns_resolver: 127.0.0.1:$D
  timeout: 5s
  retry: {initial: 1s, max: 3s, max_age: 1h}
  circuit: {failures: 3, open_for: 2s}
  max_inflight: 4
receivers:
  - name: slack
    slack: {url: "$W/slack/T0001/B0001/$SEC_SLACK"}
  - name: twilio
    sms: {provider: twilio, url: "$W/twilio", account_sid: ACok,
          auth_token: "$SEC_TW", from: "+15550001", to: ["+15550002"]}
  - name: vonage
    sms: {provider: vonage, url: "$W/vonage", api_key: vkey,
          api_secret: "$SEC_VON", from: tripline, to: ["+4415550002"]}
  - name: gw
    sms: {provider: generic, url: "$W/gw/send", method: POST, format: json,
          fields: {to: "{to}", msg: "{text}", key: "{idem_key}", pol: "{policy}"},
          headers: {X-Api-Key: "$SEC_GW"},
          success: {status: [200], body_contains: "OK"}, to: ["+15550003"]}
  - name: mail
    email: {smarthost: "127.0.0.1:$MP", tls: starttls, ca_file: "$SK/ca/ca.pem",
            username: "$SMTP_USER", password: "$SMTP_PASS", auth: plain,
            from: tripline@example.org, to: [sec@example.org],
            subject_prefix: "[tripline]"}
  - name: hook
    webhook: {url: "$W/hook", hmac_secret: "$SEC_HMAC",
              hmac_header: X-Tripline-Signature}
  - name: canary
    canary_http: {url: "$W/canary/abc"}
  - name: canary-dns
    canary_dns: {name: abc.canary.example, resolver: "127.0.0.1:$D", data: true}
  - name: down
    webhook: {url: "http://127.0.0.1:$DOWNP/down"}
  - name: storm
    webhook: {url: "$W/storm"}
  - name: slow
    webhook: {url: "$W/slow"}
  - name: twilio-bad
    sms: {provider: twilio, url: "$W/twilio", account_sid: ACbad,
          auth_token: "$SEC_TW", from: "+15550001", to: ["+15550009"]}
  - name: vonage-bad
    sms: {provider: vonage, url: "$W/vonage-bad", api_key: vkey,
          api_secret: "$SEC_VON", from: tripline, to: ["+4415550009"]}
  - name: mail-bad
    email: {smarthost: "127.0.0.1:$MP", ca_file: "$SK/ca/ca.pem",
            username: "$SMTP_USER", password: "$SMTP_PASS",
            from: tripline@example.org, to: [gone@example.org]}
routes:
  - name: r-all
    match: {policy: [tl-all]}
    receivers: [slack, twilio, vonage, gw, mail, hook, canary, canary-dns]
  - name: r-down
    match: {policy: [tl-down]}
    receivers: [down]
  - name: r-storm
    match: {policy: [tl-storm]}
    receivers: [storm]
  - name: r-slow
    match: {policy: [tl-slow]}
    receivers: [slow]
  - name: r-bad
    match: {policy: [tl-bad]}
    receivers: [twilio-bad, vonage-bad, mail-bad]
EOF2

# ---- a world-readable alerts file with secrets: loaderd refuses ---------------------
cp "$A" "$T/open.yaml"
chmod 644 "$T/open.yaml"
mkdir -p "$T/state-refused"
timeout 30 "$B/tripline-loaderd" -d -S "$T/state-refused" -X "$B" -N refused \
    -V none -A "$T/open.yaml" >"$T/refused.log" 2>&1
rc=$?
like "alerts.yaml mode 0644 with secrets: loaderd refuses to start" "$rc" '^([1-9]|[1-9][0-9]|1[01][0-9]|12[0-3])$'
like "... and says why, naming the file" "$(cat "$T/refused.log")" "$T/open.yaml.*(mode|0644|readable|permission)"
is "refusal message holds no secret" "$(leaks "$T/refused.log")" ""

chmod 600 "$A"
chown root:root "$A"

# ---- daemons -------------------------------------------------------------------------
alerts_loaderd_start
ok "loaderd up with -A alerts.yaml (mode 0600 root)"
like "loaderd logged the alerts file" "$(cat "$T/loaderd.log")" "alerts file $A: 14 receivers, 5 routes"

# policy NAME [EXTRA ACTION LINES...]: sys_symlinkat whose link path starts
# with $M/NAME-, Post (+ the given actions), tagged severity=high
policy() { n=$1; shift; symlink_policy "$n" high "e2e alert test" "$@"; }
# the parent is a copy of the shell, so "parent" is a name we know
cp "$(readlink -f /bin/sh)" "$M/tl-parent"
# hit NAME SUFFIX: symlinkat(/etc/passwd, $M/NAME-SUFFIX) by trigger under tl-parent
hit() { "$M/tl-parent" -c "'$TR' symlinkat /etc/passwd '$M/$1-$2' >/dev/null; true"; }
# outbox rows of a route as "receiver state" lines
ob() { q "SELECT receiver || ' ' || state FROM outbox WHERE route='$1' ORDER BY receiver, id"; }
ob_done() { # ROUTE: every row delivered or dead
	[ -n "$(q "SELECT 1 FROM outbox WHERE route='$1'")" ] &&
	[ -z "$(q "SELECT 1 FROM outbox WHERE route='$1' AND state NOT IN ('delivered','dead')")" ]
}

# ---- one hit, every receiver ----------------------------------------------------------
policy tl-all "- action: GetUrl" "  argUrl: \"$W/geturl/tl-all\"" \
    "- action: DnsLookup" "  argFqdn: \"lookup.canary.example\""
ok "policy with Post, GetUrl and DnsLookup loaded"
hit tl-all 1
wait_for 15 row_exists "SELECT 1 FROM events WHERE policy_name='tl-all'"
EID=$(q "SELECT id FROM events WHERE policy_name='tl-all' LIMIT 1")
is "outbox: the event's rows (8 receivers + 2 actions), in its transaction" \
    "$(q "SELECT count(*) FROM outbox WHERE event_id=$EID")" "10"
wait_for 30 ob_done r-all
is "outbox: every receiver of the route delivered" "$(ob r-all | tr '\n' ';')" \
    "canary delivered;canary-dns delivered;gw delivered;hook delivered;mail delivered;slack delivered;twilio delivered;vonage delivered;"
wait_for 15 sh -c "[ -z \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT 1 FROM outbox WHERE event_id=$EID AND receiver='' AND state <> 'delivered'\")\" ]"
is "outbox: GetUrl and DnsLookup actions delivered" \
    "$(q "SELECT kind || ' ' || target || ' ' || state FROM outbox WHERE event_id=$EID AND receiver='' ORDER BY kind" | tr '\n' ';')" \
    "canary_dns lookup.canary.example delivered;canary_http $W/geturl/tl-all delivered;"
is "deliveries: one 'delivered' attempt per outbox row" \
    "$(q "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.event_id=$EID AND d.status='delivered'")" "10"
is "idempotency keys are tl-<node>-<salt>-<outbox id>" \
    "$(q "SELECT count(*) FROM outbox WHERE event_id=$EID AND idem_key = 'tl-$NODE-' || (SELECT value FROM meta WHERE key = 'idem_salt') || '-' || id")" "10"
PID_HIT=$(q "SELECT json_extract(process, '\$.pid') FROM events WHERE id=$EID" 2>/dev/null)
ARG="$M/tl-all-1"

# check NAME PYTHON: the python (records of sink NAME in R, helpers below)
# prints "ok" or a reason
pycheck() {
	"$PY" - "$(sink_log "$1")" "$TR" "$M/tl-parent" "$ARG" "$DB" "$2" <<'EOF2'
import base64, hashlib, hmac, json, os, sqlite3, sys, urllib.parse
log, TR, PARENT, ARG, DB, code = sys.argv[1:7]
E = os.environ
R = [json.loads(l) for l in open(log, encoding="utf-8") if l.strip()]
db = sqlite3.connect(DB, timeout=5)
def key(receiver):
    r = db.execute("SELECT idem_key FROM outbox WHERE receiver=? AND route='r-all'",
                   (receiver,)).fetchone()
    return r[0] if r else None
def has_all(text, what):
    miss = [n for n, v in (("binary", TR), ("parent", PARENT), ("policy", "tl-all"),
                           ("argument", ARG)) if v not in text]
    return "ok" if not miss else "%s lacks %s: %r" % (what, ",".join(miss), text[:400])
def one(path_prefix, method="POST"):
    m = [r for r in R if r["path"].startswith(path_prefix) and r["method"] == method]
    return m
res = None
exec(code)
print(res)
EOF2
}

r=$(pycheck web '
m = one("/slack/")
if len(m) != 1: res = "slack requests: %d" % len(m)
else:
    b = json.loads(m[0]["body"])
    res = has_all(b["text"] + b["blocks"][0]["text"]["text"], "slack text")
    if res == "ok" and m[0]["headers"].get("Idempotency-Key") != key("slack"):
        res = "Idempotency-Key %r" % m[0]["headers"].get("Idempotency-Key")
')
is "slack: one POST, text names binary, parent, policy, argument; Idempotency-Key" "$r" ok

r=$(pycheck web '
m = one("/twilio/2010-04-01/Accounts/ACok/Messages.json")
if len(m) != 1: res = "twilio requests: %d" % len(m)
else:
    f = urllib.parse.parse_qs(m[0]["body"])
    auth = m[0]["headers"].get("Authorization", "")
    want = "Basic " + base64.b64encode(("ACok:" + E["SEC_TW"]).encode()).decode()
    if f.get("To") != ["+15550002"] or f.get("From") != ["+15550001"]: res = "form %r" % f
    elif auth != want: res = "Authorization %r" % auth
    else: res = has_all(f["Body"][0], "twilio Body")
')
is "twilio: form POST (To, From, Body with binary, parent, policy, argument), Basic auth" "$r" ok

r=$(pycheck web '
m = one("/vonage/sms/json")
if len(m) != 1: res = "vonage requests: %d" % len(m)
else:
    ct = m[0]["headers"].get("Content-Type", "")
    f = json.loads(m[0]["body"]) if "json" in ct else {k: v[0] for k, v in urllib.parse.parse_qs(m[0]["body"]).items()}
    if f.get("api_key") != "vkey" or f.get("to") != "+4415550002" and f.get("to") != "4415550002": res = "fields %r" % {k: v for k, v in f.items() if k != "api_secret"}
    elif f.get("api_secret") != E["SEC_VON"]: res = "api_secret missing"
    else: res = has_all(f.get("text", ""), "vonage text")
')
is "vonage: api_key/api_secret/to and text with binary, parent, policy, argument" "$r" ok

r=$(pycheck web '
m = one("/gw/send")
if len(m) != 1: res = "gw requests: %d" % len(m)
else:
    f = json.loads(m[0]["body"])
    if m[0]["headers"].get("X-Api-Key") != E["SEC_GW"]: res = "X-Api-Key missing"
    elif f.get("to") != "+15550003" or f.get("key") != key("gw") or f.get("pol") != "tl-all": res = "fields %r" % f
    else: res = has_all(f["msg"], "generic msg")
')
is "generic SMS: JSON template filled ({to} {text} {idem_key} {policy}), header sent" "$r" ok

r=$(pycheck web '
m = one("/hook")
if len(m) != 1: res = "webhook requests: %d" % len(m)
else:
    body = m[0]["body"].encode()
    sig = m[0]["headers"].get("X-Tripline-Signature", "")
    want = "sha256=" + hmac.new(E["SEC_HMAC"].encode(), body, hashlib.sha256).hexdigest()
    b = json.loads(body)
    ev = b.get("event") or {}
    k = next(iter(ev)) if isinstance(ev, dict) and ev else None
    e = ev.get(k, {}) if k else {}
    if not hmac.compare_digest(sig, want): res = "bad signature %r" % sig
    elif b.get("idempotency_key") != key("hook") or m[0]["headers"].get("Idempotency-Key") != key("hook"): res = "idempotency key %r" % b.get("idempotency_key")
    elif k != "process_kprobe" or e.get("policy_name") != "tl-all": res = "event %r" % (k, e.get("policy_name"))
    elif e.get("process", {}).get("binary") != TR or e.get("parent", {}).get("binary") != PARENT: res = "process/parent %r" % ((e.get("process", {}).get("binary"), e.get("parent", {}).get("binary")),)
    elif ARG not in json.dumps(e.get("args")): res = "args %r" % e.get("args")
    else: res = "ok"
')
is "webhook: valid HMAC-SHA256 of the body, envelope key, Tetragon event (binary, parent, policy, args)" "$r" ok

r=$(pycheck web '
m = one("/canary/abc", "GET")
g = one("/geturl/tl-all", "GET")
if len(m) != 1 or len(g) != 1: res = "canary GETs %d, GetUrl GETs %d" % (len(m), len(g))
elif m[0]["headers"].get("Idempotency-Key") != key("canary"): res = "canary key %r" % m[0]["headers"].get("Idempotency-Key")
else: res = "ok"
')
is "canary_http GET and the GetUrl action GET arrived once each" "$r" ok

r=$(pycheck mail '
m = [x for x in R if x["kind"] == "message"]
if len(m) != 1: res = "messages: %d" % len(m)
else:
    x = m[0]; d = x["data"]
    hdr, _, body = d.partition("\r\n\r\n")
    H = {}
    for line in hdr.split("\r\n"):
        if ":" in line and not line[0].isspace(): k, _, v = line.partition(":"); H[k.strip().lower()] = v.strip()
    bare_lf = any(d[i] == "\n" and (i == 0 or d[i - 1] != "\r") for i in range(len(d)))
    if x["mail_from"] != "tripline@example.org" or x["rcpt_tos"] != ["sec@example.org"]: res = "envelope %r %r" % (x["mail_from"], x["rcpt_tos"])
    elif not x["tls"] or x["auth_user"] != E["SMTP_USER"]: res = "tls %r auth %r" % (x["tls"], x["auth_user"])
    elif H.get("message-id") != "<%s@tripline>" % key("mail"): res = "Message-ID %r" % H.get("message-id")
    elif not H.get("subject", "").startswith("[tripline]") or "tl-all" not in H.get("subject", ""): res = "Subject %r" % H.get("subject")
    elif H.get("from") is None or "sec@example.org" not in H.get("to", ""): res = "From/To %r %r" % (H.get("from"), H.get("to"))
    elif bare_lf: res = "bare LF in the message"
    else: res = has_all(body.replace("=\r\n", ""), "mail body")
')
is "email: envelope, STARTTLS, Message-ID <key@tripline>, Subject, CRLF-only, body names binary, parent, policy, argument" "$r" ok
is "email: AUTH PLAIN (as configured) over TLS" \
    "$(sink_json mail '",".join(sorted(set("%s/%s" % (r["mechanism"], r["tls"]) for r in R if r["kind"] == "auth" and r["ok"])))')" "PLAIN/True"

r=$("$PY" - "$(sink_log dns)" "$DB" <<'EOF2'
import base64, hashlib, re, sqlite3, sys
log, DB = sys.argv[1:3]
db = sqlite3.connect(DB, timeout=5)
k_c = db.execute("SELECT idem_key FROM outbox WHERE receiver='canary-dns'").fetchone()[0]
k_a = db.execute("SELECT idem_key FROM outbox WHERE kind='canary_dns' AND receiver=''").fetchone()[0]
names = re.findall(r"query\[A\] (\S+) from 127\.0\.0\.1", open(log).read())
can = [n for n in names if n.endswith(".abc.canary.example")]
act = [n for n in names if n.endswith(".lookup.canary.example") or n == "lookup.canary.example"]
out = []
if len(can) != 1: out.append("canary queries %r" % can)
else:
    labels = can[0].split(".")
    nonce = labels[0]
    if not hashlib.sha256(k_c.encode()).hexdigest().startswith(nonce) or len(nonce) < 8:
        out.append("canary nonce %s not from key %s" % (nonce, k_c))
    if len(labels) == 5:
        l = labels[1].upper()
        data = base64.b32decode(l + "=" * (-len(l) % 8)).decode()
        if not data.startswith("tl-all."): out.append("data label %r" % data)
    else: out.append("no data label in %s" % can[0])
if len(act) != 1: out.append("DnsLookup queries %r" % act)
elif act[0] != "lookup.canary.example" and not hashlib.sha256(k_a.encode()).hexdigest().startswith(act[0].split(".")[0]):
    out.append("DnsLookup nonce %s" % act[0])
print("; ".join(out) or "ok")
EOF2
)
is "canary_dns: one A query <nonce(key)>.<base32 policy.pid>.abc.canary.example; DnsLookup queried once" "$r" ok

# ---- secrets stay out of logs, DB, JSON export and ctl output -------------------------
"$CTL" -S "$S" alerts > "$T/ctl-alerts.out" 2>&1
"$CTL" -S "$S" alerts --json > "$T/ctl-alerts.json" 2>&1
like "triplinectl alerts lists the route's deliveries" "$(cat "$T/ctl-alerts.out")" "slack.*delivered|delivered.*slack"
sqlite3 "$DB" 'PRAGMA wal_checkpoint;' >/dev/null 2>&1
is "no secret in loaderd/collectord/notifierd logs, events.db, events.jsonl or triplinectl alerts" \
    "$(leaks "$T/loaderd.log" "$S/events.jsonl" "$DB" "$DB-wal" "$T/ctl-alerts.out" "$T/ctl-alerts.json")" ""

# ---- a sink down for a while, then 500s, then back -------------------------------------
policy tl-down
for i in 1 2 3; do hit tl-down "$i"; done
wait_for 15 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM outbox WHERE route='r-down'\")\" = 3 ]"
sleep 4
is "down: nothing delivered while the sink is down" \
    "$(q "SELECT count(*) FROM outbox WHERE route='r-down' AND state='delivered'")" "0"
like "down: attempts recorded as retry with the connect error" \
    "$(q "SELECT DISTINCT d.status || ' ' || d.detail FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-down'")" \
    "^retry .*(onnect|refused)"
echo '[{"path_prefix": "/", "responses": [{"status": 500, "body": "boom"}]}]' > "$T/down.json"
http_sink_start down "$T/down.json" "$DOWNP" || diag "down sink did not start on port $DOWNP"
wait_records down 2 '"status": 500' 20
sleep 1
echo '[{"path_prefix": "/", "responses": [{"status": 200, "body": "ok"}]}]' > "$T/down.json.new"
mv "$T/down.json.new" "$T/down.json"
wait_for 40 ob_done r-down
is "down: all 3 delivered once the sink is back" "$(ob r-down | tr '\n' ';')" \
    "down delivered;down delivered;down delivered;"
r=$(sink_json down '
(lambda ok: "%d keys, max %d per key, %d 500s" % (len(set(ok)), max(ok.count(k) for k in ok), sum(1 for r in R if r["status"] == 500)) if ok else "none")([r["headers"].get("Idempotency-Key") for r in R if r["status"] == 200])')
like "down: every alert accepted exactly once per idempotency key (after 500s)" "$r" "^3 keys, max 1 per key, [1-9][0-9]* 500s$"
diag "down: deliveries: $(q "SELECT o.id || ':' || group_concat(d.status || '/' || coalesce(d.code,0), ',') FROM outbox o JOIN deliveries d ON d.outbox_id=o.id WHERE o.route='r-down' GROUP BY o.id" | tr '\n' ' ')"
like "down: the 500s were recorded as retries" \
    "$(q "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-down' AND d.status='retry' AND d.code=500")" "^[1-9]"

# ---- a 429 storm is paced by Retry-After ------------------------------------------------
policy tl-storm
for i in 1 2 3; do hit tl-storm "$i"; done
wait_for 40 ob_done r-storm
is "storm: all 3 delivered after the 429s" "$(ob r-storm | tr '\n' ';')" \
    "storm delivered;storm delivered;storm delivered;"
r=$(sink_json web '
(lambda S: (lambda K: "min gap after 429 %.2f s; per key %s" % (min(g for k in K for g in K[k]) if any(K.values()) else -1, " ".join("%s:%s" % (k.rsplit("-", 1)[1], ",".join("%.2f" % g for g in K[k])) for k in sorted(K))))({k: [b["time"] - a["time"] for a, b in zip([x for x in S if x["headers"].get("Idempotency-Key") == k], [x for x in S if x["headers"].get("Idempotency-Key") == k][1:]) if a["status"] == 429] for k in set(x["headers"].get("Idempotency-Key") for x in S)}))([x for x in R if x["path"] == "/storm"])')
diag "storm: $r"
diag "storm: arrivals (s since first, status): $(sink_json web '(lambda S: " ".join("%.2f/%s" % (x["time"] - S[0]["time"], x["status"]) for x in S))([x for x in R if x["path"] == "/storm"])')"
like "storm: no retry of a key before its Retry-After (2 s)" "$r" '^min gap after 429 (2\.|[3-9]\.|[1-9][0-9]+\.)'
is "storm: 6 answers 429 then 3 accepted, one per key" \
    "$(sink_json web '"%d %d %d" % (sum(1 for x in R if x["path"] == "/storm" and x["status"] == 429), sum(1 for x in R if x["path"] == "/storm" and x["status"] == 200), len(set(x["headers"].get("Idempotency-Key") for x in R if x["path"] == "/storm" and x["status"] == 200)))')" "6 3 3"
like "storm: Retry-After kept in the deliveries (code 429)" \
    "$(q "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-storm' AND d.code=429 AND d.status='retry'")" "^6$"

# ---- SIGKILL of notifierd mid-delivery ---------------------------------------------------
policy tl-slow
NPID=$(pgrep -P "$LPID" -x notifierd | head -1)
like "notifierd runs under loaderd" "$NPID" '^[0-9]+$'
for i in 1 2 3 4 5 6; do hit tl-slow "$i"; done
wait_records web 1 '"path": "/slow"' 15
kill -KILL "$NPID" 2>/dev/null
is "SIGKILL sent to notifierd while a delivery was in flight" "$?" "0"
wait_for 20 sh -c "pgrep -P $LPID -x notifierd | grep -vx $NPID"
like "loaderd respawned notifierd" "$(pgrep -P "$LPID" -x notifierd)" '^[0-9]+$'
wait_for 60 ob_done r-slow
is "SIGKILL: all 6 outbox rows end delivered" "$(ob r-slow | tr '\n' ';')" \
    "slow delivered;slow delivered;slow delivered;slow delivered;slow delivered;slow delivered;"
is "SIGKILL: the sink saw every idempotency key" \
    "$(sink_json web 'len(set(x["headers"].get("Idempotency-Key") for x in R if x["path"] == "/slow"))')" "6"
diag "SIGKILL: sink requests for 6 keys: $(sink_count web '"path": "/slow"') (re-sent in-flight jobs are duplicates by design; the key dedups)"

# ---- permanent failures: dead letter with the reason ---------------------------------------
policy tl-bad
hit tl-bad 1
wait_for 30 ob_done r-bad
is "permanent failures end dead" "$(ob r-bad | tr '\n' ';')" \
    "mail-bad dead;twilio-bad dead;vonage-bad dead;"
is "dead after one attempt each (no retries of a permanent failure)" \
    "$(q "SELECT group_concat(attempts) FROM outbox WHERE route='r-bad' ORDER BY receiver")" "1,1,1"
like "twilio 400: reason stored" "$(q "SELECT last_error FROM outbox WHERE receiver='twilio-bad'")" "HTTP 400"
like "vonage status 4: reason stored" "$(q "SELECT last_error FROM outbox WHERE receiver='vonage-bad'")" "vonage status 4: Bad Credentials"
like "SMTP 550: reason stored" "$(q "SELECT last_error FROM outbox WHERE receiver='mail-bad'")" "550"
"$CTL" -S "$S" alerts --failed > "$T/failed.out" 2>&1
F=$(cat "$T/failed.out")
like "triplinectl alerts --failed: twilio-bad with HTTP 400" "$F" "twilio-bad.*HTTP 400"
like "triplinectl alerts --failed: mail-bad with SMTP 550" "$F" "mail-bad.*550"
like "triplinectl alerts --failed: vonage-bad with its status" "$F" "vonage-bad.*vonage status 4"
if printf '%s\n' "$F" | grep -Eq ' delivered|slack|r-all'; then not_ok "--failed lists only dead rows"; diag "$F"; else ok "--failed lists only dead rows"; fi
"$CTL" -S "$S" alerts --failed --json > "$T/failed.json" 2>&1
is "triplinectl alerts --failed --json: 3 dead rows, valid JSON" \
    "$("$PY" -c '
import json, sys
t = open(sys.argv[1]).read().strip()
try:
    v = json.loads(t)
    rows = v if isinstance(v, list) else v.get("alerts", v.get("rows", []))
except ValueError:
    rows = [json.loads(l) for l in t.splitlines() if l.strip()]
print(len([r for r in rows if r.get("state") == "dead"]))' "$T/failed.json" 2>&1)" "3"
is "deliveries: the dead rows' attempts are 'dead'" \
    "$(q "SELECT group_concat(d.status) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-bad'")" "dead,dead,dead"
is "mail-bad: the SMTP sink refused the RCPT once" "$(sink_count mail '"kind": "rcpt"')" "1"

# ---- state of the whole run ----------------------------------------------------------------
is "no row left pending/inflight/waiting" \
    "$(q "SELECT count(*) FROM outbox WHERE state IN ('pending','inflight','waiting')")" "0"
is "alerts view (v3 compatibility): the two action rows" \
    "$(q "SELECT group_concat(kind || ' ' || state, ';') FROM (SELECT * FROM alerts WHERE event_id=$EID ORDER BY kind)")" \
    "dnslookup delivered;geturl delivered"
# the same outcomes in the Prometheus metrics (collector stats, ~1 s old)
prom_alerts() {
	"$CTL" -S "$S" status --prometheus | sed -n "s/^tripline_alerts_total{state=\"$1\"} //p"
}
prom_ok() { [ "$(prom_alerts delivered)" -ge 10 ] && [ "$(prom_alerts dead)" -ge 3 ]; }
check "status --prometheus counts the delivered and the dead alert jobs" wait_for 10 prom_ok
diag "metrics: $("$CTL" -S "$S" status --prometheus | grep '^tripline_alerts_total' | tr '\n' ' ')"
kill -0 "$LPID" 2>/dev/null
is "loaderd still running" "$?" "0"
diag "outbox: $(q "SELECT state || '=' || count(*) FROM outbox GROUP BY state" | tr '\n' ' ')"
diag "deliveries: $(q "SELECT status || '=' || count(*) FROM deliveries GROUP BY status" | tr '\n' ' ')"
finish
