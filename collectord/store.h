/*
 * collectord/store.h -- the SQLite event store (STATE/events.db).
 *
 * The schema is a public contract (docs/schema.md).  Writes are batched in
 * one transaction, committed by store_flush() (the caller's batch timer)
 * or as soon as batch_rows rows are pending.  Times are given as boot ns
 * and written as ISO-8601 UTC with nanoseconds, using the realtime -
 * boottime offset given at open.
 */
#ifndef TRIPLINE_STORE_H
#define TRIPLINE_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION	9
#define STORE_SALT_LEN		16	/* hex digits of meta idem_salt */
/* "tl-<node>-<salt>-<id>" */
#define STORE_IDEM_MAX		(64 + 24 + STORE_SALT_LEN + 1)

struct proc;
struct store;

struct store_stats {
	uint64_t	 events;	/* events rows inserted (committed) */
	uint64_t	 processes;	/* processes rows inserted (committed) */
	uint64_t	 alerts;	/* outbox rows inserted (committed) */
	uint64_t	 drops;		/* drops rows inserted (committed) */
	uint64_t	 commits;
	uint64_t	 errors;	/* failed statements / commits */
	uint64_t	 busy;		/* batches not begun: lock held by
					   another connection */
	uint64_t	 lag_ns;	/* last commit with events: its time
					   minus the oldest event's (boot ns) */
};

/* A generic events row (policy events use all of it). */
struct store_event {
	uint64_t	 time_ns;	/* boot ns */
	const char	*type;		/* "process_exec", "process_exit", ... */
	const char	*exec_id;
	const char	*parent_exec_id;
	const char	*policy_name;	/* NULL -> SQL NULL, same below */
	const char	*function_name;
	const char	*action;
	const char	*args;		/* JSON */
	const char	*return_value;
	/* schema 2 */
	const char	*message;
	const char	*tags;		/* JSON array */
	const char	*actions;	/* JSON array */
	const char	*monitor_would;	/* JSON array */
	/* schema 7 */
	int		 late;		/* decided at syscall exit */
	/* schema 9 */
	const char	*stack_trace;	/* JSON object: kernel_stack_trace,
					   user_stack_trace (Post with stack
					   traces) */
};

/* A GetUrl/DnsLookup action request (an outbox row of receiver "",
 * kind canary_http / canary_dns, state 'pending', no payload). */
struct store_alert {
	const char	*kind;		/* "geturl" | "dnslookup" */
	const char	*target;	/* URL or FQDN */
};

/* An outbox row (schema 4; docs/schema.md).  id and idem_key
 * ("tl-<node>-<salt>-<id>") are assigned by the store; created is the
 * event's time. */
struct store_outbox {
	const char	*receiver;	/* "" for action jobs */
	const char	*route;		/* NULL for action jobs */
	const char	*kind;		/* slack sms email webhook canary_http
					   canary_dns (CHECKed) */
	const char	*target;	/* action jobs: URL / FQDN; else "" */
	const char	*severity;	/* info .. critical */
	const char	*state;		/* "waiting" or "pending" */
	const char	*group_key;	/* NULL: not grouped */
	uint64_t	 next_attempt_ns;	/* Unix ns */
	const char	*payload;	/* JSON {"title","text","fp","event"} */
};

/* A drops row (schema 3): records lost because the ring buffer was full. */
struct store_drop {
	uint64_t	 time_ns;	/* boot ns when loaderd noticed */
	const char	*source;	/* "ring_buffer" | "hook" |
					   "sockown_full" | "syslog_backlog" |
					   "syslog_refused" */
	const char	*hook_policy;	/* hook: policy name; else NULL */
	const char	*hook_function;	/* hook: its target; else NULL */
	uint64_t	 count;		/* lost since the previous row */
	uint64_t	 total;		/* lost since loaderd started (hook:
					   since the hook was enabled) */
};

/*
 * Once, before SQLite is used in the process: no memory statistics (a
 * global mutex and counters on every SQLite allocation).
 */
