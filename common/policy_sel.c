/*
 * common/policy_sel.c -- selectors: selectorsMacros merging, matchArgs /
 * matchReturnArgs (argument references resolved to positions in the hook's
 * args[], operator checked against the argument's type), matchPIDs,
 * matchBinaries, matchNamespaces, matchCapabilities, matchNamespaceChanges,
 * matchCapabilityChanges, matchActions and matchReturnActions (parameters
 * checked per action and per hook kind).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "err.h"
#include "policy_int.h"
#include "xmalloc.h"

#define OPB(o)	(1ULL << (o))

enum {
	SEL_ARGS, SEL_DATA, SEL_RETARGS, SEL_PIDS, SEL_BINARIES, SEL_PARENTBIN,
	SEL_NS, SEL_NSCHANGES, SEL_CAPS, SEL_CAPCHANGES, SEL_WORKLOADS,
	SEL_ACTIONS, SEL_RETACTIONS, SEL_MACROS, SEL_LABEL, SEL_N_
};

static const char *const pol_sel_keys[] = {
	"matchArgs", "matchData", "matchReturnArgs", "matchPIDs",
	"matchBinaries", "matchParentBinaries", "matchNamespaces",
	"matchNamespaceChanges", "matchCapabilities",
	"matchCapabilityChanges", "matchWorkloads", "matchActions",
	"matchReturnActions", "macros", "label", NULL
};

/* The value of macro name among the first upto pairs of map, or NULL. */
static yaml_node_t *
pol_macro_find(struct pol_ctx *c, yaml_node_t *map, size_t upto,
    const char *name)
{
	yaml_node_t	*k, *v;
	size_t		 i;

	for (i = 0; i < upto; i++)
		if (yamlu_pair(c->y, map, i, "selectorsMacros", &k, &v) == 0 &&
		    strcmp(yamlu_sval(k), name) == 0)
			return v;
	return NULL;
}

/* spec.selectorsMacros: NAME -> selector fragment (keys checked here,
 * contents when a selector uses the macro). */
int
pol_macros_check(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*k, *v, *vals[SEL_N_];
	char		*name = NULL;
	size_t		 i;
	int		 r;

	if (n->type != YAML_MAPPING_NODE)
		return pol_error(c, n, "selectorsMacros: expected a mapping of "
		    "macro names to selectors");
	for (i = 0; i < yamlu_count(n); i++) {
		if ((r = yamlu_pair(c->y, n, i, "selectorsMacros", &k,
		    &v)) != 0 ||
		    (r = pol_ident(c, k, "selectorsMacros", &name)) != 0)
			return r;
		free(name);
		name = NULL;
		if (pol_macro_find(c, n, i, yamlu_sval(k)) != NULL)
			return pol_error(c, k, "selectorsMacros: duplicate "
			    "macro '%s'", yamlu_sval(k));
		if ((r = yamlu_map(c->y, v, "selectorsMacros", pol_sel_keys,
		    NULL, vals)) != 0)
			return r;
		if (vals[SEL_MACROS] != NULL)
			return pol_error(c, vals[SEL_MACROS],
			    "selectorsMacros: a macro cannot use macros");
	}
	return 0;
}

/* Merge the macros named in node m into vals; a field may come from one
 * place only. */
static int
pol_macros_merge(struct pol_ctx *c, yaml_node_t *m, yaml_node_t **vals)
{
	const char	*src[SEL_N_];
	yaml_node_t	*mv[SEL_N_], *item, *def;
	const char	*name;
	size_t		 i, count;
	int		 k, r;

	for (k = 0; k < SEL_N_; k++)
		src[k] = NULL;
	if ((r = yamlu_seq(c->y, m, "macros", 0, NULL, &count)) != 0)
		return r;
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, m, i);
		if (!yamlu_scalar(item) || yamlu_null(item))
			return pol_error(c, item, "macros: expected a macro "
			    "name");
		name = yamlu_sval(item);
		if (c->macros == NULL || (def = pol_macro_find(c, c->macros,
		    yamlu_count(c->macros), name)) == NULL)
			return pol_error(c, item, "macros: no macro '%.64s' in "
			    "spec.selectorsMacros", name);
		if ((r = yamlu_map(c->y, def, "selectorsMacros", pol_sel_keys,
		    NULL, mv)) != 0)
			return r;
		for (k = 0; k < SEL_N_; k++) {
			if (mv[k] == NULL)
				continue;
			if (vals[k] != NULL && src[k] == NULL)
				return pol_error(c, item, "macro '%s' sets %s, "
				    "which the selector sets too", name,
				    pol_sel_keys[k]);
			if (vals[k] != NULL)
				return pol_error(c, item, "macros '%s' and "
				    "'%s' both set %s", src[k], name,
				    pol_sel_keys[k]);
			vals[k] = mv[k];
			src[k] = name;
		}
	}
	return 0;
}

/*
 * matchArgs / matchReturnArgs
 */
static const char *const pol_marg_keys[] = {
	"index", "args", "operator", "values", NULL
};

