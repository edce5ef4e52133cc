/*
 * bpf/generic/tracepoint.bpf.h -- programs sys_enter / sys_exit (raw
 * tracepoints: every syscall hook, dispatched on the number through
 * sys_hooks) and generic_tp (one tracepoint each attachment, hooks
 * through tp_hooks).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_TRACEPOINT_BPF_H
#define TRIPLINE_GEN_TRACEPOINT_BPF_H

SEC("raw_tracepoint/sys_enter")
int
sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (void *)ctx->args[0];
	struct gen_heap *gh;
	struct hook_list *hl;
	struct gctx *g;
	__u32 nr = ctx->args[1], i;

	hl = bpf_map_lookup_elem(&sys_hooks, &nr);
	if (hl == NULL || hl->n == 0)
		return 0;	/* the fast path: syscall not hooked */
	gh = gh_get();
	if (gh == NULL)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_SYSCALL);
	g->regsaddr = (unsigned long)regs;
	g->nr = nr;
	gh->pd.n = 0;
	dispatch(ctx, g, hl);
	if (gh->pd.n > 0) {
		if (load_sysargs(g, gh) != 0) {
			stat_inc(EV_STAT_ERRORS);
			return 0;
		}
		for (i = 0; i < 6; i++)
			gh->pd.args[i] = g->args[i];
		gh->pd.nr = nr;
		gh->pd.mm = (__u64)BPF_CORE_READ(cur_task(), mm);
		exit_put(&pending, &g->pid_tgid, &gh->pd);
	}
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int
sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (void *)ctx->args[0];
	struct gen_pending *pd;
	struct ovr_pend *op;
	struct hook_list *hl;
	struct gctx *g;
	__u64 pid_tgid, orig_ax = 0, *live;
	__u32 nr, n, i, ovr_id = 0, ovr_state = 0, zero = 0;

	/* the fast path: no thread has anything for its exit */
	live = bpf_map_lookup_elem(&exit_live, &zero);
	if (live == NULL || *live == 0)
		return 0;
	if (bpf_probe_read_kernel(&orig_ax, sizeof(orig_ax),
	    &regs->orig_ax) != 0)
		return 0;
	nr = orig_ax;
	hl = bpf_map_lookup_elem(&sys_hooks, &nr);
	if (hl == NULL || hl->n == 0)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_SYSCALL);
	g->nr = nr;
	gen_race_exit(g);
	op = bpf_map_lookup_elem(&ovr_pending, &pid_tgid);
	if (op != NULL) {
		/* an Override no LSM hook carried out: say so */
		if (op->nr == nr && !op->applied)
			hs_add(op->id, HS_OVR_MISSED);
		if (op->nr == nr) {
			ovr_id = op->id;
			ovr_state = op->applied == 1 ? 1 : 2;
		}
		exit_del(&ovr_pending, &pid_tgid);
	}
	pd = pending_take(&pending, &pid_tgid, 1);
	if (pd == NULL)
		return 0;
	if (pd->nr != nr)
		return 0;	/* stale: a syscall that never returned */
	if ((g = gctx_exit(HOOK_K_SYSCALL, pd)) == NULL)
		return 0;
	for (i = 0; i < HOOK_PER_DISPATCH; i++)
		g->ids[i] = pd->ids[i];
	g->nr = nr;
	g->ret = ctx->args[1];
	g->ovr_id = ovr_id;
	g->ovr_state = ovr_state;
	g->nouser = pd->mm != (__u64)BPF_CORE_READ(cur_task(), mm);
	n = pd->n;
	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= n)
			break;
		g->id = g->ids[i];
		g->gen = pd->gens[i];
		g->pass = pd->pass[i];
		g->late = pd->late[i];
		g->phase = PH_EXIT;
		g->stkok = 1;
		gen_hook_run(g);
		stk_flush(ctx, g);
	}
	return 0;
}

SEC("tracepoint")
int
generic_tp(void *ctx)
{
	struct hook_list *hl;
	struct gctx *g;
	__u32 type;

	/*
	 * The record's common_type cannot be used: perf overwrites the
	 * first 8 bytes of the record with a pt_regs pointer before running
	 * the program.  The loader attaches with bpf_cookie = the
	 * tracepoint's slot in tp_hooks instead.
	 */
	type = bpf_get_attach_cookie(ctx);
	hl = bpf_map_lookup_elem(&tp_hooks, &type);
	if (hl == NULL || hl->n == 0)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_TRACEPOINT);
	g->ctxaddr = (unsigned long)ctx;
	dispatch(ctx, g, hl);
	return 0;
}

#endif /* TRIPLINE_GEN_TRACEPOINT_BPF_H */
