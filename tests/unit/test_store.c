/* tests/unit/test_store.c -- the SQLite store (schema, batching, views,
 * restore) and the record pipeline end to end (records -> rows + JSON). */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bpf/events.h"
#include "collectord/collectord.h"
#include "collectord/export.h"
#include "collectord/hooks.h"
#include "collectord/outbox.h"
#include "collectord/pcache.h"
#include "collectord/store.h"
#include "err.h"
#include "ipc_msg.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"
#include "tests/lib/testutil.h"
#include "tests/unit/genrec.h"

#define NODE	"testnode"
/* boot offset: boot ns 0 == 2026-01-01T00:00:00Z */
#define OFF	(1767225600LL * 1000000000LL)

struct ctx {
	char	*dir;
	char	 db[512];
	char	 json[512];
};

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->dir = testutil_tmpdir("store");
	snprintf(c->db, sizeof(c->db), "%s/events.db", c->dir);
	snprintf(c->json, sizeof(c->json), "%s/events.jsonl", c->dir);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	testutil_rmtree(c->dir);
	free(c->dir);
	free(c);
	return 0;
}

/* A second, independent connection, as a reader would have. */
static long long
q_int(const char *db, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	long long	 v = -1;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static char *
q_str(const char *db, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		*v = NULL;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Run sql on a connection of its own: it must succeed. */
static void
exec_other(const char *db, const char *sql)
{
	sqlite3	*h;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* 1 if sql fails on a connection of its own (nothing changed), else 0. */
static int
sql_fails(const char *db, const char *sql)
{
	sqlite3	*h;
	int	 rc;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc != SQLITE_OK;
}

static void
assert_q_str(const char *db, const char *sql, const char *want)
{
	char	*v = q_str(db, sql);

	if (want == NULL)
		assert_null(v);
	else {
		if (v == NULL)
			fail_msg("%s: NULL, want %s", sql, want);
		assert_string_equal(v, want);
	}
	free(v);
}

static void
test_schema(void **state)
{
	struct ctx	*c = *state;
	struct store	*st;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	assert_null(store_prev_node(st));
	store_close(st);
	assert_int_equal(q_int(c->db, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_q_str(c->db, "PRAGMA journal_mode", "wal");
	/* a new database gets 16 KiB pages */
	assert_int_equal(q_int(c->db, "PRAGMA page_size"), 16384);
	assert_q_str(c->db, "SELECT value FROM meta WHERE key='node_name'",
	    NODE);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('processes','events','meta','process_ancestors',"
	    "'events_full','processes_pid','processes_parent',"
	    "'events_exec_id','events_time_ns','alerts','drops',"
	    "'drops_time_ns','outbox','outbox_state','outbox_event_id',"
	    "'outbox_merged_into','deliveries','deliveries_outbox_id',"
	    "'connections')"), 19);
	assert_int_equal(STORE_SCHEMA_VERSION, 9);
	assert_q_str(c->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", "9");
	/* version 8: events is a view over its one part */
	assert_q_str(c->db, "SELECT type FROM sqlite_master WHERE "
	    "name='events'", "view");
	assert_q_str(c->db, "SELECT group_concat(part || ' ' || first_id) FROM"
	    " events_parts", "1 1");
	assert_q_str(c->db, "SELECT type FROM sqlite_master WHERE "
	    "name='events_part_1'", "table");
	/* version 9: events.stack_trace, in the part and the view */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events_part_1') WHERE name = 'stack_trace'"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events') WHERE name = 'stack_trace'"), 1);
	/* version 7: events.late, 0 unless set */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events_part_1') WHERE name = 'late' AND dflt_value = '0'"), 1);
	assert_q_str(c->db, "SELECT type FROM sqlite_master WHERE "
	    "name='connections'", "view");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('connections')"), 23);
	/* version 4: alerts is a view over the outbox */
	assert_q_str(c->db, "SELECT type FROM sqlite_master WHERE "
	    "name='alerts'", "view");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('alerts_state','alerts_event_id')"), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('outbox') WHERE name IN ('id','created','event_id','receiver',"
	    "'route','kind','target','severity','idem_key','state',"
	    "'group_key','merged_into','count','attempts','next_attempt_ns',"
	    "'last_error','delivered','payload')"), 18);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('outbox')"), 18);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('deliveries') WHERE name IN ('id','outbox_id','attempt','time',"
	    "'status','code','detail','duration_ms')"), 8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('drops') WHERE name IN ('id','time','time_ns','source',"
	    "'hook_policy','hook_function','count','total')"), 8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('drops')"), 8);
	/* the documented columns exist */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('processes')"), 19);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events')"), 17);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events') WHERE name IN ('message','tags','actions',"
	    "'monitor_would')"), 4);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('alerts') WHERE name IN ('id','event_id','created','kind',"
	    "'target','state','attempts','last_error')"), 8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('alerts')"), 8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events_full')"), 22);
	/* re-open: no migration, previous node remembered */
	assert_int_equal(store_open(&st, c->db, "other", OFF, 100), 0);
	assert_string_equal(store_prev_node(st), NODE);
	store_close(st);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

static void
test_newer_schema_refused(void **state)
{
	struct ctx	*c = *state;
	struct store	*st;
	sqlite3		*h;

	assert_int_equal(sqlite3_open(c->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), ERR_VERSION);
	assert_null(st);
}

/* The schema of version 1 exactly as released (commit 3240966). */
static const char schema_v1[] =
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
    " LEFT JOIN processes pp ON pp.exec_id = e.parent_exec_id;"
    "INSERT INTO meta VALUES ('node_name', 'oldnode'),"
    " ('schema_version', '1');"
    "INSERT INTO processes(exec_id, pid, binary, ktime) VALUES"
    " ('b2xkbm9kZToxMDox', 1, '/sbin/init', 10);"
    "INSERT INTO events(time, time_ns, type, exec_id, args) VALUES"
    " ('2026-01-01T00:00:00.000000010Z', 1767225600000000010,"
    " 'process_exit', 'b2xkbm9kZToxMDox', '{\"status\":0}');"
    "PRAGMA user_version = 1;";

static void
test_migrate_v1(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_event	 e;
	struct store_alert	 al = { "geturl", "http://x.invalid/" };
	sqlite3			*h;

	assert_int_equal(sqlite3_open(c->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events')"), 11);

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	assert_string_equal(store_prev_node(st), "oldnode");
	/* an existing database keeps its pages */
	assert_int_equal(q_int(c->db, "PRAGMA page_size"), 4096);
	/* the new columns and table are usable right away */
	memset(&e, 0, sizeof(e));
	e.time_ns = 5;
	e.type = "process_kprobe";
	e.exec_id = "b2xkbm9kZToxMDox";
	e.message = "m";
	e.tags = "[\"t\"]";
	e.actions = "[\"KPROBE_ACTION_POST\"]";
	assert_int_equal(store_event_alerts(st, &e, &al, 1), 0);
	store_close(st);

	/* 1 -> 2 -> ... -> 7 in one go */
	assert_int_equal(q_int(c->db, "PRAGMA user_version"), 9);
	assert_q_str(c->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", "9");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('drops')"), 8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events')"), 17);
	/* rows from before version 7 were not decided late */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events "
	    "WHERE late != 0"), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events') WHERE name IN ('message','tags','actions',"
	    "'monitor_would')"), 4);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('alerts')"), 8);
	/* old rows kept, new columns NULL for them */
	assert_q_str(c->db, "SELECT args FROM events WHERE id=1",
	    "{\"status\":0}");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE id=1"
	    " AND message IS NULL AND tags IS NULL AND actions IS NULL AND"
	    " monitor_would IS NULL"), 1);
	/* events_full rebuilt with the new columns, still joins processes */
	assert_q_str(c->db, "SELECT binary FROM events_full WHERE id=1",
	    "/sbin/init");
	assert_q_str(c->db, "SELECT tags FROM events_full WHERE id=2",
	    "[\"t\"]");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts WHERE "
	    "event_id=2 AND state='pending' AND attempts=0"), 1);
	/* idempotent: a second open migrates nothing */
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 2);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/*
 * The schema of version 2 as released: version 1 plus this (the text of
 * store_schema_v2 at commit 9f41592), with a row in each table.
 */
static const char schema_v1_to_v2[] =
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
    " LEFT JOIN processes pp ON pp.exec_id = e.parent_exec_id;"
    "INSERT INTO events(time, time_ns, type, exec_id, args, tags) VALUES"
    " ('2026-01-01T00:00:00.000000020Z', 1767225600000000020,"
    " 'process_kprobe', 'b2xkbm9kZToxMDox', '[]', '[\"v2\"]');"
    "INSERT INTO alerts(event_id, created, kind, target) VALUES"
    " (2, '2026-01-01T00:00:00.000000020Z', 'dnslookup', 'a.invalid');"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';"
    "PRAGMA user_version = 2;";

