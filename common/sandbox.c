/*
 * common/sandbox.c -- privilege drop, Landlock and seccomp for the children.
 *
 * Nothing here decides policy: each daemon passes its own paths and rule
 * table (<daemon>/sandbox_rules.c) and decides what a failure means.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/landlock.h>
#include <cap-ng.h>
#include <seccomp.h>
#ifdef TRIPLINE_SANITIZERS
#include <sanitizer/common_interface_defs.h>
#endif

#include "err.h"
#include "sandbox.h"

/* Access rights newer than the installed kernel headers may know. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION	(1U << 0)
#endif

/* ABI 1 file system rights: EXECUTE .. MAKE_SYM */
#define SB_LL_FS_V1	((1ULL << 13) - 1)
/* rights that apply to a regular file (a rule on a file may hold only
 * these) */
#define SB_LL_FS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define SB_LL_FS_RO	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_READ_DIR)

int
sandbox_mode_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "enforce") == 0)
		return SANDBOX_ENFORCE;
	if (strcmp(s, "trap") == 0)
		return SANDBOX_TRAP;
	if (strcmp(s, "log") == 0)
		return SANDBOX_LOG;
	if (strcmp(s, "off") == 0)
		return SANDBOX_OFF;
	return -1;
}

const char *
sandbox_mode_name(enum sandbox_mode mode)
{
	switch (mode) {
	case SANDBOX_ENFORCE:
		return "enforce";
	case SANDBOX_TRAP:
		return "trap";
	case SANDBOX_LOG:
		return "log";
	case SANDBOX_OFF:
		return "off";
	}
	return "unknown";
}

int
sandbox_lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;

	errno = 0;
	if (user == NULL || *user == '\0' || (pw = getpwnam(user)) == NULL)
		return ERR_NOTFOUND;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/*
 * Drop the ambient set and the bounding set.  Dropping from the bounding set
 * needs CAP_SETPCAP, so this runs before the uid change; without it (e.g.
 * a systemd CapabilityBoundingSet= that leaves it out) the set stays as the
 * service manager limited it, which is harmless here: after the uid change
 * with no_new_privs nothing can be regained from it (no file caps, no
 * setuid exec).
 */
static int
sandbox_drop_bounding(void)
{
	unsigned long	 cap;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		return ERR_SYS;
	for (cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == -1) {
			if (errno == EINVAL)
				break;		/* past the last capability */
			return ERR_SYS;
		}
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			if (errno == EPERM)
				return 0;	/* no CAP_SETPCAP */
			return ERR_SYS;
		}
	}
	return 0;
}

/*
 * The uid change clears the parent-death signal: set it again, then check
 * that the parent did not die in between (we would be reparented and the
 * signal would never come).
 */
static int
sandbox_keep_pdeathsig(int sig, pid_t ppid)
{
	if (sig == 0)
		return 0;
	if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == -1)
		return ERR_SYS;
	if (getppid() != ppid) {
		errno = ESRCH;
		return ERR_SYS;
	}
	return 0;
}

int
sandbox_drop_privs(uid_t uid, gid_t gid)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;
	pid_t	 ppid = getppid();
	int	 root = getuid() == 0, r, pdeath = 0;

	if (prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0) == -1)
		return ERR_SYS;
	if ((r = sandbox_drop_bounding()) != 0)
		return r;

	if (root) {
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			return ERR_SYS;
		if (getresgid(&rg, &eg, &sg) == -1 ||
		    getresuid(&ru, &eu, &su) == -1)
			return ERR_SYS;
		if (rg != gid || eg != gid || sg != gid ||
		    ru != uid || eu != uid || su != uid) {
			errno = EPERM;
			return ERR_SYS;
		}
		/* a dropped root must not be able to regain uid 0 */
		if (uid != 0 && (setresuid(0, 0, 0) != -1 ||
		    setuid(0) != -1)) {
			errno = EPERM;
			return ERR_SYS;
		}
		if ((r = sandbox_keep_pdeathsig(pdeath, ppid)) != 0)
			return r;
	}

	/* effective, permitted, inheritable (+ ambient again, harmless) */
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
		errno = EPERM;
		return ERR_SYS;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		return ERR_SYS;
	if (capng_get_caps_process() != 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		errno = EPERM;
		return ERR_SYS;
	}

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return ERR_SYS;
	return 0;
}

