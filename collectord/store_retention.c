/*
 * collectord/store_retention.c -- retention of events.db (max_age,
 * max_size) and the space it uses.
 *
 * The events rows are kept in parts (store_parts.c): a step starts a new
 * part when the newest has its share of the bounds (an eighth of max_size,
 * an eighth of max_age), and drops the oldest part whole once it is all
 * due.  Where only some of the oldest part is due (the age cut falls
 * inside it, or it is larger than what must go), it deletes a few
 * thousand of its oldest rows instead.  Either way with what only they
 * needed (ended processes no row refers to any more, the done outbox rows
 * of those events and their deliveries, drops rows older than what is
 * left), in its own short transaction, between ingest batches.  The
 * events an undelivered alert job refers to are never deleted, nor their
 * jobs.  Freed pages beyond a slack are returned to the file system
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
#include "str.h"

#define RET_IDLE_NS	(10 * 1000000000ULL)	/* after a step found nothing */
#define RET_PARTS	8	/* parts a bound is cut into */
#define RET_PARTS_MAX	64	/* no new part past this many */
#define RET_PART_ROWS	256	/* at least, per part */
#define RETENTION_DROPS	4096	/* drops rows, at most, per step */

/* Jobs not done, and the merged rows they carry: their events stay. */
#define RET_KEEP_SET							\
	"SELECT event_id FROM outbox WHERE state IN"			\
	" ('waiting', 'pending', 'inflight') AND event_id IS NOT NULL"	\
	" UNION SELECT m.event_id FROM outbox m WHERE m.state = 'merged'"	\
	" AND m.event_id IS NOT NULL AND m.merged_into IN (SELECT id FROM"	\
	" outbox WHERE state IN ('waiting', 'pending', 'inflight'))"
#define RET_KEEP	" AND id NOT IN (" RET_KEEP_SET ")"

/*
 * A step deletes the events of one id range [?1, ?2) older than ?3 (the
 * age cut, or no cut), but those kept: ranges are deleted in the table's
 * order, with no list of ids to build and look up, and the indexes are
 * walked in their order too.  @P is the oldest part's table.
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
	RT_SCAN_ALL,
	RT_OLDEST_NS,
	RT_NEWEST_NS,
	RT_COUNT,
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
	[RT_FIRST_OLD] = "SELECT IFNULL(min(id), 0) FROM @P",
	[RT_FIRST_OLD_K] = "SELECT IFNULL((SELECT id FROM @P WHERE 1"
	    RET_KEEP " ORDER BY id LIMIT 1), 0)",
	[RT_FIRST_AGE] = "SELECT IFNULL((SELECT id FROM @P WHERE time_ns"
	    " < ?1 ORDER BY time_ns LIMIT 1), 0)",
	[RT_FIRST_AGE_K] = "SELECT IFNULL((SELECT id FROM @P WHERE"
	    " time_ns < ?1" RET_KEEP " ORDER BY time_ns LIMIT 1), 0)",
	[RT_SCAN] = "SELECT exec_id, parent_exec_id FROM @P WHERE"
	    RET_RANGE,
	[RT_SCAN_K] = "SELECT exec_id, parent_exec_id FROM @P WHERE"
	    RET_RANGE RET_KEEP,
	[RT_SCAN_ALL] = "SELECT exec_id, parent_exec_id FROM @P",
	[RT_OLDEST_NS] = "SELECT IFNULL(min(time_ns), 0) FROM @P",
	[RT_NEWEST_NS] = "SELECT IFNULL(max(time_ns), 0) FROM @P",
	[RT_COUNT] = "SELECT count(*) FROM @P",
	[RT_DEL_EVENTS] = "DELETE FROM @P WHERE" RET_RANGE,
	[RT_DEL_EVENTS_K] = "DELETE FROM @P WHERE" RET_RANGE RET_KEEP,
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

/* ret_sql[which] with @P the table of part (its first row's id range is
 * what RT_* name), its parameters bound (those it has), or NULL. */
