/*
 * bpf/generic/uprobe.bpf.h -- programs generic_uprobe (one attachment
 * per uprobe hook, cookie = hook id) and generic_uretprobe (on demand:
 * the return probe of a hook with a return value).  Part of
 * generic.bpf.c.
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

#endif /* TRIPLINE_GEN_UPROBE_BPF_H */
