/* collectord/store.c -- the SQLite event store. */
#include "build.h"

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "compat.h"
#include "decode.h"
#include "err.h"
#include "jsonw.h"
#include "log.h"
#include "pcache.h"
#include "store.h"
#include "store_int.h"
#include "str.h"
#include "xmalloc.h"

/*
 * Short: the only other writer is a person with the sqlite3 CLI; while it
 * holds the write lock, the collector leaves records in the ring buffer
 * and retries from its event loop instead of stalling it.
 */
#define STORE_BUSY_MS	10
/* Pages of a new database: fewer, larger B-tree pages make an insert
 * cheaper (docs/schema.md) */
#define STORE_PAGE_SIZE_S	"16384"

static const char *const store_sql[ST_MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_INS_PROC] =
	    "INSERT INTO processes(exec_id, pid, tid, ppid, uid, euid, gid, "
	    "egid, auid, binary, arguments, cwd, flags, start_time, ktime, "
	    "parent_exec_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT(exec_id) DO NOTHING",
	[ST_EXIT_PROC] =
	    "UPDATE processes SET exit_time = ?2, exit_code = ?3, "
	    "exit_signal = ?4 WHERE exec_id = ?1",
	[ST_GONE_PROC] =
	    "UPDATE processes SET exit_time = ?2 WHERE exec_id = ?1 "
	    "AND exit_time IS NULL",
	[ST_STALE_PROC] =
	    "UPDATE processes SET exit_time = ?2, "
	    "flags = CASE WHEN flags IS NULL OR flags = '' THEN 'stale' "
	    "ELSE flags || ' stale' END "
	    "WHERE exec_id = ?1 AND exit_time IS NULL",
	/* prepared by store_parts.c for the newest part; this for logs */
	[ST_INS_EVENT] = "INSERT INTO events_part_N (store_parts.c)",
	[ST_SAVEPOINT] = "SAVEPOINT store_event",
	[ST_RELEASE] = "RELEASE store_event",
	[ST_ROLLBACK_TO] = "ROLLBACK TO store_event",
	[ST_INS_DROP] =
	    "INSERT INTO drops(time, time_ns, source, hook_policy, "
	    "hook_function, count, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_INS_OUTBOX] =
	    "INSERT INTO outbox(created, event_id, receiver, route, kind, "
	    "target, severity, state, group_key, next_attempt_ns, payload) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_SET_IDEM] = "UPDATE outbox SET idem_key = ?2 WHERE id = ?1",
	[ST_META_ADD] =
	    "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) "
	    "DO UPDATE SET value = CAST(value AS INTEGER) + ?2",
	[ST_META_SET] =
	    "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) "
	    "DO UPDATE SET value = ?2",
};

/* Schema version 1: the public contract documented in docs/schema.md. */
static const char store_schema_v1[] =
    "CREATE TABLE processes("
    " exec_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, tid INTEGER,"
    " ppid INTEGER, uid INTEGER, euid INTEGER, gid INTEGER, egid INTEGER,"
    " auid INTEGER, binary TEXT, arguments TEXT, cwd TEXT, flags TEXT,"
    " start_time TEXT, ktime INTEGER, parent_exec_id TEXT,"
    " exit_time TEXT, exit_code INTEGER, exit_signal INTEGER);"
    "CREATE INDEX processes_pid ON processes(pid);"
    "CREATE INDEX processes_parent ON processes(parent_exec_id);"
    "CREATE TABLE events("
    " id INTEGER PRIMARY KEY, time TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " type TEXT NOT NULL, exec_id TEXT, parent_exec_id TEXT,"
    " policy_name TEXT, function_name TEXT, action TEXT, args TEXT,"
    " return_value TEXT);"
    "CREATE INDEX events_exec_id ON events(exec_id);"
    "CREATE INDEX events_time_ns ON events(time_ns);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE VIEW process_ancestors(exec_id, depth, ancestor_exec_id, pid,"
    " binary, arguments) AS"
    " WITH RECURSIVE anc(exec_id, depth, ancestor_exec_id) AS ("
    "  SELECT exec_id, 0, exec_id FROM processes"
    "  UNION ALL"
    "  SELECT anc.exec_id, anc.depth + 1, p.parent_exec_id"
    "  FROM anc JOIN processes p ON p.exec_id = anc.ancestor_exec_id"
    "  WHERE p.parent_exec_id IS NOT NULL AND p.parent_exec_id != ''"
    "  AND anc.depth < 256)"
    " SELECT anc.exec_id, anc.depth, anc.ancestor_exec_id, q.pid, q.binary,"
    " q.arguments FROM anc LEFT JOIN processes q"
    " ON q.exec_id = anc.ancestor_exec_id;"
    "CREATE VIEW events_full AS"
    " SELECT e.id, e.time, e.time_ns, e.type, e.exec_id, e.parent_exec_id,"
    " e.policy_name, e.function_name, e.action, e.args, e.return_value,"
    " p.pid AS pid, p.binary AS binary, p.arguments AS arguments,"
    " p.cwd AS cwd, p.uid AS uid,"
    " pp.pid AS parent_pid, pp.binary AS parent_binary"
    " FROM events e"
    " LEFT JOIN processes p ON p.exec_id = e.exec_id"
    " LEFT JOIN processes pp ON pp.exec_id = e.parent_exec_id;";

/*
 * Schema version 2 (policy events): more events columns, the alerts
 * table for the notifier, events_full with the new columns appended.
 */
