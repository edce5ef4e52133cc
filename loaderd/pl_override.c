/*
 * loaderd/pl_override.c -- how an Override of a syscall hook is carried
 * out: by the BPF LSM hook(s) that guard the same operation, or by
 * bpf_override_return in a kprobe on the syscall function; the executor
 * programs (ovr_lsm, ovr_file_permission, ovr_kprobe) are shared by the
 * hooks that need them and reference counted.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "err.h"
#include "log.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "pl_int.h"

/*
 * Override of a syscall without bpf_override_return: the LSM hook(s) that
 * guard the same operation (docs/enforcement.md has this table).  The
 * syscall hook decides at entry; the LSM program returns the error when
 * it runs inside that syscall.  mask: file_permission's MAY_* bits.
 */
struct pl_ovrmap {
	const char	*sys;
	const char	*lsm[PL_OVR_TGTS];
	uint32_t	 mask;
	int		 rck_arg;	/* syscall argument the executor
					   reads again from the kernel */
	uint8_t		 rck;		/* HOOK_RCK_*, 0: none */
	const char	*fb[PL_OVR_TGTS]; /* lsm[0] not in this kernel
					   (path_*: CONFIG_SECURITY_PATH):
					   these, no deciding again */
	int		 rck_arg2;	/* rename, link: the new name's
					   argument, also decided again;
					   -1: none */
};

#define PL_MAY_WRITE	0x2
#define PL_MAY_READ	0x4

