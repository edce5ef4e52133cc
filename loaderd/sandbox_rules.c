/*
 * loaderd/sandbox_rules.c -- loaderd's seccomp allowlist.
 *
 * Installed after the BPF load, the capability trim and the spawner's fork,
 * before the children start.  What loaderd still does then: the event loop
 * (libevent), IPC with the children and the spawner, the control socket,
 * policies added and deleted at run time (libbpf: bpf, perf_event_open and
 * its ioctls, BTF and tracefs reads; policy files in STATE/policies.d),
 * SIGKILL and reaping of children.  It never forks or execs (the spawner
 * does), so fork, clone, execve, ptrace, mount, setuid and socket are not
 * here and kill the process.  Default action: kill the process; a few
 * harmless library probes fail with an errno instead.
 */
#include "build.h"

#include <sys/mman.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>

#include <linux/perf_event.h>

#include "sandbox.h"
#include "privs.h"

#define ALLOW(n, why)	{ #n, SB_ALLOW, 0, 0, 0, 0, why }
#define DENY(n, e, why)	{ #n, SB_ERRNO, e, 0, 0, 0, why }
#define NOEXEC(n, a, why) { #n, SB_ALLOW_ARG_MASK0, 0, a, 0, PROT_EXEC, why }
#define ARGEQ(n, a, v, why) { #n, SB_ALLOW_ARG_EQ, 0, a, v, 0, why }

const struct sandbox_rule loaderd_rules[] = {
	/* BPF: policies loaded, attached, detached at run time */
	ALLOW(bpf, "libbpf: programs, maps, links"),
	ALLOW(perf_event_open, "libbpf: kprobe, uprobe, tracepoint attach"),
	ARGEQ(ioctl, 1, PERF_EVENT_IOC_SET_BPF, "libbpf: perf attach"),
	ARGEQ(ioctl, 1, PERF_EVENT_IOC_ENABLE, "libbpf: perf attach"),
	ARGEQ(ioctl, 1, PERF_EVENT_IOC_DISABLE, "libbpf: perf detach"),
	ALLOW(uname, "libbpf: kernel version of kprobe programs"),
	/* files: BTF, tracefs, /proc, cgroup dirs, STATE/policies.d */
	ALLOW(openat, "tracefs, /sys/kernel/btf, kallsyms, policy files"),
	ALLOW(open, "as openat (older architectures)"),
	ALLOW(read, "files, libevent signal socketpair"),
	ALLOW(pread64, "libbpf/libelf: BTF and ELF reads"),
	ALLOW(write, "logging to stderr, policy files"),
	ALLOW(writev, "stdio on stderr"),
	ALLOW(lseek, "stdio, libelf"),
	ALLOW(close, "every fd"),
	ALLOW(fstat, "stdio, libbpf"),
	ALLOW(newfstatat, "glibc stat/fstat"),
	ALLOW(statx, "glibc stat on newer architectures"),
	ALLOW(fstatfs, "libbpf: file system type checks"),
	ALLOW(statfs, "libbpf: bpffs/tracefs checks"),
	ALLOW(getdents64, "opendir/readdir: policies.d, tracefs"),
	ALLOW(readlink, "/proc/self/exe (uprobe of ourselves)"),
	ALLOW(readlinkat, "as readlink"),
	ALLOW(fcntl, "non-blocking IPC sockets, F_DUPFD_CLOEXEC"),
	ALLOW(fsync, "policy files"),
	ALLOW(fchmod, "metrics file: 0644 whatever the umask"),
	ALLOW(rename, "policy files (write then rename)"),
	ALLOW(renameat, "as rename"),
	ALLOW(renameat2, "as rename"),
	ALLOW(unlink, "policy delete, control socket, pid file"),
	ALLOW(unlinkat, "as unlink"),
	ALLOW(access, "libbpf: file probes"),
	ALLOW(faccessat, "as access"),
	ALLOW(faccessat2, "as access"),
	ALLOW(dup, "peer fd passing (ipc queue dup)"),
	ALLOW(dup3, "as dup"),
	/* memory: never executable */
	NOEXEC(mmap, 2, "malloc, libbpf map mmap (no PROT_EXEC)"),
	NOEXEC(mprotect, 2, "malloc (no PROT_EXEC)"),
	ALLOW(munmap, "malloc, libbpf"),
	ALLOW(mremap, "realloc of large blocks"),
	ALLOW(brk, "malloc"),
	ALLOW(madvise, "malloc trimming"),
	/* event loop, IPC, control socket */
	ALLOW(epoll_wait, "libevent epoll backend"),
	ALLOW(epoll_pwait, "libevent epoll backend (newer glibc)"),
	ALLOW(epoll_pwait2, "libevent epoll backend (newest glibc)"),
	ALLOW(epoll_ctl, "libevent: add/remove events"),
	ALLOW(sendmsg, "IPC to children (fd passing), spawner requests"),
	ALLOW(recvmsg, "IPC from children, control clients"),
	ALLOW(sendto, "libevent signal socketpair, spawner"),
	ALLOW(recvfrom, "libevent signal socketpair, spawner answers"),
	ALLOW(accept4, "control socket clients"),
	ALLOW(accept, "control socket clients (older architectures)"),
	ALLOW(getsockopt, "SO_PEERCRED of control clients"),
	ALLOW(setsockopt, "socket buffer sizes"),
	ALLOW(shutdown, "closing control connections"),
	ALLOW(socketpair, "a fresh channel for each child start"),
	/* children and signals */
	ARGEQ(kill, 1, SIGKILL, "a child past a deadline"),
	ARGEQ(kill, 1, SIGTERM, "children at stop"),
	ALLOW(wait4, "reaping children (waitpid)"),
	ALLOW(waitid, "reaping children"),
	ALLOW(rt_sigreturn, "return from signal handlers"),
	ALLOW(rt_sigprocmask, "libevent, glibc"),
	ALLOW(rt_sigaction, "libevent signal events"),
	ALLOW(tgkill, "abort()"),
	ALLOW(gettid, "abort()"),
	/* time and misc */
	ALLOW(clock_gettime, "deadlines, libevent"),
	ALLOW(gettimeofday, "libevent fallback clock"),
	ALLOW(clock_nanosleep, "shutdown grace loop (usleep)"),
	ALLOW(nanosleep, "as clock_nanosleep"),
	ALLOW(getpid, "status, logging"),
	ALLOW(getppid, "logging"),
	ALLOW(getuid, "glibc, libbpf"),
	ALLOW(geteuid, "glibc, libbpf"),
	ALLOW(getrandom, "glibc malloc, libevent"),
	ALLOW(futex, "glibc internal locks (stdio)"),
	ALLOW(sysinfo, "glibc qsort of large arrays"),
	ALLOW(sched_getaffinity, "libbpf: number of CPUs"),
	ALLOW(exit, "thread exit"),
	ALLOW(exit_group, "exit"),
	ARGEQ(ioctl, 1, 0x5401 /* TCGETS */, "isatty() of stdio"),
	/* harmless probes: fail instead of killing */
	DENY(prlimit64, EPERM, "libbpf RLIMIT_MEMLOCK bump (done at start)"),
	DENY(setrlimit, EPERM, "as prlimit64"),
	DENY(memfd_create, EPERM, "no anonymous files"),
};

const size_t loaderd_nrules = sizeof(loaderd_rules) / sizeof(loaderd_rules[0]);
