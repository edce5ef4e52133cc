/*
 * ctl/ctlfmt.h -- the lines triplinectl prints from events.db.
 *
 * Every string read from the database (file names, arguments, policy
 * names, sink error texts, but also times and states, which only the
 * collector writes) is escaped with str_escape(): printable ASCII stays,
 * every other byte becomes \xNN, so no control character, C1 control or
 * bidi override reaches the terminal raw.
 */
#ifndef TRIPLINE_CTLFMT_H
#define TRIPLINE_CTLFMT_H

struct sbuf;
struct store_tail_row;
struct store_alert_row;

/* One `triplinectl tail` line (with its '\n') appended to sb.  A network
 * event (r->net.is_net) reads
 *   TIME POLICY FUNCTION BINARY[PID] PROTO SRC -> DST [STATE[->NEW]]
 *   [in|out] [action=ACTION]  <- PPID PARENT
 * PROTO "tcp", "udp", ... (else the family: "inet", "unix"); an endpoint
 * addr:port or [addr6]:port, "?" when unknown; states without TCP_; the
 * action when it is not a plain post. */
void	ctlfmt_tail(struct sbuf *, const struct store_tail_row *);
/* One `triplinectl alerts` line (with its '\n'); target is the row's
 * target with any URL userinfo already hidden (NULL or "": none). */
void	ctlfmt_alert(struct sbuf *, const struct store_alert_row *,
	    const char *target);

#endif
