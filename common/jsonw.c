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

static void
jw_number(struct jsonw *w, int neg, uint64_t mag, int quoted)
{
	char	*d;

	jw_sep(w);
	sbuf_reserve(w->sb, 24);
	d = w->sb->buf + w->sb->len;
	if (quoted)
		*d++ = '"';
	if (neg)
		*d++ = '-';
	d = jw_put_uint(d, mag);
	if (quoted)
		*d++ = '"';
	w->sb->len = (size_t)(d - w->sb->buf);
	w->sb->buf[w->sb->len] = '\0';
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

static const char jw_hexd[] = "0123456789abcdef";

/* \uXXXX of a code point below U+10000. */
static char *
jw_put_u(char *d, uint32_t cp)
{
	d[0] = '\\';
	d[1] = 'u';
	d[2] = jw_hexd[(cp >> 12) & 0xf];
	d[3] = jw_hexd[(cp >> 8) & 0xf];
	d[4] = jw_hexd[(cp >> 4) & 0xf];
	d[5] = jw_hexd[cp & 0xf];
	return d + 6;
}

/* The escape of one byte that is neither copied nor part of a valid
 * UTF-8 sequence. */
static char *
jw_put_esc_byte(char *d, unsigned char c)
{
	char	 e;

	switch (c) {
	case '"':
	case '\\':
		e = (char)c;
		break;
	case '\n':
		e = 'n';
		break;
	case '\t':
		e = 't';
		break;
	case '\r':
		e = 'r';
		break;
	default:
		return jw_put_u(d, c >= 0x80 ? 0xfffd : c);
	}
	d[0] = '\\';
	d[1] = e;
	return d + 2;
}

/*
 * Bytes copied as is: bit 0, printable ASCII but '"' and '\\' (a string
 * literal); bit 1, printable ASCII and '\n' (JSON text).
 */
static const unsigned char jw_plain_tab[256] = {
	['\n'] = 2,
	[0x20] = 3, [0x21] = 3, ['"'] = 2, [0x23 ... 0x5b] = 3,
	['\\'] = 2, [0x5d ... 0x7e] = 3,
};

/*
 * The body of a string literal (bit 1) or JSON text (bit 2) at d: plain
 * bytes and valid UTF-8 are copied, code points str_cp_is_ctrl() names
 * become \uXXXX, other bytes their escape.  At most 6 bytes per byte.
 */
#define JW_ONES	0x0101010101010101ULL
#define JW_HIGH	0x8080808080808080ULL

/*
 * 1 if the 8 bytes at p may hold a byte that is not plain for bit (never
 * 0 when one is there): a byte below 0x20 or from 0x7f on, and for a
 * literal (bit 1) '"' or '\\'.  '\n' (plain in text) counts as not plain.
 */
static inline int
jw_word_special(uint64_t v, unsigned char bit)
{
	uint64_t	 q, b;

	/* below 0x20; from 0x7f on (the high bit, or +1 reaches it) */
	if (((v - 0x20 * JW_ONES) & ~v & JW_HIGH) != 0 ||
	    ((v | (v + JW_ONES)) & JW_HIGH) != 0)
		return 1;
	if (bit != 1)
		return 0;
	q = v ^ ('"' * JW_ONES);
	b = v ^ ('\\' * JW_ONES);
	return (((q - JW_ONES) & ~q) | ((b - JW_ONES) & ~b)) & JW_HIGH ?
	    1 : 0;
}

static char *
jw_put_body(char *d, const unsigned char *p, size_t len, unsigned char bit)
{
	size_t		 i = 0, n;
	uint32_t	 cp = 0;
	uint64_t	 v;

	while (i < len) {
		/* runs of plain bytes 8 at a time */
		while (len - i >= 8) {
			memcpy(&v, p + i, 8);
			if (jw_word_special(v, bit))
				break;
			memcpy(d, &v, 8);
			d += 8;
			i += 8;
		}
		if (i >= len)
			break;
		/* a plain tail shorter than 8 bytes at once: the last 8
		 * bytes of the string (those before the tail are plain too,
		 * so they came out as they are, just before d: written
		 * again, the same), else padded with a plain byte */
		if (len - i < 8 && len >= 8) {
			memcpy(&v, p + len - 8, 8);
			if (!jw_word_special(v, bit)) {
				memcpy(d + (len - i) - 8, &v, 8);
				d += len - i;
				break;
			}
		} else if (len - i < 8) {
			v = 'a' * JW_ONES;
			memcpy(&v, p + i, len - i);
			if (!jw_word_special(v, bit)) {
				memcpy(d, p + i, len - i);
				d += len - i;
				break;
			}
		}
		if (jw_plain_tab[p[i]] & bit) {
			*d++ = (char)p[i++];
			continue;
		}
		n = p[i] >= 0x80 ? str_utf8_seq(p + i, len - i, &cp) : 0;
		if (n != 0 && !str_cp_is_ctrl(cp)) {
			memcpy(d, p + i, n);
			d += n;
		} else if (n != 0)
			d = jw_put_u(d, cp);
		else if (bit == 2 && p[i] < 0x80)
			d = jw_put_u(d, p[i]);
		else
			d = jw_put_esc_byte(d, p[i]);
		i += n != 0 ? n : 1;
	}
	return d;
}

char *
jw_put_str(char *d, const void *s, size_t len)
{
	*d++ = '"';
	d = jw_put_body(d, s, len, 1);
	*d++ = '"';
	return d;
}

char *
jw_put_uint(char *d, uint64_t v)
{
	char	 buf[20], *p = buf + sizeof(buf);
	size_t	 n;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	n = (size_t)(buf + sizeof(buf) - p);
	memcpy(d, p, n);
	return d + n;
}

char *
jw_put_int(char *d, int64_t v)
{
	if (v < 0) {
		*d++ = '-';
		return jw_put_uint(d, (uint64_t)0 - (uint64_t)v);
	}
	return jw_put_uint(d, (uint64_t)v);
}

/* len bytes as a literal or text (bit) at the end of sb. */
static void
jw_add_body(struct sbuf *sb, const void *s, size_t len, int lit)
{
	char	*d;

	if (len > (SIZE_MAX - 3) / 6)
		fatalx("jsonw: string of %zu bytes", len);
	sbuf_reserve(sb, JW_STR_MAX(len));
	d = sb->buf + sb->len;
	d = lit ? jw_put_str(d, s, len) : jw_put_body(d, s, len, 2);
	sb->len = (size_t)(d - sb->buf);
	sb->buf[sb->len] = '\0';
}

void
jw_add_str(struct sbuf *sb, const void *s, size_t len)
{
	jw_add_body(sb, s, len, 1);
}

void
jw_sanitize(struct sbuf *sb, const void *s, size_t len)
{
	jw_add_body(sb, s, len, 0);
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
