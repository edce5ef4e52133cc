/*
 * notifierd/sandbox_rules.c -- what notifierd may do once sandboxed.
 *
 * Seccomp allowlist: anything not listed kills the process (enforce mode),
 * in particular execve/execveat, ptrace, bpf, fork (clone without
 * CLONE_THREAD), mount, setuid and friends, and opening files for writing.
 * The table covers the event loop and IPC used today plus what libcurl
 * (threaded resolver, OpenSSL, sockets) needs for alert delivery, so the
 * filter does not have to be widened when delivery lands.
 *
 * Landlock: read-only access to what the resolver and TLS need; nothing is
 * writable.  Paths that do not exist are skipped by sandbox_landlock().
 */
#include "build.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <nss.h>
#endif

#include <curl/curl.h>

#include "err.h"
#include "log.h"
#include "notifierd.h"
#include "sandbox.h"
#include "xmalloc.h"

/* Flags glibc's pthread_create passes to clone(2); anything else (fork,
 * new namespaces) is refused. */
#define NOTIFIER_CLONE_THREAD	(CLONE_VM | CLONE_FS | CLONE_FILES | \
	CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_THREAD | CLONE_SETTLS | \
	CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* open flags that would create or modify a file.  O_TMPFILE is
 * __O_TMPFILE | O_DIRECTORY: only its own bit goes in the mask, or every
 * read-only directory open (opendir) would be refused too. */
#define NOTIFIER_O_TMPFILE_BIT	(O_TMPFILE & ~O_DIRECTORY)
#define NOTIFIER_OPEN_WRITE	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | \
	O_APPEND | NOTIFIER_O_TMPFILE_BIT)

#define ALLOW(name, why) \
	{ name, SB_ALLOW, 0, 0, 0, 0, why }
#define ERRNO(name, e, why) \
	{ name, SB_ERRNO, e, 0, 0, 0, why }
#define ALLOW_EQ(name, a, v, why) \
	{ name, SB_ALLOW_ARG_EQ, 0, a, v, 0, why }
#define ALLOW_MASK0(name, a, m, why) \
	{ name, SB_ALLOW_ARG_MASK0, 0, a, 0, m, why }
#define ERRNO_EQ(name, e, a, v, why) \
	{ name, SB_ERRNO_ARG_EQ, e, a, v, 0, why }

