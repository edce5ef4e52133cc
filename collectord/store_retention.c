/*
 * collectord/store_retention.c -- retention of events.db (max_age,
 * max_size) and the space it uses.
 *
 * A step deletes at most a few thousand of the oldest events, with what
 * only they needed (ended processes no row refers to any more, the done
 * outbox rows of those events and their deliveries, drops rows older than
 * what is left), in its own short transaction, between ingest batches.
 * The events an undelivered alert job refers to are never deleted, nor
 * their jobs.  Freed pages beyond a slack are returned to the file system
 * (auto_vacuum = INCREMENTAL, docs/schema.md).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

#define RET_IDLE_NS	(10 * 1000000000ULL)	/* after a step found nothing */

/* Jobs not done, and the merged rows they carry: their events stay. */
#define RET_KEEP							\
	" AND id NOT IN (SELECT event_id FROM outbox WHERE state IN"	\
	" ('waiting', 'pending', 'inflight') AND event_id IS NOT NULL"	\
	" UNION SELECT m.event_id FROM outbox m WHERE m.state = 'merged'"	\
	" AND m.event_id IS NOT NULL AND m.merged_into IN (SELECT id FROM"	\
	" outbox WHERE state IN ('waiting', 'pending', 'inflight')))"

/*
 * A step deletes the events of one id range [?1, ?2) older than ?3 (the
 * age cut, or no cut), but those kept: ranges are deleted in the table's
 * order, with no list of ids to build and look up, and the indexes are
 * walked in their order too.
 */
#define RET_RANGE	" id >= ?1 AND id < ?2 AND time_ns < ?3"

enum {
	RT_UNDELIVERED,
	RT_FIRST_OLD,
	RT_FIRST_OLD_K,
	RT_FIRST_AGE,
	RT_FIRST_AGE_K,
	RT_SCAN,
	RT_SCAN_K,
	RT_DEL_EVENTS,
	RT_DEL_EVENTS_K,
	RT_DEL_DELIV,
	RT_DEL_OUTBOX,
	RT_DEL_PROCS,
	RT_DEL_DROPS,
	RT_MAX
};

#define RET_GONE							\
	" event_id >= ?1 AND event_id < ?2 AND NOT EXISTS (SELECT 1 FROM"	\
	" events e WHERE e.id = outbox.event_id)"

static const char *const ret_sql[RT_MAX] = {
	[RT_UNDELIVERED] = "SELECT EXISTS (SELECT 1 FROM outbox WHERE state"
	    " IN ('waiting', 'pending', 'inflight'))",
	[RT_FIRST_OLD] = "SELECT IFNULL(min(id), 0) FROM events",
	[RT_FIRST_OLD_K] = "SELECT IFNULL((SELECT id FROM events WHERE 1"
	    RET_KEEP " ORDER BY id LIMIT 1), 0)",
	[RT_FIRST_AGE] = "SELECT IFNULL((SELECT id FROM events WHERE time_ns"
	    " < ?1 ORDER BY time_ns LIMIT 1), 0)",
	[RT_FIRST_AGE_K] = "SELECT IFNULL((SELECT id FROM events WHERE"
	    " time_ns < ?1" RET_KEEP " ORDER BY time_ns LIMIT 1), 0)",
	[RT_SCAN] = "SELECT exec_id, parent_exec_id FROM events WHERE"
	    RET_RANGE,
	[RT_SCAN_K] = "SELECT exec_id, parent_exec_id FROM events WHERE"
	    RET_RANGE RET_KEEP,
	[RT_DEL_EVENTS] = "DELETE FROM events WHERE" RET_RANGE,
	[RT_DEL_EVENTS_K] = "DELETE FROM events WHERE" RET_RANGE RET_KEEP,
	/* the outbox rows (and their deliveries) of events now gone */
	[RT_DEL_DELIV] = "DELETE FROM deliveries WHERE outbox_id IN (SELECT"
	    " id FROM outbox WHERE" RET_GONE ")",
	[RT_DEL_OUTBOX] = "DELETE FROM outbox WHERE" RET_GONE,
	/* ended, and no event or process row names it: children first */
	[RT_DEL_PROCS] = "DELETE FROM processes WHERE exec_id IN"
	    " temp.ret_proc AND exit_time IS NOT NULL AND NOT EXISTS (SELECT"
	    " 1 FROM events e WHERE e.exec_id = processes.exec_id) AND NOT"
	    " EXISTS (SELECT 1 FROM processes c WHERE c.parent_exec_id ="
	    " processes.exec_id)",
	[RT_DEL_DROPS] = "DELETE FROM drops WHERE id IN (SELECT id FROM drops"
	    " WHERE time_ns < ?1 ORDER BY time_ns LIMIT ?2)",
};

