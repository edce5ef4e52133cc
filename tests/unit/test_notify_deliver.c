/*
 * tests/unit/test_notify_deliver.c -- deliver.c end to end against
 * loopback servers in the test (tests/unit/notify_srv.c): libcurl multi on
 * a libevent loop for every HTTP receiver and for SMTP, the UDP query for
 * canary_dns, and the result of each attempt (status, code, Retry-After,
 * a detail without secrets).  No network beyond 127.0.0.1.
 */
#include "build.h"

#include <sys/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "alerts.h"
#include "err.h"
#include "ipc_msg.h"
#include "notifierd.h"
#include "notify_srv.h"
#include "str.h"

struct outcome {
	int		 done;
	uint64_t	 job_id;
	uint32_t	 status;
	uint32_t	 code;
	uint64_t	 retry_after_ms;
	uint64_t	 duration_us;
	char		 detail[256];
};

struct fx {
	struct event_base *base;
	struct al_config cfg;
	struct al_receiver r[12];
	struct deliver	*dl;
	struct nsrv	*http;
	struct nsrv	*smtp;
	struct nsrv	*dns;
	char		 url[12][128];
	char		 smarthost[64];
	char		 resolver[64];
};

static char *to2[] = { (char *)"+15550002", (char *)"+15550003" };
static char *mailto[] = { (char *)"sec@example.org",
    (char *)"ops@example.org" };
static struct al_kv hooks_hdr[] = { { (char *)"X-Custom",
    (char *)"v\r\nX-Injected: 1" } };
static struct al_kv gen_fields[] = { { (char *)"to", (char *)"{to}" },
    { (char *)"msg", (char *)"{severity}: {title}" } };
static struct al_kv gen_hdr[] = { { (char *)"X-Api-Key",
    (char *)"gen-secret" } };
static uint32_t gen_ok[] = { 202 };

static void
done_cb(const struct ipc_alert_result *res, void *arg)
{
	struct outcome	*o = arg;

	assert_int_equal(o->done, 0);	/* exactly once */
	o->done = 1;
	o->job_id = res->job_id;
	o->status = res->status;
	o->code = res->code;
	o->retry_after_ms = res->retry_after_ms;
	o->duration_us = res->duration_us;
	snprintf(o->detail, sizeof(o->detail), "%s", res->detail);
}

static struct ipc_alert_job
job(const char *receiver)
{
	struct ipc_alert_job j;

	memset(&j, 0, sizeof(j));
	j.job_id = 7;
	j.attempt = 1;
	j.count = 1;
	j.receiver = (char *)receiver;
	j.kind = (char *)"";
	j.target = (char *)"";
	j.idem_key = (char *)"tl-node1-7";
	j.severity = (char *)"high";
	j.title = (char *)"[high] etc-writes: /usr/bin/tee write /etc/passwd";
	j.text = (char *)"policy: etc-writes\nprocess: 1234 /usr/bin/tee";
	j.event_json = (char *)"{\"process_kprobe\":{\"process\":"
	    "{\"pid\":1234}}}";
	return j;
}

static void
run(struct fx *f, const struct ipc_alert_job *j, struct outcome *o)
{
	struct timeval	 tv = { 0, 20000 };
	int		 i;

	memset(o, 0, sizeof(*o));
	deliver_job(f->dl, j, done_cb, o);
	for (i = 0; i < 500 && !o->done; i++) {
		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
	}
	assert_true(o->done);
	fprintf(stderr, "# job %s/%s: status %u code %u: %s\n", j->receiver,
	    j->kind, o->status, o->code, o->detail);
	assert_int_equal(o->job_id, j->job_id);
	assert_int_equal(deliver_inflight(f->dl), 0);
}

