/*
 * common/policy.c -- TracingPolicy YAML loader, the schema over the YAML
 * walker of common/yamlutil.h (FILE:LINE:COL errors): the top level
 * (apiVersion, kind, metadata), spec sections, options and lists.  Hooks
 * are in policy_hooks.c, selectors in policy_sel.c.
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

void
pol_note(struct pol_ctx *c, const yaml_node_t *node, const char *fmt, ...)
{
	struct policy *p = c->pol;
	char	 msg[1024];
	va_list	 ap;

	char	*note;
	size_t	 i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xasprintf(&note, "%s:%zu:%zu: note: %s", c->y->path,
	    node->start_mark.line + 1, node->start_mark.column + 1, msg);
	/* once, also when a list: call parses the node for every hook */
	for (i = 0; i < p->nnotes; i++)
		if (strcmp(p->notes[i], note) == 0) {
			free(note);
			return;
		}
	p->notes = xreallocarray(p->notes, p->nnotes + 1, sizeof(*p->notes));
	p->notes[p->nnotes++] = note;
}

/* [A-Za-z0-9_.]+ (dash: also '-'), first not a digit (nor '-'). */
static int
pol_name_chars(struct pol_ctx *c, yaml_node_t *n, const char *what,
    char **out, int dash)
{
	char	*s = NULL;
	size_t	 i;
	int	 r;

	if ((r = yamlu_str(c->y, n, what, POL_MAX_LABEL, "POL_MAX_LABEL",
	    &s)) != 0)
		return r;
	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		    (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    (dash && s[i] == '-'))))
			continue;
		free(s);
		return pol_error(c, n, "%s: expected %s (letters, digits, "
		    "'_'%s and '.')", what, dash ? "a list name" :
		    "a symbol name", dash ? ", '-'" : "");
	}
	free(*out);
	*out = s;
	return 0;
}

/* A kernel/user symbol or tracepoint name: [A-Za-z0-9_.]+, first not a
 * digit. */
