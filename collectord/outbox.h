/*
 * collectord/outbox.h -- durable alert scheduling (docs/alerts-routing.md).
 *
 * At store time a policy hit is routed (alerts.yaml routes, severity from
 * tags/message) and one outbox row per receiver is written in the same
 * transaction as its event; GetUrl/DnsLookup actions become rows of
 * receiver "" (canary_http / canary_dns).  The scheduler, run from the
 * collector's event loop, groups waiting rows, sends due jobs to notifierd
 * (IPC_ALERT_JOB) within each receiver's in-flight limit, rate limit and
 * circuit breaker, and applies the results (IPC_ALERT_RESULT): delivered,
 * retry with backoff + jitter or Retry-After, dead letter.  All state that
 * matters is in the outbox table; what is kept in memory (circuits, rate
 * windows, group timers) only paces delivery and starts fresh after a
 * restart.
 */
#ifndef TRIPLINE_OUTBOX_H
#define TRIPLINE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "alerts.h"

struct dec_event;
struct gen_render;
struct ipc_alert_job;
struct ipc_alert_result;
struct proc;
struct store;
struct store_alert;
struct store_event;
struct outbox;

/* Built-in defaults (alerts.yaml `defaults:`; used when a value is 0 or
 * there is no alerts file). */
#define OUTBOX_TIMEOUT_MS	10000ULL
#define OUTBOX_RETRY_INITIAL_MS	1000ULL
#define OUTBOX_RETRY_MAX_MS	(5ULL * 60 * 1000)
#define OUTBOX_RETRY_MAX_AGE_MS	(24ULL * 3600 * 1000)
#define OUTBOX_CIRCUIT_FAILURES	5
#define OUTBOX_CIRCUIT_OPEN_MS	30000ULL
#define OUTBOX_MAX_INFLIGHT	4
/* A Retry-After from a sink counts up to this (ms); retry.max may be
 * longer. */
#define OUTBOX_RETRY_AFTER_MAX_MS	(3600ULL * 1000)
/* No backoff is longer than this (ms), whatever retry.max says. */
#define OUTBOX_DELAY_MAX_MS	(24ULL * 3600 * 1000)
/* Pending jobs per destination; the excess folds into one "N more"
 * summary job. */
#define OUTBOX_BACKLOG_MAX	1000
/* Groups held in memory; hits of new groups above it join the route and
 * receiver's overflow group (group_key OUTBOX_GROUP_OVERFLOW). */
#define OUTBOX_GROUPS_MAX	4096
#define OUTBOX_GROUP_OVERFLOW	"(overflow)"
/* Results kept in memory while another connection holds the store's
 * write lock. */
#define OUTBOX_HELD_MAX		1024
/* Size caps of one job (an IPC message is at most 64 KiB). */
#define OUTBOX_EVENT_JSON_MAX	(32 * 1024)
#define OUTBOX_TEXT_MAX		(16 * 1024)
#define OUTBOX_TITLE_MAX	240

struct outbox_hooks {
	/* Unix ns (CLOCK_REALTIME): next_attempt_ns, ages, group timers */
	uint64_t (*now)(void *arg);
	/*
	 * Send one job to notifierd.  0 (sent), ERR_AGAIN (socket full: the
	 * job stays pending), ERR_TOOBIG (never fits: dead letter), other
	 * (peer gone: the scheduler stops sending until outbox_peer_up()).
	 */
	int	 (*send)(void *arg, const struct ipc_alert_job *);
	/* new rows or results: please call outbox_run() soon (may be NULL) */
	void	 (*kick)(void *arg);
	/* 32 random bits for jitter (NULL: an internal xorshift) */
	uint32_t (*rnd)(void *arg);
	void	*arg;
};

struct outbox_stats {
	uint64_t	 queued;	/* outbox rows written */
	uint64_t	 unrouted;	/* policy hits no route took */
	uint64_t	 sent;		/* jobs sent (first sends and retries) */
	uint64_t	 resent;	/* in-flight jobs re-sent to a new peer */
	uint64_t	 delivered;
	uint64_t	 retried;	/* temporary failures scheduled again */
	uint64_t	 dead;		/* permanent, expired, too large */
	uint64_t	 merged;	/* rows folded into a group leader */
	uint64_t	 suppressed;	/* ... of an unchanged group */
	uint64_t	 timeouts;	/* in flight with no answer in time */
	uint64_t	 unknown_results;	/* results for no in-flight job */
	uint64_t	 bad_msgs;	/* undecodable messages from the peer */
	uint64_t	 db_errors;
	uint64_t	 folded;	/* pending jobs folded into summaries */
	uint64_t	 summaries;	/* "N more" summary jobs made */
	uint64_t	 group_overflow;	/* hits put in an overflow group */
	uint64_t	 held;		/* results kept while the store was
					   locked, applied later */
	uint64_t	 held_over;	/* ... beyond OUTBOX_HELD_MAX: the job
					   stays in flight until its deadline */
	uint64_t	 groups;	/* groups in memory now */
};

