/*
 * common/alerts.c -- strict parser of the alerts file (receivers, routes)
 * and its redacted form.
 *
 * The schema over the YAML walker of common/yamlutil.h: unknown keys,
 * duplicate keys, wrong scalar types and bad values are errors
 * "FILE:LINE:COL: message" (1-based, at the offending node).  The model
 * is filled only when the whole document is valid.  Secrets (passwords,
 * tokens, HMAC keys, header values, Slack webhook URLs, URLs with
 * userinfo) are noted so that alerts_load() can insist on a root-owned
 * file nobody else reads, and alerts_redact() can write the same
 * configuration with each of them replaced by "<secret>" for the
 * collector.  A redacted document says "redacted: true" at top level; only
 * there is "<secret>" accepted where a URL is expected, and alerts_load()
 * refuses such a document.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "alerts.h"
#include "compat.h"
#include "err.h"
#include "str.h"
#include "xmalloc.h"
#include "yamlutil.h"

#define AL_SECRET	"<secret>"
#define AL_MAXKEYS	16
#define AL_NAME_MAX	64
#define AL_STR_MAX	4096
#define AL_MAX_FILE	(56 * 1024)	/* fits one IPC message with its path */

#define MS_S		1000ULL
#define MS_M		(60 * MS_S)
#define MS_H		(60 * MS_M)
#define MS_D		(24 * MS_H)

struct al_ctx {
	struct yamlu_doc *y;
	int		 redacted;
	char		 secret[128];	/* first secret: "what" */
	size_t		 secret_line;
	int		 has_secrets;
};

/* Values of one mapping's known keys (NULL: absent). */
struct al_map {
	yaml_node_t	*node;
	yaml_node_t	*key[AL_MAXKEYS];
	yaml_node_t	*val[AL_MAXKEYS];
};

static const char *const al_kind_names[] = {
	NULL, "slack", "sms", "email", "webhook", "canary_http", "canary_dns"
};
static const char *const al_sev_names[] = {
	"info", "low", "medium", "high", "critical"
};
static const char *const al_event_types[] = {
	"process_kprobe", "process_tracepoint", "process_uprobe",
	"process_lsm", "process_usdt", "process_exec", "process_exit", NULL
};
static const char *const al_group_keys[] = {
	"policy", "binary", "function", "node", "parent_binary", NULL
};
static const char *const al_placeholders[] = {
	"to", "text", "title", "severity", "policy", "idem_key", NULL
};

#define al_error(c, node, ...)	yamlu_error((c)->y, (node), __VA_ARGS__)

const char *
alerts_kind_name(enum al_kind k)
{
	if ((int)k < AL_SLACK || (int)k > AL_CANARY_DNS)
		return "unknown";
	return al_kind_names[k];
}

const char *
alerts_severity_name(enum al_severity s)
{
	if ((int)s < AL_SEV_INFO || (int)s > AL_SEV_CRITICAL)
		return "unknown";
	return al_sev_names[s];
}

int
alerts_severity_parse(const char *s, enum al_severity *out)
{
	int	 i;

	for (i = AL_SEV_INFO; i <= AL_SEV_CRITICAL; i++)
		if (strcmp(s, al_sev_names[i]) == 0) {
			*out = (enum al_severity)i;
			return 0;
		}
	return ERR_PARSE;
}

static int
al_in(const char *s, const char *const *list)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static void
al_note_secret(struct al_ctx *c, const yaml_node_t *n, const char *what)
{
	if (c->redacted && strcmp(yamlu_sval(n), AL_SECRET) == 0)
		return;
	if (!c->has_secrets) {
		snprintf(c->secret, sizeof(c->secret), "%s", what);
		c->secret_line = n->start_mark.line + 1;
	}
	c->has_secrets = 1;
}

/* Check a mapping against known[] and note each key's node and value. */
static int
al_map(struct al_ctx *c, yaml_node_t *n, const char *what,
    const char *const *known, struct al_map *m)
{
	memset(m, 0, sizeof(*m));
	m->node = n;
	return yamlu_map(c->y, n, what, known, m->key, m->val);
}

static int
al_require(struct al_ctx *c, const struct al_map *m, size_t i,
    const char *const *known, const char *what)
{
	if (m->val[i] != NULL)
		return 0;
	return al_error(c, m->node, "%s: missing required key '%s'", what,
	    known[i]);
}

static int
al_str(struct al_ctx *c, const yaml_node_t *n, const char *what, char **out)
{
	const unsigned char *s;
	size_t	 i;
	int	 r;

	if ((r = yamlu_string(c->y, n, what)) != 0)
		return r;
	if (n->data.scalar.length > AL_STR_MAX)
		return al_error(c, n, "%s: longer than %d bytes", what,
		    AL_STR_MAX);
	s = (const unsigned char *)yamlu_sval(n);
	for (i = 0; i < n->data.scalar.length; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return al_error(c, n, "%s: control character (\\x%02x)"
			    " not allowed", what, s[i]);
	free(*out);
	*out = xstrdup((const char *)s);
	return 0;
}

static int
al_name(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	char	*v = NULL;
	int	 r;

	if ((r = al_str(c, n, what, &v)) != 0 ||
	    (r = yamlu_name_check(c->y, n, what, v, AL_NAME_MAX)) != 0) {
		free(v);
		return r;
	}
	free(*out);
	*out = v;
	return 0;
}

static void
al_fmt_dur(char *buf, size_t len, uint64_t ms)
{
	if (ms != 0 && ms % MS_D == 0)
		snprintf(buf, len, "%llud", (unsigned long long)(ms / MS_D));
	else if (ms != 0 && ms % MS_H == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(ms / MS_H));
	else if (ms != 0 && ms % MS_M == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(ms / MS_M));
	else if (ms % MS_S == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ms / MS_S));
	else
		snprintf(buf, len, "%llums", (unsigned long long)ms);
}

/* "<digits><unit>", unit ms s m h d. */
static int
al_dur(struct al_ctx *c, const yaml_node_t *n, const char *what,
    uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s;
	size_t	 len, ulen;
	uint64_t v, mult;
	char	 lo[32], hi[32];
	int	 r;

	if (!yamlu_scalar(n))
		goto bad;
	s = yamlu_sval(n);
	len = strlen(s);
	if (len > 2 && strcmp(s + len - 2, "ms") == 0) {
		mult = 1;
		ulen = 2;
	} else if (len > 1) {
		ulen = 1;
		switch (s[len - 1]) {
		case 's':
			mult = MS_S;
			break;
		case 'm':
			mult = MS_M;
			break;
		case 'h':
			mult = MS_H;
			break;
		case 'd':
			mult = MS_D;
			break;
		default:
			goto bad;
		}
	} else
		goto bad;
	if ((r = yamlu_digits(s, len - ulen, &v)) == ERR_PARSE)
		goto bad;
	if (r != 0 || v > UINT64_MAX / mult || v * mult < min || v * mult > max)
		goto range;
	*out = v * mult;
	return 0;
bad:
	return al_error(c, n, "%s: expected a duration: a whole number with a "
	    "unit ms, s, m, h or d (500ms, 10s, 5m, 4h)", what);
range:
	al_fmt_dur(lo, sizeof(lo), min);
	al_fmt_dur(hi, sizeof(hi), max);
	return al_error(c, n, "%s: expected a duration from %s to %s", what,
	    lo, hi);
}