static int
sandbox_ll_create(const struct landlock_ruleset_attr *attr, size_t size,
    uint32_t flags)
{
	return (int)syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static int
sandbox_ll_add(int rfd, const struct landlock_path_beneath_attr *pb)
{
	return (int)syscall(__NR_landlock_add_rule, rfd,
	    LANDLOCK_RULE_PATH_BENEATH, pb, 0);
}

static int
sandbox_ll_restrict(int rfd)
{
	return (int)syscall(__NR_landlock_restrict_self, rfd, 0);
}

/* Add one path rule.  A path that does not exist is skipped: it grants
 * nothing, so leaving it out never widens access. */
static int
sandbox_ll_path(int rfd, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb;
	struct stat	 st;
	int		 fd, r = 0, saved;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : ERR_SYS;
	if (fstat(fd, &st) == -1) {
		r = ERR_SYS;
		goto out;
	}
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = S_ISDIR(st.st_mode) ? access :
	    (access & SB_LL_FS_FILE);
	if (pb.allowed_access != 0 && sandbox_ll_add(rfd, &pb) == -1)
		r = ERR_SYS;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
sandbox_landlock(const char *const *ro, const char *const *rw)
{
	return sandbox_landlock_files(ro, rw, NULL);
}

int
sandbox_landlock_files(const char *const *ro, const char *const *rw,
    const char *const *rofile)
{
	struct landlock_ruleset_attr attr;
	uint64_t	 handled;
	int		 abi, rfd = -1, r = 0, saved;
	size_t		 i;

	abi = sandbox_ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		if (errno == ENOSYS || errno == EOPNOTSUPP)
			return ERR_UNSUPP;
		return ERR_SYS;
	}
	handled = SB_LL_FS_V1;
	if (abi >= 2)
		handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled;
	if ((rfd = sandbox_ll_create(&attr, sizeof(attr), 0)) == -1)
		return ERR_SYS;

	for (i = 0; ro != NULL && ro[i] != NULL; i++)
		if ((r = sandbox_ll_path(rfd, ro[i], SB_LL_FS_RO)) != 0)
			goto out;
	for (i = 0; rw != NULL && rw[i] != NULL; i++)
		if ((r = sandbox_ll_path(rfd, rw[i], handled)) != 0)
			goto out;
	for (i = 0; rofile != NULL && rofile[i] != NULL; i++)
		if ((r = sandbox_ll_path(rfd, rofile[i],
		    LANDLOCK_ACCESS_FS_READ_FILE)) != 0)
			goto out;

	/* required unless we hold CAP_SYS_ADMIN; set here so the order
	 * landlock -> drop_privs works for non-root callers too */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    sandbox_ll_restrict(rfd) == -1)
		r = ERR_SYS;
out:
	saved = errno;
	close(rfd);
	errno = saved;
	return r;
}

/* Async-signal-safe SIGSYS reporter for SANDBOX_TRAP. */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *ctx)
{
	static const char pre[] = "seccomp: forbidden syscall ";
	char		 num[16];
	int		 nr, i = (int)sizeof(num);
	ssize_t		 w;

	(void)sig;
	(void)ctx;
	nr = si->si_syscall;
	num[--i] = '\n';
	if (nr < 0)
		nr = -nr;
	do {
		num[--i] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr > 0 && i > 0);
	w = write(STDERR_FILENO, pre, sizeof(pre) - 1);
	w = write(STDERR_FILENO, num + i, sizeof(num) - (size_t)i);
	(void)w;
	_exit(2);
}

/* One table row into the filter: 0, or libseccomp's -errno. */
static int
sandbox_rule_add(scmp_filter_ctx ctx, const struct sandbox_rule *rl)
{
	struct scmp_arg_cmp cmp;
	uint32_t	 act = SCMP_ACT_ALLOW;
	int		 nr;

	nr = seccomp_syscall_resolve_name(rl->syscall);
	if (nr == __NR_SCMP_ERROR)
		return 0;	/* unknown to this libseccomp/arch: nothing to allow */
	memset(&cmp, 0, sizeof(cmp));
	switch (rl->action) {
	case SB_ALLOW:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case SB_ERRNO:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)rl->err),
		    nr, 0);
	case SB_ERRNO_ARG_EQ:
		act = SCMP_ACT_ERRNO((uint32_t)rl->err);
		/* FALLTHROUGH */
	case SB_ALLOW_ARG_EQ:
		cmp.arg = rl->arg;
		cmp.op = SCMP_CMP_EQ;
		cmp.datum_a = rl->val;
		break;
	case SB_ALLOW_ARG_MASK0:
		cmp.arg = rl->arg;
		cmp.op = SCMP_CMP_MASKED_EQ;
		cmp.datum_a = rl->mask;
		cmp.datum_b = 0;
		break;
	case SB_ERRNO_ARG_BITS:
		act = SCMP_ACT_ERRNO((uint32_t)rl->err);
		cmp.arg = rl->arg;
		cmp.op = SCMP_CMP_MASKED_EQ;
		cmp.datum_a = rl->mask;
		cmp.datum_b = rl->mask;
		break;
	default:
		return -EINVAL;
	}
	return seccomp_rule_add_array(ctx, act, nr, 1, &cmp);
}

#ifdef TRIPLINE_SANITIZERS
/*
 * Sanitizer builds only (--enable-sanitizers): what the ASan/UBSan runtime
 * itself calls inside a filtered process, added to every table.  Nothing
 * else is relaxed: Landlock is unchanged, open(2) and readlink(2) fail
 * instead of killing, no ptrace, no clone.  A report therefore names
 * module+offset (the symbolizer cannot open the binary); README.md,
 * "Sanitizer stage".
 */
