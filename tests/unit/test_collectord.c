/*
 * tests/unit/test_collectord.c -- the collectord daemon's parent channel:
 * hook metadata sent before and after the ring buffer, records of a hook
 * whose metadata was sent just before them, an unknown hook, deletion,
 * drops reports (also one sent right before SIGTERM).
 * Runs the real binary with fd 3/4 socketpairs and a memfd standing in for
 * the BPF ring buffer (same layout: consumer page, producer page, data).
 */
#include "build.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "policy.h"
#include "tests/lib/testutil.h"
#include "tests/unit/genrec.h"

#define RING_SIZE	(64 * 1024)

struct ring {
	int		 fd;
	size_t		 pg;
	uint8_t		*map;		/* whole file */
	unsigned long	 pos;		/* producer position */
};

static void
ring_new(struct ring *r)
{
	r->pg = (size_t)sysconf(_SC_PAGESIZE);
	r->fd = memfd_create("ring", MFD_CLOEXEC);
	assert_true(r->fd >= 0);
	assert_int_equal(ftruncate(r->fd, (off_t)(2 * r->pg +
	    2 * RING_SIZE)), 0);
	r->map = mmap(NULL, 2 * r->pg + 2 * RING_SIZE, PROT_READ |
	    PROT_WRITE, MAP_SHARED, r->fd, 0);
	assert_true(r->map != MAP_FAILED);
	r->pos = 0;
}

/* Commit one record (no wrap-around: the test writes far less). */
static void
ring_put(struct ring *r, const void *rec, size_t len)
{
	uint8_t		*d = r->map + 2 * r->pg + r->pos;
	uint32_t	 hdr[2] = { (uint32_t)len, 0 };

	assert_true(r->pos + 8 + len < RING_SIZE);
	memcpy(d + 8, rec, len);
	memcpy(d, hdr, sizeof(hdr));
	r->pos += (8 + len + 7) & ~7UL;
	__atomic_store_n((unsigned long *)(void *)(r->map + r->pg), r->pos,
	    __ATOMIC_RELEASE);
}

static void
mkhook(struct ipc_hook *h, uint32_t id, uint32_t gen, const char *policy)
{
	size_t	 i;

	memset(h, 0, sizeof(*h));
	h->id = id;
	h->gen = gen;
	h->kind = POL_HOOK_KPROBE;
	h->policy = (char *)policy;
	h->function = (char *)"__x64_sys_openat";
	h->subsys = h->event = h->path = h->message = (char *)"";
	h->tags_json = (char *)"[]";
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		h->arg_label[i] = (char *)"";
	for (i = 0; i < IPC_HOOK_SEL; i++)
		h->sel_url[i] = h->sel_fqdn[i] = (char *)"";
}

static void
send_hook(int sock, uint32_t id, uint32_t gen, const char *policy)
{
	struct ipc_hook	 h;

	mkhook(&h, id, gen, policy);
	assert_int_equal(ipc_msg_send(sock, IPC_COLLECT_HOOK, &h, -1), 0);
}

static void
put_generic(struct ring *ring, uint32_t pid, uint32_t id, uint32_t gen,
    const char *path)
{
	static struct genrec r;
	struct timespec	 ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	genrec_init(&r, pid, 1, 0, 0, id, gen);
	genrec_hdr(&r)->hdr.time_ns = (uint64_t)ts.tv_sec * 1000000000ULL +
	    (uint64_t)ts.tv_nsec;
	genrec_str(&r, POL_ARG_STRING, path);
	ring_put(ring, r.buf, genrec_done(&r));
}

/* Wait for one message of type want on sock (skipping stats). */
static void
wait_msg(int sock, uint16_t want)
{
	struct pollfd	 pfd = { sock, POLLIN, 0 };
	struct ipc_msg	 m;
	int		 r;

	for (;;) {
		if (poll(&pfd, 1, 20000) != 1)
			fail_msg("no message %u from collectord", want);
		r = ipc_recv(sock, &m);
		if (r == ERR_AGAIN)
			continue;
		assert_int_equal(r, 0);
		if (m.type == want) {
			ipc_msg_clear(&m);
			return;
		}
		ipc_msg_clear(&m);
	}
}

