/* tests/unit/test_ipc.c -- SEQPACKET transport: framing, fds, errors. */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "testutil.h"

struct pair {
	int	 sv[2];
};

static int
setup_pair(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (p == NULL || ipc_socketpair(p->sv) != 0)
		return -1;
	*state = p;
	return 0;
}

static int
teardown_pair(void **state)
{
	struct pair *p = *state;

	if (p->sv[0] >= 0)
		close(p->sv[0]);
	if (p->sv[1] >= 0)
		close(p->sv[1]);
	free(p);
	return 0;
}

/* Send a raw datagram with optional fds, bypassing ipc_send's checks. */
static void
raw_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	char		 cbuf[CMSG_SPACE(sizeof(int) * 4)];

	assert_true(nfds <= 4);
	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)len);
}

static size_t
mkhdr(uint8_t *buf, uint8_t version, uint8_t flags, uint16_t type,
    uint32_t len)
{
	struct ipc_hdr	 h;

	h.version = version;
	h.flags = flags;
	h.type = type;
	h.len = len;
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

static void
test_roundtrip(void **state)
{
	struct pair	*p = *state;
	struct ipc_msg	 m;
	const uint8_t	 pl[] = { 0x92, 0x2a, 0x00 };

	assert_int_equal(sizeof(struct ipc_hdr), 8);
	assert_int_equal(ipc_send(p->sv[0], IPC_NOTIFY_HEALTH_REQ, pl,
	    sizeof(pl), -1), 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	assert_int_equal(m.type, IPC_NOTIFY_HEALTH_REQ);
	assert_int_equal(m.len, sizeof(pl));
	assert_memory_equal(m.payload, pl, sizeof(pl));
	assert_int_equal(m.payload[m.len], 0);
	assert_int_equal(m.fd, -1);
	ipc_msg_clear(&m);
	assert_null(m.payload);

	/* empty payload */
	assert_int_equal(ipc_send(p->sv[1], IPC_CTL_STATUS_REQ, NULL, 0, -1),
	    0);
	assert_int_equal(ipc_recv(p->sv[0], &m), 0);
	assert_int_equal(m.type, IPC_CTL_STATUS_REQ);
	assert_int_equal(m.len, 0);
	ipc_msg_clear(&m);

	/* largest payload */
	{
		uint8_t *big = malloc(IPC_MAX_PAYLOAD);

		assert_non_null(big);
		memset(big, 0xa5, IPC_MAX_PAYLOAD);
		assert_int_equal(ipc_send(p->sv[0], IPC_CTL_STATUS_ANS, big,
		    IPC_MAX_PAYLOAD, -1), 0);
		assert_int_equal(ipc_recv(p->sv[1], &m), 0);
		assert_int_equal(m.len, IPC_MAX_PAYLOAD);
		assert_memory_equal(m.payload, big, IPC_MAX_PAYLOAD);
		ipc_msg_clear(&m);
		assert_int_equal(ipc_send(p->sv[0], IPC_CTL_STATUS_ANS, big,
		    IPC_MAX_PAYLOAD + 1, -1), ERR_TOOBIG);
		free(big);
	}

	/* nothing left */
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_AGAIN);
	assert_null(m.payload);
	assert_int_equal(m.fd, -1);
}

static void
test_fd_passing(void **state)
{
	struct pair	*p = *state;
	struct ipc_msg	 m;
	int		 pfd[2], fd;
	char		 c = 0;

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_send(p->sv[0], IPC_COLLECT_RINGBUF, "x", 1,
	    pfd[1]), 0);
	close(pfd[1]);
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_RINGBUF);
	assert_true(m.fd >= 0);
	assert_int_equal(fcntl(m.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	fd = ipc_msg_take_fd(&m);
	assert_int_equal(m.fd, -1);
	ipc_msg_clear(&m);
	/* it is the same pipe */
	assert_int_equal(write(fd, "z", 1), 1);
	close(fd);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	assert_int_equal(c, 'z');
	close(pfd[0]);

	/* fd type mismatches on the sending side */
	assert_int_equal(ipc_msg_send_payload(p->sv[0], IPC_NOTIFY_HEALTH_REQ,
	    "x", 1, 0), ERR_FD);
	assert_int_equal(ipc_msg_send_payload(p->sv[0], IPC_COLLECT_RINGBUF,
	    "x", 1, -1), ERR_FD);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_AGAIN);
}

