/* tests/unit/test_outbox.c -- alert routing, grouping and the delivery
 * scheduler (collectord/outbox.c) on a real store, with an injected clock
 * and a fake notifier. */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "alerts.h"
#include "compat.h"
#include "collectord/outbox.h"
#include "collectord/store.h"
#include "err.h"
#include "ipc_msg.h"
#include "policy.h"
#include "xmalloc.h"
#include "tests/lib/testutil.h"

#define NODE	"n1"
/* boot ns 0 == 2026-01-01T00:00:00Z */
#define OFF	(1767225600LL * 1000000000LL)
#define SEC	1000000000ULL
#define MS	1000000ULL
#define T0	((uint64_t)OFF + 10 * SEC)	/* Unix ns "now" at start */

#define MAXJOBS	64

/* store_flush, as outbox.o calls it (-Wl,--wrap=store_flush): fails
 * without rolling back (like SQLITE_BUSY) while fail_commit is set */
int	__real_store_flush(struct store *);
int	__wrap_store_flush(struct store *);
static int fail_commit;

int
__wrap_store_flush(struct store *s)
{
	if (fail_commit)
		return ERR_DB;
	return __real_store_flush(s);
}

struct sent {
	uint64_t	 id;
	uint32_t	 attempt;
	uint32_t	 count;
	char		*receiver;
	char		*kind;
	char		*target;
	char		*idem;
	char		*severity;
	char		*title;
	char		*text;
	char		*event_json;
};

struct ctx {
	char		*dir;
	char		 db[512];
	struct store	*st;
	struct outbox	*ob;
	uint64_t	 now;
	uint32_t	 rnd;
	int		 send_rc;	/* what the fake send returns */
	int		 kicks;
	struct sent	 jobs[MAXJOBS];
	size_t		 njobs;
	struct al_config cfg;
};

static uint64_t
fake_now(void *arg)
{
	return ((struct ctx *)arg)->now;
}

static uint32_t
fake_rnd(void *arg)
{
	return ((struct ctx *)arg)->rnd;
}

static void
fake_kick(void *arg)
{
	((struct ctx *)arg)->kicks++;
}

static int
fake_send(void *arg, const struct ipc_alert_job *j)
{
	struct ctx	*c = arg;
	struct sent	*s;
	uint8_t		*buf;
	size_t		 len;

	if (c->send_rc != 0)
		return c->send_rc;
	/* what goes on the wire must encode */
	assert_int_equal(ipc_msg_encode(IPC_ALERT_JOB, j, &buf, &len), 0);
	free(buf);
	assert_true(c->njobs < MAXJOBS);
	s = &c->jobs[c->njobs++];
	s->id = j->job_id;
	s->attempt = j->attempt;
	s->count = j->count;
	s->receiver = xstrdup(j->receiver);
	s->kind = xstrdup(j->kind);
	s->target = xstrdup(j->target);
	s->idem = xstrdup(j->idem_key);
	s->severity = xstrdup(j->severity);
	s->title = xstrdup(j->title);
	s->text = xstrdup(j->text);
	s->event_json = xstrdup(j->event_json);
	return 0;
}

static void
jobs_reset(struct ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->njobs; i++) {
		free(c->jobs[i].receiver);
		free(c->jobs[i].kind);
		free(c->jobs[i].target);
		free(c->jobs[i].idem);
		free(c->jobs[i].severity);
		free(c->jobs[i].title);
		free(c->jobs[i].text);
		free(c->jobs[i].event_json);
	}
	c->njobs = 0;
}

static void
ob_open(struct ctx *c)
{
	struct outbox_hooks	 h;

	assert_int_equal(store_open(&c->st, c->db, NODE, OFF, 1000), 0);
	memset(&h, 0, sizeof(h));
	h.now = fake_now;
	h.send = fake_send;
	h.kick = fake_kick;
	h.rnd = fake_rnd;
	h.arg = c;
	c->ob = outbox_new(c->st, &h);
	outbox_set_config(c->ob, c->cfg.nreceivers > 0 ? &c->cfg : NULL);
}

static void
ob_close(struct ctx *c)
{
	outbox_free(c->ob);
	store_close(c->st);
	c->ob = NULL;
	c->st = NULL;
}

/* alerts.yaml, as the parser would fill it (defaults small for tests) */
static char *rcv_names[] = { "ops-slack", "oncall", "hook" };
static const enum al_kind rcv_kinds[] = { AL_SLACK, AL_SMS, AL_WEBHOOK };

static void
cfg_init(struct al_config *cfg)
{
	size_t	 i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 1000;
	cfg->retry_initial_ms = 1000;
	cfg->retry_max_ms = 8000;
	cfg->retry_max_age_ms = 3600 * 1000;
	cfg->circuit_failures = 2;
	cfg->circuit_open_ms = 30000;
	cfg->max_inflight = 2;
	cfg->nreceivers = 3;
	cfg->receivers = xcalloc(3, sizeof(*cfg->receivers));
	for (i = 0; i < 3; i++) {
		cfg->receivers[i].name = rcv_names[i];
		cfg->receivers[i].kind = rcv_kinds[i];
	}
}

static struct al_route *
cfg_route(struct al_config *cfg, const char *name)
{
	struct al_route	*rt;

	cfg->routes = xreallocarray(cfg->routes, cfg->nroutes + 1,
	    sizeof(*cfg->routes));
	rt = &cfg->routes[cfg->nroutes++];
	memset(rt, 0, sizeof(*rt));
	rt->name = (char *)name;
	rt->group_interval_ms = 300000;
	rt->repeat_interval_ms = 4 * 3600 * 1000;
	return rt;
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->dir = testutil_tmpdir("outbox");
	snprintf(c->db, sizeof(c->db), "%s/events.db", c->dir);
	c->now = T0;
	c->rnd = 0x80000000U;	/* jitter factor 1.0 */
	cfg_init(&c->cfg);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	if (c->ob != NULL)
		ob_close(c);
	jobs_reset(c);
	free(c->cfg.receivers);
	free(c->cfg.routes);
	testutil_rmtree(c->dir);
	free(c->dir);
	free(c);
	return 0;
}

