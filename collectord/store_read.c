/*
 * collectord/store_read.c -- read-only access to events.db for
 * triplinectl (tail, alerts).  A reader never blocks collectord: WAL.
 * The file belongs to the collector's user, so its content is untrusted:
 * the connection is read-only and defensive (store_harden), and views and
 * triggers are off (the queries name tables only; a table swapped for a
 * view by a compromised collector is an error, not a query of its choice).
 * So `events`, a view over its parts, is read as the parts' tables
 * themselves, named from the integers in events_parts.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "store_int.h"
#include "xmalloc.h"

#define STORE_RO_BUSY_MS	2000

struct store_ro {
	sqlite3		*db;
	sqlite3_stmt	*tail;
	sqlite3_stmt	*alerts;
	int64_t		 after;		/* the tail walk: last id seen */
	int		 retried;	/* ... prepared again once */
};

/* Network events carry their tuple (store_int.h STORE_NET_*): the
 * columns 15 .. 24, the first one 1 for a network event. */
static const char store_ro_tail_sql[] =
    "SELECT z.id, z.time, z.type, p.pid, p.binary, p.arguments, "
    "p.cwd, p.uid, pp.pid, pp.binary, p.exit_code, p.exit_signal, "
    "z.policy_name, z.function_name, z.action, " STORE_NET_IS("z") ", "
    STORE_NET_COLS("z") " FROM (" STORE_NET_L2(STORE_NET_L1("@E e "
    "WHERE e.id > ?1 ORDER BY e.id LIMIT ?2")) ") z "
    "LEFT JOIN processes p ON p.exec_id = z.exec_id "
    "LEFT JOIN processes pp ON pp.exec_id = z.parent_exec_id "
    "ORDER BY z.id";

struct store_ro *
store_ro_open(const char *path, char *err, size_t errsz)
{
	struct store_ro	*ro;

	ro = xcalloc(1, sizeof(*ro));
	if (sqlite3_open_v2(path, &ro->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(ro->db));
		store_ro_close(ro);
		return NULL;
	}
	sqlite3_busy_timeout(ro->db, STORE_RO_BUSY_MS);
	if (store_harden(ro->db) != 0 ||
	    sqlite3_db_config(ro->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(ro->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0,
	    NULL) != SQLITE_OK) {
		snprintf(err, errsz, "connection settings: %s",
		    sqlite3_errmsg(ro->db));
		store_ro_close(ro);
		return NULL;
	}
	return ro;
}

void
store_ro_close(struct store_ro *ro)
{
	if (ro == NULL)
		return;
	sqlite3_finalize(ro->tail);
	sqlite3_finalize(ro->alerts);
	sqlite3_close(ro->db);
	free(ro);
}

const char *
store_ro_errmsg(struct store_ro *ro)
{
	return sqlite3_errmsg(ro->db);
}

/*
 * The events rows as a FROM source: "(SELECT ... FROM events_part_1 UNION
 * ALL ...)" from events_parts, or the events table of a database older
 * than schema 8.
 */
static int
store_ro_events(struct store_ro *ro, struct sbuf *sb)
{
	sqlite3_stmt	*st;
	char		 name[STORE_PART_NAME];
	const char	*cols = STORE_PART_COLS;
	int		 rc, n = 0;

	/* schema 8 (not migrated yet): the parts have no stack_trace */
	if (sqlite3_prepare_v2(ro->db, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_int64(st, 0) < 9)
			cols = STORE_PART_COLS_V8;
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(ro->db, "SELECT part FROM events_parts ORDER"
	    " BY part", -1, &st, NULL) != SQLITE_OK) {
		sbuf_adds(sb, "events");
		return 0;
	}
	sbuf_addc(sb, '(');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_part_name(sqlite3_column_int64(st, 0), name,
		    sizeof(name));
		sbuf_addf(sb, "%sSELECT %s FROM %s",
		    n++ > 0 ? " UNION ALL " : "", cols, name);
	}
	sqlite3_finalize(st);
	sbuf_addc(sb, ')');
	return rc == SQLITE_DONE && n > 0 ? 0 : ERR_DB;
}

/* sql with @E the events source, prepared into *st. */
static int
store_ro_prepare(struct store_ro *ro, const char *sql, sqlite3_stmt **st)
{
	struct sbuf	 src, q;
	int		 r = ERR_DB;

	sbuf_init(&src);
	sbuf_init(&q);
	if (store_ro_events(ro, &src) == 0) {
		store_subst(&q, sql, "@E", src.buf);
		if (sqlite3_prepare_v2(ro->db, q.buf, -1, st, NULL) ==
		    SQLITE_OK)
			r = 0;
	}
	sbuf_clear(&src);
	sbuf_clear(&q);
	return r;
}

