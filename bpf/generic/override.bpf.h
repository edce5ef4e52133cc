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
 * rck: the HOOK_RCK_* of this executor; the entries of hooks that it
 * decides again on the kernel's copy (ovr_rck) are left to that.
 */
static __always_inline long
ovr_apply(__u32 mask, __u32 rck)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ovr_pend *op;
	struct pt_regs *regs;
	struct hook_cfg *hc;
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
	if (rck != 0 && (hc = hc_get(op->id)) != NULL && hc->rck_kind == rck)
		return 0;
	if (!op->applied) {
		op->applied = 1;
		hs_add(op->id, HS_OVERRIDES);
	}
	return ovr_ret(op->err);
}

/*
 * PH_RECHECK, selector g->sel matched on the kernel's copy: its Override
 * error goes to g->ovr.  1 when that is all there is to do: the selector
 * has no Override (sys_enter posts, from the caller's memory), or
 * sys_enter decided this Override too (g->ovr_state: it posted and ran
 * the other actions).  0: sys_enter did not decide it (the argument
 * changed in between): the selector's actions are to run and the hit is
 * to be posted here (PH_RCKACT), with the kernel's copy in the record.
 */
__noinline int
gen_rck_sel(struct gctx *g)
{
	struct sel_cfg *sc;
	__u32 i, n;

	if (g == NULL || g->sel >= HOOK_SEL_MAX)
		return 1;
	sc = sc_get(g->id * HOOK_SEL_MAX + g->sel);
	if (sc == NULL)
		return 1;
	g->ovr = 0;
	n = sc->nactions;
	for (i = 0; i < HOOK_ACTIONS_MAX; i++) {
		if (i >= n)
			break;
		if (sc->actions[i].kind == POL_ACT_OVERRIDE) {
			g->ovr = sc->actions[i].arg;
			break;
		}
	}
	return g->ovr == 0 || g->ovr_state != 0;
}

/*
 * Hook g->id decided again on the kernel's copy: the error of its
 * Override, or 0.  sys_enter's decision on the caller's memory
 * (ovr_pending) only tells whether the hit was posted and its other
 * actions ran there; when the two differ the argument changed in
 * between (or named another object: a symlink, a relative path), which
 * is counted (raced).  A selector ahead that depends on user memory
 * unreadable here keeps sys_enter's decision.  Its stack is small: it
 * sits under gen_hook_run's chain (6.1: 512 bytes for all frames).
 * Inline, not a frame of its own: below it the selectors reach 7 frames
 * (a SubString's bpf_loop callback the last), and the verifier allows 8.
 */
static __always_inline int
gen_rck_one(struct gctx *g)
{
	struct ovr_pend *op;
	__u64 key;
	int err;

	if (g == NULL)
		return 0;
	key = g->pid_tgid;
	op = bpf_map_lookup_elem(&ovr_pending, &key);
	if (op != NULL && (op->nr != g->nr || op->id != g->id))
		op = NULL;
	g->ovr_state = op != NULL;
	g->ovr = 0;
	g->rck_undec = 0;
	g->rck_new = 0;
	g->phase = PH_RECHECK;
	gen_hook_run(g);
	if (g->rck_undec)
		return op != NULL && op->applied != 2 ? op->err : 0;
	if (g->sel < HOOK_SEL_MAX && gen_rck_sel(g) == 0) {
		g->phase = PH_RCKACT;
		gen_hook_run(g);
	}
	err = g->sel < HOOK_SEL_MAX ? g->ovr : 0;
	if (op == NULL) {
		g->rck_new = err != 0;
		return err;
	}
	if (op->applied)
		return op->applied == 1 ? err : 0;
	op->applied = err != 0 ? 1 : 2;
	if (err != 0)
		hs_add(g->id, HS_OVERRIDES);
	else if (!op->undec)
		hs_add(g->id, HS_RACED);
	return err;
}

/* An Override carried out that sys_enter did not decide: counted, and
 * noted for sys_exit (a late hit's Override was carried out). */
