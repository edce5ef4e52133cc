/*
 * common/ipc_msg.h -- every IPC message type and its msgpack codec.
 *
 * Numbering (never renumbered): 100s loaderd<->collectord, 200s
 * collectord<->notifierd, 300s loaderd<->notifierd, 400s triplinectl<->
 * loaderd control socket.  Each payload is a msgpack array with a fixed
 * number of elements of fixed types; the decoder rejects anything else
 * (ERR_PARSE), so loaderd never walks maps of unbounded shape from children.
 *
 * The table in ipc_msg.c holds, per type: its name, who sends it to whom
 * (enum ipc_proc; one direction per type), whether it carries an fd, and
 * the fields its codec encodes and decodes.  Built on the transport
 * (ipc.h); the peer layer (peer.h) refuses what the table does not allow.
 */
#ifndef TRIPLINE_IPC_MSG_H
#define TRIPLINE_IPC_MSG_H

#include <stddef.h>
#include <stdint.h>

enum ipc_type {
	/* loaderd <-> collectord */
	IPC_COLLECT_RINGBUF = 100,	/* P->C, carries the ring buffer fd */
	IPC_COLLECT_READY = 101,	/* C->P, setup done, sandbox on */
	IPC_COLLECT_STATS = 102,	/* C->P, once a second */
	IPC_COLLECT_HOOK = 103,		/* P->C, what a policy hook id means;
					   sent before the hook is enabled */
	IPC_COLLECT_HOOK_DEL = 104,	/* P->C, hook id/gen removed */
	IPC_COLLECT_DROPS = 105,	/* P->C, ring-buffer records lost */
	IPC_COLLECT_PEER = 106,		/* P->C, carries the notifier channel fd
					   (struct ipc_peer) */
	IPC_COLLECT_ALERTCFG = 107,	/* P->C, alerts.yaml without secrets
					   (struct ipc_alertcfg) */
	IPC_COLLECT_HEALTH_REQ = 108,	/* P->C, liveness ping */
	IPC_COLLECT_HEALTH_ANS = 109,	/* C->P, its answer */
	IPC_COLLECT_FWD_STATS = 110,	/* C->P, syslog forwarding counters
					   (struct ipc_fwd_stats) */
	IPC_COLLECT_ROTATE = 111,	/* C->P, events.jsonl reached
					   export.max_size (struct ipc_rotate) */
	IPC_COLLECT_JSONFD = 112,	/* P->C, carries a new events.jsonl fd
					   (struct ipc_jsonfd) */
	IPC_COLLECT_KSYMS = 113,	/* P->C, carries /proc/kallsyms opened
					   by loaderd before its capability
					   trim (struct ipc_ksyms) */
	/* collectord <-> notifierd (fd 4 peer channel) */
	IPC_ALERT_JOB = 200,		/* C->N, one delivery attempt */
	IPC_ALERT_RESULT = 201,		/* N->C, its outcome */
	IPC_SYSLOG_MSG = 202,		/* C->N, one syslog message
					   (struct ipc_syslog_msg) */
	IPC_SYSLOG_ACK = 203,		/* N->C, sent or not
					   (struct ipc_syslog_ack) */
	/* loaderd <-> notifierd */
	IPC_NOTIFY_READY = 300,		/* N->P, sandbox on */
	IPC_NOTIFY_HEALTH_REQ = 301,	/* P->N */
	IPC_NOTIFY_HEALTH_ANS = 302,	/* N->P */
	IPC_NOTIFY_CONFIG = 303,	/* P->N, alerts.yaml with secrets
					   (struct ipc_alertcfg) */
	IPC_NOTIFY_TARGETS = 304,	/* P->N, the action targets loaded
					   policies allow (struct ipc_text) */
	IPC_NOTIFY_STATS = 305,		/* N->P, refusal counters
					   (struct ipc_notify_stats) */
	/* triplinectl <-> loaderd */
	IPC_CTL_STATUS_REQ = 400,	/* no payload fields (empty array);
					   answer: human-readable text */
	IPC_CTL_STATUS_ANS = 401,	/* one string (struct ipc_text) */
	IPC_CTL_STATUS_JSON_REQ = 402,	/* no payload fields (empty array);
					   answer: JSON document */
	IPC_CTL_POLICY_ADD = 403,	/* struct ipc_policy_add; answer text */
	IPC_CTL_POLICY_DEL = 404,	/* struct ipc_name; answer text */
	IPC_CTL_POLICY_LIST_REQ = 405,	/* empty; answer text */
	IPC_CTL_POLICY_LIST_JSON_REQ = 406, /* empty; answer JSON */
	IPC_CTL_POLICY_MODE = 407,	/* struct ipc_policy_mode; answer text */
	IPC_CTL_RELOAD = 408,		/* empty; answer text (IPC_CTL_ERROR
					   if anything failed) */
	IPC_CTL_STATUS_PROM_REQ = 410,	/* empty; answer: Prometheus text
					   exposition (loaderd/metrics.c) */
	IPC_CTL_ERROR = 499,		/* one string: error message */
};