void	store_lib_init(void);
/*
 * Open (create) the DB at path, set WAL/synchronous=NORMAL/temp_store=
 * MEMORY/busy_timeout, migrate the schema (PRAGMA user_version), record
 * node_name in meta.  The -wal and -shm files are open when this returns.
 * 0, ERR_VERSION (DB from a newer schema) or ERR_DB.
 */
int	store_open(struct store **, const char *path, const char *node_name,
	    int64_t boot_to_unix_ns, size_t batch_rows);
/* Commit what is pending, finalize, close. NULL-safe. */
void	store_close(struct store *);
/*
 * Commit the pending transaction (no-op if none), with the ring position
 * (store_set_ring).  0; ERR_AGAIN (not committed, the transaction stays
 * open: call again); ERR_DB (SQLite rolled it back: its rows are lost).
 */
int	store_flush(struct store *);
/* 1: rows written from now on are not committed by store_row_done (a
 * ring record's rows go into one transaction); 0: they are again. */
void	store_hold(struct store *, int on);
int	store_in_tx(const struct store *);
/*
 * The ring buffer the batches come from: id (ringbuf_ident(), NULL: keep
 * no position) and pos are written to meta (ring_id, ring_pos) in every
 * batch transaction, so what is committed and how far the ring was read
 * for it are one atomic fact.  cb(arg, ok, pos) runs after each commit
 * attempt that ended the transaction (ok 0: rolled back).
 */
void	store_set_ring(struct store *, const char *id, uint64_t pos,
	    void (*cb)(void *, int, uint64_t), void *arg);
/* The ring position after the rows written so far (a record boundary). */
void	store_ring_pos(struct store *, uint64_t pos);
/* The ring id and position of the last commit: 1 (found), 0 (none) or
 * ERR_DB. */
int	store_ring_get(struct store *, char *id, size_t idsz, uint64_t *pos);
size_t	store_pending(const struct store *);
const struct store_stats *store_stats(const struct store *);
/* node_name recorded in meta before this open (NULL for a new DB). */
const char *store_prev_node(const struct store *);
/* The realtime - boottime offset given at open. */
int64_t	store_boot_off(const struct store *);
/* Boot ns -> "2026-...Z" (dst >= 32 bytes). */
void	store_iso_time(const struct store *, uint64_t boot_ns, char *dst,
	    size_t dstsz);

/*
 * Retention (store_retention.c; docs/schema.md).  max_age_s: events older
 * than this many seconds are deleted (0: none); max_size: bytes the
 * database may use, (page_count - freelist_count) * page_size plus the
 * -wal file (0: no bound).  0 or ERR_DB.
 */
#define STORE_WAL_MIN	(512ULL << 10)	/* the WAL's share of max_size: */
#define STORE_WAL_MAX	(64ULL << 20)	/* max_size / 8 within these */
int	store_retention_set(struct store *, uint64_t max_age_s,
	    uint64_t max_size);
/*
 * One step, when no batch is open: at most rows of the oldest events that
 * are due (older than max_age, or over max_size), with the rows only they
 * needed, in one transaction.  1 (more is due), 0 (nothing is due now),
 * ERR_AGAIN (locked by another connection) or ERR_DB.  now_ns: Unix ns.
 */
int	store_retention_step(struct store *, uint64_t now_ns, size_t rows);
struct store_usage {
	uint64_t	 file;		/* page_count * page_size */
	uint64_t	 free;		/* freelist_count * page_size */
	uint64_t	 wal;		/* size of the -wal file */
	uint64_t	 used;		/* file - free + wal: what max_size
					   bounds */
};
int	store_usage(struct store *, struct store_usage *);
/* 1: the database has auto_vacuum = INCREMENTAL (a new one), so freed
 * pages can be returned to the file system; 0: it has none. */
int	store_auto_vacuum(struct store *);
struct store_ret_stats {
	uint64_t	 steps;		/* committed retention steps */
	uint64_t	 events;	/* rows deleted */
	uint64_t	 processes;
	uint64_t	 outbox;
	uint64_t	 drops;
	uint64_t	 errors;	/* steps rolled back */
};
const struct store_ret_stats *store_retention_stats(const struct store *);