static long long
q_int(struct ctx *c, const char *fmt, ...)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		 sql[1024];
	long long	 v = -1;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_int_equal(store_flush(c->st), 0);
	assert_int_equal(sqlite3_open_v2(c->db, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void
assert_q_str(struct ctx *c, const char *want, const char *fmt, ...)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		 sql[1024];
	const char	*v = NULL;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_int_equal(store_flush(c->st), 0);
	assert_int_equal(sqlite3_open_v2(c->db, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (const char *)sqlite3_column_text(st, 0);
	if (v == NULL)
		fail_msg("%s: no value, want %s", sql, want);
	if (strcmp(v, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", sql, v, want);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* The idempotency key the store gives row id of c's database. */
static const char *
idem(struct ctx *c, uint64_t id)
{
	static char	 key[128];
	sqlite3		*h;
	sqlite3_stmt	*st;

	assert_int_equal(store_flush(c->st), 0);
	assert_int_equal(sqlite3_open_v2(c->db, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE"
	    " key = 'idem_salt'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(key, sizeof(key), "tl-%s-%s-%llu", NODE,
	    (const char *)sqlite3_column_text(st, 0), (unsigned long long)id);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return key;
}

static struct outbox_hit
mkhit(const char *policy, const char *tags, const char *msg,
    const char *binary, const char *args)
{
	struct outbox_hit	 h;

	memset(&h, 0, sizeof(h));
	h.type = "process_kprobe";
	h.policy = policy;
	h.tags = tags;
	h.message = msg;
	h.function = "__x64_sys_openat";
	h.action = "KPROBE_ACTION_POST";
	h.actions_json = "[\"KPROBE_ACTION_POST\"]";
	h.actions = 1U << POL_ACT_POST;
	h.pid = 42;
	h.uid = 0;
	h.binary = binary;
	h.args = "-a /etc/passwd";
	h.cwd = "/root";
	h.parent_pid = 1;
	h.parent_binary = "/bin/bash";
	h.call_args = args;
	h.time = "2026-01-01T00:00:10.000000000Z";
	h.event_json = "{\"process_kprobe\":{\"policy_name\":\"x\"}}";
	return h;
}

static int
store_hit(struct ctx *c, const struct outbox_hit *h,
    const struct store_alert *acts, size_t nacts)
{
	struct store_event	 e;

	memset(&e, 0, sizeof(e));
	e.time_ns = c->now - (uint64_t)OFF;	/* created = now */
	e.type = h->type;
	e.exec_id = "eA==";
	e.policy_name = h->policy;
	return outbox_store(c->ob, &e, h, acts, nacts);
}

static void
result(struct ctx *c, uint64_t id, uint32_t status, uint32_t code,
    uint64_t retry_after_ms, const char *detail)
{
	struct ipc_alert_result	 r;

	memset(&r, 0, sizeof(r));
	r.job_id = id;
	r.status = status;
	r.code = code;
	r.retry_after_ms = retry_after_ms;
	r.duration_us = 1500;
	r.detail = (char *)detail;
	assert_int_equal(outbox_result(c->ob, &r), 0);
}

/* ---- pure helpers ---- */

static void
test_severity(void **state)
{
	assert_int_equal(outbox_severity(NULL, NULL), AL_SEV_INFO);
	assert_int_equal(outbox_severity("[\"fs\",\"severity=high\"]", NULL),
	    AL_SEV_HIGH);
	assert_int_equal(outbox_severity("[\"severity:Critical\"]", NULL),
	    AL_SEV_CRITICAL);
	/* a tag wins over the message */
	assert_int_equal(outbox_severity("[\"severity=low\"]",
	    "[high] etc write"), AL_SEV_LOW);
	assert_int_equal(outbox_severity("[\"fs\"]", "[medium] etc write"),
	    AL_SEV_MEDIUM);
	assert_int_equal(outbox_severity("[]", "  [high] x"), AL_SEV_HIGH);
	/* not a level, or not leading: info */
	assert_int_equal(outbox_severity("[\"severity=urgent\"]", "[x] y"),
	    AL_SEV_INFO);
	assert_int_equal(outbox_severity(NULL, "write [high]"), AL_SEV_INFO);
	assert_int_equal(outbox_severity("[\"sev\\u0065rity=high\"]", NULL),
	    AL_SEV_HIGH);
	/* malformed tags: ignored, never a crash */
	assert_int_equal(outbox_severity("[\"severity=high", NULL),
	    AL_SEV_INFO);
	assert_int_equal(outbox_severity("{", "[low]"), AL_SEV_LOW);
	assert_string_equal(outbox_severity_name(AL_SEV_CRITICAL), "critical");
}

static void
test_route_match(void **state)
{
	struct al_route		 rt;
	struct outbox_hit	 h = mkhit("etc-writes", "[\"fs\",\"priv\"]",
				    NULL, "/usr/bin/tee", "/etc/passwd");
	char			*pol[] = { "bpf-loads", "etc-writes" };
	char			*tags[] = { "privilege", "priv" };
	char			*other[] = { "net" };
	char			*types[] = { "process_exec" };
	char			*acts[] = { "Sigkill", "post" };

	memset(&rt, 0, sizeof(rt));
	/* no match keys: every policy event */
	assert_true(outbox_route_match(&rt, &h, AL_SEV_INFO));
	h.type = "process_exec";
	assert_false(outbox_route_match(&rt, &h, AL_SEV_INFO));
	rt.event_types = types;
	rt.nevent_types = 1;
	assert_true(outbox_route_match(&rt, &h, AL_SEV_INFO));
	h.type = "process_kprobe";
	assert_false(outbox_route_match(&rt, &h, AL_SEV_INFO));
	rt.nevent_types = 0;
	rt.policies = pol;
	rt.npolicies = 2;
	rt.tags = tags;
	rt.ntags = 2;
	rt.actions = acts;
	rt.nactions = 2;	/* case-insensitive: "post" */
	rt.severity_mask = 1U << AL_SEV_HIGH | 1U << AL_SEV_CRITICAL;
	assert_true(outbox_route_match(&rt, &h, AL_SEV_HIGH));
	assert_false(outbox_route_match(&rt, &h, AL_SEV_MEDIUM));
	rt.severity_mask = 0;
	assert_true(outbox_route_match(&rt, &h, AL_SEV_INFO));
	rt.tags = other;
	rt.ntags = 1;
	assert_false(outbox_route_match(&rt, &h, AL_SEV_INFO));
	rt.ntags = 0;
	rt.npolicies = 1;	/* only bpf-loads */
	assert_false(outbox_route_match(&rt, &h, AL_SEV_INFO));
	rt.npolicies = 0;
	rt.nactions = 1;	/* Sigkill only: the hit did Post */
	assert_false(outbox_route_match(&rt, &h, AL_SEV_INFO));
	h.actions |= 1U << POL_ACT_SIGKILL;
	assert_true(outbox_route_match(&rt, &h, AL_SEV_INFO));
}

static void
test_backoff(void **state)
{
	uint64_t	 d;
	uint32_t	 a, rnds[] = { 0, 0x80000000U, 0xffffffffU, 12345 };
	size_t		 i;

	/* 1s, 2s, 4s, 8s, capped at 8s; factor within [0.8, 1.2] */
	for (a = 1; a <= 12; a++) {
		uint64_t base = 1000ULL << (a - 1 < 3 ? a - 1 : 3);

		for (i = 0; i < sizeof(rnds) / sizeof(rnds[0]); i++) {
			d = outbox_backoff_ms(1000, 8000, a, rnds[i], 0);
			assert_true(d >= base * 8 / 10);
			assert_true(d <= base * 12 / 10);
		}
	}
	assert_int_equal(outbox_backoff_ms(1000, 8000, 1, 0, 0), 800);
	assert_int_equal(outbox_backoff_ms(1000, 8000, 3, 0x80000000U, 0),
	    4000);
	assert_in_range(outbox_backoff_ms(1000, 8000, 2, 0xffffffffU, 0),
	    2399, 2400);
	/* huge attempt counts do not overflow */
	assert_in_range(outbox_backoff_ms(1000, 300000, 4000000000U, 0, 0),
	    240000, 240000);
	/* Retry-After, when later, wins */
	assert_int_equal(outbox_backoff_ms(1000, 8000, 1, 0, 30000), 30000);
	assert_int_equal(outbox_backoff_ms(1000, 8000, 4, 0x80000000U, 10),
	    8000);
}

/* ---- routing at store time ---- */

static void
test_routing(void **state)
{
	struct ctx		*c = *state;
	struct al_route		*rt;
	struct outbox_hit	 h;
	struct store_alert	 acts[] = {
		{ "geturl", "http://canary.invalid/a" },
		{ "dnslookup", "abc.canary.invalid" },
	};
	static char		*r1[] = { "ops-slack", "oncall" };
	static char		*r2[] = { "hook" };
	static char		*r3[] = { "oncall" };
	static char		*p1[] = { "etc-writes" };

	rt = cfg_route(&c->cfg, "etc");
	rt->policies = p1;
	rt->npolicies = 1;
	rt->receivers = r1;
	rt->nreceivers = 2;
	rt->cont = 1;
	rt = cfg_route(&c->cfg, "all");
	rt->receivers = r2;
	rt->nreceivers = 1;
	rt = cfg_route(&c->cfg, "after-stop");	/* "all" did not continue */
	rt->receivers = r3;
	rt->nreceivers = 1;
	ob_open(c);

	h = mkhit("etc-writes", "[\"severity=high\"]", NULL, "/usr/bin/tee",
	    "/etc/passwd");
	assert_int_equal(store_hit(c, &h, acts, 2), 0);
	assert_int_equal(outbox_last_rows(c->ob), 5);
	assert_true(c->kicks > 0);
	/* event and its rows in one transaction: flush commits both */
	assert_int_equal(q_int(c, "SELECT count(*) FROM events"), 1);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "event_id=1"), 5);
	assert_q_str(c, "canary_http|http://canary.invalid/a|pending|high|",
	    "SELECT kind||'|'||target||'|'||state||'|'||severity||'|'||"
	    "receiver FROM outbox WHERE id=1");
	assert_q_str(c, "canary_dns|abc.canary.invalid",
	    "SELECT kind||'|'||target FROM outbox WHERE id=2");
	assert_q_str(c, "ops-slack|etc|slack|pending",
	    "SELECT receiver||'|'||route||'|'||kind||'|'||state"
	    " FROM outbox WHERE id=3");
	assert_q_str(c, idem(c, 3), "SELECT idem_key FROM outbox WHERE id=3");
	assert_q_str(c, "oncall|etc|sms", "SELECT receiver||'|'||route||'|'"
	    "||kind FROM outbox WHERE id=4");
	assert_q_str(c, "hook|all|webhook", "SELECT receiver||'|'||route||'|'"
	    "||kind FROM outbox WHERE id=5");
	/* the payload holds what the job needs */
	assert_q_str(c, "[high] etc-writes: /usr/bin/tee __x64_sys_openat "
	    "/etc/passwd", "SELECT json_extract(payload, '$.title') FROM "
	    "outbox WHERE id=3");
	assert_q_str(c, "x", "SELECT json_extract(payload, "
	    "'$.event.process_kprobe.policy_name') FROM outbox WHERE id=5");
	assert_int_equal(q_int(c, "SELECT instr(json_extract(payload, "
	    "'$.text'), 'parent: 1 /bin/bash') > 0 FROM outbox WHERE id=4"), 1);
	/* the alerts view shows only the action rows */
	assert_int_equal(q_int(c, "SELECT count(*) FROM alerts"), 2);

	/* a policy event no route takes (route "all" takes every policy
	 * event, so take it out) */
	c->cfg.nroutes = 1;
	h = mkhit("other", NULL, NULL, "/bin/x", "");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	assert_int_equal(outbox_last_rows(c->ob), 0);
	assert_int_equal(outbox_stats(c->ob)->unrouted, 1);
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_unrouted'"), 1);
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_queued'"), 5);
	assert_int_equal(q_int(c, "SELECT count(*) FROM events"), 2);

	/* no alerts file: actions still become jobs, nothing is unrouted */
	outbox_set_config(c->ob, NULL);
	assert_int_equal(store_hit(c, &h, acts, 1), 0);
	assert_int_equal(outbox_last_rows(c->ob), 1);
	assert_int_equal(outbox_stats(c->ob)->unrouted, 1);
}

/* ---- delivery, retry, dead letter ---- */

static void
test_delivery(void **state)
{
	struct ctx		*c = *state;
	struct al_route		*rt;
	struct outbox_hit	 h;
	static char		*r1[] = { "ops-slack" };
	struct store_alert	 act = { "geturl", "http://canary.invalid/" };
	uint64_t		 ms, created;

	rt = cfg_route(&c->cfg, "r");
	rt->receivers = r1;
	rt->nreceivers = 1;
	ob_open(c);
	h = mkhit("p", "[\"severity=medium\"]", NULL, "/bin/cat", "/etc/x");

	/* no notifier channel yet: jobs stay pending */
	assert_int_equal(store_hit(c, &h, &act, 1), 0);
	ms = outbox_run(c->ob);
	assert_int_equal(c->njobs, 0);
	assert_int_equal(ms, 1000);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='pending'"), 2);

	outbox_peer_up(c->ob);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	assert_int_equal(c->jobs[0].id, 1);
	assert_int_equal(c->jobs[0].attempt, 1);
	assert_string_equal(c->jobs[0].receiver, "");
	assert_string_equal(c->jobs[0].kind, "canary_http");
	assert_string_equal(c->jobs[0].target, "http://canary.invalid/");
	assert_string_equal(c->jobs[1].receiver, "ops-slack");
	assert_string_equal(c->jobs[1].kind, "slack");
	assert_string_equal(c->jobs[1].idem, idem(c, 2));
	assert_string_equal(c->jobs[1].severity, "medium");
	assert_int_equal(c->jobs[1].count, 1);
	assert_string_equal(c->jobs[1].title,
	    "[medium] p: /bin/cat __x64_sys_openat /etc/x");
	assert_non_null(strstr(c->jobs[1].text, "process: 42 /bin/cat"));
	assert_string_equal(c->jobs[1].event_json,
	    "{\"process_kprobe\":{\"policy_name\":\"x\"}}");
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='inflight' AND attempts=1"), 2);
	/* running again sends nothing more */
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);

	/* delivered */
	c->now += 2 * MS;
	result(c, 1, IPC_ALERT_DELIVERED, 200, 0, "HTTP 200");
	assert_q_str(c, "delivered", "SELECT state FROM outbox WHERE id=1");
	assert_int_equal(q_int(c, "SELECT delivered IS NOT NULL FROM outbox "
	    "WHERE id=1"), 1);
	assert_q_str(c, "1|delivered|200|HTTP 200|1.5",
	    "SELECT attempt||'|'||status||'|'||code||'|'||detail||'|'||"
	    "duration_ms FROM deliveries WHERE outbox_id=1");
	/* a second result for it: unknown, ignored */
	{
		struct ipc_alert_result r = { 1, 0, 200, 0, 0, (char *)"" };

		assert_int_equal(outbox_result(c->ob, &r), ERR_NOTFOUND);
		r.job_id = 999;
		assert_int_equal(outbox_result(c->ob, &r), ERR_NOTFOUND);
		assert_int_equal(outbox_stats(c->ob)->unknown_results, 2);
	}

	/* temporary failure: backoff 1 s (rnd = factor 1.0) */
	result(c, 2, IPC_ALERT_RETRY, 500, 0, "HTTP 500");
	assert_q_str(c, "pending|HTTP 500", "SELECT state||'|'||last_error "
	    "FROM outbox WHERE id=2");
	assert_int_equal(q_int(c, "SELECT next_attempt_ns FROM outbox WHERE "
	    "id=2"), (long long)(c->now + 1000 * MS));
	c->now += 999 * MS;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	c->now += 1 * MS;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 3);
	assert_int_equal(c->jobs[2].id, 2);
	assert_int_equal(c->jobs[2].attempt, 2);
	assert_string_equal(c->jobs[2].idem, idem(c, 2));	/* stable */

	/* 429 with Retry-After 30 s: later than the 2 s backoff */
	result(c, 2, IPC_ALERT_RETRY, 429, 30000, "HTTP 429");
	assert_int_equal(q_int(c, "SELECT next_attempt_ns FROM outbox WHERE "
	    "id=2"), (long long)(c->now + 30000 * MS));
	assert_int_equal(q_int(c, "SELECT count(*) FROM deliveries WHERE "
	    "outbox_id=2 AND status='retry'"), 2);
	c->now += 30000 * MS;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 4);
	assert_int_equal(c->jobs[3].attempt, 3);

	/* permanent: dead letter with the reason */
	result(c, 2, IPC_ALERT_PERMANENT, 404, 0, "HTTP 404 Not Found");
	assert_q_str(c, "dead|HTTP 404 Not Found|3", "SELECT state||'|'||"
	    "last_error||'|'||attempts FROM outbox WHERE id=2");
	assert_q_str(c, "dead", "SELECT status FROM deliveries WHERE "
	    "outbox_id=2 ORDER BY id DESC LIMIT 1");
	assert_int_equal(outbox_stats(c->ob)->delivered, 1);
	assert_int_equal(outbox_stats(c->ob)->retried, 2);
	assert_int_equal(outbox_stats(c->ob)->dead, 1);
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_delivered'"), 1);
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_dead'"), 1);

	/* older than max_age: a failure makes it dead "expired" */
	created = c->now;
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 5);
	c->now = created + 3600 * SEC;
	result(c, c->jobs[4].id, IPC_ALERT_RETRY, 0, 0, "connect: refused");
	assert_q_str(c, "dead|expired (last: connect: refused)",
	    "SELECT state||'|'||last_error FROM outbox WHERE id=%llu",
	    (unsigned long long)c->jobs[4].id);
	assert_q_str(c, "failed", "SELECT status FROM deliveries WHERE "
	    "outbox_id=%llu", (unsigned long long)c->jobs[4].id);
	/* and a pending one that old is never sent */
	c->now = created;
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	c->now = created + 3600 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 5);
	assert_q_str(c, "dead|expired (never delivered)",
	    "SELECT state||'|'||last_error FROM outbox ORDER BY id DESC");

	/* a job the notifier never answers: retried after 3 x timeout + 5 s */
	c->now = T0;
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 6);
	c->now += 7999 * MS;
	outbox_run(c->ob);
	assert_int_equal(outbox_stats(c->ob)->timeouts, 0);
	c->now += 1 * MS;
	outbox_run(c->ob);
	assert_int_equal(outbox_stats(c->ob)->timeouts, 1);
	assert_q_str(c, "pending|no answer from notifierd", "SELECT state||'|'"
	    "||last_error FROM outbox WHERE id=%llu",
	    (unsigned long long)c->jobs[5].id);
}

