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
	gctx_probe(g, ctx, HOOK_K_UPROBE);
	gen_hook_run(g);
	return 0;
}

#endif /* TRIPLINE_GEN_UPROBE_BPF_H */