static const char store_schema_v2[] =
    "ALTER TABLE events ADD COLUMN message TEXT;"
    "ALTER TABLE events ADD COLUMN tags TEXT;"
    "ALTER TABLE events ADD COLUMN actions TEXT;"
    "ALTER TABLE events ADD COLUMN monitor_would TEXT;"
    "CREATE TABLE alerts("
    " id INTEGER PRIMARY KEY, event_id INTEGER REFERENCES events(id),"
    " created TEXT, kind TEXT NOT NULL CHECK (kind IN ('geturl',"
    " 'dnslookup')), target TEXT, state TEXT DEFAULT 'pending',"
    " attempts INTEGER DEFAULT 0, last_error TEXT);"
    "CREATE INDEX alerts_state ON alerts(state);"
    "CREATE INDEX alerts_event_id ON alerts(event_id);"
    "DROP VIEW events_full;"
    "CREATE VIEW events_full AS"
    " SELECT e.id, e.time, e.time_ns, e.type, e.exec_id, e.parent_exec_id,"
    " e.policy_name, e.function_name, e.action, e.args, e.return_value,"
    " p.pid AS pid, p.binary AS binary, p.arguments AS arguments,"
    " p.cwd AS cwd, p.uid AS uid,"
    " pp.pid AS parent_pid, pp.binary AS parent_binary,"
    " e.message, e.tags, e.actions, e.monitor_would"
    " FROM events e"
    " LEFT JOIN processes p ON p.exec_id = e.exec_id"
    " LEFT JOIN processes pp ON pp.exec_id = e.parent_exec_id;";

/*
 * Schema version 3: the drops table (records the BPF programs lost because
 * the ring buffer was full, as loaderd reports them).
 */
static const char store_schema_v3[] =
    "CREATE TABLE drops("
    " id INTEGER PRIMARY KEY, time TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK (source IN ('ring_buffer', 'hook')),"
    " hook_policy TEXT, hook_function TEXT,"
    " count INTEGER NOT NULL, total INTEGER NOT NULL);"
    "CREATE INDEX drops_time_ns ON drops(time_ns);";

/*
 * Schema version 4: alert delivery.  The outbox (one row per alert job:
 * GetUrl/DnsLookup actions and routed policy hits), the deliveries log
 * (one row per attempt), and `alerts` becomes a view over the outbox's
 * action rows.  The v3 alerts rows keep their ids (and so their
 * idempotency keys are derived from them); rows that were never sent are
 * pending.
 */
/*
 * Schema version 5: drops.source may be 'sockown_full' (sockets the
 * socket-tracking map had no room for).  SQLite cannot change a CHECK in
 * place: the table is rebuilt with its rows and ids.
 */
static const char store_schema_v5_drops[] =
    "CREATE TABLE drops_v5("
    " id INTEGER PRIMARY KEY, time TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK (source IN ('ring_buffer', 'hook',"
    " 'sockown_full')),"
    " hook_policy TEXT, hook_function TEXT,"
    " count INTEGER NOT NULL, total INTEGER NOT NULL);"
    "INSERT INTO drops_v5 SELECT id, time, time_ns, source, hook_policy,"
    " hook_function, count, total FROM drops;"
    "DROP TABLE drops;"
    "ALTER TABLE drops_v5 RENAME TO drops;"
    "CREATE INDEX drops_time_ns ON drops(time_ns);";

/*
 * Schema version 6: drops.source may be 'syslog_backlog' and
 * 'syslog_refused' (events the syslog forwarder skipped: they stay in
 * events but never reach syslog.target).  Rebuilt as in version 5.
 */
static const char store_schema_v6[] =
    "CREATE TABLE drops_v6("
    " id INTEGER PRIMARY KEY, time TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK (source IN ('ring_buffer', 'hook',"
    " 'sockown_full', 'syslog_backlog', 'syslog_refused')),"
    " hook_policy TEXT, hook_function TEXT,"
    " count INTEGER NOT NULL, total INTEGER NOT NULL);"
    "INSERT INTO drops_v6 SELECT id, time, time_ns, source, hook_policy,"
    " hook_function, count, total FROM drops;"
    "DROP TABLE drops;"
    "ALTER TABLE drops_v6 RENAME TO drops;"
    "CREATE INDEX drops_time_ns ON drops(time_ns);";

static const char store_schema_v4[] =
    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY, created TEXT, event_id INTEGER,"
    " receiver TEXT NOT NULL DEFAULT '', route TEXT,"
    " kind TEXT NOT NULL CHECK (kind IN ('slack', 'sms', 'email',"
    " 'webhook', 'canary_http', 'canary_dns')),"
    " target TEXT, severity TEXT, idem_key TEXT UNIQUE,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('waiting',"
    " 'pending', 'inflight', 'delivered', 'dead', 'merged')),"
    " group_key TEXT, merged_into INTEGER, count INTEGER DEFAULT 1,"
    " attempts INTEGER DEFAULT 0, next_attempt_ns INTEGER,"
    " last_error TEXT, delivered TEXT, payload TEXT);"
    "CREATE INDEX outbox_state ON outbox(state, next_attempt_ns);"
    "CREATE INDEX outbox_event_id ON outbox(event_id);"
    "CREATE INDEX outbox_merged_into ON outbox(merged_into);"
    "CREATE TABLE deliveries("
    " id INTEGER PRIMARY KEY, outbox_id INTEGER, attempt INTEGER,"
    " time TEXT, status TEXT CHECK (status IN ('delivered', 'retry',"
    " 'failed', 'dead')), code INTEGER, detail TEXT, duration_ms REAL);"
    "CREATE INDEX deliveries_outbox_id ON deliveries(outbox_id);"
    "INSERT INTO outbox(id, created, event_id, receiver, route, kind,"
    " target, severity, idem_key, state, attempts, next_attempt_ns,"
    " last_error, payload)"
    " SELECT a.id, a.created, a.event_id, '', NULL,"
    " CASE a.kind WHEN 'geturl' THEN 'canary_http' ELSE 'canary_dns' END,"
    " a.target, 'info', 'tl-' || IFNULL((SELECT value FROM meta"
    " WHERE key = 'node_name'), 'unknown') || '-' || a.id,"
    " CASE WHEN a.state IN ('delivered', 'dead') THEN a.state"
    " WHEN a.state = 'failed' THEN 'dead' ELSE 'pending' END,"
    " IFNULL(a.attempts, 0), 0, a.last_error,"
    " json_object('title', '[info] ' || IFNULL(e.policy_name, '?') ||"
    " ': ' || CASE a.kind WHEN 'geturl' THEN 'GetUrl ' ELSE"
    " 'DnsLookup ' END || IFNULL(a.target, ''),"
    " 'text', 'policy: ' || IFNULL(e.policy_name, '?') || char(10) ||"
    " 'function: ' || IFNULL(e.function_name, '?') || char(10) ||"
    " 'time: ' || IFNULL(e.time, '?') || char(10) || '(migrated from"
    " schema version 3)',"
    " 'event', json_object(IFNULL(e.type, 'process_kprobe'),"
    " json_object('policy_name', e.policy_name, 'function_name',"
    " e.function_name, 'action', e.action), 'time', e.time))"
    " FROM alerts a LEFT JOIN events e ON e.id = a.event_id;"
    "DROP TABLE alerts;"
    "CREATE VIEW alerts(id, event_id, created, kind, target, state,"
    " attempts, last_error) AS"
    " SELECT id, event_id, created,"
    " CASE kind WHEN 'canary_http' THEN 'geturl' ELSE 'dnslookup' END,"
    " target, state, attempts, last_error FROM outbox"
    " WHERE receiver = '' AND kind IN ('canary_http', 'canary_dns');";