int
store_ro_last_event(struct store_ro *ro, int64_t *id)
{
	sqlite3_stmt	*st;

	*id = 0;
	if (store_ro_prepare(ro, "SELECT IFNULL((SELECT id FROM @E ORDER BY"
	    " id DESC LIMIT 1), 0)", &st) != 0)
		return ERR_DB;
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Parts come and go: the walk's statement is made again at each one. */
int
store_ro_tail(struct store_ro *ro, int64_t after)
{
	sqlite3_finalize(ro->tail);
	ro->tail = NULL;
	if (store_ro_prepare(ro, store_ro_tail_sql, &ro->tail) != 0)
		return ERR_DB;
	sqlite3_bind_int64(ro->tail, 1, after);
	sqlite3_bind_int64(ro->tail, 2, STORE_TAIL_BATCH);
	ro->after = after;
	ro->retried = 0;
	return 0;
}

/* The tuple columns (STORE_NET_COLS) from column i on. */
static void
store_ro_tail_net(sqlite3_stmt *st, int i, struct store_net_row *n)
{
	n->is_net = 1;
	n->protocol = store_col(st, i);
	n->family = store_col(st, i + 1);
	n->saddr = store_col(st, i + 2);
	n->has_sport = sqlite3_column_type(st, i + 3) != SQLITE_NULL;
	n->sport = sqlite3_column_int64(st, i + 3);
	n->daddr = store_col(st, i + 4);
	n->has_dport = sqlite3_column_type(st, i + 5) != SQLITE_NULL;
	n->dport = sqlite3_column_int64(st, i + 5);
	n->state = store_col(st, i + 6);
	n->new_state = store_col(st, i + 7);
	n->direction = store_col(st, i + 8);
}

int
store_ro_tail_next(struct store_ro *ro, struct store_tail_row *r)
{
	sqlite3_stmt	*st = ro->tail;
	int		 rc;

	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		/* a part dropped since the walk began: once more, from the
		 * last row seen */
		if (rc != SQLITE_DONE && rc != SQLITE_BUSY && !ro->retried &&
		    store_ro_tail(ro, ro->after) == 0) {
			ro->retried = 1;
			return store_ro_tail_next(ro, r);
		}
		if (rc != SQLITE_DONE && rc != SQLITE_BUSY)
			return ERR_DB;
		sqlite3_reset(st);
		return 0;
	}
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	ro->after = r->id;
	r->time = store_col(st, 1);
	r->type = store_col(st, 2);
	r->pid = sqlite3_column_int64(st, 3);
	r->binary = store_col(st, 4);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
		r->args = store_col(st, 5);
		r->args_len = (size_t)sqlite3_column_bytes(st, 5);
	}
	r->cwd = store_col(st, 6);
	r->uid = sqlite3_column_int(st, 7);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		r->has_parent = 1;
		r->parent_pid = sqlite3_column_int64(st, 8);
	}
	r->parent_binary = store_col(st, 9);
	r->exit_code = sqlite3_column_int(st, 10);
	r->exit_signal = sqlite3_column_int(st, 11);
	r->policy = store_col(st, 12);
	r->function = store_col(st, 13);
	r->action = store_col(st, 14);
	if (sqlite3_column_int(st, 15) != 0)
		store_ro_tail_net(st, 16, &r->net);
	return 1;
}

int
store_ro_alerts(struct store_ro *ro, int which, int count)
{
	const char	*filter;
	char		 sql[1024];

	filter = which == STORE_ALERTS_PENDING ? "WHERE state IN ('waiting',"
	    " 'pending', 'inflight')" : which == STORE_ALERTS_FAILED ?
	    "WHERE state = 'dead'" : "";
	snprintf(sql, sizeof(sql),
	    "SELECT id, created, receiver, kind, target, state, attempts,"
	    " last_error, idem_key, CASE WHEN json_valid(payload) THEN"
	    " json_extract(payload, '$.title') END, count, severity, route,"
	    " merged_into, delivered FROM (SELECT * FROM outbox %s"
	    " ORDER BY id DESC LIMIT %d) ORDER BY id", filter, count);
	sqlite3_finalize(ro->alerts);
	ro->alerts = NULL;
	if (sqlite3_prepare_v2(ro->db, sql, -1, &ro->alerts, NULL) !=
	    SQLITE_OK)
		return ERR_DB;
	return 0;
}

int
store_ro_alerts_next(struct store_ro *ro, struct store_alert_row *r)
{
	sqlite3_stmt	*st = ro->alerts;
	int		 rc;

	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : ERR_DB;
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->created = store_col(st, 1);
	r->receiver = store_col(st, 2);
	r->kind = store_col(st, 3);
	r->target = store_col(st, 4);
	r->state = store_col(st, 5);
	r->attempts = sqlite3_column_int64(st, 6);
	r->last_error = store_col(st, 7);
	r->idem_key = store_col(st, 8);
	r->title = store_col(st, 9);
	r->count = sqlite3_column_int64(st, 10);
	r->severity = store_col(st, 11);
	r->route = store_col(st, 12);
	if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
		r->has_merged = 1;
		r->merged_into = sqlite3_column_int64(st, 13);
	}
	r->delivered = store_col(st, 14);
	return 1;
}
