/* tests/unit/test_sdnotify.c -- the sd_notify protocol: socket names
 * (path, abstract, refused ones), sends, $WATCHDOG_*, $JOURNAL_STREAM. */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

#include "err.h"
#include "sdnotify.h"

/* A datagram socket bound to name (path, or "@..." abstract). */
static int
listener(const char *name)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, strlen(name));
	len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

static void
recv_is(int fd, const char *want)
{
	char	 buf[256];
	ssize_t	 n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void
test_path(void **state)
{
	char		 dir[] = "/tmp/sdnotify.XXXXXX", path[64];
	struct sdnotify	 sd;
	int		 fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	assert_int_equal(sdnotify_open(&sd, path), 1);
	assert_int_equal(sdnotify_send(&sd, "READY=1\nSTATUS=up"), 0);
	recv_is(fd, "READY=1\nSTATUS=up");
	sdnotify_close(&sd);
	assert_int_equal(sd.fd, -1);
	close(fd);
	/* nobody listens any more: an error, not a crash */
	assert_int_equal(sdnotify_open(&sd, path), 1);
	unlink(path);
	assert_int_equal(sdnotify_send(&sd, "WATCHDOG=1"), ERR_SYS);
	sdnotify_close(&sd);
	rmdir(dir);
}

static void
test_abstract(void **state)
{
	char		 name[64];
	struct sdnotify	 sd;
	int		 fd, other;

	snprintf(name, sizeof(name), "@tripline-test-%ld", (long)getpid());
	fd = listener(name);
	/* without the @ it is a relative path: refused */
	assert_int_equal(sdnotify_open(&sd, name + 1), ERR_PARSE);
	assert_int_equal(sdnotify_open(&sd, name), 1);
	assert_int_equal(sdnotify_send(&sd, "WATCHDOG=1"), 0);
	recv_is(fd, "WATCHDOG=1");
	sdnotify_close(&sd);
	/* the name is exact: a longer name is another socket */
	snprintf(name + strlen(name), sizeof(name) - strlen(name), "x");
	other = listener(name);
	assert_int_equal(sdnotify_open(&sd, name), 1);
	assert_int_equal(sdnotify_send(&sd, "STOPPING=1"), 0);
	recv_is(other, "STOPPING=1");
	assert_int_equal(recv(fd, name, 1, MSG_DONTWAIT), -1);
	sdnotify_close(&sd);
	close(fd);
	close(other);
}

static void
test_refused(void **state)
{
	char		 longname[200];
	struct sdnotify	 sd;

	assert_int_equal(sdnotify_open(&sd, NULL), 0);
	assert_int_equal(sd.fd, -1);
	assert_int_equal(sdnotify_open(&sd, ""), 0);
	/* sending without a manager is a no-op */
	assert_int_equal(sdnotify_send(&sd, "READY=1"), 0);
	assert_int_equal(sdnotify_open(&sd, "run/notify"), ERR_PARSE);
	assert_int_equal(sdnotify_open(&sd, "@"), ERR_PARSE);
	assert_int_equal(sdnotify_open(&sd, "vsock:2:1234"), ERR_UNSUPP);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(sdnotify_open(&sd, longname), ERR_PARSE);
	assert_int_equal(sd.fd, -1);
	/* the longest name that fits, with its NUL */
	longname[sizeof(((struct sockaddr_un *)0)->sun_path) - 1] = '\0';
	assert_int_equal(sdnotify_open(&sd, longname), 1);
	sdnotify_close(&sd);
}

static void
test_watchdog(void **state)
{
	assert_int_equal(sdnotify_watchdog_usec("30000000", NULL, 7), 30000000);
	assert_int_equal(sdnotify_watchdog_usec("30000000", "", 7), 30000000);
	assert_int_equal(sdnotify_watchdog_usec("30000000", "7", 7), 30000000);
	/* meant for another process */
	assert_int_equal(sdnotify_watchdog_usec("30000000", "8", 7), 0);
	assert_int_equal(sdnotify_watchdog_usec("30000000", "x", 7), 0);
	assert_int_equal(sdnotify_watchdog_usec(NULL, NULL, 7), 0);
	assert_int_equal(sdnotify_watchdog_usec("", NULL, 7), 0);
	assert_int_equal(sdnotify_watchdog_usec("0", NULL, 7), 0);
	assert_int_equal(sdnotify_watchdog_usec("-5", NULL, 7), 0);
	assert_int_equal(sdnotify_watchdog_usec(" 5", NULL, 7), 0);
	assert_int_equal(sdnotify_watchdog_usec("5s", NULL, 7), 0);
	assert_int_equal(sdnotify_watchdog_usec("99999999999999999999", NULL,
	    7), 0);
}

static void
test_journal(void **state)
{
	char		 path[] = "/tmp/sdnotify-j.XXXXXX", v[64];
	struct stat	 st;
	int		 fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	assert_int_equal(sdnotify_is_journal(v, fd), 1);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + 1);
	assert_int_equal(sdnotify_is_journal(v, fd), 0);
	snprintf(v, sizeof(v), "%llu:%llux", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	assert_int_equal(sdnotify_is_journal(v, fd), 0);
	assert_int_equal(sdnotify_is_journal(NULL, fd), 0);
	assert_int_equal(sdnotify_is_journal("", fd), 0);
	assert_int_equal(sdnotify_is_journal("12", fd), 0);
	assert_int_equal(sdnotify_is_journal("12:", fd), 0);
	assert_int_equal(sdnotify_is_journal(":12", fd), 0);
	close(fd);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_journal),
	};

	return cmocka_run_group_tests_name("sdnotify", tests, NULL, NULL);
}
