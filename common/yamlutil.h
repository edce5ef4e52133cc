/*
 * common/yamlutil.h -- the strict YAML walker shared by tripline's three
 * YAML loaders (common/config.c, common/policy*.c, common/alerts.c).
 *
 * It loads exactly one document (libyaml document API), walks mappings
 * against a table of known keys and reads typed scalars.  Every error is
 * "FILE:LINE:COL: message" (1-based, at the offending node) in the
 * caller's buffer and returns ERR_PARSE.  The loaders keep their schemas:
 * key tables, the order in which values are read and the checks of what a
 * value means.
 *
 * The rules, one set for all three loaders:
 * - a key is a scalar with no tag but !!str that is not a plain null;
 * - keys are unique and among the mapping's known keys;
 * - scalars follow YAML 1.2 core-schema rules on their style: booleans and
 *   integers must be plain (a quoted "5" is a string), strings reject plain
 *   nulls and booleans, and a scalar with an explicit tag other than !!str
 *   is no value at all (so "!!int 5" is neither an integer nor a string);
 * - an integer is [-]digits, the '-' only where the range has negative
 *   numbers.
 */
#ifndef TRIPLINE_YAMLUTIL_H
#define TRIPLINE_YAMLUTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include <yaml.h>

/* One loaded document and where its errors go. */
struct yamlu_doc {
	const char	*path;		/* names the document */
	char		*err;		/* may be NULL */
	size_t		 errlen;
	yaml_document_t	 doc;
	int		 loaded;
};

/* --- documents ---------------------------------------------------- */

/* Set up y (clears err); nothing is allocated yet. */
void	yamlu_init(struct yamlu_doc *y, const char *path, char *err,
	    size_t errlen);
/* Load the one document of buf[len] (or of fp).  *root is NULL when the
 * stream holds no document.  0; ERR_PARSE for a syntax error or a second
 * document (its message is single, or "expected a single YAML document"
 * if NULL); ERR_NOMEM if libyaml cannot start. */
int	yamlu_load_buf(struct yamlu_doc *y, const char *buf, size_t len,
	    const char *single, yaml_node_t **root);
int	yamlu_load_file(struct yamlu_doc *y, FILE *fp, const char *single,
	    yaml_node_t **root);
/* Free the document (NULL-safe, idempotent). */
void	yamlu_clear(struct yamlu_doc *y);

/* "path:LINE:COL: message" at node into y->err; returns ERR_PARSE. */
int	yamlu_error(struct yamlu_doc *y, const yaml_node_t *node,
	    const char *fmt, ...) __attribute__((__format__(printf, 3, 4)));
int	yamlu_verror(struct yamlu_doc *y, const yaml_node_t *node,
	    const char *fmt, va_list ap)
	    __attribute__((__format__(printf, 3, 0)));

/*
 * A stream of documents (several separated by "---"): open on buf[len],
 * then yamlu_stream_next loads the next document into y (its previous
 * one freed); *root is NULL at the end of the stream.  Marks (lines,
 * columns) count from the start of buf.  0, ERR_PARSE (syntax error, in
 * y->err) or ERR_NOMEM.  Close frees the parser (NULL-safe after open).
 */
struct yamlu_stream {
	yaml_parser_t	 parser;
	int		 open;
};
int	yamlu_stream_open(struct yamlu_stream *s, struct yamlu_doc *y,
	    const char *buf, size_t len);
int	yamlu_stream_next(struct yamlu_stream *s, struct yamlu_doc *y,
	    yaml_node_t **root);
void	yamlu_stream_close(struct yamlu_stream *s);

/* --- nodes -------------------------------------------------------- */

yaml_node_t *yamlu_node(struct yamlu_doc *y, int id);
/* Number of items of a sequence or pairs of a mapping; else 0. */
size_t	yamlu_count(const yaml_node_t *n);
/* Item i of a sequence (i < yamlu_count). */
yaml_node_t *yamlu_item(struct yamlu_doc *y, const yaml_node_t *seq,
	    size_t i);
/* Pair i of a mapping (i < yamlu_count): 0, or ERR_PARSE "what: broken
 * mapping". */
