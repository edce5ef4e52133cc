/* tests/unit/test_loaderd_privs.c -- loaderd's seccomp table, the checks of
 * the children's binaries and of the state directory.  The filter is
 * loaded in forked children so the test runner stays free. */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "err.h"
#include "sandbox.h"
#include "loaderd/privs.h"
#include "tests/lib/testutil.h"

#define CHECK(step, cond)	do { if (!(cond)) return (step); } while (0)

enum { DO_NOTHING, DO_FORK, DO_EXECVE, DO_SOCKET, DO_SETUID, DO_PTRACE };

/* Under loaderd's filter: what it needs works, then one forbidden call. */
static int
child_filter(void *p)
{
	int		 what = *(int *)p, sv[2], fd;
	char *const	 argv[] = { (char *)"/bin/true", NULL };
	char		 buf[16];

	CHECK(90, sandbox_seccomp(loaderd_rules, loaderd_nrules,
	    SANDBOX_ENFORCE) == 0);
	/* allowed: bpf (a bad command fails, it does not kill), files,
	 * a fresh channel, reaping */
	CHECK(91, syscall(SYS_bpf, -1, NULL, 0) == -1 && errno != 0);
	CHECK(92, (fd = open("/proc/self/status", O_RDONLY)) != -1 &&
	    read(fd, buf, sizeof(buf)) > 0 && close(fd) == 0);
	CHECK(93, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(94, waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	switch (what) {
	case DO_FORK:
		(void)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		break;
	case DO_EXECVE:
		execve(argv[0], argv, NULL);
		break;
	case DO_SOCKET:
		(void)socket(AF_INET, SOCK_STREAM, 0);
		break;
	case DO_SETUID:
		if (setresuid(0, 0, 0) == 0)
			return 96;
		break;
	case DO_PTRACE:
		(void)syscall(SYS_ptrace, 0, 0, 0, 0);
		break;
	default:
		break;
	}
	return 0;
}

static int
run_filter(int what)
{
	return testutil_fork_status(child_filter, &what);
}

static void
test_filter_allows(void **state)
{
	int	 st = run_filter(DO_NOTHING);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_filter_kills(void **state)
{
	static const int forbidden[] = {
		DO_FORK, DO_EXECVE, DO_SOCKET, DO_SETUID, DO_PTRACE
	};
	size_t	 i;
	int	 st;

	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		st = run_filter(forbidden[i]);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGSYS);
	}
}

/* A binary and its directories: root's alone, or refused. */
static void
test_check_binary(void **state)
{
	char	*dir, path[PATH_MAX + 8], sub[PATH_MAX], err[PATH_MAX + 128];
	int	 fd;

	if (getuid() != 0)
		skip();
	/* the system's own binaries pass */
	assert_int_equal(privs_check_binary("/bin/sh", err, sizeof(err)), 0);
	/* under TMPDIR: a root-owned sticky directory on the way (/tmp) is
	 * fine when what follows is root's alone */
	dir = testutil_tmpdir("privs");
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/d", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/prog", sub);
	assert_true((fd = open(path, O_CREAT | O_WRONLY, 0755)) != -1);
	close(fd);
	assert_int_equal(privs_check_binary(path, err, sizeof(err)), 0);
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(privs_check_binary(path, err, sizeof(err)), 0);
	/* ... but not a sticky directory someone else owns */
	assert_int_equal(chown(sub, 65534, 65534), 0);
	assert_int_equal(privs_check_binary(path, err, sizeof(err)), ERR_PERM);
	assert_int_equal(chown(sub, 0, 0), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	/* a group-writable binary */
	assert_int_equal(chmod(path, 0775), 0);
	assert_int_equal(privs_check_binary(path, err, sizeof(err)), ERR_PERM);
	assert_non_null(strstr(err, "not a regular file owned by root"));
	/* not owned by root */
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(privs_check_binary(path, err, sizeof(err)), ERR_PERM);
	assert_non_null(strstr(err, "not a regular file owned by root"));
	/* a directory on the way that others may write */
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(privs_check_binary(path, err, sizeof(err)), ERR_PERM);
	assert_non_null(strstr(err, sub));
	testutil_rmtree(dir);
	free(dir);
}

/* The state directory is never chowned through a symlink. */
static void
test_mkdir_nofollow(void **state)
{
	char		*dir, target[PATH_MAX + 8], link[PATH_MAX + 8],
			 made[PATH_MAX + 8];
	struct stat	 st;

	if (getuid() != 0)
		skip();
	dir = testutil_tmpdir("privs");
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(made, sizeof(made), "%s/made", dir);
	assert_int_equal(mkdir(target, 0777), 0);
	assert_int_equal(chmod(target, 0777), 0);
	assert_int_equal(chown(target, 65534, 65534), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(privs_mkdir(link, 0750), ERR_SYS);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_mode & 07777, 0777);
	/* a real directory: made, or taken over, root's and mode 0750 */
	assert_int_equal(privs_mkdir(made, 0750), 0);
	assert_int_equal(chown(made, 65534, 65534), 0);
	assert_int_equal(privs_mkdir(made, 0750), 0);
	assert_int_equal(stat(made, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_allows),
		cmocka_unit_test(test_filter_kills),
		cmocka_unit_test(test_check_binary),
		cmocka_unit_test(test_mkdir_nofollow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
