/* loaderd/spawn.c */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "ipc.h"
#include "spawn.h"

/* dup oldfd to newfd without O_CLOEXEC, also when they are equal */
static int
spawn_place(int oldfd, int newfd)
{
	int	 fl;

	if (oldfd == newfd) {
		if ((fl = fcntl(newfd, F_GETFD)) == -1)
			return -1;
		return fcntl(newfd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	return dup2(oldfd, newfd) == -1 ? -1 : 0;
}

pid_t
spawn_child(const char *path, char *const argv[], int parent_fd, int peer_fd)
{
	pid_t	 pid;
	int	 sig, nullfd, tmp_parent, tmp_peer;
	sigset_t set;

	switch (pid = fork()) {
	case -1:
		return -1;
	case 0:
		break;
	default:
		return pid;
	}

	/* child */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* own process group: a terminal's ^C reaches loaderd only, which
	 * then stops the children in order */
	(void)setpgid(0, 0);

	/* move our two fds out of the way of 0..4 first */
	if ((tmp_parent = fcntl(parent_fd, F_DUPFD_CLOEXEC, 10)) == -1)
		_exit(127);
	tmp_peer = -1;
	if (peer_fd != -1 &&
	    (tmp_peer = fcntl(peer_fd, F_DUPFD_CLOEXEC, 10)) == -1)
		_exit(127);
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		_exit(127);
	if (spawn_place(nullfd, STDIN_FILENO) == -1 ||
	    spawn_place(tmp_parent, IPC_FD_PARENT) == -1)
		_exit(127);
	if (tmp_peer != -1) {
		if (spawn_place(tmp_peer, IPC_FD_PEER) == -1)
			_exit(127);
	} else if (spawn_place(nullfd, IPC_FD_PEER) == -1)
		_exit(127);
	closefrom(IPC_FD_PEER + 1);
	execv(path, argv);
	fprintf(stderr, "tripline-loaderd: exec %s: %s\n", path,
	    strerror(errno));
	_exit(127);
}