static void
test_migrate_v2(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_drop	 d = { 7, "ring_buffer", NULL, NULL, 3, 3 };
	sqlite3			*h;

	assert_int_equal(sqlite3_open(c->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1_to_v2, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name='drops'"), 0);

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	assert_string_equal(store_prev_node(st), "oldnode");
	/* the new table is usable right away */
	assert_int_equal(store_drops(st, &d, 1), 0);
	store_close(st);

	assert_int_equal(q_int(c->db, "PRAGMA user_version"), 9);
	assert_q_str(c->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", "9");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('drops')"), 8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name='drops_time_ns' AND type='index'"), 1);
	/* old rows kept as they were; the other tables untouched */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 3);
	assert_q_str(c->db, "SELECT tags FROM events WHERE id=2", "[\"v2\"]");
	assert_q_str(c->db, "SELECT binary FROM events_full WHERE id=1",
	    "/sbin/init");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events_full')"), 22);
	assert_q_str(c->db, "SELECT target FROM alerts WHERE event_id=2",
	    "a.invalid");
	assert_q_str(c->db, "SELECT type FROM events WHERE id=3",
	    "events_lost");
	assert_int_equal(q_int(c->db, "SELECT total FROM drops"), 3);
	/* idempotent */
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops"), 1);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* A failed migration leaves the database exactly as it was (one
 * transaction): here a v2 database already holding a "drops" table. */
static void
test_migrate_v2_atomic(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	sqlite3			*h;

	assert_int_equal(sqlite3_open(c->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1_to_v2, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE drops(x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), ERR_DB);
	assert_null(st);
	assert_int_equal(q_int(c->db, "PRAGMA user_version"), 2);
	assert_q_str(c->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", "2");
	assert_q_str(c->db, "SELECT value FROM meta WHERE key='node_name'",
	    "oldnode");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 2);
}

/*
 * Version 3 as released (version 2 plus store_schema_v3), with GetUrl and
 * DnsLookup rows in the alerts table: version 4 moves them into the
 * outbox (same ids, kinds canary_http / canary_dns, still pending) and
 * the alerts view shows them as before.
 */
static const char schema_v2_to_v3[] =
    "CREATE TABLE drops("
    " id INTEGER PRIMARY KEY, time TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK (source IN ('ring_buffer', 'hook')),"
    " hook_policy TEXT, hook_function TEXT,"
    " count INTEGER NOT NULL, total INTEGER NOT NULL);"
    "CREATE INDEX drops_time_ns ON drops(time_ns);"
    "UPDATE events SET policy_name = 'canaries' WHERE id = 2;"
    "INSERT INTO alerts(event_id, created, kind, target, attempts) VALUES"
    " (2, '2026-01-01T00:00:00.000000020Z', 'geturl',"
    " 'http://canary.invalid/t', 0);"
    "INSERT INTO drops(time, time_ns, source, hook_policy, hook_function,"
    " count, total) VALUES ('2026-01-01T00:00:01.000000000Z',"
    " 1767225601000000000, 'hook', 'p', 'f', 7, 9);"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';"
    "PRAGMA user_version = 3;";

static void
test_migrate_v3(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	sqlite3			*h;

	assert_int_equal(sqlite3_open(c->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v1_to_v2, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema_v2_to_v3, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts"), 2);

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "PRAGMA user_version"), 9);
	assert_q_str(c->db, "SELECT type FROM sqlite_master WHERE "
	    "name='alerts'", "view");
	/* version 5 rebuilt drops: its rows kept, the new source allowed */
	assert_q_str(c->db, "SELECT id || ' ' || source || ' ' || hook_policy "
	    "|| ' ' || count || ' ' || total FROM drops", "1 hook p 7 9");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name='drops_time_ns' AND type='index'"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE sql LIKE '%sockown_full%' AND name='drops'"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE sql LIKE '%syslog_backlog%' AND name='drops'"), 1);
	assert_q_str(c->db, "SELECT type FROM sqlite_master WHERE "
	    "name='connections'", "view");
	/* both rows, same ids, as outbox action jobs ready to be sent */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM outbox"), 2);
	assert_q_str(c->db, "SELECT kind || '|' || target || '|' || state || "
	    "'|' || receiver || '|' || idem_key || '|' || attempts || '|' || "
	    "event_id FROM outbox WHERE id=1",
	    "canary_dns|a.invalid|pending||tl-oldnode-1|0|2");
	assert_q_str(c->db, "SELECT kind || '|' || target || '|' || state || "
	    "'|' || idem_key FROM outbox WHERE id=2",
	    "canary_http|http://canary.invalid/t|pending|tl-oldnode-2");
	/* a payload a job can be made of, with no other state */
	assert_q_str(c->db, "SELECT json_extract(payload, '$.title') FROM "
	    "outbox WHERE id=2", "[info] canaries: GetUrl "
	    "http://canary.invalid/t");
	assert_q_str(c->db, "SELECT json_extract(payload, "
	    "'$.event.process_kprobe.policy_name') FROM outbox WHERE id=2",
	    "canaries");
	/* the compatibility view shows them as version 3 did */
	assert_q_str(c->db, "SELECT kind || '|' || target || '|' || state "
	    "FROM alerts WHERE id=1", "dnslookup|a.invalid|pending");
	assert_q_str(c->db, "SELECT kind || '|' || target FROM alerts "
	    "WHERE id=2", "geturl|http://canary.invalid/t");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM deliveries"), 0);
	/* idempotent */
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM outbox"), 2);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* events without stack_trace (version 9 undone; the views over events
 * stay valid: the view first, then the column) */
#define DOWN_V9 \
    "DROP VIEW events;" \
    "CREATE VIEW events(id, time, time_ns, type, exec_id, parent_exec_id," \
    " policy_name, function_name, action, args, return_value, message, tags," \
    " actions, monitor_would, late) AS SELECT id, time, time_ns, type," \
    " exec_id, parent_exec_id, policy_name, function_name, action, args," \
    " return_value, message, tags, actions, monitor_would, late FROM" \
    " events_part_1;" \
    "ALTER TABLE events_part_1 DROP COLUMN stack_trace;"

/*
 * Version 5 as released: the current schema with the version 5 drops
 * table (no syslog sources).  Version 6 rebuilds drops: its rows and ids
 * kept, the syslog sources allowed.
 */
static const char schema_v6_to_v5[] =
    DOWN_V9
    "DROP VIEW events; DROP TABLE events_parts;"	/* version 8 */
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE events_part_1 RENAME TO events;"
    "PRAGMA legacy_alter_table = OFF;"
    "ALTER TABLE events DROP COLUMN late;"	/* version 7 */
    "DROP TABLE drops;"
    "CREATE TABLE drops("
    " id INTEGER PRIMARY KEY, time TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK (source IN ('ring_buffer', 'hook',"
    " 'sockown_full')),"
    " hook_policy TEXT, hook_function TEXT,"
    " count INTEGER NOT NULL, total INTEGER NOT NULL);"
    "CREATE INDEX drops_time_ns ON drops(time_ns);"
    "INSERT INTO drops VALUES (4, '2026-01-01T00:00:01.000000000Z',"
    " 1767225601000000000, 'sockown_full', NULL, NULL, 3, 12);"
    "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
    "PRAGMA user_version = 5;";

static void
test_migrate_v5(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_drop	 d = { 1, "syslog_backlog", NULL, NULL, 7, 7 };

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	store_close(st);
	exec_other(c->db, schema_v6_to_v5);
	/* version 5 refuses the new source */
	assert_int_equal(sql_fails(c->db, "INSERT INTO drops(time, time_ns,"
	    " source, count, total) VALUES ('x', 1, 'syslog_backlog', 1, 1)"),
	    1);
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	assert_int_equal(store_drops(st, &d, 0), 0);
	d.source = "syslog_refused";
	d.count = 1;
	assert_int_equal(store_drops(st, &d, 0), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "PRAGMA user_version"), 9);
	assert_q_str(c->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", "9");
	assert_q_str(c->db, "SELECT group_concat(id || ' ' || source || ' ' ||"
	    " count || ' ' || total, ',') FROM drops", "4 sockown_full 3 12,"
	    "5 syslog_backlog 7 7,6 syslog_refused 1 7");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name='drops_time_ns' AND type='index'"), 1);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* Version 8 as released: the parts without stack_trace.  Version 9
 * adds it to every part and to the view; old rows read NULL. */
static const char schema_v9_to_v8[] =
    DOWN_V9
    "INSERT INTO events_part_1(id, time, time_ns, type) VALUES (7, 'x', 1,"
    " 'process_kprobe');"
    "UPDATE meta SET value = '8' WHERE key = 'schema_version';"
    "PRAGMA user_version = 8;";

static void
test_migrate_v8(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_event	 e;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	store_close(st);
	exec_other(c->db, schema_v9_to_v8);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events') WHERE name = 'stack_trace'"), 0);
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	memset(&e, 0, sizeof(e));
	e.time_ns = 5;
	e.type = "process_tracepoint";
	e.exec_id = "b2xkbm9kZToxMDox";
	e.stack_trace = "{\"user_stack_trace\":[{\"symbol\":\"main\"}]}";
	assert_int_equal(store_event(st, &e), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "PRAGMA user_version"), 9);
	assert_q_str(c->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", "9");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE id = 7"
	    " AND stack_trace IS NULL"), 1);
	assert_q_str(c->db, "SELECT json_extract(stack_trace,"
	    " '$.user_stack_trace[0].symbol') FROM events WHERE id > 7",
	    "main");
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

static void
test_alerts(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_event	 e;
	struct store_alert	 al[2] = {
		{ "geturl", "http://canary.invalid/x" },
		{ "dnslookup", "canary.invalid" },
	};
	struct store_alert	 badal[2] = {
		{ "geturl", "http://a.invalid/" },
		{ "smoke-signal", "x" },
	};

	/* batch of 2 rows: the event + its 2 alerts exceed it, but they
	 * are committed together, never split across transactions */
	assert_int_equal(store_open(&st, c->db, NODE, OFF, 2), 0);
	memset(&e, 0, sizeof(e));
	e.time_ns = 3000000000ULL;
	e.type = "process_kprobe";
	e.exec_id = "eA==";
	e.function_name = "__x64_sys_openat";
	e.action = "KPROBE_ACTION_GETURL";
	assert_int_equal(store_event(st, &e), 0);
	assert_int_equal(store_pending(st), 1);
	assert_int_equal(store_event_alerts(st, &e, al, 2), 0);
	assert_int_equal(store_pending(st), 0);
	assert_int_equal(store_stats(st)->commits, 1);
	assert_int_equal(store_stats(st)->events, 2);
	assert_int_equal(store_stats(st)->alerts, 2);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts"), 2);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts a JOIN "
	    "events e ON e.id = a.event_id WHERE e.id = 2"), 2);
	assert_q_str(c->db, "SELECT target FROM alerts WHERE kind='geturl'",
	    "http://canary.invalid/x");
	assert_q_str(c->db, "SELECT target FROM alerts WHERE "
	    "kind='dnslookup'", "canary.invalid");
	assert_q_str(c->db, "SELECT created FROM alerts WHERE id=1",
	    "2026-01-01T00:00:03.000000000Z");
	assert_q_str(c->db, "SELECT state FROM alerts WHERE id=2", "pending");
	assert_int_equal(q_int(c->db, "SELECT attempts FROM alerts WHERE "
	    "id=2"), 0);
	assert_true(q_int(c->db, "SELECT last_error IS NULL FROM alerts "
	    "WHERE id=2") == 1);

	/* a failing alert row takes its event with it, nothing else */
	assert_int_equal(store_event(st, &e), 0);
	assert_int_equal(store_event_alerts(st, &e, badal, 2), ERR_DB);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 3);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts"), 2);
	/* and the store goes on */
	assert_int_equal(store_event_alerts(st, &e, al, 1), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 4);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts"), 3);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

