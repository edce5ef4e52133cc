/* loaderd/spawn.h -- the spawner: fork+exec of the children, fixed fds. */
#ifndef TRIPLINE_SPAWN_H
#define TRIPLINE_SPAWN_H

#include <sys/types.h>
#include <stddef.h>

/* One program the spawner may start: absolute path and argv, both fixed
 * when the spawner is made. */
struct spawn_prog {
	const char	*path;
	char		**argv;
};

/*
 * The children are not forked by loaderd itself (which runs under its own
 * seccomp filter without fork or execve; a filter is inherited by every
 * process forked afterwards) but by the spawner, a process loaderd forks
 * before it trims its capabilities and loads its filter.  The spawner
 * holds no capability in its effective or permitted set; its bounding set
 * is loaderd's start-up one, which the children, exec'd as root, get back
 * for their own privilege drop.  It knows the programs, their argv and the
 * environment from the start and takes only "start program ID with these
 * fds" on its socket.  It makes each child with clone(CLONE_PARENT), so the
 * child's parent is loaderd, which reaps it and whose death sends the
 * child SIGTERM (PR_SET_PDEATHSIG).
 *
 * In the child: parent_fd becomes fd 3 (IPC_FD_PARENT), peer_fd fd 4
 * (IPC_FD_PEER; -1: /dev/null), stdin is /dev/null, stdout/stderr are
 * inherited, everything from fd 5 up is closed, signal dispositions and
 * mask are reset, the child gets its own process group, the environment
 * is exactly envp.  Exec failure makes the child exit 127.
 */
struct spawner {
	pid_t		 pid;		/* -1: none */
	int		 fd;		/* loaderd's end, blocking */
};

/* Fork the spawner.  progs and envp are copied by the fork (the caller
 * may free them).  0, or -1 with errno set. */
int	spawner_start(struct spawner *, const struct spawn_prog *progs,
	    size_t nprogs, char *const envp[]);
/* Start program id; returns its pid, or -1 with errno set. */
pid_t	spawner_spawn(struct spawner *, unsigned int id, int parent_fd,
	    int peer_fd);
/* Close the socket (the spawner exits) and reap it. */
void	spawner_stop(struct spawner *);

/*
 * The children's environment: nothing of loaderd's but the variables named
 * in spawn_env_pass (the sanitizers' options, JOURNAL_STREAM), so no
 * proxy, LD_* or locale setting reaches them.  NULL-terminated; free with spawn_env_free().
 */
extern const char *const spawn_env_pass[];
char	**spawn_env_new(void);
void	spawn_env_free(char **);

#endif
