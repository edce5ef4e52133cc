/*
 * collectord/store_parts.c -- the events rows, kept in parts.
 *
 * `events` is a view over tables events_part_N (schema 8, docs/schema.md),
 * one per span of ids, listed in events_parts.  Rows are written to the
 * newest part with ids the store counts itself (a new part starts empty,
 * where SQLite would number from 1 again).  Retention starts a new part
 * when the newest one reaches its share of the bounds and drops the
 * oldest one whole: freeing a part costs a walk of its pages, where
 * deleting its rows one by one cost about half of inserting them.
 */
#include "build.h"

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "str.h"
#include "xmalloc.h"

/* The columns of the events table they replace (schema 1, then those
 * that versions 2 and 7 added) */
#define PART_COLS	STORE_PART_COLS

static const char part_ddl[] =
    "CREATE TABLE %s(id INTEGER PRIMARY KEY, time TEXT NOT NULL,"
    " time_ns INTEGER NOT NULL, type TEXT NOT NULL, exec_id TEXT,"
    " parent_exec_id TEXT, policy_name TEXT, function_name TEXT,"
    " action TEXT, args TEXT, return_value TEXT, message TEXT, tags TEXT,"
    " actions TEXT, monitor_would TEXT, late INTEGER NOT NULL DEFAULT 0,"
    " stack_trace TEXT);"
    "CREATE INDEX %s_exec_id ON %s(exec_id);"
    "CREATE INDEX %s_time_ns ON %s(time_ns);";

void
store_subst(struct sbuf *sb, const char *tmpl, const char *tok,
    const char *repl)
{
	const char	*at;
	size_t		 n = strlen(tok);

	while ((at = strstr(tmpl, tok)) != NULL) {
		sbuf_add(sb, tmpl, (size_t)(at - tmpl));
		sbuf_adds(sb, repl);
		tmpl = at + n;
	}
	sbuf_adds(sb, tmpl);
}

void
store_part_name(int64_t part, char *buf, size_t len)
{
	snprintf(buf, len, "events_part_%lld", (long long)part);
}

/* The events view over the parts in s->parts (minus skip, if >= 0). */
static int
parts_view(struct store *s, ssize_t skip)
{
	struct sbuf	 sb;
	char		 name[STORE_PART_NAME];
	size_t		 i;
	int		 r, first = 1;

	sbuf_init(&sb);
	sbuf_adds(&sb, "DROP VIEW IF EXISTS events; CREATE VIEW events("
	    PART_COLS ") AS");
	for (i = 0; i < s->nparts; i++) {
		if ((ssize_t)i == skip)
			continue;
		store_part_name(s->parts[i].part, name, sizeof(name));
		sbuf_addf(&sb, "%s SELECT " PART_COLS " FROM %s",
		    first ? "" : " UNION ALL", name);
		first = 0;
	}
	r = store_exec(s, sb.buf);
	sbuf_clear(&sb);
	return r;
}

