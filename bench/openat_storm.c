/*
 * bench/openat_storm.c -- openat+close of one path as fast as one process
 * can.
 *
 *   openat_storm [-q] [-c cpu] [-f flags] [-p path] [-w warmup]
 *       [-n count | -t seconds]
 *
 * One process opens `path` (default /etc/hostname) with openat(AT_FDCWD,
 * path, flags) and closes it again, `count` times (default 300 000) or for
 * `seconds`: the rate one core can make the pair of system calls, and so
 * the cost of anything hooked on them.  -c pins the process to that CPU.
 * -f gives openat's flags (a number, default O_RDONLY|O_CLOEXEC); -w makes
 * that many uncounted calls first (default 1000: page cache, dentry cache,
 * CPU frequency).
 *
 * The result goes to stdout as one machine-readable line of key=value
 * pairs (the line starts with "openat_storm "); a human summary goes to
 * stderr unless -q.  Exit status 1 if any openat failed.
 */
#include "build.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct ostorm {
	const char	*path;
	int		 flags;
	int		 cpu;		/* -1: not pinned */
	unsigned long	 count;		/* 0: bounded by time only */
	unsigned long	 warmup;
	double		 seconds;	/* 0: bounded by count only */
	unsigned long	 done;		/* openat calls made */
	unsigned long	 failed;	/* openat returned -1 */
};

static volatile sig_atomic_t ostorm_stop;

static void
ostorm_usage(void)
{
	fprintf(stderr, "usage: openat_storm [-q] [-c cpu] [-f flags] "
	    "[-p path] [-w warmup]\n"
	    "                    [-n count | -t seconds]\n");
	exit(2);
}

static void
ostorm_onsig(int sig)
{
	(void)sig;
	ostorm_stop = 1;
}

static uint64_t
ostorm_now_ns(clockid_t clk)
{
	struct timespec	ts;

	if (clock_gettime(clk, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
ostorm_pin(int cpu)
{
	cpu_set_t	set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		fatal("sched_setaffinity cpu %d", cpu);
}

static unsigned long
ostorm_number(const char *s, const char *what, unsigned long max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *s == '\0' || *end != '\0' || v > max)
		fatalx("bad %s: %s", what, s);
	return v;
}

/* One openat+close; 0, or -1 if openat failed. */
static int
ostorm_one(const struct ostorm *o)
{
	int	fd;

	fd = openat(AT_FDCWD, o->path, o->flags);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

/* Batches of 256 between clock reads when bounded by time. */
static void
ostorm_run(struct ostorm *o)
{
	uint64_t	deadline = 0;

	if (o->seconds > 0)
		deadline = ostorm_now_ns(CLOCK_MONOTONIC) +
		    (uint64_t)(o->seconds * 1e9);
	while (!ostorm_stop) {
		if (o->count > 0 && o->done >= o->count)
			break;
		if (deadline != 0 && (o->done & 255) == 0 &&
		    ostorm_now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		if (ostorm_one(o) == -1)
			o->failed++;
		o->done++;
	}
}

int
main(int argc, char *argv[])
{
	struct ostorm	 o;
	struct sigaction sa;
	uint64_t	 m0, m1, b0, b1, u0, u1;
	unsigned long	 i;
	double		 el;
	int		 ch, quiet = 0;
	char		*end;

	log_init(1, 0);
	log_procinit("openat_storm");
	memset(&o, 0, sizeof(o));
	o.path = "/etc/hostname";
	o.flags = O_RDONLY | O_CLOEXEC;
	o.cpu = -1;
	o.count = 300000;
	o.warmup = 1000;
	while ((ch = getopt(argc, argv, "c:f:hn:p:qt:w:")) != -1) {
		switch (ch) {
		case 'c':
			o.cpu = ostorm_number(optarg, "cpu", CPU_SETSIZE - 1);
			break;
		case 'f':
			o.flags = ostorm_number(optarg, "flags", INT_MAX);
			break;
		case 'n':
			o.count = ostorm_number(optarg, "count", ULONG_MAX);
			o.seconds = 0;
			break;
		case 'p':
			o.path = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			errno = 0;
			o.seconds = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(o.seconds > 0))
				fatalx("bad seconds: %s", optarg);
			o.count = 0;
			break;
		case 'w':
			o.warmup = ostorm_number(optarg, "warmup", ULONG_MAX);
			break;
		default:
			ostorm_usage();
		}
	}
	if (optind != argc)
		ostorm_usage();
	if (o.count == 0 && o.seconds == 0)
		fatalx("-n 0 needs -t");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ostorm_onsig;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		fatal("sigaction");
	if (o.cpu >= 0)
		ostorm_pin(o.cpu);
	if (ostorm_one(&o) == -1)
		fatal("openat %s", o.path);
	for (i = 0; i < o.warmup && !ostorm_stop; i++)
		(void)ostorm_one(&o);

	b0 = ostorm_now_ns(CLOCK_BOOTTIME);
	u0 = ostorm_now_ns(CLOCK_REALTIME);
	m0 = ostorm_now_ns(CLOCK_MONOTONIC);
	ostorm_run(&o);
	m1 = ostorm_now_ns(CLOCK_MONOTONIC);
	b1 = ostorm_now_ns(CLOCK_BOOTTIME);
	u1 = ostorm_now_ns(CLOCK_REALTIME);

	el = (double)(m1 - m0) / 1e9;
	printf("openat_storm path=%s flags=%#x cpu=%d calls=%lu failed=%lu "
	    "elapsed_s=%.6f ops_per_s=%.1f ns_per_op=%.1f "
	    "start_boot_ns=%llu end_boot_ns=%llu start_unix_ns=%llu "
	    "end_unix_ns=%llu interrupted=%d\n", o.path, o.flags, o.cpu,
	    o.done, o.failed, el, el > 0 ? (double)o.done / el : 0.0,
	    o.done > 0 ? (double)(m1 - m0) / (double)o.done : 0.0,
	    (unsigned long long)b0, (unsigned long long)b1,
	    (unsigned long long)u0, (unsigned long long)u1,
	    ostorm_stop ? 1 : 0);
	if (fflush(stdout) == EOF)
		fatal("stdout");
	if (!quiet)
		fprintf(stderr, "openat_storm: %lu openat+close of %s in %.3f s: "
		    "%.0f ops/s, %.1f ns each, %lu failed\n", o.done, o.path,
		    el, el > 0 ? (double)o.done / el : 0.0,
		    o.done > 0 ? (double)(m1 - m0) / (double)o.done : 0.0,
		    o.failed);
	return o.failed > 0 ? 1 : 0;
}
