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
	int		 in_tx;
	int		 hold;		/* no commit now (store_hold) */
	char		*ring_id;	/* NULL: no ring position kept */
	uint64_t	 ring_pos;	/* committed with the next batch */
	void		(*commit_cb)(void *, int, uint64_t);
	void		*commit_arg;
	char		*prev_node;
	struct sbuf	 json;		/* scratch: args of events rows */
	struct store_stats stats;
	sqlite3_stmt	**obq;		/* the outbox queue (store_outbox.c) */
	char		 salt[STORE_SALT_LEN + 1];	/* idempotency keys */
};


void	store_log(struct store *, const char *what);
/* Open the batch transaction if none is.  0 or ERR_DB. */
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

#endif
