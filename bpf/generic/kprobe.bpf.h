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
	probe_entry(ctx, HOOK_K_KPROBE);
	return 0;
}

SEC("?kretprobe")
int
generic_kretprobe(struct pt_regs *ctx)
{
	probe_return(ctx, HOOK_K_KPROBE);
	return 0;
}

#endif /* TRIPLINE_GEN_KPROBE_BPF_H */