static struct al_receiver *
rcv(struct fx *f, int i, const char *name, enum al_kind kind, const char *path)
{
	struct al_receiver *r = &f->r[i];

	r->name = (char *)name;
	r->kind = kind;
	if (path != NULL) {
		snprintf(f->url[i], sizeof(f->url[i]), "http://127.0.0.1:%u%s",
		    nsrv_port(f->http), path);
		r->url = f->url[i];
	}
	return r;
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	struct al_receiver *r;

	f->base = event_base_new();
	f->http = nsrv_start(NSRV_HTTP);
	f->smtp = nsrv_start(NSRV_SMTP);
	f->dns = nsrv_start(NSRV_DNS);
	f->cfg.timeout_ms = 2000;
	f->cfg.receivers = f->r;

	rcv(f, 0, "ops-slack", AL_SLACK, "/services/T/B/SECRETPATH");
	r = rcv(f, 1, "oncall", AL_SMS, "/tw/");
	r->provider = AL_SMS_TWILIO;
	r->account_sid = (char *)"AC1";
	r->auth_token = (char *)"tw-token";
	r->from = (char *)"+15550001";
	r->to = to2;
	r->nto = 2;
	r = rcv(f, 2, "oncall-eu", AL_SMS, "/vonage");
	r->provider = AL_SMS_VONAGE;
	r->api_key = (char *)"k";
	r->api_secret = (char *)"vonage-secret";
	r->from = (char *)"tripline";
	r->to = to2;
	r->nto = 1;
	r = rcv(f, 3, "gw", AL_SMS, "/send");
	r->provider = AL_SMS_GENERIC;
	r->method = (char *)"POST";
	r->json = 1;
	r->fields = gen_fields;
	r->nfields = 2;
	r->headers = gen_hdr;
	r->nheaders = 1;
	r->ok_status = gen_ok;
	r->nok_status = 1;
	r->ok_body = (char *)"OK";
	r->to = to2;
	r->nto = 1;
	r = rcv(f, 4, "hook", AL_WEBHOOK, "/hook");
	r->hmac_secret = (char *)"hook-secret";
	r->headers = hooks_hdr;
	r->nheaders = 1;
	rcv(f, 5, "canary", AL_CANARY_HTTP, "/canary/abc");
	r = rcv(f, 6, "mail", AL_EMAIL, NULL);
	snprintf(f->smarthost, sizeof(f->smarthost), "127.0.0.1:%u",
	    nsrv_port(f->smtp));
	r->smarthost = f->smarthost;
	r->tls = AL_TLS_NONE;
	r->username = (char *)"u";
	r->password = (char *)"smtp-pass";
	r->auth = (char *)"plain";
	r->from = (char *)"tripline@example.org";
	r->to = mailto;
	r->nto = 2;
	r->subject_prefix = (char *)"[tripline]";
	r = rcv(f, 7, "canary-dns", AL_CANARY_DNS, NULL);
	r->dns_name = (char *)"abc.canary.example";
	snprintf(f->resolver, sizeof(f->resolver), "127.0.0.1:%u",
	    nsrv_port(f->dns));
	r->resolver = f->resolver;
	r->dns_data = 1;
	r = rcv(f, 8, "down", AL_WEBHOOK, NULL);
	r->url = (char *)"http://127.0.0.1:9/hook";	/* discard: closed */
	r = rcv(f, 9, "mail-tls", AL_EMAIL, NULL);
	*r = f->r[6];
	r->name = (char *)"mail-tls";
	r->tls = AL_TLS_STARTTLS;
	f->cfg.nreceivers = 10;
	f->cfg.dns_resolver = f->resolver;
	f->dl = deliver_new(f->base, &f->cfg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	deliver_free(f->dl);
	nsrv_stop(f->http);
	nsrv_stop(f->smtp);
	nsrv_stop(f->dns);
	event_base_free(f->base);
	free(f);
	return 0;
}

static int
has_header(const char *hdrs, const char *line)
{
	return strstr(hdrs, line) != NULL;
}

static void
test_slack(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("ops-slack");
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 ua[64];
	int		 n0 = nsrv_count(f->http);

	nsrv_script(f->http, "/services/", 200, NULL, "ok", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(o.code, 200);
	assert_string_equal(o.detail, "slack ops-slack: HTTP 200 ok");
	assert_true(o.duration_us > 0);
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	assert_string_equal(q.method, "POST");
	assert_string_equal(q.path, "/services/T/B/SECRETPATH");
	assert_true(has_header(q.headers, "Idempotency-Key: tl-node1-7\r\n"));
	snprintf(ua, sizeof(ua), "User-Agent: tripline/%s\r\n",
	    PACKAGE_VERSION);
	assert_true(has_header(q.headers, ua));
	assert_true(has_header(q.headers,
	    "Content-Type: application/json\r\n"));
	assert_non_null(strstr(q.body, "\"blocks\":[{\"type\":\"section\""));
	nsrv_req_free(&q);

	/* 429 with Retry-After; the URL (a secret) is not in the detail */
	nsrv_script(f->http, "/services/", 429, "Retry-After: 2\r\n",
	    "rate_limited", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	assert_int_equal(o.code, 429);
	assert_int_equal(o.retry_after_ms, 2000);
	assert_null(strstr(o.detail, "SECRETPATH"));
	assert_non_null(strstr(o.detail, "slack ops-slack: HTTP 429"));
	nsrv_script(f->http, "/services/", 500, NULL, "", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	nsrv_script(f->http, "/services/", 404, NULL, "no_service", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_int_equal(o.code, 404);
}

static void
test_twilio_two_numbers(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("oncall");
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 auth[64], b64[32];
	int		 n0 = nsrv_count(f->http), i;

	nsrv_script(f->http, "/tw/", 201, NULL, "{\"sid\":\"SM1\"}", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_string_equal(o.detail, "sms oncall: 2 messages sent");
	base64_encode(b64, sizeof(b64), "AC1:tw-token", 12);
	snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", b64);
	for (i = 0; i < 2; i++) {
		assert_int_equal(nsrv_get(f->http, n0 + i, &q), 0);
		assert_string_equal(q.path,
		    "/tw/2010-04-01/Accounts/AC1/Messages.json");
		assert_true(has_header(q.headers, auth));
		assert_true(has_header(q.headers, "Content-Type: "
		    "application/x-www-form-urlencoded\r\n"));
		assert_non_null(strstr(q.body, "From=%2B15550001&Body="));
		assert_non_null(strstr(q.body, "To=%2B1555000"));
		nsrv_req_free(&q);
	}
	/* a failure on any number fails the job; no token in the detail */
	nsrv_script(f->http, "/tw/", 400, NULL, "{\"code\":21211}", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_null(strstr(o.detail, "tw-token"));
	assert_non_null(strstr(o.detail, "HTTP 400"));
}

static void
test_vonage_generic(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("oncall-eu");
	struct nsrv_req	 q;
	struct outcome	 o;
	int		 n0 = nsrv_count(f->http);

	nsrv_script(f->http, "/vonage", 200, NULL, "{\"message-count\":\"1\","
	    "\"messages\":[{\"status\":\"4\",\"error-text\":\"Bad "
	    "Credentials\"}]}", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_string_equal(o.detail,
	    "sms oncall-eu: vonage status 4: Bad Credentials");
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	assert_string_equal(q.path, "/vonage/sms/json");
	assert_non_null(strstr(q.body, "api_secret=vonage-secret"));
	nsrv_req_free(&q);
	nsrv_script(f->http, "/vonage", 200, NULL,
	    "{\"messages\":[{\"status\":\"0\"}]}", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);

	j = job("gw");
	n0 = nsrv_count(f->http);
	nsrv_script(f->http, "/send", 202, NULL, "queued OK", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	assert_true(has_header(q.headers, "X-Api-Key: gen-secret\r\n"));
	assert_string_equal(q.body, "{\"to\":\"+15550002\",\"msg\":\"high: "
	    "[high] etc-writes: /usr/bin/tee write /etc/passwd\"}");
	nsrv_req_free(&q);
	nsrv_script(f->http, "/send", 200, NULL, "queued OK", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_null(strstr(o.detail, "gen-secret"));
}

static void
test_webhook_hmac(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("hook");
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 sig[NOTIFY_SIG_LEN], line[128];
	int		 n0 = nsrv_count(f->http);

	nsrv_script(f->http, "/hook", 204, NULL, "", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(o.code, 204);
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	notify_webhook_signature(sig, "hook-secret", q.body, strlen(q.body));
	snprintf(line, sizeof(line), "X-Tripline-Signature: %s\r\n", sig);
	assert_true(has_header(q.headers, line));
	assert_true(has_header(q.headers, "Idempotency-Key: tl-node1-7\r\n"));
	/* the CRLF in the configured value did not make a header */
	assert_true(has_header(q.headers, "X-Custom: v  X-Injected: 1\r\n"));
	assert_false(has_header(q.headers, "\nX-Injected"));
	assert_non_null(strstr(q.body, "\"idempotency_key\":\"tl-node1-7\""));
	assert_non_null(strstr(q.body, "\"event\":{\"process_kprobe\""));
	nsrv_req_free(&q);
}

static void
test_canary_http_and_action(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("canary");
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 target[128], list[300];
	int		 n0 = nsrv_count(f->http);

	nsrv_script(f->http, "/canary", 200, NULL, "", 0);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	assert_string_equal(q.method, "GET");
	assert_string_equal(q.path, "/canary/abc");
	nsrv_req_free(&q);

	/* GetUrl action job */
	j = job("");
	j.kind = (char *)"canary_http";
	snprintf(target, sizeof(target), "http://127.0.0.1:%u/canary/get?x=1",
	    nsrv_port(f->http));
	j.target = target;
	snprintf(list, sizeof(list), "U %s\nU file:///etc/passwd", target);
	deliver_set_targets(f->dl, list);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_get(f->http, n0 + 1, &q), 0);
	assert_string_equal(q.path, "/canary/get?x=1");
	assert_true(has_header(q.headers, "Idempotency-Key: tl-node1-7\r\n"));
	nsrv_req_free(&q);
	/* only http(s) */
	j.target = (char *)"file:///etc/passwd";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
}

/*
 * The collector names an action's target: only what the loaded policies
 * name (loaderd's list) is fetched; the rest is refused and counted, and
 * nothing reaches the network.
 */
static void
test_action_allowlist(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("");
	struct ipc_notify_stats st;
	struct deliver	*dl = f->dl;
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 good[128], evil[128], list[300];
	int		 n0 = nsrv_count(f->http), d0 = nsrv_count(f->dns);

	nsrv_script(f->http, "/canary", 200, NULL, "", 0);
	snprintf(good, sizeof(good), "http://127.0.0.1:%u/canary/allowed",
	    nsrv_port(f->http));
	snprintf(evil, sizeof(evil), "http://127.0.0.1:%u/canary/ssrf",
	    nsrv_port(f->http));
	j.kind = (char *)"canary_http";

	/* before loaderd sent any list: retry later, nothing fetched */
	f->dl = deliver_new(f->base, &f->cfg);
	j.target = good;
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_RETRY);

	snprintf(list, sizeof(list), "U %s\nD lookup.example\nbogus line",
	    good);
	deliver_set_targets(f->dl, list);
	j.target = evil;
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_string_equal(o.detail,
	    "GetUrl: target not allowed by the loaded policies");
	assert_null(strstr(o.detail, "ssrf"));
	deliver_stats(f->dl, &st);
	assert_int_equal(st.refused_target, 1);
	assert_int_equal(nsrv_count(f->http), n0);

	j.target = good;
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	assert_string_equal(q.path, "/canary/allowed");
	nsrv_req_free(&q);

	/* DnsLookup: the name, case and a final dot aside */
	j.kind = (char *)"canary_dns";
	j.target = (char *)"exfil.evil.example";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_int_equal(nsrv_count(f->dns), d0);
	j.target = (char *)"LOOKUP.example.";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_count(f->dns), d0 + 1);

	/* the policy is deleted: its URL goes too */
	deliver_set_targets(f->dl, "");
	j.kind = (char *)"canary_http";
	j.target = good;
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_int_equal(nsrv_count(f->http), n0 + 1);
	deliver_stats(f->dl, &st);
	assert_int_equal(st.refused_target, 3);
	assert_int_equal(st.refused_event, 0);
	deliver_free(f->dl);
	f->dl = dl;
}

/* The webhook body embeds the event JSON raw: only a bounded JSON object
 * (or array of objects) goes in. */
static void
test_webhook_event_refused(void **state)
{
	static const char *const bad[] = {
		"{\"a\":1", "{\"a\":1}, \"x\": 2", "[1,2]", "\"str\"",
		"{\"a\":1}{\"b\":2}", "{\"a\":\"\x01\"}",
	};
	struct fx	*f = *state;
	struct ipc_alert_job j = job("hook");
	struct ipc_notify_stats st0, st;
	struct nsrv_req	 q;
	struct outcome	 o;
	size_t		 i;
	int		 n0 = nsrv_count(f->http);

	nsrv_script(f->http, "/hook", 204, NULL, "", 0);
	deliver_stats(f->dl, &st0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j.event_json = (char *)bad[i];
		run(f, &j, &o);
		assert_int_equal(o.status, IPC_ALERT_PERMANENT);
		assert_non_null(strstr(o.detail, "event JSON refused"));
	}
	assert_int_equal(nsrv_count(f->http), n0);
	deliver_stats(f->dl, &st);
	assert_int_equal(st.refused_event - st0.refused_event, i);

	/* a group: an array of events */
	j.event_json = (char *)"[{\"a\":1},{\"b\":[true,null,-1.5e3]}]";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_get(f->http, n0, &q), 0);
	assert_non_null(strstr(q.body,
	    "\"event\":[{\"a\":1},{\"b\":[true,null,-1.5e3]}]"));
	nsrv_req_free(&q);
}

static void
test_failures(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("down");
	struct outcome	 o;

	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	assert_string_equal(o.detail,
	    "webhook down: connect: Connection refused");

	/* slower than the timeout */
	f->cfg.timeout_ms = 300;
	nsrv_script(f->http, "/hook", 200, NULL, "", 1500);
	j = job("hook");
	run(f, &j, &o);
	f->cfg.timeout_ms = 2000;
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	assert_string_equal(o.detail, "webhook hook: timeout after 300 ms");
	nsrv_script(f->http, "/hook", 204, NULL, "", 0);

	j = job("nobody");
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	j = job("");
	j.kind = (char *)"bogus";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
}

static void
test_email(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("mail");
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 plain[64], line[96];
	int		 n0 = nsrv_count(f->smtp);

	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(o.code, 250);
	assert_int_equal(nsrv_get(f->smtp, n0, &q), 0);
	base64_encode(plain, sizeof(plain), "\0u\0smtp-pass", 12);
	snprintf(line, sizeof(line), "AUTH PLAIN %s\n", plain);
	assert_non_null(strstr(q.headers, line));
	assert_non_null(strstr(q.headers,
	    "MAIL FROM:<tripline@example.org>"));
	assert_non_null(strstr(q.headers, "RCPT TO:<sec@example.org>\n"));
	assert_non_null(strstr(q.headers, "RCPT TO:<ops@example.org>\n"));
	assert_non_null(strstr(q.body, "Subject: [tripline] [high] "
	    "etc-writes: /usr/bin/tee write /etc/passwd\r\n"));
	assert_non_null(strstr(q.body,
	    "Message-ID: <tl-node1-7@tripline>\r\n"));
	assert_non_null(strstr(q.body, "\r\n\r\npolicy: etc-writes\r\n"
	    "process: 1234 /usr/bin/tee\r\n"));
	nsrv_req_free(&q);

	nsrv_smtp_rcpt(f->smtp, "ops@", "550 5.1.1 <ops@example.org>: no");
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
	assert_int_equal(o.code, 550);
	assert_non_null(strstr(o.detail, "email mail: SMTP 550 5.1.1"));
	assert_null(strstr(o.detail, "smtp-pass"));
	nsrv_smtp_rcpt(f->smtp, "ops@", "450 4.2.0 try later");
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	assert_int_equal(o.code, 450);

	/* STARTTLS required, server does not offer it: not sent in clear */
	nsrv_smtp_rcpt(f->smtp, "nomatch", "250 ok");
	j = job("mail-tls");
	n0 = nsrv_count(f->smtp);
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	assert_int_equal(nsrv_get(f->smtp, n0, &q), 0);
	assert_null(strstr(q.headers, "AUTH"));
	assert_null(strstr(q.headers, "MAIL FROM"));
	nsrv_req_free(&q);
}

static void
test_canary_dns(void **state)
{
	struct fx	*f = *state;
	struct ipc_alert_job j = job("canary-dns");
	struct nsrv_req	 q;
	struct outcome	 o;
	char		 want[256];
	int		 n0 = nsrv_count(f->dns);

	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(o.code, 3);	/* NXDOMAIN still proves it */
	assert_int_equal(nsrv_get(f->dns, n0, &q), 0);
	assert_int_equal(dns_canary_name(want, sizeof(want), "tl-node1-7",
	    "abc.canary.example", "etc-writes", 1234), 0);
	assert_string_equal(q.path, want);
	nsrv_req_free(&q);

	/* DnsLookup action: nonce + target, default resolver */
	deliver_set_targets(f->dl, "D lookup.example\nD bad name..example");
	j = job("");
	j.kind = (char *)"canary_dns";
	j.target = (char *)"lookup.example";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_DELIVERED);
	assert_int_equal(nsrv_get(f->dns, n0 + 1, &q), 0);
	dns_nonce(want, "tl-node1-7");
	strcat(want, ".lookup.example");
	assert_string_equal(q.path, want);
	nsrv_req_free(&q);

	/* nobody listening: ICMP refused -> retry; bad name -> permanent */
	f->r[7].resolver = (char *)"127.0.0.1:9";
	j = job("canary-dns");
	run(f, &j, &o);
	f->r[7].resolver = f->resolver;
	assert_int_equal(o.status, IPC_ALERT_RETRY);
	j = job("");
	j.kind = (char *)"canary_dns";
	j.target = (char *)"bad name..example";
	run(f, &j, &o);
	assert_int_equal(o.status, IPC_ALERT_PERMANENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slack),
		cmocka_unit_test(test_twilio_two_numbers),
		cmocka_unit_test(test_vonage_generic),
		cmocka_unit_test(test_webhook_hmac),
		cmocka_unit_test(test_canary_http_and_action),
		cmocka_unit_test(test_action_allowlist),
		cmocka_unit_test(test_webhook_event_refused),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_canary_dns),
	};
	int	 r;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests_name("notify_deliver", tests, setup,
	    teardown);
	curl_global_cleanup();
	return r;
}
