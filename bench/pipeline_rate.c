/*
 * bench/pipeline_rate.c -- the collector's own CPU per stored policy
 * event, without the kernel, the ring buffer or a storm on the other CPU:
 * the records of the openat storm (run_openat_bench.sh `c`) fed to
 * pipeline_record() as collectord does, with its batch transactions and
 * export flushes, then the same rows as plain SQLite inserts
 * (store_ceiling's schema and statement) in the same process.
 *
 *	bench/pipeline_rate [-Cjx] [-n rows] [-b batch] [-r rounds] DIR
 *
 * A shell execs, its child /usr/bin/openat_storm (in /tmp) too, then
 * the child makes n
 * (default 300 000) sys_openat records (int dfd, string filename of ~40
 * bytes, int flags; the policy "openat-bench-c" posts every call).  The
 * rows are stored into DIR/pipeline.db (created), in transactions of
 * batch rows (default 10 000, store.batch_rows), the JSON lines appended
 * to DIR/events.jsonl with -j (the export on, as in `c`; off, as `cj`).
 * Each round runs the pipeline, then the plain inserts into
 * DIR/ceiling-N.db (bench/store_ceiling's rows and statement); the ratio of their rates is the share of the insert
 * ceiling the collector's code would reach alone on a CPU (cpu_share:
 * the ratio of their CPU per row, steadier on a busy machine).  -C: no
 * ceiling rounds (to profile the pipeline alone).  -x: the exec storm of
 * run_exec_bench.sh instead (no ceiling): n processes forked by the shell,
 * each exec'ing /usr/bin/true and exiting (fork, exec, exit records: an
 * exec and an exit row each); the CPU per row is over 2n rows.  One line
 * per round:
 *
 *	pipeline_rate round=1 rows=... pipeline_rows_per_s=...
 *	    pipeline_cpu_us_per_row=... (sys ...) ceiling_rows_per_s=...
 *	    ceiling_cpu_us_per_row=... (sys ...) share=... cpu_share=...
 */
#include "build.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bpf/events.h"
#include "collectord/collectord.h"
#include "collectord/export.h"
#include "collectord/hooks.h"
#include "collectord/pcache.h"
#include "collectord/store.h"
#include "ipc_msg.h"
#include "policy.h"
#include "xmalloc.h"
#include "tests/unit/genrec.h"

#include "ceiling.h"

#define NODE	"worker-17.example.net"
#define PID	4242
#define KTIME	1000000000ULL

static void
die(const char *what)
{
	fprintf(stderr, "pipeline_rate: %s\n", what);
	exit(1);
}

/* the exec of the storm's process (parent: its shell) or of its shell
 * (parent: 1) */
static size_t
rec_exec(uint8_t *buf, int storm)
{
	if (storm)
		return genrec_exec(buf, PID, KTIME, 4000, 500000000ULL,
		    "/usr/bin/openat_storm", "openat_storm\0-n\0" "300000\0/tmp/w",
		    30, "/tmp");
	return genrec_exec(buf, 4000, 500000000ULL, 1, 1, "/bin/sh",
	    "sh\0bench/run_openat_bench.sh\0-v\0c", 34, "/root/tripline");
}

/* An ev_generic record as generic.bpf.c writes it: dfd, filename,
 * flags. */
static size_t
rec_openat(struct genrec *r, uint32_t id, uint64_t t, const char *path)
{
	genrec_init(r, PID, KTIME, 4000, 500000000ULL, id, 1);
	genrec_hdr(r)->hdr.time_ns = t;
	genrec_hdr(r)->sel = 0;
	genrec_int(r, POL_ARG_INT, -100);
	genrec_str(r, POL_ARG_STRING, path);
	genrec_int(r, POL_ARG_INT, 0);
	return genrec_done(r);
}

static void
mkhook(struct ipc_hook *h)
{
	size_t	 i;

	memset(h, 0, sizeof(*h));
	h->id = 1;
	h->gen = 1;
	h->kind = POL_HOOK_KPROBE;
	h->policy = xstrdup("openat-bench-c");
	h->function = xstrdup("__x64_sys_openat");
	h->subsys = xstrdup("");
	h->event = xstrdup("");
	h->path = xstrdup("");
	h->message = xstrdup("");
	h->tags_json = xstrdup("");
	h->nargs = 3;
	h->arg_type[0] = POL_ARG_INT;
	h->arg_type[1] = POL_ARG_STRING;
	h->arg_type[2] = POL_ARG_INT;
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		h->arg_label[i] = xstrdup("");
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		h->sel_url[i] = xstrdup("");
		h->sel_fqdn[i] = xstrdup("");
	}
}