static struct proc
mkproc(uint32_t pid, uint64_t kt, uint32_t ppid, uint64_t pkt,
    const char *bin)
{
	static char	 ids[256][PROC_ID_MAX];
	static size_t	 k;
	struct proc	 p;

	memset(&p, 0, sizeof(p));
	p.pid = p.tid = pid;
	p.ktime = kt;
	p.ppid = ppid;
	p.pktime = pkt;
	p.uid = 1000;
	p.euid = 1000;
	p.auid = (uint32_t)-1;
	p.flags = PF_EXECVE;
	p.binary = (char *)bin;
	p.args = (char *)"-x \"a b\"";
	p.cwd = (char *)"/tmp";
	/* the ids live in a ring of buffers: enough for a test's procs */
	k = (k + 2) % (sizeof(ids) / sizeof(*ids));
	pcache_exec_id(NODE, kt, pid, ids[k], sizeof(ids[k]));
	ids[k + 1][0] = '\0';
	if (ppid != 0)
		pcache_exec_id(NODE, pkt, ppid, ids[k + 1],
		    sizeof(ids[k + 1]));
	p.exec_id = ids[k];
	p.parent_exec_id = ids[k + 1];
	return p;
}

static void
test_batching(void **state)
{
	struct ctx	*c = *state;
	struct store	*st;
	struct proc	 p;
	int		 i;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 10), 0);
	for (i = 0; i < 9; i++) {
		p = mkproc(100 + (uint32_t)i, 1000 + (uint64_t)i, 0, 0, "/b");
		assert_int_equal(store_proc(st, &p), 0);
		assert_true(p.stored);
	}
	assert_int_equal(store_pending(st), 9);
	/* not committed yet: a reader sees nothing */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 0);
	p = mkproc(200, 2000, 0, 0, "/b");
	assert_int_equal(store_proc(st, &p), 0);
	/* 10th row: batch committed */
	assert_int_equal(store_pending(st), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 10);
	assert_int_equal(store_stats(st)->commits, 1);
	assert_int_equal(store_stats(st)->processes, 10);
	/* timer-driven flush */
	assert_int_equal(store_event_exec(st, &p), 0);
	assert_int_equal(store_pending(st), 1);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_flush(st), 0);	/* nothing pending: no-op */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 1);
	/* duplicate exec_id is ignored, not an error */
	assert_int_equal(store_proc(st, &p), 0);
	/* close flushes */
	p = mkproc(300, 3000, 0, 0, "/c");
	assert_int_equal(store_proc(st, &p), 0);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 11);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

static void
test_rows_and_views(void **state)
{
	struct ctx	*c = *state;
	struct store	*st;
	struct proc	 a, b, d;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 1000), 0);
	a = mkproc(1, 10, 0, 0, "/sbin/init");
	b = mkproc(100, 1000000000ULL, 1, 10, "/bin/bash");
	d = mkproc(200, 1500000000ULL, 100, 1000000000ULL, "/usr/bin/ls");
	assert_int_equal(store_proc(st, &a), 0);
	assert_int_equal(store_proc(st, &b), 0);
	assert_int_equal(store_proc(st, &d), 0);
	assert_int_equal(store_event_exec(st, &d), 0);
	assert_int_equal(store_proc_exit(st, d.exec_id, 2000000123ULL, 0, 9),
	    0);
	assert_int_equal(store_event_exit(st, d.exec_id, d.parent_exec_id,
	    2000000123ULL, 0, 9), 0);
	assert_int_equal(store_event_exit(st, b.exec_id, b.parent_exec_id,
	    2500000000ULL, 3, 0), 0);
	assert_int_equal(store_proc_gone(st, a.exec_id, 3000000000ULL, 1), 0);
	store_close(st);

	assert_q_str(c->db, "SELECT start_time FROM processes WHERE pid=100",
	    "2026-01-01T00:00:01.000000000Z");
	assert_q_str(c->db, "SELECT exit_time FROM processes WHERE pid=200",
	    "2026-01-01T00:00:02.000000123Z");
	assert_int_equal(q_int(c->db,
	    "SELECT exit_signal FROM processes WHERE pid=200"), 9);
	assert_q_str(c->db, "SELECT args FROM events WHERE "
	    "type='process_exit' AND exec_id=(SELECT exec_id FROM processes "
	    "WHERE pid=200)", "{\"status\":0,\"signal\":\"SIGKILL\"}");
	assert_q_str(c->db, "SELECT args FROM events WHERE "
	    "type='process_exit' AND exec_id=(SELECT exec_id FROM processes "
	    "WHERE pid=100)", "{\"status\":3}");
	assert_q_str(c->db, "SELECT flags FROM processes WHERE pid=1",
	    "execve stale");
	assert_true(q_int(c->db, "SELECT exit_code IS NULL FROM processes "
	    "WHERE pid=1") == 1);
	assert_q_str(c->db, "SELECT arguments FROM processes WHERE pid=200",
	    "-x \"a b\"");
	/* process_ancestors: ls -> bash -> init */
	assert_int_equal(q_int(c->db, "SELECT max(depth) FROM "
	    "process_ancestors WHERE exec_id=(SELECT exec_id FROM processes "
	    "WHERE pid=200)"), 2);
	assert_q_str(c->db, "SELECT binary FROM process_ancestors WHERE "
	    "exec_id=(SELECT exec_id FROM processes WHERE pid=200) AND "
	    "depth=1", "/bin/bash");
	assert_q_str(c->db, "SELECT binary FROM process_ancestors WHERE "
	    "exec_id=(SELECT exec_id FROM processes WHERE pid=200) AND "
	    "depth=2", "/sbin/init");
	assert_q_str(c->db, "SELECT binary FROM process_ancestors WHERE "
	    "exec_id=(SELECT exec_id FROM processes WHERE pid=200) AND "
	    "depth=0", "/usr/bin/ls");
	/* events_full */
	assert_q_str(c->db, "SELECT parent_binary FROM events_full WHERE "
	    "type='process_exec'", "/bin/bash");
	assert_int_equal(q_int(c->db, "SELECT parent_pid FROM events_full "
	    "WHERE type='process_exec'"), 100);
	assert_q_str(c->db, "SELECT time FROM events_full WHERE "
	    "type='process_exec'", "2026-01-01T00:00:01.500000000Z");
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* One network event row for test_connections. */
static void
net_event(struct store *st, uint64_t t, const char *exec_id,
    const char *parent, const char *fn, const char *args)
{
	struct store_event	 e;

	memset(&e, 0, sizeof(e));
	e.time_ns = t;
	e.type = strchr(fn, '/') != NULL ? "process_tracepoint" :
	    "process_kprobe";
	e.exec_id = exec_id;
	e.parent_exec_id = parent;
	e.policy_name = "net";
	e.function_name = fn;
	e.action = "KPROBE_ACTION_POST";
	e.args = args;
	assert_int_equal(store_event(st, &e), 0);
}

#define SOCK4(st, sp, dp)						\
	"{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","	\
	"\"protocol\":\"IPPROTO_TCP\",\"saddr\":\"127.0.0.1\",\"daddr\":"	\
	"\"203.0.113.7\",\"sport\":" sp ",\"dport\":" dp ",\"state\":\""	\
	st "\"}}"
#define CONN_ROW(cond)							\
	"SELECT IFNULL(binary,'-') || '[' || IFNULL(pid,'-') || '] <- ' ||"	\
	" IFNULL(parent_binary,'-') || '[' || IFNULL(parent_pid,'-') ||"	\
	" '] ' || IFNULL(protocol,'-') || ' ' || IFNULL(family,'-') || ' ' ||"\
	" IFNULL(saddr,'-') || ':' || IFNULL(sport,'-') || ' ' ||"	\
	" IFNULL(daddr,'-') || ':' || IFNULL(dport,'-') || ' ' ||"	\
	" IFNULL(state,'-') || '>' || IFNULL(new_state,'-') || ' ' ||"	\
	" IFNULL(direction,'-') || ' ' || function_name || ' ' || time"	\
	" FROM connections WHERE " cond

/* triplinectl tail's reader (views off) gives the same tuples. */
static void
tail_net_rows(const char *db)
{
	struct store_ro		*ro;
	struct store_tail_row	 r;
	char			 err[256];
	int			 n = 0, nnet = 0;

	assert_non_null(ro = store_ro_open(db, err, sizeof(err)));
	assert_int_equal(store_ro_tail(ro, 0), 0);
	while (store_ro_tail_next(ro, &r) == 1) {
		n++;
		nnet += r.net.is_net;
		if (r.id == 2) {
			assert_string_equal(r.net.protocol, "IPPROTO_TCP");
			assert_string_equal(r.net.family, "AF_INET");
			assert_string_equal(r.net.saddr, "127.0.0.1");
			assert_true(r.net.has_sport && r.net.sport == 40000);
			assert_string_equal(r.net.daddr, "203.0.113.7");
			assert_true(r.net.has_dport && r.net.dport == 443);
			assert_string_equal(r.net.state, "TCP_SYN_SENT");
			assert_string_equal(r.net.new_state,
			    "TCP_ESTABLISHED");
			assert_string_equal(r.net.direction, "out");
			assert_string_equal(r.binary, "/usr/bin/curl");
			assert_true(r.has_parent && r.parent_pid == 100);
		}
		if (r.id == 7) {
			assert_null(r.net.protocol);
			assert_null(r.net.saddr);
			assert_false(r.net.has_sport);
			assert_string_equal(r.net.daddr, "203.0.113.7");
			assert_true(r.net.dport == 80);
		}
		if (r.id >= 10)
			assert_false(r.net.is_net);
	}
	assert_int_equal(n, 13);
	assert_int_equal(nnet, 9);
	store_ro_close(ro);
}

