/*
 * bench/pcache_bound.c -- the process cache at its bound: memory per
 * entry, and the cost of an add once every add must evict.
 *
 *	bench/pcache_bound [-j] [-n adds] [-m max]
 *
 * Fills a cache (default bound PCACHE_MAX_DEFAULT) with exec records of
 * pids that cannot exist (above PID_MAX_LIMIT: kill(pid, 0) says ESRCH),
 * as when every exit record is lost, then keeps adding.  Each exec is
 * /usr/bin/python3 -m pip install --user requests==2.31.0 in
 * /home/user/project, child of a process outside the cache (so it holds
 * a parent exec_id), on a node named "worker-17.example.net".  -j: the
 * JSON export renders each exec event twice, so the entry keeps its
 * rendered process object (pcache_json_offer), as for a process that
 * has more than one event.  One line:
 *
 *	pcache_bound max=262144 entries=262144 heap_bytes=... bytes_per_entry=...
 *	    adds=1000000 evicted=... probes=... ns_per_add_fill=... ns_per_add_bound=...
 *	    heap_after=... counted_bytes=... rss_kB_full=...
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
#include "collectord/export.h"
#include "collectord/pcache.h"
#include "str.h"

#define NODE	"worker-17.example.net"

static struct export	*ex;
static struct sbuf	 sb;

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* VmRSS of this process in kB, or -1 */
static long
rss_kb(void)
{
	FILE	*f;
	char	 line[256];
	long	 kb = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return kb;
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
	e.ktime = e.time_ns = 1000000000000ULL + i * 1000;
	e.ppid = e.ppid_key = 2000;
	e.pktime = 500000000;
	e.uid = e.euid = e.gid = e.egid = e.auid = 1000;
	e.filename = "/usr/bin/python3";
	e.filename_len = strlen(e.filename);
	e.args = args;
	e.args_len = sizeof(args);
	e.cwd = "/home/user/project";
	e.cwd_len = strlen(e.cwd);
	pcache_exec(pc, &e, &r);
	if (ex != NULL) {
		sbuf_reset(&sb);
		export_fmt_exec(ex, &sb, r.proc, r.parent);
		sbuf_reset(&sb);
		export_fmt_exec(ex, &sb, r.proc, r.parent);
	}
	pcache_gc(pc);
}

int
main(int argc, char *argv[])
{
	struct pcache	*pc;
	size_t		 max = PCACHE_MAX_DEFAULT, heap0, heap;
	uint64_t	 n = 1000000, i, t0, t1, t2;
	long		 rss;
	int		 ch, json = 0;

	while ((ch = getopt(argc, argv, "jm:n:")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'm':
			max = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: pcache_bound [-j] [-m max] "
			    "[-n adds]\n");
			return 1;
		}
	}
	sbuf_init(&sb);
	if (json)
		ex = export_new(-1, -1, NODE, 0);
	heap0 = mallinfo2().uordblks;
	pc = pcache_new(NODE);
	pcache_set_max(pc, max);
	if (ex != NULL)
		export_set_pcache(ex, pc);
	t0 = now_ns();
	for (i = 0; i < max; i++)
		add(pc, i);
	t1 = now_ns();
	heap = mallinfo2().uordblks - heap0;
	rss = rss_kb();
	for (; i < max + n; i++)
		add(pc, i);
	t2 = now_ns();
	printf("pcache_bound max=%zu entries=%zu heap_bytes=%zu "
	    "bytes_per_entry=%zu adds=%llu evicted=%llu probes=%llu "
	    "ns_per_add_fill=%.0f ns_per_add_bound=%.0f heap_after=%zu "
	    "counted_bytes=%zu rss_kB_full=%ld\n",
	    pcache_max(pc), pcache_count(pc), heap, heap / max,
	    (unsigned long long)n,
	    (unsigned long long)pcache_stats(pc)->evicted,
	    (unsigned long long)pcache_stats(pc)->probes,
	    (double)(t1 - t0) / (double)max, (double)(t2 - t1) / (double)n,
	    mallinfo2().uordblks - heap0, pcache_bytes(pc), rss);
	export_free(ex);
	pcache_free(pc);
	sbuf_clear(&sb);
	return 0;
}
