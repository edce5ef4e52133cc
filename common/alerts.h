/*
 * common/alerts.h -- the alerts file (receivers, routes): model and parser.
 *
 * Parsed by loaderd (validation, permission check), by notifierd (from
 * IPC_NOTIFY_CONFIG: secrets included) and by collectord (from
 * IPC_COLLECT_ALERTCFG: alerts_redact()'ed text).  Format: docs/alerts.md.
 */
#ifndef TRIPLINE_ALERTS_H
#define TRIPLINE_ALERTS_H

#include <stddef.h>
#include <stdint.h>

enum al_kind {
	AL_SLACK = 1,
	AL_SMS,
	AL_EMAIL,
	AL_WEBHOOK,
	AL_CANARY_HTTP,
	AL_CANARY_DNS,
};

enum al_sms_provider {
	AL_SMS_TWILIO = 1,
	AL_SMS_VONAGE,
	AL_SMS_GENERIC,
};

enum al_tls {
	AL_TLS_STARTTLS = 0,	/* default: STARTTLS required */
	AL_TLS_IMPLICIT,	/* smtps */
	AL_TLS_NONE,
};

enum al_severity {
	AL_SEV_INFO = 0,
	AL_SEV_LOW,
	AL_SEV_MEDIUM,
	AL_SEV_HIGH,
	AL_SEV_CRITICAL,
};

struct al_kv {			/* ordered key: value pair */
	char		*key;
	char		*value;
};

struct al_receiver {
	char		*name;
	enum al_kind	 kind;
	uint32_t	 rl_count;	/* rate_limit: 0 = none */
	uint64_t	 rl_per_ms;
	/* common */
	char		*url;		/* slack sms webhook canary_http */
	/* slack */
	uint32_t	 max_length;	/* default 3000 */
	/* sms */
	enum al_sms_provider provider;
	char		*account_sid;	/* twilio */
	char		*auth_token;	/* twilio (secret) */
	char		*api_key;	/* vonage */
	char		*api_secret;	/* vonage (secret) */
	char		*from;		/* sms, email */
	char		**to;		/* sms numbers, email addresses */
	size_t		 nto;
	char		*method;	/* generic: "POST" */
	int		 json;		/* generic: format json (else form) */
	struct al_kv	*fields;	/* generic: body template */
	size_t		 nfields;
	struct al_kv	*headers;	/* generic, webhook (values secret) */
	size_t		 nheaders;
	uint32_t	*ok_status;	/* generic success rule */
	size_t		 nok_status;
	char		*ok_body;	/* generic: body must contain */
	/* email */
	char		*smarthost;	/* host:port */
	enum al_tls	 tls;
	char		*ca_file;
	char		*username;
	char		*password;	/* secret */
	char		*auth;		/* "plain" | "login" | NULL (any) */
	char		*subject_prefix;
	/* webhook */
	char		*hmac_secret;	/* secret */
	char		*hmac_header;	/* default X-Tripline-Signature */
	/* canary_dns */
	char		*dns_name;
	char		*resolver;	/* host:port; NULL = defaults */
	int		 dns_data;	/* encode data in labels */
};

struct al_route {
	char		*name;
	char		**policies;	size_t npolicies;
	char		**tags;		size_t ntags;
	char		**event_types;	size_t nevent_types;
	char		**actions;	size_t nactions;
	uint32_t	 severity_mask;	/* 1 << enum al_severity; 0 = any */
	char		**receivers;	size_t nreceivers;
	char		**group_by;	size_t ngroup_by;
	uint64_t	 group_wait_ms;
	uint64_t	 group_interval_ms;	/* default 5 min */
	uint64_t	 repeat_interval_ms;	/* default 4 h */
	int		 cont;			/* continue: */
};

struct al_config {
	char		*dns_resolver;		/* default "127.0.0.1:53" */
	uint64_t	 timeout_ms;		/* default 10 s */
	uint64_t	 retry_initial_ms;	/* default 1 s */
	uint64_t	 retry_max_ms;		/* default 5 min */
	uint64_t	 retry_max_age_ms;	/* default 24 h */
	uint32_t	 circuit_failures;	/* default 5 */
	uint64_t	 circuit_open_ms;	/* default 30 s */
	uint32_t	 max_inflight;		/* default 4 */
	char		*ca_file;		/* CA bundle for every TLS
						   delivery; NULL: the system's */
	struct al_receiver *receivers;
	size_t		 nreceivers;
	struct al_route	*routes;
	size_t		 nroutes;
	int		 has_secrets;
};

/* Parse a document (name used in errors).  0, or ERR_PARSE with
 * "name:line:col: message" in err. */
int	alerts_parse(const char *name, const char *text, size_t len,
	    struct al_config *, char *err, size_t errlen);
/* Read and parse a file; also checks ownership/mode when it holds
 * secrets (root-owned, no group/other read): ERR_PERM with the reason. */
int	alerts_load(const char *path, struct al_config *, char **text,
	    char *err, size_t errlen);
/* The same document with every secret replaced by "<secret>" (malloc'd);
 * parses to the same routes and receiver names/kinds. */
char	*alerts_redact(const struct al_config *);
void	alerts_clear(struct al_config *);

const struct al_receiver *alerts_receiver(const struct al_config *,
	    const char *name);
const char *alerts_kind_name(enum al_kind);
const char *alerts_severity_name(enum al_severity);
int	alerts_severity_parse(const char *, enum al_severity *);

#endif
