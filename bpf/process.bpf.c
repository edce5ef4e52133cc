// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/process.bpf.c -- process lifecycle: exec, fork (new thread group),
 * exit (last thread of a thread group).  Records: bpf/events.h.
 *
 * All three hooks are raw tracepoints: they get the task pointers directly
 * and skip the perf trace-event record that a tp/ program pays for on every
 * fork/exit (sched_process_exit also fires for every thread exit, so the
 * early "not the last thread" return must be cheap).
 *
 * They also keep execbin (maps.bpf.h) for the policy programs'
 * matchBinaries: the binary of each process's current image, written at
 * exec, copied to the child at fork (with the followChildren bits), deleted
 * at exit; execcred, the same way, for matchNamespaceChanges and
 * matchCapabilityChanges; and handle_exec ends with a tail call into
 * exec_tail[0] (generic_exec of bpf/generic.bpf.c while a policy is
 * loaded).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"
#include "helpers.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * exec_tail[0]: loaderd puts the generic programs' generic_exec here while
 * a policy is loaded; handle_exec tail-calls it last, so the
 * followChildren bits are set from the execbin entry just written (no
 * ordering between two programs on the same tracepoint to rely on).  An
 * empty slot costs one failed tail call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} exec_tail SEC(".maps");

/*
 * execbin[tgid] = the first HOOK_STR_MAX bytes of the new binary's path
 * (len bytes at src, map memory); followChildren bits inherited from the
 * fork are kept.
 */
static __always_inline void
execbin_set(__u32 tgid, struct heap *h, __u8 *src, __u32 len, __u32 eflags)
{
	struct execbin_val *v;
	__u32 i, n;

	v = bpf_map_lookup_elem(&execbin, &tgid);
	if (v == NULL) {
		h->eb.len = 0;
		h->eb.flags = 0;
		h->eb.pad = 0;
		for (i = 0; i < EXECBIN_FOLLOW_WORDS; i++)
			h->eb.follow[i] = 0;
		bpf_map_update_elem(&execbin, &tgid, &h->eb, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&execbin, &tgid);
		if (v == NULL) {
			stat_inc(EV_STAT_ERRORS);
			return;
		}
	}
	v->flags = 0;
	n = len;
	if (eflags & EVF_ERR_FILENAME) {
		v->flags |= EXECBIN_F_ERR;
		n = 0;
	} else if (n > HOOK_STR_MAX) {
		v->flags |= EXECBIN_F_TRUNC;
		n = HOOK_STR_MAX;
	}
	barrier_var(n);
	if (n > HOOK_STR_MAX)
		n = 0;
	if (bpf_probe_read_kernel(v->path, n, src) != 0)
		n = 0;
	v->len = n;
}

/*
 * raw_tracepoint sched_process_exec(task, old_pid, bprm); task == current.
 *
 * The record is built in place in the per-CPU heap; lengths and flags are
 * kept in it (map memory) between stages, see path_put().
 */
SEC("raw_tracepoint/sched_process_exec")
int
handle_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (void *)ctx->args[0];
	struct task_struct *rparent;
	struct ev_exec *e;
	struct heap *h;
	struct mm_struct *mm;
	struct file *exe;
	struct fs_struct *fs;
	const struct cred *cred;
	struct path root, pwd;
	__u64 pid_tgid, now, astart, aend, n, off;
	__u32 zero = 0, tgid;
	__u8 *p;

	h = bpf_map_lookup_elem(&heap, &zero);
	if (h == NULL) {
		stat_inc(EV_STAT_ERRORS);
		return 0;
	}
	e = (void *)h->rec;
	now = bpf_ktime_get_boot_ns();
	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;

	e->hdr.type = EV_EXEC;
	e->hdr.version = EV_ABI_VERSION;
	e->hdr.time_ns = now;
	e->key.pid = tgid;
	e->key.pad = 0;
	e->key.ktime = now;
	e->tid = (__u32)pid_tgid;
	e->flags = 0;
	e->filename_len = 0;
	e->args_len = 0;
	e->cwd_len = 0;
	e->pad = 0;

	rparent = BPF_CORE_READ(task, real_parent);
	e->ppid = BPF_CORE_READ(rparent, tgid);
	if (task_key(&e->parent, rparent, e->ppid))
		e->flags |= EVF_PARENT_MISS;

	cred = BPF_CORE_READ(task, cred);
	e->uid = BPF_CORE_READ(cred, uid.val);
	e->euid = BPF_CORE_READ(cred, euid.val);
	e->gid = BPF_CORE_READ(cred, gid.val);
	e->egid = BPF_CORE_READ(cred, egid.val);
	e->auid = task_loginuid(task);

	fs = BPF_CORE_READ(task, fs);
	if (bpf_core_read(&root, sizeof(root), &fs->root) != 0) {
		root.dentry = NULL;
		root.mnt = NULL;
	}

	/* binary: the file actually mapped (symlinks resolved) */
	mm = BPF_CORE_READ(task, mm);
	exe = BPF_CORE_READ(mm, exe_file);
	if (exe != NULL)
		path_put(h->rec + sizeof(struct ev_exec), &e->filename_len,
		    BPF_CORE_READ(exe, f_path.dentry),
		    BPF_CORE_READ(exe, f_path.mnt), &root, h, &e->flags,
		    EVF_TRUNC_FILENAME);
	else
		e->flags |= EVF_ERR_FILENAME;

	/* argv block as the new image sees it on its stack */
	off = len_get(&e->filename_len);
	barrier_var(off);
	if (off > EV_PATH_MAX)
		off = EV_PATH_MAX;
	p = h->rec + sizeof(struct ev_exec) + off;
	astart = BPF_CORE_READ(mm, arg_start);
	aend = BPF_CORE_READ(mm, arg_end);
	n = aend - astart;
	if (aend < astart) {
		e->flags |= EVF_ERR_ARGS;
		n = 0;
	} else if (n > EV_ARGS_MAX) {
		e->flags |= EVF_TRUNC_ARGS;
		n = EV_ARGS_MAX;
	}
	barrier_var(n);
	if (n > EV_ARGS_MAX)
		n = 0;
	if (n > 0) {
		/* kept as is: the NUL ending the last argument included */
		if (bpf_probe_read_user(p, n, (void *)astart) == 0)
			*(volatile __u16 *)&e->args_len = n;
		else
			e->flags |= EVF_ERR_ARGS;
	}

	/* cwd */
	off = len_get(&e->filename_len) + len_get(&e->args_len);
	barrier_var(off);
	if (off > EV_PATH_MAX + EV_ARGS_MAX)
		off = 0;
	if (bpf_core_read(&pwd, sizeof(pwd), &fs->pwd) == 0) {
		path_put(h->rec + sizeof(struct ev_exec) + off, &e->cwd_len,
		    pwd.dentry, pwd.mnt, &root, h, &e->flags,
		    EVF_TRUNC_CWD);
		if (len_get(&e->cwd_len) == 1 && !(e->flags & EVF_TRUNC_CWD))
			e->flags |= EVF_ROOTCWD;
	} else
		e->flags |= EVF_ERR_CWD;

	n = sizeof(struct ev_exec) + len_get(&e->filename_len) +
	    len_get(&e->args_len) + len_get(&e->cwd_len);
	barrier_var(n);
	if (n > HEAP_REC_SIZE) {
		stat_inc(EV_STAT_ERRORS);	/* cannot happen */
		return 0;
	}
	e->hdr.size = n;
	emit(e, n);

	execmap_set(tgid, now, 0);
	execbin_set(tgid, h, h->rec + sizeof(struct ev_exec),
	    len_get(&e->filename_len), e->flags);
	execcred_put(tgid, task, h, 0, BPF_ANY);
	bpf_tail_call(ctx, &exec_tail, 0);
	return 0;
}

