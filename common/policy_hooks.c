/*
 * common/policy_hooks.c -- hook specs: kprobes (and fentries, parsed as
 * kprobes with fentry = 1), tracepoints (raw or not), uprobes (one hook per
 * symbol), lsmhooks; their args, return value, message and tags; and the
 * expansion of `call: "list:NAME"` into one hook per list value.
 *
 * A hook spec that expands to several hooks is parsed once per hook, so
 * every hook owns its memory and errors carry the spec's positions.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "err.h"
#include "policy_int.h"
#include "xmalloc.h"

/* The nodes of one hook spec, by role (NULL: absent / not for this kind). */
struct pol_hspec {
	yaml_node_t	*node;
	yaml_node_t	*syscall, *ret, *retarg, *retargaction, *args;
	yaml_node_t	*selectors, *message, *tags, *ignore;
	const char	*expand;	/* why one spec gives several hooks */
};

void
pol_hook_clear(struct pol_hook *h)
{
	struct pol_selector *s;
	size_t	 i, j, k;

	free(h->call);
	free(h->subsystem);
	free(h->event);
	free(h->path);
	free(h->symbol);
	free(h->message);
	for (i = 0; i < h->ntags; i++)
		free(h->tags[i]);
	for (i = 0; i < h->nargs; i++) {
		free(h->args[i].label);
		free(h->args[i].resolve);
		free(h->args[i].btf_type);
	}
	free(h->retarg.label);
	free(h->retarg.resolve);
	free(h->retarg.btf_type);
	for (i = 0; i < h->nselectors; i++) {
		s = &h->selectors[i];
		for (j = 0; j < s->nmatchargs; j++) {
			for (k = 0; k < s->matchargs[j].nvalues; k++)
				free(s->matchargs[j].values[k].str);
			free(s->matchargs[j].values);
		}
		for (j = 0; j < s->nretargs; j++) {
			for (k = 0; k < s->retargs[j].nvalues; k++)
				free(s->retargs[j].values[k].str);
			free(s->retargs[j].values);
		}
		for (j = 0; j < s->binaries.nvalues; j++)
			free(s->binaries.values[j]);
		for (j = 0; j < s->parent_binaries.nvalues; j++)
			free(s->parent_binaries.values[j]);
		for (j = 0; j < s->nactions; j++) {
			free(s->actions[j].arg_url);
			free(s->actions[j].arg_fqdn);
		}
		for (j = 0; j < s->nretactions; j++) {
			free(s->retactions[j].arg_url);
			free(s->retactions[j].arg_fqdn);
		}
		free(s->label);
	}
	memset(h, 0, sizeof(*h));
}

/* A new hook slot, or an error naming POL_MAX_HOOKS. */
static int
pol_hook_new(struct pol_ctx *c, struct pol_hspec *s, enum pol_hook_kind kind,
    struct pol_hook **out)
{
	struct pol_hook *h;

	if (c->pol->nhooks >= POL_MAX_HOOKS)
		return pol_error(c, s->node, "more than %d hooks in the policy "
		    "(POL_MAX_HOOKS)%s", POL_MAX_HOOKS, s->expand ? s->expand :
		    "");
	h = &c->pol->hooks[c->pol->nhooks++];
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->syscall_nr = -1;
	h->retarg.type = POL_ARG_NONE;
	h->line = (int)s->node->start_mark.line + 1;
	h->col = (int)s->node->start_mark.column + 1;
	*out = h;
	return 0;
}

/*
 * Arguments
 */
enum {
	A_INDEX, A_TYPE, A_LABEL, A_SIZEARG, A_RETCOPY, A_MAXDATA, A_RESOLVE,
	A_BTFTYPE, A_BTFMODULE, A_SOURCE, A_N_
};

static const char *const pol_arg_keys[] = {
	"index", "type", "label", "sizeArgIndex", "returnCopy", "maxData",
	"resolve", "btfType", "btfTypeModule", "source", NULL
};

static int
pol_is_tp(const struct pol_hook *h)
{
	return h->kind == POL_HOOK_TRACEPOINT;
}

static int
pol_max_index(const struct pol_hook *h, const char **limname)
{
	if (pol_is_tp(h)) {
		*limname = "POL_MAX_TP_INDEX";
		return POL_MAX_TP_INDEX;
	}
	*limname = "POL_MAX_ARG_INDEX";
	return POL_MAX_ARG_INDEX;
}