/* host:port or [v6]:port, port 1..65535. */
static int
al_hostport(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	char	*v = NULL, *colon, *p;
	uint64_t port;
	int	 r;

	if ((r = al_str(c, n, what, &v)) != 0)
		return r;
	if (v[0] == '[') {
		if ((p = strchr(v, ']')) == NULL || p == v + 1 ||
		    p[1] != ':')
			goto bad;
		colon = p + 1;
		for (p = v + 1; *p != ']'; p++)
			if (!((*p >= '0' && *p <= '9') ||
			    (*p >= 'a' && *p <= 'f') ||
			    (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
				goto bad;
	} else {
		if ((colon = strrchr(v, ':')) == NULL || colon == v)
			goto bad;
		for (p = v; p < colon; p++)
			if (!((*p >= '0' && *p <= '9') ||
			    (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') || *p == '.' ||
			    *p == '-' || *p == '_'))
				goto bad;
	}
	if (yamlu_digits(colon + 1, strlen(colon + 1), &port) != 0 ||
	    port < 1 || port > 65535)
		goto bad;
	free(*out);
	*out = v;
	return 0;
bad:
	free(v);
	return al_error(c, n, "%s: expected host:port (a name or address, "
	    "[v6 address]:port, port 1-65535)", what);
}

/*
 * http:// or https:// URL with a host.  *userinfo is set when it carries
 * "user[:password]@" (a secret).
 */
static int
al_url(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out, int *userinfo)
{
	char	*v = NULL;
	const char *host, *end, *at;
	size_t	 i;
	int	 r;

	*userinfo = 0;
	if ((r = al_str(c, n, what, &v)) != 0)
		return r;
	if (c->redacted && strcmp(v, AL_SECRET) == 0) {
		free(*out);
		*out = v;
		return 0;
	}
	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else {
		free(v);
		return al_error(c, n, "%s: expected an http:// or https:// "
		    "URL", what);
	}
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] == ' ' || v[i] == '"' || v[i] == '<' ||
		    v[i] == '>' || v[i] == '\\' || (unsigned char)v[i] > 0x7e)
			goto bad;
	end = host + strcspn(host, "/?#");
	if ((at = memchr(host, '@', (size_t)(end - host))) != NULL) {
		*userinfo = 1;
		host = at + 1;
	}
	if (host == end || *host == ':')
		goto bad;
	free(*out);
	*out = v;
	return 0;
bad:
	free(v);
	return al_error(c, n, "%s: expected an http:// or https:// URL with "
	    "a host and no spaces, quotes, '<', '>', '\\' or non-ASCII "
	    "characters", what);
}

/* Sequence of strings (a single scalar counts as a list of one). */
typedef int (*al_item_fn)(struct al_ctx *, const yaml_node_t *,
    const char *, char **);

static int
al_list(struct al_ctx *c, yaml_node_t *n, const char *what, int allow_empty,
    al_item_fn fn, char ***out, size_t *nout)
{
	yaml_node_t	*e;
	char		**v;
	size_t		 cnt, i, j;
	int		 r;

	if (n->type == YAML_SCALAR_NODE) {
		v = xcalloc(1, sizeof(*v));
		if ((r = fn(c, n, what, &v[0])) != 0) {
			free(v[0]);	/* an item rejected after its copy */
			free(v);
			return r;
		}
		*out = v;
		*nout = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return al_error(c, n, "%s: expected a list", what);
	if ((cnt = yamlu_count(n)) == 0 && !allow_empty)
		return al_error(c, n, "%s: expected a non-empty list", what);
	v = xcalloc(cnt + 1, sizeof(*v));
	for (i = 0; i < cnt; i++) {
		if ((e = yamlu_item(c->y, n, i)) == NULL) {
			r = al_error(c, n, "%s: broken list", what);
			goto fail;
		}
		if ((r = fn(c, e, what, &v[i])) != 0)
			goto fail;
		for (j = 0; j < i; j++)
			if (strcmp(v[j], v[i]) == 0) {
				r = al_error(c, e, "%s: '%s' listed twice",
				    what, v[i]);
				goto fail;
			}
	}
	*out = v;
	*nout = cnt;
	return 0;
fail:
	for (j = 0; j <= i && j < cnt; j++)
		free(v[j]);
	free(v);
	return r;
}

static int
al_item_str(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	return al_str(c, n, what, out);
}

static int
al_item_name(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	return al_name(c, n, what, out);
}

static int
al_item_event_type(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	char	 list[256];
	int	 r;

	if ((r = al_str(c, n, what, out)) != 0)
		return r;
	if (al_in(*out, al_event_types))
		return 0;
	yamlu_list(al_event_types, list, sizeof(list));
	return al_error(c, n, "%s: unknown event type '%s'; expected one of: "
	    "%s", what, *out, list);
}

static int
al_item_group(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	char	 list[256];
	int	 r;

	if ((r = al_str(c, n, what, out)) != 0)
		return r;
	if (al_in(*out, al_group_keys))
		return 0;
	yamlu_list(al_group_keys, list, sizeof(list));
	return al_error(c, n, "%s: unknown grouping key '%s'; expected one "
	    "of: %s", what, *out, list);
}

static int
al_item_severity(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	enum al_severity s;
	int	 r;

	if ((r = al_str(c, n, what, out)) != 0)
		return r;
	if (alerts_severity_parse(*out, &s) == 0)
		return 0;
	return al_error(c, n, "%s: unknown severity '%s'; expected one of: "
	    "info, low, medium, high, critical", what, *out);
}

/* A mailbox: local@domain, no spaces, angle brackets, quotes or commas. */
static int
al_item_email(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	const char *at, *p;
	int	 r;

	if ((r = al_str(c, n, what, out)) != 0)
		return r;
	at = strchr(*out, '@');
	for (p = *out; *p != '\0'; p++)
		if (*p == ' ' || *p == '<' || *p == '>' || *p == '"' ||
		    *p == ',' || *p == ';' || *p == '(' || *p == ')' ||
		    *p == '\\' || (unsigned char)*p > 0x7e)
			break;
	if (at == NULL || at == *out || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || *p != '\0')
		return al_error(c, n, "%s: expected an e-mail address "
		    "(local@domain, no spaces, quotes, brackets or commas)",
		    what);
	return 0;
}

/* An international phone number: optional '+', 5-20 digits. */
static int
al_item_phone(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	const char *p;
	uint64_t v;
	int	 r;

	if ((r = al_str(c, n, what, out)) != 0)
		return r;
	p = *out[0] == '+' ? *out + 1 : *out;
	if (strlen(p) < 5 || strlen(p) > 20 ||
	    yamlu_digits(p, strlen(p), &v) == ERR_PARSE)
		return al_error(c, n, "%s: expected a phone number ('+' and "
		    "5 to 20 digits)", what);
	return 0;
}

static void
al_strv_free(char **v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* HTTP header name: an RFC 9110 token. */
static int
al_header_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~",
		    *s) != NULL))
			return 0;
	return 1;
}

/*
 * A mapping of string -> string.  headers != 0: keys are HTTP header
 * names and values are secrets; else keys are form/JSON field names and
 * values templates with {placeholders}.
 */
static int
al_kvmap(struct al_ctx *c, yaml_node_t *n, const char *what, int headers,
    struct al_kv **out, size_t *nout)
{
	yaml_node_t	*k, *v = NULL;
	struct al_kv	*kv;
	const char	*s, *e;
	char		 ph[32], list[128];
	size_t		 cnt, i, j;
	int		 r;

	if (n->type != YAML_MAPPING_NODE)
		return al_error(c, n, "%s: expected a mapping", what);
	cnt = yamlu_count(n);
	kv = xcalloc(cnt + 1, sizeof(*kv));
	for (i = 0; i < cnt; i++) {
		if ((r = yamlu_pair(c->y, n, i, what, &k, &v)) != 0 ||
		    (r = al_str(c, k, what, &kv[i].key)) != 0)
			goto fail;
		if (headers && !al_header_name_ok(kv[i].key)) {
			r = al_error(c, k, "%s: '%s' is not a valid header "
			    "name", what, kv[i].key);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strcasecmp(kv[j].key, kv[i].key) == 0) {
				r = al_error(c, k, "%s: duplicate key '%s'",
				    what, kv[i].key);
				goto fail;
			}
		if ((r = al_str(c, v, what, &kv[i].value)) != 0)
			goto fail;
		if (headers) {
			al_note_secret(c, v, "header value");
			continue;
		}
		for (s = kv[i].value; (s = strchr(s, '{')) != NULL; s = e) {
			if ((e = strchr(s, '}')) == NULL ||
			    (size_t)(e - s - 1) >= sizeof(ph))
				goto badph;
			memcpy(ph, s + 1, (size_t)(e - s - 1));
			ph[e - s - 1] = '\0';
			if (!al_in(ph, al_placeholders))
				goto badph;
		}
	}
	*out = kv;
	*nout = cnt;
	return 0;
badph:
	yamlu_list(al_placeholders, list, sizeof(list));
	r = al_error(c, v, "%s: bad placeholder in '%s'; expected {NAME} with "
	    "NAME one of: %s", what, kv[i].value, list);
fail:
	for (j = 0; j <= i && j < cnt; j++) {
		free(kv[j].key);
		free(kv[j].value);
	}
	free(kv);
	return r;
}