/* ---- circuit breaker, in-flight limit, rate limit ---- */

static void
test_circuit(void **state)
{
	struct ctx		*c = *state;
	struct al_route		*rt;
	struct outbox_hit	 h;
	static char		*r1[] = { "hook" };
	size_t			 i;

	rt = cfg_route(&c->cfg, "r");
	rt->receivers = r1;
	rt->nreceivers = 1;
	ob_open(c);
	outbox_peer_up(c->ob);
	h = mkhit("p", NULL, NULL, "/bin/cat", "");
	for (i = 0; i < 5; i++)
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	/* max_inflight 2 */
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	assert_string_equal(outbox_circuit(c->ob, "hook"), "closed");
	/* two failures in a row (circuit.failures 2): open */
	result(c, 1, IPC_ALERT_RETRY, 503, 0, "HTTP 503");
	assert_string_equal(outbox_circuit(c->ob, "hook"), "closed");
	result(c, 2, IPC_ALERT_RETRY, 503, 0, "HTTP 503");
	assert_string_equal(outbox_circuit(c->ob, "hook"), "open");
	/* nothing goes out while open (30 s), though jobs are due */
	c->now += 29 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	/* half-open: exactly one probe */
	c->now += 1 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 3);
	assert_string_equal(outbox_circuit(c->ob, "hook"), "half-open");
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 3);
	/* the probe fails: open again */
	result(c, c->jobs[2].id, IPC_ALERT_RETRY, 0, 0, "timeout");
	assert_string_equal(outbox_circuit(c->ob, "hook"), "open");
	c->now += 29 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 3);
	c->now += 1 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 4);
	/* the probe succeeds: closed, the rest flows (2 at a time) */
	result(c, c->jobs[3].id, IPC_ALERT_DELIVERED, 200, 0, "");
	assert_string_equal(outbox_circuit(c->ob, "hook"), "closed");
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 6);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='inflight'"), 2);
	result(c, c->jobs[4].id, IPC_ALERT_DELIVERED, 200, 0, "");
	result(c, c->jobs[5].id, IPC_ALERT_DELIVERED, 200, 0, "");
	jobs_reset(c);

	/* rate limit: 2 per 10 s (1 row left + 4 new) */
	c->cfg.receivers[2].rl_count = 2;
	c->cfg.receivers[2].rl_per_ms = 10000;
	c->cfg.max_inflight = 100;
	for (i = 0; i < 4; i++)
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	c->now += 1 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	result(c, c->jobs[0].id, IPC_ALERT_DELIVERED, 200, 0, "");
	result(c, c->jobs[1].id, IPC_ALERT_DELIVERED, 200, 0, "");
	c->now += 10 * SEC - 1;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	c->now += 1;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 4);
}

