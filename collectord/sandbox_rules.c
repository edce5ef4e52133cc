/*
 * collectord/sandbox_rules.c -- collectord's seccomp allowlist.
 *
 * Installed after everything is open (DB + -wal/-shm, events.jsonl, the
 * ring buffer mappings, the libevent base and its signal socketpair) and
 * after the privilege drop.  Default action: kill the process.  No bpf, no
 * socket, no execve, no ptrace; open/openat fail with EACCES so a stray
 * library probe does not kill us (Landlock denies the filesystem anyway).
 */
#include "build.h"

#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>

#include "collectord.h"
#include "sandbox.h"

#define ALLOW(n, why)	{ #n, SB_ALLOW, 0, 0, 0, 0, why }
#define DENY(n, e, why)	{ #n, SB_ERRNO, e, 0, 0, 0, why }
#define NOEXEC(n, a, why) { #n, SB_ALLOW_ARG_MASK0, 0, a, 0, PROT_EXEC, why }
/* openat for reading only (stack symbols: ELF files, library
 * directories); any flag that writes or creates fails with EACCES */
#define SB_O_TMPFILE	020000000	/* __O_TMPFILE */
#define O_WRITES	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | \
			 SB_O_TMPFILE)
#define OPEN_NOWRITE(bit) { "openat", SB_ERRNO_ARG_BITS, EACCES, 2, 0, bit, \
	"nothing is opened for writing after setup" }

const struct sandbox_rule collector_rules[] = {
	/* I/O on descriptors opened before the sandbox */
	ALLOW(read, "libevent signal pipe, misc"),
	ALLOW(write, "events.jsonl, stdout (-p), logging to stderr"),
	ALLOW(writev, "stdio on stderr"),
	ALLOW(pread64, "SQLite reads of events.db and -wal"),
	ALLOW(sysinfo, "glibc qsort (msort) asks _SC_PHYS_PAGES for arrays > 1 KiB"),
	ALLOW(pwrite64, "SQLite writes of events.db, -wal, -shm"),
	ALLOW(lseek, "SQLite (some builds), stdio"),
	ALLOW(fsync, "SQLite checkpoint"),
	ALLOW(fdatasync, "SQLite commit/checkpoint"),
	ALLOW(ftruncate, "SQLite WAL reset, journal_size_limit"),
	ALLOW(fcntl, "SQLite POSIX advisory locks (F_SETLK/F_GETLK)"),
	ALLOW(fstat, "SQLite file size, stdio buffer sizing"),
	ALLOW(newfstatat, "glibc fstat() is fstatat(fd, \"\", AT_EMPTY_PATH)"),
	ALLOW(fstatfs, "free space of the state directory (store.min_free)"),
	ALLOW(close, "closing descriptors at shutdown"),
	/* memory: never executable */
	NOEXEC(mmap, 2, "malloc, SQLite -shm regions (no PROT_EXEC)"),
	NOEXEC(mprotect, 2, "malloc (no PROT_EXEC)"),
	ALLOW(munmap, "malloc, SQLite"),
	ALLOW(mremap, "realloc of large blocks"),
	ALLOW(brk, "malloc"),
	ALLOW(madvise, "malloc trimming"),
	/* event loop and IPC on already-connected sockets */
	ALLOW(epoll_wait, "libevent epoll backend"),
	ALLOW(epoll_pwait, "libevent epoll backend (newer glibc)"),
	ALLOW(epoll_ctl, "libevent: add/remove events"),
	ALLOW(recvmsg, "ipc_recv on fd 3"),
	ALLOW(sendmsg, "ipc_send on fd 3 (READY, STATS)"),
	ALLOW(sendto, "libevent evsig_handler send() to its socketpair"),
	ALLOW(recvfrom, "libevent evsig_cb recv() from its socketpair"),
	/* signals, time, misc */
	ALLOW(rt_sigreturn, "return from signal handlers"),
	ALLOW(rt_sigprocmask, "libevent, glibc"),
	ALLOW(rt_sigaction, "libevent restoring handlers at event_free"),
	ALLOW(clock_gettime, "libevent/SQLite time when vDSO falls back"),
	ALLOW(gettimeofday, "libevent fallback clock"),
	ALLOW(nanosleep, "SQLite busy handler (usleep)"),
	ALLOW(clock_nanosleep, "SQLite busy handler (usleep, newer glibc)"),
	ALLOW(getpid, "SQLite (fork detection, locking), logging"),
	{ "kill", SB_ALLOW_ARG_EQ, 0, 1, 0, 0,
	    "process cache liveness probe: kill(pid, 0) only, no signal" },
	ALLOW(getrandom, "glibc malloc/tcache init, SQLite randomness"),
	ALLOW(futex, "glibc internal locks (stdio)"),
	ALLOW(exit, "thread exit"),
	ALLOW(exit_group, "exit"),
	/* harmless probes: fail instead of killing */
	DENY(open, EACCES, "nothing may be opened after setup"),
	{ "openat", SB_ALLOW_ARG_MASK0, 0, 2, 0, O_WRITES,
	    "stack trace symbols: read-only opens of ELF files and library "
	    "directories (Landlock limits where)" },
	OPEN_NOWRITE(O_WRONLY), OPEN_NOWRITE(O_RDWR), OPEN_NOWRITE(O_CREAT),
	OPEN_NOWRITE(O_TRUNC), OPEN_NOWRITE(O_APPEND),
	OPEN_NOWRITE(SB_O_TMPFILE),
	ALLOW(getdents64, "stack trace symbols: listing the library "
	    "directories (build id index)"),
	DENY(access, EACCES, "SQLite journal existence probes"),
	DENY(faccessat, EACCES, "SQLite journal existence probes"),
	DENY(faccessat2, EACCES, "SQLite journal existence probes"),
	DENY(unlink, EACCES, "SQLite would delete -wal/-shm (kept: PERSIST_WAL)"),
	DENY(unlinkat, EACCES, "as unlink"),
	DENY(ioctl, ENOTTY, "isatty() probes by stdio"),
	DENY(uname, EPERM, "libc probes"),
};

const size_t collector_nrules =
    sizeof(collector_rules) / sizeof(collector_rules[0]);