/* The SQL of the views that name events, to create them again. */
static int
parts_saved_views(struct store *s, struct sbuf *sb)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "SELECT name, sql FROM sqlite_master"
	    " WHERE type = 'view' AND name IN ('events_full', 'connections')",
	    -1, &st, NULL) != SQLITE_OK) {
		store_log(s, "schema 8");
		return ERR_DB;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sbuf_addf(sb, "DROP VIEW %s;", store_col(st, 0));
		sbuf_adds(sb + 1, store_col(st, 1));
		sbuf_addc(sb + 1, ';');
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int
store_parts_migrate(struct store *s)
{
	struct sbuf	 sb[2];
	int		 r;

	sbuf_init(&sb[0]);
	sbuf_init(&sb[1]);
	if ((r = parts_saved_views(s, sb)) == 0 &&
	    (sb[0].len == 0 || (r = store_exec(s, sb[0].buf)) == 0) &&
	    (r = store_exec(s, "ALTER TABLE events RENAME TO events_part_1;"
	    "CREATE TABLE events_parts(part INTEGER PRIMARY KEY,"
	    " first_id INTEGER NOT NULL, created_ns INTEGER NOT NULL);"
	    "INSERT INTO events_parts VALUES (1, IFNULL((SELECT min(id) FROM"
	    " events_part_1), 1), IFNULL((SELECT min(time_ns) FROM"
	    " events_part_1), 0));"
	    "CREATE VIEW events(" STORE_PART_COLS_V8 ") AS SELECT "
	    STORE_PART_COLS_V8 " FROM events_part_1")) == 0 && sb[1].len > 0)
		r = store_exec(s, sb[1].buf);
	sbuf_clear(&sb[0]);
	sbuf_clear(&sb[1]);
	return r;
}

int
store_parts_migrate_v9(struct store *s)
{
	sqlite3_stmt	*st;
	struct sbuf	 sb;
	char		 name[STORE_PART_NAME], alter[STORE_PART_NAME + 64];
	int		 rc, r;

	if (sqlite3_prepare_v2(s->db, "SELECT part FROM events_parts ORDER BY"
	    " part", -1, &st, NULL) != SQLITE_OK) {
		store_log(s, "schema 9");
		return ERR_DB;
	}
	sbuf_init(&sb);
	sbuf_adds(&sb, "DROP VIEW IF EXISTS events; CREATE VIEW events("
	    PART_COLS ") AS");
	r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_part_name(sqlite3_column_int64(st, 0), name,
		    sizeof(name));
		sbuf_addf(&sb, "%s SELECT " PART_COLS " FROM %s",
		    r++ == 0 ? "" : " UNION ALL", name);
		snprintf(alter, sizeof(alter), "ALTER TABLE %s ADD COLUMN"
		    " stack_trace TEXT", name);
		if (store_exec(s, alter) != 0) {
			sqlite3_finalize(st);
			sbuf_clear(&sb);
			return ERR_DB;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || r == 0) {
		sbuf_clear(&sb);
		return ERR_DB;
	}
	r = store_exec(s, sb.buf);
	sbuf_clear(&sb);
	return r;
}

/* The insert of events rows into the newest part. */
static int
parts_prepare(struct store *s)
{
	sqlite3_stmt	*st;
	char		 name[STORE_PART_NAME], sql[384];

	store_part_name(s->parts[s->nparts - 1].part, name, sizeof(name));
	snprintf(sql, sizeof(sql), "INSERT INTO %s(" PART_COLS ") VALUES"
	    " (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?17)", name);
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		store_log(s, "events insert");
		return ERR_DB;
	}
	sqlite3_finalize(s->st[ST_INS_EVENT]);
	s->st[ST_INS_EVENT] = st;
	return 0;
}

int
store_parts_open(struct store *s)
{
	sqlite3_stmt	*st;
	int		 rc;

	free(s->parts);
	s->parts = NULL;
	s->nparts = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT part, first_id, created_ns FROM"
	    " events_parts ORDER BY part", -1, &st, NULL) != SQLITE_OK) {
		store_log(s, "events_parts");
		return ERR_DB;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->parts = xreallocarray(s->parts, s->nparts + 1,
		    sizeof(*s->parts));
		s->parts[s->nparts].part = sqlite3_column_int64(st, 0);
		s->parts[s->nparts].first_id = sqlite3_column_int64(st, 1);
		s->parts[s->nparts].created_ns = sqlite3_column_int64(st, 2);
		s->nparts++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || s->nparts == 0) {
		log_warnx("store: events_parts: %s", rc != SQLITE_DONE ?
		    sqlite3_errstr(rc) : "no part");
		return ERR_DB;
	}
	s->ev_next = 0;
	return parts_prepare(s);
}