static int
pol_arg(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    struct pol_arg *a, int is_ret)
{
	const char *what = is_ret ? "returnArg" : "args", *lim, *t;
	yaml_node_t *v[A_N_];
	int64_t	 x;
	int	 r, b, max;

	if ((r = yamlu_map(c->y, n, what, pol_arg_keys, NULL, v)) != 0)
		return r;
	a->line = (int)n->start_mark.line + 1;
	a->col = (int)n->start_mark.column + 1;
	max = pol_max_index(h, &lim);
	if (v[A_INDEX] != NULL) {
		if ((r = yamlu_int(c->y, v[A_INDEX], "index", 0, INT32_MAX,
		    &x)) != 0)
			return r;
		if (!is_ret && x > max)
			return pol_error(c, v[A_INDEX], "index %lld: at most "
			    "%d (%s)", (long long)x, max, lim);
		a->index = (int)x;
	} else if (!is_ret)
		return pol_error(c, n, "args: missing 'index'");
	if (v[A_TYPE] != NULL) {
		if (!yamlu_scalar(v[A_TYPE]) || yamlu_null(v[A_TYPE]))
			return pol_error(c, v[A_TYPE], "type: expected a type "
			    "name");
		t = yamlu_sval(v[A_TYPE]);
		if (pol_type_lookup(t, &a->type, &a->type_name) != 0)
			return pol_error(c, v[A_TYPE], "type: unknown argument "
			    "type '%.64s'", t);
	} else if (pol_is_tp(h) && !is_ret) {
		a->type = POL_ARG_AUTO;
		a->type_name = "auto";
	} else
		return pol_error(c, n, "%s: missing 'type'", what);
	if ((a->type == POL_ARG_AUTO || a->type == POL_ARG_DATA_LOC) &&
	    (!pol_is_tp(h) || is_ret))
		return pol_error(c, v[A_TYPE], "type %s: only for tracepoint "
		    "fields (raw: false)", a->type_name);
	if (a->type == POL_ARG_SYSCALL64 && h->kind != POL_HOOK_TRACEPOINT &&
	    h->kind != POL_HOOK_RAW_TRACEPOINT)
		return pol_error(c, v[A_TYPE], "type syscall64: only for "
		    "tracepoints (raw_syscalls)");
	if (a->type == POL_ARG_SOCKADDR_UN)
		return pol_error(c, v[A_TYPE], "type sockaddr_un is not "
		    "supported by this engine: the address is never read, so "
		    "a filter on it could not match");
	if (v[A_LABEL] != NULL && (r = yamlu_str(c->y, v[A_LABEL], "label",
	    POL_MAX_LABEL, "POL_MAX_LABEL", &a->label)) != 0)
		return r;
	if (v[A_SIZEARG] != NULL) {
		if (is_ret || (a->type != POL_ARG_CHAR_BUF &&
		    a->type != POL_ARG_CHAR_IOVEC))
			return pol_error(c, v[A_SIZEARG], "sizeArgIndex: only "
			    "for char_buf and char_iovec args");
		if ((r = yamlu_int(c->y, v[A_SIZEARG], "sizeArgIndex", 1,
		    max + 1, &x)) != 0)
			return r;
		a->size_arg_index = (int)x;
	} else if (a->type == POL_ARG_CHAR_IOVEC && !is_ret)
		return pol_error(c, v[A_TYPE], "type char_iovec needs "
		    "sizeArgIndex: the argument holding the number of iovec "
		    "entries");
	if (v[A_RETCOPY] != NULL) {
		if ((r = yamlu_bool(c->y, v[A_RETCOPY], "returnCopy", &b)) != 0)
			return r;
		if (b && (is_ret || (a->type != POL_ARG_CHAR_BUF &&
		    a->type != POL_ARG_CHAR_IOVEC)))
			return pol_error(c, v[A_RETCOPY], "returnCopy: only "
			    "for char_buf and char_iovec args");
		if (b && h->kind != POL_HOOK_KPROBE &&
		    h->kind != POL_HOOK_UPROBE)
			return pol_error(c, v[A_RETCOPY], "returnCopy: only "
			    "on kprobes and uprobes (it reads the buffer when "
			    "the function returns)");
		a->return_copy = b;
	}
	if (v[A_MAXDATA] != NULL) {
		if ((r = yamlu_bool(c->y, v[A_MAXDATA], "maxData", &b)) != 0)
			return r;
		if (b && a->type != POL_ARG_CHAR_BUF)
			return pol_error(c, v[A_MAXDATA], "maxData: only for "
			    "char_buf args");
		if (b && a->return_copy)
			return pol_error(c, v[A_MAXDATA], "maxData: not with "
			    "returnCopy");
		a->max_data = b ? POL_MAX_DATA : 0;
	}
	if (v[A_RESOLVE] != NULL && (r = yamlu_str(c->y, v[A_RESOLVE],
	    "resolve", POL_MAX_STR, "POL_MAX_STR", &a->resolve)) != 0)
		return r;
	if (v[A_BTFTYPE] != NULL && (r = pol_ident(c, v[A_BTFTYPE], "btfType",
	    &a->btf_type)) != 0)
		return r;
	if (v[A_BTFMODULE] != NULL)
		return pol_error(c, v[A_BTFMODULE], "btfTypeModule is not "
		    "supported");
	if (v[A_SOURCE] != NULL)
		return pol_error(c, v[A_SOURCE], "source: only for data "
		    "arguments, which are not supported");
	return 0;
}