/*
 * Schema version 5: the connections view, one row per network event (an
 * event whose args hold a sock, skb or sockaddr object) with its process,
 * the parent, and the tuple (store_int.h STORE_NET_*).
 */
static const char store_schema_v5[] =
    "CREATE VIEW connections AS"
    " SELECT z.id AS event_id, z.time, z.time_ns, z.type AS event_type,"
    " z.policy_name, z.function_name, z.action, z.exec_id, p.pid,"
    " p.binary, p.arguments, z.parent_exec_id, pp.pid AS parent_pid,"
    " pp.binary AS parent_binary, " STORE_NET_COLS("z")
    " FROM (" STORE_NET_L2(STORE_NET_L1("events e")) ") z"
    " LEFT JOIN processes p ON p.exec_id = z.exec_id"
    " LEFT JOIN processes pp ON pp.exec_id = z.parent_exec_id"
    " WHERE " STORE_NET_IS("z") ";";

/*
 * Schema version 7: events.late, 1 for a policy event decided at syscall
 * exit because an argument could not be read at entry.
 */
static const char store_schema_v7[] =
    "ALTER TABLE events ADD COLUMN late INTEGER NOT NULL DEFAULT 0;";

void
store_log(struct store *s, const char *what)
{
	log_warnx("store: %s: %s", what, sqlite3_errmsg(s->db));
}

int
store_exec(struct store *s, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("store: %.40s...: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return ERR_DB;
	}
	return 0;
}

int
store_stmt_int(struct store *s, sqlite3_stmt *st, int64_t *out)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		log_warnx("store: %.48s: %s", sqlite3_sql(st),
		    sqlite3_errstr(rc));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : ERR_DB;
}

int
store_int_query(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_log(s, sql);
		return ERR_DB;
	}
	return store_stmt_int(s, st, out);
}

static int
store_migrate(struct store *s, const char *node)
{
	int64_t		 ver = 0;
	sqlite3_stmt	*st = NULL;
	char		 sql[64];
	int		 r;

	if ((r = store_int_query(s, "PRAGMA user_version", &ver)) != 0)
		return r;
	if (ver > STORE_SCHEMA_VERSION) {
		log_warnx("store: schema version %lld is newer than %d",
		    (long long)ver, STORE_SCHEMA_VERSION);
		return ERR_VERSION;
	}
	if ((r = store_exec(s, "BEGIN IMMEDIATE")) != 0)
		return r;
	if (ver < 1 && (r = store_exec(s, store_schema_v1)) != 0)
		goto fail;
	if (ver < 2 && (r = store_exec(s, store_schema_v2)) != 0)
		goto fail;
	if (ver < 3 && (r = store_exec(s, store_schema_v3)) != 0)
		goto fail;
	if (ver < 4 && (r = store_exec(s, store_schema_v4)) != 0)
		goto fail;
	if (ver < 5 && ((r = store_exec(s, store_schema_v5_drops)) != 0 ||
	    (r = store_exec(s, store_schema_v5)) != 0))
		goto fail;
	if (ver < 6 && (r = store_exec(s, store_schema_v6)) != 0)
		goto fail;
	if (ver < 7 && (r = store_exec(s, store_schema_v7)) != 0)
		goto fail;
	if (ver < 8 && (r = store_parts_migrate(s)) != 0)
		goto fail;
	if (ver < 9 && (r = store_parts_migrate_v9(s)) != 0)
		goto fail;
	if (ver > 0 && ver < STORE_SCHEMA_VERSION)
		log_info("store: schema migrated from version %lld to %d",
		    (long long)ver, STORE_SCHEMA_VERSION);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if ((r = store_exec(s, sql)) != 0)
		goto fail;

	/* remember the previous node name before recording ours */
	if (sqlite3_prepare_v2(s->db,
	    "SELECT value FROM meta WHERE key = 'node_name'", -1, &st,
	    NULL) != SQLITE_OK)
		goto dbfail;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		s->prev_node = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db,
	    "INSERT OR REPLACE INTO meta(key, value) VALUES"
	    " ('node_name', ?1), ('schema_version', ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		goto dbfail;
	snprintf(sql, sizeof(sql), "%d", STORE_SCHEMA_VERSION);
	sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sql, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dbfail;
	sqlite3_finalize(st);
	st = NULL;
	if ((r = store_exec(s, "COMMIT")) != 0)
		goto fail;
	return 0;
dbfail:
	store_log(s, "meta");
	r = ERR_DB;
fail:
	sqlite3_finalize(st);
	store_exec(s, "ROLLBACK");
	return r;
}

