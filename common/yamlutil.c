/*
 * common/yamlutil.c -- the strict YAML walker of common/yamlutil.h: one
 * document, mappings checked against key tables, typed scalars, errors as
 * "FILE:LINE:COL: message".
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "str.h"
#include "xmalloc.h"
#include "yamlutil.h"

/* --- documents ---------------------------------------------------- */

void
yamlu_init(struct yamlu_doc *y, const char *path, char *err, size_t errlen)
{
	memset(y, 0, sizeof(*y));
	y->path = path;
	y->err = err;
	y->errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

void
yamlu_clear(struct yamlu_doc *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
}

int
yamlu_verror(struct yamlu_doc *y, const yaml_node_t *node, const char *fmt,
    va_list ap)
{
	char	 msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (y->err != NULL && y->errlen > 0)
		snprintf(y->err, y->errlen, "%s:%zu:%zu: %s", y->path,
		    node->start_mark.line + 1, node->start_mark.column + 1,
		    msg);
	return ERR_PARSE;
}

int
yamlu_error(struct yamlu_doc *y, const yaml_node_t *node, const char *fmt,
    ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = yamlu_verror(y, node, fmt, ap);
	va_end(ap);
	return r;
}

/* libyaml's own message: "path:LINE:COL: problem[ (context at line N)]". */
static int
yamlu_syntax(struct yamlu_doc *y, const yaml_parser_t *parser)
{
	const char *problem;

	if (y->err == NULL || y->errlen == 0)
		return ERR_PARSE;
	problem = parser->problem != NULL ? parser->problem : "syntax error";
	if (parser->context != NULL)
		snprintf(y->err, y->errlen, "%s:%zu:%zu: %s (%s at line %zu)",
		    y->path, parser->problem_mark.line + 1,
		    parser->problem_mark.column + 1, problem, parser->context,
		    parser->context_mark.line + 1);
	else
		snprintf(y->err, y->errlen, "%s:%zu:%zu: %s", y->path,
		    parser->problem_mark.line + 1,
		    parser->problem_mark.column + 1, problem);
	return ERR_PARSE;
}

static int
yamlu_load(struct yamlu_doc *y, const char *buf, size_t len, FILE *fp,
    const char *single, yaml_node_t **root)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc2;
	yaml_node_t	*extra;
	int		 r = 0;

	*root = NULL;
	yamlu_clear(y);
	if (!yaml_parser_initialize(&parser)) {
		if (y->err != NULL && y->errlen > 0)
			snprintf(y->err, y->errlen, "%s: cannot initialise "
			    "YAML parser", y->path);
		return ERR_NOMEM;
	}
	if (fp != NULL)
		yaml_parser_set_input_file(&parser, fp);
	else
		yaml_parser_set_input_string(&parser,
		    (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		r = yamlu_syntax(y, &parser);
		goto out;
	}
	y->loaded = 1;
	if (yaml_document_get_root_node(&y->doc) == NULL)
		goto out;		/* no document at all */
	if (!yaml_parser_load(&parser, &doc2)) {
		r = yamlu_syntax(y, &parser);
		goto out;
	}
	if ((extra = yaml_document_get_root_node(&doc2)) != NULL)
		r = yamlu_error(y, extra, "%s", single != NULL ? single :
		    "expected a single YAML document");
	yaml_document_delete(&doc2);
	if (r == 0)
		*root = yaml_document_get_root_node(&y->doc);
out:
	yaml_parser_delete(&parser);
	return r;
}

int
yamlu_load_buf(struct yamlu_doc *y, const char *buf, size_t len,
    const char *single, yaml_node_t **root)
{
	return yamlu_load(y, buf, len, NULL, single, root);
}

int
yamlu_load_file(struct yamlu_doc *y, FILE *fp, const char *single,
    yaml_node_t **root)
{
	return yamlu_load(y, NULL, 0, fp, single, root);
}

/* --- nodes -------------------------------------------------------- */

yaml_node_t *
yamlu_node(struct yamlu_doc *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

size_t
yamlu_count(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
	if (n->type == YAML_MAPPING_NODE)
		return (size_t)(n->data.mapping.pairs.top -
		    n->data.mapping.pairs.start);
	return 0;
}

yaml_node_t *
yamlu_item(struct yamlu_doc *y, const yaml_node_t *seq, size_t i)
{
	return yamlu_node(y, seq->data.sequence.items.start[i]);
}

int
yamlu_pair(struct yamlu_doc *y, const yaml_node_t *map, size_t i,
    const char *what, yaml_node_t **key, yaml_node_t **val)
{
	const yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];

	*key = yamlu_node(y, p->key);
	*val = yamlu_node(y, p->value);
	if (*key == NULL || *val == NULL)
		return yamlu_error(y, map, "%s: broken mapping", what);
	return 0;
}

/* --- scalars ------------------------------------------------------ */

const char *
yamlu_sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

int
yamlu_is_plain(const yaml_node_t *n)
{
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int
yamlu_plain_null(const yaml_node_t *n)
{
	const char *v = yamlu_sval(n);

	return yamlu_is_plain(n) && (*v == '\0' || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0);
}

int
yamlu_plain_bool(const yaml_node_t *n)
{
	const char *v = yamlu_sval(n);

	if (!yamlu_is_plain(n))
		return -1;
	if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
	    strcmp(v, "TRUE") == 0)
		return 1;
	if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 ||
	    strcmp(v, "FALSE") == 0)
		return 0;
	return -1;
}