static const struct pl_ovrmap pl_ovrmap[] = {
	{ "write", { "file_permission" }, PL_MAY_WRITE, 0, 0, { NULL }, -1 },
	{ "pwrite64", { "file_permission" }, PL_MAY_WRITE, 0, 0, { NULL }, -1 },
	{ "writev", { "file_permission" }, PL_MAY_WRITE, 0, 0, { NULL }, -1 },
	{ "pwritev", { "file_permission" }, PL_MAY_WRITE, 0, 0, { NULL }, -1 },
	{ "pwritev2", { "file_permission" }, PL_MAY_WRITE, 0, 0, { NULL }, -1 },
	{ "read", { "file_permission" }, PL_MAY_READ, 0, 0, { NULL }, -1 },
	{ "pread64", { "file_permission" }, PL_MAY_READ, 0, 0, { NULL }, -1 },
	{ "readv", { "file_permission" }, PL_MAY_READ, 0, 0, { NULL }, -1 },
	{ "preadv", { "file_permission" }, PL_MAY_READ, 0, 0, { NULL }, -1 },
	{ "preadv2", { "file_permission" }, PL_MAY_READ, 0, 0, { NULL }, -1 },
	{ "open", { "file_open" }, 0, 0, HOOK_RCK_FILE, { NULL }, -1 },
	{ "openat", { "file_open" }, 0, 1, HOOK_RCK_FILE, { NULL }, -1 },
	{ "openat2", { "file_open" }, 0, 1, HOOK_RCK_FILE, { NULL }, -1 },
	{ "creat", { "file_open" }, 0, 0, HOOK_RCK_FILE, { NULL }, -1 },
	{ "symlink", { "inode_symlink" }, 0, 0, HOOK_RCK_KSTR, { NULL }, -1 },
	{ "symlinkat", { "inode_symlink" }, 0, 0, HOOK_RCK_KSTR, { NULL }, -1 },
	{ "unlink", { "path_unlink" }, 0, 0, HOOK_RCK_PATH,
	    { "inode_unlink" }, -1 },
	{ "unlinkat", { "path_unlink", "path_rmdir" }, 0, 1, HOOK_RCK_PATH,
	    { "inode_unlink", "inode_rmdir" }, -1 },
	{ "rmdir", { "path_rmdir" }, 0, 0, HOOK_RCK_PATH,
	    { "inode_rmdir" }, -1 },
	{ "mkdir", { "path_mkdir" }, 0, 0, HOOK_RCK_PATH,
	    { "inode_mkdir" }, -1 },
	{ "mkdirat", { "path_mkdir" }, 0, 1, HOOK_RCK_PATH,
	    { "inode_mkdir" }, -1 },
	{ "mknod", { "path_mknod" }, 0, 0, HOOK_RCK_PATH,
	    { "inode_mknod" }, -1 },
	{ "mknodat", { "path_mknod" }, 0, 1, HOOK_RCK_PATH,
	    { "inode_mknod" }, -1 },
	{ "link", { "path_link" }, 0, 0, HOOK_RCK_PATH, { "inode_link" }, 1 },
	{ "linkat", { "path_link" }, 0, 1, HOOK_RCK_PATH, { "inode_link" }, 3 },
	{ "rename", { "path_rename" }, 0, 0, HOOK_RCK_PATH,
	    { "inode_rename" }, 1 },
	{ "renameat", { "path_rename" }, 0, 1, HOOK_RCK_PATH,
	    { "inode_rename" }, 3 },
	{ "renameat2", { "path_rename" }, 0, 1, HOOK_RCK_PATH,
	    { "inode_rename" }, 3 },
	{ "chmod", { "path_chmod" }, 0, 0, HOOK_RCK_PATH, { NULL }, -1 },
	{ "fchmod", { "path_chmod" }, 0, 0, 0, { NULL }, -1 },
	{ "fchmodat", { "path_chmod" }, 0, 1, HOOK_RCK_PATH, { NULL }, -1 },
	{ "chown", { "path_chown" }, 0, 0, HOOK_RCK_PATH, { NULL }, -1 },
	{ "fchown", { "path_chown" }, 0, 0, 0, { NULL }, -1 },
	{ "lchown", { "path_chown" }, 0, 0, HOOK_RCK_PATH, { NULL }, -1 },
	{ "fchownat", { "path_chown" }, 0, 1, HOOK_RCK_PATH, { NULL }, -1 },
	{ "truncate", { "path_truncate" }, 0, 0, HOOK_RCK_PATH, { NULL }, -1 },
	{ "chroot", { "path_chroot" }, 0, 0, HOOK_RCK_PATH, { NULL }, -1 },
	{ "connect", { "socket_connect" }, 0, 1, HOOK_RCK_SOCKADDR,
	    { NULL }, -1 },
	{ "bind", { "socket_bind" }, 0, 1, HOOK_RCK_SOCKADDR, { NULL }, -1 },
	{ "listen", { "socket_listen" }, 0, 0, 0, { NULL }, -1 },
	{ "accept", { "socket_accept" }, 0, 0, 0, { NULL }, -1 },
	{ "accept4", { "socket_accept" }, 0, 0, 0, { NULL }, -1 },
	{ "sendto", { "socket_sendmsg" }, 0, 4, HOOK_RCK_SOCKADDR, { NULL },
	    -1 },
	{ "sendmsg", { "socket_sendmsg" }, 0, 0, 0, { NULL }, -1 },
	{ "sendmmsg", { "socket_sendmsg" }, 0, 0, 0, { NULL }, -1 },
	{ "recvfrom", { "socket_recvmsg" }, 0, 0, 0, { NULL }, -1 },
	{ "recvmsg", { "socket_recvmsg" }, 0, 0, 0, { NULL }, -1 },
	{ "recvmmsg", { "socket_recvmsg" }, 0, 0, 0, { NULL }, -1 },
	{ "socket", { "socket_create" }, 0, 0, 0, { NULL }, -1 },
	{ "execve", { "bprm_check_security" }, 0, 0, HOOK_RCK_EXECNAME,
	    { NULL }, -1 },
	{ "execveat", { "bprm_check_security" }, 0, 1, HOOK_RCK_EXECNAME,
	    { NULL }, -1 },
	{ "bpf", { "bpf" }, 0, 0, 0, { NULL }, -1 },
	{ "ptrace", { "ptrace_access_check", "ptrace_traceme" }, 0, 0, 0,
	    { NULL }, -1 },
	{ "kill", { "task_kill" }, 0, 0, 0, { NULL }, -1 },
	{ "tkill", { "task_kill" }, 0, 0, 0, { NULL }, -1 },
	{ "tgkill", { "task_kill" }, 0, 0, 0, { NULL }, -1 },
	{ "mount", { "sb_mount" }, 0, 0, 0, { NULL }, -1 },
	{ "umount2", { "sb_umount" }, 0, 0, 0, { NULL }, -1 },
	{ "finit_module", { "kernel_read_file" }, 0, 0, 0, { NULL }, -1 },
	{ "init_module", { "kernel_load_data" }, 0, 0, 0, { NULL }, -1 },
	{ "kexec_load", { "kernel_load_data" }, 0, 0, 0, { NULL }, -1 },
	{ "kexec_file_load", { "kernel_read_file" }, 0, 0, 0, { NULL }, -1 },
	{ "setuid", { "task_fix_setuid" }, 0, 0, 0, { NULL }, -1 },
	{ "setreuid", { "task_fix_setuid" }, 0, 0, 0, { NULL }, -1 },
	{ "setresuid", { "task_fix_setuid" }, 0, 0, 0, { NULL }, -1 },
	{ "setfsuid", { "task_fix_setuid" }, 0, 0, 0, { NULL }, -1 },
	{ "setgid", { "task_fix_setgid" }, 0, 0, 0, { NULL }, -1 },
	{ "setregid", { "task_fix_setgid" }, 0, 0, 0, { NULL }, -1 },
	{ "setresgid", { "task_fix_setgid" }, 0, 0, 0, { NULL }, -1 },
	{ "setfsgid", { "task_fix_setgid" }, 0, 0, 0, { NULL }, -1 },
	{ "capset", { "capset" }, 0, 0, 0, { NULL }, -1 },
	{ "prctl", { "task_prctl" }, 0, 0, 0, { NULL }, -1 },
	{ "setrlimit", { "task_setrlimit" }, 0, 0, 0, { NULL }, -1 },
	{ "prlimit64", { "task_setrlimit" }, 0, 0, 0, { NULL }, -1 },
	{ "ioctl", { "file_ioctl" }, 0, 0, 0, { NULL }, -1 },
	{ "mprotect", { "file_mprotect" }, 0, 0, 0, { NULL }, -1 },
	{ "mmap", { "mmap_file" }, 0, 0, 0, { NULL }, -1 },
	{ "settimeofday", { "settime" }, 0, 0, 0, { NULL }, -1 },
	{ "clock_settime", { "settime" }, 0, 0, 0, { NULL }, -1 },
	{ "adjtimex", { "settime" }, 0, 0, 0, { NULL }, -1 },
	{ "clock_adjtime", { "settime" }, 0, 0, 0, { NULL }, -1 },
	{ "setxattr", { "inode_setxattr" }, 0, 0, 0, { NULL }, -1 },
	{ "lsetxattr", { "inode_setxattr" }, 0, 0, 0, { NULL }, -1 },
	{ "fsetxattr", { "inode_setxattr" }, 0, 0, 0, { NULL }, -1 },
	{ "removexattr", { "inode_removexattr" }, 0, 0, 0, { NULL }, -1 },
	{ "lremovexattr", { "inode_removexattr" }, 0, 0, 0, { NULL }, -1 },
	{ "fremovexattr", { "inode_removexattr" }, 0, 0, 0, { NULL }, -1 },
};

