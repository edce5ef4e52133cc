/*
 * tests/unit/test_forward.c -- the syslog forwarder's pure parts: the RFC
 * 5424 rendering of an events row (PRI, header, structured-data escaping,
 * the size cap) and the severity of an event.
 */
#include "build.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "collectord/forward.h"
#include "collectord/store_forward.h"
#include "str.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_sd_escaping),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests_name("forward", tests, NULL, NULL);
}