static int
pol_args(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n)
{
	const struct pol_arg *sz;
	struct pol_arg *a;
	size_t	 i, j, count;
	int	 r;

	if ((r = yamlu_seq(c->y, n, "args", POL_MAX_ARGS, "POL_MAX_ARGS",
	    &count)) != 0)
		return r;
	for (i = 0; i < count; i++) {
		h->nargs = i + 1;
		if ((r = pol_arg(c, h, yamlu_item(c->y, n, i), &h->args[i],
		    0)) != 0)
			return r;
	}
	/* sizeArgIndex N names the argument with index N - 1 */
	for (i = 0; i < h->nargs; i++) {
		a = &h->args[i];
		if (a->size_arg_index == 0)
			continue;
		sz = NULL;
		for (j = 0; j < h->nargs; j++)
			if (h->args[j].index == a->size_arg_index - 1)
				sz = &h->args[j];
		if (sz == NULL)
			return pol_error(c, yamlu_item(c->y, n, i),
			    "sizeArgIndex %d (1-based) names index %d, which "
			    "is not in args", a->size_arg_index,
			    a->size_arg_index - 1);
		if (!pol_type_is_int(sz->type) && sz->type != POL_ARG_AUTO)
			return pol_error(c, yamlu_item(c->y, n, i),
			    "sizeArgIndex %d (1-based) names index %d of type "
			    "%s; expected an integer type", a->size_arg_index,
			    a->size_arg_index - 1, sz->type_name);
	}
	return 0;
}

/*
 * Parts common to every hook kind
 */
static const char *const pol_ignore_keys[] = { "callNotFound", NULL };

