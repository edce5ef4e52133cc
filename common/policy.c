/*
 * common/policy.c -- TracingPolicy YAML loader (libyaml document API):
 * typed YAML access with FILE:LINE:COL errors (as common/config.c), the
 * top level (apiVersion, kind, metadata), spec sections, options and
 * lists.  Hooks are in policy_hooks.c, selectors in policy_sel.c.
 *
 * Scalars follow YAML 1.2 core-schema rules on their style: booleans and
 * integer settings (index, argSig, ...) must be plain; string settings
 * reject plain null and booleans; selector values may be plain or quoted
 * (Tetragon's CRD has them as strings).  Nothing is returned unless the
 * whole document is valid.
 */
#include "build.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "err.h"
#include "policy_int.h"
#include "yamlutil.h"
#include "xmalloc.h"

int
pol_error(struct pol_ctx *c, const yaml_node_t *node, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = yamlu_verror(c->path, node, c->err, c->errlen, fmt, ap);
	va_end(ap);
	return r;
}

void
pol_note(struct pol_ctx *c, const yaml_node_t *node, const char *fmt, ...)
{
	struct policy *p = c->pol;
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->notes = xreallocarray(p->notes, p->nnotes + 1, sizeof(*p->notes));
	xasprintf(&p->notes[p->nnotes++], "%s:%zu:%zu: note: %s", c->path,
	    node->start_mark.line + 1, node->start_mark.column + 1, msg);
}

yaml_node_t *
pol_node(struct pol_ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

const char *
pol_sval(const yaml_node_t *n)
{
	return yamlu_sval(n);
}

/* A scalar with no explicit tag other than !!str, !!int, !!bool? */
int
pol_is_scalar(const yaml_node_t *n)
{
	const char *t;

	if (n->type != YAML_SCALAR_NODE)
		return 0;
	if (n->tag == NULL)
		return 1;
	t = (const char *)n->tag;
	return strcmp(t, YAML_STR_TAG) == 0 || strcmp(t, YAML_INT_TAG) == 0 ||
	    strcmp(t, YAML_BOOL_TAG) == 0;
}

int
pol_is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && yamlu_plain_null(n);
}

/*
 * Collect a mapping's values by key: vals[i] is the value of known[i] or
 * NULL.  Keys must be plain strings, unique and known.
 */
int
pol_map(struct pol_ctx *c, yaml_node_t *map, const char *what,
    const char *const *known, yaml_node_t **vals)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t	*k, *v, *k2;
	char		 list[768];
	int		 i;

	for (i = 0; known[i] != NULL; i++)
		vals[i] = NULL;
	if (map->type != YAML_MAPPING_NODE)
		return pol_error(c, map, "%s: expected a mapping", what);
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = pol_node(c, p->key);
		v = pol_node(c, p->value);
		if (k == NULL || v == NULL)
			return pol_error(c, map, "%s: broken mapping", what);
		if (!pol_is_scalar(k) || pol_is_null(k))
			return pol_error(c, k, "%s: expected a key (a plain "
			    "string)", what);
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			k2 = pol_node(c, q->key);
			if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
			    strcmp(pol_sval(k2), pol_sval(k)) == 0)
				return pol_error(c, k, "%s: duplicate key "
				    "'%.64s' (first at line %zu)", what,
				    pol_sval(k), k2->start_mark.line + 1);
		}
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], pol_sval(k)) == 0)
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
			return pol_error(c, k, "%s: unknown key '%.64s'; "
			    "expected one of: %s", what, pol_sval(k), list);
		}
		vals[i] = v;
	}
	return 0;
}

/* A sequence of at most max items (limname names the limit). */
int
pol_seq(struct pol_ctx *c, yaml_node_t *n, const char *what, size_t max,
    const char *limname, size_t *count)
{
	size_t	 len;

	if (n->type != YAML_SEQUENCE_NODE)
		return pol_error(c, n, "%s: expected a sequence", what);
	len = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (max > 0 && len > max)
		return pol_error(c, n, "%s: %zu entries; at most %zu (%s)",
		    what, len, max, limname);
	*count = len;
	return 0;
}