/* ---- grouping ---- */

static void
test_grouping(void **state)
{
	struct ctx		*c = *state;
	struct al_route		*rt;
	struct outbox_hit	 h;
	static char		*r1[] = { "ops-slack" };
	static char		*gb[] = { "policy", "binary" };
	uint64_t		 t0 = T0, leader;
	size_t			 i;

	rt = cfg_route(&c->cfg, "g");
	rt->receivers = r1;
	rt->nreceivers = 1;
	rt->group_by = gb;
	rt->ngroup_by = 2;
	rt->group_wait_ms = 10000;
	rt->group_interval_ms = 60000;
	rt->repeat_interval_ms = 3600000;
	ob_open(c);
	outbox_peer_up(c->ob);

	/* 3 hits of one group, one of another binary */
	h = mkhit("p", NULL, NULL, "/bin/cat", "a");
	for (i = 0; i < 3; i++)
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	h.binary = "/bin/dd";
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='waiting' AND next_attempt_ns=%llu",
	    (unsigned long long)(t0 + 10 * SEC)), 4);
	assert_q_str(c, "[\"p\",\"/bin/cat\"]", "SELECT group_key FROM outbox "
	    "WHERE id=1");
	/* group_wait */
	c->now = t0 + 10 * SEC - 1;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 0);
	c->now = t0 + 10 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	assert_int_equal(c->jobs[0].id, 1);
	assert_int_equal(c->jobs[0].count, 3);
	assert_true(c->jobs[0].event_json[0] == '[');
	assert_int_equal(q_int(c, "SELECT json_array_length('%s')",
	    c->jobs[0].event_json), 3);
	assert_non_null(strstr(c->jobs[0].text, "3 hits grouped by policy, "
	    "binary"));
	assert_non_null(strstr(c->jobs[0].text, "--- 3/3 ---"));
	assert_non_null(strstr(c->jobs[0].title, "(+2 more)"));
	assert_int_equal(c->jobs[1].count, 1);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='merged' AND merged_into=1"), 2);
	assert_int_equal(q_int(c, "SELECT count FROM outbox WHERE id=1"), 3);
	leader = c->jobs[0].id;
	result(c, leader, IPC_ALERT_DELIVERED, 200, 0, "");
	result(c, c->jobs[1].id, IPC_ALERT_DELIVERED, 200, 0, "");

	/* a new kind of hit within group_interval waits for the next tick */
	c->now = t0 + 20 * SEC;
	h = mkhit("p", NULL, NULL, "/bin/cat", "b");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	c->now = t0 + 70 * SEC - 1;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	c->now = t0 + 70 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 3);
	assert_int_equal(c->jobs[2].id, 5);
	assert_int_equal(c->jobs[2].count, 1);
	assert_true(c->jobs[2].event_json[0] == '{');
	result(c, 5, IPC_ALERT_DELIVERED, 200, 0, "");

	/* the same hit again, after group_interval: group_wait, then
	 * suppressed (unchanged group inside repeat_interval), folded into
	 * the last job */
	c->now = t0 + 200 * SEC;
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	c->now = t0 + 210 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 3);
	assert_int_equal(outbox_stats(c->ob)->suppressed, 1);
	assert_q_str(c, "merged|5", "SELECT state||'|'||merged_into FROM "
	    "outbox WHERE id=6");
	assert_int_equal(q_int(c, "SELECT count FROM outbox WHERE id=5"), 2);
	/* after repeat_interval the same hit is notified again */
	c->now = t0 + 70 * SEC + 3600 * SEC;
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	c->now += 10 * SEC;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 4);
	result(c, c->jobs[3].id, IPC_ALERT_DELIVERED, 200, 0, "");

	/* critical bypasses group_wait */
	h = mkhit("p", "[\"severity=critical\"]", NULL, "/bin/cat", "z");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	assert_q_str(c, "pending", "SELECT state FROM outbox ORDER BY id "
	    "DESC");
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 5);
	assert_string_equal(c->jobs[4].severity, "critical");
	result(c, c->jobs[4].id, IPC_ALERT_DELIVERED, 200, 0, "");

	/* no group_by: every hit its own job at once */
	rt->ngroup_by = 0;
	h = mkhit("p", NULL, NULL, "/bin/cat", "a");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 7);
}

