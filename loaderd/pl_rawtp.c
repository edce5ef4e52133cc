/*
 * loaderd/pl_rawtp.c -- compile a raw: true tracepoint.  The hook is a
 * generic_rawtp program instance of its own (tl_fn_hook = hook id),
 * attached to the raw tracepoint named by the event; its arguments are
 * the tracepoint's TP_PROTO arguments (index 0..5).  The kernel's BTF
 * (typedef btf_trace_EVENT: a pointer to the prototype, whose first
 * parameter is the probe's data) says how many there are and what each
 * one is; an argument is accepted only where its policy type fits that
 * declaration and the engine reads it on raw tracepoints.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "xmalloc.h"

#include "pl_int.h"

#define PL_RAWTP_TYPES	"integer types, syscall64, string, " \
	"linux_binprm, sock"

/* What the declaration of a raw argument is, as far as the check goes. */
struct pl_rawdecl {
	int		 kind;		/* BTF_KIND_* after modifiers */
	const char	*pointee;	/* a pointer's struct/union name, or
					   "char" */
	int		 ptr;		/* a pointer */
};

/* The BTF type id of a raw tracepoint's prototype, or 0. */
static int
pl_rawtp_proto(const struct btf *btf, const char *event)
{
	const struct btf_type *t;
	char name[160];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return 0;
	t = btf__type_by_id(btf, (uint32_t)id);
	if (t == NULL || (t = btf__type_by_id(btf, t->type)) == NULL ||
	    !btf_is_ptr(t))
		return 0;
	id = (int)t->type;
	t = btf__type_by_id(btf, (uint32_t)id);
	return t != NULL && btf_is_func_proto(t) ? id : 0;
}

/* Strip typedefs and qualifiers. */
static const struct btf_type *
pl_btf_skip(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t != NULL && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static void
pl_rawdecl(const struct btf *btf, uint32_t id, struct pl_rawdecl *d)
{
	const struct btf_type *t = pl_btf_skip(btf, id), *p;

	memset(d, 0, sizeof(*d));
	if (t == NULL)
		return;
	d->kind = btf_kind(t);
	if (!btf_is_ptr(t))
		return;
	d->ptr = 1;
	p = pl_btf_skip(btf, t->type);
	if (p != NULL && (btf_is_struct(p) || btf_is_union(p) ||
	    (btf_is_int(p) && p->size == 1)))
		d->pointee = btf__name_by_offset(btf, p->name_off);
}

/* Does policy type t fit the declaration d?  NULL if so, else why not. */
static const char *
pl_rawtp_fits(enum pol_arg_type t, const struct pl_rawdecl *d)
{
	if (t == POL_ARG_SYSCALL64 || (abi_arg_is(t, ABI_AC_INT) &&
	    abi_arg_has(t, ABI_AF_CINT))) {
		if (d->kind == BTF_KIND_INT || d->kind == BTF_KIND_ENUM ||
		    d->kind == BTF_KIND_ENUM64)
			return NULL;
		if (d->ptr && !abi_arg_has(t, ABI_AF_W32 | ABI_AF_W16 |
		    ABI_AF_W8) && t != POL_ARG_SYSCALL64)
			return NULL;	/* a pointer as its 64-bit value */
		return "the argument is not an integer";
	}
	switch (t) {
	case POL_ARG_STRING:
		return d->ptr && d->pointee != NULL &&
		    strcmp(d->pointee, "char") == 0 ? NULL :
		    "the argument is not a char pointer";
	case POL_ARG_LINUX_BINPRM:
		return d->ptr && d->pointee != NULL &&
		    strcmp(d->pointee, "linux_binprm") == 0 ? NULL :
		    "the argument is not a struct linux_binprm pointer";
	case POL_ARG_SOCK:
		return d->ptr && d->pointee != NULL &&
		    strcmp(d->pointee, "sock") == 0 ? NULL :
		    "the argument is not a struct sock pointer";
	default:
		return "";
	}
}

/* The declared type of a prototype parameter, for messages: "pid_t",
 * "struct linux_binprm *", "const char *" (qualifiers of a pointee kept
 * only as "const"). */
static void
pl_btf_decl(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *cq = "";

	while (t != NULL && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	if (t == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (!btf_is_ptr(t)) {
		snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
		return;
	}
	t = btf__type_by_id(btf, t->type);
	while (t != NULL && btf_is_mod(t)) {
		if (btf_is_const(t))
			cq = "const ";
		t = btf__type_by_id(btf, t->type);
	}
	if (t == NULL || t->name_off == 0)
		snprintf(buf, len, "%svoid *", cq);
	else
		snprintf(buf, len, "%s%s%s *", cq, btf_is_struct(t) ?
		    "struct " : btf_is_union(t) ? "union " : "",
		    btf__name_by_offset(btf, t->name_off));
}

/* Check and compile argument a, the raw argument of prototype param p. */
static int
pl_rawtp_arg(struct pl_ctx *c, const struct btf *btf,
    const struct btf_param *p, const struct pol_arg *a, struct hook_arg *ha)
{
	struct pl_rawdecl d;
	const char *why;
	char decl[160];
	int r;

	if (a->resolve != NULL || a->btf_type != NULL) {
		if (a->size_arg_index > 0 || a->return_copy)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "sizeArgIndex and returnCopy do not apply to raw "
			    "tracepoint arguments");
		if (a->type == POL_ARG_KERNEL_CAP)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "resolve with type %s: resolve to the member "
			    "itself and give its type", pl_type_name(a));
		ha->src_kind = HOOK_SRC_REG;
		ha->src = (uint8_t)a->index;
		r = pl_arg_resolve(c, btf, a, ha, p->type);
		return r != 0 ? r : pl_arg_common(c, a, ha, a->type);
	}
	pl_rawdecl(btf, p->type, &d);
	why = pl_rawtp_fits(a->type, &d);
	if (why != NULL && why[0] == '\0')
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s on a "
		    "raw tracepoint argument is not supported by this engine "
		    "(it reads " PL_RAWTP_TYPES ")", pl_type_name(a));
	if (why != NULL) {
		pl_btf_decl(btf, p->type, decl, sizeof(decl));
		return pl_fail(c, ERR_PARSE, a->line, a->col, "index %d "
		    "(%s): %s, so it cannot be read as %s", a->index, decl,
		    why, pl_type_name(a));
	}
	if (a->size_arg_index > 0 || a->return_copy)
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "sizeArgIndex "
		    "and returnCopy do not apply to raw tracepoint "
		    "arguments");
	ha->src_kind = HOOK_SRC_REG;
	ha->src = (uint8_t)a->index;
	return pl_arg_common(c, a, ha, a->type);
}