/* The WAL's share of max_size: kept by checkpoints, then truncated. */
static uint64_t
ret_wal_budget(uint64_t max_size)
{
	uint64_t w = max_size / 8;

	if (w < STORE_WAL_MIN)
		w = STORE_WAL_MIN;
	return w > STORE_WAL_MAX ? STORE_WAL_MAX : w;
}

int
store_retention_set(struct store *s, uint64_t max_age_s, uint64_t max_size)
{
	char	 sql[160];
	int64_t	 psz = 4096, n;
	uint64_t w;

	s->ret_age_ns = max_age_s * 1000000000ULL;
	s->ret_size = max_size;
	if (max_age_s == 0 && max_size == 0)
		return 0;
	if (store_int_query(s, "PRAGMA page_size", &psz) != 0 || psz <= 0)
		return ERR_DB;
	s->page_size = (uint64_t)psz;
	if (max_size != 0) {
		w = ret_wal_budget(max_size);
		snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %llu;"
		    " PRAGMA wal_autocheckpoint = %llu",
		    (unsigned long long)w, (unsigned long long)(w / 2 /
		    s->page_size > 16 ? w / 2 / s->page_size : 16));
		if (store_exec(s, sql) != 0)
			return ERR_DB;
	}
	/* once: the rows are then counted as they come and go */
	if (max_size != 0 && store_int_query(s, "SELECT count(*) FROM events",
	    &n) == 0)
		s->ret_rows0 = (uint64_t)n - s->stats.events;
	if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS ret_proc(exec_id"
	    " TEXT PRIMARY KEY)") != 0)
		return ERR_DB;
	return 0;
}

/* Bytes of the WAL file (0 if none is open). */
static uint64_t
ret_wal_size(struct store *s)
{
	sqlite3_file	*f = NULL;
	sqlite3_int64	 sz = 0;

	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f) != SQLITE_OK || f == NULL || f->pMethods == NULL ||
	    f->pMethods->xFileSize(f, &sz) != SQLITE_OK || sz < 0)
		return 0;
	return (uint64_t)sz;
}

int
store_usage(struct store *s, struct store_usage *u)
{
	int64_t	 pages, freel, psz;

	memset(u, 0, sizeof(*u));
	if (store_int_query(s, "PRAGMA page_count", &pages) != 0 ||
	    store_int_query(s, "PRAGMA freelist_count", &freel) != 0 ||
	    store_int_query(s, "PRAGMA page_size", &psz) != 0)
		return ERR_DB;
	u->file = (uint64_t)pages * (uint64_t)psz;
	u->free = (uint64_t)freel * (uint64_t)psz;
	u->wal = ret_wal_size(s);
	u->used = u->file - u->free + u->wal;
	return 0;
}

/* ret_sql[which] with its parameters bound (those it has), or NULL. */
static sqlite3_stmt *
ret_stmt(struct store *s, int which, int64_t a1, int64_t a2, int64_t a3)
{
	sqlite3_stmt	*st;
	int		 n;

	if (sqlite3_prepare_v2(s->db, ret_sql[which], -1, &st, NULL) !=
	    SQLITE_OK) {
		store_log(s, "retention");
		return NULL;
	}
	n = sqlite3_bind_parameter_count(st);
	if (n >= 1)
		sqlite3_bind_int64(st, 1, a1);
	if (n >= 2)
		sqlite3_bind_int64(st, 2, a2);
	if (n >= 3)
		sqlite3_bind_int64(st, 3, a3);
	return st;
}

/* A statement run to its end: the rows it changed, or ERR_DB. */
static int
ret_run(struct store *s, int which, int64_t a1, int64_t a2, int64_t a3)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = ret_stmt(s, which, a1, a2, a3)) == NULL)
		return ERR_DB;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("store: retention: %s", sqlite3_errstr(rc));
		return ERR_DB;
	}
	return sqlite3_changes(s->db);
}

/* A query's one integer. */
static int
ret_value(struct store *s, int which, int64_t a1, int64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = ret_stmt(s, which, a1, 0, 0)) == NULL)
		return ERR_DB;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		log_warnx("store: retention: %s", sqlite3_errstr(rc));
		return ERR_DB;
	}
	return 0;
}

