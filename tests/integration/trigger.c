/*
 * tests/integration/trigger.c -- make exactly the system calls a policy
 * test needs, with the arguments it names, and nothing surprising.
 *
 *   trigger openat PATH FLAGS          openat(AT_FDCWD, PATH, FLAGS, 0600)
 *   trigger write PATH DATA            open PATH for writing, write DATA
 *   trigger read PATH N                open PATH, read(fd, buf, N)
 *   trigger symlinkat TARGET LINKPATH  symlinkat(TARGET, AT_FDCWD, LINKPATH)
 *   trigger getpriority WHICH WHO      getpriority(WHICH, WHO)
 *   trigger connect ADDR PORT          TCP connect to ADDR:PORT (v4 or v6)
 *   trigger probe N                    call trigger_probe_target(N) (uprobe)
 *   trigger repeat N CMD ARGS...       run CMD N times in this process
 *   trigger threads N CMD ARGS...      run CMD once in each of N threads,
 *                                      one after the other
 *   trigger ffd PATH                   fd = openat(PATH, O_WRONLY|O_CREAT|
 *                                      O_TRUNC); close(fd); write(fd, ...)
 *                                      (EBADF: only a followed fd names it)
 *   trigger writen PATH N              open PATH for writing, write N bytes
 *   trigger writev PATH DATA...        open PATH for writing, writev with one
 *                                      iovec per DATA (at most 16)
 *   trigger readv PATH N...            open PATH, readv into one buffer of
 *                                      N bytes per N (at most 16)
 *   trigger iovprobe DATA...           call trigger_iov_target(iov, n) with
 *                                      one iovec per DATA (uprobe)
 *   trigger comm NAME                  prctl(PR_SET_NAME, NAME)
 *   trigger setuid UID                 setuid(UID)
 *   trigger setresuid R E S            setresuid(R, E, S)
 *   trigger clock_settime CLOCK        clock_settime(CLOCK, {0, 0})
 *   trigger finit_module FD PARAMS FL  finit_module(FD, PARAMS, FL)
 *   trigger init_module LEN PARAMS     init_module(NULL, LEN, PARAMS)
 *   trigger bpf CMD SIZE               bpf(CMD, zeroed attr, SIZE)
 *   trigger open PATH FLAGS            open(2) (SYS_open), mode 0600
 *   trigger creat PATH                 creat(2) (SYS_creat), mode 0600
 *   trigger openat2 PATH FLAGS         openat2(AT_FDCWD, PATH, {FLAGS})
 *   trigger chdir DIR CMD ARGS...      chdir(DIR), then run CMD
 *   trigger setreuid R E               setreuid(R, E)
 *   trigger bpf_prog                   bpf(BPF_PROG_LOAD) of a valid
 *                                      socket filter (r0 = 0; exit)
 *   trigger dup FD                     dup(FD)
 *   trigger dup2 FD NEWFD              dup2(FD, NEWFD)
 *   trigger dup3 FD NEWFD              dup3(FD, NEWFD, 0)
 *   trigger wfd FD DATA                write(FD, DATA, strlen(DATA))
 *   trigger unshare FLAGS CMD ARGS...  unshare(FLAGS), then run CMD (in
 *                                      this process: no exec)
 *   trigger capdrop CAP CMD ARGS...    drop capability number CAP from the
 *                                      effective and permitted sets
 *                                      (capset), then run CMD
 *   trigger capinh CAP CMD ARGS...     add capability number CAP to the
 *                                      inheritable set (capset), then
 *                                      run CMD
 *   trigger fork CMD ARGS...           run CMD in a forked child (no
 *                                      exec), wait for it
 *
 * Prints "ret=<value> errno=<n>" for the last call and exits 0, so a test
 * can tell "the syscall ran and returned" from "the process was killed".
 */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int	trigger_probe_target(int);
int	trigger_iov_target(const struct iovec *, int);

static long	run(int, char **);

struct thr {
	int	  argc;
	char	**argv;
	long	  ret;
};

/* a uprobe target: not inlined, not optimised away */
__attribute__((noinline, used)) int
trigger_probe_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 2 + 1;
}