/* What routing and the job text need from one hit (strings may be NULL,
 * process strings are escaped by the outbox). */
struct outbox_hit {
	const char	*type;		/* "process_kprobe", ... */
	const char	*policy;
	const char	*message;
	const char	*tags;		/* JSON array of strings */
	const char	*function;
	const char	*action;	/* main action "KPROBE_ACTION_POST" */
	const char	*actions_json;	/* JSON array of actions that ran */
	uint32_t	 actions;	/* 1 << enum pol_action_kind */
	uint32_t	 pid;
	uint32_t	 uid;
	const char	*binary;
	const char	*args;		/* process arguments */
	const char	*cwd;
	uint32_t	 parent_pid;	/* 0: none */
	const char	*parent_binary;
	const char	*call_args;	/* the hook's arguments, one line */
	const char	*time;		/* ISO time of the event */
	const char	*event_json;	/* Tetragon JSON of the event */
};

/*
 * The store must outlive the outbox.  Moves every 'inflight' row back to
 * 'pending' (nothing is in flight at start).  Events come rendered
 * (export_render_hit), so the outbox needs no clock offset.
 */
struct outbox	*outbox_new(struct store *, const struct outbox_hooks *);
void		 outbox_free(struct outbox *);
/* Routes, receivers and limits (borrowed: valid until the next call;
 * NULL = no alerts file: action jobs only). */
void		 outbox_set_config(struct outbox *, const struct al_config *);
const struct outbox_stats *outbox_stats(const struct outbox *);
/* Rows of the last outbox_store*() call (for tests). */
size_t		 outbox_last_rows(const struct outbox *);

/*
 * The event row e with its outbox rows, in one savepoint of the store's
 * batch transaction: acts (GetUrl/DnsLookup, may be 0) and one row per
 * receiver of each route the hit takes.  0 or ERR_DB (nothing written).
 */
int	outbox_store(struct outbox *, const struct store_event *e,
	    const struct outbox_hit *h, const struct store_alert *acts,
	    size_t nacts);
/* Does a hit need its JSON line and argument text here (an action's
 * alert or a route: export_render_hit)?  1/0. */
int	outbox_wants_event(const struct outbox *, const struct gen_render *r);
/* outbox_store() for a policy event rendered by export_render_hit()
 * (pipeline_generic): its argument line, time and JSON line. */
int	outbox_store_generic(struct outbox *, const struct store_event *e,
	    const struct gen_render *r, const struct dec_event *ev,
	    const struct proc *p, const struct proc *parent);

/*
 * Scheduler step at hooks->now(): flush due groups, time out jobs in
 * flight too long, send due jobs.  Returns the ms until it wants to run
 * again (1..1000).
 */
uint64_t outbox_run(struct outbox *);
/* A result from notifierd.  0, or ERR_NOTFOUND (no such job in flight,
 * or a result is already held for it: counted, ignored).  While another
 * connection holds the store's write lock the result is held in memory
 * (bounded) and applied by the next outbox_run() that can write. */
int	outbox_result(struct outbox *, const struct ipc_alert_result *);
/* A new notifier channel is up: re-send every job in flight on it. */
void	outbox_peer_up(struct outbox *);
/* The channel is gone: send nothing until outbox_peer_up(). */
void	outbox_peer_down(struct outbox *);
/* A message from the peer that does not decode / has the wrong type. */
void	outbox_bad_msg(struct outbox *);

/* Pure helpers (tests). */
/* Severity: tag "severity=L"/"severity:L", else a leading "[L]" in the
 * message, else info. */
enum al_severity outbox_severity(const char *tags_json, const char *message);
const char *outbox_severity_name(enum al_severity);
/* Does route rt take hit h of severity sev?  1/0. */
int	outbox_route_match(const struct al_route *rt, const struct outbox_hit *h,
	    enum al_severity sev);
/* Delay before attempt (attempt >= 1 failed attempts so far): initial *
 * 2^(attempt-1) capped at max (itself at most OUTBOX_DELAY_MAX_MS), times
 * a factor in [0.8, 1.2] drawn from rnd; at least retry_after_ms, which
 * counts up to OUTBOX_RETRY_AFTER_MAX_MS. */
uint64_t outbox_backoff_ms(uint64_t initial_ms, uint64_t max_ms,
	    uint32_t attempt, uint32_t rnd, uint64_t retry_after_ms);
/* SipHash-2-4 of data under the 128-bit key k (k[0] the low half). */
uint64_t outbox_siphash(const uint64_t k[2], const void *data, size_t len);
/* The fingerprint of a hit (hex; keyed with this outbox's random key:
 * differs between processes).  fp holds at least 17 bytes. */
void	outbox_fingerprint(struct outbox *, const struct outbox_hit *,
	    char *fp, size_t fpsz);
/* Circuit state of a receiver ("" + kind + target for action jobs: use
 * the receiver name, or "<kind> <target>"): "closed" "open" "half-open". */
const char *outbox_circuit(struct outbox *, const char *dest);

#endif