__noinline int
gen_rck_note(struct gctx *g, int err)
{
	struct ovr_pend np;
	__u64 key;

	if (g == NULL)
		return 0;
	key = g->pid_tgid;
	np.err = err;
	np.nr = g->nr;
	np.id = g->id;
	np.gen = g->gen;
	np.mask = 0;
	np.undec = 0;
	np.applied = 1;
	exit_put(&ovr_pending, &key, &np);
	hs_add(g->id, HS_OVERRIDES);
	hs_add(g->id, HS_RACED);
	return 0;
}

/* The syscall hooks of the running syscall that this executor (rck, the
 * kernel's object kobj; HOOK_RCK_PATH: a dentry, and its mount kmnt)
 * decides again: the first Override's error. */
static __always_inline long
ovr_rck(__u32 rck, __u64 kobj, __u64 kmnt, __u64 kobj2, __u64 kmnt2)
{
	struct pt_regs *regs;
	struct hook_list *hl;
	struct hook_cfg *hc;
	struct gctx *g;
	__u32 nr, i, n;
	int r;

	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = regs->orig_ax;
	hl = bpf_map_lookup_elem(&sys_hooks, &nr);
	if (hl == NULL || hl->n == 0 || (g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_SYSCALL);
	g->nr = nr;
	g->rck = rck;
	g->kobj = kobj;
	g->kmnt = kmnt;
	g->kobj2 = kobj2;
	g->kmnt2 = kmnt2;
	n = gctx_ids(g, hl);
	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= n)
			break;
		hc = hc_get(g->ids[i]);
		if (hc == NULL || !(hc->flags & HOOK_F_ENABLED) ||
		    (hc->flags & HOOK_F_MONITOR) ||
		    hc->kind != HOOK_K_SYSCALL || hc->rck_kind != rck)
			continue;
		if (hc->nsel == 0)
			continue;
		g->id = g->ids[i];
		r = gen_rck_one(g);
		if (r != 0 && g->rck_new)
			gen_rck_note(g, r);
		if (r != 0)
			return ovr_ret(r);
	}
	return 0;
}

SEC("?lsm/file_open")
int
ovr_lsm(unsigned long long *ctx)
{
	return ovr_apply(0, 0);
}

SEC("?lsm/file_permission")
int
ovr_file_permission(unsigned long long *ctx)
{
	return ovr_apply((__u32)ctx[1], 0);
}

/* the executors that decide again on the kernel's copy (argument arg of
 * the LSM hook): file_open(file), socket_connect(sock, address, addrlen),
 * inode_symlink(dir, dentry, old_name) */
#define OVR_RCK_PROG(name, hook, rck, arg)				\
SEC("?lsm/" hook)							\
int									\
name(unsigned long long *ctx)						\
{									\
	long r = ovr_rck(rck, ctx[arg], 0, 0, 0);				\
									\
	return r != 0 ? r : ovr_apply(0, rck);				\
}

OVR_RCK_PROG(ovr_file_open, "file_open", HOOK_RCK_FILE, 0)
OVR_RCK_PROG(ovr_socket_connect, "socket_connect", HOOK_RCK_SOCKADDR, 1)
OVR_RCK_PROG(ovr_socket_bind, "socket_bind", HOOK_RCK_SOCKADDR, 1)

/* socket_sendmsg(sock, msg, size): sendto's address, copied by the kernel
 * into msg->msg_name (NULL for a sendto without one: nothing to decide
 * on, an error argument) */
SEC("?lsm/socket_sendmsg")
int
ovr_socket_sendmsg(unsigned long long *ctx)
{
	struct msghdr *m = (struct msghdr *)ctx[1];
	long r;

	r = ovr_rck(HOOK_RCK_SOCKADDR, (__u64)BPF_CORE_READ(m, msg_name), 0,
	    0, 0);
	return r != 0 ? r : ovr_apply(0, HOOK_RCK_SOCKADDR);
}
OVR_RCK_PROG(ovr_inode_symlink, "inode_symlink", HOOK_RCK_KSTR, 2)

/* bprm_check_security(bprm): the kernel's copy of the name execve(2)
 * was given (bprm->filename: as passed; execveat with a relative name
 * and a descriptor: "/dev/fd/N/name") */