static void
test_recv_errors(void **state)
{
	struct pair	*p = *state;
	struct ipc_msg	 m;
	uint8_t		 buf[64];
	uint8_t		*big;
	size_t		 n;

	/* shorter than a header */
	raw_send(p->sv[0], "\x01\x00\x00", 3, NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_PROTO);

	/* wrong version */
	n = mkhdr(buf, 2, 0, IPC_NOTIFY_HEALTH_REQ, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_VERSION);

	/* header len disagrees with the datagram */
	n = mkhdr(buf, IPC_VERSION, 0, IPC_NOTIFY_HEALTH_REQ, 5);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_PROTO);
	n = mkhdr(buf, IPC_VERSION, 0, IPC_NOTIFY_HEALTH_REQ, 0);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_PROTO);

	/* unknown header flag */
	n = mkhdr(buf, IPC_VERSION, 0x80, IPC_NOTIFY_HEALTH_REQ, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_PROTO);

	/* a datagram larger than the biggest legal message */
	big = calloc(1, sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD + 100);
	assert_non_null(big);
	mkhdr(big, IPC_VERSION, 0, IPC_CTL_STATUS_ANS, IPC_MAX_PAYLOAD + 100);
	raw_send(p->sv[0], big, sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD + 100,
	    NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_TRUNC);
	/* one byte over: len field too big, datagram fits the buffer */
	mkhdr(big, IPC_VERSION, 0, IPC_CTL_STATUS_ANS, IPC_MAX_PAYLOAD + 1);
	raw_send(p->sv[0], big, sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD + 1,
	    NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_PROTO);
	free(big);

	/* unknown types are handed to the caller */
	n = mkhdr(buf, IPC_VERSION, 0, 4242, 2);
	buf[n++] = 0xab;
	buf[n++] = 0xcd;
	raw_send(p->sv[0], buf, n, NULL, 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	assert_int_equal(m.type, 4242);
	assert_int_equal(m.len, 2);
	ipc_msg_clear(&m);

	/* the channel is still in sync after all that */
	assert_int_equal(ipc_send(p->sv[0], IPC_CTL_STATUS_REQ, NULL, 0, -1),
	    0);
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	assert_int_equal(m.type, IPC_CTL_STATUS_REQ);
	ipc_msg_clear(&m);
}

static void
test_recv_fd_errors(void **state)
{
	struct pair	*p = *state;
	struct ipc_msg	 m;
	uint8_t		 buf[64];
	size_t		 n;
	int		 pfd[2], fds[2], before;

	assert_int_equal(pipe(pfd), 0);
	before = testutil_count_fds();

	/* fd on a type that carries none (flag set) */
	n = mkhdr(buf, IPC_VERSION, IPC_HF_FD, IPC_NOTIFY_HEALTH_REQ, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, &pfd[0], 1);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_FD);
	assert_int_equal(testutil_count_fds(), before);

	/* fd on the right type but flag clear */
	n = mkhdr(buf, IPC_VERSION, 0, IPC_COLLECT_RINGBUF, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, &pfd[0], 1);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_FD);
	assert_int_equal(testutil_count_fds(), before);

	/* flag set, fd missing */
	n = mkhdr(buf, IPC_VERSION, IPC_HF_FD, IPC_COLLECT_RINGBUF, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, NULL, 0);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_FD);

	/* two fds */
	fds[0] = pfd[0];
	fds[1] = pfd[1];
	n = mkhdr(buf, IPC_VERSION, IPC_HF_FD, IPC_COLLECT_RINGBUF, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, fds, 2);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_FD);
	assert_int_equal(testutil_count_fds(), before);

	/* fd on an unknown type */
	n = mkhdr(buf, IPC_VERSION, IPC_HF_FD, 4242, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, &pfd[0], 1);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_FD);
	assert_int_equal(testutil_count_fds(), before);

	/* a bad header with an fd closes it too */
	n = mkhdr(buf, 9, IPC_HF_FD, IPC_COLLECT_RINGBUF, 1);
	buf[n++] = 0x90;
	raw_send(p->sv[0], buf, n, &pfd[0], 1);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_VERSION);
	assert_int_equal(testutil_count_fds(), before);

	close(pfd[0]);
	close(pfd[1]);
}

