/*
 * loaderd/policy_load.c -- compile checked policies (common/policy.h) into
 * the generic programs' maps (bpf/hook.h) and manage them at run time.
 *
 * A policy goes through two phases:
 *
 * 1. Compile (no side effect): every hook becomes a struct hook_cfg, its
 *    selectors struct sel_cfg, InMap values inmap keys, and a dispatch
 *    target: syscall numbers (sys_hooks), a tracepoint id (tp_hooks) or a
 *    uprobe (path, symbol; BPF cookie = hook id).  Everything this kernel
 *    cannot do is refused here with an error naming the missing feature,
 *    decided by probing the kernel once (polset_probe), never assumed.
 *
 * 2. Commit: slots are allocated and written (not reachable yet), the
 *    programs the hooks need are attached (sys_enter/sys_exit only while a
 *    syscall hook exists: an idle raw sys_enter program still costs every
 *    syscall; the generic tracepoint program once per tracepoint, BPF
 *    cookie = the tracepoint id, since perf overwrites the record's
 *    common_type), the metadata goes to the collector, then every dispatch
 *    entry is switched by one map update.  Any failure undoes all of it in
 *    reverse order.  Only then are the old policy's uprobes detached, and
 *    after an RCU grace period (no BPF program still runs with an old id)
 *    the old slots are cleared and announced as deleted.
 *
 * Dispatch lists (struct hook_list) are edited in place so that a reader
 * racing with the (non-atomic) array map update never sees another
 * policy's hook move: a replaced hook's new id takes the old id's
 * position, removed ids become 0 (slot 0 is never used, so 0 is "no
 * hook"), new ids fill holes first, and trailing holes are trimmed.
 */
#include "build.h"

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/hook.h"
#include "compat.h"
#include "err.h"
#include "log.h"
#include "str.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "net_load.h"
#include "policy_load.h"

#define PL_TRACEFS		"/sys/kernel/tracing"
#define PL_KPROBE_PMU		"/sys/bus/event_source/devices/kprobe/type"
#define PL_SECURITYFS		"/sys/kernel/security"
#define PL_TP_FIELDS		64
#define PL_SYSARGS		6	/* syscall arguments */
/* sys_enter_X / sys_exit_X formats: common_* are 0..3, __syscall_nr 4 */
#define PL_TP_NR_FIELD		4
#define PL_TP_FIRST_ARG		5

#if defined(__x86_64__)
#define PL_SYSCALL_PREFIX	"__x64_sys_"
#elif defined(__aarch64__)
#define PL_SYSCALL_PREFIX	"__arm64_sys_"
#else
#define PL_SYSCALL_PREFIX	"sys_"
#endif

#define PL_MSG_NOKPROBES "kprobes are not available on this kernel " \
	"(CONFIG_KPROBES is not set)"
#define PL_MSG_FENTRY	"fentry/fexit need BPF trampolines, which this " \
	"kernel refuses"
#define PL_MSG_NOLSM	"BPF LSM programs cannot be loaded on this kernel"
#define PL_MSG_OVERRIDE	"Override needs bpf_override_return " \
	"(CONFIG_BPF_KPROBE_OVERRIDE) or BPF LSM, neither available here"

enum pl_disp {
	PL_DISP_NONE = 0,
	PL_DISP_SYS,		/* sys_hooks[nr] for every nr in the bitmap */
	PL_DISP_TP,		/* tp_hooks[tp_id] */
	PL_DISP_UPROBE,		/* the uprobe link itself */
	PL_DISP_KPROBE,		/* kprobe (+ kretprobe) links, cookie = id */
	PL_DISP_FN,		/* own program instance: lsm, fmod_ret,
				   fentry (tl_fn_hook = id) */
	PL_DISP_NET,		/* net_hooks[d] for every d in net_mask */
};

/* How a network hook runs when it has to (pl_net_route). */
enum pl_net {
	PL_NET_NO = 0,
	PL_NET_SPLIT,		/* syscall kprobe: the syscall dispatch posts,
				   a cgroup copy (aux hook) enforces the
				   Override selectors */
	PL_NET_WHOLE,		/* kernel function: the cgroup programs run
				   the whole hook */
};

/* Selector compile modes. */
enum pl_selmode {
	PL_SEL_NORMAL = 0,
	PL_SEL_SYSCOPY,		/* Override selectors become NoPost (their
				   cgroup copy acts and posts) */
	PL_SEL_NET,		/* evaluated by bpf/net.bpf.c */
};

#define PL_OVR_TGTS	3

/* An Override executor (ovr_lsm / ovr_file_permission / ovr_kprobe on
 * one target), shared by the hooks that need it. */
struct ovrx {
	TAILQ_ENTRY(ovrx)	 entry;
	char			*target;
	int			 kprobe;
	struct bpfl_inst	*inst;
	struct bpf_link		*link;
	int			 refs;
};
TAILQ_HEAD(ovrxq, ovrx);

/* One compiled hook. */
struct ph {
	const struct pol_hook	*h;
	int			 skipped;
	const char		*kind;		/* "kprobe", ... */
	char			*target;
	char			*how;		/* attach description / skip
						   reason */
	uint32_t		 id;		/* 0: no slot */
	uint32_t		 gen;
	struct hook_cfg		 cfg;
	struct sel_cfg		*sel;		/* cfg.nsel entries */
	enum pl_disp		 disp;
	uint8_t			 nrs[HOOK_SYSCALLS_MAX / 8];
	size_t			 nnrs;
	int			 nr_is_arg;	/* raw_syscalls: arg holding
						   the syscall id, -1 */
	uint32_t		 tp_id;
	struct bpf_link		*link;		/* uprobe, kprobe, instance */
	struct bpf_link		*link2;		/* kretprobe */
	struct bpfl_inst	*inst;		/* PL_DISP_FN */
	const char		*fn_prog;	/* PL_DISP_FN program */
	const char		*fn_target;	/* its attach target */
	const char		*ovr_tgts[PL_OVR_TGTS];	/* HOOK_F_OVR_LSM:
						   executor targets */
	size_t			 novr;
	int			 ovr_kprobe;	/* executor: ovr_kprobe on the
						   syscall function */
	int			 ovr_refs;	/* executors referenced */
	uint8_t			 net_mask;	/* PL_DISP_NET: 1 << NET_D_* */
	int			 net_counted;	/* in n_net[] */
	int			 aux;		/* the cgroup copy of a
						   syscall hook (not listed) */
	struct ph		*auxph;		/* visible hook: its copy */
	int			 written;	/* slot written */
	int			 counted;	/* in n_sys / n_exit */
	int			 tpref;		/* holds a tracepoint ref */
	int			 sent;		/* metadata announced */
	int			 follow;	/* a selector has
						   followChildren */
	struct ipc_hook		 meta;
};

struct pent {
	TAILQ_ENTRY(pent)	 entry;
	struct policy		*pol;
	uint32_t		 policy_id;
	struct ph		*hooks;		/* nvis listed hooks (one
						   per policy hook), then
						   their cgroup copies */
	size_t			 nhooks;
	size_t			 nvis;
	struct inmap_key	*inmap;
	size_t			 ninmap;
	size_t			 inmapcap;
	int			 inmap_written;
};
TAILQ_HEAD(pentq, pent);

/* A tracepoint the generic tracepoint program is attached to. */
struct tpatt {
	TAILQ_ENTRY(tpatt)	 entry;
	uint32_t		 id;
	char			*subsys;
	char			*event;
	struct bpf_link		*link;
	int			 refs;		/* hooks using it */
	struct hook_list	 list;		/* shadow of tp_hooks[id] */
};
TAILQ_HEAD(tpattq, tpatt);

struct polset {
	struct bpfl		*b;
	struct bpf_object	*obj;
	polset_hook_cb		 cb;
	void			*cbarg;
	struct polset_features	 feat;
	int			 ncpus;
	int			 fd_hooks, fd_sel, fd_sys, fd_tp, fd_inmap;
	int			 fd_stats;
	int			 tp_hash;	/* tp_hooks is a hash map */
	int			 sys_hash;
	uint32_t		 inmap_max;
	size_t			 inmap_used;
	struct bpf_program	*p_enter, *p_exit, *p_tp, *p_uprobe;
	struct bpf_program	*p_exec;	/* generic_exec, optional */
	struct bpf_link		*l_enter, *l_exit;
	struct netl		*net;		/* cgroup programs, on demand */
	int			 fd_net;	/* net_hooks */
	int			 n_net[NET_D_MAX];	/* slots per program */
	struct hook_list	 netl[NET_D_MAX];	/* shadow */
	int			 n_sys;		/* slots dispatched by nr */
	int			 n_exit;	/* ... of which at exit */
	int			 barrier_fd, inner_fd;
	uint8_t			 used[HOOK_MAX];
	uint32_t		 gens[HOOK_MAX];
	uint32_t		 next_policy_id;
	uint32_t		 next_map_id;
	struct hook_list	 sys[HOOK_SYSCALLS_MAX];	/* shadow */
	struct pentq		 pols;
	struct tpattq		 tps;
	struct bpfl_inst	*kinst;		/* generic_kprobe/kretprobe */
	struct ovrxq		 ovrxs;
};

/* A tracepoint format field. */
struct tpfield {
	char	decl[128];	/* "const char * filename" */
	char	type[96];	/* "const char *" */
	char	name[64];
	int	off, size, sign;
	int	dataloc, array;
};

static int pl_probed;
static struct polset_features pl_feat;

/*
 * Kernel probes.
 */

static int
pl_prog_load(enum bpf_prog_type type, const struct bpf_insn *insns,
    size_t ninsns, const struct bpf_prog_load_opts *opts)
{
	char log[256];
	LIBBPF_OPTS(bpf_prog_load_opts, o);

	if (opts != NULL)
		o = *opts;
	o.log_buf = log;
	o.log_size = sizeof(log);
	o.log_level = 0;
	return bpf_prog_load(type, NULL, "GPL", insns, ninsns, &o);
}

#define PL_RET0_INSNS \
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 }, \
	{ .code = BPF_JMP | BPF_EXIT }

/* Read a small sysfs/procfs file into buf (NUL-terminated). */
static int
pl_read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Attach prog to a perf event of PMU type, config, config1 and config2
 * for a moment.  1 on success. */
static int
pl_probe_perf(const char *pmu, uint64_t config, uint64_t config1,
    uint64_t config2)
{
	struct bpf_insn insns[] = { PL_RET0_INSNS };
	struct perf_event_attr attr;
	char buf[32];
	int pfd, prog, ok = 0;

	if (pl_read_small(pmu, buf, sizeof(buf)) == -1)
		return 0;	/* no such PMU */
	prog = pl_prog_load(BPF_PROG_TYPE_KPROBE, insns, 2, NULL);
	if (prog < 0)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = (uint32_t)strtoul(buf, NULL, 10);
	attr.config = config;
	attr.config1 = config1;
	attr.config2 = config2;
	attr.sample_period = 1;
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1,
	    PERF_FLAG_FD_CLOEXEC);
	if (pfd >= 0) {
		ok = ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) == 0;
		close(pfd);
	}
	close(prog);
	return ok;
}

static int
pl_probe_kprobes(int retprobe)
{
	char buf[64];
	uint64_t config = 0;
	int bit;

	if (retprobe) {
		/* "config:0": the bit that makes a kretprobe */
		if (pl_read_small("/sys/bus/event_source/devices/kprobe/"
		    "format/retprobe", buf, sizeof(buf)) == -1 ||
		    sscanf(buf, "config:%d", &bit) != 1 || bit < 0 || bit > 63)
			return 0;
		config = 1ULL << bit;
	}
	return pl_probe_perf(PL_KPROBE_PMU, config,
	    (uint64_t)(uintptr_t)"vfs_read", 0);
}

static int
pl_probe_kprobe_multi(void)
{
	struct bpf_insn insns[] = { PL_RET0_INSNS };
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	const char *syms[] = { "vfs_read" };
	int prog, link;

	o.expected_attach_type = BPF_TRACE_KPROBE_MULTI;
	prog = pl_prog_load(BPF_PROG_TYPE_KPROBE, insns, 2, &o);
	if (prog < 0)
		return 0;
	lo.kprobe_multi.syms = syms;
	lo.kprobe_multi.cnt = 1;
	link = bpf_link_create(prog, 0, BPF_TRACE_KPROBE_MULTI, &lo);
	close(prog);
	if (link < 0)
		return 0;
	close(link);
	return 1;
}

/* a uprobe target for the probe: never called */
__attribute__((noinline, used)) int pl_uprobe_target(int);
__attribute__((noinline, used)) int
pl_uprobe_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

/* uprobe on pl_uprobe_target in our own executable file */
static int
pl_probe_uprobes(void)
{
	char line[1024], path[PATH_MAX];
	unsigned long lo, hi, off, addr = (unsigned long)&pl_uprobe_target;
	uint64_t foff = 0;
	FILE *f;
	int found = 0;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	if ((f = fopen("/proc/self/maps", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) != 3)
			continue;
		if (addr >= lo && addr < hi) {
			foff = addr - lo + off;
			found = strstr(line, path) != NULL;
			break;
		}
	}
	fclose(f);
	if (!found)
		return 0;
	return pl_probe_perf("/sys/bus/event_source/devices/uprobe/type", 0,
	    (uint64_t)(uintptr_t)path, foff);
}

/* A program calling helper fn with r1 = arg1 loads?  1 if so. */
static int
pl_probe_helper(enum bpf_prog_type type, enum bpf_attach_type at, int fn,
    int arg1)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = arg1 },
		{ .code = BPF_JMP | BPF_CALL, .imm = fn },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	int prog;

	o.expected_attach_type = at;
	prog = pl_prog_load(type, insns, 4, &o);
	if (prog < 0)
		return 0;
	close(prog);
	return 1;
}

static int
pl_probe_override(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2 },
		{ .code = BPF_JMP | BPF_CALL,
		  .imm = BPF_FUNC_override_return },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog;

	prog = pl_prog_load(BPF_PROG_TYPE_KPROBE, insns, 4, NULL);
	if (prog < 0)
		return 0;
	close(prog);
	return 1;
}

/* Load a trampoline-based program on func and attach it for a moment
 * (it returns 0: no effect). */
static int
pl_probe_tramp(struct btf *btf, enum bpf_prog_type type,
    enum bpf_attach_type at, const char *func)
{
	struct bpf_insn insns[] = { PL_RET0_INSNS };
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	int id, prog, link;

	if (btf == NULL)
		return 0;
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return 0;
	o.expected_attach_type = at;
	o.attach_btf_id = (uint32_t)id;
	prog = pl_prog_load(type, insns, 2, &o);
	if (prog < 0)
		return 0;
	link = bpf_link_create(prog, 0, at, NULL);
	close(prog);
	if (link < 0)
		return 0;
	close(link);
	return 1;
}

/* "bpf" in the active LSM list (securityfs mounted if it is not) */
static int
pl_probe_lsm_active(char *list, size_t len)
{
	char *p, *tok, *save = NULL, buf[256];

	list[0] = '\0';
	if (access(PL_SECURITYFS "/lsm", R_OK) == -1 &&
	    mount("securityfs", PL_SECURITYFS, "securityfs", 0, NULL) == 0)
		log_info("mounted securityfs on %s", PL_SECURITYFS);
	if (pl_read_small(PL_SECURITYFS "/lsm", buf, sizeof(buf)) == -1)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	strlcpy(list, buf, len);
	for (p = buf; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL)
		if (strcmp(tok, "bpf") == 0)
			return 1;
	return 0;
}

/* A cgroup sock_addr program that returns 1 (allow), attached to the
 * cgroup2 root for a moment. */
static int
pl_probe_cg(const char *cgroup, enum bpf_attach_type at)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	int prog, cg, link;

	if (cgroup[0] == '\0')
		return 0;
	o.expected_attach_type = at;
	prog = pl_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, insns, 2, &o);
	if (prog < 0)
		return 0;
	if ((cg = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		close(prog);
		return 0;
	}
	link = bpf_link_create(prog, cg, at, NULL);
	close(cg);
	close(prog);
	if (link < 0)
		return 0;
	close(link);
	return 1;
}

static void
pl_probe_run(struct polset_features *f)
{
	struct btf *btf;
	int fd;

	memset(f, 0, sizeof(*f));
	f->kprobes = pl_probe_kprobes(0);
	f->kretprobes = f->kprobes && pl_probe_kprobes(1);
	f->kprobe_multi = pl_probe_kprobe_multi();
	f->override = f->kprobes && pl_probe_override();
	btf = btf__load_vmlinux_btf();
	if (btf == NULL || libbpf_get_error(btf) != 0)
		btf = NULL;
	f->fentry = pl_probe_tramp(btf, BPF_PROG_TYPE_TRACING,
	    BPF_TRACE_FENTRY, "vfs_read");
	f->fexit = pl_probe_tramp(btf, BPF_PROG_TYPE_TRACING,
	    BPF_TRACE_FEXIT, "vfs_read");
	f->fmod_ret = pl_probe_tramp(btf, BPF_PROG_TYPE_TRACING,
	    BPF_MODIFY_RETURN, "security_file_open");
	f->lsm = pl_probe_tramp(btf, BPF_PROG_TYPE_LSM, BPF_LSM_MAC,
	    "bpf_lsm_file_open");
	btf__free(btf);
	f->lsm_active = pl_probe_lsm_active(f->lsm_list,
	    sizeof(f->lsm_list));
	f->send_signal = pl_probe_helper(BPF_PROG_TYPE_TRACEPOINT, 0,
	    BPF_FUNC_send_signal, 0);
	f->uprobes = pl_probe_uprobes();
	if ((fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0,
	    (uint32_t)sysconf(_SC_PAGESIZE), NULL)) >= 0) {
		f->ringbuf = 1;
		close(fd);
	}
	if (netl_cgroup2(f->cgroup2, sizeof(f->cgroup2)) != 0)
		f->cgroup2[0] = '\0';
	f->cg_connect4 = pl_probe_cg(f->cgroup2, BPF_CGROUP_INET4_CONNECT);
	f->cg_connect6 = pl_probe_cg(f->cgroup2, BPF_CGROUP_INET6_CONNECT);
	f->cg_sendmsg4 = pl_probe_cg(f->cgroup2, BPF_CGROUP_UDP4_SENDMSG);
	f->cg_sendmsg6 = pl_probe_cg(f->cgroup2, BPF_CGROUP_UDP6_SENDMSG);
	f->cg_signal = pl_probe_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	    BPF_CGROUP_INET4_CONNECT, BPF_FUNC_send_signal, 0);
	f->cg_retval = pl_probe_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	    BPF_CGROUP_INET4_CONNECT, BPF_FUNC_set_retval, -EPERM);
}

/* The rows of the feature table. */
struct pl_featrow {
	const char	*name;		/* JSON key */
	const char	*label;		/* text */
	size_t		 off;		/* int in struct polset_features */
};

