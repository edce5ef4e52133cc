/*
 * loaderd/pl_compile.c -- compile one policy hook (no side effect): by hook
 * kind (kprobe/fentry, lsmhook, tracepoint, syscall tracepoint, uprobe)
 * into its struct hook_cfg and dispatch target, then its selectors and the
 * collector's metadata.  Errors read "FILE:LINE:COL: <hook>: message" and
 * name the kernel feature that is missing.
 */
#include "build.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "jsonw.h"
#include "log.h"
#include "str.h"
#include "xmalloc.h"

#include "pl_int.h"

static const char *
pl_hook_kind(const struct pol_hook *h)
{
	switch (h->kind) {
	case POL_HOOK_KPROBE:
		return h->fentry ? "fentry" : "kprobe";
	case POL_HOOK_TRACEPOINT:
		return "tracepoint";
	case POL_HOOK_RAW_TRACEPOINT:
		return "raw tracepoint";
	case POL_HOOK_UPROBE:
		return "uprobe";
	case POL_HOOK_LSM:
		return "lsmhook";
	case POL_HOOK_USDT:
		return "usdt";
	}
	return "hook";
}

static char *
pl_hook_target(const struct pol_hook *h)
{
	char *s;

	switch (h->kind) {
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		xasprintf(&s, "%s/%s", h->subsystem ? h->subsystem : "?",
		    h->event ? h->event : "?");
		return s;
	case POL_HOOK_UPROBE:
		xasprintf(&s, "%s:%s", h->path ? h->path : "?",
		    h->symbol ? h->symbol : "?");
		return s;
	case POL_HOOK_USDT:
		xasprintf(&s, "%s:%s:%s", h->path ? h->path : "?",
		    h->subsystem ? h->subsystem : "?",
		    h->event ? h->event : "?");
		return s;
	default:
		return xstrdup(h->call ? h->call : "?");
	}
}

int __attribute__((__format__(printf, 5, 6)))
pl_fail(struct pl_ctx *c, int r, int line, int col, const char *fmt, ...)
{
	char msg[512], *tgt;
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	file = c->pol->file != NULL ? c->pol->file : c->pol->name;
	if (line <= 0 && c->h != NULL) {
		line = c->h->line;
		col = c->h->col;
	}
	if (c->h == NULL) {
		if (line > 0)
			snprintf(c->err, c->errlen, "%s:%d:%d: %s", file,
			    line, col, msg);
		else
			snprintf(c->err, c->errlen, "%s: %s", file, msg);
		return r;
	}
	tgt = pl_hook_target(c->h);
	if (line > 0)
		snprintf(c->err, c->errlen, "%s:%d:%d: %s \"%s\": %s", file,
		    line, col, pl_hook_kind(c->h), tgt, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s \"%s\": %s", file,
		    pl_hook_kind(c->h), tgt, msg);
	free(tgt);
	return r;
}

static void
pl_nr_set(struct ph *ph, int nr)
{
	if (nr < 0 || nr >= HOOK_SYSCALLS_MAX)
		return;
	if (!(ph->nrs[nr / 8] & (1 << (nr % 8)))) {
		ph->nrs[nr / 8] |= (uint8_t)(1 << (nr % 8));
		ph->nnrs++;
	}
}

int
pl_nr_isset(const struct ph *ph, int nr)
{
	return (ph->nrs[nr / 8] & (1 << (nr % 8))) != 0;
}

/* A kprobe or fentry on a kernel function: a kprobe (cookie = id), or an
 * fmod_ret program instance when a selector overrides a security_*
 * function; fentries a program instance. */