/* ---- durability: restart, new notifier channel ---- */

static void
test_restart(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h;
	struct store_alert	 act[] = {
		{ "geturl", "http://canary.invalid/1" },
		{ "dnslookup", "x.canary.invalid" },
	};

	ob_open(c);
	outbox_peer_up(c->ob);
	h = mkhit("p", NULL, NULL, "/bin/cat", "");
	assert_int_equal(store_hit(c, &h, act, 2), 0);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='inflight'"), 2);

	/* the notifier is replaced: both jobs again, same attempt */
	outbox_peer_down(c->ob);
	outbox_peer_up(c->ob);
	assert_int_equal(c->njobs, 4);
	assert_int_equal(c->jobs[2].id, 1);
	assert_int_equal(c->jobs[2].attempt, 1);
	assert_string_equal(c->jobs[2].idem, c->jobs[0].idem);
	assert_int_equal(outbox_stats(c->ob)->resent, 2);
	/* a full socket on re-send: back to pending, sent by the scheduler */
	c->send_rc = ERR_AGAIN;
	outbox_peer_up(c->ob);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='pending'"), 2);
	assert_int_equal(outbox_run(c->ob), 20);
	c->send_rc = 0;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 6);
	assert_int_equal(c->jobs[4].attempt, 2);
	/* a broken channel stops sending until the next one */
	result(c, 1, IPC_ALERT_RETRY, 0, 0, "x");	/* again in 2 s */
	c->now += 3 * SEC;
	c->send_rc = ERR_SYS;
	outbox_run(c->ob);
	c->send_rc = 0;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 6);

	/* the collector stops with a job in flight and starts again */
	ob_close(c);
	ob_open(c);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='inflight'"), 0);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='pending'"), 2);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 6);	/* no channel yet */
	outbox_peer_up(c->ob);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 8);
	/* everything a job needs came from the DB (id 2 had no deadline
	 * left: first) */
	assert_int_equal(c->jobs[6].id, 2);
	assert_string_equal(c->jobs[6].kind, "canary_dns");
	assert_string_equal(c->jobs[6].target, "x.canary.invalid");
	assert_string_equal(c->jobs[6].idem, idem(c, 2));
	assert_string_equal(c->jobs[6].event_json,
	    "{\"process_kprobe\":{\"policy_name\":\"x\"}}");
	/* bad messages from the peer are only counted */
	outbox_bad_msg(c->ob);
	assert_int_equal(outbox_stats(c->ob)->bad_msgs, 1);
	/* a result with an unknown status is a temporary failure */
	{
		struct ipc_alert_result r = { 2, 9, 0, 0, 0, (char *)"?" };

		assert_int_equal(outbox_result(c->ob, &r), 0);
		assert_int_equal(outbox_stats(c->ob)->bad_msgs, 2);
		assert_q_str(c, "pending", "SELECT state FROM outbox WHERE "
		    "id=2");
	}
}

