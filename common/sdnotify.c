/* common/sdnotify.c -- sd_notify(3) without libsystemd (sdnotify.h). */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "sdnotify.h"

/* The address for value; 0 or ERR_PARSE / ERR_UNSUPP. */
static int
sdnotify_addr(struct sdnotify *sd, const char *value)
{
	size_t	 len = strlen(value);

	if (value[0] != '/' && value[0] != '@')
		return strchr(value, ':') != NULL ? ERR_UNSUPP : ERR_PARSE;
	if (len < 2 || len >= sizeof(sd->addr.sun_path))
		return ERR_PARSE;
	memset(&sd->addr, 0, sizeof(sd->addr));
	sd->addr.sun_family = AF_UNIX;
	memcpy(sd->addr.sun_path, value, len);
	if (value[0] == '@') {
		/* abstract: the name is exactly the bytes after the NUL */
		sd->addr.sun_path[0] = '\0';
		sd->addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len);
	} else
		sd->addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len + 1);
	return 0;
}

int
sdnotify_open(struct sdnotify *sd, const char *value)
{
	int	 r;

	sd->fd = -1;
	if (value == NULL || *value == '\0')
		return 0;
	if ((r = sdnotify_addr(sd, value)) != 0)
		return r;
	if ((sd->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return ERR_SYS;
	return 1;
}

int
sdnotify_send(struct sdnotify *sd, const char *msg)
{
	ssize_t	 n;

	if (sd->fd == -1)
		return 0;
	do
		n = sendto(sd->fd, msg, strlen(msg), MSG_NOSIGNAL,
		    (struct sockaddr *)&sd->addr, sd->addrlen);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? ERR_AGAIN : ERR_SYS;
	return 0;
}

void
sdnotify_close(struct sdnotify *sd)
{
	if (sd->fd != -1)
		close(sd->fd);
	sd->fd = -1;
}

/* A positive decimal number without sign or blanks; 0 if not one. */
static unsigned long long
sdnotify_num(const char *s)
{
	unsigned long long	 n;
	char			*end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return n;
}

uint64_t
sdnotify_watchdog_usec(const char *usec, const char *pid, pid_t self)
{
	if (pid != NULL && *pid != '\0' &&
	    sdnotify_num(pid) != (unsigned long long)self)
		return 0;
	return sdnotify_num(usec);
}

int
sdnotify_is_journal(const char *value, int fd)
{
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			*end;

	if (value == NULL || *value < '0' || *value > '9')
		return 0;
	errno = 0;
	dev = strtoull(value, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return 0;
	ino = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || fstat(fd, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}
