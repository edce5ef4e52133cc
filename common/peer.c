/*
 * common/peer.c -- one end of an IPC channel: fd, outbound queue, libevent
 * read/write events, and a dispatch table checked against the message
 * table.  See peer.h.
 */
#include "build.h"

#include <sys/types.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "peer.h"
#include "xmalloc.h"

struct peer {
	int			 fd;
	const struct peer_proto	*proto;
	void			*arg;
	struct ipc_queue	 queue;
	struct event		*ev_read;
	struct event		*ev_write;	/* armed while queue is not empty */
};

static void	peer_read_cb(evutil_socket_t, short, void *);
static void	peer_write_cb(evutil_socket_t, short, void *);

struct peer *
peer_new(int fd, const struct peer_proto *proto, void *arg)
{
	struct peer	*p;

	p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	p->proto = proto;
	p->arg = arg;
	ipc_queue_init(&p->queue);
	return p;
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	if (p->ev_read != NULL)
		event_free(p->ev_read);
	if (p->ev_write != NULL)
		event_free(p->ev_write);
	ipc_queue_clear(&p->queue);
	if (p->fd != -1)
		close(p->fd);
	free(p);
}

int
peer_attach(struct peer *p, struct event_base *base)
{
	if (p->ev_read != NULL)
		return 0;
	p->ev_read = event_new(base, p->fd, EV_READ | EV_PERSIST,
	    peer_read_cb, p);
	p->ev_write = event_new(base, p->fd, EV_WRITE | EV_PERSIST,
	    peer_write_cb, p);
	if (p->ev_read == NULL || p->ev_write == NULL ||
	    event_add(p->ev_read, NULL) == -1)
		return ERR_SYS;
	if (!ipc_queue_empty(&p->queue) && event_add(p->ev_write, NULL) == -1)
		return ERR_SYS;
	return 0;
}

void
peer_set_proto(struct peer *p, const struct peer_proto *proto)
{
	p->proto = proto;
}

size_t
peer_queued(const struct peer *p)
{
	return p->queue.count;
}

int
peer_fd(const struct peer *p)
{
	return p->fd;
}

static const struct peer_handler *
peer_handler(const struct peer_proto *proto, uint16_t type)
{
	size_t	 i;

	for (i = 0; i < proto->nhandlers; i++)
		if (proto->handlers[i].type == type)
			return &proto->handlers[i];
	return NULL;
}

int
peer_read(struct peer *p)
{
	const struct peer_proto	 *proto;
	const struct peer_handler *h;
	struct ipc_msg		  m;
	size_t			  n;
	int			  r, stop;

	for (n = 0; p->proto->max_read == 0 || n < p->proto->max_read; n++) {
		/* a callback may switch the protocol: look it up each time */
		proto = p->proto;
		r = ipc_msg_recv(p->fd, &m);
		if (r == ERR_AGAIN)
			return 0;
		if (r != 0) {
			stop = proto->error(p, r, NULL, p->arg);
			if (stop != 0)
				return stop;
			if (r == ERR_EOF || r == ERR_SYS)
				return r;
			continue;
		}
		h = NULL;
		if (ipc_type_allowed(m.type, proto->remote, proto->self))
			h = peer_handler(proto, m.type);
		if (h == NULL) {
			/* refused: an fd that came with it is not handed on */
			ipc_msg_clear(&m);
			stop = proto->error(p, ERR_TYPE, &m, p->arg);
		} else
			stop = h->fn(p, &m, p->arg);
		ipc_msg_clear(&m);
		if (stop != 0)
			return stop;
	}
	return 0;
}

static void
peer_read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)peer_read(arg);
}

static void
peer_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;
	int		 r;

	if ((r = ipc_queue_flush(&p->queue, p->fd)) != 0 && r != ERR_AGAIN)
		ipc_queue_clear(&p->queue);
	if (ipc_queue_empty(&p->queue))
		event_del(p->ev_write);
	if (r != 0 && r != ERR_AGAIN && p->proto->send_error != NULL)
		p->proto->send_error(p, r, p->arg);
}

int
peer_send(struct peer *p, uint16_t type, const void *msg, int fd)
{
	int	 r;

	if (!ipc_type_allowed(type, p->proto->self, p->proto->remote))
		return ERR_TYPE;
	if ((r = ipc_msg_queue(&p->queue, type, msg, fd)) != 0)
		return r;
	if ((r = ipc_queue_flush(&p->queue, p->fd)) != 0 && r != ERR_AGAIN)
		return r;
	if (!ipc_queue_empty(&p->queue) && p->ev_write != NULL &&
	    event_add(p->ev_write, NULL) == -1)
		return ERR_SYS;
	return 0;
}

int
peer_send_now(struct peer *p, uint16_t type, const void *msg, int fd)
{
	if (!ipc_type_allowed(type, p->proto->self, p->proto->remote))
		return ERR_TYPE;
	if (!ipc_queue_empty(&p->queue))
		return ERR_AGAIN;
	return ipc_msg_send(p->fd, type, msg, fd);
}