/*
 * WAL mode.  A new database (an empty file root created) gets
 * auto_vacuum = INCREMENTAL and goes through MEMORY: the switch rewrites
 * the header in a transaction, whose rollback journal could not be
 * created in the state directory, which the collector may not write.
 */
static int
store_wal(struct store *s)
{
	sqlite3_stmt	*st;
	int		 wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) != SQLITE_OK) {
		store_log(s, "journal_mode");
		return ERR_DB;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    strcmp(store_col(st, 0), "wal") == 0)
		wal = 1;
	sqlite3_finalize(st);
	if (wal)
		return 0;
	/* page_size and auto_vacuum take effect only before the first
	 * table, and before the switch to WAL writes the header: so for a
	 * new database only (docs/schema.md: page size, retention) */
	return store_exec(s, "PRAGMA page_size = " STORE_PAGE_SIZE_S ";"
	    " PRAGMA journal_mode = MEMORY; PRAGMA auto_vacuum = INCREMENTAL;"
	    " PRAGMA journal_mode = WAL");
}

void
store_lib_init(void)
{
	/* SQLITE_MISUSE once SQLite was initialized: then it stays on */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_open(struct store **sp, const char *path, const char *node_name,
    int64_t boot_to_unix_ns, size_t batch_rows)
{
	struct store	*s;
	int64_t		 n;
	int		 i, r = ERR_DB, one = 1;

	*sp = NULL;
	s = xcalloc(1, sizeof(*s));
	s->boot_off = boot_to_unix_ns;
	s->node = xstrdup(node_name);
	s->batch_rows = batch_rows > 0 ? batch_rows : 1;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("store: open %s: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if ((r = store_harden(s->db)) != 0) {
		store_log(s, "connection settings");
		goto fail;
	}
	r = ERR_DB;
	/*
	 * Keep the -wal file on close: after the privilege drop (Landlock,
	 * seccomp) the collector may not unlink files.
	 */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	/* cache_size: 8 MiB holds a batch's pages and a retention step's
	 * (SQLite's 2 MiB spills them: bench/store_retention) */
	if ((r = store_wal(s)) != 0 ||
	    (r = store_exec(s, "PRAGMA cache_size = -8192")) != 0 ||
	    (r = store_exec(s, "PRAGMA synchronous = NORMAL")) != 0 ||
	    (r = store_exec(s, "PRAGMA temp_store = MEMORY")) != 0 ||
	    (r = store_exec(s, "PRAGMA foreign_keys = OFF")) != 0 ||
	    /* FAST, not Debian's ON: a dropped part's pages are not zeroed
	     * (that write cost as much as the rows it freed); docs/schema.md
	     * and security.md say what is left in free pages */
	    (r = store_exec(s, "PRAGMA secure_delete = FAST")) != 0 ||
	    (r = store_exec(s, "PRAGMA journal_size_limit = 67108864")) != 0)
		goto fail;
	if ((r = store_migrate(s, node_name)) != 0)
		goto fail;
	r = ERR_DB;
	for (i = 0; i < ST_MAX; i++) {
		if (i != ST_INS_EVENT && sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			store_log(s, store_sql[i]);
			goto fail;
		}
	}
	if ((r = store_parts_open(s)) != 0)
		goto fail;
	r = ERR_DB;
	/* a read so that the WAL and shm files are open from now on */
	if ((r = store_int_query(s, "SELECT count(*) FROM processes",
	    &n)) != 0)
		goto fail;
	*sp = s;
	return 0;
fail:
	store_close(s);
	return r;
}

void
store_close(struct store *s)
{
	int	 i;

	if (s == NULL)
		return;
	if (s->db != NULL && s->in_tx)
		store_flush(s);
	store_ob_close(s);
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(s->db));
	free(s->parts);
	free(s->prev_node);
	free(s->ring_id);
	free(s->node);
	sbuf_clear(&s->json);
	free(s);
}

/* An error after which the batch cannot be trusted whole: no space,
 * I/O, memory.  It is rolled back, never committed with rows missing. */
static int
store_rc_lost(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_NOMEM ||
	    rc == SQLITE_CORRUPT || rc == SQLITE_READONLY;
}

int
store_write_ok(struct store *s, int rc)
{
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	s->stats.errors++;
	if (store_rc_lost(rc) && s->in_tx && !s->failed)
		s->failed = rc;
	return ERR_DB;
}

static int
store_step(struct store *s, int which)
{
	sqlite3_stmt	*st = s->st[which];
	int		 rc;

	/*
	 * After such an error SQLite may have rolled the transaction back
	 * already: a statement now would run (and commit) on its own,
	 * outside the batch.  Nothing more until store_flush rolls back.
	 */
	if (s->failed && which != ST_ROLLBACK) {
		sqlite3_clear_bindings(st);
		s->stats.errors++;
		return ERR_DB;
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	/* the events insert binds every parameter before each step: its
	 * (static) bindings are replaced, not cleared, per row */
	if (which != ST_INS_EVENT)
		sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		s->stats.errors++;
		if (store_rc_lost(rc) && s->in_tx && !s->failed)
			s->failed = rc;
		log_warnx("store: %.48s: %s", store_sql[which],
		    sqlite3_errstr(rc));
		return ERR_DB;
	}
	return 0;
}

/* The ring position, in the batch transaction (before its COMMIT). */
static int
store_put_ring_pos(struct store *s)
{
	sqlite3_stmt	*st = s->st[ST_META_SET];
	int		 r;

	if (s->ring_id == NULL)
		return 0;
	sqlite3_bind_text(st, 1, "ring_id", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->ring_id, -1, SQLITE_TRANSIENT);
	if ((r = store_step(s, ST_META_SET)) != 0)
		return r;
	st = s->st[ST_META_SET];
	sqlite3_bind_text(st, 1, "ring_pos", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->ring_pos);
	return store_step(s, ST_META_SET);
}

