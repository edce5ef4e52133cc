/*
 * tests/fuzz/fuzz_event_json.c -- the notifier's check of the event JSON
 * a webhook body embeds (notify_event_json_ok, notifierd/guard.c): the
 * collector's text, refused unless it is "", one JSON object or an array
 * of objects, strict RFC 8259 with valid UTF-8, bounded in size and depth.
 *
 * Input: the text (up to its first NUL).  Besides not crashing, what is
 * accepted must hold up against independent checks: every byte is valid
 * UTF-8, no control byte but JSON white space, brackets outside strings
 * balance within the depth bound, a document starts with '{' or '[' and
 * cutting its last byte or adding one more makes it refused.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notifierd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t	 cp;
	size_t		 len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* What an accepted text must be, checked without the checker's code. */
static void
check_accepted(const unsigned char *s, size_t n)
{
	size_t	 i, k, a = 0, b = n;
	int	 depth = 0, in_str = 0;

	for (i = 0; i < n; i += k) {
		if ((k = utf8_len(s + i, n - i)) == 0)
			abort();
		if (s[i] < 0x20 && !is_ws(s[i]))
			abort();
		if (in_str) {
			if (s[i] == '\\')
				k = 2;	/* an escape: the next byte is ASCII */
			else if (s[i] == '"')
				in_str = 0;
			else if (s[i] < 0x20)
				abort();
		} else if (s[i] == '"')
			in_str = 1;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > NOTIFY_EVENT_JSON_DEPTH)
				abort();
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth < 0)
				abort();
		}
	}
	if (in_str || depth != 0)
		abort();
	while (a < n && is_ws(s[a]))
		a++;
	while (b > a && is_ws(s[b - 1]))
		b--;
	if (a == b)
		return;		/* no event */
	if ((s[a] != '{' && s[a] != '[') || (s[b - 1] != '}' &&
	    s[b - 1] != ']'))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*s, *t;
	size_t	 n;

	if (len > NOTIFY_EVENT_JSON_MAX + 16)
		return 0;
	s = malloc(len + 2);
	if (s == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	n = strlen(s);
	if (!notify_event_json_ok(s)) {
		free(s);
		return 0;
	}
	check_accepted((const unsigned char *)s, n);
	t = s + strspn(s, " \t\r\n");
	if (*t != '\0') {
		/* one byte more or less after the closing bracket: refused */
		memcpy(s + n, "}", 2);
		if (notify_event_json_ok(s))
			abort();
		n = strlen(t) - 1;	/* without the '}' just added */
		while (n > 0 && is_ws((unsigned char)t[n - 1]))
			n--;
		t[n - 1] = '\0';
		if (notify_event_json_ok(s))
			abort();
	}
	free(s);
	return 0;
}
