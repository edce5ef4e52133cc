/*
 * tests/unit/test_peer.c -- the peer layer: dispatch by type, refusal of a
 * message in the wrong direction or with an unexpected fd (fd closed),
 * direction on send, the queue on the write event, EOF, stopping.
 */
#include "build.h"

#include <sys/types.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/event.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "peer.h"
#include "testutil.h"

/* What the callbacks saw. */
struct seen {
	int		 msgs;
	uint16_t	 type;
	int		 had_fd;
	int		 take_fd;	/* handler keeps the fd here */
	int		 fd;
	int		 errors;
	int		 err;
	int		 err_type;	/* m->type, -1: m NULL */
	int		 stop;		/* return value of the handler */
};

static int
on_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct seen	*s = arg;

	s->msgs++;
	s->type = m->type;
	s->had_fd = m->fd >= 0;
	if (s->take_fd)
		s->fd = ipc_msg_take_fd(m);
	return s->stop;
}

static int
on_error(struct peer *p, int r, const struct ipc_msg *m, void *arg)
{
	struct seen	*s = arg;

	s->errors++;
	s->err = r;
	s->err_type = m != NULL ? m->type : -1;
	if (m != NULL)
		assert_int_equal(m->fd, -1);
	return 0;
}

/* loaderd's end of the collector channel, with a handler for READY only */
static const struct peer_handler loader_handlers[] = {
	{ IPC_COLLECT_READY, on_msg },
};
static const struct peer_proto loader_proto = {
	.self = IPC_PROC_LOADERD,
	.remote = IPC_PROC_COLLECTORD,
	.handlers = loader_handlers,
	.nhandlers = 1,
	.error = on_error,
};
/* the collector's end, taking the ring buffer */
static const struct peer_handler collector_handlers[] = {
	{ IPC_COLLECT_RINGBUF, on_msg },
	{ IPC_COLLECT_HOOK_DEL, on_msg },
};
static const struct peer_proto collector_proto = {
	.self = IPC_PROC_COLLECTORD,
	.remote = IPC_PROC_LOADERD,
	.handlers = collector_handlers,
	.nhandlers = 2,
	.error = on_error,
};

static void
test_dispatch(void **state)
{
	struct seen	 s;
	struct peer	*p;
	struct ipc_ready rd = { 1, 2 };
	int		 sv[2];

	memset(&s, 0, sizeof(s));
	assert_int_equal(ipc_socketpair(sv), 0);
	p = peer_new(sv[0], &loader_proto, &s);
	assert_int_equal(peer_fd(p), sv[0]);
	assert_int_equal(peer_read(p), 0);		/* nothing yet */
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_READY, &rd, -1), 0);
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_READY, &rd, -1), 0);
	assert_int_equal(peer_read(p), 0);
	assert_int_equal(s.msgs, 2);
	assert_int_equal(s.type, IPC_COLLECT_READY);
	assert_int_equal(s.errors, 0);

	/* a handler that asks to stop leaves the rest for later */
	s.stop = 1;
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_READY, &rd, -1), 0);
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_READY, &rd, -1), 0);
	assert_int_equal(peer_read(p), 1);
	assert_int_equal(s.msgs, 3);
	s.stop = 0;
	assert_int_equal(peer_read(p), 0);
	assert_int_equal(s.msgs, 4);

	/* EOF: reported, reading stops */
	close(sv[1]);
	assert_int_equal(peer_read(p), ERR_EOF);
	assert_int_equal(s.errors, 1);
	assert_int_equal(s.err, ERR_EOF);
	assert_int_equal(s.err_type, -1);
	peer_free(p);				/* closes sv[0] */
	peer_free(NULL);
}

static void
test_direction_refused(void **state)
{
	struct seen	 s;
	struct peer	*p;
	struct ipc_hook_del d = { 1, 1 };
	struct ipc_ready rd = { 1, 2 };
	struct ipc_collect_stats cs;
	int		 sv[2];

	memset(&s, 0, sizeof(s));
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(ipc_socketpair(sv), 0);
	p = peer_new(sv[0], &loader_proto, &s);

	/* loaderd -> collector type arriving at loaderd */
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_HOOK_DEL, &d, -1), 0);
	/* notifier -> loaderd type on the collector's channel */
	assert_int_equal(ipc_msg_send(sv[1], IPC_NOTIFY_READY, &rd, -1), 0);
	/* right direction, but the table has no handler for it */
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_STATS, &cs, -1), 0);
	/* unknown type */
	assert_int_equal(ipc_send(sv[1], 4242, "\x90", 1, -1), 0);
	/* the channel is still in sync */
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_READY, &rd, -1), 0);

	assert_int_equal(peer_read(p), 0);
	assert_int_equal(s.errors, 4);
	assert_int_equal(s.err, ERR_TYPE);
	assert_int_equal(s.err_type, 4242);
	assert_int_equal(s.msgs, 1);
	assert_int_equal(s.type, IPC_COLLECT_READY);

	/* sending checks the direction too */
	assert_int_equal(peer_send(p, IPC_COLLECT_READY, &rd, -1), ERR_TYPE);
	assert_int_equal(peer_send_now(p, IPC_NOTIFY_HEALTH_REQ, &rd, -1),
	    ERR_TYPE);
	assert_int_equal(peer_send(p, IPC_COLLECT_HOOK_DEL, &d, -1), 0);
	peer_free(p);
	close(sv[1]);
}

