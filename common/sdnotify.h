/*
 * common/sdnotify.h -- the service manager's notification protocol
 * (sd_notify(3)) without libsystemd: one datagram of "KEY=VALUE" lines to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (an abstract one when the
 * name starts with '@'); $WATCHDOG_USEC and $WATCHDOG_PID for the
 * watchdog; $JOURNAL_STREAM to tell whether stderr goes to the journal.
 */
#ifndef TRIPLINE_SDNOTIFY_H
#define TRIPLINE_SDNOTIFY_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdint.h>

struct sdnotify {
	int			 fd;	/* -1: no service manager */
	struct sockaddr_un	 addr;
	socklen_t		 addrlen;
};

/*
 * value: $NOTIFY_SOCKET (NULL or "": none).  The socket is made now (so a
 * later seccomp filter needs only sendto).  1 when notifications will be
 * sent, 0 for none; ERR_PARSE for a name that is neither an absolute path
 * nor '@'-abstract or that is too long, ERR_UNSUPP for other address
 * kinds (vsock), ERR_SYS.  sd->fd is -1 unless 1 is returned.
 */
int	sdnotify_open(struct sdnotify *sd, const char *value);
/* Send msg ("READY=1\nSTATUS=..."); 0 when none is configured.  0,
 * ERR_AGAIN (the manager's queue is full: dropped), ERR_SYS. */
int	sdnotify_send(struct sdnotify *sd, const char *msg);
void	sdnotify_close(struct sdnotify *sd);
/*
 * The watchdog interval in microseconds from $WATCHDOG_USEC, 0 when there
 * is none: unset, empty, not a positive decimal number, or $WATCHDOG_PID
 * set and not self (the variables were meant for another process).
 */
uint64_t sdnotify_watchdog_usec(const char *usec, const char *pid,
	    pid_t self);
/* $JOURNAL_STREAM ("DEV:INODE") names the file fd is open on: 1/0. */
int	sdnotify_is_journal(const char *value, int fd);

#endif
