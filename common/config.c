/*
 * common/config.c -- strict tripline.yaml loader: the schema (key tables,
 * value checks) over the YAML walker of common/yamlutil.h.
 *
 * Scalars are typed by YAML 1.2 core-schema rules on their plain style:
 * an integer or boolean must be written plain (a quoted "5" is a string);
 * string settings reject plain null and boolean scalars.  Errors name the
 * position of the offending node as FILE:LINE:COL (1-based) and what was
 * expected there.  The configuration is applied only if the whole file is
 * valid.
 */
#include "build.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "yamlutil.h"
#include "err.h"
#include "str.h"
#include "sandbox.h"
#include "xmalloc.h"

#define CONFIG_MIN_RINGBUF	4096ULL
#define CONFIG_MAX_RINGBUF	(1ULL << 30)
#define CONFIG_MAX_NAME		253
#define CONFIG_MAX_BOUND	(1ULL << 40)		/* 1T */
#define CONFIG_MAX_AGE_S	(36500ULL * 86400)	/* 100 years */
#define CONFIG_MIN_DB		(1ULL << 20)		/* retention.max_size */

void
config_defaults(struct tripline_config *cfg)
{
	char	 host[256];

	memset(cfg, 0, sizeof(*cfg));
	cfg->state_dir = xstrdup(PKG_STATEDIR);
	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		strncpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	cfg->node_name = xstrdup(host);
	cfg->collector_user = xstrdup("tripline");
	cfg->notifier_user = xstrdup("tripline-notify");
	cfg->ringbuf_size = CONFIG_DEFAULT_RINGBUF;
	cfg->sandbox_mode = SANDBOX_ENFORCE;
	cfg->export_json = 1;
	cfg->export_keep = 5;
	cfg->batch_ms = 200;
	cfg->batch_rows = 10000;
	cfg->min_free = CONFIG_DEFAULT_MIN_FREE;
	cfg->alerts_file = xstrdup(CONFIG_DEFAULT_ALERTS);
	cfg->metrics_interval_s = 15;
	config_syslog_defaults(&cfg->syslog);
}

void
config_clear(struct tripline_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->state_dir);
	free(cfg->node_name);
	free(cfg->collector_user);
	free(cfg->notifier_user);
	free(cfg->alerts_file);
	free(cfg->metrics_file);
	config_syslog_clear(&cfg->syslog);
	memset(cfg, 0, sizeof(*cfg));
}

static void
config_copy(struct tripline_config *dst, const struct tripline_config *src)
{
	*dst = *src;
	dst->state_dir = src->state_dir ? xstrdup(src->state_dir) : NULL;
	dst->node_name = src->node_name ? xstrdup(src->node_name) : NULL;
	dst->collector_user = src->collector_user ?
	    xstrdup(src->collector_user) : NULL;
	dst->notifier_user = src->notifier_user ?
	    xstrdup(src->notifier_user) : NULL;
	dst->alerts_file = src->alerts_file ? xstrdup(src->alerts_file) :
	    NULL;
	dst->metrics_file = src->metrics_file ? xstrdup(src->metrics_file) :
	    NULL;
	config_syslog_copy(&dst->syslog, &src->syslog);
}

/*
 * A size in bytes: a plain integer, or digits with a K, M, G or T suffix
 * (either case, binary), which may be quoted.  0 (in *out), or 1 when it
 * is not one (the caller reports), ERR_RANGE over UINT64_MAX.
 */
static int
config_size_val(const yaml_node_t *n, uint64_t *out)
{
	static const char units[] = "kmgt";
	const char *s, *u;
	size_t	 len;
	uint64_t v, mult = 1;
	int	 r;

	if (!yamlu_scalar(n))
		return 1;
	s = yamlu_sval(n);
	len = strlen(s);
	if (len > 1 && (u = strchr(units, s[len - 1] | 0x20)) != NULL) {
		mult = 1ULL << (10 * (u - units + 1));
		len--;
	} else if (!yamlu_is_plain(n))
		return 1;	/* a bare number is a plain integer */
	if ((r = yamlu_digits(s, len, &v)) == ERR_PARSE)
		return 1;
	if (r != 0 || v > UINT64_MAX / mult)
		return ERR_RANGE;
	*out = v * mult;
	return 0;
}

static int
config_get_size(struct yamlu_doc *y, const yaml_node_t *n, const char *key,
    uint64_t *out)
{
	uint64_t v;
	int	 r;

	if ((r = config_size_val(n, &v)) == 1)
		return yamlu_error(y, n, "%s: expected a size in bytes "
		    "(integer, optionally with a K, M or G suffix)", key);
	if (r != 0 || v < CONFIG_MIN_RINGBUF || v > CONFIG_MAX_RINGBUF ||
	    (v & (v - 1)) != 0)
		return yamlu_error(y, n, "%s: expected a power of two from "
		    "4096 to 1G", key);
	*out = v;
	return 0;
}

/* Plain none? (a bound that is off) */
static int
config_none(const yaml_node_t *n)
{
	return yamlu_scalar(n) && yamlu_is_plain(n) &&
	    strcmp(yamlu_sval(n), "none") == 0;
}