static int
pol_hook_body(struct pol_ctx *c, struct pol_hook *h, struct pol_hspec *s)
{
	const char *const *ignore_keys = pol_ignore_keys;
	yaml_node_t	*iv[1], *item;
	const char	*t;
	size_t		 i, j, count;
	int		 r, k;

	if (s->ignore != NULL) {
		if ((r = yamlu_map(c->y, s->ignore, "ignore", ignore_keys, NULL,
		    iv)) != 0)
			return r;
		if (iv[0] != NULL && (r = yamlu_bool(c->y, iv[0],
		    "ignore.callNotFound", &h->ignore_call_not_found)) != 0)
			return r;
	}
	if (s->args != NULL && (r = pol_args(c, h, s->args)) != 0)
		return r;
	if (s->ret != NULL && (r = yamlu_bool(c->y, s->ret, "return",
	    &h->ret)) != 0)
		return r;
	if (s->retarg != NULL) {
		if (!h->ret)
			return pol_error(c, s->retarg, "returnArg: needs "
			    "return: true");
		if ((r = pol_arg(c, h, s->retarg, &h->retarg, 1)) != 0)
			return r;
	} else if (h->ret)
		return pol_error(c, s->ret, "return: true needs returnArg "
		    "(the type of the return value)");
	if (s->retargaction != NULL) {
		if (!yamlu_scalar(s->retargaction))
			return pol_error(c, s->retargaction, "returnArgAction: "
			    "expected TrackSock or UntrackSock");
		t = yamlu_sval(s->retargaction);
		k = pol_action_lookup(t);
		if (k == POL_ACT_POST)
			return pol_error(c, s->retargaction, "returnArgAction: "
			    "Post was removed (Tetragon); use "
			    "matchReturnActions");
		if (k != POL_ACT_TRACKSOCK && k != POL_ACT_UNTRACKSOCK)
			return pol_error(c, s->retargaction, "returnArgAction: "
			    "expected TrackSock or UntrackSock");
		if (!h->ret)
			return pol_error(c, s->retargaction, "returnArgAction: "
			    "needs return: true");
		if (h->retarg.type != POL_ARG_SOCK)
			return pol_error(c, s->retargaction, "returnArgAction "
			    "%s: returnArg must be of type sock",
			    policy_action_name((enum pol_action_kind)k));
		h->ret_arg_action = (enum pol_action_kind)k;
	}
	if (s->message != NULL && (r = yamlu_str(c->y, s->message, "message",
	    POL_MAX_MESSAGE, "POL_MAX_MESSAGE", &h->message)) != 0)
		return r;
	if (s->tags != NULL) {
		if ((r = yamlu_seq(c->y, s->tags, "tags", POL_MAX_TAGS,
		    "POL_MAX_TAGS", &count)) != 0)
			return r;
		for (i = 0; i < count; i++) {
			item = yamlu_item(c->y, s->tags, i);
			h->ntags = i + 1;
			if ((r = yamlu_str(c->y, item, "tags", POL_MAX_LABEL,
			    "POL_MAX_LABEL", &h->tags[i])) != 0)
				return r;
			for (j = 0; j < i; j++)
				if (strcmp(h->tags[j], h->tags[i]) == 0)
					return pol_error(c, item, "tags: "
					    "duplicate tag '%s'", h->tags[i]);
		}
	}
	if (s->selectors != NULL && (r = pol_selectors(c, h,
	    s->selectors)) != 0)
		return r;
	return 0;
}

/*
 * kprobes / fentries
 */
enum {
	K_CALL, K_SYSCALL, K_RETURN, K_RETARG, K_RETARGACTION, K_ARGS,
	K_DATA, K_SELECTORS, K_MESSAGE, K_TAGS, K_IGNORE, K_N_
};

static const char *const pol_kprobe_keys[] = {
	"call", "syscall", "return", "returnArg", "returnArgAction", "args",
	"data", "selectors", "message", "tags", "ignore", NULL
};

/* Resolve h->call as an x86_64 syscall (h->syscall is set). */
static int
pol_kprobe_syscall(struct pol_ctx *c, struct pol_hook *h, yaml_node_t *n,
    int explicit)
{
	int	 nr;

	nr = pol_syscall_resolve(h->call);
	if (nr >= 0) {
		h->syscall_nr = nr;
		return 0;
	}
	if (nr == POL_SC_IA32)
		return pol_error(c, n, "call '%s': the 32-bit (ia32) syscall "
		    "ABI is not supported; tripline hooks the x86_64 ABI "
		    "only", h->call);
	if (nr == POL_SC_OTHERABI)
		return pol_error(c, n, "call '%s': not an x86_64 syscall name "
		    "(another architecture's prefix)", h->call);
	if (h->ignore_call_not_found) {
		pol_note(c, n, "call '%s' is not an x86_64 syscall; hook "
		    "skipped (ignore.callNotFound)", h->call);
		return 0;
	}
	return pol_error(c, n, "call '%s': unknown x86_64 syscall%s", h->call,
	    explicit ? "" : " (syscall: true is the default; set "
	    "syscall: false for a kernel function)");
}

static int
pol_kprobe_one(struct pol_ctx *c, struct pol_hspec *s, yaml_node_t **v,
    const char *call, const struct pol_list *l, int nr, int fentry)
{
	struct pol_hook *h;
	int	 r;

	if ((r = pol_hook_new(c, s, POL_HOOK_KPROBE, &h)) != 0)
		return r;
	h->fentry = fentry;
	h->call = xstrdup(call);
	h->syscall = 1;
	if (v[K_SYSCALL] != NULL && (r = yamlu_bool(c->y, v[K_SYSCALL],
	    "syscall", &h->syscall)) != 0)
		return r;
	if (l != NULL && l->type != POL_LIST_FUNCS && !h->syscall)
		return pol_error(c, v[K_SYSCALL], "syscall: false, but list "
		    "%s is a syscalls list", l->name);
	/* ignore: first, so that an unknown syscall can be skipped */
	if ((r = pol_hook_body(c, h, s)) != 0)
		return r;
	if (h->syscall) {
		if (l != NULL && l->type != POL_LIST_FUNCS) {
			h->syscall_nr = nr;	/* resolved by pol_list */
			return 0;
		}
		return pol_kprobe_syscall(c, h, v[K_CALL],
		    v[K_SYSCALL] != NULL);
	}
	return 0;
}

