/* tests/lib/testutil.c */
#include "build.h"

#include <sys/wait.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

char *
testutil_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char	*p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&p, "%s/tripline-%s.XXXXXX", base, tag) == -1)
		abort();
	if (mkdtemp(p) == NULL)
		abort();
	return p;
}

void
testutil_rmtree(const char *path)
{
	char	*cmd;

	if (path == NULL || strncmp(path, "/tmp/", 5) != 0)
		return;
	if (asprintf(&cmd, "rm -rf '%s'", path) == -1)
		return;
	if (system(cmd) == -1)
		perror("system");
	free(cmd);
}

int
testutil_fork_status(int (*fn)(void *), void *arg)
{
	pid_t	 pid;
	int	 status, sig;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		for (sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		_exit(fn(arg));
	}
	while (waitpid(pid, &status, 0) == -1)
		;
	return status;
}

int
testutil_count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}
