/*
 * bpf/generic/kprobe.bpf.h -- programs generic_kprobe /
 * generic_kretprobe (kernel functions, cookie = hook id).  Part of
 * generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_KPROBE_BPF_H
#define TRIPLINE_GEN_KPROBE_BPF_H

/*
 * Kernel functions.  generic_kprobe / generic_kretprobe: attached per hook
 * with bpf_cookie = hook id; a hook with a return value (HOOK_F_AT_EXIT)
 * runs its entry-side filters at entry and hands off to the kretprobe
 * through kpending[pid_tgid, id].
 */
SEC("?kprobe")
int
generic_kprobe(struct pt_regs *ctx)
{
	struct gen_heap *gh;
	struct kpend_key k;
	struct gctx *g;
	__u32 i;

	gh = gh_get();
	if (gh == NULL)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_probe(g, ctx, HOOK_K_KPROBE);
	gh->pd.n = 0;
	gen_hook_run(g);
	if (gh->pd.n > 0) {
		for (i = 0; i < 6; i++)
			gh->pd.args[i] = g->args[i];
		gh->pd.nr = 0;
		k.pid_tgid = g->pid_tgid;
		k.id = g->id;
		k.pad = 0;
		bpf_map_update_elem(&kpending, &k, &gh->pd, BPF_ANY);
	}
	return 0;
}

SEC("?kretprobe")
int
generic_kretprobe(struct pt_regs *ctx)
{
	struct gen_pending *pd;
	struct kpend_key k;
	struct gctx *g;

	k.pid_tgid = bpf_get_current_pid_tgid();
	k.id = bpf_get_attach_cookie(ctx);
	k.pad = 0;
	pd = pending_take(&kpending, &k);
	if (pd == NULL || pd->n == 0)
		return 0;
	if ((g = gctx_exit(HOOK_K_KPROBE, pd)) == NULL)
		return 0;
	g->ret = PT_REGS_RC(ctx);
	g->id = k.id;
	g->gen = pd->gens[0];
	g->pass = pd->pass[0];
	g->phase = PH_EXIT;
	gen_hook_run(g);
	return 0;
}

#endif /* TRIPLINE_GEN_KPROBE_BPF_H */