static int
pol_kprobe(struct pol_ctx *c, yaml_node_t *n, int fentry)
{
	const char	*what = fentry ? "fentries" : "kprobes";
	yaml_node_t	*v[K_N_];
	struct pol_hspec s;
	struct pol_list	*l;
	char		*call = NULL, msg[192];
	size_t		 i;
	int		 r;

	if ((r = yamlu_map(c->y, n, what, pol_kprobe_keys, NULL, v)) != 0)
		return r;
	if (v[K_CALL] == NULL)
		return pol_error(c, n, "%s: missing 'call'", what);
	if (v[K_DATA] != NULL)
		return pol_error(c, v[K_DATA], "data: is not supported "
		    "(current_task/pt_regs sources and matchData)");
	memset(&s, 0, sizeof(s));
	s.node = n;
	s.syscall = v[K_SYSCALL];
	s.ret = v[K_RETURN];
	s.retarg = v[K_RETARG];
	s.retargaction = v[K_RETARGACTION];
	s.args = v[K_ARGS];
	s.selectors = v[K_SELECTORS];
	s.message = v[K_MESSAGE];
	s.tags = v[K_TAGS];
	s.ignore = v[K_IGNORE];
	if ((r = yamlu_str(c->y, v[K_CALL], "call", POL_MAX_LABEL,
	    "POL_MAX_LABEL", &call)) != 0)
		return r;
	if (strncmp(call, "list:", 5) != 0) {
		free(call);
		call = NULL;
		if ((r = pol_ident(c, v[K_CALL], "call", &call)) != 0)
			return r;
		r = pol_kprobe_one(c, &s, v, call, NULL, -1, fentry);
		free(call);
		return r;
	}
	if ((l = pol_list_find(c, call + 5)) == NULL) {
		r = pol_error(c, v[K_CALL], "call '%s': no list named '%s' in "
		    "spec.lists", call, call + 5);
		free(call);
		return r;
	}
	free(call);
	snprintf(msg, sizeof(msg), " (list:%s expands to one hook per value)",
	    l->name);
	s.expand = msg;
	for (i = 0; i < l->nvalues; i++) {
		if ((r = pol_kprobe_one(c, &s, v, l->values[i], l,
		    l->nrs[i], fentry)) != 0)
			return r;
	}
	return 0;
}

/*
 * tracepoints
 */
static const char *const pol_tp_keys[] = {
	"subsystem", "event", "raw", "args", "selectors", "message", "tags",
	NULL
};

