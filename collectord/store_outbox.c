/*
 * collectord/store_outbox.c -- the alert queue's statements: what the
 * outbox scheduler (collectord/outbox.c) reads and changes in the outbox
 * and deliveries tables after store_event_outbox() wrote the rows.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "xmalloc.h"

enum {
	Q_RESET_INFLIGHT,
	Q_DUE_GROUPS,
	Q_GROUP_ROWS,
	Q_NOVEL,
	Q_MERGE,
	Q_ADD_COUNT,
	Q_LEADER,
	Q_DUE,
	Q_INFLIGHT_ALL,
	Q_INFLIGHT_LATE,
	Q_SET_INFLIGHT,
	Q_SET_DEADLINE,
	Q_REQUEUE,
	Q_ROW,
	Q_JOB,
	Q_RESULT,
	Q_DELIVERY,
	Q_NEXT,
	Q_BACKLOG,
	Q_FOLD_ROWS,
	Q_MAX
};

/* A row's destination (outbox.c's pacing key): the receiver, or
 * "<kind> <target>" for action jobs. */
#define OB_DEST \
	"(CASE WHEN receiver = '' THEN kind || ' ' || IFNULL(target, '')" \
	" ELSE receiver END)"
/* Severity as enum al_severity: more urgent, higher. */
#define OB_RANK \
	"(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3" \
	" WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)"
/* A count of a summary job's payload (outbox.c), else NULL. */
#define OB_SUM(k) \
	"CASE WHEN json_valid(payload) THEN" \
	" json_extract(payload, '$.event.tripline_summary." k "') END"
/* Order of a destination's pending rows: most urgent, then oldest. */
#define OB_ORDER OB_RANK " DESC, next_attempt_ns, id"

#define OB_JOB_COLS \
	"id, receiver, kind, target, severity, idem_key, count, attempts," \
	" created, CASE WHEN json_valid(payload) THEN" \
	" json_extract(payload, '$.title') END, CASE WHEN json_valid(payload)" \
	" THEN json_extract(payload, '$.text') END, CASE WHEN" \
	" json_valid(payload) THEN json_extract(payload, '$.event') END"