/* CPU seconds of this process; *sys: the kernel's part */
static double
cpu_s(double *sys)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	*sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    *sys;
}

/* The storm's paths: the bench's target directory and a file in it
 * (made once: the bench's own work stays out of the figures). */
static char	 paths[64][64];

static const char *
mkpath(uint64_t i)
{
	if (paths[0][0] == '\0') {
		for (size_t k = 0; k < 64; k++)
			snprintf(paths[k], sizeof(paths[k]),
			    "/tmp/tripline-bench.Xa81/target/f%zu", k);
	}
	return paths[i % 64];
}

/* one process of the exec storm: fork, exec of /usr/bin/true, exit */
static void
exec_one(struct collector_env *env, uint8_t *buf, uint64_t i)
{
	uint32_t	 pid = 100000 + (uint32_t)(i % 200000);
	uint64_t	 kt = KTIME + 1000 + i * 3000;
	size_t		 len;

	len = genrec_fork(buf, pid, kt, 4000, 500000000ULL);
	pipeline_record(env, buf, len);
	len = genrec_exec(buf, pid, kt + 1000, 4000, 500000000ULL,
	    "/usr/bin/true", "true\0", 5, "/tmp");
	pipeline_record(env, buf, len);
	len = genrec_exit(buf, pid, kt + 1000, 4000, kt + 2000, 0, 0);
	pipeline_record(env, buf, len);
}

static void
pipeline_round(const char *dir, int json, int execs, uint64_t n,
    size_t batch, double *rate, double *cpu, double *sys)
{
	struct collector_env	 env;
	struct ipc_hook		 h;
	static uint8_t		 buf[8192];
	static struct genrec	 gr;
	char			 db[4096], path[256];
	uint64_t		 i, t0, t1;
	size_t			 len;
	double			 c0, c1, s0, s1;
	int			 jfd = -1;

	memset(&env, 0, sizeof(env));
	snprintf(db, sizeof(db), "%s/pipeline.db", dir);
	unlink(db);
	if (store_open(&env.st, db, NODE, 0, batch) != 0)
		die("store_open");
	if (json) {
		snprintf(path, sizeof(path), "%s/events.jsonl", dir);
		jfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		    O_CLOEXEC, 0600);
		if (jfd < 0)
			die("events.jsonl");
		env.ex = export_new(jfd, -1, NODE, 0);
	}
	env.pc = pcache_new(NODE);
	if (env.ex != NULL)
		export_set_pcache(env.ex, env.pc);
	env.hooks = hooktab_new();
	mkhook(&h);
	if (hooktab_set(env.hooks, &h, 1) != 0)
		die("hooktab_set");
	/* the shell (the parent in every line) and the storm */
	len = rec_exec(buf, 0);
	pipeline_record(&env, buf, len);
	len = rec_exec(buf, 1);
	pipeline_record(&env, buf, len);
	if (store_flush(env.st) != 0)
		die("store_flush");
	t0 = bench_clk(CLOCK_MONOTONIC);
	c0 = cpu_s(&s0);
	for (i = 0; i < n; i++) {
		if (i % batch == 0 && store_write_begin(env.st) != 0)
			die("store_write_begin");
		store_hold(env.st, 1);
		if (execs)
			exec_one(&env, buf, i);
		else {
			len = rec_openat(&gr, 1, KTIME + 1000 + i * 1000,
			    mkpath(i));
			pipeline_record(&env, gr.buf, len);
		}
		store_hold(env.st, 0);
		if ((i + 1) % batch == 0 || i + 1 == n) {
			if (store_flush(env.st) != 0)
				die("store_flush");
			if (env.ex != NULL)
				export_flush(env.ex);
		}
	}
	c1 = cpu_s(&s1);
	t1 = bench_clk(CLOCK_MONOTONIC);
	if (execs ? env.records != 2 + 3 * n || env.malformed != 0 ||
	    env.db_errors != 0 || env.dups != 0 : env.generic != n)
		die("not every record was stored");
	if (execs)
		n *= 2;		/* rows: an exec and an exit each */
	*rate = (double)n / ((double)(t1 - t0) / 1e9);
	*cpu = (c1 - c0) * 1e6 / (double)n;
	*sys = (s1 - s0) * 1e6 / (double)n;
	pipeline_clear(&env);
	export_free(env.ex);
	if (jfd >= 0)
		close(jfd);
	store_close(env.st);
	hooktab_free(env.hooks);
	pcache_free(env.pc);
}

