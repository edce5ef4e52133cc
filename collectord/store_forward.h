/*
 * collectord/store_forward.h -- what the syslog forwarder (forward.c)
 * reads back from events.db: committed events rows after a cursor, with
 * their process.  Run only outside the batch transaction (the rows of an
 * open batch are not committed yet).
 */
#ifndef TRIPLINE_STORE_FORWARD_H
#define TRIPLINE_STORE_FORWARD_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_fwd_row {			/* strings NULL-able, borrowed for
					   the callback */
	uint64_t	 id;
	const char	*time;		/* ISO 8601, UTC, ns */
	const char	*type;
	const char	*exec_id;
	const char	*parent_exec_id;
	const char	*policy;
	const char	*function;
	const char	*action;
	const char	*args;		/* JSON text as stored */
	const char	*ret;
	const char	*message;
	const char	*tags;
	int64_t		 pid;		/* -1: unknown */
	int64_t		 uid;		/* -1: unknown */
	const char	*binary;
	const char	*arguments;
	const char	*monitor_would;	/* monitor mode: the action it would
					   have taken */
};

/* Largest events.id (0: none).  0 or ERR_DB. */
int	store_fwd_max_id(struct store *, uint64_t *out);
/* Rows with after < id <= upto.  0 or ERR_DB. */
int	store_fwd_count(struct store *, uint64_t after, uint64_t upto,
	    uint64_t *out);
/* cb for each row with id > after, in id order, at most limit; a
 * non-zero return of cb stops.  The number of rows given to cb, or
 * ERR_DB. */
int	store_fwd_rows(struct store *, uint64_t after, size_t limit,
	    int (*cb)(void *, const struct store_fwd_row *), void *arg);

#endif