static sqlite3_stmt *
ret_stmt_p(struct store *s, int which, int64_t part, int64_t a1, int64_t a2,
    int64_t a3)
{
	sqlite3_stmt	*st;
	char		 name[STORE_PART_NAME];
	struct sbuf	 sql;
	int		 n, rc;

	store_part_name(part, name, sizeof(name));
	sbuf_init(&sql);
	store_subst(&sql, ret_sql[which], "@P", name);
	rc = sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL);
	sbuf_clear(&sql);
	if (rc != SQLITE_OK) {
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

/* The same on the oldest part. */
static sqlite3_stmt *
ret_stmt(struct store *s, int which, int64_t a1, int64_t a2, int64_t a3)
{
	return ret_stmt_p(s, which, s->parts[0].part, a1, a2, a3);
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

/* A query's one integer, on part. */
static int
ret_value_p(struct store *s, int which, int64_t part, int64_t a1,
    int64_t *out)
{
	sqlite3_stmt	*st;

	if ((st = ret_stmt_p(s, which, part, a1, 0, 0)) == NULL)
		return ERR_DB;
	return store_stmt_int(s, st, out);
}

/* ... on the oldest part. */
static int
ret_value(struct store *s, int which, int64_t a1, int64_t *out)
{
	return ret_value_p(s, which, s->parts[0].part, a1, out);
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

/* Rows the store holds now (counted at start, then as they come and go). */
static int64_t
ret_rows(const struct store *s)
{
	return (int64_t)(s->ret_rows0 + s->stats.events - s->ret_stats.events);
}

/* Bytes a row takes, all tables and indexes counted (1 if no row). */
static uint64_t
ret_row_bytes(const struct store *s, const struct store_usage *u)
{
	int64_t	 n = ret_rows(s);
	uint64_t per = n > 0 ? (u->file - u->free) / (uint64_t)n : 1;

	return per > 0 ? per : 1;
}

/* A part's share of max_size. */
static uint64_t
ret_part_bytes(const struct store *s)
{
	return (s->ret_size - ret_wal_budget(s->ret_size)) / RET_PARTS;
}

/*
 * A new part when the newest has its share: an eighth of max_size (by its
 * rows times the bytes a row takes), or of max_age.
 */
static int
ret_roll(struct store *s, const struct store_usage *u, uint64_t now_ns)
{
	const struct store_part *cur = &s->parts[s->nparts - 1];
	int64_t	 next, rows;
	int	 due = 0;

	if (s->nparts >= RET_PARTS_MAX ||
	    store_parts_next_id(s, &next) != 0)
		return 0;
	if ((rows = next - cur->first_id) < RET_PART_ROWS)
		return 0;
	if (s->ret_size != 0 && (uint64_t)rows * ret_row_bytes(s, u) >=
	    ret_part_bytes(s))
		due = 1;
	if (s->ret_age_ns != 0 && cur->created_ns > 0 &&
	    now_ns - (uint64_t)cur->created_ns >= s->ret_age_ns / RET_PARTS)
		due = 1;
	if (cur->created_ns == 0 && s->ret_age_ns != 0)
		due = 1;	/* migrated: its age is unknown */
	return due ? store_parts_roll(s, now_ns) : 0;
}

/*
 * Under max_size the data stays a part's share (or twice what came since
 * the last step, if more: a batch) below the bound, at most half of it:
 * the pages a dropped part frees are then there for the rows that come
 * next, and the file does not grow past its share to be shrunk again.
 */
static void
ret_room(struct store *s, const struct store_usage *u)
{
	uint64_t room, half;

	if (s->ret_size == 0)
		return;
	room = 2 * (s->stats.events - s->ret_seen) * ret_row_bytes(s, u);
	s->ret_seen = s->stats.events;
	if (room < ret_part_bytes(s))
		room = ret_part_bytes(s);
	half = (s->ret_size - ret_wal_budget(s->ret_size)) / 2;
	s->ret_room = room > half ? half : room;
}

/*
 * What to delete now: 1 with *cut (age: events before it) or *cut = 0
 * (size: the oldest), or 0 (within the bounds).
 */
static int
ret_due(struct store *s, const struct store_usage *u, uint64_t now_ns,
    int64_t *cut)
{
	uint64_t w, used;
	int64_t	 oldest = 0;

	*cut = 0;
	if (s->ret_size != 0) {
		w = ret_wal_budget(s->ret_size);
		used = u->file - u->free + w;
		/* room kept for what comes before the next step */
		if (used + s->ret_room > s->ret_size) {
			s->ret_excess = used + s->ret_room - s->ret_size;
			return 1;
		}
	}
	if (s->ret_age_ns != 0 && now_ns > s->ret_age_ns) {
		if (ret_value(s, RT_OLDEST_NS, 0, &oldest) != 0)
			return ERR_DB;
		*cut = (int64_t)(now_ns - s->ret_age_ns);
		/* an empty oldest part goes too */
		if ((oldest != 0 && oldest < *cut) ||
		    (oldest == 0 && s->nparts > 1))
			return 1;
	}
	return 0;
}

/*
 * Whether the oldest part goes whole: it is not the newest, and all of it
 * is due (older than the cut), or (size) it is no larger than what must
 * go plus a part's share.
 */
static int
ret_whole(struct store *s, const struct store_usage *u, int64_t cut)
{
	int64_t	 v = 0;

	if (s->nparts < 2)
		return 0;
	if (cut != 0)
		return ret_value(s, RT_NEWEST_NS, 0, &v) == 0 && v < cut;
	/* its rows counted once, then kept up to date by ret_delete (no
	 * row is added to the oldest part while there is a newer one) */
	if (s->ret_old_part != s->parts[0].part) {
		if (ret_value(s, RT_COUNT, 0, &s->ret_old_rows) != 0)
			return 0;
		s->ret_old_part = s->parts[0].part;
	}
	return (uint64_t)s->ret_old_rows * ret_row_bytes(s, u) <=
	    s->ret_excess + ret_part_bytes(s);
}

/* Ended processes nothing names any more (twice: children first), and
 * drops rows older than before (the new oldest part's first event). */
static int
ret_after(struct store *s, int64_t before, int64_t rows)
{
	int	 r, i;

	for (i = 0; i < 2; i++) {
		if ((r = ret_run(s, RT_DEL_PROCS, 0, 0, 0)) < 0)
			return r;
		s->ret_stats.processes += (uint64_t)r;
	}
	if ((r = ret_run(s, RT_DEL_DROPS, before, rows, 0)) < 0)
		return r;
	s->ret_stats.drops += (uint64_t)r;
	return 0;
}

/* The outbox rows (and deliveries) of events [lo, hi) now gone. */
static int
ret_outbox(struct store *s, int64_t lo, int64_t hi)
{
	int	 r;

	if ((r = ret_run(s, RT_DEL_DELIV, lo, hi, 0)) < 0 ||
	    (r = ret_run(s, RT_DEL_OUTBOX, lo, hi, 0)) < 0)
		return ERR_DB;
	s->ret_stats.outbox += (uint64_t)r;
	return 0;
}

/*
 * The step's deletions, inside its transaction: events deleted.  The
 * range starts at the first event of the oldest part that may go (the
 * oldest by id, or by time for the age cut) and spans rows ids.
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
	    lo + rows, c)) < 0 || ret_outbox(s, lo, lo + rows) != 0)
		return ERR_DB;
	/* drops rows older than every event left (or than the age cut) */
	if (cut == 0 && ret_value(s, RT_OLDEST_NS, 0, &left) != 0)
		return ERR_DB;
	if ((r = ret_after(s, cut != 0 ? cut : left, rows)) != 0)
		return r;
	s->ret_stats.events += (uint64_t)n;
	s->ret_old_rows -= n;	/* if it was counted; a rollback: counted
				   again (ret_old_part = 0) */
	return n;
}

/*
 * The oldest part whole, inside the step's transaction: rows deleted
 * (those kept for undelivered alerts move to the newest part).
 */
static int
ret_drop(struct store *s, int64_t cut)
{
	int64_t	 keep = 0, gone = 0, left = 0;
	int	 r;

	if (ret_value(s, RT_UNDELIVERED, 0, &keep) != 0 ||
	    ret_scan(s, RT_SCAN_ALL, 0, 0, 0) != 0 ||
	    store_parts_drop_oldest(s, keep ? RET_KEEP_SET : NULL, &gone) !=
	    0 || ret_outbox(s, 0, s->parts[1].first_id) != 0)
		return ERR_DB;
	if (cut == 0 && ret_value_p(s, RT_OLDEST_NS, s->parts[1].part, 0,
	    &left) != 0)
		return ERR_DB;
	if ((r = ret_after(s, cut != 0 ? cut : left, RETENTION_DROPS)) != 0)
		return r;
	s->ret_stats.events += (uint64_t)gone;
	/* a part left with only kept rows counts as done */
	return gone > 0 ? (int)(gone > INT32_MAX ? INT32_MAX : gone) : 1;
}
/*
 * Free pages go back to the file system only where the file is over its
 * share of max_size (then the pages over it), or where the age cut left
 * more than a quarter of the file free (then down to 1/16): otherwise the
 * next batches reuse them, which costs nothing, while moving pages to
 * shrink the file costs about a third of the deletion.
 */
static int
ret_vacuum(struct store *s, int64_t cut)
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
	/* under max_size the next rows take the free pages */
	if (cut != 0 && freel > pages / 4 && freel - pages / 16 > n)
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
static void
ret_rows_for(struct store *s, const struct store_usage *u, size_t *rows)
{
	uint64_t n, need;

	if (ret_rows(s) <= 0)
		return;
	n = (uint64_t)ret_rows(s);
	need = s->ret_excess / ret_row_bytes(s, u) + 1;
	if (need > n / 2 + 1)
		need = n / 2 + 1;
	if (need < *rows)
		*rows = (size_t)need;
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
	struct store_usage u;
	int64_t	 cut;
	int	 r, n, whole;

	if ((s->ret_age_ns == 0 && s->ret_size == 0) || s->in_tx ||
	    now_ns < s->ret_idle_until)
		return 0;
	/* the file's usage once per step (pragmas, cheap) */
	if (store_usage(s, &u) != 0)
		return ERR_DB;
	/* a lock held by a reader is ERR_AGAIN: tried again next step */
	if ((r = ret_roll(s, &u, now_ns)) < 0)
		return r;
	ret_room(s, &u);
	if ((r = ret_due(s, &u, now_ns, &cut)) <= 0)
		return r;
	whole = ret_whole(s, &u, cut);
	if (cut == 0 && !whole)
		ret_rows_for(s, &u, &rows);
	if ((r = store_begin(s)) != 0)
		return r;
	n = whole ? ret_drop(s, cut) : ret_delete(s, cut, (int64_t)rows);
	if (n >= 0 && store_exec(s, "DELETE FROM temp.ret_proc") == 0 &&
	    (n == 0 || ret_vacuum(s, cut) == 0) &&
	    store_exec(s, "COMMIT") == 0) {
		s->in_tx = 0;
		s->ret_stats.steps++;
		if (whole)
			store_parts_dropped(s);
		if (n == 0)
			ret_nothing(s, now_ns, cut);
		return n > 0;
	}
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, "ROLLBACK");
	s->in_tx = 0;
	s->failed = 0;
	s->ret_old_part = 0;
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
