/* tests/unit/test_service.c -- what loaderd tells the service manager
 * (loaderd/service.c), read from a datagram socket standing in for
 * $NOTIFY_SOCKET. */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sdnotify.h"
#include "loaderd/loaderd.h"
#include "tests/lib/testutil.h"

/* loaderd.c's, which the health checks (supervise.c) use: not here. */
int
child_send(struct loaderd_env *env, enum child_id id, uint16_t type,
    const void *msg)
{
	fail_msg("child_send %u", (unsigned)type);
	return 0;
}

/* The next message loaderd sent, in buf. */
static const char *
next_msg(int fd, char *buf, size_t len)
{
	ssize_t	 n;

	n = recv(fd, buf, len - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

/* events/s of the STATUS line in msg. */
static unsigned long long
rate_of(const char *msg)
{
	const char	*p = strstr(msg, "policies, ");

	assert_non_null(p);
	return strtoull(p + strlen("policies, "), NULL, 10);
}

/*
 * The events/s figure is over the periodic STATUS interval: a READY=1
 * after a reload shows the last figure and does not start a new window
 * (a window shortened by a reload would show the events since the reload
 * only: here, none).
 */
static void
test_rate_window(void **state)
{
	static struct loaderd_env env;
	char		*dir = testutil_tmpdir("service"), buf[1024];
	struct sockaddr_un sa;
	int		 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(sdnotify_open(&env.svc.sd, sa.sun_path), 1);
	env.svc.ready = 1;

	service_status_periodic(&env);		/* the window starts */
	assert_int_equal(rate_of(next_msg(fd, buf, sizeof(buf))), 0);
	env.cstats.events_stored = 1000000000000ULL;
	service_reloading(&env, 1);
	assert_string_equal(next_msg(fd, buf, sizeof(buf)),
	    "RELOADING=1\nSTATUS=reloading");
	service_reloading(&env, 0);
	assert_non_null(strstr(next_msg(fd, buf, sizeof(buf)),
	    "READY=1\nSTATUS="));
	usleep(2000);				/* the clock moves */
	service_status_periodic(&env);
	assert_true(rate_of(next_msg(fd, buf, sizeof(buf))) > 0);

	sdnotify_close(&env.svc.sd);
	close(fd);
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_window),
	};

	return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
