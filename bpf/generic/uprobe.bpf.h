/*
 * bpf/generic/uprobe.bpf.h -- program generic_uprobe (one
 * attachment per uprobe hook, cookie = hook id).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_UPROBE_BPF_H
#define TRIPLINE_GEN_UPROBE_BPF_H

SEC("uprobe")
int
generic_uprobe(struct pt_regs *ctx)
{
	struct gctx *g;

	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_UPROBE);
	g->args[0] = PT_REGS_PARM1(ctx);
	g->args[1] = PT_REGS_PARM2(ctx);
	g->args[2] = PT_REGS_PARM3(ctx);
	g->args[3] = PT_REGS_PARM4(ctx);
	g->args[4] = PT_REGS_PARM5(ctx);
	g->args[5] = ctx->r9;
	g->have_args = 1;
	g->id = bpf_get_attach_cookie(ctx);
	g->phase = PH_ONESHOT;
	gen_hook_run(g);
	return 0;
}

#endif /* TRIPLINE_GEN_UPROBE_BPF_H */
