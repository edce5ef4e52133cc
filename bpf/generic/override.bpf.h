/*
 * bpf/generic/override.bpf.h -- Override executors of syscall hooks
 * (ovr_lsm, ovr_file_permission, ovr_kprobe; struct ovr_pend,
 * bpf/hook.h).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_OVERRIDE_BPF_H
#define TRIPLINE_GEN_OVERRIDE_BPF_H

/*
 * Override executors for syscall hooks (HOOK_F_OVR_LSM): the LSM hook that
 * guards the syscall's operation returns the error sys_enter decided, if
 * that syscall is the one running.  ovr_lsm serves every mapped hook
 * (attach target set by the loader); file_permission also checks the
 * MAY_* mask (a write decision must not fail the read of the same call).
 */
static __always_inline long
ovr_apply(__u32 mask)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ovr_pend *op;
	struct pt_regs *regs;
	__u32 nr;

	op = bpf_map_lookup_elem(&ovr_pending, &pid_tgid);
	if (op == NULL)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = regs->orig_ax;
	if (nr != op->nr)
		return 0;
	if (op->mask != 0 && !(mask & op->mask))
		return 0;
	if (!op->applied) {
		op->applied = 1;
		hs_add(op->id, HS_OVERRIDES);
	}
	return ovr_ret(op->err);
}

SEC("?lsm/file_open")
int
ovr_lsm(unsigned long long *ctx)
{
	return ovr_apply(0);
}

SEC("?lsm/file_permission")
int
ovr_file_permission(unsigned long long *ctx)
{
	return ovr_apply((__u32)ctx[1]);
}

/* where the kernel has bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE):
 * a kprobe on the syscall function itself */
SEC("?kprobe")
int
ovr_kprobe(struct pt_regs *ctx)
{
	long r = ovr_apply(0);

	if (r != 0)
		bpf_override_return(ctx, r);
	return 0;
}

#endif /* TRIPLINE_GEN_OVERRIDE_BPF_H */