static int
pl_hook_kfn(struct pl_ctx *c, enum pol_arg_type *types, int ovr)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const char *name;
	int r, ex;

	if (h->fentry && !f->fentry)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s",
		    PL_MSG_FENTRY);
	if (!h->fentry && !f->kprobes)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s",
		    PL_MSG_NOKPROBES);
	name = h->call;
	ex = -1;
	if (h->syscall && h->fentry) {
		/* the parser resolved the name (any prefix) */
		if ((name = policy_syscall_name(h->syscall_nr)) ==
		    NULL) {
			name = h->call;
			ex = 0;
		} else {
			free(ph->target);
			xasprintf(&ph->target, PL_SYSCALL_PREFIX "%s",
			    name);
			name = ph->target;
		}
	}
	if (ex != 0)
		ex = pl_ksym_exists(name);
	if (ex == 0) {
		if (h->ignore_call_not_found) {
			ph->skipped = 1;
			xasprintf(&ph->how, "skipped "
			    "(ignore.callNotFound): no kernel "
			    "function %s", name);
			return 0;
		}
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "no kernel "
		    "function \"%s\" (not in /proc/kallsyms)", name);
	}
	ph->cfg.syscall_nr = -1;
	if ((r = pl_kfn_args(c, types)) != 0)
		return r;
	if ((r = pl_ret(c, h)) != 0)
		return r;
	ph->meta.function = xstrdup(name);
	if (ovr || h->fentry) {
		if (ovr && strncmp(name, "security_", 9) != 0) {
			c->ovr_no = "Override on a kernel function "
			    "needs fmod_ret, which the kernel allows "
			    "only on security_* functions and "
			    "error-injection functions (this kernel "
			    "has no CONFIG_FUNCTION_ERROR_INJECTION "
			    "list tripline uses); alternative: the "
			    "lsmhooks hook or security_* function "
			    "that guards the operation";
			if (!h->fentry)
				goto kprobe;
		}
		if (ovr && !f->fmod_ret)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "Override "
			    "on %s needs fmod_ret (BPF trampolines), "
			    "which this kernel refuses", name);
		if (ph->cfg.flags & HOOK_F_AT_EXIT)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "%s: "
			    "return values and returnCopy need a "
			    "kretprobe; use kprobes without Override "
			    "for them", h->fentry ? "fentries" :
			    "Override hooks");
		ph->cfg.kind = ovr ? HOOK_K_FMODRET : HOOK_K_FENTRY;
		ph->disp = PL_DISP_FN;
		ph->fn_prog = ovr ? "generic_fmodret" :
		    "generic_fentry";
		ph->fn_target = ph->meta.function;
		xasprintf(&ph->how, "%s/%s program (one instance per "
		    "hook)%s", ovr ? "fmod_ret" : "fentry", name, ovr ?
		    "; Override returns the error from the function "
		    "instead of running it" : "");
		return 0;
	}
kprobe:
	if ((ph->cfg.flags & HOOK_F_AT_EXIT) && !f->kretprobes)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "return values "
		    "need kretprobes, which this kernel lacks");
	ph->cfg.kind = HOOK_K_KPROBE;
	ph->disp = PL_DISP_KPROBE;
	xasprintf(&ph->how, "kprobe%s %s (bpf_cookie = hook id)",
	    (ph->cfg.flags & HOOK_F_AT_EXIT) ? "+kretprobe" : "", name);
	return 0;
}

/* kprobes: syscall: true runs from the raw syscall dispatch; kernel
 * functions: pl_hook_kfn. */
static int
pl_hook_kprobe(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const char *name;
	char ovrhow[256];
	size_t i;
	int r, ovr;

	ovr = pl_sel_any_override(h);
	c->ovr_no = NULL;
	if (!h->syscall || h->fentry)
		return pl_hook_kfn(c, types, ovr);
	if (h->syscall_nr < 0 || h->syscall_nr >= HOOK_SYSCALLS_MAX)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "not a syscall of this "
		    "architecture");
	ph->cfg.kind = HOOK_K_SYSCALL;
	ph->cfg.syscall_nr = h->syscall_nr;
	ph->disp = PL_DISP_SYS;
	pl_nr_set(ph, h->syscall_nr);
	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		if ((r = pl_arg_reg(c, &h->args[i], &ph->cfg.args[i],
		    HOOK_SRC_SYSARG)) != 0)
			return r;
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	if ((r = pl_ret(c, h)) != 0)
		return r;
	/* the collector's function_name: "__x64_sys_openat" (Tetragon) */
	name = policy_syscall_name(h->syscall_nr);	/* checked above */
	xasprintf(&ph->meta.function, PL_SYSCALL_PREFIX "%s", name);
	ovrhow[0] = '\0';
	if (ovr && c->selmode != PL_SEL_SYSCOPY)
		pl_sys_override(c, name, ovrhow, sizeof(ovrhow));
	xasprintf(&ph->how, "raw_tracepoint/sys_enter%s dispatch (%s)%s",
	    (ph->cfg.flags & (HOOK_F_AT_EXIT | HOOK_F_OVR_LSM)) ?
	    "+sys_exit" : "",
	    f->kprobes ? "one raw tracepoint for all syscalls "
	    "costs less than a kprobe each" :
	    "kprobe fallback: this kernel has no kprobes", ovrhow);
	return 0;
}

/* An argument type read from the caller's memory by a syscall hook. */
static int
pl_user_mem(enum pol_arg_type t)
{
	return t == POL_ARG_STRING || t == POL_ARG_FILENAME ||
	    t == POL_ARG_CHAR_BUF || t == POL_ARG_CHAR_IOVEC ||
	    t == POL_ARG_CONST_BUF || t == POL_ARG_SOCKADDR;
}

/*
 * A syscall hook with a matchArgs entry on user memory: BPF reads it
 * without faulting pages in, so at sys_enter it can be unreadable while
 * the kernel's own copy succeeds.  Such a selector is decided at sys_exit
 * then (HOOK_F_REREAD, the sys_exit program attached), fail-closed or
 * fail-open by the policy's unreadable-args option.
 */