yaml_node_t *
pol_item(struct pol_ctx *c, yaml_node_t *seq, size_t i)
{
	return pol_node(c, seq->data.sequence.items.start[i]);
}

/* A scalar's text, for values (numbers or strings; NUL bytes kept). */
int
pol_text(struct pol_ctx *c, yaml_node_t *n, const char *what,
    const char **s, size_t *len)
{
	if (!pol_is_scalar(n) || pol_is_null(n) || yamlu_plain_bool(n) != -1)
		return pol_error(c, n, "%s: expected a string or a number",
		    what);
	*s = pol_sval(n);
	*len = n->data.scalar.length;
	return 0;
}

/* A non-empty string setting of at most maxlen bytes. */
int
pol_str(struct pol_ctx *c, yaml_node_t *n, const char *what, size_t maxlen,
    const char *limname, char **out)
{
	if (!pol_is_scalar(n) || pol_is_null(n) || yamlu_plain_bool(n) != -1)
		return pol_error(c, n, "%s: expected a string", what);
	if (n->data.scalar.length == 0)
		return pol_error(c, n, "%s: expected a non-empty string", what);
	if (strlen(pol_sval(n)) != n->data.scalar.length)
		return pol_error(c, n, "%s: string contains a NUL byte", what);
	if (maxlen > 0 && n->data.scalar.length > maxlen)
		return pol_error(c, n, "%s: %zu bytes; at most %zu (%s)", what,
		    n->data.scalar.length, maxlen, limname);
	free(*out);
	*out = xstrdup(pol_sval(n));
	return 0;
}

int
pol_bool(struct pol_ctx *c, yaml_node_t *n, const char *what, int *out)
{
	int	 b;

	if (!pol_is_scalar(n) || (b = yamlu_plain_bool(n)) == -1)
		return pol_error(c, n, "%s: expected a boolean (true or false)",
		    what);
	*out = b;
	return 0;
}

/* A plain decimal integer in [min, max]. */
int
pol_int(struct pol_ctx *c, yaml_node_t *n, const char *what, int64_t min,
    int64_t max, int64_t *out)
{
	const char *s;
	uint64_t mag = 0;
	int64_t	 v;
	int	 neg = 0;
	size_t	 i;

	if (!pol_is_scalar(n) || !yamlu_is_plain(n))
		goto bad;
	s = pol_sval(n);
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s == '\0')
		goto bad;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    mag > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			goto bad;
		mag = mag * 10 + (uint64_t)(s[i] - '0');
	}
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
	return pol_error(c, n, "%s: expected an integer from %lld to %lld",
	    what, (long long)min, (long long)max);
}

/* A kernel/user symbol or tracepoint name: [A-Za-z0-9_.]+, first not a
 * digit. */
int
pol_ident(struct pol_ctx *c, yaml_node_t *n, const char *what, char **out)
{
	char	*s = NULL;
	size_t	 i;
	int	 r;

	if ((r = pol_str(c, n, what, POL_MAX_LABEL, "POL_MAX_LABEL",
	    &s)) != 0)
		return r;
	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		    (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')))
			continue;
		free(s);
		return pol_error(c, n, "%s: expected a symbol name (letters, "
		    "digits, '_' and '.')", what);
	}
	free(*out);
	*out = s;
	return 0;
}

struct pol_list *
pol_list_find(struct pol_ctx *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	return NULL;
}

/*
 * spec.lists
 */
static const char *const pol_list_keys[] = {
	"name", "type", "values", "pattern", "validated", NULL
};

