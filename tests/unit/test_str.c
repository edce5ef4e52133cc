/* tests/unit/test_str.c -- escaping, sbuf, JSON strings, base64, ISO time. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log.h"
#include "str.h"

static void
test_escape(void **state)
{
	char	 out[64];
	size_t	 n;

	n = str_escape(out, sizeof(out), "a\nb\tc\r\\d\x01\xff~ ", 12);
	assert_string_equal(out, "a\\nb\\tc\\r\\\\d\\x01\\xff~ ");
	assert_int_equal(n, strlen(out));
	/* embedded NUL is escaped, not a terminator */
	n = str_escape(out, sizeof(out), "a\0b", 3);
	assert_string_equal(out, "a\\x00b");
	/* escape sequences are never cut in half */
	n = str_escape(out, 5, "ab\x01", 3);
	assert_string_equal(out, "ab");
	assert_int_equal(n, 2);
	n = str_escape(out, 1, "abc", 3);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(str_escape(out, 0, "abc", 3), 0);
	/* ESC sequences cannot reach a terminal */
	str_escape(out, sizeof(out), "\x1b[2J", 4);
	assert_string_equal(out, "\\x1b[2J");
}

static void
test_sbuf(void **state)
{
	struct sbuf sb;
	int	 i;

	sbuf_init(&sb);
	sbuf_adds(&sb, "abc");
	sbuf_addc(&sb, '-');
	sbuf_add(&sb, "xyz", 2);
	sbuf_addf(&sb, "%d/%s", 42, "q");
	assert_string_equal(sb.buf, "abc-xy42/q");
	assert_int_equal(sb.len, 10);
	sbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	for (i = 0; i < 1000; i++)
		sbuf_addf(&sb, "%04d", i);
	assert_int_equal(sb.len, 4000);
	assert_memory_equal(sb.buf + 3996, "0999", 4);
	assert_int_equal(sb.buf[4000], '\0');
	sbuf_clear(&sb);
	assert_null(sb.buf);
	sbuf_clear(&sb);		/* twice is fine */
}

static void
json(const char *in, size_t len, const char *want)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_add_json_str(&sb, in, len);
	assert_string_equal(sb.buf, want);
	sbuf_clear(&sb);
}

#define J(in, want)	json(in, sizeof(in) - 1, want)

static void
test_json_str(void **state)
{
	J("", "\"\"");
	J("plain text", "\"plain text\"");
	J("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	J("\n\t\r", "\"\\n\\t\\r\"");
	J("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	J("a\0b", "\"a\\u0000b\"");
	/* valid UTF-8 passes through */
	J("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	J("\xe2\x82\xac", "\"\xe2\x82\xac\"");		/* euro sign */
	J("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");	/* U+1F600 */
	/* ...but C1 and bidi controls are escaped */
	J("\xc2\x85\xe2\x80\xae", "\"\\u0085\\u202e\"");
	/* invalid UTF-8: each bad byte becomes U+FFFD */
	J("\xff", "\"\\ufffd\"");
	J("a\x80z", "\"a\\ufffdz\"");
	J("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	J("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong */
	J("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	J("\xf4\x90\x80\x80",
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	J("\xe2\x82", "\"\\ufffd\\ufffd\"");		/* truncated */
	J("\xc3", "\"\\ufffd\"");
	J("\xc3\xa9\xc3", "\"\xc3\xa9\\ufffd\"");
	/* length is honoured, not the NUL */
	json("abcdef", 3, "\"abc\"");
}

/* C1 and bidi controls (and every other non-ASCII byte) are escaped for
 * logs and terminals: str_escape, sbuf_add_esc and the log lines. */
static void
test_escape_unicode_ctrl(void **state)
{
	static const char in[] = "a\xe2\x80\xae" "b\xc2\x85" "c\xc2\x9b" "2J";
	char		 out[128], path[] = "/tmp/tripline-log.XXXXXX";
	struct sbuf	 sb;
	ssize_t		 n;
	int		 fd, saved;

	str_escape(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out, "a\\xe2\\x80\\xaeb\\xc2\\x85" "c\\xc2\\x9b2J");
	sbuf_init(&sb);
	sbuf_adds(&sb, "<");
	sbuf_add_esc(&sb, in, sizeof(in) - 1);
	sbuf_add_esc(&sb, "\x1b\xff\xff\xff", 4);	/* 4x growth */
	assert_string_equal(sb.buf, "<a\\xe2\\x80\\xaeb\\xc2\\x85"
	    "c\\xc2\\x9b2J\\x1b\\xff\\xff\\xff");
	sbuf_clear(&sb);

	/* a log line carrying them, as collectord writes it to stderr */
	assert_true((fd = mkstemp(path)) >= 0);
	unlink(path);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_init(1, 0);
	log_procinit("t");
	log_warnx("file %s", in);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, sizeof(out) - 1);
	close(fd);
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "t: file a\\xe2\\x80\\xaeb\\xc2\\x85"
	    "c\\xc2\\x9b2J\n");
}

