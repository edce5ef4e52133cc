/*
 * loaderd/pl_features.c -- what the running kernel can do, decided by
 * loading (and where harmless, attaching for a moment) tiny programs, never
 * assumed: kprobes and kretprobes, kprobe_multi, uprobes, BPF trampolines
 * (fentry, fexit, fmod_ret), BPF LSM and the active LSM list,
 * bpf_override_return, bpf_send_signal, the ring buffer, the cgroup
 * sock_addr programs.  Probed once per process (polset_probe) and shown as
 * the feature table of `triplinectl status`.
 */
#include "build.h"

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "compat.h"
#include "jsonw.h"
#include "log.h"
#include "str.h"

#include "net_load.h"
#include "policy_load.h"

#define PL_KPROBE_PMU		"/sys/bus/event_source/devices/kprobe/type"
#define PL_SECURITYFS		"/sys/kernel/security"

static int pl_probed;
static struct polset_features pl_feat;

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

/* uprobe (retprobe: uretprobe) on pl_uprobe_target in our own executable
 * file */
static int
pl_probe_uprobes(int retprobe)
{
	char line[1024], path[PATH_MAX];
	unsigned long lo, hi, off, addr = (unsigned long)&pl_uprobe_target;
	uint64_t foff = 0, config = 0;
	FILE *f;
	int found = 0, bit;
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
	if (retprobe) {
		/* "config:0": the bit that makes a uretprobe */
		if (pl_read_small("/sys/bus/event_source/devices/uprobe/"
		    "format/retprobe", line, sizeof(line)) == -1 ||
		    sscanf(line, "config:%d", &bit) != 1 || bit < 0 ||
		    bit > 63)
			return 0;
		config = 1ULL << bit;
	}
	return pl_probe_perf("/sys/bus/event_source/devices/uprobe/type",
	    config, (uint64_t)(uintptr_t)path, foff);
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

/*
 * Can a program at the syscall tracepoints fault user pages in
 * (BPF_F_SLEEPABLE with bpf_copy_from_user)?  Kernels that refuse it say
 * "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs
 * can be sleepable" (Linux 6.18 does).  1 if a tracepoint or raw
 * tracepoint program of that kind loads.
 */
static int
pl_probe_sleepable_tp(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = 8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_copy_from_user },
		PL_RET0_INSNS
	};
	static const enum bpf_prog_type types[] = {
		BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	size_t i;
	int prog;

	o.prog_flags = BPF_F_SLEEPABLE;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		prog = pl_prog_load(types[i], insns,
		    sizeof(insns) / sizeof(insns[0]), &o);
		if (prog >= 0) {
			close(prog);
			return 1;
		}
	}
	return 0;
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

/* A cgroup program of type pt that returns 1 (allow), attached to the
 * cgroup2 root for a moment. */
static int
pl_probe_cg(const char *cgroup, enum bpf_prog_type pt,
    enum bpf_attach_type at)
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
	prog = pl_prog_load(pt, insns, 2, &o);
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
	f->sleepable_tp = pl_probe_sleepable_tp();
	f->uprobes = pl_probe_uprobes(0);
	f->uretprobes = f->uprobes && pl_probe_uprobes(1);
	if ((fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0,
	    (uint32_t)sysconf(_SC_PAGESIZE), NULL)) >= 0) {
		f->ringbuf = 1;
		close(fd);
	}
	if (netl_cgroup2(f->cgroup2, sizeof(f->cgroup2)) != 0)
		f->cgroup2[0] = '\0';
	f->cg_connect4 = pl_probe_cg(f->cgroup2,
	    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT);
	f->cg_connect6 = pl_probe_cg(f->cgroup2,
	    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT);
	f->cg_sendmsg4 = pl_probe_cg(f->cgroup2,
	    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG);
	f->cg_sendmsg6 = pl_probe_cg(f->cgroup2,
	    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG);
	f->cg_skb_in = pl_probe_cg(f->cgroup2, BPF_PROG_TYPE_CGROUP_SKB,
	    BPF_CGROUP_INET_INGRESS);
	f->cg_skb_eg = pl_probe_cg(f->cgroup2, BPF_PROG_TYPE_CGROUP_SKB,
	    BPF_CGROUP_INET_EGRESS);
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
	PL_FEAT(sleepable_tp, "sleepable syscall tracepoints"),
	PL_FEAT(uprobes, "uprobes"),
	PL_FEAT(uretprobes, "uretprobes"),
	PL_FEAT(ringbuf, "ring buffer"),
	PL_FEAT(cg_connect4, "cgroup/connect4"),
	PL_FEAT(cg_connect6, "cgroup/connect6"),
	PL_FEAT(cg_sendmsg4, "cgroup/sendmsg4"),
	PL_FEAT(cg_sendmsg6, "cgroup/sendmsg6"),
	PL_FEAT(cg_skb_in, "cgroup_skb/ingress"),
	PL_FEAT(cg_skb_eg, "cgroup_skb/egress"),
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

static void
pl_features_json(const struct polset_features *f, struct jsonw *w)
{
	size_t i;

	jw_obj(w);
	for (i = 0; i < sizeof(pl_featrows) / sizeof(pl_featrows[0]); i++)
		jw_kbool(w, pl_featrows[i].name,
		    pl_feat_get(f, &pl_featrows[i]));
	jw_kstr(w, "cgroup2", f->cgroup2);
	jw_kstr(w, "lsm_list", f->lsm_list);
	jw_end(w);
}

static char *
pl_features_render(const struct polset_features *f, int json)
{
	struct sbuf sb;
	struct jsonw w;
	size_t i;

	sbuf_init(&sb);
	if (json) {
		jw_init(&w, &sb);
		pl_features_json(f, &w);
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

void
polset_features_json(struct jsonw *w)
{
	struct polset_features f;

	polset_probe(&f);
	pl_features_json(&f, w);
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
