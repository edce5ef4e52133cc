/*
 * notifierd/format.c -- message bodies per receiver and the reading of
 * replies (HTTP status rules, Retry-After, vonage status, SMTP codes).
 *
 * Pure functions on strings: no I/O, no libcurl, so every rule is unit
 * tested (tests/unit/test_notify_format.c).  Details written into a
 * notify_result never contain a URL, a header value or anything else from
 * the receiver's secrets; reply text from the remote side is escaped.
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "err.h"
#include "jsonw.h"
#include "notifierd.h"

void
notify_title_policy(char *dst, size_t dstsz, const char *title)
{
	const char	*p, *e;
	size_t		 n;

	dst[0] = '\0';
	if (title == NULL || title[0] != '[' ||
	    (p = strstr(title, "] ")) == NULL)
		return;
	p += 2;
	if ((e = strchr(p, ':')) == NULL)
		return;
	n = (size_t)(e - p);
	if (n == 0 || n >= dstsz || memchr(p, ' ', n) != NULL)
		return;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Length of at most max bytes of s that ends on a UTF-8 boundary. */
static size_t
notify_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int
notify_add_utf8_capped(struct sbuf *sb, const char *s, size_t max)
{
	size_t	 len = strlen(s), n;

	n = notify_utf8_cut(s, len, max);
	sbuf_add(sb, s, n);
	return n < len;
}

/* Slack mrkdwn: & < > are control characters, everything else literal. */
static void
notify_slack_escape(struct sbuf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			sbuf_adds(out, "&amp;");
			break;
		case '<':
			sbuf_adds(out, "&lt;");
			break;
		case '>':
			sbuf_adds(out, "&gt;");
			break;
		default:
			sbuf_addc(out, *s);
		}
	}
}

/* Escape s for Slack and cap at max bytes without cutting an entity or a
 * UTF-8 sequence; a cut text ends with "...". */
static void
notify_slack_capped(struct sbuf *out, const char *s, size_t max)
{
	struct sbuf	 esc;
	size_t		 n;
	char		*amp;

	sbuf_init(&esc);
	notify_slack_escape(&esc, s);
	if (esc.len <= max) {
		sbuf_add(out, esc.buf, esc.len);
		sbuf_clear(&esc);
		return;
	}
	n = max > 3 ? max - 3 : 0;
	n = notify_utf8_cut(esc.buf, esc.len, n);
	/* do not leave half an entity */
	esc.buf[n] = '\0';
	if ((amp = strrchr(esc.buf, '&')) != NULL && strchr(amp, ';') == NULL)
		n = (size_t)(amp - esc.buf);
	sbuf_add(out, esc.buf, n);
	if (max >= 3)
		sbuf_adds(out, "...");
	sbuf_clear(&esc);
}

void
notify_slack_body(struct sbuf *sb, const struct ipc_alert_job *job,
    uint32_t max_length)
{
	struct sbuf	 t, full;
	struct jsonw	 w;

	if (max_length == 0)
		max_length = 3000;
	sbuf_init(&t);
	sbuf_init(&full);

	jw_init(&w, sb);
	jw_obj(&w);
	notify_slack_capped(&t, job->title, max_length);
	jw_kstrn(&w, "text", t.buf, t.len);

	sbuf_adds(&full, "*");
	sbuf_adds(&full, job->title);
	sbuf_adds(&full, "*\n");
	sbuf_adds(&full, job->text);
	sbuf_reset(&t);
	notify_slack_capped(&t, full.buf, max_length);
	jw_karr(&w, "blocks");
	jw_obj(&w);
	jw_kstr(&w, "type", "section");
	jw_kobj(&w, "text");
	jw_kstr(&w, "type", "mrkdwn");
	jw_kstrn(&w, "text", t.buf, t.len);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	sbuf_clear(&t);
	sbuf_clear(&full);
}