static const char *const ob_sql[Q_MAX] = {
	[Q_RESET_INFLIGHT] =
	    "UPDATE outbox SET state = 'pending', next_attempt_ns = 0"
	    " WHERE state = 'inflight'",
	[Q_DUE_GROUPS] =
	    "SELECT route, receiver, group_key FROM outbox"
	    " WHERE state = 'waiting' GROUP BY route, receiver, group_key"
	    " HAVING min(next_attempt_ns) <= ?1 LIMIT "
	    "64",
	[Q_GROUP_ROWS] =
	    "SELECT id, severity, CASE WHEN json_valid(payload) THEN"
	    " json_extract(payload, '$.title') END, CASE WHEN"
	    " json_valid(payload) THEN json_extract(payload, '$.text') END,"
	    " CASE WHEN json_valid(payload) THEN json_extract(payload,"
	    " '$.event') END, CASE WHEN json_valid(payload) THEN"
	    " json_extract(payload, '$.fp') END FROM outbox"
	    " WHERE state = 'waiting' AND route IS ?1 AND receiver = ?2"
	    " AND group_key IS ?3 ORDER BY id",
	[Q_NOVEL] =
	    "SELECT count(*) FROM outbox w WHERE w.state = 'waiting'"
	    " AND w.route IS ?1 AND w.receiver = ?2 AND w.group_key IS ?3"
	    " AND (NOT json_valid(w.payload) OR json_extract(w.payload, '$.fp')"
	    " IS NULL OR json_extract(w.payload, '$.fp') NOT IN"
	    " (SELECT json_extract(payload, '$.fp') FROM outbox"
	    " WHERE (id = ?4 OR merged_into = ?4) AND json_valid(payload)"
	    " AND json_extract(payload, '$.fp') IS NOT NULL))",
	[Q_MERGE] =
	    "UPDATE outbox SET state = 'merged', merged_into = ?2"
	    " WHERE id = ?1",
	[Q_ADD_COUNT] =
	    "UPDATE outbox SET count = count + ?2 WHERE id = ?1",
	[Q_LEADER] =
	    "UPDATE outbox SET state = 'pending', count = ?2,"
	    " payload = IFNULL(?3, payload), severity = ?4,"
	    " next_attempt_ns = ?5 WHERE id = ?1",
	/* the first ?2 due rows of every destination, round robin */
	[Q_DUE] =
	    "SELECT id, created FROM (SELECT id, created, next_attempt_ns"
	    " AS t, " OB_RANK " AS rk, row_number() OVER (PARTITION BY "
	    OB_DEST " ORDER BY " OB_ORDER ") AS rn FROM outbox"
	    " WHERE state = 'pending' AND next_attempt_ns <= ?1)"
	    " WHERE rn <= ?2 ORDER BY rn, rk DESC, t, id",
	[Q_INFLIGHT_ALL] =
	    "SELECT id FROM outbox WHERE state = 'inflight' ORDER BY id",
	[Q_INFLIGHT_LATE] =
	    "SELECT id FROM outbox WHERE state = 'inflight'"
	    " AND next_attempt_ns <= ?1 ORDER BY id LIMIT 256",
	[Q_SET_INFLIGHT] =
	    "UPDATE outbox SET state = 'inflight', attempts = attempts + 1,"
	    " next_attempt_ns = ?2 WHERE id = ?1",
	[Q_SET_DEADLINE] =
	    "UPDATE outbox SET next_attempt_ns = ?2 WHERE id = ?1",
	[Q_REQUEUE] =
	    "UPDATE outbox SET state = 'pending', next_attempt_ns = ?2"
	    " WHERE id = ?1",
	[Q_ROW] =
	    "SELECT state, receiver, kind, target, attempts, created"
	    " FROM outbox WHERE id = ?1",
	[Q_JOB] = "SELECT " OB_JOB_COLS " FROM outbox WHERE id = ?1",
	[Q_RESULT] =
	    "UPDATE outbox SET state = ?2, next_attempt_ns = ?3,"
	    " last_error = ?4, delivered = ?5 WHERE id = ?1",
	[Q_DELIVERY] =
	    "INSERT INTO deliveries(outbox_id, attempt, time, status, code,"
	    " detail, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_NEXT] =
	    "SELECT min(next_attempt_ns) FROM outbox"
	    " WHERE state IN ('waiting', 'pending', 'inflight')",
	[Q_BACKLOG] =
	    "SELECT " OB_DEST ", count(*) FROM outbox WHERE state = 'pending'"
	    " GROUP BY 1 HAVING count(*) > ?1 LIMIT 64",
	/* a destination's pending rows past the first ?3 (but ?2) */
	[Q_FOLD_ROWS] =
	    "SELECT id, IFNULL(count, 1), attempts, " OB_RANK ", "
	    OB_SUM("alerts") ", " OB_SUM("severity.info") ", "
	    OB_SUM("severity.low") ", " OB_SUM("severity.medium") ", "
	    OB_SUM("severity.high") ", " OB_SUM("severity.critical")
	    " FROM outbox"
	    " WHERE state = 'pending' AND " OB_DEST " = ?1 AND id != ?2"
	    " ORDER BY " OB_ORDER " LIMIT -1 OFFSET ?3",
};

int
store_ob_prepare(struct store *s)
{
	int	 i;

	if (s->obq != NULL)
		return 0;
	s->obq = xcalloc(Q_MAX, sizeof(*s->obq));
	for (i = 0; i < Q_MAX; i++) {
		if (sqlite3_prepare_v3(s->db, ob_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->obq[i], NULL) !=
		    SQLITE_OK) {
			log_warnx("outbox: %.40s: %s", ob_sql[i],
			    sqlite3_errmsg(s->db));
			store_ob_close(s);
			return ERR_DB;
		}
	}
	return 0;
}

void
store_ob_close(struct store *s)
{
	int	 i;

	if (s->obq == NULL)
		return;
	for (i = 0; i < Q_MAX; i++)
		sqlite3_finalize(s->obq[i]);
	free(s->obq);
	s->obq = NULL;
}

static void
ob_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static char *
ob_dup(sqlite3_stmt *st, int i)
{
	const char	*v = store_col(st, i);

	return v != NULL ? xstrdup(v) : NULL;
}