static void
test_connections(void **state)
{
	struct ctx	*c = *state;
	struct store	*st;
	struct proc	 sh, cl, srv;
	const char	*C, *P;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 1000), 0);
	sh = mkproc(100, 1000, 1, 10, "/bin/sh");
	cl = mkproc(200, 2000, 100, 1000, "/usr/bin/curl");
	srv = mkproc(300, 3000, 100, 1000, "/usr/sbin/srv");
	assert_int_equal(store_proc(st, &sh), 0);
	assert_int_equal(store_proc(st, &cl), 0);
	assert_int_equal(store_proc(st, &srv), 0);
	C = cl.exec_id;
	P = cl.parent_exec_id;
	/* a client's state changes (tracepoint: sock + newstate) */
	net_event(st, 1000000000ULL, C, P, "sock/inet_sock_set_state",
	    "[" SOCK4("TCP_CLOSE", "0", "443") ",{\"int_arg\":2}]");
	net_event(st, 2000000000ULL, C, P, "sock/inet_sock_set_state",
	    "[" SOCK4("TCP_SYN_SENT", "40000", "443") ",{\"int_arg\":1}]");
	/* newstate labelled: it wins over the last int */
	net_event(st, 3000000000ULL, C, P, "sock/inet_sock_set_state",
	    "[" SOCK4("TCP_ESTABLISHED", "40000", "443") ",{\"int_arg\":4,"
	    "\"label\":\"newstate\"},{\"int_arg\":99}]");
	/* a kprobe without a state argument */
	net_event(st, 4000000000ULL, C, P, "tcp_connect",
	    "[" SOCK4("TCP_SYN_SENT", "40000", "443") "]");
	/* tcp_set_state(sk, state) of a server's child socket */
	net_event(st, 5000000000ULL, srv.exec_id, srv.parent_exec_id,
	    "tcp_set_state", "[{\"sock_arg\":{\"family\":\"AF_INET6\","
	    "\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",\"saddr\":"
	    "\"::1\",\"daddr\":\"::1\",\"sport\":4321,\"dport\":40001,"
	    "\"state\":\"TCP_SYN_RECV\"}},{\"int_arg\":1,\"label\":"
	    "\"state\"}]");
	/* a datagram: the skb's tuple, the direction from the attach type */
	net_event(st, 6000000000ULL, C, P, "__cgroup_bpf_run_filter_skb",
	    "[{\"sock_arg\":{\"family\":\"AF_INET6\",\"type\":\"SOCK_DGRAM\","
	    "\"protocol\":\"IPPROTO_UDP\",\"saddr\":\"::\",\"daddr\":\"::\","
	    "\"state\":\"TCP_CLOSE\"}},{\"skb_arg\":{\"len\":40,\"saddr\":"
	    "\"::1\",\"daddr\":\"::1\",\"sport\":5000,\"dport\":53,\"proto\":"
	    "17,\"protocol\":\"IPPROTO_UDP\",\"family\":\"AF_INET6\"}},"
	    "{\"int_arg\":1,\"label\":\"send\"}]");
	/* sockaddr: the destination of a connect, the local end of a bind */
	net_event(st, 7000000000ULL, C, P, "__x64_sys_connect",
	    "[{\"int_arg\":3},{\"sockaddr_arg\":{\"family\":\"AF_INET\","
	    "\"addr\":\"203.0.113.7\",\"port\":80}}]");
	net_event(st, 8000000000ULL, srv.exec_id, srv.parent_exec_id,
	    "__x64_sys_bind", "[{\"int_arg\":3},{\"sockaddr_arg\":{\"family\":"
	    "\"AF_INET\",\"addr\":\"127.0.0.1\",\"port\":4321}}]");
	/* AF_UNIX: no addresses */
	net_event(st, 9000000000ULL, C, P, "unix_stream_connect",
	    "[{\"sock_arg\":{\"family\":\"AF_UNIX\",\"type\":\"SOCK_STREAM\","
	    "\"protocol\":\"IPPROTO_IP\",\"state\":\"TCP_CLOSE\"}}]");
	/* not network events: a path, a string that names one, bad JSON */
	net_event(st, 10000000000ULL, C, P, "security_file_open",
	    "[{\"file_arg\":{\"path\":\"/run/sock_arg\"}}]");
	net_event(st, 11000000000ULL, C, P, "x",
	    "[{\"string_arg\":\"{\\\"sock_arg\\\":{}}\"}]");
	net_event(st, 12000000000ULL, C, P, "y", "[{\"sock_arg\":");
	net_event(st, 13000000000ULL, C, P, "z", "{\"sock_arg\":1}");
	store_close(st);

	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 13);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM connections"), 9);
	assert_q_str(c->db, CONN_ROW("event_id = 1"),
	    "/usr/bin/curl[200] <- /bin/sh[100] IPPROTO_TCP AF_INET "
	    "127.0.0.1:0 203.0.113.7:443 TCP_CLOSE>TCP_SYN_SENT out "
	    "sock/inet_sock_set_state 2026-01-01T00:00:01.000000000Z");
	assert_q_str(c->db, CONN_ROW("event_id = 2"),
	    "/usr/bin/curl[200] <- /bin/sh[100] IPPROTO_TCP AF_INET "
	    "127.0.0.1:40000 203.0.113.7:443 TCP_SYN_SENT>TCP_ESTABLISHED "
	    "out sock/inet_sock_set_state 2026-01-01T00:00:02.000000000Z");
	assert_q_str(c->db, "SELECT state || '>' || new_state || ' ' ||"
	    " IFNULL(direction, '-') FROM connections WHERE event_id = 3",
	    "TCP_ESTABLISHED>TCP_FIN_WAIT1 -");
	assert_q_str(c->db, CONN_ROW("function_name = 'tcp_connect'"),
	    "/usr/bin/curl[200] <- /bin/sh[100] IPPROTO_TCP AF_INET "
	    "127.0.0.1:40000 203.0.113.7:443 TCP_SYN_SENT>- out tcp_connect "
	    "2026-01-01T00:00:04.000000000Z");
	assert_q_str(c->db, CONN_ROW("function_name = 'tcp_set_state'"),
	    "/usr/sbin/srv[300] <- /bin/sh[100] IPPROTO_TCP AF_INET6 "
	    "::1:4321 ::1:40001 TCP_SYN_RECV>TCP_ESTABLISHED in "
	    "tcp_set_state 2026-01-01T00:00:05.000000000Z");
	assert_q_str(c->db, CONN_ROW("protocol = 'IPPROTO_UDP'"),
	    "/usr/bin/curl[200] <- /bin/sh[100] IPPROTO_UDP AF_INET6 "
	    "::1:5000 ::1:53 TCP_CLOSE>- out __cgroup_bpf_run_filter_skb "
	    "2026-01-01T00:00:06.000000000Z");
	assert_q_str(c->db, CONN_ROW("function_name LIKE '%connect' AND"
	    " dport = 80"), "/usr/bin/curl[200] <- /bin/sh[100] - AF_INET "
	    "-:- 203.0.113.7:80 ->- out __x64_sys_connect "
	    "2026-01-01T00:00:07.000000000Z");
	assert_q_str(c->db, CONN_ROW("function_name LIKE '%bind'"),
	    "/usr/sbin/srv[300] <- /bin/sh[100] - AF_INET 127.0.0.1:4321 "
	    "-:- ->- - __x64_sys_bind 2026-01-01T00:00:08.000000000Z");
	assert_q_str(c->db, CONN_ROW("family = 'AF_UNIX'"),
	    "/usr/bin/curl[200] <- /bin/sh[100] IPPROTO_IP AF_UNIX -:0 -:0 "
	    "TCP_CLOSE>- out unix_stream_connect "
	    "2026-01-01T00:00:09.000000000Z");
	/* the documented question: who talked to 203.0.113.7, started by
	 * what (docs/schema.md) */
	assert_q_str(c->db, "SELECT group_concat(DISTINCT binary || ' <- ' ||"
	    " parent_binary) FROM connections WHERE daddr = '203.0.113.7'"
	    " OR saddr = '203.0.113.7'", "/usr/bin/curl <- /bin/sh");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM connections"
	    " WHERE daddr = '203.0.113.7'"), 5);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM connections"
	    " WHERE function_name IN ('security_file_open', 'x', 'y',"
	    " 'z')"), 0);
	assert_int_equal(q_int(c->db, "SELECT count(DISTINCT event_id) FROM"
	    " connections"), 9);
	tail_net_rows(c->db);
}

static void
restore_cb(const struct proc *t, void *arg)
{
	struct pcache *pc = arg;

	assert_non_null(pcache_insert(pc, t));
}

static void
test_load_live(void **state)
{
	struct ctx	*c = *state;
	struct store	*st;
	struct pcache	*pc = pcache_new(NODE);
	struct proc	 a, b, d, *pa, *pb;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 1000), 0);
	a = mkproc(1, 10, 0, 0, "/sbin/init");
	a.flags = PF_PROCFS | PF_ROOTCWD;
	b = mkproc(100, 1000, 1, 10, "/bin/bash");
	d = mkproc(200, 1500, 100, 1000, "/usr/bin/ls");
	store_proc(st, &a);
	store_proc(st, &b);
	store_proc(st, &d);
	store_proc_exit(st, d.exec_id, 2000, 0, 0);
	assert_int_equal(store_load_live(st, restore_cb, pc), 2);
	pa = pcache_lookup(pc, 1, 10);
	pb = pcache_lookup(pc, 100, 1000);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_null(pcache_lookup(pc, 200, 1500));
	assert_int_equal(pa->flags, PF_PROCFS | PF_ROOTCWD);
	assert_true(pb->stored);
	assert_string_equal(pb->exec_id, b.exec_id);
	assert_string_equal(pb->parent_exec_id, a.exec_id);
	assert_string_equal(pb->args, "-x \"a b\"");
	assert_int_equal(pa->refcnt, 2);	/* self + bash */
	store_close(st);
	pcache_free(pc);
}

/* ---- the pipeline, fed with real records ---- */

