/*
 * loaderd/pl_args.c -- argument types: which types are integers, strings
 * (matched as bytes) or kernel objects, and the struct hook_arg of a hook
 * argument (source, type, signedness, capture size) for register and
 * kernel-function arguments and for the return value.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "xmalloc.h"

#include "pl_int.h"

/* Which types are integers, signed, strings (matched as bytes) or kernel
 * objects: bpf/abi.h's table (abi_arg_is, abi_arg_has), shared with the
 * parser, the BPF programs and the decoder. */

const char *
pl_type_name(const struct pol_arg *a)
{
	static char buf[16];

	if (a->type_name != NULL)
		return a->type_name;
	snprintf(buf, sizeof(buf), "%d", (int)a->type);
	return buf;
}

/* type filename (Tetragon: a struct filename *, read through its name
 * pointer) is refused on every hook kind: this engine does not read it */
int
pl_arg_filename(struct pl_ctx *c, const struct pol_arg *a)
{
	if (a->type != POL_ARG_FILENAME)
		return 0;
	return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type filename (a "
	    "struct filename *) is not read by this engine: use string for a "
	    "char * argument");
}

/* Common part of a hook_arg: type, signedness, capture size. */
int
pl_arg_common(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    enum pol_arg_type type)
{
	ha->type = (uint8_t)type;
	if (abi_arg_has(type, ABI_AF_SIGNED))
		ha->flags |= HOOK_ARGF_SIGNED;
	if (a->max_data > HOOK_ARG_DATA_MAX)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "maxData %u: "
		    "this engine captures at most %d bytes per argument",
		    a->max_data, HOOK_ARG_DATA_MAX);
	ha->max = (uint16_t)(a->max_data ? a->max_data : HOOK_ARG_DATA_MAX);
	if (a->return_copy) {
		ha->flags |= HOOK_ARGF_RETURN_COPY;
		c->ph->cfg.flags |= HOOK_F_AT_EXIT;
	}
	if (a->size_arg_index > 0) {
		if (a->size_arg_index > PL_SYSARGS)
			return pl_fail(c, ERR_RANGE, a->line, a->col,
			    "sizeArgIndex %d: at most %d", a->size_arg_index,
			    PL_SYSARGS);
		ha->size_arg = (uint8_t)a->size_arg_index;
	}
	if ((a->resolve != NULL || a->btf_type != NULL) &&
	    !(ha->flags & HOOK_ARGF_RESOLVE))
		return pl_fail(c, ERR_UNSUPP, a->line, a->col,
		    "resolve/btfType apply to arguments in kernel memory "
		    "with a BTF type: of kernel functions (kprobes and "
		    "fentries with syscall: false), lsmhooks and raw "
		    "tracepoints");
	return 0;
}

/* An argument read from a syscall's registers (kprobe syscall: true, run
 * from raw_tracepoint/sys_enter) or a uprobe's function arguments. */
int
pl_arg_reg(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    int src_kind)
{
	int r;

	if (a->type == POL_ARG_AUTO || a->type == POL_ARG_DATA_LOC)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "type %s is "
		    "only valid on tracepoints", pl_type_name(a));
	if ((r = pl_arg_filename(c, a)) != 0)
		return r;
	if (abi_arg_has(a->type, ABI_AF_KPTR)) {
		if (src_kind == HOOK_SRC_SYSARG)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "type %s needs a kprobe on a kernel function",
			    pl_type_name(a));
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s is "
		    "a kernel object: a user-space function has none",
		    pl_type_name(a));
	}
	if (a->type == POL_ARG_SYSCALL64)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "type syscall64 "
		    "is only valid on raw_syscalls tracepoints");
	if (a->index < 0 || a->index >= PL_SYSARGS)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "argument index "
		    "%d: at most %d", a->index, PL_SYSARGS - 1);
	ha->src_kind = (uint8_t)src_kind;
	ha->src = (uint8_t)a->index;
	return pl_arg_common(c, a, ha, a->type);
}

/* An argument field of a syscall's tracepoint (sys_enter_X, field index
 * PL_TP_FIRST_ARG on): its syscall argument.  sizeArgIndex names a field
 * (its index + 1) too: the syscall argument of that field. */
int
pl_arg_tpsys(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    enum pol_arg_type t)
{
	struct pol_arg sa = *a;

	if (sa.size_arg_index > 0) {
		if (sa.size_arg_index - 1 < PL_TP_FIRST_ARG)
			return pl_fail(c, ERR_PARSE, a->line, a->col,
			    "sizeArgIndex %d: field %d is not an argument of "
			    "the syscall", sa.size_arg_index,
			    sa.size_arg_index - 1);
		sa.size_arg_index -= PL_TP_FIRST_ARG;
	}
	ha->src_kind = HOOK_SRC_SYSARG;
	ha->src = (uint8_t)(a->index - PL_TP_FIRST_ARG);
	return pl_arg_common(c, &sa, ha, t);
}

/* A syscall's returned descriptor (returnArg type fd, e.g. openat's new
 * fd): resolved at exit to the path of the file the kernel opened. */
static int
pl_ret_is_sysfd(const struct pol_hook *h, enum pol_arg_type t)
{
	return t == POL_ARG_FD && h->kind == POL_HOOK_KPROBE && h->syscall;
}