/* The lag of the batch just committed: now - its oldest event. */
static void
store_lag(struct store *s)
{
	struct timespec	 b;
	uint64_t	 now;

	if (s->pend_min_ns == 0)
		return;
	clock_gettime(CLOCK_BOOTTIME, &b);
	now = (uint64_t)b.tv_sec * 1000000000ULL + (uint64_t)b.tv_nsec;
	s->stats.lag_ns = now > s->pend_min_ns ? now - s->pend_min_ns : 0;
	s->pend_min_ns = 0;
}

static void
store_committed(struct store *s, int ok)
{
	if (s->commit_cb != NULL)
		s->commit_cb(s->commit_arg, ok, s->ring_pos);
}

int
store_flush(struct store *s)
{
	uint64_t	 pos = s->ring_pos;

	if (!s->in_tx)
		return 0;
	if (s->failed) {
		log_warnx("store: a write of the batch failed (%s): its %zu"
		    " rows are rolled back", sqlite3_errstr(s->failed),
		    s->pending);
		if (!sqlite3_get_autocommit(s->db))
			(void)store_step(s, ST_ROLLBACK);
		s->failed = 0;
		s->ev_next = 0;
	}
	if (sqlite3_get_autocommit(s->db) || store_put_ring_pos(s) != 0 ||
	    store_step(s, ST_COMMIT) != 0) {
		/* still in a transaction: retry at the next flush, unless
		 * SQLite already rolled it back */
		if (!sqlite3_get_autocommit(s->db))
			return ERR_AGAIN;
		log_warnx("store: batch of %zu rows rolled back", s->pending);
		s->in_tx = 0;
		s->ev_next = 0;
		s->pending = s->pend_events = s->pend_procs = 0;
		s->pend_alerts = s->pend_drops = 0;
		s->pend_min_ns = 0;
		s->failed = 0;
		store_committed(s, 0);
		/* the records of the batch were not stored: a later commit
		 * must not record the ring as read past them */
		s->ring_pos = s->ring_done;
		return ERR_DB;
	}
	s->in_tx = 0;
	store_lag(s);
	s->stats.commits++;
	s->stats.events += s->pend_events;
	s->stats.processes += s->pend_procs;
	s->stats.alerts += s->pend_alerts;
	s->stats.drops += s->pend_drops;
	s->pending = s->pend_events = s->pend_procs = s->pend_alerts = 0;
	s->pend_drops = 0;
	s->ring_pos = s->ring_done = pos;
	store_committed(s, 1);
	return 0;
}

/* BEGIN IMMEDIATE: the write lock for the whole batch, so no statement
 * inside it meets SQLITE_BUSY.  A lock held by someone else is ERR_AGAIN
 * (counted in busy, not in errors). */
int
store_begin(struct store *s)
{
	sqlite3_stmt	*st = s->st[ST_BEGIN];
	int		 rc;

	if (s->failed)
		return ERR_DB;	/* until store_flush rolls back */
	if (s->in_tx)
		return 0;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		s->stats.busy++;
		return ERR_AGAIN;
	}
	if (rc != SQLITE_DONE) {
		s->stats.errors++;
		log_warnx("store: BEGIN: %s", sqlite3_errstr(rc));
		return ERR_DB;
	}
	s->in_tx = 1;
	return 0;
}

/* After a row was written: commit when the batch is full (not while
 * held: a ring record's rows are committed together). */
int
store_row_done(struct store *s)
{
	s->pending++;
	if (s->pending >= s->batch_rows && !s->hold)
		return store_flush(s);
	return 0;
}

void
store_hold(struct store *s, int on)
{
	s->hold = on;
}

int
store_in_tx(const struct store *s)
{
	return s->in_tx;
}

void
store_set_ring(struct store *s, const char *id, uint64_t pos,
    void (*cb)(void *, int, uint64_t), void *arg)
{
	free(s->ring_id);
	s->ring_id = id != NULL ? xstrdup(id) : NULL;
	s->ring_pos = s->ring_done = pos;
	s->commit_cb = cb;
	s->commit_arg = arg;
}

void
store_ring_pos(struct store *s, uint64_t pos)
{
	s->ring_pos = pos;
}

int
store_ring_get(struct store *s, char *id, size_t idsz, uint64_t *pos)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	*pos = 0;
	if (idsz > 0)
		id[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT (SELECT value FROM meta WHERE"
	    " key = 'ring_id'), (SELECT CAST(value AS INTEGER) FROM meta"
	    " WHERE key = 'ring_pos')", -1, &st, NULL) != SQLITE_OK) {
		store_log(s, "ring position");
		return ERR_DB;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_TEXT &&
	    sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
		strlcpy(id, store_col(st, 0), idsz);
		*pos = (uint64_t)sqlite3_column_int64(st, 1);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		store_log(s, "ring position");
		return ERR_DB;
	}
	return found;
}

size_t
store_pending(const struct store *s)
{
	return s->pending;
}

const struct store_stats *
store_stats(const struct store *s)
{
	return &s->stats;
}

const char *
store_prev_node(const struct store *s)
{
	return s->prev_node;
}

int64_t
store_boot_off(const struct store *s)
{
	return s->boot_off;
}

void
store_iso_time(const struct store *s, uint64_t boot_ns, char *dst,
    size_t dstsz)
{
	str_iso_time(dst, dstsz, (uint64_t)((int64_t)boot_ns + s->boot_off));
}