#define PL_FEAT(n, l)	{ #n, l, offsetof(struct polset_features, n) }
static const struct pl_featrow pl_featrows[] = {
	PL_FEAT(kprobes, "kprobes"),
	PL_FEAT(kretprobes, "kretprobes"),
	PL_FEAT(kprobe_multi, "kprobe_multi"),
	PL_FEAT(fentry, "fentry"),
	PL_FEAT(fexit, "fexit"),
	PL_FEAT(fmod_ret, "fmod_ret"),
	PL_FEAT(lsm, "BPF LSM programs"),
	PL_FEAT(lsm_active, "bpf in the active LSMs"),
	PL_FEAT(override, "bpf_override_return"),
	PL_FEAT(send_signal, "bpf_send_signal"),
	PL_FEAT(uprobes, "uprobes"),
	PL_FEAT(ringbuf, "ring buffer"),
	PL_FEAT(cg_connect4, "cgroup/connect4"),
	PL_FEAT(cg_connect6, "cgroup/connect6"),
	PL_FEAT(cg_sendmsg4, "cgroup/sendmsg4"),
	PL_FEAT(cg_sendmsg6, "cgroup/sendmsg6"),
	PL_FEAT(cg_signal, "bpf_send_signal in cgroup programs"),
	PL_FEAT(cg_retval, "bpf_set_retval in cgroup programs"),
};
#undef PL_FEAT

static int
pl_feat_get(const struct polset_features *f, const struct pl_featrow *r)
{
	int v;

	memcpy(&v, (const char *)f + r->off, sizeof(v));
	return v;
}

static char *
pl_features_render(const struct polset_features *f, int json)
{
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb);
	if (json) {
		sbuf_addc(&sb, '{');
		for (i = 0; i < sizeof(pl_featrows) / sizeof(pl_featrows[0]);
		    i++)
			sbuf_addf(&sb, "\"%s\":%s,", pl_featrows[i].name,
			    pl_feat_get(f, &pl_featrows[i]) ? "true" : "false");
		sbuf_adds(&sb, "\"cgroup2\":");
		sbuf_add_json_str(&sb, f->cgroup2, strlen(f->cgroup2));
		sbuf_adds(&sb, ",\"lsm_list\":");
		sbuf_add_json_str(&sb, f->lsm_list, strlen(f->lsm_list));
		sbuf_addc(&sb, '}');
		return sb.buf;
	}
	sbuf_adds(&sb, "kernel features (probed by loading programs):\n");
	for (i = 0; i < sizeof(pl_featrows) / sizeof(pl_featrows[0]); i++)
		sbuf_addf(&sb, "  %-36s %s\n", pl_featrows[i].label,
		    pl_feat_get(f, &pl_featrows[i]) ? "yes" : "no");
	sbuf_addf(&sb, "  %-36s %s\n", "cgroup2 mount",
	    f->cgroup2[0] != '\0' ? f->cgroup2 : "none");
	sbuf_addf(&sb, "  %-36s %s\n", "active LSMs",
	    f->lsm_list[0] != '\0' ? f->lsm_list : "(unreadable)");
	return sb.buf;
}

char *
polset_features_render(int json)
{
	struct polset_features f;

	polset_probe(&f);
	return pl_features_render(&f, json);
}

char *
polset_features_append(char *status, int json)
{
	struct sbuf sb;
	char *t, *end;

	t = polset_features_render(json);
	sbuf_init(&sb);
	if (!json) {
		sbuf_adds(&sb, status);
		sbuf_adds(&sb, "\n");
		sbuf_adds(&sb, t);
	} else if ((end = strrchr(status, '}')) != NULL) {
		sbuf_add(&sb, status, (size_t)(end - status));
		sbuf_adds(&sb, ",\"kernel_features\":");
		sbuf_adds(&sb, t);
		sbuf_adds(&sb, end);
	} else
		sbuf_adds(&sb, status);
	free(t);
	free(status);
	return sb.buf;
}

void
polset_probe(struct polset_features *out)
{
	char *t, *line, *next;

	if (!pl_probed) {
		pl_probe_run(&pl_feat);
		pl_probed = 1;
		t = pl_features_render(&pl_feat, 0);
		for (line = t; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			log_info("policy: %s", line);
		}
		free(t);
	}
	*out = pl_feat;
}

/*
 * Errors: "FILE:LINE:COL: <hook>: message".
 */

struct pl_ctx {
	struct polset		*ps;
	const struct policy	*pol;
	const struct pol_hook	*h;
	struct ph		*ph;
	struct pent		*pe;
	char			*err;
	size_t			 errlen;
	enum pl_selmode		 selmode;
	size_t			 nsel_max;	/* compile only this many
						   selectors (0: all) */
	int			 net_tcp;	/* tcp_connect */
	const char		*ovr_no;	/* Override impossible on this
						   hook: why (NULL: possible) */
	int			 net_d[2];	/* network hook: its programs */
	uint8_t			 net_src[HOOK_ARGS_MAX];	/* HOOK_SRC_NET_* */
};

static const char *
pl_hook_kind(const struct pol_hook *h)
{
	switch (h->kind) {
	case POL_HOOK_KPROBE:
		return h->fentry ? "fentry" : "kprobe";
	case POL_HOOK_TRACEPOINT:
		return "tracepoint";
	case POL_HOOK_RAW_TRACEPOINT:
		return "raw tracepoint";
	case POL_HOOK_UPROBE:
		return "uprobe";
	case POL_HOOK_LSM:
		return "lsmhook";
	}
	return "hook";
}

static char *
pl_hook_target(const struct pol_hook *h)
{
	char *s;

	switch (h->kind) {
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		xasprintf(&s, "%s/%s", h->subsystem ? h->subsystem : "?",
		    h->event ? h->event : "?");
		return s;
	case POL_HOOK_UPROBE:
		xasprintf(&s, "%s:%s", h->path ? h->path : "?",
		    h->symbol ? h->symbol : "?");
		return s;
	default:
		return xstrdup(h->call ? h->call : "?");
	}
}

static int __attribute__((__format__(printf, 5, 6)))
pl_fail(struct pl_ctx *c, int r, int line, int col, const char *fmt, ...)
{
	char msg[512], *tgt;
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	file = c->pol->file != NULL ? c->pol->file : c->pol->name;
	if (line <= 0 && c->h != NULL) {
		line = c->h->line;
		col = c->h->col;
	}
	if (c->h == NULL) {
		if (line > 0)
			snprintf(c->err, c->errlen, "%s:%d:%d: %s", file,
			    line, col, msg);
		else
			snprintf(c->err, c->errlen, "%s: %s", file, msg);
		return r;
	}
	tgt = pl_hook_target(c->h);
	if (line > 0)
		snprintf(c->err, c->errlen, "%s:%d:%d: %s \"%s\": %s", file,
		    line, col, pl_hook_kind(c->h), tgt, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s \"%s\": %s", file,
		    pl_hook_kind(c->h), tgt, msg);
	free(tgt);
	return r;
}

/*
 * Tracepoint formats.
 */

static int
pl_tp_name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int
pl_tp_read(const char *subsys, const char *event, const char *file,
    char *buf, size_t bufsz)
{
	char path[512];
	ssize_t n;
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), PL_TRACEFS "/events/%s/%s/%s", subsys,
	    event, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (off < bufsz - 1) {
		n = read(fd, buf + off, bufsz - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return 0;
}

/* Parse one "field:DECL;\toffset:N;\tsize:N;\tsigned:N;" line. */
static int
pl_tp_field(const char *line, struct tpfield *f)
{
	const char *p, *e;
	char *q, *br;
	size_t len;

	memset(f, 0, sizeof(*f));
	if ((p = strstr(line, "field:")) == NULL)
		return -1;
	p += 6;
	if ((e = strchr(p, ';')) == NULL)
		return -1;
	len = (size_t)(e - p);
	if (len >= sizeof(f->decl))
		len = sizeof(f->decl) - 1;
	memcpy(f->decl, p, len);
	f->decl[len] = '\0';
	if ((p = strstr(e, "offset:")) == NULL)
		return -1;
	f->off = atoi(p + 7);
	if ((p = strstr(e, "size:")) == NULL)
		return -1;
	f->size = atoi(p + 5);
	if ((p = strstr(e, "signed:")) != NULL)
		f->sign = atoi(p + 7);
	f->dataloc = strncmp(f->decl, "__data_loc ", 11) == 0;
	/* name: last identifier, without an array suffix */
	strlcpy(f->type, f->decl, sizeof(f->type));
	if ((br = strchr(f->type, '[')) != NULL) {
		f->array = 1;
		*br = '\0';
	}
	len = strlen(f->type);
	while (len > 0 && isspace((unsigned char)f->type[len - 1]))
		f->type[--len] = '\0';
	q = f->type + len;
	while (q > f->type && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
		q--;
	strlcpy(f->name, q, sizeof(f->name));
	*q = '\0';
	len = strlen(f->type);
	while (len > 0 && isspace((unsigned char)f->type[len - 1]))
		f->type[--len] = '\0';
	if (f->dataloc) {
		/* "__data_loc char[] name": type "char", array */
		memmove(f->type, f->type + 11, strlen(f->type + 11) + 1);
		f->array = 1;
	}
	return f->name[0] == '\0' ? -1 : 0;
}

/* Fields of subsys/event (common_* included) and its id.  0, or
 * ERR_NOTFOUND with a message in err. */
static int
pl_tp_format(struct pl_ctx *c, const char *subsys, const char *event,
    struct tpfield *fields, size_t *nfields, uint32_t *id)
{
	char buf[8192], *line, *next;
	size_t n = 0;

	if (!pl_tp_name_ok(subsys) || !pl_tp_name_ok(event))
		return pl_fail(c, ERR_PARSE, 0, 0, "not a tracepoint name");
	if (pl_tp_read(subsys, event, "id", buf, sizeof(buf)) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "no such tracepoint "
		    "(%s/events/%s/%s: %s)", PL_TRACEFS, subsys, event,
		    strerror(errno));
	*id = (uint32_t)strtoul(buf, NULL, 10);
	if (pl_tp_read(subsys, event, "format", buf, sizeof(buf)) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "cannot read the "
		    "tracepoint format: %s", strerror(errno));
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strstr(line, "field:") == NULL)
			continue;
		if (n == PL_TP_FIELDS)
			break;
		if (pl_tp_field(line, &fields[n]) == 0)
			n++;
	}
	*nfields = n;
	return 0;
}

/* Integer type from a C declaration type and size. */
static enum pol_arg_type
pl_tp_int_type(const struct tpfield *f, int use_sign)
{
	static const struct {
		const char		*name;
		enum pol_arg_type	 type;
	} names[] = {
		{ "int", POL_ARG_INT }, { "pid_t", POL_ARG_INT },
		{ "unsigned int", POL_ARG_UINT32 },
		{ "unsigned", POL_ARG_UINT32 },
		{ "u32", POL_ARG_UINT32 }, { "__u32", POL_ARG_UINT32 },
		{ "uid_t", POL_ARG_UINT32 }, { "gid_t", POL_ARG_UINT32 },
		{ "key_serial_t", POL_ARG_INT }, { "s32", POL_ARG_INT },
		{ "long", POL_ARG_INT64 }, { "long long", POL_ARG_INT64 },
		{ "loff_t", POL_ARG_INT64 }, { "off_t", POL_ARG_INT64 },
		{ "s64", POL_ARG_INT64 }, { "__s64", POL_ARG_INT64 },
		{ "unsigned long", POL_ARG_UINT64 },
		{ "unsigned long long", POL_ARG_UINT64 },
		{ "u64", POL_ARG_UINT64 }, { "__u64", POL_ARG_UINT64 },
		{ "size_t", POL_ARG_SIZE_T }, { "ssize_t", POL_ARG_INT64 },
		{ "umode_t", POL_ARG_UINT16 }, { "u16", POL_ARG_UINT16 },
		{ "unsigned short", POL_ARG_UINT16 },
		{ "short", POL_ARG_INT16 },
		{ "u8", POL_ARG_UINT8 }, { "unsigned char", POL_ARG_UINT8 },
		{ "bool", POL_ARG_UINT8 }, { "char", POL_ARG_INT8 },
	};
	const char *t = f->type;
	size_t i;

	if (strncmp(t, "const ", 6) == 0)
		t += 6;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(t, names[i].name) == 0)
			return names[i].type;
	switch (f->size) {
	case 1:
		return use_sign && f->sign ? POL_ARG_INT8 : POL_ARG_UINT8;
	case 2:
		return use_sign && f->sign ? POL_ARG_INT16 : POL_ARG_UINT16;
	case 4:
		return use_sign && f->sign ? POL_ARG_INT : POL_ARG_UINT32;
	default:
		return use_sign && f->sign ? POL_ARG_INT64 : POL_ARG_UINT64;
	}
}

static int
pl_is_char_ptr(const struct tpfield *f)
{
	return strcmp(f->type, "char *") == 0 ||
	    strcmp(f->type, "const char *") == 0;
}

/*
 * Argument types.
 */

static int
pl_type_is_int(enum pol_arg_type t)
{
	return t >= POL_ARG_INT && t <= POL_ARG_UINT8;
}

static int
pl_type_signed(enum pol_arg_type t)
{
	return t == POL_ARG_INT || t == POL_ARG_INT64 || t == POL_ARG_INT16 ||
	    t == POL_ARG_INT8;
}

/* Matched as bytes by the string operators. */
static int
pl_type_is_str(enum pol_arg_type t)
{
	switch (t) {
	case POL_ARG_STRING: case POL_ARG_CHAR_BUF: case POL_ARG_CHAR_IOVEC:
	case POL_ARG_CONST_BUF: case POL_ARG_FD: case POL_ARG_FILE:
	case POL_ARG_PATH: case POL_ARG_DENTRY: case POL_ARG_FILENAME:
	case POL_ARG_DATA_LOC: case POL_ARG_LINUX_BINPRM: case POL_ARG_KIOCB:
	case POL_ARG_SOCKADDR_UN: case POL_ARG_NET_DEVICE: case POL_ARG_MODULE:
		return 1;
	default:
		return 0;
	}
}

/* Types that are a pointer to a kernel object: only a kprobe (or LSM /
 * fentry) on a kernel function has one. */
static int
pl_type_is_kptr(enum pol_arg_type t)
{
	switch (t) {
	case POL_ARG_FILE: case POL_ARG_PATH: case POL_ARG_DENTRY:
	case POL_ARG_FILENAME: case POL_ARG_SOCK: case POL_ARG_SOCKET:
	case POL_ARG_SKB: case POL_ARG_CRED: case POL_ARG_LINUX_BINPRM:
	case POL_ARG_BPF_ATTR: case POL_ARG_BPF_PROG: case POL_ARG_BPF_MAP:
	case POL_ARG_PERF_EVENT: case POL_ARG_MODULE: case POL_ARG_KERNEL_CAP:
	case POL_ARG_USER_NS: case POL_ARG_NET_DEVICE: case POL_ARG_KIOCB:
	case POL_ARG_IOV_ITER:
		return 1;
	default:
		return 0;
	}
}

static const char *
pl_type_name(const struct pol_arg *a)
{
	static char buf[16];

	if (a->type_name != NULL)
		return a->type_name;
	snprintf(buf, sizeof(buf), "%d", (int)a->type);
	return buf;
}

/* Common part of a hook_arg: type, signedness, capture size. */
static int
pl_arg_common(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    enum pol_arg_type type)
{
	ha->type = (uint8_t)type;
	if (pl_type_signed(type))
		ha->flags |= HOOK_ARGF_SIGNED;
	if (a->max_data > HOOK_ARG_DATA_MAX)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "maxData %u: "
		    "this engine captures at most %d bytes per argument",
		    a->max_data, HOOK_ARG_DATA_MAX);
	ha->max = (uint16_t)(a->max_data ? a->max_data : HOOK_ARG_DATA_MAX);
	if (a->return_copy) {
		ha->flags |= HOOK_ARGF_RETURN_COPY;
		c->ph->cfg.flags |= HOOK_F_AT_EXIT;
	}
	if (a->size_arg_index > 0) {
		if (a->size_arg_index > PL_SYSARGS)
			return pl_fail(c, ERR_RANGE, a->line, a->col,
			    "sizeArgIndex %d: at most %d", a->size_arg_index,
			    PL_SYSARGS);
		ha->size_arg = (uint8_t)a->size_arg_index;
	}
	if (a->resolve != NULL || a->btf_type != NULL)
		return pl_fail(c, ERR_UNSUPP, a->line, a->col,
		    "resolve/btfType need BTF-typed kernel arguments (a "
		    "kprobe on a kernel function), which this engine does "
		    "not attach");
	return 0;
}

/* An argument read from a syscall's registers (kprobe syscall: true, run
 * from raw_tracepoint/sys_enter) or a uprobe's function arguments. */
static int
pl_arg_reg(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    int src_kind)
{
	if (a->type == POL_ARG_AUTO || a->type == POL_ARG_DATA_LOC)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "type %s is "
		    "only valid on tracepoints", pl_type_name(a));
	if (pl_type_is_kptr(a->type)) {
		if (src_kind == HOOK_SRC_SYSARG)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "type %s needs a kprobe on a kernel function",
			    pl_type_name(a));
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s is "
		    "a kernel object: a user-space function has none",
		    pl_type_name(a));
	}
	if (a->type == POL_ARG_SYSCALL64)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "type syscall64 "
		    "is only valid on raw_syscalls tracepoints");
	if (a->index < 0 || a->index >= PL_SYSARGS)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "argument index "
		    "%d: at most %d", a->index, PL_SYSARGS - 1);
	ha->src_kind = (uint8_t)src_kind;
	ha->src = (uint8_t)a->index;
	return pl_arg_common(c, a, ha, a->type);
}

/* The return value (kprobe return/returnArg, sys_exit_* ret). */
static int
pl_ret(struct pl_ctx *c, const struct pol_hook *h)
{
	struct hook_cfg *cfg = &c->ph->cfg;
	enum pol_arg_type t = h->retarg.type;
	size_t i;
	int need = h->ret || t != POL_ARG_NONE;

	for (i = 0; i < h->nselectors; i++)
		if (h->selectors[i].nretargs > 0 ||
		    h->selectors[i].nretactions > 0)
			need = 1;
	if (!need)
		return 0;
	if (t == POL_ARG_NONE || t == POL_ARG_AUTO)
		t = POL_ARG_INT64;
	if (h->kind == POL_HOOK_KPROBE && !h->syscall && pl_type_is_kptr(t) &&
	    !pl_type_is_str(t) && t != POL_ARG_FILENAME &&
	    t != POL_ARG_USER_NS && t != POL_ARG_NET_DEVICE &&
	    t != POL_ARG_KIOCB && t != POL_ARG_IOV_ITER)
		;	/* a kernel function returning an object (sk_alloc) */
	else if (pl_type_is_kptr(t) || pl_type_is_str(t))
		return pl_fail(c, ERR_UNSUPP, h->retarg.line, h->retarg.col,
		    "returnArg type %s: %s", pl_type_name(&h->retarg),
		    h->syscall ? "a syscall returns a number" : "not "
		    "supported as a return value by this engine");
	cfg->ret.type = (uint8_t)t;
	cfg->ret.src_kind = HOOK_SRC_RETVAL;
	if (pl_type_signed(t))
		cfg->ret.flags |= HOOK_ARGF_SIGNED;
	cfg->flags |= HOOK_F_AT_EXIT;
	return 0;
}