static void
pl_reread(struct pl_ctx *c, const enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const struct pol_selector *s;
	char *how;
	size_t i, j;
	int user = 0;

	if (ph->cfg.kind != HOOK_K_SYSCALL || c->selmode == PL_SEL_NET)
		return;
	for (i = 0; i < h->nselectors; i++) {
		s = &h->selectors[i];
		for (j = 0; j < s->nmatchargs; j++)
			if (s->matchargs[j].arg >= 0 &&
			    s->matchargs[j].arg < HOOK_ARGS_MAX &&
			    pl_user_mem(types[s->matchargs[j].arg]))
				user = 1;
	}
	if (!user)
		return;
	ph->cfg.flags |= HOOK_F_REREAD;
	if (c->pol->unread_open)
		ph->cfg.flags |= HOOK_F_UNREAD_OPEN;
	xasprintf(&how, "%s; arguments unreadable at sys_enter are read "
	    "again at sys_exit (unreadable-args: %s)", ph->how ? ph->how : "",
	    c->pol->unread_open ? "fail-open" : "fail-closed");
	free(ph->how);
	ph->how = how;
}

/* A selector that enforces (Override, Sigkill or Signal) on what the
 * syscall hook reads; syscopy: one with Override is the cgroup copy's
 * (connect/sendto without BPF LSM), decided on the kernel's sockaddr. */
static int
pl_sel_enforces(const struct pol_selector *s, int syscopy)
{
	size_t i;
	int enf = 0;

	for (i = 0; i < s->nactions; i++) {
		if (s->actions[i].kind == POL_ACT_OVERRIDE && syscopy)
			return 0;
		if (s->actions[i].kind == POL_ACT_OVERRIDE ||
		    s->actions[i].kind == POL_ACT_SIGKILL ||
		    s->actions[i].kind == POL_ACT_SIGNAL)
			enf = 1;
	}
	return enf;
}

/*
 * Says on the hook's policy list line whether a racing thread can evade
 * an enforcing selector of this syscall hook: one that filters on the
 * caller's memory is decided on what it held at sys_enter, unless the
 * Override executor decides again on the kernel's copy of that argument
 * (hook_cfg.rck_kind) and no other argument read from user memory is
 * filtered on.  *raced: the first such other argument, else -1.
 */
static void
pl_race(struct pl_ctx *c, const enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	const struct pol_selector *s;
	struct ph *ph = c->ph;
	size_t i, j;
	int a, other = -1, user = 0;
	char *how, args[32];

	if (ph->cfg.kind != HOOK_K_SYSCALL || c->selmode == PL_SEL_NET)
		return;
	for (i = 0; i < h->nselectors; i++) {
		s = &h->selectors[i];
		if (!pl_sel_enforces(s, c->selmode == PL_SEL_SYSCOPY))
			continue;
		for (j = 0; j < s->nmatchargs; j++) {
			a = s->matchargs[j].arg;
			if (a < 0 || a >= HOOK_ARGS_MAX ||
			    !pl_user_mem(types[a]))
				continue;
			user = 1;
			if ((ph->cfg.rck_kind == 0 ||
			    (a != ph->cfg.rck_slot && a != ph->cfg.rck_slot2)) &&
			    other < 0)
				other = a;
		}
	}
	if (!user)
		return;
	if (ph->cfg.rck_kind != 0 && other < 0) {
		if (ph->cfg.rck_slot2 == HOOK_RCK_NOSLOT)
			snprintf(args, sizeof(args), "argument %u",
			    ph->cfg.rck_slot);
		else if (ph->cfg.rck_slot == HOOK_RCK_NOSLOT)
			snprintf(args, sizeof(args), "argument %u",
			    ph->cfg.rck_slot2);
		else
			snprintf(args, sizeof(args), "arguments %u and %u",
			    ph->cfg.rck_slot, ph->cfg.rck_slot2);
		xasprintf(&how, "%s; race-free: the Override executor decides "
		    "again on %s, in %s%s%s (%s)", ph->how,
		    pl_rck_what(ph->cfg.rck_kind), ph->ovr_tgts[0],
		    ph->novr > 1 ? "/" : "", ph->novr > 1 ? ph->ovr_tgts[1] :
		    "", args);
	} else {
		xasprintf(&how, "%s; NOT race-free: decided on argument %d as "
		    "read from the caller's memory, which a racing thread can "
		    "change before the kernel uses it (read again at "
		    "sys_exit: a change counts in raced)", ph->how, other);
		ph->cfg.race_arg = (uint8_t)(other + 1);
	}
	free(ph->how);
	ph->how = how;
}

/* lsmhooks: a BPF LSM program instance per hook; Override = its return
 * value. */