static const struct sandbox_rule sandbox_san_rules[] = {
	{ "sigaltstack", SB_ALLOW, 0, 0, 0, 0,
	    "__asan_handle_no_return queries the signal stack before every "
	    "noreturn call (exit, longjmp, fatal); a new thread gets its own "
	    "for ASan's SEGV report" },
	{ "open", SB_ERRNO, EACCES, 0, 0, 0,
	    "a report re-reads /proc/self/maps; on failure it uses the copy "
	    "cached by __sanitizer_sandbox_on_notify()" },
	{ "readlink", SB_ERRNO, EACCES, 0, 0, 0,
	    "a UBSan report asks for /proc/self/exe" },
	{ "sched_getaffinity", SB_ALLOW, 0, 0, 0, 0,
	    "a new thread (curl's resolver) asks for its own stack: "
	    "pthread_getattr_np reads the thread's CPU mask by its tid" },
};

/* set once a filter is loaded: LeakSanitizer's exit-time check stops
 * every thread with ptrace from a clone()d tracer, which the filter
 * forbids (and must) */
static int sandbox_filtered;

int	__lsan_is_turned_off(void);

/* Add the runtime's rules for the calls the daemon's table leaves out (a
 * call the table names keeps the table's rule). */
static int
sandbox_san_add(scmp_filter_ctx ctx, const struct sandbox_rule *rules,
    size_t n)
{
	size_t	 i, j;
	int	 rc;

	for (i = 0; i < sizeof(sandbox_san_rules) /
	    sizeof(sandbox_san_rules[0]); i++) {
		for (j = 0; j < n; j++)
			if (strcmp(rules[j].syscall,
			    sandbox_san_rules[i].syscall) == 0)
				break;
		if (j == n &&
		    (rc = sandbox_rule_add(ctx, &sandbox_san_rules[i])) != 0)
			return rc;
	}
	return 0;
}

int
__lsan_is_turned_off(void)
{
	return sandbox_filtered;
}
#endif

static int
sandbox_seccomp_build(const struct sandbox_rule *rules, size_t n,
    enum sandbox_mode mode, scmp_filter_ctx *out)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 def;
	size_t		 i;
	int		 rc;

	*out = NULL;
	switch (mode) {
	case SANDBOX_ENFORCE:
		def = SCMP_ACT_KILL_PROCESS;
		break;
	case SANDBOX_TRAP:
		def = SCMP_ACT_TRAP;
		break;
	case SANDBOX_LOG:
		def = SCMP_ACT_LOG;
		break;
	default:
		errno = EINVAL;
		return ERR_SYS;
	}
	if ((ctx = seccomp_init(def)) == NULL) {
		errno = ENOMEM;
		return ERR_SYS;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    mode == SANDBOX_ENFORCE ? SCMP_ACT_KILL_PROCESS : def)) != 0)
		goto fail;

	for (i = 0; i < n; i++)
		if ((rc = sandbox_rule_add(ctx, &rules[i])) != 0)
			goto fail;
#ifdef TRIPLINE_SANITIZERS
	if ((rc = sandbox_san_add(ctx, rules, n)) != 0)
		goto fail;
#endif

	/* the SIGSYS reporter itself must be able to run */
	if (mode == SANDBOX_TRAP &&
	    ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write),
	    1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO))) != 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
	    SCMP_SYS(exit_group), 0)) != 0))
		goto fail;

	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	errno = rc < 0 ? -rc : EINVAL;
	return ERR_SYS;
}

int
sandbox_seccomp(const struct sandbox_rule *rules, size_t n,
    enum sandbox_mode mode)
{
	struct sigaction sa;
	scmp_filter_ctx	 ctx;
	int		 r, rc;

	if (mode == SANDBOX_OFF)
		return 0;
	if ((r = sandbox_seccomp_build(rules, n, mode, &ctx)) != 0)
		return r;
	if (mode == SANDBOX_TRAP) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sandbox_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) == -1) {
			r = ERR_SYS;
			goto out;
		}
	}
#ifdef TRIPLINE_SANITIZERS
	__sanitizer_sandbox_on_notify(NULL);	/* caches /proc/self/maps */
#endif
	if ((rc = seccomp_load(ctx)) != 0) {
		errno = -rc;
		r = ERR_SYS;
	}
#ifdef TRIPLINE_SANITIZERS
	else
		sandbox_filtered = 1;
#endif
out:
	seccomp_release(ctx);
	return r;
}

int
sandbox_seccomp_dump(const struct sandbox_rule *rules, size_t n,
    enum sandbox_mode mode, int fd)
{
	static const char off[] = "# seccomp filter: off (no filter)\n";
	scmp_filter_ctx	 ctx;
	int		 r, rc;

	if (mode == SANDBOX_OFF) {
		if (write(fd, off, sizeof(off) - 1) != (ssize_t)sizeof(off) - 1)
			return ERR_SYS;
		return 0;
	}
	if ((r = sandbox_seccomp_build(rules, n, mode, &ctx)) != 0)
		return r;
	if ((rc = seccomp_export_pfc(ctx, fd)) != 0) {
		errno = -rc;
		r = ERR_SYS;
	}
	seccomp_release(ctx);
	return r;
}