/*
 * Selectors.
 */

static int
pl_op_is_strop(enum pol_op op)
{
	return op == POL_OP_PREFIX || op == POL_OP_NOTPREFIX ||
	    op == POL_OP_POSTFIX || op == POL_OP_NOTPOSTFIX ||
	    op == POL_OP_SUBSTRING || op == POL_OP_SUBSTRING_IGNCASE;
}

static int
pl_op_is_cidr(enum pol_op op)
{
	return op == POL_OP_SADDR || op == POL_OP_NOTSADDR ||
	    op == POL_OP_DADDR || op == POL_OP_NOTDADDR;
}

static void
pl_inmap_add(struct pent *pe, uint32_t map_id, uint64_t v)
{
	if (pe->ninmap == pe->inmapcap) {
		pe->inmapcap = pe->inmapcap ? pe->inmapcap * 2 : 64;
		pe->inmap = xreallocarray(pe->inmap, pe->inmapcap,
		    sizeof(*pe->inmap));
	}
	memset(&pe->inmap[pe->ninmap], 0, sizeof(pe->inmap[0]));
	pe->inmap[pe->ninmap].map_id = map_id;
	pe->inmap[pe->ninmap].value = v;
	pe->ninmap++;
}

/* Compile one matchArgs / matchReturnArgs entry; type is the argument's
 * (resolved) type. */
static int
pl_matcharg(struct pl_ctx *c, const struct pol_matcharg *m,
    struct sel_matcharg *sm, uint8_t argpos, enum pol_arg_type type)
{
	const struct pol_value *v;
	uint64_t x;
	size_t i;
	int strop, isstr = pl_type_is_str(type);

	sm->arg = argpos;
	sm->op = (uint8_t)m->op;
	if (m->op == POL_OP_CELEXPR)
		return pl_fail(c, ERR_UNSUPP, m->line, m->col, "operator "
		    "CELExpr is not supported by this engine");
	if (m->op == POL_OP_INMAP || m->op == POL_OP_NOTINMAP) {
		if (isstr)
			return pl_fail(c, ERR_UNSUPP, m->line, m->col,
			    "InMap/NotInMap take numbers; use Equal/Prefix "
			    "for strings");
		sm->map_id = c->ps->next_map_id++;
		if (c->ps->next_map_id == 0)
			c->ps->next_map_id = 1;
		for (i = 0; i < m->nvalues; i++) {
			v = &m->values[i];
			if (v->hi < v->lo || v->hi - v->lo >= POL_MAX_MAPVALUES)
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "InMap range %llu:%llu: at most %d values",
				    (unsigned long long)v->lo,
				    (unsigned long long)v->hi,
				    POL_MAX_MAPVALUES);
			for (x = v->lo;; x++) {
				pl_inmap_add(c->pe, sm->map_id, x);
				if (x == v->hi)
					break;
			}
		}
		return 0;
	}
	if (m->nvalues > HOOK_VALUES_MAX)
		return pl_fail(c, ERR_RANGE, m->line, m->col, "%zu values: "
		    "at most %d per operator", m->nvalues, HOOK_VALUES_MAX);
	sm->nvals = (uint8_t)m->nvalues;
	strop = pl_op_is_strop(m->op) || ((m->op == POL_OP_EQUAL ||
	    m->op == POL_OP_NOTEQUAL) && isstr);
	if (strop && !isstr)
		return pl_fail(c, ERR_PARSE, m->line, m->col, "operator %d "
		    "needs a string argument, this one is a number",
		    (int)m->op);
	for (i = 0; i < m->nvalues; i++) {
		v = &m->values[i];
		if (strop) {
			if (v->str == NULL)
				return pl_fail(c, ERR_PARSE, m->line, m->col,
				    "value %zu is not a string", i);
			if (v->len > HOOK_STR_MAX)
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "value of %zu bytes: at most %d", v->len,
				    HOOK_STR_MAX);
			sm->v.str[i].len = (uint16_t)v->len;
			memcpy(sm->v.str[i].s, v->str, v->len);
		} else if (pl_op_is_cidr(m->op)) {
			memcpy(sm->v.cidr[i].addr, v->addr, 16);
			sm->v.cidr[i].family = v->family;
			sm->v.cidr[i].prefixlen = v->prefixlen;
		} else {
			if (!v->is_num && v->str != NULL)
				return pl_fail(c, ERR_PARSE, m->line, m->col,
				    "value \"%.*s\" is not a number (the "
				    "argument is an integer)", (int)v->len,
				    v->str);
			sm->v.num[i].lo = v->lo;
			sm->v.num[i].hi = v->hi < v->lo ? v->lo : v->hi;
		}
	}
	return 0;
}

static int
pl_action(struct pl_ctx *c, const struct pol_action *a, struct sel_action *sa)
{
	if (c->selmode == PL_SEL_NET && a->kind == POL_ACT_OVERRIDE) {
		/* checked by pl_net_check: -1/1 = EPERM, else -errno */
		sa->kind = POL_ACT_OVERRIDE;
		sa->arg = a->arg_error == 1 || a->arg_error == -1 ? -EPERM :
		    a->arg_error;
		sa->arg_fd = sa->arg_name = 0xff;
		return 0;
	}
	switch (a->kind) {
	case POL_ACT_OVERRIDE:
		if (c->ovr_no != NULL)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "%s",
			    c->ovr_no);
		if (a->arg_error == 0)
			return pl_fail(c, ERR_PARSE, a->line, a->col, "Override "
			    "with argError 0 would let the call succeed; "
			    "give a negative errno (-1 = EPERM)");
		if (a->arg_error < -4095 || a->arg_error > 4095)
			return pl_fail(c, ERR_RANGE, a->line, a->col, "argError "
			    "%d: not an errno", a->arg_error);
		sa->kind = POL_ACT_OVERRIDE;
		sa->arg = a->arg_error > 0 ? -a->arg_error : a->arg_error;
		sa->arg_fd = sa->arg_name = 0xff;
		return 0;
	case POL_ACT_NOTIFYENFORCER:
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "NotifyEnforcer "
		    "is not supported by this engine (use Override)");
	case POL_ACT_COPYFD:
	case POL_ACT_SET:
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "action %s is "
		    "not supported by this engine", a->kind == POL_ACT_SET ?
		    "Set" : "CopyFD");
	default:
		break;
	}
	sa->kind = (uint8_t)a->kind;
	sa->scope = (uint8_t)a->rate_limit_scope;
	sa->arg_fd = (uint8_t)(a->arg_fd < 0 ? 0xff : a->arg_fd);
	sa->arg_name = (uint8_t)(a->arg_name < 0 ? 0xff : a->arg_name);
	if (a->kind == POL_ACT_TRACKSOCK || a->kind == POL_ACT_UNTRACKSOCK)
		sa->arg_fd = (uint8_t)(a->arg_sock < 0 ? 0xff : a->arg_sock);
	if (a->kind == POL_ACT_SIGKILL)
		sa->arg = SIGKILL;
	else if (a->kind == POL_ACT_SIGNAL)
		sa->arg = a->arg_sig;
	sa->rate_ms = a->rate_limit_ms;
	return 0;
}

static const char *const pl_ns_names[POL_NS_MAX_] = {
	"uts", "ipc", "mnt", "pid", "pid_for_children", "net", "time",
	"time_for_children", "cgroup", "user",
};

/*
 * The kernel's initial namespaces have fixed inode numbers except mnt and
 * net (include/linux/proc_ns.h).
 */
static const uint32_t pl_ns_init_ino[POL_NS_MAX_] = {
	0xEFFFFFFEU, 0xEFFFFFFFU, 0, 0xEFFFFFFCU, 0xEFFFFFFCU, 0, 0xEFFFFFFAU,
	0xEFFFFFFAU, 0xEFFFFFFBU, 0xEFFFFFFDU,
};

/*
 * host_ns: the namespaces of pid 1, as Tetragon reads them.  Where
 * /proc/1/ns is not readable (pid 1 holds capabilities outside loaderd's
 * set, e.g. in a container sandbox), use the kernel's fixed initial inode
 * numbers, and for mnt/net (which have none) loaderd's own namespace, which
 * is the host's when loaderd runs on the host as intended; say so.
 */
static int
pl_host_ns(struct pl_ctx *c, enum pol_ns ns, uint32_t *inum)
{
	char path[64];
	struct stat st;

	if ((unsigned)ns >= POL_NS_MAX_)
		return pl_fail(c, ERR_PARSE, 0, 0, "bad namespace %d", ns);
	snprintf(path, sizeof(path), "/proc/1/ns/%s", pl_ns_names[ns]);
	if (stat(path, &st) == 0) {
		*inum = (uint32_t)st.st_ino;
		return 0;
	}
	if (pl_ns_init_ino[ns] != 0) {
		log_debug("host_ns: %s: %s; using the initial %s namespace "
		    "(inode %u)", path, strerror(errno), pl_ns_names[ns],
		    pl_ns_init_ino[ns]);
		*inum = pl_ns_init_ino[ns];
		return 0;
	}
	log_warnx("host_ns: %s: %s; using loaderd's own %s namespace", path,
	    strerror(errno), pl_ns_names[ns]);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", pl_ns_names[ns]);
	if (stat(path, &st) == -1)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "host_ns: %s: %s", path,
		    strerror(errno));
	*inum = (uint32_t)st.st_ino;
	return 0;
}

/* Has the selector an Override action? */
static int pl_sel_any_override(const struct pol_hook *);

static int
pl_sel_override(const struct pol_selector *s)
{
	size_t i;

	for (i = 0; i < s->nactions; i++)
		if (s->actions[i].kind == POL_ACT_OVERRIDE)
			return 1;
	return 0;
}

static int
pl_selector(struct pl_ctx *c, const struct pol_selector *s,
    struct sel_cfg *sc, const enum pol_arg_type *types, size_t nargs,
    enum pol_arg_type rettype)
{
	const struct pol_matcharg *m;
	size_t i, j;
	int r;

	if (s->nmatchargs > HOOK_MATCHARGS_MAX ||
	    s->nretargs > HOOK_RETARGS_MAX || s->npids > HOOK_PID_ENTRIES_MAX ||
	    s->nns > HOOK_NS_MAX || s->ncaps > 1 ||
	    s->nactions > HOOK_ACTIONS_MAX ||
	    s->nretactions > HOOK_ACTIONS_MAX)
		return pl_fail(c, ERR_RANGE, s->line, s->col, "selector "
		    "exceeds the engine's limits");
	for (i = 0; i < s->nmatchargs; i++) {
		m = &s->matchargs[i];
		if (m->arg < 0 || (size_t)m->arg >= nargs)
			return pl_fail(c, ERR_RANGE, m->line, m->col,
			    "matchArgs refers to argument %d, the hook has "
			    "%zu", m->arg, nargs);
		if (m->op == POL_OP_SUBSTRING ||
		    m->op == POL_OP_SUBSTRING_IGNCASE)
			return pl_fail(c, ERR_UNSUPP, m->line, m->col,
			    "operator %s is not supported by this engine "
			    "(matching inside a string is not implemented); "
			    "use Prefix/Postfix or Equal", policy_op_name(m->op));
		if ((r = pl_matcharg(c, m, &sc->args[i], (uint8_t)m->arg,
		    types[m->arg])) != 0)
			return r;
	}
	sc->nmatchargs = (uint8_t)s->nmatchargs;
	for (i = 0; i < s->nretargs; i++)
		if ((r = pl_matcharg(c, &s->retargs[i], &sc->retargs[i], 0xff,
		    rettype)) != 0)
			return r;
	sc->nretargs = (uint8_t)s->nretargs;
	for (i = 0; i < s->npids; i++) {
		if (s->pids[i].nvalues > HOOK_PIDS_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchPIDs: at most %d values", HOOK_PIDS_MAX);
		sc->pids[i].op = (uint8_t)s->pids[i].op;
		sc->pids[i].flags = (uint8_t)
		    ((s->pids[i].follow_forks ? 1 : 0) |
		    (s->pids[i].is_ns_pid ? 2 : 0));
		sc->pids[i].nvals = (uint8_t)s->pids[i].nvalues;
		for (j = 0; j < s->pids[i].nvalues; j++)
			sc->pids[i].pids[j] = s->pids[i].values[j];
	}
	sc->npids = (uint8_t)s->npids;
	if (s->has_binaries) {
		if (s->binaries.nvalues > HOOK_BINS_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchBinaries: at most %d values", HOOK_BINS_MAX);
		sc->has_bins = 1;
		sc->bins.op = (uint8_t)s->binaries.op;
		sc->bins.follow_children = (uint8_t)s->binaries.follow_children;
		sc->bins.nvals = (uint8_t)s->binaries.nvalues;
		for (j = 0; j < s->binaries.nvalues; j++) {
			size_t len = strlen(s->binaries.values[j]);

			if (len > HOOK_STR_MAX)
				return pl_fail(c, ERR_RANGE, s->line, s->col,
				    "matchBinaries value of %zu bytes: at most "
				    "%d", len, HOOK_STR_MAX);
			sc->bins.bins[j].len = (uint16_t)len;
			memcpy(sc->bins.bins[j].s, s->binaries.values[j], len);
		}
	}
	for (i = 0; i < s->nns; i++) {
		if (s->ns[i].nvalues > HOOK_NS_VALUES_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchNamespaces: at most %d values",
			    HOOK_NS_VALUES_MAX);
		sc->ns[i].ns = (uint8_t)s->ns[i].ns;
		sc->ns[i].op = (uint8_t)s->ns[i].op;
		sc->ns[i].nvals = (uint8_t)s->ns[i].nvalues;
		for (j = 0; j < s->ns[i].nvalues; j++) {
			sc->ns[i].inum[j] = s->ns[i].values[j];
			if (s->ns[i].host_ns[j] && (r = pl_host_ns(c,
			    s->ns[i].ns, &sc->ns[i].inum[j])) != 0)
				return r;
		}
	}
	sc->nns = (uint8_t)s->nns;
	if (s->ncaps > 0) {
		sc->caps.set = (uint8_t)s->caps[0].set;
		sc->caps.op = (uint8_t)s->caps[0].op;
		sc->caps.is_ns_cap = (uint8_t)s->caps[0].is_ns_cap;
		sc->caps.mask = s->caps[0].mask;
	}
	sc->ncaps = (uint8_t)s->ncaps;
	if (c->selmode == PL_SEL_SYSCOPY && pl_sel_override(s)) {
		/* its cgroup copy acts and posts: here it only keeps the
		   later selectors from matching (first match wins) */
		sc->actions[0].kind = POL_ACT_NOPOST;
		sc->actions[0].arg_fd = sc->actions[0].arg_name = 0xff;
		sc->nactions = 1;
	} else {
		for (i = 0; i < s->nactions; i++)
			if ((r = pl_action(c, &s->actions[i],
			    &sc->actions[i])) != 0)
				return r;
		sc->nactions = (uint8_t)s->nactions;
	}
	for (i = 0; i < s->nretactions; i++)
		if ((r = pl_action(c, &s->retactions[i],
		    &sc->retactions[i])) != 0)
			return r;
	sc->nretactions = (uint8_t)s->nretactions;
	return 0;
}

static int
pl_selectors(struct pl_ctx *c, const enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i, nsel;
	int r;

	if (h->nselectors > HOOK_SEL_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu selectors: at most %d",
		    h->nselectors, HOOK_SEL_MAX);
	ph->sel = xcalloc(HOOK_SEL_MAX, sizeof(*ph->sel));
	nsel = c->nsel_max > 0 ? c->nsel_max : h->nselectors;
	for (i = 0; i < nsel; i++)
		if ((r = pl_selector(c, &h->selectors[i], &ph->sel[i], types,
		    ph->cfg.nargs, (enum pol_arg_type)ph->cfg.ret.type)) != 0)
			return r;
	ph->cfg.nsel = (uint8_t)nsel;
	for (i = 0; i < nsel; i++)
		if (h->selectors[i].has_binaries &&
		    h->selectors[i].binaries.follow_children)
			ph->follow = 1;
	return 0;
}

/*
 * Hooks.
 */

static void
pl_nr_set(struct ph *ph, int nr)
{
	if (nr < 0 || nr >= HOOK_SYSCALLS_MAX)
		return;
	if (!(ph->nrs[nr / 8] & (1 << (nr % 8)))) {
		ph->nrs[nr / 8] |= (uint8_t)(1 << (nr % 8));
		ph->nnrs++;
	}
}

static int
pl_nr_isset(const struct ph *ph, int nr)
{
	return (ph->nrs[nr / 8] & (1 << (nr % 8))) != 0;
}

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
};

#define PL_MAY_WRITE	0x2
#define PL_MAY_READ	0x4

static const struct pl_ovrmap pl_ovrmap[] = {
	{ "write", { "file_permission" }, PL_MAY_WRITE },
	{ "pwrite64", { "file_permission" }, PL_MAY_WRITE },
	{ "writev", { "file_permission" }, PL_MAY_WRITE },
	{ "pwritev", { "file_permission" }, PL_MAY_WRITE },
	{ "pwritev2", { "file_permission" }, PL_MAY_WRITE },
	{ "read", { "file_permission" }, PL_MAY_READ },
	{ "pread64", { "file_permission" }, PL_MAY_READ },
	{ "readv", { "file_permission" }, PL_MAY_READ },
	{ "preadv", { "file_permission" }, PL_MAY_READ },
	{ "preadv2", { "file_permission" }, PL_MAY_READ },
	{ "open", { "file_open" }, 0 },
	{ "openat", { "file_open" }, 0 },
	{ "openat2", { "file_open" }, 0 },
	{ "creat", { "file_open" }, 0 },
	{ "symlink", { "inode_symlink" }, 0 },
	{ "symlinkat", { "inode_symlink" }, 0 },
	{ "unlink", { "inode_unlink" }, 0 },
	{ "unlinkat", { "inode_unlink", "inode_rmdir" }, 0 },
	{ "rmdir", { "inode_rmdir" }, 0 },
	{ "mkdir", { "inode_mkdir" }, 0 },
	{ "mkdirat", { "inode_mkdir" }, 0 },
	{ "mknod", { "inode_mknod" }, 0 },
	{ "mknodat", { "inode_mknod" }, 0 },
	{ "link", { "inode_link" }, 0 },
	{ "linkat", { "inode_link" }, 0 },
	{ "rename", { "inode_rename" }, 0 },
	{ "renameat", { "inode_rename" }, 0 },
	{ "renameat2", { "inode_rename" }, 0 },
	{ "chmod", { "path_chmod" }, 0 },
	{ "fchmod", { "path_chmod" }, 0 },
	{ "fchmodat", { "path_chmod" }, 0 },
	{ "chown", { "path_chown" }, 0 },
	{ "fchown", { "path_chown" }, 0 },
	{ "lchown", { "path_chown" }, 0 },
	{ "fchownat", { "path_chown" }, 0 },
	{ "truncate", { "path_truncate" }, 0 },
	{ "chroot", { "path_chroot" }, 0 },
	{ "connect", { "socket_connect" }, 0 },
	{ "bind", { "socket_bind" }, 0 },
	{ "listen", { "socket_listen" }, 0 },
	{ "accept", { "socket_accept" }, 0 },
	{ "accept4", { "socket_accept" }, 0 },
	{ "sendto", { "socket_sendmsg" }, 0 },
	{ "sendmsg", { "socket_sendmsg" }, 0 },
	{ "sendmmsg", { "socket_sendmsg" }, 0 },
	{ "recvfrom", { "socket_recvmsg" }, 0 },
	{ "recvmsg", { "socket_recvmsg" }, 0 },
	{ "recvmmsg", { "socket_recvmsg" }, 0 },
	{ "socket", { "socket_create" }, 0 },
	{ "execve", { "bprm_check_security" }, 0 },
	{ "execveat", { "bprm_check_security" }, 0 },
	{ "bpf", { "bpf" }, 0 },
	{ "ptrace", { "ptrace_access_check", "ptrace_traceme" }, 0 },
	{ "kill", { "task_kill" }, 0 },
	{ "tkill", { "task_kill" }, 0 },
	{ "tgkill", { "task_kill" }, 0 },
	{ "mount", { "sb_mount" }, 0 },
	{ "umount2", { "sb_umount" }, 0 },
	{ "finit_module", { "kernel_read_file" }, 0 },
	{ "init_module", { "kernel_load_data" }, 0 },
	{ "kexec_load", { "kernel_load_data" }, 0 },
	{ "kexec_file_load", { "kernel_read_file" }, 0 },
	{ "setuid", { "task_fix_setuid" }, 0 },
	{ "setreuid", { "task_fix_setuid" }, 0 },
	{ "setresuid", { "task_fix_setuid" }, 0 },
	{ "setfsuid", { "task_fix_setuid" }, 0 },
	{ "setgid", { "task_fix_setgid" }, 0 },
	{ "setregid", { "task_fix_setgid" }, 0 },
	{ "setresgid", { "task_fix_setgid" }, 0 },
	{ "setfsgid", { "task_fix_setgid" }, 0 },
	{ "capset", { "capset" }, 0 },
	{ "prctl", { "task_prctl" }, 0 },
	{ "setrlimit", { "task_setrlimit" }, 0 },
	{ "prlimit64", { "task_setrlimit" }, 0 },
	{ "ioctl", { "file_ioctl" }, 0 },
	{ "mprotect", { "file_mprotect" }, 0 },
	{ "mmap", { "mmap_file" }, 0 },
	{ "settimeofday", { "settime" }, 0 },
	{ "clock_settime", { "settime" }, 0 },
	{ "adjtimex", { "settime" }, 0 },
	{ "clock_adjtime", { "settime" }, 0 },
	{ "setxattr", { "inode_setxattr" }, 0 },
	{ "lsetxattr", { "inode_setxattr" }, 0 },
	{ "fsetxattr", { "inode_setxattr" }, 0 },
	{ "removexattr", { "inode_removexattr" }, 0 },
	{ "lremovexattr", { "inode_removexattr" }, 0 },
	{ "fremovexattr", { "inode_removexattr" }, 0 },
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

/* Is name a function of the running kernel (/proc/kallsyms)? */
static int
pl_ksym_exists(const char *name)
{
	FILE *fp;
	char line[512], *p, *e;
	size_t n = strlen(name);
	int found = 0;

	if ((fp = fopen("/proc/kallsyms", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* "ffffffff81234560 T name\t[module]" */
		if ((p = strchr(line, ' ')) == NULL ||
		    (p = strchr(p + 1, ' ')) == NULL)
			continue;
		p++;
		e = p + strcspn(p, " \t\n");
		if ((size_t)(e - p) == n && memcmp(p, name, n) == 0) {
			found = 1;
			break;
		}
	}
	fclose(fp);
	return found;
}

/* An argument of a kernel function (kprobe, lsmhook, fentry). */
static int
pl_arg_kfn(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha)
{
	if (a->type == POL_ARG_AUTO || a->type == POL_ARG_DATA_LOC ||
	    a->type == POL_ARG_SYSCALL64)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "type %s is "
		    "only valid on tracepoints", pl_type_name(a));
	switch (a->type) {
	case POL_ARG_FILENAME: case POL_ARG_USER_NS: case POL_ARG_NET_DEVICE:
	case POL_ARG_KIOCB: case POL_ARG_IOV_ITER: case POL_ARG_CHAR_IOVEC:
	case POL_ARG_SOCKADDR_UN: case POL_ARG_FD:
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s on a "
		    "kernel function is not supported by this engine yet",
		    pl_type_name(a));
	default:
		break;
	}
	if (a->index < 0 || a->index >= PL_SYSARGS)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "argument index "
		    "%d: at most %d", a->index, PL_SYSARGS - 1);
	ha->src_kind = HOOK_SRC_REG;
	ha->src = (uint8_t)a->index;
	if (a->type == POL_ARG_MODULE && a->type_name != NULL &&
	    strcmp(a->type_name, "load_info") == 0)
		ha->flags |= HOOK_ARGF_LOAD_INFO;
	return pl_arg_common(c, a, ha, a->type);
}

/* Arguments of a kernel-function hook (kprobe, lsmhook, fentry). */
static int
pl_kfn_args(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i;
	int r;

	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		if ((r = pl_arg_kfn(c, &h->args[i], &ph->cfg.args[i])) != 0)
			return r;
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	return 0;
}

/* Override on syscall hook c->h: through the LSM, bpf_override_return, or
 * not at all (c->ovr_no says why). */
static void
pl_sys_override(struct pl_ctx *c, const char *bare, char *how, size_t len)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pl_ovrmap *m = pl_ovr_lookup(bare);
	struct ph *ph = c->ph;
	size_t i;

