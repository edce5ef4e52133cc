/*
 * collectord/store_int.h -- inside the store module (store.c, the event
 * rows; store_outbox.c, the alert queue; store_read.c, triplinectl's
 * read-only queries): the connection and the helpers they share.  Nothing
 * outside the module includes it.
 */
#ifndef TRIPLINE_STORE_INT_H
#define TRIPLINE_STORE_INT_H

#include <sqlite3.h>

#include "str.h"

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_INS_PROC,
	ST_EXIT_PROC,
	ST_GONE_PROC,
	ST_STALE_PROC,
	ST_INS_EVENT,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_INS_DROP,
	ST_INS_OUTBOX,
	ST_SET_IDEM,
	ST_META_ADD,
	ST_META_SET,
	ST_MAX
};

struct store {
	sqlite3		*db;
	char		*node;
	sqlite3_stmt	*st[ST_MAX];
	int64_t		 boot_off;
	size_t		 batch_rows;
	size_t		 pending;	/* rows in the open transaction */
	size_t		 pend_events;
	size_t		 pend_procs;
	size_t		 pend_alerts;
	size_t		 pend_drops;
	uint64_t	 pend_min_ns;	/* oldest event time in the batch */
	int		 in_tx;
	int		 hold;		/* no commit now (store_hold) */
	char		*ring_id;	/* NULL: no ring position kept */
	uint64_t	 ring_pos;	/* committed with the next batch */
	uint64_t	 ring_done;	/* ... with the last one */
	void		(*commit_cb)(void *, int, uint64_t);
	void		*commit_arg;
	char		*prev_node;
	struct sbuf	 json;		/* scratch: args of events rows */
	struct store_stats stats;
	sqlite3_stmt	**obq;		/* the outbox queue (store_outbox.c) */
	char		 salt[STORE_SALT_LEN + 1];	/* idempotency keys */
	int		 failed;	/* a write of the open batch failed
					   for lack of space or I/O: it is
					   rolled back, not committed */
	/* retention (store_retention.c) */
	uint64_t	 ret_age_ns;	/* 0: no max_age */
	uint64_t	 ret_size;	/* 0: no max_size */
	uint64_t	 page_size;
	uint64_t	 ret_idle_until;/* Unix ns: no step before */
	uint64_t	 ret_room;	/* bytes kept free below max_size */
	uint64_t	 ret_seen;	/* stats.events at the last step */
	uint64_t	 ret_excess;	/* bytes over the target */
	uint64_t	 ret_rows0;	/* events rows: count(*) at start
					   minus stats.events then */
	int		 ret_warned;
	struct store_ret_stats ret_stats;
	int64_t		 ret_old_part;	/* the oldest part counted (0:
					   none), and its rows */
	int64_t		 ret_old_rows;
	/* the parts of events, oldest first (store_parts.c) */
	struct store_part *parts;
	size_t		 nparts;
	int64_t		 ev_next;	/* id of the next events row; 0:
					   read from the newest part */
};

struct store_part {
	int64_t		 part;		/* events_part_<part> */
	int64_t		 first_id;	/* ids from here on (at its start) */
	int64_t		 created_ns;	/* Unix ns it was started */
};
#define STORE_PART_NAME	40
void	store_part_name(int64_t part, char *buf, size_t len);
/* The columns of a part: those of the events table of schema 7, then
 * stack_trace (schema 9). */
#define STORE_PART_COLS_V8						\
	"id, time, time_ns, type, exec_id, parent_exec_id, policy_name,"	\
	" function_name, action, args, return_value, message, tags,"	\
	" actions, monitor_would, late"
#define STORE_PART_COLS		STORE_PART_COLS_V8 ", stack_trace"
/* tmpl appended to sb with every tok replaced by repl. */
void	store_subst(struct sbuf *sb, const char *tmpl, const char *tok,
	    const char *repl);
/* Schema 8, in the migration's transaction: events becomes part 1. */
int	store_parts_migrate(struct store *);
/* Schema 9, the same: every part gets stack_trace, the view too. */
int	store_parts_migrate_v9(struct store *);
/* Read events_parts and prepare the insert into the newest.  0/ERR_DB. */
int	store_parts_open(struct store *);
/* The id the next events row gets (s->ev_next, read once). */
int	store_parts_next_id(struct store *, int64_t *id);
/* Start a new newest part, in its own transaction (none may be open). */
int	store_parts_roll(struct store *, uint64_t now_ns);
/* Drop the oldest part in the open transaction, moving the rows whose
 * ids keep_set (a SELECT of ids, or NULL) names to the newest part;
 * *gone: rows deleted.  Then store_parts_dropped() once committed. */