/* A process the range names, once (rows of one process come in runs). */
static int
ret_proc_add(sqlite3_stmt *ins, sqlite3_stmt *row, int col, char *last,
    size_t lastsz)
{
	const char	*id = (const char *)sqlite3_column_text(row, col);
	int		 rc;

	if (id == NULL || strcmp(id, last) == 0)
		return 0;
	snprintf(last, lastsz, "%s", id);
	sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* The processes the range's events name, into temp.ret_proc. */
static int
ret_scan(struct store *s, int which, int64_t lo, int64_t hi, int64_t cut)
{
	sqlite3_stmt	*row, *ins = NULL;
	char		 last[2][128] = { "", "" };
	int		 rc = SQLITE_DONE, r = 0;

	if ((row = ret_stmt(s, which, lo, hi, cut)) == NULL)
		return ERR_DB;
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO"
	    " temp.ret_proc(exec_id) VALUES (?1)", -1, &ins, NULL) !=
	    SQLITE_OK)
		r = ERR_DB;
	while (r == 0 && (rc = sqlite3_step(row)) == SQLITE_ROW)
		if ((r = ret_proc_add(ins, row, 0, last[0],
		    sizeof(last[0]))) == 0)
			r = ret_proc_add(ins, row, 1, last[1],
			    sizeof(last[1]));
	sqlite3_finalize(row);
	sqlite3_finalize(ins);
	if (r == 0 && rc != SQLITE_DONE)
		r = ERR_DB;
	if (r != 0)
		store_log(s, "retention");
	return r;
}

/*
 * What to delete now: 1 with *cut (age: events before it) or *cut = 0
 * (size: the oldest), or 0 (within the bounds).
 */
static int
ret_due(struct store *s, uint64_t now_ns, int64_t *cut)
{
	struct store_usage u;
	uint64_t w, used;
	int64_t	 oldest = 0;

	*cut = 0;
	if (now_ns < s->ret_idle_until)
		return 0;
	if (s->ret_size != 0) {
		if (store_usage(s, &u) != 0)
			return ERR_DB;
		w = ret_wal_budget(s->ret_size);
		used = u.file - u.free + w;
		/* over the database's share: down to 1/16 below it */
		if (used > s->ret_size || (s->ret_shrinking &&
		    used + s->ret_size / 16 > s->ret_size)) {
			s->ret_excess = used + s->ret_size / 16 - s->ret_size;
			return s->ret_shrinking = 1;
		}
		s->ret_shrinking = 0;
	}
	if (s->ret_age_ns != 0 && now_ns > s->ret_age_ns) {
		if (store_int_query(s, "SELECT IFNULL(min(time_ns), 0) FROM"
		    " events", &oldest) != 0)
			return ERR_DB;
		*cut = (int64_t)(now_ns - s->ret_age_ns);
		if (oldest != 0 && oldest < *cut)
			return 1;
	}
	return 0;
}

/*
 * The step's deletions, inside its transaction: events deleted.  The
 * range starts at the first event that may go (the oldest by id, or by
 * time for the age cut) and spans rows ids.
 */
static int
ret_delete(struct store *s, int64_t cut, int64_t rows)
{
	int64_t	 keep = 0, lo = 0, left, c = cut != 0 ? cut : INT64_MAX;
	int	 n, r, k;

	if (ret_value(s, RT_UNDELIVERED, 0, &keep) != 0)
		return ERR_DB;
	k = keep != 0;
	if (ret_value(s, cut != 0 ? (k ? RT_FIRST_AGE_K : RT_FIRST_AGE) :
	    (k ? RT_FIRST_OLD_K : RT_FIRST_OLD), cut, &lo) != 0)
		return ERR_DB;
	if (lo == 0)
		return 0;
	if (ret_scan(s, k ? RT_SCAN_K : RT_SCAN, lo, lo + rows, c) != 0 ||
	    (n = ret_run(s, k ? RT_DEL_EVENTS_K : RT_DEL_EVENTS, lo,
	    lo + rows, c)) < 0 ||
	    (r = ret_run(s, RT_DEL_DELIV, lo, lo + rows, 0)) < 0 ||
	    (r = ret_run(s, RT_DEL_OUTBOX, lo, lo + rows, 0)) < 0)
		return ERR_DB;
	s->ret_stats.outbox += (uint64_t)r;
	if ((r = ret_run(s, RT_DEL_PROCS, 0, 0, 0)) < 0)
		return r;
	s->ret_stats.processes += (uint64_t)r;
	if ((r = ret_run(s, RT_DEL_PROCS, 0, 0, 0)) < 0)
		return r;
	s->ret_stats.processes += (uint64_t)r;
	/* drops rows older than every event left (or than the age cut) */
	if (cut == 0 && store_int_query(s, "SELECT IFNULL(min(time_ns), 0)"
	    " FROM events", &left) != 0)
		return ERR_DB;
	if ((r = ret_run(s, RT_DEL_DROPS, cut != 0 ? cut : left, rows,
	    0)) < 0)
		return r;
	s->ret_stats.drops += (uint64_t)r;
	s->ret_stats.events += (uint64_t)n;
	return n;
}