	how[0] = '\0';
	if (f->lsm && f->lsm_active && m != NULL) {
		ph->cfg.flags |= HOOK_F_OVR_LSM;
		ph->cfg.ovr_mask = m->mask;
		for (i = 0; i < PL_OVR_TGTS && m->lsm[i] != NULL; i++)
			ph->ovr_tgts[ph->novr++] = m->lsm[i];
		snprintf(how, len, "; Override carried out by BPF LSM hook%s "
		    "%s%s%s%s (bpf_override_return: %s)", ph->novr > 1 ? "s" :
		    "", m->lsm[0], ph->novr > 1 ? "/" : "", ph->novr > 1 ?
		    m->lsm[1] : "", m->mask == PL_MAY_WRITE ? " on MAY_WRITE" :
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

/* kprobes: syscall: true runs from the raw syscall dispatch; kernel
 * functions get a kprobe (cookie = id), or an fmod_ret program instance
 * when a selector overrides a security_* function; fentries a program
 * instance. */
static int
pl_hook_kprobe(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const char *name;
	char ovrhow[256];
	size_t i;
	int r, ovr, ex;

	ovr = pl_sel_any_override(h);
	c->ovr_no = NULL;
	if (!h->syscall || h->fentry) {
		if (h->fentry && !f->fentry)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "%s",
			    PL_MSG_FENTRY);
		if (!h->fentry && !f->kprobes)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "%s",
			    PL_MSG_NOKPROBES);
		name = h->call;
		ex = -1;
		if (h->syscall && h->fentry) {
			/* the parser resolved the name (any prefix) */
			if ((name = policy_syscall_name(h->syscall_nr)) ==
			    NULL) {
				name = h->call;
				ex = 0;
			} else {
				free(ph->target);
				xasprintf(&ph->target, PL_SYSCALL_PREFIX "%s",
				    name);
				name = ph->target;
			}
		}
		if (ex != 0)
			ex = pl_ksym_exists(name);
		if (ex == 0) {
			if (h->ignore_call_not_found) {
				ph->skipped = 1;
				xasprintf(&ph->how, "skipped "
				    "(ignore.callNotFound): no kernel "
				    "function %s", name);
				return 0;
			}
			return pl_fail(c, ERR_NOTFOUND, 0, 0, "no kernel "
			    "function \"%s\" (not in /proc/kallsyms)", name);
		}
		ph->cfg.syscall_nr = -1;
		if ((r = pl_kfn_args(c, types)) != 0)
			return r;
		if ((r = pl_ret(c, h)) != 0)
			return r;
		ph->meta.function = xstrdup(name);
		if (ovr || h->fentry) {
			if (ovr && strncmp(name, "security_", 9) != 0) {
				c->ovr_no = "Override on a kernel function "
				    "needs fmod_ret, which the kernel allows "
				    "only on security_* functions and "
				    "error-injection functions (this kernel "
				    "has no CONFIG_FUNCTION_ERROR_INJECTION "
				    "list tripline uses); alternative: the "
				    "lsmhooks hook or security_* function "
				    "that guards the operation";
				if (!h->fentry)
					goto kprobe;
			}
			if (ovr && !f->fmod_ret)
				return pl_fail(c, ERR_UNSUPP, 0, 0, "Override "
				    "on %s needs fmod_ret (BPF trampolines), "
				    "which this kernel refuses", name);
			if (ph->cfg.flags & HOOK_F_AT_EXIT)
				return pl_fail(c, ERR_UNSUPP, 0, 0, "%s: "
				    "return values and returnCopy need a "
				    "kretprobe; use kprobes without Override "
				    "for them", h->fentry ? "fentries" :
				    "Override hooks");
			ph->cfg.kind = ovr ? HOOK_K_FMODRET : HOOK_K_FENTRY;
			ph->disp = PL_DISP_FN;
			ph->fn_prog = ovr ? "generic_fmodret" :
			    "generic_fentry";
			ph->fn_target = ph->meta.function;
			xasprintf(&ph->how, "%s/%s program (one instance per "
			    "hook)%s", ovr ? "fmod_ret" : "fentry", name, ovr ?
			    "; Override returns the error from the function "
			    "instead of running it" : "");
			return 0;
		}
kprobe:
		if ((ph->cfg.flags & HOOK_F_AT_EXIT) && !f->kretprobes)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "return values "
			    "need kretprobes, which this kernel lacks");
		ph->cfg.kind = HOOK_K_KPROBE;
		ph->disp = PL_DISP_KPROBE;
		xasprintf(&ph->how, "kprobe%s %s (bpf_cookie = hook id)",
		    (ph->cfg.flags & HOOK_F_AT_EXIT) ? "+kretprobe" : "", name);
		return 0;
	}
	if (h->syscall_nr < 0 || h->syscall_nr >= HOOK_SYSCALLS_MAX)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "not a syscall of this "
		    "architecture");
	ph->cfg.kind = HOOK_K_SYSCALL;
	ph->cfg.syscall_nr = h->syscall_nr;
	ph->disp = PL_DISP_SYS;
	pl_nr_set(ph, h->syscall_nr);
	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		if ((r = pl_arg_reg(c, &h->args[i], &ph->cfg.args[i],
		    HOOK_SRC_SYSARG)) != 0)
			return r;
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	if ((r = pl_ret(c, h)) != 0)
		return r;
	/* the collector's function_name: "__x64_sys_openat" (Tetragon) */
	name = policy_syscall_name(h->syscall_nr);	/* checked above */
	xasprintf(&ph->meta.function, PL_SYSCALL_PREFIX "%s", name);
	ovrhow[0] = '\0';
	if (ovr && c->selmode != PL_SEL_SYSCOPY)
		pl_sys_override(c, name, ovrhow, sizeof(ovrhow));
	xasprintf(&ph->how, "raw_tracepoint/sys_enter%s dispatch (%s)%s",
	    (ph->cfg.flags & (HOOK_F_AT_EXIT | HOOK_F_OVR_LSM)) ?
	    "+sys_exit" : "",
	    f->kprobes ? "one raw tracepoint for all syscalls "
	    "costs less than a kprobe each" :
	    "kprobe fallback: this kernel has no kprobes", ovrhow);
	return 0;
}

/* lsmhooks: a BPF LSM program instance per hook; Override = its return
 * value. */
static int
pl_hook_lsm(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct polset_features *f = &c->ps->feat;
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	char *fn;
	int r, ex;

	if (!f->lsm)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s", PL_MSG_NOLSM);
	if (!f->lsm_active)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "BPF LSM programs load, "
		    "but \"bpf\" is not in the active LSM list (%s): boot "
		    "with lsm=...,bpf", f->lsm_list[0] ? f->lsm_list :
		    "unreadable");
	if (h->call == NULL || h->call[0] == '\0')
		return pl_fail(c, ERR_PARSE, 0, 0, "lsmhook without hook");
	xasprintf(&fn, "bpf_lsm_%s", h->call);
	ex = pl_ksym_exists(fn);
	free(fn);
	if (ex == 0)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "no LSM hook \"%s\" in "
		    "this kernel (no bpf_lsm_%s)", h->call, h->call);
	if (h->ret || h->retarg.type != POL_ARG_NONE)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "lsmhooks have no return "
		    "value to report (the program is the check)");
	ph->cfg.kind = HOOK_K_LSM;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_FN;
	ph->fn_prog = "generic_lsm";
	ph->fn_target = h->call;
	if ((r = pl_kfn_args(c, types)) != 0)
		return r;
	ph->meta.function = xstrdup(h->call);
	xasprintf(&ph->how, "BPF LSM program on %s (one instance per hook); "
	    "Override = the hook's return value", h->call);
	return 0;
}

/* syscalls/sys_enter_X, sys_exit_X, raw_syscalls/sys_enter, sys_exit:
 * run from the raw syscall dispatch.  Field index -> syscall argument. */
static int
pl_hook_tp_sys(struct pl_ctx *c, const struct tpfield *f, size_t nf,
    int raw, int is_exit, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const struct pol_arg *a;
	struct hook_arg *ha;
	enum pol_arg_type t;
	const char *name;
	size_t i, j, k;
	int nr = -1, r, restricted;

	ph->cfg.kind = HOOK_K_SYSCALL;
	ph->disp = PL_DISP_SYS;
	ph->nr_is_arg = -1;
	if (is_exit)
		ph->cfg.flags |= HOOK_F_AT_EXIT;
	if (!raw) {
		/* sys_enter_openat -> openat (the format names no number);
		   a few events carry the kernel's name: newstat -> stat */
		name = h->event + (is_exit ? 9 : 10);
		nr = policy_syscall_nr(name);
		if (nr < 0 && strncmp(name, "new", 3) == 0)
			nr = policy_syscall_nr(name + 3);
		if (nr < 0 || nr >= HOOK_SYSCALLS_MAX)
			return pl_fail(c, ERR_NOTFOUND, 0, 0, "no syscall "
			    "number for this tracepoint on this "
			    "architecture");
		ph->cfg.syscall_nr = nr;
		pl_nr_set(ph, nr);
	} else
		ph->cfg.syscall_nr = -1;
	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		a = &h->args[i];
		ha = &ph->cfg.args[i];
		if (a->index < 0 || (size_t)a->index >= nf)
			return pl_fail(c, ERR_RANGE, a->line, a->col, "field "
			    "index %d: the format has %zu fields (common_* "
			    "included)", a->index, nf);
		if (a->index < PL_TP_NR_FIELD)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "field "
			    "%d (%s) is not available when the tracepoint "
			    "runs through raw_tracepoint/sys_%s", a->index,
			    f[a->index].name, is_exit ? "exit" : "enter");
		t = a->type;
		if (a->index == PL_TP_NR_FIELD) {
			/* __syscall_nr / id */
			if (t == POL_ARG_AUTO || t == POL_ARG_SYSCALL64)
				t = raw ? POL_ARG_SYSCALL64 : POL_ARG_INT;
			if (!pl_type_is_int(t) && t != POL_ARG_SYSCALL64)
				return pl_fail(c, ERR_PARSE, a->line, a->col,
				    "field %s is a number, not %s",
				    f[a->index].name, pl_type_name(a));
			ha->src_kind = HOOK_SRC_SYSNR;
			ha->type = (uint8_t)t;
			if (raw)
				ph->nr_is_arg = (int)i;
		} else if (is_exit) {
			/* ret (sys_exit_X: field 5; raw_syscalls/sys_exit:
			   field 5) */
			if (t == POL_ARG_AUTO)
				t = POL_ARG_INT64;
			if (!pl_type_is_int(t))
				return pl_fail(c, ERR_PARSE, a->line, a->col,
				    "field %s is a number, not %s",
				    f[a->index].name, pl_type_name(a));
			ha->src_kind = HOOK_SRC_RETVAL;
			ha->type = (uint8_t)t;
			if (pl_type_signed(t))
				ha->flags |= HOOK_ARGF_SIGNED;
		} else if (raw) {
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "field "
			    "%d (the args array of raw_syscalls/sys_enter) is "
			    "not supported: hook the syscall's own "
			    "tracepoint or a syscall kprobe", a->index);
		} else {
			const struct tpfield *fd = &f[a->index];

			if (t == POL_ARG_AUTO)
				t = pl_is_char_ptr(fd) ? POL_ARG_STRING :
				    strchr(fd->type, '*') != NULL ?
				    POL_ARG_UINT64 : pl_tp_int_type(fd, 1);
			if (pl_type_is_kptr(t))
				return pl_fail(c, ERR_UNSUPP, a->line, a->col,
				    "type %s needs a kprobe on a kernel "
				    "function", pl_type_name(a));
			if (t == POL_ARG_DATA_LOC || t == POL_ARG_SYSCALL64)
				return pl_fail(c, ERR_PARSE, a->line, a->col,
				    "field %s is not a %s", fd->name,
				    pl_type_name(a));
			ha->src_kind = HOOK_SRC_SYSARG;
			ha->src = (uint8_t)(a->index - PL_TP_FIRST_ARG);
			if ((r = pl_arg_common(c, a, ha, t)) != 0)
				return r;
		}
		if (ha->max == 0)
			ha->max = HOOK_ARG_DATA_MAX;
		types[i] = t;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	if (h->ret || h->retarg.type != POL_ARG_NONE)
		return pl_fail(c, ERR_PARSE, 0, 0, "a tracepoint has no return "
		    "value (sys_exit tracepoints: the ret field)");
	if (!raw) {
		xasprintf(&ph->how, "tracepoint %s/%s via raw_tracepoint/%s",
		    h->subsystem, h->event, is_exit ? "sys_exit" : "sys_enter");
		return 0;
	}
	/* raw_syscalls: hooked on every syscall number the selectors allow.
	   A selector without InMap/Equal on the id allows all of them. */
	restricted = ph->nr_is_arg >= 0 && h->nselectors > 0;
	for (i = 0; restricted && i < h->nselectors; i++) {
		const struct pol_selector *s = &h->selectors[i];
		int sel_restricted = 0;

		for (j = 0; j < s->nmatchargs; j++) {
			const struct pol_matcharg *m = &s->matchargs[j];

			if (m->arg != ph->nr_is_arg || (m->op != POL_OP_INMAP &&
			    m->op != POL_OP_EQUAL))
				continue;
			sel_restricted = 1;
			for (k = 0; k < m->nvalues; k++) {
				uint64_t x;

				for (x = m->values[k].lo; x <=
				    m->values[k].hi && x < HOOK_SYSCALLS_MAX;
				    x++)
					pl_nr_set(ph, (int)x);
			}
			break;
		}
		if (!sel_restricted)
			restricted = 0;
	}
	if (!restricted) {
		memset(ph->nrs, 0, sizeof(ph->nrs));
		ph->nnrs = 0;
		for (i = 0; i < HOOK_SYSCALLS_MAX; i++)
			pl_nr_set(ph, (int)i);
		xasprintf(&ph->how, "tracepoint %s/%s via raw_tracepoint/%s "
		    "on every syscall (no InMap/Equal on the syscall id)",
		    h->subsystem, h->event, is_exit ? "sys_exit" : "sys_enter");
	} else
		xasprintf(&ph->how, "tracepoint %s/%s via raw_tracepoint/%s "
		    "on %zu syscalls", h->subsystem, h->event,
		    is_exit ? "sys_exit" : "sys_enter", ph->nnrs);
	if (ph->nnrs == 0)
		return pl_fail(c, ERR_RANGE, 0, 0, "the selectors allow no "
		    "syscall number below %d", HOOK_SYSCALLS_MAX);
	return 0;
}