int	store_parts_drop_oldest(struct store *, const char *keep_set,
	    int64_t *gone);
void	store_parts_dropped(struct store *);


void	store_log(struct store *, const char *what);
/* sqlite3_exec (logged): 0 or ERR_DB. */
int	store_exec(struct store *, const char *sql);
/* The first column of the first row of sql: 0 or ERR_DB (logged). */
int	store_int_query(struct store *, const char *sql, int64_t *out);
/* The same of a prepared statement (bound), which it finalizes. */
int	store_stmt_int(struct store *, sqlite3_stmt *, int64_t *out);
/* rc of a write in the batch: 0 (done), or ERR_DB (counted; an error
 * for lack of space or I/O marks the batch failed: it is rolled back). */
int	store_write_ok(struct store *, int rc);
/* Open the batch transaction if none is.  0 or ERR_DB (also while the
 * open batch failed, until store_flush rolled it back). */
int	store_begin(struct store *);
/* A row was written: commit when the batch is full. */
int	store_row_done(struct store *);
/* Column i as text, NULL for SQL NULL (valid until the next step). */
static inline const char *
store_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}
/* The connection settings every open of events.db uses (store.c and
 * store_read.c): defensive, schema untrusted, cell sizes checked.  0 or
 * ERR_DB. */
int	store_harden(sqlite3 *);
/* Bind v, or NULL for v == NULL. */
void	store_bind_str(sqlite3_stmt *, int, const char *);
/* ISO time as the store writes it -> Unix ns (0 if it does not parse). */
uint64_t store_iso_ns(const char *);
/* Finalize the outbox queue's statements (store_close). */
void	store_ob_close(struct store *);

/*
 * Network events: the SQL shared by the connections view (schema 5) and
 * triplinectl tail's query, which cannot use views (store_read.c).  An
 * event is a network one when its args hold a skb_arg, sock_arg or
 * sockaddr_arg object (invalid JSON: none).
 *
 * STORE_NET_L1(src), src an events query with alias e: every column of e,
 * ja (args, when they may be a network event's), nk, ns, na (the first
 * skb_arg, sock_arg, sockaddr_arg object as JSON text), ni (the last
 * int_arg), nl (the int_arg labelled newstate).
 * STORE_NET_L2(l1): adds nsrc, ndst (the object the source and the
 * destination come from: the skb's packet tuple; a sockaddr is the local
 * address of a bind, else the destination; then the sock), nst (the sock's
 * state name) and nnew (the new state number of a state change: nl, else
 * the last int of tcp_set_state and sock/inet_sock_set_state).
 * STORE_NET_COLS(z): the columns protocol ... direction from an L2 row.
 */
#define STORE_NET_JA(a)							\
	"CASE WHEN (instr(" a ".args, 'sock') > 0 OR instr(" a ".args,"	\
	" 'skb_arg') > 0) AND json_valid(" a ".args) THEN " a ".args END"
#define STORE_NET_JOBJ(j, key)						\
	"CASE WHEN " j ".type = 'object' THEN json_type(" j ".value, '$."	\
	key "') END"
#define STORE_NET_OBJ(key)						\
	"(SELECT json_extract(j.value, '$." key "') FROM json_each(x.ja) j"	\
	" WHERE " STORE_NET_JOBJ("j", key) " = 'object' ORDER BY j.key"	\
	" LIMIT 1)"
#define STORE_NET_INT(cond, order)					\
	"(SELECT json_extract(j.value, '$.int_arg') FROM json_each(x.ja) j"	\
	" WHERE " STORE_NET_JOBJ("j", "int_arg") " = 'integer'" cond	\
	" ORDER BY j.key " order " LIMIT 1)"
#define STORE_NET_L1(src)						\
	"SELECT x.*, " STORE_NET_OBJ("skb_arg") " AS nk, "			\
	STORE_NET_OBJ("sock_arg") " AS ns, "				\
	STORE_NET_OBJ("sockaddr_arg") " AS na, "			\
	STORE_NET_INT("", "DESC") " AS ni, "				\
	STORE_NET_INT(" AND CASE WHEN j.type = 'object' THEN"		\
	    " json_extract(j.value, '$.label') END = 'newstate'", "ASC")	\
	" AS nl"							\
	" FROM (SELECT e.*, " STORE_NET_JA("e") " AS ja FROM " src ") x"
