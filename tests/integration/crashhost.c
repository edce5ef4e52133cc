/*
 * tests/integration/crashhost.c -- stands in for loaderd around a real
 * collectord, so a test can kill and restart it at will (loaderd restarts
 * a dead collector only after a growing back-off).  It loads the process
 * BPF programs (bpfl_open), runs an exec storm of a marker binary, and
 * prints TAP:
 *
 *   crash: SIGKILL collectord 20 times during the storm; after each
 *          restart integrity_check is ok; at the end no events row is
 *          duplicated and every marker exec is stored or counted lost.
 *   busy:  another connection holds the write lock while execs happen;
 *          the collector's loop still sends its stats, and no exec is
 *          lost once the lock goes.
 *   refuse: a corrupted events.db and one owned by another user end the
 *          collector before READY with a clear reason (the open happens
 *          as the collector's uid).
 *
 * usage: crashhost collectord statedir user marker mode
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bpf/events.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "loaderd/bpf_load.h"

#define RING_SIZE	(4U << 20)
#define KILLS		20

struct host {
	const char	*bin, *dir, *user, *marker;
	char		 db[4096], log[4096];
	struct bpfl	*b;
	int		 sock;		/* our end of the collector's fd 3 */
	pid_t		 pid;
	int		 n, fail;
};

static void
tap(struct host *h, int ok, const char *fmt, ...)
{
	va_list	 ap;

	h->n++;
	if (!ok)
		h->fail++;
	printf("%sok %d - ", ok ? "" : "not ", h->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Wait for one message of type want (others skipped): 1, or 0 on EOF or
 * after ms. */
static int
wait_msg(struct host *h, uint16_t want, int ms)
{
	struct pollfd	 pfd = { h->sock, POLLIN, 0 };
	struct ipc_msg	 m;
	int		 r;

	for (;;) {
		if (poll(&pfd, 1, ms) != 1)
			return 0;
		if ((r = ipc_recv(h->sock, &m)) == ERR_AGAIN)
			continue;
		if (r != 0)
			return 0;
		r = m.type == want;
		ipc_msg_clear(&m);
		if (r)
			return 1;
	}
}

/* Start collectord with the ring; 1 once it is READY, 0 if it died. */
static int
start(struct host *h)
{
	struct ipc_ringbuf	 rb = { RING_SIZE, EV_ABI_VERSION };
	int			 sv[2], peer[2], fd, i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, peer))
		return 0;
	fflush(stdout);
	if ((h->pid = fork()) == 0) {
		fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd == -1 || dup2(fd, 2) == -1 || dup2(sv[1], 3) == -1 ||
		    dup2(peer[1], 4) == -1)
			_exit(99);
		for (i = 5; i < 1024; i++)
			close(i);
		execl(h->bin, "collectord", "-S", h->dir, "-u", h->user, "-N",
		    "crashnode", "-d", "-b", "1000", "-r", "100000", "-J",
		    (char *)NULL);
		_exit(98);
	}
	close(sv[1]);
	close(peer[1]);
	close(peer[0]);
	h->sock = sv[0];
	if (ipc_msg_send(h->sock, IPC_COLLECT_RINGBUF, &rb,
	    bpfl_ringbuf_fd(h->b)) != 0)
		return 0;
	return wait_msg(h, IPC_COLLECT_READY, 30000);
}

/* Stop it (sig) and reap it: its wait status. */
static int
stop(struct host *h, int sig)
{
	int	 status = -1, i;

	if (h->pid <= 0)
		return -1;
	kill(h->pid, sig);
	/* a collector stuck in its loop does not see SIGTERM: not clean */
	for (i = 0; i < 300 && waitpid(h->pid, &status, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 300) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &status, 0);
		status = -1;
	}
	h->pid = -1;
	close(h->sock);
	h->sock = -1;
	return status;
}