int
store_harden(sqlite3 *db)
{
	static const int	 on[] = { SQLITE_DBCONFIG_DEFENSIVE };
	static const int	 off[] = { SQLITE_DBCONFIG_TRUSTED_SCHEMA,
	    SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION };
	size_t			 i;

	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		if (sqlite3_db_config(db, on[i], 1, NULL) != SQLITE_OK)
			return ERR_DB;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (sqlite3_db_config(db, off[i], 0, NULL) != SQLITE_OK)
			return ERR_DB;
	if (sqlite3_exec(db, "PRAGMA trusted_schema = OFF;"
	    " PRAGMA cell_size_check = ON", NULL, NULL, NULL) != SQLITE_OK)
		return ERR_DB;
	return 0;
}

void
store_bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/*
 * A text parameter SQLite reads in place (no copy): v must stay valid
 * until the statement was stepped, which store_step does at once, then
 * resets it and clears the bindings.
 */
static void
store_bind_now(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int
store_proc(struct store *s, struct proc *p)
{
	sqlite3_stmt	*st = s->st[ST_INS_PROC];
	char		 flags[256], tbuf[40];
	int		 r;

	if ((r = store_begin(s)) != 0)
		return r;
	pcache_flags_str(p->flags, flags, sizeof(flags));
	store_iso_time(s, p->ktime, tbuf, sizeof(tbuf));
	store_bind_now(st, 1, p->exec_id);
	sqlite3_bind_int64(st, 2, p->pid);
	sqlite3_bind_int64(st, 3, p->tid);
	sqlite3_bind_int64(st, 4, p->ppid);
	sqlite3_bind_int64(st, 5, p->uid);
	sqlite3_bind_int64(st, 6, p->euid);
	sqlite3_bind_int64(st, 7, p->gid);
	sqlite3_bind_int64(st, 8, p->egid);
	sqlite3_bind_int64(st, 9, p->auid);
	store_bind_now(st, 10, p->binary);
	store_bind_now(st, 11, p->args);
	store_bind_now(st, 12, p->cwd);
	store_bind_now(st, 13, flags);
	store_bind_now(st, 14, tbuf);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)p->ktime);
	store_bind_now(st, 16, p->parent_exec_id[0] != '\0' ?
	    p->parent_exec_id : NULL);
	if ((r = store_step(s, ST_INS_PROC)) != 0)
		return r;
	p->stored = 1;
	s->pend_procs += (size_t)sqlite3_changes(s->db);
	return store_row_done(s);
}

int
store_proc_exit(struct store *s, const char *exec_id, uint64_t boot_ns,
    uint32_t code, uint32_t signal)
{
	sqlite3_stmt	*st = s->st[ST_EXIT_PROC];
	char		 tbuf[40];
	int		 r;

	if ((r = store_begin(s)) != 0)
		return r;
	store_iso_time(s, boot_ns, tbuf, sizeof(tbuf));
	sqlite3_bind_text(st, 1, exec_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, tbuf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, code);
	sqlite3_bind_int64(st, 4, signal);
	if ((r = store_step(s, ST_EXIT_PROC)) != 0)
		return r;
	return store_row_done(s);
}

int
store_proc_gone(struct store *s, const char *exec_id, uint64_t boot_ns,
    int stale)
{
	int		 which = stale ? ST_STALE_PROC : ST_GONE_PROC;
	sqlite3_stmt	*st = s->st[which];
	char		 tbuf[40];
	int		 r;

	if ((r = store_begin(s)) != 0)
		return r;
	store_iso_time(s, boot_ns, tbuf, sizeof(tbuf));
	sqlite3_bind_text(st, 1, exec_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, tbuf, -1, SQLITE_TRANSIENT);
	if ((r = store_step(s, which)) != 0)
		return r;
	return store_row_done(s);
}

/* The INSERT alone (inside an open transaction). */
static int
store_event_row(struct store *s, const struct store_event *e)
{
	sqlite3_stmt	*st = s->st[ST_INS_EVENT];
	char		 tbuf[40];
	int64_t		 id;
	int		 r;

	if ((r = store_parts_next_id(s, &id)) != 0)
		return r;
	if (s->pend_min_ns == 0 || e->time_ns < s->pend_min_ns)
		s->pend_min_ns = e->time_ns;
	store_iso_time(s, e->time_ns, tbuf, sizeof(tbuf));
	store_bind_now(st, 1, tbuf);
	sqlite3_bind_int64(st, 2,
	    (sqlite3_int64)((int64_t)e->time_ns + s->boot_off));
	store_bind_now(st, 3, e->type);
	store_bind_now(st, 4, e->exec_id);
	store_bind_now(st, 5, e->parent_exec_id);
	store_bind_now(st, 6, e->policy_name);
	store_bind_now(st, 7, e->function_name);
	store_bind_now(st, 8, e->action);
	store_bind_now(st, 9, e->args);
	store_bind_now(st, 10, e->return_value);
	store_bind_now(st, 11, e->message);
	store_bind_now(st, 12, e->tags);
	store_bind_now(st, 13, e->actions);
	store_bind_now(st, 14, e->monitor_would);
	sqlite3_bind_int(st, 15, e->late != 0);
	sqlite3_bind_int64(st, 16, id);
	store_bind_now(st, 17, e->stack_trace);
	if ((r = store_step(s, ST_INS_EVENT)) != 0) {
		s->ev_next = 0;	/* read again: the row may be there */
		return r;
	}
	s->ev_next = id + 1;
	return 0;
}

int
store_event(struct store *s, const struct store_event *e)
{
	int	 r;

	if ((r = store_begin(s)) != 0)
		return r;
	if ((r = store_event_row(s, e)) != 0)
		return r;
	s->pend_events++;
	return store_row_done(s);
}

static const char *
store_alert_kind(const char *k)
{
	if (k != NULL && strcmp(k, "geturl") == 0)
		return "canary_http";
	if (k != NULL && strcmp(k, "dnslookup") == 0)
		return "canary_dns";
	return k;	/* anything else fails the CHECK */
}