static int
pl_rawtp_args(struct pl_ctx *c, const struct btf *btf, int proto,
    enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)proto);
	const struct btf_param *ps = btf_params(t);
	int nraw = btf_vlen(t) - 1, r;	/* params[0]: the probe's data */
	size_t i;

	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		const struct pol_arg *a = &h->args[i];

		if (a->index < 0 || a->index >= nraw || a->index >= PL_SYSARGS)
			return pl_fail(c, ERR_RANGE, a->line, a->col, "index "
			    "%d: raw tracepoint %s has %d arguments", a->index,
			    h->event, nraw);
		if ((r = pl_rawtp_arg(c, btf, &ps[a->index + 1], a,
		    &c->ph->cfg.args[i])) != 0)
			return r;
		types[i] = a->type;
	}
	c->ph->cfg.nargs = (uint8_t)h->nargs;
	return 0;
}

/* raw: true: one generic_rawtp instance on the raw tracepoint EVENT. */
int
pl_hook_rawtp(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct btf *btf;
	int proto, r;

	if (h->ret || h->retarg.type != POL_ARG_NONE)
		return pl_fail(c, ERR_PARSE, 0, 0, "a tracepoint has no return "
		    "value");
	btf = btf__load_vmlinux_btf();
	if (btf == NULL || libbpf_get_error(btf) != 0)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "raw: true needs the "
		    "kernel's BTF (/sys/kernel/btf/vmlinux) to know the raw "
		    "tracepoint's arguments; this kernel has none");
	proto = pl_rawtp_proto(btf, h->event);
	if (proto == 0)
		r = pl_fail(c, ERR_NOTFOUND, 0, 0, "no raw tracepoint %s in "
		    "this kernel (no btf_trace_%s in its BTF)", h->event,
		    h->event);
	else
		r = pl_rawtp_args(c, btf, proto, types);
	btf__free(btf);
	if (r != 0)
		return r;
	ph->cfg.kind = HOOK_K_RAWTP;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_FN;
	ph->fn_prog = "generic_rawtp";
	ph->fn_target = h->event;
	xasprintf(&ph->how, "raw_tp/%s program (one instance per hook)",
	    h->event);
	return 0;
}
