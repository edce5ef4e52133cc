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

static const char schema[] =
    "PRAGMA page_size = 16384; PRAGMA journal_mode = MEMORY;"
    " PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL;"
    " PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8192;"
    " PRAGMA secure_delete = FAST;"
    "CREATE TABLE events_part_1(id INTEGER PRIMARY KEY, time TEXT NOT NULL,"
    " time_ns INTEGER NOT NULL, type TEXT NOT NULL, exec_id TEXT,"
    " parent_exec_id TEXT, policy_name TEXT, function_name TEXT,"
    " action TEXT, args TEXT, return_value TEXT, message TEXT, tags TEXT,"
    " actions TEXT, monitor_would TEXT, late INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX events_part_1_exec_id ON events_part_1(exec_id);"
    "CREATE INDEX events_part_1_time_ns ON events_part_1(time_ns);";

static uint64_t
clk(clockid_t c)
{
	struct timespec	 ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		fprintf(stderr, "store_ceiling: %s: %s\n", what,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

static void
row(sqlite3_stmt *st, uint64_t i)
{
	char	 args[160], t[40];
	uint64_t ns = 1767225600000000000ULL + i * 1000;

	snprintf(t, sizeof(t), "2026-01-01T00:00:%02llu.%09lluZ",
	    (unsigned long long)(i / 1000000 % 60),
	    (unsigned long long)(ns % 1000000000ULL));
	snprintf(args, sizeof(args), "[{\"int_arg\":-100},{\"string_arg\":"
	    "\"/tmp/tripline-bench/f%llu\"},{\"int_arg\":0}]",
	    (unsigned long long)(i % 1000));
	sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
	sqlite3_bind_text(st, 2, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)ns);
	sqlite3_bind_text(st, 4, "process_kprobe", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, "YmVuY2g6MTIzNDU2Nzg5MDEyMzQ1Njc4OjQy", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 6, "YmVuY2g6MTIzNDU2Nzg5MDEyMzQ1Njc4OjE=", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 7, "bench-openat", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, "__x64_sys_openat", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, "KPROBE_ACTION_POST", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, args, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, "[\"KPROBE_ACTION_POST\"]", -1,
	    SQLITE_STATIC);
}

int
main(int argc, char **argv)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 path[4096];
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
	check(db, sqlite3_exec(db, schema, NULL, NULL, NULL), "schema");
	check(db, sqlite3_prepare_v2(db, "INSERT INTO events_part_1(id, time,"
	    " time_ns, type, exec_id, parent_exec_id, policy_name,"
	    " function_name, action, args, actions) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11)", -1, &st, NULL), "prepare");
	w0 = clk(CLOCK_MONOTONIC);
	c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		if (i % batch == 0)
			check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL,
			    NULL, NULL), "begin");
		row(st, i);
		check(db, sqlite3_step(st), "insert");
		sqlite3_reset(st);
		if ((i + 1) % batch == 0 || i + 1 == n)
			check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
			    "commit");
	}
	w = clk(CLOCK_MONOTONIC) - w0;
	c = clk(CLOCK_PROCESS_CPUTIME_ID) - c0;
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
