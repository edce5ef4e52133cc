/*
 * common/sandbox.h -- privilege drop, Landlock and seccomp for the children.
 *
 * Each daemon keeps its own rule table in <daemon>/sandbox_rules.c and calls
 * these in the STYLE.md order: sandbox_lookup_user() -> prepare everything
 * -> sandbox_landlock() -> sandbox_drop_privs() -> sandbox_seccomp().
 */
#ifndef TRIPLINE_SANDBOX_H
#define TRIPLINE_SANDBOX_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

enum sandbox_mode {
	SANDBOX_ENFORCE = 0,	/* default action: kill the process */
	SANDBOX_TRAP,		/* SIGSYS handler logs the syscall, _exit(2) */
	SANDBOX_LOG,		/* SCMP_ACT_LOG: complain mode */
	SANDBOX_OFF,		/* no filter (sanitizer/valgrind builds) */
};

enum sandbox_act {
	SB_ALLOW = 0,		/* allow unconditionally */
	SB_ERRNO,		/* fail with errno = err */
	SB_ALLOW_ARG_EQ,	/* allow if arg[arg] == val, else default */
	SB_ALLOW_ARG_MASK0,	/* allow if (arg[arg] & mask) == 0 */
	SB_ERRNO_ARG_EQ,	/* fail with errno = err if arg[arg] == val */
	SB_ERRNO_ARG_BITS,	/* fail with errno = err if all the bits of
				   mask are set in arg[arg] */
};

struct sandbox_rule {
	const char	*syscall;	/* name as libseccomp knows it */
	enum sandbox_act action;
	int		 err;		/* SB_ERRNO, SB_ERRNO_ARG_EQ */
	unsigned int	 arg;		/* SB_*_ARG_* */
	uint64_t	 val;		/* SB_ALLOW_ARG_EQ, SB_ERRNO_ARG_EQ */
	uint64_t	 mask;		/* SB_ALLOW_ARG_MASK0 */
	const char	*why;		/* which library call needs it */
};

/* "enforce"/"trap"/"log"/"off" -> mode; -1 if unknown. */
int	sandbox_mode_parse(const char *);
const char *sandbox_mode_name(enum sandbox_mode);

/* getpwnam(user) -> uid/gid.  0 or ERR_NOTFOUND. */
int	sandbox_lookup_user(const char *user, uid_t *uid, gid_t *gid);

/*
 * setgroups(1,&gid) + setresgid + setresuid (verified with getresuid),
 * clear every capability (effective, permitted, inheritable, ambient,
 * bounding where possible), PR_SET_NO_NEW_PRIVS.  A parent-death signal
 * (PR_SET_PDEATHSIG), which the uid change clears, is set again, and the
 * call fails (ERR_SYS, errno ESRCH) if the parent died meanwhile.  When not running as root
 * the uid change is skipped (tests) but caps and no_new_privs still apply.
 * 0 or ERR_SYS.
 */
int	sandbox_drop_privs(uid_t uid, gid_t gid);

/*
 * Landlock: allow read-only access beneath each of ro[] and read-write
 * beneath each of rw[] (NULL-terminated, either may be NULL); everything
 * else on the filesystem is denied.  Handles every file system right of
 * the running kernel's ABI (1..5).  Paths that do not exist are skipped (a
 * rule for them could only grant access).  Sets PR_SET_NO_NEW_PRIVS, which
 * landlock_restrict_self() needs without CAP_SYS_ADMIN.  0, or ERR_UNSUPP
 * if the kernel has no Landlock (caller decides; the daemons log it and go
 * on), or ERR_SYS.
 */
int	sandbox_landlock(const char *const *ro, const char *const *rw);
/* The same, plus rofile: trees whose files may be read (READ_FILE only:
 * no directory listing there). */
int	sandbox_landlock_files(const char *const *ro, const char *const *rw,
	    const char *const *rofile);

/* Build and load the seccomp filter from the table. 0 or ERR_SYS.
 * Syscall names libseccomp does not know are skipped.  SANDBOX_OFF loads
 * nothing.  SANDBOX_TRAP installs a SIGSYS handler that writes
 * "seccomp: forbidden syscall N\n" to stderr and _exit(2)s (write to fd 2
 * and exit_group are added to the table for it). */
int	sandbox_seccomp(const struct sandbox_rule *rules, size_t n,
	    enum sandbox_mode mode);
/* Write the filter in PFC form to fd (for --dump-seccomp and tests). */
int	sandbox_seccomp_dump(const struct sandbox_rule *rules, size_t n,
	    enum sandbox_mode mode, int fd);

#endif
