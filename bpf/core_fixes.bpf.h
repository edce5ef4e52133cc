/*
 * bpf/core_fixes.bpf.h -- CO-RE accessors for kernel fields that are not
 * present in every configuration or version we support.
 */
#ifndef TRIPLINE_CORE_FIXES_BPF_H
#define TRIPLINE_CORE_FIXES_BPF_H

/* start_boottime is 5.5+; before that real_start_time had the same clock */
struct task_struct___pre55 {
	__u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline __u64
task_start_boottime(struct task_struct *task)
{
	struct task_struct___pre55 *old = (void *)task;

	if (bpf_core_field_exists(task->start_boottime))
		return BPF_CORE_READ(task, start_boottime);
	return BPF_CORE_READ(old, real_start_time);
}

/* loginuid exists only with CONFIG_AUDIT; "unset" is (uid_t)-1 */
static __always_inline __u32
task_loginuid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid))
		return BPF_CORE_READ(task, loginuid.val);
	return 0xffffffff;
}

/*
 * Since 6.16 sched_process_exit carries group_dead (computed by the
 * atomic_dec_and_test of signal->live just before) and is emitted before
 * exit_mm().  The trace event struct gained the field in the same commit,
 * so its presence tells whether raw tracepoint args[1] exists.
 */
static __always_inline int
exit_has_group_dead(void)
{
	return bpf_core_field_exists(struct trace_event_raw_sched_process_exit,
	    group_dead);
}

#endif /* TRIPLINE_CORE_FIXES_BPF_H */