/* The ends of the four links. */
enum ipc_proc {
	IPC_PROC_LOADERD,
	IPC_PROC_COLLECTORD,
	IPC_PROC_NOTIFIERD,
	IPC_PROC_CTL,			/* a triplinectl client */
};

/* Does a message of this type carry an fd?  1/0. */
int	ipc_type_has_fd(uint16_t type);
/* Is the type known at all? 1/0. */
int	ipc_type_known(uint16_t type);
/* May a message of this type go from `from` to `to`?  1/0 (0 for an
 * unknown type). */
int	ipc_type_allowed(uint16_t type, enum ipc_proc from, enum ipc_proc to);

struct ipc_ringbuf {		/* IPC_COLLECT_RINGBUF */
	uint64_t	size;		/* data area bytes (power of 2) */
	uint32_t	abi_version;	/* EV_ABI_VERSION of the programs */
};

struct ipc_ready {		/* IPC_COLLECT_READY, IPC_NOTIFY_READY */
	uint32_t	pid;
	uint32_t	uid;
};

struct ipc_collect_stats {	/* IPC_COLLECT_STATS */
	uint64_t	records;	/* ring buffer records consumed */
	uint64_t	malformed;	/* records rejected by the decoder */
	uint64_t	events_stored;	/* rows committed to events */
	uint64_t	db_errors;
	uint64_t	cache_entries;	/* process cache size */
	uint64_t	exported;	/* JSON lines written */
	uint64_t	uncommitted;	/* ring bytes read, not committed */
	uint64_t	lag_ns;		/* store_stats lag_ns */
	uint64_t	alerts_queued;	/* outbox_stats: rows written */
	uint64_t	alerts_delivered;
	uint64_t	alerts_retried;
	uint64_t	alerts_dead;
	uint64_t	alerts_unrouted;
	uint64_t	ret_steps;	/* store_ret_stats: retention steps */
	uint64_t	ret_events;	/* rows retention deleted */
	uint64_t	ret_processes;
	uint64_t	ret_outbox;
	uint64_t	ret_drops;
	uint64_t	ret_errors;	/* steps rolled back */
};

struct ipc_health {		/* IPC_{COLLECT,NOTIFY}_HEALTH_REQ / _ANS */
	uint64_t	seq;
	uint64_t	uptime_ms;	/* answer only; 0 in requests */
};

struct ipc_text {		/* IPC_CTL_STATUS_ANS, IPC_CTL_ERROR,
				   IPC_NOTIFY_TARGETS */
	char		*text;		/* decode: malloc'd, caller frees */
};

/*
 * IPC_NOTIFY_TARGETS carries the whole allowlist each time (it replaces
 * the previous one): one target a line, "U <url>" for a GetUrl argUrl,
 * "D <name>" for a DnsLookup argFqdn, of every loaded policy hook.
 */
#define IPC_TARGET_URL		'U'
#define IPC_TARGET_DNS		'D'

struct ipc_notify_stats {	/* IPC_NOTIFY_STATS, totals since start */
	uint64_t	refused_target;	/* action jobs with a target no
					   loaded policy names */
	uint64_t	refused_event;	/* jobs whose event JSON is not a
					   bounded, well-formed JSON object */
};

#define IPC_HOOK_ARGS	5		/* = HOOK_ARGS_MAX */
#define IPC_HOOK_SEL	5		/* = HOOK_SEL_MAX */

/*
 * IPC_COLLECT_HOOK: everything collectord needs to turn an EV_GENERIC
 * record of hook (id, gen) into an event row and a Tetragon JSON line.
 * Strings are "" when absent (never NULL on encode); decode allocates
 * every string (free with ipc_hook_clear()).
 */
struct ipc_hook {
	uint32_t	 id;
	uint32_t	 gen;
	uint32_t	 kind;		/* enum pol_hook_kind */
	uint32_t	 mode;		/* enum pol_mode */
	char		*policy;	/* metadata.name */
	char		*function;	/* kprobe/lsm: "__x64_sys_openat",
					   "fd_install"; uprobe: symbol */
	char		*subsys;	/* tracepoint subsystem */
	char		*event;		/* tracepoint event */
	char		*path;		/* uprobe binary */
	char		*message;
	char		*tags_json;	/* JSON array of strings, "[]" */
	uint32_t	 nargs;
	uint32_t	 arg_type[IPC_HOOK_ARGS];	/* enum pol_arg_type */
	char		*arg_label[IPC_HOOK_ARGS];
	uint32_t	 ret_type;	/* enum pol_arg_type, 0 = none */
	char		*sel_url[IPC_HOOK_SEL];	/* GetUrl argUrl per selector */
	char		*sel_fqdn[IPC_HOOK_SEL];/* DnsLookup argFqdn */
};
void	ipc_hook_clear(struct ipc_hook *);