static char *
read_file(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*b = calloc(1, 1 << 16);
	size_t	 n;

	assert_non_null(f);
	n = fread(b, 1, (1 << 16) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void
test_pipeline(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	uint8_t			 buf[8192];
	size_t			 len;
	int			 jfd;
	char			*json, id[PROC_ID_MAX], want[512];

	memset(&env, 0, sizeof(env));
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 1000), 0);
	jfd = open(c->json, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	assert_true(jfd >= 0);
	env.ex = export_new(jfd, -1, NODE, OFF);
	env.pc = pcache_new(NODE);

	/* bash (unknown parent 1), forks 200 (clone, no row), 200 execs ls,
	 * ls is killed, bash forks 300 which exits without exec, an exit of
	 * an unknown process, and a malformed record */
	len = genrec_exec(buf, 100, 1000000000ULL, 1, 10, "/bin/bash",
	    "bash\0", 5, "/root");
	pipeline_record(&env, buf, len);
	len = genrec_fork(buf, 200, 1100000000ULL, 100, 1000000000ULL);
	pipeline_record(&env, buf, len);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 0);
	len = genrec_exec(buf, 200, 1200000000ULL, 100, 1000000000ULL,
	    "/usr/bin/ls", "ls\0-la\0\x1b[31mred\0", 16, "/tmp");
	pipeline_record(&env, buf, len);
	len = genrec_exit(buf, 200, 1200000000ULL, 100, 1300000000ULL, 0, 9);
	pipeline_record(&env, buf, len);
	len = genrec_fork(buf, 300, 1400000000ULL, 100, 1000000000ULL);
	pipeline_record(&env, buf, len);
	len = genrec_exit(buf, 300, 1400000000ULL, 100, 1500000000ULL, 2, 0);
	pipeline_record(&env, buf, len);
	len = genrec_exit(buf, 999, 5, 100, 1600000000ULL, 1, 0);
	pipeline_record(&env, buf, len);
	buf[2] = 77;	/* bad version */
	pipeline_record(&env, buf, len);
	assert_int_equal(env.records, 8);
	assert_int_equal(env.malformed, 1);
	assert_int_equal(env.unknown_exits, 1);
	assert_int_equal(store_flush(env.st), 0);
	assert_int_equal(export_flush(env.ex), 0);

	/* rows: bash, ls, clone 300 (lazily, when it exited), unknown 999;
	 * the clone 200 that exec'd never gets a row */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 4);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes "
	    "WHERE pid=200"), 1);
	assert_q_str(c->db, "SELECT flags FROM processes WHERE pid=100",
	    "execve miss");
	assert_q_str(c->db, "SELECT flags FROM processes WHERE pid=300",
	    "clone");
	assert_q_str(c->db, "SELECT binary FROM processes WHERE pid=300",
	    "/bin/bash");
	assert_q_str(c->db, "SELECT flags FROM processes WHERE pid=999",
	    "unknown");
	assert_int_equal(q_int(c->db, "SELECT exit_code FROM processes "
	    "WHERE pid=300"), 2);
	assert_int_equal(q_int(c->db, "SELECT exit_signal FROM processes "
	    "WHERE pid=200"), 9);
	pcache_exec_id(NODE, 1000000000ULL, 100, id, sizeof(id));
	assert_q_str(c->db, "SELECT parent_exec_id FROM processes "
	    "WHERE pid=200", id);
	assert_q_str(c->db, "SELECT parent_exec_id FROM processes "
	    "WHERE pid=999", id);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='process_exec'"), 2);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='process_exit'"), 3);
	/* raw bytes stored as given (escaping is for human output) */
	assert_q_str(c->db, "SELECT arguments FROM processes WHERE pid=200",
	    "-la \x1b[31mred");

	/* JSON export: 2 exec + 3 exit lines, Tetragon shape */
	json = read_file(c->json);
	snprintf(want, sizeof(want), "{\"process_exec\":{\"process\":{"
	    "\"exec_id\":\"%s\",\"pid\":100,\"uid\":1000,\"cwd\":\"/root\","
	    "\"binary\":\"/bin/bash\",\"flags\":\"execve miss\","
	    "\"start_time\":\"2026-01-01T00:00:01.000000000Z\",\"auid\":1000,"
	    "\"parent_exec_id\":", id);
	assert_non_null(strstr(json, want));
	assert_non_null(strstr(json, "\"arguments\":\"-la \\u001b[31mred\""));
	assert_non_null(strstr(json, "\"signal\":\"SIGKILL\",\"time\":"
	    "\"2026-01-01T00:00:01.300000000Z\"},\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:01.300000000Z\"}\n"));
	assert_non_null(strstr(json, "\"status\":2,\"time\""));
	/* status 0 omitted */
	assert_null(strstr(json, "\"status\":0"));
	{
		int	 lines = 0;
		char	*p;

		for (p = json; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 5);
	}
	free(json);

	export_free(env.ex);
	close(jfd);
	store_close(env.st);
	pcache_free(env.pc);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* A hook with every string allocated, as ipc_msg_decode leaves it. */
static void
mkhook(struct ipc_hook *h, uint32_t id, uint32_t gen, uint32_t kind,
    const char *policy)
{
	size_t	 i;

	memset(h, 0, sizeof(*h));
	h->id = id;
	h->gen = gen;
	h->kind = kind;
	h->policy = xstrdup(policy);
	h->function = xstrdup("__x64_sys_openat");
	h->subsys = xstrdup("syscalls");
	h->event = xstrdup("sys_enter_openat");
	h->path = xstrdup("");
	h->message = xstrdup("");
	h->tags_json = xstrdup("");
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		h->arg_label[i] = xstrdup("");
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		h->sel_url[i] = xstrdup("");
		h->sel_fqdn[i] = xstrdup("");
	}
}

struct refresh_ctx {
	struct hooktab	*hooks;
	int		 calls;
};

/* Stands in for collectord reading IPC_COLLECT_HOOK from loaderd. */
static void
refresh_cb(void *arg)
{
	struct refresh_ctx	*rc = arg;
	struct ipc_hook		 h;

	rc->calls++;
	mkhook(&h, 11, 1, POL_HOOK_TRACEPOINT, "late");
	assert_int_equal(hooktab_set(rc->hooks, &h, 1), 0);
}

static uint64_t
fixed_now(void *arg)
{
	return (uint64_t)OFF + 5000000000ULL;
}

static int
no_send(void *arg, const struct ipc_alert_job *j)
{
	return ERR_AGAIN;
}