static int
pol_tracepoint(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*v[7];
	struct pol_hspec s;
	struct pol_hook	*h;
	int		 r, raw = 0;

	if ((r = yamlu_map(c->y, n, "tracepoints", pol_tp_keys, NULL, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "tracepoints: missing 'subsystem'");
	if (v[1] == NULL)
		return pol_error(c, n, "tracepoints: missing 'event'");
	if (v[2] != NULL && (r = yamlu_bool(c->y, v[2], "raw", &raw)) != 0)
		return r;
	memset(&s, 0, sizeof(s));
	s.node = n;
	s.args = v[3];
	s.selectors = v[4];
	s.message = v[5];
	s.tags = v[6];
	if ((r = pol_hook_new(c, &s, raw ? POL_HOOK_RAW_TRACEPOINT :
	    POL_HOOK_TRACEPOINT, &h)) != 0)
		return r;
	if ((r = pol_ident(c, v[0], "subsystem", &h->subsystem)) != 0 ||
	    (r = pol_ident(c, v[1], "event", &h->event)) != 0)
		return r;
	if (strchr(h->subsystem, '.') != NULL)
		return pol_error(c, v[0], "subsystem: expected a tracepoint "
		    "subsystem name (letters, digits, '_')");
	if (strchr(h->event, '.') != NULL)
		return pol_error(c, v[1], "event: expected a tracepoint event "
		    "name (letters, digits, '_')");
	return pol_hook_body(c, h, &s);
}

/*
 * uprobes
 */
enum {
	U_PATH, U_SYMBOLS, U_OFFSETS, U_ADDRS, U_REFCTR, U_BTFPATH,
	U_DIGESTS, U_ARGS, U_DATA, U_RETURN, U_RETARG, U_SELECTORS,
	U_MESSAGE, U_TAGS, U_N_
};

static const char *const pol_uprobe_keys[] = {
	"path", "symbols", "offsets", "addrs", "refCtrOffsets", "btfPath",
	"binaryDigests", "args", "data", "return", "returnArg", "selectors",
	"message", "tags", NULL
};

static int
pol_uprobe(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*v[U_N_], *item;
	struct pol_hspec s;
	struct pol_hook	*h;
	char		*path = NULL, *sym = NULL;
	size_t		 i, j, count;
	int		 r;

	if ((r = yamlu_map(c->y, n, "uprobes", pol_uprobe_keys, NULL, v)) != 0)
		return r;
	if (v[U_PATH] == NULL)
		return pol_error(c, n, "uprobes: missing 'path'");
	if (v[U_OFFSETS] != NULL || v[U_ADDRS] != NULL)
		return pol_error(c, v[U_OFFSETS] ? v[U_OFFSETS] : v[U_ADDRS],
		    "uprobes: %s are not supported; use symbols",
		    v[U_OFFSETS] ? "offsets" : "addrs");
	if (v[U_REFCTR] != NULL)
		return pol_error(c, v[U_REFCTR], "refCtrOffsets is not "
		    "supported");
	if (v[U_BTFPATH] != NULL)
		return pol_error(c, v[U_BTFPATH], "btfPath is not supported "
		    "(no BTF-typed user-space arguments)");
	if (v[U_DIGESTS] != NULL)
		return pol_error(c, v[U_DIGESTS], "binaryDigests is not "
		    "supported");
	if (v[U_DATA] != NULL)
		return pol_error(c, v[U_DATA], "data: is not supported "
		    "(current_task/pt_regs sources and matchData)");
	if (v[U_SYMBOLS] == NULL)
		return pol_error(c, n, "uprobes: missing 'symbols'");
	if ((r = yamlu_str(c->y, v[U_PATH], "path", POL_MAX_PATH, "PATH_MAX",
	    &path)) != 0)
		return r;
	if (path[0] != '/') {
		free(path);
		return pol_error(c, v[U_PATH], "path: expected an absolute "
		    "path");
	}
	if ((r = yamlu_seq(c->y, v[U_SYMBOLS], "symbols", 0, NULL,
	    &count)) != 0)
		goto out;
	if (count == 0) {
		r = pol_error(c, v[U_SYMBOLS], "symbols: expected at least "
		    "one symbol");
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.node = n;
	s.args = v[U_ARGS];
	s.ret = v[U_RETURN];
	s.retarg = v[U_RETARG];
	s.selectors = v[U_SELECTORS];
	s.message = v[U_MESSAGE];
	s.tags = v[U_TAGS];
	s.expand = " (a uprobe is one hook per symbol)";
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, v[U_SYMBOLS], i);
		free(sym);
		sym = NULL;
		if ((r = pol_ident(c, item, "symbols", &sym)) != 0)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(yamlu_sval(yamlu_item(c->y, v[U_SYMBOLS],
			    j)), sym) == 0) {
				r = pol_error(c, item, "symbols: '%s' is "
				    "listed twice", sym);
				goto out;
			}
		if ((r = pol_hook_new(c, &s, POL_HOOK_UPROBE, &h)) != 0)
			goto out;
		h->path = xstrdup(path);
		h->symbol = sym;
		sym = NULL;
		if ((r = pol_hook_body(c, h, &s)) != 0)
			goto out;
	}
out:
	free(sym);
	free(path);
	return r;
}

/*
 * lsmhooks
 */
static const char *const pol_lsm_keys[] = {
	"hook", "args", "selectors", "message", "tags", NULL
};

