/* tests/unit/test_sandbox.c -- seccomp, Landlock and privilege drop, each
 * exercised in a forked child so the test runner itself stays free. */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <cap-ng.h>

#include "err.h"
#include "sandbox.h"
#include "testutil.h"

/* Exit codes of the children: 0 = every check passed, else the failing
 * step. */
#define CHECK(step, cond)	do { if (!(cond)) return (step); } while (0)

/* Enough for a child that only calls what the tests below call. */
static const struct sandbox_rule test_rules[] = {
	{ "exit_group", SB_ALLOW, 0, 0, 0, 0, "exit" },
	{ "write", SB_ALLOW, 0, 0, 0, 0, "write" },
	{ "getpid", SB_ALLOW, 0, 0, 0, 0, "allowed call" },
	{ "getuid", SB_ERRNO, EPERM, 0, 0, 0, "errno rule" },
	{ "close", SB_ALLOW_ARG_EQ, 0, 0, 1000, 0, "only fd 1000" },
	{ "openat", SB_ALLOW_ARG_MASK0, 0, 2, 0,
	    O_WRONLY | O_RDWR | O_CREAT, "read-only opens" },
	{ "no_such_syscall_xyz", SB_ALLOW, 0, 0, 0, 0, "skipped" },
};
#define NRULES	(sizeof(test_rules) / sizeof(test_rules[0]))

struct sc_arg {
	enum sandbox_mode mode;
	int		 what;	/* which forbidden thing to do at the end */
	int		 errfd;	/* stderr redirect for trap mode */
};

enum { DO_NOTHING, DO_GETPPID, DO_CLOSE_OTHER, DO_OPEN_WRITE, DO_EXECVE };

static int
child_seccomp(void *p)
{
	struct sc_arg	*a = p;
	char *const	 argv[] = { (char *)"/bin/true", NULL };
	int		 fd;

	if (a->errfd >= 0 && dup2(a->errfd, STDERR_FILENO) == -1)
		return 90;
	CHECK(91, sandbox_seccomp(test_rules, NRULES, a->mode) == 0);
	/* (a) allowed calls work */
	CHECK(92, syscall(SYS_getpid) == getpid());
	CHECK(93, write(STDOUT_FILENO, "", 0) == 0);
	/* SB_ERRNO */
	errno = 0;
	CHECK(94, syscall(SYS_getuid) == -1 && errno == EPERM);
	/* SB_ALLOW_ARG_EQ: the allowed value passes to the kernel */
	CHECK(95, close(1000) == -1 && errno == EBADF);
	/* SB_ALLOW_ARG_MASK0: a read-only open is allowed */
	CHECK(96, (fd = open("/dev/null", O_RDONLY)) >= 0);
	/* (b) the forbidden call */
	switch (a->what) {
	case DO_GETPPID:
		if (syscall(SYS_getppid) <= 0)
			return 97;
		break;
	case DO_CLOSE_OTHER:
		close(1001);
		break;
	case DO_OPEN_WRITE:
		if (open("/dev/null", O_WRONLY) == -1)
			return 98;
		break;
	case DO_EXECVE:
		execve(argv[0], argv, NULL);
		return 99;
	default:
		break;
	}
	return 0;
}

static int
sc_status(enum sandbox_mode mode, int what)
{
	struct sc_arg a = { mode, what, -1 };

	return testutil_fork_status(child_seccomp, &a);
}

