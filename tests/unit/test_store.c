/* tests/unit/test_store.c -- the SQLite store (schema, batching, views,
 * restore) and the record pipeline end to end (records -> rows + JSON). */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bpf/events.h"
#include "collectord/collectord.h"
#include "collectord/export.h"
#include "collectord/pcache.h"
#include "collectord/store.h"
#include "err.h"
#include "str.h"
#include "tests/lib/testutil.h"

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
	assert_q_str(c->db, "SELECT value FROM meta WHERE key='node_name'",
	    NODE);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('processes','events','meta','process_ancestors',"
	    "'events_full','processes_pid','processes_parent',"
	    "'events_exec_id','events_time_ns')"), 9);
	/* the documented columns exist */
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('processes')"), 19);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM pragma_table_info"
	    "('events')"), 11);
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

static struct proc
mkproc(uint32_t pid, uint64_t kt, uint32_t ppid, uint64_t pkt,
    const char *bin)
{
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
	pcache_exec_id(NODE, kt, pid, p.exec_id, sizeof(p.exec_id));
	if (ppid != 0)
		pcache_exec_id(NODE, pkt, ppid, p.parent_exec_id,
		    sizeof(p.parent_exec_id));
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

static size_t
rec_exec(uint8_t *buf, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t pkt, const char *fn, const char *args, size_t al,
    const char *cwd)
{
	struct ev_exec	 e;
	size_t		 fl = strlen(fn), cl = strlen(cwd);

	memset(&e, 0, sizeof(e));
	e.hdr.type = EV_EXEC;
	e.hdr.version = EV_ABI_VERSION;
	e.hdr.size = (uint32_t)(sizeof(e) + fl + al + cl);
	e.hdr.time_ns = kt;
	e.key.pid = pid;
	e.key.ktime = kt;
	e.parent.pid = ppid;
	e.parent.ktime = pkt;
	e.tid = pid;
	e.ppid = ppid;
	e.uid = e.euid = 1000;
	e.auid = 1000;
	e.filename_len = (uint16_t)fl;
	e.args_len = (uint16_t)al;
	e.cwd_len = (uint16_t)cl;
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + sizeof(e), fn, fl);
	memcpy(buf + sizeof(e) + fl, args, al);
	memcpy(buf + sizeof(e) + fl + al, cwd, cl);
	return e.hdr.size;
}

static size_t
rec_fork(uint8_t *buf, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t pkt)
{
	struct ev_fork	 f;

	memset(&f, 0, sizeof(f));
	f.hdr.type = EV_FORK;
	f.hdr.version = EV_ABI_VERSION;
	f.hdr.size = sizeof(f);
	f.hdr.time_ns = kt;
	f.key.pid = pid;
	f.key.ktime = kt;
	f.parent.pid = ppid;
	f.parent.ktime = pkt;
	f.tid = pid;
	f.ppid = ppid;
	memcpy(buf, &f, sizeof(f));
	return sizeof(f);
}

static size_t
rec_exit(uint8_t *buf, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t when, uint32_t code, uint32_t sig)
{
	struct ev_exit	 x;

	memset(&x, 0, sizeof(x));
	x.hdr.type = EV_EXIT;
	x.hdr.version = EV_ABI_VERSION;
	x.hdr.size = sizeof(x);
	x.hdr.time_ns = when;
	x.key.pid = pid;
	x.key.ktime = kt;
	x.tid = pid;
	x.ppid = ppid;
	x.code = code;
	x.signal = sig;
	memcpy(buf, &x, sizeof(x));
	return sizeof(x);
}

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
	len = rec_exec(buf, 100, 1000000000ULL, 1, 10, "/bin/bash",
	    "bash\0", 5, "/root");
	pipeline_record(&env, buf, len);
	len = rec_fork(buf, 200, 1100000000ULL, 100, 1000000000ULL);
	pipeline_record(&env, buf, len);
	assert_int_equal(q_int(c->db, "SELECT count(*) FROM processes"), 0);
	len = rec_exec(buf, 200, 1200000000ULL, 100, 1000000000ULL,
	    "/usr/bin/ls", "ls\0-la\0\x1b[31mred\0", 16, "/tmp");
	pipeline_record(&env, buf, len);
	len = rec_exit(buf, 200, 1200000000ULL, 100, 1300000000ULL, 0, 9);
	pipeline_record(&env, buf, len);
	len = rec_fork(buf, 300, 1400000000ULL, 100, 1000000000ULL);
	pipeline_record(&env, buf, len);
	len = rec_exit(buf, 300, 1400000000ULL, 100, 1500000000ULL, 2, 0);
	pipeline_record(&env, buf, len);
	len = rec_exit(buf, 999, 5, 100, 1600000000ULL, 1, 0);
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
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batching, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rows_and_views, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_live, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipeline, setup,
		    teardown),
		cmocka_unit_test(test_compact),
		cmocka_unit_test_setup_teardown(test_startup_reconcile, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