/* ---- fairness: a flood on one route, a critical hit on another ---- */

/* Answer every job sent so far with status; forget them. */
static void
answer_all(struct ctx *c, uint32_t status)
{
	size_t	 i;

	for (i = 0; i < c->njobs; i++)
		result(c, c->jobs[i].id, status, status ==
		    IPC_ALERT_DELIVERED ? 200 : 503, 0, "");
	jobs_reset(c);
}

static void
flood_cfg(struct ctx *c)
{
	struct al_route		*rt;
	static char		*r1[] = { "hook" };
	static char		*r2[] = { "oncall" };
	static char		*p1[] = { "flood" };
	static char		*p2[] = { "crit" };

	rt = cfg_route(&c->cfg, "flood");
	rt->policies = p1;
	rt->npolicies = 1;
	rt->receivers = r1;
	rt->nreceivers = 1;
	rt = cfg_route(&c->cfg, "crit");
	rt->policies = p2;
	rt->npolicies = 1;
	rt->receivers = r2;
	rt->nreceivers = 1;
}

#define FLOOD	100000

static void
test_fair_flood(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h;
	uint64_t		 folded = FLOOD - (OUTBOX_BACKLOG_MAX - 1), sum;
	size_t			 i, hook_jobs = 0, summaries = 0;

	flood_cfg(c);
	ob_open(c);
	outbox_peer_up(c->ob);
	/* the flooded route's sink fails: its circuit opens (2 failures) */
	h = mkhit("flood", NULL, NULL, "/bin/cat", "/etc/x");
	for (i = 0; i < FLOOD; i++) {
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
		if ((i + 1) % 1000 != 0)
			continue;
		outbox_run(c->ob);	/* as the event loop does */
		answer_all(c, IPC_ALERT_RETRY);
		assert_true(q_int(c, "SELECT count(*) FROM outbox WHERE "
		    "state='pending' AND receiver='hook'") <=
		    OUTBOX_BACKLOG_MAX);
	}
	assert_string_equal(outbox_circuit(c->ob, "hook"), "open");

	/* a critical hit on the other route goes out at once */
	h = mkhit("crit", "[\"severity=critical\"]", NULL, "/bin/sh", "x");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 1);
	assert_string_equal(c->jobs[0].receiver, "oncall");
	assert_string_equal(c->jobs[0].severity, "critical");
	answer_all(c, IPC_ALERT_DELIVERED);

	/* the flood kept cap jobs; the rest is one summary, counted */
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='pending' AND receiver='hook'"), OUTBOX_BACKLOG_MAX);
	assert_int_equal(outbox_stats(c->ob)->summaries, 1);
	assert_int_equal(outbox_stats(c->ob)->folded, folded);
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_folded'"), (long long)folded);
	sum = (uint64_t)q_int(c, "SELECT id FROM outbox WHERE receiver='hook'"
	    " AND count > 1");
	assert_int_equal(q_int(c, "SELECT count FROM outbox WHERE id=%llu",
	    (unsigned long long)sum), (long long)folded);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='merged' AND merged_into=%llu", (unsigned long long)sum),
	    (long long)folded - 1);

	/* the sink is back: the kept jobs and the summary are delivered */
	c->now += 31 * SEC;
	for (i = 0; i < 2 * OUTBOX_BACKLOG_MAX; i++) {
		outbox_run(c->ob);
		if (c->njobs == 0)
			break;
		hook_jobs += c->njobs;
		if (c->jobs[0].id == sum) {
			summaries++;
			assert_int_equal(c->jobs[0].count, folded);
			assert_non_null(strstr(c->jobs[0].title, "99001 more "
			    "alerts for hook"));
			assert_non_null(strstr(c->jobs[0].event_json,
			    "\"alerts\":99001"));
		}
		answer_all(c, IPC_ALERT_DELIVERED);
	}
	assert_int_equal(summaries, 1);
	assert_int_equal(hook_jobs, OUTBOX_BACKLOG_MAX);
	assert_q_str(c, "delivered", "SELECT state FROM outbox WHERE id=%llu",
	    (unsigned long long)sum);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state IN ('pending', 'inflight')"), 0);
}

