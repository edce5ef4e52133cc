/* common/str.c */
#include "build.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "str.h"
#include "xmalloc.h"

size_t
str_escape(char *dst, size_t dstsz, const char *src, size_t len)
{
	size_t	 o = 0, i;
	char	 tmp[5];
	const char *add;
	size_t	 n;

	if (dstsz == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\n')
			add = "\\n";
		else if (c == '\t')
			add = "\\t";
		else if (c == '\r')
			add = "\\r";
		else if (c == '\\')
			add = "\\\\";
		else if (c >= 0x20 && c < 0x7f) {
			tmp[0] = (char)c;
			tmp[1] = '\0';
			add = tmp;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			add = tmp;
		}
		n = strlen(add);
		if (o + n >= dstsz)
			break;
		memcpy(dst + o, add, n);
		o += n;
	}
	dst[o] = '\0';
	return o;
}

size_t
str_utf8_seq(const void *str, size_t len, uint32_t *cpp)
{
	const unsigned char *s = str;
	size_t		 n, i;
	uint32_t	 cp;

	if (len == 0)
		return 0;
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
	*cpp = cp;
	return n;
}

int
str_cp_is_ctrl(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

void
sbuf_init(struct sbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void
sbuf_clear(struct sbuf *sb)
{
	free(sb->buf);
	sbuf_init(sb);
}

void
sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

void
sbuf_reserve(struct sbuf *sb, size_t more)
{
	size_t	 need = sb->len + more + 1, ncap;

	if (need <= sb->cap)
		return;
	ncap = sb->cap ? sb->cap : 256;
	while (ncap < need)
		ncap *= 2;
	sb->buf = xreallocarray(sb->buf, ncap, 1);
	sb->cap = ncap;
}

void
sbuf_add(struct sbuf *sb, const void *p, size_t len)
{
	sbuf_reserve(sb, len);
	if (len > 0)
		memcpy(sb->buf + sb->len, p, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void
sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* The escaper lives with the JSON writer; this name stays for callers
 * that write JSON by hand. */
void
sbuf_add_json_str(struct sbuf *sb, const char *s, size_t len)
{
	jw_add_str(sb, s, len);
}

void
sbuf_add_term(struct sbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		 i = 0, n;
	uint32_t	 cp;

	while (i < len) {
		if (p[i] == '\n' || p[i] == '\t' ||
		    (p[i] >= 0x20 && p[i] < 0x7f)) {
			sbuf_addc(sb, (char)p[i++]);
			continue;
		}
		if ((n = str_utf8_seq(p + i, len - i, &cp)) == 0) {
			sbuf_addf(sb, "\\x%02x", p[i++]);
			continue;
		}
		if (str_cp_is_ctrl(cp))
			sbuf_addf(sb, "\\u%04x", (unsigned int)cp);
		else
			sbuf_add(sb, p + i, n);
		i += n;
	}
}

void
sbuf_add_esc(struct sbuf *sb, const char *s, size_t len)
{
	size_t	 room;

	/* str_escape writes at most 4 bytes per input byte */
	if (len > (SIZE_MAX - 1) / 4)
		len = (SIZE_MAX - 1) / 4;
	room = len * 4 + 1;
	sbuf_reserve(sb, room);
	sb->len += str_escape(sb->buf + sb->len, room, s, len);
}

size_t
base64_encode(char *dst, size_t dstsz, const void *src, size_t len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = src;
	size_t	 o = 0, i;
	size_t	 need = 4 * ((len + 2) / 3) + 1;

	if (dstsz < need)
		return (size_t)-1;
	for (i = 0; i + 2 < len; i += 3) {
		dst[o++] = tbl[s[i] >> 2];
		dst[o++] = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		dst[o++] = tbl[((s[i + 1] & 0xf) << 2) | (s[i + 2] >> 6)];
		dst[o++] = tbl[s[i + 2] & 0x3f];
	}
	if (i < len) {
		dst[o++] = tbl[s[i] >> 2];
		if (i + 1 < len) {
			dst[o++] = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			dst[o++] = tbl[(s[i + 1] & 0xf) << 2];
		} else {
			dst[o++] = tbl[(s[i] & 3) << 4];
			dst[o++] = '=';
		}
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;
}

/* Two decimal digits of v (< 100) at d. */
static char *
str_put2(char *d, unsigned int v)
{
	d[0] = (char)('0' + v / 10);
	d[1] = (char)('0' + v % 10);
	return d + 2;
}

/*
 * Days since 1970-01-01 to the proleptic Gregorian date (the civil
 * calendar gmtime uses; eras of 400 years, March-based years so that
 * the leap day is the last of its year).
 */
static void
str_civil(uint64_t days, unsigned int *y, unsigned int *m, unsigned int *d)
{
	uint64_t	 z = days + 719468, era, doe, yoe, doy, mp;

	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned int)(yoe + era * 400 + (*m <= 2));
}

char *
str_iso_time_put(char *d, uint64_t unix_ns)
{
	/* the date and time of the last second rendered (events come in
	 * bursts within the same second): "YYYY-MM-DDTHH:MM:SS." */
	static __thread uint64_t last_s = UINT64_MAX;
	static __thread char	 last[20];
	uint64_t	 s = unix_ns / 1000000000ULL;
	uint32_t	 ns = (uint32_t)(unix_ns % 1000000000ULL), sod;
	unsigned int	 y, m, day;
	char		*d0 = d;
	int		 i;

	if (s == last_s) {
		memcpy(d, last, sizeof(last));
		d += sizeof(last);
		goto frac;
	}
	str_civil(s / 86400, &y, &m, &day);
	sod = (uint32_t)(s % 86400);
	/* years up to 2554 (2^64 ns): four digits */
	d = str_put2(d, y / 100);
	d = str_put2(d, y % 100);
	*d++ = '-';
	d = str_put2(d, m);
	*d++ = '-';
	d = str_put2(d, day);
	*d++ = 'T';
	d = str_put2(d, sod / 3600);
	*d++ = ':';
	d = str_put2(d, sod / 60 % 60);
	*d++ = ':';
	d = str_put2(d, sod % 60);
	*d++ = '.';
	memcpy(last, d0, sizeof(last));
	last_s = s;
frac:
	for (i = 8; i >= 0; i--) {
		d[i] = (char)('0' + ns % 10);
		ns /= 10;
	}
	d[9] = 'Z';
	return d + 10;
}

void
str_iso_time(char *dst, size_t dstsz, uint64_t unix_ns)
{
	char	 t[STR_ISO_TIME_LEN];
	size_t	 n = STR_ISO_TIME_LEN;

	if (dstsz == 0)
		return;
	str_iso_time_put(t, unix_ns);
	if (n > dstsz - 1)
		n = dstsz - 1;
	memcpy(dst, t, n);
	dst[n] = '\0';
}

int
str_is_name(const char *v, size_t maxlen)
{
	size_t	 i;

	for (i = 0; v[i] != '\0'; i++) {
		if ((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') ||
		    ((v[i] == '.' || v[i] == '-' || v[i] == '_') && i > 0))
			continue;
		return 0;
	}
	return i > 0 && i <= maxlen;
}