SEC("?lsm/bprm_check_security")
int
ovr_bprm_check(unsigned long long *ctx)
{
	struct linux_binprm *b = (struct linux_binprm *)ctx[0];
	long r;

	r = ovr_rck(HOOK_RCK_EXECNAME, (__u64)BPF_CORE_READ(b, filename), 0,
	    0, 0);
	return r != 0 ? r : ovr_apply(0, HOOK_RCK_EXECNAME);
}

/* path_*(const struct path *dir, struct dentry *dentry, ...): the entry
 * the kernel looked up (or is about to create) in dir -- unlink, rmdir,
 * mkdir, mknod -- decided again on its path */
#define OVR_DIRENT_PROG(name, hook)					\
SEC("?lsm/" hook)							\
int									\
name(unsigned long long *ctx)						\
{									\
	const struct path *dir = (const struct path *)ctx[0];		\
	long r;								\
									\
	r = ovr_rck(HOOK_RCK_PATH, ctx[1], (__u64)BPF_CORE_READ(dir, mnt),	\
	    0, 0);							\
	return r != 0 ? r : ovr_apply(0, HOOK_RCK_PATH);		\
}

/* path_*(const struct path *path, ...): the object the kernel resolved
 * -- chmod, chown, truncate, chroot */
#define OVR_PATH_PROG(name, hook)					\
SEC("?lsm/" hook)							\
int									\
name(unsigned long long *ctx)						\
{									\
	const struct path *p = (const struct path *)ctx[0];		\
	long r;								\
									\
	r = ovr_rck(HOOK_RCK_PATH, (__u64)BPF_CORE_READ(p, dentry),	\
	    (__u64)BPF_CORE_READ(p, mnt), 0, 0);			\
	return r != 0 ? r : ovr_apply(0, HOOK_RCK_PATH);		\
}

/* path_rename(old_dir, old_dentry, new_dir, new_dentry[, flags]) and
 * path_link(old_dentry, new_dir, new_dentry): both names (a link's old
 * name is on new_dir's mount: links do not cross mounts) */
SEC("?lsm/path_rename")
int
ovr_path_rename(unsigned long long *ctx)
{
	const struct path *od = (const struct path *)ctx[0];
	const struct path *nd = (const struct path *)ctx[2];
	long r;

	r = ovr_rck(HOOK_RCK_PATH, ctx[1], (__u64)BPF_CORE_READ(od, mnt),
	    ctx[3], (__u64)BPF_CORE_READ(nd, mnt));
	return r != 0 ? r : ovr_apply(0, HOOK_RCK_PATH);
}

SEC("?lsm/path_link")
int
ovr_path_link(unsigned long long *ctx)
{
	const struct path *nd = (const struct path *)ctx[1];
	__u64 mnt = (__u64)BPF_CORE_READ(nd, mnt);
	long r;

	r = ovr_rck(HOOK_RCK_PATH, ctx[0], mnt, ctx[2], mnt);
	return r != 0 ? r : ovr_apply(0, HOOK_RCK_PATH);
}

OVR_DIRENT_PROG(ovr_path_unlink, "path_unlink")
OVR_DIRENT_PROG(ovr_path_rmdir, "path_rmdir")
OVR_DIRENT_PROG(ovr_path_mkdir, "path_mkdir")
OVR_DIRENT_PROG(ovr_path_mknod, "path_mknod")
OVR_PATH_PROG(ovr_path_chmod, "path_chmod")
OVR_PATH_PROG(ovr_path_chown, "path_chown")
OVR_PATH_PROG(ovr_path_truncate, "path_truncate")
OVR_PATH_PROG(ovr_path_chroot, "path_chroot")

/* where the kernel has bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE):
 * a kprobe on the syscall function itself */
SEC("?kprobe")
int
ovr_kprobe(struct pt_regs *ctx)
{
	long r = ovr_apply(0, 0);

	if (r != 0)
		bpf_override_return(ctx, r);
	return 0;
}

#endif /* TRIPLINE_GEN_OVERRIDE_BPF_H */