static int
pl_hook_lsm(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	int r;

	if (!f->lsm)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s", PL_MSG_NOLSM);
	if (!f->lsm_active)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "BPF LSM programs load, "
		    "but \"bpf\" is not in the active LSM list (%s): boot "
		    "with lsm=...,bpf", f->lsm_list[0] ? f->lsm_list :
		    "unreadable");
	if (h->call == NULL || h->call[0] == '\0')
		return pl_fail(c, ERR_PARSE, 0, 0, "lsmhook without hook");
	if (!pl_lsm_exists(h->call))
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "no LSM hook \"%s\" in "
		    "this kernel (no bpf_lsm_%s)", h->call, h->call);
	if (h->ret || h->retarg.type != POL_ARG_NONE)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "lsmhooks have no return "
		    "value to report (the program is the check)");
	ph->cfg.kind = HOOK_K_LSM;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_FN;
	ph->fn_prog = "generic_lsm";
	ph->fn_target = h->call;
	if ((r = pl_kfn_args(c, types)) != 0)
		return r;
	ph->meta.function = xstrdup(h->call);
	xasprintf(&ph->how, "BPF LSM program on %s (one instance per hook); "
	    "Override = the hook's return value", h->call);
	return 0;
}

/* raw_syscalls/sys_enter, sys_exit: hooked on every syscall number the
 * selectors allow. */
static int
pl_tp_raw_nrs(struct pl_ctx *c, int is_exit)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i, j, k;
	int restricted;

	/* A selector without InMap/Equal on the id allows all of them. */
	restricted = ph->nr_is_arg >= 0 && h->nselectors > 0;
	for (i = 0; restricted && i < h->nselectors; i++) {
		const struct pol_selector *s = &h->selectors[i];
		int sel_restricted = 0;

		for (j = 0; j < s->nmatchargs; j++) {
			const struct pol_matcharg *m = &s->matchargs[j];

			if (m->arg != ph->nr_is_arg || (m->op != POL_OP_INMAP &&
			    m->op != POL_OP_EQUAL))
				continue;
			sel_restricted = 1;
			for (k = 0; k < m->nvalues; k++) {
				uint64_t x;

				for (x = m->values[k].lo; x <=
				    m->values[k].hi && x < HOOK_SYSCALLS_MAX;
				    x++)
					pl_nr_set(ph, (int)x);
			}
			break;
		}
		if (!sel_restricted)
			restricted = 0;
	}
	if (!restricted) {
		memset(ph->nrs, 0, sizeof(ph->nrs));
		ph->nnrs = 0;
		for (i = 0; i < HOOK_SYSCALLS_MAX; i++)
			pl_nr_set(ph, (int)i);
		xasprintf(&ph->how, "tracepoint %s/%s via raw_tracepoint/%s "
		    "on every syscall (no InMap/Equal on the syscall id)",
		    h->subsystem, h->event, is_exit ? "sys_exit" : "sys_enter");
	} else
		xasprintf(&ph->how, "tracepoint %s/%s via raw_tracepoint/%s "
		    "on %zu syscalls", h->subsystem, h->event,
		    is_exit ? "sys_exit" : "sys_enter", ph->nnrs);
	if (ph->nnrs == 0)
		return pl_fail(c, ERR_RANGE, 0, 0, "the selectors allow no "
		    "syscall number below %d", HOOK_SYSCALLS_MAX);
	return 0;
}

/* syscalls/sys_enter_X, sys_exit_X, raw_syscalls/sys_enter, sys_exit:
 * run from the raw syscall dispatch.  Field index -> syscall argument. */