static const struct pl_ovrmap *
pl_ovr_lookup(const char *sys)
{
	size_t i;

	for (i = 0; i < sizeof(pl_ovrmap) / sizeof(pl_ovrmap[0]); i++)
		if (strcmp(pl_ovrmap[i].sys, sys) == 0)
			return &pl_ovrmap[i];
	return NULL;
}

/* The hook argument (syscall argument sysarg) that the executor of
 * mapping m reads again from the kernel's copy (HOOK_RCK_*): its position
 * in args[], or -1. */
static int
pl_rck_slot(const struct ph *ph, const struct pl_ovrmap *m, int sysarg)
{
	const struct hook_arg *a;
	size_t i;
	int ok;

	if (m->rck == 0 || sysarg < 0)
		return -1;
	for (i = 0; i < ph->cfg.nargs && i < HOOK_ARGS_MAX; i++) {
		a = &ph->cfg.args[i];
		if (a->src_kind != HOOK_SRC_SYSARG || a->src != sysarg)
			continue;
		if (m->rck == HOOK_RCK_SOCKADDR)
			ok = a->type == POL_ARG_SOCKADDR;
		else
			ok = a->type == POL_ARG_STRING ||
			    a->type == POL_ARG_FILENAME;
		if (ok)
			return (int)i;
	}
	return -1;
}

/* LSM hook name in the running kernel (bpf_lsm_NAME): 1, or 0 (also 1
 * when kallsyms cannot be read: attaching will tell) */
int
pl_lsm_exists(const char *name)
{
	char *fn;
	int ex;

	xasprintf(&fn, "bpf_lsm_%s", name);
	ex = pl_ksym_exists(fn);
	free(fn);
	return ex != 0;	/* kallsyms unreadable: try it */
}