static void
al_kv_free(struct al_kv *kv, size_t n)
{
	size_t	 i;

	if (kv == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* --- defaults -------------------------------------------------------- */

static const char *const al_retry_keys[] = {
	"initial", "max", "max_age", NULL
};
static const char *const al_circuit_keys[] = {
	"failures", "open_for", NULL
};
static const char *const al_defaults_keys[] = {
	"dns_resolver", "timeout", "retry", "circuit", "max_inflight",
	"ca_file", NULL
};

static int
al_defaults(struct al_ctx *c, yaml_node_t *n, struct al_config *cfg)
{
	struct al_map	 m, s;
	int		 r;

	if ((r = al_map(c, n, "defaults", al_defaults_keys, &m)) != 0)
		return r;
	if (m.val[0] != NULL && (r = al_hostport(c, m.val[0],
	    "defaults.dns_resolver", &cfg->dns_resolver)) != 0)
		return r;
	if (m.val[1] != NULL && (r = al_dur(c, m.val[1], "defaults.timeout",
	    100, 10 * MS_M, &cfg->timeout_ms)) != 0)
		return r;
	if (m.val[2] != NULL) {
		if ((r = al_map(c, m.val[2], "defaults.retry", al_retry_keys,
		    &s)) != 0)
			return r;
		if (s.val[0] != NULL && (r = al_dur(c, s.val[0],
		    "defaults.retry.initial", 10, MS_H,
		    &cfg->retry_initial_ms)) != 0)
			return r;
		if (s.val[1] != NULL && (r = al_dur(c, s.val[1],
		    "defaults.retry.max", 10, MS_D, &cfg->retry_max_ms)) != 0)
			return r;
		if (s.val[2] != NULL && (r = al_dur(c, s.val[2],
		    "defaults.retry.max_age", MS_S, 30 * MS_D,
		    &cfg->retry_max_age_ms)) != 0)
			return r;
		if (cfg->retry_max_ms < cfg->retry_initial_ms)
			return al_error(c, s.val[1] != NULL ? s.val[1] :
			    s.val[0], "defaults.retry: max is shorter than "
			    "initial");
	}
	if (m.val[3] != NULL) {
		if ((r = al_map(c, m.val[3], "defaults.circuit",
		    al_circuit_keys, &s)) != 0)
			return r;
		if (s.val[0] != NULL && (r = yamlu_u32(c->y, s.val[0],
		    "defaults.circuit.failures", 1, 1000,
		    &cfg->circuit_failures)) != 0)
			return r;
		if (s.val[1] != NULL && (r = al_dur(c, s.val[1],
		    "defaults.circuit.open_for", 100, MS_D,
		    &cfg->circuit_open_ms)) != 0)
			return r;
	}
	if (m.val[4] != NULL && (r = yamlu_u32(c->y, m.val[4],
	    "defaults.max_inflight", 1, 64, &cfg->max_inflight)) != 0)
		return r;
	if (m.val[5] != NULL) {
		if ((r = al_str(c, m.val[5], "defaults.ca_file",
		    &cfg->ca_file)) != 0)
			return r;
		if (cfg->ca_file[0] != '/')
			return al_error(c, m.val[5], "defaults.ca_file: "
			    "expected an absolute path");
	}
	return 0;
}

/* --- receivers ------------------------------------------------------- */

enum {
	RK_NAME, RK_RATE, RK_SLACK, RK_SMS, RK_EMAIL, RK_WEBHOOK, RK_CHTTP,
	RK_CDNS
};
static const char *const al_receiver_keys[] = {
	"name", "rate_limit", "slack", "sms", "email", "webhook",
	"canary_http", "canary_dns", NULL
};
static const char *const al_rate_keys[] = { "count", "per", NULL };
static const char *const al_slack_keys[] = { "url", "max_length", NULL };
enum {
	SK_PROVIDER, SK_URL, SK_SID, SK_TOKEN, SK_KEY, SK_SECRET, SK_FROM,
	SK_TO, SK_METHOD, SK_FORMAT, SK_FIELDS, SK_HEADERS, SK_SUCCESS
};
static const char *const al_sms_keys[] = {
	"provider", "url", "account_sid", "auth_token", "api_key",
	"api_secret", "from", "to", "method", "format", "fields", "headers",
	"success", NULL
};
static const char *const al_success_keys[] = {
	"status", "body_contains", NULL
};
enum {
	EK_HOST, EK_TLS, EK_CA, EK_USER, EK_PASS, EK_AUTH, EK_FROM, EK_TO,
	EK_SUBJ
};
static const char *const al_email_keys[] = {
	"smarthost", "tls", "ca_file", "username", "password", "auth", "from",
	"to", "subject_prefix", NULL
};
static const char *const al_webhook_keys[] = {
	"url", "hmac_secret", "hmac_header", "headers", NULL
};
static const char *const al_chttp_keys[] = { "url", NULL };
static const char *const al_cdns_keys[] = {
	"name", "resolver", "data", NULL
};

/* Note a URL's secret (Slack: always; others: userinfo). */
static int
al_url_field(struct al_ctx *c, const yaml_node_t *n, const char *what,
    int always_secret, char **out)
{
	int	 ui, r;

	if ((r = al_url(c, n, what, out, &ui)) != 0)
		return r;
	if (always_secret)
		al_note_secret(c, n, what);
	else if (ui)
		al_note_secret(c, n, "URL with user information");
	return 0;
}

static int
al_slack(struct al_ctx *c, yaml_node_t *n, struct al_receiver *rc)
{
	struct al_map	 m;
	int		 r;

	if ((r = al_map(c, n, "slack", al_slack_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, 0, al_slack_keys, "slack")) != 0 ||
	    (r = al_url_field(c, m.val[0], "slack.url", 1, &rc->url)) != 0)
		return r;
	if (m.val[1] != NULL && (r = yamlu_u32(c->y, m.val[1],
	    "slack.max_length", 100, 40000, &rc->max_length)) != 0)
		return r;
	return 0;
}

static int
al_only_for(struct al_ctx *c, const struct al_map *m, size_t i,
    const char *provider)
{
	if (m->key[i] == NULL)
		return 0;
	return al_error(c, m->key[i], "sms: '%s' is not a setting of provider "
	    "%s", al_sms_keys[i], provider);
}

/* The settings of provider generic: request method and format, body
 * fields, headers, success rule. */
static int
al_sms_generic(struct al_ctx *c, const struct al_map *m,
    struct al_receiver *rc)
{
	struct al_map	 s;
	yaml_node_t	*e, *x;
	char		*tmp = NULL;
	size_t		 cnt, i;
	int		 r;

	rc->method = xstrdup("POST");
	if (m->val[SK_METHOD] != NULL) {
		if ((r = al_str(c, m->val[SK_METHOD], "sms.method",
		    &rc->method)) != 0)
			return r;
		if (strcmp(rc->method, "POST") != 0 &&
		    strcmp(rc->method, "PUT") != 0 &&
		    strcmp(rc->method, "GET") != 0)
			return al_error(c, m->val[SK_METHOD],
			    "sms.method: expected one of POST, PUT, "
			    "GET");
	}
	if (m->val[SK_FORMAT] != NULL) {
		if ((r = al_str(c, m->val[SK_FORMAT], "sms.format",
		    &tmp)) != 0)
			return r;
		rc->json = strcmp(tmp, "json") == 0;
		r = strcmp(tmp, "json") != 0 &&
		    strcmp(tmp, "form") != 0;
		free(tmp);
		tmp = NULL;
		if (r)
			return al_error(c, m->val[SK_FORMAT],
			    "sms.format: expected form or json");
		if (rc->json && strcmp(rc->method, "GET") == 0)
			return al_error(c, m->val[SK_FORMAT],
			    "sms.format: json needs method POST or "
			    "PUT");
	}
	if ((r = al_require(c, m, SK_FIELDS, al_sms_keys,
	    "sms (generic)")) != 0 ||
	    (r = al_kvmap(c, m->val[SK_FIELDS], "sms.fields", 0,
	    &rc->fields, &rc->nfields)) != 0)
		return r;
	if (rc->nfields == 0)
		return al_error(c, m->val[SK_FIELDS], "sms.fields: "
		    "expected at least one field");
	if (m->val[SK_HEADERS] != NULL && (r = al_kvmap(c,
	    m->val[SK_HEADERS], "sms.headers", 1, &rc->headers,
	    &rc->nheaders)) != 0)
		return r;
	if (m->val[SK_SUCCESS] == NULL)
		return 0;
	if ((r = al_map(c, m->val[SK_SUCCESS], "sms.success",
	    al_success_keys, &s)) != 0)
		return r;
	if (s.val[0] != NULL) {
		e = s.val[0];
		if (e->type != YAML_SEQUENCE_NODE ||
		    (cnt = yamlu_count(e)) == 0)
			return al_error(c, e, "sms.success.status: "
			    "expected a non-empty list of HTTP "
			    "status codes");
		rc->ok_status = xcalloc(cnt, sizeof(*rc->ok_status));
		for (i = 0; i < cnt; i++) {
			if ((x = yamlu_item(c->y, e, i)) == NULL)
				return al_error(c, e, "broken list");
			if ((r = yamlu_u32(c->y, x,
			    "sms.success.status", 100, 599,
			    &rc->ok_status[i])) != 0)
				return r;
			rc->nok_status++;
		}
	}
	if (s.val[1] != NULL && (r = al_str(c, s.val[1],
	    "sms.success.body_contains", &rc->ok_body)) != 0)
		return r;
	return 0;
}

static int
al_sms(struct al_ctx *c, yaml_node_t *n, struct al_receiver *rc)
{
	struct al_map	 m;
	const char	*pv;
	char		*tmp = NULL;
	size_t		 i;
	int		 r;
	static const size_t twilio_only[] = { SK_SID, SK_TOKEN };
	static const size_t vonage_only[] = { SK_KEY, SK_SECRET };
	static const size_t generic_only[] = {
		SK_METHOD, SK_FORMAT, SK_FIELDS, SK_HEADERS, SK_SUCCESS
	};

	if ((r = al_map(c, n, "sms", al_sms_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, SK_PROVIDER, al_sms_keys, "sms")) != 0 ||
	    (r = al_str(c, m.val[SK_PROVIDER], "sms.provider", &tmp)) != 0)
		return r;
	if (strcmp(tmp, "twilio") == 0)
		rc->provider = AL_SMS_TWILIO;
	else if (strcmp(tmp, "vonage") == 0)
		rc->provider = AL_SMS_VONAGE;
	else if (strcmp(tmp, "generic") == 0)
		rc->provider = AL_SMS_GENERIC;
	else {
		free(tmp);
		return al_error(c, m.val[SK_PROVIDER], "sms.provider: "
		    "expected one of twilio, vonage, generic");
	}
	free(tmp);
	tmp = NULL;
	pv = rc->provider == AL_SMS_TWILIO ? "twilio" :
	    rc->provider == AL_SMS_VONAGE ? "vonage" : "generic";
	for (i = 0; i < sizeof(twilio_only) / sizeof(twilio_only[0]); i++)
		if (rc->provider != AL_SMS_TWILIO &&
		    (r = al_only_for(c, &m, twilio_only[i], pv)) != 0)
			return r;
	for (i = 0; i < sizeof(vonage_only) / sizeof(vonage_only[0]); i++)
		if (rc->provider != AL_SMS_VONAGE &&
		    (r = al_only_for(c, &m, vonage_only[i], pv)) != 0)
			return r;
	for (i = 0; i < sizeof(generic_only) / sizeof(generic_only[0]); i++)
		if (rc->provider != AL_SMS_GENERIC &&
		    (r = al_only_for(c, &m, generic_only[i], pv)) != 0)
			return r;

	if (m.val[SK_URL] != NULL) {
		if ((r = al_url_field(c, m.val[SK_URL], "sms.url", 0,
		    &rc->url)) != 0)
			return r;
	} else if (rc->provider == AL_SMS_TWILIO)
		rc->url = xstrdup("https://api.twilio.com");
	else if (rc->provider == AL_SMS_VONAGE)
		rc->url = xstrdup("https://rest.nexmo.com");
	else
		return al_require(c, &m, SK_URL, al_sms_keys, "sms (generic)");

	switch (rc->provider) {
	case AL_SMS_TWILIO:
		if ((r = al_require(c, &m, SK_SID, al_sms_keys,
		    "sms (twilio)")) != 0 ||
		    (r = al_require(c, &m, SK_TOKEN, al_sms_keys,
		    "sms (twilio)")) != 0 ||
		    (r = al_require(c, &m, SK_FROM, al_sms_keys,
		    "sms (twilio)")) != 0 ||
		    (r = al_str(c, m.val[SK_SID], "sms.account_sid",
		    &rc->account_sid)) != 0 ||
		    (r = al_str(c, m.val[SK_TOKEN], "sms.auth_token",
		    &rc->auth_token)) != 0)
			return r;
		al_note_secret(c, m.val[SK_TOKEN], "sms.auth_token");
		break;
	case AL_SMS_VONAGE:
		if ((r = al_require(c, &m, SK_KEY, al_sms_keys,
		    "sms (vonage)")) != 0 ||
		    (r = al_require(c, &m, SK_SECRET, al_sms_keys,
		    "sms (vonage)")) != 0 ||
		    (r = al_require(c, &m, SK_FROM, al_sms_keys,
		    "sms (vonage)")) != 0 ||
		    (r = al_str(c, m.val[SK_KEY], "sms.api_key",
		    &rc->api_key)) != 0 ||
		    (r = al_str(c, m.val[SK_SECRET], "sms.api_secret",
		    &rc->api_secret)) != 0)
			return r;
		al_note_secret(c, m.val[SK_SECRET], "sms.api_secret");
		break;
	case AL_SMS_GENERIC:
		if ((r = al_sms_generic(c, &m, rc)) != 0)
			return r;
		break;
	}
	if (m.val[SK_FROM] != NULL && (r = al_str(c, m.val[SK_FROM],
	    "sms.from", &rc->from)) != 0)
		return r;
	if ((r = al_require(c, &m, SK_TO, al_sms_keys, "sms")) != 0)
		return r;
	return al_list(c, m.val[SK_TO], "sms.to", 0,
	    rc->provider == AL_SMS_GENERIC ? al_item_str : al_item_phone,
	    &rc->to, &rc->nto);
}

static int
al_email(struct al_ctx *c, yaml_node_t *n, struct al_receiver *rc)
{
	struct al_map	 m;
	char		*tmp = NULL;
	int		 r;

	if ((r = al_map(c, n, "email", al_email_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, EK_HOST, al_email_keys, "email")) != 0 ||
	    (r = al_require(c, &m, EK_FROM, al_email_keys, "email")) != 0 ||
	    (r = al_require(c, &m, EK_TO, al_email_keys, "email")) != 0 ||
	    (r = al_hostport(c, m.val[EK_HOST], "email.smarthost",
	    &rc->smarthost)) != 0)
		return r;
	rc->tls = AL_TLS_STARTTLS;
	if (m.val[EK_TLS] != NULL) {
		if ((r = al_str(c, m.val[EK_TLS], "email.tls", &tmp)) != 0)
			return r;
		if (strcmp(tmp, "starttls") == 0)
			rc->tls = AL_TLS_STARTTLS;
		else if (strcmp(tmp, "tls") == 0)
			rc->tls = AL_TLS_IMPLICIT;
		else if (strcmp(tmp, "none") == 0)
			rc->tls = AL_TLS_NONE;
		else {
			free(tmp);
			return al_error(c, m.val[EK_TLS], "email.tls: expected "
			    "one of starttls, tls, none");
		}
		free(tmp);
	}
	if (m.val[EK_CA] != NULL) {
		if ((r = al_str(c, m.val[EK_CA], "email.ca_file",
		    &rc->ca_file)) != 0)
			return r;
		if (rc->ca_file[0] != '/')
			return al_error(c, m.val[EK_CA], "email.ca_file: "
			    "expected an absolute path");
		if (rc->tls == AL_TLS_NONE)
			return al_error(c, m.val[EK_CA], "email.ca_file: "
			    "useless with tls: none");
	}
	if ((m.val[EK_USER] == NULL) != (m.val[EK_PASS] == NULL))
		return al_error(c, m.val[EK_USER] != NULL ? m.key[EK_USER] :
		    m.key[EK_PASS], "email: username and password go "
		    "together");
	/* AUTH over plain SMTP would hand the password to anyone on the
	 * path */
	if (m.val[EK_USER] != NULL && rc->tls == AL_TLS_NONE)
		return al_error(c, m.key[EK_USER], "email.username: refused "
		    "with tls: none (the credentials would cross the network "
		    "in clear text)");
	if (m.val[EK_USER] != NULL) {
		if ((r = al_str(c, m.val[EK_USER], "email.username",
		    &rc->username)) != 0 ||
		    (r = al_str(c, m.val[EK_PASS], "email.password",
		    &rc->password)) != 0)
			return r;
		al_note_secret(c, m.val[EK_PASS], "email.password");
	}
	if (m.val[EK_AUTH] != NULL) {
		if (m.val[EK_USER] == NULL)
			return al_error(c, m.key[EK_AUTH], "email.auth: needs "
			    "username and password");
		if ((r = al_str(c, m.val[EK_AUTH], "email.auth",
		    &rc->auth)) != 0)
			return r;
		if (strcmp(rc->auth, "plain") != 0 &&
		    strcmp(rc->auth, "login") != 0)
			return al_error(c, m.val[EK_AUTH], "email.auth: "
			    "expected plain or login");
	}
	if ((r = al_item_email(c, m.val[EK_FROM], "email.from",
	    &rc->from)) != 0 ||
	    (r = al_list(c, m.val[EK_TO], "email.to", 0, al_item_email,
	    &rc->to, &rc->nto)) != 0)
		return r;
	if (m.val[EK_SUBJ] != NULL)
		return al_str(c, m.val[EK_SUBJ], "email.subject_prefix",
		    &rc->subject_prefix);
	rc->subject_prefix = xstrdup("[tripline]");
	return 0;
}

static int
al_webhook(struct al_ctx *c, yaml_node_t *n, struct al_receiver *rc)
{
	struct al_map	 m;
	int		 r;

	if ((r = al_map(c, n, "webhook", al_webhook_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, 0, al_webhook_keys, "webhook")) != 0 ||
	    (r = al_url_field(c, m.val[0], "webhook.url", 0, &rc->url)) != 0)
		return r;
	if (m.val[1] != NULL) {
		if ((r = al_str(c, m.val[1], "webhook.hmac_secret",
		    &rc->hmac_secret)) != 0)
			return r;
		al_note_secret(c, m.val[1], "webhook.hmac_secret");
	}
	if (m.val[2] != NULL) {
		if (m.val[1] == NULL)
			return al_error(c, m.key[2], "webhook.hmac_header: "
			    "needs hmac_secret");
		if ((r = al_str(c, m.val[2], "webhook.hmac_header",
		    &rc->hmac_header)) != 0)
			return r;
		if (!al_header_name_ok(rc->hmac_header))
			return al_error(c, m.val[2], "webhook.hmac_header: "
			    "'%s' is not a valid header name",
			    rc->hmac_header);
	} else if (m.val[1] != NULL)
		rc->hmac_header = xstrdup("X-Tripline-Signature");
	if (m.val[3] != NULL)
		return al_kvmap(c, m.val[3], "webhook.headers", 1,
		    &rc->headers, &rc->nheaders);
	return 0;
}

/* A DNS name: dot-separated labels of letters, digits, '-', '_'. */
static int
al_dns_name(struct al_ctx *c, const yaml_node_t *n, const char *what,
    char **out)
{
	const char *p, *label;
	int	 r;

	if ((r = al_str(c, n, what, out)) != 0)
		return r;
	if (strlen(*out) > 200)
		goto bad;
	for (p = label = *out;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63)
				goto bad;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			goto bad;
	}
	return 0;
bad:
	return al_error(c, n, "%s: expected a DNS name (labels of 1-63 "
	    "letters, digits, '-' or '_', at most 200 bytes, no trailing "
	    "dot)", what);
}

static int
al_canary_dns(struct al_ctx *c, yaml_node_t *n, struct al_receiver *rc)
{
	struct al_map	 m;
	int		 r;

	if ((r = al_map(c, n, "canary_dns", al_cdns_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, 0, al_cdns_keys, "canary_dns")) != 0 ||
	    (r = al_dns_name(c, m.val[0], "canary_dns.name",
	    &rc->dns_name)) != 0)
		return r;
	if (m.val[1] != NULL && (r = al_hostport(c, m.val[1],
	    "canary_dns.resolver", &rc->resolver)) != 0)
		return r;
	if (m.val[2] != NULL)
		return yamlu_bool(c->y, m.val[2], "canary_dns.data",
		    &rc->dns_data);
	return 0;
}

static void
al_receiver_clear(struct al_receiver *rc)
{
	free(rc->name);
	free(rc->url);
	free(rc->account_sid);
	freezero(rc->auth_token, rc->auth_token ? strlen(rc->auth_token) : 0);
	free(rc->api_key);
	freezero(rc->api_secret, rc->api_secret ? strlen(rc->api_secret) : 0);
	free(rc->from);
	al_strv_free(rc->to, rc->nto);
	free(rc->method);
	al_kv_free(rc->fields, rc->nfields);
	if (rc->headers != NULL) {
		size_t	 i;

		for (i = 0; i < rc->nheaders; i++)
			if (rc->headers[i].value != NULL)
				explicit_bzero(rc->headers[i].value,
				    strlen(rc->headers[i].value));
	}
	al_kv_free(rc->headers, rc->nheaders);
	free(rc->ok_status);
	free(rc->ok_body);
	free(rc->smarthost);
	free(rc->ca_file);
	free(rc->username);
	freezero(rc->password, rc->password ? strlen(rc->password) : 0);
	free(rc->auth);
	free(rc->subject_prefix);
	freezero(rc->hmac_secret,
	    rc->hmac_secret ? strlen(rc->hmac_secret) : 0);
	free(rc->hmac_header);
	free(rc->dns_name);
	free(rc->resolver);
	memset(rc, 0, sizeof(*rc));
}

static int
al_receiver(struct al_ctx *c, yaml_node_t *n, struct al_config *cfg,
    struct al_receiver *rc)
{
	struct al_map	 m, s;
	size_t		 i, j, kind = 0;
	int		 r;

	if ((r = al_map(c, n, "receiver", al_receiver_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, RK_NAME, al_receiver_keys,
	    "receiver")) != 0 ||
	    (r = al_name(c, m.val[RK_NAME], "receiver name", &rc->name)) != 0)
		return r;
	for (i = 0; i < cfg->nreceivers; i++)
		if (strcmp(cfg->receivers[i].name, rc->name) == 0)
			return al_error(c, m.val[RK_NAME], "receiver '%s' "
			    "defined twice", rc->name);
	for (i = RK_SLACK; i <= RK_CDNS; i++) {
		if (m.key[i] == NULL)
			continue;
		if (kind != 0) {
			/* name them in document order, point at the second */
			if (m.key[i]->start_mark.index <
			    m.key[kind]->start_mark.index) {
				j = kind;
				kind = i;
				i = j;
			}
			return al_error(c, m.key[i], "receiver %s: more than "
			    "one kind (%s and %s)", rc->name,
			    al_receiver_keys[kind], al_receiver_keys[i]);
		}
		kind = i;
	}
	if (kind == 0)
		return al_error(c, n, "receiver %s: expected one of slack, "
		    "sms, email, webhook, canary_http, canary_dns", rc->name);
	rc->kind = (enum al_kind)(kind - RK_SLACK + AL_SLACK);
	rc->max_length = 3000;
	if (m.val[RK_RATE] != NULL) {
		if ((r = al_map(c, m.val[RK_RATE], "rate_limit", al_rate_keys,
		    &s)) != 0)
			return r;
		if ((r = al_require(c, &s, 0, al_rate_keys,
		    "rate_limit")) != 0 ||
		    (r = al_require(c, &s, 1, al_rate_keys,
		    "rate_limit")) != 0 ||
		    (r = yamlu_u32(c->y, s.val[0], "rate_limit.count", 1,
		    1000000, &rc->rl_count)) != 0 ||
		    (r = al_dur(c, s.val[1], "rate_limit.per", 100, 7 * MS_D,
		    &rc->rl_per_ms)) != 0)
			return r;
	}
	switch (rc->kind) {
	case AL_SLACK:
		return al_slack(c, m.val[kind], rc);
	case AL_SMS:
		return al_sms(c, m.val[kind], rc);
	case AL_EMAIL:
		return al_email(c, m.val[kind], rc);
	case AL_WEBHOOK:
		return al_webhook(c, m.val[kind], rc);
	case AL_CANARY_HTTP:
		if ((r = al_map(c, m.val[kind], "canary_http", al_chttp_keys,
		    &s)) != 0 ||
		    (r = al_require(c, &s, 0, al_chttp_keys,
		    "canary_http")) != 0)
			return r;
		return al_url_field(c, s.val[0], "canary_http.url", 0,
		    &rc->url);
	case AL_CANARY_DNS:
		return al_canary_dns(c, m.val[kind], rc);
	}
	return 0;
}

static int
al_receivers(struct al_ctx *c, yaml_node_t *n, struct al_config *cfg)
{
	yaml_node_t	*e;
	size_t		 cnt, i;
	int		 r;

	if (n->type != YAML_SEQUENCE_NODE)
		return al_error(c, n, "receivers: expected a list");
	cnt = yamlu_count(n);
	cfg->receivers = xcalloc(cnt + 1, sizeof(*cfg->receivers));
	for (i = 0; i < cnt; i++) {
		if ((e = yamlu_item(c->y, n, i)) == NULL)
			return al_error(c, n, "receivers: broken list");
		r = al_receiver(c, e, cfg, &cfg->receivers[cfg->nreceivers]);
		if (r != 0) {
			al_receiver_clear(&cfg->receivers[cfg->nreceivers]);
			return r;
		}
		cfg->nreceivers++;
	}
	return 0;
}

/* --- routes ---------------------------------------------------------- */

enum {
	RT_NAME, RT_MATCH, RT_RECEIVERS, RT_GROUP_BY, RT_WAIT, RT_INTERVAL,
	RT_REPEAT, RT_CONTINUE
};
static const char *const al_route_keys[] = {
	"name", "match", "receivers", "group_by", "group_wait",
	"group_interval", "repeat_interval", "continue", NULL
};
enum {
	MT_POLICY, MT_TAGS, MT_EVENT, MT_ACTION, MT_SEV, MT_MINSEV
};
static const char *const al_match_keys[] = {
	"policy", "tags", "event_type", "action", "severity", "min_severity",
	NULL
};

static void
al_route_clear(struct al_route *rt)
{
	free(rt->name);
	al_strv_free(rt->policies, rt->npolicies);
	al_strv_free(rt->tags, rt->ntags);
	al_strv_free(rt->event_types, rt->nevent_types);
	al_strv_free(rt->actions, rt->nactions);
	al_strv_free(rt->receivers, rt->nreceivers);
	al_strv_free(rt->group_by, rt->ngroup_by);
	memset(rt, 0, sizeof(*rt));
}

static int
al_match(struct al_ctx *c, yaml_node_t *n, struct al_route *rt)
{
	struct al_map	 m;
	enum al_severity sev = AL_SEV_INFO;
	char		**v = NULL, *s = NULL;
	size_t		 nv = 0, i;
	int		 r;

	if ((r = al_map(c, n, "match", al_match_keys, &m)) != 0)
		return r;
	if (m.val[MT_POLICY] != NULL && (r = al_list(c, m.val[MT_POLICY],
	    "match.policy", 0, al_item_str, &rt->policies,
	    &rt->npolicies)) != 0)
		return r;
	if (m.val[MT_TAGS] != NULL && (r = al_list(c, m.val[MT_TAGS],
	    "match.tags", 0, al_item_str, &rt->tags, &rt->ntags)) != 0)
		return r;
	if (m.val[MT_EVENT] != NULL && (r = al_list(c, m.val[MT_EVENT],
	    "match.event_type", 0, al_item_event_type, &rt->event_types,
	    &rt->nevent_types)) != 0)
		return r;
	if (m.val[MT_ACTION] != NULL && (r = al_list(c, m.val[MT_ACTION],
	    "match.action", 0, al_item_str, &rt->actions,
	    &rt->nactions)) != 0)
		return r;
	if (m.val[MT_SEV] != NULL && m.val[MT_MINSEV] != NULL)
		return al_error(c, m.key[MT_MINSEV], "match: severity and "
		    "min_severity exclude each other");
	if (m.val[MT_SEV] != NULL) {
		if ((r = al_list(c, m.val[MT_SEV], "match.severity", 0,
		    al_item_severity, &v, &nv)) != 0)
			return r;
		for (i = 0; i < nv; i++) {
			(void)alerts_severity_parse(v[i], &sev);
			rt->severity_mask |= 1U << sev;
		}
		al_strv_free(v, nv);
	}
	if (m.val[MT_MINSEV] != NULL) {
		if ((r = al_item_severity(c, m.val[MT_MINSEV],
		    "match.min_severity", &s)) != 0) {
			free(s);
			return r;
		}
		(void)alerts_severity_parse(s, &sev);
		free(s);
		for (i = sev; i <= AL_SEV_CRITICAL; i++)
			rt->severity_mask |= 1U << i;
	}
	return 0;
}

static int
al_route(struct al_ctx *c, yaml_node_t *n, struct al_config *cfg,
    struct al_route *rt)
{
	struct al_map	 m;
	yaml_node_t	*e;
	size_t		 i;
	int		 r;

	if ((r = al_map(c, n, "route", al_route_keys, &m)) != 0)
		return r;
	if ((r = al_require(c, &m, RT_NAME, al_route_keys, "route")) != 0 ||
	    (r = al_name(c, m.val[RT_NAME], "route name", &rt->name)) != 0)
		return r;
	for (i = 0; i < cfg->nroutes; i++)
		if (strcmp(cfg->routes[i].name, rt->name) == 0)
			return al_error(c, m.val[RT_NAME], "route '%s' "
			    "defined twice", rt->name);
	if (m.val[RT_MATCH] != NULL &&
	    (r = al_match(c, m.val[RT_MATCH], rt)) != 0)
		return r;
	if ((r = al_require(c, &m, RT_RECEIVERS, al_route_keys,
	    "route")) != 0 ||
	    (r = al_list(c, m.val[RT_RECEIVERS], "route receivers", 0,
	    al_item_name, &rt->receivers, &rt->nreceivers)) != 0)
		return r;
	/* every receiver must exist: point at the offending list item */
	for (i = 0; i < rt->nreceivers; i++) {
		if (alerts_receiver(cfg, rt->receivers[i]) != NULL)
			continue;
		e = m.val[RT_RECEIVERS];
		if (e->type == YAML_SEQUENCE_NODE)
			e = yamlu_item(c->y, e, i);
		return al_error(c, e, "route %s: no receiver named '%s'",
		    rt->name, rt->receivers[i]);
	}
	if (m.val[RT_GROUP_BY] != NULL && (r = al_list(c,
	    m.val[RT_GROUP_BY], "group_by", 1, al_item_group, &rt->group_by,
	    &rt->ngroup_by)) != 0)
		return r;
	rt->group_interval_ms = 5 * MS_M;
	rt->repeat_interval_ms = 4 * MS_H;
	if (m.val[RT_WAIT] != NULL && (r = al_dur(c, m.val[RT_WAIT],
	    "group_wait", 0, MS_D, &rt->group_wait_ms)) != 0)
		return r;
	if (m.val[RT_INTERVAL] != NULL && (r = al_dur(c, m.val[RT_INTERVAL],
	    "group_interval", 0, 7 * MS_D, &rt->group_interval_ms)) != 0)
		return r;
	if (m.val[RT_REPEAT] != NULL && (r = al_dur(c, m.val[RT_REPEAT],
	    "repeat_interval", 0, 30 * MS_D, &rt->repeat_interval_ms)) != 0)
		return r;
	if (m.val[RT_CONTINUE] != NULL)
		return yamlu_bool(c->y, m.val[RT_CONTINUE], "continue",
		    &rt->cont);
	return 0;
}

static int
al_routes(struct al_ctx *c, yaml_node_t *n, struct al_config *cfg)
{
	yaml_node_t	*e;
	size_t		 cnt, i;
	int		 r;

	if (n->type != YAML_SEQUENCE_NODE)
		return al_error(c, n, "routes: expected a list");
	cnt = yamlu_count(n);
	cfg->routes = xcalloc(cnt + 1, sizeof(*cfg->routes));
	for (i = 0; i < cnt; i++) {
		if ((e = yamlu_item(c->y, n, i)) == NULL)
			return al_error(c, n, "routes: broken list");
		r = al_route(c, e, cfg, &cfg->routes[cfg->nroutes]);
		if (r != 0) {
			al_route_clear(&cfg->routes[cfg->nroutes]);
			return r;
		}
		cfg->nroutes++;
	}
	return 0;
}

/* --- document -------------------------------------------------------- */

static const char *const al_top_keys[] = {
	"defaults", "receivers", "routes", "redacted", NULL
};

static void
al_defaults_init(struct al_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dns_resolver = xstrdup("127.0.0.1:53");
	cfg->timeout_ms = 10 * MS_S;
	cfg->retry_initial_ms = MS_S;
	cfg->retry_max_ms = 5 * MS_M;
	cfg->retry_max_age_ms = 24 * MS_H;
	cfg->circuit_failures = 5;
	cfg->circuit_open_ms = 30 * MS_S;
	cfg->max_inflight = 4;
}

void
alerts_clear(struct al_config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	free(cfg->dns_resolver);
	free(cfg->ca_file);
	for (i = 0; i < cfg->nreceivers; i++)
		al_receiver_clear(&cfg->receivers[i]);
	free(cfg->receivers);
	for (i = 0; i < cfg->nroutes; i++)
		al_route_clear(&cfg->routes[i]);
	free(cfg->routes);
	memset(cfg, 0, sizeof(*cfg));
}

static int
al_document(struct al_ctx *c, yaml_node_t *root, struct al_config *cfg)
{
	struct al_map	 m;
	int		 r, red = 0;

	if (root->type != YAML_MAPPING_NODE)
		return al_error(c, root, "expected a mapping with defaults, "
		    "receivers and routes at top level");
	if ((r = al_map(c, root, "alerts", al_top_keys, &m)) != 0)
		return r;
	if (m.val[3] != NULL) {
		if ((r = yamlu_bool(c->y, m.val[3], "redacted", &red)) != 0)
			return r;
		if (!red)
			return al_error(c, m.val[3], "redacted: only 'true' "
			    "is allowed (written by alerts_redact)");
		c->redacted = 1;
	}
	if (m.val[0] != NULL && (r = al_defaults(c, m.val[0], cfg)) != 0)
		return r;
	if (m.val[1] != NULL && !yamlu_null(m.val[1]) &&
	    (r = al_receivers(c, m.val[1], cfg)) != 0)
		return r;
	if (m.val[2] != NULL && !yamlu_null(m.val[2]) &&
	    (r = al_routes(c, m.val[2], cfg)) != 0)
		return r;
	return 0;
}

/* Parse text into cfg (filled only if the whole document is valid); c
 * keeps what the walk noted (redacted, secrets). */
static int
al_parse(struct al_ctx *c, const char *name, const char *text, size_t len,
    struct al_config *cfg, char *err, size_t errlen)
{
	struct yamlu_doc y;
	struct al_config tmp;
	yaml_node_t	*root;
	int		 r;

	memset(c, 0, sizeof(*c));
	memset(cfg, 0, sizeof(*cfg));
	yamlu_init(&y, name, err, errlen);
	if (memchr(text, '\0', len) != NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: contains a NUL byte", name);
		return ERR_PARSE;
	}
	c->y = &y;
	al_defaults_init(&tmp);
	r = yamlu_load_buf(&y, text, len, NULL, &root);
	/* no document or a null one: no receivers, no routes */
	if (r == 0 && root != NULL && !yamlu_null(root))
		r = al_document(c, root, &tmp);
	yamlu_clear(&y);
	c->y = NULL;
	if (r == 0) {
		tmp.has_secrets = c->has_secrets;
		*cfg = tmp;
	} else
		alerts_clear(&tmp);
	return r;
}

int
alerts_parse(const char *name, const char *text, size_t len,
    struct al_config *cfg, char *err, size_t errlen)
{
	struct al_ctx	 c;

	return al_parse(&c, name, text, len, cfg, err, errlen);
}

int
alerts_load(const char *path, struct al_config *cfg, char **textp,
    char *err, size_t errlen)
{
	struct al_ctx	 c;
	struct stat	 st;
	char		*text;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, r, saved;

	memset(cfg, 0, sizeof(*cfg));
	if (textp != NULL)
		*textp = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		goto syserr;
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		goto syserr;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: not a regular file", path);
		return ERR_PARSE;
	}
	if (st.st_size > AL_MAX_FILE) {
		close(fd);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: larger than %d bytes", path,
			    AL_MAX_FILE);
		return ERR_TOOBIG;
	}
	text = xmalloc(AL_MAX_FILE + 2);
	while (len <= AL_MAX_FILE) {
		n = read(fd, text + len, AL_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			freezero(text, AL_MAX_FILE + 2);
			errno = saved;
			goto syserr;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	if (len > AL_MAX_FILE) {
		freezero(text, AL_MAX_FILE + 2);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: larger than %d bytes", path,
			    AL_MAX_FILE);
		return ERR_TOOBIG;
	}

	if ((r = al_parse(&c, path, text, len, cfg, err, errlen)) != 0) {
		freezero(text, AL_MAX_FILE + 2);
		return r;
	}
	if (c.redacted) {
		alerts_clear(cfg);
		freezero(text, AL_MAX_FILE + 2);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: is a redacted copy "
			    "(redacted: true); use the original file", path);
		return ERR_PARSE;
	}
	if (cfg->has_secrets && (st.st_uid != 0 ||
	    (st.st_mode & (S_IRGRP | S_IROTH)) != 0)) {
		alerts_clear(cfg);
		freezero(text, AL_MAX_FILE + 2);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: holds secrets (%s at line "
			    "%zu) but is mode %04o owner uid %lu: must be "
			    "root-owned and not group/world readable (chown "
			    "root %s; chmod 600 %s)", path, c.secret,
			    c.secret_line, (unsigned int)(st.st_mode & 07777),
			    (unsigned long)st.st_uid, path, path);
		return ERR_PERM;
	}
	if (textp != NULL) {
		*textp = xstrdup(text);
	}
	freezero(text, AL_MAX_FILE + 2);
	return 0;
