/*
 * common/config_syslog.h -- the syslog: block of tripline.yaml (log
 * shipping; docs/shipping.md) and the syslog target syntax, shared by
 * loaderd (which parses the file), collectord (which renders the
 * messages) and notifierd (which sends them).
 */
#ifndef TRIPLINE_CONFIG_SYSLOG_H
#define TRIPLINE_CONFIG_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

#define SYSLOG_DEFAULT_FACILITY	3	/* daemon */
#define SYSLOG_DEFAULT_APP	"tripline"
#define SYSLOG_DEFAULT_BACKLOG	100000
#define SYSLOG_DEFAULT_TIMEOUT	2000	/* ms */
#define SYSLOG_APP_MAX		48	/* RFC 5424 APP-NAME */
#define SYSLOG_HOST_MAX		255

enum syslog_proto {
	SYSLOG_UDP,
	SYSLOG_TCP,
	SYSLOG_TLS,
};

struct syslog_target {
	enum syslog_proto proto;
	char		 host[SYSLOG_HOST_MAX + 1];	/* no brackets */
	char		 port[6];
};

struct config_syslog {
	char		*target;	/* syslog.target; NULL: off */
	int		 facility;	/* syslog.facility: 0..23 */
	char		*app_name;	/* syslog.app_name */
	char		*ca_file;	/* syslog.ca_file (tls); NULL: the
					   system's trust store */
	uint64_t	 max_backlog;	/* syslog.max_backlog: events */
	uint32_t	 timeout_ms;	/* syslog.timeout_ms */
};

/* "udp://HOST:PORT", "tcp://HOST:PORT", "tls://HOST:PORT" (an IPv6
 * address in brackets).  0 or ERR_PARSE. */
int	syslog_target_parse(const char *, struct syslog_target *);
/* Facility name (kern, user, ..., local7) or number -> 0..23; -1. */
int	syslog_facility_parse(const char *);
const char *syslog_facility_name(int);
/* APP-NAME: 1..48 printable US-ASCII characters, no space.  1 or 0. */
int	syslog_app_ok(const char *);

struct yamlu_doc;
void	config_syslog_defaults(struct config_syslog *);
void	config_syslog_copy(struct config_syslog *dst,
	    const struct config_syslog *src);
void	config_syslog_clear(struct config_syslog *);
/* The syslog: mapping (value node v of the top-level key). */
int	config_syslog_walk(struct yamlu_doc *, void *v,
	    struct config_syslog *);

#endif