static const struct sandbox_rule notifier_rules[] = {
	/* process lifetime */
	ALLOW("exit_group", "exit(3) at shutdown"),
	ALLOW("exit", "resolver thread exit"),
	ALLOW("rt_sigreturn", "return from the libevent signal handler"),
	ALLOW("restart_syscall", "restart after a signal"),
	ALLOW("rt_sigprocmask", "pthread_create, libevent signal setup"),
	ALLOW("rt_sigaction", "libevent restores handlers at event_del"),

	/* memory: no executable mappings after startup */
	ALLOW("brk", "malloc"),
	ALLOW_MASK0("mmap", 2, PROT_EXEC, "malloc, thread stacks (no exec)"),
	ALLOW_MASK0("mprotect", 2, PROT_EXEC, "thread stack guard pages"),
	ALLOW("munmap", "free, thread exit"),
	ALLOW("mremap", "realloc of large blocks"),
	ALLOW("madvise", "malloc trimming, thread stack release"),

	/* time */
	ALLOW("clock_gettime", "libevent timeouts, uptime (vDSO fallback)"),
	ALLOW("gettimeofday", "libevent, curl (vDSO fallback)"),
	ALLOW("clock_nanosleep", "curl retry back-off"),
	ALLOW("nanosleep", "curl retry back-off"),

	/* event loop */
	ALLOW("epoll_wait", "libevent epoll backend"),
	ALLOW("epoll_pwait", "libevent epoll backend (arm64)"),
	ALLOW("epoll_ctl", "libevent event_add/event_del"),
	ALLOW("poll", "curl connection checks"),
	ALLOW("ppoll", "curl connection checks (arm64)"),

	/* IPC with loaderd and collectord (fds 3 and 4) */
	ALLOW("recvmsg", "ipc_recv"),
	ALLOW("sendmsg", "ipc_send"),

	/* descriptors */
	ALLOW("read", "libevent signal pipe, OpenSSL socket BIO, files"),
	ALLOW("write", "logging to stderr, OpenSSL socket BIO"),
	ALLOW("writev", "stdio, curl"),
	ALLOW("close", "sockets, files"),
	ALLOW("fcntl", "O_NONBLOCK/FD_CLOEXEC on curl sockets"),
	ALLOW("lseek", "stdio on read-only files"),
	ALLOW("pread64", "libc reads of trust store files"),
	ALLOW("fstat", "stdio, OpenSSL file loading"),
	ALLOW("newfstatat", "stdio, OpenSSL file loading"),
	ALLOW("statx", "stat(2) in newer libc"),
	ALLOW_MASK0("openat", 2, NOTIFIER_OPEN_WRITE,
	    "resolv.conf, hosts, CA files: read-only opens only"),
	ERRNO("ioctl", ENOTTY, "isatty() in stdio: report not a tty"),

	/* network (curl; socket families limited) */
	ALLOW_EQ("socket", 0, AF_INET, "curl, DNS over UDP/TCP"),
	ALLOW_EQ("socket", 0, AF_INET6, "curl, DNS over UDP/TCP"),
	ALLOW_EQ("socket", 0, AF_UNIX, "glibc nscd probe in getaddrinfo"),
	/* getaddrinfo() sorting several addresses asks the kernel for the
	 * local ones over NETLINK_ROUTE; refused, glibc sorts without */
	ERRNO_EQ("socket", EAFNOSUPPORT, 0, AF_NETLINK,
	    "getaddrinfo __check_pf: sort without the address list"),
	ALLOW_EQ("socketpair", 0, AF_UNIX, "curl multi wakeup pair"),
	ALLOW("connect", "curl, resolver"),
	ALLOW("getsockopt", "curl: SO_ERROR after non-blocking connect"),
	ALLOW("setsockopt", "curl: TCP_NODELAY, keepalive"),
	ALLOW("getsockname", "curl: local address"),
	ALLOW("getpeername", "curl: peer address"),
	ALLOW("sendto", "resolver, libevent signal socketpair"),
	ALLOW("recvfrom", "resolver, libevent signal socketpair"),
	ALLOW("sendmmsg", "glibc resolver sends A and AAAA queries"),
	ALLOW("shutdown", "curl connection close"),

	/* threads (curl's threaded resolver) */
	ALLOW_EQ("clone", 0, NOTIFIER_CLONE_THREAD, "pthread_create only"),
	ERRNO("clone3", ENOSYS, "make glibc fall back to filterable clone"),
	ALLOW("futex", "pthread mutexes, thread join"),
	ALLOW("set_robust_list", "new threads"),
	ALLOW("rseq", "new threads (glibc 2.35+)"),
	ALLOW("sched_yield", "pthread spin locks"),
	ALLOW("gettid", "glibc, OpenSSL thread ids"),

	/* identity and randomness */
	ALLOW("getpid", "OpenSSL fork detection"),
	ALLOW("getuid", "READY message; curl/glibc home lookups"),
	ALLOW("geteuid", "curl .netrc lookup (file access denied)"),
	ALLOW("getgid", "glibc, OpenSSL"),
	ALLOW("getegid", "glibc, OpenSSL"),
	ALLOW("getrandom", "OpenSSL RNG, curl"),
	ALLOW("uname", "gethostname() for the SMTP EHLO name"),
};

#undef ALLOW
#undef ERRNO
#undef ALLOW_EQ
#undef ALLOW_MASK0
#undef ERRNO_EQ

/*
 * Read-only for the resolver and TLS.  The CA bundle lives in a different
 * place on each distribution (and /etc/ssl/certs entries are links into
 * other trees): every common location is listed, and the ones a system
 * does not have are skipped by sandbox_landlock().  libcurl's own built-in
 * bundle and the configured ca_file are added at run time.
 */
static const char *const notifier_ro_paths[] = {
	"/etc/resolv.conf",		/* resolver configuration */
	"/etc/hosts",
	"/etc/nsswitch.conf",
	"/etc/gai.conf",		/* getaddrinfo address sorting */
	"/etc/host.conf",
	"/etc/ssl",			/* Debian, Ubuntu, Alpine, SUSE */
	"/etc/pki",			/* Fedora, RHEL, CentOS */
	"/etc/ca-certificates",		/* Arch */
	"/usr/share/ca-certificates",	/* targets of /etc/ssl/certs links */
	"/usr/local/share/ca-certificates",
	"/usr/share/pki",		/* Fedora trust sources */
	"/var/lib/ca-certificates",	/* SUSE: targets of /etc/ssl links */
	"/usr/lib",			/* OpenSSL config and engines */
	NULL
};