static int
pol_lsm(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*v[5];
	struct pol_hspec s;
	struct pol_hook	*h;
	int		 r;

	if ((r = yamlu_map(c->y, n, "lsmhooks", pol_lsm_keys, NULL, v)) != 0)
		return r;
	if (v[0] == NULL)
		return pol_error(c, n, "lsmhooks: missing 'hook'");
	memset(&s, 0, sizeof(s));
	s.node = n;
	s.args = v[1];
	s.selectors = v[2];
	s.message = v[3];
	s.tags = v[4];
	if ((r = pol_hook_new(c, &s, POL_HOOK_LSM, &h)) != 0)
		return r;
	if ((r = pol_ident(c, v[0], "hook", &h->call)) != 0)
		return r;
	return pol_hook_body(c, h, &s);
}

/*
 * usdts: a SystemTap SDT probe (provider:name in the ELF notes of path),
 * attached with libbpf's USDT support; args by the probe's argument
 * index, read as the probe site says (register, memory, constant)
 */
enum {
	D_PATH, D_PROVIDER, D_NAME, D_BTFPATH, D_ARGS, D_SELECTORS,
	D_MESSAGE, D_TAGS, D_N_
};

static const char *const pol_usdt_keys[] = {
	"path", "provider", "name", "btfPath", "args", "selectors", "message",
	"tags", NULL
};

static int
pol_usdt(struct pol_ctx *c, yaml_node_t *n)
{
	yaml_node_t	*v[D_N_];
	struct pol_hspec s;
	struct pol_hook	*h;
	int		 r;

	if ((r = yamlu_map(c->y, n, "usdts", pol_usdt_keys, NULL, v)) != 0)
		return r;
	if (v[D_PATH] == NULL || v[D_PROVIDER] == NULL || v[D_NAME] == NULL)
		return pol_error(c, n, "usdts: missing '%s'", v[D_PATH] ==
		    NULL ? "path" : v[D_PROVIDER] == NULL ? "provider" :
		    "name");
	if (v[D_BTFPATH] != NULL)
		return pol_error(c, v[D_BTFPATH], "btfPath is not supported "
		    "(no BTF-typed user-space arguments)");
	memset(&s, 0, sizeof(s));
	s.node = n;
	s.args = v[D_ARGS];
	s.selectors = v[D_SELECTORS];
	s.message = v[D_MESSAGE];
	s.tags = v[D_TAGS];
	if ((r = pol_hook_new(c, &s, POL_HOOK_USDT, &h)) != 0)
		return r;
	if ((r = yamlu_str(c->y, v[D_PATH], "path", POL_MAX_PATH, "PATH_MAX",
	    &h->path)) != 0)
		return r;
	if (h->path[0] != '/')
		return pol_error(c, v[D_PATH], "path: expected an absolute "
		    "path");
	if ((r = pol_ident(c, v[D_PROVIDER], "provider", &h->subsystem)) != 0 ||
	    (r = pol_ident(c, v[D_NAME], "name", &h->event)) != 0)
		return r;
	return pol_hook_body(c, h, &s);
}

int
pol_hooks(struct pol_ctx *c, yaml_node_t *seq, enum pol_hook_kind kind,
    int fentry)
{
	static const char *const names[] = { "", "kprobes", "tracepoints",
	    "", "uprobes", "lsmhooks", "usdts" };
	yaml_node_t *item;
	size_t	 i, count;
	int	 r;

	if ((r = yamlu_seq(c->y, seq, fentry ? "fentries" : names[kind], 0,
	    NULL, &count)) != 0)
		return r;
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, seq, i);
		switch (kind) {
		case POL_HOOK_KPROBE:
			r = pol_kprobe(c, item, fentry);
			break;
		case POL_HOOK_TRACEPOINT:
			r = pol_tracepoint(c, item);
			break;
		case POL_HOOK_UPROBE:
			r = pol_uprobe(c, item);
			break;
		case POL_HOOK_USDT:
			r = pol_usdt(c, item);
			break;
		default:
			r = pol_lsm(c, item);
			break;
		}
		if (r != 0)
			return r;
	}
	return 0;
}

/* the key tables of this file, for policy_names_walk */
const struct pol_keytab pol_hook_keytabs[] = {
	{ "args", pol_arg_keys }, { "kprobes", pol_kprobe_keys },
	{ "ignore", pol_ignore_keys }, { "tracepoints", pol_tp_keys },
	{ "uprobes", pol_uprobe_keys }, { "lsmhooks", pol_lsm_keys },
	{ "usdts", pol_usdt_keys },
	{ NULL, NULL }
};