/* The transport alone knows no types: the fd rule is the table's. */
static void
test_transport_untyped(void **state)
{
	struct pair	*p = *state;
	struct ipc_msg	 m;
	int		 pfd[2], before;

	assert_int_equal(pipe(pfd), 0);
	before = testutil_count_fds();
	assert_int_equal(ipc_send(p->sv[0], IPC_NOTIFY_HEALTH_REQ, "x", 1,
	    pfd[0]), 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	assert_int_equal(m.type, IPC_NOTIFY_HEALTH_REQ);
	assert_true(m.fd >= 0);
	ipc_msg_clear(&m);
	assert_int_equal(testutil_count_fds(), before);
	/* the same through the message layer: refused, fd closed */
	assert_int_equal(ipc_send(p->sv[0], IPC_NOTIFY_HEALTH_REQ, "x", 1,
	    pfd[0]), 0);
	assert_int_equal(ipc_msg_recv(p->sv[1], &m), ERR_FD);
	assert_null(m.payload);
	assert_int_equal(m.fd, -1);
	assert_int_equal(testutil_count_fds(), before);
	close(pfd[0]);
	close(pfd[1]);
}

static void
test_eof(void **state)
{
	struct pair	*p = *state;
	struct ipc_msg	 m;

	assert_int_equal(ipc_send(p->sv[0], IPC_CTL_STATUS_REQ, NULL, 0, -1),
	    0);
	close(p->sv[0]);
	p->sv[0] = -1;
	/* queued message first, then EOF */
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	ipc_msg_clear(&m);
	assert_int_equal(ipc_recv(p->sv[1], &m), ERR_EOF);
	/* sending to a closed peer does not raise SIGPIPE */
	assert_int_equal(ipc_send(p->sv[1], IPC_CTL_STATUS_REQ, NULL, 0, -1),
	    ERR_SYS);
	assert_int_equal(errno, EPIPE);
}

static void
test_check_fd(void **state)
{
	struct pair	*p = *state;
	pid_t		 pid;
	uid_t		 uid;
	gid_t		 gid;
	int		 pfd[2], st[2];

	assert_int_equal(ipc_check_fd(p->sv[0], -1), 0);
	assert_int_equal(ipc_check_fd(p->sv[0], (long)getuid()), 0);
	assert_int_equal(ipc_check_fd(p->sv[0], (long)getuid() + 1), ERR_FD);
	assert_int_equal(ipc_peer_cred(p->sv[0], &pid, &uid, &gid), 0);
	assert_int_equal(pid, getpid());
	assert_int_equal(uid, getuid());
	assert_int_equal(gid, getgid());

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_check_fd(pfd[0], -1), ERR_FD);
	close(pfd[0]);
	close(pfd[1]);
	assert_int_equal(ipc_check_fd(pfd[0], -1), ERR_FD);	/* closed */
	assert_int_equal(ipc_check_fd(-1, -1), ERR_FD);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, st), 0);
	assert_int_equal(ipc_check_fd(st[0], -1), ERR_FD);
	close(st[0]);
	close(st[1]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, st), 0);
	assert_int_equal(ipc_check_fd(st[0], -1), ERR_FD);
	close(st[0]);
	close(st[1]);
}