static int
pl_hook_tp(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct tpfield *f, *fd;
	const struct pol_arg *a;
	struct hook_arg *ha;
	enum pol_arg_type t;
	size_t i, nf = 0;
	int r;

	if (h->kind == POL_HOOK_RAW_TRACEPOINT)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "raw: true (BTF-typed "
		    "raw tracepoint arguments) is not supported by this "
		    "engine; use the tracepoint's format fields (raw: false)");
	f = xcalloc(PL_TP_FIELDS, sizeof(*f));
	if ((r = pl_tp_format(c, h->subsystem, h->event, f, &nf,
	    &ph->tp_id)) != 0)
		goto out;
	if (strcmp(h->subsystem, "syscalls") == 0 &&
	    (strncmp(h->event, "sys_enter_", 10) == 0 ||
	    strncmp(h->event, "sys_exit_", 9) == 0)) {
		r = pl_hook_tp_sys(c, f, nf, 0,
		    strncmp(h->event, "sys_exit_", 9) == 0, types);
		goto out;
	}
	if (strcmp(h->subsystem, "raw_syscalls") == 0 &&
	    (strcmp(h->event, "sys_enter") == 0 ||
	    strcmp(h->event, "sys_exit") == 0)) {
		r = pl_hook_tp_sys(c, f, nf, 1,
		    strcmp(h->event, "sys_exit") == 0, types);
		goto out;
	}
	ph->cfg.kind = HOOK_K_TRACEPOINT;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_TP;
	r = ERR_RANGE;
	if (h->nargs > HOOK_ARGS_MAX) {
		pl_fail(c, r, 0, 0, "%zu args: at most %d", h->nargs,
		    HOOK_ARGS_MAX);
		goto out;
	}
	for (i = 0; i < h->nargs; i++) {
		a = &h->args[i];
		ha = &ph->cfg.args[i];
		if (a->index < 0 || (size_t)a->index >= nf) {
			r = pl_fail(c, ERR_RANGE, a->line, a->col, "field "
			    "index %d: %s/%s has %zu fields (common_* "
			    "included)", a->index, h->subsystem, h->event, nf);
			goto out;
		}
		fd = &f[a->index];
		t = a->type;
		if (t == POL_ARG_AUTO) {
			if (fd->dataloc)
				t = POL_ARG_DATA_LOC;
			else if (fd->array)
				t = POL_ARG_CONST_BUF;
			else if (strchr(fd->type, '*') != NULL)
				t = POL_ARG_UINT64;
			else
				t = pl_tp_int_type(fd, 1);
		}
		if (pl_type_is_kptr(t) && t != POL_ARG_FILENAME) {
			r = pl_fail(c, ERR_UNSUPP, a->line, a->col, "type %s "
			    "needs a kprobe or raw tracepoint (BTF) argument; "
			    "tracepoint fields are numbers and strings",
			    pl_type_name(a));
			goto out;
		}
		ha->src_kind = HOOK_SRC_TPFIELD;
		ha->off = (uint16_t)fd->off;
		ha->size = (uint16_t)fd->size;
		if (fd->dataloc)
			ha->flags |= HOOK_ARGF_DATA_LOC;
		if ((pl_type_is_int(t) && fd->dataloc) ||
		    (t == POL_ARG_DATA_LOC && !fd->dataloc)) {
			r = pl_fail(c, ERR_PARSE, a->line, a->col, "field %s "
			    "(%s) cannot be read as %s", fd->name, fd->decl,
			    pl_type_name(a));
			goto out;
		}
		if ((r = pl_arg_common(c, a, ha, t)) != 0)
			goto out;
		if (fd->array && !fd->dataloc && ha->max > fd->size)
			ha->max = (uint16_t)fd->size;
		types[i] = t;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	if (h->ret || h->retarg.type != POL_ARG_NONE) {
		r = pl_fail(c, ERR_PARSE, 0, 0, "a tracepoint has no return "
		    "value");
		goto out;
	}
	xasprintf(&ph->how, "tracepoint %s/%s", h->subsystem, h->event);
	r = 0;
out:
	free(f);
	return r;
}

static int
pl_hook_uprobe(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i;
	int r;

	if (h->path == NULL || h->symbol == NULL)
		return pl_fail(c, ERR_PARSE, 0, 0, "uprobe without path or "
		    "symbol");
	if (h->path[0] != '/')
		return pl_fail(c, ERR_PARSE, 0, 0, "uprobe path must be "
		    "absolute");
	if (access(h->path, R_OK) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "%s: %s", h->path,
		    strerror(errno));
	if (h->ret || h->retarg.type != POL_ARG_NONE)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "return probes on uprobes "
		    "are not supported by the generic programs yet");
	ph->cfg.kind = HOOK_K_UPROBE;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_UPROBE;
	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	for (i = 0; i < h->nargs; i++) {
		if ((r = pl_arg_reg(c, &h->args[i], &ph->cfg.args[i],
		    HOOK_SRC_REG)) != 0)
			return r;
		if (h->args[i].return_copy)
			return pl_fail(c, ERR_UNSUPP, h->args[i].line,
			    h->args[i].col, "returnCopy on a uprobe is not "
			    "supported (no return probe)");
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)h->nargs;
	ph->meta.function = xstrdup(h->symbol);
	xasprintf(&ph->how, "uprobe %s:%s", h->path, h->symbol);
	return 0;
}

static char *
pl_tags_json(const struct pol_hook *h)
{
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb);
	sbuf_addc(&sb, '[');
	for (i = 0; i < h->ntags; i++) {
		if (i > 0)
			sbuf_addc(&sb, ',');
		sbuf_add_json_str(&sb, h->tags[i], strlen(h->tags[i]));
	}
	sbuf_addc(&sb, ']');
	return sb.buf;
}

static char *
pl_strdup0(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/* Everything but id/gen of the collector's metadata. */
static void
pl_meta(struct pl_ctx *c, const enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct ipc_hook *m = &ph->meta;
	size_t i, j;

	m->kind = (uint32_t)h->kind;
	m->mode = (uint32_t)c->pol->mode;
	m->policy = pl_strdup0(c->pol->name);
	if (m->function == NULL)
		m->function = pl_strdup0(h->kind == POL_HOOK_UPROBE ?
		    h->symbol : h->call);
	m->subsys = pl_strdup0(h->subsystem);
	m->event = pl_strdup0(h->event);
	m->path = pl_strdup0(h->path);
	m->message = pl_strdup0(h->message);
	m->tags_json = pl_tags_json(h);
	m->nargs = ph->cfg.nargs;
	for (i = 0; i < IPC_HOOK_ARGS; i++) {
		m->arg_type[i] = i < ph->cfg.nargs ? (uint32_t)types[i] : 0;
		m->arg_label[i] = pl_strdup0(i < h->nargs ?
		    h->args[i].label : NULL);
	}
	m->ret_type = ph->cfg.ret.type;
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		const char *url = NULL, *fqdn = NULL;

		for (j = 0; i < h->nselectors &&
		    j < h->selectors[i].nactions; j++) {
			const struct pol_action *a =
			    &h->selectors[i].actions[j];

			if (a->kind == POL_ACT_GETURL)
				url = a->arg_url;
			if (a->kind == POL_ACT_DNSLOOKUP)
				fqdn = a->arg_fqdn;
		}
		m->sel_url[i] = pl_strdup0(url);
		m->sel_fqdn[i] = pl_strdup0(fqdn);
	}
}

/*
 * Network hooks through cgroup sock_addr programs (bpf/net.bpf.c).
 *
 * A kprobe guarding connect (syscall connect with a sockaddr argument,
 * security_socket_connect, tcp_connect) or sendto whose selectors ask for
 * Override cannot make the call fail on a kernel with neither BPF LSM nor
 * bpf_override_return; a cgroup/connect4+connect6 (sendto:
 * sendmsg4+sendmsg6) program attached to the cgroup2 root can (returning 0
 * fails the call with EPERM, bpf_set_retval with another error).  So:
 * - syscall hooks (PL_NET_SPLIT) keep running from the syscall dispatch,
 *   where their Override selectors become NoPost, and get a cgroup copy
 *   (an aux slot, HOOK_F_NET_OVR_ONLY) that evaluates the selectors up to
 *   the last Override one in order and acts, and posts, only when an
 *   Override selector wins;
 * - kernel-function hooks (PL_NET_WHOLE) run entirely in the cgroup
 *   programs (there is no kprobe program to run them otherwise).
 * Whatever those programs cannot evaluate exactly is refused, naming the
 * missing kernel feature and what to write instead.
 */

#define PL_NET_WHY	"(no BPF LSM, no bpf_override_return)"

static int
pl_sel_any_override(const struct pol_hook *h)
{
	size_t i;

	for (i = 0; i < h->nselectors; i++)
		if (pl_sel_override(&h->selectors[i]))
			return 1;
	return 0;
}

/* "cgroup/connect4+connect6" or "cgroup/sendmsg4+sendmsg6" */
static const char *
pl_net_progs(const struct pl_ctx *c)
{
	return c->net_d[0] == NET_D_CONNECT4 ? "cgroup/connect4+connect6" :
	    "cgroup/sendmsg4+sendmsg6";
}

/* Is h a call the cgroup programs can stand in for?  Sets c->net_d,
 * c->net_src, c->net_tcp. */
static int
pl_net_call(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	const struct pol_arg *a;
	int addr = -1, sock = -1;
	uint8_t socksrc = HOOK_SRC_NET_NONE;
	size_t i;

	c->net_tcp = 0;
	c->net_d[0] = NET_D_CONNECT4;
	c->net_d[1] = NET_D_CONNECT6;
	if (h->kind != POL_HOOK_KPROBE || h->fentry || h->call == NULL)
		return 0;
	if (h->syscall) {
		if (h->syscall_nr >= 0 &&
		    h->syscall_nr == policy_syscall_nr("connect"))
			addr = 1;
		else if (h->syscall_nr >= 0 &&
		    h->syscall_nr == policy_syscall_nr("sendto")) {
			addr = 4;
			c->net_d[0] = NET_D_SENDMSG4;
			c->net_d[1] = NET_D_SENDMSG6;
		} else
			return 0;
	} else if (strcmp(h->call, "security_socket_connect") == 0) {
		addr = 1;
		sock = 0;
		socksrc = HOOK_SRC_NET_SOCK;
	} else if (strcmp(h->call, "tcp_connect") == 0) {
		sock = 0;
		socksrc = HOOK_SRC_NET_CONN;
		c->net_tcp = 1;
	} else
		return 0;
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		c->net_src[i] = HOOK_SRC_NET_NONE;
		if (i >= h->nargs)
			continue;
		a = &h->args[i];
		if (a->index == addr && a->type == POL_ARG_SOCKADDR)
			c->net_src[i] = HOOK_SRC_NET_ADDR;
		else if (a->index == sock && (a->type == POL_ARG_SOCK ||
		    a->type == POL_ARG_SOCKET))
			c->net_src[i] = socksrc;
	}
	return 1;
}

/* Can operator op be evaluated on an argument of source src?  NULL if
 * so, else why not. */
static const char *
pl_net_op(uint8_t src, enum pol_op op)
{
	switch (op) {
	case POL_OP_FAMILY:
	case POL_OP_DADDR: case POL_OP_NOTDADDR:
	case POL_OP_DPORT: case POL_OP_NOTDPORT:
	case POL_OP_DPORTPRIV: case POL_OP_NOTDPORTPRIV:
		return NULL;
	case POL_OP_SADDR: case POL_OP_NOTSADDR:
	case POL_OP_SPORT: case POL_OP_NOTSPORT:
	case POL_OP_SPORTPRIV: case POL_OP_NOTSPORTPRIV:
		if (src == HOOK_SRC_NET_CONN)
			return "the source address and port of a tcp_connect "
			    "socket are chosen after cgroup/connect4/6 runs";
		return NULL;
	case POL_OP_PROTOCOL:
	case POL_OP_STATE:
		if (src == HOOK_SRC_NET_ADDR)
			return "a sockaddr has no protocol or state";
		return NULL;
	default:
		return "not an address, port, family, protocol or state "
		    "operator";
	}
}

/* Does the selector only match IPv4/IPv6 sockets (what cgroup/connect4/6
 * see)?  A positive Family with only AF_INET/AF_INET6, or a positive
 * address match, says so. */
static int
pl_net_inet_only(const struct pl_ctx *c, const struct pol_selector *s)
{
	const struct pol_matcharg *m;
	size_t i, j;
	int ok;

	for (i = 0; i < s->nmatchargs; i++) {
		m = &s->matchargs[i];
		if (m->arg < 0 || m->arg >= HOOK_ARGS_MAX ||
		    c->net_src[m->arg] == HOOK_SRC_NET_NONE)
			continue;
		if (m->op == POL_OP_SADDR || m->op == POL_OP_DADDR)
			return 1;
		if (m->op != POL_OP_FAMILY || m->nvalues == 0)
			continue;
		for (ok = 1, j = 0; j < m->nvalues; j++)
			if (m->values[j].lo != 2 && m->values[j].lo != 10)
				ok = 0;
		if (ok)
			return 1;
	}
	return 0;
}

/* Check selectors 0..nsel-1 for what the cgroup programs can do. */
static int
pl_net_check(struct pl_ctx *c, size_t nsel, int whole)
{
	const struct pol_hook *h = c->h;
	const struct pol_selector *s;
	const struct pol_matcharg *m;
	const struct pol_action *a;
	const struct polset_features *f = &c->ps->feat;
	const char *progs = pl_net_progs(c), *why;
	size_t i, j;

	for (i = 0; i < nsel; i++) {
		s = &h->selectors[i];
		if (s->nretargs > 0 || s->nretactions > 0)
			return pl_fail(c, ERR_UNSUPP, s->line, s->col,
			    "selector %zu: matchReturnArgs/matchReturnActions: "
			    "%s run before the call returns %s", i + 1, progs,
			    PL_NET_WHY);
		for (j = 0; j < s->nmatchargs; j++) {
			m = &s->matchargs[j];
			if (m->arg < 0 || m->arg >= HOOK_ARGS_MAX ||
			    (size_t)m->arg >= h->nargs)
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "matchArgs refers to argument %d, the hook "
				    "has %zu", m->arg, h->nargs);
			if (c->net_src[m->arg] == HOOK_SRC_NET_NONE)
				return pl_fail(c, ERR_UNSUPP, m->line, m->col,
				    "matchArgs on argument index %d (%s): %s, "
				    "which stand in for this hook %s, do not "
				    "see it; filter on the %s", h->args[m->arg].
				    index, pl_type_name(&h->args[m->arg]),
				    progs, PL_NET_WHY, c->net_tcp ? "sock" :
				    "sockaddr");
			if ((why = pl_net_op(c->net_src[m->arg], m->op)) !=
			    NULL)
				return pl_fail(c, ERR_UNSUPP, m->line, m->col,
				    "operator %s on a %s argument cannot be "
				    "evaluated by %s: %s", policy_op_name(m->op),
				    pl_type_name(&h->args[m->arg]), progs, why);
		}
		/* a syscall hook's cgroup copy only acts for its Override
		   selectors: the others' actions run in the syscall copy */
		for (j = 0; (whole || pl_sel_override(s)) &&
		    j < s->nactions; j++) {
			a = &s->actions[j];
			switch (a->kind) {
			case POL_ACT_POST:
				if (a->rate_limit_ms != 0)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "rateLimit is not supported "
					    "on hooks run by %s", progs);
				break;
			case POL_ACT_NOPOST:
			case POL_ACT_GETURL:
			case POL_ACT_DNSLOOKUP:
				break;
			case POL_ACT_OVERRIDE:
				if (a->arg_error == -1 || a->arg_error == 1)
					break;
				if (a->arg_error > 0)
					return pl_fail(c, ERR_PARSE, a->line,
					    a->col, "argError %d: not an error "
					    "number (-1 or 1: EPERM; -N: errno "
					    "N)", a->arg_error);
				if (!f->cg_retval)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "argError %d: %s can only "
					    "fail the call with EPERM (argError "
					    "-1) on this kernel (no "
					    "bpf_set_retval in cgroup programs); "
					    "other errors need bpf_override_"
					    "return or BPF LSM", a->arg_error,
					    progs);
				break;
			case POL_ACT_SIGKILL:
			case POL_ACT_SIGNAL:
				if (!f->cg_signal)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "%s from %s needs "
					    "bpf_send_signal in cgroup programs, "
					    "which this kernel refuses (and it "
					    "has no kprobes to send it from); "
					    "use Override to block the call",
					    policy_action_name(a->kind), progs);
				break;
			default:
				return pl_fail(c, ERR_UNSUPP, a->line, a->col,
				    "action %s is not supported on hooks run "
				    "by %s", policy_action_name(a->kind),
				    progs);
			}
		}
		if (!c->net_tcp && (whole || pl_sel_override(s)) &&
		    !pl_net_inet_only(c, s))
			return pl_fail(c, ERR_UNSUPP, s->line, s->col,
			    "selector %zu: %s see only IPv4 and IPv6 sockets; "
			    "restrict the selector to them (matchArgs Family "
			    "AF_INET, AF_INET6, or an address) so that it "
			    "means the same for every family", i + 1, progs);
	}
	return 0;
}

/*
 * Decide how hook c->h runs (PL_NET_NO: as any other hook), load the
 * network programs if it needs them, and check its selectors.
 */