static void
ob_bind_id(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Run a write; a written row counts toward the batch.  0 or ERR_DB. */
static int
ob_write(struct store *s, int which)
{
	sqlite3_stmt	*st = s->obq[which];
	int		 rc;

	if (store_begin(s) != 0) {	/* the batch failed: no more writes */
		ob_done(st);
		return ERR_DB;
	}
	rc = sqlite3_step(st);
	ob_done(st);
	if (store_write_ok(s, rc) != 0) {
		log_warnx("outbox: %.48s: %s", ob_sql[which],
		    sqlite3_errstr(rc));
		return ERR_DB;
	}
	store_write_done(s);
	return 0;
}

uint64_t
store_iso_ns(const char *v)
{
	struct tm	 tm;
	char		 frac[10] = "";
	uint64_t	 ns = 0;
	size_t		 i;

	if (v == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d.%9[0-9]", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    frac) < 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	for (i = 0; i < 9; i++)
		ns = ns * 10 + (i < strlen(frac) ? (uint64_t)(frac[i] - '0') :
		    0);
	return (uint64_t)timegm(&tm) * 1000000000ULL + ns;
}

int
store_ob_reset_inflight(struct store *s)
{
	sqlite3_stmt	*st = s->obq[Q_RESET_INFLIGHT];
	int		 n = ERR_DB;

	if (store_begin(s) != 0 || sqlite3_step(st) != SQLITE_DONE)
		log_warnx("outbox: resetting in-flight jobs: %s",
		    sqlite3_errmsg(s->db));
	else
		n = sqlite3_changes(s->db);
	sqlite3_reset(st);
	return n;
}

struct store_ob_group *
store_ob_due_groups(struct store *s, uint64_t now, size_t *n)
{
	sqlite3_stmt		*st = s->obq[Q_DUE_GROUPS];
	struct store_ob_group	*g = NULL;

	*n = 0;
	ob_bind_id(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		g = xreallocarray(g, *n + 1, sizeof(*g));
		g[*n].route = ob_dup(st, 0);
		g[*n].receiver = ob_dup(st, 1);
		g[*n].key = ob_dup(st, 2);
		(*n)++;
	}
	ob_done(st);
	return g;
}

void
store_ob_groups_free(struct store_ob_group *g, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(g[i].route);
		free(g[i].receiver);
		free(g[i].key);
	}
	free(g);
}

static void
ob_bind_group(sqlite3_stmt *st, const char *route, const char *receiver,
    const char *key)
{
	store_bind_str(st, 1, route);
	store_bind_str(st, 2, receiver);
	store_bind_str(st, 3, key);
}

struct store_ob_member *
store_ob_group_rows(struct store *s, const char *route, const char *receiver,
    const char *key, size_t *n)
{
	sqlite3_stmt		*st = s->obq[Q_GROUP_ROWS];
	struct store_ob_member	*m = NULL;

	*n = 0;
	ob_bind_group(st, route, receiver, key);
	while (sqlite3_step(st) == SQLITE_ROW) {
		m = xreallocarray(m, *n + 1, sizeof(*m));
		m[*n].id = (uint64_t)sqlite3_column_int64(st, 0);
		m[*n].severity = ob_dup(st, 1);
		m[*n].title = ob_dup(st, 2);
		m[*n].text = ob_dup(st, 3);
		m[*n].event = ob_dup(st, 4);
		m[*n].fp = ob_dup(st, 5);
		(*n)++;
	}
	ob_done(st);
	return m;
}

void
store_ob_members_free(struct store_ob_member *m, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(m[i].severity);
		free(m[i].title);
		free(m[i].text);
		free(m[i].event);
		free(m[i].fp);
	}
	free(m);
}

int
store_ob_novel(struct store *s, const char *route, const char *receiver,
    const char *key, uint64_t leader, int64_t *out)
{
	sqlite3_stmt	*st = s->obq[Q_NOVEL];
	int		 r = ERR_DB;

	ob_bind_group(st, route, receiver, key);
	ob_bind_id(st, 4, leader);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		r = 0;
	}
	ob_done(st);
	return r;
}