static const char *notifier_extra_ro;	/* notifier_sandbox_add_ro */

void
notifier_sandbox_add_ro(const char *path)
{
	notifier_extra_ro = path;
}

const struct sandbox_rule *
notifier_sandbox_rules(size_t *n)
{
	*n = sizeof(notifier_rules) / sizeof(notifier_rules[0]);
	return notifier_rules;
}

const char **
notifier_sandbox_ro_paths(const struct al_config *cfg)
{
	const char	**ro;
	size_t		 n, i, nro = 0;
#if LIBCURL_VERSION_NUM >= 0x074600
	const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
#endif

	for (n = 0; notifier_ro_paths[n] != NULL; n++)
		;
	ro = xcalloc(n + (cfg != NULL ? cfg->nreceivers : 0) + 5,
	    sizeof(*ro));
	for (i = 0; i < n; i++)
		ro[nro++] = notifier_ro_paths[i];
#if LIBCURL_VERSION_NUM >= 0x074600
	/* the bundle libcurl was built to use, wherever that is */
	if (vi->age >= CURLVERSION_SEVENTH && vi->cainfo != NULL)
		ro[nro++] = vi->cainfo;
	if (vi->age >= CURLVERSION_SEVENTH && vi->capath != NULL)
		ro[nro++] = vi->capath;
#endif
	if (cfg != NULL && cfg->ca_file != NULL && cfg->ca_file[0] != '\0')
		ro[nro++] = cfg->ca_file;
	if (notifier_extra_ro != NULL)
		ro[nro++] = notifier_extra_ro;
	for (i = 0; cfg != NULL && i < cfg->nreceivers; i++)
		if (cfg->receivers[i].ca_file != NULL &&
		    cfg->receivers[i].ca_file[0] != '\0')
			ro[nro++] = cfg->receivers[i].ca_file;
	return ro;
}

static void
notifier_lookup(const char *name)
{
	struct addrinfo	 hints, *res = NULL;
	int		 r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(name, "443", &hints, &res)) != 0)
		log_debug("resolver warm-up (%s): %s", name, gai_strerror(r));
	if (res != NULL)
		freeaddrinfo(res);
}

/*
 * Host name lookups must not load code once seccomp refuses executable
 * mappings.  glibc loads the NSS modules of the hosts: line lazily, on the
 * first lookup that reaches each one: with "files mdns4_minimal
 * [NOTFOUND=return] dns myhostname" the first name not in /etc/hosts
 * would dlopen mdns4_minimal and be killed.  So the hosts database is set
 * to "files dns", which glibc 2.34 and later have built in (no dlopen),
 * before the first lookup; names only other modules know (mDNS .local,
 * myhostname) do not resolve for the notifier.  A lookup now reads the
 * files and sets up the resolver while everything is still allowed; on an
 * older glibc, where dns is a module too, a second one that /etc/hosts
 * cannot answer loads it.
 */
void
notifier_resolver_prepare(void)
{
#ifdef __GLIBC__
	if (__nss_configure_lookup("hosts", "files dns") != 0)
		log_warnx("NSS: could not set hosts to \"files dns\"");
#endif
	notifier_lookup("localhost");
#if defined(__GLIBC__) && !__GLIBC_PREREQ(2, 34)
	notifier_lookup("localhost.");
#endif
}

int
notifier_sandbox_enter(enum sandbox_mode mode, uid_t uid, gid_t gid,
    const struct al_config *cfg)
{
	const struct sandbox_rule *rules;
	const char	**ro;
	size_t		 n;
	int		 r;

	notifier_resolver_prepare();
	if (mode == SANDBOX_OFF)
		log_warnx("sandbox off: no Landlock, no seccomp");
	else {
		ro = notifier_sandbox_ro_paths(cfg);
		r = sandbox_landlock(ro, NULL);
		free(ro);
		if (r == ERR_UNSUPP)
			log_warnx("Landlock not supported by this kernel; "
			    "continuing without it");
		else if (r != 0)
			return r;
	}

	if (getuid() != 0)
		log_warnx("not started as root: keeping uid %u",
		    (unsigned int)getuid());
	if ((r = sandbox_drop_privs(uid, gid)) != 0)
		return r;

	rules = notifier_sandbox_rules(&n);
	if ((r = sandbox_seccomp(rules, n, mode)) != 0)
		return r;
	log_debug("sandbox %s: %zu seccomp rules", sandbox_mode_name(mode), n);
	return 0;
}