static void
test_pipeline_generic(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	struct refresh_ctx	 rc;
	struct ipc_hook		 h;
	static struct genrec	 r;
	uint8_t			 buf[8192];
	size_t			 len;
	int			 jfd;
	char			*json, bash[PROC_ID_MAX], unk[PROC_ID_MAX];
	char			 want[1024], sql[512];

	memset(&env, 0, sizeof(env));
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 1000), 0);
	jfd = open(c->json, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	assert_true(jfd >= 0);
	env.ex = export_new(jfd, -1, NODE, OFF);
	{
		struct outbox_hooks oh = { fixed_now, no_send, NULL, NULL,
		    NULL };

		/* actions go through the outbox (no alerts file) */
		env.ob = outbox_new(env.st, &oh);
	}
	env.pc = pcache_new(NODE);
	env.hooks = hooktab_new();
	pcache_exec_id(NODE, 1000000000ULL, 100, bash, sizeof(bash));
	pcache_exec_id(NODE, 7, 555, unk, sizeof(unk));

	mkhook(&h, 7, 1, POL_HOOK_KPROBE, "files");
	h.nargs = 2;
	h.arg_type[0] = POL_ARG_INT;
	h.arg_type[1] = POL_ARG_STRING;
	free(h.arg_label[1]);
	h.arg_label[1] = xstrdup("path");
	h.ret_type = POL_ARG_INT;
	free(h.sel_url[0]);
	h.sel_url[0] = xstrdup("http://canary.invalid/hit");
	free(h.tags_json);
	h.tags_json = xstrdup("[\"fs\"]");
	assert_int_equal(hooktab_set(env.hooks, &h, 1), 0);

	/* bash execs, then opens /etc/passwd: Post + GetUrl, selector 0 */
	len = genrec_exec(buf, 100, 1000000000ULL, 1, 10, "/bin/bash",
	    "bash\0", 5, "/root");
	pipeline_record(&env, buf, len);
	genrec_init(&r, 100, 1000000000ULL, 1, 10, 7, 1);
	genrec_int(&r, POL_ARG_INT, -100);
	genrec_str(&r, POL_ARG_STRING, "/etc/passwd");
	genrec_hdr(&r)->flags = EVG_F_RETURN;
	genrec_hdr(&r)->ret = 3;
	genrec_hdr(&r)->sel = 0;
	genrec_hdr(&r)->actions = (1U << POL_ACT_POST) |
	    (1U << POL_ACT_GETURL);
	len = genrec_done(&r);
	pipeline_record(&env, r.buf, len);

	/* a process the cache never saw, child of bash; monitor mode */
	genrec_init(&r, 555, 7, 100, 1000000000ULL, 7, 1);
	genrec_int(&r, POL_ARG_INT, 1);
	genrec_hdr(&r)->flags = EVG_F_MONITOR;
	genrec_hdr(&r)->would = 1U << POL_ACT_SIGKILL;
	len = genrec_done(&r);
	pipeline_record(&env, r.buf, len);

	/* an unknown hook, no refresh possible: stored anyway */
	genrec_init(&r, 100, 1000000000ULL, 1, 10, 9, 1);
	genrec_str(&r, POL_ARG_FILENAME, "x");
	len = genrec_done(&r);
	pipeline_record(&env, r.buf, len);
	assert_int_equal(env.unknown_hooks, 1);

	/* metadata that arrives on the parent channel just in time */
	memset(&rc, 0, sizeof(rc));
	rc.hooks = env.hooks;
	env.refresh = refresh_cb;
	env.refresh_arg = &rc;
	genrec_init(&r, 100, 1000000000ULL, 1, 10, 11, 1);
	len = genrec_done(&r);
	pipeline_record(&env, r.buf, len);
	pipeline_record(&env, r.buf, len);
	assert_int_equal(rc.calls, 1);	/* known the second time */
	assert_int_equal(env.unknown_hooks, 1);

	/* deleted hook: records already in the ring still resolve */
	assert_int_equal(hooktab_del(env.hooks, 7, 1, 2), 0);
	genrec_init(&r, 100, 1000000000ULL, 1, 10, 7, 1);
	genrec_hdr(&r)->actions = 1U << POL_ACT_SIGKILL;
	len = genrec_done(&r);
	pipeline_record(&env, r.buf, len);

	/* malformed: counted, dropped */
	genrec_hdr(&r)->nargs = 2;
	pipeline_record(&env, r.buf, len);

	assert_int_equal(env.records, 8);
	assert_int_equal(env.malformed, 1);
	assert_int_equal(env.generic, 6);
	assert_int_equal(env.unknown_procs, 1);
	assert_int_equal(env.alerts, 1);
	assert_int_equal(store_flush(env.st), 0);
	assert_int_equal(export_flush(env.ex), 0);

	/* rows */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type IN ('process_kprobe','process_tracepoint')"), 6);
	snprintf(sql, sizeof(sql), "SELECT exec_id FROM events WHERE id=2");
	assert_q_str(c->db, sql, bash);
	assert_q_str(c->db, "SELECT type || '|' || policy_name || '|' || "
	    "function_name || '|' || action || '|' || args || '|' || "
	    "return_value || '|' || tags || '|' || actions || '|' || "
	    "IFNULL(monitor_would, 'NULL') || '|' || IFNULL(message, 'NULL')"
	    " FROM events WHERE id=2", "process_kprobe|files|"
	    "__x64_sys_openat|KPROBE_ACTION_GETURL|[{\"int_arg\":-100},"
	    "{\"string_arg\":\"/etc/passwd\",\"label\":\"path\"}]|"
	    "{\"int_arg\":3}|[\"fs\"]|[\"KPROBE_ACTION_POST\","
	    "\"KPROBE_ACTION_GETURL\"]|NULL|NULL");
	assert_q_str(c->db, "SELECT time FROM events WHERE id=2",
	    "2026-01-01T00:00:02.000000000Z");
	assert_q_str(c->db, "SELECT kind || '|' || target || '|' || state "
	    "FROM alerts WHERE event_id=2", "geturl|"
	    "http://canary.invalid/hit|pending");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM alerts"), 1);
	/* unknown process: minimal row, child of bash */
	snprintf(sql, sizeof(sql), "SELECT flags || '|' || parent_exec_id "
	    "FROM processes WHERE exec_id='%s'", unk);
	snprintf(want, sizeof(want), "unknown|%s", bash);
	assert_q_str(c->db, sql, want);
	snprintf(sql, sizeof(sql), "SELECT parent_exec_id || '|' || action "
	    "|| '|' || monitor_would FROM events WHERE exec_id='%s'", unk);
	snprintf(want, sizeof(want), "%s|KPROBE_ACTION_POST|"
	    "[\"KPROBE_ACTION_SIGKILL\"]", bash);
	assert_q_str(c->db, sql, want);
	/* unknown hook */
	assert_q_str(c->db, "SELECT type || '|' || function_name || '|' || "
	    "IFNULL(policy_name, 'NULL') || '|' || args FROM events WHERE "
	    "id=4", "process_kprobe|unknown hook 9|NULL|"
	    "[{\"string_arg\":\"x\"}]");
	/* late metadata */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='process_tracepoint' AND policy_name='late' AND "
	    "function_name='syscalls/sys_enter_openat' AND args='[]'"), 2);
	/* retired hook */
	assert_q_str(c->db, "SELECT policy_name || '|' || action FROM events"
	    " WHERE id=7", "files|KPROBE_ACTION_SIGKILL");
	/* events_full joins the process */
	assert_q_str(c->db, "SELECT binary FROM events_full WHERE id=2",
	    "/bin/bash");

	/* JSON: one exec line and six policy lines */
	json = read_file(c->json);
	snprintf(want, sizeof(want), "\"function_name\":\"__x64_sys_openat"
	    "\",\"args\":[{\"int_arg\":-100},{\"string_arg\":"
	    "\"/etc/passwd\",\"label\":\"path\"}],\"return\":"
	    "{\"int_arg\":3},\"action\":\"KPROBE_ACTION_GETURL\","
	    "\"policy_name\":\"files\",\"tags\":[\"fs\"]},"
	    "\"node_name\":\"testnode\",\"time\":"
	    "\"2026-01-01T00:00:02.000000000Z\"}\n");
	assert_non_null(strstr(json, want));
	snprintf(want, sizeof(want), "{\"process_kprobe\":{\"process\":{"
	    "\"exec_id\":\"%s\",\"pid\":555,\"uid\":0,\"flags\":"
	    "\"unknown\",", unk);
	assert_non_null(strstr(json, want));
	snprintf(want, sizeof(want), "\"parent\":{\"exec_id\":\"%s\","
	    "\"pid\":100,", bash);
	assert_non_null(strstr(json, want));
	assert_non_null(strstr(json, "\"function_name\":\"unknown hook 9\""));
	{
		int	 lines = 0, tp = 0;
		char	*p;

		for (p = json; *p; p++)
			lines += *p == '\n';
		for (p = json; (p = strstr(p, "{\"process_tracepoint\":"))
		    != NULL; p++)
			tp++;
		assert_int_equal(lines, 7);
		assert_int_equal(tp, 2);
	}
	/* the GetUrl job carries the very JSON line exported for its
	 * event, and a title built from it */
	{
		char	*l = strstr(json, "\"action\":\"KPROBE_ACTION_GETURL");
		char	*q;

		assert_non_null(l);
		while (l > json && l[-1] != '\n')
			l--;
		*strchr(l, '\n') = '\0';
		xasprintf(&q, "SELECT json_extract(payload, '$.event') = "
		    "json('%s') FROM outbox WHERE event_id=2", l);
		assert_int_equal(q_int(c->db, q), 1);
		free(q);
		assert_q_str(c->db, "SELECT json_extract(payload, '$.title') "
		    "FROM outbox WHERE event_id=2", "[info] files: /bin/bash "
		    "__x64_sys_openat -100 /etc/passwd = 3");
		assert_q_str(c->db, "SELECT (idem_key = 'tl-testnode-' || "
		    "(SELECT value FROM meta WHERE key = 'idem_salt') || "
		    "'-1') || '|' || kind FROM outbox WHERE event_id=2",
		    "1|canary_http");
	}
	free(json);

	outbox_free(env.ob);
	export_free(env.ex);
	close(jfd);
	store_close(env.st);
	pcache_free(env.pc);
	hooktab_free(env.hooks);
	pipeline_clear(&env);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* IPC_COLLECT_DROPS -> drops rows, events_lost events, JSON lines. */
static void
test_pipeline_drops(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	struct ipc_drops	 ring = { 2000000000ULL, 40, 40, IPC_DROPS_RING,
	    0, 0, (char *)"", (char *)"" };
	struct ipc_drops	 hook = { 2000000000ULL, 30, 30, IPC_DROPS_HOOK,
	    4, 1, (char *)"sensitive-files", (char *)"sys_openat" };
	struct ipc_drops	 bad;
	struct sbuf		 sb;
	int			 jfd;
	char			*json;

	memset(&env, 0, sizeof(env));
	/* a batch of 4 rows: a ring report is 2 (drops + events), a hook
	 * report 1, so the third report commits */
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 4), 0);
	jfd = open(c->json, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	assert_true(jfd >= 0);
	env.ex = export_new(jfd, -1, NODE, OFF);
	env.pc = pcache_new(NODE);

	assert_int_equal(pipeline_drops(&env, &ring), 0);
	assert_int_equal(pipeline_drops(&env, &hook), 0);
	/* nothing visible before the commit */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops"), 0);
	ring.time_ns = 3000000000ULL;
	ring.count = 2;
	ring.total = 42;
	assert_int_equal(pipeline_drops(&env, &ring), 0);
	assert_int_equal(env.lost, 42);
	assert_int_equal(store_pending(env.st), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops"), 3);

	/* refused: unknown source, count 0, count above total */
	bad = ring;
	bad.source = 3;
	assert_int_equal(pipeline_drops(&env, &bad), ERR_PARSE);
	bad = ring;
	bad.count = 0;
	assert_int_equal(pipeline_drops(&env, &bad), ERR_PARSE);
	bad = ring;
	bad.count = 43;
	assert_int_equal(pipeline_drops(&env, &bad), ERR_PARSE);
	assert_int_equal(env.lost, 42);

	assert_int_equal(store_flush(env.st), 0);
	assert_int_equal(export_flush(env.ex), 0);
	assert_int_equal(store_stats(env.st)->drops, 3);
	assert_int_equal(store_stats(env.st)->events, 2);

	/* drops rows */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops"), 3);
	assert_q_str(c->db, "SELECT source || ' ' || count || ' ' || total ||"
	    " ' ' || time || ' ' || time_ns FROM drops WHERE id=1",
	    "ring_buffer 40 40 2026-01-01T00:00:02.000000000Z "
	    "1767225602000000000");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops WHERE id=1 "
	    "AND hook_policy IS NULL AND hook_function IS NULL"), 1);
	assert_q_str(c->db, "SELECT source || ' ' || hook_policy || ' ' ||"
	    " hook_function || ' ' || count || ' ' || total FROM drops"
	    " WHERE id=2", "hook sensitive-files sys_openat 30 30");
	assert_q_str(c->db, "SELECT count || ' ' || total FROM drops WHERE "
	    "id=3", "2 42");
	/* the last ring_buffer total is what status showed */
	assert_int_equal(q_int(c->db, "SELECT max(total) FROM drops WHERE "
	    "source='ring_buffer'"), 42);
	assert_int_equal(q_int(c->db, "SELECT sum(count) FROM drops WHERE "
	    "source='ring_buffer'"), 42);

	/* events_lost events: the ring figure only, in time order */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='events_lost'"), 2);
	assert_q_str(c->db, "SELECT args FROM events WHERE type='events_lost'"
	    " ORDER BY time_ns LIMIT 1",
	    "{\"count\":40,\"total\":40,\"source\":\"ring_buffer\"}");
	assert_q_str(c->db, "SELECT time FROM events WHERE type='events_lost'"
	    " ORDER BY time_ns DESC LIMIT 1",
	    "2026-01-01T00:00:03.000000000Z");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='events_lost' AND exec_id IS NULL AND policy_name IS NULL"),
	    2);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events_full WHERE "
	    "type='events_lost'"), 2);

	/* JSON lines: two, the ring figure */
	json = read_file(c->json);
	assert_string_equal(json,
	    "{\"events_lost\":{\"count\":40,\"total\":40,"
	    "\"source\":\"ring_buffer\"},\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:02.000000000Z\"}\n"
	    "{\"events_lost\":{\"count\":2,\"total\":42,"
	    "\"source\":\"ring_buffer\"},\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:03.000000000Z\"}\n");
	free(json);
	/* the hook form of the line, with escaping */
	sbuf_init(&sb);
	export_fmt_events_lost(env.ex, &sb, 0, "hook", "p\"q", "f", 1,
	    UINT64_MAX);
	sbuf_addc(&sb, '\0');
	assert_string_equal(sb.buf, "{\"events_lost\":{\"count\":1,"
	    "\"total\":18446744073709551615,\"source\":\"hook\","
	    "\"policy_name\":\"p\\\"q\",\"function_name\":\"f\"},"
	    "\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:00.000000000Z\"}");
	sbuf_clear(&sb);

	export_free(env.ex);
	close(jfd);
	store_close(env.st);
	pipeline_clear(&env);	/* the reports its batches held */
	pcache_free(env.pc);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* IPC_DROPS_SOCKOWN: a drops row "sockown_full", no events_lost event (no
 * record was lost: the events of those sockets name the current task). */