syserr:
	saved = errno;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
	errno = saved;
	return ERR_SYS;
}

const struct al_receiver *
alerts_receiver(const struct al_config *cfg, const char *name)
{
	size_t	 i;

	for (i = 0; i < cfg->nreceivers; i++)
		if (strcmp(cfg->receivers[i].name, name) == 0)
			return &cfg->receivers[i];
	return NULL;
}

/* --- redaction ------------------------------------------------------- */

/* Every string goes out double-quoted with JSON escapes (valid YAML). */
static void
al_emit_str(struct sbuf *sb, const char *s)
{
	sbuf_add_json_str(sb, s, strlen(s));
}

static void
al_emit_kstr(struct sbuf *sb, const char *key, const char *s, int *first)
{
	if (s == NULL)
		return;
	sbuf_addf(sb, "%s%s: ", *first ? "" : ", ", key);
	al_emit_str(sb, s);
	*first = 0;
}

static void
al_emit_secret(struct sbuf *sb, const char *key, const char *s, int *first)
{
	if (s == NULL)
		return;
	sbuf_addf(sb, "%s%s: \"" AL_SECRET "\"", *first ? "" : ", ", key);
	*first = 0;
}

static void
al_emit_list(struct sbuf *sb, char *const *v, size_t n)
{
	size_t	 i;

	sbuf_addc(sb, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_adds(sb, ", ");
		al_emit_str(sb, v[i]);
	}
	sbuf_addc(sb, ']');
}

