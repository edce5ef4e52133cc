/*
 * tests/unit/test_notify_format.c -- the notifier's pure functions: hashes
 * (FIPS 180-2, RFC 4231 vectors), message bodies per receiver, reply
 * classification, Retry-After, canary DNS names and the DNS wire format.
 */
#include "build.h"

#include <sys/types.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "alerts.h"
#include "err.h"
#include "ipc_msg.h"
#include "notifierd.h"
#include "str.h"

static struct ipc_alert_job
job_make(const char *title, const char *text)
{
	struct ipc_alert_job j;

	memset(&j, 0, sizeof(j));
	j.job_id = 42;
	j.attempt = 1;
	j.count = 2;
	j.receiver = (char *)"r";
	j.kind = (char *)"slack";
	j.target = (char *)"";
	j.idem_key = (char *)"tl-node1-42";
	j.severity = (char *)"high";
	j.title = (char *)title;
	j.text = (char *)text;
	j.event_json = (char *)"{\"process\":{\"pid\":1234}}";
	return j;
}

static void
hexof(char *dst, const uint8_t *h)
{
	notify_hex(dst, h, NOTIFY_SHA256_LEN);
}

static void
test_sha256(void **state)
{
	uint8_t	 h[NOTIFY_SHA256_LEN];
	char	 x[65], *big;
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	notify_sha256("", 0, h);
	hexof(x, h);
	assert_string_equal(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
	    "649b934ca495991b7852b855");
	notify_sha256("abc", 3, h);
	hexof(x, h);
	assert_string_equal(x, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
	notify_sha256(m448, strlen(m448), h);
	hexof(x, h);
	assert_string_equal(x, "248d6a61d20638b8e5c026930c3e6039a33ce459"
	    "64ff2167f6ecedd419db06c1");
	big = malloc(1000000);
	memset(big, 'a', 1000000);
	notify_sha256(big, 1000000, h);
	free(big);
	hexof(x, h);
	assert_string_equal(x, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48"
	    "a497200e046d39ccc7112cd0");
}

static void
test_hmac_rfc4231(void **state)
{
	uint8_t	 key[131], h[NOTIFY_SHA256_LEN];
	char	 x[65];
	const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	const char *d7 = "This is a test using a larger than block-size key "
	    "and a larger than block-size data. The key needs to be hashed "
	    "before being used by the HMAC algorithm.";

	memset(key, 0x0b, 20);
	notify_hmac_sha256(key, 20, "Hi There", 8, h);
	hexof(x, h);
	assert_string_equal(x, "b0344c61d8db38535ca8afceaf0bf12b881dc200"
	    "c9833da726e9376c2e32cff7");
	notify_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, h);
	hexof(x, h);
	assert_string_equal(x, "5bdcc146bf60754e6a042426089575c75a003f08"
	    "9d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	notify_hmac_sha256(key, 131, d6, strlen(d6), h);
	hexof(x, h);
	assert_string_equal(x, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc621"
	    "3728c5140546040f0ee37f54");
	notify_hmac_sha256(key, 131, d7, strlen(d7), h);
	hexof(x, h);
	assert_string_equal(x, "9b09ffa71b942fcb27635fbcd5b0e944bfdc6364"
	    "4f0713938a7f51535c3a35e2");
}

static void
test_webhook(void **state)
{
	struct ipc_alert_job j = job_make("t", "x");
	struct sbuf	 sb;
	char		 sig[NOTIFY_SIG_LEN];

	j.idem_key = (char *)"tl-n1-7";
	j.event_json = (char *)" {\"a\":1}";
	sbuf_init(&sb);
	notify_webhook_body(&sb, &j);
	assert_string_equal(sb.buf, "{\"idempotency_key\":\"tl-n1-7\","
	    "\"severity\":\"high\",\"title\":\"t\",\"count\":2,"
	    "\"event\":{\"a\":1}}");
	/* python3: hmac.new(b'topsecret', body, sha256).hexdigest() */
	notify_webhook_signature(sig, "topsecret", sb.buf, sb.len);
	assert_string_equal(sig, "sha256=2e22eb03f170a19d109213b5d411b8bac"
	    "0384349c05247aea0532a464dcb3bf2");
	sbuf_reset(&sb);
	j.event_json = (char *)"";
	notify_webhook_body(&sb, &j);
	assert_non_null(strstr(sb.buf, "\"event\":null}"));
	sbuf_clear(&sb);
}

static void
test_slack(void **state)
{
	struct ipc_alert_job j = job_make("[high] p: a<b & \"c\"",
	    "line1\nx > y");
	struct sbuf	 sb;
	char		 big[5000];
	const char	*t;

	sbuf_init(&sb);
	notify_slack_body(&sb, &j, 3000);
	assert_string_equal(sb.buf,
	    "{\"text\":\"[high] p: a&lt;b &amp; \\\"c\\\"\","
	    "\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\","
	    "\"text\":\"*[high] p: a&lt;b &amp; \\\"c\\\"*\\nline1\\n"
	    "x &gt; y\"}}]}");

	/* cap: the section text stays within max_length and no entity is
	 * cut in half */
	memset(big, '&', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	j.text = big;
	sbuf_reset(&sb);
	notify_slack_body(&sb, &j, 100);
	t = strstr(sb.buf, "\"mrkdwn\",\"text\":\"");
	assert_non_null(t);
	t += strlen("\"mrkdwn\",\"text\":\"");
	assert_true(strlen(t) - strlen("\"}}]}") <= 100);
	assert_non_null(strstr(t, "&amp;...\""));
	assert_null(strstr(t, "&am..."));

	/* UTF-8 is not cut mid-sequence */
	sbuf_reset(&sb);
	notify_add_utf8_capped(&sb, "ab\xc3\xa9", 3);
	assert_string_equal(sb.buf, "ab");
	sbuf_clear(&sb);
}

static void
test_sms_bodies(void **state)
{
	struct ipc_alert_job j = job_make("[high] etc-writes: tee",
	    "pid 1 & more");
	struct al_receiver r;
	struct al_kv	 f[3] = { { (char *)"to", (char *)"{to}" },
	    { (char *)"msg", (char *)"{severity}/{policy}: {title} {nope}" },
	    { (char *)"key", (char *)"{idem_key}" } };
	struct sbuf	 sb, text;
	char		 big[3000];

	memset(&r, 0, sizeof(r));
	r.kind = AL_SMS;
	r.from = (char *)"+15550001";
	r.account_sid = (char *)"AC1";
	r.api_key = (char *)"k";
	r.api_secret = (char *)"s&=";
	sbuf_init(&sb);
	sbuf_init(&text);
	notify_sms_text(&text, &j);
	assert_string_equal(text.buf, "[high] etc-writes: tee\npid 1 & more");

	notify_twilio_body(&sb, &r, "+15550002", text.buf);
	assert_string_equal(sb.buf, "To=%2B15550002&From=%2B15550001&Body="
	    "%5Bhigh%5D%20etc-writes%3A%20tee%0Apid%201%20%26%20more");
	sbuf_reset(&sb);
	notify_vonage_body(&sb, &r, "4415550002", "hi");
	assert_string_equal(sb.buf, "api_key=k&api_secret=s%26%3D&from="
	    "%2B15550001&to=4415550002&text=hi");

	r.fields = f;
	r.nfields = 3;
	sbuf_reset(&sb);
	notify_generic_body(&sb, &r, &j, "+1");
	assert_string_equal(sb.buf, "to=%2B1&msg=high%2Fetc-writes%3A%20"
	    "%5Bhigh%5D%20etc-writes%3A%20tee%20%7Bnope%7D&key=tl-node1-42");
	r.json = 1;
	sbuf_reset(&sb);
	j.title = (char *)"[low] p: \"q\"";
	notify_generic_body(&sb, &r, &j, "+1");
	assert_string_equal(sb.buf, "{\"to\":\"+1\",\"msg\":\"high/p: "
	    "[low] p: \\\"q\\\" {nope}\",\"key\":\"tl-node1-42\"}");

	/* SMS text capped */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	j.text = big;
	sbuf_reset(&text);
	notify_sms_text(&text, &j);
	assert_int_equal(text.len, NOTIFY_SMS_MAX);
	sbuf_clear(&sb);
	sbuf_clear(&text);
}

/* every line ends in CRLF, no bare CR or LF */
static void
assert_crlf(const char *s)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\n')
			assert_true(p > s && p[-1] == '\r');
		if (*p == '\r')
			assert_true(p[1] == '\n');
	}
}