static void
assert_sigsys(int st)
{
	if (!WIFSIGNALED(st))
		print_error("status %#x: exit %d\n", st, WEXITSTATUS(st));
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
test_mode_names(void **state)
{
	assert_int_equal(sandbox_mode_parse("enforce"), SANDBOX_ENFORCE);
	assert_int_equal(sandbox_mode_parse("trap"), SANDBOX_TRAP);
	assert_int_equal(sandbox_mode_parse("log"), SANDBOX_LOG);
	assert_int_equal(sandbox_mode_parse("off"), SANDBOX_OFF);
	assert_int_equal(sandbox_mode_parse("Enforce"), -1);
	assert_int_equal(sandbox_mode_parse(""), -1);
	assert_int_equal(sandbox_mode_parse(NULL), -1);
	assert_string_equal(sandbox_mode_name(SANDBOX_TRAP), "trap");
	assert_string_equal(sandbox_mode_name(SANDBOX_OFF), "off");
}

static void
test_lookup_user(void **state)
{
	uid_t	 uid = 1;
	gid_t	 gid = 1;

	assert_int_equal(sandbox_lookup_user("root", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	assert_int_equal(sandbox_lookup_user("no-such-user-tripline", &uid,
	    &gid), ERR_NOTFOUND);
	assert_int_equal(sandbox_lookup_user("", &uid, &gid), ERR_NOTFOUND);
}

static void
test_seccomp_enforce(void **state)
{
	int	 st;

	st = sc_status(SANDBOX_ENFORCE, DO_NOTHING);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_sigsys(sc_status(SANDBOX_ENFORCE, DO_GETPPID));
	assert_sigsys(sc_status(SANDBOX_ENFORCE, DO_CLOSE_OTHER));
	assert_sigsys(sc_status(SANDBOX_ENFORCE, DO_OPEN_WRITE));
	assert_sigsys(sc_status(SANDBOX_ENFORCE, DO_EXECVE));
}

static void
test_seccomp_trap(void **state)
{
	struct sc_arg	 a = { SANDBOX_TRAP, DO_GETPPID, -1 };
	char		 buf[128], want[64];
	ssize_t		 n;
	int		 p[2], st;

	assert_int_equal(pipe(p), 0);
	a.errfd = p[1];
	st = testutil_fork_status(child_seccomp, &a);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 2);
	snprintf(want, sizeof(want), "seccomp: forbidden syscall %d\n",
	    (int)SYS_getppid);
	assert_string_equal(buf, want);
}

static void
test_seccomp_log_off(void **state)
{
	int	 st;

	/* complain mode: the forbidden call goes through */
	st = sc_status(SANDBOX_LOG, DO_GETPPID);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int
child_off(void *p)
{
	FILE	*fp;
	char	 line[256];
	int	 seccomp = -1;

	CHECK(1, sandbox_seccomp(test_rules, NRULES, SANDBOX_OFF) == 0);
	CHECK(2, syscall(SYS_getppid) > 0);
	CHECK(3, (fp = fopen("/proc/self/status", "r")) != NULL);
	while (fgets(line, sizeof(line), fp) != NULL)
		sscanf(line, "Seccomp: %d", &seccomp);
	fclose(fp);
	CHECK(4, seccomp == 0);
	return 0;
}

static void
test_seccomp_off(void **state)
{
	int	 st = testutil_fork_status(child_off, NULL);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_seccomp_dump(void **state)
{
	char	 path[] = "/tmp/tripline-pfc.XXXXXX", buf[16384];
	ssize_t	 n;
	int	 fd;

	assert_true((fd = mkstemp(path)) >= 0);
	unlink(path);
	assert_int_equal(sandbox_seccomp_dump(test_rules, NRULES,
	    SANDBOX_ENFORCE, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"getpid\""));
	assert_non_null(strstr(buf, "\"close\""));
	assert_non_null(strstr(buf, "ERRNO(1)"));
	assert_non_null(strstr(buf, "action KILL_PROCESS"));
	assert_null(strstr(buf, "\"getppid\""));
	assert_null(strstr(buf, "no_such_syscall"));

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(sandbox_seccomp_dump(test_rules, NRULES, SANDBOX_LOG,
	    fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "action LOG"));
	close(fd);
}

struct ll_arg {
	char	*ro;		/* readable tree */
	char	*rw;		/* writable tree */
	char	*other;		/* not listed */
};

/* errno of a failed open(2), 0 if it succeeded (the fd is closed). */
static int
open_errno(const char *path, int flags)
{
	int	 fd;

	if ((fd = open(path, flags, 0600)) == -1)
		return errno;
	close(fd);
	return 0;
}

static int
child_landlock(void *p)
{
	struct ll_arg	*a = p;
	const char	*ro[] = { NULL, "/nonexistent/tripline/path", NULL };
	const char	*rw[] = { NULL, NULL };
	char		 path[512], c;
	int		 fd, r;

	ro[0] = a->ro;
	rw[0] = a->rw;
	r = sandbox_landlock(ro, rw);
	if (r == ERR_UNSUPP)
		return 77;
	CHECK(10, r == 0);

	/* read-only tree: read works, write/create does not */
	snprintf(path, sizeof(path), "%s/file", a->ro);
	CHECK(11, (fd = open(path, O_RDONLY)) >= 0);
	CHECK(12, read(fd, &c, 1) == 1 && c == 'r');
	close(fd);
	CHECK(13, open_errno(path, O_WRONLY) == EACCES);
	snprintf(path, sizeof(path), "%s/new", a->ro);
	CHECK(14, open_errno(path, O_WRONLY | O_CREAT) == EACCES);
	CHECK(15, (fd = open(a->ro, O_RDONLY | O_DIRECTORY)) >= 0);
	close(fd);

	/* writable tree */
	snprintf(path, sizeof(path), "%s/new", a->rw);
	CHECK(20, (fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	CHECK(21, write(fd, "w", 1) == 1);
	close(fd);
	CHECK(22, unlink(path) == 0);

	/* everything else */
	snprintf(path, sizeof(path), "%s/file", a->other);
	CHECK(30, open_errno(path, O_RDONLY) == EACCES);
	CHECK(31, open_errno("/etc/passwd", O_RDONLY) == EACCES);
	CHECK(32, open_errno(a->other, O_RDONLY | O_DIRECTORY) == EACCES);
	snprintf(path, sizeof(path), "%s/new", a->other);
	CHECK(33, open_errno(path, O_WRONLY | O_CREAT) == EACCES);
	return 0;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static void
test_landlock(void **state)
{
	struct ll_arg	 a;
	char		*top;
	int		 st;

	top = testutil_tmpdir("landlock");
	assert_true(asprintf(&a.ro, "%s/ro", top) > 0);
	assert_true(asprintf(&a.rw, "%s/rw", top) > 0);
	assert_true(asprintf(&a.other, "%s/other", top) > 0);
	assert_int_equal(mkdir(a.ro, 0755), 0);
	assert_int_equal(mkdir(a.rw, 0755), 0);
	assert_int_equal(mkdir(a.other, 0755), 0);
	write_file(a.ro, "file", "r");
	write_file(a.other, "file", "o");

	st = testutil_fork_status(child_landlock, &a);
	testutil_rmtree(top);
	free(a.ro);
	free(a.rw);
	free(a.other);
	free(top);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();		/* kernel (or valgrind) without Landlock */
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Parse "Name:\tvalue" lines of /proc/self/status. */
static int
status_field(const char *name, char *out, size_t outlen)
{
	FILE	*fp;
	char	 line[512];
	size_t	 n = strlen(name);
	int	 found = 0;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			snprintf(out, outlen, "%s", line + n + 1 +
			    strspn(line + n + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			found = 1;
			break;
		}
	}
	fclose(fp);
	return found;
}

static int
child_drop(void *p)
{
	char	 v[256];
	uid_t	 r, e, s;
	gid_t	 rg, eg, sg, groups[4];

	CHECK(40, sandbox_drop_privs(65534, 65534) == 0);
	CHECK(41, getresuid(&r, &e, &s) == 0);
	CHECK(42, r == 65534 && e == 65534 && s == 65534);
	CHECK(43, getresgid(&rg, &eg, &sg) == 0);
	CHECK(44, rg == 65534 && eg == 65534 && sg == 65534);
	CHECK(45, getgroups(4, groups) == 1 && groups[0] == 65534);
	CHECK(46, status_field("CapEff", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(47, status_field("CapPrm", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(48, status_field("CapInh", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(49, status_field("CapBnd", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(50, status_field("CapAmb", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(51, status_field("NoNewPrivs", v, sizeof(v)) &&
	    strcmp(v, "1") == 0);
	/* no way back */
	CHECK(52, setuid(0) == -1);
	CHECK(53, setresuid(0, 0, 0) == -1);
	return 0;
}

static int
child_drop_nonroot(void *p)
{
	char	 v[256];
	uid_t	 uid = getuid();

	/* a non-root caller keeps its ids but loses caps, gains NNP */
	CHECK(60, sandbox_drop_privs(65534, 65534) == 0);
	CHECK(61, getuid() == uid);
	CHECK(62, status_field("CapEff", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(63, status_field("NoNewPrivs", v, sizeof(v)) &&
	    strcmp(v, "1") == 0);
	return 0;
}

/* Like a systemd unit whose CapabilityBoundingSet= lacks CAP_SETPCAP:
 * the bounding set cannot be cleared, the rest must still work. */
static int
child_drop_no_setpcap(void *p)
{
	char	 v[256];
	uid_t	 r, e, s;

	CHECK(70, prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0) == 0);
	CHECK(71, capng_get_caps_process() == 0);
	capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_SETPCAP);
	CHECK(72, capng_apply(CAPNG_SELECT_CAPS) == 0);
	CHECK(73, sandbox_drop_privs(65534, 65534) == 0);
	CHECK(74, getresuid(&r, &e, &s) == 0 && r == 65534 && e == 65534 &&
	    s == 65534);
	CHECK(75, status_field("CapEff", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(76, status_field("CapPrm", v, sizeof(v)) &&
	    strcmp(v, "0000000000000000") == 0);
	CHECK(77, status_field("NoNewPrivs", v, sizeof(v)) &&
	    strcmp(v, "1") == 0);
	return 0;
}

static void
test_drop_privs_no_setpcap(void **state)
{
	int	 st;

	if (getuid() != 0)
		skip();
	st = testutil_fork_status(child_drop_no_setpcap, NULL);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_drop_privs(void **state)
{
	int	 st;

	st = testutil_fork_status(getuid() == 0 ? child_drop :
	    child_drop_nonroot, NULL);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/*
 * The uid change clears PR_SET_PDEATHSIG: after sandbox_drop_privs() the
 * process must still get its signal when its parent dies.  outer (a
 * subreaper, so the orphan is reparented to it) -> middle -> grandchild;
 * middle exits once the grandchild has dropped its uid.
 */
static int
pdeath_grandchild(int wfd)
{
	pid_t	 me = getpid();

	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1 ||
	    sandbox_drop_privs(65534, 65534) != 0)
		_exit(81);
	if (write(wfd, &me, sizeof(me)) != (ssize_t)sizeof(me))
		_exit(82);
	alarm(10);	/* SIGALRM instead of SIGTERM: the test fails */
	for (;;)
		pause();
}

static int
child_pdeath(void *p)
{
	int	 fds[2], st;
	pid_t	 mid, gpid = -1;

	CHECK(80, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
	CHECK(81, pipe(fds) == 0);
	if ((mid = fork()) == 0) {
		if (fork() == 0)
			pdeath_grandchild(fds[1]);
		/* wait until the grandchild dropped its uid, then die */
		_exit(read(fds[0], &gpid, sizeof(gpid)) == sizeof(gpid) ?
		    0 : 1);
	}
	CHECK(82, mid > 0 && waitpid(mid, &st, 0) == mid &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the grandchild, reparented to us: the only child left */
	CHECK(84, (gpid = waitpid(-1, &st, 0)) > 0);
	CHECK(85, WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	return 0;
}

static void
test_drop_privs_pdeathsig(void **state)
{
	int	 st;

	if (getuid() != 0)
		skip();
	st = testutil_fork_status(child_pdeath, NULL);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_drop_privs_pdeathsig),
		cmocka_unit_test(test_lookup_user),
		cmocka_unit_test(test_seccomp_enforce),
		cmocka_unit_test(test_seccomp_trap),
		cmocka_unit_test(test_seccomp_log_off),
		cmocka_unit_test(test_seccomp_off),
		cmocka_unit_test(test_seccomp_dump),
		cmocka_unit_test(test_landlock),
		cmocka_unit_test(test_drop_privs),
		cmocka_unit_test(test_drop_privs_no_setpcap),
	};

	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