/* A bound in bytes from min (a K/M/G/T string) to 1T, or none (0). */
static int
config_get_bound(struct yamlu_doc *y, const yaml_node_t *n, const char *key,
    uint64_t min, const char *minstr, uint64_t *out)
{
	uint64_t v;
	int	 r;

	if (config_none(n)) {
		*out = 0;
		return 0;
	}
	if ((r = config_size_val(n, &v)) == 1)
		return yamlu_error(y, n, "%s: expected a size in bytes "
		    "(integer, optionally with a K, M, G or T suffix) or "
		    "none", key);
	if (r != 0 || v < min || v > CONFIG_MAX_BOUND)
		return yamlu_error(y, n, "%s: expected a size from %s to 1T",
		    key, minstr);
	*out = v;
	return 0;
}

/* A duration of whole seconds, minutes, hours or days, or none (0). */
static int
config_get_age(struct yamlu_doc *y, const yaml_node_t *n, const char *key,
    uint64_t *out)
{
	static const struct {
		char		 unit;
		uint64_t	 secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 },
	    { 'd', 86400 } };
	const char *s;
	size_t	 len, i;
	uint64_t v;
	int	 r;

	if (config_none(n)) {
		*out = 0;
		return 0;
	}
	if (!yamlu_scalar(n) || (len = strlen(s = yamlu_sval(n))) < 2)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s[len - 1] == units[i].unit)
			break;
	if (i == sizeof(units) / sizeof(units[0]) ||
	    (r = yamlu_digits(s, len - 1, &v)) == ERR_PARSE)
		goto bad;
	if (r != 0 || v == 0 || v > CONFIG_MAX_AGE_S / units[i].secs)
		return yamlu_error(y, n, "%s: expected a duration from 1s to "
		    "36500d", key);
	*out = v * units[i].secs;
	return 0;
bad:
	return yamlu_error(y, n, "%s: expected a duration: a whole number "
	    "with a unit s, m, h or d (90s, 30m, 12h, 30d), or none", key);
}

/* store.min_free: a size up to 1T (0: no watermark) or "N%", 1..50. */
static int
config_get_min_free(struct yamlu_doc *y, const yaml_node_t *n,
    struct tripline_config *cfg)
{
	const char *s;
	size_t	 len;
	uint64_t v;
	int	 r;

	if (yamlu_scalar(n) && (len = strlen(s = yamlu_sval(n))) > 1 &&
	    s[len - 1] == '%') {
		if (yamlu_digits(s, len - 1, &v) != 0 || v < 1 || v > 50)
			return yamlu_error(y, n, "store.min_free: expected a "
			    "percentage from 1%% to 50%%");
		cfg->min_free = 0;
		cfg->min_free_pct = (uint32_t)v;
		return 0;
	}
	if ((r = config_size_val(n, &v)) == 1 || r != 0 ||
	    v > CONFIG_MAX_BOUND)
		return yamlu_error(y, n, "store.min_free: expected a size "
		    "from 0 to 1T (integer, optionally with a K, M, G or T "
		    "suffix) or a percentage (5%%)");
	cfg->min_free = v;
	cfg->min_free_pct = 0;
	return 0;
}

static int
config_get_name(struct yamlu_doc *y, const yaml_node_t *n, const char *key,
    size_t maxlen, char **out)
{
	char	*v = NULL;
	int	 r;

	if ((r = yamlu_str(y, n, key, 0, NULL, &v)) != 0 ||
	    (r = yamlu_name_check(y, n, key, v, maxlen)) != 0) {
		free(v);
		return r;
	}
	free(*out);
	*out = v;
	return 0;
}

static const char *const config_users_keys[] = {
	"collector", "notifier", NULL
};

static int
config_users_pair(struct yamlu_doc *y, int i, yaml_node_t *k, yaml_node_t *v,
    void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 0)
		return config_get_name(y, v, "users.collector", 32,
		    &cfg->collector_user);
	return config_get_name(y, v, "users.notifier", 32,
	    &cfg->notifier_user);
}

static const char *const config_export_keys[] = {
	"json", "max_size", "keep", NULL
};

static int
config_export_pair(struct yamlu_doc *y, int i, yaml_node_t *k, yaml_node_t *v,
    void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 1)
		return config_get_bound(y, v, "export.max_size", 64 << 10,
		    "64K", &cfg->export_max_size);
	if (i == 2)
		return yamlu_u32(y, v, "export.keep", 1, 100,
		    &cfg->export_keep);
	return yamlu_bool(y, v, "export.json", &cfg->export_json);
}

static const char *const config_store_keys[] = {
	"batch_ms", "batch_rows", "min_free", NULL
};

static int
config_store_pair(struct yamlu_doc *y, int i, yaml_node_t *k, yaml_node_t *v,
    void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 0)
		return yamlu_u32(y, v, "store.batch_ms", 1, 60000,
		    &cfg->batch_ms);
	if (i == 2)
		return config_get_min_free(y, v, cfg);
	return yamlu_u32(y, v, "store.batch_rows", 1, 1000000,
	    &cfg->batch_rows);
}

