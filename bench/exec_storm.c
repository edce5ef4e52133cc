/*
 * bench/exec_storm.c -- start /bin/true as fast as one process can.
 *
 *   exec_storm [-q] [-b binary] [-c cpu] [-m fork|vfork|spawn] [-M marker]
 *       [-n count | -t seconds]
 *
 * One process creates one child at a time (fork+exec, vfork+exec or
 * posix_spawn) and waits for it, so the storm runs at the rate one core
 * can create, exec and reap processes (with -c the storm and its children
 * are pinned to that CPU).  Every child is exec'd with argv
 * { binary, marker } when -M is given, so its process_exec and
 * process_exit events can be found again in events.db.
 *
 * The result goes to stdout as one machine-readable line of key=value
 * pairs (the line starts with "exec_storm "); a human summary goes to
 * stderr unless -q.  Exit status 0 only if every child exited 0.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

extern char **environ;

enum storm_method {
	STORM_FORK = 0,
	STORM_VFORK,
	STORM_SPAWN
};

static const char *storm_method_names[] = { "fork", "vfork", "spawn" };

struct storm {
	enum storm_method	 method;
	const char		*binary;
	char			*argv[3];
	int			 cpu;		/* -1: not pinned */
	unsigned long		 count;		/* 0: bounded by time only */
	double			 seconds;	/* 0: bounded by count only */
	unsigned long		 done;		/* children reaped */
	unsigned long		 failed;	/* exit status != 0 or spawn error */
};

static volatile sig_atomic_t storm_stop;

static void
storm_usage(void)
{
	fprintf(stderr, "usage: exec_storm [-q] [-b binary] [-c cpu] "
	    "[-m fork|vfork|spawn] [-M marker]\n"
	    "                  [-n count | -t seconds]\n");
	exit(2);
}

static void
storm_onsig(int sig)
{
	(void)sig;
	storm_stop = 1;
}

static uint64_t
storm_now_ns(clockid_t clk)
{
	struct timespec	ts;

	if (clock_gettime(clk, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
storm_pin(int cpu)
{
	cpu_set_t	set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		fatal("sched_setaffinity cpu %d", cpu);
}

/* Start one child; returns its pid, or -1 (errno set) if none started. */
static pid_t
storm_start(struct storm *s)
{
	pid_t	pid;
	int	r;

	switch (s->method) {
	case STORM_FORK:
		pid = fork();
		if (pid == 0) {
			execve(s->binary, s->argv, environ);
			_exit(127);
		}
		return pid;
	case STORM_VFORK:
		pid = vfork();
		if (pid == 0) {
			execve(s->binary, s->argv, environ);
			_exit(127);
		}
		return pid;
	case STORM_SPAWN:
		r = posix_spawn(&pid, s->binary, NULL, NULL, s->argv, environ);
		if (r != 0) {
			errno = r;
			return -1;
		}
		return pid;
	}
	errno = EINVAL;
	return -1;
}

static int
storm_reap(pid_t pid)
{
	int	status;

	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			fatal("waitpid %ld", (long)pid);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void
storm_run(struct storm *s)
{
	uint64_t	 start = storm_now_ns(CLOCK_MONOTONIC), deadline = 0;
	pid_t		 pid;

	if (s->seconds > 0)
		deadline = start + (uint64_t)(s->seconds * 1e9);
	while (!storm_stop) {
		if (s->count != 0 && s->done >= s->count)
			break;
		if (deadline != 0 && storm_now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		if ((pid = storm_start(s)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fatal("%s %s", storm_method_names[s->method],
			    s->binary);
		}
		if (storm_reap(pid) != 0)
			s->failed++;
		s->done++;
		/* a binary that never starts would make the figures garbage */
		if (s->done == 100 && s->failed == s->done)
			fatalx("%s: every child failed", s->binary);
	}
}

int
main(int argc, char **argv)
{
	struct storm	 s;
	struct sigaction sa;
	const char	*marker = NULL;
	uint64_t	 t0_mono, t1_mono, t0_boot, t1_boot, t0_real, t1_real;
	double		 elapsed, rate;
	char		*end;
	long		 l;
	int		 ch, quiet = 0;

	log_init(1, 0);
	log_procinit("exec_storm");
	memset(&s, 0, sizeof(s));
	s.method = STORM_FORK;
	s.binary = "/bin/true";
	s.cpu = -1;
	while ((ch = getopt(argc, argv, "b:c:hm:M:n:qt:")) != -1) {
		switch (ch) {
		case 'b':
			s.binary = optarg;
			break;
		case 'c':
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    l < 0 || l >= CPU_SETSIZE)
				fatalx("-c %s: bad cpu number", optarg);
			s.cpu = (int)l;
			break;
		case 'm':
			if (strcmp(optarg, "fork") == 0)
				s.method = STORM_FORK;
			else if (strcmp(optarg, "vfork") == 0)
				s.method = STORM_VFORK;
			else if (strcmp(optarg, "spawn") == 0)
				s.method = STORM_SPAWN;
			else
				fatalx("-m %s: want fork, vfork or spawn",
				    optarg);
			break;
		case 'M':
			marker = optarg;
			break;
		case 'n':
			errno = 0;
			s.count = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    optarg[0] == '-' || s.count == 0)
				fatalx("-n %s: bad count", optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			errno = 0;
			s.seconds = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    !(s.seconds > 0 && s.seconds < 1e6))
				fatalx("-t %s: bad duration", optarg);
			break;
		default:
			storm_usage();
		}
	}
	if (optind != argc)
		storm_usage();
	if (s.count == 0 && s.seconds == 0)
		s.count = 10000;
	if (access(s.binary, X_OK) == -1)
		fatal("%s", s.binary);
	s.argv[0] = (char *)s.binary;
	s.argv[1] = (char *)marker;
	s.argv[2] = NULL;
	if (s.cpu >= 0)
		storm_pin(s.cpu);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = storm_onsig;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		fatal("sigaction");

	t0_real = storm_now_ns(CLOCK_REALTIME);
	t0_boot = storm_now_ns(CLOCK_BOOTTIME);
	t0_mono = storm_now_ns(CLOCK_MONOTONIC);
	storm_run(&s);
	t1_mono = storm_now_ns(CLOCK_MONOTONIC);
	t1_boot = storm_now_ns(CLOCK_BOOTTIME);
	t1_real = storm_now_ns(CLOCK_REALTIME);

	elapsed = (double)(t1_mono - t0_mono) / 1e9;
	rate = elapsed > 0 ? (double)s.done / elapsed : 0;
	printf("exec_storm method=%s binary=%s cpu=%d execs=%lu failed=%lu "
	    "elapsed_s=%.6f execs_per_s=%.1f start_boot_ns=%llu "
	    "end_boot_ns=%llu start_unix_ns=%llu end_unix_ns=%llu "
	    "interrupted=%d\n", storm_method_names[s.method], s.binary,
	    s.cpu, s.done, s.failed, elapsed, rate,
	    (unsigned long long)t0_boot, (unsigned long long)t1_boot,
	    (unsigned long long)t0_real, (unsigned long long)t1_real,
	    storm_stop ? 1 : 0);
	if (fflush(stdout) == EOF)
		fatal("stdout");
	if (!quiet)
		fprintf(stderr, "%lu execs of %s (%s) in %.3f s: %.0f execs/s"
		    "%s\n", s.done, s.binary, storm_method_names[s.method],
		    elapsed, rate, s.failed ? ", SOME FAILED" : "");
	return s.failed == 0 ? 0 : 1;
}
