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
	cfg->batch_ms = 200;
	cfg->batch_rows = 10000;
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

static int
config_get_size(struct yamlu_doc *y, const yaml_node_t *n, const char *key,
    uint64_t *out)
{
	const char *s;
	size_t	 len;
	uint64_t v, mult = 1;
	int	 r;

	if (!yamlu_scalar(n))
		goto bad;
	s = yamlu_sval(n);
	len = strlen(s);
	if (len > 0) {
		switch (s[len - 1]) {
		case 'k':
		case 'K':
			mult = 1ULL << 10;
			break;
		case 'm':
		case 'M':
			mult = 1ULL << 20;
			break;
		case 'g':
		case 'G':
			mult = 1ULL << 30;
			break;
		default:
			break;
		}
	}
	/* a bare number must be a plain integer; "8M" may be quoted */
	if (mult == 1 && !yamlu_is_plain(n))
		goto bad;
	if (mult != 1)
		len--;
	if ((r = yamlu_digits(s, len, &v)) == ERR_PARSE)
		goto bad;
	if (r != 0 || v > UINT64_MAX / mult)
		goto range;
	v *= mult;
	if (v < CONFIG_MIN_RINGBUF || v > CONFIG_MAX_RINGBUF ||
	    (v & (v - 1)) != 0)
		goto range;
	*out = v;
	return 0;
bad:
	return yamlu_error(y, n, "%s: expected a size in bytes (integer, "
	    "optionally with a K, M or G suffix)", key);
range:
	return yamlu_error(y, n, "%s: expected a power of two from 4096 "
	    "to 1G", key);
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

static const char *const config_export_keys[] = { "json", NULL };

static int
config_export_pair(struct yamlu_doc *y, int i, yaml_node_t *k, yaml_node_t *v,
    void *arg)
{
	struct tripline_config *cfg = arg;

	return yamlu_bool(y, v, "export.json", &cfg->export_json);
}

static const char *const config_store_keys[] = {
	"batch_ms", "batch_rows", NULL
};

static int
config_store_pair(struct yamlu_doc *y, int i, yaml_node_t *k, yaml_node_t *v,
    void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 0)
		return yamlu_u32(y, v, "store.batch_ms", 1, 60000,
		    &cfg->batch_ms);
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

static const char *const config_top_keys[] = {
	"state_dir", "node_name", "ring_buffer_size", "sandbox", "users",
	"export", "store", "alerts_file", "metrics",
	"syslog",
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
		return yamlu_walk(y, v, "metrics", config_metrics_keys,
		    config_metrics_pair, cfg);
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
