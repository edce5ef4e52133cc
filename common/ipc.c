/*
 * common/ipc.c -- message transport over AF_UNIX SOCK_SEQPACKET.
 *
 * One sendmsg() = one message = struct ipc_hdr + payload, with at most one
 * fd in an SCM_RIGHTS control message.  The receiver gets the whole
 * datagram in one recvmsg() into a buffer one byte larger than the biggest
 * legal message, so MSG_TRUNC or an over-long datagram is always seen.
 * The transport knows no message types: which type carries an fd, and
 * who may send it to whom, is the message table's (ipc_msg.c).
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "ipc.h"
#include "xmalloc.h"

/* room for a few fds so a peer sending more than one is detected and all
 * of them are closed, rather than silently cut with MSG_CTRUNC */
#define IPC_MAX_RECV_FDS	8

int
ipc_send(int sock, uint16_t type, const void *payload, size_t len, int fd)
{
	struct ipc_hdr	 hdr;
	struct msghdr	 msg;
	struct iovec	 iov[2];
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	ssize_t		 n;

	if (len > IPC_MAX_PAYLOAD)
		return ERR_TOOBIG;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = IPC_VERSION;
	hdr.flags = fd >= 0 ? IPC_HF_FD : 0;
	hdr.type = type;
	hdr.len = (uint32_t)len;

	memset(&msg, 0, sizeof(msg));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)payload;
	iov[1].iov_len = len;
	msg.msg_iov = iov;
	msg.msg_iovlen = len > 0 ? 2 : 1;
	if (fd >= 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}

	do {
		n = sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return ERR_AGAIN;
		if (errno == EMSGSIZE)
			return ERR_TOOBIG;
		return ERR_SYS;
	}
	/* SEQPACKET is atomic: a short send cannot happen */
	if ((size_t)n != sizeof(hdr) + len) {
		errno = EMSGSIZE;
		return ERR_SYS;
	}
	return 0;
}

static void
ipc_close_fds(int *fds, size_t nfds)
{
	size_t	 i;

	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int
ipc_recv(int sock, struct ipc_msg *m)
{
	struct ipc_hdr	 hdr;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IPC_MAX_RECV_FDS)];
	} cmsgbuf;
	int		 fds[IPC_MAX_RECV_FDS];
	size_t		 nfds = 0, bufsz, plen, i, k;
	uint8_t		*buf;
	ssize_t		 n;
	int		 r;

	m->type = 0;
	m->len = 0;
	m->payload = NULL;
	m->fd = -1;

	bufsz = sizeof(hdr) + IPC_MAX_PAYLOAD + 1;
	buf = xmalloc(bufsz);

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = buf;
	iov.iov_len = bufsz;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	do {
		n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		r = (errno == EAGAIN || errno == EWOULDBLOCK) ? ERR_AGAIN :
		    ERR_SYS;
		goto out;
	}

	/* collect every fd first so each error path below closes them */
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k && nfds < IPC_MAX_RECV_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
	}

	if (n == 0 && nfds == 0) {
		r = ERR_EOF;
		goto out;
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		r = ERR_TRUNC;
		goto out;
	}
	if ((size_t)n < sizeof(hdr)) {
		r = ERR_PROTO;
		goto out;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != IPC_VERSION) {
		r = ERR_VERSION;
		goto out;
	}
	plen = (size_t)n - sizeof(hdr);
	if (hdr.len > IPC_MAX_PAYLOAD || hdr.len != plen ||
	    (hdr.flags & ~IPC_HF_FD) != 0) {
		r = ERR_PROTO;
		goto out;
	}
	if (nfds > 1 || (nfds == 1) != ((hdr.flags & IPC_HF_FD) != 0)) {
		r = ERR_FD;
		goto out;
	}

	m->type = hdr.type;
	m->len = plen;
	m->payload = xmalloc(plen + 1);
	memcpy(m->payload, buf + sizeof(hdr), plen);
	m->payload[plen] = '\0';
	if (nfds == 1) {
		m->fd = fds[0];
		nfds = 0;
	}
	r = 0;
out:
	ipc_close_fds(fds, nfds);
	free(buf);
	return r;
}

void
ipc_msg_clear(struct ipc_msg *m)
{
	if (m == NULL)
		return;
	free(m->payload);
	m->payload = NULL;
	m->len = 0;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int
ipc_msg_take_fd(struct ipc_msg *m)
{
	int	 fd = m->fd;

	m->fd = -1;
	return fd;
}

int
ipc_peer_cred(int sock, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return ERR_SYS;
	if (len != sizeof(cred)) {
		errno = EINVAL;
		return ERR_SYS;
	}
	if (pid != NULL)
		*pid = cred.pid;
	if (uid != NULL)
		*uid = cred.uid;
	if (gid != NULL)
		*gid = cred.gid;
	return 0;
}

int
ipc_check_fd(int fd, long want_uid)
{
	int		 type, domain;
	socklen_t	 len;
	uid_t		 uid;

	if (fd < 0 || fcntl(fd, F_GETFD) == -1)
		return ERR_FD;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    len != sizeof(type) || type != SOCK_SEQPACKET)
		return ERR_FD;
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1 ||
	    len != sizeof(domain) || domain != AF_UNIX)
		return ERR_FD;
	if (want_uid >= 0) {
		if (ipc_peer_cred(fd, NULL, &uid, NULL) != 0 ||
		    (long)uid != want_uid)
			return ERR_FD;
	}
	return 0;
}

int
ipc_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, sv) == -1)
		return ERR_SYS;
	return 0;
}

void
ipc_queue_init(struct ipc_queue *q)
{
	TAILQ_INIT(&q->msgs);
	q->count = 0;
}

static void
ipc_qmsg_free(struct ipc_qmsg *qm)
{
	if (qm->fd >= 0)
		close(qm->fd);
	free(qm->payload);
	free(qm);
}

void
ipc_queue_clear(struct ipc_queue *q)
{
	struct ipc_qmsg	*qm;

	if (q == NULL)
		return;
	while ((qm = TAILQ_FIRST(&q->msgs)) != NULL) {
		TAILQ_REMOVE(&q->msgs, qm, entry);
		ipc_qmsg_free(qm);
	}
	q->count = 0;
}

int
ipc_queue_add(struct ipc_queue *q, uint16_t type, const void *payload,
    size_t len, int fd)
{
	struct ipc_qmsg	*qm;
	int		 nfd = -1;

	if (len > IPC_MAX_PAYLOAD)
		return ERR_TOOBIG;
	if (fd >= 0 && (nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return ERR_FD;
	qm = xcalloc(1, sizeof(*qm));
	qm->type = type;
	qm->len = len;
	qm->payload = xmalloc(len > 0 ? len : 1);
	if (len > 0)
		memcpy(qm->payload, payload, len);
	qm->fd = nfd;
	TAILQ_INSERT_TAIL(&q->msgs, qm, entry);
	q->count++;
	return 0;
}

int
ipc_queue_flush(struct ipc_queue *q, int sock)
{
	struct ipc_qmsg	*qm;
	int		 r;

	while ((qm = TAILQ_FIRST(&q->msgs)) != NULL) {
		if ((r = ipc_send(sock, qm->type, qm->payload, qm->len,
		    qm->fd)) != 0)
			return r;
		TAILQ_REMOVE(&q->msgs, qm, entry);
		q->count--;
		ipc_qmsg_free(qm);
	}
	return 0;
}

int
ipc_queue_empty(const struct ipc_queue *q)
{
	return TAILQ_EMPTY(&q->msgs);
}
