/*
 * bench/store_retention.c -- what retention costs the store's ingestion:
 * CPU per stored events row with retention off and on, the same rows,
 * batches and steps as collectord, rounds interleaved.
 *
 *	bench/store_retention [-r rounds] [-n rows] [-m max_size] DIR
 *
 * Each round inserts n openat-like policy rows (one process, as in the
 * openat storm) into DIR/off.db (no retention) and DIR/on.db
 * (retention.max_size = m, default 16 MiB; n is several times what fits),
 * in batches of 10 000 rows, with a retention step after every batch as
 * collectord takes it (twice the rows the batch added, at least 4096).
 * Both databases persist across rounds, so "on" stays at its bound.  One
 * line per round and a summary:
 *
 *	round=1 off_us_per_row=... on_us_per_row=... ratio=...
 *	median ratio=... off_us_per_row=... on_us_per_row=... on_db_bytes=...
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collectord/store.h"

#define BATCH		10000
#define STEP_MIN	4096

static uint64_t
cpu_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t
unix_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* n rows, a flush and a retention step per batch: CPU ns spent */
static uint64_t
ingest(struct store *st, uint64_t *seq, size_t n, int ret)
{
	static const char	 eid[] = "YmVuY2g6MTIzNDU2Nzg5MDEyMzQ1Njc4OjQy";
	char			 args[160];
	struct store_event	 e;
	uint64_t		 t0 = cpu_ns();
	size_t			 i;

	memset(&e, 0, sizeof(e));
	e.type = "process_kprobe";
	e.exec_id = eid;
	e.parent_exec_id = "YmVuY2g6MTIzNDU2Nzg5MDEyMzQ1Njc4OjE=";
	e.policy_name = "bench-openat";
	e.function_name = "__x64_sys_openat";
	e.action = "KPROBE_ACTION_POST";
	e.args = args;
	for (i = 0; i < n; i++) {
		snprintf(args, sizeof(args), "[{\"int_arg\":-100},{\"string_arg"
		    "\":\"/tmp/tripline-bench/f%llu\"},{\"int_arg\":0}]",
		    (unsigned long long)(*seq % 1000));
		e.time_ns = 1000000000ULL + (*seq)++ * 1000;
		if (store_event(st, &e) != 0) {
			fprintf(stderr, "store_event failed\n");
			exit(1);
		}
		if ((i + 1) % BATCH != 0 && i + 1 != n)
			continue;
		if (store_flush(st) != 0) {
			fprintf(stderr, "store_flush failed\n");
			exit(1);
		}
		if (ret && store_retention_step(st, unix_ns(), 2 * BATCH >
		    STEP_MIN ? 2 * BATCH : STEP_MIN) < 0) {
			fprintf(stderr, "retention step failed\n");
			exit(1);
		}
	}
	return cpu_ns() - t0;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct store *
open_db(const char *dir, const char *name, uint64_t max_size)
{
	struct store	*st;
	char		 path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_open(&st, path, "bench", 0, BATCH * 2) != 0 ||
	    store_retention_set(st, 0, max_size) != 0) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	return st;
}

int
main(int argc, char **argv)
{
	struct store		*off, *on;
	struct store_usage	 u;
	uint64_t		 max = 16ULL << 20, so = 0, sn = 0, a, b;
	double			 r[64], ta = 0, tb = 0;
	size_t			 n = 300000;
	int			 c, rounds = 5, i;

	while ((c = getopt(argc, argv, "r:n:m:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'n')
			n = (size_t)strtoull(optarg, NULL, 10);
		else if (c == 'm')
			max = strtoull(optarg, NULL, 10);
		else
			goto usage;
	}
	if (optind + 1 != argc || rounds < 1 || rounds > 64 || n == 0)
		goto usage;
	off = open_db(argv[optind], "off.db", 0);
	on = open_db(argv[optind], "on.db", max);
	/* the "on" database starts at its bound */
	ingest(on, &sn, (size_t)(max / 100), 1);
	for (i = 0; i < rounds; i++) {
		a = i % 2 ? ingest(on, &sn, n, 1) : ingest(off, &so, n, 0);
		b = i % 2 ? ingest(off, &so, n, 0) : ingest(on, &sn, n, 1);
		if (i % 2) {
			uint64_t t = a;

			a = b;
			b = t;
		}
		r[i] = (double)b / (double)a;
		ta += (double)a;
		tb += (double)b;
		printf("round=%d off_us_per_row=%.2f on_us_per_row=%.2f"
		    " ratio=%.3f\n", i + 1, (double)a / 1e3 / (double)n,
		    (double)b / 1e3 / (double)n, r[i]);
	}
	qsort(r, (size_t)rounds, sizeof(r[0]), cmp);
	if (store_usage(on, &u) != 0)
		return 1;
	printf("median ratio=%.3f off_us_per_row=%.2f on_us_per_row=%.2f"
	    " on_db_bytes=%llu deleted=%llu\n", r[rounds / 2],
	    ta / 1e3 / (double)n / rounds, tb / 1e3 / (double)n / rounds,
	    (unsigned long long)u.used,
	    (unsigned long long)store_retention_stats(on)->events);
	store_close(off);
	store_close(on);
	return 0;
usage:
	fprintf(stderr, "usage: store_retention [-r rounds] [-n rows]"
	    " [-m max_size] DIR\n");
	return 2;
}
