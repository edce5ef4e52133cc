/* loaderd/spawn.h -- fork+exec of the children with fixed descriptors. */
#ifndef TRIPLINE_SPAWN_H
#define TRIPLINE_SPAWN_H

#include <sys/types.h>

/*
 * fork + exec path with argv.  In the child: parent_fd becomes fd 3
 * (IPC_FD_PARENT), peer_fd fd 4 (IPC_FD_PEER; -1: /dev/null), stdin is
 * /dev/null, stdout/stderr are inherited, everything from fd 5 up is
 * closed, signal dispositions and mask are reset, the child gets its
 * own process group and SIGTERM when loaderd dies (PR_SET_PDEATHSIG).  Returns the pid, or -1
 * with errno set (fork failure).  Exec failure makes the child exit 127.
 */
pid_t	spawn_child(const char *path, char *const argv[], int parent_fd,
	    int peer_fd);

#endif
