/*
 * bench/store_ceiling.c -- the insert ceiling of tripline's own schema:
 * plain SQLite inserts of openat-like events rows, no collector around
 * them.
 *
 *	bench/store_ceiling [-n rows] [-b batch] DIR
 *
 * Opens DIR/ceiling.db with the collector's settings (16 KiB pages, WAL,
 * synchronous NORMAL, auto_vacuum INCREMENTAL, 8 MiB cache, secure_delete
 * FAST), creates an events part with its two indexes as the store does
 * (docs/schema.md), and inserts n rows (default 1 000 000) with one
 * prepared statement, batch rows per transaction (default 10 000, the
 * collector's store.batch_rows), rows as the openat storm's: same exec_id,
 * policy, function, a string_arg path of ~30 bytes.  One line:
 *
 *	store_ceiling rows=... batch=... rows_per_s=... cpu_us_per_row=...
 *
 * The collector's stored/s (run_openat_bench.sh `c`) divided by rows_per_s
 * is the share of the ceiling it reaches.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ceiling.h"

static void
check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		fprintf(stderr, "store_ceiling: %s: %s\n", what,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

static const struct ceiling_who who = {
	"YmVuY2g6MTIzNDU2Nzg5MDEyMzQ1Njc4OjQy",
	"YmVuY2g6MTIzNDU2Nzg5MDEyMzQ1Njc4OjE=",
	"bench-openat",
};

int
main(int argc, char **argv)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 path[4096], fpath[64];
	uint64_t	 n = 1000000, batch = 10000, i, w0, c0, w, c;
	int		 ch;

	while ((ch = getopt(argc, argv, "n:b:")) != -1) {
		switch (ch) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'b': batch = strtoull(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || n == 0 || batch == 0)
		goto usage;
	snprintf(path, sizeof(path), "%s/ceiling.db", argv[optind]);
	unlink(path);
	check(NULL, sqlite3_open(path, &db), "open");
	check(db, sqlite3_exec(db, ceiling_schema, NULL, NULL, NULL),
	    "schema");
	check(db, sqlite3_prepare_v2(db, ceiling_insert, -1, &st, NULL),
	    "prepare");
	w0 = bench_clk(CLOCK_MONOTONIC);
	c0 = bench_clk(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		if (i % batch == 0)
			check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL,
			    NULL, NULL), "begin");
		snprintf(fpath, sizeof(fpath), "/tmp/tripline-bench/f%llu",
		    (unsigned long long)(i % 1000));
		ceiling_row(st, &who, i, fpath);
		check(db, sqlite3_step(st), "insert");
		sqlite3_reset(st);
		if ((i + 1) % batch == 0 || i + 1 == n)
			check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
			    "commit");
	}
	w = bench_clk(CLOCK_MONOTONIC) - w0;
	c = bench_clk(CLOCK_PROCESS_CPUTIME_ID) - c0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink(path);
	printf("store_ceiling rows=%llu batch=%llu rows_per_s=%.0f"
	    " cpu_us_per_row=%.2f\n", (unsigned long long)n,
	    (unsigned long long)batch, (double)n * 1e9 / (double)w,
	    (double)c / 1000.0 / (double)n);
	return 0;
usage:
	fprintf(stderr, "usage: store_ceiling [-n rows] [-b batch] DIR\n");
	return 2;
}