static void
test_email(void **state)
{
	struct ipc_alert_job j = job_make("[high] p: x\r\nBcc: evil@x.org",
	    "a\nb\r\nc\rd\n.dot line");
	struct al_receiver r;
	char		*to[2] = { (char *)"sec@example.org",
	    (char *)"b@example.org" };
	struct sbuf	 sb;
	char		 big[2100];
	const char	*body;

	memset(&r, 0, sizeof(r));
	r.kind = AL_EMAIL;
	r.from = (char *)"tripline@example.org";
	r.to = to;
	r.nto = 2;
	r.subject_prefix = (char *)"[tripline]";
	sbuf_init(&sb);
	assert_int_equal(notify_email_message(&sb, &r, &j, 1445412480), 0);
	assert_crlf(sb.buf);
	assert_non_null(strstr(sb.buf,
	    "Date: Wed, 21 Oct 2015 07:28:00 +0000\r\n"));
	assert_non_null(strstr(sb.buf, "From: <tripline@example.org>\r\n"));
	assert_non_null(strstr(sb.buf,
	    "To: <sec@example.org>,\r\n <b@example.org>\r\n"));
	/* the injected header stays inside Subject */
	assert_non_null(strstr(sb.buf,
	    "Subject: [tripline] [high] p: x  Bcc: evil@x.org\r\n"));
	assert_null(strstr(sb.buf, "\r\nBcc:"));
	assert_non_null(strstr(sb.buf, "Message-ID: <tl-node1-42@tripline>\r\n"));
	assert_non_null(strstr(sb.buf, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(sb.buf,
	    "Content-Type: text/plain; charset=utf-8\r\n"));
	body = strstr(sb.buf, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4, "a\r\nb\r\nc\r\nd\r\n.dot line\r\n");

	/* non-ASCII subject: RFC 2047 */
	sbuf_reset(&sb);
	j.title = (char *)"caf\xc3\xa9";
	r.subject_prefix = NULL;
	assert_int_equal(notify_email_message(&sb, &r, &j, 0), 0);
	assert_non_null(strstr(sb.buf, "Subject: =?UTF-8?B?Y2Fmw6k=?=\r\n"));

	/* long line broken before 998 octets */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	j.text = big;
	sbuf_reset(&sb);
	assert_int_equal(notify_email_message(&sb, &r, &j, 0), 0);
	body = strstr(sb.buf, "\r\n\r\n") + 4;
	assert_true(strcspn(body, "\r") <= 998);

	/* addresses that could inject into the envelope or headers */
	r.from = (char *)"a@b.org>\r\nRCPT TO:<x@y";
	sbuf_reset(&sb);
	assert_int_equal(notify_email_message(&sb, &r, &j, 0), ERR_PARSE);
	r.from = (char *)"ok@b.org";
	to[1] = (char *)"x@y.org, z@w.org";
	assert_int_equal(notify_email_message(&sb, &r, &j, 0), ERR_PARSE);
	assert_false(notify_email_addr_ok("no-at-sign"));
	assert_true(notify_email_addr_ok("a.b+c@d.example"));
	sbuf_clear(&sb);
}

static void
test_header_value(void **state)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	notify_header_value(&sb, "v\r\nX-Evil: 1\x7f");
	assert_string_equal(sb.buf, "v  X-Evil: 1 ");
	sbuf_clear(&sb);
}