static int
pl_hook_tp_sys(struct pl_ctx *c, const struct tpfield *f, size_t nf,
    int raw, int is_exit, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const struct pol_arg *a;
	struct hook_arg *ha;
	enum pol_arg_type t;
	const char *name;
	size_t i;
	int nr = -1, r;

	ph->cfg.kind = HOOK_K_SYSCALL;
	ph->disp = PL_DISP_SYS;
	ph->nr_is_arg = -1;
	if (is_exit)
		ph->cfg.flags |= HOOK_F_AT_EXIT;
	if (!raw) {
		/* sys_enter_openat -> openat (the format names no number);
		   a few events carry the kernel's name: newstat -> stat */
		name = h->event + (is_exit ? 9 : 10);
		nr = policy_syscall_nr(name);
		if (nr < 0 && strncmp(name, "new", 3) == 0)
			nr = policy_syscall_nr(name + 3);
		if (nr < 0 || nr >= HOOK_SYSCALLS_MAX)
			return pl_fail(c, ERR_NOTFOUND, 0, 0, "no syscall "
			    "number for this tracepoint on this "
			    "architecture");
		ph->cfg.syscall_nr = nr;
		pl_nr_set(ph, nr);
	} else
		ph->cfg.syscall_nr = -1;
	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		a = &h->args[i];
		ha = &ph->cfg.args[i];
		if (a->index < 0 || (size_t)a->index >= nf)
			return pl_fail(c, ERR_RANGE, a->line, a->col, "field "
			    "index %d: the format has %zu fields (common_* "
			    "included)", a->index, nf);
		if (a->index < PL_TP_NR_FIELD)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "field "
			    "%d (%s) is not available when the tracepoint "
			    "runs through raw_tracepoint/sys_%s", a->index,
			    f[a->index].name, is_exit ? "exit" : "enter");
		t = a->type;
		if (a->index == PL_TP_NR_FIELD) {
			/* __syscall_nr / id */
			if (t == POL_ARG_AUTO || t == POL_ARG_SYSCALL64)
				t = raw ? POL_ARG_SYSCALL64 : POL_ARG_INT;
			if (!abi_arg_has(t, ABI_AF_CINT) && t != POL_ARG_SYSCALL64)
				return pl_fail(c, ERR_PARSE, a->line, a->col,
				    "field %s is a number, not %s",
				    f[a->index].name, pl_type_name(a));
			ha->src_kind = HOOK_SRC_SYSNR;
			ha->type = (uint8_t)t;
			if (raw)
				ph->nr_is_arg = (int)i;
		} else if (is_exit) {
			/* ret (sys_exit_X: field 5; raw_syscalls/sys_exit:
			   field 5) */
			if (t == POL_ARG_AUTO)
				t = POL_ARG_INT64;
			if (!abi_arg_has(t, ABI_AF_CINT))
				return pl_fail(c, ERR_PARSE, a->line, a->col,
				    "field %s is a number, not %s",
				    f[a->index].name, pl_type_name(a));
			ha->src_kind = HOOK_SRC_RETVAL;
			ha->type = (uint8_t)t;
			if (abi_arg_has(t, ABI_AF_SIGNED))
				ha->flags |= HOOK_ARGF_SIGNED;
		} else if (raw) {
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "field "
			    "%d (the args array of raw_syscalls/sys_enter) is "
			    "not supported: hook the syscall's own "
			    "tracepoint or a syscall kprobe", a->index);
		} else {
			const struct tpfield *fd = &f[a->index];

			if (t == POL_ARG_AUTO)
				t = pl_is_char_ptr(fd) ? POL_ARG_STRING :
				    strchr(fd->type, '*') != NULL ?
				    POL_ARG_UINT64 : pl_tp_int_type(fd, 1);
			if ((r = pl_arg_filename(c, a)) != 0)
				return r;
			if (abi_arg_has(t, ABI_AF_KPTR))
				return pl_fail(c, ERR_UNSUPP, a->line, a->col,
				    "type %s needs a kprobe on a kernel "
				    "function", pl_type_name(a));
			if (t == POL_ARG_DATA_LOC || t == POL_ARG_SYSCALL64)
				return pl_fail(c, ERR_PARSE, a->line, a->col,
				    "field %s is not a %s", fd->name,
				    pl_type_name(a));
			if ((r = pl_arg_tpsys(c, a, ha, t)) != 0)
				return r;
		}
		if (ha->max == 0)
			ha->max = HOOK_ARG_DATA_MAX;
		types[i] = t;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	if (h->ret || h->retarg.type != POL_ARG_NONE)
		return pl_fail(c, ERR_PARSE, 0, 0, "a tracepoint has no return "
		    "value (sys_exit tracepoints: the ret field)");
	if (!raw) {
		xasprintf(&ph->how, "tracepoint %s/%s via raw_tracepoint/%s",
		    h->subsystem, h->event, is_exit ? "sys_exit" : "sys_enter");
		return 0;
	}
	return pl_tp_raw_nrs(c, is_exit);
}

/*
 * A tracepoint field typed as a kernel object (sock/inet_sock_set_state's
 * skaddr as `sock`): the field must be a pointer, and the type one whose
 * reader follows a kernel pointer (bpf/generic/objects.bpf.h).
 */
static int
pl_tp_kptr(struct pl_ctx *c, const struct pol_arg *a,
    const struct tpfield *fd, enum pol_arg_type t)
{
	static const enum pol_arg_type ok[] = {
		POL_ARG_SOCK, POL_ARG_SOCKET, POL_ARG_SKB, POL_ARG_FILE,
		POL_ARG_PATH, POL_ARG_DENTRY, POL_ARG_CRED,
		POL_ARG_LINUX_BINPRM, POL_ARG_BPF_ATTR, POL_ARG_BPF_PROG,
		POL_ARG_BPF_MAP, POL_ARG_PERF_EVENT, POL_ARG_MODULE,
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == t)
			break;
	if (i == sizeof(ok) / sizeof(ok[0]))
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s on "
		    "a tracepoint field is not supported by this engine "
		    "(kprobe on a kernel function only)", pl_type_name(a));
	if (fd->dataloc || fd->array || fd->size != 8 ||
	    strchr(fd->type, '*') == NULL)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "field %s (%s) "
		    "is not a pointer: it cannot be read as %s", fd->name,
		    fd->decl, pl_type_name(a));
	return 0;
}

