#!/bin/sh
# The notifier's boundaries, end to end with the sandbox on (enforce):
# - delivery by host name over HTTPS: a webhook receiver and a GetUrl
#   action at https://hooks.tripline.test (a name only a private
#   /etc/hosts knows) reach a local TLS sink whose certificate a test CA
#   (made here with openssl) signed, trusted through defaults.ca_file;
# - an nsswitch.conf whose hosts line has modules after files
#   ("files mdns4_minimal [NOTFOUND=return] hesiod dns myhostname"): a name
#   /etc/hosts does not know makes glibc go past files; the notifier must
#   answer "could not resolve", not die (it ran once per restart before);
# - GetUrl targets follow the loaded policies: after `policy delete` the
#   queued GetUrl job of the deleted policy is refused, not fetched, and
#   `triplinectl status` counts it.
# The test runs in a private mount namespace (unshare -m) so /etc/hosts,
# /etc/nsswitch.conf and /etc/resolv.conf are bind-mounted copies.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sinks.sh"
if [ -z "${TL_GUARD_NS:-}" ]; then
	need_root_bpf
	command -v unshare >/dev/null ||
	    { echo "Bail out! unshare (util-linux) missing"; exit 99; }
	TL_GUARD_NS=1 exec unshare -m --propagation private "$SHELL" "$0"
fi
alerts_test_env alerts-guard guardnode

plan 11

# ---- the private name service ---------------------------------------------------
NAME=hooks.tripline.test
for f in hosts nsswitch.conf resolv.conf; do cp "/etc/$f" "$T/$f" 2>/dev/null || : > "$T/$f"; done
printf '127.0.0.1 %s\n::1 %s\n' "$NAME" "$NAME" >> "$T/hosts"
sed -i '/^hosts:/d' "$T/nsswitch.conf"
echo 'hosts: files mdns4_minimal [NOTFOUND=return] hesiod dns myhostname' >> "$T/nsswitch.conf"
# unknown names fail at once, and never leave the machine
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$T/resolv.conf"
for f in hosts nsswitch.conf resolv.conf; do
	chmod 644 "$T/$f"
	mount --bind "$T/$f" "/etc/$f" || { echo "Bail out! bind mount /etc/$f"; exit 99; }
done
mods=$(ls /lib/*/libnss_hesiod.so.2 /usr/lib/*/libnss_hesiod.so.2 \
    /lib*/libnss_hesiod.so.2 /usr/lib*/libnss_hesiod.so.2 \
    /lib/*/libnss_mdns4_minimal.so.2 /usr/lib/*/libnss_mdns4_minimal.so.2 \
    /lib/*/libnss_myhostname.so.2 /usr/lib/*/libnss_myhostname.so.2 2>/dev/null | head -1)
[ -n "$mods" ] || diag "no NSS module of the hosts line is installed: the lookup past files loads nothing here"

# ---- a TLS sink for the name, signed by a CA made here ------------------------------
sh "$SINKS_DIR/mkca.sh" "$T/ca" "$NAME" || { echo "Bail out! mkca"; exit 99; }
chmod 755 "$T/ca"
rm -f "$SK/tls.port"
touch "$SK/tls.jsonl"
"$SINKS_PY" "$SINKS_DIR/http_sink.py" --log "$SK/tls.jsonl" \
    --port-file "$SK/tls.port" --cert "$T/ca/server.pem" \
    --key "$T/ca/server.key" 2>>"$SK/tls.err" &
_sink_started tls $!
_sink_wait_port tls $! || { echo "Bail out! TLS sink"; exit 99; }
HP=$(sink_port tls)
DOWNP=$("$PY" "$SINKS_DIR/dnsq.py" --free-port)

A=$T/alerts.yaml
cat > "$A" <<EOF2
defaults:
  ca_file: "$T/ca/ca.pem"
  timeout: 3s
  retry: {initial: 1s, max: 2s, max_age: 1h}
receivers:
  - name: tls-hook
    webhook: {url: "https://$NAME:$HP/hook"}
  - name: nowhere
    webhook: {url: "https://nowhere.tripline.test:$HP/nowhere"}
routes:
  - name: r-tls
    match: {policy: [tl-tls]}
    receivers: [tls-hook]
  - name: r-nss
    match: {policy: [tl-nss]}
    receivers: [nowhere]
EOF2
chmod 600 "$A"

"$B/tripline-loaderd" -d -v -S "$S" -X "$B" -N "$NODE" -V none -A "$A" \
    -m "${TL_SANDBOX:-enforce}" >>"$T/loaderd.log" 2>&1 &