static void
test_queue(void **state)
{
	struct pair	*p = *state;
	struct ipc_queue q;
	struct ipc_msg	 m;
	uint8_t		*blk;
	uint32_t	 i, sent = 0, got = 0, seq;
	int		 r, pfd[2];

	blk = calloc(1, 16384);
	assert_non_null(blk);
	ipc_queue_init(&q);
	assert_true(ipc_queue_empty(&q));

	/* fill the socket until the queue holds back messages */
	for (i = 0; i < 4096; i++) {
		memcpy(blk, &i, sizeof(i));
		assert_int_equal(ipc_queue_add(&q, IPC_CTL_STATUS_ANS, blk,
		    16384, -1), 0);
		sent++;
		if ((r = ipc_queue_flush(&q, p->sv[0])) == ERR_AGAIN)
			break;
		assert_int_equal(r, 0);
	}
	assert_int_equal(r, ERR_AGAIN);
	assert_false(ipc_queue_empty(&q));
	assert_int_equal(q.count, 1);
	/* later messages stay behind the held one */
	i = sent++;
	memcpy(blk, &i, sizeof(i));
	assert_int_equal(ipc_queue_add(&q, IPC_CTL_STATUS_ANS, blk, 16384,
	    -1), 0);

	/* drain the receiver, then flush; order must be preserved */
	while (!ipc_queue_empty(&q) || got < sent) {
		r = ipc_recv(p->sv[1], &m);
		if (r == ERR_AGAIN) {
			r = ipc_queue_flush(&q, p->sv[0]);
			assert_true(r == 0 || r == ERR_AGAIN);
			continue;
		}
		assert_int_equal(r, 0);
		memcpy(&seq, m.payload, sizeof(seq));
		assert_int_equal(seq, got);
		got++;
		ipc_msg_clear(&m);
	}
	assert_int_equal(got, sent);

	/* fds are dup'ed into the queue and closed by clear */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_queue_add(&q, IPC_COLLECT_RINGBUF, "x", 1,
	    pfd[0]), 0);
	assert_int_equal(ipc_msg_queue_payload(&q, IPC_CTL_STATUS_REQ, NULL, 0,
	    pfd[0]), ERR_FD);
	assert_int_equal(ipc_queue_add(&q, IPC_CTL_STATUS_ANS, blk,
	    IPC_MAX_PAYLOAD + 1, -1), ERR_TOOBIG);
	close(pfd[0]);
	assert_int_equal(ipc_queue_flush(&q, p->sv[0]), 0);
	assert_int_equal(ipc_recv(p->sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_RINGBUF);
	assert_true(m.fd >= 0);
	assert_int_equal(write(m.fd, "q", 1), -1);	/* read end */
	ipc_msg_clear(&m);
	assert_int_equal(ipc_queue_add(&q, IPC_COLLECT_RINGBUF, "x", 1,
	    pfd[1]), 0);
	ipc_queue_clear(&q);
	assert_true(ipc_queue_empty(&q));
	close(pfd[1]);
	free(blk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup_pair,
		    teardown_pair),
		cmocka_unit_test_setup_teardown(test_fd_passing, setup_pair,
		    teardown_pair),
		cmocka_unit_test_setup_teardown(test_recv_errors, setup_pair,
		    teardown_pair),
		cmocka_unit_test_setup_teardown(test_recv_fd_errors,
		    setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_transport_untyped,
		    setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_eof, setup_pair,
		    teardown_pair),
		cmocka_unit_test_setup_teardown(test_check_fd, setup_pair,
		    teardown_pair),
		cmocka_unit_test_setup_teardown(test_queue, setup_pair,
		    teardown_pair),
	};

	return cmocka_run_group_tests_name("ipc", tests, NULL, NULL);
}
