/*
 * notifierd/guard.c -- what the notifier refuses from the collector.
 *
 * collectord has no sockets on purpose; the notifier must not become its
 * network.  Two things in a job come from it and reach the network as
 * they are: the target of a policy action (GetUrl argUrl, DnsLookup
 * argFqdn) and the event JSON a webhook body embeds.  Targets are checked
 * against the allowlist loaderd sends (IPC_NOTIFY_TARGETS: what the loaded
 * policies name); event JSON must be one bounded, well-formed JSON object
 * (or an array of them, a group) before it is inserted raw.
 * Pure functions, unit-tested (tests/unit/test_notify_format.c).
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipc_msg.h"
#include "notifierd.h"
#include "xmalloc.h"

void
notify_allow_clear(struct notify_allow *a)
{
	size_t	 i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
	a->have = 0;
}

void
notify_allow_set(struct notify_allow *a, const char *list)
{
	const char	*p, *e;
	size_t		 len;

	notify_allow_clear(a);
	a->have = 1;
	for (p = list; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		len = (size_t)(e - p);
		/* "K x": a kind letter, a space, a non-empty target */
		if (len < 3 || p[1] != ' ' || (p[0] != IPC_TARGET_URL &&
		    p[0] != IPC_TARGET_DNS))
			continue;
		a->v = xreallocarray(a->v, a->n + 1, sizeof(*a->v));
		a->v[a->n++] = xstrndup(p, len);
	}
}

/* DNS names compare without case and without one final dot. */
static int
notify_name_eq(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

int
notify_allow_has(const struct notify_allow *a, char kind, const char *target)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < a->n; i++) {
		v = a->v[i];
		if (v[0] != kind)
			continue;
		if (kind == IPC_TARGET_URL ? strcmp(v + 2, target) == 0 :
		    notify_name_eq(v + 2, target))
			return 1;
	}
	return 0;
}

/* ---- a strict JSON checker (RFC 8259), bounded ---- */

struct jchk {
	const unsigned char *p;
	int		 depth;
	int		 group;		/* top level is an array of objects */
};

static int jchk_value(struct jchk *);

static void
jchk_ws(struct jchk *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	    *j->p == '\r')
		j->p++;
}

static int
jchk_lit(struct jchk *j, const char *lit)
{
	size_t	 n = strlen(lit);

	if (strncmp((const char *)j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int
jchk_digits(struct jchk *j)
{
	if (*j->p < '0' || *j->p > '9')
		return -1;
	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	return 0;
}

static int
jchk_number(struct jchk *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (jchk_digits(j) != 0)
		return -1;
	if (*j->p == '.') {
		j->p++;
		if (jchk_digits(j) != 0)
			return -1;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (jchk_digits(j) != 0)
			return -1;
	}
	return 0;
}

/* One UTF-8 sequence of 2..4 bytes at j->p (lead byte >= 0x80): no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static int
jchk_utf8(struct jchk *j)
{
	const unsigned char *s = j->p;
	unsigned int	 cp, min;
	int		 n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 1;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 2;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 3;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	j->p += n + 1;
	return 0;
}

static int
jchk_string(struct jchk *j)
{
	int	 i;

	j->p++;		/* the opening quote */
	for (;;) {
		if (*j->p == '"') {
			j->p++;
			return 0;
		}
		if (*j->p < 0x20)	/* control character or the end */
			return -1;
		if (*j->p >= 0x80) {
			if (jchk_utf8(j) != 0)
				return -1;
			continue;
		}
		if (*j->p++ != '\\')
			continue;
		if (strchr("\"\\/bfnrt", *j->p) != NULL && *j->p != '\0') {
			j->p++;
			continue;
		}
		if (*j->p++ != 'u')
			return -1;
		for (i = 0; i < 4; i++, j->p++)
			if (strchr("0123456789abcdefABCDEF", *j->p) == NULL ||
			    *j->p == '\0')
				return -1;
	}
}

/* '{' members '}' or '[' values ']' */
static int
jchk_container(struct jchk *j, int obj)
{
	char	 close = obj ? '}' : ']';

	if (++j->depth > NOTIFY_EVENT_JSON_DEPTH)
		return -1;
	j->p++;
	jchk_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (*j->p != '"' || jchk_string(j) != 0)
				return -1;
			jchk_ws(j);
			if (*j->p++ != ':')
				return -1;
		}
		/* a group's elements are events: objects */
		if (!obj && j->group && j->depth == 1 && *j->p != '{')
			return -1;
		if (jchk_value(j) != 0)
			return -1;
		if (*j->p == ',') {
			j->p++;
			jchk_ws(j);
			continue;
		}
		if (*j->p++ != close)
			return -1;
		j->depth--;
		return 0;
	}
}

/* A value with the white space around it. */
static int
jchk_value(struct jchk *j)
{
	int	 r;

	jchk_ws(j);
	switch (*j->p) {
	case '{':
		r = jchk_container(j, 1);
		break;
	case '[':
		r = jchk_container(j, 0);
		break;
	case '"':
		r = jchk_string(j);
		break;
	case 't':
		r = jchk_lit(j, "true");
		break;
	case 'f':
		r = jchk_lit(j, "false");
		break;
	case 'n':
		r = jchk_lit(j, "null");
		break;
	default:
		r = jchk_number(j);
		break;
	}
	/* a failed check may have stepped over the terminating NUL */
	if (r == 0)
		jchk_ws(j);
	return r;
}

int
notify_event_json_ok(const char *s)
{
	struct jchk	 j;

	if (strlen(s) > NOTIFY_EVENT_JSON_MAX)
		return 0;
	j.p = (const unsigned char *)s;
	j.depth = 0;
	jchk_ws(&j);
	if (*j.p == '\0')
		return 1;		/* no event: the body says null */
	if (*j.p != '{' && *j.p != '[')
		return 0;
	j.group = *j.p == '[';
	if (jchk_value(&j) != 0 || *j.p != '\0')
		return 0;
	return 1;
}
