/*
 * collectord/store_forward.c -- committed events rows for the syslog
 * forwarder (store_forward.h).  Part of the store module: it uses the
 * store's connection, read-only.
 */
#include "build.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "store_forward.h"
#include "store_int.h"

static int
store_fwd_u64(struct store *s, const char *sql, uint64_t a, uint64_t b,
    uint64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	*out = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_log(s, "forward");
		return ERR_DB;
	}
	if (sqlite3_bind_parameter_count(st) >= 2) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)a);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)b);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_log(s, "forward");
		return ERR_DB;
	}
	return 0;
}

int
store_fwd_max_id(struct store *s, uint64_t *out)
{
	return store_fwd_u64(s, "SELECT id FROM events ORDER BY id DESC LIMIT 1",
	    0, 0, out);
}

int
store_fwd_count(struct store *s, uint64_t after, uint64_t upto,
    uint64_t *out)
{
	return store_fwd_u64(s, "SELECT count(*) FROM events WHERE id > ?1"
	    " AND id <= ?2", after, upto, out);
}

static int64_t
store_fwd_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, i);
}

static void
store_fwd_fill(sqlite3_stmt *st, struct store_fwd_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = (uint64_t)sqlite3_column_int64(st, 0);
	r->time = store_col(st, 1);
	r->type = store_col(st, 2);
	r->exec_id = store_col(st, 3);
	r->parent_exec_id = store_col(st, 4);
	r->policy = store_col(st, 5);
	r->function = store_col(st, 6);
	r->action = store_col(st, 7);
	r->args = store_col(st, 8);
	r->ret = store_col(st, 9);
	r->message = store_col(st, 10);
	r->tags = store_col(st, 11);
	r->monitor_would = store_col(st, 12);
	r->pid = store_fwd_int(st, 13);
	r->uid = store_fwd_int(st, 14);
	r->binary = store_col(st, 15);
	r->arguments = store_col(st, 16);
}

int
store_fwd_rows(struct store *s, uint64_t after, size_t limit,
    int (*cb)(void *, const struct store_fwd_row *), void *arg)
{
	sqlite3_stmt		*st;
	struct store_fwd_row	 r;
	int			 rc, n = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT e.id, e.time, e.type,"
	    " e.exec_id, e.parent_exec_id, e.policy_name, e.function_name,"
	    " e.action, e.args, e.return_value, e.message, e.tags,"
	    " e.monitor_would, p.pid, p.uid, p.binary, p.arguments"
	    " FROM events e LEFT JOIN processes p ON p.exec_id = e.exec_id"
	    " WHERE e.id > ?1 ORDER BY e.id LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK) {
		store_log(s, "forward");
		return ERR_DB;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_fwd_fill(st, &r);
		n++;
		if (cb(arg, &r) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_log(s, "forward");
		return ERR_DB;
	}
	return n;
}