/* The return value (kprobe return/returnArg, sys_exit_* ret). */
int
pl_ret(struct pl_ctx *c, const struct pol_hook *h)
{
	struct hook_cfg *cfg = &c->ph->cfg;
	enum pol_arg_type t = h->retarg.type;
	size_t i;
	int need = h->ret || t != POL_ARG_NONE;

	for (i = 0; i < h->nselectors; i++)
		if (h->selectors[i].nretargs > 0 ||
		    h->selectors[i].nretactions > 0)
			need = 1;
	if (!need)
		return 0;
	if (t == POL_ARG_NONE || t == POL_ARG_AUTO)
		t = POL_ARG_INT64;
	if (h->kind == POL_HOOK_KPROBE && !h->syscall &&
	    abi_arg_is(t, ABI_AC_OBJ) && !abi_arg_has(t, ABI_AF_TEXT))
		;	/* a kernel function returning an object (sk_alloc) */
	else if (pl_ret_is_sysfd(h, t))
		;
	else if (abi_arg_has(t, ABI_AF_KPTR) || abi_arg_has(t, ABI_AF_STROPS))
		return pl_fail(c, ERR_UNSUPP, h->retarg.line, h->retarg.col,
		    "returnArg type %s: %s", pl_type_name(&h->retarg),
		    h->syscall ? "a syscall returns a number" : "not "
		    "supported as a return value by this engine");
	cfg->ret.type = (uint8_t)t;
	cfg->ret.src_kind = HOOK_SRC_RETVAL;
	if (abi_arg_has(t, ABI_AF_SIGNED))
		cfg->ret.flags |= HOOK_ARGF_SIGNED;
	/* returnArgAction (the parser allows it on a sock returnArg only) */
	if (h->ret_arg_action == POL_ACT_TRACKSOCK)
		cfg->ret.flags |= HOOK_ARGF_TRACKSOCK;
	else if (h->ret_arg_action == POL_ACT_UNTRACKSOCK)
		cfg->ret.flags |= HOOK_ARGF_UNTRACKSOCK;
	cfg->flags |= HOOK_F_AT_EXIT;
	return 0;
}

/*
 * BTF type id of parameter index of kernel function fn (its prototype in
 * the kernel's BTF), or 0.
 */
static uint32_t
pl_kfn_param(const struct btf *btf, const char *fn, int index)
{
	const struct btf_type *t;
	int id;

	id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	if (id <= 0 || (t = btf__type_by_id(btf, (uint32_t)id)) == NULL ||
	    (t = btf__type_by_id(btf, t->type)) == NULL ||
	    !btf_is_func_proto(t) || index < 0 || index >= btf_vlen(t))
		return 0;
	return btf_params(t)[index].type;
}

/* An argument of a kernel function (kprobe, lsmhook, fentry); btf: the
 * kernel's BTF and fn the function's name in it, for resolve (NULL: a
 * syscall's arguments, user memory). */
static int
pl_arg_kfn(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    const struct btf *btf, const char *fn)
{
	int r;

	if (a->type == POL_ARG_AUTO || a->type == POL_ARG_DATA_LOC ||
	    a->type == POL_ARG_SYSCALL64)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "type %s is "
		    "only valid on tracepoints", pl_type_name(a));
	if ((r = pl_arg_filename(c, a)) != 0)
		return r;
	switch (a->type) {
	case POL_ARG_USER_NS: case POL_ARG_NET_DEVICE:
	case POL_ARG_KIOCB: case POL_ARG_IOV_ITER: case POL_ARG_CHAR_IOVEC:
	case POL_ARG_SOCKADDR_UN: case POL_ARG_FD:
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s on a "
		    "kernel function is not supported by this engine yet",
		    pl_type_name(a));
	default:
		break;
	}
	if (a->index < 0 || a->index >= PL_SYSARGS)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "argument index "
		    "%d: at most %d", a->index, PL_SYSARGS - 1);
	ha->src_kind = HOOK_SRC_REG;
	ha->src = (uint8_t)a->index;
	if (a->type == POL_ARG_MODULE && a->type_name != NULL &&
	    strcmp(a->type_name, "load_info") == 0)
		ha->flags |= HOOK_ARGF_LOAD_INFO;
	if ((a->resolve != NULL || a->btf_type != NULL) && fn != NULL) {
		if (btf == NULL)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "resolve/btfType need the kernel's BTF "
			    "(/sys/kernel/btf/vmlinux); this kernel has none");
		if (ha->flags & HOOK_ARGF_LOAD_INFO ||
		    a->type == POL_ARG_KERNEL_CAP)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "resolve with type %s: resolve to the member "
			    "itself and give its type", pl_type_name(a));
		if ((r = pl_arg_resolve(c, btf, a, ha, pl_kfn_param(btf, fn,
		    a->index))) != 0)
			return r;
	}
	return pl_arg_common(c, a, ha, a->type);
}

/* Arguments of a kernel-function hook (kprobe, lsmhook, fentry). */
int
pl_kfn_args(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct btf *btf = NULL;
	char *fn = NULL;
	size_t i;
	int r = 0;

	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++)
		if (h->args[i].resolve != NULL || h->args[i].btf_type != NULL)
			break;
	if (i < h->nargs && (h->kind == POL_HOOK_LSM || !h->syscall)) {
		/* resolve: the function's prototype in the kernel's BTF */
		if (h->kind == POL_HOOK_LSM)
			xasprintf(&fn, "bpf_lsm_%s", h->call);
		else
			fn = xstrdup(h->call);
		btf = btf__load_vmlinux_btf();
		if (btf != NULL && libbpf_get_error(btf) != 0)
			btf = NULL;
	}
	for (i = 0; i < h->nargs && r == 0; i++) {
		r = pl_arg_kfn(c, &h->args[i], &ph->cfg.args[i], btf, fn);
		types[i] = h->args[i].type;
	}
	btf__free(btf);
	free(fn);
	if (r != 0)
		return r;
	ph->cfg.nargs = (uint8_t)h->nargs;
	return 0;
}
