/*
 * common/config.c -- strict tripline.yaml loader (libyaml document API).
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
#include <stdarg.h>
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

struct config_ctx {
	const char	*path;
	yaml_document_t	*doc;
	char		*err;
	size_t		 errlen;
};

static int config_error(struct config_ctx *, const yaml_node_t *,
    const char *, ...) __attribute__((__format__(printf, 3, 4)));

static int
config_error(struct config_ctx *c, const yaml_node_t *node, const char *fmt,
    ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = yamlu_verror(c->path, node, c->err, c->errlen, fmt, ap);
	va_end(ap);
	return r;
}

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
}

static int
config_get_str(struct config_ctx *c, const yaml_node_t *n, const char *key,
    char **out)
{
	if (!yamlu_scalar(n) || yamlu_plain_null(n) ||
	    yamlu_plain_bool(n) != -1)
		return config_error(c, n, "%s: expected a string", key);
	if (n->data.scalar.length == 0)
		return config_error(c, n, "%s: expected a non-empty string",
		    key);
	if (strlen(yamlu_sval(n)) != n->data.scalar.length)
		return config_error(c, n, "%s: string contains NUL", key);
	free(*out);
	*out = xstrdup(yamlu_sval(n));
	return 0;
}

static int
config_get_bool(struct config_ctx *c, const yaml_node_t *n, const char *key,
    int *out)
{
	int	 b;

	if (!yamlu_scalar(n) || (b = yamlu_plain_bool(n)) == -1)
		return config_error(c, n, "%s: expected a boolean "
		    "(true or false)", key);
	*out = b;
	return 0;
}

static int
config_get_u32(struct config_ctx *c, const yaml_node_t *n, const char *key,
    uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	const char *s;

	if (!yamlu_scalar(n) || !yamlu_is_plain(n))
		goto bad;
	s = yamlu_sval(n);
	if (*s == '+')
		s++;
	if (yamlu_digits(s, strlen(s), &v) != 0 || v < min || v > max)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	return config_error(c, n, "%s: expected an integer from %u to %u",
	    key, min, max);
}

static int
config_get_size(struct config_ctx *c, const yaml_node_t *n, const char *key,
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
	return config_error(c, n, "%s: expected a size in bytes (integer, "
	    "optionally with a K, M or G suffix)", key);
range:
	return config_error(c, n, "%s: expected a power of two from 4096 "
	    "to 1G", key);
}

static int
config_get_name(struct config_ctx *c, const yaml_node_t *n, const char *key,
    size_t maxlen, char **out)
{
	char	*v = NULL;
	int	 r;

	if ((r = config_get_str(c, n, key, &v)) != 0)
		return r;
	if (!str_is_name(v, maxlen)) {
		free(v);
		return config_error(c, n, "%s: expected a name of at most "
		    "%zu letters, digits, '.', '-' or '_' (not first)", key,
		    maxlen);
	}
	free(*out);
	*out = v;
	return 0;
}

/*
 * Walk a mapping: check keys are scalars, unique and in known[]; for each
 * pair call fn(c, key index, value node, arg).
 */
typedef int (*config_pair_fn)(struct config_ctx *, int, const char *,
    yaml_node_t *, void *);

static int
config_mapping(struct config_ctx *c, yaml_node_t *map, const char *what,
    const char *const *known, config_pair_fn fn, void *arg)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t	*k, *v, *k2;
	char		 list[256];
	int		 i, r;

	if (map->type != YAML_MAPPING_NODE)
		return config_error(c, map, "%s: expected a mapping", what);
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if (k == NULL || v == NULL)
			return config_error(c, map, "%s: broken mapping",
			    what);
		if (!yamlu_scalar(k))
			return config_error(c, k, "%s: expected a key "
			    "(a plain string)", what);
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			k2 = yaml_document_get_node(c->doc, q->key);
			if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
			    strcmp(yamlu_sval(k2), yamlu_sval(k)) == 0)
				return config_error(c, k, "%s: duplicate key "
				    "'%s' (first at line %zu)", what,
				    yamlu_sval(k),
				    k2->start_mark.line + 1);
		}
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], yamlu_sval(k)) == 0)
				break;
		if (known[i] == NULL) {
			list[0] = '\0';
			for (i = 0; known[i] != NULL; i++) {
				if (i > 0)
					strncat(list, ", ", sizeof(list) -
					    strlen(list) - 1);
				strncat(list, known[i], sizeof(list) -
				    strlen(list) - 1);
			}
			return config_error(c, k, "%s: unknown key '%.64s'; "
			    "expected one of: %s", what, yamlu_sval(k),
			    list);
		}
		if ((r = fn(c, i, yamlu_sval(k), v, arg)) != 0)
			return r;
	}
	return 0;
}

static const char *const config_users_keys[] = {
	"collector", "notifier", NULL
};

static int
config_users_pair(struct config_ctx *c, int i, const char *key,
    yaml_node_t *v, void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 0)
		return config_get_name(c, v, "users.collector", 32,
		    &cfg->collector_user);
	return config_get_name(c, v, "users.notifier", 32,
	    &cfg->notifier_user);
}