int
pol_ident(struct pol_ctx *c, yaml_node_t *n, const char *what, char **out)
{
	return pol_name_chars(c, n, what, out, 0);
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

	if ((r = yamlu_map(c->y, n, "lists", pol_list_keys, NULL, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "lists: missing 'name'");
	if (c->nlists >= POL_MAX_LISTS)
		return pol_error(c, n, "lists: more than %d lists "
		    "(POL_MAX_LISTS)", POL_MAX_LISTS);
	l = &c->lists[c->nlists++];
	l->node = n;
	if ((r = pol_name_chars(c, v[0], "lists.name", &l->name, 1)) != 0)
		return r;
	for (i = 0; i + 1 < c->nlists; i++)
		if (strcmp(c->lists[i].name, l->name) == 0)
			return pol_error(c, v[0], "lists.name: duplicate list "
			    "'%s' (first at line %zu)", l->name,
			    c->lists[i].node->start_mark.line + 1);
	if (v[4] != NULL && (r = yamlu_bool(c->y, v[4], "lists.validated",
	    &validated)) != 0)
		return r;
	l->type = POL_LIST_FUNCS;
	if (v[1] != NULL) {
		if (!yamlu_scalar(v[1]))
			return pol_error(c, v[1], "lists.type: expected a "
			    "string");
		t = yamlu_sval(v[1]);
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
	if ((r = yamlu_seq(c->y, v[2], "lists.values", POL_MAX_LIST_VALUES,
	    "POL_MAX_LIST_VALUES", &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[2], "lists.values: expected at least "
		    "one value");
	l->values = xcalloc(count, sizeof(*l->values));
	l->nrs = xcalloc(count, sizeof(*l->nrs));
	l->nvalues = count;
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, v[2], i);
		if (l->type == POL_LIST_FUNCS) {
			if ((r = pol_ident(c, item, "lists.values",
			    &l->values[i])) != 0)
				return r;
			l->nrs[i] = -1;
			continue;
		}
		if ((r = yamlu_str(c->y, item, "lists.values", POL_MAX_LABEL,
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

/* Tetragon's options that have no effect here (a note) */
const char *const pol_option_noeffect[] = { "disable-kprobe-multi",
	"disable-uprobe-multi", "override-method", "sleepable-preload-size",
	NULL
};

/* unreadable-args: fail-closed | fail-open (tripline's own option) */
static int
pol_option_unread(struct pol_ctx *c, yaml_node_t *n, yaml_node_t *v)
{
	const char	*val;

	if (v == NULL || !yamlu_scalar(v))
		return pol_error(c, v ? v : n, "unreadable-args: expected "
		    "fail-closed or fail-open");
	val = yamlu_sval(v);
	if (strcmp(val, "fail-closed") == 0)
		c->pol->unread_open = 0;
	else if (strcmp(val, "fail-open") == 0)
		c->pol->unread_open = 1;
	else
		return pol_error(c, v, "unreadable-args: expected "
		    "fail-closed or fail-open");
	return 0;
}

static int
pol_option(struct pol_ctx *c, yaml_node_t *n, int *have_mode)
{
	const char *const *noeffect = pol_option_noeffect;
	yaml_node_t	*v[2];
	const char	*name, *val;
	size_t		 i;
	int		 r;

	if ((r = yamlu_map(c->y, n, "options", pol_option_keys, NULL, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "options: missing 'name'");
	if (!yamlu_scalar(v[0]) || yamlu_null(v[0]))
		return pol_error(c, v[0], "options.name: expected a string");
	name = yamlu_sval(v[0]);
	if (strcmp(name, "policy-mode") == 0) {
		if (*have_mode)
			return pol_error(c, v[0], "options: policy-mode is "
			    "set twice");
		*have_mode = 1;
		if (v[1] == NULL || !yamlu_scalar(v[1]))
			return pol_error(c, v[1] ? v[1] : n, "policy-mode: "
			    "expected enforce or monitor");
		val = yamlu_sval(v[1]);
		if (strcmp(val, "enforce") == 0)
			c->pol->mode = POL_MODE_ENFORCE;
		else if (strcmp(val, "monitor") == 0)
			c->pol->mode = POL_MODE_MONITOR;
		else
			return pol_error(c, v[1], "policy-mode: expected "
			    "enforce or monitor");
		return 0;
	}
	if (strcmp(name, "unreadable-args") == 0)
		return pol_option_unread(c, n, v[1]);
	for (i = 0; noeffect[i] != NULL; i++) {
		if (strcmp(name, noeffect[i]) != 0)
			continue;
		if (v[1] != NULL && !yamlu_scalar(v[1]))
			return pol_error(c, v[1], "options.value: expected a "
			    "string");
		pol_note(c, v[0], "option '%s' has no effect in tripline",
		    name);
		return 0;
	}
	return pol_error(c, v[0], "options: unknown option '%.64s'; expected "
	    "policy-mode or unreadable-args (Tetragon's disable-kprobe-multi, "
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
	return yamlu_null(n) || (n->type == YAML_MAPPING_NODE &&
	    yamlu_count(n) == 0);
}

static int
pol_k8s_selector(struct pol_ctx *c, int which, yaml_node_t *n)
{
	switch (which) {
	case 0:		/* podSelector */
	case 1:		/* containerSelector */
		if (yamlu_null(n))
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
		if (n->type != YAML_MAPPING_NODE && !yamlu_null(n))
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
	yaml_node_t	*v[S_N_], *k, *hv;
	size_t		 i, j, count;
	int		 r = 0, have_mode = 0, loader = 0;

	if ((r = yamlu_map(c->y, n, "spec", pol_spec_keys, NULL, v)) != 0)
		return r;
	if (v[S_ENFORCERS] != NULL && !yamlu_null(v[S_ENFORCERS]))
		return pol_error(c, v[S_ENFORCERS], "enforcers are not "
		    "supported; use Sigkill or Override in matchActions");
	if (v[S_LISTS] != NULL) {
		if ((r = yamlu_seq(c->y, v[S_LISTS], "lists", 0, NULL,
		    &count)) != 0)
			return r;
		for (i = 0; i < count; i++)
			if ((r = pol_list(c, yamlu_item(c->y, v[S_LISTS],
			    i))) != 0)
				return r;
	}
	if (v[S_OPTIONS] != NULL) {
		if ((r = yamlu_seq(c->y, v[S_OPTIONS], "options", 0, NULL,
		    &count)) != 0)
			return r;
		for (i = 0; i < count; i++)
			if ((r = pol_option(c, yamlu_item(c->y, v[S_OPTIONS],
			    i), &have_mode)) != 0)
				return r;
	}
	for (i = S_POD; i <= S_NODE; i++)
		if (v[i] != NULL && (r = pol_k8s_selector(c, (int)(i - S_POD),
		    v[i])) != 0)
			return r;
	if (v[S_LOADER] != NULL) {
		if ((r = yamlu_bool(c->y, v[S_LOADER], "loader", &loader)) != 0)
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
	count = yamlu_count(n);
	for (j = 0; j < count; j++) {
		if ((r = yamlu_pair(c->y, n, j, "spec", &k, &hv)) != 0)
			return r;
		for (i = S_KPROBES; i < S_N_; i++)
			if (strcmp(yamlu_sval(k), pol_spec_keys[i]) == 0)
				break;
		if (i > S_LSMHOOKS && i != S_USDTS)
			continue;
		k = hv;
		if (i == S_USDTS)
			r = yamlu_null(k) ? 0 : pol_hooks(c, k, POL_HOOK_USDT, 0);
		else if (i == S_KPROBES || i == S_FENTRIES)
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
		    "fentries, tracepoints, uprobes, usdts or lsmhooks)");
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
	yaml_node_t	*k, *v;
	size_t		 i;
	int		 r;

	if (n->type != YAML_MAPPING_NODE)
		return pol_error(c, n, "%s: expected a mapping of strings",
		    what);
	for (i = 0; i < yamlu_count(n); i++) {
		if ((r = yamlu_pair(c->y, n, i, what, &k, &v)) != 0)
			return r;
		if (!yamlu_scalar(k) || !yamlu_scalar(v))
			return pol_error(c, k, "%s: expected a mapping of "
			    "strings", what);
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

	if ((r = yamlu_map(c->y, n, "metadata", pol_meta_keys, NULL, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "metadata: missing 'name'");
	if ((r = yamlu_str(c->y, v[0], "metadata.name", 0, NULL,
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
		if ((r = yamlu_str(c->y, v[1], "metadata.namespace", 63,
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
	if ((r = yamlu_map(c->y, root, "TracingPolicy", pol_top_keys, NULL,
	    v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, root, "missing 'apiVersion' (expected "
		    "cilium.io/v1alpha1)");
	if (!yamlu_scalar(v[0]) ||
	    strcmp(yamlu_sval(v[0]), "cilium.io/v1alpha1") != 0)
		return pol_error(c, v[0], "apiVersion: expected "
		    "cilium.io/v1alpha1");
	if (v[1] == NULL)
		return pol_error(c, root, "missing 'kind' (expected "
		    "TracingPolicy or TracingPolicyNamespaced)");
	s = yamlu_scalar(v[1]) ? yamlu_sval(v[1]) : "";
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
	free(p->src);
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

/* Parse document root of y (messages name the file name) into a new
 * policy; its src is the caller's to set. */
int
pol_parse_doc(struct yamlu_doc *y, yaml_node_t *root, const char *name,
    struct policy **out)
{
	struct pol_ctx	 c;
	struct policy	*p;
	int		 r;

	*out = NULL;
	p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(name);
	p->hooks = xcalloc(POL_MAX_HOOKS, sizeof(*p->hooks));
	p->line = (int)root->start_mark.line + 1;
	memset(&c, 0, sizeof(c));
	c.y = y;
	c.pol = p;
	r = pol_top(&c, root);
	pol_ctx_clear(&c);
	if (r != 0) {
		policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* One policy: a file of several is refused at its second. */
int
policy_load_buf(const char *name, const char *buf, size_t len,
    struct policy **out, char *err, size_t errlen)
{
	struct policy	**v;
	size_t		  n;
	int		  r;

	*out = NULL;
	if ((r = policy_load_buf_all(name, buf, len, &v, &n, err,
	    errlen)) != 0)
		return r;
	if (n > 1) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s:%d:1: a second policy (%s): "
			    "expected one policy here", name, v[1]->line,
			    v[1]->name);
		policy_free_all(v, n);
		return ERR_PARSE;
	}
	*out = v[0];
	free(v);
	return 0;
}

#define POL_MAX_FILE	(4 << 20)

/* The bytes of path (at most POL_MAX_FILE) into *bufp (caller frees). */
int
pol_read_file(const char *path, char **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;
	int	 saved;

	*bufp = NULL;
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
	*bufp = buf;
	*lenp = len;
	return 0;
syserr:
	saved = errno;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
	errno = saved;
	return ERR_SYS;
}

int
policy_load_file(const char *path, struct policy **out, char *err,
    size_t errlen)
{
	char	*buf;
	size_t	 len;
	int	 r;

	*out = NULL;
	if ((r = pol_read_file(path, &buf, &len, err, errlen)) != 0)
		return r;
	r = policy_load_buf(path, buf, len, out, err, errlen);
	free(buf);
	return r;
}

/* the key tables of this file, for policy_names_walk */
const struct pol_keytab pol_top_keytabs[] = {
	{ "", pol_top_keys }, { "metadata", pol_meta_keys },
	{ "spec", pol_spec_keys }, { "lists", pol_list_keys },
	{ "options", pol_option_keys }, { NULL, NULL }
};
