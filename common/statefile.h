/*
 * common/statefile.h -- how the files of the state directory are opened:
 * by the collector at start (collectord_state_file, which then checks and
 * chowns them) and by loaderd when it rotates or reopens events.jsonl
 * (loaderd/jsonrot.c), so both get the same file the same way.
 */
#ifndef TRIPLINE_STATEFILE_H
#define TRIPLINE_STATEFILE_H

#include <fcntl.h>

#define STATE_JSONL		"events.jsonl"
#define STATE_JSONL_FLAGS	(O_WRONLY | O_APPEND)
#define STATE_FILE_MODE		0640

/*
 * openat(dirfd, name) with flags plus: created if missing (mode
 * STATE_FILE_MODE), never through a symbolic link (ELOOP), never waiting
 * (O_NONBLOCK: a FIFO in its place does not block the open),
 * close-on-exec.  An fd or -1.
 */
int	state_file_open(int dirfd, const char *name, int flags);

#endif