static int
pol_list_syscall(struct pol_ctx *c, struct pol_list *l, yaml_node_t *n,
    size_t i)
{
	int	 nr;

	nr = pol_syscall_resolve(l->values[i]);
	if (nr == POL_SC_IA32)
		return pol_error(c, n, "list %s: '%s': the 32-bit (ia32) "
		    "syscall ABI is not supported; tripline hooks the x86_64 "
		    "ABI only", l->name, l->values[i]);
	if (nr == POL_SC_OTHERABI)
		return pol_error(c, n, "list %s: '%s': not an x86_64 syscall "
		    "name (another architecture's prefix)", l->name,
		    l->values[i]);
	if (nr < 0)
		return pol_error(c, n, "list %s: '%s': unknown x86_64 syscall",
		    l->name, l->values[i]);
	l->nrs[i] = nr;
	return 0;
}

static int
pol_list(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*v[5], *item;
	struct pol_list	*l;
	const char	*t;
	size_t		 i, count;
	int		 r, validated;

	if ((r = pol_map(c, n, "lists", pol_list_keys, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "lists: missing 'name'");
	if (c->nlists >= POL_MAX_LISTS)
		return pol_error(c, n, "lists: more than %d lists "
		    "(POL_MAX_LISTS)", POL_MAX_LISTS);
	l = &c->lists[c->nlists++];
	l->node = n;
	if ((r = pol_ident(c, v[0], "lists.name", &l->name)) != 0)
		return r;
	for (i = 0; i + 1 < c->nlists; i++)
		if (strcmp(c->lists[i].name, l->name) == 0)
			return pol_error(c, v[0], "lists.name: duplicate list "
			    "'%s' (first at line %zu)", l->name,
			    c->lists[i].node->start_mark.line + 1);
	if (v[4] != NULL && (r = pol_bool(c, v[4], "lists.validated",
	    &validated)) != 0)
		return r;
	l->type = POL_LIST_FUNCS;
	if (v[1] != NULL) {
		if (!pol_is_scalar(v[1]))
			return pol_error(c, v[1], "lists.type: expected a "
			    "string");
		t = pol_sval(v[1]);
		if (strcmp(t, "syscalls") == 0)
			l->type = POL_LIST_SYSCALLS;
		else if (strcmp(t, "generated_syscalls") == 0)
			l->type = POL_LIST_GEN_SYSCALLS;
		else if (strcmp(t, "generated_ftrace") == 0)
			return pol_error(c, v[1], "lists.type: "
			    "generated_ftrace is not supported (it needs "
			    "ftrace's function list and kprobes); list the "
			    "functions in values");
		else
			return pol_error(c, v[1], "lists.type: expected one "
			    "of syscalls, generated_syscalls, "
			    "generated_ftrace");
	}
	if (v[3] != NULL)
		return pol_error(c, v[3], "lists.pattern: only for type "
		    "generated_ftrace, which is not supported");
	if (l->type == POL_LIST_GEN_SYSCALLS) {
		if (v[2] != NULL)
			return pol_error(c, v[2], "lists.values: a "
			    "generated_syscalls list takes no values");
		l->nvalues = pol_syscall_count();
		l->values = xcalloc(l->nvalues, sizeof(*l->values));
		l->nrs = xcalloc(l->nvalues, sizeof(*l->nrs));
		for (i = 0; i < l->nvalues; i++) {
			l->nrs[i] = pol_syscall_at(i, &t);
			xasprintf(&l->values[i], "sys_%s", t);
		}
		return 0;
	}
	if (v[2] == NULL)
		return pol_error(c, n, "lists: missing 'values'");
	if ((r = pol_seq(c, v[2], "lists.values", POL_MAX_LIST_VALUES,
	    "POL_MAX_LIST_VALUES", &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[2], "lists.values: expected at least "
		    "one value");
	l->values = xcalloc(count, sizeof(*l->values));
	l->nrs = xcalloc(count, sizeof(*l->nrs));
	l->nvalues = count;
	for (i = 0; i < count; i++) {
		item = pol_item(c, v[2], i);
		if (l->type == POL_LIST_FUNCS) {
			if ((r = pol_ident(c, item, "lists.values",
			    &l->values[i])) != 0)
				return r;
			l->nrs[i] = -1;
			continue;
		}
		if ((r = pol_str(c, item, "lists.values", POL_MAX_LABEL,
		    "POL_MAX_LABEL", &l->values[i])) != 0)
			return r;
		if ((r = pol_list_syscall(c, l, item, i)) != 0)
			return r;
	}
	return 0;
}

/*
 * spec.options
 */
static const char *const pol_option_keys[] = { "name", "value", NULL };

static int
pol_option(struct pol_ctx *c, yaml_node_t *n, int *have_mode)
{
	static const char *const noeffect[] = { "disable-kprobe-multi",
	    "disable-uprobe-multi", "override-method",
	    "sleepable-preload-size", NULL };
	yaml_node_t	*v[2];
	const char	*name, *val;
	size_t		 i;
	int		 r;

	if ((r = pol_map(c, n, "options", pol_option_keys, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "options: missing 'name'");
	if (!pol_is_scalar(v[0]) || pol_is_null(v[0]))
		return pol_error(c, v[0], "options.name: expected a string");
	name = pol_sval(v[0]);
	if (strcmp(name, "policy-mode") == 0) {
		if (*have_mode)
			return pol_error(c, v[0], "options: policy-mode is "
			    "set twice");
		*have_mode = 1;
		if (v[1] == NULL || !pol_is_scalar(v[1]))
			return pol_error(c, v[1] ? v[1] : n, "policy-mode: "
			    "expected enforce or monitor");
		val = pol_sval(v[1]);
		if (strcmp(val, "enforce") == 0)
			c->pol->mode = POL_MODE_ENFORCE;
		else if (strcmp(val, "monitor") == 0)
			c->pol->mode = POL_MODE_MONITOR;
		else
			return pol_error(c, v[1], "policy-mode: expected "
			    "enforce or monitor");
		return 0;
	}
	for (i = 0; noeffect[i] != NULL; i++) {
		if (strcmp(name, noeffect[i]) != 0)
			continue;
		if (v[1] != NULL && !pol_is_scalar(v[1]))
			return pol_error(c, v[1], "options.value: expected a "
			    "string");
		pol_note(c, v[0], "option '%s' has no effect in tripline",
		    name);
		return 0;
	}
	return pol_error(c, v[0], "options: unknown option '%.64s'; expected "
	    "policy-mode (Tetragon's disable-kprobe-multi, "
	    "disable-uprobe-multi, override-method, sleepable-preload-size "
	    "are accepted and have no effect)", name);
}

/*
 * spec.podSelector / containerSelector / hostSelector / nodeSelector:
 * Kubernetes label selectors.  A host has no pods, so a pod or container
 * selector would silently widen the policy to every process: error.
 */
static int
pol_empty_map(const yaml_node_t *n)
{
	return pol_is_null(n) || (n->type == YAML_MAPPING_NODE &&
	    n->data.mapping.pairs.top == n->data.mapping.pairs.start);
}

static int
pol_k8s_selector(struct pol_ctx *c, int which, yaml_node_t *n)
{
	switch (which) {
	case 0:		/* podSelector */
	case 1:		/* containerSelector */
		if (pol_is_null(n))
			return 0;
		return pol_error(c, n, "%s: tripline runs on a host without "
		    "Kubernetes pods or containers to select; remove it "
		    "(the policy would apply to every process)",
		    which == 0 ? "podSelector" : "containerSelector");
	case 2:		/* hostSelector: null or {} = every process */
		if (pol_empty_map(n))
			return 0;
		return pol_error(c, n, "hostSelector: only null or {} (all "
		    "host processes) is supported");
	default:	/* nodeSelector */
		if (n->type != YAML_MAPPING_NODE && !pol_is_null(n))
			return pol_error(c, n, "nodeSelector: expected a "
			    "mapping");
		pol_note(c, n, "nodeSelector has no effect on a host: the "
		    "policy is loaded on this machine");
		return 0;
	}
}

/*
 * spec
 */
enum {
	S_KPROBES, S_FENTRIES, S_TRACEPOINTS, S_UPROBES, S_LSMHOOKS, S_LISTS,
	S_OPTIONS, S_MACROS, S_ENFORCERS, S_USDTS, S_POD, S_CONTAINER,
	S_HOST, S_NODE, S_LOADER, S_N_
};

static const char *const pol_spec_keys[] = {
	"kprobes", "fentries", "tracepoints", "uprobes", "lsmhooks", "lists",
	"options", "selectorsMacros", "enforcers", "usdts", "podSelector",
	"containerSelector", "hostSelector", "nodeSelector", "loader", NULL
};

static int
pol_spec(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*v[S_N_], *k;
	yaml_node_pair_t *p;
	size_t		 i, count;
	int		 r = 0, have_mode = 0, loader = 0;

	if ((r = pol_map(c, n, "spec", pol_spec_keys, v)) != 0)
		return r;
	if (v[S_ENFORCERS] != NULL && !pol_is_null(v[S_ENFORCERS]))
		return pol_error(c, v[S_ENFORCERS], "enforcers are not "
		    "supported; use Sigkill or Override in matchActions");
	if (v[S_USDTS] != NULL && !pol_is_null(v[S_USDTS]))
		return pol_error(c, v[S_USDTS], "usdts are not supported; use "
		    "uprobes on the probed function");
	if (v[S_LISTS] != NULL) {
		if ((r = pol_seq(c, v[S_LISTS], "lists", 0, NULL,
		    &count)) != 0)
			return r;
		for (i = 0; i < count; i++)
			if ((r = pol_list(c, pol_item(c, v[S_LISTS], i))) != 0)
				return r;
	}
	if (v[S_OPTIONS] != NULL) {
		if ((r = pol_seq(c, v[S_OPTIONS], "options", 0, NULL,
		    &count)) != 0)
			return r;
		for (i = 0; i < count; i++)
			if ((r = pol_option(c, pol_item(c, v[S_OPTIONS], i),
			    &have_mode)) != 0)
				return r;
	}
	for (i = S_POD; i <= S_NODE; i++)
		if (v[i] != NULL && (r = pol_k8s_selector(c, (int)(i - S_POD),
		    v[i])) != 0)
			return r;
	if (v[S_LOADER] != NULL) {
		if ((r = pol_bool(c, v[S_LOADER], "loader", &loader)) != 0)
			return r;
		if (loader)
			pol_note(c, v[S_LOADER], "loader: process_loader "
			    "events are not produced by tripline; ignored");
	}
	if (v[S_MACROS] != NULL) {
		if ((r = pol_macros_check(c, v[S_MACROS])) != 0)
			return r;
		c->macros = v[S_MACROS];
	}
	/* hook sections in document order, so hooks keep the file's order */
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = pol_node(c, p->key);
		for (i = S_KPROBES; i <= S_LSMHOOKS; i++)
			if (strcmp(pol_sval(k), pol_spec_keys[i]) == 0)
				break;
		if (i > S_LSMHOOKS)
			continue;
		k = pol_node(c, p->value);
		if (i == S_KPROBES || i == S_FENTRIES)
			r = pol_hooks(c, k, POL_HOOK_KPROBE, i == S_FENTRIES);
		else if (i == S_TRACEPOINTS)
			r = pol_hooks(c, k, POL_HOOK_TRACEPOINT, 0);
		else if (i == S_UPROBES)
			r = pol_hooks(c, k, POL_HOOK_UPROBE, 0);
		else
			r = pol_hooks(c, k, POL_HOOK_LSM, 0);
		if (r != 0)
			return r;
	}
	if (c->pol->nhooks == 0)
		return pol_error(c, n, "spec: no hooks (expected kprobes, "
		    "fentries, tracepoints, uprobes or lsmhooks)");
	return 0;
}

/*
 * metadata and top level
 */
static const char *const pol_meta_keys[] = {
	"name", "namespace", "labels", "annotations", NULL
};

static int
pol_string_map(struct pol_ctx *c, yaml_node_t *n, const char *what)
{
	yaml_node_pair_t *p;
	yaml_node_t	*k, *v;

	if (n->type != YAML_MAPPING_NODE)
		return pol_error(c, n, "%s: expected a mapping of strings",
		    what);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = pol_node(c, p->key);
		v = pol_node(c, p->value);
		if (k == NULL || v == NULL || !pol_is_scalar(k) ||
		    !pol_is_scalar(v))
			return pol_error(c, k ? k : n, "%s: expected a "
			    "mapping of strings", what);
	}
	return 0;
}

static int
pol_dns_name(const char *s, int dots)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > POL_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9'))
			continue;
		if ((s[i] == '-' || (dots && s[i] == '.')) && i > 0 &&
		    i + 1 < n)
			continue;
		return 0;
	}
	return 1;
}

static int
pol_metadata(struct pol_ctx *c, yaml_node_t *n, yaml_node_t *kind)
{
	yaml_node_t	*v[4];
	char		*ns = NULL;
	int		 r;

	if ((r = pol_map(c, n, "metadata", pol_meta_keys, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "metadata: missing 'name'");
	if ((r = pol_str(c, v[0], "metadata.name", 0, NULL,
	    &c->pol->name)) != 0)
		return r;
	if (!pol_dns_name(c->pol->name, 1))
		return pol_error(c, v[0], "metadata.name: expected at most %d "
		    "lowercase letters, digits, '-' and '.' (not first or "
		    "last) (POL_MAX_NAME)", POL_MAX_NAME);
	if (v[2] != NULL && (r = pol_string_map(c, v[2],
	    "metadata.labels")) != 0)
		return r;
	if (v[3] != NULL && (r = pol_string_map(c, v[3],
	    "metadata.annotations")) != 0)
		return r;
	if (v[1] != NULL) {
		if (!c->pol->namespaced)
			return pol_error(c, v[1], "metadata.namespace: only "
			    "with kind TracingPolicyNamespaced");
		if ((r = pol_str(c, v[1], "metadata.namespace", 63,
		    "Kubernetes namespace", &ns)) != 0)
			return r;
		if (!pol_dns_name(ns, 0)) {
			free(ns);
			return pol_error(c, v[1], "metadata.namespace: "
			    "expected a DNS label");
		}
		pol_note(c, v[1], "metadata.namespace '%s' has no effect on "
		    "a host: the policy applies to every process", ns);
		free(ns);
	} else if (c->pol->namespaced)
		pol_note(c, kind, "kind TracingPolicyNamespaced: the "
		    "namespace scope has no effect on a host; the policy "
		    "applies to every process");
	return 0;
}

static const char *const pol_top_keys[] = {
	"apiVersion", "kind", "metadata", "spec", NULL
};

static int
pol_top(struct pol_ctx *c, yaml_node_t *root)
{
	yaml_node_t	*v[4];
	const char	*s;
	int		 r;

	if (root->type != YAML_MAPPING_NODE)
		return pol_error(c, root, "expected a TracingPolicy (a "
		    "mapping with apiVersion, kind, metadata, spec)");
	if ((r = pol_map(c, root, "TracingPolicy", pol_top_keys, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, root, "missing 'apiVersion' (expected "
		    "cilium.io/v1alpha1)");
	if (!pol_is_scalar(v[0]) ||
	    strcmp(pol_sval(v[0]), "cilium.io/v1alpha1") != 0)
		return pol_error(c, v[0], "apiVersion: expected "
		    "cilium.io/v1alpha1");
	if (v[1] == NULL)
		return pol_error(c, root, "missing 'kind' (expected "
		    "TracingPolicy or TracingPolicyNamespaced)");
	s = pol_is_scalar(v[1]) ? pol_sval(v[1]) : "";
	if (strcmp(s, "TracingPolicyNamespaced") == 0)
		c->pol->namespaced = 1;
	else if (strcmp(s, "TracingPolicy") != 0)
		return pol_error(c, v[1], "kind: expected TracingPolicy or "
		    "TracingPolicyNamespaced");
	if (v[2] == NULL)
		return pol_error(c, root, "missing 'metadata'");
	if ((r = pol_metadata(c, v[2], v[1])) != 0)
		return r;
	if (v[3] == NULL)
		return pol_error(c, root, "missing 'spec'");
	return pol_spec(c, v[3]);
}

/*
 * Loading and freeing
 */
void
policy_free(struct policy *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nhooks; i++)
		pol_hook_clear(&p->hooks[i]);
	free(p->hooks);
	for (i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->notes);
	free(p->name);
	free(p->file);
	free(p);
}

static void
pol_ctx_clear(struct pol_ctx *c)
{
	struct pol_list	*l;
	size_t		 i, j;

	for (i = 0; i < c->nlists; i++) {
		l = &c->lists[i];
		for (j = 0; j < l->nvalues; j++)
			free(l->values[j]);
		free(l->values);
		free(l->nrs);
		free(l->name);
	}
	c->nlists = 0;
}

static int
pol_syntax(const char *name, yaml_parser_t *parser, char *err, size_t errlen)
{
	if (err == NULL || errlen == 0)
		return ERR_PARSE;
	if (parser->context != NULL)
		snprintf(err, errlen, "%s:%zu:%zu: %s (%s at line %zu)", name,
		    parser->problem_mark.line + 1,
		    parser->problem_mark.column + 1,
		    parser->problem ? parser->problem : "syntax error",
		    parser->context, parser->context_mark.line + 1);
	else
		snprintf(err, errlen, "%s:%zu:%zu: %s", name,
		    parser->problem_mark.line + 1,
		    parser->problem_mark.column + 1,
		    parser->problem ? parser->problem : "syntax error");
	return ERR_PARSE;
}

int
policy_load_buf(const char *name, const char *buf, size_t len,
    struct policy **out, char *err, size_t errlen)
{
	struct pol_ctx	 c;
	struct policy	*p;
	yaml_parser_t	 parser;
	yaml_document_t	 doc, doc2;
	yaml_node_t	*root, *extra;
	int		 r, have_doc = 0;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!yaml_parser_initialize(&parser)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot initialise YAML "
			    "parser", name);
		return ERR_NOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf,
	    len);
	p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(name);
	p->hooks = xcalloc(POL_MAX_HOOKS, sizeof(*p->hooks));
	memset(&c, 0, sizeof(c));
	c.path = name;
	c.doc = &doc;
	c.err = err;
	c.errlen = errlen;
	c.pol = p;

	if (!yaml_parser_load(&parser, &doc)) {
		r = pol_syntax(name, &parser, err, errlen);
		goto out;
	}
	have_doc = 1;
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s:1:1: empty file: expected a "
			    "TracingPolicy", name);
		r = ERR_PARSE;
		goto out;
	}
	if (!yaml_parser_load(&parser, &doc2)) {
		r = pol_syntax(name, &parser, err, errlen);
		goto out;
	}
	extra = yaml_document_get_root_node(&doc2);
	if (extra != NULL) {
		r = pol_error(&c, extra, "expected a single YAML document (one "
		    "policy per file)");
		yaml_document_delete(&doc2);
		goto out;
	}
	yaml_document_delete(&doc2);
	r = pol_top(&c, root);
out:
	pol_ctx_clear(&c);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r != 0) {
		policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

#define POL_MAX_FILE	(4 << 20)

int
policy_load_file(const char *path, struct policy **out, char *err,
    size_t errlen)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;
	int	 r, saved;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((fp = fopen(path, "re")) == NULL)
		goto syserr;
	for (;;) {
		if (cap - len < 8192) {
			if (cap >= POL_MAX_FILE) {
				fclose(fp);
				free(buf);
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, "%s: larger "
					    "than %d bytes", path,
					    POL_MAX_FILE);
				return ERR_TOOBIG;
			}
			cap = cap ? cap * 2 : 16384;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		saved = errno;
		fclose(fp);
		free(buf);
		errno = saved;
		goto syserr;
	}
	fclose(fp);
	r = policy_load_buf(path, buf, len, out, err, errlen);
	free(buf);
	return r;
syserr:
	saved = errno;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
	errno = saved;
	return ERR_SYS;
}