static int
pl_net_route(struct pl_ctx *c, enum pl_net *route)
{
	const struct pol_hook *h = c->h;
	const struct polset_features *f = &c->ps->feat;
	char err[256];
	const char *progs, *base;
	int ovr, have, r;
	size_t i, nsel;

	*route = PL_NET_NO;
	if (!pl_net_call(c))
		return 0;
	ovr = pl_sel_any_override(h);
	if (h->syscall) {
		/* LSM socket_connect/socket_sendmsg or override_return */
		if (!ovr || (f->lsm && f->lsm_active) ||
		    (f->override && f->kprobes))
			return 0;
		*route = PL_NET_SPLIT;
		base = PL_MSG_OVERRIDE;
	} else {
		/* kernel functions: a kprobe (or fmod_ret for an Override
		   of a security_* function) when the kernel has them, else
		   the cgroup programs run the hook */
		if (!ovr && f->kprobes)
			return 0;
		if (ovr && f->fmod_ret && h->call != NULL &&
		    strncmp(h->call, "security_", 9) == 0)
			return 0;
		*route = PL_NET_WHOLE;
		base = !f->kprobes ? PL_MSG_NOKPROBES :
		    "Override on this kernel function needs fmod_ret on a "
		    "security_* function or bpf_override_return";
	}
	progs = pl_net_progs(c);
	have = c->net_d[0] == NET_D_CONNECT4 ?
	    f->cg_connect4 && f->cg_connect6 :
	    f->cg_sendmsg4 && f->cg_sendmsg6;
	if (f->cgroup2[0] == '\0')
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s, and %s cannot stand "
		    "in: no cgroup2 hierarchy is mounted", base, progs);
	if (!have)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s, and %s cannot stand "
		    "in: this kernel refuses them (CONFIG_CGROUP_BPF)", base,
		    progs);
	if (c->ps->net == NULL) {
		if ((r = netl_open(&c->ps->net, c->ps->b, c->ps->obj,
		    f->cgroup2, f->cg_signal, f->cg_retval, err,
		    sizeof(err))) != 0)
			return pl_fail(c, r, 0, 0, "%s, and %s cannot stand "
			    "in: %s", base, progs, err);
		c->ps->fd_net = netl_hooks_fd(c->ps->net);
	}
	if (*route == PL_NET_WHOLE) {
		if (h->ret || h->retarg.type != POL_ARG_NONE)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "%s; %s, which run "
			    "this hook instead, do not see its return value",
			    base, progs);
		return pl_net_check(c, h->nselectors, 1);
	}
	/* the cgroup copy evaluates up to the last Override selector */
	for (nsel = 0, i = 0; i < h->nselectors; i++)
		if (pl_sel_override(&h->selectors[i]))
			nsel = i + 1;
	return pl_net_check(c, nsel, 0);
}

/* Config of a HOOK_K_NET slot for c->h into c->ph. */
static void
pl_net_cfg(struct pl_ctx *c, int ovr_only, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i;

	ph->cfg.kind = HOOK_K_NET;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_NET;
	ph->net_mask = (uint8_t)((1U << c->net_d[0]) | (1U << c->net_d[1]));
	for (i = 0; i < h->nargs && i < HOOK_ARGS_MAX; i++) {
		ph->cfg.args[i].type = (uint8_t)h->args[i].type;
		ph->cfg.args[i].src_kind = c->net_src[i];
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)i;
	if (c->net_tcp)
		ph->cfg.flags |= HOOK_F_NET_TCP;
	if (ovr_only)
		ph->cfg.flags |= HOOK_F_NET_OVR_ONLY;
}

/* PL_NET_WHOLE: the hook itself runs in the cgroup programs. */
static int
pl_hook_net(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const struct polset_features *f = &c->ps->feat;

	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	pl_net_cfg(c, 0, types);
	ph->meta.function = xstrdup(h->call);
	if (pl_sel_any_override(h))
		xasprintf(&ph->how, "enforced by %s on %s %s%s",
		    pl_net_progs(c), f->cgroup2, PL_NET_WHY,
		    c->net_tcp ? ", TCP sockets only" : "");
	else
		xasprintf(&ph->how, "run by %s on %s (%s)%s",
		    pl_net_progs(c), f->cgroup2, f->kprobes ?
		    "no kprobe program yet" : "no kprobes on this kernel",
		    c->net_tcp ? ", TCP sockets only" : "");
	c->selmode = PL_SEL_NET;
	return 0;
}

/* PL_NET_SPLIT: the cgroup copy of the syscall hook just compiled. */
static int
pl_net_aux(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *parent = c->ph, *ph;
	const struct polset_features *f = &c->ps->feat;
	char *how;
	size_t i, nsel = 0;
	int r;

	for (i = 0; i < h->nselectors; i++)
		if (pl_sel_override(&h->selectors[i]))
			nsel = i + 1;
	ph = &c->pe->hooks[c->pe->nhooks++];
	ph->h = h;
	ph->aux = 1;
	ph->kind = parent->kind;
	ph->target = xstrdup(parent->target);
	ph->nr_is_arg = -1;
	parent->auxph = ph;
	c->ph = ph;
	pl_net_cfg(c, 1, types);
	if (c->pol->mode == POL_MODE_MONITOR)
		ph->cfg.flags |= HOOK_F_MONITOR;
	ph->cfg.flags |= HOOK_F_ENABLED;
	c->selmode = PL_SEL_NET;
	c->nsel_max = nsel;
	r = pl_selectors(c, types);
	c->nsel_max = 0;
	c->selmode = PL_SEL_NORMAL;
	if (r == 0) {
		ph->meta.function = xstrdup(parent->meta.function);
		pl_meta(c, types);
		xasprintf(&ph->how, "Override selectors of the syscall hook "
		    "through %s on %s %s", pl_net_progs(c), f->cgroup2,
		    PL_NET_WHY);
		xasprintf(&how, "%s; Override enforced by %s on %s %s",
		    parent->how, pl_net_progs(c), f->cgroup2, PL_NET_WHY);
		free(parent->how);
		parent->how = how;
	}
	c->ph = parent;
	return r;
}

/* Compile hook c->h into c->ph.  0 (ph->skipped may be set) or an error. */
static int
pl_compile_hook(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	enum pol_arg_type types[HOOK_ARGS_MAX];
	enum pl_net route = PL_NET_NO;
	int r;

	memset(types, 0, sizeof(types));
	ph->h = h;
	ph->kind = pl_hook_kind(h);
	ph->target = pl_hook_target(h);
	ph->nr_is_arg = -1;
	c->selmode = PL_SEL_NORMAL;
	c->nsel_max = 0;
	c->ovr_no = "Override is not possible on this kind of hook "
	    "(tracepoints and uprobes cannot change a result)";
	if (h->kind == POL_HOOK_LSM)
		c->ovr_no = NULL;
	switch (h->kind) {
	case POL_HOOK_KPROBE:
		if (h->syscall && !h->fentry && h->syscall_nr < 0 &&
		    h->ignore_call_not_found) {
			ph->skipped = 1;
			xasprintf(&ph->how, "skipped (ignore.callNotFound): "
			    "no such syscall on this architecture");
			return 0;
		}
		if ((r = pl_net_route(c, &route)) != 0)
			break;
		if (route == PL_NET_WHOLE) {
			r = pl_hook_net(c, types);
			break;
		}
		if (route == PL_NET_SPLIT)
			c->selmode = PL_SEL_SYSCOPY;
		r = pl_hook_kprobe(c, types);
		break;
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		r = pl_hook_tp(c, types);
		break;
	case POL_HOOK_UPROBE:
		r = pl_hook_uprobe(c, types);
		break;
	case POL_HOOK_LSM:
		r = pl_hook_lsm(c, types);
		break;
	default:
		r = pl_fail(c, ERR_PARSE, 0, 0, "unknown hook kind %d",
		    (int)h->kind);
		break;
	}
	if (r == ERR_UNSUPP && h->kind == POL_HOOK_KPROBE &&
	    h->ignore_call_not_found && !h->syscall && !h->fentry &&
	    !c->ps->feat.kprobes) {
		/* the call cannot be found because nothing can be: skip */
		ph->skipped = 1;
		free(ph->how);
		xasprintf(&ph->how, "skipped (ignore.callNotFound): %s",
		    PL_MSG_NOKPROBES);
		log_info("policy %s: kprobe %s %s", c->pol->name, h->call,
		    ph->how);
		return 0;
	}
	if (r != 0)
		return r;
	if (c->pol->mode == POL_MODE_MONITOR)
		ph->cfg.flags |= HOOK_F_MONITOR;
	ph->cfg.flags |= HOOK_F_ENABLED;
	r = pl_selectors(c, types);
	c->selmode = PL_SEL_NORMAL;
	if (r != 0)
		return r;
	if (ph->cfg.kind == HOOK_K_SYSCALL &&
	    (ph->cfg.flags & HOOK_F_OVR_LSM) &&
	    (ph->cfg.flags & HOOK_F_AT_EXIT))
		return pl_fail(c, ERR_UNSUPP, 0, 0, "Override on a syscall "
		    "hook is decided at the syscall's entry, but return, "
		    "returnArg, returnCopy or matchReturnArgs make this hook "
		    "decide at its exit, after the call ran; split it into "
		    "two hooks");
	pl_meta(c, types);
	if (route == PL_NET_SPLIT)
		return pl_net_aux(c, types);
	return 0;
}

/*
 * Kernel state.
 */

static void
pl_ph_clear(struct ph *ph)
{
	free(ph->target);
	free(ph->how);
	free(ph->sel);
	bpf_link__destroy(ph->link);
	ipc_hook_clear(&ph->meta);
}

static void
pl_pent_free(struct pent *pe)
{
	size_t i;

	if (pe == NULL)
		return;
	for (i = 0; i < pe->nhooks; i++)
		pl_ph_clear(&pe->hooks[i]);
	free(pe->hooks);
	free(pe->inmap);
	policy_free(pe->pol);
	free(pe);
}

/* Wait until no BPF program still runs with values read before now: an
 * update of an array-of-maps waits for an RCU grace period
 * (kernel/bpf/syscall.c maybe_wait_bpf_programs). */
static void
pl_barrier(struct polset *ps)
{
	uint32_t key = 0;

	if (bpf_map_update_elem(ps->barrier_fd, &key, &ps->inner_fd,
	    BPF_ANY) != 0) {
		log_warn("policy: RCU barrier map update");
		usleep(50000);
	}
}

static int
pl_stats_zero(struct polset *ps, uint32_t id)
{
	struct hook_stat *v;
	int r;

	v = xcalloc((size_t)ps->ncpus, sizeof(*v));
	r = bpf_map_update_elem(ps->fd_stats, &id, v, BPF_ANY);
	free(v);
	return r;
}

static void
pl_stats_get(struct polset *ps, uint32_t id, struct hook_stat *out)
{
	struct hook_stat *v;
	int i;

	memset(out, 0, sizeof(*out));
	if (id == 0)
		return;
	v = xcalloc((size_t)ps->ncpus, sizeof(*v));
	if (bpf_map_lookup_elem(ps->fd_stats, &id, v) == 0) {
		for (i = 0; i < ps->ncpus; i++) {
			out->hits += v[i].hits;
			out->matched += v[i].matched;
			out->posted += v[i].posted;
			out->dropped += v[i].dropped;
			out->errors += v[i].errors;
			out->signals += v[i].signals;
			out->ratelimited += v[i].ratelimited;
			out->overrides += v[i].overrides;
			out->ovr_missed += v[i].ovr_missed;
		}
	}
	free(v);
}

/* Write slot id: selectors, stats, then the config. */
static int
pl_slot_write(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	uint32_t key, i;

	for (i = 0; i < HOOK_SEL_MAX; i++) {
		key = ph->id * HOOK_SEL_MAX + i;
		if (bpf_map_update_elem(ps->fd_sel, &key, &ph->sel[i],
		    BPF_ANY) != 0)
			goto fail;
	}
	if (pl_stats_zero(ps, ph->id) != 0)
		goto fail;
	key = ph->id;
	if (bpf_map_update_elem(ps->fd_hooks, &key, &ph->cfg, BPF_ANY) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "write hook slot %u: %s", ph->id,
	    strerror(errno));
	return ERR_SYS;
}

static void
pl_slot_clear(struct polset *ps, uint32_t id)
{
	struct hook_cfg cfg;
	struct sel_cfg *sel;
	uint32_t key, i;

	memset(&cfg, 0, sizeof(cfg));
	key = id;
	if (bpf_map_update_elem(ps->fd_hooks, &key, &cfg, BPF_ANY) != 0)
		log_warn("policy: clear hook slot %u", id);
	sel = xcalloc(1, sizeof(*sel));
	for (i = 0; i < HOOK_SEL_MAX; i++) {
		key = id * HOOK_SEL_MAX + i;
		(void)bpf_map_update_elem(ps->fd_sel, &key, sel, BPF_ANY);
	}
	free(sel);
	ps->used[id] = 0;
}

static int
pl_inmap_write(struct polset *ps, struct pent *pe, char *err, size_t errlen)
{
	uint8_t one = 1;
	size_t i;

	if (pe->ninmap == 0)
		return 0;
	if (ps->fd_inmap < 0 || ps->inmap_used + pe->ninmap > ps->inmap_max) {
		snprintf(err, errlen, "%s: InMap values: %zu needed, %zu of "
		    "%u free", pe->pol->file ? pe->pol->file : pe->pol->name,
		    pe->ninmap, (size_t)ps->inmap_max - ps->inmap_used,
		    ps->inmap_max);
		return ERR_RANGE;
	}
	for (i = 0; i < pe->ninmap; i++) {
		if (bpf_map_update_elem(ps->fd_inmap, &pe->inmap[i], &one,
		    BPF_ANY) != 0) {
			snprintf(err, errlen, "write InMap values: %s",
			    strerror(errno));
			while (i-- > 0)
				(void)bpf_map_delete_elem(ps->fd_inmap,
				    &pe->inmap[i]);
			return ERR_SYS;
		}
	}
	ps->inmap_used += pe->ninmap;
	pe->inmap_written = 1;
	return 0;
}

static void
pl_inmap_clear(struct polset *ps, struct pent *pe)
{
	size_t i;

	if (!pe->inmap_written)
		return;
	for (i = 0; i < pe->ninmap; i++)
		(void)bpf_map_delete_elem(ps->fd_inmap, &pe->inmap[i]);
	ps->inmap_used -= pe->ninmap;
	pe->inmap_written = 0;
}

static struct tpatt *
pl_tp_find(struct polset *ps, uint32_t id)
{
	struct tpatt *t;

	TAILQ_FOREACH(t, &ps->tps, entry)
		if (t->id == id)
			return t;
	return NULL;
}

/* Take a reference on the tracepoint of ph, attaching the generic
 * tracepoint program on the first one. */
static int
pl_tp_ref(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tracepoint_opts, o);
	struct tpatt *t;
	struct bpf_link *l;

	if ((t = pl_tp_find(ps, ph->tp_id)) != NULL) {
		t->refs++;
		return 0;
	}
	/* the record's common_type is overwritten by perf (regs pointer)
	   before the program runs: the cookie says which tracepoint */
	o.bpf_cookie = ph->tp_id;
	l = bpf_program__attach_tracepoint_opts(ps->p_tp, ph->h->subsystem,
	    ph->h->event, &o);
	if (l == NULL) {
		snprintf(err, errlen, "attach tracepoint %s/%s: %s",
		    ph->h->subsystem, ph->h->event, strerror(errno));
		return ERR_SYS;
	}
	t = xcalloc(1, sizeof(*t));
	t->id = ph->tp_id;
	t->subsys = xstrdup(ph->h->subsystem);
	t->event = xstrdup(ph->h->event);
	t->link = l;
	t->refs = 1;
	TAILQ_INSERT_TAIL(&ps->tps, t, entry);
	log_info("policy: generic tracepoint program attached to %s/%s "
	    "(id %u)", t->subsys, t->event, t->id);
	return 0;
}

static void
pl_tp_unref(struct polset *ps, uint32_t id)
{
	struct tpatt *t;

	if ((t = pl_tp_find(ps, id)) == NULL || --t->refs > 0)
		return;
	bpf_link__destroy(t->link);
	log_info("policy: generic tracepoint program detached from %s/%s",
	    t->subsys, t->event);
	TAILQ_REMOVE(&ps->tps, t, entry);
	free(t->subsys);
	free(t->event);
	free(t);
}

/* Attach or detach raw_tracepoint/sys_enter and sys_exit to match the
 * number of syscall hooks. */
static int
pl_raw_sync(struct polset *ps, char *err, size_t errlen)
{
	if (ps->n_sys > 0 && ps->l_enter == NULL) {
		ps->l_enter = bpf_program__attach_raw_tracepoint(ps->p_enter,
		    "sys_enter");
		if (ps->l_enter == NULL) {
			snprintf(err, errlen, "attach raw_tracepoint/"
			    "sys_enter: %s", strerror(errno));
			return ERR_SYS;
		}
		log_info("policy: raw_tracepoint/sys_enter dispatch attached");
	}
	if (ps->n_exit > 0 && ps->l_exit == NULL) {
		ps->l_exit = bpf_program__attach_raw_tracepoint(ps->p_exit,
		    "sys_exit");
		if (ps->l_exit == NULL) {
			snprintf(err, errlen, "attach raw_tracepoint/"
			    "sys_exit: %s", strerror(errno));
			return ERR_SYS;
		}
		log_info("policy: raw_tracepoint/sys_exit dispatch attached");
	}
	if (ps->n_exit == 0 && ps->l_exit != NULL) {
		bpf_link__destroy(ps->l_exit);
		ps->l_exit = NULL;
		log_info("policy: raw_tracepoint/sys_exit dispatch detached "
		    "(no hook at syscall exit)");
	}
	if (ps->n_sys == 0 && ps->l_enter != NULL) {
		bpf_link__destroy(ps->l_enter);
		ps->l_enter = NULL;
		log_info("policy: raw_tracepoint/sys_enter dispatch detached "
		    "(no syscall hook)");
	}
	return 0;
}

/* Account for a slot dispatched by syscall number (d = +1 / -1). */
static void
pl_raw_count(struct polset *ps, const struct ph *ph, int d)
{
	if (ph->disp != PL_DISP_SYS)
		return;
	ps->n_sys += d;
	/* sys_exit also closes an LSM-carried Override */
	if (ph->cfg.flags & (HOOK_F_AT_EXIT | HOOK_F_OVR_LSM))
		ps->n_exit += d;
}

/* Account for a slot run by the cgroup programs (d = +1 / -1). */
static void
pl_net_count(struct polset *ps, const struct ph *ph, int delta)
{
	int d;

	if (ph->disp != PL_DISP_NET)
		return;
	for (d = 0; d < NET_D_MAX; d++)
		if (ph->net_mask & (1U << d))
			ps->n_net[d] += delta;
}

/* Attach or detach the cgroup programs to match n_net[] (a program on
 * the cgroup2 root runs for every connect: only while a hook needs it). */
static int
pl_net_sync(struct polset *ps, char *err, size_t errlen)
{
	int d, r;

	for (d = 0; d < NET_D_MAX; d++) {
		if (ps->n_net[d] > 0 &&
		    (r = netl_attach(ps->net, d, err, errlen)) != 0)
			return r;
		if (ps->n_net[d] <= 0)
			netl_detach(ps->net, d);
	}
	return 0;
}

/*
 * Dispatch lists.
 */

static int
pl_list_has(const struct hook_list *l, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < l->n && i < HOOK_PER_DISPATCH; i++)
		if (l->ids[i] == id)
			return 1;
	return 0;
}

static size_t
pl_list_count(const struct hook_list *l)
{
	uint32_t i;
	size_t n = 0;

	for (i = 0; i < l->n && i < HOOK_PER_DISPATCH; i++)
		if (l->ids[i] != 0)
			n++;
	return n;
}

