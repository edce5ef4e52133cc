/*
 * notifierd/notifierd.h -- alert delivery daemon (sandboxed, unprivileged).
 *
 * Startup: IPC_NOTIFY_CONFIG from loaderd (fd 3) is parsed with
 * alerts_parse(), then the process sandboxes itself (notifier_sandbox_enter)
 * and reports IPC_NOTIFY_READY.  collectord sends IPC_ALERT_JOB on fd 4;
 * each job is one delivery attempt (deliver.c: libcurl multi on the
 * libevent loop, or a UDP DNS query for canary_dns) answered with
 * IPC_ALERT_RESULT.  The notifier keeps no state across jobs: retries,
 * backoff and dead letters are the collector's.
 */
#ifndef TRIPLINE_NOTIFIERD_H
#define TRIPLINE_NOTIFIERD_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "alerts.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "sandbox.h"
#include "str.h"

struct event_base;
struct event;
struct deliver;
struct peer;
struct syslog_out;

struct notifier_env {
	const char		*user;
	enum sandbox_mode	 mode;
	int			 debug;
	int			 verbose;
	uint64_t		 start_ms;	/* CLOCK_MONOTONIC at start */
	struct event_base	*base;
	struct event		*ev_sigterm;
	struct event		*ev_sigint;
	struct peer		*parent;	/* fd 3, loaderd */
	struct peer		*peer;		/* fd 4, collectord; NULL once
						   it closed */
	int			 configured;	/* IPC_NOTIFY_CONFIG read */
	struct al_config	 cfg;		/* holds the secrets */
	struct deliver		*dl;
	struct event		*ev_stats;	/* coalesces IPC_NOTIFY_STATS */
	struct ipc_notify_stats	 stats_sent;	/* as last reported */
	struct syslog_out	*so;		/* -T: syslog target, or NULL */
	const char		*syslog_ca;	/* -C */
	uint32_t		 syslog_timeout_ms; /* -W */
};

/* sandbox_rules.c: the seccomp table (n rows in *n) and the
 * NULL-terminated list of paths Landlock leaves readable: the resolver
 * files, the CA locations of the common distributions, libcurl's built-in
 * bundle, defaults.ca_file and every receiver's ca_file (free() the array,
 * not the strings). */
const struct sandbox_rule *notifier_sandbox_rules(size_t *n);
const char **notifier_sandbox_ro_paths(const struct al_config *);
/* One more path Landlock leaves readable (the syslog ca_file); call
 * before notifier_sandbox_enter. */
void	notifier_sandbox_add_ro(const char *);
/*
 * The whole sandbox, in order: the resolver (notifier_resolver_prepare),
 * Landlock (read-only: the DNS/TLS paths plus the configured CA files),
 * drop to uid/gid with no capabilities and
 * no_new_privs, seccomp from the table.  Used by main() and by the sandbox
 * test.  0 or ERR_*; a kernel without Landlock is logged, not an error.
 */
int	notifier_sandbox_enter(enum sandbox_mode, uid_t, gid_t,
	    const struct al_config *);
/* Called by notifier_sandbox_enter() first: NSS hosts restricted to the
 * services built into libc ("files dns") and the resolver warmed up. */
void	notifier_resolver_prepare(void);

/* hmac.c */
#define NOTIFY_SHA256_LEN	32
void	notify_sha256(const void *, size_t, uint8_t out[NOTIFY_SHA256_LEN]);
void	notify_hmac_sha256(const void *key, size_t klen, const void *msg,
	    size_t mlen, uint8_t out[NOTIFY_SHA256_LEN]);
/* Lower-case hex of len bytes; dst holds 2 * len + 1. */
void	notify_hex(char *dst, const uint8_t *src, size_t len);

/* format.c: message bodies (pure functions, unit-tested) */
#define NOTIFY_SMS_MAX		1600	/* bytes of an SMS body */
#define NOTIFY_DETAIL_MAX	200
struct notify_result {
	uint32_t	 status;	/* enum ipc_alert_status */
	uint32_t	 code;		/* HTTP / SMTP / DNS rcode */
	uint64_t	 retry_after_ms;
	char		 detail[NOTIFY_DETAIL_MAX];
};

/* res->detail = "prefix: " + the formatted message (cut to fit). */
void	notify_detail(struct notify_result *, const char *prefix,
	    const char *fmt, ...) __attribute__((__format__(printf, 3, 4)));