static void
al_emit_klist(struct sbuf *sb, const char *key, char *const *v, size_t n,
    int *first)
{
	if (v == NULL)
		return;
	sbuf_addf(sb, "%s%s: ", *first ? "" : ", ", key);
	al_emit_list(sb, v, n);
	*first = 0;
}

static void
al_emit_kv(struct sbuf *sb, const char *key, const struct al_kv *kv,
    size_t n, int secret, int *first)
{
	size_t	 i;

	if (kv == NULL)
		return;
	sbuf_addf(sb, "%s%s: {", *first ? "" : ", ", key);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_adds(sb, ", ");
		al_emit_str(sb, kv[i].key);
		sbuf_adds(sb, ": ");
		al_emit_str(sb, secret ? AL_SECRET : kv[i].value);
	}
	sbuf_addc(sb, '}');
	*first = 0;
}

static void
al_emit_dur(struct sbuf *sb, uint64_t ms)
{
	char	 b[32];

	al_fmt_dur(b, sizeof(b), ms);
	sbuf_adds(sb, b);
}

/* A URL that is not secret in itself: kept unless it has userinfo. */
static void
al_emit_url(struct sbuf *sb, const char *url, int always_secret,
    int *first)
{
	const char *host, *end;

	if (url == NULL)
		return;
	if (!always_secret && strcmp(url, AL_SECRET) != 0) {
		host = strstr(url, "://");
		host = host != NULL ? host + 3 : url;
		end = host + strcspn(host, "/?#");
		if (memchr(host, '@', (size_t)(end - host)) == NULL) {
			al_emit_kstr(sb, "url", url, first);
			return;
		}
	}
	al_emit_secret(sb, "url", url, first);
}