struct ipc_hook_del {		/* IPC_COLLECT_HOOK_DEL */
	uint32_t	 id;
	uint32_t	 gen;
};

/*
 * IPC_COLLECT_DROPS: records the BPF programs could not write because the
 * ring buffer was full, as counted by them (the per-CPU "stats" map,
 * EV_STAT_DROPPED, and per hook "hook_stats".dropped).  loaderd sends one
 * when a counter grew since its last report to a running collector, which
 * stores it (the drops table, an events_lost event).  source
 * IPC_DROPS_RING: every lost record (policy and strings ""); source
 * IPC_DROPS_HOOK: the part of them one policy hook lost (a breakdown of
 * the ring-buffer figure, not in addition to it).
 */
enum ipc_drops_source {
	IPC_DROPS_RING = 0,
	IPC_DROPS_HOOK = 1,
	IPC_DROPS_SOCKOWN = 2,	/* not records: sockets whose owner could
				   not be tracked (EV_STAT_SOCKOWN_FULL);
				   their events name the current task */
};
struct ipc_drops {
	uint64_t	 time_ns;	/* CLOCK_BOOTTIME ns when loaderd saw it */
	uint64_t	 count;		/* lost since the previous report */
	uint64_t	 total;		/* lost since loaderd loaded the programs
					   (for a hook: since it was enabled) */
	uint32_t	 source;	/* enum ipc_drops_source */
	uint32_t	 hook_id;	/* hook: its id and generation, else 0 */
	uint32_t	 hook_gen;
	char		*policy;	/* hook: metadata.name, else "" */
	char		*function;	/* hook: its target, else "" */
};
void	ipc_drops_clear(struct ipc_drops *);

struct ipc_rotate {		/* IPC_COLLECT_ROTATE */
	uint64_t	 size;		/* bytes of events.jsonl now */
};

struct ipc_jsonfd {		/* IPC_COLLECT_JSONFD (carries an fd) */
	uint32_t	 rotated;	/* 1: the old file is events.jsonl.1;
					   0: reopened (SIGUSR1) */
};

struct ipc_ksyms {		/* IPC_COLLECT_KSYMS (carries an fd) */
	uint32_t	 flags;		/* 0 (none defined) */
};

struct ipc_peer {		/* IPC_COLLECT_PEER (carries an fd) */
	uint32_t	 generation;	/* bumped at each notifier spawn */
};

struct ipc_alertcfg {		/* IPC_COLLECT_ALERTCFG, IPC_NOTIFY_CONFIG */
	char		*file;		/* path, for error messages */
	char		*yaml;		/* document; "" = no alerts file */
};
void	ipc_alertcfg_clear(struct ipc_alertcfg *);

/* See /work/notes/alerts-brief.md (docs/alerts.md) for the semantics. */
struct ipc_alert_job {		/* IPC_ALERT_JOB */
	uint64_t	 job_id;	/* outbox.id */
	uint32_t	 attempt;	/* 1-based */
	uint32_t	 count;		/* hits in this job (grouping) */
	char		*receiver;	/* receiver name; "" for action jobs */
	char		*kind;		/* slack sms email webhook canary_http
					   canary_dns */
	char		*target;	/* action jobs: argUrl / argFqdn */
	char		*idem_key;	/* stable across retries */
	char		*severity;	/* info low medium high critical */
	char		*title;		/* one line */
	char		*text;		/* plain text, multi-line */
	char		*event_json;	/* Tetragon JSON (array for a group) */
};
void	ipc_alert_job_clear(struct ipc_alert_job *);

enum ipc_alert_status {
	IPC_ALERT_DELIVERED = 0,
	IPC_ALERT_RETRY = 1,		/* temporary failure */
	IPC_ALERT_PERMANENT = 2,	/* dead letter */
};
struct ipc_alert_result {	/* IPC_ALERT_RESULT */
	uint64_t	 job_id;
	uint32_t	 status;	/* enum ipc_alert_status */
	uint32_t	 code;		/* HTTP / SMTP / DNS rcode, 0 if none */
	uint64_t	 retry_after_ms;/* Retry-After, else 0 */
	uint64_t	 duration_us;
	char		*detail;	/* short reason; never a secret */
};
void	ipc_alert_result_clear(struct ipc_alert_result *);