/* The policy name from a job title "[sev] policy: ..." into dst ("" if the
 * title has another shape). */
void	notify_title_policy(char *dst, size_t dstsz, const char *title);
/* Append at most max bytes of s without cutting a UTF-8 sequence; returns
 * 1 if s was cut. */
int	notify_add_utf8_capped(struct sbuf *, const char *s, size_t max);
/* Slack incoming-webhook JSON: {"text":..., "blocks":[{"type":"section",
 * "text":{"type":"mrkdwn","text":...}}]}; &<> escaped, text capped at
 * max_length bytes (after escaping). */
void	notify_slack_body(struct sbuf *, const struct ipc_alert_job *,
	    uint32_t max_length);
/* SMS text: title, newline, text, capped at NOTIFY_SMS_MAX bytes. */
void	notify_sms_text(struct sbuf *, const struct ipc_alert_job *);
/* application/x-www-form-urlencoded "k=v" pair ('&' first if not empty). */
void	notify_form_add(struct sbuf *, const char *key, const char *value);
void	notify_twilio_body(struct sbuf *, const struct al_receiver *,
	    const char *to, const char *text);
void	notify_vonage_body(struct sbuf *, const struct al_receiver *,
	    const char *to, const char *text);
/* Expand {to} {text} {title} {severity} {policy} {idem_key} in tmpl;
 * unknown {names} are kept literally. */
void	notify_expand(struct sbuf *, const char *tmpl,
	    const struct ipc_alert_job *, const char *to);
/* generic SMS body from the fields template (form or JSON). */
void	notify_generic_body(struct sbuf *, const struct al_receiver *,
	    const struct ipc_alert_job *, const char *to);
/* Webhook JSON envelope; event_json is inserted as is (null if empty). */
void	notify_webhook_body(struct sbuf *, const struct ipc_alert_job *);
/* "sha256=<hex HMAC-SHA256 of body>"; dst holds 7 + 64 + 1 bytes. */
#define NOTIFY_SIG_LEN		(7 + 2 * NOTIFY_SHA256_LEN + 1)
void	notify_webhook_signature(char *dst, const char *secret,
	    const void *body, size_t len);
/* Append a header value with CR, LF and other control bytes replaced by
 * spaces (no header injection). */
void	notify_header_value(struct sbuf *, const char *v);
/* An e-mail address usable in an envelope and a header: non-empty, no
 * control characters, no <>, no space, no comma.  1 or 0. */
int	notify_email_addr_ok(const char *);
/* RFC 5322 message with CRLF line endings (dot-stuffing is curl's).
 * ERR_PARSE if from/to hold an unusable address. */
int	notify_email_message(struct sbuf *, const struct al_receiver *,
	    const struct ipc_alert_job *, time_t now);

/* Retry-After: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850,
 * asctime) relative to now; capped at 24 h.  0 or ERR_PARSE. */
int	notify_retry_after(const char *v, time_t now, uint64_t *ms);
/*
 * Outcome of an HTTP response for a receiver (r NULL: action job, plain
 * 2xx rule).  code = HTTP status, body = response body (may be cut),
 * retry_after = the header value or NULL.  Sets status, code,
 * retry_after_ms and detail (prefixed with prefix, e.g. "slack ops").
 */
void	notify_http_outcome(struct notify_result *, const struct al_receiver *,
	    long code, const char *body, size_t bodylen,
	    const char *retry_after, time_t now, const char *prefix);
/* Outcome of an SMTP transaction from its last reply code (0 = none) and
 * reply text. */
void	notify_smtp_outcome(struct notify_result *, long code,
	    const char *reply, const char *prefix);
/* vonage: messages[0].status and error-text from a response body.  0 or
 * ERR_PARSE. */
int	notify_vonage_status(const char *body, size_t len, char *status,
	    size_t statussz, char *errtext, size_t errsz);
/* pid of the (first) process in the event JSON, 0 if none. */
uint32_t notify_event_pid(const char *event_json);

/* dns.c */
#define DNS_NONCE_LEN		10
#define DNS_MAX_NAME		253
#define DNS_MAX_LABEL		63
/* First 10 hex digits of SHA-256(idem_key); dst holds 11. */
void	dns_nonce(char *dst, const char *idem_key);
/* RFC 4648 base32, lower case, no padding. */
void	dns_base32(struct sbuf *, const void *, size_t);
/* A host name (labels 1..63 of [A-Za-z0-9_-], total <= 253, no leading
 * or trailing dot other than one final dot).  1 or 0. */