/* raw_tracepoint sched_process_fork(parent, child); parent == current */
SEC("raw_tracepoint/sched_process_fork")
int
handle_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (void *)ctx->args[0];
	struct task_struct *child = (void *)ctx->args[1];
	struct execbin_val *bin;
	struct execcred_val *cr;
	struct ev_fork e;
	__u32 pid, tgid;
	__u64 now;

	pid = BPF_CORE_READ(child, pid);
	tgid = BPF_CORE_READ(child, tgid);
	if (pid != tgid)
		return 0;	/* a thread, not a new process */

	now = bpf_ktime_get_boot_ns();
	e.hdr.type = EV_FORK;
	e.hdr.version = EV_ABI_VERSION;
	e.hdr.size = sizeof(e);
	e.hdr.time_ns = now;
	e.key.pid = tgid;
	e.key.pad = 0;
	e.key.ktime = now;
	e.tid = pid;
	/* the process that cloned (also with CLONE_PARENT, where the child's
	 * real_parent is the cloner's parent) */
	e.ppid = BPF_CORE_READ(parent, tgid);
	task_key(&e.parent, parent, e.ppid);
	emit(&e, sizeof(e));

	execmap_set(tgid, now, EXECMAP_F_FORK);

	/* same image, same followChildren bits */
	bin = bpf_map_lookup_elem(&execbin, &e.ppid);
	if (bin != NULL)
		bpf_map_update_elem(&execbin, &tgid, bin, BPF_ANY);
	else
		bpf_map_delete_elem(&execbin, &tgid);	/* stale entry */
	/* same image: the parent's values at exec (a change it made before
	 * the fork is one for the child too) */
	cr = bpf_map_lookup_elem(&execcred, &e.ppid);
	if (cr != NULL)
		bpf_map_update_elem(&execcred, &tgid, cr, BPF_ANY);
	else
		bpf_map_delete_elem(&execcred, &tgid);
	return 0;
}

/* raw_tracepoint sched_process_exit(task[, group_dead]); task == current */
SEC("raw_tracepoint/sched_process_exit")
int
handle_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (void *)ctx->args[0];
	struct signal_struct *sig;
	struct ev_exit e;
	__u64 pid_tgid;
	__u32 tgid, ec;

	if (exit_has_group_dead()) {
		if ((ctx->args[1] & 0xff) == 0)
			return 0;
	} else if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;	/* other threads still run */

	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;
	sig = BPF_CORE_READ(task, signal);
	if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT)
		ec = BPF_CORE_READ(sig, group_exit_code);
	else
		ec = BPF_CORE_READ(task, exit_code);

	e.hdr.type = EV_EXIT;
	e.hdr.version = EV_ABI_VERSION;
	e.hdr.size = sizeof(e);
	e.hdr.time_ns = bpf_ktime_get_boot_ns();
	e.flags = task_key(&e.key, task, tgid) ? EVF_SELF_MISS : 0;
	e.tid = (__u32)pid_tgid;
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e.code = (ec >> 8) & 0xff;
	e.signal = ec & 0x7f;
	e.pad = 0;
	emit(&e, sizeof(e));

	bpf_map_delete_elem(&execmap, &tgid);
	bpf_map_delete_elem(&execbin, &tgid);
	bpf_map_delete_elem(&execcred, &tgid);
	return 0;
}