static void
test_unexpected_fd(void **state)
{
	struct seen	 s;
	struct peer	*p, *c;
	struct ipc_ready rd = { 1, 2 };
	struct ipc_ringbuf rb = { 4096, 1 };
	uint8_t		*buf;
	size_t		 len;
	int		 sv[2], pfd[2], before;

	memset(&s, 0, sizeof(s));
	assert_int_equal(ipc_socketpair(sv), 0);
	assert_int_equal(pipe(pfd), 0);
	p = peer_new(sv[0], &loader_proto, &s);
	before = testutil_count_fds();

	/* an fd on a type that carries none: a receive error, fd closed */
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_READY, &rd, &buf, &len),
	    0);
	assert_int_equal(ipc_send(sv[1], IPC_COLLECT_READY, buf, len, pfd[0]),
	    0);
	free(buf);
	/* an fd-carrying type in the wrong direction: refused, fd closed */
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_RINGBUF, &rb, pfd[0]),
	    0);
	assert_int_equal(peer_read(p), 0);
	assert_int_equal(s.msgs, 0);
	assert_int_equal(s.errors, 2);
	assert_int_equal(s.err, ERR_TYPE);
	assert_int_equal(s.err_type, IPC_COLLECT_RINGBUF);
	assert_int_equal(testutil_count_fds(), before);
	peer_free(p);
	close(sv[1]);

	/* the collector's end: the handler gets the fd; not taken = closed */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ipc_socketpair(sv), 0);
	c = peer_new(sv[0], &collector_proto, &s);
	before = testutil_count_fds();
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_RINGBUF, &rb, pfd[0]),
	    0);
	assert_int_equal(peer_read(c), 0);
	assert_int_equal(s.msgs, 1);
	assert_true(s.had_fd);
	assert_int_equal(testutil_count_fds(), before);
	/* taken: the handler's */
	s.take_fd = 1;
	assert_int_equal(ipc_msg_send(sv[1], IPC_COLLECT_RINGBUF, &rb, pfd[0]),
	    0);
	assert_int_equal(peer_read(c), 0);
	assert_int_equal(s.msgs, 2);
	assert_true(s.fd >= 0);
	assert_int_equal(testutil_count_fds(), before + 1);
	close(s.fd);
	/* a type that carries an fd, sent without: refused on receipt */
	assert_int_equal(ipc_send(sv[1], IPC_COLLECT_RINGBUF, "\x90", 1, -1),
	    0);
	assert_int_equal(peer_read(c), 0);
	assert_int_equal(s.errors, 1);
	assert_int_equal(s.err, ERR_FD);
	assert_int_equal(s.err_type, -1);
	peer_free(c);
	close(sv[1]);
	close(pfd[0]);
	close(pfd[1]);
}

/* Messages the socket cannot take wait in the queue for the write event. */
static void
test_queue(void **state)
{
	static const struct peer_proto ctl_proto = {
		.self = IPC_PROC_LOADERD,
		.remote = IPC_PROC_CTL,
		.error = on_error,
	};
	struct seen	 s;
	struct event_base *base;
	struct peer	*p;
	struct ipc_text	 t, got;
	struct ipc_msg	 m;
	char		*text;
	uint32_t	 i, sent = 0, n = 0;
	int		 sv[2], r;

	memset(&s, 0, sizeof(s));
	assert_non_null(base = event_base_new());
	assert_int_equal(ipc_socketpair(sv), 0);
	p = peer_new(sv[0], &ctl_proto, &s);
	assert_int_equal(peer_attach(p, base), 0);
	text = malloc(16384);
	assert_non_null(text);
	memset(text, 'a', 16383);
	text[16383] = '\0';
	t.text = text;
	for (i = 0; i < 4096; i++) {
		snprintf(text, 16, "%08u", i);
		text[8] = 'a';
		assert_int_equal(peer_send(p, IPC_CTL_STATUS_ANS, &t, -1), 0);
		sent++;
		if (peer_send_now(p, IPC_CTL_STATUS_ANS, &t, -1) == ERR_AGAIN)
			break;
		sent++;
	}
	assert_true(i < 4096);		/* the socket filled up */
	/* queued ones leave first, in order, as the receiver drains */
	while (n < sent) {
		r = ipc_msg_recv(sv[1], &m);
		if (r == ERR_AGAIN) {
			assert_int_equal(event_base_loop(base,
			    EVLOOP_NONBLOCK), 0);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len,
		    &got), 0);
		/* each number went twice: queued, then at once */
		assert_int_equal(strtoul(got.text, NULL, 10), n / 2);
		free(got.text);
		ipc_msg_clear(&m);
		n++;
	}
	assert_int_equal(ipc_msg_recv(sv[1], &m), ERR_AGAIN);
	/* the queue is empty again: sending at once works */
	assert_int_equal(peer_send_now(p, IPC_CTL_STATUS_ANS, &t, -1), 0);
	assert_int_equal(ipc_msg_recv(sv[1], &m), 0);
	ipc_msg_clear(&m);
	assert_int_equal(s.errors, 0);
	free(text);
	peer_free(p);
	close(sv[1]);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_direction_refused),
		cmocka_unit_test(test_unexpected_fd),
		cmocka_unit_test(test_queue),
	};

	return cmocka_run_group_tests_name("peer", tests, NULL, NULL);
}
