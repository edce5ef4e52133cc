/*
 * bpf/helpers.bpf.h -- small inline helpers for the BPF programs:
 * counters, ring-buffer output, process keys and the d_path-like walker.
 *
 * Everything reads kernel memory through CO-RE (BPF_CORE_READ and friends),
 * i.e. bpf_probe_read_kernel, so it also loads on kernels without
 * bpf_get_current_task_btf (the floor is 5.8 for the ring buffer).
 */
#ifndef TRIPLINE_HELPERS_BPF_H
#define TRIPLINE_HELPERS_BPF_H

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

/* include/linux/sched/signal.h; a #define, so not in BTF */
#define SIGNAL_GROUP_EXIT	0x00000004

/* USER_HZ clock tick in ns: /proc/PID/stat starttime unit */
#define CLOCK_TICK_NS		10000000ULL

/* Components walked per path (mount crossings count as one each). */
#define PATH_DEPTH		64
#define PATH_MASK		(EV_PATH_MAX - 1)

static __always_inline void
stat_inc(__u32 idx)
{
	__u64 *v;

	v = bpf_map_lookup_elem(&stats, &idx);
	if (v != NULL)
		*v += 1;	/* per-CPU slot; programs do not nest here */
}

/* Copy size bytes of a finished record into the ring buffer. */
static __always_inline void
emit(void *rec, __u64 size)
{
	if (bpf_ringbuf_output(&events, rec, size, 0) == 0)
		stat_inc(EV_STAT_EMITTED);
	else
		stat_inc(EV_STAT_DROPPED);
}

/*
 * ktime of a process image we never saw start: its thread group leader's
 * start_boottime rounded down to clock ticks, i.e. exactly what user space
 * computes from field 22 of /proc/PID/stat.
 */
static __always_inline __u64
task_derived_ktime(struct task_struct *task)
{
	struct task_struct *leader;
	__u64 t;

	leader = BPF_CORE_READ(task, group_leader);
	t = task_start_boottime(leader);
	return (t / CLOCK_TICK_NS) * CLOCK_TICK_NS;
}

/*
 * Key of the current image of process tgid (task is any of its threads):
 * from execmap, or derived; returns 1 when derived (a miss).
 */
static __always_inline int
task_key(struct ev_key *key, struct task_struct *task, __u32 tgid)
{
	struct execmap_val *v;

	key->pid = tgid;
	key->pad = 0;
	v = bpf_map_lookup_elem(&execmap, &tgid);
	if (v != NULL) {
		key->ktime = v->ktime;
		return 0;
	}
	key->ktime = task_derived_ktime(task);
	return 1;
}

static __always_inline void
execmap_set(__u32 tgid, __u64 ktime, __u32 flags)
{
	struct execmap_val v = { .ktime = ktime, .flags = flags };

	if (bpf_map_update_elem(&execmap, &tgid, &v, BPF_ANY) != 0)
		stat_inc(EV_STAT_ERRORS);
}

/*
 * Resolve (dentry, vfsmnt) to an absolute path as seen from the task's root
 * (root_d, root_m), like the kernel's d_path() minus the " (deleted)"
 * suffix: walk d_parent up to the mount root, then continue at the
 * mountpoint in the parent mount, until the task root or the namespace
 * root.  A dentry that is its own parent but not a mount root (pipe:,
 * memfd:, ...) ends the walk after its own name.
 *
 * Components are written backwards into h->path, ending at
 * h->path[EV_PATH_MAX].  Returns the start offset; the path is
 * h->path[ret .. EV_PATH_MAX), never empty ("/" at least).  Sets trunc_flag in
 * *flags when a component did not fit or the walk was deeper than
 * PATH_DEPTH (the result is then a tail of the path, still starting
 * with '/').
 *
 * Verifier note: the write position lives in map memory (h->pos), not in a
 * register.  A register would be a precise scalar whose range differs
 * between the "component" and the "mount crossing" paths, so no loop state
 * could be pruned and verification grows as 2^depth; reloaded from a map
 * value it is an unknown scalar every iteration and the states match
 * (64 levels: ~30k instructions processed instead of > 1M).
 */