static void
al_emit_receiver(struct sbuf *sb, const struct al_receiver *rc)
{
	int	 f = 1;
	size_t	 i;

	sbuf_adds(sb, "  - name: ");
	al_emit_str(sb, rc->name);
	sbuf_addc(sb, '\n');
	if (rc->rl_count != 0) {
		sbuf_addf(sb, "    rate_limit: {count: %u, per: ",
		    rc->rl_count);
		al_emit_dur(sb, rc->rl_per_ms);
		sbuf_adds(sb, "}\n");
	}
	sbuf_addf(sb, "    %s: {", alerts_kind_name(rc->kind));
	switch (rc->kind) {
	case AL_SLACK:
		al_emit_url(sb, rc->url, 1, &f);
		sbuf_addf(sb, ", max_length: %u", rc->max_length);
		break;
	case AL_SMS:
		sbuf_addf(sb, "provider: %s",
		    rc->provider == AL_SMS_TWILIO ? "twilio" :
		    rc->provider == AL_SMS_VONAGE ? "vonage" : "generic");
		f = 0;
		al_emit_url(sb, rc->url, 0, &f);
		al_emit_kstr(sb, "account_sid", rc->account_sid, &f);
		al_emit_secret(sb, "auth_token", rc->auth_token, &f);
		al_emit_kstr(sb, "api_key", rc->api_key, &f);
		al_emit_secret(sb, "api_secret", rc->api_secret, &f);
		al_emit_kstr(sb, "from", rc->from, &f);
		al_emit_klist(sb, "to", rc->to, rc->nto, &f);
		if (rc->provider != AL_SMS_GENERIC)
			break;
		al_emit_kstr(sb, "method", rc->method, &f);
		sbuf_addf(sb, ", format: %s", rc->json ? "json" : "form");
		al_emit_kv(sb, "fields", rc->fields, rc->nfields, 0, &f);
		al_emit_kv(sb, "headers", rc->headers, rc->nheaders, 1, &f);
		if (rc->ok_status == NULL && rc->ok_body == NULL)
			break;
		sbuf_adds(sb, ", success: {");
		if (rc->ok_status != NULL) {
			sbuf_adds(sb, "status: [");
			for (i = 0; i < rc->nok_status; i++)
				sbuf_addf(sb, "%s%u", i ? ", " : "",
				    rc->ok_status[i]);
			sbuf_addc(sb, ']');
		}
		if (rc->ok_body != NULL) {
			sbuf_adds(sb, rc->ok_status != NULL ?
			    ", body_contains: " : "body_contains: ");
			al_emit_str(sb, rc->ok_body);
		}
		sbuf_addc(sb, '}');
		break;
	case AL_EMAIL:
		al_emit_kstr(sb, "smarthost", rc->smarthost, &f);
		sbuf_addf(sb, ", tls: %s", rc->tls == AL_TLS_IMPLICIT ? "tls" :
		    rc->tls == AL_TLS_NONE ? "none" : "starttls");
		al_emit_kstr(sb, "ca_file", rc->ca_file, &f);
		al_emit_kstr(sb, "username", rc->username, &f);
		al_emit_secret(sb, "password", rc->password, &f);
		al_emit_kstr(sb, "auth", rc->auth, &f);
		al_emit_kstr(sb, "from", rc->from, &f);
		al_emit_klist(sb, "to", rc->to, rc->nto, &f);
		al_emit_kstr(sb, "subject_prefix", rc->subject_prefix, &f);
		break;
	case AL_WEBHOOK:
		al_emit_url(sb, rc->url, 0, &f);
		al_emit_secret(sb, "hmac_secret", rc->hmac_secret, &f);
		al_emit_kstr(sb, "hmac_header", rc->hmac_header, &f);
		al_emit_kv(sb, "headers", rc->headers, rc->nheaders, 1, &f);
		break;
	case AL_CANARY_HTTP:
		al_emit_url(sb, rc->url, 0, &f);
		break;
	case AL_CANARY_DNS:
		al_emit_kstr(sb, "name", rc->dns_name, &f);
		al_emit_kstr(sb, "resolver", rc->resolver, &f);
		sbuf_addf(sb, ", data: %s", rc->dns_data ? "true" : "false");
		break;
	}
	sbuf_adds(sb, "}\n");
}

