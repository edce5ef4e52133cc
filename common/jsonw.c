/* common/jsonw.c -- JSON writer (see jsonw.h). */
#include "build.h"

#include <ctype.h>
#include <string.h>

#include "err.h"
#include "jsonw.h"
#include "log.h"
#include "str.h"

void
jw_init(struct jsonw *w, struct sbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
}

/* Before a value or a key: the comma, unless it is the first member or
 * the value of the key just written. */
static void
jw_sep(struct jsonw *w)
{
	uint32_t	 bit = 1U << w->depth;

	if (w->key) {
		w->key = 0;
		return;
	}
	if (w->more & bit)
		sbuf_addc(w->sb, ',');
	w->more |= bit;
}

static void
jw_open(struct jsonw *w, char c, int arr)
{
	uint32_t	 bit;

	jw_sep(w);
	sbuf_addc(w->sb, c);
	if (w->depth + 1 >= JW_DEPTH_MAX)
		fatalx("jsonw: nested deeper than %d", JW_DEPTH_MAX);
	bit = 1U << ++w->depth;
	w->more &= ~bit;
	if (arr)
		w->arr |= bit;
	else
		w->arr &= ~bit;
}

void
jw_obj(struct jsonw *w)
{
	jw_open(w, '{', 0);
}

void
jw_arr(struct jsonw *w)
{
	jw_open(w, '[', 1);
}

void
jw_end(struct jsonw *w)
{
	if (w->depth == 0)
		fatalx("jsonw: end without an open container");
	sbuf_addc(w->sb, (w->arr & (1U << w->depth)) ? ']' : '}');
	w->depth--;
	w->key = 0;
}

void
jw_key(struct jsonw *w, const char *key)
{
	jw_sep(w);
	jw_add_str(w->sb, key, strlen(key));
	sbuf_addc(w->sb, ':');
	w->key = 1;
}

void
jw_str(struct jsonw *w, const char *s)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	jw_sep(w);
	jw_add_str(w->sb, s, strlen(s));
}

void
jw_strn(struct jsonw *w, const void *s, size_t len)
{
	jw_sep(w);
	jw_add_str(w->sb, s, len);
}