/* What the executor reads in place of argument rck_slot (the policy
 * list names its LSM hooks after it). */
const char *
pl_rck_what(uint8_t rck)
{
	switch (rck) {
	case HOOK_RCK_FILE:
		return "the opened file's path";
	case HOOK_RCK_SOCKADDR:
		return "the kernel's copy of the sockaddr";
	case HOOK_RCK_KSTR:
		return "the kernel's copy of the string";
	case HOOK_RCK_PATH:
		return "the path the kernel resolved (symlinks, \"..\" and "
		    "relative names resolved)";
	case HOOK_RCK_EXECNAME:
		return "the kernel's copy of the executed name (as passed, "
		    "not resolved)";
	}
	return "nothing";
}

static const char *pl_ovr_prog(const char *);

/* Override on syscall hook c->h: through the LSM, bpf_override_return, or
 * not at all (c->ovr_no says why). */
void
pl_sys_override(struct pl_ctx *c, const char *bare, char *how, size_t len)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pl_ovrmap *m = pl_ovr_lookup(bare);
	const char *const *tg;
	struct ph *ph = c->ph;
	size_t i;
	int r, r2;

	how[0] = '\0';
	if (f->lsm && f->lsm_active && m != NULL) {
		ph->cfg.flags |= HOOK_F_OVR_LSM;
		ph->cfg.ovr_mask = m->mask;
		tg = m->lsm;
		if (m->fb[0] != NULL && !pl_lsm_exists(m->lsm[0]))
			tg = m->fb;	/* no path hooks: no deciding again */
		else {
			r = pl_rck_slot(ph, m, m->rck_arg);
			r2 = pl_rck_slot(ph, m, m->rck_arg2);
			if (r >= 0 || r2 >= 0) {
				ph->cfg.rck_kind = m->rck;
				ph->cfg.rck_slot = r >= 0 ? (uint8_t)r :
				    HOOK_RCK_NOSLOT;
				ph->cfg.rck_slot2 = r2 >= 0 ? (uint8_t)r2 :
				    HOOK_RCK_NOSLOT;
			}
		}
		for (i = 0; i < PL_OVR_TGTS && tg[i] != NULL; i++) {
			ph->ovr_tgts[ph->novr++] = tg[i];
			/* deciding again needs the target's own executor
			 * (ovr_lsm only applies sys_enter's decision) */
			if (ph->cfg.rck_kind != 0 &&
			    strcmp(pl_ovr_prog(tg[i]), "ovr_lsm") == 0)
				ph->cfg.rck_kind = 0;
		}
		snprintf(how, len, "; Override carried out by BPF LSM hook%s "
		    "%s%s%s%s (bpf_override_return: %s)", ph->novr > 1 ? "s" :
		    "", tg[0], ph->novr > 1 ? "/" : "", ph->novr > 1 ?
		    tg[1] : "", m->mask == PL_MAY_WRITE ? " on MAY_WRITE" :
		    m->mask == PL_MAY_READ ? " on MAY_READ" : "",
		    f->override ? "also available" : "not in this kernel");
		return;
	}
	if (f->override && f->kprobes) {
		ph->cfg.flags |= HOOK_F_OVR_LSM;
		ph->ovr_kprobe = 1;
		snprintf(how, len, "; Override carried out by "
		    "bpf_override_return in a kprobe on " PL_SYSCALL_PREFIX
		    "%s", bare);
		return;
	}
	if (f->lsm && f->lsm_active)
		c->ovr_no = "Override on this syscall needs "
		    "bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE), which "
		    "this kernel lacks, and no LSM hook guards exactly its "
		    "operation (see the table in docs/enforcement.md); "
		    "alternative: an lsmhooks policy on the LSM hook you mean, "
		    "or Sigkill (which does not stop the call)";
	else
		c->ovr_no = PL_MSG_OVERRIDE " (BPF LSM needs CONFIG_BPF_LSM "
		    "and \"bpf\" in lsm=); alternative: Sigkill (the call "
		    "still runs) or, for connect/sendmsg, the cgroup "
		    "programs";
}

/* The executor program for LSM hook target: those that decide again on
 * the kernel's copy (HOOK_RCK_*) have their own. */