static int
pl_hook_tp(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct tpfield *f, *fd;
	const struct pol_arg *a;
	struct hook_arg *ha;
	enum pol_arg_type t;
	size_t i, nf = 0;
	int r;

	if (h->kind == POL_HOOK_RAW_TRACEPOINT)
		return pl_hook_rawtp(c, types);
	f = xcalloc(PL_TP_FIELDS, sizeof(*f));
	if ((r = pl_tp_format(c, h->subsystem, h->event, f, &nf,
	    &ph->tp_id)) != 0)
		goto out;
	if (strcmp(h->subsystem, "syscalls") == 0 &&
	    (strncmp(h->event, "sys_enter_", 10) == 0 ||
	    strncmp(h->event, "sys_exit_", 9) == 0)) {
		r = pl_hook_tp_sys(c, f, nf, 0,
		    strncmp(h->event, "sys_exit_", 9) == 0, types);
		goto out;
	}
	if (strcmp(h->subsystem, "raw_syscalls") == 0 &&
	    (strcmp(h->event, "sys_enter") == 0 ||
	    strcmp(h->event, "sys_exit") == 0)) {
		r = pl_hook_tp_sys(c, f, nf, 1,
		    strcmp(h->event, "sys_exit") == 0, types);
		goto out;
	}
	ph->cfg.kind = HOOK_K_TRACEPOINT;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_TP;
	r = ERR_RANGE;
	if (h->nargs > HOOK_ARGS_MAX) {
		pl_fail(c, r, 0, 0, "%zu args: at most %d", h->nargs,
		    HOOK_ARGS_MAX);
		goto out;
	}
	for (i = 0; i < h->nargs; i++) {
		a = &h->args[i];
		ha = &ph->cfg.args[i];
		if (a->index < 0 || (size_t)a->index >= nf) {
			r = pl_fail(c, ERR_RANGE, a->line, a->col, "field "
			    "index %d: %s/%s has %zu fields (common_* "
			    "included)", a->index, h->subsystem, h->event, nf);
			goto out;
		}
		fd = &f[a->index];
		t = a->type;
		if (t == POL_ARG_AUTO) {
			if (fd->dataloc)
				t = POL_ARG_DATA_LOC;
			else if (fd->array)
				t = POL_ARG_CONST_BUF;
			else if (strchr(fd->type, '*') != NULL)
				t = POL_ARG_UINT64;
			else
				t = pl_tp_int_type(fd, 1);
		}
		if ((r = pl_arg_filename(c, a)) != 0 ||
		    (abi_arg_has(t, ABI_AF_KPTR) &&
		    (r = pl_tp_kptr(c, a, fd, t)) != 0))
			goto out;
		if (t == POL_ARG_CHAR_IOVEC) {
			r = pl_fail(c, ERR_UNSUPP, a->line, a->col, "type "
			    "char_iovec on a tracepoint field is not supported "
			    "by this engine: it reads a user iovec array from "
			    "a syscall's or user function's arguments (kprobes "
			    "with syscall: true, syscalls/sys_enter_* "
			    "tracepoints, uprobes)");
			goto out;
		}
		if (a->size_arg_index > 0) {
			r = pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "sizeArgIndex on a tracepoint field is only "
			    "supported on syscalls/sys_enter_* tracepoints "
			    "(the length of a syscall's buffer argument); "
			    "%s/%s is not one", h->subsystem, h->event);
			goto out;
		}
		ha->src_kind = HOOK_SRC_TPFIELD;
		ha->off = (uint16_t)fd->off;
		ha->size = (uint16_t)fd->size;
		if (fd->dataloc)
			ha->flags |= HOOK_ARGF_DATA_LOC;
		if ((abi_arg_has(t, ABI_AF_CINT) && fd->dataloc) ||
		    (t == POL_ARG_DATA_LOC && !fd->dataloc)) {
			r = pl_fail(c, ERR_PARSE, a->line, a->col, "field %s "
			    "(%s) cannot be read as %s", fd->name, fd->decl,
			    pl_type_name(a));
			goto out;
		}
		if ((r = pl_arg_common(c, a, ha, t)) != 0)
			goto out;
		if (fd->array && !fd->dataloc && ha->max > fd->size)
			ha->max = (uint16_t)fd->size;
		types[i] = t;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	if (h->ret || h->retarg.type != POL_ARG_NONE) {
		r = pl_fail(c, ERR_PARSE, 0, 0, "a tracepoint has no return "
		    "value");
		goto out;
	}
	xasprintf(&ph->how, "tracepoint %s/%s", h->subsystem, h->event);
	r = 0;
out:
	free(f);
	return r;
}

/* return: true on a uprobe: the function's integer return value, read
 * by a uretprobe (the entry's filters still run at the uprobe). */
