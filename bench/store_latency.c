/*
 * bench/store_latency.c -- time from a system call to its row being
 * visible in events.db, at a given call rate.
 *
 *	store_latency -d events.db -p dir -P policy -r calls_per_s
 *	    [-t seconds] [-c cpu]
 *
 * One thread makes openat+close calls on files under dir (which a policy
 * named policy posts) at the given rate, paced per millisecond; another
 * reads the database read-only every 2 ms and, for each new row of that
 * policy, takes now (CLOCK_REALTIME) minus the row's time_ns: the time
 * from the call to the moment a reader could see the row, give or take
 * the 2 ms of the poll.  Rows that were not seen (lost in the ring, or
 * still pending at the end) are reported, not guessed.
 *
 * Output: one line "store_latency rate=... calls=... seen=... p50_ms=...
 * p90_ms=... p99_ms=... max_ms=...".
 */
#include "build.h"

#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define POLL_NS		2000000ULL
#define DRAIN_S		10		/* rows may arrive this long after */

struct lat {
	const char	*db, *dir, *policy;
	uint64_t	 rate, seconds;
	int		 cpu;
	volatile int	 done;		/* the generator finished */
	volatile uint64_t calls;
	uint64_t	*ms;		/* latency of each row seen, in us */
	size_t		 nms, capms;
};

/* (common/err.h shadows <err.h> here) */
static void __attribute__((__noreturn__, __format__(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("store_latency: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t
clk(clockid_t c)
{
	struct timespec	 ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
pin(int cpu)
{
	cpu_set_t	 set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		die("sched_setaffinity: %s", strerror(errno));
}

/* rate calls per second for seconds, a tick's share per millisecond */
static void *
generate(void *arg)
{
	struct lat	*l = arg;
	struct timespec	 ts;
	char		 path[4096];
	uint64_t	 t, tick, due = 0, end;
	int		 fd;

	pin(l->cpu);
	t = clk(CLOCK_MONOTONIC);
	end = t + l->seconds * 1000000000ULL;
	for (tick = t; tick < end; tick += 1000000ULL) {
		due = (tick - t + 1000000ULL) * l->rate / 1000000000ULL;
		while (l->calls < due) {
			snprintf(path, sizeof(path), "%s/f%llu", l->dir,
			    (unsigned long long)(l->calls % 100));
			if ((fd = openat(AT_FDCWD, path, O_RDONLY |
			    O_CLOEXEC)) != -1)
				close(fd);
			l->calls++;
		}
		ts.tv_sec = (time_t)((tick + 1000000ULL) / 1000000000ULL);
		ts.tv_nsec = (long)((tick + 1000000ULL) % 1000000000ULL);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	l->done = 1;
	return NULL;
}

static void
record(struct lat *l, uint64_t us)
{
	if (l->nms == l->capms) {
		l->capms = l->capms ? 2 * l->capms : 65536;
		if ((l->ms = realloc(l->ms, l->capms * sizeof(*l->ms))) ==
		    NULL)
			die("out of memory");
	}
	l->ms[l->nms++] = us;
}

/* the new rows of the policy since *last: their latency */
static int
poll_rows(struct lat *l, sqlite3_stmt *st, int64_t *last)
{
	uint64_t	 now;
	int64_t		 t;
	int		 rc, n = 0;

	sqlite3_bind_int64(st, 1, *last);
	sqlite3_bind_text(st, 2, l->policy, -1, SQLITE_STATIC);
	now = clk(CLOCK_REALTIME);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*last = sqlite3_column_int64(st, 0);
		t = sqlite3_column_int64(st, 1);
		record(l, now > (uint64_t)t ? (now - (uint64_t)t) / 1000 : 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_BUSY)
		die("poll: %s", sqlite3_errstr(rc));
	return n;
}

static void
watch(struct lat *l)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct timespec	 ts = { 0, (long)POLL_NS };
	int64_t		 last = 0;
	uint64_t	 quiet_until = 0;

	if (sqlite3_open_v2(l->db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die("%s: %s", l->db, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 100);
	if (sqlite3_prepare_v2(db, "SELECT IFNULL((SELECT id FROM events"
	    " ORDER BY id DESC LIMIT 1), 0)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		die("%s: %s", l->db, sqlite3_errmsg(db));
	last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT id, time_ns FROM events WHERE"
	    " id > ?1 AND policy_name = ?2 ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		die("%s: %s", l->db, sqlite3_errmsg(db));
	for (;;) {
		poll_rows(l, st, &last);
		if (l->done && quiet_until == 0)
			quiet_until = clk(CLOCK_MONOTONIC) + DRAIN_S *
			    1000000000ULL;
		if (l->done && (l->nms >= l->calls ||
		    clk(CLOCK_MONOTONIC) > quiet_until))
			break;
		nanosleep(&ts, NULL);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int
cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const struct lat *l, double p)
{
	size_t	 i;

	if (l->nms == 0)
		return -1;
	i = (size_t)(p * (double)(l->nms - 1) + 0.5);
	return (double)l->ms[i] / 1000.0;
}

int
main(int argc, char **argv)
{
	struct lat	 l;
	pthread_t	 th;
	int		 ch;

	memset(&l, 0, sizeof(l));
	l.seconds = 10;
	l.cpu = -1;
	while ((ch = getopt(argc, argv, "c:d:p:P:r:t:")) != -1) {
		switch (ch) {
		case 'c': l.cpu = atoi(optarg); break;
		case 'd': l.db = optarg; break;
		case 'p': l.dir = optarg; break;
		case 'P': l.policy = optarg; break;
		case 'r': l.rate = strtoull(optarg, NULL, 10); break;
		case 't': l.seconds = strtoull(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (l.db == NULL || l.dir == NULL || l.policy == NULL || l.rate == 0 ||
	    l.seconds == 0)
		goto usage;
	if (pthread_create(&th, NULL, generate, &l) != 0)
		die("pthread_create");
	watch(&l);
	pthread_join(th, NULL);
	qsort(l.ms, l.nms, sizeof(*l.ms), cmp);
	printf("store_latency rate=%llu calls=%llu seen=%zu p50_ms=%.1f"
	    " p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
	    (unsigned long long)l.rate, (unsigned long long)l.calls, l.nms,
	    pct(&l, 0.5), pct(&l, 0.9), pct(&l, 0.99), pct(&l, 1.0));
	free(l.ms);
	return 0;
usage:
	fprintf(stderr, "usage: store_latency -d db -p dir -P policy"
	    " -r calls_per_s [-t seconds] [-c cpu]\n");
	return 2;
}