int
yamlu_scalar(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	return n->tag == NULL ||
	    strcmp((const char *)n->tag, YAML_STR_TAG) == 0;
}

int
yamlu_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && yamlu_plain_null(n);
}

int
yamlu_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t	 i;

	if (len == 0)
		return ERR_PARSE;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_PARSE;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return ERR_RANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* --- mappings ----------------------------------------------------- */

void
yamlu_list(const char *const *list, char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; list[i] != NULL; i++) {
		if (i > 0)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, list[i], len - strlen(buf) - 1);
	}
}

int
yamlu_walk(struct yamlu_doc *y, yaml_node_t *map, const char *what,
    const char *const *known, yamlu_pair_fn fn, void *arg)
{
	yaml_node_t	*k, *v, *k2;
	char		 list[1024];
	size_t		 i, j, n;
	int		 ki, r;

	if (map->type != YAML_MAPPING_NODE)
		return yamlu_error(y, map, "%s: expected a mapping", what);
	n = yamlu_count(map);
	for (i = 0; i < n; i++) {
		if ((r = yamlu_pair(y, map, i, what, &k, &v)) != 0)
			return r;
		if (!yamlu_scalar(k) || yamlu_plain_null(k))
			return yamlu_error(y, k, "%s: expected a key (a plain "
			    "string)", what);
		/* the keys before this one passed these checks */
		for (j = 0; j < i; j++) {
			k2 = yamlu_node(y,
			    map->data.mapping.pairs.start[j].key);
			if (strcmp(yamlu_sval(k2), yamlu_sval(k)) == 0)
				return yamlu_error(y, k, "%s: duplicate key "
				    "'%.64s' (first at line %zu)", what,
				    yamlu_sval(k), k2->start_mark.line + 1);
		}
		for (ki = 0; known[ki] != NULL; ki++)
			if (strcmp(known[ki], yamlu_sval(k)) == 0)
				break;
		if (known[ki] == NULL) {
			yamlu_list(known, list, sizeof(list));
			return yamlu_error(y, k, "%s: unknown key '%.64s'; "
			    "expected one of: %s", what, yamlu_sval(k), list);
		}
		if ((r = fn(y, ki, k, v, arg)) != 0)
			return r;
	}
	return 0;
}

struct yamlu_collect {
	yaml_node_t	**keys;
	yaml_node_t	**vals;
};

static int
yamlu_collect_pair(struct yamlu_doc *y, int i, yaml_node_t *k,
    yaml_node_t *v, void *arg)
{
	struct yamlu_collect *c = arg;

	if (c->keys != NULL)
		c->keys[i] = k;
	c->vals[i] = v;
	return 0;
}

int
yamlu_map(struct yamlu_doc *y, yaml_node_t *map, const char *what,
    const char *const *known, yaml_node_t **keys, yaml_node_t **vals)
{
	struct yamlu_collect c = { keys, vals };
	size_t	 i;

	for (i = 0; known[i] != NULL; i++) {
		if (keys != NULL)
			keys[i] = NULL;
		vals[i] = NULL;
	}
	return yamlu_walk(y, map, what, known, yamlu_collect_pair, &c);
}

/* --- sequences ---------------------------------------------------- */

int
yamlu_seq(struct yamlu_doc *y, yaml_node_t *n, const char *what,
    size_t max, const char *limname, size_t *count)
{
	size_t	 len;

	if (n->type != YAML_SEQUENCE_NODE)
		return yamlu_error(y, n, "%s: expected a sequence", what);
	len = yamlu_count(n);
	if (max > 0 && len > max)
		return yamlu_error(y, n, "%s: %zu entries; at most %zu (%s)",
		    what, len, max, limname);
	*count = len;
	return 0;
}