int	dns_name_ok(const char *);
/* "<nonce>.[<data>.]<base>" with data = base32 of "<policy>.<pid>" when
 * policy is not NULL, cut to one 63-byte label and the 253-byte total.
 * 0 or ERR_RANGE (base too long / invalid). */
int	dns_canary_name(char *dst, size_t dstsz, const char *idem_key,
	    const char *base, const char *policy, uint32_t pid);
/* A query for name/A/IN with recursion desired.  Returns its length or
 * ERR_RANGE. */
ssize_t	dns_query_build(uint8_t *buf, size_t sz, uint16_t id, const char *name);
/* Check a reply against the query (id, QR, question) and report rcode and
 * answer count.  0 or ERR_PARSE (not a reply to our query). */
int	dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id,
	    const char *name, int *rcode, int *nanswers);
/* "host:port" / "[v6]:port" / "host" (numeric addresses only). 0 or
 * ERR_PARSE. */
int	dns_parse_addr(const char *s, uint16_t defport,
	    struct sockaddr_storage *ss, socklen_t *sslen);

/* guard.c: what is refused from the collector */
struct notify_allow {
	char		**v;		/* "U <url>" / "D <name>" lines */
	size_t		 n;
	int		 have;		/* a list was received */
};
/* Replace the allowlist with an IPC_NOTIFY_TARGETS text (malformed lines
 * are skipped). */
void	notify_allow_set(struct notify_allow *, const char *list);
void	notify_allow_clear(struct notify_allow *);
/* Is target allowed for kind (IPC_TARGET_URL: the exact URL;
 * IPC_TARGET_DNS: the name, case and a final dot aside)?  1 or 0. */
int	notify_allow_has(const struct notify_allow *, char kind,
	    const char *target);
/* Event JSON a webhook body may embed: "" (no event), one JSON object, or
 * an array of objects (a group); strict RFC 8259 with valid UTF-8, at
 * most NOTIFY_EVENT_JSON_MAX bytes and NOTIFY_EVENT_JSON_DEPTH levels.
 * 1 or 0. */
#define NOTIFY_EVENT_JSON_MAX	(40 * 1024)
#define NOTIFY_EVENT_JSON_DEPTH	32
int	notify_event_json_ok(const char *);

/* deliver.c */
typedef void (*deliver_done_fn)(const struct ipc_alert_result *, void *);
/* cfg is borrowed and must outlive the deliverer. */
struct deliver *deliver_new(struct event_base *, const struct al_config *);
/* Cancels what is in flight (no callbacks). NULL-safe. */
void	deliver_free(struct deliver *);
/* Start one attempt of job (copied); done is called exactly once, from
 * the event loop (possibly before deliver_job returns for jobs that fail
 * at once). */
void	deliver_job(struct deliver *, const struct ipc_alert_job *,
	    deliver_done_fn done, void *arg);
size_t	deliver_inflight(const struct deliver *);
/* What deliver.c keeps of libcurl's reply lines (it parses the protocol):
 * of an HTTP header line (p, len; no NUL), the Retry-After value into
 * retry_after (sz bytes; a status line clears it); of an SMTP reply line,
 * the line without CRLF into reply (sz bytes) unless it is QUIT's 221. */
void	dl_header_line(char *retry_after, size_t sz, const char *p,
	    size_t len);
void	dl_smtp_reply_line(char *reply, size_t sz, const char *data,
	    size_t len);
/* The action targets loaded policies allow (IPC_NOTIFY_TARGETS text).
 * Until the first call, action jobs are answered "retry". */
void	deliver_set_targets(struct deliver *, const char *list);
/* Jobs refused so far (target not allowed, event JSON refused). */
void	deliver_stats(const struct deliver *, struct ipc_notify_stats *);

/* syslog.c: the syslog target (docs/shipping.md) */
struct syslog_out *syslog_out_new(const char *target, const char *ca_file,
	    uint32_t timeout_ms);
void	syslog_out_free(struct syslog_out *);
/* Frame and send one message (connecting first if needed).  0, or
 * ERR_SYS with the reason in why (the message was not sent). */
int	syslog_out_send(struct syslog_out *, const char *msg, char *why,
	    size_t whysz);
/* "<PRI>1 ..." within the size limit?  1 or 0. */
int	syslog_msg_ok(const char *);

#endif