int
store_event_alerts(struct store *s, const struct store_event *e,
    const struct store_alert *alerts, size_t nalerts)
{
	struct store_outbox	*rows;
	size_t			 i;
	int			 r;

	if (nalerts == 0)
		return store_event(s, e);
	rows = xcalloc(nalerts, sizeof(*rows));
	for (i = 0; i < nalerts; i++) {
		rows[i].receiver = "";
		rows[i].kind = store_alert_kind(alerts[i].kind);
		rows[i].target = alerts[i].target;
		rows[i].severity = "info";
		rows[i].state = "pending";
	}
	r = store_event_outbox(s, e, rows, nalerts);
	free(rows);
	return r;
}

static int
store_outbox_row(struct store *s, sqlite3_int64 event_id, const char *tbuf,
    const struct store_outbox *o)
{
	sqlite3_stmt	*st = s->st[ST_INS_OUTBOX];
	sqlite3_int64	 id;
	char		 key[STORE_IDEM_MAX];
	int		 r;

	if ((r = store_idem_init(s)) != 0)
		return r;
	sqlite3_bind_text(st, 1, tbuf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, event_id);
	sqlite3_bind_text(st, 3, o->receiver != NULL ? o->receiver : "", -1,
	    SQLITE_TRANSIENT);
	store_bind_str(st, 4, o->route);
	store_bind_str(st, 5, o->kind);
	sqlite3_bind_text(st, 6, o->target != NULL ? o->target : "", -1,
	    SQLITE_TRANSIENT);
	store_bind_str(st, 7, o->severity != NULL ? o->severity : "info");
	store_bind_str(st, 8, o->state != NULL ? o->state : "pending");
	store_bind_str(st, 9, o->group_key);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)(o->next_attempt_ns >
	    (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)o->next_attempt_ns));
	store_bind_str(st, 11, o->payload);
	if ((r = store_step(s, ST_INS_OUTBOX)) != 0)
		return r;
	id = sqlite3_last_insert_rowid(s->db);
	store_idem_key(s, (uint64_t)id, key, sizeof(key));
	st = s->st[ST_SET_IDEM];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	return store_step(s, ST_SET_IDEM);
}

int
store_event_outbox(struct store *s, const struct store_event *e,
    const struct store_outbox *rows, size_t nrows)
{
	sqlite3_int64	 id;
	char		 tbuf[40];
	size_t		 i;
	int		 r;

	if (nrows == 0)
		return store_event(s, e);
	if ((r = store_begin(s)) != 0)
		return r;
	if ((r = store_step(s, ST_SAVEPOINT)) != 0)
		return r;
	if ((r = store_event_row(s, e)) != 0)
		goto undo;
	id = sqlite3_last_insert_rowid(s->db);
	store_iso_time(s, e->time_ns, tbuf, sizeof(tbuf));
	for (i = 0; i < nrows; i++) {
		if ((r = store_outbox_row(s, id, tbuf, &rows[i])) != 0)
			goto undo;
	}
	if ((r = store_step(s, ST_RELEASE)) != 0)
		goto undo;
	s->pend_events++;
	s->pend_alerts += nrows;
	s->pending += nrows;
	return store_row_done(s);
undo:
	/* the batch transaction stays open with none of these rows */
	if (store_step(s, ST_ROLLBACK_TO) != 0 ||
	    store_step(s, ST_RELEASE) != 0)
		log_warnx("store: cannot undo a partial event");
	return r;
}

/* 16 lowercase hex digits? */
static int
store_salt_ok(const char *v)
{
	return v != NULL && strlen(v) == STORE_SALT_LEN &&
	    strspn(v, "0123456789abcdef") == STORE_SALT_LEN;
}

