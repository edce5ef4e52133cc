/*
 * common/policy_docs.c -- files of several policies: YAML documents
 * separated by "---" (as Tetragon's examples and kubectl take them).
 * Every document is parsed; an error in any of them refuses the whole
 * file.  Each policy keeps as its source (policy.src: what a reload
 * compares and `policy add` stores) the lines of its own document, or the
 * whole file when it is the only one.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmalloc.h"

#include "policy_int.h"

/* Byte offset of the start of line (0-based) in buf[len]. */
static size_t
pol_line_off(const char *buf, size_t len, size_t line)
{
	size_t	 off = 0;
	const char *nl;

	while (line > 0 && off < len &&
	    (nl = memchr(buf + off, '\n', len - off)) != NULL) {
		off = (size_t)(nl - buf) + 1;
		line--;
	}
	return line > 0 ? len : off;
}

/* Each policy's source: the lines from its document's start (the first:
 * the file's start) to the next one's.  starts[i]: 0-based line. */
static void
pol_docs_src(struct policy **v, const size_t *starts, size_t n,
    const char *buf, size_t len)
{
	size_t	 i, a, b;

	for (i = 0; i < n; i++) {
		a = i == 0 ? 0 : pol_line_off(buf, len, starts[i]);
		b = i + 1 == n ? len : pol_line_off(buf, len, starts[i + 1]);
		v[i]->srclen = b - a;
		v[i]->src = xmalloc(b - a + 1);
		memcpy(v[i]->src, buf + a, b - a);
		v[i]->src[b - a] = '\0';
	}
}

/* A document with nothing in it (a trailing "---"): skipped. */
static int
pol_doc_empty(const yaml_node_t *root)
{
	return root->type == YAML_SCALAR_NODE && yamlu_plain_null(root);
}

/* Policy p (at document start line, 0-based) has a name an earlier one
 * of the file has: an error. */
static int
pol_docs_dup(struct yamlu_doc *y, yaml_node_t *root, struct policy **v,
    size_t n, const struct policy *p)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i]->name, p->name) == 0)
			return yamlu_error(y, root, "metadata.name '%s': the "
			    "policy at line %d of this file has that name",
			    p->name, v[i]->line);
	return 0;
}

/* The documents of the stream s into v (n of them, starts[] their
 * lines); 0 or an error in y->err. */
static int
pol_docs_parse(struct yamlu_stream *s, struct yamlu_doc *y, const char *name,
    struct policy ***vp, size_t **startsp, size_t *np)
{
	struct policy	*p;
	yaml_node_t	*root;
	int		 r;

	for (;;) {
		if ((r = yamlu_stream_next(s, y, &root)) != 0)
			return r;
		if (root == NULL)
			return 0;
		if (pol_doc_empty(root))
			continue;
		if (*np == POL_MAX_DOCS)
			return yamlu_error(y, root, "more than %d policies in "
			    "one file (POL_MAX_DOCS)", POL_MAX_DOCS);
		if ((r = pol_parse_doc(y, root, name, &p)) != 0)
			return r;
		if ((r = pol_docs_dup(y, root, *vp, *np, p)) != 0) {
			policy_free(p);
			return r;
		}
		*vp = xreallocarray(*vp, *np + 1, sizeof(**vp));
		*startsp = xreallocarray(*startsp, *np + 1, sizeof(**startsp));
		(*vp)[*np] = p;
		(*startsp)[*np] = y->doc.start_mark.line;
		(*np)++;
	}
}

int
policy_load_buf_all(const char *name, const char *buf, size_t len,
    struct policy ***out, size_t *nout, char *err, size_t errlen)
{
	struct yamlu_stream s;
	struct yamlu_doc y;
	struct policy	**v = NULL;
	size_t		 *starts = NULL, n = 0;
	int		  r;

	*out = NULL;
	*nout = 0;
	yamlu_init(&y, name, err, errlen);
	if ((r = yamlu_stream_open(&s, &y, buf, len)) != 0)
		return r;
	r = pol_docs_parse(&s, &y, name, &v, &starts, &n);
	yamlu_clear(&y);
	yamlu_stream_close(&s);
	if (r == 0 && n == 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s:1:1: empty file: expected a "
			    "TracingPolicy", name);
		r = ERR_PARSE;
	}
	if (r != 0) {
		policy_free_all(v, n);
		free(starts);
		return r;
	}
	if (n == 1) {
		starts[0] = 0;	/* the whole file, as read */
		pol_docs_src(v, starts, 1, buf, len);
	} else
		pol_docs_src(v, starts, n, buf, len);
	free(starts);
	*out = v;
	*nout = n;
	return 0;
}

int
policy_load_file_all(const char *path, struct policy ***out, size_t *n,
    char *err, size_t errlen)
{
	char	*buf;
	size_t	 len;
	int	 r;

	*out = NULL;
	*n = 0;
	if ((r = pol_read_file(path, &buf, &len, err, errlen)) != 0)
		return r;
	r = policy_load_buf_all(path, buf, len, out, n, err, errlen);
	free(buf);
	return r;
}

void
policy_free_all(struct policy **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		policy_free(v[i]);
	free(v);
}