/* Is ph dispatched through entry key (a syscall nr, tracepoint id or
 * NET_D_*) of dispatch kind d? */
static int
pl_ph_on(const struct ph *ph, enum pl_disp d, uint32_t key)
{
	if (ph->skipped || ph->disp != d)
		return 0;
	switch (d) {
	case PL_DISP_SYS:
		return key < HOOK_SYSCALLS_MAX && pl_nr_isset(ph, (int)key);
	case PL_DISP_TP:
		return ph->tp_id == key;
	case PL_DISP_NET:
		return key < NET_D_MAX && (ph->net_mask & (1U << key)) != 0;
	default:
		return 0;
	}
}

/*
 * New list from l: ids of oldp (may be NULL) replaced in place by ids of
 * newp (may be NULL) on the same entry; extra old ids become holes, extra
 * new ids fill holes then append; trailing holes are trimmed.
 */
static void
pl_list_edit(struct hook_list *l, const struct pent *oldp,
    const struct pent *newp, enum pl_disp d, uint32_t key)
{
	uint32_t newids[HOOK_MAX];
	size_t nnew = 0, k = 0, i;
	uint32_t j;

	for (i = 0; newp != NULL && i < newp->nhooks; i++) {
		const struct ph *ph = &newp->hooks[i];

		if (pl_ph_on(ph, d, key))
			newids[nnew++] = ph->id;
	}
	for (j = 0; j < l->n && j < HOOK_PER_DISPATCH; j++) {
		int isold = 0;

		for (i = 0; oldp != NULL && i < oldp->nhooks; i++)
			if (oldp->hooks[i].id != 0 &&
			    oldp->hooks[i].id == l->ids[j])
				isold = 1;
		if (!isold)
			continue;
		l->ids[j] = k < nnew ? newids[k++] : 0;
	}
	for (j = 0; j < HOOK_PER_DISPATCH && k < nnew; j++) {
		if (j < l->n && l->ids[j] != 0)
			continue;
		l->ids[j] = newids[k++];
		if (j >= l->n)
			l->n = j + 1;
	}
	while (l->n > 0 && l->ids[l->n - 1] == 0)
		l->n--;
	for (j = l->n; j < HOOK_PER_DISPATCH; j++)
		l->ids[j] = 0;
}

/* How many hooks would entry (nr or tp) carry after replacing oldp with
 * newp?  Checked before anything is written. */
static size_t
pl_list_after(const struct hook_list *l, const struct pent *oldp,
    const struct pent *newp, enum pl_disp d, uint32_t key)
{
	size_t n = pl_list_count(l), i;

	for (i = 0; oldp != NULL && i < oldp->nhooks; i++)
		if (oldp->hooks[i].id != 0 && pl_list_has(l,
		    oldp->hooks[i].id))
			n--;
	for (i = 0; newp != NULL && i < newp->nhooks; i++)
		if (pl_ph_on(&newp->hooks[i], d, key))
			n++;
	return n;
}

static int
pl_sys_write(struct polset *ps, int nr, const struct hook_list *l)
{
	uint32_t key = (uint32_t)nr;

	if (ps->sys_hash && l->n == 0) {
		if (bpf_map_delete_elem(ps->fd_sys, &key) != 0 &&
		    errno != ENOENT)
			return -1;
		return 0;
	}
	return bpf_map_update_elem(ps->fd_sys, &key, l, BPF_ANY);
}

static int
pl_tp_write(struct polset *ps, uint32_t id, const struct hook_list *l)
{
	if (ps->tp_hash && l->n == 0) {
		if (bpf_map_delete_elem(ps->fd_tp, &id) != 0 &&
		    errno != ENOENT)
			return -1;
		return 0;
	}
	return bpf_map_update_elem(ps->fd_tp, &id, l, BPF_ANY);
}

static int
pl_touches(const struct pent *p, enum pl_disp d, uint32_t key)
{
	size_t i;

	for (i = 0; p != NULL && i < p->nhooks; i++)
		if (pl_ph_on(&p->hooks[i], d, key))
			return 1;
	return 0;
}

static int
pl_net_write(struct polset *ps, int d, const struct hook_list *l)
{
	uint32_t key = (uint32_t)d;

	return bpf_map_update_elem(ps->fd_net, &key, l, BPF_ANY);
}

/* Check the dispatch capacity of replacing oldp by newp. */
static int
pl_disp_check(struct polset *ps, const struct pent *oldp,
    const struct pent *newp, char *err, size_t errlen)
{
	const char *file = newp->pol->file ? newp->pol->file : newp->pol->name;
	struct tpatt *t;
	struct hook_list empty;
	size_t i, n;
	int nr;

	for (nr = 0; nr < HOOK_SYSCALLS_MAX; nr++) {
		if (!pl_touches(newp, PL_DISP_SYS, (uint32_t)nr))
			continue;
		n = pl_list_after(&ps->sys[nr], oldp, newp, PL_DISP_SYS,
		    (uint32_t)nr);
		if (n > HOOK_PER_DISPATCH) {
			snprintf(err, errlen, "%s: %zu hooks on syscall %d "
			    "(with the policies already loaded): at most %d "
			    "hooks per syscall", file, n, nr,
			    HOOK_PER_DISPATCH);
			return ERR_RANGE;
		}
	}
	memset(&empty, 0, sizeof(empty));
	for (i = 0; i < newp->nhooks; i++) {
		const struct ph *ph = &newp->hooks[i];

		if (ph->skipped || ph->disp != PL_DISP_TP)
			continue;
		t = pl_tp_find(ps, ph->tp_id);
		n = pl_list_after(t != NULL ? &t->list : &empty, oldp, newp,
		    PL_DISP_TP, ph->tp_id);
		if (n > HOOK_PER_DISPATCH) {
			snprintf(err, errlen, "%s: %zu hooks on tracepoint "
			    "%s/%s (with the policies already loaded): at "
			    "most %d hooks per tracepoint", file, n,
			    ph->h->subsystem, ph->h->event,
			    HOOK_PER_DISPATCH);
			return ERR_RANGE;
		}
	}
	for (nr = 0; nr < NET_D_MAX; nr++) {
		if (!pl_touches(newp, PL_DISP_NET, (uint32_t)nr))
			continue;
		n = pl_list_after(&ps->netl[nr], oldp, newp, PL_DISP_NET,
		    (uint32_t)nr);
		if (n > HOOK_PER_DISPATCH) {
			snprintf(err, errlen, "%s: %zu hooks on %s (with the "
			    "policies already loaded): at most %d", file, n,
			    netl_section(nr), HOOK_PER_DISPATCH);
			return ERR_RANGE;
		}
	}
	return 0;
}

/* Saved dispatch state for undo. */
struct pl_undo {
	struct hook_list	 sys[HOOK_SYSCALLS_MAX];
	uint8_t			 sys_written[HOOK_SYSCALLS_MAX];
	struct tpatt		*tp[HOOK_MAX];
	struct hook_list	 tplist[HOOK_MAX];
	size_t			 ntp;
	struct hook_list	 net[NET_D_MAX];
	uint8_t			 net_written[NET_D_MAX];
};

/*
 * Switch every dispatch entry from oldp's hooks to newp's (either may be
 * NULL), one map update per entry.  On failure restore the entries already
 * written (when u != NULL) and return ERR_SYS.
 */
static int
pl_disp_switch(struct polset *ps, const struct pent *oldp,
    const struct pent *newp, struct pl_undo *u, char *err, size_t errlen)
{
	struct hook_list l;
	struct tpatt *t;
	size_t i;
	int nr;

	if (u != NULL)
		memset(u, 0, sizeof(*u));
	for (nr = 0; nr < HOOK_SYSCALLS_MAX; nr++) {
		if (!pl_touches(oldp, PL_DISP_SYS, (uint32_t)nr) &&
		    !pl_touches(newp, PL_DISP_SYS, (uint32_t)nr))
			continue;
		l = ps->sys[nr];
		pl_list_edit(&l, oldp, newp, PL_DISP_SYS, (uint32_t)nr);
		if (memcmp(&l, &ps->sys[nr], sizeof(l)) == 0)
			continue;
		if (pl_sys_write(ps, nr, &l) != 0) {
			snprintf(err, errlen, "update sys_hooks[%d]: %s", nr,
			    strerror(errno));
			goto fail;
		}
		if (u != NULL) {
			u->sys[nr] = ps->sys[nr];
			u->sys_written[nr] = 1;
		}
		ps->sys[nr] = l;
	}
	TAILQ_FOREACH(t, &ps->tps, entry) {
		if (!pl_touches(oldp, PL_DISP_TP, t->id) &&
		    !pl_touches(newp, PL_DISP_TP, t->id))
			continue;
		l = t->list;
		pl_list_edit(&l, oldp, newp, PL_DISP_TP, t->id);
		if (memcmp(&l, &t->list, sizeof(l)) == 0)
			continue;
		if (pl_tp_write(ps, t->id, &l) != 0) {
			snprintf(err, errlen, "update tp_hooks[%u]: %s", t->id,
			    strerror(errno));
			goto fail;
		}
		if (u != NULL && u->ntp < HOOK_MAX) {
			u->tp[u->ntp] = t;
			u->tplist[u->ntp++] = t->list;
		}
		t->list = l;
	}
	for (nr = 0; nr < NET_D_MAX; nr++) {
		if (!pl_touches(oldp, PL_DISP_NET, (uint32_t)nr) &&
		    !pl_touches(newp, PL_DISP_NET, (uint32_t)nr))
			continue;
		l = ps->netl[nr];
		pl_list_edit(&l, oldp, newp, PL_DISP_NET, (uint32_t)nr);
		if (memcmp(&l, &ps->netl[nr], sizeof(l)) == 0)
			continue;
		if (pl_net_write(ps, nr, &l) != 0) {
			snprintf(err, errlen, "update net_hooks[%s]: %s",
			    netl_section(nr), strerror(errno));
			goto fail;
		}
		if (u != NULL) {
			u->net[nr] = ps->netl[nr];
			u->net_written[nr] = 1;
		}
		ps->netl[nr] = l;
	}
	return 0;
fail:
	if (u == NULL)
		return ERR_SYS;
	for (nr = 0; nr < NET_D_MAX; nr++) {
		if (!u->net_written[nr])
			continue;
		if (pl_net_write(ps, nr, &u->net[nr]) != 0)
			log_warn("policy: undo net_hooks[%d]", nr);
		ps->netl[nr] = u->net[nr];
	}
	for (nr = 0; nr < HOOK_SYSCALLS_MAX; nr++) {
		if (!u->sys_written[nr])
			continue;
		if (pl_sys_write(ps, nr, &u->sys[nr]) != 0)
			log_warn("policy: undo sys_hooks[%d]", nr);
		ps->sys[nr] = u->sys[nr];
	}
	for (i = 0; i < u->ntp; i++) {
		if (pl_tp_write(ps, u->tp[i]->id, &u->tplist[i]) != 0)
			log_warn("policy: undo tp_hooks[%u]", u->tp[i]->id);
		u->tp[i]->list = u->tplist[i];
	}
	return ERR_SYS;
}

static void
pl_send(struct polset *ps, int added, struct ph *ph)
{
	struct ipc_hook del;

	if (ps->cb == NULL)
		return;
	if (added) {
		ph->meta.id = ph->id;
		ph->meta.gen = ph->gen;
		ps->cb(ps->cbarg, 1, &ph->meta);
		return;
	}
	memset(&del, 0, sizeof(del));
	del.id = ph->id;
	del.gen = ph->gen;
	ps->cb(ps->cbarg, 0, &del);
}

/* Attach the uprobe of ph: BPF cookie = hook id. */
static int
pl_uprobe_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o);

	o.func_name = ph->h->symbol;
	o.bpf_cookie = ph->id;
	o.retprobe = false;
	ph->link = bpf_program__attach_uprobe_opts(ps->p_uprobe, -1,
	    ph->h->path, 0, &o);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach uprobe %s:%s: %s", ph->h->path,
		    ph->h->symbol, strerror(errno));
		return ERR_SYS;
	}
	return 0;
}

/* The kprobe programs: one instance, loaded on first use. */
static int
pl_kinst(struct polset *ps, char *err, size_t errlen)
{
	static const char *const progs[] = { "generic_kprobe",
	    "generic_kretprobe" };

	if (ps->kinst != NULL)
		return 0;
	return bpfl_instance(ps->b, progs, ps->feat.kretprobes ? 2 : 1, NULL,
	    0, &ps->kinst, err, errlen);
}

/* kprobe (+ kretprobe) of ph on its kernel function, cookie = hook id. */
static int
pl_kprobe_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_kprobe_opts, o);
	int r;

	if ((r = pl_kinst(ps, err, errlen)) != 0)
		return r;
	o.bpf_cookie = ph->id;
	o.retprobe = false;
	ph->link = bpf_program__attach_kprobe_opts(bpfl_inst_prog(ps->kinst,
	    "generic_kprobe"), ph->meta.function, &o);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach kprobe %s: %s",
		    ph->meta.function, strerror(errno));
		return ERR_SYS;
	}
	if (!(ph->cfg.flags & HOOK_F_AT_EXIT))
		return 0;
	o.retprobe = true;
	ph->link2 = bpf_program__attach_kprobe_opts(bpfl_inst_prog(ps->kinst,
	    "generic_kretprobe"), ph->meta.function, &o);
	if (ph->link2 == NULL) {
		snprintf(err, errlen, "attach kretprobe %s: %s",
		    ph->meta.function, strerror(errno));
		return ERR_SYS;
	}
	return 0;
}

/* ph's own program instance (lsm, fmod_ret, fentry), attached. */
static int
pl_fn_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	const char *progs[1];
	struct bpf_program *p;
	int r;

	progs[0] = ph->fn_prog;
	if ((r = bpfl_instance(ps->b, progs, 1, ph->fn_target, ph->id,
	    &ph->inst, err, errlen)) != 0)
		return r;
	p = bpfl_inst_prog(ph->inst, ph->fn_prog);
	if (ph->cfg.kind == HOOK_K_LSM)
		ph->link = bpf_program__attach_lsm(p);
	else
		ph->link = bpf_program__attach_trace(p);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach %s on %s: %s", ph->fn_prog,
		    ph->fn_target, strerror(errno));
		return ERR_SYS;
	}
	return 0;
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
	progs[0] = kprobe ? "ovr_kprobe" : strcmp(target,
	    "file_permission") == 0 ? "ovr_file_permission" : "ovr_lsm";
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
static int
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

static void
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

/* Clear the followChildren bits of slot id in every execbin entry, so
 * that a later hook in the same slot does not inherit them. */
static void
pl_execbin_scrub(struct polset *ps, uint32_t id)
{
	struct execbin_val *v;
	uint32_t key, next, bit, sel;
	int fd, more, changed;

	if ((fd = bpfl_map_fd(ps->b, "execbin")) < 0)
		return;
	v = xmalloc(sizeof(*v));
	for (more = bpf_map_get_next_key(fd, NULL, &next) == 0; more;
	    more = bpf_map_get_next_key(fd, &key, &next) == 0) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, v) != 0)
			continue;
		changed = 0;
		for (sel = 0; sel < HOOK_SEL_MAX; sel++) {
			bit = id * HOOK_SEL_MAX + sel;
			if (v->follow[bit / 64] & (1ULL << (bit % 64))) {
				v->follow[bit / 64] &= ~(1ULL << (bit % 64));
				changed = 1;
			}
		}
		if (changed)
			(void)bpf_map_update_elem(fd, &key, v, BPF_EXIST);
	}
	free(v);
}

/*
 * Undo everything pe holds in the kernel (pe is no longer, or was never,
 * reachable from a dispatch entry): uprobes off, wait for running
 * programs, slots cleared, references dropped, removal announced.
 */
static void
pl_unwind(struct polset *ps, struct pent *pe, int barrier)
{
	struct ph *ph;
	size_t i;
	char err[256];

	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->link != NULL) {
			bpf_link__destroy(ph->link);
			ph->link = NULL;
			barrier = 1;
		}
		if (ph->link2 != NULL) {
			bpf_link__destroy(ph->link2);
			ph->link2 = NULL;
			barrier = 1;
		}
	}
	if (barrier)
		pl_barrier(ps);
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		bpfl_inst_free(ph->inst);
		ph->inst = NULL;
		pl_ovr_release(ps, ph);
	}
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		if (ph->written)
			pl_slot_clear(ps, ph->id);
		if (ph->written && ph->follow)
			pl_execbin_scrub(ps, ph->id);
		ps->used[ph->id] = 0;
		if (ph->counted)
			pl_raw_count(ps, ph, -1);
		if (ph->net_counted)
			pl_net_count(ps, ph, -1);
		if (ph->tpref)
			pl_tp_unref(ps, ph->tp_id);
		if (ph->sent)
			pl_send(ps, 0, ph);
		ph->written = ph->counted = ph->tpref = ph->sent = 0;
		ph->net_counted = 0;
		ph->id = 0;
	}
	pl_inmap_clear(ps, pe);
	if (pl_raw_sync(ps, err, sizeof(err)) != 0 ||
	    pl_net_sync(ps, err, sizeof(err)) != 0)
		log_warnx("policy: %s", err);
}

/* process.bpf.c's exec_tail[0] = generic_exec while a policy is loaded */
static void
pl_exec_tail(struct polset *ps, int on)
{
	uint32_t key = 0;
	int fd, pfd;

	if (ps->p_exec == NULL || (fd = bpfl_map_fd(ps->b, "exec_tail")) < 0)
		return;
	if (on) {
		pfd = bpf_program__fd(ps->p_exec);
		if (bpf_map_update_elem(fd, &key, &pfd, BPF_ANY) != 0)
			log_warn("policy: exec_tail: generic_exec");
	} else if (bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT)
		log_warn("policy: exec_tail: remove generic_exec");
}

static struct pent *
pl_find(struct polset *ps, const char *name)
{
	struct pent *pe;

	TAILQ_FOREACH(pe, &ps->pols, entry)
		if (strcmp(pe->pol->name, name) == 0)
			return pe;
	return NULL;
}

static int
pl_map_fd(struct polset *ps, const char *name, int required, char *err,
    size_t errlen, enum bpf_map_type *type)
{
	struct bpf_map *m;

	m = bpf_object__find_map_by_name(ps->obj, name);
	if (m == NULL) {
		if (required)
			snprintf(err, errlen, "generic BPF object has no map "
			    "\"%s\"", name);
		return -1;
	}
	if (type != NULL)
		*type = bpf_map__type(m);
	if (strcmp(name, "inmap") == 0)
		ps->inmap_max = bpf_map__max_entries(m);
	return bpf_map__fd(m);
}

static struct bpf_program *
pl_prog(struct polset *ps, const char *name, char *err, size_t errlen)
{
	struct bpf_program *p;

	p = bpf_object__find_program_by_name(ps->obj, name);
	if (p == NULL)
		snprintf(err, errlen, "generic BPF object has no program "
		    "\"%s\"", name);
	return p;
}