void
notify_sms_text(struct sbuf *sb, const struct ipc_alert_job *job)
{
	struct sbuf	 t;

	sbuf_init(&t);
	sbuf_adds(&t, job->title);
	if (job->text[0] != '\0') {
		sbuf_addc(&t, '\n');
		sbuf_adds(&t, job->text);
	}
	notify_add_utf8_capped(sb, t.buf, NOTIFY_SMS_MAX);
	sbuf_clear(&t);
}

static void
notify_urlencode(struct sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			sbuf_addc(sb, (char)c);
		else {
			sbuf_addc(sb, '%');
			sbuf_addc(sb, hex[c >> 4]);
			sbuf_addc(sb, hex[c & 0xf]);
		}
	}
}

void
notify_form_add(struct sbuf *sb, const char *key, const char *value)
{
	if (sb->len > 0)
		sbuf_addc(sb, '&');
	notify_urlencode(sb, key);
	sbuf_addc(sb, '=');
	notify_urlencode(sb, value != NULL ? value : "");
}

void
notify_twilio_body(struct sbuf *sb, const struct al_receiver *r,
    const char *to, const char *text)
{
	notify_form_add(sb, "To", to);
	notify_form_add(sb, "From", r->from);
	notify_form_add(sb, "Body", text);
}

void
notify_vonage_body(struct sbuf *sb, const struct al_receiver *r,
    const char *to, const char *text)
{
	notify_form_add(sb, "api_key", r->api_key);
	notify_form_add(sb, "api_secret", r->api_secret);
	notify_form_add(sb, "from", r->from);
	notify_form_add(sb, "to", to);
	notify_form_add(sb, "text", text);
}

void
notify_expand(struct sbuf *sb, const char *tmpl,
    const struct ipc_alert_job *job, const char *to)
{
	static const char *const names[] = { "to", "text", "title",
	    "severity", "policy", "idem_key" };
	char		 policy[256];
	const char	*p, *e, *v;
	size_t		 i, n;

	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '{' || (e = strchr(p + 1, '}')) == NULL) {
			sbuf_addc(sb, *p);
			continue;
		}
		n = (size_t)(e - p - 1);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n &&
			    strncmp(names[i], p + 1, n) == 0)
				break;
		switch (i) {
		case 0:
			v = to != NULL ? to : "";
			break;
		case 1:
			v = job->text;
			break;
		case 2:
			v = job->title;
			break;
		case 3:
			v = job->severity;
			break;
		case 4:
			notify_title_policy(policy, sizeof(policy),
			    job->title);
			v = policy;
			break;
		case 5:
			v = job->idem_key;
			break;
		default:
			sbuf_addc(sb, *p);
			continue;
		}
		sbuf_adds(sb, v);
		p = e;
	}
}

void
notify_generic_body(struct sbuf *sb, const struct al_receiver *r,
    const struct ipc_alert_job *job, const char *to)
{
	struct sbuf	 v;
	struct jsonw	 w;
	size_t		 i;

	sbuf_init(&v);
	jw_init(&w, sb);
	if (r->json)
		jw_obj(&w);
	for (i = 0; i < r->nfields; i++) {
		sbuf_reset(&v);
		notify_expand(&v, r->fields[i].value, job, to);
		if (r->json)
			jw_kstrn(&w, r->fields[i].key, v.buf, v.len);
		else
			notify_form_add(sb, r->fields[i].key, v.buf);
	}
	if (r->json)
		jw_end(&w);
	sbuf_clear(&v);
}

void
notify_webhook_body(struct sbuf *sb, const struct ipc_alert_job *job)
{
	const char	*ev = job->event_json;
	struct jsonw	 w;

	while (*ev == ' ' || *ev == '\n' || *ev == '\t' || *ev == '\r')
		ev++;
	jw_init(&w, sb);
	jw_obj(&w);
	jw_kstr(&w, "idempotency_key", job->idem_key);
	jw_kstr(&w, "severity", job->severity);
	jw_kstr(&w, "title", job->title);
	jw_kuint(&w, "count", job->count);
	jw_kraw(&w, "event", *ev != '\0' ? ev : "null");
	jw_end(&w);
}