static int
store_salt_new(char *dst)
{
	uint8_t		 b[STORE_SALT_LEN / 2];
	ssize_t		 n;
	size_t		 i;

	do
		n = getrandom(b, sizeof(b), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(b)) {
		log_warn("store: getrandom");
		return ERR_SYS;
	}
	for (i = 0; i < sizeof(b); i++)
		snprintf(dst + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/*
 * The database's idempotency salt: meta idem_salt, made (64 random bits)
 * and recorded in the batch the first time a database needs it.
 */
int
store_idem_init(struct store *s)
{
	sqlite3_stmt	*st = NULL;
	char		 v[STORE_SALT_LEN + 1];
	int		 r = ERR_DB;

	if (s->salt[0] != '\0')
		return 0;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE"
	    " key = 'idem_salt'", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW && store_salt_ok(store_col(st, 0))) {
		strlcpy(s->salt, store_col(st, 0), sizeof(s->salt));
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((r = store_salt_new(v)) != 0 || (r = store_begin(s)) != 0)
		return r;
	r = ERR_DB;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key,"
	    " value) VALUES ('idem_salt', ?1)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	strlcpy(s->salt, v, sizeof(s->salt));
	return 0;
fail:
	store_log(s, "idem_salt");
	sqlite3_finalize(st);
	return r;
}

void
store_idem_key(const struct store *s, uint64_t id, char *dst, size_t dstsz)
{
	snprintf(dst, dstsz, "tl-%s-%s-%llu", s->node, s->salt,
	    (unsigned long long)id);
}

int
store_meta_add(struct store *s, const char *key, int64_t delta)
{
	sqlite3_stmt	*st = s->st[ST_META_ADD];
	int		 r;

	if ((r = store_begin(s)) != 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, delta);
	return store_step(s, ST_META_ADD);
}

int
store_meta_int(struct store *s, const char *key, int64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	*out = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT CAST(value AS INTEGER) FROM"
	    " meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK) {
		store_log(s, "meta");
		return ERR_DB;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_log(s, "meta");
		return ERR_DB;
	}
	return 0;
}

int
store_write_begin(struct store *s)
{
	return store_begin(s);
}

void
store_write_done(struct store *s)
{
	if (store_row_done(s) != 0)
		s->stats.errors++;
}

const char *
store_node(const struct store *s)
{
	return s->node;
}

static sqlite3_int64
store_i64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

int
store_drops(struct store *s, const struct store_drop *d, int event)
{
	sqlite3_stmt		*st = s->st[ST_INS_DROP];
	struct store_event	 e;
	struct jsonw		 w;
	char			 tbuf[40];
	int			 r;

	if ((r = store_begin(s)) != 0)
		return r;
	if ((r = store_step(s, ST_SAVEPOINT)) != 0)
		return r;
	store_iso_time(s, d->time_ns, tbuf, sizeof(tbuf));
	sqlite3_bind_text(st, 1, tbuf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2,
	    (sqlite3_int64)((int64_t)d->time_ns + s->boot_off));
	store_bind_str(st, 3, d->source);
	store_bind_str(st, 4, d->hook_policy);
	store_bind_str(st, 5, d->hook_function);
	sqlite3_bind_int64(st, 6, store_i64(d->count));
	sqlite3_bind_int64(st, 7, store_i64(d->total));
	if ((r = store_step(s, ST_INS_DROP)) != 0)
		goto undo;
	if (event) {
		sbuf_reset(&s->json);
		jw_init(&w, &s->json);
		jw_obj(&w);
		jw_kuint(&w, "count", d->count);
		jw_kuint(&w, "total", d->total);
		jw_kstr(&w, "source", strcmp(d->source, "hook") == 0 ?
		    "hook" : "ring_buffer");
		jw_end(&w);
		memset(&e, 0, sizeof(e));
		e.time_ns = d->time_ns;
		e.type = "events_lost";
		e.policy_name = d->hook_policy;
		e.function_name = d->hook_function;
		e.args = s->json.buf;
		if ((r = store_event_row(s, &e)) != 0)
			goto undo;
	}
	if ((r = store_step(s, ST_RELEASE)) != 0)
		goto undo;
	s->pend_drops++;
	if (event) {
		s->pend_events++;
		s->pending++;
	}
	return store_row_done(s);
undo:
	if (store_step(s, ST_ROLLBACK_TO) != 0 ||
	    store_step(s, ST_RELEASE) != 0)
		log_warnx("store: cannot undo a partial drops row");
	return r;
}

int
store_event_exec(struct store *s, const struct proc *p)
{
	struct store_event	 e;

	memset(&e, 0, sizeof(e));
	e.time_ns = p->ktime;
	e.type = "process_exec";
	e.exec_id = p->exec_id;
	e.parent_exec_id = p->parent_exec_id[0] != '\0' ?
	    p->parent_exec_id : NULL;
	return store_event(s, &e);
}

int
store_event_exit(struct store *s, const char *exec_id,
    const char *parent_exec_id, uint64_t boot_ns, uint32_t code,
    uint32_t signal)
{
	struct store_event	 e;
	struct jsonw		 w;
	char			 sig[DEC_SIGNAME_MAX];

	sbuf_reset(&s->json);
	jw_init(&w, &s->json);
	jw_obj(&w);
	jw_kuint(&w, "status", code);
	if (signal != 0)
		jw_kstr(&w, "signal", decode_signame(signal, sig,
		    sizeof(sig)));
	jw_end(&w);
	memset(&e, 0, sizeof(e));
	e.time_ns = boot_ns;
	e.type = "process_exit";
	e.exec_id = exec_id;
	e.parent_exec_id = parent_exec_id != NULL && parent_exec_id[0] != '\0' ?
	    parent_exec_id : NULL;
	e.args = s->json.buf;
	return store_event(s, &e);
}

static const char *
store_col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v != NULL ? (const char *)v : "";
}

int
store_load_live(struct store *s,
    void (*fn)(const struct proc *tmpl, void *arg), void *arg)
{
	sqlite3_stmt	*st;
	struct proc	 t;
	const char	*pid;
	int		 rc, n = 0;

	if (s->in_tx && store_flush(s) != 0)
		return ERR_DB;
	if (sqlite3_prepare_v2(s->db,
	    "SELECT exec_id, pid, tid, uid, euid, gid, egid, auid, binary,"
	    " arguments, cwd, flags, ktime, parent_exec_id FROM processes"
	    " WHERE exit_time IS NULL ORDER BY ktime, pid", -1, &st,
	    NULL) != SQLITE_OK) {
		store_log(s, "load live");
		return ERR_DB;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&t, 0, sizeof(t));
		t.exec_id = store_col_str(st, 0);
		t.parent_exec_id = "";
		t.pid = (uint32_t)sqlite3_column_int64(st, 1);
		t.tid = (uint32_t)sqlite3_column_int64(st, 2);
		t.uid = (uint32_t)sqlite3_column_int64(st, 3);
		t.euid = (uint32_t)sqlite3_column_int64(st, 4);
		t.gid = (uint32_t)sqlite3_column_int64(st, 5);
		t.egid = (uint32_t)sqlite3_column_int64(st, 6);
		t.auid = (uint32_t)sqlite3_column_int64(st, 7);
		t.binary = (char *)store_col_str(st, 8);
		t.args = (char *)store_col_str(st, 9);
		t.cwd = (char *)store_col_str(st, 10);
		t.flags = pcache_flags_parse(store_col_str(st, 11));
		t.ktime = (uint64_t)sqlite3_column_int64(st, 12);
		pid = store_col_str(st, 13);
		if (pid[0] != '\0') {
			if (pcache_exec_id_parse(pid, NULL, &t.pktime,
			    &t.ppid) != 0)
				continue;
			t.parent_exec_id = pid;
		}
		t.stored = 1;
		fn(&t, arg);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_log(s, "load live");
		return ERR_DB;
	}
	return n;
}