int
store_parts_next_id(struct store *s, int64_t *id)
{
	const struct store_part *cur = &s->parts[s->nparts - 1];
	char	 sql[96], name[STORE_PART_NAME];
	int64_t	 max = 0;

	if (s->ev_next == 0) {
		store_part_name(cur->part, name, sizeof(name));
		snprintf(sql, sizeof(sql), "SELECT IFNULL(max(id), 0) FROM %s",
		    name);
		if (store_int_query(s, sql, &max) != 0)
			return ERR_DB;
		s->ev_next = max + 1 > cur->first_id ? max + 1 : cur->first_id;
	}
	*id = s->ev_next;
	return 0;
}

int
store_parts_roll(struct store *s, uint64_t now_ns)
{
	char	 name[STORE_PART_NAME], sql[768], ins[128];
	int64_t	 first, part = s->parts[s->nparts - 1].part + 1;
	int	 r;

	if (s->in_tx)
		return 0;
	if ((r = store_parts_next_id(s, &first)) != 0 ||
	    (r = store_begin(s)) != 0)
		return r;
	store_part_name(part, name, sizeof(name));
	snprintf(sql, sizeof(sql), part_ddl, name, name, name, name, name);
	snprintf(ins, sizeof(ins), "INSERT INTO events_parts VALUES (%lld,"
	    " %lld, %lld)", (long long)part, (long long)first,
	    (long long)now_ns);
	s->parts = xreallocarray(s->parts, s->nparts + 1, sizeof(*s->parts));
	s->parts[s->nparts].part = part;
	s->parts[s->nparts].first_id = first;
	s->parts[s->nparts].created_ns = (int64_t)now_ns;
	s->nparts++;
	if (store_exec(s, sql) != 0 || store_exec(s, ins) != 0 ||
	    parts_view(s, -1) != 0 || store_exec(s, "COMMIT") != 0) {
		if (!sqlite3_get_autocommit(s->db))
			(void)store_exec(s, "ROLLBACK");
		s->in_tx = 0;
		s->nparts--;
		return ERR_DB;
	}
	s->in_tx = 0;
	s->ret_old_part = 0;	/* its rows counted again */
	/* on failure the rows go on to the previous part: still in order */
	(void)parts_prepare(s);
	return 0;
}

/*
 * Drop the oldest part, inside the open transaction: its rows that keep
 * (an undelivered alert's events) moved to the newest part first.  The
 * view is made again without it; s->parts changes on store_parts_
 * dropped(), once committed.  *gone: rows deleted.
 */
int
store_parts_drop_oldest(struct store *s, const char *keep_set, int64_t *gone)
{
	char	 old[STORE_PART_NAME], cur[STORE_PART_NAME], sql[256];
	struct sbuf mv;
	int64_t	 rows = 0, moved = 0;
	int	 r;

	if (s->nparts < 2)
		return ERR_RANGE;
	store_part_name(s->parts[0].part, old, sizeof(old));
	store_part_name(s->parts[s->nparts - 1].part, cur, sizeof(cur));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", old);
	if (store_int_query(s, sql, &rows) != 0)
		return ERR_DB;
	if (keep_set != NULL) {
		sbuf_init(&mv);
		sbuf_addf(&mv, "INSERT INTO %s(" PART_COLS ") SELECT " PART_COLS
		    " FROM %s WHERE id IN (%s)", cur, old, keep_set);
		r = store_exec(s, mv.buf);
		sbuf_clear(&mv);
		if (r != 0)
			return ERR_DB;
		moved = sqlite3_changes(s->db);
	}
	snprintf(sql, sizeof(sql), "DROP TABLE %s; DELETE FROM events_parts"
	    " WHERE part = %lld", old, (long long)s->parts[0].part);
	if (store_exec(s, sql) != 0 || parts_view(s, 0) != 0)
		return ERR_DB;
	*gone = rows - moved;
	return 0;
}

void
store_parts_dropped(struct store *s)
{
	memmove(&s->parts[0], &s->parts[1], (s->nparts - 1) *
	    sizeof(*s->parts));
	s->nparts--;
}