/* --- typed values ------------------------------------------------- */

int
yamlu_string(struct yamlu_doc *y, const yaml_node_t *n, const char *what)
{
	if (!yamlu_scalar(n) || yamlu_plain_null(n) ||
	    yamlu_plain_bool(n) != -1)
		return yamlu_error(y, n, "%s: expected a string", what);
	if (n->data.scalar.length == 0)
		return yamlu_error(y, n, "%s: expected a non-empty string",
		    what);
	return 0;
}

int
yamlu_str(struct yamlu_doc *y, const yaml_node_t *n, const char *what,
    size_t maxlen, const char *limname, char **out)
{
	int	 r;

	if ((r = yamlu_string(y, n, what)) != 0)
		return r;
	if (strlen(yamlu_sval(n)) != n->data.scalar.length)
		return yamlu_error(y, n, "%s: string contains a NUL byte",
		    what);
	if (maxlen > 0 && n->data.scalar.length > maxlen)
		return yamlu_error(y, n, "%s: %zu bytes; at most %zu (%s)",
		    what, n->data.scalar.length, maxlen, limname);
	free(*out);
	*out = xstrdup(yamlu_sval(n));
	return 0;
}

int
yamlu_name_check(struct yamlu_doc *y, const yaml_node_t *n,
    const char *what, const char *v, size_t maxlen)
{
	if (str_is_name(v, maxlen))
		return 0;
	return yamlu_error(y, n, "%s: expected a name of at most %zu "
	    "letters, digits, '.', '-' or '_' (not first)", what, maxlen);
}

int
yamlu_text(struct yamlu_doc *y, const yaml_node_t *n, const char *what,
    const char **s, size_t *len)
{
	if (!yamlu_scalar(n) || yamlu_plain_null(n) ||
	    yamlu_plain_bool(n) != -1)
		return yamlu_error(y, n, "%s: expected a string or a number",
		    what);
	*s = yamlu_sval(n);
	*len = n->data.scalar.length;
	return 0;
}

int
yamlu_bool(struct yamlu_doc *y, const yaml_node_t *n, const char *what,
    int *out)
{
	int	 b;

	if (!yamlu_scalar(n) || (b = yamlu_plain_bool(n)) == -1)
		return yamlu_error(y, n, "%s: expected a boolean (true or "
		    "false)", what);
	*out = b;
	return 0;
}

int
yamlu_int(struct yamlu_doc *y, const yaml_node_t *n, const char *what,
    int64_t min, int64_t max, int64_t *out)
{
	const char *s;
	uint64_t mag;
	int64_t	 v;
	int	 neg = 0;

	if (!yamlu_scalar(n) || !yamlu_is_plain(n))
		goto bad;
	s = yamlu_sval(n);
	if (*s == '-' && min < 0) {
		neg = 1;
		s++;
	}
	if (yamlu_digits(s, strlen(s), &mag) != 0)
		goto bad;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			goto bad;
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			goto bad;
		v = (int64_t)mag;
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return yamlu_error(y, n, "%s: expected an integer from %lld to %lld",
	    what, (long long)min, (long long)max);
}

int
yamlu_u32(struct yamlu_doc *y, const yaml_node_t *n, const char *what,
    uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t	 v;
	int	 r;

	if ((r = yamlu_int(y, n, what, min, max, &v)) != 0)
		return r;
	*out = (uint32_t)v;
	return 0;
}

/* --- streams of documents ----------------------------------------- */

int
yamlu_stream_open(struct yamlu_stream *s, struct yamlu_doc *y,
    const char *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	if (!yaml_parser_initialize(&s->parser)) {
		if (y->err != NULL && y->errlen > 0)
			snprintf(y->err, y->errlen, "%s: cannot initialise "
			    "YAML parser", y->path);
		return ERR_NOMEM;
	}
	yaml_parser_set_input_string(&s->parser, (const unsigned char *)buf,
	    len);
	s->open = 1;
	return 0;
}

int
yamlu_stream_next(struct yamlu_stream *s, struct yamlu_doc *y,
    yaml_node_t **root)
{
	*root = NULL;
	yamlu_clear(y);
	if (!yaml_parser_load(&s->parser, &y->doc))
		return yamlu_syntax(y, &s->parser);
	y->loaded = 1;
	*root = yaml_document_get_root_node(&y->doc);
	return 0;
}

void
yamlu_stream_close(struct yamlu_stream *s)
{
	if (s->open)
		yaml_parser_delete(&s->parser);
	s->open = 0;
}