/* a uprobe target taking an iovec array and its count */
__attribute__((noinline, used)) int
trigger_iov_target(const struct iovec *iov, int n)
{
	__asm__ volatile("" ::: "memory");
	return n > 0 ? (int)iov[0].iov_len : 0;
}

/* iov[i] = the strings of argv (at most IOV_N) */
#define IOV_N	16
static int
iov_of(struct iovec *iov, int argc, char **argv)
{
	int	 i;

	if (argc > IOV_N)
		return -1;
	for (i = 0; i < argc; i++) {
		iov[i].iov_base = argv[i];
		iov[i].iov_len = strlen(argv[i]);
	}
	return argc;
}

/* open(2) or exit 3 */
static int
xopen(const char *path, int flags)
{
	int	 fd;

	if ((fd = open(path, flags, 0600)) == -1) {
		perror(path);
		exit(3);
	}
	return fd;
}

static long
num(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno != 0 || *s == '\0' || *end != '\0') {
		fprintf(stderr, "trigger: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static void *
thr_main(void *arg)
{
	struct thr	*t = arg;

	t->ret = run(t->argc, t->argv);
	return NULL;
}

/* ret: a new fd (closed here) or -1 */
static long
closed(long ret)
{
	if (ret >= 0)
		close((int)ret);
	return ret;
}

/* open(2), creat(2), openat2(2), and "chdir DIR CMD..."; 1 if argv was
 * one of them */
static int
run_open(int argc, char **argv, long *ret)
{
	struct open_how	 how;

	if (strcmp(argv[0], "open") == 0 && argc == 3)
		*ret = closed(syscall(SYS_open, argv[1], (int)num(argv[2]),
		    0600));
	else if (strcmp(argv[0], "creat") == 0 && argc == 2)
		*ret = closed(syscall(SYS_creat, argv[1], 0600));
	else if (strcmp(argv[0], "openat2") == 0 && argc == 3) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)num(argv[2]);
		if (how.flags & O_CREAT)
			how.mode = 0600;
		*ret = closed(syscall(SYS_openat2, AT_FDCWD, argv[1], &how,
		    sizeof(how)));
	} else if (strcmp(argv[0], "chdir") == 0 && argc >= 3) {
		if (chdir(argv[1]) == -1) {
			perror(argv[1]);
			exit(3);
		}
		*ret = run(argc - 2, argv + 2);
	} else
		return 0;
	return 1;
}

/* perf_event_open(2) of a software counter (context switches) of this
 * process */
static long
perf_sw(void)
{
	struct perf_event_attr	 pa;

	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_SOFTWARE;
	pa.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	pa.disabled = 1;
	return closed(syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0));
}

/* setreuid(2) and a BPF program load that succeeds (for root); 1 if argv
 * was one of them */