/*
 * Free pages go back to the file system only where the file is over its
 * share of max_size (then the pages over it), or where they are more than
 * a quarter of the file (then down to 1/16): below that, the next batches
 * reuse them, which costs nothing, while moving pages to shrink the file
 * costs about a third of the deletion.
 */
static int
ret_vacuum(struct store *s)
{
	int64_t	 pages, freel, mode, over = 0, n = 0;
	char	 sql[64];

	if (store_int_query(s, "PRAGMA auto_vacuum", &mode) != 0 ||
	    mode != 2 ||
	    store_int_query(s, "PRAGMA page_count", &pages) != 0 ||
	    store_int_query(s, "PRAGMA freelist_count", &freel) != 0)
		return 0;
	if (s->ret_size != 0)
		over = pages - (int64_t)((s->ret_size -
		    ret_wal_budget(s->ret_size)) / s->page_size);
	if (over > 0)
		n = over < freel ? over : freel;
	if (freel > pages / 4 && freel - pages / 16 > n)
		n = freel - pages / 16;
	if (n <= 0)
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%lld)",
	    (long long)n);
	return store_exec(s, sql);
}

/*
 * Over max_size: about the rows that free the excess (their average size
 * from the number of rows, counted at start and kept up to date), at most
 * rows and at most half of them.
 */
static int
ret_rows_for(struct store *s, size_t *rows)
{
	struct store_usage u;
	uint64_t n, per, need;

	if (store_usage(s, &u) != 0)
		return ERR_DB;
	n = s->ret_rows0 + s->stats.events - s->ret_stats.events;
	if ((int64_t)n <= 0)
		return 0;
	per = (u.file - u.free) / n;
	need = s->ret_excess / (per > 0 ? per : 1) + 1;
	if (need > n / 2 + 1)
		need = n / 2 + 1;
	if (need < *rows)
		*rows = (size_t)need;
	return 0;
}

static void
ret_nothing(struct store *s, uint64_t now_ns, int64_t cut)
{
	s->ret_idle_until = now_ns + RET_IDLE_NS;
	if (cut == 0 && !s->ret_warned) {
		s->ret_warned = 1;
		log_warnx("store: retention: over max_size, but every event"
		    " left is kept for an undelivered alert");
	}
}

int
store_retention_step(struct store *s, uint64_t now_ns, size_t rows)
{
	struct store_ret_stats before = s->ret_stats;
	int64_t	 cut;
	int	 r, n;

	if ((s->ret_age_ns == 0 && s->ret_size == 0) || s->in_tx)
		return 0;
	if ((r = ret_due(s, now_ns, &cut)) <= 0)
		return r;
	if (cut == 0 && (r = ret_rows_for(s, &rows)) != 0)
		return r;
	if ((r = store_begin(s)) != 0)
		return r;
	n = ret_delete(s, cut, (int64_t)rows);
	if (n >= 0 && store_exec(s, "DELETE FROM temp.ret_proc") == 0 &&
	    (n == 0 || ret_vacuum(s) == 0) &&
	    store_exec(s, "COMMIT") == 0) {
		s->in_tx = 0;
		s->ret_stats.steps++;
		if (n == 0)
			ret_nothing(s, now_ns, cut);
		return n > 0;
	}
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, "ROLLBACK");
	s->in_tx = 0;
	s->failed = 0;
	/* nothing of the step stays: neither do its counts */
	s->ret_stats = before;
	s->ret_stats.errors++;
	return ERR_DB;
}

const struct store_ret_stats *
store_retention_stats(const struct store *s)
{
	return &s->ret_stats;
}

int
store_auto_vacuum(struct store *s)
{
	int64_t	 mode = 0;

	return store_int_query(s, "PRAGMA auto_vacuum", &mode) == 0 &&
	    mode == 2;
}
