/*
 * bpf/generic/fn.bpf.h -- programs of one instance per hook:
 * generic_lsm (lsmhooks), generic_fmodret (Override on a security_*
 * kprobe), generic_fentry (spec.fentries).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_FN_BPF_H
#define TRIPLINE_GEN_FN_BPF_H

#define MAX_ERRNO	4095

/*
 * Hook id of a per-hook program instance (generic_lsm, generic_fmodret):
 * the loader opens the object once more per such hook, sets this, and
 * makes every map the main instance's (bpf_map__reuse_fd).
 */
const volatile __u32 tl_fn_hook = 0;

/*
 * An error an LSM / fmod_ret program may return.  Checked a second time
 * on the register that is returned (barrier_var): 6.12 checks an LSM
 * program's return range, and a copy the compiler made before the first
 * check (from a global function's int result) keeps no bounds.
 */
static __always_inline long
ovr_ret(long r)
{
	if (r > 0 || r < -MAX_ERRNO)
		r = -1;	/* EPERM */
	barrier_var(r);
	if (r > 0 || r < -MAX_ERRNO)
		return -1;
	return r;
}

/* The hook of a per-hook instance, arguments by bpf_get_func_arg. */
static __always_inline long
fn_run(void *ctx, __u32 kind)
{
	struct gctx *g;
	__u64 v;
	__u32 i;

	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, kind);
	for (i = 0; i < 6; i++) {
		v = 0;
		if (bpf_get_func_arg(ctx, i, &v) != 0)
			break;
		g->args[i] = v;
	}
	g->have_args = 1;
	g->id = tl_fn_hook;
	g->phase = PH_ONESHOT;
	gen_hook_run(g);
	if (g->ovr == 0)
		return 0;
	return ovr_ret(g->ovr);
}

/*
 * lsmhooks: one instance per hook, attach target set by the loader
 * ("file_open" is only the default).  Returning an error denies the
 * operation; the first BPF LSM program that denies ends the chain.
 */
SEC("?lsm/file_open")
int
generic_lsm(unsigned long long *ctx)
{
	return fn_run(ctx, HOOK_K_LSM);
}

/* Override on a kprobe on a security_* function: fmod_ret, one instance
 * per hook; a non-zero return skips the function and is its result. */
SEC("?fmod_ret/security_file_open")
int
generic_fmodret(unsigned long long *ctx)
{
	return fn_run(ctx, HOOK_K_FMODRET);
}

/* spec.fentries without Override: observation through a trampoline */
SEC("?fentry/security_file_open")
int
generic_fentry(unsigned long long *ctx)
{
	fn_run(ctx, HOOK_K_FENTRY);
	return 0;
}

/*
 * raw: true tracepoints: one instance per hook, attached by the loader
 * to the raw tracepoint (bpf_raw_tracepoint_open).  The arguments are
 * the tracepoint's TP_PROTO arguments.  They are copied with
 * bpf_probe_read_kernel rather than loaded from ctx: a program that loads
 * ctx->args[5] cannot be attached to a tracepoint with fewer arguments
 * (the kernel checks the largest ctx offset at attach time).  loaderd
 * refuses an index past the tracepoint's arguments, so the slots beyond
 * them are never used.
 */
SEC("?raw_tp")
int
generic_rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	struct gctx *g;

	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_RAWTP);
	bpf_probe_read_kernel(&g->args[0], sizeof(__u64), &ctx->args[0]);
	bpf_probe_read_kernel(&g->args[1], sizeof(__u64), &ctx->args[1]);
	bpf_probe_read_kernel(&g->args[2], sizeof(__u64), &ctx->args[2]);
	bpf_probe_read_kernel(&g->args[3], sizeof(__u64), &ctx->args[3]);
	bpf_probe_read_kernel(&g->args[4], sizeof(__u64), &ctx->args[4]);
	bpf_probe_read_kernel(&g->args[5], sizeof(__u64), &ctx->args[5]);
	g->have_args = 1;
	g->id = tl_fn_hook;
	g->phase = PH_ONESHOT;
	g->stkok = 1;
	gen_hook_run(g);
	stk_flush(ctx, g);
	return 0;
}

#endif /* TRIPLINE_GEN_FN_BPF_H */