static int
run_cred(int argc, char **argv, long *ret)
{
	/* r0 = 0; exit: the smallest program the verifier accepts */
	struct bpf_insn	 insn[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr	 attr;

	if (strcmp(argv[0], "setreuid") == 0 && argc == 3)
		*ret = setreuid((uid_t)num(argv[1]), (uid_t)num(argv[2]));
	else if (strcmp(argv[0], "bpf_prog") == 0 && argc == 1) {
		memset(&attr, 0, sizeof(attr));
		attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		attr.insns = (uint64_t)(uintptr_t)insn;
		attr.insn_cnt = 2;
		attr.license = (uint64_t)(uintptr_t)"GPL";
		strcpy(attr.prog_name, "tlprog");
		*ret = closed(syscall(SYS_bpf, BPF_PROG_LOAD, &attr,
		    sizeof(attr)));
	} else if (strcmp(argv[0], "bpf_map") == 0 && argc == 1) {
		memset(&attr, 0, sizeof(attr));
		attr.map_type = BPF_MAP_TYPE_ARRAY;
		attr.key_size = 4;
		attr.value_size = 8;
		attr.max_entries = 3;
		strcpy(attr.map_name, "tlmap");
		*ret = closed(syscall(SYS_bpf, BPF_MAP_CREATE, &attr,
		    sizeof(attr)));
	} else if (strcmp(argv[0], "perf_sw") == 0 && argc == 1)
		*ret = perf_sw();
	else
		return 0;
	return 1;
}

/* unshare, capdrop and fork, each before CMD ARGS...; 1 if argv was one
 * of them */
static int
run_change(int argc, char **argv, long *ret)
{
	struct __user_cap_header_struct	 hd;
	struct __user_cap_data_struct	 d[2];
	long				 cap;
	pid_t				 pid;
	int				 st;

	if (strcmp(argv[0], "unshare") == 0 && argc >= 3) {
		if (unshare((int)num(argv[1])) == -1) {
			perror("unshare");
			exit(3);
		}
		*ret = run(argc - 2, argv + 2);
	} else if ((strcmp(argv[0], "capdrop") == 0 ||
	    strcmp(argv[0], "capinh") == 0) && argc >= 3) {
		cap = num(argv[1]);
		if (cap < 0 || cap > 63) {
			fprintf(stderr, "trigger: capability 0..63\n");
			exit(2);
		}
		memset(&hd, 0, sizeof(hd));
		hd.version = _LINUX_CAPABILITY_VERSION_3;
		if (syscall(SYS_capget, &hd, d) == -1) {
			perror("capget");
			exit(3);
		}
		if (argv[0][3] == 'i')	/* capinh */
			d[cap / 32].inheritable |= 1U << (cap % 32);
		else {
			d[cap / 32].effective &= ~(1U << (cap % 32));
			d[cap / 32].permitted &= ~(1U << (cap % 32));
		}
		if (syscall(SYS_capset, &hd, d) == -1) {
			perror("capset");
			exit(3);
		}
		*ret = run(argc - 2, argv + 2);
	} else if (strcmp(argv[0], "fork") == 0 && argc >= 2) {
		if ((pid = fork()) == -1) {
			perror("fork");
			exit(3);
		}
		if (pid == 0) {
			*ret = run(argc - 1, argv + 1);
			printf("ret=%ld errno=%d\n", *ret, *ret < 0 ? errno : 0);
			fflush(stdout);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) == -1) {
			perror("waitpid");
			exit(3);
		}
		*ret = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	} else
		return 0;
	return 1;
}

/* the calls that make or replace a name without open(2): rename,
 * renameat, renameat2, link, linkat, symlink, mknod, mknodat (a regular
 * file), truncate, ftruncate (of a file opened O_RDWR), each relative to
 * the current directory; 1 if argv was one of them */
static int
run_names(int argc, char **argv, long *ret)
{
	const char	*c = argv[0];
	int		 fd;

	if (argc == 3 && strcmp(c, "rename") == 0)
		*ret = syscall(SYS_rename, argv[1], argv[2]);
	else if (argc == 3 && strcmp(c, "renameat") == 0)
		*ret = syscall(SYS_renameat, AT_FDCWD, argv[1], AT_FDCWD,
		    argv[2]);
	else if (argc == 3 && strcmp(c, "renameat2") == 0)
		*ret = syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD,
		    argv[2], 0);
	else if (argc == 3 && strcmp(c, "link") == 0)
		*ret = syscall(SYS_link, argv[1], argv[2]);
	else if (argc == 3 && strcmp(c, "linkat") == 0)
		*ret = syscall(SYS_linkat, AT_FDCWD, argv[1], AT_FDCWD,
		    argv[2], 0);
	else if (argc == 3 && strcmp(c, "symlink") == 0)
		*ret = syscall(SYS_symlink, argv[1], argv[2]);
	else if (argc == 2 && strcmp(c, "mknod") == 0)
		*ret = syscall(SYS_mknod, argv[1], S_IFREG | 0600, 0);
	else if (argc == 2 && strcmp(c, "mknodat") == 0)
		*ret = syscall(SYS_mknodat, AT_FDCWD, argv[1], S_IFREG | 0600,
		    0);
	else if (argc == 2 && strcmp(c, "truncate") == 0)
		*ret = syscall(SYS_truncate, argv[1], 0);
	else if (argc == 2 && strcmp(c, "ftruncate") == 0) {
		if ((fd = open(argv[1], O_RDWR)) == -1) {
			perror(argv[1]);
			exit(3);
		}
		*ret = syscall(SYS_ftruncate, fd, 0);
		close(fd);
	} else
		return 0;
	return 1;
}