static void
test_retry_after(void **state)
{
	uint64_t ms;
	time_t	 now = 1445412480;	/* Wed, 21 Oct 2015 07:28:00 GMT */

	assert_int_equal(notify_retry_after("120", now, &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(notify_retry_after(" 0 ", now, &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(notify_retry_after("Wed, 21 Oct 2015 07:28:30 GMT",
	    now, &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(notify_retry_after("Wednesday, 21-Oct-15 07:29:00 "
	    "GMT", now, &ms), 0);
	assert_int_equal(ms, 60000);
	assert_int_equal(notify_retry_after("Wed Oct 21 07:28:05 2015", now,
	    &ms), 0);
	assert_int_equal(ms, 5000);
	/* in the past: now */
	assert_int_equal(notify_retry_after("Tue, 20 Oct 2015 07:28:00 GMT",
	    now, &ms), 0);
	assert_int_equal(ms, 0);
	/* capped at a day */
	assert_int_equal(notify_retry_after("99999999999", now, &ms), 0);
	assert_int_equal(ms, 24ULL * 3600 * 1000);
	assert_int_equal(notify_retry_after("soon", now, &ms), ERR_PARSE);
	assert_int_equal(notify_retry_after("12abc", now, &ms), ERR_PARSE);
	assert_int_equal(notify_retry_after("-5", now, &ms), ERR_PARSE);
}

static void
test_classify(void **state)
{
	struct notify_result res;
	struct al_receiver slack, tw, vo, gen;
	uint32_t	 ok[2] = { 200, 202 };
	const char	*vbody;

	memset(&slack, 0, sizeof(slack));
	slack.kind = AL_SLACK;
	tw = slack;
	tw.kind = AL_SMS;
	tw.provider = AL_SMS_TWILIO;
	vo = tw;
	vo.provider = AL_SMS_VONAGE;
	gen = tw;
	gen.provider = AL_SMS_GENERIC;

	notify_http_outcome(&res, &slack, 200, "ok", 2, NULL, 0, "slack s");
	assert_int_equal(res.status, IPC_ALERT_DELIVERED);
	assert_int_equal(res.code, 200);
	notify_http_outcome(&res, &slack, 200, "invalid_payload", 15, NULL, 0,
	    "slack s");
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	assert_string_equal(res.detail, "slack s: HTTP 200 invalid_payload");
	notify_http_outcome(&res, &slack, 404, "no_service", 10, NULL, 0,
	    "slack s");
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	notify_http_outcome(&res, &slack, 429, "", 0, "7", 0, "slack s");
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	assert_int_equal(res.retry_after_ms, 7000);
	assert_string_equal(res.detail, "slack s: HTTP 429");
	notify_http_outcome(&res, NULL, 503, "", 0,
	    "Wed, 21 Oct 2015 07:28:10 GMT", 1445412480, NULL);
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	assert_int_equal(res.retry_after_ms, 10000);
	notify_http_outcome(&res, NULL, 500, "", 0, "5", 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	assert_int_equal(res.retry_after_ms, 0);	/* only 429/503 */
	notify_http_outcome(&res, NULL, 502, "", 0, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	notify_http_outcome(&res, NULL, 400, "secret echo", 11, NULL, 0, "w");
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	assert_string_equal(res.detail, "w: HTTP 400");	/* no body */
	notify_http_outcome(&res, NULL, 204, "", 0, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_DELIVERED);

	notify_http_outcome(&res, &tw, 201, "{}", 2, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_DELIVERED);
	notify_http_outcome(&res, &tw, 200, "{}", 2, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	notify_http_outcome(&res, &tw, 400, "{}", 2, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	notify_http_outcome(&res, &tw, 429, "", 0, "3", 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	assert_int_equal(res.retry_after_ms, 3000);

	vbody = "{\"message-count\":\"1\",\"messages\":[{\"to\":\"447\","
	    "\"message-id\":\"0A\",\"status\":\"0\",\"network\":\"1\"}]}";
	notify_http_outcome(&res, &vo, 200, vbody, strlen(vbody), NULL, 0,
	    NULL);
	assert_int_equal(res.status, IPC_ALERT_DELIVERED);
	vbody = "{\"message-count\":1,\"messages\":[{\"status\":\"1\","
	    "\"error-text\":\"Throttled\"}]}";
	notify_http_outcome(&res, &vo, 200, vbody, strlen(vbody), NULL, 0,
	    "sms v");
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	assert_string_equal(res.detail, "sms v: vonage status 1: Throttled");
	vbody = "{\"messages\": [ {\"status\": \"4\", \"error-text\": "
	    "\"Bad Credentials\"} ]}";
	notify_http_outcome(&res, &vo, 200, vbody, strlen(vbody), NULL, 0,
	    NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	assert_string_equal(res.detail, "vonage status 4: Bad Credentials");
	notify_http_outcome(&res, &vo, 200, "garbage", 7, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);

	gen.ok_status = ok;
	gen.nok_status = 2;
	gen.ok_body = (char *)"OK";
	notify_http_outcome(&res, &gen, 202, "queued OK", 9, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_DELIVERED);
	notify_http_outcome(&res, &gen, 200, "nope", 4, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	notify_http_outcome(&res, &gen, 201, "OK", 2, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	notify_http_outcome(&res, &gen, 500, "OK", 2, NULL, 0, NULL);
	assert_int_equal(res.status, IPC_ALERT_RETRY);

	notify_smtp_outcome(&res, 250, "250 2.0.0 Ok: queued", "email m");
	assert_int_equal(res.status, IPC_ALERT_DELIVERED);
	notify_smtp_outcome(&res, 450, "450 4.2.0 busy", "email m");
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	assert_string_equal(res.detail, "email m: SMTP 450 4.2.0 busy");
	notify_smtp_outcome(&res, 421, "", NULL);
	assert_int_equal(res.status, IPC_ALERT_RETRY);
	notify_smtp_outcome(&res, 550, "550 5.1.1 <x@y>: no such user", NULL);
	assert_int_equal(res.status, IPC_ALERT_PERMANENT);
	assert_int_equal(res.code, 550);
	assert_string_equal(res.detail, "SMTP 550 5.1.1 <x@y>: no such user");
}

static void
test_title_pid(void **state)
{
	char	 p[64];

	notify_title_policy(p, sizeof(p), "[high] etc-writes: /usr/bin/tee");
	assert_string_equal(p, "etc-writes");
	notify_title_policy(p, sizeof(p), "no brackets: x");
	assert_string_equal(p, "");
	assert_int_equal(notify_event_pid("{\"process\":{\"pid\": 77,"
	    "\"binary\":\"/x\"}}"), 77);
	assert_int_equal(notify_event_pid("{}"), 0);
}

static void
test_dns_names(void **state)
{
	char	 name[300], base[300], *p;
	struct sbuf sb;
	size_t	 i;

	dns_nonce(name, "tl-node1-42");
	assert_string_equal(name, "0137653ec6");	/* sha256 prefix */
	sbuf_init(&sb);
	dns_base32(&sb, "etc-writes.1234", 15);
	assert_string_equal(sb.buf, "mv2ggllxojuxizltfyytemzu");
	sbuf_reset(&sb);
	dns_base32(&sb, "f", 1);
	assert_string_equal(sb.buf, "my");	/* RFC 4648 "MY======" */
	sbuf_clear(&sb);

	assert_int_equal(dns_canary_name(name, sizeof(name), "tl-node1-42",
	    "abc.canary.example", NULL, 0), 0);
	assert_string_equal(name, "0137653ec6.abc.canary.example");
	assert_int_equal(dns_canary_name(name, sizeof(name), "tl-node1-42",
	    "abc.canary.example.", "etc-writes", 1234), 0);
	assert_string_equal(name,
	    "0137653ec6.mv2ggllxojuxizltfyytemzu.abc.canary.example");
	/* a different key, a different nonce */
	assert_int_equal(dns_canary_name(base, sizeof(base), "tl-node1-43",
	    "abc.canary.example", NULL, 0), 0);
	assert_true(strncmp(base, name, 10) != 0);

	/* long data: one label of at most 63 */
	memset(base, 'p', 200);
	base[200] = '\0';
	assert_int_equal(dns_canary_name(name, sizeof(name), "k",
	    "c.example", base, 1), 0);
	assert_true(dns_name_ok(name));
	p = strchr(name, '.') + 1;
	assert_int_equal(strcspn(p, "."), 63);
	/* long base: total capped at 253 */
	for (i = 0; i < 4; i++) {
		memset(base + i * 55, 'b', 54);
		base[i * 55 + 54] = '.';
	}
	strcpy(base + 220, "example");
	assert_int_equal(dns_canary_name(name, sizeof(name), "k", base,
	    "policy", 1), 0);
	assert_true(strlen(name) <= 253);
	assert_true(dns_name_ok(name));
	/* base too long for a nonce */
	memset(base, 'a', 250);
	base[250] = '\0';
	for (i = 60; i < 250; i += 61)
		base[i] = '.';
	assert_int_equal(dns_canary_name(name, sizeof(name), "k", base, NULL,
	    0), ERR_RANGE);
	assert_false(dns_name_ok("a..b"));
	assert_false(dns_name_ok("a b.c"));
	assert_false(dns_name_ok(""));
	assert_true(dns_name_ok("x.example."));
}

static void
test_dns_wire(void **state)
{
	uint8_t	 q[512], r[512];
	ssize_t	 n;
	int	 rcode, nans;
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		3, 'a', 'b', 'c', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		0x00, 0x01, 0x00, 0x01,
	};

	n = dns_query_build(q, sizeof(q), 0x1234, "abc.example");
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(q, want, sizeof(want));
	assert_int_equal(dns_query_build(q, 20, 1, "abc.example"), ERR_RANGE);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, "a..b"), ERR_RANGE);

	/* NXDOMAIN reply, name case changed by the resolver */
	memcpy(r, want, sizeof(want));
	r[2] = 0x81;
	r[3] = 0x83;
	r[13] = 'A';
	assert_int_equal(dns_reply_parse(r, sizeof(want), 0x1234,
	    "abc.example", &rcode, &nans), 0);
	assert_int_equal(rcode, 3);
	assert_int_equal(nans, 0);
	/* one answer, rcode 0 */
	r[3] = 0x80;
	r[7] = 1;
	assert_int_equal(dns_reply_parse(r, sizeof(want), 0x1234,
	    "abc.example", &rcode, &nans), 0);
	assert_int_equal(rcode, 0);
	assert_int_equal(nans, 1);
	/* wrong id, not a response, other name, truncated */
	assert_int_equal(dns_reply_parse(r, sizeof(want), 0x1235,
	    "abc.example", &rcode, &nans), ERR_PARSE);
	assert_int_equal(dns_reply_parse(q, sizeof(want), 0x1234,
	    "abc.example", &rcode, &nans), ERR_PARSE);
	assert_int_equal(dns_reply_parse(r, sizeof(want), 0x1234,
	    "abd.example", &rcode, &nans), ERR_PARSE);
	assert_int_equal(dns_reply_parse(r, 20, 0x1234, "abc.example",
	    &rcode, &nans), ERR_PARSE);
}

static void
test_dns_addr(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	assert_int_equal(dns_parse_addr("127.0.0.1:5353", 53, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 5353);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(dns_parse_addr("10.0.0.1", 53, &ss, &len), 0);
	assert_int_equal(ntohs(sin->sin_port), 53);
	assert_int_equal(dns_parse_addr("[::1]:5300", 53, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 5300);
	assert_int_equal(dns_parse_addr("::1", 53, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(dns_parse_addr("resolver.example:53", 53, &ss, &len),
	    ERR_PARSE);
	assert_int_equal(dns_parse_addr("127.0.0.1:0", 53, &ss, &len),
	    ERR_PARSE);
	assert_int_equal(dns_parse_addr("127.0.0.1:x", 53, &ss, &len),
	    ERR_PARSE);
}

/* guard.c: the event JSON a webhook body may embed */
static void
test_event_json_ok(void **state)
{
	static const char *const good[] = {
		"", "  ", "{}", " {\"a\" : [1, -0, 2.5e-3, 1E9, true, false, null]} ",
		"[]", "[{}]", "[{\"a\":1},{\"b\":\"\\u00e9\\n\\\"\"}]",
		"{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}",
	};
	static const char *const bad[] = {
		"null", "1", "\"s\"", "[1]", "[{}, 2]", "{", "{\"a\"}",
		"{\"a\":}", "{\"a\":1,}", "[{},]", "{a:1}", "{\"a\":01}",
		"{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12g4\"}", "{\"a\":\"\t\"}", "{} {}", "{}]",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}",
		"{\"a\":1}],\"x\":{\"b\":2",
	};
	struct sbuf	 sb;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!notify_event_json_ok(good[i]))
			fail_msg("refused: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (notify_event_json_ok(bad[i]))
			fail_msg("accepted: %s", bad[i]);

	/* depth: 32 levels pass, 33 do not */
	sbuf_init(&sb);
	for (i = 0; i < NOTIFY_EVENT_JSON_DEPTH; i++)
		sbuf_adds(&sb, i == 0 ? "{\"a\":" : "[");
	sbuf_adds(&sb, "1");
	for (i = 1; i < NOTIFY_EVENT_JSON_DEPTH; i++)
		sbuf_adds(&sb, "]");
	sbuf_adds(&sb, "}");
	assert_true(notify_event_json_ok(sb.buf));
	sbuf_reset(&sb);
	sbuf_adds(&sb, "{\"a\":");
	for (i = 0; i < 100000; i++)
		sbuf_adds(&sb, "[");
	assert_false(notify_event_json_ok(sb.buf));
	/* size */
	sbuf_reset(&sb);
	sbuf_adds(&sb, "{\"a\":\"");
	while (sb.len < NOTIFY_EVENT_JSON_MAX)
		sbuf_adds(&sb, "xxxxxxxx");
	sbuf_adds(&sb, "\"}");
	assert_false(notify_event_json_ok(sb.buf));
	sbuf_clear(&sb);
}

static void
test_allowlist(void **state)
{
	struct notify_allow a;

	memset(&a, 0, sizeof(a));
	assert_false(notify_allow_has(&a, IPC_TARGET_URL, "http://x/"));
	notify_allow_set(&a, "U http://x/a?b=1\nD Canary.Example\nX junk\nU\n"
	    "D \nU http://y/");
	assert_true(a.have);
	assert_int_equal(a.n, 3);
	assert_true(notify_allow_has(&a, IPC_TARGET_URL, "http://x/a?b=1"));
	assert_false(notify_allow_has(&a, IPC_TARGET_URL, "http://x/a?b=2"));
	assert_false(notify_allow_has(&a, IPC_TARGET_URL, "HTTP://x/a?b=1"));
	assert_true(notify_allow_has(&a, IPC_TARGET_URL, "http://y/"));
	assert_true(notify_allow_has(&a, IPC_TARGET_DNS, "canary.example."));
	assert_false(notify_allow_has(&a, IPC_TARGET_DNS, "x.canary.example"));
	/* the kinds do not mix */
	assert_false(notify_allow_has(&a, IPC_TARGET_DNS, "http://y/"));
	assert_false(notify_allow_has(&a, IPC_TARGET_URL, "Canary.Example"));
	notify_allow_set(&a, "");
	assert_true(a.have);
	assert_int_equal(a.n, 0);
	notify_allow_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_slack),
		cmocka_unit_test(test_sms_bodies),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_header_value),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_title_pid),
		cmocka_unit_test(test_dns_names),
		cmocka_unit_test(test_dns_wire),
		cmocka_unit_test(test_dns_addr),
		cmocka_unit_test(test_event_json_ok),
		cmocka_unit_test(test_allowlist),
	};

	return cmocka_run_group_tests_name("notify_format", tests, NULL,
	    NULL);
}
