/*
 * collectord/forward.h -- syslog forwarding of stored events
 * (docs/shipping.md).
 *
 * events.db is the source of truth: after a batch commits, the forwarder
 * reads the committed rows after its cursor (meta syslog_cursor, the last
 * events.id the notifier took), renders one RFC 5424 message per row and
 * hands it to notifierd (IPC_SYSLOG_MSG), at most FORWARD_WINDOW at a
 * time.  notifierd answers each message in order (IPC_SYSLOG_ACK); a sent
 * one moves the cursor, a failed one makes the forwarder wait (backoff)
 * and start again from the cursor.  Nothing waits on the forwarder: the
 * pipeline never blocks, and what an outage delays is read back from the
 * database later.  When more than max_backlog events wait, the oldest are
 * skipped and counted (meta syslog_skipped, the log, status).
 */
#ifndef TRIPLINE_FORWARD_H
#define TRIPLINE_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#define FORWARD_WINDOW		64	/* messages in flight, at most */
#define FORWARD_MSG_MAX		8192	/* bytes of a message (rsyslog's
					   default maxMessageSize) */
#define FORWARD_SD_ID		"tripline@32473"

struct ipc_fwd_stats;
struct ipc_syslog_ack;
struct ipc_syslog_msg;
struct sbuf;
struct store;
struct store_fwd_row;
struct forward;

struct forward_config {
	int		 facility;	/* 0..23 */
	const char	*app_name;
	const char	*node;		/* HOSTNAME and the node SD param */
	uint64_t	 max_backlog;
};

/* Send one message (0, or nonzero: not sent, the channel is down). */
typedef int (*forward_send_fn)(void *, const struct ipc_syslog_msg *);

/* Reads (and on first use sets) the cursor: a database that never
 * forwarded starts at its newest row.  NULL on a database error. */
struct forward	*forward_new(struct store *, const struct forward_config *,
		    forward_send_fn, void *arg);
void		 forward_free(struct forward *);
/*
 * Send what is due: call it after each commit and from a timer.  Does
 * nothing inside an open batch transaction, without a channel, while
 * waiting for the answers of a failed round, or during a backoff.
 * now_ms: a monotonic clock.  Returns the ms until it wants to run again
 * (0: after the next commit or answer is enough).
 */
uint64_t	 forward_pump(struct forward *, uint64_t now_ms);
/* Write the cursor into the open batch (or a new one): call it before
 * each commit. */
void		 forward_checkpoint(struct forward *);
/* An answer from notifierd.  0, or ERR_PROTO (not the expected id:
 * counted and ignored). */
int		 forward_ack(struct forward *, const struct ipc_syslog_ack *,
		    uint64_t now_ms);
/* The notifier channel went away / a new one came: what was in flight
 * is sent again from the cursor. */
void		 forward_peer(struct forward *, int up);
void		 forward_stats(const struct forward *, struct ipc_fwd_stats *);

/* The RFC 5424 message of a row (pure; for tests). */
void		 forward_format(struct sbuf *, const struct forward_config *,
		    const struct store_fwd_row *);
/* PRI severity of a row: 3 lost events, 4 enforcement, 5 other policy
 * events, 6 process exec/exit and the rest. */
int		 forward_severity(const struct store_fwd_row *);

#endif