static void
test_pipeline_drops_sockown(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	struct ipc_drops	 so = { 2000000000ULL, 5, 12, IPC_DROPS_SOCKOWN,
	    0, 0, (char *)"", (char *)"" };

	memset(&env, 0, sizeof(env));
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 1), 0);
	env.pc = pcache_new(NODE);
	assert_int_equal(pipeline_drops(&env, &so), 0);
	assert_int_equal(store_flush(env.st), 0);
	assert_q_str(c->db, "SELECT source || ' ' || count || ' ' || total || "
	    "' ' || (hook_policy IS NULL) FROM drops", "sockown_full 5 12 1");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 0);
	assert_int_equal(env.lost, 0);
	store_close(env.st);
	pipeline_clear(&env);
	pcache_free(env.pc);
}

/* Drops reports that come while another connection holds the write lock
 * are kept and stored once it is gone; beyond the bound they are folded,
 * or their records counted in meta drops_unrecorded. */
static void
test_pipeline_drops_busy(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	struct ipc_drops	 ring = { 2000000000ULL, 40, 40, IPC_DROPS_RING,
	    0, 0, (char *)"", (char *)"" };
	struct ipc_drops	 hook = { 2100000000ULL, 30, 30, IPC_DROPS_HOOK,
	    4, 1, (char *)"sensitive-files", (char *)"sys_openat" };
	sqlite3			*lk;
	size_t			 i;

	memset(&env, 0, sizeof(env));
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 1), 0);
	assert_int_equal(sqlite3_open(c->db, &lk), SQLITE_OK);
	assert_int_equal(sqlite3_exec(lk, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(pipeline_drops(&env, &ring), ERR_AGAIN);
	assert_int_equal(pipeline_drops(&env, &hook), ERR_AGAIN);
	assert_int_equal(sqlite3_exec(lk, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	/* the next report comes after the kept ones */
	ring.time_ns = 3000000000ULL;
	ring.count = 2;
	ring.total = 42;
	assert_int_equal(pipeline_drops(&env, &ring), 0);
	assert_int_equal(store_flush(env.st), 0);
	assert_q_str(c->db, "SELECT group_concat(source || ' ' || count, ',')"
	    " FROM (SELECT source, count FROM drops ORDER BY id)",
	    "ring_buffer 40,hook 30,ring_buffer 2");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='events_lost'"), 2);
	assert_int_equal(env.lost, 42);
	assert_int_equal(env.db_errors, 0);

	/* more than the bound while locked: a report of a source and hook
	 * already kept is folded into the last such report (one row with
	 * both counts); one that cannot be is counted in drops_unrecorded */
	assert_int_equal(sqlite3_exec(lk, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	for (i = 0; i < PIPELINE_DROPS_HELD + 3; i++) {
		ring.time_ns += 1000;
		ring.total += 5;
		ring.count = 5;
		assert_int_equal(pipeline_drops(&env, &ring), ERR_AGAIN);
	}
	hook.function = (char *)"other_function";
	hook.count = 7;
	hook.total = 37;
	assert_int_equal(pipeline_drops(&env, &hook), ERR_AGAIN);
	assert_int_equal(pipeline_drops_retry(&env), ERR_AGAIN);
	assert_int_equal(sqlite3_exec(lk, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(lk);
	assert_int_equal(pipeline_drops_retry(&env), 0);
	assert_int_equal(pipeline_drops_retry(&env), 0);
	assert_int_equal(store_flush(env.st), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops"),
	    3 + PIPELINE_DROPS_HELD);
	assert_int_equal(q_int(c->db, "SELECT count FROM drops ORDER BY id"
	    " DESC LIMIT 1"), 4 * 5);
	assert_int_equal(q_int(c->db, "SELECT max(total) FROM drops WHERE"
	    " source = 'ring_buffer'"), 42 + 5 * (PIPELINE_DROPS_HELD + 3));
	assert_int_equal(q_int(c->db, "SELECT sum(count) FROM drops WHERE"
	    " source = 'ring_buffer'"), 42 + 5 * (PIPELINE_DROPS_HELD + 3));
	assert_int_equal(q_int(c->db, "SELECT value FROM meta WHERE "
	    "key='drops_unrecorded'"), 7);
	assert_int_equal(env.lost, 42 + 5 * (PIPELINE_DROPS_HELD + 3));
	assert_int_equal(env.db_errors, 0);

	pipeline_clear(&env);
	store_close(env.st);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

/* A drops row and its event are written together or not at all. */
static void
test_drops_atomic(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_drop	 d = { 1, "ring_buffer", NULL, NULL, 1, 1 };
	struct store_drop	 badsrc = { 1, "elsewhere", NULL, NULL, 1, 1 };

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 100), 0);
	assert_int_equal(store_drops(st, &d, 1), 0);
	/* the CHECK constraint refuses the row: neither row is kept, the
	 * batch stays usable */
	assert_int_equal(store_drops(st, &badsrc, 1), ERR_DB);
	d.count = 2;
	d.total = 3;
	assert_int_equal(store_drops(st, &d, 0), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_stats(st)->drops, 2);
	assert_int_equal(store_stats(st)->events, 1);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops"), 2);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM drops WHERE "
	    "source='elsewhere'"), 0);
}

/*
 * A retention step that fails part-way (here: a trigger refuses the
 * drops delete, after the events and processes ones) is rolled back
 * whole, and its counters (the tripline_retention_* metrics) count an
 * error, not the rows it did not delete.
 */
static void
test_retention_rollback(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_drop	 d = { 1, "ring_buffer", NULL, NULL, 1, 1 };
	const struct store_ret_stats *rs;
	struct proc		 p;
	uint64_t		 now = (uint64_t)OFF + 3600000000000ULL;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 1000), 0);
	p = mkproc(100, 1000, 0, 0, "/b");
	assert_int_equal(store_proc(st, &p), 0);
	assert_int_equal(store_event_exec(st, &p), 0);
	assert_int_equal(store_proc_exit(st, p.exec_id, 2000, 0, 0), 0);
	assert_int_equal(store_drops(st, &d, 0), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_retention_set(st, 1, 0), 0);
	exec_other(c->db, "CREATE TRIGGER no_del BEFORE DELETE ON drops"
	    " BEGIN SELECT RAISE(ABORT, 'refused'); END");
	assert_int_equal(store_retention_step(st, now, 100), ERR_DB);
	rs = store_retention_stats(st);
	assert_int_equal(rs->errors, 1);
	assert_int_equal(rs->steps, 0);
	assert_int_equal(rs->events, 0);
	assert_int_equal(rs->processes, 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 1);
	/* without the trigger the same step goes through */
	exec_other(c->db, "DROP TRIGGER no_del");
	assert_true(store_retention_step(st, now, 100) >= 0);
	assert_int_equal(rs->steps, 1);
	assert_int_equal(rs->events, 1);
	assert_int_equal(rs->processes, 1);
	assert_int_equal(rs->drops, 1);
	assert_int_equal(rs->errors, 1);
	store_close(st);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events"), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 0);
}

/* n events of about 600 bytes each from id base on, committed. */
static void
parts_fill(struct store *st, const char *exec_id, int n, uint64_t t0)
{
	struct store_event	 e;
	char			 args[640];
	int			 i;

	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	memset(&e, 0, sizeof(e));
	e.type = "process_kprobe";
	e.exec_id = exec_id;
	e.args = args;
	for (i = 0; i < n; i++) {
		e.time_ns = t0 + (uint64_t)i;
		assert_int_equal(store_event(st, &e), 0);
	}
	assert_int_equal(store_flush(st), 0);
}

/*
 * Retention by parts: under max_size the events go in parts that are
 * dropped whole; ids go on across parts (none reused), the rows deleted
 * are counted exactly, the file stays within its bound, an undelivered
 * alert's event survives the drop of its part (moved to the newest), and
 * the read-only reader (views off) walks every part.
 */
static void
test_retention_parts(void **state)
{
	struct ctx		*c = *state;
	struct store		*st;
	struct store_usage	 u;
	struct store_event	 e;
	struct store_alert	 al = { "geturl", "http://x.invalid/" };
	const struct store_ret_stats *rs;
	struct store_ro		*ro;
	struct store_tail_row	 row;
	uint64_t		 now = (uint64_t)OFF + 1000000000ULL, max = 0;
	int64_t			 last = 0, prev = 0;
	char			 err[256];
	int			 round, n = 0, r;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 1000), 0);
	memset(&e, 0, sizeof(e));
	e.time_ns = 1;
	e.type = "process_kprobe";
	e.exec_id = "a2VwdA==";
	assert_int_equal(store_event_alerts(st, &e, &al, 1), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_retention_set(st, 0, 8 << 20), 0);
	for (round = 0; round < 400; round++) {
		parts_fill(st, "cGFydHM=", 200, 10 + (uint64_t)round * 1000);
		while ((r = store_retention_step(st, now, 4096)) == 1)
			;
		assert_int_equal(r, 0);
		assert_int_equal(store_usage(st, &u), 0);
		if (u.file - u.free > max)
			max = u.file - u.free;
	}
	rs = store_retention_stats(st);
	if (getenv("PARTS_DEBUG") != NULL)
		fprintf(stderr, "rows %lld parts %lld max %llu steps %llu\n",
		    q_int(c->db, "SELECT count(*) FROM events"),
		    q_int(c->db, "SELECT count(*) FROM events_parts"),
		    (unsigned long long)max,
		    (unsigned long long)rs->steps);
	assert_int_equal(rs->errors, 0);
	/* 80 001 rows written (about 7 times the bound); parts of about
	 * 1/8 of it were dropped, the newest 5000 rows are all there */
	assert_true(q_int(c->db, "SELECT count(*) FROM events") < 12000);
	assert_true(q_int(c->db, "SELECT count(*) FROM events_parts") >= 5);
	assert_int_equal(q_int(c->db, "SELECT max(id) FROM events"), 80001);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE id >"
	    " 75000"), 5001);
	assert_int_equal((long long)rs->events, q_int(c->db, "SELECT 80001 -"
	    " count(*) FROM events"));
	/* the database within max_size less the WAL's share (1 MiB) */
	assert_true(max <= (7 << 20));
	/* the alert's event is kept, in the newest part, with its job */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE id ="
	    " 1 AND exec_id = 'a2VwdA=='"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM outbox WHERE"
	    " event_id = 1"), 1);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM outbox o WHERE"
	    " NOT EXISTS (SELECT 1 FROM events e WHERE e.id = o.event_id)"),
	    0);
	store_close(st);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
	/* views off: the reader walks the parts' tables, in id order */
	assert_non_null(ro = store_ro_open(c->db, err, sizeof(err)));
	assert_int_equal(store_ro_last_event(ro, &last), 0);
	assert_int_equal(last, 80001);
	assert_int_equal(store_ro_tail(ro, 76000), 0);
	while ((r = store_ro_tail_next(ro, &row)) == 1) {
		assert_true(row.id > prev);
		prev = row.id;
		n++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 4001);
	store_ro_close(ro);
}