static void
al_emit_route(struct sbuf *sb, const struct al_route *rt)
{
	int	 f = 1, i, any;

	sbuf_adds(sb, "  - name: ");
	al_emit_str(sb, rt->name);
	sbuf_addc(sb, '\n');
	any = rt->policies != NULL || rt->tags != NULL ||
	    rt->event_types != NULL || rt->actions != NULL ||
	    rt->severity_mask != 0;
	if (any) {
		sbuf_adds(sb, "    match: {");
		al_emit_klist(sb, "policy", rt->policies, rt->npolicies, &f);
		al_emit_klist(sb, "tags", rt->tags, rt->ntags, &f);
		al_emit_klist(sb, "event_type", rt->event_types,
		    rt->nevent_types, &f);
		al_emit_klist(sb, "action", rt->actions, rt->nactions, &f);
		if (rt->severity_mask != 0) {
			sbuf_addf(sb, "%sseverity: [", f ? "" : ", ");
			for (i = AL_SEV_INFO, any = 0; i <= AL_SEV_CRITICAL;
			    i++)
				if (rt->severity_mask & (1U << i))
					sbuf_addf(sb, "%s%s", any++ ? ", " :
					    "", al_sev_names[i]);
			sbuf_addc(sb, ']');
		}
		sbuf_adds(sb, "}\n");
	}
	sbuf_adds(sb, "    receivers: ");
	al_emit_list(sb, rt->receivers, rt->nreceivers);
	sbuf_addc(sb, '\n');
	if (rt->group_by != NULL) {
		sbuf_adds(sb, "    group_by: ");
		al_emit_list(sb, rt->group_by, rt->ngroup_by);
		sbuf_addc(sb, '\n');
	}
	sbuf_adds(sb, "    group_wait: ");
	al_emit_dur(sb, rt->group_wait_ms);
	sbuf_adds(sb, "\n    group_interval: ");
	al_emit_dur(sb, rt->group_interval_ms);
	sbuf_adds(sb, "\n    repeat_interval: ");
	al_emit_dur(sb, rt->repeat_interval_ms);
	sbuf_addf(sb, "\n    continue: %s\n", rt->cont ? "true" : "false");
}