static long long
q_int(const char *db, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(h, 2000);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

static void
test_parent_channel(void **state)
{
	struct ipc_ringbuf	 rb = { RING_SIZE, EV_ABI_VERSION };
	struct ipc_hook_del	 d = { 1, 1 };
	struct ipc_drops	 drops = { 1000, 7, 7, IPC_DROPS_RING, 0, 0,
	    (char *)"", (char *)"" };
	struct ring		 ring;
	struct passwd		*pw;
	const char		*user;
	char			*dir, db[512], errlog[512];
	int			 sv[2], peer[2], status, i, fd;
	pid_t			 pid;
	long long		 n = 0;

	dir = testutil_tmpdir("collectord");
	snprintf(db, sizeof(db), "%s/events.db", dir);
	snprintf(errlog, sizeof(errlog), "%s/stderr", dir);
	if (geteuid() == 0)
		user = "nobody";
	else {
		pw = getpwuid(geteuid());
		assert_non_null(pw);
		user = pw->pw_name;
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, peer), 0);
	ring_new(&ring);
	if (geteuid() == 0)	/* the collector maps it as "nobody" */
		assert_int_equal(fchmod(ring.fd, 0666), 0);

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1 || dup2(fd, 2) == -1 || dup2(sv[1], 3) == -1 ||
		    dup2(peer[1], 4) == -1)
			_exit(99);
		for (i = 5; i < 1024; i++)
			close(i);
		execl(COLLECTORD_BIN, "collectord", "-S", dir, "-u", user,
		    "-N", "testnode", "-m", "off", "-d", "-vv", "-b", "20",
		    "-J", (char *)NULL);
		_exit(98);
	}
	assert_true(pid > 0);
	close(sv[1]);
	close(peer[1]);

	/* metadata before the ring buffer, then the ring buffer */
	send_hook(sv[0], 1, 1, "before");
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_RINGBUF, &rb,
	    ring.fd), 0);
	wait_msg(sv[0], IPC_COLLECT_READY);

	/* a hook enabled after the ring: metadata first, records at once */
	put_generic(&ring, 4242, 1, 1, "/etc/passwd");
	send_hook(sv[0], 2, 1, "after");
	put_generic(&ring, 4242, 2, 1, "/etc/shadow");
	put_generic(&ring, 4242, 3, 1, "/etc/hosts");	/* never announced */
	/* deleted: records already in the ring still resolve */
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_HOOK_DEL, &d, -1),
	    0);
	put_generic(&ring, 4242, 1, 1, "/etc/group");
	/* records the kernel lost, as loaderd reports them */
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_DROPS, &drops, -1),
	    0);

	for (i = 0; i < 200; i++) {
		n = q_int(db, "SELECT count(*) FROM events WHERE "
		    "type='process_kprobe'");
		if (n == 4 && q_int(db, "SELECT count(*) FROM drops") == 1)
			break;
		usleep(50000);
	}
	/* the final report loaderd sends right before stopping it */
	drops.count = 3;
	drops.total = 10;
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_DROPS, &drops, -1),
	    0);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (n != 4 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char	 cmd[600];

		snprintf(cmd, sizeof(cmd), "cat '%s' >&2", errlog);
		if (system(cmd) == -1)
			perror("system");
		fail_msg("%lld events, status 0x%x", n, status);
	}
	assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE "
	    "policy_name='before' AND args LIKE '%/etc/passwd%'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE "
	    "policy_name='after' AND args LIKE '%/etc/shadow%'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE "
	    "function_name='unknown hook 3' AND policy_name IS NULL"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE "
	    "policy_name='before' AND args LIKE '%/etc/group%'"), 1);
	/* both drops reports stored, with their events_lost events */
	assert_int_equal(q_int(db, "SELECT count(*) FROM drops WHERE "
	    "source='ring_buffer'"), 2);
	assert_int_equal(q_int(db, "SELECT max(total) FROM drops"), 10);
	assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE "
	    "type='events_lost' AND args LIKE '{\"count\":3,\"total\":10,%'"),
	    1);
	/* the unknown process got its minimal row */
	assert_int_equal(q_int(db, "SELECT count(*) FROM processes WHERE "
	    "pid=4242 AND flags='unknown'"), 1);

	close(sv[0]);
	close(peer[0]);
	munmap(ring.map, 2 * ring.pg + 2 * RING_SIZE);
	close(ring.fd);
	testutil_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_channel),
	};

	return cmocka_run_group_tests_name("collectord", tests, NULL, NULL);
}
