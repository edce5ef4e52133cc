/* tests/unit/test_decode.c -- record validation: good records decode, every
 * kind of malformed record is rejected with ERR_PARSE. */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/events.h"
#include "collectord/decode.h"
#include "err.h"

static uint8_t	 buf[sizeof(struct ev_exec) + 2 * EV_PATH_MAX + EV_ARGS_MAX +
		    64];

static size_t
mk_exec(const char *fn, size_t fnl, const char *args, size_t al,
    const char *cwd, size_t cwdl)
{
	struct ev_exec	 e;
	size_t		 len = sizeof(e) + fnl + al + cwdl;

	memset(&e, 0, sizeof(e));
	e.hdr.type = EV_EXEC;
	e.hdr.version = EV_ABI_VERSION;
	e.hdr.size = (uint32_t)len;
	e.hdr.time_ns = 1000;
	e.key.pid = 4242;
	e.key.ktime = 123456789;
	e.parent.pid = 4200;
	e.parent.ktime = 1000;
	e.tid = 4242;
	e.ppid = 4200;
	e.uid = 1000;
	e.euid = 0;
	e.auid = 1000;
	e.flags = EVF_TRUNC_ARGS;
	e.filename_len = (uint16_t)fnl;
	e.args_len = (uint16_t)al;
	e.cwd_len = (uint16_t)cwdl;
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + sizeof(e), fn, fnl);
	memcpy(buf + sizeof(e) + fnl, args, al);
	memcpy(buf + sizeof(e) + fnl + al, cwd, cwdl);
	return len;
}

static struct ev_exec *
hdr(void)
{
	return (struct ev_exec *)buf;
}

static void
test_exec_ok(void **state)
{
	struct dec_event ev;
	size_t	 len;

	len = mk_exec("/usr/bin/ls", 11, "ls\0-la\0", 7, "/tmp", 4);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	assert_int_equal(ev.type, EV_EXEC);
	assert_int_equal(ev.pid, 4242);
	assert_int_equal(ev.ktime, 123456789);
	assert_int_equal(ev.ppid_key, 4200);
	assert_int_equal(ev.pktime, 1000);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.euid, 0);
	assert_int_equal(ev.flags, EVF_TRUNC_ARGS);
	assert_int_equal(ev.filename_len, 11);
	assert_memory_equal(ev.filename, "/usr/bin/ls", 11);
	assert_int_equal(ev.args_len, 7);
	assert_memory_equal(ev.args, "ls\0-la\0", 7);
	assert_int_equal(ev.cwd_len, 4);
	assert_memory_equal(ev.cwd, "/tmp", 4);
	/* pointers are into the record */
	assert_ptr_equal(ev.filename, buf + sizeof(struct ev_exec));
}

static void
test_exec_limits_ok(void **state)
{
	static char	 path[EV_PATH_MAX], args[EV_ARGS_MAX];
	struct dec_event ev;
	size_t		 len;

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	memset(args, 'b', sizeof(args));
	len = mk_exec(path, EV_PATH_MAX, args, EV_ARGS_MAX, path,
	    EV_PATH_MAX);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	assert_int_equal(ev.filename_len, EV_PATH_MAX);
	assert_int_equal(ev.args_len, EV_ARGS_MAX);
	/* empty everything is fine too */
	len = mk_exec("", 0, "", 0, "", 0);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	/* a trailing NUL counted in a path length is tolerated and cut */
	len = mk_exec("/bin/sh\0", 8, "", 0, "/\0", 2);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	assert_int_equal(ev.filename_len, 7);
	assert_int_equal(ev.cwd_len, 1);
}

static void
expect_bad(size_t len)
{
	struct dec_event ev;

	assert_int_equal(decode_record(buf, len, &ev), ERR_PARSE);
	assert_non_null(ev.why);
}

static void
test_exec_bad(void **state)
{
	static char	 big[EV_ARGS_MAX + 8];
	size_t		 len;

	memset(big, 'x', sizeof(big));
	/* filename_len over the limit (and consistent size) */
	len = mk_exec(big, EV_PATH_MAX + 1, "", 0, "", 0);
	expect_bad(len);
	/* args_len over the limit */
	len = mk_exec("/a", 2, big, EV_ARGS_MAX + 1, "", 0);
	expect_bad(len);
	/* cwd_len over the limit */
	len = mk_exec("/a", 2, "", 0, big, EV_PATH_MAX + 1);
	expect_bad(len);
	/* lengths claim more than the record holds */
	len = mk_exec("/bin/ls", 7, "ls\0", 3, "/", 1);
	hdr()->args_len = 100;
	expect_bad(len);
	/* lengths claim less than the record holds */
	len = mk_exec("/bin/ls", 7, "ls\0", 3, "/", 1);
	hdr()->cwd_len = 0;
	expect_bad(len);
	/* 16-bit wrap attempt: huge lengths */
	len = mk_exec("/bin/ls", 7, "ls\0", 3, "/", 1);
	hdr()->filename_len = 0xffff;
	hdr()->args_len = 0xffff;
	expect_bad(len);
	/* embedded NUL in the path */
	len = mk_exec("/bin\0ls", 7, "", 0, "/", 1);
	expect_bad(len);
	len = mk_exec("/bin/ls", 7, "", 0, "/t\0p", 4);
	expect_bad(len);
	/* pid 0 */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->key.pid = 0;
	expect_bad(len);
	/* unknown flag bits */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->flags = 0x80000000;
	expect_bad(len);
	/* shorter than the fixed part, with a matching hdr.size */
	len = mk_exec("", 0, "", 0, "", 0);
	hdr()->hdr.size = sizeof(struct ev_exec) - 8;
	expect_bad(sizeof(struct ev_exec) - 8);
}