/* Decimal digits of v, right-aligned in buf[24]; returns the first. */
static char *
jw_digits(char *end, uint64_t v)
{
	char	*p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

static void
jw_number(struct jsonw *w, int neg, uint64_t mag, int quoted)
{
	char	 buf[24], *end = buf + sizeof(buf), *p;

	if (quoted)
		*--end = '"';
	p = jw_digits(end, mag);
	if (neg)
		*--p = '-';
	if (quoted)
		*--p = '"';
	jw_sep(w);
	sbuf_add(w->sb, p, (size_t)(buf + sizeof(buf) - p));
}

static uint64_t
jw_abs(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

void
jw_int(struct jsonw *w, int64_t v)
{
	jw_number(w, v < 0, jw_abs(v), 0);
}

void
jw_uint(struct jsonw *w, uint64_t v)
{
	jw_number(w, 0, v, 0);
}

void
jw_int_str(struct jsonw *w, int64_t v)
{
	jw_number(w, v < 0, jw_abs(v), 1);
}

void
jw_uint_str(struct jsonw *w, uint64_t v)
{
	jw_number(w, 0, v, 1);
}

void
jw_bool(struct jsonw *w, int v)
{
	jw_raw(w, v ? "true" : "false");
}

void
jw_null(struct jsonw *w)
{
	jw_raw(w, "null");
}

void
jw_raw(struct jsonw *w, const char *json)
{
	jw_rawn(w, json, strlen(json));
}

void
jw_rawn(struct jsonw *w, const char *json, size_t len)
{
	jw_sep(w);
	sbuf_add(w->sb, json, len);
}

void
jw_kobj(struct jsonw *w, const char *key)
{
	jw_key(w, key);
	jw_obj(w);
}

void
jw_karr(struct jsonw *w, const char *key)
{
	jw_key(w, key);
	jw_arr(w);
}

void
jw_kstr(struct jsonw *w, const char *key, const char *v)
{
	jw_key(w, key);
	jw_str(w, v);
}

void
jw_kstrn(struct jsonw *w, const char *key, const void *v, size_t len)
{
	jw_key(w, key);
	jw_strn(w, v, len);
}

void
jw_kstr_opt(struct jsonw *w, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		jw_kstr(w, key, v);
}

void
jw_kint(struct jsonw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kuint(struct jsonw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void
jw_kbool(struct jsonw *w, const char *key, int v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void
jw_knull(struct jsonw *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}

void
jw_kraw(struct jsonw *w, const char *key, const char *json)
{
	jw_key(w, key);
	jw_raw(w, json);
}

/* ---- string literals ---- */

/* Length of a valid UTF-8 sequence at s (at most len bytes), 0 if it is
 * not one (overlong, surrogate, above U+10FFFF, cut short). */
static size_t
jw_utf8_seq(const unsigned char *s, size_t len)
{
	size_t		 n, i;
	unsigned int	 cp;

	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
jw_add_str(struct sbuf *sb, const void *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	size_t		 i = 0, run = 0, n;
	char		 esc[6];
	unsigned char	 c;

	sbuf_addc(sb, '"');
	while (i < len) {
		c = p[i];
		/* copied in runs: printable ASCII and valid UTF-8 */
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (n = jw_utf8_seq(p + i, len - i)) != 0) {
			i += n;
			continue;
		}
		if (i > run)
			sbuf_add(sb, p + run, i - run);
		esc[0] = '\\';
		n = 2;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		default:
			if (c >= 0x80) {
				sbuf_add(sb, "\\ufffd", 6);
				n = 0;
				break;
			}
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
			break;
		}
		if (n > 0)
			sbuf_add(sb, esc, n);
		run = ++i;
	}
	if (i > run)
		sbuf_add(sb, p + run, i - run);
	sbuf_addc(sb, '"');
}

/* ---- reading (documents we or loaderd wrote) ---- */

static int
jw_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parse the JSON string literal at *pp into sb (UTF-8); *pp moves past
 * it.  0 or ERR_PARSE.
 */
static int
jw_read_str(const char **pp, struct sbuf *sb)
{
	const char	*p = *pp;
	unsigned int	 cp;
	int		 i, h;
	char		 u[4];

	if (*p++ != '"')
		return ERR_PARSE;
	while (*p != '"') {
		if (*p == '\0')
			return ERR_PARSE;
		if (*p != '\\') {
			sbuf_addc(sb, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/':
			sbuf_addc(sb, *p);
			break;
		case 'b': sbuf_addc(sb, '\b'); break;
		case 'f': sbuf_addc(sb, '\f'); break;
		case 'n': sbuf_addc(sb, '\n'); break;
		case 'r': sbuf_addc(sb, '\r'); break;
		case 't': sbuf_addc(sb, '\t'); break;
		case 'u':
			for (cp = 0, i = 1; i <= 4; i++) {
				if ((h = jw_hex((unsigned char)p[i])) < 0)
					return ERR_PARSE;
				cp = cp << 4 | (unsigned int)h;
			}
			p += 4;
			/* surrogates are not needed for tag names: U+FFFD */
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp < 0x80)
				sbuf_addc(sb, (char)cp);
			else if (cp < 0x800) {
				u[0] = (char)(0xc0 | cp >> 6);
				u[1] = (char)(0x80 | (cp & 0x3f));
				sbuf_add(sb, u, 2);
			} else {
				u[0] = (char)(0xe0 | cp >> 12);
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f));
				sbuf_add(sb, u, 3);
			}
			break;
		default:
			return ERR_PARSE;
		}
		p++;
	}
	*pp = p + 1;
	return 0;
}

int
jw_strings_each(const char *json, int (*fn)(const char *, void *),
    void *arg)
{
	struct sbuf	 sb;
	const char	*p = json;
	int		 r = 0;

	if (json == NULL)
		return 0;
	sbuf_init(&sb);
	p += strspn(p, " \t\r\n");
	if (*p++ != '[')
		goto out;
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '"')
			break;
		sbuf_reset(&sb);
		if (jw_read_str(&p, &sb) != 0)
			break;
		if ((r = fn(sb.buf != NULL ? sb.buf : "", arg)) != 0)
			break;
		p += strspn(p, " \t\r\n");
		if (*p++ != ',')
			break;
	}
out:
	sbuf_clear(&sb);
	return r;
}
