/*
 * tests/unit/test_forward.c -- the syslog forwarder's pure parts: the RFC
 * 5424 rendering of an events row (PRI, header, structured-data escaping,
 * the size cap) and the severity of an event; and what it skips, as
 * drops rows of a real store.
 */
#include "build.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "collectord/forward.h"
#include "collectord/store.h"
#include "collectord/store_forward.h"
#include "ipc_msg.h"
#include "str.h"
#include "tests/lib/testutil.h"

static const struct forward_config cfg = {
	.facility = 16, .app_name = "tripline", .node = "web-1",
	.max_backlog = 10,
};

static struct store_fwd_row
row(void)
{
	struct store_fwd_row r;

	memset(&r, 0, sizeof(r));
	r.id = 42;
	r.time = "2024-05-01T10:11:12.123456789Z";
	r.type = "process_kprobe";
	r.policy = "no-shadow";
	r.function = "__x64_sys_openat";
	r.action = "KPROBE_ACTION_SIGKILL";
	r.pid = 1234;
	r.uid = 1000;
	r.binary = "/usr/bin/cat";
	r.exec_id = "d2ViLTE6MTox";
	r.args = "[{\"string_arg\":\"/etc/shadow\"}]";
	return r;
}

static void
test_format(void **state)
{
	struct store_fwd_row r = row();
	struct sbuf	 sb;

	sbuf_init(&sb);
	forward_format(&sb, &cfg, &r);
	sbuf_addc(&sb, '\0');
	/* local0 (16) * 8 + warning (4) */
	assert_string_equal(sb.buf, "<132>1 2024-05-01T10:11:12.123456Z "
	    "web-1 tripline - process_kprobe [tripline@32473 id=\"42\" "
	    "type=\"process_kprobe\" node=\"web-1\" policy=\"no-shadow\" "
	    "function=\"__x64_sys_openat\" action=\"KPROBE_ACTION_SIGKILL\" "
	    "pid=\"1234\" uid=\"1000\" binary=\"/usr/bin/cat\" "
	    "exec_id=\"d2ViLTE6MTox\"] {\"id\":42,\"time\":"
	    "\"2024-05-01T10:11:12.123456789Z\",\"type\":\"process_kprobe\","
	    "\"node\":\"web-1\",\"policy\":\"no-shadow\",\"function\":"
	    "\"__x64_sys_openat\",\"action\":\"KPROBE_ACTION_SIGKILL\","
	    "\"process\":{\"pid\":1234,\"uid\":1000,\"binary\":"
	    "\"/usr/bin/cat\",\"exec_id\":\"d2ViLTE6MTox\"},\"args\":"
	    "\"[{\\\"string_arg\\\":\\\"/etc/shadow\\\"}]\"}");
	sbuf_clear(&sb);
}

/* '"', '\' and ']' in a PARAM-VALUE are escaped; control bytes too. */
static void
test_sd_escaping(void **state)
{
	struct store_fwd_row r = row();
	struct sbuf	 sb;

	r.binary = "/tmp/a\"b]c\\d\ne";
	sbuf_init(&sb);
	forward_format(&sb, &cfg, &r);
	sbuf_addc(&sb, '\0');
	assert_non_null(strstr(sb.buf,
	    " binary=\"/tmp/a\\\"b\\]c\\\\d\\\\ne\" "));
	sbuf_clear(&sb);
}

static void
test_severity(void **state)
{
	struct store_fwd_row r = row();

	assert_int_equal(forward_severity(&r), 4);
	r.action = "KPROBE_ACTION_POST";
	assert_int_equal(forward_severity(&r), 5);
	r.policy = NULL;
	r.type = "process_exec";
	assert_int_equal(forward_severity(&r), 6);
	r.type = "events_lost";
	assert_int_equal(forward_severity(&r), 3);
}

/* Over FORWARD_MSG_MAX: the variable parts go, "truncated" says so. */
static void
test_cap(void **state)
{
	struct store_fwd_row r = row();
	static char	 big[FORWARD_MSG_MAX * 2];
	struct sbuf	 sb;

	memset(big, 'x', sizeof(big) - 1);
	r.args = big;
	sbuf_init(&sb);
	forward_format(&sb, &cfg, &r);
	assert_true(sb.len <= FORWARD_MSG_MAX);
	sbuf_addc(&sb, '\0');
	assert_non_null(strstr(sb.buf, "\"truncated\":true}"));
	assert_null(strstr(sb.buf, "xxxx"));
	sbuf_clear(&sb);
}

static uint64_t	 sent_first, sent_n;

static int
send_count(void *arg, const struct ipc_syslog_msg *m)
{
	if (sent_n++ == 0)
		sent_first = m->id;
	return 0;
}

/* The first column of the first row of sql on db, as text ("" if none). */
static void
assert_q(const char *db, const char *sql, const char *want)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	const char	*v = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (const char *)sqlite3_column_text(st, 0);
	assert_string_equal(v != NULL ? v : "", want);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/*
 * Every event that will never be forwarded is a drops row: over
 * max_backlog the oldest waiting ones, in one syslog_backlog row (count,
 * total of all time, meta syslog_skipped); a message the notifier
 * refuses, a syslog_refused row.
 */
static void
test_skip_drops(void **state)
{
	char			*dir = testutil_tmpdir("forward"), db[512];
	struct store		*st;
	struct forward		*fw;
	struct store_event	 e;
	struct ipc_syslog_ack	 a;
	struct ipc_fwd_stats	 fs;
	int			 i;

	snprintf(db, sizeof(db), "%s/events.db", dir);
	assert_int_equal(store_open(&st, db, "web-1", 0, 1000), 0);
	assert_non_null(fw = forward_new(st, &cfg, send_count, NULL));
	memset(&e, 0, sizeof(e));
	e.type = "process_exec";
	for (i = 0; i < 25; i++) {
		e.time_ns = (uint64_t)i + 1;
		assert_int_equal(store_event(st, &e), 0);
	}
	assert_int_equal(store_flush(st), 0);
	forward_peer(fw, 1);
	(void)forward_pump(fw, 1);
	/* 25 waiting, max_backlog 10: ids 1-15 skipped, 16-25 sent */
	assert_int_equal(sent_first, 16);
	assert_int_equal(sent_n, 10);
	memset(&a, 0, sizeof(a));
	a.id = 16;
	a.status = IPC_SYSLOG_REFUSED;
	a.detail = (char *)"malformed";
	assert_int_equal(forward_ack(fw, &a, 2), 0);
	forward_stats(fw, &fs);
	assert_int_equal(fs.skipped, 16);
	assert_int_equal(fs.refused, 1);
	forward_checkpoint(fw);
	assert_int_equal(store_flush(st), 0);
	forward_free(fw);
	store_close(st);
	assert_q(db, "SELECT group_concat(source || ' ' || count || ' ' ||"
	    " total || ' ' || (hook_policy IS NULL), ',') FROM drops",
	    "syslog_backlog 15 15 1,syslog_refused 1 1 1");
	assert_q(db, "SELECT group_concat(kv, ',') FROM (SELECT key || '=' ||"
	    " value AS kv FROM meta WHERE key IN ('syslog_skipped',"
	    " 'syslog_refused', 'syslog_cursor') ORDER BY key)",
	    "syslog_cursor=16,syslog_refused=1,syslog_skipped=15");
	assert_q(db, "SELECT count(*) FROM events WHERE type = 'events_lost'",
	    "0");
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_sd_escaping),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_skip_drops),
	};

	return cmocka_run_group_tests_name("forward", tests, NULL, NULL);
}
