/* loaderd/spawn.c -- the spawner (see spawn.h). */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "ipc.h"
#include "log.h"
#include "spawn.h"
#include "xmalloc.h"

/* the sanitizers' options; JOURNAL_STREAM: the children inherit stderr
 * and log with journald's priority prefixes when it is the journal */
const char *const spawn_env_pass[] = {
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "JOURNAL_STREAM", NULL
};

/* loaderd -> spawner: start progs[id]; 1 or 2 fds ride along */
struct spawn_req {
	uint32_t	 id;
	uint32_t	 nfds;
};
/* spawner -> loaderd */
struct spawn_ans {
	int32_t		 pid;		/* -1: failed */
	int32_t		 err;		/* errno then */
};

#define SPAWN_SOCK	3	/* the spawner's socket, moved here */

char **
spawn_env_new(void)
{
	char		**envp;
	const char	*v;
	size_t		 i, n = 0;

	envp = xcalloc(sizeof(spawn_env_pass) / sizeof(spawn_env_pass[0]),
	    sizeof(*envp));
	for (i = 0; spawn_env_pass[i] != NULL; i++)
		if ((v = getenv(spawn_env_pass[i])) != NULL)
			xasprintf(&envp[n++], "%s=%s", spawn_env_pass[i], v);
	return envp;
}

void
spawn_env_free(char **envp)
{
	size_t	 i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		free(envp[i]);
	free(envp);
}

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

static void
spawn_signals_default(void)
{
	sigset_t	 set;
	int		 sig;

	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* In the new child (its parent is loaderd, ppid): fds in place, exec. */
static __dead void
spawn_exec(const struct spawn_prog *pg, char *const envp[], pid_t ppid,
    int parent_fd, int peer_fd)
{
	static const char msg[] = "tripline-loaderd: exec of a child failed\n";
	int	 nullfd, tmp_parent, tmp_peer = -1;

	spawn_signals_default();
	/* loaderd gone already: the signal would never come */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != ppid)
		_exit(127);
	/* own process group: a terminal's ^C reaches loaderd only, which
	 * then stops the children in order */
	(void)setpgid(0, 0);
	/* move our two fds out of the way of 0..4 first */
	if ((tmp_parent = fcntl(parent_fd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (peer_fd != -1 &&
	    (tmp_peer = fcntl(peer_fd, F_DUPFD_CLOEXEC, 10)) == -1) ||
	    (nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		_exit(127);
	if (spawn_place(nullfd, STDIN_FILENO) == -1 ||
	    spawn_place(tmp_parent, IPC_FD_PARENT) == -1 ||
	    spawn_place(tmp_peer != -1 ? tmp_peer : nullfd, IPC_FD_PEER) == -1)
		_exit(127);
	closefrom(IPC_FD_PEER + 1);
	execve(pg->path, pg->argv, envp);
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(127);
}

/* Receive one request and its fds (fds[1] = -1 when one came). */
static int
spawn_recv(int sock, struct spawn_req *req, int fds[2])
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct msghdr	 mh;
	struct cmsghdr	*c;
	struct iovec	 iov;
	ssize_t		 n;
	size_t		 nfds = 0;

	fds[0] = fds[1] = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = req;
	iov.iov_len = sizeof(*req);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	if ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c != NULL && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS) {
		nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), (nfds > 2 ? 2 : nfds) * sizeof(int));
	}
	if (n != (ssize_t)sizeof(*req) || (mh.msg_flags & MSG_CTRUNC) ||
	    nfds != req->nfds || nfds < 1 || nfds > 2)
		return 0;	/* refused; fds closed by the caller */
	return 1;
}

/* The spawner's loop: one request, one child, one answer. */
static __dead void
spawner_main(int sock, const struct spawn_prog *progs, size_t nprogs,
    char *const envp[], pid_t ppid)
{
	struct spawn_req req;
	struct spawn_ans ans;
	int		 fds[2], r;

	prctl(PR_SET_NAME, "loaderd-spawn");
	spawn_signals_default();
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);	/* loaderd's: reopen events.jsonl */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != ppid)
		_exit(0);
	(void)setpgid(0, 0);
	if (spawn_place(sock, SPAWN_SOCK) == -1)
		_exit(1);
	closefrom(SPAWN_SOCK + 1);
	/* nothing here needs a capability; the bounding set stays */
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0)
		_exit(1);
	while ((r = spawn_recv(SPAWN_SOCK, &req, fds)) != -1) {
		ans.pid = -1;
		ans.err = EINVAL;
		if (r == 1 && req.id < nprogs) {
			ans.pid = (int32_t)syscall(SYS_clone,
			    CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
			if (ans.pid == 0)
				spawn_exec(&progs[req.id], envp, ppid, fds[0],
				    fds[1]);
			ans.err = ans.pid == -1 ? errno : 0;
		}
		if (fds[0] != -1)
			close(fds[0]);
		if (fds[1] != -1)
			close(fds[1]);
		if (send(SPAWN_SOCK, &ans, sizeof(ans), MSG_NOSIGNAL) == -1)
			break;
	}
	_exit(0);
}

int
spawner_start(struct spawner *sp, const struct spawn_prog *progs,
    size_t nprogs, char *const envp[])
{
	int	 sv[2];
	pid_t	 ppid = getpid();

	sp->pid = -1;
	sp->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	switch (sp->pid = fork()) {
	case -1:
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		spawner_main(sv[1], progs, nprogs, envp, ppid);
	default:
		break;
	}
	close(sv[1]);
	sp->fd = sv[0];
	return 0;
}

static int
spawner_send(int fd, unsigned int id, int parent_fd, int peer_fd)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct spawn_req req;
	struct msghdr	 mh;
	struct cmsghdr	*c;
	struct iovec	 iov;
	int		 fds[2] = { parent_fd, peer_fd };

	req.id = id;
	req.nfds = peer_fd == -1 ? 1 : 2;
	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = &req;
	iov.iov_len = sizeof(req);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = CMSG_SPACE(req.nfds * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(req.nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, req.nfds * sizeof(int));
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(req) ? 0 : -1;
}

pid_t
spawner_spawn(struct spawner *sp, unsigned int id, int parent_fd,
    int peer_fd)
{
	struct spawn_ans ans;
	ssize_t		 n;

	if (sp->fd == -1) {
		errno = ESRCH;
		return -1;
	}
	if (spawner_send(sp->fd, id, parent_fd, peer_fd) == -1)
		return -1;
	while ((n = recv(sp->fd, &ans, sizeof(ans), 0)) == -1 &&
	    errno == EINTR)
		;
	if (n != (ssize_t)sizeof(ans)) {
		errno = n == -1 ? errno : EPROTO;
		return -1;
	}
	if (ans.pid <= 0) {
		errno = ans.err > 0 ? ans.err : EPROTO;
		return -1;
	}
	return (pid_t)ans.pid;
}

void
spawner_stop(struct spawner *sp)
{
	int	 status;

	if (sp->fd != -1)
		close(sp->fd);
	sp->fd = -1;
	if (sp->pid > 0)
		(void)waitpid(sp->pid, &status, 0);
	sp->pid = -1;
}
