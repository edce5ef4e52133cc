/*
 * bpf/procfilter.bpf.h -- process filters shared by the generic policy
 * programs (generic.bpf.c) and the cgroup network programs (net.bpf.c):
 * matchPIDs, matchNamespaces, matchCapabilities on the current task.
 * Configuration types are those of bpf/hook.h.
 */
#ifndef TRIPLINE_PROCFILTER_BPF_H
#define TRIPLINE_PROCFILTER_BPF_H

#define ANCESTORS_MAX	8	/* matchPIDs followForks walk */

static __always_inline struct task_struct *
cur_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* tgid of task, as its own pid namespace sees it when nspid */
static __always_inline __u32
task_tgid_nr(struct task_struct *t, int nspid)
{
	struct task_struct *l;
	struct pid *p;
	struct upid up;
	__u32 level;

	if (!nspid)
		return BPF_CORE_READ(t, tgid);
	l = BPF_CORE_READ(t, group_leader);
	p = BPF_CORE_READ(l, thread_pid);
	level = BPF_CORE_READ(p, level);
	if (bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]) != 0)
		return 0;
	return up.nr;
}

/* the current process (followForks: or an ancestor) is in e's values */
static __always_inline int
pids_in(struct sel_pids *e, __u32 tgid)
{
	struct task_struct *t = cur_task();
	__u32 lvl, k, pid, n = e->nvals;

	if (n > HOOK_PIDS_MAX)
		n = HOOK_PIDS_MAX;
	for (lvl = 0; lvl <= ANCESTORS_MAX; lvl++) {
		if (t == NULL)
			break;
		/* the current process's own tgid needs no read */
		pid = lvl == 0 && !(e->flags & 2) ? tgid :
		    task_tgid_nr(t, e->flags & 2);
		for (k = 0; k < HOOK_PIDS_MAX; k++) {
			if (k >= n)
				break;
			if (e->pids[k] == pid)
				return 1;
		}
		if (!(e->flags & 1) || pid <= 1)
			break;
		t = BPF_CORE_READ(t, real_parent);
	}
	return 0;
}

static __always_inline __u32
ns_inum(__u32 ns)
{
	struct task_struct *t = cur_task();
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);
	struct pid *p;
	struct upid up;
	__u32 level;

	switch (ns) {
	case POL_NS_UTS:
		return BPF_CORE_READ(nsp, uts_ns, ns.inum);
	case POL_NS_IPC:
		return BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	case POL_NS_MNT:
		return BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	case POL_NS_PID:
		p = BPF_CORE_READ(t, thread_pid);
		level = BPF_CORE_READ(p, level);
		if (bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]))
			return 0;
		return BPF_CORE_READ(up.ns, ns.inum);
	case POL_NS_PID_FOR_CHILDREN:
		return BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	case POL_NS_NET:
		return BPF_CORE_READ(nsp, net_ns, ns.inum);
	case POL_NS_TIME:
		return BPF_CORE_READ(nsp, time_ns, ns.inum);
	case POL_NS_TIME_FOR_CHILDREN:
		return BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	case POL_NS_CGROUP:
		return BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	case POL_NS_USER:
		return BPF_CORE_READ(t, cred, user_ns, ns.inum);
	}
	return 0;
}

static __always_inline int
caps_ok(struct sel_caps *c)
{
	struct task_struct *t = cur_task();
	const struct cred *cred = BPF_CORE_READ(t, cred);
	__u64 v = 0;
	int in;

	switch (c->set) {
	case POL_CAP_EFFECTIVE:
		bpf_core_read(&v, sizeof(v), &cred->cap_effective);
		break;
	case POL_CAP_INHERITABLE:
		bpf_core_read(&v, sizeof(v), &cred->cap_inheritable);
		break;
	case POL_CAP_PERMITTED:
		bpf_core_read(&v, sizeof(v), &cred->cap_permitted);
		break;
	}
	/* isNamespaceCapability: only inside a user namespace */
	if (c->is_ns_cap && BPF_CORE_READ(cred, user_ns, level) == 0)
		return 0;
	in = (v & c->mask) != 0;
	return c->op == POL_OP_NOTIN ? !in : in;
}

#endif /* TRIPLINE_PROCFILTER_BPF_H */