static int
pl_uprobe_ret(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	enum pol_arg_type t = h->retarg.type;
	int r;

	if (t != POL_ARG_NONE && t != POL_ARG_AUTO &&
	    !abi_arg_has(t, ABI_AF_CINT))
		return pl_fail(c, ERR_UNSUPP, h->retarg.line, h->retarg.col,
		    "returnArg type %s on a uprobe: only integer return "
		    "values are read (a pointer is a uint64)",
		    pl_type_name(&h->retarg));
	if ((r = pl_ret(c, h)) != 0)
		return r;
	if ((c->ph->cfg.flags & HOOK_F_AT_EXIT) && !c->ps->feat.uretprobes)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "return values need "
		    "uretprobes, which this kernel lacks");
	return 0;
}

/* A uprobe's or usdt's hook: HOOK_K_UPROBE, its args read from
 * gctx.args (registers; usdt: the probe's arguments). */
int
pl_user_args(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i;
	int r;

	ph->cfg.kind = HOOK_K_UPROBE;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_UPROBE;
	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		if ((r = pl_arg_reg(c, &h->args[i], &ph->cfg.args[i],
		    HOOK_SRC_REG)) != 0)
			return r;
		if (h->args[i].return_copy)
			return pl_fail(c, ERR_UNSUPP, h->args[i].line,
			    h->args[i].col, "returnCopy on a uprobe is not "
			    "supported by this engine");
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	return 0;
}

static int
pl_hook_uprobe(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	int r;

	if (h->path == NULL || h->symbol == NULL)
		return pl_fail(c, ERR_PARSE, 0, 0, "uprobe without path or "
		    "symbol");
	if (h->path[0] != '/')
		return pl_fail(c, ERR_PARSE, 0, 0, "uprobe path must be "
		    "absolute");
	if (access(h->path, R_OK) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "%s: %s", h->path,
		    strerror(errno));
	if ((r = pl_user_args(c, types)) != 0)
		return r;
	if ((r = pl_uprobe_ret(c)) != 0)
		return r;
	ph->meta.function = xstrdup(h->symbol);
	xasprintf(&ph->how, "uprobe%s %s:%s",
	    (ph->cfg.flags & HOOK_F_AT_EXIT) ? "+uretprobe" : "", h->path,
	    h->symbol);
	return 0;
}

static char *
pl_tags_json(const struct pol_hook *h)
{
	struct sbuf sb;
	struct jsonw w;
	size_t i;

	sbuf_init(&sb);
	jw_init(&w, &sb);
	jw_arr(&w);
	for (i = 0; i < h->ntags; i++)
		jw_str(&w, h->tags[i]);
	jw_end(&w);
	return sb.buf;
}

static char *
pl_strdup0(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/* Everything but id/gen of the collector's metadata. */
void
pl_meta(struct pl_ctx *c, const enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct ipc_hook *m = &ph->meta;
	size_t i, j;

	m->kind = (uint32_t)h->kind;
	m->mode = (uint32_t)c->pol->mode;
	m->policy = pl_strdup0(c->pol->name);
	if (m->function == NULL)
		m->function = pl_strdup0(h->kind == POL_HOOK_UPROBE ?
		    h->symbol : h->call);
	m->subsys = pl_strdup0(h->subsystem);
	m->event = pl_strdup0(h->event);
	m->path = pl_strdup0(h->path);
	m->message = pl_strdup0(h->message);
	m->tags_json = pl_tags_json(h);
	m->nargs = ph->cfg.nargs;
	for (i = 0; i < IPC_HOOK_ARGS; i++) {
		m->arg_type[i] = i < ph->cfg.nargs ? (uint32_t)types[i] : 0;
		m->arg_label[i] = pl_strdup0(i < h->nargs ?
		    h->args[i].label : NULL);
	}
	m->ret_type = ph->cfg.ret.type;
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		const char *url = NULL, *fqdn = NULL;

		for (j = 0; i < h->nselectors &&
		    j < h->selectors[i].nactions; j++) {
			const struct pol_action *a =
			    &h->selectors[i].actions[j];

			if (a->kind == POL_ACT_GETURL)
				url = a->arg_url;
			if (a->kind == POL_ACT_DNSLOOKUP)
				fqdn = a->arg_fqdn;
		}
		m->sel_url[i] = pl_strdup0(url);
		m->sel_fqdn[i] = pl_strdup0(fqdn);
	}
}

/*
 * Post's kernelStackTrace / userStackTrace: the program that posts takes
 * the stacks itself (bpf_get_stack needs its context): the raw syscall
 * dispatch, tracepoints, raw tracepoints, kprobes, uprobes and USDT
 * sites.  Not fentries and fmod_ret instances, and not a syscall hook
 * whose Override an LSM executor carries out (that program may write the
 * record): refused there with the action's position.
 */