static const char *const config_export_keys[] = { "json", NULL };

static int
config_export_pair(struct config_ctx *c, int i, const char *key,
    yaml_node_t *v, void *arg)
{
	struct tripline_config *cfg = arg;

	return config_get_bool(c, v, "export.json", &cfg->export_json);
}

static const char *const config_store_keys[] = {
	"batch_ms", "batch_rows", NULL
};

static int
config_store_pair(struct config_ctx *c, int i, const char *key,
    yaml_node_t *v, void *arg)
{
	struct tripline_config *cfg = arg;

	if (i == 0)
		return config_get_u32(c, v, "store.batch_ms", 1, 60000,
		    &cfg->batch_ms);
	return config_get_u32(c, v, "store.batch_rows", 1, 1000000,
	    &cfg->batch_rows);
}

static const char *const config_top_keys[] = {
	"state_dir", "node_name", "ring_buffer_size", "sandbox", "users",
	"export", "store", "alerts_file", NULL
};

static int
config_top_pair(struct config_ctx *c, int i, const char *key,
    yaml_node_t *v, void *arg)
{
	struct tripline_config *cfg = arg;
	char	*s = NULL;
	int	 r, mode;

	switch (i) {
	case 0:
		if ((r = config_get_str(c, v, "state_dir", &s)) != 0)
			return r;
		if (s[0] != '/') {
			free(s);
			return config_error(c, v, "state_dir: expected an "
			    "absolute path");
		}
		free(cfg->state_dir);
		cfg->state_dir = s;
		return 0;
	case 1:
		return config_get_name(c, v, "node_name", CONFIG_MAX_NAME,
		    &cfg->node_name);
	case 2:
		return config_get_size(c, v, "ring_buffer_size",
		    &cfg->ringbuf_size);
	case 3:
		if (!yamlu_scalar(v) || (mode = sandbox_mode_parse(yamlu_sval(v))) == -1)
			return config_error(c, v, "sandbox: expected one of "
			    "enforce, trap, log, off");
		cfg->sandbox_mode = mode;
		return 0;
	case 4:
		return config_mapping(c, v, "users", config_users_keys,
		    config_users_pair, cfg);
	case 5:
		return config_mapping(c, v, "export", config_export_keys,
		    config_export_pair, cfg);
	case 7:
		if ((r = config_get_str(c, v, "alerts_file", &s)) != 0)
			return r;
		if (strcmp(s, "none") == 0) {
			free(s);
			s = NULL;
		} else if (s[0] != '/') {
			free(s);
			return config_error(c, v, "alerts_file: expected an "
			    "absolute path or none");
		}
		free(cfg->alerts_file);
		cfg->alerts_file = s;
		return 0;
	default:
		return config_mapping(c, v, "store", config_store_keys,
		    config_store_pair, cfg);
	}
}

int
config_load(const char *path, struct tripline_config *cfg, char *err,
    size_t errlen)
{
	struct tripline_config tmp;
	struct config_ctx c;
	yaml_parser_t	 parser;
	yaml_document_t	 doc, doc2;
	yaml_node_t	*root, *extra;
	FILE		*fp;
	int		 r, have_doc = 0, saved;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((fp = fopen(path, "re")) == NULL) {
		saved = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(saved));
		errno = saved;
		return ERR_SYS;
	}
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.doc = &doc;
	c.err = err;
	c.errlen = errlen;

	config_copy(&tmp, cfg);
	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		config_clear(&tmp);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot initialise YAML "
			    "parser", path);
		return ERR_NOMEM;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc))
		goto syntax;
	have_doc = 1;
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		/* empty file: all defaults */
		r = 0;
		goto out;
	}
	/* exactly one document */
	if (!yaml_parser_load(&parser, &doc2))
		goto syntax;
	extra = yaml_document_get_root_node(&doc2);
	if (extra != NULL) {
		r = config_error(&c, extra, "expected a single YAML "
		    "document");
		yaml_document_delete(&doc2);
		goto out;
	}
	yaml_document_delete(&doc2);

	if (root->type != YAML_MAPPING_NODE) {
		r = config_error(&c, root, "expected a mapping of settings "
		    "at top level");
		goto out;
	}
	r = config_mapping(&c, root, "configuration", config_top_keys,
	    config_top_pair, &tmp);
	goto out;

syntax:
	if (err != NULL && errlen > 0) {
		if (parser.context != NULL)
			snprintf(err, errlen, "%s:%zu:%zu: %s (%s at line "
			    "%zu)", path, parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "syntax error",
			    parser.context, parser.context_mark.line + 1);
		else
			snprintf(err, errlen, "%s:%zu:%zu: %s", path,
			    parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "syntax error");
	}
	r = ERR_PARSE;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	if (r == 0) {
		config_clear(cfg);
		*cfg = tmp;
	} else
		config_clear(&tmp);
	return r;
}