static const char *
pl_ovr_prog(const char *target)
{
	static const char *const progs[][2] = {
		{ "file_permission", "ovr_file_permission" },
		{ "file_open", "ovr_file_open" },
		{ "socket_connect", "ovr_socket_connect" },
		{ "inode_symlink", "ovr_inode_symlink" },
		{ "path_unlink", "ovr_path_unlink" },
		{ "path_rmdir", "ovr_path_rmdir" },
		{ "path_mkdir", "ovr_path_mkdir" },
		{ "path_mknod", "ovr_path_mknod" },
		{ "path_chmod", "ovr_path_chmod" },
		{ "path_chown", "ovr_path_chown" },
		{ "path_truncate", "ovr_path_truncate" },
		{ "path_chroot", "ovr_path_chroot" },
		{ "path_rename", "ovr_path_rename" },
		{ "path_link", "ovr_path_link" },
		{ "bprm_check_security", "ovr_bprm_check" },
		{ "socket_bind", "ovr_socket_bind" },
		{ "socket_sendmsg", "ovr_socket_sendmsg" },
	};
	size_t i;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (strcmp(progs[i][0], target) == 0)
			return progs[i][1];
	return "ovr_lsm";
}

/* Reference the Override executor on target (LSM hook, or with kprobe
 * the syscall function for bpf_override_return). */
static int
pl_ovrx_ref(struct polset *ps, const char *target, int kprobe, char *err,
    size_t errlen)
{
	const char *progs[1];
	struct bpf_program *p;
	struct ovrx *x;
	int r;

	TAILQ_FOREACH(x, &ps->ovrxs, entry)
		if (x->kprobe == kprobe && strcmp(x->target, target) == 0) {
			x->refs++;
			return 0;
		}
	progs[0] = kprobe ? "ovr_kprobe" : pl_ovr_prog(target);
	x = xcalloc(1, sizeof(*x));
	x->target = xstrdup(target);
	x->kprobe = kprobe;
	if ((r = bpfl_instance(ps->b, progs, 1, kprobe ? NULL : target, 0,
	    &x->inst, err, errlen)) != 0)
		goto fail;
	p = bpfl_inst_prog(x->inst, progs[0]);
	x->link = kprobe ? bpf_program__attach_kprobe(p, false, target) :
	    bpf_program__attach_lsm(p);
	if (x->link == NULL) {
		snprintf(err, errlen, "attach Override executor %s on %s: %s",
		    progs[0], target, strerror(errno));
		r = ERR_SYS;
		goto fail;
	}
	x->refs = 1;
	TAILQ_INSERT_TAIL(&ps->ovrxs, x, entry);
	log_info("policy: Override executor %s attached to %s", progs[0],
	    target);
	return 0;
fail:
	bpfl_inst_free(x->inst);
	free(x->target);
	free(x);
	return r;
}

static void
pl_ovrx_unref(struct polset *ps, const char *target, int kprobe)
{
	struct ovrx *x;

	TAILQ_FOREACH(x, &ps->ovrxs, entry)
		if (x->kprobe == kprobe && strcmp(x->target, target) == 0)
			break;
	if (x == NULL || --x->refs > 0)
		return;
	TAILQ_REMOVE(&ps->ovrxs, x, entry);
	bpf_link__destroy(x->link);
	bpfl_inst_free(x->inst);
	log_info("policy: Override executor on %s detached", x->target);
	free(x->target);
	free(x);
}

/* The executors of ph's Override, in the order pl_ovr_release drops
 * them: the syscall kprobe first, then the LSM hooks. */
int
pl_ovr_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	size_t i;
	int r;

	if (!(ph->cfg.flags & HOOK_F_OVR_LSM))
		return 0;
	if (ph->ovr_kprobe) {
		if ((r = pl_ovrx_ref(ps, ph->meta.function, 1, err,
		    errlen)) != 0)
			return r;
		ph->ovr_refs++;
	}
	for (i = 0; i < ph->novr; i++) {
		if ((r = pl_ovrx_ref(ps, ph->ovr_tgts[i], 0, err,
		    errlen)) != 0)
			return r;
		ph->ovr_refs++;
	}
	return 0;
}

void
pl_ovr_release(struct polset *ps, struct ph *ph)
{
	int n = ph->ovr_refs;
	size_t i;

	if (n > 0 && ph->ovr_kprobe) {
		pl_ovrx_unref(ps, ph->meta.function, 1);
		n--;
	}
	for (i = 0; i < ph->novr && n > 0; i++, n--)
		pl_ovrx_unref(ps, ph->ovr_tgts[i], 0);
	ph->ovr_refs = 0;
}
