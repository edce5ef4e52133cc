/*
 * bench/pcache_bound.c -- the process cache at its bound: memory per
 * entry, and the cost of an add once every add must evict.
 *
 *	bench/pcache_bound [-n adds] [-m max]
 *
 * Fills a cache (default bound PCACHE_MAX_DEFAULT) with exec records of
 * pids that cannot exist (above PID_MAX_LIMIT: kill(pid, 0) says ESRCH),
 * as when every exit record is lost, then keeps adding.  One line:
 *
 *	pcache_bound max=262144 entries=262144 heap_bytes=... bytes_per_entry=...
 *	    adds=1000000 evicted=... probes=... ns_per_add_fill=... ns_per_add_bound=...
 *	    heap_after=... counted_bytes=...
 */
#include "build.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf/events.h"
#include "collectord/decode.h"
#include "collectord/pcache.h"

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* a typical exec: /usr/bin/python3 -m pip install ... in a home dir */
static void
add(struct pcache *pc, uint64_t i)
{
	static const char	 args[] = "python3\0-m\0pip\0install\0--user\0"
	    "requests==2.31.0";
	struct dec_event	 e;
	struct pcache_res	 r;

	memset(&e, 0, sizeof(e));
	e.type = EV_EXEC;
	e.pid = e.tid = 0x40000000U + (uint32_t)(i % 0x3fffffff);
	e.ktime = e.time_ns = 1000 + i;
	e.filename = "/usr/bin/python3";
	e.filename_len = strlen(e.filename);
	e.args = args;
	e.args_len = sizeof(args);
	e.cwd = "/home/user/project";
	e.cwd_len = strlen(e.cwd);
	pcache_exec(pc, &e, &r);
	pcache_gc(pc);
}

int
main(int argc, char *argv[])
{
	struct pcache	*pc;
	size_t		 max = PCACHE_MAX_DEFAULT, heap0, heap;
	uint64_t	 n = 1000000, i, t0, t1, t2;
	int		 ch;

	while ((ch = getopt(argc, argv, "m:n:")) != -1) {
		switch (ch) {
		case 'm':
			max = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: pcache_bound [-m max] "
			    "[-n adds]\n");
			return 1;
		}
	}
	heap0 = mallinfo2().uordblks;
	pc = pcache_new("bench");
	pcache_set_max(pc, max);
	t0 = now_ns();
	for (i = 0; i < max; i++)
		add(pc, i);
	t1 = now_ns();
	heap = mallinfo2().uordblks - heap0;
	for (; i < max + n; i++)
		add(pc, i);
	t2 = now_ns();
	printf("pcache_bound max=%zu entries=%zu heap_bytes=%zu "
	    "bytes_per_entry=%zu adds=%llu evicted=%llu probes=%llu "
	    "ns_per_add_fill=%.0f ns_per_add_bound=%.0f heap_after=%zu "
	    "counted_bytes=%zu\n",
	    pcache_max(pc), pcache_count(pc), heap, heap / max,
	    (unsigned long long)n,
	    (unsigned long long)pcache_stats(pc)->evicted,
	    (unsigned long long)pcache_stats(pc)->probes,
	    (double)(t1 - t0) / (double)max, (double)(t2 - t1) / (double)n,
	    mallinfo2().uordblks - heap0, pcache_bytes(pc));
	pcache_free(pc);
	return 0;
}