static int
pol_matcharg(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    struct pol_matcharg *m, int is_ret)
{
	const char	*what = is_ret ? "matchReturnArgs" : "matchArgs";
	const struct pol_arg *a;
	yaml_node_t	*v[4], *item;
	char		 desc[64], ops[512];
	int64_t		 x;
	size_t		 i, count, found = 0;
	uint64_t	 mask;
	int		 op, r;

	if ((r = yamlu_map(c->y, n, what, pol_marg_keys, NULL, v)) != 0)
		return r;
	m->line = (int)n->start_mark.line + 1;
	m->col = (int)n->start_mark.column + 1;
	if (v[2] == NULL)
		return pol_error(c, n, "%s: missing 'operator'", what);
	if (!yamlu_scalar(v[2]) || (op = pol_op_lookup(yamlu_sval(v[2]))) < 0)
		return pol_error(c, v[2], "operator: unknown operator '%.64s'",
		    yamlu_scalar(v[2]) ? yamlu_sval(v[2]) : "");
	if (op == POL_OP_IN || op == POL_OP_NOTIN)
		return pol_error(c, v[2], "operator %s: only for matchPIDs, "
		    "matchBinaries, matchNamespaces and matchCapabilities; "
		    "use Equal/NotEqual", policy_op_name((enum pol_op)op));
	if (op == POL_OP_CELEXPR || op == POL_OP_CAPSGAINED)
		return pol_error(c, v[2], "operator %s is not supported",
		    policy_op_name((enum pol_op)op));
	m->op = (enum pol_op)op;
	if (is_ret) {
		if (v[1] != NULL)
			return pol_error(c, v[1], "matchReturnArgs: args is "
			    "not valid here (index 0 is the return value)");
		if (v[0] != NULL &&
		    yamlu_int(c->y, v[0], "index", 0, 0, &x) != 0)
			return pol_error(c, v[0], "matchReturnArgs index: "
			    "expected 0 (the return value)");
		m->arg = -1;
		a = &h->retarg;
		snprintf(desc, sizeof(desc), "the return value");
	} else if (v[1] != NULL) {
		/* args: [position] takes precedence over index */
		if ((r = yamlu_seq(c->y, v[1], "args", 0, NULL, &count)) != 0)
			return r;
		if (count != 1)
			return pol_error(c, v[1], "args: expected one position "
			    "in args");
		item = yamlu_item(c->y, v[1], 0);
		if ((r = yamlu_int(c->y, item, "args", 0, INT32_MAX, &x)) != 0)
			return r;
		if ((size_t)x >= h->nargs)
			return pol_error(c, item, "args: position %lld, but "
			    "the hook has %zu arg%s", (long long)x, h->nargs,
			    h->nargs == 1 ? "" : "s");
		m->arg = (int)x;
		snprintf(desc, sizeof(desc), "args position %d", m->arg);
	} else if (v[0] != NULL) {
		if ((r = yamlu_int(c->y, v[0], "index", 0, INT32_MAX, &x)) != 0)
			return r;
		if (h->kind == POL_HOOK_TRACEPOINT ||
		    h->kind == POL_HOOK_RAW_TRACEPOINT) {
			if ((size_t)x >= h->nargs)
				return pol_error(c, v[0], "index %lld: the "
				    "tracepoint hook has %zu arg%s (for "
				    "tracepoints index is a position in args)",
				    (long long)x, h->nargs,
				    h->nargs == 1 ? "" : "s");
			m->arg = (int)x;
			snprintf(desc, sizeof(desc), "args position %d",
			    m->arg);
		} else {
			for (i = 0; i < h->nargs; i++)
				if (h->args[i].index == x) {
					if (found++ == 0)
						m->arg = (int)i;
				}
			if (found == 0)
				return pol_error(c, v[0], "index %lld: no "
				    "argument with index %lld in args",
				    (long long)x, (long long)x);
			if (found > 1)
				return pol_error(c, v[0], "index %lld: several "
				    "args have index %lld; use args: "
				    "[position]", (long long)x, (long long)x);
			snprintf(desc, sizeof(desc), "index %lld",
			    (long long)x);
		}
	} else
		return pol_error(c, n, "matchArgs: missing 'index'");
	if (!is_ret)
		a = &h->args[m->arg];
	if (!is_ret && a->return_copy)
		return pol_error(c, v[2], "operator %s: %s is a returnCopy "
		    "argument, read when the call returns, but matchArgs are "
		    "decided at its entry (so the entry could never match)",
		    policy_op_name(m->op), desc);
	mask = pol_type_ops(a->type);
	if (!(mask & OPB(op))) {
		if (mask == 0)
			return pol_error(c, v[2], "operator %s: %s is of type "
			    "%s, which no operator applies to",
			    policy_op_name(m->op), desc, a->type_name);
		pol_op_list(mask, ops, sizeof(ops));
		return pol_error(c, v[2], "operator %s does not apply to %s "
		    "of type %s; expected one of: %s", policy_op_name(m->op),
		    desc, a->type_name, ops);
	}
	return pol_matchvalues(c, n, v[3], a, desc, m);
}

/*
 * matchPIDs, matchBinaries, matchNamespaces, matchCapabilities
 */
static int
pol_in_notin(struct pol_ctx *c, yaml_node_t *n, const char *what,
    yaml_node_t *opnode, enum pol_op *op)
{
	int	 o;

	if (opnode == NULL)
		return pol_error(c, n, "%s: missing 'operator'", what);
	if (!yamlu_scalar(opnode) || ((o = pol_op_lookup(yamlu_sval(opnode))) !=
	    POL_OP_IN && o != POL_OP_NOTIN))
		return pol_error(c, opnode, "%s: operator: expected In or "
		    "NotIn", what);
	*op = (enum pol_op)o;
	return 0;
}

