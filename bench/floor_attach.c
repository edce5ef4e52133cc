/*
 * bench/floor_attach.c -- attach the smallest possible BPF program to a
 * hook and hold it until stdin closes or a signal arrives: the floor a
 * policy on that hook is compared with (what the kernel charges for
 * running any program there, before tripline's engine does anything).
 *
 *   floor_attach skb CGROUP2_DIR        cgroup_skb ingress and egress,
 *                                       "return 1" (let it through)
 *   floor_attach tp SUBSYSTEM/EVENT     a tracepoint program, "return 0"
 *   floor_attach rawtp NAME             a raw tracepoint program
 *   floor_attach sysenter NR            raw_tracepoint/sys_enter that
 *                                       compares the syscall number with
 *                                       NR and returns (the check every
 *                                       syscall hook needs)
 *   floor_attach sysenterexit NR        the same, and a raw_tracepoint/
 *                                       sys_exit program that returns (the
 *                                       exit hook a syscall hook with a
 *                                       string filter also needs)
 *
 * Prints "ready" on stdout once attached.  The programs are built from
 * instructions here (two to four), not from an object file, so that the
 * floor is exactly "a program ran".  Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

static void
die(const char *what)
{
	fprintf(stderr, "floor_attach: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* r0 = ret; exit */
static int
load_ret(enum bpf_prog_type type, enum bpf_attach_type at, int ret)
{
	struct bpf_insn insn[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = at);
	int fd = bpf_prog_load(type, "floor", "GPL", insn, 2, &o);

	if (fd < 0)
		die("bpf_prog_load");
	return fd;
}

/* r2 = ctx->args[1] (the syscall number); if r2 != nr: r0 = 0; exit */
static int
load_sysenter(int nr)
{
	struct bpf_insn insn[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 2, .src_reg = 1,
		    .off = 8 },
		{ .code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = 2, .off = 0,
		    .imm = nr },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "floor", "GPL",
	    insn, 4, NULL);

	if (fd < 0)
		die("bpf_prog_load");
	return fd;
}

static void
attach_skb(const char *cg)
{
	int cfd = open(cg, O_RDONLY | O_DIRECTORY), in, eg;

	if (cfd < 0)
		die(cg);
	in = load_ret(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 1);
	eg = load_ret(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 1);
	/* links: detached when this process exits */
	if (bpf_link_create(in, cfd, BPF_CGROUP_INET_INGRESS, NULL) < 0 ||
	    bpf_link_create(eg, cfd, BPF_CGROUP_INET_EGRESS, NULL) < 0)
		die("bpf_link_create (cgroup_skb)");
}

static void
attach_tp(const char *name)
{
	struct perf_event_attr pa;
	char path[512], buf[32];
	const char *dirs[] = { "/sys/kernel/tracing/events",
	    "/sys/kernel/debug/tracing/events" };
	int fd = -1, pfd, prog;
	size_t i;
	ssize_t n;

	for (i = 0; i < 2 && fd < 0; i++) {
		snprintf(path, sizeof(path), "%s/%s/id", dirs[i], name);
		fd = open(path, O_RDONLY);
	}
	if (fd < 0)
		die(name);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die("read tracepoint id");
	buf[n] = '\0';
	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_TRACEPOINT;
	pa.size = sizeof(pa);
	pa.config = strtoull(buf, NULL, 10);
	pa.sample_period = 1;
	pa.wakeup_events = 1;
	pfd = syscall(SYS_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		die("perf_event_open");
	prog = load_ret(BPF_PROG_TYPE_TRACEPOINT, 0, 0);
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) != 0 ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) != 0)
		die("attach tracepoint program");
}

static void
attach_raw(const char *name, int prog)
{
	if (bpf_raw_tracepoint_open(name, prog) < 0)
		die("bpf_raw_tracepoint_open");
}

static void
quit(int sig)
{
	(void)sig;
	_exit(0);
}

int
main(int argc, char **argv)
{
	char c;

	if (argc != 3) {
		fprintf(stderr, "usage: floor_attach skb CGROUP2_DIR | tp "
		    "SUBSYSTEM/EVENT | rawtp NAME | sysenter NR | "
		    "sysenterexit NR\n");
		return 2;
	}
	if (strcmp(argv[1], "skb") == 0)
		attach_skb(argv[2]);
	else if (strcmp(argv[1], "tp") == 0)
		attach_tp(argv[2]);
	else if (strcmp(argv[1], "rawtp") == 0)
		attach_raw(argv[2], load_ret(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0));
	else if (strcmp(argv[1], "sysenter") == 0)
		attach_raw("sys_enter", load_sysenter(atoi(argv[2])));
	else if (strcmp(argv[1], "sysenterexit") == 0) {
		attach_raw("sys_enter", load_sysenter(atoi(argv[2])));
		attach_raw("sys_exit", load_ret(BPF_PROG_TYPE_RAW_TRACEPOINT,
		    0, 0));
	}
	else {
		fprintf(stderr, "floor_attach: unknown mode %s\n", argv[1]);
		return 2;
	}
	signal(SIGTERM, quit);
	signal(SIGINT, quit);
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
