/*
 * common/ipc.h -- message transport over AF_UNIX SOCK_SEQPACKET.
 *
 * One datagram = one message: struct ipc_hdr followed by hdr.len bytes of
 * msgpack payload (encoded by ipc_msg.c).  At most one fd rides with a
 * message, via SCM_RIGHTS.  Sockets are non-blocking; ipc_send() never
 * blocks.
 *
 * Layers, each including only the ones below it: this transport knows
 * frames, not message types; ipc_msg.h is the message table (codec, which
 * type carries an fd, who sends it to whom); peer.h is a channel with its
 * queue, events and dispatch table on top of both.
 */
#ifndef TRIPLINE_IPC_H
#define TRIPLINE_IPC_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#define IPC_VERSION	1
#define IPC_MAX_PAYLOAD	(64 * 1024 - 64)

/* Fixed descriptors of an exec'd child. */
#define IPC_FD_PARENT	3	/* child <-> loaderd */
#define IPC_FD_PEER	4	/* collectord <-> notifierd */

struct ipc_hdr {
	uint8_t		version;	/* IPC_VERSION */
	uint8_t		flags;		/* IPC_HF_* */
	uint16_t	type;		/* enum ipc_type (ipc_msg.h) */
	uint32_t	len;		/* payload bytes following the header */
};
#define IPC_HF_FD	0x01		/* an fd is attached */

struct ipc_msg {
	uint16_t	 type;
	size_t		 len;
	uint8_t		*payload;	/* owned; freed by ipc_msg_clear() */
	int		 fd;		/* -1 if none; owned: take it or it is
					   closed by ipc_msg_clear() */
};

/* Send type + payload (+ fd if >= 0, not closed).  0 or ERR_AGAIN (socket
 * buffer full), ERR_TOOBIG, ERR_SYS (EPIPE: peer gone; never SIGPIPE).
 * Whether the type may carry the fd is not checked here: see
 * ipc_msg_send_payload(). */
int	ipc_send(int sock, uint16_t type, const void *payload, size_t len,
	    int fd);
/* Receive one message into *m (initialised by the call).  Returns 0,
 * ERR_AGAIN (nothing to read), ERR_EOF (peer gone), ERR_TRUNC (MSG_TRUNC or
 * MSG_CTRUNC), ERR_VERSION, ERR_PROTO (bad header/length), ERR_FD (more
 * than one fd, or the header's fd flag disagrees with what came; any
 * received fd is closed), ERR_SYS.  Any type is returned: ipc_msg_recv()
 * adds the table's fd rule, the peer layer the direction and the dispatch.
 * m->payload is NUL-terminated one byte past len (not counted). */
int	ipc_recv(int sock, struct ipc_msg *m);
void	ipc_msg_clear(struct ipc_msg *m);
/* Take ownership of the fd of m (returns it, leaves -1 in m). */
int	ipc_msg_take_fd(struct ipc_msg *m);

/* SO_PEERCRED of a connected socket. 0 or ERR_SYS. */
int	ipc_peer_cred(int sock, pid_t *pid, uid_t *uid, gid_t *gid);
/* Validate an inherited descriptor: open, SOCK_SEQPACKET, and, if
 * want_uid >= 0, the peer's uid equals want_uid.  0 or ERR_FD. */
int	ipc_check_fd(int fd, long want_uid);
/* socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC|SOCK_NONBLOCK) */
int	ipc_socketpair(int sv[2]);

/*
 * Per-peer outbound queue (tmux proc_update_event idea, without libevent so
 * common/ stays event-library free): the owner arms EV_WRITE on the socket
 * only while ipc_queue_empty() is 0 and calls ipc_queue_flush() when it is
 * writable.  Messages leave in order.
 */
struct ipc_qmsg {
	TAILQ_ENTRY(ipc_qmsg) entry;
	uint16_t	 type;
	size_t		 len;
	uint8_t		*payload;
	int		 fd;		/* dup of the caller's fd, or -1 */
};
TAILQ_HEAD(ipc_qhead, ipc_qmsg);
struct ipc_queue {
	struct ipc_qhead msgs;
	size_t		 count;
};

void	ipc_queue_init(struct ipc_queue *);
/* Free every queued message and close its fd. */
void	ipc_queue_clear(struct ipc_queue *);
/* Append a copy of payload; fd (if >= 0) is dup'ed, the caller keeps its
 * own.  0, ERR_TOOBIG, ERR_FD (dup failed). */
int	ipc_queue_add(struct ipc_queue *, uint16_t type, const void *payload,
	    size_t len, int fd);
/* Send queued messages until empty (0) or the socket is full (ERR_AGAIN);
 * any other ipc_send() error is returned and the message stays queued. */
int	ipc_queue_flush(struct ipc_queue *, int sock);
int	ipc_queue_empty(const struct ipc_queue *);

#endif