static long
run(int argc, char **argv)
{
	long	 ret = -1;
	int	 fd;
	char	 buf[65536];

	if (argc < 1)
		goto usage;
	if (strcmp(argv[0], "openat") == 0 && argc == 3) {
		ret = openat(AT_FDCWD, argv[1], (int)num(argv[2]), 0600);
		if (ret >= 0)
			close((int)ret);
	} else if (strcmp(argv[0], "write") == 0 && argc == 3) {
		if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND,
		    0600)) == -1) {
			perror(argv[1]);
			exit(3);
		}
		ret = write(fd, argv[2], strlen(argv[2]));
		close(fd);
	} else if (strcmp(argv[0], "read") == 0 && argc == 3) {
		if ((fd = open(argv[1], O_RDONLY)) == -1) {
			perror(argv[1]);
			exit(3);
		}
		ret = read(fd, buf, (size_t)num(argv[2]) < sizeof(buf) ?
		    (size_t)num(argv[2]) : sizeof(buf));
		close(fd);
	} else if (strcmp(argv[0], "symlinkat") == 0 && argc == 3) {
		ret = symlinkat(argv[1], AT_FDCWD, argv[2]);
	} else if (strcmp(argv[0], "getpriority") == 0 && argc == 3) {
		errno = 0;
		ret = getpriority((int)num(argv[1]), (id_t)num(argv[2]));
	} else if (strcmp(argv[0], "connect") == 0 && argc == 3) {
		struct sockaddr_in	 sin;
		struct sockaddr_in6	 sin6;

		memset(&sin, 0, sizeof(sin));
		memset(&sin6, 0, sizeof(sin6));
		if (inet_pton(AF_INET, argv[1], &sin.sin_addr) == 1) {
			sin.sin_family = AF_INET;
			sin.sin_port = htons((uint16_t)num(argv[2]));
			fd = socket(AF_INET, SOCK_STREAM, 0);
			ret = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		} else if (inet_pton(AF_INET6, argv[1], &sin6.sin6_addr) == 1) {
			sin6.sin6_family = AF_INET6;
			sin6.sin6_port = htons((uint16_t)num(argv[2]));
			fd = socket(AF_INET6, SOCK_STREAM, 0);
			ret = connect(fd, (struct sockaddr *)&sin6,
			    sizeof(sin6));
		} else
			goto usage;
		close(fd);
	} else if (strcmp(argv[0], "ffd") == 0 && argc == 2) {
		if ((fd = openat(AT_FDCWD, argv[1], O_WRONLY | O_CREAT |
		    O_TRUNC, 0600)) == -1) {
			perror(argv[1]);
			exit(3);
		}
		close(fd);
		ret = write(fd, "followed", 8);
	} else if (strcmp(argv[0], "writen") == 0 && argc == 3) {
		size_t	 n = (size_t)num(argv[2]);

		if (n > sizeof(buf))
			goto usage;
		if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC,
		    0600)) == -1) {
			perror(argv[1]);
			exit(3);
		}
		memset(buf, 'A', n);
		ret = write(fd, buf, n);
		close(fd);
	} else if (strcmp(argv[0], "writev") == 0 && argc >= 2) {
		struct iovec	 iov[IOV_N];
		int		 n = iov_of(iov, argc - 2, argv + 2);

		if (n < 0)
			goto usage;
		fd = xopen(argv[1], O_WRONLY | O_CREAT | O_TRUNC);
		ret = writev(fd, iov, n);
		close(fd);
	} else if (strcmp(argv[0], "readv") == 0 && argc >= 2) {
		struct iovec	 iov[IOV_N];
		size_t		 k, used = 0;
		int		 n = argc - 2, i;

		if (n > IOV_N)
			goto usage;
		for (i = 0; i < n; i++) {
			k = (size_t)num(argv[i + 2]);
			if (k > sizeof(buf) - used)
				goto usage;
			iov[i].iov_base = buf + used;
			iov[i].iov_len = k;
			used += k;
		}
		fd = xopen(argv[1], O_RDONLY);
		ret = readv(fd, iov, n);
		close(fd);
	} else if (strcmp(argv[0], "iovprobe") == 0 && argc >= 1) {
		struct iovec	 iov[IOV_N];
		int		 n = iov_of(iov, argc - 1, argv + 1);

		if (n < 0)
			goto usage;
		ret = trigger_iov_target(iov, n);
	} else if (strcmp(argv[0], "comm") == 0 && argc == 2) {
		ret = prctl(PR_SET_NAME, argv[1], 0, 0, 0);
	} else if (strcmp(argv[0], "setuid") == 0 && argc == 2) {
		ret = setuid((uid_t)num(argv[1]));
	} else if (strcmp(argv[0], "setresuid") == 0 && argc == 4) {
		ret = setresuid((uid_t)num(argv[1]), (uid_t)num(argv[2]),
		    (uid_t)num(argv[3]));
	} else if (strcmp(argv[0], "clock_settime") == 0 && argc == 2) {
		struct timespec	 ts;

		memset(&ts, 0, sizeof(ts));
		ret = syscall(SYS_clock_settime, (int)num(argv[1]), &ts);
	} else if (strcmp(argv[0], "finit_module") == 0 && argc == 4) {
		ret = syscall(SYS_finit_module, (int)num(argv[1]), argv[2],
		    (int)num(argv[3]));
	} else if (strcmp(argv[0], "init_module") == 0 && argc == 3) {
		ret = syscall(SYS_init_module, NULL,
		    (unsigned long)num(argv[1]), argv[2]);
	} else if (strcmp(argv[0], "bpf") == 0 && argc == 3) {
		/* all zero: BPF_PROG_LOAD of type 0 is refused (EINVAL) */
		memset(buf, 0, 256);
		ret = syscall(SYS_bpf, (int)num(argv[1]), buf,
		    (unsigned int)num(argv[2]));
	} else if (strcmp(argv[0], "threads") == 0 && argc >= 3) {
		struct thr	 t;
		pthread_t	 th;
		long		 n = num(argv[1]), i;

		t.argc = argc - 2;
		t.argv = argv + 2;
		t.ret = -1;
		for (i = 0; i < n; i++) {
			if (pthread_create(&th, NULL, thr_main, &t) != 0) {
				fprintf(stderr, "trigger: pthread_create\n");
				exit(3);
			}
			pthread_join(th, NULL);
		}
		return t.ret;
	} else if (strcmp(argv[0], "dup") == 0 && argc == 2) {
		ret = dup((int)num(argv[1]));
	} else if (strcmp(argv[0], "dup2") == 0 && argc == 3) {
		ret = dup2((int)num(argv[1]), (int)num(argv[2]));
	} else if (strcmp(argv[0], "dup3") == 0 && argc == 3) {
		ret = dup3((int)num(argv[1]), (int)num(argv[2]), 0);
	} else if (strcmp(argv[0], "wfd") == 0 && argc == 3) {
		ret = write((int)num(argv[1]), argv[2], strlen(argv[2]));
	} else if (strcmp(argv[0], "probe") == 0 && argc == 2) {
		ret = trigger_probe_target((int)num(argv[1]));
	} else if (strcmp(argv[0], "repeat") == 0 && argc >= 3) {
		long	 n = num(argv[1]), i;

		for (i = 0; i < n; i++)
			ret = run(argc - 2, argv + 2);
		return ret;
	} else if (run_open(argc, argv, &ret) || run_cred(argc, argv, &ret) ||
	    run_names(argc, argv, &ret) || run_change(argc, argv, &ret)) {
		;
	} else
		goto usage;
	return ret;
usage:
	fprintf(stderr, "trigger: bad arguments\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long	 ret;

	ret = run(argc - 1, argv + 1);
	printf("ret=%ld errno=%d\n", ret, ret < 0 ? errno : 0);
	return 0;
}
