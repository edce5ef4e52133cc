/*
 * common/statefile.c -- opening the files of the state directory
 * (statefile.h).
 */
#include "build.h"

#include <fcntl.h>

#include "statefile.h"

int
state_file_open(int dirfd, const char *name, int flags)
{
	return openat(dirfd, name, flags | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, STATE_FILE_MODE);
}
