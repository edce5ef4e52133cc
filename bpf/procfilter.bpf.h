/*
 * bpf/procfilter.bpf.h -- selector parts shared by the generic policy
 * programs (generic.bpf.c) and the cgroup network programs (net.bpf.c):
 * the process filters of a selector on the current task (matchPIDs,
 * matchNamespaces, matchCapabilities and the change filters:
 * sel_task_ok), the followChildren bit of matchBinaries, and the execbin
 * entry of a process never seen exec'ing.  Configuration types are those of
 * bpf/hook.h; the includer has included maps.bpf.h and helpers.bpf.h.
 */
#ifndef TRIPLINE_PROCFILTER_BPF_H
#define TRIPLINE_PROCFILTER_BPF_H

#include "hookcfg.bpf.h"

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
	return task_ns_inum(cur_task(), ns);
}

static __always_inline int
caps_ok(struct sel_caps *c)
{
	struct task_struct *t = cur_task();
	__u64 v = task_cap(t, c->set);
	int in;

	/* isNamespaceCapability: only inside a user namespace */
	if (c->is_ns_cap && BPF_CORE_READ(t, cred, user_ns, level) == 0)
		return 0;
	in = (v & c->mask) != 0;
	return c->op == POL_OP_NOTIN ? !in : in;
}

/*
 * matchNamespaceChanges, matchCapabilityChanges of selectors[key] on the
 * current task: 1 both pass.  Against execcred[tgid] (bpf/hook.h); a
 * process without an entry (started before loaderd) gets one from its
 * values now, and no change is known for it yet.  A namespace recorded
 * as 0 (unread) never counts as changed.  A global function, like
 * sel_task_ok.
 */
__noinline int
sel_chg_ok(__u32 key, __u32 tgid)
{
	struct sel_cfg *sc = bpf_map_lookup_elem(&selectors, &key);
	struct task_struct *t = cur_task();
	struct execcred_val *v;
	struct heap *h;
	__u64 was, now, m;
	__u32 i, nsm, set, zero = 0;
	int ch;

	if (sc == NULL)
		return 0;
	v = bpf_map_lookup_elem(&execcred, &tgid);
	if (v == NULL) {
		h = bpf_map_lookup_elem(&heap, &zero);
		if (h != NULL)
			execcred_put(tgid, t, h, EXECCRED_F_LATE, BPF_NOEXIST);
		return 0;
	}
	if (sc->chg.ns_op != 0) {
		/* In: a listed namespace changed; NotIn: another one did */
		nsm = sc->chg.ns_mask;
		if (sc->chg.ns_op == POL_OP_NOTIN)
			nsm = ~nsm & ((1U << POL_NS_MAX_) - 1);
		ch = 0;
		/* not unrolled: one inlined copy of the reads, one frame
		 * slot each */
#pragma clang loop unroll(disable)
		for (i = 0; i < POL_NS_MAX_; i++) {
			if (!(nsm & (1U << i)) || v->ns[i] == 0)
				continue;
			if (v->ns[i] != task_ns_inum(t, i)) {
				ch = 1;
				break;
			}
		}
		if (!ch)
			return 0;
	}
	if (sc->chg.cap_op != 0) {
		if (sc->chg.cap_is_ns &&
		    BPF_CORE_READ(t, cred, user_ns, level) == 0)
			return 0;
		set = sc->chg.cap_set;
		if (set > POL_CAP_PERMITTED)
			return 0;
		was = v->caps[set];
		now = task_cap(t, set);
		m = sc->chg.cap_mask;
		/* In: a listed capability changed; NotIn: none of them did,
		 * another one did */
		if (sc->chg.cap_op == POL_OP_IN) {
			if ((was & m) == (now & m))
				return 0;
		} else if ((was & m) != (now & m) || was == now)
			return 0;
	}
	return 1;
}