int
polset_new(struct polset **out, struct bpfl *b, polset_hook_cb cb,
    void *cbarg, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	struct polset *ps;
	enum bpf_map_type tt = 0, st = 0;
	int r;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	ps = xcalloc(1, sizeof(*ps));
	ps->b = b;
	ps->cb = cb;
	ps->cbarg = cbarg;
	ps->barrier_fd = ps->inner_fd = -1;
	ps->fd_net = -1;
	ps->next_policy_id = 1;
	ps->next_map_id = 1;
	ps->ncpus = bpfl_ncpus(b);
	TAILQ_INIT(&ps->pols);
	TAILQ_INIT(&ps->tps);
	TAILQ_INIT(&ps->ovrxs);
	polset_probe(&ps->feat);
	if ((r = bpfl_generic(b, &ps->obj, err, errlen)) != 0)
		goto fail;
	r = ERR_SYS;
	if ((ps->fd_hooks = pl_map_fd(ps, "hooks", 1, err, errlen, NULL)) < 0 ||
	    (ps->fd_sel = pl_map_fd(ps, "selectors", 1, err, errlen,
	    NULL)) < 0 ||
	    (ps->fd_sys = pl_map_fd(ps, "sys_hooks", 1, err, errlen,
	    &st)) < 0 ||
	    (ps->fd_tp = pl_map_fd(ps, "tp_hooks", 1, err, errlen, &tt)) < 0 ||
	    (ps->fd_stats = pl_map_fd(ps, "hook_stats", 1, err, errlen,
	    NULL)) < 0 ||
	    (ps->fd_inmap = pl_map_fd(ps, "inmap", 1, err, errlen, NULL)) < 0)
		goto fail;
	ps->sys_hash = st == BPF_MAP_TYPE_HASH;
	ps->tp_hash = tt == BPF_MAP_TYPE_HASH;
	if ((ps->p_enter = pl_prog(ps, "sys_enter", err, errlen)) == NULL ||
	    (ps->p_exit = pl_prog(ps, "sys_exit", err, errlen)) == NULL ||
	    (ps->p_tp = pl_prog(ps, "generic_tp", err, errlen)) == NULL ||
	    (ps->p_uprobe = pl_prog(ps, "generic_uprobe", err,
	    errlen)) == NULL)
		goto fail;
	ps->p_exec = bpf_object__find_program_by_name(ps->obj, "generic_exec");
	ps->inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tl_barrier_in", 4,
	    4, 1, NULL);
	if (ps->inner_fd >= 0) {
		mo.inner_map_fd = ps->inner_fd;
		ps->barrier_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS,
		    "tl_barrier", 4, 4, 1, &mo);
	}
	if (ps->barrier_fd < 0) {
		snprintf(err, errlen, "create RCU barrier map: %s",
		    strerror(errno));
		goto fail;
	}
	*out = ps;
	return 0;
fail:
	polset_free(ps);
	return r;
}

int
polset_add(struct polset *ps, struct policy *pol, char *err, size_t errlen)
{
	struct pl_ctx c;
	struct pent *pe, *old;
	struct pl_undo *u = NULL;
	struct ph *ph;
	size_t i, need, nfree, nvis;
	uint32_t id;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if (pol == NULL || pol->name == NULL || pol->name[0] == '\0') {
		snprintf(err, errlen, "policy without a name");
		policy_free(pol);
		return ERR_PARSE;
	}
	pe = xcalloc(1, sizeof(*pe));
	pe->pol = pol;
	pe->nhooks = pe->nvis = pol->nhooks;
	/* room for a cgroup copy of every hook (pl_net_aux) */
	pe->hooks = xcalloc(pol->nhooks ? pol->nhooks * 2 : 1,
	    sizeof(*pe->hooks));
	old = pl_find(ps, pol->name);

	/* 1. compile: no side effect */
	memset(&c, 0, sizeof(c));
	c.ps = ps;
	c.pol = pol;
	c.pe = pe;
	c.err = err;
	c.errlen = errlen;
	need = 0;
	for (i = 0; i < pol->nhooks; i++) {
		c.h = &pol->hooks[i];
		c.ph = &pe->hooks[i];
		if ((r = pl_compile_hook(&c)) != 0)
			goto fail;
	}
	c.h = NULL;
	for (nvis = 0, i = 0; i < pe->nhooks; i++) {
		if (pe->hooks[i].skipped)
			continue;
		need++;
		if (i < pe->nvis)
			nvis++;
	}

	/* 2. capacity: slots (the old policy keeps its own until the
	   switch), dispatch entries, InMap */
	for (nfree = 0, id = 1; id < HOOK_MAX; id++)
		if (!ps->used[id])
			nfree++;
	if (need > nfree) {
		r = pl_fail(&c, ERR_RANGE, 0, 0, "hook slots exhausted: %zu "
		    "needed, %zu of %d free", need, nfree, HOOK_MAX - 1);
		goto fail;
	}
	if ((r = pl_disp_check(ps, old, pe, err, errlen)) != 0)
		goto fail;

	/* 3. slots, InMap values, programs the hooks need */
	for (i = 0, id = 1; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->skipped)
			continue;
		while (ps->used[id])
			id++;
		ps->used[id] = 1;
		ph->id = id;
		ph->gen = ++ps->gens[id];
		ph->cfg.id = id;
		ph->cfg.gen = ph->gen;
		ph->cfg.policy_id = ps->next_policy_id;
	}
	pe->policy_id = ps->next_policy_id++;
	if ((r = pl_inmap_write(ps, pe, err, errlen)) != 0)
		goto undo;
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		ph->written = 1;
		if ((r = pl_slot_write(ps, ph, err, errlen)) != 0)
			goto undo;
	}
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		if (ph->disp == PL_DISP_TP) {
			if ((r = pl_tp_ref(ps, ph, err, errlen)) != 0)
				goto undo;
			ph->tpref = 1;
		}
		if (ph->disp == PL_DISP_SYS) {
			pl_raw_count(ps, ph, 1);
			ph->counted = 1;
		}
		if (ph->disp == PL_DISP_NET) {
			pl_net_count(ps, ph, 1);
			ph->net_counted = 1;
		}
	}
	if ((r = pl_raw_sync(ps, err, errlen)) != 0 ||
	    (r = pl_net_sync(ps, err, errlen)) != 0)
		goto undo;

	/* 4. metadata before anything can fire */
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		pl_send(ps, 1, ph);
		ph->sent = 1;
	}

	/* 5. enable: uprobes attach, dispatch entries switch (a failing
	   switch restores the entries it wrote) */
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id != 0 && ph->disp == PL_DISP_UPROBE &&
		    (r = pl_uprobe_attach(ps, ph, err, errlen)) != 0)
			goto undo;
		if (ph->id != 0 && ph->disp == PL_DISP_KPROBE &&
		    (r = pl_kprobe_attach(ps, ph, err, errlen)) != 0)
			goto undo;
		if (ph->id != 0 && ph->disp == PL_DISP_FN &&
		    (r = pl_fn_attach(ps, ph, err, errlen)) != 0)
			goto undo;
		if (ph->id != 0 && (r = pl_ovr_attach(ps, ph, err,
		    errlen)) != 0)
			goto undo;
	}
	u = xcalloc(1, sizeof(*u));
	if ((r = pl_disp_switch(ps, old, pe, u, err, errlen)) != 0)
		goto undo;
	free(u);

	/* committed (err may hold the reason of a skipped hook) */
	if (errlen > 0)
		err[0] = '\0';
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id != 0)
			log_info("policy %s: %s %s: hook %u: %s", pol->name,
			    ph->kind, ph->target, ph->id, ph->how);
		else
			log_info("policy %s: %s %s: %s", pol->name, ph->kind,
			    ph->target, ph->how);
	}
	if (old != NULL) {
		pl_unwind(ps, old, 1);
		TAILQ_INSERT_AFTER(&ps->pols, old, pe, entry);
		TAILQ_REMOVE(&ps->pols, old, entry);
		pl_pent_free(old);
		log_info("policy %s replaced (%zu hooks)", pol->name, nvis);
	} else {
		TAILQ_INSERT_TAIL(&ps->pols, pe, entry);
		if (polset_count(ps) == 1)
			pl_exec_tail(ps, 1);
		log_info("policy %s loaded (%zu hooks, %s)", pol->name, nvis,
		    pol->mode == POL_MODE_MONITOR ? "monitor" : "enforce");
	}
	return 0;

undo:
	free(u);
	pl_unwind(ps, pe, 0);
fail:
	log_warnx("policy %s not loaded: %s", pol->name, err);
	pl_pent_free(pe);
	return r;
}

int
polset_delete(struct polset *ps, const char *name, char *err, size_t errlen)
{
	struct pent *pe;

	if (errlen > 0)
		err[0] = '\0';
	if ((pe = pl_find(ps, name)) == NULL) {
		snprintf(err, errlen, "no policy named \"%s\"", name);
		return ERR_NOTFOUND;
	}
	if (pl_disp_switch(ps, pe, NULL, NULL, err, errlen) != 0)
		log_warnx("policy %s: delete: %s (continuing)", name, err);
	pl_unwind(ps, pe, 1);
	TAILQ_REMOVE(&ps->pols, pe, entry);
	if (TAILQ_EMPTY(&ps->pols))
		pl_exec_tail(ps, 0);
	log_info("policy %s deleted", name);
	pl_pent_free(pe);
	if (errlen > 0)
		err[0] = '\0';
	return 0;
}

int
polset_set_mode(struct polset *ps, const char *name, enum pol_mode mode,
    char *err, size_t errlen)
{
	struct pent *pe;
	struct ph *ph;
	uint32_t key;
	size_t i;
	int r = 0;

	if (errlen > 0)
		err[0] = '\0';
	if ((pe = pl_find(ps, name)) == NULL) {
		snprintf(err, errlen, "no policy named \"%s\"", name);
		return ERR_NOTFOUND;
	}
	pe->pol->mode = mode;
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		ph->meta.mode = (uint32_t)mode;
		if (ph->id == 0)
			continue;
		if (mode == POL_MODE_MONITOR)
			ph->cfg.flags |= HOOK_F_MONITOR;
		else
			ph->cfg.flags &= (uint8_t)~HOOK_F_MONITOR;
		/* metadata first: records after the switch carry it */
		pl_send(ps, 1, ph);
		key = ph->id;
		if (bpf_map_update_elem(ps->fd_hooks, &key, &ph->cfg,
		    BPF_ANY) != 0) {
			snprintf(err, errlen, "update hook %u: %s", ph->id,
			    strerror(errno));
			r = ERR_SYS;
		}
	}
	log_info("policy %s: mode %s", name, mode == POL_MODE_MONITOR ?
	    "monitor" : "enforce");
	return r;
}

void
polset_resend(struct polset *ps)
{
	struct pent *pe;
	size_t i;

	TAILQ_FOREACH(pe, &ps->pols, entry)
		for (i = 0; i < pe->nhooks; i++)
			if (pe->hooks[i].id != 0)
				pl_send(ps, 1, &pe->hooks[i]);
}

char *
polset_policy_file(struct polset *ps, const char *name)
{
	struct pent	*pe;

	if ((pe = pl_find(ps, name)) == NULL || pe->pol->file == NULL)
		return NULL;
	return xstrdup(pe->pol->file);
}

int
polset_set_file(struct polset *ps, const char *name, const char *file)
{
	struct pent	*pe;

	if ((pe = pl_find(ps, name)) == NULL)
		return ERR_NOTFOUND;
	free(pe->pol->file);
	pe->pol->file = xstrdup(file);
	return 0;
}

size_t
polset_count(struct polset *ps)
{
	struct pent *pe;
	size_t n = 0;

	TAILQ_FOREACH(pe, &ps->pols, entry)
		n++;
	return n;
}

int
polset_hook(struct polset *ps, size_t n, struct polset_hookinfo *hi)
{
	struct hook_stat st;
	struct pent *pe;
	struct ph *ph;

	memset(hi, 0, sizeof(*hi));
	TAILQ_FOREACH(pe, &ps->pols, entry) {
		if (n >= pe->nvis) {
			n -= pe->nvis;
			continue;
		}
		ph = &pe->hooks[n];
		hi->policy = pe->pol->name;
		hi->skipped = ph->skipped;
		hi->id = ph->id;
		hi->gen = ph->gen;
		hi->kind = ph->kind;
		hi->target = ph->target;
		hi->how = ph->how;
		pl_stats_get(ps, ph->id, &st);
		hi->hits = st.hits;
		hi->matched = st.matched;
		hi->posted = st.posted;
		hi->dropped = st.dropped;
		hi->errors = st.errors;
		hi->signals = st.signals;
		return 0;
	}
	return ERR_NOTFOUND;
}

static void
pl_json_kv(struct sbuf *sb, const char *k, const char *v)
{
	sbuf_add_json_str(sb, k, strlen(k));
	sbuf_addc(sb, ':');
	if (v == NULL)
		sbuf_adds(sb, "null");
	else
		sbuf_add_json_str(sb, v, strlen(v));
}

char *
polset_list(struct polset *ps, int json)
{
	struct hook_stat st;
	struct sbuf sb;
	struct pent *pe;
	struct ph *ph;
	const char *mode;
	size_t i;
	int first = 1;

	sbuf_init(&sb);
	if (json)
		sbuf_adds(&sb, "{\"policies\":[");
	else if (TAILQ_EMPTY(&ps->pols))
		sbuf_adds(&sb, "no policies loaded\n");
	TAILQ_FOREACH(pe, &ps->pols, entry) {
		mode = pe->pol->mode == POL_MODE_MONITOR ? "monitor" :
		    "enforce";
		if (json) {
			if (!first)
				sbuf_addc(&sb, ',');
			sbuf_addc(&sb, '{');
			pl_json_kv(&sb, "name", pe->pol->name);
			sbuf_addc(&sb, ',');
			pl_json_kv(&sb, "file", pe->pol->file);
			sbuf_addc(&sb, ',');
			pl_json_kv(&sb, "mode", mode);
			sbuf_adds(&sb, ",\"hooks\":[");
		} else
			sbuf_addf(&sb, "%s (%s) mode %s, %zu hook%s\n",
			    pe->pol->name, pe->pol->file ? pe->pol->file :
			    "-", mode, pe->nvis, pe->nvis == 1 ? "" : "s");
		first = 0;
		for (i = 0; i < pe->nvis; i++) {
			ph = &pe->hooks[i];
			pl_stats_get(ps, ph->id, &st);
			if (json) {
				if (i > 0)
					sbuf_addc(&sb, ',');
				sbuf_addc(&sb, '{');
				pl_json_kv(&sb, "kind", ph->kind);
				sbuf_addc(&sb, ',');
				pl_json_kv(&sb, "target", ph->target);
				sbuf_addc(&sb, ',');
				pl_json_kv(&sb, "state", ph->skipped ?
				    "skipped" : "attached");
				sbuf_addc(&sb, ',');
				pl_json_kv(&sb, ph->skipped ? "error" :
				    "attach", ph->how);
				sbuf_addf(&sb, ",\"id\":%u,\"gen\":%u,"
				    "\"hits\":%llu,\"matched\":%llu,"
				    "\"posted\":%llu,\"dropped\":%llu,"
				    "\"errors\":%llu,\"signals\":%llu,"
				    "\"ratelimited\":%llu,\"overrides\":%llu,"
				    "\"overrides_missed\":%llu}", ph->id, ph->gen,
				    (unsigned long long)st.hits,
				    (unsigned long long)st.matched,
				    (unsigned long long)st.posted,
				    (unsigned long long)st.dropped,
				    (unsigned long long)st.errors,
				    (unsigned long long)st.signals,
				    (unsigned long long)st.ratelimited,
				    (unsigned long long)st.overrides,
				    (unsigned long long)st.ovr_missed);
				if (ph->auxph != NULL && ph->auxph->id != 0) {
					/* splice the cgroup copy in */
					sb.len--;
					pl_stats_get(ps, ph->auxph->id, &st);
					sbuf_adds(&sb, ",\"cgroup\":{");
					pl_json_kv(&sb, "attach",
					    ph->auxph->how);
					sbuf_addf(&sb, ",\"id\":%u,\"gen\":%u,"
					    "\"hits\":%llu,\"matched\":%llu,"
					    "\"posted\":%llu,\"signals\":%llu}}",
					    ph->auxph->id, ph->auxph->gen,
					    (unsigned long long)st.hits,
					    (unsigned long long)st.matched,
					    (unsigned long long)st.posted,
					    (unsigned long long)st.signals);
				}
				continue;
			}
			if (ph->skipped) {
				sbuf_addf(&sb, "  - %s %s: %s\n", ph->kind,
				    ph->target, ph->how);
				continue;
			}
			sbuf_addf(&sb, "  - %s %s: hook %u: %s\n"
			    "    hits %llu matched %llu posted %llu "
			    "dropped %llu errors %llu signals %llu\n",
			    ph->kind, ph->target, ph->id, ph->how,
			    (unsigned long long)st.hits,
			    (unsigned long long)st.matched,
			    (unsigned long long)st.posted,
			    (unsigned long long)st.dropped,
			    (unsigned long long)st.errors,
			    (unsigned long long)st.signals);
			if (st.overrides > 0 || st.ovr_missed > 0)
				sbuf_addf(&sb, "    overrides %llu (decided but "
				    "not carried out: %llu)\n",
				    (unsigned long long)st.overrides,
				    (unsigned long long)st.ovr_missed);
			if (ph->auxph != NULL && ph->auxph->id != 0) {
				pl_stats_get(ps, ph->auxph->id, &st);
				sbuf_addf(&sb, "    cgroup copy: hook %u: hits %llu "
				    "matched %llu posted %llu signals %llu\n",
				    ph->auxph->id,
				    (unsigned long long)st.hits,
				    (unsigned long long)st.matched,
				    (unsigned long long)st.posted,
				    (unsigned long long)st.signals);
			}
		}
		if (json)
			sbuf_adds(&sb, "]}");
	}
	if (json)
		sbuf_adds(&sb, "]}");
	return sb.buf;
}

void
polset_free(struct polset *ps)
{
	struct pent *pe;
	struct tpatt *t;
	char err[256];

	if (ps == NULL)
		return;
	ps->cb = NULL;		/* no callbacks from free */
	while ((pe = TAILQ_FIRST(&ps->pols)) != NULL) {
		(void)pl_disp_switch(ps, pe, NULL, NULL, err, sizeof(err));
		pl_unwind(ps, pe, 1);
		TAILQ_REMOVE(&ps->pols, pe, entry);
		pl_pent_free(pe);
	}
	pl_exec_tail(ps, 0);
	while ((t = TAILQ_FIRST(&ps->tps)) != NULL) {
		bpf_link__destroy(t->link);
		TAILQ_REMOVE(&ps->tps, t, entry);
		free(t->subsys);
		free(t->event);
		free(t);
	}
	bpf_link__destroy(ps->l_enter);
	bpf_link__destroy(ps->l_exit);
	bpfl_inst_free(ps->kinst);
	netl_free(ps->net);
	if (ps->barrier_fd >= 0)
		close(ps->barrier_fd);
	if (ps->inner_fd >= 0)
		close(ps->inner_fd);
	free(ps);
}