int	yamlu_pair(struct yamlu_doc *y, const yaml_node_t *map, size_t i,
	    const char *what, yaml_node_t **key, yaml_node_t **val);

/* --- scalars ------------------------------------------------------ */

/* The scalar's bytes (a scalar node only). */
const char *yamlu_sval(const yaml_node_t *);
/* Written without quotes or block style? */
int	yamlu_is_plain(const yaml_node_t *);
/* A plain null: empty, ~, null, Null, NULL. */
int	yamlu_plain_null(const yaml_node_t *);
/* A plain boolean: 1 true, 0 false, -1 not a boolean. */
int	yamlu_plain_bool(const yaml_node_t *);
/* A scalar with no explicit tag other than !!str?  1/0. */
int	yamlu_scalar(const yaml_node_t *);
/* A scalar that is a plain null?  1/0. */
int	yamlu_null(const yaml_node_t *);
/* len decimal digits (nothing else) into *out: 0, ERR_PARSE (not digits,
 * empty) or ERR_RANGE (over UINT64_MAX). */
int	yamlu_digits(const char *s, size_t len, uint64_t *out);

/* --- mappings ----------------------------------------------------- */

/*
 * Walk mapping map in document order.  Each key must be a key (see above),
 * unique and one of known[] (NULL-terminated); fn(y, index in known, key,
 * value, arg) runs for each pair as soon as its key is checked, and a
 * non-zero return stops the walk.  Errors, "what: " first: "expected a
 * mapping", "expected a key (a plain string)", "duplicate key 'K' (first
 * at line N)", "unknown key 'K'; expected one of: A, B, ...".
 */
typedef int (*yamlu_pair_fn)(struct yamlu_doc *, int, yaml_node_t *,
    yaml_node_t *, void *);
int	yamlu_walk(struct yamlu_doc *y, yaml_node_t *map, const char *what,
	    const char *const *known, yamlu_pair_fn fn, void *arg);
/* The same walk collecting each known key's value into vals[] (and its
 * key node into keys[], if not NULL); NULL for the keys not present. */
int	yamlu_map(struct yamlu_doc *y, yaml_node_t *map, const char *what,
	    const char *const *known, yaml_node_t **keys, yaml_node_t **vals);
/* "A, B, C" from a NULL-terminated list, truncated to len. */
void	yamlu_list(const char *const *list, char *buf, size_t len);

/* --- sequences ---------------------------------------------------- */

/* A sequence of at most max items (0: any; limname names the limit):
 * "what: expected a sequence", "what: N entries; at most M (limname)". */
int	yamlu_seq(struct yamlu_doc *y, yaml_node_t *n, const char *what,
	    size_t max, const char *limname, size_t *count);

/* --- typed values: "what: expected ..." errors ------------------------ */

/* A non-empty string: "expected a string", "expected a non-empty
 * string".  The checks of yamlu_str without the copy. */
int	yamlu_string(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what);
/* A non-empty string without NUL bytes ("string contains a NUL byte"), of
 * at most maxlen bytes if maxlen > 0 ("N bytes; at most M (limname)"),
 * copied into *out (the old *out is freed). */
int	yamlu_str(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what, size_t maxlen, const char *limname, char **out);
/* v (read from n) is a name, str_is_name(v, maxlen)?  0, or "expected a
 * name of at most N letters, digits, '.', '-' or '_' (not first)". */
int	yamlu_name_check(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what, const char *v, size_t maxlen);
/* A string or a number, NUL bytes kept: "expected a string or a
 * number". */
int	yamlu_text(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what, const char **s, size_t *len);
/* A plain true/false: "expected a boolean (true or false)". */
int	yamlu_bool(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what, int *out);
/* A plain decimal integer in [min, max]: "expected an integer from MIN to
 * MAX". */
int	yamlu_int(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what, int64_t min, int64_t max, int64_t *out);
int	yamlu_u32(struct yamlu_doc *y, const yaml_node_t *n,
	    const char *what, uint32_t min, uint32_t max, uint32_t *out);

#endif