void
notify_webhook_signature(char *dst, const char *secret, const void *body,
    size_t len)
{
	uint8_t	 mac[NOTIFY_SHA256_LEN];

	notify_hmac_sha256(secret, strlen(secret), body, len, mac);
	memcpy(dst, "sha256=", 7);
	notify_hex(dst + 7, mac, sizeof(mac));
	explicit_bzero(mac, sizeof(mac));
}

void
notify_header_value(struct sbuf *sb, const char *v)
{
	unsigned char	 c;

	for (; *v != '\0'; v++) {
		c = (unsigned char)*v;
		sbuf_addc(sb, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
}

int
notify_email_addr_ok(const char *a)
{
	const unsigned char *p;

	if (a == NULL || *a == '\0' || strchr(a, '@') == NULL)
		return 0;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == ',' || *p == '(' || *p == ')' || *p == '"')
			return 0;
	return 1;
}

/* A header value that may hold UTF-8: sanitised, and RFC 2047 B-encoded
 * (in encoded-words of <= 45 input bytes) if it has non-ASCII bytes. */
static void
notify_header_text(struct sbuf *sb, const char *v)
{
	struct sbuf	 clean;
	char		 enc[64];
	size_t		 i, n, off;
	int		 ascii = 1;

	sbuf_init(&clean);
	notify_header_value(&clean, v);
	for (i = 0; i < clean.len; i++)
		if ((unsigned char)clean.buf[i] >= 0x80)
			ascii = 0;
	if (ascii) {
		sbuf_add(sb, clean.buf, clean.len);
		sbuf_clear(&clean);
		return;
	}
	for (off = 0; off < clean.len; off += n) {
		n = notify_utf8_cut(clean.buf + off, clean.len - off, 45);
		if (n == 0)
			n = clean.len - off < 45 ? clean.len - off : 45;
		base64_encode(enc, sizeof(enc), clean.buf + off, n);
		if (off > 0)
			sbuf_adds(sb, "\r\n ");
		sbuf_addf(sb, "=?UTF-8?B?%s?=", enc);
	}
	sbuf_clear(&clean);
}

/* Message-ID local part: atext only. */
static void
notify_msgid(struct sbuf *sb, const char *key)
{
	unsigned char	 c;

	for (; *key != '\0'; key++) {
		c = (unsigned char)*key;
		sbuf_addc(sb, isalnum(c) || strchr("-._+=", c) != NULL ?
		    (char)c : '_');
	}
}

int
notify_email_message(struct sbuf *sb, const struct al_receiver *r,
    const struct ipc_alert_job *job, time_t now)
{
	static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct sbuf	 subj;
	struct tm	 tm;
	const char	*p;
	size_t		 i, col;

	if (!notify_email_addr_ok(r->from))
		return ERR_PARSE;
	for (i = 0; i < r->nto; i++)
		if (!notify_email_addr_ok(r->to[i]))
			return ERR_PARSE;
	if (gmtime_r(&now, &tm) == NULL)
		return ERR_RANGE;

	sbuf_addf(sb, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	sbuf_addf(sb, "From: <%s>\r\n", r->from);
	sbuf_adds(sb, "To: ");
	for (i = 0; i < r->nto; i++)
		sbuf_addf(sb, "%s<%s>", i > 0 ? ",\r\n " : "", r->to[i]);
	sbuf_adds(sb, "\r\n");

	sbuf_init(&subj);
	if (r->subject_prefix != NULL && r->subject_prefix[0] != '\0') {
		sbuf_adds(&subj, r->subject_prefix);
		sbuf_addc(&subj, ' ');
	}
	notify_add_utf8_capped(&subj, job->title, 900);
	sbuf_adds(sb, "Subject: ");
	notify_header_text(sb, subj.buf);
	sbuf_clear(&subj);
	sbuf_adds(sb, "\r\nMessage-ID: <");
	notify_msgid(sb, job->idem_key);
	sbuf_adds(sb, "@tripline>\r\n");
	sbuf_adds(sb, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n");
	sbuf_adds(sb, "X-Tripline-Severity: ");
	notify_header_value(sb, job->severity);
	sbuf_adds(sb, "\r\nAuto-Submitted: auto-generated\r\n\r\n");

	/* body: every line ending becomes CRLF; lines are broken before
	 * the 998-octet SMTP limit */
	col = 0;
	for (p = job->text; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n') {
			if (*p == '\r' && p[1] == '\n')
				p++;
			sbuf_adds(sb, "\r\n");
			col = 0;
			continue;
		}
		if (col >= 990) {
			sbuf_adds(sb, "\r\n");
			col = 0;
		}
		sbuf_addc(sb, *p);
		col++;
	}
	if (col > 0 || job->text[0] == '\0')
		sbuf_adds(sb, "\r\n");
	return 0;
}

int
notify_retry_after(const char *v, time_t now, uint64_t *ms)
{
	static const char *const fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	const uint64_t	 cap = 24ULL * 3600 * 1000;
	struct tm	 tm;
	unsigned long long secs;
	const char	*end;
	char		*ep;
	time_t		 t;
	size_t		 i;

	*ms = 0;
	if (v == NULL)
		return ERR_PARSE;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		secs = strtoull(v, &ep, 10);
		while (*ep == ' ' || *ep == '\t' || *ep == '\r' || *ep == '\n')
			ep++;
		if (*ep != '\0')
			return ERR_PARSE;
		if (errno == ERANGE || secs > cap / 1000)
			*ms = cap;
		else
			*ms = secs * 1000;
		return 0;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(v, fmts[i], &tm)) == NULL)
			continue;
		while (*end == ' ' || *end == '\t' || *end == '\r' ||
		    *end == '\n')
			end++;
		if (*end != '\0')
			continue;
		if ((t = timegm(&tm)) == (time_t)-1)
			return ERR_PARSE;
		if (t > now)
			*ms = (uint64_t)(t - now) * 1000 > cap ? cap :
			    (uint64_t)(t - now) * 1000;
		return 0;
	}
	return ERR_PARSE;
}