static const char *const config_metrics_keys[] = {
	"file", "interval_s", NULL
};

static int
config_metrics_pair(struct yamlu_doc *y, int i, yaml_node_t *k,
    yaml_node_t *v, void *arg)
{
	struct tripline_config *cfg = arg;
	char	*s = NULL;
	int	 r;

	if (i == 1)
		return yamlu_u32(y, v, "metrics.interval_s", 1, 3600,
		    &cfg->metrics_interval_s);
	if ((r = yamlu_str(y, v, "metrics.file", 0, NULL, &s)) != 0)
		return r;
	if (s[0] != '/') {
		free(s);
		return yamlu_error(y, v, "metrics.file: expected an absolute "
		    "path");
	}
	free(cfg->metrics_file);
	cfg->metrics_file = s;
	return 0;
}

static const char *const config_retention_keys[] = {
	"max_age", "max_size", NULL
};

static int
config_retention_pair(struct yamlu_doc *y, int i, yaml_node_t *k,
    yaml_node_t *v, void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 0)
		return config_get_age(y, v, "retention.max_age",
		    &cfg->max_age_s);
	return config_get_bound(y, v, "retention.max_size", CONFIG_MIN_DB,
	    "1M", &cfg->max_size);
}

static const char *const config_top_keys[] = {
	"state_dir", "node_name", "ring_buffer_size", "sandbox", "users",
	"export", "store", "alerts_file", "retention", "metrics",
	"syslog", "expose_stack_addresses",
	NULL
};

static int
config_top_pair(struct yamlu_doc *y, int i, yaml_node_t *k, yaml_node_t *v,
    void *arg)
{
	struct tripline_config *cfg = arg;
	char	*s = NULL;
	int	 r, mode;

	if (strcmp(yamlu_sval(k), "syslog") == 0)
		return config_syslog_walk(y, v, &cfg->syslog);
	switch (i) {
	case 0:
		if ((r = yamlu_str(y, v, "state_dir", 0, NULL, &s)) != 0)
			return r;
		if (s[0] != '/') {
			free(s);
			return yamlu_error(y, v, "state_dir: expected an "
			    "absolute path");
		}
		free(cfg->state_dir);
		cfg->state_dir = s;
		return 0;
	case 1:
		return config_get_name(y, v, "node_name", CONFIG_MAX_NAME,
		    &cfg->node_name);
	case 2:
		return config_get_size(y, v, "ring_buffer_size",
		    &cfg->ringbuf_size);
	case 3:
		if (!yamlu_scalar(v) ||
		    (mode = sandbox_mode_parse(yamlu_sval(v))) == -1)
			return yamlu_error(y, v, "sandbox: expected one of "
			    "enforce, trap, log, off");
		cfg->sandbox_mode = mode;
		return 0;
	case 4:
		return yamlu_walk(y, v, "users", config_users_keys,
		    config_users_pair, cfg);
	case 5:
		return yamlu_walk(y, v, "export", config_export_keys,
		    config_export_pair, cfg);
	case 7:
		if ((r = yamlu_str(y, v, "alerts_file", 0, NULL, &s)) != 0)
			return r;
		if (strcmp(s, "none") == 0) {
			free(s);
			s = NULL;
		} else if (s[0] != '/') {
			free(s);
			return yamlu_error(y, v, "alerts_file: expected an "
			    "absolute path or none");
		}
		free(cfg->alerts_file);
		cfg->alerts_file = s;
		return 0;
	case 8:
		return yamlu_walk(y, v, "retention", config_retention_keys,
		    config_retention_pair, cfg);
	case 9:
		return yamlu_walk(y, v, "metrics", config_metrics_keys,
		    config_metrics_pair, cfg);
	case 11:
		return yamlu_bool(y, v, "expose_stack_addresses",
		    &cfg->expose_stack_addresses);
	default:
		return yamlu_walk(y, v, "store", config_store_keys,
		    config_store_pair, cfg);
	}
}

int
config_load(const char *path, struct tripline_config *cfg, char *err,
    size_t errlen)
{
	struct tripline_config tmp;
	struct yamlu_doc y;
	yaml_node_t	*root;
	FILE		*fp;
	int		 r, saved;

	yamlu_init(&y, path, err, errlen);
	if ((fp = fopen(path, "re")) == NULL) {
		saved = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(saved));
		errno = saved;
		return ERR_SYS;
	}
	config_copy(&tmp, cfg);
	r = yamlu_load_file(&y, fp, NULL, &root);
	if (r != 0 || root == NULL)
		;		/* an error, or an empty file: all defaults */
	else if (root->type != YAML_MAPPING_NODE)
		r = yamlu_error(&y, root, "expected a mapping of settings at "
		    "top level");
	else
		r = yamlu_walk(&y, root, "configuration", config_top_keys,
		    config_top_pair, &tmp);
	yamlu_clear(&y);
	fclose(fp);
	if (r == 0) {
		config_clear(cfg);
		*cfg = tmp;
	} else
		config_clear(&tmp);
	return r;
}
