/*
 * bench/ceiling.c -- see ceiling.h.
 */
#include "build.h"

#include <stdio.h>

#include "ceiling.h"

const char ceiling_schema[] =
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

const char ceiling_insert[] =
    "INSERT INTO events_part_1(id, time, time_ns, type, exec_id,"
    " parent_exec_id, policy_name, function_name, action, args, actions)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

void
ceiling_row(sqlite3_stmt *st, const struct ceiling_who *w, uint64_t i,
    const char *path)
{
	char	 args[4200], t[40];
	uint64_t ns = 1767225600000000000ULL + i * 1000;

	snprintf(t, sizeof(t), "2026-01-01T00:00:%02llu.%09lluZ",
	    (unsigned long long)(i / 1000000 % 60),
	    (unsigned long long)(ns % 1000000000ULL));
	snprintf(args, sizeof(args), "[{\"int_arg\":-100},{\"string_arg\":"
	    "\"%s\"},{\"int_arg\":0}]", path);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
	sqlite3_bind_text(st, 2, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)ns);
	sqlite3_bind_text(st, 4, "process_kprobe", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, w->exec_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, w->parent_exec_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, w->policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, "__x64_sys_openat", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, "KPROBE_ACTION_POST", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, args, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, "[\"KPROBE_ACTION_POST\"]", -1,
	    SQLITE_STATIC);
}

uint64_t
bench_clk(clockid_t c)
{
	struct timespec	 ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