static void
term(const char *in, size_t len, const char *want)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	sbuf_adds(&sb, "");
	sbuf_add_term(&sb, in, len);
	assert_string_equal(sb.buf, want);
	sbuf_clear(&sb);
}

#define T(in, want)	term(in, sizeof(in) - 1, want)

static void
test_term(void **state)
{
	/* multi-line text keeps its lines, columns and UTF-8 */
	T("name  x\n\tcaf\xc3\xa9 \\ \xe2\x82\xac\n", "name  x\n\tcaf\xc3\xa9 \\ \xe2\x82\xac\n");
	/* what could drive or fool a terminal does not */
	T("\x1b[2J\r\b\x7f", "\\x1b[2J\\x0d\\x08\\x7f");
	T("\xc2\x85\xc2\x9b\xc2\xa0", "\\u0085\\u009b\xc2\xa0");
	T("\xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f\xd8\x9c\xe2\x80\xa8",
	    "\\u202e\\u2066\\u200f\\u061c\\u2028");
	T("\xff\xc3", "\\xff\\xc3");
	T("a\0b", "a\\x00b");
}

static void
b64(const char *in, const char *want)
{
	char	 out[64];
	size_t	 n;

	n = base64_encode(out, sizeof(out), in, strlen(in));
	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
}

static void
test_base64(void **state)
{
	char	 out[16];

	/* RFC 4648 section 10 */
	b64("", "");
	b64("f", "Zg==");
	b64("fo", "Zm8=");
	b64("foo", "Zm9v");
	b64("foob", "Zm9vYg==");
	b64("fooba", "Zm9vYmE=");
	b64("foobar", "Zm9vYmFy");
	/* a Tetragon-style exec_id */
	b64("node1:123456789:42", "bm9kZTE6MTIzNDU2Nzg5OjQy");
	/* all 64 symbols and binary input */
	{
		const unsigned char bin[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10,
		    0x83 };

		assert_int_equal(base64_encode(out, sizeof(out), bin,
		    sizeof(bin)), 8);
		assert_string_equal(out, "+/+/ABCD");
	}
	/* exact size needed: 4*((len+2)/3)+1 */
	assert_int_equal(base64_encode(out, 9, "foobar", 6), 8);
	assert_int_equal(base64_encode(out, 8, "foobar", 6), (size_t)-1);
	assert_int_equal(base64_encode(out, 0, "", 0), (size_t)-1);
	assert_int_equal(base64_encode(out, 1, "", 0), 0);
}

static void
test_iso_time(void **state)
{
	char	 out[40];

	str_iso_time(out, sizeof(out), 0);
	assert_string_equal(out, "1970-01-01T00:00:00.000000000Z");
	str_iso_time(out, sizeof(out), 1700000000123456789ULL);
	assert_string_equal(out, "2023-11-14T22:13:20.123456789Z");
	str_iso_time(out, sizeof(out), 951782400000000001ULL);	/* leap day */
	assert_string_equal(out, "2000-02-29T00:00:00.000000001Z");
	str_iso_time(out, sizeof(out), 4102444799999999999ULL);
	assert_string_equal(out, "2099-12-31T23:59:59.999999999Z");
	assert_int_equal(strlen(out), 30);
}

/* The formatter against gmtime_r + strftime, over the whole range. */
static void
test_iso_time_range(void **state)
{
	static const uint64_t edges[] = {
		0, 999999999ULL, 1000000000ULL, 86399999999999ULL,
		68169599999999999ULL, 68169600000000000ULL,	/* 1972 leap */
		951868799999999999ULL,				/* 2000-02-29 */
		4107542399999999999ULL,				/* 2100-02-28 */
		4107542400000000000ULL, UINT64_MAX,
	};
	char		 out[40], want[64], date[32];
	uint64_t	 v = 88172645463325252ULL, ns;
	struct tm	 tm;
	time_t		 t;
	size_t		 i;

	for (i = 0; i < 200000 + sizeof(edges) / sizeof(*edges); i++) {
		if (i < sizeof(edges) / sizeof(*edges))
			ns = edges[i];
		else {
			v ^= v << 13;
			v ^= v >> 7;
			v ^= v << 17;
			/* every day of the range, and the seconds of a few */
			ns = i % 2 ? v : v % 4200000000ULL * 1000000000ULL;
		}
		t = (time_t)(ns / 1000000000ULL);
		assert_non_null(gmtime_r(&t, &tm));
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.%09lluZ", date,
		    (unsigned long long)(ns % 1000000000ULL));
		str_iso_time(out, sizeof(out), ns);
		assert_string_equal(out, want);
	}
	/* cut short like snprintf */
	str_iso_time(out, 11, 0);
	assert_string_equal(out, "1970-01-01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_unicode_ctrl),
		cmocka_unit_test(test_term),
		cmocka_unit_test(test_sbuf),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_iso_time),
		cmocka_unit_test(test_iso_time_range),
	};

	return cmocka_run_group_tests_name("str", tests, NULL, NULL);
}