/* A decimal number in [0, UINT32_MAX] written plain or quoted. */
static int
pol_u32_value(struct pol_ctx *c, yaml_node_t *n, const char *what,
    uint32_t *out)
{
	const char *s;
	size_t	 len;
	uint64_t v;
	int	 neg, r;

	if ((r = yamlu_text(c->y, n, what, &s, &len)) != 0)
		return r;
	if (len == 0 || strspn(s, "0123456789") != len ||
	    pol_int_text(s, len, &neg, &v) != 0 || v > UINT32_MAX ||
	    (len > 1 && s[0] == '0'))
		return pol_error(c, n, "%s: expected a number from 0 to "
		    "4294967295", what);
	*out = (uint32_t)v;
	return 0;
}

static const char *const pol_pids_keys[] = {
	"operator", "values", "isNamespacePID", "followForks", NULL
};

static int
pol_matchpids(struct pol_ctx *c, yaml_node_t *n, struct pol_matchpids *p)
{
	yaml_node_t *v[4];
	size_t	 i, count;
	int	 r;

	if ((r = yamlu_map(c->y, n, "matchPIDs", pol_pids_keys, NULL,
	    v)) != 0 ||
	    (r = pol_in_notin(c, n, "matchPIDs", v[0], &p->op)) != 0)
		return r;
	if (v[2] != NULL && (r = yamlu_bool(c->y, v[2], "isNamespacePID",
	    &p->is_ns_pid)) != 0)
		return r;
	if (v[3] != NULL && (r = yamlu_bool(c->y, v[3], "followForks",
	    &p->follow_forks)) != 0)
		return r;
	if (v[1] == NULL)
		return pol_error(c, n, "matchPIDs: missing 'values'");
	if ((r = yamlu_seq(c->y, v[1], "matchPIDs values", POL_MAX_PIDS,
	    "POL_MAX_PIDS", &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[1], "matchPIDs: expected at least one "
		    "value");
	for (i = 0; i < count; i++)
		if ((r = pol_u32_value(c, yamlu_item(c->y, v[1], i),
		    "matchPIDs values", &p->values[i])) != 0)
			return r;
	p->nvalues = count;
	return 0;
}

static const char *const pol_bins_keys[] = {
	"operator", "values", "followChildren", NULL
};

/* matchBinaries, or (what: "matchParentBinaries") the same operators on
 * the parent's binary, without followChildren */
static int
pol_matchbinaries(struct pol_ctx *c, yaml_node_t *n, const char *what,
    struct pol_matchbinaries *b)
{
	yaml_node_t *v[3], *item;
	char	 wv[40];
	size_t	 i, count;
	int	 r, o;

	if ((r = yamlu_map(c->y, n, what, pol_bins_keys, NULL, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "%s: missing 'operator'", what);
	o = yamlu_scalar(v[0]) ? pol_op_lookup(yamlu_sval(v[0])) : -1;
	if (o != POL_OP_IN && o != POL_OP_NOTIN && o != POL_OP_PREFIX &&
	    o != POL_OP_NOTPREFIX && o != POL_OP_POSTFIX &&
	    o != POL_OP_NOTPOSTFIX)
		return pol_error(c, v[0], "%s: operator: expected In, NotIn, "
		    "Prefix, NotPrefix, Postfix or NotPostfix", what);
	b->op = (enum pol_op)o;
	if (v[2] != NULL && strcmp(what, "matchBinaries") != 0)
		return pol_error(c, v[2], "followChildren: not supported on "
		    "%s", what);
	if (v[2] != NULL) {
		if ((r = yamlu_bool(c->y, v[2], "followChildren",
		    &b->follow_children)) != 0)
			return r;
		if (b->follow_children && o != POL_OP_IN && o != POL_OP_NOTIN)
			return pol_error(c, v[2], "followChildren: only with "
			    "operator In or NotIn");
	}
	if (v[1] == NULL)
		return pol_error(c, n, "%s: missing 'values'", what);
	snprintf(wv, sizeof(wv), "%s values", what);
	if ((r = yamlu_seq(c->y, v[1], wv, POL_MAX_BINARIES,
	    "POL_MAX_BINARIES", &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[1], "%s: expected at least one value",
		    what);
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, v[1], i);
		b->nvalues = i + 1;
		if ((r = yamlu_str(c->y, item, wv, POL_MAX_BINARY,
		    "POL_MAX_BINARY", &b->values[i])) != 0)
			return r;
		if (b->values[i][0] != '/' && o != POL_OP_POSTFIX &&
		    o != POL_OP_NOTPOSTFIX)
			return pol_error(c, item, "%s %s: expected an absolute "
			    "path", what, policy_op_name(b->op));
	}
	return 0;
}

static const char *const pol_ns_keys[] = {
	"namespace", "operator", "values", NULL
};

static int
pol_matchns(struct pol_ctx *c, yaml_node_t *n, struct pol_matchns *m)
{
	yaml_node_t *v[3], *item;
	size_t	 i, count;
	int	 r, ns;

	if ((r = yamlu_map(c->y, n, "matchNamespaces", pol_ns_keys, NULL,
	    v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "matchNamespaces: missing 'namespace'");
	if (!yamlu_scalar(v[0]) || (ns = pol_ns_lookup(yamlu_sval(v[0]))) < 0)
		return pol_error(c, v[0], "namespace: expected one of Uts, "
		    "Ipc, Mnt, Pid, PidForChildren, Net, Time, "
		    "TimeForChildren, Cgroup, User");
	m->ns = (enum pol_ns)ns;
	if ((r = pol_in_notin(c, n, "matchNamespaces", v[1], &m->op)) != 0)
		return r;
	if (v[2] == NULL)
		return pol_error(c, n, "matchNamespaces: missing 'values'");
	if ((r = yamlu_seq(c->y, v[2], "matchNamespaces values",
	    POL_MAX_NS_VALUES, "POL_MAX_NS_VALUES", &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[2], "matchNamespaces: expected at least "
		    "one value");
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, v[2], i);
		if (yamlu_scalar(item) && strcmp(yamlu_sval(item),
		    "host_ns") == 0) {
			m->host_ns[i] = 1;
			m->values[i] = 0;
		} else if ((r = pol_u32_value(c, item, "matchNamespaces values "
		    "(an inode number or host_ns)", &m->values[i])) != 0)
			return r;
	}
	m->nvalues = count;
	return 0;
}

static const char *const pol_caps_keys[] = {
	"type", "operator", "isNamespaceCapability", "values", NULL
};

/* matchCapabilities and matchCapabilityChanges (what: which) */
static int
pol_matchcaps(struct pol_ctx *c, yaml_node_t *n, const char *what,
    struct pol_matchcaps *m)
{
	yaml_node_t *v[4], *item;
	const char *t;
	size_t	 i, count;
	int	 r, cap;

	if ((r = yamlu_map(c->y, n, what, pol_caps_keys, NULL, v)) != 0)
		return r;
	m->set = POL_CAP_EFFECTIVE;
	if (v[0] != NULL) {
		t = yamlu_scalar(v[0]) ? yamlu_sval(v[0]) : "";
		if (strcasecmp(t, "Effective") == 0)
			m->set = POL_CAP_EFFECTIVE;
		else if (strcasecmp(t, "Inheritable") == 0)
			m->set = POL_CAP_INHERITABLE;
		else if (strcasecmp(t, "Permitted") == 0)
			m->set = POL_CAP_PERMITTED;
		else
			return pol_error(c, v[0], "%s: type: expected "
			    "Effective, Inheritable or Permitted", what);
	}
	if ((r = pol_in_notin(c, n, what, v[1], &m->op)) != 0)
		return r;
	if (v[2] != NULL && (r = yamlu_bool(c->y, v[2], "isNamespaceCapability",
	    &m->is_ns_cap)) != 0)
		return r;
	if (v[3] == NULL)
		return pol_error(c, n, "%s: missing 'values'", what);
	if ((r = yamlu_seq(c->y, v[3], what, 0, NULL, &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[3], "%s: expected at least one value",
		    what);
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, v[3], i);
		if (!yamlu_scalar(item) ||
		    (cap = pol_cap_lookup(yamlu_sval(item))) < 0)
			return pol_error(c, item, "%s values: expected a "
			    "capability name (CAP_SYS_ADMIN, ...)", what);
		m->mask |= 1ULL << cap;
	}
	return 0;
}

static const char *const pol_nschg_keys[] = {
	"operator", "values", NULL
};

/* matchNamespaceChanges: In/NotIn and namespace names */
static int
pol_matchnschg(struct pol_ctx *c, yaml_node_t *n, struct pol_matchnschg *m)
{
	const char *what = "matchNamespaceChanges";
	yaml_node_t *v[2], *item;
	size_t	 i, count;
	int	 r, ns;

	if ((r = yamlu_map(c->y, n, what, pol_nschg_keys, NULL, v)) != 0)
		return r;
	if ((r = pol_in_notin(c, n, what, v[0], &m->op)) != 0)
		return r;
	if (v[1] == NULL)
		return pol_error(c, n, "%s: missing 'values'", what);
	if ((r = yamlu_seq(c->y, v[1], what, 0, NULL, &count)) != 0)
		return r;
	if (count == 0)
		return pol_error(c, v[1], "%s: expected at least one value",
		    what);
	m->mask = 0;
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, v[1], i);
		if (!yamlu_scalar(item) ||
		    (ns = pol_ns_lookup(yamlu_sval(item))) < 0)
			return pol_error(c, item, "%s values: expected one of "
			    "Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, "
			    "TimeForChildren, Cgroup, User", what);
		m->mask |= 1U << ns;
	}
	return 0;
}

/*
 * matchActions / matchReturnActions
 */
enum {
	P_ACTION, P_ERROR, P_SIG, P_FD, P_NAME, P_SOCK, P_URL, P_FQDN,
	P_RATE, P_SCOPE, P_KSTACK, P_USTACK, P_IMA, P_INDEX, P_VALUE, P_N_
};

static const char *const pol_act_keys[] = {
	"action", "argError", "argSig", "argFd", "argName", "argSock",
	"argUrl", "argFqdn", "rateLimit", "rateLimitScope",
	"kernelStackTrace", "userStackTrace", "imaHash", "argIndex",
	"argValue", NULL
};

/* Parameters each action takes (bit = P_*). */
static const uint32_t pol_act_params[POL_ACT_MAX_] = {
	[POL_ACT_POST] = 1U << P_RATE | 1U << P_SCOPE | 1U << P_KSTACK |
	    1U << P_USTACK | 1U << P_IMA,
	[POL_ACT_SIGNAL] = 1U << P_SIG,
	[POL_ACT_OVERRIDE] = 1U << P_ERROR,
	[POL_ACT_FOLLOWFD] = 1U << P_FD | 1U << P_NAME,
	[POL_ACT_UNFOLLOWFD] = 1U << P_FD | 1U << P_NAME,
	[POL_ACT_COPYFD] = 1U << P_FD | 1U << P_NAME,
	[POL_ACT_GETURL] = 1U << P_URL,
	[POL_ACT_DNSLOOKUP] = 1U << P_FQDN,
	[POL_ACT_TRACKSOCK] = 1U << P_SOCK,
	[POL_ACT_UNTRACKSOCK] = 1U << P_SOCK,
};

int
pol_action_kind(struct pol_ctx *c, yaml_node_t *n, const char *what,
    enum pol_action_kind *out)
{
	int	 k;

	if (!yamlu_scalar(n) || (k = pol_action_lookup(yamlu_sval(n))) < 0)
		return pol_error(c, n, "%s: unknown action '%.64s'; expected "
		    "one of: Post, NoPost, Sigkill, Signal, Override, "
		    "FollowFD, UnfollowFD, CopyFD, GetUrl, DnsLookup, "
		    "TrackSock, UntrackSock", what,
		    yamlu_scalar(n) ? yamlu_sval(n) : "");
	*out = (enum pol_action_kind)k;
	return 0;
}

/* A position in args[] for argFd/argName/argSock. */
static int
pol_act_pos(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    const char *what, int *out)
{
	int64_t	 x;
	int	 r;

	if ((r = yamlu_int(c->y, n, what, 0, INT32_MAX, &x)) != 0)
		return r;
	if ((size_t)x >= h->nargs)
		return pol_error(c, n, "%s %lld: the hook has %zu arg%s (%s "
		    "is a position in args)", what, (long long)x, h->nargs,
		    h->nargs == 1 ? "" : "s", what);
	*out = (int)x;
	return 0;
}

static int
pol_fqdn_ok(const char *s)
{
	size_t	 i, label = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_') || ++label > 63)
			return 0;
	}
	return i > 0;
}

/* Which hooks take the action (format rules, not kernel features). */
static int
pol_act_hook(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    struct pol_action *a, int is_ret)
{
	const char *name = policy_action_name(a->kind);
	int	 tp = h->kind == POL_HOOK_TRACEPOINT ||
	    h->kind == POL_HOOK_RAW_TRACEPOINT;

	switch (a->kind) {
	case POL_ACT_NOTIFYENFORCER:
		return pol_error(c, n, "NotifyEnforcer needs enforcers, which "
		    "are not supported; use Sigkill or Override");
	case POL_ACT_SET:
		return pol_error(c, n, "Set is not supported by this engine "
		    "(it would write into the probed process's memory)");
	case POL_ACT_OVERRIDE:
		if (is_ret)
			return pol_error(c, n, "Override: not in "
			    "matchReturnActions (the function has returned)");
		if (tp)
			return pol_error(c, n, "Override: not on tracepoints");
		if (h->fentry)
			return pol_error(c, n, "Override: not on fentries");
		if (h->kind == POL_HOOK_USDT)
			return pol_error(c, n, "Override: not on usdts (a probe "
			    "site is not a function that returns)");
		if (h->kind == POL_HOOK_KPROBE && !h->syscall &&
		    strncmp(h->call, "security_", 9) != 0)
			return pol_error(c, n, "Override: only on syscalls "
			    "(syscall: true) and security_* functions");
		break;
	case POL_ACT_SIGKILL:
	case POL_ACT_SIGNAL:
		if (h->fentry)
			return pol_error(c, n, "%s: not on fentries (no "
			    "enforcement actions there)", name);
		break;
	case POL_ACT_GETURL:
	case POL_ACT_DNSLOOKUP:
		if (h->kind != POL_HOOK_KPROBE && !tp)
			return pol_error(c, n, "%s: only on kprobes and "
			    "tracepoints", name);
		break;
	case POL_ACT_TRACKSOCK:
	case POL_ACT_UNTRACKSOCK:
		if (h->kind != POL_HOOK_KPROBE)
			return pol_error(c, n, "%s: only on kprobes", name);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Post's kernelStackTrace / userStackTrace: the record carries the
 * stacks (bpf_get_stack in the program), collectord symbolises them.
 * Like Tetragon, not on lsmhooks; the loader refuses them where the
 * program that posts cannot take them (fentries, the cgroup programs,
 * Override executors).
 */
static int
pol_act_stacks(struct pol_ctx *c, struct pol_hook *h, yaml_node_t **v,
    struct pol_action *a)
{
	int	 r;

	if ((v[P_KSTACK] != NULL || v[P_USTACK] != NULL) &&
	    h->kind == POL_HOOK_LSM)
		return pol_error(c, v[P_KSTACK] ? v[P_KSTACK] :
		    v[P_USTACK], "stack traces: not on lsmhooks");
	if (v[P_KSTACK] != NULL && (r = yamlu_bool(c->y, v[P_KSTACK],
	    "kernelStackTrace", &a->kernel_stack)) != 0)
		return r;
	if (v[P_USTACK] != NULL && (r = yamlu_bool(c->y, v[P_USTACK],
	    "userStackTrace", &a->user_stack)) != 0)
		return r;
	return 0;
}

static int
pol_action(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    struct pol_action *a, int is_ret)
{
	const char	*what = is_ret ? "matchReturnActions" :
			    "matchActions";
	const char	*s, *name;
	yaml_node_t	*v[P_N_];
	enum pol_arg_type t;
	int64_t		 x;
	size_t		 len;
	int		 r, k;

	a->arg_fd = a->arg_name = a->arg_sock = -1;
	a->line = (int)n->start_mark.line + 1;
	a->col = (int)n->start_mark.column + 1;
	if ((r = yamlu_map(c->y, n, what, pol_act_keys, NULL, v)) != 0)
		return r;
	if (v[P_ACTION] == NULL)
		return pol_error(c, n, "%s: missing 'action'", what);
	if ((r = pol_action_kind(c, v[P_ACTION], "action", &a->kind)) != 0)
		return r;
	name = policy_action_name(a->kind);
	if ((r = pol_act_hook(c, h, v[P_ACTION], a, is_ret)) != 0)
		return r;
	for (k = P_ERROR; k < P_N_; k++) {
		if (v[k] == NULL || (pol_act_params[a->kind] & (1U << k)))
			continue;
		if (k > P_SOCK)
			return pol_error(c, v[k], "%s: not a parameter of "
			    "action %s", pol_act_keys[k], name);
		/* Tetragon ignores the numeric parameters an action does
		 * not use (its examples put argError on Sigkill) */
		if ((r = yamlu_int(c->y, v[k], pol_act_keys[k], INT32_MIN,
		    INT32_MAX, &x)) != 0)
			return r;
		pol_note(c, v[k], "%s has no effect on action %s",
		    pol_act_keys[k], name);
		v[k] = NULL;
	}
	switch (a->kind) {
	case POL_ACT_POST:
		if (v[P_IMA] != NULL)
			return pol_error(c, v[P_IMA], "imaHash is not "
			    "supported");
		if (v[P_RATE] != NULL) {
			if ((r = yamlu_text(c->y, v[P_RATE], "rateLimit", &s,
			    &len)) != 0)
				return r;
			if (pol_ratelimit(s, &a->rate_limit_ms) != 0)
				return pol_error(c, v[P_RATE], "rateLimit: "
				    "expected a duration N, Ns, Nm or Nh "
				    "(N > 0)");
		}
		if (v[P_SCOPE] != NULL) {
			if (v[P_RATE] == NULL)
				return pol_error(c, v[P_SCOPE], "rateLimitScope"
				    ": needs rateLimit");
			s = yamlu_scalar(v[P_SCOPE]) ? yamlu_sval(v[P_SCOPE]) :
			    "";
			if (strcmp(s, "thread") == 0)
				a->rate_limit_scope = POL_RL_THREAD;
			else if (strcmp(s, "process") == 0)
				a->rate_limit_scope = POL_RL_PROCESS;
			else if (strcmp(s, "global") == 0)
				a->rate_limit_scope = POL_RL_GLOBAL;
			else
				return pol_error(c, v[P_SCOPE], "rateLimitScope"
				    ": expected thread, process or global");
		}
		if ((r = pol_act_stacks(c, h, v, a)) != 0)
			return r;
		break;
	case POL_ACT_SIGNAL:
		if (v[P_SIG] == NULL)
			return pol_error(c, n, "Signal: missing 'argSig'");
		if ((r = yamlu_int(c->y, v[P_SIG], "argSig", 1, 64, &x)) != 0)
			return r;
		a->arg_sig = (int)x;
		break;
	case POL_ACT_OVERRIDE:
		if (v[P_ERROR] == NULL)
			return pol_error(c, n, "Override: missing 'argError'");
		if ((r = yamlu_int(c->y, v[P_ERROR], "argError", INT32_MIN,
		    INT32_MAX, &x)) != 0)
			return r;
		a->arg_error = (int32_t)x;
		break;
	case POL_ACT_FOLLOWFD:
	case POL_ACT_UNFOLLOWFD:
	case POL_ACT_COPYFD:
		/* in matchReturnActions a missing argFd is the return value */
		if (v[P_FD] == NULL && !is_ret)
			return pol_error(c, n, "%s: missing 'argFd'", name);
		if (v[P_FD] != NULL) {
			if ((r = pol_act_pos(c, h, v[P_FD], "argFd",
			    &a->arg_fd)) != 0)
				return r;
			t = h->args[a->arg_fd].type;
			if (!pol_type_is_int(t) && t != POL_ARG_FD &&
			    t != POL_ARG_AUTO)
				return pol_error(c, v[P_FD], "argFd %d: the "
				    "arg is of type %s; expected an integer "
				    "or fd", a->arg_fd,
				    h->args[a->arg_fd].type_name);
		}
		if (v[P_NAME] == NULL && a->kind != POL_ACT_UNFOLLOWFD)
			return pol_error(c, n, "%s: missing 'argName'", name);
		if (v[P_NAME] != NULL) {
			if ((r = pol_act_pos(c, h, v[P_NAME], "argName",
			    &a->arg_name)) != 0)
				return r;
			t = h->args[a->arg_name].type;
			if (a->kind == POL_ACT_FOLLOWFD &&
			    !pol_type_is_str(t) && t != POL_ARG_AUTO)
				return pol_error(c, v[P_NAME], "argName %d: "
				    "the arg is of type %s; FollowFD needs "
				    "a path or string", a->arg_name,
				    h->args[a->arg_name].type_name);
			if (a->kind == POL_ACT_COPYFD &&
			    !pol_type_is_int(t) && t != POL_ARG_FD &&
			    t != POL_ARG_AUTO)
				return pol_error(c, v[P_NAME], "argName %d: "
				    "CopyFD needs the new fd (an integer)",
				    a->arg_name);
		}
		break;
	case POL_ACT_TRACKSOCK:
	case POL_ACT_UNTRACKSOCK:
		if (v[P_SOCK] == NULL)
			return pol_error(c, n, "%s: missing 'argSock'", name);
		if ((r = pol_act_pos(c, h, v[P_SOCK], "argSock",
		    &a->arg_sock)) != 0)
			return r;
		if (h->args[a->arg_sock].type != POL_ARG_SOCK &&
		    h->args[a->arg_sock].type != POL_ARG_SOCKET)
			return pol_error(c, v[P_SOCK], "argSock %d: the arg "
			    "is of type %s; expected sock or socket", a->arg_sock,
			    h->args[a->arg_sock].type_name);
		break;
	case POL_ACT_GETURL:
		if (v[P_URL] == NULL)
			return pol_error(c, n, "GetUrl: missing 'argUrl'");
		if ((r = yamlu_str(c->y, v[P_URL], "argUrl", POL_MAX_URL,
		    "URL limit", &a->arg_url)) != 0)
			return r;
		if (strncmp(a->arg_url, "http://", 7) != 0 &&
		    strncmp(a->arg_url, "https://", 8) != 0)
			return pol_error(c, v[P_URL], "argUrl: expected an "
			    "http:// or https:// URL");
		break;
	case POL_ACT_DNSLOOKUP:
		if (v[P_FQDN] == NULL)
			return pol_error(c, n, "DnsLookup: missing 'argFqdn'");
		if ((r = yamlu_str(c->y, v[P_FQDN], "argFqdn", POL_MAX_FQDN,
		    "DNS name limit", &a->arg_fqdn)) != 0)
			return r;
		if (!pol_fqdn_ok(a->arg_fqdn))
			return pol_error(c, v[P_FQDN], "argFqdn: expected a "
			    "DNS name");
		break;
	default:
		break;
	}
	return 0;
}

static int
pol_actions(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    struct pol_action *list, size_t *nlist, int is_ret)
{
	const char *what = is_ret ? "matchReturnActions" : "matchActions";
	size_t	 i, count;
	int	 r;

	if ((r = yamlu_seq(c->y, n, what, POL_MAX_ACTIONS, "POL_MAX_ACTIONS",
	    &count)) != 0)
		return r;
	for (i = 0; i < count; i++) {
		*nlist = i + 1;
		if ((r = pol_action(c, h, yamlu_item(c->y, n, i), &list[i],
		    is_ret)) != 0)
			return r;
	}
	return 0;
}

/*
 * One selector
 */
static int
pol_has_return(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    const char *what)
{
	if ((h->kind != POL_HOOK_KPROBE && h->kind != POL_HOOK_UPROBE) ||
	    !h->ret)
		return pol_error(c, n, "%s: only on kprobes and uprobes with "
		    "return: true", what);
	return 0;
}

static int
pol_selector(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    struct pol_selector *s)
{
	yaml_node_t	*v[SEL_N_];
	size_t		 i, count;
	int		 r;

	s->line = (int)n->start_mark.line + 1;
	s->col = (int)n->start_mark.column + 1;
	if ((r = yamlu_map(c->y, n, "selectors", pol_sel_keys, NULL, v)) != 0)
		return r;
	if (v[SEL_MACROS] != NULL && (r = pol_macros_merge(c, v[SEL_MACROS],
	    v)) != 0)
		return r;
	if (v[SEL_DATA] != NULL)
		return pol_error(c, v[SEL_DATA], "matchData is not supported "
		    "(no data: arguments)");
	if (v[SEL_WORKLOADS] != NULL)
		return pol_error(c, v[SEL_WORKLOADS], "matchWorkloads selects "
		    "Kubernetes workloads; a host has none");
	if (v[SEL_LABEL] != NULL && (r = yamlu_str(c->y, v[SEL_LABEL], "label",
	    POL_MAX_LABEL, "POL_MAX_LABEL", &s->label)) != 0)
		return r;
	if (v[SEL_ARGS] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_ARGS], "matchArgs",
		    POL_MAX_MATCHARGS, "POL_MAX_MATCHARGS", &count)) != 0)
			return r;
		for (i = 0; i < count; i++) {
			s->nmatchargs = i + 1;
			if ((r = pol_matcharg(c, h, yamlu_item(c->y,
			    v[SEL_ARGS], i), &s->matchargs[i], 0)) != 0)
				return r;
		}
	}
	if (v[SEL_RETARGS] != NULL) {
		if ((r = pol_has_return(c, h, v[SEL_RETARGS],
		    "matchReturnArgs")) != 0 ||
		    (r = yamlu_seq(c->y, v[SEL_RETARGS], "matchReturnArgs",
		    POL_MAX_RETARGS, "POL_MAX_RETARGS", &count)) != 0)
			return r;
		for (i = 0; i < count; i++) {
			s->nretargs = i + 1;
			if ((r = pol_matcharg(c, h, yamlu_item(c->y,
			    v[SEL_RETARGS], i), &s->retargs[i], 1)) != 0)
				return r;
		}
	}
	if (v[SEL_PIDS] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_PIDS], "matchPIDs",
		    POL_MAX_PID_ENTRIES, "POL_MAX_PID_ENTRIES", &count)) != 0)
			return r;
		for (i = 0; i < count; i++) {
			s->npids = i + 1;
			if ((r = pol_matchpids(c, yamlu_item(c->y,
			    v[SEL_PIDS], i), &s->pids[i])) != 0)
				return r;
		}
	}
	if (v[SEL_BINARIES] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_BINARIES], "matchBinaries", 1,
		    "one per selector", &count)) != 0)
			return r;
		if (count == 1) {
			s->has_binaries = 1;
			if ((r = pol_matchbinaries(c, yamlu_item(c->y,
			    v[SEL_BINARIES], 0), "matchBinaries",
			    &s->binaries)) != 0)
				return r;
		}
	}
	if (v[SEL_PARENTBIN] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_PARENTBIN],
		    "matchParentBinaries", 1, "one per selector", &count)) != 0)
			return r;
		if (count == 1) {
			s->has_parent_binaries = 1;
			if ((r = pol_matchbinaries(c, yamlu_item(c->y,
			    v[SEL_PARENTBIN], 0), "matchParentBinaries",
			    &s->parent_binaries)) != 0)
				return r;
		}
	}
	if (v[SEL_NS] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_NS], "matchNamespaces",
		    POL_MAX_NS_ENTRIES, "POL_MAX_NS_ENTRIES", &count)) != 0)
			return r;
		for (i = 0; i < count; i++) {
			s->nns = i + 1;
			if ((r = pol_matchns(c, yamlu_item(c->y, v[SEL_NS], i),
			    &s->ns[i])) != 0)
				return r;
		}
	}
	if (v[SEL_CAPS] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_CAPS], "matchCapabilities",
		    POL_MAX_CAP_ENTRIES, "POL_MAX_CAP_ENTRIES", &count)) != 0)
			return r;
		for (i = 0; i < count; i++) {
			s->ncaps = i + 1;
			if ((r = pol_matchcaps(c, yamlu_item(c->y,
			    v[SEL_CAPS], i), "matchCapabilities",
			    &s->caps[i])) != 0)
				return r;
		}
	}
	if (v[SEL_NSCHANGES] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_NSCHANGES],
		    "matchNamespaceChanges", 1, "one per selector", &count)) != 0)
			return r;
		if (count == 1) {
			s->has_nschg = 1;
			if ((r = pol_matchnschg(c, yamlu_item(c->y,
			    v[SEL_NSCHANGES], 0), &s->nschg)) != 0)
				return r;
		}
	}
	if (v[SEL_CAPCHANGES] != NULL) {
		if ((r = yamlu_seq(c->y, v[SEL_CAPCHANGES],
		    "matchCapabilityChanges", 1, "one per selector",
		    &count)) != 0)
			return r;
		if (count == 1) {
			s->has_capchg = 1;
			if ((r = pol_matchcaps(c, yamlu_item(c->y,
			    v[SEL_CAPCHANGES], 0), "matchCapabilityChanges",
			    &s->capchg)) != 0)
				return r;
		}
	}
	if (v[SEL_ACTIONS] != NULL && (r = pol_actions(c, h, v[SEL_ACTIONS],
	    s->actions, &s->nactions, 0)) != 0)
		return r;
	if (v[SEL_RETACTIONS] != NULL) {
		if ((r = pol_has_return(c, h, v[SEL_RETACTIONS],
		    "matchReturnActions")) != 0)
			return r;
		if ((r = pol_actions(c, h, v[SEL_RETACTIONS], s->retactions,
		    &s->nretactions, 1)) != 0)
			return r;
	}
	return 0;
}

int
pol_selectors(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n)
{
	size_t	 i, count;
	int	 r;

	if ((r = yamlu_seq(c->y, n, "selectors", POL_MAX_SELECTORS,
	    "POL_MAX_SELECTORS", &count)) != 0)
		return r;
	for (i = 0; i < count; i++) {
		h->nselectors = i + 1;
		if ((r = pol_selector(c, h, yamlu_item(c->y, n, i),
		    &h->selectors[i])) != 0)
			return r;
	}
	return 0;
}

/* the key tables of this file, for policy_names_walk */
const struct pol_keytab pol_sel_keytabs[] = {
	{ "selectors", pol_sel_keys }, { "matchArgs", pol_marg_keys },
	{ "matchPIDs", pol_pids_keys }, { "matchBinaries", pol_bins_keys },
	{ "matchParentBinaries", pol_bins_keys },
	{ "matchNamespaces", pol_ns_keys },
	{ "matchCapabilities", pol_caps_keys },
	{ "matchNamespaceChanges", pol_nschg_keys },
	{ "matchCapabilityChanges", pol_caps_keys },
	{ "matchActions", pol_act_keys }, { NULL, NULL }
};