/* Printable, single-line excerpt of a reply (bodies, SMTP text). */
static void
notify_excerpt(char *dst, size_t dstsz, const char *s, size_t len)
{
	char	 tmp[96];
	size_t	 n = len;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' '))
		n--;
	if (n > 60)
		n = 60;
	str_escape(tmp, sizeof(tmp), s, n);
	snprintf(dst, dstsz, "%s", tmp);
}

int
notify_vonage_status(const char *body, size_t len, char *status,
    size_t statussz, char *errtext, size_t errsz)
{
	const char	*p, *end = body + len, *k, *v;
	size_t		 n;
	int		 found = 0;

	status[0] = '\0';
	errtext[0] = '\0';
	if ((p = memmem(body, len, "\"messages\"", 10)) == NULL)
		return ERR_PARSE;
	p += 10;
	/* walk the first message object: "key":"value" pairs */
	if ((p = memchr(p, '{', (size_t)(end - p))) == NULL)
		return ERR_PARSE;
	for (p++; p < end && *p != '}';) {
		if (*p != '"') {
			p++;
			continue;
		}
		k = ++p;
		while (p < end && *p != '"')
			p++;
		if (p >= end)
			return ERR_PARSE;
		n = (size_t)(p - k);
		p++;
		while (p < end && (*p == ' ' || *p == ':'))
			p++;
		if (p >= end)
			return ERR_PARSE;
		if (*p != '"') {
			/* number/bool/null: skip to , or } */
			while (p < end && *p != ',' && *p != '}')
				p++;
			continue;
		}
		v = ++p;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			p++;
		}
		if (p >= end)
			return ERR_PARSE;
		if (n == 6 && strncmp(k, "status", 6) == 0) {
			snprintf(status, statussz, "%.*s", (int)(p - v), v);
			found = 1;
		} else if (n == 10 && strncmp(k, "error-text", 10) == 0)
			notify_excerpt(errtext, errsz, v, (size_t)(p - v));
		p++;
	}
	return found ? 0 : ERR_PARSE;
}