/*
 * Syslog forwarding (collectord/forward.c -> notifierd/syslog.c): one
 * RFC 5424 message per stored event, rendered by collectord; notifierd
 * frames it for the transport of the target loaderd gave it and answers
 * each message in order.
 */
struct ipc_syslog_msg {		/* IPC_SYSLOG_MSG */
	uint64_t	 id;		/* events.id */
	char		*msg;		/* "<PRI>1 TIMESTAMP HOST ..." */
};
enum ipc_syslog_status {
	IPC_SYSLOG_SENT = 0,		/* handed to the transport */
	IPC_SYSLOG_FAILED = 1,		/* not sent: try again later */
	IPC_SYSLOG_REFUSED = 2,		/* malformed: never sendable */
};
struct ipc_syslog_ack {		/* IPC_SYSLOG_ACK */
	uint64_t	 id;
	uint32_t	 status;	/* enum ipc_syslog_status */
	char		*detail;	/* why not; "" when sent */
};
struct ipc_fwd_stats {		/* IPC_COLLECT_FWD_STATS, totals since the
				   collector started, backlog now */
	uint64_t	 forwarded;	/* messages the notifier sent */
	uint64_t	 skipped;	/* events never sent (backlog limit,
					   refused messages) */
	uint64_t	 failures;	/* failed attempts (target down) */
	uint64_t	 backlog;	/* stored events not yet forwarded */
	uint64_t	 cursor;	/* last forwarded events.id */
	uint64_t	 refused;	/* of skipped: refused messages */
};

struct ipc_policy_add {		/* IPC_CTL_POLICY_ADD */
	char		*file;		/* name used in error messages */
	char		*yaml;		/* the policy document */
	uint32_t	 mode;		/* 0 as written, 1 enforce, 2 monitor */
};

struct ipc_name {		/* IPC_CTL_POLICY_DEL */
	char		*name;
};

struct ipc_policy_mode {	/* IPC_CTL_POLICY_MODE */
	char		*name;
	uint32_t	 mode;		/* 1 enforce, 2 monitor */
};

/*
 * Encode msg (the struct matching type, NULL for IPC_CTL_STATUS_REQ) into a
 * malloc'd buffer *out of *outlen bytes (free() it).  0 or ERR_TYPE /
 * ERR_NOMEM, ERR_TOOBIG (string over IPC_MSG_MAX_STR), ERR_PARSE (msg or
 * its text NULL where one is required).
 */
int	ipc_msg_encode(uint16_t type, const void *msg, uint8_t **out,
	    size_t *outlen);
/*
 * Decode len bytes of payload of the given type into msg (the matching
 * struct).  0, ERR_TYPE (unknown type) or ERR_PARSE (wrong shape, extra
 * bytes, out-of-range integers, strings with NUL).
 */
int	ipc_msg_decode(uint16_t type, const uint8_t *payload, size_t len,
	    void *msg);
/* Free (and set NULL) every string field of a decoded msg of this type. */
void	ipc_msg_free_fields(uint16_t type, void *msg);

struct ipc_msg;
struct ipc_queue;

/*
 * The transport calls (ipc.h) with the table's fd rule: a type that
 * carries an fd needs one, any other type (unknown ones too) must not
 * have one.  ipc_msg_send_payload() and ipc_msg_queue_payload() return
 * ERR_FD on a mismatch (nothing sent); ipc_msg_recv() returns ERR_FD, with
 * the fd closed and *m cleared, for a received one.  Otherwise as
 * ipc_send(), ipc_queue_add() and ipc_recv().
 */
int	ipc_msg_send_payload(int sock, uint16_t type, const void *payload,
	    size_t len, int fd);
int	ipc_msg_queue_payload(struct ipc_queue *q, uint16_t type,
	    const void *payload, size_t len, int fd);
int	ipc_msg_recv(int sock, struct ipc_msg *m);

/* Encode + ipc_msg_send_payload.  0 or ERR_*. */
int	ipc_msg_send(int sock, uint16_t type, const void *msg, int fd);
/* Encode + ipc_msg_queue_payload.  0 or ERR_*. */
int	ipc_msg_queue(struct ipc_queue *q, uint16_t type, const void *msg,
	    int fd);

/* Longest string a message may carry (IPC_CTL_* text); longer ones are
 * ERR_TOOBIG on encode and ERR_PARSE on decode. */
#define IPC_MSG_MAX_STR	(60 * 1024)

/* "IPC_NOTIFY_READY" etc., "unknown" for other values (for logs). */
const char *ipc_msg_type_name(uint16_t type);

#endif