/* Within one destination the most urgent job goes first. */
static void
test_fair_severity(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h;
	size_t			 i;

	flood_cfg(c);
	c->cfg.routes[0].severity_mask = 0;
	ob_open(c);
	h = mkhit("flood", NULL, NULL, "/bin/cat", "");
	for (i = 0; i < 10; i++)
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	h = mkhit("flood", "[\"severity=critical\"]", NULL, "/bin/cat", "");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	outbox_peer_up(c->ob);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);	/* max_inflight */
	assert_int_equal(c->jobs[0].id, 11);
	assert_string_equal(c->jobs[0].severity, "critical");
	assert_int_equal(c->jobs[1].id, 1);
}

/* n hits on the flooded route, then one scheduler run. */
static void
flood_hits(struct ctx *c, size_t n)
{
	struct outbox_hit	 h = mkhit("flood", NULL, NULL, "/bin/cat", "x");
	size_t			 i;

	for (i = 0; i < n; i++)
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	outbox_run(c->ob);
	assert_true(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='pending' AND receiver='hook'") <= OUTBOX_BACKLOG_MAX);
}

/* Every hit is told once: by its own job or in a live summary's counts
 * (alerts, hits, by severity: the flood's hits are info). */
static void
assert_told(struct ctx *c, long long hits)
{
	static const char *const what[] = { "alerts", "severity.info" };
	size_t	 i;

	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		assert_int_equal(q_int(c, "SELECT sum(IFNULL(json_extract("
		    "payload, '$.event.tripline_summary.%s'), 1)) FROM outbox"
		    " WHERE receiver='hook' AND state <> 'merged'", what[i]),
		    hits);
	assert_int_equal(q_int(c, "SELECT sum(count) FROM outbox WHERE "
	    "receiver='hook' AND state <> 'merged'"), hits);
	/* the meta counter: the alerts the live summaries stand for */
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_folded'"), q_int(c, "SELECT sum(json_extract("
	    "payload, '$.event.tripline_summary.alerts')) FROM outbox WHERE "
	    "receiver='hook' AND state <> 'merged'"));
}

/* The open summary's id (the one pending row with count > 1). */
static uint64_t
summary_id(struct ctx *c)
{
	return (uint64_t)q_int(c, "SELECT id FROM outbox WHERE receiver="
	    "'hook' AND state='pending' AND count > 1");
}

/* A summary folded again (unsent, after a collector restart; or sent and
 * failed) brings every alert it stands for into the new summary. */
static void
test_fair_refold(void **state)
{
	struct ctx	*c = *state;
	uint64_t	 s2;
	size_t		 i, j;
	int		 sent = 0;

	flood_cfg(c);
	ob_open(c);
	flood_hits(c, OUTBOX_BACKLOG_MAX + 500);
	assert_told(c, OUTBOX_BACKLOG_MAX + 500);

	/* restart: the unsent summary is folded into the next one */
	ob_close(c);
	c->now += SEC;
	ob_open(c);
	flood_hits(c, 500);
	assert_told(c, OUTBOX_BACKLOG_MAX + 1000);

	/* the sink answers until the summary goes out and fails */
	s2 = summary_id(c);
	outbox_peer_up(c->ob);
	c->now += SEC;
	for (i = 0; i < 2 * OUTBOX_BACKLOG_MAX && !sent; i++) {
		outbox_run(c->ob);
		for (j = 0; j < c->njobs; j++) {
			sent |= c->jobs[j].id == s2;
			result(c, c->jobs[j].id, c->jobs[j].id == s2 ?
			    IPC_ALERT_RETRY : IPC_ALERT_DELIVERED, 200, 0, "");
		}
		jobs_reset(c);
	}
	assert_true(sent);
	/* a new flood: the failed summary (retrying) is folded too */
	flood_hits(c, 1500);
	assert_q_str(c, "merged", "SELECT state FROM outbox WHERE id=%llu",
	    (unsigned long long)s2);
	assert_told(c, OUTBOX_BACKLOG_MAX + 2500);
}

/* ---- idempotency keys ---- */

static void
test_idem_salt(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h = mkhit("p", NULL, NULL, "/bin/cat", "");
	struct store_alert	 act = { "geturl", "http://canary.invalid/" };
	char			 k1[128], k2[128], k3[128];

	/* two fresh databases: row 1 has different keys */
	ob_open(c);
	assert_int_equal(store_hit(c, &h, &act, 1), 0);
	strlcpy(k1, idem(c, 1), sizeof(k1));
	assert_q_str(c, k1, "SELECT idem_key FROM outbox WHERE id=1");
	assert_int_equal(strlen(k1), strlen("tl-n1--1") + 16);
	ob_close(c);
	assert_int_equal(unlink(c->db), 0);
	ob_open(c);
	assert_int_equal(store_hit(c, &h, &act, 1), 0);
	strlcpy(k2, idem(c, 1), sizeof(k2));
	assert_q_str(c, k2, "SELECT idem_key FROM outbox WHERE id=1");
	assert_string_not_equal(k1, k2);
	/* the salt belongs to the database: kept across a restart */
	ob_close(c);
	ob_open(c);
	assert_int_equal(store_hit(c, &h, &act, 1), 0);
	strlcpy(k3, idem(c, 2), sizeof(k3));
	assert_q_str(c, k3, "SELECT idem_key FROM outbox WHERE id=2");
	assert_memory_equal(k2, k3, strlen(k2) - 1);
}

/* A commit that fails before the send: nothing is sent. */
static void
test_commit_fail(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h = mkhit("p", NULL, NULL, "/bin/cat", "");
	struct store_alert	 act = { "geturl", "http://canary.invalid/" };
	uint64_t		 errs;

	ob_open(c);
	outbox_peer_up(c->ob);
	assert_int_equal(store_hit(c, &h, &act, 1), 0);
	errs = outbox_stats(c->ob)->db_errors;
	fail_commit = 1;
	assert_int_equal(outbox_run(c->ob), 1000);
	fail_commit = 0;
	assert_int_equal(c->njobs, 0);
	assert_int_equal(outbox_stats(c->ob)->db_errors, errs + 1);
	/* committed at the next run, then sent */
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 1);
	assert_q_str(c, "inflight", "SELECT state FROM outbox WHERE id=1");
}

/* ---- Retry-After from the notifier ---- */

