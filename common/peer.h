/*
 * common/peer.h -- one end of an IPC channel (the idea of tmux's and
 * relayd's proc.c).
 *
 * A peer is an fd, its outbound queue, a libevent read and write event,
 * and a protocol: which process we are, which one is at the other end,
 * one handler per message type we accept and an error callback.  Every
 * received message passes the message table (ipc_msg.h) before a handler
 * sees it:
 *  - an fd on a type that carries none, or none on a type that carries
 *    one, is a receive error (ERR_FD; the fd is closed);
 *  - a type the table does not allow from the remote to us, or one the
 *    protocol has no handler for, is refused (ERR_TYPE); an fd that came
 *    with it is closed.
 * What an error means (kill the child, fatalx, count and drop) is the
 * owner's decision, taken in its error callback.  Sending checks the
 * direction too (ERR_TYPE: the type does not go from us to the remote).
 *
 * Layering: ipc.h (frames) < ipc_msg.h (message table, codec) < peer.h.
 */
#ifndef TRIPLINE_PEER_H
#define TRIPLINE_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "ipc_msg.h"

struct event_base;
struct peer;

/*
 * A handler gets a message of its type from the expected sender, with an
 * fd exactly when the type carries one: the handler takes it with
 * ipc_msg_take_fd() or it is closed after the call.  The payload is not
 * decoded (ipc_msg_decode() it; what a malformed one means is the
 * handler's).  Return 0 to go on reading, anything else to stop at once
 * (needed when the handler closed or freed the peer).
 */
typedef int	(*peer_msg_cb)(struct peer *, struct ipc_msg *, void *arg);

/*
 * r and m:
 *  ERR_EOF, m NULL: the remote closed the channel;
 *  ERR_SYS, ERR_PROTO, ERR_TRUNC, ERR_VERSION, ERR_FD, m NULL: a receive
 *    error (the bad datagram, if any, is consumed and its fds closed);
 *  ERR_TYPE, m set: a message refused (wrong direction, unknown type, no
 *    handler); m->type says which, its fd is closed already.
 * Return 0 to go on reading, anything else to stop at once.  After ERR_EOF
 * and ERR_SYS reading stops anyway, and the owner must close the peer (or
 * stop using it): a read event would fire again.
 */
typedef int	(*peer_err_cb)(struct peer *, int r, const struct ipc_msg *m,
		    void *arg);

struct peer_handler {
	uint16_t	 type;
	peer_msg_cb	 fn;
};

struct peer_proto {
	enum ipc_proc		 self;		/* we are */
	enum ipc_proc		 remote;	/* the other end is */
	const struct peer_handler *handlers;
	size_t			 nhandlers;
	size_t			 max_read;	/* messages per read event;
						   0: until none is left */
	peer_err_cb		 error;
	/* a queued message could not be sent for another reason than a
	 * full socket (r); the queue was emptied.  NULL: nothing to do */
	void			(*send_error)(struct peer *, int r,
				    void *arg);
};

/* In a struct peer_proto initialiser: the handler table and its size. */
#define PEER_HANDLERS(tab) \
	.handlers = (tab), .nhandlers = sizeof(tab) / sizeof((tab)[0])

/* A peer on fd (non-blocking; the peer owns it and closes it).  proto must
 * outlive the peer; arg is passed to every callback. */
struct peer	*peer_new(int fd, const struct peer_proto *, void *arg);
/* Events, queue and fd.  NULL-safe. */
void		 peer_free(struct peer *);
/* Create the read and write events on base and start reading.  Before
 * this, the owner reads with peer_read() (e.g. after poll() on peer_fd()).
 * 0 or ERR_SYS. */
int		 peer_attach(struct peer *, struct event_base *);
/* Change the protocol (a startup and a running phase). */
void		 peer_set_proto(struct peer *, const struct peer_proto *);
int		 peer_fd(const struct peer *);
/* Messages queued, not yet taken by the socket. */
size_t		 peer_queued(const struct peer *);

/* Read and dispatch what is waiting (at most proto->max_read messages).
 * 0, or nonzero when a callback or an error stopped it (the peer may be
 * gone then). */
int		 peer_read(struct peer *);

/*
 * Queue a message (the struct of its type) and send what the socket takes
 * now; the write event sends the rest (after peer_attach()).  fd, if >= 0,
 * is dup'ed: the caller keeps its own.  0 (sent or queued), ERR_TYPE (not
 * from us to the remote), the errors of ipc_msg_queue(), or a send error
 * of the socket (ERR_SYS, ...; the message stays queued).
 */
int		 peer_send(struct peer *, uint16_t type, const void *msg,
		    int fd);
/*
 * Send at once, not queued: ERR_AGAIN if the socket is full (or messages
 * are still queued before it), for messages that may be skipped or
 * retried by the caller.  Otherwise as peer_send().
 */
int		 peer_send_now(struct peer *, uint16_t type, const void *msg,
		    int fd);

#endif