char *
alerts_redact(const struct al_config *cfg)
{
	struct sbuf	 sb;
	size_t		 i;

	sbuf_init(&sb);
	sbuf_adds(&sb, "# alerts configuration with every secret replaced "
	    "(alerts_redact)\nredacted: true\ndefaults:\n  dns_resolver: ");
	al_emit_str(&sb, cfg->dns_resolver != NULL ? cfg->dns_resolver :
	    "127.0.0.1:53");
	sbuf_adds(&sb, "\n  timeout: ");
	al_emit_dur(&sb, cfg->timeout_ms);
	sbuf_adds(&sb, "\n  retry: {initial: ");
	al_emit_dur(&sb, cfg->retry_initial_ms);
	sbuf_adds(&sb, ", max: ");
	al_emit_dur(&sb, cfg->retry_max_ms);
	sbuf_adds(&sb, ", max_age: ");
	al_emit_dur(&sb, cfg->retry_max_age_ms);
	sbuf_addf(&sb, "}\n  circuit: {failures: %u, open_for: ",
	    cfg->circuit_failures);
	al_emit_dur(&sb, cfg->circuit_open_ms);
	sbuf_addf(&sb, "}\n  max_inflight: %u\n", cfg->max_inflight);
	if (cfg->ca_file != NULL) {
		sbuf_adds(&sb, "  ca_file: ");
		al_emit_str(&sb, cfg->ca_file);
		sbuf_addc(&sb, '\n');
	}
	sbuf_adds(&sb, "receivers:");
	if (cfg->nreceivers == 0)
		sbuf_adds(&sb, " []");
	sbuf_addc(&sb, '\n');
	for (i = 0; i < cfg->nreceivers; i++)
		al_emit_receiver(&sb, &cfg->receivers[i]);
	sbuf_adds(&sb, "routes:");
	if (cfg->nroutes == 0)
		sbuf_adds(&sb, " []");
	sbuf_addc(&sb, '\n');
	for (i = 0; i < cfg->nroutes; i++)
		al_emit_route(&sb, &cfg->routes[i]);
	return sb.buf;
}