int
store_ob_merge(struct store *s, uint64_t id, uint64_t into)
{
	ob_bind_id(s->obq[Q_MERGE], 1, id);
	ob_bind_id(s->obq[Q_MERGE], 2, into);
	return ob_write(s, Q_MERGE);
}

int
store_ob_add_count(struct store *s, uint64_t id, uint64_t n)
{
	ob_bind_id(s->obq[Q_ADD_COUNT], 1, id);
	ob_bind_id(s->obq[Q_ADD_COUNT], 2, n);
	return ob_write(s, Q_ADD_COUNT);
}

int
store_ob_lead(struct store *s, uint64_t id, uint64_t count,
    const char *payload, const char *severity, uint64_t next)
{
	sqlite3_stmt	*st = s->obq[Q_LEADER];

	ob_bind_id(st, 1, id);
	ob_bind_id(st, 2, count);
	if (payload != NULL)
		sqlite3_bind_text(st, 3, payload, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, severity, -1, SQLITE_TRANSIENT);
	ob_bind_id(st, 5, next);
	return ob_write(s, Q_LEADER);
}

struct store_ob_due *
store_ob_due(struct store *s, uint64_t now, size_t per_dest, size_t *n)
{
	sqlite3_stmt		*st = s->obq[Q_DUE];
	struct store_ob_due	*d = NULL;

	*n = 0;
	ob_bind_id(st, 1, now);
	ob_bind_id(st, 2, per_dest);
	while (sqlite3_step(st) == SQLITE_ROW) {
		d = xreallocarray(d, *n + 1, sizeof(*d));
		d[*n].id = (uint64_t)sqlite3_column_int64(st, 0);
		d[*n].created_ns = store_iso_ns(store_col(st, 1));
		(*n)++;
	}
	ob_done(st);
	return d;
}

uint64_t *
store_ob_inflight(struct store *s, uint64_t late_at, size_t *n)
{
	int		 which = late_at ? Q_INFLIGHT_LATE : Q_INFLIGHT_ALL;
	sqlite3_stmt	*st = s->obq[which];
	uint64_t	*ids = NULL;

	*n = 0;
	if (late_at != 0)
		ob_bind_id(st, 1, late_at);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, *n + 1, sizeof(*ids));
		ids[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
	}
	ob_done(st);
	return ids;
}

static int
ob_id_u64(struct store *s, int which, uint64_t id, uint64_t v)
{
	ob_bind_id(s->obq[which], 1, id);
	ob_bind_id(s->obq[which], 2, v);
	return ob_write(s, which);
}

int
store_ob_set_inflight(struct store *s, uint64_t id, uint64_t deadline)
{
	return ob_id_u64(s, Q_SET_INFLIGHT, id, deadline);
}

int
store_ob_set_deadline(struct store *s, uint64_t id, uint64_t deadline)
{
	return ob_id_u64(s, Q_SET_DEADLINE, id, deadline);
}

int
store_ob_requeue(struct store *s, uint64_t id, uint64_t next)
{
	return ob_id_u64(s, Q_REQUEUE, id, next);
}

int
store_ob_row(struct store *s, uint64_t id, struct store_ob_row *row)
{
	sqlite3_stmt	*st = s->obq[Q_ROW];
	int		 found = 0;

	memset(row, 0, sizeof(*row));
	ob_bind_id(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		row->state = ob_dup(st, 0);
		row->receiver = ob_dup(st, 1);
		row->kind = ob_dup(st, 2);
		row->target = ob_dup(st, 3);
		row->attempts = sqlite3_column_int64(st, 4);
		row->created_ns = store_iso_ns(store_col(st, 5));
		found = 1;
	}
	ob_done(st);
	return found;
}

void
store_ob_row_free(struct store_ob_row *row)
{
	free(row->state);
	free(row->receiver);
	free(row->kind);
	free(row->target);
	memset(row, 0, sizeof(*row));
}