uint32_t
notify_event_pid(const char *json)
{
	const char	*p;
	unsigned long	 v;

	if (json == NULL || (p = strstr(json, "\"pid\":")) == NULL)
		return 0;
	p += 6;
	while (*p == ' ')
		p++;
	v = strtoul(p, NULL, 10);
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

void
notify_detail(struct notify_result *res, const char *prefix,
    const char *fmt, ...)
{
	char	 msg[NOTIFY_DETAIL_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res->detail[0] = '\0';
	if (prefix != NULL && prefix[0] != '\0') {
		strlcpy(res->detail, prefix, sizeof(res->detail));
		strlcat(res->detail, ": ", sizeof(res->detail));
	}
	strlcat(res->detail, msg, sizeof(res->detail));
}

static void
notify_set(struct notify_result *res, uint32_t status, uint32_t code,
    const char *prefix, const char *fmt, ...)
    __attribute__((__format__(printf, 5, 6)));
static void
notify_set(struct notify_result *res, uint32_t status, uint32_t code,
    const char *prefix, const char *fmt, ...)
{
	char	 msg[NOTIFY_DETAIL_MAX];
	va_list	 ap;

	res->status = status;
	res->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notify_detail(res, prefix, "%s", msg);
}

void
notify_http_outcome(struct notify_result *res, const struct al_receiver *r,
    long code, const char *body, size_t bodylen, const char *retry_after,
    time_t now, const char *prefix)
{
	char	 what[NOTIFY_DETAIL_MAX], ex[96], st[16], et[96];
	size_t	 i, n;
	int	 ok;

	memset(res, 0, sizeof(*res));
	res->code = (uint32_t)code;
	notify_excerpt(ex, sizeof(ex), body != NULL ? body : "",
	    body != NULL ? bodylen : 0);
	/* only Slack's reply bodies are known to be short error names; any
	 * other body could echo what we sent */
	if (r != NULL && r->kind == AL_SLACK)
		snprintf(what, sizeof(what), "HTTP %ld%s%s", code,
		    ex[0] ? " " : "", ex);
	else
		snprintf(what, sizeof(what), "HTTP %ld", code);

	if (code == 429 || code == 503) {
		if (retry_after != NULL)
			(void)notify_retry_after(retry_after, now,
			    &res->retry_after_ms);
		notify_set(res, IPC_ALERT_RETRY, (uint32_t)code, prefix, "%s",
		    what);
		return;
	}

	/* provider rules for replies that are not plain failures */
	if (r != NULL && r->kind == AL_SLACK && code == 200) {
		n = bodylen;
		while (n > 0 && isspace((unsigned char)body[n - 1]))
			n--;
		if (n == 2 && strncmp(body, "ok", 2) == 0)
			notify_set(res, IPC_ALERT_DELIVERED, 200, prefix,
			    "%s", "HTTP 200 ok");
		else
			notify_set(res, IPC_ALERT_PERMANENT, 200, prefix,
			    "%s", what);
		return;
	}
	if (r != NULL && r->kind == AL_SMS && r->provider == AL_SMS_TWILIO &&
	    code >= 200 && code < 300) {
		notify_set(res, code == 201 ? IPC_ALERT_DELIVERED :
		    IPC_ALERT_PERMANENT, (uint32_t)code, prefix, "%s",
		    code == 201 ? "HTTP 201" : what);
		return;
	}
	if (r != NULL && r->kind == AL_SMS && r->provider == AL_SMS_VONAGE &&
	    code == 200) {
		if (notify_vonage_status(body != NULL ? body : "",
		    body != NULL ? bodylen : 0, st, sizeof(st), et,
		    sizeof(et)) != 0) {
			notify_set(res, IPC_ALERT_PERMANENT, 200, prefix, "%s",
			    "vonage: unreadable reply");
			return;
		}
		if (strcmp(st, "0") == 0) {
			notify_set(res, IPC_ALERT_DELIVERED, 200, prefix,
			    "%s", "vonage status 0");
			return;
		}
		if (snprintf(what, sizeof(what), "vonage status %s%s%s", st,
		    et[0] ? ": " : "", et) < 0)
			what[0] = '\0';
		notify_set(res, strcmp(st, "1") == 0 ? IPC_ALERT_RETRY :
		    IPC_ALERT_PERMANENT, 200, prefix, "%s", what);
		return;
	}
	if (r != NULL && r->kind == AL_SMS && r->provider == AL_SMS_GENERIC &&
	    (r->nok_status > 0 || r->ok_body != NULL)) {
		ok = r->nok_status == 0 ? code >= 200 && code < 300 : 0;
		for (i = 0; i < r->nok_status; i++)
			if ((long)r->ok_status[i] == code)
				ok = 1;
		if (ok && r->ok_body != NULL && r->ok_body[0] != '\0' &&
		    (body == NULL || memmem(body, bodylen, r->ok_body,
		    strlen(r->ok_body)) == NULL)) {
			notify_set(res, IPC_ALERT_PERMANENT, (uint32_t)code,
			    prefix, "%s (success text missing)", what);
			return;
		}
		if (ok) {
			snprintf(what, sizeof(what), "HTTP %ld", code);
			notify_set(res, IPC_ALERT_DELIVERED, (uint32_t)code,
			    prefix, "%s", what);
			return;
		}
		if (code >= 200 && code < 300) {
			notify_set(res, IPC_ALERT_PERMANENT, (uint32_t)code,
			    prefix, "%s (not a success status)", what);
			return;
		}
		/* else the general rules below */
	}

	if (code >= 200 && code < 300) {
		snprintf(what, sizeof(what), "HTTP %ld", code);
		notify_set(res, IPC_ALERT_DELIVERED, (uint32_t)code, prefix,
		    "%s", what);
	} else if (code >= 500 || code == 408 || code == 425 || code < 200)
		notify_set(res, IPC_ALERT_RETRY, (uint32_t)code, prefix, "%s",
		    what);
	else
		notify_set(res, IPC_ALERT_PERMANENT, (uint32_t)code, prefix,
		    "%s", what);
}

void
notify_smtp_outcome(struct notify_result *res, long code, const char *reply,
    const char *prefix)
{
	char	 what[NOTIFY_DETAIL_MAX], ex[96];

	memset(res, 0, sizeof(*res));
	notify_excerpt(ex, sizeof(ex), reply != NULL ? reply : "",
	    reply != NULL ? strlen(reply) : 0);
	/* the reply line already starts with the code */
	if (ex[0] != '\0' && strtol(ex, NULL, 10) == code)
		snprintf(what, sizeof(what), "SMTP %s", ex);
	else
		snprintf(what, sizeof(what), "SMTP %ld%s%s", code,
		    ex[0] ? " " : "", ex);
	if (code >= 200 && code < 400)
		notify_set(res, IPC_ALERT_DELIVERED, (uint32_t)code, prefix,
		    "%s", what);
	else if (code >= 500 && code < 600)
		notify_set(res, IPC_ALERT_PERMANENT, (uint32_t)code, prefix,
		    "%s", what);
	else
		notify_set(res, IPC_ALERT_RETRY, (uint32_t)code, prefix, "%s",
		    what);
}
