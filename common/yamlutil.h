/*
 * common/yamlutil.h -- small helpers shared by the strict YAML loaders
 * (common/config.c, common/policy*.c, common/alerts.c): "FILE:LINE:COL: message" errors
 * from node marks and YAML 1.2 core-schema resolution of plain scalars.
 */
#ifndef TRIPLINE_YAMLUTIL_H
#define TRIPLINE_YAMLUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

/* Write "path:LINE:COL: message" (1-based, from node's start mark) into
 * err and return ERR_PARSE. */
int	yamlu_verror(const char *path, const yaml_node_t *node, char *err,
	    size_t errlen, const char *fmt, va_list ap)
	    __attribute__((__format__(printf, 5, 0)));
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
/* len decimal digits (nothing else) into *out: 0, ERR_PARSE (not digits,
 * empty) or ERR_RANGE (over UINT64_MAX). */
int	yamlu_digits(const char *s, size_t len, uint64_t *out);

#endif