/* processes row for p (INSERT, ignored if exec_id exists); sets p->stored.
 * 0 or ERR_DB. */
int	store_proc(struct store *, struct proc *p);
/* The process exited: exit_time, exit_code, exit_signal. */
int	store_proc_exit(struct store *, const char *exec_id, uint64_t boot_ns,
	    uint32_t code, uint32_t signal);
/*
 * The image ended without an exit record: replaced by a later execve of
 * the same pid (stale == 0), or found gone/reused at startup (stale != 0:
 * " stale" is appended to flags).  exit_time is set, exit_code and
 * exit_signal stay NULL.  Only rows with exit_time NULL are touched.
 */
int	store_proc_gone(struct store *, const char *exec_id, uint64_t boot_ns,
	    int stale);
int	store_event(struct store *, const struct store_event *);
/*
 * events row plus its alerts rows (event_id = the new row), atomically
 * (a savepoint inside the batch transaction: all rows or none), counted
 * as one batch step so the batch is never committed between them.
 * 0 or ERR_DB (nothing of it written).
 */
int	store_event_alerts(struct store *, const struct store_event *,
	    const struct store_alert *alerts, size_t nalerts);
/* The same with full outbox rows (routing: collectord/outbox.c). */
int	store_event_outbox(struct store *, const struct store_event *,
	    const struct store_outbox *rows, size_t nrows);
/*
 * The database's idempotency salt (meta idem_salt: 64 random bits made
 * when the database first needs one, recorded in the batch).  0, ERR_SYS
 * (getrandom) or ERR_DB.  store_event_outbox() calls it too; the outbox
 * calls it at start so that it runs before the sandbox.
 */
int	store_idem_init(struct store *);
/* "tl-<node>-<salt>-<id>": unique across databases (the salt) and rows. */
void	store_idem_key(const struct store *, uint64_t id, char *dst,
	    size_t dstsz);
/* meta[key] += delta (an integer; created at delta), in the batch.  0 or
 * ERR_DB. */
int	store_meta_add(struct store *, const char *key, int64_t delta);
/* meta[key] as an integer (0 if absent).  0 or ERR_DB. */
int	store_meta_int(struct store *, const char *key, int64_t *out);
/*
 * For the outbox's scheduler, whose steps span several statements: open
 * the batch transaction if none is (0 or ERR_DB); count one written row
 * (commits when the batch is full).
 */
int	store_write_begin(struct store *);
void	store_write_done(struct store *);
const char *store_node(const struct store *);
/*
 * A drops row and, if event != 0, an events row of type "events_lost"
 * (args {"count":N,"total":M,"source":"..."}, policy_name/function_name
 * from the hook) at the same time, atomically (as store_event_alerts).
 * 0 or ERR_DB (nothing of it written).
 */
int	store_drops(struct store *, const struct store_drop *, int event);
/* events row for an exec of p (time = p->ktime). */
int	store_event_exec(struct store *, const struct proc *p);
/* events row for an exit: args {"status":N[,"signal":"SIGx"]}. */
int	store_event_exit(struct store *, const char *exec_id,
	    const char *parent_exec_id, uint64_t boot_ns, uint32_t code,
	    uint32_t signal);

/*
 * The alert queue (store_outbox.c): what the outbox scheduler reads and
 * changes after store_event_outbox() wrote the rows.  Times in ns are
 * Unix ns.  Writes return 0 or ERR_DB (logged) and count toward the
 * batch; reads of several rows return arrays the caller frees.
 */