/*
 * A write of events.jsonl that fails part-way (here: the file size limit,
 * as a full disk would) leaves only whole lines: the file is cut back to
 * the last one, and the lines not written whole are counted as lost.
 */
static void
test_export_torn(void **state)
{
	struct export	*ex;
	struct proc	 p;
	struct rlimit	 old, lim;
	struct stat	 sb;
	char		 path[] = "/tmp/test_export.XXXXXX", *buf;
	uint64_t	 lines = 0;
	ssize_t		 n;
	int		 fd, i;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_APPEND), 0);
	ex = export_new(fd, -1, NODE, OFF);
	p = mkproc(4242, 1, 4200, 1, "/usr/bin/ls");
	for (i = 0; i < 20; i++)
		export_exec(ex, &p, NULL);
	assert_true(export_buffered(ex) > 3000);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 3000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(export_flush(ex), ERR_SYS);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_true(sb.st_size > 0 && sb.st_size <= 3000);
	buf = xmalloc((size_t)sb.st_size);
	n = pread(fd, buf, (size_t)sb.st_size, 0);
	assert_int_equal(n, sb.st_size);
	assert_int_equal(buf[n - 1], '\n');
	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			lines++;
	assert_int_equal(export_stats(ex)->lines, lines);
	assert_int_equal(export_stats(ex)->errors, 20 - lines);
	assert_int_equal(export_buffered(ex), 0);
	/* the next flush appends whole lines after them */
	export_exec(ex, &p, NULL);
	assert_int_equal(export_flush(ex), 0);
	assert_int_equal(export_stats(ex)->lines, lines + 1);
	free(buf);
	export_free(ex);
	close(fd);
	unlink(path);
}

static void
test_compact(void **state)
{
	struct proc	 p, par;
	struct sbuf	 sb;

	p = mkproc(4242, 1, 4200, 1, "/usr/bin/ls");
	p.args = (char *)"-la\n\x1b";
	par = mkproc(4200, 1, 0, 0, "/bin/bash");
	par.args = (char *)"";
	sbuf_init(&sb);
	export_compact_exec(&sb, &p, &par);
	assert_string_equal(sb.buf, "exec 4242 /usr/bin/ls -la\\n\\x1b"
	    "  cwd=/tmp  parent=4200 /bin/bash");
	sbuf_reset(&sb);
	p.args = (char *)"-la";
	export_compact_exit(&sb, &p, 0, 0);
	assert_string_equal(sb.buf, "exit 4242 /usr/bin/ls -la  status=0");
	sbuf_reset(&sb);
	export_compact_exit(&sb, &p, 0, 9);
	assert_string_equal(sb.buf, "exit 4242 /usr/bin/ls -la  signal=SIGKILL");
	sbuf_clear(&sb);
}

/*
 * Exit records lost: the process cache stays at its bound; the evictions
 * are counted in meta; the rows of evicted processes that are gone end
 * as stale; a running process (this test) keeps its entry and open row.
 */
static void
test_pipeline_evict(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	uint8_t			 buf[8192];
	size_t			 len;
	uint64_t		 ev;
	uint32_t		 i, me = (uint32_t)getpid();

	memset(&env, 0, sizeof(env));
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 1000), 0);
	env.pc = pcache_new(NODE);
	pcache_set_max(env.pc, 64);
	assert_int_equal(pipeline_startup(&env, NULL, 0), 0);
	len = genrec_exec(buf, me, 1000, 0, 0, "/usr/bin/me", "me\0", 3, "/");
	pipeline_record(&env, buf, len);
	/* pids above PID_MAX_LIMIT: gone for kill(pid, 0) */
	for (i = 0; i < 500; i++) {
		len = genrec_exec(buf, 0x40000000U + i, 2000 + i, 0, 0, "/bin/x",
		    "x\0", 2, "/");
		pipeline_record(&env, buf, len);
		assert_true(pcache_count(env.pc) <= 64);
	}
	assert_int_equal(store_flush(env.st), 0);
	ev = pcache_stats(env.pc)->evicted;
	assert_int_equal(ev, 501 - pcache_count(env.pc));
	assert_int_equal(env.evicted, ev);
	assert_int_equal(env.db_errors, 0);
	assert_non_null(pcache_lookup(env.pc, me, 1000));
	store_close(env.st);
	pcache_free(env.pc);
	assert_int_equal(q_int(c->db, "SELECT value FROM meta WHERE "
	    "key='pcache_evicted'"), (int64_t)ev);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM meta WHERE "
	    "key='pcache_evicted_live'"), 0);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes WHERE "
	    "flags LIKE '% stale' AND exit_time IS NOT NULL"),
	    (int64_t)ev);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes WHERE "
	    "exit_time IS NULL"), 501 - (int64_t)ev);
	assert_int_equal(q_int(c->db, "SELECT exit_time IS NULL FROM "
	    "processes WHERE binary = '/usr/bin/me'"), 1);
}

/* restart: live rows come back, procfs merge keeps valid rows, marks
 * gone/reused pids stale, adds new /proc processes */
static void
test_startup_reconcile(void **state)
{
	struct ctx		*c = *state;
	struct collector_env	 env;
	struct proc		 a, b, d, procs[3];
	struct store		*st;

	assert_int_equal(store_open(&st, c->db, NODE, OFF, 1000), 0);
	a = mkproc(1, 10, 0, 0, "/sbin/init");
	b = mkproc(100, 5000, 1, 10, "/bin/bash");	/* still running */
	d = mkproc(200, 6000, 100, 5000, "/bin/gone");	/* gone */
	store_proc(st, &a);
	store_proc(st, &b);
	store_proc(st, &d);
	store_close(st);

	memset(&env, 0, sizeof(env));
	env.now_boot_ns = 9000;
	assert_int_equal(store_open(&env.st, c->db, NODE, OFF, 1000), 0);
	env.pc = pcache_new(NODE);
	/* /proc now: init (same), bash (started 4000 < row 5000: valid),
	 * pid 300 new */
	procs[0] = mkproc(1, 10, 0, 0, "/sbin/init");
	procs[1] = mkproc(100, 4000, 1, 10, "/bin/bash");
	procs[2] = mkproc(300, 7000, 100, 4000, "/bin/new");
	procs[0].flags = procs[1].flags = procs[2].flags = PF_PROCFS;
	assert_int_equal(pipeline_startup(&env, procs, 3), 0);
	assert_int_equal(env.restored, 3);
	assert_int_equal(env.stale, 1);
	assert_int_equal(env.procfs, 1);
	assert_non_null(pcache_lookup(env.pc, 100, 5000));
	assert_null(pcache_lookup(env.pc, 100, 4000));
	assert_null(pcache_lookup(env.pc, 200, 6000));
	assert_non_null(pcache_lookup(env.pc, 300, 7000));
	store_close(env.st);
	pcache_free(env.pc);
	assert_q_str(c->db, "SELECT flags FROM processes WHERE pid=200",
	    "execve stale");
	assert_true(q_int(c->db, "SELECT exit_time IS NOT NULL FROM processes"
	    " WHERE pid=200") == 1);
	assert_true(q_int(c->db, "SELECT exit_time IS NULL FROM processes"
	    " WHERE pid=100") == 1);
	assert_q_str(c->db, "SELECT flags FROM processes WHERE pid=300",
	    "procFS");
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM events WHERE "
	    "type='process_exec'"), 1);

	/* a restart under another node name: every live row is stale */
	memset(&env, 0, sizeof(env));
	assert_int_equal(store_open(&env.st, c->db, "renamed", OFF, 1000), 0);
	env.pc = pcache_new("renamed");
	assert_int_equal(pipeline_startup(&env, NULL, 0), 0);
	assert_int_equal(env.restored, 0);
	assert_int_equal(env.stale, 3);
	store_close(env.st);
	pcache_free(env.pc);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes WHERE "
	    "exit_time IS NULL"), 0);
	assert_q_str(c->db, "PRAGMA integrity_check", "ok");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v2, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v2_atomic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v3, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v8, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v5, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alerts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batching, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rows_and_views, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_live, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_evict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipeline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_generic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_drops_busy,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_drops, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_drops_sockown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops_atomic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retention_parts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_rollback,
		    setup, teardown),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_export_torn),
		cmocka_unit_test_setup_teardown(test_startup_reconcile, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