static long long
q(struct host *h, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_open_v2(h->db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_type(st, 0) == SQLITE_TEXT ?
			    strcmp((const char *)sqlite3_column_text(st, 0),
			    "ok") == 0 : sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

static long long
marker_rows(struct host *h, const char *marker)
{
	char	 sql[8192];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events e JOIN"
	    " processes p ON p.exec_id = e.exec_id WHERE e.type ="
	    " 'process_exec' AND p.binary = '%s' AND p.flags NOT LIKE"
	    " '%%procFS%%'", marker);
	return q(h, sql);
}

/* The storm: exec the marker until SIGTERM; the count of execs that
 * succeeded (exit 0) is written to fd. */
static volatile sig_atomic_t storm_stop;

static void
storm_sig(int sig)
{
	storm_stop = 1;
}

static pid_t
storm(const char *marker, int fd, long max)
{
	long	 n = 0;
	pid_t	 pid, c;
	int	 status;

	if ((pid = fork()) != 0)
		return pid;
	signal(SIGTERM, storm_sig);
	while (!storm_stop && (max == 0 || n < max)) {
		if ((c = fork()) == 0) {
			execl(marker, "marker", (char *)NULL);
			_exit(127);
		}
		if (c > 0 && waitpid(c, &status, 0) == c &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			n++;
	}
	if (write(fd, &n, sizeof(n)) != sizeof(n))
		_exit(1);
	_exit(0);
}

static long
storm_end(pid_t pid, int fd[2], int sig)
{
	long	 n = -1;

	if (sig != 0)
		kill(pid, sig);
	waitpid(pid, NULL, 0);
	if (read(fd[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(fd[0]);
	close(fd[1]);
	return n;
}

/* Everything the kernel wrote has been consumed and committed. */
static int
drained(struct host *h)
{
	static unsigned long	*cons, *prod;
	long			 pg = sysconf(_SC_PAGESIZE);
	int			 i, fd = bpfl_ringbuf_fd(h->b);

	if (cons == NULL) {
		cons = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
		prod = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
		if (cons == MAP_FAILED || prod == MAP_FAILED)
			return 0;
	}
	for (i = 0; i < 300; i++) {
		if (__atomic_load_n(cons, __ATOMIC_ACQUIRE) ==
		    __atomic_load_n(prod, __ATOMIC_ACQUIRE))
			return 1;
		usleep(100000);
	}
	return 0;
}

static void
show_log(struct host *h)
{
	char	 cmd[8300];

	snprintf(cmd, sizeof(cmd), "tail -n 30 '%s' | sed 's/^/# /'",
	    h->log);
	if (system(cmd) == -1)
		perror("system");
}

static void
crash(struct host *h)
{
	uint64_t	 st[EV_STAT_MAX];
	int		 fd[2], i, ok = 1;
	long		 n;
	long long	 rows, dups;
	pid_t		 sp;

	if (pipe(fd) != 0)
		exit(99);
	sp = storm(h->marker, fd[1], 0);
	srandom((unsigned)getpid());
	for (i = 0; i < KILLS; i++) {
		if (!start(h)) {
			ok = 0;
			break;
		}
		usleep(100000 + (useconds_t)(random() % 400000));
		stop(h, SIGKILL);
		if (q(h, "PRAGMA integrity_check") != 1)
			ok = 0;
	}
	tap(h, ok, "%d SIGKILLs during the storm, integrity_check ok after"
	    " each", i);
	n = storm_end(sp, fd, SIGTERM);
	tap(h, start(h), "collectord starts after the last kill");
	tap(h, drained(h), "the ring is drained and committed");
	i = stop(h, SIGTERM);
	tap(h, i != -1 && WIFEXITED(i), "collectord stops cleanly");
	if (h->fail)
		show_log(h);
	dups = q(h, "SELECT count(*) FROM (SELECT 1 FROM events GROUP BY"
	    " type, exec_id, time_ns HAVING count(*) > 1)");
	tap(h, dups == 0, "no events row is duplicated (%lld keys twice)",
	    dups);
	rows = marker_rows(h, h->marker);
	bpfl_stats(h->b, st);
	printf("# storm: %ld execs, %lld stored, %llu records lost in the"
	    " kernel\n", n, rows, (unsigned long long)st[EV_STAT_DROPPED]);
	tap(h, n > 0 && rows <= n, "no exec stored twice (%lld of %ld)", rows,
	    n);
	tap(h, n > 0 && rows + (long long)st[EV_STAT_DROPPED] >= n,
	    "every exec stored or counted lost (%lld + %llu of %ld)", rows,
	    (unsigned long long)st[EV_STAT_DROPPED], n);
}

static void
busy(struct host *h)
{
	sqlite3		*db = NULL;
	char		 marker2[4200];
	int		 fd[2], i, got = 0;
	long		 n;

	snprintf(marker2, sizeof(marker2), "%s-busy", h->marker);
	tap(h, start(h), "collectord ready");
	if (pipe(fd) != 0 || sqlite3_open(h->db, &db) != SQLITE_OK)
		exit(99);
	sqlite3_busy_timeout(db, 5000);
	tap(h, sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) ==
	    SQLITE_OK, "another connection holds the write lock");
	n = storm_end(storm(marker2, fd[1], 300), fd, 0);
	/* the loop still runs: its 1 s stats keep coming while locked */
	for (i = 0; i < 3; i++)
		got += wait_msg(h, IPC_COLLECT_STATS, 20000);
	tap(h, got == 3, "the collector's loop serves its channel while the"
	    " store is locked (%d of 3 stats)", got);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	tap(h, drained(h), "the ring is drained once the lock goes");
	i = stop(h, SIGTERM);
	tap(h, i != -1 && WIFEXITED(i), "collectord stops cleanly");
	tap(h, marker_rows(h, marker2) == n, "all %ld execs made while"
	    " locked are stored (%lld)", n, marker_rows(h, marker2));
	if (h->fail)
		show_log(h);
}

static int
log_has(struct host *h, const char *what)
{
	char	 buf[65536];
	ssize_t	 len;
	int	 fd;

	if ((fd = open(h->log, O_RDONLY)) == -1)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	return strstr(buf, what) != NULL;
}

static void
refuse(struct host *h)
{
	struct passwd	*pw = getpwnam(h->user);
	char		 want[128];
	int		 fd, status;

	if (pw == NULL)
		exit(99);
	/* a file the collector's user wrote garbage into */
	if ((fd = open(h->db, O_WRONLY | O_CREAT | O_TRUNC, 0640)) == -1 ||
	    write(fd, "SQLite format 3\0garbage garbage garbage", 40) != 40 ||
	    fchown(fd, pw->pw_uid, pw->pw_gid) != 0)
		exit(99);
	close(fd);
	tap(h, !start(h), "a corrupted events.db: no READY");
	status = stop(h, SIGKILL);
	tap(h, WIFEXITED(status) && WEXITSTATUS(status) != 0,
	    "collectord exits with an error status (0x%x)", status);
	snprintf(want, sizeof(want), "as uid %lu:",
	    (unsigned long)pw->pw_uid);
	tap(h, log_has(h, want), "the error names the file and the"
	    " collector's uid (%s)", want);
	/* a file of another user */
	if (chown(h->db, 65534, 65534) != 0 || truncate(h->db, 0) != 0)
		exit(99);
	tap(h, !start(h), "events.db owned by another user: no READY");
	stop(h, SIGKILL);
	tap(h, log_has(h, "neither root nor the collector"),
	    "refused for its owner");
	if (h->fail)
		show_log(h);
}

int
main(int argc, char *argv[])
{
	struct host	 h;
	char		 err[512];

	if (argc != 6) {
		fprintf(stderr, "usage: crashhost collectord statedir user"
		    " marker crash|busy|refuse\n");
		return 99;
	}
	memset(&h, 0, sizeof(h));
	h.bin = argv[1];
	h.dir = argv[2];
	h.user = argv[3];
	h.marker = argv[4];
	h.sock = -1;
	snprintf(h.db, sizeof(h.db), "%s/events.db", h.dir);
	snprintf(h.log, sizeof(h.log), "%s/../collectord.log", h.dir);
	signal(SIGPIPE, SIG_IGN);
	if (bpfl_open(&h.b, RING_SIZE, err, sizeof(err)) != 0) {
		printf("Bail out! loading the BPF programs: %s\n", err);
		return 99;
	}
	if (strcmp(argv[5], "crash") == 0)
		crash(&h);
	else if (strcmp(argv[5], "busy") == 0)
		busy(&h);
	else
		refuse(&h);
	bpfl_free(h.b);
	return h.fail ? 1 : 0;
}