static int
pl_stacks(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	const struct pol_action *a;
	const char *why = NULL;
	size_t i, j;

	switch (c->ph->cfg.kind) {
	case HOOK_K_SYSCALL:
		if (c->ph->cfg.flags & HOOK_F_OVR_LSM)
			why = "not on a syscall hook whose Override an LSM "
			    "program carries out (that program may write the "
			    "record and takes no stacks)";
		break;
	case HOOK_K_TRACEPOINT:
	case HOOK_K_RAWTP:
	case HOOK_K_KPROBE:
	case HOOK_K_UPROBE:
		break;
	case HOOK_K_FENTRY:
		why = "not on fentries";
		break;
	case HOOK_K_FMODRET:
		why = "not on a kprobe carried out by an fmod_ret program "
		    "(Override on a security_* function)";
		break;
	default:
		why = "not on this kind of hook";
		break;
	}
	if (why == NULL)
		return 0;
	for (i = 0; i < h->nselectors; i++)
		for (j = 0; j < h->selectors[i].nactions +
		    h->selectors[i].nretactions; j++) {
			a = j < h->selectors[i].nactions ?
			    &h->selectors[i].actions[j] :
			    &h->selectors[i].retactions[j -
			    h->selectors[i].nactions];
			if (a->kind == POL_ACT_POST &&
			    (a->kernel_stack || a->user_stack))
				return pl_fail(c, ERR_UNSUPP, a->line, a->col,
				    "kernelStackTrace/userStackTrace: %s",
				    why);
		}
	return 0;
}

/* Compile hook c->h into c->ph.  0 (ph->skipped may be set) or an error. */
int
pl_compile_hook(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	enum pol_arg_type types[HOOK_ARGS_MAX];
	enum pl_net route = PL_NET_NO;
	int r;

	memset(types, 0, sizeof(types));
	ph->h = h;
	ph->kind = pl_hook_kind(h);
	ph->target = pl_hook_target(h);
	ph->nr_is_arg = -1;
	c->selmode = PL_SEL_NORMAL;
	c->nsel_max = 0;
	c->ovr_no = "Override is not possible on this kind of hook "
	    "(tracepoints and uprobes cannot change a result)";
	if (h->kind == POL_HOOK_LSM)
		c->ovr_no = NULL;
	switch (h->kind) {
	case POL_HOOK_KPROBE:
		if (h->syscall && !h->fentry && h->syscall_nr < 0 &&
		    h->ignore_call_not_found) {
			ph->skipped = 1;
			xasprintf(&ph->how, "skipped (ignore.callNotFound): "
			    "no such syscall on this architecture");
			return 0;
		}
		if ((r = pl_net_route(c, &route)) != 0)
			break;
		if (route == PL_NET_WHOLE) {
			r = pl_hook_net(c, types);
			break;
		}
		if (route == PL_NET_SPLIT)
			c->selmode = PL_SEL_SYSCOPY;
		r = pl_hook_kprobe(c, types);
		break;
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		r = pl_hook_tp(c, types);
		break;
	case POL_HOOK_UPROBE:
		r = pl_hook_uprobe(c, types);
		break;
	case POL_HOOK_USDT:
		r = pl_hook_usdt(c, types);
		break;
	case POL_HOOK_LSM:
		r = pl_hook_lsm(c, types);
		break;
	default:
		r = pl_fail(c, ERR_PARSE, 0, 0, "unknown hook kind %d",
		    (int)h->kind);
		break;
	}
	if (r == ERR_UNSUPP && h->kind == POL_HOOK_KPROBE &&
	    h->ignore_call_not_found && !h->syscall && !h->fentry &&
	    !c->ps->feat.kprobes) {
		/* the call cannot be found because nothing can be: skip */
		ph->skipped = 1;
		free(ph->how);
		xasprintf(&ph->how, "skipped (ignore.callNotFound): %s",
		    PL_MSG_NOKPROBES);
		log_info("policy %s: kprobe %s %s", c->pol->name, h->call,
		    ph->how);
		return 0;
	}
	if (r != 0)
		return r;
	if (c->pol->mode == POL_MODE_MONITOR)
		ph->cfg.flags |= HOOK_F_MONITOR;
	ph->cfg.flags |= HOOK_F_ENABLED;
	r = pl_selectors(c, types);
	if (r == 0) {
		pl_reread(c, types);
		pl_race(c, types);
	}
	c->selmode = PL_SEL_NORMAL;
	if (r != 0)
		return r;
	if ((r = pl_stacks(c)) != 0)
		return r;
	if (ph->cfg.kind == HOOK_K_SYSCALL &&
	    (ph->cfg.flags & HOOK_F_OVR_LSM) &&
	    (ph->cfg.flags & HOOK_F_AT_EXIT))
		return pl_fail(c, ERR_UNSUPP, 0, 0, "Override on a syscall "
		    "hook is decided at the syscall's entry, but return, "
		    "returnArg, returnCopy or matchReturnArgs make this hook "
		    "decide at its exit, after the call ran; split it into "
		    "two hooks");
	pl_meta(c, types);
	if (route == PL_NET_SPLIT)
		return pl_net_aux(c, types);
	return 0;
}
