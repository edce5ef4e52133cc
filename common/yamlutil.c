/* common/yamlutil.c */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "yamlutil.h"

int
yamlu_verror(const char *path, const yaml_node_t *node, char *err,
    size_t errlen, const char *fmt, va_list ap)
{
	char	 msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s:%zu:%zu: %s", path,
		    node->start_mark.line + 1, node->start_mark.column + 1,
		    msg);
	return ERR_PARSE;
}

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
