/* tests/unit/test_alerts.c -- the alerts file parser: values and defaults,
 * FILE:LINE:COL of every kind of error, the ownership/mode rule for files
 * with secrets, and the redacted copy sent to the collector. */
#include "build.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "alerts.h"
#include "err.h"

#define ALDIR	TEST_DATADIR "/alerts/"

/* every secret in good.yaml carries this marker */
static const char *const secrets[] = {
	"SLACKSECRETX", "TWILIOSECRETX", "VONAGESECRETX", "HEADERSECRETX",
	"MAILSECRETX", "USERINFOSECRETX", "HMACSECRETX", "SECRETX",
	"hooks.slack.com", "user:", NULL
};

static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

static int
parse_file(const char *path, struct al_config *cfg, char *err, size_t errlen)
{
	char	*text;
	size_t	 len;
	int	 r;

	text = slurp(path, &len);
	r = alerts_parse(path, text, len, cfg, err, errlen);
	free(text);
	return r;
}

static int
parse_str(const char *s, struct al_config *cfg, char *err, size_t errlen)
{
	return alerts_parse("t.yaml", s, strlen(s), cfg, err, errlen);
}

/* A temp file with text, mode; returns its path (static buffer). */
static const char *
tmpfile_with(const char *text, mode_t mode)
{
	static char path[64];
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/test_alerts.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
test_names(void **state)
{
	enum al_severity s;

	assert_string_equal(alerts_kind_name(AL_SLACK), "slack");
	assert_string_equal(alerts_kind_name(AL_SMS), "sms");
	assert_string_equal(alerts_kind_name(AL_EMAIL), "email");
	assert_string_equal(alerts_kind_name(AL_WEBHOOK), "webhook");
	assert_string_equal(alerts_kind_name(AL_CANARY_HTTP), "canary_http");
	assert_string_equal(alerts_kind_name(AL_CANARY_DNS), "canary_dns");
	assert_string_equal(alerts_kind_name((enum al_kind)0), "unknown");
	assert_string_equal(alerts_severity_name(AL_SEV_INFO), "info");
	assert_string_equal(alerts_severity_name(AL_SEV_CRITICAL), "critical");
	assert_int_equal(alerts_severity_parse("medium", &s), 0);
	assert_int_equal(s, AL_SEV_MEDIUM);
	assert_int_equal(alerts_severity_parse("high", &s), 0);
	assert_int_equal(s, AL_SEV_HIGH);
	assert_int_equal(alerts_severity_parse("urgent", &s), ERR_PARSE);
	assert_int_equal(alerts_severity_parse("High", &s), ERR_PARSE);
}

static void
check_defaults(const struct al_config *cfg)
{
	assert_string_equal(cfg->dns_resolver, "127.0.0.1:53");
	assert_int_equal(cfg->timeout_ms, 10000);
	assert_int_equal(cfg->retry_initial_ms, 1000);
	assert_int_equal(cfg->retry_max_ms, 300000);
	assert_int_equal(cfg->retry_max_age_ms, 86400000);
	assert_int_equal(cfg->circuit_failures, 5);
	assert_int_equal(cfg->circuit_open_ms, 30000);
	assert_int_equal(cfg->max_inflight, 4);
	assert_int_equal(cfg->nreceivers, 0);
	assert_int_equal(cfg->nroutes, 0);
	assert_int_equal(cfg->has_secrets, 0);
}

static void
test_empty(void **state)
{
	struct al_config cfg;
	char	 err[512];

	assert_int_equal(parse_file(ALDIR "empty.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	check_defaults(&cfg);
	alerts_clear(&cfg);
	assert_int_equal(parse_str("", &cfg, err, sizeof(err)), 0);
	check_defaults(&cfg);
	alerts_clear(&cfg);
	assert_int_equal(parse_str("receivers: []\nroutes:\n", &cfg, err,
	    sizeof(err)), 0);
	check_defaults(&cfg);
	alerts_clear(&cfg);
	alerts_clear(&cfg);
	alerts_clear(NULL);
}

static void
check_good(const struct al_config *cfg, int redacted)
{
	const struct al_receiver *rc;
	const struct al_route *rt;
	const char *sec = "<secret>";

	assert_int_equal(cfg->has_secrets, !redacted);
	assert_string_equal(cfg->dns_resolver, "127.0.0.1:53");
	assert_int_equal(cfg->timeout_ms, 10000);
	assert_int_equal(cfg->retry_initial_ms, 500);
	assert_int_equal(cfg->retry_max_ms, 300000);
	assert_int_equal(cfg->retry_max_age_ms, 24ULL * 3600 * 1000);
	assert_int_equal(cfg->circuit_failures, 3);
	assert_int_equal(cfg->circuit_open_ms, 30000);
	assert_int_equal(cfg->max_inflight, 2);
	assert_string_equal(cfg->ca_file, "/etc/tripline/ca.pem");
	assert_int_equal(cfg->nreceivers, 8);
	assert_int_equal(cfg->nroutes, 3);

	rc = alerts_receiver(cfg, "ops-slack");
	assert_ptr_equal(rc, &cfg->receivers[0]);
	assert_int_equal(rc->kind, AL_SLACK);
	assert_int_equal(rc->rl_count, 20);
	assert_int_equal(rc->rl_per_ms, 60000);
	assert_string_equal(rc->url, redacted ? sec :
	    "https://hooks.slack.com/services/T0/B0/SLACKSECRETX");
	assert_int_equal(rc->max_length, 3000);

	rc = alerts_receiver(cfg, "oncall");
	assert_int_equal(rc->kind, AL_SMS);
	assert_int_equal(rc->provider, AL_SMS_TWILIO);
	assert_int_equal(rc->rl_count, 0);
	assert_string_equal(rc->url, "https://api.twilio.com");
	assert_string_equal(rc->account_sid, "AC1");
	assert_string_equal(rc->auth_token, redacted ? sec : "TWILIOSECRETX");
	assert_string_equal(rc->from, "+15550001");
	assert_int_equal(rc->nto, 1);
	assert_string_equal(rc->to[0], "+15550002");

	rc = alerts_receiver(cfg, "oncall-eu");
	assert_int_equal(rc->provider, AL_SMS_VONAGE);
	assert_string_equal(rc->api_key, "k");
	assert_string_equal(rc->api_secret, redacted ? sec : "VONAGESECRETX");
	assert_string_equal(rc->from, "tripline");

	rc = alerts_receiver(cfg, "gw");
	assert_int_equal(rc->provider, AL_SMS_GENERIC);
	assert_string_equal(rc->url, "http://127.0.0.1:9000/send");
	assert_string_equal(rc->method, "POST");
	assert_int_equal(rc->json, 1);
	assert_int_equal(rc->nfields, 3);
	assert_string_equal(rc->fields[0].key, "to");
	assert_string_equal(rc->fields[0].value, "{to}");
	assert_string_equal(rc->fields[1].key, "msg");
	assert_string_equal(rc->fields[1].value, "[{severity}] {text}");
	assert_string_equal(rc->fields[2].value, "{idem_key}");
	assert_int_equal(rc->nheaders, 1);
	assert_string_equal(rc->headers[0].key, "X-Api-Key");
	assert_string_equal(rc->headers[0].value, redacted ? sec :
	    "HEADERSECRETX");
	assert_int_equal(rc->nok_status, 3);
	assert_int_equal(rc->ok_status[0], 200);
	assert_int_equal(rc->ok_status[2], 202);
	assert_string_equal(rc->ok_body, "OK");
	assert_int_equal(rc->nto, 2);
	assert_string_equal(rc->to[1], "ops-pager");
	assert_null(rc->from);

	rc = alerts_receiver(cfg, "mail");
	assert_int_equal(rc->kind, AL_EMAIL);
	assert_string_equal(rc->smarthost, "127.0.0.1:2525");
	assert_int_equal(rc->tls, AL_TLS_STARTTLS);
	assert_string_equal(rc->ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(rc->username, "u");
	assert_string_equal(rc->password, redacted ? sec : "MAILSECRETX");
	assert_string_equal(rc->auth, "plain");
	assert_string_equal(rc->from, "tripline@example.org");
	assert_int_equal(rc->nto, 2);
	assert_string_equal(rc->to[1], "ops@example.org");
	assert_string_equal(rc->subject_prefix, "[tripline]");

	rc = alerts_receiver(cfg, "hook");
	assert_int_equal(rc->kind, AL_WEBHOOK);
	assert_string_equal(rc->url, redacted ? sec :
	    "http://user:USERINFOSECRETX@127.0.0.1:9000/hook");
	assert_string_equal(rc->hmac_secret, redacted ? sec : "HMACSECRETX");
	assert_string_equal(rc->hmac_header, "X-Tripline-Signature");
	assert_non_null(rc->headers);
	assert_int_equal(rc->nheaders, 0);

	rc = alerts_receiver(cfg, "canary");
	assert_int_equal(rc->kind, AL_CANARY_HTTP);
	assert_string_equal(rc->url, "http://127.0.0.1:9000/canary/abc");

	rc = alerts_receiver(cfg, "canary-dns");
	assert_int_equal(rc->kind, AL_CANARY_DNS);
	assert_string_equal(rc->dns_name, "abc.canary.example");
	assert_string_equal(rc->resolver, "[::1]:5353");
	assert_int_equal(rc->dns_data, 1);
	assert_null(alerts_receiver(cfg, "nope"));

	rt = &cfg->routes[0];
	assert_string_equal(rt->name, "critical");
	assert_int_equal(rt->npolicies, 1);
	assert_string_equal(rt->policies[0], "bpf-loads");
	assert_int_equal(rt->ntags, 1);
	assert_string_equal(rt->tags[0], "privilege");
	assert_int_equal(rt->nevent_types, 4);
	assert_string_equal(rt->event_types[3], "process_lsm");
	assert_int_equal(rt->nactions, 3);
	assert_string_equal(rt->actions[0], "Sigkill");
	assert_int_equal(rt->severity_mask,
	    (1U << AL_SEV_HIGH) | (1U << AL_SEV_CRITICAL));
	assert_int_equal(rt->nreceivers, 3);
	assert_string_equal(rt->receivers[2], "mail");
	assert_int_equal(rt->ngroup_by, 2);
	assert_string_equal(rt->group_by[1], "binary");
	assert_int_equal(rt->group_wait_ms, 0);
	assert_int_equal(rt->group_interval_ms, 300000);
	assert_int_equal(rt->repeat_interval_ms, 4ULL * 3600 * 1000);
	assert_int_equal(rt->cont, 1);

	rt = &cfg->routes[1];
	assert_string_equal(rt->name, "rest");
	assert_null(rt->policies);
	assert_int_equal(rt->nevent_types, 1);	/* a scalar: list of one */
	assert_string_equal(rt->event_types[0], "process_exec");
	assert_int_equal(rt->severity_mask, (1U << AL_SEV_MEDIUM) |
	    (1U << AL_SEV_HIGH) | (1U << AL_SEV_CRITICAL));
	assert_int_equal(rt->nreceivers, 5);
	assert_non_null(rt->group_by);		/* group_by: [] */
	assert_int_equal(rt->ngroup_by, 0);
	assert_int_equal(rt->cont, 0);

	rt = &cfg->routes[2];
	assert_int_equal(rt->severity_mask, 0);
	assert_null(rt->group_by);
	assert_int_equal(rt->nreceivers, 1);
	assert_string_equal(rt->receivers[0], "hook");
	assert_int_equal(rt->group_interval_ms, 300000);
}

static void
test_good(void **state)
{
	struct al_config cfg;
	char	 err[512];

	assert_int_equal(parse_file(ALDIR "good.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	check_good(&cfg, 0);
	alerts_clear(&cfg);

	/* the installed example is valid */
	assert_int_equal(parse_file(TEST_DATADIR "/../../dist/"
	    "alerts.yaml.example", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nreceivers, 8);
	assert_int_equal(cfg.nroutes, 2);
	assert_int_equal(cfg.has_secrets, 1);
	alerts_clear(&cfg);
}

static void
test_redact(void **state)
{
	struct al_config cfg, cfg2, cfg3;
	char	 err[512], *red, *red2;
	const char *p;
	size_t	 i;
	int	 r;

	assert_int_equal(parse_file(ALDIR "good.yaml", &cfg, err,
	    sizeof(err)), 0);
	red = alerts_redact(&cfg);
	assert_non_null(red);
	for (i = 0; secrets[i] != NULL; i++)
		if (strstr(red, secrets[i]) != NULL)
			fail_msg("secret '%s' in redacted text:\n%s",
			    secrets[i], red);
	assert_non_null(strstr(red, "redacted: true"));
	r = alerts_parse("redacted", red, strlen(red), &cfg2, err,
	    sizeof(err));
	if (r != 0)
		fail_msg("redacted text does not parse: %s\n%s", err, red);
	check_good(&cfg2, 1);
	/* redacting the redacted copy changes nothing */
	red2 = alerts_redact(&cfg2);
	assert_string_equal(red, red2);
	free(red2);
	/* the loader refuses a redacted copy as the alerts file */
	p = tmpfile_with(red, 0600);
	r = alerts_load(p, &cfg3, &red2, err, sizeof(err));
	unlink(p);
	assert_int_equal(r, ERR_PARSE);
	assert_null(red2);
	assert_non_null(strstr(err, "redacted copy"));
	alerts_clear(&cfg2);
	free(red);

	/* no receivers, no routes: still a valid document */
	alerts_clear(&cfg);
	assert_int_equal(parse_str("", &cfg, err, sizeof(err)), 0);
	red = alerts_redact(&cfg);
	assert_int_equal(parse_str(red, &cfg2, err, sizeof(err)), 0);
	check_defaults(&cfg2);
	alerts_clear(&cfg2);
	alerts_clear(&cfg);
	free(red);

	/* a string that needs quoting survives */
	assert_int_equal(parse_str("receivers:\n- name: m\n  email: "
	    "{smarthost: 'h:25', from: a@b.c, to: [a@b.c], subject_prefix: "
	    "'[x] \"q\" \\\\ #: {y}'}\nroutes:\n- {name: r, receivers: m, "
	    "match: {tags: ['a: b', '#c', \"\xc3\xa9\"]}}\n",
	    &cfg, err, sizeof(err)), 0);
	red = alerts_redact(&cfg);
	assert_int_equal(parse_str(red, &cfg2, err, sizeof(err)), 0);
	assert_string_equal(cfg2.receivers[0].subject_prefix,
	    "[x] \"q\" \\\\ #: {y}");
	assert_int_equal(cfg2.routes[0].ntags, 3);
	assert_string_equal(cfg2.routes[0].tags[0], "a: b");
	assert_string_equal(cfg2.routes[0].tags[1], "#c");
	assert_string_equal(cfg2.routes[0].tags[2], "\xc3\xa9");
	assert_int_equal(cfg2.has_secrets, 0);
	alerts_clear(&cfg2);
	alerts_clear(&cfg);
	free(red);
}

static const struct {
	const char	*file;
	const char	*want;	/* after "DIR/" */
} bad[] = {
	{ "bad-syntax.yaml", "bad-syntax.yaml:3:4: did not find expected "
	    "'-' indicator" },
	{ "bad-topkey.yaml", "bad-topkey.yaml:2:1: alerts: unknown key "
	    "'recievers'; expected one of: defaults, receivers, routes" },
	{ "bad-dupkey.yaml", "bad-dupkey.yaml:2:1: alerts: duplicate key "
	    "'routes' (first at line 1)" },
	{ "bad-toplevel.yaml", "bad-toplevel.yaml:1:1: expected a mapping" },
	{ "bad-two-docs.yaml", "bad-two-docs.yaml:3:1: expected a single "
	    "YAML document" },
	{ "bad-duration.yaml", "bad-duration.yaml:2:12: defaults.timeout: "
	    "expected a duration: a whole number with a unit ms, s, m, h "
	    "or d" },
	{ "bad-duration-range.yaml", "bad-duration-range.yaml:2:29: "
	    "defaults.retry.max: expected a duration from 10ms to 1d" },
	{ "bad-retry-order.yaml", "bad-retry-order.yaml:2:29: "
	    "defaults.retry: max is shorter than initial" },
	{ "bad-hostport.yaml", "bad-hostport.yaml:2:17: defaults.dns_resolver:"
	    " expected host:port" },
	{ "bad-port.yaml", "bad-port.yaml:3:24: email.smarthost: expected "
	    "host:port" },
	{ "bad-inflight.yaml", "bad-inflight.yaml:2:17: defaults.max_inflight:"
	    " expected an integer from 1 to 64" },
	{ "bad-receivers-map.yaml", "bad-receivers-map.yaml:2:3: receivers: "
	    "expected a list" },
	{ "bad-nokind.yaml", "bad-nokind.yaml:2:5: receiver lonely: expected "
	    "one of slack, sms, email, webhook, canary_http, canary_dns" },
	{ "bad-twokinds.yaml", "bad-twokinds.yaml:4:5: receiver both: more "
	    "than one kind (canary_http and webhook)" },
	{ "bad-noname.yaml", "bad-noname.yaml:2:5: receiver: missing "
	    "required key 'name'" },
	{ "bad-dupname.yaml", "bad-dupname.yaml:4:11: receiver 'x' defined "
	    "twice" },
	{ "bad-name-chars.yaml", "bad-name-chars.yaml:2:11: receiver name: "
	    "expected a name" },
	{ "bad-rate.yaml", "bad-rate.yaml:3:25: rate_limit.count: expected "
	    "an integer from 1 to 1000000" },
	{ "bad-url-scheme.yaml", "bad-url-scheme.yaml:3:20: webhook.url: "
	    "expected an http:// or https:// URL" },
	{ "bad-url-host.yaml", "bad-url-host.yaml:3:20: webhook.url: "
	    "expected an http:// or https:// URL with a host" },
	{ "bad-secret-placeholder.yaml", "bad-secret-placeholder.yaml:3:18: "
	    "slack.url: expected an http:// or https:// URL" },
	{ "bad-twilio-missing.yaml", "bad-twilio-missing.yaml:3:10: sms "
	    "(twilio): missing required key 'auth_token'" },
	{ "bad-provider.yaml", "bad-provider.yaml:3:21: sms.provider: "
	    "expected one of twilio, vonage, generic" },
	{ "bad-provider-key.yaml", "bad-provider-key.yaml:3:56: sms: "
	    "'account_sid' is not a setting of provider vonage" },
	{ "bad-phone.yaml", "bad-phone.yaml:4:16: sms.to: expected a phone "
	    "number" },
	{ "bad-generic-nourl.yaml", "bad-generic-nourl.yaml:3:10: sms "
	    "(generic): missing required key 'url'" },
	{ "bad-placeholder.yaml", "bad-placeholder.yaml:3:78: sms.fields: "
	    "bad placeholder in '{message}'" },
	{ "bad-header-name.yaml", "bad-header-name.yaml:3:49: "
	    "webhook.headers: 'X Bad' is not a valid header name" },
	{ "bad-status.yaml", "bad-status.yaml:4:35: sms.success.status: "
	    "expected an integer from 100 to 599" },
	{ "bad-email-addr.yaml", "bad-email-addr.yaml:3:46: email.from: "
	    "expected an e-mail address" },
	{ "bad-email-tls.yaml", "bad-email-tls.yaml:3:45: email.tls: "
	    "expected one of starttls, tls, none" },
	{ "bad-email-userpass.yaml", "bad-email-userpass.yaml:3:40: email: "
	    "username and password go together" },
	{ "bad-email-cleartext.yaml", "bad-email-cleartext.yaml:3:51: "
	    "email.username: refused with tls: none (the credentials would "
	    "cross the network in clear text)" },
	{ "bad-email-crlf.yaml", "bad-email-crlf.yaml:4:29: "
	    "email.subject_prefix: control character (\\x0d) not allowed" },
	{ "bad-hmac-header.yaml", "bad-hmac-header.yaml:3:39: "
	    "webhook.hmac_header: needs hmac_secret" },
	{ "bad-dns-name.yaml", "bad-dns-name.yaml:3:24: canary_dns.name: "
	    "expected a DNS name" },
	{ "bad-unknown-receiver.yaml", "bad-unknown-receiver.yaml:6:20: "
	    "route r: no receiver named 'nope'" },
	{ "bad-route-noreceivers.yaml", "bad-route-noreceivers.yaml:2:5: "
	    "route: missing required key 'receivers'" },
	{ "bad-dup-route.yaml", "bad-dup-route.yaml:7:11: route 'r' defined "
	    "twice" },
	{ "bad-severity.yaml", "bad-severity.yaml:6:30: match.severity: "
	    "unknown severity 'urgent'" },
	{ "bad-sev-both.yaml", "bad-sev-both.yaml:6:31: match: severity and "
	    "min_severity exclude each other" },
	{ "bad-event-type.yaml", "bad-event-type.yaml:6:26: match.event_type: "
	    "unknown event type 'process_kprobes'" },
	{ "bad-group-by.yaml", "bad-group-by.yaml:7:24: group_by: unknown "
	    "grouping key 'pid'" },
	{ "bad-continue.yaml", "bad-continue.yaml:7:15: continue: expected a "
	    "boolean" },
	{ "bad-redacted-false.yaml", "bad-redacted-false.yaml:1:11: redacted: "
	    "only 'true' is allowed" },
};

static void
test_bad_fixtures(void **state)
{
	struct al_config cfg;
	char	 err[1024], want[512], path[512], *text;
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), ALDIR "%s", bad[i].file);
		snprintf(want, sizeof(want), ALDIR "%s", bad[i].want);
		/* through the loader (file name, read) and the parser */
		r = alerts_load(path, &cfg, &text, err, sizeof(err));
		if (r != ERR_PARSE || strncmp(err, want, strlen(want)) != 0)
			fail_msg("%s: got %d '%s'\n want '%s'", bad[i].file,
			    r, err, want);
		assert_null(text);
		assert_int_equal(cfg.nreceivers, 0);
		assert_null(cfg.receivers);
		r = parse_file(path, &cfg, err, sizeof(err));
		if (r != ERR_PARSE || strncmp(err, want, strlen(want)) != 0)
			fail_msg("%s: parse got %d '%s'", bad[i].file, r, err);
	}
}

static void
test_bad_inline(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "defaults: {timeout: 99999999999999999999999s}\n",
		    "t.yaml:1:21: defaults.timeout: expected a duration from "
		    "100ms to 10m" },
		{ "defaults: {timeout: 50ms}\n",
		    "t.yaml:1:21: defaults.timeout: expected a duration from" },
		{ "defaults: {timeout: 10}\n",
		    "t.yaml:1:21: defaults.timeout: expected a duration:" },
		{ "defaults: {timeout: s}\n",
		    "t.yaml:1:21: defaults.timeout: expected a duration:" },
		{ "defaults: {circuit: {failures: 0}}\n",
		    "t.yaml:1:32: defaults.circuit.failures: expected an "
		    "integer from 1 to 1000" },
		{ "defaults: {dns_resolver: \"[zz]:53\"}\n",
		    "t.yaml:1:26: defaults.dns_resolver: expected host:port" },
		{ "defaults: {ca_file: ca.pem}\n",
		    "t.yaml:1:21: defaults.ca_file: expected an absolute "
		    "path" },
		{ "defaults: {dns_resolver: \"h:0\"}\n",
		    "t.yaml:1:26: defaults.dns_resolver: expected host:port" },
		{ "receivers:\n- name: s\n  slack: {url: https://x/, "
		    "max_length: 10}\n",
		    "t.yaml:3:40: slack.max_length: expected an integer from "
		    "100 to 40000" },
		{ "receivers:\n- name: s\n  slack: {}\n",
		    "t.yaml:3:10: slack: missing required key 'url'" },
		{ "receivers:\n- name: s\n  slack: {url: https://x/, "
		    "token: y}\n",
		    "t.yaml:3:28: slack: unknown key 'token'; expected one "
		    "of: url, max_length" },
		{ "receivers:\n- name: w\n  webhook: {url: \"http://h/a b\"}\n",
		    "t.yaml:3:18: webhook.url: expected an http:// or "
		    "https:// URL with a host" },
		{ "receivers:\n- name: w\n  webhook: {url: null}\n",
		    "t.yaml:3:18: webhook.url: expected a string" },
		{ "receivers:\n- name: w\n  webhook: {url: http://h/, "
		    "headers: {A: x, a: y}}\n",
		    "t.yaml:3:45: webhook.headers: duplicate key 'a'" },
		{ "receivers:\n- name: m\n  email: {smarthost: 'h:25', "
		    "from: a@b.c, to: []}\n",
		    "t.yaml:3:47: email.to: expected a non-empty list" },
		{ "receivers:\n- name: m\n  email: {smarthost: 'h:25', "
		    "from: a@b.c, to: [a@b.c, a@b.c]}\n",
		    "t.yaml:3:55: email.to: 'a@b.c' listed twice" },
		{ "receivers:\n- name: m\n  email: {smarthost: 'h:25', "
		    "from: a@b.c, to: [a@b.c], ca_file: etc/ca.pem}\n",
		    "t.yaml:3:65: email.ca_file: expected an absolute path" },
		{ "receivers:\n- name: m\n  email: {smarthost: 'h:25', "
		    "from: a@b.c, to: [a@b.c], auth: plain}\n",
		    "t.yaml:3:56: email.auth: needs username and password" },
		{ "receivers:\n- name: m\n  email: {smarthost: 'h:25', "
		    "from: a@b.c, to: [a@b.c], username: u, password: p, "
		    "auth: cram}\n",
		    "t.yaml:3:88: email.auth: expected plain or login" },
		{ "receivers:\n- name: g\n  sms: {provider: generic, url: "
		    "http://h/, fields: {a: '{to'}, to: [x]}\n",
		    "t.yaml:3:56: sms.fields: bad placeholder in '{to'" },
		{ "receivers:\n- name: g\n  sms: {provider: generic, url: "
		    "http://h/, method: DELETE, fields: {a: b}, to: [x]}\n",
		    "t.yaml:3:52: sms.method: expected one of POST, PUT, GET" },
		{ "receivers:\n- name: g\n  sms: {provider: generic, url: "
		    "http://h/, method: GET, format: json, fields: {a: b}, "
		    "to: [x]}\n",
		    "t.yaml:3:65: sms.format: json needs method POST or PUT" },
		{ "receivers:\n- name: g\n  sms: {provider: generic, url: "
		    "http://h/, fields: {}, to: [x]}\n",
		    "t.yaml:3:52: sms.fields: expected at least one field" },
		{ "receivers:\n- name: t\n  sms: {provider: twilio, "
		    "account_sid: a, auth_token: b, from: c, to: [+15550001],"
		    " format: json}\n",
		    "t.yaml:3:84: sms: 'format' is not a setting of provider "
		    "twilio" },
		{ "receivers:\n- name: d\n  canary_dns: {name: a.b, data: 1}\n",
		    "t.yaml:3:33: canary_dns.data: expected a boolean" },
		{ "receivers:\n- name: d\n  canary_dns: {name: a.b.}\n",
		    "t.yaml:3:22: canary_dns.name: expected a DNS name" },
		{ "receivers:\n- name: d\n  canary_dns: {name: a.b, resolver: "
		    "'127.0.0.1'}\n",
		    "t.yaml:3:37: canary_dns.resolver: expected host:port" },
		{ "receivers:\n- name: h\n  canary_http: {url: http://h/}\n"
		    "routes:\n- name: r\n  receivers: [h, h]\n",
		    "t.yaml:6:18: route receivers: 'h' listed twice" },
		{ "receivers:\n- name: h\n  canary_http: {url: http://h/}\n"
		    "routes:\n- name: r\n  receivers: []\n",
		    "t.yaml:6:14: route receivers: expected a non-empty list" },
		{ "receivers:\n- name: h\n  canary_http: {url: http://h/}\n"
		    "routes:\n- name: r\n  receivers: [h]\n  group_wait: 2d\n",
		    "t.yaml:7:15: group_wait: expected a duration from 0s to "
		    "1d" },
		{ "receivers:\n- name: h\n  canary_http: {url: http://h/}\n"
		    "routes:\n- name: r\n  receivers: [h]\n  match: "
		    "{policy: {a: b}}\n",
		    "t.yaml:7:19: match.policy: expected a list" },
		{ "receivers:\n- name: h\n  canary_http: {url: http://h/}\n"
		    "routes:\n- name: r\n  receivers: [h]\n  match: "
		    "{min_severity: [high]}\n",
		    "t.yaml:7:25: match.min_severity: expected a string" },
		{ "receivers:\n- name: h\n  canary_http: {url: http://h/}\n"
		    "routes:\n- name: r\n  receivers: [h]\n  match: "
		    "{tags: [true]}\n",
		    "t.yaml:7:18: match.tags: expected a string" },
		{ "routes: {}\n", "t.yaml:1:9: routes: expected a list" },
		{ "receivers:\n- 5\n", "t.yaml:2:3: receiver: expected a "
		    "mapping" },
	};
	struct al_config cfg;
	char	 err[1024];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = parse_str(cases[i].text, &cfg, err, sizeof(err));
		if (r != ERR_PARSE || strncmp(err, cases[i].want,
		    strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got %d '%s'\n want '%s'", i, r,
			    err, cases[i].want);
		assert_int_equal(cfg.nroutes, 0);
	}
	/* a NUL byte inside the text */
	r = alerts_parse("n.yaml", "routes: []\0x", 12, &cfg, err,
	    sizeof(err));
	assert_int_equal(r, ERR_PARSE);
	assert_string_equal(err, "n.yaml: contains a NUL byte");
}

/* Bytes the allocator holds for the program (glibc; 0 under ASan, whose
 * leak checker covers the same ground). */
static size_t
heap_in_use(void)
{
	return mallinfo2().uordblks;
}

/*
 * A document that fails to parse leaves nothing allocated: a list given
 * as one scalar whose item is rejected after it was copied (event_type),
 * and the same in a list.
 */
static void
test_error_frees(void **state)
{
	static const char *const docs[] = {
		"receivers:\n- name: h\n  webhook: {url: http://127.0.0.1/}\n"
		    "routes:\n- name: r\n  match: {event_type: process_bogus}\n"
		    "  receivers: [h]\n",
		"receivers:\n- name: h\n  webhook: {url: http://127.0.0.1/}\n"
		    "routes:\n- name: r\n  match: {event_type: [process_exec, "
		    "process_bogus]}\n  receivers: [h]\n",
	};
	struct al_config cfg;
	char	 err[256];
	size_t	 i, before;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		/* once to settle what the libraries keep */
		assert_int_equal(alerts_parse("t.yaml", docs[i],
		    strlen(docs[i]), &cfg, err, sizeof(err)), ERR_PARSE);
		before = heap_in_use();
		assert_int_equal(alerts_parse("t.yaml", docs[i],
		    strlen(docs[i]), &cfg, err, sizeof(err)), ERR_PARSE);
		assert_non_null(strstr(err, "unknown event type"));
		assert_int_equal(heap_in_use(), before);
	}
}

static void
test_durations(void **state)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} d[] = {
		{ "0s", 0 }, { "500ms", 500 }, { "10s", 10000 },
		{ "5m", 300000 }, { "4h", 14400000 }, { "24h", 86400000 },
		{ "1d", 86400000 }, { "\"90s\"", 90000 },
	};
	struct al_config cfg;
	char	 text[256], err[512];
	size_t	 i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		snprintf(text, sizeof(text), "receivers:\n- name: h\n  "
		    "canary_http: {url: http://h/}\nroutes:\n- name: r\n  "
		    "receivers: [h]\n  group_wait: %s\n", d[i].text);
		if (parse_str(text, &cfg, err, sizeof(err)) != 0)
			fail_msg("%s: %s", d[i].text, err);
		assert_int_equal(cfg.routes[0].group_wait_ms, d[i].ms);
		alerts_clear(&cfg);
	}
	/* min_severity: that level and above */
	assert_int_equal(parse_str("receivers:\n- name: h\n  canary_http: "
	    "{url: http://h/}\nroutes:\n- name: r\n  receivers: [h]\n  "
	    "match: {min_severity: info}\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.routes[0].severity_mask, 0x1f);
	alerts_clear(&cfg);
	/* the <secret> placeholder only in a redacted document */
	assert_int_equal(parse_str("redacted: true\nreceivers:\n- name: s\n"
	    "  slack: {url: \"<secret>\"}\n", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.receivers[0].url, "<secret>");
	assert_int_equal(cfg.has_secrets, 0);
	alerts_clear(&cfg);
	/* twilio and vonage have default URLs; userinfo is a secret */
	assert_int_equal(parse_str("receivers:\n- name: v\n  sms: {provider: "
	    "vonage, api_key: k, api_secret: s, from: x, to: ['+15550001']}\n"
	    "- name: c\n  canary_http: {url: 'https://u@h/'}\n", &cfg, err,
	    sizeof(err)), 0);
	assert_string_equal(cfg.receivers[0].url, "https://rest.nexmo.com");
	assert_int_equal(cfg.has_secrets, 1);
	alerts_clear(&cfg);
	assert_int_equal(parse_str("receivers:\n- name: c\n  canary_http: "
	    "{url: 'https://h/a@b'}\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.has_secrets, 0);	/* '@' in the path only */
	alerts_clear(&cfg);
}

static void
test_perm(void **state)
{
	struct al_config cfg;
	char	 err[1024], want[512], *good, *text;
	const char *p;
	int	 r;

	good = slurp(ALDIR "good.yaml", NULL);

	/* world-readable with secrets: refused, and says why */
	p = tmpfile_with(good, 0644);
	r = alerts_load(p, &cfg, &text, err, sizeof(err));
	assert_int_equal(r, ERR_PERM);
	assert_null(text);
	assert_null(cfg.receivers);
	snprintf(want, sizeof(want), "%s: holds secrets (slack.url at line "
	    "12) but is mode 0644 owner uid %lu: must be root-owned and not "
	    "group/world readable", p, (unsigned long)geteuid());
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got '%s'\nwant '%s'", err, want);
	assert_null(strstr(err, "SECRETX"));

	/* group-readable: refused */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(alerts_load(p, &cfg, &text, err, sizeof(err)),
	    ERR_PERM);
	assert_non_null(strstr(err, "mode 0640"));

	/* 0600 (or 0620: no read bit for group/other) owned by root: fine */
	assert_int_equal(chmod(p, 0620), 0);
	r = alerts_load(p, &cfg, &text, err, sizeof(err));
	if (geteuid() == 0) {
		assert_int_equal(r, 0);
		assert_string_equal(text, good);
		assert_int_equal(cfg.has_secrets, 1);
		assert_int_equal(cfg.nreceivers, 8);
		free(text);
		alerts_clear(&cfg);
		assert_int_equal(chmod(p, 0600), 0);
		assert_int_equal(alerts_load(p, &cfg, NULL, err, sizeof(err)),
		    0);
		alerts_clear(&cfg);
		/* not root-owned: refused whatever the mode */
		assert_int_equal(chown(p, 1000, 1000), 0);
		r = alerts_load(p, &cfg, &text, err, sizeof(err));
		assert_int_equal(r, ERR_PERM);
		assert_non_null(strstr(err, "is mode 0600 owner uid 1000: "
		    "must be root-owned"));
	} else {
		/* a non-root test run owns its file: refused for the owner */
		assert_int_equal(r, ERR_PERM);
		snprintf(want, sizeof(want), "owner uid %lu",
		    (unsigned long)geteuid());
		assert_non_null(strstr(err, want));
	}
	unlink(p);
	free(good);

	/* no secrets: any owner, any mode */
	text = slurp(ALDIR "nosecrets.yaml", NULL);
	p = tmpfile_with(text, 0644);
	free(text);
	if (geteuid() == 0)
		assert_int_equal(chown(p, 1000, 1000), 0);
	assert_int_equal(alerts_load(p, &cfg, &text, err, sizeof(err)), 0);
	assert_int_equal(cfg.has_secrets, 0);
	assert_int_equal(cfg.nreceivers, 2);
	assert_int_equal(cfg.nroutes, 1);
	free(text);
	alerts_clear(&cfg);
	unlink(p);
}

static void
test_load_errors(void **state)
{
	struct al_config cfg;
	char	 err[1024], *text, *big;
	const char *p;

	assert_int_equal(alerts_load(ALDIR "does-not-exist.yaml", &cfg, &text,
	    err, sizeof(err)), ERR_SYS);
	assert_string_equal(err, ALDIR "does-not-exist.yaml: No such file or "
	    "directory");
	assert_null(text);
	assert_int_equal(alerts_load(ALDIR, &cfg, &text, err, sizeof(err)),
	    ERR_PARSE);
	assert_non_null(strstr(err, "not a regular file"));

	big = malloc(60 * 1024);
	assert_non_null(big);
	memset(big, '#', 60 * 1024 - 1);
	big[60 * 1024 - 1] = '\0';
	p = tmpfile_with(big, 0600);
	free(big);
	assert_int_equal(alerts_load(p, &cfg, &text, err, sizeof(err)),
	    ERR_TOOBIG);
	assert_non_null(strstr(err, "larger than 57344 bytes"));
	unlink(p);
}

/*
 * The rules of the YAML walker shared with the config and policy loaders
 * (test_config.c and test_policy.c have the same cases): keys are
 * untagged, non-null scalars; a tag other than !!str makes no value; an
 * integer has no '+' and a '-' only where negatives are in range.
 */
static void
test_strict_scalars(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "!!int defaults: {}\n",
		    "t.yaml:1:1: alerts: expected a key (a plain string)" },
		{ "~: {}\n",
		    "t.yaml:1:1: alerts: expected a key (a plain string)" },
		{ "defaults: {!!int timeout: 10s}\n",
		    "t.yaml:1:12: defaults: expected a key (a plain string)" },
		{ "defaults: {max_inflight: !!int 4}\n",
		    "t.yaml:1:26: defaults.max_inflight: expected an integer "
		    "from 1 to 64" },
		{ "defaults: {max_inflight: +4}\n",
		    "t.yaml:1:26: defaults.max_inflight: expected an integer "
		    "from 1 to 64" },
		{ "defaults: {max_inflight: -0}\n",
		    "t.yaml:1:26: defaults.max_inflight: expected an integer "
		    "from 1 to 64" },
		{ "defaults: {dns_resolver: !!int 5}\n",
		    "t.yaml:1:26: defaults.dns_resolver: expected a string" },
	};
	struct al_config cfg;
	char	 err[512];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_str(cases[i].text, &cfg, err,
		    sizeof(err)), ERR_PARSE);
		assert_string_equal(err, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_bad_inline),
		cmocka_unit_test(test_error_frees),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_perm),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_strict_scalars),
	};

	umask(022);
	return cmocka_run_group_tests_name("alerts", tests, NULL, NULL);
}
