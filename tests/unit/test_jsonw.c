/* tests/unit/test_jsonw.c -- the JSON writer: nesting, commas, numbers,
 * string escaping (edge cases and random bytes against a plain
 * byte-by-byte reference). */
#include "build.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "jsonw.h"
#include "str.h"

static void
esc(const char *in, size_t len, const char *want)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	jw_add_str(&sb, in, len);
	assert_string_equal(sb.buf, want);
	sbuf_clear(&sb);
}

#define E(in, want)	esc(in, sizeof(in) - 1, want)

static void
test_escape(void **state)
{
	E("", "\"\"");
	E("plain text", "\"plain text\"");
	E("q\"b\\s/", "\"q\\\"b\\\\s/\"");		/* '/' is kept */
	E("\n\t\r", "\"\\n\\t\\r\"");
	E("\b\f", "\"\\u0008\\u000c\"");	/* no \b \f short forms */
	E("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	E("a\0b", "\"a\\u0000b\"");
	E(" ~", "\" ~\"");
	E("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	E("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	E("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	E("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
	E("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");		/* U+FFFD itself */
	E("\xff", "\"\\ufffd\"");
	E("a\x80z", "\"a\\ufffdz\"");
	E("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong */
	E("\xc1\xbf", "\"\\ufffd\\ufffd\"");
	E("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
	E("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	E("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	E("\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	E("\xe2\x82", "\"\\ufffd\\ufffd\"");		/* cut short */
	E("\xe2\x82z", "\"\\ufffd\\ufffdz\"");
	E("\xc3\xa9\xc3", "\"\xc3\xa9\\ufffd\"");
	E("\xc3\n\xa9", "\"\\ufffd\\n\\ufffd\"");
	/* C1 controls (U+0080..U+009F) are control characters too */
	E("\xc2\x80", "\"\\u0080\"");
	E("a\xc2\x85" "b", "\"a\\u0085b\"");		/* NEL */
	E("\xc2\x9b" "2J", "\"\\u009b2J\"");		/* CSI */
	E("\xc2\x9f\xc2\xa0", "\"\\u009f\xc2\xa0\"");	/* NBSP kept */
	/* bidi controls: they reorder what a reader sees */
	E("\xe2\x80\xae", "\"\\u202e\"");		/* RLO */
	E("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	    "\"\\u202a\\u202b\\u202c\\u202d\"");
	E("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	    "\"\\u2066\\u2067\\u2068\\u2069\"");
	E("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
	    "\"\\u200e\\u200f\\u061c\"");
	/* line and paragraph separators (raw in JSON, not in JavaScript) */
	E("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	/* their neighbours stay as they are */
	E("\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b",
	    "\"\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b\"");
	/* the old name is the same escaper */
	{
		struct sbuf	 sb;

		sbuf_init(&sb);
		sbuf_add_json_str(&sb, "x\"\xff", 3);
		assert_string_equal(sb.buf, "\"x\\\"\\ufffd\"");
		sbuf_clear(&sb);
	}
}

/* The rules of jw_add_str, one byte at a time with printf: the slow form
 * the writer replaced. */
static void
ref_escape(struct sbuf *sb, const unsigned char *p, size_t len)
{
	size_t		 i, n, k;
	unsigned int	 cp, min;

	sbuf_addc(sb, '"');
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			sbuf_addf(sb, "\\%c", p[i]);
		else if (p[i] == '\n')
			sbuf_adds(sb, "\\n");
		else if (p[i] == '\t')
			sbuf_adds(sb, "\\t");
		else if (p[i] == '\r')
			sbuf_adds(sb, "\\r");
		else if (p[i] < 0x20 || p[i] == 0x7f)
			sbuf_addf(sb, "\\u%04x", p[i]);
		else if (p[i] < 0x80)
			sbuf_addc(sb, (char)p[i]);
		else {
			n = p[i] >= 0xf0 && p[i] < 0xf8 ? 4 : p[i] >= 0xe0 &&
			    p[i] < 0xf0 ? 3 : p[i] >= 0xc0 && p[i] < 0xe0 ?
			    2 : 0;
			min = n == 4 ? 0x10000 : n == 3 ? 0x800 : 0x80;
			cp = n == 0 ? 0 : p[i] & (0x7f >> n);
			for (k = 1; n > 0 && k < n; k++) {
				if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
					break;
				cp = cp << 6 | (p[i + k] & 0x3f);
			}
			if (n == 0 || k < n || cp < min || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff)) {
				sbuf_adds(sb, "\\ufffd");
				continue;
			}
			if (cp < 0xa0 || cp == 0x061c || cp == 0x200e ||
			    cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069))
				sbuf_addf(sb, "\\u%04x", cp);
			else {
				for (k = 0; k < n; k++)
					sbuf_addc(sb, (char)p[i + k]);
			}
			i += n - 1;
		}
	}
	sbuf_addc(sb, '"');
}

static void
test_escape_random(void **state)
{
	/* bytes that matter more often than uniform random gives them */
	static const unsigned char pick[] = { 0x00, 0x01, 0x09, 0x0a, 0x0d,
	    0x1f, 0x20, '"', '/', '\\', 'a', 0x7e, 0x7f, 0x80, 0xbf, 0xc0,
	    0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
	    0xff, 0xa0, 0x9f, 0x90, 0x8f, 0x85, 0x81, 0xa6, 0xa8, 0xae,
	    0x8e, 0xd8, 0x9c };
	unsigned char	 in[64];
	struct sbuf	 got, want;
	size_t		 len, i;
	int		 round;

	srandom(12);
	sbuf_init(&got);
	sbuf_init(&want);
	for (round = 0; round < 20000; round++) {
		len = (size_t)random() % sizeof(in);
		for (i = 0; i < len; i++)
			in[i] = random() % 2 ? pick[(size_t)random() %
			    sizeof(pick)] : (unsigned char)random();
		sbuf_reset(&got);
		sbuf_reset(&want);
		jw_add_str(&got, in, len);
		ref_escape(&want, in, len);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, got.len);
	}
	sbuf_clear(&got);
	sbuf_clear(&want);
}

/* Runs of plain bytes are copied 8 at a time: one byte of every value at
 * every position of a run must still come out as one at a time would. */
static void
test_escape_runs(void **state)
{
	unsigned char	 in[40];
	struct sbuf	 got, want, one;
	size_t		 len, pos, i;
	int		 c;

	sbuf_init(&got);
	sbuf_init(&want);
	sbuf_init(&one);
	for (c = 0; c < 256; c++) {
		for (len = 1; len <= sizeof(in); len += 13) {
			for (pos = 0; pos < len; pos++) {
				for (i = 0; i < len; i++)
					in[i] = (unsigned char)('a' + i % 26);
				in[pos] = (unsigned char)c;
				sbuf_reset(&got);
				sbuf_reset(&want);
				jw_add_str(&got, in, len);
				ref_escape(&want, in, len);
				assert_int_equal(got.len, want.len);
				assert_memory_equal(got.buf, want.buf,
				    got.len);
				/* text: each byte alone (ASCII around it) */
				sbuf_reset(&got);
				sbuf_reset(&want);
				jw_sanitize(&got, in, len);
				for (i = 0; i < len; i++) {
					sbuf_reset(&one);
					jw_sanitize(&one, in + i, 1);
					sbuf_add(&want, one.buf, one.len);
				}
				assert_int_equal(got.len, want.len);
				assert_memory_equal(got.buf, want.buf,
				    got.len);
			}
		}
	}
	sbuf_clear(&got);
	sbuf_clear(&want);
	sbuf_clear(&one);
}

/* No control byte (but '\n' if nl), no invalid UTF-8, no code point
 * str_cp_is_ctrl names. */
static void
assert_reader_safe(const char *s, size_t len, int nl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		 i = 0, n;
	uint32_t	 cp;

	while (i < len) {
		if (p[i] < 0x80) {
			assert_true((p[i] >= 0x20 && p[i] < 0x7f) ||
			    (nl && p[i] == '\n'));
			i++;
			continue;
		}
		n = str_utf8_seq(p + i, len - i, &cp);
		assert_true(n > 0);
		assert_false(str_cp_is_ctrl(cp));
		i += n;
	}
}

static void
sanitized(const char *in, size_t len, const char *want)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	sbuf_adds(&sb, "");
	jw_sanitize(&sb, in, len);
	assert_string_equal(sb.buf, want);
	sbuf_clear(&sb);
}

#define S(in, want)	sanitized(in, sizeof(in) - 1, want)

static void
test_sanitize(void **state)
{
	unsigned char	 in[64];
	struct sbuf	 lit, out;
	size_t		 len, i;
	int		 round;

	/* JSON syntax and what the writer makes stay as they are */
	S("{\"a\":\"q\\\"\\u0085\",\"b\":[1,null]}\n{}\n",
	    "{\"a\":\"q\\\"\\u0085\",\"b\":[1,null]}\n{}\n");
	S("\"caf\xc3\xa9 \xe2\x82\xac\"", "\"caf\xc3\xa9 \xe2\x82\xac\"");
	/* raw controls in a line someone else wrote */
	S("{\"a\":\"x\xe2\x80\xaey\x1b[2J\xc2\x85\"}\n",
	    "{\"a\":\"x\\u202ey\\u001b[2J\\u0085\"}\n");
	S("\t\r\x7f\xc2\x9b\xe2\x81\xa6\xd8\x9c",
	    "\\u0009\\u000d\\u007f\\u009b\\u2066\\u061c");
	S("\xff\xc3", "\\ufffd\\ufffd");

	/* random bytes: a string literal of them passes unchanged, and
	 * whatever the input, the output is safe for a terminal */
	srandom(14);
	sbuf_init(&lit);
	sbuf_init(&out);
	for (round = 0; round < 20000; round++) {
		len = (size_t)random() % sizeof(in);
		for (i = 0; i < len; i++)
			in[i] = (unsigned char)random();
		if (round % 2)
			for (i = 0; i < len; i++)
				in[i] = "\xc2\x85\xe2\x80\xae\x1b\n\xd8"
				    "\x9c\x81\xa6\xff"[random() % 12];
		sbuf_reset(&lit);
		sbuf_reset(&out);
		jw_add_str(&lit, in, len);
		assert_reader_safe(lit.buf, lit.len, 0);
		jw_sanitize(&out, lit.buf, lit.len);
		assert_int_equal(out.len, lit.len);
		assert_memory_equal(out.buf, lit.buf, lit.len);
		sbuf_reset(&out);
		jw_sanitize(&out, in, len);
		assert_reader_safe(out.buf, out.len, 1);
	}
	sbuf_clear(&lit);
	sbuf_clear(&out);
}

static void
test_nesting(void **state)
{
	struct sbuf	 sb;
	struct jsonw	 w;

	sbuf_init(&sb);
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_kstr(&w, "a", "x");
	jw_karr(&w, "b");
	jw_int(&w, 1);
	jw_obj(&w);
	jw_end(&w);
	jw_arr(&w);
	jw_end(&w);
	jw_str(&w, NULL);
	jw_end(&w);
	jw_kobj(&w, "c");
	jw_kobj(&w, "d");
	jw_end(&w);
	jw_kbool(&w, "e", 1);
	jw_end(&w);
	jw_kstr_opt(&w, "skip", "");
	jw_kstr_opt(&w, "skip2", NULL);
	jw_kstr_opt(&w, "f", "y");
	jw_knull(&w, "g");
	jw_kraw(&w, "h", "[1,2]");
	jw_kstrn(&w, "i", "abc", 2);
	jw_end(&w);
	assert_int_equal(w.depth, 0);
	assert_string_equal(sb.buf, "{\"a\":\"x\",\"b\":[1,{},[],null],"
	    "\"c\":{\"d\":{},\"e\":true},\"f\":\"y\",\"g\":null,"
	    "\"h\":[1,2],\"i\":\"ab\"}");

	/* appended after what the buffer holds; keys are escaped */
	sbuf_reset(&sb);
	sbuf_adds(&sb, "x\n");
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_kuint(&w, "k\"", 1);
	jw_end(&w);
	assert_string_equal(sb.buf, "x\n{\"k\\\"\":1}");

	/* values at the top level are a list */
	sbuf_reset(&sb);
	jw_init(&w, &sb);
	jw_bool(&w, 0);
	jw_null(&w);
	jw_raw(&w, "{}");
	jw_rawn(&w, "123", 1);
	assert_string_equal(sb.buf, "false,null,{},1");
	sbuf_clear(&sb);
}

static void
test_numbers(void **state)
{
	struct sbuf	 sb;
	struct jsonw	 w;
	char		 want[256];

	sbuf_init(&sb);
	jw_init(&w, &sb);
	jw_arr(&w);
	jw_int(&w, 0);
	jw_int(&w, -1);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_uint(&w, 0);
	jw_uint(&w, UINT64_MAX);
	jw_int_str(&w, -42);
	jw_uint_str(&w, 18446744073709551615ULL);
	jw_uint_str(&w, 0);
	jw_end(&w);
	snprintf(want, sizeof(want), "[0,-1,%" PRId64 ",%" PRId64 ",0,%" PRIu64
	    ",\"-42\",\"18446744073709551615\",\"0\"]", INT64_MIN, INT64_MAX,
	    UINT64_MAX);
	assert_string_equal(sb.buf, want);

	sbuf_reset(&sb);
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_kint(&w, "a", -7);
	jw_kuint(&w, "b", 4294967295U);
	jw_end(&w);
	assert_string_equal(sb.buf, "{\"a\":-7,\"b\":4294967295}");
	sbuf_clear(&sb);
}

static int
collect(const char *v, void *arg)
{
	struct sbuf	*sb = arg;

	sbuf_adds(sb, v);
	sbuf_addc(sb, '|');
	return strcmp(v, "stop") == 0 ? 7 : 0;
}

static void
test_strings_each(void **state)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	assert_int_equal(jw_strings_each(" [ \"a\" , \"b\\\"c\\u00e9\\/\" ]",
	    collect, &sb), 0);
	assert_string_equal(sb.buf, "a|b\"c\xc3\xa9/|");
	sbuf_reset(&sb);
	assert_int_equal(jw_strings_each("[\"x\",\"stop\",\"y\"]", collect,
	    &sb), 7);
	assert_string_equal(sb.buf, "x|stop|");
	sbuf_reset(&sb);
	/* malformed: what came before the error is seen, then 0 */
	assert_int_equal(jw_strings_each("[\"x\",\"\\q\"]", collect, &sb), 0);
	assert_string_equal(sb.buf, "x|");
	assert_int_equal(jw_strings_each("{}", collect, &sb), 0);
	assert_int_equal(jw_strings_each(NULL, collect, &sb), 0);
	assert_string_equal(sb.buf, "x|");
	sbuf_clear(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_random),
		cmocka_unit_test(test_escape_runs),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings_each),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