/*
 * matchPIDs, matchNamespaces, matchCapabilities, matchNamespaceChanges,
 * matchCapabilityChanges of selectors[key] on the current process: 1 all
 * pass.  A global function (verified once, for
 * any arguments), so it takes scalars and looks the selector up itself.
 */
__noinline int
sel_task_ok(__u32 key, __u64 pid_tgid)
{
	struct sel_cfg *sc = bpf_map_lookup_elem(&selectors, &key);
	struct sel_ns *e;
	__u32 i, k, inum;
	int in;

	if (sc == NULL)
		return 0;
	for (i = 0; i < HOOK_PID_ENTRIES_MAX; i++) {
		if (i >= sc->npids)
			break;
		if (pids_in(&sc->pids[i], pid_tgid >> 32) ==
		    (sc->pids[i].op == POL_OP_NOTIN))
			return 0;
	}
	for (i = 0; i < HOOK_NS_MAX; i++) {
		if (i >= sc->nns)
			break;
		e = &sc->ns[i];
		inum = ns_inum(e->ns);
		in = 0;
		for (k = 0; k < HOOK_NS_VALUES_MAX; k++) {
			if (k >= e->nvals)
				break;
			if (e->inum[k] == inum) {
				in = 1;
				break;
			}
		}
		if (in == (e->op == POL_OP_NOTIN))
			return 0;
	}
	if (sc->ncaps > 0 && !caps_ok(&sc->caps))
		return 0;
	if ((sc->chg.ns_op != 0 || sc->chg.cap_op != 0) &&
	    !sel_chg_ok(key, pid_tgid >> 32))
		return 0;
	return 1;
}

/* tgid descends from a process that matched selector key's matchBinaries
 * with followChildren (its bit in execbin, key = id * HOOK_SEL_MAX +
 * selector) */
static __always_inline int
sel_follows(__u32 tgid, __u32 key)
{
	struct execbin_val *eb = bpf_map_lookup_elem(&execbin, &tgid);
	__u32 w = key / 64;

	barrier_var(w);
	if (eb != NULL && w < EXECBIN_FOLLOW_WORDS)
		return (eb->follow[w] >> (key % 64)) & 1;
	return 0;
}

/* the task's root directory (NULL, NULL if unread) */
static __always_inline void
task_root(struct task_struct *t, struct path *root)
{
	struct fs_struct *fs = BPF_CORE_READ(t, fs);

	if (bpf_core_read(root, sizeof(*root), &fs->root) != 0) {
		root->dentry = NULL;
		root->mnt = NULL;
	}
}

/*
 * The execbin entry of tgid for a process never seen exec'ing (started
 * before loaderd): its binary path is n bytes at src (map memory), n < 0
 * when unknown; a path longer than HOOK_STR_MAX keeps its head.  Built in
 * h->eb; inserted unless the process programs made one meanwhile.  The
 * entry, or NULL.
 */
static __always_inline struct execbin_val *
execbin_put(__u32 tgid, struct heap *h, const __u8 *src, int n)
{
	__u32 i;

	/* len too: one aligned run of zeroes for the compiler */
	h->eb.len = 0;
	h->eb.flags = 0;
	h->eb.pad = 0;
	for (i = 0; i < EXECBIN_FOLLOW_WORDS; i++)
		h->eb.follow[i] = 0;
	if (n < 0) {
		h->eb.flags = EXECBIN_F_ERR;
		n = 0;
	} else if (n > HOOK_STR_MAX) {
		h->eb.flags = EXECBIN_F_TRUNC;
		n = HOOK_STR_MAX;
	}
	barrier_var(n);
	if (n < 0 || n > HOOK_STR_MAX)
		n = 0;
	bpf_probe_read_kernel(h->eb.path, n, src);
	h->eb.len = n;
	bpf_map_update_elem(&execbin, &tgid, &h->eb, BPF_NOEXIST);
	return bpf_map_lookup_elem(&execbin, &tgid);
}

#endif /* TRIPLINE_PROCFILTER_BPF_H */