LPID=$!
if ! wait_for 30 sh -c "'$CTL' -S '$S' status | grep -q 'notifierd  *running'"; then
	grep -v 'libbpf: ' "$T/loaderd.log" | tail -40 | sed 's/^/# /'
	echo "Bail out! daemons did not come up"; exit 99
fi
ok "loaderd up (sandbox enforce) with defaults.ca_file and a private hosts file"

# policy NAME [ACTION LINES...]: sys_symlinkat to $M/NAME-*, Post (+ lines)
policy() {
	n=$1; shift
	{
		printf '  kprobes:\n  - call: "sys_symlinkat"\n    syscall: true\n'
		printf '    args:\n    - index: 0\n      type: "string"\n'
		printf '    - index: 2\n      type: "string"\n    selectors:\n'
		printf '    - matchArgs:\n      - index: 2\n        operator: "Prefix"\n'
		printf '        values:\n        - "%s"\n      matchActions:\n' "$M/$n-"
		printf '      - action: Post\n'
		for l in "$@"; do printf '      %s\n' "$l"; done
	} | pol "$n"
	add "$P/$n.yaml" || { diag "policy $n: $(cat "$T/add.out")"; return 1; }
}
hit() { "$TR" symlinkat /etc/passwd "$M/$1-$2" >/dev/null; true; }
state_of() { # ROUTE/RECEIVER or GetUrl target: "state last_error"
	q "SELECT state || ' ' || coalesce(last_error, '') FROM outbox WHERE $1 ORDER BY id LIMIT 1"
}
nrestarts() { "$CTL" -S "$S" status | sed -n 's/^ *notifierd .*restarts \([0-9]*\).*/\1/p'; }

# ---- 1. HTTPS by name: a webhook and a GetUrl --------------------------------------
policy tl-tls "- action: GetUrl" "  argUrl: \"https://$NAME:$HP/geturl/tl-tls\""
hit tl-tls 1
wait_records tls 2 '"path": "/(hook|geturl/tl-tls)' 30
is "webhook and GetUrl by host name over HTTPS reached the TLS sink" \
    "$(sink_json tls 'sorted(r["path"] for r in R)')" '["/geturl/tl-tls", "/hook"]'
wait_for 15 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM outbox WHERE (route='r-tls' OR target LIKE '%geturl/tl-tls') AND state='delivered'\")\" = 2 ]"
is "outbox: both delivered" \
    "$(q "SELECT kind || ' ' || state FROM outbox WHERE event_id=(SELECT min(event_id) FROM outbox WHERE route='r-tls' OR target LIKE '%geturl/tl-tls') ORDER BY kind" | tr '\n' ';')" \
    "canary_http delivered;webhook delivered;"

# ---- 2. a name past "files": resolved by the built-in dns service, no module -------
policy tl-nss
hit tl-nss 1
wait_for 20 row_exists "SELECT 1 FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-nss'"
like "a name /etc/hosts does not know: the notifier answers, it does not die" \
    "$(q "SELECT detail FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-nss' ORDER BY d.rowid LIMIT 1")" \
    "nowhere: DNS: could not resolve the host"
# a second attempt, after the retry delay, still finds the same notifier
wait_for 20 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.route='r-nss'\")\" -ge 2 ]"
is "notifierd never restarted" "$(nrestarts)" "0"
is "no SIGSYS in the log" "$(grep -c 'notifierd.*killed by signal\|seccomp: forbidden' "$T/loaderd.log")" "0"
hit tl-tls 2
wait_records tls 4 '"path": "/(hook|geturl/tl-tls)' 30
ok "deliveries by name still work after the failed lookups"

# ---- 3. GetUrl targets follow the loaded policies ----------------------------------
policy tl-gone "- action: GetUrl" "  argUrl: \"http://127.0.0.1:$DOWNP/gone\""
hit tl-gone 1
wait_for 20 row_exists "SELECT 1 FROM deliveries d JOIN outbox o ON o.id=d.outbox_id WHERE o.target LIKE '%/gone' AND d.detail LIKE '%connect%'"
ok "GetUrl to a sink that is down: retried"
del tl-gone
is "policy tl-gone deleted" "$("$CTL" -S "$S" policy list | grep -c tl-gone)" "0"
wait_for 20 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT state FROM outbox WHERE target LIKE '%/gone'\")\" = dead ]"
like "... its queued GetUrl job is refused once the policy is gone" \
    "$(state_of "target LIKE '%/gone'")" "^dead GetUrl: target not allowed by the loaded policies"
wait_for 10 sh -c "'$CTL' -S '$S' status --json | grep -q '\"refused_target\":[1-9]'"
like "status counts the refusal" "$("$CTL" -S "$S" status --json)" '"refused_target":[1-9][0-9]*,"refused_event":0'

finish