static void
test_header_bad(void **state)
{
	size_t	 len;

	/* shorter than a header */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	expect_bad(0);
	expect_bad(sizeof(struct ev_hdr) - 1);
	/* wrong version */
	hdr()->hdr.version = EV_ABI_VERSION + 1;
	expect_bad(len);
	/* hdr.size != record length (both directions) */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->hdr.size = (uint32_t)len + 8;
	expect_bad(len);
	hdr()->hdr.size = (uint32_t)len - 1;
	expect_bad(len);
	/* record longer than hdr says (padding from the ring) */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	expect_bad(len + 8);
	/* unknown type */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->hdr.type = 99;
	expect_bad(len);
	hdr()->hdr.type = 0;
	expect_bad(len);
	/* NULL */
	{
		struct dec_event ev;

		assert_int_equal(decode_record(NULL, 100, &ev), ERR_PARSE);
	}
}

static void
test_fork(void **state)
{
	struct ev_fork	 f;
	struct dec_event ev;

	memset(&f, 0, sizeof(f));
	f.hdr.type = EV_FORK;
	f.hdr.version = EV_ABI_VERSION;
	f.hdr.size = sizeof(f);
	f.key.pid = 10;
	f.key.ktime = 20;
	f.parent.pid = 5;
	f.parent.ktime = 6;
	f.tid = 10;
	f.ppid = 5;
	assert_int_equal(decode_record(&f, sizeof(f), &ev), 0);
	assert_int_equal(ev.type, EV_FORK);
	assert_int_equal(ev.pid, 10);
	assert_int_equal(ev.ktime, 20);
	assert_int_equal(ev.ppid_key, 5);
	assert_int_equal(ev.pktime, 6);
	/* wrong size */
	f.hdr.size = sizeof(f) - 8;
	assert_int_equal(decode_record(&f, sizeof(f) - 8, &ev), ERR_PARSE);
	f.hdr.size = sizeof(f);
	f.key.pid = 0;
	assert_int_equal(decode_record(&f, sizeof(f), &ev), ERR_PARSE);
}

static void
test_exit(void **state)
{
	struct ev_exit	 x;
	struct dec_event ev;

	memset(&x, 0, sizeof(x));
	x.hdr.type = EV_EXIT;
	x.hdr.version = EV_ABI_VERSION;
	x.hdr.size = sizeof(x);
	x.hdr.time_ns = 777;
	x.key.pid = 10;
	x.key.ktime = 20;
	x.code = 3;
	x.signal = 9;
	x.flags = EVF_SELF_MISS;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), 0);
	assert_int_equal(ev.type, EV_EXIT);
	assert_int_equal(ev.time_ns, 777);
	assert_int_equal(ev.code, 3);
	assert_int_equal(ev.signal, 9);
	assert_int_equal(ev.flags, EVF_SELF_MISS);
	x.code = 256;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
	x.code = 0;
	x.signal = 65;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
	x.signal = 0;
	x.flags = 0x10000;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
	x.flags = 0;
	x.hdr.size = sizeof(x) + 8;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
}

static void
test_truncated_everywhere(void **state)
{
	struct dec_event ev;
	size_t		 len, l;

	/* every prefix of a valid record (with hdr.size adjusted to match)
	 * must be rejected */
	len = mk_exec("/usr/bin/ls", 11, "ls\0-la\0", 7, "/tmp", 4);
	for (l = 0; l < len; l++) {
		if (l >= sizeof(struct ev_hdr))
			hdr()->hdr.size = (uint32_t)l;
		assert_int_equal(decode_record(buf, l, &ev), ERR_PARSE);
	}
}

static void
test_random(void **state)
{
	struct dec_event ev;
	size_t		 i, j, len;

	srandom(7);
	for (i = 0; i < 20000; i++) {
		len = (size_t)random() % 256;
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		if (len >= sizeof(struct ev_hdr) && (i & 1)) {
			hdr()->hdr.version = EV_ABI_VERSION;
			hdr()->hdr.size = (uint32_t)len;
			hdr()->hdr.type = (uint16_t)(1 + random() % 3);
		}
		if (decode_record(buf, len, &ev) == 0 && ev.type == EV_EXEC)
			assert_true(ev.filename + ev.filename_len <=
			    (const char *)buf + len &&
			    ev.cwd + ev.cwd_len <= (const char *)buf + len);
	}
}

static void
test_signame(void **state)
{
	char	 b[DEC_SIGNAME_MAX];

	assert_string_equal(decode_signame(9, b, sizeof(b)), "SIGKILL");
	assert_string_equal(decode_signame(15, b, sizeof(b)), "SIGTERM");
	assert_string_equal(decode_signame(31, b, sizeof(b)), "SIGSYS");
	assert_string_equal(decode_signame(0, b, sizeof(b)), "");
	assert_string_equal(decode_signame(36, b, sizeof(b)), "SIGRTMIN+2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_ok),
		cmocka_unit_test(test_exec_limits_ok),
		cmocka_unit_test(test_exec_bad),
		cmocka_unit_test(test_header_bad),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_signame),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