struct store_ob_group {			/* a group with rows due */
	char		*route;		/* NULL-able */
	char		*receiver;
	char		*key;		/* NULL-able */
};
struct store_ob_member {		/* a waiting row of a group */
	uint64_t	 id;
	char		*severity;	/* NULL-able, as the strings below */
	char		*title;
	char		*text;
	char		*event;
	char		*fp;
};
struct store_ob_due {			/* a pending row that is due */
	uint64_t	 id;
	uint64_t	 created_ns;	/* 0 if unknown */
};
struct store_ob_backlog {		/* a destination over its cap */
	char		*dest;
	uint64_t	 rows;
};
struct store_ob_fold {			/* a pending row past the cap */
	uint64_t	 id;
	uint64_t	 count;		/* hits it stands for */
	int64_t		 attempts;
	int		 rank;		/* enum al_severity */
	/* a summary folded again: the alerts it stands for, by severity
	 * (enum al_severity); alerts 0: not a summary */
	uint64_t	 alerts;
	uint64_t	 sev[5];
};
struct store_ob_row {			/* what a result needs of a row */
	char		*state;		/* NULL-able, as the strings below */
	char		*receiver;
	char		*kind;
	char		*target;
	int64_t		 attempts;
	uint64_t	 created_ns;
};
struct store_ob_job {			/* a row as a job (strings borrowed
					   until store_ob_job_done) */
	uint64_t	 id;
	const char	*receiver;	/* NULL-able, as the strings below */
	const char	*kind;
	const char	*target;
	const char	*severity;
	const char	*idem_key;
	const char	*title;		/* of the payload */
	const char	*text;
	const char	*event;
	int64_t		 count;
	int64_t		 attempts;
};
/* Prepare the queue's statements.  0 or ERR_DB (logged). */
int	store_ob_prepare(struct store *);
/* Every 'inflight' row back to 'pending': the number of rows, or
 * ERR_DB (logged). */
int	store_ob_reset_inflight(struct store *);
struct store_ob_group *store_ob_due_groups(struct store *, uint64_t now,
	    size_t *n);
void	store_ob_groups_free(struct store_ob_group *, size_t n);
struct store_ob_member *store_ob_group_rows(struct store *,
	    const char *route, const char *receiver, const char *key,
	    size_t *n);
void	store_ob_members_free(struct store_ob_member *, size_t n);
/* Waiting rows of the group whose fingerprint the job leader (and what
 * merged into it) has not shown.  0 or ERR_DB (*out unchanged). */
int	store_ob_novel(struct store *, const char *route, const char *receiver,
	    const char *key, uint64_t leader, int64_t *out);
int	store_ob_merge(struct store *, uint64_t id, uint64_t into);
int	store_ob_add_count(struct store *, uint64_t id, uint64_t n);
/* The group's first row becomes the pending job (payload NULL: its own). */
int	store_ob_lead(struct store *, uint64_t id, uint64_t count,
	    const char *payload, const char *severity, uint64_t next);
/* Due pending rows: at most per_dest of each destination (the receiver,
 * or "<kind> <target>" for action jobs), most urgent severity first, then
 * oldest; the destinations' first rows first (round robin). */
struct store_ob_due *store_ob_due(struct store *, uint64_t now,
	    size_t per_dest, size_t *n);
/* Destinations with more than cap pending rows (at most 64). */
struct store_ob_backlog *store_ob_backlog(struct store *, size_t cap,
	    size_t *n);
void	store_ob_backlog_free(struct store_ob_backlog *, size_t n);
/* A destination's pending rows but except, in store_ob_due()'s order,
 * past the first keep: what a backlog cap folds. */
struct store_ob_fold *store_ob_fold_rows(struct store *, const char *dest,
	    uint64_t except, size_t keep, size_t *n);
/* Ids of the rows in flight: all (late_at 0), or those whose deadline is
 * at or before late_at. */
uint64_t *store_ob_inflight(struct store *, uint64_t late_at, size_t *n);
int	store_ob_set_inflight(struct store *, uint64_t id, uint64_t deadline);
int	store_ob_set_deadline(struct store *, uint64_t id, uint64_t deadline);
int	store_ob_requeue(struct store *, uint64_t id, uint64_t next);
/* 1 (found: free with store_ob_row_free) or 0. */
int	store_ob_row(struct store *, uint64_t id, struct store_ob_row *);
void	store_ob_row_free(struct store_ob_row *);
/* 1 (found: call store_ob_job_done when done with it) or 0. */
int	store_ob_job(struct store *, uint64_t id, struct store_ob_job *);
void	store_ob_job_done(struct store *);
/* next 0, error NULL, delivered NULL: SQL NULL. */
int	store_ob_result(struct store *, uint64_t id, const char *state,
	    uint64_t next, const char *error, const char *delivered);