static __always_inline __u32
path_walk(struct dentry *dentry, struct vfsmount *vfsmnt,
    struct dentry *root_d, struct vfsmount *root_m, struct heap *h,
    __u32 *flags, __u32 trunc_flag)
{
	volatile __u32 *posp = &h->pos;
	char *buf = h->path;
	struct mount *mnt, *mnt_parent;
	struct dentry *mnt_root, *parent;
	struct qstr q;
	__u32 mnt_off, pos, len;
	int i, done = 0;

	mnt_off = bpf_core_field_offset(struct mount, mnt);
	mnt = (void *)vfsmnt - mnt_off;
	mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);

	*posp = EV_PATH_MAX;
	for (i = 0; i < PATH_DEPTH; i++) {
		if (dentry == root_d && vfsmnt == root_m) {
			done = 1;
			break;
		}
		if (dentry == mnt_root) {
			if (mnt == mnt_parent) {
				/* root of the mount namespace */
				done = 1;
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = (void *)mnt + mnt_off;
			mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
			continue;
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		if (bpf_core_read(&q, sizeof(q), &dentry->d_name) != 0)
			break;
		len = q.len;
		pos = *posp;
		if (len >= pos)
			break;	/* does not fit with its '/' */
		pos -= len;
		bpf_probe_read_kernel(buf + (pos & PATH_MASK), len & PATH_MASK,
		    q.name);
		pos--;
		buf[pos & PATH_MASK] = '/';
		*posp = pos;
		if (parent == dentry) {
			done = 1;
			break;
		}
		dentry = parent;
	}
	if (!done)
		*flags |= trunc_flag;
	pos = *posp;
	if (pos >= EV_PATH_MAX) {
		pos = EV_PATH_MAX - 1;
		buf[PATH_MASK] = '/';
	}
	return pos;
}

/*
 * Walk a path and copy the result to dst (a map value with room for
 * EV_PATH_MAX bytes); store its length (1..EV_PATH_MAX) in *lenp.
 *
 * Verifier note: the length and the flags go through map memory, not
 * registers, on purpose.  The walker leaves the verifier with many exit
 * states that differ only in these scalars; stored in a map value they are
 * forgotten, so the rest of the program is verified once instead of once
 * per exit state (otherwise two walks in one program exceed 1M insns).
 */
static __always_inline void
path_put(__u8 *dst, __u16 *lenp, struct dentry *dentry,
    struct vfsmount *vfsmnt, struct path *root, struct heap *h,
    __u32 *flags, __u32 trunc_flag)
{
	__u64 off, n;

	off = path_walk(dentry, vfsmnt, root->dentry, root->mnt, h, flags,
	    trunc_flag);
	/* clang drops a mask it can prove redundant; the verifier cannot */
	barrier_var(off);
	off &= PATH_MASK;
	n = EV_PATH_MAX - off;
	barrier_var(n);
	if (n > EV_PATH_MAX)
		n = 0;	/* cannot happen; keeps the verifier's bound */
	bpf_probe_read_kernel(dst, n, h->path + off);
	*(volatile __u16 *)lenp = n;
}

/* Read back a length stored by path_put (see the verifier note there). */
static __always_inline __u32
len_get(__u16 *lenp)
{
	return *(volatile __u16 *)lenp;
}

/* Inode number of namespace ns (enum pol_ns) of task t; 0 if unread. */
static __always_inline __u32
task_ns_inum(struct task_struct *t, __u32 ns)
{
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

/* Capability set (enum pol_cap_set) of task t.  kernel_cap_t is one u64
 * since 6.3 and two u32 (low word first) before: 8 bytes either way. */
static __always_inline __u64
task_cap(struct task_struct *t, __u32 set)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	__u64 v = 0;

	switch (set) {
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
	return v;
}

/*
 * execcred[tgid] = the capabilities and namespaces of task t now, built
 * in h->cred (mapflags: BPF_ANY at exec, BPF_NOEXIST for a late entry).
 */
static __always_inline void
execcred_put(__u32 tgid, struct task_struct *t, struct heap *h,
    __u32 flags, __u64 mapflags)
{
	struct execcred_val *v = &h->cred;
	__u32 i;

	v->caps[POL_CAP_EFFECTIVE] = task_cap(t, POL_CAP_EFFECTIVE);
	v->caps[POL_CAP_INHERITABLE] = task_cap(t, POL_CAP_INHERITABLE);
	v->caps[POL_CAP_PERMITTED] = task_cap(t, POL_CAP_PERMITTED);
#pragma clang loop unroll(disable)
	for (i = 0; i < POL_NS_MAX_; i++)
		v->ns[i] = task_ns_inum(t, i);
	v->flags = flags;
	v->pad = 0;
	bpf_map_update_elem(&execcred, &tgid, v, mapflags);
}

#endif /* TRIPLINE_HELPERS_BPF_H */