static void
test_retry_after(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h = mkhit("p", NULL, NULL, "/bin/cat", "");
	struct store_alert	 act = { "geturl", "http://canary.invalid/" };

	assert_int_equal(outbox_backoff_ms(1000, 8000, 1, 0, UINT64_MAX),
	    OUTBOX_RETRY_AFTER_MAX_MS);
	assert_int_equal(outbox_backoff_ms(1000, 8000, 1, 0, 7200000),
	    OUTBOX_RETRY_AFTER_MAX_MS);
	assert_true(outbox_backoff_ms(1000, UINT64_MAX, 200, 0xffffffffU,
	    UINT64_MAX) <= OUTBOX_DELAY_MAX_MS * 12 / 10);
	assert_true(outbox_backoff_ms(UINT64_MAX, UINT64_MAX, 1, 0, 0) >=
	    OUTBOX_DELAY_MAX_MS * 8 / 10);

	c->cfg.retry_max_age_ms = 24 * 3600 * 1000;
	ob_open(c);
	outbox_peer_up(c->ob);
	assert_int_equal(store_hit(c, &h, &act, 1), 0);
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 1);
	result(c, 1, IPC_ALERT_RETRY, 429, UINT64_MAX, "HTTP 429");
	assert_int_equal(q_int(c, "SELECT next_attempt_ns FROM outbox WHERE "
	    "id=1"), (long long)(c->now + OUTBOX_RETRY_AFTER_MAX_MS * MS));
	c->now += OUTBOX_RETRY_AFTER_MAX_MS * MS - 1;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 1);
	c->now += 1;
	outbox_run(c->ob);
	assert_int_equal(c->njobs, 2);
}

/* ---- grouping: keyed hash, bounded table ---- */

static void
test_siphash(void **state)
{
	/* the reference vectors: key 00..0f, messages 00..(n-1) */
	const uint64_t	 k[2] = { 0x0706050403020100ULL,
			    0x0f0e0d0c0b0a0908ULL };
	uint8_t		 m[64];
	size_t		 i;

	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	assert_int_equal(outbox_siphash(k, m, 0), 0x726fdb47dd0e0e31ULL);
	assert_int_equal(outbox_siphash(k, m, 7), 0xab0200f58b01d137ULL);
	assert_int_equal(outbox_siphash(k, m, 8), 0x93f5f5799a932462ULL);
	assert_int_equal(outbox_siphash(k, m, 15), 0xa129ca6149be45e5ULL);
	assert_int_equal(outbox_siphash(k, m, 63), 0x958a324ceb064572ULL);
}

static void
test_fingerprint_keyed(void **state)
{
	struct ctx		*c = *state;
	struct outbox_hit	 h = mkhit("p", NULL, NULL, "/bin/cat", "a");
	struct outbox		*other;
	struct outbox_hooks	 hk;
	char			 a[20], b[20], o[20];

	ob_open(c);
	outbox_fingerprint(c->ob, &h, a, sizeof(a));
	outbox_fingerprint(c->ob, &h, b, sizeof(b));
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 16);
	memset(&hk, 0, sizeof(hk));
	hk.now = fake_now;
	hk.send = fake_send;
	hk.arg = c;
	other = outbox_new(c->st, &hk);
	outbox_fingerprint(other, &h, o, sizeof(o));
	outbox_free(other);
	/* another process, another key: nobody can aim at a fingerprint */
	assert_string_not_equal(a, o);
	h.call_args = "b";
	outbox_fingerprint(c->ob, &h, b, sizeof(b));
	assert_string_not_equal(a, b);
}

static void
test_groups_cap(void **state)
{
	struct ctx		*c = *state;
	struct al_route		*rt;
	struct outbox_hit	 h;
	static char		*r1[] = { "ops-slack" };
	static char		*gb[] = { "binary" };
	char			 bin[32];
	size_t			 i, n = OUTBOX_GROUPS_MAX + 100;

	rt = cfg_route(&c->cfg, "g");
	rt->receivers = r1;
	rt->nreceivers = 1;
	rt->group_by = gb;
	rt->ngroup_by = 1;
	rt->group_wait_ms = 10000;
	ob_open(c);
	h = mkhit("p", NULL, NULL, bin, "");
	for (i = 0; i < n; i++) {
		snprintf(bin, sizeof(bin), "/bin/x%zu", i);
		assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	}
	/* the table holds the cap and one overflow group */
	assert_int_equal(outbox_stats(c->ob)->groups, OUTBOX_GROUPS_MAX + 1);
	assert_int_equal(outbox_stats(c->ob)->group_overflow, 100);
	assert_int_equal(q_int(c, "SELECT value FROM meta WHERE "
	    "key='alerts_group_overflow'"), 100);
	assert_int_equal(q_int(c, "SELECT count(DISTINCT group_key) FROM "
	    "outbox"), OUTBOX_GROUPS_MAX + 1);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "group_key='" OUTBOX_GROUP_OVERFLOW "'"), 100);

	/* later hits find their group: its due time, not a new one */
	c->now += 5 * SEC;
	snprintf(bin, sizeof(bin), "/bin/x%d", 7);
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	snprintf(bin, sizeof(bin), "/bin/new");
	assert_int_equal(store_hit(c, &h, NULL, 0), 0);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "group_key='[\"/bin/x7\"]' AND next_attempt_ns=%llu",
	    (unsigned long long)(T0 + 10 * SEC)), 2);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "group_key='" OUTBOX_GROUP_OVERFLOW "' AND next_attempt_ns=%llu",
	    (unsigned long long)(T0 + 10 * SEC)), 101);
	assert_int_equal(outbox_stats(c->ob)->group_overflow, 101);

	/* flushed (64 groups a run) and idle: the table empties */
	c->now = T0 + 10 * SEC;
	for (i = 0; i < n / 64 + 2; i++)
		outbox_run(c->ob);
	/* every hit is in one job (groups, then the backlog cap's
	 * summary) */
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='waiting'"), 0);
	assert_int_equal(q_int(c, "SELECT sum(count) FROM outbox WHERE "
	    "state='pending'"), (long long)n + 2);
	assert_int_equal(q_int(c, "SELECT count(*) FROM outbox WHERE "
	    "state='pending'"), OUTBOX_BACKLOG_MAX);
	c->now += 5 * 3600 * SEC;
	outbox_run(c->ob);
	assert_int_equal(outbox_stats(c->ob)->groups, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_route_match),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_circuit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grouping, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fair_flood, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fair_severity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fair_refold, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idem_salt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_fail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retry_after, setup,
		    teardown),
		cmocka_unit_test(test_siphash),
		cmocka_unit_test_setup_teardown(test_fingerprint_keyed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_groups_cap, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