#define STORE_NET_BIND	"y.function_name LIKE '%bind%'"
#define STORE_NET_SA(side)						\
	"json_object('" side "addr', json_extract(y.na, '$.addr'), '" side	\
	"port', json_extract(y.na, '$.port'))"
#define STORE_NET_L2(l1)						\
	"SELECT y.*,"							\
	" CASE WHEN y.nk IS NOT NULL THEN y.nk WHEN y.na IS NOT NULL AND "	\
	STORE_NET_BIND " THEN " STORE_NET_SA("s") " ELSE y.ns END AS nsrc,"	\
	" CASE WHEN y.nk IS NOT NULL THEN y.nk WHEN y.na IS NOT NULL AND"	\
	" NOT " STORE_NET_BIND " THEN " STORE_NET_SA("d") " ELSE y.ns END"	\
	" AS ndst,"							\
	" json_extract(y.ns, '$.state') AS nst,"			\
	" CASE WHEN y.nl IS NOT NULL THEN y.nl WHEN y.function_name IN"	\
	" ('tcp_set_state', 'sock/inet_sock_set_state') THEN y.ni END"	\
	" AS nnew FROM (" l1 ") y"
#define STORE_NET_TCP_NAME(v)						\
	"CASE " v " WHEN 1 THEN 'TCP_ESTABLISHED' WHEN 2 THEN"		\
	" 'TCP_SYN_SENT' WHEN 3 THEN 'TCP_SYN_RECV' WHEN 4 THEN"	\
	" 'TCP_FIN_WAIT1' WHEN 5 THEN 'TCP_FIN_WAIT2' WHEN 6 THEN"	\
	" 'TCP_TIME_WAIT' WHEN 7 THEN 'TCP_CLOSE' WHEN 8 THEN"		\
	" 'TCP_CLOSE_WAIT' WHEN 9 THEN 'TCP_LAST_ACK' WHEN 10 THEN"	\
	" 'TCP_LISTEN' WHEN 11 THEN 'TCP_CLOSING' WHEN 12 THEN"		\
	" 'TCP_NEW_SYN_RECV' ELSE CAST(" v " AS TEXT) END"
#define STORE_NET_DIR(z)						\
	"CASE WHEN " z ".function_name = '__cgroup_bpf_run_filter_skb'"	\
	" THEN CASE " z ".ni WHEN 0 THEN 'in' WHEN 1 THEN 'out' END"	\
	" WHEN " z ".nnew IS NOT NULL THEN CASE WHEN " z ".nst ="	\
	" 'TCP_SYN_SENT' OR (" z ".nst = 'TCP_CLOSE' AND " z ".nnew = 2)"	\
	" THEN 'out' WHEN " z ".nst IN ('TCP_SYN_RECV', 'TCP_NEW_SYN_RECV')"\
	" THEN 'in' END"						\
	" WHEN " z ".function_name LIKE '%accept%' OR " z ".function_name"	\
	" LIKE '%recv%' OR " z ".function_name = 'tcp_create_openreq_child'"\
	" THEN 'in' WHEN " z ".function_name LIKE '%connect%' OR " z	\
	".function_name LIKE '%send%' THEN 'out' END"
#define STORE_NET_PORT(obj, key)					\
	"CASE WHEN " obj " IS NOT NULL THEN IFNULL(json_extract(" obj	\
	", '$." key "'), 0) END"
#define STORE_NET_COLS(z)						\
	"COALESCE(json_extract(" z ".nk, '$.protocol'), json_extract(" z	\
	".ns, '$.protocol')) AS protocol,"				\
	" COALESCE(json_extract(" z ".nk, '$.family'), json_extract(" z	\
	".na, '$.family'), json_extract(" z ".ns, '$.family')) AS family,"	\
	" json_extract(" z ".nsrc, '$.saddr') AS saddr, "		\
	STORE_NET_PORT(z ".nsrc", "sport") " AS sport,"			\
	" json_extract(" z ".ndst, '$.daddr') AS daddr, "		\
	STORE_NET_PORT(z ".ndst", "dport") " AS dport, "		\
	z ".nst AS state, " STORE_NET_TCP_NAME(z ".nnew") " AS new_state, "\
	STORE_NET_DIR(z) " AS direction"
#define STORE_NET_IS(z)							\
	"(" z ".nk IS NOT NULL OR " z ".ns IS NOT NULL OR " z ".na IS NOT"	\
	" NULL)"

#endif
