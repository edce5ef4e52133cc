/*
 * bpf/generic/uprobe.bpf.h -- programs generic_uprobe (one attachment
 * per uprobe hook, cookie = hook id), generic_uretprobe (on demand:
 * the return probe of a hook with a return value) and generic_usdt (on
 * demand: one attachment per usdts hook through libbpf's USDT support,
 * USDT cookie = hook id).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_UPROBE_BPF_H
#define TRIPLINE_GEN_UPROBE_BPF_H

SEC("uprobe")
int
generic_uprobe(struct pt_regs *ctx)
{
	probe_entry(ctx, HOOK_K_UPROBE);
	return 0;
}

/* A uprobe hook with return: true (HOOK_F_AT_EXIT): the entry's filters
 * ran in generic_uprobe, which left the hand-off in kpending. */
SEC("?uretprobe")
int
generic_uretprobe(struct pt_regs *ctx)
{
	probe_return(ctx, HOOK_K_UPROBE);
	return 0;
}

/*
 * A SystemTap SDT probe site (usdts): its arguments as the site's note
 * describes them (a register, memory at a register plus an offset, or a
 * constant; libbpf's bpf_usdt_arg), in place of the function arguments
 * of a uprobe; then the hook runs as a uprobe hook (HOOK_K_UPROBE: the
 * same argument readers).  An argument the site does not have reads 0;
 * loaderd refuses a policy that names one (pl_usdt.c).
 */
SEC("?usdt")
int
generic_usdt(struct pt_regs *ctx)
{
	struct gctx *g = gx_get();
	long v;
	__u32 i;

	if (g == NULL)
		return 0;
	gctx_init(g, HOOK_K_UPROBE);
	for (i = 0; i < 6; i++) {
		v = 0;
		if (bpf_usdt_arg(ctx, i, &v) != 0)
			v = 0;
		g->args[i] = (__u64)v;
	}
	g->have_args = 1;
	g->id = (__u32)bpf_usdt_cookie(ctx);
	g->phase = PH_ONESHOT;
	g->stkok = 1;
	gen_hook_run(g);
	stk_flush(ctx, g);
	return 0;
}

#endif /* TRIPLINE_GEN_UPROBE_BPF_H */