int	store_ob_delivery(struct store *, uint64_t id, int64_t attempt,
	    const char *time, const char *status, uint32_t code,
	    const char *detail, double ms);
/* The earliest next_attempt_ns of a row not done: 1, or 0 if none. */
int	store_ob_next(struct store *, uint64_t *next);

/*
 * Call fn for every processes row with exit_time NULL, oldest ktime
 * first, with a template for pcache_insert (stored = 1; ppid/pktime
 * parsed from parent_exec_id).  Rows whose ids do not parse are skipped.
 * Returns the number of rows or ERR_DB.
 */
int	store_load_live(struct store *,
	    void (*fn)(const struct proc *tmpl, void *arg), void *arg);

/*
 * Read-only access for triplinectl (store_read.c): a reader never blocks
 * collectord (WAL).  Rows point into the statement: valid until the next
 * call.  On ERR_DB, store_ro_errmsg() says why.
 */
#define STORE_TAIL_BATCH	5000	/* rows per store_ro_tail() walk */
struct store_ro;
struct store_net_row {		/* a network event's tuple (connections) */
	int		 is_net;	/* 0: not a network event */
	const char	*protocol;	/* NULL-able, as the strings below */
	const char	*family;
	const char	*saddr;
	int		 has_sport;
	int64_t		 sport;
	const char	*daddr;
	int		 has_dport;
	int64_t		 dport;
	const char	*state;
	const char	*new_state;
	const char	*direction;	/* "in", "out" */
};
struct store_tail_row {			/* events LEFT JOIN processes */
	int64_t		 id;
	const char	*time;
	const char	*type;		/* NULL-able, as the strings below */
	int64_t		 pid;
	const char	*binary;
	const char	*args;
	size_t		 args_len;
	const char	*cwd;
	int		 uid;
	int		 has_parent;
	int64_t		 parent_pid;
	const char	*parent_binary;
	int		 exit_code;
	int		 exit_signal;
	const char	*policy;
	const char	*function;
	const char	*action;
	struct store_net_row net;
};
struct store_alert_row {		/* an outbox row */
	int64_t		 id;
	const char	*created;	/* NULL-able, as the strings below */
	const char	*receiver;
	const char	*kind;
	const char	*target;
	const char	*state;
	int64_t		 attempts;
	const char	*last_error;
	const char	*idem_key;
	const char	*title;		/* of the payload */
	int64_t		 count;
	const char	*severity;
	const char	*route;
	int		 has_merged;
	int64_t		 merged_into;
	const char	*delivered;
};
#define STORE_ALERTS_ALL	0
#define STORE_ALERTS_PENDING	1	/* waiting, pending, inflight */
#define STORE_ALERTS_FAILED	2	/* dead */

/* NULL on failure, with SQLite's message in err. */
struct store_ro	*store_ro_open(const char *path, char *err, size_t errsz);
void		 store_ro_close(struct store_ro *);
const char	*store_ro_errmsg(struct store_ro *);
/* The highest events id (0: none).  0 or ERR_DB. */
int	store_ro_last_event(struct store_ro *, int64_t *id);
/* Walk the events after id (at most STORE_TAIL_BATCH rows): 0 or ERR_DB;
 * then store_ro_tail_next: 1 (a row), 0 (done, or the DB is busy) or
 * ERR_DB. */
int	store_ro_tail(struct store_ro *, int64_t after);
int	store_ro_tail_next(struct store_ro *, struct store_tail_row *);
/* The last count outbox rows (STORE_ALERTS_*), oldest first: 0 or ERR_DB
 * (a database older than schema version 4); then store_ro_alerts_next:
 * 1, 0 (done) or ERR_DB. */
int	store_ro_alerts(struct store_ro *, int which, int count);
int	store_ro_alerts_next(struct store_ro *, struct store_alert_row *);

#endif