/* bench/store_ceiling's row, with this node's exec ids */
static const struct ceiling_who who = {
	"d29ya2VyLTE3LmV4YW1wbGUubmV0OjEwMDAwMDAwMDA6NDI0Mg==",
	"d29ya2VyLTE3LmV4YW1wbGUubmV0OjUwMDAwMDAwMDo0MDAw",
	"openat-bench-c",
};

static void
ceiling_round(const char *dir, int round, uint64_t n, size_t batch,
    double *rate, double *cpu, double *sys)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 p[4096];
	uint64_t	 i, t0, t1;
	double		 c0, c1, s0, s1;

	snprintf(p, sizeof(p), "%s/ceiling-%d.db", dir, round);
	unlink(p);
	if (sqlite3_open(p, &db) != SQLITE_OK ||
	    sqlite3_exec(db, ceiling_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, ceiling_insert, -1, &st, NULL) !=
	    SQLITE_OK)
		die(sqlite3_errmsg(db));
	t0 = bench_clk(CLOCK_MONOTONIC);
	c0 = cpu_s(&s0);
	for (i = 0; i < n; i++) {
		if (i % batch == 0 && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL,
		    NULL, NULL) != SQLITE_OK)
			die(sqlite3_errmsg(db));
		ceiling_row(st, &who, i, mkpath(i));
		if (sqlite3_step(st) != SQLITE_DONE)
			die(sqlite3_errmsg(db));
		sqlite3_reset(st);
		if (((i + 1) % batch == 0 || i + 1 == n) &&
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die(sqlite3_errmsg(db));
	}
	c1 = cpu_s(&s1);
	t1 = bench_clk(CLOCK_MONOTONIC);
	sqlite3_finalize(st);
	sqlite3_close(db);
	*rate = (double)n / ((double)(t1 - t0) / 1e9);
	*cpu = (c1 - c0) * 1e6 / (double)n;
	*sys = (s1 - s0) * 1e6 / (double)n;
	unlink(p);
}

int
main(int argc, char *argv[])
{
	uint64_t	 n = 300000;
	size_t		 batch = 10000;
	double		 pr, pc, ps, cr, cc, cs;
	int		 ch, json = 0, rounds = 1, r, ceiling = 1, execs = 0;

	while ((ch = getopt(argc, argv, "b:Cjn:r:x")) != -1) {
		switch (ch) {
		case 'x':
			execs = 1;
			ceiling = 0;
			break;
		case 'C':
			ceiling = 0;
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || batch == 0 || n == 0 || rounds < 1)
		goto usage;
	store_lib_init();
	for (r = 1; r <= rounds; r++) {
		pipeline_round(argv[0], json, execs, n, batch, &pr, &pc, &ps);
		cr = cc = cs = 0;
		if (ceiling)
			ceiling_round(argv[0], r, n, batch, &cr, &cc, &cs);
		if (execs)
			printf("pipeline_rate round=%d execs=%llu rows=%llu "
			    "export=%s pipeline_rows_per_s=%.0f "
			    "pipeline_cpu_us_per_row=%.2f (sys %.2f)\n", r,
			    (unsigned long long)n, (unsigned long long)n * 2,
			    json ? "on" : "off", pr, pc, ps);
		else
			printf("pipeline_rate round=%d rows=%llu export=%s "
			    "pipeline_rows_per_s=%.0f "
			    "pipeline_cpu_us_per_row=%.2f (sys %.2f) "
			    "ceiling_rows_per_s=%.0f "
			    "ceiling_cpu_us_per_row=%.2f (sys %.2f) "
			    "share=%.2f cpu_share=%.2f\n", r,
			    (unsigned long long)n, json ? "on" : "off", pr, pc,
			    ps, cr, cc, cs, pr / cr, cc / pc);
		fflush(stdout);
	}
	return 0;
usage:
	fprintf(stderr, "usage: pipeline_rate [-Cjx] [-n rows] [-b batch] "
	    "[-r rounds] DIR\n");
	return 1;
}