int
store_ob_job(struct store *s, uint64_t id, struct store_ob_job *job)
{
	sqlite3_stmt	*st = s->obq[Q_JOB];

	memset(job, 0, sizeof(*job));
	ob_bind_id(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		ob_done(st);
		return 0;
	}
	job->id = (uint64_t)sqlite3_column_int64(st, 0);
	job->receiver = store_col(st, 1);
	job->kind = store_col(st, 2);
	job->target = store_col(st, 3);
	job->severity = store_col(st, 4);
	job->idem_key = store_col(st, 5);
	job->count = sqlite3_column_int64(st, 6);
	job->attempts = sqlite3_column_int64(st, 7);
	job->title = store_col(st, 9);
	job->text = store_col(st, 10);
	job->event = store_col(st, 11);
	return 1;
}

void
store_ob_job_done(struct store *s)
{
	ob_done(s->obq[Q_JOB]);
}

int
store_ob_result(struct store *s, uint64_t id, const char *state,
    uint64_t next, const char *error, const char *delivered)
{
	sqlite3_stmt	*st = s->obq[Q_RESULT];

	ob_bind_id(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT);
	if (next != 0)
		ob_bind_id(st, 3, next);
	store_bind_str(st, 4, error);
	store_bind_str(st, 5, delivered);
	return ob_write(s, Q_RESULT);
}

int
store_ob_delivery(struct store *s, uint64_t id, int64_t attempt,
    const char *time, const char *status, uint32_t code, const char *detail,
    double ms)
{
	sqlite3_stmt	*st = s->obq[Q_DELIVERY];

	ob_bind_id(st, 1, id);
	sqlite3_bind_int64(st, 2, attempt);
	sqlite3_bind_text(st, 3, time, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, code);
	store_bind_str(st, 6, detail);
	sqlite3_bind_double(st, 7, ms);
	return ob_write(s, Q_DELIVERY);
}

int
store_ob_next(struct store *s, uint64_t *next)
{
	sqlite3_stmt	*st = s->obq[Q_NEXT];
	int		 has = 0;

	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*next = (uint64_t)sqlite3_column_int64(st, 0);
		has = 1;
	}
	sqlite3_reset(st);
	return has;
}

struct store_ob_backlog *
store_ob_backlog(struct store *s, size_t cap, size_t *n)
{
	sqlite3_stmt		*st = s->obq[Q_BACKLOG];
	struct store_ob_backlog	*b = NULL;

	*n = 0;
	ob_bind_id(st, 1, cap);
	while (sqlite3_step(st) == SQLITE_ROW) {
		b = xreallocarray(b, *n + 1, sizeof(*b));
		b[*n].dest = xstrdup(store_col(st, 0) != NULL ?
		    store_col(st, 0) : "");
		b[*n].rows = (uint64_t)sqlite3_column_int64(st, 1);
		(*n)++;
	}
	ob_done(st);
	return b;
}

void
store_ob_backlog_free(struct store_ob_backlog *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(b[i].dest);
	free(b);
}

/* A count column: NULL or below 0 is 0. */
static uint64_t
ob_count(sqlite3_stmt *st, int i)
{
	int64_t	 v = sqlite3_column_int64(st, i);

	return v > 0 ? (uint64_t)v : 0;
}

struct store_ob_fold *
store_ob_fold_rows(struct store *s, const char *dest, uint64_t except,
    size_t keep, size_t *n)
{
	sqlite3_stmt		*st = s->obq[Q_FOLD_ROWS];
	struct store_ob_fold	*f = NULL;
	int64_t			 rank;
	int			 k;

	*n = 0;
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_TRANSIENT);
	ob_bind_id(st, 2, except);
	ob_bind_id(st, 3, keep);
	while (sqlite3_step(st) == SQLITE_ROW) {
		f = xreallocarray(f, *n + 1, sizeof(*f));
		f[*n].id = (uint64_t)sqlite3_column_int64(st, 0);
		f[*n].count = (uint64_t)sqlite3_column_int64(st, 1);
		f[*n].attempts = sqlite3_column_int64(st, 2);
		rank = sqlite3_column_int64(st, 3);
		f[*n].rank = rank >= 0 && rank <= 4 ? (int)rank : 0;
		f[*n].alerts = ob_count(st, 4);
		for (k = 0; k < 5; k++)
			f[*n].sev[k] = ob_count(st, 5 + k);
		(*n)++;
	}
	ob_done(st);
	return f;
}
