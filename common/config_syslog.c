/*
 * common/config_syslog.c -- the syslog: block of tripline.yaml and the
 * target syntax (config_syslog.h).
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "compat.h"
#include "config_syslog.h"
#include "err.h"
#include "xmalloc.h"
#include "yamlutil.h"

static const char *const syslog_facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7", NULL
};

int
syslog_facility_parse(const char *s)
{
	int	 i;

	for (i = 0; syslog_facilities[i] != NULL; i++)
		if (strcmp(s, syslog_facilities[i]) == 0)
			return i;
	return -1;
}

const char *
syslog_facility_name(int f)
{
	return f >= 0 && f < 24 ? syslog_facilities[f] : "?";
}

int
syslog_app_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < 33 || s[i] > 126)
			return 0;
	return i > 0 && i <= SYSLOG_APP_MAX;
}

static int
syslog_port_ok(const char *p)
{
	size_t	 i;
	long	 v = 0;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < '0' || p[i] > '9' || i >= 5)
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return i > 0 && p[0] != '0' && v <= 65535;
}

/* Host names: letters, digits, '-', '.', and ':' inside brackets. */
static int
syslog_host_ok(const char *h, int v6)
{
	size_t	 i;

	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') ||
		    h[i] == '-' || h[i] == '.' || (v6 && h[i] == ':')))
			return 0;
	return i > 0;
}

int
syslog_target_parse(const char *s, struct syslog_target *t)
{
	const char	*hp, *colon, *end;
	size_t		 hlen;
	int		 v6 = 0;

	memset(t, 0, sizeof(*t));
	if (strncmp(s, "udp://", 6) == 0)
		t->proto = SYSLOG_UDP;
	else if (strncmp(s, "tcp://", 6) == 0)
		t->proto = SYSLOG_TCP;
	else if (strncmp(s, "tls://", 6) == 0)
		t->proto = SYSLOG_TLS;
	else
		return ERR_PARSE;
	hp = s + 6;
	if (*hp == '[') {
		if ((end = strchr(hp, ']')) == NULL || end[1] != ':')
			return ERR_PARSE;
		hp++;
		colon = end + 1;
		v6 = 1;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL)
			return ERR_PARSE;
		end = colon;
	}
	hlen = (size_t)(end - hp);
	if (hlen == 0 || hlen > SYSLOG_HOST_MAX ||
	    strlen(colon + 1) >= sizeof(t->port))
		return ERR_PARSE;
	memcpy(t->host, hp, hlen);
	t->host[hlen] = '\0';
	strlcpy(t->port, colon + 1, sizeof(t->port));
	if (!syslog_host_ok(t->host, v6) || !syslog_port_ok(t->port))
		return ERR_PARSE;
	return 0;
}

void
config_syslog_defaults(struct config_syslog *c)
{
	memset(c, 0, sizeof(*c));
	c->facility = SYSLOG_DEFAULT_FACILITY;
	c->app_name = xstrdup(SYSLOG_DEFAULT_APP);
	c->max_backlog = SYSLOG_DEFAULT_BACKLOG;
	c->timeout_ms = SYSLOG_DEFAULT_TIMEOUT;
}

void
config_syslog_copy(struct config_syslog *dst, const struct config_syslog *src)
{
	*dst = *src;
	dst->target = src->target != NULL ? xstrdup(src->target) : NULL;
	dst->app_name = src->app_name != NULL ? xstrdup(src->app_name) : NULL;
	dst->ca_file = src->ca_file != NULL ? xstrdup(src->ca_file) : NULL;
}

void
config_syslog_clear(struct config_syslog *c)
{
	free(c->target);
	free(c->app_name);
	free(c->ca_file);
	memset(c, 0, sizeof(*c));
}

static const char *const config_syslog_keys[] = {
	"target", "facility", "app_name", "ca_file", "max_backlog",
	"timeout_ms", NULL
};

static int
config_syslog_str(struct yamlu_doc *y, yaml_node_t *v, const char *what,
    char **out)
{
	char	*s = NULL;
	int	 r;

	if ((r = yamlu_str(y, v, what, 1024, NULL, &s)) != 0)
		return r;
	free(*out);
	*out = s;
	return 0;
}

static int
config_syslog_pair(struct yamlu_doc *y, int i, yaml_node_t *k,
    yaml_node_t *v, void *arg)
{
	struct config_syslog	*c = arg;
	struct syslog_target	 t;
	int64_t			 n;
	int			 r;

	switch (i) {
	case 0:
		if ((r = config_syslog_str(y, v, "syslog.target",
		    &c->target)) != 0)
			return r;
		if (syslog_target_parse(c->target, &t) != 0)
			return yamlu_error(y, v, "syslog.target: expected "
			    "udp://HOST:PORT, tcp://HOST:PORT or "
			    "tls://HOST:PORT");
		return 0;
	case 1:
		if (!yamlu_scalar(v) ||
		    (c->facility = syslog_facility_parse(yamlu_sval(v))) < 0)
			return yamlu_error(y, v, "syslog.facility: expected a "
			    "facility name (kern, user, daemon, auth, "
			    "authpriv, local0 ... local7, ...)");
		return 0;
	case 2:
		if ((r = config_syslog_str(y, v, "syslog.app_name",
		    &c->app_name)) != 0)
			return r;
		if (!syslog_app_ok(c->app_name))
			return yamlu_error(y, v, "syslog.app_name: expected 1 "
			    "to 48 printable ASCII characters, no space");
		return 0;
	case 3:
		if ((r = config_syslog_str(y, v, "syslog.ca_file",
		    &c->ca_file)) != 0)
			return r;
		if (c->ca_file[0] != '/')
			return yamlu_error(y, v, "syslog.ca_file: expected an "
			    "absolute path");
		return 0;
	case 4:
		if ((r = yamlu_int(y, v, "syslog.max_backlog", 1,
		    1000000000, &n)) != 0)
			return r;
		c->max_backlog = (uint64_t)n;
		return 0;
	default:
		return yamlu_u32(y, v, "syslog.timeout_ms", 100, 60000,
		    &c->timeout_ms);
	}
}

int
config_syslog_walk(struct yamlu_doc *y, void *v, struct config_syslog *c)
{
	return yamlu_walk(y, v, "syslog", config_syslog_keys,
	    config_syslog_pair, c);
}
